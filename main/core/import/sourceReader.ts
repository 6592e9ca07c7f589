// A source read off this thread: decrypted (a staged upload), decoded and parsed on a worker of
// its own, so that a register of 60 000 rows is no silent wait for the window. The bytes read are
// told as they go; the rows then come over a batch at a time, the event loop given back between
// two; cancel ends the worker at once; a malformed file is refused by the worker with its line
// (the refusal crosses over whole, and nothing is kept of what was read).
import { setImmediate as nextTurn } from 'node:timers/promises';
import { FilePool } from './filePool';
import type { ReadArchive } from './archiveRegister';
import type { FileJob, ReadAnswer, ReadArchiveAnswer, ReadPartial, SourceInput } from './fileWorker';
import type { ReadOptions, ReadSource, SourceRow } from './types';

/** Rows per message from the worker (about a millisecond to receive). */
const ROW_BATCH = 1000;

export interface OffThreadRead {
  signal?: AbortSignal | undefined;
  /** Bytes read so far (of the plaintext). */
  onBytes?: ((read: number) => void) | undefined;
}

export async function readOffThread(input: SourceInput, options: ReadOptions, ctl: OffThreadRead = {}): Promise<ReadSource> {
  return (await readOnWorker<ReadAnswer>({ op: 'read', input, options }, ctl)).source;
}

/**
 * A staged ZIP upload read on a worker: a workbook parsed, or an archive decrypted, checked against the
 * policy, its register inflated and parsed there; the archive's plaintext comes back moved, not copied.
 */
export async function readArchiveOffThread(input: ReadArchive, options: ReadOptions, ctl: OffThreadRead = {}): Promise<{ source: ReadSource; archive: { bytes: Buffer; entry: string; registers: string[] } | null }> {
  const a = await readOnWorker<ReadArchiveAnswer>({ op: 'readArchive', input, options }, ctl);
  return { source: a.source, archive: a.archive && { ...a.archive, bytes: Buffer.from(a.archive.bytes) } };
}

async function readOnWorker<A extends ReadAnswer>(job: FileJob, ctl: OffThreadRead): Promise<A> {
  const { signal } = ctl;
  if (signal?.aborted) throw abortError();
  const pool = new FilePool(1);
  const stop = () => { void pool.close(); };
  signal?.addEventListener('abort', stop, { once: true });
  try {
    const answer = await pool.run<A>(job, 0, (m) => ctl.onBytes?.((m as ReadPartial).read));
    const { source } = answer;
    for (const [table, n] of answer.rows.entries()) {
      const rows: SourceRow[] = [];
      for (let from = 0; from < n; from += ROW_BATCH) {
        for (const r of await pool.run<SourceRow[]>({ op: 'tableRows', handle: answer.handle, table, from, count: ROW_BATCH }, 0)) rows.push(r);
        await nextTurn();
      }
      source.tables[table]!.rows = rows;
    }
    return answer;
  } catch (err) {
    if (signal?.aborted) throw abortError();
    throw err;
  } finally {
    signal?.removeEventListener('abort', stop);
    await pool.close();
  }
}

const abortError = () => Object.assign(new Error('the read was cancelled'), { name: 'AbortError' });
