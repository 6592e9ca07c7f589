import type { UserSummary } from '../../../common/contract';
import type { Role, Secrecy } from '../../../common/domain';
import type { Db } from '../db/connection';
import { rightsOf, type Actor } from './rights';

interface UserRow { id: number; full_name: string; position: string; role: Role; clearance: Secrecy }

const toSummary = (r: UserRow): UserSummary => ({
  id: r.id, fullName: r.full_name, position: r.position, role: r.role, clearance: r.clearance,
});

export function addUser(db: Db, u: Omit<UserSummary, 'id'>): number {
  const res = db
    .prepare('INSERT INTO users (full_name, position, role, clearance, created_at) VALUES (?,?,?,?,?)')
    .run(u.fullName, u.position, u.role, u.clearance, new Date().toISOString());
  return Number(res.lastInsertRowid);
}

export function listUsers(db: Db): UserSummary[] {
  return (db.prepare('SELECT * FROM users WHERE active = 1 ORDER BY id').all() as UserRow[]).map(toSummary);
}

export function getUser(db: Db, id: number): UserSummary | undefined {
  const r = db.prepare('SELECT * FROM users WHERE id = ? AND active = 1').get(id) as UserRow | undefined;
  return r ? toSummary(r) : undefined;
}

export function actorFor(user: UserSummary): Actor {
  return { id: user.id, fullName: user.fullName, role: user.role, clearance: user.clearance, rights: rightsOf(user.role) };
}
