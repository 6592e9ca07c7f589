// A register's home workstation as the agency server says it (docs/server.md, "Numbering authority",
// moving a register's home). An administrator moves it at the server (the server checks the role of the
// person whose token signed in; this core checks `org.manage` first and audits the outcome); every
// numbering round reads each register's home from the server into `register_homes_heard` (base
// migration 35), which rules over the synced creating workstation: a workstation moved away stops
// numbering offline from that round on, the new home starts.
import { DeskError } from '../../../common/errors';
import { todayIso } from '../../../common/dates';
import { appendAudit } from '../audit/auditLog';
import type { Db } from '../db/connection';
import { cached } from '../db/statements';
import { writeTx } from '../db/transaction';
import { authorize, type Actor } from '../org/rights';
import type { HomeMove, LastNumber, MoveHomeRequest, NumberSequence } from '../sync/numbers/protocol';
import { TransportError } from '../sync/transport';
import { periodOf, scopeRow } from './numbering';
import { sequenceKeyOf } from './sequenceKey';

/** The server's word on a register's home (written when it differs from what this workstation held). */
function hear(db: Db, registerGid: string, home: string, now: Date): void {
  cached(db, `INSERT INTO main.register_homes_heard (register_global_id, home, heard_at) VALUES (?,?,?)
    ON CONFLICT (register_global_id) DO UPDATE SET home = excluded.home, heard_at = excluded.heard_at`).run(registerGid, home, now.toISOString());
}

interface RegisterRow { id: number; name: string; scope_id: number }

/**
 * Reads from the server the home of every active register's sequence (one request per key register)
 * and keeps what changed, with an audit entry `register.home_heard` (from, to). A register the person
 * signed in may not number (403) is left as it is; an unreachable server ends the round.
 */
export async function learnHomes(db: Db, authority: { last(q: NumberSequence): Promise<LastNumber> }, now: Date): Promise<number> {
  const rows = db.prepare('SELECT id, name, scope_id FROM main.registers WHERE active = 1 ORDER BY id').all() as RegisterRow[];
  const done = new Set<string>();
  let changed = 0;
  for (const r of rows) {
    const key = sequenceKeyOf(db, r.id);
    if (done.has(key.register)) continue;
    done.add(key.register);
    let home: string | null;
    try {
      home = (await authority.last({ register: key.register, period: periodOf(scopeRow(db, r.scope_id), todayIso(now)), bucket: '*' })).home;
    } catch (e) {
      if (e instanceof TransportError && !e.transient) continue;
      throw e;
    }
    if (!home || home === key.home) continue;
    writeTx(db, () => {
      hear(db, key.register, home, now);
      appendAudit(db, { userId: null, action: 'register.home_heard', entity: 'registers', entityId: r.id, details: { register: key.register, from: key.home, to: home } }, now.toISOString());
    });
    changed++;
  }
  return changed;
}

/** The server's routes an administrator's move takes (NumberClient). */
export interface HomeMover { moveHome(register: string, q: MoveHomeRequest): Promise<HomeMove> }

/** A refusal or failure of the server, in the person's words (the English cause stays in the details). */
function refusal(e: unknown, register: string, workstation: string): never {
  if (!(e instanceof TransportError)) throw e;
  const details = { details: { status: e.status, code: e.code, error: e.message } };
  if (e.transient) throw DeskError.keyed('VALIDATION', 'sync.serverUnreachable', { error: e.message }, details);
  if (e.code === 'forbidden' || e.code === 'register-level') throw DeskError.keyed('FORBIDDEN', 'sync.adminRefused', undefined, details);
  if (e.code === 'unknown-workstation') throw DeskError.keyed('VALIDATION', 'registerHome.unknownWorkstation', { workstation }, details);
  if (e.code === 'workstation-lost') throw DeskError.keyed('VALIDATION', 'registerHome.workstationLost', { workstation }, details);
  if (e.code === 'already-home') throw DeskError.keyed('VALIDATION', 'registerHome.alreadyHome', { workstation, register }, details);
  if (e.code === 'unknown-register') throw DeskError.keyed('VALIDATION', 'registerHome.unknownRegister', { register }, details);
  throw DeskError.keyed('VALIDATION', 'sync.serverRefused', { error: e.message }, details);
}

/**
 * An administrator moves a register's home (its scope's, when registers share one) to another
 * workstation of the agency. The server decides and records it; this workstation takes the server's
 * answer at once, and every outcome is in the audit log (`register.home_move`).
 */
export async function moveRegisterHome(
  db: Db, actor: Actor, input: { registerId: number; workstation: string; reason: string }, server: HomeMover | null, now: Date,
): Promise<HomeMove> {
  authorize(actor, 'org.manage');
  const reason = input.reason.trim();
  if (reason.length < 5 || reason.length > 500) throw DeskError.keyed('VALIDATION', 'registerHome.reasonShort');
  const register = db.prepare('SELECT id, name FROM main.registers WHERE id = ?').get(input.registerId) as { id: number; name: string } | undefined;
  if (!register) throw DeskError.keyed('NOT_FOUND', 'register.notFound');
  if (!server) throw DeskError.keyed('VALIDATION', 'registerHome.notLinked');
  const key = sequenceKeyOf(db, register.id);
  const audit = (outcome: 'ok' | 'failed', details: Record<string, unknown>, code?: string) => appendAudit(db, {
    userId: actor.id, action: 'register.home_move', entity: 'registers', entityId: register.id, outcome, ...(code ? { reason: code } : {}),
    details: { register: key.register, to: input.workstation, reason, ...details },
  }, now.toISOString());
  let move: HomeMove;
  try {
    move = await server.moveHome(key.register, { workstation: input.workstation, reason });
  } catch (e) {
    writeTx(db, () => audit('failed', { error: e instanceof Error ? e.message : String(e) }, e instanceof TransportError ? e.code : 'INTERNAL'));
    return refusal(e, register.name, input.workstation);
  }
  writeTx(db, () => {
    hear(db, key.register, move.to, now);
    audit('ok', { from: move.from, movedAt: move.movedAt });
  });
  return move;
}
