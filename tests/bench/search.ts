// Figure 3: search as typed without diacritics, through the core's list, for two people — the văn thư
// (cleared to tuyệt mật: no clearance condition) and a person cleared to Mật (the core adds
// `i.secrecy_rank <= ?`) — next to two raw FTS5 queries on the same data in the same run:
//  - rawSameExpression (the headline baseline): the match expression the service itself builds
//    (matchExpression: words quoted, the last word expanded from search_terms), so the ratio is the
//    cost of the service around FTS5, like for like;
//  - rawPrefix (for reference): the naive expression with the last word as an FTS5 prefix
//    (ftsQueryFromInput, what the service ran before migration 4).
// Then two kinds of query the headline set does not hold, each next to the raw query with the same
// expression: words typed with diacritics (ranked by exact spelling) and number-symbols typed with
// another number of leading zeros (found by key first, then as a phrase).
import { secrecyRank } from '../../common/domain';
import type { IncomingRow } from '../../common/contract';
import { numberSymbolKey } from '../../common/numberSymbol';
import { exactScore, parseSearchQuery } from '../../common/searchQuery';
import { ftsQueryFromInput, hasDiacritics, searchTokens } from '../../common/vietnamese';
import type { Desk } from '../../main/core/desk';
import type { Db } from '../../main/core/db/connection';
import type { ListInput } from '../../main/core/documents/incoming';
import { matchExpression } from '../../main/core/documents/search';
import type { Actor } from '../../main/core/org/rights';
import { rng } from '../../main/devhost/sampleData';
import { cpuPressure10s } from './machine';
import { captureSql, queryPlan } from './session';
import { ms, median, percentile, progress, summarize, timed, type Summary } from './stats';

/** The raw query: FTS5 alone, newest first, one page of rowids. */
export const RAW_FTS_SQL = 'SELECT rowid FROM incoming_fts WHERE incoming_fts MATCH ? ORDER BY rowid DESC LIMIT 100';

export type QueryKind = 'subjectPhrase' | 'issuerPhrase' | 'subjectAndIssuer' | 'subjectPair' | 'numberAndType';
const KINDS: QueryKind[] = ['subjectPhrase', 'issuerPhrase', 'subjectAndIssuer', 'subjectPair', 'numberAndType'];

export interface BenchQuery { text: string; kind: QueryKind; fromId: number }

interface SampleRow { id: number; subject: string; issuer_name: string; number_symbol: string }

/**
 * Two-word queries typed without diacritics, drawn deterministically from documents of the register
 * itself, so every word occurs: adjacent words of a subject ("dien tu", "bi mat", "tiep cong"), of an
 * issuer ("dang uy", "ba dinh"), a subject word with an issuer word, two words of one subject, and a
 * number with its type code ("123 cv"), which mixes very common words with rarer ones.
 */
export function buildQueries(db: Db, count: number, seed: number): BenchQuery[] {
  const maxId = db.prepare('SELECT max(id) FROM incoming').pluck().get() as number;
  const byId = db.prepare('SELECT id, subject, issuer_name, number_symbol FROM incoming WHERE id = ?');
  const r = rng(seed);
  const pickOf = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const seen = new Set<string>();
  const out: BenchQuery[] = [];
  for (let attempt = 0; out.length < count && attempt < count * 50; attempt++) {
    const kind = KINDS[out.length % KINDS.length]!;
    const row = byId.get(1 + Math.floor(r() * maxId)) as SampleRow | undefined;
    if (!row) continue;
    const subject = searchTokens(row.subject);
    const issuer = searchTokens(row.issuer_name);
    const symbol = searchTokens(row.number_symbol); // "123-CV/QU" -> 123 cv qu
    let words: string[] = [];
    switch (kind) {
      case 'subjectPhrase':
      case 'issuerPhrase': {
        const ws = kind === 'subjectPhrase' ? subject : issuer;
        if (ws.length < 2) continue;
        const at = Math.floor(r() * (ws.length - 1));
        words = [ws[at]!, ws[at + 1]!];
        break;
      }
      case 'subjectAndIssuer':
        if (subject.length === 0 || issuer.length === 0) continue;
        words = [pickOf(subject), pickOf(issuer)];
        break;
      case 'subjectPair': {
        if (subject.length < 3) continue;
        const a = Math.floor(r() * subject.length);
        const b = Math.floor(r() * subject.length);
        if (a === b) continue;
        words = [subject[Math.min(a, b)]!, subject[Math.max(a, b)]!];
        break;
      }
      case 'numberAndType':
        if (symbol.length < 2) continue;
        words = [symbol[0]!, symbol[1]!];
        break;
    }
    if (words[0] === words[1]) continue;
    const text = words.join(' ');
    if (seen.has(text)) continue;
    seen.add(text);
    out.push({ text, kind, fromId: row.id });
  }
  if (out.length < count) throw new Error(`could only draw ${out.length} distinct queries`);
  return out;
}

export interface SearchFigures {
  queries: number;
  passes: number;
  /** CPU pressure (PSI some avg10, %) before and after the timed passes of ours and rawSameExpression. */
  cpuPressure10s: { start: number | null; end: number | null };
  /** The core's list for the văn thư (cleared to tuyệt mật: no clearance condition), first page of 100. */
  ours: Summary;
  /** The same for a person cleared to Mật: the clearance condition is in the query. */
  oursLowerClearance: Summary;
  /** p95(oursLowerClearance) / p95(rawSameExpression) (target ≤ 1.5, like the văn thư's). */
  ratioP95LowerClearanceVsRawSameExpression: number;
  ratioP50LowerClearanceVsRawSameExpression: number;
  lowerClearance: {
    clearance: Actor['clearance'];
    /** EXPLAIN QUERY PLAN of the core's search statement for that person. */
    plan: string[];
    sql: string;
    /** Queries whose page holds the raw query's ids with those above Mật left out, in order (up to 100). */
    sameRowsAsRawFiltered: number;
  };
  /** Headline baseline: RAW_FTS_SQL with matchExpression(desk.db, text), the expression the service uses. */
  rawSameExpression: Summary;
  /** Second reference: RAW_FTS_SQL with ftsQueryFromInput(text), the naive FTS5 prefix query (its own passes, after). */
  rawPrefix: Summary;
  /** p95(ours) / p95(rawSameExpression): the cost of the service around FTS5 (target ≤ 1.5). */
  ratioP95VsRawSameExpression: number;
  ratioP50VsRawSameExpression: number;
  /** p95(ours) / p95(rawPrefix): what the term-list expansion bought against the naive prefix query. */
  ratioP95VsRawPrefix: number;
  /** ours - rawSameExpression per query (ms): the absolute cost around FTS5, which does not shrink with FTS5's own time. */
  overheadMs: { p50: number; p95: number };
  /** First pass (each query's first run in this process), before the timed passes. */
  firstPass: { ours: Summary; rawSameExpression: Summary; rawPrefix: Summary };
  withRows: number;
  fullPages: number;
  /** Queries whose page has exactly the ids of the raw query, in order. */
  sameRowsAsRawSameExpression: number;
  sameRowsAsRawPrefix: number;
  /** Terms the last word expanded to (matchExpression); fellBackToPrefix: more than 128, FTS5 prefix kept. */
  expansion: { termsP50: number; termsMax: number; fellBackToPrefix: number };
  /** The count shown with a search result (capped at 10 000 by the core). */
  count: Summary & { capped: number };
  matches: { min: number; p50: number; max: number };
  byKind: Record<string, { n: number; oursP95: number; rawSameExpressionP95: number; rawPrefixP95: number }>;
  slowest: Array<{ query: string; terms: number; oursMs: number; rawSameExpressionMs: number; rawPrefixMs: number; rows: number; matches: number }>;
  examples: string[];
  /** Words typed with diacritics, and number-symbols: not in the headline set (see measureVariant). */
  variants: { diacritics: VariantFigures; symbols: VariantFigures };
}

export interface VariantFigures {
  queries: number;
  ours: Summary;
  /** RAW_FTS_SQL with matchExpression(desk.db, text): for a symbol, its words as a phrase, without the key lookup. */
  rawSameExpression: Summary;
  ratioP95VsRawSameExpression: number;
  overheadMs: { p50: number; p95: number };
  withRows: number;
  /** Symbols: queries whose first row has the symbol's key (found first). Diacritics: whose first row has every word typed with diacritics in that spelling, as whole words. */
  firstRowExact: number;
  examples: string[];
}

/**
 * Queries of the two other kinds, drawn like buildQueries: two adjacent words of a subject as written,
 * at least one with diacritics ("điện tử"); a document's number-symbol typed without its leading zero
 * ("5-CV/QU" for "05-CV/QU").
 */
export function buildVariantQueries(db: Db, count: number, seed: number): { diacritics: string[]; symbols: string[] } {
  const maxId = db.prepare('SELECT max(id) FROM incoming').pluck().get() as number;
  const byId = db.prepare('SELECT id, subject, issuer_name, number_symbol FROM incoming WHERE id = ?');
  const r = rng(seed);
  const diacritics = new Set<string>();
  const symbols = new Set<string>();
  for (let attempt = 0; (diacritics.size < count || symbols.size < count) && attempt < count * 50; attempt++) {
    const row = byId.get(1 + Math.floor(r() * maxId)) as SampleRow | undefined;
    if (!row) continue;
    const words = row.subject.normalize('NFC').match(/[\p{L}\p{M}\p{N}]+/gu) ?? [];
    if (words.length >= 2 && diacritics.size < count) {
      const at = Math.floor(r() * (words.length - 1));
      const pair = [words[at]!.toLowerCase(), words[at + 1]!.toLowerCase()];
      if (pair.some(hasDiacritics)) diacritics.add(pair.join(' '));
    }
    if (symbols.size < count) symbols.add(row.number_symbol.replace(/^0+(?=\d)/, ''));
  }
  return { diacritics: [...diacritics], symbols: [...symbols] };
}

/** Paired and alternated like the headline: listIncoming (first page) next to the raw FTS5 query with its expression. */
export function measureVariant(desk: Desk, actor: Actor, texts: string[], passes: number, exactFirst: (text: string, first: IncomingRow | undefined) => boolean): VariantFigures {
  const raw = desk.db.prepare(RAW_FTS_SQL).pluck();
  const exprOf = texts.map((t) => matchExpression(desk.db, desk.context().arms, t));
  const runOurs = (i: number) => desk.incoming.list(actor, searchInput(texts[i]!));
  const runRaw = (i: number) => (exprOf[i] === null ? [] : (raw.all(exprOf[i]) as number[]));
  const oursRuns: number[][] = texts.map(() => []);
  const rawRuns: number[][] = texts.map(() => []);
  let withRows = 0;
  let firstRowExact = 0;
  texts.forEach((text, i) => {
    const rows = runOurs(i);
    runRaw(i);
    if (rows.length > 0) withRows++;
    if (exactFirst(text, rows[0])) firstRowExact++;
  });
  for (let p = 0; p < passes; p++) {
    texts.forEach((_, i) => {
      if ((p + i) % 2 === 0) {
        oursRuns[i]!.push(timed(() => runOurs(i)).ms);
        rawRuns[i]!.push(timed(() => runRaw(i)).ms);
      } else {
        rawRuns[i]!.push(timed(() => runRaw(i)).ms);
        oursRuns[i]!.push(timed(() => runOurs(i)).ms);
      }
    });
  }
  const ours = oursRuns.map(median);
  const same = rawRuns.map(median);
  const overhead = ours.map((o, i) => o - same[i]!);
  return {
    queries: texts.length,
    ours: summarize(ours),
    rawSameExpression: summarize(same),
    ratioP95VsRawSameExpression: ratio(percentile(ours, 95), percentile(same, 95)),
    overheadMs: { p50: ms(percentile(overhead, 50)), p95: ms(percentile(overhead, 95)) },
    withRows,
    firstRowExact,
    examples: texts.slice(0, 8),
  };
}

export const searchInput = (query: string): ListInput => ({ query, sort: { field: 'arrival', dir: 'desc' }, offset: 0, limit: 100 });

const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;

/** Number of words the last typed word stands for in a match expression ("w1" AND ("t1" OR "t2") -> 2; 0 for a prefix fallback). */
const tailTerms = (expr: string): number => {
  if (expr.endsWith('*')) return 0; // fell back to the FTS5 prefix query
  const tail = expr.slice(expr.lastIndexOf(' AND ') + 1);
  return (tail.match(/"/g)?.length ?? 0) / 2;
};

export function measureSearch(desk: Desk, actor: Actor, lower: Actor, queries: BenchQuery[], passes = 5): SearchFigures {
  const raw = desk.db.prepare(RAW_FTS_SQL).pluck();
  const runLower = (i: number) => desk.incoming.list(lower, searchInput(queries[i]!.text));
  const captured = captureSql(desk.db, () => runLower(0)).find((c) => /FROM incoming_fts f/.test(c.sql));
  if (!captured) throw new Error('the search statement for the Mật-cleared person was not captured');
  const lowerPlan = queryPlan(desk.db, captured.sql, captured.params);
  const rankOf = new Map<number, number>();
  const rankStmt = desk.db.prepare('SELECT secrecy_rank FROM incoming WHERE id = ?').pluck();
  const lowerRank = secrecyRank(lower.clearance);
  // The service builds its expression on every call (that is part of "ours"); the raw queries get theirs ready-made.
  const sameOf = queries.map((q) => matchExpression(desk.db, desk.context().arms, q.text));
  const prefixOf = queries.map((q) => ftsQueryFromInput(q.text));
  const runOurs = (i: number) => desk.incoming.list(actor, searchInput(queries[i]!.text));
  const runSame = (i: number) => (sameOf[i] === null ? [] : (raw.all(sameOf[i]) as number[]));
  const runPrefix = (i: number) => (prefixOf[i] === null ? [] : (raw.all(prefixOf[i]) as number[]));

  // First pass: what a person meets on their first search of each words.
  const firstOurs: number[] = [];
  const firstSame: number[] = [];
  const rows: number[] = [];
  const oursIds: number[][] = [];
  let sameAsSame = 0;
  const sameIds = (a: number[], b: number[]) => a.length === b.length && a.every((id, k) => id === b[k]);
  queries.forEach((_, i) => {
    const o = timed(() => runOurs(i));
    const s = timed(() => runSame(i));
    firstOurs.push(o.ms);
    firstSame.push(s.ms);
    rows.push(o.value.length);
    oursIds.push(o.value.map((r) => r.id));
    if (sameIds(oursIds[i]!, s.value)) sameAsSame++;
  });

  // Timed passes of the headline pair, alternating which goes first; each query's figure is its median.
  // The naive prefix query runs in its own passes afterwards: it reads whole doclists, and interleaved
  // it would push the pages of the other two out of the page cache.
  // The Mật-cleared page must be the raw query's rows without those above Mật (when the raw page of
  // 100 holds at least as many visible rows as the page shows).
  let lowerSame = 0;
  queries.forEach((_, i) => {
    const got = runLower(i).map((r) => r.id);
    const rawIds = sameOf[i] === null ? [] : (desk.db.prepare(RAW_FTS_SQL.replace('LIMIT 100', 'LIMIT 1000')).pluck().all(sameOf[i]) as number[]);
    const visible = rawIds.filter((id) => {
      let rank = rankOf.get(id);
      if (rank === undefined) rankOf.set(id, (rank = rankStmt.get(id) as number));
      return rank <= lowerRank;
    }).slice(0, 100);
    if (sameIds(got, visible)) lowerSame++;
  });

  const pressureStart = cpuPressure10s();
  const oursRuns: number[][] = queries.map(() => []);
  const lowerRuns: number[][] = queries.map(() => []);
  const sameRuns: number[][] = queries.map(() => []);
  const three: Array<[number[][], (i: number) => unknown]> = [[oursRuns, runOurs], [lowerRuns, runLower], [sameRuns, runSame]];
  for (let p = 0; p < passes; p++) {
    queries.forEach((_, i) => {
      // The three take turns going first.
      for (let k = 0; k < three.length; k++) {
        const [into, run] = three[(k + p + i) % three.length]!;
        into[i]!.push(timed(() => run(i)).ms);
      }
    });
    progress(`search pass ${p + 1}/${passes} done`);
  }
  const pressureEnd = cpuPressure10s();
  const ours = oursRuns.map(median);
  const oursLower = lowerRuns.map(median);
  const same = sameRuns.map(median);

  const firstPrefix: number[] = [];
  let sameAsPrefix = 0;
  queries.forEach((_, i) => {
    const p = timed(() => runPrefix(i));
    firstPrefix.push(p.ms);
    if (sameIds(oursIds[i]!, p.value)) sameAsPrefix++;
  });
  const prefixRuns: number[][] = queries.map(() => []);
  for (let p = 0; p < passes; p++) queries.forEach((_, i) => prefixRuns[i]!.push(timed(() => runPrefix(i)).ms));
  const prefix = prefixRuns.map(median);
  progress(`raw prefix passes done`);

  // The count that goes with a search result.
  const countMs: number[] = [];
  const matches: number[] = [];
  let capped = 0;
  queries.forEach((q) => {
    const c = timed(() => desk.incoming.count(actor, { query: q.text }));
    countMs.push(c.ms);
    matches.push(c.value.total);
    if (c.value.capped) capped++;
  });

  const byKind: SearchFigures['byKind'] = {};
  for (const kind of KINDS) {
    const idx = queries.map((q, i) => (q.kind === kind ? i : -1)).filter((i) => i >= 0);
    const p95Of = (xs: number[]) => ms(percentile(idx.map((i) => xs[i]!), 95));
    byKind[kind] = { n: idx.length, oursP95: p95Of(ours), rawSameExpressionP95: p95Of(same), rawPrefixP95: p95Of(prefix) };
  }
  const terms = sameOf.map((e) => (e === null ? 0 : tailTerms(e)));
  const slowest = queries
    .map((q, i) => ({
      query: q.text, terms: terms[i]!, oursMs: ms(ours[i]!), rawSameExpressionMs: ms(same[i]!), rawPrefixMs: ms(prefix[i]!),
      rows: rows[i]!, matches: matches[i]!,
    }))
    .sort((a, b) => b.oursMs - a.oursMs)
    .slice(0, 8);
  const p = (xs: number[], q: number) => percentile(xs, q);
  const overhead = ours.map((o, i) => o - same[i]!);
  const variantTexts = buildVariantQueries(desk.db, Math.min(100, queries.length), queries.length);
  const allExact = (text: string, r: IncomingRow) => {
    const q = parseSearchQuery(text);
    return exactScore(q, `${r.subject}\n${r.issuerName}\n${r.numberSymbol}`) === 2 * q.exact.length;
  };
  const variants = {
    diacritics: measureVariant(desk, actor, variantTexts.diacritics, passes, (text, first) => !!first && allExact(text, first)),
    symbols: measureVariant(desk, actor, variantTexts.symbols, passes, (text, first) => !!first && numberSymbolKey(first.numberSymbol) === numberSymbolKey(text)),
  };
  progress(`variants: diacritics p95 ${variants.diacritics.ours.p95} ms (ratio ${variants.diacritics.ratioP95VsRawSameExpression}), symbols p95 ${variants.symbols.ours.p95} ms (ratio ${variants.symbols.ratioP95VsRawSameExpression})`);
  return {
    queries: queries.length,
    passes,
    cpuPressure10s: { start: pressureStart, end: pressureEnd },
    ours: summarize(ours),
    oursLowerClearance: summarize(oursLower),
    ratioP95LowerClearanceVsRawSameExpression: ratio(p(oursLower, 95), p(same, 95)),
    ratioP50LowerClearanceVsRawSameExpression: ratio(p(oursLower, 50), p(same, 50)),
    lowerClearance: { clearance: lower.clearance, plan: lowerPlan, sql: captured.sql.replace(/\s+/g, ' ').trim(), sameRowsAsRawFiltered: lowerSame },
    rawSameExpression: summarize(same),
    rawPrefix: summarize(prefix),
    ratioP95VsRawSameExpression: ratio(p(ours, 95), p(same, 95)),
    ratioP50VsRawSameExpression: ratio(p(ours, 50), p(same, 50)),
    ratioP95VsRawPrefix: ratio(p(ours, 95), p(prefix, 95)),
    overheadMs: { p50: ms(p(overhead, 50)), p95: ms(p(overhead, 95)) },
    firstPass: { ours: summarize(firstOurs), rawSameExpression: summarize(firstSame), rawPrefix: summarize(firstPrefix) },
    withRows: rows.filter((n) => n > 0).length,
    fullPages: rows.filter((n) => n === 100).length,
    sameRowsAsRawSameExpression: sameAsSame,
    sameRowsAsRawPrefix: sameAsPrefix,
    expansion: {
      termsP50: percentile(terms, 50),
      termsMax: Math.max(...terms),
      // matchExpression keeps FTS5's prefix syntax when the last word begins more than 128 known words.
      fellBackToPrefix: sameOf.filter((e) => e !== null && e.endsWith('*')).length,
    },
    count: { ...summarize(countMs), capped },
    matches: { min: Math.min(...matches), p50: percentile(matches, 50), max: Math.max(...matches) },
    byKind,
    slowest,
    examples: queries.slice(0, 15).map((q) => q.text),
    variants,
  };
}
