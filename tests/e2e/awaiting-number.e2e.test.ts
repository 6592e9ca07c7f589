// "Chờ cấp số" in the window (docs/server.md, "Numbering authority"): the văn thư of a workstation that
// is not the register's home, its agency server out of reach (a real server started, then stopped),
// registers an incoming document: the dialog says why no number can be given and offers "Vào sổ, chờ
// cấp số"; the register then shows "Chờ cấp số" in the Số đến column, the detail says so, and the header's
// sync indicator counts one arrival awaiting a number; the register's filter "Số đến: Chờ cấp số" finds it. Screenshots at 1366×768 and 1920×1080 in test-results/e2e/.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { addDaysIso, formatDateVn, todayIso } from '../../common/dates';
import { Desk } from '../../main/core/desk';
import { makeSamplePdf } from '../../main/devhost/samplePdf';
import { SessionGuard } from '../../main/core/session/guard';
import { TokenService } from '../../main/core/session/tokens';
import { TokenBridge } from '../../native/bridge/client';
import { moduleId } from '../../native/modules/discovery';
import { createSoftHsm, type SoftHsm } from '../fixtures/softhsm/tokens';
import { agencyPki, startAgencyServer, type AgencyPki } from '../helpers/agencyServer';
import { ELECTRON_DIST, expectText, openApp, screenshot, type AppSession } from './harness';

const skip = ELECTRON_DIST ? 'the agency server is given to the development host (Chromium only)' : false;
const HOLDER = 'Nguyễn Văn An';
const REGISTER = 'Sổ đăng ký văn bản đến';
const SUBJECT = 'Về việc chuẩn bị hội nghị sơ kết công tác văn thư, lưu trữ 6 tháng';

let work = '';
let hsm: SoftHsm;
let pki: AgencyPki;
let app: AppSession | undefined;
let pdfPath = '';

before(async () => {
  if (skip) return;
  work = mkdtempSync(join(tmpdir(), 'securedesk-e2e-await-'));
  const profileDir = join(work, 'profile');
  pdfPath = join(work, 'cong-van-57.pdf');
  writeFileSync(pdfPath, await makeSamplePdf({ issuer: 'Sở Nội vụ tỉnh Bắc Ninh', numberSymbol: '57/SNV-VP', title: 'CÔNG VĂN', subject: SUBJECT }));
  [hsm, pki] = await Promise.all([createSoftHsm({ tokens: ['userRsa'] }), agencyPki(['vanthu'])]);
  // The agency server, gone: the workstation cannot reach it.
  const server = await startAgencyServer({ backend: 'sqlite', dir: join(work, 'server'), pki, logger: { log: () => {} }, people: [{ person: 'van-thu', role: 'van_thu', clearance: 'mat', certificates: [pki.person('vanthu').certPath] }] });
  const url = server.url;
  await server.close();
  const desk = await Desk.open({ profileDir, trustAnchors: [hsm.ca.certDer] });
  const guard = new SessionGuard(desk, new TokenService(new TokenBridge({ env: hsm.env }), async () => [hsm.modulePath]));
  try {
    await guard.setup({
      unit: { name: 'Văn phòng Tỉnh ủy Bắc Ninh', code: '000.00.01.T27', preset: 'party' },
      admin: { fullName: HOLDER, position: 'Văn thư', role: 'van_thu', clearance: 'tuyet_mat' },
    }, { moduleId: moduleId(hsm.modulePath), serial: hsm.tokens.userRsa.serial }, hsm.tokens.userRsa.pin);
    // The registers are held by the văn thư's desk at another workstation of the agency.
    desk.db.prepare("UPDATE registers SET home_workstation = '01a24996-0000-7000-8000-0000000000aa'").run();
    await desk.verdict();
  } finally {
    await guard.close();
  }
  app = await openApp(profileDir, { hsm, agencyServer: { url, caPem: pki.ca.certPem } });
});

after(async () => {
  await app?.close();
  await hsm?.cleanup();
  pki?.pki.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

const page = (): Page => app!.page;
const SIZES = [{ width: 1366, height: 768 }, { width: 1920, height: 1080 }];

test('the server out of reach: registered "chờ cấp số", shown in the register, the detail and the sync panel', { skip }, async () => {
  const p = page();
  await p.setViewportSize(SIZES[0]!);
  await p.getByRole('heading', { name: 'Máy trạm đang khóa' }).waitFor();
  await p.getByLabel('Mã PIN').fill(hsm.tokens.userRsa.pin);
  await p.getByRole('button', { name: 'Mở khóa' }).click();
  await p.getByRole('heading', { name: 'Sổ văn bản đến' }).waitFor();

  await p.keyboard.press('Control+n');
  const d = p.getByRole('dialog', { name: 'Vào sổ văn bản đến' });
  await d.waitFor();
  await d.getByRole('combobox', { name: 'Cơ quan ban hành' }).fill('Sở Nội vụ tỉnh Bắc Ninh');
  await d.getByLabel('Số, ký hiệu').fill('57/SNV-VP');
  await d.getByLabel('Ngày văn bản').fill(formatDateVn(addDaysIso(todayIso(), -1)));
  await d.getByLabel('Trích yếu').fill(SUBJECT);
  await d.locator('input[type="file"]').setInputFiles(pdfPath);
  await expectText(d.locator('.file-item', { hasText: 'cong-van-57.pdf' }), 'Sẵn sàng', 60_000);
  await d.getByRole('button', { name: 'Vào sổ', exact: true }).click();

  const notice = d.locator('.await-number-panel');
  await expectText(notice, 'Chưa cấp được số đến', 30_000);
  await expectText(notice, `Chưa liên lạc được máy chủ của cơ quan nên chưa cấp được số đến cho “${REGISTER}”`);
  await expectText(notice, 'Chỉ ghi số lên văn bản giấy khi sổ đã hiện số.');
  for (const size of SIZES) {
    await p.setViewportSize(size);
    await notice.scrollIntoViewIfNeeded();
    await screenshot(p, `awaiting-number-dialog-${size.width}`);
  }
  await notice.getByRole('button', { name: 'Vào sổ, chờ cấp số' }).click();
  await expectText(p.locator('.toast'), `Đã vào sổ, chờ cấp số – ${REGISTER}`, 30_000);
  await d.waitFor({ state: 'hidden' });

  const row = p.locator('#incoming-grid .grid-body [role="row"]', { hasText: '57/SNV-VP' });
  const cell = row.locator('.awaiting-number');
  await expectText(cell, 'Chờ số'); // the column is narrow: the full words in its tooltip
  assert.equal(await cell.evaluate((e) => e.scrollWidth <= e.clientWidth), true, 'not clipped');
  assert.equal(await cell.getAttribute('title'), `Chờ cấp số (đến ngày ${formatDateVn(todayIso())})`);
  for (const size of SIZES) {
    await p.setViewportSize(size);
    await screenshot(p, `awaiting-number-register-${size.width}`);
  }
  await row.dblclick();
  await expectText(p.locator('.strong.awaiting-number'), 'Chờ cấp số');
  await screenshot(p, 'awaiting-number-detail-1920');

  // The header's sync indicator, which every person sees (the Đồng bộ page is the administrator's).
  await expectText(p.getByTestId('sync-awaiting-numbers'), '1 văn bản chờ cấp số', 20_000);
  for (const size of SIZES) {
    await p.setViewportSize(size);
    await screenshot(p, `awaiting-number-indicator-${size.width}`);
  }

  // The register's filter "Số đến: Chờ cấp số".
  await p.keyboard.press('Escape');
  await p.getByRole('heading', { name: 'Sổ văn bản đến' }).waitFor();
  await p.locator('#f-number').selectOption({ label: 'Chờ cấp số' });
  await expectText(p.locator('.page-count'), 'Tìm thấy 1 văn bản', 20_000);
  await row.waitFor();
  for (const size of SIZES) {
    await p.setViewportSize(size);
    await screenshot(p, `awaiting-number-filter-${size.width}`);
  }
});

test('the register year closed while the arrival waits: the detail says it takes no number of that year and when the open year can take it', { skip }, async () => {
  const p = page();
  const desk = app!.desk!;
  // The closing made at another workstation, as the sync brings it (behind the app's back).
  const registerId = desk.db.prepare('SELECT register_id FROM c_thuong.incoming WHERE number_symbol = ?').pluck().get('57/SNV-VP') as number;
  const year = Number(todayIso().slice(0, 4));
  const admin = desk.db.prepare('SELECT id FROM users ORDER BY id LIMIT 1').pluck().get() as number;
  desk.db.prepare('INSERT INTO register_years (register_id, year, closed_at, closed_by) VALUES (?,?,?,?)').run(registerId, year, new Date().toISOString(), admin);
  await p.setViewportSize(SIZES[0]!);
  await p.locator('#incoming-grid .grid-body [role="row"]', { hasText: '57/SNV-VP' }).dblclick();
  const notice = p.locator('.awaiting-year-closed');
  await expectText(notice, `“${REGISTER}” năm ${year} đã khóa sổ trong khi văn bản này chờ cấp số`, 20_000);
  for (const size of SIZES) {
    await p.setViewportSize(size);
    await screenshot(p, `awaiting-number-year-closed-${size.width}`);
  }
  // This very year is the closed one (closed before 31/12): no open year yet, nothing offered but the date it opens.
  await expectText(notice, `Từ ngày 01/01/${year + 1} có thể vào sổ văn bản vào năm ${year + 1}`);
  assert.equal(await notice.getByRole('button').count(), 0);
});
