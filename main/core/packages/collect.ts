// What goes into a package for a set of documents: each document's record (incoming or outgoing) and
// the records that hang on it (files, signatures, processing steps and tasks, recipients, hand-overs,
// dispatches and their statuses...), every event of each in its log (its whole history), in the wire
// form sync uses (references as global ids); its membership of the work files the exporter may know
// of; and the base records they need to be applied elsewhere (the register, the people, the units,
// the work files with their history), transitively.
import type { Db } from '../db/connection';
import { COMPARTMENT_RECORD_TABLES } from '../compartments/schema';
import type { RecordTable } from '../events/eventLog';
import { REFERENCES } from '../sync/references';
import { dataToWire, livesInCompartment, type WireEvent } from '../sync/wire';

export interface CollectedEvent { schema: string; document: string | null; event: WireEvent }

/** The two kinds of document a package carries. */
export type DocumentKind = 'incoming' | 'outgoing';

/** Compartment tables whose rows belong to one document of `kind` (they reference it by <kind>_id); work file membership apart. */
const tablesOf = (kind: DocumentKind): readonly RecordTable[] => COMPARTMENT_RECORD_TABLES.filter(
  (t) => t !== kind && t !== 'work_file_items' && REFERENCES[t][`${kind}_id`]?.table === kind && !REFERENCES[t][`${kind}_id`]?.via,
);
export const DOCUMENT_TABLES: Readonly<Record<DocumentKind, readonly RecordTable[]>> = { incoming: tablesOf('incoming'), outgoing: tablesOf('outgoing') };

interface EventRow { seq: number; id: string; at: string; origin: string; actor: string | null; entity: RecordTable; entity_id: string; kind: WireEvent['kind']; data: string }

function eventsOf(db: Db, schema: string, gids: readonly string[]): EventRow[] {
  if (gids.length === 0) return [];
  return db.prepare(`SELECT * FROM ${schema}.events WHERE entity_id IN (SELECT value FROM json_each(?)) ORDER BY seq`).all(JSON.stringify(gids)) as EventRow[];
}

const toWire = (db: Db, schema: string, r: EventRow): WireEvent => ({
  id: r.id, at: r.at, origin: r.origin, actor: r.actor, entity: r.entity, entityId: r.entity_id, kind: r.kind,
  data: r.kind === 'delete' ? {} : dataToWire(db, schema, r.entity, JSON.parse(r.data) as Record<string, unknown>),
});

/** The global ids of the base records an event's record needs (hard references into the base). */
export function baseNeeds(e: WireEvent): string[] {
  const out: string[] = [];
  for (const [col, ref] of Object.entries(REFERENCES[e.entity])) {
    if (ref.soft || livesInCompartment(ref.table)) continue;
    const gid = ref.via ? e.data[ref.via] : e.data[col];
    if (typeof gid === 'string') out.push(gid);
  }
  return out;
}

export interface CollectOptions {
  /** Whether the exporting person may know of the work file (its need-to-know): only then does the document's membership of it travel. */
  mayKnowWorkFile(workFileId: number): boolean;
}

/** The records and events of the documents `ids` of `kind` in compartment `schema`. */
export function collectDocuments(db: Db, schema: string, kind: DocumentKind, ids: readonly number[], opts: CollectOptions): { events: CollectedEvent[]; records: Array<{ globalId: string; entity: RecordTable }> } {
  const events: CollectedEvent[] = [];
  const records: Array<{ globalId: string; entity: RecordTable }> = [];
  // Outgoing documents are filed as 'outgoing' (issued); drafts do not travel.
  const items = db.prepare(`SELECT global_id, work_file_id FROM ${schema}.work_file_items WHERE kind = ? AND record_global_id = ?`);
  for (const id of ids) {
    const doc = db.prepare(`SELECT global_id FROM ${schema}.${kind} WHERE id = ?`).pluck().get(id) as string;
    const gids = [doc];
    records.push({ globalId: doc, entity: kind });
    for (const t of DOCUMENT_TABLES[kind]) {
      for (const g of db.prepare(`SELECT global_id FROM ${schema}.${t} WHERE ${kind}_id = ?`).pluck().all(id) as string[]) {
        gids.push(g);
        records.push({ globalId: g, entity: t });
      }
    }
    for (const it of items.all(kind, doc) as Array<{ global_id: string; work_file_id: number }>) {
      if (!opts.mayKnowWorkFile(it.work_file_id)) continue;
      gids.push(it.global_id);
      records.push({ globalId: it.global_id, entity: 'work_file_items' });
    }
    for (const r of eventsOf(db, schema, gids)) events.push({ schema, document: doc, event: toWire(db, schema, r) });
  }
  return { events, records };
}

/** The base records the events need, with their own needs, transitively; their events first-needed last. */
export function collectBase(db: Db, from: readonly CollectedEvent[]): { events: CollectedEvent[]; records: Array<{ globalId: string; entity: RecordTable }> } {
  const seen = new Set<string>();
  let frontier = [...new Set(from.flatMap((c) => baseNeeds(c.event)))];
  const rows: EventRow[] = [];
  while (frontier.length > 0) {
    const fresh = frontier.filter((g) => !seen.has(g));
    for (const g of fresh) seen.add(g);
    const found = eventsOf(db, 'main', fresh);
    rows.push(...found);
    frontier = [...new Set(found.flatMap((r) => baseNeeds(toWire(db, 'main', r))))];
  }
  const unique = [...new Map(rows.map((r) => [r.id, r])).values()].sort((a, b) => a.seq - b.seq);
  const events = unique.map((r) => ({ schema: 'main', document: null, event: toWire(db, 'main', r) }));
  const records = [...new Map(unique.map((r) => [r.entity_id, { globalId: r.entity_id, entity: r.entity }])).values()];
  return { events, records };
}
