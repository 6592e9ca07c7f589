// Pushed events as the renderer's transports accept them (common/contract.ts toDeskEvent): what the
// main process or the development host sends is checked again on the page's side.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toDeskEvent } from '../../common/contract';

test('work.progress crosses with its task, level and counts; anything malformed is dropped', () => {
  assert.deepEqual(toDeskEvent({ type: 'work.progress', task: 'rekey', level: 'toi_mat', done: 3, total: 10, extra: 'x' }),
    { type: 'work.progress', task: 'rekey', level: 'toi_mat', done: 3, total: 10 });
  for (const bad of [
    { type: 'work.progress', task: 'format-disk', level: 'mat', done: 1, total: 2 },
    { type: 'work.progress', task: 'rekey', level: 'secret', done: 1, total: 2 },
    { type: 'work.progress', task: 'rekey', level: 'mat', done: 3, total: 2 },
    { type: 'work.progress', task: 'rekey', level: 'mat', done: -1, total: 2 },
    { type: 'work.progress', task: 'rekey', level: 'mat', done: 1.5, total: 2 },
    { type: 'work.progress', task: 'rekey', level: 'mat', done: '1', total: 2 },
    { type: 'work.progress', task: 'migrate', step: 0, steps: 3, done: 0, total: 1 },
    { type: 'work.progress', task: 'migrate', step: 4, steps: 3, done: 0, total: 1 },
    { type: 'work.progress', task: 'migrate', done: 0, total: 1 },
    { type: 'work.progress', task: 'migrate', step: 1, steps: 3, done: 2, total: 1 },
  ]) assert.equal(toDeskEvent(bad), null, JSON.stringify(bad));
  // A migration step: its place among the steps, and a long step's records; no level.
  assert.deepEqual(toDeskEvent({ type: 'work.progress', task: 'migrate', step: 1, steps: 20, done: 5000, total: 20002, level: 'mat' }),
    { type: 'work.progress', task: 'migrate', step: 1, steps: 20, done: 5000, total: 20002 });
});

test('the session events keep their shapes', () => {
  assert.deepEqual(toDeskEvent({ type: 'session.locked', reason: 'removed' }), { type: 'session.locked', reason: 'removed' });
  assert.equal(toDeskEvent({ type: 'session.locked', reason: 'reboot' }), null);
  assert.deepEqual(toDeskEvent({ type: 'session.idleWarning', seconds: 30 }), { type: 'session.idleWarning', seconds: 30 });
  assert.equal(toDeskEvent({ type: 'session.idleWarning', seconds: 99999 }), null);
  assert.equal(toDeskEvent(null), null);
});
