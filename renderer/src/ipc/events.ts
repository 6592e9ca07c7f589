// Pushed events as the contract defines them (DeskEvent), rebuilt field by field from whatever
// arrived; anything else is dropped. The development host sends them as server-sent events on
// GET /events, read here with fetch() because EventSource cannot send the bearer token.
import { toDeskEvent, type DeskEvent } from '../../../common/contract';


/** Splits a server-sent-event stream into the JSON of its `data:` fields (comments are pings). */
export function sseFrames(buffer: string): { frames: string[]; rest: string } {
  const frames: string[] = [];
  let rest = buffer.replace(/\r\n/g, '\n');
  for (let i = rest.indexOf('\n\n'); i >= 0; i = rest.indexOf('\n\n')) {
    const data = rest
      .slice(0, i)
      .split('\n')
      .filter((l) => l.startsWith('data:'))
      .map((l) => l.slice(5).replace(/^ /, ''))
      .join('\n');
    if (data) frames.push(data);
    rest = rest.slice(i + 2);
  }
  return { frames, rest };
}

const RETRY_MS = [500, 1000, 2000, 5000, 10_000];

/**
 * One shared GET /events connection while anyone listens, reconnecting after a pause when it drops
 * (the host restarted, the machine slept). A 401 means the page's token is not this host's: stop.
 */
export function httpEventSource(token: string) {
  const listeners = new Set<(event: DeskEvent) => void>();
  let running = false;
  let abort: AbortController | null = null;

  async function run(): Promise<void> {
    running = true;
    let attempt = 0;
    while (listeners.size > 0) {
      abort = new AbortController();
      try {
        const res = await fetch('/events', { headers: { Authorization: `Bearer ${token}` }, cache: 'no-store', signal: abort.signal });
        if (res.status === 401 || res.status === 403) break;
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
        attempt = 0;
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          const split = sseFrames(buffer + value);
          buffer = split.rest;
          for (const frame of split.frames) {
            let parsed: unknown;
            try {
              parsed = JSON.parse(frame);
            } catch {
              continue;
            }
            const event = toDeskEvent(parsed);
            if (event) for (const l of [...listeners]) l(event);
          }
        }
      } catch {
        if (abort.signal.aborted) break;
      }
      if (listeners.size === 0) break;
      await new Promise((r) => setTimeout(r, RETRY_MS[Math.min(attempt++, RETRY_MS.length - 1)]));
    }
    running = false;
  }

  return (listener: (event: DeskEvent) => void): (() => void) => {
    listeners.add(listener);
    if (!running) void run();
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) abort?.abort();
    };
  };
}
