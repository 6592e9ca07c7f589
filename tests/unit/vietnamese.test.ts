import assert from 'node:assert/strict';
import { test } from 'node:test';
import { foldVietnamese, ftsQueryFromInput, hasDiacritics, prefixVariants, searchTokens, spellings } from '../../common/vietnamese';

test('folds tone marks and đ/Đ, which unicode61 cannot', () => {
  assert.equal(foldVietnamese('Điện tử'), 'dien tu');
  assert.equal(foldVietnamese('Đảng ủy Đà Nẵng'), 'dang uy da nang');
  assert.equal(foldVietnamese('TUYỆT MẬT'), 'tuyet mat');
  // Precomposed (NFC) and decomposed (NFD) input fold the same way.
  assert.equal(foldVietnamese('Hỏa tốc'.normalize('NFD')), foldVietnamese('Hỏa tốc'.normalize('NFC')));
  assert.equal(foldVietnamese('Thượng khẩn'), 'thuong khan');
});

test('tokenises on punctuation and keeps digits', () => {
  assert.deepEqual(searchTokens('15/QĐ-UBND, năm 2026'), ['15', 'qd', 'ubnd', 'nam', '2026']);
});

test('FTS expressions quote every word and never pass user syntax through', () => {
  assert.equal(ftsQueryFromInput('dien tu'), '"dien" "tu"*');
  assert.equal(ftsQueryFromInput('Đảng ủy'), '"dang" "uy"*');
  // Operators, column filters, quotes and NEAR are just words or separators after tokenising.
  assert.equal(ftsQueryFromInput('a OR body:x "NEAR(" *'), '"a" "or" "body" "x" "near"*');
  assert.equal(ftsQueryFromInput('   ...  '), null);
  assert.equal(ftsQueryFromInput(''), null);
  const long = Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ');
  assert.equal(ftsQueryFromInput(long)!.split(' ').length, 12);
});

test('Ð (U+00D0) and ð from legacy-font conversion fold to d like Đ', () => {
  assert.equal(foldVietnamese('\u00D0iện tử'), 'dien tu');
  assert.equal(foldVietnamese('\u00F0ảng'), 'dang');
  assert.deepEqual(searchTokens('Q\u00D0-UBND'), searchTokens('QĐ-UBND'));
  // Character by character: the PDF find maps folded text back to the page through it.
  assert.equal(foldVietnamese('\u00D0').length, 1);
});

test('i/y spelling variants match each other: kỹ/kĩ, lý/lí, Mỹ/Mĩ, sĩ/sỹ, quý/quí, ly/li', () => {
  const same: Array<[string, string]> = [
    ['kỹ thuật', 'kĩ thuật'], ['lý luận', 'lí luận'], ['Mỹ Đức', 'Mĩ Đức'], ['sĩ quan', 'sỹ quan'],
    ['tỷ lệ', 'tỉ lệ'], ['hy sinh', 'hi sinh'], ['quý IV', 'quí IV'], ['ly', 'li'], ['kỷ luật', 'kỉ luật'],
  ];
  for (const [a, b] of same) assert.deepEqual(searchTokens(a), searchTokens(b), `${a} / ${b}`);
});

test('y that is not a spelling variant stays y: tuyệt, quyết, yêu, tay, thủy', () => {
  assert.deepEqual(searchTokens('tuyệt mật quyết định yêu cầu'), ['tuyet', 'mat', 'quyet', 'dinh', 'yeu', 'cau']);
  // After a vowel y and i are different words.
  assert.notDeepEqual(searchTokens('tay'), searchTokens('tai'));
  assert.notDeepEqual(searchTokens('thủy'), searchTokens('thui'));
  assert.notDeepEqual(searchTokens('này'), searchTokens('nai'));
  assert.deepEqual(searchTokens('Y tế'), ['y', 'te']);
});

test('a word still being typed covers both spellings: "quy" begins quyết and stands for quý/quí', () => {
  assert.deepEqual(prefixVariants('quy'), ['qui', 'quy']);
  assert.deepEqual(prefixVariants('kỹ'), ['ki', 'ky']);
  assert.deepEqual(prefixVariants('quyê'), ['quye']);
  assert.deepEqual(prefixVariants('dien'), ['dien']);
});

test('numbers are indexed without leading zeros, as in number-symbols', () => {
  assert.deepEqual(searchTokens('01/2024/NĐ-CP'), ['1', '2024', 'nd', 'cp']);
  assert.deepEqual(searchTokens('số 0 và 00'), ['so', '0', 'va', '0']);
});

test('the spellings of a word typed with diacritics: either tone placement, either i/y; marks kept', () => {
  const has = (typed: string, written: string) => spellings(typed).includes(written.normalize('NFC').toLowerCase());
  assert.ok(has('Hòa', 'hoà') && has('hoà', 'hòa') && has('HÒA', 'hòa'));
  assert.ok(has('thủy', 'thuỷ') && has('thuỷ', 'thủy'));
  assert.ok(!has('hòa', 'hoa') && !has('hòa', 'hóa') && !has('hòa', 'hoá'));
  assert.ok(has('kỹ', 'kĩ') && has('kĩ', 'kỹ') && has('sĩ', 'sỹ') && has('Mỹ', 'mĩ') && has('quý', 'quí'));
  assert.ok(!has('tày', 'tài'), 'y after a vowel does not vary');
  assert.ok(has('\u00D0ảng', 'đảng'));
  assert.ok(has('điện', 'điện') && !has('điện', 'điên'));
  assert.ok(hasDiacritics('hòa') && hasDiacritics('Đà') && !hasDiacritics('Hoa') && !hasDiacritics('dien'));
});
