// The legacy import's rows are written by a database worker on a connection of its own (importWriter.ts,
// writeWorker.ts): the window's connection writes next to it without failing, the audit chain stays one
// chain, the OCR job still hears of the files; a lock stops the worker and closes its connection (no
// descriptor of the profile's files left), and resuming after the unlock finishes the job exactly. The
// vault forgets a handoff once its connection is closed (not at the lock): none is left after a job.
import assert from 'node:assert/strict';
import { readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { appendAudit } from '../../main/core/audit/auditLog';
import { openLevelKeyring } from '../../main/core/compartments/keyrings';
import { levelKeyringFile } from '../../main/core/compartments/levels';
import { verifyAuditChain } from '../../main/core/audit/verify';
import { writeTx } from '../../main/core/db/transaction';
import { ImportWriter } from '../../main/core/import/importWriter';
import { suggestMapping } from '../../main/core/import/mapping';
import { onOcrQueued } from '../../main/core/ocr/queue';
import { actorFor, getUser } from '../../main/core/org/users';
import { newDesk, tempDir } from '../helpers/desk';
import { addPerson } from '../helpers/people';
import { IMPORT_HEADERS, writeImportArchive, type ImportArchive } from '../bench/importArchive';

const ROWS = 240;
let env: Awaited<ReturnType<typeof newDesk>>;
let work: ReturnType<typeof tempDir>;
let archive: ImportArchive;
const mapping = suggestMapping(IMPORT_HEADERS);

before(async () => {
  env = await newDesk('state');
  work = tempDir('securedesk-import-writer-');
  archive = writeImportArchive(work.dir, ROWS, { seed: 11, minKb: 2, maxKb: 40 });
});
after(() => { env.cleanup(); work.cleanup(); });

/** Lets the promise reactions already due run (a handoff is forgotten in one, after its connection closed). */
const settle = () => new Promise((r) => setImmediate(r));
const count = (sql: string) => Number(env.desk.db.prepare(sql).pluck().get());
/** Rows changed by this (the main) connection since it opened. */
const mainChanges = () => count('SELECT total_changes()');
/** This process's open descriptors of the profile's database files (the base, the compartments, their WALs). */
const openDbFiles = () => readdirSync('/proc/self/fd').flatMap((fd) => {
  try {
    const target = readlinkSync(join('/proc/self/fd', fd));
    return target.startsWith(env.dir) && /\.db(-wal|-shm)?$/.test(target) ? [target] : [];
  } catch {
    return [];
  }
});

test('the rows are written on the worker\'s connection; the window\'s writes meanwhile wait and succeed; one audit chain', async () => {
  const before = mainChanges();
  let heard = 0;
  const stop = onOcrQueued(() => { heard++; });
  let written = 0;
  let handedOut = 0;
  try {
    const out = await env.desk.imports.start(env.admin, archive.source, mapping, {
      batchSize: 60, workers: 2,
      onProgress: (p) => {
        if (p.state !== 'running') return;
        handedOut = Math.max(handedOut, env.desk.openHandoffs);
        // A write of the window while the worker's transactions run: it waits (busy_timeout), never fails.
        writeTx(env.desk.db, () => appendAudit(env.desk.db, { userId: env.admin.id, action: 'document.view', entity: 'incoming', entityId: 1, details: {} }));
        written++;
      },
    });
    assert.deepEqual([out.cancelled, out.job.state, out.job.imported], [false, 'done', ROWS]);
  } finally {
    stop();
  }
  assert.ok(written > 0, 'the window wrote while the job ran');
  assert.equal(handedOut, 1, 'the worker\'s connection is a handoff while the job runs');
  await settle();
  assert.equal(env.desk.openHandoffs, 0, 'the handoff is forgotten once the job ended and its connection closed');
  // This connection wrote the job's row and state and the window's audit entries, not the records:
  // each record alone is a dozen rows (record, attachment, events, index, audit, OCR queue, journal).
  const own = mainChanges() - before;
  assert.ok(own < ROWS, `the main connection changed ${own} rows for ${ROWS} records`);
  assert.equal(count('SELECT count(*) FROM c_thuong.incoming') + count('SELECT count(*) FROM c_mat.incoming'), ROWS);
  assert.equal(count("SELECT count(*) FROM audit_log WHERE action = 'incoming.register'"), ROWS);
  assert.equal(count("SELECT count(*) FROM audit_log WHERE action = 'document.view'"), written);
  // Two connections appending in turn: still one unbroken hash chain.
  assert.equal(verifyAuditChain(env.desk.db), null);
  assert.equal(count('SELECT count(*) FROM c_thuong.ocr_queue') + count('SELECT count(*) FROM c_mat.ocr_queue'), ROWS);
  await new Promise((r) => setImmediate(r));
  assert.ok(heard > 0, 'the OCR job is told of the files the worker queued');
});

test('a lock during the job stops the worker and closes its connection; resume after unlock finishes exactly', async () => {
  const second = writeImportArchive(join(work.dir, 'second'), ROWS, { seed: 12, minKb: 2, maxKb: 40 });
  const openBefore = openDbFiles().length;
  let jobId = 0;
  let locked = false;
  await assert.rejects(env.desk.imports.start(env.admin, second.source, mapping, {
    batchSize: 60, workers: 2,
    onProgress: (p) => {
      jobId = p.jobId;
      if (!locked && p.handled >= 30 && p.state === 'running') { locked = true; env.desk.lock(); }
    },
  }), (err: { code?: string }) => err.code === 'NO_SESSION');
  assert.ok(locked);
  // Everything of the profile is closed: the main connection by the lock, the worker's by itself.
  assert.deepEqual(openDbFiles().filter((f) => f.startsWith(env.dir)).length, 0, `still open after the lock: ${openDbFiles().join(', ')} (before: ${openBefore})`);
  await env.desk.unlock(env.identity);
  const job = env.desk.imports.job(env.admin, jobId)!;
  const handled = job.imported + job.duplicates + job.rejected;
  assert.ok(handled >= 30 && handled < ROWS, `stopped part-way (${handled})`);
  assert.equal(count(`SELECT count(*) FROM import_rows WHERE job_id = ${jobId}`), handled);
  const done = await env.desk.imports.resume(env.admin, jobId);
  // The second archive repeats some of the first's documents: those rows are duplicates.
  assert.deepEqual([done.job.state, done.job.imported + done.job.duplicates, done.job.rejected], ['done', ROWS, 0]);
  assert.equal(count(`SELECT count(DISTINCT row_key) FROM import_rows WHERE job_id = ${jobId}`), ROWS);
  for (const c of ['c_thuong', 'c_mat']) {
    const years = env.desk.db.prepare(`SELECT year, count(*) AS n, count(DISTINCT arrival_number) AS d, min(arrival_number) AS lo, max(arrival_number) AS hi FROM ${c}.incoming GROUP BY register_id, year`).all() as Array<{ n: number; d: number; lo: number; hi: number }>;
    for (const y of years) assert.deepEqual([y.d, y.lo, y.hi], [y.n, 1, y.n]);
  }
  assert.equal(count('SELECT count(*) FROM c_thuong.incoming') + count('SELECT count(*) FROM c_mat.incoming'), ROWS + done.job.imported);
  assert.equal(count(`SELECT count(*) FROM import_rows WHERE job_id = ${jobId} AND outcome = 'imported'`), done.job.imported);
  assert.equal(verifyAuditChain(env.desk.db), null);
});

test('the keys handed to the worker are wiped on this thread; a handoff is forgotten once closed, one still held ends at lock; none once the session is locked', async () => {
  const h = env.desk.context().dbHandoff!()!;
  assert.ok(h.compartments.length > 0);
  assert.ok(h.base.key.some((b) => b !== 0));
  const writer = await ImportWriter.start(h, env.admin, 0, { txMs: 50, lookAhead: 64 });
  assert.ok(h.base.key.every((b) => b === 0), 'the data key copy is zeroed once the worker has its own');
  for (const c of h.compartments) assert.ok(c.key.every((b) => b === 0), `the ${c.level} key copy is zeroed`);
  assert.equal(env.desk.openHandoffs, 1);
  await writer.close();
  await settle();
  assert.equal(env.desk.openHandoffs, 0, 'forgotten once its connection is closed');
  // One still held (its holder has not closed it) ends with the session; the lock after a closed one works.
  const held = env.desk.context().dbHandoff!()!;
  held.base.key.fill(0);
  for (const c of held.compartments) c.key.fill(0);
  env.desk.lock();
  assert.equal(held.ended.aborted, true, 'a handoff ends with the session');
  assert.equal(env.desk.openHandoffs, 0);
  assert.throws(() => env.desk.context(), (err: { code?: string }) => err.code === 'NO_SESSION');
  await env.desk.unlock(env.identity);
});

test('a level re-keyed during the job: the worker\'s connection is closed before the file is rewritten; resume finishes exactly', async () => {
  // Someone cleared for Mật loses it while the job runs: Mật gets a new key (compartments/rekey.ts).
  const officer = await addPerson(env.desk, { fullName: 'Phạm Văn Viên', role: 'chuyen_vien', clearance: 'mat' });
  const manager = await addPerson(env.desk, { fullName: 'Hoàng Quản Trị', role: 'quan_tri', clearance: 'tuyet_mat' });
  env.desk.lock('manual');
  await env.desk.unlock(env.identity); // the keyrings are written for the new holders
  const ring = levelKeyringFile(env.desk.profileDir, 'mat');
  const before = await openLevelKeyring(ring, 'mat', env.identity.unlockKeys[0]!);
  const third = writeImportArchive(join(work.dir, 'third'), ROWS, { seed: 13, minKb: 2, maxKb: 40 });
  let jobId = 0;
  let rekey: Promise<unknown> | null = null;
  const outcome = await env.desk.imports.start(env.admin, third.source, mapping, {
    batchSize: 60, workers: 2,
    onProgress: (p) => {
      jobId = p.jobId;
      if (!rekey && p.handled >= 30 && p.state === 'running') rekey = env.desk.org.setClearance(actorFor(getUser(env.desk.db, manager.id)!), officer.id, 'thuong');
    },
  }).then(() => null, (err: unknown) => err);
  assert.ok(rekey, 'the clearance changed during the job');
  await rekey;
  const after = await openLevelKeyring(ring, 'mat', env.identity.unlockKeys[0]!);
  assert.notEqual(after.keyId, before.keyId, 'Mật has a new key');
  const job = env.desk.imports.job(env.admin, jobId)!;
  if (job.state !== 'done') {
    // Stopped by the re-key (or by reading the compartment while it was detached): resumable, nothing twice.
    assert.ok(outcome instanceof Error, 'a job not done says why');
    const done = await env.desk.imports.resume(env.admin, jobId);
    assert.equal(done.job.state, 'done');
  }
  assert.equal(count(`SELECT count(DISTINCT row_key) FROM import_rows WHERE job_id = ${jobId}`), ROWS);
  assert.equal(count(`SELECT count(*) FROM import_rows WHERE job_id = ${jobId}`), ROWS);
  for (const c of ['c_thuong', 'c_mat']) {
    const years = env.desk.db.prepare(`SELECT year, count(*) AS n, count(DISTINCT arrival_number) AS d, min(arrival_number) AS lo, max(arrival_number) AS hi FROM ${c}.incoming GROUP BY register_id, year`).all() as Array<{ n: number; d: number; lo: number; hi: number }>;
    for (const y of years) assert.deepEqual([y.d, y.lo, y.hi], [y.n, 1, y.n]);
  }
  assert.equal(verifyAuditChain(env.desk.db), null);
  await settle();
  assert.equal(env.desk.openHandoffs, 0, 'no handoff left after the re-key and the resumed job');
  // The Mật compartment opens under the new key with everything in it, after a lock and unlock too.
  const matRows = count('SELECT count(*) FROM c_mat.incoming');
  env.desk.lock('manual');
  await env.desk.unlock(env.identity);
  assert.equal(count('SELECT count(*) FROM c_mat.incoming'), matRows);
  assert.equal(env.desk.db.prepare('PRAGMA c_mat.quick_check').pluck().get(), 'ok');
});
