// The state-secret registers as outputs (main/core/reports): PDFs read back with pdftotext and
// pdf.js, workbooks read back with exceljs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import ExcelJS from 'exceljs';
import { DeskError } from '../../common/errors';
import { registerPdf } from '../../main/core/reports/registerPdf';
import { LAYOUTS, type SecretCopyRow, type SecretHandoverRow, type SecretIncomingRow, type SecretLevel } from '../../main/core/reports/registers';
import { registerXlsx, XLSX_FIRST_DATA_ROW, XLSX_HEADER_ROW } from '../../main/core/reports/registerXlsx';
import { pdfFonts, pdfRuns, pdfTextPages } from '../helpers/pdfOracle';

const OPTS = { unitName: 'Văn phòng Tỉnh ủy', parentUnitName: 'Tỉnh ủy Hà Giang', year: 2026, period: { from: '2026-01-01', to: '2026-12-31' }, volume: 1 };
const SECRET_SUBJECT = 'Phương án bố trí lực lượng bảo vệ mục tiêu trọng yếu';
const LONG_SUBJECT = 'Về việc triển khai thực hiện Nghị quyết của Ban Chấp hành Đảng bộ tỉnh về chuyển đổi số, bảo đảm an toàn, an ninh mạng và bảo vệ bí mật nhà nước trên môi trường điện tử trong các cơ quan đảng, chính quyền, Mặt trận Tổ quốc và các đoàn thể chính trị - xã hội';
const LEVELS: SecretLevel[] = ['mat', 'toi_mat', 'tuyet_mat'];

const iso = (i: number) => {
  const d = new Date(Date.UTC(2026, 0, 1 + Math.floor(i * 2.9)));
  return d.toISOString().slice(0, 10);
};
const vn = (isoDate: string) => isoDate.split('-').reverse().join('/');

function incomingRows(n: number): SecretIncomingRow[] {
  return Array.from({ length: n }, (_, i) => {
    const secrecy = LEVELS[i % 3]!;
    return {
      arrivalDate: iso(i), arrivalNumber: i + 1, issuer: i % 2 ? 'Bộ Công an' : 'Sở Thông tin và Truyền thông',
      numberSymbol: `${i + 101}/QĐ-UBND`, documentDate: iso(Math.max(0, i - 1)), typeName: 'Quyết định',
      subject: secrecy === 'tuyet_mat' ? `${SECRET_SUBJECT} số ${i + 1}` : i === 4 ? LONG_SUBJECT : `Mục ${String(i + 1).padStart(3, '0')} về công tác bảo mật`,
      secrecy, recipient: 'Phòng Tổng hợp', acknowledgement: i % 5 === 0 ? `Đã ký số ${vn(iso(i))} 09:10` : null, notes: i === 7 ? 'Ghi chú đặc biệt: bản gốc lưu tại văn thư' : null,
    };
  });
}

test('Sổ đăng ký BMNN đến as PDF: cover, header on every page, every row, page numbers, no Tuyệt mật subject', async () => {
  const rows = incomingRows(120);
  const pdf = await registerPdf('secret_incoming', rows, OPTS);
  const pages = pdfTextPages(pdf);
  assert.ok(pages.length >= 5, `${pages.length} pages for 120 rows`);
  const cover = pages[0]!;
  for (const s of ['TỈNH ỦY HÀ GIANG', 'VĂN PHÒNG TỈNH ỦY', 'SỔ ĐĂNG KÝ BÍ MẬT NHÀ NƯỚC ĐẾN', 'Năm 2026', 'Từ ngày 01/01/2026 đến ngày 31/12/2026', 'Từ số 1 đến số 120', 'Quyển số: 1'])
    assert.ok(cover.includes(s), `cover lacks “${s}”`);
  pages.forEach((text, i) => assert.ok(text.includes(`Trang ${i + 1}/${pages.length}`), `page ${i + 1} numbered`));
  const flat = (s: string) => s.replace(/\s+/g, ' ');
  for (const text of pages.slice(1)) {
    for (const title of ['Ngày đến', 'Số đến', 'Nơi gửi', 'Số, ký hiệu', 'Độ mật', 'Ký nhận', 'Ghi chú', '(1)', '(10)'])
      assert.ok(text.includes(title), `a table page lacks the header “${title}”:\n${text.slice(0, 400)}`);
    assert.ok(flat(text).includes('Tên loại và trích yếu nội dung'));
  }
  const all = pages.slice(1).join('\n');
  for (const r of rows) {
    assert.ok(all.includes(r.numberSymbol), `row ${r.arrivalNumber} (${r.numberSymbol})`);
    assert.ok(all.includes(vn(r.arrivalDate)), `date ${vn(r.arrivalDate)}`);
    if (r.secrecy !== 'tuyet_mat' && r.subject !== LONG_SUBJECT) assert.ok(all.includes(r.subject!), `subject of row ${r.arrivalNumber}`);
  }
  assert.ok(!all.includes('Phương án bố trí') && !all.includes('mục tiêu trọng yếu'), 'a Tuyệt mật subject is never printed');
  assert.ok(all.includes('Tuyệt mật') && all.includes('Tối mật'));
  assert.ok(flat(all).includes('Đã ký số 01/01/2026 09:10'), 'the acknowledgement, wrapped in its cell');

  // The long subject wraps inside its column: its lines, read in order down the column, are the whole text.
  const runs = (await pdfRuns(pdf)).flatMap((p, i) => p.runs.map((r) => ({ ...r, page: i })));
  const expected = `Quyết định: ${LONG_SUBJECT}`;
  const start = runs.find((r) => expected.startsWith(r.str) && r.str.length > 10)!;
  assert.ok(start, 'the long subject starts in a cell');
  const column = runs.filter((r) => r.page === start.page && Math.abs(r.x - start.x) < 0.5 && r.y >= start.y).sort((a, b) => a.y - b.y);
  let joined = '';
  let lines = 0;
  for (const r of column) {
    if (joined.length >= expected.length) break;
    joined = joined ? `${joined} ${r.str}` : r.str;
    lines++;
  }
  assert.equal(joined, expected);
  assert.ok(lines >= 3, `wrapped over ${lines} lines`);
  assert.ok(pdfFonts(pdf).every((f) => f.embedded && f.unicode));
});

test('Sổ đăng ký BMNN đến as XLSX: frozen header, widths, real dates, the same values', async () => {
  const rows = incomingRows(120);
  const bytes = await registerXlsx('secret_incoming', rows, OPTS);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  const ws = wb.worksheets[0]!;
  assert.equal(ws.name, 'Sổ đăng ký BMNN đến 2026');
  const view = ws.views[0] as { state: string; ySplit?: number };
  assert.equal(view.state, 'frozen');
  assert.equal(view.ySplit, XLSX_FIRST_DATA_ROW - 1);
  const columns = LAYOUTS.secret_incoming.columns;
  columns.forEach((c, i) => {
    assert.equal(ws.getRow(XLSX_HEADER_ROW).getCell(i + 1).value, c.title);
    assert.equal(ws.getColumn(i + 1).width, c.width + 3);
  });
  assert.equal(ws.getCell(2, 1).value, 'SỔ ĐĂNG KÝ BÍ MẬT NHÀ NƯỚC ĐẾN');
  assert.equal(ws.rowCount, XLSX_FIRST_DATA_ROW - 1 + 120);
  rows.forEach((r, i) => {
    const row = ws.getRow(XLSX_FIRST_DATA_ROW + i);
    const arrival = row.getCell(1);
    assert.ok(arrival.value instanceof Date, 'a real date');
    assert.equal((arrival.value as Date).toISOString().slice(0, 10), r.arrivalDate);
    assert.equal(arrival.numFmt, 'dd/mm/yyyy');
    assert.equal(row.getCell(2).value, r.arrivalNumber);
    assert.equal(row.getCell(3).value, r.issuer);
    assert.equal(row.getCell(4).value, r.numberSymbol);
    assert.equal((row.getCell(5).value as Date).toISOString().slice(0, 10), r.documentDate);
    assert.equal(row.getCell(6).value, r.secrecy === 'tuyet_mat' ? 'Quyết định' : `Quyết định: ${r.subject}`);
    assert.equal(row.getCell(7).value, { mat: 'Mật', toi_mat: 'Tối mật', tuyet_mat: 'Tuyệt mật' }[r.secrecy]);
    assert.equal(row.getCell(8).value, r.recipient);
    assert.equal(row.getCell(9).value ?? null, r.acknowledgement);
    assert.equal(row.getCell(10).value ?? null, r.notes);
  });
  // Nowhere in the workbook, not even in a cell off the table.
  ws.eachRow((row) => row.eachCell((cell) => assert.ok(!String(cell.value).includes('mục tiêu trọng yếu'))));
});

test('Sổ quản lý sao, chụp and Sổ chuyển giao BMNN, as PDF and XLSX', async () => {
  const copies: SecretCopyRow[] = Array.from({ length: 45 }, (_, i) => ({
    copyNumber: i + 1, copiedOn: iso(i), typeName: 'Báo cáo', numberSymbol: `${i + 20}/BC-VP`, documentDate: '2026-01-02', issuer: 'Văn phòng Tỉnh ủy',
    subject: i % 3 === 2 ? SECRET_SUBJECT : `Báo cáo số liệu quý ${(i % 4) + 1}`, secrecy: LEVELS[i % 3]!, form: (['sao_y', 'trich_sao', 'sao_luc', 'in', 'chup'] as const)[i % 5]!,
    count: (i % 4) + 1, allowedBy: 'Trần Văn Bình, Chánh Văn phòng', madeBy: 'Nguyễn Thị Hương', recipients: 'Ban Tổ chức', notes: null,
  }));
  const handovers: SecretHandoverRow[] = Array.from({ length: 45 }, (_, i) => ({
    sequence: i + 1, handedOn: iso(i), typeName: 'Công văn', numberSymbol: `${i + 300}-CV/TU`, documentDate: '2026-01-03',
    subject: i % 3 === 2 ? SECRET_SUBJECT : `Chuyển giao tài liệu hội nghị ${i + 1}`, secrecy: LEVELS[i % 3]!, quantity: 2,
    handedBy: 'Nguyễn Thị Hương', receiver: 'Lê Minh Đức, Ban Nội chính', acknowledgement: i % 2 ? `Đã ký số ${vn(iso(i))} 14:05` : null, notes: null,
  }));
  for (const [kind, rows, titles] of [
    ['secret_copies', copies, ['SỔ QUẢN LÝ SAO, CHỤP BÍ MẬT NHÀ NƯỚC', 'Người cho phép sao, chụp', 'Hình thức sao, chụp', '(11)']],
    ['secret_handover', handovers, ['SỔ CHUYỂN GIAO BÍ MẬT NHÀ NƯỚC', 'Người giao', 'Ký nhận', '(10)']],
  ] as const) {
    const pages = pdfTextPages(await registerPdf(kind, rows as never, OPTS));
    assert.ok(pages.length >= 3, `${kind}: ${pages.length} pages`);
    const flat = pages.map((p) => p.replace(/\s+/g, ' '));
    for (const t of titles) assert.ok(flat.slice(1).every((p) => p.includes(t) || t.startsWith('SỔ')), `${kind}: “${t}” on every table page`);
    assert.ok(flat[0]!.includes(titles[0]));
    const all = flat.join(' ');
    assert.ok(!all.includes('mục tiêu trọng yếu'), `${kind}: no Tuyệt mật subject`);
    for (const r of rows) assert.ok(all.includes(r.numberSymbol), `${kind}: ${r.numberSymbol}`);

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await registerXlsx(kind, rows as never, OPTS)) as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    const layout = LAYOUTS[kind];
    rows.forEach((r, i) => {
      const row = ws.getRow(XLSX_FIRST_DATA_ROW + i);
      layout.columns.forEach((c, j) => {
        const want = c.cell(r as never);
        const got = row.getCell(j + 1).value;
        if (want === null) assert.equal(got ?? null, null);
        else if ('date' in want) assert.equal((got as Date).toISOString().slice(0, 10), want.date);
        else if ('number' in want) assert.equal(got, want.number);
        else assert.equal(got, want.text);
      });
      assert.ok(!String(row.getCell(4).value).includes('mục tiêu trọng yếu'));
    });
  }
  // The form of a copy is worded as the law names it.
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(await registerXlsx('secret_copies', copies, OPTS)) as unknown as ArrayBuffer);
  assert.deepEqual([0, 1, 2, 3, 4].map((i) => wb.worksheets[0]!.getRow(XLSX_FIRST_DATA_ROW + i).getCell(6).value), ['Sao y', 'Trích sao', 'Sao lục', 'In', 'Chụp']);
});

test('an empty period still gives the cover and the header; bad input is refused with the row', async () => {
  const pages = pdfTextPages(await registerPdf('secret_incoming', [], { ...OPTS, period: { from: '2026-03-01', to: '2026-03-31' } }));
  assert.equal(pages.length, 2);
  assert.ok(pages[1]!.includes('Không có mục nào trong khoảng thời gian này.'));

  const rows = incomingRows(5);
  const refuse = async (p: Promise<unknown>, key: string, params?: object) => {
    const e = await p.then(() => assert.fail('expected a refusal'), (x: unknown) => x);
    assert.ok(e instanceof DeskError);
    assert.equal(e.code, 'VALIDATION');
    assert.equal(e.key, key);
    if (params) assert.deepEqual(e.params, params);
  };
  for (const out of [registerPdf, registerXlsx] as const) {
    await refuse(out('secret_incoming', rows.map((r, i) => (i === 2 ? { ...r, arrivalDate: '2026-02-30' } : r)), OPTS), 'report.badDate', { row: 3 });
    await refuse(out('secret_incoming', rows.map((r, i) => (i === 3 ? { ...r, numberSymbol: ' ' } : r)), OPTS), 'report.badRow', { row: 4 });
    await refuse(out('secret_incoming', rows.map((r, i) => (i === 0 ? { ...r, secrecy: 'thuong' as never } : r)), OPTS), 'report.badRow', { row: 1 });
    await refuse(out('secret_incoming', rows, { ...OPTS, period: { from: '2026-12-31', to: '2026-01-01' } }), 'report.badPeriod');
    await refuse(out('secret_incoming', rows, { ...OPTS, unitName: '' }), 'field.required');
    await refuse(out('secret_incoming', rows, { ...OPTS, year: 1800 }), 'year.invalid');
    await refuse(out('secret_incoming', new Array(100_001).fill(rows[0]), OPTS), 'report.tooManyRows', { rows: 100_001, max: 100_000 });
  }
});
