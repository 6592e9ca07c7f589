// "Nhật ký hệ thống" for an administrator (issue 7 §10): the link in the shell's navigation, the
// entries newest first with Vietnamese labels, filters by outcome and by period (dd/mm/yyyy, a period
// in the wrong order refused at its field), a long log scrolled (virtualized list, older pages loaded),
// the integrity check, and "Xuất gói kiểm tra" writing a package that python3 + openssl verify.
// A profile seeded through the core with a real SoftHSM token; Chromium on the development host.
// Screenshots at 1366×768 go to test-results/e2e/.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { formatDateVn, todayIso } from '../../common/dates';
import { appendAudit } from '../../main/core/audit/auditLog';
import { writeTx } from '../../main/core/db/transaction';
import { Desk } from '../../main/core/desk';
import { SessionGuard } from '../../main/core/session/guard';
import { TokenService } from '../../main/core/session/tokens';
import { TokenBridge } from '../../native/bridge/client';
import { moduleId } from '../../native/modules/discovery';
import { createSoftHsm, type SoftHsm } from '../fixtures/softhsm/tokens';
import { ELECTRON_DIST, expectText, openApp, screenshot, type AppSession } from './harness';

const skip = ELECTRON_DIST ? 'the profile is seeded and its export checked through the development host (Chromium only)' : false;
const ADMIN = 'Trần Văn Bình';
const HOLDER = 'Nguyễn Văn An'; // the name on the SoftHSM token's certificates

let work = '';
let profileDir = '';
let hsm: SoftHsm;
let app: AppSession | undefined;

async function seed(): Promise<void> {
  const desk = await Desk.open({ profileDir, trustAnchors: [hsm.ca.certDer] });
  const tokens = new TokenService(new TokenBridge({ env: hsm.env }), async () => [hsm.modulePath]);
  const guard = new SessionGuard(desk, tokens);
  try {
    const session = await guard.setup(
      {
        unit: { name: 'Văn phòng Tỉnh ủy Bắc Ninh', code: '000.00.01.T27', preset: 'party' },
        admin: { fullName: ADMIN, position: 'Quản trị hệ thống', role: 'quan_tri', clearance: 'tuyet_mat' },
      },
      { moduleId: moduleId(hsm.modulePath), serial: hsm.tokens.userRsa.serial },
      hsm.tokens.userRsa.pin,
    );
    await desk.verdict();
    const id = session.user.id;
    writeTx(desk.db, () => {
      for (let i = 0; i < 600; i++) {
        appendAudit(desk.db, i % 50 === 7
          ? { userId: id, action: 'request.refused', outcome: 'refused', reason: 'FORBIDDEN', details: { channel: 'incoming.get' } }
          : { userId: id, action: 'attachment.view', entity: 'incoming', entityId: 1 + (i % 40), details: { attachmentId: 1 + (i % 40) } });
      }
    });
    await desk.auditAnchor.settled();
  } finally {
    await guard.close();
  }
}

before(async () => {
  if (skip) return;
  work = mkdtempSync(join(tmpdir(), 'securedesk-e2e-audit-'));
  profileDir = join(work, 'profile');
  hsm = await createSoftHsm({ tokens: ['userRsa'] });
  await seed();
  app = await openApp(profileDir, { hsm });
});

after(async () => {
  await app?.close();
  await hsm?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

const page = (): Page => app!.page;
const rows = () => page().locator('.audit-scroll [role="row"]');

test('an administrator reads, filters, checks and exports the audit log', { skip }, async () => {
  const p = page();
  await p.setViewportSize({ width: 1366, height: 768 });
  await p.getByRole('heading', { name: 'Máy trạm đang khóa' }).waitFor();
  await p.getByRole('radio', { name: new RegExp(HOLDER) }).check();
  await p.getByLabel('Mã PIN').fill(hsm.tokens.userRsa.pin);
  await p.getByRole('button', { name: 'Mở khóa' }).click();

  await p.getByRole('button', { name: 'Nhật ký hệ thống' }).click();
  await p.getByRole('heading', { name: 'Nhật ký hệ thống' }).waitFor();
  // Newest first: the last session's lock (or this one's unlock, once the integrity check let it be
  // written) on top, then the views, worded in Vietnamese with the time in Vietnam.
  await expectText(rows().first(), /Khóa phiên làm việc|Mở khóa phiên làm việc/);
  await expectText(rows().first(), new RegExp(formatDateVn(todayIso())));
  await expectText(page().locator('.audit-scroll'), /Trần Văn BìnhXem tệp đính kèmVăn bản đến #\d+Thành công/);
  await screenshot(p, 'audit-1366');

  // A long log scrolls: older pages load as the list nears their end (virtualized: few rows in the DOM).
  const scroller = p.locator('.audit-scroll');
  for (let i = 0; i < 12; i++) await scroller.evaluate((el) => el.scrollBy(0, 4000));
  await expectText(p.locator('.audit-scroll'), /Thiết lập máy trạm/, 15_000);
  assert.ok((await rows().count()) < 120, 'only the visible rows are in the DOM');

  // Outcome filter: only refusals, with their reason code.
  await p.getByLabel('Kết quả').selectOption({ label: 'Bị từ chối' });
  await p.getByRole('button', { name: 'Lọc', exact: true }).click();
  await expectText(rows().first(), /Bị từ chối · FORBIDDEN/);
  assert.equal(await rows().filter({ hasText: 'Thành công' }).count(), 0);
  assert.equal(await rows().count(), 12);
  await screenshot(p, 'audit-refused-1366');

  // A period in the wrong order is refused at once, in Vietnamese.
  await p.getByLabel('Từ ngày').fill('31/12/2026');
  await p.getByLabel('Đến ngày').fill('01/01/2026');
  await p.getByRole('button', { name: 'Lọc', exact: true }).click();
  await expectText(p.locator('.audit-error'), 'Từ ngày phải trước hoặc trùng đến ngày.');
  await p.getByRole('button', { name: 'Bỏ lọc' }).click();
  await expectText(rows().first(), /Thành công|Bị từ chối/);

  await p.getByRole('button', { name: 'Kiểm tra toàn vẹn' }).click();
  await expectText(p.locator('.toast, [role="status"]').last(), /Nhật ký toàn vẹn: \d+ bản ghi, \d+ điểm neo đã ký/);

  await p.getByRole('button', { name: 'Xuất gói kiểm tra' }).click();
  await expectText(p.locator('.toast, [role="status"]').last(), /Đã xuất \d+ bản ghi/);
  const exports = join(profileDir, 'exports');
  const pkg = join(exports, readdirSync(exports)[0]!);
  const py = spawnSync('python3', [join(pkg, 'verify.py'), pkg], { encoding: 'utf8' });
  assert.equal(py.status, 0, py.stdout + py.stderr);
  assert.deepEqual(app!.problems.errors, []);
  assert.deepEqual(app!.problems.csp, []);
});
