// The legacy import at scale (issue 10): N records of a CSV register with one real PDF each (20–200 KB,
// log-uniform), imported end to end by `desk.imports.start` (parse, validate, hash, encrypt, store,
// index, events, journal) in a process of its own (importChild.ts), against a raw baseline measured in
// the same run on the same bytes: read + SHA-256 + AES-256-GCM of every file, and one bulk insert of
// the same rows into an encrypted SQLite table, on one thread. Targets: ≥ 5 000 records/s, ≤ 2× the
// baseline's time, peak resident memory ≤ 300 MB, the main thread's event-loop delay p99 ≤ 20 ms.
import Database from 'better-sqlite3-multiple-ciphers';
import { spawn } from 'node:child_process';
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { suggestMapping } from '../../main/core/import/mapping';
import { newDesk, softIdentity, tempDir } from '../helpers/desk';
import { IMPORT_HEADERS, writeImportArchive } from './importArchive';
import { loadNow } from './machine';
import { progress } from './stats';

export const IMPORT_TARGETS = { records: 100_000, recordsPerSecond: 5000, ratioToBaseline: 2, peakRssMb: 300, eventLoopP99Ms: 20 };

export interface ImportFigures {
  records: number;
  fileMb: number;
  generationSeconds: number;
  baseline: { seconds: number; readHashEncryptSeconds: number; insertSeconds: number; recordsPerSecond: number };
  import: {
    seconds: number; recordsPerSecond: number; job: Record<string, unknown>; eventLoopDelayMs: { p50: number; p99: number; max: number; samples: number };
    /** The window's thread's GC pauses during the job (PerformanceObserver 'gc'). */
    gcPausesMs: { count: number; major: number; over10: number; max: number; total: number };
    /** The window's thread's own CPU ms between two ticks of a 10 ms timer: its tasks' length without the waits for a core. */
    ownCpuPerTickMs: { p50: number; p99: number; max: number; ticks: number; over10: number } | null;
    peakRssMb: number; maxRssMb: number; startRssMb: number; atPeakMb: { heapUsed: number; heapTotal: number; external: number; arrayBuffers: number; anon?: number; file?: number; shmem?: number }; cpuSeconds: { user: number; system: number; mainThread: number | null }; workers: number | null; check: Record<string, unknown>;
    progress: unknown[];
  };
  ratioToBaseline: number;
  load: { before: ReturnType<typeof loadNow>; afterBaseline: ReturnType<typeof loadNow>; after: ReturnType<typeof loadNow> };
  targets: typeof IMPORT_TARGETS;
  met: { recordsPerSecond: boolean; ratioToBaseline: boolean; peakRssMb: boolean; eventLoopP99Ms: boolean; correct: boolean };
}

/** read + SHA-256 + AES-256-GCM of every file, then one transaction inserting every row (prepared insert). */
function baseline(files: readonly string[], source: string, dir: string): ImportFigures['baseline'] {
  const key = randomBytes(32);
  const t0 = performance.now();
  const hashes: string[] = [];
  for (const f of files) {
    const bytes = readFileSync(f);
    hashes.push(createHash('sha256').update(bytes).digest('hex'));
    const c = createCipheriv('aes-256-gcm', key, randomBytes(12));
    c.update(bytes);
    c.final();
    c.getAuthTag();
  }
  const t1 = performance.now();
  const db = new Database(join(dir, 'baseline.db'));
  db.pragma(`key = "x'${randomBytes(32).toString('hex')}'"`);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE rows (id INTEGER PRIMARY KEY, arrival_number TEXT, arrival_date TEXT, number_symbol TEXT, document_date TEXT, issuer TEXT, subject TEXT, secrecy TEXT, file TEXT, sha256 TEXT)');
  const insert = db.prepare('INSERT INTO rows VALUES (?,?,?,?,?,?,?,?,?,?)');
  const lines = readFileSync(source, 'utf8').split('\n').slice(1).filter(Boolean);
  db.transaction(() => {
    lines.forEach((l, i) => {
      const cells = l.match(/("[^"]*"|[^,]*)(,|$)/g)!.map((c) => c.replace(/,$/, '').replace(/^"|"$/g, ''));
      insert.run(i + 1, ...cells.slice(0, 8), hashes[i] ?? null);
    });
  })();
  db.close();
  const t2 = performance.now();
  const seconds = (t2 - t0) / 1000;
  return { seconds, readHashEncryptSeconds: (t1 - t0) / 1000, insertSeconds: (t2 - t1) / 1000, recordsPerSecond: Math.round(files.length / seconds) };
}

function runChild(bundle: string, dir: string, source: string, mappingFile: string): Promise<ImportFigures['import'] & { seconds: number }> {
  const id = softIdentity();
  // SD_BENCH_CPU_PROF=DIR: CPU profiles of the child and each of its worker threads (one .cpuprofile each).
  const prof = process.env.SD_BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.SD_BENCH_CPU_PROF] : [];
  // SD_BENCH_CHILD_FLAGS: V8/node flags for the child alone (e.g. "--max-semi-space-size=4"), to compare settings.
  const flags = process.env.SD_BENCH_CHILD_FLAGS?.split(/\s+/).filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...flags, ...prof, bundle, dir, source, mappingFile], {
    stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, SD_TEST_CERT: id.certPem, SD_TEST_KEY: id.keyPem },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  return new Promise((resolve, reject) => child.on('close', (code) => {
    if (code !== 0) return reject(new Error(`import child failed (${code})`));
    const r = JSON.parse(out.trim().split('\n').pop()!) as ImportFigures['import'] & { seconds: number };
    resolve({ ...r, recordsPerSecond: Math.round(r.job.total as number / r.seconds) });
  }));
}

/**
 * The import's process as the packaged app runs it: the child and the workers it starts (the import's
 * file and database workers, the unlock's database and crypto workers) bundled with scripts/build.mjs's
 * options into one folder, where the core finds each worker beside the bundle. Run from sources through
 * tsx, the child starts about 60 MB larger and each worker would register tsx and compile what it loads:
 * seconds of start-up and tens of MB each, inside the figures that are the app's. The folder sits in the
 * repository (the native modules resolve from its node_modules) and is removed at exit.
 */
async function bundledChild(): Promise<string> {
  const { build } = await import('esbuild');
  const dir = fileURLToPath(new URL(`./.bundle-${process.pid}/`, import.meta.url));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', remove);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => { remove(); process.exit(130); });
  const src = (rel: string) => fileURLToPath(new URL(rel, import.meta.url));
  const entries = [
    ['importChild.mjs', src('./importChild.ts')], ['import-worker.js', src('../../main/core/import/fileWorker.ts')],
    ['import-write-worker.js', src('../../main/core/import/writeWorker.ts')], ['db-worker.js', src('../../main/core/db/dbWorker.ts')],
    ['crypto-worker.js', src('../../main/core/crypto/cryptoWorker.ts')],
  ] as const;
  mkdirSync(dir, { recursive: true });
  // A .js file here is an ES module (the repository's package.json says "type": "module").
  await Promise.all(entries.map(([out, entry]) => build({
    entryPoints: [entry], outfile: join(dir, out), bundle: true, platform: 'node', target: 'node20', format: 'esm', logLevel: 'warning',
    legalComments: 'none', minifyWhitespace: true, sourcemap: true, external: ['electron', 'better-sqlite3-multiple-ciphers', 'pkcs11js', 'original-fs'],
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  })));
  return join(dir, 'importChild.mjs');
}

export async function measureImport(records: number): Promise<ImportFigures> {
  const work = tempDir('securedesk-bench-import-');
  const bundle = await bundledChild();
  try {
    const before = loadNow();
    progress(`import: generating ${records} rows and ${records} PDFs (20–200 KB)`);
    const g0 = performance.now();
    const archive = writeImportArchive(join(work.dir, 'archive'), records);
    const generationSeconds = (performance.now() - g0) / 1000;
    progress(`import: ${Math.round(archive.fileBytes / 1048576)} MB of PDFs in ${generationSeconds.toFixed(1)} s; raw baseline`);
    const base = baseline(archive.files, archive.source, work.dir);
    const afterBaseline = loadNow();
    progress(`import: baseline ${base.seconds.toFixed(1)} s (${base.recordsPerSecond}/s); the import`);
    const profile = join(work.dir, 'profile');
    const env = await newDesk('state', profile);
    env.desk.close();
    const mappingFile = join(work.dir, 'mapping.json');
    writeFileSync(mappingFile, JSON.stringify(suggestMapping(IMPORT_HEADERS)));
    const imp = await runChild(bundle, profile, archive.source, mappingFile);
    const after = loadNow();
    const ratio = imp.seconds / base.seconds;
    const c = imp.check as { records: number; attachments: number; indexed: number; events: number; numbersDense: boolean; journal: { n: number; keys: number } };
    const correct = c.numbersDense && imp.job.imported === records && c.records === records && c.attachments === records && c.indexed === records && c.events === 2 * records && c.journal.keys === records;
    return {
      records, fileMb: Math.round(archive.fileBytes / 1048576), generationSeconds, baseline: base, import: imp, ratioToBaseline: Math.round(ratio * 100) / 100,
      load: { before, afterBaseline, after }, targets: IMPORT_TARGETS,
      met: {
        recordsPerSecond: imp.recordsPerSecond >= IMPORT_TARGETS.recordsPerSecond, ratioToBaseline: ratio <= IMPORT_TARGETS.ratioToBaseline,
        peakRssMb: Math.max(imp.peakRssMb, imp.maxRssMb) <= IMPORT_TARGETS.peakRssMb, eventLoopP99Ms: imp.eventLoopDelayMs.p99 <= IMPORT_TARGETS.eventLoopP99Ms, correct,
      },
    };
  } finally {
    work.cleanup();
  }
}

// `node --import tsx tests/bench/import.ts [N]`: this part alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 20_000);
  process.stdout.write(`${JSON.stringify(await measureImport(n), null, 2)}\n`);
}
