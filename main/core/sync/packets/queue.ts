// The workstation's packet outbox and inbox in its base database (base migration 24). Each change is
// one statement or one transaction, so a process killed between two steps leaves the old state or the
// new one: a packet queued is sent until the server has it, a packet fetched is stored with the cursor.
import { createHash } from 'node:crypto';
import type { Statement } from 'better-sqlite3-multiple-ciphers';
import type { Db } from '../../db/connection';
import { BlobIntegrityError } from '../../attachments/blobCipher';
import { PacketBodyMissingError, type PacketBodies } from './bodies';

export const PULL_CURSOR = 'packets:pull';

export interface QueuedPacket {
  id: number;
  packetId: string;
  sha256: string;
  bytes: Buffer;
  attempts: number;
  nextAttemptAt: string | null;
  /** Why its body could not be read (missing or altered file): the packet cannot be sent. */
  unreadable?: string;
}

export interface InboundPacket {
  packetId: string;
  /** The sending agency's identifier code (from the packet's addresses, as the servers read them). */
  from: string;
  bytes: Buffer;
  /** When the hub took it. */
  receivedAt: string;
}

export class PacketQueueError extends Error {
  override readonly name = 'PacketQueueError';
  constructor(readonly code: 'changed-body' | 'bad-packet-id', message: string) {
    super(message);
  }
}

export const sha256Hex = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/**
 * The queue's statements, prepared once per connection: every packet sent or fetched ran several of
 * them, and preparing each anew on the encrypted database showed in the exchange bench's profiles
 * (about 0.5 ms a packet at each workstation). `pluck` is fixed per SQL text (each is used one way).
 */
const prepared = new WeakMap<Db, Map<string, Statement>>();
function stmt(db: Db, sql: string, pluck = false): Statement {
  let m = prepared.get(db);
  if (!m) prepared.set(db, (m = new Map()));
  let s = m.get(sql);
  if (!s) m.set(sql, (s = pluck ? db.prepare(sql).pluck() : db.prepare(sql)));
  return s;
}

/**
 * Queues a packet once: the same id with the same bytes is a no-op, with other bytes refused. `bodies`: the
 * body goes to a sealed file (synced before the row commits) and the row keeps its digest, `bytes` NULL.
 */
export function queuePacket(db: Db, packetId: string, bytes: Buffer, now: string, bodies?: PacketBodies | null): { result: 'queued' | 'duplicate'; sha256: string } {
  if (!/^[0-9A-Za-z-]{8,64}$/.test(packetId)) throw new PacketQueueError('bad-packet-id', `packet id "${packetId}": 8 to 64 letters, digits or dashes`);
  const sha256 = sha256Hex(bytes);
  const prior = stmt(db, 'SELECT sha256 FROM main.packet_outbox WHERE packet_id = ?', true).get(packetId) as string | undefined;
  if (prior !== undefined) {
    if (prior !== sha256) throw new PacketQueueError('changed-body', `packet ${packetId} was queued before with other bytes`);
    return { result: 'duplicate', sha256 };
  }
  bodies?.put(sha256, bytes);
  stmt(db, 'INSERT INTO main.packet_outbox (packet_id, sha256, size, bytes, created_at) VALUES (?,?,?,?,?)').run(packetId, sha256, bytes.length, bodies ? null : bytes, now);
  return { result: 'queued', sha256 };
}

/**
 * The oldest packet waiting (packets leave in the order they were queued). `held`: the bytes of a packet
 * this process queued and still holds (same id and digest), so they need not be read back; otherwise they
 * are read from the row or, when the row keeps none, from its sealed body file.
 */
export function headOfQueue(db: Db, held?: (packetId: string, sha256: string) => Buffer | undefined, bodies?: PacketBodies | null): QueuedPacket | null {
  const r = stmt(db, "SELECT id, packet_id, sha256, attempts, next_attempt_at FROM main.packet_outbox WHERE state = 'queued' ORDER BY id LIMIT 1").get() as
    { id: number; packet_id: string; sha256: string; attempts: number; next_attempt_at: string | null } | undefined;
  if (!r) return null;
  const head = { id: r.id, packetId: r.packet_id, sha256: r.sha256, attempts: r.attempts, nextAttemptAt: r.next_attempt_at };
  const bytes = held?.(r.packet_id, r.sha256) ?? (stmt(db, 'SELECT bytes FROM main.packet_outbox WHERE id = ?', true).get(r.id) as Buffer | null);
  if (bytes) return { ...head, bytes };
  try {
    if (!bodies) throw new Error('its body is in a sealed file and this connection has no key to open it');
    return { ...head, bytes: bodies.get(r.sha256) };
  } catch (e) {
    // Never a blocked queue: the caller refuses this packet (the văn thư sees its dispatch failed) and goes on.
    if (e instanceof PacketBodyMissingError || e instanceof BlobIntegrityError || !bodies) return { ...head, bytes: Buffer.alloc(0), unreadable: (e as Error).message };
    throw e;
  }
}

/**
 * `note`: 'sent-elsewhere' when another workstation of the agency sent this packet id first. The body stays
 * (in the row or its sealed file) until the agency server has passed the packet on (markPassed).
 */
export function markSent(db: Db, packetId: string, now: string, note: string | null = null): void {
  stmt(db, "UPDATE main.packet_outbox SET state = 'sent', done_at = ?, last_error = NULL, next_attempt_at = NULL, error_code = ?, passed_at = NULL WHERE packet_id = ?").run(now, note, packetId);
}

/** Sent packets the agency server has not yet been seen to pass on, oldest first (their bodies are kept). */
export function unpassedSent(db: Db, limit: number, afterId = 0): Array<{ id: number; packetId: string; sha256: string }> {
  return (stmt(db, "SELECT id, packet_id, sha256 FROM main.packet_outbox WHERE state = 'sent' AND passed_at IS NULL AND id > ? ORDER BY id LIMIT ?").all(afterId, limit) as
    Array<{ id: number; packet_id: string; sha256: string }>).map((r) => ({ id: r.id, packetId: r.packet_id, sha256: r.sha256 }));
}

/** The agency server passed it on (or refused it): its body is no longer needed here. */
export function markPassed(db: Db, packetId: string, now: string): boolean {
  return stmt(db, "UPDATE main.packet_outbox SET passed_at = ?, bytes = NULL WHERE packet_id = ? AND state = 'sent' AND passed_at IS NULL").run(now, packetId).changes > 0;
}

/**
 * The agency server no longer holds a packet it acknowledged (restored from a backup taken before): queued
 * again, as a packet never sent (the same id and bytes; the server and the hub take it once).
 */
export function requeueLost(db: Db, packetId: string): boolean {
  return stmt(db, `UPDATE main.packet_outbox SET state = 'queued', attempts = 0, next_attempt_at = NULL, done_at = NULL, error_code = NULL,
      last_error = 'the agency server no longer held it (restored from a backup): sent again' WHERE packet_id = ? AND state = 'sent' AND passed_at IS NULL`).run(packetId).changes > 0;
}

export function markRefused(db: Db, packetId: string, code: string, error: string, now: string): void {
  stmt(db, "UPDATE main.packet_outbox SET state = 'refused', error_code = ?, last_error = ?, done_at = ?, next_attempt_at = NULL WHERE packet_id = ?").run(code, error.slice(0, 500), now, packetId);
}

/**
 * The agency server says a packet it took was refused further on (the hub): marked refused with the
 * refusal's code, once (a packet already refused here keeps its first refusal). False when this
 * workstation never queued it (another workstation's packet: its own workstation notes it).
 */
export function markRefusedLater(db: Db, packetId: string, code: string, error: string, at: string): boolean {
  return stmt(db, "UPDATE main.packet_outbox SET state = 'refused', error_code = ?, last_error = ?, done_at = ?, next_attempt_at = NULL, bytes = NULL, passed_at = coalesce(passed_at, ?) WHERE packet_id = ? AND state = 'sent'")
    .run(code, error.slice(0, 500), at, at, packetId).changes > 0;
}

/** Refusals the exchange has not yet noted on its records (withdrawn packets are the exchange's own doing). */
export function unnotedRefusals(db: Db, limit = 100): Array<{ packetId: string; code: string | null; error: string | null; at: string | null }> {
  return (stmt(db, "SELECT packet_id, error_code, last_error, done_at FROM main.packet_outbox WHERE state = 'refused' AND refusal_noted_at IS NULL AND error_code IS NOT 'withdrawn' ORDER BY id LIMIT ?").all(limit) as
    Array<{ packet_id: string; error_code: string | null; last_error: string | null; done_at: string | null }>).map((r) => ({ packetId: r.packet_id, code: r.error_code, error: r.last_error, at: r.done_at }));
}

/** The exchange noted this refusal (inside its transaction). */
export function markRefusalNoted(db: Db, packetId: string, now: string): void {
  stmt(db, "UPDATE main.packet_outbox SET refusal_noted_at = ? WHERE packet_id = ? AND state = 'refused'").run(now, packetId);
}

export function recordSendFailure(db: Db, packetId: string, error: string, nextAttemptAt: string): void {
  stmt(db, 'UPDATE main.packet_outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE packet_id = ?').run(error.slice(0, 500), nextAttemptAt, packetId);
}

export interface SentState {
  packetId: string;
  state: 'queued' | 'sent' | 'refused';
  attempts: number;
  errorCode: string | null;
  error: string | null;
  doneAt: string | null;
}

export function sentState(db: Db, packetId: string): SentState | null {
  const r = stmt(db, 'SELECT packet_id, state, attempts, error_code, last_error, done_at FROM main.packet_outbox WHERE packet_id = ?').get(packetId) as
    { packet_id: string; state: SentState['state']; attempts: number; error_code: string | null; last_error: string | null; done_at: string | null } | undefined;
  return r ? { packetId: r.packet_id, state: r.state, attempts: r.attempts, errorCode: r.error_code, error: r.last_error, doneAt: r.done_at } : null;
}

/**
 * Stores a fetched packet (inside the caller's transaction, which moves the cursor); false when already
 * here (by seq, or by sender and id). `taken`: the caller hands it over in this same transaction, so the
 * row is written taken and without its bytes (what markTaken would leave), never holding the body.
 */
export function storeInbound(db: Db, seq: number, p: InboundPacket & { sha256: string }, now: string, taken = false): boolean {
  const r = stmt(db, 'INSERT OR IGNORE INTO main.packet_inbox (seq, packet_id, from_code, sha256, size, bytes, received_at, fetched_at, taken_at) VALUES (?,?,?,?,?,?,?,?,?)')
    .run(seq, p.packetId, p.from, p.sha256, p.bytes.length, taken ? null : p.bytes, p.receivedAt, now, taken ? now : null);
  return r.changes > 0;
}

/** Packets received and not yet handed to the exchange, oldest first. */
export function pendingInbound(db: Db, limit = 100): InboundPacket[] {
  const rows = stmt(db, 'SELECT packet_id, from_code, bytes, received_at FROM main.packet_inbox WHERE taken_at IS NULL ORDER BY seq LIMIT ?').all(limit) as
    Array<{ packet_id: string; from_code: string; bytes: Buffer; received_at: string }>;
  return rows.map((r) => ({ packetId: r.packet_id, from: r.from_code, bytes: r.bytes, receivedAt: r.received_at }));
}

/** Marks a packet (by its sender and id) handed over (its bytes dropped: the exchange keeps what it needs). False when it was taken before. */
export function markTaken(db: Db, from: string, packetId: string, now: string): boolean {
  return stmt(db, 'UPDATE main.packet_inbox SET taken_at = ?, bytes = NULL WHERE from_code = ? AND packet_id = ? AND taken_at IS NULL').run(now, from, packetId).changes > 0;
}

export function savedPacketParts(db: Db, seq: number, sha256: string): Buffer[] {
  stmt(db, 'DELETE FROM main.packet_download_parts WHERE seq = ? AND sha256 <> ?').run(seq, sha256);
  return stmt(db, 'SELECT bytes FROM main.packet_download_parts WHERE seq = ? ORDER BY offset', true).all(seq) as Buffer[];
}

export function savePacketPart(db: Db, seq: number, sha256: string, offset: number, bytes: Buffer): void {
  stmt(db, 'INSERT OR REPLACE INTO main.packet_download_parts (seq, sha256, offset, bytes) VALUES (?,?,?,?)').run(seq, sha256, offset, bytes);
}

export function dropPacketParts(db: Db, seq: number): void {
  stmt(db, 'DELETE FROM main.packet_download_parts WHERE seq = ?').run(seq);
}

export interface PacketQueueStats {
  outbox: { queued: number; queuedBytes: number; oldest: string | null; sent: number; refused: number; lastError: string | null };
  inbox: { pending: number; received: number };
  /** The latest refusals (what the văn thư must see). */
  refusals: Array<{ packetId: string; code: string | null; error: string | null; at: string | null }>;
}

export function queueStats(db: Db): PacketQueueStats {
  const o = stmt(db, `SELECT
      coalesce(sum(state = 'queued'), 0) AS q, coalesce(sum(CASE WHEN state = 'queued' THEN size ELSE 0 END), 0) AS qb,
      min(CASE WHEN state = 'queued' THEN created_at END) AS oldest,
      coalesce(sum(state = 'sent'), 0) AS s, coalesce(sum(state = 'refused'), 0) AS r,
      (SELECT last_error FROM main.packet_outbox WHERE state = 'queued' AND last_error IS NOT NULL ORDER BY id LIMIT 1) AS err
    FROM main.packet_outbox`).get() as { q: number; qb: number; oldest: string | null; s: number; r: number; err: string | null };
  const i = stmt(db, 'SELECT coalesce(sum(taken_at IS NULL), 0) AS p, count(*) AS n FROM main.packet_inbox').get() as { p: number; n: number };
  const refusals = (stmt(db, "SELECT packet_id, error_code, last_error, done_at FROM main.packet_outbox WHERE state = 'refused' ORDER BY id DESC LIMIT 20").all() as
    Array<{ packet_id: string; error_code: string | null; last_error: string | null; done_at: string | null }>).map((r) => ({ packetId: r.packet_id, code: r.error_code, error: r.last_error, at: r.done_at }));
  return { outbox: { queued: o.q, queuedBytes: o.qb, oldest: o.oldest, sent: o.s, refused: o.r, lastError: o.err }, inbox: { pending: i.p, received: i.n }, refusals };
}
