// Find in a PDF, accent-insensitive with the same folding as the search index (common/vietnamese):
// "dang uy" finds "Đảng ủy". Each page's text items are folded character by character while
// remembering where every folded character came from, so a match maps back to spans of the
// text layer to highlight.
import { foldVietnamese } from '../../../../common/vietnamese';

export interface PageText {
  /** Folded text of the page, whitespace runs collapsed to one space. */
  folded: string;
  /** For each folded character: the text item it came from (-1 for a separator) … */
  item: Int32Array;
  /** … and its offset and length (UTF-16 code units) in that item's string. */
  offset: Int32Array;
  length: Int32Array;
}

export interface TextItemLike {
  str: string;
  hasEOL?: boolean;
}

export function buildPageText(items: TextItemLike[]): PageText {
  let folded = '';
  const item: number[] = [];
  const offset: number[] = [];
  const length: number[] = [];
  const push = (ch: string, i: number, off: number, len: number) => {
    if (/\s/.test(ch)) {
      if (folded.length === 0 || folded.endsWith(' ')) return;
      ch = ' ';
    }
    folded += ch;
    item.push(i);
    offset.push(off);
    length.push(len);
  };
  items.forEach((it, i) => {
    let off = 0;
    for (const ch of it.str) {
      for (const f of foldVietnamese(ch)) push(f, i, off, ch.length);
      off += ch.length;
    }
    if (it.hasEOL) push(' ', -1, 0, 0);
  });
  return { folded, item: Int32Array.from(item), offset: Int32Array.from(offset), length: Int32Array.from(length) };
}

/** The folded form of what the person typed, or '' when there is nothing to look for. */
export const foldQuery = (q: string): string => foldVietnamese(q.normalize('NFC')).replace(/\s+/g, ' ').trim();

/** Start offsets (in folded text) of every occurrence of a folded query. */
export function findAll(text: PageText, query: string): number[] {
  const out: number[] = [];
  if (!query) return out;
  for (let i = text.folded.indexOf(query); i >= 0; i = text.folded.indexOf(query, i + query.length)) out.push(i);
  return out;
}

export interface ItemRange {
  item: number;
  start: number;
  end: number;
}

/** The parts of text items a match covers (a match may run over several items). */
export function matchRanges(text: PageText, start: number, length: number): ItemRange[] {
  const out: ItemRange[] = [];
  for (let p = start; p < start + length; p++) {
    const i = text.item[p]!;
    if (i < 0) continue;
    const s = text.offset[p]!;
    const e = s + text.length[p]!;
    const last = out.at(-1);
    if (last && last.item === i) {
      last.start = Math.min(last.start, s);
      last.end = Math.max(last.end, e);
    } else out.push({ item: i, start: s, end: e });
  }
  return out;
}
