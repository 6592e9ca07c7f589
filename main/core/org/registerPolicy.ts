// The profile's policy on who registers documents (separation of duties): a list of roles kept in
// the settings table, changed only by an administrator, every change audited with before and after.
import { ROLES, type Role } from '../../../common/domain';
import { appendAudit } from '../audit/auditLog';
import type { Db } from '../db/connection';
import { getSetting, setSetting } from '../profile/settings';
import { DEFAULT_REGISTER_ROLES } from './rights';

/** The roles that may register documents on this profile (the default when never set). */
export function registerRoles(db: Db): Role[] {
  const raw = getSetting(db, 'register_roles');
  if (raw === undefined) return [...DEFAULT_REGISTER_ROLES];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return [...DEFAULT_REGISTER_ROLES];
  }
  // Only known roles, in the canonical order; a damaged value falls back to the default.
  const roles = ROLES.filter((r) => Array.isArray(parsed) && parsed.includes(r));
  return roles.length > 0 ? roles : [...DEFAULT_REGISTER_ROLES];
}

/** Writes the policy and its audit entry; run inside the caller's write transaction. */
export function writeRegisterRoles(db: Db, roles: readonly Role[], actorId: number, now: Date): Role[] {
  const before = registerRoles(db);
  const after = ROLES.filter((r) => roles.includes(r));
  setSetting(db, 'register_roles', JSON.stringify(after));
  appendAudit(db, { userId: actorId, action: 'policy.register_roles', details: { before, after } }, now.toISOString());
  return after;
}
