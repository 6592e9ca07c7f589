// Runs the database worker (dbWorker.ts): the integrity check, the one-time rekey and the migrations,
// off the main thread. A job cannot be stopped half-way (SQLite runs it in one native call): a worker whose answer
// is no longer wanted finishes and exits by itself.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CheckResult, DbJob, DbWorkerMessage, MigrateResult } from './dbWorker';
import type { MigrationStatus } from './connection';
import type { RekeyOutcome } from './rekey';

/** The built worker next to the bundle (dist/main/db-worker.js), else the TypeScript source. */
function workerUrl(): URL | string {
  const here = typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url));
  const built = join(here, 'db-worker.js');
  return existsSync(built) ? built : new URL('./dbWorker.ts', import.meta.url);
}

export interface Timed<T> { result: T; ms: number }

function runJob<T>(job: DbJob, onProgress?: (status: MigrationStatus) => void): Promise<Timed<T>> {
  return new Promise<Timed<T>>((resolve, reject) => {
    const url = workerUrl();
    // From sources the worker registers the TypeScript loader itself (workers do not inherit it).
    const worker =
      typeof url === 'string'
        ? new Worker(url, { workerData: job })
        : new Worker(
            `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`,
            { eval: true, workerData: job },
          );
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

export type { CheckResult, MigrateResult, RekeyOutcome };
