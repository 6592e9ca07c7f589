// Base migration 35 (docs/server.md, "Numbering authority", moving a register's home): a profile made
// before it gets the local table of the homes the agency server names, empty (the synced creating
// workstation rules until the server says otherwise); once a home is heard, it rules over the synced
// column for every register of the scope, and the column itself is left as the creation made it.
import assert from 'node:assert/strict';
import Database from 'better-sqlite3-multiple-ciphers';
import { test } from 'node:test';
import { openDatabase } from '../../main/core/db/connection';
import { MIGRATIONS } from '../../main/core/db/migrations';
import { sequenceKeyOf } from '../../main/core/documents/sequenceKey';
import { writeTx } from '../../main/core/db/transaction';
import { workstationId } from '../../main/core/events/eventLog';
import { ensureOutgoingRegisters, outgoingRegisterFor } from '../../main/core/outgoing/config';
import { newDesk, tempDir } from '../helpers/desk';

const BASE_STEP = 35;

test('base 35: the heard homes table, empty after the upgrade, one row per register', () => {
  const t = tempDir();
  try {
    const file = `${t.dir}/securedesk.db`;
    const old = new Database(file);
    old.pragma('foreign_keys = ON');
    for (const step of MIGRATIONS.slice(0, BASE_STEP - 1)) {
      if (typeof step === 'string') old.exec(step);
      else step(old);
    }
    old.pragma(`user_version = ${BASE_STEP - 1}`);
    assert.equal(old.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'register_homes_heard'").pluck().get(), 0);
    old.close();
    const { db } = openDatabase(file);
    try {
      assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length);
      assert.equal(db.prepare('SELECT count(*) FROM register_homes_heard').pluck().get(), 0);
      db.prepare("INSERT INTO register_homes_heard (register_global_id, home, heard_at) VALUES ('r-1', 'ws-a', '2026-12-06T00:00:00Z')").run();
      assert.throws(() => db.prepare("INSERT INTO register_homes_heard (register_global_id, home, heard_at) VALUES ('r-1', 'ws-b', 't')").run(), /UNIQUE|PRIMARY/);
    } finally {
      db.close();
    }
  } finally {
    t.cleanup();
  }
});

test('a heard home rules over the synced creating workstation, for every register of the scope', async () => {
  const env = await newDesk('party');
  try {
    const db = env.desk.db;
    const me = workstationId(db);
    // The party preset's two outgoing registers share one scope: one key, one home.
    writeTx(db, () => ensureOutgoingRegisters(db, env.admin.id, new Date()));
    const a = outgoingRegisterFor(db, 'thuong')!.id;
    const b = outgoingRegisterFor(db, 'mat')!.id;
    assert.notEqual(a, b);
    const key = sequenceKeyOf(db, a);
    assert.deepEqual(sequenceKeyOf(db, b), key);
    assert.equal(key.home, me, 'the creating workstation until the server says otherwise');
    db.prepare("INSERT INTO register_homes_heard (register_global_id, home, heard_at) VALUES (?, 'ws-moved-to-b', '2026-12-06T00:00:00Z')").run(key.register);
    assert.equal(sequenceKeyOf(db, a).home, 'ws-moved-to-b');
    assert.equal(sequenceKeyOf(db, b).home, 'ws-moved-to-b');
    assert.deepEqual(db.prepare("SELECT DISTINCT home_workstation FROM registers WHERE kind = 'outgoing'").pluck().all(), [me], 'the synced column is untouched');
  } finally {
    env.desk.close();
    env.cleanup();
  }
});
