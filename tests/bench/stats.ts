// Small timing and statistics helpers shared by the benchmark modules.
import { performance } from 'node:perf_hooks';

/** Milliseconds, rounded to 3 decimals (µs resolution) so the JSON stays readable. */
export const ms = (x: number): number => Math.round(x * 1000) / 1000;

/** Nearest-rank percentile of unsorted samples (p in 0..100). */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

export const median = (samples: readonly number[]): number => percentile(samples, 50);

export interface Summary { p50: number; p95: number; max: number; min: number; mean: number; n: number }

export function summarize(samples: readonly number[]): Summary {
  const mean = samples.reduce((a, b) => a + b, 0) / Math.max(1, samples.length);
  return {
    p50: ms(percentile(samples, 50)),
    p95: ms(percentile(samples, 95)),
    max: ms(Math.max(...samples)),
    min: ms(Math.min(...samples)),
    mean: ms(mean),
    n: samples.length,
  };
}

/** Runs fn once and returns its result with the elapsed milliseconds. */
export function timed<T>(fn: () => T): { value: T; ms: number } {
  const t0 = performance.now();
  const value = fn();
  return { value, ms: performance.now() - t0 };
}

/** Median of `runs` timed calls (after `warmup` untimed ones). */
export function medianOf(runs: number, fn: () => unknown, warmup = 0): number {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(timed(fn).ms);
  return median(times);
}

/** Progress goes to stderr; stdout carries only the final JSON object. */
export function progress(msg: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}
