// Renumbering a set-aside registration (docs/sync.md, "Số đến trùng"). Two workstations that register
// into one register while cut off from the agency server can give two documents the same arrival
// number; the sync sets the second one it sees aside (sync_inbox.problem) rather than apply it. The
// văn thư resolves it here: the registration made LATER (registered_at, then global id: the order of
// receipt the decree numbers by) is the provisional one and takes the next number of its register
// and year; the earlier keeps its number. The rule is the same on every workstation, so whichever
// workstation resolves first, the other one's set-aside event is freed when the renumbering arrives
// (apply.ts tries set-aside events again on every round).
//
// The renumbering is a correction of the entry (incoming_corrections: old and new number, reason),
// an 'update' event of the record, and an audit entry, in one transaction with the apply.
import type { RenumberResult, SetAsideRegistration } from '../../../common/contract';
import { secrecyRank, type Secrecy } from '../../../common/domain';
import { DeskError } from '../../../common/errors';
import type { RenumberInput } from '../../../common/schemas';
import { appendAudit } from '../audit/auditLog';
import { nextRecordId } from '../compartments/ids';
import type { CoreContext } from '../context';
import type { Db } from '../db/connection';
import { writeTx } from '../db/transaction';
import { recordChange } from '../events/eventLog';
import { newGlobalId } from '../events/globalId';
import { authorize, requireClearance, type Actor } from '../org/rights';
import { auditRefusal } from '../secrets/registerYears';
import { applyReceived } from '../sync/apply';
import { wireEventSchema, type WireEvent } from '../sync/wire';
import type { Arm } from './arms';
import { listRegisters } from './incoming';
import { peekNumber, takeNumber, type TakenNumber } from './numbering';
import { followServerNumber, giveBack, owedReport, planNumber, type NumberAuthority, type NumberPlan } from './sharedNumbering';
import { claimNumber } from './numberClaims';
import { isYearClosed } from './registers';

/** Stored with the correction (the văn thư's words, in the record). */
const REASON = 'Cấp số lại: số đến đã được cấp cho văn bản khác khi hai máy trạm vào sổ lúc mất kết nối với máy chủ.';

interface RegisterRow { id: number; name: string; scope_id: number }
interface LocalEntry {
  id: number; schema: string; global_id: string; arrival_date: string; registered_at: string; number_symbol: string;
  issuer_name: string; subject: string; secrecy: Secrecy; type_code: string; registeredBy: string | null;
}

/** A set-aside registration as found: its latest event, the register, and the entry here it collides with. */
interface Found {
  schema: string; level: Secrecy; seq: number; event: WireEvent; register: RegisterRow;
  period: string; year: number; number: number; collision: LocalEntry | null; laterIsReceived: boolean;
}

const heldArms = (arms: readonly Arm[], actor: Actor): Array<Arm & { level: Secrecy }> =>
  arms.filter((a): a is Arm & { level: Secrecy } => a.level !== null && secrecyRank(a.level) <= secrecyRank(actor.clearance));

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Registered later: by the time written with it (ISO, the origin's clock), then by global id (UUIDv7) on a tie. */
const isLater = (at: string, gid: string, otherAt: string, otherGid: string): boolean => (at === otherAt ? gid > otherGid : at > otherAt);

/** Every set-aside registration the person may resolve, one per record (its latest set-aside event). */
function findAll(db: Db, arms: readonly Arm[], actor: Actor): Found[] {
  const visible = new Set(listRegisters(db, actor).map((r) => r.id));
  const out: Found[] = [];
  for (const arm of heldArms(arms, actor)) {
    const rows = db.prepare(`SELECT seq, body FROM ${arm.schema}.sync_inbox WHERE problem IS NOT NULL ORDER BY seq`).all() as Array<{ seq: number; body: string }>;
    const latest = new Map<string, { seq: number; event: WireEvent }>();
    for (const r of rows) {
      const event = wireEventSchema.parse(JSON.parse(r.body));
      if (event.entity !== 'incoming' || event.kind === 'delete') continue;
      const prev = latest.get(event.entityId);
      if (!prev || prev.event.id < event.id) latest.set(event.entityId, { seq: r.seq, event });
    }
    for (const { seq, event } of latest.values()) {
      const d = event.data;
      const register = db.prepare('SELECT id, name, scope_id FROM main.registers WHERE global_id = ?').get(d.register_id) as RegisterRow | undefined;
      if (!register || !visible.has(register.id) || typeof d.arrival_number !== 'number' || typeof d.period !== 'string' || typeof d.year !== 'number') continue;
      const collision = collidingEntry(db, arms, actor, register.id, d.period, d.arrival_number, event.entityId);
      const laterIsReceived = collision === null || isLater(str(d.registered_at), event.entityId, collision.registered_at, collision.global_id);
      out.push({ schema: arm.schema, level: arm.level, seq, event, register, period: d.period, year: d.year, number: d.arrival_number, collision, laterIsReceived });
    }
  }
  return out;
}

/** The entry here holding the number (any level of the register the session holds). */
function collidingEntry(db: Db, arms: readonly Arm[], actor: Actor, registerId: number, period: string, number: number, exceptGid: string): LocalEntry | null {
  for (const arm of heldArms(arms, actor)) {
    const row = db.prepare(`SELECT i.id, i.global_id, i.arrival_date, i.registered_at, i.number_symbol, i.issuer_name, i.subject, i.secrecy, i.type_code,
        u.full_name AS registeredBy
      FROM ${arm.schema}.incoming i LEFT JOIN main.users u ON u.id = i.registered_by
      WHERE i.register_id = ? AND i.period = ? AND i.arrival_number = ? AND i.global_id <> ?`).get(registerId, period, number, exceptGid) as Omit<LocalEntry, 'schema'> | undefined;
    if (row) return { ...row, schema: arm.schema };
  }
  return null;
}

const numberTaken = (db: Db, arms: readonly Arm[], registerId: number, period: string, n: number): boolean =>
  arms.some((a) => a.level !== null && db.prepare(`SELECT 1 FROM ${a.schema}.incoming WHERE register_id = ? AND period = ? AND arrival_number = ?`).get(registerId, period, n) !== undefined);

/** The number the renumbering would give now (the counter follows every number seen; a taken one is skipped). */
function nextFree(db: Db, arms: readonly Arm[], f: Found, date: string, typeCode: string): number {
  let n = peekNumber(db, f.register.scope_id, date, typeCode);
  while (numberTaken(db, arms, f.register.id, f.period, n)) n += 1;
  return n;
}

/** The date and type of the registration that takes the new number (the later one). */
function renumbered(f: Found): { date: string; typeCode: string } {
  return f.laterIsReceived || !f.collision
    ? { date: str(f.event.data.arrival_date), typeCode: str(f.event.data.type_code) }
    : { date: f.collision.arrival_date, typeCode: f.collision.type_code };
}

function view(db: Db, arms: readonly Arm[], f: Found): SetAsideRegistration {
  const d = f.event.data;
  const by = typeof d.registered_by === 'string' ? db.prepare('SELECT full_name FROM main.users WHERE global_id = ?').pluck().get(d.registered_by) as string | undefined : undefined;
  const r = renumbered(f);
  return {
    entityId: f.event.entityId, level: f.level, registerId: f.register.id, registerName: f.register.name, year: f.year, arrivalNumber: f.number,
    received: {
      arrivalDate: str(d.arrival_date), registeredAt: str(d.registered_at), registeredBy: by ?? '', numberSymbol: str(d.number_symbol),
      issuerName: str(d.issuer_name), subject: str(d.subject), secrecy: f.level,
    },
    local: f.collision && {
      id: f.collision.id, arrivalDate: f.collision.arrival_date, registeredAt: f.collision.registered_at, registeredBy: f.collision.registeredBy ?? '',
      numberSymbol: f.collision.number_symbol, issuerName: f.collision.issuer_name, subject: f.collision.subject, secrecy: f.collision.secrecy,
    },
    renumbers: f.collision ? (f.laterIsReceived ? 'received' : 'local') : null,
    yearClosed: isYearClosed(db, f.register.id, f.year),
    nextNumber: f.collision ? nextFree(db, arms, f, r.date, r.typeCode) : null,
  };
}

export function listSetAside(ctx: Pick<CoreContext, 'db' | 'arms'>, actor: Actor): SetAsideRegistration[] {
  authorize(actor, 'doc.register');
  return findAll(ctx.db, ctx.arms, actor).map((f) => view(ctx.db, ctx.arms, f));
}

function findOne(ctx: Pick<CoreContext, 'db' | 'arms'>, actor: Actor, entityId: string): Found {
  const f = findAll(ctx.db, ctx.arms, actor).find((x) => x.event.entityId === entityId);
  // Resolved already (here, or on another workstation whose renumbering has arrived): nothing to do.
  if (!f) throw DeskError.keyed('NOT_FOUND', 'renumber.notFound');
  return f;
}

/**
 * Gives the later of the two registrations the next number of its register and year, then applies the
 * set-aside one. Refused: without doc.register, above the clearance, a closed year, nothing set aside.
 */
export async function renumberSetAside(ctx: CoreContext, actor: Actor, input: RenumberInput, numbering: NumberAuthority | null = null): Promise<RenumberResult> {
  authorize(actor, 'doc.register');
  await ctx.writable();
  const first = findOne(ctx, actor, input.entityId);
  requireClearance(actor, first.level);
  if (!first.collision) throw DeskError.keyed('VALIDATION', 'renumber.noCollision');
  if (isYearClosed(ctx.db, first.register.id, first.year)) {
    auditRefusal(ctx, actor, 'incoming.renumber', 'renumber.yearClosed', { register: first.register.id, year: first.year });
    throw DeskError.keyed('VALIDATION', 'renumber.yearClosed', { register: first.register.name, year: first.year });
  }
  const now = ctx.now();
  const { db } = ctx;
  // A shared register's new number comes from the agency server (sharedNumbering.ts), allocated under the
  // correction's global id (the record's own id already holds its first number there).
  const correctionGid = newGlobalId();
  const r0 = renumbered(first);
  const plan = await planNumber(db, numbering, first.register, r0.date, r0.typeCode, correctionGid, now, actor.id);
  try {
    return writeRenumbering(ctx, actor, input, plan, correctionGid, now);
  } catch (e) {
    if (plan.kind === 'server') await giveBack(db, numbering!, first.register.id, plan, now);
    throw e;
  }
}

function writeRenumbering(ctx: CoreContext, actor: Actor, input: RenumberInput, plan: NumberPlan, correctionGid: string, now: Date): RenumberResult {
  const { db, arms } = ctx;
  return writeTx(db, () => {
    // Looked at again inside the write lock: a round may have applied or changed it meanwhile.
    const f = findOne(ctx, actor, input.entityId);
    const other = f.collision;
    if (!other) throw DeskError.keyed('VALIDATION', 'renumber.noCollision');
    const r = renumbered(f);
    let taken: TakenNumber;
    if (plan.kind === 'server') {
      taken = plan.taken;
      if (taken.period !== f.period || numberTaken(db, arms, f.register.id, f.period, taken.number)) throw new Error(`renumbering: the server's number ${taken.number} (${taken.period}) is held here already`);
      followServerNumber(db, f.register.scope_id, plan);
    } else {
      taken = takeNumber(db, f.register.scope_id, r.date, r.typeCode);
      while (taken.period !== f.period || numberTaken(db, arms, f.register.id, f.period, taken.number)) {
        if (taken.period !== f.period) throw new Error(`renumbering: period ${taken.period} is not the entry's ${f.period}`);
        taken = takeNumber(db, f.register.scope_id, r.date, r.typeCode);
      }
    }
    const n = taken.number;
    // The record that gets it (numberClaims.ts): the received registration, or the other one.
    const claimed = f.laterIsReceived
      ? { compartment: f.schema, globalId: f.event.entityId }
      : { compartment: other.schema, globalId: db.prepare(`SELECT global_id FROM ${other.schema}.incoming WHERE id = ?`).pluck().get(other.id) as string };
    if (plan.kind !== 'server') claimNumber(db, f.register.scope_id, taken, { ...claimed, table: 'incoming' }, now);
    if (plan.kind === 'home-offline') owedReport(db, f.register.id, taken, claimed.compartment, correctionGid, now);
    let incomingId: number;
    let schema: string;
    if (f.laterIsReceived) {
      // The received registration takes the new number as it is applied; its log keeps it as it came.
      applyReceived(db, f.schema, new Map([[f.event.entityId, { arrival_number: n }]]));
      schema = f.schema;
      const id = db.prepare(`SELECT id FROM ${schema}.incoming WHERE global_id = ?`).pluck().get(f.event.entityId) as number | undefined;
      if (id === undefined) throw DeskError.keyed('VALIDATION', 'renumber.stillRefused');
      incomingId = id;
    } else {
      schema = other.schema;
      incomingId = other.id;
      db.prepare(`UPDATE ${schema}.incoming SET arrival_number = ? WHERE id = ?`).run(n, incomingId);
    }
    const correctionId = nextRecordId(db);
    db.prepare(`INSERT INTO ${schema}.incoming_corrections (id, global_id, incoming_id, corrected_by, corrected_at, reason, old_values, new_values) VALUES (?,?,?,?,?,?,?,?)`)
      .run(correctionId, correctionGid, incomingId, actor.id, now.toISOString(), REASON, JSON.stringify({ arrivalNumber: f.number }), JSON.stringify({ arrivalNumber: n }));
    recordChange(db, 'incoming', incomingId, 'update', actor.id, now, schema);
    recordChange(db, 'incoming_corrections', correctionId, 'create', actor.id, now, schema);
    let keptId = other.id;
    if (!f.laterIsReceived) {
      // The number is free now: the set-aside registration goes in as it came.
      applyReceived(db, f.schema);
      const id = db.prepare(`SELECT id FROM ${f.schema}.incoming WHERE global_id = ?`).pluck().get(f.event.entityId) as number | undefined;
      if (id === undefined) throw DeskError.keyed('VALIDATION', 'renumber.stillRefused');
      keptId = id;
    }
    appendAudit(db, {
      userId: actor.id, action: 'incoming.renumber', entity: 'incoming', entityId: incomingId,
      details: { register: f.register.name, year: f.year, oldNumber: f.number, newNumber: n, correction: correctionId, received: f.laterIsReceived, kept: keptId },
    }, now.toISOString());
    return { incomingId, registerName: f.register.name, year: f.year, oldNumber: f.number, newNumber: n, renumbered: f.laterIsReceived ? 'received' : 'local' };
  });
}
