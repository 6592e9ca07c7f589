// The waiting loop beside the exchange rounds (docs/sync.md, "Waking on arrivals"): one long poll of the
// agency server's inbox at a time (PacketClient.waitForInbound); when it lists a packet after this
// workstation's cursor, a round starts at once instead of at the next tick of the timer. A failed wait or
// round pauses the loop with the rounds' backoff (longPollLoop.ts, shared with the sync log's wait).
import type { BackoffPolicy } from './backoff';
import { runLongPollLoop } from './longPollLoop';
import type { PacketClient } from './packets/PacketClient';
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
  return runLongPollLoop({
    ...o,
    what: 'packets',
    turn: async (signal, live) => {
      const before = o.packets.inboxCursor();
      const waiting = await o.packets.waitForInbound({ waitMs: o.waitMs, signal });
      if (!live()) return 'end';
      if (!waiting) return 'idle';
      await o.round();
      // A round that took nothing of what was listed would be woken again at once: a failure, so backoff.
      if (o.packets.inboxCursor() <= before) throw new Error('the round did not take the packets waiting at the agency server');
      return 'news';
    },
  });
}
