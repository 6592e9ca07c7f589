// kill -9 during an import of 20,000 records, at random points, restarted each time: the journal and
// the records are written in one transaction per batch, so the end state is exactly that of a run
// never stopped: every row once, no duplicate, arrival numbers dense, the counts right.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Desk } from '../../main/core/desk';
import { saveMapping, suggestMapping } from '../../main/core/import/mapping';
import { newDesk, softIdentity, tempDir } from '../helpers/desk';

const ROWS = 20_000;
const KILLS = 10;

/** 20,000 rows; every 1,000th repeats the row before it (a duplicate), every 997th has no date (rejected). */
function writeSource(path: string): { imported: number; duplicates: number; rejected: number } {
  const lines = ['Số ký hiệu,Ngày văn bản,Cơ quan ban hành,Trích yếu'];
  let duplicates = 0;
  let rejected = 0;
  for (let i = 1; i <= ROWS; i++) {
    const day = `2025-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`;
    if (i % 1000 === 0) {
      lines.push(lines[lines.length - 1]!);
      duplicates++;
    } else if (i % 997 === 0) {
      lines.push(`${i}/CV-UBND,,Sở Nội vụ,Văn bản thiếu ngày ${i}`);
      rejected++;
    } else lines.push(`${i}/CV-UBND,${day},Sở Nội vụ,"Về việc triển khai nhiệm vụ số ${i}, năm 2025"`);
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  return { imported: ROWS - duplicates - rejected, duplicates, rejected };
}

interface Run { jobId: number | null; handled: number; done: boolean }

/** Runs a child until it has committed past `killAt` rows (then kill -9 after a random pause), or to the end. */
function runChild(args: string[], killAt: number | null): Promise<Run> {
  const id = softIdentity();
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/fixtures/processes/importChild.ts', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, SD_TEST_CERT: id.certPem, SD_TEST_KEY: id.keyPem },
  });
  const run: Run = { jobId: null, handled: 0, done: false };
  let buffer = '';
  let killing = false;
  child.stdout.on('data', (d: Buffer) => {
    buffer += d.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    for (const line of lines) {
      const [kind, job, handled] = line.split(' ');
      run.jobId = Number(job);
      if (kind === 'DONE') run.done = true;
      else run.handled = Number(handled);
      // Past the mark, killed a random moment later: inside a batch as often as between two.
      if (killAt !== null && !killing && run.handled >= killAt) {
        killing = true;
        setTimeout(() => child.kill('SIGKILL'), Math.floor(Math.random() * 400));
      }
    }
  });
  return new Promise((resolve, reject) => child.on('close', (code, signal) => {
    if (signal === 'SIGKILL' || code === 0) resolve(run);
    else reject(new Error(`import child failed: ${code}`));
  }));
}

test(`kill -9 at ${KILLS} random points of an import of ${ROWS} records: each restart ends exactly right`, { timeout: 900_000 }, async () => {
  const env = await newDesk('state');
  const work = tempDir('securedesk-import-src-');
  const source = join(work.dir, 'so-den.csv');
  const expected = writeSource(source);
  const mappingFile = join(work.dir, 'mapping.json');
  await saveMapping(mappingFile, suggestMapping(['Số ký hiệu', 'Ngày văn bản', 'Cơ quan ban hành', 'Trích yếu']));
  env.desk.close();
  try {
    // Kill points: random, increasing, spread over the job.
    const points = Array.from({ length: KILLS }, () => Math.floor(Math.random() * ROWS * 0.9)).sort((a, b) => a - b);
    let jobId: number | null = null;
    let last: Run | null = null;
    for (const at of points) {
      last = await runChild(jobId === null ? [env.dir, source, mappingFile] : [env.dir, source, mappingFile, String(jobId)], at);
      jobId ??= last.jobId;
      assert.ok(jobId !== null, 'the first run reported its job');
      if (last.done) break;
    }
    if (!last?.done) last = await runChild([env.dir, source, mappingFile, String(jobId)], null);
    assert.equal(last.done, true);

    const desk = await Desk.open({ profileDir: env.dir });
    await desk.unlock(env.identity);
    try {
      const db = desk.db;
      const job = db.prepare('SELECT state, total, imported, duplicates, rejected FROM import_jobs WHERE id = ?').get(jobId) as Record<string, unknown>;
      assert.deepEqual(job, { state: 'done', total: ROWS, imported: expected.imported, duplicates: expected.duplicates, rejected: expected.rejected });
      // Every source row once in the journal, each imported one exactly one record.
      const journal = db.prepare('SELECT count(*) AS n, count(DISTINCT row_key) AS keys, min(row_no) AS lo, max(row_no) AS hi FROM import_rows WHERE job_id = ?').get(jobId);
      assert.deepEqual(journal, { n: ROWS, keys: ROWS, lo: 2, hi: ROWS + 1 });
      const records = db.prepare('SELECT count(*) AS n, count(DISTINCT number_symbol_key) AS symbols FROM c_thuong.incoming').get();
      assert.deepEqual(records, { n: expected.imported, symbols: expected.imported });
      assert.equal(db.prepare("SELECT count(*) FROM import_rows WHERE outcome = 'imported' AND record_id NOT IN (SELECT id FROM c_thuong.incoming)").pluck().get(), 0);
      assert.equal(db.prepare("SELECT count(DISTINCT record_id) FROM import_rows WHERE outcome = 'imported'").pluck().get(), expected.imported);
      // The register's numbers are dense, as if the job had never stopped; the index has every record.
      const numbers = db.prepare('SELECT count(DISTINCT arrival_number) AS d, min(arrival_number) AS lo, max(arrival_number) AS hi FROM c_thuong.incoming').get();
      assert.deepEqual(numbers, { d: expected.imported, lo: 1, hi: expected.imported });
      assert.equal(db.prepare('SELECT count(*) FROM c_thuong.incoming_fts').pluck().get(), expected.imported);
      const found = db.prepare("SELECT count(*) FROM c_thuong.incoming WHERE subject = 'Về việc triển khai nhiệm vụ số 12345, năm 2025'").pluck().get();
      assert.equal(found, 1);
    } finally {
      desk.close();
    }
  } finally {
    env.cleanup();
    work.cleanup();
  }
});
