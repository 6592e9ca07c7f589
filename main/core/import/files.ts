// A file named by a row (a path column or a naming rule), resolved inside the folder the clerk chose
// and nowhere else: absolute paths, drive letters, ".." and links leading out are refused, and a
// file must be what its name says (PDF, TIFF, JPEG, PNG by their first bytes).
import { createHash } from 'node:crypto';
import { open, readFile, realpath, stat } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { cleanFileName, looksLikePdf, mimeFor } from '../attachments/fileKinds';
import { fail, ok, type Normalised } from './normalise/result';

export interface ResolvedFile {
  path: string; name: string; size: number; sha256: string; kind: FileKind;
  /** As the attachment store records it (fileKinds.ts): the cleaned name's type judged by the first bytes. */
  mime: string;
  isPdf: boolean;
  /** PDFs (up to PDF_CHECK_LIMIT): a signature that does not cover the whole file, as registration checks it. */
  signature?: 'changed-after-signing' | 'appended-bytes' | null;
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

const SMALL_FILE = 8 * 1024 * 1024;
/** pdf/view.ts's PDF_CHECK_LIMIT (registration checks signatures of PDFs up to this size). */
export const PDF_CHECK_LIMIT = 64 * 1024 * 1024;

/**
 * registerIncoming's signature check (pdf/view.ts partialSignature). A signature dictionary always
 * shows "/ByteRange" in the bytes, and without it that check finds nothing: the PDF machinery is
 * loaded only for files that have one (most scans have none).
 */
export async function signatureFinding(pdf: Buffer): Promise<ResolvedFile['signature']> {
  if (pdf.indexOf('/ByteRange') < 0) return null;
  const { partialSignature } = await import('../pdf/view');
  return partialSignature(pdf);
}

/**
 * Resolves `written` (as the register wrote it, Windows separators allowed) inside `folder`.
 * `signatures`: also check a PDF's signatures as registration does (the job's workers; the dry run need not).
 */
export async function resolveFile(folder: string, written: string, opts: { signatures?: boolean; root?: Promise<string> } = {}): Promise<Normalised<ResolvedFile>> {
  const w = written.trim().replace(/\\/g, '/');
  if (!w) return fail('missingFile');
  if (w.startsWith('/') || /^[a-z]:/i.test(w) || w.startsWith('//')) return fail('absolutePath', written);
  if (w.split('/').some((part) => part === '..')) return fail('climbsOut', written);
  // `root`: the folder's real path, resolved once for many files (FolderScans).
  const root = await (opts.root ?? realpath(folder));
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
  // Small files (scans mostly) are read once: hashed, sniffed and (PDF) signature-checked from memory.
  let head: Buffer;
  let sha256: string;
  let signature: ResolvedFile['signature'];
  if (st.size <= SMALL_FILE) {
    const bytes = await readFile(real);
    head = bytes.subarray(0, 1024);
    sha256 = createHash('sha256').update(bytes).digest('hex');
    if (opts.signatures && looksLikePdf(head)) signature = await signatureFinding(bytes);
  } else {
    const fh = await open(real, 'r');
    const hash = createHash('sha256');
    head = Buffer.alloc(0);
    try {
      for await (const chunk of fh.createReadStream() as AsyncIterable<Buffer>) {
        if (head.length < 1024) head = Buffer.concat([head, chunk]).subarray(0, 1024);
        hash.update(chunk);
      }
    } finally {
      await fh.close().catch(() => undefined);
    }
    sha256 = hash.digest('hex');
    if (opts.signatures && looksLikePdf(head) && st.size <= PDF_CHECK_LIMIT) signature = await signatureFinding(await readFile(real));
  }
  const actual = sniffKind(head);
  if (actual !== expected) return fail('fileLies', `${written}: ${actual ?? 'không rõ'} ≠ ${expected}`);
  const name = cleanFileName(w.split('/').pop()!);
  return ok({ path: real, name, size: st.size, sha256, kind: actual, mime: mimeFor(name, head), isPdf: looksLikePdf(head), ...(signature !== undefined ? { signature } : {}) });
}

/** A naming rule: "{numberSymbol}.pdf" with the row's values, made safe for a file name ("/" → "_"). */
export function nameByRule(pattern: string, values: Record<string, string>): string {
  return pattern.replace(/\{(\w+)\}/g, (_, k: string) => (values[k] ?? '').replace(/[/\\:*?"<>|]/g, '_'));
}
