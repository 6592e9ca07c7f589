// A small pool of the importer's worker threads (fileWorker.ts): jobs go to the least busy worker,
// each answered by a promise. The pool is the job's own: started with it, ended with it.
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../workerThreads';
import { DeskError } from '../../../common/errors';
import type { FileJob, WorkerReply } from './fileWorker';
import { WORKER_LIMITS } from './workerLimits';

const startFileWorker = (): Worker => startWorker('import-worker.js', () => new URL('./fileWorker.ts', import.meta.url), { resourceLimits: WORKER_LIMITS });

interface Pending { resolve(v: unknown): void; reject(e: Error): void; partial?: ((p: unknown) => void) | undefined }
interface Slot { worker: Worker; busy: number; pending: Map<number, Pending> }

/**
 * Workers: one per core beyond the one the job's database worker keeps busy, at least one, at most
 * four. On two cores a second file worker only contends with the database worker and the window, and
 * costs about 100 MB at the peak (the bench, 8 000 records: 437 and 420 MB against 535 and 553).
 */
export const defaultWorkers = (): number => Math.min(4, Math.max(1, availableParallelism() - 1));

export class FilePool {
  private readonly slots: Slot[];
  private nextId = 1;
  private closed = false;

  constructor(size = defaultWorkers()) {
    this.slots = Array.from({ length: Math.max(1, size) }, () => {
      const slot: Slot = { worker: startFileWorker(), busy: 0, pending: new Map() };
      slot.worker.on('message', (m: WorkerReply) => {
        const p = slot.pending.get(m.id);
        if (!p) return;
        if ('partial' in m) { p.partial?.(m.partial); return; }
        slot.pending.delete(m.id);
        slot.busy--;
        if (m.ok) p.resolve(m.value);
        else if (m.error.desk) p.reject(DeskError.fromPayload(m.error.desk));
        else p.reject(Object.assign(new Error(m.error.message), { name: m.error.name, ...(m.error.code ? { code: m.error.code } : {}) }));
      });
      const fail = (err: Error) => {
        for (const p of slot.pending.values()) p.reject(err);
        slot.pending.clear();
      };
      slot.worker.on('error', fail);
      slot.worker.on('exit', (code) => { if (!this.closed) fail(new Error(`import worker exited with code ${code}`)); });
      return slot;
    });
  }

  get size(): number {
    return this.slots.length;
  }

  /** `on`: a given worker (one that holds a source opened on it); else the least busy. `partial`: what the job tells before its answer. */
  run<T>(job: FileJob, on?: number, partial?: (p: unknown) => void): Promise<T> {
    if (this.closed) return Promise.reject(new Error('import worker pool closed'));
    const slot = on !== undefined ? this.slots[on % this.slots.length]! : this.slots.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.nextId++;
    slot.busy++;
    return new Promise<T>((resolve, reject) => {
      slot.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, partial });
      slot.worker.postMessage({ id, job });
    });
  }

  /** Spreads `items` over every worker in `parts` slices and joins the answers in order. */
  async spread<I, O>(items: readonly I[], job: (slice: I[]) => FileJob): Promise<O[]> {
    if (items.length === 0) return [];
    const parts = Math.min(items.length, this.slots.length * 4);
    const per = Math.ceil(items.length / parts);
    const slices: I[][] = [];
    for (let i = 0; i < items.length; i += per) slices.push(items.slice(i, i + per));
    const answers = await Promise.all(slices.map((s) => this.run<O[] | number>(job(s))));
    return answers.flatMap((a) => (Array.isArray(a) ? a : []));
  }

  /**
   * As spread, but slice k on worker k mod size, each answer with the worker that gave it: what a
   * worker keeps for a later job (a resolved file's bytes) is asked of that worker.
   */
  async spreadPinned<I, O>(items: readonly I[], job: (slice: I[]) => FileJob): Promise<Array<{ value: O; worker: number }>> {
    if (items.length === 0) return [];
    const parts = Math.min(items.length, this.slots.length * 4);
    const per = Math.ceil(items.length / parts);
    const slices: I[][] = [];
    for (let i = 0; i < items.length; i += per) slices.push(items.slice(i, i + per));
    const answers = await Promise.all(slices.map((s, k) => this.run<O[]>(job(s), k % this.slots.length).then((a) => a.map((value) => ({ value, worker: k % this.slots.length })))));
    return answers.flat();
  }

  /** Ends the workers; a job still under way is refused (a cancelled read stops right there). */
  async close(): Promise<void> {
    this.closed = true;
    const gone = new Error('import worker pool closed');
    for (const s of this.slots) {
      for (const p of s.pending.values()) p.reject(gone);
      s.pending.clear();
    }
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
