// Domain vocabulary shared by every runtime (main, preload, renderer, CLI).
// Pure data and pure functions only: no Node, DOM or Electron import may appear here.

/** Secrecy levels, lowest first; the index is the ordinal used for clearance checks. */
export const SECRECY_LEVELS = ['thuong', 'mat', 'toi_mat', 'tuyet_mat'] as const;
export type Secrecy = (typeof SECRECY_LEVELS)[number];
export const SECRECY_LABELS: Record<Secrecy, string> = {
  thuong: 'Thường',
  mat: 'Mật',
  toi_mat: 'Tối mật',
  tuyet_mat: 'Tuyệt mật',
};
export const secrecyRank = (s: Secrecy): number => SECRECY_LEVELS.indexOf(s);
export const isSecret = (s: Secrecy): boolean => s !== 'thuong';
/** True when a person cleared to `clearance` may see an item classified `level`. */
export const clearedFor = (clearance: Secrecy, level: Secrecy): boolean =>
  secrecyRank(level) <= secrecyRank(clearance);

/** Urgency, lowest first (edXML Priority 0..3 maps onto the index). */
export const URGENCY_LEVELS = ['thuong', 'khan', 'thuong_khan', 'hoa_toc'] as const;
export type Urgency = (typeof URGENCY_LEVELS)[number];
export const URGENCY_LABELS: Record<Urgency, string> = {
  thuong: 'Thường',
  khan: 'Khẩn',
  thuong_khan: 'Thượng khẩn',
  hoa_toc: 'Hỏa tốc',
};

/**
 * Document types a register accepts. The list to *register* is open (documents arrive from everyone:
 * legal normative, state administrative, party, copies), while the list an agency *issues* is its own.
 *
 * `code` is what is stored (incoming.type_code) and sent: the type's symbol code where that code
 * names one type only (QĐ, NĐ, KL …), otherwise the type's name. So the types that have no code
 * (Luật, Pháp lệnh, Cương lĩnh, Điều lệ …) and Thông tri, whose party code TT is also the state code
 * of Thông tư, are stored by name, exactly like a type that is not in the list and was written by
 * name. `symbols` are the codes that stand for the type inside a number-symbol, per form: TT is
 * Thông tư in a state symbol (01/2024/TT-BTC) and Thông tri in a party one (05-TT/TW); Quy định is
 * QyĐ (state, NĐ 30/2020) or QĐi (party, HD 36-HD/VPTW). Công văn has no state code: a state symbol
 * whose notation starts with the issuer (1234/UBND-VX) is a công văn.
 */
export const DOCUMENT_TYPE_GROUPS = ['legal', 'administrative', 'party', 'copy'] as const;
export type DocumentTypeGroup = (typeof DOCUMENT_TYPE_GROUPS)[number];
export const DOCUMENT_TYPE_GROUP_LABELS: Record<DocumentTypeGroup, string> = {
  legal: 'Văn bản quy phạm pháp luật',
  administrative: 'Văn bản hành chính',
  party: 'Văn bản của Đảng',
  copy: 'Bản sao',
};

interface DocumentTypeEntry {
  readonly code: string;
  readonly name: string;
  readonly group: DocumentTypeGroup;
  readonly symbols?: { readonly state?: readonly string[]; readonly party?: readonly string[] };
}

const both = (code: string) => ({ state: [code], party: [code] });

export const DOCUMENT_TYPES = [
  // Legal normative documents (Luật Ban hành văn bản quy phạm pháp luật).
  { code: 'Hiến pháp', name: 'Hiến pháp', group: 'legal' },
  { code: 'Bộ luật', name: 'Bộ luật', group: 'legal' },
  { code: 'Luật', name: 'Luật', group: 'legal' },
  { code: 'Pháp lệnh', name: 'Pháp lệnh', group: 'legal' },
  { code: 'L', name: 'Lệnh', group: 'legal', symbols: { state: ['L'] } },
  { code: 'NĐ', name: 'Nghị định', group: 'legal', symbols: { state: ['NĐ'] } },
  { code: 'TT', name: 'Thông tư', group: 'legal', symbols: { state: ['TT'] } },
  { code: 'TTLT', name: 'Thông tư liên tịch', group: 'legal', symbols: { state: ['TTLT'] } },
  { code: 'NQLT', name: 'Nghị quyết liên tịch', group: 'legal', symbols: { state: ['NQLT'] } },
  // Administrative documents (NĐ 30/2020 Appendix III), most of them also party types.
  { code: 'NQ', name: 'Nghị quyết', group: 'administrative', symbols: both('NQ') },
  { code: 'QĐ', name: 'Quyết định', group: 'administrative', symbols: both('QĐ') },
  { code: 'CT', name: 'Chỉ thị', group: 'administrative', symbols: both('CT') },
  { code: 'QC', name: 'Quy chế', group: 'administrative', symbols: both('QC') },
  { code: 'QyĐ', name: 'Quy định', group: 'administrative', symbols: { state: ['QyĐ'], party: ['QĐi', 'QyĐ'] } },
  { code: 'TC', name: 'Thông cáo', group: 'administrative', symbols: both('TC') },
  { code: 'TB', name: 'Thông báo', group: 'administrative', symbols: both('TB') },
  { code: 'HD', name: 'Hướng dẫn', group: 'administrative', symbols: both('HD') },
  { code: 'CTr', name: 'Chương trình', group: 'administrative', symbols: both('CTr') },
  { code: 'KH', name: 'Kế hoạch', group: 'administrative', symbols: both('KH') },
  { code: 'PA', name: 'Phương án', group: 'administrative', symbols: both('PA') },
  { code: 'ĐA', name: 'Đề án', group: 'administrative', symbols: both('ĐA') },
  { code: 'DA', name: 'Dự án', group: 'administrative', symbols: both('DA') },
  { code: 'BC', name: 'Báo cáo', group: 'administrative', symbols: both('BC') },
  { code: 'BB', name: 'Biên bản', group: 'administrative', symbols: both('BB') },
  { code: 'TTr', name: 'Tờ trình', group: 'administrative', symbols: both('TTr') },
  { code: 'HĐ', name: 'Hợp đồng', group: 'administrative', symbols: both('HĐ') },
  { code: 'CĐ', name: 'Công điện', group: 'administrative', symbols: both('CĐ') },
  { code: 'BGN', name: 'Bản ghi nhớ', group: 'administrative', symbols: both('BGN') },
  { code: 'BTT', name: 'Bản thỏa thuận', group: 'administrative', symbols: both('BTT') },
  { code: 'GUQ', name: 'Giấy ủy quyền', group: 'administrative', symbols: both('GUQ') },
  { code: 'GM', name: 'Giấy mời', group: 'administrative', symbols: both('GM') },
  { code: 'GGT', name: 'Giấy giới thiệu', group: 'administrative', symbols: both('GGT') },
  { code: 'GNP', name: 'Giấy nghỉ phép', group: 'administrative', symbols: both('GNP') },
  { code: 'PG', name: 'Phiếu gửi', group: 'administrative', symbols: both('PG') },
  { code: 'PC', name: 'Phiếu chuyển', group: 'administrative', symbols: both('PC') },
  { code: 'PB', name: 'Phiếu báo', group: 'administrative', symbols: both('PB') },
  { code: 'CV', name: 'Công văn', group: 'administrative', symbols: { party: ['CV'] } },
  // Party types (Quy định 66-QĐ/TW, Hướng dẫn 36-HD/VPTW) not listed above.
  { code: 'KL', name: 'Kết luận', group: 'party', symbols: { party: ['KL'] } },
  { code: 'Thông tri', name: 'Thông tri', group: 'party', symbols: { party: ['TT'] } },
  { code: 'Cương lĩnh', name: 'Cương lĩnh', group: 'party' },
  { code: 'Điều lệ', name: 'Điều lệ', group: 'party' },
  { code: 'Chiến lược', name: 'Chiến lược', group: 'party' },
  { code: 'Tuyên bố', name: 'Tuyên bố', group: 'party' },
  { code: 'Lời kêu gọi', name: 'Lời kêu gọi', group: 'party' },
  { code: 'Quy hoạch', name: 'Quy hoạch', group: 'party' },
  // Copies carry their own number and symbol (NĐ 30/2020: 12/SY-VP).
  { code: 'SY', name: 'Bản sao y', group: 'copy', symbols: both('SY') },
  { code: 'TrS', name: 'Bản trích sao', group: 'copy', symbols: both('TrS') },
  { code: 'SL', name: 'Bản sao lục', group: 'copy', symbols: both('SL') },
] as const satisfies readonly DocumentTypeEntry[];
export type DocumentTypeCode = (typeof DOCUMENT_TYPES)[number]['code'];
export const DOCUMENT_TYPE_CODES = DOCUMENT_TYPES.map((t) => t.code) as unknown as readonly [
  DocumentTypeCode,
  ...DocumentTypeCode[],
];
const ENTRIES: readonly DocumentTypeEntry[] = DOCUMENT_TYPES;
const TYPE_BY_CODE = new Map<string, DocumentTypeEntry>(ENTRIES.map((t) => [t.code, t]));
/** Lower-case, single-spaced, NFC: how a type written by name is compared with the list. */
const nameKey = (s: string) => s.normalize('NFC').trim().replace(/\s+/g, ' ').toLocaleLowerCase('vi');
const TYPE_BY_NAME = new Map<string, DocumentTypeEntry>(ENTRIES.map((t) => [nameKey(t.name), t]));

export const isKnownDocumentType = (code: string): boolean => TYPE_BY_CODE.has(code);
/** The name of a type: from the list, or the value itself when the type was written by name. */
export const documentTypeName = (code: string): string => TYPE_BY_CODE.get(code)?.name ?? code;

/**
 * The type a symbol code stands for in a number-symbol of the given form: TT is Thông tư in a state
 * symbol and Thông tri in a party one. A code known only in the other form still names its type
 * (CV in an old-style state công văn 12/CV-UBND).
 */
export function documentTypeForSymbol(symbolCode: string, form: 'state' | 'party'): string | undefined {
  return SYMBOL_TYPES[form].get(symbolCode) ?? SYMBOL_TYPES[form === 'state' ? 'party' : 'state'].get(symbolCode);
}
const symbolTypes = (form: 'state' | 'party') =>
  new Map(ENTRIES.flatMap((t) => (t.symbols?.[form] ?? []).map((code) => [code, t.code] as const)));
const SYMBOL_TYPES = { state: symbolTypes('state'), party: symbolTypes('party') };

/** The listed type with this name, compared without case and spacing ("nghị định" -> NĐ). */
export const documentTypeByName = (name: string): string | undefined => TYPE_BY_NAME.get(nameKey(name))?.code;

export const DOCUMENT_TYPE_NAME_MAX = 60;
export type DocumentTypeCheck = { ok: true; code: string } | { ok: false; reason: string };

/**
 * A type as chosen or written: a code from the list, or a name. A name that is a listed type's name
 * ("nghị định") becomes that type's code (NĐ); any other name of letters and spaces is kept as written.
 */
export function checkDocumentType(input: string): DocumentTypeCheck {
  const value = input.normalize('NFC').trim().replace(/\s+/g, ' ');
  if (value === '') return { ok: false, reason: 'Chọn loại văn bản.' };
  if (TYPE_BY_CODE.has(value)) return { ok: true, code: value };
  const byName = TYPE_BY_NAME.get(nameKey(value));
  if (byName) return { ok: true, code: byName.code };
  if (value.length > DOCUMENT_TYPE_NAME_MAX) return { ok: false, reason: `Tên loại văn bản dài tối đa ${DOCUMENT_TYPE_NAME_MAX} ký tự.` };
  if (!/^\p{L}[\p{L}\p{M} ]*$/u.test(value)) return { ok: false, reason: 'Tên loại văn bản chỉ gồm chữ cái, ví dụ: Báo cáo nhanh.' };
  return { ok: true, code: value.charAt(0).toLocaleUpperCase('vi') + value.slice(1) };
}

export const ROLES = ['van_thu', 'lanh_dao', 'chuyen_vien', 'quan_tri'] as const;
export type Role = (typeof ROLES)[number];
export const ROLE_LABELS: Record<Role, string> = {
  van_thu: 'Văn thư',
  lanh_dao: 'Lãnh đạo',
  chuyen_vien: 'Chuyên viên',
  quan_tri: 'Quản trị',
};

/** Rights a contract channel can require. Roles grant rights in main/core/org/rights.ts. */
export const RIGHTS = [
  'doc.read', // see registered documents up to one's clearance
  'doc.register', // register incoming documents (văn thư)
  'org.manage', // manage units and users (quản trị)
  'file.stage', // upload a file into one's own staging area (for a registration, an import …)
] as const;
export type Right = (typeof RIGHTS)[number];

export const NUMBERING_PRESETS = ['state', 'party'] as const;
export type NumberingPreset = (typeof NUMBERING_PRESETS)[number];
export const NUMBERING_PRESET_LABELS: Record<NumberingPreset, string> = {
  state: 'Cơ quan nhà nước (NĐ 30/2020: 15/QĐ-UBND)',
  party: 'Cơ quan Đảng (HD 36-HD/VPTW: 27-QĐ/TW)',
};

/** Processing state of an incoming document (the workflow issues move it further). */
export const INCOMING_STATUSES = ['registered', 'submitted', 'assigned', 'processing', 'done'] as const;
export type IncomingStatus = (typeof INCOMING_STATUSES)[number];
export const INCOMING_STATUS_LABELS: Record<IncomingStatus, string> = {
  registered: 'Đã vào sổ',
  submitted: 'Đã trình',
  assigned: 'Đã phân công',
  processing: 'Đang xử lý',
  done: 'Hoàn thành',
};

/** Deadline filter buckets for the register list. */
export const DEADLINE_FILTERS = ['overdue', 'due_soon', 'has_deadline', 'no_deadline'] as const;
export type DeadlineFilter = (typeof DEADLINE_FILTERS)[number];
export const DEADLINE_FILTER_LABELS: Record<DeadlineFilter, string> = {
  overdue: 'Quá hạn',
  due_soon: 'Sắp đến hạn (7 ngày)',
  has_deadline: 'Có hạn xử lý',
  no_deadline: 'Không có hạn',
};

/** How an incoming document arrived (Phụ lục VI, NĐ 30/2020): on paper, electronically, over the
 *  national integration axis (trục liên thông), or over the state cipher channel (đường cơ yếu). */
export const ARRIVAL_CHANNELS = ['paper', 'electronic', 'axis', 'cipher'] as const;
export type ArrivalChannel = (typeof ARRIVAL_CHANNELS)[number];
export const ARRIVAL_CHANNEL_LABELS: Record<ArrivalChannel, string> = {
  paper: 'Bản giấy',
  electronic: 'Điện tử',
  axis: 'Trục liên thông',
  cipher: 'Đường cơ yếu',
};

/** When a numbering scope starts again at 1: every 1 January, every party committee term, never. */
export const RESET_PERIODS = ['year', 'term', 'never'] as const;
export type ResetPeriod = (typeof RESET_PERIODS)[number];
export const RESET_PERIOD_LABELS: Record<ResetPeriod, string> = {
  year: 'Hằng năm (từ ngày 01/01)',
  term: 'Theo nhiệm kỳ',
  never: 'Không bắt đầu lại',
};

/** A person's capacity in their unit: the head and deputies assign the unit's work. */
export const UNIT_ROLES = ['head', 'deputy', 'member'] as const;
export type UnitRole = (typeof UNIT_ROLES)[number];
/** What an authority lets a person do: direct incoming documents, approve drafts, sign outgoing ones. */
export const AUTHORITY_KINDS = ['direct', 'approve', 'sign'] as const;
export type AuthorityKind = (typeof AUTHORITY_KINDS)[number];
/**
 * Signing prefixes (Nghị định 30/2020, Phụ lục I): thay mặt, ký thay, thừa lệnh, thừa ủy quyền,
 * quyền; '' when the head signs in their own name.
 */
export const SIGNING_PREFIXES = ['', 'TM.', 'KT.', 'TL.', 'TUQ.', 'Q.'] as const;
export type SigningPrefix = (typeof SIGNING_PREFIXES)[number];
