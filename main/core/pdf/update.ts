// One incremental update appended to a PDF: the objects it adds and the ones it changes, then its
// xref section and trailer, in the same form as the file's newest section (a classic table, or a
// cross-reference stream). Nothing of the file is rewritten, so every earlier signature keeps
// covering the bytes it signed. Two callers: signPdf (the update carries a signature: sign.ts) and
// stampPdf (the number and date of issue, and the appendix notes, without a signature: the agency
// did not sign, the configuration allowing it).
//
// pdf-lib reads the objects and writes the new ones; it cannot append an update itself.
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFNumber, PDFRef, type PDFObject } from 'pdf-lib';
import { buildAppearance, type PdfAppearance } from './appearance';
import { PdfError } from './errors';
import { readStructure, type PdfStructure } from './structure';

export type PdfFill = Omit<Extract<PdfAppearance, { kind: 'fill' }>, 'kind'>;
export interface PdfNote { page?: number; lines: readonly string[] }

/** A PDF opened for one update: what it adds is numbered from `firstNew`; `changed` is what it rewrites. */
export interface PdfUpdate {
  doc: PDFDocument;
  structure: PdfStructure;
  firstNew: number;
  changed: Set<PDFRef>;
}

const enc = (s: string) => Buffer.from(s, 'latin1');

/**
 * The DocMDP permission of the file's certification signature (ISO 32000 12.8.2.2: 1 no change at
 * all, 2 form filling and signing, 3 also annotations), or null when the file is not certified.
 */
export function docMdpPermission(doc: PDFDocument): 1 | 2 | 3 | null {
  const perms = doc.catalog.lookup(PDFName.of('Perms'));
  const sig = perms instanceof PDFDict ? perms.lookup(PDFName.of('DocMDP')) : undefined;
  if (!(sig instanceof PDFDict)) return null;
  const refs = sig.lookup(PDFName.of('Reference'));
  if (!(refs instanceof PDFArray)) return 2;
  for (let i = 0; i < refs.size(); i++) {
    const r = refs.lookup(i);
    if (!(r instanceof PDFDict) || r.lookup(PDFName.of('TransformMethod')) !== PDFName.of('DocMDP')) continue;
    const params = r.lookup(PDFName.of('TransformParams'));
    const p = params instanceof PDFDict ? params.lookup(PDFName.of('P')) : undefined;
    const v = p instanceof PDFNumber ? p.asNumber() : 2;
    return v === 1 || v === 3 ? v : 2;
  }
  return 2;
}

/** Whether a certification signature of `pdf` allows no change at all (DocMDP P=1); an unreadable file: false (openUpdate refuses it). */
export async function forbidsChanges(pdf: Uint8Array): Promise<boolean> {
  try {
    return docMdpPermission(await PDFDocument.load(pdf, { updateMetadata: false, ignoreEncryption: true })) === 1;
  } catch {
    return false;
  }
}

/** Reads the file for an update; refused when it is encrypted, unreadable, or certified with no change allowed. */
export async function openUpdate(pdf: Uint8Array): Promise<PdfUpdate> {
  const structure = readStructure(pdf);
  if (structure.encrypted) throw PdfError.encrypted();
  let doc: PDFDocument;
  try {
    doc = await PDFDocument.load(pdf, { updateMetadata: false, ignoreEncryption: true, throwOnInvalidObject: true });
    doc.getPages();
  } catch (e) {
    throw PdfError.unparseable((e as Error).message);
  }
  // Any update breaks a certification that allows no change: refused rather than made.
  if (docMdpPermission(doc) === 1) throw PdfError.certifiedNoChanges();
  // New objects take numbers no section has used (not even as free entries).
  doc.context.largestObjectNumber = Math.max(doc.context.largestObjectNumber, structure.size - 1);
  return { doc, structure, firstNew: doc.context.largestObjectNumber + 1, changed: new Set() };
}

/** An array held by `holder` under `key`, created when absent; marks what must be rewritten. */
export function arrayIn(u: PdfUpdate, holder: PDFDict, holderRef: PDFRef, key: string): PDFArray {
  const raw = holder.get(PDFName.of(key));
  if (raw instanceof PDFRef) {
    const arr = u.doc.context.lookup(raw);
    if (arr instanceof PDFArray) {
      u.changed.add(raw);
      return arr;
    }
  }
  u.changed.add(holderRef);
  if (raw instanceof PDFArray) return raw;
  const arr = u.doc.context.obj([]);
  holder.set(PDFName.of(key), arr);
  return arr;
}

/**
 * Text stamped on pages: `fills` over the draft's blanks, `notes` at the top right of a page. Stamp
 * annotations (printed, read-only, locked), not page content: a viewer counts an annotation added
 * after a signature as an allowed change, a rewritten page content as a modification of what was signed.
 */
export async function addStamps(u: PdfUpdate, fills: readonly PdfFill[], notes: readonly PdfNote[], at: Date): Promise<void> {
  const ctx = u.doc.context;
  const stamps: Array<{ appearance: PdfAppearance; text: string }> = [
    ...fills.map((f) => ({ appearance: { kind: 'fill' as const, ...f }, text: f.text.trim() })),
    ...notes.map((note) => ({ appearance: { kind: 'note' as const, lines: note.lines, ...(note.page !== undefined ? { page: note.page } : {}) }, text: note.lines.join('\n') })),
  ];
  for (const stamp of stamps) {
    const built = await buildAppearance(u.doc, stamp.appearance, at);
    const target = u.doc.getPage(built.pageIndex);
    const r = built.rect;
    const noteRef = ctx.register(ctx.obj({
      Type: 'Annot', Subtype: 'Stamp', Rect: [r.x, r.y, r.x + r.width, r.y + r.height], P: target.ref,
      Contents: PDFHexString.fromText(stamp.text),
      F: 196, // Print + ReadOnly + Locked
      ...(built.stream ? { AP: { N: built.stream } } : {}),
    }));
    arrayIn(u, target.node, target.ref, 'Annots').push(noteRef);
  }
}

function serialize(ref: PDFRef, obj: PDFObject): Buffer {
  const body = Buffer.alloc(obj.sizeInBytes());
  obj.copyBytesInto(body, 0);
  return Buffer.concat([enc(`${ref.objectNumber} ${ref.generationNumber} obj\n`), body, enc('\nendobj\n')]);
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
 * The update's xref section and trailer after `base` (original file plus new objects): a classic
 * table, or a cross-reference stream when the file's newest section is one.
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

/**
 * The whole file: `pdf`, then the update (`lead`, an object written by hand such as the signature
 * dictionary, first; then every new and changed object; then the xref section). Returns the file and
 * where `lead` begins.
 */
export function writeUpdate(pdf: Uint8Array, u: PdfUpdate, lead?: { ref: PDFRef; bytes: Buffer }): { out: Buffer; leadOffset: number } {
  const ctx = u.doc.context;
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
  const leadOffset = pos;
  if (lead) put(lead.ref.objectNumber, lead.bytes);
  for (const [ref, obj] of ctx.enumerateIndirectObjects()) {
    if (ref === lead?.ref || (ref.objectNumber < u.firstNew && !u.changed.has(ref))) continue;
    put(ref.objectNumber, serialize(ref, obj), ref.generationNumber);
  }
  const streamObject = ctx.largestObjectNumber + 1;
  const size = Math.max(u.structure.size, ctx.largestObjectNumber + 1);
  parts.push(xrefSection(u.structure.sections[0]!.kind, offsets, gens, pos, size, u.structure.startxref, trailerOf(u.structure), streamObject));
  return { out: Buffer.concat(parts), leadOffset };
}

export interface PdfStampOptions {
  fills?: readonly PdfFill[];
  notes?: readonly PdfNote[];
  /** The time the appearances are built with. */
  at: Date;
}

/**
 * The number and date of issue (and the appendix notes) as an update WITHOUT a signature: the
 * signatures before it stay valid for their revisions and no longer cover the whole file (pdfsig:
 * "Not total document signed"); the verifier says the last revision is unsigned and what it holds.
 */
export async function stampPdf(pdf: Uint8Array, o: PdfStampOptions): Promise<Uint8Array> {
  const u = await openUpdate(pdf);
  await addStamps(u, o.fills ?? [], o.notes ?? [], o.at);
  if (u.changed.size === 0) return pdf;
  const { out } = writeUpdate(pdf, u);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}
