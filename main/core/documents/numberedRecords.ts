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
import { AFTER_RESTORE_MAX, type AfterRestoreRecordsResult, type NumberedRecord, type NumberSequence, type RecordClash } from '../sync/numbers/protocol';
import { sequenceKeyOf } from './sequenceKey';
import { HOME_MOVED_RENUMBER_REASON, SERVER_RENUMBER_REASON } from './numberConflicts';
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
      // A renumbering after a clash at the server (offline number taken, home moved) asked under the record's own id.
      const correction = hasTable(db, c, 'incoming_corrections')
        ? `(SELECT CASE WHEN k.reason IN (@ownId1, @ownId2) THEN i.global_id ELSE k.global_id END FROM ${c}.incoming_corrections k
             WHERE k.incoming_id = i.id AND k.global_id IS NOT NULL
             AND json_extract(k.new_values, '$.arrivalNumber') = i.arrival_number ORDER BY k.id DESC LIMIT 1)`
        : 'NULL';
      rows.push(...(db.prepare(`SELECT i.register_id, i.period, CASE WHEN s.per_type THEN i.type_code ELSE '*' END AS bucket, i.arrival_number AS number,
          coalesce(${correction}, i.global_id) AS record
        FROM ${c}.incoming i JOIN main.registers r ON r.id = i.register_id JOIN main.numbering_scopes s ON s.id = r.scope_id
        WHERE i.arrival_number > @low AND ${numberedHere(c, 'incoming', 'i.global_id', 'arrival_number', 'i.arrival_number')}`)
        .all({ low, me, ...(correction === 'NULL' ? {} : { ownId1: SERVER_RENUMBER_REASON, ownId2: HOME_MOVED_RENUMBER_REASON }) }) as Row[]));
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

/** Where a record sent after a restore lives here: its compartment, register, number and when it was given. */
interface LocalRecord { compartment: string; registerId: number; number: number; madeAt: string }

/**
 * The record the server named in a clash, looked up here (an arrival, by its own id or its correction's,
 * or an issued document), with the time of the first event carrying its number (when it was given).
 */
function localRecord(db: Db, record: string): LocalRecord | null {
  const first = (c: string, entity: string, gid: string, column: string, n: number): string | null =>
    db.prepare(`SELECT at FROM ${c}.events WHERE entity_id = ? AND entity = ? AND json_extract(data, '$.${column}') = ? ORDER BY seq LIMIT 1`).pluck().get(gid, entity, n) as string | null;
  for (const c of compartments(db)) {
    if (hasTable(db, c, 'incoming')) {
      const i = (db.prepare(`SELECT global_id, register_id, arrival_number FROM ${c}.incoming WHERE global_id = ?`).get(record)
        ?? (hasTable(db, c, 'incoming_corrections')
          ? db.prepare(`SELECT i.global_id, i.register_id, i.arrival_number FROM ${c}.incoming_corrections k JOIN ${c}.incoming i ON i.id = k.incoming_id WHERE k.global_id = ?`).get(record)
          : undefined)) as { global_id: string; register_id: number; arrival_number: number } | undefined;
      if (i) return { compartment: c, registerId: i.register_id, number: i.arrival_number, madeAt: first(c, 'incoming', i.global_id, 'arrival_number', i.arrival_number) ?? new Date().toISOString() };
    }
    if (hasTable(db, c, 'outgoing')) {
      const o = db.prepare(`SELECT register_id, number FROM ${c}.outgoing WHERE global_id = ? AND number IS NOT NULL AND register_id IS NOT NULL`).get(record) as { register_id: number; number: number } | undefined;
      if (o) return { compartment: c, registerId: o.register_id, number: o.number, madeAt: first(c, 'outgoing', record, 'number', o.number) ?? new Date().toISOString() };
    }
  }
  return null;
}

/**
 * A clash the server answered for a record of the chunk just sent is kept on a number_reports row naming
 * the restore (`after_restore`), in the chunk's own transaction. An arrival whose number was given to
 * another record is renumbered from the server (sharedNumbering.settleRestoreClashes); the others are
 * listed on the sync panel (sync/restoreNumberClashes.ts). Such a row is never reported as an offline
 * number (sendPending leaves it). Only clashes naming a record sent, with its number and sequence, and
 * still holding that number here, are kept (a server's answer is not trusted to name others). A row
 * waiting to give a number back, or an offline number not yet reported, is left alone.
 */
function keepClashes(db: Db, restore: string, sent: readonly NumberedRecord[], clashes: readonly RecordClash[]): number {
  const bySent = new Map(sent.map((r) => [r.record, r]));
  let kept = 0;
  for (const c of clashes) {
    const r = bySent.get(c.record);
    if (!r || r.number !== c.number || sequenceKey(r) !== sequenceKey(c) || (c.reason !== 'number-taken' && c.reason !== 'record-numbered')) continue;
    const local = localRecord(db, c.record);
    if (!local || local.number !== c.number) continue;
    db.prepare(`INSERT INTO main.number_reports (register_id, period, bucket, number, kind, compartment, record_global_id, made_at, problem, after_restore)
        VALUES (?,?,?,?,'report',?,?,?,?,?)
      ON CONFLICT (record_global_id) DO UPDATE SET register_id = excluded.register_id, period = excluded.period, bucket = excluded.bucket, number = excluded.number,
        compartment = excluded.compartment, made_at = excluded.made_at, reported_at = NULL, problem = excluded.problem, after_restore = excluded.after_restore
      WHERE main.number_reports.kind = 'report' AND (main.number_reports.reported_at IS NOT NULL OR main.number_reports.after_restore IS NOT NULL)`)
      .run(local.registerId, c.period, c.bucket, c.number, local.compartment, c.record, local.madeAt, JSON.stringify({ error: c.reason, afterRestore: restore }), restore);
    kept++;
  }
  return kept;
}

/**
 * Sends the records above the floors in chunks (at most AFTER_RESTORE_MAX), from where the last try stopped.
 * Returns what the server did with them (summed over the chunks sent now); its clashes are kept as
 * numbers owed to the server (keepClashes) with each chunk's progress.
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
    const clashes = Array.isArray(r.clashes) ? r.clashes : [];
    total.clashes.push(...clashes);
    writeTx(db, () => {
      keepClashes(db, restore, part, clashes);
      setState(db, NUMBERED_RECORDS_SENT_KEY, JSON.stringify({ restore, after: positionOf(part[part.length - 1]!) }));
    });
  }
  return total;
}
