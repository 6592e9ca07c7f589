// Readers on small generated sources: a UTF-8 CSV with a BOM, ragged rows and odd titles; a UTF-16
// TSV; a FoxPro table with its .fpt memo (made byte by byte); a workbook with merged data cells and
// a hidden sheet. Each quirk reported where it is.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import ExcelJS from 'exceljs';
import { readSourceBytes } from '../../main/core/import/readers/source';
import { encodeVni } from '../../main/core/import/encodings/vni';

test('CSV: BOM, ragged rows, an empty and a repeated title', async () => {
  const text = '\ufeffSố ký hiệu,Trích yếu,,Trích yếu\n1/CV-UBND,Về việc A,x,y\n2/CV-UBND,Về việc B\n3/CV-UBND,Về việc C,x,y,z\n';
  const src = await readSourceBytes(Buffer.from(text, 'utf8'), 'a.csv');
  assert.deepEqual(src.tables[0]!.headers, ['Số ký hiệu', 'Trích yếu', 'Cột 3', 'Trích yếu (2)']);
  assert.deepEqual(src.quirks, [
    { code: 'bom', sheet: 'a.csv', detail: 'utf8' },
    { code: 'delimiterDetected', sheet: 'a.csv', detail: 'dấu phẩy' },
    { code: 'emptyHeader', sheet: 'a.csv', column: 'Cột 3' },
    { code: 'duplicateHeader', sheet: 'a.csv', column: 'Trích yếu' },
    { code: 'raggedRow', sheet: 'a.csv', row: 3, detail: '2/4' },
    { code: 'raggedRow', sheet: 'a.csv', row: 4, detail: '5/4' },
  ]);
  assert.equal(src.tables[0]!.rows[1]!.cells['Cột 3']!.text, '');
});

test('UTF-16 LE TSV without a BOM', async () => {
  const src = await readSourceBytes(Buffer.from('Số ký hiệu\tTrích yếu\n5/TB-UBND\tThông báo lịch trực Tết\n', 'utf16le'), 'b.tsv');
  assert.equal(src.encoding, 'utf16le');
  assert.equal(src.tables[0]!.rows[0]!.cells['Trích yếu']!.text, 'Thông báo lịch trực Tết');
});

test('FoxPro table with an .fpt memo in VNI', async () => {
  const memoText = encodeVni('Về việc điều chỉnh quy hoạch sử dụng đất');
  // .fpt: header block (next free block BE at 0, block size BE at 6 = 64), memo at block 8: type 1, length, text.
  const fpt = Buffer.alloc(8 * 64 + 8 + memoText.length);
  fpt.writeUInt32BE(9, 0);
  fpt.writeUInt16BE(64, 6);
  fpt.writeUInt32BE(1, 8 * 64);
  fpt.writeUInt32BE(memoText.length, 8 * 64 + 4);
  memoText.copy(fpt, 8 * 64 + 8);
  const fields: Array<[string, string, number]> = [['SOKH', 'C', 12], ['NOIDUNG', 'M', 10]];
  const headerLength = 32 + 32 * fields.length + 1;
  const recordLength = 1 + 12 + 10;
  const h = Buffer.alloc(headerLength);
  h[0] = 0xf5;
  h.writeUInt32LE(1, 4);
  h.writeUInt16LE(headerLength, 8);
  h.writeUInt16LE(recordLength, 10);
  h[29] = 0x03;
  fields.forEach(([n, t, l], i) => { h.write(n, 32 + 32 * i, 'latin1'); h[32 + 32 * i + 11] = t.charCodeAt(0); h[32 + 32 * i + 16] = l; });
  h[headerLength - 1] = 0x0d;
  const rec = Buffer.alloc(recordLength, 0x20);
  rec.write('9/QĐ-UBND'.replace('Đ', 'D'), 1, 'latin1');
  rec.write('8'.padStart(10, ' '), 13, 'latin1');
  const src = await readSourceBytes(Buffer.concat([h, rec]), 'VB.DBF', {}, { kind: 'fpt', bytes: fpt });
  assert.equal(src.format, 'dbf');
  assert.equal(src.encoding, 'vni');
  assert.equal(src.tables[0]!.rows[0]!.cells.NOIDUNG!.text, 'Về việc điều chỉnh quy hoạch sử dụng đất');
  assert.deepEqual(src.quirks.map((q) => q.code), ['codePageByte', 'memoField', 'encodingDetected']);
});

test('XLSX: merged data cells read the merged value; a hidden sheet is read and reported', async () => {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Sổ');
  ws.addRow(['Số ký hiệu', 'Cơ quan ban hành', 'Trích yếu']);
  ws.addRow(['1/CV-UBND', 'UBND tỉnh', 'A']);
  ws.addRow(['2/CV-UBND', null, 'B']);
  ws.addRow(['3/CV-UBND', null, 'C']);
  ws.mergeCells('B2:B4');
  const hidden = wb.addWorksheet('Cũ', { state: 'hidden' });
  hidden.addRow(['Số ký hiệu', 'Trích yếu']);
  hidden.addRow(['4/CV-UBND', 'D']);
  const src = await readSourceBytes(Buffer.from(await wb.xlsx.writeBuffer()), 'c.xlsx');
  assert.deepEqual(src.tables[0]!.rows.map((r) => r.cells['Cơ quan ban hành']!.text), ['UBND tỉnh', 'UBND tỉnh', 'UBND tỉnh']);
  assert.deepEqual(src.quirks, [
    { code: 'severalSheets', detail: '2' },
    { code: 'mergedCells', sheet: 'Sổ', row: 3, column: 'Cơ quan ban hành', detail: '2' },
    { code: 'hiddenSheet', sheet: 'Cũ' },
  ]);
});
