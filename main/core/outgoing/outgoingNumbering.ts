// The issue's number from the agency server while the profile is linked to it (docs/server.md,
// "Numbering authority"): asked before the agency signs (the number is inside the signature), under
// the outgoing record's global id, so a retry after a crash or a failed signing gets the same number.
// As for incoming registers, only the register's home numbers from its counter while the server is out
// of reach (and reports those numbers); another workstation refuses the issue: an outgoing number is
// printed on a signed document, there is no "chờ cấp số" for it.
import { DeskError } from '../../../common/errors';
import type { Db } from '../db/connection';
import { cached } from '../db/statements';
import type { TakenNumber } from '../documents/numbering';
import { workstationId } from '../events/eventLog';
import { TransportError } from '../sync/transport';
import { sendPending, sequenceOf, unreachable, type NumberAuthority, type NumberPlan, type RegisterRef } from '../documents/sharedNumbering';

export type IssuePlan = { kind: 'local' } | Extract<NumberPlan, { kind: 'server' | 'home-offline' }>;

export async function planIssueNumber(
  db: Db, authority: NumberAuthority | null, register: RegisterRef | undefined, date: string, typeCode: string, record: string, now: Date, actorId: number,
): Promise<IssuePlan> {
  // No register yet: the issue's transaction makes them and plans again.
  if (!authority || !register) return { kind: 'local' };
  const { sequence, home } = sequenceOf(db, register, date, typeCode);
  const isHome = home === workstationId(db);
  try {
    // The home's offline numbers first: the server never hands one of them out again.
    if (isHome) await sendPending(db, authority, now, actorId);
    const r = await authority.allocate({ ...sequence, record, home });
    return { kind: 'server', taken: { number: r.allocation.number, period: sequence.period, bucket: sequence.bucket }, last: r.last, sequence, record };
  } catch (e) {
    if (unreachable(e)) {
      if (isHome) return { kind: 'home-offline', record };
      // Nothing is owed back: a number the server gave before its answer was lost is this record's, and
      // the next issue asks for it again under the same id.
      throw DeskError.keyed('VALIDATION', 'numbering.outgoingServerUnreachable', { register: register.name }, { details: { code: 'numbering.outgoingServerUnreachable', error: e.message, home } });
    }
    if (e instanceof TransportError) {
      throw DeskError.keyed('VALIDATION', 'numbering.outgoingServerRefused', { register: register.name, reason: e.message }, { details: { code: 'numbering.outgoingServerRefused', status: e.status, error: e.code } });
    }
    throw e;
  }
}

/**
 * The issue failed after the server gave its number (signing refused, token removed, the transaction
 * refused): given back now. When the server cannot be reached the record keeps it, and its next issue
 * gets it again; no give-back is queued (one sent after a later, successful issue would free the
 * number of an issued document).
 */
export async function giveBackIssueNumber(authority: NumberAuthority, plan: IssuePlan): Promise<void> {
  if (plan.kind !== 'server') return;
  await authority.giveBack({ ...plan.sequence, record: plan.record }).catch(() => undefined);
}

/**
 * Inside the issue's transaction, for a number the home gave offline: to be reported (as owedReport).
 * The record keeps its global id across tries, so a row of an earlier try may exist: its base commit
 * survived a kill -9 that lost the compartment's (the claim then gave the local number back). That row
 * now names this try's number, and is sent again if it was sent already (a different number is then the
 * server's 409 `record-numbered`, kept on the row for the sync panel).
 */
export function owedIssueReport(db: Db, registerId: number, taken: TakenNumber, compartment: string, record: string, now: Date): void {
  cached(db, `INSERT INTO main.number_reports (register_id, period, bucket, number, kind, compartment, record_global_id, made_at) VALUES (?,?,?,?,'report',?,?,?)
    ON CONFLICT (record_global_id) DO UPDATE SET register_id = excluded.register_id, period = excluded.period, bucket = excluded.bucket, number = excluded.number,
      kind = 'report', compartment = excluded.compartment, made_at = excluded.made_at, reported_at = NULL, problem = NULL`)
    .run(registerId, taken.period, taken.bucket, taken.number, compartment, record, now.toISOString());
}
