// The ordered log of changes. Every write that matters appends one event in the same transaction
// as the change: the record's global id, what happened, who did it and the record's new state. The
// agency server replicates these events between workstations in `seq` order; a workstation that
// receives them applies them by global id, so the log, not the tables, is the unit of exchange.
import type { Db } from '../db/connection';
import { cached } from '../db/statements';
import { getSetting } from '../profile/settings';
import { newGlobalId } from './globalId';

/** Tables whose rows are replicated records (each has a `global_id` column). */
export const RECORD_TABLES = [
  'units', 'users', 'user_certificates', 'numbering_scopes', 'registers', 'incoming', 'attachments', 'signatures',
  'internal_units', 'incoming_recipients', 'incoming_handovers', 'incoming_corrections', 'register_years', 'user_prefs', 'grants',
  'copy_approvals', 'copies', 'level_changes', 'holds', 'destructions', 'restrictions',
  'secret_register_years',
  'internal_unit_names', 'internal_unit_links', 'authorities',
  'work_files', 'work_file_years', 'archive_transfers', 'work_file_items',
  'processing_steps', 'processing_tasks',
  'outgoing', 'outgoing_files', 'outgoing_steps', 'outgoing_signatures', 'outgoing_recipients', 'outgoing_dispatches',
  'register_closings', 'work_file_shares',
  'signature_images',
  'exchange_inbox', 'exchange_status_out', 'exchange_status_in',
] as const;
export type RecordTable = (typeof RECORD_TABLES)[number];

export type ChangeKind = 'create' | 'update' | 'delete';

export interface ChangeEvent {
  seq: number;
  id: string;
  at: string;
  origin: string;
  actor: string | null;
  entity: RecordTable;
  entityId: string;
  kind: ChangeKind;
  data: Record<string, unknown>;
}

/** Columns never copied into an event: local row ids are meaningless elsewhere. */
const LOCAL_ONLY = new Set(['id']);

function encodeValue(v: unknown): unknown {
  return Buffer.isBuffer(v) ? { $base64: v.toString('base64') } : v;
}

/** The record's global id, assigned on first sight (inserts that predate global ids get one here). */
export function globalIdOf(db: Db, table: RecordTable, localId: number, schema = 'main'): string {
  const gid = cached(db, `SELECT global_id FROM ${schema}.${table} WHERE rowid = ?`).pluck().get(localId) as string | null | undefined;
  if (gid === undefined) throw new Error(`no ${table} row ${localId}`);
  if (gid) return gid;
  const fresh = newGlobalId();
  cached(db, `UPDATE ${schema}.${table} SET global_id = ? WHERE rowid = ?`).run(fresh, localId);
  return fresh;
}

/**
 * Appends the change of one record. For create and update the event carries the row's state after
 * the change (foreign keys stay local ids here and are resolved to global ids by the sync layer, which
 * reads `<table>.global_id`); for delete only the id. Must run inside the change's transaction.
 * `schema`: the compartment a record of a level lives in; its events go into that compartment's log,
 * under the same key as the record (the base's log holds the base's records only).
 */
export function recordChange(db: Db, table: RecordTable, localId: number, kind: ChangeKind, actorUserId: number | null, at: Date, schema = 'main'): string {
  const gid = globalIdOf(db, table, localId, schema);
  let data: Record<string, unknown> = {};
  if (kind !== 'delete') {
    const row = cached(db, `SELECT * FROM ${schema}.${table} WHERE rowid = ?`).get(localId) as Record<string, unknown>;
    data = Object.fromEntries(Object.entries(row).filter(([k]) => !LOCAL_ONLY.has(k)).map(([k, v]) => [k, encodeValue(v)]));
  }
  const actor = actorUserId === null ? null : globalIdOf(db, 'users', actorUserId, 'main');
  cached(db, `INSERT INTO ${schema}.events (id, at, origin, actor, entity, entity_id, kind, data) VALUES (?,?,?,?,?,?,?,?)`).run(
    newGlobalId(), at.toISOString(), workstationId(db), actor, table, gid, kind, JSON.stringify(data),
  );
  return gid;
}

/** This workstation's id (created with the event log; names the origin of every event). */
export function workstationId(db: Db): string {
  const id = getSetting(db, 'workstation_id');
  if (!id) throw new Error('workstation id missing (migration not applied)');
  return id;
}

/**
 * Events of one log after `afterSeq`, oldest first (the cursor the sync client pushes from). Each log
 * has its own sequence: the base's (`main`, its people, units, registers) and each attached
 * compartment's (`c_<level>`); named explicitly, since the bare name `events` is the temporary view
 * over the compartments.
 */
export function eventsSince(db: Db, afterSeq: number, limit = 1000, schema = 'main'): ChangeEvent[] {
  const rows = db.prepare(`SELECT * FROM ${schema}.events WHERE seq > ? ORDER BY seq LIMIT ?`).all(afterSeq, limit) as Array<{
    seq: number; id: string; at: string; origin: string; actor: string | null; entity: RecordTable; entity_id: string; kind: ChangeKind; data: string;
  }>;
  return rows.map((r) => ({ seq: r.seq, id: r.id, at: r.at, origin: r.origin, actor: r.actor, entity: r.entity, entityId: r.entity_id, kind: r.kind, data: JSON.parse(r.data) as Record<string, unknown> }));
}
