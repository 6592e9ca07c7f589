// What an attachment is, judged by its bytes: senders label a ZIP as application/pdf and a PDF as
// .doc. The declared type and name are kept as written; this is what the reader trusts.
import type { EdxmlSniffedKind } from '../../../../common/edxml';

const starts = (b: Uint8Array, sig: readonly number[], at = 0) => sig.every((v, i) => b[at + i] === v);
const ascii = (b: Uint8Array, n: number) => Buffer.from(b.buffer, b.byteOffset, Math.min(n, b.byteLength)).toString('latin1');

export function sniffBytes(b: Uint8Array): EdxmlSniffedKind {
  if (b.length === 0) return 'empty';
  if (ascii(b, 1024).includes('%PDF-')) return 'pdf';
  if (starts(b, [0x50, 0x4b, 0x03, 0x04]) || starts(b, [0x50, 0x4b, 0x05, 0x06])) return 'zip';
  if (starts(b, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return 'doc';
  if (starts(b, [0x89, 0x50, 0x4e, 0x47])) return 'png';
  if (starts(b, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (starts(b, [0x49, 0x49, 0x2a, 0x00]) || starts(b, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  if (b[0] === 0x30 && ascii(b, 24).includes('\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07')) return 'cms';
  const head = Buffer.from(b.buffer, b.byteOffset, Math.min(4096, b.byteLength)).toString('utf8').replace(/^\uFEFF/, '').trimStart();
  if (head.startsWith('<')) return /edXML|QCVN_102_2016|e-doc\.vn\/Schema/.test(head) ? 'edxml' : 'xml';
  // eslint-disable-next-line no-control-regex
  if (!/[\x00-\x08\x0e-\x1f]/.test(head) && !head.includes('\uFFFD')) return 'text';
  return 'unknown';
}

/** Refines a ZIP by its entry names: Office Open XML and OpenDocument are ZIPs too. */
export function refineZip(names: readonly string[], mimetype: string | null): EdxmlSniffedKind {
  if (names.includes('[Content_Types].xml')) {
    if (names.some((n) => n.startsWith('word/'))) return 'docx';
    if (names.some((n) => n.startsWith('xl/'))) return 'xlsx';
  }
  if (mimetype?.startsWith('application/vnd.oasis.opendocument')) return 'odt';
  return 'zip';
}

export const SNIFFED_MIME: Record<EdxmlSniffedKind, string> = {
  pdf: 'application/pdf', zip: 'application/zip', docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', odt: 'application/vnd.oasis.opendocument.text',
  doc: 'application/msword', xml: 'application/xml', edxml: 'application/xml', png: 'image/png', jpeg: 'image/jpeg', tiff: 'image/tiff',
  cms: 'application/pkcs7-mime', text: 'text/plain', empty: 'application/octet-stream', unknown: 'application/octet-stream',
};
