// Vietnamese text folding for search. unicode61's remove_diacritics does not fold đ/Đ
// (they have no canonical decomposition), so we fold ourselves and index the folded text.

const COMBINING_MARKS = /[\u0300-\u036f]/g;
/** đ/Đ, and the look-alikes that legacy-font (TCVN3, VNI) conversions leave: Ð ð (eth), Ɖ ɖ (African D). */
const D_LETTERS = /[đĐÐðƉɖ]/g;

/**
 * "Đảng ủy Điện tử" -> "dang uy dien tu": NFD, strip marks, đ (and its look-alikes) -> d, lower-case.
 * Character by character (the PDF find relies on that); spelling variants are folded per word by
 * searchTokens.
 */
export function foldVietnamese(text: string): string {
  return text
    .normalize('NFD')
    .replace(COMBINING_MARKS, '')
    .replace(D_LETTERS, 'd')
    .toLowerCase();
}

// A syllable whose only vowel is a final y after its onset is written with i or y, both correct
// or in use (kỹ/kĩ, lý/lí, Mỹ/Mĩ, sĩ/sỹ, tỷ/tỉ, hy/hi, quý/quí): it is indexed with i. A y after a
// vowel (tay, này, thủy), or followed by more letters (quyết, tuyệt, yêu), stays: those spellings do
// not vary, and "tay"/"tai", "thuy"/"thui" are different words.
const I_Y_SYLLABLE = /^(b|c|ch|d|g|gh|h|k|kh|l|m|n|ng|ngh|nh|p|ph|qu|r|s|t|th|tr|v|x)y$/;

/** Folded words seen so far (a register's vocabulary is a few thousand words; reindexing reads them millions of times). */
const WORD_CACHE = new Map<string, string>();
const WORD_CACHE_MAX = 50_000;
const NON_WORD = /[^\p{L}\p{N}]+/u;
const NON_WORD_ASCII = /[^a-z0-9]+/;
// eslint-disable-next-line no-control-regex
const ASCII_ONLY = /^[\x00-\x7f]*$/;

/**
 * One folded word (as foldVietnamese leaves it) in the form the index holds: i/y spelling variants
 * as i, numbers without leading zeros (03 = 3, as in number-symbols).
 */
export function foldWord(word: string): string {
  let folded = WORD_CACHE.get(word);
  if (folded !== undefined) return folded;
  if (/^\d+$/.test(word)) folded = word.replace(/^0+(?=\d)/, '');
  else folded = I_Y_SYLLABLE.test(word) ? `${word.slice(0, -1)}i` : word;
  if (WORD_CACHE.size >= WORD_CACHE_MAX) WORD_CACHE.clear();
  WORD_CACHE.set(word, folded);
  return folded;
}

/** Words of a text as the index holds them: letters and digits only; punctuation separates words. */
export function searchTokens(text: string): string[] {
  const out: string[] = [];
  for (const w of splitFolded(foldVietnamese(text))) if (w.length > 0) out.push(foldWord(w));
  return out;
}

// Folded Vietnamese is ASCII; a split without Unicode classes is several times faster (reindexing).
const splitFolded = (folded: string): string[] => folded.split(ASCII_ONLY.test(folded) ? NON_WORD_ASCII : NON_WORD);

/** The words of a folded text (foldVietnamese), split on everything that is not a letter or a digit. */
export const foldedWords = (folded: string): string[] => splitFolded(folded).filter((w) => w.length > 0);

/**
 * The index words a typed prefix may still become. "quy" is indexed as "qui" when it is the whole
 * word, but as typed it is also the beginning of "quyet", "quyen": both prefixes count.
 */
export function prefixVariants(typed: string): string[] {
  const folded = foldVietnamese(typed);
  const word = foldWord(folded);
  return word === folded ? [word] : [word, folded];
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

// ---- Words typed with diacritics ----

/** Tone marks (the five tones besides ngang); the other marks (â ă ê ô ơ ư) change the letter. */
const TONE_MARKS = /[\u0300\u0301\u0303\u0309\u0323]/g;
const QUALITY_MARKS = /^[\u0302\u0306\u031B]$/;

/** True when a word was typed with Vietnamese marks or đ, so it can be matched exactly. */
export function hasDiacritics(word: string): boolean {
  const nfc = word.normalize('NFC').toLowerCase();
  return foldVietnamese(nfc) !== nfc;
}

/**
 * Every way a word typed with diacritics is correctly written, lower-case NFC: its tone on any of its
 * vowels (hòa and hoà, thủy and thuỷ: old and new tone placement) and, for the syllables whose i/y
 * spelling varies, with either (kỹ and kĩ). Matching the text against these finds the exact spelling
 * without reading it word by word.
 */
export function spellings(word: string): string[] {
  const nfd = word.normalize('NFD').toLowerCase().replace(/[ðɖ]/g, 'đ');
  const tone = nfd.match(TONE_MARKS)?.[0];
  const base = nfd.replace(TONE_MARKS, '');
  const bases = [base];
  const folded = foldVietnamese(base);
  if (I_Y_SYLLABLE.test(folded)) bases.push(`${base.slice(0, -1)}i`);
  else if (/^(b|c|ch|d|g|gh|h|k|kh|l|m|n|ng|ngh|nh|p|ph|qu|r|s|t|th|tr|v|x)i$/.test(folded) && !/^gi$/.test(folded)) bases.push(`${base.slice(0, -1)}y`);
  const out = new Set<string>();
  for (const b of bases) {
    if (!tone) {
      out.add(b.normalize('NFC'));
      continue;
    }
    const chars = [...b];
    chars.forEach((c, i) => {
      if (!/[aeiouy]/.test(c)) return;
      let j = i + 1;
      while (j < chars.length && QUALITY_MARKS.test(chars[j]!)) j++;
      out.add([...chars.slice(0, j), tone, ...chars.slice(j)].join('').normalize('NFC'));
    });
  }
  return [...out];
}
