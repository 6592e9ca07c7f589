// The waiting loop beside the exchange rounds (docs/sync.md, "Waking on arrivals"): one long poll of the
// agency server's inbox at a time (PacketClient.waitForInbound); when it lists a packet after this
// workstation's cursor, a round starts at once instead of at the next tick of the timer. A failed wait or
// round pauses the loop with the rounds' backoff (never a busy loop against a server that is down or
// refuses); stop() cancels the outstanding request (AbortController) and ends the loop.
import { backoffDelay, type BackoffPolicy } from './backoff';
import type { PacketClient } from './packets/PacketClient';
import { TransportError } from './transport';
import type { Logger } from '../log';

export interface PacketWaiterOptions {
  packets: Pick<PacketClient, 'waitForInbound' | 'inboxCursor'>;
  /** One round of the exchange (its own guard keeps rounds one at a time); throws when it failed. */
  round: () => Promise<void>;
  /** Whether the session the loop began for is still the one signed in. */
  current: () => boolean;
  waitMs: number;
  backoff: BackoffPolicy;
  log: Logger;
  random?: () => number;
}

export interface PacketWaiter {
  stop(): void;
  /** Settles when the loop has ended (after stop, or when the session changed). */
  readonly done: Promise<void>;
}

export function waitForPackets(o: PacketWaiterOptions): PacketWaiter {
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
    let failures = 0;
    while (live()) {
      try {
        const before = o.packets.inboxCursor();
        const started = Date.now();
        const waiting = await o.packets.waitForInbound({ waitMs: o.waitMs, signal: abort.signal });
        if (!live()) return;
        if (waiting) {
          await o.round();
          // A round that took nothing of what was listed would be woken again at once: a failure, so backoff.
          if (o.packets.inboxCursor() <= before) throw new Error('the round did not take the packets waiting at the agency server');
        } else if (Date.now() - started < o.waitMs / 2) {
          // An agency server from before long polls answers at once: ask it no more often than a wait lasts.
          await pause(o.waitMs - (Date.now() - started));
        }
        failures = 0;
      } catch (e) {
        if (!live()) return;
        failures++;
        const delay = e instanceof TransportError && e.retryAfterMs ? e.retryAfterMs : backoffDelay(failures, o.backoff, o.random);
        o.log.log('warn', 'waiting for packets failed', { error: e instanceof Error ? e.message : String(e), failures, retryInMs: delay });
        await pause(delay);
      }
    }
  };
  const done = loop().catch((e: unknown) => o.log.log('error', 'the packet waiting loop ended', { error: e instanceof Error ? e.message : String(e) }));
  return {
    stop: () => abort.abort(),
    done,
  };
}
