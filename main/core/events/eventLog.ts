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

/** A table's columns as `SELECT *` gives them, each with the value a row takes when the insert names it not. */
interface Column { name: string; affinity: 'text' | 'integer' | 'other'; fallback: unknown }
const columnsOf = new WeakMap<Db, Map<string, Column[]>>();

/** A column default written as a literal (NULL, a number, a quoted string); anything else is refused. */
function literal(sql: string | null, where: string): unknown {
  if (sql === null || /^null$/i.test(sql)) return null;
  if (/^-?\d+(\.\d+)?$/.test(sql)) return Number(sql);
  const quoted = /^'((?:[^']|'')*)'$/s.exec(sql);
  if (quoted) return quoted[1]!.replace(/''/g, "'");
  throw new Error(`${where}: default ${sql} is not a literal; its create event needs the row read back`);
}

function tableColumns(db: Db, schema: string, table: RecordTable): Column[] {
  let known = columnsOf.get(db);
  if (!known) columnsOf.set(db, (known = new Map()));
  const key = `${schema}.${table}`;
  let cols = known.get(key);
  if (!cols) {
    const info = db.prepare(`PRAGMA ${schema}.table_xinfo(${table})`).all() as Array<{ name: string; type: string; dflt_value: string | null; hidden: number }>;
    if (info.some((c) => c.hidden !== 0)) throw new Error(`${key} has generated or hidden columns`);
    cols = info.map((c) => {
      const type = c.type.toUpperCase();
      return { name: c.name, affinity: type.includes('INT') ? 'integer' : /CHAR|CLOB|TEXT/.test(type) ? 'text' : 'other', fallback: literal(c.dflt_value, `${key}.${c.name}`) };
    });
    known.set(key, cols);
  }
  return cols;
}

/** A value as the column stores it (SQLite's affinity for the values an insert binds here). */
function stored(c: Column, v: unknown): unknown {
  if (c.affinity === 'text' && typeof v === 'number') return String(v);
  if (c.affinity === 'integer' && typeof v === 'string' && /^-?\d+$/.test(v.trim()) && Number.isSafeInteger(Number(v))) return Number(v);
  return v;
}

/**
 * The events-table row (id, at, origin, actor, entity, entity_id, kind, data) of a record just
 * inserted with `values` (column → value, the columns it names; the others take their defaults),
 * without reading the row back: the same payload recordChange(…, 'create', …) would read, in the
 * table's column order. `who` is this workstation's id and the actor's global id (one look-up per
 * transaction). For writes that insert many records at once (documents/incomingBatch.ts).
 */
export function createEventRow(
  db: Db, schema: string, table: RecordTable, values: Readonly<Record<string, unknown>>, at: Date, who: { origin: string; actor: string | null },
): unknown[] {
  const data: Record<string, unknown> = {};
  for (const c of tableColumns(db, schema, table)) {
    if (LOCAL_ONLY.has(c.name)) continue;
    data[c.name] = encodeValue(Object.prototype.hasOwnProperty.call(values, c.name) ? stored(c, values[c.name]) : c.fallback);
  }
  const gid = values.global_id;
  if (typeof gid !== 'string' || gid === '') throw new Error(`a ${table} row without its global id`);
  return [newGlobalId(), at.toISOString(), who.origin, who.actor, table, gid, 'create', JSON.stringify(data)];
}

/** The columns of createEventRow's rows, for insertRows into `${schema}.events`. */
export const EVENT_COLUMNS = ['id', 'at', 'origin', 'actor', 'entity', 'entity_id', 'kind', 'data'] as const;

/** Who writes a transaction's events: this workstation and the actor's global id (recordChange's look-ups, once). */
export function eventAuthor(db: Db, actorUserId: number | null): { origin: string; actor: string | null } {
  return { origin: workstationId(db), actor: actorUserId === null ? null : globalIdOf(db, 'users', actorUserId, 'main') };
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
