// The folded full-text index of incoming documents. The index is contentless: it holds the folded
// words only, fed by the service in the same transaction as the record.
import { foldVietnamese, ftsQueryFromInput, searchTokens } from '../../../common/vietnamese';
import { cached } from '../db/statements';
import type { Db } from '../db/connection';

export interface IndexedFields {
  subject: string;
  numberSymbol: string;
  issuerName: string;
  notes: string;
}

export function indexText(f: IndexedFields): string {
  return foldVietnamese([f.subject, f.numberSymbol, f.issuerName, f.notes].join(' \n '));
}

export function indexIncoming(db: Db, id: number, f: IndexedFields): void {
  const text = indexText(f);
  cached(db, 'INSERT INTO incoming_fts (rowid, body) VALUES (?, ?)').run(id, text);
  cached(db, 'INSERT OR IGNORE INTO search_terms (term) SELECT value FROM json_each(?)').run(JSON.stringify([...new Set(searchTokens(text))]));
}

const MAX_EXPANSION = 128;
const quote = (w: string) => `"${w}"`;

/**
 * The FTS5 MATCH expression for what a person typed. Every word is folded and quoted (no user
 * syntax passes through). The last word is what they may still be typing, so it stands for every
 * known word it begins: "dien t" -> "dien" AND ("tu" OR "tuc" OR …). Expanding from our own term
 * list keeps FTS5 on its fast path (a plain prefix query merges all matching doclists up front).
 * Returns null when nothing can match.
 */
export function matchExpression(db: Db, input: string): string | null {
  const words = searchTokens(input).slice(0, 12);
  const last = words.pop();
  if (last === undefined) return null;
  const upper = last.slice(0, -1) + String.fromCodePoint(last.codePointAt(last.length - 1)! + 1);
  const terms = cached(db, 'SELECT term FROM search_terms WHERE term >= ? AND term < ? LIMIT ?')
    .pluck()
    .all(last, upper, MAX_EXPANSION + 1) as string[];
  if (terms.length === 0) return null;
  // Very short prefixes of very common letters: fall back to FTS5's own prefix query.
  if (terms.length > MAX_EXPANSION) return ftsQueryFromInput(input);
  const tail = terms.length === 1 ? quote(terms[0]!) : `(${terms.map(quote).join(' OR ')})`;
  return [...words.map(quote), tail].join(' AND ');
}

export function unindexIncoming(db: Db, id: number): void {
  db.prepare('DELETE FROM incoming_fts WHERE rowid = ?').run(id);
}
