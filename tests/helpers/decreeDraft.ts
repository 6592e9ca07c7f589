// Draft PDFs laid out as Nghị định 30/2020 Phụ lục I (state form) and Hướng dẫn 36-HD/VPTW (party
// form) prescribe: the issuer top left with "Số: …" under it, the motto top right with the place and
// "ngày … tháng … năm …" under it, the title, the body, the signature block. Made with pdf-lib and
// DejaVu Sans (real fonts, real text a viewer and pdftotext read).
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import { loadFonts } from '../../main/core/print/fonts';

export interface DecreeDraftOptions {
  form: 'state' | 'party';
  /** What follows "Số:" (state) or "Số" (party) on the draft: the blank and the symbol. */
  numberBlank?: string;
  /** The date line under the motto. */
  dateLine?: string;
  /** Draw "Số:", the blank and the symbol as separate runs with a gap (as word processors export them). */
  splitRuns?: boolean;
  pages?: number;
  /** Appendix pages: titles of pages that start an appendix (1-based page numbers). */
  appendixPages?: Record<number, string>;
}

const centred = (page: PDFPage, f: PDFFont, text: string, size: number, cx: number, y: number) =>
  page.drawText(text, { x: cx - f.widthOfTextAtSize(text, size) / 2, y, size, font: f, color: rgb(0, 0, 0) });

/** A draft's bytes; A4, margins 30 mm left, 20 mm top and right. */
export async function decreeDraftPdf(o: DecreeDraftOptions): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  const fonts = loadFonts();
  const regular = await doc.embedFont(fonts.regular, { subset: true });
  const bold = await doc.embedFont(fonts.bold, { subset: true });
  const pages = o.pages ?? 1;
  const left = 85 + 100; // centre of the left column
  const right = 425; // centre of the right column
  for (let i = 0; i < pages; i++) {
    const page = doc.addPage([595.28, 841.89]);
    if (i > 0) {
      const title = o.appendixPages?.[i + 1];
      if (title) centred(page, bold, title, 13, 297, 770);
      page.drawText(`Trang ${i + 1}`, { x: 85, y: 740, size: 12, font: regular });
      continue;
    }
    if (o.form === 'state') {
      centred(page, regular, 'ỦY BAN NHÂN DÂN', 12, left, 785);
      centred(page, bold, 'TỈNH QUẢNG NINH', 12, left, 770);
      centred(page, bold, 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 11, right, 785);
      centred(page, bold, 'Độc lập - Tự do - Hạnh phúc', 12, right, 770);
    } else {
      centred(page, regular, 'ĐẢNG BỘ TỈNH QUẢNG NINH', 12, left, 785);
      centred(page, bold, 'TỈNH ỦY', 12, left, 770);
      centred(page, regular, '*', 12, left, 756);
      centred(page, bold, 'ĐẢNG CỘNG SẢN VIỆT NAM', 12, right, 785);
    }
    const label = o.form === 'state' ? 'Số:' : 'Số';
    const blank = o.numberBlank ?? (o.form === 'state' ? '          /QĐ-UBND' : '          -QĐ/TU');
    const numberY = o.form === 'state' ? 745 : 740;
    const numberX = 95;
    if (o.splitRuns) {
      // "Số:" then a jump of the cursor, then the symbol: no space characters in between.
      page.drawText(label, { x: numberX, y: numberY, size: 12, font: regular });
      const symbol = blank.trim();
      page.drawText(symbol, { x: numberX + regular.widthOfTextAtSize(label, 12) + 40, y: numberY, size: 12, font: regular });
    } else {
      page.drawText(`${label}${blank}`, { x: numberX, y: numberY, size: 12, font: regular });
    }
    const dateLine = o.dateLine ?? 'Quảng Ninh, ngày      tháng      năm 2026';
    // State: on the row of "Số:"; party: a row lower, under the motto.
    centred(page, regular, dateLine, 12, right, o.form === 'state' ? 745 : 725);
    centred(page, bold, 'QUYẾT ĐỊNH', 14, 297, 680);
    centred(page, bold, 'Về việc ban hành quy chế làm việc', 13, 297, 662);
    const body = [
      'Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;',
      'Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ;',
      'Điều 1. Ban hành kèm theo Quyết định này Quy chế làm việc.',
      'Điều 2. Quyết định có hiệu lực kể từ ngày ký.',
    ];
    body.forEach((l, k) => page.drawText(l, { x: 85, y: 620 - k * 20, size: 12, font: regular }));
  }
  doc.setProducer('SecureDesk test fixture (decree layout)');
  return doc.save();
}
