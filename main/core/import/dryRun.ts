// The dry run: every row of the source checked as the job would check it, nothing written. The
// report lists the source's quirks, each row's status with its reasons, and the issuers to map.
import { QUIRK_TEXT } from './reasons';
import type { Mapping } from './mapping';
import type { Quirk, ReadSource, SourceRow } from './types';
import { RowValidator, type RowResult, type RowStatus, type ValidatorContext } from './validate';

export interface ValidationReport {
  source: { name: string; format: string; sha256: string; encoding?: string };
  quirks: Array<Quirk & { text: string }>;
  /** Columns of the mapping a sheet does not have. */
  missingColumns: Array<{ sheet: string; column: string }>;
  rows: RowResult[];
  counts: Record<RowStatus, number>;
  unknownUnits: Array<{ name: string; rows: Array<{ sheet: string; row: number }> }>;
}

/** The rows the mapping reads: the sheets it names (all by default) that have at least one mapped column. */
export function mappedRows(source: ReadSource, mapping: Mapping, missing: Array<{ sheet: string; column: string }> = []): SourceRow[] {
  const wanted = mapping.sheets ? new Set(mapping.sheets) : null;
  const out: SourceRow[] = [];
  for (const t of source.tables) {
    if (wanted && !wanted.has(t.sheet)) continue;
    const have = mapping.columns.filter((c) => t.headers.includes(c.source));
    if (have.length === 0) continue;
    for (const c of mapping.columns) if (!t.headers.includes(c.source)) missing.push({ sheet: t.sheet, column: c.source });
    out.push(...t.rows);
  }
  return out;
}

export async function dryRun(ctx: ValidatorContext, source: ReadSource, mapping: Mapping): Promise<ValidationReport> {
  const validator = new RowValidator(ctx, mapping);
  const missingColumns: ValidationReport['missingColumns'] = [];
  const rows: RowResult[] = [];
  for (const row of mappedRows(source, mapping, missingColumns)) rows.push(await validator.check(row));
  const counts: Record<RowStatus, number> = { ok: 0, warning: 0, duplicate: 0, rejected: 0 };
  for (const r of rows) counts[r.status]++;
  return {
    source: { name: source.name, format: source.format, sha256: source.sha256, ...(source.encoding ? { encoding: source.encoding } : {}) },
    quirks: source.quirks.map((q) => ({ ...q, text: QUIRK_TEXT[q.code] })),
    missingColumns,
    rows,
    counts,
    unknownUnits: [...validator.unknownUnits.entries()].map(([name, at]) => ({ name, rows: at })),
  };
}
