// The parsed-font cache (pdf/fontCache.ts) serves every document one parse of each font file: a
// document embedding through it after the same parse served other documents (other glyphs, other
// subsets) must come out byte for byte as with a fresh parse, and its text must read back. (Sharing the
// glyph objects too failed this: "Ư" earlier took "U" into a subset as a component without a code point,
// and a later "CV/TU" lost "U" from its ToUnicode map.)
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument } from 'pdf-lib';
import { cachedFontkit } from '../../../main/core/pdf/fontCache';
import { loadFonts } from '../../../main/core/print/fonts';
import { tempDir } from '../../helpers/desk';

type Fontkit = Parameters<PDFDocument['registerFontkit']>[0];
const FIXED = new Date('2026-12-05T03:00:00Z');

async function page(kit: Fontkit, lines: string[]): Promise<Uint8Array> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.setCreationDate(FIXED);
  doc.setModificationDate(FIXED);
  doc.registerFontkit(kit);
  const { regular, bold } = loadFonts();
  const r = await doc.embedFont(regular, { subset: true });
  const b = await doc.embedFont(bold, { subset: true });
  const p = doc.addPage([595, 842]);
  lines.forEach((l, i) => p.drawText(l, { x: 50, y: 780 - i * 20, size: 12, font: i % 2 ? b : r }));
  return doc.save({ useObjectStreams: false });
}

test('a font parsed once serves later documents exactly as a fresh parse would', async () => {
  const lines = ['Số: 12-CV/TU', 'Quảng Ninh, ngày 05 tháng 12 năm 2026', 'ĐẢNG CỘNG SẢN VIỆT NAM'];
  // The cache serves other documents first, with other characters in their subsets.
  await page(cachedFontkit, ['Đã ký số', '2026-12-05T10:00:00+07:00', 'ỹỷỵỳ Ưươ']);
  await page(cachedFontkit, ['T/M BAN THƯỜNG VỤ', 'PHÓ BÍ THƯ']);
  const viaCache = await page(cachedFontkit, lines);
  const fresh = await page(fontkit as Fontkit, lines);
  assert.ok(Buffer.from(viaCache).equals(Buffer.from(fresh)), 'the same bytes as with a fresh parse');
  const t = tempDir('securedesk-fontcache-');
  try {
    const file = join(t.dir, 'cached.pdf');
    writeFileSync(file, viaCache);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    for (const l of lines) assert.ok(text.normalize('NFC').includes(l), `reads back: ${l}`);
  } finally {
    t.cleanup();
  }
});

test('each font file is parsed once; each document gets a glyph cache of its own', () => {
  const { regular, bold } = loadFonts();
  const parse = (b: Uint8Array) => Object.getPrototypeOf(cachedFontkit.create(b)) as unknown;
  assert.equal(parse(regular), parse(regular));
  assert.notEqual(parse(regular), parse(bold));
  const [one, two] = [cachedFontkit.create(regular), cachedFontkit.create(regular)];
  assert.notEqual(one, two);
  assert.notEqual(one.glyphForCodePoint(0x55), two.glyphForCodePoint(0x55), 'no glyph object shared between documents');
  // Equal bytes in another buffer are another key (no hashing of megabytes per call): parsed anew.
  assert.notEqual(parse(new Uint8Array(regular)), parse(regular));
});
