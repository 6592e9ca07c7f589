// Checks on what a package carries, before anything of it is written: file names that could climb out
// of a folder when someone saves the file (`..`, absolute paths, drive letters, separators), and files
// whose bytes are not what their declared type says (an executable named .pdf).
import { PackageError } from './errors';

/** A file's display name: one plain name, never a path. */
export function checkFileName(name: string): void {
  const bad = name.length === 0 || name.length > 255 || name === '.' || name === '..' || /[/\\\0]/.test(name) || /^[A-Za-z]:/.test(name) || name.includes('..');
  if (bad) throw new PackageError('UNSAFE_NAME', `unsafe file name in package: ${JSON.stringify(name)}`, `Tên tệp trong gói không an toàn: "${name}".`);
}

const MAGIC: Record<string, Uint8Array[]> = {
  'application/pdf': [Buffer.from('%PDF-')],
  'image/jpeg': [Uint8Array.of(0xff, 0xd8, 0xff)],
  'image/png': [Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)],
  'image/tiff': [Uint8Array.of(0x49, 0x49, 0x2a, 0x00), Uint8Array.of(0x4d, 0x4d, 0x00, 0x2a)],
  'application/zip': [Uint8Array.of(0x50, 0x4b, 0x03, 0x04)],
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': [Uint8Array.of(0x50, 0x4b, 0x03, 0x04)],
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': [Uint8Array.of(0x50, 0x4b, 0x03, 0x04)],
};
/** Executables and scripts are refused whatever type they claim. */
const EXECUTABLE: Uint8Array[] = [Buffer.from('MZ'), Uint8Array.of(0x7f, 0x45, 0x4c, 0x46), Buffer.from('#!'), Uint8Array.of(0xcf, 0xfa, 0xed, 0xfe)];

const startsWith = (b: Uint8Array, m: Uint8Array): boolean => b.length >= m.length && m.every((x, i) => b[i] === x);

export function checkFileType(sha256: string, mime: string, bytes: Uint8Array): void {
  const expected = MAGIC[mime];
  const lies = expected ? !expected.some((m) => startsWith(bytes, m)) : EXECUTABLE.some((m) => startsWith(bytes, m));
  if (lies) throw new PackageError('TYPE_MISMATCH', `file ${sha256} is declared ${mime} but its bytes are not`, `Tệp trong gói không đúng loại đã khai (${mime}).`);
}
