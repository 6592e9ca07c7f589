// The state-secret registers as the law lays them out, as data: each register's typed row and its
// columns, shared by the PDF (registerPdf.ts) and the XLSX (registerXlsx.ts).
//
// What the columns are based on: the forms of Thông tư 24/2020/TT-BCA (mẫu 12 Sổ quản lý sao,
// chụp bí mật nhà nước; mẫu 15 Sổ đăng ký bí mật nhà nước đến; mẫu 16 Sổ chuyển giao bí mật nhà
// nước) as public summaries describe them, and the column sets in the domain digest
// (shared/domain/README.md, and Phụ lục IV of Nghị định 30/2020/NĐ-CP for the incoming register).
// The forms that Nghị định 63/2026/NĐ-CP issues under Luật 117/2025/QH15 were not available to us;
// the registers keep the same purposes there, so when their exact columns are known only the
// column lists below change. Tuyệt mật items are registered without their subject line (the
// digest): whatever a row carries, a Tuyệt mật row's subject is never written out.
import { isAwaitingNumber } from '../documents/numberWaits';
import { isValidIsoDate, MIN_YEAR } from '../../../common/dates';
import { DeskError } from '../../../common/errors';
import { SECRECY_LABELS, type Secrecy } from '../../../common/domain';

export const REGISTER_KINDS = ['secret_incoming', 'secret_copies', 'secret_handover', 'incoming_tracking', 'outgoing', 'secret_outgoing', 'incoming'] as const;
export type RegisterKind = (typeof REGISTER_KINDS)[number];

/** A secret level: the registers hold Mật, Tối mật and Tuyệt mật items only. */
export type SecretLevel = Exclude<Secrecy, 'thuong'>;

/** Sổ đăng ký bí mật nhà nước đến: one row per secret document received. */
export interface SecretIncomingRow {
  /** yyyy-mm-dd, as every date of these rows. */
  arrivalDate: string;
  arrivalNumber: number;
  /** Nơi gửi (the issuing body). */
  issuer: string;
  numberSymbol: string;
  documentDate: string | null;
  /** Tên loại: Quyết định, Công văn … */
  typeName: string;
  /** Trích yếu; left out for Tuyệt mật whatever is given. */
  subject: string | null;
  secrecy: SecretLevel;
  /** Đơn vị hoặc người nhận. */
  recipient: string;
  /** Ký nhận: who acknowledged the hand-over and how ("Đã ký số 05/03/2026 09:10"). */
  acknowledgement: string | null;
  notes: string | null;
}

/** How a copy was made (Luật BVBMNN: sao y, trích sao, sao lục; printing and photographing count as copies). */
export const COPY_FORMS = { sao_y: 'Sao y', trich_sao: 'Trích sao', sao_luc: 'Sao lục', in: 'In', chup: 'Chụp' } as const;
export type CopyForm = keyof typeof COPY_FORMS;

/** Sổ quản lý sao, chụp bí mật nhà nước: one row per copy or print run. */
export interface SecretCopyRow {
  /** Number in the year's copy sequence. */
  copyNumber: number;
  copiedOn: string;
  /** The document copied: its type, number-symbol, date and issuer. */
  typeName: string;
  numberSymbol: string;
  documentDate: string | null;
  issuer: string;
  /** Left out for Tuyệt mật whatever is given. */
  subject: string | null;
  secrecy: SecretLevel;
  form: CopyForm;
  /** Số bản sao, chụp. */
  count: number;
  /** Who allowed it (name, position) and who made it. */
  allowedBy: string;
  madeBy: string;
  /** Nơi nhận bản sao. */
  recipients: string | null;
  notes: string | null;
}

/** Sổ chuyển giao bí mật nhà nước: one row per hand-over. */
export interface SecretHandoverRow {
  sequence: number;
  handedOn: string;
  typeName: string;
  numberSymbol: string;
  documentDate: string | null;
  /** Left out for Tuyệt mật whatever is given. */
  subject: string | null;
  secrecy: SecretLevel;
  /** Số lượng (copies, or pages) handed over. */
  quantity: number;
  /** Người giao. */
  handedBy: string;
  /** Người nhận and their unit or agency (inside or outside the agency). */
  receiver: string;
  /** Ký nhận: the receiver's token signature ("Đã ký số 05/03/2026 09:10") or null while pending. */
  acknowledgement: string | null;
  notes: string | null;
}

/**
 * Sổ đăng ký văn bản đi (NĐ 30/2020, Phụ lục IV) and Sổ đăng ký bí mật nhà nước đi: one row per issued
 * document. The ordinary register holds Thường documents; the secret one Mật, Tối mật, Tuyệt mật.
 */
export interface OutgoingRegisterRow {
  numberSymbol: string;
  /** Ngày tháng văn bản (the issue date). */
  documentDate: string;
  typeName: string;
  /** Left out for Tuyệt mật whatever is given. */
  subject: string | null;
  secrecy: Secrecy;
  /** Người ký. */
  signer: string;
  /** Nơi nhận. */
  recipients: string;
  /** Đơn vị, người nhận bản lưu. */
  keptBy: string | null;
  /** Số lượng bản. */
  copies: number | null;
  /** Ngày chuyển. */
  sentOn: string | null;
  acknowledgement: string | null;
  notes: string | null;
}

/**
 * Sổ theo dõi giải quyết văn bản đến (Nghị định 30/2020 Phụ lục IV): one row per incoming document in
 * processing, of every level (a Tuyệt mật row without its subject, as in the other registers).
 */
export interface IncomingTrackingRow {
  arrivalNumber: number;
  arrivalDate: string;
  typeName: string;
  numberSymbol: string;
  documentDate: string | null;
  issuer: string;
  subject: string | null;
  secrecy: Secrecy;
  /** Đơn vị hoặc người nhận: the lead unit or person, and the handler. */
  recipient: string;
  /** Thời hạn giải quyết (yyyy-mm-dd). */
  deadline: string | null;
  /** Tiến độ giải quyết: the status, progress and date finished. */
  progress: string;
  /** Số, ký hiệu văn bản trả lời. */
  reply: string | null;
  notes: string | null;
  /** The closed year it was carried over from (still being handled at that year's closing); its notes say so. */
  carriedFrom?: number;
}

/**
 * Sổ đăng ký văn bản đến (Nghị định 30/2020, Phụ lục IV): one row per Thường document registered in
 * an incoming register. Ký nhận: the electronic acknowledgement of the hand-over when there is one,
 * else left empty for the receiver's handwritten signature on the printed book.
 */
export interface IncomingRegisterRow {
  arrivalDate: string;
  arrivalNumber: number;
  /** Tác giả (the issuing body). */
  issuer: string;
  numberSymbol: string;
  documentDate: string | null;
  typeName: string;
  subject: string | null;
  secrecy: Secrecy;
  recipient: string;
  /** Ngày chuyển. */
  handedOn: string | null;
  acknowledgement: string | null;
  notes: string | null;
}

export interface RegisterRows {
  secret_incoming: SecretIncomingRow;
  secret_copies: SecretCopyRow;
  secret_handover: SecretHandoverRow;
  incoming_tracking: IncomingTrackingRow;
  outgoing: OutgoingRegisterRow;
  secret_outgoing: OutgoingRegisterRow;
  incoming: IncomingRegisterRow;
}

export interface RegisterOptions {
  /** The agency keeping the register, and its parent body (cơ quan chủ quản) when it has one. */
  unitName: string;
  parentUnitName?: string;
  year: number;
  /** The dates the output covers, yyyy-mm-dd (a filter by period, or the whole year). */
  period: { from: string; to: string };
  /** Quyển số. */
  volume?: number;
}

/** A cell: text, a whole number, or a calendar date (yyyy-mm-dd; dd/mm/yyyy in the PDF, a real date in the XLSX). */
export type Cell = { text: string } | { number: number } | { date: string } | null;

export interface Column<R> {
  title: string;
  /** Relative width in the PDF, and the width in characters in the XLSX. */
  width: number;
  cell(row: R): Cell;
}

export interface RegisterLayout<R> {
  title: string;
  /** Sheet name (≤ 31 characters, none of []:*?/\). */
  sheet: string;
  columns: Column<R>[];
}

const text = (s: string | null | undefined): Cell => (s ? { text: s } : null);
const date = (s: string | null | undefined): Cell => (s ? { date: s } : null);
/** An arrival "chờ cấp số" (registered while the agency server was out of reach) holds a negative placeholder, printed as words. */
const arrivalCell = (n: number): Cell => (isAwaitingNumber(n) ? { text: 'Chờ cấp số' } : { number: n });
const level = (s: Secrecy): Cell => ({ text: SECRECY_LABELS[s] });

/** "Quyết định" or "Quyết định: Về việc …": the type, and the subject unless the item is Tuyệt mật. */
export function typeAndSubject(typeName: string, subject: string | null, secrecy: Secrecy): string {
  if (secrecy === 'tuyet_mat' || !subject?.trim()) return typeName;
  return typeName ? `${typeName}: ${subject}` : subject;
}

/** "15/QĐ-UBND, 01/11/2026, Sở Nội vụ": a document's particulars in one cell. */
function particulars(numberSymbol: string, documentDate: string | null, issuer?: string): string {
  const d = documentDate ? documentDate.split('-').reverse().join('/') : '';
  return [numberSymbol, d, issuer].filter(Boolean).join(', ');
}

export const LAYOUTS: { [K in RegisterKind]: RegisterLayout<RegisterRows[K]> } = {
  incoming_tracking: {
    title: 'SỔ THEO DÕI GIẢI QUYẾT VĂN BẢN ĐẾN',
    sheet: 'Sổ theo dõi giải quyết VB đến',
    columns: [
      { title: 'Số đến', width: 7, cell: (r) => arrivalCell(r.arrivalNumber) },
      { title: 'Ngày đến', width: 10, cell: (r) => date(r.arrivalDate) },
      { title: 'Tên loại, số và ký hiệu, ngày tháng, cơ quan ban hành', width: 24, cell: (r) => text(particulars(r.typeName ? `${r.typeName} ${r.numberSymbol}` : r.numberSymbol, r.documentDate, r.issuer)) },
      { title: 'Trích yếu nội dung', width: 26, cell: (r) => text(r.secrecy === 'tuyet_mat' ? '' : r.subject) },
      { title: 'Đơn vị hoặc người nhận', width: 18, cell: (r) => text(r.recipient) },
      { title: 'Thời hạn giải quyết', width: 10, cell: (r) => date(r.deadline) },
      { title: 'Tiến độ giải quyết', width: 16, cell: (r) => text(r.progress) },
      { title: 'Số, ký hiệu văn bản trả lời', width: 13, cell: (r) => text(r.reply) },
      { title: 'Ghi chú', width: 13, cell: (r) => text(r.notes) },
    ],
  },
  outgoing: {
    title: 'SỔ ĐĂNG KÝ VĂN BẢN ĐI',
    sheet: 'Sổ đăng ký văn bản đi',
    columns: outgoingColumns(false),
  },
  secret_outgoing: {
    title: 'SỔ ĐĂNG KÝ BÍ MẬT NHÀ NƯỚC ĐI',
    sheet: 'Sổ đăng ký BMNN đi',
    columns: outgoingColumns(true),
  },
  incoming: {
    title: 'SỔ ĐĂNG KÝ VĂN BẢN ĐẾN',
    sheet: 'Sổ đăng ký văn bản đến',
    columns: [
      { title: 'Ngày đến', width: 10, cell: (r) => date(r.arrivalDate) },
      { title: 'Số đến', width: 7, cell: (r) => arrivalCell(r.arrivalNumber) },
      { title: 'Tác giả', width: 18, cell: (r) => text(r.issuer) },
      { title: 'Số, ký hiệu', width: 13, cell: (r) => text(r.numberSymbol) },
      { title: 'Ngày tháng', width: 10, cell: (r) => date(r.documentDate) },
      { title: 'Tên loại và trích yếu nội dung', width: 34, cell: (r) => text(typeAndSubject(r.typeName, r.subject, r.secrecy)) },
      { title: 'Đơn vị hoặc người nhận', width: 18, cell: (r) => text(r.recipient) },
      { title: 'Ngày chuyển', width: 10, cell: (r) => date(r.handedOn) },
      { title: 'Ký nhận', width: 14, cell: (r) => text(r.acknowledgement) },
      { title: 'Ghi chú', width: 11, cell: (r) => text(r.notes) },
    ],
  },
  secret_incoming: {
    title: 'SỔ ĐĂNG KÝ BÍ MẬT NHÀ NƯỚC ĐẾN',
    sheet: 'Sổ đăng ký BMNN đến',
    columns: [
      { title: 'Ngày đến', width: 11, cell: (r) => date(r.arrivalDate) },
      { title: 'Số đến', width: 7, cell: (r) => arrivalCell(r.arrivalNumber) },
      { title: 'Nơi gửi', width: 18, cell: (r) => text(r.issuer) },
      { title: 'Số, ký hiệu', width: 14, cell: (r) => text(r.numberSymbol) },
      { title: 'Ngày tháng văn bản', width: 11, cell: (r) => date(r.documentDate) },
      { title: 'Tên loại và trích yếu nội dung', width: 34, cell: (r) => text(typeAndSubject(r.typeName, r.subject, r.secrecy)) },
      { title: 'Độ mật', width: 9, cell: (r) => level(r.secrecy) },
      { title: 'Đơn vị hoặc người nhận', width: 18, cell: (r) => text(r.recipient) },
      { title: 'Ký nhận', width: 14, cell: (r) => text(r.acknowledgement) },
      { title: 'Ghi chú', width: 12, cell: (r) => text(r.notes) },
    ],
  },
  secret_copies: {
    title: 'SỔ QUẢN LÝ SAO, CHỤP BÍ MẬT NHÀ NƯỚC',
    sheet: 'Sổ quản lý sao, chụp BMNN',
    columns: [
      { title: 'Số thứ tự', width: 7, cell: (r) => ({ number: r.copyNumber }) },
      { title: 'Ngày sao, chụp', width: 11, cell: (r) => date(r.copiedOn) },
      { title: 'Số, ký hiệu, ngày tháng, cơ quan ban hành', width: 22, cell: (r) => text(particulars(r.numberSymbol, r.documentDate, r.issuer)) },
      { title: 'Tên loại và trích yếu nội dung', width: 28, cell: (r) => text(typeAndSubject(r.typeName, r.subject, r.secrecy)) },
      { title: 'Độ mật', width: 9, cell: (r) => level(r.secrecy) },
      { title: 'Hình thức sao, chụp', width: 10, cell: (r) => text(COPY_FORMS[r.form]) },
      { title: 'Số bản', width: 7, cell: (r) => ({ number: r.count }) },
      { title: 'Người cho phép sao, chụp', width: 16, cell: (r) => text(r.allowedBy) },
      { title: 'Người sao, chụp', width: 16, cell: (r) => text(r.madeBy) },
      { title: 'Nơi nhận bản sao', width: 14, cell: (r) => text(r.recipients) },
      { title: 'Ghi chú', width: 11, cell: (r) => text(r.notes) },
    ],
  },
  secret_handover: {
    title: 'SỔ CHUYỂN GIAO BÍ MẬT NHÀ NƯỚC',
    sheet: 'Sổ chuyển giao BMNN',
    columns: [
      { title: 'Số thứ tự', width: 7, cell: (r) => ({ number: r.sequence }) },
      { title: 'Ngày chuyển giao', width: 11, cell: (r) => date(r.handedOn) },
      { title: 'Số, ký hiệu, ngày tháng', width: 18, cell: (r) => text(particulars(r.numberSymbol, r.documentDate)) },
      { title: 'Tên loại và trích yếu nội dung', width: 32, cell: (r) => text(typeAndSubject(r.typeName, r.subject, r.secrecy)) },
      { title: 'Độ mật', width: 9, cell: (r) => level(r.secrecy) },
      { title: 'Số lượng', width: 7, cell: (r) => ({ number: r.quantity }) },
      { title: 'Người giao', width: 16, cell: (r) => text(r.handedBy) },
      { title: 'Người nhận (cơ quan, đơn vị)', width: 20, cell: (r) => text(r.receiver) },
      { title: 'Ký nhận', width: 15, cell: (r) => text(r.acknowledgement) },
      { title: 'Ghi chú', width: 12, cell: (r) => text(r.notes) },
    ],
  },
};

/** The columns of the outgoing registers (the secret one adds the level after the subject). */
function outgoingColumns(secret: boolean): Column<OutgoingRegisterRow>[] {
  return [
    { title: 'Số, ký hiệu văn bản', width: 13, cell: (r) => text(r.numberSymbol) },
    { title: 'Ngày tháng văn bản', width: 10, cell: (r) => date(r.documentDate) },
    { title: 'Tên loại và trích yếu nội dung văn bản', width: 32, cell: (r) => text(typeAndSubject(r.typeName, r.subject, r.secrecy)) },
    ...(secret ? [{ title: 'Độ mật', width: 8, cell: (r: OutgoingRegisterRow) => level(r.secrecy) }] : []),
    { title: 'Người ký', width: 14, cell: (r) => text(r.signer) },
    { title: 'Nơi nhận văn bản', width: 22, cell: (r) => text(r.recipients) },
    { title: 'Đơn vị, người nhận bản lưu', width: 14, cell: (r) => text(r.keptBy) },
    { title: 'Số lượng bản', width: 7, cell: (r) => (r.copies === null ? null : { number: r.copies }) },
    { title: 'Ngày chuyển', width: 10, cell: (r) => date(r.sentOn) },
    { title: 'Ký nhận', width: 12, cell: (r) => text(r.acknowledgement) },
    { title: 'Ghi chú', width: 10, cell: (r) => text(r.notes) },
  ];
}

/** Date fields and required text fields of each kind, for the checks below. */
const REQUIRED: { [K in RegisterKind]: { dates: Array<keyof RegisterRows[K]>; optionalDates: Array<keyof RegisterRows[K]>; texts: Array<keyof RegisterRows[K]>; numbers: Array<keyof RegisterRows[K]> } } = {
  secret_incoming: { dates: ['arrivalDate'], optionalDates: ['documentDate'], texts: ['issuer', 'numberSymbol'], numbers: ['arrivalNumber'] },
  secret_copies: { dates: ['copiedOn'], optionalDates: ['documentDate'], texts: ['numberSymbol', 'allowedBy', 'madeBy'], numbers: ['copyNumber', 'count'] },
  secret_handover: { dates: ['handedOn'], optionalDates: ['documentDate'], texts: ['numberSymbol', 'handedBy', 'receiver'], numbers: ['sequence', 'quantity'] },
  incoming_tracking: { dates: ['arrivalDate'], optionalDates: ['documentDate', 'deadline'], texts: ['numberSymbol', 'issuer'], numbers: ['arrivalNumber'] },
  outgoing: { dates: ['documentDate'], optionalDates: ['sentOn'], texts: ['numberSymbol', 'signer'], numbers: [] },
  secret_outgoing: { dates: ['documentDate'], optionalDates: ['sentOn'], texts: ['numberSymbol', 'signer'], numbers: [] },
  incoming: { dates: ['arrivalDate'], optionalDates: ['documentDate', 'handedOn'], texts: ['issuer', 'numberSymbol'], numbers: ['arrivalNumber'] },
};

export const SECRET_LEVELS: readonly SecretLevel[] = ['mat', 'toi_mat', 'tuyet_mat'];

/** The first problem of a row (1-based index in the message), or null. */
export function rowProblem<K extends RegisterKind>(kind: K, row: RegisterRows[K]): 'badRow' | 'badDate' | null {
  const req = REQUIRED[kind];
  const r = row as unknown as Record<string, unknown>;
  // The secret registers hold secret items only; the processing register every level; the ordinary
  // outgoing register Thường documents only.
  const levels: readonly string[] = kind === 'incoming_tracking' ? ['thuong', ...SECRET_LEVELS] : kind === 'outgoing' || kind === 'incoming' ? ['thuong'] : SECRET_LEVELS;
  if (!levels.includes(r.secrecy as string)) return 'badRow';
  for (const f of req.texts) if (typeof r[f as string] !== 'string' || !(r[f as string] as string).trim()) return 'badRow';
  for (const f of req.numbers) {
    if (!Number.isInteger(r[f as string])) return 'badRow';
    if ((r[f as string] as number) < 0 && f !== 'arrivalNumber') return 'badRow';
  }
  for (const f of req.dates) if (typeof r[f as string] !== 'string' || !isValidIsoDate(r[f as string] as string)) return 'badDate';
  for (const f of req.optionalDates) {
    const v = r[f as string];
    if (v !== null && v !== undefined && (typeof v !== 'string' || !isValidIsoDate(v))) return 'badDate';
  }
  return null;
}

/** More rows than this in one output is refused (a year of a large agency is far below it). */
export const MAX_REGISTER_ROWS = 100_000;

/** Checks a register's input before anything is drawn; refusals say which row and why. */
export function checkRegisterInput<K extends RegisterKind>(kind: K, rows: readonly RegisterRows[K][], opts: RegisterOptions): void {
  if (!(REGISTER_KINDS as readonly string[]).includes(kind) || !Array.isArray(rows)) throw DeskError.keyed('VALIDATION', 'input.invalid');
  if (typeof opts.unitName !== 'string' || !opts.unitName.trim()) throw DeskError.keyed('VALIDATION', 'field.required', { field: 'unitName' }, { at: 'unitName' });
  if (!Number.isInteger(opts.year) || opts.year < MIN_YEAR || opts.year > 9999) throw DeskError.keyed('VALIDATION', 'year.invalid', undefined, { at: 'year' });
  const { from, to } = opts.period ?? { from: '', to: '' };
  if (!isValidIsoDate(from) || !isValidIsoDate(to) || from > to) throw DeskError.keyed('VALIDATION', 'report.badPeriod', undefined, { at: 'period' });
  if (rows.length > MAX_REGISTER_ROWS) throw DeskError.keyed('VALIDATION', 'report.tooManyRows', { rows: rows.length, max: MAX_REGISTER_ROWS });
  rows.forEach((row, i) => {
    const problem = rowProblem(kind, row);
    if (problem) throw DeskError.keyed('VALIDATION', problem === 'badDate' ? 'report.badDate' : 'report.badRow', { row: i + 1 });
  });
}
