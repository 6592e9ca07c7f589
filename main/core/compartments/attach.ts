// Attaching the compartments a person holds to the base connection. Each file is first opened on its
// own with its level's key: brought to this build's schema and checked to be this profile's file of
// this level (a compartment copied from another profile, or over another level's name, is refused).
// Then it is attached under its fixed schema name, and temporary views named like the tables (incoming,
// attachments, …) join the attached compartments for simple reads; writes always name a compartment.
import Database from 'better-sqlite3-multiple-ciphers';
import { DURABILITY, type Db } from '../db/connection';
import { applyKey } from '../db/keying';
import { createPrivateFile, makePrivateDir, makePrivateFile } from '../privateFiles';
import { dirname } from 'node:path';
import { COMPARTMENT_MIGRATIONS, compartmentBehind, compartmentIdentity, migrateCompartment } from './schema';
import { compartmentFile, schemaOf, type Level } from './levels';
import type { LevelKey } from './keyrings';

/** Tables every compartment has, joined by a temporary view of the same name for reads. */
export const VIEWED_TABLES = [
  'incoming', 'attachments', 'signatures', 'incoming_recipients', 'incoming_handovers', 'incoming_corrections', 'grants', 'events',
] as const;

export class CompartmentMismatch extends Error {}

/** Opens (creating when absent) one compartment file with its key, migrated and checked; then closes it. */
export function prepareCompartment(file: string, k: LevelKey, profileId: string, create: boolean): void {
  makePrivateDir(dirname(file));
  if (create) createPrivateFile(file);
  // SQLite makes -wal and -shm with the database file's mode: the file itself first.
  for (const f of [file, `${file}-wal`, `${file}-shm`]) makePrivateFile(f);
  const db = new Database(file, { fileMustExist: !create });
  try {
    applyKey(db, k.key.toString('hex'), 'raw');
    db.pragma('busy_timeout = 5000');
    db.pragma('journal_mode = WAL');
    migrateCompartment(db, k.level, profileId);
    const id = compartmentIdentity(db);
    if (id.level !== k.level) throw new CompartmentMismatch(`compartment file for ${k.level} holds level ${String(id.level)}`);
    if (id.profile !== profileId) throw new CompartmentMismatch(`compartment file for ${k.level} belongs to another profile`);
  } finally {
    db.close();
  }
}

/** The compartment file opens with its key and its schema is older than this build's (false when it does not open: attaching says why). */
export function compartmentFileBehind(file: string, k: LevelKey): boolean {
  let db: Db | undefined;
  try {
    db = new Database(file, { fileMustExist: true, readonly: true });
    applyKey(db, k.key.toString('hex'), 'raw');
    return compartmentBehind(db);
  } catch {
    return false;
  } finally {
    db?.close();
  }
}

export function attachCompartment(db: Db, file: string, k: LevelKey): void {
  const schema = schemaOf(k.level);
  db.prepare(`ATTACH DATABASE ? AS ${schema} KEY ?`).run(file, `x'${k.key.toString('hex')}'`);
  db.pragma(`${schema}.synchronous = ${DURABILITY}`);
  db.pragma(`${schema}.cache_size = -32768`);
}

/**
 * An empty in-memory compartment, attached when the person holds no level key yet, so that the views
 * and the queries built over the attached compartments keep their shape.
 */
export function attachEmptyCompartment(db: Db): string {
  db.exec("ATTACH DATABASE ':memory:' AS c_none");
  for (const step of COMPARTMENT_MIGRATIONS) db.exec(step.replace(/CREATE (TABLE|INDEX|UNIQUE INDEX|TRIGGER|VIRTUAL TABLE) (?!IF)/g, (_m, what: string) => `CREATE ${what} c_none.`).replace(/INSERT INTO change_counters/g, 'INSERT INTO c_none.change_counters').replace(/ALTER TABLE (\w+)/g, 'ALTER TABLE c_none.$1'));
  return 'c_none';
}

/** (Re)creates the temporary views over the attached compartment schemas. */
export function createViews(db: Db, schemas: readonly string[]): void {
  for (const t of VIEWED_TABLES) {
    db.exec(`DROP VIEW IF EXISTS temp.${t}`);
    db.exec(`CREATE TEMP VIEW ${t} AS ${schemas.map((s) => `SELECT * FROM ${s}.${t}`).join(' UNION ALL ')}`);
  }
}

/**
 * Attaches the given level keys' compartments (each prepared first) and makes the views. A file that
 * does not open with its level's key (another profile's, another level's, damaged, missing) or says
 * it belongs elsewhere is refused on its own: `refused` hears why, and the other levels still open.
 */
export function attachCompartments(
  db: Db, profileDir: string, profileId: string, keys: readonly LevelKey[],
  refused: (level: Level, reason: string) => void = (level, reason) => { throw new CompartmentMismatch(`${level}: ${reason}`); },
): Level[] {
  const attached: Level[] = [];
  for (const k of keys) {
    const file = compartmentFile(profileDir, k.level);
    try {
      prepareCompartment(file, k, profileId, false);
    } catch (err) {
      refused(k.level, (err as Error).message);
      continue;
    }
    attachCompartment(db, file, k);
    attached.push(k.level);
  }
  createViews(db, attached.length > 0 ? attached.map(schemaOf) : [attachEmptyCompartment(db)]);
  return attached;
}
