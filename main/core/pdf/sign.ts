// PAdES signing (ETSI EN 319 142-1 baseline B-B, or B-T with a timestamp): an incremental update
// appended to the PDF, so every earlier signature keeps covering the bytes it signed (the signer
// signs, then the agency signs the same file again). The update holds the signature dictionary
// (SubFilter ETSI.CAdES.detached), a signature field merged with its widget and appearance, and
// the page, AcroForm (or catalog) objects it changes; nothing else of the file is rewritten.
//
// pdf-lib reads the objects and writes the new ones (it cannot append an update itself); the xref
// section and trailer are written here, in the same form as the file's newest section (a classic
// table, or a cross-reference stream). The CMS is crypto/sign.ts's CAdES-BES SignedData (ESS
// signing-certificate-v2), made by the token through PrivateKeyOps, without the signingTime
// attribute (PAdES puts the claimed time in /M).
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFRef, type PDFObject } from 'pdf-lib';
import { attachTimestamp, isValidAt, parseCertificate, parseCertificates, signatureValueOf, signDetached, type CertificateInfo, type CertInput, type PrivateKeyOps, type SignatureAlg } from '../crypto';
import { canSign } from '../org/certificates';
import { buildAppearance, decodeTextString, isoVietnam, type PdfAppearance } from './appearance';
import { PdfError } from './errors';
import { readStructure, type PdfStructure } from './structure';

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
  notes?: ReadonlyArray<{ page?: number; lines: readonly string[] }>;
  /**
   * Text written over blanks of the page in the same update (the number and date of issue in the
   * draft's own blanks, blanks.ts): Stamp annotations like the notes. Annotations, not page content:
   * a viewer counts an annotation added after an earlier signature as an allowed change, a rewritten
   * page content as a modification of what the signer signed.
   */
  fills?: ReadonlyArray<Omit<Extract<PdfAppearance, { kind: 'fill' }>, 'kind'>>;
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

function serialize(ref: PDFRef, obj: PDFObject): Buffer {
  const body = Buffer.alloc(obj.sizeInBytes());
  obj.copyBytesInto(body, 0);
  return Buffer.concat([enc(`${ref.objectNumber} ${ref.generationNumber} obj\n`), body, enc('\nendobj\n')]);
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

/** An array held by `holder` under `key`, created when absent; marks what must be rewritten. */
function arrayIn(doc: PDFDocument, holder: PDFDict, holderRef: PDFRef, key: string, changed: Set<PDFRef>): PDFArray {
  const raw = holder.get(PDFName.of(key));
  if (raw instanceof PDFRef) {
    const arr = doc.context.lookup(raw);
    if (arr instanceof PDFArray) {
      changed.add(raw);
      return arr;
    }
  }
  changed.add(holderRef);
  if (raw instanceof PDFArray) return raw;
  const arr = doc.context.obj([]);
  holder.set(PDFName.of(key), arr);
  return arr;
}

interface Trailer { root: string; info: string | null; id: string | null }

function trailerOf(s: PdfStructure): Trailer {
  const d = s.sections[0]!.dict;
  const root = /\/Root\s+(\d+\s+\d+\s+R)/.exec(d)![1]!;
  const info = /\/Info\s+(\d+\s+\d+\s+R)/.exec(d)?.[1] ?? null;
  const id = /\/ID\s*(\[\s*<[0-9A-Fa-f\s]*>\s*<[0-9A-Fa-f\s]*>\s*\])/.exec(d)?.[1] ?? null;
  return { root, info, id };
}

/** Object numbers in runs of consecutive numbers: [[first, count], ...]. */
function runs(nums: number[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const n of [...nums].sort((a, b) => a - b)) {
    const last = out.at(-1);
    if (last && last[0] + last[1] === n) last[1]++;
    else out.push([n, 1]);
  }
  return out;
}

/**
 * Writes the update's xref section and trailer after `base` (original file plus new objects):
 * a classic table, or a cross-reference stream when the file's newest section is one.
 */
function xrefSection(kind: 'table' | 'stream', offsets: Map<number, number>, gens: Map<number, number>, at: number, size: number, prev: number, t: Trailer, streamObject: number): Buffer {
  const trailerKeys = `/Root ${t.root}${t.info ? ` /Info ${t.info}` : ''}${t.id ? ` /ID ${t.id}` : ''} /Prev ${prev}`;
  if (kind === 'table') {
    const lines = ['xref'];
    for (const [first, count] of runs([...offsets.keys()])) {
      lines.push(`${first} ${count}`);
      for (let k = 0; k < count; k++) lines.push(`${String(offsets.get(first + k)).padStart(10, '0')} ${String(gens.get(first + k) ?? 0).padStart(5, '0')} n\r`);
    }
    return enc(`${lines.join('\n')}\ntrailer\n<< /Size ${size} ${trailerKeys} >>\nstartxref\n${at}\n%%EOF\n`);
  }
  offsets.set(streamObject, at);
  const groups = runs([...offsets.keys()]);
  const rows: Buffer[] = [];
  for (const [first, count] of groups) {
    for (let k = 0; k < count; k++) {
      const row = Buffer.alloc(7);
      row[0] = 1;
      row.writeUInt32BE(offsets.get(first + k)!, 1);
      row.writeUInt16BE(gens.get(first + k) ?? 0, 5);
      rows.push(row);
    }
  }
  const data = Buffer.concat(rows);
  const dict = `<< /Type /XRef /Size ${Math.max(size, streamObject + 1)} /W [1 4 2] /Index [${groups.map(([f, c]) => `${f} ${c}`).join(' ')}] ${trailerKeys} /Length ${data.length} >>`;
  return Buffer.concat([enc(`${streamObject} 0 obj\n${dict}\nstream\n`), data, enc(`\nendstream\nendobj\nstartxref\n${at}\n%%EOF\n`)]);
}

const BYTE_RANGE_PLACEHOLDER = '/ByteRange [0 0000000000 0000000000 0000000000]';

/** Signs `pdf` as PAdES; returns the whole signed file (the input followed by one incremental update). */
export async function signPdf(pdf: Uint8Array, o: PdfSignOptions): Promise<Uint8Array> {
  const signingTime = o.signingTime ?? new Date();
  const cert = checkSigner(o.key.certificate, [o.now ?? new Date(), signingTime]);
  const structure = readStructure(pdf);
  if (structure.encrypted) throw PdfError.encrypted();
  let doc: PDFDocument;
  try {
    doc = await PDFDocument.load(pdf, { updateMetadata: false, ignoreEncryption: true, throwOnInvalidObject: true });
    doc.getPages();
  } catch (e) {
    throw PdfError.unparseable((e as Error).message);
  }
  const ctx = doc.context;
  // New objects take numbers no section has used (not even as free entries).
  ctx.largestObjectNumber = Math.max(ctx.largestObjectNumber, structure.size - 1);
  const firstNew = ctx.largestObjectNumber + 1;
  const changed = new Set<PDFRef>();

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
  arrayIn(doc, page.node, page.ref, 'Annots', changed).push(widgetRef);
  const stamps: Array<{ appearance: PdfAppearance; text: string }> = [
    ...(o.fills ?? []).map((f) => ({ appearance: { kind: 'fill' as const, ...f }, text: f.text.trim() })),
    ...(o.notes ?? []).map((note) => ({ appearance: { kind: 'note' as const, lines: note.lines, ...(note.page !== undefined ? { page: note.page } : {}) }, text: note.lines.join('\n') })),
  ];
  for (const stamp of stamps) {
    const built = await buildAppearance(doc, stamp.appearance, signingTime);
    const target = doc.getPage(built.pageIndex);
    const r = built.rect;
    const noteRef = ctx.register(ctx.obj({
      Type: 'Annot', Subtype: 'Stamp', Rect: [r.x, r.y, r.x + r.width, r.y + r.height], P: target.ref,
      Contents: PDFHexString.fromText(stamp.text),
      F: 196, // Print + ReadOnly + Locked
      ...(built.stream ? { AP: { N: built.stream } } : {}),
    }));
    arrayIn(doc, target.node, target.ref, 'Annots', changed).push(noteRef);
  }

  const rootRef = ctx.trailerInfo.Root as PDFRef;
  let acro = doc.catalog.lookup(PDFName.of('AcroForm'));
  let acroRef: PDFRef;
  const acroRaw = doc.catalog.get(PDFName.of('AcroForm'));
  if (acroRaw instanceof PDFRef && acro instanceof PDFDict) {
    acroRef = acroRaw;
    changed.add(acroRaw);
  } else {
    if (!(acro instanceof PDFDict)) {
      acro = ctx.obj({});
      doc.catalog.set(PDFName.of('AcroForm'), acro);
    }
    acroRef = rootRef;
    changed.add(rootRef);
  }
  const acroDict = acro as PDFDict;
  arrayIn(doc, acroDict, acroRef, 'Fields', changed).push(widgetRef);
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
    '/Prop_Build << /App << /Name /SecureDesk >> >>',
    '>>\nendobj\n',
  ].join('\n');

  // The update: new and changed objects, then the xref section.
  const head = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.length);
  const parts: Buffer[] = [head];
  let pos = head.length;
  if (head[head.length - 1] !== 0x0a && head[head.length - 1] !== 0x0d) {
    parts.push(enc('\n'));
    pos++;
  }
  const offsets = new Map<number, number>();
  const gens = new Map<number, number>();
  const put = (num: number, b: Buffer, gen = 0) => {
    offsets.set(num, pos);
    gens.set(num, gen);
    parts.push(b);
    pos += b.length;
  };
  const sigOffset = pos;
  put(sigRef.objectNumber, enc(sigDict));
  for (const [ref, obj] of ctx.enumerateIndirectObjects()) {
    if (ref === sigRef || (ref.objectNumber < firstNew && !changed.has(ref))) continue;
    put(ref.objectNumber, serialize(ref, obj), ref.generationNumber);
  }
  const streamObject = ctx.largestObjectNumber + 1;
  const size = Math.max(structure.size, ctx.largestObjectNumber + 1);
  parts.push(xrefSection(structure.sections[0]!.kind, offsets, gens, pos, size, structure.startxref, trailerOf(structure), streamObject));
  const out = Buffer.concat(parts);

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
