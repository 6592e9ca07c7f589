// An event as it travels between workstations: the local event row with every reference rewritten
// from this workstation's row ids to global ids (references.ts). What was appended here leaves (its
// own changes, and the history of a record moved here from another level); what it received from
// the server is not sent back.
import { z } from 'zod';
import type { Db } from '../db/connection';
import { cached } from '../db/statements';
import { RECORD_TABLES, type RecordTable } from '../events/eventLog';
import { COMPARTMENT_RECORD_TABLES } from '../compartments/schema';
import { JSON_REFERENCES, KIND_REFERENCES, REFERENCES, type Reference } from './references';

export const wireEventSchema = z.object({
  id: z.uuid(),
  at: z.iso.datetime(),
  origin: z.uuid(),
  actor: z.uuid().nullable(),
  entity: z.enum(RECORD_TABLES),
  entityId: z.uuid(),
  kind: z.enum(['create', 'update', 'delete']),
  data: z.record(z.string(), z.unknown()),
});
export type WireEvent = z.infer<typeof wireEventSchema>;

const COMPARTMENT_TABLES = new Set<string>(COMPARTMENT_RECORD_TABLES);
export const livesInCompartment = (table: RecordTable): boolean => COMPARTMENT_TABLES.has(table);

/**
 * The schemas a referenced record may live in, searched in order: the base for base tables; for
 * compartment tables the event's own compartment, and with `crossLevels` then the others attached (a
 * soft reference: a reply may sit at another level; record ids are unique across compartments).
 */
export function schemasFor(db: Db, table: RecordTable, own: string, crossLevels = true): string[] {
  if (!livesInCompartment(table)) return ['main'];
  if (!crossLevels) return [own];
  const attached = (db.pragma('database_list') as Array<{ name: string }>).map((d) => d.name).filter((n) => n.startsWith('c_') && n !== 'c_none');
  return [own, ...attached.filter((s) => s !== own)];
}

function globalIdFor(db: Db, ref: Reference, localId: number, own: string): string | null {
  for (const s of schemasFor(db, ref.table, own)) {
    const gid = cached(db, `SELECT global_id FROM ${s}.${ref.table} WHERE id = ?`).pluck().get(localId) as string | undefined;
    if (gid) return gid;
  }
  return null;
}

function getPath(o: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), o);
}

export function setPath(o: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let v: Record<string, unknown> = o;
  for (const k of keys.slice(0, -1)) {
    if (!v[k] || typeof v[k] !== 'object') return;
    v = v[k] as Record<string, unknown>;
  }
  v[keys[keys.length - 1]!] = value;
}

export { getPath };

/** The event's data with local ids replaced by global ids (null where the record no longer exists here). */
export function dataToWire(db: Db, schema: string, entity: RecordTable, data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...data };
  for (const [col, ref] of Object.entries(REFERENCES[entity])) {
    const v = out[col];
    if (typeof v !== 'number') continue;
    // A `via` column already carries the global id: the local id is dropped.
    out[col] = ref.via ? null : globalIdFor(db, ref, v, schema);
  }
  const kindRef = KIND_REFERENCES[entity];
  if (kindRef && typeof out[kindRef.column] === 'number') out[kindRef.column] = null;
  for (const [col, paths] of Object.entries(JSON_REFERENCES[entity] ?? {})) {
    if (typeof out[col] !== 'string') continue;
    const doc = JSON.parse(out[col] as string) as Record<string, unknown>;
    for (const [path, ref] of Object.entries(paths)) {
      const v = getPath(doc, path);
      if (typeof v === 'number') setPath(doc, path, globalIdFor(db, ref, v, schema));
    }
    out[col] = JSON.stringify(doc);
  }
  return out;
}

interface EventRow { seq: number; id: string; at: string; origin: string; actor: string | null; entity: RecordTable; entity_id: string; kind: WireEvent['kind']; data: string }

/** The events appended here to one schema after `afterSeq` (not received from elsewhere), in order, ready to send. */
export function outboundEvents(db: Db, schema: string, afterSeq: number, limit = 500): Array<{ seq: number; event: WireEvent }> {
  const rows = cached(db, `SELECT * FROM ${schema}.events WHERE seq > ? AND received = 0 ORDER BY seq LIMIT ?`)
    .all(afterSeq, limit) as EventRow[];
  return rows.map((r) => ({
    seq: r.seq,
    event: {
      id: r.id, at: r.at, origin: r.origin, actor: r.actor, entity: r.entity, entityId: r.entity_id, kind: r.kind,
      data: r.kind === 'delete' ? {} : dataToWire(db, schema, r.entity, JSON.parse(r.data) as Record<string, unknown>),
    },
  }));
}
