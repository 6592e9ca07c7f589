// Lấy lại (status 13) ends what the agency may receive about a document: after the 13 it must get
// nothing more for that dispatch. What it gets, in order: the document, the updates (BussinessDocType 2)
// that had already left this workstation (reached the agency server) before the take-back, in the order
// they were made, then the 13. An update made for the dispatch but still waiting here — in the exchange's
// queue (not handed to the transport) or in the transport's outbox (not yet taken by the agency server) —
// is withdrawn, never sent: at the take-back itself (OutgoingService.takeBack, same transaction) and again
// before each queue is read (a take-back made on another workstation arrives by sync; a packet being signed
// while the take-back was written lands after it). Withdrawn rows stay, with when and for which dispatch;
// the take-back's reason stays in the document's compartment (both queues are in the base database).
import { createHash } from 'node:crypto';
import { appendAudit } from '../audit/auditLog';
import type { Db } from '../db/connection';
import { parseTakeBack } from '../outgoing/updates';

/** The id of an update packet: one per dispatch and update step (BussinessDocType 2). */
export const updatePacketId = (dispatchGid: string, stepGid: string): string => createHash('sha256').update(`${dispatchGid}/2/${stepGid}`).digest('hex').slice(0, 32);

/** The transport outbox's code for a packet withdrawn before the agency server took it. */
export const WITHDRAWN = 'withdrawn';

/** Every update packet id the dispatch `dispatchGid` of outgoing document `outgoingId` could have had. */
function updateIdsFor(db: Db, c: string, outgoingId: number, dispatchGid: string): string[] {
  return (db.prepare(`SELECT global_id FROM ${c}.outgoing_steps WHERE outgoing_id = ? AND kind = 'update'`).pluck().all(outgoingId) as string[])
    .map((step) => updatePacketId(dispatchGid, step));
}

/**
 * Withdraws the waiting update packets of one taken-back dispatch from both queues (call inside the
 * caller's transaction). Returns the packet ids withdrawn now; a packet already on the agency server
 * is not touched (it left before the take-back, and the 13 follows it).
 */
export function withdrawUpdatesOf(db: Db, c: string, outgoingId: number, dispatchGid: string, now: string, userId: number | null): string[] {
  const withdrawn: string[] = [];
  const why = `withdrawn: dispatch ${dispatchGid} was taken back (status 13)`;
  for (const id of updateIdsFor(db, c, outgoingId, dispatchGid)) {
    const queued = db.prepare('UPDATE main.exchange_outbox SET withdrawn_at = ?, withdrawn_for = ? WHERE packet_id = ? AND handed_at IS NULL AND withdrawn_at IS NULL').run(now, dispatchGid, id).changes;
    const transport = db.prepare(`UPDATE main.packet_outbox SET state = 'refused', error_code = '${WITHDRAWN}', last_error = ?, done_at = ?, bytes = NULL, next_attempt_at = NULL
      WHERE packet_id = ? AND state = 'queued'`).run(why, now, id).changes;
    if (queued + transport > 0) withdrawn.push(id);
  }
  if (withdrawn.length) appendAudit(db, { userId, action: 'exchange.withdrawn', entity: 'outgoing', entityId: outgoingId, details: { dispatch: dispatchGid, packets: withdrawn } }, now);
  return withdrawn;
}

/** The same for every take-back this workstation knows of (its own and those that came by sync). */
export function withdrawTakenBack(db: Db, schemas: readonly string[], now: string, userId: number | null): string[] {
  const out: string[] = [];
  for (const c of schemas) {
    const steps = db.prepare(`SELECT outgoing_id, comment FROM ${c}.outgoing_steps WHERE kind = 'take_back' ORDER BY id`).all() as Array<{ outgoing_id: number; comment: string }>;
    for (const s of steps) {
      const t = parseTakeBack(s.comment);
      if (t) out.push(...withdrawUpdatesOf(db, c, s.outgoing_id, t.dispatch, now, userId));
    }
  }
  return out;
}
