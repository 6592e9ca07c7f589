// Working days: weekends and the profile's holidays do not count (Asia/Ho_Chi_Minh calendar dates).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { calendarProblem, DEFAULT_CALENDAR, WorkDays } from '../../common/workdays';

const wd = new WorkDays(DEFAULT_CALENDAR);

test('weekends and the default holidays (Tết 2026, 30/4–1/5) are not working days', () => {
  assert.equal(wd.isWorkingDay('2026-04-29'), true);
  assert.equal(wd.isWorkingDay('2026-04-30'), false);
  assert.equal(wd.isWorkingDay('2026-05-02'), false);
  assert.equal(wd.isWorkingDay('2026-02-18'), false, 'Tết Nguyên đán');
  assert.equal(wd.isWorkingDay('2027-02-08'), false, 'Tết 2027');
});

test('the next working day skips holidays and weekends; a day off does not count as day 0', () => {
  assert.equal(wd.after('2026-04-29', 1), '2026-05-04');
  assert.equal(wd.after('2026-12-05', 1), '2026-12-07', 'received on a Saturday: Monday');
  assert.equal(wd.after('2026-12-04', 1), '2026-12-07', 'received on a Friday: Monday');
  assert.equal(wd.after('2026-12-05', 0), '2026-12-07');
  assert.equal(wd.add('2026-02-13', 1), '2026-02-23', 'Friday before Tết: the Monday after the holiday week');
  assert.equal(wd.add('2026-12-07', 10), '2026-12-21');
});

test('working days between two dates, negative when late', () => {
  assert.equal(wd.between('2026-05-18', '2026-05-19'), 1);
  assert.equal(wd.between('2026-05-21', '2026-05-19'), -2);
  assert.equal(wd.between('2026-04-29', '2026-05-04'), 1);
});

test('an edited calendar is checked', () => {
  assert.equal(calendarProblem({ weekend: [0, 6], holidays: [{ date: '2026-02-30', name: 'x' }] }), 'date');
  assert.equal(calendarProblem({ weekend: [7], holidays: [] }), 'weekend');
  assert.equal(calendarProblem({ weekend: [0], holidays: [{ date: '2026-01-01', name: 'a' }, { date: '2026-01-01', name: 'b' }] }), 'duplicate');
  assert.equal(calendarProblem(DEFAULT_CALENDAR), null);
});

test('the counted working days agree with a day-by-day count, across weekends, Tết and years', () => {
  const naive = (from: string, to: string) => {
    let n = 0;
    for (let d = new Date(`${from}T00:00:00Z`); d.toISOString().slice(0, 10) < to;) {
      d = new Date(d.getTime() + 86_400_000);
      if (wd.isWorkingDay(d.toISOString().slice(0, 10))) n++;
    }
    return n;
  };
  const start = Date.UTC(2025, 10, 1);
  for (let i = 0; i < 300; i++) {
    const a = new Date(start + ((i * 7919) % 800) * 86_400_000).toISOString().slice(0, 10);
    const b = new Date(start + ((i * 104729) % 800) * 86_400_000).toISOString().slice(0, 10);
    const expected = a <= b ? naive(a, b) : -naive(b, a);
    assert.equal(wd.between(a, b), expected, `${a} → ${b}`);
  }
});
