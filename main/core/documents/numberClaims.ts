// Number claims: a number taken for a record in a compartment survives a crash between the two commits.
//
// In WAL mode a transaction over the base and an attached compartment commits the base first, then the
// compartment (docs/compartments.md): a kill -9 between the two left the register's counter advanced
// and no record holding the number, a gap in a register the law wants dense. With the number the
// transaction writes a claim in the base naming the record that must hold it; at the next unlock the
// claims are settled by someone holding that level: the record holds the number (the usual case) and
// the claim goes; or it does not, and the number is given back when nothing was numbered after it,
// else the gap is audited with the reason. The bulk import keeps its own journal (import/recover.ts).
import { appendAudit } from '../audit/auditLog';
import type { Db } from '../db/connection';
import { cached } from '../db/statements';
import { writeTx } from '../db/transaction';
import type { Arm } from './arms';
import type { TakenNumber } from './numbering';

/** The record that must hold a taken number: its compartment (schema), table and global id. */
export interface NumberClaim { compartment: string; table: 'incoming' | 'outgoing'; globalId: string; /** The record's local id, when it has one. */ recordId?: number }

/** The column each record table keeps its number in. */
const NUMBER_COLUMN: Record<NumberClaim['table'], string> = { incoming: 'arrival_number', outgoing: 'number' };

/**
 * A claim younger than this is left alone: another process on the same profile may be between its two
 * commits (microseconds); a crash's claim is settled at the first unlock after it.
 */
export const CLAIM_SETTLE_AFTER_MS = 60_000;

/** Records the claim, in the transaction that took the number and writes the record. */
export function claimNumber(db: Db, scopeId: number, taken: TakenNumber, claim: NumberClaim, now: Date): void {
  cached(db, `INSERT INTO main.number_claims (scope_id, period, bucket, number, compartment, record_table, record_global_id, record_id, claimed_at)
    VALUES (?,?,?,?,?,?,?,?,?)`).run(scopeId, taken.period, taken.bucket, taken.number, claim.compartment, claim.table, claim.globalId, claim.recordId ?? null, now.toISOString());
}

interface ClaimRow { id: number; scope_id: number; period: string; bucket: string; number: number; compartment: string; record_table: NumberClaim['table']; record_global_id: string; record_id: number | null }

export interface SettledClaims { confirmed: number; givenBack: number; gaps: number }

/**
 * Settles the claims of the compartments held (`arms`) made before `now` - CLAIM_SETTLE_AFTER_MS, in one
 * write transaction. Claims of levels not held wait for someone who holds them.
 */
export function settleNumberClaims(db: Db, arms: readonly Arm[], actorId: number | null, now: Date): SettledClaims {
  const held = new Set(arms.filter((a) => a.level !== null).map((a) => a.schema));
  const before = new Date(now.getTime() - CLAIM_SETTLE_AFTER_MS).toISOString();
  return writeTx(db, () => {
    const claims = (db.prepare('SELECT * FROM main.number_claims WHERE claimed_at < ? ORDER BY number DESC, id DESC').all(before) as ClaimRow[])
      .filter((c) => held.has(c.compartment) && c.record_table in NUMBER_COLUMN);
    const out: SettledClaims = { confirmed: 0, givenBack: 0, gaps: 0 };
    const drop = db.prepare('DELETE FROM main.number_claims WHERE id = ?');
    // Highest numbers first: several lost at a counter's top are given back one after the other.
    for (const c of claims) {
      drop.run(c.id);
      const holds = db.prepare(`SELECT 1 FROM ${c.compartment}.${c.record_table} WHERE global_id = ? AND ${NUMBER_COLUMN[c.record_table]} = ?`)
        .get(c.record_global_id, c.number) !== undefined;
      if (holds) {
        out.confirmed++;
        continue;
      }
      const last = db.prepare('SELECT last FROM main.number_counters WHERE scope_id = ? AND period = ? AND bucket = ?').pluck().get(c.scope_id, c.period, c.bucket) as number | undefined;
      const givenBack = last === c.number;
      if (givenBack) db.prepare('UPDATE main.number_counters SET last = last - 1 WHERE scope_id = ? AND period = ? AND bucket = ?').run(c.scope_id, c.period, c.bucket);
      if (givenBack) out.givenBack++;
      else out.gaps++;
      appendAudit(db, {
        userId: actorId, action: givenBack ? 'numbering.given_back' : 'numbering.gap',
        // The record never reached its compartment with this number (the process stopped between the
        // two commits): named as the entry that took the number named it, so the log explains itself.
        entity: c.record_table, entityGid: c.record_global_id, ...(c.record_id !== null ? { entityId: c.record_id } : {}),
        details: { scopeId: c.scope_id, period: c.period, bucket: c.bucket, number: c.number, record: c.record_table, reason: 'interrupted_commit' },
      }, now.toISOString());
    }
    return out;
  });
}
