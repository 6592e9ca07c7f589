// Shared registers' numbers (migration 0009, docs/server.md "Numbering authority"). A number is taken
// by an UPSERT of the sequence's counter row inside the transaction that records which record holds it:
// the row lock serialises allocations on PostgreSQL (SQLite has one writer), so concurrent askers get
// consecutive numbers, never one twice, and a failed insert rolls the counter back. The record's global
// id is the allocation's key: asking again for the same record answers the number it already holds.
import { sql, type Kysely, type Transaction } from 'kysely';
import { AFTER_RESTORE_MAX, type AfterRestoreRecordsRequest, type AfterRestoreRecordsResult, type AfterRestoreRequest, type AfterRestoreResult, type HomeMove, type NumberedRecord, type RecordClash, type AllocateManyRequest, type AllocateManyResult, type AllocateRequest, type AllocateResult, type GiveBackRequest, type GiveBackResult, type NumberAllocation, type NumberSequence, type ReportRequest } from '../../main/core/sync/numbers/protocol';
import { formerTenure, movesOf } from './homeStore';
import { registerFacts } from './registerFacts';
import type { NumberAllocationsTable, ServerDatabase } from './schema';

const num = (v: number | string | bigint): number => Number(v);
const isUniqueViolation = (e: unknown): boolean => {
  const code = (e as { code?: unknown })?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
};

/** A number or record already held otherwise (409 with the holder). */
export class NumberConflictError extends Error {
  override readonly name = 'NumberConflictError';
  constructor(readonly code: 'number-taken' | 'record-numbered', message: string, readonly holder: NumberAllocation) {
    super(message);
  }
}

/** Not this workstation's to do (403): reporting for a register it is not the home of, giving back another's number. */
export class NumberForbidden extends Error {
  override readonly name = 'NumberForbidden';
  constructor(readonly code: 'not-home' | 'forbidden', message: string) {
    super(message);
  }
}

/** A former home's number given after the home was moved away from it (409 `home-moved` with the move). */
export class NumberHomeMoved extends Error {
  override readonly name = 'NumberHomeMoved';
  readonly code = 'home-moved';
  constructor(message: string, readonly move: HomeMove) {
    super(message);
  }
}

/** The register's year is closed (409 `year-closed`): the record must be registered in an open year. */
/**
 * After a restore of the store, the register's home has not told it its last numbers yet (409
 * `home-not-reported`): a number given now could be one the home gave since the backup.
 */
export class NumberHomeNotReported extends Error {
  override readonly name = 'NumberHomeNotReported';
  readonly code = 'home-not-reported';
}

export class NumberYearClosed extends Error {
  override readonly name = 'NumberYearClosed';
  readonly code = 'year-closed';
}

/** The calendar year a period names ("2026"), null for a term or "all". */
export const yearOfPeriod = (period: string): number | null => (/^\d{4}$/.test(period) ? Number(period) : null);

const allocationOf = (r: NumberAllocationsTable): NumberAllocation => ({
  register: r.register_gid, period: r.period, bucket: r.bucket, record: r.record_gid, number: num(r.number),
  workstation: r.workstation, person: r.person, allocatedAt: r.allocated_at, source: r.source === 'home' || r.source === 'void' || r.source === 'rebuilt' ? r.source : 'server',
});

const sameSequence = (a: NumberAllocation, q: NumberSequence) => a.register === q.register && a.period === q.period && a.bucket === q.bucket;

type Db = Kysely<ServerDatabase> | Transaction<ServerDatabase>;

/**
 * The key of a number the home's record held at the server before its offline number replaced it (not
 * the sequence's last, so void): the record's id and the number, so the gap names the record it was
 * given to, and never a record id a workstation could ask under (NUMBER_ID_RE has no '.').
 */
export const voidKey = (a: NumberAllocation): string => `${a.record}.void.${a.number}`;

export class NumberStore {
  constructor(private readonly db: Kysely<ServerDatabase>) {}

  private async allocationOfRecord(db: Db, record: string): Promise<NumberAllocation | null> {
    const r = await db.selectFrom('number_allocations').selectAll().where('record_gid', '=', record).executeTakeFirst();
    return r ? allocationOf(r) : null;
  }

  private async lastOf(db: Db, q: NumberSequence): Promise<number> {
    const r = await db.selectFrom('number_counters').select('last')
      .where('register_gid', '=', q.register).where('period', '=', q.period).where('bucket', '=', q.bucket).executeTakeFirst();
    return r ? num(r.last) : 0;
  }

  /** The register's home workstation: the first one named is kept. */
  private async nameHome(db: Db, register: string, workstation: string, by: string, now: Date): Promise<string> {
    await db.insertInto('register_homes').values({ register_gid: register, workstation, named_by: by, named_at: now.toISOString() })
      .onConflict((oc) => oc.column('register_gid').doNothing()).execute();
    return (await db.selectFrom('register_homes').select('workstation').where('register_gid', '=', register).executeTakeFirstOrThrow()).workstation;
  }

  /** What the routes check of a register: the clearance it takes (known from the base's clear events). */
  async registerRank(register: string): Promise<number> {
    return (await registerFacts(this.db, register, null)).minRank;
  }

  /**
   * After a restore (server/main.ts --mark-restored): a workstation's last numbers raise the counters
   * that went back with the store, so no number given before the restore is given again. A counter only
   * goes up (a report again changes nothing); each report is kept with the workstation and person (a
   * number raised by it is no more than an allocation could take). Only for the restore marked last (a
   * stale one is refused: the workstation reads the new mark first). Registers the server does not know
   * (no clear event of their creation) and those above the person's `clearance` (a secrecy rank) are
   * left out (`skipped`; the latter also counted in `aboveClearance`, so the workstation keeps its mark
   * for a round by someone cleared for them). What the workstation reported of each sequence is kept:
   * it bounds the allocation rows it may rebuild (afterRestoreRecords).
   */
  async afterRestore(q: AfterRestoreRequest, workstation: string, person: string, now: Date, clearance: number): Promise<AfterRestoreResult> {
    await this.requireLastRestore(q.restore);
    const allowed: typeof q.counters = [];
    let skipped = 0;
    let aboveClearance = 0;
    const access = this.accessCache(clearance);
    for (const c of q.counters) {
      const a = await access(c.register);
      if (a === 'ok') allowed.push(c);
      else {
        skipped++;
        if (a === 'above') aboveClearance++;
      }
    }
    return this.db.transaction().execute(async (trx) => {
      const done = await trx.selectFrom('restore_number_reports').select('raised').where('restore_id', '=', q.restore).where('workstation', '=', workstation).executeTakeFirst();
      let raised = 0;
      const floors: AfterRestoreResult['floors'] = [];
      for (const c of allowed) {
        // Records numbered above what the restored store held may have lost their allocation rows.
        const floor = await this.floorOf(trx, q.restore, c);
        if (c.last > floor) floors.push({ register: c.register, period: c.period, bucket: c.bucket, last: floor });
        await trx.insertInto('restore_reported_lasts').values({ restore_id: q.restore, workstation, register_gid: c.register, period: c.period, bucket: c.bucket, last: c.last })
          .onConflict((oc) => oc.columns(['restore_id', 'workstation', 'register_gid', 'period', 'bucket'])
            .doUpdateSet({ last: sql`CASE WHEN restore_reported_lasts.last < excluded.last THEN excluded.last ELSE restore_reported_lasts.last END` }))
          .execute();
        const before = await this.lastOf(trx, c);
        if (c.last <= before) continue;
        await trx.insertInto('number_counters').values({ register_gid: c.register, period: c.period, bucket: c.bucket, last: c.last })
          .onConflict((oc) => oc.columns(['register_gid', 'period', 'bucket'])
            .doUpdateSet({ last: sql`CASE WHEN number_counters.last < excluded.last THEN excluded.last ELSE number_counters.last END` }))
          .execute();
        raised++;
      }
      // Whole once the last chunk of a report came (shorter than a full one: the workstation sends an empty
      // last chunk after full ones), and by whom: a register homed here waits for both (requireHomeReported).
      const complete = q.counters.length < AFTER_RESTORE_MAX ? 1 : 0;
      await trx.insertInto('restore_number_reports').values({ restore_id: q.restore, workstation, person, reported_at: now.toISOString(), raised, complete, clearance })
        .onConflict((oc) => oc.columns(['restore_id', 'workstation']).doUpdateSet({
          person, reported_at: now.toISOString(), raised: sql`restore_number_reports.raised + ${raised}`,
          complete: sql`CASE WHEN restore_number_reports.complete = 1 THEN 1 ELSE ${complete} END`,
          clearance: sql`CASE WHEN restore_number_reports.clearance < ${clearance} THEN ${clearance} ELSE restore_number_reports.clearance END`,
        }))
        .execute();
      return { raised, skipped, aboveClearance, already: !!done, floors };
    });
  }

  /**
   * Whether a person of `clearance` may touch a register's numbers after a restore: `unknown` (the server
   * has no clear event of its creation: rank 0 would let anyone plant rows in it), `above` the clearance,
   * or `ok`. Each register looked up once per request.
   */
  private accessCache(clearance: number): (register: string) => Promise<'ok' | 'unknown' | 'above'> {
    const seen = new Map<string, 'ok' | 'unknown' | 'above'>();
    return async (register) => {
      let a = seen.get(register);
      if (a === undefined) {
        const f = await registerFacts(this.db, register, null);
        a = !f.known ? 'unknown' : f.minRank > clearance ? 'above' : 'ok';
        seen.set(register, a);
      }
      return a;
    };
  }

  /**
   * After a restore, a register's numbers are given again only once its home workstation has told the
   * restored store its last numbers, whole and by someone cleared for the register: the home numbers
   * offline and follows the server's last numbers at every contact, so its report covers what the store
   * lost, but for numbers the server gave after the home's last contact before the restore (docs/server.md
   * "Numbers."). Until then other workstations register and wait for the number ("chờ cấp số"). No
   * exception for a home named after the mark (a register whose home row the restore lost would get one
   * from whoever asks first); a workstation that never numbered reports at once, and an administrator
   * unblocks a register whose home is gone by moving its home to a workstation that has reported.
   */
  private async requireHomeReported(db: Db, register: string): Promise<void> {
    const mark = await db.selectFrom('restores').select('id').orderBy('serial', 'desc').limit(1).executeTakeFirst();
    if (!mark) return;
    const home = await db.selectFrom('register_homes').select('workstation').where('register_gid', '=', register).executeTakeFirst();
    if (!home) return;
    const r = await db.selectFrom('restore_number_reports').select(['complete', 'clearance']).where('restore_id', '=', mark.id).where('workstation', '=', home.workstation).executeTakeFirst();
    if (r && Number(r.complete) === 1 && Number(r.clearance) >= (await registerFacts(db, register, null)).minRank) return;
    throw new NumberHomeNotReported(`the store was restored (${mark.id}) and the home of register ${register} (${home.workstation}) has not reported its last numbers yet`);
  }

  private async requireLastRestore(restore: string): Promise<void> {
    const latest = await this.db.selectFrom('restores').select('id').orderBy('serial', 'desc').limit(1).executeTakeFirst();
    if (latest?.id !== restore) throw new NumberForbidden('forbidden', `restore ${restore} is not the store's last restore mark`);
  }

  /** The sequence's counter when the restore was marked (0: none then, or a mark older than migration 0018). */
  private async floorOf(db: Db, restore: string, q: NumberSequence): Promise<number> {
    const r = await db.selectFrom('restore_counters').select('last').where('restore_id', '=', restore)
      .where('register_gid', '=', q.register).where('period', '=', q.period).where('bucket', '=', q.bucket).executeTakeFirst();
    return r ? num(r.last) : 0;
  }

  /**
   * After a restore: the records a workstation knows numbered above the restored store's last get their
   * allocation rows back (source `rebuilt`, naming the reporting workstation and person), so asking
   * again for such a record answers its number and its give-back works. Only numbers above the store's
   * counter at the mark and not above its counter now (raised by the same workstation's last numbers
   * first); a row is written only where neither the number nor the record is held: anything else held
   * is never overwritten but answered as a clash. Sending again changes nothing (`held`). Left out
   * (`skipped`): registers the server does not know and those above the person's `clearance` (also
   * counted in `aboveClearance`), numbers outside those bounds, numbers of a sequence this workstation
   * did not report for this restore or above the last it reported (another's report raised the counter:
   * not this workstation's numbers to claim), and a record holding a number in a register above the
   * clearance (answering it as a clash would tell that the record is numbered there).
   */
  async afterRestoreRecords(q: AfterRestoreRecordsRequest, workstation: string, person: string, now: Date, clearance: number): Promise<AfterRestoreRecordsResult> {
    await this.requireLastRestore(q.restore);
    const access = this.accessCache(clearance);
    const may = new Map<string, 'ok' | 'unknown' | 'above'>();
    for (const r of q.records) if (!may.has(r.register)) may.set(r.register, await access(r.register));
    const run = () => this.db.transaction().execute(async (trx) => {
      const out: AfterRestoreRecordsResult = { rebuilt: 0, held: 0, skipped: 0, aboveClearance: 0, clashes: [] };
      for (const r of q.records) {
        const a = may.get(r.register);
        if (a === 'above') out.aboveClearance++;
        const outcome = a === 'ok' ? await this.rebuildOne(trx, q.restore, r, workstation, person, now, clearance) : 'skipped';
        if (outcome === 'rebuilt' || outcome === 'held' || outcome === 'skipped') out[outcome]++;
        else out.clashes.push({ ...r, reason: outcome });
      }
      return out;
    });
    try {
      return await run();
    } catch (e) {
      // The same record or number written meanwhile by another request: run again, it is then held or a clash.
      if (!isUniqueViolation(e)) throw e;
      return run();
    }
  }

  private async rebuildOne(trx: Transaction<ServerDatabase>, restore: string, r: NumberedRecord, workstation: string, person: string, now: Date, clearance: number): Promise<'rebuilt' | 'held' | 'skipped' | RecordClash['reason']> {
    // The counter row's lock first (PostgreSQL; SQLite has one writer): a concurrent give-back cannot
    // lower the counter below a row written here, so the bound read next holds until the commit.
    await trx.updateTable('number_counters').set({ last: sql`last` })
      .where('register_gid', '=', r.register).where('period', '=', r.period).where('bucket', '=', r.bucket).execute();
    const reported = await trx.selectFrom('restore_reported_lasts').select('last').where('restore_id', '=', restore).where('workstation', '=', workstation)
      .where('register_gid', '=', r.register).where('period', '=', r.period).where('bucket', '=', r.bucket).executeTakeFirst();
    if (!reported || r.number > num(reported.last)) return 'skipped';
    if (r.number <= (await this.floorOf(trx, restore, r)) || r.number > (await this.lastOf(trx, r))) return 'skipped';
    const prior = await this.allocationOfRecord(trx, r.record);
    // Numbered in a register the person may not see: not told (neither a clash nor held).
    if (prior && !sameSequence(prior, r) && (await registerFacts(trx, prior.register, null)).minRank > clearance) return 'skipped';
    if (prior) return sameSequence(prior, r) && prior.number === r.number && prior.source !== 'void' ? 'held' : 'record-numbered';
    const holder = await trx.selectFrom('number_allocations').select('record_gid')
      .where('register_gid', '=', r.register).where('period', '=', r.period).where('bucket', '=', r.bucket).where('number', '=', r.number).executeTakeFirst();
    if (holder) return 'number-taken';
    await trx.insertInto('number_allocations').values({
      record_gid: r.record, register_gid: r.register, period: r.period, bucket: r.bucket, number: r.number,
      workstation, person, allocated_at: now.toISOString(), source: 'rebuilt',
    }).execute();
    return 'rebuilt';
  }

  async last(q: NumberSequence): Promise<{ last: number; home: string | null }> {
    const home = await this.db.selectFrom('register_homes').select('workstation').where('register_gid', '=', q.register).executeTakeFirst();
    return { last: await this.lastOf(this.db, q), home: home?.workstation ?? null };
  }

  /** The next number of the sequence for `q.record`, or the number the record already holds. */
  async allocate(q: AllocateRequest, workstation: string, person: string, now: Date): Promise<AllocateResult & { fresh: boolean }> {
    try {
      return await this.db.transaction().execute(async (trx) => {
        await this.nameHome(trx, q.register, q.home, person, now);
        // Asked again for a record's number: answered as before, whatever the restore.
        if (!(await this.allocationOfRecord(trx, q.record))) await this.requireHomeReported(trx, q.register);
        return this.allocateIn(trx, q, workstation, person, now);
      });
    } catch (e) {
      // The same record asked for twice at once: the other request's allocation stands.
      if (!isUniqueViolation(e)) throw e;
      const prior = await this.allocationOfRecord(this.db, q.record);
      if (!prior) throw e;
      return this.again(this.db, prior, q, workstation, person, now);
    }
  }

  /**
   * Numbers for many records of one register in one transaction, in the order given (the legacy import's
   * slices): each as `allocate` would answer it, so asking again for the same records answers the same
   * numbers. One refusal (a closed year, a record numbered elsewhere) refuses the whole request.
   */
  async allocateMany(q: AllocateManyRequest, workstation: string, person: string, now: Date): Promise<AllocateManyResult & { fresh: boolean }> {
    const run = () => this.db.transaction().execute(async (trx) => {
      await this.nameHome(trx, q.register, q.home, person, now);
      const asked = await trx.selectFrom('number_allocations').select(sql<number>`count(*)`.as('n')).where('record_gid', 'in', q.items.map((i) => i.record)).executeTakeFirstOrThrow();
      if (Number(asked.n) < q.items.length) await this.requireHomeReported(trx, q.register);
      const results: AllocateResult[] = [];
      let fresh = false;
      for (const item of q.items) {
        const { fresh: f, ...r } = await this.allocateIn(trx, { register: q.register, home: q.home, ...item }, workstation, person, now);
        fresh ||= f;
        results.push(r);
      }
      return { results, fresh };
    });
    try {
      return await run();
    } catch (e) {
      // Some of these records asked for at the same moment by another request: its allocations stand,
      // and this transaction, run again, finds them.
      if (!isUniqueViolation(e)) throw e;
      return run();
    }
  }

  /** One allocation inside the caller's transaction (the register's home already named). */
  private async allocateIn(trx: Transaction<ServerDatabase>, q: AllocateRequest, workstation: string, person: string, now: Date): Promise<AllocateResult & { fresh: boolean }> {
    const prior = await this.allocationOfRecord(trx, q.record);
    if (prior) return this.again(trx, prior, q, workstation, person, now);
    // A closed year's book is printed and signed: no new number in it (the record's own number, asked again, stands).
    const year = yearOfPeriod(q.period);
    if (year !== null && (await registerFacts(trx, q.register, year)).yearClosed)
      throw new NumberYearClosed(`register ${q.register} is closed for ${year}: no number is given in a closed year`);
    const row = await trx.insertInto('number_counters').values({ register_gid: q.register, period: q.period, bucket: q.bucket, last: 1 })
      .onConflict((oc) => oc.columns(['register_gid', 'period', 'bucket']).doUpdateSet({ last: sql`number_counters.last + 1` }))
      .returning('last').executeTakeFirstOrThrow();
    const n = num(row.last);
    await trx.insertInto('number_allocations').values({
      record_gid: q.record, register_gid: q.register, period: q.period, bucket: q.bucket, number: n,
      workstation, person, allocated_at: now.toISOString(), source: 'server',
    }).execute();
    return { allocation: (await this.allocationOfRecord(trx, q.record))!, last: n, fresh: true };
  }

  /**
   * The record asked again. Its own number, given back while later numbers were given (void), is its
   * number again when the same workstation asks in the same sequence: an outgoing document keeps its
   * global id when its issue is tried again after a failed signing, and takes the number it left (the gap
   * closes). Void numbers of another workstation's record, or of another sequence, stay refused.
   */
  private async again(db: Db, prior: NumberAllocation, q: NumberSequence, workstation: string, person: string, now: Date): Promise<AllocateResult & { fresh: boolean }> {
    if (sameSequence(prior, q) && prior.source === 'void' && prior.workstation === workstation) {
      const revived = await db.updateTable('number_allocations').set({ source: 'server', person, allocated_at: now.toISOString() })
        .where('record_gid', '=', prior.record).where('source', '=', 'void').executeTakeFirst();
      if (Number(revived.numUpdatedRows) === 1) return { allocation: (await this.allocationOfRecord(db, prior.record))!, last: await this.lastOf(db, q), fresh: true };
    }
    if (!sameSequence(prior, q) || prior.source === 'void') throw new NumberConflictError('record-numbered', `record ${prior.record} holds number ${prior.number} of another sequence, or gave it back`, prior);
    return { allocation: prior, last: await this.lastOf(db, q), fresh: false };
  }

  /**
   * The registration of `q.record` failed before it committed (or its answer never arrived): its number
   * goes back when it is still the sequence's last (nothing was numbered after it); otherwise it is marked
   * void (a gap the server can name, which the home's offline number may fill when it is reported).
   */
  async giveBack(q: GiveBackRequest, workstation: string): Promise<GiveBackResult> {
    return this.db.transaction().execute(async (trx) => {
      const a = await this.allocationOfRecord(trx, q.record);
      if (!a || !sameSequence(a, q)) return { givenBack: false, last: await this.lastOf(trx, q) };
      if (a.workstation !== workstation) throw new NumberForbidden('forbidden', `number ${a.number} was allocated to workstation ${a.workstation}`);
      const givenBack = await this.release(trx, a);
      return { givenBack, last: await this.lastOf(trx, q) };
    });
  }

  /**
   * Drops an allocation: the counter goes back when it was the last (never for a `rebuilt` row), else the number stays, void (under
   * `voidAs` when given: the record is about to hold another number under its own id).
   */
  private async release(trx: Transaction<ServerDatabase>, a: NumberAllocation, voidAs?: string): Promise<boolean> {
    // A rebuilt number was given before the restore and may be on paper already: it never goes back to
    // the counter (given again, it would be held twice), it stays a gap, under a key of its own (a void
    // row under the record's id would be revived as a `server` one by the record asking again, and the
    // next give-back would lower the counter).
    if (a.source === 'rebuilt') voidAs ??= voidKey(a);
    const moved = a.source === 'rebuilt' ? null : await trx.updateTable('number_counters').set({ last: sql`last - 1` })
      .where('register_gid', '=', a.register).where('period', '=', a.period).where('bucket', '=', a.bucket).where('last', '=', a.number)
      .executeTakeFirst();
    const givenBack = Number(moved?.numUpdatedRows ?? 0) === 1;
    if (givenBack) await trx.deleteFrom('number_allocations').where('record_gid', '=', a.record).execute();
    else await trx.updateTable('number_allocations').set({ source: 'void', ...(voidAs ? { record_gid: voidAs } : {}) }).where('record_gid', '=', a.record).execute();
    return givenBack;
  }

  /**
   * A number the register's home workstation gave while it could not reach the server: recorded for its
   * record, and the counter moves up to it. Only the home may report (403 `not-home`); a number held by
   * another record is a conflict (409 `number-taken` with the holder). Reporting again is answered the same.
   */
  async report(q: ReportRequest, workstation: string, person: string, now: Date): Promise<AllocateResult & { fresh: boolean }> {
    return this.db.transaction().execute(async (trx) => {
      const home = await this.nameHome(trx, q.register, workstation, person, now);
      if (home !== workstation) {
        // A former home's number: accepted when it gave it while it was the home (on paper already, as
        // any home's), else a conflict its văn thư sees; never silently taken.
        const former = formerTenure(await movesOf(trx, q.register), workstation, q.madeAt ? new Date(q.madeAt).toISOString() : null);
        if (!former) throw new NumberForbidden('not-home', `workstation ${workstation} is not the home of register ${q.register} (${home} is): only the home numbers offline`);
        if (!former.held) throw new NumberHomeMoved(`the home of register ${q.register} was moved from ${workstation} to ${former.move.to} on ${former.move.movedAt}: number ${q.number} given ${q.madeAt ?? 'at an unknown time'} is not this workstation's to give`, former.move);
      }
      // The counter row first: its lock orders this report with concurrent allocations (and moves up to the number).
      await trx.insertInto('number_counters').values({ register_gid: q.register, period: q.period, bucket: q.bucket, last: q.number })
        .onConflict((oc) => oc.columns(['register_gid', 'period', 'bucket'])
          .doUpdateSet({ last: sql`CASE WHEN number_counters.last < excluded.last THEN excluded.last ELSE number_counters.last END` }))
        .execute();
      let prior = await this.allocationOfRecord(trx, q.record);
      // The home asked for a number, its answer was lost, and it numbered the record offline instead:
      // the offline number (on paper already) stands, the server's goes back. When numbers were given
      // after it, it stays as a void row under a key of its own (the record now holds the offline number
      // under its id): a gap the server names by the record.
      if (prior && prior.workstation === workstation && prior.source === 'server' && sameSequence(prior, q) && prior.number !== q.number) {
        await this.release(trx, prior, voidKey(prior));
        prior = null;
      }
      if (prior) {
        if (sameSequence(prior, q) && prior.number === q.number && prior.source !== 'void') return { allocation: prior, last: await this.lastOf(trx, q), fresh: false };
        throw new NumberConflictError('record-numbered', `record ${q.record} already holds number ${prior.number}`, prior);
      }
      const holder = await trx.selectFrom('number_allocations').selectAll()
        .where('register_gid', '=', q.register).where('period', '=', q.period).where('bucket', '=', q.bucket).where('number', '=', q.number).executeTakeFirst();
      if (holder && holder.source !== 'void') {
        throw new NumberConflictError('number-taken', `number ${q.number} is held by record ${holder.record_gid} (workstation ${holder.workstation})`, allocationOf(holder));
      }
      // A void number (its registration failed after the allocation) is the home's to fill.
      if (holder) await trx.deleteFrom('number_allocations').where('record_gid', '=', holder.record_gid).execute();
      await trx.insertInto('number_allocations').values({
        record_gid: q.record, register_gid: q.register, period: q.period, bucket: q.bucket, number: q.number,
        workstation, person, allocated_at: now.toISOString(), source: 'home',
      }).execute();
      return { allocation: (await this.allocationOfRecord(trx, q.record))!, last: await this.lastOf(trx, q), fresh: true };
    });
  }
}
