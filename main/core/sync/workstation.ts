// A workstation's identity in the agency's event streams. A profile restored onto another computer,
// or copied from the agency's snapshot to start a new workstation, must take a new workstation id
// before it writes anything: two workstations under one origin would each take the other's events
// for its own and never send or apply them.
import type { Db } from '../db/connection';
import { writeTx } from '../db/transaction';
import { newGlobalId } from '../events/globalId';
import { getSetting, setSetting } from '../profile/settings';
import { appendAudit } from '../audit/auditLog';

export function takeNewWorkstationId(db: Db, now: Date): string {
  return writeTx(db, () => {
    const previous = getSetting(db, 'workstation_id');
    const id = newGlobalId();
    setSetting(db, 'workstation_id', id);
    appendAudit(db, { userId: null, action: 'sync.workstation_id', details: { previous: previous ?? null, id } }, now.toISOString());
    return id;
  });
}
