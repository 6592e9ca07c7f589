// The window's dry run in the background, on a real profile with a register of 20 000 rows: the event
// loop is not held (a 5 ms timer fires, and calls are served, while rows are checked), progress climbs
// to the total, the report is the one the one-call dry run gives, cancel and a lock really stop it (no
// report, nothing written), and another person can neither follow, cancel nor fetch it (FORBIDDEN, audited).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import ExcelJS from 'exceljs';
import type { ImportDryRunProgress, ImportDryRunView, ImportSourceView } from '../../common/contract';
import { reportWorkbook } from '../../main/core/import/reportXlsx';
import { addUnit } from '../../main/core/org/units';
import { SessionGuard } from '../../main/core/session/guard';
import { TokenService } from '../../main/core/session/tokens';
import { createRouter } from '../../main/ipc/router';
import { TokenBridge } from '../../native/bridge/client';
import { newDesk, stageBytes } from '../helpers/desk';
import { addPerson } from '../helpers/people';

const ROWS = 20_000;
let env: Awaited<ReturnType<typeof newDesk>>;
let call: ReturnType<typeof createRouter>;
let otherClerk: Awaited<ReturnType<typeof addPerson>>;
let stagedId: string;
let mapping: ImportSourceView['suggested'];

/** A register of ROWS rows: most ok, every 37th from an issuer the directory lacks, every 50th a bad date, every 101st a repeat of the row before. */
function register(): string {
  const lines = ['Số đến;Ngày đến;Số, ký hiệu;Ngày văn bản;Cơ quan ban hành;Trích yếu'];
  for (let i = 1; i <= ROWS; i++) {
    const n = i % 101 === 0 ? i - 1 : i;
    const date = `${String((n % 28) + 1).padStart(2, '0')}/${String((n % 12) + 1).padStart(2, '0')}/${2015 + (n % 8)}`;
    const issuer = n % 37 === 0 ? 'Phòng Lưu trữ huyện cũ' : 'Sở Nội vụ';
    lines.push([i, date, `${n}/CV-UBND`, i % 50 === 0 ? '32/13/2019' : date, issuer, `Về việc số ${n} của năm`].join(';'));
  }
  return lines.join('\r\n');
}

const value = <T>(r: Awaited<ReturnType<typeof call>>): T => {
  assert.ok(r.ok, JSON.stringify(r));
  return (r as { ok: true; value: T }).value;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const progress = async (runId: string) => value<ImportDryRunProgress>(await call('import.dryRunProgress', { runId }));
const countOf = (sql: string) => env.desk.db.prepare(sql).pluck().get() as number;

before(async () => {
  env = await newDesk('state');
  const guard = new SessionGuard(env.desk, new TokenService(new TokenBridge(), async () => []));
  call = createRouter({ desk: env.desk, guard, attachmentUrl: (t) => `app://securedesk/blob/${t}` });
  otherClerk = await addPerson(env.desk, { fullName: 'Lê Văn Thư', role: 'van_thu', clearance: 'mat' });
  addUnit(env.desk.db, 'Sở Nội vụ', '000.00.12.H49');
  const staged = await stageBytes(env.desk, env.desk.session!, register(), 'so-den-cu.csv');
  stagedId = staged.stagedId;
  const opened = value<ImportSourceView>(await call('import.open', { stagedId }));
  assert.equal(opened.sheets[0]!.rows, ROWS);
  mapping = opened.suggested;
});
after(() => env.cleanup());

test('the dry run leaves the event loop free, climbs to the total and reports what the one-call dry run reports', async () => {
  const ticks: number[] = [];
  const timer = setInterval(() => ticks.push(performance.now()), 5);
  const seen: Array<{ at: number; p: ImportDryRunProgress }> = [];
  let p: ImportDryRunProgress;
  try {
    const started = value<ImportDryRunProgress>(await call('import.dryRunStart', { stagedId, mapping }));
    assert.equal(started.state, 'running');
    p = started;
    while (p.state === 'running') {
      await sleep(15);
      p = await progress(started.runId);
      seen.push({ at: performance.now(), p });
    }
  } finally {
    clearInterval(timer);
  }
  assert.equal(p.state, 'done', JSON.stringify(p));
  // Progress under way: rows checked of the total, climbing, the statuses adding up, a rate and a time left.
  // (Rows still to check: once all are checked the run stays 'running' while its workbook is written on a worker.)
  const under = seen.filter((s) => s.p.state === 'running' && s.p.checked > 0 && s.p.checked < ROWS);
  assert.ok(new Set(under.map((s) => s.p.checked)).size >= 3, `progress seen under way ${under.length} times`);
  for (let i = 1; i < under.length; i++) assert.ok(under[i]!.p.checked >= under[i - 1]!.p.checked);
  for (const { p: x } of under) {
    assert.equal(x.total, ROWS);
    assert.equal(x.counts.ok + x.counts.warning + x.counts.duplicate + x.counts.rejected, x.checked);
    assert.ok(x.rate > 0 && x.secondsLeft !== null && x.secondsLeft >= 0, JSON.stringify(x));
  }
  assert.equal(p.checked, ROWS);
  // The timer fired between the first and the last report under way: this thread was not held.
  const first = under[0]!.at;
  const last = under.at(-1)!.at;
  const between = ticks.filter((t) => t > first && t < last);
  assert.ok(between.length >= 2, `5 ms timer fired ${between.length} times between ${first} and ${last}`);
  const gaps = between.slice(1).map((t, i) => t - between[i]!);
  console.log(`dry run of ${ROWS} rows: ${under.length} progress reports seen, ${between.length} timer ticks between them, longest gap ${Math.round(Math.max(...gaps))} ms`);

  // The report: the same as the one-call dry run's (ImportService.dryRun, as the CLI runs it) for the same source.
  const view = value<ImportDryRunView>(await call('import.dryRunReport', { runId: p.runId }));
  const clerk = env.desk.session!;
  let t0 = performance.now();
  const old = await env.desk.imports.dryRun(clerk, `staged:${stagedId}`, mapping);
  console.log(`background run ${Math.round(last - first)} ms under way; one-call dry run ${Math.round(performance.now() - t0)} ms`);
  assert.deepEqual(view.counts, old.counts);
  assert.deepEqual(p.counts, old.counts);
  assert.equal(view.total, old.rows.length);
  assert.ok(old.counts.ok > 0 && old.counts.warning > 0 && old.counts.duplicate > 0 && old.counts.rejected > 0, JSON.stringify(old.counts));
  assert.deepEqual(view.unknownUnits, old.unknownUnits.map((u) => ({ name: u.name, rows: u.count })));
  assert.deepEqual(view.quirks, old.quirks);
  assert.deepEqual(view.missingColumns, old.missingColumns);
  assert.deepEqual(view.problems.map((r) => [r.row, r.status, r.reasons.map((x) => x.code)]),
    old.rows.filter((r) => r.status !== 'ok').slice(0, 200).map((r) => [r.row, r.status, r.reasons.map((x) => x.code)]));
  assert.match(view.url, /^app:\/\/securedesk\/blob\//);
  // The whole core report, slice by slice, equals the one-call one; and so do the workbooks' lines.
  t0 = performance.now();
  const sliced = await env.desk.imports.dryRunInSlices(clerk, `staged:${stagedId}`, mapping, { sliceMs: 2 });
  console.log(`sliced ${Math.round(performance.now() - t0)} ms`);
  t0 = performance.now();
  assert.deepEqual(sliced, old);
  const sheet = async (bytes: Buffer) => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
    const out: unknown[] = [];
    wb.getWorksheet('Kết quả')!.eachRow((r) => out.push(r.values));
    return out;
  };
  const made = env.desk.importWindow.dryRunReport(clerk, p.runId).report;
  const lines = await sheet(made);
  console.log(`workbooks ${Math.round(performance.now() - t0)} ms`);
  assert.equal(lines.length, ROWS + 1);
  assert.deepEqual(lines, await sheet(await reportWorkbook(old)));
  // Nothing written.
  assert.equal(countOf('SELECT COUNT(*) FROM import_jobs'), 0);
  assert.equal(countOf('SELECT COUNT(*) FROM incoming'), 0);
});

test('cancel stops the dry run at its next slice: progress stops moving, no report, nothing written', async () => {
  const started = value<ImportDryRunProgress>(await call('import.dryRunStart', { stagedId, mapping }));
  let p = started;
  while (p.state === 'running' && p.checked < 1000) { await sleep(5); p = await progress(started.runId); }
  assert.equal(p.state, 'running', 'the run ended before it could be cancelled');
  value<ImportDryRunProgress>(await call('import.dryRunCancel', { runId: started.runId }));
  for (let i = 0; i < 100 && p.state === 'running'; i++) { await sleep(5); p = await progress(started.runId); }
  assert.equal(p.state, 'cancelled');
  assert.ok(p.checked < ROWS, `${p.checked} of ${ROWS}`);
  await sleep(300);
  const later = await progress(started.runId);
  assert.deepEqual(later, p);
  const report = await call('import.dryRunReport', { runId: started.runId });
  assert.ok(!report.ok && report.error.code === 'VALIDATION' && report.error.key === 'import.dryRun.notDone', JSON.stringify(report));
  assert.equal(countOf('SELECT COUNT(*) FROM import_jobs'), 0);
  assert.equal(countOf('SELECT COUNT(*) FROM incoming'), 0);
});

test('a lock ends the dry run: after the next unlock it is stopped where it was, with no report', async () => {
  const started = value<ImportDryRunProgress>(await call('import.dryRunStart', { stagedId, mapping }));
  let p = started;
  while (p.state === 'running' && p.checked < 1000) { await sleep(5); p = await progress(started.runId); }
  assert.equal(p.state, 'running');
  env.desk.lock('manual');
  await sleep(300);
  await env.desk.unlock(env.identity);
  const after1 = await progress(started.runId);
  assert.equal(after1.state, 'cancelled');
  assert.ok(after1.checked < ROWS);
  await sleep(200);
  assert.deepEqual(await progress(started.runId), after1);
  const report = await call('import.dryRunReport', { runId: started.runId });
  assert.ok(!report.ok && report.error.key === 'import.dryRun.notDone');
});

test('another clerk can neither start on the upload, follow, cancel nor fetch the report of a dry run: refused and audited', async () => {
  const started = value<ImportDryRunProgress>(await call('import.dryRunStart', { stagedId, mapping }));
  let p = started;
  while (p.state === 'running') { await sleep(20); p = await progress(started.runId); }
  assert.equal(p.state, 'done');
  env.desk.lock('manual');
  await env.desk.unlock(otherClerk.identity);
  await env.desk.verdict();
  const refusedBefore = countOf(`SELECT COUNT(*) FROM audit_log WHERE action = 'request.refused' AND user_id = ${otherClerk.id}`);
  const start = await call('import.dryRunStart', { stagedId, mapping });
  assert.ok(!start.ok && start.error.code === 'FORBIDDEN', JSON.stringify(start));
  for (const channel of ['import.dryRunProgress', 'import.dryRunCancel', 'import.dryRunReport'] as const) {
    const r = await call(channel, { runId: started.runId });
    assert.ok(!r.ok && r.error.code === 'FORBIDDEN' && r.error.key === 'import.run.notYours', `${channel}: ${JSON.stringify(r)}`);
  }
  // A run id nobody has is simply not found.
  const none = await call('import.dryRunProgress', { runId: 'c'.repeat(32) });
  assert.ok(!none.ok && none.error.code === 'NOT_FOUND');
  const audited = env.desk.db.prepare(`SELECT reason, details FROM audit_log WHERE action = 'request.refused' AND outcome = 'refused' AND user_id = ?
    ORDER BY id DESC LIMIT 4`).all(otherClerk.id) as Array<{ reason: string; details: string }>;
  assert.equal(countOf(`SELECT COUNT(*) FROM audit_log WHERE action = 'request.refused' AND user_id = ${otherClerk.id}`) - refusedBefore, 4);
  assert.deepEqual(audited.map((a) => [a.reason, (JSON.parse(a.details) as { channel: string }).channel]).reverse(), [
    ['FORBIDDEN', 'import.dryRunStart'], ['FORBIDDEN', 'import.dryRunProgress'], ['FORBIDDEN', 'import.dryRunCancel'], ['FORBIDDEN', 'import.dryRunReport'],
  ]);
  env.desk.lock('manual');
  // The owner's run was not touched by the refused cancel (a lock drops reports, so only its state is left to see).
  await env.desk.unlock(env.identity);
  assert.equal((await progress(started.runId)).state, 'done');
});
