// The preview's unknown-issuer scan, main's per-row code (db7f9bd, copied here) against unknownIssuers.ts, alternated:
// `node --import tsx tests/bench/unknownIssuers.ts` (MAPPED=1: with a clerk's choice, which main looked up in a list).
import { issuerKey } from '../../main/core/documents/duplicates';
import { checkIdentifierCode } from '../../common/identifierCode';
import { applyTransforms, parseMapping, type Mapping } from '../../main/core/import/mapping';
import type { UnitDirectory, UnitRef } from '../../main/core/import/normalise/units';
import type { SourceRow } from '../../main/core/import/types';
import { unknownIssuers } from '../../main/core/import/unknownIssuers';
// main's code (db7f9bd), copied: matchUnit + the preview's per-row loop.
function matchUnitOld(dir: UnitDirectory, text: string, mapped: ReadonlyMap<string, number>) {
  const t = text.trim(); const code = checkIdentifierCode(t);
  if (code.ok) { const u = dir.byCode.get(code.code!); if (u) return { kind: 'code' }; }
  const k = issuerKey(t); if (dir.byName.get(k)) return { kind: 'name' };
  const id = mapped.get(k);
  if (id !== undefined) { const u = [...dir.byName.values(), ...dir.byCode.values()].find((x) => x.id === id); if (u) return { kind: 'mapped' }; }
  return { kind: 'unknown' };
}
function old(dir: UnitDirectory, rows: readonly SourceRow[], mapping: Mapping) {
  const mapped = new Map(Object.entries(mapping.units).map(([name, id]) => [issuerKey(name), id]));
  const cols = mapping.columns.filter((col) => col.field === 'issuer');
  const counts = new Map<string, number>();
  for (const row of rows) {
    const text = cols.map((col) => row.cells[col.source] ? applyTransforms(row.cells[col.source]!.text, col.transforms) : '').filter(Boolean).join(' ') || mapping.defaults.issuer || '';
    if (!text) continue;
    if (matchUnitOld(dir, text, mapped).kind === 'unknown') counts.set(text, (counts.get(text) ?? 0) + 1);
  }
  return [...counts].map(([name, n]) => ({ name, rows: n }));
}
const byCode = new Map<string, UnitRef>(); const byName = new Map<string, UnitRef>();
for (let i = 1; i <= 2000; i++) { const u = { id: i, name: `Ủy ban nhân dân xã Số ${i}`, code: `000.${String(i).padStart(2, '0')}.H${String(i % 100).padStart(2, '0')}` }; byCode.set(u.code, u); byName.set(issuerKey(u.name), u); }
const dir = { byCode, byName };
const txt = (i: number) => { const k = i % 400; if (k < 100) return `UBND xã số ${k + 1}`; if (k < 150) return `000.${String(k + 1).padStart(2, '0')}.H${String((k + 1) % 100).padStart(2, '0')}`; if (k < 160) return `Bộ Quốc phòng ${k}`; if (k < 170) return ''; return `Công ty TNHH Số ${k}`; };
const rows: SourceRow[] = Array.from({ length: 60_000 }, (_, i) => ({ sheet: 'S', row: i + 2, cells: { 'Nơi gửi': { text: txt(i) } } }));
const mapping = parseMapping({ version: 1, columns: [{ source: 'Nơi gửi', field: 'issuer', transforms: [] }], units: process.env.MAPPED ? { 'Bộ Quốc phòng 150': 7 } : {}, defaults: { issuer: 'Văn phòng cũ' } });
for (let round = 0; round < 4; round++) for (const [name, f] of [['main', old], ['new', unknownIssuers]] as const) {
  const c0 = process.cpuUsage(); const t0 = performance.now(); f(dir, rows, mapping); const ms = performance.now() - t0; const c = process.cpuUsage(c0);
  console.log(`${name} wall ${ms.toFixed(1)} ms cpu ${((c.user + c.system) / 1000).toFixed(1)} ms`);
}
