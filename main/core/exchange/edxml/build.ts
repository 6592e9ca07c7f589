// Our outgoing packets from plain typed input (never from the database: a later step maps outgoing
// records onto EdxmlDocumentInput). Text is trimmed and NFC, '' is null, identifier codes are
// checked; what we write reads back through parse.ts to the same model (tests/unit/edxml-roundtrip).
import { z } from 'zod';
import {
  EDXML_NS, EDXML_SECURITY_ELEMENT, EDXML_STATUS_CODES, EDXML_STATUS_NEEDS_REASON, SECRECY_LEVELS_FOR_EDXML, edxmlBusinessSchema, edxmlDocumentSchema,
  edxmlOrganSchema, edxmlResponseForSchema, edxmlStaffSchema, edxmlTraceHopSchema, type EdxmlBusiness, type EdxmlManifestRef, type EdxmlOrgan,
  type EdxmlResponseFor, type EdxmlStaff, type EdxmlTraceHop,
} from '../../../../common/edxml';
import { checkIdentifierCode } from '../../../../common/identifierCode';
import { writeDate, writeTimestamp } from './dates';
import { EdxmlError } from './errors';
import { XmlWriter } from './xmlWriter';

/** NFC, trimmed, '' as null, in every string of a value. */
function normalise<T>(v: T): T {
  if (typeof v === 'string') {
    const t = v.normalize('NFC').trim();
    return (t === '' ? null : t) as T;
  }
  if (Array.isArray(v)) return v.map(normalise).filter((x) => x !== null) as T;
  if (v instanceof Uint8Array) return v;
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalise(x)])) as T;
  return v;
}

export const edxmlAttachmentInputSchema = z.object({
  name: z.string().min(1),
  description: z.string().nullable().default(null),
  contentType: z.string().min(1),
  bytes: z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'bytes'),
});
export type EdxmlAttachmentInput = z.input<typeof edxmlAttachmentInputSchema>;

export const edxmlDocumentInputSchema = edxmlDocumentSchema.omit({ kind: true, manifest: true, attachments: true }).extend({
  attachments: z.array(edxmlAttachmentInputSchema),
});
export type EdxmlDocumentInput = z.input<typeof edxmlDocumentInputSchema>;

export const edxmlStatusInputSchema = z.object({
  from: edxmlOrganSchema,
  responseFor: edxmlResponseForSchema,
  staff: edxmlStaffSchema.nullable(),
  statusCode: z.enum(EDXML_STATUS_CODES),
  description: z.string().nullable(),
  timestamp: edxmlTraceHopSchema.shape.timestamp.unwrap(),
  trace: z.array(edxmlTraceHopSchema).default([]),
});
export type EdxmlStatusInput = z.input<typeof edxmlStatusInputSchema>;

function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(normalise(input));
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new EdxmlError('EDXML_INPUT', `${i.path.join('.')}: ${i.message}`);
  }
  return r.data;
}

function checkCode(code: string | null, where: string): void {
  if (code === null) return;
  const c = checkIdentifierCode(code);
  if (!c.ok || c.code !== code) throw new EdxmlError('EDXML_INPUT', `${where}: "${code}" is not an identifier code (mã định danh) in upper case`);
}

function organ(w: XmlWriter, name: string, o: EdxmlOrgan): void {
  w.open(name).leaf('OrganId', o.organId).leaf('OrganizationInCharge', o.organizationInCharge).leaf('OrganName', o.organName)
    .leaf('OrganAdd', o.organAdd).leaf('Email', o.email).leaf('Telephone', o.telephone).leaf('Fax', o.fax).leaf('Website', o.website).close(name);
}

function responseFor(w: XmlWriter, r: EdxmlResponseFor): void {
  w.group('ResponseFor', (g) => g.leaf('OrganId', r.organId).leaf('Code', r.code).leaf('PromulgationDate', r.promulgationDate && writeDate(r.promulgationDate)).leaf('DocumentId', r.documentId));
}

function staff(w: XmlWriter, s: EdxmlStaff | null): void {
  if (s) w.group('StaffInfo', (g) => g.leaf('Department', s.department).leaf('Staff', s.staff).leaf('Mobile', s.mobile).leaf('Email', s.email));
}

function trace(w: XmlWriter, hops: readonly EdxmlTraceHop[], business: EdxmlBusiness | null): void {
  if (hops.length === 0 && !business) return;
  w.open('TraceHeaderList');
  for (const h of hops) w.open('TraceHeader').leaf('OrganId', h.organId).leaf('Timestamp', h.timestamp && writeTimestamp(h.timestamp)).close('TraceHeader');
  if (business) {
    w.open('Bussiness').leaf('DocumentId', business.documentId).leaf('BussinessDocType', business.docType).leaf('BussinessDocReason', business.reason).leaf('Paper', business.paper);
    for (const s of business.staff) staff(w, s);
    const info = business.documentInfo;
    if (info) {
      w.open('BussinessDocumentInfo').leaf('DocumentInfo', info.documentInfo).leaf('DocumentReceiver', info.documentReceiver);
      w.group('ReceiverList', (g) => {
        for (const r of info.receivers) g.open('Receiver').leaf('OrganId', r.organId).leaf('ReceiverType', r.receiverType).close('Receiver');
      });
      w.close('BussinessDocumentInfo');
    }
    if (business.replacements.length) {
      w.open('ReplacementInfoList');
      for (const r of business.replacements) {
        w.open('ReplacementInfo').leaf('DocumentId', r.documentId);
        w.group('OrganIdList', (g) => r.organIds.forEach((o) => g.leaf('OrganId', o)));
        w.close('ReplacementInfo');
      }
      w.close('ReplacementInfoList');
    }
    w.close('Bussiness');
  }
  w.close('TraceHeaderList');
}

// The prefix is declared on the root: AttachmentEncoded sits beside the envelope, not inside it.
const HEAD = `<?xml version="1.0" encoding="UTF-8"?>\n<edXML xmlns="${EDXML_NS}" xmlns:edXML="${EDXML_NS}">`;
const ENVELOPE_ATTR = '';

export interface BuiltPacket {
  /** The packet, UTF-8. */
  bytes: Buffer;
  /** The manifest as written (content ids assigned). */
  manifest: EdxmlManifestRef[];
}

/** A document packet (new, recall, update or replacement by business.docType). */
export function buildDocumentPacket(input: EdxmlDocumentInput): BuiltPacket {
  const d = parseInput(edxmlDocumentInputSchema, input);
  checkCode(d.from.organId, 'from');
  d.to.forEach((t, i) => checkCode(t.organId, `to.${i}`));
  if (d.to.length === 0) throw new EdxmlError('EDXML_INPUT', 'to: at least one recipient');
  d.trace.forEach((h, i) => checkCode(h.organId, `trace.${i}`));
  if (d.business?.docType === 3 && d.business.replacements.length === 0) throw new EdxmlError('EDXML_INPUT', 'business.replacements: a replacement names what it replaces');
  if ((d.business?.docType ?? 0) !== 0 && !d.business?.reason) throw new EdxmlError('EDXML_INPUT', 'business.reason: a recall, update or replacement says why');
  const w = new XmlWriter();
  w.open('edXMLEnvelope', ENVELOPE_ATTR).open('edXMLHeader').open('MessageHeader');
  organ(w, 'From', d.from);
  for (const t of d.to) organ(w, 'To', t);
  w.leaf('DocumentId', d.documentId);
  w.group('Code', (g) => g.leaf('CodeNumber', d.code.number).leaf('CodeNotation', d.code.notation));
  w.group('PromulgationInfo', (g) => g.leaf('Place', d.promulgation.place).leaf('PromulgationDate', d.promulgation.date && writeDate(d.promulgation.date)));
  w.group('DocumentType', (g) => g.leaf('Type', d.documentType.type).leaf('TypeDetail', d.documentType.typeDetail).leaf('TypeName', d.documentType.typeName));
  w.leaf('Subject', d.subject).leaf('Content', d.content);
  w.group('SignerInfo', (g) => g.leaf('Competence', d.signer.competence).leaf('Position', d.signer.position).leaf('FullName', d.signer.fullName));
  w.leaf('DueDate', d.dueDate && writeDate(d.dueDate));
  w.group('ToPlaces', (g) => d.toPlaces.forEach((p) => g.leaf('Place', p)));
  const o = d.otherInfo;
  w.group('OtherInfo', (g) => {
    g.leaf('Priority', o.priority).leaf('SphereOfPromulgation', o.sphereOfPromulgation).leaf('TyperNotation', o.typerNotation)
      .leaf('PromulgationAmount', o.promulgationAmount).leaf('PageAmount', o.pageAmount).leaf('Direction', o.direction);
    g.group('Appendixes', (a) => o.appendixes.forEach((x) => a.leaf('Appendix', x)));
    g.leaf(EDXML_SECURITY_ELEMENT, o.secrecy === null ? null : SECRECY_LEVELS_FOR_EDXML.indexOf(o.secrecy));
  });
  for (const r of d.responseFor) responseFor(w, r);
  w.leaf('SteeringType', d.steeringType);
  w.close('MessageHeader');
  trace(w, d.trace, d.business);
  w.close('edXMLHeader');
  const manifest: EdxmlManifestRef[] = d.attachments.map((a, i) => ({ contentId: `cid:${i + 1}`, contentType: a.contentType, description: a.description, attachmentName: a.name }));
  w.open('edXMLBody').open('edXMLManifest', ' version="1.0"');
  for (const m of manifest) {
    w.open('Reference').leaf('ContentId', m.contentId).leaf('ContentType', m.contentType).leaf('Description', m.description).leaf('AttachmentName', m.attachmentName).close('Reference');
  }
  w.close('edXMLManifest').close('edXMLBody').close('edXMLEnvelope');
  if (d.attachments.length) {
    w.open('AttachmentEncoded');
    d.attachments.forEach((a, i) => {
      w.open('Attachment').leaf('ContentId', manifest[i]!.contentId).leaf('AttachmentName', a.name).leaf('Description', a.description).leaf('ContentType', a.contentType)
        .leafRaw('ContentTransferEncoded', Buffer.from(a.bytes.buffer, a.bytes.byteOffset, a.bytes.byteLength).toString('base64')).close('Attachment');
    });
    w.close('AttachmentEncoded');
  }
  return { bytes: Buffer.from(`${HEAD}${w.toString()}\n</edXML>\n`, 'utf8'), manifest };
}

/** A status packet (01–06, 13, 15, 16); refusals, recalls and refused updates carry their reason. */
export function buildStatusPacket(input: EdxmlStatusInput): BuiltPacket {
  const s = parseInput(edxmlStatusInputSchema, input);
  checkCode(s.from.organId, 'from');
  if (EDXML_STATUS_NEEDS_REASON.has(s.statusCode) && !s.description) throw new EdxmlError('EDXML_INPUT', `description: status ${s.statusCode} needs a reason`);
  const w = new XmlWriter();
  w.open('edXMLEnvelope', ENVELOPE_ATTR).open('edXMLHeader').open('MessageHeader');
  organ(w, 'From', s.from);
  responseFor(w, s.responseFor);
  staff(w, s.staff);
  w.leaf('StatusCode', s.statusCode).leaf('Description', s.description).leaf('Timestamp', writeTimestamp(s.timestamp));
  w.close('MessageHeader');
  trace(w, s.trace, null);
  w.close('edXMLHeader').close('edXMLEnvelope');
  return { bytes: Buffer.from(`${HEAD}${w.toString()}\n</edXML>\n`, 'utf8'), manifest: [] };
}

export type { EdxmlBusiness };
export const businessSchema = edxmlBusinessSchema;
