// A registration killed (SIGKILL) after the staged file was sealed into the Tối mật store and before
// the record's transaction committed: no plaintext anywhere under the profile; at the next unlock the
// blob no record took is removed and the staged file (sealed with the person's own key) is still
// there, and registers; the registered file reads back byte-identical under the level key.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { AttachmentStore } from '../../main/core/attachments/store';
import { openLevelKeyring } from '../../main/core/compartments/keyrings';
import { levelKeyringFile, levelStoreDir } from '../../main/core/compartments/levels';
import { Desk } from '../../main/core/desk';
import { actorFor, getUser } from '../../main/core/org/users';
import { makeSamplePdf } from '../../main/devhost/samplePdf';
import { newDesk, registration, softIdentity, tempDir } from '../helpers/desk';

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? filesUnder(join(dir, n)) : [join(dir, n)]));
}

async function readAll(s: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

test('kill -9 between the seal into the level store and the commit: nothing orphaned, nothing in clear, the staged file still registers', async () => {
  const env = await newDesk('state');
  const side = tempDir('securedesk-crash-pdf-');
  try {
    const gid = env.desk.db.prepare('SELECT global_id FROM users WHERE id = 1').pluck().get() as string;
    env.desk.close();
    const pdf = Buffer.from(await makeSamplePdf({ issuer: 'Ban Chỉ đạo', numberSymbol: '47-KH/BCĐPTKV', title: 'PHƯƠNG ÁN', subject: 'Phương án phòng thủ khu vực Hoành Bồ năm 2027' }));
    const pdfFile = join(side.dir, 'phuong-an.pdf');
    writeFileSync(pdfFile, pdf);
    const id = softIdentity();
    const store = levelStoreDir(env.dir, 'toi_mat');
    const before = new Set(filesUnder(store));

    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/fixtures/processes/registerHeldChild.ts', env.dir, pdfFile], {
      stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, SD_TEST_CERT: id.certPem, SD_TEST_KEY: id.keyPem },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const personal = join(env.dir, 'staging', gid);
    // The child kills itself from a watching thread once the blob is sealed and the marker placed.
    const signal = await new Promise<NodeJS.Signals | null>((r) => child.on('close', (_code, sig) => r(sig)));
    assert.equal(signal, 'SIGKILL', `the child was killed (it printed: ${out.trim()})`);
    assert.match(out, /killing: blob sealed, transaction waiting/, 'killed in the window, by its watcher');
    assert.ok(!out.includes('committed\n'), 'the record never committed');
    const stagedId = /staged ([0-9a-f]{32})/.exec(out)![1]!;

    // On disk after the crash: the sealed staged copy, its marker, an orphaned Tối mật blob; no plaintext.
    const chunk = pdf.subarray(200, 264);
    for (const f of filesUnder(env.dir)) assert.equal(readFileSync(f).includes(chunk), false, `${f} holds bytes of the file in clear`);
    assert.ok(existsSync(join(personal, stagedId)), 'the staged copy stays until a commit');
    assert.ok(filesUnder(personal).some((f) => f.endsWith('.placing')), 'the placing marker was left');
    const orphans = filesUnder(store).filter((f) => !before.has(f) && !f.endsWith('.part'));
    assert.equal(orphans.length, 1, 'one blob was sealed into the level store');

    // The next unlock: the blob no record took is removed, the marker resolved, the staged file kept.
    const desk = await Desk.open({ profileDir: env.dir });
    try {
      const session = await desk.unlock(id);
      const actor = { ...actorFor(getUser(desk.db, session.user.id)!), rights: session.rights };
      assert.equal(desk.db.prepare('SELECT count(*) FROM c_toi_mat.incoming').pluck().get(), 0);
      assert.deepEqual(filesUnder(store).filter((f) => !before.has(f)), [], 'the orphaned blob is gone');
      assert.deepEqual(filesUnder(personal).filter((f) => f.endsWith('.placing')), [], 'the marker is resolved');
      const meta = await desk.context().store.stagedMeta(stagedId, actor.id);
      assert.equal(meta.size, pdf.length, 'the staged file is still usable');

      // It registers, and reads back byte-identical under the Tối mật key.
      const r = await desk.incoming.register(actor, await registration(desk, actor, { secrecy: 'toi_mat', stagedIds: [stagedId], subject: 'Phương án phòng thủ' }));
      const att = desk.incoming.get(actor, r.id).attachments[0]!;
      assert.equal(att.sha256, meta.sha256);
      const levelKey = await openLevelKeyring(levelKeyringFile(env.dir, 'toi_mat'), 'toi_mat', id.unlockKeys[0]!);
      const raw = new AttachmentStore(store, join(env.dir, 'staging'), levelKey.key);
      assert.ok((await readAll(raw.openBlob(att.sha256))).equals(pdf), 'the registered file, opened with the level key alone');
      assert.equal(filesUnder(store).filter((f) => !before.has(f)).length, 1, 'one blob, referenced');
      assert.equal(existsSync(join(personal, stagedId)), false, 'the staged copy is gone once committed');
      levelKey.key.fill(0);
    } finally {
      desk.close();
    }
  } finally {
    side.cleanup();
    env.cleanup();
  }
});
