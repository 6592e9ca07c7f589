// "Nhập dữ liệu cũ" through the UI (issue 10 §2): a văn thư uploads a ZIP of an old register (a
// Windows-1258 CSV) and its scans; the encoding and delimiter are detected and shown, the columns
// are mapped with the guesses shown and one mapped by hand, the preview shows the rows as they will be
// stored (dd/mm/yyyy, number-symbol, secrecy, urgency), an issuer the directory does not know is
// mapped to a unit, the mapping is saved by name, the dry run's report is downloaded as XLSX, the
// import runs with its progress, and the records are in the register. A profile seeded through the
// core with a real SoftHSM token; Chromium on the development host; screenshots at 1366×768 and 1920×1080.
// A register of 20 000 rows is dry-run in the background: its progress is shown (rows checked of the
// total, the statuses so far, rate, time left), "Dừng" stops it and goes back to the mapping, and a
// second dry run ends with its report.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { Desk } from '../../main/core/desk';
import { encodeCp1258 } from '../../main/core/import/encodings/cp1258';
import { addUnit } from '../../main/core/org/units';
import { SessionGuard } from '../../main/core/session/guard';
import { TokenService } from '../../main/core/session/tokens';
import { makeSamplePdf } from '../../main/devhost/samplePdf';
import { TokenBridge } from '../../native/bridge/client';
import { moduleId } from '../../native/modules/discovery';
import { createSoftHsm, type SoftHsm } from '../fixtures/softhsm/tokens';
import { makeZip } from '../helpers/zipWriter';
import { ELECTRON_DIST, expectText, openApp, screenshot, type AppSession } from './harness';

const skip = ELECTRON_DIST ? 'the profile is seeded through the development host (Chromium only)' : false;
const HOLDER = 'Nguyễn Văn An'; // the name on the SoftHSM token's certificates

let work = '';
let profileDir = '';
let hsm: SoftHsm;
let app: AppSession | undefined;

async function seed(): Promise<void> {
  const desk = await Desk.open({ profileDir, trustAnchors: [hsm.ca.certDer] });
  const tokens = new TokenService(new TokenBridge({ env: hsm.env }), async () => [hsm.modulePath]);
  const guard = new SessionGuard(desk, tokens);
  try {
    await guard.setup(
      {
        unit: { name: 'Văn phòng Tỉnh ủy Quảng Ninh', code: '000.00.01.H49', preset: 'party' },
        admin: { fullName: HOLDER, position: 'Văn thư', role: 'van_thu', clearance: 'tuyet_mat' },
      },
      { moduleId: moduleId(hsm.modulePath), serial: hsm.tokens.userRsa.serial },
      hsm.tokens.userRsa.pin,
    );
    await desk.verdict();
    addUnit(desk.db, 'Sở Nội vụ', '000.00.12.H49');
    addUnit(desk.db, 'Ban Tổ chức Thị ủy Đông Triều', '000.00.31.H49');
  } finally {
    await guard.close();
  }
}

const CSV = [
  'Số đến;Ngày đến;Số, ký hiệu;Ngày văn bản;Cơ quan ban hành;Trích yếu;Độ mật;Độ khẩn;Nơi lưu;Tệp',
  '1;06/03/2019;16/CV-UBND;05/03/2019;Sở Nội vụ;Về việc tuyển dụng công chức năm 2019;;Khẩn;Tủ 1;scans/16.pdf',
  '2;08/03/19;Số: 17/QĐ-UBND;07/03/2019;Sở Nội vụ;Về việc nâng bậc lương;M;;Tủ 2;scans/17.tif',
  '3;09/03/2019;18/TB-BTC;08/03/2019;Ban Tổ chức Huyện ủy Đông Triều;Về lịch họp giao ban tháng 3;;TK;Tủ 1;',
].join('\r\n');

const BIG_ROWS = 60_000;
/** A large register: every 37th row from an issuer the directory lacks, every 50th with a date that is not one. */
const BIG_CSV = () => ['Số đến;Ngày đến;Số, ký hiệu;Ngày văn bản;Cơ quan ban hành;Trích yếu', ...Array.from({ length: BIG_ROWS }, (_, k) => {
  const i = k + 1;
  const date = `${String((i % 28) + 1).padStart(2, '0')}/${String((i % 12) + 1).padStart(2, '0')}/${2015 + (i % 8)}`;
  return [i, date, `${i}/CV-UBND`, i % 50 === 0 ? '32/13/2019' : date, i % 37 === 0 ? 'Phòng Lưu trữ huyện cũ' : 'Sở Nội vụ', `Về việc số ${i}`].join(';');
})].join('\r\n');

before(async () => {
  if (skip) return;
  work = mkdtempSync(join(tmpdir(), 'securedesk-e2e-import-'));
  profileDir = join(work, 'profile');
  hsm = await createSoftHsm({ tokens: ['userRsa'] });
  await seed();
  writeFileSync(join(work, 'so-den-lon.csv'), BIG_CSV());
  writeFileSync(join(work, 'so-den-2019.zip'), makeZip([
    { name: 'so-den-2019.csv', bytes: encodeCp1258(CSV) },
    { name: 'scans/16.pdf', bytes: await makeSamplePdf({ issuer: 'Sở Nội vụ', numberSymbol: '16/CV-UBND', title: 'CÔNG VĂN', subject: 'Về việc tuyển dụng công chức năm 2019' }) },
    { name: 'scans/17.tif', bytes: Buffer.from([0x49, 0x49, 0x2a, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), store: true },
  ]));
  app = await openApp(profileDir, { hsm });
});

after(async () => {
  await app?.close();
  await hsm?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

const page = (): Page => app!.page;

test('the clerk imports an old register with its scans: upload, mapping, preview, unknown unit, dry run, import, register', { skip }, async () => {
  const p = page();
  await p.setViewportSize({ width: 1366, height: 768 });
  await p.getByRole('heading', { name: 'Máy trạm đang khóa' }).waitFor();
  await p.getByRole('radio', { name: new RegExp(HOLDER) }).check();
  await p.getByLabel('Mã PIN').fill(hsm.tokens.userRsa.pin);
  await p.getByRole('button', { name: 'Mở khóa' }).click();
  await p.getByRole('navigation', { name: 'Chức năng' }).getByRole('button', { name: 'Nhập dữ liệu cũ' }).click();
  await p.getByRole('heading', { name: 'Nhập dữ liệu cũ', level: 1 }).waitFor();

  // Upload: through the staging area (the page hands over bytes, never a path).
  await p.locator('#import-file').setInputFiles(join(work, 'so-den-2019.zip'));
  await expectText(p.locator('.import-file-name'), 'tệp nén có 2 bản quét trong 3 tệp');
  const encoding = p.getByLabel('Bảng mã', { exact: true });
  assert.equal(await encoding.inputValue(), 'cp1258');
  assert.equal(await p.getByLabel('Ký tự phân cách', { exact: true }).inputValue(), ';');
  await expectText(p.locator('.import-read'), 'tự nhận biết');

  // Mapping: the guesses are shown; "Nơi lưu" is not guessed and is mapped to the notes by hand.
  assert.equal(await p.getByLabel('Trường cho cột Số, ký hiệu').inputValue(), 'numberSymbol');
  assert.equal(await p.getByLabel('Trường cho cột Độ khẩn').inputValue(), 'urgency');
  assert.equal(await p.getByLabel('Trường cho cột Nơi lưu').inputValue(), '');
  await p.getByLabel('Trường cho cột Nơi lưu').selectOption('notes');

  // Preview: as it will be stored.
  const preview = p.locator('.import-preview tbody');
  await expectText(preview.locator('tr').nth(1), '17/QĐ-UBND');
  const row2 = (await preview.locator('tr').nth(1).textContent()) ?? '';
  assert.match(row2, /08\/03\/2019/, 'd/m/yy read as 2019, shown dd/mm/yyyy');
  assert.match(row2, /07\/03\/2019/);
  assert.match(row2, /Mật/);
  assert.match(row2, /17\.tif/);
  const row1 = (await preview.locator('tr').nth(0).textContent()) ?? '';
  assert.match(row1, /Khẩn/);
  assert.match(row1, /05\/03\/2019/);
  assert.match((await preview.locator('tr').nth(2).textContent()) ?? '', /Thượng khẩn/);

  // The issuer the directory does not know, mapped to a unit of the directory.
  const units = p.locator('.import-units');
  await expectText(units, 'Ban Tổ chức Huyện ủy Đông Triều');
  await screenshot(p, 'import-mapping-1366');
  await p.setViewportSize({ width: 1920, height: 1080 });
  await screenshot(p, 'import-mapping-1920');
  await p.setViewportSize({ width: 1366, height: 768 });
  await p.getByLabel('Đơn vị trong danh mục cho “Ban Tổ chức Huyện ủy Đông Triều”').selectOption({ label: 'Ban Tổ chức Thị ủy Đông Triều (000.00.31.H49)' });
  await units.waitFor({ state: 'detached' });
  await expectText(preview.locator('tr').nth(2), 'Ban Tổ chức Thị ủy Đông Triều');

  // Saved by name, listed for reuse.
  await p.getByLabel('Lưu bảng ánh xạ với tên').fill('Sổ đến FoxPro 2019');
  await p.getByRole('button', { name: 'Lưu', exact: true }).click();
  await expectText(p.locator('.toast').last(), 'Đã lưu bảng ánh xạ “Sổ đến FoxPro 2019”.');
  assert.deepEqual(await p.getByLabel('Bảng ánh xạ đã lưu').locator('option').allTextContents(), ['Chọn để dùng lại…', 'Sổ đến FoxPro 2019']);

  // Dry run, and its report as XLSX.
  await p.getByRole('button', { name: 'Kiểm tra thử' }).click();
  await expectText(p.locator('.import-dry'), 'Đã kiểm tra 3 dòng');
  await expectText(p.locator('.import-dry'), 'Cảnh báo: 1');
  const [download] = await Promise.all([p.waitForEvent('download'), p.getByRole('button', { name: 'Tải báo cáo (XLSX)' }).click()]);
  assert.equal(download.suggestedFilename(), 'ket-qua-kiem-tra-nhap.xlsx');
  const saved = join(work, 'bao-cao.xlsx');
  await download.saveAs(saved);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(readFileSync(saved) as unknown as ArrayBuffer);
  const sheet = wb.getWorksheet('Kết quả')!;
  assert.equal(sheet.rowCount, 4);
  assert.equal(sheet.getRow(3).getCell(3).value, 'Cảnh báo');

  // The import, its progress, and the records in the register.
  await p.getByRole('button', { name: 'Nhập vào sổ' }).click();
  await expectText(p.locator('.import-progress'), 'Đã nhập xong', 20_000);
  await expectText(p.locator('.import-progress'), 'Đã nhập 3 · trùng 0 · bị từ chối 0');
  await expectText(p.locator('.import-progress'), '3/3 dòng (100%)');
  await expectText(p.locator('.import-jobs'), 'Xong');
  await p.locator('.import-progress').scrollIntoViewIfNeeded();
  await screenshot(p, 'import-done-1366');
  await p.setViewportSize({ width: 1920, height: 1080 });
  await screenshot(p, 'import-done-1920');
  await p.setViewportSize({ width: 1366, height: 768 });
  await p.getByRole('button', { name: 'Xem sổ văn bản đến' }).click();
  await p.getByRole('heading', { name: 'Sổ văn bản đến' }).waitFor();
  for (const symbol of ['16/CV-UBND', '17/QĐ-UBND', '18/TB-BTC']) await expectText(p.locator('#incoming-grid .grid-body'), symbol);
  await screenshot(p, 'import-register-1366');
  assert.deepEqual(app!.problems.errors, []);
  assert.deepEqual(app!.problems.csp, []);
});

test('a dry run of 60 000 rows shows its progress, stops on "Dừng" back to the mapping, and ends with its report', { skip }, async () => {
  const p = page();
  await p.setViewportSize({ width: 1366, height: 768 });
  await p.getByRole('navigation', { name: 'Chức năng' }).getByRole('button', { name: 'Nhập dữ liệu cũ' }).click();
  await p.getByRole('heading', { name: 'Nhập dữ liệu cũ', level: 1 }).waitFor();
  await p.locator('#import-file').setInputFiles(join(work, 'so-den-lon.csv'));
  await expectText(p.locator('.import-preview tbody'), '1/CV-UBND', 30_000);

  // Under way: rows checked of the total, the statuses so far, rate and time left; the window answers meanwhile.
  // Read at once (a quiet machine checks the rows in a few seconds); the screenshots come in the second run.
  await p.getByRole('button', { name: 'Kiểm tra thử' }).click();
  const panel = p.locator('.import-dry-progress');
  await expectText(panel, 'Đang kiểm tra thử…', 30_000);
  await expectText(panel, /Đã kiểm tra [1-9][\d.]* \/ 60\.000 dòng/, 30_000);
  const before = Number(/Đã kiểm tra ([\d.]+)/.exec(await panel.textContent() ?? '')![1]!.replaceAll('.', ''));
  const value = await panel.locator('progress').evaluate((e) => (e as HTMLProgressElement).value);
  assert.ok(value > 0 && value < BIG_ROWS, `progress ${value}`);

  // "Dừng": back to the mapping with a clear message; no report.
  await panel.getByRole('button', { name: 'Dừng' }).click();
  await expectText(p.locator('.import-dry-stopped'), 'Đã dừng kiểm tra thử: chưa có báo cáo và không có gì được ghi.');
  await panel.waitFor({ state: 'detached' });
  assert.equal(await p.locator('.import-dry').count(), 0);
  assert.ok(await p.getByRole('button', { name: 'Tải báo cáo (XLSX)' }).isDisabled());
  assert.ok(before > 0);
  await screenshot(p, 'import-dryrun-stopped-1366');
  await p.setViewportSize({ width: 1920, height: 1080 });
  await screenshot(p, 'import-dryrun-stopped-1920');
  await p.setViewportSize({ width: 1366, height: 768 });

  // Again, to the end: while it runs, its rate and time left (and the screenshots); then the report of every row.
  await p.getByRole('button', { name: 'Kiểm tra thử' }).click();
  await expectText(panel, /Đã kiểm tra [1-9][\d.]* \/ 60\.000 dòng/, 30_000);
  await expectText(panel, /dòng\/giây/);
  await expectText(panel, /còn khoảng/);
  await panel.scrollIntoViewIfNeeded().catch(() => undefined);
  await screenshot(p, 'import-dryrun-progress-1366');
  await p.setViewportSize({ width: 1920, height: 1080 });
  await screenshot(p, 'import-dryrun-progress-1920');
  await p.setViewportSize({ width: 1366, height: 768 });
  await expectText(p.locator('.import-dry'), 'Đã kiểm tra 60.000 dòng', 240_000);
  await expectText(p.locator('.import-dry'), 'Bị từ chối: 1.200');
  assert.equal(await p.locator('.import-dry-stopped').count(), 0);
  await p.locator('.import-dry').scrollIntoViewIfNeeded();
  await screenshot(p, 'import-dryrun-done-1366');
  assert.ok(!(await p.getByRole('button', { name: 'Tải báo cáo (XLSX)' }).isDisabled()));
  assert.deepEqual(app!.problems.errors, []);
  assert.deepEqual(app!.problems.csp, []);
});
