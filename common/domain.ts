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

/** Document types with their symbol (NĐ 30/2020 Appendix III; party CV for công văn). */
export const DOCUMENT_TYPES = [
  { code: 'NQ', name: 'Nghị quyết' },
  { code: 'QĐ', name: 'Quyết định' },
  { code: 'CT', name: 'Chỉ thị' },
  { code: 'QC', name: 'Quy chế' },
  { code: 'QyĐ', name: 'Quy định' },
  { code: 'TC', name: 'Thông cáo' },
  { code: 'TB', name: 'Thông báo' },
  { code: 'HD', name: 'Hướng dẫn' },
  { code: 'CTr', name: 'Chương trình' },
  { code: 'KH', name: 'Kế hoạch' },
  { code: 'PA', name: 'Phương án' },
  { code: 'ĐA', name: 'Đề án' },
  { code: 'DA', name: 'Dự án' },
  { code: 'BC', name: 'Báo cáo' },
  { code: 'BB', name: 'Biên bản' },
  { code: 'TTr', name: 'Tờ trình' },
  { code: 'HĐ', name: 'Hợp đồng' },
  { code: 'CĐ', name: 'Công điện' },
  { code: 'BGN', name: 'Bản ghi nhớ' },
  { code: 'BTT', name: 'Bản thỏa thuận' },
  { code: 'GUQ', name: 'Giấy ủy quyền' },
  { code: 'GM', name: 'Giấy mời' },
  { code: 'GGT', name: 'Giấy giới thiệu' },
  { code: 'GNP', name: 'Giấy nghỉ phép' },
  { code: 'PG', name: 'Phiếu gửi' },
  { code: 'PC', name: 'Phiếu chuyển' },
  { code: 'PB', name: 'Phiếu báo' },
  { code: 'CV', name: 'Công văn' },
] as const;
export type DocumentTypeCode = (typeof DOCUMENT_TYPES)[number]['code'];
export const DOCUMENT_TYPE_CODES = DOCUMENT_TYPES.map((t) => t.code) as unknown as readonly [
  DocumentTypeCode,
  ...DocumentTypeCode[],
];
export const documentTypeName = (code: string): string =>
  DOCUMENT_TYPES.find((t) => t.code === code)?.name ?? code;

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
