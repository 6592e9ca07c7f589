// The loop shared by the long polls beside the rounds (docs/sync.md, "Waking on arrivals" and "Waking on
// changes"): one outstanding wait at a time; news runs a round at once; a wait answered early with nothing
// (a server from before long polls, or one closing) is asked again no sooner than a wait lasts; a failed
// wait or round pauses with the rounds' backoff (never a busy loop against a server that is down or
// refuses); stop() cancels the outstanding request (AbortController) and ends the loop.
import { backoffDelay, type BackoffPolicy } from './backoff';
import { TransportError } from './transport';
import type { Logger } from '../log';

/** What one turn did: acted on news, found none, or found that the loop must end. */
export type LongPollTurn = 'news' | 'idle' | 'end';

export interface LongPollLoopOptions {
  /**
   * One wait and, on news, the round it calls for (throws when either failed). `live()` is false once the
   * loop was stopped or the session changed: a turn checks it after its wait, before acting.
   */
  turn: (signal: AbortSignal, live: () => boolean) => Promise<LongPollTurn>;
  /** Settles when the round under way at the start is over: the first wait begins after it. */
  first?: () => Promise<unknown>;
  /** Whether the session the loop began for is still the one signed in. */
  current: () => boolean;
  waitMs: number;
  backoff: BackoffPolicy;
  log: Logger;
  /** What is awaited, for the logs ("packets", "sync log changes"). */
  what: string;
  random?: () => number;
}

export interface LongPollLoop {
  stop(): void;
  /** Settles when the loop has ended (after stop, when the session changed, or a turn said 'end'). */
  readonly done: Promise<void>;
}

export function runLongPollLoop(o: LongPollLoopOptions): LongPollLoop {
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
        const started = Date.now();
        const turn = await o.turn(abort.signal, live);
        if (turn === 'end' || !live()) return;
        if (turn === 'idle' && Date.now() - started < o.waitMs / 2) await pause(o.waitMs - (Date.now() - started));
        failures = 0;
      } catch (e) {
        if (!live()) return;
        failures++;
        const delay = e instanceof TransportError && e.retryAfterMs ? e.retryAfterMs : backoffDelay(failures, o.backoff, o.random);
        o.log.log('warn', `waiting for ${o.what} failed`, { error: e instanceof Error ? e.message : String(e), failures, retryInMs: delay });
        await pause(delay);
      }
    }
  };
  const done = loop().catch((e: unknown) => o.log.log('error', `the loop waiting for ${o.what} ended`, { error: e instanceof Error ? e.message : String(e) }));
  return { stop: () => abort.abort(), done };
}
