// The database worker thread: the integrity check of the profile database on a read-only connection
// of its own, the one-time rekey, the migrations of an older schema, the encryption of a plain profile's
// database into a verified copy, and the database side of the split into compartments. Each reads or
// rewrites the whole file (seconds to minutes at a million documents), which must not hold the main
// thread. One job per worker; progress and the result are posted, then it exits.
import Database from 'better-sqlite3-multiple-ciphers';
import { parentPort, workerData } from 'node:worker_threads';
import { openKeyed } from './keying';
import { rekeyToRaw, type RekeyOutcome } from './rekey';
import { encryptDatabaseCopy, migrate, type MigrationStatus } from './connection';
import { applyKey } from './keying';
import { compartmentIdentity, migrateCompartment } from '../compartments/schema';
import { copyIntoCompartments, dropMovedTables, vacuumBase } from '../compartments/splitCopy';
import type { Level } from '../compartments/levels';

export type DbJob =
  | { op: 'check'; file: string; key: Uint8Array | null }
  | { op: 'rekey'; file: string; key: Uint8Array }
  | { op: 'migrate'; file: string; key: Uint8Array | null }
  | { op: 'migrateCompartment'; file: string; key: Uint8Array; level: string; profileId: string }
  /** The plain database `file` encrypted into `target` and verified there (connection.ts); the swap is the caller's. */
  | { op: 'encryptCopy'; file: string; target: string; key: Uint8Array }
  /** The base's records copied into new compartment files, one per level, each with its raw level key. */
  | { op: 'splitCopy'; file: string; key: Uint8Array; profileId: string; building: Array<{ level: Level; file: string; key: Uint8Array }> }
  /** The moved tables dropped from the base (the split's commit point), or its vacuum after it. */
  | { op: 'splitCommit' | 'vacuum'; file: string; key: Uint8Array };

/** What the split's copy did: each level's attachment hashes (their blobs move next). */
export interface SplitCopyResult { hashes: Record<string, string[]> }

/** The integrity check's answer: ok, or the English reason for the log. */
export type CheckResult = { ok: true } | { ok: false; damage: string };

/** What the migrations did: the schema version before and after (a compartment of another profile or level: not touched). */
export interface MigrateResult { from: number; to: number; foreign?: true }

export type DbWorkerMessage =
  | { type: 'progress'; status: MigrationStatus }
  | { type: 'done'; result: CheckResult | RekeyOutcome | MigrateResult | SplitCopyResult | null; ms: number }
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
    migrate(db, progress);
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
    migrateCompartment(db, job.level, job.profileId, progress);
    return { from, to: db.pragma('user_version', { simple: true }) as number };
  } finally {
    db.close();
  }
}

const port = parentPort!;
const progress = (status: MigrationStatus) => port.postMessage({ type: 'progress', status } satisfies DbWorkerMessage);

/** The base on a read-write connection of the worker's own, set up as the vault's. */
function withBase<T>(file: string, hexKey: string, fn: (db: Database.Database) => T): T {
  const { db } = openKeyed(file, hexKey);
  try {
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    db.pragma('cache_size = -65536');
    db.pragma('journal_mode = WAL');
    return fn(db);
  } finally {
    db.close();
  }
}

function splitCopy(job: Extract<DbJob, { op: 'splitCopy' }>, hexKey: string): SplitCopyResult {
  const building = job.building.map((b) => {
    const key = Buffer.from(b.key);
    b.key.fill(0);
    return { level: b.level, file: b.file, key: { level: b.level, keyId: '', key } };
  });
  try {
    const hashes = withBase(job.file, hexKey, (db) => copyIntoCompartments(db, job.profileId, building, (s) => progress({ ...s, steps: 2 })));
    return { hashes };
  } finally {
    for (const b of building) b.key.key.fill(0);
  }
}

function run(job: DbJob): CheckResult | RekeyOutcome | MigrateResult | SplitCopyResult | null {
  const hexKey = job.key ? Buffer.from(job.key).toString('hex') : null;
  job.key?.fill(0);
  if (job.op === 'check') return check(job.file, hexKey);
  if (job.op === 'migrate') return migrateFile(job.file, hexKey);
  if (job.op === 'migrateCompartment') return migrateCompartmentFile(job, hexKey!);
  if (job.op === 'encryptCopy') {
    // The phases are single native calls: the main thread measures their files as they grow (offThread.ts).
    encryptDatabaseCopy(job.file, job.target, hexKey!, (phase) => progress({ step: phase, steps: 3, done: 0, total: 0 }));
    return null;
  }
  if (job.op === 'splitCopy') return splitCopy(job, hexKey!);
  if (job.op === 'splitCommit') return withBase(job.file, hexKey!, (db) => (dropMovedTables(db), null));
  if (job.op === 'vacuum') return withBase(job.file, hexKey!, (db) => (vacuumBase(db), null));
  return rekeyToRaw(job.file, hexKey!);
}

const t0 = performance.now();
try {
  const result = run(workerData as DbJob);
  port.postMessage({ type: 'done', result, ms: performance.now() - t0 } satisfies DbWorkerMessage);
} catch (err) {
  const e = err as { name?: string; message?: string; code?: string };
  port.postMessage({ type: 'failed', error: { name: e.name ?? 'Error', message: e.message ?? String(err), ...(e.code ? { code: e.code } : {}) } } satisfies DbWorkerMessage);
}
