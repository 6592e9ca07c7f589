// The exchange between agencies as the văn thư follows it on the sync panel: the packets waiting to go
// out (made, not yet handed to the transport, or queued at the transport and not yet taken by the
// agency server), each with its recipient and the document it carries, and what came in and waits.
// Need-to-know: a document above the person's clearance is named without its subject; one in a
// compartment this session does not hold is not named at all. Errors in Vietnamese (syncErrorVi).
import type { SyncPanelView } from '../../../common/contract';
import { secrecyRank, type Secrecy } from '../../../common/domain';
import type { Db } from '../db/connection';
import { schemaOf } from '../compartments/levels';
import { dispatchOfPacket } from '../exchange/refusals';
import type { Actor } from '../org/rights';

/** At most this many packets listed (oldest first): the count says how many wait in all. */
const LISTED = 50;

/**
 * A transport or server error as the person reads it. Technical messages (status codes, host names,
 * stack-like text) stay in the log and the administrator's view; the panel says what it means.
 */
export function syncErrorVi(message: string | null): string | null {
  if (!message) return null;
  const m = message.toLowerCase();
  if (/store is behind this workstation/.test(m)) {
    return 'Máy chủ của cơ quan đang ở thời điểm cũ hơn những gì máy trạm đã nhận và gửi (có thể vừa được khôi phục từ bản sao lưu): máy trạm tạm dừng đồng bộ để không bỏ sót dữ liệu. Hãy báo quản trị viên đánh dấu lần khôi phục trên máy chủ.';
  }
  if (/holds another batch at seq/.test(m)) {
    return 'Dữ liệu trên máy chủ của cơ quan khác với những gì máy trạm đã nhận (có thể máy chủ được khôi phục từ bản sao lưu rồi chạy lại trước khi được đánh dấu): máy trạm tạm dừng đồng bộ để không bỏ sót dữ liệu. Hãy báo quản trị viên đánh dấu lần khôi phục trên máy chủ.';
  }
  if (/econnrefused|enotfound|ehostunreach|enetunreach|econnreset|socket|timed? ?out|timeout|network|fetch failed/.test(m)) {
    return 'Không kết nối được máy chủ của cơ quan; máy trạm sẽ tự thử lại.';
  }
  if (/certificate|tls|ssl|self.signed/.test(m)) return 'Chứng thư của máy chủ của cơ quan không hợp lệ; hãy báo quản trị viên.';
  if (/\b401\b|\b403\b|unauthori[sz]ed|forbidden|signature|sign.in/.test(m)) return 'Máy chủ của cơ quan không chấp nhận phiên làm việc của máy trạm; hãy khóa máy rồi mở khóa lại, nếu vẫn lỗi hãy báo quản trị viên.';
  if (/\b413\b|too large|payload/.test(m)) return 'Gói tin vượt quá dung lượng máy chủ của cơ quan nhận.';
  if (/\b5\d\d\b|unavailable|server error/.test(m)) return 'Máy chủ của cơ quan đang gặp sự cố; máy trạm sẽ tự thử lại.';
  return 'Lần trao đổi gần nhất với máy chủ của cơ quan gặp lỗi; máy trạm sẽ tự thử lại.';
}

interface OutRow {
  packet_id: string; kind: string; to_code: string; name: string | null; made_at: string; handed_at: string | null;
  attempts: number | null; last_error: string | null; size: number | null;
}

type Outgoing = NonNullable<SyncPanelView['exchange']>['outbox'][number];

/** The document a packet carries, as this person may know it. */
export function documentOf(db: Db, schemas: readonly string[], actor: Actor, packetId: string): Outgoing['document'] {
  const target = dispatchOfPacket(db, schemas, packetId);
  if (!target) return null;
  const d = db.prepare(`SELECT id, subject, secrecy, number_symbol FROM ${target.schema}.outgoing WHERE id = ?`).get(target.outgoingId) as
    { id: number; subject: string; secrecy: Secrecy; number_symbol: string | null } | undefined;
  if (!d) return null;
  const above = secrecyRank(d.secrecy) > secrecyRank(actor.clearance);
  return { outgoingId: d.id, level: d.secrecy, numberSymbol: d.number_symbol, subject: above ? null : d.subject, kind: target.kind };
}

/** What waits to go out and what came in and waits (văn thư and administrators; the caller checks). */
export function exchangeQueue(db: Db, levels: readonly Secrecy[], actor: Actor, transfer: { packetId: string; sent: number } | null):
  Pick<NonNullable<SyncPanelView['exchange']>, 'outbox' | 'outboxTotal' | 'inbound' | 'transfer'> {
  const schemas = levels.map(schemaOf);
  const waitingWhere = `(o.handed_at IS NULL AND o.withdrawn_at IS NULL) OR p.state = 'queued'`;
  const rows = db.prepare(`SELECT o.packet_id, o.kind, o.to_code, a.name, o.made_at, o.handed_at, p.attempts, p.last_error, p.size
    FROM main.exchange_outbox o LEFT JOIN main.packet_outbox p ON p.packet_id = o.packet_id LEFT JOIN main.exchange_agencies a ON a.code = o.to_code
    WHERE ${waitingWhere} ORDER BY o.made_at, o.packet_id LIMIT ${LISTED}`).all() as OutRow[];
  const total = db.prepare(`SELECT count(*) FROM main.exchange_outbox o LEFT JOIN main.packet_outbox p ON p.packet_id = o.packet_id WHERE ${waitingWhere}`).pluck().get() as number;
  const outbox: Outgoing[] = rows.map((r) => ({
    packetId: r.packet_id, to: r.to_code, toName: r.name, madeAt: r.made_at,
    state: r.handed_at === null ? 'waiting' : 'queued',
    attempts: r.attempts ?? 0, error: syncErrorVi(r.last_error),
    document: r.kind === 'document' || r.kind === 'status' ? documentOf(db, schemas, actor, r.packet_id) : null,
    status: r.kind === 'status',
  }));
  // Received: kept but not opened (a level this session does not hold, or not yet tried), and opened
  // arrivals waiting for the văn thư to register or refuse them (in the compartments held here).
  const unopened = db.prepare("SELECT count(*) FROM main.exchange_inbound WHERE state = 'pending'").pluck().get() as number;
  const toRegister = schemas.reduce((n, c) => n + (db.prepare(`SELECT count(*) FROM ${c}.exchange_inbox WHERE state = 'waiting'`).pluck().get() as number), 0);
  let progress: NonNullable<SyncPanelView['exchange']>['transfer'] = null;
  if (transfer) {
    // The size the transport queued, else the packet as the exchange made it.
    const row = db.prepare(`SELECT coalesce((SELECT size FROM main.packet_outbox WHERE packet_id = ?), o.size, length(o.bytes)) AS size, coalesce(a.name, o.to_code) AS recipient
      FROM main.exchange_outbox o LEFT JOIN main.exchange_agencies a ON a.code = o.to_code WHERE o.packet_id = ?`).get(transfer.packetId, transfer.packetId) as { size: number; recipient: string } | undefined;
    if (row) progress = { packetId: transfer.packetId, to: row.recipient, sent: Math.min(transfer.sent, row.size), total: row.size };
  }
  return { outbox, outboxTotal: total, inbound: { unopened, toRegister }, transfer: progress };
}
