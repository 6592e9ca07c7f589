// Figure 1: a fresh encrypted profile made through the core (Desk.open + setup with a software
// identity: a fresh data key wrapped in keyring.cms, a SQLCipher base database, and the four level
// compartments with their keys wrapped in keyrings/<level>.cms), a second person cleared to Mật bound
// with an identity of their own (the Thường and Mật keyrings rewrapped for them), then N documents
// spread over the four levels, written by a worker thread straight into the compartment files with
// their level keys, while the main thread (standing in for Electron's main process) measures its own
// event-loop delay.
//
// Why straight into the compartments and not the single-file layout split at the first unlock: the
// split copies every record, event and index row a second time and rebuilds each level's index
// (compartments/split.ts), then VACUUMs the base; generating into the compartments writes everything
// once, through the same statements the core runs.
import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { todayIso } from '../../common/dates';
import { isPlainDatabase } from '../../main/core/db/connection';
import { Desk, type TokenIdentity } from '../../main/core/desk';
import { addUnit } from '../../main/core/org/units';
import { addUser } from '../../main/core/org/users';
import { bindCertificates } from '../../main/core/org/certificates';
import { writeTx } from '../../main/core/db/transaction';
import { openLevelKeyring } from '../../main/core/compartments/keyrings';
import { LEVELS, compartmentFile, levelKeyringFile, type Level } from '../../main/core/compartments/levels';
import { FOCAL_UNITS, rng, sampleIncoming, testUnitCode } from '../../main/devhost/sampleData';
import type { GenerateJob, WorkerMessage } from './generateWorker';
import { DB_NAME, MAT_IDENTITY_FILE, newIdentity, profileHexKey } from './session';
import { ms, progress } from './stats';

export { DB_NAME } from './session';
const EL_RESOLUTION_MS = 10;

/** How the documents are spread over the levels (the share of each, lowest first). */
export const LEVEL_SHARES: Record<Level, number> = { thuong: 0.7, mat: 0.2, toi_mat: 0.07, tuyet_mat: 0.03 };

export interface ProfileMeta {
  docs: number;
  seed: number;
  /** Hash of the first sample documents: a kept profile made by an older sampleData is regenerated. */
  generator: string;
  userId: number;
  /** The person cleared to Mật (a văn thư of the Thường and Mật registers: sees every record of the levels they hold). */
  matUserId: number;
  /** Documents per level, as generated. */
  perLevel: Record<Level, number>;
  firstDay: string;
  lastDay: string;
  /** Schema (user_version) the documents were generated at; absent in profiles made before it was recorded. */
  schema?: number;
  /** SQLCipher database, data key in keyring.cms (absent: a plain profile from before encryption at rest). */
  encrypted?: boolean;
  /** 'compartments': every level's records in its own SQLCipher file (absent: the single-file layout). */
  layout?: 'compartments';
}

export interface GenerationFigures {
  docs: number;
  /** Desk.open + setup (keyring, encrypted database) + known units, on the main thread. */
  setupMs: number;
  /** The data key unwrapped from keyring.cms and the four level keys from keyrings/<level>.cms (software key) for the worker. */
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
  /** The base and the four compartment files. */
  dbBytes: number;
  compartmentBytes: Record<Level, number>;
  perLevel: Record<Level, number>;
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
  // `compartments`: written into the four level compartments with these shares.
  return createHash('sha256').update(JSON.stringify({ samples, years, batchSize, events: 1, compartments: LEVEL_SHARES })).digest('hex').slice(0, 16);
}

/**
 * Desk.open + setup with the identity (party preset, a văn thư cleared to tuyệt mật: a fresh data key,
 * keyring.cms for the identity's certificate, an encrypted database) + the focal units as known issuers.
 */
async function createProfile(dir: string, identity: TokenIdentity, matIdentity: TokenIdentity): Promise<{ desk: Desk; userId: number; matUserId: number; unitIds: Record<string, number> }> {
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
  // The person cleared to Mật, bound as an administrator binds a token: the Thường and Mật keyrings
  // are rewrapped for their certificate (and only those).
  const matUserId = writeTx(desk.db, () => {
    const id = addUser(desk.db, { fullName: 'Trần Văn Minh', position: 'Văn thư đơn vị', role: 'van_thu', clearance: 'mat' });
    bindCertificates(desk.db, id, [matIdentity.unlockKeys[0]!.certificate], session.user.id, desk.now(), 'administrator');
    return id;
  });
  await desk.rewrapKeyring();
  return { desk, userId: session.user.id, matUserId, unitIds };
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
  const matIdentity = newIdentity(dir, MAT_IDENTITY_FILE, 'Trần Văn Minh');
  const t0 = performance.now();
  const { desk, userId, matUserId, unitIds } = await createProfile(dir, identity, matIdentity);
  const setupMs = performance.now() - t0;
  const tk = performance.now();
  const hexKey = await profileHexKey(dir, identity);
  const compartments: GenerateJob['compartments'] = [];
  for (const level of LEVELS) {
    const k = await openLevelKeyring(levelKeyringFile(dir, level), level, identity.unlockKeys[0]!);
    compartments.push({ level, file: compartmentFile(dir, level), keyId: k.keyId, hexKey: k.key.toString('hex') });
    k.key.fill(0);
  }
  const keyringUnwrapMs = performance.now() - tk;
  const reg = desk.db
    .prepare("SELECT id, scope_id AS scopeId FROM registers WHERE kind = 'incoming' ORDER BY id LIMIT 1")
    .get() as { id: number; scopeId: number };
  const lastDay = todayIso(desk.now());
  const schema = desk.db.pragma('user_version', { simple: true }) as number;
  const firstDay = `${Number(lastDay.slice(0, 4)) - (opts.years - 1)}-01-01`;
  const job: GenerateJob = {
    dbFile: join(dir, DB_NAME), hexKey, compartments, levelShares: LEVEL_SHARES, docs, seed: opts.seed, firstDay, lastDay, registerId: reg.id, scopeId: reg.scopeId,
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
  for (const f of [join(dir, DB_NAME), ...LEVELS.map((l) => compartmentFile(dir, l))])
    if (!encryptedOnDisk(f)) throw new Error(`${f}: the generated database is plain SQLite`);
  const compartmentBytes = Object.fromEntries(LEVELS.map((l) => [l, statSync(compartmentFile(dir, l)).size])) as Record<Level, number>;

  return {
    meta: {
      docs, seed: opts.seed, generator: generatorFingerprint(opts.seed, opts.years, opts.batchSize), userId, matUserId, perLevel: done.perLevel,
      firstDay, lastDay, schema, encrypted: true, layout: 'compartments',
    },
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
      dbBytes: statSync(join(dir, DB_NAME)).size + Object.values(compartmentBytes).reduce((a, b) => a + b, 0),
      compartmentBytes,
      perLevel: done.perLevel,
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
