// The exchange's records as the agency's workstations share them (docs/exchange.md, "One agency, many
// workstations"): arrivals (exchange_inbox), the statuses owed to senders (exchange_status_out) and
// those recipients reported (exchange_status_in) are records of their level's compartment, each change an
// event that travels sealed under the level key like the documents'. A status owed for a processing step
// may be noticed on every văn thư's workstation: its global id is derived from its packet id, so two
// workstations that both write it make one record. Claims (who took a packet, who decides an arrival)
// are asked of the agency server, the one place that can say "first" for the whole agency.
import type { EdxmlStatusCode } from '../../../common/edxml';
import { nextRecordId } from '../compartments/ids';
import type { Db } from '../db/connection';
import { cached } from '../db/statements';
import { recordChange } from '../events/eventLog';
import { derivedGlobalId } from '../events/globalId';
import type { ClaimWaiting, PacketKey } from '../sync/packets/protocol';

/** A claim the agency server holds for one workstation. */
export interface ClaimAnswer {
  mine: boolean; workstation: string; claimedAt: string;
  /** Not granted yet: released from a workstation declared lost, and this one has not kept the sync log up to the declaration. */
  waiting?: ClaimWaiting;
  /** Granted, and it had been released from this workstation declared lost (audited with the decision). */
  releasedFrom?: { workstation: string; releasedAt: string };
}

/**
 * Exactly once across the agency's workstations (the agency server arbitrates; see link.ts). Without it
 * (a profile with no agency server) the workstation is the agency's only one and decides alone.
 */
export interface AgencyClaims {
  /** Another workstation already took this packet (its sender and id) into its exchange. */
  takenElsewhere(key: PacketKey): Promise<ClaimAnswer | null>;
  /** Takes the packet for this workstation (final: it lands here or nowhere). */
  take(key: PacketKey): Promise<ClaimAnswer>;
  /** The right to register or refuse the arrival: the first workstation that asks holds it. */
  decide(key: PacketKey): Promise<ClaimAnswer>;
  /** Gives the decision back (the local registration failed before it committed). */
  release(key: PacketKey): Promise<void>;
  /**
   * A page at once: takes the packets in `take` and reads who took those in `read`, in one request
   * where the agency server can (same answers as take() and takenElsewhere() one by one), by packetKeyString.
   */
  takeMany(take: readonly PacketKey[], read: readonly PacketKey[]): Promise<{ take: Map<string, ClaimAnswer>; takenElsewhere: Map<string, ClaimAnswer | null> }>;
}

const ms = (iso: string): number => {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : 0;
};

/** The arrival's global id: the same on any workstation that lands the packet (sender and id name it). */
export const arrivalGlobalId = (from: string, packetId: string, receivedAt: string): string => derivedGlobalId(`exchange_inbox/${from.toUpperCase()}/${packetId}`, ms(receivedAt));

/** A status this agency owes the sender, once by its packet id; true when written now (an event with it). */
export function intendStatus(db: Db, schema: string, s: { packetId: string; inboxId: number; code: EdxmlStatusCode; description: string | null; at: string }, actorId: number | null, now: Date): boolean {
  if (db.prepare(`SELECT 1 FROM ${schema}.exchange_status_out WHERE packet_id = ?`).get(s.packetId)) return false;
  const id = nextRecordId(db);
  db.prepare(`INSERT INTO ${schema}.exchange_status_out (id, global_id, packet_id, inbox_id, code, description, at) VALUES (?,?,?,?,?,?,?)`)
    .run(id, derivedGlobalId(`exchange_status_out/${s.packetId}`, ms(s.at)), s.packetId, s.inboxId, s.code, s.description, s.at);
  recordChange(db, 'exchange_status_out', id, 'create', actorId, now, schema);
  return true;
}

/** The status packet was made (and queued here): the other workstations need not make it. */
export function markStatusMade(db: Db, schema: string, packetId: string, actorId: number | null, now: Date): void {
  const id = db.prepare(`SELECT id FROM ${schema}.exchange_status_out WHERE packet_id = ? AND made = 0`).pluck().get(packetId) as number | undefined;
  if (id === undefined) return;
  db.prepare(`UPDATE ${schema}.exchange_status_out SET made = 1 WHERE id = ?`).run(id);
  recordChange(db, 'exchange_status_out', id, 'update', actorId, now, schema);
}

/** A recipient's status on one of our dispatches, once by its packet id. */
export function recordStatusIn(db: Db, schema: string, s: {
  packetId: string; outgoingId: number; dispatchId: number; from: string; code: string; description: string | null; staff: string | null; at: string | null; receivedAt: string;
}, actorId: number | null, now: Date): boolean {
  if (cached(db, `SELECT 1 FROM ${schema}.exchange_status_in WHERE from_code = ? AND packet_id = ?`).get(s.from, s.packetId)) return false;
  const id = nextRecordId(db);
  cached(db, `INSERT INTO ${schema}.exchange_status_in (id, global_id, packet_id, outgoing_id, dispatch_id, from_code, code, description, staff, at, received_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)`)
    .run(id, derivedGlobalId(`exchange_status_in/${s.from}/${s.packetId}`, ms(s.receivedAt)), s.packetId, s.outgoingId, s.dispatchId, s.from, s.code, s.description, s.staff, s.at, s.receivedAt);
  recordChange(db, 'exchange_status_in', id, 'create', actorId, now, schema);
  return true;
}
