// The data key opens SQLCipher as a raw key; a database keyed through PBKDF2 (`hexkey`, profiles
// before this build) is rekeyed once, in place, and a kill -9 in the middle of it loses nothing.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3-multiple-ciphers';
import { openDatabase } from '../../main/core/db/connection';
import { applyKey, openKeyed, rekeyMarker } from '../../main/core/db/keying';
import { rekeyToRaw } from '../../main/core/db/rekey';
import { Desk } from '../../main/core/desk';
import { openKeyring } from '../../main/core/profile/keyring';
import { newDesk, registration, tempDir } from '../helpers/desk';

const ROWS = 12_000;

/** A database keyed the old way (PBKDF2 from the hex key), in WAL mode, about 30 MB. */
function derivedDatabase(file: string, hexKey: string): string {
  const db = new Database(file);
  applyKey(db, hexKey, 'derived');
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE doc (id INTEGER PRIMARY KEY, subject TEXT NOT NULL, body BLOB NOT NULL); CREATE INDEX idx_doc_subject ON doc(subject);');
  const add = db.prepare('INSERT INTO doc (subject, body) VALUES (?, ?)');
  db.transaction(() => {
    for (let i = 0; i < ROWS; i++) add.run(`Văn bản số ${i} về chuyển đổi số ${randomBytes(8).toString('hex')}`, randomBytes(2000));
  })();
  const digest = contentDigest(db);
  db.close();
  return digest;
}

function contentDigest(db: Database.Database): string {
  const h = createHash('sha256');
  for (const r of db.prepare('SELECT id, subject, body FROM doc ORDER BY id').raw(true).iterate()) {
    const [id, subject, body] = r as [number, string, Buffer];
    h.update(`${id}\0${subject}\0`).update(body);
  }
  return h.digest('hex');
}

function opensWith(file: string, hexKey: string, form: 'raw' | 'derived'): boolean {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    applyKey(db, hexKey, form);
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return true;
  } catch {
    return false;
  } finally {
    db.close();
  }
}

test('a database keyed through PBKDF2 is rekeyed to the raw key once; the raw key opens it without key derivation', () => {
  const t = tempDir();
  try {
    const file = join(t.dir, 'securedesk.db');
    const hexKey = randomBytes(32).toString('hex');
    const digest = derivedDatabase(file, hexKey);
    assert.equal(opensWith(file, hexKey, 'raw'), false);
    const old = openKeyed(file, hexKey);
    assert.equal(old.form, 'derived', 'the old form is found after the raw key fails');
    old.db.close();

    assert.equal(rekeyToRaw(file, hexKey), 'rekeyed');
    assert.equal(existsSync(rekeyMarker(file)), false);
    assert.equal(opensWith(file, hexKey, 'raw'), true);
    assert.equal(opensWith(file, hexKey, 'derived'), false);
    const { db, form } = openKeyed(file, hexKey);
    try {
      assert.equal(form, 'raw');
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal', 'back in WAL mode');
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
      assert.equal(contentDigest(db), digest);
    } finally {
      db.close();
    }
    assert.equal(rekeyToRaw(file, hexKey), 'already-raw');
    // The core's open takes it in either form; a raw open is much cheaper than one through PBKDF2.
    const opened = openDatabase(file, { hexKey, check: 'deferred' });
    assert.equal(opened.keyForm, 'raw');
    opened.db.close();
  } finally {
    t.cleanup();
  }
});

test('the rekey is refused while another connection has the database open, and nothing changes', () => {
  const t = tempDir();
  try {
    const file = join(t.dir, 'securedesk.db');
    const hexKey = randomBytes(32).toString('hex');
    derivedDatabase(file, hexKey);
    const other = openKeyed(file, hexKey).db;
    try {
      other.pragma('busy_timeout = 0');
      assert.equal(rekeyToRaw(file, hexKey), 'busy');
    } finally {
      other.close();
    }
    assert.equal(existsSync(rekeyMarker(file)), false);
    assert.equal(opensWith(file, hexKey, 'derived'), true);
  } finally {
    t.cleanup();
  }
});

/**
 * Runs the rekey in a child process that kills itself (SIGKILL, from a watching worker thread) at
 * `killAt`; resolves with what it printed and how it ended.
 */
async function killDuringRekey(file: string, hexKey: string, killAt: 'early' | 'mixed', size: number): Promise<{ out: string; signal: NodeJS.Signals | null }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/fixtures/processes/rekeyChild.ts', file], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, SD_TEST_DB_KEY: hexKey, SD_TEST_KILL_AT: killAt, SD_TEST_DB_SIZE: String(size) },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const signal = await new Promise<NodeJS.Signals | null>((r) => child.on('close', (_code, sig) => r(sig)));
  return { out, signal };
}

/** The journal's header is synced (its magic written): pages of the file may already be rewritten. */
function hotJournal(journal: string): boolean {
  try {
    const fd = openSync(journal, 'r');
    try {
      const head = Buffer.alloc(8);
      return readSync(fd, head, 0, 8, 0) === 8 && !head.equals(Buffer.alloc(8));
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

const KILL_POINTS = [
  // The journal is being filled (more than 5 % of the file); the file itself not yet touched.
  { name: 'early in the rekey', killAt: 'early', mixed: false },
  // The journal is synced and more than half the pages journalled: the file holds pages under both keys.
  { name: 'with the file half rewritten', killAt: 'mixed', mixed: true },
] as const;

for (const point of KILL_POINTS) {
  test(`kill -9 ${point.name}: the next open rolls it back and the rekey completes, data intact`, async () => {
    const t = tempDir();
    try {
      const file = join(t.dir, 'securedesk.db');
      const hexKey = randomBytes(32).toString('hex');
      const digest = derivedDatabase(file, hexKey);
      const size = statSync(file).size;
      const journal = `${file}-journal`;
      const { out, signal } = await killDuringRekey(file, hexKey, point.killAt, size);
      assert.equal(signal, 'SIGKILL', `the child was killed (it printed ${JSON.stringify(out)})`);
      assert.match(out, /start/);
      assert.doesNotMatch(out, /rekeyed/, 'the child was killed before the rekey finished');
      assert.ok(existsSync(rekeyMarker(file)), 'the marker is left');
      assert.ok(existsSync(journal) && statSync(journal).size > 0, 'a journal is left (killed inside the transaction)');
      if (point.mixed) assert.ok(hotJournal(journal), 'the journal is hot');

      // The next open: the marker makes the derived key go first, which rolls a hot journal back.
      const { db, form } = openKeyed(file, hexKey);
      try {
        assert.equal(form, 'derived');
        assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
        assert.equal(contentDigest(db), digest, 'the data is as before the rekey');
        if (point.mixed) assert.equal(existsSync(journal), false, 'the hot journal was rolled back');
      } finally {
        db.close();
      }
      // And the rekey is done again, to the end.
      assert.equal(rekeyToRaw(file, hexKey), 'rekeyed');
      assert.equal(existsSync(journal), false);
      const raw = openKeyed(file, hexKey);
      try {
        assert.equal(raw.form, 'raw');
        assert.equal(raw.db.pragma('integrity_check', { simple: true }), 'ok');
        assert.equal(contentDigest(raw.db), digest);
      } finally {
        raw.db.close();
      }
    } finally {
      t.cleanup();
    }
  });
}

test('a marker left after the rekey committed (killed before removing it): the raw key opens the file and the marker goes', () => {
  const t = tempDir();
  try {
    const file = join(t.dir, 'securedesk.db');
    const hexKey = randomBytes(32).toString('hex');
    const digest = derivedDatabase(file, hexKey);
    assert.equal(rekeyToRaw(file, hexKey), 'rekeyed');
    writeFileSync(rekeyMarker(file), 'left by a kill\n');
    const { db, form } = openKeyed(file, hexKey);
    assert.equal(form, 'raw');
    assert.equal(contentDigest(db), digest);
    db.close();
    assert.equal(rekeyToRaw(file, hexKey), 'already-raw');
    assert.equal(existsSync(rekeyMarker(file)), false);
  } finally {
    t.cleanup();
  }
});

test('a profile keyed the old way is rekeyed at its first unlock, on the worker; its records are all there', async () => {
  const env = await newDesk('state');
  try {
    const r = await env.desk.incoming.register(env.admin, await registration(env.desk, env.admin, { subject: 'Về việc chuyển đổi số' }));
    env.desk.close();
    const file = join(env.dir, 'securedesk.db');
    const dataKey = await openKeyring(join(env.dir, 'keyring.cms'), env.identity.unlockKeys[0]!);
    const hexKey = dataKey.toString('hex');
    dataKey.fill(0);
    // As an earlier build left it: the same data key through PBKDF2.
    const old = openKeyed(file, hexKey).db;
    old.pragma('journal_mode = DELETE');
    old.pragma(`hexrekey='${hexKey}'`);
    old.pragma('journal_mode = WAL');
    old.close();
    assert.equal(opensWith(file, hexKey, 'raw'), false);

    const logged: string[] = [];
    const desk = await Desk.open({ profileDir: env.dir, logger: { log: (_l, msg, f) => void logged.push(`${msg} ${JSON.stringify(f ?? {})}`) } });
    try {
      await desk.unlock(env.identity);
      assert.ok(logged.some((l) => l.startsWith('database key') && l.includes('"rekey":"rekeyed"')), logged.join('\n'));
      assert.equal((await desk.verdict()).ok, true);
      assert.equal(desk.incoming.get(env.admin, r.id).subject, 'Về việc chuyển đổi số');
    } finally {
      desk.close();
    }
    assert.equal(opensWith(file, hexKey, 'raw'), true);
    assert.equal(opensWith(file, hexKey, 'derived'), false);
  } finally {
    env.cleanup();
  }
});
