// A closed work file as one PDF: a table of contents (mục lục văn bản, with the page each document
// starts on), then the documents' own PDFs, merged unchanged, in date order. DejaVu Sans (vendored,
// embedded as a subset) writes the Vietnamese of the contents; PDF's standard fonts have no such glyphs.
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import { formatDateVn } from '../../../common/dates';
import { SECRECY_LABELS, type Secrecy } from '../../../common/domain';
import { loadFonts } from '../print/fonts';

export interface TocDocument {
  numberSymbol: string;
  documentDate: string;
  issuer: string;
  subject: string;
  secrecy: Secrecy;
  /** The document's PDFs (main file and appendices), in order. */
  pdfs: PDFDocument[];
}

export interface FileHeading { unitName: string; code: string; title: string; secrecy: Secrecy; retention: string; closedOn: string }

const A4 = { w: 595.28, h: 841.89 };
const MARGIN = { l: 56, r: 42, t: 56, b: 56 };
const SIZE = 10;
const LINE = 13;
const COLS = [
  { key: 'no', title: 'STT', w: 30 },
  { key: 'number', title: 'Số, ký hiệu', w: 95 },
  { key: 'date', title: 'Ngày, tháng', w: 68 },
  { key: 'subject', title: 'Cơ quan ban hành, trích yếu', w: 264 },
  { key: 'page', title: 'Trang', w: 40 },
] as const;

export function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(/\s+/).filter(Boolean)) {
      const next = line ? `${line} ${word}` : word;
      if (font.widthOfTextAtSize(next, size) <= width) { line = next; continue; }
      if (line) lines.push(line);
      // A word wider than the column is cut.
      let w = word;
      while (font.widthOfTextAtSize(w, size) > width && w.length > 1) {
        let k = w.length - 1;
        while (k > 1 && font.widthOfTextAtSize(w.slice(0, k), size) > width) k--;
        lines.push(w.slice(0, k));
        w = w.slice(k);
      }
      line = w;
    }
    lines.push(line);
  }
  return lines;
}

interface Row { cells: string[][]; height: number }

/** The merged file and where each document starts (1-based pages of the result). */
export async function composeFilePdf(heading: FileHeading, docs: TocDocument[]): Promise<{ bytes: Uint8Array; tocPages: number; starts: number[]; pages: number }> {
  const out = await PDFDocument.create();
  out.registerFontkit(fontkit);
  const fonts = loadFonts();
  const regular = await out.embedFont(fonts.regular, { subset: true });
  const bold = await out.embedFont(fonts.bold, { subset: true });
  const docPages = docs.map((d) => d.pdfs.reduce((n, p) => n + p.getPageCount(), 0));

  // The rows' heights do not depend on the page numbers: lay out once to count the contents' pages.
  const rowsOf = (starts: number[]): Row[] => docs.map((d, i) => {
    const texts = [String(i + 1), d.numberSymbol, formatDateVn(d.documentDate), `${d.issuer}: ${d.subject}${d.secrecy === 'thuong' ? '' : ` (${SECRECY_LABELS[d.secrecy]})`}`, String(starts[i] ?? '')];
    const cells = texts.map((t, k) => wrap(t, regular, SIZE, COLS[k]!.w - 6));
    return { cells, height: Math.max(...cells.map((c) => c.length)) * LINE + 6 };
  });
  const headerBlock = (first: boolean): number => (first ? 154 + wrap(heading.title, bold, 12, A4.w - MARGIN.l - MARGIN.r).length * 16 : 0) + 22;
  const paginate = (rows: Row[]): Row[][] => {
    const pages: Row[][] = [[]];
    let y = A4.h - MARGIN.t - headerBlock(true);
    for (const r of rows) {
      if (y - r.height < MARGIN.b + 20 && pages.at(-1)!.length > 0) {
        pages.push([]);
        y = A4.h - MARGIN.t - headerBlock(false);
      }
      pages.at(-1)!.push(r);
      y -= r.height;
    }
    return pages;
  };
  const tocPages = paginate(rowsOf([])).length;
  const starts: number[] = [];
  let next = tocPages + 1;
  for (const n of docPages) { starts.push(next); next += n; }
  const laid = paginate(rowsOf(starts));

  const centre = (page: PDFPage, text: string, y: number, font: PDFFont, size: number) =>
    page.drawText(text, { x: (A4.w - font.widthOfTextAtSize(text, size)) / 2, y, size, font });
  laid.forEach((rows, p) => {
    const page = out.addPage([A4.w, A4.h]);
    let y = A4.h - MARGIN.t;
    if (heading.secrecy !== 'thuong') page.drawText(SECRECY_LABELS[heading.secrecy].toUpperCase(), { x: MARGIN.l, y: y + 20, size: 12, font: bold, color: rgb(0.8, 0, 0) });
    if (p === 0) {
      centre(page, heading.unitName.toUpperCase(), y, bold, 11); y -= 34;
      centre(page, 'MỤC LỤC VĂN BẢN', y, bold, 14); y -= 20;
      centre(page, `Hồ sơ số: ${heading.code}`, y, regular, 11); y -= 20;
      for (const l of wrap(heading.title, bold, 12, A4.w - MARGIN.l - MARGIN.r)) { centre(page, l, y, bold, 12); y -= 16; }
      y -= 4;
      centre(page, `Thời hạn bảo quản: ${heading.retention} — Ngày kết thúc: ${formatDateVn(heading.closedOn)}`, y, regular, 10); y -= 18;
      centre(page, `Số văn bản: ${docs.length} — Tổng số trang: ${next - 1}`, y, regular, 10); y -= 58;
    }
    // The column titles on every page.
    let x = MARGIN.l;
    const headTop = y;
    for (const c of COLS) {
      page.drawRectangle({ x, y: headTop - 20, width: c.w, height: 20, borderWidth: 0.6, borderColor: rgb(0, 0, 0) });
      page.drawText(c.title, { x: x + 3, y: headTop - 14, size: 9, font: bold });
      x += c.w;
    }
    y = headTop - 20;
    for (const r of rows) {
      x = MARGIN.l;
      r.cells.forEach((lines, k) => {
        const c = COLS[k]!;
        page.drawRectangle({ x, y: y - r.height, width: c.w, height: r.height, borderWidth: 0.6, borderColor: rgb(0, 0, 0) });
        lines.forEach((l, j) => page.drawText(l, { x: x + 3, y: y - 12 - j * LINE, size: SIZE, font: regular }));
        x += c.w;
      });
      y -= r.height;
    }
    const foot = `Mục lục — trang ${p + 1}/${laid.length}`;
    page.drawText(foot, { x: A4.w - MARGIN.r - regular.widthOfTextAtSize(foot, 9), y: MARGIN.b - 24, size: 9, font: regular });
  });
  for (const d of docs) for (const src of d.pdfs) for (const page of await out.copyPages(src, src.getPageIndices())) out.addPage(page);
  out.setTitle(`${heading.code} — ${heading.title}`);
  out.setCreator('SecureDesk');
  out.setProducer('SecureDesk');
  return { bytes: await out.save(), tocPages, starts, pages: out.getPageCount() };
}
