// "Số đến trùng" (issue 9 §2): two workstations of one agency registered while cut off from each
// other. Workstation B starts from a copy of A's profile; each registers a Thường document (A first)
// and a Mật one (B first) offline, so both pairs share an arrival number; B's events then reach A
// (as the sync brings them: receiveEvents + applyReceived; the agency server's part is covered by
// tests/integration/server/renumber.test.ts) and A sets both of B's registrations aside. In the app,
// A's văn thư opens "Số đến trùng", sees the two pairs side by side with the reason and which one
// takes a new number, and resolves each ("Cấp số mới"): the Thường one from B takes the next number,
// A's own Mật one takes the next secret number and B's goes in with its own. Screenshots at 1366×768
// and 1920×1080 go to test-results/e2e/.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { todayIso, yearOf } from '../../common/dates';
import { Desk } from '../../main/core/desk';
import { actorFor } from '../../main/core/org/users';
import { SessionGuard } from '../../main/core/session/guard';
import { TokenService } from '../../main/core/session/tokens';
import { applyReceived, receiveEvents } from '../../main/core/sync/apply';
import { outboundEvents } from '../../main/core/sync/wire';
import { takeNewWorkstationId } from '../../main/core/sync/workstation';
import { TokenBridge } from '../../native/bridge/client';
import { moduleId } from '../../native/modules/discovery';
import { createSoftHsm, type SoftHsm } from '../fixtures/softhsm/tokens';
import { registration } from '../helpers/desk';
import { ELECTRON_DIST, expectText, openApp, screenshot, type AppSession } from './harness';

const skip = ELECTRON_DIST ? "workstation B's events are handed in through the core behind the page (Chromium only)" : false;

const CLERK = 'Phạm Thị Lan';
const SIZES = [{ width: 1366, height: 768 }, { width: 1920, height: 1080 }] as const;
const SCHEMAS = ['main', 'c_thuong', 'c_mat', 'c_toi_mat', 'c_tuyet_mat'];
const PLAIN_A = 'Về việc kiểm tra công tác văn thư, lưu trữ năm 2026';
const PLAIN_B = 'Về việc tổ chức hội nghị tổng kết công tác xây dựng Đảng';
const SECRET_B = 'Về việc bảo vệ bí mật nhà nước trong công tác tổ chức cán bộ';
const SECRET_A = 'Về việc chuẩn bị nhân sự Ban Chấp hành nhiệm kỳ 2025–2030';

let work = '';
let profileA = '';
let hsm: SoftHsm;
let app: AppSession | undefined;
const gids: Record<string, string> = {};

/** A profile with its own token bridge (closing the guard ends its bridge). */
async function opened(dir: string): Promise<{ desk: Desk; guard: SessionGuard; close(): Promise<void> }> {
  const desk = await Desk.open({ profileDir: dir, trustAnchors: [hsm.ca.certDer] });
  const guard = new SessionGuard(desk, new TokenService(new TokenBridge({ env: hsm.env }), async () => [hsm.modulePath]));
  return { desk, guard, async close() { await guard.close(); desk.close(); } };
}

async function seed(): Promise<void> {
  const ref = { moduleId: moduleId(hsm.modulePath), serial: hsm.tokens.userRsa.serial };
  const a0 = await opened(profileA);
  await a0.guard.setup(
    { unit: { name: 'Văn phòng Tỉnh ủy', code: '000.00.01.H49', preset: 'party' }, admin: { fullName: CLERK, position: 'Văn thư cơ quan', role: 'van_thu', clearance: 'tuyet_mat' } },
    ref, hsm.tokens.userRsa.pin,
  );
  await a0.close();
  // Workstation B: the agency's snapshot of A's profile, with its own workstation id.
  const profileB = join(work, 'profile-b');
  cpSync(profileA, profileB, { recursive: true });
  const a = await opened(profileA);
  const b = await opened(profileB);
  try {
    const clerkA = actorFor((await a.guard.unlock(ref, hsm.tokens.userRsa.pin)).user);
    const clerkB = actorFor((await b.guard.unlock(ref, hsm.tokens.userRsa.pin)).user);
    takeNewWorkstationId(b.desk.db, new Date());
    const pause = () => new Promise((r) => setTimeout(r, 10));
    // Offline: A then B register a Thường document; B then A a Mật one. Same numbers on both.
    const plainA = await a.desk.incoming.register(clerkA, await registration(a.desk, clerkA, { subject: PLAIN_A, numberSymbol: '93-KH/TU' }));
    await pause();
    const plainB = await b.desk.incoming.register(clerkB, await registration(b.desk, clerkB, { subject: PLAIN_B, numberSymbol: '234-CV/VPTU' }));
    await pause();
    const secretB = await b.desk.incoming.register(clerkB, await registration(b.desk, clerkB, { subject: SECRET_B, numberSymbol: '27-CV/BTCTU', secrecy: 'mat' }));
    await pause();
    const secretA = await a.desk.incoming.register(clerkA, await registration(a.desk, clerkA, { subject: SECRET_A, numberSymbol: '15-TTr/BTCTU', secrecy: 'mat' }));
    assert.equal(plainA.arrivalNumber, plainB.arrivalNumber);
    assert.equal(secretA.arrivalNumber, secretB.arrivalNumber);
    const gid = (d: Desk, s: string, id: number) => d.db.prepare(`SELECT global_id FROM ${s}.incoming WHERE id = ?`).pluck().get(id) as string;
    gids.plainA = gid(a.desk, 'c_thuong', plainA.id);
    gids.plainB = gid(b.desk, 'c_thuong', plainB.id);
    gids.secretA = gid(a.desk, 'c_mat', secretA.id);
    gids.secretB = gid(b.desk, 'c_mat', secretB.id);
    // B's events reach A as a sync round brings them: kept in the inbox, then applied.
    for (const s of SCHEMAS) receiveEvents(a.desk.db, s, outboundEvents(b.desk.db, s, 0, 100_000).map((x) => x.event), new Date());
    let conflicts = 0;
    for (const s of SCHEMAS) conflicts += applyReceived(a.desk.db, s).conflicts;
    assert.equal(conflicts, 2, 'both of B’s registrations set aside on A');
  } finally {
    await b.close();
    await a.close();
  }
}

before(async () => {
  if (skip) return;
  work = mkdtempSync(join(tmpdir(), 'securedesk-e2e-renumber-'));
  profileA = join(work, 'profile-a');
  hsm = await createSoftHsm({ tokens: ['userRsa', 'recovery'] });
  await seed();
});

after(async () => {
  if (app) await app.close();
  await hsm?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function shoot(p: Page, name: string): Promise<void> {
  for (const size of SIZES) {
    await p.setViewportSize(size);
    await screenshot(p, `${name}-${size.width}`);
    const clipped = await p.locator('.renumber-page').evaluate((el) => Array.from(el.querySelectorAll<HTMLElement>('th, button, h1, h2, p'))
      .filter((x) => x.offsetParent !== null && x.scrollWidth > x.clientWidth + 1).map((x) => x.textContent ?? ''));
    assert.deepEqual(clipped, [], `clipped at ${size.width}`);
  }
  await p.setViewportSize({ width: 1366, height: 768 });
}

const numberOf = (desk: Desk, schema: string, gid: string) =>
  desk.db.prepare(`SELECT arrival_number FROM ${schema}.incoming WHERE global_id = ?`).pluck().get(gid) as number | undefined;

test('the văn thư sees the duplicate arrival numbers side by side and gives the later registration of each the next number', { skip }, async () => {
  app = await openApp(profileA, { hsm, trustAnchors: [hsm.ca.certDer] });
  const p = app.page;
  await p.setViewportSize({ width: 1366, height: 768 });
  await p.getByRole('heading', { name: 'Máy trạm đang khóa' }).waitFor();
  await p.getByRole('radio', { name: /Nguyễn Văn An/ }).check();
  await p.getByLabel('Mã PIN').fill(hsm.tokens.userRsa.pin);
  await p.getByRole('button', { name: 'Mở khóa' }).click();
  await expectText(p.locator('.app-header'), CLERK);
  const nav = p.getByRole('navigation', { name: 'Chức năng' });
  const item = nav.getByRole('button', { name: /^Số đến trùng/ });
  await expectText(item, '2');
  await item.click();
  await p.getByRole('heading', { name: 'Số đến trùng khi đồng bộ' }).waitFor();
  const page = p.locator('.renumber-page');
  const cards = page.locator('.renumber-item');
  await expectText(cards.first(), /Sổ đăng ký/);
  assert.equal(await cards.count(), 2);
  const desk = app.desk!;
  const plainNumber = numberOf(desk, 'c_thuong', gids.plainA!)!;
  const secretNumber = numberOf(desk, 'c_mat', gids.secretA!)!;
  const year = yearOf(todayIso());

  const plain = cards.filter({ hasText: PLAIN_B });
  await expectText(plain.locator('h2'), `Sổ đăng ký văn bản đến năm ${year}: số đến ${plainNumber}`);
  await expectText(plain, `Số đến ${plainNumber} năm ${year} của Sổ đăng ký văn bản đến đã được cấp cho một văn bản khác trên máy này.`);
  await expectText(plain, PLAIN_A);
  await expectText(plain, `Văn bản nhận từ máy trạm khác được vào sổ sau nên sẽ nhận số đến ${plainNumber + 1}; văn bản trên máy này giữ số ${plainNumber}.`);
  // Dates as dd/mm/yyyy.
  const text = await plain.innerText();
  assert.match(text, /\b\d{2}\/\d{2}\/\d{4}\b/);
  assert.doesNotMatch(text, /\d{4}-\d{2}-\d{2}/);
  const secret = cards.filter({ hasText: SECRET_B });
  await expectText(secret.locator('h2'), `Sổ đăng ký bí mật nhà nước đến năm ${year}: số đến ${secretNumber}`);
  await expectText(secret, `Văn bản trên máy này được vào sổ sau nên sẽ nhận số đến ${secretNumber + 1}; văn bản nhận từ máy trạm khác giữ số ${secretNumber}.`);
  await shoot(p, 'renumber-list');

  // The Thường pair: B's registration (the later) takes the next number.
  await plain.getByRole('button', { name: 'Cấp số mới' }).click();
  const confirm = p.getByRole('dialog', { name: 'Cấp số đến mới' });
  await expectText(confirm, `Cấp số đến ${plainNumber + 1} của Sổ đăng ký văn bản đến năm ${year} cho văn bản 234-CV/VPTU thay cho số ${plainNumber}?`);
  await screenshot(p, 'renumber-confirm-1366');
  await p.setViewportSize({ width: 1920, height: 1080 });
  await screenshot(p, 'renumber-confirm-1920');
  await p.setViewportSize({ width: 1366, height: 768 });
  await confirm.getByRole('button', { name: 'Cấp số mới' }).click();
  await confirm.waitFor({ state: 'hidden' });
  await expectText(p.locator('.toast').last(), `Đã cấp số đến ${plainNumber + 1} thay cho số ${plainNumber} (Sổ đăng ký văn bản đến năm ${year}).`);
  await expectText(item, '1');
  assert.equal(await cards.count(), 1);
  assert.equal(numberOf(desk, 'c_thuong', gids.plainB!), plainNumber + 1);
  assert.equal(numberOf(desk, 'c_thuong', gids.plainA!), plainNumber);

  // The Mật pair: A's own (the later) takes the next secret number; B's goes in with its own.
  await secret.getByRole('button', { name: 'Cấp số mới' }).click();
  await p.getByRole('dialog', { name: 'Cấp số đến mới' }).getByRole('button', { name: 'Cấp số mới' }).click();
  await expectText(page, 'Không có văn bản nào trùng số đến.');
  assert.equal(numberOf(desk, 'c_mat', gids.secretA!), secretNumber + 1);
  assert.equal(numberOf(desk, 'c_mat', gids.secretB!), secretNumber);
  assert.equal(await item.locator('.count-badge').count(), 0);
  await shoot(p, 'renumber-done');

  // The renumbered entry's correction history keeps the provisional number.
  await p.locator('.toast').last().getByRole('button', { name: 'Mở văn bản' }).click();
  await expectText(p.locator('.corrections-section'), `Số đến`);
  await expectText(p.locator('.corrections-section'), String(secretNumber + 1));
  await screenshot(p, 'renumber-history-1366');
  const audit = desk.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'incoming.renumber' AND outcome = 'ok'").pluck().get();
  assert.equal(audit, 2);
  assert.deepEqual(app.problems.errors, []);
  assert.deepEqual(app.problems.csp, []);
});
