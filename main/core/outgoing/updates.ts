// Cập nhật (BussinessDocType 2): an issued document's metadata corrected and sent again to the same
// recipient agencies. The issued record stays as it was issued (its row is frozen); each correction is
// an 'update' step (append-only, synced like every step) whose comment keeps the reason and each field's
// old and new value as JSON. The packet of an update carries the document with its corrected metadata
// (current = issued values with every update over them, in order), naming the same DocumentId.
// Lấy lại (status 13) of one dispatch is a 'take_back' step whose comment names the dispatch, the
// agency and the reason.
import { formatDateVn } from '../../../common/dates';
import type { Db } from '../db/connection';

export const UPDATE_FIELDS = ['subject', 'replyDeadline', 'pageCount', 'issuedAmount'] as const;
export type UpdateField = (typeof UPDATE_FIELDS)[number];
export type UpdateValues = { subject: string; replyDeadline: string | null; pageCount: number | null; issuedAmount: number | null };
export interface UpdateRecord { reason: string; changes: Partial<Record<UpdateField, { before: unknown; after: unknown }>> }

const LABELS: Record<UpdateField, string> = { subject: 'Trích yếu', replyDeadline: 'Hạn trả lời', pageCount: 'Số trang', issuedAmount: 'Số lượng bản' };

export function parseUpdate(comment: string): UpdateRecord | null {
  try {
    const v = JSON.parse(comment) as UpdateRecord;
    return typeof v.reason === 'string' && v.changes && typeof v.changes === 'object' ? v : null;
  } catch {
    return null;
  }
}

const shown = (f: UpdateField, v: unknown): string => (v === null || v === undefined || v === '' ? '(không có)' : f === 'replyDeadline' ? formatDateVn(String(v)) : String(v));

/** What the update says, in words (the step's text in the timeline and the packet's reason). */
export function updateText(u: UpdateRecord): string {
  const parts = (Object.entries(u.changes) as Array<[UpdateField, { before: unknown; after: unknown }]>)
    .map(([f, c]) => `${LABELS[f]}: ${shown(f, c.before)} → ${shown(f, c.after)}`);
  return `${parts.join('; ')}. Lý do: ${u.reason}`;
}

/** The updates of a document, oldest first, with their step's global id (an update packet's identity). */
export function updatesOf(db: Db, c: string, outgoingId: number): Array<{ stepId: number; stepGid: string; at: string; update: UpdateRecord }> {
  return (db.prepare(`SELECT id, global_id, at, comment FROM ${c}.outgoing_steps WHERE outgoing_id = ? AND kind = 'update' ORDER BY id`).all(outgoingId) as Array<{ id: number; global_id: string; at: string; comment: string }>)
    .flatMap((s) => {
      const update = parseUpdate(s.comment);
      return update ? [{ stepId: s.id, stepGid: s.global_id, at: s.at, update }] : [];
    });
}

/** The metadata as corrected up to (and including) the update step `uptoStepId` (all when omitted). */
export function currentValues(db: Db, c: string, row: { id: number; subject: string; reply_deadline: string | null; page_count: number | null; issued_amount: number | null }, uptoStepId?: number): UpdateValues {
  const v: UpdateValues = { subject: row.subject, replyDeadline: row.reply_deadline, pageCount: row.page_count, issuedAmount: row.issued_amount };
  for (const u of updatesOf(db, c, row.id)) {
    if (uptoStepId !== undefined && u.stepId > uptoStepId) break;
    for (const [f, ch] of Object.entries(u.update.changes) as Array<[UpdateField, { after: unknown }]>) (v as Record<UpdateField, unknown>)[f] = ch.after;
  }
  return v;
}

export interface TakeBackRecord { dispatch: string; code: string; recipient: string; reason: string }

export function parseTakeBack(comment: string): TakeBackRecord | null {
  try {
    const v = JSON.parse(comment) as TakeBackRecord;
    return typeof v.dispatch === 'string' && typeof v.code === 'string' && typeof v.reason === 'string' ? v : null;
  } catch {
    return null;
  }
}
