// The database worker thread: the integrity check of the profile database on a read-only connection
// of its own, and the one-time rekey. Both read the whole file (7 s and more at a million documents),
// which must not hold the main thread. One job per worker; the result is posted, then it exits.
import Database from 'better-sqlite3-multiple-ciphers';
import { parentPort, workerData } from 'node:worker_threads';
import { openKeyed } from './keying';
import { rekeyToRaw, type RekeyOutcome } from './rekey';

export type DbJob =
  | { op: 'check'; file: string; key: Uint8Array | null }
  | { op: 'rekey'; file: string; key: Uint8Array };

/** The integrity check's answer: ok, or the English reason for the log. */
export type CheckResult = { ok: true } | { ok: false; damage: string };

export type DbWorkerMessage =
  | { type: 'done'; result: CheckResult | RekeyOutcome; ms: number }
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

function run(job: DbJob): CheckResult | RekeyOutcome {
  const hexKey = job.key ? Buffer.from(job.key).toString('hex') : null;
  job.key?.fill(0);
  if (job.op === 'check') return check(job.file, hexKey);
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
