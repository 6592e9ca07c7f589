// A workstation's identity in the agency's event streams. A profile restored onto another computer,
// or copied from the agency's snapshot to start a new workstation, must take a new workstation id
// before it writes anything: two workstations under one origin would each take the other's events
// for their own. What the snapshot already holds is the agency's, already sent by the workstations
// that made it: the new workstation's push cursors start after it.
import type { Db } from '../db/connection';
import { writeTx } from '../db/transaction';
import { newGlobalId } from '../events/globalId';
import { getSetting, setSetting } from '../profile/settings';
import { appendAudit } from '../audit/auditLog';
import { pushCursorKey, setState } from './outbox';
import type { Channel } from './protocol';

export function takeNewWorkstationId(db: Db, now: Date): string {
  return writeTx(db, () => {
    const previous = getSetting(db, 'workstation_id');
    const id = newGlobalId();
    setSetting(db, 'workstation_id', id);
    const schemas = (db.pragma('database_list') as Array<{ name: string }>).map((d) => d.name).filter((n) => n === 'main' || (n.startsWith('c_') && n !== 'c_none'));
    for (const s of schemas) {
      const channel = (s === 'main' ? 'base' : s.slice(2)) as Channel;
      const last = db.prepare(`SELECT coalesce(max(seq), 0) FROM ${s}.events`).pluck().get() as number;
      setState(db, pushCursorKey(channel), String(last));
    }
    appendAudit(db, { userId: null, action: 'sync.workstation_id', details: { previous: previous ?? null, id } }, now.toISOString());
    return id;
  });
}
