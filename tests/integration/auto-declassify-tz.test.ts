// Automatic declassification by the Vietnam calendar, whatever the machine's time zone: a record
// protected until 04/12/2026 is still protected at 23:59:59 that day in Vietnam (16:59:59 UTC) and is
// declassified from 00:00 on 05/12 in Vietnam (17:00:00 UTC on 04/12), on a machine set to UTC.
process.env.TZ = 'UTC';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Desk } from '../../main/core/desk';
import { untilNextVietnamMidnight } from '../../main/core/secrets/AutoDeclassification';
import { newDesk, registration } from '../helpers/desk';

let clock = new Date('2026-12-04T16:59:59Z');
let env: Awaited<ReturnType<typeof newDesk>>;
let desk: Desk;
let id: number;

before(async () => {
  env = await newDesk('state', undefined, { now: () => clock });
  desk = env.desk;
  id = (await desk.incoming.register(env.admin, await registration(desk, env.admin, {
    secrecy: 'mat', subject: 'Báo cáo hết hạn đúng nửa đêm', documentDate: '2026-12-01', arrivalDate: '2026-12-04', protectionUntil: '2026-12-04',
  }))).id;
});
after(() => env.cleanup());

const level = () => desk.db.prepare('SELECT secrecy FROM incoming WHERE id = ?').pluck().get(id);

test('due exactly at Vietnam midnight, on a machine in UTC', async () => {
  assert.equal(new Date('2026-12-04T12:00:00').getTimezoneOffset(), 0, 'the test runs in UTC');
  // 23:59:59 on the last day of protection in Vietnam: not due yet.
  let s = await desk.autoDeclassify.runNow();
  assert.equal(s.total, 0);
  assert.equal(level(), 'mat');
  assert.equal(desk.review.due(env.admin).find((r) => r.id === id)?.state, 'due', 'listed as a reminder on its last day');
  // The timer's next run is just after that midnight: one second later plus its margin.
  assert.equal(untilNextVietnamMidnight(clock), 2000);
  // 00:00:00 in Vietnam (still 4 December in UTC): declassified.
  clock = new Date('2026-12-04T17:00:00Z');
  s = await desk.autoDeclassify.runNow();
  assert.deepEqual([s.total, s.done], [1, 1], JSON.stringify(s));
  assert.equal(level(), 'thuong');
  const [change] = desk.levels.list(env.admin, id);
  assert.equal(change?.decidedOn, '2026-12-05', 'decided on the Vietnam date');
  assert.equal(change?.noticeDue, '2026-12-20');
  assert.match(change?.reason ?? '', /đến hết ngày 04\/12\/2026/);
});
