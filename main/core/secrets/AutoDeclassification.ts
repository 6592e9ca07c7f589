// Automatic declassification (Luật Bảo vệ bí mật nhà nước): when a record's protection period has
// ended (its end date is before today in Vietnam) and no extension was decided, the law declassifies
// it. The app carries that out while someone who holds the level and has the authority (rules.ts:
// mayAutoDeclassify) is signed in: at unlock, then at each Vietnam midnight while the session lasts.
//
// Each due record goes the way of a confirmed declassification (LevelChangeService.confirm), in
// steps that each survive a crash:
//   1. the decision in the record's compartment: a level change of kind 'declassify', marked
//      automatic, with the authority and the notice to the holders (15 days); no second confirmation
//      (the law decided), the signed-in person recorded as the witness. A later run that finds it
//      reuses it;
//   2. the move journal and the audit entry, together in the base (the job as the actor, the
//      signed-in person as witness);
//   3. the journaled move to Thường (compartments/move.ts), finished at the next run if interrupted.
// A record on hold, or with a level decision pending, is left, its reason kept (auto_declassify_skips)
// and audited when it first appears. A large batch runs in chunks, yielding between them; locking
// stops it between two records, and the next run takes up where it stopped.
import type { AutoDeclassifyStatus } from '../../../common/contract';
import { addDaysIso, formatDateVn, todayIso } from '../../../common/dates';
import { DeskError } from '../../../common/errors';
import type { AttachmentStore } from '../attachments/store';
import { appendAudit } from '../audit/auditLog';
import { nextRecordId } from '../compartments/ids';
import { LEVELS, schemaOf, type Level } from '../compartments/levels';
import { journalMove, pendingMoves, resumeMove, type MoveJournal } from '../compartments/move';
import type { ContextSource, CoreContext } from '../context';
import type { Db } from '../db/connection';
import { writeTx } from '../db/transaction';
import { recordChange } from '../events/eventLog';
import { newGlobalId } from '../events/globalId';
import type { Actor } from '../org/rights';
import { composeNotice, type NoticeChange } from './notice';
import { AUTO_DECLASSIFY_REASON, autoDeclassifyAuthority, mayAutoDeclassify, PROTECTION_YEARS } from './rules';

/** Records handled between two yields to the event loop. */
export const AUTO_DECLASSIFY_CHUNK = 50;
/** How the job names itself in the audit trail. */
export const AUTO_DECLASSIFY_JOB = 'auto_declassification';

type Classified = Exclude<Level, 'thuong'>;

/** The end of a level's protection period, as an SQL expression over `i` (one level per compartment). */
export const protectionEndSql = (level: Classified): string =>
  `coalesce(i.protection_until, date(i.document_date, '+${PROTECTION_YEARS[level]} years'))`;

/**
 * The records of a level whose protection has ended by @today: two index ranges (a period written on
 * the record; else the document date, with a day of slack for 29 February), then the exact end, so
 * that the run at every unlock never reads every record of the level.
 */
export const dueSql = (c: string, level: Classified): string => `SELECT i.id FROM ${c}.incoming i WHERE i.protection_until < @today
  UNION ALL
  SELECT i.id FROM ${c}.incoming i WHERE i.protection_until IS NULL AND i.document_date < date(@today, '-${PROTECTION_YEARS[level]} years', '+1 day')
    AND ${protectionEndSql(level)} < @today`;

/** The vault as the job sees it: the open profile, the signed-in person, the clock. */
export interface JobSource extends ContextSource {
  readonly session: Actor | null;
  readonly now: () => Date;
}

const IDLE: AutoDeclassifyStatus = { state: 'idle', total: 0, done: 0, skipped: 0, resumed: 0, failed: 0, startedAt: null, finishedAt: null };

/** Milliseconds from `now` to just after the next midnight in Vietnam. */
export function untilNextVietnamMidnight(now: Date): number {
  const today = todayIso(now);
  // Vietnam keeps UTC+7 all year (no daylight saving): its midnight is 17:00 UTC of the day before.
  const next = Date.parse(`${addDaysIso(today, 1)}T00:00:00+07:00`);
  return Math.max(1000, next - now.getTime() + 1000);
}

export class AutoDeclassification {
  private timer: NodeJS.Timeout | null = null;
  /** Bumped at every session start and end: a run of an earlier session stops at its next step. */
  private generation = 0;
  private running: Promise<AutoDeclassifyStatus> | null = null;
  private runningGen = -1;
  private current: AutoDeclassifyStatus = { ...IDLE };
  private readonly listeners = new Set<(s: AutoDeclassifyStatus) => void>();

  constructor(private readonly source: JobSource, private readonly chunk = AUTO_DECLASSIFY_CHUNK) {}

  /** At unlock: a run now, then one just after each midnight (Vietnam) while the session lasts. */
  sessionStarted(): void {
    this.sessionEnding();
    const gen = ++this.generation;
    this.current = { ...IDLE };
    this.kick(gen);
    this.schedule(gen);
  }

  /** At lock: the timer is cancelled and a run in progress stops before its next record. */
  sessionEnding(): void {
    this.generation++;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  status(): AutoDeclassifyStatus {
    return { ...this.current };
  }

  /** Hears the status after every chunk and at the end of a run. */
  onProgress(listener: (s: AutoDeclassifyStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves with the status once no run is in progress. */
  async whenIdle(): Promise<AutoDeclassifyStatus> {
    while (this.running) await this.running;
    return this.status();
  }

  /** Starts a run now for the current session (none while one is in progress); resolves when it ends. */
  runNow(): Promise<AutoDeclassifyStatus> {
    this.kick(this.generation);
    return this.whenIdle();
  }

  private schedule(gen: number): void {
    this.timer = setTimeout(() => {
      if (gen !== this.generation) return;
      this.kick(gen);
      this.schedule(gen);
    }, untilNextVietnamMidnight(this.source.now()));
    this.timer.unref();
  }

  private kick(gen: number): void {
    // A run of this session is under way: it covers this call. A run of an ended session is stopping
    // (at its next step): this session's run starts once it has.
    if (this.running && this.runningGen === gen) return;
    const prev = this.running;
    this.runningGen = gen;
    const run = (async () => {
      if (prev) await prev;
      return gen === this.generation ? this.run(gen) : this.status();
    })().finally(() => {
      if (this.running === run) this.running = null;
    });
    this.running = run;
  }

  private emit(): void {
    const s = this.status();
    for (const l of this.listeners) {
      try {
        l(s);
      } catch {
        /* a listener's failure is its own */
      }
    }
  }

  private async run(gen: number): Promise<AutoDeclassifyStatus> {
    const live = () => gen === this.generation && this.source.session !== null;
    const started = this.source.now().toISOString();
    this.current = { ...IDLE, state: 'running', startedAt: started };
    try {
      const actor = this.source.session;
      if (!actor) return this.end('stopped');
      const first = this.source.context();
      await first.writable(); // never before the integrity verdict; READ_ONLY on a damaged profile
      if (!live()) return this.end('stopped');
      // 1. Interrupted moves (of any kind) this session holds both levels of are finished first.
      for (const p of pendingMoves(first.db)) {
        if (!live()) return this.end('stopped');
        const ctx = this.source.context();
        if (!holds(ctx, p.journal.from) || !holds(ctx, p.journal.to)) continue;
        await this.finishMove(ctx, p.journal, p.secrecy, actor, true);
        this.current.resumed++;
      }
      // 2. The records whose protection has ended, in the levels held, if this person has the authority.
      const ctx = this.source.context();
      if (!mayAutoDeclassify(ctx.db, actor) || !holds(ctx, 'thuong')) return this.end('done');
      const today = todayIso(this.source.now());
      const due = dueRecords(ctx, today);
      this.current.total = due.length;
      if (due.length === 0) return this.end('done');
      for (let i = 0; i < due.length; i += this.chunk) {
        for (const rec of due.slice(i, i + this.chunk)) {
          if (!live()) return this.end('stopped');
          try {
            const outcome = await this.declassifyOne(this.source.context(), rec, actor, today, live);
            if (outcome === 'declassified') this.current.done++;
            else if (outcome === 'skipped') this.current.skipped++;
          } catch (err) {
            if (!live()) return this.end('stopped');
            if (err instanceof DeskError && err.code === 'NO_SESSION') return this.end('stopped');
            this.current.failed++;
            this.current.error ??= (err as Error).message;
            this.source.context().log.log('error', 'automatic declassification of a record failed; the next run tries again', { id: rec.id, error: (err as Error).message });
          }
        }
        this.emit();
        await new Promise((r) => setImmediate(r)); // the app stays responsive in a large batch
      }
      const s = this.end('done');
      this.source.context().log.log('info', 'automatic declassification', { total: s.total, done: s.done, skipped: s.skipped, resumed: s.resumed, failed: s.failed });
      return s;
    } catch (err) {
      if (!live() || (err instanceof DeskError && (err.code === 'NO_SESSION' || err.code === 'READ_ONLY'))) return this.end('stopped');
      return this.end('failed', (err as Error).message);
    }
  }

  private end(state: AutoDeclassifyStatus['state'], error?: string): AutoDeclassifyStatus {
    this.current = { ...this.current, state, finishedAt: new Date().toISOString(), ...(error ? { error } : {}) };
    this.emit();
    return this.status();
  }

  private async declassifyOne(ctx: CoreContext, rec: DueRecord, actor: Actor, today: string, live: () => boolean): Promise<'declassified' | 'skipped' | 'gone'> {
    const { db } = ctx;
    const c = schemaOf(rec.level);
    const r = db.prepare(`SELECT i.id, i.global_id AS globalId, i.arrival_number AS arrivalNumber, i.number_symbol AS numberSymbol, i.document_date AS documentDate,
        g.name AS registerName, ${protectionEndSql(rec.level)} AS until
      FROM ${c}.incoming i JOIN registers g ON g.id = i.register_id WHERE i.id = ?`).get(rec.id) as
      { id: number; globalId: string; arrivalNumber: number; numberSymbol: string; documentDate: string; registerName: string; until: string } | undefined;
    // Destroyed, moved or extended since the list was made.
    if (!r || r.until >= today) return 'gone';
    const now = this.source.now();
    const reason = db.prepare(`SELECT CASE
        WHEN EXISTS (SELECT 1 FROM ${c}.holds WHERE incoming_id = @id AND released_at IS NULL) THEN 'hold'
        WHEN EXISTS (SELECT 1 FROM ${c}.level_changes WHERE incoming_id = @id AND confirmed_at IS NULL AND cancelled_at IS NULL) THEN 'pending' END`)
      .pluck().get({ id: r.id }) as 'hold' | 'pending' | null;
    if (reason) {
      const kept = db.prepare(`SELECT reason FROM ${c}.auto_declassify_skips WHERE incoming_id = ?`).pluck().get(r.id) as string | undefined;
      writeTx(db, () => {
        db.prepare(`INSERT INTO ${c}.auto_declassify_skips (incoming_id, reason, since, checked_at) VALUES (@id, @reason, @at, @at)
          ON CONFLICT (incoming_id) DO UPDATE SET since = CASE WHEN reason = excluded.reason THEN since ELSE excluded.since END,
            reason = excluded.reason, checked_at = excluded.checked_at`).run({ id: r.id, reason, at: now.toISOString() });
        if (kept !== reason) {
          appendAudit(db, { userId: null, action: 'level.auto_declassify_skip', entity: 'incoming', entityId: r.id,
            details: { job: AUTO_DECLASSIFY_JOB, witness: actor.id, reason, level: rec.level, until: r.until } }, now.toISOString());
        }
      });
      return 'skipped';
    }
    // 1. The decision (reused when an earlier run recorded it and stopped before the journal).
    const last = db.prepare(`SELECT id, automatic, kind, from_level AS fromLevel FROM ${c}.level_changes WHERE incoming_id = ? ORDER BY id DESC LIMIT 1`).get(r.id) as
      { id: number; automatic: number; kind: string; fromLevel: Level } | undefined;
    let changeId = last && last.automatic === 1 && last.kind === 'declassify' && last.fromLevel === rec.level ? last.id : undefined;
    if (changeId === undefined) {
      const ch: NoticeChange = {
        incoming_id: r.id, kind: 'declassify', from_level: rec.level, to_level: 'thuong', authority: autoDeclassifyAuthority(db),
        reason: `${AUTO_DECLASSIFY_REASON} (thời hạn bảo vệ đến hết ngày ${formatDateVn(r.until)})`, part: '', decided_on: today,
      };
      const notice = composeNotice(db, c, ch, r);
      changeId = writeTx(db, () => {
        const cid = nextRecordId(db);
        db.prepare(`INSERT INTO ${c}.level_changes (id, global_id, incoming_id, from_level, to_level, kind, authority, reason, part, decided_on,
            proposed_by, proposed_at, confirmed_at, notice, automatic) VALUES (?,?,?,?,?, 'declassify', ?,?, '', ?,?,?,?,?, 1)`)
          .run(cid, newGlobalId(), r.id, rec.level, 'thuong', ch.authority, ch.reason, today, actor.id, now.toISOString(), now.toISOString(), notice);
        recordChange(db, 'level_changes', cid, 'create', actor.id, now, c);
        db.prepare(`DELETE FROM ${c}.auto_declassify_skips WHERE incoming_id = ?`).run(r.id);
        return cid;
      });
    }
    if (!live()) return 'gone'; // the decision stays; the next run journals and moves it
    // 2. The journal and the audit entry, in one transaction of the base.
    const journal: MoveJournal = { globalId: r.globalId, id: r.id, from: rec.level, to: 'thuong' };
    writeTx(db, () => {
      journalMove(db, journal, 'thuong', now);
      appendAudit(db, { userId: null, action: 'level.auto_declassify', entity: 'incoming', entityId: r.id,
        details: { job: AUTO_DECLASSIFY_JOB, witness: actor.id, change: changeId, from: rec.level, to: 'thuong', until: r.until } }, now.toISOString());
    });
    // 3. The move.
    await this.finishMove(ctx, journal, 'thuong', actor, false);
    return 'declassified';
  }

  /** Finishes a journaled move (compartments/move.ts) and records the record's new state in its new compartment. */
  private async finishMove(ctx: CoreContext, j: MoveJournal, secrecy: Level, actor: Actor, resumed: boolean): Promise<void> {
    const { db } = ctx;
    const stores = { from: ctx.storeFor(j.from), to: ctx.storeFor(j.to) };
    // A move interrupted by a lock may have left a file half-sealed in the target (the keys are wiped
    // at lock while a copy runs): one that does not read back whole is removed and copied again.
    if (resumed) await dropUnreadableCopies(db, j, stores);
    await resumeMove(db, j, secrecy, stores);
    const to = schemaOf(j.to);
    if (db.prepare(`SELECT 1 FROM ${to}.incoming WHERE id = ?`).get(j.id) !== undefined)
      writeTx(db, () => recordChange(db, 'incoming', j.id, 'update', actor.id, this.source.now(), to));
  }
}

interface DueRecord { level: Classified; id: number }

const holds = (ctx: CoreContext, level: Level): boolean => ctx.arms.some((a) => a.level === level);

/** The records of the held classified levels whose protection ended before `today`, by level then id. */
function dueRecords(ctx: CoreContext, today: string): DueRecord[] {
  const out: DueRecord[] = [];
  for (const level of LEVELS) {
    if (level === 'thuong' || !holds(ctx, level)) continue;
    const c = schemaOf(level);
    // The two ranges are disjoint (a period written, or none); in id order, as registered.
    const ids = (ctx.db.prepare(dueSql(c, level)).pluck().all({ today }) as number[]).sort((a, b) => a - b);
    for (const id of ids) out.push({ level, id });
    // Reasons kept for records no longer here (moved, destroyed) go.
    if (ctx.db.prepare(`SELECT 1 FROM ${c}.auto_declassify_skips WHERE incoming_id NOT IN (SELECT id FROM ${c}.incoming) LIMIT 1`).get() !== undefined)
      writeTx(ctx.db, () => ctx.db.prepare(`DELETE FROM ${c}.auto_declassify_skips WHERE incoming_id NOT IN (SELECT id FROM ${c}.incoming)`).run());
  }
  return out;
}

async function readsWhole(store: AttachmentStore, sha: string): Promise<boolean> {
  try {
    for await (const chunk of store.openBlob(sha)) void chunk;
    return true;
  } catch {
    return false;
  }
}

async function dropUnreadableCopies(db: Db, j: MoveJournal, stores: { from: AttachmentStore; to: AttachmentStore }): Promise<void> {
  const from = schemaOf(j.from);
  if (db.prepare(`SELECT 1 FROM ${from}.incoming WHERE global_id = ?`).get(j.globalId) === undefined) return; // the source is gone already
  const shas = db.prepare(`SELECT DISTINCT sha256 FROM ${from}.attachments WHERE incoming_id = ?`).pluck().all(j.id) as string[];
  for (const sha of shas) {
    if (!(await stores.to.hasBlob(sha)) || (await readsWhole(stores.to, sha))) continue;
    if (!(await stores.from.hasBlob(sha))) continue; // nothing better to copy from
    await stores.to.destroyBlob(sha);
  }
}
