// A legacy source file read into tables: the format told by its first bytes (a zip is XLSX, a
// dBase header is DBF, anything else is text), the memo file found beside a DBF. Read from chunks:
// a CSV is parsed as it streams in (readers/csv.ts).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { Quirk, QuirkCode, ReadOptions, ReadSource, SourceFormat } from '../types';
import { DeskError } from '../../../../common/errors';
import { readCsvStream } from './csv';
import { dbfHeader, readDbf } from './dbf';

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

/** A source's bytes as they come (a file, a staged upload being decrypted), with what has been read. */
export interface ReadControl {
  /** Bytes read so far (after each chunk). */
  onBytes?: (read: number) => void;
}

/** A DBF's memo file, when the format turns out to be DBF (it is looked for then). */
type MemoLoader = () => Promise<{ kind: 'dbt' | 'fpt'; bytes: Uint8Array } | undefined>;

/**
 * Reads a source from its chunks: a CSV as a stream (never held whole); an XLSX or a DBF, which
 * must be seen whole, gathered first. A format's refusal names the file (import.source.unreadable).
 */
export async function readSourceStream(chunks: AsyncIterable<Uint8Array>, name: string, opts: ReadOptions = {}, ctl: ReadControl = {}, memo?: MemoLoader): Promise<ReadSource> {
  const hash = createHash('sha256');
  let read = 0;
  const it = chunks[Symbol.asyncIterator]();
  const first = await it.next();
  const head = first.done ? new Uint8Array(0) : first.value;
  async function* tapped(): AsyncGenerator<Uint8Array> {
    let n: IteratorResult<Uint8Array> = first;
    for (; !n.done; n = await it.next()) {
      hash.update(n.value);
      read += n.value.length;
      ctl.onBytes?.(read);
      yield n.value;
    }
  }
  const quirks: Quirk[] = [];
  const format = sniffFormat(head);
  if (format === 'csv') {
    const { table, encoding, delimiter } = await readCsvStream(tapped(), name, opts, quirks);
    return { format, name, sha256: hash.digest('hex'), encoding, delimiter, tables: [table], quirks: summarise(quirks) };
  }
  const parts: Uint8Array[] = [];
  for await (const c of tapped()) parts.push(c);
  const bytes = Buffer.concat(parts);
  parts.length = 0;
  const sha256 = hash.digest('hex');
  // exceljs is loaded for a workbook only (a second of a worker's start-up otherwise, for every CSV).
  const xlsx = format === 'xlsx' ? await import('./xlsx') : null;
  try {
    if (xlsx) {
      const tables = await xlsx.readXlsx(bytes, opts, quirks);
      return { format, name, sha256, tables, quirks: summarise(quirks) };
    }
    const { table, encoding } = readDbf({ dbf: bytes, memo: await memo?.() }, name, opts, quirks);
    return { format, name, sha256, encoding, tables: [table], quirks: summarise(quirks) };
  } catch (err) {
    if (err instanceof DeskError) throw err;
    throw DeskError.keyed('VALIDATION', 'import.source.unreadable', { name, format: format.toUpperCase() }, { details: { reason: String((err as Error).message ?? err).slice(0, 200) } });
  }
}

/** Reads a source given whole (a ZIP's entry, tests). */
export function readSourceBytes(
  bytes: Uint8Array, name: string, opts: ReadOptions = {}, memo?: { kind: 'dbt' | 'fpt'; bytes: Uint8Array },
): Promise<ReadSource> {
  return readSourceStream((async function* one() { yield bytes; })(), name, opts, {}, async () => memo);
}

/** Chunks of a file read from disk (64 KiB each). */
async function* fileChunks(path: string): AsyncGenerator<Uint8Array> {
  for await (const c of createReadStream(path, { highWaterMark: 64 * 1024 })) yield c as Buffer;
}

/** Reads a file as a stream; a DBF's memo is the .dbt or .fpt of the same name beside it (any case). */
export async function readSource(path: string, opts: ReadOptions = {}, ctl: ReadControl = {}): Promise<ReadSource> {
  return readSourceStream(fileChunks(path), basename(path), opts, ctl, async () => {
    const stem = basename(path, extname(path)).toLowerCase();
    const beside = await readdir(dirname(path));
    const file = beside.find((f) => ['.dbt', '.fpt'].includes(extname(f).toLowerCase()) && basename(f, extname(f)).toLowerCase() === stem);
    return file ? { kind: extname(file).toLowerCase() === '.fpt' ? 'fpt' : 'dbt', bytes: await readFile(join(dirname(path), file)) } : undefined;
  });
}
