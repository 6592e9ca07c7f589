// PDFs for the work-file tests: each page carries its document's marker and page number, so the
// merged file can be read back page by page (pdftotext) to check the order.
import { PDFDocument, StandardFonts } from 'pdf-lib';

export async function markedPdf(marker: string, pages: number): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 1; i <= pages; i++) {
    const page = doc.addPage([595.28, 841.89]);
    page.drawText(`${marker} page ${i}/${pages}`, { x: 72, y: 760, size: 16, font });
  }
  return doc.save();
}
