// The importer's normalisers: dates however registers wrote them, number-symbols in both forms and
// with what typing adds, secrecy and urgency however people wrote them, delimiters and headers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectDelimiter } from '../../main/core/import/readers/csv';
import { findHeaderRow } from '../../main/core/import/readers/header';
import { excelSerialToIso, normaliseDate } from '../../main/core/import/normalise/dates';
import { normaliseSecrecy, normaliseUrgency } from '../../main/core/import/normalise/levels';
import { normaliseNumberSymbol } from '../../main/core/import/normalise/numberSymbol';
import { suggestMapping } from '../../main/core/import/mapping';

const date = (text: string, extra: object = {}) => normaliseDate({ text, ...extra }, { pivot: 50 });

test('dates: dd/mm/yyyy, d/m/yy with the pivot, ISO, ddmmyyyy, Excel serials, written in words', () => {
  assert.deepEqual(date('05/03/2019'), { ok: true, value: '2019-03-05' });
  assert.deepEqual(date('5.3.2019'), { ok: true, value: '2019-03-05' });
  assert.deepEqual(date('5/3/19'), { ok: true, value: '2019-03-05', warning: { code: 'twoDigitYear', detail: '19 → 2019' } });
  assert.deepEqual(date('5/3/98'), { ok: true, value: '1998-03-05', warning: { code: 'twoDigitYear', detail: '98 → 1998' } });
  assert.deepEqual(date('2019-03-05'), { ok: true, value: '2019-03-05' });
  assert.deepEqual(date('2019-03-05T00:00:00Z'), { ok: true, value: '2019-03-05' });
  assert.deepEqual(date('05032019'), { ok: true, value: '2019-03-05' });
  assert.deepEqual(date('Hà Nội, ngày 05 tháng 3 năm 2019'), { ok: true, value: '2019-03-05' });
  assert.deepEqual(date('ngày 5 tháng 3 năm 2019'), { ok: true, value: '2019-03-05' });
  assert.deepEqual(date('43529', { number: 43529 }), { ok: true, value: '2019-03-05', warning: { code: 'excelSerialDate', detail: '43529' } });
  assert.deepEqual(date('43529'), { ok: true, value: '2019-03-05', warning: { code: 'excelSerialDate', detail: '43529' } });
  assert.deepEqual(date('07/13/2019'), { ok: true, value: '2019-07-13', warning: { code: 'monthFirst', detail: '07/13/2019' } });
  assert.deepEqual(date('2019-03-05', { date: '2019-03-05' }), { ok: true, value: '2019-03-05' });
  assert.deepEqual(date(''), { ok: true, value: null });
  assert.equal(date('31/02/2019').ok, false);
  assert.equal(date('32/03/2019').ok, false);
  assert.equal(date('hôm qua').ok, false);
  assert.deepEqual(date('', { formula: 'B2+1' }), { ok: false, code: 'formulaNotTrusted', detail: '=B2+1' });
  // Excel's 1900 system: serial 1 is 1900-01-01, 61 is 1900-03-01 (after the 29 February that never was).
  assert.equal(excelSerialToIso(1), '1900-01-01');
  assert.equal(excelSerialToIso(61), '1900-03-01');
  assert.equal(excelSerialToIso(45658), '2025-01-01');
});

test('number-symbols: both forms, the label, a space for the hyphen, dashes and Ð from legacy fonts', () => {
  const sym = (s: string) => { const r = normaliseNumberSymbol(s); return r.ok ? [r.value.text, r.value.key] : [r.code]; };
  assert.deepEqual(sym('12/QĐ-UBND'), ['12/QĐ-UBND', '0000012-qd-ubnd']);
  assert.deepEqual(sym('Số: 12/QĐ-UBND'), ['12/QĐ-UBND', '0000012-qd-ubnd']);
  assert.deepEqual(sym('27-QĐ/TW'), ['27-QĐ/TW', '0000027-qd-tw']);
  assert.deepEqual(sym('Số 27 QĐ/TW'), ['27-QĐ/TW', '0000027-qd-tw']);
  // What was typed is kept (the en dash too); the key compares.
  assert.deepEqual(sym('12 / QĐ – UBND'), ['12/QĐ–UBND', '0000012-qd-ubnd']);
  assert.deepEqual(sym('012/QÐ-UBND'), ['012/QÐ-UBND', '0000012-qd-ubnd']);
  assert.deepEqual(sym('01/2024/NĐ-CP')[1], '0000001-2024-nd-cp');
  assert.deepEqual(sym(''), ['missingNumberSymbol']);
  assert.deepEqual(sym('không số'), ['badNumberSymbol']);
});

test('secrecy and urgency however written', () => {
  const s = (t: string) => { const r = normaliseSecrecy(t); return r.ok ? r.value : r.code; };
  for (const t of ['MẬT', 'mat', 'Mật', 'M', 'Độ Mật']) assert.equal(s(t), 'mat', t);
  for (const t of ['Tối mật', 'TỐI MẬT', 'TM', 'toi mat']) assert.equal(s(t), 'toi_mat', t);
  for (const t of ['Tuyệt mật', 'TUYỆT MẬT', 'TuM']) assert.equal(s(t), 'tuyet_mat', t);
  for (const t of ['', 'Thường', 'Không', 'Bình thường']) assert.equal(s(t), 'thuong', t);
  assert.equal(s('Mật, Khẩn'), 'mat');
  assert.equal(s('bí mật quốc gia'), 'badSecrecy');
  assert.deepEqual(normaliseSecrecy('B'), { ok: true, value: 'toi_mat', warning: { code: 'oldSecrecyGrade', detail: 'B' } });
  const u = (t: string) => { const r = normaliseUrgency(t); return r.ok ? r.value : r.code; };
  for (const t of ['khẩn', 'KHẨN', 'K', 'Khẩn cấp']) assert.equal(u(t), 'khan', t);
  for (const t of ['Thượng khẩn', 'TK']) assert.equal(u(t), 'thuong_khan', t);
  for (const t of ['Hỏa tốc', 'HỎA TỐC', 'hoả tốc', 'HT', 'Hỏa tốc hẹn giờ']) assert.equal(u(t), 'hoa_toc', t);
  assert.equal(u('Mật - Khẩn'), 'khan');
  assert.equal(u(''), 'thuong');
  assert.equal(u('gấp lắm'), 'badUrgency');
});

test('delimiters, the header row under title rows, a mapping suggested from usual titles', () => {
  assert.equal(detectDelimiter('a;b;c\n1;"x;y";3\n'), ';');
  assert.equal(detectDelimiter('a\tb\tc\n1\t2, 3\t4\n'), '\t');
  assert.equal(detectDelimiter('a|b|c\n1|2|3\n'), '|');
  assert.equal(detectDelimiter('a,b,c\n1,"2;3",4\n'), ',');
  assert.equal(findHeaderRow([['SỔ ĐĂNG KÝ VĂN BẢN ĐẾN', '', '', ''], ['Năm 2019', '', '', ''], ['Số đến', 'Ngày đến', 'Số, ký hiệu', 'Trích yếu'], ['1', '2', '3', '4']]), 2);
  const m = suggestMapping(['STT', 'Ngày đến', 'Số đến', 'Tác giả', 'Số, ký hiệu', 'Ngày tháng văn bản', 'Tên loại và trích yếu nội dung', 'Đơn vị hoặc người nhận', 'Ghi chú']);
  assert.deepEqual(m.columns.map((c) => [c.source, c.field]), [
    ['Ngày đến', 'arrivalDate'], ['Số đến', 'arrivalNumber'], ['Tác giả', 'issuer'], ['Số, ký hiệu', 'numberSymbol'],
    ['Ngày tháng văn bản', 'documentDate'], ['Tên loại và trích yếu nội dung', 'subject'], ['Đơn vị hoặc người nhận', 'recipients'], ['Ghi chú', 'notes'],
  ]);
});
