// CSV and TSV exported by old tools: any delimiter (detected: the one that splits the first lines
// into the same number of fields), quoted fields across lines (each row keeps the line it starts
// on), rows shorter or longer than the header (reported), legacy encodings (encodings/).
import { parse } from 'csv-parse/sync';
import { decodeText } from '../encodings';
import type { Cell, Quirk, ReadOptions, SourceRow, SourceTable } from '../types';
import { cleanText, findHeaderRow, uniqueHeaders } from './header';

const DELIMITERS = [',', ';', '\t', '|'] as const;
const DELIMITER_NAMES: Record<string, string> = { ',': 'dấu phẩy', ';': 'dấu chấm phẩy', '\t': 'tab', '|': 'gạch đứng' };

interface Parsed { record: string[]; raw: string; info: { lines: number } }

function parseAll(text: string, delimiter: string, toLine?: number): Parsed[] {
  return parse(text, {
    delimiter, info: true, raw: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, bom: true,
    ...(toLine ? { to_line: toLine } : {}),
  }) as unknown as Parsed[];
}

/** The delimiter whose fields are the most consistent over the first 50 lines (more fields break ties). */
export function detectDelimiter(text: string): string {
  let best: { d: string; score: number } = { d: ',', score: -1 };
  for (const d of DELIMITERS) {
    let rows: Parsed[];
    try {
      rows = parseAll(text, d, 50);
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

export function readCsv(bytes: Uint8Array, name: string, opts: ReadOptions, quirks: Quirk[]): { table: SourceTable; encoding: ReturnType<typeof decodeText>['encoding'] } {
  const decoded = decodeText(bytes, opts.encoding);
  if (decoded.detected && decoded.encoding !== 'utf8') quirks.push({ code: 'encodingDetected', sheet: name, detail: decoded.encoding });
  if (decoded.bom) quirks.push({ code: 'bom', sheet: name, detail: decoded.encoding });
  const delimiter = opts.delimiter ?? detectDelimiter(decoded.text);
  if (!opts.delimiter) quirks.push({ code: 'delimiterDetected', sheet: name, detail: DELIMITER_NAMES[delimiter] ?? delimiter });
  const parsed = parseAll(decoded.text, delimiter);
  // The line a record starts on, counted from the raw text (csv-parse counts a CRLF inside quotes as
  // two lines): every line break before it, including the empty lines skipped just before it.
  const breaks = (t: string) => t.match(/\r\n|\n|\r/g)?.length ?? 0;
  let cursor = 1;
  const lines = parsed.map((p) => {
    const start = cursor + breaks(/^(?:\r\n|\n|\r)*/.exec(p.raw)![0]);
    cursor += breaks(p.raw);
    const inside = p.record.reduce((n, f) => n + breaks(f), 0);
    return { start, inside, record: p.record };
  });
  const h = opts.headerRow !== undefined ? lines.findIndex((l) => l.start >= opts.headerRow!) : findHeaderRow(lines.map((l) => l.record));
  const headerAt = Math.max(0, h);
  if (headerAt > 0) quirks.push({ code: 'titleRows', sheet: name, row: lines[headerAt]?.start ?? 1, detail: String(headerAt) });
  const headers = uniqueHeaders((lines[headerAt]?.record ?? []).map(cleanText),
    (col) => quirks.push({ code: 'emptyHeader', sheet: name, column: `Cột ${col}` }),
    (title) => quirks.push({ code: 'duplicateHeader', sheet: name, column: title }));
  const rows: SourceRow[] = [];
  for (const l of lines.slice(headerAt + 1)) {
    if (l.record.every((f) => f.trim() === '')) continue;
    if (l.inside > 0) quirks.push({ code: 'quotedNewline', sheet: name, row: l.start });
    if (l.record.length !== headers.length) quirks.push({ code: 'raggedRow', sheet: name, row: l.start, detail: `${l.record.length}/${headers.length}` });
    const cells: Record<string, Cell> = {};
    headers.forEach((hd, i) => { cells[hd] = { text: cleanText(l.record[i] ?? '') }; });
    rows.push({ sheet: name, row: l.start, cells });
  }
  return { table: { sheet: name, headers, rows }, encoding: decoded.encoding };
}
