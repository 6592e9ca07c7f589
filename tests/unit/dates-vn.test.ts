// Dates in Vietnam whatever the machine's time zone, and one parser for every way a date is typed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDateTimeVn, formatDateVn, parseDateInput, todayIso } from '../../common/dates';

for (const tz of ['UTC', 'America/Los_Angeles', 'Asia/Ho_Chi_Minh']) {
  test(`calendar dates and times are Vietnam's with TZ=${tz}`, () => {
    const saved = process.env.TZ;
    process.env.TZ = tz;
    try {
      const newYear = new Date('2026-12-31T23:30:00Z'); // 06:30 on 1 January 2027 in Hà Nội
      assert.equal(todayIso(newYear), '2027-01-01');
      assert.equal(formatDateTimeVn(newYear), '01/01/2027 06:30');
      assert.equal(formatDateTimeVn('2026-12-31T23:30:00.000Z'), '01/01/2027 06:30');
      assert.equal(formatDateVn('2026-12-31T23:30:00.000Z'), '01/01/2027', 'an instant is shown as its date in Vietnam');
      assert.equal(formatDateVn('2026-12-31'), '31/12/2026', 'a calendar date stays as it is');
      assert.equal(todayIso(new Date('2026-06-30T16:59:59Z')), '2026-06-30');
      assert.equal(todayIso(new Date('2026-06-30T17:00:00Z')), '2026-07-01');
      assert.equal(formatDateTimeVn(new Date('2026-06-30T17:05:00Z')), '01/07/2026 00:05');
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });
}

test('one parser for the form and the command line', () => {
  for (const [text, iso] of [
    ['05/03/2026', '2026-03-05'], ['5/3/2026', '2026-03-05'], ['2026-03-05', '2026-03-05'], [' 05.03.2026 ', '2026-03-05'],
    ['5-3-2026', '2026-03-05'], ['05032026', '2026-03-05'], ['29/2/2028', '2028-02-29'],
  ] as const) assert.equal(parseDateInput(text), iso, text);
  for (const text of ['31/02/2026', '2026-02-30', '2026/03/05', '03/2026', 'hôm nay', '', '5/3/26']) assert.equal(parseDateInput(text), null, text);
});
