import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatNumberSymbol, parseNumberSymbol } from '../../common/numberSymbol';

test('parses the state form 15/QĐ-UBND', () => {
  const r = parseNumberSymbol('15/QĐ-UBND');
  assert.ok(r.ok);
  assert.deepEqual(r.value, { form: 'state', number: 15, notation: 'QĐ-UBND', typeCode: 'QĐ' });
  assert.equal(formatNumberSymbol(r.value), '15/QĐ-UBND');
});

test('parses state công văn and legal documents with a year', () => {
  const cv = parseNumberSymbol('123/UBND-VP');
  assert.ok(cv.ok && cv.value.form === 'state' && cv.value.notation === 'UBND-VP');
  const nd = parseNumberSymbol('07/2026/NĐ-CP');
  assert.ok(nd.ok);
  assert.equal(nd.value.year, 2026);
  assert.equal(formatNumberSymbol(nd.value), '07/2026/NĐ-CP');
});

test('parses the party form 27-QĐ/TW and pads numbers below 10', () => {
  const r = parseNumberSymbol(' 7-KH/TU ');
  assert.ok(r.ok);
  assert.deepEqual(r.value, { form: 'party', number: 7, notation: 'KH/TU', typeCode: 'KH' });
  assert.equal(formatNumberSymbol(r.value), '07-KH/TU');
  const cv = parseNumberSymbol('234-CV/VPTU');
  assert.ok(cv.ok && cv.value.typeCode === 'CV');
});

test('accepts mixed-case type codes of the decree (QyĐ, TTr)', () => {
  assert.ok(parseNumberSymbol('05/QyĐ-UBND').ok);
  assert.ok(parseNumberSymbol('12/TTr-SNV').ok);
});

test('refuses malformed number-symbols with a specific Vietnamese reason', () => {
  const cases: Array<[string, RegExp]> = [
    ['', /Chưa nhập/],
    ['abc', /bắt đầu bằng số/],
    ['15', /Thiếu ký hiệu/],
    ['15/', /không đúng dạng/],
    ['15-QĐ', /không đúng dạng/],
    ['15/QĐ--UBND', /không đúng dạng/],
    ['15/QĐ-UBND; DROP', /không đúng dạng/],
    ['1'.repeat(60), /tối đa 50/],
  ];
  for (const [input, reason] of cases) {
    const r = parseNumberSymbol(input);
    assert.equal(r.ok, false, input);
    if (!r.ok) assert.match(r.reason, reason, input);
  }
});
