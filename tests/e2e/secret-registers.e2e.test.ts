// The state-secret registers through the screens (issue 7 §8–9): the văn thư opens "Sổ bí mật nhà
// nước" (the sidebar entry the core allows her), sees the current year by default, filters 2025,
// exports the copy register to Excel (read back with exceljs) and prints it as PDF (read with
// pdftotext), both fetched once through their one-use tickets; then closes 2025 (the closing seals
// the SHA-256 of the PDF she just printed), sees it shown as closed, and is refused closing the
// hand-over register, which was not printed. The current year offers no closing. The records of
// 2025 are seeded on a clock set to June 2025 (setup runs on the real clock: its certificates are new).
// Screenshots at 1366×768 and 1920×1080 go to test-results/e2e/.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { addDaysIso, todayIso, yearOf } from '../../common/dates';
import { Desk } from '../../main/core/desk';
import { writeTx } from '../../main/core/db/transaction';
import { bindCertificates } from '../../main/core/org/certificates';
import { actorFor, addUser, getUser } from '../../main/core/org/users';
import { XLSX_FIRST_DATA_ROW } from '../../main/core/reports/registerXlsx';
import { SessionGuard } from '../../main/core/session/guard';
import { TokenService } from '../../main/core/session/tokens';
import { makeSamplePdf } from '../../main/devhost/samplePdf';
import { TokenBridge } from '../../native/bridge/client';
import { moduleId } from '../../native/modules/discovery';
import { createSoftHsm, type SoftHsm } from '../fixtures/softhsm/tokens';
import { pdfTextPages } from '../helpers/pdfOracle';
import { ELECTRON_DIST, eventually, expectText, openApp, screenshot, type AppSession } from './harness';

const skip = ELECTRON_DIST ? 'the profile is seeded on a set clock through the development host (Chromium only)' : false;

const UNIT = 'Văn phòng Tỉnh ủy Quảng Ninh';
const CLERK = 'Nguyễn Thị Lan';
const LEADER = 'Trần Văn Lãnh';
const OLD = { symbol: '41-CV/TU', subject: 'Về công tác bảo vệ bí mật nhà nước năm 2025' };
const NEW = { symbol: '12-KH/TU', subject: 'Kế hoạch kiểm tra công tác bảo mật' };
const SIZES = [{ width: 1366, height: 768 }, { width: 1920, height: 1080 }] as const;
const thisYear = yearOf(todayIso());
const PAST = thisYear - 1;

let work = '';
let profileDir = '';
let hsm: SoftHsm;
let app: AppSession | undefined;

async function seed(): Promise<void> {
  let clock: Date | null = null;
  const desk = await Desk.open({ profileDir, trustAnchors: [hsm.ca.certDer], now: () => clock ?? new Date() });
  const guard = new SessionGuard(desk, new TokenService(new TokenBridge({ env: hsm.env }), async () => [hsm.modulePath]));
  try {
    const session = await guard.setup(
      { unit: { name: UNIT, code: '000.00.01.H27', preset: 'party' }, admin: { fullName: CLERK, position: 'Văn thư cơ quan', role: 'van_thu', clearance: 'tuyet_mat' } },
      { moduleId: moduleId(hsm.modulePath), serial: hsm.tokens.userRsa.serial },
      hsm.tokens.userRsa.pin,
    );
    let leaderId = 0;
    writeTx(desk.db, () => {
      leaderId = addUser(desk.db, { fullName: LEADER, position: 'Chánh Văn phòng', role: 'lanh_dao', clearance: 'tuyet_mat' });
      bindCertificates(desk.db, leaderId, hsm.tokens.recovery.keys.map((k) => k.certDer), session.user.id, new Date(), 'administrator');
    });
    await desk.rewrapKeyring();
    const clerk = actorFor(getUser(desk.db, session.user.id)!);
    const leader = actorFor(getUser(desk.db, leaderId)!);
    const register = async (d: { symbol: string; subject: string }, arrival: string) => {
      const pdf = await makeSamplePdf({ issuer: 'Ban Nội chính Tỉnh ủy', numberSymbol: d.symbol, title: 'CÔNG VĂN', subject: d.subject });
      const staged = await desk.attachments.stage(clerk, Readable.from(Buffer.from(pdf)), 'cong-van.pdf');
      return desk.incoming.register(clerk, {
        issuer: { name: 'Ban Nội chính Tỉnh ủy' }, numberSymbol: d.symbol, documentDate: addDaysIso(arrival, -1), arrivalDate: arrival,
        typeCode: 'CV', subject: d.subject, secrecy: 'mat', urgency: 'thuong', recipients: ['Phòng Tổng hợp'], notes: '',
        stagedIds: [staged.stagedId], acknowledgeDuplicates: false,
      });
    };
    // June of last year: a Mật arrival, handed to the leader who acknowledges it, and a copy he makes.
    clock = new Date(`${PAST}-06-10T03:00:00Z`);
    const old = await register(OLD, `${PAST}-06-10`);
    const h = await desk.incoming.handOver(clerk, { id: old.id, userId: leaderId, note: 'Giao tận tay' });
    await desk.incoming.acknowledge(leader, h.id);
    clock = new Date(`${PAST}-06-12T03:00:00Z`);
    await desk.copies.make(leader, { incomingId: old.id, kind: 'sao_y', copies: 2, reason: 'Gửi Ban Tổ chức' });
    clock = null;
    await register(NEW, addDaysIso(todayIso(), -1));
  } finally {
    await guard.close();
  }
}

before(async () => {
  if (skip) return;
  work = mkdtempSync(join(tmpdir(), 'securedesk-e2e-registers-'));
  profileDir = join(work, 'profile');
  hsm = await createSoftHsm({ tokens: ['userRsa', 'recovery'] });
  await seed();
});

after(async () => {
  await app?.close();
  await hsm?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

const table = (p: Page) => p.locator('.secret-register-table tbody tr');

/** The bytes of the next file fetched through a one-use ticket while `act` runs. */
async function captureTicket(p: Page, act: () => Promise<void>, mime: string): Promise<Buffer> {
  let bytes: Buffer | null = null;
  await p.route(/\/blob\/[0-9a-f]{32}$/, async (route) => {
    const response = await route.fetch();
    assert.equal(response.status(), 200);
    assert.equal(response.headers()['content-type'], mime);
    bytes = await response.body();
    await route.fulfill({ response, body: bytes });
  });
  await act();
  await eventually(async () => assert.ok(bytes, 'the file was fetched'));
  await p.unroute(/\/blob\/[0-9a-f]{32}$/);
  return bytes!;
}

async function shoot(p: Page, name: string): Promise<void> {
  for (const size of SIZES) {
    await p.setViewportSize(size);
    await screenshot(p, `${name}-${size.width}`);
    // Nothing in the register's header, filters or cells is cut off.
    const clipped = await p.locator('.secret-registers-page').evaluate((root) => Array.from(root.querySelectorAll<HTMLElement>('th, td, button, label, .secret-register-status span'))
      .filter((el) => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1).map((el) => el.textContent ?? ''));
    assert.deepEqual(clipped, [], `clipped at ${size.width}`);
  }
}

test('the văn thư filters the registers, exports Excel and PDF, and closes last year', { skip }, async () => {
  app = await openApp(profileDir, { hsm, trustAnchors: [hsm.ca.certDer] });
  const p = app.page;
  await p.getByRole('radio', { name: /Nguyễn Văn An/ }).check();
  await p.getByLabel('Mã PIN').fill(hsm.tokens.userRsa.pin);
  await p.getByRole('button', { name: 'Mở khóa' }).click();
  await expectText(p.locator('.app-header'), CLERK);
  await p.getByRole('navigation', { name: 'Chức năng' }).getByRole('button', { name: 'Sổ bí mật nhà nước' }).click();
  await p.getByRole('heading', { name: 'Sổ bí mật nhà nước' }).waitFor();

  // By default the current year, in the incoming register's columns.
  assert.equal(await p.getByRole('tab', { name: 'Sổ đăng ký BMNN đến' }).getAttribute('aria-selected'), 'true');
  assert.equal(await p.getByLabel('Từ ngày').inputValue(), `01/01/${thisYear}`);
  assert.equal(await p.getByLabel('Đến ngày').inputValue(), `31/12/${thisYear}`);
  await eventually(async () => assert.equal(await table(p).count(), 1));
  assert.ok((await table(p).first().textContent())!.includes(NEW.symbol));
  const heads = (await p.locator('.secret-register-table thead tr').first().locator('th').allTextContents()).map((s) => s.trim());
  assert.deepEqual(heads, ['Ngày đến', 'Số đến', 'Nơi gửi', 'Số, ký hiệu', 'Ngày tháng văn bản', 'Tên loại và trích yếu nội dung', 'Độ mật', 'Đơn vị hoặc người nhận', 'Ký nhận', 'Ghi chú']);
  assert.equal(await p.getByRole('button', { name: `Khóa sổ năm ${thisYear}` }).count(), 0, 'the current year cannot be closed');
  await shoot(p, 'secret-registers-incoming');

  // Last year.
  await p.getByLabel('Từ ngày').fill(`1/1/${PAST}`);
  await p.getByLabel('Đến ngày').fill(`31.12.${PAST}`);
  await p.getByRole('button', { name: 'Xem', exact: true }).click();
  await expectText(p.locator('.secret-register-status'), `Năm ${PAST}, từ 01/01/${PAST} đến 31/12/${PAST}`);
  await eventually(async () => assert.ok((await table(p).first().textContent())!.includes(OLD.symbol)));
  assert.ok((await table(p).first().textContent())!.includes(`Đã ký số`) || (await table(p).first().textContent())!.includes(LEADER), 'the ký nhận column');

  // The copy register of last year: one run of two copies.
  await p.getByRole('tab', { name: 'Sổ quản lý sao, chụp BMNN' }).click();
  await eventually(async () => assert.equal(await table(p).count(), 1));
  const cells = (await table(p).first().locator('td').allTextContents()).map((c) => c.trim());
  assert.deepEqual([cells[0], cells[1], cells[5], cells[6], cells[7]], ['1', `12/06/${PAST}`, 'Sao y', '2', LEADER]);

  // A workbook is not a type the host serves inline: it goes out as an attachment of octet-stream.
  const xlsx = await captureTicket(p, () => p.getByRole('button', { name: 'Xuất Excel' }).click(), 'application/octet-stream');
  await expectText(p.locator('.toast').last(), `Đã tải về so-quan-ly-sao-chup-bmnn-${PAST}-01-01-${PAST}-12-31.xlsx (1 dòng).`);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(xlsx as unknown as ArrayBuffer);
  const ws = wb.worksheets[0]!;
  assert.equal(ws.getRow(2).getCell(1).value, 'SỔ QUẢN LÝ SAO, CHỤP BÍ MẬT NHÀ NƯỚC');
  const row = ws.getRow(XLSX_FIRST_DATA_ROW);
  assert.deepEqual([row.getCell(1).value, row.getCell(6).value, row.getCell(7).value, row.getCell(8).value], [1, 'Sao y', 2, LEADER]);
  assert.ok(String(row.getCell(3).value).startsWith(OLD.symbol));

  const pdf = await captureTicket(p, () => p.getByRole('button', { name: 'In sổ (PDF)' }).click(), 'application/pdf');
  const text = pdfTextPages(pdf).join('\n').replace(/\s+/g, ' ');
  for (const s of ['VĂN PHÒNG TỈNH ỦY QUẢNG NINH', 'SỔ QUẢN LÝ SAO, CHỤP BÍ MẬT NHÀ NƯỚC', `Năm ${PAST}`, OLD.symbol, 'Sao y', LEADER, 'Gửi Ban Tổ chức'])
    assert.ok(text.includes(s), `the PDF lacks “${s}”`);
  await expectText(p.locator('.secret-register-status'), `Đã in cả năm ${PAST} lúc`);

  // Close last year of the copy register: confirmed, then shown as closed.
  await p.getByRole('button', { name: `Khóa sổ năm ${PAST}` }).click();
  const dialog = p.getByRole('dialog', { name: `Khóa Sổ quản lý sao, chụp BMNN năm ${PAST}?` });
  await expectText(dialog, 'Sau khi khóa sổ, không ghi thêm hoặc sửa mục nào có ngày trong năm');
  for (const size of SIZES) {
    await p.setViewportSize(size);
    await screenshot(p, `secret-registers-close-dialog-${size.width}`);
  }
  await dialog.getByRole('button', { name: 'Khóa sổ', exact: true }).click();
  await dialog.waitFor({ state: 'hidden' });
  await expectText(p.locator('.toast').last(), `Đã khóa Sổ quản lý sao, chụp BMNN năm ${PAST}.`);
  await expectText(p.locator('.secret-register-status'), `Năm ${PAST} đã khóa sổ lúc`);
  await expectText(p.locator('.badge-closed'), `Đã khóa sổ ${PAST}`);
  assert.equal(await p.getByRole('button', { name: `Khóa sổ năm ${PAST}` }).count(), 0);
  const sealed = app.desk!.db.prepare("SELECT pdf_sha256 FROM main.secret_register_years WHERE kind = 'secret_copies' AND year = ?").pluck().get(PAST);
  assert.equal(sealed, createHash('sha256').update(pdf).digest('hex'), 'the closing seals the PDF that was printed');
  await shoot(p, 'secret-registers-copies-closed');

  // The hand-over register of last year was not printed: closing it is refused with the reason.
  await p.getByRole('tab', { name: 'Sổ chuyển giao BMNN' }).click();
  // The tab's own row (not the previous tab's, still on screen for a moment): wait for both.
  await eventually(async () => {
    assert.equal(await table(p).count(), 1);
    assert.ok((await table(p).first().textContent())!.includes('Đã ký nhận'));
  });
  await expectText(p.locator('.secret-register-status'), `Để khóa sổ năm ${PAST}, chọn từ 01/01/${PAST} đến 31/12/${PAST} rồi in sổ (PDF).`);
  await p.getByRole('button', { name: `Khóa sổ năm ${PAST}` }).click();
  const d2 = p.getByRole('dialog', { name: `Khóa Sổ chuyển giao BMNN năm ${PAST}?` });
  await d2.getByRole('button', { name: 'Khóa sổ', exact: true }).click();
  await expectText(d2.locator('.form-error'), `Chưa in Sổ chuyển giao bí mật nhà nước năm ${PAST}`);
  await d2.getByRole('button', { name: 'Hủy' }).click();
  await shoot(p, 'secret-registers-handover');
  assert.equal(app.desk!.db.prepare("SELECT count(*) FROM main.audit_log WHERE action = 'register.close_year' AND outcome = 'refused'").pluck().get(), 1);
  assert.deepEqual(app.problems.errors, []);
});
