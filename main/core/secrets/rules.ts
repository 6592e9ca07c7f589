// Who may do what with a state secret, and the profile's configurable rules with their defaults.
// Defaults follow the Law on Protection of State Secrets (Luật 117/2025/QH15, and the 2018 law before
// it) and the digest (../shared/domain/README.md, "State secrets"):
//   - copying or printing a Mật, Tối mật or Tuyệt mật record needs the permission of the head of the
//     agency (role lãnh đạo) by default; an ordinary record is printed by anyone who may read it;
//   - a grant by name (need-to-know) is given by a leader or by whoever keeps the register (văn thư);
//   - a level change and a declassification are decided by a leader and confirmed by a second,
//     different authorised person (leader or văn thư);
//   - destruction is decided by a leader;
//   - protection periods: 30 years for Tuyệt mật, 20 for Tối mật, 10 for Mật, unless a shorter one is
//     written on the document.
// The copy rule per level is a profile setting (`copy_authority`, JSON {level: roles[]}).
import type { Role, Secrecy } from '../../../common/domain';
import type { Db } from '../db/connection';
import type { Actor } from '../org/rights';

export const DEFAULT_COPY_AUTHORITY: Readonly<Record<Exclude<Secrecy, 'thuong'>, readonly Role[]>> = {
  mat: ['lanh_dao'],
  toi_mat: ['lanh_dao'],
  tuyet_mat: ['lanh_dao'],
};

export const PROTECTION_YEARS: Readonly<Record<Exclude<Secrecy, 'thuong'>, number>> = { tuyet_mat: 30, toi_mat: 20, mat: 10 };

export function copyAuthority(db: Db, level: Exclude<Secrecy, 'thuong'>): readonly Role[] {
  const raw = db.prepare("SELECT value FROM settings WHERE key = 'copy_authority'").pluck().get() as string | undefined;
  if (raw) {
    try {
      const parsed = JSON.parse(raw) as Partial<Record<Secrecy, Role[]>>;
      const roles = parsed[level];
      if (Array.isArray(roles) && roles.length > 0) return roles;
    } catch {
      /* a damaged setting falls back to the law's default */
    }
  }
  return DEFAULT_COPY_AUTHORITY[level];
}

const isLeader = (a: Actor) => a.role === 'lanh_dao';
const keepsRegister = (a: Actor) => a.rights.includes('doc.register');

export const mayGrant = (a: Actor): boolean => isLeader(a) || keepsRegister(a);
export const mayProposeLevelChange = (a: Actor): boolean => isLeader(a);
export const mayConfirmLevelChange = (a: Actor): boolean => isLeader(a) || keepsRegister(a);
export const mayDestroy = (a: Actor): boolean => isLeader(a);
export const mayHold = (a: Actor): boolean => isLeader(a) || keepsRegister(a);

// ---- Automatic declassification (secrets/AutoDeclassification.ts) ----
// At the end of the protection period, unless it was extended, the law declassifies the record; the
// app carries it out while someone who holds the level and has the authority is signed in. Default: a
// leader or whoever keeps the register (văn thư); the profile setting `auto_declassify_roles` (JSON
// roles[]) replaces the default. The authority written on the decision is the setting
// `auto_declassify_authority`, else the text below.
// No article number: Luật 29/2018/QH14 was replaced by Luật 117/2025/QH15 (from 01/03/2026), whose
// article on automatic declassification was not verified here; the setting overrides the text.
export const AUTO_DECLASSIFY_AUTHORITY = 'Tự động giải mật khi hết thời hạn bảo vệ (Luật Bảo vệ bí mật nhà nước số 117/2025/QH15)';
export const AUTO_DECLASSIFY_REASON = 'Hết thời hạn bảo vệ bí mật nhà nước mà không được gia hạn';

function settingOf(db: Db, key: string): string | undefined {
  return db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get(key) as string | undefined;
}

export function mayAutoDeclassify(db: Db, a: Actor): boolean {
  const raw = settingOf(db, 'auto_declassify_roles');
  if (raw) {
    try {
      const roles = JSON.parse(raw) as unknown;
      if (Array.isArray(roles) && roles.length > 0) return roles.includes(a.role);
    } catch {
      /* a damaged setting falls back to the default */
    }
  }
  return isLeader(a) || keepsRegister(a);
}

export const autoDeclassifyAuthority = (db: Db): string => settingOf(db, 'auto_declassify_authority') || AUTO_DECLASSIFY_AUTHORITY;

// ---- Restricted Thường records ("Hạn chế phạm vi") ----
// Set at registration by the person registering, or later (set or lifted) by a leader or the văn thư.
export const mayRestrict = (a: Actor): boolean => isLeader(a) || keepsRegister(a);
