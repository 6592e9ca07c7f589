// A server store backed up and restored as the operator does it (the service stopped): the SQLite file
// copied, or the PostgreSQL database cloned from a template. Shared by the restore tests.
import { copyFileSync, rmSync } from 'node:fs';
import type { StorageConfig } from '../../server/config';
import type { TestPostgres } from './postgres';

/** A backup of the store beside it (`<file>.backup`, or the database `<name>_backup`). */
export function backupStore(storage: StorageConfig, pg: TestPostgres): void {
  if (storage.kind === 'sqlite') copyFileSync(storage.file, `${storage.file}.backup`);
  else pg.psql(`CREATE DATABASE ${storage.database}_backup TEMPLATE ${storage.database}`, 'postgres');
}

/** The store put back to that backup. */
export function restoreStore(storage: StorageConfig, pg: TestPostgres): void {
  if (storage.kind === 'sqlite') {
    for (const suffix of ['-wal', '-shm']) rmSync(`${storage.file}${suffix}`, { force: true });
    copyFileSync(`${storage.file}.backup`, storage.file);
  } else {
    pg.psql(`DROP DATABASE ${storage.database}`, 'postgres');
    pg.psql(`CREATE DATABASE ${storage.database} TEMPLATE ${storage.database}_backup`, 'postgres');
  }
}
