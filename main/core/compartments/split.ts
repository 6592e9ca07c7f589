// Splitting a single-file profile (schema ≤ 12: every level's records in the base database) into
// compartments, once, at the first unlock with this build, and for a new profile at setup.
//
// Crash-safe by construction: the base stays the truth until one base transaction drops its document
// tables and records the layout. Before that, compartment files and level keyrings are built from
// scratch on every attempt (leftovers of an interrupted attempt are removed first); after it, the
// base is vacuumed (a flag says it is still to be done) so that no page of it holds the moved text.
import { existsSync, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { secrecyRank } from '../../../common/domain';
import type { Db } from '../db/connection';
import { writeTx } from '../db/transaction';
import { getSetting } from '../profile/settings';
import type { PrivateKeyOps } from '../crypto';
import { indexText } from '../documents/search';
import { COMPARTMENT_DIR, KEYRING_DIR, LEVELS, compartmentFile, levelKeyringFile, schemaOf, type Level } from './levels';
import { newLevelKey, writeLevelKeyring, type LevelKey } from './keyrings';
import { attachCompartment, prepareCompartment } from './attach';
import { shred } from '../vault/shred';
import type { AttachmentStore } from '../attachments/store';

/** The document tables of the single-file layout, children first (the order they are dropped in). */
const MOVED_TABLES = ['signatures', 'attachments', 'incoming_recipients', 'incoming_handovers', 'incoming_corrections', 'incoming'] as const;

export const isSplit = (db: Db): boolean => getSetting(db, 'layout') === 'compartments';

/** The base still holds the document tables (a profile from before compartments). */
export const needsSplit = (db: Db): boolean =>
  !isSplit(db) && db.prepare("SELECT 1 FROM main.sqlite_master WHERE type = 'table' AND name = 'incoming'").get() !== undefined;

/** The base was split but not yet vacuumed (interrupted): vacuum it now. */
export async function finishVacuum(db: Db, baseStoreDir: string): Promise<void> {
  if (getSetting(db, 'vacuum_pending') !== '1') return;
  // The blobs the base store held went to the compartments' stores, sealed with their levels' keys.
  if (existsSync(baseStoreDir)) {
    for (const e of await fsp.readdir(baseStoreDir, { withFileTypes: true })) {
      if (!e.isDirectory() || !/^[0-9a-f]{2}$/.test(e.name)) continue;
      const dir = join(baseStoreDir, e.name);
      for (const f of await fsp.readdir(dir)) await shred(join(dir, f));
      await fsp.rm(dir, { recursive: true, force: true });
    }
  }
  db.pragma('secure_delete = ON');
  db.exec('VACUUM');
  db.prepare("DELETE FROM settings WHERE key = 'vacuum_pending'").run();
  db.pragma('wal_checkpoint(TRUNCATE)');
}

export interface SplitInput {
  profileDir: string;
  /** Certificates that must hold each level's key (bound people cleared for it, and recovery). */
  certsFor(level: Level): Uint8Array[];
  /** The session's key: it proves the keyrings it is a recipient of open. */
  prover: PrivateKeyOps;
  /** The base's attachment store (the blobs move out of it) and a level's store for a key. */
  baseStore: AttachmentStore;
  baseStoreDir: string;
  levelStore(level: Level, key: Buffer): AttachmentStore;
  onProgress?(level: Level, done: number, total: number): void;
}

async function removeLeftovers(profileDir: string): Promise<void> {
  for (const dir of [COMPARTMENT_DIR, KEYRING_DIR]) {
    const d = join(profileDir, dir);
    if (!existsSync(d)) continue;
    for (const e of await fsp.readdir(d, { withFileTypes: true })) {
      // Files of an interrupted attempt; level stores hold blobs sealed with keys now forgotten.
      if (e.isDirectory()) await fsp.rm(join(d, e.name), { recursive: true, force: true });
      else await shred(join(d, e.name));
    }
  }
}

/** Splits the base into the four compartments; returns every level's key (the caller keeps only those it may). */
export async function splitIntoCompartments(db: Db, input: SplitInput): Promise<LevelKey[]> {
  await removeLeftovers(input.profileDir);
  const profileId = getSetting(db, 'profile_id')!;
  const keys = LEVELS.map(newLevelKey);
  for (const k of keys) await writeLevelKeyring(levelKeyringFile(input.profileDir, k.level), k, input.certsFor(k.level), input.prover);
  const building = (level: Level) => `${compartmentFile(input.profileDir, level)}.split`;
  for (const k of keys) {
    prepareCompartment(building(k.level), k, profileId, true);
    attachCompartment(db, building(k.level), k);
  }
  try {
    for (const k of keys) {
      copyLevel(db, k.level, input.onProgress);
      const store = input.levelStore(k.level, k.key);
      await store.init();
      for (const sha of db.prepare(`SELECT DISTINCT sha256 FROM ${schemaOf(k.level)}.attachments`).pluck().all() as string[]) {
        if (await input.baseStore.hasBlob(sha)) await store.importBlob(input.baseStore, sha);
      }
    }
  } finally {
    for (const k of keys) db.exec(`DETACH DATABASE ${schemaOf(k.level)}`);
  }
  for (const k of keys) {
    const f = compartmentFile(input.profileDir, k.level);
    for (const suffix of ['-wal', '-shm']) await fsp.rm(`${building(k.level)}${suffix}`, { force: true });
    await fsp.rename(building(k.level), f);
  }
  writeTx(db, () => {
    db.exec('DROP TABLE IF EXISTS incoming_fts; DROP TABLE IF EXISTS search_terms;');
    for (const t of MOVED_TABLES) db.exec(`DROP TABLE ${t}`);
    db.exec('DROP TABLE IF EXISTS change_counters');
    // Events of the moved records went with them; the base keeps its own (and deletions, which carry no content).
    db.exec('DROP TRIGGER events_no_delete');
    db.prepare(`DELETE FROM main.events WHERE entity IN (${MOVED_TABLES.map(() => '?').join(',')}) AND kind <> 'delete'`).run(...MOVED_TABLES);
    db.exec("CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;");
    db.prepare("INSERT INTO settings (key, value) VALUES ('layout', 'compartments'), ('vacuum_pending', '1') ON CONFLICT (key) DO UPDATE SET value = excluded.value").run();
  });
  await finishVacuum(db, input.baseStoreDir);
  return keys;
}

/** Copies one level's records, their index, vocabulary and events into its attached compartment. */
function copyLevel(db: Db, level: Level, onProgress?: SplitInput['onProgress']): void {
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
  const total = db.prepare(`SELECT count(*) FROM ${c}.incoming`).pluck().get() as number;
  const batch = db.prepare(`SELECT id, subject, number_symbol AS numberSymbol, issuer_name AS issuerName, notes FROM ${c}.incoming WHERE id > ? ORDER BY id LIMIT 5000`);
  const insert = db.prepare(`INSERT INTO ${c}.incoming_fts (rowid, body) VALUES (?, ?)`);
  const addTerm = db.prepare(`INSERT OR IGNORE INTO ${c}.search_terms (term) VALUES (?)`);
  let done = 0;
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
    done += rows.length;
    onProgress?.(level, done, total);
  }
}
