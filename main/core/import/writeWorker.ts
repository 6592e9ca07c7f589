// The legacy import's database worker: the job's write transactions on a connection of its own to the
// session's database (db/sessionConnection.ts), so their commits and the WAL checkpoints they run stay
// off the window's thread, and each transaction can hold hundreds of rows (the commit's cost shared).
// The main thread checks rows and places their files; it hands this worker a batch once the batch's
// blobs are durable, hears each commit, and stops it (cancel, lock) through a shared flag read before
// every transaction. One job per worker; it closes its connection on 'close' or at the stop of a lock.
import { parentPort, workerData } from 'node:worker_threads';
import { DeskError } from '../../../common/errors';
import type { IncomingContext } from '../documents/incoming';
import { openSessionConnection, type DbHandoffData } from '../db/sessionConnection';
import type { Actor } from '../org/rights';
import { writeSlice, type JournalEntry, type RowToWrite } from './writeSlice';

export interface WriteWorkerData {
  handoff: DbHandoffData;
  actor: Actor;
  jobId: number;
  /** Milliseconds of work per transaction. */
  txMs: number;
  /** Rows whose duplicates are looked up at once (the most a transaction holds). */
  lookAhead: number;
  /** Registrations written one by one (writeSlice.ts, SliceLimits.perRow): the reference for comparisons. */
  perRow: boolean;
  /** Int32 flag: 0 go on, 1 stop at the next transaction (cancel, lock). */
  stop: SharedArrayBuffer;
}

export type WriteRequest =
  /** Part of a batch: its rows in order (a batch crosses in parts, each message's clone holding the window's thread). */
  | { op: 'rows'; id: number; rows: RowToWrite[] }
  /** The batch whose rows came in 'rows' messages of the same id: written now. */
  | { op: 'write'; id: number; /** The batch's rows: fewer received means it was stopped while they crossed. */ total: number; last: boolean; /** The desk's clock (ms) when sent. */ now: number }
  | { op: 'close' };

export type WriteReply =
  | { type: 'ready' }
  | { type: 'committed'; id: number; journal: JournalEntry[] }
  | { type: 'written'; id: number; done: number; stopped: boolean }
  | { type: 'failed'; id: number | null; error: { name: string; message: string; code?: string; desk?: ReturnType<DeskError['toPayload']> } };

const port = parentPort!;
const data = workerData as WriteWorkerData;
const stop = new Int32Array(data.stop);

function failure(id: number | null, err: unknown): WriteReply {
  const e = err as { name?: string; message?: string; code?: string };
  return {
    type: 'failed', id,
    error: { name: e.name ?? 'Error', message: e.message ?? String(err), ...(e.code ? { code: e.code } : {}), ...(err instanceof DeskError ? { desk: err.toPayload() } : {}) },
  };
}

let connection: ReturnType<typeof openSessionConnection> | null = null;
try {
  connection = openSessionConnection(data.handoff);
} catch (err) {
  port.postMessage(failure(null, err));
  port.close();
}

let previousRows = 0;
let closed = false;
/** The rows of the batch being received (its id) until its 'write'. */
let receiving: { id: number; rows: RowToWrite[] } | null = null;

function close(): void {
  if (closed) return;
  closed = true;
  connection?.db.close();
  port.close();
}

/** A batch's rows in transactions of txMs each; each commit is told; stops before a transaction when asked. */
function write(req: Extract<WriteRequest, { op: 'write' }> & { rows: RowToWrite[] }, conn: NonNullable<typeof connection>): void {
  // The desk's clock (tests set it): its time when the batch was sent, moving on with this machine's.
  const sent = Date.now();
  const ctx: IncomingContext = {
    db: conn.db, arms: conn.arms, now: () => new Date(req.now + (Date.now() - sent)),
    // Registration of placed files reads no store and never waits: the main thread awaited the verdict.
    store: undefined as never, storeFor: () => { throw new Error('no attachment store on the import writer'); },
    writable: () => Promise.resolve(),
  };
  let k = 0;
  while (k < req.rows.length) {
    if (Atomics.load(stop, 0) !== 0) break;
    const { next, journal } = writeSlice(ctx, data.actor, data.jobId, req.rows, k, req.last, { ms: data.txMs, lookAhead: data.lookAhead, previousRows, perRow: data.perRow });
    previousRows = journal.length;
    k = next;
    port.postMessage({ type: 'committed', id: req.id, journal } satisfies WriteReply);
  }
  port.postMessage({ type: 'written', id: req.id, done: k, stopped: k < req.total } satisfies WriteReply);
}

if (connection) port.on('message', (req: WriteRequest) => {
  if (req.op === 'close') { close(); return; }
  if (req.op === 'rows') {
    if (receiving?.id !== req.id) receiving = { id: req.id, rows: [] };
    for (const r of req.rows) receiving.rows.push(r);
    return;
  }
  const rows = receiving?.id === req.id ? receiving.rows : [];
  receiving = null;
  try {
    write({ ...req, rows }, connection!);
  } catch (err) {
    port.postMessage(failure(req.id, err));
  }
  // A lock: nothing more is written; the connection closes now (its keys are gone already).
  if (Atomics.load(stop, 0) === 2) close();
});
if (connection) port.postMessage({ type: 'ready' } satisfies WriteReply);
