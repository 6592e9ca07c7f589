// An issued outgoing document as the edXML packet that goes to one recipient agency (issue 9 §3): the
// register's facts (number and symbol, date, type, subject, signer, urgency, secrecy) mapped to the
// MessageHeader, the signed PDFs as attachments, and the business type saying whether it is new, a
// recall or a replacement. Pure mapping; signing and sealing are the caller's (ExchangeService).
import { DOCUMENT_TYPES, URGENCY_LEVELS, type Secrecy, type Urgency } from '../../../common/domain';
import type { EdxmlOrgan } from '../../../common/edxml';
import type { EdxmlDocumentInput } from './edxml';

export interface IssuedForPacket {
  numberSymbol: string;
  /** ISO date of issue. */
  issuedDate: string;
  typeCode: string;
  subject: string;
  secrecy: Secrecy;
  urgency: Urgency;
  signerCompetence: string;
  signerPosition: string;
  signerName: string;
  issuedAmount: number | null;
  pageCount: number | null;
  replyDeadline: string | null;
  recipients: readonly string[];
  files: ReadonlyArray<{ name: string; role: 'main' | 'appendix'; bytes: Uint8Array }>;
  /** Thu hồi (1), cập nhật (2) or thay thế (3) of an earlier packet; new (0) otherwise. */
  business: { type: 0 } | { type: 1; reason: string } | { type: 2; reason: string } | { type: 3; reason: string; replaces: { documentId: string; organIds: string[] } };
}

export interface PacketParties {
  from: { code: string; name: string; place: string };
  to: { code: string; name: string };
  /** The time the packet leaves (its trace hop), Vietnam time. */
  at: string;
}

/** "12/QĐ-UBND" -> number "12", notation "QĐ-UBND"; party symbols "27-QĐ/TW" -> "27", "QĐ/TW". */
export function splitNumberSymbol(s: string): { number: string; notation: string } {
  const m = /^(\d+)[/-](.+)$/.exec(s.trim());
  if (!m) return { number: s, notation: '' };
  return { number: m[1]!, notation: m[2]! };
}

/** The conventional DocumentId: "{issuer OrganId},{yyyy/MM/dd},{number}/{notation}". */
export function documentIdOf(issuerCode: string, issuedDate: string, numberSymbol: string): string {
  return `${issuerCode},${issuedDate.replace(/-/g, '/')},${numberSymbol}`;
}

const organ = (code: string, name: string): EdxmlOrgan => ({
  organId: code, organizationInCharge: name, organName: name, organAdd: null, email: null, telephone: null, fax: null, website: null,
});

export function documentInputFor(doc: IssuedForPacket, p: PacketParties): EdxmlDocumentInput {
  const { number, notation } = splitNumberSymbol(doc.numberSymbol);
  const typeName = DOCUMENT_TYPES.find((t) => t.code === doc.typeCode)?.name ?? doc.typeCode;
  const documentId = documentIdOf(p.from.code, doc.issuedDate, doc.numberSymbol);
  const b = doc.business;
  return {
    from: organ(p.from.code, p.from.name),
    to: [organ(p.to.code, p.to.name)],
    documentId,
    code: { number, notation },
    promulgation: { place: p.from.place, date: doc.issuedDate },
    documentType: { type: null, typeDetail: null, typeName },
    subject: doc.subject,
    content: null,
    signer: { competence: doc.signerCompetence || null, position: doc.signerPosition || null, fullName: doc.signerName },
    dueDate: doc.replyDeadline,
    toPlaces: [...doc.recipients],
    otherInfo: {
      priority: URGENCY_LEVELS.indexOf(doc.urgency),
      sphereOfPromulgation: null,
      typerNotation: null,
      promulgationAmount: doc.issuedAmount,
      pageAmount: doc.pageCount,
      direction: null,
      appendixes: doc.files.filter((f) => f.role === 'appendix').map((f) => f.name),
      secrecy: doc.secrecy,
    },
    responseFor: [],
    steeringType: null,
    trace: [{ organId: p.from.code, timestamp: p.at }],
    business: {
      documentId,
      docType: b.type,
      reason: b.type === 0 ? null : b.reason,
      paper: 0,
      staff: [],
      documentInfo: null,
      replacements: b.type === 3 ? [b.replaces] : [],
    },
    attachments: doc.files.map((f) => ({ name: f.name, description: f.role === 'main' ? 'Văn bản chính' : 'Phụ lục', contentType: 'application/pdf', bytes: f.bytes })),
  };
}
