// Outgoing documents and drafts as records of a work file (workfiles/kinds.ts): an issued (or
// recalled) document files as 'outgoing', dated by its issue date, with its signed PDFs; a document not
// yet issued files as 'draft', dated by the day it was drafted, with its current version's PDFs. Both
// answer only for what the person may read (outgoing/records.ts maySee): NOT_FOUND otherwise, so a
// person adds to a file only what they may read.
import { todayIso } from '../../../common/dates';
import { DeskError } from '../../../common/errors';
import type { CoreContext } from '../context';
import type { Actor } from '../org/rights';
import type { FiledRecord, RecordKind } from '../workfiles/kinds';
import { locateOutgoing, userName, type OutgoingDbRow } from './records';

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(Buffer.from(c as Buffer));
  return Buffer.concat(parts);
}

const isIssued = (r: OutgoingDbRow): boolean => r.status === 'issued' || r.status === 'recalled';

function record(ctx: CoreContext, r: OutgoingDbRow, c: string, kind: 'outgoing' | 'draft'): FiledRecord {
  const agency = (ctx.db.prepare('SELECT name FROM main.units WHERE is_self = 1').pluck().get() as string | undefined) ?? '';
  return {
    kind, id: r.id, globalId: r.global_id, level: r.secrecy, schema: c,
    numberSymbol: kind === 'outgoing' ? (r.number_symbol ?? '') : 'Dự thảo',
    documentDate: kind === 'outgoing' ? r.issued_date! : todayIso(new Date(r.created_at)),
    issuer: agency, typeCode: r.type_code, subject: r.subject, pages: r.page_count, urgency: r.urgency,
    signer: [r.signer_competence, userName(ctx.db, r.signer_id)].filter(Boolean).join(' '),
  };
}

/** The record's PDFs as they stand: the signed PDF of each file where there is one. */
async function pdfs(ctx: CoreContext, actor: Actor, rec: FiledRecord): Promise<Uint8Array[]> {
  const { row } = locateOutgoing(ctx.db, ctx.arms, actor, rec.id);
  const files = ctx.db.prepare(`SELECT sha256, signed_sha256 AS signed FROM ${rec.schema}.outgoing_files WHERE outgoing_id = ? AND version = ? AND is_pdf = 1 ORDER BY ordinal`)
    .all(rec.id, row.version) as Array<{ sha256: string; signed: string | null }>;
  if (files.length === 0) throw DeskError.keyed('VALIDATION', 'workFile.noPdf', { document: rec.numberSymbol });
  const store = ctx.storeFor(rec.level);
  const out: Uint8Array[] = [];
  for (const f of files) out.push(await readAll(store.openBlob(f.signed ?? f.sha256)));
  return out;
}

export const outgoingKind: RecordKind = {
  kind: 'outgoing',
  place(ctx, actor, id) {
    const { row, c } = locateOutgoing(ctx.db, ctx.arms, actor, id);
    if (!isIssued(row)) throw DeskError.keyed('VALIDATION', 'workFile.notIssued');
    return record(ctx, row, c, 'outgoing');
  },
  pdfs,
};

export const draftKind: RecordKind = {
  kind: 'draft',
  place(ctx, actor, id) {
    const { row, c } = locateOutgoing(ctx.db, ctx.arms, actor, id);
    return record(ctx, row, c, 'draft');
  },
  pdfs,
};

export const outgoingKinds: readonly RecordKind[] = [outgoingKind, draftKind];
