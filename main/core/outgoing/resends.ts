// Gửi lại (issue 9): a recipient's copy refused on its way (exchange/refusals.ts) is sent again from the
// same dispatch, as a new packet. Each resend is a 'resend' step (append-only, synced like every step)
// whose comment names the dispatch and the attempt; the dispatch goes back to 'pending' and the
// exchange's usual send path makes the packet. The document packet of attempt n has its own id (the
// dispatch's global id for the first, derived for the others), so every workstation makes the same one
// and the hub never takes it for the refused packet again. A refusal stays in the dispatch's history; the
// dispatch shows refused only while its current attempt's packet is the refused one.
import { createHash } from 'node:crypto';
import type { Db } from '../db/connection';

export interface ResendRecord { dispatch: string; code: string; recipient: string; attempt: number }

export function parseResend(comment: string): ResendRecord | null {
  try {
    const v = JSON.parse(comment) as ResendRecord;
    return typeof v.dispatch === 'string' && typeof v.code === 'string' && Number.isInteger(v.attempt) && v.attempt > 0 ? v : null;
  } catch {
    return null;
  }
}

/** The refusal record's key (exchange_status_in.packet_id): one per refused packet, the same on every workstation. */
export const refusalRecordId = (packetId: string): string => createHash('sha256').update(`refused/${packetId}`).digest('hex').slice(0, 32);

/** The document packet id of a dispatch's attempt: the first is the dispatch's global id. */
export const attemptPacketId = (dispatchGid: string, attempt: number): string =>
  attempt === 0 ? dispatchGid : createHash('sha256').update(`${dispatchGid}/resend/${attempt}`).digest('hex').slice(0, 32);

/** The resends of one dispatch, oldest first. */
export function resendsOf(db: Db, c: string, dispatchGid: string): ResendRecord[] {
  return (db.prepare(`SELECT comment FROM ${c}.outgoing_steps WHERE kind = 'resend' AND instr(comment, ?) > 0 ORDER BY id`).pluck().all(dispatchGid) as string[])
    .flatMap((s) => {
      const r = parseResend(s);
      return r && r.dispatch === dispatchGid ? [r] : [];
    });
}

/** Which attempt the dispatch is at (0: never resent). */
export const currentAttempt = (db: Db, c: string, dispatchGid: string): number => resendsOf(db, c, dispatchGid).reduce((n, r) => Math.max(n, r.attempt), 0);

/** The id of the document packet the dispatch sends now. */
export const currentPacketId = (db: Db, c: string, dispatchGid: string): string => attemptPacketId(dispatchGid, currentAttempt(db, c, dispatchGid));

/** The dispatch (global id) whose resent document packet has this id, or null (a first packet's id is the dispatch's global id). */
export function dispatchOfResentPacket(db: Db, c: string, packetId: string): string | null {
  for (const s of db.prepare(`SELECT comment FROM ${c}.outgoing_steps WHERE kind = 'resend'`).pluck().all() as string[]) {
    const r = parseResend(s);
    if (r && attemptPacketId(r.dispatch, r.attempt) === packetId) return r.dispatch;
  }
  return null;
}

/** The refusal records of the dispatch's earlier attempts' document packets (superseded by a resend). */
export function supersededRefusals(db: Db, c: string, dispatchGid: string): string[] {
  const n = currentAttempt(db, c, dispatchGid);
  return Array.from({ length: n }, (_, k) => refusalRecordId(attemptPacketId(dispatchGid, k)));
}

/** Whether the dispatch's current document packet was refused on its way (what a resend answers). */
export const currentPacketRefused = (db: Db, c: string, dispatchGid: string): boolean =>
  db.prepare(`SELECT 1 FROM ${c}.exchange_status_in WHERE packet_id = ?`).get(refusalRecordId(currentPacketId(db, c, dispatchGid))) !== undefined;
