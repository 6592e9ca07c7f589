// Audit reads through the IPC router: administrators (org.manage) search, filter, page, verify and
// export; a văn thư or a chuyên viên gets FORBIDDEN; refusals and failed sign-ins are themselves
// recorded (channel and code, never the payload).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { AuditExportSummary, AuditFacets, AuditPage, AuditVerifySummary } from '../../../common/contract';
import { todayIso } from '../../../common/dates';
import { PENDING_EVENTS_FILE } from '../../../main/core/audit/AuditAnchor';
import { appendAudit } from '../../../main/core/audit/auditLog';
import { writeTx } from '../../../main/core/db/transaction';
import type { TokenIdentity } from '../../../main/core/desk';
import { SessionGuard } from '../../../main/core/session/guard';
import { TokenService } from '../../../main/core/session/tokens';
import { createRouter } from '../../../main/ipc/router';
import { TokenBridge } from '../../../native/bridge/client';
import { newDesk, tempDir } from '../../helpers/desk';
import { addPerson } from '../../helpers/people';

describe('audit reads through the IPC router', () => {
  let env: Awaited<ReturnType<typeof newDesk>>;
  let call: ReturnType<typeof createRouter>;
  let adminId: TokenIdentity;
  let adminUserId: number;
  let officer: TokenIdentity;
  const out = tempDir('securedesk-audit-ipc-');

  before(async () => {
    env = await newDesk('state');
    const guard = new SessionGuard(env.desk, new TokenService(new TokenBridge(), async () => []));
    const exportDir = join(out.dir, 'pkg');
    call = createRouter({ desk: env.desk, guard, attachmentUrl: (t) => `app://securedesk/blob/${t}`, auditExportDir: async () => exportDir });
    await env.desk.verdict();
    const a = await addPerson(env.desk, { fullName: 'Trần Văn Bình', role: 'quan_tri', clearance: 'tuyet_mat' });
    adminId = a.identity;
    adminUserId = a.id;
    officer = (await addPerson(env.desk, { fullName: 'Lê Thị Cúc', role: 'chuyen_vien', clearance: 'mat' })).identity;
    writeTx(env.desk.db, () => {
      for (let i = 0; i < 250; i++) appendAudit(env.desk.db, { userId: env.admin.id, action: i % 2 ? 'attachment.view' : 'incoming.list', entity: 'incoming', entityId: i + 1 });
    });
  });
  after(() => {
    env.cleanup();
    out.cleanup();
  });

  test('a văn thư and a chuyên viên are refused: FORBIDDEN, and the refusal is recorded without its payload', async () => {
    for (const who of [env.identity, officer]) {
      await env.desk.unlock(who);
      await env.desk.verdict();
      for (const [ch, input] of [['audit.search', { limit: 10 }], ['audit.facets', {}], ['audit.verify', {}], ['audit.export', {}]] as const) {
        const r = await call(ch, input);
        assert.equal(r.ok, false, ch);
        if (!r.ok) assert.equal(r.error.code, 'FORBIDDEN', ch);
      }
    }
    const refused = env.desk.db.prepare("SELECT reason, details FROM audit_log WHERE action = 'request.refused' AND outcome = 'refused'").all() as Array<{ reason: string; details: string }>;
    assert.equal(refused.length, 8);
    assert.ok(refused.every((r) => r.reason === 'FORBIDDEN'));
    assert.deepEqual(JSON.parse(refused[0]!.details), { channel: 'audit.search' });
  });

  test('a refusal while locked and a failed sign-in are kept and enter the chain at the next unlock', async () => {
    env.desk.lock('manual');
    const r = await call('audit.search', { limit: 10 });
    assert.equal(!r.ok && r.error.code, 'NO_SESSION');
    // A well-formed request for a token that is not there (no driver on this machine): refused.
    const bad = await call('session.unlock', { token: { moduleId: 'ab'.repeat(8), serial: 'NOPE' }, pin: '123456' });
    assert.equal(bad.ok, false);
    assert.notEqual(!bad.ok && bad.error.code, 'VALIDATION');
    assert.ok(existsSync(join(env.dir, PENDING_EVENTS_FILE)));
    await env.desk.unlock(adminId);
    await env.desk.verdict();
    assert.equal(existsSync(join(env.dir, PENDING_EVENTS_FILE)), false);
    const rows = env.desk.db.prepare("SELECT action, outcome, reason, details FROM audit_log WHERE details LIKE '%recordedWhileLocked%' ORDER BY id").all() as Array<{ action: string; outcome: string; reason: string; details: string }>;
    assert.deepEqual(rows.map((x) => [x.action, x.outcome, x.reason]), [['request.refused', 'refused', 'NO_SESSION'], ['session.sign_in', 'failed', !bad.ok && bad.error.code]]);
    assert.doesNotMatch(rows[1]!.details, /123456/, 'never the PIN');
  });

  test('an administrator searches newest first, filters by person, action, outcome and period, and pages by seq', async () => {
    const first = await call('audit.search', { limit: 100 });
    assert.ok(first.ok);
    const page = (first as { value: AuditPage }).value;
    assert.equal(page.items.length, 100);
    assert.ok(page.items[0]!.seq > page.items[99]!.seq);
    assert.ok(page.nextBeforeSeq);
    const second = (await call('audit.search', { limit: 100, beforeSeq: page.nextBeforeSeq })) as { ok: true; value: AuditPage };
    assert.equal(second.value.items[0]!.seq, page.nextBeforeSeq! - 1);
    const views = (await call('audit.search', { limit: 500, action: 'attachment.view', userId: env.admin.id })) as { ok: true; value: AuditPage };
    assert.equal(views.value.items.length, 125);
    assert.ok(views.value.items.every((i) => i.action === 'attachment.view' && i.userName === 'Nguyễn Thị Hương'));
    const refused = (await call('audit.search', { limit: 500, outcome: 'refused' })) as { ok: true; value: AuditPage };
    assert.equal(refused.value.items.length, 9);
    const today = todayIso();
    const inPeriod = (await call('audit.search', { limit: 10, from: today, to: today })) as { ok: true; value: AuditPage };
    assert.equal(inPeriod.value.items.length, 10);
    const before = (await call('audit.search', { limit: 10, to: '2020-01-01' })) as { ok: true; value: AuditPage };
    assert.equal(before.value.items.length, 0);
    const wrong = await call('audit.search', { from: '2026-12-31', to: '2026-01-01' });
    assert.equal(!wrong.ok && wrong.error.code, 'VALIDATION');
    assert.match(!wrong.ok ? wrong.error.fields?.to ?? '' : '', /Từ ngày phải trước hoặc trùng đến ngày/);
    const facets = (await call('audit.facets', {})) as { ok: true; value: AuditFacets };
    assert.ok(facets.value.actions.includes('attachment.view') && facets.value.people.some((p) => p.id === adminUserId));
  });

  test('an administrator verifies and exports; the package checks out with python3 + openssl', async () => {
    await env.desk.auditAnchor.settled();
    const v = (await call('audit.verify', {})) as { ok: true; value: AuditVerifySummary };
    assert.equal(v.value.ok, true, v.value.firstBroken?.message);
    const e = (await call('audit.export', {})) as { ok: true; value: AuditExportSummary };
    assert.ok(e.ok && e.value);
    assert.equal(e.value.dir, join(out.dir, 'pkg'));
    const py = spawnSync('python3', [join(e.value.dir, 'verify.py'), e.value.dir], { encoding: 'utf8' });
    assert.equal(py.status, 0, py.stdout + py.stderr);
    assert.ok(env.desk.db.prepare("SELECT count(*) FROM audit_log WHERE action IN ('audit.export', 'audit.verify') AND user_id = ?").pluck().get(adminUserId) === 2);
  });
});
