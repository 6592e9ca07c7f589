// A server store left at an earlier migration, as a server of that version made it (the migration
// tests): on SQLite in the file's temporary folder, or on a database of its own in the real
// PostgreSQL; the test fills it through `old`, destroys `old`, then opens `cfg` with today's server.
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { StorageConfig } from '../../server/config';
import { migrateTo } from '../../server/storage/migrations';
import type { TestPostgres } from './postgres';

export async function oldServerStore(o: {
  backend: 'sqlite' | 'postgres'; dir: string; pg: TestPostgres; database: string; migratedTo: string;
}): Promise<{ cfg: StorageConfig; old: Kysely<unknown> }> {
  let cfg: StorageConfig;
  let old: Kysely<unknown>;
  if (o.backend === 'sqlite') {
    const file = join(o.dir, `${o.database}.db`);
    cfg = { kind: 'sqlite', file };
    old = new Kysely({ dialect: new SqliteDialect({ database: new Database(file) }) });
  } else {
    o.pg.psql(`CREATE DATABASE ${o.database}`, 'postgres');
    cfg = { kind: 'postgres', host: o.pg.host, port: o.pg.port, database: o.database, user: o.pg.user, poolSize: 2 };
    old = new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ host: o.pg.host, port: o.pg.port, database: o.database, user: o.pg.user, max: 2 }) }) });
  }
  await migrateTo(old, o.backend, o.migratedTo);
  return { cfg, old };
}
