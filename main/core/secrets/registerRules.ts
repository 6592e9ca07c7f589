// Who may read and who may close the state-secret registers (Sổ đăng ký BMNN đến, Sổ quản lý sao,
// chụp BMNN, Sổ chuyển giao BMNN). Defaults: the văn thư, who keeps them, and the lãnh đạo, who
// answers for them. A profile setting changes them (`secret_register_roles`, JSON
// {"read": roles[], "close": roles[]}), like the copy authority in rules.ts. Reading stays subject to
// clearance and need-to-know (a reader sees the rows of the records they may see); closing a year
// needs a person who sees the whole register (closing seals what the printed year holds).
import { ROLES, type Role } from '../../../common/domain';
import type { Db } from '../db/connection';
import { canSeeAll } from '../documents/needToKnow';
import type { Arm } from '../compartments/levels';
import type { Actor } from '../org/rights';

export const DEFAULT_SECRET_REGISTER_ROLES: Readonly<{ read: readonly Role[]; close: readonly Role[] }> = {
  read: ['van_thu', 'lanh_dao'],
  close: ['van_thu', 'lanh_dao'],
};

function configured(db: Db, which: 'read' | 'close'): readonly Role[] {
  const raw = db.prepare("SELECT value FROM settings WHERE key = 'secret_register_roles'").pluck().get() as string | undefined;
  if (raw) {
    try {
      const roles = (JSON.parse(raw) as Partial<Record<'read' | 'close', unknown>>)[which];
      if (Array.isArray(roles) && roles.length > 0 && roles.every((r) => (ROLES as readonly unknown[]).includes(r))) return roles as Role[];
    } catch {
      /* a damaged setting falls back to the default */
    }
  }
  return DEFAULT_SECRET_REGISTER_ROLES[which];
}

export const mayReadSecretRegisters = (db: Db, a: Actor): boolean =>
  a.rights.includes('doc.read') && a.clearance !== 'thuong' && configured(db, 'read').includes(a.role as Role);

export const mayCloseSecretRegisters = (db: Db, a: Actor): boolean =>
  mayReadSecretRegisters(db, a) && configured(db, 'close').includes(a.role as Role);

/** Whether the session sees every row of the registers: every secret level held, no need-to-know filter. */
export const seesWholeRegister = (a: Actor, arms: readonly Arm[]): boolean =>
  canSeeAll(a) && a.clearance === 'tuyet_mat' && (['mat', 'toi_mat', 'tuyet_mat'] as const).every((l) => arms.some((x) => x.level === l));
