import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDatabase } from '../../main/core/db/connection';
import { createScope, periodOf, takeNumber } from '../../main/core/documents/numbering';
import { tempDir } from '../helpers/desk';
import { join } from 'node:path';

test('periods: yearly, per party term, never', () => {
  assert.equal(periodOf({ reset: 'year', term_start: null, term_years: 5 }, '2026-01-01'), '2026');
  const term = { reset: 'term' as const, term_start: '2020-10-15', term_years: 5 };
  assert.equal(periodOf(term, '2025-10-14'), 'term:2020-10-15');
  assert.equal(periodOf(term, '2025-10-15'), 'term:2025-10-15');
  assert.equal(periodOf(term, '2031-01-01'), 'term:2030-10-15');
  assert.equal(periodOf(term, '2016-01-01'), 'term:2015-10-15');
  assert.equal(periodOf({ reset: 'never', term_start: null, term_years: 5 }, '2026-05-05'), 'all');
});

test('sequences: reset every year, per type when the scope says so, rolled back with the record', () => {
  const t = tempDir();
  const { db } = openDatabase(join(t.dir, 'n.db'));
  try {
    const yearly = createScope(db, { name: 'yearly', reset: 'year', perType: false });
    const party = createScope(db, { name: 'party', reset: 'term', perType: true, termStart: '2025-10-01' });
    const take = (scope: number, date: string, type: string) => db.transaction(() => takeNumber(db, scope, date, type).number)();
    assert.equal(take(yearly, '2026-12-31', 'QĐ'), 1);
    assert.equal(take(yearly, '2026-12-31', 'CV'), 2);
    assert.equal(take(yearly, '2027-01-01', 'QĐ'), 1, 'resets on 1 January');
    assert.equal(take(party, '2026-03-01', 'QĐ'), 1);
    assert.equal(take(party, '2026-03-01', 'KH'), 1, 'one sequence per type');
    assert.equal(take(party, '2027-02-01', 'QĐ'), 2, 'party sequences run through the term');
    assert.equal(take(party, '2030-10-01', 'QĐ'), 1, 'and reset with a new term');
    // A failed record rolls the counter back: the number is not consumed.
    assert.throws(() => db.transaction(() => { takeNumber(db, yearly, '2026-06-01', 'QĐ'); throw new Error('insert failed'); })());
    assert.equal(take(yearly, '2026-06-01', 'QĐ'), 3);
    assert.throws(() => takeNumber(db, yearly, '2026-06-01', 'QĐ'), /inside the record transaction/);
  } finally {
    db.close();
    t.cleanup();
  }
});
