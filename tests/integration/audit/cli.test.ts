// `securedesk audit verify|export` as real processes on a real encrypted profile with a real SoftHSM
// token: heads are signed by the token at each unlock and lock; the export verifies with python3 and
// openssl alone; a chain rewritten with raw SQL (triggers dropped, a row deleted, hashes recomputed)
// on the unlocked profile is caught by the signed heads and the command exits 1.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { canonicalV2, ENTRY_COLUMNS, hashV2, type StoredEntry } from '../../../main/core/audit/canonical';
import { PENDING_EVENTS_FILE } from '../../../main/core/audit/AuditAnchor';
import { listHeads } from '../../../main/core/audit/heads';
import { Desk } from '../../../main/core/desk';
import { SessionGuard } from '../../../main/core/session/guard';
import { TokenService } from '../../../main/core/session/tokens';
import { TokenBridge } from '../../../native/bridge/client';
import { moduleId } from '../../../native/modules/discovery';
import { createSoftHsm, type SoftHsm } from '../../fixtures/softhsm/tokens';
import { tempDir } from '../../helpers/desk';
import { cliEntry } from '../../helpers/cli';

const t = tempDir('securedesk-audit-cli-');
const profile = join(t.dir, 'profile');
let hsm: SoftHsm;

function cli(args: string[], token: 'userRsa' | 'userEc' = 'userRsa') {
  const r = spawnSync(process.execPath, [...cliEntry(), ...args, '--profile', profile, '--module', hsm.modulePath, '--token', hsm.tokens[token].serial], {
    encoding: 'utf8',
    env: { ...hsm.env, SECUREDESK_PIN: hsm.tokens[token].pin },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

before(async () => {
  hsm = await createSoftHsm({ tokens: ['userRsa', 'userEc'] });
});
after(async () => {
  await hsm.cleanup();
  t.cleanup();
});

test('an administrator verifies and exports; the package checks out with python3 + openssl', () => {
  const init = cli(['init', '--unit-name', 'Văn phòng Tỉnh ủy', '--unit-code', '000.00.01.H49', '--preset', 'state',
    '--admin-name', 'Trần Văn Bình', '--admin-position', 'Quản trị hệ thống', '--role', 'quan_tri', '--json']);
  assert.equal(init.code, 0, init.err);
  const v = cli(['audit', 'verify', '--json']);
  assert.equal(v.code, 0, v.err + v.out);
  const verdict = JSON.parse(v.out);
  assert.equal(verdict.ok, true);
  // The token signed at setup's unlock, at its lock, and at this command's unlock.
  assert.ok(verdict.heads >= 2, `heads: ${verdict.heads}`);
  const out = join(t.dir, 'export');
  const e = cli(['audit', 'export', '--out', out]);
  assert.equal(e.code, 0, e.err);
  assert.match(e.out, /Đã xuất \d+ bản ghi/);
  const py = spawnSync('python3', [join(out, 'verify.py'), out], { encoding: 'utf8' });
  assert.equal(py.status, 0, py.stdout + py.stderr);
  assert.match(py.stdout, /^OK: \d+ entries/);
  assert.equal(cli(['audit', 'export']).code, 2, '--out is required');
  assert.equal(cli(['audit', 'export', '--out', join(t.dir, 'e2'), '--from', '31/12/2026', '--to', '01/01/2026']).code, 1, 'a period in the wrong order');
});

test('triggers dropped, a row deleted and the chain recomputed with raw SQL: audit verify names the head and exits 1', async () => {
  const bridge = new TokenBridge({ env: hsm.env });
  const tokens = new TokenService(bridge, async () => [hsm.modulePath]);
  const desk = await Desk.open({ profileDir: profile });
  const guard = new SessionGuard(desk, tokens);
  try {
    await guard.unlock({ moduleId: moduleId(hsm.modulePath), serial: hsm.tokens.userRsa.serial }, hsm.tokens.userRsa.pin);
    await desk.verdict();
    await desk.auditAnchor.settled();
    const db = desk.db;
    assert.ok(listHeads(db).length >= 3);
    db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
    db.prepare("DELETE FROM audit_log WHERE id = (SELECT min(id) FROM audit_log WHERE action = 'session.lock')").run();
    const rows = db.prepare(`SELECT ${ENTRY_COLUMNS} FROM audit_log ORDER BY id`).all() as StoredEntry[];
    let prev = '0'.repeat(64);
    for (const [i, r] of rows.entries()) {
      db.prepare('UPDATE audit_log SET id = ? WHERE id = ?').run(i + 1, r.seq);
      r.seq = i + 1;
      r.prevHash = prev;
      const h = hashV2(prev, canonicalV2(r));
      db.prepare('UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?').run(prev, h, r.seq);
      prev = h;
    }
  } finally {
    // Lock without signing a head over the forged chain (the attacker would not).
    guard.lock('removed');
    desk.close();
    await bridge.close();
  }
  const v = cli(['audit', 'verify', '--json']);
  assert.equal(v.code, 1, v.err + v.out);
  const verdict = JSON.parse(v.out);
  assert.equal(verdict.ok, false);
  assert.equal(verdict.firstBroken.problem, 'head_mismatch', verdict.firstBroken.message);
  const text = cli(['audit', 'verify']);
  assert.equal(text.code, 1);
  assert.match(text.out, /NHẬT KÝ HỆ THỐNG KHÔNG TOÀN VẸN: bản ghi \d+ \(head_mismatch\)/);
});

test('a token bound to nobody cannot open the profile to read the audit; the failed sign-in is recorded', () => {
  const r = cli(['audit', 'verify'], 'userEc');
  assert.equal(r.code, 1);
  assert.match(r.err, /NOT_BOUND/);
  assert.ok(existsSync(join(profile, PENDING_EVENTS_FILE)), 'kept for the next unlock');
  assert.match(readFileSync(join(profile, PENDING_EVENTS_FILE), 'utf8'), /"action":"session.sign_in","outcome":"failed","reason":"NOT_BOUND"/);
});
