// kill -9 of the process running the OCR job at a random page, then a restart: the job goes on from
// the first page not committed, never reads a committed page again (its text, time and count stay
// as they were), and ends with every page exactly once and the record searchable by the scan's words.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { incomingListSchema } from '../../common/schemas';
import { Desk } from '../../main/core/desk';
import { newDesk, registration, softIdentity, stageBytes } from '../helpers/desk';
import { scannedPdf } from '../helpers/scannedPages';

const PAGES = [
  ['TRANG MỘT', 'Kế hoạch phòng cháy chữa cháy'],
  ['TRANG HAI', 'Diễn tập cứu nạn cứu hộ'],
  ['TRANG BA', 'Kinh phí thực hiện kế hoạch'],
];

interface Run { committed: number; done: boolean; killedAt: number | null; pagesRead: number }

/** Runs the job in a child; with killAfter, kill -9 once that many pages are committed, after a random pause (often mid-page). */
function runChild(dir: string, killAfter: number | null): Promise<Run> {
  const id = softIdentity();
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/fixtures/processes/ocrChild.ts', dir], {
    stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, SD_TEST_CERT: id.certPem, SD_TEST_KEY: id.keyPem },
  });
  const run: Run = { committed: 0, done: false, killedAt: null, pagesRead: 0 };
  let buffer = '';
  child.stdout.on('data', (d: Buffer) => {
    buffer += d.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    for (const line of lines) {
      const parts = line.split(' ');
      if (parts[0] === 'DONE') run.done = true;
      else if (parts[0] === 'PAGE') {
        run.committed = Number(parts[3]);
        run.pagesRead += 1;
      }
      if (killAfter !== null && run.killedAt === null && run.committed >= killAfter) {
        run.killedAt = -1;
        setTimeout(() => {
          run.killedAt = Date.now();
          child.kill('SIGKILL');
        }, Math.floor(Math.random() * 1000));
      }
    }
  });
  return new Promise((resolve, reject) => child.on('close', (code, signal) => {
    if (signal === 'SIGKILL' || code === 0) resolve(run);
    else reject(new Error(`OCR child failed: ${code}`));
  }));
}

test('kill -9 of the OCR job at a random page: the restart finishes without reading a committed page again', { timeout: 600_000 }, async () => {
  const env = await newDesk('state');
  const { desk, admin } = env;
  const staged = await stageBytes(desk, admin, await scannedPdf(PAGES), 'ke-hoach-pccc.pdf');
  const { id } = await desk.incoming.register(admin, await registration(desk, admin, { subject: 'Hồ sơ số hóa', secrecy: 'mat', stagedIds: [staged.stagedId] }));
  env.desk.close();
  try {
    // Killed once a random one of the first two pages is committed, after a random pause (often while
    // the next page is being read), then run to the end.
    const run = await runChild(env.dir, 1 + Math.floor(Math.random() * 2));
    assert.equal(run.done, false, 'killed before the end');
    assert.ok(run.killedAt !== null && run.killedAt > 0);
    const last = await runChild(env.dir, null);
    assert.equal(last.done, true);

    const d = await Desk.open({ profileDir: env.dir });
    await d.unlock(env.identity);
    try {
      const rows = d.db.prepare('SELECT page, done_at, text FROM c_mat.ocr_pages ORDER BY page').all() as Array<{ page: number; done_at: string; text: string }>;
      assert.deepEqual(rows.map((r) => r.page), [1, 2, 3]);
      // Pages committed before the kill were never read again: committed before it, not after.
      const before = rows.filter((r) => Date.parse(r.done_at) < run.killedAt!).map((r) => r.page);
      assert.ok(before.length >= run.committed, `${before.length} pages committed before the kill, ${run.committed} reported`);
      assert.ok(before.length < 3, 'the kill came before the last page');
      // ...and the restart read exactly the others, each once.
      assert.equal(last.pagesRead, 3 - before.length);
      assert.deepEqual(d.db.prepare('SELECT state, pages, pages_done AS done, pages_recognised AS ocr FROM c_mat.ocr_queue').all(), [{ state: 'done', pages: 3, done: 3, ocr: 3 }]);
      const actor = d.session!;
      const found = (q: string) => d.incoming.list(actor, incomingListSchema.parse({ query: q })).map((r) => r.id);
      assert.deepEqual(found('phong chay chua chay'), [id]);
      assert.deepEqual(found('dien tap cuu nan'), [id]);
    } finally {
      d.close();
    }
  } finally {
    env.cleanup();
  }
});
