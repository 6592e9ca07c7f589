// Lowering a clearance re-keys the compartments the person loses: a new level key wrapped only for the
// people still cleared, the compartment file and its blobs under it; a copy of the old keyring opens
// nothing written after. An interrupted re-key is finished at the next unlock by someone who holds the level.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3-multiple-ciphers';
import { AttachmentStore } from '../../main/core/attachments/store';
import { openLevelKeyring } from '../../main/core/compartments/keyrings';
import { compartmentFile, levelKeyringFile, levelStoreDir } from '../../main/core/compartments/levels';
import { blobsOf, nextKeyringFile, rekeyCompartment } from '../../main/core/compartments/rekey';
import { holderCertificates } from '../../main/core/compartments/holders';
import { applyKey } from '../../main/core/db/keying';
import type { TokenIdentity } from '../../main/core/desk';
import { actorFor, getUser } from '../../main/core/org/users';
import { newDesk, registration } from '../helpers/desk';
import { addPerson } from '../helpers/people';

let env: Awaited<ReturnType<typeof newDesk>>;
let officer: { id: number; identity: TokenIdentity };
let admin: { id: number; identity: TokenIdentity };
let docId: number;

const opensWith = (file: string, key: Buffer): boolean => {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    applyKey(db, key.toString('hex'), 'raw');
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return true;
  } catch {
    return false;
  } finally {
    db.close();
  }
};

before(async () => {
  env = await newDesk();
  officer = await addPerson(env.desk, { fullName: 'Phạm Văn Viên', role: 'chuyen_vien', clearance: 'toi_mat' });
  admin = await addPerson(env.desk, { fullName: 'Hoàng Quản Trị', role: 'quan_tri', clearance: 'tuyet_mat' });
  docId = (await env.desk.incoming.register(env.admin, await registration(env.desk, env.admin, { secrecy: 'toi_mat', subject: 'Kế hoạch phòng thủ khu vực' }))).id;
});
after(() => env.cleanup());

test('a lowered clearance re-keys the lost level; the old keyring opens nothing after', async () => {
  const { desk } = env;
  const ring = levelKeyringFile(desk.profileDir, 'toi_mat');
  const file = compartmentFile(desk.profileDir, 'toi_mat');
  // The officer holds Tối mật, and keeps a copy of the keyring (an attacker's move).
  desk.lock('manual');
  await desk.unlock(officer.identity);
  assert.deepEqual(desk.heldLevels, ['thuong', 'mat', 'toi_mat']);
  const stolen = join(desk.profileDir, '..', `stolen-${Date.now()}.cms`);
  copyFileSync(ring, stolen);
  const oldKey = await openLevelKeyring(stolen, 'toi_mat', officer.identity.unlockKeys[0]!);
  assert.ok(opensWith(file, oldKey.key), 'the old key opens the compartment before');

  desk.lock('manual');
  await desk.unlock(admin.identity);
  const a = actorFor(getUser(desk.db, admin.id)!);
  // The window is shown how far the re-key is, file by file, and when it is over.
  const shown: Array<{ level: string; done: number; total: number }> = [];
  const stop = desk.onWork((e) => shown.push({ level: e.task === 'rekey' ? e.level : e.task, done: e.done, total: e.total }));
  await desk.org.setClearance(a, officer.id, 'mat');
  stop();
  assert.ok(shown.length >= 2, JSON.stringify(shown));
  assert.ok(shown.every((e) => e.level === 'toi_mat' && e.done <= e.total && e.total >= 1), JSON.stringify(shown));
  assert.ok(shown.every((e, i) => i === 0 || e.done >= shown[i - 1]!.done), 'never goes back');
  assert.equal(shown[0]!.done, 0, 'shown from the start');
  assert.equal(shown.at(-1)!.done, shown.at(-1)!.total, 'and to the end');
  // A new key, the file and the blobs under it, the old key useless.
  assert.ok(!existsSync(nextKeyringFile(desk.profileDir, 'toi_mat')));
  const adminKey = await openLevelKeyring(ring, 'toi_mat', admin.identity.unlockKeys[0]!);
  assert.notEqual(adminKey.keyId, oldKey.keyId);
  assert.ok(!opensWith(file, oldKey.key), 'the old key no longer opens the compartment');
  assert.ok(opensWith(file, adminKey.key));
  await assert.rejects(openLevelKeyring(ring, 'toi_mat', officer.identity.unlockKeys[0]!), 'the officer is no longer a recipient');
  const sha = desk.incoming.get(actorFor(getUser(desk.db, env.admin.id)!), docId).attachments[0]!.sha256;
  const oldStore = new AttachmentStore(levelStoreDir(desk.profileDir, 'toi_mat'), join(desk.profileDir, 'staging'), oldKey.key);
  assert.ok(!(await oldStore.hasBlob(sha)), 'no blob is left under the old key');
  assert.ok(await desk.context().storeFor('toi_mat').hasBlob(sha), 'the blob is there under the new key');
  const audit = desk.db.prepare("SELECT details FROM main.audit_log WHERE action = 'compartment.rekey'").pluck().all() as string[];
  assert.equal(audit.length, 1);
  // The officer now holds Thường and Mật only.
  desk.lock('manual');
  await desk.unlock(officer.identity);
  assert.deepEqual(desk.heldLevels, ['thuong', 'mat']);
  // The văn thư still reads the record and its file.
  desk.lock('manual');
  await desk.unlock(env.identity);
  const clerk = actorFor(getUser(desk.db, env.admin.id)!);
  const d = desk.incoming.get(clerk, docId);
  assert.equal(d.subject, 'Kế hoạch phòng thủ khu vực');
  const ticket = desk.attachments.open(clerk, d.attachments[0]!.id).ticket;
  const opened = await desk.attachments.openTicket(ticket);
  assert.ok(opened);
  const chunks: Buffer[] = [];
  for await (const c of opened.stream) chunks.push(c as Buffer);
  assert.ok(Buffer.concat(chunks).subarray(0, 5).toString() === '%PDF-');
});

test('a re-key interrupted half-way is finished at the next unlock', async () => {
  const { desk } = env;
  // Two more files, so that the copy can stop between them.
  for (const s of ['Báo cáo thứ hai', 'Báo cáo thứ ba']) await desk.incoming.register(desk.session!, await registration(desk, desk.session!, { secrecy: 'toi_mat', subject: s }));
  const holders = holderCertificates(desk.db, 'toi_mat', []);
  desk.lock('manual');
  const ring = levelKeyringFile(desk.profileDir, 'toi_mat');
  const file = compartmentFile(desk.profileDir, 'toi_mat');
  const current = await openLevelKeyring(ring, 'toi_mat', env.identity.unlockKeys[0]!);
  const blobs = blobsOf(file, [current]);
  assert.ok(blobs.length >= 3);
  let copied = 0;
  await assert.rejects(rekeyCompartment({
    profileDir: desk.profileDir, current, holders, prover: env.identity.unlockKeys[0]!, blobs,
    storeFor: (dir, key) => {
      const s = new AttachmentStore(dir, join(desk.profileDir, 'staging'), key);
      const real = s.importBlob.bind(s);
      s.importBlob = async (from, sha) => {
        if (++copied === 2) throw new Error('power cut');
        return real(from, sha);
      };
      return s;
    },
  }), /power cut/);
  assert.ok(existsSync(nextKeyringFile(desk.profileDir, 'toi_mat')), 'the re-key is under way');
  assert.ok(!opensWith(file, current.key), 'the file was already rekeyed');
  // The next unlock by a holder finishes it; everything reads.
  await desk.unlock(env.identity);
  assert.ok(!existsSync(nextKeyringFile(desk.profileDir, 'toi_mat')));
  const clerk = actorFor(getUser(desk.db, env.admin.id)!);
  const rows = desk.incoming.list(clerk, { secrecy: ['toi_mat'], sort: { field: 'arrival', dir: 'desc' }, offset: 0, limit: 10 });
  assert.equal(rows.length, 3);
  for (const r of rows) {
    const att = desk.incoming.get(clerk, r.id).attachments[0]!;
    assert.ok(await desk.context().storeFor('toi_mat').hasBlob(att.sha256), `blob of ${r.id}`);
  }
  const now = await openLevelKeyring(ring, 'toi_mat', env.identity.unlockKeys[0]!);
  assert.notEqual(now.keyId, current.keyId);
  assert.ok(readFileSync(ring).length > 0);
});
