// Moving a record between compartments (a level change or a declassification). SQLite's WAL makes a
// transaction over several attached files atomic per file, not as a set, so the move is journaled in
// the base (pending_writes) and done in steps, each idempotent: copy into the target, move the blobs,
// delete from the source, clear the journal. A crash at any point leaves the record whole in at least
// one compartment, and the next open (by someone who holds both levels) finishes the move.
import { secrecyRank } from '../../../common/domain';
import type { AttachmentStore } from '../attachments/store';
import type { Db } from '../db/connection';
import { writeTx } from '../db/transaction';
import { indexIncoming } from '../documents/search';
import { copyOcr, purgeOcr } from '../ocr/queue';
import { newGlobalId } from '../events/globalId';
import { workstationId } from '../events/eventLog';
import { schemaOf, type Level } from './levels';

/** Tables whose rows belong to one record (by incoming_id), moved and destroyed with it. */
export const RECORD_PARTS = [
  'attachments', 'signatures', 'incoming_recipients', 'incoming_handovers', 'incoming_corrections', 'grants',
  'copies', 'copy_approvals', 'holds', 'level_changes', 'restrictions',
  'work_file_items',
  'processing_steps', 'processing_tasks',
] as const;

export interface MoveJournal { globalId: string; id: number; from: Level; to: Level }

/** The global ids of a record and of all its parts, in compartment `c`. */
export function recordGlobalIds(db: Db, c: string, id: number): string[] {
  const own = db.prepare(`SELECT global_id FROM ${c}.incoming WHERE id = ?`).pluck().all(id) as string[];
  const parts = RECORD_PARTS.flatMap((t) => db.prepare(`SELECT global_id FROM ${c}.${t} WHERE incoming_id = ?`).pluck().all(id) as string[]);
  return [...own, ...parts];
}

/** Deletes a record, its parts, its index entry and its events from compartment `c` (inside the caller's transaction). */
export function purgeRecord(db: Db, c: string, id: number): void {
  const gids = recordGlobalIds(db, c, id);
  // Rows that reference other parts first (signatures -> attachments, copies -> approvals).
  db.prepare(`DELETE FROM ${c}.signatures WHERE incoming_id = ?`).run(id);
  db.prepare(`DELETE FROM ${c}.copies WHERE incoming_id = ?`).run(id);
  for (const t of RECORD_PARTS) {
    if (t === 'signatures' || t === 'copies') continue;
    if (t === 'incoming_corrections') {
      // Corrections are append-only by trigger; removing the record they belong to is the exception.
      db.exec(`DROP TRIGGER ${c}.incoming_corrections_no_delete`);
      db.prepare(`DELETE FROM ${c}.incoming_corrections WHERE incoming_id = ?`).run(id);
      db.exec(`CREATE TRIGGER ${c}.incoming_corrections_no_delete BEFORE DELETE ON incoming_corrections BEGIN SELECT RAISE(ABORT, 'corrections are append-only'); END`);
    } else {
      db.prepare(`DELETE FROM ${c}.${t} WHERE incoming_id = ?`).run(id);
    }
  }
  db.prepare(`DELETE FROM ${c}.incoming_fts WHERE rowid = ?`).run(id);
  purgeOcr(db, c, id); // the text read from its files goes with the record
  db.prepare(`DELETE FROM ${c}.incoming WHERE id = ?`).run(id);
  // The record's history goes with it: events carry the record's state.
  db.exec(`DROP TRIGGER ${c}.events_no_delete`);
  db.prepare(`DELETE FROM ${c}.events WHERE entity_id IN (SELECT value FROM json_each(?))`).run(JSON.stringify(gids));
  db.exec(`CREATE TRIGGER ${c}.events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END`);
}

function copyInto(db: Db, j: MoveJournal, newSecrecy: Level): void {
  const from = schemaOf(j.from);
  const to = schemaOf(j.to);
  const gids = recordGlobalIds(db, from, j.id);
  writeTx(db, () => {
    db.prepare(`INSERT INTO ${to}.incoming SELECT * FROM ${from}.incoming WHERE id = ?`).run(j.id);
    db.prepare(`UPDATE ${to}.incoming SET secrecy = ?, secrecy_rank = ? WHERE id = ?`).run(newSecrecy, secrecyRank(newSecrecy), j.id);
    for (const t of ['attachments', 'copy_approvals', 'signatures', 'copies', 'incoming_recipients', 'incoming_handovers', 'incoming_corrections', 'grants', 'holds', 'level_changes', 'restrictions', 'work_file_items', 'processing_steps', 'processing_tasks'])
      db.prepare(`INSERT INTO ${to}.${t} SELECT * FROM ${from}.${t} WHERE incoming_id = ?`).run(j.id);
    db.prepare(`INSERT INTO ${to}.events (id, at, origin, actor, entity, entity_id, kind, data)
      SELECT id, at, origin, actor, entity, entity_id, kind, data FROM ${from}.events WHERE entity_id IN (SELECT value FROM json_each(?)) ORDER BY seq`).run(JSON.stringify(gids));
    copyOcr(db, from, to, j.id);
    const r = db.prepare(`SELECT subject, number_symbol AS numberSymbol, issuer_name AS issuerName, notes FROM ${to}.incoming WHERE id = ?`).get(j.id) as
      { subject: string; numberSymbol: string; issuerName: string; notes: string };
    indexIncoming(db, to, j.id, r);
  });
}

/**
 * Finishes (or does) a journaled move, step by step; every step checks what is already done.
 * `stores`: the attachment stores of both levels.
 */
export async function resumeMove(db: Db, j: MoveJournal, newSecrecy: Level, stores: { from: AttachmentStore; to: AttachmentStore }): Promise<void> {
  const from = schemaOf(j.from);
  const to = schemaOf(j.to);
  const inTarget = db.prepare(`SELECT 1 FROM ${to}.incoming WHERE global_id = ?`).get(j.globalId) !== undefined;
  const inSource = db.prepare(`SELECT 1 FROM ${from}.incoming WHERE global_id = ?`).get(j.globalId) !== undefined;
  if (!inTarget && inSource) copyInto(db, j, newSecrecy);
  const shas = db.prepare(`SELECT DISTINCT sha256 FROM ${to}.attachments WHERE incoming_id = ?`).pluck().all(j.id) as string[];
  for (const sha of shas) if (!(await stores.to.hasBlob(sha))) await stores.to.importBlob(stores.from, sha);
  if (inSource) {
    db.pragma(`${from}.secure_delete = ON`); // the source keeps no page of the moved record
    writeTx(db, () => {
      purgeRecord(db, from, j.id);
      // The other workstations learn from this level's stream that the record left it (its history and
      // its new state travel in the target level's stream).
      db.prepare(`INSERT INTO ${from}.events (id, at, origin, actor, entity, entity_id, kind, data) VALUES (?,?,?,NULL,'incoming',?,'delete','{}')`)
        .run(newGlobalId(), new Date().toISOString(), workstationId(db), j.globalId);
    });
    db.pragma(`${from}.wal_checkpoint(TRUNCATE)`);
    // The source's copies of the blobs, unless another record of that level has the same file.
    for (const sha of shas) {
      if (db.prepare(`SELECT 1 FROM ${from}.attachments WHERE sha256 = ?`).get(sha) === undefined) await stores.from.destroyBlob(sha);
    }
  }
  writeTx(db, () => db.prepare("DELETE FROM main.pending_writes WHERE global_id = ? AND kind = 'move'").run(j.globalId));
}

export function journalMove(db: Db, j: MoveJournal, newSecrecy: Level, at: Date): void {
  db.prepare("INSERT INTO main.pending_writes (global_id, level, kind, detail, created_at) VALUES (?, ?, 'move', ?, ?)")
    .run(j.globalId, j.from, JSON.stringify({ id: j.id, to: j.to, secrecy: newSecrecy }), at.toISOString());
}

/** Moves waiting in the journal (interrupted), for the levels given. */
export function pendingMoves(db: Db): Array<{ journal: MoveJournal; secrecy: Level }> {
  const rows = db.prepare("SELECT global_id, level, detail FROM main.pending_writes WHERE kind = 'move'").all() as Array<{ global_id: string; level: Level; detail: string }>;
  return rows.map((r) => {
    const d = JSON.parse(r.detail) as { id: number; to: Level; secrecy: Level };
    return { journal: { globalId: r.global_id, id: d.id, from: r.level, to: d.to }, secrecy: d.secrecy };
  });
}
