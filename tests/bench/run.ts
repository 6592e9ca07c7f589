// `npm run bench [-- --docs N] [--keep DIR] [--no-small] [--no-diagnose]`
// Generates a register of N incoming documents (default 1 000 000) through the core, then measures
// the first page, the count and search. Prints ONE JSON object on stdout; progress goes to stderr.
import Database from 'better-sqlite3-multiple-ciphers';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { diagnose, type Diagnosis } from './diagnose';
import { measureFirstPage, pageVariants, type FirstPageFigures } from './firstPage';
import { DB_NAME, generateProfile, generatorFingerprint, type GenerationFigures, type ProfileMeta } from './generate';
import { machineInfo } from './machine';
import { buildQueries, measureSearch, type SearchFigures } from './search';
import { openProfile } from './session';
import { ms, progress } from './stats';

const SEED = 2026;
const QUERY_SEED = 7;
const QUERIES = 200;
const YEARS = 6;
const BATCH = 2000;
const WORKER_CACHE_MIB = 256;
const SMALL_DOCS = 100_000;
const META_FILE = 'bench-profile.json';
const OUR_FILES = new Set([DB_NAME, `${DB_NAME}-wal`, `${DB_NAME}-shm`, META_FILE, 'store', 'staging']);

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

interface Stored { meta: ProfileMeta; figures: GenerationFigures }

/** A kept profile is reused when it was generated with the same N, seed and sample generator; otherwise it is rebuilt. */
async function profileFor(dir: string, docs: number): Promise<Stored & { reused: boolean }> {
  const metaPath = join(dir, META_FILE);
  if (existsSync(metaPath) && existsSync(join(dir, DB_NAME))) {
    const stored = JSON.parse(readFileSync(metaPath, 'utf8')) as Stored;
    if (stored.meta.docs === docs && stored.meta.seed === SEED && stored.meta.generator === generatorFingerprint(SEED, YEARS, BATCH)) {
      progress(`reusing the ${docs}-document profile in ${dir}`);
      return { ...stored, reused: true };
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
  return { ...made, reused: false };
}

interface Section {
  docs: number;
  profileReused: boolean;
  generation: GenerationFigures;
  firstPage: FirstPageFigures;
  search: SearchFigures;
  targets: { firstPageUnder50ms: boolean; searchP95Under30ms: boolean; ratioAtMost1_5: boolean };
  diagnosis?: Diagnosis;
}

async function measure(dir: string, docs: number, withDiagnosis: boolean): Promise<Section> {
  const profile = await profileFor(dir, docs);
  const { meta } = profile;
  const years = { first: Number(meta.firstDay.slice(0, 4)), last: Number(meta.lastDay.slice(0, 4)) };
  const firstPage = await measureFirstPage(dir, meta.userId, pageVariants(years), docs);

  const { desk, actor } = await openProfile(dir, meta.userId);
  try {
    const queries = buildQueries(desk.db, QUERIES, QUERY_SEED);
    progress(`searching ${queries.length} queries, e.g. ${queries.slice(0, 6).map((q) => `"${q.text}"`).join(', ')}`);
    const search = measureSearch(desk, actor, queries);
    progress(`search p95 ours ${search.ours.p95} ms, raw ${search.raw.p95} ms, ratio ${search.ratioP95}`);
    const pages = Object.values(firstPage.pages);
    const section: Section = {
      docs,
      profileReused: profile.reused,
      generation: profile.figures,
      firstPage,
      search,
      targets: {
        // Every variant's first call on a fresh Desk, and its warm median, must be under the target.
        firstPageUnder50ms: pages.every((p) => p.coldMs < TARGETS.firstPageMs && p.warmMedianMs < TARGETS.firstPageMs),
        searchP95Under30ms: search.ours.p95 < TARGETS.searchP95Ms,
        ratioAtMost1_5: search.ratioP95 <= TARGETS.ratioP95,
      },
    };
    if (withDiagnosis) section.diagnosis = diagnose(desk, actor, queries, search, years);
    return section;
  } finally {
    desk.close();
  }
}

/** The headline figures of a section, flat, next to their targets. */
function summary(s: Section) {
  const g = s.generation;
  const all = s.firstPage.pages.all!;
  const warm = Object.values(s.firstPage.pages).map((p) => p.warmMedianMs);
  const cold = Object.values(s.firstPage.pages).map((p) => p.coldMs);
  return {
    docs: s.docs,
    generationDocsPerSec: g.docsPerSec,
    generationWallS: Math.round(g.wallMs / 100) / 10,
    mainEventLoopDelayMs: { p50: g.mainEventLoopDelayMs.p50, p99: g.mainEventLoopDelayMs.p99, max: g.mainEventLoopDelayMs.max },
    firstPageColdMs: all.coldMs,
    firstPageWarmMs: all.warmMedianMs,
    firstPageWorstVariantMs: { cold: Math.max(...cold), warm: Math.max(...warm) },
    deskOpenMs: all.openMs,
    countAllMs: s.firstPage.counts.all!.medianMs,
    searchOursMs: { p50: s.search.ours.p50, p95: s.search.ours.p95, max: s.search.ours.max },
    searchRawMs: { p50: s.search.raw.p50, p95: s.search.raw.p95, max: s.search.raw.max },
    searchRatioP95: s.search.ratioP95,
    searchQueriesWithRows: s.search.withRows,
    searchCountMs: { p50: s.search.count.p50, p95: s.search.count.p95 },
    ...s.targets,
    ...(s.diagnosis ? { measuredAlternatives: alternatives(s.diagnosis) } : {}),
  };
}

/** The proposals of the diagnosis in one place (details under diagnosis). */
function alternatives(d: Diagnosis) {
  const p = d.prefixQuery;
  const idx = d.countIndex[0]!;
  return {
    searchWithPrefixExpandedMs: { p50: p.expandedOurs.p50, p95: p.expandedOurs.p95, max: p.expandedOurs.max, sameRowsAsToday: p.identicalToPrefix },
    searchCountWithoutSecrecyJoinMs: { p50: p.expandedCountFtsOnly.p50, p95: p.expandedCountFtsOnly.p95 },
    countAllWithSecrecyIndexMs: { before: idx.counts.all!.beforeMs, after: idx.counts.all!.afterMs, index: idx.index },
    deskOpenWithoutQuickCheckMs: d.open.openWithoutQuickCheckMs,
    quickCheckMs: d.open.quickCheckMs,
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
      ...(small ? { small: { docs: small.docs, profileReused: small.profileReused, generation: small.generation, firstPage: small.firstPage, search: small.search, targets: small.targets } } : {}),
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
