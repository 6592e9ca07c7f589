import assert from 'node:assert/strict';
import { test } from 'node:test';
import { numberSymbolKey } from '../../common/numberSymbol';
import { exactScore, highlightRanges, parseSearchQuery } from '../../common/searchQuery';

const marked = (text: string, query: string) => highlightRanges(text, parseSearchQuery(query)).map(([a, b]) => text.slice(a, b));

test('a number-symbol in the query is read as one, with its key; the label "số" is dropped', () => {
  const q = parseSearchQuery('1/2024/NĐ-CP');
  assert.equal(q.symbol?.key, numberSymbolKey('01/2024/NĐ-CP'));
  assert.equal(q.symbol?.prefix, true);
  assert.deepEqual(q.symbol?.tokens, ['1', '2024', 'nd', 'cp']);
  assert.deepEqual(q.words, []);
  const labelled = parseSearchQuery('Số: 27-QĐ/TW kế hoạch');
  assert.equal(labelled.symbol?.key, numberSymbolKey('27-QĐ/TW'));
  assert.equal(labelled.symbol?.prefix, false);
  assert.deepEqual(labelled.words, ['ke', 'hoach']);
  assert.deepEqual(labelled.lastPrefix, ['hoach']);
  // A party symbol typed with a slash is looked up as what it stands for.
  assert.equal(parseSearchQuery('27/QĐ/TW').symbol?.key, numberSymbolKey('27-QĐ/TW'));
  // Words, dates and bare numbers are not symbols.
  for (const words of ['dien tu', 'qd-ubnd', '12/03/2024', '2026', '15 qd']) assert.equal(parseSearchQuery(words).symbol, undefined, words);
});

test('words typed with diacritics are kept for ranking; the last one is a prefix', () => {
  const q = parseSearchQuery('Hòa bình');
  assert.deepEqual(q.words, ['hoa', 'binh']);
  assert.equal(q.exact.length, 2);
  assert.deepEqual(q.exact.map((e) => e.prefix), [false, true]);
  assert.deepEqual(parseSearchQuery('hoa binh').exact, []);
  assert.ok(exactScore(parseSearchQuery('hòa'), 'Ủy ban nhân dân tỉnh Hoà Bình') > exactScore(parseSearchQuery('hòa'), 'Kế hoạch công tác năm'));
  assert.equal(exactScore(parseSearchQuery('hòa'), 'Kế hoạch công tác năm'), 0);
  assert.equal(exactScore(parseSearchQuery('kỹ thuật'), 'Hạ tầng kĩ thuật'), 4);
  // A whole word counts more than the beginning of one (the word still being typed).
  assert.ok(exactScore(parseSearchQuery('hòa'), 'Hòa Bình') > exactScore(parseSearchQuery('hòa'), 'Hoàn thiện'));
  assert.ok(exactScore(parseSearchQuery('hòa'), 'Hoàn thiện') > 0);
});

test('highlights every word the search finds, folded, and the word being typed by its beginning', () => {
  assert.deepEqual(marked('Về việc triển khai chính quyền điện tử', 'dien tu'), ['điện', 'tử']);
  // "t" is still being typed: every word it begins is found, so every one is marked.
  assert.deepEqual(marked('Về việc triển khai chính quyền điện tử', 'dien t'), ['triển', 'điện', 'tử']);
  assert.deepEqual(marked('Đảng ủy Khối các cơ quan', 'ĐẢNG'), ['Đảng']);
  assert.deepEqual(marked('Hạ tầng kĩ thuật đô thị', 'kỹ thuật'), ['kĩ', 'thuật']);
  assert.deepEqual(marked('Quyết định về quy hoạch', 'quy'), ['Quyết', 'quy']);
  assert.deepEqual(marked('Kế hoạch', 'xyz'), []);
  assert.deepEqual(marked('', 'dien'), []);
  // Offsets are into the text as given, decomposed (NFD) text included.
  const nfd = 'Điện tử'.normalize('NFD');
  assert.deepEqual(marked(nfd, 'dien'), ['Điện'.normalize('NFD')]);
});

test('highlights a number-symbol as a whole, whatever its zeros and dashes', () => {
  assert.deepEqual(marked('01/2024/NĐ-CP', '1/2024/NĐ-CP'), ['01/2024/NĐ-CP']);
  assert.deepEqual(marked('Thực hiện Nghị định 01/2024/NĐ\u2013CP của Chính phủ', '1/2024/nd-cp'), ['01/2024/NĐ\u2013CP']);
  assert.deepEqual(marked('27-KH/TW', '27-QĐ/TW'), []);
  // While the symbol is typed its last word is a beginning.
  assert.deepEqual(marked('27-QĐ/TW', '27-QĐ/T'), ['27-QĐ/TW']);
});
