import assert from 'node:assert/strict';
import { test } from 'node:test';
import { foldVietnamese, ftsQueryFromInput, searchTokens } from '../../common/vietnamese';

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
