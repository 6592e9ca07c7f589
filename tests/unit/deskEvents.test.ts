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

test('the encryption and the split cross with their step, counts and unit; a step without figures has no unit', () => {
  // A database of several GB counted in bytes (beyond the record counts' bound).
  assert.deepEqual(toDeskEvent({ type: 'work.progress', task: 'encrypt', step: 2, steps: 4, done: 3_000_000_000, total: 5_000_000_000, unit: 'bytes', level: 'mat' }),
    { type: 'work.progress', task: 'encrypt', step: 2, steps: 4, done: 3_000_000_000, total: 5_000_000_000, unit: 'bytes' });
  assert.deepEqual(toDeskEvent({ type: 'work.progress', task: 'split', step: 1, steps: 3, done: 2000, total: 40002, unit: 'records' }),
    { type: 'work.progress', task: 'split', step: 1, steps: 3, done: 2000, total: 40002, unit: 'records' });
  assert.deepEqual(toDeskEvent({ type: 'work.progress', task: 'split', step: 3, steps: 3, done: 0, total: 1 }),
    { type: 'work.progress', task: 'split', step: 3, steps: 3, done: 0, total: 1 });
  for (const bad of [
    { type: 'work.progress', task: 'split', step: 1, steps: 3, done: 1, total: 2, unit: 'pages' },
    { type: 'work.progress', task: 'split', step: 1, steps: 3, done: 1, total: 2, unit: 7 },
    { type: 'work.progress', task: 'encrypt', step: 5, steps: 4, done: 0, total: 1 },
    { type: 'work.progress', task: 'encrypt', done: 0, total: 1, unit: 'bytes' },
    { type: 'work.progress', task: 'encrypt', step: 2, steps: 4, done: 5, total: 4, unit: 'bytes' },
    // Record counts keep their bound; bytes past 10 TB are not a profile's.
    { type: 'work.progress', task: 'split', step: 1, steps: 3, done: 1, total: 2e9, unit: 'records' },
    { type: 'work.progress', task: 'encrypt', step: 1, steps: 4, done: 1, total: 2e13, unit: 'bytes' },
    { type: 'work.progress', task: 'encrypt', step: 1, steps: 4, done: 1, total: 2 ** 60, unit: 'bytes' },
  ]) assert.equal(toDeskEvent(bad), null, JSON.stringify(bad));
});

test('the session events keep their shapes', () => {
  assert.deepEqual(toDeskEvent({ type: 'session.locked', reason: 'removed' }), { type: 'session.locked', reason: 'removed' });
  assert.equal(toDeskEvent({ type: 'session.locked', reason: 'reboot' }), null);
  assert.deepEqual(toDeskEvent({ type: 'session.idleWarning', seconds: 30 }), { type: 'session.idleWarning', seconds: 30 });
  assert.equal(toDeskEvent({ type: 'session.idleWarning', seconds: 99999 }), null);
  assert.equal(toDeskEvent(null), null);
});
