// The one walk over a batch of edXML packets, shared by the import (EdxmlBatchService) and its
// read-only preview (edxmlPreview.ts), so the preview cannot drift from what the import does: the
// same address read first, the same "not edXML" refusal, the same "twice in this batch". What becomes
// of a packet after that is the step each side passes in (import: accept it; preview: classify it).
import { createHash } from 'node:crypto';
import { isEdxmlError, readEdxml, readRouting } from '../exchange/edxml';
import { isSealed } from '../exchange/inbound';

export interface BatchPacket { name: string; bytes: Buffer }

export type BatchOutcome = 'opened' | 'waiting' | 'refused' | 'duplicate';

export interface BatchResult {
  packets: Array<{ name: string; packetId: string | null; outcome: BatchOutcome; reason: string | null }>;
  counts: Record<BatchOutcome, number>;
}

/** Who sent a packet and its id, read before anything else. */
export interface PacketAddress { from: string; packetId: string }

/** What becomes of one packet whose address was read and that is not a repeat within the batch. */
export type PacketStep = (packet: BatchPacket, address: PacketAddress) => Promise<{ outcome: BatchOutcome; reason: string | null }>;

/** The sender and the packet id: a sealed packet's routing header says both; a Thường packet its From, its id its bytes' hash. */
async function addressOf(bytes: Buffer): Promise<PacketAddress> {
  if (isSealed(bytes)) {
    const { header } = readRouting(bytes);
    return { from: header.from, packetId: header.packetId };
  }
  const read = await readEdxml(bytes);
  return { from: read.packet.from.organId, packetId: `F${createHash('sha256').update(bytes).digest('hex').slice(0, 40)}` };
}

/** The reasons both sides give alike. */
export const ALREADY_RECEIVED = 'Gói tin đã nhận trước đây.';
export const WAITING_FOR_LEVEL = 'Chờ người có quyền tiếp cận độ mật của gói tin mở.';

const notEdxml = (e: unknown): string => (isEdxmlError(e) ? e.messageVi : 'Không phải gói tin edXML.');

/** Every packet in order: refused when its address cannot be read, a duplicate when its sender and id came earlier in the batch, else `step`'s outcome. */
export async function walkBatch(packets: readonly BatchPacket[], step: PacketStep): Promise<BatchResult> {
  const result: BatchResult = { packets: [], counts: { opened: 0, waiting: 0, refused: 0, duplicate: 0 } };
  const entry = (p: BatchPacket, packetId: string | null, outcome: BatchOutcome, reason: string | null) => {
    result.packets.push({ name: p.name, packetId, outcome, reason });
    result.counts[outcome] += 1;
  };
  const seen = new Set<string>();
  for (const p of packets) {
    let address: PacketAddress;
    try {
      address = await addressOf(p.bytes);
    } catch (e) {
      entry(p, null, 'refused', notEdxml(e));
      continue;
    }
    // A packet is its sender's id (docs/server.md, "Packet ids are the sender's").
    const key = `${address.from.toUpperCase()}/${address.packetId}`;
    if (seen.has(key)) {
      entry(p, address.packetId, 'duplicate', 'Gói tin lặp lại trong cùng lần nhập.');
      continue;
    }
    seen.add(key);
    const { outcome, reason } = await step(p, address);
    entry(p, address.packetId, outcome, reason);
  }
  return result;
}
