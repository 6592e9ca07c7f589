// Outgoing documents (văn bản đi): their states, the steps of their life, and how an issued number
// becomes a number-symbol in each preset. Pure: main, renderer and CLI share it.
import { documentTypeForSymbol, documentTypeName, DOCUMENT_TYPES, type NumberingPreset } from './domain';

/**
 * draft → in_review (the approval chain, in order) → approved → signer_signed → agency_signed → issued;
 * a return sends it back to draft; an issued document can be recalled (frozen) or replaced.
 */
export const OUTGOING_STATUSES = ['draft', 'in_review', 'approved', 'signer_signed', 'agency_signed', 'issued', 'recalled'] as const;
export type OutgoingStatus = (typeof OUTGOING_STATUSES)[number];
export const OUTGOING_STATUS_LABELS: Record<OutgoingStatus, string> = {
  draft: 'Dự thảo',
  in_review: 'Đang trình duyệt',
  approved: 'Đã duyệt',
  signer_signed: 'Người có thẩm quyền đã ký',
  agency_signed: 'Đã ký số cơ quan',
  issued: 'Đã ban hành',
  recalled: 'Đã thu hồi',
};

/** What a step of the trail records (immutable rows of outgoing_steps). */
export const OUTGOING_STEP_KINDS = [
  'create', 'revise', 'submit', 'approve', 'approve_changes', 'return', 'sign_signer', 'sign_agency', 'issue', 'recall', 'replace',
  // Two workstations revised the draft at once: both versions kept (main/core/sync/draftForks.ts).
  'fork',
  // An issued document's metadata corrected and sent again (BussinessDocType 2; main/core/outgoing/updates.ts).
  'update',
  // Taken back from one recipient agency (edXML status 13 Lấy lại).
  'take_back',
  // A recipient's copy refused on its way, sent again as a new packet (main/core/outgoing/resends.ts).
  'resend',
] as const;
export type OutgoingStepKind = (typeof OUTGOING_STEP_KINDS)[number];
export const OUTGOING_STEP_LABELS: Record<OutgoingStepKind, string> = {
  create: 'Tạo dự thảo',
  revise: 'Sửa dự thảo',
  submit: 'Trình duyệt',
  approve: 'Duyệt',
  approve_changes: 'Duyệt có chỉnh sửa',
  return: 'Trả lại',
  sign_signer: 'Ký số (người ký)',
  sign_agency: 'Ký số (cơ quan)',
  issue: 'Ban hành',
  recall: 'Thu hồi',
  replace: 'Thay thế',
  fork: 'Hai bản sửa cùng lúc',
  update: 'Cập nhật văn bản đã ban hành',
  take_back: 'Lấy lại văn bản đã gửi',
  resend: 'Gửi lại văn bản bị từ chối',
};

export const DISPATCH_STATUSES = ['pending', 'sent', 'recalled'] as const;
export type DispatchStatus = (typeof DISPATCH_STATUSES)[number];
export const DISPATCH_STATUS_LABELS: Record<DispatchStatus, string> = {
  pending: 'Chờ gửi',
  sent: 'Đã gửi',
  recalled: 'Đã thu hồi',
};

/** The types an agency issues in a preset: those with a symbol code in its form, and Công văn. */
export function issuableTypes(preset: NumberingPreset): Array<{ code: string; name: string }> {
  return DOCUMENT_TYPES
    .filter((t) => t.group !== 'copy' && ((('symbols' in t) && (t.symbols as { state?: readonly string[]; party?: readonly string[] })[preset]?.length) || t.code === 'CV'))
    .map((t) => ({ code: t.code, name: t.name }));
}

/** The symbol code of a type in a preset's form (Quy định: QyĐ state, QĐi party; Thông tri: TT party). */
export function symbolCodeOf(typeCode: string, preset: NumberingPreset): string | undefined {
  const t = DOCUMENT_TYPES.find((x) => x.code === typeCode);
  const codes = t && 'symbols' in t ? (t.symbols as { state?: readonly string[]; party?: readonly string[] })[preset] : undefined;
  if (codes?.length) return codes[0];
  return typeCode === 'CV' ? 'CV' : undefined;
}

/** Numbers below 10 take a leading zero (NĐ 30/2020, HD 36-HD/VPTW). */
export const padIssued = (n: number): string => (n < 10 ? `0${n}` : String(n));

/**
 * The number-symbol of an issued document:
 *   state: 15/QĐ-UBND; a công văn: 15/UBND-VX (issuer, then the drafting unit when given)
 *   party: 27-QĐ/TW; a công văn: 234-CV/VPTU (and a drafting-unit suffix: 5053-CV/VPTW/nb)
 * With `year` (state form, the types configured to carry it): 01/2024/NĐ-CP.
 */
export function formatIssuedSymbol(preset: NumberingPreset, n: number, typeCode: string, issuer: string, draftingUnit?: string, year?: number): string {
  const unit = draftingUnit?.trim();
  if (preset === 'state') {
    // A type whose number carries the year: 01/2024/NĐ-CP (the party form never does).
    const num = year === undefined ? padIssued(n) : `${padIssued(n)}/${year}`;
    if (typeCode === 'CV') return `${num}/${issuer}${unit ? `-${unit}` : ''}`;
    return `${num}/${symbolCodeOf(typeCode, 'state') ?? typeCode}-${issuer}`;
  }
  return `${padIssued(n)}-${symbolCodeOf(typeCode, 'party') ?? typeCode}/${issuer}${typeCode === 'CV' && unit ? `/${unit}` : ''}`;
}

/** Whether a symbol code read back names the type issued (a self-check of formatIssuedSymbol). */
export const symbolNamesType = (symbolCode: string, preset: NumberingPreset, typeCode: string): boolean =>
  documentTypeForSymbol(symbolCode, preset) === typeCode || documentTypeName(typeCode) === symbolCode;
