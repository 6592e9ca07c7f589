// A refusal reaches the sender (docs/exchange.md, "When a packet is refused"): a packet refused on its
// way (by the agency server when it was handed over, or by the hub afterwards, which the agency server's
// refusal feed brings back: PacketClient.pullRefusals) is noted on the dispatch it carried, as a record
// of the dispatch's level (exchange_status_in, code 'refused', the reason in Vietnamese) that syncs to
// the agency's other workstations. Once by key: the record's packet id is derived from the refused
// packet's, and the transport row is stamped noted in the same transaction (with the audit entry).
import { TRANSPORT_REFUSED } from '../../../common/edxml';
import { appendAudit } from '../audit/auditLog';
import type { CoreContext } from '../context';
import type { Db } from '../db/connection';
import { writeTx } from '../db/transaction';
import type { Actor } from '../org/rights';
import { dispatchOfResentPacket, refusalRecordId } from '../outgoing/resends';
import { markRefusalNoted, unnotedRefusals } from '../sync/packets/queue';
import { revocationId } from './outbox';
import { recordStatusIn } from './records';
import { statusPacketId } from './statusPackets';
import { updatePacketId } from './takeBackWithdrawal';

export { refusalRecordId } from '../outgoing/resends';

/** Why, in the văn thư's words, by the refusing server's code. */
const REASONS: Record<string, string> = {
  'unknown-recipient': 'mã định danh của cơ quan nhận không có trong danh bạ của trục liên thông',
  'too-large': 'gói tin vượt quá dung lượng trục liên thông cho phép',
  'bad-signature': 'chữ ký số của gói tin không hợp lệ hoặc không phải của cơ quan gửi',
  'not-a-packet': 'gói tin không đúng định dạng edXML',
  'packet-id-mismatch': 'mã gói tin không khớp với tiêu đề định tuyến',
  'wrong-sender': 'cơ quan gửi ghi trong gói tin không phải cơ quan của máy chủ gửi',
  'changed-body': 'mã gói tin đã được dùng cho một gói tin khác',
  'bad-request': 'máy chủ không nhận yêu cầu gửi gói tin',
};
export const refusalReason = (code: string | null): string => REASONS[code ?? ''] ?? `máy chủ từ chối gói tin (mã lỗi ${code ?? 'không rõ'})`;

type PacketKind = 'document' | 'revocation' | 'update' | 'takeBack';
const KIND_PREFIX: Record<PacketKind, string> = { document: '', revocation: 'Gói thu hồi: ', update: 'Gói cập nhật: ', takeBack: 'Gói lấy lại: ' };

interface DispatchOfPacket { schema: string; outgoingId: number; dispatchId: number; code: string; kind: PacketKind }

/** The dispatch a packet we made was for: a document's packet id is the dispatch's global id; the others are derived from it. */
export function dispatchOfPacket(db: Db, schemas: readonly string[], packetId: string): DispatchOfPacket | null {
  const to = db.prepare('SELECT to_code FROM main.exchange_outbox WHERE packet_id = ?').pluck().get(packetId) as string | undefined;
  for (const c of schemas) {
    // A document's packet: the dispatch's global id, or a resend's id derived from it.
    const direct = db.prepare(`SELECT d.id, d.outgoing_id, r.code FROM ${c}.outgoing_dispatches d JOIN ${c}.outgoing_recipients r ON r.id = d.recipient_id WHERE d.global_id = ?`)
      .get(dispatchOfResentPacket(db, c, packetId) ?? packetId) as { id: number; outgoing_id: number; code: string | null } | undefined;
    if (direct) return { schema: c, outgoingId: direct.outgoing_id, dispatchId: direct.id, code: direct.code ?? '', kind: 'document' };
    if (to === undefined) continue;
    const ds = db.prepare(`SELECT d.id, d.outgoing_id, d.global_id FROM ${c}.outgoing_dispatches d JOIN ${c}.outgoing_recipients r ON r.id = d.recipient_id WHERE r.code = ?`)
      .all(to) as Array<{ id: number; outgoing_id: number; global_id: string }>;
    for (const d of ds) {
      const at = (kind: PacketKind): DispatchOfPacket => ({ schema: c, outgoingId: d.outgoing_id, dispatchId: d.id, code: to, kind });
      if (revocationId(d.global_id) === packetId) return at('revocation');
      if (statusPacketId(d.global_id, '13') === packetId) return at('takeBack');
      const steps = db.prepare(`SELECT global_id FROM ${c}.outgoing_steps WHERE outgoing_id = ? AND kind = 'update'`).pluck().all(d.outgoing_id) as string[];
      if (steps.some((s) => updatePacketId(d.global_id, s) === packetId)) return at('update');
    }
  }
  return null;
}

/**
 * Notes every refusal the transport holds and the exchange has not: on its dispatch when the packet
 * carried one (in the open compartments); a status packet we owed a sender has no dispatch (the sync
 * panel lists its refusal). A dispatch packet whose level is not open here waits for a văn thư who holds it.
 */
export function noteRefusals(ctx: CoreContext, actor: Actor): number {
  const schemas = ctx.arms.filter((a) => a.level !== null).map((a) => a.schema);
  let noted = 0;
  for (const r of unnotedRefusals(ctx.db)) {
    const kind = ctx.db.prepare('SELECT kind FROM main.exchange_outbox WHERE packet_id = ?').pluck().get(r.packetId) as string | undefined;
    const target = dispatchOfPacket(ctx.db, schemas, r.packetId);
    if (!target && kind === 'document') continue;
    const now = ctx.now();
    writeTx(ctx.db, () => {
      if (target) {
        const at = r.at ?? now.toISOString();
        recordStatusIn(ctx.db, target.schema, {
          packetId: refusalRecordId(r.packetId), outgoingId: target.outgoingId, dispatchId: target.dispatchId, from: target.code,
          code: TRANSPORT_REFUSED, description: `${KIND_PREFIX[target.kind]}${refusalReason(r.code)}`, staff: null, at, receivedAt: at,
        }, actor.id, now);
      }
      appendAudit(ctx.db, {
        userId: actor.id, action: 'exchange.refusedOnTheWay', ...(target ? { entity: 'outgoing', entityId: target.outgoingId } : {}),
        details: { packet: r.packetId, code: r.code, dispatch: target ? target.dispatchId : null },
      }, now.toISOString());
      markRefusalNoted(ctx.db, r.packetId, now.toISOString());
    });
    noted++;
  }
  return noted;
}
