// Where the scans named by a register's rows are looked up: a folder chosen on this machine (the
// CLI), or the entries of a ZIP archive brought with the register (the window). Either way a row
// names a file by a path column or by a naming rule, the name is checked before it is looked up
// (nothing outside the folder or archive), and the file must be what its name says (its bytes are
// sniffed: PDF, TIFF, JPEG, PNG).
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { extname } from 'node:path';
import { cleanFileName, looksLikePdf, mimeFor } from '../attachments/fileKinds';
import { asyncIo, PDF_CHECK_LIMIT, resolveFile, type FileIo, signatureFinding, sniffKind, BY_EXTENSION, type ResolvedFile } from './files';
import { fail, ok, type Normalised } from './normalise/result';
import type { ZipArchive } from './zipSource';

export interface ScanSet {
  /** The file a row names (as written: Windows separators allowed), checked, sniffed and hashed. */
  resolve(written: string, opts?: ResolveOptions): Promise<Normalised<ResolvedFile>>;
}

/** `signatures`: also check a PDF's signatures as registration does (a job's rows; the dry run need not). */
export interface ResolveOptions { signatures?: boolean }

export class FolderScans implements ScanSet {
  /** The folder's real path, resolved once for all the files of this set (a batch: a thousand realpath calls fewer). */
  private root: Promise<string> | string | null = null;
  /**
   * `io`: synchronous file calls (a worker thread); `onBytes`: a small file's bytes as hashed and
   * judged (resolveFile), for the worker to keep until it seals them.
   */
  constructor(readonly folder: string, private readonly io?: FileIo, private readonly onBytes?: (bytes: Buffer, file: ResolvedFile) => void) {}
  resolve(written: string, opts: ResolveOptions = {}): Promise<Normalised<ResolvedFile>> {
    this.root ??= (this.io ?? asyncIo).realpath(this.folder);
    return resolveFile(this.folder, written, { ...opts, root: this.root, ...(this.io ? { io: this.io } : {}), ...(this.onBytes ? { onBytes: this.onBytes } : {}) });
  }
}

/** Scans inside an archive: looked up without regard to case (registers typed on Windows), read when a row needs them. */
export class ZipScans implements ScanSet {
  /** Hash and kind of each entry already read (a dry run reads each file once, the job again to stage it). */
  private readonly known = new Map<string, Pick<ResolvedFile, 'sha256' | 'kind' | 'size' | 'mime' | 'isPdf' | 'signature'>>();

  constructor(private readonly zip: ZipArchive, private readonly base = '') {}

  async resolve(written: string, opts: ResolveOptions = {}): Promise<Normalised<ResolvedFile>> {
    const w = written.trim().replace(/\\/g, '/');
    if (!w) return fail('missingFile');
    if (w.startsWith('/') || /^[a-z]:/i.test(w) || w.startsWith('//')) return fail('absolutePath', written);
    if (w.split('/').some((part) => part === '..')) return fail('climbsOut', written);
    const path = this.base ? `${this.base}/${w.replace(/^\.\//, '')}` : w.replace(/^\.\//, '');
    const spelled = this.zip.spelled(path);
    if (!spelled) return fail('fileMissing', written);
    const expected = BY_EXTENSION[extname(spelled).toLowerCase()];
    if (!expected) return fail('unsupportedFile', written);
    const name = cleanFileName(spelled.split('/').pop()!);
    let info = this.known.get(spelled);
    if (!info || (opts.signatures && info.isPdf && info.signature === undefined)) {
      const bytes = this.zip.read(spelled);
      const head = bytes.subarray(0, 1024);
      const actual = sniffKind(head);
      if (actual !== expected) return fail('fileLies', `${written}: ${actual ?? 'không rõ'} ≠ ${expected}`);
      const isPdf = looksLikePdf(head);
      // As resolveFile does for a folder's file: the signature check registration would make.
      const signature = opts.signatures && isPdf && bytes.length <= PDF_CHECK_LIMIT ? await signatureFinding(bytes) : info?.signature;
      info = { sha256: createHash('sha256').update(bytes).digest('hex'), kind: actual, size: bytes.length, mime: mimeFor(name, head), isPdf, ...(signature !== undefined ? { signature } : {}) };
      this.known.set(spelled, info);
    }
    const zip = this.zip;
    return ok({ path: `zip:${spelled}`, name, ...info, open: () => Readable.from([zip.read(spelled)]) });
  }
}

/**
 * The values a naming rule can use: {numberSymbol} (as stored), {so} (the number), {kyhieu} (the
 * symbol after the number), {nam} (the document's year), {row}.
 */
export function ruleValues(numberSymbol: string, documentDate: string | null, row: number): Record<string, string> {
  const m = /^([^/\s]+)\s*\/\s*(.+)$/.exec(numberSymbol);
  return {
    numberSymbol,
    so: m ? m[1]! : numberSymbol,
    kyhieu: m ? m[2]! : '',
    nam: documentDate ? documentDate.slice(0, 4) : '',
    row: String(row),
  };
}

const SCAN_EXTENSIONS = ['.pdf', '.tif', '.tiff', '.jpg', '.jpeg', '.png'];

/**
 * The names a naming rule gives a row, in order: "scans/{so}-{nam}.pdf" gives one; a rule ending in
 * ".*" tries each scan extension (a scan may be a PDF or a TIFF). Values are made safe for a file
 * name ("/" → "_"); an empty value makes no name (a rule with {nam} and no date finds nothing).
 */
export function namesByRule(pattern: string, values: Record<string, string>): string[] {
  let missing = false;
  const name = pattern.replace(/\{(\w+)\}/g, (_, k: string) => {
    const v = values[k] ?? '';
    if (!v) missing = true;
    return v.replace(/[/\\:*?"<>|]/g, '_');
  });
  if (missing) return [];
  if (!name.endsWith('.*')) return [name];
  const stem = name.slice(0, -2);
  return SCAN_EXTENSIONS.map((e) => stem + e);
}

/** The first name of a rule that finds a file; otherwise what the first name gave (fileMissing, or a refusal). */
export async function resolveByRule(scans: ScanSet, names: readonly string[], opts: ResolveOptions = {}): Promise<Normalised<ResolvedFile> | null> {
  let first: Normalised<ResolvedFile> | null = null;
  for (const n of names) {
    const r = await scans.resolve(n, opts);
    if (r.ok || r.code !== 'fileMissing') return r;
    first ??= r;
  }
  return first;
}
