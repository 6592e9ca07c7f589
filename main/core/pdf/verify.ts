// Verifies the signatures inside a PDF (PAdES ETSI.CAdES.detached, and the older adbe.pkcs7.detached)
// and judges the file as a whole, the way an incoming electronic document must be checked before it
// is registered.
//
// Per signature: the bytes its /ByteRange names (everything but its own /Contents) are checked
// against the CMS with crypto/verify.ts (digest, signature value, ESS, chain to the machine's trust
// anchors, validity at the time of verification or of a trusted timestamp, revocation by the CRLs
// installed, key usage and purpose). `integrity` is the digest and signature value alone: what
// pdfsig calls "Signature is Valid."; `coversWholeDocument` is pdfsig's "Total document signed".
//
// The whole file (docs/pades.md):
// - no signature: 'unsigned';
// - the last signature ends before the end of the file: 'changed-after-signing' when what follows
//   is one or more well-formed incremental updates (someone changed the document after it was
//   signed), else 'appended-bytes'; pdfsig says "Not total document signed" for either;
// - the agency's signature (chữ ký số của cơ quan, tổ chức) is the LAST signature whose certificate
//   is an organisation's (isOrganisationCertificate); an electronic document without one gets
//   'agency-signature-missing', and one whose agency signature does not verify gets
//   'agency-signature-invalid'.
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFNumber, PDFString } from 'pdf-lib';
import { parseCertificate, verifyDetached, type CertificateInfo, type CertInput, type CrlInput, type VerifyResult } from '../crypto';
import { parseSignedData } from '../crypto/signedData';
import { decodeTextString } from './appearance';
import { PdfError } from './errors';
import { pdfText, readStructure, type PdfStructure } from './structure';
import { describeUnsignedTail, unsignedTailVi, type UnsignedTail } from './unsignedTail';

export type PdfSignatureFlag =
  | 'not-whole-document' // pdfsig: "Not total document signed"
  | 'digest-mismatch' // the signed bytes changed
  | 'bad-signature-value'
  | 'malformed' // the /Contents is not a CMS SignedData, or the /ByteRange is not sound
  | 'untrusted' // no chain to a trust anchor
  | 'certificate-not-valid' // expired or not yet valid at the time it is judged
  | 'revoked'
  | 'revocation-not-checked'
  | 'key-usage' // the certificate may not sign documents
  | 'timestamped';

export interface PdfSignatureReport {
  /** 1-based, in the order the signatures were made (by the end of what they cover). */
  index: number;
  fieldName: string;
  subFilter: string;
  signer: { commonName: string; subject: string; organisation: string | null; serial: string; issuer: string } | null;
  /** Whether the signer's certificate is an organisation's (isOrganisationCertificate). */
  organisationCertificate: boolean;
  /** The CMS signingTime, else the signature dictionary's /M (both claims of the signer). */
  signingTime: Date | null;
  timestamp: { time: Date; authority: string } | null;
  byteRange: [number, number, number, number];
  coversWholeDocument: boolean;
  /** The revision (1-based, counting %%EOF markers) the signature ends with; null: it ends mid-revision. */
  revision: number | null;
  /** Digest and signature value: the signed bytes are unchanged (pdfsig "Signature is Valid."). */
  integrity: boolean;
  /** Integrity and every certificate check of crypto/verify.ts. */
  valid: boolean;
  flags: PdfSignatureFlag[];
  messageVi: string;
  /** The full CMS verification (null when the CMS is malformed). */
  verification: VerifyResult | null;
}

export type PdfFindingCode = 'unsigned' | 'changed-after-signing' | 'appended-bytes' | 'invalid-signature' | 'agency-signature-missing' | 'agency-signature-invalid';

export interface PdfFinding {
  code: PdfFindingCode;
  messageVi: string;
  reason: string;
  /** changed-after-signing: what the unsigned updates hold. */
  unsignedTail?: UnsignedTail;
}

export interface PdfVerification {
  /** valid: every signature valid and the last one covers the whole file; findings may still list agency problems. */
  status: 'valid' | 'invalid' | 'unsigned';
  /** Nothing to report: status valid and no findings. */
  ok: boolean;
  signatures: PdfSignatureReport[];
  /** The agency's signature (1-based index into signatures), or null. */
  agencySignature: number | null;
  findings: PdfFinding[];
  fileSize: number;
  revisions: number;
  messageVi: string;
}

export interface PdfVerifyOptions {
  trustAnchors: readonly CertInput[];
  crls?: readonly CrlInput[];
  now?: Date;
  /** An electronic document must carry its agency's signature (default true). */
  expectAgencySignature?: boolean;
  /** Overrides the rule that tells an organisation's certificate from a person's. */
  isOrganisation?: (cert: CertificateInfo) => boolean;
}

const PERSONAL_ID = /^(CMND|CCCD|CMT|HC|PID|PASSPORT)\s*[:-]/i;
const ORGANISATION_ID = /^(MST|MNS|MDV|MCQ|MSDN|TIN)\s*[:-]/i;
const fold = (s: string) => s.normalize('NFC').replace(/\s+/g, ' ').trim().toLocaleLowerCase('vi');

/**
 * An organisation's certificate, by Vietnamese CA practice: its identifier (UID or serialNumber)
 * is a tax or budget-unit code (MST:, MNS:, MDV:, MCQ:) and not a personal one (CMND:, CCCD:, HC:),
 * or, for certificates without such an identifier (Ban Cơ yếu Chính phủ issues agency certificates
 * this way), its common name is the organisation itself: equal to its O or one of its OU.
 */
export function isOrganisationCertificate(cert: CertificateInfo): boolean {
  const ids = cert.subjectAttributes.filter((a) => a.oid === '0.9.2342.19200300.100.1.1' || a.oid === '2.5.4.5').map((a) => a.value.trim());
  if (ids.some((v) => PERSONAL_ID.test(v))) return false;
  if (ids.some((v) => ORGANISATION_ID.test(v))) return true;
  const cn = fold(cert.commonName);
  return cert.subjectAttributes.some((a) => (a.type === 'O' || a.type === 'OU') && fold(a.value) === cn);
}

interface RawSignature { fieldName: string; subFilter: string; byteRange: number[]; contents: Uint8Array; claimedTime: Date | null }

/** D:YYYYMMDDHHmmSSOHH'mm' (parts after the year optional). */
export function parsePdfDate(s: string): Date | null {
  const m = /^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Zz+-])?(\d{2})?'?(\d{2})?/.exec(s.trim());
  if (!m) return null;
  const [y, mo = '01', d = '01', h = '00', mi = '00', se = '00', sign, oh = '00', om = '00'] = m.slice(1);
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(se));
  const off = sign === '+' || sign === '-' ? (Number(oh) * 60 + Number(om)) * (sign === '+' ? 1 : -1) : 0;
  return new Date(utc - off * 60_000);
}

function findSignatures(doc: PDFDocument): RawSignature[] {
  const out: RawSignature[] = [];
  const seen = new Set<PDFDict>();
  const visit = (d: PDFDict, name: string, inheritedFt: unknown) => {
    if (seen.has(d)) return;
    seen.add(d);
    const t = d.lookup(PDFName.of('T'));
    const full = t ? [name, decodeTextString(t)].filter(Boolean).join('.') : name;
    const ft = d.lookup(PDFName.of('FT')) ?? inheritedFt;
    const kids = d.lookup(PDFName.of('Kids'));
    if (kids instanceof PDFArray) for (let i = 0; i < kids.size(); i++) { const k = kids.lookup(i); if (k instanceof PDFDict) visit(k, full, ft); }
    if (ft !== PDFName.of('Sig')) return;
    const v = d.lookup(PDFName.of('V'));
    if (!(v instanceof PDFDict)) return; // an empty signature field
    const br = v.lookup(PDFName.of('ByteRange'));
    const contents = v.lookup(PDFName.of('Contents'));
    const sub = v.lookup(PDFName.of('SubFilter'));
    const m = v.lookup(PDFName.of('M'));
    out.push({
      fieldName: full,
      subFilter: sub instanceof PDFName ? sub.decodeText() : '',
      byteRange: br instanceof PDFArray ? br.asArray().map((x) => (x instanceof PDFNumber ? x.asNumber() : NaN)) : [],
      contents: contents instanceof PDFHexString || contents instanceof PDFString ? contents.asBytes() : new Uint8Array(0),
      claimedTime: m instanceof PDFString || m instanceof PDFHexString ? parsePdfDate(m.decodeText()) : null,
    });
  };
  const acro = doc.catalog.lookup(PDFName.of('AcroForm'));
  const fields = acro instanceof PDFDict ? acro.lookup(PDFName.of('Fields')) : undefined;
  if (fields instanceof PDFArray) for (let i = 0; i < fields.size(); i++) { const f = fields.lookup(i); if (f instanceof PDFDict) visit(f, '', undefined); }
  return out;
}

/** The CMS without the zero padding after it (definite-length DER); as is otherwise. */
function trimCms(b: Uint8Array): Uint8Array {
  if (b[0] !== 0x30 || b.length < 2) return b;
  const l = b[1]!;
  if (l < 0x80) return b.subarray(0, 2 + l);
  const n = l & 0x7f;
  if (n === 0 || n > 4) return b;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + b[2 + i]!;
  return b.subarray(0, Math.min(b.length, 2 + n + len));
}

function signerCertificate(cms: Uint8Array, fingerprint: string | undefined): CertificateInfo | null {
  if (!fingerprint) return null;
  try {
    for (const der of parseSignedData(cms).certificates) {
      const c = parseCertificate(der);
      if (c.fingerprintSha256 === fingerprint) return c;
    }
  } catch { /* reported by verifyDetached */ }
  return null;
}

async function verifyOne(bytes: Uint8Array, raw: RawSignature, revisionEnds: number[], o: PdfVerifyOptions): Promise<Omit<PdfSignatureReport, 'index'>> {
  const [a = NaN, b = NaN, c = NaN, d = NaN] = raw.byteRange;
  const byteRange: [number, number, number, number] = [a, b, c, d];
  const flags: PdfSignatureFlag[] = [];
  const end = c + d;
  // Sound: two ranges from the start of the file, the gap between them exactly the <hex> string.
  // And that string is this signature's own /Contents (no signature wrapping: a gap holding some
  // other value while the dictionary's /Contents sits elsewhere).
  const gap = raw.byteRange.length === 4 && a === 0 && b > 0 && c > b && d >= 0 && end <= bytes.length ? pdfText(bytes, b, c) : '';
  const sound = /^<[0-9A-Fa-f\s]*>$/.test(gap) && Buffer.from(gap.slice(1, -1).replace(/\s+/g, ''), 'hex').equals(Buffer.from(raw.contents));
  const base = {
    fieldName: raw.fieldName, subFilter: raw.subFilter, byteRange,
    coversWholeDocument: sound && end === bytes.length,
    revision: sound && revisionEnds.includes(end) ? revisionEnds.indexOf(end) + 1 : null,
  };
  if (!base.coversWholeDocument) flags.push('not-whole-document');
  if (!sound) {
    flags.push('malformed');
    return { ...base, signer: null, organisationCertificate: false, signingTime: raw.claimedTime, timestamp: null, integrity: false, valid: false, flags,
      messageVi: 'Chữ ký số KHÔNG hợp lệ: vùng dữ liệu được ký (/ByteRange) không đúng quy cách.', verification: null };
  }
  const cms = trimCms(raw.contents);
  let v: VerifyResult;
  try {
    v = await verifyDetached(cms, Buffer.concat([bytes.subarray(0, b), bytes.subarray(c, end)]), {
      trustAnchors: o.trustAnchors, crls: o.crls ?? [], ...(o.now ? { now: o.now } : {}), ...(raw.claimedTime ? { claimedSigningTime: raw.claimedTime } : {}),
    });
  } catch (e) {
    flags.push('malformed');
    return { ...base, signer: null, organisationCertificate: false, signingTime: raw.claimedTime, timestamp: null, integrity: false, valid: false, flags,
      messageVi: `Chữ ký số KHÔNG hợp lệ: ${(e as { messageVi?: string }).messageVi ?? 'dữ liệu chữ ký bị hỏng.'}`, verification: null };
  }
  const ch = v.checks;
  if (!ch.digest.ok) flags.push('digest-mismatch');
  if (!ch.signature.ok) flags.push('bad-signature-value');
  if (!ch.chain.ok) flags.push('untrusted');
  if (!ch.certValid.ok) flags.push('certificate-not-valid');
  if (!ch.revocation.ok) flags.push('revoked');
  else if (v.revocation.status === 'not-checked') flags.push('revocation-not-checked');
  if (!ch.keyUsage.ok || !ch.purpose.ok) flags.push('key-usage');
  if (v.timestamp) flags.push('timestamped');
  const cert = signerCertificate(cms, v.signer?.fingerprint);
  const org = cert?.subjectAttributes.find((x) => x.type === 'O')?.value ?? null;
  return {
    ...base,
    signer: v.signer ? { commonName: v.signer.commonName, subject: v.signer.subject, organisation: org, serial: v.signer.serial, issuer: v.signer.issuer } : null,
    organisationCertificate: cert ? (o.isOrganisation ?? isOrganisationCertificate)(cert) : false,
    signingTime: v.signingTime,
    timestamp: v.timestamp,
    integrity: ch.digest.ok && ch.signature.ok,
    valid: v.valid,
    flags,
    messageVi: v.messageVi,
    verification: v,
  };
}

/** Verifies every signature of `pdf` and judges the file; throws PdfError only when it is no PDF at all. */
export async function verifyPdfSignatures(pdf: Uint8Array, o: PdfVerifyOptions): Promise<PdfVerification> {
  let structure: PdfStructure | null = null;
  try {
    structure = readStructure(pdf);
  } catch (e) {
    if ((e as PdfError).reason === 'PDF_UNPARSEABLE') throw e;
  }
  // A signature dictionary is never compressed (its /Contents must lie in the file as bytes that
  // /ByteRange leaves out): without "/ByteRange" the file carries no signature, and pdf-lib need
  // not read it.
  if (Buffer.from(pdf.buffer, pdf.byteOffset, pdf.length).indexOf('/ByteRange') < 0) {
    return { status: 'unsigned', ok: false, signatures: [], agencySignature: null, fileSize: pdf.length, revisions: structure?.revisionEnds.length ?? 0,
      findings: [{ code: 'unsigned', reason: 'the PDF carries no signature', messageVi: 'Tệp PDF không có chữ ký số.' }], messageVi: 'Tệp PDF không có chữ ký số.' };
  }
  let doc: PDFDocument;
  try {
    doc = await PDFDocument.load(pdf, { updateMetadata: false, ignoreEncryption: true });
  } catch (e) {
    throw PdfError.unparseable((e as Error).message);
  }
  const revisionEnds = structure?.revisionEnds ?? [];
  const raws = findSignatures(doc);
  const reports = await Promise.all(raws.map((r) => verifyOne(pdf, r, revisionEnds, o)));
  const signatures = reports
    .map((r) => ({ ...r, index: 0 }))
    .sort((x, y) => (x.byteRange[2] + x.byteRange[3]) - (y.byteRange[2] + y.byteRange[3]))
    .map((r, i) => ({ ...r, index: i + 1 }));

  const findings: PdfFinding[] = [];
  if (signatures.length === 0) {
    findings.push({ code: 'unsigned', reason: 'the PDF carries no signature', messageVi: 'Tệp PDF không có chữ ký số.' });
  } else {
    const last = signatures.at(-1)!;
    const end = last.byteRange[2] + last.byteRange[3];
    if (Number.isFinite(end) && end < pdf.length) {
      const tail = pdf.length - end;
      // Well-formed updates after it: the xref chain reads, its newest section lies after the
      // signature, and the file ends with a revision (only whitespace after the last %%EOF).
      const lastEof = revisionEnds.at(-1) ?? -1;
      const updates = revisionEnds.filter((e) => e > end).length;
      const isUpdate = structure !== null && structure.startxref > end && lastEof > end && /^\s*$/.test(pdfText(pdf, lastEof, pdf.length));
      // What the unsigned updates hold (an issue without the agency's signature adds only its Stamp annotations).
      const held = isUpdate ? await describeUnsignedTail(pdf, end, structure!, doc) : null;
      findings.push(isUpdate
        ? { code: 'changed-after-signing', reason: `Not total document signed (pdfsig): ${updates} incremental update(s), ${tail} bytes, were added after the last signature and no signature covers them`
            + (held ? `; ${held.annotationsOnly ? 'they only add' : `they change ${held.otherChanges} signed object(s) and add`} ${held.added.length} annotation(s)` : ''),
          messageVi: unsignedTailVi(updates, tail, held), ...(held ? { unsignedTail: held } : {}) }
        : { code: 'appended-bytes', reason: `Not total document signed (pdfsig): ${tail} bytes after the last signature are not a PDF incremental update`,
          messageVi: `Chữ ký cuối cùng chỉ bảo đảm một phần của tệp: ${tail} byte được thêm vào cuối tệp sau khi ký (không phải bản cập nhật PDF hợp lệ).` });
    }
    const bad = signatures.filter((s) => !s.valid);
    if (bad.length) {
      findings.push({ code: 'invalid-signature', reason: `signature(s) ${bad.map((s) => s.index).join(', ')} do not verify`,
        messageVi: `Chữ ký số không hợp lệ: ${bad.map((s) => `chữ ký ${s.index} (${s.signer?.commonName ?? 'không rõ người ký'})`).join(', ')}.` });
    }
  }
  const agency = [...signatures].reverse().find((s) => s.organisationCertificate) ?? null;
  if (o.expectAgencySignature !== false && signatures.length > 0) {
    if (!agency) {
      findings.push({ code: 'agency-signature-missing', reason: 'no signature is made with an organisation certificate (the agency signature of an electronic document)',
        messageVi: 'Văn bản điện tử thiếu chữ ký số của cơ quan, tổ chức ban hành.' });
    } else if (!agency.valid) {
      findings.push({ code: 'agency-signature-invalid', reason: `the agency signature (${agency.index}) does not verify`,
        messageVi: `Chữ ký số của cơ quan, tổ chức (${agency.signer?.commonName ?? 'không rõ'}) không hợp lệ.` });
    }
  }
  const status = signatures.length === 0 ? 'unsigned' : signatures.every((s) => s.valid) && signatures.at(-1)!.coversWholeDocument ? 'valid' : 'invalid';
  const ok = status === 'valid' && findings.length === 0;
  const messageVi = ok
    ? `Tệp có ${signatures.length} chữ ký số, tất cả hợp lệ; chữ ký cuối cùng bảo đảm toàn bộ tệp.`
    : findings.map((f) => f.messageVi).join(' ');
  return { status, ok, signatures, agencySignature: agency?.index ?? null, findings, fileSize: pdf.length, revisions: revisionEnds.length, messageVi };
}
