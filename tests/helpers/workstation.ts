// A workstation's databases for sync tests: a base database with every migration and compartments
// of the given levels attached as c_<level> (plain SQLite files here unless a key is given: the keys of the
// profile are not what most of these tests are about), and events appended as recordChange writes them.
import Database from 'better-sqlite3-multiple-ciphers';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../main/core/db/connection';
import { migrateCompartment } from '../../main/core/compartments/schema';
import { schemaOf, type Level } from '../../main/core/compartments/levels';
import { getSetting } from '../../main/core/profile/settings';
import { workstationId } from '../../main/core/events/eventLog';
import { newGlobalId } from '../../main/core/events/globalId';

export function openWorkstation(dir: string, levels: readonly Level[], o: { keyHex?: string } = {}): Db {
  const { db } = openDatabase(join(dir, 'securedesk.db'), o.keyHex ? { hexKey: o.keyHex } : {});
  for (const level of levels) {
    const file = join(dir, `${level}.db`);
    const c = new Database(file);
    migrateCompartment(c, level, getSetting(db, 'profile_id')!);
    c.close();
    db.prepare(`ATTACH DATABASE ? AS ${schemaOf(level)}`).run(file);
  }
  return db;
}

/** Appends one event to a log ('main' or c_<level>) as this workstation; returns its id. */
export function appendEvent(db: Db, schema: string, entity: string, data: Record<string, unknown>): string {
  const id = newGlobalId();
  db.prepare(`INSERT INTO ${schema}.events (id, at, origin, actor, entity, entity_id, kind, data) VALUES (?,?,?,?,?,?,?,?)`)
    .run(id, new Date().toISOString(), workstationId(db), null, entity, newGlobalId(), 'create', JSON.stringify(data));
  return id;
}
