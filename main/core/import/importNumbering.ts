// The legacy import's numbers while the workstation is linked to its agency server (docs/server.md,
// "Numbering authority"; docs/legacy-import.md). The import gives every record a new number in its
// register (the old number stays in the notes), so on a shared register those numbers are the server's:
// before a batch is written, this thread asks for the numbers of its rows, many at a time
// (/v1/numbers/allocate-many), under record ids derived from the job and the row, and hands them to the
// writer with the rows. A kill between the allocation and the commit, then resume, asks again under the
// same ids and gets the same numbers: no gap, no number twice. The database worker does no network I/O.
//
// Cut off from the server, the register's home numbers from its own counter and reports those numbers
// later (as a registration does); another workstation pauses the job (resumable) and numbers nothing.
import { DeskError } from '../../../common/errors';
import type { Db } from '../db/connection';
import { chooseRegister } from '../documents/incoming';
import { sendPending, sequenceOf, unreachable, type NumberAuthority, type NumberPlan } from '../documents/sharedNumbering';
import { workstationId } from '../events/eventLog';
import { derivedGlobalId } from '../events/globalId';
import { NUMBERS_MANY_MAX } from '../sync/numbers/protocol';
import { TransportError } from '../sync/transport';
import type { Actor } from '../org/rights';
import type { RowToWrite } from './writeSlice';

/** How a row to register is numbered while linked: the server's number or the home's offline one, under the record's id. */
export interface RowNumber { plan: Extract<NumberPlan, { kind: 'server' | 'home-offline' }>; globalId: string }

/**
 * The record id of a job's row: the same on every run of the job (so the server answers the same number
 * after a crash), distinct per workstation and job (another workstation importing the same file asks
 * for other records). A UUIDv7 like every record's, its time the job's creation.
 */
export function importRecordId(workstation: string, jobId: number, jobCreatedAt: string, rowKey: string): string {
  return derivedGlobalId(`legacy-import:${workstation}:${jobId}:${rowKey}`, Date.parse(jobCreatedAt));
}

/** Whether the writer registers the row (its other outcomes are decided already). */
const registers = (p: RowToWrite): boolean =>
  p.standing === null && (p.checked.status === 'ok' || p.checked.status === 'warning') && !p.refused && p.checked.record !== undefined;

/**
 * Sets `numbered` on each row of `rows` the writer will register: the server's number (asked in order,
 * per register), the home's offline plan, or null when its register cannot be told (the writer then
 * refuses the row: it never numbers locally while linked). Returns the server's numbers it holds.
 * Throws numbering.importServerUnreachable when the server is out of reach and this workstation is not
 * the home of a register the rows go to (nothing of the batch is written; resume asks the same ids).
 */
export async function numberRows(
  db: Db, authority: NumberAuthority, actor: Actor, job: { id: number; createdAt: string }, rows: RowToWrite[], now: Date,
): Promise<RowToWrite[]> {
  const me = workstationId(db);
  const byRegister = new Map<string, { name: string; home: string; rows: Array<{ p: RowToWrite; period: string; bucket: string }> }>();
  for (const p of rows) {
    if (!registers(p)) continue;
    const r = p.checked.record!;
    let register;
    try {
      register = chooseRegister(db, actor, r.secrecy);
    } catch {
      p.numbered = null; // registration refuses it the same way (no register for the level)
      continue;
    }
    const { sequence, home } = sequenceOf(db, register, r.arrivalDate, r.typeCode);
    const group = byRegister.get(sequence.register) ?? { name: register.name, home, rows: [] };
    group.rows.push({ p, period: sequence.period, bucket: sequence.bucket });
    byRegister.set(sequence.register, group);
  }
  const numbered: RowToWrite[] = [];
  // The home's offline numbers go to the server first: it never hands one of them out again.
  let pendingSent = false;
  for (const [register, group] of byRegister) {
    const isHome = group.home === me;
    const record = (p: RowToWrite) => importRecordId(me, job.id, job.createdAt, p.checked.key);
    try {
      if (isHome && !pendingSent) { await sendPending(db, authority, now, actor.id); pendingSent = true; }
      for (let i = 0; i < group.rows.length; i += NUMBERS_MANY_MAX) {
        const chunk = group.rows.slice(i, i + NUMBERS_MANY_MAX);
        const items = chunk.map((x) => ({ period: x.period, bucket: x.bucket, record: record(x.p) }));
        const { results } = await authority.allocateMany({ register, home: group.home, items });
        chunk.forEach((x, k) => {
          const a = results[k]!;
          const sequence = { register, period: x.period, bucket: x.bucket };
          x.p.numbered = { globalId: items[k]!.record, plan: { kind: 'server', taken: { number: a.allocation.number, period: x.period, bucket: x.bucket }, last: a.last, sequence, record: items[k]!.record } };
          numbered.push(x.p);
        });
      }
    } catch (e) {
      if (unreachable(e)) {
        if (!isHome) throw DeskError.keyed('VALIDATION', 'numbering.importServerUnreachable', { register: group.name }, { details: { error: e.message, home: group.home } });
        // The home numbers the rest from its counter; each number is reported at its next contact.
        for (const x of group.rows) if (!x.p.numbered) x.p.numbered = { globalId: record(x.p), plan: { kind: 'home-offline', record: record(x.p) } };
        continue;
      }
      if (e instanceof TransportError) throw DeskError.keyed('VALIDATION', 'numbering.serverRefused', { register: group.name, reason: e.message }, { details: { status: e.status, code: e.code } });
      throw e;
    }
  }
  return numbered;
}

/**
 * The server's numbers of rows that took none (refused at registration, or not written: a cancel) go
 * back, the latest first so that the sequence's counter moves back over them. Best effort: one that
 * cannot be given back stays allocated to its record id, which the job's resume asks for again.
 */
export async function giveBackUnused(authority: NumberAuthority, rows: readonly RowToWrite[]): Promise<void> {
  for (const p of [...rows].reverse()) {
    const plan = p.numbered?.plan;
    if (plan?.kind !== 'server') continue;
    await authority.giveBack({ ...plan.sequence, record: plan.record }).catch(() => undefined);
  }
}
