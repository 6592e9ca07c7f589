// Global ids and the ordered event log: every record gets a UUIDv7, every change one event in the
// same transaction; the log cannot be edited; two processes writing at once both succeed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import Database from 'better-sqlite3-multiple-ciphers';
import { test } from 'node:test';
import { Desk } from '../../main/core/desk';
import { openDatabase } from '../../main/core/db/connection';
import { MIGRATIONS } from '../../main/core/db/migrations';
import { eventsSince, RECORD_TABLES } from '../../main/core/events/eventLog';
import { isGlobalId } from '../../main/core/events/globalId';
import { addActor, newDesk, registration, softIdentity, tempDir } from '../helpers/desk';

test('every record has a UUIDv7 global id and every change an ordered event', async () => {
  const env = await newDesk('state');
  try {
    const { desk, admin } = env;
    const it = addActor(desk, 'quan_tri', 'tuyet_mat', 'Phạm Quản Trị');
    const officer = await desk.org.addUser(it, { fullName: 'Trần Văn Bình', position: 'Chuyên viên', role: 'chuyen_vien', clearance: 'mat' });
    const r = await desk.incoming.register(admin, await registration(desk, admin, { subject: 'Về việc chuyển đổi số' }));
    const db = desk.db;
    for (const table of RECORD_TABLES) {
      const missing = db.prepare(`SELECT count(*) FROM ${table} WHERE global_id IS NULL`).pluck().get() as number;
      assert.equal(missing, 0, `${table} rows without a global id`);
      for (const gid of db.prepare(`SELECT global_id FROM ${table}`).pluck().all() as string[]) assert.ok(isGlobalId(gid), `${table}: ${gid}`);
    }
    // Two logs: the base's (people, units, registers) and the Thường compartment's (its documents),
    // each ordered by its own sequence; a document's events never go to the base's log.
    const events = eventsSince(db, 0);
    const docEvents = eventsSince(db, 0, 1000, 'c_thuong');
    for (const log of [events, docEvents]) {
      // Ordered: seq strictly increasing, event ids (UUIDv7) sorted the same way.
      for (let i = 1; i < log.length; i++) {
        assert.ok(log[i]!.seq > log[i - 1]!.seq);
        assert.ok(log[i]!.id > log[i - 1]!.id, 'UUIDv7 event ids follow the order of the log');
      }
    }
    assert.ok(!events.some((e) => ['incoming', 'attachments', 'incoming_recipients'].includes(e.entity)), 'no document event in the base log');
    const incomingGid = db.prepare('SELECT global_id FROM c_thuong.incoming WHERE id = ?').pluck().get(r.id) as string;
    const created = docEvents.filter((e) => e.entityId === incomingGid);
    assert.equal(created.length, 1);
    assert.equal(created[0]!.kind, 'create');
    assert.equal(created[0]!.data.subject, 'Về việc chuyển đổi số');
    assert.equal(created[0]!.data.arrival_number, r.arrivalNumber);
    assert.equal(created[0]!.actor, db.prepare('SELECT global_id FROM users WHERE id = ?').pluck().get(admin.id));
    assert.ok(!('id' in created[0]!.data), 'local ids stay local');
    assert.ok(docEvents.some((e) => e.entity === 'attachments' && e.kind === 'create'));
    const officerGid = db.prepare('SELECT global_id FROM users WHERE id = ?').pluck().get(officer.id) as string;
    assert.ok(events.some((e) => e.entity === 'users' && e.entityId === officerGid));
    assert.ok(events.some((e) => e.entity === 'user_certificates'), 'the bound certificate is an event too');
    const origins = new Set([...events, ...docEvents].map((e) => e.origin));
    assert.equal(origins.size, 1);
    assert.ok(isGlobalId([...origins][0]!));
    // Append-only, both logs.
    for (const log of ['main.events', 'c_thuong.events']) {
      assert.throws(() => db.prepare(`UPDATE ${log} SET data = ? WHERE seq = 1`).run('{}'), /append-only/);
      assert.throws(() => db.prepare(`DELETE FROM ${log}`).run(), /append-only/);
    }
    // A failed registration appends nothing, to either log.
    const before = [eventsSince(db, 0).length, eventsSince(db, 0, 1000, 'c_thuong').length];
    await assert.rejects(desk.incoming.register(admin, { ...(await registration(desk, admin)), documentDate: '2026-12-01', arrivalDate: '2026-11-01' }));
    assert.deepEqual([eventsSince(db, 0).length, eventsSince(db, 0, 1000, 'c_thuong').length], before);
  } finally {
    env.cleanup();
  }
});

test('a profile from before global ids gets one for every existing row, and a workstation id', () => {
  const t = tempDir();
  try {
    // A schema-6 database as the previous version left it, with rows.
    const old = new Database(`${t.dir}/securedesk.db`);
    for (const step of MIGRATIONS.slice(0, 6)) old.exec(step as string);
    old.pragma('user_version = 6');
    old.prepare("INSERT INTO units (name, name_folded, code, is_self, created_at) VALUES ('Sở Nội vụ', 'so noi vu', NULL, 0, '2026-01-01T00:00:00Z')").run();
    old.prepare("INSERT INTO users (full_name, position, role, clearance, created_at) VALUES ('Lê Thị Cúc', 'Văn thư', 'van_thu', 'mat', '2026-01-01T00:00:00Z')").run();
    old.close();
    const { db } = openDatabase(`${t.dir}/securedesk.db`);
    try {
      assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length);
      for (const table of ['units', 'users']) {
        const gid = db.prepare(`SELECT global_id FROM ${table}`).pluck().get() as string;
        assert.ok(isGlobalId(gid), `${table}: ${gid}`);
      }
      assert.ok(isGlobalId(db.prepare("SELECT value FROM settings WHERE key = 'workstation_id'").pluck().get() as string));
    } finally {
      db.close();
    }
  } finally {
    t.cleanup();
  }
});

test('two processes registering on one profile at once: every registration succeeds', async () => {
  const env = await newDesk('state');
  env.desk.close();
  try {
    const id = softIdentity();
    const run = (prefix: string) => new Promise<number[]>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'tests/fixtures/processes/registerLoop.ts', env.dir, '40', prefix], {
        stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SD_TEST_CERT: id.certPem, SD_TEST_KEY: id.keyPem },
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
      child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
      child.on('close', (code) => (code === 0 ? resolve(out.trim().split('\n').map(Number)) : reject(new Error(`exit ${code}: ${err.slice(-800)}`))));
    });
    const [a, b] = await Promise.all([run('100'), run('200')]);
    assert.equal(a.length + b.length, 80);
    const all = [...a, ...b].sort((x, y) => x - y);
    assert.deepEqual(all, Array.from({ length: 80 }, (_, i) => i + 1), 'arrival numbers 1..80, none lost or doubled');
    const desk = await Desk.open({ profileDir: env.dir });
    await desk.unlock(env.identity);
    try {
      assert.equal(desk.db.prepare('SELECT count(*) FROM incoming').pluck().get(), 80);
      assert.equal(desk.db.prepare("SELECT count(*) FROM events WHERE entity = 'incoming'").pluck().get(), 80);
    } finally {
      desk.close();
    }
  } finally {
    env.cleanup();
  }
});

