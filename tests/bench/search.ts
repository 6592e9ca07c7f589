// Figure 3: search as typed without diacritics, through the core's list, for two people, each on a
// session of their own (their own unlock: the compartments they hold attached, and no other):
//  - the văn thư (cleared to tuyệt mật: the four compartments, no clearance condition), next to the
//    raw FTS5 query with the same match expression over the four compartments;
//  - a person cleared to Mật (their session holds the Thường and Mật compartments only), next to the
//    raw FTS5 query over those two, and next to the same search on a single compartment: the core's
//    list over the Thường compartment alone (same person, connection and code; one arm instead of two),
//    with its own raw query over that compartment.
// Raw query "over the compartments held": one compound SELECT, an FTS5 arm per compartment, newest
// rowid first, LIMIT 100 — the same MATCH expression the service builds (matchExpression over the held
// vocabularies), so the ratio is the cost of the service around FTS5 with the same merge.
// A second raw reference is the naive FTS5 prefix query (ftsQueryFromInput). Then two kinds of query
// the headline set does not hold (the văn thư's), each next to the raw query with the same expression:
// words typed with diacritics (ranked by exact spelling) and number-symbols typed with another number
// of leading zeros (found by key first, then as a phrase).
import type { IncomingRow } from '../../common/contract';
import { numberSymbolKey } from '../../common/numberSymbol';
import { exactScore, parseSearchQuery } from '../../common/searchQuery';
import { ftsQueryFromInput, hasDiacritics, searchTokens } from '../../common/vietnamese';
import type { Desk } from '../../main/core/desk';
import type { Db } from '../../main/core/db/connection';
import type { ListInput } from '../../main/core/documents/incoming';
import { matchExpression } from '../../main/core/documents/search';
import { inArm, type Arm } from '../../main/core/documents/arms';
import { IncomingService } from '../../main/core/documents/IncomingService';
import type { CoreContext } from '../../main/core/context';
import type { Actor } from '../../main/core/org/rights';
import { rng } from '../../main/devhost/sampleData';
import { cpuPressure10s } from './machine';
import { captureSql, queryPlan } from './session';
import { ms, median, percentile, progress, summarize, timed, type Summary } from './stats';

/** The raw query's arm: FTS5 alone in one compartment (`{c}`). */
const RAW_FTS_ARM = 'SELECT f.rowid AS r FROM {c}.incoming_fts f WHERE f.incoming_fts MATCH ?';

/**
 * The raw query over some compartments: FTS5 alone in each, merged newest first, one page of rowids
 * (`limit`). Run with the expression once: it is repeated for every arm.
 */
export function rawFts(db: Db, arms: readonly Arm[], limit = 100): (expr: string) => number[] {
  const st = db.prepare(`${arms.map((a) => inArm(RAW_FTS_ARM, a)).join('\nUNION ALL\n')} ORDER BY r DESC LIMIT ${limit}`).pluck();
  return (expr) => st.all(...arms.map(() => expr)) as number[];
}

/**
 * The raw arm with the rows: the same FTS5 MATCH in one compartment, each match's record and register
 * joined, the columns of a list row (IncomingRow) as arrays. What a plain SQL query must read to show
 * the page: FTS5 alone returns rowids, and on the encrypted profile reading a page's 100 records (a
 * page decrypted for each that misses the cache) costs as much as the FTS5 query itself.
 */
const RAW_ROWS_ARM = `SELECT f.rowid AS r, i.register_id, g.name, i.arrival_number, i.arrival_date, i.issuer_name, i.number_symbol,
  i.document_date, i.type_code, i.subject, i.secrecy, i.urgency, i.deadline, i.status, i.attachment_count, i.year, i.recipients, i.notes
  FROM {c}.incoming_fts f JOIN {c}.incoming i ON i.id = f.rowid JOIN registers g ON g.id = i.register_id WHERE f.incoming_fts MATCH ?`;

/**
 * rawFts with the rows (RAW_ROWS_ARM): the same expression over the same compartments, the same page
 * of ids in the same order, each with its record's columns. Returns the ids.
 */
export function rawFtsRows(db: Db, arms: readonly Arm[], limit = 100): (expr: string) => number[] {
  const st = db.prepare(`${arms.map((a) => inArm(RAW_ROWS_ARM, a)).join('\nUNION ALL\n')} ORDER BY r DESC LIMIT ${limit}`).raw(true);
  return (expr) => (st.all(...arms.map(() => expr)) as unknown[][]).map((r) => r[0] as number);
}

/** A service over the same session whose reads go over `arms` only (the single-compartment reference). */
export function serviceOver(desk: Desk, arms: readonly Arm[]): IncomingService {
  return new IncomingService({
    context: () => {
      const ctx = desk.context();
      return Object.assign(Object.create(ctx) as CoreContext, { arms });
    },
  });
}

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
  /** The compartments the văn thư's session holds (every arm of the queries). */
  arms: string[];
  /** The core's list for the văn thư (cleared to tuyệt mật: no clearance condition), first page of 100. */
  ours: Summary;
  /** CPU time of this process per search (ms, mean over queries and passes): ours and the raw compound. */
  cpuMsPerSearch: { ours: number; rawSameExpression: number; ratio: number; rawWithRows: number; ratioVsRawWithRows: number };
  /** EXPLAIN QUERY PLAN of the core's search statement for the văn thư. */
  plan: string[];
  /** Headline baseline: rawFts over the held compartments with matchExpression(db, arms, text), the expression the service uses. */
  rawSameExpression: Summary;
  /** Second reference: rawFts with ftsQueryFromInput(text), the naive FTS5 prefix query (its own passes, after). */
  rawPrefix: Summary;
  /** rawFtsRows: the same expression, compartments and page, with the rows' columns (the records read), interleaved with the two above. */
  rawWithRows: Summary;
  /** p95(ours) / p95(rawWithRows): the service around the same SQL work (issue 6's target, see the README). */
  ratioP95VsRawWithRows: number;
  ratioP50VsRawWithRows: number;
  sameRowsAsRawWithRows: number;
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
  /** rawFts over the held compartments with matchExpression: for a symbol, its words as a phrase, without the key lookup. */
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
  const arms = desk.context().arms;
  const raw = rawFts(desk.db, arms);
  const exprOf = texts.map((t) => matchExpression(desk.db, arms, t));
  const runOurs = (i: number) => desk.incoming.list(actor, searchInput(texts[i]!));
  const runRaw = (i: number) => (exprOf[i] == null ? [] : raw(exprOf[i]!));
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

/** The văn thư's search (every compartment held) next to the raw queries over the same compartments. */
export function measureSearch(desk: Desk, actor: Actor, queries: BenchQuery[], passes = 5): SearchFigures {
  const arms = desk.context().arms;
  const raw = rawFts(desk.db, arms);
  const rawRows = rawFtsRows(desk.db, arms);
  const captured = captureSql(desk.db, () => desk.incoming.list(actor, searchInput(queries[0]!.text))).find((c) => /incoming_fts f/.test(c.sql));
  if (!captured) throw new Error('the search statement of the văn thư was not captured');
  const plan = queryPlan(desk.db, captured.sql, captured.params);
  // The service builds its expression on every call (that is part of "ours"); the raw queries get theirs ready-made.
  const sameOf = queries.map((q) => matchExpression(desk.db, arms, q.text));
  const prefixOf = queries.map((q) => ftsQueryFromInput(q.text));
  const runOurs = (i: number) => desk.incoming.list(actor, searchInput(queries[i]!.text));
  const runSame = (i: number) => (sameOf[i] == null ? [] : raw(sameOf[i]!));
  const runRows = (i: number) => (sameOf[i] == null ? [] : rawRows(sameOf[i]!));
  const runPrefix = (i: number) => (prefixOf[i] == null ? [] : raw(prefixOf[i]!));

  // First pass: what a person meets on their first search of each words.
  const firstOurs: number[] = [];
  const firstSame: number[] = [];
  const rows: number[] = [];
  const oursIds: number[][] = [];
  let sameAsSame = 0;
  let sameAsRows = 0;
  queries.forEach((_, i) => {
    const o = timed(() => runOurs(i));
    const s = timed(() => runSame(i));
    firstOurs.push(o.ms);
    firstSame.push(s.ms);
    rows.push(o.value.length);
    oursIds.push(o.value.map((r) => r.id));
    if (sameIds(oursIds[i]!, s.value)) sameAsSame++;
    if (sameIds(oursIds[i]!, runRows(i))) sameAsRows++;
  });

  // Timed passes of the headline pair, alternating which goes first; each query's figure is its median.
  // The naive prefix query runs in its own passes afterwards: it reads whole doclists, and interleaved
  // it would push the pages of the other two out of the page cache.
  const pressureStart = cpuPressure10s();
  const cpu: number[] = [];
  const timedPair = interleaved(queries.length, passes, [runOurs, runSame, runRows], 'văn thư', cpu);
  const ours = timedPair[0]!;
  const same = timedPair[1]!;
  const withRows = timedPair[2]!;
  const pressureEnd = cpuPressure10s();

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
    arms: arms.map((a) => a.schema),
    ours: summarize(ours),
    cpuMsPerSearch: { ours: cpu[0]!, rawSameExpression: cpu[1]!, ratio: ratio(cpu[0]!, cpu[1]!), rawWithRows: cpu[2]!, ratioVsRawWithRows: ratio(cpu[0]!, cpu[2]!) },
    plan,
    rawSameExpression: summarize(same),
    rawPrefix: summarize(prefix),
    rawWithRows: summarize(withRows),
    ratioP95VsRawWithRows: ratio(p(ours, 95), p(withRows, 95)),
    ratioP50VsRawWithRows: ratio(p(ours, 50), p(withRows, 50)),
    sameRowsAsRawWithRows: sameAsRows,
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

const sameIds = (a: number[], b: number[]) => a.length === b.length && a.every((id, k) => id === b[k]);

/**
 * Timed passes of several runs per query, taking turns going first; each query's figure is the median
 * of its passes. Returns one list of medians per run, in the order given.
 */
function interleaved(n: number, passes: number, runs: Array<(i: number) => unknown>, who: string, cpu?: number[]): number[][] {
  const times = runs.map(() => Array.from({ length: n }, () => [] as number[]));
  const cpuUs = runs.map(() => 0);
  for (let p = 0; p < passes; p++) {
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < runs.length; k++) {
        const j = (k + p + i) % runs.length;
        const c0 = process.cpuUsage();
        times[j]![i]!.push(timed(() => runs[j]!(i)).ms);
        const c = process.cpuUsage(c0);
        cpuUs[j] = cpuUs[j]! + c.user + c.system;
      }
    }
    progress(`search pass ${p + 1}/${passes} (${who}) done`);
  }
  // CPU time of this process per run (ms), averaged over every query and pass: what the load does not inflate.
  cpu?.push(...cpuUs.map((us) => ms(us / 1000 / (n * passes))));
  return times.map((perQuery) => perQuery.map(median));
}

export interface MatSearchFigures {
  clearance: Actor['clearance'];
  /** The compartments the person's session holds (the arms of every query). */
  arms: string[];
  /** The single compartment of the reference: the core's list over it alone. */
  singleArm: string;
  queries: number;
  passes: number;
  cpuPressure10s: { start: number | null; end: number | null };
  /** The core's list for the person (their session: Thường and Mật), first page of 100. */
  ours: Summary;
  /** rawFts over the held compartments, with the expression the service builds from the held vocabularies. */
  rawSameExpression: Summary;
  /** The core's list over the single compartment (same person, same session and connection). */
  oursSingle: Summary;
  /** rawFts over the single compartment, its expression from that compartment's vocabulary. */
  rawSingle: Summary;
  /** rawFtsRows over the held compartments: the same expression and page, with the rows' columns. */
  rawWithRows: Summary;
  /** Issue 6: p95(ours) / p95(rawWithRows), the service around the same SQL work (target ≤ 1.5; see the README). */
  ratioP95VsRawWithRows: number;
  ratioP50VsRawWithRows: number;
  sameRowsAsRawWithRows: number;
  /** p95(ours) / p95(rawSameExpression): against FTS5's rowids alone. */
  ratioP95VsRawSameExpression: number;
  ratioP50VsRawSameExpression: number;
  /** Issue 7: p95(ours) / p95(oursSingle) (target ≤ 1.2). */
  ratioP95VsSingleCompartment: number;
  ratioP50VsSingleCompartment: number;
  /** For reference: the raw queries' own ratio (two arms merged / one). */
  rawRatioP95HeldVsSingle: number;
  /**
   * CPU time of this process per search (ms, mean over queries and passes) for the four runs, and
   * held / single: the comparison without the waits for the CPU that the loaded machine adds to the wall time.
   */
  cpuMsPerSearch: { ours: number; rawSameExpression: number; oursSingle: number; rawSingle: number; ratioOursVsSingle: number; rawWithRows: number; ratioOursVsRawWithRows: number; ratioOursVsRawSameExpression: number };
  /** EXPLAIN QUERY PLAN of the core's search statement for the person, and over the single compartment. */
  plan: string[];
  planSingle: string[];
  sql: string;
  /** Queries whose page is exactly the raw query's ids over the held compartments, in order. */
  sameRowsAsRawSameExpression: number;
  /** Queries whose page over the single compartment is exactly its raw query's ids. */
  sameRowsSingle: number;
  withRows: number;
  count: Summary & { capped: number };
}

/**
 * The Mật-cleared person's search on their own session, next to the raw query over the compartments
 * they hold, and next to the same search on one compartment (Thường, the largest): all four runs
 * interleaved query by query, so a change of the machine's load hits them alike.
 */
export function measureMatSearch(desk: Desk, actor: Actor, queries: BenchQuery[], passes = 5): MatSearchFigures {
  const arms = desk.context().arms;
  const single = arms.find((a) => a.level === 'thuong');
  if (!single || arms.some((a) => a.level !== 'thuong' && a.level !== 'mat')) throw new Error(`the Mật person's session holds ${arms.map((a) => a.schema).join(', ')}`);
  const singleService = serviceOver(desk, [single]);
  const raw = rawFts(desk.db, arms);
  const rawRows = rawFtsRows(desk.db, arms);
  const rawOne = rawFts(desk.db, [single]);
  const input = (i: number) => searchInput(queries[i]!.text);
  const plans = [desk.incoming, singleService].map((svc) => {
    const c = captureSql(desk.db, () => svc.list(actor, input(0))).find((x) => /incoming_fts f/.test(x.sql));
    if (!c) throw new Error('the search statement of the Mật-cleared person was not captured');
    return { plan: queryPlan(desk.db, c.sql, c.params), sql: c.sql.replace(/\s+/g, ' ').trim() };
  });
  const sameOf = queries.map((q) => matchExpression(desk.db, arms, q.text));
  const singleOf = queries.map((q) => matchExpression(desk.db, [single], q.text));
  const runOurs = (i: number) => desk.incoming.list(actor, input(i));
  const runSame = (i: number) => (sameOf[i] == null ? [] : raw(sameOf[i]!));
  const runSingle = (i: number) => singleService.list(actor, input(i));
  const runRawSingle = (i: number) => (singleOf[i] == null ? [] : rawOne(singleOf[i]!));
  const runRows = (i: number) => (sameOf[i] == null ? [] : rawRows(sameOf[i]!));
  let sameRows = 0;
  let sameAsRows = 0;
  let sameSingle = 0;
  let withRows = 0;
  queries.forEach((_, i) => {
    const got = runOurs(i).map((r) => r.id);
    if (got.length > 0) withRows++;
    if (sameIds(got, runSame(i))) sameRows++;
    if (sameIds(got, runRows(i))) sameAsRows++;
    if (sameIds(runSingle(i).map((r) => r.id), runRawSingle(i))) sameSingle++;
  });
  const pressureStart = cpuPressure10s();
  const cpu: number[] = [];
  const five = interleaved(queries.length, passes, [runOurs, runSame, runSingle, runRawSingle, runRows], 'Mật', cpu);
  const [ours, same, oursSingle, rawSingle, rowsRaw] = [five[0]!, five[1]!, five[2]!, five[3]!, five[4]!];
  const pressureEnd = cpuPressure10s();
  const countMs: number[] = [];
  let capped = 0;
  queries.forEach((q) => {
    const c = timed(() => desk.incoming.count(actor, { query: q.text }));
    countMs.push(c.ms);
    if (c.value.capped) capped++;
  });
  const p = (xs: number[], q: number) => percentile(xs, q);
  return {
    clearance: actor.clearance, arms: arms.map((a) => a.schema), singleArm: single.schema, queries: queries.length, passes,
    cpuPressure10s: { start: pressureStart, end: pressureEnd },
    ours: summarize(ours), rawSameExpression: summarize(same), oursSingle: summarize(oursSingle), rawSingle: summarize(rawSingle),
    rawWithRows: summarize(rowsRaw),
    ratioP95VsRawWithRows: ratio(p(ours, 95), p(rowsRaw, 95)),
    ratioP50VsRawWithRows: ratio(p(ours, 50), p(rowsRaw, 50)),
    sameRowsAsRawWithRows: sameAsRows,
    ratioP95VsRawSameExpression: ratio(p(ours, 95), p(same, 95)),
    ratioP50VsRawSameExpression: ratio(p(ours, 50), p(same, 50)),
    ratioP95VsSingleCompartment: ratio(p(ours, 95), p(oursSingle, 95)),
    ratioP50VsSingleCompartment: ratio(p(ours, 50), p(oursSingle, 50)),
    rawRatioP95HeldVsSingle: ratio(p(same, 95), p(rawSingle, 95)),
    cpuMsPerSearch: {
      ours: cpu[0]!, rawSameExpression: cpu[1]!, oursSingle: cpu[2]!, rawSingle: cpu[3]!, ratioOursVsSingle: ratio(cpu[0]!, cpu[2]!),
      rawWithRows: cpu[4]!, ratioOursVsRawWithRows: ratio(cpu[0]!, cpu[4]!), ratioOursVsRawSameExpression: ratio(cpu[0]!, cpu[1]!),
    },
    plan: plans[0]!.plan, planSingle: plans[1]!.plan, sql: plans[0]!.sql,
    sameRowsAsRawSameExpression: sameRows, sameRowsSingle: sameSingle, withRows,
    count: { ...summarize(countMs), capped },
  };
}
