// What a file is, judged by its bytes first and its name second.
import { extname } from 'node:path';

const BY_EXTENSION: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.doc': 'application/msword',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.xls': 'application/vnd.ms-excel',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.odt': 'application/vnd.oasis.opendocument.text',
  '.zip': 'application/zip',
  '.xml': 'application/xml',
  '.txt': 'text/plain',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
};

/** A PDF starts with "%PDF-" within its first 1024 bytes (the spec tolerates leading junk). */
export function looksLikePdf(head: Buffer): boolean {
  return head.subarray(0, 1024).includes('%PDF-');
}

export function mimeFor(name: string, head: Buffer): string {
  if (looksLikePdf(head)) return 'application/pdf';
  const byName = BY_EXTENSION[extname(name).toLowerCase()];
  // A file named .pdf that is not a PDF must not be served as one.
  if (byName && byName !== 'application/pdf') return byName;
  return 'application/octet-stream';
}

/** Keeps a file name displayable and harmless: no path parts, no control characters. */
export function cleanFileName(name: string): string {
  const base = name.replace(/\\/g, '/').split('/').pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const cleaned = base.normalize('NFC').replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 255);
  return cleaned.length > 0 ? cleaned : 'tep-dinh-kem';
}
