// What importing a batch of edXML packets would do here, read-only: the same parse, the same opening
// and checks as the exchange's inbound door (exchange/inbound.ts openPacket: signature, addressee,
// sealing, integrity, sender in the directory), the same "already received" by packet id and by
// document, the same wait for a level this session does not hold. Nothing is written: no inbound row,
// no file in a store, no audit. The import afterwards is compared with it (PackageWindowService).
import { secrecyRank } from '../../../common/domain';
import type { EdxmlDocument } from '../../../common/edxml';
import type { CoreContext } from '../context';
import { parseCrlFiles, type PrivateKeyOps } from '../crypto';
import { armOf } from '../documents/arms';
import { readDirectory } from '../exchange/directory';
import { joinNumberSymbol, selfAgency } from '../exchange/inbox';
import { openPacket } from '../exchange/inbound';
import type { Actor } from '../org/rights';
import type { BatchOutcome, BatchPacket, BatchResult } from './edxmlBatch';

/** The address the import reads first (packet id and sender); a throw is a packet that is no edXML. */
export type AddressOf = (bytes: Buffer) => Promise<{ from: string; packetId: string }>;

/** True when a document from `from` with this id already arrived in a compartment this session holds (the exchange's duplicate rule). */
function documentHere(c: CoreContext, from: string, documentId: string): boolean {
  return c.arms.some((arm) => c.db.prepare(`SELECT 1 FROM ${arm.schema}.exchange_inbox WHERE from_code = ? AND document_id = ? AND business_type IN (0,3) AND state <> 'refused' LIMIT 1`)
    .get(from, documentId) !== undefined);
}

export async function previewPackets(c: CoreContext, actor: Actor, packets: readonly BatchPacket[], keys: readonly PrivateKeyOps[], addressOf: AddressOf, notEdxml: (e: unknown) => string): Promise<BatchResult> {
  const self = selfAgency(c.db);
  const { crls } = parseCrlFiles(await c.revocationLists());
  const book = readDirectory(c.db);
  const known = c.db.prepare('SELECT 1 FROM main.exchange_inbound WHERE from_code = ? AND packet_id = ?');
  const result: BatchResult = { packets: [], counts: { opened: 0, waiting: 0, refused: 0, duplicate: 0 } };
  const seen = new Set<string>();
  for (const p of packets) {
    const entry = (packetId: string | null, outcome: BatchOutcome, reason: string | null) => {
      result.packets.push({ name: p.name, packetId, outcome, reason });
      result.counts[outcome] += 1;
    };
    let addr: { from: string; packetId: string };
    try {
      addr = await addressOf(p.bytes);
    } catch (e) {
      entry(null, 'refused', notEdxml(e));
      continue;
    }
    // A packet is its sender's id (docs/server.md, "Packet ids are the sender's").
    const key = `${addr.from.toUpperCase()}/${addr.packetId}`;
    if (seen.has(key)) {
      entry(addr.packetId, 'duplicate', 'Gói tin lặp lại trong cùng lần nhập.');
      continue;
    }
    seen.add(key);
    if (known.get(addr.from.toUpperCase(), addr.packetId) !== undefined) {
      entry(addr.packetId, 'duplicate', 'Gói tin đã nhận trước đây.');
      continue;
    }
    const r = await openPacket(p.bytes, addr.packetId, { selfCode: self.code, keys, book, trustAnchors: c.trustAnchors, crls, now: c.now() });
    if (!r.ok && (!r.opened || r.refusal.code === 'NOT_FOR_US')) {
      entry(addr.packetId, 'refused', r.refusal.reasonVi);
      continue;
    }
    const opened = r.opened!;
    if (opened.packet.kind === 'status') {
      entry(addr.packetId, r.ok ? 'opened' : 'refused', r.ok ? null : r.refusal.reasonVi);
      continue;
    }
    const arm = armOf(c.arms, opened.level);
    if (!arm || arm.level === null || secrecyRank(actor.clearance) < secrecyRank(opened.level)) {
      entry(addr.packetId, 'waiting', 'Chờ người có quyền tiếp cận độ mật của gói tin mở.');
      continue;
    }
    if (!r.ok) {
      entry(addr.packetId, 'refused', r.refusal.reasonVi);
      continue;
    }
    const doc = opened.packet as EdxmlDocument;
    const documentId = doc.documentId ?? `${doc.from.organId},${doc.promulgation.date ?? ''},${joinNumberSymbol(doc.code.number, doc.code.notation)}`;
    if ((doc.business?.docType ?? 0) === 0 && documentHere(c, doc.from.organId, documentId)) {
      entry(addr.packetId, 'duplicate', `Văn bản ${joinNumberSymbol(doc.code.number, doc.code.notation)} đã được nhận trước đây.`);
      continue;
    }
    entry(addr.packetId, 'opened', null);
  }
  return result;
}
