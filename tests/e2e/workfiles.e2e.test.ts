// Work files through the screens (issue 8 §5, §7): the văn thư opens "Hồ sơ công việc", sees the
// warning for a file due to the archive within 30 days, opens this year's file, adds two documents
// from their views ("Thêm vào hồ sơ"), closes the file and exports it: the PDF (fetched once through
// its ticket, read with pdftotext and pdfinfo) has the contents and then the documents in date order,
// whatever order they were registered or added in; the XML parses back with the file's Phụ lục VI
// fields. Then she hands last year's closed file over to the archive and it shows as handed over.
// The profile is seeded on a set clock (setup on the real clock: its certificates are new).
// Screenshots at 1366×768 and 1920×1080 go to test-results/e2e/.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import type { Page } from 'playwright-core';
import { addDaysIso, formatDateVn, todayIso, yearOf } from '../../common/dates';
import { Desk } from '../../main/core/desk';
import { actorFor, getUser } from '../../main/core/org/users';
import { SessionGuard } from '../../main/core/session/guard';
import { TokenService } from '../../main/core/session/tokens';
import { TokenBridge } from '../../native/bridge/client';
import { moduleId } from '../../native/modules/discovery';
import { createSoftHsm, type SoftHsm } from '../fixtures/softhsm/tokens';
import { pdfPageInfo, pdfTextPages } from '../helpers/pdfOracle';
import { markedPdf } from '../helpers/workfilePdfs';
import { ELECTRON_DIST, eventually, expectText, openApp, screenshot, type AppSession } from './harness';

const skip = ELECTRON_DIST ? 'the profile is seeded on a set clock through the development host (Chromium only)' : false;

const UNIT = 'Văn phòng Tỉnh ủy Quảng Ninh';
const UNIT_CODE = '000.00.01.H49';
const CLERK = 'Nguyễn Thị Lan';
const SIZES = [{ width: 1366, height: 768 }, { width: 1920, height: 1080 }] as const;
const today = todayIso();
const thisYear = yearOf(today);
const oldDay = addDaysIso(today, -350);
const FILE = { notation: '01.TH', title: 'Hồ sơ triển khai chính quyền điện tử', code: `${UNIT_CODE}.${thisYear}.01.TH` };
const OLD_FILE = { notation: '09.VP', title: 'Hồ sơ hội nghị tổng kết công tác văn phòng', code: `${UNIT_CODE}.${yearOf(oldDay)}.09.VP` };
// Dated A < B < C; registered C, A, B; C filed first.
const DOCS = {
  A: { symbol: '15/QĐ-UBND', date: addDaysIso(today, -20), pages: 2 },
  B: { symbol: '27/KH-UBND', date: addDaysIso(today, -15), pages: 3 },
  C: { symbol: '41/TB-UBND', date: addDaysIso(today, -10), pages: 1 },
} as const;

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
      { unit: { name: UNIT, code: UNIT_CODE, preset: 'state' }, admin: { fullName: CLERK, position: 'Văn thư cơ quan', role: 'van_thu', clearance: 'tuyet_mat' } },
      { moduleId: moduleId(hsm.modulePath), serial: hsm.tokens.userRsa.serial },
      hsm.tokens.userRsa.pin,
    );
    const clerk = actorFor(getUser(desk.db, session.user.id)!);
    const register = async (key: string, symbol: string, date: string, pages: number, arrival: string) => {
      const staged = await desk.attachments.stage(clerk, Readable.from(Buffer.from(await markedPdf(`DOC-${key}`, pages))), `${key}.pdf`);
      return (await desk.incoming.register(clerk, {
        issuer: { name: 'Ủy ban nhân dân tỉnh Quảng Ninh' }, numberSymbol: symbol, documentDate: date, arrivalDate: arrival,
        typeCode: symbol.includes('KH') ? 'KH' : symbol.includes('TB') ? 'TB' : 'QĐ', subject: `Văn bản ${key} về chuyển đổi số`, secrecy: 'thuong', urgency: 'thuong',
        recipients: [], notes: '', stagedIds: [staged.stagedId], acknowledgeDuplicates: false,
      })).id;
    };
    // Last year's work: closed 350 days ago, so due to the archive in 15 days (default: one year).
    clock = new Date(`${oldDay}T03:00:00Z`);
    const old = await register('OLD', '88/BC-VP', oldDay, 1, oldDay);
    const oldFile = await desk.workFiles.create(clerk, { year: yearOf(oldDay), notation: OLD_FILE.notation, title: OLD_FILE.title, retention: 'vinh_vien' });
    await desk.workFiles.open(clerk, oldFile.id);
    await desk.workFiles.addItem(clerk, { fileId: oldFile.id, kind: 'incoming', recordId: old });
    await desk.workFiles.close(clerk, { fileId: oldFile.id, closedOn: oldDay });
    clock = null;
    const c = await register('C', DOCS.C.symbol, DOCS.C.date, DOCS.C.pages, today);
    await register('A', DOCS.A.symbol, DOCS.A.date, DOCS.A.pages, today);
    await register('B', DOCS.B.symbol, DOCS.B.date, DOCS.B.pages, today);
    const file = await desk.workFiles.create(clerk, { year: thisYear, notation: FILE.notation, title: FILE.title, retention: 10, responsibleUserId: clerk.id });
    await desk.workFiles.open(clerk, file.id);
    await desk.workFiles.addItem(clerk, { fileId: file.id, kind: 'incoming', recordId: c });
  } finally {
    await guard.close();
  }
}

before(async () => {
  if (skip) return;
  work = mkdtempSync(join(tmpdir(), 'securedesk-e2e-workfiles-'));
  profileDir = join(work, 'profile');
  hsm = await createSoftHsm({ tokens: ['userRsa'] });
  await seed();
});

after(async () => {
  await app?.close();
  await hsm?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

const nav = (p: Page, name: string) => p.getByRole('navigation', { name: 'Chức năng' }).getByRole('button', { name, exact: true }).click();

async function shoot(p: Page, name: string): Promise<void> {
  for (const size of SIZES) {
    await p.setViewportSize(size);
    await screenshot(p, `${name}-${size.width}`);
    const clipped = await p.locator('.workfiles-page').evaluate((root) => Array.from(root.querySelectorAll<HTMLElement>('th, td, button, label, h1, h2'))
      .filter((el) => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1).map((el) => el.textContent ?? ''));
    assert.deepEqual(clipped, [], `clipped at ${size.width}`);
  }
}

/** Adds a document to the open file from its view. */
async function addFromDocument(p: Page, symbol: string): Promise<void> {
  await nav(p, 'Văn bản đến');
  await p.locator('#incoming-grid .grid-body [role="row"]').filter({ hasText: symbol }).dblclick();
  await p.getByRole('button', { name: 'Thêm vào hồ sơ' }).click();
  const dialog = p.getByRole('dialog', { name: 'Thêm văn bản vào hồ sơ' });
  await dialog.getByRole('radio', { name: new RegExp(FILE.title) }).check();
  await dialog.getByRole('button', { name: 'Thêm vào hồ sơ' }).click();
  await expectText(p.locator('.toasts, [role="status"]').last(), `Đã thêm văn bản vào hồ sơ ${FILE.code}`);
}

test('a work file is closed and exported: its PDF has the contents and the documents in date order', { skip }, async () => {
  app = await openApp(profileDir, { hsm, trustAnchors: [hsm.ca.certDer] });
  const p = app.page;
  await p.getByRole('radio', { name: /Nguyễn Văn An/ }).check();
  await p.getByLabel('Mã PIN').fill(hsm.tokens.userRsa.pin);
  await p.getByRole('button', { name: 'Mở khóa' }).click();
  await expectText(p.locator('.app-header'), CLERK);

  // A new entry of the list: a code already taken is refused at its field, then the entry is added.
  await nav(p, 'Hồ sơ công việc');
  await p.getByRole('button', { name: 'Thêm hồ sơ' }).click();
  const entry = p.getByRole('dialog', { name: `Thêm hồ sơ vào danh mục năm ${thisYear}` });
  await entry.getByLabel(/^Số và ký hiệu hồ sơ/).fill(FILE.notation);
  await entry.getByLabel(/^Tiêu đề hồ sơ/).fill('Hồ sơ hội nghị cán bộ chủ chốt');
  await entry.getByRole('button', { name: 'Thêm vào danh mục' }).click();
  await expectText(entry, `Mã hồ sơ ${FILE.code} đã có trong danh mục hồ sơ năm ${thisYear}.`);
  await shoot(p, 'workfiles-entry-refused');
  await entry.getByLabel(/^Số và ký hiệu hồ sơ/).fill('02.TH');
  await entry.getByLabel(/^Thời hạn bảo quản/).fill('5');
  await entry.getByRole('button', { name: 'Thêm vào danh mục' }).click();
  await expectText(p.locator('.workfiles-table tbody tr').filter({ hasText: `${UNIT_CODE}.${thisYear}.02.TH` }), 'Chưa mở');

  // B first, then A: the order of adding does not matter either.
  await addFromDocument(p, DOCS.B.symbol);
  await addFromDocument(p, DOCS.A.symbol);

  await nav(p, 'Hồ sơ công việc');
  await p.getByRole('heading', { name: 'Hồ sơ công việc' }).waitFor();
  // The archive warning: last year's file is due in 15 days.
  const notice = p.getByRole('status', { name: 'Hồ sơ sắp đến hạn nộp lưu' });
  await expectText(notice, OLD_FILE.code);
  await expectText(notice, `còn 15 ngày (hạn ${formatDateVn(addDaysIso(today, 15))})`);
  const row = p.locator('.workfiles-table tbody tr').filter({ hasText: FILE.code });
  await expectText(row, 'Đang lập');
  assert.ok((await row.textContent())!.includes('10 năm'));
  await shoot(p, 'workfiles-list');

  await row.getByRole('button', { name: FILE.code }).click();
  await p.getByRole('heading', { name: FILE.code }).waitFor();
  await eventually(async () => assert.equal(await p.locator('.workfile-items tbody tr').count(), 3));
  const order = await p.locator('.workfile-items tbody tr td:nth-child(3)').allTextContents();
  assert.deepEqual(order, [DOCS.A.symbol, DOCS.B.symbol, DOCS.C.symbol], 'listed in date order');

  await p.getByRole('button', { name: 'Đóng hồ sơ…' }).click();
  const close = p.getByRole('dialog', { name: `Đóng hồ sơ ${FILE.code}` });
  assert.equal(await close.getByLabel(/Ngày đóng hồ sơ/).inputValue(), formatDateVn(today));
  await close.getByRole('button', { name: 'Đóng hồ sơ' }).click();
  await expectText(p.locator('.workfile-view'), 'Đã đóng');
  assert.equal(await p.getByRole('button', { name: 'Bỏ khỏi hồ sơ' }).count(), 0, 'a closed file offers no change');

  // Export: both files fetched once through their tickets.
  const got: Record<string, Buffer> = {};
  await p.route(/\/blob\/[0-9a-f]{32}$/, async (route) => {
    const response = await route.fetch();
    assert.equal(response.status(), 200);
    // Keyed by the file's extension (an XML is served as a download, application/octet-stream).
    const name = decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(response.headers()['content-disposition'] ?? '')?.[1] ?? '');
    got[name.split('.').pop()!] = await response.body();
    await route.fulfill({ response });
  });
  await p.getByRole('button', { name: 'Xuất PDF và XML' }).click();
  await eventually(async () => assert.ok(got.pdf && got.xml, 'PDF and XML fetched'));
  await p.unroute(/\/blob\/[0-9a-f]{32}$/);
  await expectText(p.locator('.toasts, [role="status"]').last(), 'Đã xuất hồ sơ: 3 văn bản');

  const pdf = got.pdf!;
  const pages = pdfTextPages(pdf);
  const tocPages = pages.findIndex((t) => t.includes('DOC-'));
  assert.ok(tocPages >= 1, 'the contents come first');
  assert.equal(pdfPageInfo(pdf).length, tocPages + DOCS.A.pages + DOCS.B.pages + DOCS.C.pages);
  assert.deepEqual(pages.slice(tocPages).map((t) => t.trim()),
    ['DOC-A page 1/2', 'DOC-A page 2/2', 'DOC-B page 1/3', 'DOC-B page 2/3', 'DOC-B page 3/3', 'DOC-C page 1/1']);
  const toc = pages.slice(0, tocPages).join('\n').replace(/\s+/g, ' ');
  for (const s of ['MỤC LỤC VĂN BẢN', `Hồ sơ số: ${FILE.code}`, FILE.title, 'Số văn bản: 3'])
    assert.ok(toc.includes(s), `contents lack “${s}”`);
  const at = (d: string) => toc.indexOf(formatDateVn(d));
  assert.ok(at(DOCS.A.date) > 0 && at(DOCS.A.date) < at(DOCS.B.date) && at(DOCS.B.date) < at(DOCS.C.date), toc);

  const xml = new XMLParser({ parseTagValue: false, ignoreAttributes: false }).parse(got.xml!.toString('utf8')) as
    { HoSo: Record<string, string> & { VanBan: Array<Record<string, string>> } };
  assert.equal(xml.HoSo.MaHoSo, FILE.code);
  assert.equal(xml.HoSo.TieuDeHoSo, FILE.title);
  assert.equal(xml.HoSo.ThoiHanBaoQuan, '10');
  assert.equal(xml.HoSo.TongSoVanBan, '3');
  assert.equal(xml.HoSo.TongSoTrang, '6');
  assert.equal(xml.HoSo.ThoiGianBatDau, DOCS.A.date);
  assert.equal(xml.HoSo.ThoiGianKetThuc, DOCS.C.date);
  assert.deepEqual(xml.HoSo.VanBan.map((v) => v.SoKyHieu), [DOCS.A.symbol, DOCS.B.symbol, DOCS.C.symbol]);
  await shoot(p, 'workfiles-closed');

  // The hand-over of last year's closed file, with its record.
  await p.getByRole('button', { name: `Danh mục năm ${thisYear}` }).click();
  await p.locator('#workfiles-year').selectOption(String(yearOf(oldDay)));
  await p.getByRole('button', { name: 'Giao nộp lưu trữ…' }).click();
  const hand = p.getByRole('dialog', { name: 'Giao nộp hồ sơ vào lưu trữ cơ quan' });
  assert.ok(await hand.getByRole('checkbox', { name: new RegExp(OLD_FILE.title) }).isChecked());
  await hand.getByLabel(/^Lưu trữ cơ quan/).fill('Lưu trữ cơ quan Văn phòng Tỉnh ủy');
  await hand.getByLabel(/^Người nhận/).fill('Vũ Thị Lưu');
  await hand.getByRole('button', { name: 'Lập biên bản giao nộp' }).click();
  await expectText(p.locator('.workfiles-table tbody tr').filter({ hasText: OLD_FILE.code }), 'Đã nộp lưu');
  await eventually(async () => assert.equal(await p.getByRole('status', { name: 'Hồ sơ sắp đến hạn nộp lưu' }).count(), 0, 'no longer due'));
  // The hand-over record: when, to whom, by whom, which files.
  const record = p.locator('.workfile-transfers tbody tr');
  await expectText(record, 'Vũ Thị Lưu');
  const cells = (await record.first().locator('td').allTextContents()).map((c) => c.trim()).slice(0, 5);
  assert.deepEqual(cells, [formatDateVn(today), 'Lưu trữ cơ quan Văn phòng Tỉnh ủy', 'Vũ Thị Lưu', CLERK, OLD_FILE.code]);
  let recordPdf: Buffer | null = null;
  await p.route(/\/blob\/[0-9a-f]{32}$/, async (route) => {
    const response = await route.fetch();
    recordPdf = await response.body();
    await route.fulfill({ response });
  });
  await p.locator('.workfile-transfers').getByRole('button', { name: 'Biên bản (PDF)' }).click();
  await eventually(async () => assert.ok(recordPdf, 'the record fetched'));
  await p.unroute(/\/blob\/[0-9a-f]{32}$/);
  const recordText = pdfTextPages(recordPdf!).join('\n').replace(/\s+/g, ' ');
  for (const s of ['BIÊN BẢN', `Bên giao: ${CLERK}`, 'người nhận: Vũ Thị Lưu', OLD_FILE.code, OLD_FILE.title, 'Vĩnh viễn'])
    assert.ok(recordText.includes(s), `the record lacks “${s}”: ${recordText}`);
  await shoot(p, 'workfiles-archived');
  assert.deepEqual(app.problems.errors, []);
  assert.deepEqual(app.problems.csp, []);
});
