// A register's home workstation (docs/server.md, "Numbering authority"): named when the register's
// creation is stored (registerFacts.ts), moved only by an administrator (migration 0014). Every move is
// kept, so a former home's offline numbers are judged by whether it was the home when it gave them.
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { HomeMove } from '../../main/core/sync/numbers/protocol';
import type { RegisterHomeMovesTable, ServerDatabase } from './schema';

type Db = Kysely<ServerDatabase> | Transaction<ServerDatabase>;

/** Refused (the route's status and code): a register the server has not heard of, the home already. */
export class HomeRefused extends Error {
  override readonly name = 'HomeRefused';
  constructor(readonly status: number, readonly code: 'unknown-register' | 'already-home' | 'conflict', message: string) {
    super(message);
  }
}

const moveOf = (r: RegisterHomeMovesTable): HomeMove => ({
  register: r.register_gid, from: r.from_workstation, to: r.to_workstation, movedBy: r.moved_by, movedFrom: r.moved_from, reason: r.reason, movedAt: r.moved_at,
});

/** The moves of a register, oldest first. */
export async function movesOf(db: Db, register: string): Promise<HomeMove[]> {
  const rows = await db.selectFrom('register_home_moves').selectAll().where('register_gid', '=', register).orderBy('moved_at').orderBy('move_id').execute();
  return rows.map(moveOf);
}

/**
 * Whether `workstation` was the register's home at `at` though it is not now: its tenures run from
 * being named (the first home: from the start) or moved to, until it was moved away. Null when it never
 * was the home (not a former home at all); otherwise the move that ended the tenure `at` falls after
 * (`held: false`) or the one it falls in (`held: true`).
 */
export function formerTenure(moves: readonly HomeMove[], workstation: string, at: string | null): { held: boolean; move: HomeMove } | null {
  let since: string | null = moves.length > 0 && moves[0]!.from === workstation ? '' : null;
  let last: HomeMove | null = null;
  for (const m of moves) {
    if (m.from === workstation) {
      last = m;
      if (since !== null && at !== null && at >= since && at < m.movedAt) return { held: true, move: m };
      since = null;
    }
    if (m.to === workstation) since = m.movedAt;
  }
  return last ? { held: false, move: last } : null;
}

export class HomeStore {
  constructor(private readonly db: Kysely<ServerDatabase>) {}

  async view(register: string): Promise<{ home: string | null; moves: HomeMove[] }> {
    const home = await this.db.selectFrom('register_homes').select('workstation').where('register_gid', '=', register).executeTakeFirst();
    return { home: home?.workstation ?? null, moves: await movesOf(this.db, register) };
  }

  /**
   * Moves the register's home to `to`, recorded with who, from where, when and why, in one transaction
   * (the home row and the move). A register the server has heard of neither by its creation nor by a
   * home is refused (404); moving it to its home already is 409.
   */
  async move(register: string, to: string, by: { person: string; workstation: string }, reason: string, now: Date): Promise<HomeMove> {
    return this.db.transaction().execute(async (trx) => {
      const home = await trx.selectFrom('register_homes').select('workstation').where('register_gid', '=', register).executeTakeFirst();
      const known = home ?? await trx.selectFrom('number_registers').select('register_gid').where('register_gid', '=', register).executeTakeFirst();
      if (!known) throw new HomeRefused(404, 'unknown-register', `register ${register} is not known to this server (its creation was never pushed)`);
      if (home?.workstation === to) throw new HomeRefused(409, 'already-home', `workstation ${to} is the home of register ${register} already`);
      const at = now.toISOString();
      // Conditional on the home read: a move made meanwhile by another administrator (PostgreSQL re-reads
      // the row after its lock) changes nothing here and is told, so no move records a stale `from`.
      const changed = home
        ? await trx.updateTable('register_homes').set({ workstation: to, named_by: by.person, named_at: at })
          .where('register_gid', '=', register).where('workstation', '=', home.workstation).executeTakeFirst()
        : await trx.insertInto('register_homes').values({ register_gid: register, workstation: to, named_by: by.person, named_at: at })
          .onConflict((oc) => oc.column('register_gid').doNothing()).executeTakeFirst();
      const n = 'numUpdatedRows' in changed ? changed.numUpdatedRows : (changed.numInsertedOrUpdatedRows ?? 0n);
      if (Number(n) !== 1) throw new HomeRefused(409, 'conflict', `the home of register ${register} was moved meanwhile: look again`);
      const row: RegisterHomeMovesTable = {
        move_id: randomUUID(), register_gid: register, from_workstation: home?.workstation ?? null, to_workstation: to,
        moved_by: by.person, moved_from: by.workstation, reason, moved_at: at,
      };
      await trx.insertInto('register_home_moves').values(row).execute();
      return moveOf(row);
    });
  }
}
