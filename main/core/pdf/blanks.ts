// Where the number and the date of issue go on the draft (Nghị định 30/2020, Phụ lục I; Hướng dẫn
// 36-HD/VPTW for the party form): the header of page 1 has "Số:      /QĐ-UBND" (party: "Số      -QĐ/TU")
// under the issuer and "Quảng Ninh, ngày    tháng    năm 2026" under the national (or party) motto,
// usually on one row. The văn thư writes the number and the date into those blanks at the issue. This
// finds them in the positioned text of page 1 (pageText.ts) and says what to write where; what it does
// not find is reported, and the caller stamps that part in the top margin instead.
import fontkit from '@pdf-lib/fontkit';
import { loadFonts } from '../print/fonts';
import type { Rect } from './appearance';
import { pageText, type PageText, type TextRun } from './pageText';

/** Text to write over a blank: the rectangle (user space), the size, whether to white out placeholder dots first. */
export interface BlankFill { page: number; rect: Rect; text: string; size: number; align: 'left' | 'center' | 'right'; cover: boolean }

export type BlankMiss = 'numberNotFound' | 'numberSymbolDiffers' | 'numberTooNarrow' | 'dateNotFound' | 'dateTooNarrow';

export interface IssueBlanks {
  fills: BlankFill[];
  /** Whether the number, and the date, were placed in the draft's own blanks. */
  numberPlaced: boolean;
  datePlaced: boolean;
  /** Why a part was not placed (for the history and the log). */
  misses: BlankMiss[];
}

interface Line { y: number; size: number; text: string; xs: number[]; xe: number[] }

/** Characters that make up a blank: spaces and the placeholders drafts use (dots, ellipsis, underscores). */
const BLANK = '[\\s.…_·]';
const isPlaceholder = (s: string) => /[.…_·]/.test(s);

/** Runs on one baseline joined into lines, top to bottom, with the x extent of every character. */
function linesOf(runs: readonly TextRun[], measure: Measure): Line[] {
  const sorted = [...runs].sort((a, b) => b.y - a.y || a.x - b.x);
  const groups: TextRun[][] = [];
  for (const r of sorted) {
    const g = groups.find((x) => Math.abs(x[0]!.y - r.y) <= 0.35 * Math.max(x[0]!.size, r.size));
    if (g) g.push(r);
    else groups.push([r]);
  }
  return groups.map((g) => {
    g.sort((a, b) => a.x - b.x);
    let text = '';
    const xs: number[] = [];
    const xe: number[] = [];
    const size = Math.max(...g.map((r) => r.size));
    for (const r of g) {
      const prevEnd = xe.at(-1);
      // A gap between runs reads as a space (drafts often leave the blank as a jump of the cursor).
      if (prevEnd !== undefined && r.x - prevEnd > 0.15 * size && !/\s$/.test(text) && !/^\s/.test(r.str)) {
        text += ' ';
        xs.push(prevEnd);
        xe.push(r.x);
      }
      // pdf.js gives a run's width, not its glyphs': share it out in proportion to the characters'
      // widths in our font (close to any proportional font; an ellipsis is far wider than an "i").
      const widths = [...r.str].map((ch) => Math.max(0.05, measure(ch, 1)));
      const k = r.width / widths.reduce((a, b) => a + b, 0);
      let x = r.x;
      for (let i = 0; i < r.str.length; i++) {
        text += r.str[i];
        xs.push(x);
        x += widths[i]! * k;
        xe.push(x);
      }
    }
    return { y: g[0]!.y, size, text, xs, xe };
  });
}

/** Width of `text` at `size` in the writing font, given by the caller (pdf-lib's font metrics). */
export type Measure = (text: string, size: number) => number;

/** The size that fits `text` into `width` (down to three quarters of the line's size), or null. */
function fit(measure: Measure, text: string, size: number, width: number): number | null {
  const w = measure(text, size);
  if (w <= width - 1) return size;
  const s = (size * (width - 1)) / w;
  return s >= size * 0.75 ? s : null;
}

const dayWord = (d: number) => (d < 10 ? `0${d}` : String(d));
/** Months 1 and 2 take a leading zero (Phụ lục I: "ngày 05 tháng 02 năm 2026"). */
const monthWord = (m: number) => (m < 3 ? `0${m}` : String(m));
const norm = (s: string) => s.replace(/[\u2010-\u2015]/g, '-').replace(/\s+/g, '');

/**
 * The blanks of the header of `text` (page `page` of the draft) filled with the issued number-symbol and
 * the issue date (YYYY-MM-DD). Only the top 45% of the page is searched, the first match from the top.
 */
export function findIssueBlanks(text: PageText, page: number, numberSymbol: string, issuedDate: string, measure: Measure): IssueBlanks {
  const [, y0, , y1] = text.view;
  const top = y0 + (y1 - y0) * 0.55;
  const lines = linesOf(text.runs, measure).filter((l) => l.y >= top);
  const fills: BlankFill[] = [];
  const misses: BlankMiss[] = [];
  const box = (l: Line, x1: number, x2: number): Rect => ({ x: x1, y: l.y - 0.3 * l.size, width: x2 - x1, height: 1.3 * l.size });

  // ---- Số: the label, a blank, then the rest of the symbol ("/QĐ-UBND", "-QĐ/TU") or nothing.
  let numberPlaced = false;
  const numberRe = new RegExp(`(^|\\s)Số(\\s*:)?(${BLANK}*)([/-]\\S*)?`, 'u');
  // Without the rest of the symbol after it, a blank is only a blank after "Số:" or with placeholder
  // dots, and wide enough for a number ("Số lượng" is no blank).
  const numberLine = lines.map((l) => ({ l, m: numberRe.exec(l.text) })).find(({ l, m }) => {
    if (!m) return false;
    if (m[4]) return true;
    const from = m.index + m[1]!.length + 2 + (m[2]?.length ?? 0);
    const blank = m[3]!;
    return blank.length > 0 && (m[2] !== undefined || isPlaceholder(blank)) && (l.xs[from + blank.length] ?? l.xe[from + blank.length - 1]!) - l.xe[from - 1]! >= 2 * l.size;
  });
  if (!numberLine) misses.push('numberNotFound');
  else {
    const { l, m } = numberLine;
    const labelEnd = m!.index + m![1]!.length + 'Số'.length + (m![2]?.length ?? 0);
    const blank = m![3]!;
    const suffix = m![4];
    const start = l.xe[labelEnd - 1]!;
    const parts = /^(\d+)(.*)$/.exec(numberSymbol);
    if (suffix) {
      const end = l.xs[labelEnd + blank.length]!;
      if (!parts || norm(suffix) !== norm(parts[2]!)) misses.push('numberSymbolDiffers');
      else {
        const size = fit(measure, parts[1]!, l.size, end - start);
        if (size === null) misses.push('numberTooNarrow');
        else {
          fills.push({ page, rect: box(l, start, end), text: parts[1]!, size, align: 'right', cover: isPlaceholder(blank) });
          numberPlaced = true;
        }
      }
    } else {
      // No symbol on the draft after the label: the whole number-symbol goes into the blank.
      const placeholderEnd = labelEnd + (/^\s*[.…_·]+/.exec(blank)?.[0].length ?? 0);
      const end = placeholderEnd > labelEnd ? l.xe[placeholderEnd - 1]! : start + measure(` ${numberSymbol} `, l.size);
      const size = fit(measure, ` ${numberSymbol}`, l.size, end - start);
      if (size === null) misses.push('numberTooNarrow');
      else {
        fills.push({ page, rect: box(l, start, end), text: ` ${numberSymbol}`, size, align: 'left', cover: isPlaceholder(blank) });
        numberPlaced = true;
      }
    }
  }

  // ---- ngày … tháng … năm …: the day and the month blanks, and the year when it is not written.
  let datePlaced = false;
  const dateRe = new RegExp(`ngày(${BLANK}+)tháng(${BLANK}+)năm(${BLANK}*)(\\d{0,4}[.…_·]*)`, 'iu');
  const dateLine = lines.map((l) => ({ l, m: dateRe.exec(l.text) })).find(({ m }) => m);
  if (!dateLine) misses.push('dateNotFound');
  else {
    const { l, m } = dateLine;
    const [y, mo, d] = issuedDate.split('-').map(Number) as [number, number, number];
    const at = m!.index;
    const dayFrom = at + 'ngày'.length;
    const monthFrom = dayFrom + m![1]!.length + 'tháng'.length;
    const yearFrom = monthFrom + m![2]!.length + 'năm'.length;
    const span = (from: number, len: number) => ({ x1: l.xe[from - 1]!, x2: l.xs[from + len] ?? l.xe[from + len - 1]! });
    const planned: BlankFill[] = [];
    let narrow = false;
    const place = (from: number, blank: string, value: string) => {
      const { x1, x2 } = span(from, blank.length);
      const size = fit(measure, value, l.size, x2 - x1);
      if (size === null) narrow = true;
      else planned.push({ page, rect: box(l, x1, x2), text: value, size, align: 'center', cover: isPlaceholder(blank) });
    };
    place(dayFrom, m![1]!, dayWord(d));
    place(monthFrom, m![2]!, monthWord(mo));
    const written = m![4]!;
    if (written !== String(y)) {
      // The year is blank or partly written ("20.."): written whole over it.
      const blank = m![3]! + written;
      if (blank.trim() === '' && blank.length < 2) {
        const x1 = l.xe[yearFrom - 1]!;
        const x2 = x1 + measure(` ${y} `, l.size);
        planned.push({ page, rect: box(l, x1, x2), text: ` ${y}`, size: l.size, align: 'left', cover: false });
      } else place(yearFrom, blank, ` ${y}`);
    }
    if (narrow) misses.push('dateTooNarrow');
    else {
      fills.push(...planned);
      datePlaced = true;
    }
  }
  return { fills, numberPlaced, datePlaced, misses };
}

let measureFont: ReturnType<typeof fontkit.create> | undefined;

/** Text widths in the font the appearance writes with (DejaVu Sans, print/fonts). */
export const measureText: Measure = (s, size) => {
  measureFont ??= fontkit.create(loadFonts().regular);
  return (measureFont.layout(s).advanceWidth / measureFont.unitsPerEm) * size;
};

/** The blanks of page 1 of `pdf` filled with the number-symbol and the date of issue. */
export async function locateIssueBlanks(pdf: Uint8Array, numberSymbol: string, issuedDate: string): Promise<IssueBlanks> {
  return findIssueBlanks(await pageText(pdf, 0), 0, numberSymbol, issuedDate, measureText);
}
