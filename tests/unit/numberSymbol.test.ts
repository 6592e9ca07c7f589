import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatNumberSymbol, numberSymbolKey, parseNumberSymbol, type NumberSymbolResult } from '../../common/numberSymbol';

const ok = (input: string) => {
  const r = parseNumberSymbol(input);
  assert.ok(r.ok && r.verdict === 'ok', `${JSON.stringify(input)} should be accepted: ${JSON.stringify(r)}`);
  return r.value;
};

test('parses the state form 15/QĐ-UBND', () => {
  const v = ok('15/QĐ-UBND');
  assert.deepEqual(v, { form: 'state', number: 15, notation: 'QĐ-UBND', typeCode: 'QĐ', text: '15/QĐ-UBND', key: '0000015-qd-ubnd' });
  assert.equal(formatNumberSymbol(v), '15/QĐ-UBND');
});

test('parses state công văn and legal documents with a year', () => {
  const cv = ok('123/UBND-VP');
  assert.equal(cv.form, 'state');
  assert.equal(cv.notation, 'UBND-VP');
  const nd = ok('07/2026/NĐ-CP');
  assert.equal(nd.year, 2026);
  assert.equal(nd.typeCode, 'NĐ');
  assert.equal(formatNumberSymbol(nd), '07/2026/NĐ-CP');
});

test('parses the party form 27-QĐ/TW; the canonical text pads numbers below 10', () => {
  const v = ok(' 7-KH/TU ');
  assert.deepEqual(v, { form: 'party', number: 7, notation: 'KH/TU', typeCode: 'KH', text: '7-KH/TU', key: '0000007-kh-tu' });
  assert.equal(formatNumberSymbol(v), '07-KH/TU');
  assert.equal(ok('234-CV/VPTU').typeCode, 'CV');
});

test('accepts mixed-case type codes of the decree (QyĐ, TTr)', () => {
  assert.equal(ok('05/QyĐ-UBND').typeCode, 'QyĐ');
  assert.equal(ok('12/TTr-SNV').typeCode, 'TTr');
});

test('accepts number-symbols as they are really written, and keeps them as typed', () => {
  const cases: Array<[string, { text: string; key: string; typeCode?: string; form: string }]> = [
    // A drafting-unit suffix on a party công văn.
    ['5053-CV/VPTW/nb', { text: '5053-CV/VPTW/nb', key: '0005053-cv-vptw-nb', typeCode: 'CV', form: 'party' }],
    // The label printed before it.
    ['Số: 15/QĐ-UBND', { text: 'Số: 15/QĐ-UBND', key: '0000015-qd-ubnd', typeCode: 'QĐ', form: 'state' }],
    // A law: the label names the type, the symbol does not.
    ['Luật số 117/2025/QH15', { text: 'Luật số 117/2025/QH15', key: '0000117-2025-qh15', typeCode: 'Luật', form: 'state' }],
    ['02/2016/TTLT-BTC-BNV', { text: '02/2016/TTLT-BTC-BNV', key: '0000002-2016-ttlt-btc-bnv', typeCode: 'TTLT', form: 'state' }],
    ['01/2024/NĐ-CP', { text: '01/2024/NĐ-CP', key: '0000001-2024-nd-cp', typeCode: 'NĐ', form: 'state' }],
    // A copy has its own number and symbol.
    ['12/SY-VP', { text: '12/SY-VP', key: '0000012-sy-vp', typeCode: 'SY', form: 'state' }],
    // An en dash and a non-breaking hyphen from a word processor.
    ['15/QĐ\u2013UBND', { text: '15/QĐ\u2013UBND', key: '0000015-qd-ubnd', typeCode: 'QĐ', form: 'state' }],
    ['27\u2011QĐ/TW', { text: '27\u2011QĐ/TW', key: '0000027-qd-tw', typeCode: 'QĐ', form: 'party' }],
    // Ð (U+00D0, Icelandic eth) left by a legacy-font conversion looks like Đ and is one.
    ['15/Q\u00D0-UBND', { text: '15/Q\u00D0-UBND', key: '0000015-qd-ubnd', typeCode: 'QĐ', form: 'state' }],
    // Fullwidth slash, NBSP, zero-width characters: what cannot be seen is dropped, the rest kept.
    ['15\uFF0FQĐ-UBND', { text: '15\uFF0FQĐ-UBND', key: '0000015-qd-ubnd', typeCode: 'QĐ', form: 'state' }],
    ['\u00A015/QĐ-UBND\u00A0', { text: '15/QĐ-UBND', key: '0000015-qd-ubnd', typeCode: 'QĐ', form: 'state' }],
    ['\u200B15/QĐ-\u200DUBND\uFEFF', { text: '15/QĐ-UBND', key: '0000015-qd-ubnd', typeCode: 'QĐ', form: 'state' }],
    ['Số:\u00A015/QĐ-UBND', { text: 'Số: 15/QĐ-UBND', key: '0000015-qd-ubnd', typeCode: 'QĐ', form: 'state' }],
    // Trailing punctuation copied out of a sentence.
    ['15/QĐ-UBND.', { text: '15/QĐ-UBND.', key: '0000015-qd-ubnd', typeCode: 'QĐ', form: 'state' }],
    ['27-QĐ/TW;', { text: '27-QĐ/TW;', key: '0000027-qd-tw', typeCode: 'QĐ', form: 'party' }],
  ];
  for (const [input, want] of cases) {
    const v = ok(input);
    assert.equal(v.text, want.text, input);
    assert.equal(v.key, want.key, input);
    assert.equal(v.typeCode, want.typeCode, input);
    assert.equal(v.form, want.form, input);
  }
});

test('a state công văn is of type Công văn, not of its issuer', () => {
  const v = ok('1234/UBND-VX');
  assert.equal(v.typeCode, 'CV');
  assert.notEqual(v.typeCode, 'UBND');
  assert.equal(ok('88/BC-STTTT').typeCode, 'BC');
  // With a year and no type code the symbol does not tell (a law or a resolution of the National Assembly).
  assert.equal(ok('117/2025/QH15').typeCode, undefined);
});

test('TT is Thông tư in a state symbol and Thông tri in a party one; QĐi is Quy định', () => {
  assert.equal(ok('01/2024/TT-BTC').typeCode, 'TT');
  assert.equal(ok('05-TT/TW').typeCode, 'Thông tri');
  assert.equal(ok('01-QĐi/TW').typeCode, 'QyĐ');
  assert.equal(ok('12-KL/TW').typeCode, 'KL');
  assert.equal(ok('Nghị định số 01/2024/NĐ-CP').typeCode, 'NĐ');
});

test('refuses what is not a number-symbol, each with its reason', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['', 'empty', /Chưa nhập/],
    ['   \u200B ', 'empty', /Chưa nhập/],
    ['abc', 'no_number', /bắt đầu bằng số/],
    ['15', 'no_notation', /Thiếu ký hiệu/],
    ['15/', 'no_notation', /Thiếu ký hiệu/],
    ['12/03/2024', 'date', /là một ngày/],
    ['15/2024', 'no_notation', /chỉ có chữ số/],
    ['1/2', 'no_notation', /chỉ có chữ số/],
    ['0/QĐ-UBND', 'zero', /từ 1/],
    ['000/QĐ-UBND', 'zero', /từ 1/],
    ['15/QĐ-UBND; DROP', 'bad_character', /“;”/],
    ['12345678/QĐ-UBND', 'number_too_long', /7 chữ số/],
    ['1'.repeat(60), 'too_long', /tối đa 50/],
  ];
  for (const [input, code, reason] of cases) {
    const r = parseNumberSymbol(input);
    assert.equal(r.ok, false, input);
    if (r.ok) continue;
    assert.equal(r.verdict, 'refused', input);
    assert.equal(r.code, code, input);
    assert.match(r.reason, reason, input);
  }
});

test('a party symbol typed with a slash gets a suggestion; other unknown shapes a warning, as written', () => {
  const warn = (input: string): Extract<NumberSymbolResult, { verdict: 'warning' }> => {
    const r = parseNumberSymbol(input);
    assert.ok(r.ok && r.verdict === 'warning', `${input}: ${JSON.stringify(r)}`);
    return r;
  };
  const slash = warn('27/QĐ/TW');
  assert.equal(slash.code, 'party_slash');
  assert.equal(slash.suggestion, '27-QĐ/TW');
  assert.match(slash.reason, /có phải 27-QĐ\/TW\?/);
  // Registered as written, but found and compared as what it stands for.
  assert.equal(slash.value.text, '27/QĐ/TW');
  assert.equal(slash.value.key, ok('27-QĐ/TW').key);
  assert.equal(slash.value.typeCode, 'QĐ');
  const doubled = warn('15/QĐ--UBND');
  assert.equal(doubled.code, 'repeated_separator');
  assert.equal(doubled.suggestion, '15/QĐ-UBND');
  // A shape no form has: accepted with a warning and no suggestion (the register records what arrived).
  for (const input of ['15-QĐ', '15/QĐ.UBND', '15 QĐ-UBND']) {
    const other = warn(input);
    assert.equal(other.code, 'unknown_shape', input);
    assert.equal(other.suggestion, undefined, input);
    assert.equal(other.value.form, 'other', input);
    assert.match(other.reason, /Vẫn vào sổ được/, input);
  }
  // A state symbol with a slash where a known party type is not is not mistaken for one.
  assert.equal(warn('15/ABC/XYZ').code, 'unknown_shape');
});

test('3/CĐ-TTg and 03/CĐ-TTg have one key; other symbols do not share it', () => {
  const key = numberSymbolKey('3/CĐ-TTg');
  assert.ok(key);
  for (const same of ['03/CĐ-TTg', '003/cđ-ttg', '3/C\u00D0\u2013TTg', 'Số: 03/CĐ-TTg.', '3\uFF0FCĐ-TTg']) assert.equal(numberSymbolKey(same), key, same);
  for (const other of ['30/CĐ-TTg', '3/CĐ-UBND', '3-CĐ/TTg/x', '13/CĐ-TTg']) assert.notEqual(numberSymbolKey(other), key, other);
  assert.equal(numberSymbolKey('1/2024/NĐ-CP'), numberSymbolKey('01/2024/NĐ-CP'));
  assert.notEqual(numberSymbolKey('27-QĐ/TW'), numberSymbolKey('27-KH/TW'));
  assert.equal(numberSymbolKey('12/03/2024'), null);
  // Keys sort by number.
  const keys = ['100/QĐ-UBND', '9/QĐ-UBND', '20/QĐ-UBND'].map((s) => numberSymbolKey(s)!);
  assert.deepEqual([...keys].sort(), [keys[1], keys[2], keys[0]]);
});
