// Figure 1: a fresh encrypted profile made through the core (Desk.open + setup with a software
// identity: a fresh data key wrapped in keyring.cms, a SQLCipher database), then N documents
// inserted by a worker thread into the same database, keyed with the same data key, while the main
// thread (standing in for Electron's main process) measures its own event-loop delay.
import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { todayIso } from '../../common/dates';
import { isPlainDatabase } from '../../main/core/db/connection';
import { Desk, type TokenIdentity } from '../../main/core/desk';
import { addUnit } from '../../main/core/org/units';
import { FOCAL_UNITS, rng, sampleIncoming, testUnitCode } from '../../main/devhost/sampleData';
import type { GenerateJob, WorkerMessage } from './generateWorker';
import { DB_NAME, newIdentity, profileHexKey } from './session';
import { ms, progress } from './stats';

export { DB_NAME } from './session';
const EL_RESOLUTION_MS = 10;

export interface ProfileMeta {
  docs: number;
  seed: number;
  /** Hash of the first sample documents: a kept profile made by an older sampleData is regenerated. */
  generator: string;
  userId: number;
  firstDay: string;
  lastDay: string;
  /** Schema (user_version) the documents were generated at; absent in profiles made before it was recorded. */
  schema?: number;
  /** SQLCipher database, data key in keyring.cms (absent: a plain profile from before encryption at rest). */
  encrypted?: boolean;
}

export interface GenerationFigures {
  docs: number;
  /** Desk.open + setup (keyring, encrypted database) + known units, on the main thread. */
  setupMs: number;
  /** The data key unwrapped from keyring.cms (openKeyring, software key) for the worker. */
  keyringUnwrapMs: number;
  /** Worker start to worker exit (thread start-up and module loading included). */
  wallMs: number;
  insertMs: number;
  closeMs: number;
  /** Inside the worker: first insert to closed database. */
  docsPerSec: number;
  docsPerSecWall: number;
  batchSize: number;
  maxBatchMs: number;
  workerCacheMiB: number;
  dbBytes: number;
  mainEventLoopDelayMs: EventLoopDelay & {
    /** Same figures from the first batch on (the worker's start-up, module loading included above, left out here). */
    steady: EventLoopDelay;
    /** One idle second on the same thread just before the worker started, for comparison. */
    idleBaseline: EventLoopDelay;
    resolutionMs: number;
    note: string;
  };
}

export interface EventLoopDelay { p50: number; p99: number; max: number; samples: number }

const toMs = (ns: number) => ms(ns / 1e6);
function summarizeDelay(h: IntervalHistogram): EventLoopDelay {
  return { p50: toMs(h.percentile(50)), p99: toMs(h.percentile(99)), max: toMs(h.max), samples: h.count };
}

export function generatorFingerprint(seed: number, years: number, batchSize: number): string {
  const r = rng(seed);
  const samples = Array.from({ length: 200 }, (_, i) => sampleIncoming(r, i + 1));
  // `events`: the documents come with their ordered events (the event log of the split core).
  return createHash('sha256').update(JSON.stringify({ samples, years, batchSize, events: 1 })).digest('hex').slice(0, 16);
}

/**
 * Desk.open + setup with the identity (party preset, a văn thư cleared to tuyệt mật: a fresh data key,
 * keyring.cms for the identity's certificate, an encrypted database) + the focal units as known issuers.
 */
async function createProfile(dir: string, identity: TokenIdentity): Promise<{ desk: Desk; userId: number; unitIds: Record<string, number> }> {
  const desk = await Desk.open({ profileDir: dir });
  if (desk.info().profile !== 'new') throw new Error(`${dir} already holds a profile`);
  const session = await desk.setup({
    unit: { name: 'Văn phòng Thành ủy Hà Nội', code: '000.00.01.T01', preset: 'party' },
    admin: { fullName: 'Nguyễn Thị Hương', position: 'Văn thư cơ quan', role: 'van_thu', clearance: 'tuyet_mat' },
  }, identity);
  if (!desk.encrypted) throw new Error('setup left the profile unencrypted');
  const unitIds: Record<string, number> = {};
  desk.db.transaction(() => {
    FOCAL_UNITS.forEach((name, i) => {
      if (name !== 'Văn phòng Thành ủy') unitIds[name] = addUnit(desk.db, name, testUnitCode(i + 1));
    });
  })();
  return { desk, userId: session.user.id, unitIds };
}

/** The file does not start with SQLite's plain header (SQLCipher encrypts page 1 whole). */
export function encryptedOnDisk(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(16);
    readSync(fd, head, 0, 16, 0);
    return !isPlainDatabase(head);
  } finally {
    closeSync(fd);
  }
}

/** Starts a TypeScript worker: `--import tsx` does not reach worker threads on Node 20, so register tsx in it. */
function startWorker(job: GenerateJob): Worker {
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./generateWorker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, workerData: job });
}

export async function generateProfile(
  dir: string,
  docs: number,
  opts: { seed: number; batchSize: number; cacheMiB: number; years: number },
): Promise<{ meta: ProfileMeta; figures: GenerationFigures }> {
  // The identity's PEMs are kept in the profile dir first, so a --keep re-run can unlock it.
  const identity = newIdentity(dir);
  const t0 = performance.now();
  const { desk, userId, unitIds } = await createProfile(dir, identity);
  const setupMs = performance.now() - t0;
  const tk = performance.now();
  const hexKey = await profileHexKey(dir, identity);
  const keyringUnwrapMs = performance.now() - tk;
  const reg = desk.db
    .prepare("SELECT id, scope_id AS scopeId FROM registers WHERE kind = 'incoming' ORDER BY id LIMIT 1")
    .get() as { id: number; scopeId: number };
  const lastDay = todayIso(desk.now());
  const schema = desk.db.pragma('user_version', { simple: true }) as number;
  const firstDay = `${Number(lastDay.slice(0, 4)) - (opts.years - 1)}-01-01`;
  const job: GenerateJob = {
    dbFile: join(dir, DB_NAME), hexKey, docs, seed: opts.seed, firstDay, lastDay, registerId: reg.id, scopeId: reg.scopeId,
    userId, unitIds, batchSize: opts.batchSize, cacheMiB: opts.cacheMiB,
  };

  const idle = monitorEventLoopDelay({ resolution: EL_RESOLUTION_MS });
  idle.enable();
  await new Promise((r) => setTimeout(r, 1000));
  idle.disable();

  // The main thread keeps its Desk open (as the app would) and only listens while the worker writes.
  const eld = monitorEventLoopDelay({ resolution: EL_RESOLUTION_MS });
  const steady = monitorEventLoopDelay({ resolution: EL_RESOLUTION_MS });
  eld.enable();
  const tw = performance.now();
  const worker = startWorker(job);
  let lastReport = 0;
  const done = await new Promise<Extract<WorkerMessage, { type: 'done' }>>((resolve, reject) => {
    let result: Extract<WorkerMessage, { type: 'done' }> | undefined;
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'progress') {
        if (m.done === Math.min(docs, opts.batchSize)) steady.enable();
        if (m.ms - lastReport > 5000 || m.done === docs) {
          lastReport = m.ms;
          progress(`generated ${m.done}/${docs} (${Math.round(m.done / (m.ms / 1000))} docs/s)`);
        }
      } else result = m;
    });
    worker.on('error', reject);
    worker.on('exit', (code) => (result && code === 0 ? resolve(result) : reject(new Error(`generator worker exited with ${code}`))));
  });
  eld.disable();
  steady.disable();
  const wallMs = performance.now() - tw;
  desk.close();
  if (!encryptedOnDisk(join(dir, DB_NAME))) throw new Error(`${dir}: the generated database is plain SQLite`);

  return {
    meta: { docs, seed: opts.seed, generator: generatorFingerprint(opts.seed, opts.years, opts.batchSize), userId, firstDay, lastDay, schema, encrypted: true },
    figures: {
      docs,
      setupMs: ms(setupMs),
      keyringUnwrapMs: ms(keyringUnwrapMs),
      wallMs: ms(wallMs),
      insertMs: ms(done.insertMs),
      closeMs: ms(done.closeMs),
      docsPerSec: Math.round(docs / ((done.insertMs + done.closeMs) / 1000)),
      docsPerSecWall: Math.round(docs / (wallMs / 1000)),
      batchSize: opts.batchSize,
      maxBatchMs: ms(done.maxBatchMs),
      workerCacheMiB: opts.cacheMiB,
      dbBytes: statSync(join(dir, DB_NAME)).size,
      mainEventLoopDelayMs: {
        ...summarizeDelay(eld),
        steady: summarizeDelay(steady),
        idleBaseline: summarizeDelay(idle),
        resolutionMs: EL_RESOLUTION_MS,
        note: 'raw histogram values: each sample includes the 10 ms timer interval, so an idle loop reads ~10.1 ms; the excess over 10 is the delay',
      },
    },
  };
}
