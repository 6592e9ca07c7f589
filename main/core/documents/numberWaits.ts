// "Chờ cấp số": an arrival registered by a workstation that is not the shared register's home while the
// agency server could not be reached (the văn thư chose to register it now, number later). The record
// holds a placeholder meanwhile: a negative number derived from its global id, so the register's UNIQUE
// (register, period, number) holds on every workstation that receives it and nothing reads it as a number
// (isAwaitingNumber). Its number is asked of the server at the next contact (each numbering round, and
// before any new registration) under the record's global id: the server answers the number the record
// already holds when it is asked again, so a crash between the answer and the write (kill -9) gives the
// same number at the next try. The write, its update event and audit entry are one transaction.
import { createHash } from 'node:crypto';
import { DeskError } from '../../../common/errors';
import { appendAudit } from '../audit/auditLog';
import type { Db } from '../db/connection';
import { cached } from '../db/statements';
import { writeTx } from '../db/transaction';
import { recordChange, workstationId } from '../events/eventLog';
import { TransportError } from '../sync/transport';
import { isYearClosed } from './registers';
import { sequenceKeyOf } from './sequenceKey';
import type { NumberAuthority } from './sharedNumbering';

/** The placeholder of a record awaiting its number: negative, the same on every workstation, unique in practice (48 bits of its id's hash). */
export function awaitingNumber(recordGlobalId: string): number {
  return -(parseInt(createHash('sha256').update(recordGlobalId).digest('hex').slice(0, 12), 16) + 1);
}

/** The problem of a wait whose register year was closed before it got its number (moveWaitToOpenYear). */
export const WAIT_YEAR_CLOSED = 'year-closed';

/** An arrival number that is a placeholder ("Chờ cấp số"), not a number. */
export const isAwaitingNumber = (n: number): boolean => n < 1;

/** Inside the registration's transaction: the record waits for its number. */
export function recordWait(db: Db, registerId: number, taken: { number: number; period: string; bucket: string }, compartment: string, record: string, at: Date): void {
  cached(db, `INSERT INTO main.number_waits (register_id, period, bucket, placeholder, compartment, record_global_id, made_at) VALUES (?,?,?,?,?,?,?)`)
    .run(registerId, taken.period, taken.bucket, taken.number, compartment, record, at.toISOString());
}

/**
 * An arrival received by the exchange and registered while the agency server was out of reach
 * (exchange/awaitedArrivals.ts): its decision (the agency-wide "register once" claim) was not held then,
 * so the round asks it before the number, and the status "Đã tiếp nhận" owed to the sender is written
 * with the number, never before (the sender is told only what stands in the register).
 */
export interface AwaitedArrival { inboxId: number; from: string; packetId: string; decidedAt: string | null }

export type ArrivalDecision = { kind: 'mine' } | { kind: 'elsewhere'; workstation: string; at: string } | { kind: 'later'; why: string };

export interface ArrivalDecisions {
  /** Asked of the agency server (again: the holder gets "mine" each time); throws a transient TransportError when out of reach. */
  decide(a: AwaitedArrival): Promise<ArrivalDecision>;
  /** Inside the numbering's transaction: what the exchange owes once the arrival has its number (`recordId`: the record numbered). */
  numbered(db: Db, compartment: string, a: AwaitedArrival, recordId: number, actorId: number | null, now: Date): void;
}

/** Set while the exchange's claims are (exchange/inbox.ts); none: an arrival's wait is left for a round that has them. */
const decisions = new WeakMap<Db, ArrivalDecisions>();
export function setArrivalDecisions(db: Db, d: ArrivalDecisions | null): void {
  if (d) decisions.set(db, d);
  else decisions.delete(db);
}

/** The arrival a waiting record was registered from, if it came by the exchange. */
function arrivalOf(db: Db, compartment: string, recordGlobalId: string, arrivalGlobalId: string | null): AwaitedArrival | null {
  // By the arrival the wait names (base migration 36): its row may name another workstation's record by now.
  const r = (arrivalGlobalId
    ? db.prepare(`SELECT id, from_code, packet_id, decided_at FROM ${compartment}.exchange_inbox WHERE global_id = ?`).get(arrivalGlobalId)
    : db.prepare(`SELECT x.id, x.from_code, x.packet_id, x.decided_at FROM ${compartment}.exchange_inbox x JOIN ${compartment}.incoming i ON i.id = x.incoming_id
    WHERE i.global_id = ?`).get(recordGlobalId)) as { id: number; from_code: string; packet_id: string; decided_at: string | null } | undefined;
  return r ? { inboxId: r.id, from: r.from_code, packetId: r.packet_id, decidedAt: r.decided_at } : null;
}

/** Inside an exchange registration's transaction: the wait of its record names the arrival. */
export function linkWaitToArrival(db: Db, recordGlobalId: string, arrivalGlobalId: string): void {
  cached(db, 'UPDATE main.number_waits SET arrival_global_id = ? WHERE record_global_id = ?').run(arrivalGlobalId, recordGlobalId);
}

/** The problem of an arrival whose decision another workstation of the agency took first: never numbered here. */
export const WAIT_DECIDED_ELSEWHERE = 'decided-elsewhere';

interface WaitRow { id: number; register_id: number; period: string; bucket: string; placeholder: number; compartment: string; record_global_id: string; arrival_global_id: string | null; made_at: string; global_id: string; home: string | null; scope_id: number }

/** Out of reach: as the transport says it, or as the exchange's claims word it (exchange/link.ts). */
const isTransient = (e: unknown): boolean =>
  (e instanceof TransportError && e.transient) || (e instanceof DeskError && e.key === 'exchange.agencyUnreachable' && e.details?.transient === true);

const attached = (db: Db, schema: string) =>
  (db.prepare('SELECT name FROM pragma_database_list').pluck().all() as string[]).includes(schema);

export interface NumberedWaits { numbered: number; waiting: number }

/**
 * Asks the server the numbers of the arrivals waiting here, in the order they were registered, and
 * writes each in its record. A record whose compartment this session does not hold waits for a session
 * that does. An unreachable server ends the round (the rest wait); a refusal stays on the row.
 */
export async function numberWaiting(db: Db, authority: NumberAuthority, now: Date, actorId: number | null): Promise<NumberedWaits> {
  const rows = cached(db, `SELECT w.*, r.global_id, r.home_workstation AS home, r.scope_id FROM main.number_waits w JOIN main.registers r ON r.id = w.register_id
    WHERE w.numbered_at IS NULL ORDER BY w.id`).all() as WaitRow[];
  let numbered = 0;
  for (const w of rows) {
    if (!attached(db, w.compartment)) continue;
    const key = sequenceKeyOf(db, w.register_id);
    const sequence = { register: key.register, period: w.period, bucket: w.bucket };
    // A closed year's book is printed and signed: no number of it (the văn thư moves the record to the open year).
    const held = db.prepare(`SELECT year FROM ${w.compartment}.incoming WHERE global_id = ?`).pluck().get(w.record_global_id) as number | undefined;
    if (held !== undefined && isYearClosed(db, w.register_id, held)) {
      writeTx(db, () => cached(db, 'UPDATE main.number_waits SET problem = ? WHERE id = ?').run(WAIT_YEAR_CLOSED, w.id));
      continue;
    }
    // An exchange arrival: its decision first (agency-wide), then its number.
    const arrival = held === undefined ? null : arrivalOf(db, w.compartment, w.record_global_id, w.arrival_global_id);
    const gate = arrival ? decisions.get(db) : undefined;
    if (arrival) {
      if (!gate) continue;
      let d: ArrivalDecision;
      try {
        d = await gate.decide(arrival);
      } catch (e) {
        if (isTransient(e)) break;
        const problem = e instanceof Error ? e.message : String(e);
        writeTx(db, () => cached(db, 'UPDATE main.number_waits SET problem = ? WHERE id = ?').run(problem, w.id));
        continue;
      }
      if (d.kind === 'later') {
        writeTx(db, () => cached(db, 'UPDATE main.number_waits SET problem = ? WHERE id = ?').run(d.why, w.id));
        continue;
      }
      if (d.kind === 'elsewhere') {
        writeTx(db, () => {
          const changed = cached(db, 'UPDATE main.number_waits SET problem = ? WHERE id = ? AND problem IS NOT ?').run(WAIT_DECIDED_ELSEWHERE, w.id, WAIT_DECIDED_ELSEWHERE).changes;
          if (changed === 1) {
            appendAudit(db, {
              userId: actorId, action: 'exchange.decidedElsewhereWhileAwaiting', entity: 'exchange_inbox', entityId: arrival.inboxId,
              details: { workstation: d.workstation, claimedAt: d.at, awaitedSince: w.made_at },
            }, now.toISOString());
          }
        });
        continue;
      }
    }
    let n: number, last: number;
    try {
      const r = await authority.allocate({ ...sequence, record: w.record_global_id, home: key.home ?? w.home ?? workstationId(db) });
      n = r.allocation.number;
      last = r.last;
    } catch (e) {
      if (isTransient(e)) break;
      // The server heard of the closing before this workstation did.
      const problem = e instanceof TransportError && e.code === 'year-closed' ? WAIT_YEAR_CLOSED : e instanceof Error ? e.message : String(e);
      writeTx(db, () => cached(db, 'UPDATE main.number_waits SET problem = ? WHERE id = ?').run(problem, w.id));
      continue;
    }
    const outcome = writeTx(db, () => {
      const row = db.prepare(`SELECT id, year, arrival_number FROM ${w.compartment}.incoming WHERE global_id = ?`).get(w.record_global_id) as { id: number; year: number; arrival_number: number } | undefined;
      // Gone (deleted before it was numbered) or numbered already (a received update): the wait ends.
      if (!row || row.arrival_number !== w.placeholder) {
        // (A round that ran at the same time and wrote it already has closed the row: left as it wrote it.)
        cached(db, 'UPDATE main.number_waits SET numbered_at = ?, problem = ? WHERE id = ? AND numbered_at IS NULL').run(now.toISOString(), row ? 'numbered-elsewhere' : 'record-gone', w.id);
        return 'settled' as const;
      }
      try {
        db.prepare(`UPDATE ${w.compartment}.incoming SET arrival_number = ? WHERE id = ?`).run(n, row.id);
      } catch (e) {
        // Another record holds it here (the home's offline number the server had not heard of): kept for
        // the next round, when the home's report has settled who keeps it.
        if ((e as { code?: string }).code !== 'SQLITE_CONSTRAINT_UNIQUE') throw e;
        cached(db, 'UPDATE main.number_waits SET problem = ? WHERE id = ?').run(`number ${n} is held by another record here`, w.id);
        return 'clash' as const;
      }
      cached(db, `INSERT INTO main.number_counters (scope_id, period, bucket, last) VALUES (?,?,?,?)
        ON CONFLICT (scope_id, period, bucket) DO UPDATE SET last = max(last, excluded.last)`).run(w.scope_id, w.period, w.bucket, Math.max(n, last));
      recordChange(db, 'incoming', row.id, 'update', actorId, now, w.compartment);
      if (arrival && gate) gate.numbered(db, w.compartment, arrival, row.id, actorId, now);
      cached(db, 'UPDATE main.number_waits SET number = ?, numbered_at = ?, problem = NULL WHERE id = ?').run(n, now.toISOString(), w.id);
      appendAudit(db, {
        userId: actorId, action: 'incoming.numbered', entity: 'incoming', entityId: row.id,
        details: { year: row.year, arrivalNumber: n, awaitedSince: w.made_at, by: 'agency-server' },
      }, now.toISOString());
      return 'numbered' as const;
    });
    if (outcome === 'numbered') numbered++;
  }
  return { numbered, waiting: waitingCount(db) };
}

/** How many arrivals registered here wait for their number (the sync panel's figure). */
export function waitingCount(db: Db): number {
  return cached(db, 'SELECT count(*) FROM main.number_waits WHERE numbered_at IS NULL').pluck().get() as number;
}

/** The record that stands for an arrival registered twice (documents/withdrawDuplicate.ts). */
export interface StandingRecord { globalId: string; arrivalNumber: number; registerName: string }

/**
 * For the detail view: the record that stands for this one's arrival, when this record awaits its number
 * here and its arrival was decided at another workstation (null otherwise, and for records of elsewhere).
 */
export function duplicateOf(db: Db, cx: string, recordGlobalId: string): StandingRecord | null | undefined {
  const wait = db.prepare('SELECT arrival_global_id AS arrival, problem FROM main.number_waits WHERE record_global_id = ? AND numbered_at IS NULL')
    .get(recordGlobalId) as { arrival: string | null; problem: string | null } | undefined;
  if (!wait || wait.problem !== WAIT_DECIDED_ELSEWHERE) return undefined;
  return standingFor(db, cx, wait.arrival, recordGlobalId);
}

/** The numbered record the arrival names now (not this one), if it has arrived here yet. */
export function standingFor(db: Db, cx: string, arrivalGlobalId: string | null, recordGlobalId: string): StandingRecord | null {
  if (!arrivalGlobalId) return null;
  const r = db.prepare(`SELECT i.global_id AS globalId, i.arrival_number AS arrivalNumber, g.name AS registerName FROM ${cx}.exchange_inbox x
      JOIN ${cx}.incoming i ON i.id = x.incoming_id JOIN main.registers g ON g.id = i.register_id WHERE x.global_id = ?`)
    .get(arrivalGlobalId) as StandingRecord | undefined;
  return r && r.globalId !== recordGlobalId && !isAwaitingNumber(r.arrivalNumber) ? r : null;
}
