// A number the home workstation gave offline that the agency server had already given another record
// (the window between the home's last contact and the cut: the server cannot tell the home what it
// numbered after that). The server's number stands; the home's record takes the server's next number,
// like a "Số đến trùng" resolution done at once: a correction keeps the old and new number with the
// reason, an update event carries it to the other workstations (a copy set aside there for the clash
// goes in when it arrives), and the audit log records it. Done only while the record still holds the
// number, in a held compartment and an open year; otherwise the conflict waits on its row. The same for
// an arrival a former home numbered after an administrator moved the register's home away from it
// (409 `home-moved`: docs/server.md "Moving a register's home"), and for an arrival whose number a
// restored agency server gave another record before this workstation told it (`after_restore`:
// sharedNumbering.lastNumbersAfterRestore).
import { appendAudit } from '../audit/auditLog';
import { nextRecordId } from '../compartments/ids';
import type { Db } from '../db/connection';
import { writeTx } from '../db/transaction';
import { recordChange, workstationId } from '../events/eventLog';
import { newGlobalId } from '../events/globalId';
import type { HomeMovedConflict, NumberConflict } from '../sync/numbers/protocol';
import { isYearClosed } from './registers';
import { sequenceKeyOf } from './sequenceKey';
import type { NumberAuthority } from './sharedNumbering';

/** A number owed to the server (number_reports), with its register's global id. */
export interface OwedNumber {
  id: number; register_id: number; global_id: string; period: string; bucket: string; number: number; compartment: string | null; record_global_id: string;
  /** The restore whose clash this row holds (the record may be a renumbered arrival's correction), else null. */
  after_restore?: string | null;
}

export const SERVER_RENUMBER_REASON = 'Cấp số lại: số đến cấp tại máy trạm giữ sổ lúc mất kết nối đã được máy chủ của cơ quan cấp cho văn bản khác.';

const attached = (db: Db, schema: string) =>
  (db.prepare('SELECT name FROM pragma_database_list').pluck().all() as string[]).includes(schema);

/** Why an arrival numbered before an agency server's restore is renumbered after it. */
export const AFTER_RESTORE_RENUMBER_REASON = 'Cấp số lại: máy chủ của cơ quan được khôi phục từ bản sao lưu và đã cấp số đến này cho văn bản khác trước khi máy trạm này báo lại.';

/** Why a home's offline number is renumbered: for a moved home, the server's next number may be the same one. */
export const HOME_MOVED_RENUMBER_REASON = 'Cấp số lại: số đến cấp tại máy trạm này lúc mất kết nối, sau khi quản trị viên đã chuyển việc giữ sổ sang máy trạm khác.';

/**
 * Renumbers the home's offline arrival with the server's next number. `conflict` is the server's answer:
 * the number held by another record (number-taken), or given after the home was moved away (home-moved:
 * a former home's number; when the server's next number is that same number, the record keeps it, now
 * the server's, with no correction and an audit entry saying so).
 */
/** A clash the server answered after its restore (numberedRecords.keepClashes): who holds the number is not said. */
export interface RestoreClash { error: 'number-taken'; afterRestore: string }

export async function renumberTaken(db: Db, authority: NumberAuthority, owed: OwedNumber, conflict: NumberConflict | HomeMovedConflict | RestoreClash, actorId: number, now: Date): Promise<boolean> {
  const c = owed.compartment;
  if (!c || !attached(db, c)) return false;
  // After a restore the record sent may be a renumbered arrival's correction (numberedRecords.ts).
  const row = (db.prepare(`SELECT id, year, arrival_number FROM ${c}.incoming WHERE global_id = ?`).get(owed.record_global_id)
    ?? ('afterRestore' in conflict ? db.prepare(`SELECT i.id, i.year, i.arrival_number FROM ${c}.incoming_corrections k JOIN ${c}.incoming i ON i.id = k.incoming_id WHERE k.global_id = ?`).get(owed.record_global_id) : undefined)) as
    { id: number; year: number; arrival_number: number } | undefined;
  if (!row || row.arrival_number !== owed.number || isYearClosed(db, owed.register_id, row.year)) return false;
  const home = sequenceKeyOf(db, owed.register_id).home ?? workstationId(db);
  const sequence = { register: owed.global_id, period: owed.period, bucket: owed.bucket };
  // Asked under the record's own id, except after a restore: under the correction's, as renumber.ts
  // asks (the record sent may itself be such a correction). numberedRecords.ts reads it the same way.
  const correctionGid = newGlobalId();
  const askedAs = 'afterRestore' in conflict ? correctionGid : owed.record_global_id;
  const fresh = await authority.allocate({ ...sequence, record: askedAs, home });
  const n = fresh.allocation.number;
  const renumbered = writeTx(db, () => {
    // Looked at again inside the write lock.
    const still = db.prepare(`SELECT arrival_number FROM ${c}.incoming WHERE id = ?`).pluck().get(row.id) as number | undefined;
    if (still !== owed.number) return false;
    const counters = () => db.prepare(`INSERT INTO main.number_counters (scope_id, period, bucket, last) SELECT scope_id, ?, ?, ? FROM main.registers WHERE id = ?
      ON CONFLICT (scope_id, period, bucket) DO UPDATE SET last = max(last, excluded.last)`).run(owed.period, owed.bucket, Math.max(n, fresh.last), owed.register_id);
    if (conflict.error === 'home-moved' && n === owed.number) {
      // Nobody took it meanwhile: the number on the paper stands, given by the server now.
      counters();
      db.prepare('UPDATE main.number_reports SET reported_at = ?, problem = ? WHERE id = ?').run(now.toISOString(), JSON.stringify({ ...conflict, confirmedAs: n }), owed.id);
      appendAudit(db, {
        userId: actorId, action: 'incoming.number_confirmed', entity: 'incoming', entityId: row.id,
        details: { year: row.year, arrivalNumber: n, reason: 'home_moved', homeNow: conflict.move.to, movedAt: conflict.move.movedAt },
      }, now.toISOString());
      return true;
    }
    const reason = conflict.error === 'home-moved' ? HOME_MOVED_RENUMBER_REASON : 'afterRestore' in conflict ? AFTER_RESTORE_RENUMBER_REASON : SERVER_RENUMBER_REASON;
    db.prepare(`UPDATE ${c}.incoming SET arrival_number = ? WHERE id = ?`).run(n, row.id);
    const correctionId = nextRecordId(db);
    db.prepare(`INSERT INTO ${c}.incoming_corrections (id, global_id, incoming_id, corrected_by, corrected_at, reason, old_values, new_values) VALUES (?,?,?,?,?,?,?,?)`)
      .run(correctionId, correctionGid, row.id, actorId, now.toISOString(), reason, JSON.stringify({ arrivalNumber: owed.number }), JSON.stringify({ arrivalNumber: n }));
    recordChange(db, 'incoming', row.id, 'update', actorId, now, c);
    recordChange(db, 'incoming_corrections', correctionId, 'create', actorId, now, c);
    counters();
    db.prepare('UPDATE main.number_reports SET reported_at = ?, problem = ? WHERE id = ?').run(now.toISOString(), JSON.stringify({ ...conflict, renumberedTo: n }), owed.id);
    appendAudit(db, {
      userId: actorId, action: 'incoming.renumber', entity: 'incoming', entityId: row.id,
      details: {
        year: row.year, oldNumber: owed.number, newNumber: n, correction: correctionId,
        ...(conflict.error === 'home-moved' ? { reason: 'home_moved', homeNow: conflict.move.to }
          : 'afterRestore' in conflict ? { reason: 'number_taken_after_restore', restore: conflict.afterRestore }
            : { reason: 'number_taken_at_server', holder: conflict.holder.record }),
      },
    }, now.toISOString());
    return true;
  });
  // Lost the race with an edit: the fresh number goes back (or stays void, a gap the server names).
  if (!renumbered) await authority.giveBack({ ...sequence, record: askedAs }).catch(() => undefined);
  return renumbered;
}
