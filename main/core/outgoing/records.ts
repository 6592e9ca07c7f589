// Reading outgoing documents over the compartments a session holds, with need-to-know: a classified
// outgoing document (and any draft) is seen by the văn thư and leaders, and otherwise only by the
// people in its life: the drafter, the approvers of its chain and the designated signer. An issued
// Thường document is open to the agency.
import type { OutgoingDetail, OutgoingDispatchView, OutgoingUpdateField, OutgoingUpdateView, OutgoingFileView, OutgoingRow, OutgoingSignatureView, OutgoingStepView } from '../../../common/contract';
import { clearedFor, type Secrecy, type Urgency } from '../../../common/domain';
import { DeskError } from '../../../common/errors';
import { TRANSPORT_REFUSED } from '../../../common/edxml';
import type { DispatchStatus, OutgoingStatus, OutgoingStepKind } from '../../../common/outgoing';
import type { Arm } from '../compartments/levels';
import { currentAttempt, parseResend, supersededRefusals } from './resends';
import { currentValues, parseTakeBack, parseUpdate, updateText, type TakeBackRecord } from './updates';
import type { Db } from '../db/connection';
import { canSeeAll } from '../documents/needToKnow';
import type { Actor } from '../org/rights';
import { outgoingMatcher } from './search';

export interface OutgoingDbRow {
  id: number; global_id: string; status: OutgoingStatus; type_code: string; subject: string; secrecy: Secrecy; secrecy_rank: number; urgency: Urgency;
  signer_id: number; signer_competence: string; drafted_by: number; drafting_unit: string; issued_amount: number | null; reply_deadline: string | null;
  page_count: number | null; notes: string; approvers: string; current_step: number; version: number; created_at: string; updated_at: string;
  register_id: number | null; period: string | null; bucket: string | null; number: number | null; number_symbol: string | null;
  issued_date: string | null; issued_at: string | null; issued_by: number | null; recalled_at: string | null; recalled_by: number | null;
  recall_reason: string | null; replaces_id: number | null; replaced_by_id: number | null;
  /** JSON array: the pages of the main PDF where appendices start (compartment migration 11). */
  appendix_pages: string;
}

export const approversOf = (r: Pick<OutgoingDbRow, 'approvers'>): number[] => JSON.parse(r.approvers) as number[];
export const appendixPagesOf = (r: Pick<OutgoingDbRow, 'appendix_pages'>): number[] => JSON.parse(r.appendix_pages || '[]') as number[];

export const userName = (db: Db, id: number | null): string =>
  id === null ? '' : ((db.prepare('SELECT full_name FROM main.users WHERE id = ?').pluck().get(id) as string | undefined) ?? '');

/** Whether a person is in the document's life (drafter, approver, signer). */
export const involved = (r: OutgoingDbRow, actor: Actor): boolean =>
  r.drafted_by === actor.id || r.signer_id === actor.id || approversOf(r).includes(actor.id);

export function maySee(r: OutgoingDbRow, actor: Actor): boolean {
  if (!clearedFor(actor.clearance, r.secrecy)) return false;
  if (canSeeAll(actor) || involved(r, actor)) return true;
  return r.secrecy_rank === 0 && (r.status === 'issued' || r.status === 'recalled');
}

/** The row and its compartment; NOT_FOUND when absent, not held, or outside the person's need-to-know. */
export function locateOutgoing(db: Db, arms: readonly Arm[], actor: Actor, id: number): { row: OutgoingDbRow; c: string } {
  for (const a of arms) {
    if (a.level === null) continue;
    const row = db.prepare(`SELECT * FROM ${a.schema}.outgoing WHERE id = ?`).get(id) as OutgoingDbRow | undefined;
    if (row) {
      if (!maySee(row, actor)) break;
      return { row, c: a.schema };
    }
  }
  throw DeskError.keyed('NOT_FOUND', 'document.notFound');
}

function waitingFor(db: Db, r: OutgoingDbRow): string | null {
  if (r.status !== 'in_review') return null;
  const next = approversOf(r)[r.current_step];
  return next === undefined ? null : userName(db, next);
}

export function rowView(db: Db, r: OutgoingDbRow): OutgoingRow {
  return {
    id: r.id, status: r.status, typeCode: r.type_code, subject: r.subject, secrecy: r.secrecy, urgency: r.urgency,
    numberSymbol: r.number_symbol, issuedDate: r.issued_date, signerName: userName(db, r.signer_id), draftedByName: userName(db, r.drafted_by),
    updatedAt: r.updated_at, waitingFor: waitingFor(db, r),
  };
}

export function listOutgoing(db: Db, arms: readonly Arm[], actor: Actor, q: { status?: OutgoingStatus | undefined; mine: boolean; query?: string | undefined; limit: number }): OutgoingRow[] {
  const out: OutgoingDbRow[] = [];
  for (const a of arms) {
    if (a.level === null || !clearedFor(actor.clearance, a.level)) continue;
    const rows = db.prepare(`SELECT * FROM ${a.schema}.outgoing ${q.status ? 'WHERE status = ?' : ''} ORDER BY id DESC LIMIT ?`)
      .all(...(q.status ? [q.status] : []), 5000) as OutgoingDbRow[];
    const matches = outgoingMatcher(db, a.schema, q.query);
    for (const r of rows) if (maySee(r, actor) && (!q.mine || involved(r, actor)) && (!matches || matches(r))) out.push(r);
  }
  return out.sort((x, y) => y.id - x.id).slice(0, q.limit).map((r) => rowView(db, r));
}

export function detailView(db: Db, c: string, r: OutgoingDbRow, actor: Actor, can: OutgoingDetail['can']): Omit<OutgoingDetail, 'agencySignatureRequired'> {
  const files = (db.prepare(`SELECT id, version, ordinal, role, name, size, is_pdf AS isPdf, sha256 FROM ${c}.outgoing_files WHERE outgoing_id = ? AND version = ? ORDER BY ordinal`)
    .all(r.id, r.version) as Array<Omit<OutgoingFileView, 'isPdf'> & { isPdf: number }>).map((f) => ({ ...f, isPdf: f.isPdf === 1 }));
  const steps = (db.prepare(`SELECT s.id, s.kind, s.position, s.version, u.full_name AS actorName, s.at, s.comment FROM ${c}.outgoing_steps s JOIN main.users u ON u.id = s.actor_id WHERE s.outgoing_id = ? ORDER BY s.id`)
    .all(r.id) as Array<OutgoingStepView & { kind: OutgoingStepKind }>)
    // An update keeps its changes as JSON: shown in words.
    .map((s) => {
      const u = s.kind === 'update' ? parseUpdate(s.comment) : null;
      const t = s.kind === 'take_back' ? parseTakeBack(s.comment) : null;
      const again = s.kind === 'resend' ? parseResend(s.comment) : null;
      return u ? { ...s, comment: updateText(u) } : t ? { ...s, comment: `${t.recipient}: ${t.reason}` } : again ? { ...s, comment: again.recipient } : s;
    });
  const signatures = db.prepare(`SELECT s.id, s.role, s.format, f.name AS fileName, s.signer_name AS signerName, s.signed_at AS signedAt
      FROM ${c}.outgoing_signatures s JOIN ${c}.outgoing_files f ON f.id = s.file_id WHERE s.outgoing_id = ? ORDER BY s.id`).all(r.id) as OutgoingSignatureView[];
  const recipients = db.prepare(`SELECT id, kind, code, name FROM ${c}.outgoing_recipients WHERE outgoing_id = ? ORDER BY ordinal`).all(r.id) as OutgoingDetail['recipients'];
  const rawSteps = db.prepare(`SELECT s.id, s.kind, u.full_name AS actorName, s.at, s.comment FROM ${c}.outgoing_steps s JOIN main.users u ON u.id = s.actor_id
      WHERE s.outgoing_id = ? AND s.kind IN ('update', 'take_back') ORDER BY s.id`).all(r.id) as Array<{ id: number; kind: string; actorName: string; at: string; comment: string }>;
  const updates: OutgoingUpdateView[] = rawSteps.flatMap((s) => {
    const u = s.kind === 'update' ? parseUpdate(s.comment) : null;
    if (!u) return [];
    const changes = (Object.entries(u.changes) as Array<[OutgoingUpdateField, { before: unknown; after: unknown }]>)
      .map(([field, ch]) => ({ field, before: ch.before as string | number | null, after: ch.after as string | number | null }));
    return [{ id: s.id, at: s.at, actorName: s.actorName, reason: u.reason, changes }];
  });
  const takeBacks = new Map<string, { at: string; reason: string; actorName: string }>();
  for (const s of rawSteps) {
    const t: TakeBackRecord | null = s.kind === 'take_back' ? parseTakeBack(s.comment) : null;
    if (t) takeBacks.set(t.dispatch, { at: s.at, reason: t.reason, actorName: s.actorName });
  }
  const dispatches = (db.prepare(`SELECT d.id, d.global_id AS gid, r.name AS recipient, r.code, d.status, d.updated_at AS updatedAt FROM ${c}.outgoing_dispatches d
      JOIN ${c}.outgoing_recipients r ON r.id = d.recipient_id WHERE d.outgoing_id = ? ORDER BY r.ordinal`).all(r.id) as Array<Omit<OutgoingDispatchView, 'takenBack' | 'refused'> & { gid: string; status: DispatchStatus }>)
    .map(({ gid, ...d }) => ({ ...d, takenBack: takeBacks.get(gid) ?? null, refused: refusalOf(db, c, d.id, gid), resent: currentAttempt(db, c, gid) }));
  const approved = new Set((db.prepare(`SELECT position FROM ${c}.outgoing_steps WHERE outgoing_id = ? AND kind IN ('approve','approve_changes') AND id > ifnull((SELECT max(id) FROM ${c}.outgoing_steps WHERE outgoing_id = ? AND kind IN ('return','submit')), 0)`)
    .pluck().all(r.id, r.id) as number[]));
  const link = (id: number | null) => {
    if (id === null) return null;
    const other = db.prepare(`SELECT number_symbol FROM ${c}.outgoing WHERE id = ?`).pluck().get(id) as string | null | undefined;
    return { id, numberSymbol: other ?? null };
  };
  // Issued without the agency's signature, the main file still changed: the unsigned update with the number and date.
  const issuedUnsigned = (r.status === 'issued' || r.status === 'recalled') && !signatures.some((x) => x.role === 'agency')
    && (db.prepare(`SELECT count(*) FROM ${c}.outgoing_files f WHERE f.outgoing_id = ? AND f.version = ? AND f.role = 'main' AND f.signed_sha256 IS NOT NULL
      AND f.signed_sha256 NOT IN (SELECT ifnull(s.result_sha256, '') FROM ${c}.outgoing_signatures s WHERE s.file_id = f.id)`).pluck().get(r.id, r.version) as number) > 0;
  const registerName = r.register_id === null ? null : (db.prepare('SELECT name FROM main.registers WHERE id = ?').pluck().get(r.register_id) as string | undefined) ?? null;
  void actor;
  return {
    ...rowView(db, r),
    signerId: r.signer_id, signerCompetence: r.signer_competence, draftedBy: r.drafted_by, draftingUnit: r.drafting_unit,
    issuedAmount: r.issued_amount, replyDeadline: r.reply_deadline, pageCount: r.page_count, notes: r.notes,
    approvers: approversOf(r).map((id, i) => ({ id, name: userName(db, id), done: r.status !== 'draft' && (approved.has(i) || i < r.current_step) })),
    currentStep: r.current_step, version: r.version, files, steps, signatures, recipients, dispatches,
    registerName, number: r.number, recalledAt: r.recalled_at, recallReason: r.recall_reason,
    replaces: link(r.replaces_id), replacedBy: link(r.replaced_by_id), appendixPages: appendixPagesOf(r), issuedUnsigned,
    current: currentValues(db, c, r), updates, can,
  };
}

/**
 * The dispatch's packet refused on the way (exchange/refusals.ts): the latest refusal, or null. The
 * refusals of document packets a resend (resends.ts) answered stay in the history, not on the row.
 */
function refusalOf(db: Db, c: string, dispatchId: number, dispatchGid: string): { reason: string; at: string } | null {
  const superseded = supersededRefusals(db, c, dispatchGid);
  const r = db.prepare(`SELECT description, coalesce(at, received_at) AS at FROM ${c}.exchange_status_in WHERE dispatch_id = ? AND code = '${TRANSPORT_REFUSED}'
      AND packet_id NOT IN (SELECT value FROM json_each(?)) ORDER BY received_at DESC LIMIT 1`)
    .get(dispatchId, JSON.stringify(superseded)) as { description: string | null; at: string } | undefined;
  return r ? { reason: r.description ?? '', at: r.at } : null;
}
