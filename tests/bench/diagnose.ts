// Why figures are what they are, on the compartment layout: what desk.unlock spends (the base's keyring
// and keyed open, each held level's keyring and compartment file, the integrity check), the query plans
// of the SQL the core runs for both people, where the Mật-cleared person's search spends its time over
// the raw FTS5 query (the compound over the held compartments), and the search count against FTS5's own.
// Nothing here writes to the profile except the audit rows of the service's own searches.
// (The single-file layout's candidates — the core SQL prepared once, rows by id after the raw query,
// larger page caches — are recorded in results/2026-12-04-1m-keyset.json.)
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { IncomingFilter } from '../../common/schemas';
import { prepareCompartment } from '../../main/core/compartments/attach';
import { openLevelKeyring } from '../../main/core/compartments/keyrings';
import { compartmentFile, levelKeyringFile, type Level } from '../../main/core/compartments/levels';
import type { Desk, TokenIdentity } from '../../main/core/desk';
import { openKeyed as openCoreKeyed } from '../../main/core/db/keying';
import { checkIntegrityOffThread } from '../../main/core/db/offThread';
import { listIncoming, type ListInput } from '../../main/core/documents/incoming';
import { sumOverArms } from '../../main/core/documents/arms';
import { matchExpression, searchPlan } from '../../main/core/documents/search';
import { getSetting } from '../../main/core/profile/settings';
import type { Actor } from '../../main/core/org/rights';
import { cpuPressure10s } from './machine';
import { rawFts, searchInput, serviceOver, type BenchQuery } from './search';
import { captureSql, DB_NAME, profileHexKey, queryPlan } from './session';
import { median, progress, summarize, timed, type Summary } from './stats';

export interface Person { desk: Desk; actor: Actor; identity: TokenIdentity }

export interface Diagnosis {
  open: {
    /** openKeyring of the base's data key with the software key (one RSA-OAEP decryption). */
    keyringUnwrapMs: number;
    /** The core's keyed open of the base (keying.ts: raw key first) and its first read. */
    keyedOpenMs: number;
    keyForm: 'raw' | 'derived';
    /** Per level the person holds: the level keyring unwrapped, and the compartment prepared as unlock does (opened with its key, schema and identity checked, closed). */
    levels: Record<string, { keyringUnwrapMs: number; prepareMs: number; fileBytes: number }>;
    /** PRAGMA quick_check of the base on the database worker (what the verdict waits for): the compartments are not checked at unlock. */
    quickCheckOnWorkerMs: number;
    note: string;
  };
  plans: Record<string, { sql: string; plan: string[] }>;
  /** The Mật-cleared person's search, piece by piece, all interleaved query by query. */
  searchParts: {
    person: string;
    arms: string[];
    passes: number;
    cpuPressure10s: { start: number | null; end: number | null };
    /** desk.incoming.list: the query and the audit row of the search (written after it). */
    service: Summary;
    /** listIncoming alone (the same query, no audit row). */
    query: Summary;
    /** searchPlan alone: the vocabulary lookups over the held compartments and the expression. */
    plan: Summary;
    /** The raw FTS5 compound over the held compartments. */
    raw: Summary;
    /** The same pieces over the single compartment (Thường). */
    serviceSingle: Summary;
    querySingle: Summary;
    rawSingle: Summary;
    note: string;
  };
  searchCount: { ours: Summary; ftsOnly: Summary; sameTotals: number; note: string };
}

const page = (f: IncomingFilter): ListInput => ({ ...f, sort: { field: 'arrival', dir: 'desc' }, offset: 0, limit: 100 });
const oneLine = (sql: string) => sql.replace(/\s+/g, ' ').trim();
const round = (x: number) => Math.round(x * 1000) / 1000;

/** What desk.unlock spends for a person, piece by piece, on connections of the benchmark's own. */
async function measureOpen(p: Person): Promise<Diagnosis['open']> {
  const dir = p.desk.profileDir;
  const file = join(dir, DB_NAME);
  const t0 = performance.now();
  const hexKey = await profileHexKey(dir, p.identity);
  const unwrap = performance.now() - t0;
  const keyed = timed(() => {
    const o = openCoreKeyed(file, hexKey, { readonly: true });
    o.db.prepare('SELECT count(*) FROM sqlite_master').get();
    return o;
  });
  keyed.value.db.close();
  const profileId = getSetting(p.desk.db, 'profile_id')!;
  const levels: Diagnosis['open']['levels'] = {};
  for (const arm of p.desk.context().arms) {
    const level = arm.level as Level;
    const tk = performance.now();
    const k = await openLevelKeyring(levelKeyringFile(dir, level), level, p.identity.unlockKeys[0]!);
    const keyringUnwrapMs = performance.now() - tk;
    const prep = timed(() => prepareCompartment(compartmentFile(dir, level), k, profileId, false));
    k.key.fill(0);
    levels[level] = { keyringUnwrapMs: round(keyringUnwrapMs), prepareMs: round(prep.ms), fileBytes: statSync(compartmentFile(dir, level)).size };
  }
  const tw = performance.now();
  const check = await checkIntegrityOffThread(file, hexKey);
  const quickCheckOnWorkerMs = performance.now() - tw;
  if (!check.result.ok) throw new Error(`the base failed its integrity check: ${check.result.damage}`);
  return {
    keyringUnwrapMs: round(unwrap), keyedOpenMs: round(keyed.ms), keyForm: keyed.value.form, levels, quickCheckOnWorkerMs: round(quickCheckOnWorkerMs),
    note: 'desk.unlock = the base keyring unwrap + keyed open + migrations check + per held level: its keyring unwrapped, the compartment prepared (opened with its key, migrated if needed, its identity checked) and attached; the integrity check runs on the database worker over the base only.',
  };
}

/** The SQL of a captured call that reads the register (not the vocabulary lookup). */
function registerStatements(db: Desk['db'], fn: () => unknown) {
  return captureSql(db, fn).filter((c) => /\.incoming i|\.incoming_fts f/.test(c.sql));
}

export async function diagnose(
  vanThu: Person,
  mat: Person,
  queries: BenchQuery[],
  years: { first: number; last: number },
  passes = 5,
): Promise<Diagnosis> {
  progress('diagnosis: unlock split, plans');
  const open = await measureOpen(mat);
  progress(`unlock split (Mật person): keyring ${open.keyringUnwrapMs} ms, keyed open ${open.keyedOpenMs} ms, levels ${Object.entries(open.levels).map(([l, v]) => `${l} keyring ${v.keyringUnwrapMs} + prepare ${v.prepareMs} ms`).join(', ')}, quick_check of the base on the worker ${open.quickCheckOnWorkerMs} ms`);

  const mid = Math.floor((years.first + years.last) / 2);
  const sample = queries[0]!.text;
  const single = serviceOver(mat.desk, mat.desk.context().arms.filter((a) => a.level === 'thuong'));
  const calls: Array<[string, Person, () => unknown]> = [
    ['listAll', vanThu, () => vanThu.desk.incoming.list(vanThu.actor, page({}))],
    ['listYear', vanThu, () => vanThu.desk.incoming.list(vanThu.actor, page({ year: mid }))],
    ['listSecret', vanThu, () => vanThu.desk.incoming.list(vanThu.actor, page({ secrecy: ['mat', 'toi_mat', 'tuyet_mat'] }))],
    ['countAll', vanThu, () => vanThu.desk.incoming.count(vanThu.actor, {})],
    ['search', vanThu, () => vanThu.desk.incoming.list(vanThu.actor, page({ query: sample }))],
    ['searchCount', vanThu, () => vanThu.desk.incoming.count(vanThu.actor, { query: sample })],
    ['listAllMat', mat, () => mat.desk.incoming.list(mat.actor, page({}))],
    ['listAllMatSingleCompartment', mat, () => single.list(mat.actor, page({}))],
    ['countAllMat', mat, () => mat.desk.incoming.count(mat.actor, {})],
    ['searchMat', mat, () => mat.desk.incoming.list(mat.actor, page({ query: sample }))],
    ['searchMatSingleCompartment', mat, () => single.list(mat.actor, page({ query: sample }))],
    // A page deep in the register: found by key (the keys from the nearest anchor, then the rows by id).
    ['pageDeep', vanThu, () => vanThu.desk.incoming.list(vanThu.actor, { ...page({}), offset: 500_000 })],
    ['pageDeepMat', mat, () => mat.desk.incoming.list(mat.actor, { ...page({}), offset: 400_000 })],
  ];
  const plans: Diagnosis['plans'] = {};
  for (const [name, who, call] of calls) {
    const captured = registerStatements(who.desk.db, call);
    // A keyed page: the last statements (the keys after the anchor, then the rows by id).
    const shown = name.startsWith('page') ? captured.slice(-3) : captured.slice(0, 1);
    shown.forEach((st, k) => {
      plans[shown.length > 1 ? `${name}${k + 1}` : name] = { sql: oneLine(st.sql), plan: queryPlan(who.desk.db, st.sql, st.params) };
    });
  }

  progress('diagnosis: where the Mật person\'s search spends its time');
  const { desk, actor } = mat;
  const arms = desk.context().arms;
  const one = arms.filter((a) => a.level === 'thuong');
  const raw = rawFts(desk.db, arms);
  const rawOne = rawFts(desk.db, one);
  const exprs = queries.map((q) => matchExpression(desk.db, arms, q.text));
  const exprsOne = queries.map((q) => matchExpression(desk.db, one, q.text));
  const input = (i: number) => searchInput(queries[i]!.text);
  const runs: Array<(i: number) => unknown> = [
    (i) => desk.incoming.list(actor, input(i)),
    (i) => listIncoming(desk.db, arms, actor, input(i), desk.now()),
    (i) => searchPlan(desk.db, arms, queries[i]!.text, 1),
    (i) => (exprs[i] == null ? [] : raw(exprs[i]!)),
    (i) => single.list(actor, input(i)),
    (i) => listIncoming(desk.db, one, actor, input(i), desk.now()),
    (i) => (exprsOne[i] == null ? [] : rawOne(exprsOne[i]!)),
  ];
  const times = runs.map(() => queries.map(() => [] as number[]));
  const pressureStart = cpuPressure10s();
  for (let p = 0; p < passes; p++) {
    queries.forEach((_, i) => {
      for (let k = 0; k < runs.length; k++) {
        const j = (k + p + i) % runs.length;
        times[j]![i]!.push(timed(() => runs[j]!(i)).ms);
      }
    });
  }
  const pressureEnd = cpuPressure10s();
  const s = times.map((perQuery) => summarize(perQuery.map(median)));
  const searchParts: Diagnosis['searchParts'] = {
    person: `cleared to ${actor.clearance}`, arms: arms.map((a) => a.schema), passes, cpuPressure10s: { start: pressureStart, end: pressureEnd },
    service: s[0]!, query: s[1]!, plan: s[2]!, raw: s[3]!, serviceSingle: s[4]!, querySingle: s[5]!, rawSingle: s[6]!,
    note: 'Each query\'s figure is the median of its passes, the seven runs taking turns going first. service - query: the audit row of the search (a write transaction after the page). query - raw: the rows of the page (read and decrypted from the compartments) and the vocabulary lookups (plan).',
  };
  progress(`search parts p95: service ${s[0]!.p95}, query ${s[1]!.p95}, plan ${s[2]!.p95}, raw ${s[3]!.p95} ms; single compartment: service ${s[4]!.p95}, query ${s[5]!.p95}, raw ${s[6]!.p95} ms`);

  progress('diagnosis: search count');
  const ours: number[] = [];
  const fts: number[] = [];
  let same = 0;
  const ftsOnly = (e: string) => sumOverArms(desk.db, arms, 'SELECT count(*) FROM (SELECT 1 FROM {c}.incoming_fts WHERE incoming_fts MATCH ? LIMIT ?)', [e, 10_001]);
  queries.forEach((q, i) => {
    const e = exprs[i];
    const o = timed(() => desk.incoming.count(actor, { query: q.text }));
    const f = timed(() => (e == null ? 0 : ftsOnly(e)));
    ours.push(o.ms);
    fts.push(f.ms);
    if (Math.min(o.value.total, 10_000) === Math.min(f.value, 10_000)) same++;
  });
  return {
    open, plans, searchParts,
    searchCount: {
      ours: summarize(ours), ftsOnly: summarize(fts), sameTotals: same,
      note: 'The Mật person\'s capped search count next to FTS5\'s own count over the held compartments (each capped at 10 001 per compartment).',
    },
  };
}
