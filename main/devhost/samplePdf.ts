// Makes real PDFs with Vietnamese text (an embedded DejaVu Sans subset) for the demo and the tests.
import fontkit from '@pdf-lib/fontkit';
import { readFileSync } from 'node:fs';
import { PDFDocument, rgb } from 'pdf-lib';

const FONT_CANDIDATES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans.ttf',
  'C:\\Windows\\Fonts\\arial.ttf',
];

let fontBytes: Buffer | undefined;
function font(): Buffer {
  if (fontBytes) return fontBytes;
  for (const f of FONT_CANDIDATES) {
    try {
      fontBytes = readFileSync(f);
      return fontBytes;
    } catch {
      /* try the next one */
    }
  }
  throw new Error('no TrueType font with Vietnamese glyphs found (install fonts-dejavu-core)');
}

export interface SamplePdfContent {
  issuer: string;
  numberSymbol: string;
  title: string;
  subject: string;
  body?: string[];
  pages?: number;
}

export async function makeSamplePdf(c: SamplePdfContent): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  const f = await doc.embedFont(font(), { subset: true });
  const pages = c.pages ?? 1;
  for (let p = 0; p < pages; p++) {
    const page = doc.addPage([595, 842]);
    let y = 790;
    const line = (text: string, size = 12, x = 60) => {
      page.drawText(text, { x, y, size, font: f, color: rgb(0, 0, 0) });
      y -= size * 1.6;
    };
    if (p === 0) {
      line(c.issuer.toUpperCase(), 11);
      line(`Số: ${c.numberSymbol}`, 11);
      y -= 10;
      line(c.title, 16, 200);
      line(c.subject.slice(0, 80), 12);
      if (c.subject.length > 80) line(c.subject.slice(80, 160), 12);
      y -= 10;
      for (const b of c.body ?? []) line(b, 11);
    } else {
      line(`Trang ${p + 1}`, 12);
    }
  }
  doc.setTitle(c.title);
  doc.setProducer('SecureDesk test fixture');
  return doc.save();
}
