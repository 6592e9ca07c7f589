// What a secretary sees, at 1366×768 and 1920×1080 (issue 6 §4): the lock screen names the people
// whose tokens are plugged in and whether each token is bound here (never the workstation's users);
// keyboard selection in the register follows the results on screen; dates are never clipped, the
// subject takes the room, columns are resized by mouse or keyboard and remembered for the person;
// deadlines sort most urgent first with none last, and one due today says so; the form opens on
// its first field, asks before emptying itself, before a deadline already past and before
// registering only files that are not PDF; Esc closes the shortcuts panel; the viewer's zoom
// buttons stop at their limits, "Vừa trang" shows the whole page, and find scrolls the viewer
// pane only; signing names the certificate's holder, warns when that is not the person signed in,
// and says when the document is signed already.
// A profile seeded through the core (real SoftHSM tokens, real PDFs), then Chromium on the
// development host. Screenshots of each screen at both sizes go to test-results/e2e/.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { TokenDirectory } from '../../common/contract';
import { addDaysIso, formatDateVn, todayIso } from '../../common/dates';
import { Desk } from '../../main/core/desk';
import { actorFor, addUser, getUser } from '../../main/core/org/users';
import { SessionGuard } from '../../main/core/session/guard';
import { TokenService } from '../../main/core/session/tokens';
import { makeSamplePdf } from '../../main/devhost/samplePdf';
import { TokenBridge } from '../../native/bridge/client';
import { createSoftHsm, type SoftHsm } from '../fixtures/softhsm/tokens';
import { moduleId } from '../../native/modules/discovery';
import { ELECTRON_DIST, eventually, expectText, openApp, screenshot, type AppSession } from './harness';

const skip = ELECTRON_DIST ? 'the profile is seeded and inspected through the development host (Chromium only)' : false;

const UNIT = 'Văn phòng Tỉnh ủy Bắc Ninh';
/** The văn thư; her token's certificates are in the name of Nguyễn Văn An (a token handed over). */
const CLERK = 'Nguyễn Thị Lan';
const HOLDER = 'Nguyễn Văn An';
/** Another person of the workstation: never shown before sign-in. */
const OTHER_USER = 'Trần Văn Minh';
const SIZES = [{ width: 1366, height: 768 }, { width: 1920, height: 1080 }] as const;

const today = todayIso();
const DOCS = [
  { key: 'chinhQuyen', subject: 'Về việc triển khai chính quyền điện tử trên địa bàn tỉnh', symbol: '112/STTTT-VP', type: 'CV', secrecy: 'thuong', deadline: addDaysIso(today, 5) },
  { key: 'thuongMai', subject: 'Kế hoạch phát triển thương mại điện tử năm 2027', symbol: '45/KH-SCT', type: 'KH', secrecy: 'mat', deadline: today },
  { key: 'toiMat', subject: 'Kế hoạch bảo vệ bí mật nhà nước năm 2027', symbol: '27-KH/TU', type: 'KH', secrecy: 'toi_mat', deadline: null },
  { key: 'baoCao', subject: 'Báo cáo công tác cải cách hành chính quý IV', symbol: '301/BC-SNV', type: 'BC', secrecy: 'thuong', deadline: addDaysIso(today, -3) },
  { key: 'thongBao', subject: 'Thông báo lịch họp giao ban tháng 12', symbol: '88-TB/VPTU', type: 'TB', secrecy: 'thuong', deadline: null },
  { key: 'hoiNghi', subject: 'Về việc tổ chức hội nghị tổng kết công tác năm', symbol: '540/UBND-TH', type: 'CV', secrecy: 'thuong', deadline: addDaysIso(today, 20) },
] as const;
type DocKey = (typeof DOCS)[number]['key'];

let work = '';
let profileDir = '';
let hsm: SoftHsm;
let app: AppSession | undefined;
let clerkId = 0;
const ids = {} as Record<DocKey, number>;

/** Setup, people and documents through the core, as an administrator and the văn thư would have done. */
async function seed(): Promise<void> {
  const desk = await Desk.open({ profileDir, trustAnchors: [hsm.ca.certDer] });
  const tokens = new TokenService(new TokenBridge({ env: hsm.env }), async () => [hsm.modulePath]);
  const guard = new SessionGuard(desk, tokens);
  try {
    const session = await guard.setup(
      {
        unit: { name: UNIT, code: '000.00.01.T27', preset: 'party' },
        admin: { fullName: CLERK, position: 'Văn thư cơ quan', role: 'van_thu', clearance: 'tuyet_mat' },
      },
      { moduleId: moduleId(hsm.modulePath), serial: hsm.tokens.userRsa.serial },
      hsm.tokens.userRsa.pin,
    );
    clerkId = session.user.id;
    addUser(desk.db, { fullName: OTHER_USER, position: 'Chánh Văn phòng', role: 'lanh_dao', clearance: 'tuyet_mat' });
    const actor = actorFor(getUser(desk.db, clerkId)!);
    for (const [i, d] of DOCS.entries()) {
      const pdf = await makeSamplePdf({ issuer: 'Sở Thông tin và Truyền thông', numberSymbol: d.symbol, title: 'CÔNG VĂN', subject: d.subject, pages: 3 });
      const staged = await desk.attachments.stage(actor, Readable.from(Buffer.from(pdf)), `${d.key}.pdf`);
      const res = await desk.incoming.register(actor, {
        issuer: { name: 'Sở Thông tin và Truyền thông' }, numberSymbol: d.symbol, documentDate: addDaysIso(today, -12 + i),
        arrivalDate: addDaysIso(today, -10 + i), typeCode: d.type, subject: d.subject, secrecy: d.secrecy, urgency: 'thuong',
        ...(d.deadline ? { deadline: d.deadline } : {}), recipients: ['Phòng Tổng hợp'], notes: '', stagedIds: [staged.stagedId],
        acknowledgeDuplicates: false,
      });
      ids[d.key] = res.id;
    }
  } finally {
    await guard.close();
  }
}

before(async () => {
  if (skip) return;
  work = mkdtempSync(join(tmpdir(), 'securedesk-e2e-secretary-'));
  profileDir = join(work, 'profile');
  // Her token (bound at setup), the recovery token (RSA, can unlock, bound to nobody) and an EC-only one.
  hsm = await createSoftHsm({ tokens: ['userRsa', 'recovery', 'spare'] });
  await seed();
  app = await openApp(profileDir, { hsm });
});

after(async () => {
  await app?.close();
  await hsm?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

const page = (): Page => app!.page;
const grid = () => page().locator('#incoming-grid');
const rows = () => page().locator('#incoming-grid .grid-body [role="row"]');
const registerHeading = () => page().getByRole('heading', { name: 'Sổ văn bản đến' });
const lockHeading = () => page().getByRole('heading', { name: 'Máy trạm đang khóa' });
const search = () => page().getByRole('searchbox', { name: 'Tìm trong sổ văn bản đến' });
const form = () => page().getByRole('dialog', { name: 'Vào sổ văn bản đến' });
const rowOf = (key: DocKey) => rows().filter({ hasText: DOCS.find((d) => d.key === key)!.symbol });
const headerCell = (label: string) => grid().locator('.grid-head [role="columnheader"]').filter({ hasText: new RegExp(`^${label}$`) });
const width = async (label: string) => (await headerCell(label).boundingBox())!.width;

async function unlock(): Promise<void> {
  const p = page();
  await lockHeading().waitFor();
  await p.getByRole('radio', { name: new RegExp(HOLDER) }).check();
  await p.getByLabel('Mã PIN').fill(hsm.tokens.userRsa.pin);
  await p.getByRole('button', { name: 'Mở khóa' }).click();
  await registerHeading().waitFor();
  await expectText(p.locator('.page-count'), `${DOCS.length} văn bản`);
}

/**
 * Each test starts on the whole register with nothing open, whatever the one before left behind
 * (so that on a build without these fixes every test fails for its own reason).
 */
async function startOnRegister(size: { width: number; height: number } = SIZES[0]): Promise<void> {
  const p = page();
  await p.setViewportSize(size);
  if (await lockHeading().isVisible()) await unlock();
  for (let i = 0; i < 3 && (await p.locator('dialog[open]').count()) > 0; i++) {
    await p.keyboard.press('Escape');
    await p.waitForTimeout(100);
  }
  const back = p.getByRole('button', { name: 'Sổ văn bản đến', exact: true });
  if (await back.isVisible()) await back.click();
  await registerHeading().waitFor();
  if ((await search().inputValue()) !== '') await search().fill('');
  await expectText(p.locator('.page-count'), /^\d+ văn bản/);
}

/** Every date cell in view shows a whole dd/mm/yyyy; no header label is cut. */
async function assertNothingClipped(size: string): Promise<void> {
  const clipped = await page().evaluate(() => {
    const out: string[] = [];
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('#incoming-grid .grid-body .col-date'))) {
      if (!el.offsetParent || el.textContent === '') continue;
      if (el.scrollWidth > el.clientWidth || !/^\d{2}\/\d{2}\/\d{4}/.test(el.textContent ?? '')) out.push(`cell ${el.className}: ${el.textContent}`);
    }
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('#incoming-grid .grid-head .sort-label, #incoming-grid .grid-head .header-label'))) {
      if (el.offsetParent && el.scrollWidth > el.clientWidth) out.push(`header ${el.textContent}`);
    }
    return out;
  });
  assert.deepEqual(clipped, [], `clipped at ${size}`);
}

test('the lock screen lists the people whose tokens are present and whether each is bound here, not the users', { skip }, async () => {
  const p = page();
  try {
    await lockScreenChecks(p);
  } finally {
    await startOnRegister();
  }
});

async function lockScreenChecks(p: Page): Promise<void> {
  for (const size of SIZES) {
    await p.setViewportSize(size);
    await lockHeading().waitFor();
    const people = p.getByRole('group', { name: /Người mở khóa/ });
    // Her token: the holder's name first, bound, chosen by itself (the only one that can open this workstation).
    const her = p.getByRole('radio', { name: new RegExp(HOLDER) });
    await eventually(async () => assert.equal(await her.isChecked(), true));
    const option = people.locator('.person-option', { hasText: HOLDER });
    await expectText(option.locator('.person-name'), HOLDER);
    await expectText(option, 'Thiết bị SD-USER-RSA');
    await expectText(option, 'Đã gắn với máy trạm này');
    // The recovery token can unlock in principle but is bound to nobody here: named, and not offered.
    const unbound = people.locator('.token-unusable-group', { hasText: 'SD-RECOVERY' });
    await expectText(unbound, 'Khôi phục dữ liệu');
    await expectText(unbound, 'Chưa gắn với máy trạm này');
    assert.equal(await p.getByRole('radio', { name: /SD-RECOVERY/ }).count(), 0);
    // Nothing lists the workstation's people before sign-in.
    const text = (await p.locator('body').textContent()) ?? '';
    for (const name of [CLERK, OTHER_USER]) assert.ok(!text.includes(name), `"${name}" is on the lock screen`);
    const overflow = await p.locator('main.lock').evaluate((el) => el.scrollHeight > el.clientHeight);
    if (overflow) await p.locator('.lock-card .fine-print').scrollIntoViewIfNeeded();
    await screenshot(p, `secretary-lock-${size.width}`);
  }
  // The contract says it too, before sign-in: bound from the keyring's recipients, no key needed.
  const answer = p.waitForResponse('**/ipc/tokens.directory');
  await p.getByRole('button', { name: 'Làm mới' }).click();
  const dir = ((await (await answer).json()) as { ok: true; value: TokenDirectory }).value;
  const bound = Object.fromEntries(dir.tokens.map((t) => [t.label, t.bound]));
  assert.deepEqual(bound, { 'SD-USER-RSA': true, 'SD-RECOVERY': false, 'SD-SPARE': false });
}

test('↓ then Enter after a search opens the first result, never a row the results do not show', { skip }, async () => {
  const p = page();
  await startOnRegister();
  await p.setViewportSize(SIZES[0]);
  // The Tối mật plan is selected first; it does not match the search.
  const selected = p.locator('#incoming-grid .grid-body [role="row"][aria-selected="true"]');
  await rowOf('toiMat').click();
  await expectText(selected, '27-KH/TU');
  await search().fill('dien tu');
  await expectText(p.locator('.page-count'), 'Tìm thấy 2 văn bản');
  await search().press('ArrowDown');
  await expectText(selected, /điện tử/);
  const first = (await rows().first().textContent()) ?? '';
  assert.equal(await selected.textContent(), first, 'the first result is selected');
  await p.keyboard.press('Enter');
  const heading = p.getByRole('heading', { name: /^Văn bản đến số \d+$/ });
  await heading.waitFor();
  const opened = Number(/(\d+)$/.exec((await heading.textContent()) ?? '')![1]);
  assert.notEqual(opened, ids.toiMat, 'the Tối mật document, not among the results, was opened');
  assert.ok([ids.chinhQuyen, ids.thuongMai].includes(opened), `opened ${opened}, not one of the results`);
  await p.keyboard.press('Escape');
  await registerHeading().waitFor();
  // Back on the results, ↑ ↓ move among them only, and Enter opens the one selected.
  await p.keyboard.press('ArrowDown');
  await expectText(selected, /điện tử/);
  await search().fill('');
  await expectText(p.locator('.page-count'), `${DOCS.length} văn bản`);
});

test('dates are whole and the subject takes the room at 1366×768 and 1920×1080', { skip }, async () => {
  const p = page();
  await startOnRegister();
  for (const size of SIZES) {
    await p.setViewportSize(size);
    await p.evaluate(() => localStorage.clear());
    await eventually(async () => assertNothingClipped(`${size.width}×${size.height}`));
    const subject = await width('Trích yếu');
    const others = await grid().locator('.grid-head [role="columnheader"]').evaluateAll((els) =>
      els.filter((e) => !e.classList.contains('col-subject')).map((e) => e.getBoundingClientRect().width));
    console.log(`${size.width}×${size.height}: subject ${Math.round(subject)} px, widest other column ${Math.round(Math.max(...others))} px`);
    assert.ok(subject >= (size.width === 1366 ? 300 : 600), `subject ${subject} px wide at ${size.width}`);
    assert.ok(others.every((w) => w < subject), 'the subject is the widest column');
    // No horizontal scrolling: every column shown fits.
    assert.equal(await p.locator('.grid-scroll').evaluate((el) => el.scrollWidth <= el.clientWidth), true, 'the register scrolls sideways');
    await screenshot(p, `secretary-register-${size.width}`);
  }
});

test('deadlines: most urgent first and none last (the exact reverse when descending); one due today says so, an overdue one too', { skip }, async () => {
  const p = page();
  await startOnRegister();
  await p.setViewportSize(SIZES[0]);
  const sortButton = headerCell('Hạn xử lý').getByRole('button');
  await sortButton.click();
  await eventually(async () => assert.equal(await headerCell('Hạn xử lý').getAttribute('aria-sort'), 'ascending'));
  const order = async () => (await rows().locator('.col-symbol').allTextContents()).map((s) => DOCS.find((d) => d.symbol === s)!.key);
  await eventually(async () => assert.deepEqual(await order(), ['baoCao', 'thuongMai', 'chinhQuyen', 'hoiNghi', 'toiMat', 'thongBao']));
  const dueToday = rowOf('thuongMai').locator('.col-deadline');
  await expectText(dueToday, `${formatDateVn(today)}Hôm nay`);
  assert.equal(await dueToday.locator('.deadline-tag').isVisible(), true, '"Hôm nay" is shown, not only coloured');
  await expectText(rowOf('baoCao').locator('.col-deadline .deadline-tag'), 'Quá hạn');
  await assertNothingClipped('1366 sorted by deadline');
  await screenshot(p, 'secretary-deadlines-1366');
  await sortButton.click();
  await eventually(async () => assert.deepEqual(await order(), ['thongBao', 'toiMat', 'hoiNghi', 'chinhQuyen', 'thuongMai', 'baoCao']));
  await headerCell('Ngày đến').getByRole('button').click();
  await eventually(async () => assert.equal(await headerCell('Ngày đến').getAttribute('aria-sort'), 'descending'));
});

test('columns are resized by dragging the header edge or with the keyboard, and remembered for the person', { skip }, async () => {
  const p = page();
  await startOnRegister();
  await p.setViewportSize(SIZES[0]);
  await p.evaluate(() => localStorage.clear());
  const issuer = await width('Cơ quan ban hành');
  const handle = headerCell('Cơ quan ban hành').getByRole('separator');
  const box = (await handle.boundingBox())!;
  await p.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await p.mouse.down();
  await p.mouse.move(box.x + box.width / 2 + 30, box.y + box.height / 2, { steps: 4 });
  await p.mouse.move(box.x + box.width / 2 + 60, box.y + box.height / 2, { steps: 4 });
  await p.mouse.up();
  await eventually(async () => assert.ok(Math.abs((await width('Cơ quan ban hành')) - (issuer + 60)) <= 1, 'dragged 60 px wider'));

  const symbolHandle = p.getByRole('separator', { name: 'Độ rộng cột Số, ký hiệu' });
  const symbol = await width('Số, ký hiệu');
  await symbolHandle.focus();
  await p.keyboard.press('ArrowRight');
  await p.keyboard.press('ArrowRight');
  await eventually(async () => assert.ok(Math.abs((await width('Số, ký hiệu')) - (symbol + 16)) <= 1, '← → change the width'));
  assert.equal(Number(await symbolHandle.getAttribute('aria-valuenow')), Math.round(symbol + 16));
  // A date column never gets narrower than a whole date.
  const dateHandle = p.getByRole('separator', { name: 'Độ rộng cột Ngày VB' });
  await dateHandle.focus();
  for (let i = 0; i < 6; i++) await p.keyboard.press('Shift+ArrowLeft');
  await assertNothingClipped('narrowest date column');

  // "Cột hiển thị": the type column, hidden by default at this width, is shown on request.
  assert.equal(await headerCell('Loại').isVisible(), false);
  await p.getByRole('button', { name: 'Cột hiển thị' }).click();
  const chooser = p.getByRole('dialog', { name: 'Cột hiển thị' });
  await chooser.getByRole('checkbox', { name: 'Loại' }).check();
  await headerCell('Loại').waitFor();
  await screenshot(p, 'secretary-columns-1366');
  await p.keyboard.press('Escape');
  await chooser.waitFor({ state: 'hidden' });
  await expectText(rowOf('baoCao').locator('.col-type'), 'Báo cáo');

  // Kept for her under her user id, through a lock and a new sign-in.
  const stored = await p.evaluate((id) => localStorage.getItem(`securedesk.incoming.columns.${id}`), clerkId);
  assert.ok(stored, 'stored under the user id');
  const before = { issuer: await width('Cơ quan ban hành'), symbol: await width('Số, ký hiệu') };
  await p.keyboard.press('Control+l');
  await unlock();
  assert.deepEqual({ issuer: await width('Cơ quan ban hành'), symbol: await width('Số, ký hiệu') }, before);
  assert.equal(await headerCell('Loại').isVisible(), true);
  // Back to the defaults.
  await p.getByRole('button', { name: 'Cột hiển thị' }).click();
  await chooser.getByRole('button', { name: 'Khôi phục mặc định' }).click();
  await chooser.getByRole('button', { name: 'Đóng' }).click();
  assert.equal(await headerCell('Loại').isVisible(), false);
  assert.ok(Math.abs((await width('Cơ quan ban hành')) - issuer) <= 1);
});

test('Esc closes the shortcuts panel, from the register and from a document', { skip }, async () => {
  const p = page();
  await startOnRegister();
  const panel = p.getByRole('dialog', { name: 'Phím tắt' });
  await grid().focus();
  await p.keyboard.press('F1');
  await panel.waitFor();
  await screenshot(p, 'secretary-shortcuts-1366');
  await p.keyboard.press('Escape');
  await panel.waitFor({ state: 'hidden' });
  // In a document Esc goes back to the register; with the panel open it closes the panel first.
  await rowOf('hoiNghi').dblclick();
  await p.getByRole('heading', { name: `Văn bản đến số ${ids.hoiNghi}` }).waitFor();
  await p.getByRole('button', { name: 'Phím tắt' }).click();
  await panel.waitFor();
  await p.keyboard.press('Escape');
  await panel.waitFor({ state: 'hidden' });
  assert.equal(await p.getByRole('heading', { name: `Văn bản đến số ${ids.hoiNghi}` }).isVisible(), true, 'still on the document');
  await p.keyboard.press('Escape');
  await registerHeading().waitFor();
});

test('the form opens on its first field and asks before "Xóa nội dung" empties it', { skip }, async () => {
  const p = page();
  await startOnRegister();
  for (const size of SIZES) {
    await p.setViewportSize(size);
    await p.keyboard.press('Control+n');
    await form().waitFor();
    await eventually(async () => assert.equal(await p.evaluate(() => document.activeElement?.id), 'reg-secrecy'));
    await screenshot(p, `secretary-form-${size.width}`);
    await p.keyboard.press('Escape');
    await form().waitFor({ state: 'hidden' });
  }
  await p.setViewportSize(SIZES[0]);
  await p.keyboard.press('Control+n');
  const d = form();
  await d.getByLabel('Số, ký hiệu').fill('15/QĐ-UBND');
  await d.getByLabel('Trích yếu').fill('Về việc kiểm tra công tác văn thư, lưu trữ');
  await d.getByRole('button', { name: 'Xóa nội dung' }).click();
  const confirm = p.getByRole('dialog', { name: 'Xóa nội dung đã nhập?' });
  await expectText(confirm, 'Không thể hoàn tác');
  assert.equal(await p.evaluate(() => document.activeElement?.textContent?.trim()), 'Hủy', 'the safe choice has the focus');
  await screenshot(p, 'secretary-form-clear-1366');
  await confirm.getByRole('button', { name: 'Hủy' }).click();
  await confirm.waitFor({ state: 'hidden' });
  assert.equal(await d.getByLabel('Số, ký hiệu').inputValue(), '15/QĐ-UBND', '"Hủy" keeps what was typed');
  await d.getByRole('button', { name: 'Xóa nội dung' }).click();
  await confirm.getByRole('button', { name: 'Xóa nội dung' }).click();
  await confirm.waitFor({ state: 'hidden' });
  assert.equal(await d.getByLabel('Số, ký hiệu').inputValue(), '');
  assert.equal(await d.getByLabel('Trích yếu').inputValue(), '');
  assert.equal(await d.isVisible(), true, 'the form stays open');
  await p.keyboard.press('Escape');
  await form().waitFor({ state: 'hidden' });
});

/** Fills the form for a new document (everything but the deadline and the files). */
async function fillForm(symbol: string, subject: string): Promise<void> {
  const d = form();
  await d.getByRole('combobox', { name: 'Cơ quan ban hành' }).fill('Sở Nội vụ tỉnh Bắc Ninh');
  await d.getByLabel('Số, ký hiệu').fill(symbol);
  await d.getByLabel('Ngày văn bản').fill(formatDateVn(addDaysIso(today, -15)));
  await d.getByLabel('Loại văn bản').selectOption({ label: 'Công văn' });
  await d.getByLabel('Trích yếu').fill(subject);
}

test('a deadline already past asks before registering; "Xem lại" goes back to the form', { skip }, async () => {
  const p = page();
  await startOnRegister();
  const pdf = join(work, 'cong-van-past.pdf');
  writeFileSync(pdf, await makeSamplePdf({ issuer: 'Sở Nội vụ', numberSymbol: '71/SNV-VP', title: 'CÔNG VĂN', subject: 'Đôn đốc báo cáo' }));
  await p.keyboard.press('Control+n');
  const d = form();
  await fillForm('71/SNV-VP', 'Về việc đôn đốc báo cáo số liệu biên chế');
  const past = formatDateVn(addDaysIso(today, -2));
  await d.getByLabel('Hạn xử lý').fill(past);
  await d.locator('input[type="file"]').setInputFiles(pdf);
  await expectText(d.locator('.file-item'), 'Sẵn sàng');
  await d.getByRole('button', { name: 'Vào sổ', exact: true }).click();
  const ask = p.getByRole('dialog', { name: 'Kiểm tra trước khi vào sổ' });
  await expectText(ask, `Hạn xử lý ${past} đã qua (hôm nay là ${formatDateVn(today)}).`);
  await screenshot(p, 'secretary-past-deadline-1366');
  await ask.getByRole('button', { name: 'Xem lại' }).click();
  await ask.waitFor({ state: 'hidden' });
  assert.equal(await d.isVisible(), true);
  await expectText(p.locator('.page-count'), `${DOCS.length} văn bản`);
  await d.getByRole('button', { name: 'Vào sổ', exact: true }).click();
  await ask.getByRole('button', { name: 'Vẫn vào sổ' }).click();
  await expectText(p.locator('.toast').last(), `Đã vào sổ: số đến ${DOCS.length + 1}`);
  await expectText(p.locator('.page-count'), `${DOCS.length + 1} văn bản`);
});

test('a file that is not a PDF as the only file asks before registering', { skip }, async () => {
  const p = page();
  await startOnRegister();
  const docx = join(work, 'bien-ban-hop.docx');
  writeFileSync(docx, Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.from('word/document.xml — biên bản họp, không phải PDF')]));
  await p.keyboard.press('Control+n');
  const d = form();
  await fillForm('72/SNV-VP', 'Về việc gửi biên bản họp giao ban');
  await d.locator('input[type="file"]').setInputFiles(docx);
  const file = d.locator('.file-item', { hasText: 'bien-ban-hop.docx' });
  await expectText(file, 'Sẵn sàng');
  await expectText(file.locator('.tag'), 'Không phải PDF');
  await d.getByRole('button', { name: 'Vào sổ', exact: true }).click();
  const ask = p.getByRole('dialog', { name: 'Kiểm tra trước khi vào sổ' });
  await expectText(ask, 'Tệp đính kèm “bien-ban-hop.docx” không phải PDF nên không xem được trong SecureDesk');
  await screenshot(p, 'secretary-not-pdf-1366');
  await ask.getByRole('button', { name: 'Vẫn vào sổ' }).click();
  await expectText(p.locator('.toast').last(), `Đã vào sổ: số đến ${DOCS.length + 2}`);
});

test('the viewer: zoom stops at its limits, "Vừa trang" shows the whole page, find scrolls only the viewer', { skip }, async () => {
  const p = page();
  await startOnRegister();
  for (const size of SIZES) {
    await p.setViewportSize(size);
    await search().fill('chinh quyen dien tu');
    await expectText(p.locator('.page-count'), 'Tìm thấy 1 văn bản');
    await rowOf('chinhQuyen').dblclick();
    const page1 = p.locator('.pdf-page[data-page-number="1"]');
    await page1.locator('canvas').waitFor();
    const zoomIn = p.getByRole('button', { name: 'Phóng to' });
    const zoomOut = p.getByRole('button', { name: 'Thu nhỏ' });
    for (let i = 0; i < 20 && !(await zoomIn.isDisabled()); i++) await zoomIn.click();
    await expectText(p.locator('.zoom-value'), '400%');
    assert.equal(await zoomIn.isDisabled(), true, 'zoom in stops at 400%');
    for (let i = 0; i < 20 && !(await zoomOut.isDisabled()); i++) await zoomOut.click();
    await expectText(p.locator('.zoom-value'), '50%');
    assert.equal(await zoomOut.isDisabled(), true, 'zoom out stops at 50%');
    assert.equal(await zoomIn.isDisabled(), false);

    // "Vừa trang": the whole first page in the pane.
    const fitPage = p.getByRole('button', { name: 'Vừa trang' });
    await fitPage.click();
    assert.equal(await fitPage.getAttribute('aria-pressed'), 'true');
    assert.equal(await p.getByRole('button', { name: 'Vừa chiều rộng' }).getAttribute('aria-pressed'), 'false');
    await eventually(async () => {
      const pane = (await p.locator('.viewer-scroll').boundingBox())!;
      const pg = (await page1.boundingBox())!;
      assert.ok(pg.y >= pane.y - 1 && pg.y + pg.height <= pane.y + pane.height + 1, `page ${JSON.stringify(pg)} in pane ${JSON.stringify(pane)}`);
      assert.ok(pg.height > pane.height * 0.8, 'as large as the pane allows');
    });
    await page1.locator('canvas').waitFor();
    await screenshot(p, `secretary-fit-page-${size.width}`);

    // Find on page 3: only the viewer pane scrolls, not the window nor the detail panel.
    await p.getByRole('button', { name: 'Vừa chiều rộng' }).click();
    const scrolled = () => p.evaluate(() => [document.scrollingElement!, ...Array.from(document.querySelectorAll('body *'))]
      .filter((el) => !el.classList.contains('viewer-scroll') && (el.scrollTop !== 0 || el.scrollLeft !== 0))
      .map((el) => (el as HTMLElement).className || el.tagName));
    const paneTop = () => p.locator('.viewer-scroll').evaluate((el) => el.scrollTop);
    assert.deepEqual(await scrolled(), []);
    const before = await paneTop();
    await p.keyboard.press('Control+f');
    await p.getByRole('searchbox', { name: 'Tìm trong tệp' }).fill('trang 3');
    await expectText(p.locator('.find-status'), '1/1');
    const hit = p.locator('.pdf-page[data-page-number="3"] .textLayer .highlight.selected');
    await hit.waitFor();
    await eventually(async () => assert.ok((await paneTop()) > before + 500, 'the pane scrolled to page 3'));
    assert.deepEqual(await scrolled(), [], 'something else scrolled');
    assert.equal(await p.evaluate(() => [window.scrollY, document.querySelector('.app-header')!.getBoundingClientRect().top]).then(String), '0,0');
    const pane = (await p.locator('.viewer-scroll').boundingBox())!;
    const at = (await hit.boundingBox())!;
    assert.ok(at.y >= pane.y && at.y + at.height <= pane.y + pane.height, 'the match is in view');
    await screenshot(p, `secretary-find-${size.width}`);
    await p.keyboard.press('Escape'); // empties the find box
    await p.getByRole('button', { name: 'Sổ văn bản đến', exact: true }).click();
    await registerHeading().waitFor();
    await search().fill('');
  }
});

test('signing names the certificate, warns that it is not hers, and says when the document is signed already', { skip }, async () => {
  const p = page();
  await startOnRegister();
  await p.setViewportSize(SIZES[0]);
  await rowOf('hoiNghi').dblclick();
  await p.getByRole('heading', { name: `Văn bản đến số ${ids.hoiNghi}` }).waitFor();
  const signatures = p.getByRole('region', { name: 'Chữ ký số' });
  await expectText(signatures, 'Văn bản chưa được ký số.');
  await signatures.getByRole('button', { name: 'Ký số' }).click();
  const d = p.getByRole('dialog', { name: `Ký số văn bản đến số ${ids.hoiNghi}` });
  await expectText(d.locator('.sign-holder'), HOLDER);
  await expectText(d.locator('.cert-grid'), 'SecureDesk Test Root CA');
  await expectText(d.locator('.cert-grid'), /\d{2}\/\d{2}\/\d{4} – \d{2}\/\d{2}\/\d{4}/);
  await expectText(d.getByRole('alert'), `Chứng thư này mang tên ${HOLDER}, không phải tên của người đang đăng nhập (${CLERK}).`);
  assert.equal(await d.locator('.sign-already').count(), 0, 'not signed yet');
  await screenshot(p, 'secretary-sign-other-holder-1366');
  await d.getByRole('button', { name: 'Ký số', exact: true }).click();
  await expectText(p.locator('.toast').last(), `Đã ký số văn bản đến số ${ids.hoiNghi}`);
  await d.waitFor({ state: 'hidden' });
  await expectText(signatures.locator('.signing'), HOLDER);

  for (const size of SIZES) {
    await p.setViewportSize(size);
    await signatures.getByRole('button', { name: 'Ký số' }).click();
    await expectText(d.locator('.sign-already'), 'Văn bản này đã được ký số:');
    await expectText(d.locator('.sign-already'), new RegExp(`${HOLDER}, ký lúc ${formatDateVn(today)} \\d{2}:\\d{2} \\(Hợp lệ\\)`));
    await expectText(d.locator('.sign-already'), 'Ký lần nữa sẽ thêm một chữ ký mới');
    await screenshot(p, `secretary-sign-again-${size.width}`);
    await d.getByRole('button', { name: 'Hủy' }).click();
    await d.waitFor({ state: 'hidden' });
  }
  assert.equal(await signatures.locator('.signing').count(), 1);
});

test('no console errors and no Content-Security-Policy violations', { skip }, () => {
  assert.deepEqual(app!.problems.csp, [], 'CSP violations');
  assert.deepEqual(app!.problems.errors, [], 'console errors');
});
