// Base migration 34 and compartment migration 13 (docs/exchange.md, "Packet ids are the sender's"): on a
// profile and a compartment made before them, the incoming tables are keyed by (sender, packet id), every
// row kept with its sender; another sender's packet under a held id then has its own row, while the same
// sender's id again is still one packet.
import assert from 'node:assert/strict';
import Database from 'better-sqlite3-multiple-ciphers';
import { test } from 'node:test';
import { openDatabase } from '../../main/core/db/connection';
import { MIGRATIONS } from '../../main/core/db/migrations';
import { COMPARTMENT_MIGRATIONS, migrateCompartment } from '../../main/core/compartments/schema';
import { markTaken, pendingInbound, sha256Hex, storeInbound } from '../../main/core/sync/packets/queue';
import { tempDir } from '../helpers/desk';

const ID = 'pkt-0000000000000001';
/** The steps under test (1-based, as user_version counts them): the profile is built up to the one before. */
const BASE_STEP = 34;
const COMPARTMENT_STEP = 13;

test('base 34: packet_inbox and exchange_inbound keep their rows and take a second sender under a held id', () => {
  const t = tempDir();
  try {
    const file = `${t.dir}/securedesk.db`;
    const old = new Database(file);
    old.pragma('foreign_keys = ON');
    // The profile as the build before this step left it.
    for (const step of MIGRATIONS.slice(0, BASE_STEP - 1)) {
      if (typeof step === 'string') old.exec(step);
      else step(old);
    }
    old.pragma(`user_version = ${BASE_STEP - 1}`);
    old.prepare("INSERT INTO packet_inbox (seq, packet_id, from_code, sha256, size, bytes, received_at, fetched_at, taken_at) VALUES (1, ?, 'A', 'aa', 2, NULL, '2026-12-01T00:00:00Z', '2026-12-01T00:00:01Z', '2026-12-01T00:00:02Z')").run(ID);
    assert.throws(() => old.prepare("INSERT INTO packet_inbox (seq, packet_id, from_code, sha256, size, bytes, received_at, fetched_at) VALUES (9, ?, 'C', 'x', 1, NULL, 't', 't')").run(ID), /UNIQUE/,
      'before: one packet id, one row whatever its sender');
    old.prepare("INSERT INTO exchange_inbound (packet_id, from_code, received_at, accepted_at, bytes, state, reason, opened_at) VALUES (?, 'A', '2026-12-01T00:00:00Z', '2026-12-01T00:00:02Z', NULL, 'opened', NULL, '2026-12-01T00:00:03Z')").run(ID);
    assert.throws(() => old.prepare("INSERT INTO exchange_inbound (packet_id, from_code, received_at, accepted_at, state) VALUES (?, 'C', 't', 't', 'pending')").run(ID), /UNIQUE|PRIMARY/);
    old.close();

    const { db } = openDatabase(file);
    try {
      assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length);
      assert.deepEqual(db.prepare('SELECT seq, packet_id, from_code, sha256, taken_at FROM packet_inbox').all(),
        [{ seq: 1, packet_id: ID, from_code: 'A', sha256: 'aa', taken_at: '2026-12-01T00:00:02Z' }]);
      assert.deepEqual(db.prepare('SELECT packet_id, from_code, state, opened_at FROM exchange_inbound').all(),
        [{ packet_id: ID, from_code: 'A', state: 'opened', opened_at: '2026-12-01T00:00:03Z' }]);
      // C's packet under A's id: its own row, pending, taken on its own.
      const bytes = Buffer.from('from C');
      assert.equal(storeInbound(db, 2, { packetId: ID, from: 'C', bytes, receivedAt: '2026-12-02T00:00:00Z', sha256: sha256Hex(bytes) }, '2026-12-02T00:00:01Z'), true);
      assert.deepEqual(pendingInbound(db).map((p) => [p.from, p.packetId]), [['C', ID]]);
      // A's id again (another seq from a replaying server): still A's one packet.
      assert.equal(storeInbound(db, 3, { packetId: ID, from: 'A', bytes, receivedAt: '2026-12-02T00:00:00Z', sha256: sha256Hex(bytes) }, '2026-12-02T00:00:01Z'), false);
      assert.equal(markTaken(db, 'A', ID, '2026-12-02T00:00:02Z'), false, "A's was taken before the migration");
      assert.equal(markTaken(db, 'C', ID, '2026-12-02T00:00:02Z'), true);
      assert.equal(markTaken(db, 'C', ID, '2026-12-02T00:00:03Z'), false);
      db.prepare("INSERT INTO exchange_inbound (packet_id, from_code, received_at, accepted_at, state) VALUES (?, 'C', 't', 't', 'pending')").run(ID);
      assert.throws(() => db.prepare("INSERT INTO exchange_inbound (packet_id, from_code, received_at, accepted_at, state) VALUES (?, 'A', 't', 't', 'pending')").run(ID), /UNIQUE|PRIMARY/);
      assert.deepEqual(db.pragma('foreign_key_check'), []);
    } finally {
      db.close();
    }
  } finally {
    t.cleanup();
  }
});

test('compartment 13: exchange_inbox and exchange_status_in keep their rows (and the statuses owed) and take a second sender', () => {
  const t = tempDir();
  try {
    const db = new Database(`${t.dir}/c_mat.db`);
    try {
      db.pragma('foreign_keys = ON');
      for (const step of COMPARTMENT_MIGRATIONS.slice(0, COMPARTMENT_STEP - 1)) db.exec(step);
      db.pragma(`user_version = ${COMPARTMENT_STEP - 1}`);
      const inbox = db.prepare(`INSERT INTO exchange_inbox (id, global_id, packet_id, from_code, from_name, document_id, business_type, header, verification, files, state, received_at)
        VALUES (?, ?, ?, ?, 'Cơ quan', 'doc', 0, '{}', '{}', '[]', 'waiting', '2026-12-01T00:00:00Z')`);
      inbox.run(7, 'gid-inbox-a', ID, 'A');
      db.prepare("INSERT INTO exchange_status_out (id, global_id, packet_id, inbox_id, code, at) VALUES (8, 'gid-out', 'status-01', 7, '01', '2026-12-01T00:00:00Z')").run();
      db.pragma('foreign_keys = OFF'); // a status names an outgoing document and its dispatch (whose recipient is left out here)
      db.prepare(`INSERT INTO outgoing (id, global_id, status, type_code, subject, secrecy, secrecy_rank, urgency, signer_id, drafted_by, created_at, updated_at)
        VALUES (1, 'gid-out-doc', 'issued', 'CV', 'Về việc', 'mat', 1, 'thuong', 1, 1, 't', 't')`).run();
      db.prepare("INSERT INTO outgoing_dispatches (id, global_id, outgoing_id, recipient_id, status, created_at, updated_at) VALUES (1, 'gid-dispatch', 1, 1, 'sent', 't', 't')").run();
      const statusIn = db.prepare(`INSERT INTO exchange_status_in (id, global_id, packet_id, outgoing_id, dispatch_id, from_code, code, received_at) VALUES (?, ?, ?, 1, 1, ?, '01', '2026-12-01T00:00:00Z')`);
      statusIn.run(9, 'gid-in-a', ID, 'A');
      assert.throws(() => inbox.run(10, 'gid-inbox-c', ID, 'C'), /UNIQUE/, 'before: one packet id, one arrival');
      db.pragma('foreign_keys = ON');

      migrateCompartment(db, 'mat', 'profile');
      assert.equal(db.pragma('user_version', { simple: true }), COMPARTMENT_MIGRATIONS.length);
      assert.deepEqual(db.prepare('SELECT id, global_id, packet_id, from_code, state FROM exchange_inbox').all(), [{ id: 7, global_id: 'gid-inbox-a', packet_id: ID, from_code: 'A', state: 'waiting' }]);
      assert.deepEqual(db.prepare('SELECT id, global_id, packet_id, inbox_id, made FROM exchange_status_out').all(), [{ id: 8, global_id: 'gid-out', packet_id: 'status-01', inbox_id: 7, made: 0 }]);
      assert.deepEqual(db.prepare('SELECT id, global_id, packet_id, from_code FROM exchange_status_in').all(), [{ id: 9, global_id: 'gid-in-a', packet_id: ID, from_code: 'A' }]);
      assert.deepEqual(db.pragma('foreign_key_check(exchange_status_out)'), []);
      // The status owed still needs its arrival.
      assert.throws(() => db.prepare("INSERT INTO exchange_status_out (id, global_id, packet_id, inbox_id, code, at) VALUES (11, 'g', 'p', 999, '01', 't')").run(), /FOREIGN KEY/);

      inbox.run(10, 'gid-inbox-c', ID, 'C');
      assert.throws(() => inbox.run(12, 'gid-inbox-a2', ID, 'A'), /UNIQUE/, "A's id again is still A's one arrival");
      db.pragma('foreign_keys = OFF');
      statusIn.run(13, 'gid-in-c', ID, 'C');
      assert.throws(() => statusIn.run(14, 'gid-in-a2', ID, 'A'), /UNIQUE/);
      assert.equal(db.prepare("SELECT count(*) FROM sqlite_temp_master WHERE name LIKE 'exchange%'").pluck().get(), 0, 'no temporary table left');
    } finally {
      db.close();
    }
  } finally {
    t.cleanup();
  }
});
