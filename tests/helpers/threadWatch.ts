// What a call does to this (the window's) thread, in terms a loaded machine cannot make flaky: the
// worker threads started while it ran and the ticks of a 5 ms timer this thread served meanwhile. The
// timings (the longest gap between ticks, the event loop's delay) are figures for the log and the
// bench (`npm run bench`), never assertions: on a 2-core CI machine under load any bound on them fails
// now and then, and one flaky failure throws a whole run away.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface ThreadWatch<T> {
  result: T;
  /** Worker threads started while `f` ran. */
  workers: number;
  /** Ticks of the 5 ms timer while `f` ran: none means this thread was held the whole time. */
  ticks: number;
  /** Figures: the longest gap between ticks (and from the start, to the end), delay p99 and max, the whole, in ms. */
  gap: number;
  p99: number;
  max: number;
  ms: number;
}

export async function watchThread<T>(f: () => Promise<T>): Promise<ThreadWatch<T>> {
  let workers = 0;
  const onWorker = () => void workers++;
  subscribe('worker_threads', onWorker);
  const h = monitorEventLoopDelay({ resolution: 1 });
  const ticks: number[] = [performance.now()];
  const timer = setInterval(() => ticks.push(performance.now()), 5);
  h.enable();
  try {
    const result = await f();
    ticks.push(performance.now());
    return {
      result, workers, ticks: ticks.length - 2, gap: Math.max(...ticks.slice(1).map((t, i) => t - ticks[i]!)),
      p99: h.percentile(99) / 1e6, max: h.max / 1e6, ms: ticks.at(-1)! - ticks[0]!,
    };
  } finally {
    h.disable();
    clearInterval(timer);
    unsubscribe('worker_threads', onWorker);
  }
}

/** The deterministic part: the work went to a worker thread and this one kept serving its timer meanwhile. */
export function describeWatch(w: ThreadWatch<unknown>): string {
  return `${Math.round(w.ms)} ms, ${w.workers} worker(s) started, ${w.ticks} ticks of a 5 ms timer, longest gap ${Math.round(w.gap)} ms, event loop p99 ${w.p99.toFixed(1)} ms, max ${w.max.toFixed(1)} ms`;
}
