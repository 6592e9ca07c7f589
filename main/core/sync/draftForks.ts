// A draft revised on two workstations at once: each made "version N" of its files, and the rows
// collide on (draft, version, ordinal). Both revisions are kept, on every workstation alike: the
// earlier revision (by event id, the origin's time) keeps N and the later one becomes the next free
// version. The workstation that holds the later revision as its own renumbers it (its renumbering
// travels as ordinary events) and records a step saying what happened; the one that receives the
// later revision files it under the next version itself. Files of one revision were made in one
// transaction (one origin, one time), so later files of a revision already moved follow it.
import type { Db } from '../db/connection';
import { cached } from '../db/statements';
import { newGlobalId } from '../events/globalId';
import { recordChange } from '../events/eventLog';
import { nextRecordId } from '../compartments/ids';
import type { WireEvent } from './wire';

/** Sets the version an arriving draft file is stored under; renumbers the local revision when it is the later one. */
export function placeDraftFile(db: Db, s: string, e: WireEvent, row: Record<string, unknown>, now: Date): void {
  const outgoingId = row.outgoing_id as number;
  const version = row.version as number;
  // A file of a revision some of whose files were already filed under another version goes with them.
  const moved = cached(db, `SELECT f.version FROM ${s}.outgoing_files f JOIN ${s}.events ev ON ev.entity_id = f.global_id AND ev.kind = 'create'
    WHERE f.outgoing_id = ? AND ev.origin = ? AND ev.at = ? AND f.version <> ? LIMIT 1`).pluck().get(outgoingId, e.origin, e.at, version) as number | undefined;
  if (moved !== undefined) {
    row.version = moved;
    return;
  }
  const clash = cached(db, `SELECT global_id FROM ${s}.outgoing_files WHERE outgoing_id = ? AND version = ? AND ordinal = ?`).get(outgoingId, version, row.ordinal) as { global_id: string } | undefined;
  if (!clash) return;
  const localFirst = cached(db, `SELECT min(id) FROM ${s}.events WHERE entity_id = ?`).pluck().get(clash.global_id) as string | null;
  const next = (cached(db, `SELECT max(version) FROM ${s}.outgoing_files WHERE outgoing_id = ?`).pluck().get(outgoingId) as number) + 1;
  if (localFirst === null || e.id > localFirst) {
    // The arriving revision is the later one: it takes the next version here as it does at its origin.
    row.version = next;
    return;
  }
  // This workstation's revision is the later one: it moves up, the arriving one keeps its number.
  const ours = cached(db, `SELECT id FROM ${s}.outgoing_files WHERE outgoing_id = ? AND version = ?`).pluck().all(outgoingId, version) as number[];
  for (const id of ours) {
    cached(db, `UPDATE ${s}.outgoing_files SET version = ? WHERE id = ?`).run(next, id);
    recordChange(db, 'outgoing_files', id, 'update', null, now, s);
  }
  const draft = cached(db, `SELECT version, drafted_by FROM ${s}.outgoing WHERE id = ?`).get(outgoingId) as { version: number; drafted_by: number };
  if (draft.version === version) {
    cached(db, `UPDATE ${s}.outgoing SET version = ? WHERE id = ?`).run(next, outgoingId);
    recordChange(db, 'outgoing', outgoingId, 'update', null, now, s);
  }
  const stepId = nextRecordId(db);
  cached(db, `INSERT INTO ${s}.outgoing_steps (id, global_id, outgoing_id, kind, position, version, actor_id, at, comment) VALUES (?,?,?,'fork',NULL,?,?,?,?)`)
    .run(stepId, newGlobalId(), outgoingId, next, draft.drafted_by, now.toISOString(),
      `Dự thảo được sửa cùng lúc trên hai máy: giữ cả hai bản, bản sửa trước là phiên bản ${version}, bản sửa sau là phiên bản ${next}.`);
  recordChange(db, 'outgoing_steps', stepId, 'create', null, now, s);
}
