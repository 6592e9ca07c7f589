// A file named by a row (a path column or a naming rule), resolved inside the folder the clerk chose
// and nowhere else: absolute paths, drive letters, ".." and links leading out are refused, and a
// file must be what its name says (PDF, TIFF, JPEG, PNG by their first bytes).
import { createHash } from 'node:crypto';
import fs, { constants, existsSync, type Stats } from 'node:fs';
import { promisify } from 'node:util';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { BlobIntegrityError } from '../attachments/blobCipher';
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

/** How a file is opened: never through a link as its last part, never waiting on a FIFO (its fstat refuses it). */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
/** Where the kernel says an open descriptor's file is (Linux): the opened file itself judged, not its name again. */
const FD_PATHS = process.platform === 'linux' && existsSync('/proc/self/fd');
/** Bytes read at a time from a file too large to read in one go. */
const CHUNK = 1024 * 1024;

/** The file calls resolveFile makes: asynchronous (the window's thread), or synchronous (the job's workers, no thread-pool hop). */
export interface FileIo {
  realpath(p: string): string | Promise<string>;
  open(p: string, flags: number): number | Promise<number>;
  fstat(fd: number): Stats | Promise<Stats>;
  read(fd: number, buf: Buffer, off: number, len: number, pos: number): number | Promise<number>;
  close(fd: number): void | Promise<void>;
  readlink(p: string): string | Promise<string>;
  stat(p: string): Stats | Promise<Stats>;
}

const pOpen = promisify(fs.open);
const pFstat = promisify(fs.fstat);
const pRead = promisify(fs.read);
const pClose = promisify(fs.close);
export const asyncIo: FileIo = {
  realpath: (p) => fs.promises.realpath(p),
  open: (p, flags) => pOpen(p, flags),
  fstat: (fd) => pFstat(fd),
  read: async (fd, buf, off, len, pos) => (await pRead(fd, buf, off, len, pos)).bytesRead,
  close: (fd) => pClose(fd),
  readlink: (p) => fs.promises.readlink(p),
  stat: (p) => fs.promises.stat(p),
};
/** For worker threads only: each call blocks the thread it runs on. */
export const syncIo: FileIo = {
  realpath: (p) => fs.realpathSync.native(p),
  open: (p, flags) => fs.openSync(p, flags),
  fstat: (fd) => fs.fstatSync(fd),
  read: (fd, buf, off, len, pos) => fs.readSync(fd, buf, off, len, pos),
  close: (fd) => fs.closeSync(fd),
  readlink: (p) => fs.readlinkSync(p),
  stat: (p) => fs.statSync(p),
};

/**
 * Opens `real` (a real path already judged inside `root`) so that what is read is the file judged:
 * no link as its last part (O_NOFOLLOW), and the opened file must be at `real` inside `root` (the
 * kernel's own name for the descriptor; elsewhere the path's real path again and the same file id),
 * so a file or folder swapped for a link between the check and the open is refused. Returns the
 * descriptor and its fstat, or the refusal.
 */
export async function openInside(io: FileIo, root: string, target: string, real: string): Promise<{ fd: number; st: Stats } | { refused: 'symlinkOut' | 'fileMissing' }> {
  let fd: number;
  try {
    fd = await io.open(real, OPEN_FLAGS);
  } catch (e) {
    // ELOOP: the file became a link after its real path was taken.
    return { refused: (e as NodeJS.ErrnoException).code === 'ELOOP' ? 'symlinkOut' : 'fileMissing' };
  }
  try {
    const st = await io.fstat(fd);
    let at: string | null;
    if (FD_PATHS) at = await io.readlink(`/proc/self/fd/${fd}`);
    else {
      const again = await io.realpath(target);
      const named = await io.stat(again);
      at = named.ino === st.ino && named.dev === st.dev ? again : null;
    }
    if (at !== real || !inside(root, at)) { await io.close(fd); return { refused: 'symlinkOut' }; }
    return { fd, st };
  } catch (e) {
    await io.close(fd);
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { refused: 'fileMissing' };
    throw e;
  }
}

/** Reads an open file's `size` bytes from its start; null when it does not hold exactly that many (changed while read). */
async function readAll(io: FileIo, fd: number, size: number): Promise<Buffer | null> {
  const bytes = Buffer.allocUnsafe(size);
  let got = 0;
  while (got < size) {
    const n = await io.read(fd, bytes, got, size - got, got);
    if (n === 0) return null;
    got += n;
  }
  // One byte more: a file that grew since its fstat is not the file measured.
  return (await io.read(fd, Buffer.allocUnsafe(1), 0, 1, size)) === 0 ? bytes : null;
}

/**
 * A file resolved earlier, read again (synchronously, on a worker) to be sealed: opened without
 * following a link as its last part, fstat'ed and read from that descriptor; null when it is no
 * longer a regular file of at most `limit` bytes (the caller streams it, placeFile); refused
 * (BlobIntegrityError) when its bytes no longer hash to `sha256`.
 */
export function readKnownSync(path: string, sha256: string, limit: number): Buffer | null {
  const fd = fs.openSync(path, OPEN_FLAGS);
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile() || st.size > limit) return null;
    const bytes = Buffer.allocUnsafe(st.size);
    let got = 0;
    for (let n = 1; got < st.size && n > 0; got += n) n = fs.readSync(fd, bytes, got, st.size - got, got);
    const whole = got === st.size && fs.readSync(fd, Buffer.allocUnsafe(1), 0, 1, st.size) === 0;
    if (!whole || createHash('sha256').update(bytes).digest('hex') !== sha256) throw new BlobIntegrityError('the stored file does not belong under this content hash');
    return bytes;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Resolves `written` (as the register wrote it, Windows separators allowed) inside `folder`.
 * `signatures`: also check a PDF's signatures as registration does (the job's workers; the dry run need not).
 * `io`: synchronous calls on a worker thread. The file is opened once and read once from that
 * descriptor (openInside); `onBytes` receives a small file's bytes (≤ 8 MB), exactly those hashed
 * and judged, for the worker to seal them later without reading the file again.
 */
export async function resolveFile(
  folder: string, written: string,
  opts: { signatures?: boolean; root?: Promise<string> | string; io?: FileIo; onBytes?: (bytes: Buffer, file: ResolvedFile) => void } = {},
): Promise<Normalised<ResolvedFile>> {
  const io = opts.io ?? asyncIo;
  const w = written.trim().replace(/\\/g, '/');
  if (!w) return fail('missingFile');
  if (w.startsWith('/') || /^[a-z]:/i.test(w) || w.startsWith('//')) return fail('absolutePath', written);
  if (w.split('/').some((part) => part === '..')) return fail('climbsOut', written);
  // `root`: the folder's real path, resolved once for many files (FolderScans).
  const root = await (opts.root ?? io.realpath(folder));
  const target = resolve(root, w);
  if (!inside(root, target)) return fail('climbsOut', written);
  let real: string;
  try {
    real = await io.realpath(target);
  } catch {
    return fail('fileMissing', written);
  }
  // A link inside the folder pointing out of it is refused like a path that climbs out.
  if (!inside(root, real)) return fail('symlinkOut', written);
  const expected = BY_EXTENSION[extname(real).toLowerCase()];
  const opened = await openInside(io, root, target, real);
  if ('refused' in opened) return fail(opened.refused, written);
  const { fd, st } = opened;
  let head: Buffer;
  let sha256: string;
  let signature: ResolvedFile['signature'];
  let small: Buffer | null = null;
  try {
    if (!st.isFile()) return fail('fileMissing', written);
    if (!expected) return fail('unsupportedFile', written);
    const hash = createHash('sha256');
    if (st.size <= SMALL_FILE) {
      // Small files (scans mostly) are read once: hashed, sniffed and (PDF) signature-checked from memory.
      small = await readAll(io, fd, st.size);
      if (!small) return fail('fileMissing', written);
      head = small.subarray(0, 1024);
      sha256 = hash.update(small).digest('hex');
      if (opts.signatures && looksLikePdf(head)) signature = await signatureFinding(small);
    } else {
      // A large file a chunk at a time; a PDF to be signature-checked is kept whole (up to PDF_CHECK_LIMIT).
      const keep: Buffer[] | null = opts.signatures && st.size <= PDF_CHECK_LIMIT ? [] : null;
      let pos = 0;
      head = Buffer.alloc(0);
      for (;;) {
        const chunk = Buffer.allocUnsafe(Math.min(CHUNK, st.size - pos + 1));
        const n = await io.read(fd, chunk, 0, chunk.length, pos);
        if (n === 0) break;
        const part = chunk.subarray(0, n);
        if (head.length < 1024) head = Buffer.concat([head, part]).subarray(0, 1024);
        hash.update(part);
        keep?.push(part);
        pos += n;
        if (pos > st.size) break;
      }
      if (pos !== st.size) return fail('fileMissing', written);
      sha256 = hash.digest('hex');
      if (keep && looksLikePdf(head)) signature = await signatureFinding(Buffer.concat(keep));
    }
  } finally {
    await io.close(fd);
  }
  const actual = sniffKind(head);
  if (actual !== expected) return fail('fileLies', `${written}: ${actual ?? 'không rõ'} ≠ ${expected}`);
  const name = cleanFileName(w.split('/').pop()!);
  const file: ResolvedFile = { path: real, name, size: st.size, sha256, kind: actual, mime: mimeFor(name, head), isPdf: looksLikePdf(head), ...(signature !== undefined ? { signature } : {}) };
  if (small) opts.onBytes?.(small, file);
  return ok(file);
}

/** A naming rule: "{numberSymbol}.pdf" with the row's values, made safe for a file name ("/" → "_"). */
export function nameByRule(pattern: string, values: Record<string, string>): string {
  return pattern.replace(/\{(\w+)\}/g, (_, k: string) => (values[k] ?? '').replace(/[/\\:*?"<>|]/g, '_'));
}
