// Prepared statements cached per connection: hot paths (registration, search, bulk import) would
// otherwise spend a noticeable share of their time re-preparing the same SQL.
import type { Statement } from 'better-sqlite3-multiple-ciphers';
import type { Db } from './connection';

const caches = new WeakMap<Db, Map<string, Statement>>();

export function cached(db: Db, sql: string): Statement {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  let stmt = cache.get(sql);
  if (!stmt) cache.set(sql, (stmt = db.prepare(sql)));
  return stmt;
}
