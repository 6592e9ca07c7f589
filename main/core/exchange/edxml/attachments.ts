// Attachments of a packet: matched to the manifest, base64 checked strictly, sizes limited before
// decoding, bytes sniffed (a ZIP is opened to see its entries), PDF pages counted.
import { createHash } from 'node:crypto';
import { PDFDocument } from 'pdf-lib';
import type { EdxmlAttachment, EdxmlManifestRef, EdxmlProblem } from '../../../../common/edxml';
import { decodeBase64Strict, decodedLength } from './base64';
import { EdxmlError, isEdxmlError, problem } from './errors';
import type { EdxmlLimits } from './limits';
import { refineZip, sniffBytes } from './sniff';
import { readZip } from './zip';

export interface RawAttachment {
  contentId: string | null;
  name: string | null;
  description: string | null;
  declaredType: string | null;
  /** The base64 text as found. */
  base64: string;
  where: string;
}

export interface DecodedAttachment {
  meta: EdxmlAttachment;
  bytes: Buffer;
}

async function pdfPages(bytes: Uint8Array): Promise<number | null> {
  try {
    const doc = await PDFDocument.load(bytes, { ignoreEncryption: true, updateMetadata: false, throwOnInvalidObject: false });
    return doc.getPageCount();
  } catch {
    return null;
  }
}

export async function decodeAttachments(raws: readonly RawAttachment[], limits: EdxmlLimits, problems: EdxmlProblem[]): Promise<DecodedAttachment[]> {
  if (raws.length > limits.maxAttachments) throw new EdxmlError('EDXML_TOO_MANY_ATTACHMENTS', `${raws.length}, limit ${limits.maxAttachments}`);
  const out: DecodedAttachment[] = [];
  for (const r of raws) {
    const size = decodedLength(r.base64);
    if (size > limits.maxAttachmentBytes) {
      problems.push(problem('EDXML_ATTACHMENT_TOO_LARGE', 'error', r.where, `${r.name ?? r.contentId ?? '?'}: ${size} bytes, limit ${limits.maxAttachmentBytes}`));
      continue;
    }
    const bytes = decodeBase64Strict(r.base64);
    if (!bytes) {
      problems.push(problem('EDXML_BAD_BASE64', 'error', r.where, `${r.name ?? r.contentId ?? '?'}`));
      continue;
    }
    let sniffed = sniffBytes(bytes);
    let entries: EdxmlAttachment['entries'] = null;
    let pageCount: number | null = null;
    if (sniffed === 'pdf') pageCount = await pdfPages(bytes);
    if (sniffed === 'zip') {
      try {
        const zip = readZip(bytes, limits.maxZipEntries, limits.maxInflatedBytes);
        const mimetype = zip.find((e) => e.name === 'mimetype')?.bytes?.toString('latin1') ?? null;
        sniffed = refineZip(zip.map((e) => e.name), mimetype);
        if (sniffed === 'zip') {
          entries = zip.map((e) => ({ name: e.name.normalize('NFC'), size: e.size, sniffed: e.bytes ? sniffBytes(e.bytes) : 'unknown' }));
          const pdfs = zip.filter((e) => e.bytes && sniffBytes(e.bytes) === 'pdf');
          if (zip.length === 1 && pdfs.length === 1) pageCount = await pdfPages(pdfs[0]!.bytes!);
        }
      } catch (e) {
        if (!isEdxmlError(e)) throw e;
        problems.push(problem('EDXML_BAD_ZIP', 'warning', r.where, e.detail ?? e.message));
      }
    }
    out.push({
      meta: {
        contentId: r.contentId, name: r.name, description: r.description, declaredType: r.declaredType,
        size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), sniffed, entries, pageCount,
      },
      bytes,
    });
  }
  return out;
}

/** The manifest and the attachments must name the same files, one each. */
export function checkFileCounts(manifest: readonly EdxmlManifestRef[], raws: readonly RawAttachment[], problems: EdxmlProblem[]): void {
  if (manifest.length !== raws.length) {
    problems.push(problem('EDXML_FILE_COUNT', 'error', 'edXMLManifest', `the manifest lists ${manifest.length} file(s), the packet carries ${raws.length}`));
    return;
  }
  const norm = (id: string | null) => (id ?? '').replace(/^cid:/i, '').replace(/^<|>$/g, '').trim();
  const carried = raws.map((r) => norm(r.contentId));
  for (const ref of manifest) {
    const id = norm(ref.contentId);
    if (id && !carried.includes(id)) problems.push(problem('EDXML_FILE_COUNT', 'error', 'edXMLManifest', `no attachment for ${ref.contentId}`));
  }
}

/** PageAmount is the page count of the document's text: the first file of the manifest, when its pages can be counted. */
export function checkPageCount(pageAmount: number | null, attachments: readonly DecodedAttachment[], problems: EdxmlProblem[]): void {
  const main = attachments[0]?.meta;
  if (pageAmount === null || !main || main.pageCount === null) return;
  if (main.pageCount !== pageAmount) {
    problems.push(problem('EDXML_PAGE_COUNT', 'error', `OtherInfo/PageAmount`, `declared ${pageAmount}, ${main.name ?? 'the first file'} has ${main.pageCount}`));
  }
}
