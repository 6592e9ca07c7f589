// Figure 3: search as typed without diacritics, through desk.listIncoming, next to the raw FTS5
// query with the same folded, quoted match expression on the same data in the same run.
import { ftsQueryFromInput, searchTokens } from '../../common/vietnamese';
import type { Desk } from '../../main/core/desk';
import type { Db } from '../../main/core/db/connection';
import type { ListInput } from '../../main/core/documents/incoming';
import type { Actor } from '../../main/core/org/rights';
import { rng } from '../../main/devhost/sampleData';
import { ms, median, percentile, progress, summarize, timed, type Summary } from './stats';

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
  ours: Summary;
  raw: Summary;
  /** p95(ours) / p95(raw): the cost of the service around FTS5. */
  ratioP95: number;
  ratioP50: number;
  /** First pass (each query's first run in this process), before the timed passes. */
  firstPass: { ours: Summary; raw: Summary };
  withRows: number;
  fullPages: number;
  sameRowsAsRaw: number;
  /** The count shown with a search result (capped at 10 000 by the core). */
  count: Summary & { capped: number };
  matches: { min: number; p50: number; max: number };
  byKind: Record<string, { n: number; oursP95: number; rawP95: number }>;
  slowest: Array<{ query: string; match: string; oursMs: number; rawMs: number; rows: number; matches: number }>;
  examples: string[];
}

const searchInput = (query: string): ListInput => ({ query, sort: { field: 'arrival', dir: 'desc' }, offset: 0, limit: 100 });

export function measureSearch(desk: Desk, actor: Actor, queries: BenchQuery[], passes = 3): SearchFigures {
  const raw = desk.db.prepare(RAW_FTS_SQL).pluck();
  const matchOf = queries.map((q) => ftsQueryFromInput(q.text)!);
  const runOurs = (i: number) => desk.listIncoming(actor, searchInput(queries[i]!.text));
  const runRaw = (i: number) => raw.all(matchOf[i]!) as number[];

  // First pass: what a person meets on their first search of each words.
  const firstOurs: number[] = [];
  const firstRaw: number[] = [];
  const rows: number[] = [];
  let same = 0;
  queries.forEach((_, i) => {
    const o = timed(() => runOurs(i));
    const w = timed(() => runRaw(i));
    firstOurs.push(o.ms);
    firstRaw.push(w.ms);
    rows.push(o.value.length);
    if (o.value.length === w.value.length && o.value.every((row, k) => row.id === w.value[k])) same++;
  });

  // Timed passes, alternating which of the two goes first; each query's figure is its median.
  const oursRuns: number[][] = queries.map(() => []);
  const rawRuns: number[][] = queries.map(() => []);
  for (let p = 0; p < passes; p++) {
    queries.forEach((_, i) => {
      if ((p + i) % 2 === 0) {
        oursRuns[i]!.push(timed(() => runOurs(i)).ms);
        rawRuns[i]!.push(timed(() => runRaw(i)).ms);
      } else {
        rawRuns[i]!.push(timed(() => runRaw(i)).ms);
        oursRuns[i]!.push(timed(() => runOurs(i)).ms);
      }
    });
    progress(`search pass ${p + 1}/${passes} done`);
  }
  const ours = oursRuns.map(median);
  const rawMs = rawRuns.map(median);

  // The count that goes with a search result.
  const countMs: number[] = [];
  const matches: number[] = [];
  let capped = 0;
  queries.forEach((q) => {
    const c = timed(() => desk.countIncoming(actor, { query: q.text }));
    countMs.push(c.ms);
    matches.push(c.value.total);
    if (c.value.capped) capped++;
  });

  const byKind: SearchFigures['byKind'] = {};
  for (const kind of KINDS) {
    const idx = queries.map((q, i) => (q.kind === kind ? i : -1)).filter((i) => i >= 0);
    byKind[kind] = {
      n: idx.length,
      oursP95: ms(percentile(idx.map((i) => ours[i]!), 95)),
      rawP95: ms(percentile(idx.map((i) => rawMs[i]!), 95)),
    };
  }
  const slowest = queries
    .map((q, i) => ({ query: q.text, match: matchOf[i]!, oursMs: ms(ours[i]!), rawMs: ms(rawMs[i]!), rows: rows[i]!, matches: matches[i]! }))
    .sort((a, b) => b.oursMs - a.oursMs)
    .slice(0, 8);
  const oursSummary = summarize(ours);
  const rawSummary = summarize(rawMs);
  return {
    queries: queries.length,
    passes,
    ours: oursSummary,
    raw: rawSummary,
    ratioP95: Math.round((percentile(ours, 95) / percentile(rawMs, 95)) * 100) / 100,
    ratioP50: Math.round((percentile(ours, 50) / percentile(rawMs, 50)) * 100) / 100,
    firstPass: { ours: summarize(firstOurs), raw: summarize(firstRaw) },
    withRows: rows.filter((n) => n > 0).length,
    fullPages: rows.filter((n) => n === 100).length,
    sameRowsAsRaw: same,
    count: { ...summarize(countMs), capped },
    matches: { min: Math.min(...matches), p50: percentile(matches, 50), max: Math.max(...matches) },
    byKind,
    slowest,
    examples: queries.slice(0, 15).map((q) => q.text),
  };
}
