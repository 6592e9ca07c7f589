// Corrections of a registered entry: the văn thư changes what was written wrong, with a reason; the
// old and new values are kept (append-only) and audited, and the change is an 'update' event. The
// arrival number and date, the register and the secrecy level are never corrected (they decide the
// number and who may see it). Once the register's year is closed, nothing in it is corrected.
import type { CorrectionView, IncomingDetail } from '../../../common/contract';
import { todayIso } from '../../../common/dates';
import { ARRIVAL_CHANNELS, secrecyRank, type Secrecy } from '../../../common/domain';
import { DeskError } from '../../../common/errors';
import { formatNumberSymbol, parseNumberSymbol } from '../../../common/numberSymbol';
import { incomingDateIssues, type IncomingCorrectionInput } from '../../../common/schemas';
import { appendAudit } from '../audit/auditLog';
import type { CoreContext } from '../context';
import type { Db } from '../db/connection';
import { writeTx } from '../db/transaction';
import { recordChange } from '../events/eventLog';
import { newGlobalId } from '../events/globalId';
import { findUnit } from '../org/units';
import { authorize, requireClearance, type Actor } from '../org/rights';
import { issuerKey, numberSymbolKey } from './duplicates';
import { dateIssuesError, fieldsError, getIncoming, visibleArm } from './incoming';
import { nextRecordId } from '../compartments/ids';
import { recipientRefs, resolveRecipients, storeRecipients, type ResolvedRecipient } from './recipients';
import { isYearClosed } from './registers';
import { auditRefusal } from '../secrets/registerYears';
import { indexIncoming, unindexIncoming } from './search';

interface EntryRow {
  id: number; register_id: number; name: string; year: number; arrival_date: string; arrival_number: number; secrecy: Secrecy;
  issuer_unit_id: number | null; issuer_name: string; number_symbol: string; document_date: string; type_code: string; subject: string;
  urgency: string; deadline: string | null; recipients: string; notes: string; page_count: number | null; copy_count: number | null;
  signer: string; arrival_channel: string | null;
}

/** The correctable fields as the person sees them (old and new values are kept in these terms). */
interface Values {
  issuer: string; numberSymbol: string; documentDate: string; typeCode: string; subject: string; urgency: string;
  deadline: string | null; recipients: string[]; notes: string; pageCount: number | null; copyCount: number | null;
  signer: string; arrivalChannel: string | null;
}

const valuesOf = (r: EntryRow): Values => ({
  issuer: r.issuer_name, numberSymbol: r.number_symbol, documentDate: r.document_date, typeCode: r.type_code, subject: r.subject,
  urgency: r.urgency, deadline: r.deadline, recipients: JSON.parse(r.recipients) as string[], notes: r.notes, pageCount: r.page_count,
  copyCount: r.copy_count, signer: r.signer, arrivalChannel: r.arrival_channel,
});

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export async function correctIncoming(ctx: CoreContext, actor: Actor, input: IncomingCorrectionInput): Promise<IncomingDetail> {
  authorize(actor, 'doc.register');
  await ctx.writable();
  const { db } = ctx;
  const now = ctx.now();
  const arm = visibleArm(db, ctx.arms, actor, input.id);
  const cx = arm.schema;
  const row = db.prepare(`SELECT i.*, r.name FROM ${cx}.incoming i JOIN registers r ON r.id = i.register_id WHERE i.id = ?`).get(input.id) as EntryRow | undefined;
  if (!row || secrecyRank(row.secrecy) > secrecyRank(actor.clearance)) throw DeskError.keyed('NOT_FOUND', 'document.notFound');
  requireClearance(actor, row.secrecy);
  if (isYearClosed(db, row.register_id, row.year)) {
    auditRefusal(ctx, actor, 'incoming.correct', 'correction.yearClosed', { register: row.register_id, year: row.year }, { entity: 'incoming', entityId: row.id });
    throw DeskError.keyed('VALIDATION', 'correction.yearClosed', { register: row.name, year: row.year });
  }

  const c = input.changes;
  const before = valuesOf(row);
  const after: Values = { ...before };
  let issuerUnitId = row.issuer_unit_id;
  if (c.issuer) {
    after.issuer = c.issuer.name;
    issuerUnitId = null;
    if (c.issuer.unitId !== undefined) {
      const unit = findUnit(db, c.issuer.unitId);
      if (!unit) throw fieldsError({ 'issuer.name': { key: 'issuer.unknown' } });
      after.issuer = unit.name;
      issuerUnitId = unit.id;
    }
  }
  if (c.numberSymbol !== undefined) {
    const parsed = parseNumberSymbol(c.numberSymbol);
    if (!parsed.ok) throw fieldsError({ numberSymbol: parsed.msg });
    after.numberSymbol = formatNumberSymbol(parsed.value);
  }
  if (c.documentDate !== undefined) after.documentDate = c.documentDate;
  if (c.typeCode !== undefined) after.typeCode = c.typeCode;
  if (c.subject !== undefined) after.subject = c.subject;
  if (c.urgency !== undefined) after.urgency = c.urgency;
  if (c.deadline !== undefined) after.deadline = c.deadline;
  if (c.notes !== undefined) after.notes = c.notes;
  if (c.pageCount !== undefined) after.pageCount = c.pageCount;
  if (c.copyCount !== undefined) after.copyCount = c.copyCount;
  if (c.signer !== undefined) after.signer = c.signer;
  if (c.arrivalChannel !== undefined) {
    if (c.arrivalChannel !== null && !ARRIVAL_CHANNELS.includes(c.arrivalChannel)) throw fieldsError({ arrivalChannel: { key: 'arrivalChannel.required' } });
    after.arrivalChannel = c.arrivalChannel;
  }
  let recipients: ResolvedRecipient[] | null = null;
  if (c.recipients !== undefined) {
    recipients = resolveRecipients(db, c.recipients, row.secrecy);
    after.recipients = recipients.map((r) => r.name);
  }
  // Tuyệt mật entries keep no subject line; the others keep one.
  if (row.secrecy === 'tuyet_mat' && after.subject !== '') throw fieldsError({ subject: { key: 'subject.tuyetMat' } });
  if (row.secrecy !== 'tuyet_mat' && after.subject === '') throw fieldsError({ subject: { key: 'field.required', params: { field: 'subject' } } });
  const dateIssues = incomingDateIssues({ documentDate: after.documentDate, arrivalDate: row.arrival_date, deadline: after.deadline }, todayIso(now));
  if (dateIssues.length > 0) throw dateIssuesError(dateIssues);

  const changed = (Object.keys(after) as Array<keyof Values>).filter((k) => !same(before[k], after[k]));
  const recipientsChanged = recipients !== null && !same(recipientRefs(db, cx, row.id, before.recipients).map((r) => [r.kind, r.id, r.name]),
    recipients.map((r) => [r.unitId !== null ? 'unit' : r.userId !== null ? 'user' : 'text', r.unitId ?? r.userId, r.name]));
  if (recipientsChanged && !changed.includes('recipients')) changed.push('recipients');
  if (changed.length === 0) throw DeskError.keyed('VALIDATION', 'correction.nothingChanged');
  const pick = (v: Values) => Object.fromEntries(changed.map((k) => [k, v[k]]));

  writeTx(db, () => {
    db.prepare(
      `UPDATE ${cx}.incoming SET issuer_unit_id = ?, issuer_name = ?, issuer_key = ?, number_symbol = ?, number_symbol_key = ?, document_date = ?,
        type_code = ?, subject = ?, urgency = ?, deadline = ?, recipients = ?, notes = ?, page_count = ?, copy_count = ?, signer = ?, arrival_channel = ?
       WHERE id = ?`,
    ).run(
      issuerUnitId, after.issuer, issuerKey(after.issuer), after.numberSymbol, numberSymbolKey(after.numberSymbol), after.documentDate,
      after.typeCode, after.subject, after.urgency, after.deadline, JSON.stringify(after.recipients), after.notes, after.pageCount,
      after.copyCount, after.signer, after.arrivalChannel, row.id,
    );
    if (recipients && recipientsChanged) storeRecipients(db, cx, row.id, recipients, actor.id, now);
    unindexIncoming(db, cx, row.id);
    indexIncoming(db, cx, row.id, { subject: after.subject, numberSymbol: after.numberSymbol, issuerName: after.issuer, notes: after.notes });
    const correctionId = nextRecordId(db);
    db.prepare(`INSERT INTO ${cx}.incoming_corrections (id, global_id, incoming_id, corrected_by, corrected_at, reason, old_values, new_values) VALUES (?,?,?,?,?,?,?,?)`)
      .run(correctionId, newGlobalId(), row.id, actor.id, now.toISOString(), input.reason, JSON.stringify(pick(before)), JSON.stringify(pick(after)));
    recordChange(db, 'incoming', row.id, 'update', actor.id, now, cx);
    recordChange(db, 'incoming_corrections', correctionId, 'create', actor.id, now, cx);
    appendAudit(db, {
      userId: actor.id, action: 'incoming.correct', entity: 'incoming', entityId: row.id,
      // The values and the reason stay in the compartment's correction record: the base's audit names fields only.
      details: { correction: correctionId, register: row.name, arrivalNumber: row.arrival_number, fields: changed },
    }, now.toISOString());
  });
  return getIncoming(db, ctx.arms, actor, row.id);
}

export function listCorrections(db: Db, c: string, incomingId: number): CorrectionView[] {
  const rows = db.prepare(
    `SELECT c.id, u.full_name AS correctedBy, c.corrected_at AS correctedAt, c.reason, c.old_values AS oldValues, c.new_values AS newValues
     FROM ${c}.incoming_corrections c JOIN users u ON u.id = c.corrected_by WHERE c.incoming_id = ? ORDER BY c.id`,
  ).all(incomingId) as Array<{ id: number; correctedBy: string; correctedAt: string; reason: string; oldValues: string; newValues: string }>;
  return rows.map((r) => {
    const before = JSON.parse(r.oldValues) as Record<string, unknown>;
    const after = JSON.parse(r.newValues) as Record<string, unknown>;
    return { id: r.id, correctedBy: r.correctedBy, correctedAt: r.correctedAt, reason: r.reason, changes: Object.keys(after).map((field) => ({ field, before: before[field], after: after[field] })) };
  });
}
