// A register as a PDF in the law's layout: a cover page (parent body, agency, title, year, period,
// first and last number, volume) and the table on A4 landscape, its header (titles and the column
// numbers) repeated on every page, cells wrapped, dates dd/mm/yyyy, "Trang i/N" on each page.
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import { formatDateVn } from '../../../common/dates';
import { loadFonts, type FontSet } from '../print/fonts';
import { checkRegisterInput, LAYOUTS, type Cell, type Column, type RegisterKind, type RegisterOptions, type RegisterRows } from './registers';

const PAGE: [number, number] = [841.89, 595.28];
const MARGIN = { left: 28, right: 28, top: 30, bottom: 34 };
const BODY = 8;
const HEAD = 7.5;
const PAD = 3;
const LINE = 1.25;
const BLACK = rgb(0, 0, 0);
const GREY = rgb(0.92, 0.92, 0.92);

interface Fonts {
  regular: PDFFont;
  bold: PDFFont;
}

/** The text of a cell as printed. */
export function cellText(c: Cell): string {
  if (!c) return '';
  if ('text' in c) return c.text;
  if ('number' in c) return String(c.number);
  return formatDateVn(c.date);
}

/** Lines of `text` that fit `width`: words wrap, a word longer than the width breaks where it must. */
export function wrapText(font: PDFFont, text: string, size: number, width: number): string[] {
  const out: string[] = [];
  for (const para of text.split(/\r?\n/)) {
    let line = '';
    for (const word of para.split(/\s+/).filter(Boolean)) {
      const next = line ? `${line} ${word}` : word;
      if (font.widthOfTextAtSize(next, size) <= width) {
        line = next;
        continue;
      }
      if (line) out.push(line);
      line = '';
      // A word wider than the column (a long number-symbol, a URL): break it by characters.
      let piece = '';
      for (const ch of word) {
        if (piece && font.widthOfTextAtSize(piece + ch, size) > width) {
          out.push(piece);
          piece = '';
        }
        piece += ch;
      }
      line = piece;
    }
    out.push(line);
  }
  return out.length ? out : [''];
}

function centred(page: PDFPage, font: PDFFont, text: string, size: number, y: number): void {
  const w = font.widthOfTextAtSize(text, size);
  page.drawText(text, { x: (PAGE[0] - w) / 2, y, size, font, color: BLACK });
}

function cover<K extends RegisterKind>(doc: PDFDocument, fonts: Fonts, kind: K, rows: readonly RegisterRows[K][], opts: RegisterOptions): void {
  const page = doc.addPage(PAGE);
  let y = PAGE[1] - 80;
  if (opts.parentUnitName) {
    centred(page, fonts.regular, opts.parentUnitName.toLocaleUpperCase('vi'), 13, y);
    y -= 20;
  }
  centred(page, fonts.bold, opts.unitName.toLocaleUpperCase('vi'), 14, y);
  y -= 110;
  centred(page, fonts.bold, LAYOUTS[kind].title, 22, y);
  y -= 40;
  centred(page, fonts.bold, `Năm ${opts.year}`, 15, y);
  y -= 60;
  centred(page, fonts.regular, `Từ ngày ${formatDateVn(opts.period.from)} đến ngày ${formatDateVn(opts.period.to)}`, 12, y);
  y -= 20;
  const first = LAYOUTS[kind].columns[kind === 'secret_incoming' || kind === 'incoming' ? 1 : 0]!;
  const numbers = rows.map((r) => first.cell(r as never)).map((c) => (c && 'number' in c ? c.number : NaN)).filter(Number.isFinite);
  if (numbers.length > 0) {
    centred(page, fonts.regular, `Từ số ${Math.min(...numbers)} đến số ${Math.max(...numbers)}`, 12, y);
    y -= 20;
  }
  if (opts.volume !== undefined) centred(page, fonts.regular, `Quyển số: ${opts.volume}`, 12, y);
}

interface Table {
  xs: number[];
  widths: number[];
}

function tableGeometry<R>(columns: Column<R>[]): Table {
  const total = columns.reduce((a, c) => a + c.width, 0);
  const avail = PAGE[0] - MARGIN.left - MARGIN.right;
  const widths = columns.map((c) => (c.width / total) * avail);
  const xs: number[] = [];
  let x = MARGIN.left;
  for (const w of widths) {
    xs.push(x);
    x += w;
  }
  return { xs, widths };
}

/** Draws one table row of wrapped cells at `top`; returns its height. */
function drawRow(page: PDFPage, t: Table, cells: string[][], top: number, font: PDFFont, size: number, fill?: ReturnType<typeof rgb>, centre = false): number {
  const height = Math.max(...cells.map((lines) => lines.length)) * size * LINE + 2 * PAD;
  cells.forEach((lines, i) => {
    page.drawRectangle({ x: t.xs[i]!, y: top - height, width: t.widths[i]!, height, borderColor: BLACK, borderWidth: 0.5, ...(fill ? { color: fill } : {}) });
    lines.forEach((line, j) => {
      const w = font.widthOfTextAtSize(line, size);
      const x = centre ? t.xs[i]! + (t.widths[i]! - w) / 2 : t.xs[i]! + PAD;
      page.drawText(line, { x, y: top - PAD - size * (j + 1) * LINE + size * 0.25, size, font, color: BLACK });
    });
  });
  return height;
}

/** Composes the register's PDF. Bad input is refused with a DeskError before anything is drawn. */
export async function registerPdf<K extends RegisterKind>(
  kind: K, rows: readonly RegisterRows[K][], opts: RegisterOptions, fontSet: FontSet = loadFonts(),
): Promise<Uint8Array> {
  checkRegisterInput(kind, rows, opts);
  const layout = LAYOUTS[kind];
  const columns = layout.columns as Column<RegisterRows[K]>[];
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  const fonts: Fonts = { regular: await doc.embedFont(fontSet.regular, { subset: true }), bold: await doc.embedFont(fontSet.bold, { subset: true }) };
  doc.setTitle(`${layout.title} — ${opts.unitName} — Năm ${opts.year}`);
  doc.setProducer('SecureDesk');
  cover(doc, fonts, kind, rows, opts);

  const t = tableGeometry(columns);
  const inner = (i: number) => t.widths[i]! - 2 * PAD;
  const headCells = columns.map((c, i) => wrapText(fonts.bold, c.title, HEAD, inner(i)));
  const numberCells = columns.map((_, i) => [`(${i + 1})`]);
  const heading = `${opts.unitName} — ${layout.title} — Năm ${opts.year} (từ ${formatDateVn(opts.period.from)} đến ${formatDateVn(opts.period.to)})`;

  let page!: PDFPage;
  let y = 0;
  const newPage = () => {
    page = doc.addPage(PAGE);
    y = PAGE[1] - MARGIN.top;
    const lines = wrapText(fonts.bold, heading, 9, PAGE[0] - MARGIN.left - MARGIN.right);
    for (const l of lines) {
      page.drawText(l, { x: MARGIN.left, y: y - 9, size: 9, font: fonts.bold, color: BLACK });
      y -= 9 * LINE;
    }
    y -= 6;
    y -= drawRow(page, t, headCells, y, fonts.bold, HEAD, GREY, true);
    y -= drawRow(page, t, numberCells, y, fonts.regular, HEAD - 0.5, undefined, true);
  };
  newPage();
  const bottom = MARGIN.bottom + 8;
  if (rows.length === 0) {
    page.drawText('Không có mục nào trong khoảng thời gian này.', { x: MARGIN.left, y: y - 16, size: BODY + 1, font: fonts.regular, color: BLACK });
  }
  for (const row of rows) {
    let cells = columns.map((c, i) => wrapText(fonts.regular, cellText(c.cell(row)), BODY, inner(i)));
    let height = Math.max(...cells.map((l) => l.length)) * BODY * LINE + 2 * PAD;
    if (y - height < bottom) {
      newPage();
      // A row taller than a whole page (very long notes): its cells are cut to the page, marked "…".
      const room = Math.floor((y - bottom - 2 * PAD) / (BODY * LINE));
      if (height > y - bottom) {
        cells = cells.map((lines) => (lines.length > room ? [...lines.slice(0, room - 1), `${lines[room - 1] ?? ''}…`] : lines));
        height = Math.max(...cells.map((l) => l.length)) * BODY * LINE + 2 * PAD;
      }
    }
    y -= drawRow(page, t, cells, y, fonts.regular, BODY);
  }

  const pages = doc.getPages();
  pages.forEach((p, i) => {
    const label = `Trang ${i + 1}/${pages.length}`;
    const w = fonts.regular.widthOfTextAtSize(label, 8);
    p.drawText(label, { x: (PAGE[0] - w) / 2, y: MARGIN.bottom / 2, size: 8, font: fonts.regular, color: BLACK });
  });
  return doc.save();
}
