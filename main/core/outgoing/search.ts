// The outgoing register's search: a document matches when every word of the query (folded: no
// diacritics needed, đ = d) is among its metadata's words (subject, number-symbol, notes, drafting
// unit; read from the row, so every change is searched at once) or among the words read from its
// current files by the OCR job, which the compartment's outgoing_fts holds (folded words only, under
// the level's key: never in clear on disk). The last word may be unfinished: it matches as a prefix.
import { searchTokens } from '../../../common/vietnamese';
import { cached } from '../db/statements';
import type { Db } from '../db/connection';
import { hasOutgoingOcr } from '../ocr/queue';
import type { OutgoingDbRow } from './records';

type Row = Pick<OutgoingDbRow, 'id' | 'subject' | 'number_symbol' | 'notes' | 'drafting_unit'>;

/** A test for the rows of compartment `c`, or null when the query has no words (every row matches). */
export function outgoingMatcher(db: Db, c: string, query: string | undefined): ((r: Row) => boolean) | null {
  const words = searchTokens(query ?? '');
  if (words.length === 0) return null;
  const last = words.length - 1;
  const prefix = !/\s$/.test(query ?? '');
  // The documents whose read text holds each word (one FTS5 lookup per word; quoted: no user syntax).
  const read = words.map((w, i) => {
    if (!hasOutgoingOcr(db, c)) return new Set<number>();
    const expr = i === last && prefix ? `"${w}"*` : `"${w}"`;
    return new Set(cached(db, `SELECT rowid FROM ${c}.outgoing_fts WHERE outgoing_fts MATCH ?`).pluck().all(expr) as number[]);
  });
  return (r) => {
    const own = searchTokens([r.subject, r.number_symbol ?? '', r.notes, r.drafting_unit].join(' \n '));
    return words.every((w, i) => read[i]!.has(r.id) || (i === last && prefix ? own.some((t) => t.startsWith(w)) : own.includes(w)));
  };
}
