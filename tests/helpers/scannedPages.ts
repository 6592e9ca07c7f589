// Real scanned pages for the OCR tests and the benchmark: Vietnamese text with full diacritics is
// typeset in a PDF (pdf-lib, DejaVu Sans), rasterised by the real pdftoppm, and the images wrapped as
// an image-only PDF (no text layer, as a scanner makes it) or as a multi-page TIFF.
import fontkit from '@pdf-lib/fontkit';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { PDFDocument, rgb } from 'pdf-lib';

const FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

/** A4 pages with these lines of text (a text layer), one array per page. */
export async function typesetPdf(pages: readonly (readonly string[])[]): Promise<Buffer> {
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  const font = await doc.embedFont(readFileSync(FONT), { subset: true });
  for (const lines of pages) {
    const page = doc.addPage([595, 842]);
    lines.forEach((l, i) => page.drawText(l, { x: 56, y: 770 - i * 28, size: 15, font, color: rgb(0, 0, 0) }));
  }
  return Buffer.from(await doc.save());
}

/** Page `n` (1-based) of a PDF as an image from the real pdftoppm: PNG, or 8-bit grey PGM. */
export function rasterise(pdf: Buffer, n: number, dpi: number, format: 'png' | 'pgm' = 'png'): Buffer {
  return execFileSync('pdftoppm', ['-q', '-r', String(dpi), '-gray', ...(format === 'png' ? ['-png'] : []), '-f', String(n), '-l', String(n), '-singlefile', '-'],
    { input: pdf, maxBuffer: 256 * 1024 * 1024 });
}

/** A scanned document: every page an image (200 dpi grey), no text layer. */
export async function scannedPdf(pages: readonly (readonly string[])[], dpi = 200): Promise<Buffer> {
  const source = await typesetPdf(pages);
  const doc = await PDFDocument.create();
  for (let i = 1; i <= pages.length; i++) {
    const png = await doc.embedPng(rasterise(source, i, dpi));
    const page = doc.addPage([595, 842]);
    page.drawImage(png, { x: 0, y: 0, width: 595, height: 842 });
  }
  return Buffer.from(await doc.save());
}

/** Width, height and pixels of an 8-bit binary PGM (P5). */
function readPgm(pgm: Buffer): { width: number; height: number; pixels: Buffer } {
  const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(pgm.toString('latin1', 0, 64));
  if (!header || header[3] !== '255') throw new Error('not an 8-bit PGM');
  return { width: Number(header[1]), height: Number(header[2]), pixels: pgm.subarray(header[0].length) };
}

/** A multi-page TIFF (little-endian, uncompressed 8-bit grey, 200 dpi), one page per text page. */
export async function scannedTiff(pages: readonly (readonly string[])[], dpi = 200): Promise<Buffer> {
  const source = await typesetPdf(pages);
  const images = pages.map((_, i) => readPgm(rasterise(source, i + 1, dpi, 'pgm')));
  const parts: Buffer[] = [];
  const header = Buffer.alloc(8);
  header.write('II', 0, 'latin1');
  header.writeUInt16LE(42, 2);
  header.writeUInt32LE(8, 4); // the first IFD follows the header
  parts.push(header);
  let offset = 8;
  const ENTRIES = 11;
  images.forEach((img, i) => {
    const ifdSize = 2 + ENTRIES * 12 + 4;
    const resAt = offset + ifdSize;
    const dataAt = resAt + 8;
    const nextAt = i === images.length - 1 ? 0 : dataAt + img.pixels.length;
    const ifd = Buffer.alloc(ifdSize + 8);
    ifd.writeUInt16LE(ENTRIES, 0);
    const entry = (k: number, tag: number, type: number, value: number) => {
      const at = 2 + k * 12;
      ifd.writeUInt16LE(tag, at);
      ifd.writeUInt16LE(type, at + 2);
      ifd.writeUInt32LE(1, at + 4);
      if (type === 3) ifd.writeUInt16LE(value, at + 8);
      else ifd.writeUInt32LE(value, at + 8);
    };
    // Tags in ascending order: width, length, bits, compression none, min-is-black no (1), strip
    // offset, samples, rows per strip, strip bytes, x and y resolution (rational at resAt).
    entry(0, 256, 4, img.width);
    entry(1, 257, 4, img.height);
    entry(2, 258, 3, 8);
    entry(3, 259, 3, 1);
    entry(4, 262, 3, 1);
    entry(5, 273, 4, dataAt);
    entry(6, 277, 3, 1);
    entry(7, 278, 4, img.height);
    entry(8, 279, 4, img.pixels.length);
    entry(9, 282, 5, resAt);
    entry(10, 283, 5, resAt);
    ifd.writeUInt32LE(nextAt, 2 + ENTRIES * 12);
    ifd.writeUInt32LE(dpi, ifdSize);
    ifd.writeUInt32LE(1, ifdSize + 4);
    parts.push(ifd, img.pixels);
    offset = dataAt + img.pixels.length;
  });
  return Buffer.concat(parts);
}
