// The visible part of a signature, as Nghị định 30/2020, Phụ lục I prescribes:
// - the signer's (người có thẩm quyền): their signature image (PNG, transparent) between their
//   position and their name;
// - the agency's (cơ quan, tổ chức) on the main document: the seal image, its real size, over about
//   the left third of the signer's signature image;
// - the agency's on an attachment: no image, the text "số, ký hiệu; thời gian ký" (ISO 8601, Vietnam
//   time) at the top right of page 1, 10 pt, black.
// The decree names Times New Roman; the app embeds the DejaVu Sans it vendors for printouts (a
// workstation's own fonts vary, and the text must carry Vietnamese diacritics).
import { PDFArray, PDFDict, PDFName, type PDFNumber, PDFRef, type PDFDocument, type PDFFont, type PDFImage } from 'pdf-lib';
import { DeskError } from '../../../common/errors';
import { loadFonts } from '../print/fonts';
import { cachedFontkit } from './fontCache';
import { PdfError } from './errors';

export interface Rect { x: number; y: number; width: number; height: number }

export type PdfAppearance =
  | { kind: 'invisible' }
  /**
   * The signer's signature: `page` 0-based (default: the last page), `rect` in PDF points from the
   * bottom left. `lines`: the competence lines above the image (org/structure.ts signatureBlock:
   * "KT. CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG"); without them, `position` alone.
   */
  | { kind: 'signer'; page?: number; rect: Rect; name: string; position?: string; lines?: readonly string[]; image?: Uint8Array }
  /**
   * The agency's seal over the left third of the signer's signature: `over` defaults to the last
   * visible signature already in the PDF; `size` defaults to the image's size at 96 dpi, capped at 4 cm.
   */
  | { kind: 'seal'; image: Uint8Array; size?: { width: number; height: number }; over?: { page: number; rect: Rect } }
  /** The agency's signature on an attachment: "số, ký hiệu; thời gian ký" at the top right of page 1. */
  | { kind: 'attachment-note'; numberSymbol: string; page?: number }
  /** Lines of text at the top right of a page (the number and date given at the issue), 10 pt, black. */
  | { kind: 'note'; lines: readonly string[]; page?: number }
  /**
   * Text written over a blank of the page (the number and date of issue in the draft's "Số: …" and
   * "ngày … tháng … năm …", blanks.ts): `rect` in user space, the baseline at 0.3 × size above its
   * bottom; `cover` whites out the placeholder dots first.
   */
  | { kind: 'fill'; page: number; rect: Rect; text: string; size: number; align: 'left' | 'center' | 'right'; cover: boolean };

export interface BuiltAppearance {
  pageIndex: number;
  rect: Rect;
  /** The form XObject of the normal appearance; null: invisible (zero rectangle on page 1). */
  stream: PDFRef | null;
}

/** 2026-12-05T11:02:03+07:00: Vietnam time, ISO 8601 (the decree's wording). */
export function isoVietnam(d: Date): string {
  return `${new Date(d.getTime() + 7 * 3600_000).toISOString().slice(0, 19)}+07:00`;
}

const n = (v: number) => (Math.round(v * 100) / 100).toString();

/**
 * The bytes in an ArrayBuffer of their own. pdf-lib's JPEG reader takes `new DataView(bytes.buffer)` and
 * ignores the view's offset, so a small Node Buffer (a slice of the shared 8 KiB pool) read as a JPEG
 * finds someone else's bytes first ("SOI not found in JPEG").
 */
export function wholeBuffer(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes);
}

async function embedImage(doc: PDFDocument, bytes: Uint8Array): Promise<PDFImage> {
  const isPng = bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  const isJpg = bytes[0] === 0xff && bytes[1] === 0xd8;
  if (!isPng && !isJpg) throw new DeskError('VALIDATION', 'Ảnh chữ ký hoặc ảnh con dấu phải là tệp PNG (nền trong suốt) hoặc JPEG.', { details: { reason: 'APPEARANCE_IMAGE', log: 'appearance image is neither PNG nor JPEG' } });
  try {
    const own = wholeBuffer(bytes);
    return isPng ? await doc.embedPng(own) : await doc.embedJpg(own);
  } catch (e) {
    throw new DeskError('VALIDATION', 'Không đọc được ảnh chữ ký hoặc ảnh con dấu.', { details: { reason: 'APPEARANCE_IMAGE', log: `appearance image: ${(e as Error).message}` } });
  }
}

/** Where existing signature widgets are: page index and rectangle, in field order. */
export function signatureWidgets(doc: PDFDocument): Array<{ name: string; page: number; rect: Rect }> {
  const pages = doc.getPages().map((p) => p.ref);
  const out: Array<{ name: string; page: number; rect: Rect }> = [];
  const visit = (d: PDFDict, name: string, inheritedFt: unknown) => {
    const t = d.lookup(PDFName.of('T'));
    const full = t ? [name, decodeTextString(t)].filter(Boolean).join('.') : name;
    const ft = d.lookup(PDFName.of('FT')) ?? inheritedFt;
    const kids = d.lookup(PDFName.of('Kids'));
    if (kids instanceof PDFArray) for (let i = 0; i < kids.size(); i++) { const k = kids.lookup(i); if (k instanceof PDFDict) visit(k, full, ft); }
    if (ft !== PDFName.of('Sig') || d.lookup(PDFName.of('Subtype')) !== PDFName.of('Widget')) return;
    const r = d.lookup(PDFName.of('Rect'));
    const p = d.get(PDFName.of('P'));
    if (!(r instanceof PDFArray) || r.size() !== 4) return;
    const [x1, y1, x2, y2] = [0, 1, 2, 3].map((i) => (r.lookup(i) as PDFNumber).asNumber()) as [number, number, number, number];
    const page = p instanceof PDFRef ? pages.findIndex((ref) => ref === p || (ref.objectNumber === p.objectNumber)) : -1;
    if (x2 - x1 > 0 && y2 - y1 > 0) out.push({ name: full, page, rect: { x: Math.min(x1, x2), y: Math.min(y1, y2), width: Math.abs(x2 - x1), height: Math.abs(y2 - y1) } });
  };
  const acro = doc.catalog.lookup(PDFName.of('AcroForm'));
  const fields = acro instanceof PDFDict ? acro.lookup(PDFName.of('Fields')) : undefined;
  if (fields instanceof PDFArray) for (let i = 0; i < fields.size(); i++) { const f = fields.lookup(i); if (f instanceof PDFDict) visit(f, '', undefined); }
  return out;
}

/** A PDF text string (PDFString or PDFHexString; PDFDocEncoding or UTF-16BE with BOM) as JS text. */
export function decodeTextString(o: unknown): string {
  const v = o as { decodeText?: () => string };
  return typeof v?.decodeText === 'function' ? v.decodeText() : '';
}

type Fonts = Partial<Record<'F1' | 'F2', PDFFont>>;

class Painter {
  private readonly ops: string[] = [];
  constructor(private readonly fonts: Fonts) {}

  /** One line of text centred (or right-aligned) in [x, x + width], shrunk to fit. */
  text(s: string, font: 'F1' | 'F2', size: number, x: number, y: number, width: number, align: 'center' | 'right' | 'left' = 'center'): void {
    if (!s) return;
    const f = this.fonts[font]!;
    const fit = Math.min(size, (width / Math.max(1, f.widthOfTextAtSize(s, 1))) * 0.98);
    const w = f.widthOfTextAtSize(s, fit);
    const tx = align === 'center' ? x + (width - w) / 2 : align === 'right' ? x + width - w : x;
    this.ops.push(`BT /${font} ${n(fit)} Tf ${n(tx)} ${n(y)} Td ${f.encodeText(s).toString()} Tj ET`);
  }

  /** A white box (over a blank's placeholder dots). */
  cover(width: number, height: number): void {
    this.ops.push(`q 1 g 0 0 ${n(width)} ${n(height)} re f Q`);
  }

  image(name: string, img: PDFImage, box: Rect): void {
    const scale = Math.min(box.width / img.width, box.height / img.height);
    const w = img.width * scale;
    const h = img.height * scale;
    this.ops.push(`q ${n(w)} 0 0 ${n(h)} ${n(box.x + (box.width - w) / 2)} ${n(box.y + (box.height - h) / 2)} cm /${name} Do Q`);
  }

  content(): string {
    return `0 g\n${this.ops.join('\n')}\n`;
  }
}

function pageBox(doc: PDFDocument, index: number): Rect {
  const page = doc.getPage(index);
  const b = page.getCropBox();
  return { x: b.x, y: b.y, width: b.width, height: b.height };
}

/** Builds the appearance stream (and places it) for `a`; signingTime feeds the attachment note. */
export async function buildAppearance(doc: PDFDocument, a: PdfAppearance, signingTime: Date): Promise<BuiltAppearance> {
  const pageCount = doc.getPageCount();
  if (pageCount === 0) throw new PdfError('VALIDATION', 'PDF_NO_PAGE', 'Tệp PDF không có trang nào để đặt chữ ký.', 'the PDF has no pages');
  if (a.kind === 'invisible') return { pageIndex: 0, rect: { x: 0, y: 0, width: 0, height: 0 }, stream: null };

  // Only the faces the appearance writes with are embedded (a seal has no text at all).
  const faces: Array<'F1' | 'F2'> = a.kind === 'signer' ? (a.image ? ['F2'] : ['F1', 'F2']) : a.kind === 'attachment-note' || a.kind === 'note' || a.kind === 'fill' ? ['F1'] : [];
  const fonts: Fonts = {};
  if (faces.length) {
    doc.registerFontkit(cachedFontkit);
    const { regular, bold } = loadFonts();
    for (const f of faces) fonts[f] = await doc.embedFont(f === 'F1' ? regular : bold, { subset: true });
  }
  const p = new Painter(fonts);
  const xobjects: Record<string, PDFRef> = {};
  let pageIndex: number;
  let rect: Rect;

  const checkPage = (i: number) => {
    if (!Number.isInteger(i) || i < 0 || i >= pageCount) throw new PdfError('VALIDATION', 'PDF_NO_PAGE', `Tệp PDF không có trang ${i + 1} để đặt chữ ký.`, `page index ${i} is out of range (${pageCount} pages)`);
    return i;
  };

  if (a.kind === 'signer') {
    pageIndex = checkPage(a.page ?? pageCount - 1);
    rect = a.rect;
    const { width: w, height: h } = rect;
    // The competence lines (at most three) on top, the name at the bottom, the image between.
    const heading = (a.lines?.length ? a.lines : [a.position ?? '']).filter(Boolean).slice(0, 3);
    heading.forEach((l, i) => p.text(l, 'F2', 10, 0, h - 11 - i * 11, w));
    p.text(a.name, 'F2', 10, 0, 3, w);
    const top = h - Math.max(1, heading.length) * 11 - 4;
    if (a.image) {
      const img = await embedImage(doc, a.image);
      xobjects.Im1 = img.ref;
      p.image('Im1', img, { x: 0, y: 15, width: w, height: Math.max(1, top - 15) });
    } else {
      const mid = (top + 15) / 2;
      p.text('Đã ký số', 'F1', 9, 0, mid + 2, w);
      p.text(isoVietnam(signingTime), 'F1', 7, 0, mid - 8, w);
    }
  } else if (a.kind === 'seal') {
    const over = a.over ?? signatureWidgets(doc).filter((x) => x.page >= 0).at(-1);
    if (!over) throw new DeskError('VALIDATION', 'Chưa có chữ ký của người có thẩm quyền để đóng dấu lên; hãy ký trước hoặc chỉ rõ vị trí.', { details: { reason: 'SEAL_WITHOUT_SIGNATURE', log: 'seal appearance: no visible signature to overlap and no position given' } });
    pageIndex = checkPage(over.page);
    const img = await embedImage(doc, a.image);
    xobjects.Im1 = img.ref;
    // A seal is about 35-40 mm; an image without a size is taken at 96 dpi, at most 4 cm wide.
    const maxW = (40 / 25.4) * 72;
    const natural = { width: (img.width * 72) / 96, height: (img.height * 72) / 96 };
    const k = Math.min(1, maxW / natural.width);
    const size = a.size ?? { width: natural.width * k, height: natural.height * k };
    // The seal's right edge at one third of the signer's signature: it covers its left third.
    rect = { x: over.rect.x + over.rect.width / 3 - size.width, y: over.rect.y + (over.rect.height - size.height) / 2, width: size.width, height: size.height };
    p.image('Im1', img, { x: 0, y: 0, width: size.width, height: size.height });
  } else if (a.kind === 'fill') {
    pageIndex = checkPage(a.page);
    rect = a.rect;
    if (a.cover) p.cover(rect.width, rect.height);
    p.text(a.text, 'F1', a.size, 0, 0.3 * a.size, rect.width, a.align);
  } else {
    // Top right of the page, 20 pt from its edges: in the margin, above the text of any page laid out
    // by the decree (top margin 20–25 mm).
    pageIndex = checkPage(a.page ?? 0);
    const box = pageBox(doc, pageIndex);
    const lines = (a.kind === 'attachment-note' ? [a.numberSymbol, isoVietnam(signingTime)] : [...a.lines]).filter(Boolean);
    if (lines.length === 0) throw new PdfError('VALIDATION', 'PDF_NO_PAGE', 'Không có nội dung để ghi lên trang.', 'note appearance without lines');
    const width = Math.max(...lines.map((l) => fonts.F1!.widthOfTextAtSize(l, 10))) + 4;
    const height = lines.length * 12 + 2;
    const margin = 20;
    rect = { x: box.x + box.width - margin - width, y: box.y + box.height - margin - height, width, height };
    lines.forEach((l, i) => p.text(l, 'F1', 10, 0, height - 11 - i * 12, width - 2, 'right'));
  }

  await doc.flush();
  const ctx = doc.context;
  const resources = ctx.obj({
    ...(faces.length ? { Font: Object.fromEntries(faces.map((f) => [f, fonts[f]!.ref])) } : {}),
    ...(Object.keys(xobjects).length ? { XObject: xobjects } : {}),
  });
  const stream = ctx.flateStream(p.content(), { Type: 'XObject', Subtype: 'Form', BBox: [0, 0, rect.width, rect.height], Resources: resources });
  return { pageIndex, rect, stream: ctx.register(stream) };
}
