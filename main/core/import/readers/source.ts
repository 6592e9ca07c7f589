// A legacy source file read into tables: the format told by its first bytes (a zip is XLSX, a
// dBase header is DBF, anything else is text), the memo file found beside a DBF.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { Quirk, QuirkCode, ReadOptions, ReadSource, SourceFormat } from '../types';
import { readCsv } from './csv';
import { dbfHeader, readDbf } from './dbf';
import { readXlsx } from './xlsx';

export function sniffFormat(bytes: Uint8Array): SourceFormat {
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return 'xlsx';
  if ([0x03, 0x83, 0xf5, 0x30, 0x31, 0x8b].includes(bytes[0]!) && bytes.length >= 33) {
    try {
      dbfHeader(Buffer.from(bytes));
      return 'dbf';
    } catch { /* text that happens to start with such a byte */ }
  }
  return 'csv';
}

/** Quirks found in every cell of a column are reported once per column: where it starts, how many. */
const PER_COLUMN: ReadonlySet<QuirkCode> = new Set(['dateCell', 'mergedCells']);

export function summarise(quirks: readonly Quirk[]): Quirk[] {
  const out: Quirk[] = [];
  const seen = new Map<string, { q: Quirk; n: number }>();
  for (const q of quirks) {
    if (!PER_COLUMN.has(q.code)) { out.push(q); continue; }
    const k = `${q.code}\u0000${q.sheet ?? ''}\u0000${q.column ?? ''}`;
    const s = seen.get(k);
    if (s) { s.n++; continue; }
    const entry = { q: { ...q }, n: 1 };
    seen.set(k, entry);
    out.push(entry.q);
  }
  for (const { q, n } of seen.values()) q.detail = String(n);
  return out;
}

export async function readSourceBytes(
  bytes: Uint8Array, name: string, opts: ReadOptions = {}, memo?: { kind: 'dbt' | 'fpt'; bytes: Uint8Array },
): Promise<ReadSource> {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const quirks: Quirk[] = [];
  const format = sniffFormat(bytes);
  if (format === 'xlsx') {
    const tables = await readXlsx(bytes, opts, quirks);
    return { format, name, sha256, tables, quirks: summarise(quirks) };
  }
  if (format === 'dbf') {
    const { table, encoding } = readDbf({ dbf: bytes, memo }, name, opts, quirks);
    return { format, name, sha256, encoding, tables: [table], quirks: summarise(quirks) };
  }
  const { table, encoding } = readCsv(bytes, name, opts, quirks);
  return { format, name, sha256, encoding, tables: [table], quirks: summarise(quirks) };
}

/** Reads a file; a DBF's memo is the .dbt or .fpt of the same name beside it (any case). */
export async function readSource(path: string, opts: ReadOptions = {}): Promise<ReadSource & { bytes: Buffer }> {
  const bytes = await readFile(path);
  let memo: { kind: 'dbt' | 'fpt'; bytes: Uint8Array } | undefined;
  if (sniffFormat(bytes) === 'dbf') {
    const stem = basename(path, extname(path)).toLowerCase();
    const beside = await readdir(dirname(path));
    const file = beside.find((f) => ['.dbt', '.fpt'].includes(extname(f).toLowerCase()) && basename(f, extname(f)).toLowerCase() === stem);
    if (file) memo = { kind: extname(file).toLowerCase() === '.fpt' ? 'fpt' : 'dbt', bytes: await readFile(join(dirname(path), file)) };
  }
  return { ...(await readSourceBytes(bytes, basename(path), opts, memo)), bytes };
}
