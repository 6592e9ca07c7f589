// The key a register's numbers are asked under at the agency server (docs/server.md, "Numbering
// authority", shared scopes).
import { secrecyRank, type Secrecy } from '../../../common/domain';
import type { Db } from '../db/connection';
import { cached } from '../db/statements';

interface ScopeRegister { global_id: string; home_workstation: string | null; secrecy: string }

const lowestRank = (secrecy: string): number => Math.min(...(JSON.parse(secrecy) as Secrecy[]).map(secrecyRank));

/**
 * The register a scope's numbers are asked under at the server, and its home. A register alone in its
 * scope is its own key. Registers sharing one scope (the party preset's two outgoing registers) share
 * one sequence, or each would give 1, 2, 3…: the key is the scope's register of the highest lowest
 * level (ties: the smallest global id, UUIDv7, the oldest), the same on every workstation since
 * registers sync with their global ids. The server checks the person's clearance against the key's
 * lowest level, so someone not cleared for every register of the scope takes and learns nothing of it
 * (a Thường văn thư cannot reach the BMNN register's numbers through the Thường register).
 */
export function sequenceKeyOf(db: Db, registerId: number): { register: string; home: string | null } {
  const rows = cached(db, `SELECT r.global_id, r.home_workstation, r.secrecy FROM main.registers r
    WHERE r.scope_id = (SELECT scope_id FROM main.registers WHERE id = ?) ORDER BY r.global_id`).all(registerId) as ScopeRegister[];
  let key = rows[0]!;
  for (const r of rows) if (lowestRank(r.secrecy) > lowestRank(key.secrecy)) key = r;
  // The agency server's word (an administrator may have moved the home) rules over the creating workstation.
  const heard = cached(db, 'SELECT home FROM main.register_homes_heard WHERE register_global_id = ?').pluck().get(key.global_id) as string | undefined;
  return { register: key.global_id, home: heard ?? key.home_workstation };
}
