// The database worker thread: the integrity check of the profile database on a read-only connection
// of its own, the one-time rekey, and the migrations of an older schema. Each reads or rewrites the
// whole file (seconds to minutes at a million documents), which must not hold the main thread. One job
// per worker; progress and the result are posted, then it exits.
import Database from 'better-sqlite3-multiple-ciphers';
import { parentPort, workerData } from 'node:worker_threads';
import { openKeyed } from './keying';
import { rekeyToRaw, type RekeyOutcome } from './rekey';
import { migrate, type MigrationStatus } from './connection';
import { applyKey } from './keying';
import { compartmentIdentity, migrateCompartment } from '../compartments/schema';

export type DbJob =
  | { op: 'check'; file: string; key: Uint8Array | null }
  | { op: 'rekey'; file: string; key: Uint8Array }
  | { op: 'migrate'; file: string; key: Uint8Array | null }
  | { op: 'migrateCompartment'; file: string; key: Uint8Array; level: string; profileId: string };

/** The integrity check's answer: ok, or the English reason for the log. */
export type CheckResult = { ok: true } | { ok: false; damage: string };

/** What the migrations did: the schema version before and after (a compartment of another profile or level: not touched). */
export interface MigrateResult { from: number; to: number; foreign?: true }

export type DbWorkerMessage =
  | { type: 'progress'; status: MigrationStatus }
  | { type: 'done'; result: CheckResult | RekeyOutcome | MigrateResult; ms: number }
  | { type: 'failed'; error: { name: string; message: string; code?: string } };

function check(file: string, hexKey: string | null): CheckResult {
  let db: Database.Database;
  try {
    db = hexKey ? openKeyed(file, hexKey, { readonly: true }).db : new Database(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    return { ok: false, damage: (err as Error).message };
  }
  try {
    const rows = db.pragma('quick_check') as Array<{ quick_check: string }>;
    const found = rows.map((r) => r.quick_check);
    return found.length === 1 && found[0] === 'ok' ? { ok: true } : { ok: false, damage: `quick_check: ${found.join('; ').slice(0, 300)}` };
  } catch (err) {
    // SQLITE_CORRUPT, SQLITE_NOTADB on a page the check reached.
    return { ok: false, damage: `quick_check: ${(err as Error).message}` };
  } finally {
    db.close();
  }
}

/** The migrations on a read-write connection of the worker's own, set up as the vault's (connection.ts). */
function migrateFile(file: string, hexKey: string | null): MigrateResult {
  const db = hexKey ? openKeyed(file, hexKey).db : new Database(file, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    db.pragma('cache_size = -65536');
    db.pragma('journal_mode = WAL');
    const from = db.pragma('user_version', { simple: true }) as number;
    migrate(db, (status) => port.postMessage({ type: 'progress', status } satisfies DbWorkerMessage));
    return { from, to: db.pragma('user_version', { simple: true }) as number };
  } finally {
    db.close();
  }
}

/**
 * A compartment's migrations (compartments/schema.ts), keyed with its level's raw key. A file that says
 * it belongs to another profile or level is left as it is: attaching it refuses it with the reason.
 */
function migrateCompartmentFile(job: Extract<DbJob, { op: 'migrateCompartment' }>, hexKey: string): MigrateResult {
  const db = new Database(job.file, { fileMustExist: true });
  try {
    applyKey(db, hexKey, 'raw');
    db.pragma('busy_timeout = 5000');
    db.pragma('journal_mode = WAL');
    const from = db.pragma('user_version', { simple: true }) as number;
    if (from > 0) {
      const id = compartmentIdentity(db);
      if (id.level !== job.level || id.profile !== job.profileId) return { from, to: from, foreign: true };
    }
    migrateCompartment(db, job.level, job.profileId, (status) => port.postMessage({ type: 'progress', status } satisfies DbWorkerMessage));
    return { from, to: db.pragma('user_version', { simple: true }) as number };
  } finally {
    db.close();
  }
}

function run(job: DbJob): CheckResult | RekeyOutcome | MigrateResult {
  const hexKey = job.key ? Buffer.from(job.key).toString('hex') : null;
  job.key?.fill(0);
  if (job.op === 'check') return check(job.file, hexKey);
  if (job.op === 'migrate') return migrateFile(job.file, hexKey);
  if (job.op === 'migrateCompartment') return migrateCompartmentFile(job, hexKey!);
  return rekeyToRaw(job.file, hexKey!);
}

const port = parentPort!;
const t0 = performance.now();
try {
  const result = run(workerData as DbJob);
  port.postMessage({ type: 'done', result, ms: performance.now() - t0 } satisfies DbWorkerMessage);
} catch (err) {
  const e = err as { name?: string; message?: string; code?: string };
  port.postMessage({ type: 'failed', error: { name: e.name ?? 'Error', message: e.message ?? String(err), ...(e.code ? { code: e.code } : {}) } } satisfies DbWorkerMessage);
}
