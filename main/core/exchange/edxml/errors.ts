// Why a packet is refused: a stable code, English for logs and the CLI, Vietnamese for the person
// (the reason that goes back to the sender in a status 02). Thrown for packets that cannot be read
// at all; problems in a readable packet are collected as EdxmlProblem (common/edxml.ts) instead.
import type { EdxmlProblem } from '../../../../common/edxml';

export const EDXML_ERRORS = {
  EDXML_TOO_LARGE: ['the packet is larger than the limit', 'Gói tin vượt quá dung lượng cho phép.'],
  EDXML_ENCODING: ['the packet is not UTF-8 text', 'Gói tin không phải văn bản mã UTF-8.'],
  EDXML_MALFORMED: ['the packet is not well-formed XML', 'Gói tin không đúng cú pháp XML.'],
  EDXML_DOCTYPE: ['the packet declares a DOCTYPE, which edXML never needs', 'Gói tin có khai báo DOCTYPE, không được phép trong edXML.'],
  EDXML_ENTITY_DECLARED: ['the packet declares its own entities', 'Gói tin tự khai báo thực thể (entity), không được phép.'],
  EDXML_ENTITY_EXPANSION: ['the packet declares entities that expand into other entities (entity expansion attack)', 'Gói tin khai báo thực thể lồng nhau (tấn công khuếch đại thực thể).'],
  EDXML_EXTERNAL_ENTITY: ['the packet refers to an external entity or DTD (XXE)', 'Gói tin tham chiếu thực thể hoặc DTD bên ngoài (XXE).'],
  EDXML_UNKNOWN_ENTITY: ['the packet uses an undeclared entity', 'Gói tin dùng thực thể không được khai báo.'],
  EDXML_TOO_DEEP: ['the packet nests elements too deeply', 'Gói tin lồng phần tử quá sâu.'],
  EDXML_NOT_EDXML: ['the XML is not an edXML packet', 'Tệp XML không phải gói tin edXML.'],
  EDXML_MISSING: ['a required element is missing', 'Gói tin thiếu thông tin bắt buộc.'],
  EDXML_BAD_VALUE: ['an element has a value the standard does not allow', 'Gói tin có giá trị không hợp lệ.'],
  EDXML_ATTACHMENT_TOO_LARGE: ['an attachment is larger than the limit', 'Tệp đính kèm vượt quá dung lượng cho phép.'],
  EDXML_TOO_MANY_ATTACHMENTS: ['the packet has more attachments than the limit', 'Gói tin có quá nhiều tệp đính kèm.'],
  EDXML_BAD_BASE64: ['an attachment is not valid base64', 'Tệp đính kèm không giải mã được (base64 hỏng).'],
  EDXML_FILE_COUNT: ['the manifest and the attachments do not match', 'Số tệp đính kèm không khớp với danh mục trong gói tin.'],
  EDXML_PAGE_COUNT: ['the declared page count does not match the document', 'Số trang khai báo không khớp với văn bản đính kèm.'],
  EDXML_BAD_DATE: ['a date could not be read', 'Không đọc được ngày tháng.'],
  EDXML_BAD_ZIP: ['a ZIP attachment could not be read', 'Không đọc được tệp nén đính kèm.'],
  EDXML_INPUT: ['the input to the packet builder is invalid', 'Dữ liệu để lập gói tin không hợp lệ.'],
  EDXML_SIGNATURE: ['the packet signature failed', 'Chữ ký số của gói tin không hợp lệ.'],
  EDXML_ENVELOPE: ['the sealed packet is damaged', 'Gói tin mã hóa bị hỏng.'],
} as const;
export type EdxmlErrorCode = keyof typeof EDXML_ERRORS;

export class EdxmlError extends Error {
  readonly code: EdxmlErrorCode;
  readonly messageVi: string;
  /** Vietnamese message key for the UI catalog. */
  readonly key: string;
  readonly detail: string | undefined;
  constructor(code: EdxmlErrorCode, detail?: string) {
    const [en, vi] = EDXML_ERRORS[code];
    super(detail ? `${en}: ${detail}` : en);
    this.name = 'EdxmlError';
    this.code = code;
    this.messageVi = vi;
    this.key = `edxml.${code}`;
    this.detail = detail;
  }
}

export const isEdxmlError = (e: unknown): e is EdxmlError => e instanceof EdxmlError;

export function problem(code: EdxmlErrorCode, severity: EdxmlProblem['severity'], where: string, detail: string): EdxmlProblem {
  const [en, vi] = EDXML_ERRORS[code];
  return { code, severity, where, message: `${en}: ${detail}`, messageVi: vi };
}
