// The import benchmark's timed part, in a process of its own (so that its peak memory is the import's):
// opens the profile, runs `desk.imports.start` on the archive with the event-loop delay monitored
// (perf_hooks.monitorEventLoopDelay) and the resident memory sampled, checks the result (every row one
// record, numbers 1..N without a gap, every record indexed, one change event per record and file, one
// encrypted blob per file) and prints one JSON line. argv: profile dir, source, mapping JSON.
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import { writeHeapSnapshot } from 'node:v8';
import { Desk } from '../../main/core/desk';
import { actorFor, getUser } from '../../main/core/org/users';
import { identityFromPem } from '../helpers/desk';

const [dir, source, mappingFile] = process.argv.slice(2) as [string, string, string];
// SD_IMPORT_WORKERS, SD_IMPORT_SLICE_MS, SD_IMPORT_TX_MS, SD_IMPORT_BATCH, SD_IMPORT_HOLD_MB, SD_IMPORT_PER_ROW: the job's options, to compare settings.
const workers = process.env.SD_IMPORT_WORKERS ? Number(process.env.SD_IMPORT_WORKERS) : undefined;
const desk = await Desk.open({ profileDir: dir });
await desk.unlock(identityFromPem(process.env.SD_TEST_CERT!, process.env.SD_TEST_KEY!));
const actor = actorFor(getUser(desk.db, 1)!);
const mapping = JSON.parse(readFileSync(mappingFile, 'utf8'));

/**
 * CPU seconds of this process's main thread alone (Linux: /proc; null elsewhere): the thread that owns
 * the database. Unlike wall time it hardly moves with the machine's load, so runs on a busy machine compare.
 */
function mainThreadCpu(): number | null {
  const file = `/proc/self/task/${process.pid}/stat`;
  if (!existsSync(file)) return null;
  const fields = readFileSync(file, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks of 1/100 s
}

const eld = monitorEventLoopDelay({ resolution: 10 });
/**
 * The window's thread's own CPU time between two ticks of a 10 ms timer (Linux: its schedstat, on-CPU
 * nanoseconds). On a machine shared with other work the event loop's delay also counts the time the
 * thread waited for a core; this counts only what the thread itself ran between two turns that reach
 * the timers: a task of 25 ms shows as 25 whatever the load, a quiet tick as the tick's own cost.
 */
// Opened once and read at offset 0 each tick (an open and a close per tick cost ~0.06 ms on this thread).
const schedFile = `/proc/self/task/${process.pid}/schedstat`;
const schedFd = existsSync(schedFile) ? openSync(schedFile, 'r') : null;
const schedBuf = Buffer.alloc(128);
const onCpuMs = (): number | null => {
  if (schedFd === null) return null;
  const n = readSync(schedFd, schedBuf, 0, schedBuf.length, 0);
  return Number(schedBuf.toString('latin1', 0, n).split(' ')[0]) / 1e6;
};
const tickCpu: number[] = [];
let lastCpu = onCpuMs();
const ticker = setInterval(() => {
  const now = onCpuMs();
  if (now !== null && lastCpu !== null) tickCpu.push(now - lastCpu);
  lastCpu = now;
}, 10);
ticker.unref();
// The window's thread's GC pauses during the job: one over 10 ms is a delay of the loop the job cannot slice.
const gcPauses: number[] = [];
let majorGcs = 0;
const gcObserver = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gcPauses.push(e.duration);
    if ((e as { detail?: { kind?: number } }).detail?.kind === 4) majorGcs++; // NODE_PERFORMANCE_GC_MAJOR
  }
});
const mb = (n: number) => Math.round(n / 1048576);
// Resident before the job (the open, unlocked profile) and, at the peak, what V8 and buffers held.
const startRss = process.memoryUsage.rss();
let peakRss = startRss;
let atPeak = process.memoryUsage();
/** The resident set's parts (Linux: /proc/self/status): anonymous (heaps, malloc: SQLite's caches), file-backed (code, mapped files), shared memory (WAL indexes). */
const rssParts = (): Record<string, number> => {
  if (!existsSync('/proc/self/status')) return {};
  const out: Record<string, number> = {};
  for (const m of readFileSync('/proc/self/status', 'utf8').matchAll(/^Rss(Anon|File|Shmem):\s+(\d+) kB/gm)) out[m[1]!.toLowerCase()] = Math.round(Number(m[2]) / 1024);
  return out;
};
let partsAtPeak = rssParts();
// rss() alone each time (memoryUsage() walks V8's heap spaces: ~0.2 ms on the thread measured).
const sampler = setInterval(() => {
  const rss = process.memoryUsage.rss();
  if (rss > peakRss) { peakRss = rss; atPeak = process.memoryUsage(); partsAtPeak = rssParts(); }
}, 50);
const progress: Array<{ handled: number; rate: number; secondsLeft: number | null }> = [];
let lastReport = 0;
const heapFile = process.env.SD_BENCH_HEAP_SNAPSHOT;
let heapWritten = false;
const cpu0 = process.cpuUsage();
const main0 = mainThreadCpu();
eld.enable();
gcObserver.observe({ entryTypes: ['gc'] });
const t0 = performance.now();
const r = await desk.imports.start(actor, source, mapping, {
  ...(workers ? { workers } : {}), ...(process.env.SD_IMPORT_SLICE_MS ? { sliceMs: Number(process.env.SD_IMPORT_SLICE_MS) } : {}),
  ...(process.env.SD_IMPORT_TX_MS ? { txMs: Number(process.env.SD_IMPORT_TX_MS) } : {}),
  ...(process.env.SD_IMPORT_BATCH ? { batchSize: Number(process.env.SD_IMPORT_BATCH) } : {}),
  ...(process.env.SD_IMPORT_HOLD_MB ? { holdBytes: Number(process.env.SD_IMPORT_HOLD_MB) * 1024 * 1024 } : {}),
  // SD_IMPORT_PER_ROW=1: each registration written with its own statements (the reference of the set-wise writes).
  ...(process.env.SD_IMPORT_PER_ROW === '1' ? { perRow: true } : {}),
  onProgress: (p) => {
    // SD_BENCH_HEAP_SNAPSHOT=FILE: the main thread's heap written once, at three quarters of the rows.
    if (heapFile && !heapWritten && p.handled >= p.total * 0.75) { heapWritten = true; writeHeapSnapshot(heapFile); }
    if (performance.now() - lastReport > 1000 || p.state !== 'running') {
      lastReport = performance.now();
      progress.push({ handled: p.handled, rate: Math.round(p.rate), secondsLeft: p.secondsLeft === null ? null : Math.round(p.secondsLeft) });
      process.stderr.write(`[import] ${p.handled}/${p.total} ${Math.round(p.rate)}/s ${p.secondsLeft === null ? '' : `${Math.round(p.secondsLeft)} s left`}\n`);
    }
  },
});
const seconds = (performance.now() - t0) / 1000;
eld.disable();
gcObserver.disconnect();
clearInterval(ticker);
if (schedFd !== null) closeSync(schedFd);
clearInterval(sampler);
const cpu = process.cpuUsage(cpu0);
const main1 = mainThreadCpu();
peakRss = Math.max(peakRss, process.memoryUsage.rss());

// The result, checked (untimed).
const db = desk.db;
const one = (sql: string) => db.prepare(sql).get() as Record<string, number>;
const sum = (f: (c: string) => string) => ['c_thuong', 'c_mat'].reduce((n, c) => n + Number(db.prepare(f(c)).pluck().get()), 0);
const check = {
  records: sum((c) => `SELECT count(*) FROM ${c}.incoming`),
  attachments: sum((c) => `SELECT count(*) FROM ${c}.attachments`),
  indexed: sum((c) => `SELECT count(*) FROM ${c}.incoming_fts`),
  events: sum((c) => `SELECT count(*) FROM ${c}.events WHERE kind = 'create' AND entity IN ('incoming', 'attachments')`),
  // Each register's numbers in each year: 1..N, no gap, no repeat.
  numbersDense: ['c_thuong', 'c_mat'].every((c) => (db.prepare(`SELECT count(*) AS n, count(DISTINCT arrival_number) AS d, min(arrival_number) AS lo, max(arrival_number) AS hi
    FROM ${c}.incoming GROUP BY register_id, year`).all() as Array<{ n: number; d: number; lo: number; hi: number }>).every((y) => y.d === y.n && y.lo === 1 && y.hi === y.n)),
  journal: one(`SELECT count(*) AS n, count(DISTINCT row_key) AS keys FROM import_rows WHERE job_id = ${r.job.id}`),
};
const ms = (ns: number) => Math.round(ns / 1e4) / 100;
process.stdout.write(`${JSON.stringify({
  seconds, job: { state: r.job.state, total: r.job.total, imported: r.job.imported, duplicates: r.job.duplicates, rejected: r.job.rejected },
  workers: workers ?? null,
  eventLoopDelayMs: { p50: ms(eld.percentile(50)), p99: ms(eld.percentile(99)), max: ms(eld.max), samples: eld.count },
  // Percentiles of the thread's own CPU ms between two ticks of a 10 ms timer (schedstat; null elsewhere).
  ownCpuPerTickMs: tickCpu.length === 0 ? null : (() => {
    const s = [...tickCpu].sort((a, b) => a - b);
    const at = (q: number) => Math.round(s[Math.min(s.length - 1, Math.floor(q * s.length))]! * 100) / 100;
    return { p50: at(0.5), p99: at(0.99), max: at(1), ticks: s.length, over10: s.filter((x) => x > 10).length };
  })(),
  gcPausesMs: { count: gcPauses.length, major: majorGcs, over10: gcPauses.filter((d) => d > 10).length, max: Math.round(Math.max(0, ...gcPauses) * 10) / 10, total: Math.round(gcPauses.reduce((a, b) => a + b, 0)) },
  peakRssMb: mb(peakRss), maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024), startRssMb: mb(startRss),
  atPeakMb: { heapUsed: mb(atPeak.heapUsed), heapTotal: mb(atPeak.heapTotal), external: mb(atPeak.external), arrayBuffers: mb(atPeak.arrayBuffers), ...partsAtPeak },
  cpuSeconds: { user: Math.round(cpu.user / 1e4) / 100, system: Math.round(cpu.system / 1e4) / 100, mainThread: main0 === null || main1 === null ? null : Math.round((main1 - main0) * 100) / 100 },
  progress, check,
})}\n`);
desk.close();
