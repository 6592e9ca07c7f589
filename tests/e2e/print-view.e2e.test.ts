// What goes to the printer. In Electron, main prints a print run silently from a hidden window that
// shows the app's print page (#/print/<ticket>, renderer features/print/PrintView.tsx); here the same
// page runs in Chromium through the development host, and Chromium's own print-to-PDF (the print
// pipeline, with the page's @page sizes) stands in for the printer. The test checks what would come
// out of it against the composed printout: the same number of sheets, the same sheet sizes, and the
// same picture (poppler rasterises both; marks and watermark included), with no CSP violation.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { addDaysIso, todayIso } from '../../common/dates';
import { Desk } from '../../main/core/desk';
import { actorFor, addUser, getUser } from '../../main/core/org/users';
import { SessionGuard } from '../../main/core/session/guard';
import { TokenService } from '../../main/core/session/tokens';
import { makeSamplePdf } from '../../main/devhost/samplePdf';
import { handlers, type HandlerContext } from '../../main/ipc/handlers';
import { TokenBridge } from '../../native/bridge/client';
import { moduleId } from '../../native/modules/discovery';
import { createSoftHsm, type SoftHsm } from '../fixtures/softhsm/tokens';
import { ELECTRON_DIST, openApp, screenshot, type AppSession } from './harness';

const skip = ELECTRON_DIST ? 'the printout is made through the core beside the development host (Chromium only)' : false;
const HOLDER = 'Nguyễn Văn An';
const CLERK = 'Nguyễn Thị Lan';

let work = '';
let hsm: SoftHsm;
let app: AppSession | undefined;
let docId = 0;
let approvalId = 0;

before(async () => {
  if (skip) return;
  work = mkdtempSync(join(tmpdir(), 'securedesk-e2e-print-'));
  const profileDir = join(work, 'profile');
  hsm = await createSoftHsm({ tokens: ['userRsa'] });
  const desk = await Desk.open({ profileDir, trustAnchors: [hsm.ca.certDer] });
  const guard = new SessionGuard(desk, new TokenService(new TokenBridge({ env: hsm.env }), async () => [hsm.modulePath]));
  try {
    const session = await guard.setup(
      { unit: { name: 'Văn phòng Tỉnh ủy Bắc Ninh', code: '000.00.01.T27', preset: 'party' }, admin: { fullName: CLERK, position: 'Văn thư cơ quan', role: 'van_thu', clearance: 'tuyet_mat' } },
      { moduleId: moduleId(hsm.modulePath), serial: hsm.tokens.userRsa.serial }, hsm.tokens.userRsa.pin,
    );
    const clerk = actorFor(getUser(desk.db, session.user.id)!);
    const leader = actorFor(getUser(desk.db, addUser(desk.db, { fullName: 'Trần Văn Bình', position: 'Chánh Văn phòng', role: 'lanh_dao', clearance: 'tuyet_mat' }))!);
    const pdf = await makeSamplePdf({ issuer: 'Tỉnh ủy Bắc Ninh', numberSymbol: '31-KH/TU', title: 'KẾ HOẠCH', subject: 'Kế hoạch bảo vệ bí mật nhà nước năm 2027', pages: 2 });
    const staged = await desk.attachments.stage(clerk, Readable.from(Buffer.from(pdf)), 'ke-hoach.pdf');
    const today = todayIso();
    docId = (await desk.incoming.register(clerk, {
      issuer: { name: 'Tỉnh ủy Bắc Ninh' }, numberSymbol: '31-KH/TU', documentDate: addDaysIso(today, -2), arrivalDate: today, typeCode: 'KH',
      subject: 'Kế hoạch bảo vệ bí mật nhà nước năm 2027', secrecy: 'mat', urgency: 'khan', recipients: ['Phòng Tổng hợp'], notes: '',
      stagedIds: [staged.stagedId], acknowledgeDuplicates: false,
    })).id;
    // Two copies allowed by the leader (the Mật copy authority by default).
    approvalId = (await desk.copies.allow(leader, { incomingId: docId, forUserId: clerk.id, kind: 'print', copies: 2, reason: 'Phục vụ hội nghị' })).id;
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

/** Grey rasters of every page at `dpi` (poppler), as width, height and bytes. */
function rasters(pdf: Uint8Array, name: string, dpi = 40): Array<{ w: number; h: number; px: Buffer }> {
  const dir = mkdtempSync(join(work, `raster-${name}-`));
  writeFileSync(join(dir, 'in.pdf'), pdf);
  execFileSync('pdftoppm', ['-r', String(dpi), '-gray', join(dir, 'in.pdf'), join(dir, 'p')]);
  return readdirSync(dir).filter((f) => f.endsWith('.pgm')).sort().map((f) => {
    const b = readFileSync(join(dir, f));
    // P5\n<w> <h>\n255\n<bytes>
    const m = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(b.subarray(0, 40).toString('latin1'))!;
    return { w: Number(m[1]), h: Number(m[2]), px: b.subarray(m[0].length) };
  });
}

const pageSizes = (pdf: Uint8Array): string[] => {
  const dir = mkdtempSync(join(work, 'info-'));
  writeFileSync(join(dir, 'f.pdf'), pdf);
  const out = execFileSync('pdfinfo', ['-f', '1', '-l', '99', join(dir, 'f.pdf')], { encoding: 'utf8' });
  return [...out.matchAll(/Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts/g)].map((m) => `${Math.round(Number(m[1]))}x${Math.round(Number(m[2]))}`);
};

test('the print page draws the composed printout sheet for sheet: same count, sizes and picture as the PDF', { skip }, async () => {
  const p = app!.page;
  await p.getByRole('radio', { name: new RegExp(HOLDER) }).check().catch(() => {});
  await p.getByLabel('Mã PIN').fill(hsm.tokens.userRsa.pin);
  await p.getByRole('button', { name: 'Mở khóa' }).click();
  await p.locator('#incoming-grid .grid-body [role="row"]', { hasText: '31-KH/TU' }).waitFor();
  // The copy is made as the window makes it (the copies.make handler), for the person signed in.
  const ctx = { desk: app!.desk!, guard: app!.guard!, attachmentUrl: (t: string) => `/blob/${t}` } satisfies HandlerContext;
  const made = await handlers['copies.make'](ctx, { incomingId: docId, kind: 'print', copies: 2, reason: 'Phục vụ hội nghị', approvalId });
  assert.equal(made.firstNumber, 1);

  const token = await p.evaluate(() => sessionStorage.getItem('securedesk.devhost.token') ?? '');
  const printPage = await p.context().newPage();
  const errors: string[] = [];
  printPage.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  printPage.on('pageerror', (e) => errors.push(e.message));
  let composed: Buffer | undefined;
  // The composed printout as it comes through its ticket (passed on to the page unchanged).
  await printPage.route('**/blob/*', async (route) => {
    const response = await route.fetch();
    const body = await response.body();
    if (response.status() === 200) composed = body;
    await route.fulfill({ response, body });
  });
  await printPage.setViewportSize({ width: 1366, height: 768 });
  await printPage.goto(`${new URL(p.url()).origin}/#/print/${made.ticket}&token=${token}`);
  await printPage.waitForFunction(() => ['ready', 'error'].includes(document.documentElement.dataset.printState ?? ''), undefined, { timeout: 60_000 });
  assert.equal(await printPage.evaluate(() => document.documentElement.dataset.printState), 'ready', `the print page: ${errors.join(' | ')}`);
  assert.equal(new URL(printPage.url()).hash, '', 'neither the ticket nor the token stays in the address');
  await screenshot(printPage, 'print-view-1366');
  const sheets = Number(await printPage.locator('html').getAttribute('data-print-pages'));
  const printed = await printPage.pdf({ preferCSSPageSize: true, printBackground: true });
  assert.ok(composed && composed.subarray(0, 5).toString() === '%PDF-', 'the printout came through its ticket');

  // Two copies of a two-page document: four sheets, each at the composed page's size.
  const want = pageSizes(composed);
  assert.equal(want.length, 4);
  assert.equal(sheets, 4);
  assert.deepEqual(pageSizes(printed), want);
  // The same picture: the marks, the copy numbers and the watermark are in what is printed.
  const a = rasters(composed, 'composed');
  const b = rasters(printed, 'printed');
  assert.equal(b.length, a.length);
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!, y = b[i]!;
    assert.ok(Math.abs(x.w - y.w) <= 1 && Math.abs(x.h - y.h) <= 1, `sheet ${i + 1} size ${y.w}x${y.h} vs ${x.w}x${x.h}`);
    let diff = 0, ink = 0, want = 0, n = 0;
    for (let r = 0; r < Math.min(x.h, y.h); r++) {
      for (let c = 0; c < Math.min(x.w, y.w); c++) {
        const u = x.px[r * x.w + c]!, v = y.px[r * y.w + c]!;
        diff += Math.abs(u - v);
        if (v < 200) ink++;
        if (u < 200) want++;
        n++;
      }
    }
    const mean = diff / n;
    console.log(`sheet ${i + 1}: ${y.w}x${y.h} px at 40 dpi, dark pixels ${ink} printed / ${want} composed, mean difference ${mean.toFixed(2)}`);
    assert.ok(want > 50 && ink > want * 0.8, `sheet ${i + 1} is not blank: ${ink} dark pixels printed, ${want} in the printout`);
    assert.ok(mean < 6, `sheet ${i + 1} looks like the printout (mean difference ${mean.toFixed(2)} of 255)`);
  }
  // One use: the page cannot fetch it again, and nothing was refused by the CSP.
  await printPage.unrouteAll();
  const again = await printPage.evaluate(async ([t, tok]) => (await fetch(`/blob/${t}`, { headers: { Authorization: `Bearer ${tok}` } })).status, [made.ticket, token] as const);
  assert.equal(again, 404);
  assert.deepEqual(errors.filter((e) => !/404/.test(e)), []);
  await printPage.close();
  assert.deepEqual(app!.problems.csp, []);
});
