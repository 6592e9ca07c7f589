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

/** How many rows are copied or indexed at a time (one transaction, one progress report). */
const BATCH = 2000;
/** The moved tables' events: what the copy of each level goes through, in order. */
const MOVED_EVENTS = `main.events e WHERE e.kind <> 'delete' AND e.entity IN (${MOVED_TABLES.map((t) => `'${t}'`).join(',')})`;

export interface BuildingCompartment { level: Level; file: string; key: LevelKey }

/** Where the copy is: step 1 the documents and their history copied, 2 the documents indexed; rows of all the base holds. */
export interface CopyStatus { step: 1 | 2; done: number; total: number }

/**
 * Makes each level's compartment file at `file` and copies the level's records into it, then rebuilds
 * their index there, in batches. `onProgress` hears each step's rows done so far, from 0 to its total.
 * Returns each level's attachment hashes (their blobs move to the level's store next, on the main thread).
 */
export function copyIntoCompartments(
  db: Db, profileId: string, building: readonly BuildingCompartment[], onProgress: (status: CopyStatus) => void,
): Record<string, string[]> {
  const documents = db.prepare('SELECT count(*) FROM main.incoming').pluck().get() as number;
  const events = db.prepare(`SELECT count(*) FROM ${MOVED_EVENTS}`).pluck().get() as number;
  for (const b of building) {
    prepareCompartment(b.file, b.key, profileId, true);
    attachCompartment(db, b.file, b.key);
  }
  try {
    // Step 1: the records and their history (rows of a level of no known kind are not moved: the step still ends at its total).
    let done = 0;
    onProgress({ step: 1, done: 0, total: documents + events });
    for (const b of building) copyLevel(db, b.level, (n) => onProgress({ step: 1, done: Math.min((done += n), documents + events), total: documents + events }));
    onProgress({ step: 1, done: documents + events, total: documents + events });
    done = 0;
    onProgress({ step: 2, done: 0, total: documents });
    for (const b of building) indexLevel(db, b.level, (n) => onProgress({ step: 2, done: Math.min((done += n), documents), total: documents }));
    onProgress({ step: 2, done: documents, total: documents });
    const hashes: Record<string, string[]> = {};
    for (const b of building) hashes[b.level] = db.prepare(`SELECT DISTINCT sha256 FROM ${schemaOf(b.level)}.attachments`).pluck().all() as string[];
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

/**
 * Copies one level's records and their parts into its attached compartment, a batch of records at a
 * time, then their events in the order they happened (by sequence, a batch of the base's events at a
 * time); `copied` hears the rows of each batch.
 */
function copyLevel(db: Db, level: Level, copied: (n: number) => void): void {
  const c = schemaOf(level);
  const rank = secrecyRank(level);
  // The columns both sides have (the compartment's schema may have more, left at their defaults).
  const columns = (table: string) => {
    const main = new Set(db.prepare('SELECT name FROM pragma_table_info(?, ?)').pluck().all(table, 'main') as string[]);
    return (db.prepare('SELECT name FROM pragma_table_info(?, ?)').pluck().all(table, c) as string[]).filter((n) => main.has(n)).join(', ');
  };
  const ids = db.prepare(`SELECT id FROM main.incoming WHERE secrecy = '${level}' AND id > ? ORDER BY id LIMIT ${BATCH}`).pluck();
  const records = db.prepare(`INSERT INTO ${c}.incoming (${columns('incoming')}) SELECT ${columns('incoming')} FROM main.incoming
    WHERE secrecy = '${level}' AND secrecy_rank = ${rank} AND id BETWEEN ? AND ?`);
  const parts = ['attachments', 'signatures', 'incoming_recipients', 'incoming_handovers', 'incoming_corrections'].map((t) => db.prepare(
    `INSERT INTO ${c}.${t} (${columns(t)}) SELECT ${columns(t)} FROM main.${t} WHERE incoming_id IN (SELECT id FROM main.incoming WHERE secrecy = '${level}' AND id BETWEEN ? AND ?)`));
  for (let last = 0; ;) {
    const batch = ids.all(last) as number[];
    if (batch.length === 0) break;
    const [from, to] = [batch[0]!, batch[batch.length - 1]!];
    writeTx(db, () => {
      records.run(from, to);
      for (const p of parts) p.run(from, to);
    });
    last = to;
    copied(batch.length);
  }
  // Events: the document's own by global id; its parts' by the document they belong to.
  const seqs = db.prepare(`SELECT e.seq FROM ${MOVED_EVENTS} AND e.seq > ? ORDER BY e.seq LIMIT ${BATCH}`).pluck();
  const events = db.prepare(`INSERT INTO ${c}.events (id, at, origin, actor, entity, entity_id, kind, data)
    SELECT e.id, e.at, e.origin, e.actor, e.entity, e.entity_id, e.kind, e.data FROM ${MOVED_EVENTS} AND e.seq BETWEEN ? AND ? AND (
      (e.entity = 'incoming' AND e.entity_id IN (SELECT global_id FROM ${c}.incoming))
      OR (e.entity <> 'incoming' AND json_extract(e.data, '$.incoming_id') IN (SELECT id FROM ${c}.incoming)))
    ORDER BY e.seq`);
  for (let last = 0; ;) {
    const batch = seqs.all(last) as number[];
    if (batch.length === 0) break;
    const [from, to] = [batch[0]!, batch[batch.length - 1]!];
    // Each level reads every batch; an event is copied into one level at most, so the counts add up to the events at most.
    const n = writeTx(db, () => events.run(from, to).changes);
    last = to;
    copied(n);
  }
}

/** Rebuilds one level's folded index and vocabulary from its records in batches; `indexed` hears each batch. */
function indexLevel(db: Db, level: Level, indexed: (n: number) => void): void {
  const c = schemaOf(level);
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
