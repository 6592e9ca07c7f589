// Who may assign a handler for a unit's task. The agency's structure (units with their leaders) is
// another part of this issue; until a unit names its leaders, the agency's leaders (lãnh đạo) assign
// for every unit. When units carry leaders, this is the one place that learns of them.
import type { Db } from '../db/connection';
import type { Actor } from '../org/rights';

export function mayAssignForUnit(db: Db, actor: Actor, unitId: number): boolean {
  if (actor.role === 'lanh_dao') return true;
  return unitLeaderIds(db, unitId).includes(actor.id);
}

/** The people who lead a unit, when the profile's schema records them (internal_units.leader_user_id). */
export function unitLeaderIds(db: Db, unitId: number): number[] {
  const hasColumn = db.prepare("SELECT 1 FROM pragma_table_info('internal_units', 'main') WHERE name = 'leader_user_id'").get() !== undefined;
  if (!hasColumn) return [];
  const id = db.prepare('SELECT leader_user_id FROM main.internal_units WHERE id = ?').pluck().get(unitId) as number | null | undefined;
  return id === null || id === undefined ? [] : [id];
}
