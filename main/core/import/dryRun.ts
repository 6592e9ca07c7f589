// The dry run: every row of the source checked as the job would check it, nothing written. The
// report lists the source's quirks, each row's status with its reasons, and the issuers to map.
//
// Checking a row reads the profile (duplicates) on the thread that owns the database, so a large
// source is checked in slices of about sliceMs of work, the event loop given back between them:
// other calls of the window are served meanwhile, progress is reported after each slice, and a
// cancel stops it at the next slice (no report then).
import { setImmediate as nextTurn } from 'node:timers/promises';
import { QUIRK_TEXT } from './reasons';
import type { Mapping } from './mapping';
import type { Quirk, ReadSource, SourceRow } from './types';
import { RowValidator, type RowResult, type RowStatus, type UnknownUnitRows, type ValidatorContext } from './validate';

export interface ValidationReport {
  source: { name: string; format: string; sha256: string; encoding?: string };
  quirks: Array<Quirk & { text: string }>;
  /** Columns of the mapping a sheet does not have. */
  missingColumns: Array<{ sheet: string; column: string }>;
  rows: RowResult[];
  counts: Record<RowStatus, number>;
  /** Issuers not in the directory: rows naming each (`rows`: the first UNKNOWN_UNIT_ROWS_KEPT of them). */
  unknownUnits: Array<{ name: string } & UnknownUnitRows>;
}

export interface DryRunProgress {
  total: number;
  /** Rows checked so far. */
  checked: number;
  /** Statuses of the rows checked so far. */
  counts: Record<RowStatus, number>;
  /** Rows per second; seconds left at that rate (null until there is a rate). */
  rate: number;
  secondsLeft: number | null;
  elapsedSeconds: number;
}

export interface DryRunOptions {
  /** Cancel: the check stops at the next slice and no report is made. */
  signal?: AbortSignal;
  /** After each slice (and once before the first). */
  onProgress?: (p: DryRunProgress) => void;
  /** Milliseconds of checking before the event loop is given back (default 10; Infinity: never). */
  sliceMs?: number;
  /** While the source is read (on a worker), before any row is checked: bytes of its plaintext read, of the total. */
  onRead?: (p: { read: number; total: number }) => void;
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

export const emptyCounts = (): Record<RowStatus, number> => ({ ok: 0, warning: 0, duplicate: 0, rejected: 0 });

/** Every row checked in one go (the CLI's dry run): the report. */
export async function dryRun(ctx: ValidatorContext, source: ReadSource, mapping: Mapping): Promise<ValidationReport> {
  return (await dryRunInSlices(ctx, source, mapping, { sliceMs: Infinity }))!;
}

/** Every row checked a slice at a time; null when cancelled. */
export async function dryRunInSlices(ctx: ValidatorContext, source: ReadSource, mapping: Mapping, opts: DryRunOptions = {}): Promise<ValidationReport | null> {
  const validator = new RowValidator(ctx, mapping);
  const missingColumns: ValidationReport['missingColumns'] = [];
  const all = mappedRows(source, mapping, missingColumns);
  const rows: RowResult[] = [];
  const counts = emptyCounts();
  const sliceMs = opts.sliceMs ?? 10;
  const started = performance.now();
  const report = () => {
    const elapsed = (performance.now() - started) / 1000;
    const rate = elapsed > 0 && rows.length > 0 ? rows.length / elapsed : 0;
    opts.onProgress?.({
      total: all.length, checked: rows.length, counts: { ...counts }, rate, secondsLeft: rate > 0 ? (all.length - rows.length) / rate : null, elapsedSeconds: elapsed,
    });
  };
  report();
  let sliceStart = performance.now();
  for (const row of all) {
    if (performance.now() - sliceStart >= sliceMs) {
      report();
      await nextTurn();
      if (opts.signal?.aborted) return null;
      sliceStart = performance.now();
    }
    const r = await validator.check(row);
    rows.push(r);
    counts[r.status]++;
  }
  if (opts.signal?.aborted) return null;
  report();
  return {
    source: { name: source.name, format: source.format, sha256: source.sha256, ...(source.encoding ? { encoding: source.encoding } : {}) },
    quirks: source.quirks.map((q) => ({ ...q, text: QUIRK_TEXT[q.code] })),
    missingColumns,
    rows,
    counts,
    unknownUnits: [...validator.unknownUnits.entries()].map(([name, u]) => ({ name, count: u.count, rows: u.rows })),
  };
}
