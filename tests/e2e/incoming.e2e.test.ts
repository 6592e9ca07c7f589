// The incoming register end to end: first-run setup with the văn thư's token (SoftHSM), registration
// with a real PDF, search without diacritics, the PDF viewer, field errors, duplicates, a non-PDF
// file, and a restart on the same profile, unlocked again with the token and its PIN. Runs in
// Chromium on the development host, or in Electron when ELECTRON_OVERRIDE_DIST_PATH is set (see
// harness.ts). The token life cycle itself (lock, removal, idle, binding) is token.e2e.test.ts.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { addDaysIso, formatDateVn, todayIso } from '../../common/dates';
import { makeSamplePdf } from '../../main/devhost/samplePdf';
import { createSoftHsm, type SoftHsm } from '../fixtures/softhsm/tokens';
import { ELECTRON_DIST, eventually, expectText, openApp, screenshot, type AppSession, type Problems } from './harness';

if (ELECTRON_DIST) {
  test('incoming register in Chromium on the development host', { skip: 'ELECTRON_OVERRIDE_DIST_PATH is set: these specs run in Electron instead' }, () => {});
} else {
  test('incoming register in Electron', { skip: 'ELECTRON_OVERRIDE_DIST_PATH not set: no Electron binary on this machine' }, () => {});
}

const UNIT = 'Văn phòng Tỉnh ủy Bắc Ninh';
const USER = 'Nguyễn Thị Lan';
const ISSUER = 'Đảng ủy Khối các cơ quan tỉnh';
const NUMBER_SYMBOL = '125-CV/ĐU';
const SUBJECT = 'Về việc triển khai hệ thống văn phòng điện tử trong các cơ quan Đảng ủy';
const REGISTER = 'Sổ đăng ký văn bản đến';
/** Secret arrivals go to their own register, in the party preset too. */
const SECRET_REGISTER = 'Sổ đăng ký bí mật nhà nước đến';
const today = todayIso();
const documentDate = formatDateVn(addDaysIso(today, -2));
const deadline = formatDateVn(addDaysIso(today, 10));

let work = '';
let profileDir = '';
let pdfPath = '';
let notPdfPath = '';
let brokenPdfPath = '';
let app: AppSession;
let hsm: SoftHsm;
const seen: Problems = { errors: [], csp: [] };

async function restart(): Promise<void> {
  collect();
  await app.close();
  app = await openApp(profileDir, { hsm });
}

function collect(): void {
  if (!app) return;
  seen.errors.push(...app.problems.errors.splice(0));
  seen.csp.push(...app.problems.csp.splice(0));
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'securedesk-e2e-'));
  profileDir = join(work, 'profile');
  pdfPath = join(work, 'cong-van-125.pdf');
  writeFileSync(
    pdfPath,
    await makeSamplePdf({
      issuer: ISSUER,
      numberSymbol: NUMBER_SYMBOL,
      title: 'CÔNG VĂN',
      subject: SUBJECT,
      body: ['Kính gửi: Văn phòng Tỉnh ủy Bắc Ninh', 'Đề nghị các đơn vị sử dụng chữ ký số trên văn bản điện tử.'],
      pages: 2,
    }),
  );
  notPdfPath = join(work, 'x.pdf');
  writeFileSync(notPdfPath, 'Đây không phải là tệp PDF, chỉ có tên giống PDF.\n');
  // Starts like a PDF (so the store marks it as one) but pdf.js cannot read it.
  brokenPdfPath = join(work, 'hong.pdf');
  writeFileSync(brokenPdfPath, '%PDF-1.7\n1 0 obj << /Type /Catalog >>\n(truncated in transit)\n');
  // The văn thư's token only: it is the one token present, so the app chooses it by itself.
  hsm = await createSoftHsm({ tokens: ['userRsa'] });
  app = await openApp(profileDir, { hsm });
});

after(async () => {
  await app?.close();
  await hsm?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

const page = () => app.page;
const dialog = () => page().getByRole('dialog', { name: 'Vào sổ văn bản đến' });
const search = () => page().getByRole('searchbox', { name: 'Tìm trong sổ văn bản đến' });

test('first-run setup through the UI: party preset, a văn thư, her token and PIN', async () => {
  const p = page();
  await p.getByRole('heading', { name: 'Thiết lập máy trạm' }).waitFor();
  await p.getByLabel('Tên cơ quan, đơn vị').fill(UNIT);
  const code = p.getByLabel('Mã định danh');
  await code.fill('abc');
  await code.blur();
  await expectText(p.locator('#unit-code-error'), 'Mã định danh gồm các nhóm ngăn cách bằng dấu chấm');
  await code.fill('000.00.01.T27');
  await expectText(p.locator('#unit-code-hint'), 'Hợp lệ: 000.00.01.T27');
  await p.getByRole('radio', { name: /Cơ quan Đảng/ }).check();
  await p.getByLabel('Họ và tên').fill(USER);
  await p.getByLabel('Chức vụ').fill('Văn thư cơ quan');
  await p.getByLabel('Vai trò').selectOption({ label: 'Văn thư' });
  await p.getByLabel('Mức được tiếp cận').selectOption({ label: 'Tuyệt mật' });
  // The only token present is chosen for her; its certificates are listed.
  const token = p.getByRole('radio', { name: /SD-USER-RSA/ });
  await eventually(async () => assert.equal(await token.isChecked(), true, 'the one usable token is chosen'));
  await expectText(p.locator('.token-certs'), 'Nguyễn Văn An');
  await p.getByLabel('Mã PIN').fill(hsm.tokens.userRsa.pin);
  await p.locator('.token-certs').scrollIntoViewIfNeeded();
  await screenshot(p, 'setup');
  await p.getByRole('button', { name: 'Tạo dữ liệu máy trạm' }).click();

  await p.getByRole('heading', { name: 'Sổ văn bản đến' }).waitFor();
  await expectText(p.locator('.app-header'), UNIT);
  await expectText(p.locator('.app-header'), USER);
  await expectText(p.locator('.app-header'), 'Văn thư');
  await expectText(p.locator('.grid-message'), 'Sổ văn bản đến chưa có văn bản nào.');
  // Only modules that exist (the state-secret registers: the core allows the văn thư, asked once signed in).
  await eventually(async () => {
    const modules = await p.getByRole('navigation', { name: 'Chức năng' }).getByRole('button').allTextContents();
    assert.deepEqual(modules.map((m) => m.trim()), ['Văn bản đến', 'Văn bản điện tử đến', 'Xử lý văn bản', 'Hồ sơ công việc', 'Văn bản đi', 'Sổ đăng ký', 'Nhập dữ liệu cũ', 'Gói dữ liệu', 'Đồng bộ', 'Sổ bí mật nhà nước']);
  });
  await screenshot(p, 'list-empty');
});

test('a wrong number-symbol is explained in Vietnamese at its field', async () => {
  const p = page();
  await p.keyboard.press('Control+n');
  await dialog().waitFor();
  const field = dialog().getByLabel('Số, ký hiệu');
  await field.fill('abc');
  await field.blur();
  const error = dialog().locator('#reg-number-symbol-error');
  await expectText(error, 'Số, ký hiệu phải bắt đầu bằng số, ví dụ 15/QĐ-UBND hoặc 27-QĐ/TW.');
  assert.equal(await field.getAttribute('aria-invalid'), 'true');
  assert.match((await field.getAttribute('aria-describedby')) ?? '', /reg-number-symbol-error/);
  // Both accepted forms are shown as a hint.
  await expectText(dialog().locator('#reg-number-symbol-hint'), '15/QĐ-UBND · Đảng: 27-QĐ/TW');
  // A party symbol typed with the state's slash is accepted with a suggestion the form applies.
  await field.fill('27/QĐ/TW');
  await expectText(dialog().locator('#reg-number-symbol-hint'), 'có phải 27-QĐ/TW?');
  assert.equal(await field.getAttribute('aria-invalid'), null, 'a warning, not an error');
  await dialog().getByRole('button', { name: 'Sửa thành 27-QĐ/TW' }).click();
  assert.equal(await field.inputValue(), '27-QĐ/TW');
  // The type follows the symbol, Luật included; a type not in the list is written by name.
  await field.fill('Luật số 117/2025/QH15');
  assert.equal(await dialog().locator('#reg-type').inputValue(), 'Luật');
  await dialog().locator('#reg-type').selectOption({ label: 'Loại khác (ghi tên)…' });
  await dialog().getByLabel('Tên loại văn bản').fill('Báo cáo nhanh');
  await expectText(dialog().locator('#reg-type-hint'), 'Ghi tên loại như trên văn bản');

  // Submitting the empty form: every missing field says so, at the field.
  await dialog().getByRole('button', { name: 'Vào sổ', exact: true }).click();
  await expectText(dialog().locator('#reg-issuer-error'), 'Chưa nhập cơ quan ban hành.');
  await expectText(dialog().locator('#reg-document-date-error'), 'Chưa nhập ngày văn bản.');
  await expectText(dialog().locator('#reg-subject-error'), 'Chưa nhập trích yếu.');
  await expectText(dialog().locator('#reg-files-error'), 'Cần ít nhất một tệp đính kèm');
  await screenshot(p, 'form-errors');
  // Emptying the form asks first (secretary-ui.e2e.test.ts covers it in full).
  await dialog().getByRole('button', { name: 'Xóa nội dung' }).click();
  const confirm = p.getByRole('dialog', { name: 'Xóa nội dung đã nhập?' });
  await confirm.getByRole('button', { name: 'Xóa nội dung' }).click();
  await confirm.waitFor({ state: 'hidden' });
  assert.equal(await dialog().getByLabel('Số, ký hiệu').inputValue(), '');
  await p.keyboard.press('Escape');
  await dialog().waitFor({ state: 'hidden' });
});

test('register an incoming document with a real PDF', async () => {
  const p = page();
  await p.keyboard.press('Control+n');
  const d = dialog();
  await d.waitFor();
  await d.getByLabel('Độ mật').selectOption({ label: 'Mật' });
  await d.getByLabel('Độ khẩn').selectOption({ label: 'Khẩn' });
  await expectText(d.locator('#reg-register-hint'), `Vào “${SECRET_REGISTER}”`);
  await d.getByRole('combobox', { name: 'Cơ quan ban hành' }).fill(ISSUER);
  await d.getByLabel('Số, ký hiệu').fill(NUMBER_SYMBOL);
  // The type follows the symbol (CV = Công văn) until chosen by hand.
  assert.equal(await d.getByLabel('Loại văn bản').inputValue(), 'CV');
  await d.getByLabel('Ngày văn bản').fill(documentDate);
  await d.getByLabel('Trích yếu').fill(SUBJECT);
  await d.getByLabel('Hạn xử lý').fill(deadline);
  await d.getByLabel('Đơn vị/người nhận', { exact: true }).fill('Phòng Tổng hợp');
  await d.getByLabel('Đơn vị/người nhận', { exact: true }).press('Enter');
  await d.locator('input[type="file"]').setInputFiles(pdfPath);
  const file = d.locator('.file-item', { hasText: 'cong-van-125.pdf' });
  await expectText(file, 'Sẵn sàng');
  await expectText(file.locator('.tag'), 'PDF');
  await d.getByRole('button', { name: 'Vào sổ', exact: true }).click();

  await expectText(p.locator('.toast'), `Đã vào sổ: số đến 1 – ${SECRET_REGISTER}`);
  await dialog().waitFor({ state: 'hidden' });
  const selected = p.locator('#incoming-grid .grid-body [role="row"][aria-selected="true"]');
  await expectText(selected, NUMBER_SYMBOL);
  await expectText(selected, SUBJECT);
  await expectText(selected.locator('.badge-secret'), 'Mật');
  await expectText(p.locator('.page-count'), '1 văn bản');
});

test('find it by typing without diacritics', async () => {
  const p = page();
  await p.keyboard.press('Control+f');
  assert.equal(await search().evaluate((el) => el === document.activeElement), true, 'Ctrl+F focuses the search box');
  for (const query of ['dien tu', 'dang uy']) {
    await search().fill(query);
    await expectText(p.locator('.page-count'), 'Tìm thấy 1 văn bản');
    await expectText(p.locator('#incoming-grid .grid-body'), NUMBER_SYMBOL);
  }
  // The words found are marked in the row; a number-symbol is found by its key and marked whole.
  await search().fill('dien tu');
  await eventually(async () => assert.deepEqual(
    await p.locator('#incoming-grid .grid-body .col-subject mark.search-hit').allTextContents(), ['điện', 'tử']));
  await search().fill('0125-CV/DU');
  await expectText(p.locator('.page-count'), 'Tìm thấy 1 văn bản');
  await expectText(p.locator('#incoming-grid .grid-body .col-symbol mark.search-hit'), NUMBER_SYMBOL);
  await search().fill('hop dong thue xe');
  await expectText(p.locator('.grid-message'), 'Không có văn bản nào phù hợp.');
  await screenshot(p, 'list-no-results');
  await search().fill('dien tu');
  await expectText(p.locator('#incoming-grid .grid-body'), NUMBER_SYMBOL);
});

test('open it: page 1 of the PDF is rendered with a selectable text layer, and find works', async () => {
  const p = page();
  await p.locator('#incoming-grid .grid-body [role="row"]', { hasText: NUMBER_SYMBOL }).dblclick();
  await p.getByRole('heading', { name: 'Văn bản đến số 1' }).waitFor();
  await expectText(p.locator('.detail-meta'), SUBJECT);
  await expectText(p.locator('.detail-meta'), 'Phòng Tổng hợp');
  await expectText(p.locator('.viewer-toolbar .secrecy-mark'), 'MẬT');

  const page1 = p.locator('.pdf-page[data-page-number="1"]');
  await page1.locator('canvas').waitFor({ timeout: 15_000 });
  const textLayer = page1.locator('.textLayer');
  await expectText(textLayer, 'văn phòng điện tử', 15_000);
  await expectText(textLayer, NUMBER_SYMBOL);
  await expectText(p.locator('.viewer-toolbar .page-count'), '/ 2');
  await screenshot(p, 'pdf-rendered');

  // The text can be selected with the mouse: drag across the title.
  const box = await textLayer.locator('span', { hasText: 'CÔNG VĂN' }).first().boundingBox();
  assert.ok(box, 'the title has a box in the text layer');
  await p.mouse.move(box.x + 1, box.y + box.height / 2);
  await p.mouse.down();
  await p.mouse.move(box.x + box.width - 1, box.y + box.height / 2, { steps: 5 });
  await p.mouse.up();
  const selection = await p.evaluate(() => window.getSelection()?.toString() ?? '');
  assert.match(selection, /CÔNG VĂN/);

  // Find in the document, accent-insensitive.
  await p.keyboard.press('Control+f');
  const find = p.getByRole('searchbox', { name: 'Tìm trong tệp' });
  assert.equal(await find.evaluate((el) => el === document.activeElement), true, 'Ctrl+F focuses the find box of the viewer');
  await find.fill('dang uy');
  await expectText(p.locator('.find-status'), '1/2');
  await expectText(page1.locator('.textLayer .highlight.selected'), /Đảng ủy|ĐẢNG ỦY/);
  await find.press('Enter');
  await expectText(p.locator('.find-status'), '2/2');
  await screenshot(p, 'pdf-find');

  await p.getByRole('button', { name: 'Trang sau' }).click();
  await eventually(async () => assert.equal(await p.getByLabel('Số trang').inputValue(), '2'));
  await p.getByRole('button', { name: 'Sổ văn bản đến' }).click();
  await p.getByRole('heading', { name: 'Sổ văn bản đến' }).waitFor();
});

test('registering it again warns of the duplicate and links to the earlier record', async () => {
  const p = page();
  await search().fill('');
  await p.keyboard.press('Control+n');
  const d = dialog();
  await d.waitFor();
  await d.getByRole('combobox', { name: 'Cơ quan ban hành' }).fill(ISSUER);
  await d.getByLabel('Số, ký hiệu').fill(NUMBER_SYMBOL);
  await d.getByLabel('Ngày văn bản').fill(documentDate);
  // Early warning, before submitting.
  const early = d.locator('.notice', { hasText: 'Đã có văn bản cùng số, ký hiệu' });
  await expectText(early, `Số đến 1 – ${SECRET_REGISTER}`);
  await d.getByLabel('Trích yếu').fill(SUBJECT);
  await d.locator('input[type="file"]').setInputFiles(pdfPath);
  await expectText(d.locator('.file-item'), 'Tệp này trùng với tệp của văn bản đã vào sổ');
  await d.getByRole('button', { name: 'Vào sổ', exact: true }).click();

  const panel = d.locator('.duplicate-panel');
  await expectText(panel, 'Văn bản này có thể đã được vào sổ');
  await expectText(panel, NUMBER_SYMBOL);
  await screenshot(p, 'duplicate-warning');
  await panel.getByRole('button', { name: `Số đến 1 – ${SECRET_REGISTER}` }).click();
  await dialog().waitFor({ state: 'hidden' });
  await p.getByRole('heading', { name: 'Văn bản đến số 1' }).waitFor();

  // The draft waited; "Vẫn vào sổ" registers it knowingly.
  await p.keyboard.press('Control+n');
  await dialog().waitFor();
  assert.equal(await dialog().getByLabel('Số, ký hiệu').inputValue(), NUMBER_SYMBOL);
  await dialog().getByRole('button', { name: 'Vẫn vào sổ' }).click();
  // Registered as Thường this time: the ordinary register's first number.
  await expectText(p.locator('.toast').last(), `Đã vào sổ: số đến 1 – ${REGISTER}`);
  await p.getByRole('heading', { name: 'Sổ văn bản đến' }).waitFor();
});

test('a file named x.pdf that is not a PDF, or a PDF pdf.js rejects, gets a clear message in the viewer', async () => {
  const p = page();
  await p.keyboard.press('Control+n');
  const d = dialog();
  await d.waitFor();
  await d.getByRole('combobox', { name: 'Cơ quan ban hành' }).fill('Sở Nội vụ tỉnh Bắc Ninh');
  await d.getByLabel('Số, ký hiệu').fill('45/SNV-VP');
  await d.getByLabel('Ngày văn bản').fill(documentDate);
  await d.getByLabel('Loại văn bản').selectOption({ label: 'Công văn' });
  await d.getByLabel('Trích yếu').fill('Thông báo lịch giao ban tháng');
  await d.locator('input[type="file"]').setInputFiles([notPdfPath, brokenPdfPath]);
  const file = d.locator('.file-item', { hasText: 'x.pdf' });
  await expectText(file, 'Sẵn sàng');
  await expectText(file.locator('.tag'), 'Không phải PDF');
  await expectText(d.locator('.file-item', { hasText: 'hong.pdf' }), 'Sẵn sàng');
  await d.getByRole('button', { name: 'Vào sổ', exact: true }).click();
  await expectText(p.locator('.toast').last(), `Đã vào sổ: số đến 2 – ${REGISTER}`);

  // The new row is selected: Enter opens it.
  await expectText(p.locator('#incoming-grid .grid-body [role="row"][aria-selected="true"]'), '45/SNV-VP');
  await p.locator('#incoming-grid').focus();
  await p.keyboard.press('Enter');
  await p.getByRole('heading', { name: 'Văn bản đến số 2' }).waitFor();
  // The first file marked PDF opens first: pdf.js rejects it, and says so.
  await expectText(p.locator('.viewer-file'), 'hong.pdf');
  await expectText(p.locator('.viewer-message'), 'Tệp này không phải PDF hợp lệ');
  await p.getByRole('button', { name: /x\.pdf/ }).click();
  await expectText(p.locator('.viewer-file'), 'x.pdf');
  await expectText(p.locator('.viewer-message'), 'Tệp này không phải PDF hợp lệ');
  await expectText(p.locator('.viewer-message'), '“x.pdf”');
  await screenshot(p, 'not-pdf');
  await p.keyboard.press('Escape');
  await p.getByRole('heading', { name: 'Sổ văn bản đến' }).waitFor();
  // Back on the register, the keyboard carries on from the row that was opened.
  await eventually(async () => assert.equal(await p.evaluate(() => document.activeElement?.id), 'incoming-grid'));
  await expectText(p.locator('#incoming-grid .grid-body [role="row"][aria-selected="true"]'), '45/SNV-VP');
});

test('after a restart on the same profile: unlock with the token and PIN, and find it again', async () => {
  await restart();
  const p = page();
  await p.getByRole('heading', { name: 'Máy trạm đang khóa' }).waitFor();
  await eventually(async () => assert.equal(await p.getByRole('radio', { name: /SD-USER-RSA/ }).isChecked(), true));
  await p.getByLabel('Mã PIN').fill(hsm.tokens.userRsa.pin);
  await screenshot(p, 'lock-screen');
  await p.getByRole('button', { name: 'Mở khóa' }).click();
  await p.getByRole('heading', { name: 'Sổ văn bản đến' }).waitFor();
  await expectText(p.locator('.app-header'), UNIT);
  await expectText(p.locator('.app-header'), USER);
  await expectText(p.locator('.page-count'), '3 văn bản');
  await search().fill('dien tu');
  await expectText(p.locator('.page-count'), 'Tìm thấy 2 văn bản');
  await expectText(p.locator('#incoming-grid .grid-body'), NUMBER_SYMBOL);
  await screenshot(p, 'list-after-restart');
});

test('no console errors and no Content-Security-Policy violations', () => {
  collect();
  assert.deepEqual(seen.csp, [], 'CSP violations');
  assert.deepEqual(seen.errors, [], 'console errors');
});
