// Recipients of an incoming document inside the agency (Đơn vị hoặc người nhận): a unit of the
// agency, one of its people, or a name written freely. Each is kept as a record (with the name it
// had at the time) and, for the list, the names in incoming.recipients.
import type { RecipientRef } from '../../../common/contract';
import { clearedFor, SECRECY_LABELS, type Secrecy } from '../../../common/domain';
import { DeskError, type MessageKey, type MessageParams } from '../../../common/errors';
import type { RecipientInput } from '../../../common/schemas';
import { foldVietnamese } from '../../../common/vietnamese';
import type { Db } from '../db/connection';
import { recordChange } from '../events/eventLog';
import { findInternalUnit } from '../org/internalUnits';
import { nextRecordId } from '../compartments/ids';
import { newGlobalId } from '../events/globalId';
import { cached } from '../db/statements';

export interface ResolvedRecipient { unitId: number | null; userId: number | null; name: string }

const refused = (key: MessageKey, params?: MessageParams) => DeskError.keyed('VALIDATION', key, params, { at: 'recipients' });

/** Units and people looked up by id (names as they are now); a person must be cleared for the level. */
export function resolveRecipients(db: Db, inputs: readonly RecipientInput[], secrecy: Secrecy): ResolvedRecipient[] {
  const out: ResolvedRecipient[] = [];
  const seen = new Set<string>();
  for (const r of inputs) {
    let resolved: ResolvedRecipient;
    if (typeof r === 'string') {
      resolved = { unitId: null, userId: null, name: r.trim() };
    } else if ('unitId' in r) {
      const unit = findInternalUnit(db, r.unitId);
      if (!unit || !unit.active) throw refused('recipient.unitUnknown');
      resolved = { unitId: unit.id, userId: null, name: unit.name };
    } else {
      const user = db.prepare('SELECT id, full_name, clearance FROM users WHERE id = ? AND active = 1').get(r.userId) as
        { id: number; full_name: string; clearance: Secrecy } | undefined;
      if (!user) throw refused('recipient.userUnknown');
      if (!clearedFor(user.clearance, secrecy))
        throw refused('recipient.notCleared', { name: user.full_name, level: SECRECY_LABELS[secrecy] });
      resolved = { unitId: null, userId: user.id, name: user.full_name };
    }
    const key = resolved.unitId !== null ? `u${resolved.unitId}` : resolved.userId !== null ? `p${resolved.userId}` : `t${foldVietnamese(resolved.name)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(resolved);
  }
  return out;
}

/** Writes the recipients of a document, replacing any it had (inside the caller's transaction). */
export function storeRecipients(db: Db, c: string, incomingId: number, list: readonly ResolvedRecipient[], by: number, now: Date): void {
  const old = cached(db, `SELECT id FROM ${c}.incoming_recipients WHERE incoming_id = ?`).pluck().all(incomingId) as number[];
  for (const id of old) {
    recordChange(db, 'incoming_recipients', id, 'delete', by, now, c);
    db.prepare(`DELETE FROM ${c}.incoming_recipients WHERE id = ?`).run(id);
  }
  writeRecipientRows(db, c, recipientRows(db, incomingId, list), by, now);
}

/** Recipient records built by recipientRows, each with its event. */
export function writeRecipientRows(db: Db, c: string, rows: readonly RecipientRow[], by: number, now: Date): void {
  const insert = cached(db, `INSERT INTO ${c}.incoming_recipients (${RECIPIENT_COLUMNS.join(', ')}) VALUES (?,?,?,?,?,?,?)`);
  for (const row of rows) {
    insert.run(...RECIPIENT_COLUMNS.map((k) => row[k]));
    recordChange(db, 'incoming_recipients', row.id, 'create', by, now, c);
  }
}

export const RECIPIENT_COLUMNS = ['id', 'global_id', 'incoming_id', 'ordinal', 'internal_unit_id', 'user_id', 'name'] as const;
export type RecipientRow = { id: number; global_id: string; incoming_id: number; ordinal: number; internal_unit_id: number | null; user_id: number | null; name: string };

/** The recipient records of a new document (their ids taken now): written one by one above, or with others' (incomingBatch.ts). */
export function recipientRows(db: Db, incomingId: number, list: readonly ResolvedRecipient[]): RecipientRow[] {
  return list.map((r, i) => ({ id: nextRecordId(db), global_id: newGlobalId(), incoming_id: incomingId, ordinal: i + 1, internal_unit_id: r.unitId, user_id: r.userId, name: r.name }));
}

/** The recipients with what they refer to; entries registered before recipients were records have names only. */
export function recipientRefs(db: Db, c: string, incomingId: number, names: readonly string[]): RecipientRef[] {
  const rows = db.prepare(`SELECT internal_unit_id AS unitId, user_id AS userId, name FROM ${c}.incoming_recipients WHERE incoming_id = ? ORDER BY ordinal`)
    .all(incomingId) as Array<{ unitId: number | null; userId: number | null; name: string }>;
  if (rows.length === 0) return names.map((name) => ({ kind: 'text', id: null, name }));
  return rows.map((r) => (r.unitId !== null ? { kind: 'unit', id: r.unitId, name: r.name } : r.userId !== null ? { kind: 'user', id: r.userId, name: r.name } : { kind: 'text', id: null, name: r.name }));
}

/** The recipients as the correction form sends them back (units and people by id). */
export function refsToInputs(refs: readonly RecipientRef[]): RecipientInput[] {
  return refs.map((r) => (r.kind === 'unit' && r.id !== null ? { unitId: r.id } : r.kind === 'user' && r.id !== null ? { userId: r.id } : r.name));
}
