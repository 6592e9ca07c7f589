// The folded full-text index of incoming documents, and what a search asks of it. The index is
// contentless: it holds the folded words only (searchTokens: no marks, đ -> d, i/y variants as i,
// numbers without leading zeros), fed by the service in the same transaction as the record.
import { parseSearchQuery, type SearchQuery } from '../../../common/searchQuery';
import { foldVietnamese, searchTokens } from '../../../common/vietnamese';
import { issuerKey, numberSymbolKey } from './duplicates';
import { cached } from '../db/statements';
import type { Db } from '../db/connection';
import type { MigrationProgress } from '../db/migrations';
import { overArms, sumOverArms, type Arm } from './arms';
import { ocrIndexText } from '../ocr/queue';

export interface IndexedFields {
  subject: string;
  numberSymbol: string;
  issuerName: string;
  notes: string;
}

/** The words of a record as the index holds them, space-separated (unicode61 splits them again). */
export function indexText(f: IndexedFields): string {
  return searchTokens([f.subject, f.numberSymbol, f.issuerName, f.notes].join(' \n ')).join(' ');
}

/** Indexes a record in its compartment `c` (the index and vocabulary live under the level's key). */
export function indexIncoming(db: Db, c: string, id: number, f: IndexedFields): void {
  // The words read from the record's files (OCR, text layers) are part of its entry: a correction or
  // a move that indexes the record again keeps them.
  const ocr = ocrIndexText(db, c, id);
  const text = ocr ? `${indexText(f)} ${ocr}` : indexText(f);
  cached(db, `INSERT INTO ${c}.incoming_fts (rowid, body) VALUES (?, ?)`).run(id, text);
  cached(db, `INSERT OR IGNORE INTO ${c}.search_terms (term) SELECT value FROM json_each(?)`).run(JSON.stringify([...new Set(text.split(' '))]));
}

export function unindexIncoming(db: Db, c: string, id: number): void {
  db.prepare(`DELETE FROM ${c}.incoming_fts WHERE rowid = ?`).run(id);
}

/**
 * Rebuilds the index, the vocabulary and the stored keys from the records, for a change of folding
 * (a migration). Runs inside the caller's transaction.
 */
export function rebuildSearchIndex(db: Db, keys: { numberSymbol(s: string): string; issuer(s: string): string }, progress: MigrationProgress = () => {}): void {
  const total = db.prepare('SELECT count(*) FROM incoming').pluck().get() as number;
  let done = 0;
  progress(0, total);
  db.exec("INSERT INTO incoming_fts (incoming_fts) VALUES ('delete-all'); DELETE FROM search_terms;");
  const insert = db.prepare('INSERT INTO incoming_fts (rowid, body) VALUES (?, ?)');
  const update = db.prepare('UPDATE incoming SET number_symbol_key = ?, issuer_key = ? WHERE id = ?');
  // In batches: the connection cannot write while a statement is still iterating.
  const batch = db.prepare('SELECT id, subject, number_symbol AS numberSymbol, issuer_name AS issuerName, notes FROM incoming WHERE id > ? ORDER BY id LIMIT 5000');
  const terms = new Set<string>();
  for (let last = 0; ;) {
    const rows = batch.all(last) as Array<IndexedFields & { id: number }>;
    if (rows.length === 0) break;
    for (const r of rows) {
      const text = indexText(r);
      insert.run(r.id, text);
      update.run(keys.numberSymbol(r.numberSymbol), keys.issuer(r.issuerName), r.id);
      for (const t of text.split(' ')) if (t) terms.add(t);
    }
    last = rows[rows.length - 1]!.id;
    progress((done += rows.length), Math.max(total, done));
  }
  const addTerm = db.prepare('INSERT INTO search_terms (term) VALUES (?)');
  for (const t of [...terms].sort()) addTerm.run(t);
}

/**
 * Number-symbol keys (number without leading zeros, notation folded: 3/CĐ-TTg = 03/CĐ-TTg) and search
 * folding (Ð U+00D0 as d, i/y spelling variants, numbers without leading zeros): recomputes
 * number_symbol_key (indexed with document_date for duplicates), issuer_key and unit names, and rebuilds
 * the full-text index and its vocabulary.
 */
export function reindexSymbolKeysAndSearch(db: Db, progress?: MigrationProgress): void {
  const unit = db.prepare('UPDATE units SET name_folded = ? WHERE id = ?');
  for (const u of db.prepare('SELECT id, name FROM units').all() as Array<{ id: number; name: string }>) unit.run(foldVietnamese(u.name), u.id);
  // Every key changes: building the indexes again afterwards is much faster than updating them row by
  // row. Only the indexes of the schema at hand are dropped and rebuilt (later migrations replace some).
  const keyIndexes: Record<string, string> = {
    idx_incoming_issuer: 'incoming(issuer_key)',
    idx_incoming_number_symbol: 'incoming(number_symbol_key)',
    idx_incoming_duplicate: 'incoming(number_symbol_key, document_date)',
  };
  const present = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'incoming'").pluck().all() as string[])
    .filter((n) => n in keyIndexes);
  for (const name of present) db.exec(`DROP INDEX ${name}`);
  rebuildSearchIndex(db, { numberSymbol: numberSymbolKey, issuer: issuerKey }, progress);
  for (const name of new Set([...present, 'idx_incoming_duplicate'])) db.exec(`CREATE INDEX ${name} ON ${keyIndexes[name]}`);
}

const MAX_EXPANSION = 128;
const quote = (w: string) => `"${w}"`;
const after = (s: string) => s.slice(0, -1) + String.fromCodePoint(s.codePointAt(s.length - 1)! + 1);

/** The vocabularies of the compartments held, merged (UNION: each word once, in order). */
const expansionStatement = (db: Db, arms: readonly Arm[]) =>
  cached(db, `${overArms(arms, 'SELECT term FROM {c}.search_terms WHERE term >= ? AND term < ?', []).sql.replaceAll('UNION ALL', 'UNION')} LIMIT ?`).pluck();

/** Prepares a search's vocabulary lookup over these arms (the unlock's warm-up). */
export function prepareSearchStatements(db: Db, arms: readonly Arm[]): void {
  expansionStatement(db, arms);
}

/**
 * Known words that begin with any of the prefixes, or null when there are too many (more than 128:
 * the caller keeps FTS5's own prefix query for those very short, very common beginnings).
 */
function expand(db: Db, arms: readonly Arm[], prefixes: string[]): string[] | null {
  const found = new Set<string>();
  for (const p of prefixes) {
    const terms = expansionStatement(db, arms).all(...arms.flatMap(() => [p, after(p)]), MAX_EXPANSION + 1) as string[];
    for (const t of terms) found.add(t);
    if (found.size > MAX_EXPANSION) return null;
  }
  return [...found];
}

const anyOf = (alternatives: string[]) => (alternatives.length === 1 ? alternatives[0]! : `(${alternatives.join(' OR ')})`);

/**
 * The words' part of a MATCH expression: every word quoted (no user syntax passes through), the word
 * still being typed standing for every known word it begins: "dien t" -> "dien" AND ("tu" OR "tuc" OR …).
 * Expanding from our own term list keeps FTS5 on its fast path (a plain prefix query merges all
 * matching doclists up front). undefined: no words; null: a word nothing begins with.
 */
function wordsExpression(db: Db, arms: readonly Arm[], q: SearchQuery): string | null | undefined {
  if (q.words.length === 0) return undefined;
  const whole = (q.lastPrefix ? q.words.slice(0, -1) : q.words).map(quote);
  if (!q.lastPrefix) return whole.join(' AND ');
  const terms = expand(db, arms, q.lastPrefix);
  if (terms !== null && terms.length === 0) return null;
  const tail = terms === null ? anyOf(q.lastPrefix.map((p) => `${quote(p)}*`)) : anyOf(terms.map(quote));
  return [...whole, tail].join(' AND ');
}

/** The symbol's words as a phrase ("27 qd tw"): documents that cite it; the last word may still grow. */
function symbolPhrase(db: Db, arms: readonly Arm[], tokens: string[], prefix: boolean): string | null {
  if (!prefix) return quote(tokens.join(' '));
  const head = tokens.slice(0, -1);
  const last = tokens[tokens.length - 1]!;
  const terms = expand(db, arms, [last]);
  if (terms === null) return `${quote(tokens.join(' '))}*`;
  if (terms.length === 0) return null;
  return anyOf(terms.map((t) => quote([...head, t].join(' '))));
}

export interface SearchPlan {
  query: SearchQuery;
  /** MATCH expression of the full-text part; null when only the symbol's own key can match. */
  match: string | null;
  /** A number-symbol in the query: records with this key come first, then those that cite it. */
  symbol?: {
    key: string;
    /** [lo, hi) of number_symbol_key; hi null: exactly lo. */
    hi: string | null;
    /** MATCH expression of the other words, which the keyed records must match too (null: none). */
    rest: string | null;
  };
}

const TOP_RANK = 3;

/**
 * What a search asks of the index and the keys, or null when nothing can match. A number-symbol typed
 * last may still grow, unless a record the person may see has exactly that key: then it is complete,
 * which spares the phrase its expanded last word (the expensive part of a symbol search).
 */
export function searchPlan(db: Db, arms: readonly Arm[], input: string, maxRank = TOP_RANK): SearchPlan | null {
  const query = parseSearchQuery(input);
  const words = wordsExpression(db, arms, query);
  if (words === null) return null;
  if (!query.symbol) return words === undefined ? null : { query, match: words };
  const { key, tokens } = query.symbol;
  const prefix = query.symbol.prefix &&
    sumOverArms(db, arms, 'SELECT count(*) FROM (SELECT 1 FROM {c}.incoming WHERE number_symbol_key = ? AND secrecy_rank <= ? LIMIT 1)', [key, maxRank]) === 0;
  const phrase = tokens.length > 0 ? symbolPhrase(db, arms, tokens, prefix) : null;
  return {
    query,
    match: phrase === null ? null : [phrase, ...(words ? [words] : [])].join(' AND '),
    symbol: { key, hi: prefix ? after(key) : null, rest: words ?? null },
  };
}

/** The MATCH expression the service runs for a query (the benchmark's raw baseline runs it alone). */
export function matchExpression(db: Db, arms: readonly Arm[], input: string, maxRank = TOP_RANK): string | null {
  return searchPlan(db, arms, input, maxRank)?.match ?? null;
}
