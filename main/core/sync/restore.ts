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
// stored, or another batch at its cursor than the one it read there) stops this workstation's sync
// with a specific error until the operator marks it: reading on could skip what the others send again.
// Where a cursor goes back to is checked, not taken from the mark alone: a service run on the restored
// store before it was marked gave the lost seqs to new batches, and the mark's head counts them. Each
// workstation keeps, per channel, which batch it found at its cursor after each page (checkpoints, the
// older ones thinned), and after adopting a mark moves each cursor to the highest checkpoint the store
// still agrees with (`POST /v1/events/at`): everything up to it is what it read, anything after is read
// again (applying is idempotent).
import { z } from 'zod';
import type { Db } from '../db/connection';
import { writeTx } from '../db/transaction';
import { CHANNELS, type Channel, type RestoreMark } from './protocol';
import { cursor, getState, keyringPullKey, keyringSentKey, pullCursorKey, pushCursorKey, setState } from './outbox';
import { outboundEvents, type WireEvent } from './wire';

/** The last restore mark this workstation adopted ('' or absent: none). */
export const INCARNATION_KEY = 'server-incarnation';
/** The restore this workstation last told its last numbers for (sharedNumbering.lastNumbersAfterRestore). */
export const NUMBERS_REPORTED_KEY = 'numbers-reported-restore';
/** The highest batch seq the store told this workstation of (an acknowledged push or a pull's head). */
export const SEEN_KEY = 'server-seen';
/** The restore whose last numbers this workstation has still to tell the server (documents/sharedNumbering.ts). */
export const NUMBERS_AFTER_RESTORE_KEY = 'numbers-after-restore';
/** What the sync panel says of the last restore adopted: `{ markedAt, adoptedAt, resent }`. */
export const RESTORE_VIEW_KEY = 'server-restore';
/** A channel whose own events are being checked against the restored store: `{ from, until }` (event seqs). */
export const resendKey = (c: Channel) => `resend:${c}`;
/** Which batch this workstation found at its pull cursor after each page: `[seq, fingerprint][]`, oldest first. */
export const checkpointsKey = (c: Channel) => `pull-at:${c}`;
/** Set by an adoption until the cursors are checked against the restored store. */
export const VERIFY_KEY = 'restore-verify';
/** Checkpoints kept per channel: the newest half as they came, the older ones thinned to every other. */
const CHECKPOINTS_MAX = 64;

export type Checkpoint = [seq: number, fingerprint: string | null];

export function checkpoints(db: Db, c: Channel): Checkpoint[] {
  const v = getState(db, checkpointsKey(c));
  return v ? (JSON.parse(v) as Checkpoint[]) : [];
}

/** Remembers the batch at the channel's new cursor (run it in the transaction that moves the cursor). */
export function noteCheckpoint(db: Db, c: Channel, seq: number, fingerprint: string | null): void {
  if (seq <= 0) return; // the start: nothing there to check
  let list = checkpoints(db, c).filter(([n]) => n < seq);
  list.push([seq, fingerprint]);
  if (list.length > CHECKPOINTS_MAX) {
    const older = list.slice(0, list.length - CHECKPOINTS_MAX / 2);
    list = [...older.filter((_, i) => i % 2 === 0), ...list.slice(older.length)];
  }
  setState(db, checkpointsKey(c), JSON.stringify(list));
}

/** The checkpoint at this cursor, if the workstation has one there (what the store must still hold). */
export function checkpointAt(db: Db, c: Channel, seq: number): Checkpoint | undefined {
  const last = checkpoints(db, c).at(-1);
  return last && last[0] === seq ? last : undefined;
}

/** After an adoption: the seqs to ask the store of (each channel's checkpoints up to its cursor), or null. */
export function cursorsToVerify(db: Db, channels: readonly Channel[]): Array<{ channel: Channel; asked: Checkpoint[] }> | null {
  if (!getState(db, VERIFY_KEY)) return null;
  return channels.map((c) => ({ channel: c, asked: checkpoints(db, c).filter(([n]) => n > 0 && n <= cursor(db, pullCursorKey(c))) }));
}

/**
 * Moves each cursor to the highest of its checkpoints the store agrees with (`at`: the store's answer,
 * in the order of the seqs asked); none agreeing (or all of them past the mark's head), to the start.
 * A channel with no checkpoints keeps the mark's head. Returns the cursors moved.
 */
export function settleVerification(db: Db, plan: ReadonlyArray<{ channel: Channel; asked: Checkpoint[] }>, at: ReadonlyArray<string | null>): Array<{ channel: Channel; from: number; to: number }> {
  return writeTx(db, () => {
    const moved: Array<{ channel: Channel; from: number; to: number }> = [];
    let i = 0;
    for (const { channel, asked } of plan) {
      const answers = at.slice(i, i + asked.length);
      i += asked.length;
      const from = cursor(db, pullCursorKey(channel));
      // No checkpoint at all (nothing read since the workstation was updated to keep them): the mark's head.
      if (!checkpoints(db, channel).length) continue;
      let to = 0;
      for (let k = asked.length - 1; k >= 0; k--) {
        if (answers[k] === asked[k]![1]) {
          to = asked[k]![0];
          break;
        }
      }
      setState(db, checkpointsKey(channel), JSON.stringify(checkpoints(db, channel).filter(([n]) => n <= to)));
      if (to < from) {
        setState(db, pullCursorKey(channel), String(to));
        moved.push({ channel, from, to });
      }
    }
    if (moved.length) db.prepare('DELETE FROM main.sync_download_parts WHERE seq > ?').run(Math.min(...moved.map((m) => m.to)));
    db.prepare('DELETE FROM main.sync_state WHERE key = ?').run(VERIFY_KEY);
    return moved;
  });
}

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
      // It tells the server at once that it gave no number (the registers it is home for wait for that).
      setState(db, NUMBERS_AFTER_RESTORE_KEY, last.id);
      return { incarnation: last.id, batchesHead, keyringsHead, resend };
    }
    for (const c of CHANNELS) {
      if (cursor(db, pullCursorKey(c)) > batchesHead) setState(db, pullCursorKey(c), String(batchesHead));
      // Keyrings are few (one entry a holder set and re-key) and weighing one again changes nothing: all of
      // them are read again, so that none a service took on the restored store before the mark is skipped.
      if (cursor(db, keyringPullKey(c)) > 0) setState(db, keyringPullKey(c), '0');
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
    setState(db, VERIFY_KEY, last.id);
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
