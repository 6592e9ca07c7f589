// The workstation's side of sync in its base database (migration 22): the outbox of batches, the
// cursors and the parts of downloads under way. Each change is one transaction, so a process killed
// between any two steps leaves either the old state or the new one, never half of a step.
import type { Db } from '../db/connection';
import type { Channel, Encoding } from './protocol';

export interface OutboxRow {
  id: number;
  batchId: string;
  channel: Channel;
  keyId: string | null;
  encoding: Encoding;
  eventIds: string[];
  payload: Buffer;
  firstSeq: number;
  lastSeq: number;
  createdAt: string;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
}

export function getState(db: Db, key: string): string | null {
  const v = db.prepare('SELECT value FROM main.sync_state WHERE key = ?').pluck().get(key) as string | undefined;
  return v ?? null;
}

export function setState(db: Db, key: string, value: string): void {
  db.prepare('INSERT INTO main.sync_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
}

export const pushCursorKey = (c: Channel) => `push:${c}`;
export const pullCursorKey = (c: Channel) => `pull:${c}`;
/** The hash of the level's keyring last sent, and the cursor of the keyring entries read (sync/keyringShare.ts). */
export const keyringSentKey = (c: Channel) => `keyring-sent:${c}`;
export const keyringPullKey = (c: Channel) => `keyring-pull:${c}`;

export function cursor(db: Db, key: string): number {
  return Number(getState(db, key) ?? 0);
}

export function enqueue(db: Db, r: Omit<OutboxRow, 'id' | 'attempts' | 'nextAttemptAt' | 'lastError'>): void {
  db.prepare(`INSERT INTO main.sync_outbox (batch_id, channel, key_id, encoding, event_ids, payload, first_seq, last_seq, created_at)
    VALUES (?,?,?,?,?,?,?,?,?)`).run(r.batchId, r.channel, r.keyId, r.encoding, JSON.stringify(r.eventIds), r.payload, r.firstSeq, r.lastSeq, r.createdAt);
}

type Raw = { id: number; batch_id: string; channel: Channel; key_id: string | null; encoding: Encoding; event_ids: string; payload: Buffer; first_seq: number; last_seq: number; created_at: string; attempts: number; next_attempt_at: string | null; last_error: string | null };

const fromRaw = (r: Raw): OutboxRow => ({
  id: r.id, batchId: r.batch_id, channel: r.channel, keyId: r.key_id, encoding: r.encoding, eventIds: JSON.parse(r.event_ids) as string[], payload: r.payload,
  firstSeq: r.first_seq, lastSeq: r.last_seq, createdAt: r.created_at, attempts: r.attempts, nextAttemptAt: r.next_attempt_at, lastError: r.last_error,
});

/** The oldest batch waiting (batches leave in the order they were made). */
export function headOfOutbox(db: Db): OutboxRow | null {
  const r = db.prepare('SELECT * FROM main.sync_outbox ORDER BY id LIMIT 1').get() as Raw | undefined;
  return r ? fromRaw(r) : null;
}

export function removeFromOutbox(db: Db, batchId: string): void {
  db.prepare('DELETE FROM main.sync_outbox WHERE batch_id = ?').run(batchId);
}

export function recordFailure(db: Db, batchId: string, error: string, nextAttemptAt: string): void {
  db.prepare('UPDATE main.sync_outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE batch_id = ?').run(error.slice(0, 500), nextAttemptAt, batchId);
}

export function outboxStats(db: Db): { batches: number; events: number; bytes: number; oldest: string | null; lastError: string | null } {
  const r = db.prepare(`SELECT count(*) AS n, coalesce(sum(json_array_length(event_ids)), 0) AS e, coalesce(sum(length(payload)), 0) AS b, min(created_at) AS o,
    (SELECT last_error FROM main.sync_outbox WHERE last_error IS NOT NULL ORDER BY id LIMIT 1) AS err FROM main.sync_outbox`).get() as { n: number; e: number; b: number; o: string | null; err: string | null };
  return { batches: r.n, events: r.e, bytes: r.b, oldest: r.o, lastError: r.err };
}

/** Bytes of a download already saved, in order (parts of another version of the batch are dropped). */
export function savedParts(db: Db, seq: number, sha256: string): Buffer[] {
  db.prepare('DELETE FROM main.sync_download_parts WHERE seq = ? AND sha256 <> ?').run(seq, sha256);
  return (db.prepare('SELECT bytes FROM main.sync_download_parts WHERE seq = ? ORDER BY offset').pluck().all(seq) as Buffer[]);
}

export function savePart(db: Db, seq: number, sha256: string, offset: number, bytes: Buffer): void {
  db.prepare('INSERT OR REPLACE INTO main.sync_download_parts (seq, sha256, offset, bytes) VALUES (?,?,?,?)').run(seq, sha256, offset, bytes);
}

export function dropParts(db: Db, seq: number): void {
  db.prepare('DELETE FROM main.sync_download_parts WHERE seq = ?').run(seq);
}
