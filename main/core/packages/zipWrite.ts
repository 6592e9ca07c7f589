// Writing a ZIP of a few files, stored (no compression: edXML packets are base64 or ciphertext, and a
// stored archive is read by every unzip without surprises). Names are plain file names, never paths.
// No ZIP64: more than 65 535 files or 4 GiB is refused rather than written as a broken archive.
import { crc32 } from 'node:zlib';
import { checkFileName } from './safety';

const ZIP32_LIMIT = 0xffff_ffff;

export function storedZip(files: ReadonlyArray<{ name: string; bytes: Buffer }>, at = new Date()): Buffer {
  if (files.length > 0xffff) throw new Error(`a stored ZIP holds at most 65535 files, not ${files.length}`);
  // DOS times are wall-clock times: Vietnam's (UTC+7 all year), whatever the machine's zone.
  const vn = new Date(at.getTime() + 7 * 3600_000);
  const dosTime = (vn.getUTCHours() << 11) | (vn.getUTCMinutes() << 5) | Math.floor(vn.getUTCSeconds() / 2);
  const dosDate = ((vn.getUTCFullYear() - 1980) << 9) | ((vn.getUTCMonth() + 1) << 5) | vn.getUTCDate();
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const f of files) {
    checkFileName(f.name);
    const name = Buffer.from(f.name, 'utf8');
    const crc = crc32(f.bytes);
    const head = Buffer.alloc(30);
    head.writeUInt32LE(0x04034b50, 0); head.writeUInt16LE(20, 4); head.writeUInt16LE(0x800, 6); head.writeUInt16LE(0, 8);
    head.writeUInt16LE(dosTime, 10); head.writeUInt16LE(dosDate, 12); head.writeUInt32LE(crc, 14);
    head.writeUInt32LE(f.bytes.length, 18); head.writeUInt32LE(f.bytes.length, 22); head.writeUInt16LE(name.length, 26); head.writeUInt16LE(0, 28);
    if (offset + 30 + name.length + f.bytes.length > ZIP32_LIMIT) throw new Error('a stored ZIP is limited to 4 GiB');
    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(0x02014b50, 0); dir.writeUInt16LE((3 << 8) | 20, 4); dir.writeUInt16LE(20, 6); dir.writeUInt16LE(0x800, 8); dir.writeUInt16LE(0, 10);
    dir.writeUInt16LE(dosTime, 12); dir.writeUInt16LE(dosDate, 14); dir.writeUInt32LE(crc, 16);
    dir.writeUInt32LE(f.bytes.length, 20); dir.writeUInt32LE(f.bytes.length, 24); dir.writeUInt16LE(name.length, 28);
    dir.writeUInt32LE((0o100600 << 16) >>> 0, 38); dir.writeUInt32LE(offset, 42);
    locals.push(head, name, f.bytes);
    central.push(dir, name);
    offset += head.length + name.length + f.bytes.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(files.length, 8); end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(cd.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}
