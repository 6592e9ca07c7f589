// Who must hold each level's key: the unlocking certificates of active people whose clearance covers
// the level, and the recovery certificate(s) IT configured (which hold every level).
import { secrecyRank } from '../../../common/domain';
import type { Db } from '../db/connection';
import type { Level } from './levels';

export function holderCertificates(db: Db, level: Level, recovery: readonly Uint8Array[]): Uint8Array[] {
  const rows = db.prepare(`SELECT c.der, u.clearance FROM user_certificates c JOIN users u ON u.id = c.user_id
    WHERE c.can_unlock = 1 AND u.active = 1 ORDER BY c.bound_at`).all() as Array<{ der: Buffer; clearance: Level }>;
  return [
    ...rows.filter((r) => secrecyRank(r.clearance) >= secrecyRank(level)).map((r) => new Uint8Array(r.der)),
    ...recovery,
  ];
}
