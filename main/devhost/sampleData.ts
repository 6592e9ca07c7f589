// Realistic Vietnamese sample data for the demo profile, the tests and the benchmark.
// Unit names are the 81 focal units of seed 000 (shared/domain/focal-units.md); their identifier
// codes here are generated test codes, never real ones.
import type { DocumentTypeCode, Secrecy, Urgency } from '../../common/domain';

export const FOCAL_UNITS: readonly string[] = [
  'Ban cán sự đảng UBND Thành phố', 'Văn phòng UBND Thành phố', 'Đảng đoàn HĐND Thành phố',
  'Văn phòng Đoàn ĐBQH và HĐND Thành phố', 'Văn phòng Thành ủy', 'Ban Tổ chức Thành ủy', 'Ủy ban Kiểm tra Thành ủy',
  'Ban Tuyên giáo Thành ủy', 'Ban Dân vận Thành ủy', 'Ban Nội chính Thành ủy', 'Quận ủy Ba Đình', 'Quận ủy Cầu Giấy',
  'Quận ủy Bắc Từ Liêm', 'Quận ủy Đống Đa', 'Huyện ủy Gia Lâm', 'Quận ủy Hai Bà Trưng', 'Quận ủy Hoàng Mai',
  'Quận ủy Hoàn Kiếm', 'Quận ủy Hà Đông', 'Quận ủy Long Biên', 'Quận ủy Nam Từ Liêm', 'Quận ủy Tây Hồ',
  'Quận ủy Thanh Xuân', 'Thị ủy Sơn Tây', 'Huyện ủy Ba Vì', 'Huyện ủy Chương Mỹ', 'Huyện ủy Đan Phượng',
  'Huyện ủy Đông Anh', 'Huyện ủy Hoài Đức', 'Huyện ủy Mỹ Đức', 'Huyện ủy Phú Xuyên', 'Huyện ủy Phúc Thọ',
  'Huyện ủy Quốc Oai', 'Huyện ủy Sóc Sơn', 'Huyện ủy Thạch Thất', 'Huyện ủy Thanh Oai', 'Huyện ủy Thanh Trì',
  'Huyện ủy Thường Tín', 'Huyện ủy Ứng Hòa', 'Huyện ủy Mê Linh', 'Đảng đoàn Ủy ban Mặt trận Tổ quốc Thành phố',
  'Đảng đoàn Liên đoàn Lao động Thành phố', 'Ban Thường vụ Thành đoàn Hà Nội', 'Đảng đoàn Hội Liên hiệp Phụ nữ Thành phố',
  'Đảng đoàn Hội Cựu chiến binh Thành phố', 'Đảng đoàn Hội Nông dân Thành phố',
  'Đảng ủy Khối các trường Đại học - Cao đẳng Hà Nội', 'Đảng ủy Khối các cơ quan Thành phố Hà Nội',
  'Đảng ủy Khối Doanh nghiệp Thành phố', 'Đảng ủy VNPT Hà Nội', 'Đảng ủy Công an Thành phố',
  'Đảng ủy Tổng công ty Xây dựng Hà Nội', 'Đảng ủy Hải quan Thành phố', 'Đảng ủy Tổng công ty Du lịch Hà Nội',
  'Đảng ủy Tổng công ty Điện lực Thành phố', 'Đảng ủy Tổng công ty VINACONEX', 'Đảng ủy Bộ Tư lệnh Thủ đô',
  'Đảng ủy Tổng công ty Đầu tư và Phát triển nhà Hà Nội', 'Đảng ủy Tổng công ty Xây dựng công trình giao thông 4',
  'Đảng ủy Tổng công ty Vận tải Hà Nội', 'Đảng ủy Tổng công ty Thương mại Hà Nội',
  'Đảng ủy Tổng công ty Đầu tư phát triển hạ tầng đô thị', 'Đảng ủy Đại học Quốc gia Hà Nội', 'Đảng ủy Cục Thuế Hà Nội',
  'Đảng ủy các Khu công nghiệp và chế xuất Thành phố', 'Đảng ủy Bưu điện Thành phố Hà Nội',
  'Cơ quan xử lý các vấn đề về đối ngoại (Sở Nội vụ)', 'Ban cán sự đảng Viện kiểm sát nhân dân Thành phố',
  'Ban cán sự đảng Tòa án nhân dân Thành phố', 'Ban chỉ đạo chương trình công tác số 1', 'Ban chỉ đạo chương trình công tác số 2',
  'Ban chỉ đạo chương trình công tác số 3', 'Ban chỉ đạo chương trình công tác số 4', 'Ban chỉ đạo chương trình công tác số 5',
  'Ban chỉ đạo chương trình công tác số 6', 'Ban chỉ đạo chương trình công tác số 7', 'Ban chỉ đạo chương trình công tác số 8',
  'Ban chỉ đạo chương trình công tác số 9', 'Ban chỉ đạo chương trình công tác số 10', 'Trường Đào tạo cán bộ Lê Hồng Phong',
  'Báo Hànộimới',
];

/** A generated, structurally valid test identifier code for focal unit i (level-1 "T01" is fictitious). */
export const testUnitCode = (i: number): string => `000.${String(10 + Math.floor(i / 100)).padStart(2, '0')}.${String(i % 100).padStart(2, '0')}.T01`;

/** Party-style symbol of an issuer, for generated number-symbols. */
export function issuerSymbol(name: string): string {
  if (name.startsWith('Quận ủy') || name.startsWith('Huyện ủy') || name.startsWith('Thị ủy')) return 'QU';
  if (name.startsWith('Ban Tổ chức')) return 'BTCTU';
  if (name.startsWith('Ban Tuyên giáo')) return 'BTGTU';
  if (name.startsWith('Ban Dân vận')) return 'BDVTU';
  if (name.startsWith('Văn phòng Thành ủy')) return 'VPTU';
  if (name.startsWith('Đảng ủy')) return 'ĐU';
  if (name.startsWith('Ban cán sự')) return 'BCSĐ';
  if (name.startsWith('Đảng đoàn')) return 'ĐĐ';
  return 'TU';
}

/** Subject openings that fit each document type, as văn thư write them. */
const OPENINGS: Partial<Record<DocumentTypeCode, readonly string[]>> = {
  CV: ['Về việc tăng cường', 'Về việc đôn đốc', 'Về việc góp ý dự thảo', 'Về việc rà soát, bổ sung', 'Về việc tổ chức', 'Về việc triển khai'],
  BC: ['Báo cáo kết quả', 'Báo cáo sơ kết 6 tháng', 'Báo cáo tổng kết năm về', 'Báo cáo tình hình'],
  KH: ['Kế hoạch triển khai', 'Kế hoạch kiểm tra, giám sát', 'Kế hoạch tuyên truyền về'],
  TB: ['Thông báo kết luận về', 'Thông báo ý kiến chỉ đạo về'],
  QĐ: ['Quyết định thành lập Ban chỉ đạo', 'Quyết định ban hành Quy chế về', 'Quyết định kiện toàn Tổ công tác về'],
  HD: ['Hướng dẫn thực hiện', 'Hướng dẫn nghiệp vụ về'],
  TTr: ['Tờ trình đề nghị phê duyệt', 'Tờ trình xin ý kiến về'],
  NQ: ['Nghị quyết chuyên đề về', 'Nghị quyết về'],
  CT: ['Chỉ thị về tăng cường sự lãnh đạo đối với', 'Chỉ thị về'],
  GM: ['Giấy mời dự hội nghị về', 'Giấy mời họp bàn về'],
  CTr: ['Chương trình hành động thực hiện', 'Chương trình công tác về'],
};
const TOPICS = [
  'chuyển đổi số và xây dựng chính quyền điện tử', 'công tác bảo vệ bí mật nhà nước', 'công tác xây dựng Đảng và hệ thống chính trị',
  'ứng dụng công nghệ thông tin trong hoạt động của các cơ quan Đảng', 'công tác tiếp công dân, giải quyết khiếu nại, tố cáo',
  'công tác phòng, chống tham nhũng, lãng phí', 'công tác cán bộ và quy hoạch cán bộ nhiệm kỳ 2025 - 2030',
  'phát triển kinh tế - xã hội và bảo đảm quốc phòng, an ninh', 'công tác dân vận của hệ thống chính trị',
  'Nghị quyết Đại hội Đảng bộ Thành phố', 'sắp xếp tổ chức bộ máy tinh gọn, hoạt động hiệu lực, hiệu quả',
  'công tác văn thư, lưu trữ và số hóa tài liệu', 'giao thông đô thị và phòng chống ùn tắc', 'bảo đảm an toàn thông tin mạng',
  'công tác tuyên truyền, giáo dục chính trị tư tưởng', 'kiểm tra việc chấp hành Điều lệ Đảng', 'xây dựng nông thôn mới nâng cao',
  'phòng cháy, chữa cháy tại khu dân cư', 'công tác đối ngoại nhân dân', 'quản lý đất đai và trật tự xây dựng',
  'cải cách hành chính và nâng cao chỉ số hài lòng', 'công tác thi đua, khen thưởng', 'đào tạo, bồi dưỡng lý luận chính trị',
  'thực hiện chính sách đối với người có công', 'phát triển văn hóa và con người Hà Nội',
];
const TAILS = ['năm 2026', 'quý IV năm 2026', 'giai đoạn 2026 - 2030', 'trên địa bàn Thành phố', 'trong tình hình mới', 'đợt 2 năm 2026', ''];

const TYPES: DocumentTypeCode[] = ['CV', 'CV', 'CV', 'BC', 'KH', 'TB', 'QĐ', 'HD', 'TTr', 'NQ', 'CT', 'GM', 'CTr'];

/** Deterministic pseudo-random generator (mulberry32) so samples and benchmarks are repeatable. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

export interface SampleIncoming {
  issuerIndex: number;
  issuerName: string;
  numberSymbol: string;
  typeCode: DocumentTypeCode;
  subject: string;
  secrecy: Secrecy;
  urgency: Urgency;
}

export function sampleIncoming(r: () => number, serial: number): SampleIncoming {
  const issuerIndex = Math.floor(r() * FOCAL_UNITS.length);
  const issuerName = FOCAL_UNITS[issuerIndex]!;
  const typeCode = pick(r, TYPES);
  const subject = `${pick(r, OPENINGS[typeCode] ?? OPENINGS.CV!)} ${pick(r, TOPICS)} ${pick(r, TAILS)}`.trim();
  const roll = r();
  const secrecy: Secrecy = roll < 0.8 ? 'thuong' : roll < 0.93 ? 'mat' : roll < 0.99 ? 'toi_mat' : 'tuyet_mat';
  const u = r();
  const urgency: Urgency = u < 0.75 ? 'thuong' : u < 0.92 ? 'khan' : u < 0.98 ? 'thuong_khan' : 'hoa_toc';
  const number = 1 + (serial % 900);
  return {
    issuerIndex, issuerName, typeCode, secrecy, urgency,
    subject: secrecy === 'tuyet_mat' ? '' : subject,
    numberSymbol: `${String(number).padStart(2, '0')}-${typeCode}/${issuerSymbol(issuerName)}`,
  };
}
