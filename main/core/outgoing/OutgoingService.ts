// Outgoing documents (văn bản đi) as a service: the draft with its metadata (Phụ lục VI), files and
// versions; the ordered approval chain; the signer's and then the agency's signature; the number and
// date given at the issue by the numbering engine, in the issue's transaction; one dispatch record per
// recipient; recall and replacement. Every step is an immutable row of outgoing_steps with its change
// event and an audit entry; every refusal says why and is audited, and changes nothing.
//
// The record lives in the compartment of its level. Who may see it: records.ts (need-to-know).
import { holdsAuthority, prefixedAuthority, signatureBlock } from '../org/structure';
import type { OutgoingSealView, OutgoingConfigView, OutgoingDetail, PdfSignaturesView, OutgoingIssued, OutgoingPerson, OutgoingRegisterTable, OutgoingRow } from '../../../common/contract';
import { formatDateTimeVn, formatDateVn, todayIso } from '../../../common/dates';
import { clearedFor, documentTypeName, SECRECY_LABELS, secrecyRank, type Secrecy } from '../../../common/domain';
import { DeskError, type ErrorCode } from '../../../common/errors';
import type { MessageKey, MessageParams } from '../../../common/messages';
import { formatIssuedSymbol, OUTGOING_STATUS_LABELS, symbolCodeOf, type OutgoingStatus, type OutgoingStepKind } from '../../../common/outgoing';
import type {
  OutgoingApproveChangesInput, OutgoingConfigInput, OutgoingCreateInput, OutgoingListInput, OutgoingRecipientInput, OutgoingRegisterInput, OutgoingReviseInput,
  OutgoingResendInput, OutgoingTakeBackInput, OutgoingUpdateInput,
} from '../../../common/schemas';
import { appendAudit } from '../audit/auditLog';
import type { StagedMeta } from '../attachments/store';
import { nextRecordId } from '../compartments/ids';
import type { ContextSource, CoreContext } from '../context';
import { isValidAt, parseCertificate, signDetached, type PrivateKeyOps } from '../crypto';
import type { Db } from '../db/connection';
import { writeTx } from '../db/transaction';
import { armOf } from '../documents/arms';
import { peekNumber, scopeRow, takeNumber } from '../documents/numbering';
import { claimNumber } from '../documents/numberClaims';
import { followServerNumber, type NumberAuthority } from '../documents/sharedNumbering';
import { recordChange } from '../events/eventLog';
import { newGlobalId } from '../events/globalId';
import { canSign, fingerprintOf, holderOf } from '../org/certificates';
import { forbidsChanges, isOrganisationCertificate, locateIssueBlanks, signPdf, stampPdf, verifyPdfWithWorkstationTrust, type BlankMiss, type IssueBlanks, type PdfAppearance, type PdfFill, type PdfNote } from '../pdf';
import { findInternalUnit } from '../org/internalUnits';
import { readSignatureImage } from '../org/signatureImage';
import { authorize, requireClearance, type Actor } from '../org/rights';
import { assertIssueYearOpen, CLOSABLE_REGISTER_NAMES, outgoingRegisterOf, registerClosing } from '../reports/closedYears';
import { auditRefusal } from '../secrets/registerYears';
import { ensureOutgoingRegisters, outgoingRegisterFor, presetOf, readConfig, writeConfig, yearInNumber, type OutgoingConfig } from './config';
import { giveBackIssueNumber, owedIssueReport, planIssueNumber, type IssuePlan } from './outgoingNumbering';
import { readSeal, sealView, writeSeal } from './seal';
import { outgoingRegisterFile, outgoingRegisterTable } from './registerOutput';
import { appendixNotes, checkAppendixPages, pageCountOf, signerPage } from './appendixPages';
import { appendixPagesOf, approversOf, detailView, listOutgoing, locateOutgoing, userName, type OutgoingDbRow } from './records';
import { currentValues, UPDATE_FIELDS, type TakeBackRecord, type UpdateRecord } from './updates';
import { listedNow } from '../exchange/directory';
import { withdrawUpdatesOf } from '../exchange/takeBackWithdrawal';
import { currentAttempt, currentPacketRefused, type ResendRecord } from './resends';
import { queueOutgoingFiles } from '../ocr/queue';

/** Refusals that are audited (a person tried something the rules forbid). */
const REFUSALS = new Set<ErrorCode>(['FORBIDDEN', 'VALIDATION', 'NOT_FOUND']);

/** A refusal with a stable code in details (the tests and the window tell them apart by it); `log`: English, for the log. */
const refusal = (code: 'FORBIDDEN' | 'VALIDATION', key: MessageKey, params?: MessageParams, at?: string, log?: string): DeskError =>
  DeskError.keyed(code, key, params, { details: { code: key, ...(log ? { log } : {}) }, ...(at ? { at } : {}) });

interface Placement { note: string; log: Record<string, unknown> }

const MISS_WORDS: Record<BlankMiss, string> = {
  numberNotFound: 'dự thảo không có chỗ trống "Số: …" ở phần đầu trang 1',
  numberSymbolDiffers: 'ký hiệu ghi sẵn trên dự thảo khác ký hiệu được cấp',
  numberTooNarrow: 'chỗ trống "Số: …" trên dự thảo quá hẹp',
  dateNotFound: 'dự thảo không có chỗ trống "ngày … tháng … năm …" ở phần đầu trang 1',
  dateTooNarrow: 'chỗ trống ngày, tháng trên dự thảo quá hẹp',
};

/** What the history says when the number or the date could not go into the draft's blanks (empty: both did). */
function placementOf(b: IssueBlanks | null): Placement {
  if (!b) return { note: 'Số, ký hiệu và ngày ban hành được ghi ở lề trên, góc phải trang 1 (không đọc được chữ trên trang 1 của dự thảo).', log: { placement: 'margin', why: 'page text unreadable' } };
  const parts: string[] = [];
  const number = b.misses.find((m) => m.startsWith('number'));
  const date = b.misses.find((m) => m.startsWith('date'));
  if (!b.numberPlaced && number) parts.push(`số, ký hiệu được ghi ở lề trên, góc phải trang 1 (${MISS_WORDS[number]})`);
  if (!b.datePlaced && date) parts.push(`ngày ban hành được ghi ở lề trên, góc phải trang 1 (${MISS_WORDS[date]})`);
  const note = parts.length ? `${parts.join('; ').replace(/^./, (ch) => ch.toUpperCase())}.` : '';
  return { note, log: { numberInBlank: b.numberPlaced, dateInBlank: b.datePlaced, ...(b.misses.length ? { misses: b.misses } : {}) } };
}

/**
 * The history of an issue without the agency's signature (the configuration allowing it): the number
 * and date, and the appendix notes, are in the main PDF all the same, in an update no one signed.
 */
function unsignedIssueNote(appendices: number): string {
  const what = appendices > 0 ? `số, ký hiệu, ngày ban hành và ghi chú "số, ký hiệu; thời gian ký" trên ${appendices} phụ lục` : 'số, ký hiệu và ngày ban hành';
  return `Ban hành không có chữ ký số của cơ quan (cấu hình cho phép): ${what} được ghi vào tệp chính sau chữ ký của người ký, trong một bản cập nhật không có chữ ký số. `
    + 'Chữ ký của người ký vẫn hợp lệ với phiên bản người ấy đã ký, nhưng không bảo đảm phần ghi thêm này.';
}

/** Raised inside the issue's transaction when the number planned before signing was taken meanwhile. */
class NumberMoved extends Error {}

/** "Ngày 05 tháng 12 năm 2026": days below 10 and months 1 and 2 take a leading zero (NĐ 30/2020, Phụ lục I). */
export function issueDateWords(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  return `Ngày ${d < 10 ? `0${d}` : d} tháng ${m < 3 ? `0${m}` : m} năm ${y}`;
}

const isClerk = (a: Actor): boolean => a.rights.includes('doc.register');

/** When the signer last signed the document (null: never). */
function signerSignedAt(db: Db, c: string, id: number): Date | null {
  const at = db.prepare(`SELECT max(signed_at) FROM ${c}.outgoing_signatures WHERE outgoing_id = ? AND role = 'signer'`).pluck().get(id) as string | null;
  return at ? new Date(at) : null;
}

interface OutgoingFileRow { id: number; role: 'main' | 'appendix'; sha256: string; signed_sha256: string | null; is_pdf: number }
interface Made { fileId: number; format: 'cades' | 'pades'; cms: Uint8Array | null; result: string | null }

/** Where the signer's signature goes on the last page of the main file (PDF points from the bottom left). */
const SIGNER_RECT = { x: 330, y: 80, width: 220, height: 80 };

interface ResolvedRecipient { kind: 'internal' | 'external'; internalUnitId: number | null; unitId: number | null; code: string | null; name: string }

export class OutgoingService {
  /** The agency server numbering shared registers, while this workstation is linked to it (agencySync.ts); null: it numbers alone. */
  numbering: NumberAuthority | null = null;

  constructor(private readonly source: ContextSource) {}

  // ---- reading ----

  list(actor: Actor, q: OutgoingListInput): OutgoingRow[] {
    authorize(actor, 'doc.read');
    const c = this.source.context();
    return listOutgoing(c.db, c.arms, actor, q);
  }

  get(actor: Actor, id: number): OutgoingDetail {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    const { row, c } = locateOutgoing(ctx.db, ctx.arms, actor, id);
    ctx.whenWritable(() => writeTx(ctx.db, () => appendAudit(ctx.db, { userId: actor.id, action: 'outgoing.view', entity: 'outgoing', entityId: id, entityGid: row.global_id })));
    const can = this.can(ctx, row, actor);
    const closed = can.issue ? this.issueClosed(ctx, row) : null;
    return { ...detailView(ctx.db, c, row, actor, { ...can, issue: can.issue && !closed }), agencySignatureRequired: readConfig(ctx.db).requireAgencySignature, issueClosed: closed };
  }

  /**
   * The issued main PDF's signatures as the workstation checks them (its trust anchors and CRLs), for
   * the document view: issued without the agency's signature, the verdict says that the last update is
   * unsigned and what it holds (pdf/unsignedTail.ts). Null before the issue or without a PDF.
   */
  async verifyIssued(actor: Actor, id: number): Promise<PdfSignaturesView | null> {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    const { row, c } = locateOutgoing(ctx.db, ctx.arms, actor, id);
    if (row.status !== 'issued' && row.status !== 'recalled') return null;
    const main = this.files(ctx.db, c, row).find((f) => f.role === 'main' && f.is_pdf === 1);
    if (!main) return null;
    // The agency's signature is the one the văn thư made as the agency's at the issue, whatever its certificate looks like.
    const agency = new Set(ctx.db.prepare(`SELECT signer_fingerprint FROM ${c}.outgoing_signatures WHERE outgoing_id = ? AND role = 'agency'`).pluck().all(row.id) as string[]);
    return verifyPdfWithWorkstationTrust(ctx, await readAll(ctx.storeFor(row.secrecy).openBlob(main.signed_sha256 ?? main.sha256)), {
      isOrganisation: (cert) => agency.has(fingerprintOf(cert)) || isOrganisationCertificate(cert),
    });
  }

  /** The closing that bars issuing the document today (reports/closedYears.ts), as the window explains it. */
  private issueClosed(ctx: CoreContext, row: OutgoingDbRow): NonNullable<OutgoingDetail['issueClosed']> | null {
    const year = Number(todayIso(ctx.now()).slice(0, 4));
    const kind = outgoingRegisterOf(row.secrecy);
    const closed = registerClosing(ctx.db, kind, year);
    return closed ? { register: CLOSABLE_REGISTER_NAMES[kind], year, closedAt: closed.closed_at, reopensOn: `${year + 1}-01-01` } : null;
  }

  /** The people who may be chosen as approvers (active, cleared for something) and signers (leaders). */
  people(actor: Actor): OutgoingPerson[] {
    authorize(actor, 'doc.read');
    const { db } = this.source.context();
    return db.prepare('SELECT id, full_name AS fullName, position, role, clearance FROM main.users WHERE active = 1 ORDER BY full_name').all() as OutgoingPerson[];
  }

  /** The pending dispatch records (what the exchange sends next), over the levels held. */
  pendingDispatches(actor: Actor): Array<{ outgoingId: number; dispatchId: number; recipient: string; code: string | null; numberSymbol: string; secrecy: Secrecy }> {
    authorize(actor, 'doc.register');
    const { db, arms } = this.source.context();
    const out: Array<{ outgoingId: number; dispatchId: number; recipient: string; code: string | null; numberSymbol: string; secrecy: Secrecy }> = [];
    for (const a of arms) {
      if (a.level === null || !clearedFor(actor.clearance, a.level)) continue;
      out.push(...(db.prepare(`SELECT o.id AS outgoingId, d.id AS dispatchId, r.name AS recipient, r.code, o.number_symbol AS numberSymbol, o.secrecy
        FROM ${a.schema}.outgoing_dispatches d JOIN ${a.schema}.outgoing o ON o.id = d.outgoing_id JOIN ${a.schema}.outgoing_recipients r ON r.id = d.recipient_id
        WHERE d.status = 'pending' ORDER BY d.id`).all() as typeof out));
    }
    return out;
  }

  /** Sổ đăng ký văn bản đi / Sổ đăng ký BMNN đi for a period, as the window shows it. */
  registerTable(actor: Actor, input: OutgoingRegisterInput): OutgoingRegisterTable {
    return outgoingRegisterTable(this.source.context(), actor, input);
  }

  /** The same as PDF (decree layout, landscape, fonts embedded) or XLSX; audited. */
  registerFile(actor: Actor, input: OutgoingRegisterInput & { format: 'pdf' | 'xlsx' }): Promise<{ bytes: Uint8Array; rows: number; sha256: string }> {
    return outgoingRegisterFile(this.source.context(), actor, input);
  }

  config(actor: Actor): OutgoingConfigView {
    authorize(actor, 'session');
    const { db } = this.source.context();
    const cfg = readConfig(db);
    const registers = (db.prepare(`SELECT r.id, r.name, r.secrecy, r.scope_id AS scopeId, s.name AS scopeName, s.reset, s.per_type AS perType
      FROM main.registers r JOIN main.numbering_scopes s ON s.id = r.scope_id WHERE r.kind = 'outgoing' ORDER BY r.id`).all() as Array<{ id: number; name: string; secrecy: string; scopeId: number; scopeName: string; reset: string; perType: number }>)
      .map((r) => ({ ...r, secrecy: JSON.parse(r.secrecy) as Secrecy[], perType: r.perType === 1 }));
    return { preset: presetOf(db), ...cfg, registers };
  }

  async configure(actor: Actor, input: OutgoingConfigInput): Promise<OutgoingConfigView> {
    authorize(actor, 'org.manage');
    const ctx = this.source.context();
    await ctx.writable();
    const cfg: OutgoingConfig = await this.guard(ctx, actor, 'outgoing.configure', null, () => {
      const preset = presetOf(ctx.db);
      const years = [...new Set(input.yearInNumber ?? readConfig(ctx.db).yearInNumber)];
      for (const t of years) {
        if (preset === 'party') throw refusal('VALIDATION', 'outgoing.yearInPartyForm', { type: documentTypeName(t) }, 'yearInNumber', `year-in-number rule for ${t} in the party form`);
        if (!symbolCodeOf(t, preset)) throw refusal('VALIDATION', 'outgoing.yearTypeNotIssued', { type: documentTypeName(t) }, 'yearInNumber', `year-in-number rule for ${t}, a type the agency does not issue`);
      }
      return { ...input, yearInNumber: years };
    });
    writeTx(ctx.db, () => {
      writeConfig(ctx.db, cfg);
      ensureOutgoingRegisters(ctx.db, actor.id, ctx.now());
      appendAudit(ctx.db, { userId: actor.id, action: 'outgoing.configure', details: { ...cfg } }, ctx.now().toISOString());
    });
    return this.config(actor);
  }

  /** Whether the issue makes the agency's signature (the window then hands over the văn thư's key). */
  agencySignatureRequired(): boolean {
    return readConfig(this.source.context().db).requireAgencySignature;
  }

  /** The seal image the agency's signature shows. */
  seal(actor: Actor): OutgoingSealView {
    authorize(actor, 'session');
    return sealView(this.source.context().db);
  }

  /** The administrator uploads the agency's seal (PNG, transparent, checked), or null for the stand-in; audited. */
  async setSeal(actor: Actor, png: Uint8Array | null): Promise<OutgoingSealView> {
    authorize(actor, 'org.manage');
    const ctx = this.source.context();
    await ctx.writable();
    await this.guard(ctx, actor, 'outgoing.seal', null, () => writeTx(ctx.db, () => {
      writeSeal(ctx.db, png);
      const v = sealView(ctx.db);
      appendAudit(ctx.db, { userId: actor.id, action: 'outgoing.seal', details: { custom: v.custom, sha256: v.sha256, width: v.width, height: v.height } }, ctx.now().toISOString());
    }));
    return this.seal(actor);
  }

  // ---- the draft ----

  async create(actor: Actor, input: OutgoingCreateInput): Promise<OutgoingDetail> {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    await ctx.writable();
    const { db } = ctx;
    const fields = await this.guard(ctx, actor, 'outgoing.create', null, async () => {
      requireClearance(actor, input.secrecy);
      this.checkType(db, input.typeCode);
      this.checkSigner(db, input.signerId, input.secrecy, todayIso(ctx.now()));
      this.checkApprovers(db, input.approvers, input.secrecy, actor.id, todayIso(ctx.now()));
      const recipients = this.resolveRecipients(db, input.recipients);
      const metas = await this.stagedFiles(ctx, actor, input.stagedIds);
      if (input.appendixPages.length > 0) checkAppendixPages(input.appendixPages, await pageCountOf(await readAll(ctx.store.openStaged(metas[0]!.stagedId))));
      const arm = armOf(ctx.arms, input.secrecy);
      if (!arm || arm.level === null) throw DeskError.keyed('FORBIDDEN', 'compartment.notHeld', { level: input.secrecy }, { at: 'secrecy' });
      return { recipients, metas, c: arm.schema };
    });
    // Blobs go into the level's store before the transaction: a crash leaves at worst an unreferenced blob.
    for (const m of fields.metas) await ctx.storeFor(input.secrecy).promote(m.stagedId);
    const now = ctx.now();
    const id = writeTx(db, () => {
      ensureOutgoingRegisters(db, actor.id, now);
      const newId = nextRecordId(db);
      const c = fields.c;
      db.prepare(`INSERT INTO ${c}.outgoing (id, global_id, status, type_code, subject, secrecy, secrecy_rank, urgency, signer_id, signer_competence, drafted_by,
          drafting_unit, issued_amount, reply_deadline, page_count, notes, approvers, appendix_pages, current_step, version, created_at, updated_at)
          VALUES (?,?,'draft',?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,0,1,?,?)`)
        .run(newId, newGlobalId(), input.typeCode, input.subject, input.secrecy, secrecyRank(input.secrecy), input.urgency, input.signerId, input.signerCompetence,
          actor.id, input.draftingUnit, input.issuedAmount ?? null, input.replyDeadline ?? null, input.pageCount ?? null, input.notes,
          JSON.stringify(input.approvers), JSON.stringify(input.appendixPages), now.toISOString(), now.toISOString());
      recordChange(db, 'outgoing', newId, 'create', actor.id, now, c);
      this.insertFiles(db, c, newId, 1, fields.metas.map((m) => ({ name: m.name, size: m.size, mime: m.mime, isPdf: m.isPdf, sha256: m.sha256 })), actor.id, now);
      this.storeRecipients(db, c, newId, fields.recipients, actor.id, now);
      this.addStep(db, c, newId, 'create', null, 1, actor.id, now, input.comment);
      appendAudit(db, { userId: actor.id, action: 'outgoing.create', entity: 'outgoing', entityId: newId, entityGid: this.gid(db, c, newId), details: { secrecy: input.secrecy, files: fields.metas.length, approvers: input.approvers.length } }, now.toISOString());
      return newId;
    });
    for (const m of fields.metas) await ctx.store.discard(m.stagedId).catch(() => undefined);
    return this.get(actor, id);
  }

  /** A new version of a draft (metadata and/or files) with a comment; only the drafter, only as a draft. */
  async revise(actor: Actor, input: OutgoingReviseInput): Promise<OutgoingDetail> {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    await ctx.writable();
    const { db } = ctx;
    const pre = await this.guard(ctx, actor, 'outgoing.revise', input.id, async () => {
      const { row, c } = locateOutgoing(db, ctx.arms, actor, input.id);
      this.assertEditable(row);
      if (row.drafted_by !== actor.id) throw refusal('FORBIDDEN', 'outgoing.notDrafter', { name: userName(db, row.drafted_by) });
      if (input.secrecy !== undefined && input.secrecy !== row.secrecy) throw refusal('VALIDATION', 'input.invalid', undefined, 'secrecy');
      if (input.typeCode !== undefined) this.checkType(db, input.typeCode);
      if (input.signerId !== undefined) this.checkSigner(db, input.signerId, row.secrecy, todayIso(ctx.now()));
      if (input.approvers !== undefined) this.checkApprovers(db, input.approvers, row.secrecy, row.drafted_by, todayIso(ctx.now()));
      const recipients = input.recipients === undefined ? undefined : this.resolveRecipients(db, input.recipients);
      const metas = input.stagedIds === undefined ? undefined : await this.stagedFiles(ctx, actor, input.stagedIds);
      await this.checkPagesAgainst(ctx, row, c, input.appendixPages, metas);
      return { row, c, recipients, metas };
    });
    for (const m of pre.metas ?? []) await ctx.storeFor(pre.row.secrecy).promote(m.stagedId);
    const now = ctx.now();
    await this.guard(ctx, actor, 'outgoing.revise', input.id, () => writeTx(db, () => {
      const row = this.fresh(db, pre.c, input.id);
      this.assertEditable(row);
      if (row.version !== pre.row.version) throw refusal('VALIDATION', 'outgoing.wrongState', { status: OUTGOING_STATUS_LABELS[row.status] });
      const version = row.version + 1;
      const set: Record<string, unknown> = {
        type_code: input.typeCode, subject: input.subject, urgency: input.urgency, signer_id: input.signerId, signer_competence: input.signerCompetence,
        drafting_unit: input.draftingUnit, issued_amount: input.issuedAmount, reply_deadline: input.replyDeadline, page_count: input.pageCount, notes: input.notes,
        approvers: input.approvers === undefined ? undefined : JSON.stringify(input.approvers),
        appendix_pages: input.appendixPages === undefined ? undefined : JSON.stringify(input.appendixPages),
      };
      this.updateRow(db, pre.c, row.id, { ...set, version, updated_at: now.toISOString() }, actor.id, now);
      this.copyOrInsertFiles(db, pre.c, row, version, pre.metas, actor.id, now);
      if (pre.recipients) this.storeRecipients(db, pre.c, row.id, pre.recipients, actor.id, now);
      this.addStep(db, pre.c, row.id, 'revise', null, version, actor.id, now, input.comment);
      appendAudit(db, { userId: actor.id, action: 'outgoing.revise', entity: 'outgoing', entityId: row.id, entityGid: row.global_id, details: { version, files: pre.metas?.length ?? 0 } }, now.toISOString());
    }));
    for (const m of pre.metas ?? []) await ctx.store.discard(m.stagedId).catch(() => undefined);
    return this.get(actor, input.id);
  }

  // ---- the approval chain ----

  /** Trình: the drafter sends the draft to the first approver (or, with no chain, straight to the signer). */
  submit(actor: Actor, input: { id: number; comment: string }): Promise<OutgoingDetail> {
    return this.transition(actor, 'outgoing.submit', input.id, (db, c, row, now) => {
      if (row.status !== 'draft') this.wrongState(row);
      if (row.drafted_by !== actor.id) throw refusal('FORBIDDEN', 'outgoing.notDrafter', { name: userName(db, row.drafted_by) });
      const chain = approversOf(row);
      this.updateRow(db, c, row.id, { status: chain.length === 0 ? 'approved' : 'in_review', current_step: 0, updated_at: now.toISOString() }, actor.id, now);
      this.addStep(db, c, row.id, 'submit', null, row.version, actor.id, now, input.comment);
    });
  }

  approve(actor: Actor, input: { id: number; comment: string }): Promise<OutgoingDetail> {
    return this.transition(actor, 'outgoing.approve', input.id, (db, c, row, now) => {
      const position = this.assertTurn(db, c, row, actor);
      this.advance(db, c, row, position, 'approve', actor, now, input.comment, row.version);
    });
  }

  /** Duyệt có chỉnh sửa: the approver's own changes become a new version, and count as their approval. */
  async approveWithChanges(actor: Actor, input: OutgoingApproveChangesInput): Promise<OutgoingDetail> {
    const ctx = this.source.context();
    await ctx.writable();
    const pre = await this.guard(ctx, actor, 'outgoing.approve_changes', input.id, async () => {
      const { row, c } = locateOutgoing(ctx.db, ctx.arms, actor, input.id);
      this.assertTurn(ctx.db, c, row, actor);
      const metas = input.stagedIds === undefined ? undefined : await this.stagedFiles(ctx, actor, input.stagedIds);
      await this.checkPagesAgainst(ctx, row, c, undefined, metas);
      return { row, metas };
    });
    for (const m of pre.metas ?? []) await ctx.storeFor(pre.row.secrecy).promote(m.stagedId);
    const out = await this.transition(actor, 'outgoing.approve_changes', input.id, (db, c, row, now) => {
      const position = this.assertTurn(db, c, row, actor);
      const version = row.version + 1;
      this.updateRow(db, c, row.id, { version, ...(input.subject ? { subject: input.subject } : {}) }, actor.id, now);
      this.copyOrInsertFiles(db, c, row, version, pre.metas, actor.id, now);
      this.advance(db, c, { ...row, version }, position, 'approve_changes', actor, now, input.comment, version);
    });
    for (const m of pre.metas ?? []) await ctx.store.discard(m.stagedId).catch(() => undefined);
    return out;
  }

  /** Trả lại: the approver whose turn it is (or the signer of an approved draft) sends it back to the drafter. */
  returnDraft(actor: Actor, input: { id: number; comment: string }): Promise<OutgoingDetail> {
    return this.transition(actor, 'outgoing.return', input.id, (db, c, row, now) => {
      let position: number | null = null;
      if (row.status === 'approved' && row.signer_id === actor.id) position = null;
      else position = this.assertTurn(db, c, row, actor);
      this.updateRow(db, c, row.id, { status: 'draft', current_step: 0, updated_at: now.toISOString() }, actor.id, now);
      this.addStep(db, c, row.id, 'return', position, row.version, actor.id, now, input.comment);
    });
  }

  // ---- signing ----

  /** The designated signer signs the approved document on their token (the main file, visible on its last page). */
  async signAsSigner(actor: Actor, id: number, key: PrivateKeyOps): Promise<OutgoingDetail> {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    await ctx.writable();
    const action = 'outgoing.sign_signer';
    const check = (db: Db, row: OutgoingDbRow) => {
      if (row.status === 'issued' || row.status === 'recalled') throw refusal('VALIDATION', 'outgoing.issuedFrozen');
      if (row.signer_id !== actor.id) throw refusal('FORBIDDEN', 'outgoing.notSigner', { name: userName(db, row.signer_id) });
      if (row.status !== 'approved') throw refusal('VALIDATION', row.status === 'draft' || row.status === 'in_review' ? 'outgoing.notApproved' : 'outgoing.wrongState', { status: OUTGOING_STATUS_LABELS[row.status] });
    };
    const pre = await this.guard(ctx, actor, action, id, () => {
      const { row, c } = locateOutgoing(ctx.db, ctx.arms, actor, id);
      check(ctx.db, row);
      // The competence is judged on the day of signing: an authority may have ended since the draft named them.
      this.assertSignerCompetent(ctx.db, row.signer_id, todayIso(ctx.now()));
      this.checkKey(ctx, actor, key, 'signer');
      const main = this.files(ctx.db, c, row).filter((f) => f.role === 'main');
      if (main.length === 0) throw refusal('VALIDATION', 'outgoing.noMainFile');
      return { row, c, targets: main };
    });
    const now = ctx.now();
    const store = ctx.storeFor(pre.row.secrecy);
    // Made on the token outside the transaction (the token takes its time), stored all at once. A PDF
    // is signed inside (PAdES, an incremental update, main/core/pdf): the signature visible on the last
    // page with the competence lines above it (TM., KT., TL., TUQ., Q.); another file gets a detached
    // CAdES signature. The signed PDF is a new blob of the level; a failed step leaves it unreferenced.
    const cert = parseCertificate(key.certificate);
    const lines = this.signerLines(ctx.db, pre.row, todayIso(now));
    const made: Made[] = [];
    for (const f of pre.targets) {
      if (f.is_pdf === 1) {
        const bytes = await readAll(store.openBlob(f.signed_sha256 ?? f.sha256));
        // With appendices in the same file, the signature ends the document itself, before the first of them.
        const page = signerPage(appendixPagesOf(pre.row));
        // The signer's own signature image when they (or an administrator) set one; else "Đã ký số" and the time.
        const image = readSignatureImage(ctx.db, pre.row.signer_id);
        const appearance: PdfAppearance = {
          kind: 'signer', rect: SIGNER_RECT, name: userName(ctx.db, pre.row.signer_id), lines, ...(page !== undefined ? { page } : {}), ...(image ? { image: new Uint8Array(image.bytes) } : {}),
        };
        const signed = await signPdf(bytes, { key, signingTime: now, now, appearance, reason: 'Người có thẩm quyền ký' });
        made.push({ fileId: f.id, format: 'pades', cms: null, result: await store.putBytes(Buffer.from(signed)) });
      } else {
        made.push({ fileId: f.id, format: 'cades', cms: await signDetached(store.openBlob(f.sha256), { key, signingTime: now }), result: null });
      }
    }
    return this.transition(actor, action, id, (db, c, row) => {
      check(db, row);
      if (row.version !== pre.row.version) throw refusal('VALIDATION', 'outgoing.wrongState', { status: OUTGOING_STATUS_LABELS[row.status] });
      this.storeSignatures(db, c, id, 'signer', made, cert, actor, now);
      this.updateRow(db, c, id, { status: 'signer_signed', updated_at: now.toISOString() }, actor.id, now);
      this.addStep(db, c, id, 'sign_signer', null, row.version, actor.id, now, '');
    }, { serial: cert.serialNumber, files: made.length, competence: lines }, now);
  }

  /**
   * The signatures of a document as stored, for verification: a PAdES one names the signed PDF it
   * produced (`signedSha256`); a CAdES one carries its CMS over the file (`fileSha256`).
   */
  signatureBlobs(actor: Actor, id: number): Array<{ role: 'signer' | 'agency'; format: 'cades' | 'pades'; fileSha256: string; signedSha256: string | null; cms: Uint8Array | null }> {
    authorize(actor, 'doc.read');
    const { db, arms } = this.source.context();
    const { c } = locateOutgoing(db, arms, actor, id);
    return (db.prepare(`SELECT s.role, s.format, f.sha256 AS fileSha256, s.result_sha256 AS signedSha256, s.cms FROM ${c}.outgoing_signatures s JOIN ${c}.outgoing_files f ON f.id = s.file_id WHERE s.outgoing_id = ? ORDER BY s.id`)
      .all(id) as Array<{ role: 'signer' | 'agency'; format: 'cades' | 'pades'; fileSha256: string; signedSha256: string | null; cms: Buffer | null }>)
      .map((r) => ({ ...r, cms: r.cms ? new Uint8Array(r.cms) : null }));
  }

  // ---- the issue ----

  /**
   * Ban hành, the văn thư's one act (NĐ 30/2020 art. 15–16 for an electronic document: the number and
   * date first, then the agency's signature): the number the numbering engine will give is read, the
   * agency signs on its token with it (outside the transaction: the token takes its time): on the main
   * file the seal over the left third of the signer's signature and the number and date at the top
   * right of page 1; on each appendix "số, ký hiệu; thời gian ký" at the top right of its page 1. Then
   * one transaction takes the number (the one signed, else the signing is done again with the new one),
   * stores the signatures, enters the register and makes one dispatch record per recipient: a failure
   * leaves no number taken and nothing half-done. Without a key the document is issued unsigned by the
   * agency, only where the configuration does not require its signature: the number and date (and the
   * appendix notes, with the signer's signing time) are then written into the main PDF all the same, as
   * an update without a signature after the signer's (pdf/update.ts stampPdf, the code path of the
   * agency's update); the signer's signature stays valid for its revision and no longer covers the
   * whole file, and the issue step of the history says so. A file certified with DocMDP P=1 (no change
   * allowed) is refused (outgoing.signatureForbidsChanges) rather than broken.
   */
  async issue(actor: Actor, id: number, key?: PrivateKeyOps): Promise<OutgoingIssued> {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    await ctx.writable();
    const ready = (db: Db, c: string, row: OutgoingDbRow, cfg: OutgoingConfig, today: string) => {
      if (!isClerk(actor)) throw refusal('FORBIDDEN', 'outgoing.notClerk');
      if (row.status === 'issued' || row.status === 'recalled') throw refusal('VALIDATION', 'outgoing.alreadyIssued', { number: row.number_symbol ?? '', date: formatDateVn(row.issued_date) });
      if (row.status !== 'signer_signed' && row.status !== 'agency_signed') throw refusal('VALIDATION', 'outgoing.notSigned');
      assertIssueYearOpen(db, row.secrecy, today);
      if (cfg.sameDayIssue) {
        // The signer's signature: the number is given the same day (NĐ 30/2020 art. 15).
        const last = db.prepare(`SELECT max(signed_at) FROM ${c}.outgoing_signatures WHERE outgoing_id = ? AND role = 'signer'`).pluck().get(row.id) as string | null;
        if (last && todayIso(new Date(last)) !== today) throw refusal('VALIDATION', 'outgoing.signedOtherDay', { date: formatDateVn(todayIso(new Date(last))) });
      }
    };
    const pre = await this.guard(ctx, actor, 'outgoing.issue', id, async () => {
      const { row, c } = locateOutgoing(ctx.db, ctx.arms, actor, id);
      const store = ctx.storeFor(row.secrecy);
      const cfg = readConfig(ctx.db);
      ready(ctx.db, c, row, cfg, todayIso(ctx.now()));
      // A document the agency signed before the issue became one act (status agency_signed) only takes its number.
      const agencySigns = row.status === 'signer_signed' && (cfg.requireAgencySignature || key !== undefined);
      if (agencySigns) {
        if (!key) throw refusal('VALIDATION', 'outgoing.agencyKeyRequired', undefined, undefined, 'issue without the agency key while the agency signature is required');
        this.checkKey(ctx, actor, key, 'agency');
      }
      const files = this.files(ctx.db, c, row);
      // Without the agency's signature the number and date still go into the main PDF, in an update of their own.
      const stampMain = row.status === 'signer_signed' && !agencySigns ? files.find((f) => f.role === 'main' && f.is_pdf === 1) ?? null : null;
      // A certification that allows no change (DocMDP P=1) would be broken by either update: refused, not broken.
      for (const f of agencySigns ? files : stampMain ? [stampMain] : []) {
        if (f.is_pdf === 1 && await forbidsChanges(await readAll(store.openBlob(f.signed_sha256 ?? f.sha256)))) {
          throw refusal('VALIDATION', 'outgoing.signatureForbidsChanges', undefined, undefined, `file ${f.id}: a certification signature (DocMDP P=1) allows no change`);
        }
      }
      // The appendix notes' "thời gian ký" without the agency's signature: the signer's, the only signing there was.
      const signerAt = signerSignedAt(ctx.db, c, row.id);
      return { row, c, agencySigns, files: agencySigns ? files : [], stampMain, signerAt };
    });
    const store = ctx.storeFor(pre.row.secrecy);
    const cert = key ? parseCertificate(key.certificate) : null;
    for (let attempt = 1; ; attempt++) {
      const now = ctx.now();
      const today = todayIso(now);
      // Linked to the agency server: its number, asked under the record's global id (outgoingNumbering.ts).
      const numbering = this.numbering;
      const planRegister = outgoingRegisterFor(ctx.db, pre.row.secrecy);
      const plan: IssuePlan = await planIssueNumber(ctx.db, numbering, planRegister, today, pre.row.type_code, pre.row.global_id, now, actor.id);
      try {
        const planned = plan.kind === 'server' ? this.symbolPlanned(ctx.db, pre.row, plan.taken.number, today) : this.plannedNumber(ctx.db, pre.row, today);
        const made: Made[] = [];
        let unsigned: { fileId: number; result: string } | null = null;
        let placement: Placement = { note: '', log: {} };
        if (pre.stampMain && planned) {
          const f = pre.stampMain;
          const bytes = await readAll(store.openBlob(f.signed_sha256 ?? f.sha256));
          const marks = await this.issueMarks(ctx, id, pre.row, bytes, planned.numberSymbol, today, pre.signerAt ?? now);
          placement = marks.placement;
          const stamped = await stampPdf(bytes, { fills: marks.fills, notes: marks.notes, at: now });
          unsigned = { fileId: f.id, result: await store.putBytes(Buffer.from(stamped)) };
        }
        if (pre.agencySigns && planned) {
          for (const f of pre.files) {
            if (f.is_pdf === 1) {
              const bytes = await readAll(store.openBlob(f.signed_sha256 ?? f.sha256));
              const seal = readSeal(ctx.db).bytes;
              let signed: Uint8Array;
              if (f.role === 'main') {
                const marks = await this.issueMarks(ctx, id, pre.row, bytes, planned.numberSymbol, today, now);
                placement = marks.placement;
                signed = await signPdf(bytes, {
                  key: key!, signingTime: now, now, reason: 'Ký số của cơ quan, tổ chức', appearance: { kind: 'seal', image: seal }, fills: marks.fills, notes: marks.notes,
                });
              } else {
                signed = await signPdf(bytes, { key: key!, signingTime: now, now, reason: 'Ký số của cơ quan, tổ chức', appearance: { kind: 'attachment-note', numberSymbol: planned.numberSymbol } });
              }
              made.push({ fileId: f.id, format: 'pades', cms: null, result: await store.putBytes(Buffer.from(signed)) });
            } else {
              made.push({ fileId: f.id, format: 'cades', cms: await signDetached(store.openBlob(f.sha256), { key: key!, signingTime: now }), result: null });
            }
          }
        }
        let issued!: OutgoingIssued;
        try {
          await this.transition(actor, 'outgoing.issue', id, (db, c, row) => {
            const cfg = readConfig(db);
            ready(db, c, row, cfg, today);
            if (row.status !== pre.row.status || row.version !== pre.row.version) throw refusal('VALIDATION', 'outgoing.wrongState', { status: OUTGOING_STATUS_LABELS[row.status] });
            ensureOutgoingRegisters(db, actor.id, now);
            const register = outgoingRegisterFor(db, row.secrecy);
            if (!register) throw refusal('VALIDATION', 'outgoing.noRegister', { level: SECRECY_LABELS[row.secrecy] });
            const scope = scopeRow(db, register.scope_id);
            // The server's number was asked for the register the plan saw: another one now (its configuration changed) plans again.
            if (plan.kind === 'server' && register.id !== planRegister?.id) throw new NumberMoved();
            const taken = plan.kind === 'server' ? plan.taken : takeNumber(db, register.scope_id, today, row.type_code);
            const { number, period } = taken;
            if (plan.kind === 'server') followServerNumber(db, register.scope_id, plan);
            // The home's number given while the server was out of reach: reported at its next contact.
            else if (plan.kind === 'home-offline') owedIssueReport(db, register.id, taken, c, row.global_id, now);
            // A local number survives a crash between the base's commit and the compartment's (numberClaims.ts);
            // a server number is the server's (a crash leaves it to the record, asked again under its id).
            if (c !== 'main' && plan.kind !== 'server') claimNumber(db, register.scope_id, taken, { compartment: c, table: 'outgoing', globalId: row.global_id, recordId: row.id }, now);
            const numberSymbol = this.symbolOf(db, cfg, row, number, today);
            // The agency signed (or the update wrote) the number it saw; another issue took it meanwhile: again with the next.
            // (No number could be planned before the registers existed: the PDF is written now that they do.)
            if ((pre.agencySigns || pre.stampMain) && made.length === 0 && !unsigned) throw new NumberMoved();
            if ((made.length > 0 || unsigned) && (number !== planned?.number || numberSymbol !== planned.numberSymbol)) throw new NumberMoved();
            if (made.length > 0) {
              this.storeSignatures(db, c, id, 'agency', made, cert!, actor, now);
              this.addStep(db, c, id, 'sign_agency', null, row.version, actor.id, now, placement.note ? `${numberSymbol}. ${placement.note}` : numberSymbol);
            }
            this.updateRow(db, c, id, {
              status: 'issued', register_id: register.id, period, bucket: scope.per_type ? row.type_code : '*', number, number_symbol: numberSymbol,
              issued_date: today, issued_at: now.toISOString(), issued_by: actor.id, updated_at: now.toISOString(),
            }, actor.id, now);
            const recipients = db.prepare(`SELECT id FROM ${c}.outgoing_recipients WHERE outgoing_id = ? ORDER BY ordinal`).pluck().all(id) as number[];
            const addDispatch = db.prepare(`INSERT INTO ${c}.outgoing_dispatches (id, global_id, outgoing_id, recipient_id, status, created_at, updated_at) VALUES (?,?,?,?,'pending',?,?)`);
            for (const r of recipients) {
              const did = nextRecordId(db);
              addDispatch.run(did, newGlobalId(), id, r, now.toISOString(), now.toISOString());
              recordChange(db, 'outgoing_dispatches', did, 'create', actor.id, now, c);
            }
            if (unsigned) {
              db.prepare(`UPDATE ${c}.outgoing_files SET signed_sha256 = ? WHERE id = ?`).run(unsigned.result, unsigned.fileId);
              recordChange(db, 'outgoing_files', unsigned.fileId, 'update', actor.id, now, c);
            }
            this.addStep(db, c, id, 'issue', null, row.version, actor.id, now,
              unsigned ? `${numberSymbol}. ${unsignedIssueNote(appendixPagesOf(row).length)}${placement.note ? ` ${placement.note}` : ''}` : numberSymbol);
            if (row.replaces_id !== null) {
              const old = this.fresh(db, c, row.replaces_id);
              if (old.replaced_by_id !== null) throw refusal('VALIDATION', 'outgoing.alreadyReplaced');
              db.prepare(`UPDATE ${c}.outgoing SET replaced_by_id = ?, updated_at = ? WHERE id = ?`).run(id, now.toISOString(), old.id);
              recordChange(db, 'outgoing', old.id, 'update', actor.id, now, c);
              this.addStep(db, c, old.id, 'replace', null, old.version, actor.id, now, numberSymbol);
            }
            issued = { id, number, numberSymbol, issuedDate: today, registerName: register.name, dispatches: recipients.length };
          }, cert ? { serial: cert.serialNumber, files: made.length, ...placement.log } : unsigned ? { unsignedUpdate: unsigned.result, ...placement.log } : undefined, now,
          () => ({ number: issued.number, numberSymbol: issued.numberSymbol, register: issued.registerName, dispatches: issued.dispatches, agencySigned: made.length > 0 }));
          return issued;
        } catch (err) {
          if (err instanceof NumberMoved && attempt < 5) {
            ctx.log?.log('info', 'outgoing issue: the planned number was taken meanwhile; signing again', { id, attempt });
            // (A server number moves only when the register did: it goes back before the new one is asked.)
            if (numbering) await giveBackIssueNumber(numbering, plan);
            continue;
          }
          throw err;
        }
      } catch (err) {
        // Signing failed (token removed, key refused) or the transaction refused: the server's number goes back.
        if (numbering) await giveBackIssueNumber(numbering, plan);
        throw err;
      }
    }
  }

  /**
   * What the issue writes on the main PDF: the number and date in the draft's own blanks ("Số: …/QĐ-UBND",
   * "ngày … tháng … năm …"), what has no blank there in the top margin of page 1 (the history says so),
   * and on each appendix inside the file "số, ký hiệu; thời gian ký" (`noteTime`) on its first page.
   */
  private async issueMarks(ctx: CoreContext, id: number, row: OutgoingDbRow, bytes: Uint8Array, numberSymbol: string, today: string, noteTime: Date): Promise<{ fills: PdfFill[]; notes: PdfNote[]; placement: Placement }> {
    const blanks = await locateIssueBlanks(bytes, numberSymbol, today).catch((e: unknown) => {
      ctx.log?.log('warn', 'outgoing issue: page 1 text unreadable, number and date go to the margin', { id, why: (e as Error).message });
      return null;
    });
    const margin = [...(blanks?.numberPlaced ? [] : [`Số: ${numberSymbol}`]), ...(blanks?.datePlaced ? [] : [issueDateWords(today)])];
    return {
      fills: blanks?.fills ?? [],
      notes: [...(margin.length ? [{ page: 0, lines: margin }] : []), ...appendixNotes(appendixPagesOf(row), numberSymbol, noteTime)],
      placement: placementOf(blanks),
    };
  }

  /** The number (and number-symbol) the issue would take today: what the agency's signature carries. */
  private plannedNumber(db: Db, row: OutgoingDbRow, today: string): { number: number; numberSymbol: string } | null {
    const register = outgoingRegisterFor(db, row.secrecy);
    if (!register) return null;
    return this.symbolPlanned(db, row, peekNumber(db, register.scope_id, today, row.type_code), today);
  }

  private symbolPlanned(db: Db, row: OutgoingDbRow, number: number, today: string): { number: number; numberSymbol: string } {
    return { number, numberSymbol: this.symbolOf(db, readConfig(db), row, number, today) };
  }

  private symbolOf(db: Db, cfg: OutgoingConfig, row: OutgoingDbRow, number: number, today: string): string {
    const preset = presetOf(db);
    return formatIssuedSymbol(preset, number, row.type_code, cfg.issuerNotation, row.drafting_unit, yearInNumber(cfg, preset, row.type_code) ? Number(today.slice(0, 4)) : undefined);
  }

  /**
   * The appendix pages (given, else the draft's) checked against the main file (the one staged, else the
   * current version's): a new main file with fewer pages cannot leave an appendix on a page it lacks.
   */
  private async checkPagesAgainst(ctx: CoreContext, row: OutgoingDbRow, c: string, given: readonly number[] | undefined, metas: StagedMeta[] | undefined): Promise<void> {
    const pages = given ?? appendixPagesOf(row);
    if (pages.length === 0) return;
    const main = metas ? null : this.files(ctx.db, c, row).find((f) => f.role === 'main');
    const bytes = metas ? await readAll(ctx.store.openStaged(metas[0]!.stagedId)) : main ? await readAll(ctx.storeFor(row.secrecy).openBlob(main.sha256)) : null;
    if (!bytes) throw refusal('VALIDATION', 'outgoing.noMainFile');
    checkAppendixPages(pages, await pageCountOf(bytes));
  }

  private files(db: Db, c: string, row: OutgoingDbRow): OutgoingFileRow[] {
    return db.prepare(`SELECT id, role, sha256, signed_sha256, is_pdf FROM ${c}.outgoing_files WHERE outgoing_id = ? AND version = ? ORDER BY ordinal`).all(row.id, row.version) as OutgoingFileRow[];
  }

  private storeSignatures(db: Db, c: string, id: number, role: 'signer' | 'agency', made: readonly Made[], cert: ReturnType<typeof parseCertificate>, actor: Actor, now: Date): void {
    const insert = db.prepare(`INSERT INTO ${c}.outgoing_signatures (id, global_id, outgoing_id, role, file_id, format, signer_fingerprint, signer_name, signed_at, signed_by, cms, result_sha256)
      VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`);
    for (const m of made) {
      const sid = nextRecordId(db);
      insert.run(sid, newGlobalId(), id, role, m.fileId, m.format, fingerprintOf(cert), cert.commonName, now.toISOString(), actor.id, m.cms ? Buffer.from(m.cms) : null, m.result);
      recordChange(db, 'outgoing_signatures', sid, 'create', actor.id, now, c);
      if (m.result) {
        db.prepare(`UPDATE ${c}.outgoing_files SET signed_sha256 = ? WHERE id = ?`).run(m.result, m.fileId);
        recordChange(db, 'outgoing_files', m.fileId, 'update', actor.id, now, c);
      }
    }
  }

  /**
   * The lines above the signer's signature: under a dated authority with a prefix, its signature block
   * (org/structure.ts signatureBlock: "KT. CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG"); otherwise the
   * competence written on the draft and the signer's position.
   */
  private signerLines(db: Db, row: OutgoingDbRow, dateIso: string): string[] {
    const u = db.prepare('SELECT full_name AS fullName, position FROM main.users WHERE id = ?').get(row.signer_id) as { fullName: string; position: string };
    const authority = prefixedAuthority(db, row.signer_id, 'sign', dateIso);
    if (authority) return signatureBlock(authority, u).slice(0, -1);
    const lines = [row.signer_competence.trim(), u.position.trim().toLocaleUpperCase('vi')];
    return lines.filter((l, i) => l && lines.indexOf(l) === i);
  }

  // ---- recall and replacement ----

  /** Thu hồi: the issued document is frozen, its recipients' dispatch records marked recalled. */
  recall(actor: Actor, input: { id: number; reason: string }): Promise<OutgoingDetail> {
    return this.transition(actor, 'outgoing.recall', input.id, (db, c, row, now) => {
      if (!isClerk(actor) && actor.role !== 'lanh_dao') throw refusal('FORBIDDEN', 'outgoing.mayNotRecall');
      if (row.status === 'recalled') throw refusal('VALIDATION', 'outgoing.alreadyRecalled', { time: formatDateTimeVn(row.recalled_at) });
      if (row.status !== 'issued') throw refusal('VALIDATION', 'outgoing.notIssued');
      this.updateRow(db, c, row.id, { status: 'recalled', recalled_at: now.toISOString(), recalled_by: actor.id, recall_reason: input.reason, updated_at: now.toISOString() }, actor.id, now);
      const ds = db.prepare(`SELECT id FROM ${c}.outgoing_dispatches WHERE outgoing_id = ? AND status <> 'recalled'`).pluck().all(row.id) as number[];
      for (const d of ds) {
        db.prepare(`UPDATE ${c}.outgoing_dispatches SET status = 'recalled', updated_at = ? WHERE id = ?`).run(now.toISOString(), d);
        recordChange(db, 'outgoing_dispatches', d, 'update', actor.id, now, c);
      }
      this.addStep(db, c, row.id, 'recall', null, row.version, actor.id, now, input.reason);
    });
  }

  /**
   * Cập nhật: the văn thư corrects an issued document's metadata (subject, reply deadline, page count,
   * number of copies) with a reason. The issued record stays as issued; the correction is an 'update'
   * step, and the exchange sends it as a BussinessDocType 2 packet to every agency it was sent to.
   */
  update(actor: Actor, input: OutgoingUpdateInput): Promise<OutgoingDetail> {
    let changed: string[] = [];
    return this.transition(actor, 'outgoing.update', input.id, (db, c, row, now) => {
      if (!isClerk(actor)) throw refusal('FORBIDDEN', 'outgoing.mayNotUpdate');
      if (row.status !== 'issued') throw refusal('VALIDATION', 'outgoing.notIssued');
      const before = currentValues(db, c, row);
      const changes: UpdateRecord['changes'] = {};
      for (const f of UPDATE_FIELDS) {
        const next = input[f];
        if (next === undefined || next === before[f]) continue;
        changes[f] = { before: before[f], after: next };
      }
      changed = Object.keys(changes);
      if (changed.length === 0) throw refusal('VALIDATION', 'outgoing.updateNothing');
      this.addStep(db, c, row.id, 'update', null, row.version, actor.id, now, JSON.stringify({ reason: input.reason, changes } satisfies UpdateRecord));
    }, undefined, undefined, () => ({ fields: changed }));
  }

  /**
   * Lấy lại (edXML status 13): the văn thư takes an issued document back from one recipient agency it was
   * sent to (sent there by mistake), with a reason. The document stays issued for the others; that
   * dispatch is marked recalled and the exchange tells the agency with a status 13 (outbox.ts), which
   * withdraws its copy and answers 15. Recalling the document itself is `recall` (BussinessDocType 1).
   */
  takeBack(actor: Actor, input: OutgoingTakeBackInput): Promise<OutgoingDetail> {
    return this.transition(actor, 'outgoing.take_back', input.id, (db, c, row, now) => {
      if (!isClerk(actor)) throw refusal('FORBIDDEN', 'outgoing.mayNotTakeBack');
      if (row.status !== 'issued') throw refusal('VALIDATION', 'outgoing.notIssued');
      const d = db.prepare(`SELECT d.id, d.global_id, d.status, r.code, r.name FROM ${c}.outgoing_dispatches d JOIN ${c}.outgoing_recipients r ON r.id = d.recipient_id
        WHERE d.id = ? AND d.outgoing_id = ?`).get(input.dispatchId, row.id) as { id: number; global_id: string; status: string; code: string | null; name: string } | undefined;
      if (!d) throw DeskError.keyed('NOT_FOUND', 'document.notFound');
      // Only what went over the network can be taken back over it.
      if (d.status !== 'sent' || !d.code) throw refusal('VALIDATION', 'outgoing.notSentTo', { name: d.name });
      db.prepare(`UPDATE ${c}.outgoing_dispatches SET status = 'recalled', updated_at = ? WHERE id = ?`).run(now.toISOString(), d.id);
      recordChange(db, 'outgoing_dispatches', d.id, 'update', actor.id, now, c);
      this.addStep(db, c, row.id, 'take_back', null, row.version, actor.id, now, JSON.stringify({ dispatch: d.global_id, code: d.code, recipient: d.name, reason: input.reason } satisfies TakeBackRecord));
      // An update for this agency still waiting on this workstation must never follow the 13.
      withdrawUpdatesOf(db, c, row.id, d.global_id, now.toISOString(), actor.id);
    }, { dispatch: input.dispatchId });
  }

  /**
   * Gửi lại (resends.ts): the văn thư sends a recipient's copy again after it was refused on its way (the
   * directory fixed since, say). The refusal stays in the history; the dispatch goes back to 'pending'
   * with a 'resend' step, and the exchange's send path makes a new packet (a new id) on its next round.
   * Refused while the recipient is still not in the directory: the hub would refuse it again.
   */
  resend(actor: Actor, input: OutgoingResendInput): Promise<OutgoingDetail> {
    let attempt = 0;
    return this.transition(actor, 'outgoing.resend', input.id, (db, c, row, now) => {
      if (!isClerk(actor)) throw refusal('FORBIDDEN', 'outgoing.mayNotResend');
      if (row.status !== 'issued') throw refusal('VALIDATION', 'outgoing.notIssued');
      const d = db.prepare(`SELECT d.id, d.global_id, d.status, r.code, r.name FROM ${c}.outgoing_dispatches d JOIN ${c}.outgoing_recipients r ON r.id = d.recipient_id
        WHERE d.id = ? AND d.outgoing_id = ?`).get(input.dispatchId, row.id) as { id: number; global_id: string; status: string; code: string | null; name: string } | undefined;
      if (!d) throw DeskError.keyed('NOT_FOUND', 'document.notFound');
      // Only the current packet's refusal is answered: a second click, or another workstation's resend synced, finds none.
      if (d.status !== 'sent' || !d.code || !currentPacketRefused(db, c, d.global_id)) throw refusal('VALIDATION', 'outgoing.notRefused', { name: d.name });
      if (!listedNow(db, d.code)) throw refusal('VALIDATION', 'outgoing.resendUnknownRecipient', { name: d.name, code: d.code });
      attempt = currentAttempt(db, c, d.global_id) + 1;
      db.prepare(`UPDATE ${c}.outgoing_dispatches SET status = 'pending', updated_at = ? WHERE id = ?`).run(now.toISOString(), d.id);
      recordChange(db, 'outgoing_dispatches', d.id, 'update', actor.id, now, c);
      this.addStep(db, c, row.id, 'resend', null, row.version, actor.id, now, JSON.stringify({ dispatch: d.global_id, code: d.code, recipient: d.name, attempt } satisfies ResendRecord));
    }, { dispatch: input.dispatchId }, undefined, () => ({ attempt }));
  }

  /** Thay thế: a draft (not yet issued) is marked as replacing an issued document; the link is completed at its issue. */
  replace(actor: Actor, input: { id: number; replacesId: number }): Promise<OutgoingDetail> {
    return this.transition(actor, 'outgoing.replace', input.id, (db, c, row, now) => {
      if (row.status === 'issued' || row.status === 'recalled') throw refusal('VALIDATION', 'outgoing.issuedFrozen');
      if (row.drafted_by !== actor.id && !isClerk(actor)) throw refusal('FORBIDDEN', 'outgoing.notDrafter', { name: userName(db, row.drafted_by) });
      if (input.replacesId === row.id) throw refusal('VALIDATION', 'outgoing.replaceSelf');
      const old = db.prepare(`SELECT * FROM ${c}.outgoing WHERE id = ?`).get(input.replacesId) as OutgoingDbRow | undefined;
      if (!old) throw DeskError.keyed('NOT_FOUND', 'document.notFound');
      if (old.status !== 'issued' && old.status !== 'recalled') throw refusal('VALIDATION', 'outgoing.notIssued');
      if (old.replaced_by_id !== null) throw refusal('VALIDATION', 'outgoing.alreadyReplaced');
      this.updateRow(db, c, row.id, { replaces_id: old.id, updated_at: now.toISOString() }, actor.id, now);
      this.addStep(db, c, row.id, 'replace', null, row.version, actor.id, now, old.number_symbol ?? '');
    });
  }

  // ---- rules ----

  private can(ctx: CoreContext, r: OutgoingDbRow, a: Actor): OutgoingDetail['can'] {
    const chain = approversOf(r);
    return {
      edit: r.status === 'draft' && r.drafted_by === a.id,
      submit: r.status === 'draft' && r.drafted_by === a.id,
      approve: r.status === 'in_review' && chain[r.current_step] === a.id,
      sign: r.status === 'approved' && r.signer_id === a.id,
      // The agency's signature is made by the issue (the number first, then the signature that carries it).
      agencySign: false,
      issue: isClerk(a) && (r.status === 'agency_signed' || r.status === 'signer_signed'),
      recall: r.status === 'issued' && (isClerk(a) || a.role === 'lanh_dao'),
      update: r.status === 'issued' && isClerk(a),
      takeBack: r.status === 'issued' && isClerk(a),
      resend: r.status === 'issued' && isClerk(a),
    };
  }

  /** The position of the actor in the chain when it is their turn; a specific refusal otherwise. */
  private assertTurn(db: Db, c: string, row: OutgoingDbRow, actor: Actor): number {
    const chain = approversOf(row);
    const mine = chain.indexOf(actor.id);
    if (row.status === 'issued' || row.status === 'recalled') throw refusal('VALIDATION', 'outgoing.issuedFrozen');
    if (mine < 0) throw refusal('FORBIDDEN', 'outgoing.notApprover');
    const lastApproval = db.prepare(`SELECT at FROM ${c}.outgoing_steps WHERE outgoing_id = ? AND actor_id = ? AND kind IN ('approve','approve_changes')
      AND id > ifnull((SELECT max(id) FROM ${c}.outgoing_steps WHERE outgoing_id = ? AND kind IN ('submit','return')), 0) ORDER BY id DESC LIMIT 1`)
      .pluck().get(row.id, actor.id, row.id) as string | undefined;
    if (lastApproval) throw refusal('VALIDATION', 'outgoing.alreadyApproved', { time: formatDateTimeVn(lastApproval) });
    if (row.status !== 'in_review') this.wrongState(row);
    if (mine !== row.current_step) throw refusal('FORBIDDEN', 'outgoing.notYourTurn', { name: userName(db, chain[row.current_step]!) });
    // Judged on the day of the approval: an authority to approve may have ended since the draft named them.
    const today = todayIso(this.source.context().now());
    if (!this.mayApprove(db, actor.id, row.drafted_by, today)) {
      throw refusal('FORBIDDEN', 'outgoing.approverNoAuthority', { name: userName(db, actor.id), date: formatDateVn(today) }, undefined, `user ${actor.id} is not a leader and holds no authority to approve on ${today}`);
    }
    return mine;
  }

  private advance(db: Db, c: string, row: OutgoingDbRow, position: number, kind: 'approve' | 'approve_changes', actor: Actor, now: Date, comment: string, version: number): void {
    const last = position === approversOf(row).length - 1;
    this.updateRow(db, c, row.id, { current_step: position + 1, ...(last ? { status: 'approved' } : {}), updated_at: now.toISOString() }, actor.id, now);
    this.addStep(db, c, row.id, kind, position, version, actor.id, now, comment);
  }

  private wrongState(row: OutgoingDbRow): never {
    throw refusal('VALIDATION', 'outgoing.wrongState', { status: OUTGOING_STATUS_LABELS[row.status] });
  }

  private assertEditable(row: OutgoingDbRow): void {
    if (row.status === 'issued' || row.status === 'recalled') throw refusal('VALIDATION', 'outgoing.issuedFrozen');
    if (row.status !== 'draft') throw refusal('VALIDATION', 'outgoing.notEditable', { status: OUTGOING_STATUS_LABELS[row.status] });
  }

  private checkType(db: Db, typeCode: string): void {
    if (!symbolCodeOf(typeCode, presetOf(db))) throw refusal('VALIDATION', 'outgoing.typeNotIssued', { type: documentTypeName(typeCode) }, 'typeCode');
  }

  /** The signer: a leader, or someone holding a dated authority to sign (org/structure.ts: TL., TUQ. …), cleared for the level. */
  private checkSigner(db: Db, signerId: number, secrecy: Secrecy, today: string): void {
    const u = db.prepare('SELECT full_name, role, clearance FROM main.users WHERE id = ? AND active = 1').get(signerId) as { full_name: string; role: string; clearance: Secrecy } | undefined;
    if (!u) throw refusal('VALIDATION', 'outgoing.signerUnknown', undefined, 'signerId');
    if (u.role !== 'lanh_dao' && !holdsAuthority(db, signerId, 'sign', today)) throw refusal('VALIDATION', 'outgoing.signerNotLeader', { name: u.full_name }, 'signerId', `user ${signerId} is not a leader and holds no authority to sign on ${today}`);
    if (!clearedFor(u.clearance, secrecy)) throw refusal('VALIDATION', 'outgoing.notCleared', { name: u.full_name, level: SECRECY_LABELS[secrecy] }, 'signerId');
  }

  /** At the signing: still a leader, or still holding the authority to sign, that day. */
  private assertSignerCompetent(db: Db, signerId: number, today: string): void {
    const u = db.prepare('SELECT full_name, role, active FROM main.users WHERE id = ?').get(signerId) as { full_name: string; role: string; active: number } | undefined;
    if (u && u.active === 1 && (u.role === 'lanh_dao' || holdsAuthority(db, signerId, 'sign', today))) return;
    throw refusal('FORBIDDEN', 'outgoing.signerNoAuthority', { name: u?.full_name ?? '', date: formatDateVn(today) }, undefined, `user ${signerId} is no longer a leader nor holds an authority to sign on ${today}`);
  }

  /**
   * Whether a person may approve a draft of the drafter's unit on a day: a leader (lãnh đạo), the head or
   * a deputy of that unit or a unit above it, or someone holding a dated authority to approve for the
   * agency or that unit (org/structure.ts holdsAuthority).
   */
  private mayApprove(db: Db, approverId: number, drafterId: number, dateIso: string): boolean {
    const u = db.prepare('SELECT role, unit_id, unit_role FROM main.users WHERE id = ? AND active = 1').get(approverId) as { role: string; unit_id: number | null; unit_role: string } | undefined;
    if (!u) return false;
    if (u.role === 'lanh_dao') return true;
    const drafterUnit = (db.prepare('SELECT unit_id FROM main.users WHERE id = ?').pluck().get(drafterId) as number | null | undefined) ?? null;
    if (drafterUnit !== null && u.unit_id !== null && (u.unit_role === 'head' || u.unit_role === 'deputy')) {
      for (let id: number | null = drafterUnit, depth = 0; id !== null && depth < 20; depth++) {
        if (id === u.unit_id) return true;
        id = (db.prepare('SELECT parent_id FROM main.internal_units WHERE id = ?').pluck().get(id) as number | null | undefined) ?? null;
      }
    }
    return holdsAuthority(db, approverId, 'approve', dateIso, drafterUnit ?? undefined);
  }

  private checkApprovers(db: Db, ids: readonly number[], secrecy: Secrecy, drafterId: number, today: string): void {
    const seen = new Set<number>();
    for (const id of ids) {
      const u = db.prepare('SELECT full_name, clearance FROM main.users WHERE id = ? AND active = 1').get(id) as { full_name: string; clearance: Secrecy } | undefined;
      if (!u) throw refusal('VALIDATION', 'outgoing.approverUnknown', undefined, 'approvers');
      if (seen.has(id)) throw refusal('VALIDATION', 'outgoing.approverRepeated', { name: u.full_name }, 'approvers');
      if (!clearedFor(u.clearance, secrecy)) throw refusal('VALIDATION', 'outgoing.notCleared', { name: u.full_name, level: SECRECY_LABELS[secrecy] }, 'approvers');
      if (!this.mayApprove(db, id, drafterId, today)) {
        throw refusal('VALIDATION', 'outgoing.approverNoAuthority', { name: u.full_name, date: formatDateVn(today) }, 'approvers', `user ${id} is not a leader and holds no authority to approve on ${today}`);
      }
      seen.add(id);
    }
  }

  /** The signing key: bound to the person, valid now, for signing; for the agency, one of its certificates when named. */
  private checkKey(ctx: CoreContext, actor: Actor, key: PrivateKeyOps, role: 'signer' | 'agency'): void {
    const info = parseCertificate(key.certificate);
    const name = info.commonName;
    if (holderOf(ctx.db, key.certificate) !== actor.id) throw refusal('FORBIDDEN', 'outgoing.certNotBound', { name });
    const now = ctx.now();
    if (!isValidAt(info, now)) throw refusal('VALIDATION', 'outgoing.certExpired', { name, from: formatDateVn(todayIso(info.notBefore)), to: formatDateVn(todayIso(info.notAfter)) });
    if (!canSign(info) || info.basicConstraints?.ca) throw refusal('VALIDATION', 'outgoing.certKeyUsage', { name });
    const agency = readConfig(ctx.db).agencyCertificates;
    if (role === 'agency' && agency.length > 0 && !agency.includes(fingerprintOf(info))) throw refusal('FORBIDDEN', 'outgoing.notAgencyCert', { name });
  }

  private resolveRecipients(db: Db, inputs: readonly OutgoingRecipientInput[]): ResolvedRecipient[] {
    const out: ResolvedRecipient[] = [];
    const seen = new Set<string>();
    for (const r of inputs) {
      let v: ResolvedRecipient;
      if ('internalUnitId' in r) {
        const u = findInternalUnit(db, r.internalUnitId);
        if (!u || !u.active) throw refusal('VALIDATION', 'outgoing.recipientUnknown', undefined, 'recipients');
        v = { kind: 'internal', internalUnitId: u.id, unitId: null, code: null, name: u.name };
      } else if ('unitId' in r) {
        const u = db.prepare('SELECT id, name, code FROM main.units WHERE id = ? AND is_self = 0').get(r.unitId) as { id: number; name: string; code: string | null } | undefined;
        if (!u) throw refusal('VALIDATION', 'outgoing.recipientUnknown', undefined, 'recipients');
        v = { kind: 'external', internalUnitId: null, unitId: u.id, code: u.code, name: u.name };
      } else {
        // By identifier code: the known body with that code, else the body as written.
        const code = r.code.trim().toUpperCase();
        const u = db.prepare('SELECT id, name FROM main.units WHERE code = ? AND is_self = 0').get(code) as { id: number; name: string } | undefined;
        v = { kind: 'external', internalUnitId: null, unitId: u?.id ?? null, code, name: u?.name ?? r.name };
      }
      const k = v.internalUnitId !== null ? `i${v.internalUnitId}` : v.code ? `c${v.code}` : `u${v.unitId}`;
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(v);
    }
    return out;
  }

  private async stagedFiles(ctx: CoreContext, actor: Actor, ids: readonly string[]): Promise<StagedMeta[]> {
    const metas: StagedMeta[] = [];
    for (const id of new Set(ids)) metas.push(await ctx.store.stagedMeta(id, actor.id));
    if (metas[0] && !metas[0].isPdf) throw refusal('VALIDATION', 'outgoing.mainNotPdf', { name: metas[0].name }, 'stagedIds');
    return metas;
  }

  // ---- writing ----

  /** Runs checks (and the work) and audits a refusal they raise; nothing is written by a refusal. */
  private async guard<T>(ctx: CoreContext, actor: Actor, action: string, id: number | null, fn: () => T | Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof DeskError && REFUSALS.has(err.code)) {
        ctx.log?.log('warn', `${action} refused`, { id, reason: err.key ?? err.code, ...(typeof err.details?.log === 'string' ? { why: err.details.log } : {}) });
        auditRefusal(ctx, actor, action, err.key ?? 'input.invalid', { code: (err.details?.code as string | undefined) ?? err.code, ...(typeof err.details?.log === 'string' ? { why: err.details.log } : {}) },
          id === null ? undefined : { entity: 'outgoing', entityId: id });
      }
      throw err;
    }
  }

  /** One step in one write transaction on the fresh row; audited when done, the refusal audited when refused. */
  private async transition(
    actor: Actor, action: string, id: number, fn: (db: Db, c: string, row: OutgoingDbRow, now: Date) => void,
    details?: Record<string, unknown>, at?: Date, detailsAfter?: () => Record<string, unknown>,
  ): Promise<OutgoingDetail> {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    await ctx.writable();
    const now = at ?? ctx.now();
    await this.guard(ctx, actor, action, id, () => writeTx(ctx.db, () => {
      const { row, c } = locateOutgoing(ctx.db, ctx.arms, actor, id);
      fn(ctx.db, c, row, now);
      appendAudit(ctx.db, { userId: actor.id, action, entity: 'outgoing', entityId: id, entityGid: row.global_id, details: { from: row.status, ...(details ?? {}), ...(detailsAfter?.() ?? {}) } }, now.toISOString());
    }));
    return this.get(actor, id);
  }

  private fresh(db: Db, c: string, id: number): OutgoingDbRow {
    const r = db.prepare(`SELECT * FROM ${c}.outgoing WHERE id = ?`).get(id) as OutgoingDbRow | undefined;
    if (!r) throw DeskError.keyed('NOT_FOUND', 'document.notFound');
    return r;
  }

  private gid(db: Db, c: string, id: number): string {
    return db.prepare(`SELECT global_id FROM ${c}.outgoing WHERE id = ?`).pluck().get(id) as string;
  }

  private updateRow(db: Db, c: string, id: number, set: Record<string, unknown>, by: number, now: Date): void {
    const entries = Object.entries(set).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return;
    db.prepare(`UPDATE ${c}.outgoing SET ${entries.map(([k]) => `${k} = ?`).join(', ')} WHERE id = ?`).run(...entries.map(([, v]) => v), id);
    recordChange(db, 'outgoing', id, 'update', by, now, c);
  }

  private addStep(db: Db, c: string, id: number, kind: OutgoingStepKind, position: number | null, version: number, by: number, now: Date, comment: string): void {
    const sid = nextRecordId(db);
    db.prepare(`INSERT INTO ${c}.outgoing_steps (id, global_id, outgoing_id, kind, position, version, actor_id, at, comment) VALUES (?,?,?,?,?,?,?,?,?)`)
      .run(sid, newGlobalId(), id, kind, position, version, by, now.toISOString(), comment);
    recordChange(db, 'outgoing_steps', sid, 'create', by, now, c);
  }

  private insertFiles(db: Db, c: string, id: number, version: number, files: Array<{ name: string; size: number; mime: string; isPdf: boolean; sha256: string }>, by: number, now: Date): void {
    const insert = db.prepare(`INSERT INTO ${c}.outgoing_files (id, global_id, outgoing_id, version, ordinal, role, name, size, mime, is_pdf, sha256) VALUES (?,?,?,?,?,?,?,?,?,?,?)`);
    files.forEach((f, i) => {
      const fid = nextRecordId(db);
      insert.run(fid, newGlobalId(), id, version, i + 1, i === 0 ? 'main' : 'appendix', f.name, f.size, f.mime, f.isPdf ? 1 : 0, f.sha256);
      recordChange(db, 'outgoing_files', fid, 'create', by, now, c);
    });
    // Scanned pages (an appendix, a draft made from a paper original) are read later by the OCR job;
    // queued here, in the transaction that adds the files, so nothing is read twice or forgotten.
    queueOutgoingFiles(db, c, id, now);
  }

  /** A new version's files: the ones given, else the previous version's carried over. */
  private copyOrInsertFiles(db: Db, c: string, row: OutgoingDbRow, version: number, metas: StagedMeta[] | undefined, by: number, now: Date): void {
    const files = metas
      ? metas.map((m) => ({ name: m.name, size: m.size, mime: m.mime, isPdf: m.isPdf, sha256: m.sha256 }))
      : (db.prepare(`SELECT name, size, mime, is_pdf AS isPdf, sha256 FROM ${c}.outgoing_files WHERE outgoing_id = ? AND version = ? ORDER BY ordinal`)
        .all(row.id, row.version) as Array<{ name: string; size: number; mime: string; isPdf: number; sha256: string }>).map((f) => ({ ...f, isPdf: f.isPdf === 1 }));
    this.insertFiles(db, c, row.id, version, files, by, now);
  }

  private storeRecipients(db: Db, c: string, id: number, list: readonly ResolvedRecipient[], by: number, now: Date): void {
    for (const old of db.prepare(`SELECT id FROM ${c}.outgoing_recipients WHERE outgoing_id = ?`).pluck().all(id) as number[]) {
      recordChange(db, 'outgoing_recipients', old, 'delete', by, now, c);
      db.prepare(`DELETE FROM ${c}.outgoing_recipients WHERE id = ?`).run(old);
    }
    const insert = db.prepare(`INSERT INTO ${c}.outgoing_recipients (id, global_id, outgoing_id, ordinal, kind, internal_unit_id, unit_id, code, name) VALUES (?,?,?,?,?,?,?,?,?)`);
    list.forEach((r, i) => {
      const rid = nextRecordId(db);
      insert.run(rid, newGlobalId(), id, i + 1, r.kind, r.internalUnitId, r.unitId, r.code, r.name);
      recordChange(db, 'outgoing_recipients', rid, 'create', by, now, c);
    });
  }
}

/** A blob's bytes (a PDF to sign is read whole: pdf-lib works on the whole file). */
async function readAll(stream: NodeJS.ReadableStream): Promise<Uint8Array> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(parts));
}

export type { OutgoingStatus };
