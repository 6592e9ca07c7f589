// The main thread's side of the import's database worker (writeWorker.ts): starts it with the session's
// handoff, sends it a batch at a time, hears its commits, and stops it: a cancel at its next
// transaction; a lock (the handoff's signal) too, after which it closes its connection at once.
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../workerThreads';
import { DeskError } from '../../../common/errors';
import type { DbHandoff } from '../db/sessionConnection';
import type { Actor } from '../org/rights';
import type { WriteReply, WriteRequest, WriteWorkerData } from './writeWorker';
import type { JournalEntry, RowToWrite } from './writeSlice';
import { WORKER_LIMITS } from './workerLimits';

const startWriteWorker = (data: WriteWorkerData): Worker =>
  startWorker('import-write-worker.js', () => new URL('./writeWorker.ts', import.meta.url), { workerData: data, resourceLimits: WORKER_LIMITS });

const toError = (e: Extract<WriteReply, { type: 'failed' }>['error']): Error =>
  e.desk ? DeskError.fromPayload(e.desk) : Object.assign(new Error(e.message), { name: e.name, ...(e.code ? { code: e.code } : {}) });

/** How a batch crosses to the worker: rows per message, and what is awaited between two messages. */
export interface RowSending { perMessage: number; pause: () => Promise<void> }

interface InFlight { id: number; onCommit: (journal: JournalEntry[]) => void; resolve: (r: { done: number; stopped: boolean }) => void; reject: (e: Error) => void }

export class ImportWriter {
  private readonly stop: Int32Array;
  private inFlight: InFlight | null = null;
  private nextId = 1;
  private exited = false;
  private failedWith: Error | null = null;
  readonly exit: Promise<void>;

  private constructor(private readonly worker: Worker, stop: SharedArrayBuffer, private readonly ended: AbortSignal) {
    this.stop = new Int32Array(stop);
    this.exit = new Promise((resolve) => worker.once('exit', () => { this.exited = true; resolve(); }));
    worker.on('message', (m: WriteReply) => {
      const f = this.inFlight;
      if (m.type === 'failed') {
        const err = toError(m.error);
        if (f && m.id === f.id) { this.inFlight = null; f.reject(err); } else this.failedWith = err;
      } else if (m.type === 'committed' && f && m.id === f.id) f.onCommit(m.journal);
      else if (m.type === 'written' && f && m.id === f.id) { this.inFlight = null; f.resolve({ done: m.done, stopped: m.stopped }); }
    });
    const fail = (err: Error) => {
      const f = this.inFlight;
      this.inFlight = null;
      f?.reject(err);
    };
    worker.on('error', (err) => { this.failedWith ??= err; fail(err); });
    // After a close (or a lock's) the worker ends by itself: only a write under way is failed.
    worker.on('exit', (code) => fail(new Error(`import database worker exited with code ${code}`)));
    // The session locked: the worker stops before its next transaction and closes its connection.
    const onEnd = () => {
      Atomics.store(this.stop, 0, 2);
      if (!this.inFlight) this.post({ op: 'close' });
    };
    if (ended.aborted) onEnd();
    else ended.addEventListener('abort', onEnd, { once: true });
  }

  /** Starts the worker on its own connection; resolves once the connection is open. */
  static async start(handoff: DbHandoff, actor: Actor, jobId: number, opts: { txMs: number; lookAhead: number; perRow?: boolean }): Promise<ImportWriter> {
    const { ended, closed: _closed, ...data } = handoff;
    const stop = new SharedArrayBuffer(4);
    let worker: Worker;
    try {
      worker = startWriteWorker({ handoff: data, actor, jobId, txMs: opts.txMs, lookAhead: opts.lookAhead, perRow: opts.perRow === true, stop });
    } finally {
      // The worker has its copies (workerData is cloned): this thread's are wiped.
      data.base.key.fill(0);
      for (const c of data.compartments) c.key.fill(0);
    }
    await new Promise<void>((resolve, reject) => {
      const onMessage = (m: WriteReply) => {
        if (m.type === 'ready') { cleanup(); resolve(); }
        if (m.type === 'failed') { cleanup(); reject(toError(m.error)); }
      };
      const onError = (err: Error) => { cleanup(); reject(err); };
      const onExit = (code: number) => { cleanup(); reject(new Error(`import database worker exited with code ${code}`)); };
      const cleanup = () => { worker.off('message', onMessage); worker.off('error', onError); worker.off('exit', onExit); };
      worker.on('message', onMessage);
      worker.once('error', onError);
      worker.once('exit', onExit);
    });
    const writer = new ImportWriter(worker, stop, ended);
    handoff.closed(writer.exit);
    return writer;
  }

  /** The session ended while the writer ran. */
  get sessionEnded(): boolean {
    return this.ended.aborted && this.ended.reason !== 'rekey';
  }

  /** A level was re-keyed while the writer ran: its connection is closed, the job stops resumable. */
  get rekeyed(): boolean {
    return this.ended.aborted && this.ended.reason === 'rekey';
  }

  /**
   * Writes rows in the worker's transactions; `onCommit` hears each committed transaction's journal.
   * Resolves with the rows done (all, unless stopped by a cancel or a lock: `stopped`). The rows cross
   * `send.perMessage` at a time, `send.pause` awaited between two messages: each message's clone runs
   * whole on this thread, and the worker starts writing once it has them all.
   */
  async write(rows: RowToWrite[], last: boolean, now: Date, send: RowSending, onCommit: (journal: JournalEntry[]) => void): Promise<{ done: number; stopped: boolean }> {
    if (this.failedWith) throw this.failedWith;
    if (this.inFlight) throw new Error('the import writer is busy');
    if (Atomics.load(this.stop, 0) !== 0 || this.exited) return { done: 0, stopped: true };
    const id = this.nextId++;
    const result = new Promise<{ done: number; stopped: boolean }>((resolve, reject) => {
      this.inFlight = {
        id, onCommit,
        resolve: (r) => { if (this.ended.aborted) this.post({ op: 'close' }); resolve(r); },
        reject,
      };
    });
    result.catch(() => undefined); // awaited below; a failure while the rows cross is not left unhandled
    const per = Math.max(1, send.perMessage);
    for (let k = 0; k < rows.length; k += per) {
      // A failure, an exit or a stop meanwhile: the rows still to send would not be written anyway.
      if ((this.inFlight as InFlight | null)?.id !== id || Atomics.load(this.stop, 0) !== 0) break;
      if (k > 0) await send.pause();
      this.post({ op: 'rows', id, rows: rows.slice(k, k + per) });
    }
    // The worker writes only what it received (it stops where a stop finds it; a lost part is not skipped over).
    this.post({ op: 'write', id, total: rows.length, last, now: now.getTime() });
    return result;
  }

  /** Stops the rows being written at the next transaction (a cancel): what is committed stays. */
  cancel(): void {
    Atomics.compareExchange(this.stop, 0, 0, 1);
  }

  /** Closes the worker's connection and waits for it to end. */
  async close(): Promise<void> {
    if (!this.exited) this.post({ op: 'close' });
    await this.exit;
  }

  private post(req: WriteRequest): void {
    if (!this.exited) this.worker.postMessage(req);
  }
}
