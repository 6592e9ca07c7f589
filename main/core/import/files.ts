// A file named by a row (a path column or a naming rule), resolved inside the folder the clerk chose
// and nowhere else: absolute paths, drive letters, ".." and links leading out are refused, and a
// file must be what its name says (PDF, TIFF, JPEG, PNG by their first bytes).
import { createHash } from 'node:crypto';
import { open, realpath, stat } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { fail, ok, type Normalised } from './normalise/result';

export interface ResolvedFile {
  path: string; name: string; size: number; sha256: string; kind: FileKind;
  /** The bytes, when the file is not a path on disk (an archive's entry, scans.ts). */
  open?: () => Readable;
}
export type FileKind = 'pdf' | 'tiff' | 'jpeg' | 'png';

export const BY_EXTENSION: Record<string, FileKind> = { '.pdf': 'pdf', '.tif': 'tiff', '.tiff': 'tiff', '.jpg': 'jpeg', '.jpeg': 'jpeg', '.png': 'png' };

export function sniffKind(head: Uint8Array): FileKind | null {
  const b = Buffer.from(head);
  if (b.subarray(0, 5).toString('latin1') === '%PDF-') return 'pdf';
  if ((b[0] === 0x49 && b[1] === 0x49 && b[2] === 0x2a && b[3] === 0) || (b[0] === 0x4d && b[1] === 0x4d && b[2] === 0 && b[3] === 0x2a)) return 'tiff';
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  return null;
}

const inside = (root: string, p: string) => {
  const rel = relative(root, p);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
};

/** Resolves `written` (as the register wrote it, Windows separators allowed) inside `folder`. */
export async function resolveFile(folder: string, written: string): Promise<Normalised<ResolvedFile>> {
  const w = written.trim().replace(/\\/g, '/');
  if (!w) return fail('missingFile');
  if (w.startsWith('/') || /^[a-z]:/i.test(w) || w.startsWith('//')) return fail('absolutePath', written);
  if (w.split('/').some((part) => part === '..')) return fail('climbsOut', written);
  const root = await realpath(folder);
  const target = resolve(root, w);
  if (!inside(root, target)) return fail('climbsOut', written);
  let real: string;
  try {
    real = await realpath(target);
  } catch {
    return fail('fileMissing', written);
  }
  // A link inside the folder pointing out of it is refused like a path that climbs out.
  if (!inside(root, real)) return fail('symlinkOut', written);
  const st = await stat(real);
  if (!st.isFile()) return fail('fileMissing', written);
  const expected = BY_EXTENSION[extname(real).toLowerCase()];
  if (!expected) return fail('unsupportedFile', written);
  const fh = await open(real, 'r');
  const hash = createHash('sha256');
  let head: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of fh.createReadStream() as AsyncIterable<Buffer>) {
      if (head.length < 16) head = Buffer.concat([head, chunk]).subarray(0, 16);
      hash.update(chunk);
    }
  } finally {
    await fh.close().catch(() => undefined);
  }
  const actual = sniffKind(head);
  if (actual !== expected) return fail('fileLies', `${written}: ${actual ?? 'không rõ'} ≠ ${expected}`);
  return ok({ path: real, name: w.split('/').pop()!, size: st.size, sha256: hash.digest('hex'), kind: actual });
}

/** A naming rule: "{numberSymbol}.pdf" with the row's values, made safe for a file name ("/" → "_"). */
export function nameByRule(pattern: string, values: Record<string, string>): string {
  return pattern.replace(/\{(\w+)\}/g, (_, k: string) => (values[k] ?? '').replace(/[/\\:*?"<>|]/g, '_'));
}
