// Canonical XML 1.0 (inclusive) and Exclusive XML Canonicalization 1.0, both without comments, over
// the tree of xmlTree.ts: what XML-DSig digests and signs. `omit` drops one subtree (the
// enveloped-signature transform). Only what packets use is covered: no InclusiveNamespaces prefix
// list, no xml:* attribute inheritance (edXML packets carry none).
import { elements, type XElement } from './xmlTree';

export type C14nMode = 'c14n' | 'exc-c14n';

export const C14N_ALGORITHMS: Record<string, { mode: C14nMode; comments: boolean }> = {
  'http://www.w3.org/TR/2001/REC-xml-c14n-20010315': { mode: 'c14n', comments: false },
  'http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments': { mode: 'c14n', comments: true },
  'http://www.w3.org/2001/10/xml-exc-c14n#': { mode: 'exc-c14n', comments: false },
  'http://www.w3.org/2001/10/xml-exc-c14n#WithComments': { mode: 'exc-c14n', comments: true },
  // Seen in the wild (the national axis SDK's samples): a typo'd exc-c14n URI, read as exc-c14n.
  'http://www.w3.org/TR/xml-exc-c14n#': { mode: 'exc-c14n', comments: false },
};

const escText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#xD;');
const escAttr = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;').replace(/\t/g, '&#x9;').replace(/\n/g, '&#xA;').replace(/\r/g, '&#xD;');

/** Canonical form of `apex` and its subtree (minus `omit`), in the namespace context of its ancestors. */
export function canonicalize(apex: XElement, mode: C14nMode, omit: XElement | null = null): string {
  const out: string[] = [];
  walk(apex, new Map(), mode, omit, out);
  return out.join('');
}

function walk(el: XElement, rendered: Map<string, string>, mode: C14nMode, omit: XElement | null, out: string[]): void {
  const candidates = new Set<string>();
  if (mode === 'c14n') for (const p of el.inScope.keys()) candidates.add(p);
  else {
    candidates.add(el.prefix ?? '');
    for (const a of el.attrs) if (a.prefix !== null && a.prefix !== 'xml') candidates.add(a.prefix);
  }
  candidates.delete('xml');
  const decls: Array<[string, string]> = [];
  const next = new Map(rendered);
  for (const p of candidates) {
    const uri = el.inScope.get(p);
    if (p === '') {
      const value = uri ?? '';
      const prior = rendered.get('') ?? '';
      if (value !== prior) {
        decls.push(['', value]);
        next.set('', value);
      }
    } else if (uri !== undefined && rendered.get(p) !== uri) {
      decls.push([p, uri]);
      next.set(p, uri);
    }
  }
  decls.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const attrs = [...el.attrs].sort((a, b) => {
    const na = a.ns ?? '';
    const nb = b.ns ?? '';
    if (na !== nb) return na < nb ? -1 : 1;
    return a.local < b.local ? -1 : a.local > b.local ? 1 : 0;
  });
  out.push('<', el.qname);
  for (const [p, uri] of decls) out.push(p === '' ? ' xmlns="' : ` xmlns:${p}="`, escAttr(uri), '"');
  for (const a of attrs) out.push(' ', a.qname, '="', escAttr(a.value), '"');
  out.push('>');
  for (const c of el.children) {
    if (c.kind === 'text') out.push(escText(c.value));
    else if (c.kind === 'element' && c !== omit) walk(c, next, mode, omit, out);
    else if (c.kind === 'pi') out.push(`<?${c.target}?>`);
  }
  out.push('</', el.qname, '>');
}

/** Whether `el` lies inside `ancestor` (or is it). */
export function within(el: XElement, ancestor: XElement): boolean {
  for (let e: XElement | null = el; e; e = e.parent) if (e === ancestor) return true;
  return false;
}

export const hasElements = (el: XElement): boolean => elements(el).length > 0;
