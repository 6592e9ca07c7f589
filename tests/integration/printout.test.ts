// The printout (main/core/print): real PDFs in, checked by outside readers (poppler's pdftotext,
// pdffonts and pdfinfo; pdf.js for the diagonal watermark's lines and angles).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fontkit from '@pdf-lib/fontkit';
import { degrees, PDFDocument, PageSizes } from 'pdf-lib';
import { DeskError } from '../../common/errors';
import { composePrintout, type PrintoutInput } from '../../main/core/print/composePrintout';
import { loadFonts } from '../../main/core/print/fonts';
import { makeSamplePdf } from '../../main/devhost/samplePdf';
import { pdfFonts, pdfInfoFails, pdfPageInfo, pdfRuns, pdfTextPages } from '../helpers/pdfOracle';

const WATERMARK = {
  person: 'Nguyễn Thị Hương',
  unit: 'Phòng Tổng hợp',
  // 08:30 in Hà Nội: the UTC date and hour differ from what must be printed.
  time: new Date('2026-03-04T18:30:00Z'),
  documentNumber: 'Số đến 42 — 15/QĐ-UBND',
  copyNumber: 3,
  copyCount: 5,
};
const TIME_VN = '05/03/2026 01:30';
const FULL_MARKS = { secrecy: 'toi_mat', urgency: 'thuong_khan', recalled: true, namedOnly: true } as const;
const WM_LINES = ['Nguyễn Thị Hương — Phòng Tổng hợp', TIME_VN, 'Số đến 42 — 15/QĐ-UBND', 'Bản số 3/5'];

const input = (source: Uint8Array, over: Partial<PrintoutInput> = {}): PrintoutInput => ({ source, marks: FULL_MARKS, watermark: WATERMARK, ...over });

/** A PDF of pages of the given sizes and rotations, each saying which page it is. */
async function mixedPdf(pages: Array<{ size: [number, number]; rotate: number }>): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  const font = await doc.embedFont(loadFonts().regular, { subset: true });
  pages.forEach((p, i) => {
    const page = doc.addPage(p.size);
    page.setRotation(degrees(p.rotate));
    page.drawText(`Nội dung trang ${i + 1} — Điều khoản thi hành`, { x: 40, y: p.size[1] / 2, size: 10, font });
  });
  return doc.save();
}

async function refused(p: Promise<unknown>, code: string, key: string): Promise<DeskError> {
  const err = await p.then(() => assert.fail('expected a refusal'), (e: unknown) => e);
  assert.ok(err instanceof DeskError, `a DeskError, got ${String(err)}`);
  assert.equal(err.code, code);
  assert.equal(err.key, key);
  return err;
}

test('every page carries the marks, the footer and the watermark; the text and fonts survive', async () => {
  const source = await makeSamplePdf({
    issuer: 'Sở Thông tin và Truyền thông', numberSymbol: '15/QĐ-UBND', title: 'QUYẾT ĐỊNH',
    subject: 'Về việc triển khai chính quyền điện tử', body: ['Điều 1. Phê duyệt kế hoạch ứng dụng công nghệ thông tin.'], pages: 3,
  });
  const out = await composePrintout(input(source));
  const pages = pdfTextPages(out);
  assert.equal(pages.length, 3);
  pages.forEach((text, i) => {
    for (const s of ['TỐI MẬT', 'THƯỢNG KHẨN', 'TÀI LIỆU THU HỒI', 'CHỈ NGƯỜI CÓ TÊN MỚI ĐƯỢC BÓC BÌ',
      'Bản số 3/5', 'Số đến 42 — 15/QĐ-UBND', 'Nguyễn Thị Hương — Phòng Tổng hợp', TIME_VN, `Trang ${i + 1}/3`])
      assert.ok(text.includes(s), `page ${i + 1} lacks “${s}”:\n${text}`);
  });
  // The document's own text, diacritics intact.
  assert.match(pages[0]!, /Về việc triển khai chính quyền điện tử/);
  assert.match(pages[0]!, /Điều 1\. Phê duyệt kế hoạch ứng dụng công nghệ thông tin\./);
  assert.match(pages[2]!, /Trang 3\n/);

  // The diagonal watermark: every line, whole, at an angle, several times on every page.
  const runs = await pdfRuns(out);
  for (const [i, p] of runs.entries()) {
    for (const line of WM_LINES) {
      const hits = p.runs.filter((r) => r.str === line && r.angle > 20 && r.angle < 60);
      assert.ok(hits.length >= 3, `page ${i + 1}: “${line}” diagonal ${hits.length} times`);
    }
    const stampRun = p.runs.find((r) => r.str === 'TỐI MẬT')!;
    assert.ok(Math.abs(stampRun.angle) < 0.01 && stampRun.y < 40, `the stamp is upright at the top: ${JSON.stringify(stampRun)}`);
  }

  const fonts = pdfFonts(out);
  const ours = fonts.filter((f) => /DejaVuSans-Bold/.test(f.name));
  assert.ok(ours.length >= 1 && ours.every((f) => f.embedded && f.unicode), JSON.stringify(fonts));
  assert.ok(fonts.every((f) => f.embedded), `no font left to the printer: ${JSON.stringify(fonts)}`);
  // Subset: far smaller than the two font files it draws from (≈ 1.4 MB).
  assert.ok(out.length < 200_000, `printout of ${out.length} bytes`);
  assert.deepEqual(pdfPageInfo(out), pdfPageInfo(source));
});

test('rotated and differently sized pages keep their size and rotation; marks stand upright on each', async () => {
  const layout = [
    { size: PageSizes.A4, rotate: 0 },
    { size: PageSizes.A4, rotate: 90 },
    { size: [PageSizes.A3[1], PageSizes.A3[0]] as [number, number], rotate: 0 },
    { size: PageSizes.A5, rotate: 180 },
    { size: PageSizes.Letter, rotate: 270 },
    { size: [200, 520] as [number, number], rotate: 0 },
  ];
  const source = await mixedPdf(layout);
  const out = await composePrintout(input(source, { marks: { secrecy: 'tuyet_mat', urgency: 'hoa_toc', recalled: false, namedOnly: true } }));
  const before = pdfPageInfo(source);
  const after = pdfPageInfo(out);
  assert.equal(after.length, layout.length);
  assert.deepEqual(after, before);
  assert.deepEqual(after.map((p) => p.rotation), [0, 90, 0, 180, 270, 0]);

  const texts = pdfTextPages(out);
  const runs = await pdfRuns(out);
  texts.forEach((text, i) => {
    for (const s of ['TUYỆT MẬT', 'HỎA TỐC', 'CHỈ NGƯỜI CÓ TÊN MỚI ĐƯỢC BÓC BÌ', 'Bản số 3/5', 'Nguyễn Thị Hương', TIME_VN, `Nội dung trang ${i + 1}`])
      assert.ok(text.replace(/\s+/g, ' ').includes(s), `page ${i + 1} lacks “${s}”:\n${text}`);
    assert.ok(!text.includes('TÀI LIỆU THU HỒI'), 'a flag that is not set is not printed');
  });
  for (const [i, p] of runs.entries()) {
    const stampRun = p.runs.find((r) => r.str === 'TUYỆT MẬT');
    assert.ok(stampRun, `page ${i + 1} has the stamp`);
    assert.ok(Math.abs(stampRun.angle) < 0.01, `page ${i + 1}: the stamp reads horizontally (${stampRun.angle}°)`);
    assert.ok(stampRun.y < p.height * 0.12 && stampRun.x >= 0 && stampRun.x < p.width / 2, `page ${i + 1}: stamp at the top left (${stampRun.x}, ${stampRun.y}) of ${p.width}x${p.height}`);
    const footer = p.runs.find((r) => r.str.startsWith('Bản số 3/5'));
    assert.ok(footer && Math.abs(footer.angle) < 0.01 && footer.y > p.height * 0.9, `page ${i + 1}: the footer along the bottom`);
    // Nothing drawn beyond the displayed page's edge by the stamps and footer.
    for (const r of p.runs.filter((r) => Math.abs(r.angle) < 0.01)) assert.ok(r.x >= 0 && r.x < p.width, `page ${i + 1}: “${r.str}” at x=${r.x}`);
    const diagonal = p.runs.filter((r) => r.str === 'Số đến 42 — 15/QĐ-UBND' && r.angle > 20 && r.angle < 60);
    assert.ok(diagonal.length >= 1, `page ${i + 1}: the watermark is there`);
  }
});

test('an unclassified document without flags gets no stamp, but still the watermark and the footer', async () => {
  const source = await makeSamplePdf({ issuer: 'UBND tỉnh', numberSymbol: '7/TB-UBND', title: 'THÔNG BÁO', subject: 'Lịch họp giao ban' });
  const out = await composePrintout(input(source, { marks: { secrecy: 'thuong', urgency: 'thuong', recalled: false, namedOnly: false } }));
  const [text] = pdfTextPages(out);
  for (const s of ['MẬT', 'KHẨN', 'HỎA TỐC', 'THU HỒI', 'BÓC BÌ']) assert.ok(!text!.includes(s), `no “${s}”`);
  assert.ok(text!.includes('Bản số 3/5 · Số đến 42 — 15/QĐ-UBND · Nguyễn Thị Hương — Phòng Tổng hợp'));
  const [p] = await pdfRuns(out);
  assert.ok(p!.runs.some((r) => r.str === 'Nguyễn Thị Hương — Phòng Tổng hợp' && r.angle > 20));
});

test('bad input is refused with a specific reason', async () => {
  const good = await makeSamplePdf({ issuer: 'UBND', numberSymbol: '1/QĐ-UBND', title: 'QĐ', subject: 'Thử', pages: 6 });
  await refused(composePrintout(input(new TextEncoder().encode('Không phải PDF'))), 'FILE_UNREADABLE', 'print.notPdf');
  await refused(composePrintout(input(new Uint8Array())), 'FILE_UNREADABLE', 'print.notPdf');
  await refused(composePrintout(input(new TextEncoder().encode('%PDF-1.7\n\u0000\u0001garbage'))), 'FILE_UNREADABLE', 'print.damaged');

  // An encrypted file: the same PDF with an /Encrypt dictionary in an incremental update.
  const head = Buffer.from(good);
  const offset = head.length;
  const encObj = `\n99 0 obj\n<< /Filter /Standard /V 1 /R 2 /O <${'a1'.repeat(32)}> /U <${'b2'.repeat(32)}> /P -4 >>\nendobj\n`;
  const xrefAt = offset + Buffer.byteLength(encObj);
  const root = /\/Root (\d+ \d+ R)/.exec(head.toString('latin1'))![1];
  const prev = /startxref\s+(\d+)/.exec(head.toString('latin1'))![1];
  const tail = `xref\n99 1\n${String(offset + 1).padStart(10, '0')} 00000 n \ntrailer\n<< /Size 100 /Root ${root} /Encrypt 99 0 R /Prev ${prev} /ID [<${'11'.repeat(16)}> <${'11'.repeat(16)}>] >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  const encrypted = Buffer.concat([head, Buffer.from(encObj + tail, 'latin1')]);
  assert.match(pdfInfoFails(encrypted) ?? '', /password|encrypt/i, 'poppler too sees an encrypted file');
  await refused(composePrintout(input(encrypted)), 'FILE_UNREADABLE', 'print.encrypted');

  // pdf-lib adds a blank page to an empty document unless told not to.
  const empty = await (await PDFDocument.create()).save({ addDefaultPage: false });
  await refused(composePrintout(input(empty)), 'FILE_UNREADABLE', 'print.noPages');
  const big = await refused(composePrintout(input(good), { maxPages: 5 }), 'FILE_TOO_LARGE', 'print.tooManyPages');
  assert.deepEqual(big.params, { pages: 6, max: 5 });
  assert.match(big.message, /6 trang, vượt quá giới hạn 5 trang/);

  await refused(composePrintout(input(good, { watermark: { ...WATERMARK, copyNumber: 6 } })), 'VALIDATION', 'print.copyNumber');
  await refused(composePrintout(input(good, { watermark: { ...WATERMARK, copyNumber: 0 } })), 'VALIDATION', 'print.copyNumber');
  await refused(composePrintout(input(good, { watermark: { ...WATERMARK, person: '  ' } })), 'VALIDATION', 'print.watermarkMissing');
  await refused(composePrintout(input(good, { watermark: { ...WATERMARK, time: new Date('x') } })), 'VALIDATION', 'print.watermarkMissing');
  await refused(composePrintout(input(good, { marks: { ...FULL_MARKS, secrecy: 'secret' as never } })), 'VALIDATION', 'secrecy.invalid');
});
