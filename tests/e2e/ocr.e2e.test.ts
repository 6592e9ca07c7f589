// A scanned Vietnamese page in the app: a Mật document whose file is an image-only PDF, read by the OCR
// job (real Tesseract), is found in the register by "cong van khan" typed without diacritics, and the
// viewer's "Văn bản nhận dạng (OCR)" panel shows the recognised text of the page with its diacritics.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { addDaysIso, todayIso } from '../../common/dates';
import { Desk } from '../../main/core/desk';
import { actorFor, getUser } from '../../main/core/org/users';
import { SessionGuard } from '../../main/core/session/guard';
import { TokenService } from '../../main/core/session/tokens';
import { TokenBridge } from '../../native/bridge/client';
import { moduleId } from '../../native/modules/discovery';
import { createSoftHsm, type SoftHsm } from '../fixtures/softhsm/tokens';
import { scannedPdf } from '../helpers/scannedPages';
import { ELECTRON_DIST, expectText, openApp, screenshot, type AppSession } from './harness';

const skip = ELECTRON_DIST ? 'the profile is seeded through the core beside the development host (Chromium only)' : false;
const HOLDER = 'Nguyễn Văn An';
const SYMBOL = '88/CV-UBND';

let work = '';
let profileDir = '';
let hsm: SoftHsm;
let app: AppSession | undefined;

before(async () => {
  if (skip) return;
  work = mkdtempSync(join(tmpdir(), 'securedesk-e2e-ocr-'));
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
    const pdf = await scannedPdf([['ỦY BAN NHÂN DÂN TỈNH QUẢNG NINH', 'CÔNG VĂN KHẨN', 'Về việc phòng, chống lụt bão năm 2026']]);
    const staged = await desk.attachments.stage(actor, Readable.from(pdf), 'ban-quet.pdf');
    const today = todayIso();
    await desk.incoming.register(actor, {
      issuer: { name: 'Ủy ban nhân dân tỉnh Quảng Ninh' }, numberSymbol: SYMBOL, documentDate: addDaysIso(today, -1), arrivalDate: today, typeCode: 'CV',
      subject: 'Văn bản số hóa từ bản giấy', secrecy: 'mat', urgency: 'thuong', recipients: [], notes: '',
      stagedIds: [staged.stagedId], acknowledgeDuplicates: false,
    });
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

test('a scanned page: found by "cong van khan", its recognised text in the viewer panel', { skip, timeout: 180_000 }, async () => {
  const p = app!.page;
  if (await p.getByRole('heading', { name: 'Máy trạm đang khóa' }).isVisible().catch(() => false)) {
    await p.getByRole('radio', { name: new RegExp(HOLDER) }).check();
  }
  await p.getByLabel('Mã PIN').fill(hsm.tokens.userRsa.pin);
  await p.getByRole('button', { name: 'Mở khóa' }).click();
  const search = p.getByLabel('Tìm trong sổ văn bản đến');
  await search.fill('cong van khan');
  const row = p.locator('#incoming-grid .grid-body [role="row"]', { hasText: SYMBOL });
  await row.waitFor({ timeout: 15_000 });
  assert.equal(await p.locator('#incoming-grid .grid-body [role="row"]').count(), 1);
  await row.dblclick();
  await p.locator('.pdf-page[data-page-number="1"] canvas.pdf-canvas').waitFor({ timeout: 20_000 });
  await p.getByRole('button', { name: 'Văn bản nhận dạng (OCR)' }).click();
  const panel = p.getByRole('complementary', { name: 'Văn bản nhận dạng (OCR)' });
  await expectText(panel.locator('.ocr-panel-text'), 'CÔNG VĂN KHẨN', 15_000);
  await expectText(panel, 'Văn bản do máy nhận dạng từ bản quét');
  await expectText(panel, 'Trang 1/1');
  await screenshot(p, 'ocr-panel');
  assert.deepEqual(app!.problems, { errors: [], csp: [] });
  await p.getByRole('button', { name: 'Đóng văn bản nhận dạng' }).click();
  assert.equal(await panel.count(), 0);
});
