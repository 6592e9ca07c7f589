// Shared registers numbered by the agency server (docs/server.md, "Numbering authority"). While the
// profile is linked to its agency server (agencySync.ts sets the authority) every register is shared:
// a registration asks the server for its number before the write transaction (the database is
// synchronous, the server is not), writes it in the transaction, and gives it back when the
// transaction fails. When the server cannot be reached, only the register's home workstation numbers,
// from the last number it knows, and reports those numbers at its next contact; another workstation
// refuses the registration with a specific message (nothing else could keep two numbers apart).
import { DeskError } from '../../../common/errors';
import { todayIso } from '../../../common/dates';
import type { Db } from '../db/connection';
import { cached } from '../db/statements';
import { writeTx } from '../db/transaction';
import { workstationId } from '../events/eventLog';
import { TransportError } from '../sync/transport';
import { AFTER_RESTORE_MAX, type AfterRestoreRecordsRequest, type AfterRestoreRecordsResult, type AfterRestoreRequest, type AfterRestoreResult } from '../sync/numbers/protocol';
import { getState, setState } from '../sync/outbox';
import { INCARNATION_KEY, NUMBERS_AFTER_RESTORE_KEY, NUMBERS_REPORTED_KEY } from '../sync/restore';
import type { AllocateManyRequest, AllocateManyResult, AllocateRequest, AllocateResult, GiveBackRequest, GiveBackResult, LastNumber, HomeMovedConflict, NumberConflict, NumberSequence, ReportOutcome, ReportRequest } from '../sync/numbers/protocol';
import { learnHomes } from './registerHome';
import { periodOf, scopeRow, type TakenNumber } from './numbering';
import { renumberTaken, type OwedNumber } from './numberConflicts';
import { sequenceKeyOf } from './sequenceKey';
import { awaitingNumber, numberWaiting } from './numberWaits';
import { NUMBERED_RECORDS_SENT_KEY, sendNumberedRecords, sequenceKey } from './numberedRecords';

/** The agency server's numbering routes (sync/numbers/NumberClient.ts). */
export interface NumberAuthority {
  allocate(q: AllocateRequest): Promise<AllocateResult>;
  /** Many records of one register at once, in order (the legacy import). */
  allocateMany(q: AllocateManyRequest): Promise<AllocateManyResult>;
  giveBack(q: GiveBackRequest): Promise<GiveBackResult>;
  report(q: ReportRequest): Promise<ReportOutcome>;
  last(q: NumberSequence): Promise<LastNumber>;
  afterRestore(q: AfterRestoreRequest): Promise<AfterRestoreResult>;
  afterRestoreRecords(q: AfterRestoreRecordsRequest): Promise<AfterRestoreRecordsResult>;
}

/** How a registration's number is taken: the local counter (no server linked), the server's, or offline at the home. */
export type NumberPlan =
  | { kind: 'local' }
  | { kind: 'server'; taken: TakenNumber; last: number; sequence: NumberSequence; record: string }
  | { kind: 'home-offline'; record: string }
  /** Not the home, the server out of reach, and the văn thư chose to register now: the number comes later (numberWaits.ts). */
  | { kind: 'awaiting'; taken: TakenNumber; record: string };

export interface RegisterRef { id: number; name: string; scope_id: number }

/** The server could not be reached or was failing (a refusal is not this). */
export const unreachable = (e: unknown): e is TransportError => e instanceof TransportError && e.transient;

/** The sequence a register's number of `date` is asked in at the server, and the home that numbers it offline. */
export function sequenceOf(db: Db, register: RegisterRef, date: string, typeCode: string): { sequence: NumberSequence; home: string } {
  const key = sequenceKeyOf(db, register.id);
  const scope = scopeRow(db, register.scope_id);
  return {
    sequence: { register: key.register, period: periodOf(scope, date), bucket: scope.per_type ? typeCode : '*' },
    home: key.home ?? workstationId(db),
  };
}

/**
 * Before the write transaction: the record's number from the server, or the plan to number locally.
 * The home first sends what it numbered offline, so the server never hands out one of those again.
 */
export async function planNumber(
  db: Db, authority: NumberAuthority | null, register: RegisterRef, date: string, typeCode: string, record: string, now: Date, actorId: number | null = null,
  /** 'only': the number must wait whatever the server says (an electronic arrival whose decision is not held: exchange/awaitedArrivals.ts). */
  awaitNumber: boolean | 'only' = false,
): Promise<NumberPlan> {
  if (!authority) return { kind: 'local' };
  const { sequence, home } = sequenceOf(db, register, date, typeCode);
  if (awaitNumber === 'only') return { kind: 'awaiting', record, taken: { number: awaitingNumber(record), period: sequence.period, bucket: sequence.bucket } };
  const isHome = home === workstationId(db);
  try {
    // After a restore of the server's store the home tells it its last numbers before it numbers there.
    if (isHome) await lastNumbersAfterRestore(db, authority);
    if (isHome) await sendPending(db, authority, now, actorId);
    // Arrivals registered earlier without a number get theirs before this one: numbers follow receipt.
    await numberWaiting(db, authority, now, actorId);
    const r = await authority.allocate({ ...sequence, record, home });
    return { kind: 'server', taken: { number: r.allocation.number, period: sequence.period, bucket: sequence.bucket }, last: r.last, sequence, record };
  } catch (e) {
    if (unreachable(e)) {
      if (isHome) return { kind: 'home-offline', record };
      // Its number is asked under the same record id at the next contact: one the server gave before the
      // answer was lost is the one it gets then (nothing owed back).
      if (awaitNumber) return { kind: 'awaiting', record, taken: { number: awaitingNumber(record), period: sequence.period, bucket: sequence.bucket } };
      // The server may have allocated a number before the answer was lost: owed back at the next contact.
      writeTx(db, () => cached(db, `INSERT INTO main.number_reports (register_id, period, bucket, number, kind, record_global_id, made_at) VALUES (?,?,?,0,'give_back',?,?)
        ON CONFLICT (record_global_id) DO NOTHING`).run(register.id, sequence.period, sequence.bucket, record, now.toISOString()));
      throw DeskError.keyed('VALIDATION', 'numbering.serverUnreachable', { register: register.name }, { details: { error: e.message, home } });
    }
    // The server's store was restored and the register's home has not told it its last numbers yet: no
    // number now (it could be one the home gave), but the arrival may wait for its number like a cut-off one.
    if (e instanceof TransportError && e.code === 'home-not-reported' && !isHome) {
      if (awaitNumber) return { kind: 'awaiting', record, taken: { number: awaitingNumber(record), period: sequence.period, bucket: sequence.bucket } };
      throw DeskError.keyed('VALIDATION', 'numbering.homeNotReported', { register: register.name }, { details: { home } });
    }
    if (e instanceof TransportError) throw DeskError.keyed('VALIDATION', 'numbering.serverRefused', { register: register.name, reason: e.message }, { details: { status: e.status, code: e.code } });
    throw e;
  }
}

/**
 * Inside the record's transaction, for a server number: the local counter follows it and the server's
 * last number, so the home, cut off later, continues after everything it has heard of.
 */
export function followServerNumber(db: Db, scopeId: number, plan: Extract<NumberPlan, { kind: 'server' }>): void {
  cached(db, `INSERT INTO main.number_counters (scope_id, period, bucket, last) VALUES (?,?,?,?)
    ON CONFLICT (scope_id, period, bucket) DO UPDATE SET last = max(last, excluded.last)`)
    .run(scopeId, plan.taken.period, plan.taken.bucket, Math.max(plan.taken.number, plan.last));
}

/**
 * Inside the record's transaction, for a number the home gave offline: to be reported. A legacy import's
 * record keeps its id across runs (import/importNumbering.ts): a row of a run whose base commit survived a
 * kill that lost the compartment's (import/recover.ts redoes the record) now names this run's number.
 */
export function owedReport(db: Db, registerId: number, taken: TakenNumber, compartment: string, record: string, now: Date): void {
  cached(db, `INSERT INTO main.number_reports (register_id, period, bucket, number, kind, compartment, record_global_id, made_at) VALUES (?,?,?,?,'report',?,?,?)
    ON CONFLICT (record_global_id) DO UPDATE SET register_id = excluded.register_id, period = excluded.period, bucket = excluded.bucket, number = excluded.number,
      kind = 'report', compartment = excluded.compartment, made_at = excluded.made_at, reported_at = NULL, problem = NULL`)
    .run(registerId, taken.period, taken.bucket, taken.number, compartment, record, now.toISOString());
}

/** The transaction failed: the server's number goes back now, or at the next contact. */
export async function giveBack(db: Db, authority: NumberAuthority, registerId: number, plan: Extract<NumberPlan, { kind: 'server' }>, now: Date): Promise<void> {
  try {
    await authority.giveBack({ ...plan.sequence, record: plan.record });
  } catch {
    writeTx(db, () => cached(db, `INSERT INTO main.number_reports (register_id, period, bucket, number, kind, record_global_id, made_at) VALUES (?,?,?,?,'give_back',?,?)
      ON CONFLICT (record_global_id) DO NOTHING`).run(registerId, plan.taken.period, plan.taken.bucket, plan.taken.number, plan.record, now.toISOString()));
  }
}

interface PendingRow extends OwedNumber { kind: 'report' | 'give_back'; register_kind: string; made_at: string; problem: string | null; after_restore: string | null }

export interface SentNumbers { reported: number; givenBack: number; conflicts: number; renumbered: number }

/**
 * Sends what waits (give-backs first, then the home's offline numbers in the order they were given).
 * A number the server gave another record while the home was cut off from it (the window between the
 * home's last contact and the cut) is renumbered here when someone who registers is signed in
 * (numberConflicts.ts); otherwise the conflict is kept on its row and tried again next time (the holder
 * may yet give its number back). A failure to reach the server stops the round.
 */
export async function sendPending(db: Db, authority: NumberAuthority, now: Date, actorId: number | null = null): Promise<SentNumbers> {
  // A clash after a restore is not an offline number of a home (the server would refuse it from another
  // workstation): settleRestoreClashes deals with it.
  const rows = (db.prepare(`SELECT p.*, r.kind AS register_kind FROM main.number_reports p JOIN main.registers r ON r.id = p.register_id
    WHERE p.reported_at IS NULL AND p.after_restore IS NULL ORDER BY p.kind = 'report', p.id`).all() as Array<Omit<PendingRow, 'global_id'>>)
    .map((p): PendingRow => ({ ...p, global_id: sequenceKeyOf(db, p.register_id).register }));
  const out: SentNumbers = { reported: 0, givenBack: 0, conflicts: 0, renumbered: 0 };
  const taken: Array<{ p: PendingRow; conflict: NumberConflict | HomeMovedConflict }> = [];
  for (const p of rows) {
    const sequence = { register: p.global_id, period: p.period, bucket: p.bucket };
    let problem: string | null = null;
    if (p.kind === 'give_back') {
      await authority.giveBack({ ...sequence, record: p.record_global_id });
      out.givenBack++;
    } else {
      // When it was given: a former home's number given before its home was moved away is still its to report.
      const r = await authority.report({ ...sequence, record: p.record_global_id, number: p.number, madeAt: p.made_at });
      // Renumbered once the others are in: the fresh number then comes after every number given here.
      // An outgoing number is inside the agency's signature on the issued document: never renumbered
      // here, the conflict stays on its row for the sync panel (docs/server.md).
      if ('conflict' in r && r.conflict.error === 'number-taken' && actorId !== null && p.register_kind === 'incoming') taken.push({ p, conflict: r.conflict });
      if ('conflict' in r) {
        problem = JSON.stringify(r.conflict);
        out.conflicts++;
      } else if ('moved' in r) {
        // An arrival numbered here after the home had moved away: renumbered from the server like a taken number.
        if (actorId !== null && p.register_kind === 'incoming') taken.push({ p, conflict: r.moved });
        // Given here after the home moved away (before this workstation heard of it): never taken silently,
        // kept on its row for the văn thư (the sync panel lists it with the new home).
        problem = JSON.stringify(r.moved);
        out.conflicts++;
      } else out.reported++;
    }
    writeTx(db, () => {
      if (problem === null) db.prepare('UPDATE main.number_reports SET reported_at = ?, problem = NULL WHERE id = ?').run(now.toISOString(), p.id);
      else db.prepare('UPDATE main.number_reports SET problem = ? WHERE id = ?').run(problem, p.id);
    });
  }
  for (const t of taken) {
    if (!(await renumberTaken(db, authority, t.p, t.conflict, actorId!, now))) continue;
    out.renumbered++;
    out.conflicts--;
  }
  return out;
}

/** The numbers this workstation gave offline and the server has not accepted yet (the sync panel's figure). */
export function pendingReports(db: Db): Array<{ number: number; period: string; record: string; problem: string | null }> {
  return (db.prepare("SELECT number, period, record_global_id AS record, problem FROM main.number_reports WHERE reported_at IS NULL AND kind = 'report' ORDER BY id").all()) as Array<{ number: number; period: string; record: string; problem: string | null }>;
}

/**
 * After the agency server's store was restored to an older point (sync/restore.ts): the last number this
 * workstation knows of every sequence (its counters follow the numbers it gave and those the records it
 * received carry) goes to the server before anything else of the round, so the server does not give
 * one of them again; then the records it knows numbered above what the restored store held, so the
 * server knows again which record holds each of those numbers (numberedRecords.ts). Kept until the
 * server has taken all of it (an interrupted round resumes after the last chunk taken). Registers above
 * the signed-in person's clearance are left out by the server (`aboveClearance`): the mark is then kept
 * for a round by someone cleared for them, and the next round sends everything again (what was taken
 * is answered as held); one try a round, never a loop. Null: nothing to tell; else the sequences
 * raised and what the server did with the records (clashes are listed).
 */
export async function lastNumbersAfterRestore(db: Db, authority: NumberAuthority, o: { chunk?: number } = {}): Promise<(AfterRestoreRecordsResult & { raised: number }) | null> {
  // A restore adopted before reports were kept (or whose report was never made: a workstation untouched
  // then) is reported once now: the server gives no number in a register until its home has reported.
  const incarnation = getState(db, INCARNATION_KEY);
  if (incarnation && !getState(db, NUMBERS_AFTER_RESTORE_KEY) && getState(db, NUMBERS_REPORTED_KEY) !== incarnation) {
    writeTx(db, () => setState(db, NUMBERS_AFTER_RESTORE_KEY, incarnation));
  }
  const restore = getState(db, NUMBERS_AFTER_RESTORE_KEY);
  if (!restore) return null;
  const rows = db.prepare(`SELECT c.period, c.bucket, c.last,
      (SELECT r.id FROM main.registers r WHERE r.scope_id = c.scope_id ORDER BY r.id LIMIT 1) AS register_id
    FROM main.number_counters c WHERE c.last > 0 ORDER BY c.period DESC`).all() as Array<{ period: string; bucket: string; last: number; register_id: number | null }>;
  const counters = rows.filter((r) => r.register_id !== null)
    .map((r) => ({ register: sequenceKeyOf(db, r.register_id!).register, period: r.period, bucket: r.bucket, last: r.last }));
  let raised = 0;
  let aboveClearance = 0;
  // Per sequence, what the restored store held when it was marked: the records above it are sent next.
  // Only for sequences sent (a server's answer naming others is ignored).
  const asked = new Set(counters.map(sequenceKey));
  const floors = new Map<string, number>();
  // A last chunk shorter than a full one tells the server the report is whole (after full chunks, an empty one).
  for (let i = 0; i <= counters.length; i += AFTER_RESTORE_MAX) {
    const r = await authority.afterRestore({ restore, counters: counters.slice(i, i + AFTER_RESTORE_MAX) });
    raised += r.raised;
    aboveClearance += r.aboveClearance ?? 0;
    for (const f of r.floors ?? []) if (asked.has(sequenceKey(f))) floors.set(sequenceKey(f), f.last);
  }
  const records = await sendNumberedRecords(db, authority, restore, floors, o.chunk);
  aboveClearance += records.aboveClearance;
  writeTx(db, () => {
    // A newer restore adopted meanwhile keeps its own mark.
    if (getState(db, NUMBERS_AFTER_RESTORE_KEY) !== restore) return;
    // Some left out above the person's clearance: the mark stays for a round by someone cleared for
    // them, and that round starts the records from the first (this pass went through them all).
    if (aboveClearance > 0) db.prepare('DELETE FROM main.sync_state WHERE key = ?').run(NUMBERED_RECORDS_SENT_KEY);
    else db.prepare('DELETE FROM main.sync_state WHERE key IN (?, ?)').run(NUMBERS_AFTER_RESTORE_KEY, NUMBERED_RECORDS_SENT_KEY);
    setState(db, NUMBERS_REPORTED_KEY, restore);
  });
  return { raised, ...records, aboveClearance };
}

/**
 * The clashes the agency server answered after its restore (numberedRecords.keepClashes): an arrival
 * whose number the server gave another record is renumbered from the server while someone who registers
 * is signed in (numberConflicts.ts, a correction and an audit entry naming the restore); an issued
 * document's number is inside the agency's signature and a record the server holds under another number
 * is not this workstation's to change: those stay listed on the sync panel (restoreNumberClashes.ts).
 */
export async function settleRestoreClashes(db: Db, authority: NumberAuthority, now: Date, actorId: number | null): Promise<number> {
  if (actorId === null) return 0;
  const rows = (db.prepare(`SELECT p.*, r.kind AS register_kind FROM main.number_reports p JOIN main.registers r ON r.id = p.register_id
    WHERE p.reported_at IS NULL AND p.after_restore IS NOT NULL AND p.kind = 'report' AND r.kind = 'incoming' ORDER BY p.id`).all() as Array<Omit<PendingRow, 'global_id'>>)
    .map((p): PendingRow => ({ ...p, global_id: sequenceKeyOf(db, p.register_id).register }));
  let renumbered = 0;
  for (const p of rows) {
    const clash = restoreClashOf(p.problem);
    if (clash !== 'number-taken') continue;
    try {
      if (await renumberTaken(db, authority, p, { error: 'number-taken', afterRestore: p.after_restore! }, actorId, now)) renumbered++;
    } catch (e) {
      // The server out of reach ends the round; a refusal (a closed year, numbers waiting for the
      // register's home) leaves this row listed and the others go on.
      if (unreachable(e)) throw e;
    }
  }
  return renumbered;
}

/** The reason kept on a clash's row (numberedRecords.keepClashes), or null for anything else. */
export function restoreClashOf(problem: string | null | undefined): 'number-taken' | 'record-numbered' | null {
  try {
    const p = JSON.parse(problem ?? 'null') as { error?: unknown } | null;
    return p?.error === 'number-taken' || p?.error === 'record-numbered' ? p.error : null;
  } catch {
    return null;
  }
}

/**
 * One contact round (agencySync.ts, with every sync round): what waits is sent, and the home's counters
 * of today's period follow the server's last numbers, so it continues after them if it is cut off.
 */
export async function numberingRound(db: Db, authority: NumberAuthority, now: Date, actorId: number | null = null): Promise<SentNumbers> {
  await lastNumbersAfterRestore(db, authority);
  await settleRestoreClashes(db, authority, now, actorId);
  const sent = await sendPending(db, authority, now, actorId);
  await numberWaiting(db, authority, now, actorId);
  // The homes as the server says them now (an administrator may have moved one here or away).
  await learnHomes(db, authority, now);
  const me = workstationId(db);
  const homes = (db.prepare('SELECT id, name, scope_id FROM main.registers WHERE active = 1').all() as RegisterRef[])
    .filter((r) => sequenceKeyOf(db, r.id).home === me);
  for (const r of homes) {
    const scope = scopeRow(db, r.scope_id);
    // A per-type sequence is followed for the types this workstation has numbered in the period (the
    // others are followed at their first number: the server is asked for it then).
    const period = sequenceOf(db, r, todayIso(now), '*').sequence.period;
    const buckets = scope.per_type
      ? cached(db, 'SELECT bucket FROM main.number_counters WHERE scope_id = ? AND period = ?').pluck().all(r.scope_id, period) as string[]
      : ['*'];
    for (const bucket of buckets) {
      const { sequence } = sequenceOf(db, r, todayIso(now), bucket);
      const { last } = await authority.last(sequence);
      if (last > 0) {
        writeTx(db, () => cached(db, `INSERT INTO main.number_counters (scope_id, period, bucket, last) VALUES (?,?,?,?)
          ON CONFLICT (scope_id, period, bucket) DO UPDATE SET last = max(last, excluded.last)`).run(r.scope_id, sequence.period, sequence.bucket, last));
      }
    }
  }
  return sent;
}
