// Record ids come from one sequence in the base, for every level: ids stay unique across compartment
// files (a document keeps its id when its level changes) and sort by creation across them, which the
// register's "newest first" relies on. Call inside the write transaction.
import type { Db } from '../db/connection';
import { cached } from '../db/statements';

/** Connections counting ids in memory for a transaction (a set-wise write, import/writeSlice.ts); last: the sequence's value, once read. */
const counting = new WeakMap<Db, { last: number | null }>();

export function nextRecordId(db: Db): number {
  const block = counting.get(db);
  if (block) {
    block.last ??= cached(db, "SELECT last FROM main.id_sequence WHERE name = 'record'").pluck().get() as number;
    return ++block.last;
  }
  return cached(db, "UPDATE main.id_sequence SET last = last + 1 WHERE name = 'record' RETURNING last").pluck().get() as number;
}

/**
 * From now on this connection's ids are counted in memory (one read of the sequence, one write at
 * settleRecordIds) instead of a statement per id: the same ids, in the same order. Inside a write
 * transaction only; settleRecordIds (or dropRecordIds on a rollback) ends it.
 */
export function countRecordIds(db: Db): void {
  counting.set(db, { last: null });
}

/** Where the in-memory count stands (to take back the ids of a write rolled back to a savepoint). */
export function recordIdMark(db: Db): number | null | undefined {
  return counting.get(db)?.last;
}

export function resetRecordIds(db: Db, mark: number | null | undefined): void {
  const block = counting.get(db);
  if (block && mark !== undefined) block.last = mark;
}

/** Writes the counted ids' end into the sequence and stops counting in memory. */
export function settleRecordIds(db: Db): void {
  const block = counting.get(db);
  counting.delete(db);
  if (block?.last != null) cached(db, "UPDATE main.id_sequence SET last = ? WHERE name = 'record'").run(block.last);
}

/** Stops counting in memory without writing (the transaction is rolled back). */
export function dropRecordIds(db: Db): void {
  counting.delete(db);
}
