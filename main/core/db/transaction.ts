// Write transactions start with BEGIN IMMEDIATE: a deferred transaction that reads and then writes
// fails at once with SQLITE_BUSY when another connection holds the write lock, without waiting for
// busy_timeout (two processes registering at once lost 14–20 of 120 writes that way).
import type { Db } from './connection';

export function writeTx<T>(db: Db, fn: () => T): T {
  return db.transaction(fn).immediate();
}
