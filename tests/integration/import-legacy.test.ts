// The legacy import on a generated archive (tests/helpers/legacyArchive.ts): every planted quirk is
// reported exactly, each row gets the status and reasons expected, the job registers the good rows
// through the register (numbers, compartments, search) and a second run imports nothing twice.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import ExcelJS from 'exceljs';
import { resolveFile } from '../../main/core/import/files';
import { loadMapping, parseMapping, saveMapping, suggestMapping, type Mapping } from '../../main/core/import/mapping';
import { readSource } from '../../main/core/import/readers/source';
import { reportWorkbook } from '../../main/core/import/reportXlsx';
import type { Actor } from '../../main/core/org/rights';
import { addUnit } from '../../main/core/org/units';
import { addActor, newDesk, tempDir } from '../helpers/desk';
import { writeLegacyArchive, writePdf } from '../helpers/legacyArchive';

let env: Awaited<ReturnType<typeof newDesk>>;
let work: ReturnType<typeof tempDir>;
let dir: string;
let clerk: Actor;

before(async () => {
  env = await newDesk();
  work = tempDir('securedesk-import-');
  ({ dir } = await writeLegacyArchive(work.dir));
  addUnit(env.desk.db, 'Ủy ban nhân dân tỉnh Quảng Ninh', '000.00.00.H49');
  addUnit(env.desk.db, 'Sở Nội vụ', '000.00.12.H49');
  // A văn thư cleared for Mật: a Tối mật row is above them.
  clerk = addActor(env.desk, 'van_thu', 'mat', 'Trần Văn Nhập');
});
after(() => { env.cleanup(); work.cleanup(); });

const quirksOf = async (file: string) => (await readSource(join(dir, file))).quirks;
const rowsOf = async (file: string, mapping?: Mapping) => {
  const m = mapping ?? suggestMapping((await readSource(join(dir, file))).tables[0]!.headers);
  const report = await env.desk.imports.dryRun(clerk, join(dir, file), m);
  return { report, rows: report.rows.map((r) => [r.sheet, r.row, r.status, r.reasons.map((x) => x.code)]) };
};

test('XLSX register: title rows, merged two-row header, date cells, several sheets, a formula', async () => {
  assert.deepEqual(await quirksOf('so-den.xlsx'), [
    { code: 'severalSheets', detail: '3' },
    { code: 'titleRows', sheet: 'Sổ đến 2019', row: 3, detail: '2' },
    { code: 'mergedHeader', sheet: 'Sổ đến 2019', row: 3 },
    { code: 'twoRowHeader', sheet: 'Sổ đến 2019', row: 3, detail: '3-4' },
    { code: 'dateCell', sheet: 'Sổ đến 2019', row: 5, column: 'Ngày đến', detail: '7' },
    { code: 'formula', sheet: 'Sổ đến 2019', row: 11, column: 'Văn bản / Ngày', detail: '=B11-1' },
    { code: 'dateCell', sheet: 'Sổ đến 2020', row: 2, column: 'Ngày đến', detail: '1' },
  ]);
  const src = await readSource(join(dir, 'so-den.xlsx'));
  assert.deepEqual(src.tables[0]!.headers, ['Số đến', 'Ngày đến', 'Văn bản / Số, ký hiệu', 'Văn bản / Ngày', 'Văn bản / Cơ quan ban hành', 'Trích yếu', 'Độ mật', 'Tệp']);
  // The formula's cached result (12/03/2019) is not taken.
  assert.deepEqual(src.tables[0]!.rows[6]!.cells['Văn bản / Ngày'], { text: '', formula: 'B11-1' });
  const { report, rows } = await rowsOf('so-den.xlsx');
  assert.deepEqual(rows, [
    ['Sổ đến 2019', 5, 'warning', ['excelSerialDate']],
    ['Sổ đến 2019', 6, 'warning', ['numberSymbolCleaned', 'unknownUnit']],
    ['Sổ đến 2019', 7, 'duplicate', ['excelSerialDate', 'duplicateInBatch']],
    ['Sổ đến 2019', 8, 'rejected', ['excelSerialDate', 'aboveClearance']],
    ['Sổ đến 2019', 9, 'rejected', ['excelSerialDate', 'climbsOut']],
    ['Sổ đến 2019', 10, 'rejected', ['excelSerialDate', 'fileLies']],
    ['Sổ đến 2019', 11, 'rejected', ['formulaNotTrusted']],
    ['Sổ đến 2020', 2, 'warning', ['urgencyInSecrecyColumn']],
  ]);
  assert.deepEqual(report.counts, { ok: 0, warning: 3, duplicate: 1, rejected: 4 });
  assert.deepEqual(report.unknownUnits, [{ name: 'Ban Tổ chức Huyện ủy Đông Triều', count: 1, rows: [{ sheet: 'Sổ đến 2019', row: 6 }] }]);
  const r5 = report.rows[0]!.record!;
  // Matched by folded name ("UBND" = "Ủy ban nhân dân"), the serial 43529 read as 05/03/2019, the date cell as 06/03/2019.
  assert.equal(r5.issuer.name, 'Ủy ban nhân dân tỉnh Quảng Ninh');
  assert.equal(r5.documentDate, '2019-03-05');
  assert.equal(r5.arrivalDate, '2019-03-06');
  assert.equal(r5.file?.kind, 'pdf');
  assert.equal(r5.notes, 'Số đến trong sổ cũ: 1');
  assert.equal(report.rows[1]!.record!.numberSymbol, '27-QĐ/TU');
  assert.equal(report.rows[1]!.record!.documentDate, '2019-03-07');
  assert.equal(report.rows[1]!.record!.secrecy, 'mat');
  assert.equal(report.rows[7]!.record!.urgency, 'khan');
  assert.equal(report.rows[7]!.record!.documentDate, '2020-01-02');
});

test('Windows-1258 CSV: detected, ";" detected, a quoted subject over two lines, d/m/yy, month first, a bad date', async () => {
  assert.deepEqual(await quirksOf('cp1258.csv'), [
    { code: 'encodingDetected', sheet: 'cp1258.csv', detail: 'cp1258' },
    { code: 'delimiterDetected', sheet: 'cp1258.csv', detail: 'dấu chấm phẩy' },
    { code: 'quotedNewline', sheet: 'cp1258.csv', row: 2 },
  ]);
  const { report, rows } = await rowsOf('cp1258.csv');
  assert.deepEqual(rows, [
    ['cp1258.csv', 2, 'warning', ['twoDigitYear', 'arrivalFromDocumentDate']],
    ['cp1258.csv', 4, 'warning', ['numberSymbolCleaned', 'arrivalFromDocumentDate']],
    ['cp1258.csv', 5, 'warning', ['monthFirst', 'arrivalFromDocumentDate']],
    ['cp1258.csv', 6, 'rejected', ['badDate']],
  ]);
  const first = report.rows[0]!.record!;
  assert.equal(first.subject, 'Về việc triển khai\r\nchính quyền điện tử'.normalize('NFC'));
  assert.equal(first.subject, first.subject.normalize('NFC'));
  assert.equal(first.urgency, 'hoa_toc');
  assert.equal(report.rows[1]!.record!.secrecy, 'mat');
  assert.equal(report.rows[1]!.record!.urgency, 'thuong_khan');
  assert.equal(report.rows[2]!.record!.documentDate, '2019-07-13');
});

test('TCVN3 TSV and VNI CSV: detected, tab and comma, units by name and by identifier code', async () => {
  assert.deepEqual(await quirksOf('tcvn3.tsv'), [
    { code: 'encodingDetected', sheet: 'tcvn3.tsv', detail: 'tcvn3' },
    { code: 'delimiterDetected', sheet: 'tcvn3.tsv', detail: 'tab' },
  ]);
  const t = await rowsOf('tcvn3.tsv');
  assert.deepEqual(t.rows, [
    ['tcvn3.tsv', 2, 'warning', ['arrivalFromDocumentDate', 'unknownUnit']],
    ['tcvn3.tsv', 3, 'warning', ['arrivalFromDocumentDate', 'unknownUnit']],
  ]);
  assert.equal(t.report.rows[0]!.record!.subject, 'Về việc học tập nghị quyết');
  assert.equal(t.report.rows[0]!.record!.secrecy, 'mat');
  assert.deepEqual(await quirksOf('vni.csv'), [
    { code: 'encodingDetected', sheet: 'vni.csv', detail: 'vni' },
    { code: 'delimiterDetected', sheet: 'vni.csv', detail: 'dấu phẩy' },
  ]);
  const v = await rowsOf('vni.csv');
  assert.deepEqual(v.rows, [['vni.csv', 2, 'warning', ['arrivalFromDocumentDate']], ['vni.csv', 3, 'warning', ['arrivalFromDocumentDate']]]);
  assert.equal(v.report.rows[0]!.record!.subject, 'Kế hoạch tuyển dụng viên chức năm 2019');
  assert.equal(v.report.rows[1]!.record!.issuer.name, 'Sở Nội vụ'); // by its identifier code 000.00.12.H49
});

test('dBase III with a .dbt memo (TCVN3 text), a deleted record; without the memo file, reported', async () => {
  assert.deepEqual(await quirksOf('VANBAN.DBF'), [
    { code: 'memoField', sheet: 'VANBAN.DBF', detail: 'TRICHYEU' },
    { code: 'encodingDetected', sheet: 'VANBAN.DBF', detail: 'tcvn3' },
    { code: 'deletedRecord', sheet: 'VANBAN.DBF', row: 2 },
  ]);
  const d = await rowsOf('VANBAN.DBF');
  assert.deepEqual(d.rows, [['VANBAN.DBF', 1, 'warning', ['arrivalFromDocumentDate']], ['VANBAN.DBF', 3, 'warning', ['arrivalFromDocumentDate']]]);
  assert.equal(d.report.rows[0]!.record!.subject, 'Quyết định phê duyệt đề án chuyển đổi số của tỉnh');
  assert.equal(d.report.rows[0]!.record!.pageCount, 3);
  const memo = readFileSync(join(dir, 'VANBAN.DBT'));
  rmSync(join(dir, 'VANBAN.DBT'));
  try {
    assert.deepEqual((await quirksOf('VANBAN.DBF')).map((q) => q.code), ['memoMissing', 'encodingDetected', 'deletedRecord']);
  } finally {
    writeFileSync(join(dir, 'VANBAN.DBT'), memo);
  }
});

test('path columns: only inside the chosen folder, no links out, files that are what they say', async () => {
  const codes = async (p: string) => { const r = await resolveFile(dir, p); return r.ok ? r.value.kind : r.code; };
  assert.equal(await codes('scans/12-qd.pdf'), 'pdf');
  assert.equal(await codes('scans\\12-qd.pdf'), 'pdf');
  assert.equal(await codes('../ngoai.pdf'), 'climbsOut');
  assert.equal(await codes('scans/../../ngoai.pdf'), 'climbsOut');
  assert.equal(await codes(join(work.dir, 'ngoai.pdf')), 'absolutePath');
  assert.equal(await codes('C:\\Scan\\a.pdf'), 'absolutePath');
  assert.equal(await codes('scans/lien-ket.pdf'), 'symlinkOut');
  assert.equal(await codes('scans/gia.pdf'), 'fileLies');
  assert.equal(await codes('scans/khong-co.pdf'), 'fileMissing');
  assert.equal(await codes('so-den.xlsx'), 'unsupportedFile');
});

test('files matched by a naming rule: found, or the row comes in without one', async () => {
  const path = join(dir, 'vni.csv');
  await writePdf(join(dir, 'scans'), '30_KH-SNV.pdf', '30/KH-SNV', 'Kế hoạch tuyển dụng viên chức năm 2019');
  const m = { ...suggestMapping((await readSource(path)).tables[0]!.headers), files: { pattern: 'scans/{numberSymbol}.pdf' } };
  const { report, rows } = await rowsOf('vni.csv', m);
  assert.deepEqual(rows, [['vni.csv', 2, 'warning', ['arrivalFromDocumentDate']], ['vni.csv', 3, 'warning', ['arrivalFromDocumentDate', 'noFileForRule']]]);
  assert.equal(report.rows[0]!.record!.file?.name, '30_KH-SNV.pdf');
  assert.equal(report.rows[1]!.record!.file, undefined);
});

test('duplicates within a source by number-symbol, issuer and date or by file; an unknown issuer counted on every row, its first 50 named', async () => {
  const sub = join(dir, 'many');
  mkdirSync(join(sub, 'scans'), { recursive: true });
  await writePdf(join(sub, 'scans'), 'a.pdf', '1/CV-X', 'Tệp dùng hai lần');
  await writePdf(join(sub, 'scans'), 'b.pdf', '2/CV-X', 'Tệp khác');
  const lines = ['Số ký hiệu,Ngày văn bản,Cơ quan ban hành,Trích yếu,Tệp'];
  for (let i = 1; i <= 60; i++) lines.push(`${i}/CV-X,01/06/2019,Ban Chưa Có Tên,Công văn ${i},`);
  lines.push('7/CV-X,01/06/2019,Ban Chưa Có Tên,Cùng số cùng ngày với dòng 8,'); // row 62: as row 8
  lines.push('7/CV-X,02/06/2019,Ban Chưa Có Tên,Cùng số nhưng khác ngày,'); // row 63: not a duplicate
  lines.push('100/CV-X,03/06/2019,Sở Nội vụ,Có tệp,scans/a.pdf'); // row 64
  lines.push('101/CV-X,03/06/2019,Sở Nội vụ,Cùng tệp với dòng 64,scans/a.pdf'); // row 65: same file
  lines.push('102/CV-X,03/06/2019,Sở Nội vụ,Tệp khác,scans/b.pdf'); // row 66
  writeFileSync(join(sub, 'nhieu.csv'), lines.join('\n'));
  const path = join(sub, 'nhieu.csv');
  const report = await env.desk.imports.dryRun(clerk, path, suggestMapping((await readSource(path)).tables[0]!.headers));
  const dups = report.rows.filter((r) => r.status === 'duplicate').map((r) => [r.row, r.reasons.find((x) => x.code === 'duplicateInBatch')?.detail]);
  assert.deepEqual(dups, [[62, '8'], [65, '64']]);
  assert.equal(report.counts.duplicate, 2);
  assert.deepEqual(report.unknownUnits.map((u) => [u.name, u.count, u.rows.length, u.rows[0]!.row, u.rows.at(-1)!.row]), [['Ban Chưa Có Tên', 62, 50, 2, 51]]);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(await reportWorkbook(report) as unknown as ArrayBuffer);
  const units = wb.getWorksheet('Đơn vị chưa có')!;
  assert.equal(units.getCell('B2').value, 62);
  assert.equal(String(units.getCell('C2').value).split(', ').length, 50);
});

test('a mapping saves and loads as JSON; a wrong one is refused with where it is wrong', async () => {
  const m = suggestMapping((await readSource(join(dir, 'so-den.xlsx'))).tables[0]!.headers);
  const file = join(work.dir, 'mapping.json');
  await saveMapping(file, { ...m, units: { 'Ban Tổ chức Huyện ủy Đông Triều': 1 } });
  const back = await loadMapping(file);
  assert.deepEqual(back.columns, m.columns);
  assert.deepEqual(back.units, { 'Ban Tổ chức Huyện ủy Đông Triều': 1 });
  assert.throws(() => parseMapping({ version: 1, columns: [{ source: 'A', field: 'khong_co' }] }), (e: Error & { details?: { issues: Array<{ path: string }> } }) =>
    e.details!.issues[0]!.path === 'columns.0.field');
  assert.throws(() => parseMapping({ version: 2, columns: [] }));
});

test('the report exports as a workbook with every row, the quirks and the issuers to map', async () => {
  const { report } = await rowsOf('so-den.xlsx');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(await reportWorkbook(report) as unknown as ArrayBuffer);
  assert.deepEqual(wb.worksheets.map((w) => w.name), ['Kết quả', 'Đặc điểm tệp', 'Đơn vị chưa có']);
  const rows = wb.getWorksheet('Kết quả')!;
  assert.equal(rows.rowCount, 1 + report.rows.length);
  assert.deepEqual([rows.getCell('A8').value, rows.getCell('B8').value, rows.getCell('C8').value], ['Sổ đến 2019', 11, 'Bị từ chối']);
  assert.match(String(rows.getCell('D8').value), /công thức/);
  assert.equal(wb.getWorksheet('Đặc điểm tệp')!.rowCount, 1 + report.quirks.length);
  assert.equal(wb.getWorksheet('Đơn vị chưa có')!.getCell('A2').value, 'Ban Tổ chức Huyện ủy Đông Triều');
});

test('the job registers the good rows through the register; run again, nothing is imported twice', async () => {
  const path = join(dir, 'so-den.xlsx');
  const m = suggestMapping((await readSource(path)).tables[0]!.headers);
  const progress: Array<[number, string]> = [];
  const first = await env.desk.imports.start(clerk, path, m, { batchSize: 3, onProgress: (p) => progress.push([p.handled, p.state]) });
  assert.equal(first.job.state, 'done');
  assert.deepEqual([first.job.total, first.job.imported, first.job.duplicates, first.job.rejected], [8, 3, 1, 4]);
  // After each committed transaction (at least one per batch of 3), then the end: never backwards.
  assert.ok(progress.length >= 4);
  assert.ok(progress.every(([h], i) => i === 0 || h >= progress[i - 1]![0]));
  assert.deepEqual(progress.at(-1), [8, 'done']);
  assert.ok(progress.slice(0, -1).every(([, st]) => st === 'running'));
  const found = env.desk.incoming.list(clerk, { query: 'kien toan ban chi dao', limit: 10, offset: 0, sort: { field: 'arrival', dir: 'desc' } } as never);
  assert.equal(found.length, 1);
  assert.equal(found[0]!.attachmentCount, 1);
  assert.equal(found[0]!.documentDate, '2019-03-05');
  const secret = env.desk.incoming.list(clerk, { secrecy: ['mat'], limit: 10, offset: 0, sort: { field: 'arrival', dir: 'desc' } } as never);
  assert.deepEqual(secret.map((r) => r.numberSymbol), ['27-QĐ/TU']);
  // A second job on the same file: every row already imported is recognised, nothing is added.
  const second = await env.desk.imports.start(clerk, path, m);
  assert.deepEqual([second.job.imported, second.job.duplicates, second.job.rejected], [0, 4, 4]);
  const all = env.desk.incoming.count(clerk, {} as never);
  assert.equal(all.total, 3);
});

test('cancel stops the job between rows; resume finishes it exactly', async () => {
  const path = join(dir, 'VANBAN.DBF');
  const m = suggestMapping((await readSource(path)).tables[0]!.headers);
  const ac = new AbortController();
  ac.abort();
  const stopped = await env.desk.imports.start(clerk, path, m, { signal: ac.signal });
  assert.equal(stopped.cancelled, true);
  assert.equal(stopped.job.state, 'cancelled');
  assert.equal(stopped.job.imported, 0);
  const resumed = await env.desk.imports.resume(clerk, stopped.job.id);
  assert.deepEqual([resumed.job.state, resumed.job.imported], ['done', 2]);
});
