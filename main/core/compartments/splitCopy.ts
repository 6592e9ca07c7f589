// The database side of the split into compartments (split.ts), synchronous, run on the database worker
// (dbWorker.ts) on a connection of its own: at 40,000 documents the copy and its index take seconds and
// the base's vacuum more, which must not hold the main thread. Each part is crash-safe on its own: the
// copy writes only the compartment files being built (removed and rebuilt by an attempt after a crash),
// one transaction drops the moved tables from the base, and the vacuum is flagged until it is done.
import { secrecyRank } from '../../../common/domain';
import type { Db } from '../db/connection';
import { writeTx } from '../db/transaction';
import { indexText } from '../documents/search';
import { attachCompartment, prepareCompartment } from './attach';
import { schemaOf, type Level } from './levels';
import type { LevelKey } from './keyrings';

/** The document tables of the single-file layout, children first (the order they are dropped in). */
export const MOVED_TABLES = ['signatures', 'attachments', 'incoming_recipients', 'incoming_handovers', 'incoming_corrections', 'incoming'] as const;

/** How many records the index is rebuilt by at a time (one transaction, one progress report). */
const BATCH = 2000;

export interface BuildingCompartment { level: Level; file: string; key: LevelKey }

/**
 * Makes each level's compartment file at `file` and copies the level's records into it. `onProgress`
 * hears the records indexed so far of all the base holds, from 0 to the total. Returns each level's
 * attachment hashes (their blobs move to the level's store next, on the main thread).
 */
export function copyIntoCompartments(
  db: Db, profileId: string, building: readonly BuildingCompartment[], onProgress: (done: number, total: number) => void,
): Record<string, string[]> {
  const total = db.prepare('SELECT count(*) FROM main.incoming').pluck().get() as number;
  let done = 0;
  onProgress(0, total);
  for (const b of building) {
    prepareCompartment(b.file, b.key, profileId, true);
    attachCompartment(db, b.file, b.key);
  }
  try {
    const hashes: Record<string, string[]> = {};
    for (const b of building) {
      copyLevel(db, b.level, (n) => onProgress((done += n), Math.max(total, done)));
      hashes[b.level] = db.prepare(`SELECT DISTINCT sha256 FROM ${schemaOf(b.level)}.attachments`).pluck().all() as string[];
    }
    if (done < total) onProgress(total, total); // records of no known level (none are expected) are not copied
    return hashes;
  } finally {
    for (const b of building) db.exec(`DETACH DATABASE ${schemaOf(b.level)}`);
  }
}

/** The one base transaction that ends the single-file layout: the moved tables dropped, the layout recorded, the vacuum owed. */
export function dropMovedTables(db: Db): void {
  writeTx(db, () => {
    if (db.prepare("SELECT value FROM settings WHERE key = 'layout'").pluck().get() === 'compartments') return;
    db.exec('DROP TABLE IF EXISTS incoming_fts; DROP TABLE IF EXISTS search_terms;');
    for (const t of MOVED_TABLES) db.exec(`DROP TABLE ${t}`);
    db.exec('DROP TABLE IF EXISTS change_counters');
    // Events of the moved records went with them; the base keeps its own (and deletions, which carry no content).
    db.exec('DROP TRIGGER events_no_delete');
    db.prepare(`DELETE FROM main.events WHERE entity IN (${MOVED_TABLES.map(() => '?').join(',')}) AND kind <> 'delete'`).run(...MOVED_TABLES);
    db.exec("CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;");
    db.prepare("INSERT INTO settings (key, value) VALUES ('layout', 'compartments'), ('vacuum_pending', '1') ON CONFLICT (key) DO UPDATE SET value = excluded.value").run();
  });
}

/** Rewrites the base so that no free page keeps the moved text; the flag goes once it is done. */
export function vacuumBase(db: Db): void {
  if (db.prepare("SELECT value FROM settings WHERE key = 'vacuum_pending'").pluck().get() !== '1') return;
  db.pragma('secure_delete = ON');
  db.exec('VACUUM');
  db.prepare("DELETE FROM settings WHERE key = 'vacuum_pending'").run();
  db.pragma('wal_checkpoint(TRUNCATE)');
}

/** Copies one level's records, their index, vocabulary and events into its attached compartment; `indexed` hears each batch. */
function copyLevel(db: Db, level: Level, indexed: (n: number) => void): void {
  const c = schemaOf(level);
  const rank = secrecyRank(level);
  const ofLevel = `incoming_id IN (SELECT id FROM main.incoming WHERE secrecy = '${level}')`;
  // The columns both sides have (the compartment's schema may have more, left at their defaults).
  const columns = (table: string) => {
    const main = new Set(db.prepare('SELECT name FROM pragma_table_info(?, ?)').pluck().all(table, 'main') as string[]);
    return (db.prepare('SELECT name FROM pragma_table_info(?, ?)').pluck().all(table, c) as string[]).filter((n) => main.has(n)).join(', ');
  };
  writeTx(db, () => {
    db.exec(`INSERT INTO ${c}.incoming (${columns('incoming')}) SELECT ${columns('incoming')} FROM main.incoming WHERE secrecy = '${level}' AND secrecy_rank = ${rank}`);
    for (const t of ['attachments', 'signatures', 'incoming_recipients', 'incoming_handovers', 'incoming_corrections']) {
      db.exec(`INSERT INTO ${c}.${t} (${columns(t)}) SELECT ${columns(t)} FROM main.${t} WHERE ${ofLevel}`);
    }
    // Events: the document's own by global id; its parts' by the document they belong to.
    db.exec(`INSERT INTO ${c}.events (id, at, origin, actor, entity, entity_id, kind, data)
      SELECT e.id, e.at, e.origin, e.actor, e.entity, e.entity_id, e.kind, e.data FROM main.events e
      WHERE e.kind <> 'delete' AND (
        (e.entity = 'incoming' AND e.entity_id IN (SELECT global_id FROM ${c}.incoming))
        OR (e.entity IN ('attachments','signatures','incoming_recipients','incoming_handovers','incoming_corrections')
            AND json_extract(e.data, '$.incoming_id') IN (SELECT id FROM ${c}.incoming)))
      ORDER BY e.seq`);
  });
  // The folded index and vocabulary, rebuilt from the records in batches.
  const batch = db.prepare(`SELECT id, subject, number_symbol AS numberSymbol, issuer_name AS issuerName, notes FROM ${c}.incoming WHERE id > ? ORDER BY id LIMIT ${BATCH}`);
  const insert = db.prepare(`INSERT INTO ${c}.incoming_fts (rowid, body) VALUES (?, ?)`);
  const addTerm = db.prepare(`INSERT OR IGNORE INTO ${c}.search_terms (term) VALUES (?)`);
  for (let last = 0; ;) {
    const rows = batch.all(last) as Array<{ id: number; subject: string; numberSymbol: string; issuerName: string; notes: string }>;
    if (rows.length === 0) break;
    writeTx(db, () => {
      for (const r of rows) {
        const text = indexText(r);
        insert.run(r.id, text);
        for (const t of new Set(text.split(' '))) if (t) addTerm.run(t);
      }
    });
    last = rows[rows.length - 1]!.id;
    indexed(rows.length);
  }
}
