// Legacy Vietnamese encodings: every letter with every tone round-trips through TCVN3, VNI and
// Windows-1258; glibc's iconv (TCVN5712-1, WINDOWS-1258) is the oracle; detection picks the right one.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { decodeAs, decodeText, detectEncoding, type Encoding } from '../../main/core/import/encodings';
import { encodeCp1258 } from '../../main/core/import/encodings/cp1258';
import { encodeTcvn3, TCVN3_TO_UNICODE } from '../../main/core/import/encodings/tcvn3';
import { encodeVni, TONE_MARKS } from '../../main/core/import/encodings/vni';
import { isSyllable } from '../../main/core/import/encodings/syllable';

const VOWELS = ['a', 'ă', 'â', 'e', 'ê', 'i', 'o', 'ô', 'ơ', 'u', 'ư', 'y'];
/** Every vowel with every tone (none + five), and đ: 73 lowercase letters. */
const LOWER = [...VOWELS.flatMap((v) => ['', ...TONE_MARKS].map((t) => `${v}${t}`.normalize('NFC'))), 'đ'];
const UPPER = LOWER.map((l) => l.toUpperCase());
const SENTENCE = 'Ủy ban nhân dân tỉnh Quảng Ninh về việc triển khai chính quyền điện tử, tiếp nhận văn bản đến của Đảng ủy khối';

const iconv = (bytes: Buffer, from: string): string => execFileSync('iconv', ['-f', from, '-t', 'UTF-8'], { input: bytes }).toString('utf8').normalize('NFC');

test('TCVN3: every lowercase letter with every tone round-trips, and glibc iconv reads our bytes the same', () => {
  assert.equal(LOWER.length, 73);
  for (const ch of LOWER) {
    const bytes = encodeTcvn3(ch);
    assert.equal(bytes.length, 1, ch);
    assert.equal(decodeAs(bytes, 'tcvn3'), ch);
    assert.equal(iconv(bytes, 'TCVN5712-1'), ch);
  }
  // The table agrees with iconv on every byte that is not a control.
  const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i).filter((b) => b >= 0x80));
  assert.equal(iconv(all, 'TCVN5712-1'), [...all].map((b) => TCVN3_TO_UNICODE[b]).join('').normalize('NFC'));
});

test('TCVN3: capitals the table has round-trip; the others come back lowercase (capital fonts)', () => {
  let kept = 0;
  for (const ch of UPPER) {
    const back = decodeAs(encodeTcvn3(ch), 'tcvn3');
    if (back === ch) kept++;
    else assert.equal(back, ch.toLowerCase(), ch);
  }
  assert.ok(kept >= 30, `capitals kept: ${kept}`);
});

test('VNI: every letter (both cases) with every tone round-trips', () => {
  for (const ch of [...LOWER, ...UPPER]) assert.equal(decodeAs(encodeVni(ch), 'vni'), ch, ch);
  assert.equal(encodeVni('Việt').toString('latin1'), 'Vieät');
  assert.equal(decodeAs(encodeVni(SENTENCE), 'vni'), SENTENCE);
});

test('Windows-1258: letters written as base + combining tone, stored composed (NFC); iconv agrees', () => {
  for (const ch of [...LOWER, ...UPPER]) {
    const bytes = encodeCp1258(ch);
    const back = decodeAs(bytes, 'cp1258');
    assert.equal(back, ch, ch);
    assert.equal(back.normalize('NFC'), back);
    assert.equal(iconv(bytes, 'WINDOWS-1258'), ch);
  }
  // "ế" is ê + combining acute: two bytes.
  assert.deepEqual([...encodeCp1258('ế')], [0xea, 0xec]);
});

test('UTF-8 with and without BOM, UTF-16 LE/BE with and without BOM: detected, NFC', () => {
  const nfd = SENTENCE.normalize('NFD');
  const cases: Array<[Buffer, Encoding]> = [
    [Buffer.from(nfd, 'utf8'), 'utf8'],
    [Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(SENTENCE, 'utf8')]), 'utf8'],
    [Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(SENTENCE, 'utf16le')]), 'utf16le'],
    [Buffer.from(SENTENCE, 'utf16le'), 'utf16le'],
    [Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(SENTENCE, 'utf16le').swap16()]), 'utf16be'],
    [Buffer.from(SENTENCE, 'utf16le').swap16(), 'utf16be'],
  ];
  for (const [bytes, enc] of cases) {
    const d = decodeText(bytes);
    assert.equal(d.encoding, enc);
    assert.equal(d.text, SENTENCE);
  }
});

test('legacy code pages are told apart by how many words are Vietnamese syllables', () => {
  for (const [enc, bytes] of [['cp1258', encodeCp1258(SENTENCE)], ['tcvn3', encodeTcvn3(SENTENCE)], ['vni', encodeVni(SENTENCE)]] as const) {
    const d = detectEncoding(bytes);
    assert.equal(d.encoding, enc, JSON.stringify(d.scores));
    assert.equal(decodeText(bytes).text, SENTENCE);
  }
});

test('syllables', () => {
  for (const w of ['nghiêng', 'Quyết', 'tuyệt', 'khuya', 'giường', 'đ', 'Ủy', 'ươu']) assert.equal(isSyllable(w), w !== 'đ', w);
  for (const w of ['aáa', 'Vieät', 'ñieän', 'tçnh', 'xyz']) assert.equal(isSyllable(w), false, w);
});
