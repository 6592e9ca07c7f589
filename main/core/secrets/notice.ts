// The notice to the holders of a record whose level changed or that was declassified: who holds it
// (recipients, hand-overs, grants, copies), to be told in writing within 15 days (the law).
import type { LevelChangeKind } from '../../../common/contract';
import { addDaysIso, formatDateVn } from '../../../common/dates';
import { SECRECY_LABELS, type Secrecy } from '../../../common/domain';
import type { Db } from '../db/connection';

/** Days within which the holders must be notified (the law). */
export const NOTICE_DAYS = 15;

export interface NoticeChange {
  incoming_id: number; kind: LevelChangeKind; from_level: Secrecy; to_level: Secrecy; authority: string; reason: string; part: string; decided_on: string;
}

/** Who holds the record in compartment `c`: to be told of the change within 15 days. */
export function holdersOf(db: Db, c: string, incomingId: number): string[] {
  const q = (sql: string) => db.prepare(sql).pluck().all(incomingId) as string[];
  const names = [
    ...q(`SELECT name FROM ${c}.incoming_recipients WHERE incoming_id = ?`),
    ...q(`SELECT recipient_name FROM ${c}.incoming_handovers WHERE incoming_id = ?`),
    ...q(`SELECT u.full_name FROM ${c}.grants g JOIN users u ON u.id = g.user_id WHERE g.incoming_id = ? AND g.revoked_at IS NULL`),
    ...q(`SELECT u.full_name FROM ${c}.copies k JOIN users u ON u.id = k.made_by WHERE k.incoming_id = ?`),
  ];
  return [...new Set(names)];
}

export function composeNotice(db: Db, c: string, ch: NoticeChange, doc: { arrivalNumber: number; numberSymbol: string; documentDate: string; registerName: string }): string {
  const what = ch.kind === 'declassify' ? 'giải mật' : ch.kind === 'declassify_part' ? 'giải mật một phần' : ch.kind === 'raise' ? 'tăng độ mật' : 'giảm độ mật';
  const change = ch.kind === 'declassify_part' ? `phần được giải mật: ${ch.part}` : `từ độ "${SECRECY_LABELS[ch.from_level]}" thành "${ch.kind === 'declassify' ? 'giải mật' : SECRECY_LABELS[ch.to_level]}"`;
  const deadline = formatDateVn(addDaysIso(ch.decided_on, NOTICE_DAYS));
  const holders = holdersOf(db, c, ch.incoming_id);
  return [
    `THÔNG BÁO về việc ${what} tài liệu bí mật nhà nước`,
    `Văn bản số đến ${doc.arrivalNumber} (${doc.registerName}), số, ký hiệu ${doc.numberSymbol}, ngày ${formatDateVn(doc.documentDate)}: ${change}.`,
    `Căn cứ: ${ch.authority}, ngày ${formatDateVn(ch.decided_on)}. Lý do: ${ch.reason}.`,
    `Đề nghị các cơ quan, đơn vị, cá nhân đang quản lý tài liệu thực hiện đóng dấu, ghi chú theo quyết định trên trước ngày ${deadline}.`,
    `Nơi nhận: ${holders.length > 0 ? holders.join('; ') : 'không có (chưa chuyển, chưa sao chụp)'}.`,
  ].join('\n');
}
