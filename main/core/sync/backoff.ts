// Retry delays: exponential with full jitter (a random delay up to base·2^attempt, capped), so
// workstations that lost the server together do not all come back in the same millisecond.
export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, capMs: 5 * 60_000 };

/** Delay before retry number `attempt` (1 = the first retry). */
export function backoffDelay(attempt: number, p: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const ceiling = Math.min(p.capMs, p.baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 30));
  return Math.round(random() * ceiling);
}
