// Applying what the agency's other workstations did. Received events are first kept in the schema's
// sync_inbox (in the same transaction as the cursor that fetched them, by the caller), then applied
// here by global id:
//   - an event already in the log is a duplicate and is dropped (idempotent by event id);
//   - references are rewritten to this workstation's row ids; an event whose record references
//     something not here yet waits in the inbox (events of the base and of each level travel in
//     separate streams, so a document can arrive before the person who registered it);
//   - creates and updates carry the record's whole state: an update of a record not here creates it;
//   - of two changes to one record the later event wins (event ids are UUIDv7, ordered by time); an
//     older one is kept in the log as history without touching the row; nothing from before a delete
//     comes back (a record moved back to a level arrives with a newer event);
//   - an event that breaks a rule of the schema (two workstations gave the same number offline) is
//     set aside with the reason and shown, never half-applied.
// Each event is applied with its log row in one savepoint of one write transaction: kill -9 leaves
// every event either applied and logged, or still in the inbox.
import type { Db } from '../db/connection';
import { cached } from '../db/statements';
import { writeTx } from '../db/transaction';
import { nextRecordId } from '../compartments/ids';
import { purgeRecord } from '../compartments/move';
import { indexIncoming, unindexIncoming, type IndexedFields } from '../documents/search';
import type { RecordTable } from '../events/eventLog';
import { JSON_REFERENCES, KIND_REFERENCES, REFERENCES, type Reference } from './references';
import { placeDraftFile } from './draftForks';
import { getPath, livesInCompartment, schemasFor, setPath, wireEventSchema, type WireEvent } from './wire';

/** Keeps received events for applying; returns how many were new. Run it in the transaction that moves the cursor. */
export function receiveEvents(db: Db, schema: string, events: readonly WireEvent[], now: Date): number {
  const seen = cached(db, `SELECT 1 FROM ${schema}.events WHERE id = ?`);
  const keep = cached(db, `INSERT OR IGNORE INTO ${schema}.sync_inbox (id, body, received_at) VALUES (?,?,?)`);
  let fresh = 0;
  for (const raw of events) {
    const e = wireEventSchema.parse(raw);
    if (seen.get(e.id)) continue;
    fresh += keep.run(e.id, JSON.stringify(e), now.toISOString()).changes;
  }
  return fresh;
}

export interface ApplyResult {
  applied: number;
  /** Older than what this workstation already has: logged as history, the record untouched. */
  stale: number;
  /** Waiting for a record they reference. */
  waiting: number;
  /** Set aside: a rule of the schema refused them (see sync_inbox.problem). */
  conflicts: number;
}

interface Pending { seq: number; e: WireEvent }

/**
 * A record's row id here. A record and its hard references live in the event's own compartment or in
 * the base (SQLite checks foreign keys within one file); only soft references look at other levels.
 * By rowid (every record table's `id` is its alias; user_certificates, keyed by fingerprint, has no `id`).
 */
const localIdOf = (db: Db, schema: string, table: RecordTable, gid: string, crossLevels = false): number | undefined => {
  for (const s of schemasFor(db, table, schema, crossLevels)) {
    const id = cached(db, `SELECT rowid FROM ${s}.${table} WHERE global_id = ?`).pluck().get(gid) as number | undefined;
    if (id !== undefined) return id;
  }
  return undefined;
};

function hardReferences(e: WireEvent): Array<{ ref: Reference; gid: string }> {
  const out: Array<{ ref: Reference; gid: string }> = [];
  for (const [col, ref] of Object.entries(REFERENCES[e.entity])) {
    if (ref.soft) continue;
    const gid = ref.via ? e.data[ref.via] : e.data[col];
    if (typeof gid === 'string') out.push({ ref, gid });
  }
  return out;
}

const tableSchema = (table: RecordTable, schema: string): string => (livesInCompartment(table) ? schema : 'main');

function decodeValue(v: unknown): unknown {
  return v && typeof v === 'object' && '$base64' in v ? Buffer.from(String((v as { $base64: string }).$base64), 'base64') : v;
}
const encodeValue = (v: unknown): unknown => (Buffer.isBuffer(v) ? { $base64: v.toString('base64') } : v);

/** Columns to write in place of the events' own, per record (global id): a set-aside registration given a new number (renumber.ts). */
export type ApplyOverrides = ReadonlyMap<string, Record<string, unknown>>;

/** Passes over the inbox at most: a pass that applies something may free a set-aside event (a renumbering arrived). */
const MAX_PASSES = 4;
/** Inbox rows read and applied at a time within a pass (bounds the memory a large backlog takes). */
export const APPLY_SLICE = 2_000;

/**
 * Applies what can be applied of the schema's inbox. Set-aside events are tried again on every call:
 * what freed them (the other registration renumbered, here or on another workstation) may have come.
 */
export function applyReceived(db: Db, schema: string, overrides: ApplyOverrides = new Map(), sliceRows = APPLY_SLICE): ApplyResult {
  // Column lists are read once per call (a migration between two calls is seen by the next).
  tableColumns.delete(db);
  return writeTx(db, () => {
    const result: ApplyResult = { applied: 0, stale: 0, waiting: 0, conflicts: 0 };
    // Passes: a set-aside event is retried at most MAX_PASSES times; an event waiting for a record a
    // later slice created is retried as long as a pass applies something (each such pass shrinks the inbox).
    for (let pass = 0; ; pass += 1) {
      // A pass reads the inbox in slices by seq (a fresh workstation's backlog is the agency's whole
      // history: read at once it held every body in memory); everything stays in this one transaction.
      const r: ApplyResult = { applied: 0, stale: 0, waiting: 0, conflicts: 0 };
      for (let after = 0; ;) {
        const slice = applySlice(db, schema, overrides, after, sliceRows);
        r.applied += slice.applied; r.stale += slice.stale; r.conflicts += slice.conflicts; r.waiting += slice.waiting;
        if (slice.last === null) break;
        after = slice.last;
      }
      result.applied += r.applied; result.stale += r.stale; result.conflicts += r.conflicts;
      result.waiting = r.waiting;
      const setAside = cached(db, `SELECT count(*) FROM ${schema}.sync_inbox WHERE problem IS NOT NULL`).pluck().get() as number;
      // Another pass when this one applied something and something is left: a set-aside event it may have
      // freed, or an event that waited for a record a later slice created.
      if (r.applied + r.stale === 0 || setAside + r.waiting === 0) break;
      if (r.waiting === 0 && pass + 1 >= MAX_PASSES) break;
    }
    return result;
  });
}

/** Applies the inbox rows after seq `after` (at most `limit`); `last` is the last seq read, null when none were left. */
function applySlice(db: Db, schema: string, overrides: ApplyOverrides, after: number, limit: number): ApplyResult & { last: number | null } {
  const rows = cached(db, `SELECT seq, body, problem FROM ${schema}.sync_inbox WHERE seq > ? ORDER BY seq LIMIT ?`).all(after, limit) as Array<{ seq: number; body: string; problem: string | null }>;
  if (rows.length === 0) return { applied: 0, stale: 0, waiting: 0, conflicts: 0, last: null };
  return { ...applyRows(db, schema, overrides, rows), last: rows[rows.length - 1]!.seq };
}

function applyRows(db: Db, schema: string, overrides: ApplyOverrides, rows: ReadonlyArray<{ seq: number; body: string; problem: string | null }>): ApplyResult {
  const result: ApplyResult = { applied: 0, stale: 0, waiting: 0, conflicts: 0 };
  const drop = cached(db, `DELETE FROM ${schema}.sync_inbox WHERE seq = ?`);
  const pending: Pending[] = [];
  const wasSetAside = new Set<number>();
  for (const r of rows) {
    const e = wireEventSchema.parse(JSON.parse(r.body));
    if (cached(db, `SELECT 1 FROM ${schema}.events WHERE id = ?`).get(e.id)) drop.run(r.seq);
    else {
      pending.push({ seq: r.seq, e });
      if (r.problem !== null) wasSetAside.add(r.seq);
    }
  }
  // Records this batch will create, and which events must wait: to a fixpoint, since waiting for
  // one record makes everything that references it wait too.
  const creates = new Map<string, Pending>();
  for (const p of pending) if (p.e.kind !== 'delete' && localIdOf(db, schema, p.e.entity, p.e.entityId) === undefined && !creates.has(p.e.entityId)) creates.set(p.e.entityId, p);
  const waiting = new Set<Pending>();
  for (let changed = true; changed;) {
    changed = false;
    for (const p of pending) {
      if (waiting.has(p) || p.e.kind === 'delete') continue;
      const create = creates.get(p.e.entityId);
      const missing = (create !== undefined && create !== p && waiting.has(create)) || hardReferences(p.e).some(({ ref, gid }) => {
        if (localIdOf(db, schema, ref.table, gid) !== undefined) return false;
        const c = creates.get(gid);
        return !c || waiting.has(c) || c.e.entity !== ref.table;
      });
      if (missing) {
        waiting.add(p);
        changed = true;
      }
    }
  }
  // Row ids for the records to create, handed out before any insert so that records created
  // together may reference each other in any order (foreign keys are checked at commit).
  db.pragma('defer_foreign_keys = ON');
  const planned = new Map<string, number>();
  const baseNext = new Map<string, number>();
  for (const [gid, p] of creates) {
    if (waiting.has(p)) continue;
    if (livesInCompartment(p.e.entity)) planned.set(gid, nextRecordId(db));
    else {
      const next = baseNext.get(p.e.entity) ?? ((cached(db, `SELECT coalesce(max(rowid), 0) FROM main.${p.e.entity}`).pluck().get() as number) + 1);
      planned.set(gid, next);
      baseNext.set(p.e.entity, next + 1);
    }
  }
  const resolve = (ref: Reference, gid: string): number | null =>
    localIdOf(db, schema, ref.table, gid) ?? planned.get(gid) ?? (ref.soft ? localIdOf(db, schema, ref.table, gid, true) ?? null : null);

  // Records whose creation was set aside in this pass: what references them waits with them.
  const failed = new Set<string>();
  // The highest number seen per register counter, from the events applied (written once, after the loop,
  // in the same transaction: nothing in a pass takes a number).
  const counters = new Map<string, CounterMove>();
  for (const p of pending) {
    // A later event of a record whose creation failed is tried itself: it carries the whole state and
    // may apply where the first could not (the record was renumbered since).
    const dependsOnFailed = () => hardReferences(p.e).some(({ gid }) => failed.has(gid));
    if (waiting.has(p) || dependsOnFailed()) {
      if (creates.get(p.e.entityId) === p) failed.add(p.e.entityId);
      result.waiting += 1;
      continue;
    }
    try {
      const moves: CounterMove[] = [];
      const outcome = db.transaction(() => applyOne(db, schema, p.e, resolve, planned, overrides.get(p.e.entityId), moves))();
      // Only the moves of an event whose savepoint was released count.
      for (const m of moves) {
        const key = `${m.registerId}\u0000${m.period}\u0000${m.bucket}`;
        const before = counters.get(key);
        if (!before || before.number < m.number) counters.set(key, m);
      }
      result[outcome] += 1;
      drop.run(p.seq);
      failed.delete(p.e.entityId);
    } catch (err) {
      // The savepoint rolled back: nothing of this event is in the tables.
      cached(db, `UPDATE ${schema}.sync_inbox SET problem = ?, attempts = attempts + 1 WHERE seq = ?`).run((err as Error).message, p.seq);
      // What references a record not created waits (its row id would dangle at commit).
      if (p.e.kind !== 'delete' && localIdOf(db, schema, p.e.entity, p.e.entityId) === undefined) failed.add(p.e.entityId);
      // Counted once: a set-aside event tried again and refused again is not a new conflict.
      if (!wasSetAside.has(p.seq)) result.conflicts += 1;
    }
  }
  for (const m of counters.values()) moveCounter(db, m);
  return result;
}

function applyOne(
  db: Db, schema: string, e: WireEvent, resolve: (ref: Reference, gid: string) => number | null, planned: Map<string, number>,
  override: Record<string, unknown> | undefined, counters: CounterMove[],
): 'applied' | 'stale' {
  const s = tableSchema(e.entity, schema);
  const latest = cached(db, `SELECT id, kind FROM ${schema}.events WHERE entity_id = ? ORDER BY id DESC LIMIT 1`).get(e.entityId) as { id: string; kind: string } | undefined;
  const localId = localIdOf(db, schema, e.entity, e.entityId);
  const decision = e.entity === 'exchange_inbox' && e.kind !== 'delete' && latest?.kind !== 'delete' ? arrivalDecisionOrder(db, s, localId, localData(db, schema, e, resolve)) : null;
  if (decision === 'keep' || (latest && latest.id > e.id && decision !== 'take')) {
    // Older than what is here: history only; and nothing of a record from before its deletion.
    if (latest?.kind !== 'delete') logEvent(db, schema, e, e.data);
    return 'stale';
  }
  if (e.kind === 'delete') {
    if (localId !== undefined) {
      if (e.entity === 'incoming') purgeRecord(db, s, localId);
      else cached(db, `DELETE FROM ${s}.${e.entity} WHERE rowid = ?`).run(localId);
    }
    logEvent(db, schema, e, {});
    return 'applied';
  }
  const row = { ...localData(db, schema, e, resolve), ...override };
  if (e.entity === 'incoming') keepRenumbering(db, s, localId, row);
  const columns = columnsOf(db, s, e.entity);
  const cols = Object.keys(row).filter((c) => columns.has(c) && c !== 'id');
  if (localId === undefined) {
    const id = planned.get(e.entityId);
    if (id === undefined) throw new Error(`no row id planned for ${e.entity} ${e.entityId}`);
    if (e.entity === 'incoming') leaveOtherLevels(db, s, e.entityId);
    if (e.entity === 'outgoing_files') placeDraftFile(db, s, e, row, new Date());
    cached(db, `INSERT INTO ${s}.${e.entity} (rowid, ${cols.join(', ')}) VALUES (?, ${cols.map(() => '?').join(', ')})`).run(id, ...cols.map((c) => row[c]));
    if (e.entity === 'incoming') reindex(db, s, id, false);
  } else {
    const current = cached(db, `SELECT * FROM ${s}.${e.entity} WHERE rowid = ?`).get(localId) as Record<string, unknown>;
    // Only what changed: triggers guard columns (an issued document's number) even when set to the same value.
    const changed = cols.filter((c) => !sameValue(current[c], row[c]));
    if (changed.length > 0) {
      db.prepare(`UPDATE ${s}.${e.entity} SET ${changed.map((c) => `${c} = ?`).join(', ')} WHERE rowid = ?`).run(...changed.map((c) => row[c]), localId);
      if (e.entity === 'incoming') reindex(db, s, localId, true);
    }
  }
  if (e.entity === 'incoming') assertNumberFree(db, s, row, e.entityId);
  if (e.entity === 'incoming_corrections') followRenumbering(db, s, row);
  followCounters(db, e.entity, row, counters);
  // The log keeps the event as it came (a renumbering here is its own event).
  const logged = override ? localData(db, schema, e, resolve) : row;
  logEvent(db, schema, e, Object.fromEntries(Object.entries(logged).map(([k, v]) => [k, encodeValue(v)])));
  return 'applied';
}

/**
 * Two workstations decided one arrival by the exchange: only one can have held the agency server's
 * decide claim; the other registered it while cut off ("Vào sổ, chờ cấp số", exchange/awaitedArrivals.ts),
 * its record still awaiting its number. Whatever the order of their events, a decision naming such a
 * record never replaces one naming a numbered record or a refusal (`keep`), and one of those replaces
 * it even when older (`take`); otherwise the later event wins as for any record.
 */
function arrivalDecisionOrder(db: Db, s: string, localId: number | undefined, row: Record<string, unknown>): 'keep' | 'take' | null {
  if (localId === undefined) return null;
  const here = cached(db, `SELECT state, incoming_id FROM ${s}.exchange_inbox WHERE rowid = ?`).get(localId) as { state: string; incoming_id: number | null } | undefined;
  if (!here) return null;
  const awaiting = (id: unknown) => cached(db, `SELECT arrival_number < 1 FROM ${s}.incoming WHERE id = ?`).pluck().get(id) === 1;
  const kind = (state: unknown, incomingId: unknown): 'firm' | 'provisional' | null =>
    state === 'refused' ? 'firm' : state === 'registered' && typeof incomingId === 'number' && incomingId > 0 ? (awaiting(incomingId) ? 'provisional' : 'firm') : null;
  if (here.state === row.state && here.incoming_id === row.incoming_id) return null;
  const mine = kind(here.state, here.incoming_id);
  const theirs = kind(row.state, row.incoming_id);
  if (mine === 'firm' && theirs === 'provisional') return 'keep';
  if (mine === 'provisional' && theirs === 'firm') return 'take';
  return null;
}

/**
 * One arrival number per register and period across the levels: the Sổ đăng ký BMNN đến numbers Mật,
 * Tối mật and Tuyệt mật arrivals in one sequence, kept in three compartments that no UNIQUE index spans.
 * Checked after the write, inside the event's savepoint, over the compartments held.
 */
function assertNumberFree(db: Db, s: string, row: Record<string, unknown>, gid: string): void {
  for (const other of schemasFor(db, 'incoming', s).slice(1)) {
    const taken = cached(db, `SELECT 1 FROM ${other}.incoming WHERE register_id = ? AND period = ? AND arrival_number = ? AND global_id <> ?`)
      .get(row.register_id, row.period, row.arrival_number, gid);
    if (taken) throw new Error(`UNIQUE constraint failed: incoming.register_id, incoming.period, incoming.arrival_number (${other})`);
  }
}

interface Renumbering { old: number; new: number }
const renumberingOf = (r: { old_values: string; new_values: string }): Renumbering | null => {
  const before = JSON.parse(r.old_values) as { arrivalNumber?: unknown };
  const after = JSON.parse(r.new_values) as { arrivalNumber?: unknown };
  return typeof before.arrivalNumber === 'number' && typeof after.arrivalNumber === 'number' ? { old: before.arrivalNumber, new: after.arrivalNumber } : null;
};

/**
 * A renumbering (renumber.ts) outlives edits made elsewhere before it was known there: an event that
 * still carries the record's provisional number keeps the number given since.
 */
function keepRenumbering(db: Db, s: string, localId: number | undefined, row: Record<string, unknown>): void {
  if (localId === undefined || typeof row.arrival_number !== 'number') return;
  const corrections = cached(db, `SELECT old_values, new_values FROM ${s}.incoming_corrections WHERE incoming_id = ? ORDER BY id`).all(localId) as Array<{ old_values: string; new_values: string }>;
  for (const c of corrections) {
    const r = renumberingOf(c);
    if (r && row.arrival_number === r.old) row.arrival_number = r.new;
  }
}

/** A renumbering that arrives moves its record even when the record's own update lost to a later edit. */
function followRenumbering(db: Db, s: string, row: Record<string, unknown>): void {
  const r = renumberingOf(row as { old_values: string; new_values: string });
  if (!r) return;
  cached(db, `UPDATE ${s}.incoming SET arrival_number = ? WHERE id = ? AND arrival_number = ?`).run(r.new, row.incoming_id, r.old);
}

/**
 * A number another workstation gave is taken here too: the register's counter moves up to it, so this
 * workstation's next number follows it instead of repeating it. (Two workstations numbering the same
 * register while cut off from each other still collide: the server assigns shared registers' numbers.)
 */
interface CounterMove { registerId: unknown; period: string; bucket: string; number: number }

function followCounters(db: Db, entity: RecordTable, row: Record<string, unknown>, moves: CounterMove[]): void {
  let number: unknown, period: unknown, bucket: unknown;
  if (entity === 'incoming') {
    number = row.arrival_number;
    period = row.period;
    const perType = cached(db, 'SELECT n.per_type FROM main.registers r JOIN main.numbering_scopes n ON n.id = r.scope_id WHERE r.id = ?').pluck().get(row.register_id);
    bucket = perType ? row.type_code : '*';
  } else if (entity === 'outgoing') {
    ({ number, period, bucket } = row);
  } else return;
  if (typeof number !== 'number' || typeof period !== 'string' || typeof bucket !== 'string') return;
  moves.push({ registerId: row.register_id, period, bucket, number });
}

function moveCounter(db: Db, m: CounterMove): void {
  cached(db, `INSERT INTO main.number_counters (scope_id, period, bucket, last) SELECT scope_id, ?, ?, ? FROM main.registers WHERE id = ?
    ON CONFLICT (scope_id, period, bucket) DO UPDATE SET last = max(last, excluded.last)`).run(m.period, m.bucket, m.number, m.registerId);
}

/** A table's columns, per applyReceived call (PRAGMA table_info costs a prepare each time). */
const tableColumns = new WeakMap<Db, Map<string, Set<string>>>();
function columnsOf(db: Db, s: string, table: string): Set<string> {
  let byTable = tableColumns.get(db);
  if (!byTable) tableColumns.set(db, (byTable = new Map()));
  let cols = byTable.get(`${s}.${table}`);
  if (!cols) byTable.set(`${s}.${table}`, (cols = new Set((db.prepare(`PRAGMA ${s}.table_info(${table})`).all() as Array<{ name: string }>).map((c) => c.name))));
  return cols;
}

const sameValue = (a: unknown, b: unknown): boolean => (Buffer.isBuffer(a) && Buffer.isBuffer(b) ? a.equals(b) : a === b);

/** The event's record state in this workstation's ids. */
function localData(db: Db, schema: string, e: WireEvent, resolve: (ref: Reference, gid: string) => number | null): Record<string, unknown> {
  const row: Record<string, unknown> = Object.fromEntries(Object.entries(e.data).map(([k, v]) => [k, decodeValue(v)]));
  for (const [col, ref] of Object.entries(REFERENCES[e.entity])) {
    if (!(col in row) && !ref.via) continue;
    const gid = ref.via ? row[ref.via] : row[col];
    const id = typeof gid === 'string' ? resolve(ref, gid) : null;
    if (id === null && typeof gid === 'string' && !ref.soft) throw new Error(`${e.entity}.${col}: ${ref.table} ${gid} is not here`);
    // A soft reference to a record that cannot be here keeps a non-null column valid (a destroyed record's id).
    row[col] = id ?? (ref.via && ref.soft ? 0 : null);
  }
  const kindRef = KIND_REFERENCES[e.entity];
  if (kindRef) {
    const table = kindRef.tables[String(row[kindRef.kindColumn])];
    const gid = row[kindRef.via];
    row[kindRef.column] = table && typeof gid === 'string' ? (localIdOf(db, schema, table, gid, true) ?? 0) : 0;
  }
  for (const [col, paths] of Object.entries(JSON_REFERENCES[e.entity] ?? {})) {
    if (typeof row[col] !== 'string') continue;
    const doc = JSON.parse(row[col] as string) as Record<string, unknown>;
    for (const [path, ref] of Object.entries(paths)) {
      const gid = getPath(doc, path);
      if (typeof gid === 'string') setPath(doc, path, resolve(ref, gid));
    }
    row[col] = JSON.stringify(doc);
  }
  return row;
}

/**
 * A document arriving at a level while this workstation still holds it at another was moved there (a
 * level change, a declassification): it leaves the old level now rather than when that level's stream
 * brings the move's tombstone, so it is never listed twice.
 */
function leaveOtherLevels(db: Db, s: string, gid: string): void {
  for (const other of schemasFor(db, 'incoming', s).slice(1)) {
    const id = cached(db, `SELECT id FROM ${other}.incoming WHERE global_id = ?`).pluck().get(gid) as number | undefined;
    if (id !== undefined) purgeRecord(db, other, id);
  }
}

function reindex(db: Db, s: string, id: number, existed: boolean): void {
  if (existed) unindexIncoming(db, s, id);
  const f = cached(db, `SELECT subject, number_symbol AS numberSymbol, issuer_name AS issuerName, notes FROM ${s}.incoming WHERE id = ?`).get(id) as IndexedFields;
  indexIncoming(db, s, id, f);
}

function logEvent(db: Db, schema: string, e: WireEvent, data: Record<string, unknown>): void {
  cached(db, `INSERT INTO ${schema}.events (id, at, origin, actor, entity, entity_id, kind, data, received) VALUES (?,?,?,?,?,?,?,?,1)`)
    .run(e.id, e.at, e.origin, e.actor, e.entity, e.entityId, e.kind, JSON.stringify(data));
}

/** What waits or was set aside, for the sync panel. */
export function inboxState(db: Db, schema: string): { waiting: number; conflicts: Array<{ id: string; entity: string; problem: string }> } {
  const waiting = cached(db, `SELECT count(*) FROM ${schema}.sync_inbox WHERE problem IS NULL`).pluck().get() as number;
  const conflicts = (cached(db, `SELECT body, problem FROM ${schema}.sync_inbox WHERE problem IS NOT NULL ORDER BY seq`).all() as Array<{ body: string; problem: string }>)
    .map((r) => {
      const e = JSON.parse(r.body) as WireEvent;
      return { id: e.id, entity: e.entity, problem: r.problem };
    });
  return { waiting, conflicts };
}
