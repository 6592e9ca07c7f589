// kill -9 of the process running the OCR job at a random page, then a restart: the job goes on from
// the first page not committed, never reads a committed page again (its text, time and count stay
// as they were), and ends with every page exactly once and the record searchable by the scan's words;
// for an incoming document's file and for an outgoing document made from a scanned paper original.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { incomingListSchema, outgoingCreateSchema, outgoingListSchema } from '../../common/schemas';
import { Desk } from '../../main/core/desk';
import { addActor, newDesk, registration, softIdentity, stageBytes } from '../helpers/desk';
import { scannedPdf } from '../helpers/scannedPages';

const PAGES = [
  ['TRANG MỘT', 'Kế hoạch phòng cháy chữa cháy'],
  ['TRANG HAI', 'Diễn tập cứu nạn cứu hộ'],
  ['TRANG BA', 'Kinh phí thực hiện kế hoạch'],
];

interface Run { committed: number; done: boolean; killedAt: number | null; pagesRead: number }

/**
 * Runs the job in a child; with `kill`, the child kills itself (SIGKILL) once `after` pages are
 * committed: at once (tool 0) or as the `tool`-th OCR tool of the next page starts (mid-page). A
 * scanned page takes three tools (its text layer, its raster, the recognition), so the kill always
 * comes before the next page commits.
 */
function runChild(dir: string, kill: { after: number; tool: number } | null): Promise<Run> {
  const id = softIdentity();
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/fixtures/processes/ocrChild.ts', dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, SD_TEST_CERT: id.certPem, SD_TEST_KEY: id.keyPem, ...(kill ? { SD_TEST_KILL_AFTER: String(kill.after), SD_TEST_KILL_TOOL: String(kill.tool) } : {}) },
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
      else if (parts[0] === 'KILLED') run.killedAt = Number(parts[1]);
      else if (parts[0] === 'PAGE') {
        run.committed = Number(parts[3]);
        run.pagesRead += 1;
      }
    }
  });
  return new Promise((resolve, reject) => child.on('close', (code, signal) => {
    if (signal === 'SIGKILL' || code === 0) resolve(run);
    else reject(new Error(`OCR child failed: ${code}`));
  }));
}

/** What a crash test seeds (a record with the 3 scanned PAGES) and how it finds it once read. */
interface Seeded { id: number; found(d: Desk, q: string): number[] }

async function killAndResume(seed: (env: Awaited<ReturnType<typeof newDesk>>) => Promise<Seeded>): Promise<void> {
  const env = await newDesk('state');
  const seeded = await seed(env);
  env.desk.close();
  try {
    // Killed once a random one of the first two pages is committed, at once or as one of the next
    // page's tools starts (while it is being read), then run to the end.
    const kill = { after: 1 + Math.floor(Math.random() * 2), tool: Math.floor(Math.random() * 3) };
    const run = await runChild(env.dir, kill);
    console.log(`killed after ${kill.after} page(s), ${kill.tool ? `as tool ${kill.tool} of the next page started` : 'at the commit'}`);
    assert.equal(run.done, false, 'killed before the end');
    assert.ok(run.killedAt !== null && run.killedAt > 0, 'the child killed itself at the point');
    assert.equal(run.committed, kill.after, 'the pages committed before the kill, as reported');
    const last = await runChild(env.dir, null);
    assert.equal(last.done, true);

    const d = await Desk.open({ profileDir: env.dir });
    await d.unlock(env.identity);
    try {
      const rows = d.db.prepare('SELECT page, done_at, text FROM c_mat.ocr_pages ORDER BY page').all() as Array<{ page: number; done_at: string; text: string }>;
      assert.deepEqual(rows.map((r) => r.page), [1, 2, 3]);
      // Pages committed before the kill were never read again: committed before it, not after.
      const before = rows.filter((r) => Date.parse(r.done_at) <= run.killedAt!).map((r) => r.page);
      assert.equal(before.length, run.committed, `${before.length} pages committed before the kill, ${run.committed} reported`);
      assert.ok(before.length < 3, 'the kill came before the last page');
      // ...and the restart read exactly the others, each once.
      assert.equal(last.pagesRead, 3 - before.length);
      assert.deepEqual(d.db.prepare('SELECT state, pages, pages_done AS done, pages_recognised AS ocr FROM c_mat.ocr_queue').all(), [{ state: 'done', pages: 3, done: 3, ocr: 3 }]);
      assert.deepEqual(seeded.found(d, 'phong chay chua chay'), [seeded.id]);
      assert.deepEqual(seeded.found(d, 'dien tap cuu nan'), [seeded.id]);
    } finally {
      d.close();
    }
  } finally {
    env.cleanup();
  }
}

test('kill -9 of the OCR job at a random page: the restart finishes without reading a committed page again', { timeout: 600_000 }, async () => {
  await killAndResume(async ({ desk, admin }) => {
    const staged = await stageBytes(desk, admin, await scannedPdf(PAGES), 'ke-hoach-pccc.pdf');
    const { id } = await desk.incoming.register(admin, await registration(desk, admin, { subject: 'Hồ sơ số hóa', secrecy: 'mat', stagedIds: [staged.stagedId] }));
    return { id, found: (d, q) => d.incoming.list(d.session!, incomingListSchema.parse({ query: q })).map((r) => r.id) };
  });
});

test('kill -9 of the OCR job reading an outgoing document made from a scanned paper original: resumed the same way', { timeout: 600_000 }, async () => {
  await killAndResume(async ({ desk, admin }) => {
    const signer = addActor(desk, 'lanh_dao', 'tuyet_mat', 'Nguyễn Văn Ký');
    const staged = await stageBytes(desk, admin, await scannedPdf(PAGES), 'ke-hoach-ban-giay.pdf');
    const d = await desk.outgoing.create(admin, outgoingCreateSchema.parse({
      typeCode: 'KH', subject: 'Kế hoạch số hóa từ bản giấy', secrecy: 'mat', urgency: 'thuong', signerId: signer.id, approvers: [],
      stagedIds: [staged.stagedId], comment: 'Bản giấy đã ký, số hóa',
    }));
    return { id: d.id, found: (dk, q) => dk.outgoing.list(dk.session!, outgoingListSchema.parse({ query: q })).map((r) => r.id) };
  });
});
