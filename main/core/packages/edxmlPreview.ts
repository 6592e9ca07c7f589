// What importing a batch of edXML packets would do here, read-only: the same walk as the import
// (batchWalk.ts), and for each packet the same opening and checks as the exchange's inbound door
// (exchange/inbound.ts openPacket: signature, addressee, sealing, integrity, sender in the directory),
// the same "already received" by packet id and by document, the same wait for a level this session
// does not hold. Nothing is written: no inbound row, no file in a store, no audit. The import
// afterwards is compared with it (PackageWindowService).
import { secrecyRank } from '../../../common/domain';
import type { EdxmlDocument } from '../../../common/edxml';
import type { CoreContext } from '../context';
import { parseCrlFiles, type PrivateKeyOps } from '../crypto';
import { armOf } from '../documents/arms';
import { readDirectory } from '../exchange/directory';
import { joinNumberSymbol, selfAgency } from '../exchange/inbox';
import { openPacket } from '../exchange/inbound';
import type { Actor } from '../org/rights';
import { ALREADY_RECEIVED, WAITING_FOR_LEVEL, type PacketStep } from './batchWalk';

/** True when a document from `from` with this id already arrived in a compartment this session holds (the exchange's duplicate rule). */
function documentHere(c: CoreContext, from: string, documentId: string): boolean {
  return c.arms.some((arm) => c.db.prepare(`SELECT 1 FROM ${arm.schema}.exchange_inbox WHERE from_code = ? AND document_id = ? AND business_type IN (0,3) AND state <> 'refused' LIMIT 1`)
    .get(from, documentId) !== undefined);
}

/** The preview's step for walkBatch: what the import would make of one packet, classified without writing. */
export async function previewStep(c: CoreContext, actor: Actor, keys: readonly PrivateKeyOps[]): Promise<PacketStep> {
  const self = selfAgency(c.db);
  const { crls } = parseCrlFiles(await c.revocationLists());
  const book = readDirectory(c.db);
  const known = c.db.prepare('SELECT 1 FROM main.exchange_inbound WHERE from_code = ? AND packet_id = ?');
  return async (p, { packetId, from }) => {
    if (known.get(from.toUpperCase(), packetId) !== undefined) return { outcome: 'duplicate', reason: ALREADY_RECEIVED };
    const r = await openPacket(p.bytes, packetId, { selfCode: self.code, keys, book, trustAnchors: c.trustAnchors, crls, now: c.now() });
    if (!r.ok && (!r.opened || r.refusal.code === 'NOT_FOR_US')) return { outcome: 'refused', reason: r.refusal.reasonVi };
    const opened = r.opened!;
    if (opened.packet.kind === 'status') return r.ok ? { outcome: 'opened', reason: null } : { outcome: 'refused', reason: r.refusal.reasonVi };
    const arm = armOf(c.arms, opened.level);
    if (!arm || arm.level === null || secrecyRank(actor.clearance) < secrecyRank(opened.level)) {
      return { outcome: 'waiting', reason: WAITING_FOR_LEVEL };
    }
    if (!r.ok) return { outcome: 'refused', reason: r.refusal.reasonVi };
    const doc = opened.packet as EdxmlDocument;
    const documentId = doc.documentId ?? `${doc.from.organId},${doc.promulgation.date ?? ''},${joinNumberSymbol(doc.code.number, doc.code.notation)}`;
    if ((doc.business?.docType ?? 0) === 0 && documentHere(c, doc.from.organId, documentId)) {
      return { outcome: 'duplicate', reason: `Văn bản ${joinNumberSymbol(doc.code.number, doc.code.notation)} đã được nhận trước đây.` };
    }
    return { outcome: 'opened', reason: null };
  };
}
