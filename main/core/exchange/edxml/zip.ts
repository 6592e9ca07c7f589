// Just enough of ZIP to see what a zipped attachment holds: the central directory, and each entry
// inflated under a byte budget (a ZIP bomb stops at the budget, not at the end of memory).
import { inflateRawSync } from 'node:zlib';
import { EdxmlError } from './errors';

export interface ZipEntry {
  name: string;
  size: number;
  /** The entry's bytes, or null when over the budget or stored with a method we do not inflate. */
  bytes: Buffer | null;
}

export function readZip(buf: Buffer, maxEntries: number, budget: number): ZipEntry[] {
  const eocd = findEocd(buf);
  if (eocd < 0) throw new EdxmlError('EDXML_BAD_ZIP', 'no end of central directory');
  const count = buf.readUInt16LE(eocd + 10);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  if (count > maxEntries) throw new EdxmlError('EDXML_BAD_ZIP', `${count} entries, limit ${maxEntries}`);
  const out: ZipEntry[] = [];
  let p = cdOffset;
  let left = budget;
  for (let i = 0; i < count; i++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50) throw new EdxmlError('EDXML_BAD_ZIP', 'damaged central directory');
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const csize = buf.readUInt32LE(p + 20);
    const usize = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const nameBytes = buf.subarray(p + 46, p + 46 + nameLen);
    const name = flags & 0x800 ? nameBytes.toString('utf8') : nameBytes.toString('latin1');
    p += 46 + nameLen + extraLen + commentLen;
    if (local + 30 > buf.length || buf.readUInt32LE(local) !== 0x04034b50) throw new EdxmlError('EDXML_BAD_ZIP', `damaged entry ${name}`);
    const dataAt = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(dataAt, dataAt + csize);
    if (data.length !== csize) throw new EdxmlError('EDXML_BAD_ZIP', `entry ${name} is truncated`);
    let bytes: Buffer | null = null;
    if (usize <= left && (method === 0 || method === 8)) {
      try {
        bytes = method === 0 ? Buffer.from(data) : inflateRawSync(data, { maxOutputLength: Math.max(usize, 1) });
      } catch (e) {
        throw new EdxmlError('EDXML_BAD_ZIP', `entry ${name}: ${(e as Error).message}`);
      }
      left -= bytes.length;
    }
    out.push({ name, size: usize, bytes });
  }
  return out;
}

function findEocd(buf: Buffer): number {
  const stop = Math.max(0, buf.length - 22 - 0xffff);
  for (let i = buf.length - 22; i >= stop; i--) if (buf.readUInt32LE(i) === 0x06054b50) return i;
  return -1;
}
