// The printout of a document: its own pages, each with the law's red marks (level, urgency, the
// recall and named-person flags), a light diagonal watermark repeated across the page (who, which
// unit, when, which document, which copy) and a footer line naming the copy. The app sends this
// PDF to the printer (or saves it where policy allows), never the stored file itself.
//
// Marks are drawn in the page's displayed orientation: a page with /Rotate gets a transformation
// that undoes it, so the stamps stand upright at the top of the page as it is seen and printed.
import fontkit from '@pdf-lib/fontkit';
import {
  concatTransformationMatrix, degrees, PDFDocument, popGraphicsState, pushGraphicsState, rgb,
  type PDFEmbeddedPage, type PDFFont, type PDFPage,
} from 'pdf-lib';
import { DeskError } from '../../../common/errors';
import { SECRECY_LEVELS, URGENCY_LEVELS } from '../../../common/domain';
import { copyLabel, markStamps, watermarkLines, type DocumentMarks, type WatermarkFields } from '../../../common/marks';
import { formatDateTimeVn } from '../../../common/dates';
import { loadFonts, type FontSet } from './fonts';

/** A printout larger than this is refused: one print job, not an archive run (configurable per call). */
export const MAX_PRINT_PAGES = 1000;

export interface PrintWatermark extends WatermarkFields {
  /** This copy's number in the print run (1-based) and the run's size: "Bản số 3/5". */
  copyNumber: number;
  copyCount: number;
}

export interface PrintoutInput {
  /** The document's PDF as stored. */
  source: Uint8Array;
  marks: DocumentMarks;
  watermark: PrintWatermark;
}

export interface PrintoutOptions {
  maxPages?: number;
  /** The fonts to embed (default: the vendored DejaVu Sans). */
  fonts?: FontSet;
}

const RED = rgb(0.8, 0.05, 0.05);
const WATERMARK = rgb(0.55, 0.55, 0.6);
const FOOTER = rgb(0.25, 0.25, 0.25);

function validate(input: PrintoutInput): void {
  const { marks, watermark: w } = input;
  if (!(SECRECY_LEVELS as readonly string[]).includes(marks.secrecy)) throw DeskError.keyed('VALIDATION', 'secrecy.invalid');
  if (!(URGENCY_LEVELS as readonly string[]).includes(marks.urgency)) throw DeskError.keyed('VALIDATION', 'urgency.invalid');
  const blank = (s: unknown) => typeof s !== 'string' || s.trim() === '';
  if (blank(w.person) || blank(w.unit) || blank(w.documentNumber) || !(w.time instanceof Date) || Number.isNaN(w.time.getTime()))
    throw DeskError.keyed('VALIDATION', 'print.watermarkMissing');
  if (!Number.isInteger(w.copyNumber) || !Number.isInteger(w.copyCount) || w.copyNumber < 1 || w.copyCount < 1 || w.copyNumber > w.copyCount)
    throw DeskError.keyed('VALIDATION', 'print.copyNumber', { number: String(w.copyNumber), count: String(w.copyCount) });
}

/** "%PDF-" must open the file (readers allow up to 1 KiB of junk before it). */
function looksLikePdf(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.subarray(0, 1024)).toString('latin1');
  return head.includes('%PDF-');
}

async function openSource(source: Uint8Array, maxPages: number): Promise<PDFDocument> {
  if (!(source instanceof Uint8Array) || source.length === 0 || !looksLikePdf(source)) throw DeskError.keyed('FILE_UNREADABLE', 'print.notPdf');
  let doc: PDFDocument;
  try {
    // Encryption is detected below, to tell it apart from damage.
    doc = await PDFDocument.load(source, { ignoreEncryption: true, updateMetadata: false, throwOnInvalidObject: false });
  } catch {
    throw DeskError.keyed('FILE_UNREADABLE', 'print.damaged');
  }
  if (doc.isEncrypted) throw DeskError.keyed('FILE_UNREADABLE', 'print.encrypted');
  let pages: number;
  try {
    pages = doc.getPageCount();
  } catch {
    throw DeskError.keyed('FILE_UNREADABLE', 'print.damaged');
  }
  if (pages === 0) throw DeskError.keyed('FILE_UNREADABLE', 'print.noPages');
  if (pages > maxPages) throw DeskError.keyed('FILE_TOO_LARGE', 'print.tooManyPages', { pages, max: maxPages });
  return doc;
}

/** The page as displayed: its size and the matrix from displayed coordinates to user space. */
interface Frame {
  width: number;
  height: number;
  matrix: [number, number, number, number, number, number];
}

function frameOf(page: PDFPage): Frame {
  const { x, y, width: w, height: h } = page.getCropBox();
  const rotation = (((page.getRotation().angle % 360) + 360) % 360) as number;
  // /Rotate turns the page clockwise for display; these matrices map displayed (dx, dy) back.
  switch (rotation) {
    case 90:
      return { width: h, height: w, matrix: [0, 1, -1, 0, x + w, y] };
    case 180:
      return { width: w, height: h, matrix: [-1, 0, 0, -1, x + w, y + h] };
    case 270:
      return { width: h, height: w, matrix: [0, -1, 1, 0, x, y + h] };
    default:
      return { width: w, height: h, matrix: [1, 0, 0, 1, x, y] };
  }
}

/** The largest size up to `size` at which `text` fits in `width` (not below `min`). */
function fitSize(font: PDFFont, text: string, size: number, width: number, min: number): number {
  const at = font.widthOfTextAtSize(text, size);
  return at <= width ? size : Math.max(min, (size * width) / at);
}

/** A red stamp: bold capitals in a red rectangle, its top-left corner at (x, top). Returns its size. */
function stamp(page: PDFPage, bold: PDFFont, text: string, x: number, top: number, size: number): { w: number; h: number } {
  const padX = size * 0.45;
  const padY = size * 0.3;
  const textW = bold.widthOfTextAtSize(text, size);
  const w = textW + 2 * padX;
  const h = size * 1.15 + 2 * padY;
  page.drawRectangle({ x, y: top - h, width: w, height: h, borderColor: RED, borderWidth: Math.max(0.8, size / 11) });
  page.drawText(text, { x: x + padX, y: top - padY - size * 0.93, size, font: bold, color: RED });
  return { w, h };
}

/** The width a stamp takes at `size`. */
const stampWidth = (bold: PDFFont, text: string, size: number): number => bold.widthOfTextAtSize(text, size) + size * 0.9;

/**
 * Stamps in the top margin: the level and the urgency from the left, the flags from the right, on
 * one row when they fit; otherwise the flags take a row of their own (and a narrow page shrinks
 * them). Everything stays in the band above the text of an ordinary page (≈ 35 pt of A4's 57).
 */
function drawStamps(page: PDFPage, bold: PDFFont, left: string[], flags: string[], width: number, top: number, margin: number, k: number): void {
  const big = 13 * k;
  const small = 8.5 * k;
  const gap = 7 * k;
  const avail = width - 2 * margin;
  const sum = (texts: string[], size: number) => texts.reduce((acc, t) => acc + stampWidth(bold, t, size) + gap, 0) - (texts.length ? gap : 0);
  const leftSize = left.length ? Math.min(big, big * (avail / Math.max(avail, sum(left, big)))) : big;
  let x = margin;
  let rowBottom = top;
  for (const t of left) {
    const box = stamp(page, bold, t, x, top, leftSize);
    x += box.w + gap;
    rowBottom = Math.min(rowBottom, top - box.h);
  }
  if (flags.length === 0) return;
  const oneRow = sum(left, leftSize) + gap + sum(flags, small) <= avail;
  const flagTop = oneRow || left.length === 0 ? top : rowBottom - gap / 2;
  const flagSize = Math.min(small, small * (avail / Math.max(avail, sum(flags, small))));
  let fx = width - margin - sum(flags, flagSize);
  for (const t of flags) fx += stamp(page, bold, t, fx, flagTop, flagSize).w + gap;
}

/** Lines greedily filled from parts joined by " · ", each fitting `width` at `size`. */
function wrapParts(font: PDFFont, parts: string[], size: number, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const p of parts) {
    const next = line ? `${line} · ${p}` : p;
    if (line && font.widthOfTextAtSize(next, size) > width) {
      lines.push(line);
      line = p;
    } else line = next;
  }
  if (line) lines.push(line);
  return lines;
}

/** Sizes follow the page: an A4 width (595 pt) is the reference, small and large pages scale. */
const scaleOf = (f: { width: number; height: number }): number => Math.max(0.45, Math.min(1.5, Math.min(f.width / 595, f.height / 595)));

function drawWatermark(page: PDFPage, font: PDFFont, f: { width: number; height: number }, lines: string[], k: number): void {
  const size = 10 * k;
  const lead = size * 1.35;
  const blockW = Math.max(...lines.map((l) => font.widthOfTextAtSize(l, size)));
  const blockH = lead * lines.length;
  // Along the page's diagonal, kept between 25° and 55° so it never reads as a line of the text.
  const angle = Math.max(25, Math.min(55, (Math.atan2(f.height, f.width) * 180) / Math.PI));
  const rad = (angle * Math.PI) / 180;
  const cos = Math.cos(rad);
  const sin = Math.sin(rad);
  const stepX = blockW + 40 * k;
  const stepY = blockH + 46 * k;
  const reach = Math.hypot(f.width, f.height) / 2 + Math.max(stepX, stepY);
  const cx = f.width / 2;
  const cy = f.height / 2;
  for (let row = -Math.ceil(reach / stepY), r = 0; row <= Math.ceil(reach / stepY); row++, r++) {
    // Every other row shifted by half a block: a brick pattern leaves no clean stripe to crop.
    const shift = r % 2 === 0 ? 0 : stepX / 2;
    for (let col = -Math.ceil(reach / stepX); col <= Math.ceil(reach / stepX); col++) {
      // The block's centre in the rotated grid, then on the page.
      const u = col * stepX + shift;
      const v = row * stepY;
      const px = cx + u * cos - v * sin;
      const py = cy + u * sin + v * cos;
      if (px < -blockW / 2 || px > f.width + blockW / 2 || py < -blockW / 2 || py > f.height + blockW / 2) continue;
      lines.forEach((text, i) => {
        // Each line's start: from the block's centre, back half the block's width along the line
        // and down by its place in the block, both in the rotated direction.
        const du = -blockW / 2;
        const dv = blockH / 2 - lead * (i + 1) + (lead - size) / 2;
        page.drawText(text, {
          x: px + du * cos - dv * sin, y: py + du * sin + dv * cos, size, font, color: WATERMARK, opacity: 0.22, rotate: degrees(angle),
        });
      });
    }
  }
}

/**
 * The watermark of one displayed page size, drawn once on a scratch page and kept as a Form XObject
 * that every page of that size shows: a few hundred text runs once per size, not once per page.
 */
async function watermarkXObject(doc: PDFDocument, font: PDFFont, size: { width: number; height: number }, lines: string[]): Promise<PDFEmbeddedPage> {
  const scratch = doc.addPage([size.width, size.height]);
  drawWatermark(scratch, font, size, lines, scaleOf(size));
  const embedded = await doc.embedPage(scratch);
  doc.removePage(doc.getPageCount() - 1);
  return embedded;
}

function decoratePage(page: PDFPage, fonts: { regular: PDFFont; bold: PDFFont }, watermark: PDFEmbeddedPage, input: PrintoutInput, pageNo: number, pageCount: number): void {
  const f = frameOf(page);
  const k = scaleOf(f);
  const margin = 14 * k;
  const w = input.watermark;
  page.pushOperators(pushGraphicsState(), concatTransformationMatrix(...f.matrix));

  const s = markStamps(input.marks);
  const left = [s.secrecy, s.urgency].filter((t): t is string => t !== null);
  drawStamps(page, fonts.bold, left, s.flags, f.width, f.height - 10 * k, margin, k);

  // The footer: every watermark field once more in plain text, and the copy.
  const parts = [copyLabel(w.copyNumber, w.copyCount), w.documentNumber, `${w.person} — ${w.unit}`, formatDateTimeVn(w.time), `Trang ${pageNo}/${pageCount}`];
  const width = f.width - 2 * margin;
  const one = parts.join(' · ');
  let size = fitSize(fonts.regular, one, 7 * k, width, 5 * k);
  const lines = fonts.regular.widthOfTextAtSize(one, size) <= width ? [one] : wrapParts(fonts.regular, parts, size, width);
  // A single part longer than the page is wide (a very narrow page): smaller still.
  size = Math.min(...lines.map((l) => fitSize(fonts.regular, l, size, width, 2)));
  lines.forEach((text, i) => {
    page.drawText(text, { x: margin, y: margin * 0.6 + (lines.length - 1 - i) * size * 1.3, size, font: fonts.regular, color: FOOTER });
  });

  // Last, over everything else: the watermark is on top of the page's content, not under it.
  page.drawPage(watermark, { x: 0, y: 0 });
  page.pushOperators(popGraphicsState());
}

/** Composes the printout of one copy. Bad input is refused with a DeskError; nothing is written. */
export async function composePrintout(input: PrintoutInput, opts: PrintoutOptions = {}): Promise<Uint8Array> {
  validate(input);
  const doc = await openSource(input.source, opts.maxPages ?? MAX_PRINT_PAGES);
  doc.registerFontkit(fontkit);
  const set = opts.fonts ?? loadFonts();
  // Subsets: only the glyphs used go into the file.
  const fonts = { regular: await doc.embedFont(set.regular, { subset: true }), bold: await doc.embedFont(set.bold, { subset: true }) };
  const pages = doc.getPages();
  const lines = watermarkLines(input.watermark, input.watermark);
  const watermarks = new Map<string, PDFEmbeddedPage>();
  for (const page of pages) {
    const { width, height } = frameOf(page);
    const key = `${width}x${height}`;
    if (!watermarks.has(key)) watermarks.set(key, await watermarkXObject(doc, fonts.regular, { width, height }, lines));
  }
  pages.forEach((page, i) => {
    const { width, height } = frameOf(page);
    decoratePage(page, fonts, watermarks.get(`${width}x${height}`)!, input, i + 1, pages.length);
  });
  doc.setProducer('SecureDesk');
  return doc.save();
}
