// The files records point to (a document's PDF, an outgoing document's signed versions) travel apart
// from the events: an event names a file by its SHA-256, and the file follows sealed under the
// level's key (AttachmentStore.sealedBlob / placeSealed). Until it arrives, the record is here and
// its file is listed as missing.
import type { Db } from '../db/connection';
import type { AttachmentStore } from '../attachments/store';

/** The columns that name a stored file of a compartment. */
export const BLOB_COLUMNS: ReadonlyArray<{ table: string; column: string }> = [
  { table: 'attachments', column: 'sha256' },
  { table: 'outgoing_files', column: 'sha256' },
  { table: 'outgoing_files', column: 'signed_sha256' },
];

/** JSON columns holding an array of files, each with its `sha256` (an electronic arrival's files, before it is registered). */
export const BLOB_JSON_COLUMNS: ReadonlyArray<{ table: string; column: string }> = [
  { table: 'exchange_inbox', column: 'files' },
];

/** Every file the compartment's records name. */
export function namedBlobs(db: Db, schema: string): Set<string> {
  const named = new Set<string>();
  for (const { table, column } of BLOB_COLUMNS) {
    for (const sha of db.prepare(`SELECT DISTINCT ${column} FROM ${schema}.${table} WHERE ${column} IS NOT NULL`).pluck().all() as string[]) named.add(sha);
  }
  for (const { table, column } of BLOB_JSON_COLUMNS) {
    const sql = `SELECT DISTINCT json_extract(f.value, '$.sha256') FROM ${schema}.${table} t, json_each(t.${column}) f WHERE json_valid(t.${column})`;
    for (const sha of db.prepare(sql).pluck().all() as Array<string | null>) if (typeof sha === 'string') named.add(sha);
  }
  return named;
}

/** Files the compartment's records name that its store does not hold. */
export async function missingBlobs(db: Db, schema: string, store: AttachmentStore): Promise<string[]> {
  const named = namedBlobs(db, schema);
  const missing: string[] = [];
  for (const sha of [...named].sort()) if (!(await store.hasBlob(sha))) missing.push(sha);
  return missing;
}
