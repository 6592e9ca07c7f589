// After a restore of the agency server's store (sync/restore.ts, docs/server.md "Numbers."): the records
// this workstation knows numbered above what the restored store held, so the server writes their
// allocation rows again (POST /v1/numbers/after-restore/records). Only the records this workstation
// numbered itself: the row names it. Only the compartments it holds keys for are attached, so it sends
// only records of those levels. Resumable: the last record sent is kept
// with each chunk, and the next try goes on after it (the server answers a record sent again as held).
import type { Db } from '../db/connection';
import { writeTx } from '../db/transaction';
import { getState, setState } from '../sync/outbox';
import { workstationId } from '../events/eventLog';
import { AFTER_RESTORE_MAX, type AfterRestoreRecordsResult, type NumberedRecord, type NumberSequence } from '../sync/numbers/protocol';
import { sequenceKeyOf } from './sequenceKey';
import type { NumberAuthority } from './sharedNumbering';

/** Progress of the records sent for a restore: `{ restore, after: [sequence key, number, record] }`. */
export const NUMBERED_RECORDS_SENT_KEY = 'numbers-after-restore-records';

type Position = [key: string, number: number, record: string];

export const sequenceKey = (q: NumberSequence): string => `${q.register}\u0000${q.period}\u0000${q.bucket}`;

const compare = (a: Position, b: Position): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1] || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0));
const positionOf = (r: NumberedRecord): Position => [sequenceKey(r), r.number, r.record];

const hasTable = (db: Db, schema: string, table: string): boolean =>
  db.prepare(`SELECT 1 FROM ${schema}.sqlite_master WHERE type = 'table' AND name = ?`).get(table) !== undefined;

const compartments = (db: Db): string[] =>
  (db.prepare('SELECT name FROM pragma_database_list').pluck().all() as string[]).filter((n) => n.startsWith('c_') && n !== 'c_none');

interface Row { register_id: number; period: string; bucket: string; number: number; record: string }

/** A floor as a number a record's may be compared with (a malformed one from the server: none). */
const validFloor = (f: unknown): f is number => typeof f === 'number' && Number.isSafeInteger(f) && f >= 0;

/**
 * Whether this workstation gave the record the number it holds: the first event of the record in its
 * compartment's log whose row carries that number came from here (`origin`, this workstation's id; a
 * record received by sync has its events from the workstation that made them, kept as they came). The
 * number's first event, not any of the record's: a received record edited here carries the number in
 * this workstation's later events too, and an arrival renumbered here carries its new number first in
 * this workstation's update. One look-up by the events' (entity_id, seq) index per record above the floors.
 */
const numberedHere = (c: string, entity: 'incoming' | 'outgoing', record: string, column: string, number: string): string =>
  `(SELECT e.origin FROM ${c}.events e WHERE e.entity_id = ${record} AND e.entity = '${entity}'
      AND json_extract(e.data, '$.${column}') = ${number} ORDER BY e.seq LIMIT 1) = @me`;

/**
 * The records this workstation numbered itself of the sequences in `floors` with numbers above their
 * floor (records numbered elsewhere and received by sync are the other workstation's to send: the
 * rebuilt row names who gave the number). An arrival renumbered after a clash holds its new number at
 * the server under its correction's global id (renumber.ts), so that id is the one sent; "chờ cấp số"
 * placeholders (below 1) are no numbers. Floors that are not whole numbers ≥ 0 are ignored.
 */
export function numberedRecordsAbove(db: Db, floors: ReadonlyMap<string, number>): NumberedRecord[] {
  // A loop, not Math.min(...): a huge map (a server's answer) would overflow the call's arguments.
  let low = Infinity;
  for (const f of floors.values()) if (validFloor(f) && f < low) low = f;
  if (low === Infinity) return [];
  const me = workstationId(db);
  const rows: Row[] = [];
  for (const c of compartments(db)) {
    if (hasTable(db, c, 'incoming')) {
      const correction = hasTable(db, c, 'incoming_corrections')
        ? `(SELECT k.global_id FROM ${c}.incoming_corrections k WHERE k.incoming_id = i.id AND k.global_id IS NOT NULL
             AND json_extract(k.new_values, '$.arrivalNumber') = i.arrival_number ORDER BY k.id DESC LIMIT 1)`
        : 'NULL';
      rows.push(...(db.prepare(`SELECT i.register_id, i.period, CASE WHEN s.per_type THEN i.type_code ELSE '*' END AS bucket, i.arrival_number AS number,
          coalesce(${correction}, i.global_id) AS record
        FROM ${c}.incoming i JOIN main.registers r ON r.id = i.register_id JOIN main.numbering_scopes s ON s.id = r.scope_id
        WHERE i.arrival_number > @low AND ${numberedHere(c, 'incoming', 'i.global_id', 'arrival_number', 'i.arrival_number')}`).all({ low, me }) as Row[]));
    }
    if (hasTable(db, c, 'outgoing')) {
      rows.push(...(db.prepare(`SELECT o.register_id, o.period, o.bucket, o.number, o.global_id AS record FROM ${c}.outgoing o
        WHERE o.number IS NOT NULL AND o.number > @low AND o.register_id IS NOT NULL AND o.period IS NOT NULL AND o.bucket IS NOT NULL
          AND ${numberedHere(c, 'outgoing', 'o.global_id', 'number', 'o.number')}`).all({ low, me }) as Row[]));
    }
  }
  const keys = new Map<number, string>();
  const out: NumberedRecord[] = [];
  // A record met twice (a level change under way copies it): sent once, the server takes each record once.
  const seen = new Set<string>();
  for (const r of rows) {
    if (seen.has(r.record)) continue;
    seen.add(r.record);
    let register = keys.get(r.register_id);
    if (register === undefined) keys.set(r.register_id, (register = sequenceKeyOf(db, r.register_id).register));
    const item = { register, period: r.period, bucket: r.bucket, record: r.record, number: r.number };
    const floor = floors.get(sequenceKey(item));
    if (validFloor(floor) && r.number > floor) out.push(item);
  }
  return out.sort((a, b) => compare(positionOf(a), positionOf(b)));
}

/**
 * Sends the records above the floors in chunks (at most AFTER_RESTORE_MAX), from where the last try stopped.
 * Returns what the server did with them (summed over the chunks sent now).
 */
export async function sendNumberedRecords(db: Db, authority: NumberAuthority, restore: string, floors: ReadonlyMap<string, number>, chunk = AFTER_RESTORE_MAX): Promise<AfterRestoreRecordsResult> {
  const total: AfterRestoreRecordsResult = { rebuilt: 0, held: 0, skipped: 0, aboveClearance: 0, clashes: [] };
  const saved = getState(db, NUMBERED_RECORDS_SENT_KEY);
  const progress = saved ? (JSON.parse(saved) as { restore: string; after: Position }) : null;
  const after = progress?.restore === restore ? progress.after : null;
  const records = numberedRecordsAbove(db, floors).filter((r) => !after || compare(positionOf(r), after) > 0);
  const size = Math.max(1, Math.min(chunk, AFTER_RESTORE_MAX));
  for (let i = 0; i < records.length; i += size) {
    const part = records.slice(i, i + size);
    const r = await authority.afterRestoreRecords({ restore, records: part });
    total.rebuilt += r.rebuilt;
    total.held += r.held;
    total.skipped += r.skipped;
    total.aboveClearance += r.aboveClearance ?? 0;
    total.clashes.push(...r.clashes);
    writeTx(db, () => setState(db, NUMBERED_RECORDS_SENT_KEY, JSON.stringify({ restore, after: positionOf(part[part.length - 1]!) })));
  }
  return total;
}
