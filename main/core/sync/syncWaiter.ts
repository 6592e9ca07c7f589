// The sync log's waiting loop beside the sync rounds (docs/sync.md, "Waking on changes"): one long poll
// of the agency server's sync log at a time (ServerClient.waitForEvents, every channel this session
// carries with this workstation's pull cursors); when another workstation pushed a batch after them, a
// sync round starts at once instead of at the next tick of the timer. A failed wait or round pauses the
// loop with the rounds' backoff (never a busy loop against a server that is down or refuses); stop()
// cancels the outstanding request (AbortController) and ends the loop. Kept beside packetWaiter.ts
// rather than merged with it: two outstanding requests, each ended by its own news, are simpler than
// one loop taking turns (which would hold each kind of news up to a whole wait of the other).
import { backoffDelay, type BackoffPolicy } from './backoff';
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
  const abort = new AbortController();
  const live = () => !abort.signal.aborted && o.current();
  // A pause that stop() cuts short.
  const pause = (ms: number) => new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(t);
      abort.signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    abort.signal.addEventListener('abort', done, { once: true });
  });
  const loop = async () => {
    await o.first?.().catch(() => null);
    let failures = 0;
    while (live()) {
      try {
        const before = o.client.pullCursors();
        const started = Date.now();
        const news = await o.client.waitForEvents({ waitMs: o.waitMs, signal: abort.signal });
        if (!live()) return;
        if (news.length) {
          await o.round();
          // A round that took none of the news would be woken again at once: a failure, so backoff.
          const after = o.client.pullCursors();
          const stuck = news.filter((c: Channel) => before.has(c) && (after.get(c) ?? 0) <= before.get(c)!);
          if (stuck.length) throw new Error(`the sync round did not take what waits at the agency server (${stuck.join(', ')})`);
        } else if (Date.now() - started < o.waitMs / 2) {
          // Answered early with nothing (a server closing): ask no more often than a wait lasts.
          await pause(o.waitMs - (Date.now() - started));
        }
        failures = 0;
      } catch (e) {
        if (!live()) return;
        if (e instanceof TransportError && e.status === 404) {
          // An agency server from before this route: the timer alone carries the sync, as it did.
          o.log.log('info', 'the agency server has no sync log long poll: the sync rounds run on their timer');
          return;
        }
        failures++;
        const delay = e instanceof TransportError && e.retryAfterMs ? e.retryAfterMs : backoffDelay(failures, o.backoff, o.random);
        o.log.log('warn', 'waiting for sync log changes failed', { error: e instanceof Error ? e.message : String(e), failures, retryInMs: delay });
        await pause(delay);
      }
    }
  };
  const done = loop().catch((e: unknown) => o.log.log('error', 'the sync log waiting loop ended', { error: e instanceof Error ? e.message : String(e) }));
  return {
    stop: () => abort.abort(),
    done,
  };
}
