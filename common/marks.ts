// The marks the state-secrets law puts on a secret document (Thông tư 24/2020/TT-BCA, mẫu 02 and
// 07, continued under Luật 117/2025/QH15) and the watermark lines, worded once for the printout
// (main/core/print) and the viewer (renderer) so both say exactly the same thing.
// Pure data and pure functions: no Node or DOM import.
import { formatDateTimeVn } from './dates';
import type { Secrecy, Urgency } from './domain';

/** The red stamp of each level; none for unclassified documents. */
export const SECRECY_STAMP: Record<Secrecy, string | null> = {
  thuong: null,
  mat: 'MẬT',
  toi_mat: 'TỐI MẬT',
  tuyet_mat: 'TUYỆT MẬT',
};

/** The red urgency mark; none for ordinary urgency. */
export const URGENCY_STAMP: Record<Urgency, string | null> = {
  thuong: null,
  khan: 'KHẨN',
  thuong_khan: 'THƯỢNG KHẨN',
  hoa_toc: 'HỎA TỐC',
};

/** Mẫu 07: the document must be returned; the envelope is opened by the named person only. */
export const RECALLED_STAMP = 'TÀI LIỆU THU HỒI';
export const NAMED_ONLY_STAMP = 'CHỈ NGƯỜI CÓ TÊN MỚI ĐƯỢC BÓC BÌ';

export interface DocumentMarks {
  secrecy: Secrecy;
  urgency: Urgency;
  /** "Tài liệu thu hồi". */
  recalled: boolean;
  /** "Chỉ người có tên mới được bóc bì". */
  namedOnly: boolean;
}

/** The stamps to draw, in reading order: level, urgency, then the flags. */
export function markStamps(m: DocumentMarks): { secrecy: string | null; urgency: string | null; flags: string[] } {
  const flags: string[] = [];
  if (m.recalled) flags.push(RECALLED_STAMP);
  if (m.namedOnly) flags.push(NAMED_ONLY_STAMP);
  return { secrecy: SECRECY_STAMP[m.secrecy], urgency: URGENCY_STAMP[m.urgency], flags };
}

export interface WatermarkFields {
  /** Who views or prints: the signed-in person's full name. */
  person: string;
  /** That person's unit. */
  unit: string;
  /** When the page was shown or printed; shown as dd/mm/yyyy HH:mm in Vietnam. */
  time: Date;
  /** Which document, e.g. "Số đến 42 — 15/QĐ-UBND". */
  documentNumber: string;
}

/** "Bản số 3/5". */
export const copyLabel = (copyNumber: number, copyCount: number): string => `Bản số ${copyNumber}/${copyCount}`;

/** The watermark as lines, top to bottom: who and where, when, which document (and which copy). */
export function watermarkLines(w: WatermarkFields, copy?: { copyNumber: number; copyCount: number }): string[] {
  const lines = [`${w.person} — ${w.unit}`, formatDateTimeVn(w.time), w.documentNumber];
  if (copy) lines.push(copyLabel(copy.copyNumber, copy.copyCount));
  return lines;
}
