// The legacy import as a service (desk.imports): read a source, dry-run it, and run it as a
// resumable job. Rows go through the window's own registration (documents/incoming.ts: the same checks,
// numbering, compartment, full-text index, events, audit), the journal row of each source row in the
// same transaction, so a job killed at any point and resumed does each row exactly once.
//
// The heavy work is on worker threads (fileWorker.ts): reading and parsing the source, resolving,
// hashing and checking each row's file, encrypting accepted files into their level's store. This
// thread checks rows against the profile (in slices of sliceMs, the event loop given back between
// them); the rows are written by a database worker with a connection of its own to the session's
// database (importWriter.ts, writeWorker.ts), in transactions of txMs, so their commits and WAL
// checkpoints never hold the window. A context that cannot hand its database out (a plain profile)
// has them written here in short transactions. While one batch is written the workers already
// prepare the next.
//
// A source opened by a hook ("scheme:…", the window's uploads: ImportWindowService) is read on this
// thread, and its scans (an archive's entries, ScanSet) are resolved and placed here too: the archive
// is held decrypted in this thread's memory only; the workers still place nothing of it.
import { createHash } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { todayIso } from '../../../common/dates';
import { DeskError } from '../../../common/errors';
import { secrecyRank, type Secrecy } from '../../../common/domain';
import type { ContextSource, CoreContext } from '../context';
import { BatchDuplicates } from '../documents/duplicates';
import type { NumberAuthority } from '../documents/sharedNumbering';
import { authorize, type Actor } from '../org/rights';
import { dryRun, dryRunInSlices, mappedRows, type DryRunOptions, type ValidationReport } from './dryRun';
import { FilePool } from './filePool';
import type { OpenedSource, PlaceFile, ResolveAnswer } from './fileWorker';
import type { ResolvedFile } from './files';
import { announceOcrQueued } from '../ocr/queue';
import { giveBackUnused, numberRows } from './importNumbering';
import { ImportWriter } from './importWriter';
import { createJob, getJob, rowStanding, setJobState, type JobRow, type JobState } from './journal';
import { parseMapping, type Mapping } from './mapping';
import type { Normalised } from './normalise/result';
import { readOffThread, type OffThreadRead } from './sourceReader';
import { recoverLostRows } from './recover';
import type { ScanSet } from './scans';
import type { ReadOptions, ReadSource, SourceRow } from './types';
import { RowValidator, rowKey, type PendingLookup, type RowResult } from './validate';
import { Turns } from './turns';
import { rowToWrite, writeSlice, type JournalEntry, type RowToWrite } from './writeSlice';

export interface ImportProgress {
  jobId: number;
  total: number;
  /** Rows handled so far, by this run and the runs before it. */
  handled: number;
  imported: number;
  duplicates: number;
  rejected: number;
  /** Rows per second in this run. */
  rate: number;
  /** Seconds left at that rate; null until there is a rate. */
  secondsLeft: number | null;
  /** Seconds this run has taken so far. */
  elapsedSeconds: number;
  /** running while rows are being handled; cancelled or done with the last report of a run. */
  state: JobState;
}

export interface RunOptions {
  /** Rows the workers prepare at a time (default 1 000). */
  batchSize?: number;
  /** Cancel: the job stops at the next transaction boundary, keeps what is committed and can be resumed. */
  signal?: AbortSignal;
  /** After each committed transaction. */
  onProgress?: (p: ImportProgress) => void;
  /** Worker threads (default: one per core, at most four). */
  workers?: number;
  /**
   * Milliseconds of database work per transaction before the event loop is given back, when the rows
   * are written on this thread (default 8); the job's other loops here take at most 5 ms a turn (TURN_MS).
   */
  sliceMs?: number;
  /**
   * Milliseconds of work per transaction of the database worker (default 100), which writes when the
   * session hands its database to one (CoreContext.dbHandoff); the main thread's own writes wait at
   * most that long for it.
   */
  txMs?: number;
  /**
   * Bytes of resolved files the workers keep, together, until they are placed (default 16 MB; 0:
   * none kept, each file read again when placed). Each file kept is read once: less CPU, more memory.
   */
  holdBytes?: number;
  /**
   * Each registration written with its own statements, as the window writes one (slower): the
   * reference the set-wise writes are compared with (tests; the bench's SD_IMPORT_PER_ROW=1). Default false.
   */
  perRow?: boolean;
}

export interface ImportOutcome { job: JobRow; cancelled: boolean }

const readOptions = (m: Mapping) => ({ encoding: m.encoding, delimiter: m.delimiter, headerRow: m.headerRow });

/**
 * A source that is not a path on this machine: "scheme:…" (the window's uploads, kept sealed in the
 * person's staging area: ImportWindowService). It reads the register and says where its files are.
 */
export type SourceOpener = (actor: Actor, path: string, mapping: Mapping, ctl?: OffThreadRead & { onTotal?: (bytes: number) => void }) => Promise<{ src: ReadSource; scans?: ScanSet }>;

export class ImportService {
  /** The jobs running in this process: their cancel and their last progress. */
  private readonly running = new Map<number, { controller: AbortController; last: ImportProgress | null }>();
  private readonly openers = new Map<string, SourceOpener>();

  /**
   * The agency server numbering shared registers, while linked (agencySync.ts): each batch's numbers
   * are asked of it before the batch is written (importNumbering.ts).
   */
  numbering: NumberAuthority | null = null;

  constructor(private readonly source: ContextSource) {}

  /** Sources named "scheme:…" are read by `opener` (a hook for the window's uploads). */
  useOpener(scheme: string, opener: SourceOpener): void {
    this.openers.set(scheme, opener);
  }

  /** The source read and parsed on a worker (a file here, or an opener's). */
  private async open(actor: Actor, path: string, mapping: Mapping, ctl: DryRunOptions = {}): Promise<{ src: ReadSource; scans?: ScanSet }> {
    const scheme = /^([a-z]{3,}):/.exec(path)?.[1];
    const opener = scheme ? this.openers.get(scheme) : undefined;
    let total = 0;
    const read: OffThreadRead & { onTotal: (n: number) => void } = {
      signal: ctl.signal, onTotal: (n) => { total = n; ctl.onRead?.({ read: 0, total }); }, onBytes: (n) => ctl.onRead?.({ read: n, total }),
    };
    if (opener) return opener(actor, path, mapping, read);
    read.onTotal((await stat(path)).size);
    return { src: await readOffThread({ path }, readOptions(mapping), read) };
  }

  /** Reads a source file (for the mapping screen: sheets, titles, first rows, quirks). */
  async read(actor: Actor, path: string, mapping?: Mapping): Promise<ReadSource> {
    authorize(actor, 'doc.register');
    return readOffThread({ path }, mapping ? readOptions(mapping) : {});
  }

  /** Every row checked as the job would, nothing written. */
  async dryRun(actor: Actor, path: string, mappingInput: Mapping): Promise<ValidationReport> {
    authorize(actor, 'doc.register');
    const mapping = parseMapping(mappingInput);
    const { src, scans } = await this.open(actor, path, mapping);
    const c = this.source.context();
    return dryRun(this.validatorContext(c, actor, this.folderOf(path, mapping), src.sha256, scans), src, mapping);
  }

  /**
   * The dry run a slice at a time (the window's: the event loop given back between slices, progress
   * after each, cancel at the next); null when cancelled.
   */
  async dryRunInSlices(actor: Actor, path: string, mappingInput: Mapping, opts: DryRunOptions): Promise<ValidationReport | null> {
    authorize(actor, 'doc.register');
    const mapping = parseMapping(mappingInput);
    let src: ReadSource;
    let scans: ScanSet | undefined;
    try {
      ({ src, scans } = await this.open(actor, path, mapping, opts));
    } catch (err) {
      if (opts.signal?.aborted) return null;
      throw err;
    }
    if (opts.signal?.aborted) return null;
    const c = this.source.context();
    return dryRunInSlices(this.validatorContext(c, actor, this.folderOf(path, mapping), src.sha256, scans), src, mapping, opts);
  }

  /** Starts a job on a source and runs it to the end (or until cancelled). */
  async start(actor: Actor, path: string, mappingInput: Mapping, opts: RunOptions = {}): Promise<ImportOutcome> {
    authorize(actor, 'doc.register');
    const mapping = parseMapping(mappingInput);
    const pool = new FilePool(opts.workers);
    try {
      const { feed, scans } = await this.openFeed(pool, actor, path, mapping);
      const c = this.source.context();
      await c.writable();
      const jobId = createJob(c.db, {
        sourcePath: this.isOpened(path) ? path : resolve(path), sourceName: feed.name, sourceSha256: feed.sha256, mapping,
        folder: this.folderOf(path, mapping), total: feed.total, by: actor.id, now: c.now(),
      });
      return await this.run(actor, jobId, feed, pool, opts, scans);
    } finally {
      await pool.close();
    }
  }

  /** Resumes a job where it stopped: the source must be the same file (same SHA-256). */
  async resume(actor: Actor, jobId: number, opts: RunOptions = {}): Promise<ImportOutcome> {
    authorize(actor, 'doc.register');
    const c = this.source.context();
    const job = getJob(c.db, jobId);
    if (!job || job.createdBy !== actor.id) throw DeskError.keyed('NOT_FOUND', 'input.invalid', undefined, { details: { job: jobId } });
    if (this.running.has(jobId)) throw DeskError.keyed('VALIDATION', 'input.invalid', undefined, { details: { job: jobId, running: true } });
    const pool = new FilePool(opts.workers);
    try {
      const { feed, scans } = await this.openFeed(pool, actor, job.sourcePath, job.mapping);
      if (feed.sha256 !== job.sourceSha256) throw DeskError.keyed('VALIDATION', 'structure.import.changed');
      await c.writable();
      // A kill between the base's and a compartment's commit: those rows are taken back and redone (recover.ts).
      recoverLostRows(c.db, c.arms, jobId, actor.id, c.now());
      if (getJob(c.db, jobId)!.state === 'cancelled') setJobState(c.db, jobId, 'running', c.now());
      return await this.run(actor, jobId, feed, pool, opts, scans);
    } finally {
      await pool.close();
    }
  }

  job(actor: Actor, jobId: number): JobRow | undefined {
    authorize(actor, 'doc.register');
    return getJob(this.source.context().db, jobId);
  }

  /** The last progress of a job running in this process (null: not running here). */
  progress(actor: Actor, jobId: number): ImportProgress | null {
    authorize(actor, 'doc.register');
    return this.running.get(jobId)?.last ?? null;
  }

  /**
   * Cancels a job running in this process: it stops at its next transaction boundary, with everything
   * before it committed, as state 'cancelled' (resume carries on). False: no such job runs here.
   */
  cancel(actor: Actor, jobId: number): boolean {
    authorize(actor, 'doc.register');
    const r = this.running.get(jobId);
    if (!r) return false;
    r.controller.abort();
    return true;
  }

  private validatorContext(c: CoreContext, actor: Actor, folder: string, sha256: string, scans?: ScanSet) {
    return { db: c.db, arms: c.arms, actor, today: todayIso(c.now()), folder, sourceSha256: sha256, ...(scans ? { scans } : {}) };
  }

  private isOpened(path: string): boolean {
    const scheme = /^([a-z]{3,}):/.exec(path)?.[1];
    return scheme !== undefined && this.openers.has(scheme);
  }

  /** Path columns are relative to the mapping's folder, else to the source file's folder (an opened source's files are its own). */
  private folderOf(path: string, mapping: Mapping): string {
    return this.isOpened(path) ? path : folderOf(path, mapping);
  }

  /**
   * The source's rows: a path is read and parsed on a worker (its rows stay there); a source opened by
   * a hook is read here, with its scans (resolved on this thread: an archive's entries are in memory here).
   */
  private async openFeed(pool: FilePool, actor: Actor, path: string, mapping: Mapping): Promise<{ feed: RowFeed; scans?: ScanSet }> {
    if (!this.isOpened(path)) {
      const src = await openOffThread(pool, path, readOptions(mapping), mapping);
      return { feed: { ...src, rows: (from, count) => pool.run<SourceRow[]>({ op: 'rows', handle: src.handle, from, count }, SOURCE_WORKER) } };
    }
    const { src, scans } = await this.open(actor, path, mapping);
    const rows = mappedRows(src, mapping);
    const feed: RowFeed = { name: src.name, sha256: src.sha256, total: rows.length, rows: async (from, count) => rows.slice(from, from + count) };
    return scans ? { feed, scans } : { feed };
  }

  private async run(actor: Actor, jobId: number, feed: RowFeed, pool: FilePool, opts: RunOptions, scans?: ScanSet): Promise<ImportOutcome> {
    const controller = new AbortController();
    const signal = opts.signal ? AbortSignal.any([opts.signal, controller.signal]) : controller.signal;
    const entry = { controller, last: null as ImportProgress | null };
    this.running.set(jobId, entry);
    try {
      return await new JobRun(this.source, actor, jobId, feed, pool, { ...opts, signal }, (p) => { entry.last = p; opts.onProgress?.(p); }, scans, this.numbering).run();
    } finally {
      this.running.delete(jobId);
    }
  }
}

/** A job's rows a batch at a time (held on a worker, or here for an opened source). */
interface RowFeed { name: string; sha256: string; total: number; rows(from: number, count: number): Promise<SourceRow[]> }

/** A row of a batch on its way: its standing in the journal, its file as the workers found it, its check. */
interface Pending {
  row: SourceRow;
  key: string;
  standing: ReturnType<typeof rowStanding>;
  names: string[];
  resolved?: Normalised<ResolvedFile>;
  checked?: RowResult;
  /** Refused before registration (the attachment store's limits), as registerRefused:CODE. */
  refused?: string;
  /** Its file's bytes, kept by that worker since it resolved them (read once: sealed from the bytes hashed). */
  held?: { worker: number; id: number };
}

/**
 * The bytes of resolved files the workers keep, together, until placed. Two batches may be in flight
 * (about 150 MB of scans at the bench's sizes): this keeps part of them. Measured, the second read of
 * a file still in the page cache costs little CPU, and every MB kept is resident: docs/legacy-import.md.
 */
// 16 MB: the measured CPU gain of keeping more was within the noise, and the memory is resident
// against the import's 300 MB target; small files (most scans of one page) are still read once.
const HOLD_BYTES = 16 * 1024 * 1024;

/** At most this many rows of a write slice have their duplicates looked up at once (on this thread). */
const LOOKUP_AHEAD = 256;
/** On the database worker: its transactions are long, the look-ups of up to this many rows at once. */
const WORKER_LOOKUP_AHEAD = 1024;
/** Rows whose profile duplicates the check looks up at once (two queries; a few ms of the loop). */
const CHECK_LOOKUPS = 256;
/**
 * Rows per message to and from the workers: a message's structured clone runs whole on this thread
 * (1 000 rows to the database worker: about 10 ms of serialising), so a batch crosses in parts.
 */
const ROWS_PER_MESSAGE = 200;
/**
 * The most the job's loops run on this thread in one turn of the event loop (sliceMs when smaller). A
 * tick of the window's 10 ms timers then waits at most about this long (plus a message's clone or a
 * scavenge): the bench's event-loop p99 target is 20 ms between two ticks.
 */
const TURN_MS = 5;

/** A checked batch whose files are being placed: the markers of its blobs once they are. */
interface Placed { batch: Pending[]; last: boolean; markers: Promise<string[]> }

/** One run of a job: batches prepared by the workers, checked and written here in short transactions. */
class JobRun {
  private readonly batchSize: number;
  private readonly sliceMs: number;
  private readonly txMs: number;
  /** The job's loops on this thread share one slice per turn of the event loop. */
  private readonly turns: Turns;
  /** The database worker writing this run's rows (null: written on this thread), once started. */
  private writer: ImportWriter | null = null;
  private writerReady: Promise<ImportWriter | null> = Promise.resolve(null);
  private readonly started = Date.now();
  private doneHere = 0;
  /** Rows the last write slice held: the next one looks up twice as many rows' duplicates ahead. */
  private lastSliceRows = 0;
  private counts = { imported: 0, duplicates: 0, rejected: 0, total: 0 };
  /** The row keys of the batch being written that a committed transaction imported. */
  private readonly imported = new Set<string>();
  private readonly validator: RowValidator;
  private readonly folder: string;
  private readonly total: number;

  constructor(
    private readonly source: ContextSource, private readonly actor: Actor, private readonly jobId: number, private readonly src: RowFeed,
    private readonly pool: FilePool, private readonly opts: RunOptions & { signal: AbortSignal }, private readonly report: (p: ImportProgress) => void,
    /** An opened source's scans: resolved by the validator on this thread (with the signature check). */
    private readonly scans?: ScanSet,
    /** The agency server numbering the registers while linked: each batch's numbers asked before it is written. */
    private readonly numbering: NumberAuthority | null = null,
  ) {
    this.batchSize = Math.max(1, opts.batchSize ?? 1000);
    this.sliceMs = Math.max(1, opts.sliceMs ?? 8);
    this.txMs = Math.max(1, opts.txMs ?? 100);
    this.turns = new Turns(Math.min(this.sliceMs, TURN_MS));
    const c = source.context();
    const job = getJob(c.db, jobId)!;
    this.folder = job.folder;
    this.validator = new RowValidator({
      db: c.db, arms: c.arms, actor, today: todayIso(c.now()), folder: job.folder, sourceSha256: src.sha256, ...(scans ? { scans, signatures: true } : {}),
    }, job.mapping);
    this.total = src.total;
    this.counts = { imported: job.imported, duplicates: job.duplicates, rejected: job.rejected, total: job.total };
  }

  async run(): Promise<ImportOutcome> {
    // The worker starts while the first batch is prepared, checked and placed (its first write awaits it).
    this.writerReady = this.startWriter();
    const stopWriter = () => this.writer?.cancel();
    this.opts.signal.addEventListener('abort', stopWriter, { once: true });
    try {
      return await this.runBatches();
    } finally {
      this.opts.signal.removeEventListener('abort', stopWriter);
      await (this.writer ?? (await this.writerReady))?.close();
      this.writer = null;
    }
  }

  /** The database worker, when the session hands its database out (else the rows are written on this thread). */
  private async startWriter(): Promise<ImportWriter | null> {
    const c = this.source.context();
    const handoff = c.dbHandoff?.() ?? null;
    if (!handoff) return null;
    try {
      return await ImportWriter.start(handoff, this.actor, this.jobId, { txMs: this.txMs, lookAhead: WORKER_LOOKUP_AHEAD, perRow: this.opts.perRow === true });
    } catch (err) {
      c.log.log('warn', 'the import database worker did not start: rows are written on the main thread', { error: (err as Error).message });
      return null;
    }
  }

  private async runBatches(): Promise<ImportOutcome> {
    let cancelled = false;
    let next: Promise<Pending[]> | null = this.total > 0 ? this.prepare(0) : null;
    // The batch checked before this one, its files being placed by the workers: written once they are.
    let placed: Placed | null = null;
    try {
      for (let i = 0; i < this.total; i += this.batchSize) {
        const batch = await next!;
        // The workers read and hash the next batch while this one is checked, placed and written.
        next = i + this.batchSize < this.total ? this.prepare(i + this.batchSize) : null;
        next?.catch(() => undefined);
        if (this.opts.signal.aborted) { cancelled = true; break; }
        this.source.context(); // a session locked meanwhile ends the job here (NO_SESSION), before a read
        await this.check(batch);
        const c = this.source.context(); // a locked session ends the job here (NO_SESSION)
        await c.writable();
        // This batch's files go into the stores while the batch before it is written (the main thread
        // would otherwise wait for the workers); each batch is written only once its own blobs are durable.
        const current: Placed = { batch, last: i + this.batchSize >= this.total, markers: this.place(c, batch) };
        current.markers.catch(() => undefined);
        const before = placed;
        placed = current;
        if (before && !(await this.write(before))) { cancelled = true; break; }
      }
      if (!cancelled && placed) {
        const lastBatch = placed;
        placed = null;
        cancelled = !(await this.write(lastBatch));
      }
    } finally {
      // A batch placed but not written (cancel, error): its placing ends before the workers do (no
      // half-written blob left); its marker stays, and the next unlock removes the blobs no record took.
      if (placed) await placed.markers.catch(() => undefined);
    }
    const c = this.source.context();
    const final = getJob(c.db, this.jobId)!;
    if (cancelled && final.state === 'running') { await c.writable(); setJobState(c.db, this.jobId, 'cancelled', c.now()); }
    if (!cancelled && final.state === 'running') { await c.writable(); setJobState(c.db, this.jobId, 'done', c.now()); }
    const job = getJob(c.db, this.jobId)!;
    this.progress(job.state);
    return { job, cancelled };
  }

  /** A batch's standing in the journal and its files resolved by the workers. */
  private async prepare(from: number): Promise<Pending[]> {
    const end = Math.min(this.total, from + this.batchSize);
    // A thousand rows' journal look-ups and file names hold the loop for tens of milliseconds: in slices too.
    const batch: Pending[] = [];
    for (let at = from; at < end; at += ROWS_PER_MESSAGE) {
      const rows = await this.src.rows(at, Math.min(ROWS_PER_MESSAGE, end - at));
      for (const row of rows) {
        const key = rowKey(this.src.sha256, row.sheet, row.row);
        batch.push({ row, key, standing: rowStanding(this.source.context().db, this.jobId, key), names: this.scans ? [] : this.validator.fileNames(row) });
        await this.turns.pause();
      }
    }
    const withFile = batch.filter((p) => p.names.length > 0);
    // Each worker keeps the bytes it read of small files (up to its share of HOLD_BYTES) until they are placed.
    const hold = Math.floor(Math.max(0, this.opts.holdBytes ?? HOLD_BYTES) / this.pool.size);
    const answers = await this.pool.spreadPinned<Pending, ResolveAnswer>(withFile, (slice) => ({ op: 'resolve', folder: this.folder, names: slice.map((p) => p.names), hold }));
    withFile.forEach((p, k) => {
      const { value, worker } = answers[k]!;
      if (value.resolved) p.resolved = value.resolved;
      if (value.held !== undefined) p.held = { worker, id: value.held };
    });
    return batch;
  }

  /**
   * Checks a batch, in order (duplicates within the source depend on it), in slices; then the profile's
   * duplicates of the rows left, set-wise (BatchDuplicates: two queries for up to CHECK_LOOKUPS rows,
   * each row findDuplicates' answer). Nothing is written on this connection meanwhile; the rows the
   * database worker commits meanwhile are this source's, found by the check as duplicates in the source.
   */
  private async check(batch: Pending[]): Promise<void> {
    const yieldIfLong = async () => {
      if (!this.turns.spent) return;
      await this.turns.next();
      this.source.context(); // locked while the loop was given back: NO_SESSION, the validator's connection is closed
    };
    const pending: Array<{ p: Pending; wait: PendingLookup }> = [];
    for (const p of batch) {
      const recall = p.standing !== null && p.standing !== 'importedElsewhere';
      const r = await this.validator.checkInSource(p.row, recall, p.resolved);
      if ('lookup' in r) pending.push({ p, wait: r });
      else p.checked = r;
      await yieldIfLong();
    }
    const c = this.source.context();
    const maxRank = secrecyRank(this.actor.clearance);
    for (let i = 0; i < pending.length; i += CHECK_LOOKUPS) {
      const chunk = pending.slice(i, i + CHECK_LOOKUPS);
      const dups = new BatchDuplicates(c.db, c.arms, chunk.map((x) => x.wait.lookup), maxRank);
      for (const { p, wait } of chunk) p.checked = wait.finish(dups.find(wait.lookup));
      await yieldIfLong();
    }
  }

  /** Writes a checked batch once its files are placed; false when cancelled part-way (what is committed stays). */
  private async write({ batch, last, markers: placing }: Placed): Promise<boolean> {
    const markers = await placing;
    const todo = batch.filter((p) => p.standing === null || p.standing === 'importedElsewhere').map(rowToWrite);
    const numbered = await this.askNumbers(todo);
    this.writer ??= await this.writerReady;
    this.imported.clear();
    const written = await (this.writer ? this.writeOnWorker(this.writer, todo, last) : this.writeHere(todo, last));
    // The server's numbers no committed record took (a row refused at registration, a cancel) go back.
    if (this.numbering) await giveBackUnused(this.numbering, numbered.filter((p) => !this.imported.has(p.checked.key)));
    if (!written) return false;
    // Every record of the batch is committed: the markers of its blobs are no longer needed. (A
    // cancelled batch keeps them: the next unlock removes the blobs no record took.)
    await Promise.all(markers.map((m) => rm(m, { force: true })));
    return true;
  }

  /** While linked: the batch's numbers from the agency server; out of reach on a workstation that is not the home, the job pauses. */
  private async askNumbers(todo: RowToWrite[]): Promise<RowToWrite[]> {
    if (!this.numbering || todo.length === 0) return [];
    const c = this.source.context();
    const job = getJob(c.db, this.jobId)!;
    try {
      return await numberRows(c.db, this.numbering, this.actor, job, todo, c.now());
    } catch (e) {
      // Paused: stopped resumable, what is committed kept; the clerk resumes once the server is back.
      if (e instanceof DeskError && e.key === 'numbering.importServerUnreachable') { await c.writable(); setJobState(c.db, this.jobId, 'cancelled', c.now()); }
      throw e;
    }
  }

  /** The batch in the database worker's transactions (long ones: their commits are off this thread). */
  private async writeOnWorker(writer: ImportWriter, todo: RowToWrite[], last: boolean): Promise<boolean> {
    if (todo.length === 0) return true;
    if (this.opts.signal.aborted) return false;
    const ctx = this.source.context();
    await ctx.writable();
    const { stopped } = await writer.write(todo, last, ctx.now(), { perMessage: ROWS_PER_MESSAGE, pause: () => this.turns.next() }, (journal) => {
      this.committed(journal);
      // The OCR job listens on this thread: the worker's connection queued the files.
      if (journal.some((j) => j.outcome === 'imported')) announceOcrQueued();
      this.progress('running');
    });
    // Locked while the worker wrote (it stopped, or had just finished the batch): the job ends NO_SESSION.
    if (writer.sessionEnded) throw DeskError.keyed('NO_SESSION', 'session.ended');
    // A level re-keyed meanwhile (its worker connection closed first): the job stops where it is, resumable.
    if (writer.rekeyed) throw DeskError.keyed('VALIDATION', 'import.levelRekeyed');
    return !stopped;
  }

  /** The batch in short transactions on this thread (sliceMs each), the event loop given back between them. */
  private async writeHere(todo: RowToWrite[], last: boolean): Promise<boolean> {
    let k = 0;
    while (k < todo.length) {
      if (this.opts.signal.aborted) return false;
      const ctx = this.source.context();
      await ctx.writable();
      const { next, journal } = writeSlice(ctx, this.actor, this.jobId, todo, k, last, { ms: this.sliceMs, lookAhead: LOOKUP_AHEAD, previousRows: this.lastSliceRows, perRow: this.opts.perRow === true });
      this.committed(journal);
      k = next;
      this.progress('running');
      await this.turns.next();
    }
    return true;
  }

  /**
   * Encrypts the files of the rows to register into their levels' stores, on the workers, each level's
   * batch marked first. A file whose bytes a worker kept since resolving it is sealed by that worker
   * from those bytes (read once); the others are read again there, their hash checked.
   */
  private async place(c: CoreContext, batch: Pending[]): Promise<string[]> {
    try {
      return await this.placeFiles(c, batch);
    } finally {
      // The kept bytes of the batch's other files (refused, duplicates, the same file twice) are dropped.
      const byWorker = new Map<number, number[]>();
      for (const p of batch) {
        if (!p.held) continue;
        const ids = byWorker.get(p.held.worker) ?? [];
        ids.push(p.held.id);
        byWorker.set(p.held.worker, ids);
      }
      await Promise.all([...byWorker].map(([w, release]) => this.pool.run({ op: 'release', release }, w).catch(() => undefined)));
    }
  }

  private async placeFiles(c: CoreContext, batch: Pending[]): Promise<string[]> {
    const limit = c.attachmentLimit();
    const byLevel = new Map<Secrecy, Map<string, { f: ResolvedFile; held: Pending['held'] }>>();
    for (const p of batch) {
      const f = p.checked?.record?.file;
      if (!f || p.standing !== null) continue; // handled by an earlier run, or imported by another job
      if (p.checked!.status !== 'ok' && p.checked!.status !== 'warning') continue;
      // The attachment store's own limits, as staging enforces them for the window.
      if (f.size === 0) { p.refused = 'FILE_EMPTY'; continue; }
      if (f.size > limit) { p.refused = 'FILE_TOO_LARGE'; continue; }
      const level = p.checked!.record!.secrecy;
      const files = byLevel.get(level) ?? new Map<string, { f: ResolvedFile; held: Pending['held'] }>();
      // The same file on two rows: placed once, from the first row's kept bytes if any.
      const had = files.get(f.sha256);
      if (!had || (!had.held && p.held)) files.set(f.sha256, { f, held: p.held });
      byLevel.set(level, files);
    }
    const markers: string[] = [];
    for (const [level, files] of byLevel) {
      const store = c.storeFor(level);
      const marker = await c.store.markPlacingMany(store, [...files.keys()]);
      if (marker) markers.push(marker);
      const handoff = store.handoff();
      const onDisk = [...files.values()].filter((x) => !x.f.open);
      const kept = new Map<number, PlaceFile[]>();
      for (const { f, held } of onDisk) {
        if (!held) continue;
        const list = kept.get(held.worker) ?? [];
        list.push({ path: f.path, sha256: f.sha256, size: f.size, held: held.id });
        kept.set(held.worker, list);
      }
      const others = onDisk.filter((x) => !x.held).map(({ f }) => ({ sha256: f.sha256, path: f.path, size: f.size }));
      const answers = await Promise.all([
        ...[...kept].map(([w, list]) => this.pool.run<string[]>({ op: 'place', store: handoff, files: list }, w)),
        this.pool.spread<PlaceFile, string>(others, (slice) => ({ op: 'place', store: handoff, files: slice })),
      ]);
      const folders = new Set(answers.flat());
      // An archive's entries are in this thread's memory (ZipScans): encrypted into the store here.
      for (const { f } of files.values()) {
        if (!f.open) continue;
        const chunks: Buffer[] = [];
        for await (const chunk of f.open()) chunks.push(Buffer.from(chunk as Uint8Array));
        const bytes = Buffer.concat(chunks);
        if (createHash('sha256').update(bytes).digest('hex') !== f.sha256) throw new Error('an archive entry changed while the job ran');
        await store.putBytes(bytes, undefined, { durable: true });
        folders.add(dirname(store.blobPath(f.sha256)));
      }
      // The blobs' names durable before the commit that refers to them: each folder synced once per batch.
      await store.syncFolders(folders);
    }
    return markers;
  }

  /** A committed transaction's rows counted (nothing of a rolled-back one is). */
  private committed(journal: readonly JournalEntry[]): void {
    this.lastSliceRows = journal.length;
    for (const j of journal) if (j.outcome === 'imported') this.imported.add(j.key);
    this.doneHere += journal.length;
    for (const j of journal) this.counts[j.outcome === 'imported' ? 'imported' : j.outcome === 'duplicate' ? 'duplicates' : 'rejected']++;
  }

  private progress(state: JobState): void {
    const rate = this.doneHere / Math.max(0.001, (Date.now() - this.started) / 1000);
    const handled = this.counts.imported + this.counts.duplicates + this.counts.rejected;
    this.report({
      jobId: this.jobId, total: this.counts.total, handled, imported: this.counts.imported, duplicates: this.counts.duplicates, rejected: this.counts.rejected,
      rate, secondsLeft: rate > 0 ? Math.max(0, this.counts.total - handled) / rate : null, elapsedSeconds: (Date.now() - this.started) / 1000, state,
    });
  }
}

/**
 * The source read and parsed on a worker (a register of 100 000 rows takes seconds to parse); its rows
 * stay there and come a batch at a time, so this thread never holds (nor copies) the whole source.
 */
async function openOffThread(pool: FilePool, path: string, options: ReadOptions, mapping: Mapping): Promise<OpenedSource> {
  return pool.run<OpenedSource>({ op: 'open', path, options, mapping }, SOURCE_WORKER);
}

/** The worker that holds the source's rows. */
const SOURCE_WORKER = 0;

/** Path columns are relative to the mapping's folder, else to the source file's folder. */
function folderOf(path: string, mapping: Mapping): string {
  return resolve(mapping.files.folder ?? dirname(resolve(path)));
}
