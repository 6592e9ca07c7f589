// Opens the profile database: WAL, foreign keys, migrations, and its integrity check. The check reads
// the whole file (seconds at a million documents), so the vault asks for it `deferred`: the database
// opens at once for reading, the check runs on the database worker (offThread.ts), and the vault calls
// finishOpen() once the verdict is good. A database that fails the check is reopened read-only and
// nothing writes to it.
import Database from 'better-sqlite3-multiple-ciphers';
import { applyKey, openKeyed, type KeyForm } from './keying';
import { MIGRATIONS } from './migrations';
import { createPrivateFile, makePrivateFile } from '../privateFiles';

/**
 * Every commit synced before it returns (WAL + FULL: ~0.3 ms a commit on the build machine). NORMAL
 * survives kill -9 but may lose the last commits at a power cut or system crash, after the person was
 * told "registered, number N" (the number written on paper would be given again) or after the server
 * acknowledged a pushed batch that the workstation then no longer holds. Base and compartments alike.
 */
export const DURABILITY = 'FULL';

export type Db = Database.Database;

export interface OpenedDatabase {
  db: Db;
  readOnly: boolean;
  /** English reason for the log when the database was opened read-only. */
  damage?: string;
  /** How the data key opened it ('derived': a profile keyed before the raw key; rekey.ts converts it). */
  keyForm?: KeyForm;
}

export interface OpenOptions {
  /** Hex data key (SQLCipher mode). Absent: plain SQLite (profiles before token binding). */
  hexKey?: string;
  /**
   * 'now' (default): PRAGMA quick_check here, before anything is written, then the migrations (tools,
   * tests). 'deferred': no check and no writes; the caller gets the verdict from the database worker
   * and then calls finishOpen().
   */
  check?: 'now' | 'deferred';
}

function connect(file: string, opts: OpenOptions): { db: Db; keyForm?: KeyForm } {
  if (!opts.hexKey) return { db: new Database(file, { fileMustExist: false }) };
  const { db, form } = openKeyed(file, opts.hexKey, { fileMustExist: false });
  return { db, keyForm: form };
}

export function openDatabase(file: string, opts: OpenOptions = {}): OpenedDatabase {
  let db: Db;
  // SQLite creates files 0644 and gives -wal/-shm the database file's mode: make that 0600 first.
  createPrivateFile(file);
  for (const f of [`${file}-wal`, `${file}-shm`]) makePrivateFile(f);
  let keyForm: KeyForm | undefined;
  try {
    ({ db, keyForm } = connect(file, opts));
    db.pragma('busy_timeout = 5000');
    if (opts.check !== 'deferred') {
      const check = db.pragma('quick_check', { simple: true }) as string;
      if (check !== 'ok') {
        db.close();
        return openReadOnly(file, opts, `quick_check: ${String(check).slice(0, 200)}`);
      }
    }
  } catch (err) {
    // SQLITE_NOTADB, SQLITE_CORRUPT … : show what can be shown, write nothing.
    return openReadOnly(file, opts, (err as Error).message);
  }
  db.pragma(`synchronous = ${DURABILITY}`);
  db.pragma('foreign_keys = ON');
  // 64 MiB page cache (default 16): measured to keep search pages of a 1M-row register in memory.
  db.pragma('cache_size = -65536');
  if (opts.check !== 'deferred') finishOpen(db);
  return { db, readOnly: false, ...(keyForm ? { keyForm } : {}) };
}

/** What may write to the file: WAL (a no-op when it is already) and the migrations. After a good verdict only. */
export function finishOpen(db: Db): void {
  db.pragma('journal_mode = WAL');
  migrate(db);
}

/** The schema is older than this build: finishOpen() will migrate it. */
export function needsMigration(db: Db): boolean {
  return (db.pragma('user_version', { simple: true }) as number) < MIGRATIONS.length;
}

/** A read-only connection (a damaged database: the banner shows what can be read, nothing is written). */
export function openReadOnly(file: string, opts: OpenOptions, damage: string): OpenedDatabase {
  let db: Db;
  let keyForm: KeyForm | undefined;
  try {
    ({ db, form: keyForm } = opts.hexKey ? openKeyed(file, opts.hexKey, { readonly: true }) : { db: new Database(file, { readonly: true, fileMustExist: true }), form: undefined });
  } catch {
    // Neither key form reads it: keep a handle anyway; callers see readOnly and show the banner.
    db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      if (opts.hexKey) applyKey(db, opts.hexKey, 'raw');
    } catch {
      /* the banner says it */
    }
  }
  try {
    db.pragma('query_only = ON');
  } catch {
    /* keep the handle */
  }
  return { db, readOnly: true, damage, ...(keyForm ? { keyForm } : {}) };
}

/** Where the migrations of one open are: step `step` of the `steps` still to run, `done` of `total` within it. */
export interface MigrationStatus { step: number; steps: number; done: number; total: number }

/**
 * Runs the migrations still to run. `report` hears each step begin and end, and a long step's own
 * progress (the vault runs this on the database worker and shows it on the unlock screen).
 */
export function migrate(db: Db, report?: (status: MigrationStatus) => void): void {
  const from = db.pragma('user_version', { simple: true }) as number;
  if (from === MIGRATIONS.length) return;
  const steps = Math.max(1, MIGRATIONS.length - from);
  // One step per IMMEDIATE transaction, the version read again inside it: two processes opening an
  // old profile at once must not both run the same step. A crash loses only the step under way.
  for (;;) {
    const done = db.transaction(() => {
      const v = db.pragma('user_version', { simple: true }) as number;
      if (v > MIGRATIONS.length) throw new Error(`database schema ${v} is newer than this build (${MIGRATIONS.length})`);
      if (v === MIGRATIONS.length) return true;
      const step = MIGRATIONS[v]!;
      const at = Math.min(steps, v - from + 1);
      const tell = (d: number, total: number) => report?.({ step: at, steps, done: d, total });
      tell(0, 1);
      if (typeof step === 'string') db.exec(step);
      else step(db, (d, total) => tell(d, Math.max(total, d)));
      db.pragma(`user_version = ${v + 1}`);
      tell(1, 1);
      return false;
    }).immediate();
    if (done) return;
  }
}

/** The phases of encryptDatabaseCopy: the plain copy written, the copy encrypted, the copy verified. */
export const ENCRYPT_PHASES = { copy: 1, encrypt: 2, verify: 3 } as const;

/**
 * Encrypts a plain database file into `target` (SQLCipher mode) and verifies the copy: the caller
 * swaps files only after this returns, so the plain original stays intact until the new one is known
 * good. A crash at any point leaves the original untouched and a stray `target` to delete. Long on a
 * large file (the vault runs it on the database worker); `phase` hears each phase begin.
 */
export function encryptDatabaseCopy(source: string, target: string, hexKey: string, phase?: (p: 1 | 2 | 3) => void): void {
  const src = new Database(source, { fileMustExist: true });
  try {
    src.pragma('busy_timeout = 5000');
    src.pragma('wal_checkpoint(TRUNCATE)');
    createPrivateFile(target); // VACUUM INTO accepts an empty file, and keeps its mode
    phase?.(ENCRYPT_PHASES.copy);
    src.exec(`VACUUM INTO '${target.replace(/'/g, "''")}'`);
  } finally {
    src.close();
  }
  const copy = new Database(target, { fileMustExist: true });
  try {
    copy.pragma('journal_mode = DELETE'); // rekey cannot run in WAL mode
    copy.pragma(`cipher='sqlcipher'`);
    copy.pragma('legacy=4');
    phase?.(ENCRYPT_PHASES.encrypt);
    copy.pragma(`rekey="x'${hexKey}'"`); // the raw data key (keying.ts)
  } finally {
    copy.close();
  }
  phase?.(ENCRYPT_PHASES.verify);
  const check = openDatabase(target, { hexKey });
  const orig = new Database(source, { readonly: true, fileMustExist: true });
  try {
    if (check.readOnly) throw new Error(`encrypted copy failed its check: ${check.damage ?? ''}`);
    for (const table of ['users', 'incoming', 'attachments', 'audit_log']) {
      const a = orig.prepare(`SELECT count(*) FROM ${table}`).pluck().get();
      const b = check.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get();
      if (a !== b) throw new Error(`encrypted copy differs in ${table}: ${String(a)} vs ${String(b)}`);
    }
  } finally {
    orig.close();
    check.db.close();
  }
}

/** Whether a database file is plain SQLite (readable without a key). */
export function isPlainDatabase(header: Buffer): boolean {
  return header.subarray(0, 16).toString('latin1') === 'SQLite format 3\0';
}
