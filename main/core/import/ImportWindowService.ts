// The legacy import as the window drives it (desk.importWindow): the source is a file the person
// uploaded into their own staging area (a register, or a ZIP of a register and its scans), never a
// path the window names; it stays there, sealed, so a stopped job can carry on later. The heavy
// lifting is ImportService's (the same dry run and job as the CLI); this adds the source read from
// staging, the preview of the first rows as they will be stored, the unknown issuers, saved
// mappings, and runs the dry run and the job in the background with progress and cancel (a run is
// its starter's only: another person's look at it is refused, FORBIDDEN, and so audited).
import { randomBytes } from 'node:crypto';
import { dirname, extname } from 'node:path';
import type {
  ImportDryRunProgress, ImportDryRunView, ImportJobView, ImportPreview, ImportPreviewRow, ImportRunView, ImportSourceView, SavedImportMapping,
} from '../../../common/contract';
import { secrecyRank, type Secrecy } from '../../../common/domain';
import { DeskError, type DeskErrorPayload } from '../../../common/errors';
import { todayIso } from '../../../common/dates';
import type { Mapping } from '../../../common/importMapping';
import type { ContextSource, CoreContext } from '../context';
import { authorize, type Actor } from '../org/rights';
import { emptyCounts, mappedRows, type DryRunProgress, type ValidationReport } from './dryRun';
import { FilePool } from './filePool';
import type { ImportProgress, ImportService } from './ImportService';
import { parseMapping, suggestMapping } from './mapping';
import { unitDirectory } from './normalise/units';
import { unknownIssuers } from './unknownIssuers';
import { QUIRK_TEXT } from './reasons';
import { REGISTER_EXTENSIONS } from './archiveRegister';
import { listMappings, saveMapping, deleteMapping } from './savedMappings';
import { ZipScans, type ScanSet } from './scans';
import type { ReadOptions, ReadSource } from './types';
import { RowValidator, type RowResult } from './validate';
import { looksLikeZip, ZipArchive } from './zipSource';
import type { Readable } from 'node:stream';
import { readArchiveOffThread, readOffThread, type OffThreadRead } from './sourceReader';

const SCAN_EXTENSIONS = new Set(['.pdf', '.tif', '.tiff', '.jpg', '.jpeg', '.png']);
const SCHEME = 'staged';

export interface WindowSource { stagedId: string; entry?: string | undefined }

interface Opened {
  src: ReadSource;
  scans?: ScanSet;
  entry: string | null;
  archive: ZipArchive | null;
  registers: string[];
}

/** A read's cancel and progress: the plaintext's size first, then the bytes read. */
type OpenControl = OffThreadRead & { onTotal?: ((bytes: number) => void) | undefined };

interface Run {
  runId: string; userId: number; jobId: number | null; state: ImportRunView['state'];
  progress: ImportProgress | null; total: number; error: DeskErrorPayload | null; abort: AbortController;
}

/** The dry run's summary for the window and its report (XLSX, handled at `level`). */
export type DryRunResult = Omit<ImportDryRunView, 'ticket' | 'url' | 'fileName'> & { report: Buffer; level: Secrecy };

interface DryRun {
  runId: string; userId: number; state: ImportDryRunProgress['state']; progress: DryRunProgress; error: DeskErrorPayload | null;
  /** The file being read (before any row is checked): bytes of its plaintext read, of the total. */
  phase: ImportDryRunProgress['phase']; reading: { read: number; total: number };
  abort: AbortController; result: DryRunResult | null;
  /** Settles when the run has stopped (done, cancelled or failed). */
  settled: Promise<void>;
}

/** What the service needs of the vault: the context, and the lock (the cache of decrypted sources is dropped then). */
export interface WindowVault extends ContextSource {
  onLock(listener: () => void): void;
}

/** "staged:<id>" or "staged:<id>#<entry>": how a job records a window source (never a path on disk). */
export const sourceRef = (s: WindowSource): string => `${SCHEME}:${s.stagedId}${s.entry ? `#${s.entry}` : ''}`;
function parseRef(ref: string): WindowSource {
  const m = /^staged:([0-9a-f]{32})(?:#(.+))?$/s.exec(ref);
  if (!m) throw DeskError.keyed('NOT_FOUND', 'import.source.gone');
  return { stagedId: m[1]!, ...(m[2] ? { entry: m[2] } : {}) };
}

const readOptionsOf = (m: Pick<Mapping, 'encoding' | 'delimiter' | 'headerRow'>): ReadOptions =>
  ({ encoding: m.encoding, delimiter: m.delimiter, headerRow: m.headerRow });

export class ImportWindowService {
  /** The source read last, and how (one at a time in memory). */
  private parsed: { key: string; userId: number; opened: Opened } | null = null;
  /** Counts the locks: a read that ends after one is not kept. */
  private locks = 0;
  private readonly runs = new Map<string, Run>();
  private readonly dryRuns = new Map<string, DryRun>();

  constructor(private readonly vault: WindowVault, private readonly imports: ImportService) {
    imports.useOpener(SCHEME, (actor, path, mapping, ctl) => this.openRef(actor, parseRef(path), readOptionsOf(mapping), ctl));
    vault.onLock(() => {
      this.parsed = null;
      this.locks++;
      // A lock ends every dry run (stopped at its next slice) and drops every report.
      for (const r of this.dryRuns.values()) { r.abort.abort(); r.result = null; }
    });
  }

  /**
   * The source read (on a worker), or the one read last when it is the same upload read the same way:
   * the mapping screen asks for a preview on every change.
   */
  private async openRef(actor: Actor, s: WindowSource, opts: ReadOptions, ctl: OpenControl = {}): Promise<Opened> {
    // Only the person's own upload (another's is FORBIDDEN; one gone, NOT_FOUND: store.stagedMeta).
    const meta = await this.vault.context().store.stagedMeta(s.stagedId, actor.id);
    const key = JSON.stringify([s.stagedId, s.entry ?? null, opts.encoding ?? null, opts.delimiter ?? null, opts.headerRow ?? null]);
    if (this.parsed && this.parsed.key === key && this.parsed.userId === actor.id) return this.parsed.opened;
    ctl.onTotal?.(meta.size);
    const locks = this.locks;
    const opened = await this.read(actor, s, meta.name, opts, ctl);
    // Locked while it was read: nothing of it is kept (nor the ZIP decrypted for it).
    if (locks !== this.locks) throw DeskError.keyed('NO_SESSION', 'session.locked');
    this.parsed = { key, userId: actor.id, opened };
    return opened;
  }

  private async read(actor: Actor, s: WindowSource, name: string, opts: ReadOptions, ctl: OpenControl): Promise<Opened> {
    const c = this.vault.context();
    const head = await firstChunk(c.store.openStaged(s.stagedId));
    if (!looksLikeZip(head)) {
      if (s.entry) throw DeskError.keyed('VALIDATION', 'import.zip.chooseRegister');
      if (!REGISTER_EXTENSIONS.has(extname(name).toLowerCase())) throw DeskError.keyed('VALIDATION', 'import.source.notRegister', { name });
      // A text register or a DBF: decrypted, decoded and parsed as it streams in, on a worker.
      const { stagingDir, stagingKey } = c.store.handoff();
      const src = await readOffThread({ staged: { stagingDir, stagingKey, stagedId: s.stagedId }, name }, opts, ctl);
      // A register uploaded alone has no scans with it: a row naming a file finds none.
      return { src, scans: new NoScans(), entry: null, archive: null, registers: [] };
    }
    // A ZIP (a register and its scans) or a workbook: decrypted, told apart, checked and parsed on a
    // worker; an archive's plaintext comes back (moved) for its scans, which are read from it here.
    const { stagingDir, stagingKey } = c.store.handoff();
    const got = await readArchiveOffThread({ staged: { stagingDir, stagingKey, stagedId: s.stagedId }, name, entry: s.entry }, opts, ctl);
    if (!got.archive) return { src: got.source, scans: new NoScans(), entry: null, archive: null, registers: [] };
    // The policy was checked on the worker; the directory is read again here (it is the archive this thread holds).
    const zip = ZipArchive.open(got.archive.bytes);
    const { entry, registers } = got.archive;
    // Path columns are relative to the register's own folder inside the archive, as they are on disk.
    const base = dirname(entry) === '.' ? '' : dirname(entry);
    return { src: got.source, scans: new ZipScans(zip, base), entry, archive: zip, registers };
  }

  /** The source as read: format, encoding, delimiter, sheets, first rows, quirks, and a first mapping. */
  async open(actor: Actor, s: WindowSource & { encoding?: Mapping['encoding'] | undefined; delimiter?: string | undefined; headerRow?: number | undefined }): Promise<ImportSourceView> {
    authorize(actor, 'doc.register');
    const opts: ReadOptions = { encoding: s.encoding, delimiter: s.delimiter, headerRow: s.headerRow };
    const o = await this.openRef(actor, s, opts);
    const first = o.src.tables[0];
    const delimiter = o.src.format === 'csv' ? o.src.delimiter ?? null : null;
    const suggested = suggestMapping(first?.headers ?? []);
    return {
      stagedId: s.stagedId,
      entry: o.entry,
      name: o.src.name,
      format: o.src.format,
      encoding: o.src.encoding ?? null,
      encodingDetected: o.src.encoding !== undefined && !s.encoding,
      delimiter,
      delimiterDetected: delimiter !== null && !s.delimiter,
      sheets: o.src.tables.map((t) => ({ name: t.sheet, headers: t.headers, rows: t.rows.length })),
      sample: (first?.rows ?? []).slice(0, 5).map((r) => ({ sheet: r.sheet, row: r.row, cells: Object.fromEntries(Object.entries(r.cells).map(([k, v]) => [k, v.formula !== undefined ? `=${v.formula}` : v.text])) })),
      quirks: o.src.quirks.map((q) => ({ ...q, text: QUIRK_TEXT[q.code] })),
      archive: o.archive ? {
        registers: o.registers, files: o.archive.files.length,
        scans: o.archive.files.filter((f) => SCAN_EXTENSIONS.has(extname(f.name).toLowerCase())).length,
      } : null,
      suggested: { ...suggested, ...(s.encoding ? { encoding: s.encoding } : {}), ...(s.delimiter ? { delimiter: s.delimiter } : {}), ...(s.headerRow ? { headerRow: s.headerRow } : {}) },
    };
  }

  /** The first rows exactly as they will be stored, with their reasons; the issuers not in the directory over all rows. */
  async preview(actor: Actor, s: WindowSource, mappingInput: Mapping, limit: number): Promise<ImportPreview> {
    authorize(actor, 'doc.register');
    const mapping = this.checked(mappingInput);
    const o = await this.openRef(actor, s, readOptionsOf(mapping));
    const c = this.vault.context();
    const missingColumns: ImportPreview['missingColumns'] = [];
    const rows = mappedRows(o.src, mapping, missingColumns);
    const validator = new RowValidator(this.validatorContext(c, actor, o), mapping);
    const shown: ImportPreviewRow[] = [];
    for (const row of rows.slice(0, limit)) shown.push(rowView(await validator.check(row)));
    return { rows: shown, total: rows.length, unknownUnits: unknownIssuers(unitDirectory(c.db), rows, mapping), missingColumns };
  }

  /**
   * Starts the dry run in the background and returns at once: every row checked (nothing written) a
   * slice at a time, the window following it with dryRunProgress(); its report, once done, from
   * dryRunReport(). A person has one dry run: a new one stops and drops the one before.
   */
  async dryRunStart(actor: Actor, s: WindowSource, mappingInput: Mapping): Promise<ImportDryRunProgress> {
    authorize(actor, 'doc.register');
    const mapping = this.checked(mappingInput);
    // Only the person's own upload (refused here, before any run is reported as started).
    await this.vault.context().store.stagedMeta(s.stagedId, actor.id);
    for (const [id, r] of this.dryRuns) if (r.userId === actor.id) { r.abort.abort(); r.result = null; this.dryRuns.delete(id); }
    const abort = new AbortController();
    const run: DryRun = {
      runId: randomBytes(16).toString('hex'), userId: actor.id, state: 'running', error: null, abort, result: null, settled: Promise.resolve(),
      phase: 'reading', reading: { read: 0, total: 0 },
      progress: { total: 0, checked: 0, counts: emptyCounts(), rate: 0, secondsLeft: null, elapsedSeconds: 0 },
    };
    this.dryRuns.set(run.runId, run);
    run.settled = this.checkAll(run, actor, s, mapping);
    return dryView(run);
  }

  dryRunProgress(actor: Actor, runId: string): ImportDryRunProgress {
    authorize(actor, 'doc.register');
    return dryView(this.dryRunOf(actor, runId));
  }

  /** Cancel really stops: at the next slice (about 10 ms), with no report; nothing was written either way. */
  dryRunCancel(actor: Actor, runId: string): ImportDryRunProgress {
    authorize(actor, 'doc.register');
    const run = this.dryRunOf(actor, runId);
    run.abort.abort();
    return dryView(run);
  }

  /** The finished dry run's summary and report (XLSX). */
  dryRunReport(actor: Actor, runId: string): DryRunResult {
    authorize(actor, 'doc.register');
    const run = this.dryRunOf(actor, runId);
    if (run.state !== 'done' || !run.result) throw DeskError.keyed('VALIDATION', 'import.dryRun.notDone');
    return run.result;
  }

  /** Every row checked and the report made, in one call (the dry run in the background, awaited). */
  async dryRun(actor: Actor, s: WindowSource, mappingInput: Mapping): Promise<DryRunResult> {
    const started = await this.dryRunStart(actor, s, mappingInput);
    const run = this.dryRuns.get(started.runId)!;
    await run.settled;
    if (run.error) throw DeskError.fromPayload(run.error);
    return this.dryRunReport(actor, started.runId);
  }

  private async checkAll(run: DryRun, actor: Actor, s: WindowSource, mapping: Mapping): Promise<void> {
    const { signal } = run.abort;
    try {
      const report = await this.imports.dryRunInSlices(actor, sourceRef(s), mapping, {
        signal, onRead: (p) => { run.reading = p; }, onProgress: (p) => { run.phase = 'checking'; run.progress = p; },
      });
      if (!report || signal.aborted) { run.state = 'cancelled'; return; }
      const xlsx = await reportOffThread(report);
      if (signal.aborted) { run.state = 'cancelled'; return; }
      // The report names rows by their values' reasons: it is handled at the highest level among them.
      let level: Secrecy = 'thuong';
      for (const r of report.rows) if (r.record && secrecyRank(r.record.secrecy) > secrecyRank(level)) level = r.record.secrecy;
      run.result = {
        counts: report.counts,
        total: report.rows.length,
        quirks: report.quirks,
        missingColumns: report.missingColumns,
        unknownUnits: report.unknownUnits.map((u) => ({ name: u.name, rows: u.count })),
        problems: report.rows.filter((r) => r.status !== 'ok').slice(0, 200).map(rowView),
        report: xlsx,
        level,
      };
      run.state = 'done';
    } catch (err) {
      if (signal.aborted) { run.state = 'cancelled'; return; }
      run.state = 'failed';
      run.error = err instanceof DeskError ? err.toPayload() : { code: 'INTERNAL', message: 'Lỗi không mong đợi.' };
    }
  }

  private dryRunOf(actor: Actor, runId: string): DryRun {
    return ownRun(this.dryRuns.get(runId), actor);
  }

  /** Starts the job in the background; the window follows it with progress(). */
  async start(actor: Actor, s: WindowSource, mappingInput: Mapping): Promise<ImportRunView> {
    authorize(actor, 'doc.register');
    const mapping = this.checked(mappingInput);
    const run = this.newRun(actor);
    // The source is read (and refused) before the run is reported as started.
    await this.openRef(actor, s, readOptionsOf(mapping));
    this.track(run, this.imports.start(actor, sourceRef(s), mapping, this.runOptions(run)));
    return view(run);
  }

  /** Carries on a stopped job of this person's (cancelled, or cut off by a lock or a crash). */
  async resume(actor: Actor, jobId: number): Promise<ImportRunView> {
    authorize(actor, 'doc.register');
    const job = this.imports.job(actor, jobId);
    if (!job || job.createdBy !== actor.id) throw DeskError.keyed('NOT_FOUND', 'import.run.notFound');
    if ([...this.runs.values()].some((r) => r.jobId === jobId && r.state === 'running')) throw DeskError.keyed('VALIDATION', 'import.run.active');
    const run = this.newRun(actor);
    run.jobId = jobId;
    run.total = job.total;
    this.track(run, this.imports.resume(actor, jobId, this.runOptions(run)));
    return view(run);
  }

  progress(actor: Actor, runId: string): ImportRunView {
    authorize(actor, 'doc.register');
    return view(this.runOf(actor, runId));
  }

  /** Cancel really stops: between two rows; what is committed stays, and the job can be resumed. */
  cancel(actor: Actor, runId: string): ImportRunView {
    authorize(actor, 'doc.register');
    const run = this.runOf(actor, runId);
    run.abort.abort();
    return view(run);
  }

  /** This person's jobs, newest first. */
  jobs(actor: Actor): ImportJobView[] {
    authorize(actor, 'doc.register');
    const { db } = this.vault.context();
    const rows = db.prepare(`SELECT id, source_name AS sourceName, source_path AS sourcePath, state, total, imported, duplicates, rejected,
      created_at AS createdAt, updated_at AS updatedAt FROM import_jobs WHERE created_by = ? ORDER BY id DESC LIMIT 50`).all(actor.id) as Array<
      Omit<ImportJobView, 'runId' | 'resumable'> & { sourcePath: string }>;
    return rows.map(({ sourcePath, ...j }) => {
      const active = [...this.runs.values()].find((r) => r.jobId === j.id && r.state === 'running');
      return { ...j, runId: active?.runId ?? null, resumable: !active && j.state !== 'done' && sourcePath.startsWith(`${SCHEME}:`) };
    });
  }

  mappings(actor: Actor): SavedImportMapping[] {
    authorize(actor, 'doc.register');
    const { db } = this.vault.context();
    const names = new Map((db.prepare('SELECT id, full_name FROM users').all() as Array<{ id: number; full_name: string }>).map((u) => [u.id, u.full_name]));
    return listMappings(db).map((m) => ({ name: m.name, mapping: m.mapping, savedAt: m.savedAt, savedBy: names.get(m.savedBy) ?? '' }));
  }

  async saveMapping(actor: Actor, name: string, mapping: Mapping): Promise<SavedImportMapping[]> {
    authorize(actor, 'doc.register');
    const c = this.vault.context();
    await c.writable();
    saveMapping(c.db, name, this.checked(mapping), actor.id, c.now());
    return this.mappings(actor);
  }

  async deleteMapping(actor: Actor, name: string): Promise<SavedImportMapping[]> {
    authorize(actor, 'doc.register');
    const c = this.vault.context();
    await c.writable();
    deleteMapping(c.db, name);
    return this.mappings(actor);
  }

  /** A mapping from the window: no folder (files come from the archive), and units that are in the directory. */
  private checked(input: Mapping): Mapping {
    const mapping = parseMapping(input);
    if (mapping.files.folder !== undefined) throw DeskError.keyed('VALIDATION', 'input.invalid', undefined, { at: 'mapping.files.folder' });
    const { db } = this.vault.context();
    const known = new Set((db.prepare('SELECT id FROM units WHERE is_self = 0').pluck().all() as number[]));
    for (const id of Object.values(mapping.units)) if (!known.has(id)) throw DeskError.keyed('VALIDATION', 'import.unit.notFound', undefined, { at: 'mapping.units' });
    return mapping;
  }

  private validatorContext(c: CoreContext, actor: Actor, o: Opened) {
    return { db: c.db, arms: c.arms, actor, today: todayIso(c.now()), folder: '', sourceSha256: o.src.sha256, ...(o.scans ? { scans: o.scans } : {}) };
  }

  private newRun(actor: Actor): Run {
    const run: Run = { runId: randomBytes(16).toString('hex'), userId: actor.id, jobId: null, state: 'running', progress: null, total: 0, error: null, abort: new AbortController() };
    this.runs.set(run.runId, run);
    return run;
  }

  private runOptions(run: Run) {
    return {
      signal: run.abort.signal,
      onProgress: (p: ImportProgress) => { run.progress = p; run.jobId = p.jobId; run.total = p.total; },
    };
  }

  private track(run: Run, work: Promise<{ job: { id: number; total: number; imported: number; duplicates: number; rejected: number }; cancelled: boolean }>): void {
    work.then(({ job, cancelled }) => {
      run.jobId = job.id;
      run.total = job.total;
      const handled = job.imported + job.duplicates + job.rejected;
      run.progress = {
        jobId: job.id, total: job.total, handled, imported: job.imported, duplicates: job.duplicates, rejected: job.rejected, rate: run.progress?.rate ?? 0, secondsLeft: cancelled ? null : 0,
        elapsedSeconds: run.progress?.elapsedSeconds ?? 0, state: cancelled ? 'cancelled' : 'done',
      };
      run.state = cancelled ? 'cancelled' : 'done';
    }, (err: unknown) => {
      run.state = 'failed';
      run.error = err instanceof DeskError ? err.toPayload() : { code: 'INTERNAL', message: 'Lỗi không mong đợi.' };
    });
  }

  private runOf(actor: Actor, runId: string): Run {
    return ownRun(this.runs.get(runId), actor);
  }
}

/** A run is its starter's only: another person's look at it is refused (FORBIDDEN: the router audits it). */
function ownRun<R extends { userId: number }>(run: R | undefined, actor: Actor): R {
  if (!run) throw DeskError.keyed('NOT_FOUND', 'import.run.notFound');
  if (run.userId !== actor.id) throw DeskError.keyed('FORBIDDEN', 'import.run.notYours');
  return run;
}

/** The report written as XLSX on a worker (a large source's report takes seconds to write). */
async function reportOffThread(report: ValidationReport): Promise<Buffer> {
  const pool = new FilePool(1);
  try {
    // The rows' prepared records are not in the report: only where each row is, its status and reasons.
    const slim: ValidationReport = { ...report, rows: report.rows.map(({ record: _record, ...r }) => r) };
    return Buffer.from(await pool.run<Uint8Array>({ op: 'report', report: slim }));
  } finally {
    await pool.close();
  }
}

function dryView(run: DryRun): ImportDryRunProgress {
  const p = run.progress;
  return {
    runId: run.runId, state: run.state, phase: run.phase, bytesRead: run.reading.read, bytesTotal: run.reading.total,
    total: p.total, checked: p.checked, counts: { ...p.counts }, rate: p.rate,
    secondsLeft: run.state === 'running' ? p.secondsLeft : null, error: run.error,
  };
}

/** The first chunk of a stream (the stream then closed). */
async function firstChunk(stream: Readable): Promise<Buffer> {
  try {
    for await (const chunk of stream) return Buffer.from(chunk as Uint8Array);
    return Buffer.alloc(0);
  } finally {
    stream.destroy();
  }
}

/** An upload without scans beside it. */
class NoScans implements ScanSet {
  resolve(written: string) {
    return Promise.resolve({ ok: false as const, code: written.trim() ? 'fileMissing' : 'missingFile', ...(written.trim() ? { detail: written } : {}) });
  }
}

function view(run: Run): ImportRunView {
  const p = run.progress;
  return {
    runId: run.runId, jobId: run.jobId, state: run.state, total: p?.total ?? run.total, handled: p?.handled ?? 0, imported: p?.imported ?? 0,
    duplicates: p?.duplicates ?? 0, rejected: p?.rejected ?? 0, rate: p?.rate ?? 0, secondsLeft: p?.secondsLeft ?? null, error: run.error,
  };
}

function rowView(r: RowResult): ImportPreviewRow {
  const rec = r.record;
  return {
    sheet: r.sheet, row: r.row, status: r.status, reasons: r.reasons.map((x) => ({ ...x })),
    record: rec ? {
      issuer: rec.issuer.name, issuerUnitId: rec.issuer.unitId ?? null, numberSymbol: rec.numberSymbol, documentDate: rec.documentDate,
      arrivalDate: rec.arrivalDate, typeCode: rec.typeCode, subject: rec.subject, secrecy: rec.secrecy, urgency: rec.urgency,
      deadline: rec.deadline ?? null, recipients: rec.recipients, notes: rec.notes, file: rec.file?.name ?? null,
    } : null,
  };
}
