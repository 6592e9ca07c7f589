// What a person typed in the register's search box, read once for the core (which rows) and the
// renderer (which words to mark): a number-symbol among the words, the other words as the index
// holds them, and the words typed with diacritics (they rank exact spellings first).
import { parseNumberSymbol } from './numberSymbol';
import { foldVietnamese, foldWord, hasDiacritics, prefixVariants, searchTokens, spellings } from './vietnamese';

export const MAX_QUERY_WORDS = 12;

export interface QuerySymbol {
  /** The symbol's comparison key (numberSymbol.ts symbolKey). */
  key: string;
  /** True when the symbol is the last thing typed: it may still grow, so keys beginning with `key` count. */
  prefix: boolean;
  /** Its words as the index holds them ("01/2024/NĐ-CP" -> 1 2024 nd cp), for documents that cite it. */
  tokens: string[];
}

export interface SearchQuery {
  symbol?: QuerySymbol;
  /** The other words, folded as the index holds them. */
  words: string[];
  /** The last of `words` is still being typed: it stands for every word it begins (prefixVariants). */
  lastPrefix: string[] | null;
  /** Words typed with diacritics (their correct spellings), to rank exact spellings above folded ones. */
  exact: Array<{ spellings: string[]; prefix: boolean }>;
}

const RAW_WORDS = /[\p{L}\p{M}\p{N}]+/gu;

/** A chunk of the query that reads as a number-symbol (a known shape, or one slip away from one). */
function symbolOf(chunk: string): { key: string } | null {
  if (!/^[^\p{L}\p{N}]*\d/u.test(chunk)) return null; // a symbol begins with its number: words are skipped at once
  const r = parseNumberSymbol(chunk);
  if (!r.ok || (r.verdict === 'warning' && r.code === 'unknown_shape')) return null;
  return { key: r.value.key };
}

export function parseSearchQuery(input: string): SearchQuery {
  const chunks = input.normalize('NFC').trim().split(/\s+/).filter((c) => c.length > 0);
  let symbol: QuerySymbol | undefined;
  const rest: string[] = [];
  chunks.forEach((chunk, i) => {
    const s = symbol ? null : symbolOf(chunk);
    if (s) {
      symbol = { key: s.key, prefix: i === chunks.length - 1, tokens: searchTokens(chunk).slice(0, MAX_QUERY_WORDS) };
      // "Số: 15/QĐ-UBND", "Luật số 117/2025/QH15": the label "số" is not something to find.
      if (rest.length > 0 && /^so:?$/.test(foldVietnamese(rest[rest.length - 1]!))) rest.pop();
    } else {
      rest.push(chunk);
    }
  });
  const raw = rest.join(' ').match(RAW_WORDS) ?? [];
  const words = raw.map((w) => foldWord(foldVietnamese(w))).slice(0, MAX_QUERY_WORDS);
  const lastTyped = chunks.length > 0 && !(symbol?.prefix ?? false) && words.length > 0;
  const lastRaw = raw[Math.min(raw.length, MAX_QUERY_WORDS) - 1];
  const exact = raw.slice(0, MAX_QUERY_WORDS).flatMap((w, i, all) =>
    hasDiacritics(w) ? [{ spellings: spellings(w), prefix: lastTyped && i === all.length - 1 }] : []);
  return {
    ...(symbol ? { symbol } : {}),
    words,
    lastPrefix: lastTyped && lastRaw !== undefined ? prefixVariants(lastRaw) : null,
    exact,
  };
}

export const isEmptyQuery = (q: SearchQuery): boolean => !q.symbol && q.words.length === 0;

const NOT_BEFORE = '(?<![\\p{L}\\p{M}\\p{N}])';
const NOT_AFTER = '(?![\\p{L}\\p{M}\\p{N}])';

/**
 * How well a text holds the words typed with diacritics in their exact spelling: 2 for each found as
 * a whole word, 1 for the word still being typed found as the beginning of one. Rows are ranked by it:
 * "hòa" puts "Hòa Bình" above "hoàn thiện" (a beginning) above "kế hoạch" (folded only). One regular
 * expression per word, compiled once per query: the text is not taken apart word by word.
 * null when the query has no such word.
 */
export function exactScorer(q: SearchQuery): ((text: string) => number) | null {
  if (q.exact.length === 0) return null;
  const tests = q.exact.map((e) => {
    const any = `(?:${e.spellings.join('|')})`;
    return { whole: new RegExp(NOT_BEFORE + any + NOT_AFTER, 'iu'), start: e.prefix ? new RegExp(NOT_BEFORE + any, 'iu') : null };
  });
  return (text) => {
    const t = text.normalize('NFC').replace(/[Ðð]/g, (c) => (c === 'Ð' ? 'Đ' : 'đ'));
    let score = 0;
    for (const { whole, start } of tests) {
      if (whole.test(t)) score += 2;
      else if (start?.test(t)) score += 1;
    }
    return score;
  };
}

export const exactScore = (q: SearchQuery, text: string): number => exactScorer(q)?.(text) ?? 0;

/**
 * Where a text matches the query, as [start, end) offsets into `text` itself (not normalised), sorted
 * and merged: every word the query's words find, and the runs of words that spell its number-symbol.
 */
export function highlightRanges(text: string, q: SearchQuery): Array<[number, number]> {
  if (isEmptyQuery(q) || text.length === 0) return [];
  const tokens = [...text.matchAll(RAW_WORDS)].map((m) => ({
    start: m.index,
    end: m.index + m[0].length,
    word: foldWord(foldVietnamese(m[0])),
  }));
  const whole = new Set(q.lastPrefix ? q.words.slice(0, -1) : q.words);
  const ranges: Array<[number, number]> = [];
  for (const t of tokens) {
    if (whole.has(t.word) || (q.lastPrefix?.some((p) => t.word.startsWith(p)) ?? false)) ranges.push([t.start, t.end]);
  }
  const s = q.symbol?.tokens ?? [];
  if (s.length > 0) {
    for (let i = 0; i + s.length <= tokens.length; i++) {
      const hit = s.every((w, k) => {
        const t = tokens[i + k]!.word;
        return t === w || (q.symbol!.prefix && k === s.length - 1 && t.startsWith(w));
      });
      if (hit) ranges.push([tokens[i]!.start, tokens[i + s.length - 1]!.end]);
    }
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}
