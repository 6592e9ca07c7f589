// The legacy SOAP form of the axis (e-doc.vn) carries its files as MIME parts beside the SOAP XML
// (multipart/related). Only base64 parts are read: the packet arrives as text.
import { EdxmlError } from './errors';

export interface MimePart {
  headers: Record<string, string>;
  body: string;
}

export const looksLikeMime = (text: string): boolean => /^(--\S|MIME-Version:|Content-Type:\s*multipart\/)/i.test(text.trimStart());

export function splitMime(text: string): { xml: string; parts: MimePart[] } {
  const t = text.trimStart();
  const declared = /boundary="?([^";\n]+)"?/i.exec(t.slice(0, 2000))?.[1];
  const boundary = declared ?? /^--(\S+)/m.exec(t)?.[1];
  if (!boundary) throw new EdxmlError('EDXML_MALFORMED', 'MIME without a boundary');
  const pieces = t.split(new RegExp(`^--${boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:--)?\\s*$`, 'm')).slice(1);
  const parts: MimePart[] = [];
  for (const piece of pieces) {
    const body = piece.replace(/^\n/, '');
    if (body.trim() === '') continue;
    const sep = body.indexOf('\n\n');
    if (sep < 0) continue;
    const headers: Record<string, string> = {};
    for (const line of body.slice(0, sep).split('\n')) {
      const i = line.indexOf(':');
      if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    parts.push({ headers, body: body.slice(sep + 2).replace(/\n$/, '') });
  }
  const xmlPart = parts.find((p) => /xml/i.test(p.headers['content-type'] ?? '')) ?? parts[0];
  if (!xmlPart) throw new EdxmlError('EDXML_MALFORMED', 'MIME without parts');
  return { xml: xmlPart.body.trim(), parts: parts.filter((p) => p !== xmlPart) };
}
