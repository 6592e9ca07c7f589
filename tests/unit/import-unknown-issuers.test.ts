// The preview's scan for issuers the directory does not know: one pass, each distinct text folded
// once. Checked against a per-row reference on a register of 60 000 rows (codes, names written
// other ways, abbreviations, the clerk's choices, transforms, the default). Its speed is measured by
// tests/bench/unknownIssuers.ts, not here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { issuerKey } from '../../main/core/documents/duplicates';
import { parseMapping } from '../../main/core/import/mapping';
import { UnitMatcher, type UnitDirectory, type UnitRef } from '../../main/core/import/normalise/units';
import type { SourceRow } from '../../main/core/import/types';
import { unknownIssuers } from '../../main/core/import/unknownIssuers';

function directory(n: number): UnitDirectory {
  const byCode = new Map<string, UnitRef>();
  const byName = new Map<string, UnitRef>();
  for (let i = 1; i <= n; i++) {
    const u: UnitRef = { id: i, name: `Ủy ban nhân dân xã Số ${i}`, code: `000.${String(i).padStart(2, '0')}.H${String(i % 100).padStart(2, '0')}` };
    byCode.set(u.code!, u);
    byName.set(issuerKey(u.name), u);
  }
  return { byCode, byName };
}

/** Issuer texts as registers write them: a known name in another spelling, a code, an unknown body, a mapped one. */
function issuerText(i: number): string {
  const k = i % 400;
  if (k < 100) return `UBND xã số ${k + 1}`;
  if (k < 150) return `000.${String(k + 1).padStart(2, '0')}.H${String((k + 1) % 100).padStart(2, '0')}`;
  if (k < 160) return `  Bộ Quốc phòng ${k}  `;
  if (k < 170) return '';
  return `Công ty TNHH Số ${k}`;
}

function rows(n: number): SourceRow[] {
  return Array.from({ length: n }, (_, i) => ({ sheet: 'S', row: i + 2, cells: { 'Nơi gửi': { text: issuerText(i) }, 'Trích yếu': { text: `Việc ${i}` } } }));
}

const mapping = parseMapping({
  version: 1,
  columns: [{ source: 'Nơi gửi', field: 'issuer', transforms: [] }, { source: 'Trích yếu', field: 'subject' }],
  units: { 'Bộ Quốc phòng 150': 7, 'bo quoc phong 151': 8 },
  defaults: { issuer: 'Văn phòng cũ' },
});

/** The per-row reference: each row folded and matched on its own (what the preview did before). */
function reference(dir: UnitDirectory, rs: SourceRow[]): Array<{ name: string; rows: number }> {
  const mapped = new Map(Object.entries(mapping.units).map(([name, id]) => [issuerKey(name), id]));
  const counts = new Map<string, number>();
  for (const r of rs) {
    const text = (r.cells['Nơi gửi']?.text ?? '').trim() || mapping.defaults.issuer || '';
    if (text && new UnitMatcher(dir, mapped).match(text).kind === 'unknown') counts.set(text, (counts.get(text) ?? 0) + 1);
  }
  return [...counts].map(([name, n]) => ({ name, rows: n }));
}

test('unknown issuers: the same list as row by row, the clerk\'s choices and codes known, the default counted', () => {
  const dir = directory(2000);
  const rs = rows(4000);
  const got = unknownIssuers(dir, rs, mapping);
  assert.deepEqual(got, reference(dir, rs));
  const names = new Set(got.map((u) => u.name));
  assert.ok(!names.has('UBND xã số 1'), 'an abbreviation of a known name is known');
  assert.ok(!names.has('000.01.H01'), 'a known code is known');
  assert.ok(!names.has('Bộ Quốc phòng 150') && !names.has('Bộ Quốc phòng 151'), 'the clerk\'s choices are known, however written');
  assert.ok(names.has('Bộ Quốc phòng 152'));
  assert.equal(got.find((u) => u.name === 'Văn phòng cũ')?.rows, 100, 'empty cells take the default');
  assert.equal(got.find((u) => u.name === 'Công ty TNHH Số 170')?.rows, 10);
});

test('unknown issuers: a choice naming a unit id the directory lacks leaves the name unknown', () => {
  const dir = directory(10);
  const m = parseMapping({ ...mapping, units: { 'Bộ Quốc phòng 150': 99_999 } });
  const got = unknownIssuers(dir, rows(400), m);
  assert.ok(got.some((u) => u.name === 'Bộ Quốc phòng 150'));
});

test('unknown issuers: 60 000 rows counted exactly', () => {
  const dir = directory(2000);
  const got = unknownIssuers(dir, rows(60_000), mapping);
  // Of every 400 rows: 230 companies, 8 unmapped ministries, 10 empty (the default) are unknown.
  assert.equal(got.reduce((n, u) => n + u.rows, 0), (60_000 / 400) * 248);
});
