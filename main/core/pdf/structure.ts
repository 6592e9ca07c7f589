// Reads a PDF's cross-reference chain the way a strict reader does (startxref, each section and its
// /Prev), without repairing anything: signing appends an incremental update whose /Prev must point at
// a sound section, and verification must know where each revision ends. pdf-lib cannot tell us
// either (it scans objects and ignores the xref), so this small reader does.
//
// Classic tables and cross-reference streams (PDF 1.5, FlateDecode with or without the PNG
// predictors) are read; every in-use entry of a classic table must point at "N G obj".
import { inflateSync } from 'node:zlib';
import { PdfError } from './errors';

export interface XrefSection {
  /** Offset of the section ("xref" keyword or the xref stream's "N G obj"). */
  offset: number;
  kind: 'table' | 'stream';
  /** The trailer (or xref stream) dictionary's text, "<<...>>". */
  dict: string;
  prev: number | null;
  /** In-use objects defined by this section: number -> byte offset (null: inside an object stream). */
  objects: Map<number, number | null>;
}

export interface PdfStructure {
  /** Newest first, as the /Prev chain goes. */
  sections: XrefSection[];
  /** The startxref value at the end of the file. */
  startxref: number;
  /** /Size of the newest trailer. */
  size: number;
  encrypted: boolean;
  /** Byte offsets just after each %%EOF marker (and its end-of-line), ascending: where revisions end. */
  revisionEnds: number[];
}

const latin1 = (b: Uint8Array, from = 0, to = b.length) => Buffer.from(b.buffer, b.byteOffset + from, Math.max(0, to - from)).toString('latin1');
const isWs = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x0c || c === 0x00;

/** The dictionary "<<...>>" starting at or after `from` (balanced), with its end offset. */
export function readDict(text: string, from: number): { dict: string; end: number } {
  const start = text.indexOf('<<', from);
  if (start < 0) throw new Error('no dictionary');
  let depth = 0;
  for (let i = start; i < text.length - 1; i++) {
    if (text[i] === '<' && text[i + 1] === '<') { depth++; i++; }
    else if (text[i] === '>' && text[i + 1] === '>') { depth--; i++; if (depth === 0) return { dict: text.slice(start, i + 1), end: i + 1 }; }
    else if (text[i] === '(') i = skipString(text, i);
  }
  throw new Error('unterminated dictionary');
}

function skipString(text: string, i: number): number {
  let depth = 0;
  for (; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return i;
}

const num = (dict: string, key: string): number | null => {
  const m = new RegExp(`/${key}\\s+(\\d+)(?!\\s+\\d+\\s+R)`).exec(dict);
  return m ? Number(m[1]) : null;
};

/** Offsets just after each %%EOF (with its CR/LF). */
function eofMarkers(bytes: Uint8Array): number[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const ends: number[] = [];
  for (let i = buf.indexOf('%%EOF'); i >= 0; i = buf.indexOf('%%EOF', i + 5)) {
    let e = i + 5;
    if (buf[e] === 0x0d) e++;
    if (buf[e] === 0x0a) e++;
    ends.push(e);
  }
  return ends;
}

function readTable(bytes: Uint8Array, offset: number): XrefSection {
  // Sections are small next to the file (20 bytes an entry); read a generous window as text.
  const text = latin1(bytes, offset, Math.min(bytes.length, offset + (16 << 20)));
  let i = 4; // past "xref"
  const objects = new Map<number, number | null>();
  const sub = /\s*(\d+)\s+(\d+)\s*?[\r\n]+/y;
  for (;;) {
    sub.lastIndex = i;
    const m = sub.exec(text);
    if (!m) break;
    const first = Number(m[1]);
    const count = Number(m[2]);
    i = sub.lastIndex;
    const entry = /(\d{10})\s(\d{5})\s([nf])\s*/y;
    for (let k = 0; k < count; k++) {
      entry.lastIndex = i;
      const e = entry.exec(text);
      if (!e) throw new Error(`xref entry ${first + k} is malformed`);
      i = entry.lastIndex;
      if (e[3] === 'n') objects.set(first + k, Number(e[1]));
    }
  }
  const t = /\s*trailer\s*/y;
  t.lastIndex = i;
  if (!t.exec(text)) throw new Error('no trailer after the xref table');
  const { dict } = readDict(text, t.lastIndex);
  return { offset, kind: 'table', dict, prev: num(dict, 'Prev'), objects };
}

function readStream(bytes: Uint8Array, offset: number): XrefSection {
  const text = latin1(bytes, offset, Math.min(bytes.length, offset + 4096));
  const head = /^(\d+)\s+(\d+)\s+obj\s*/.exec(text);
  if (!head) throw new Error('startxref does not point at an xref table or stream');
  const { dict, end } = readDict(text, head[0].length);
  if (!/\/Type\s*\/XRef\b/.test(dict)) throw new Error('the object at startxref is not a cross-reference stream');
  const kw = /\s*stream\r?\n/y;
  kw.lastIndex = end;
  if (!kw.exec(text)) throw new Error('xref stream has no data');
  const length = num(dict, 'Length');
  if (length === null) throw new Error('xref stream has no direct /Length');
  const dataStart = offset + kw.lastIndex;
  let data: Uint8Array = bytes.subarray(dataStart, dataStart + length);
  if (/\/Filter\s*\[?\s*\/FlateDecode/.test(dict)) data = inflateSync(data);
  else if (/\/Filter/.test(dict)) throw new Error('xref stream filter is not supported');
  const w = /\/W\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(dict);
  if (!w) throw new Error('xref stream has no /W');
  const widths = [Number(w[1]), Number(w[2]), Number(w[3])];
  const rowLen = widths[0]! + widths[1]! + widths[2]!;
  const predictor = num(dict, 'Predictor') ?? 1;
  if (predictor >= 10) data = unpredict(data, num(dict, 'Columns') ?? rowLen);
  else if (predictor !== 1) throw new Error(`xref stream predictor ${predictor} is not supported`);
  const size = num(dict, 'Size');
  if (size === null) throw new Error('xref stream has no /Size');
  const idx = /\/Index\s*\[([\d\s]*)\]/.exec(dict);
  const ranges = idx ? idx[1]!.trim().split(/\s+/).map(Number) : [0, size];
  const objects = new Map<number, number | null>();
  let p = 0;
  const field = (n: number) => { let v = 0; for (let k = 0; k < n; k++) v = v * 256 + data[p++]!; return v; };
  for (let r = 0; r + 1 < ranges.length; r += 2) {
    for (let k = 0; k < ranges[r + 1]!; k++) {
      if (p + rowLen > data.length) throw new Error('xref stream is shorter than its /Index');
      const type = widths[0] === 0 ? 1 : field(widths[0]!);
      const f2 = field(widths[1]!);
      field(widths[2]!);
      if (type === 1) objects.set(ranges[r]! + k, f2);
      else if (type === 2) objects.set(ranges[r]! + k, null);
    }
  }
  return { offset, kind: 'stream', dict, prev: num(dict, 'Prev'), objects };
}

/** PNG predictors (10-15), row by row, each row prefixed by its filter type. */
function unpredict(data: Uint8Array, columns: number): Uint8Array {
  const rows = Math.floor(data.length / (columns + 1));
  const out = new Uint8Array(rows * columns);
  for (let r = 0; r < rows; r++) {
    const type = data[r * (columns + 1)]!;
    for (let c = 0; c < columns; c++) {
      const x = data[r * (columns + 1) + 1 + c]!;
      const up = r > 0 ? out[(r - 1) * columns + c]! : 0;
      const left = c > 0 ? out[r * columns + c - 1]! : 0;
      let v: number;
      if (type === 0) v = x;
      else if (type === 1) v = x + left;
      else if (type === 2) v = x + up;
      else if (type === 3) v = x + ((left + up) >> 1);
      else if (type === 4) {
        const ul = r > 0 && c > 0 ? out[(r - 1) * columns + c - 1]! : 0;
        const pa = Math.abs(up - ul), pb = Math.abs(left - ul), pc = Math.abs(left + up - 2 * ul);
        v = x + (pa <= pb && pa <= pc ? left : pb <= pc ? up : ul);
      } else throw new Error(`PNG predictor row type ${type}`);
      out[r * columns + c] = v & 0xff;
    }
  }
  return out;
}

function checkObjectAt(bytes: Uint8Array, n: number, offset: number): boolean {
  if (offset >= bytes.length) return false;
  let i = offset;
  while (i < bytes.length && isWs(bytes[i]!)) i++;
  const m = /^(\d+)\s+\d+\s+obj\b/.exec(latin1(bytes, i, Math.min(bytes.length, i + 40)));
  return m !== null && Number(m[1]) === n;
}

/** The last startxref value (searched in the last 2 KiB, like readers do), or null. */
function lastStartxref(bytes: Uint8Array): number | null {
  const tail = latin1(bytes, Math.max(0, bytes.length - 2048));
  const all = [...tail.matchAll(/startxref\s+(\d+)\s+%%EOF/g)];
  return all.length ? Number(all.at(-1)![1]) : null;
}

/**
 * Reads and checks the cross-reference chain. Throws PdfError PDF_UNPARSEABLE (not a PDF) or
 * PDF_BROKEN_XREF (a section or entry that does not lead where it says).
 */
export function readStructure(bytes: Uint8Array): PdfStructure {
  if (!latin1(bytes, 0, Math.min(bytes.length, 1024)).includes('%PDF-')) throw PdfError.unparseable('no %PDF- header');
  const startxref = lastStartxref(bytes);
  if (startxref === null) throw PdfError.brokenXref('no startxref ... %%EOF at the end of the file');
  const sections: XrefSection[] = [];
  const seen = new Set<number>();
  for (let at: number | null = startxref; at !== null;) {
    if (seen.has(at)) throw PdfError.brokenXref(`the /Prev chain loops at offset ${at}`);
    seen.add(at);
    if (at >= bytes.length) throw PdfError.brokenXref(`xref offset ${at} is past the end of the file (${bytes.length} bytes)`);
    let s: XrefSection;
    try {
      s = latin1(bytes, at, at + 4) === 'xref' ? readTable(bytes, at) : readStream(bytes, at);
    } catch (e) {
      throw PdfError.brokenXref(`cross-reference section at offset ${at}: ${(e as Error).message}`);
    }
    for (const [n, off] of s.objects) {
      if (off !== null && !checkObjectAt(bytes, n, off)) throw PdfError.brokenXref(`xref entry for object ${n} points at offset ${off}, where that object is not`);
    }
    sections.push(s);
    at = s.prev;
  }
  const newest = sections[0]!;
  const size = num(newest.dict, 'Size');
  if (size === null) throw PdfError.brokenXref('the trailer has no /Size');
  if (!/\/Root\s+\d+\s+\d+\s+R/.test(newest.dict)) throw PdfError.brokenXref('the trailer has no /Root');
  return { sections, startxref, size, encrypted: sections.some((s) => /\/Encrypt\b/.test(s.dict)), revisionEnds: eofMarkers(bytes) };
}

export const pdfText = latin1;
