// A staged upload that is a ZIP, read on the importer's worker (fileWorker.ts 'readArchive'): decrypted
// there from the staging area with its person's staging key, told apart (a workbook, or an archive of
// a register and its scans), an archive checked against the whole policy (zipSource.ts), its register
// inflated and parsed there. Only the parsed source and the archive's plaintext (moved, not copied)
// come back to the window's thread, which reads the scans from it.
import { posix } from 'node:path';
import { DeskError } from '../../../common/errors';
import { AttachmentStore } from '../attachments/store';
import { readSourceBytes, sniffFormat } from './readers/source';
import type { ReadOptions, ReadSource } from './types';
import { isXlsxArchive, ZipArchive } from './zipSource';

export const REGISTER_EXTENSIONS = new Set(['.csv', '.tsv', '.txt', '.xlsx', '.dbf']);

export interface StagedRef { stagingDir: string; stagingKey: Buffer | null; stagedId: string }

export interface ReadArchive { staged: StagedRef; name: string; entry?: string | undefined }

/** The archive's plaintext (to be moved to the window's thread), the register read from it, and which. */
export interface ArchiveRead { source: ReadSource; archive: { bytes: Buffer; entry: string; registers: string[] } | null }

const ext = (n: string) => posix.extname(n).toLowerCase();

/** The registers an archive holds (not the resource forks macOS adds). */
export const registersOf = (zip: ZipArchive): string[] =>
  zip.files.map((f) => f.name).filter((n) => REGISTER_EXTENSIONS.has(ext(n)) && !n.startsWith('__MACOSX/'));

export async function readStagedZip(job: ReadArchive, options: ReadOptions, onBytes: (read: number, last?: boolean) => void): Promise<ArchiveRead> {
  const { stagingDir, stagingKey, stagedId } = job.staged;
  const store = new AttachmentStore(stagingDir, stagingDir, null, stagingKey && Buffer.from(stagingKey));
  const parts: Buffer[] = [];
  let read = 0;
  for await (const c of store.openStaged(stagedId)) {
    parts.push(c as Buffer);
    read += (c as Buffer).length;
    onBytes(read);
  }
  onBytes(read, true);
  const buf = Buffer.concat(parts);
  parts.length = 0;
  if (isXlsxArchive(buf)) {
    if (job.entry) throw DeskError.keyed('VALIDATION', 'import.zip.chooseRegister');
    return { source: await readSourceBytes(buf, job.name, options), archive: null };
  }
  const zip = ZipArchive.open(buf);
  const registers = registersOf(zip);
  if (registers.length === 0) throw DeskError.keyed('VALIDATION', 'import.zip.noRegister');
  const entry = job.entry ?? registers[0]!;
  if (!registers.includes(entry)) throw DeskError.keyed('VALIDATION', 'import.zip.chooseRegister', undefined, { details: { registers } });
  const bytes = zip.read(entry);
  const stem = entry.slice(0, -ext(entry).length).toLowerCase();
  const memoName = zip.files.map((f) => f.name).find((n) => ['.dbt', '.fpt'].includes(ext(n)) && n.slice(0, -4).toLowerCase() === stem);
  const memo = memoName && sniffFormat(bytes) === 'dbf' ? { kind: ext(memoName) === '.fpt' ? 'fpt' as const : 'dbt' as const, bytes: zip.read(memoName) } : undefined;
  const source = await readSourceBytes(bytes, posix.basename(entry), options, memo);
  return { source, archive: { bytes: buf, entry, registers } };
}

/** An ArrayBuffer holding exactly `b`'s bytes that may be transferred (a small Buffer shares the pool's). */
export function ownArrayBuffer(b: Buffer): ArrayBuffer {
  if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer) return b.buffer;
  const copy = new ArrayBuffer(b.byteLength);
  new Uint8Array(copy).set(b);
  return copy;
}
