// Token presence by polling. PKCS#11's C_WaitForSlotEvent blocks a thread or is missing in many
// modules, so the client polls listSlots through its normal queue: the same timeout applies, and
// a module that hangs while being polled is caught like any other call.
import type { TokenError } from './errors';
import type { SlotInfo, TokenPresenceEvent } from './protocol';

export interface WatchSink {
  removed(ev: TokenPresenceEvent): void;
  inserted(ev: TokenPresenceEvent): void;
  failed(error: TokenError): void;
}

export class SlotWatch {
  users = 1;
  private known: Map<string, TokenPresenceEvent> | null = null; // null until the first answer
  // Tokens a caller knows are present (it just signed in on them), until an answer says whether they
  // still are: a token pulled before the first answer (or before the answer after a caller joined a
  // running watch) is otherwise missing from the baseline, and its removal never reported.
  private readonly expected = new Set<string>(); // serials
  private busy = false;
  private pausedUntil = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly module: string,
    intervalMs: number,
    private readonly backoffMs: number,
    private readonly listSlots: (module: string) => Promise<SlotInfo[]>,
    private readonly sink: WatchSink,
  ) {
    this.timer = setInterval(() => this.poll(), intervalMs);
    this.timer.unref(); // watching alone must not keep the app alive
    this.poll();
  }

  /** Reports `serial` removed if the next answer does not list it (a caller has just signed in on it). */
  expect(serial: string): void {
    this.expected.add(serial);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private poll(): void {
    if (this.busy || Date.now() < this.pausedUntil) return;
    this.busy = true;
    this.listSlots(this.module)
      .then((slots) => this.update(slots))
      .catch((error: TokenError) => {
        // The bridge died or hung: give the restarted process a moment before polling again.
        if (error.code.startsWith('BRIDGE_')) this.pausedUntil = Date.now() + this.backoffMs;
        this.sink.failed(error);
      })
      .finally(() => {
        this.busy = false;
      });
  }

  private update(slots: SlotInfo[]): void {
    const now = presentTokens(this.module, slots);
    for (const serial of this.expected) {
      const listed = [...now.values()].some((ev) => ev.serial === serial);
      const last = [...(this.known?.values() ?? [])].find((ev) => ev.serial === serial);
      // Absent and not known before: the diff below cannot see it go, so it is reported here.
      if (!listed && !last) this.sink.removed({ module: this.module, slotId: '', serial, label: '' });
    }
    this.expected.clear();
    if (this.known) {
      for (const [key, ev] of this.known) if (!now.has(key)) this.sink.removed(ev);
      for (const [key, ev] of now) if (!this.known.has(key)) this.sink.inserted(ev);
    }
    this.known = now;
  }
}

/** Keyed by slot and serial: a different token in the same slot is a removal plus an insertion. */
export function presentTokens(module: string, slots: SlotInfo[]): Map<string, TokenPresenceEvent> {
  const out = new Map<string, TokenPresenceEvent>();
  for (const s of slots) {
    if (!s.tokenPresent || !s.token) continue;
    out.set(`${s.slotId}|${s.token.serial}`, { module, slotId: s.slotId, serial: s.token.serial, label: s.token.label });
  }
  return out;
}
