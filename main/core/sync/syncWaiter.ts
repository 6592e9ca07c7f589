// The sync log's waiting loop beside the sync rounds (docs/sync.md, "Waking on changes"): one long poll
// of the agency server's sync log at a time (ServerClient.waitForEvents, every channel this session
// carries with this workstation's pull cursors); when another workstation pushed a batch after them, a
// sync round starts at once instead of at the next tick of the timer. A failed wait or round pauses the
// loop with the rounds' backoff (longPollLoop.ts, shared with packetWaiter.ts). Two loops rather than
// one: two outstanding requests, each ended by its own news, are simpler than one loop taking turns
// (which would hold each kind of news up to a whole wait of the other).
import type { BackoffPolicy } from './backoff';
import { runLongPollLoop } from './longPollLoop';
import type { Channel } from './protocol';
import type { ServerClient } from './ServerClient';
import { TransportError } from './transport';
import type { Logger } from '../log';

export interface SyncWaiterOptions {
  client: Pick<ServerClient, 'waitForEvents' | 'pullCursors'>;
  /** One sync round that begins after the news (SyncService.freshRound: one round at a time); throws when it failed. */
  round: () => Promise<unknown>;
  /** Settles when the round under way at the start (the timer's first) is over: the loop waits from its cursors. */
  first?: () => Promise<unknown>;
  /** Whether the session the loop began for is still the one signed in. */
  current: () => boolean;
  waitMs: number;
  backoff: BackoffPolicy;
  log: Logger;
  random?: () => number;
}

export interface SyncWaiter {
  stop(): void;
  /** Settles when the loop has ended (after stop, when the session changed, or a server without the route). */
  readonly done: Promise<void>;
}

export function waitForSyncLog(o: SyncWaiterOptions): SyncWaiter {
  return runLongPollLoop({
    ...o,
    what: 'sync log changes',
    turn: async (signal, live) => {
      const before = o.client.pullCursors();
      let news: Channel[];
      try {
        news = await o.client.waitForEvents({ waitMs: o.waitMs, signal });
      } catch (e) {
        if (!(e instanceof TransportError && e.status === 404)) throw e;
        // An agency server from before this route: the timer alone carries the sync, as it did.
        o.log.log('info', 'the agency server has no sync log long poll: the sync rounds run on their timer');
        return 'end';
      }
      if (!live()) return 'end';
      if (!news.length) return 'idle';
      await o.round();
      // A round that took none of the news would be woken again at once: a failure, so backoff.
      const after = o.client.pullCursors();
      const stuck = news.filter((c) => before.has(c) && (after.get(c) ?? 0) <= before.get(c)!);
      if (stuck.length) throw new Error(`the sync round did not take what waits at the agency server (${stuck.join(', ')})`);
      return 'news';
    },
  });
}
