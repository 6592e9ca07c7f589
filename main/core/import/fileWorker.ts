// The importer's worker thread: the heavy work of a job, off the thread that owns the database. It
// reads and parses the source, resolves and checks each row's file (inside the chosen folder, its
// type, its SHA-256, a PDF's signatures), and encrypts accepted files into their level's store
// exactly as the attachment store does (same code, same key, bound to the content hash); it
// writes a dry run's report as XLSX; and it reads a source for the window (a staged upload
// decrypted and parsed as it streams in), telling the bytes read as it goes, its rows then asked for
// a batch at a time (one message of 60 000 rows would hold the receiving thread for its copy).
import { parentPort } from 'node:worker_threads';
import { DeskError, type DeskErrorPayload } from '../../../common/errors';
import { AttachmentStore } from '../attachments/store';
import { ownArrayBuffer, readStagedZip, type ReadArchive } from './archiveRegister';
import { mappedRows, type ValidationReport } from './dryRun';
import type { Mapping } from './mapping';
import { readSource, readSourceBytes, readSourceStream } from './readers/source';
import { BlobIntegrityError } from '../attachments/blobCipher';
import { readKnownSync, syncIo, type ResolvedFile } from './files';
import type { Normalised } from './normalise/result';
import { FolderScans, resolveByRule } from './scans';
import type { ReadOptions, ReadSource, SourceRow } from './types';

export interface StoreHandoff { storeDir: string; stagingDir: string; dataKey: Buffer | null; stagingKey: Buffer | null }

/** A source opened on a worker: what the job records of it; its rows stay on the worker until asked for. */
export interface OpenedSource { handle: number; name: string; sha256: string; total: number }

/** What the 'read' job reads: a file, a staged upload (decrypted here with its person's staging key), or bytes. */
export type SourceInput =
  | { path: string }
  | { staged: { stagingDir: string; stagingKey: Buffer | null; stagedId: string }; name: string }
  | { bytes: Uint8Array; name: string; memo?: { kind: 'dbt' | 'fpt'; bytes: Uint8Array } | undefined };

/** What a 'read' job tells before its answer: the bytes read so far. */
export interface ReadPartial { read: number }

/** A 'read' job's answer: the source with its tables' rows left here (asked for with 'tableRows'). */
export interface ReadAnswer { handle: number; source: ReadSource; rows: number[] }

/** A 'readArchive' job's answer: a read's, and the archive's plaintext moved here (null for a workbook). */
export interface ReadArchiveAnswer extends ReadAnswer { archive: { bytes: ArrayBuffer; entry: string; registers: string[] } | null }

/** Milliseconds between two messages of bytes read. */
const BYTES_EVERY_MS = 50;

export type FileJob =
  | { op: 'open'; path: string; options: ReadOptions; mapping: Mapping }
  /** The whole source read; its tables answered without their rows (kept here). */
  | { op: 'read'; input: SourceInput; options: ReadOptions }
  /** A staged ZIP upload: a workbook read, or an archive checked, its register read, its plaintext moved back. */
  | { op: 'readArchive'; input: ReadArchive; options: ReadOptions }
  | { op: 'tableRows'; handle: number; table: number; from: number; count: number }
  | { op: 'rows'; handle: number; from: number; count: number }
  | { op: 'close'; handle: number }
  /** `hold`: the bytes this worker may keep of the files it resolves (for their 'place'), all jobs together. */
  | { op: 'resolve'; folder: string; names: string[][]; hold: number }
  /** `held`: a file's bytes this worker kept when resolving it; `release`: kept bytes no longer needed (placed or not). */
  | { op: 'place'; store: StoreHandoff; files: PlaceFile[]; release?: number[] }
  /** Kept bytes no longer needed (a batch's files not placed: refused rows, duplicates). */
  | { op: 'release'; release: number[] }
  /** The dry run's report as XLSX (100 000 rows take seconds to write). */
  | { op: 'report'; report: ValidationReport };

/** A file to place: its bytes kept here since it was resolved (`held`), else read again by its path and its hash checked. */
export interface PlaceFile { path: string; sha256: string; size: number; held?: number }

/** A row's file as the 'resolve' job found it; `held`: its bytes kept on this worker, for its 'place'. */
export interface ResolveAnswer { resolved: Normalised<ResolvedFile> | null; held?: number }

export type WorkerReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { name: string; message: string; code?: string; desk?: DeskErrorPayload } }
  | { id: number; partial: unknown };

const stores = new Map<string, AttachmentStore>();
const storeOf = (h: StoreHandoff) => {
  let s = stores.get(h.storeDir);
  if (!s) {
    s = new AttachmentStore(h.storeDir, h.stagingDir, h.dataKey && Buffer.from(h.dataKey), h.stagingKey && Buffer.from(h.stagingKey));
    stores.set(h.storeDir, s);
  }
  return s;
};

/** The rows of the sources opened here (the main thread asks for them a batch at a time). */
const sources = new Map<number, SourceRow[]>();
/** The rows of the sources read here, by table. */
const read = new Map<number, SourceRow[][]>();
let nextHandle = 1;

async function readInput(input: SourceInput, options: ReadOptions, onBytes: (read: number) => void) {
  if ('path' in input) return readSource(input.path, options, { onBytes });
  if ('bytes' in input) return readSourceBytes(input.bytes, input.name, options, input.memo);
  const { stagingDir, stagingKey, stagedId } = input.staged;
  const store = new AttachmentStore(stagingDir, stagingDir, null, stagingKey && Buffer.from(stagingKey));
  return readSourceStream(store.openStaged(stagedId), input.name, options, { onBytes });
}

/** What an answer moves to the other thread rather than copies (an archive's plaintext). */
const transfers = new WeakMap<object, ArrayBuffer[]>();

/** A source read here: its rows kept, the rest answered. */
function keep(src: ReadSource): ReadAnswer {
  const handle = nextHandle++;
  read.set(handle, src.tables.map((t) => t.rows));
  return { handle, source: { ...src, tables: src.tables.map((t) => ({ ...t, rows: [] })) }, rows: src.tables.map((t) => t.rows.length) };
}

async function run(job: FileJob, partial: (p: ReadPartial) => void): Promise<unknown> {
  if (job.op === 'read' || job.op === 'readArchive') {
    // The first count and the last are always told (a workbook may be decrypted within one interval).
    let told = -Infinity;
    const onBytes = (n: number, last = false) => {
      if (!last && performance.now() - told < BYTES_EVERY_MS) return;
      told = performance.now();
      partial({ read: n });
    };
    if (job.op === 'read') return keep(await readInput(job.input, job.options, onBytes));
    const got = await readStagedZip(job.input, job.options, onBytes);
    if (!got.archive) return { ...keep(got.source), archive: null } satisfies ReadArchiveAnswer;
    const bytes = ownArrayBuffer(got.archive.bytes);
    const answer: ReadArchiveAnswer = { ...keep(got.source), archive: { ...got.archive, bytes } };
    transfers.set(answer, [bytes]);
    return answer;
  }
  if (job.op === 'tableRows') return (read.get(job.handle)?.[job.table] ?? []).slice(job.from, job.from + job.count);
  if (job.op === 'open') {
    const src = await readSource(job.path, job.options);
    const handle = nextHandle++;
    const rows = mappedRows(src, job.mapping);
    sources.set(handle, rows);
    return { handle, name: src.name, sha256: src.sha256, total: rows.length } satisfies OpenedSource;
  }
  if (job.op === 'rows') return (sources.get(job.handle) ?? []).slice(job.from, job.from + job.count);
  if (job.op === 'close') return sources.delete(job.handle);
  if (job.op === 'resolve') {
    // Each row's names in order (a naming rule may try several extensions): the first that finds a
    // file. Synchronous calls (this thread has nothing else to do meanwhile, and no thread-pool hop);
    // a small file's bytes, exactly those hashed and judged, are kept for its 'place' while the budget allows.
    let kept: { bytes: Buffer; file: ResolvedFile } | null = null;
    const scans = new FolderScans(job.folder, syncIo, (bytes, file) => { kept = { bytes, file }; });
    const out: ResolveAnswer[] = [];
    for (const names of job.names) {
      kept = null;
      const resolved = await resolveByRule(scans, names, { signatures: true });
      const k = kept as { bytes: Buffer; file: ResolvedFile } | null;
      if (resolved?.ok && k && k.file === resolved.value && k.bytes.length <= HOLD_ONE && heldBytes + k.bytes.length <= job.hold) {
        const id = nextHeld++;
        held.set(id, { bytes: k.bytes, sha256: k.file.sha256 });
        heldBytes += k.bytes.length;
        out.push({ resolved, held: id });
      } else out.push({ resolved });
    }
    return out;
  }
  if (job.op === 'release') { for (const id of job.release) release(id); return null; }
  // exceljs loaded when a report is asked for, not by every worker of every job.
  if (job.op === 'report') return (await import('./reportXlsx')).reportWorkbook(job.report);
  // The files kept since they were resolved: sealed from those bytes and appended to one pack of the
  // store, synced once (placeMany, packs.ts); the other small ones (over the budget, or resolved on
  // another thread) the same way, read again and their hash checked. Larger ones are streamed (placeFile), each synced
  // before it takes its name, a few at a time. The folders they went into are answered, for the job
  // to sync once per batch.
  const store = storeOf(job.store);
  const inMemory: Array<{ sha256: string; plain: Buffer | (() => Buffer) }> = [];
  const again: PlaceFile[] = [];
  for (const f of job.files) {
    const h = f.held !== undefined ? held.get(f.held) : undefined;
    if (!job.store.dataKey) again.push(f);
    else if (h && h.sha256 === f.sha256) inMemory.push({ sha256: f.sha256, plain: h.bytes });
    // Not kept: read again when its group is sealed (opened without following a link, its hash checked).
    else if (f.size <= HOLD_ONE) inMemory.push({ sha256: f.sha256, plain: () => readKnownSync(f.path, f.sha256, HOLD_ONE) ?? changed() });
    else again.push(f);
  }
  try {
    const folders = new Set<string>(await store.placeMany(inMemory));
    let next = 0;
    let failed = false;
    const lane = async () => {
      while (next < again.length && !failed) {
        const f = again[next++]!;
        folders.add(await store.placeFile(f.path, f.sha256, { durable: true }).catch((err: unknown) => { failed = true; throw err; }));
      }
    };
    await Promise.all(Array.from({ length: Math.min(PLACE_LANES, again.length) }, lane));
    return [...folders];
  } finally {
    for (const id of [...job.files.map((f) => f.held), ...(job.release ?? [])]) release(id);
  }
}

/** Bytes kept since their files were resolved, by id, for their 'place'. */
const held = new Map<number, { bytes: Buffer; sha256: string }>();
let heldBytes = 0;
let nextHeld = 1;
/** placeFile seals larger files as a stream; their bytes are not kept. */
const HOLD_ONE = 4 * 1024 * 1024;

const changed = (): never => { throw new BlobIntegrityError('the stored file does not belong under this content hash'); };

function release(id: number | undefined): void {
  const h = id !== undefined ? held.get(id) : undefined;
  if (!h) return;
  held.delete(id!);
  heldBytes -= h.bytes.length;
}

/** Files a worker places at once. */
const PLACE_LANES = 4;

parentPort?.on('message', (m: { id: number; job: FileJob }) => {
  run(m.job, (partial) => parentPort!.postMessage({ id: m.id, partial } satisfies WorkerReply)).then(
    (value) => parentPort!.postMessage({ id: m.id, ok: true, value } satisfies WorkerReply, (value !== null && typeof value === 'object' && transfers.get(value)) || []),
    (e: Error & { code?: string }) => parentPort!.postMessage({
      id: m.id, ok: false,
      // A refusal worded for the clerk crosses over whole.
      error: { name: e.name, message: e.message, ...(typeof e.code === 'string' ? { code: e.code } : {}), ...(e instanceof DeskError ? { desk: e.toPayload() } : {}) },
    } satisfies WorkerReply),
  );
});
