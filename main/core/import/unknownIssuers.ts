// The issuers of a source that the directory does not know, for the mapping screen: every row's
// issuer text (its columns transformed and joined, or the mapping's default) matched once per
// distinct text, in one pass over the rows. A register names a few hundred bodies over tens of
// thousands of rows, so the rows cost a Map lookup each; folding is done per distinct cell text.
import { issuerKey } from '../documents/duplicates';
import { applyTransforms, type Mapping } from './mapping';
import { UnitMatcher, type UnitDirectory } from './normalise/units';
import type { SourceRow } from './types';

export interface UnknownIssuer { name: string; rows: number }

/** Issuers of every row that match neither a code nor a name of the directory (nor a choice already made), in order of first appearance. */
export function unknownIssuers(dir: UnitDirectory, rows: readonly SourceRow[], mapping: Mapping): UnknownIssuer[] {
  const matcher = new UnitMatcher(dir, new Map(Object.entries(mapping.units).map(([name, id]) => [issuerKey(name), id])));
  const cols = mapping.columns.filter((col) => col.field === 'issuer');
  const fallback = mapping.defaults.issuer || '';
  // Raw cell text(s) -> the issuer text when unknown, '' when known or empty: one lookup per row.
  const verdict = new Map<string, string>();
  const counts = new Map<string, number>();
  for (const row of rows) {
    const raw = cols.length === 1 ? (row.cells[cols[0]!.source]?.text ?? '') : cols.map((col) => row.cells[col.source]?.text ?? '').join('\u0000');
    let unknown = verdict.get(raw);
    if (unknown === undefined) {
      const text = cols.map((col) => row.cells[col.source] ? applyTransforms(row.cells[col.source]!.text, col.transforms) : '').filter(Boolean).join(' ') || fallback;
      unknown = text && matcher.match(text).kind === 'unknown' ? text : '';
      verdict.set(raw, unknown);
    }
    if (unknown) counts.set(unknown, (counts.get(unknown) ?? 0) + 1);
  }
  return [...counts].map(([name, n]) => ({ name, rows: n }));
}
