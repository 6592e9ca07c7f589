import type { UserSummary } from '../../../common/contract';
import type { Role, Secrecy } from '../../../common/domain';
import type { Db } from '../db/connection';
import { recordChange } from '../events/eventLog';
import { rightsOf, type Actor } from './rights';

interface UserRow { id: number; full_name: string; position: string; role: Role; clearance: Secrecy }

const toSummary = (r: UserRow): UserSummary => ({
  id: r.id, fullName: r.full_name, position: r.position, role: r.role, clearance: r.clearance,
});

/** Adds a person; `by` is who added them (null: the first administrator, who adds themselves). */
export function addUser(db: Db, u: Omit<UserSummary, 'id'>, by: number | null = null, now = new Date()): number {
  const res = db
    .prepare('INSERT INTO users (full_name, position, role, clearance, created_at) VALUES (?,?,?,?,?)')
    .run(u.fullName, u.position, u.role, u.clearance, now.toISOString());
  const id = Number(res.lastInsertRowid);
  recordChange(db, 'users', id, 'create', by ?? id, now);
  return id;
}

export function listUsers(db: Db): UserSummary[] {
  return (db.prepare('SELECT * FROM users WHERE active = 1 ORDER BY id').all() as UserRow[]).map(toSummary);
}

export function getUser(db: Db, id: number): UserSummary | undefined {
  const r = db.prepare('SELECT * FROM users WHERE id = ? AND active = 1').get(id) as UserRow | undefined;
  return r ? toSummary(r) : undefined;
}

/** The person as an actor; `registerRoles` is the profile's policy (org/registerPolicy.ts). */
export function actorFor(user: UserSummary, registerRoles?: readonly Role[]): Actor {
  return { id: user.id, fullName: user.fullName, role: user.role, clearance: user.clearance, rights: rightsOf(user.role, registerRoles) };
}
