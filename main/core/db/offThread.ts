// Runs the database worker (dbWorker.ts): the integrity check, the one-time rekey, the migrations, the
// encryption of a plain profile's database and the database side of the split, off the main thread. A
// job cannot be stopped half-way (SQLite runs it in one native call): a worker whose answer is no longer
// wanted finishes and exits by itself.
import { statSync } from 'node:fs';
import { startWorker } from '../workerThreads';
import type { CheckResult, DbJob, DbWorkerMessage, MigrateResult, SplitCopyResult } from './dbWorker';
import type { Level } from '../compartments/levels';
import type { CopyStatus } from '../compartments/splitCopy';
import type { MigrationStatus } from './connection';
import type { RekeyOutcome } from './rekey';

export interface Timed<T> { result: T; ms: number }

function runJob<T>(job: DbJob, onProgress?: (status: MigrationStatus) => void): Promise<Timed<T>> {
  return new Promise<Timed<T>>((resolve, reject) => {
    const worker = startWorker('db-worker.js', () => new URL('./dbWorker.ts', import.meta.url), { workerData: job });
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
    };
    worker.on('message', (m: DbWorkerMessage) => {
      if (m.type === 'progress') onProgress?.(m.status);
      else if (m.type === 'done') finish(() => resolve({ result: m.result as T, ms: m.ms }));
      else finish(() => reject(Object.assign(new Error(m.error.message), { name: m.error.name, code: m.error.code })));
    });
    worker.on('error', (err) => finish(() => reject(err)));
    worker.on('exit', (code) => finish(() => reject(new Error(`database worker exited with code ${code}`))));
  });
}

const keyBytes = (hexKey: string | undefined): Uint8Array | null => (hexKey ? Uint8Array.from(Buffer.from(hexKey, 'hex')) : null);

/** PRAGMA quick_check of `file` on a read-only connection of the worker's own. Never rejects for damage: the verdict says it. */
export function checkIntegrityOffThread(file: string, hexKey?: string): Promise<Timed<CheckResult>> {
  return runJob<CheckResult>({ op: 'check', file, key: keyBytes(hexKey) });
}

/** The one-time rekey to the raw data key (rekey.ts), on the worker. */
export function rekeyOffThread(file: string, hexKey: string): Promise<Timed<RekeyOutcome>> {
  return runJob<RekeyOutcome>({ op: 'rekey', file, key: keyBytes(hexKey)! });
}

/**
 * The migrations of an older schema on the worker's own connection (each step its own transaction, as
 * on the main thread); `onProgress` hears each step and a long step's progress. The main connection
 * stays open meanwhile and sees the new schema once the worker is done.
 */
export function migrateOffThread(file: string, hexKey: string | undefined, onProgress: (status: MigrationStatus) => void): Promise<Timed<MigrateResult>> {
  return runJob<MigrateResult>({ op: 'migrate', file, key: keyBytes(hexKey) }, onProgress);
}

/** An existing compartment's migrations (raw level key), on the worker, like migrateOffThread. */
export function migrateCompartmentOffThread(
  file: string, hexKey: string, level: string, profileId: string, onProgress: (status: MigrationStatus) => void,
): Promise<Timed<MigrateResult>> {
  return runJob<MigrateResult>({ op: 'migrateCompartment', file, key: keyBytes(hexKey)!, level, profileId }, onProgress);
}

/** Where the encryption of a database copy is: phase 1 the copy written, 2 encrypted, 3 verified; bytes of a phase (0 of 0 for the check). */
export interface EncryptStatus { phase: 1 | 2 | 3; done: number; total: number }

const sizeOf = (file: string): number => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};

/**
 * The plain database `file` encrypted into `target` and verified, on the worker (connection.ts,
 * encryptDatabaseCopy). Its phases are single native calls, so their bytes are measured here, every
 * 100 ms, from the files they write: the copy as it grows towards the original's size, then the
 * rekey's journal (each page of the copy goes to it before being rewritten encrypted).
 */
export async function encryptCopyOffThread(file: string, target: string, hexKey: string, onProgress: (status: EncryptStatus) => void): Promise<Timed<null>> {
  const original = sizeOf(file) + sizeOf(`${file}-wal`);
  let current: EncryptStatus | null = null;
  const tell = (next: EncryptStatus) => {
    current = next;
    onProgress(next);
  };
  const ended = () => {
    if (current && current.phase < 3) tell({ ...current, done: current.total });
  };
  const measure = () => {
    if (!current || current.phase === 3) return;
    const done = Math.min(current.total, sizeOf(current.phase === 1 ? target : `${target}-journal`));
    if (done > current.done) tell({ ...current, done });
  };
  const timer = setInterval(measure, 100);
  try {
    const out = await runJob<null>({ op: 'encryptCopy', file, target, key: keyBytes(hexKey)! }, (s) => {
      ended();
      const phase = s.step as 1 | 2 | 3;
      // The encryption rewrites the copy page by page: its size is what the journal grows to.
      tell({ phase, done: 0, total: phase === 1 ? Math.max(original, 1) : phase === 2 ? Math.max(sizeOf(target), 1) : 0 });
    });
    ended();
    return out;
  } finally {
    clearInterval(timer);
  }
}

/** The split's copy on the worker (compartments/splitCopy.ts): each building file made, filled and indexed; `onProgress` hears rows. */
export function splitCopyOffThread(
  file: string, hexKey: string, profileId: string, building: ReadonlyArray<{ level: Level; file: string; key: Buffer }>,
  onProgress: (status: CopyStatus) => void,
): Promise<Timed<SplitCopyResult>> {
  return runJob<SplitCopyResult>({
    op: 'splitCopy', file, key: keyBytes(hexKey)!, profileId,
    building: building.map((b) => ({ level: b.level, file: b.file, key: Uint8Array.from(b.key) })),
  }, (s) => onProgress({ step: s.step === 2 ? 2 : 1, done: s.done, total: s.total }));
}

/** The split's commit point (the moved tables dropped from the base), on the worker. */
export function splitCommitOffThread(file: string, hexKey: string): Promise<Timed<null>> {
  return runJob<null>({ op: 'splitCommit', file, key: keyBytes(hexKey)! });
}

/** The base's vacuum owed after a split, on the worker (nothing when none is owed). */
export function vacuumOffThread(file: string, hexKey: string): Promise<Timed<null>> {
  return runJob<null>({ op: 'vacuum', file, key: keyBytes(hexKey)! });
}

export type { CheckResult, MigrateResult, RekeyOutcome, SplitCopyResult };
