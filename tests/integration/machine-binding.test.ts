// A profile moved to another computer takes a new workstation id before anything is written
// (main/core/sync/machineBinding.ts, docs/sync.md "A new workstation"): a copy of a real profile opened
// with another computer's identity gets its own id, its push cursors after what it held (the original
// sends those), its first writes under the new id, one audit entry; the original on its own computer, and
// the copy opened again, keep theirs; a computer without an identity changes nothing.
import assert from 'node:assert/strict';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Desk } from '../../main/core/desk';
import { workstationId } from '../../main/core/events/eventLog';
import { machineFingerprint, machineIdentity } from '../../main/core/sync/machineBinding';
import { getState, pushCursorKey } from '../../main/core/sync/outbox';
import { actorFor } from '../../main/core/org/users';
import { newDesk, registration, tempDir } from '../helpers/desk';

const OTHER = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';
let t: { dir: string; cleanup(): void };
let original = '';
let identity: Awaited<ReturnType<typeof newDesk>>['identity'];
let firstId = '';

const open = async (dir: string, machine: string | null) => {
  const desk = await Desk.open({ profileDir: dir, machineIdentity: () => machine });
  const session = await desk.unlock(identity);
  await desk.writable();
  return { desk, actor: actorFor(session.user) };
};
const count = (desk: Desk, sql: string, ...p: unknown[]) => desk.db.prepare(sql).pluck().get(...p) as number;

before(async () => {
  t = tempDir('securedesk-machine-');
  original = join(t.dir, 'original');
  // Made on this computer (its own identity, as the app reads it), with a registered document.
  const made = await newDesk('state', original);
  identity = made.identity;
  await made.desk.writable();
  await made.desk.incoming.register(made.admin, await registration(made.desk, made.admin));
  firstId = workstationId(made.desk.db);
  made.desk.close();
});

after(() => t?.cleanup());

test('this computer\'s identity is read from the operating system', () => {
  const id = machineIdentity();
  if (process.platform === 'linux') assert.equal(id, readFileSync('/etc/machine-id', 'utf8').trim());
  assert.ok(id === null || /^[0-9a-f-]{32,36}$/.test(id), String(id));
});

test('the profile is bound to the computer it was made on; opened there again, nothing changes', async () => {
  const { desk } = await open(original, machineIdentity());
  try {
    assert.equal(workstationId(desk.db), firstId);
    assert.equal(desk.db.prepare("SELECT value FROM settings WHERE key = 'workstation_machine'").pluck().get(), machineFingerprint(machineIdentity()!));
    assert.equal(count(desk, "SELECT count(*) FROM audit_log WHERE action = 'sync.workstation_moved'"), 0);
  } finally {
    desk.close();
  }
});

test('a copy opened on another computer takes a new workstation id before its first write; opened again, keeps it', async () => {
  const copy = join(t.dir, 'copy');
  cpSync(original, copy, { recursive: true });
  const { desk, actor } = await open(copy, OTHER);
  let newId = '';
  try {
    newId = workstationId(desk.db);
    assert.notEqual(newId, firstId);
    const moved = JSON.parse(desk.db.prepare("SELECT details FROM audit_log WHERE action = 'sync.workstation_moved'").pluck().get() as string) as Record<string, unknown>;
    assert.deepEqual(moved, { previous: firstId, id: newId, reason: 'machine_changed' });
    // What it held is the original's to send: its push cursors start after it, per stream.
    for (const [stream, schema] of [['base', 'main'], ['thuong', 'c_thuong']] as const) {
      const head = count(desk, `SELECT coalesce(max(seq), 0) FROM ${schema}.events WHERE origin = ?`, firstId);
      assert.ok(head > 0, `${stream}: the original's events are there`);
      assert.ok(Number(getState(desk.db, pushCursorKey(stream))) >= head, `${stream}: not sent again by the copy`);
    }
    // The session's first writes already carry the new id: nothing was written under the old one here.
    const unlock = desk.db.prepare("SELECT workstation FROM audit_log WHERE action = 'session.unlock' ORDER BY rowid DESC LIMIT 1").pluck().get();
    assert.equal(unlock, newId);
    await desk.incoming.register(actor, await registration(desk, actor, { subject: 'Về việc đăng ký tại máy trạm mới' }));
    assert.equal(count(desk, "SELECT count(*) FROM c_thuong.events WHERE origin = ? AND entity = 'incoming'", newId), 1);
    assert.equal(count(desk, "SELECT count(*) FROM c_thuong.events WHERE origin = ? AND entity = 'incoming'", firstId), 1);
  } finally {
    desk.close();
  }
  const again = await open(copy, OTHER);
  try {
    assert.equal(workstationId(again.desk.db), newId, 'the same computer: the same id');
    assert.equal(count(again.desk, "SELECT count(*) FROM audit_log WHERE action = 'sync.workstation_moved'"), 1);
  } finally {
    again.desk.close();
  }
  // The original, on its own computer, is untouched by its copy.
  const back = await open(original, machineIdentity());
  try {
    assert.equal(workstationId(back.desk.db), firstId);
  } finally {
    back.desk.close();
  }
});

test('a computer that gives no identity: nothing checked, nothing changed', async () => {
  const copy = join(t.dir, 'copy-unknown');
  cpSync(original, copy, { recursive: true });
  const { desk } = await open(copy, null);
  try {
    assert.equal(workstationId(desk.db), firstId);
    assert.equal(count(desk, "SELECT count(*) FROM audit_log WHERE action = 'sync.workstation_moved'"), 0);
  } finally {
    desk.close();
  }
});
