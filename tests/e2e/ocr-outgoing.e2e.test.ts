// A scanned appendix of an outgoing document in the app: a Mật draft whose appendix is an image-only
// PDF, read by the OCR job (real Tesseract), is found in the outgoing list by "mong cai" typed without
// diacritics, and the appendix's "Văn bản nhận dạng (OCR)" panel shows the recognised text.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { outgoingCreateSchema } from '../../common/schemas';
import { Desk } from '../../main/core/desk';
import { actorFor, addUser, getUser } from '../../main/core/org/users';
import { writeTx } from '../../main/core/db/transaction';
import { SessionGuard } from '../../main/core/session/guard';
import { TokenService } from '../../main/core/session/tokens';
import { TokenBridge } from '../../native/bridge/client';
import { moduleId } from '../../native/modules/discovery';
import { createSoftHsm, type SoftHsm } from '../fixtures/softhsm/tokens';
import { scannedPdf, typesetPdf } from '../helpers/scannedPages';
import { ELECTRON_DIST, expectText, openApp, screenshot, type AppSession } from './harness';

const skip = ELECTRON_DIST ? 'the profile is seeded through the core beside the development host (Chromium only)' : false;
const HOLDER = 'Nguyễn Văn An';
const SUBJECT = 'Về việc tổ chức diễn tập khu vực phòng thủ';

let work = '';
let profileDir = '';
let hsm: SoftHsm;
let app: AppSession | undefined;

before(async () => {
  if (skip) return;
  work = mkdtempSync(join(tmpdir(), 'securedesk-e2e-ocr-out-'));
  profileDir = join(work, 'profile');
  hsm = await createSoftHsm({ tokens: ['userRsa'] });
  const desk = await Desk.open({ profileDir, trustAnchors: [hsm.ca.certDer] });
  const guard = new SessionGuard(desk, new TokenService(new TokenBridge({ env: hsm.env }), async () => [hsm.modulePath]));
  try {
    const session = await guard.setup(
      { unit: { name: 'Văn phòng Tỉnh ủy Quảng Ninh', code: '000.00.01.H49', preset: 'state' }, admin: { fullName: 'Nguyễn Thị Lan', position: 'Văn thư', role: 'van_thu', clearance: 'tuyet_mat' } },
      { moduleId: moduleId(hsm.modulePath), serial: hsm.tokens.userRsa.serial }, hsm.tokens.userRsa.pin,
    );
    const actor = actorFor(getUser(desk.db, session.user.id)!);
    const signerId = writeTx(desk.db, () => addUser(desk.db, { fullName: 'Nguyễn Văn Ký', position: 'Chủ tịch', role: 'lanh_dao', clearance: 'tuyet_mat' }));
    const main = await desk.attachments.stage(actor, Readable.from(await typesetPdf([['QUYẾT ĐỊNH', 'Về việc tổ chức diễn tập khu vực phòng thủ']])), 'quyet-dinh.pdf');
    const appendix = await desk.attachments.stage(actor, Readable.from(await scannedPdf([['PHỤ LỤC', 'Danh sách lực lượng tham gia diễn tập', 'Đồn biên phòng cửa khẩu Móng Cái']])), 'phu-luc-scan.pdf');
    await desk.outgoing.create(actor, outgoingCreateSchema.parse({
      typeCode: 'QĐ', subject: SUBJECT, secrecy: 'mat', urgency: 'khan', signerId, signerCompetence: 'TM. ỦY BAN NHÂN DÂN', approvers: [],
      stagedIds: [main.stagedId, appendix.stagedId], comment: 'Dự thảo lần 1',
    }));
    await desk.ocr.start(actor);
  } finally {
    await guard.close();
  }
  app = await openApp(profileDir, { hsm });
});

after(async () => {
  await app?.close();
  await hsm?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('an outgoing document\'s scanned appendix: found by "mong cai", its recognised text in the OCR panel', { skip, timeout: 180_000 }, async () => {
  const p = app!.page;
  if (await p.getByRole('heading', { name: 'Máy trạm đang khóa' }).isVisible().catch(() => false)) {
    await p.getByRole('radio', { name: new RegExp(HOLDER) }).check();
  }
  await p.getByLabel('Mã PIN').fill(hsm.tokens.userRsa.pin);
  await p.getByRole('button', { name: 'Mở khóa' }).click();
  await p.getByRole('navigation', { name: 'Chức năng' }).getByRole('button', { name: 'Văn bản đi', exact: true }).click();
  await p.getByRole('heading', { name: 'Văn bản đi' }).waitFor();
  const rows = p.locator('.outgoing-table tbody tr.clickable');
  await rows.first().waitFor({ timeout: 15_000 });
  // A word nothing holds empties the list; the scan's words, typed without diacritics, find the draft.
  const search = p.getByRole('searchbox', { name: 'Tìm văn bản đi' });
  await search.fill('mong cai khongcotu');
  await p.locator('.outgoing-table tbody tr.clickable').first().waitFor({ state: 'detached', timeout: 15_000 });
  await expectText(p.locator('.outgoing-table tbody'), 'Không có văn bản đi nào khớp với từ tìm kiếm.');
  await search.fill('mong cai');
  const row = rows.filter({ hasText: SUBJECT });
  await row.waitFor({ timeout: 15_000 });
  assert.equal(await rows.count(), 1);
  await screenshot(p, 'ocr-outgoing-list');
  await row.click();
  await p.getByRole('button', { name: 'Văn bản nhận dạng (OCR) của tệp phu-luc-scan.pdf' }).click();
  const panel = p.getByRole('complementary', { name: 'Văn bản nhận dạng (OCR)' });
  await expectText(panel.locator('.ocr-panel-text'), /Móng Cái/i, 15_000);
  await expectText(panel, 'Văn bản do máy nhận dạng từ bản quét');
  await expectText(panel, 'Trang 1/1');
  await screenshot(p, 'ocr-outgoing-panel');
  assert.deepEqual(app!.problems, { errors: [], csp: [] });
  await p.getByRole('button', { name: 'Đóng văn bản nhận dạng' }).click();
  assert.equal(await panel.count(), 0);
});
