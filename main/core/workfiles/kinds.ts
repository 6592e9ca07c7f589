// The kinds of record a work file can hold, each resolved by its own domain: incoming documents now;
// outgoing documents and drafts register a resolver when they exist (WorkFileService.registerKind).
// A resolver answers for what the person may see only (need-to-know): NOT_FOUND otherwise.
import type { WorkFileItemKind } from '../../../common/contract';
import type { Secrecy } from '../../../common/domain';
import { DeskError } from '../../../common/errors';
import type { CoreContext } from '../context';
import { visibleArm } from '../documents/incoming';
import type { Actor } from '../org/rights';

export interface FiledRecord {
  kind: WorkFileItemKind;
  id: number;
  globalId: string;
  level: Secrecy;
  /** The compartment schema the record (and so its membership rows) lives in. */
  schema: string;
  numberSymbol: string;
  /** The date the file is ordered by (ngày văn bản). */
  documentDate: string;
  issuer: string;
  typeCode: string;
  subject: string;
  pages: number | null;
  urgency: string;
  /** For the XML: arrival date and number of an incoming document. */
  arrivalDate?: string;
  arrivalNumber?: number;
  signer?: string;
}

export interface RecordKind {
  kind: WorkFileItemKind;
  /** The record as `actor` may see it; NOT_FOUND when they may not. */
  place(ctx: CoreContext, actor: Actor, id: number): FiledRecord;
  /** The record's PDFs, decrypted, in their order; VALIDATION workFile.noPdf when it has none. */
  pdfs(ctx: CoreContext, actor: Actor, rec: FiledRecord): Promise<Uint8Array[]>;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(Buffer.from(c as Buffer));
  return Buffer.concat(parts);
}

export const incomingKind: RecordKind = {
  kind: 'incoming',
  place(ctx, actor, id) {
    const arm = visibleArm(ctx.db, ctx.arms, actor, id);
    const r = ctx.db.prepare(`SELECT id, global_id AS globalId, secrecy, number_symbol AS numberSymbol, document_date AS documentDate, issuer_name AS issuer,
        type_code AS typeCode, subject, page_count AS pages, urgency, arrival_date AS arrivalDate, arrival_number AS arrivalNumber, signer
      FROM ${arm.schema}.incoming WHERE id = ?`).get(id) as Omit<FiledRecord, 'kind' | 'schema' | 'level'> & { secrecy: Secrecy };
    const { secrecy, ...rest } = r;
    return { ...rest, kind: 'incoming', level: secrecy, schema: arm.schema };
  },
  async pdfs(ctx, actor, rec) {
    const files = ctx.db.prepare(`SELECT sha256, sealed_for AS sealedFor FROM ${rec.schema}.attachments WHERE incoming_id = ? AND is_pdf = 1 ORDER BY ordinal`)
      .all(rec.id) as Array<{ sha256: string; sealedFor: number | null }>;
    if (files.length === 0) throw DeskError.keyed('VALIDATION', 'workFile.noPdf', { document: rec.numberSymbol });
    const out: Uint8Array[] = [];
    for (const f of files) {
      // "Chỉ người có tên mới được bóc bì": only the named person's key opens it.
      if (f.sealedFor !== null && f.sealedFor !== actor.id) throw DeskError.keyed('FORBIDDEN', 'workFile.sealedDocument');
      const stored = await readAll(ctx.storeFor(rec.level).openBlob(f.sha256));
      out.push(f.sealedFor !== null ? await ctx.unseal(stored, ctx.attachmentLimit()) : stored);
    }
    return out;
  },
};
