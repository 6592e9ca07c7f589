// Need-to-know. Clearance is necessary, not sufficient: a Mật, Tối mật or Tuyệt mật document is seen
// by the people in its distribution, and by those who keep or direct the register:
//   - whoever registers documents (the văn thư, by the profile's register policy) and the agency's
//     leaders (lãnh đạo), who direct every document, see every record of the levels they hold;
//   - anyone else sees a classified record only when they registered it, are named among its
//     recipients, received it by hand-over, or hold an unrevoked grant by name (grants.ts);
//   - Thường records are open to the agency, unless restricted ("Hạn chế phạm vi", a row in the
//     compartment's `restrictions`): a restricted Thường record follows the distribution like a
//     classified one.
//   - whoever a document was submitted, directed or assigned to (a processing task names them: the
//     leader asked for a direction, the lead, co-operating or informed person, the handler) sees it
//     from then on (main/core/processing); a task given to a unit is seen by the unit's head and
//     deputies (org/structure.ts), who assign it, not by its other members until assigned.
import type { Db } from '../db/connection';
import { cached } from '../db/statements';
import type { Arm } from '../compartments/levels';
import type { Actor } from '../org/rights';

export const canSeeAll = (actor: Actor): boolean => actor.rights.includes('doc.register') || actor.role === 'lanh_dao';

/**
 * The Thường records open to the agency: not restricted. An uncorrelated subquery over the small
 * index of active restrictions (evaluated once per statement), so that the paging and count indexes,
 * which hold the rank, still serve an officer's list without reading the records.
 */
const OPEN_SQL = 'i.secrecy_rank = 0 AND i.id NOT IN (SELECT x.incoming_id FROM {c}.restrictions x WHERE x.lifted_at IS NULL)';

/** The distribution condition over `{c}.incoming i`, for a person who does not see everything. */
export function distributionSql(actor: Actor): { sql: string; params: unknown[] } {
  return {
    sql: `((${OPEN_SQL}) OR i.registered_by = ?
      OR EXISTS (SELECT 1 FROM {c}.grants g WHERE g.user_id = ? AND g.incoming_id = i.id AND g.revoked_at IS NULL)
      OR EXISTS (SELECT 1 FROM {c}.incoming_recipients rr WHERE rr.incoming_id = i.id AND rr.user_id = ?)
      OR EXISTS (SELECT 1 FROM {c}.incoming_handovers h WHERE h.incoming_id = i.id AND h.user_id = ?)
      OR EXISTS (SELECT 1 FROM {c}.processing_tasks pt WHERE pt.incoming_id = i.id AND pt.user_id = ?)
      OR EXISTS (SELECT 1 FROM {c}.processing_tasks pu WHERE pu.incoming_id = i.id AND pu.unit_id IN
        (SELECT lu.unit_id FROM main.users lu WHERE lu.id = ? AND lu.unit_role IN ('head','deputy'))))`,
    params: [actor.id, actor.id, actor.id, actor.id, actor.id, actor.id],
  };
}

/** Whether record `id` of compartment `c` is restricted now. */
export function isRestricted(db: Db, c: string, id: number): boolean {
  return db.prepare(`SELECT 1 FROM ${c}.restrictions WHERE incoming_id = ? AND lifted_at IS NULL`).get(id) !== undefined;
}

/** The Thường arm's look-up of restricted ids (prepared once per connection: every page runs it). */
const restrictedAmongStatement = (db: Db, arm: Arm) =>
  cached(db, `SELECT incoming_id FROM ${arm.schema}.restrictions WHERE lifted_at IS NULL AND incoming_id IN (SELECT value FROM json_each(?))`).pluck();

/** Which of the given record ids are restricted (only Thường records can be; read in that compartment). */
export function restrictedAmong(db: Db, arms: readonly Arm[], ids: readonly number[]): Set<number> {
  const arm = arms.find((a) => a.level === 'thuong');
  if (!arm || ids.length === 0) return new Set();
  return new Set(restrictedAmongStatement(db, arm).all(JSON.stringify(ids)) as number[]);
}

/** Prepares the restricted look-up of the arms' Thường compartment, if held (the unlock's warm-up). */
export function prepareRestrictedStatements(db: Db, arms: readonly Arm[]): void {
  const arm = arms.find((a) => a.level === 'thuong');
  if (arm) restrictedAmongStatement(db, arm);
}
