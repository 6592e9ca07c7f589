// Who directs and who assigns, from the agency's structure (org/structure.ts): the agency's leaders
// (role lãnh đạo) and anyone holding a dated authority to direct give directions; a unit's work is
// assigned by its head and deputies, or by a leader of the agency.
import { todayIso } from '../../../common/dates';
import type { Db } from '../db/connection';
import type { Actor } from '../org/rights';
import { holdsAuthority, unitLeaders } from '../org/structure';

/** Whether the person may give a direction (bút phê) today. */
export function mayDirect(db: Db, person: { id: number; role: string }, now: Date): boolean {
  return person.role === 'lanh_dao' || holdsAuthority(db, person.id, 'direct', todayIso(now));
}

export function mayAssignForUnit(db: Db, actor: Actor, unitId: number): boolean {
  if (actor.role === 'lanh_dao') return true;
  return unitLeaderIds(db, unitId).includes(actor.id);
}

/** The head and deputies of a unit (users.unit_role), who assign its work. */
export function unitLeaderIds(db: Db, unitId: number): number[] {
  return unitLeaders(db, unitId).map((m) => m.userId);
}
