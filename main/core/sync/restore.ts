// An agency server restored to an older point (docs/server.md "Backup"). Its store lost the batches
// and keyring entries pushed after the backup, while the workstations had already emptied their
// outboxes and read past its new head. The operator marks the restore (`--mark-restored`); each
// workstation then, on its next pull:
//   - reads again from the restored heads (cursors past them go back; applying is idempotent by event
//     id, so what was already here is dropped);
//   - sends again its own events the store no longer holds (asked by id, `POST /v1/events/known`),
//     and its keyrings (the store keeps one copy of each);
// and the files the store lost are uploaded again by the blob round, which asks what the store lacks.
// A store that went back without a mark (its head below what this workstation read or was told it
// stored) stops this workstation's sync with a specific error until the operator marks it: reading on
// could skip what the others send again.
import { z } from 'zod';
import type { Db } from '../db/connection';
import { writeTx } from '../db/transaction';
import { CHANNELS, type Channel, type RestoreMark } from './protocol';
import { cursor, getState, keyringPullKey, keyringSentKey, pullCursorKey, pushCursorKey, setState } from './outbox';
import { outboundEvents, type WireEvent } from './wire';

/** The last restore mark this workstation adopted ('' or absent: none). */
export const INCARNATION_KEY = 'server-incarnation';
/** The highest batch seq the store told this workstation of (an acknowledged push or a pull's head). */
export const SEEN_KEY = 'server-seen';
/** The restore whose last numbers this workstation has still to tell the server (documents/sharedNumbering.ts). */
export const NUMBERS_AFTER_RESTORE_KEY = 'numbers-after-restore';
/** What the sync panel says of the last restore adopted: `{ markedAt, adoptedAt, resent }`. */
export const RESTORE_VIEW_KEY = 'server-restore';
/** A channel whose own events are being checked against the restored store: `{ from, until }` (event seqs). */
export const resendKey = (c: Channel) => `resend:${c}`;

export function adoptedIncarnation(db: Db): string | null {
  return getState(db, INCARNATION_KEY) || null;
}

/** Remembers that the store holds batches up to `seq` (run it in the transaction that learned it). */
export function noteSeen(db: Db, seq: number): void {
  if (seq > cursor(db, SEEN_KEY)) setState(db, SEEN_KEY, String(seq));
}

const head = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
/** The server's list of restore marks, checked before any cursor moves by it. */
export const restoreListSchema = z.object({
  restores: z.array(z.object({ id: z.string().min(8).max(64), markedAt: z.string().datetime(), batchesHead: head, keyringsHead: head })).max(10_000),
});

/** Where reading must start again: the lowest heads among the restores this workstation has not adopted. */
export function unadoptedRestores(db: Db, marks: readonly RestoreMark[]): RestoreMark[] {
  const known = adoptedIncarnation(db);
  const i = known ? marks.findIndex((m) => m.id === known) : -1;
  // A mark we adopted that the store no longer lists (restored again, from before it): all of them.
  return marks.slice(i + 1);
}

export interface AdoptedRestore {
  incarnation: string;
  batchesHead: number;
  keyringsHead: number;
  /** Channels whose own events are checked against the store and sent again where it lacks them. */
  resend: Channel[];
}

/**
 * Adopts the restores in one transaction: cursors past the heads go back to them, every keyring is
 * marked unsent, and each channel this workstation pushed on is queued for its re-send check.
 */
export function adoptRestores(db: Db, marks: readonly RestoreMark[], now: Date = new Date()): AdoptedRestore | null {
  const last = marks[marks.length - 1];
  if (!last) return null;
  const batchesHead = Math.min(...marks.map((m) => m.batchesHead));
  const keyringsHead = Math.min(...marks.map((m) => m.keyringsHead));
  return writeTx(db, () => {
    const resend: Channel[] = [];
    // A workstation that never read, sent nor numbered anything lost nothing: it only takes the mark as known.
    const untouched = cursor(db, SEEN_KEY) === 0
      && CHANNELS.every((c) => cursor(db, pullCursorKey(c)) === 0 && cursor(db, pushCursorKey(c)) === 0 && cursor(db, keyringPullKey(c)) === 0)
      && db.prepare('SELECT 1 FROM main.number_counters WHERE last > 0 LIMIT 1').get() === undefined;
    if (untouched) {
      setState(db, INCARNATION_KEY, last.id);
      return { incarnation: last.id, batchesHead, keyringsHead, resend };
    }
    for (const c of CHANNELS) {
      if (cursor(db, pullCursorKey(c)) > batchesHead) setState(db, pullCursorKey(c), String(batchesHead));
      if (cursor(db, keyringPullKey(c)) > keyringsHead) setState(db, keyringPullKey(c), String(keyringsHead));
      if (getState(db, keyringSentKey(c))) setState(db, keyringSentKey(c), '');
      const pushed = cursor(db, pushCursorKey(c));
      if (pushed > 0) {
        const prior = readResend(db, c);
        setState(db, resendKey(c), JSON.stringify({ from: 0, until: Math.max(pushed, prior?.until ?? 0) }));
        resend.push(c);
      }
    }
    // Parts of downloads under way name seqs the store may now give to other batches.
    db.prepare('DELETE FROM main.sync_download_parts WHERE seq > ?').run(batchesHead);
    if (cursor(db, SEEN_KEY) > batchesHead) setState(db, SEEN_KEY, String(batchesHead));
    setState(db, INCARNATION_KEY, last.id);
    setState(db, NUMBERS_AFTER_RESTORE_KEY, last.id);
    setState(db, RESTORE_VIEW_KEY, JSON.stringify({ markedAt: last.markedAt, adoptedAt: now.toISOString(), resent: 0 }));
    return { incarnation: last.id, batchesHead, keyringsHead, resend };
  });
}

function readResend(db: Db, c: Channel): { from: number; until: number } | null {
  const v = getState(db, resendKey(c));
  return v ? (JSON.parse(v) as { from: number; until: number }) : null;
}

export interface ResendHooks {
  db: Db;
  channel: Channel;
  /** The schema holding the channel's event log. */
  schema: string;
  /** Which of these event ids the store holds. */
  known(eventIds: string[]): Promise<string[]>;
  /** Puts events in the outbox as batches (inside the caller's transaction). */
  enqueue(events: Array<WireEvent & { seq: number }>): void;
  chunk?: number;
}

/**
 * Sends again, in order, this workstation's own events of the channel that the restored store lacks
 * and the outbox does not already hold; resumable (each chunk's progress is committed with its batches).
 * Returns the number of events queued again.
 */
export async function resendLostEvents(h: ResendHooks): Promise<number> {
  const { db, channel } = h;
  let queued = 0;
  for (;;) {
    const mark = readResend(db, channel);
    if (!mark) return queued;
    const events = outboundEvents(db, h.schema, mark.from, h.chunk ?? 500).filter((e) => e.seq <= mark.until);
    if (!events.length) {
      writeTx(db, () => db.prepare('DELETE FROM main.sync_state WHERE key = ?').run(resendKey(channel)));
      return queued;
    }
    const waiting = idsInOutbox(db, channel);
    const ask = events.map((e) => e.event.id).filter((id) => !waiting.has(id));
    const held = new Set(ask.length ? await h.known(ask) : []);
    const lost = events.filter((e) => !waiting.has(e.event.id) && !held.has(e.event.id)).map((e) => ({ ...e.event, seq: e.seq }));
    writeTx(db, () => {
      if (lost.length) {
        h.enqueue(lost);
        const view = getState(db, RESTORE_VIEW_KEY);
        if (view) setState(db, RESTORE_VIEW_KEY, JSON.stringify({ ...(JSON.parse(view) as object), resent: (JSON.parse(view) as { resent: number }).resent + lost.length }));
      }
      setState(db, resendKey(channel), JSON.stringify({ from: events[events.length - 1]!.seq, until: mark.until }));
    });
    queued += lost.length;
  }
}

/** The sync panel's line on the last restore adopted (null: none). */
export function restoreView(db: Db): { markedAt: string; adoptedAt: string; resent: number; resending: boolean; numbersPending: boolean } | null {
  const v = getState(db, RESTORE_VIEW_KEY);
  if (!v) return null;
  const { markedAt, adoptedAt, resent } = JSON.parse(v) as { markedAt: string; adoptedAt: string; resent: number };
  const resending = (db.prepare("SELECT count(*) FROM main.sync_state WHERE key LIKE 'resend:%'").pluck().get() as number) > 0;
  return { markedAt, adoptedAt, resent, resending, numbersPending: !!getState(db, NUMBERS_AFTER_RESTORE_KEY) };
}

function idsInOutbox(db: Db, channel: Channel): Set<string> {
  const rows = db.prepare('SELECT event_ids FROM main.sync_outbox WHERE channel = ?').pluck().all(channel) as string[];
  return new Set(rows.flatMap((r) => JSON.parse(r) as string[]));
}
