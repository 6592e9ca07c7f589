// The OCR job: reads the queued files of the compartments the session holds, one page at a time, in
// the background and at low priority, and puts each page's text into the level's database and the
// record's full-text index.
//   - Resumable: a page is committed with its text, the queue's count and the record's index entry in
//     one transaction; a crash (kill -9) loses at most the page being read, which the next run reads
//     again; a page already done is never read twice (ocr_pages' key).
//   - Never in clear on disk: the file is decrypted into memory and piped to the tools (tools.ts).
//   - A page with a real text layer is not recognised: its text is taken as it is (pdftotext).
//   - Cancellable: cancel() kills the running tool and stops before the next page; the queue keeps
//     what is left for the next start. The lock stops it the same way.
// Progress: files and pages done of those known, and the rate of recognised pages per minute.
import type { OcrPageView, OcrStatus } from '../../../common/contract';
import { secrecyRank } from '../../../common/domain';
import { DeskError } from '../../../common/errors';
import { appendAudit } from '../audit/auditLog';
import type { Level } from '../compartments/levels';
import type { ContextSource, CoreContext } from '../context';
import { locate } from '../documents/arms';
import { visibleArm } from '../documents/incoming';
import { locateOutgoing } from '../outgoing/records';
import { indexIncoming, unindexIncoming } from '../documents/search';
import type { Db } from '../db/connection';
import { writeTx } from '../db/transaction';
import { authorize, type Actor } from '../org/rights';
import { indexOutgoingOcr, onOcrQueued } from './queue';
import {
  findOcrTools, hasTextLayer, OcrToolError, pdfPageCount, pdfPageText, RASTER_DPI, rasterisePage, recognise, tiffPageCount, type OcrTools,
} from './tools';

/** Attempts before a file that keeps failing is set aside (state 'failed', with the reason). */
export const OCR_MAX_ATTEMPTS = 3;
/** Largest file the job reads into memory. */
const MAX_FILE_BYTES = 512 * 1024 * 1024;
/** Recognised pages the rate is measured over. */
const RATE_WINDOW = 20;

export interface OcrSource extends ContextSource {
  readonly session: Actor | null;
  onLock(listener: () => void): void;
}

/** A queued file: an incoming document's attachment, or an outgoing document's file (exactly one of the two ids). */
interface QueueItem { level: Level; schema: string; attachmentId: number; incomingId: number | null; outgoingId: number | null; pages: number | null; attempts: number }
interface FileRow { mime: string; sha256: string; sealed_for: number | null; superseded: number }

const IDLE: OcrStatus = { state: 'idle', files: { done: 0, total: 0 }, pages: { done: 0, total: 0 }, recognised: 0, pagesPerMinute: null, current: null, problem: null };

export class OcrService {
  private auto = false;
  private unsubscribe: (() => void) | null = null;
  private tools: OcrTools | { missing: string[] } | null = null;
  private controller: AbortController | null = null;
  private running: Promise<void> | null = null;
  private runningGen = -1;
  /** Bumped at lock: a run of an ended session stops at its next step. */
  private generation = 0;
  private again = false;
  private status_: OcrStatus = { ...IDLE };
  private recent: number[] = [];
  private readonly listeners = new Set<(s: OcrStatus) => void>();

  constructor(private readonly vault: OcrSource) {
    vault.onLock(() => {
      this.generation++;
      this.controller?.abort();
      this.status_ = { ...IDLE };
    });
  }

  /** The app and the development host run the job on their own (at unlock, when files are queued); the core alone (tests, CLI) when asked. */
  get autoStart(): boolean {
    return this.auto;
  }
  set autoStart(on: boolean) {
    this.auto = on;
    this.unsubscribe?.();
    this.unsubscribe = on
      ? onOcrQueued(() => {
        if (this.vault.session && this.status_.state !== 'cancelled') void this.start().catch(() => undefined);
      })
      : null;
  }

  /** At unlock (Desk): the job picks up what is queued, when the workstation runs it on its own. */
  sessionStarted(): void {
    if (this.auto) void this.start().catch(() => undefined);
  }

  /** Hears the status after every page and at the end of a run. */
  onProgress(listener: (s: OcrStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The job's state and the queue of the levels this session holds. */
  status(actor?: Actor): OcrStatus {
    if (actor) authorize(actor, 'doc.read');
    if (!this.vault.session) return { ...IDLE };
    return { ...this.status_, ...this.counts(this.vault.context()) };
  }

  /** Starts (or continues) the job; a run in progress covers the call. Resolves when the queue is empty or the job stops. */
  start(actor?: Actor): Promise<void> {
    if (actor) authorize(actor, 'doc.register');
    // A run of this session covers the call (it looks at the queue again before it ends).
    if (this.running && this.runningGen === this.generation) {
      this.again = true;
      return this.running;
    }
    // A run of an ended session is stopping (at its next step): this one starts once it has.
    const prev = this.running;
    const gen = this.generation;
    const controller = new AbortController();
    this.controller = controller;
    this.runningGen = gen;
    const run: Promise<void> = (async () => {
      if (prev) await prev.catch(() => undefined);
      do {
        this.again = false;
        await this.run(gen, controller.signal);
      } while (this.again && !controller.signal.aborted && gen === this.generation);
    })().finally(() => {
      if (this.running === run) {
        this.running = null;
        this.controller = null;
      }
    });
    this.running = run;
    return run;
  }

  /** Stops the job now (the tool at work is killed); what is left stays queued. */
  async cancel(actor?: Actor): Promise<OcrStatus> {
    if (actor) authorize(actor, 'doc.register');
    const running = this.running;
    this.controller?.abort();
    // Said at once: the run, stopped, no longer updates the state.
    if (this.vault.session) this.update({ state: 'cancelled', current: null });
    if (running) await running.catch(() => undefined);
    return this.status();
  }

  /** Resolves when no run is in progress. */
  async whenIdle(): Promise<void> {
    while (this.running) await this.running.catch(() => undefined);
  }

  /**
   * The text read from one page of a document's file, for the viewer: the same checks as opening the
   * file itself (clearance, need-to-know, a sealed envelope's named person), and the view is recorded.
   */
  pageText(actor: Actor, attachmentId: number, page: number): OcrPageView {
    authorize(actor, 'doc.read');
    const { db, whenWritable } = this.vault.context();
    const { c, entity, entityId } = this.reachable(actor, attachmentId);
    const q = db.prepare(`SELECT state, pages FROM ${c}.ocr_queue WHERE attachment_id = ?`).get(attachmentId) as { state: 'pending' | 'done' | 'failed'; pages: number | null } | undefined;
    const row = db.prepare(`SELECT source, text FROM ${c}.ocr_pages WHERE attachment_id = ? AND page = ?`).get(attachmentId, page) as { source: 'ocr' | 'text'; text: string } | undefined;
    whenWritable(() =>
      writeTx(db, () =>
        appendAudit(db, { userId: actor.id, action: 'attachment.ocrText', entity, entityId, details: { attachmentId, page } }),
      ),
    );
    return {
      attachmentId, page, pages: q?.pages ?? null, state: q ? q.state : 'none',
      source: row?.source ?? null, text: row?.text ?? null,
    };
  }

  /**
   * The compartment and record of a file the person may open: an incoming document's (clearance, its
   * need-to-know, a sealed envelope's named person, as attachments.open) or an outgoing document's (as
   * outgoing.get: clearance, and the văn thư, leaders and the people in its life for a classified one
   * or a draft). Anything else is NOT_FOUND, an unknown id the same as a hidden one.
   */
  private reachable(actor: Actor, attachmentId: number): { c: string; entity: 'incoming' | 'outgoing'; entityId: number } {
    const { db, arms } = this.vault.context();
    const notFound = () => DeskError.keyed('NOT_FOUND', 'attachment.notFound');
    const arm = locate(db, arms, 'attachments', attachmentId);
    if (arm && arm.level !== null) {
      const a = db.prepare(`SELECT a.incoming_id, a.sealed_for, i.secrecy_rank AS rank FROM ${arm.schema}.attachments a JOIN ${arm.schema}.incoming i ON i.id = a.incoming_id WHERE a.id = ?`)
        .get(attachmentId) as { incoming_id: number; sealed_for: number | null; rank: number } | undefined;
      if (!a || a.rank > secrecyRank(actor.clearance)) throw notFound();
      try {
        visibleArm(db, arms, actor, a.incoming_id);
      } catch {
        throw notFound();
      }
      if (a.sealed_for !== null && a.sealed_for !== actor.id) throw DeskError.keyed('FORBIDDEN', 'envelope.namedOnly');
      return { c: arm.schema, entity: 'incoming', entityId: a.incoming_id };
    }
    const out = locate(db, arms, 'outgoing_files', attachmentId);
    if (!out || out.level === null) throw notFound();
    const outgoingId = db.prepare(`SELECT outgoing_id FROM ${out.schema}.outgoing_files WHERE id = ?`).pluck().get(attachmentId) as number;
    let found: { c: string };
    try {
      found = locateOutgoing(db, arms, actor, outgoingId);
    } catch {
      throw notFound();
    }
    if (found.c !== out.schema) throw notFound();
    return { c: out.schema, entity: 'outgoing', entityId: outgoingId };
  }

  private counts(c: CoreContext): Pick<OcrStatus, 'files' | 'pages'> {
    let files = { done: 0, total: 0 };
    let pages = { done: 0, total: 0 };
    for (const arm of c.arms) {
      if (arm.level === null) continue;
      const r = c.db.prepare(`SELECT count(*) AS total, count(*) FILTER (WHERE state <> 'pending') AS done,
        coalesce(sum(pages_done), 0) AS pagesDone, coalesce(sum(pages), 0) AS pagesTotal FROM ${arm.schema}.ocr_queue`).get() as
        { total: number; done: number; pagesDone: number; pagesTotal: number };
      files = { done: files.done + r.done, total: files.total + r.total };
      pages = { done: pages.done + r.pagesDone, total: pages.total + r.pagesTotal };
    }
    return { files, pages };
  }

  private update(s: Partial<OcrStatus>): void {
    this.status_ = { ...this.status_, ...s };
    if (this.listeners.size === 0 || !this.vault.session) return;
    const full = this.status();
    for (const l of this.listeners) l(full);
  }

  private next(c: CoreContext): QueueItem | undefined {
    for (const arm of c.arms) {
      if (arm.level === null) continue;
      const r = c.db.prepare(`SELECT attachment_id AS attachmentId, incoming_id AS incomingId, outgoing_id AS outgoingId, pages, attempts FROM ${arm.schema}.ocr_queue
        WHERE state = 'pending' ORDER BY attempts, attachment_id LIMIT 1`).get() as Omit<QueueItem, 'level' | 'schema'> | undefined;
      if (r) return { ...r, level: arm.level, schema: arm.schema };
    }
    return undefined;
  }

  private async run(gen: number, signal: AbortSignal): Promise<void> {
    this.tools ??= findOcrTools();
    if ('missing' in this.tools) {
      this.update({ state: 'unavailable', problem: `missing: ${this.tools.missing.join(', ')}` });
      return;
    }
    const tools = this.tools;
    this.update({ state: 'running', problem: null });
    const live = () => gen === this.generation && !signal.aborted && this.vault.session !== null;
    while (live()) {
      const c = this.vault.context();
      await c.writable();
      if (!live()) return;
      const item = this.next(c);
      if (!item) break;
      try {
        await this.readFile(c, tools, item, live, signal);
      } catch (err) {
        if (!live()) return;
        const code = err instanceof OcrToolError ? `${err.tool}.${err.code}` : err instanceof DeskError ? err.code : 'error';
        c.log.log('warn', 'OCR of a file failed', { attachmentId: item.attachmentId, level: item.level, reason: code, attempt: item.attempts + 1 });
        await ownTurn(c.db);
        writeTx(c.db, () => c.db.prepare(`UPDATE ${item.schema}.ocr_queue SET attempts = attempts + 1, problem = ?,
          state = CASE WHEN attempts + 1 >= ? THEN 'failed' ELSE state END, finished_at = CASE WHEN attempts + 1 >= ? THEN ? ELSE NULL END
          WHERE attachment_id = ?`).run(code, OCR_MAX_ATTEMPTS, OCR_MAX_ATTEMPTS, new Date().toISOString(), item.attachmentId));
      }
    }
    if (live()) this.update({ state: 'idle', current: null });
  }

  /** Reads the pages of one file not read yet, committing each. */
  private async readFile(c: CoreContext, tools: OcrTools, item: QueueItem, live: () => boolean, signal: AbortSignal): Promise<void> {
    const { db } = c;
    const s = item.schema;
    // An outgoing document's file is read from its original bytes (sha256), never the signed copy:
    // the number and date stamped at the issue are a text layer that would pass for the page's own.
    const file = (item.outgoingId !== null
      ? db.prepare(`SELECT f.mime, f.sha256, NULL AS sealed_for, f.version <> o.version AS superseded FROM ${s}.outgoing_files f
          JOIN ${s}.outgoing o ON o.id = f.outgoing_id WHERE f.id = ?`)
      : db.prepare(`SELECT mime, sha256, sealed_for, 0 AS superseded FROM ${s}.attachments WHERE id = ?`)).get(item.attachmentId) as FileRow | undefined;
    // Gone (moved to another level, destroyed), sealed since, or a draft version replaced since: nothing to read here.
    if (!file || file.sealed_for !== null || file.superseded) {
      await ownTurn(db);
      writeTx(db, () => db.prepare(`DELETE FROM ${s}.ocr_queue WHERE attachment_id = ?`).run(item.attachmentId));
      return;
    }
    if (item.outgoingId !== null && await this.reuse(c, item, file.sha256)) return;
    const bytes = await readBlob(c, item.level, file.sha256);
    try {
      const isPdf = bytes.subarray(0, 1024).includes('%PDF-');
      const isTiff = file.mime === 'image/tiff';
      let pages = item.pages;
      if (pages === null) {
        pages = isPdf ? await pdfPageCount(tools, bytes, { signal }) : isTiff ? tiffPageCount(bytes) : 1;
        if (pages < 1) throw new OcrToolError('failed', isTiff ? 'tiff' : 'pdfinfo', 'no pages');
        const n = pages;
        await ownTurn(db);
        writeTx(db, () => db.prepare(`UPDATE ${s}.ocr_queue SET pages = ? WHERE attachment_id = ?`).run(n, item.attachmentId));
      }
      const done = new Set(db.prepare(`SELECT page FROM ${s}.ocr_pages WHERE attachment_id = ?`).pluck().all(item.attachmentId) as number[]);
      for (let page = 1; page <= pages; page++) {
        if (done.has(page)) continue;
        if (!live()) return;
        this.update({ current: { attachmentId: item.attachmentId, page, pages } });
        let source: 'ocr' | 'text' = 'ocr';
        let text: string;
        if (isPdf) {
          const layer = await pdfPageText(tools, bytes, page, { signal });
          if (hasTextLayer(layer)) {
            source = 'text';
            text = layer.normalize('NFC').replace(/\f/g, '').trim();
          } else {
            const image = await rasterisePage(tools, bytes, page, { signal });
            text = await recognise(tools, image, { dpi: RASTER_DPI, signal });
            image.fill(0);
          }
        } else {
          text = await recognise(tools, bytes, { ...(isTiff ? { page: page - 1 } : {}), signal });
        }
        await ownTurn(db);
        if (!live()) return;
        this.commitPage(c, item, page, source, text);
        if (source === 'ocr') this.recent = [...this.recent, Date.now()].slice(-RATE_WINDOW);
        this.update({ recognised: this.status_.recognised + (source === 'ocr' ? 1 : 0), pagesPerMinute: rate(this.recent) });
      }
      await ownTurn(db);
      if (!live()) return;
      writeTx(db, () => db.prepare(`UPDATE ${s}.ocr_queue SET state = 'done', problem = NULL, finished_at = ? WHERE attachment_id = ?`)
        .run(new Date().toISOString(), item.attachmentId));
    } finally {
      bytes.fill(0);
    }
  }

  /**
   * A file of an outgoing document carried over unchanged into a new version (same bytes) takes the
   * pages read from the earlier one, in one transaction, instead of being read again. False: none read.
   */
  private async reuse(c: CoreContext, item: QueueItem, sha256: string): Promise<boolean> {
    const { db } = c;
    const s = item.schema;
    const donor = db.prepare(`SELECT q.attachment_id AS id, q.pages, q.pages_recognised AS recognised FROM ${s}.ocr_queue q JOIN ${s}.outgoing_files f ON f.id = q.attachment_id
      WHERE q.state = 'done' AND q.outgoing_id IS NOT NULL AND f.sha256 = ? AND q.attachment_id <> ? ORDER BY q.attachment_id LIMIT 1`)
      .get(sha256, item.attachmentId) as { id: number; pages: number; recognised: number } | undefined;
    if (!donor) return false;
    await ownTurn(db);
    writeTx(db, () => {
      db.prepare(`INSERT OR IGNORE INTO ${s}.ocr_pages (attachment_id, page, outgoing_id, source, text, done_at)
        SELECT ?, page, ?, source, text, done_at FROM ${s}.ocr_pages WHERE attachment_id = ?`).run(item.attachmentId, item.outgoingId, donor.id);
      db.prepare(`UPDATE ${s}.ocr_queue SET state = 'done', pages = ?, pages_done = ?, pages_recognised = ?, problem = NULL, finished_at = ? WHERE attachment_id = ?`)
        .run(donor.pages, donor.pages, donor.recognised, new Date().toISOString(), item.attachmentId);
      indexOutgoingOcr(db, s, item.outgoingId!);
    });
    return true;
  }

  /** One page: its text, the queue's count and the record's index entry, in one transaction. */
  private commitPage(c: CoreContext, item: QueueItem, page: number, source: 'ocr' | 'text', text: string): void {
    const { db } = c;
    const s = item.schema;
    writeTx(db, () => {
      db.prepare(`INSERT INTO ${s}.ocr_pages (attachment_id, page, incoming_id, outgoing_id, source, text, done_at) VALUES (?,?,?,?,?,?,?)`)
        .run(item.attachmentId, page, item.incomingId, item.outgoingId, source, text, new Date().toISOString());
      db.prepare(`UPDATE ${s}.ocr_queue SET pages_done = pages_done + 1, pages_recognised = pages_recognised + ? WHERE attachment_id = ?`)
        .run(source === 'ocr' ? 1 : 0, item.attachmentId);
      if (item.outgoingId !== null) {
        indexOutgoingOcr(db, s, item.outgoingId);
        return;
      }
      const incomingId = item.incomingId!;
      const r = db.prepare(`SELECT subject, number_symbol AS numberSymbol, issuer_name AS issuerName, notes FROM ${s}.incoming WHERE id = ?`)
        .get(incomingId) as { subject: string; numberSymbol: string; issuerName: string; notes: string } | undefined;
      if (r) {
        unindexIncoming(db, s, incomingId);
        indexIncoming(db, s, incomingId, r);
      }
    });
  }
}

/**
 * Waits until the connection is between transactions. Another service may hold a transaction open
 * across awaits on this same connection (the legacy import's batches): a write of the job then would
 * be nested into it as a savepoint and share its fate; the job's page must commit on its own.
 */
async function ownTurn(db: Db): Promise<void> {
  while (db.inTransaction) await new Promise((r) => setTimeout(r, 20));
}

/** Pages per minute over the recent recognised pages (null until two are done). */
function rate(times: readonly number[]): number | null {
  if (times.length < 2) return null;
  const span = times[times.length - 1]! - times[0]!;
  return span > 0 ? Math.round(((times.length - 1) * 60_000 / span) * 10) / 10 : null;
}

/** A level's blob, decrypted into memory (never to disk). */
async function readBlob(c: CoreContext, level: Level, sha256: string): Promise<Buffer> {
  const store = c.storeFor(level);
  const size = await store.blobSize(sha256);
  if (size > MAX_FILE_BYTES) throw new OcrToolError('failed', 'store', 'file too large');
  const chunks: Buffer[] = [];
  for await (const chunk of store.openBlob(sha256)) chunks.push(chunk as Buffer);
  const out = Buffer.concat(chunks);
  for (const ch of chunks) ch.fill(0);
  return out;
}
