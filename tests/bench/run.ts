// `npm run bench [-- --docs N] [--keep DIR] [--no-small] [--no-diagnose]`
// Generates a register of N incoming documents (default 1 000 000) through the core, then measures
// the first page, the count and search. Prints ONE JSON object on stdout; progress goes to stderr.
// A kept profile made at an older schema is migrated by the first Desk.open, which is timed.
import Database from 'better-sqlite3-multiple-ciphers';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MIGRATIONS } from '../../main/core/db/migrations';
import { Desk } from '../../main/core/desk';
import { CONNECTION_ALTERNATIVE, diagnose, LOWER_CLEARANCE, type Diagnosis, type Paired } from './diagnose';
import { measureFirstPage, pageVariants, type FirstPageFigures } from './firstPage';
import { DB_NAME, generateProfile, generatorFingerprint, type GenerationFigures, type ProfileMeta } from './generate';
import { machineInfo } from './machine';
import { buildQueries, measureSearch, type SearchFigures } from './search';
import { openProfile } from './session';
import { ms, progress, timed } from './stats';

const SEED = 2026;
const QUERY_SEED = 7;
const QUERIES = 200;
const SEARCH_PASSES = 5;
const YEARS = 6;
const BATCH = 2000;
const WORKER_CACHE_MIB = 256;
const SMALL_DOCS = 100_000;
const META_FILE = 'bench-profile.json';
const OUR_FILES = new Set([DB_NAME, `${DB_NAME}-wal`, `${DB_NAME}-shm`, META_FILE, 'store', 'staging']);

/** ratioP95: p95(ours) / p95(raw FTS5 query with the same match expression). */
export const TARGETS = { firstPageMs: 50, searchP95Ms: 30, ratioP95: 1.5 };

interface Args { docs: number; keep?: string; small: boolean; diagnose: boolean }

function parseArgs(argv: string[]): Args {
  const args: Args = { docs: 1_000_000, small: true, diagnose: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--docs') args.docs = Number(String(argv[++i]).replace(/_/g, ''));
    else if (a === '--keep') args.keep = resolve(argv[++i] ?? '');
    else if (a === '--no-small') args.small = false;
    else if (a === '--no-diagnose') args.diagnose = false;
    else throw new Error(`unknown argument ${a} (use --docs N, --keep DIR, --no-small, --no-diagnose)`);
  }
  if (!Number.isInteger(args.docs) || args.docs < 1000) throw new Error('--docs must be an integer ≥ 1000');
  return args;
}

/** bench-profile.json: how the profile was made, and the upgrades its first opens performed. */
interface Stored { meta: ProfileMeta; figures: GenerationFigures; migrations?: StoredMigration[] }

/** The first Desk.open of a kept profile made at an older schema: the upgrade a workstation meets once. */
export interface Migration {
  fromVersion: number;
  toVersion: number;
  /** Desk.open on the old profile: quick_check, then the migrations in their transactions. */
  deskOpenMs: number;
  /** Desk.close right after (the last connection checkpoints the WAL the migration wrote). */
  closeMs: number;
  /** quick_check alone on the migrated file, read-only, just after: deskOpenMs minus this is the migration. */
  quickCheckMs: number;
  migrationApproxMs: number;
  searchTerms: number;
}

/** A migration is timed once, by the run that performs it; later runs of the kept profile report it from here. */
type StoredMigration = Migration & { at: string };

const schemaOf = (file: string): number => {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
};

async function migrateKept(dir: string): Promise<Migration | undefined> {
  const file = join(dir, DB_NAME);
  const from = schemaOf(file);
  if (from >= MIGRATIONS.length) return undefined;
  progress(`profile at schema ${from}: Desk.open migrates it to ${MIGRATIONS.length}`);
  const opened = await (async () => {
    const t0 = performance.now();
    const desk = await Desk.open({ profileDir: dir });
    return { desk, ms: performance.now() - t0 };
  })();
  const { desk } = opened;
  if (desk.readOnly) throw new Error(`profile in ${dir} opened read-only: ${desk.damage ?? ''}`);
  const to = desk.db.pragma('user_version', { simple: true }) as number;
  const searchTerms = desk.db.prepare('SELECT count(*) FROM search_terms').pluck().get() as number;
  const close = timed(() => desk.close());
  const check = timed(() => {
    const db = new Database(file, { readonly: true });
    db.pragma('quick_check', { simple: true });
    db.close();
  });
  progress(`migrated ${from} -> ${to}: Desk.open ${opened.ms.toFixed(0)} ms (quick_check alone ${check.ms.toFixed(0)} ms), close ${close.ms.toFixed(0)} ms`);
  return {
    fromVersion: from, toVersion: to, deskOpenMs: ms(opened.ms), closeMs: ms(close.ms), quickCheckMs: ms(check.ms),
    migrationApproxMs: ms(opened.ms - check.ms), searchTerms,
  };
}

/** A kept profile is reused when it was generated with the same N, seed and sample generator; otherwise it is rebuilt. */
async function profileFor(dir: string, docs: number): Promise<Stored & { reused: boolean; migration: Section['profile']['migration'] }> {
  const metaPath = join(dir, META_FILE);
  if (existsSync(metaPath) && existsSync(join(dir, DB_NAME))) {
    const stored = JSON.parse(readFileSync(metaPath, 'utf8')) as Stored;
    if (stored.meta.docs === docs && stored.meta.seed === SEED && stored.meta.generator === generatorFingerprint(SEED, YEARS, BATCH)) {
      progress(`reusing the ${docs}-document profile in ${dir}`);
      const migrated = await migrateKept(dir);
      if (migrated) {
        stored.migrations = [...(stored.migrations ?? []), { ...migrated, at: new Date().toISOString() }];
        writeFileSync(metaPath, JSON.stringify(stored, null, 1));
      }
      const last = stored.migrations?.[stored.migrations.length - 1];
      return { ...stored, reused: true, migration: last ? { ...last, measuredInThisRun: migrated !== undefined } : null };
    }
  }
  if (existsSync(dir)) {
    const foreign = readdirSync(dir).filter((f) => !OUR_FILES.has(f));
    if (foreign.length > 0) throw new Error(`${dir} holds files the benchmark did not make (${foreign.slice(0, 3).join(', ')}); not touching it`);
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
  progress(`generating ${docs} documents in ${dir}`);
  const made = await generateProfile(dir, docs, { seed: SEED, batchSize: BATCH, cacheMiB: WORKER_CACHE_MIB, years: YEARS });
  writeFileSync(metaPath, JSON.stringify(made, null, 1));
  return { ...made, reused: false, migration: null };
}

interface Section {
  docs: number;
  profile: {
    reused: boolean;
    /** Schema the documents were generated at (null: a profile made before this was recorded, schema < 4). */
    generatedAtSchema: number | null;
    /** The last upgrade of this kept profile by a first Desk.open (timed by the run that did it). */
    migration: (StoredMigration & { measuredInThisRun: boolean }) | null;
  };
  generation: GenerationFigures;
  firstPage: FirstPageFigures;
  search: SearchFigures;
  targets: Targets;
  diagnosis?: Diagnosis;
}

interface Targets { firstPageUnder50ms: boolean; searchP95Under30ms: boolean; searchRatioP95VsRawSameExpressionAtMost1_5: boolean }

async function measure(dir: string, docs: number, withDiagnosis: boolean): Promise<Section> {
  const profile = await profileFor(dir, docs);
  const { meta } = profile;
  const years = { first: Number(meta.firstDay.slice(0, 4)), last: Number(meta.lastDay.slice(0, 4)) };
  const firstPage = await measureFirstPage(dir, meta.userId, pageVariants(years), docs, LOWER_CLEARANCE);

  const { desk, actor } = await openProfile(dir, meta.userId);
  try {
    const queries = buildQueries(desk.db, QUERIES, QUERY_SEED);
    progress(`searching ${queries.length} queries, e.g. ${queries.slice(0, 6).map((q) => `"${q.text}"`).join(', ')}`);
    const search = measureSearch(desk, actor, queries, SEARCH_PASSES);
    progress(`search p95 ours ${search.ours.p95} ms, raw same expression ${search.rawSameExpression.p95} ms (ratio ${search.ratioP95VsRawSameExpression}), raw prefix ${search.rawPrefix.p95} ms (ratio ${search.ratioP95VsRawPrefix})`);
    const pages = Object.values(firstPage.pages);
    const section: Section = {
      docs,
      profile: { reused: profile.reused, generatedAtSchema: meta.schema ?? null, migration: profile.migration },
      generation: profile.figures,
      firstPage,
      search,
      targets: {
        // Every variant's first call on a fresh Desk, and its warm median, must be under the target.
        firstPageUnder50ms: pages.every((p) => p.coldMs < TARGETS.firstPageMs && p.warmMedianMs < TARGETS.firstPageMs),
        searchP95Under30ms: search.ours.p95 < TARGETS.searchP95Ms,
        searchRatioP95VsRawSameExpressionAtMost1_5: search.ratioP95VsRawSameExpression <= TARGETS.ratioP95,
      },
    };
    if (withDiagnosis) {
      section.diagnosis = diagnose(desk, actor, queries, years, SEARCH_PASSES);
      const o = section.diagnosis.searchOverhead;
      progress(`search overhead: ours p95 ${o.ours.ms.p95} ms (${o.ours.ratioP95VsRawSameExpression}); ${Object.entries(o.alternatives).map(([n, a]) => `${n} ${a.ms.p95} ms (${a.ratioP95VsRawSameExpression})`).join(', ')}; raw then rows by id ${o.parts.rawThenRowsByIdArrays.ms.p95} ms (${o.parts.rawThenRowsByIdArrays.ratioP95VsRawSameExpression})`);
    }
    return section;
  } finally {
    desk.close();
  }
}

const worstOf = (pages: Record<string, { warmMedianMs: number }>) => {
  const [name, p] = Object.entries(pages).sort((a, b) => b[1].warmMedianMs - a[1].warmMedianMs)[0]!;
  return { variant: name, warmMs: p.warmMedianMs };
};

/** The headline figures of a section, flat, next to their targets. */
function summary(s: Section) {
  const g = s.generation;
  const all = s.firstPage.pages.all!;
  const warm = Object.values(s.firstPage.pages).map((p) => p.warmMedianMs);
  const cold = Object.values(s.firstPage.pages).map((p) => p.coldMs);
  const pick = (x: { p50: number; p95: number; max: number }) => ({ p50: x.p50, p95: x.p95, max: x.max });
  const low = s.firstPage.lowerClearance;
  return {
    docs: s.docs,
    profileReused: s.profile.reused,
    ...(s.profile.migration ? {
      migrationOnFirstOpen: {
        from: s.profile.migration.fromVersion, to: s.profile.migration.toVersion, deskOpenMs: s.profile.migration.deskOpenMs,
        quickCheckMs: s.profile.migration.quickCheckMs, migrationApproxMs: s.profile.migration.migrationApproxMs,
        at: s.profile.migration.at, measuredInThisRun: s.profile.migration.measuredInThisRun,
      },
    } : {}),
    generation: {
      // A reused profile carries the figures of the run that made it (generatedAtSchema says with which schema).
      atSchema: s.profile.generatedAtSchema,
      docsPerSec: g.docsPerSec,
      wallS: Math.round(g.wallMs / 100) / 10,
      mainEventLoopDelayMs: { p50: g.mainEventLoopDelayMs.p50, p99: g.mainEventLoopDelayMs.p99, max: g.mainEventLoopDelayMs.max },
    },
    deskOpenMs: all.openMs,
    ...(s.diagnosis ? { quickCheckMs: s.diagnosis.open.quickCheckMs } : {}),
    firstPageMs: { cold: all.coldMs, warm: all.warmMedianMs, worstVariantCold: Math.max(...cold), worstVariantWarm: Math.max(...warm) },
    countAllMs: s.firstPage.counts.all!.medianMs,
    deepPageMs: { offset: s.firstPage.deepPage.offset, median: s.firstPage.deepPage.medianMs },
    search: {
      oursMs: pick(s.search.ours),
      rawSameExpressionMs: pick(s.search.rawSameExpression),
      rawPrefixMs: pick(s.search.rawPrefix),
      ratioP95VsRawSameExpression: s.search.ratioP95VsRawSameExpression,
      ratioP50VsRawSameExpression: s.search.ratioP50VsRawSameExpression,
      ratioP95VsRawPrefix: s.search.ratioP95VsRawPrefix,
      overheadOverRawSameExpressionMs: s.search.overheadMs,
      queriesWithRows: s.search.withRows,
      sameRowsAsRawSameExpression: s.search.sameRowsAsRawSameExpression,
      sameRowsAsRawPrefix: s.search.sameRowsAsRawPrefix,
      countMs: { p50: s.search.count.p50, p95: s.search.count.p95 },
    },
    lowerClearance: {
      clearance: low.clearance,
      firstPageWarmMs: low.pages.all!.warmMedianMs,
      // Not a target: the targets are taken at the top clearance; a filter above one's clearance can match nothing.
      firstPageWorstVariant: worstOf(low.pages),
      firstPageAllVariantsUnder50ms: Object.values(low.pages).every((p) => p.warmMedianMs < TARGETS.firstPageMs),
      countAllMs: low.counts.all!.medianMs,
      ...(s.diagnosis ? {
        searchOursMs: pick(s.diagnosis.searchOverhead.lowerClearance.ours.ms),
        searchRatioP95VsRawSameExpression: s.diagnosis.searchOverhead.lowerClearance.ours.ratioP95VsRawSameExpression,
      } : {}),
    },
    targets: s.targets,
    ...(s.diagnosis ? { measuredAlternatives: alternatives(s.diagnosis) } : {}),
  };
}

/** The search alternatives of the diagnosis in one place (details under diagnosis.searchOverhead). */
function alternatives(d: Diagnosis) {
  const o = d.searchOverhead;
  const row = (a: Paired & { sameRowsAsOurs?: number }) => ({
    p50: a.ms.p50, p95: a.ms.p95, rawSameExpressionP95: a.rawSameExpression.p95,
    ratioP95VsRawSameExpression: a.ratioP95VsRawSameExpression, overheadP50Ms: a.overheadP50Ms,
    ...(a.sameRowsAsOurs === undefined ? {} : { sameRowsAsOurs: a.sameRowsAsOurs }),
  });
  return {
    // Every candidate is timed in its own passes against the raw query, so each row carries its own raw p95.
    search: {
      ours: row(o.ours),
      ...Object.fromEntries(Object.entries(o.alternatives).map(([n, a]) => [n, row(a)])),
      referenceRawThenRowsByIdArrays: row(o.parts.rawThenRowsByIdArrays),
      [`referenceRawThenRowsByIdArrays${CONNECTION_ALTERNATIVE.name}`]: row(o.parts.rawThenRowsByIdArraysWithConnectionAlternative),
    },
    splitOfOursOverheadP50Ms: o.splitOfOverheadP50Ms,
    searchLowerClearance: {
      ours: row(o.lowerClearance.ours),
      ...Object.fromEntries(Object.entries(o.lowerClearance.alternatives).map(([n, a]) => [n, row(a)])),
    },
    searchCountMs: {
      ours: { p50: d.searchCount.ours.p50, p95: d.searchCount.ours.p95 },
      ftsOnly: { p50: d.searchCount.ftsOnly.p50, p95: d.searchCount.ftsOnly.p95 },
      sameTotals: d.searchCount.sameTotals,
    },
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const t0 = performance.now();
  const temp = args.keep ? undefined : mkdtempSync(join(tmpdir(), 'securedesk-bench-'));
  const dir = args.keep ?? join(temp!, `docs-${args.docs}`);
  try {
    const main = await measure(dir, args.docs, args.diagnose);
    let small: Section | undefined;
    if (args.small && args.docs > SMALL_DOCS) {
      const smallDir = args.keep ? `${args.keep}-${SMALL_DOCS}` : join(temp!, `docs-${SMALL_DOCS}`);
      small = await measure(smallDir, SMALL_DOCS, false);
    }
    const probe = new Database(join(dir, DB_NAME), { readonly: true });
    const machine = machineInfo(probe);
    probe.close();
    const out = {
      benchmark: 'securedesk incoming register',
      at: new Date().toISOString(),
      machine,
      thresholds: TARGETS,
      summary: summary(main),
      ...(small ? { smallSummary: summary(small) } : {}),
      ...main,
      ...(small ? { small: { docs: small.docs, profile: small.profile, generation: small.generation, firstPage: small.firstPage, search: small.search, targets: small.targets } } : {}),
      totalMs: ms(performance.now() - t0),
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } finally {
    if (temp) rmSync(temp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
});
