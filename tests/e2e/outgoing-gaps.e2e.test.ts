// Three screens of issue 8's remaining gaps, through the development host in Chromium, each person on
// their own SoftHSM token:
// - a work file shared with a colleague: she sees it in "Hồ sơ công việc"; the văn thư withdraws the
//   share ("Thu hồi chia sẻ"); signed in again, she no longer sees it (nor opens it through the core);
// - "Ảnh chữ ký của tôi" from the user menu: a PNG uploaded, shown, stored for the person;
// - a draft whose appendices are inside the main PDF: "Trang bắt đầu phụ lục trong tệp chính" in the
//   draft form (a page beyond the file refused at its field), shown in the document view and edited there.
// Screenshots at 1366×768 and 1920×1080 go to test-results/e2e/.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { todayIso } from '../../common/dates';
import { Desk } from '../../main/core/desk';
import { writeTx } from '../../main/core/db/transaction';
import { bindCertificates } from '../../main/core/org/certificates';
import { actorFor, addUser, getUser } from '../../main/core/org/users';
import { encodePng } from '../../main/core/outgoing/seal';
import { SessionGuard } from '../../main/core/session/guard';
import { TokenService } from '../../main/core/session/tokens';
import { TokenBridge } from '../../native/bridge/client';
import { moduleId } from '../../native/modules/discovery';
import { createSoftHsm, type SoftHsm } from '../fixtures/softhsm/tokens';
import { decreeDraftPdf } from '../helpers/decreeDraft';
import { ELECTRON_DIST, expectText, openApp, screenshot, type AppSession, type Problems } from './harness';

const skip = ELECTRON_DIST ? 'the profile is seeded and people are switched through the development host (Chromium only)' : false;

const UNIT = 'Văn phòng Tỉnh ủy Quảng Ninh';
const CLERK = 'Nguyễn Thị Lan';
const COLLEAGUE = 'Hoàng Thị Phó';
const FILE_TITLE = 'Hồ sơ chuẩn bị hội nghị chuyển đổi số';
const SUBJECT = 'Về việc ban hành quy chế làm việc kèm hai phụ lục';
const SIZES = [{ width: 1366, height: 768 }, { width: 1920, height: 1080 }] as const;
const year = Number(todayIso().slice(0, 4));

let work = '';
let profileDir = '';
let hsm: SoftHsm;
let app: AppSession | undefined;
const ids = { clerk: 0, colleague: 0, leader: 0, file: 0, fileCode: '' };
const seen: Problems = { errors: [], csp: [] };

async function seed(): Promise<void> {
  const desk = await Desk.open({ profileDir, trustAnchors: [hsm.ca.certDer] });
  const guard = new SessionGuard(desk, new TokenService(new TokenBridge({ env: hsm.env }), async () => [hsm.modulePath]));
  try {
    const session = await guard.setup(
      { unit: { name: UNIT, code: '000.00.01.H49', preset: 'state' }, admin: { fullName: CLERK, position: 'Văn thư cơ quan', role: 'van_thu', clearance: 'tuyet_mat' } },
      { moduleId: moduleId(hsm.modulePath), serial: hsm.tokens.userRsa.serial },
      hsm.tokens.userRsa.pin,
    );
    ids.clerk = session.user.id;
    writeTx(desk.db, () => {
      ids.colleague = addUser(desk.db, { fullName: COLLEAGUE, position: 'Chuyên viên', role: 'chuyen_vien', clearance: 'mat' });
      bindCertificates(desk.db, ids.colleague, hsm.tokens.recovery.keys.map((k) => k.certDer), ids.clerk, new Date(), 'administrator');
      ids.leader = addUser(desk.db, { fullName: 'Trần Văn Lãnh', position: 'Chánh Văn phòng', role: 'lanh_dao', clearance: 'tuyet_mat' });
    });
    await desk.rewrapKeyring();
    const clerk = actorFor(getUser(desk.db, ids.clerk)!);
    const file = await desk.workFiles.create(clerk, { year, notation: '07.VP', title: FILE_TITLE, retention: 5, responsibleUserId: clerk.id });
    await desk.workFiles.share(clerk, { fileId: file.id, userId: ids.colleague });
    ids.file = file.id;
    ids.fileCode = file.code;
  } finally {
    await guard.close();
  }
}

before(async () => {
  if (skip) return;
  work = mkdtempSync(join(tmpdir(), 'securedesk-e2e-gaps-'));
  profileDir = join(work, 'profile');
  hsm = await createSoftHsm({ tokens: ['userRsa', 'recovery'] });
  await seed();
});

after(async () => {
  if (app) {
    seen.errors.push(...app.problems.errors.splice(0));
    seen.csp.push(...app.problems.csp.splice(0));
    await app.close();
  }
  await hsm?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

const nav = (p: Page, name: string) => p.getByRole('navigation', { name: 'Chức năng' }).getByRole('button', { name, exact: true }).click();

async function signIn(who: 'clerk' | 'colleague'): Promise<Page> {
  app ??= await openApp(profileDir, { hsm, trustAnchors: [hsm.ca.certDer] });
  const p = app.page;
  const lock = p.getByRole('heading', { name: 'Máy trạm đang khóa' });
  if (!(await lock.isVisible())) await p.keyboard.press('Control+l');
  await lock.waitFor();
  await p.getByRole('radio', { name: who === 'clerk' ? /Nguyễn Văn An/ : /SD-RECOVERY/ }).check();
  await p.getByLabel('Mã PIN').fill(who === 'clerk' ? hsm.tokens.userRsa.pin : hsm.tokens.recovery.pin);
  await p.getByRole('button', { name: 'Mở khóa' }).click();
  await expectText(p.locator('.app-header'), who === 'clerk' ? CLERK : COLLEAGUE);
  return p;
}

/** Both sizes; nothing in `root` clipped. */
async function shoot(p: Page, name: string, root: string): Promise<void> {
  for (const size of SIZES) {
    await p.setViewportSize(size);
    await screenshot(p, `${name}-${size.width}`);
    const clipped = await p.locator(root).evaluate((el) => Array.from(el.querySelectorAll<HTMLElement>('th, button, label, h1, h2'))
      .filter((x) => x.offsetParent !== null && x.scrollWidth > x.clientWidth + 1).map((x) => x.textContent ?? ''));
    assert.deepEqual(clipped, [], `clipped at ${size.width}`);
  }
  await p.setViewportSize({ width: 1366, height: 768 });
}

test('a withdrawn share hides the file; the signature image; appendix pages of a draft', { skip }, async () => {
  // The colleague was shared the file: she sees it in the year's list.
  let p = await signIn('colleague');
  await nav(p, 'Hồ sơ công việc');
  await p.getByRole('heading', { name: 'Hồ sơ công việc' }).waitFor();
  await expectText(p.locator('.workfiles-table tbody'), FILE_TITLE);

  // The văn thư withdraws the share from the file's view.
  p = await signIn('clerk');
  await nav(p, 'Hồ sơ công việc');
  await p.locator('.workfiles-table tbody tr').filter({ hasText: ids.fileCode }).getByRole('button', { name: ids.fileCode }).click();
  await p.getByRole('heading', { name: ids.fileCode }).waitFor();
  const shares = p.locator('.workfile-shares');
  await expectText(shares, 'Đang chia sẻ với 1 người');
  await expectText(shares, COLLEAGUE);
  await shoot(p, 'workfile-share-live', '.workfiles-page');
  await shares.getByRole('button', { name: `Thu hồi việc chia sẻ hồ sơ với ${COLLEAGUE}` }).click();
  await expectText(p.locator('.toast').last(), `Đã thu hồi việc chia sẻ hồ sơ ${ids.fileCode} với ${COLLEAGUE}: người này không còn biết đến hồ sơ.`);
  await p.locator('.workfile-shares').waitFor({ state: 'detached' });
  await shoot(p, 'workfile-share-withdrawn', '.workfiles-page');
  const desk = app!.desk!;
  assert.ok(desk.db.prepare('SELECT withdrawn_at FROM work_file_shares WHERE work_file_id = ? AND user_id = ?').pluck().get(ids.file, ids.colleague), 'the row stays, withdrawn');

  // She no longer sees it, and the core answers as for a file that does not exist.
  p = await signIn('colleague');
  await nav(p, 'Hồ sơ công việc');
  await p.getByRole('heading', { name: 'Hồ sơ công việc' }).waitFor();
  await p.locator('.workfiles-page').waitFor();
  await p.waitForTimeout(500);
  assert.ok(!(await p.locator('.workfiles-page').textContent())!.includes(FILE_TITLE), 'the withdrawn file is not listed');
  await shoot(p, 'workfile-share-gone-for-colleague', '.workfiles-page');
  assert.throws(() => desk.workFiles.get(desk.session!, ids.file), (e: unknown) => (e as { key?: string }).key === 'workFile.notFound');

  // Her own signature image, from her menu.
  await p.locator('.user-button').click();
  await p.getByRole('menuitem', { name: 'Ảnh chữ ký của tôi' }).click();
  const dialog = p.getByRole('dialog', { name: `Ảnh chữ ký: ${COLLEAGUE}` });
  await expectText(dialog, 'Chưa có ảnh chữ ký.');
  const width = 240;
  const height = 90;
  const rgba = new Uint8Array(width * height * 4);
  for (let x = 10; x < width - 10; x++) {
    const yc = Math.round(height / 2 + Math.sin(x / 13) * 22);
    for (let y = yc - 2; y <= yc + 2; y++) rgba.set([20, 40, 170, 255], (y * width + x) * 4);
  }
  await dialog.getByLabel('Chọn ảnh chữ ký').setInputFiles([{ name: 'chu-ky.png', mimeType: 'image/png', buffer: encodePng(width, height, rgba) }]);
  await expectText(dialog, '240 × 90 điểm ảnh');
  await dialog.getByRole('img', { name: `Ảnh chữ ký của ${COLLEAGUE}` }).waitFor();
  // A file that is no image: refused with the core's reason.
  await dialog.getByLabel('Thay bằng ảnh khác').setInputFiles([{ name: 'gia-mao.png', mimeType: 'image/png', buffer: Buffer.from('GIF89a không phải PNG') }]);
  await expectText(dialog.getByRole('alert'), 'Ảnh chữ ký không dùng được: chỉ nhận ảnh PNG (nên có nền trong suốt) hoặc JPEG.');
  await shoot(p, 'signature-image-dialog', '.signature-image-dialog');
  assert.equal(desk.db.prepare('SELECT width FROM signature_images WHERE user_id = ?').pluck().get(ids.colleague), 240);
  await dialog.getByRole('button', { name: 'Đóng', exact: true }).last().click();

  // The văn thư drafts a document whose two appendices are inside the main PDF (pages 3 and 4).
  p = await signIn('clerk');
  await nav(p, 'Văn bản đi');
  await p.getByRole('heading', { name: 'Văn bản đi' }).waitFor();
  await p.getByRole('button', { name: 'Soạn văn bản đi' }).click();
  const form = p.getByRole('dialog', { name: 'Soạn văn bản đi' });
  await form.getByLabel('Loại văn bản').selectOption('QĐ');
  await form.getByLabel('Trích yếu').fill(SUBJECT);
  await form.getByLabel('Người ký').selectOption(String(ids.leader));
  const pdf = Buffer.from(await decreeDraftPdf({ form: 'state', pages: 4, appendixPages: { 3: 'PHỤ LỤC I', 4: 'PHỤ LỤC II' } }));
  await form.locator('#og-files').setInputFiles([{ name: 'quy-che.pdf', mimeType: 'application/pdf', buffer: pdf }]);
  await expectText(form.locator('.recipient-list').last(), 'quy-che.pdf');
  // A page the file does not have: refused at the field by the core; nothing saved.
  const field = form.getByLabel('Trang bắt đầu phụ lục trong tệp chính');
  await field.fill('3, 7');
  await form.getByRole('button', { name: 'Lưu dự thảo' }).click();
  await expectText(form, 'Tệp chính chỉ có 4 trang: không có trang 7 để bắt đầu phụ lục.', 30_000);
  assert.equal(await field.getAttribute('aria-invalid'), 'true');
  await shoot(p, 'outgoing-draft-appendix-pages', '.outgoing-dialog');
  await field.fill('3, 4');
  await form.getByRole('button', { name: 'Lưu dự thảo' }).click();
  await p.locator('.outgoing-detail').waitFor();
  await expectText(p.locator('.appendix-pages'), 'bắt đầu ở trang 3, 4');
  // Edited in the document view while it is a draft.
  await p.getByRole('button', { name: 'Sửa trang phụ lục' }).click();
  const edit = p.getByRole('dialog', { name: 'Sửa trang phụ lục' });
  await edit.getByLabel('Trang bắt đầu phụ lục trong tệp chính').fill('4, 3');
  await edit.getByRole('button', { name: 'Xác nhận' }).click();
  await expectText(edit.getByRole('alert'), 'Các trang bắt đầu phụ lục phải tăng dần, không trùng nhau.');
  await edit.getByLabel('Trang bắt đầu phụ lục trong tệp chính').fill('3');
  await edit.getByRole('button', { name: 'Xác nhận' }).click();
  await edit.waitFor({ state: 'hidden' });
  await expectText(p.locator('.appendix-pages'), 'bắt đầu ở trang 3');
  await shoot(p, 'outgoing-detail-appendix-pages', '.outgoing-detail');
  const row = desk.outgoing.list(desk.session!, { mine: true, limit: 10 }).find((r) => r.subject === SUBJECT)!;
  assert.deepEqual(desk.outgoing.get(desk.session!, row.id).appendixPages, [3]);

  assert.deepEqual(seen.csp, []);
  assert.deepEqual([...seen.errors, ...app!.problems.errors].filter((e) => !/status of 4\d\d/.test(e)), []);
});
