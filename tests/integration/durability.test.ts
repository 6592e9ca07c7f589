// Crashes and damage: kill -9 in the middle of registrations leaves a consistent, resumable profile;
// a damaged database opens read-only with a banner and nothing is written to it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, openSync, readFileSync, readdirSync, writeSync, closeSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { addDaysIso, todayIso } from '../../common/dates';
import { DeskError } from '../../common/errors';
import { incomingRegisterSchema } from '../../common/schemas';
import { Desk } from '../../main/core/desk';
import { handlers, type HandlerContext } from '../../main/ipc/handlers';
import { sql } from 'kysely';
import { Store } from '../../server/storage/store';
import { addActor, newDesk, registration, softIdentity, tempDir } from '../helpers/desk';

const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

test('kill -9 during registrations: consistent database, blobs present, numbering resumes', async () => {
  const env = await newDesk('state');
  env.desk.close();
  try {
    const id = softIdentity();
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/fixtures/processes/registerLoop.ts', env.dir], {
      stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, SD_TEST_CERT: id.certPem, SD_TEST_KEY: id.keyPem },
    });
    let seen = 0;
    await new Promise<void>((ok, fail) => {
      child.stdout.on('data', (d: Buffer) => {
        seen += d.toString().trim().split('\n').length;
        if (seen >= 25) { child.kill('SIGKILL'); ok(); }
      });
      child.on('exit', (code) => { if (seen < 25) fail(new Error(`child exited early: ${code}`)); });
    });
    await new Promise((r) => child.on('close', r));
    const desk = await Desk.open({ profileDir: env.dir });
    await desk.unlock(env.identity);
    try {
      assert.equal(desk.readOnly, false);
      assert.equal(desk.db.pragma('integrity_check', { simple: true }), 'ok');
      const count = desk.db.prepare('SELECT count(*) FROM incoming').pluck().get() as number;
      assert.ok(count >= 25, `at least the acknowledged registrations are there (${count})`);
      // Every record is complete: its index row, its attachments, their blobs.
      // (The documents are Thường: their records, index and blobs live in that compartment.)
      assert.equal(desk.db.prepare('SELECT count(*) FROM c_thuong.incoming_fts').pluck().get(), count);
      const atts = desk.db.prepare('SELECT sha256 FROM attachments').pluck().all() as string[];
      assert.equal(atts.length, count);
      const store = desk.context().storeFor('thuong');
      for (const h of atts) assert.ok(existsSync(store.blobPath(h)), `blob ${h} present`);
      // Numbers are dense 1..count and the counter agrees, so the next one follows on.
      const numbers = desk.db.prepare('SELECT arrival_number FROM incoming ORDER BY arrival_number').pluck().all() as number[];
      assert.deepEqual(numbers, Array.from({ length: count }, (_, i) => i + 1));
      const admin = await desk.unlock(env.identity);
      const next = await desk.incoming.register({ ...admin.user, rights: admin.rights }, await registration(desk, { ...admin.user, rights: admin.rights }, { documentDate: addDaysIso(todayIso(), -1), arrivalDate: todayIso() }));
      assert.equal(next.arrivalNumber, count + 1);
      assert.equal(readdirSync(join(env.dir, 'staging'), { recursive: true }).filter((f) => String(f).endsWith('.part')).length, 0, 'partial uploads are swept on open');
    } finally {
      desk.close();
    }
  } finally {
    env.cleanup();
  }
});

test('a damaged database opens read-only with a banner and nothing writes to it', async () => {
  const env = await newDesk('state');
  const { desk, admin } = env;
  for (let i = 0; i < 30; i++) await desk.incoming.register(admin, await registration(desk, admin, { subject: `Văn bản thứ ${i} về điện tử `.repeat(8).slice(0, 400) }));
  desk.db.pragma('wal_checkpoint(TRUNCATE)');
  desk.close();
  const file = join(env.dir, 'securedesk.db');
  // Scribble over a few pages in the middle of the file (a bad sector, a torn copy).
  const size = statSync(file).size;
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.alloc(4096 * 3, 0x5a), 0, 4096 * 3, Math.floor(size / 2 / 4096) * 4096);
  closeSync(fd);
  const before = sha(file);
  const damaged = await Desk.open({ profileDir: env.dir });
  await damaged.unlock(env.identity).catch(() => undefined);
  // The check runs on the database worker after the unlock; its verdict switches the profile.
  await damaged.verdict().catch(() => undefined);
  try {
    assert.equal(damaged.readOnly, true);
    const info = damaged.info();
    assert.equal(info.profile, 'damaged');
    assert.match(info.banner ?? '', /chỉ đọc/);
    const actor = { id: 1, fullName: 'x', role: 'van_thu' as const, clearance: 'tuyet_mat' as const, rights: ['doc.read', 'doc.register', 'file.stage'] as const };
    const input = incomingRegisterSchema.parse({
      issuer: { name: 'Quận ủy Ba Đình' }, numberSymbol: '01-CV/QU', documentDate: '2026-11-01', typeCode: 'CV', subject: 'x',
      secrecy: 'thuong', urgency: 'thuong', stagedIds: ['a'.repeat(32)],
    });
    await assert.rejects(damaged.incoming.register(actor, input), (e: unknown) => e instanceof DeskError && e.code === 'READ_ONLY');
    await assert.rejects(damaged.attachments.stage(actor, (await import('node:stream')).Readable.from([Buffer.from('%PDF-1.4')]), 'a.pdf'), (e: unknown) => e instanceof DeskError && e.code === 'READ_ONLY');
    await assert.rejects(damaged.setup({ unit: { name: 'x', code: '000.00.00.H01', preset: 'state' }, admin: { fullName: 'a', position: 'b', role: 'quan_tri', clearance: 'mat' } }, env.identity), (e: unknown) => e instanceof DeskError && e.code === 'SETUP_DONE');
  } finally {
    damaged.close();
  }
  assert.equal(sha(file), before, 'the damaged file was not modified');
  // A file that is not a database at all (wrong key, garbage) is treated the same way.
  const fd2 = openSync(file, 'r+');
  writeSync(fd2, Buffer.alloc(100, 0x41), 0, 100, 0);
  closeSync(fd2);
  const garbage = await Desk.open({ profileDir: env.dir });
  await garbage.unlock(env.identity).catch(() => undefined);
  try {
    assert.equal(garbage.readOnly, true);
    assert.equal(garbage.info().profile, 'damaged');
    assert.deepEqual(garbage.users(), []);
  } finally {
    garbage.close();
    env.cleanup();
  }
});

/**
 * A profile with `n` registrations whose base `audit_log` table pages are then overwritten on disk (a
 * table of the base that unlock does not read; the documents themselves live in the compartments):
 * the file opens and unlocks, and only the integrity check can tell.
 */
async function damagedProfile(n: number) {
  const env = await newDesk('state');
  const { desk, admin } = env;
  for (let i = 0; i < n; i++) await desk.incoming.register(admin, await registration(desk, admin, { subject: `Văn bản thứ ${i} về điện tử `.repeat(8).slice(0, 400) }));
  const it = addActor(desk, 'quan_tri', 'tuyet_mat', 'Phạm Quản Trị');
  const pages = desk.db.prepare("SELECT pageno FROM main.dbstat WHERE name = 'audit_log' AND pagetype = 'leaf' ORDER BY pageno").pluck().all() as number[];
  desk.db.pragma('wal_checkpoint(TRUNCATE)');
  desk.close();
  await settle();
  assert.ok(pages.length >= 3, `the audit_log table spans ${pages.length} leaf pages`);
  const file = join(env.dir, 'securedesk.db');
  const fd = openSync(file, 'r+');
  for (const p of pages.slice(1, 3)) writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, (p - 1) * 4096);
  closeSync(fd);
  return { ...env, file, it };
}

/**
 * Holds the integrity checks until released: the window between the unlock and the verdict is then
 * the test's, not a race against a quick_check of a small file. `hold()` arms it again.
 */
function checkHold() {
  let release!: () => void;
  let held = Promise.resolve();
  const hold = () => { held = new Promise<void>((r) => (release = r)); };
  hold();
  return { beforeIntegrityCheck: () => held, release: () => release(), hold };
}

/** Lets a lingering connection of a locked profile (closed after its verdict) finish. */
const settle = () => new Promise((r) => setTimeout(r, 50));

/** The database file byte for byte, and how much its WAL holds (opening may create it empty; a write would add frames). */
const filesOf = (file: string) => `${sha(file)} wal ${existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0} bytes`;

test('unlock does not wait for the integrity check: it runs on the worker, and a bad verdict switches to read-only with the banner', async () => {
  const env = await damagedProfile(40);
  const checks = checkHold();
  const desk = await Desk.open({ profileDir: env.dir, beforeIntegrityCheck: checks.beforeIntegrityCheck });
  try {
    const session = await desk.unlock(env.identity);
    assert.equal(desk.integrity, 'checking', 'the session is open before the verdict');
    assert.equal(desk.readOnly, false);
    assert.equal(session.user.fullName, 'Nguyễn Thị Hương', 'reads proceed at once');
    // What the window asks right after the unlock: answered with the verdict.
    const shown = handlers['app.verdict']({ desk } as unknown as HandlerContext, {});
    checks.release();
    const verdict = await desk.verdict();
    assert.equal(verdict.ok, false);
    assert.match(verdict.ok ? '' : verdict.damage, /quick_check|corrupt|malformed/i);
    assert.equal(desk.integrity, 'damaged');
    assert.equal(desk.readOnly, true);
    const info = desk.info();
    assert.equal(info.profile, 'damaged');
    assert.match(info.banner ?? '', /chỉ đọc/);
    assert.deepEqual(await shown, info);
    await assert.rejects(desk.org.addUser(env.it, { fullName: 'Lê Văn C', position: 'x', role: 'chuyen_vien', clearance: 'thuong' }),
      (e: unknown) => e instanceof DeskError && e.code === 'READ_ONLY');
  } finally {
    desk.close();
    env.cleanup();
  }
});

test('a damaged compartment file: unlock reads at once, its check on the worker switches the profile to read-only', async () => {
  const env = await newDesk('state');
  const { desk, admin } = env;
  for (let i = 0; i < 40; i++) await desk.incoming.register(admin, await registration(desk, admin, { subject: `Văn bản thứ ${i} về điện tử `.repeat(8).slice(0, 400) }));
  const it = addActor(desk, 'quan_tri', 'tuyet_mat', 'Phạm Quản Trị');
  const pages = desk.db.prepare("SELECT pageno FROM dbstat('c_thuong') WHERE name = 'incoming' AND pagetype = 'leaf' ORDER BY pageno").pluck().all() as number[];
  desk.db.pragma('c_thuong.wal_checkpoint(TRUNCATE)');
  desk.db.pragma('wal_checkpoint(TRUNCATE)');
  await desk.verdict();
  desk.close();
  await settle();
  assert.ok(pages.length >= 3, `the Thường compartment's incoming table spans ${pages.length} leaf pages`);
  // The oldest records' pages: the newest page of the register still reads.
  const file = join(env.dir, 'compartments', 'thuong.db');
  const fd = openSync(file, 'r+');
  for (const p of pages.slice(0, 2)) writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, (p - 1) * 4096);
  closeSync(fd);
  const base = join(env.dir, 'securedesk.db');
  const before = [filesOf(base), filesOf(file)];
  const checks = checkHold();
  const opened = await Desk.open({ profileDir: env.dir, beforeIntegrityCheck: checks.beforeIntegrityCheck });
  try {
    const session = await opened.unlock(env.identity);
    assert.equal(opened.integrity, 'checking', 'the session is open before the verdict');
    const actor = { ...session.user, rights: session.rights };
    const adding = opened.org.addUser(it, { fullName: 'Lê Văn C', position: 'Chuyên viên', role: 'chuyen_vien', clearance: 'thuong' });
    checks.release();
    const verdict = await opened.verdict();
    assert.equal(verdict.ok, false);
    assert.match(verdict.ok ? '' : verdict.damage, /compartment thuong/, 'the damage names the compartment');
    assert.equal(opened.readOnly, true);
    assert.match(opened.info().banner ?? '', /chỉ đọc/);
    await assert.rejects(adding, (e: unknown) => e instanceof DeskError && e.code === 'READ_ONLY');
    await assert.rejects(opened.incoming.register(actor, incomingRegisterSchema.parse({
      issuer: { name: 'Quận ủy Ba Đình' }, numberSymbol: '01-CV/QU', documentDate: '2026-11-01', typeCode: 'CV', subject: 'x',
      secrecy: 'mat', urgency: 'thuong', stagedIds: ['a'.repeat(32)],
    })), (e: unknown) => e instanceof DeskError && e.code === 'READ_ONLY');
    // The read-only session still reads the compartments it holds (the newest page of the register).
    assert.equal(opened.heldLevels.length, 4);
    const page = opened.incoming.list(actor, { sort: { field: 'arrival', dir: 'desc' }, offset: 0, limit: 1 });
    assert.equal(page.length, 1);
  } finally {
    opened.close();
  }
  await settle();
  assert.deepEqual([filesOf(base), filesOf(file)], before, 'nothing was written to the base or the compartment');
  env.cleanup();
});

test('a write issued before the verdict waits for it, and never lands on a damaged database', async () => {
  const env = await damagedProfile(40);
  const before = filesOf(env.file);
  const checks = checkHold();
  const desk = await Desk.open({ profileDir: env.dir, beforeIntegrityCheck: checks.beforeIntegrityCheck });
  try {
    const session = await desk.unlock(env.identity);
    const actor = { ...session.user, rights: session.rights };
    assert.equal(desk.integrity, 'checking');
    // Issued while the check runs: neither may touch the file before the verdict, nor after a bad one.
    const adding = desk.org.addUser(env.it, { fullName: 'Lê Văn C', position: 'Chuyên viên', role: 'chuyen_vien', clearance: 'thuong' });
    const registering = desk.incoming.register(actor, incomingRegisterSchema.parse({
      issuer: { name: 'Quận ủy Ba Đình' }, numberSymbol: '01-CV/QU', documentDate: '2026-11-01', typeCode: 'CV', subject: 'x',
      secrecy: 'thuong', urgency: 'thuong', stagedIds: ['a'.repeat(32)],
    }));
    let settledEarly = false;
    void Promise.allSettled([adding, registering]).then(() => (settledEarly = desk.integrity === 'checking'));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(settledEarly, false, 'the writes wait while the check is held');
    checks.release();
    await assert.rejects(adding, (e: unknown) => e instanceof DeskError && e.code === 'READ_ONLY');
    await assert.rejects(registering, (e: unknown) => e instanceof DeskError && e.code === 'READ_ONLY');
    assert.equal(settledEarly, false, 'the writes waited for the verdict');
    assert.equal(desk.integrity, 'damaged');
    assert.equal(filesOf(env.file), before, 'nothing was written: not the writes, not the unlock record');
  } finally {
    desk.close();
  }
  await settle();
  assert.equal(filesOf(env.file), before, 'closing wrote nothing either');
  env.cleanup();
});

test('on a sound database a write issued before the verdict lands after it; a lock before the verdict keeps its records', async () => {
  const env = await newDesk('state');
  const it = addActor(env.desk, 'quan_tri', 'tuyet_mat', 'Phạm Quản Trị');
  env.desk.close();
  const checks = checkHold();
  const desk = await Desk.open({ profileDir: env.dir, beforeIntegrityCheck: checks.beforeIntegrityCheck });
  try {
    await desk.unlock(env.identity);
    assert.equal(desk.integrity, 'checking');
    const order: string[] = [];
    void desk.verdict().then(() => order.push('verdict'));
    setTimeout(checks.release, 50);
    const added = await desk.org.addUser(it, { fullName: 'Lê Văn C', position: 'Chuyên viên', role: 'chuyen_vien', clearance: 'thuong' });
    order.push('write');
    assert.deepEqual(order, ['verdict', 'write']);
    assert.equal(desk.integrity, 'ok');
    assert.equal(desk.db.prepare('SELECT full_name FROM users WHERE id = ?').pluck().get(added.id), 'Lê Văn C');
    // The setup's session, then this one: its record was held for the verdict.
    assert.equal(desk.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'session.unlock'").pluck().get(), 2, 'the unlock record, held for the verdict, is written');
    // Locked while the next check runs: its records are written once the verdict is in.
    desk.close();
    checks.hold();
    await desk.unlock(env.identity);
    assert.equal(desk.integrity, 'checking');
    desk.close();
    assert.equal(desk.state, 'locked');
    checks.release();
    await new Promise((r) => setTimeout(r, 100));
    await desk.unlock(env.identity);
    await desk.verdict();
    const count = (action: string) => desk.db.prepare('SELECT count(*) FROM audit_log WHERE action = ?').pluck().get(action) as number;
    // The session locked before its verdict writes its records when that verdict comes (its check may
    // finish after this one's on a busy machine).
    for (let waited = 0; count('session.lock') < 3 && waited < 20_000; waited += 50) await settle();
    // Sessions: the setup's, the one above, the one locked before its verdict, this one.
    assert.equal(count('session.unlock'), 4);
    assert.equal(count('session.lock'), 3);
  } finally {
    desk.close();
    await settle();
    env.cleanup();
  }
});

test('every commit is synced (synchronous = FULL): the base, each compartment, and the server\'s store', async () => {
  const env = await newDesk('state');
  try {
    const db = env.desk.db;
    const schemas = (db.pragma('database_list') as Array<{ name: string }>).map((d) => d.name).filter((n) => n === 'main' || n.startsWith('c_'));
    assert.ok(schemas.length >= 5, schemas.join());
    // 2 = FULL: a commit the person was told of survives a power cut (NORMAL, 1, could lose it).
    for (const s of schemas) assert.equal(db.pragma(`${s}.synchronous`, { simple: true }), 2, s);
  } finally {
    env.cleanup();
  }
  const dir = tempDir('securedesk-durable-server-');
  const store = await Store.open({ kind: 'sqlite', file: join(dir.dir, 'server.db') } as Parameters<typeof Store.open>[0]);
  try {
    const r = await sql<{ synchronous: number }>`PRAGMA synchronous`.execute(store.db);
    assert.equal(r.rows[0]?.synchronous, 2);
  } finally {
    await store.close();
    dir.cleanup();
  }
});
