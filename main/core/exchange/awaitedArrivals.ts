// "Vào sổ, chờ cấp số" for an arrival received by the exchange (docs/exchange.md, "Registering while cut
// off"). Registered while the agency server was out of reach, the arrival had neither its number nor its
// decision (the agency-wide claim that no two workstations register one packet). At the next contact the
// numbering round (documents/numberWaits.ts) asks the decision first, through these claims: granted (or
// held already: the holder is answered "mine" again), the number is asked and written, and the status
// 03 "Đã tiếp nhận" owed to the sender is written in the same transaction, dated when the văn thư
// registered it, so the sender is told once, and only what stands in the register. Another workstation
// decided first: the record is never numbered here and the wait says so (WAIT_DECIDED_ELSEWHERE).
import type { Db } from '../db/connection';
import { recordChange } from '../events/eventLog';
import type { ArrivalDecision, ArrivalDecisions, AwaitedArrival } from '../documents/numberWaits';
import { intendStatus, type AgencyClaims } from './records';
import { owedStatusId } from './statusPackets';

export function arrivalDecisions(claims: AgencyClaims): ArrivalDecisions {
  return {
    async decide(a: AwaitedArrival): Promise<ArrivalDecision> {
      const c = await claims.decide({ from: a.from, packetId: a.packetId });
      if (c.mine) return { kind: 'mine' };
      // Released from a workstation declared lost: granted once this one has kept the log up to the declaration.
      if (c.waiting) return { kind: 'later', why: `decision released from ${c.workstation}, waiting for sync (${c.waiting.reason})` };
      return { kind: 'elsewhere', workstation: c.workstation, at: c.claimedAt };
    },
    numbered(db: Db, compartment: string, a: AwaitedArrival, recordId: number, actorId: number | null, now: Date): void {
      const at = a.decidedAt ?? now.toISOString();
      // The decision is this record's: the arrival's row names it again if another workstation's record of
      // it (registered cut off too, its event the later) had replaced it here. A numbered record's decision
      // wins wherever the event arrives (sync/apply.ts).
      if (db.prepare(`UPDATE ${compartment}.exchange_inbox SET state = 'registered', incoming_id = ? WHERE id = ? AND (incoming_id IS NOT ? OR state <> 'registered')`)
        .run(recordId, a.inboxId, recordId).changes === 1) recordChange(db, 'exchange_inbox', a.inboxId, 'update', actorId, now, compartment);
      intendStatus(db, compartment, { packetId: owedStatusId(a.from, a.packetId, '03'), inboxId: a.inboxId, code: '03', description: null, at }, actorId, now);
    },
  };
}
