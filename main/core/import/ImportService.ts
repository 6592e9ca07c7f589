// The legacy import as a service (desk.imports): read a source, dry-run it, and run it as a
// resumable job. Rows go through registerIncoming, the window's own registration (numbering,
// compartment, full-text index, events, audit), in batches of one write transaction each; the
// journal row of each source row is written in the same transaction, so a job killed at any point
// and resumed does each row exactly once. Cancel stops between rows and keeps what is committed.
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { dirname, resolve } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { todayIso } from '../../../common/dates';
import { DeskError } from '../../../common/errors';
import type { ContextSource, CoreContext } from '../context';
import { registerIncoming, type RegisterInput } from '../documents/incoming';
import { authorize, type Actor } from '../org/rights';
import { dryRun, mappedRows, type ValidationReport } from './dryRun';
import { createJob, getJob, journalRow, rowStanding, setJobState, type JobRow } from './journal';
import { parseMapping, type Mapping } from './mapping';
import { readSource } from './readers/source';
import type { ReadSource } from './types';
import type { ScanSet } from './scans';
import { RowValidator, rowKey, type PreparedRecord } from './validate';

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
}

export interface RunOptions {
  batchSize?: number;
  signal?: AbortSignal;
  onProgress?: (p: ImportProgress) => void;
}

export interface ImportOutcome { job: JobRow; cancelled: boolean }

const readOptions = (m: Mapping) => ({ encoding: m.encoding, delimiter: m.delimiter, headerRow: m.headerRow });

/**
 * A source that is not a path on this machine: "scheme:…" (the window's uploads, kept sealed in the
 * person's staging area: ImportWindowService). It reads the register and says where its files are.
 */
export type SourceOpener = (actor: Actor, path: string, mapping: Mapping) => Promise<{ src: ReadSource; scans?: ScanSet }>;

export class ImportService {
  private readonly openers = new Map<string, SourceOpener>();

  constructor(private readonly source: ContextSource) {}

  /** Sources named "scheme:…" are read by `opener` (a hook for the window's uploads). */
  useOpener(scheme: string, opener: SourceOpener): void {
    this.openers.set(scheme, opener);
  }

  private async open(actor: Actor, path: string, mapping: Mapping): Promise<{ src: ReadSource; scans?: ScanSet }> {
    const scheme = /^([a-z]{3,}):/.exec(path)?.[1];
    const opener = scheme ? this.openers.get(scheme) : undefined;
    if (opener) return opener(actor, path, mapping);
    return { src: await readSource(path, readOptions(mapping)) };
  }

  /** Reads a source file (for the mapping screen: sheets, titles, first rows, quirks). */
  async read(actor: Actor, path: string, mapping?: Mapping): Promise<ReadSource> {
    authorize(actor, 'doc.register');
    return readSource(path, mapping ? readOptions(mapping) : {});
  }

  /** Every row checked as the job would, nothing written. */
  async dryRun(actor: Actor, path: string, mappingInput: Mapping): Promise<ValidationReport> {
    authorize(actor, 'doc.register');
    const mapping = parseMapping(mappingInput);
    const { src, scans } = await this.open(actor, path, mapping);
    const c = this.source.context();
    return dryRun(this.validatorContext(c, actor, this.folderOf(path, mapping), src.sha256, scans), src, mapping);
  }

  /** Starts a job on a source and runs it to the end (or until cancelled). */
  async start(actor: Actor, path: string, mappingInput: Mapping, opts: RunOptions = {}): Promise<ImportOutcome> {
    authorize(actor, 'doc.register');
    const mapping = parseMapping(mappingInput);
    const { src, scans } = await this.open(actor, path, mapping);
    const c = this.source.context();
    await c.writable();
    const total = mappedRows(src, mapping).length;
    const jobId = createJob(c.db, {
      sourcePath: this.isOpened(path) ? path : resolve(path), sourceName: src.name, sourceSha256: src.sha256, mapping, folder: this.folderOf(path, mapping), total, by: actor.id, now: c.now(),
    });
    return this.run(actor, jobId, src, opts, scans);
  }

  /** Resumes a job where it stopped: the source must be the same file (same SHA-256). */
  async resume(actor: Actor, jobId: number, opts: RunOptions = {}): Promise<ImportOutcome> {
    authorize(actor, 'doc.register');
    const c = this.source.context();
    const job = getJob(c.db, jobId);
    if (!job || job.createdBy !== actor.id) throw DeskError.keyed('NOT_FOUND', 'input.invalid', undefined, { details: { job: jobId } });
    const { src, scans } = await this.open(actor, job.sourcePath, job.mapping);
    if (src.sha256 !== job.sourceSha256) throw DeskError.keyed('VALIDATION', 'structure.import.changed');
    if (job.state === 'cancelled') { await c.writable(); setJobState(c.db, jobId, 'running', c.now()); }
    return this.run(actor, jobId, src, opts, scans);
  }

  job(actor: Actor, jobId: number): JobRow | undefined {
    authorize(actor, 'doc.register');
    return getJob(this.source.context().db, jobId);
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

  private async run(actor: Actor, jobId: number, src: ReadSource, opts: RunOptions, scans?: ScanSet): Promise<ImportOutcome> {
    const batchSize = opts.batchSize ?? 500;
    let c = this.source.context();
    const job = getJob(c.db, jobId)!;
    const validator = new RowValidator(this.validatorContext(c, actor, job.folder, src.sha256, scans), job.mapping);
    const rows = mappedRows(src, job.mapping);
    const started = Date.now();
    let doneHere = 0;
    let cancelled = false;
    for (let i = 0; i < rows.length && !cancelled; i += batchSize) {
      c = this.source.context(); // a locked session ends the job here (NO_SESSION)
      await c.writable();
      const { db } = c;
      db.exec('BEGIN IMMEDIATE');
      try {
        for (const row of rows.slice(i, i + batchSize)) {
          if (opts.signal?.aborted) { cancelled = true; break; }
          const key = rowKey(src.sha256, row.sheet, row.row);
          const standing = rowStanding(db, jobId, key);
          // A row an earlier run handled is only remembered (duplicates within the source); not redone.
          const checked = await validator.check(row, standing !== null && standing !== 'importedElsewhere');
          if (standing !== null && standing !== 'importedElsewhere') continue;
          doneHere++;
          const at = { key: checked.key, sheet: row.sheet, row: row.row };
          if (standing === 'importedElsewhere') journalRow(db, jobId, { ...at, outcome: 'duplicate', reason: 'alreadyImported' });
          else if (checked.status === 'rejected') journalRow(db, jobId, { ...at, outcome: 'rejected', reason: checked.reasons.map((r) => r.code).join(',') });
          else if (checked.status === 'duplicate') journalRow(db, jobId, { ...at, outcome: 'duplicate', reason: checked.reasons.map((r) => r.code).join(',') });
          else {
            try {
              const recordId = await this.register(c, actor, checked.record!);
              journalRow(db, jobId, { ...at, outcome: 'imported', recordId });
            } catch (err) {
              if (!(err instanceof DeskError)) throw err;
              journalRow(db, jobId, { ...at, outcome: 'rejected', reason: `registerRefused:${err.code}` });
            }
          }
        }
        if (cancelled) setJobState(db, jobId, 'cancelled', c.now());
        else if (i + batchSize >= rows.length) setJobState(db, jobId, 'done', c.now());
        db.exec('COMMIT');
      } catch (err) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw err;
      }
      const j = getJob(db, jobId)!;
      const rate = doneHere / Math.max(0.001, (Date.now() - started) / 1000);
      const handled = j.imported + j.duplicates + j.rejected;
      opts.onProgress?.({ jobId, total: j.total, handled, imported: j.imported, duplicates: j.duplicates, rejected: j.rejected, rate,
        secondsLeft: rate > 0 ? Math.max(0, j.total - handled) / rate : null });
      // Lets the event loop breathe between batches (the window, the token watch, a cancel).
      await nextTurn();
    }
    const final = getJob(this.source.context().db, jobId)!;
    if (rows.length === 0 && final.state === 'running') {
      const ctx = this.source.context();
      setJobState(ctx.db, jobId, 'done', ctx.now());
    }
    return { job: getJob(this.source.context().db, jobId)!, cancelled };
  }

  /** One record through the window's registration path; its file staged first, as the window does. */
  private async register(c: CoreContext, actor: Actor, r: PreparedRecord): Promise<number> {
    const stagedIds: string[] = [];
    if (r.file) {
      const bytes: Readable = r.file.open ? r.file.open() : createReadStream(r.file.path);
      stagedIds.push((await c.store.stage(bytes, r.file.name, c.attachmentLimit(), actor.id)).stagedId);
    }
    const { file: _file, issuer, ...rest } = r;
    const input: RegisterInput = {
      ...rest,
      issuer: issuer.unitId !== undefined ? { name: issuer.name, unitId: issuer.unitId } : { name: issuer.name },
      stagedIds,
      // The importer decided duplicates itself (symbol + issuer + date, or file) and legacy rows are
      // registered in the past: both are recorded in the audit entry of each record.
      acknowledgeDuplicates: true,
      acknowledgeOutOfOrder: true,
    };
    try {
      return (await registerIncoming(c, actor, input)).id;
    } catch (err) {
      for (const id of stagedIds) await c.store.discard(id).catch(() => undefined);
      throw err;
    }
  }
}

/** Path columns are relative to the mapping's folder, else to the source file's folder. */
function folderOf(path: string, mapping: Mapping): string {
  return resolve(mapping.files.folder ?? dirname(resolve(path)));
}
