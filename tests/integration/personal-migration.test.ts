// A profile from before personal keys: a file staged and a draft saved then were sealed with the base
// key (or kept in clear in the base). At the person's next unlock the file is sealed again with their
// personal key (the old copy shredded) and the draft sealed; another person's stay as they were until
// that person unlocks. A person whose keyring is not addressed to the token used gets a new key, and
// what was sealed under the old one is removed.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { AttachmentStore } from '../../main/core/attachments/store';
import { personalKeyringFile } from '../../main/core/compartments/personalKeys';
import { writeTx } from '../../main/core/db/transaction';
import { bindCertificates } from '../../main/core/org/certificates';
import { openKeyring } from '../../main/core/profile/keyring';
import { newDesk } from '../helpers/desk';
import { addPerson, newIdentity } from '../helpers/people';

test('files staged and drafts saved before personal keys are sealed with the person\'s key at their next unlock', async () => {
  const env = await newDesk('state');
  try {
    const { desk, admin, identity } = env;
    const clerk = await addPerson(desk, { fullName: 'Trần Thị Bích', role: 'van_thu', clearance: 'mat' });
    const gid = (id: number) => desk.db.prepare('SELECT global_id FROM users WHERE id = ?').pluck().get(id) as string;
    // What an older version left: staged under the base key in staging/, drafts in clear.
    const baseKey = await openKeyring(join(env.dir, 'keyring.cms'), identity.unlockKeys[0]!);
    const legacy = new AttachmentStore(join(env.dir, 'store'), join(env.dir, 'staging'), baseKey);
    const body = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(70_000, 7), Buffer.from('\n%%EOF\n')]);
    const mine = await legacy.stage(Readable.from([body]), 'cu.pdf', 1 << 24, admin.id);
    const theirs = await legacy.stage(Readable.from([body]), 'cua-nguoi-khac.pdf', 1 << 24, clerk.id);
    const legacyDraft = (subject: string, files: unknown[]) => JSON.stringify({ subject, files });
    writeTx(desk.db, () => {
      const put = desk.db.prepare('INSERT INTO drafts (user_id, kind, data, saved_at) VALUES (?,?,?,?)');
      put.run(admin.id, 'incoming.register', legacyDraft('Nháp cũ của văn thư', [{ stagedId: mine.stagedId, name: 'cu.pdf', size: body.length, sha256: mine.sha256, isPdf: true }]), new Date().toISOString());
      put.run(clerk.id, 'incoming.register', legacyDraft('Nháp cũ của người khác', []), new Date().toISOString());
    });
    desk.lock('manual');

    const s = await desk.unlock(identity);
    const actor = { ...s.user, rights: s.rights };
    await desk.verdict();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(existsSync(join(env.dir, 'staging', mine.stagedId)), false, 'her old copy is gone');
    assert.ok(existsSync(join(env.dir, 'staging', gid(admin.id), mine.stagedId)), 'sealed again in her own area');
    const meta = await desk.context().store.stagedMeta(mine.stagedId, admin.id);
    assert.equal(meta.sha256, mine.sha256);
    assert.ok(existsSync(join(env.dir, 'staging', theirs.stagedId)), 'another person\'s stays until they unlock');
    const row = (id: number) => desk.db.prepare("SELECT typeof(data) FROM drafts WHERE user_id = ?").pluck().get(id);
    assert.equal(row(admin.id), 'blob', 'her draft is sealed');
    assert.equal(row(clerk.id), 'text', 'not another person\'s (nobody else has their key)');
    const d = await desk.drafts.load(actor, 'incoming.register');
    assert.equal(d?.data.subject, 'Nháp cũ của văn thư');
    assert.deepEqual(d?.data.files.map((f) => f.stagedId), [mine.stagedId], 'and its file is still hers');
    desk.lock('manual');

    await desk.unlock(clerk.identity);
    await desk.verdict();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(existsSync(join(env.dir, 'staging', theirs.stagedId)), false);
    assert.ok(existsSync(join(env.dir, 'staging', gid(clerk.id), theirs.stagedId)));
    assert.equal(row(clerk.id), 'blob');
    assert.deepEqual(readdirSync(join(env.dir, 'staging')).filter((f) => !f.includes('-')), [], 'nothing left under the base key');
    desk.lock('manual');

    // A token bound since, used before the old one re-addressed the key: a new key; the old seals are gone.
    const old = clerk.identity;
    const fresh = newIdentity('Trần Thị Bích');
    await desk.unlock(identity);
    writeTx(desk.db, () => bindCertificates(desk.db, clerk.id, [fresh.unlockKeys[0]!.certificate], admin.id, new Date(), 'administrator'));
    await desk.rewrapKeyring();
    desk.lock('manual');
    const s2 = await desk.unlock(fresh);
    await desk.verdict();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(await desk.drafts.load({ ...s2.user, rights: s2.rights }, 'incoming.register'), null, 'the draft under the old key is gone');
    assert.equal(desk.db.prepare('SELECT count(*) FROM drafts WHERE user_id = ?').pluck().get(clerk.id), 0);
    assert.equal(existsSync(join(env.dir, 'staging', gid(clerk.id), theirs.stagedId)), false, 'so is the file');
    assert.equal(desk.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'personal_key.replaced' AND entity_id = ?").pluck().get(clerk.id), 1);
    desk.lock('manual');
    // The new key is addressed to both her tokens now: the old one opens it too.
    await desk.unlock(old);
    assert.ok(existsSync(personalKeyringFile(env.dir, gid(clerk.id))));
    const staged = await desk.attachments.stage({ ...desk.session! }, Readable.from([body]), 'moi.pdf');
    assert.equal((await desk.context().store.stagedMeta(staged.stagedId, clerk.id)).size, body.length);
    desk.lock('manual');
    baseKey.fill(0);
  } finally {
    env.cleanup();
  }
});
