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
  ]) assert.equal(toDeskEvent(bad), null, JSON.stringify(bad));
});

test('the session events keep their shapes', () => {
  assert.deepEqual(toDeskEvent({ type: 'session.locked', reason: 'removed' }), { type: 'session.locked', reason: 'removed' });
  assert.equal(toDeskEvent({ type: 'session.locked', reason: 'reboot' }), null);
  assert.deepEqual(toDeskEvent({ type: 'session.idleWarning', seconds: 30 }), { type: 'session.idleWarning', seconds: 30 });
  assert.equal(toDeskEvent({ type: 'session.idleWarning', seconds: 99999 }), null);
  assert.equal(toDeskEvent(null), null);
});
