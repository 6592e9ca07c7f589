// Hand-over inside the agency (Phụ lục IV: ngày chuyển, ký nhận): the văn thư records to whom (a
// unit or a person of the agency) and on which day a registered document was handed over; the
// recipient acknowledges receipt electronically, signed in as themselves, and the time is kept.
// A hand-over to a person is acknowledged by that person only; one to a unit by anyone signed in who
// may read the document except whoever handed it over (nobody signs for their own delivery).
import type { HandoverView } from '../../../common/contract';
import { formatDateTimeVn, formatDateVn, todayIso } from '../../../common/dates';
import { clearedFor, secrecyRank, SECRECY_LABELS, type Secrecy } from '../../../common/domain';
import { DeskError, type MessageKey, type MessageParams } from '../../../common/errors';
import type { HandOverInput } from '../../../common/schemas';
import { appendAudit } from '../audit/auditLog';
import type { CoreContext } from '../context';
import type { Db } from '../db/connection';
import { writeTx } from '../db/transaction';
import { recordChange } from '../events/eventLog';
import { unitNameAt } from '../org/structure';
import { findInternalUnit } from '../org/internalUnits';
import { authorize, type Actor } from '../org/rights';
import { parseCertificate, signDetached, type PrivateKeyOps } from '../crypto';
import { locate, type Arm } from './arms';
import { visibleArm } from './incoming';
import { nextRecordId } from '../compartments/ids';
import { newGlobalId } from '../events/globalId';
import { assertHandoverOpen, refuseClosed } from '../secrets/registerYears';
import { isYearClosed } from './registers';

interface HandoverRow {
  id: number; incoming_id: number; internal_unit_id: number | null; user_id: number | null; recipient_name: string;
  handed_on: string; handed_by: number; recorded_at: string; note: string; acknowledged_by: number | null; acknowledged_at: string | null;
  ack_signer?: string | null;
}

const invalid = (field: string, key: MessageKey, params?: MessageParams) => DeskError.keyed('VALIDATION', key, params, { at: field });
const notFound = () => DeskError.keyed('NOT_FOUND', 'document.notFound');

/** The document, if the person may see it (otherwise it does not exist), and its compartment. */
function visibleDocument(db: Db, arms: readonly Arm[], actor: Actor, incomingId: number): { id: number; secrecy: Secrecy; arrival_date: string; arrival_number: number; register_id: number; c: string } {
  const c = visibleArm(db, arms, actor, incomingId).schema;
  const doc = db.prepare(`SELECT id, secrecy, secrecy_rank, arrival_date, arrival_number, register_id FROM ${c}.incoming WHERE id = ?`).get(incomingId) as
    { id: number; secrecy: Secrecy; secrecy_rank: number; arrival_date: string; arrival_number: number; register_id: number } | undefined;
  if (!doc || doc.secrecy_rank > secrecyRank(actor.clearance)) throw notFound();
  return { ...doc, c };
}

const canAcknowledge = (h: HandoverRow, actor: Actor): boolean =>
  h.acknowledged_at === null && (h.user_id !== null ? h.user_id === actor.id : h.handed_by !== actor.id);

function toView(db: Db, h: HandoverRow, actor: Actor): HandoverView {
  const name = (id: number | null) => (id === null ? null : (db.prepare('SELECT full_name FROM users WHERE id = ?').pluck().get(id) as string | undefined) ?? null);
  return {
    id: h.id,
    // The unit's name on the day of the hand-over (a unit renamed or merged since keeps it here).
    unitName: h.internal_unit_id === null ? null : (unitNameAt(db, h.internal_unit_id, h.handed_on)?.name ?? h.recipient_name),
    userName: name(h.user_id),
    userId: h.user_id,
    handedOn: h.handed_on,
    handedBy: name(h.handed_by) ?? '',
    recordedAt: h.recorded_at,
    note: h.note,
    acknowledgedBy: name(h.acknowledged_by),
    acknowledgedAt: h.acknowledged_at,
    acknowledgementSignedBy: h.ack_signer ?? null,
    canAcknowledge: canAcknowledge(h, actor),
  };
}

export function listHandovers(db: Db, c: string, actor: Actor, incomingId: number): HandoverView[] {
  const rows = db.prepare(`SELECT * FROM ${c}.incoming_handovers WHERE incoming_id = ? ORDER BY handed_on, id`).all(incomingId) as HandoverRow[];
  return rows.map((h) => toView(db, h, actor));
}

export async function handOver(ctx: CoreContext, actor: Actor, input: HandOverInput): Promise<HandoverView> {
  authorize(actor, 'doc.register');
  await ctx.writable();
  const { db } = ctx;
  const now = ctx.now();
  const today = todayIso(now);
  const doc = visibleDocument(db, ctx.arms, actor, input.id);
  const { c } = doc;
  let unitName: string | null = null;
  if (input.unitId !== undefined) {
    const unit = findInternalUnit(db, input.unitId);
    if (!unit || !unit.active) throw invalid('recipient', 'recipient.unitUnknown');
    unitName = unit.name;
  }
  let userName: string | null = null;
  if (input.userId !== undefined) {
    const user = db.prepare('SELECT full_name, clearance FROM users WHERE id = ? AND active = 1').get(input.userId) as { full_name: string; clearance: Secrecy } | undefined;
    if (!user) throw invalid('recipient', 'recipient.userUnknown');
    // A secret document is handed only to someone cleared for its level.
    if (!clearedFor(user.clearance, doc.secrecy)) throw invalid('recipient', 'recipient.notCleared', { name: user.full_name, level: SECRECY_LABELS[doc.secrecy] });
    userName = user.full_name;
  }
  const handedOn = input.handedOn ?? today;
  if (handedOn > today) throw invalid('handedOn', 'handover.future', { today: formatDateVn(today) });
  if (handedOn < doc.arrival_date) throw invalid('handedOn', 'handover.beforeArrival', { arrival: formatDateVn(doc.arrival_date) });
  const recipientName = unitName && userName ? `${userName} (${unitName})` : (userName ?? unitName)!;
  // A closed year of the secret registers takes no hand-over dated in it (secrets/registerYears.ts).
  if (doc.secrecy !== 'thuong') assertHandoverOpen(ctx, actor, { id: doc.id, arrivalDate: doc.arrival_date }, handedOn, null);
  // So does a closed year of an ordinary incoming register (its ký nhận column, docs/register-closings.md).
  else assertOrdinaryHandoverOpen(ctx, actor, { id: doc.id, registerId: doc.register_id, arrivalDate: doc.arrival_date }, handedOn, null);
  const id = writeTx(db, () => {
    const newId = nextRecordId(db);
    db.prepare(`INSERT INTO ${c}.incoming_handovers (id, global_id, incoming_id, internal_unit_id, user_id, recipient_name, handed_on, handed_by, recorded_at, note)
      VALUES (?,?,?,?,?,?,?,?,?,?)`).run(newId, newGlobalId(), doc.id, input.unitId ?? null, input.userId ?? null, recipientName, handedOn, actor.id, now.toISOString(), input.note);
    recordChange(db, 'incoming_handovers', newId, 'create', actor.id, now, c);
    appendAudit(db, {
      userId: actor.id, action: 'incoming.hand_over', entity: 'incoming', entityId: doc.id,
      details: { handover: newId, arrivalNumber: doc.arrival_number, to: recipientName, handedOn },
    }, now.toISOString());
    return newId;
  });
  return toView(db, db.prepare(`SELECT * FROM ${c}.incoming_handovers WHERE id = ?`).get(id) as HandoverRow, actor);
}

/**
 * A hand-over of an ordinary document dated `handedOn`: refused (audited) when the incoming register it
 * was entered in is closed for that year and the document arrived that year: the closed book's ký nhận
 * column shows the first hand-over dated in the year, as it stood at the closing. `late`: an
 * acknowledgement of a pending hand-over, refused the same way (a new hand-over this year is acknowledged).
 */
function assertOrdinaryHandoverOpen(ctx: CoreContext, actor: Actor, doc: { id: number; registerId: number; arrivalDate: string }, handedOn: string, late: null | { handover: number }): void {
  const year = Number(handedOn.slice(0, 4));
  if (Number(doc.arrivalDate.slice(0, 4)) !== year || !isYearClosed(ctx.db, doc.registerId, year)) return;
  const register = (ctx.db.prepare('SELECT name FROM main.registers WHERE id = ?').pluck().get(doc.registerId) as string | undefined) ?? '';
  const details = { handedOn, year, register: doc.registerId, ...(late ? { handover: late.handover } : {}) };
  const entity = { entity: 'incoming', entityId: doc.id };
  if (late) refuseClosed(ctx, actor, 'incoming.acknowledge', 'handover.lateAcknowledgementClosed', { register, year, date: formatDateVn(handedOn) }, details, { entity });
  refuseClosed(ctx, actor, 'incoming.hand_over', 'handover.incomingYearClosed', { register, year, date: formatDateVn(handedOn) }, details, { at: 'handedOn', entity });
}

/** Ký nhận: the recipient, signed in, acknowledges receipt; the time is recorded and never changes. */
/** The statement a receiver signs for a hand-over (canonical text; verified with the CMS signature). */
export const acknowledgementStatement = (handoverGlobalId: string, documentGlobalId: string, at: string): string =>
  `securedesk-handover-ack v1\nhandover ${handoverGlobalId}\ndocument ${documentGlobalId}\nat ${at}\n`;

export async function acknowledge(ctx: CoreContext, actor: Actor, handoverId: number, key?: PrivateKeyOps): Promise<HandoverView> {
  authorize(actor, 'doc.read');
  await ctx.writable();
  const { db } = ctx;
  const now = ctx.now();
  // No late ký nhận into a closed year of the secret registers: refused (audited) before anything is written.
  {
    const arm = locate(db, ctx.arms, 'incoming_handovers', handoverId);
    const h = arm && arm.level !== 'thuong' ? db.prepare(`SELECT h.handed_on, h.acknowledged_at, i.id, i.arrival_date, i.secrecy FROM ${arm.schema}.incoming_handovers h JOIN ${arm.schema}.incoming i ON i.id = h.incoming_id WHERE h.id = ?`)
      .get(handoverId) as { handed_on: string; acknowledged_at: string | null; id: number; arrival_date: string; secrecy: Secrecy } | undefined : undefined;
    if (h && h.secrecy !== 'thuong' && h.acknowledged_at === null) {
      visibleDocument(db, ctx.arms, actor, h.id);
      assertHandoverOpen(ctx, actor, { id: h.id, arrivalDate: h.arrival_date }, h.handed_on, { handover: handoverId });
    }
    const o = arm && arm.level === 'thuong' ? db.prepare(`SELECT h.handed_on, h.acknowledged_at, i.id, i.arrival_date, i.register_id FROM ${arm.schema}.incoming_handovers h JOIN ${arm.schema}.incoming i ON i.id = h.incoming_id WHERE h.id = ?`)
      .get(handoverId) as { handed_on: string; acknowledged_at: string | null; id: number; arrival_date: string; register_id: number } | undefined : undefined;
    if (o && o.acknowledged_at === null) {
      visibleDocument(db, ctx.arms, actor, o.id);
      assertOrdinaryHandoverOpen(ctx, actor, { id: o.id, registerId: o.register_id, arrivalDate: o.arrival_date }, o.handed_on, { handover: handoverId });
    }
  }
  // Signed on the token before the transaction (a token takes its time); checked again inside it.
  let signed: { cms: Buffer; signer: string } | null = null;
  if (key) {
    const arm = locate(db, ctx.arms, 'incoming_handovers', handoverId);
    if (!arm) throw DeskError.keyed('NOT_FOUND', 'handover.notFound');
    const h = db.prepare(`SELECT h.global_id AS hg, i.global_id AS dg FROM ${arm.schema}.incoming_handovers h JOIN ${arm.schema}.incoming i ON i.id = h.incoming_id WHERE h.id = ?`).get(handoverId) as { hg: string; dg: string };
    visibleDocument(db, ctx.arms, actor, (db.prepare(`SELECT incoming_id FROM ${arm.schema}.incoming_handovers WHERE id = ?`).pluck().get(handoverId) as number));
    const cms = await signDetached(new Uint8Array(Buffer.from(acknowledgementStatement(h.hg, h.dg, now.toISOString()))), { key, signingTime: now });
    signed = { cms: Buffer.from(cms), signer: parseCertificate(key.certificate).commonName ?? '' };
  }
  return writeTx(db, () => {
    const arm = locate(db, ctx.arms, 'incoming_handovers', handoverId);
    if (!arm) throw DeskError.keyed('NOT_FOUND', 'handover.notFound');
    const c = arm.schema;
    const h = db.prepare(`SELECT * FROM ${c}.incoming_handovers WHERE id = ?`).get(handoverId) as HandoverRow;
    const doc = visibleDocument(db, ctx.arms, actor, h.incoming_id);
    if (h.acknowledged_at !== null)
      throw DeskError.keyed('VALIDATION', 'handover.alreadyAcknowledged', { time: formatDateTimeVn(h.acknowledged_at) });
    if (!canAcknowledge(h, actor)) {
      throw DeskError.keyed('FORBIDDEN', h.user_id !== null ? 'handover.onlyRecipient' : 'handover.notByHander');
    }
    db.prepare(`UPDATE ${c}.incoming_handovers SET acknowledged_by = ?, acknowledged_at = ?, ack_cms = ?, ack_signer = ? WHERE id = ?`)
      .run(actor.id, now.toISOString(), signed?.cms ?? null, signed?.signer ?? null, h.id);
    recordChange(db, 'incoming_handovers', h.id, 'update', actor.id, now, c);
    appendAudit(db, {
      userId: actor.id, action: 'incoming.acknowledge', entity: 'incoming', entityId: doc.id,
      details: { handover: h.id, arrivalNumber: doc.arrival_number, to: h.recipient_name, signed: signed !== null },
    }, now.toISOString());
    return toView(db, db.prepare(`SELECT * FROM ${c}.incoming_handovers WHERE id = ?`).get(h.id) as HandoverRow, actor);
  });
}
