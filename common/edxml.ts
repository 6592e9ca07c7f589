// The edXML packet model (QCVN 102:2016 and its 2022 amendment): what the parser reads from any
// sender's packet and what the builder writes. Shared by main (exchange/edxml), the CLI and the
// renderer (which shows incoming packets), so it is plain data and zod only.
//
// Conventions: text is trimmed and NFC; an element that is absent or empty is null (lists: []);
// dates are ISO 'YYYY-MM-DD'; timestamps are ISO 8601 in Vietnam time ('YYYY-MM-DDTHH:mm:ss+07:00').
import { z } from 'zod';
import { SECRECY_LEVELS } from './domain';

export const EDXML_NS = 'http://www.mic.gov.vn/TBT/QCVN_102_2016';
/** The legacy SOAP form of the national axis (e-doc.vn), read only. */
export const EDXML_LEGACY_NS = 'http://www.e-doc.vn/Schema/';

export const EDXML_STATUS_CODES = ['01', '02', '03', '04', '05', '06', '13', '15', '16'] as const;
export type EdxmlStatusCode = (typeof EDXML_STATUS_CODES)[number];
export const EDXML_STATUS_LABELS: Record<EdxmlStatusCode, string> = {
  '01': 'Đã đến',
  '02': 'Từ chối tiếp nhận',
  '03': 'Đã tiếp nhận',
  '04': 'Phân công xử lý',
  '05': 'Đang xử lý',
  '06': 'Hoàn thành',
  '13': 'Lấy lại',
  '15': 'Đồng ý cập nhật, thu hồi',
  '16': 'Từ chối cập nhật, thu hồi',
};
/**
 * A dispatch's status that is no edXML status: its packet was refused on the way (by the agency server
 * or the hub: unknown recipient, too large...), so the recipient never got it (docs/exchange.md).
 */
export const TRANSPORT_REFUSED = 'refused';
/** A status code as the window says it: an edXML status's label, or "Bị từ chối" for a refusal on the way. */
export const statusLabel = (code: string): string => (code === TRANSPORT_REFUSED ? 'Bị từ chối' : EDXML_STATUS_LABELS[code as EdxmlStatusCode] ?? code);
/** Statuses that say the dispatch failed there (shown as failed, with their reason). */
export const isFailedStatus = (code: string): boolean => code === '02' || code === '16' || code === TRANSPORT_REFUSED;

/** Status codes whose packet must say why (a refusal, a recall, a refused update). */
export const EDXML_STATUS_NEEDS_REASON: ReadonlySet<EdxmlStatusCode> = new Set(['02', '13', '16']);

/** BussinessDocType: 0 new, 1 revocation (thu hồi), 2 update (cập nhật), 3 replacement (thay thế). */
export const EDXML_BUSINESS_TYPES = [0, 1, 2, 3] as const;
export type EdxmlBusinessType = (typeof EDXML_BUSINESS_TYPES)[number];
export const EDXML_BUSINESS_LABELS: Record<EdxmlBusinessType, string> = {
  0: 'Văn bản mới',
  1: 'Thu hồi',
  2: 'Cập nhật',
  3: 'Thay thế',
};

/** Priority: 0 thường, 1 khẩn, 2 thượng khẩn, 3 hỏa tốc, 4 hỏa tốc hẹn giờ. */
export const EDXML_PRIORITY_LABELS = ['Thường', 'Khẩn', 'Thượng khẩn', 'Hỏa tốc', 'Hỏa tốc hẹn giờ'] as const;

/**
 * Secrecy in OtherInfo/SecurityLevel: a SecureDesk extension for the party network (the public axis
 * carries no secret documents, so the standard has no element for it). 0 Thường … 3 Tuyệt mật,
 * the index into SECRECY_LEVELS.
 */
export const EDXML_SECURITY_ELEMENT = 'SecurityLevel';
export const SECRECY_LEVELS_FOR_EDXML = SECRECY_LEVELS;

const text = z.string();
const ntext = text.nullable();
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const isoTimestamp = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00$/);

export const edxmlOrganSchema = z.object({
  organId: text,
  /** OrganizationInCharge, or OrganInCharge as some systems write it. */
  organizationInCharge: ntext,
  organName: ntext,
  organAdd: ntext,
  email: ntext,
  telephone: ntext,
  fax: ntext,
  website: ntext,
});
export type EdxmlOrgan = z.infer<typeof edxmlOrganSchema>;

export const edxmlResponseForSchema = z.object({
  organId: ntext,
  /** The number and symbol as one text ("7816/VPCP-TTĐT"). */
  code: ntext,
  promulgationDate: isoDate.nullable(),
  documentId: ntext,
});
export type EdxmlResponseFor = z.infer<typeof edxmlResponseForSchema>;

export const edxmlStaffSchema = z.object({ department: ntext, staff: ntext, mobile: ntext, email: ntext });
export type EdxmlStaff = z.infer<typeof edxmlStaffSchema>;

export const edxmlTraceHopSchema = z.object({ organId: text, timestamp: isoTimestamp.nullable() });
export type EdxmlTraceHop = z.infer<typeof edxmlTraceHopSchema>;

export const edxmlBusinessSchema = z.object({
  documentId: ntext,
  docType: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)]),
  reason: ntext,
  /** Paper: 1 = a paper copy follows. */
  paper: z.union([z.literal(0), z.literal(1)]).nullable(),
  staff: z.array(edxmlStaffSchema),
  /** For updates (BussinessDocType 2): what changed and for whom. */
  documentInfo: z.object({
    documentInfo: ntext,
    documentReceiver: ntext,
    receivers: z.array(z.object({ organId: text, receiverType: ntext })),
  }).nullable(),
  /** For replacements (BussinessDocType 3): which documents, at which agencies. */
  replacements: z.array(z.object({ documentId: text, organIds: z.array(text) })),
});
export type EdxmlBusiness = z.infer<typeof edxmlBusinessSchema>;

export const edxmlManifestRefSchema = z.object({
  contentId: ntext,
  contentType: ntext,
  description: ntext,
  attachmentName: ntext,
});
export type EdxmlManifestRef = z.infer<typeof edxmlManifestRefSchema>;

/** What the bytes are, whatever the name or declared type says. */
export const EDXML_SNIFFED_KINDS = ['pdf', 'zip', 'docx', 'xlsx', 'odt', 'doc', 'xml', 'edxml', 'png', 'jpeg', 'tiff', 'cms', 'text', 'empty', 'unknown'] as const;
export type EdxmlSniffedKind = (typeof EDXML_SNIFFED_KINDS)[number];

export const edxmlAttachmentSchema = z.object({
  contentId: ntext,
  name: ntext,
  description: ntext,
  /** ContentType as the sender declared it. */
  declaredType: ntext,
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  sniffed: z.enum(EDXML_SNIFFED_KINDS),
  /** A ZIP's entries (the usual case: one file), each sniffed too; null when not a ZIP. */
  entries: z.array(z.object({ name: text, size: z.number().int().nonnegative(), sniffed: z.enum(EDXML_SNIFFED_KINDS) })).nullable(),
  /** Pages of the PDF (directly or the ZIP's single PDF); null when not a PDF or unreadable. */
  pageCount: z.number().int().nonnegative().nullable(),
});
export type EdxmlAttachment = z.infer<typeof edxmlAttachmentSchema>;

export const edxmlOtherInfoSchema = z.object({
  priority: z.number().int().min(0).max(4).nullable(),
  sphereOfPromulgation: ntext,
  typerNotation: ntext,
  promulgationAmount: z.number().int().nonnegative().nullable(),
  pageAmount: z.number().int().nonnegative().nullable(),
  direction: z.boolean().nullable(),
  appendixes: z.array(text),
  /** SecureDesk extension (EDXML_SECURITY_ELEMENT); null when the sender wrote none. */
  secrecy: z.enum(SECRECY_LEVELS).nullable(),
});
export type EdxmlOtherInfo = z.infer<typeof edxmlOtherInfoSchema>;

export const edxmlDocumentSchema = z.object({
  kind: z.literal('document'),
  from: edxmlOrganSchema,
  to: z.array(edxmlOrganSchema),
  documentId: ntext,
  code: z.object({ number: ntext, notation: ntext }),
  promulgation: z.object({ place: ntext, date: isoDate.nullable() }),
  documentType: z.object({ type: ntext, typeDetail: ntext, typeName: ntext }),
  subject: ntext,
  content: ntext,
  signer: z.object({ competence: ntext, position: ntext, fullName: ntext }),
  dueDate: isoDate.nullable(),
  toPlaces: z.array(text),
  otherInfo: edxmlOtherInfoSchema,
  responseFor: z.array(edxmlResponseForSchema),
  steeringType: z.number().int().nullable(),
  trace: z.array(edxmlTraceHopSchema),
  business: edxmlBusinessSchema.nullable(),
  manifest: z.array(edxmlManifestRefSchema),
  attachments: z.array(edxmlAttachmentSchema),
});
export type EdxmlDocument = z.infer<typeof edxmlDocumentSchema>;

export const edxmlStatusSchema = z.object({
  kind: z.literal('status'),
  from: edxmlOrganSchema,
  responseFor: edxmlResponseForSchema.nullable(),
  staff: edxmlStaffSchema.nullable(),
  statusCode: z.enum(EDXML_STATUS_CODES),
  description: ntext,
  timestamp: isoTimestamp.nullable(),
  trace: z.array(edxmlTraceHopSchema),
});
export type EdxmlStatus = z.infer<typeof edxmlStatusSchema>;

export const edxmlPacketSchema = z.discriminatedUnion('kind', [edxmlDocumentSchema, edxmlStatusSchema]);
export type EdxmlPacket = z.infer<typeof edxmlPacketSchema>;

/** Which of the shapes seen in the wild a packet came in. */
export type EdxmlShape = 'qcvn102' | 'legacy-soap';

/** A problem found in a packet that could be read: errors make it refused (status 02), warnings do not. */
export interface EdxmlProblem {
  code: string;
  severity: 'error' | 'warning';
  /** Where in the packet (element path or attachment id). */
  where: string;
  message: string;
  messageVi: string;
}

/** The verdict on the packet's XML-DSig signature. */
export interface EdxmlSignatureVerdict {
  status: 'absent' | 'valid' | 'invalid' | 'untrusted' | 'malformed' | 'unsupported';
  signer: { subject: string; commonName: string; issuer: string; serial: string } | null;
  algorithm: string | null;
  reason: string;
  reasonVi: string;
}
