// Record ids come from one sequence in the base, for every level: ids stay unique across compartment
// files (a document keeps its id when its level changes) and sort by creation across them, which the
// register's "newest first" relies on. Call inside the write transaction.
import type { Db } from '../db/connection';
import { cached } from '../db/statements';

export function nextRecordId(db: Db): number {
  return cached(db, "UPDATE main.id_sequence SET last = last + 1 WHERE name = 'record' RETURNING last").pluck().get() as number;
}
