// One slice of a job's work per turn of the event loop. A job runs several loops on the window's
// thread at once (the next batch's journal look-ups, this batch's checks, the rows handed to the
// database worker); each used to give the loop back on its own (setImmediate), and the loop then ran
// one slice of each in the same check phase: two 8 ms slices made a 16–18 ms task, the bench's
// event-loop p99 of 28 ms (with its 10 ms timer). Here they queue for one shared slice: a single
// setImmediate is pending at a time and wakes one waiter, so a turn runs at most one slice of the job.
import { performance } from 'node:perf_hooks';

export class Turns {
  private readonly waiting: Array<() => void> = [];
  private scheduled = false;
  private sliceStart = performance.now();

  constructor(private readonly sliceMs: number) {}

  /** True once the current slice has used its time. */
  get spent(): boolean {
    return performance.now() - this.sliceStart > this.sliceMs;
  }

  /** After a unit of work: returns at once while the slice lasts, else after the loop has turned (FIFO among the job's loops). */
  async pause(): Promise<void> {
    if (!this.spent) return;
    await this.next();
  }

  /** Gives the loop back unconditionally; resumes with a fresh slice of its own. */
  next(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.waiting.push(resolve);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.waiting.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.sliceStart = performance.now();
      // Its continuation runs in this callback's microtasks; whoever queues meanwhile waits a turn.
      this.waiting.shift()!();
      this.schedule();
    });
  }
}
