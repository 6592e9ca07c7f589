// The viewer draws the red level and urgency marks and the watermark (who, unit, when, which
// document) into the page canvas itself: the test reads the canvas's own pixels at 1366x768 and
// 1920x1080, where the document (black text on white) has no red and nothing below its first lines.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { addDaysIso, formatDateTimeVn, todayIso } from '../../common/dates';
import { Desk } from '../../main/core/desk';
import { actorFor, getUser } from '../../main/core/org/users';
import { SessionGuard } from '../../main/core/session/guard';
import { TokenService } from '../../main/core/session/tokens';
import { makeSamplePdf } from '../../main/devhost/samplePdf';
import { TokenBridge } from '../../native/bridge/client';
import { moduleId } from '../../native/modules/discovery';
import { createSoftHsm, type SoftHsm } from '../fixtures/softhsm/tokens';
import { ELECTRON_DIST, expectText, openApp, screenshot, type AppSession } from './harness';

const skip = ELECTRON_DIST ? 'the profile is seeded through the core beside the development host (Chromium only)' : false;
const UNIT = 'Văn phòng Tỉnh ủy Bắc Ninh';
/** The userRsa token's certificates are in this name (see tests/fixtures/softhsm). */
const HOLDER = 'Nguyễn Văn An';
const CLERK = 'Nguyễn Thị Lan';
const SYMBOL = '27-KH/TU';
const SIZES = [{ width: 1366, height: 768 }, { width: 1920, height: 1080 }] as const;

let work = '';
let profileDir = '';
let hsm: SoftHsm;
let app: AppSession | undefined;
let arrival = 0;

before(async () => {
  if (skip) return;
  work = mkdtempSync(join(tmpdir(), 'securedesk-e2e-viewer-'));
  profileDir = join(work, 'profile');
  hsm = await createSoftHsm({ tokens: ['userRsa'] });
  const desk = await Desk.open({ profileDir, trustAnchors: [hsm.ca.certDer] });
  const guard = new SessionGuard(desk, new TokenService(new TokenBridge({ env: hsm.env }), async () => [hsm.modulePath]));
  try {
    const session = await guard.setup(
      { unit: { name: UNIT, code: '000.00.01.T27', preset: 'party' }, admin: { fullName: CLERK, position: 'Văn thư cơ quan', role: 'van_thu', clearance: 'tuyet_mat' } },
      { moduleId: moduleId(hsm.modulePath), serial: hsm.tokens.userRsa.serial }, hsm.tokens.userRsa.pin,
    );
    const actor = actorFor(getUser(desk.db, session.user.id)!);
    const pdf = await makeSamplePdf({ issuer: 'Tỉnh ủy Bắc Ninh', numberSymbol: SYMBOL, title: 'KẾ HOẠCH', subject: 'Kế hoạch bảo vệ bí mật nhà nước năm 2027', pages: 2 });
    const staged = await desk.attachments.stage(actor, Readable.from(Buffer.from(pdf)), 'ke-hoach.pdf');
    const today = todayIso();
    const res = await desk.incoming.register(actor, {
      issuer: { name: 'Tỉnh ủy Bắc Ninh' }, numberSymbol: SYMBOL, documentDate: addDaysIso(today, -2), arrivalDate: today, typeCode: 'KH',
      subject: 'Kế hoạch bảo vệ bí mật nhà nước năm 2027', secrecy: 'toi_mat', urgency: 'thuong_khan', recipients: ['Phòng Tổng hợp'], notes: '',
      stagedIds: [staged.stagedId], acknowledgeDuplicates: false,
    });
    arrival = res.arrivalNumber;
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

interface Census {
  width: number;
  height: number;
  /** Strong red pixels in the band at the top of the page, left half and right half. */
  redTopLeft: number;
  redTopRight: number;
  /** Red pixels anywhere below that band (none expected: the watermark is grey). */
  redBelow: number;
  /** Grey (not white, not black) pixels in the lower half, where the document has no content. */
  greyLowerHalf: number;
  lowerHalf: number;
}

/** Reads the rendered canvas of page 1 back, pixel by pixel. */
async function census(): Promise<Census> {
  return app!.page.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('.pdf-page[data-page-number="1"] canvas.pdf-canvas')!;
    const { width, height } = canvas;
    const data = canvas.getContext('2d')!.getImageData(0, 0, width, height).data;
    const band = Math.round(height * 0.07);
    const out = { width, height, redTopLeft: 0, redTopRight: 0, redBelow: 0, greyLowerHalf: 0, lowerHalf: 0 };
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = (y * width + x) * 4;
        const r = data[i]!, g = data[i + 1]!, b = data[i + 2]!;
        const red = r > 150 && g < 90 && b < 90;
        if (red && y < band) {
          if (x < width / 2) out.redTopLeft++;
          else out.redTopRight++;
        } else if (red) out.redBelow++;
        if (y > height / 2) {
          out.lowerHalf++;
          const grey = Math.max(r, g, b) - Math.min(r, g, b) < 30 && r < 245 && r > 120;
          if (grey) out.greyLowerHalf++;
        }
      }
    }
    return out;
  });
}

for (const size of SIZES) {
  test(`the marks and the watermark are in the page canvas's pixels at ${size.width}x${size.height}`, { skip }, async () => {
    const p = app!.page;
    await p.setViewportSize(size);
    if (await p.getByRole('heading', { name: 'Máy trạm đang khóa' }).isVisible().catch(() => false)) {
      await p.getByRole('radio', { name: new RegExp(HOLDER) }).check();
    }
    if (await p.getByLabel('Mã PIN').isVisible().catch(() => false)) {
      await p.getByLabel('Mã PIN').fill(hsm.tokens.userRsa.pin);
      await p.getByRole('button', { name: 'Mở khóa' }).click();
    }
    const back = p.getByRole('button', { name: 'Sổ văn bản đến', exact: true });
    if (await back.isVisible().catch(() => false)) await back.click();
    // What is written onto page canvases (pdf.js draws the document's glyphs as paths, so this is ours).
    await p.evaluate(() => {
      const w = window as unknown as { __canvasTexts?: string[] };
      w.__canvasTexts = [];
      const proto = CanvasRenderingContext2D.prototype as CanvasRenderingContext2D & { __wrapped?: boolean };
      if (proto.__wrapped) return;
      proto.__wrapped = true;
      const original = proto.fillText;
      proto.fillText = function (this: CanvasRenderingContext2D, text: string, x: number, y: number, max?: number) {
        if (this.canvas.classList.contains('pdf-canvas')) w.__canvasTexts!.push(text);
        return max === undefined ? original.call(this, text, x, y) : original.call(this, text, x, y, max);
      };
    });
    await p.locator('#incoming-grid .grid-body [role="row"]', { hasText: SYMBOL }).dblclick();
    await p.getByRole('heading', { name: `Văn bản đến số ${arrival}` }).waitFor();
    const page1 = p.locator('.pdf-page[data-page-number="1"]');
    await page1.locator('canvas.pdf-canvas').waitFor({ timeout: 15_000 });
    await expectText(page1.locator('.textLayer'), SYMBOL, 15_000);

    const texts = await p.evaluate(() => (window as unknown as { __canvasTexts: string[] }).__canvasTexts);
    for (const want of ['TỐI MẬT', 'THƯỢNG KHẨN', `${CLERK} — ${UNIT}`, `Số đến ${arrival} — ${SYMBOL}`])
      assert.ok(texts.includes(want), `“${want}” drawn on the canvas: ${JSON.stringify([...new Set(texts)])}`);
    // The time in Vietnam (the machine runs on UTC), within the minute or two this test took.
    const times = new Set([-1, 0, 1].map((m) => formatDateTimeVn(new Date(Date.now() + m * 60_000))));
    assert.ok(texts.some((t) => times.has(t)), `the time, dd/mm/yyyy HH:mm in Vietnam: ${[...times].join(', ')}`);
    const c = await census();
    assert.ok(c.width > 300 && c.height > 400, `a page canvas of ${c.width}x${c.height}`);
    // TỐI MẬT and THƯỢNG KHẨN: red strokes and letters at the top left, nothing red on the right (no flags).
    assert.ok(c.redTopLeft > 400, `red stamps at the top left: ${c.redTopLeft} px`);
    assert.equal(c.redTopRight, 0, 'no flag is set, so nothing red at the top right');
    assert.equal(c.redBelow, 0, 'nothing red below the stamps');
    // The watermark covers the empty lower half with light grey text: a few percent of its pixels.
    const share = c.greyLowerHalf / c.lowerHalf;
    assert.ok(share > 0.01 && share < 0.35, `watermark pixels in the lower half: ${(share * 100).toFixed(2)} %`);
    // No element over the canvas draws them: the page's only other child is the (transparent) text layer.
    const overlays = await page1.evaluate((el) => Array.from(el.children).map((ch) => ch.className));
    assert.deepEqual(overlays.filter((n) => !/pdf-canvas|textLayer/.test(n)), []);
    await screenshot(p, `viewer-marks-${size.width}x${size.height}`);
    const close = p.getByRole('button', { name: 'Sổ văn bản đến', exact: true });
    if (await close.isVisible().catch(() => false)) await close.click();
  });
}
