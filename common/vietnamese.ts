// Vietnamese text folding for search. unicode61's remove_diacritics does not fold đ/Đ
// (they have no canonical decomposition), so we fold ourselves and index the folded text.

const COMBINING_MARKS = /[\u0300-\u036f]/g;

/** "Đảng ủy Điện tử" -> "dang uy dien tu": NFD, strip marks, đ->d, lower-case. */
export function foldVietnamese(text: string): string {
  return text
    .normalize('NFD')
    .replace(COMBINING_MARKS, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase();
}

/** Words of a folded text: letters and digits only; punctuation separates words. */
export function searchTokens(text: string): string[] {
  return foldVietnamese(text)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

/**
 * Build an FTS5 MATCH expression from raw user input without ever passing user syntax through:
 * every word is folded and double-quoted (quotes inside are impossible after tokenising),
 * the last word is a prefix so results follow typing. Returns null when nothing searchable remains.
 */
export function ftsQueryFromInput(input: string, maxWords = 12): string | null {
  const words = searchTokens(input).slice(0, maxWords);
  if (words.length === 0) return null;
  return words.map((w, i) => (i === words.length - 1 ? `"${w}"*` : `"${w}"`)).join(' ');
}
