import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addDaysIso, formatDateVn, isValidIsoDate, parseDateVn } from '../../common/dates';

test('shows dd/mm/yyyy and stores ISO', () => {
  assert.equal(formatDateVn('2026-03-05'), '05/03/2026');
  assert.equal(formatDateVn('2026-03-05T08:30:00.000Z'), '05/03/2026');
  assert.equal(parseDateVn('5/3/2026'), '2026-03-05');
  assert.equal(parseDateVn('31/02/2026'), null);
  assert.equal(parseDateVn('2026-03-05'), null);
  assert.equal(isValidIsoDate('2028-02-29'), true);
  assert.equal(isValidIsoDate('2026-02-29'), false);
  assert.equal(addDaysIso('2026-12-30', 3), '2027-01-02');
});
