// The export of a closed work file: its documents' PDFs merged in date order behind a table of
// contents, and the XML of its metadata. Both stay in memory; the caller hands them out through the
// outputs (one use each, audited), never to disk.
import { PDFDocument } from 'pdf-lib';
import type { Secrecy } from '../../../common/domain';
import { DeskError } from '../../../common/errors';
import type { Actor } from '../org/rights';
import { composeFilePdf, type TocDocument } from './exportPdf';
import { fileXml, type XmlDocument } from './exportXml';
import { highestOf, retentionText, type FileContents, type WorkFileService } from './WorkFileService';

export interface FileExport {
  code: string; level: Secrecy; pdf: Uint8Array; xml: string; documents: number; pages: number; tocPages: number;
}

export async function exportWorkFile(service: WorkFileService, actor: Actor, fileId: number, db: Parameters<WorkFileService['unitCode']>[0]): Promise<FileExport> {
  const { file, records } = service.contents(actor, fileId);
  let toc: TocDocument[];
  try {
    toc = await collect(service, actor, records);
  } catch (err) {
    // A sealed envelope or a document without a readable PDF: refused, and recorded like any refusal.
    if (err instanceof DeskError && err.key) service.auditExportRefusal(actor, file.id, err.key);
    throw err;
  }
  const creator = (db.prepare('SELECT full_name FROM main.users WHERE id = ?').pluck().get(file.opened_by ?? file.created_by) as string | undefined) ?? '';
  const composed = await composeFilePdf({
    unitName: service.unitName(db), code: file.code, title: file.title, secrecy: file.secrecy, retention: retentionText(file.retention_years), closedOn: file.closed_on ?? '',
  }, toc);
  const docs: XmlDocument[] = records.map((r, i) => ({
    ordinal: i + 1, kind: r.kind, globalId: r.globalId, typeCode: r.typeCode, numberSymbol: r.numberSymbol, documentDate: r.documentDate, issuer: r.issuer,
    subject: r.subject, language: file.language, pages: toc[i]!.pdfs.reduce((n, p) => n + p.getPageCount(), 0), secrecy: r.level, urgency: r.urgency,
    signer: r.signer || undefined, arrivalDate: r.arrivalDate, arrivalNumber: r.arrivalNumber, startPage: composed.starts[i]!,
  }));
  const xml = fileXml({
    code: file.code, globalId: file.global_id, unitCode: service.unitCode(db), year: file.year, notation: file.notation, title: file.title,
    retentionYears: file.retention_years, accessRegime: file.access_regime || (file.secrecy === 'thuong' ? 'Thông thường' : 'Hạn chế'), creator, language: file.language,
    startDate: records[0]!.documentDate, endDate: records.at(-1)!.documentDate, documents: records.length, pages: composed.pages - composed.tocPages,
    description: file.description, secrecy: file.secrecy, closedOn: file.closed_on ?? '',
  }, docs);
  service.auditExport(actor, file.id, { documents: records.length, pages: composed.pages, tocPages: composed.tocPages });
  // The output is handled at the highest level it holds (the base mark may lag a level change made since).
  return { code: file.code, level: highestOf([file.secrecy, ...records.map((r) => r.level)]), pdf: composed.bytes, xml, documents: records.length, pages: composed.pages, tocPages: composed.tocPages };
}

async function collect(service: WorkFileService, actor: Actor, records: FileContents['records']): Promise<TocDocument[]> {
  const toc: TocDocument[] = [];
  for (const rec of records) {
    const pdfs: PDFDocument[] = [];
    for (const bytes of await service.pdfsOf(actor, rec)) {
      try {
        pdfs.push(await PDFDocument.load(bytes));
      } catch {
        throw DeskError.keyed('VALIDATION', 'workFile.unreadableDocument', { document: rec.numberSymbol });
      }
    }
    toc.push({ numberSymbol: rec.numberSymbol, documentDate: rec.documentDate, issuer: rec.issuer, subject: rec.subject, secrecy: rec.level, pdfs });
  }
  return toc;
}
