// Why figures are what they are: the query plans of the SQL the core actually runs, and measured
// alternatives for the slow parts. Nothing here changes the profile: schema experiments run inside
// a transaction that is rolled back, helper tables live in the connection's temp schema.
import Database from 'better-sqlite3-multiple-ciphers';
import { join } from 'node:path';
import type { IncomingFilter } from '../../common/schemas';
import { ftsQueryFromInput, searchTokens } from '../../common/vietnamese';
import { migrate } from '../../main/core/db/connection';
import type { Desk } from '../../main/core/desk';
import type { ListInput } from '../../main/core/documents/incoming';
import { indexText } from '../../main/core/documents/search';
import type { Actor } from '../../main/core/org/rights';
import { DB_NAME } from './generate';
import { RAW_FTS_SQL, type BenchQuery, type SearchFigures } from './search';
import { captureSql, queryPlan, type CapturedStatement } from './session';
import { ms, medianOf, percentile, progress, summarize, timed, type Summary } from './stats';

/** Prefix expansions longer than this keep FTS5's own prefix syntax. */
export const MAX_EXPANSION = 128;

export interface Diagnosis {
  open: { quickCheckMs: number; openWithoutQuickCheckMs: number; note: string };
  plans: Record<string, { sql: string; plan: string[] }>;
  prefixQuery: {
    note: string;
    termCount: number;
    backfillMs: number;
    termInsertUsPerDoc: number;
    exactLastWordRaw: Summary;
    expandedRaw: Summary;
    expandedOurs: Summary;
    expansionLookup: Summary;
    expandedCount: Summary;
    /** The same capped count without the join to incoming that applies the secrecy filter. */
    expandedCountFtsOnly: Summary;
    /** Largest number of known terms behind a prefix of 1, 2, 3 characters (the OR list length). */
    widestExpansion: Record<string, { prefix: string; terms: number }>;
    fellBack: number;
    identicalToPrefix: number;
    ratioP95VsRawPrefix: number;
    ratioP95VsRawExpanded: number;
    expandedExamples: string[];
  };
  /** Candidate indexes for the count, each tried alone in a rolled-back transaction. */
  countIndex: Array<{
    index: string;
    createMs: number;
    counts: Record<string, { beforeMs: number; afterMs: number; plan: string[] }>;
    /** The first pages must not get worse: an index the planner prefers for the secrecy filter can cost the ORDER BY. */
    firstPageAfter: Record<string, { beforeMs: number; warmMedianMs: number; plan: string[] }>;
  }>;
}

export const COUNT_INDEX_CANDIDATES = [
  'CREATE INDEX idx_incoming_secrecy ON incoming(secrecy_rank, secrecy)',
  'CREATE INDEX idx_incoming_secrecy ON incoming(secrecy, secrecy_rank)',
];

const page = (f: IncomingFilter): ListInput => ({ ...f, sort: { field: 'arrival', dir: 'desc' }, offset: 0, limit: 100 });

/** The statement of a captured call that touches the register (not the registers/settings lookups). */
function registerStatement(captured: CapturedStatement[]): CapturedStatement {
  const hit = captured.find((c) => /FROM incoming|FROM \(SELECT 1 FROM incoming/.test(c.sql));
  if (!hit) throw new Error('no register statement captured');
  return hit;
}

const oneLine = (sql: string) => sql.replace(/\s+/g, ' ').trim();

/** Upper bound of a prefix range: the prefix with its last code unit incremented. */
const prefixEnd = (w: string) => w.slice(0, -1) + String.fromCharCode(w.charCodeAt(w.length - 1) + 1);
const quote = (w: string) => `"${w}"`;

function measureOpen(dir: string): Diagnosis['open'] {
  const file = join(dir, DB_NAME);
  const withCheck = timed(() => {
    const db = new Database(file, { readonly: true });
    db.pragma('quick_check', { simple: true });
    db.close();
  });
  const without = timed(() => {
    const db = new Database(file, { fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
    db.close();
  });
  return {
    quickCheckMs: ms(withCheck.ms),
    openWithoutQuickCheckMs: ms(without.ms),
    note: 'Desk.open runs PRAGMA quick_check on the main thread before anything else; it reads the whole file',
  };
}

export function diagnose(
  desk: Desk,
  actor: Actor,
  queries: BenchQuery[],
  baseline: SearchFigures,
  years: { first: number; last: number },
): Diagnosis {
  const { db } = desk;
  progress('diagnosis: open, plans');
  const open = measureOpen(desk.profileDir);

  // ---- plans of what the core runs ----
  const mid = Math.floor((years.first + years.last) / 2);
  const sample = queries[0]!.text;
  const calls: Record<string, () => unknown> = {
    listAll: () => desk.listIncoming(actor, page({})),
    listYear: () => desk.listIncoming(actor, page({ year: mid })),
    listSecret: () => desk.listIncoming(actor, page({ secrecy: ['mat', 'toi_mat', 'tuyet_mat'] })),
    countAll: () => desk.countIncoming(actor, {}),
    search: () => desk.listIncoming(actor, page({ query: sample })),
    searchCount: () => desk.countIncoming(actor, { query: sample }),
  };
  const statements: Record<string, CapturedStatement> = {};
  const plans: Diagnosis['plans'] = {};
  for (const [name, call] of Object.entries(calls)) {
    const st = registerStatement(captureSql(db, call));
    statements[name] = st;
    plans[name] = { sql: oneLine(st.sql), plan: queryPlan(db, st.sql, st.params) };
  }

  // ---- prefix query: FTS5 materialises the whole doclist of every term a prefix matches ----
  progress('diagnosis: prefix expansion');
  db.exec("CREATE VIRTUAL TABLE IF NOT EXISTS temp.bench_vocab USING fts5vocab(main, incoming_fts, 'row')");
  db.exec('DROP TABLE IF EXISTS temp.bench_terms');
  db.exec('CREATE TABLE temp.bench_terms (term TEXT PRIMARY KEY) WITHOUT ROWID');
  const backfill = timed(() => db.exec('INSERT INTO temp.bench_terms SELECT term FROM temp.bench_vocab'));
  const termCount = db.prepare('SELECT count(*) FROM temp.bench_terms').pluck().get() as number;

  // What the service would pay to keep such a term list while indexing (steady state: words known).
  const docs = db.prepare('SELECT subject, number_symbol AS numberSymbol, issuer_name AS issuerName, notes FROM incoming ORDER BY id DESC LIMIT 20000').all() as Array<{ subject: string; numberSymbol: string; issuerName: string; notes: string }>;
  const addTerms = db.prepare('INSERT OR IGNORE INTO temp.bench_terms (term) SELECT value FROM json_each(?)');
  const termInsert = timed(() => db.transaction(() => {
    for (const d of docs) addTerms.run(JSON.stringify([...new Set(searchTokens(indexText(d)))]));
  })());

  const lookup = db.prepare('SELECT term FROM temp.bench_terms WHERE term >= ? AND term < ? ORDER BY term LIMIT ?').pluck();
  const expandOrKeep = (text: string): { expr: string; fellBack: boolean } => {
    const words = searchTokens(text).slice(0, 12);
    const last = words[words.length - 1]!;
    const terms = lookup.all(last, prefixEnd(last), MAX_EXPANSION + 1) as string[];
    if (terms.length === 0 || terms.length > MAX_EXPANSION) return { expr: ftsQueryFromInput(text)!, fellBack: true };
    const tail = terms.length === 1 ? quote(terms[0]!) : `(${terms.map(quote).join(' OR ')})`;
    return { expr: [...words.slice(0, -1).map(quote), tail].join(' AND '), fellBack: false };
  };
  const expand = (text: string): string => expandOrKeep(text).expr;

  const raw = db.prepare(RAW_FTS_SQL).pluck();
  // Prepared per call, as listIncoming and countIncoming do.
  const listSql = statements.search!.sql;
  const countSql = statements.searchCount!.sql;
  const [, ...listRest] = statements.search!.params;
  const [, ...countRest] = statements.searchCount!.params;
  const exactMs: number[] = [];
  const rawMs: number[] = [];
  const oursMs: number[] = [];
  const lookupMs: number[] = [];
  const countMs: number[] = [];
  const countFtsMs: number[] = [];
  const countFts = db.prepare('SELECT count(*) FROM (SELECT 1 FROM incoming_fts WHERE incoming_fts MATCH ? LIMIT ?)').pluck();
  const countCap = countRest[countRest.length - 1];
  let identical = 0;
  const expanded = queries.map((q) => expandOrKeep(q.text));
  const expressions = expanded.map((e) => e.expr);
  const fellBack = expanded.filter((e) => e.fellBack).length;
  queries.forEach((q, i) => {
    const prefixRows = raw.all(ftsQueryFromInput(q.text)!) as number[];
    const exact = searchTokens(q.text).map(quote).join(' ');
    exactMs.push(medianOf(3, () => raw.all(exact), 1));
    rawMs.push(medianOf(3, () => raw.all(expressions[i]!), 1));
    lookupMs.push(medianOf(3, () => expand(q.text), 1));
    // What listIncoming would cost with the expansion: the lookup plus the core's own statement.
    let rows: Array<{ id: number }> = [];
    oursMs.push(medianOf(3, () => (rows = db.prepare(listSql).all(expand(q.text), ...listRest) as Array<{ id: number }>), 1));
    countMs.push(medianOf(2, () => db.prepare(countSql).pluck().get(expand(q.text), ...countRest)));
    countFtsMs.push(medianOf(3, () => countFts.get(expand(q.text), countCap), 1));
    if (rows.length === prefixRows.length && rows.every((r, k) => r.id === prefixRows[k])) identical++;
  });
  const p95 = (xs: number[]) => percentile(xs, 95);
  const widestExpansion: Diagnosis['prefixQuery']['widestExpansion'] = {};
  for (const len of [1, 2, 3]) {
    const w = db.prepare('SELECT substr(term, 1, ?) AS prefix, count(*) AS terms FROM temp.bench_terms WHERE length(term) >= ? GROUP BY 1 ORDER BY 2 DESC LIMIT 1').get(len, len) as { prefix: string; terms: number };
    widestExpansion[`length${len}`] = w;
  }

  // ---- count: the secrecy filter forces a scan of the whole table ----
  progress('diagnosis: count index (rolled back)');
  const variants: Record<string, IncomingFilter> = {
    all: {}, [`year${mid}`]: { year: mid }, secret: { secrecy: ['mat', 'toi_mat', 'tuyet_mat'] }, tuyetMat: { secrecy: ['tuyet_mat'] },
  };
  const countPlan = (f: IncomingFilter) => {
    const st = registerStatement(captureSql(db, () => desk.countIncoming(actor, f)));
    return queryPlan(db, st.sql, st.params);
  };
  const listPlan = (f: IncomingFilter) => {
    const st = registerStatement(captureSql(db, () => desk.listIncoming(actor, page(f))));
    return queryPlan(db, st.sql, st.params);
  };
  const before: Record<string, number> = {};
  const pageBefore: Record<string, number> = {};
  for (const [name, f] of Object.entries(variants)) {
    before[name] = medianOf(3, () => desk.countIncoming(actor, f), 1);
    pageBefore[name] = medianOf(10, () => desk.listIncoming(actor, page(f)), 1);
  }
  const countIndex: Diagnosis['countIndex'] = [];
  for (const index of COUNT_INDEX_CANDIDATES) {
    const counts: Diagnosis['countIndex'][number]['counts'] = {};
    const firstPageAfter: Diagnosis['countIndex'][number]['firstPageAfter'] = {};
    let createMs = 0;
    db.exec('BEGIN');
    try {
      createMs = timed(() => db.exec(index)).ms;
      for (const [name, f] of Object.entries(variants)) {
        counts[name] = { beforeMs: ms(before[name]!), afterMs: ms(medianOf(3, () => desk.countIncoming(actor, f), 1)), plan: countPlan(f) };
        firstPageAfter[name] = {
          beforeMs: ms(pageBefore[name]!), warmMedianMs: ms(medianOf(10, () => desk.listIncoming(actor, page(f)), 1)), plan: listPlan(f),
        };
      }
    } finally {
      db.exec('ROLLBACK');
    }
    countIndex.push({ index, createMs: ms(createMs), counts, firstPageAfter });
  }
  db.exec('DROP TABLE IF EXISTS temp.bench_terms');
  db.exec('DROP TABLE IF EXISTS temp.bench_vocab');

  return {
    open,
    plans,
    prefixQuery: {
      note: 'ftsQueryFromInput makes the last word a prefix ("tu"*); FTS5 answers a prefix by merging the full doclists of every matching term before the first row, so ORDER BY rowid DESC LIMIT 100 cannot stop early. Expanded: the last word replaced by an OR of the known terms with that prefix, looked up in a term list (here a temp table filled from fts5vocab).',
      termCount,
      backfillMs: ms(backfill.ms),
      termInsertUsPerDoc: Math.round((termInsert.ms * 1000) / docs.length * 10) / 10,
      exactLastWordRaw: summarize(exactMs),
      expandedRaw: summarize(rawMs),
      expandedOurs: summarize(oursMs),
      expansionLookup: summarize(lookupMs),
      expandedCount: summarize(countMs),
      expandedCountFtsOnly: summarize(countFtsMs),
      widestExpansion,
      fellBack,
      identicalToPrefix: identical,
      ratioP95VsRawPrefix: Math.round((p95(oursMs) / baseline.raw.p95) * 100) / 100,
      ratioP95VsRawExpanded: Math.round((p95(oursMs) / p95(rawMs)) * 100) / 100,
      expandedExamples: expressions.slice(0, 5),
    },
    countIndex,
  };
}
