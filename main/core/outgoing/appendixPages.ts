// Appendices inside the main PDF (Nghị định 30/2020, Phụ lục I): a draft often carries its phụ lục
// in the same file after the document itself. The drafter says on which page each begins; the core
// checks the pages against the file, the signer's signature goes on the last page of the document
// itself (before the first appendix), and the issue writes "số, ký hiệu; thời gian ký" at the top
// right of each appendix's first page, in the agency signature's own update (locked annotations).
import { PDFDocument } from 'pdf-lib';
import { DeskError } from '../../../common/errors';
import { isoVietnam, PdfError } from '../pdf';

/** The number of pages of a PDF (pdf-lib; a file it cannot read is refused as unreadable). */
export async function pageCountOf(pdf: Uint8Array): Promise<number> {
  try {
    const doc = await PDFDocument.load(pdf, { updateMetadata: false, ignoreEncryption: true });
    return doc.getPageCount();
  } catch (e) {
    throw PdfError.unparseable((e as Error).message);
  }
}

/** The pages lie within the file, after page 1, increasing (the schema checks the form; this, the file). */
export function checkAppendixPages(pages: readonly number[], pageCount: number): void {
  pages.forEach((p, i) => {
    if (!Number.isInteger(p) || p < 2) throw DeskError.keyed('VALIDATION', 'outgoing.appendixPagesInvalid', undefined, { at: 'appendixPages', details: { code: 'outgoing.appendixPagesInvalid', log: `appendix page ${p}` } });
    if (i > 0 && p <= pages[i - 1]!) throw DeskError.keyed('VALIDATION', 'outgoing.appendixPagesOrder', undefined, { at: 'appendixPages', details: { code: 'outgoing.appendixPagesOrder', log: `appendix pages ${pages.join(',')} do not increase` } });
    if (p > pageCount) {
      throw DeskError.keyed('VALIDATION', 'outgoing.appendixPageBeyond', { page: p, pages: pageCount }, { at: 'appendixPages', details: { code: 'outgoing.appendixPageBeyond', log: `appendix page ${p} beyond the main file's ${pageCount} pages` } });
    }
  });
}

/** The notes the agency's signature writes on the appendices' first pages (0-based page indexes). */
export function appendixNotes(pages: readonly number[], numberSymbol: string, signingTime: Date): Array<{ page: number; lines: string[] }> {
  return pages.map((p) => ({ page: p - 1, lines: [numberSymbol, isoVietnam(signingTime)] }));
}

/** The page (0-based) the signer signs on: the last page of the document itself, before the first appendix. */
export function signerPage(pages: readonly number[]): number | undefined {
  return pages.length > 0 ? pages[0]! - 2 : undefined;
}
