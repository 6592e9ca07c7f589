// The profile on disk is the person's alone: the database and its -wal/-shm, the keyring, blobs and
// logs are 0600, their folders 0700, also for a profile that an older version left 0644/0755.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Desk } from '../../main/core/desk';
import { fileLogger } from '../../main/core/log';
import { newDesk, registration, softIdentity } from '../helpers/desk';

const mode = (p: string) => statSync(p).mode & 0o777;
const octal = (m: number) => `0${m.toString(8)}`;

function assertPrivate(dir: string): void {
  const bad: string[] = [];
  const walk = (p: string) => {
    const st = statSync(p);
    const want = st.isDirectory() ? 0o700 : 0o600;
    if ((st.mode & 0o777) !== want) bad.push(`${p.slice(dir.length) || '/'} ${octal(st.mode & 0o777)}`);
    if (st.isDirectory()) for (const f of readdirSync(p)) walk(join(p, f));
  };
  walk(dir);
  assert.deepEqual(bad, [], 'every file 0600 and every folder 0700');
}

test('a new profile, its database files, keyring, store and logs are private to the user', { skip: process.platform === 'win32' ? 'POSIX modes' : false }, async () => {
  const env = await newDesk('state');
  try {
    const log = fileLogger(join(env.dir, 'logs', 'app.log'));
    log.log('info', 'written');
    await env.desk.incoming.register(env.admin, await registration(env.desk, env.admin));
    for (const f of ['securedesk.db', 'securedesk.db-wal', 'securedesk.db-shm', 'keyring.cms', 'logs/app.log',
      'keyrings/thuong.cms', 'keyrings/tuyet_mat.cms', 'compartments/thuong.db', 'compartments/tuyet_mat.db']) {
      assert.ok(existsSync(join(env.dir, f)), `${f} exists`);
      assert.equal(octal(mode(join(env.dir, f))), '0600', f);
    }
    assertPrivate(env.dir);
  } finally {
    env.cleanup();
  }
});

test('a profile left world-readable by an older version is made private when it is opened', { skip: process.platform === 'win32' ? 'POSIX modes' : false }, async () => {
  const env = await newDesk('state');
  await env.desk.incoming.register(env.admin, await registration(env.desk, env.admin));
  env.desk.close();
  const loosen = (p: string) => {
    const st = statSync(p);
    chmodSync(p, st.isDirectory() ? 0o755 : 0o644);
    if (st.isDirectory()) for (const f of readdirSync(p)) loosen(join(p, f));
  };
  loosen(env.dir);
  try {
    const desk = await Desk.open({ profileDir: env.dir, logger: fileLogger(join(env.dir, 'logs', 'app.log')) });
    await desk.unlock(softIdentity());
    // Blobs written before stay as they were, behind folders nobody else can enter.
    // (A document's blobs are in its level's store, compartments/<level>-files.)
    const blobDirs = ['store', ...readdirSync(join(env.dir, 'compartments')).filter((d) => d.endsWith('-files')).map((d) => join('compartments', d))];
    const blobs = new Set(blobDirs.flatMap((d) => readdirSync(join(env.dir, d), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name))));
    assert.ok([...blobs].some((b) => b.includes('thuong-files')), 'the Thường document\'s blob is in its level store');
    for (const b of blobs) chmodSync(b, 0o600);
    assertPrivate(env.dir);
    desk.close();
  } finally {
    env.cleanup();
  }
});
