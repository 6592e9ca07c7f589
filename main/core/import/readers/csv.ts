// CSV and TSV exported by old tools: any delimiter (detected: the one that splits the first lines
// into the same number of fields), quoted fields across lines (each row keeps the line it starts
// on), rows shorter or longer than the header (reported), legacy encodings (encodings/).
//
// Read as a stream: the bytes a chunk at a time (the encoding detected on the first 256 KiB, as for
// the whole file), decoded incrementally (encodings/stream.ts) and parsed incrementally, so that a
// large file is never held whole, nor as text, nor as parsed lines: only its rows are kept. A
// malformed file (a quote never closed, a record past MAX_RECORD_CHARS) is refused with its line.
import { once } from 'node:events';
import { parse as parseStream, type CsvError } from 'csv-parse';
import { parse } from 'csv-parse/sync';
import { DeskError } from '../../../../common/errors';
import { DETECT_BYTES, detectEncoding, type Encoding } from '../encodings';
import { StreamDecoder } from '../encodings/stream';
import type { Cell, Quirk, ReadOptions, SourceRow, SourceTable } from '../types';
import { cleanText, findHeaderRow, HEADER_SCAN, uniqueHeaders } from './header';

const DELIMITERS = [',', ';', '\t', '|'] as const;
const DELIMITER_NAMES: Record<string, string> = { ',': 'dấu phẩy', ';': 'dấu chấm phẩy', '\t': 'tab', '|': 'gạch đứng' };
/** Lines of text gathered before the delimiter is detected (it reads the first 50). */
const SAMPLE_LINES = 1000;
/**
 * A record longer than this (characters) is a quote never closed, not a register's row: refused
 * before the rest of the file piles up in one field.
 */
export const MAX_RECORD_CHARS = 4 * 1024 * 1024;

interface Parsed { record: string[]; raw: string; info: { lines: number } }

const PARSE_OPTIONS = { info: true, raw: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, bom: true } as const;

/** The delimiter whose fields are the most consistent over the first 50 lines (more fields break ties). */
export function detectDelimiter(text: string): string {
  let best: { d: string; score: number } = { d: ',', score: -1 };
  for (const d of DELIMITERS) {
    let rows: Parsed[];
    try {
      rows = parse(text, { ...PARSE_OPTIONS, delimiter: d, to_line: 50 }) as unknown as Parsed[];
    } catch {
      continue;
    }
    const counts = new Map<number, number>();
    for (const r of rows) counts.set(r.record.length, (counts.get(r.record.length) ?? 0) + 1);
    const [width, n] = [...counts.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0] ?? [1, 0];
    if (width < 2) continue;
    const score = n / rows.length + width / 1000;
    if (score > best.score) best = { d, score };
  }
  return best.d;
}

export interface CsvRead { table: SourceTable; encoding: Encoding; delimiter: string }

/** Reads a CSV given whole (a ZIP's entry, tests): the same reader, one chunk. */
export function readCsv(bytes: Uint8Array, name: string, opts: ReadOptions, quirks: Quirk[]): Promise<CsvRead> {
  return readCsvStream((async function* one() { yield bytes; })(), name, opts, quirks);
}

const breaks = (t: string) => t.match(/\r\n|\n|\r/g)?.length ?? 0;

export async function readCsvStream(chunks: AsyncIterable<Uint8Array>, name: string, opts: ReadOptions, quirks: Quirk[]): Promise<CsvRead> {
  const it = chunks[Symbol.asyncIterator]();
  // The beginning, for the encoding: as much as detectEncoding reads of a whole file (none when chosen).
  const head: Uint8Array[] = [];
  let headBytes = 0;
  let ended = false;
  while (!opts.encoding && headBytes < DETECT_BYTES) {
    const n = await it.next();
    if (n.done) { ended = true; break; }
    head.push(n.value);
    headBytes += n.value.length;
  }
  const start = Buffer.concat(head);
  let encoding: Encoding;
  if (opts.encoding) encoding = opts.encoding;
  else {
    const d = detectEncoding(start, ended ? start.length : Number.POSITIVE_INFINITY);
    encoding = d.encoding;
    if (encoding !== 'utf8') quirks.push({ code: 'encodingDetected', sheet: name, detail: encoding });
    if (d.bom) quirks.push({ code: 'bom', sheet: name, detail: encoding });
  }
  const decoder = new StreamDecoder(encoding);
  async function* texts(): AsyncGenerator<string> {
    yield decoder.write(start);
    if (!ended) for (let n = await it.next(); !n.done; n = await it.next()) yield decoder.write(n.value);
    yield decoder.end();
  }
  const text = texts();

  // The first lines, for the delimiter (fed to the parser first).
  let sample = '';
  let sampleDone = false;
  if (!opts.delimiter) {
    for (let n = await text.next(); ; n = await text.next()) {
      if (n.done) { sampleDone = true; break; }
      sample += n.value;
      if (breaks(sample) >= SAMPLE_LINES) break;
    }
  }
  const delimiter = opts.delimiter ?? detectDelimiter(sample);
  if (!opts.delimiter) quirks.push({ code: 'delimiterDetected', sheet: name, detail: DELIMITER_NAMES[delimiter] ?? delimiter });

  const parser = parseStream({ ...PARSE_OPTIONS, delimiter, max_record_size: MAX_RECORD_CHARS });
  const feeding = (async () => {
    const feed = async (t: string) => { if (t && !parser.write(t)) await once(parser, 'drain'); };
    await feed(sample);
    sample = '';
    if (!sampleDone) for await (const t of text) await feed(t);
    parser.end();
  })();
  feeding.catch((err: Error) => parser.destroy(err));

  const table = new TableBuilder(name, opts, quirks);
  // Each record taken as the parser makes it (a refusal comes after every record before it: its line is known).
  const parsed = new Promise<void>((resolve, reject) => {
    parser.on('data', (p: Parsed) => table.add(p));
    parser.once('end', resolve);
    parser.once('error', reject);
  });
  try {
    await parsed;
  } catch (err) {
    void it.return?.(undefined); // the file closed
    throw malformed(err, name, table.nextLine);
  }
  await feeding;
  return { table: table.finish(), encoding, delimiter };
}

/** A parser's refusal as the clerk reads it: the line (and column) where the bad record begins. */
function malformed(err: unknown, name: string, line: number): unknown {
  const e = err as Partial<CsvError> & { column?: number };
  if (e.code === 'CSV_QUOTE_NOT_CLOSED') {
    return DeskError.keyed('VALIDATION', 'import.source.quoteNotClosed', { name, line, column: (e.column ?? 0) + 1 }, { details: { line, column: (e.column ?? 0) + 1 } });
  }
  if (e.code === 'CSV_MAX_RECORD_SIZE') {
    return DeskError.keyed('VALIDATION', 'import.source.recordTooLarge', { name, line, column: (e.column ?? 0) + 1 }, { details: { line, column: (e.column ?? 0) + 1 } });
  }
  if (typeof e.code === 'string' && e.code.startsWith('CSV_')) {
    return DeskError.keyed('VALIDATION', 'import.source.unreadable', { name, format: 'CSV' }, { details: { line, parser: e.code } });
  }
  return err;
}

/**
 * Records into a table as they come: the first few held until the header is found (or the header
 * row given is reached), then each row kept with the line it starts on.
 */
class TableBuilder {
  /** The line the next record starts on or after (csv-parse counts a CRLF inside quotes as two lines: counted from the raw text). */
  nextLine = 1;
  private held: Array<{ start: number; inside: number; record: string[] }> | null = [];
  private headers: string[] = [];
  private readonly rows: SourceRow[] = [];

  constructor(private readonly name: string, private readonly opts: ReadOptions, private readonly quirks: Quirk[]) {}

  add(p: Parsed): void {
    // Every line break before it, including the empty lines skipped just before it.
    const start = this.nextLine + breaks(/^(?:\r\n|\n|\r)*/.exec(p.raw)![0]);
    this.nextLine += breaks(p.raw);
    const line = { start, inside: p.record.reduce((n, f) => n + breaks(f), 0), record: p.record };
    if (!this.held) return this.row(line);
    this.held.push(line);
    const decided = this.opts.headerRow !== undefined ? start >= this.opts.headerRow : this.held.length >= HEADER_SCAN;
    if (decided) this.release();
  }

  finish(): SourceTable {
    if (this.held) this.release();
    return { sheet: this.name, headers: this.headers, rows: this.rows };
  }

  private release(): void {
    const lines = this.held!;
    this.held = null;
    const h = this.opts.headerRow !== undefined ? lines.findIndex((l) => l.start >= this.opts.headerRow!) : findHeaderRow(lines.map((l) => l.record));
    const headerAt = Math.max(0, h);
    const { name, quirks } = this;
    if (headerAt > 0) quirks.push({ code: 'titleRows', sheet: name, row: lines[headerAt]?.start ?? 1, detail: String(headerAt) });
    this.headers = uniqueHeaders((lines[headerAt]?.record ?? []).map(cleanText),
      (col) => quirks.push({ code: 'emptyHeader', sheet: name, column: `Cột ${col}` }),
      (title) => quirks.push({ code: 'duplicateHeader', sheet: name, column: title }));
    for (const l of lines.slice(headerAt + 1)) this.row(l);
  }

  private row(l: { start: number; inside: number; record: string[] }): void {
    if (l.record.every((f) => f.trim() === '')) return;
    const { name, quirks, headers } = this;
    if (l.inside > 0) quirks.push({ code: 'quotedNewline', sheet: name, row: l.start });
    if (l.record.length !== headers.length) quirks.push({ code: 'raggedRow', sheet: name, row: l.start, detail: `${l.record.length}/${headers.length}` });
    const cells: Record<string, Cell> = {};
    headers.forEach((hd, i) => { cells[hd] = { text: cleanText(l.record[i] ?? '') }; });
    this.rows.push({ sheet: name, row: l.start, cells });
  }
}
