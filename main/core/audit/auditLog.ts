// Append-only, hash-chained audit log. Each row's hash covers its content and the previous hash,
// so a removed or edited row breaks the chain. Callers append inside the transaction of the change.
import { createHash } from 'node:crypto';
import type { Db } from '../db/connection';

export interface AuditEntry {
  userId: number | null;
  action: string;
  entity?: string;
  entityId?: number;
  details?: Record<string, unknown>;
}

const GENESIS = '0'.repeat(64);

function rowHash(prev: string, at: string, e: AuditEntry, details: string): string {
  return createHash('sha256')
    .update([prev, at, e.userId ?? '', e.action, e.entity ?? '', e.entityId ?? '', details].join('\u001f'))
    .digest('hex');
}

export function appendAudit(db: Db, entry: AuditEntry, at = new Date().toISOString()): void {
  const prev = (db.prepare('SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1').pluck().get() as string | undefined) ?? GENESIS;
  const details = JSON.stringify(entry.details ?? {});
  db.prepare(
    'INSERT INTO audit_log (at, user_id, action, entity, entity_id, details, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?)',
  ).run(at, entry.userId, entry.action, entry.entity ?? null, entry.entityId ?? null, details, prev, rowHash(prev, at, entry, details));
}

/** Walks the chain; returns the id of the first row that does not verify, or null when intact. */
export function verifyAuditChain(db: Db): number | null {
  let prev = GENESIS;
  const rows = db.prepare('SELECT * FROM audit_log ORDER BY id').iterate() as IterableIterator<{
    id: number; at: string; user_id: number | null; action: string; entity: string | null; entity_id: number | null; details: string; prev_hash: string; hash: string;
  }>;
  for (const r of rows) {
    const entry: AuditEntry = { userId: r.user_id, action: r.action };
    if (r.entity !== null) entry.entity = r.entity;
    if (r.entity_id !== null) entry.entityId = r.entity_id;
    if (r.prev_hash !== prev || rowHash(prev, r.at, entry, r.details) !== r.hash) return r.id;
    prev = r.hash;
  }
  return null;
}
