// The profile under a USB token, end to end with real SoftHSM tokens: first-run setup with the
// administrator's token (the EC-only token is explained, a wrong PIN is refused at the PIN field),
// locking with "Khóa" and unlocking, NOT_BOUND, the administrator adding a văn thư and binding a
// token to her, the token settings, a registered PDF opened in the viewer, signed on the token
// ("Hợp lệ" for the file and the register entry) and its stored file then changed behind the app's
// back ("Không hợp lệ", with why), then the token pulled
// out while the document is open (the lock screen within 2 s, nothing of the document left in the
// DOM or readable in the profile directory), the văn thư unlocking with her own token (which has
// no signing certificate: "Ký số" says so), a restart
// with the token put back, the idle lock, and a plain profile from before token binding: nobody
// listed before sign-in, the recovery token binding the văn thư's token, the profile encrypted,
// and the văn thư unlocking with her own token. Chromium on the development host only: pulling tokens
// and the idle timeout are driven from the test process.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { formatDateVn, todayIso, addDaysIso } from '../../common/dates';
import { isPlainDatabase, openDatabase } from '../../main/core/db/connection';
import { runSetup } from '../../main/core/org/setup';
import { addUser } from '../../main/core/org/users';
import { makeSamplePdf } from '../../main/devhost/samplePdf';
import { createSoftHsm, keyOf, type SoftHsm } from '../fixtures/softhsm/tokens';
import {
  ELECTRON_DIST, eventually, expectText, filesContaining, openApp, pageText, screenshot, type AppSession, type OpenOptions, type Problems, UI_WAIT_MS,
} from './harness';

const UNIT = 'Văn phòng Huyện ủy Gia Lâm';
const ADMIN = 'Phạm Minh Đức';
const CLERK = 'Lê Thị Mai';
const ISSUER = 'Ban Tuyên giáo Huyện ủy';
const NUMBER_SYMBOL = '48-CV/BTGHU';
const SUBJECT = 'Về việc bảo đảm an toàn thông tin trong hệ thống văn phòng điện tử của Huyện ủy';
const IDLE_MS = 3_000;

const skip = ELECTRON_DIST ? 'token removal and the idle timeout are driven through the development host (Chromium only)' : false;

let work = '';
let profileDir = '';
let pdfPath = '';
let pdfBytes: Buffer;
let tokenBackup = '';
let hsm: SoftHsm;
let app: AppSession | undefined;
const seen: Problems = { errors: [], csp: [] };

function collect(): void {
  if (!app) return;
  seen.errors.push(...app.problems.errors.splice(0));
  seen.csp.push(...app.problems.csp.splice(0));
}

async function reopen(dir: string, idleMs?: number, extra: Partial<OpenOptions> = {}): Promise<void> {
  collect();
  await app?.close();
  app = await openApp(dir, { hsm, ...(idleMs ? { idleMs } : {}), ...extra });
}

before(async () => {
  if (skip) return;
  work = mkdtempSync(join(tmpdir(), 'securedesk-e2e-token-'));
  profileDir = join(work, 'profile');
  pdfPath = join(work, 'cong-van-48.pdf');
  pdfBytes = Buffer.from(
    await makeSamplePdf({
      issuer: ISSUER, numberSymbol: NUMBER_SYMBOL, title: 'CÔNG VĂN', subject: SUBJECT,
      body: ['Kính gửi: Văn phòng Huyện ủy Gia Lâm', 'Đề nghị rà soát việc sử dụng thiết bị ký số tại các phòng.'],
    }),
  );
  writeFileSync(pdfPath, pdfBytes);
  tokenBackup = join(work, 'token-backup');
  hsm = await createSoftHsm();
  app = await openApp(profileDir, { hsm });
});

after(async () => {
  await app?.close();
  await hsm?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

const page = () => app!.page;
const signatures = () => page().getByRole('region', { name: 'Chữ ký số' });
const signedPart = (name: string) => signatures().locator('.signed-part', { hasText: name });
const lockHeading = () => page().getByRole('heading', { name: 'Máy trạm đang khóa' });
const registerHeading = () => page().getByRole('heading', { name: 'Sổ văn bản đến' });
const tokenRadio = (label: string) => page().getByRole('radio', { name: new RegExp(label) });

/** The signatures section scrolled fully into view (it ends the detail's side panel). */
const showWholeSignatures = () => signatures().evaluate((el) => el.scrollIntoView({ block: 'end' }));

/**
 * The changed file's download breaks off when its first damaged chunk fails authentication, and
 * Chromium reports that failed load on the console. Exactly that one report is expected per
 * opening of the changed file; every other console error still fails the run.
 */
async function excuseBrokenDownload(): Promise<void> {
  const errors = app!.problems.errors;
  const broken = /^Failed to load resource: net::ERR_(EMPTY_RESPONSE|CONTENT_LENGTH_MISMATCH|INCOMPLETE_CHUNKED_ENCODING)$/;
  await eventually(async () => assert.equal(errors.filter((e) => broken.test(e)).length, 1, `console errors: ${JSON.stringify(errors)}`));
  errors.splice(errors.findIndex((e) => broken.test(e)), 1);
}

/** Nothing of the document in the profile directory: not its subject, not a run of its bytes. */
function assertNothingReadable(): void {
  const needles: Record<string, Buffer> = { subject: Buffer.from(SUBJECT, 'utf8'), 'issuer+symbol': Buffer.from(NUMBER_SYMBOL, 'utf8') };
  for (const at of [0, Math.floor(pdfBytes.length / 2), pdfBytes.length - 64]) needles[`pdf bytes @${at}`] = pdfBytes.subarray(at, at + 64);
  assert.deepEqual(filesContaining(profileDir, needles), [], 'plaintext of the document found in the profile');
}

test('first-run setup: the tokens are offered, the EC-only one is explained, a wrong PIN is refused at the PIN field', { skip }, async () => {
  const p = page();
  await p.getByRole('heading', { name: 'Thiết lập máy trạm' }).waitFor();
  await p.getByLabel('Tên cơ quan, đơn vị').fill(UNIT);
  await p.getByLabel('Mã định danh').fill('000.00.01.H27');
  await p.getByRole('radio', { name: /Cơ quan Đảng/ }).check();
  await p.getByLabel('Họ và tên').fill(ADMIN);
  await p.getByLabel('Chức vụ').fill('Chuyên viên quản trị mạng');
  await p.getByLabel('Vai trò').selectOption({ label: 'Quản trị' });
  await p.getByLabel('Mức được tiếp cận').selectOption({ label: 'Tuyệt mật' });

  await expectText(p.locator('.module-lines'), 'SoftHSM');
  // EC-only tokens cannot hold the data key: they are listed apart, with why, and cannot be chosen.
  const unusable = p.locator('.token-unusable-group', { hasText: 'SD-USER-EC' });
  await expectText(unusable, 'SD-SPARE');
  await expectText(unusable, 'không có chứng thư RSA dùng để mã hóa');
  assert.equal(await tokenRadio('SD-USER-EC').count(), 0);
  // Two tokens can unlock: nothing is chosen for the person.
  assert.equal(await tokenRadio('SD-USER-RSA').isChecked(), false);
  await tokenRadio('SD-USER-RSA').check();
  const certs = p.locator('.token-certs');
  await expectText(certs, 'Nguyễn Văn An');
  await expectText(certs, 'SecureDesk Test Root CA');
  await expectText(certs, /\d{2}\/\d{2}\/\d{4} – \d{2}\/\d{2}\/\d{4}/);
  await expectText(certs, 'Mã hóa khóa');
  await unusable.scrollIntoViewIfNeeded();
  await screenshot(p, 'setup-tokens');

  const pin = p.getByLabel('Mã PIN');
  await pin.fill('000000');
  await p.getByRole('button', { name: 'Tạo dữ liệu máy trạm' }).click();
  const pinError = p.locator('#setup-pin-error');
  await expectText(pinError, 'Mã PIN không đúng');
  await expectText(pinError, 'còn ít lần thử');
  assert.equal(await pin.inputValue(), '', 'the PIN is cleared from the input after submit');
  assert.equal(await pin.getAttribute('type'), 'password');
  await pin.scrollIntoViewIfNeeded();
  await screenshot(p, 'setup-wrong-pin');

  await pin.fill(hsm.tokens.userRsa.pin);
  await p.getByRole('button', { name: 'Tạo dữ liệu máy trạm' }).click();
  await registerHeading().waitFor();
  await expectText(p.locator('.app-header'), ADMIN);
  const modules = await p.getByRole('navigation', { name: 'Chức năng' }).getByRole('button').allTextContents();
  assert.deepEqual(modules.map((m) => m.trim()), ['Văn bản đến', 'Xử lý văn bản', 'Hồ sơ công việc', 'Văn bản đi', 'Người dùng', 'Thiết bị ký số', 'Sổ đăng ký', 'Đơn vị trong cơ quan', 'Nhật ký hệ thống', 'Đồng bộ']);
});

test('"Khóa" (Ctrl+L) locks; an unbound token and a wrong PIN are explained; the right PIN unlocks', { skip }, async () => {
  const p = page();
  await p.keyboard.press('Control+l');
  await lockHeading().waitFor();
  await expectText(p.locator('.lock-reason'), 'Máy trạm đã được khóa.');

  // The recovery token can unlock in principle, but nobody on this workstation holds it yet: the
  // lock screen says so (from the keyring, before anyone signs in) and does not offer it.
  const unbound = p.locator('.token-unusable-group', { hasText: 'SD-RECOVERY' });
  await expectText(unbound, 'Khôi phục dữ liệu');
  await expectText(unbound, 'Chưa gắn với máy trạm này');
  assert.equal(await tokenRadio('SD-RECOVERY').count(), 0);
  await expectText(p.locator('.person-option', { hasText: 'SD-USER-RSA' }), 'Đã gắn với máy trạm này');
  await screenshot(p, 'lock-not-bound');

  await tokenRadio('SD-USER-RSA').check();
  await p.getByLabel('Mã PIN').fill('999999');
  await p.getByRole('button', { name: 'Mở khóa' }).click();
  await expectText(p.locator('#lock-pin-error'), 'còn ít lần thử');
  assert.equal(await p.getByLabel('Mã PIN').inputValue(), '');
  await screenshot(p, 'lock-wrong-pin');

  await p.getByLabel('Mã PIN').fill(hsm.tokens.userRsa.pin);
  await p.getByRole('button', { name: 'Mở khóa' }).click();
  await registerHeading().waitFor();
  await expectText(p.locator('.app-header'), UNIT);
});

test('the tokens present are still being found: "Mở khóa" waits for them, the PIN typed meanwhile is kept, then it unlocks', { skip }, async () => {
  // A slow first directory (the CI of stop 25: the PIN was sent before the list came, the only token was
  // not chosen yet, and the workstation stayed locked on "choose a token").
  const p = page();
  let release!: () => void;
  const held = new Promise<void>((r) => { release = r; });
  await p.route('**/ipc/tokens.directory', async (route) => {
    await held;
    await route.continue();
  });
  try {
    await p.keyboard.press('Control+l');
    await lockHeading().waitFor();
    const button = p.getByRole('button', { name: 'Mở khóa' });
    assert.equal(await button.isDisabled(), true, 'nobody to unlock as before the tokens are known');
    await p.getByLabel('Mã PIN').fill(hsm.tokens.userRsa.pin);
    await p.getByLabel('Mã PIN').press('Enter');
    assert.equal(await p.locator('#lock-people-error, #lock-pin-error').count(), 0, 'no error for a press the list was not ready for');
    await screenshot(p, 'lock-finding-tokens');
    release();
    await expectText(p.locator('.person-option', { hasText: 'SD-USER-RSA' }), 'Đã gắn với máy trạm này');
    assert.equal(await p.getByLabel('Mã PIN').inputValue(), hsm.tokens.userRsa.pin);
    await button.click();
    await registerHeading().waitFor();
  } finally {
    release();
    await p.unroute('**/ipc/tokens.directory');
  }
});

test('the administrator adds a văn thư, binds the recovery token to her, and sees every token and certificate', { skip }, async () => {
  const p = page();
  await p.getByRole('button', { name: 'Người dùng' }).click();
  await p.getByRole('heading', { name: 'Người dùng' }).waitFor();
  await expectText(p.locator('.users-table'), 'Nguyễn Văn An');

  await p.getByRole('button', { name: 'Thêm người dùng' }).click();
  const add = p.getByRole('dialog', { name: 'Thêm người dùng' });
  await add.getByLabel('Họ và tên').fill(CLERK);
  await add.getByLabel('Chức vụ').fill('Văn thư cơ quan');
  await add.getByLabel('Vai trò').selectOption({ label: 'Văn thư' });
  await add.getByLabel('Mức được tiếp cận').selectOption({ label: 'Mật' });
  await add.getByRole('button', { name: 'Thêm', exact: true }).click();
  await expectText(p.locator('.toast').last(), `Đã thêm người dùng ${CLERK}`);
  const row = p.locator('.users-table tbody tr', { hasText: CLERK });
  await expectText(row, 'Chưa gắn thiết bị');

  await row.getByRole('button', { name: 'Gắn thiết bị' }).click();
  const bind = p.getByRole('dialog', { name: `Gắn thiết bị ký số cho ${CLERK}` });
  await bind.getByRole('radio', { name: /SD-RECOVERY/ }).check();
  await expectText(bind.locator('.token-certs'), 'Khôi phục dữ liệu');
  await screenshot(p, 'bind-token');
  await bind.getByRole('button', { name: 'Gắn thiết bị' }).click();
  await expectText(p.locator('.toast').last(), `Đã gắn thiết bị SD-RECOVERY cho ${CLERK}.`);
  await expectText(row, 'Khôi phục dữ liệu');
  await expectText(row, 'Mở khóa máy trạm');
  await screenshot(p, 'users');
  // Registering is the văn thư's; this workstation's administrator is let register too (audited).
  const policy = p.getByRole('region', { name: 'Phân công vào sổ văn bản' });
  await policy.getByRole('checkbox', { name: 'Quản trị' }).check();
  await policy.getByRole('button', { name: 'Lưu phân công' }).click();
  await expectText(p.locator('.toast').last(), 'Đã lưu phân công vào sổ văn bản.');

  await p.getByRole('button', { name: 'Thiết bị ký số' }).click();
  await p.getByRole('heading', { name: 'Thiết bị ký số' }).waitFor();
  await expectText(p.locator('.data-table'), 'libsofthsm2.so');
  assert.equal(await p.locator('.token-card').count(), 4);
  const ec = p.locator('.token-card', { hasText: 'SD-USER-EC' });
  await expectText(ec, 'Hết hiệu lực'); // its old P-384 certificate expired in 2021
  await expectText(ec, '01/01/2020 – 01/01/2021');
  await screenshot(p, 'tokens');
});

test('register a document with a real PDF, find it without diacritics, open page 1', { skip }, async () => {
  const p = page();
  await p.getByRole('button', { name: 'Văn bản đến', exact: true }).click();
  await registerHeading().waitFor();
  await p.keyboard.press('Control+n');
  const d = p.getByRole('dialog', { name: 'Vào sổ văn bản đến' });
  await d.waitFor();
  await d.getByRole('combobox', { name: 'Cơ quan ban hành' }).fill(ISSUER);
  await d.getByLabel('Số, ký hiệu').fill(NUMBER_SYMBOL);
  await d.getByLabel('Ngày văn bản').fill(formatDateVn(addDaysIso(todayIso(), -1)));
  await d.getByLabel('Trích yếu').fill(SUBJECT);
  await d.locator('input[type="file"]').setInputFiles(pdfPath);
  await expectText(d.locator('.file-item'), 'Sẵn sàng');
  await d.getByRole('button', { name: 'Vào sổ', exact: true }).click();
  await expectText(p.locator('.toast').last(), 'Đã vào sổ: số đến 1');

  await p.getByRole('searchbox', { name: 'Tìm trong sổ văn bản đến' }).fill('dien tu');
  await expectText(p.locator('.page-count'), 'Tìm thấy 1 văn bản');
  await p.locator('#incoming-grid .grid-body [role="row"]', { hasText: NUMBER_SYMBOL }).dblclick();
  const page1 = p.locator('.pdf-page[data-page-number="1"]');
  await page1.locator('canvas').waitFor();
  await expectText(page1.locator('.textLayer'), 'văn phòng điện tử');
  await screenshot(p, 'token-pdf-rendered');
});

test('"Ký số" on the open document: the certificate holder is named, the token signs, the file and the register entry show "Hợp lệ"', { skip }, async () => {
  const p = page();
  await expectText(signatures(), 'Văn bản chưa được ký số.');
  await signatures().getByRole('button', { name: 'Ký số' }).click();
  const d = p.getByRole('dialog', { name: 'Ký số văn bản đến số 1' });
  // The signing certificate on the token the session was opened with (not its encryption one).
  await expectText(d.locator('.sign-holder'), 'Nguyễn Văn An');
  await expectText(d.locator('.cert-grid'), 'SecureDesk Test Root CA');
  await expectText(d.locator('.cert-grid'), 'SD-USER-RSA');
  assert.deepEqual((await d.locator('.sign-parts li').allTextContents()).map((x) => x.trim()), ['cong-van-48.pdf', 'Thông tin vào sổ']);
  await screenshot(p, 'sign-confirm');
  // The token answers in a fraction of a second; held back here so the progress can be seen.
  let release = () => {};
  const held = new Promise<void>((r) => (release = r));
  await p.route('**/ipc/incoming.sign', async (route) => {
    await held;
    await route.continue();
  });
  const started = Date.now();
  await d.getByRole('button', { name: 'Ký số', exact: true }).click();
  await expectText(d.locator('.footer-status'), 'Đang ký số trên thiết bị… Không rút thiết bị ra.');
  assert.equal(await d.getByRole('button', { name: 'Hủy' }).isDisabled(), true);
  assert.equal(await d.getByRole('button', { name: 'Ký số', exact: true }).isDisabled(), true);
  await screenshot(p, 'sign-progress');
  release();
  await expectText(p.locator('.toast').last(), 'Đã ký số văn bản đến số 1: 1 tệp và thông tin vào sổ.');
  await p.unroute('**/ipc/incoming.sign');
  await d.waitFor({ state: 'hidden' });
  await expectText(signedPart('cong-van-48.pdf'), 'Hợp lệ');
  console.log(`"Ký số" -> signed and verified: ${Date.now() - started} ms (progress held for the screenshot)`);
  await expectText(signedPart('Thông tin vào sổ'), 'Hợp lệ');
  const signing = signatures().locator('.signing');
  assert.equal(await signing.count(), 1);
  await expectText(signing, 'Nguyễn Văn An');
  await expectText(signing, new RegExp(`Ký lúc ${formatDateVn(todayIso())} \\d{2}:\\d{2}`));
  assert.ok(!(await signatures().textContent())!.includes('Không hợp lệ'));
  await expectText(p.locator('.signature-summary'), 'Đã ký số (chưa kiểm tra thu hồi)');
  // No CRL installed and no timestamp: the panel says so, in words.
  await expectText(signing.locator('.signature-note'), /Chưa kiểm tra tình trạng thu hồi: Máy trạm chưa có danh sách thu hồi \(CRL\)/);
  await expectText(signing.locator('.signing-trust'), 'Không có dấu thời gian: chứng thư được kiểm tra tại thời điểm hiện tại.');
  await showWholeSignatures();
  await screenshot(p, 'signatures-valid');
});

test('the stored file changed behind the app\'s back: reopened, its signature shows "Không hợp lệ" with why; the register entry\'s still holds', { skip }, async () => {
  const p = page();
  const desk = app!.desk!;
  const doc = desk.incoming.get(desk.session!, 1);
  assert.equal(doc.numberSymbol, NUMBER_SYMBOL);
  // One byte of the encrypted blob, in the middle of the file.
  const blob = desk.context().storeFor(doc.secrecy).blobPath(doc.attachments[0]!.sha256);
  const bytes = readFileSync(blob);
  const at = bytes.length >> 1;
  bytes[at] = bytes[at]! ^ 0x01;
  writeFileSync(blob, bytes);

  await p.keyboard.press('Escape');
  await registerHeading().waitFor();
  await p.locator('#incoming-grid .grid-body [role="row"]', { hasText: NUMBER_SYMBOL }).dblclick();
  await expectText(signedPart('cong-van-48.pdf'), 'Không hợp lệ');
  await expectText(signedPart('cong-van-48.pdf').locator('.signature-reasons'), 'đã bị thay đổi');
  await expectText(signedPart('Thông tin vào sổ'), 'Hợp lệ');
  assert.ok(!(await signedPart('Thông tin vào sổ').textContent())!.includes('Không hợp lệ'));
  await expectText(p.locator('.signature-summary'), 'Chữ ký số không hợp lệ');
  // Over the viewer too; and the viewer does not call the file intact: its download broke off.
  await expectText(p.locator('.viewer-signature-alert'), 'Chữ ký số của tệp này không hợp lệ.');
  await expectText(p.locator('.viewer-message.is-problem'), 'tệp có thể đã bị hỏng hoặc bị thay đổi');
  await excuseBrokenDownload();
  await showWholeSignatures();
  await screenshot(p, 'signatures-invalid');
});

test('pulling the token out while the document is open: the lock screen within 2 s, the document gone from the DOM', { skip }, async () => {
  const p = page();
  assert.ok((await pageText(p)).includes(SUBJECT), 'the document is open');
  cpSync(hsm.tokens.userRsa.dir, tokenBackup, { recursive: true });
  const pulled = Date.now();
  await hsm.removeToken('userRsa');
  // The 2 s are met by design: the lock comes at the first slot poll after the removal (every 500 ms in
  // the app; tests/integration/token/profile.test.ts proves it without a clock). Here the time is
  // logged and the wait only guards a hang: a bound fails now and then on a loaded CI machine.
  await lockHeading().waitFor({ timeout: 30_000 });
  const elapsed = Date.now() - pulled;
  console.log(`token pulled -> lock screen: ${elapsed} ms`);
  await expectText(p.locator('.lock-reason'), 'Thiết bị ký số đã được rút ra');
  const text = await pageText(p);
  for (const s of [SUBJECT, NUMBER_SYMBOL, ISSUER]) assert.ok(!text.includes(s), `"${s}" is still in the page`);
  assert.equal(await p.locator('canvas, .pdf-page, .textLayer, [role="row"]').count(), 0, 'no viewer or list element left');
  await screenshot(p, 'lock-removed');
});

test('after the lock, neither the subject nor the PDF bytes are readable anywhere in the profile directory', { skip }, () => {
  assertNothingReadable();
});

test('the văn thư unlocks with her own token and sees only her modules', { skip }, async () => {
  const p = page();
  // The pulled token is gone; of the rest only the recovery token (hers now) can unlock: chosen for her.
  await p.getByRole('button', { name: 'Làm mới' }).click();
  await eventually(async () => assert.equal(await tokenRadio('SD-RECOVERY').isChecked(), true));
  assert.equal(await tokenRadio('SD-USER-RSA').count(), 0);
  await p.getByLabel('Mã PIN').fill(hsm.tokens.recovery.pin);
  await p.getByRole('button', { name: 'Mở khóa' }).click();
  await registerHeading().waitFor();
  await expectText(p.locator('.app-header'), CLERK);
  await expectText(p.locator('.page-count'), '1 văn bản');
  await eventually(async () => {
    const modules = await p.getByRole('navigation', { name: 'Chức năng' }).getByRole('button').allTextContents();
    assert.deepEqual(modules.map((m) => m.trim()), ['Văn bản đến', 'Văn bản điện tử đến', 'Xử lý văn bản', 'Hồ sơ công việc', 'Văn bản đi', 'Sổ đăng ký', 'Nhập dữ liệu cũ', 'Gói dữ liệu', 'Đồng bộ', 'Sổ bí mật nhà nước']);
  });
});

test('her token holds only an encryption certificate: "Ký số" says it cannot sign, and nothing is signed', { skip }, async () => {
  const p = page();
  await p.locator('#incoming-grid .grid-body [role="row"]', { hasText: NUMBER_SYMBOL }).dblclick();
  await expectText(signedPart('cong-van-48.pdf'), 'Không hợp lệ');
  await expectText(p.locator('.viewer-message.is-problem'), 'tệp có thể đã bị hỏng hoặc bị thay đổi');
  await excuseBrokenDownload();
  await signatures().getByRole('button', { name: 'Ký số' }).click();
  const d = p.getByRole('dialog', { name: 'Ký số văn bản đến số 1' });
  await expectText(d.getByRole('alert'), 'không có chứng thư dùng để ký số');
  await expectText(d.getByRole('alert'), 'SD-RECOVERY');
  assert.equal(await d.getByRole('button', { name: 'Ký số', exact: true }).isDisabled(), true);
  await screenshot(p, 'sign-no-certificate');
  await d.getByRole('button', { name: 'Hủy' }).click();
  await d.waitFor({ state: 'hidden' });
  assert.equal(await signatures().locator('.signing').count(), 1);
  await p.getByRole('button', { name: 'Khóa', exact: true }).click();
  await lockHeading().waitFor();
});

test('restart with the token put back: unlock again; then the idle lock after the short timeout', { skip }, async () => {
  // The same token again (its files back in place); SoftHSM shows it to a bridge started afterwards.
  cpSync(tokenBackup, hsm.tokens.userRsa.dir, { recursive: true });
  await reopen(profileDir, IDLE_MS);
  const p = page();
  await lockHeading().waitFor();
  await tokenRadio('SD-USER-RSA').check();
  await p.getByLabel('Mã PIN').fill(hsm.tokens.userRsa.pin);
  await p.getByRole('button', { name: 'Mở khóa' }).click();
  await registerHeading().waitFor();
  await expectText(p.locator('.page-count'), '1 văn bản');
  const unlockedAt = Date.now();
  // Hands off the keyboard: the idle timeout runs out (the wait only guards a hang; the reason below
  // says it was the idle lock).
  await lockHeading().waitFor({ timeout: IDLE_MS + UI_WAIT_MS });
  console.log(`idle lock after ${Date.now() - unlockedAt} ms (timeout ${IDLE_MS} ms)`);
  await expectText(p.locator('.lock-reason'), 'Đã khóa do không thao tác trong 3 giây');
  assert.ok(!(await pageText(p)).includes(NUMBER_SYMBOL));
  await screenshot(p, 'lock-idle');
  assertNothingReadable();
});

test('a plain profile from before token binding: nobody is listed; the recovery token binds the văn thư; she unlocks with her own token', { skip }, async () => {
  const legacyDir = join(work, 'legacy');
  mkdirSync(legacyDir);
  const { db } = openDatabase(join(legacyDir, 'securedesk.db'));
  runSetup(db, {
    unit: { name: 'Văn phòng Đảng ủy xã Bát Tràng', code: '000.00.02.H27', preset: 'party' },
    admin: { fullName: 'Đỗ Văn Hùng', position: 'Chánh Văn phòng', role: 'lanh_dao', clearance: 'toi_mat' },
  }, new Date());
  addUser(db, { fullName: 'Nguyễn Thị Thu', position: 'Văn thư', role: 'van_thu', clearance: 'mat' });
  db.close();

  // The workstation's recovery certificate (machine.json) is the recovery token's.
  await reopen(legacyDir, undefined, { recoveryCertificates: [keyOf(hsm.tokens.recovery, 'recovery').certDer] });
  const p = page();
  await lockHeading().waitFor();
  await expectText(p.locator('.lock-card'), 'được tạo trước khi dùng thiết bị ký số');
  await tokenRadio('SD-USER-RSA').check();
  await p.getByLabel('Mã PIN').fill(hsm.tokens.userRsa.pin);
  await p.getByRole('button', { name: 'Mở khóa' }).click();

  // Bound to nobody: no one may be chosen ("Tôi là …" is gone), and nobody is named.
  await p.getByRole('heading', { name: 'Gắn thiết bị và mã hóa dữ liệu máy trạm' }).waitFor();
  await expectText(p.locator('.lock-lead'), 'thiết bị khôi phục');
  for (const name of ['Nguyễn Thị Thu', 'Đỗ Văn Hùng']) assert.ok(!(await pageText(p)).includes(name), `${name} is shown before sign-in`);
  assert.equal(await p.getByRole('radio', { name: /Tôi là|Gắn cho/ }).count(), 0);
  await screenshot(p, 'legacy-bind-required');

  // IT proves the recovery token with its PIN; only then are the people shown.
  await tokenRadio('SD-RECOVERY').check();
  const pin = p.getByLabel('Mã PIN của thiết bị khôi phục');
  await pin.fill(hsm.tokens.recovery.pin);
  await p.getByRole('button', { name: 'Xác thực thiết bị khôi phục' }).click();
  await p.getByRole('radio', { name: 'Gắn cho Nguyễn Thị Thu' }).check();
  // The person's token: any other token that can unlock (the recovery token is nobody's).
  assert.equal(await tokenRadio('SD-RECOVERY').count(), 0);
  await eventually(async () => assert.equal(await tokenRadio('SD-USER-RSA').isChecked(), true));
  await expectText(p.locator('.token-certs'), 'Nguyễn Văn An');
  assert.equal(await pin.inputValue(), '', 'the PIN is asked again');
  await pin.fill(hsm.tokens.recovery.pin);
  await screenshot(p, 'legacy-bind');
  let release = () => {};
  const held = new Promise<void>((r) => (release = r));
  await p.route('**/ipc/session.bindLegacy', async (route) => {
    await held;
    await route.continue();
  });
  await p.getByRole('button', { name: 'Gắn thiết bị và mã hóa' }).click();
  await expectText(p.locator('.progress-note'), 'Đang mã hóa dữ liệu máy trạm…');
  release();
  await expectText(p.locator('.legacy-bound'), 'Đã gắn thiết bị SD-USER-RSA cho Nguyễn Thị Thu và mã hóa dữ liệu máy trạm.');
  await p.unroute('**/ipc/session.bindLegacy');
  assert.equal(isPlainDatabase(readFileSync(join(legacyDir, 'securedesk.db')).subarray(0, 16)), false, 'the database is encrypted now');
  await screenshot(p, 'legacy-bound');

  // She opens it with her own token and PIN.
  await tokenRadio('SD-USER-RSA').check();
  await p.getByLabel('Mã PIN').fill(hsm.tokens.userRsa.pin);
  await p.getByRole('button', { name: 'Mở khóa' }).click();
  await registerHeading().waitFor();
  await expectText(p.locator('.app-header'), 'Nguyễn Thị Thu');
  await expectText(p.locator('.app-header'), 'Văn phòng Đảng ủy xã Bát Tràng');
});

test('no console errors and no Content-Security-Policy violations', { skip }, () => {
  collect();
  assert.deepEqual(seen.csp, [], 'CSP violations');
  assert.deepEqual(seen.errors, [], 'console errors');
});
