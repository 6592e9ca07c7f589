// A source read off this thread: decrypted (a staged upload), decoded and parsed on a worker of
// its own, so that a register of 60 000 rows is no silent wait for the window. The bytes read are
// told as they go; the rows then come over a batch at a time, the event loop given back between
// two; cancel ends the worker at once; a malformed file is refused by the worker with its line
// (the refusal crosses over whole, and nothing is kept of what was read).
import { setImmediate as nextTurn } from 'node:timers/promises';
import { FilePool } from './filePool';
import type { ReadAnswer, ReadPartial, SourceInput } from './fileWorker';
import type { ReadOptions, ReadSource, SourceRow } from './types';

/** Rows per message from the worker (about a millisecond to receive). */
const ROW_BATCH = 1000;

export interface OffThreadRead {
  signal?: AbortSignal | undefined;
  /** Bytes read so far (of the plaintext). */
  onBytes?: ((read: number) => void) | undefined;
}

export async function readOffThread(input: SourceInput, options: ReadOptions, ctl: OffThreadRead = {}): Promise<ReadSource> {
  const { signal } = ctl;
  if (signal?.aborted) throw abortError();
  const pool = new FilePool(1);
  const stop = () => { void pool.close(); };
  signal?.addEventListener('abort', stop, { once: true });
  try {
    const answer = await pool.run<ReadAnswer>({ op: 'read', input, options }, 0, (m) => ctl.onBytes?.((m as ReadPartial).read));
    const { source } = answer;
    for (const [table, n] of answer.rows.entries()) {
      const rows: SourceRow[] = [];
      for (let from = 0; from < n; from += ROW_BATCH) {
        for (const r of await pool.run<SourceRow[]>({ op: 'tableRows', handle: answer.handle, table, from, count: ROW_BATCH }, 0)) rows.push(r);
        await nextTurn();
      }
      source.tables[table]!.rows = rows;
    }
    return source;
  } catch (err) {
    if (signal?.aborted) throw abortError();
    throw err;
  } finally {
    signal?.removeEventListener('abort', stop);
    await pool.close();
  }
}

const abortError = () => Object.assign(new Error('the read was cancelled'), { name: 'AbortError' });
