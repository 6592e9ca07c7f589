// A namespace-aware, order-preserving tree of a packet, built on fast-xml-parser (entity
// processing off; references resolved by decodeReferences). Elements are matched by local name and
// namespace URI, never by prefix: senders write edXML:, ed:, or a default namespace.
import { randomBytes } from 'node:crypto';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { EdxmlError } from './errors';
import type { EdxmlLimits } from './limits';
import { decodeReferences, refuseDtd } from './xmlSafety';

export interface XAttr {
  qname: string;
  prefix: string | null;
  local: string;
  /** null for an unprefixed attribute, or a prefix nobody declared (read leniently). */
  ns: string | null;
  value: string;
}

export interface XElement {
  kind: 'element';
  qname: string;
  prefix: string | null;
  local: string;
  ns: string | null;
  attrs: XAttr[];
  /** Declarations on this element: prefix ('' = default) to URI ('' undeclares the default). */
  nsDecls: Map<string, string>;
  /** Everything in scope here, declarations of the ancestors included. */
  inScope: Map<string, string>;
  children: XNode[];
  parent: XElement | null;
}
export interface XText { kind: 'text'; value: string }
export interface XComment { kind: 'comment' }
export interface XPi { kind: 'pi'; target: string }
export type XNode = XElement | XText | XComment | XPi;

export const XML_NS = 'http://www.w3.org/XML/1998/namespace';

const parser = new XMLParser({
  preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '', removeNSPrefix: false, trimValues: false,
  parseTagValue: false, parseAttributeValue: false, processEntities: false, htmlEntities: false,
  commentPropName: '#comment', cdataPropName: '#cdata', ignoreDeclaration: false, ignorePiTags: false, allowBooleanAttributes: false,
});

type Raw = Record<string, unknown>;

const split = (qname: string): [string | null, string] => {
  const i = qname.indexOf(':');
  return i < 0 ? [null, qname] : [qname.slice(0, i), qname.slice(i + 1)];
};

/** Parses packet text (already decoded, DTD-free) into its root element. */
export function parseXmlTree(input: string, limits: EdxmlLimits): XElement {
  refuseDtd(input);
  // fast-xml-parser takes seconds per megabyte of one text node; attachments are megabytes of
  // base64. Their text is set aside behind a per-parse placeholder and put back into the tree.
  const nonce = randomBytes(6).toString('hex');
  const setAside: string[] = [];
  const text = setAsideBase64(input, nonce, setAside);
  const valid = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (valid !== true) throw new EdxmlError('EDXML_MALFORMED', `line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`);
  let raw: Raw[];
  try {
    raw = parser.parse(text) as Raw[];
  } catch (e) {
    throw new EdxmlError('EDXML_MALFORMED', (e as Error).message);
  }
  const roots: XElement[] = [];
  const restore = (v: string) => {
    const m = setAside.length && v.startsWith(`#b64-${nonce}-`) ? /^#b64-[0-9a-f]+-(\d+)#$/.exec(v) : null;
    return m ? decodeReferences(setAside[Number(m[1])]!) : v;
  };
  for (const item of raw) {
    const node = convert(item, null, new Map([['xml', XML_NS]]), 0, limits, restore);
    if (node?.kind === 'element') roots.push(node);
    else if (node?.kind === 'text' && node.value.trim() !== '') throw new EdxmlError('EDXML_MALFORMED', 'text outside the root element');
  }
  if (roots.length !== 1) throw new EdxmlError('EDXML_MALFORMED', `${roots.length} root elements`);
  return roots[0]!;
}

function convert(item: Raw, parent: XElement | null, scope: Map<string, string>, depth: number, limits: EdxmlLimits, restore: (v: string) => string): XNode | null {
  const key = Object.keys(item).find((k) => k !== ':@')!;
  const body = item[key];
  if (key === '#text') return { kind: 'text', value: restore(decodeReferences(String(body))) };
  if (key === '#cdata') return { kind: 'text', value: (body as Raw[]).map((t) => String(t['#text'] ?? '')).join('') };
  if (key === '#comment') return { kind: 'comment' };
  if (key.startsWith('?')) return key === '?xml' ? null : { kind: 'pi', target: key.slice(1) };
  if (depth > limits.maxDepth) throw new EdxmlError('EDXML_TOO_DEEP', `deeper than ${limits.maxDepth}`);
  const rawAttrs = (item[':@'] ?? {}) as Record<string, string>;
  const nsDecls = new Map<string, string>();
  const plain: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(rawAttrs)) {
    const v = decodeReferences(String(value)).replace(/[\t\n]/g, ' '); // attribute-value normalisation
    if (name === 'xmlns') nsDecls.set('', v);
    else if (name.startsWith('xmlns:')) nsDecls.set(name.slice(6), v);
    else plain.push([name, v]);
  }
  const inScope = nsDecls.size ? new Map([...scope, ...nsDecls]) : scope;
  const [prefix, local] = split(key);
  const ns = prefix === null ? (inScope.get('') || null) : (inScope.get(prefix) ?? null);
  const attrs: XAttr[] = plain.map(([qname, value]) => {
    const [p, l] = split(qname);
    return { qname, prefix: p, local: l, ns: p === null ? null : (inScope.get(p) ?? null), value };
  });
  const el: XElement = { kind: 'element', qname: key, prefix, local, ns, attrs, nsDecls, inScope, children: [], parent };
  for (const child of (body as Raw[]) ?? []) {
    const c = convert(child, el, inScope, depth + 1, limits, restore);
    if (c) el.children.push(c);
  }
  return el;
}

/** Replaces long ContentTransferEncoded texts by placeholders (a scan, not a regex: 100 MB of text). */
function setAsideBase64(input: string, nonce: string, store: string[]): string {
  const parts: string[] = [];
  const open = /<(?:[\w.-]+:)?ContentTransferEncoded\b[^>]*>/g;
  let pos = 0;
  for (let m = open.exec(input); m; m = open.exec(input)) {
    if (m[0].endsWith('/>')) continue;
    const start = m.index + m[0].length;
    const end = input.indexOf('<', start);
    if (end < 0) break;
    if (end - start >= 1024) {
      parts.push(input.slice(pos, start), `#b64-${nonce}-${store.length}#`);
      store.push(input.slice(start, end));
      pos = end;
    }
    open.lastIndex = end;
  }
  parts.push(input.slice(pos));
  return parts.join('');
}

// ---- reading helpers ----

export const elements = (el: XElement): XElement[] => el.children.filter((c): c is XElement => c.kind === 'element');

/** Children with one of these local names (any namespace: senders differ). */
export const childrenNamed = (el: XElement | null | undefined, ...names: string[]): XElement[] =>
  el ? elements(el).filter((c) => names.includes(c.local)) : [];

export const child = (el: XElement | null | undefined, ...names: string[]): XElement | null => childrenNamed(el, ...names)[0] ?? null;

/** The element's text (its text children joined), raw. */
export const rawText = (el: XElement | null | undefined): string =>
  el ? el.children.map((c) => (c.kind === 'text' ? c.value : '')).join('') : '';

/** Trimmed, NFC text, or null when absent or empty. */
export function textOf(el: XElement | null | undefined): string | null {
  const t = rawText(el).normalize('NFC').trim();
  return t === '' ? null : t;
}

/** Depth-first search for the first element with this local name. */
export function findDeep(el: XElement, local: string, depthLimit = 8): XElement | null {
  for (const c of elements(el)) {
    if (c.local === local) return c;
  }
  if (depthLimit === 0) return null;
  for (const c of elements(el)) {
    const f = findDeep(c, local, depthLimit - 1);
    if (f) return f;
  }
  return null;
}

export const pathOf = (el: XElement): string => (el.parent ? `${pathOf(el.parent)}/${el.local}` : el.local);
