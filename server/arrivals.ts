// Long polls of an inbox (docs/server.md, "Waiting for packets"): a listing that found nothing may wait,
// up to the client's `waitMs`, for a packet to arrive for its reader instead of answering at once, so an
// idle reader costs one request per wait and not one per poll interval, and hears of a packet as soon as
// it is stored. Arrivals are counted per reader (an agency at the hub): the count is read before the
// listing, so a packet stored between the listing and the wait ends the wait at once (never missed). The
// count is this process's: a packet stored by another process only shows at the end of the wait.
// The sync log's wait (GET /v1/events/wait) counts the same way, one reader per channel ("events:<channel>"),
// and waits on all the channels the session reads at once (waitAny).
import type { ServerResponse } from 'node:http';
import { HttpError } from './http';

/** The longest wait a client may ask (below the servers' request and keep-alive timeouts). */
export const MAX_WAIT_MS = 25_000;

/** `waitMs` of a listing's query: 0 when absent; digits only, at most MAX_WAIT_MS. */
export function waitOf(url: URL): number {
  const v = url.searchParams.get('waitMs');
  if (v === null) return 0;
  if (!/^\d{1,9}$/.test(v)) throw new HttpError(400, 'bad-request', 'waitMs: a number of milliseconds');
  return Math.min(Number(v), MAX_WAIT_MS);
}

/**
 * Long polls one client (a session, an agency at the hub) may hold at once. The app holds two (its
 * inbox and its sync log); a reconnection may briefly overlap them. Without a cap, a script with a valid
 * session could hold the request rate times the wait (50/s × 25 s) open sockets.
 */
export const MAX_HELD_WAITS = 4;

export class Arrivals {
  private readonly counts = new Map<string, number>();
  private readonly waiting = new Map<string, Set<() => void>>();
  private readonly held = new Map<string, number>();
  private closed = false;

  /**
   * Runs a long poll for `holder` (a session token, an agency code), refused with 429 (retry after a
   * second) when it already holds MAX_HELD_WAITS: nothing is read or waited for then.
   */
  async holding<T>(holder: string, poll: () => Promise<T>): Promise<T> {
    const n = this.held.get(holder) ?? 0;
    if (n >= MAX_HELD_WAITS) throw new HttpError(429, 'rate-limited', `at most ${MAX_HELD_WAITS} long polls at once`, { 'retry-after': '1' });
    this.held.set(holder, n + 1);
    try {
      return await poll();
    } finally {
      const left = (this.held.get(holder) ?? 1) - 1;
      if (left > 0) this.held.set(holder, left);
      else this.held.delete(holder);
    }
  }

  /** Packets stored for this reader so far (read before listing). */
  count(reader: string): number {
    return this.counts.get(reader) ?? 0;
  }

  /** A packet was stored for this reader: its waits end. */
  arrived(reader: string): void {
    this.counts.set(reader, this.count(reader) + 1);
    const w = this.waiting.get(reader);
    this.waiting.delete(reader);
    for (const done of w ?? []) done();
  }

  /**
   * Resolves when a packet arrived for the reader since `seen` was counted, after `ms`, when the
   * response is closed (the client went away) or the server closes: at once when one arrived already.
   */
  async wait(reader: string, seen: number, ms: number, res: ServerResponse): Promise<void> {
    await this.waitAny([reader], [seen], ms, res);
  }

  /**
   * The same over several readers (the sync log's channels, one wait for all): ends when any of them
   * had an arrival since its count in `seen` was read. True when an arrival ended it (the caller looks
   * again), false when the time ran out, the response closed or the server closes.
   */
  waitAny(readers: readonly string[], seen: readonly number[], ms: number, res: ServerResponse): Promise<boolean> {
    if (readers.some((r, i) => this.count(r) !== seen[i])) return Promise.resolve(true);
    if (ms <= 0 || this.closed || res.destroyed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const sets = readers.map((r) => {
        const set = this.waiting.get(r) ?? new Set<() => void>();
        this.waiting.set(r, set);
        return set;
      });
      const end = (arrived: boolean) => {
        clearTimeout(timer);
        readers.forEach((r, i) => {
          const set = sets[i]!;
          set.delete(woken);
          if (!set.size && this.waiting.get(r) === set) this.waiting.delete(r);
        });
        res.off('close', gone);
        resolve(arrived);
      };
      // arrived() and close() call the entries they took out of the map: true only while the server runs.
      const woken = () => end(!this.closed);
      const gone = () => end(false);
      const timer = setTimeout(gone, ms);
      for (const set of sets) set.add(woken);
      res.once('close', gone);
    });
  }

  /** The server is closing: every wait ends now, and none starts. */
  close(): void {
    this.closed = true;
    for (const [reader, w] of [...this.waiting]) {
      this.waiting.delete(reader);
      for (const done of w) done();
    }
  }
}
