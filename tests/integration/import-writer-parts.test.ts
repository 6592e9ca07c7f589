// A batch crosses to the import's database worker in parts (importWriter.ts: `send.perMessage` rows a
// message, the window's loop given back between two), and the worker writes only once it has them all.
// A cancel or a lock while the parts cross: nothing of the batch is written (no journal row, the job's
// counts untouched) and the batch is reported stopped, so the job keeps its blobs' markers and a resume
// redoes it; without a stop every row is written once, in order. Real profile, real worker, real SQLite.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ImportWriter } from '../../main/core/import/importWriter';
import { createJob } from '../../main/core/import/journal';
import { suggestMapping } from '../../main/core/import/mapping';
import type { JournalEntry, RowToWrite } from '../../main/core/import/writeSlice';
import { newDesk } from '../helpers/desk';
import { IMPORT_HEADERS } from '../bench/importArchive';

let env: Awaited<ReturnType<typeof newDesk>>;
before(async () => { env = await newDesk('state'); });
after(() => env.cleanup());

const settle = () => new Promise((r) => setImmediate(r));
const count = (sql: string, ...args: unknown[]) => Number(env.desk.db.prepare(sql).pluck().get(...args));

/** A job of `n` rows; its rows refused by the check (each written as a journal row, nothing else). */
function job(n: number, tag: string): { jobId: number; rows: RowToWrite[] } {
  const c = env.desk.context();
  const sha = tag.padEnd(64, '0');
  const jobId = createJob(c.db, { sourcePath: `/nowhere/${tag}.csv`, sourceName: `${tag}.csv`, sourceSha256: sha, mapping: suggestMapping(IMPORT_HEADERS), folder: '/nowhere', total: n, by: env.admin.id, now: c.now() });
  const rows = Array.from({ length: n }, (_, i): RowToWrite => ({
    sheet: 'S', row: i + 2, standing: null, checked: { key: `${sha}:S:${i + 2}`, status: 'rejected', reasons: [{ code: 'missingNumberSymbol' }] },
  }));
  return { jobId, rows };
}

async function writer(jobId: number): Promise<ImportWriter> {
  return ImportWriter.start(env.desk.context().dbHandoff!()!, env.admin, jobId, { txMs: 50, lookAhead: 64 });
}

test('without a stop, a batch sent in parts is written whole, each row once and in order', async () => {
  const { jobId, rows } = job(95, 'a1');
  const w = await writer(jobId);
  let pauses = 0;
  const journal: JournalEntry[] = [];
  try {
    const r = await w.write(rows, true, env.desk.context().now(), { perMessage: 10, pause: async () => { pauses++; await settle(); } }, (j) => journal.push(...j));
    assert.deepEqual(r, { done: 95, stopped: false });
  } finally {
    await w.close();
  }
  assert.equal(pauses, 9, 'ten messages, the loop given back between two');
  assert.deepEqual(journal.map((j) => j.row), rows.map((r) => r.row));
  assert.equal(count('SELECT count(*) FROM import_rows WHERE job_id = ?', jobId), 95);
  assert.equal(count('SELECT count(DISTINCT row_key) FROM import_rows WHERE job_id = ?', jobId), 95);
  assert.equal(count("SELECT rejected FROM import_jobs WHERE id = ?", jobId), 95);
});

test('a cancel while the parts cross: nothing of the batch is written, and it is reported stopped', async () => {
  const { jobId, rows } = job(95, 'a2');
  const w = await writer(jobId);
  let pauses = 0;
  let committed = 0;
  try {
    const r = await w.write(rows, false, env.desk.context().now(), {
      perMessage: 10,
      pause: async () => { if (++pauses === 4) w.cancel(); await settle(); },
    }, () => { committed++; });
    assert.equal(r.stopped, true, 'a batch not written whole is stopped: its markers stay, a resume redoes it');
    assert.equal(r.done, 0);
  } finally {
    await w.close();
  }
  assert.equal(pauses, 4, 'no part is sent after the cancel');
  assert.equal(committed, 0);
  assert.equal(count('SELECT count(*) FROM import_rows WHERE job_id = ?', jobId), 0, 'no journal row of the batch');
  assert.equal(count('SELECT rejected + imported + duplicates FROM import_jobs WHERE id = ?', jobId), 0);
});

test('a lock while the parts cross: nothing written, stopped, and the worker closes its connection', async () => {
  const { jobId, rows } = job(95, 'a3');
  const w = await writer(jobId);
  let pauses = 0;
  const r = await w.write(rows, false, env.desk.context().now(), {
    perMessage: 10,
    pause: async () => { if (++pauses === 2) env.desk.lock(); await settle(); },
  }, () => assert.fail('nothing is committed after the lock'));
  assert.equal(r.stopped, true);
  assert.equal(w.sessionEnded, true);
  await w.exit; // the worker ends by itself once its connection is closed
  await env.desk.unlock(env.identity);
  assert.equal(count('SELECT count(*) FROM import_rows WHERE job_id = ?', jobId), 0);
  await settle();
  assert.equal(env.desk.openHandoffs, 0);
});
