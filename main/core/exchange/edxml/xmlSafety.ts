// What happens before any XML parser sees a packet: size, encoding, and the DTD features edXML
// never uses but attacks do (a DOCTYPE with internal entities for billion laughs, external entities
// and external DTDs for XXE). Each is refused with its own code, so the sender learns which.
import { EdxmlError } from './errors';
import type { EdxmlLimits } from './limits';

/** Decodes the packet's bytes as UTF-8 (BOM allowed) or UTF-16 with a BOM; anything else is refused. */
export function decodePacketText(bytes: Uint8Array, limits: EdxmlLimits): string {
  if (bytes.length > limits.maxPacketBytes) throw new EdxmlError('EDXML_TOO_LARGE', `${bytes.length} bytes, limit ${limits.maxPacketBytes}`);
  let label = 'utf-8';
  let start = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3;
  else if (bytes[0] === 0xff && bytes[1] === 0xfe) [label, start] = ['utf-16le', 2];
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) [label, start] = ['utf-16be', 2];
  let text: string;
  try {
    text = new TextDecoder(label, { fatal: true }).decode(bytes.subarray(start));
  } catch {
    throw new EdxmlError('EDXML_ENCODING', `bytes that are not ${label}`);
  }
  const decl = /^<\?xml[^>]*?encoding\s*=\s*["']([^"']+)["']/.exec(text);
  const declared = decl?.[1]?.toLowerCase();
  if (declared && !['utf-8', 'utf8', 'utf-16', 'utf-16le', 'utf-16be'].includes(declared)) {
    throw new EdxmlError('EDXML_ENCODING', `declared encoding ${decl![1]}`);
  }
  // XML line-end normalisation (XML 1.0 §2.11): the parser sees \n only; &#xD; survives as a reference.
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

/**
 * Refuses DTDs. Comments and CDATA are blanked first, so "<!DOCTYPE" written inside them does not
 * count; anywhere else it is markup.
 */
export function refuseDtd(text: string): void {
  const at = text.indexOf('<!');
  if (at < 0) return;
  const markup = text.replace(/<!--[\s\S]*?-->/g, '').replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '');
  const doctype = /<!DOCTYPE\b([\s\S]*?)(?:\[([\s\S]*?)\]\s*)?>/.exec(markup);
  const entity = /<!ENTITY\b/.test(markup);
  if (!doctype && !entity) return;
  const subset = doctype?.[2] ?? markup;
  const entities = [...subset.matchAll(/<!ENTITY\s+(%\s+)?([^\s]+)\s+([\s\S]*?)>/g)];
  if (entities.some((m) => /^(SYSTEM|PUBLIC)\b/.test(m[3]!.trim()))) {
    throw new EdxmlError('EDXML_EXTERNAL_ENTITY', `entity ${entities.find((m) => /^(SYSTEM|PUBLIC)\b/.test(m[3]!.trim()))![2]}`);
  }
  if (doctype && /\b(SYSTEM|PUBLIC)\b/.test(doctype[1] ?? '')) throw new EdxmlError('EDXML_EXTERNAL_ENTITY', 'an external DTD');
  if (entities.some((m) => /[&%][^\s;]+;/.test(m[3]!))) throw new EdxmlError('EDXML_ENTITY_EXPANSION', `${entities.length} entities refer to others`);
  if (entities.length > 0 || entity) throw new EdxmlError('EDXML_ENTITY_DECLARED', `${entities.length || 1} entity declaration(s)`);
  throw new EdxmlError('EDXML_DOCTYPE', 'DOCTYPE present');
}

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * Resolves the five predefined entities and character references (the only ones a DTD-less
 * document can have); anything else is refused. The parser is run with entity processing off, so
 * this is the only place a reference turns into text.
 */
export function decodeReferences(raw: string): string {
  if (!raw.includes('&')) return raw;
  if (/&(?!(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z_][\w.-]*);)/.test(raw)) throw new EdxmlError('EDXML_MALFORMED', 'a bare "&"');
  return raw.replace(/&([^;]+);/g, (_m, name: string) => {
    if (name[0] === '#') {
      const cp = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      const legal = cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
      if (!legal) throw new EdxmlError('EDXML_MALFORMED', `bad character reference &${name};`);
      return String.fromCodePoint(cp);
    }
    const v = PREDEFINED[name];
    if (v === undefined) throw new EdxmlError('EDXML_UNKNOWN_ENTITY', `&${name};`);
    return v;
  });
}
