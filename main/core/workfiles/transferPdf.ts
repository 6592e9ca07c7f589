// The hand-over record (biên bản giao nộp hồ sơ, tài liệu vào lưu trữ cơ quan) as a PDF to print and
// sign: who handed over, who received, when, and the list of files with their codes, titles and
// retention. DejaVu Sans is embedded for the Vietnamese.
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import type { ArchiveTransferView } from '../../../common/contract';
import { formatDateVn } from '../../../common/dates';
import { loadFonts } from '../print/fonts';
import { wrap } from './exportPdf';

const A4 = { w: 595.28, h: 841.89 };
const M = { l: 56, r: 42, t: 56, b: 64 };
const COLS = [{ title: 'STT', w: 32 }, { title: 'Mã hồ sơ', w: 165 }, { title: 'Tiêu đề hồ sơ', w: 200 }, { title: 'Thời hạn bảo quản', w: 100 }] as const;

export async function transferRecordPdf(t: ArchiveTransferView, unitName: string): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  const fonts = loadFonts();
  const regular = await doc.embedFont(fonts.regular, { subset: true });
  const bold = await doc.embedFont(fonts.bold, { subset: true });
  let page: PDFPage = doc.addPage([A4.w, A4.h]);
  let y = A4.h - M.t;
  const width = A4.w - M.l - M.r;
  const centre = (text: string, font: PDFFont, size: number) => {
    page.drawText(text, { x: (A4.w - font.widthOfTextAtSize(text, size)) / 2, y, size, font });
    y -= size + 8;
  };
  const para = (text: string, size = 11) => {
    for (const line of wrap(text, regular, size, width)) {
      page.drawText(line, { x: M.l, y, size, font: regular });
      y -= size + 5;
    }
  };
  centre(unitName.toUpperCase(), bold, 11);
  y -= 14;
  centre('BIÊN BẢN', bold, 14);
  centre('Về việc giao nộp hồ sơ, tài liệu vào Lưu trữ cơ quan', bold, 12);
  y -= 8;
  para(`Ngày ${formatDateVn(t.transferredOn)}, tại ${unitName}.`);
  para(`Bên giao: ${t.handedBy}.`);
  para(`Bên nhận: ${t.archiveName}, người nhận: ${t.receivedBy}.`);
  para(`Hai bên thống nhất giao nộp ${t.files.length} hồ sơ theo danh sách dưới đây:`);
  y -= 6;
  const head = () => {
    let x = M.l;
    for (const c of COLS) {
      page.drawRectangle({ x, y: y - 20, width: c.w, height: 20, borderWidth: 0.6, borderColor: rgb(0, 0, 0) });
      page.drawText(c.title, { x: x + 3, y: y - 14, size: 9, font: bold });
      x += c.w;
    }
    y -= 20;
  };
  head();
  t.files.forEach((f, i) => {
    const cells = [String(i + 1), f.code, f.title, f.retentionYears === null ? 'Vĩnh viễn' : `${f.retentionYears} năm`].map((s, k) => wrap(s, regular, 10, COLS[k]!.w - 6));
    const h = Math.max(...cells.map((c) => c.length)) * 13 + 6;
    if (y - h < M.b + 60) {
      page = doc.addPage([A4.w, A4.h]);
      y = A4.h - M.t;
      head();
    }
    let x = M.l;
    cells.forEach((lines, k) => {
      page.drawRectangle({ x, y: y - h, width: COLS[k]!.w, height: h, borderWidth: 0.6, borderColor: rgb(0, 0, 0) });
      lines.forEach((l, j) => page.drawText(l, { x: x + 3, y: y - 12 - j * 13, size: 10, font: regular }));
      x += COLS[k]!.w;
    });
    y -= h;
  });
  y -= 14;
  if (t.note) para(`Ghi chú: ${t.note}`);
  para('Biên bản được lập thành hai bản, mỗi bên giữ một bản.');
  if (y < M.b + 90) {
    page = doc.addPage([A4.w, A4.h]);
    y = A4.h - M.t;
  }
  y -= 16;
  const sign = (label: string, name: string, x: number) => {
    page.drawText(label, { x: x - bold.widthOfTextAtSize(label, 11) / 2, y, size: 11, font: bold });
    page.drawText('(Ký, ghi rõ họ tên)', { x: x - regular.widthOfTextAtSize('(Ký, ghi rõ họ tên)', 9) / 2, y: y - 14, size: 9, font: regular });
    page.drawText(name, { x: x - regular.widthOfTextAtSize(name, 11) / 2, y: y - 80, size: 11, font: regular });
  };
  sign('ĐẠI DIỆN BÊN GIAO', t.handedBy, M.l + width / 4);
  sign('ĐẠI DIỆN BÊN NHẬN', t.receivedBy, M.l + (3 * width) / 4);
  doc.setTitle('Biên bản giao nộp hồ sơ vào lưu trữ cơ quan');
  doc.setCreator('SecureDesk');
  doc.setProducer('SecureDesk');
  return doc.save();
}
