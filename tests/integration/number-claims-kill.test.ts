// kill -9 aimed between the base's commit and the compartment's. A child registers documents without
// end (tests/fixtures/processes/registerLoop.ts); the test stops it (SIGSTOP) again and again and reads
// both files as they are committed: when the register's counter is ahead of the compartment's highest
// number, the child is between its two commits, and it is killed there (SIGKILL). The next unlock (a
// minute later by its clock) settles the claim: the register's numbers are dense and the counter is
// their highest, so the next registration takes the next number.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3-multiple-ciphers';
import { todayIso, yearOf } from '../../common/dates';
import { openLevelKeyring } from '../../main/core/compartments/keyrings';
import { compartmentFile, levelKeyringFile } from '../../main/core/compartments/levels';
import { applyKey } from '../../main/core/db/keying';
import { Desk } from '../../main/core/desk';
import { CLAIM_SETTLE_AFTER_MS } from '../../main/core/documents/numberClaims';
import { openKeyring } from '../../main/core/profile/keyring';
import { newDesk, softIdentity } from '../helpers/desk';

const ROUNDS = 3;
const SAMPLES_PER_ROUND = 3000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('kill -9 between the two commits of a registration: the next unlock gives the number back, the register stays dense', { timeout: 600_000 }, async () => {
  const env = await newDesk('state');
  const id = softIdentity();
  const dir = env.dir;
  try {
    env.desk.close();
    const period = String(yearOf(todayIso(new Date())));
    const baseKey = await openKeyring(join(dir, 'keyring.cms'), id.unlockKeys[0]!);
    const levelKey = await openLevelKeyring(levelKeyringFile(dir, 'thuong'), 'thuong', id.unlockKeys[0]!);
    const reader = (file: string, hex: string) => {
      const db = new Database(file, { readonly: true, fileMustExist: true });
      applyKey(db, hex, 'raw');
      db.pragma('busy_timeout = 2000');
      return db;
    };
    let aimed = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', 'tests/fixtures/processes/registerLoop.ts', dir, '', `${round}0000`], {
        stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, SD_TEST_CERT: id.certPem, SD_TEST_KEY: id.keyPem },
      });
      let out = '';
      let exited = false;
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const closed = new Promise((r) => child.on('close', r));
      child.on('exit', () => (exited = true));
      while (!/\d+\n/.test(out)) {
        assert.ok(!exited, `round ${round}: the child stopped before registering`);
        await sleep(20);
      }
      const base = reader(join(dir, 'securedesk.db'), baseKey.toString('hex'));
      const comp = reader(compartmentFile(dir, 'thuong'), levelKey.key.toString('hex'));
      const reg = base.prepare("SELECT id, scope_id FROM registers WHERE name = 'Sổ đăng ký văn bản đến'").get() as { id: number; scope_id: number };
      const counter = base.prepare("SELECT last FROM number_counters WHERE scope_id = ? AND period = ? AND bucket = '*'").pluck();
      const highest = comp.prepare('SELECT ifnull(max(arrival_number), 0) FROM incoming WHERE register_id = ? AND period = ?').pluck();
      let hit = false;
      for (let n = 0; n < SAMPLES_PER_ROUND && !hit; n++) {
        child.kill('SIGSTOP');
        const c = counter.get(reg.scope_id, period) as number;
        const h = highest.get(reg.id, period) as number;
        if (c > h) {
          child.kill('SIGKILL');
          hit = true;
        } else {
          child.kill('SIGCONT');
          await sleep(Math.random() * 3);
        }
      }
      if (!hit) child.kill('SIGKILL');
      child.kill('SIGCONT');
      await closed;
      base.close();
      comp.close();
      if (hit) aimed++;

      // A minute later by the desk's clock, the claim is settled at unlock.
      const desk = await Desk.open({ profileDir: dir, now: () => new Date(Date.now() + CLAIM_SETTLE_AFTER_MS + 5_000) });
      try {
        await desk.unlock(id);
        await desk.verdict();
        for (let t = 0; t < 100 && (desk.db.prepare('SELECT count(*) FROM number_claims').pluck().get() as number) > 0; t++) await sleep(20);
        const last = desk.db.prepare("SELECT last FROM number_counters WHERE scope_id = ? AND period = ? AND bucket = '*'").pluck().get(reg.scope_id, period) as number;
        const numbers = desk.db.prepare('SELECT arrival_number FROM c_thuong.incoming WHERE register_id = ? AND period = ? ORDER BY arrival_number').pluck().all(reg.id, period) as number[];
        assert.deepEqual(numbers, numbers.map((_, i) => i + 1), `round ${round}: dense`);
        assert.equal(last, numbers.length, `round ${round} (${hit ? 'aimed' : 'not aimed'}): the counter gave ${last}, the register holds 1..${numbers.length}`);
        assert.equal(desk.db.prepare('SELECT count(*) FROM number_claims').pluck().get(), 0, 'every claim settled');
      } finally {
        desk.close();
      }
    }
    assert.ok(aimed >= 1, `at least one kill landed between the two commits (${aimed} of ${ROUNDS})`);
  } finally {
    env.cleanup();
  }
});
