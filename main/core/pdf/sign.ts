// PAdES signing (ETSI EN 319 142-1 baseline B-B, or B-T with a timestamp): an incremental update
// appended to the PDF, so every earlier signature keeps covering the bytes it signed (the signer
// signs, then the agency signs the same file again). The update holds the signature dictionary
// (SubFilter ETSI.CAdES.detached), a signature field merged with its widget and appearance, and
// the page, AcroForm (or catalog) objects it changes; nothing else of the file is rewritten.
//
// The update itself (new and changed objects, the xref section in the form of the file's newest
// one, the stamps of the number and date) is update.ts's, shared with stampPdf. The CMS is crypto/sign.ts's CAdES-BES SignedData (ESS
// signing-certificate-v2), made by the token through PrivateKeyOps, without the signingTime
// attribute (PAdES puts the claimed time in /M).
import { PDFArray, PDFDict, PDFHexString, PDFName, PDFRef, type PDFDocument } from 'pdf-lib';
import { attachTimestamp, isValidAt, parseCertificate, parseCertificates, signatureValueOf, signDetached, type CertificateInfo, type CertInput, type PrivateKeyOps, type SignatureAlg } from '../crypto';
import { canSign } from '../org/certificates';
import { buildAppearance, decodeTextString, isoVietnam, type PdfAppearance } from './appearance';
import { PdfError } from './errors';
import { addStamps, arrayIn, openUpdate, writeUpdate, type PdfFill, type PdfNote } from './update';

export interface PdfSignOptions {
  /** The token key (or a software key in tests) and its certificate. */
  key: PrivateKeyOps;
  /** Intermediate CA certificates to embed, so verifiers can build the chain. */
  chain?: readonly CertInput[];
  /** Default: invisible. */
  appearance?: PdfAppearance;
  reason?: string;
  location?: string;
  /** The claimed signing time, written to /M (default: now). */
  signingTime?: Date;
  /**
   * An RFC 3161 timestamp authority: given the signature value, returns a TimeStampToken (DER),
   * attached as the signature-time-stamp attribute (PAdES B-T). Its size is reserved in advance.
   */
  timestamp?: (signatureValue: Uint8Array) => Promise<Uint8Array>;
  /**
   * Text stamped on pages in the same update, before signing, so the signature covers it: the number
   * and date the văn thư gives at the issue (top right of the page; Stamp annotations, printed, locked).
   */
  notes?: readonly PdfNote[];
  /**
   * Text written over blanks of the page in the same update (the number and date of issue in the
   * draft's own blanks, blanks.ts): Stamp annotations like the notes. Annotations, not page content:
   * a viewer counts an annotation added after an earlier signature as an allowed change, a rewritten
   * page content as a modification of what the signer signed.
   */
  fills?: readonly PdfFill[];
  /**
   * A certification signature (DocMDP, ISO 32000 12.8.2.2): 1 allows no change after it, 2 form
   * filling and signing, 3 also annotations. Only the first signature of a file may certify it.
   */
  certify?: 1 | 2 | 3;
  /** Default: the next free "SignatureN". */
  fieldName?: string;
  algorithm?: SignatureAlg;
  /** The time the certificate is checked at besides signingTime (tests; default: now). */
  now?: Date;
}

const enc = (s: string) => Buffer.from(s, 'latin1');

/** A PDF text string for any Unicode text: UTF-16BE with BOM, as a hex string. */
const textString = (s: string) => `<FEFF${Buffer.from(s, 'utf16le').swap16().toString('hex').toUpperCase()}>`;

/** D:YYYYMMDDHHmmSS+07'00' (Vietnam time). */
export function pdfDate(d: Date): string {
  const v = isoVietnam(d);
  return `D:${v.slice(0, 4)}${v.slice(5, 7)}${v.slice(8, 10)}${v.slice(11, 13)}${v.slice(14, 16)}${v.slice(17, 19)}+07'00'`;
}

function checkSigner(der: Uint8Array, times: Date[]): CertificateInfo {
  let cert: CertificateInfo;
  try {
    cert = parseCertificate(der);
  } catch (e) {
    throw new PdfError('TOKEN_UNSUITABLE', 'CERT_UNREADABLE', 'Không đọc được chứng thư số của khóa ký.', `signer certificate does not parse: ${(e as Error).message}`);
  }
  const day = (d: Date) => isoVietnam(d).slice(0, 10).split('-').reverse().join('/');
  for (const at of times) {
    if (!isValidAt(cert, at)) {
      throw new PdfError('TOKEN_UNSUITABLE', 'CERT_EXPIRED',
        `Chứng thư số của người ký không có hiệu lực vào thời điểm ký (hiệu lực từ ${day(cert.notBefore)} đến ${day(cert.notAfter)}); không thể ký số.`,
        `signer certificate "${cert.subject}" is not valid at ${at.toISOString()} (valid ${cert.notBefore.toISOString()} to ${cert.notAfter.toISOString()})`);
    }
  }
  if (!canSign(cert)) {
    throw new PdfError('TOKEN_UNSUITABLE', 'CERT_KEY_USAGE', 'Chứng thư số này không được phép dùng để ký số (thiếu mục đích digitalSignature hoặc nonRepudiation).',
      `signer certificate keyUsage (${cert.keyUsage?.join(', ')}) has neither digitalSignature nor nonRepudiation`);
  }
  return cert;
}

function fieldNames(doc: PDFDocument): Set<string> {
  const names = new Set<string>();
  const acro = doc.catalog.lookup(PDFName.of('AcroForm'));
  const fields = acro instanceof PDFDict ? acro.lookup(PDFName.of('Fields')) : undefined;
  if (fields instanceof PDFArray) {
    for (let i = 0; i < fields.size(); i++) {
      const f = fields.lookup(i);
      if (f instanceof PDFDict) names.add(decodeTextString(f.lookup(PDFName.of('T'))));
    }
  }
  return names;
}

const BYTE_RANGE_PLACEHOLDER = '/ByteRange [0 0000000000 0000000000 0000000000]';

/** Signs `pdf` as PAdES; returns the whole signed file (the input followed by one incremental update). */
export async function signPdf(pdf: Uint8Array, o: PdfSignOptions): Promise<Uint8Array> {
  const signingTime = o.signingTime ?? new Date();
  const cert = checkSigner(o.key.certificate, [o.now ?? new Date(), signingTime]);
  const u = await openUpdate(pdf);
  const { doc } = u;
  const ctx = doc.context;

  const ap = await buildAppearance(doc, o.appearance ?? { kind: 'invisible' }, signingTime);
  const page = doc.getPage(ap.pageIndex);
  const taken = fieldNames(doc);
  let fieldName = o.fieldName;
  if (fieldName === undefined) for (let i = 1; taken.has((fieldName = `Signature${i}`)); i++);
  else if (taken.has(fieldName)) throw new PdfError('VALIDATION', 'PDF_UNPARSEABLE', `Tệp PDF đã có trường chữ ký tên "${fieldName}".`, `signature field ${fieldName} exists`);

  const sigRef = ctx.nextRef();
  const { x, y, width, height } = ap.rect;
  const widgetRef = ctx.register(ctx.obj({
    Type: 'Annot', Subtype: 'Widget', FT: 'Sig', T: PDFHexString.fromText(fieldName), V: sigRef,
    F: 132, // Print + Locked
    Rect: [x, y, x + width, y + height], P: page.ref,
    ...(ap.stream ? { AP: { N: ap.stream } } : {}),
  }));
  arrayIn(u, page.node, page.ref, 'Annots').push(widgetRef);
  await addStamps(u, o.fills ?? [], o.notes ?? [], signingTime);

  const rootRef = ctx.trailerInfo.Root as PDFRef;
  let acro = doc.catalog.lookup(PDFName.of('AcroForm'));
  let acroRef: PDFRef;
  const acroRaw = doc.catalog.get(PDFName.of('AcroForm'));
  if (acroRaw instanceof PDFRef && acro instanceof PDFDict) {
    acroRef = acroRaw;
    u.changed.add(acroRaw);
  } else {
    if (!(acro instanceof PDFDict)) {
      acro = ctx.obj({});
      doc.catalog.set(PDFName.of('AcroForm'), acro);
    }
    acroRef = rootRef;
    u.changed.add(rootRef);
  }
  const acroDict = acro as PDFDict;
  arrayIn(u, acroDict, acroRef, 'Fields').push(widgetRef);
  if (o.certify) {
    doc.catalog.set(PDFName.of('Perms'), ctx.obj({ DocMDP: sigRef }));
    u.changed.add(rootRef);
  }
  acroDict.set(PDFName.of('SigFlags'), ctx.obj(3)); // SignaturesExist + AppendOnly

  // The CMS is at most: certificates + signed attributes and signature (< 2 KiB) + a timestamp token.
  const certBytes = [cert, ...parseCertificates(o.chain ?? [])].reduce((s, c) => s + c.der.length, 0);
  const reserve = certBytes + 4096 + (o.timestamp ? 12288 : 0);
  const sigDict = [
    `${sigRef.objectNumber} 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached`,
    BYTE_RANGE_PLACEHOLDER,
    `/Contents <${'0'.repeat(reserve * 2)}>`,
    `/M (${pdfDate(signingTime)})`,
    `/Name ${textString(cert.commonName)}`,
    ...(o.reason ? [`/Reason ${textString(o.reason)}`] : []),
    ...(o.location ? [`/Location ${textString(o.location)}`] : []),
    ...(o.certify ? [`/Reference [<< /Type /SigRef /TransformMethod /DocMDP /TransformParams << /Type /TransformParams /P ${o.certify} /V /1.2 >> >>]`] : []),
    '/Prop_Build << /App << /Name /SecureDesk >> >>',
    '>>\nendobj\n',
  ].join('\n');

  // The update: the signature dictionary first, the new and changed objects, then the xref section.
  const { out, leadOffset: sigOffset } = writeUpdate(pdf, u, { ref: sigRef, bytes: enc(sigDict) });

  // ByteRange: everything but the /Contents hex string (its angle brackets included).
  const brAt = out.indexOf(BYTE_RANGE_PLACEHOLDER, sigOffset, 'latin1');
  const gapStart = out.indexOf('/Contents <', sigOffset, 'latin1') + '/Contents '.length;
  const gapEnd = gapStart + reserve * 2 + 2;
  const range = [0, gapStart, gapEnd, out.length - gapEnd];
  const br = `/ByteRange [${range.join(' ')}]`;
  out.write(br.padEnd(BYTE_RANGE_PLACEHOLDER.length, ' '), brAt, 'latin1');

  let cms = await signDetached(Buffer.concat([out.subarray(0, gapStart), out.subarray(gapEnd)]), {
    key: o.key, chain: o.chain ?? [], signingTime, signingTimeAttribute: false, ...(o.algorithm ? { algorithm: o.algorithm } : {}),
  });
  if (o.timestamp) cms = attachTimestamp(cms, await o.timestamp(signatureValueOf(cms)));
  const hex = Buffer.from(cms).toString('hex').toUpperCase();
  if (hex.length > reserve * 2) {
    throw new PdfError('INTERNAL', 'PDF_SIGNATURE_TOO_LARGE', 'Chữ ký số lớn hơn chỗ dành cho nó trong tệp PDF.', `CMS of ${cms.length} bytes exceeds the ${reserve} reserved`);
  }
  out.write(hex, gapStart + 1, 'latin1');
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}
