// What the updates after a PDF's last signature hold, so the verdict can say it instead of a bare
// "changed after signing": an issue without the agency's signature leaves one such update, with the
// number and date of issue and the appendix notes as Stamp annotations (update.ts stampPdf), and the
// reader must be able to tell that from an update that rewrote what the signer signed.
//
// Every object the later xref sections define is compared with the signed revision: a new object is
// only an addition; an object the signed revision had may be a page whose entries other than /Annots
// are unchanged, or an /Annots array that keeps every earlier entry in order; anything else changed
// something signed. The annotations added to the pages are listed with their type and text.
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFRef, type PDFObject } from 'pdf-lib';
import { decodeTextString } from './appearance';
import type { PdfStructure } from './structure';

export interface UnsignedTail {
  /** Only annotations were added: nothing the signed revision had was changed otherwise. */
  annotationsOnly: boolean;
  /** The annotations added, 1-based pages. */
  added: Array<{ page: number; subtype: string; text: string }>;
  /** Objects of the signed revision the later updates changed beyond adding annotations. */
  otherChanges: number;
}

const keyOf = (r: PDFRef) => `${r.objectNumber} ${r.generationNumber}`;

/** The page dictionary without /Annots, as text (for comparing two revisions). */
function pageWithoutAnnots(d: PDFDict): string {
  const copy = d.clone();
  copy.delete(PDFName.of('Annots'));
  return copy.toString();
}

function refsOf(a: PDFObject | undefined, doc: PDFDocument): string[] {
  const arr = a instanceof PDFRef ? doc.context.lookup(a) : a;
  if (!(arr instanceof PDFArray)) return [];
  return arr.asArray().map((x) => (x instanceof PDFRef ? keyOf(x) : x.toString()));
}

/** `signedEnd`: where the last signature's revision ends; `structure`: the whole file's xref chain. */
export async function describeUnsignedTail(pdf: Uint8Array, signedEnd: number, structure: PdfStructure, doc: PDFDocument): Promise<UnsignedTail | null> {
  let old: PDFDocument;
  try {
    old = await PDFDocument.load(pdf.subarray(0, signedEnd), { updateMetadata: false, ignoreEncryption: true });
  } catch {
    return null;
  }
  const touched = new Set<number>();
  for (const s of structure.sections) if (s.offset >= signedEnd) for (const n of s.objects.keys()) touched.add(n);
  const oldPages = old.getPages();
  const newPages = doc.getPages();
  const pageRefs = new Map(newPages.map((p, i) => [keyOf(p.ref), i]));
  const annotArrays = new Map<string, number>();
  newPages.forEach((p, i) => {
    const raw = p.node.get(PDFName.of('Annots'));
    if (raw instanceof PDFRef) annotArrays.set(keyOf(raw), i);
  });
  const refByNumber = new Map(doc.context.enumerateIndirectObjects().map(([r]) => [r.objectNumber, r]));
  let otherChanges = oldPages.length === newPages.length ? 0 : 1;
  for (const num of touched) {
    const ref = refByNumber.get(num);
    const before = ref ? old.context.lookup(ref) : undefined;
    if (!ref || before === undefined) continue; // new: an addition, judged by what refers to it
    const after = doc.context.lookup(ref);
    const page = pageRefs.get(keyOf(ref));
    if (page !== undefined && before instanceof PDFDict && after instanceof PDFDict && pageWithoutAnnots(before) === pageWithoutAnnots(after)) continue;
    if (annotArrays.has(keyOf(ref)) && before instanceof PDFArray && after instanceof PDFArray) {
      const b = refsOf(before, old);
      if (refsOf(after, doc).slice(0, b.length).join() === b.join()) continue;
    }
    // The trailer's root or an /AcroForm rewritten for a new signature field would be here too: the tail has none (it is unsigned).
    otherChanges++;
  }
  const added: UnsignedTail['added'] = [];
  newPages.forEach((p, i) => {
    const was = new Set(i < oldPages.length ? refsOf(oldPages[i]!.node.get(PDFName.of('Annots')), old) : []);
    const annots = p.node.lookup(PDFName.of('Annots'));
    if (!(annots instanceof PDFArray)) return;
    for (const x of annots.asArray()) {
      if (!(x instanceof PDFRef) || was.has(keyOf(x))) continue;
      const a = doc.context.lookup(x);
      if (!(a instanceof PDFDict)) continue;
      const sub = a.lookup(PDFName.of('Subtype'));
      added.push({ page: i + 1, subtype: sub instanceof PDFName ? sub.decodeText() : '', text: decodeTextString(a.lookup(PDFName.of('Contents'))).replace(/\s+/g, ' ').trim() });
    }
  });
  return { annotationsOnly: otherChanges === 0, added, otherChanges };
}

/** The verdict's sentence on the unsigned updates (Vietnamese, for the person). */
export function unsignedTailVi(updates: number, bytes: number, t: UnsignedTail | null): string {
  const unsigned = `${updates} lần cập nhật (${bytes} byte) KHÔNG có chữ ký số, không chữ ký nào bảo đảm phần này; các chữ ký trước chỉ bảo đảm phiên bản mà chúng đã ký.`;
  if (!t) return `Tệp đã bị sửa đổi sau khi ký: ${unsigned} Không đọc được nội dung phần cập nhật.`;
  const stamps = t.added.filter((a) => a.subtype === 'Stamp');
  const list = t.added.slice(0, 8).map((a) => `trang ${a.page}: «${a.text || `chú thích ${a.subtype}`}»`).join('; ');
  const what = t.added.length === 0 ? 'không thêm chú thích nào'
    : `thêm ${t.added.length} chú thích${stamps.length === t.added.length ? ' dạng dấu (Stamp)' : ''} (${list}${t.added.length > 8 ? '; …' : ''})`;
  return t.annotationsOnly
    ? `Tệp được ghi thêm sau chữ ký số cuối cùng: ${unsigned} Phần ghi thêm chỉ ${what}, không sửa nội dung các trang đã ký; các chú thích này hiện đè lên trang khi xem và in.`
    : `Tệp đã bị sửa đổi sau khi ký: ${unsigned} Phần cập nhật ${what} và còn sửa ${t.otherChanges} đối tượng của phiên bản đã ký: nội dung đã ký có thể đã bị thay đổi.`;
}
