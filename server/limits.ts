// Request limits: a token bucket per session (and per address for the sign-in routes), and a body
// reader that stops at the configured size.
import type { IncomingMessage } from 'node:http';

export class TooLarge extends Error {
  override readonly name = 'TooLarge';
}

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(private readonly perSecond: number, private readonly burst: number, private readonly clock: () => number = Date.now) {}

  /** 0 when the request may go now, else the seconds to wait (Retry-After). */
  take(key: string): number {
    const now = this.clock();
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size > 50_000) this.buckets.clear();
      b = { tokens: this.burst, at: now };
      this.buckets.set(key, b);
    }
    // A clock set back never takes tokens away.
    b.tokens = Math.min(this.burst, b.tokens + (Math.max(0, now - b.at) / 1000) * this.perSecond);
    b.at = Math.max(b.at, now);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / this.perSecond));
  }
}

export async function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > max) throw new TooLarge(`body of ${declared} bytes exceeds ${max}`);
  const parts: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    total += (chunk as Buffer).length;
    if (total > max) throw new TooLarge(`body exceeds ${max} bytes`);
    parts.push(chunk as Buffer);
  }
  return Buffer.concat(parts);
}
