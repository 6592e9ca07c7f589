// Why figures are what they are: what Desk.open spends, the query plans of the SQL the core runs, and
// where a search spends its time over the raw FTS5 query, with measured alternatives for the core.
// Nothing here writes to the profile.
import Database from 'better-sqlite3-multiple-ciphers';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { IncomingRow } from '../../common/contract';
import type { IncomingFilter } from '../../common/schemas';
import { migrate, type Db } from '../../main/core/db/connection';
import type { Desk, TokenIdentity } from '../../main/core/desk';
import type { ListInput } from '../../main/core/documents/incoming';
import { matchExpression } from '../../main/core/documents/search';

/** The diagnosis reads a profile in the single-file layout (one arm, the base). */
const BENCH_ARMS = [{ schema: 'main', level: null }] as const;
import type { Actor } from '../../main/core/org/rights';
import { openKeyed as openCoreKeyed } from '../../main/core/db/keying';
import { checkIntegrityOffThread } from '../../main/core/db/offThread';
import { DB_NAME, openKeyed, profileHexKey } from './session';
import { cpuPressure10s } from './machine';
import { RAW_FTS_SQL, searchInput, type BenchQuery } from './search';
import { captureSql, queryPlan, type CapturedStatement } from './session';
import { median, percentile, progress, summarize, timed, type Summary } from './stats';

/** A lower clearance, to keep the path where the service adds `i.secrecy_rank <= ?` in view. */
export const LOWER_CLEARANCE = 'mat' as const;

/**
 * A connection setting, tried on a read-only connection of its own to the same file (the Desk's is left
 * as the core opens it): a larger page cache keeps more of the rows a search page touches. The core's
 * own connection has used this setting since 34d16bc, so the candidates with it are the like-for-like
 * ones; those without it show what the driver's default (2 MiB) would cost on the encrypted file.
 * mmap_size is not tried: SQLite3 Multiple Ciphers refuses it on encrypted databases.
 */
export const CONNECTION_ALTERNATIVE = { name: 'Cache64MiB', pragma: 'cache_size = -65536' } as const;

/**
 * A page cache four times the core's: on the encrypted file a page that misses the cache is read from
 * the OS and decrypted (AES-256 + HMAC-SHA512 per 4 KiB page), and the rows of 200 searches do not fit
 * in 64 MiB. Measured as the candidate for the core's connection setting.
 */
export const LARGER_CACHE = { name: 'Cache256MiB', pragma: 'cache_size = -262144' } as const;

/** A candidate paired with the raw query on its own connection, as the headline pairs listIncoming with it. */
export interface Paired {
  ms: Summary;
  /** The raw query (expression ready-made) in the same passes, on the same connection as the candidate. */
  rawSameExpression: Summary;
  ratioP95VsRawSameExpression: number;
  /** Median over the queries of (candidate - raw) for the same query in the same pass. */
  overheadP50Ms: number;
}

export interface Alternative extends Paired {
  what: string;
  /** Queries whose result is deep-equal to desk.listIncoming's (same rows, order, columns and values). */
  sameRowsAsOurs: number;
}

export interface SearchOverhead {
  note: string;
  passes: number;
  cpuPressure10s: { start: number | null; end: number | null };
  clearance: Actor['clearance'];
  /** desk.listIncoming as the headline measures it, again here. */
  ours: Paired;
  /** Pieces of listIncoming, each paired with the raw query the same way. */
  parts: {
    /** Alone (no page of the register): the term lookup and the preparation of the core's SQL. */
    matchExpression: Summary;
    prepareStatement: Summary;
    /** The core's own SQL and parameters, prepared once: FTS5, the joins to incoming and registers, row objects. */
    statementRowObjects: Paired;
    /** The same, rows as arrays (stmt.raw()): no row objects. */
    statementArrays: Paired;
    /**
     * Reference: the raw query, then its rows fetched by id (json_each) as arrays, no join and no
     * objects: about the least SQL can do to return these rows and columns after FTS5.
     */
    rawThenRowsByIdArrays: Paired;
    /** The same on a connection with the CONNECTION_ALTERNATIVE setting. */
    rawThenRowsByIdArraysWithConnectionAlternative: Paired;
    /** The same on a connection with the LARGER_CACHE setting. */
    rawThenRowsByIdArraysWithLargerCache: Paired;
  };
  /** What ours.overheadP50Ms is made of, from the paired overheads (ms). */
  splitOfOverheadP50Ms: { rows: number; rowObjects: number; prepareStatement: number; matchExpression: number; restOfListIncoming: number };
  alternatives: Record<string, Alternative>;
  lowerClearance: {
    clearance: Actor['clearance'];
    ours: Paired;
    alternatives: Record<string, Alternative>;
  };
}

/** The count shown with a search, as the core runs it (joined to incoming) and from the FTS5 index alone. */
export interface SearchCount {
  note: string;
  ours: Summary;
  ftsOnly: Summary;
  sameTotals: number;
}

export interface Diagnosis {
  open: {
    /** openKeyring with the software key (one RSA-OAEP decryption). */
    keyringUnwrapMs: number;
    /** The core's keyed open of the profile (keying.ts: raw key first) and its first read. */
    keyedOpenMs: number;
    /** How the data key opened the profile ('raw' once rekeyed). */
    keyForm: 'raw' | 'derived';
    /** PRAGMA quick_check on the database worker (checkIntegrityOffThread), worker start included: the main thread is free meanwhile. */
    quickCheckOnWorkerMs: number;
    /** PRAGMA quick_check alone on a keyed read-only connection of this thread, for comparison. */
    quickCheckMs: number;
    openWithoutQuickCheckMs: number;
    rawKeyAlternative: { hexKeyOpenMs: number; rawKeyOpenMs: number; note: string };
    note: string;
  };
  plans: Record<string, { sql: string; plan: string[] }>;
  searchOverhead: SearchOverhead;
  searchCount: SearchCount;
}

const page = (f: IncomingFilter): ListInput => ({ ...f, sort: { field: 'arrival', dir: 'desc' }, offset: 0, limit: 100 });

/** The statement of a captured call that touches the register (not the search_terms lookup). */
function registerStatement(captured: CapturedStatement[]): CapturedStatement {
  const hit = captured.find((c) => /FROM incoming|FROM \(SELECT 1 FROM incoming/.test(c.sql));
  if (!hit) throw new Error('no register statement captured');
  return hit;
}

const oneLine = (sql: string) => sql.replace(/\s+/g, ' ').trim();
const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
const round = (x: number) => Math.round(x * 1000) / 1000;

/**
 * What desk.unlock spends, piece by piece, on the benchmark's own connections (read-only for the
 * profile): the keyring unwrap, the key derivation SQLite3 Multiple Ciphers runs on the hex key, the
 * quick_check of the whole file, and the rest of an open. Then the key derivation against a raw key
 * (`PRAGMA key="x'…'"`, no PBKDF2) on a small database of its own in a temporary directory.
 */
async function measureOpen(dir: string, hexKey: string, identity: TokenIdentity): Promise<Diagnosis['open']> {
  const file = join(dir, DB_NAME);
  const unwrap = await (async () => {
    const t0 = performance.now();
    await profileHexKey(dir, identity);
    return performance.now() - t0;
  })();
  const keying = (f: string, pragma: string) => {
    const t0 = performance.now();
    const db = new Database(f, { readonly: true, fileMustExist: true });
    db.pragma(`cipher='sqlcipher'`);
    db.pragma('legacy=4');
    db.pragma(pragma);
    const keyed = performance.now();
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return { db, keyMs: keyed - t0, firstReadMs: performance.now() - keyed };
  };
  const keyed = timed(() => openCoreKeyed(file, hexKey, { readonly: true }));
  keyed.value.db.close();
  const tw = performance.now();
  const onWorker = await checkIntegrityOffThread(file, hexKey);
  const onWorkerTimed = { ms: performance.now() - tw };
  const withCheck = timed(() => {
    const db = openKeyed(file, hexKey, { readonly: true });
    const t0 = performance.now();
    db.pragma('quick_check', { simple: true });
    const checkMs = performance.now() - t0;
    db.close();
    return checkMs;
  });
  const without = timed(() => {
    const db = openKeyed(file, hexKey);
    db.pragma('busy_timeout = 5000');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('cache_size = -65536');
    migrate(db);
    db.close();
  });

  // The same derivation on a small database keyed both ways: per open, whatever the file's size.
  const tmp = mkdtempSync(join(tmpdir(), 'securedesk-bench-key-'));
  let rawKey: Diagnosis['open']['rawKeyAlternative'];
  try {
    const key = randomBytes(32).toString('hex');
    const make = (f: string, pragma: string) => {
      const db = new Database(f);
      db.pragma(`cipher='sqlcipher'`);
      db.pragma('legacy=4');
      db.pragma(pragma);
      db.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)');
      db.close();
    };
    const hexFile = join(tmp, 'hexkey.db');
    const rawFile = join(tmp, 'rawkey.db');
    make(hexFile, `hexkey='${key}'`);
    make(rawFile, `key="x'${key}'"`);
    const hexRuns: number[] = [];
    const rawRuns: number[] = [];
    for (let i = 0; i < 3; i++) {
      for (const [f, pragma, into] of [[hexFile, `hexkey='${key}'`, hexRuns], [rawFile, `key="x'${key}'"`, rawRuns]] as const) {
        const k = keying(f, pragma);
        k.db.close();
        into.push(k.keyMs + k.firstReadMs);
      }
    }
    rawKey = {
      hexKeyOpenMs: round(median(hexRuns)), rawKeyOpenMs: round(median(rawRuns)),
      note: 'new Database + cipher/legacy/key pragmas + first read, median of 3, on a one-table database in a temporary directory: hexkey runs PBKDF2-HMAC-SHA512 (kdf_iter 256000 in SQLCipher 4 mode) over a key that is already 32 random bytes; a raw key (x\'64 hex\') skips it. Databases keyed one way cannot be opened the other way (PRAGMA rekey once per profile).',
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  if (!onWorker.result.ok) throw new Error(`the profile failed its integrity check: ${onWorker.result.damage}`);
  return {
    keyringUnwrapMs: round(unwrap),
    keyedOpenMs: round(keyed.ms),
    keyForm: keyed.value.form,
    quickCheckOnWorkerMs: round(onWorkerTimed.ms),
    quickCheckMs: round(withCheck.value),
    openWithoutQuickCheckMs: round(without.ms),
    rawKeyAlternative: rawKey,
    note: 'desk.unlock = keyring unwrap + keyed open (the raw data key: no key derivation) + migrations check + the session; the integrity check (PRAGMA quick_check, reading and decrypting the whole file) runs on the database worker meanwhile, and writes wait for its verdict. openWithoutQuickCheckMs: a keyed open with the pragmas and the migrations check.',
  };
}

/**
 * The page as arrays (stmt.raw()) and one object literal per row, in the order of the core's
 * ROW_COLUMNS: what the proposed core change would do instead of letting the driver build objects.
 */
export const ROW_KEYS = [
  'id', 'registerId', 'registerName', 'arrivalNumber', 'arrivalDate', 'issuerName', 'numberSymbol', 'documentDate',
  'typeCode', 'subject', 'secrecy', 'urgency', 'deadline', 'status', 'attachmentCount',
] as const;
const toRow = (r: unknown[]): IncomingRow => ({
  id: r[0], registerId: r[1], registerName: r[2], arrivalNumber: r[3], arrivalDate: r[4], issuerName: r[5],
  numberSymbol: r[6], documentDate: r[7], typeCode: r[8], subject: r[9], secrecy: r[10], urgency: r[11],
  deadline: r[12], status: r[13], attachmentCount: r[14],
}) as IncomingRow;

function assertColumns(names: string[], what: string): void {
  if (names.join() !== ROW_KEYS.join()) throw new Error(`${what}: columns ${names.join()} differ from ROW_KEYS; update diagnose.ts`);
}

/** SQL variants derived from the core's captured search statement (so they follow the core's text). */
function variantsOf(sql: string) {
  const noRegisters = sql.replace('r.name AS registerName, ', '').replace(' JOIN registers r ON r.id = i.register_id', '');
  if (noRegisters === sql || /\br\./.test(noRegisters)) throw new Error('the search SQL no longer has the expected registers join');
  const columns = /^SELECT ([\s\S]+?) FROM incoming_fts f/.exec(sql)?.[1];
  if (!columns) throw new Error('the search SQL no longer starts with SELECT … FROM incoming_fts f');
  const byIds = `SELECT ${columns} FROM incoming i JOIN registers r ON r.id = i.register_id
    WHERE i.id IN (SELECT value FROM json_each(?)) ORDER BY i.id DESC`;
  return { noRegisters, byIds };
}

function measureSearchOverhead(desk: Desk, actor: Actor, queries: BenchQuery[], passes: number, hexKey: string): SearchOverhead {
  const { db } = desk;
  const low: Actor = { ...actor, clearance: LOWER_CLEARANCE };
  const texts = queries.map((q) => q.text);
  const exprs = texts.map((t) => matchExpression(db, BENCH_ARMS, t));
  const sample = texts[0]!;
  const top = registerStatement(captureSql(db, () => desk.incoming.list(actor, searchInput(sample))));
  const lower = registerStatement(captureSql(db, () => desk.incoming.list(low, searchInput(sample))));
  // Parameters after the match expression: [limit, offset] at the top clearance, [rank, limit, offset] below.
  const [, ...topRest] = top.params;
  const [, ...lowRest] = lower.params;

  const registerNames = new Map((db.prepare('SELECT id, name FROM registers').raw().all() as Array<[number, string]>));
  const withName = (r: unknown[]): unknown[] => [r[0], r[1], registerNames.get(r[1] as number), ...r.slice(2)];
  const topV = variantsOf(top.sql);
  const lowV = variantsOf(lower.sql);
  assertColumns(db.prepare(top.sql).columns().map((c) => c.name), 'search statement');

  // Every candidate runs on a connection of its own (the Desk's for listIncoming itself), paired with the
  // raw query on that connection: its page cache then holds what its own history put there, as in the
  // headline, and all candidates are interleaved query by query, so a change of machine load hits all alike.
  const file = join(desk.profileDir, DB_NAME);
  const connections: Db[] = [];
  const connect = (pragma?: string): Db => {
    const c = openKeyed(file, hexKey, { readonly: true });
    if (pragma) c.pragma(pragma);
    connections.push(c);
    return c;
  };
  type Run = (i: number) => unknown;
  interface Candidate { run: Run; raw: Run; expect?: Run; what?: string }
  const none = (i: number) => exprs[i] === null;
  const rawOn = (c: Db): Run => {
    const r = c.prepare(RAW_FTS_SQL).pluck();
    return (i) => (none(i) ? [] : r.all(exprs[i]));
  };
  const onOwn = (make: (c: Db) => Run, pragma?: string) => {
    const c = connect(pragma);
    return { run: make(c), raw: rawOn(c) };
  };
  const arraysToObjects = (sql: string, rest: unknown[]) => (c: Db): Run => {
    const st = c.prepare(sql).raw();
    return (i) => {
      const e = matchExpression(c, BENCH_ARMS, texts[i]!);
      return e === null ? [] : (st.all(e, ...rest) as unknown[][]).map(toRow);
    };
  };
  const withoutRegisters = (sql: string, rest: unknown[]) => (c: Db): Run => {
    const st = c.prepare(sql).raw();
    return (i) => {
      const e = matchExpression(c, BENCH_ARMS, texts[i]!);
      return e === null ? [] : (st.all(e, ...rest) as unknown[][]).map((r) => toRow(withName(r)));
    };
  };
  const ours: Run = (i) => desk.incoming.list(actor, searchInput(texts[i]!));
  const oursLower: Run = (i) => desk.incoming.list(low, searchInput(texts[i]!));
  const candidates: Record<string, Candidate> = {
    ours: { run: ours, raw: rawOn(db) },
    statementRowObjects: onOwn((c) => { const st = c.prepare(top.sql); return (i) => (none(i) ? [] : st.all(exprs[i], ...topRest)); }),
    statementArrays: onOwn((c) => { const st = c.prepare(top.sql).raw(); return (i) => (none(i) ? [] : st.all(exprs[i], ...topRest)); }),
    rawThenRowsByIdArrays: onOwn((c) => {
      const r = c.prepare(RAW_FTS_SQL).pluck();
      const byIds = c.prepare(topV.byIds).raw();
      return (i) => (none(i) ? [] : byIds.all(JSON.stringify(r.all(exprs[i]))));
    }),
    // Alternatives: each includes matchExpression and returns what listIncoming returns.
    cachedStatement: {
      what: 'the core SQL unchanged, prepared once (cached) instead of on every call',
      ...onOwn((c) => {
        const st = c.prepare(top.sql);
        return (i) => { const e = matchExpression(c, BENCH_ARMS, texts[i]!); return e === null ? [] : st.all(e, ...topRest); };
      }),
      expect: ours,
    },
    cachedStatementArraysToObjects: {
      what: 'cached, stmt.raw() arrays, one object literal per row in JS',
      ...onOwn(arraysToObjects(top.sql, topRest)), expect: ours,
    },
    noRegistersJoin: {
      what: 'cached, arrays, no JOIN registers: registerName from a JS map of the registers table',
      ...onOwn(withoutRegisters(topV.noRegisters, topRest)), expect: ours,
    },
    ftsIdsThenRows: {
      what: 'rowids from FTS5 first (LIMIT/OFFSET in FTS5), then the rows by WHERE i.id IN (json_each) ORDER BY i.id DESC; arrays; only valid with no condition on incoming (top clearance, no filters)',
      ...onOwn((c) => {
        const ids = c.prepare('SELECT rowid FROM incoming_fts WHERE incoming_fts MATCH ? ORDER BY rowid DESC LIMIT ? OFFSET ?').pluck();
        const byIds = c.prepare(topV.byIds).raw();
        return (i) => {
          const e = matchExpression(c, BENCH_ARMS, texts[i]!);
          return e === null ? [] : (byIds.all(JSON.stringify(ids.all(e, ...topRest))) as unknown[][]).map(toRow);
        };
      }),
      expect: ours,
    },
    [`cachedStatementArraysToObjects${CONNECTION_ALTERNATIVE.name}`]: {
      what: `cachedStatementArraysToObjects on a connection with PRAGMA ${CONNECTION_ALTERNATIVE.pragma}, against the raw query on that connection`,
      ...onOwn(arraysToObjects(top.sql, topRest), CONNECTION_ALTERNATIVE.pragma), expect: ours,
    },
    [`rawThenRowsByIdArrays${CONNECTION_ALTERNATIVE.name}`]: onOwn((c) => {
      const r = c.prepare(RAW_FTS_SQL).pluck();
      const byIds = c.prepare(topV.byIds).raw();
      return (i) => (none(i) ? [] : byIds.all(JSON.stringify(r.all(exprs[i]))));
    }, CONNECTION_ALTERNATIVE.pragma),
    [`cachedStatementArraysToObjects${LARGER_CACHE.name}`]: {
      what: `cachedStatementArraysToObjects on a connection with PRAGMA ${LARGER_CACHE.pragma}, against the raw query on that connection`,
      ...onOwn(arraysToObjects(top.sql, topRest), LARGER_CACHE.pragma), expect: ours,
    },
    [`rawThenRowsByIdArrays${LARGER_CACHE.name}`]: onOwn((c) => {
      const r = c.prepare(RAW_FTS_SQL).pluck();
      const byIds = c.prepare(topV.byIds).raw();
      return (i) => (none(i) ? [] : byIds.all(JSON.stringify(r.all(exprs[i]))));
    }, LARGER_CACHE.pragma),
    oursLower: { run: oursLower, raw: rawOn(db) },
    cachedStatementArraysToObjectsLower: {
      what: 'cached, arrays, object literals; clearance condition kept',
      ...onOwn(arraysToObjects(lower.sql, lowRest)), expect: oursLower,
    },
    noRegistersJoinLower: {
      what: 'cached, arrays, no JOIN registers; clearance condition kept',
      ...onOwn(withoutRegisters(lowV.noRegisters, lowRest)), expect: oursLower,
    },
  };
  const names = Object.keys(candidates);

  // Same rows, columns and values as the service, query by query (also the warm-up of every path).
  const same: Record<string, number> = {};
  for (const [name, c] of Object.entries(candidates)) {
    if (!c.expect) continue;
    same[name] = texts.filter((_, i) => JSON.stringify(c.run(i)) === JSON.stringify(c.expect!(i))).length;
  }

  const pressureStart = cpuPressure10s();
  const mine: Record<string, number[][]> = Object.fromEntries(names.map((n) => [n, texts.map(() => [])]));
  const base: Record<string, number[][]> = Object.fromEntries(names.map((n) => [n, texts.map(() => [])]));
  const diff: Record<string, number[][]> = Object.fromEntries(names.map((n) => [n, texts.map(() => [])]));
  for (let p = 0; p < passes; p++) {
    texts.forEach((_, i) => {
      for (let k = 0; k < names.length; k++) {
        const n = names[(k + p + i) % names.length]!;
        const c = candidates[n]!;
        let a: number;
        let b: number;
        if ((p + i) % 2 === 0) { a = timed(() => c.run(i)).ms; b = timed(() => c.raw(i)).ms; } else { b = timed(() => c.raw(i)).ms; a = timed(() => c.run(i)).ms; }
        mine[n]![i]!.push(a);
        base[n]![i]!.push(b);
        diff[n]![i]!.push(a - b);
      }
    });
  }
  const paired: Record<string, Paired> = {};
  for (const n of names) {
    const m = mine[n]!.map(median);
    const r = base[n]!.map(median);
    paired[n] = {
      ms: summarize(m), rawSameExpression: summarize(r), ratioP95VsRawSameExpression: ratio(percentile(m, 95), percentile(r, 95)),
      overheadP50Ms: round(median(diff[n]!.map(median))),
    };
  }
  const alone = (fn: Run) => summarize(texts.map((_, i) => median(Array.from({ length: passes }, () => timed(() => fn(i)).ms))));
  const matchExpressionMs = alone((i) => matchExpression(db, BENCH_ARMS, texts[i]!));
  const prepareMs = alone(() => db.prepare(top.sql));
  const pressureEnd = cpuPressure10s();
  for (const c of connections) c.close();

  const alt = (name: string): Alternative => ({ what: candidates[name]!.what!, ...paired[name]!, sameRowsAsOurs: same[name]! });
  const over = (name: string) => paired[name]!.overheadP50Ms;
  return {
    note: `Each candidate runs on a connection of its own (listIncoming on the Desk's) and is paired with the raw query (expression ready-made) on that connection, alternating which goes first, as the headline pair does; all candidates are interleaved query by query over ${passes} passes, and each query's figure is the median of its passes.`,
    passes,
    cpuPressure10s: { start: pressureStart, end: pressureEnd },
    clearance: actor.clearance,
    ours: paired.ours!,
    parts: {
      matchExpression: matchExpressionMs,
      prepareStatement: prepareMs,
      statementRowObjects: paired.statementRowObjects!,
      statementArrays: paired.statementArrays!,
      rawThenRowsByIdArrays: paired.rawThenRowsByIdArrays!,
      rawThenRowsByIdArraysWithConnectionAlternative: paired[`rawThenRowsByIdArrays${CONNECTION_ALTERNATIVE.name}`]!,
      rawThenRowsByIdArraysWithLargerCache: paired[`rawThenRowsByIdArrays${LARGER_CACHE.name}`]!,
    },
    splitOfOverheadP50Ms: {
      rows: over('statementArrays'),
      rowObjects: round(over('statementRowObjects') - over('statementArrays')),
      prepareStatement: prepareMs.p50,
      matchExpression: matchExpressionMs.p50,
      restOfListIncoming: round(over('ours') - over('statementRowObjects') - prepareMs.p50 - matchExpressionMs.p50),
    },
    alternatives: Object.fromEntries(
      ['cachedStatement', 'cachedStatementArraysToObjects', 'noRegistersJoin', 'ftsIdsThenRows', `cachedStatementArraysToObjects${CONNECTION_ALTERNATIVE.name}`, `cachedStatementArraysToObjects${LARGER_CACHE.name}`].map((n) => [n, alt(n)]),
    ),
    lowerClearance: {
      clearance: LOWER_CLEARANCE,
      ours: paired.oursLower!,
      alternatives: {
        cachedStatementArraysToObjects: alt('cachedStatementArraysToObjectsLower'),
        noRegistersJoin: alt('noRegistersJoinLower'),
      },
    },
  };
}

function measureSearchCount(desk: Desk, actor: Actor, queries: BenchQuery[]): SearchCount {
  const { db } = desk;
  const ftsOnly = db.prepare('SELECT count(*) FROM (SELECT 1 FROM incoming_fts WHERE incoming_fts MATCH ? LIMIT ?)').pluck();
  const ours: number[] = [];
  const fts: number[] = [];
  let same = 0;
  queries.forEach((q, i) => {
    const e = matchExpression(db, BENCH_ARMS, q.text);
    const runOurs = () => timed(() => desk.incoming.count(actor, { query: q.text }));
    const runFts = () => timed(() => (e === null ? 0 : (ftsOnly.get(e, 10_001) as number)));
    // Alternate which goes first.
    let o: ReturnType<typeof runOurs>;
    let f: ReturnType<typeof runFts>;
    if (i % 2 === 0) { o = runOurs(); f = runFts(); } else { f = runFts(); o = runOurs(); }
    ours.push(o.ms);
    fts.push(f.ms);
    if (Math.min(o.value.total, 10_000) === Math.min(f.value, 10_000)) same++;
  });
  return {
    note: 'At the top clearance with no other filter every FTS5 row has its incoming row, so the capped count needs no join (buildFilter drops the clearance condition there, but countIncoming still joins incoming). One run per query, after the search figures have run the same counts once.',
    ours: summarize(ours),
    ftsOnly: summarize(fts),
    sameTotals: same,
  };
}

export async function diagnose(
  desk: Desk,
  actor: Actor,
  queries: BenchQuery[],
  years: { first: number; last: number },
  key: { hexKey: string; identity: TokenIdentity },
  passes = 5,
): Promise<Diagnosis> {
  const { db } = desk;
  progress('diagnosis: unlock split, plans');
  const open = await measureOpen(desk.profileDir, key.hexKey, key.identity);
  progress(`unlock split: keyring ${open.keyringUnwrapMs.toFixed(1)} ms, keyed open (${open.keyForm}) ${open.keyedOpenMs.toFixed(1)} ms (a derived key: ${open.rawKeyAlternative.hexKeyOpenMs.toFixed(0)} ms), quick_check on the worker ${open.quickCheckOnWorkerMs.toFixed(0)} ms (on this thread ${open.quickCheckMs.toFixed(0)} ms)`);

  const mid = Math.floor((years.first + years.last) / 2);
  const sample = queries[0]!.text;
  const low: Actor = { ...actor, clearance: LOWER_CLEARANCE };
  const calls: Record<string, () => unknown> = {
    listAll: () => desk.incoming.list(actor, page({})),
    listYear: () => desk.incoming.list(actor, page({ year: mid })),
    listSecret: () => desk.incoming.list(actor, page({ secrecy: ['mat', 'toi_mat', 'tuyet_mat'] })),
    countAll: () => desk.incoming.count(actor, {}),
    search: () => desk.incoming.list(actor, page({ query: sample })),
    searchCount: () => desk.incoming.count(actor, { query: sample }),
    listAllLowerClearance: () => desk.incoming.list(low, page({})),
    countAllLowerClearance: () => desk.incoming.count(low, {}),
    searchLowerClearance: () => desk.incoming.list(low, page({ query: sample })),
    // A page deep in the register: found by key (the keys of the rows from the nearest anchor, then the rows by id).
    pageDeep: () => desk.incoming.list(actor, { ...page({}), offset: 500_000 }),
    pageDeepLowerClearance: () => desk.incoming.list(low, { ...page({}), offset: 400_000 }),
  };
  const plans: Diagnosis['plans'] = {};
  for (const [name, call] of Object.entries(calls)) {
    const captured = captureSql(db, call);
    if (name.startsWith('page')) {
      // The statements of a keyed page (after the sampling steps): the keys after the anchor (its own key's rest, then beyond), the rows by id.
      captured.filter((c) => /FROM incoming i/.test(c.sql)).slice(-3).forEach((st, k) => {
        plans[`${name}${k + 1}`] = { sql: oneLine(st.sql), plan: queryPlan(db, st.sql, st.params) };
      });
      continue;
    }
    const st = registerStatement(captured);
    plans[name] = { sql: oneLine(st.sql), plan: queryPlan(db, st.sql, st.params) };
  }

  progress('diagnosis: where a search spends its time');
  const searchOverhead = measureSearchOverhead(desk, actor, queries, passes, key.hexKey);
  progress('diagnosis: search count');
  const searchCount = measureSearchCount(desk, actor, queries);
  return { open, plans, searchOverhead, searchCount };
}
