// A ZIP archive as an import source (a register plus its scans), read under a strict policy before
// anything in it is used: an entry that climbs out ("..", an absolute path, a drive letter, a
// backslash), a link, too many entries, too many bytes once expanded, an entry expanding far beyond
// its compressed size (a zip bomb) or past the size it declares, encryption or an unknown method:
// the whole archive is refused with the reason. Nothing is ever extracted to disk: entries are
// inflated in memory, one at a time, when a row needs them.
import { DeskError } from '../../../common/errors';
import type { MessageKey } from '../../../common/messages';
import { zipDirectory, zipEntryBytes, type ZipDirEntry } from '../exchange/edxml/zip';

export interface ZipLimits {
  maxEntries: number;
  /** The sum of the declared sizes of all entries. */
  maxTotalBytes: number;
  /** One entry, declared. */
  maxEntryBytes: number;
  /** Expanded / compressed, for an entry above `ratioFloor` bytes expanded (and for the whole archive). */
  maxRatio: number;
  ratioFloor: number;
}

export const ZIP_LIMITS: ZipLimits = {
  maxEntries: 50_000,
  maxTotalBytes: 4 * 1024 ** 3,
  maxEntryBytes: 512 * 1024 ** 2,
  // Scans barely compress; a register's text does (XLSX already is a zip). 100:1 is far beyond both.
  maxRatio: 100,
  ratioFloor: 1024 * 1024,
};

export type ZipRefusal =
  | 'climbsOut' | 'absolutePath' | 'backslash' | 'link' | 'tooManyEntries' | 'tooLarge' | 'ratio' | 'sizeLies'
  | 'encrypted' | 'method' | 'damaged' | 'duplicateEntry';

const refuse = (code: ZipRefusal, params: Record<string, string | number> = {}) =>
  DeskError.keyed('VALIDATION', `import.zip.${code}` as MessageKey, Object.keys(params).length ? params : undefined, { details: { zip: code, ...params } });

const mb = (n: number) => `${Math.ceil(n / 1024 / 1024)} MB`;

/** Why an entry's name is refused, or null: the name must stay inside the archive's own folder. */
export function unsafeEntryName(name: string): ZipRefusal | null {
  if (name.includes('\\')) return 'backslash';
  // eslint-disable-next-line no-control-regex
  if (name.startsWith('/') || /^[a-z]:/i.test(name) || /[\u0000]/.test(name)) return 'absolutePath';
  if (name.split('/').some((p) => p === '..')) return 'climbsOut';
  return null;
}

/** A link: a Unix mode of S_IFLNK in the external attributes (made on Unix), or a reparse point (Windows). */
function isLink(e: ZipDirEntry): boolean {
  const unixMode = e.externalAttrs >>> 16;
  if (e.madeBy === 3 && (unixMode & 0o170000) === 0o120000) return true;
  return e.madeBy === 0 && (e.externalAttrs & 0x400) !== 0;
}

export interface ZipFile { name: string; size: number }

export class ZipArchive {
  private readonly byPath = new Map<string, ZipDirEntry>();
  readonly files: ZipFile[] = [];

  private constructor(private readonly buf: Buffer, entries: ZipDirEntry[]) {
    for (const e of entries) {
      if (e.name.endsWith('/')) continue; // a folder
      this.byPath.set(e.name.normalize('NFC').toLowerCase(), e);
      this.files.push({ name: e.name.normalize('NFC'), size: e.size });
    }
  }

  /** Checks the whole archive against the policy; throws DeskError (VALIDATION, import.zip.*) at the first refusal. */
  static open(buf: Buffer, limits: ZipLimits = ZIP_LIMITS): ZipArchive {
    let entries: ZipDirEntry[];
    try {
      entries = zipDirectory(buf, Number.MAX_SAFE_INTEGER);
    } catch {
      throw refuse('damaged');
    }
    if (entries.length > limits.maxEntries) throw refuse('tooManyEntries', { count: entries.length, max: limits.maxEntries });
    let total = 0;
    let compressed = 0;
    const seen = new Set<string>();
    for (const e of entries) {
      const bad = unsafeEntryName(e.name);
      if (bad) throw refuse(bad, { entry: e.name });
      if (isLink(e)) throw refuse('link', { entry: e.name });
      if (e.flags & 0x1) throw refuse('encrypted', { entry: e.name });
      if (e.method !== 0 && e.method !== 8) throw refuse('method', { entry: e.name });
      // ZIP64 markers: sizes we do not read are refused as too large.
      if (e.size === 0xffffffff || e.compressedSize === 0xffffffff || e.size > limits.maxEntryBytes) {
        throw refuse('tooLarge', { size: mb(e.size), max: mb(limits.maxEntryBytes) });
      }
      const key = e.name.normalize('NFC').toLowerCase();
      if (seen.has(key)) throw refuse('duplicateEntry', { entry: e.name });
      seen.add(key);
      if (e.size >= limits.ratioFloor && e.size > limits.maxRatio * Math.max(1, e.compressedSize)) {
        throw refuse('ratio', { entry: e.name, ratio: Math.round(e.size / Math.max(1, e.compressedSize)) });
      }
      total += e.size;
      compressed += e.compressedSize;
    }
    if (total > limits.maxTotalBytes) throw refuse('tooLarge', { size: mb(total), max: mb(limits.maxTotalBytes) });
    if (total >= limits.ratioFloor && total > limits.maxRatio * Math.max(1, compressed)) {
      throw refuse('ratio', { entry: '*', ratio: Math.round(total / Math.max(1, compressed)) });
    }
    return new ZipArchive(buf, entries);
  }

  has(path: string): boolean {
    return this.byPath.has(path.normalize('NFC').toLowerCase());
  }

  /** The name as the archive spells it, for a path matched without regard to case. */
  spelled(path: string): string | undefined {
    const e = this.byPath.get(path.normalize('NFC').toLowerCase());
    return e?.name.normalize('NFC');
  }

  /** An entry's bytes; an entry that expands past its declared size is refused (the directory lied). */
  read(path: string): Buffer {
    const e = this.byPath.get(path.normalize('NFC').toLowerCase());
    if (!e) throw refuse('damaged');
    let bytes: Buffer;
    try {
      bytes = zipEntryBytes(this.buf, e, e.size);
    } catch {
      throw refuse(e.method === 8 || e.method === 0 ? 'sizeLies' : 'method', { entry: e.name });
    }
    if (bytes.length !== e.size) throw refuse('sizeLies', { entry: e.name });
    return bytes;
  }
}

/** A ZIP by its first bytes (an XLSX is one too: told apart by its entries). */
export const looksLikeZip = (b: Uint8Array): boolean => b[0] === 0x50 && b[1] === 0x4b && (b[2] === 0x03 || b[2] === 0x05) && (b[3] === 0x04 || b[3] === 0x06);

/** An Office Open XML workbook rather than an archive of files. */
export function isXlsxArchive(buf: Buffer): boolean {
  try {
    const names = zipDirectory(buf, 10_000).map((e) => e.name);
    return names.includes('[Content_Types].xml') && names.some((n) => n.startsWith('xl/'));
  } catch {
    return false;
  }
}
