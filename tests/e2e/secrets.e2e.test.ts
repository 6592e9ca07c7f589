// The state-secret controls through the screens (issue 7): a Tối mật document registered by the văn
// thư; an officer cleared Tối mật but not in its distribution finds it by no list, search, count or
// address; the leader grants it to the officer by name and gives a permission to print it; the
// officer views it and prints one copy with that permission (the PDF fetched through the ticket URL
// carries the officer's name and "Bản số 1/1", read with pdftotext); the Sổ quản lý sao, chụp BMNN
// lists the run; the leader proposes lowering it to Mật, cannot confirm it himself (the refusal is
// shown), the văn thư confirms and the notice to the holders appears with its 15-day deadline; the
// leader destroys it (refused while on hold, then after the hold is released) and it is gone from
// every list.
// People sign in with their own SoftHSM tokens: the văn thư and the leader on one set of tokens, the
// officer on another (each set has one RSA user token; the app is reopened on the other set, as if
// the other person's token were plugged in). Screenshots at 1366×768 and 1920×1080 go to
// test-results/e2e/.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { addDaysIso, formatDateVn, todayIso, yearOf } from '../../common/dates';
import { actorFor, getUser } from '../../main/core/org/users';
import { makeSamplePdf } from '../../main/devhost/samplePdf';
import { pdfTextPages } from '../helpers/pdfOracle';
import { ELECTRON_DIST, eventually, expectText, pageText, screenshot } from './harness';
import { openOffice, type Office, type Who as OfficeWho } from './office';

const skip = ELECTRON_DIST ? 'the profile is seeded and people are switched through the development host (Chromium only)' : false;

const UNIT = 'Văn phòng Tỉnh ủy Quảng Ninh';
const CLERK = 'Nguyễn Thị Lan';
const LEADER = 'Trần Văn Lãnh';
const OFFICER = 'Phạm Văn Viên';
const SECRET = { subject: 'Phương án bảo vệ kho lưu trữ Quảng Yên', symbol: '27-KH/TU' };
const ORDINARY = { subject: 'Thông báo lịch họp giao ban tháng 12', symbol: '88-TB/VPTU' };
const SIZES = [{ width: 1366, height: 768 }, { width: 1920, height: 1080 }] as const;
const today = todayIso();
const year = yearOf(today);

let office: Office;
/** The Tối mật document and its arrival number. */
const ids = { secret: 0, secretNumber: 0 };
/** Every request the pages made that failed (status, path). */
const failedRequests: string[] = [];

before(async () => {
  if (skip) return;
  // The leader on set A's recovery token, the officer (cleared Tối mật) on set B's.
  office = await openOffice({
    name: 'secrets', unit: { name: UNIT, code: '000.00.01.H27', preset: 'party' }, clerk: CLERK,
    second: { fullName: LEADER, position: 'Chánh Văn phòng', role: 'lanh_dao', clearance: 'tuyet_mat' },
    third: { fullName: OFFICER, position: 'Chuyên viên', role: 'chuyen_vien', clearance: 'toi_mat' },
    seed: async (desk, people) => {
      const clerk = actorFor(getUser(desk.db, people.clerk)!);
      for (const [i, d] of [ORDINARY, SECRET].entries()) {
        const pdf = await makeSamplePdf({ issuer: 'Ban Nội chính Tỉnh ủy', numberSymbol: d.symbol, title: 'KẾ HOẠCH', subject: d.subject, pages: 2 });
        const staged = await desk.attachments.stage(clerk, Readable.from(Buffer.from(pdf)), `tai-lieu-${i}.pdf`);
        const res = await desk.incoming.register(clerk, {
          issuer: { name: 'Ban Nội chính Tỉnh ủy' }, numberSymbol: d.symbol, documentDate: addDaysIso(today, -3), arrivalDate: addDaysIso(today, -1),
          typeCode: 'KH', subject: d.subject, secrecy: d === SECRET ? 'toi_mat' : 'thuong', urgency: 'thuong', recipients: ['Phòng Tổng hợp'], notes: '',
          stagedIds: [staged.stagedId], acknowledgeDuplicates: false,
        });
        if (d === SECRET) {
          ids.secret = res.id;
          ids.secretNumber = res.arrivalNumber;
        }
      }
    },
  });
});

after(async () => office?.close());

const page = (): Page => office.app().page;
const rows = () => page().locator('#incoming-grid .grid-body [role="row"]');
const registerHeading = () => page().getByRole('heading', { name: 'Sổ văn bản đến' });
const detailHeading = () => page().getByRole('heading', { name: `Văn bản đến số ${ids.secretNumber}` });
const section = () => page().locator('.secrets-section');
const search = () => page().getByRole('searchbox', { name: 'Tìm trong sổ văn bản đến' });

const navModules = async (p: Page) => (await p.getByRole('navigation', { name: 'Chức năng' }).getByRole('button').allTextContents()).map((m) => m.trim());

type Who = 'clerk' | 'leader' | 'officer';
const AS: Record<Who, OfficeWho> = { clerk: 'clerk', leader: 'second', officer: 'third' };
const person = (who: Who): number => office.ids[AS[who]];

/** Signs `who` in with their own token: the app is (re)opened on the tokens that person holds. */
async function signIn(who: Who): Promise<Page> {
  const p = await office.signIn(AS[who], (app) => app.page.on('response', (r) => {
    if (r.status() >= 400) failedRequests.push(`${r.status()} ${new URL(r.url()).pathname}`);
  }));
  await registerHeading().waitFor();
  return p;
}

/** Opens the Tối mật document from the register. */
async function openSecret(): Promise<void> {
  await rows().filter({ hasText: SECRET.symbol }).dblclick();
  await detailHeading().waitFor();
  await section().waitFor();
  await viewerReady();
}

/** The viewer has the file (acting before would move or destroy it under a download in flight). */
const viewerReady = () => expectText(page().locator('.detail-viewer'), '/ 2');

async function backToRegister(p: Page): Promise<void> {
  await p.getByRole('button', { name: 'Sổ văn bản đến', exact: true }).click();
  await registerHeading().waitFor();
}

/** Nothing in the page text of the register, after a search, or at the document's address gives it away. */
async function assertNotFound(p: Page, who: string): Promise<void> {
  await expectText(p.locator('.page-count'), '1 văn bản');
  assert.equal(await rows().count(), 1, `${who}: only the ordinary document is listed`);
  assert.ok(!(await pageText(p)).includes(SECRET.symbol), `${who}: the register shows ${SECRET.symbol}`);
  await search().fill('quang yen');
  await expectText(p.locator('.page-count'), 'Không có kết quả');
  assert.equal(await rows().count(), 0);
  await search().fill('');
  await expectText(p.locator('.page-count'), '1 văn bản');
  // The address of the document, typed: "not found", exactly as for a record that does not exist.
  await p.evaluate((id) => {
    window.location.hash = `#/incoming/${id}`;
  }, ids.secret);
  await expectText(p.locator('.detail-page [role="alert"]'), 'Không tìm thấy văn bản.');
  assert.ok(!(await pageText(p)).includes(SECRET.subject), `${who}: the subject is on the page`);
  await backToRegister(p);
  assert.equal(await p.evaluate(() => window.location.hash), '', 'the address follows the view');
}

async function shoot(p: Page, name: string, target: () => Promise<void>): Promise<void> {
  for (const size of SIZES) {
    await p.setViewportSize(size);
    await target();
    await screenshot(p, `${name}-${size.width}`);
  }
}

test('an officer cleared Tối mật without a grant finds the document by no list, search, count or address', { skip }, async () => {
  const p = await signIn('officer');
  await assertNotFound(p, OFFICER);
  // No classified record in reach: no copy register in the navigation either.
  assert.deepEqual(await navModules(p), ['Văn bản đến', 'Xử lý văn bản', 'Hồ sơ công việc', 'Văn bản đi']);
  await p.keyboard.press('Control+l');
});

test('the leader grants it to the officer by name and allows one print; the Bảo mật section shows it', { skip }, async () => {
  const p = await signIn('leader');
  await openSecret();
  // A leader may grant, hold, propose a level change and destroy; not the holders' notice yet.
  for (const name of ['Cấp quyền', 'Tạm giữ', 'Thay đổi độ mật', 'Tiêu hủy…']) await section().getByRole('button', { name, exact: true }).waitFor();
  await section().getByRole('button', { name: 'Cấp quyền', exact: true }).click();
  const grant = p.getByRole('dialog', { name: `Cấp quyền tiếp cận văn bản đến số ${ids.secretNumber}` });
  await grant.getByRole('button', { name: 'Cấp quyền' }).click();
  await expectText(grant.locator('#grant-person-error'), 'Chọn một người trong cơ quan.');
  await grant.getByRole('combobox', { name: 'Người' }).fill('pham van');
  await grant.getByRole('option', { name: new RegExp(OFFICER) }).click();
  await grant.getByLabel('Lý do').fill('Chủ trì tham mưu phương án');
  await grant.getByRole('button', { name: 'Cấp quyền' }).click();
  await grant.waitFor({ state: 'hidden' });
  const item = section().locator('.secrets-item', { hasText: OFFICER });
  await expectText(item, 'Lý do: Chủ trì tham mưu phương án');
  await expectText(item, `Cấp bởi ${LEADER} lúc ${formatDateVn(today)}`);
  assert.equal(await office.app().desk!.db.prepare(`SELECT count(*) FROM c_toi_mat.grants WHERE user_id = ? AND revoked_at IS NULL`).pluck().get(person('officer')), 1);
  await shoot(p, 'secrets-section', async () => {
    await section().scrollIntoViewIfNeeded();
  });
  await assertSectionFits(p);

  // The leader has the copy authority: "Cho phép sao/in" gives the officer one print.
  await p.setViewportSize(SIZES[0]);
  await p.getByRole('button', { name: 'In / Sao' }).click();
  const print = p.getByRole('dialog', { name: `In / sao văn bản đến số ${ids.secretNumber}` });
  await expectText(print, 'Bạn có thẩm quyền cho phép in, sao tài liệu độ Tối mật.');
  await print.getByRole('button', { name: 'Cho phép sao/in…' }).click();
  const allow = p.getByRole('dialog', { name: `Cho phép sao/in văn bản đến số ${ids.secretNumber}` });
  await allow.getByRole('combobox', { name: 'Người' }).fill('vien');
  await allow.getByRole('option', { name: new RegExp(OFFICER) }).click();
  await allow.getByLabel('Hình thức').selectOption({ label: 'In' });
  await allow.getByLabel('Số bản').fill('1');
  await allow.getByLabel('Lý do').fill('Phục vụ họp giao ban');
  await allow.getByRole('button', { name: 'Cho phép', exact: true }).click();
  await allow.waitFor({ state: 'hidden' });
  await expectText(p.locator('.toast').last(), `Đã cho phép ${OFFICER}: In, 1 bản.`);
  await print.getByRole('button', { name: 'Hủy' }).click();
  await print.waitFor({ state: 'hidden' });
  await backToRegister(p);
  await p.keyboard.press('Control+l');
});

test('the officer, granted, opens it at its address and prints one copy with the permission: watermark and register number', { skip }, async () => {
  const p = await signIn('officer');
  await expectText(p.locator('.page-count'), '2 văn bản');
  await eventually(async () => assert.deepEqual(await navModules(p), ['Văn bản đến', 'Xử lý văn bản', 'Hồ sơ công việc', 'Văn bản đi', 'Thời hạn bảo vệ', 'Sổ quản lý sao, chụp BMNN']));
  await p.evaluate((id) => {
    window.location.hash = `#/incoming/${id}`;
  }, ids.secret);
  await detailHeading().waitFor();
  await expectText(p.locator('.detail-meta'), SECRET.subject);
  await viewerReady();
  // An officer may take none of the secrets actions: the section only shows.
  await section().waitFor();
  assert.equal(await section().getByRole('button').count(), 0, 'no action offered to the officer');

  await p.getByRole('button', { name: 'In / Sao' }).click();
  const print = p.getByRole('dialog', { name: `In / sao văn bản đến số ${ids.secretNumber}` });
  const permission = print.getByLabel('Sự cho phép sử dụng');
  await eventually(async () => assert.match((await permission.locator('option:checked').textContent()) ?? '', /^In, 1 bản — cho phép lúc \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/));
  assert.equal(await print.getByLabel('Hình thức').isDisabled(), true, 'the kind is the permission\'s');
  await print.getByLabel('Lý do').fill('Phục vụ họp giao ban');
  await shoot(p, 'secrets-print-dialog', async () => {
    await print.waitFor();
  });
  await assertDialogFits(p, print);
  await p.setViewportSize(SIZES[0]);
  // The composed PDF is fetched once, from the ticket URL on the same scheme the viewer uses; the
  // bytes are read on their way to the page.
  let pdf: Buffer = Buffer.alloc(0);
  let ticketUrl = '';
  await p.route(/\/blob\/[0-9a-f]{32}$/, async (route) => {
    const response = await route.fetch();
    assert.equal(response.status(), 200);
    assert.equal(response.headers()['content-type'], 'application/pdf');
    ticketUrl = route.request().url();
    pdf = await response.body();
    await route.fulfill({ response, body: pdf });
  });
  await print.getByRole('button', { name: 'Tạo bản in' }).click();
  await expectText(print.locator('.print-numbers'), `Đã ghi vào Sổ quản lý sao, chụp BMNN: số 1/${year}`);
  await p.unroute(/\/blob\/[0-9a-f]{32}$/);
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  // Opened or saved from this window: an object URL, not the ticket, which is spent.
  assert.match((await print.getByRole('link', { name: 'Mở bản in' }).getAttribute('href')) ?? '', /^blob:/);
  const again = await p.evaluate(async (u) => (await fetch(u, { headers: { Authorization: `Bearer ${sessionStorage.getItem('securedesk.devhost.token') ?? ''}` } })).status, ticketUrl);
  assert.equal(again, 404, 'the ticket is used once');
  // That refusal is the only failed request so far, and the only error the console shows.
  assert.deepEqual(failedRequests.splice(0), [`404 ${new URL(ticketUrl).pathname}`]);
  await eventually(async () => assert.equal(office.app().problems.errors.filter((e) => e.includes('404')).length, 1));
  office.app().problems.errors.splice(0, office.app().problems.errors.length, ...office.app().problems.errors.filter((e) => !e.includes('404')));
  const pages = pdfTextPages(pdf).map((t) => t.replace(/\s+/g, ' '));
  assert.equal(pages.length, 2, 'one copy of a two-page document');
  for (const [i, text] of pages.entries()) {
    assert.ok(text.includes(OFFICER), `the officer's name on page ${i + 1}: ${text.slice(0, 300)}`);
    assert.ok(text.includes('Bản số 1/1'), `"Bản số 1/1" on page ${i + 1}`);
    assert.ok(text.includes('TỐI MẬT'), `the level mark on page ${i + 1}`);
    assert.ok(text.includes(`Bản sao số 1/${year}`), `the register number on page ${i + 1}`);
  }
  await screenshot(p, 'secrets-print-done-1366');
  await print.getByRole('button', { name: 'Đóng' }).last().click();
  await print.waitFor({ state: 'hidden' });

  // The permission is spent: asked again, the dialog says so and the core refuses.
  await p.getByRole('button', { name: 'In / Sao' }).click();
  await expectText(print.locator('.notice-warning'), 'Bạn chưa được cho phép in, sao tài liệu độ Tối mật này.');
  await print.getByLabel('Lý do').fill('In thêm');
  await print.getByRole('button', { name: 'Tạo bản in' }).click();
  await expectText(print.locator('.form-error'), 'cần sự cho phép của người có thẩm quyền');
  await print.getByRole('button', { name: 'Hủy' }).click();

  // The Sổ quản lý sao, chụp BMNN lists the run.
  await p.getByRole('navigation', { name: 'Chức năng' }).getByRole('button', { name: 'Sổ quản lý sao, chụp BMNN' }).click();
  await p.getByRole('heading', { name: 'Sổ quản lý sao, chụp BMNN' }).waitFor();
  const row = p.locator('.copy-register-table tbody tr');
  await eventually(async () => assert.equal(await row.count(), 1));
  const cells = (await row.locator('td').allTextContents()).map((c) => c.trim());
  assert.deepEqual([...cells.slice(0, 2), ...cells.slice(3)], ['1', formatDateVn(today), 'In', '1', LEADER, OFFICER, 'Phục vụ họp giao ban']);
  assert.equal(cells[2], `Số đến ${ids.secretNumber} — ${SECRET.symbol}, ngày ${formatDateVn(addDaysIso(today, -3))} Tối mật`);
  await shoot(p, 'secrets-copy-register', async () => {
    await row.first().waitFor();
  });
  await assertNothingClipped(p, '.copy-register-table');
  await p.getByRole('navigation', { name: 'Chức năng' }).getByRole('button', { name: 'Văn bản đến', exact: true }).click();
  await p.keyboard.press('Control+l');
});

test('the leader proposes lowering it to Mật and cannot confirm it himself; the văn thư confirms: the notice to the holders', { skip }, async () => {
  let p = await signIn('leader');
  await openSecret();
  await section().getByRole('button', { name: 'Thay đổi độ mật' }).click();
  const dialog = p.getByRole('dialog', { name: `Thay đổi độ mật văn bản đến số ${ids.secretNumber}` });
  await dialog.getByLabel('Hình thức').selectOption({ label: 'Giảm độ mật' });
  await dialog.getByLabel('Độ mật mới').selectOption({ label: 'Mật' });
  await dialog.getByLabel('Căn cứ, thẩm quyền').fill('Quyết định số 12/QĐ-VPTU');
  await dialog.getByLabel('Lý do').fill('Hết yêu cầu bảo vệ ở độ Tối mật');
  assert.equal(await dialog.getByLabel('Ngày quyết định').inputValue(), formatDateVn(today));
  await dialog.getByRole('button', { name: 'Gửi đề xuất' }).click();
  await dialog.waitFor({ state: 'hidden' });
  const pending = section().locator('.level-pending');
  await expectText(pending, 'Chờ xác nhận: Giảm độ mật');
  await expectText(pending, 'Từ Tối mật thành Mật');
  await expectText(pending, `Đề xuất bởi ${LEADER}`);
  // The same person cannot confirm: the core refuses and the section says why.
  await pending.getByRole('button', { name: 'Xác nhận' }).click();
  await expectText(section().locator('.form-error'), 'Người xác nhận phải là người khác với người đề xuất.');
  assert.equal(await p.locator('.detail-header .secrecy-mark').getAttribute('aria-label'), 'Tối mật');
  await backToRegister(p);

  p = await signIn('clerk');
  await openSecret();
  await expectText(section().locator('.level-pending'), `Đề xuất bởi ${LEADER}`);
  await section().locator('.level-pending').getByRole('button', { name: 'Xác nhận' }).click();
  const notice = section().locator('.level-notice');
  await expectText(notice, 'Thông báo Giảm độ mật');
  await expectText(notice, `Đề xuất: ${LEADER}; xác nhận: ${CLERK}`);
  await expectText(notice, `Thông báo cho nơi đang quản lý trước ngày ${formatDateVn(addDaysIso(today, 15))} (15 ngày)`);
  // The holders: the recipients, the person granted it and the one who made a copy.
  await expectText(notice, 'Phòng Tổng hợp');
  await expectText(notice, OFFICER);
  await expectText(notice.locator('.notice-text'), 'THÔNG BÁO về việc giảm độ mật tài liệu bí mật nhà nước');
  await expectText(notice.locator('.notice-text'), 'từ độ "Tối mật" thành "Mật"');
  await eventually(async () => assert.equal(await p.locator('.detail-header .secrecy-mark').getAttribute('aria-label'), 'Mật'));
  assert.equal(office.app().desk!.db.prepare('SELECT secrecy FROM c_mat.incoming WHERE id = ?').pluck().get(ids.secret), 'mat');
  await shoot(p, 'secrets-level-notice', async () => {
    await notice.scrollIntoViewIfNeeded();
  });
  await assertSectionFits(p);
  // A hold, for the destruction to be refused first.
  await p.setViewportSize(SIZES[0]);
  await section().getByRole('button', { name: 'Tạm giữ', exact: true }).click();
  const hold = p.getByRole('dialog', { name: `Tạm giữ văn bản đến số ${ids.secretNumber}` });
  await hold.getByLabel('Lý do').fill('Đang thanh tra công tác bảo vệ bí mật');
  await hold.getByRole('button', { name: 'Tạm giữ' }).click();
  await hold.waitFor({ state: 'hidden' });
  await expectText(section().locator('.secrets-item.is-hold'), 'Đang thanh tra công tác bảo vệ bí mật');
  await backToRegister(p);
});

test('the leader destroys it: refused while on hold, then done; it is gone from every list', { skip }, async () => {
  const p = await signIn('leader');
  await openSecret();
  const destroy = async () => {
    await section().getByRole('button', { name: 'Tiêu hủy…' }).click();
    const d = p.getByRole('dialog', { name: `Tiêu hủy văn bản đến số ${ids.secretNumber}` });
    await d.getByLabel('Biên bản, quyết định tiêu hủy').fill('Biên bản số 03/BB-VPTU');
    await d.getByLabel('Căn cứ, thẩm quyền').fill('Chánh Văn phòng Tỉnh ủy');
    await d.getByLabel('Lý do').fill('Hết giá trị sử dụng');
    // The arrival number typed wrong: not sent.
    await d.getByLabel(`Gõ số đến ${ids.secretNumber} để xác nhận`).fill(String(ids.secretNumber + 1));
    await d.getByRole('button', { name: 'Tiêu hủy', exact: true }).click();
    await expectText(d.locator('#destroy-confirm-error'), `Gõ đúng số đến ${ids.secretNumber}`);
    await d.getByLabel(`Gõ số đến ${ids.secretNumber} để xác nhận`).fill(String(ids.secretNumber));
    await d.getByRole('button', { name: 'Tiêu hủy', exact: true }).click();
    return d;
  };
  const refused = await destroy();
  await expectText(refused.locator('.form-error'), 'Tài liệu đang bị tạm giữ; gỡ lệnh tạm giữ trước khi tiêu hủy.');
  await refused.getByRole('button', { name: 'Hủy', exact: true }).click();
  assert.equal(office.app().desk!.db.prepare('SELECT count(*) FROM c_mat.incoming WHERE id = ?').pluck().get(ids.secret), 1, 'nothing destroyed');
  await section().locator('.secrets-item.is-hold').getByRole('button', { name: 'Gỡ tạm giữ' }).click();
  await expectText(section().locator('.secrets-block', { hasText: 'Tạm giữ' }), 'Không có lệnh tạm giữ.');
  const done = await destroy();
  await done.waitFor({ state: 'hidden' });
  await registerHeading().waitFor();
  await expectText(p.locator('.toast').last(), `Đã tiêu hủy văn bản đến số ${ids.secretNumber}.`);
  // Gone for the leader in every list, search and at its address; for the others in the core's lists.
  await assertNotFound(p, LEADER);
  // The copy register's own entry is gone with the last secret record; the leader keeps the registers
  // (Sổ đăng ký: a leader closes the outgoing registers and the Sổ theo dõi giải quyết there).
  await eventually(async () => assert.deepEqual(await navModules(p), ['Văn bản đến', 'Xử lý văn bản', 'Hồ sơ công việc', 'Văn bản đi', 'Sổ đăng ký', 'Sổ bí mật nhà nước']), 5000);
  const desk = office.app().desk!;
  for (const id of [person('clerk'), person('officer'), person('leader')]) {
    const who = actorFor(getUser(desk.db, id)!);
    assert.deepEqual(desk.incoming.list(who, { sort: { field: 'arrival', dir: 'desc' }, offset: 0, limit: 50 }).map((r) => r.numberSymbol), [ORDINARY.symbol]);
    assert.equal(desk.incoming.list(who, { sort: { field: 'arrival', dir: 'desc' }, offset: 0, limit: 50, query: 'quang yen' }).length, 0);
    assert.equal(desk.incoming.count(who, {}).total, 1);
  }
  assert.deepEqual(desk.destruction.list(actorFor(getUser(desk.db, person('leader'))!)).map((d) => [d.incomingId, d.decision]), [[ids.secret, 'Biên bản số 03/BB-VPTU']]);
});

test('an envelope "Chỉ người có tên mới được bóc bì", to be returned: the văn thư registers it through the form without seeing inside; the named leader opens it', { skip }, async () => {
  const p = await signIn('clerk');
  const pdfPath = join(office.work, 'bi-dich-danh.pdf');
  writeFileSync(pdfPath, await makeSamplePdf({ issuer: 'Ban Tổ chức Tỉnh ủy', numberSymbol: '41-CV/BTCTU', title: 'CÔNG VĂN', subject: 'Về nhân sự dự kiến', pages: 1 }));
  await p.keyboard.press('Control+n');
  const d = p.getByRole('dialog', { name: 'Vào sổ văn bản đến' });
  await d.waitFor();
  await d.getByLabel('Độ mật').selectOption({ label: 'Mật' });
  // The secret marks appear for a classified level only.
  await d.getByRole('group', { name: 'Bí mật nhà nước' }).waitFor();
  await d.getByLabel('Tài liệu thu hồi').check();
  await d.getByLabel('Chỉ người có tên mới được bóc bì').check();
  await d.getByRole('combobox', { name: 'Cơ quan ban hành' }).fill('Ban Tổ chức Tỉnh ủy');
  await d.getByLabel('Số, ký hiệu').fill('41-CV/BTCTU');
  await d.getByLabel('Ngày văn bản').fill(formatDateVn(addDaysIso(today, -1)));
  await d.getByLabel('Trích yếu').fill('Về nhân sự dự kiến');
  await d.locator('input[type="file"]').setInputFiles(pdfPath);
  await expectText(d.locator('.file-item', { hasText: 'bi-dich-danh.pdf' }), 'Sẵn sàng');
  // Nobody named yet: said at the picker, nothing registered.
  await d.getByRole('button', { name: 'Vào sổ', exact: true }).click();
  await expectText(d.locator('#reg-named-recipient-error'), 'Chọn người có tên trên bì');
  const named = d.getByRole('combobox', { name: 'Người có tên trên bì' });
  await named.fill('lanh');
  await d.getByRole('option', { name: new RegExp(LEADER) }).click();
  await shoot(p, 'secrets-envelope-form', async () => {
    await d.getByRole('group', { name: 'Bí mật nhà nước' }).scrollIntoViewIfNeeded();
  });
  await d.getByRole('button', { name: 'Vào sổ', exact: true }).click();
  await expectText(p.locator('.toast').last(), 'Đã vào sổ');
  const row = office.app().desk!.db.prepare("SELECT id, recalled, named_user_id FROM c_mat.incoming WHERE number_symbol = '41-CV/BTCTU'").get() as { id: number; recalled: number; named_user_id: number };
  assert.deepEqual([row.recalled, row.named_user_id], [1, person('leader')]);
  // The văn thư sees the envelope's details and the marks, not what is inside.
  await rows().filter({ hasText: '41-CV/BTCTU' }).dblclick();
  await expectText(p.locator('.detail-meta'), 'Tài liệu thu hồi');
  await expectText(p.locator('.detail-meta'), `Chỉ người có tên mới được bóc bì: ${LEADER}`);
  await expectText(p.locator('.detail-viewer'), 'Chỉ người có tên trên bì mới được bóc bì');
  await backToRegister(p);
  // The leader, named on it, opens it with his own key.
  const q = await signIn('leader');
  await q.evaluate((id) => {
    window.location.hash = `#/incoming/${id}`;
  }, row.id);
  await expectText(q.locator('.detail-viewer'), '/ 1');
  await expectText(q.locator('.detail-viewer .textLayer'), '41-CV/BTCTU', 15_000);
  await backToRegister(q);
});

test('"Thời hạn bảo vệ": a period ending within the month is listed for the leader, who extends it', { skip }, async () => {
  const p = await signIn('leader');
  // A Mật record whose protection, written on it, ends in 20 days (registered beside the window, as the văn thư).
  const desk = office.app().desk!;
  const clerk = actorFor(getUser(desk.db, person('clerk'))!);
  const pdf = await makeSamplePdf({ issuer: 'Công an tỉnh', numberSymbol: '77-KH/CAT', title: 'KẾ HOẠCH', subject: 'Bảo vệ hội nghị', pages: 1 });
  const staged = await desk.attachments.stage(clerk, Readable.from(Buffer.from(pdf)), 'ke-hoach-77.pdf');
  const until = addDaysIso(today, 20);
  const due = await desk.incoming.register(clerk, {
    issuer: { name: 'Công an tỉnh' }, numberSymbol: '77-KH/CAT', documentDate: addDaysIso(today, -400), arrivalDate: today, typeCode: 'KH',
    subject: 'Bảo vệ hội nghị', secrecy: 'mat', urgency: 'thuong', recipients: ['Phòng Tổng hợp'], notes: '', protectionUntil: until,
    stagedIds: [staged.stagedId], acknowledgeDuplicates: false, acknowledgeOutOfOrder: true,
  });
  await p.getByRole('navigation', { name: 'Chức năng' }).getByRole('button', { name: 'Thời hạn bảo vệ' }).click();
  await p.getByRole('heading', { name: 'Thời hạn bảo vệ bí mật nhà nước' }).waitFor();
  const row = p.locator('.review-table tbody tr', { hasText: '77-KH/CAT' });
  await expectText(row, formatDateVn(until));
  await expectText(row, 'Sắp hết thời hạn');
  await expectText(row, '(ghi trên văn bản)');
  await shoot(p, 'secrets-review', async () => {});
  await row.getByRole('button', { name: 'Gia hạn…' }).click();
  const d = p.getByRole('dialog', { name: `Gia hạn thời hạn bảo vệ — văn bản đến số ${due.arrivalNumber}` });
  // Not later than the current end: refused at the field.
  await d.getByLabel('Thời hạn bảo vệ mới').fill(formatDateVn(addDaysIso(today, 10)));
  await d.getByLabel('Căn cứ, thẩm quyền').fill('Quyết định 15/QĐ-VPTU');
  await d.getByLabel('Lý do').fill('Hội nghị lùi thời gian');
  await d.getByRole('button', { name: 'Gia hạn', exact: true }).click();
  await expectText(d.locator('#extend-until-error'), 'phải sau thời hạn bảo vệ hiện tại');
  const later = addDaysIso(today, 800);
  await d.getByLabel('Thời hạn bảo vệ mới').fill(formatDateVn(later));
  await d.getByRole('button', { name: 'Gia hạn', exact: true }).click();
  await d.waitFor({ state: 'hidden' });
  await expectText(p.locator('.toast').last(), `Đã gia hạn văn bản đến số ${due.arrivalNumber} đến ${formatDateVn(later)}.`);
  assert.equal(await p.locator('.review-table tbody tr', { hasText: '77-KH/CAT' }).count(), 0, 'no longer due within 180 days');
  assert.equal(desk.incoming.get(clerk, due.id).protectionUntil, later);
  await p.getByRole('navigation', { name: 'Chức năng' }).getByRole('button', { name: 'Văn bản đến', exact: true }).click();
  await registerHeading().waitFor();
});

test('no console errors and no Content-Security-Policy violations', { skip }, async () => {
  await office.closeApp();
  assert.deepEqual(failedRequests, [], 'failed requests');
  assert.deepEqual(office.seen.csp, [], 'CSP violations');
  assert.deepEqual(office.seen.errors, [], 'console errors');
});

/** The Bảo mật section: nothing in it runs out of its box (text wraps, buttons stay whole). */
async function assertSectionFits(p: Page): Promise<void> {
  for (const size of SIZES) {
    await p.setViewportSize(size);
    const over = await section().evaluate((root) => {
      const box = root.getBoundingClientRect();
      return Array.from(root.querySelectorAll<HTMLElement>('*'))
        .filter((el) => el.offsetParent !== null && (el.getBoundingClientRect().right > box.right + 0.5 || (el.tagName === 'BUTTON' && el.scrollWidth > el.clientWidth)))
        .map((el) => `${el.tagName}.${el.className}: ${el.textContent?.slice(0, 60)}`);
    });
    assert.deepEqual(over, [], `overflow at ${size.width}`);
  }
}

async function assertDialogFits(p: Page, dialog: ReturnType<Page['getByRole']>): Promise<void> {
  for (const size of SIZES) {
    await p.setViewportSize(size);
    const box = (await dialog.boundingBox())!;
    assert.ok(box.y >= 0 && box.y + box.height <= size.height && box.x >= 0 && box.x + box.width <= size.width, `the dialog fits ${size.width}×${size.height}`);
    const clipped = await dialog.evaluate((root) => Array.from(root.querySelectorAll<HTMLElement>('label, button, select, option:checked'))
      .filter((el) => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1).map((el) => el.textContent ?? ''));
    assert.deepEqual(clipped, [], `clipped in the dialog at ${size.width}`);
  }
}

async function assertNothingClipped(p: Page, selector: string): Promise<void> {
  for (const size of SIZES) {
    await p.setViewportSize(size);
    const clipped = await p.locator(selector).evaluate((root) => Array.from(root.querySelectorAll<HTMLElement>('th, td'))
      .filter((el) => el.scrollWidth > el.clientWidth + 1).map((el) => el.textContent ?? ''));
    assert.deepEqual(clipped, [], `clipped cells at ${size.width}`);
  }
}
