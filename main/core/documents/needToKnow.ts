// Need-to-know. Clearance is necessary, not sufficient: a Mật, Tối mật or Tuyệt mật document is seen
// by the people in its distribution, and by those who keep or direct the register:
//   - whoever registers documents (the văn thư, by the profile's register policy) and the agency's
//     leaders (lãnh đạo), who direct every document, see every record of the levels they hold;
//   - anyone else sees a classified record only when they registered it, are named among its
//     recipients, received it by hand-over, or hold an unrevoked grant by name (grants.ts);
//   - Thường records are open to the agency.
// The processing issue adds "directed or assigned to them" to the distribution.
import type { Actor } from '../org/rights';

export const canSeeAll = (actor: Actor): boolean => actor.rights.includes('doc.register') || actor.role === 'lanh_dao';

/** The distribution condition over `{c}.incoming i`, for a person who does not see everything. */
export function distributionSql(actor: Actor): { sql: string; params: unknown[] } {
  return {
    sql: `(i.secrecy_rank = 0 OR i.registered_by = ?
      OR EXISTS (SELECT 1 FROM {c}.grants g WHERE g.user_id = ? AND g.incoming_id = i.id AND g.revoked_at IS NULL)
      OR EXISTS (SELECT 1 FROM {c}.incoming_recipients rr WHERE rr.incoming_id = i.id AND rr.user_id = ?)
      OR EXISTS (SELECT 1 FROM {c}.incoming_handovers h WHERE h.incoming_id = i.id AND h.user_id = ?))`,
    params: [actor.id, actor.id, actor.id, actor.id],
  };
}
