// dBase III / FoxPro tables (.dbf) with their memo files (.dbt for dBase III, .fpt for FoxPro).
// No maintained library reads both memo kinds with raw bytes (the text is in a legacy Vietnamese
// code page the file does not name), so this reader is small and its own: the header, the field
// descriptors, the records (deleted ones skipped and reported), memo blocks by number.
// Layout: dBase III file header (32 bytes; record count at 4, header length at 8, record length
// at 10, language driver at 29), then 32-byte field descriptors up to 0x0D; each record begins
// with a deletion flag ('*' deleted). A .dbt memo is 512-byte blocks, text ending with 0x1A; an
// .fpt memo has its block size at offset 6 (big-endian) and each memo a type and length header.
import { DeskError } from '../../../../common/errors';
import { decodeAs, detectEncoding, type Encoding } from '../encodings';
import type { Cell, Quirk, ReadOptions, SourceRow, SourceTable } from '../types';
import { cleanText } from './header';

export interface DbfField { name: string; type: string; length: number; decimals: number; offset: number }

export interface DbfFile { version: number; records: number; fields: DbfField[]; headerLength: number; recordLength: number; languageDriver: number }

const bad = (): DeskError => DeskError.keyed('VALIDATION', 'structure.import.badFile');

export function dbfHeader(b: Buffer): DbfFile {
  if (b.length < 33) throw bad();
  const version = b[0]!;
  const records = b.readUInt32LE(4);
  const headerLength = b.readUInt16LE(8);
  const recordLength = b.readUInt16LE(10);
  const fields: DbfField[] = [];
  let offset = 1;
  for (let p = 32; p + 32 <= headerLength && b[p] !== 0x0d; p += 32) {
    const raw = b.subarray(p, p + 11);
    const end = raw.indexOf(0);
    const name = raw.subarray(0, end < 0 ? 11 : end).toString('latin1').trim();
    const type = String.fromCharCode(b[p + 11]!);
    const length = b[p + 16]!;
    fields.push({ name, type, length, decimals: b[p + 17]!, offset });
    offset += length;
  }
  if (fields.length === 0 || offset > recordLength || headerLength + records * recordLength > b.length + 1) throw bad();
  return { version, records, fields, headerLength, recordLength, languageDriver: b[29]! };
}

/** The memo's bytes at a block, or null when the block is outside the file. */
function memoAt(memo: { kind: 'dbt' | 'fpt'; bytes: Buffer }, block: number): Buffer | null {
  const m = memo.bytes;
  if (memo.kind === 'fpt') {
    const size = m.readUInt16BE(6) || 64;
    const at = block * size;
    if (at + 8 > m.length) return null;
    const len = m.readUInt32BE(at + 4);
    return at + 8 + len > m.length ? null : m.subarray(at + 8, at + 8 + len);
  }
  const at = block * 512;
  if (at >= m.length) return null;
  const end = m.indexOf(0x1a, at);
  return m.subarray(at, end < 0 ? m.length : end);
}

export interface DbfInput { dbf: Uint8Array; memo?: { kind: 'dbt' | 'fpt'; bytes: Uint8Array } | undefined }

export function readDbf(input: DbfInput, name: string, opts: ReadOptions, quirks: Quirk[]): { table: SourceTable; encoding: Encoding } {
  const b = Buffer.from(input.dbf);
  const h = dbfHeader(b);
  const memo = input.memo ? { kind: input.memo.kind, bytes: Buffer.from(input.memo.bytes) } : undefined;
  if (h.languageDriver !== 0) quirks.push({ code: 'codePageByte', sheet: name, detail: `0x${h.languageDriver.toString(16)}` });
  const hasMemo = h.fields.some((f) => f.type === 'M');
  if (hasMemo && !memo) quirks.push({ code: 'memoMissing', sheet: name });
  if (hasMemo && memo) quirks.push({ code: 'memoField', sheet: name, detail: h.fields.filter((f) => f.type === 'M').map((f) => f.name).join(', ') });
  // The text of every character field and memo, to detect the code page once for the whole table.
  const textBytes: Buffer[] = [];
  const raw: Array<{ deleted: boolean; values: Array<{ f: DbfField; bytes: Buffer | null }> }> = [];
  for (let i = 0; i < h.records; i++) {
    const at = h.headerLength + i * h.recordLength;
    const rec = b.subarray(at, at + h.recordLength);
    const values = h.fields.map((f) => {
      const field = rec.subarray(f.offset, f.offset + f.length);
      if (f.type !== 'M') return { f, bytes: field };
      // dBase III and FoxPro 2: the block number as ASCII digits; Visual FoxPro: 4 bytes little-endian.
      const digits = field.toString('latin1').trim();
      const block = f.length === 4 ? field.readUInt32LE(0) : digits ? Number(digits) : 0;
      return { f, bytes: block > 0 && memo ? memoAt(memo, block) : null };
    });
    for (const v of values) if (v.bytes && (v.f.type === 'C' || v.f.type === 'M')) textBytes.push(v.bytes);
    raw.push({ deleted: rec[0] === 0x2a, values });
  }
  const encoding = opts.encoding ?? detectEncoding(Buffer.concat(textBytes)).encoding;
  if (!opts.encoding && encoding !== 'utf8') quirks.push({ code: 'encodingDetected', sheet: name, detail: encoding });
  const headers = h.fields.map((f) => f.name);
  const rows: SourceRow[] = [];
  raw.forEach((r, i) => {
    if (r.deleted) { quirks.push({ code: 'deletedRecord', sheet: name, row: i + 1 }); return; }
    const cells: Record<string, Cell> = {};
    for (const { f, bytes } of r.values) cells[f.name] = fieldCell(f, bytes, encoding);
    rows.push({ sheet: name, row: i + 1, cells });
  });
  return { table: { sheet: name, headers, rows }, encoding };
}

function fieldCell(f: DbfField, bytes: Buffer | null, encoding: Encoding): Cell {
  if (!bytes) return { text: '' };
  switch (f.type) {
    case 'D': {
      const s = bytes.toString('latin1').trim();
      const m = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
      return m ? { text: `${m[1]}-${m[2]}-${m[3]}`, date: `${m[1]}-${m[2]}-${m[3]}` } : { text: '' };
    }
    case 'N':
    case 'F': {
      const s = bytes.toString('latin1').trim();
      return s && Number.isFinite(Number(s)) ? { text: s, number: Number(s) } : { text: s };
    }
    case 'L': {
      const s = bytes.toString('latin1').trim().toUpperCase();
      return { text: s === 'T' || s === 'Y' ? 'TRUE' : s === 'F' || s === 'N' ? 'FALSE' : '' };
    }
    default:
      return { text: cleanText(decodeAs(bytes, encoding).replace(/\0+$/, '')) };
  }
}
