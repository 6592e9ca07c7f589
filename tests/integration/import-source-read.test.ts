// The uploaded register is read off the window's thread (decrypted, decoded and parsed on a worker,
// the CSV as a stream), on a real profile with a register of 60 000 rows: it is read on a worker
// thread and a 5 ms timer keeps firing while it is (the longest gap is logged, not bounded: speed
// belongs in the bench, and a bound fails on a loaded machine); the dry run shows the file being read (bytes of its
// total) before its rows are checked, and a cancel stops it while it reads; a malformed file (a
// quote never closed) is refused with its line and column, by the window and by the CLI's path,
// with nothing written.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { ImportDryRunProgress, ImportSourceView } from '../../common/contract';
import { DeskError } from '../../common/errors';
import { encodeTcvn3 } from '../../main/core/import/encodings/tcvn3';
import { addUnit } from '../../main/core/org/units';
import { SessionGuard } from '../../main/core/session/guard';
import { TokenService } from '../../main/core/session/tokens';
import { createRouter } from '../../main/ipc/router';
import { TokenBridge } from '../../native/bridge/client';
import { newDesk, stageBytes, tempDir } from '../helpers/desk';
import { describeWatch, watchThread } from '../helpers/threadWatch';

const ROWS = 60_000;

let env: Awaited<ReturnType<typeof newDesk>>;
let call: ReturnType<typeof createRouter>;
const work = tempDir('securedesk-import-read-');

function register(rows: number): string {
  const lines = ['Số đến;Ngày đến;Số, ký hiệu;Ngày văn bản;Cơ quan ban hành;Trích yếu'];
  for (let i = 1; i <= rows; i++) {
    const date = `${String((i % 28) + 1).padStart(2, '0')}/${String((i % 12) + 1).padStart(2, '0')}/${2015 + (i % 8)}`;
    lines.push([i, date, `${i}/CV-UBND`, date, 'Sở Nội vụ', `Về việc triển khai nhiệm vụ số ${i} của năm`].join(';'));
  }
  return `${lines.join('\r\n')}\r\n`;
}

const value = <T>(r: Awaited<ReturnType<typeof call>>): T => {
  assert.ok(r.ok, JSON.stringify(r));
  return (r as { ok: true; value: T }).value;
};
const refusal = (r: Awaited<ReturnType<typeof call>>) => {
  assert.ok(!r.ok, 'refused');
  return (r as { ok: false; error: { code: string; key?: string; params?: Record<string, unknown>; message: string } }).error;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const countOf = (sql: string) => env.desk.db.prepare(sql).pluck().get() as number;

before(async () => {
  env = await newDesk('state');
  const guard = new SessionGuard(env.desk, new TokenService(new TokenBridge(), async () => []));
  call = createRouter({ desk: env.desk, guard, attachmentUrl: (t) => `app://securedesk/blob/${t}` });
  addUnit(env.desk.db, 'Sở Nội vụ', '000.00.12.H49');
});
after(() => { env.cleanup(); work.cleanup(); });

test('a register of 60 000 rows is read while the window\'s thread keeps serving its timer', async () => {
  // TCVN3 bytes: detected and decoded on the way, as the clerks' old exports are.
  const bytes = encodeTcvn3(register(ROWS));
  const { stagedId } = await stageBytes(env.desk, env.desk.session!, bytes, 'so-den-1998.csv');
  const w = await watchThread(() => call('import.open', { stagedId }));
  const opened = value<ImportSourceView>(w.result);
  console.log(`import.open of ${ROWS} rows (${Math.round(bytes.length / 1024)} KiB): ${describeWatch(w)}`);
  assert.equal(opened.encoding, 'tcvn3');
  assert.equal(opened.delimiter, ';');
  assert.equal(opened.sheets[0]!.rows, ROWS);
  assert.equal(opened.sample[4]!.cells['Trích yếu'], 'Về việc triển khai nhiệm vụ số 5 của năm');
  // Read on a worker: the old parse on this thread held it for seconds (7.8 s for these rows), its timer silent.
  assert.ok(w.workers >= 1, 'the register was read on a worker thread');
  assert.ok(w.ticks >= 1, 'this thread kept serving its timer while the register was read');
  // The source read is kept: a preview on the next change of the mapping reads nothing again.
  const t0 = performance.now();
  value(await call('import.preview', { stagedId, mapping: opened.suggested }));
  console.log(`preview after open: ${Math.round(performance.now() - t0)} ms`);
});

test('the dry run shows the file being read (bytes of its total), then its rows checked; a cancel stops the reading', async () => {
  const text = register(ROWS);
  const { stagedId } = await stageBytes(env.desk, env.desk.session!, text, 'so-den-2019.csv');
  const total = Buffer.byteLength(text);
  const mapping = value<ImportSourceView>(await call('import.open', { stagedId })).suggested;
  // A fresh upload of the same register (nothing of it read yet).
  const fresh = (await stageBytes(env.desk, env.desk.session!, text, 'so-den-2019-b.csv')).stagedId;
  const seen: Array<{ at: number; p: ImportDryRunProgress }> = [];
  const ticks: number[] = [];
  const timer = setInterval(() => ticks.push(performance.now()), 5);
  let final: ImportDryRunProgress;
  try {
    let p = value<ImportDryRunProgress>(await call('import.dryRunStart', { stagedId: fresh, mapping }));
    seen.push({ at: performance.now(), p });
    while (p.state === 'running') {
      await sleep(10);
      p = value<ImportDryRunProgress>(await call('import.dryRunProgress', { runId: p.runId }));
      seen.push({ at: performance.now(), p });
    }
    final = p;
  } finally {
    clearInterval(timer);
  }
  assert.equal(final.state, 'done', JSON.stringify(final));
  assert.equal(final.checked, ROWS);
  const reading = seen.filter((s) => s.p.phase === 'reading');
  assert.ok(reading.length >= 3, `the reading was shown ${reading.length} times`);
  for (const { p } of reading) {
    assert.equal(p.checked, 0);
    assert.ok(p.bytesTotal === 0 || p.bytesTotal === total, JSON.stringify(p));
    assert.ok(p.bytesRead <= total);
  }
  // The bytes read climb to the total; reading comes before checking, never after.
  assert.ok(reading.some((s) => s.p.bytesRead > 0 && s.p.bytesRead < total), 'bytes seen under way');
  for (let i = 1; i < reading.length; i++) assert.ok(reading[i]!.p.bytesRead >= reading[i - 1]!.p.bytesRead);
  const firstChecking = seen.findIndex((s) => s.p.phase === 'checking');
  assert.ok(firstChecking > 0 && seen.slice(firstChecking).every((s) => s.p.phase === 'checking'));
  // While the file was read (from the start to the first progress of checking), the timer kept firing.
  const [from, to] = [seen[0]!.at, seen[firstChecking]!.at];
  const during = [from, ...ticks.filter((t) => t > from && t < to), to];
  const gap = Math.max(...during.slice(1).map((t, i) => t - during[i]!));
  console.log(`dry run from a fresh upload: read in ${Math.round(to - from)} ms, ${reading.length} progress reports while reading, longest gap of a 5 ms timer ${Math.round(gap)} ms`);
  // This thread answered the progress calls while the file was read (the figure above is for the log).
  assert.ok(during.length >= 3, 'the timer fired while the file was read');

  // Cancelled while reading: it stops, with no report, nothing written.
  const third = (await stageBytes(env.desk, env.desk.session!, text, 'so-den-2019-c.csv')).stagedId;
  const started = value<ImportDryRunProgress>(await call('import.dryRunStart', { stagedId: third, mapping }));
  assert.equal(started.phase, 'reading');
  const cancelled = value<ImportDryRunProgress>(await call('import.dryRunCancel', { runId: started.runId }));
  assert.equal(cancelled.phase, 'reading');
  const t0 = performance.now();
  let p = cancelled;
  // The bound only guards a hang (a 5 s bound was a timed assertion a loaded machine could fail).
  while (p.state === 'running' && performance.now() - t0 < 120_000) {
    await sleep(5);
    p = value<ImportDryRunProgress>(await call('import.dryRunProgress', { runId: started.runId }));
  }
  console.log(`cancelled while reading: stopped after ${Math.round(performance.now() - t0)} ms`);
  assert.equal(p.state, 'cancelled');
  assert.equal(p.checked, 0);
  assert.equal(refusal(await call('import.dryRunReport', { runId: started.runId })).key, 'import.dryRun.notDone');
  assert.equal(countOf('SELECT COUNT(*) FROM import_jobs'), 0);
});

test('a malformed register (a quote never closed) is refused with its line and column, by the window and the CLI, nothing written', async () => {
  const lines = register(1000).split('\r\n');
  // Line 501 (the header is line 1): its last field opens a quote that nothing closes.
  lines[500] = lines[500]!.replace(/;([^;]*)$/, ';"$1');
  const text = lines.join('\r\n');
  const { stagedId } = await stageBytes(env.desk, env.desk.session!, text, 'so-den-hong.csv');
  const expected = { key: 'import.source.quoteNotClosed', params: { name: 'so-den-hong.csv', line: 501, column: 6 } };
  const opened = refusal(await call('import.open', { stagedId }));
  assert.equal(opened.code, 'VALIDATION');
  assert.deepEqual({ key: opened.key, params: opened.params }, expected);
  assert.match(opened.message, /dòng 501, cột 6/);
  const mapping = value<ImportSourceView>(await call('import.open', { stagedId: (await stageBytes(env.desk, env.desk.session!, register(3), 'ok.csv')).stagedId })).suggested;
  const started = refusal(await call('import.start', { stagedId, mapping }));
  assert.deepEqual({ key: started.key, params: started.params }, expected);
  // The dry run fails with the same refusal.
  let p = value<ImportDryRunProgress>(await call('import.dryRunStart', { stagedId, mapping }));
  while (p.state === 'running') {
    await sleep(10);
    p = value<ImportDryRunProgress>(await call('import.dryRunProgress', { runId: p.runId }));
  }
  assert.equal(p.state, 'failed');
  assert.deepEqual({ key: p.error?.key, params: p.error?.params }, expected);
  // The CLI's path: read on the import's worker, the refusal crossing back whole.
  const file = join(work.dir, 'so-den-hong.csv');
  writeFileSync(file, text);
  await assert.rejects(env.desk.imports.start(env.desk.session!, file, mapping), (err: unknown) => {
    assert.ok(err instanceof DeskError, String(err));
    assert.deepEqual({ key: err.key, params: err.params }, expected);
    return true;
  });
  await assert.rejects(env.desk.imports.dryRun(env.desk.session!, file, mapping), (err: unknown) => err instanceof DeskError && err.key === expected.key);
  // Nothing written: no job, no journal, no record.
  assert.equal(countOf('SELECT COUNT(*) FROM import_jobs'), 0);
  assert.equal(countOf('SELECT COUNT(*) FROM import_rows'), 0);
  assert.equal(countOf('SELECT COUNT(*) FROM incoming'), 0);
});
