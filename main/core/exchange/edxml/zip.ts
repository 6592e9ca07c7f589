// Just enough of ZIP to see what a zipped attachment holds: the central directory, and each entry
// inflated under a byte budget (a ZIP bomb stops at the budget, not at the end of memory).
// The legacy import reads archives through the same two steps (zipDirectory, zipEntryBytes) with its
// own stricter policy (main/core/import/zipSource.ts).
import { inflateRawSync } from 'node:zlib';
import { EdxmlError } from './errors';

export interface ZipEntry {
  name: string;
  size: number;
  /** The entry's bytes, or null when over the budget or stored with a method we do not inflate. */
  bytes: Buffer | null;
}

/** One entry as the central directory declares it (nothing inflated). */
export interface ZipDirEntry {
  name: string;
  /** The name's raw bytes were UTF-8 (flag 11); else read as latin1. */
  utf8: boolean;
  flags: number;
  method: number;
  compressedSize: number;
  /** Declared; the inflated bytes are held to it. */
  size: number;
  /** The host that made the entry (high byte of "version made by": 3 = Unix) and its external attributes. */
  madeBy: number;
  externalAttrs: number;
  /** Where the compressed bytes start and end. */
  dataStart: number;
}

export function zipDirectory(buf: Buffer, maxEntries: number): ZipDirEntry[] {
  const eocd = findEocd(buf);
  if (eocd < 0) throw new EdxmlError('EDXML_BAD_ZIP', 'no end of central directory');
  const count = buf.readUInt16LE(eocd + 10);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  if (count > maxEntries) throw new EdxmlError('EDXML_BAD_ZIP', `${count} entries, limit ${maxEntries}`);
  const out: ZipDirEntry[] = [];
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50) throw new EdxmlError('EDXML_BAD_ZIP', 'damaged central directory');
    const madeBy = buf.readUInt16LE(p + 4) >> 8;
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const compressedSize = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const externalAttrs = buf.readUInt32LE(p + 38);
    const local = buf.readUInt32LE(p + 42);
    const nameBytes = buf.subarray(p + 46, p + 46 + nameLen);
    const utf8 = (flags & 0x800) !== 0;
    const name = utf8 ? nameBytes.toString('utf8') : nameBytes.toString('latin1');
    p += 46 + nameLen + extraLen + commentLen;
    if (local + 30 > buf.length || buf.readUInt32LE(local) !== 0x04034b50) throw new EdxmlError('EDXML_BAD_ZIP', `damaged entry ${name}`);
    const dataStart = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    if (dataStart + compressedSize > buf.length) throw new EdxmlError('EDXML_BAD_ZIP', `entry ${name} is truncated`);
    out.push({ name, utf8, flags, method, compressedSize, size, madeBy, externalAttrs, dataStart });
  }
  return out;
}

/** An entry's bytes, inflated to at most `maxBytes` (more throws: the archive lied about the size). */
export function zipEntryBytes(buf: Buffer, e: ZipDirEntry, maxBytes: number): Buffer {
  const data = buf.subarray(e.dataStart, e.dataStart + e.compressedSize);
  if (e.method === 0) {
    if (data.length > maxBytes) throw new EdxmlError('EDXML_BAD_ZIP', `entry ${e.name} is larger than declared`);
    return Buffer.from(data);
  }
  if (e.method !== 8) throw new EdxmlError('EDXML_BAD_ZIP', `entry ${e.name}: method ${e.method}`);
  try {
    return inflateRawSync(data, { maxOutputLength: Math.max(maxBytes, 1) });
  } catch (err) {
    throw new EdxmlError('EDXML_BAD_ZIP', `entry ${e.name}: ${(err as Error).message}`);
  }
}

export function readZip(buf: Buffer, maxEntries: number, budget: number): ZipEntry[] {
  const out: ZipEntry[] = [];
  let left = budget;
  for (const e of zipDirectory(buf, maxEntries)) {
    let bytes: Buffer | null = null;
    if (e.size <= left && (e.method === 0 || e.method === 8)) {
      bytes = zipEntryBytes(buf, e, e.size);
      left -= bytes.length;
    }
    out.push({ name: e.name, size: e.size, bytes });
  }
  return out;
}

function findEocd(buf: Buffer): number {
  const stop = Math.max(0, buf.length - 22 - 0xffff);
  for (let i = buf.length - 22; i >= stop; i--) if (buf.readUInt32LE(i) === 0x06054b50) return i;
  return -1;
}
