// Outgoing documents (văn bản đi) as a service: the draft with its metadata (Phụ lục VI), files and
// versions; the ordered approval chain; the signer's and then the agency's signature; the number and
// date given at the issue by the numbering engine, in the issue's transaction; one dispatch record per
// recipient; recall and replacement. Every step is an immutable row of outgoing_steps with its change
// event and an audit entry; every refusal says why and is audited, and changes nothing.
//
// The record lives in the compartment of its level. Who may see it: records.ts (need-to-know).
import { holdsAuthority } from '../org/structure';
import type { OutgoingConfigView, OutgoingDetail, OutgoingIssued, OutgoingPerson, OutgoingRegisterTable, OutgoingRow } from '../../../common/contract';
import { formatDateTimeVn, formatDateVn, todayIso } from '../../../common/dates';
import { clearedFor, documentTypeName, SECRECY_LABELS, secrecyRank, type Secrecy } from '../../../common/domain';
import { DeskError, type ErrorCode } from '../../../common/errors';
import type { MessageKey, MessageParams } from '../../../common/messages';
import { formatIssuedSymbol, OUTGOING_STATUS_LABELS, symbolCodeOf, type OutgoingStatus, type OutgoingStepKind } from '../../../common/outgoing';
import type {
  OutgoingApproveChangesInput, OutgoingConfigInput, OutgoingCreateInput, OutgoingListInput, OutgoingRecipientInput, OutgoingRegisterInput, OutgoingReviseInput,
} from '../../../common/schemas';
import { appendAudit } from '../audit/auditLog';
import type { StagedMeta } from '../attachments/store';
import { nextRecordId } from '../compartments/ids';
import type { ContextSource, CoreContext } from '../context';
import { isValidAt, parseCertificate, signDetached, type PrivateKeyOps } from '../crypto';
import type { Db } from '../db/connection';
import { writeTx } from '../db/transaction';
import { armOf } from '../documents/arms';
import { scopeRow, takeNumber } from '../documents/numbering';
import { recordChange } from '../events/eventLog';
import { newGlobalId } from '../events/globalId';
import { canSign, fingerprintOf, holderOf } from '../org/certificates';
import { signPdf, type PdfAppearance } from '../pdf';
import { findInternalUnit } from '../org/internalUnits';
import { authorize, requireClearance, type Actor } from '../org/rights';
import { assertIssueYearOpen } from '../reports/closedYears';
import { auditRefusal } from '../secrets/registerYears';
import { ensureOutgoingRegisters, outgoingRegisterFor, presetOf, readConfig, writeConfig } from './config';
import { outgoingRegisterFile, outgoingRegisterTable } from './registerOutput';
import { approversOf, detailView, listOutgoing, locateOutgoing, userName, type OutgoingDbRow } from './records';

/** Refusals that are audited (a person tried something the rules forbid). */
const REFUSALS = new Set<ErrorCode>(['FORBIDDEN', 'VALIDATION', 'NOT_FOUND']);

/** A refusal with a stable code in details (the tests and the window tell them apart by it). */
const refusal = (code: 'FORBIDDEN' | 'VALIDATION', key: MessageKey, params?: MessageParams, at?: string): DeskError =>
  DeskError.keyed(code, key, params, { details: { code: key }, ...(at ? { at } : {}) });

const isClerk = (a: Actor): boolean => a.rights.includes('doc.register');

interface ResolvedRecipient { kind: 'internal' | 'external'; internalUnitId: number | null; unitId: number | null; code: string | null; name: string }

export class OutgoingService {
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
    return detailView(ctx.db, c, row, actor, this.can(ctx, row, actor));
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
    writeTx(ctx.db, () => {
      writeConfig(ctx.db, input);
      ensureOutgoingRegisters(ctx.db, actor.id, ctx.now());
      appendAudit(ctx.db, { userId: actor.id, action: 'outgoing.configure', details: { ...input } }, ctx.now().toISOString());
    });
    return this.config(actor);
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
      this.checkApprovers(db, input.approvers, input.secrecy);
      const recipients = this.resolveRecipients(db, input.recipients);
      const metas = await this.stagedFiles(ctx, actor, input.stagedIds);
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
          drafting_unit, issued_amount, reply_deadline, page_count, notes, approvers, current_step, version, created_at, updated_at)
          VALUES (?,?,'draft',?,?,?,?,?,?,?,?,?,?,?,?,?,?,0,1,?,?)`)
        .run(newId, newGlobalId(), input.typeCode, input.subject, input.secrecy, secrecyRank(input.secrecy), input.urgency, input.signerId, input.signerCompetence,
          actor.id, input.draftingUnit, input.issuedAmount ?? null, input.replyDeadline ?? null, input.pageCount ?? null, input.notes,
          JSON.stringify(input.approvers), now.toISOString(), now.toISOString());
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
      if (input.approvers !== undefined) this.checkApprovers(db, input.approvers, row.secrecy);
      const recipients = input.recipients === undefined ? undefined : this.resolveRecipients(db, input.recipients);
      const metas = input.stagedIds === undefined ? undefined : await this.stagedFiles(ctx, actor, input.stagedIds);
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

  /** The designated signer signs the approved document on their token. */
  async signAsSigner(actor: Actor, id: number, key: PrivateKeyOps): Promise<OutgoingDetail> {
    return this.sign(actor, id, key, 'signer');
  }

  /** The văn thư adds the agency's signature after the signer's. */
  async signAsAgency(actor: Actor, id: number, key: PrivateKeyOps): Promise<OutgoingDetail> {
    return this.sign(actor, id, key, 'agency');
  }

  private async sign(actor: Actor, id: number, key: PrivateKeyOps, role: 'signer' | 'agency'): Promise<OutgoingDetail> {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    await ctx.writable();
    const action = role === 'signer' ? 'outgoing.sign_signer' : 'outgoing.sign_agency';
    const check = (db: Db, row: OutgoingDbRow) => {
      if (row.status === 'issued' || row.status === 'recalled') throw refusal('VALIDATION', 'outgoing.issuedFrozen');
      if (role === 'signer') {
        if (row.signer_id !== actor.id) throw refusal('FORBIDDEN', 'outgoing.notSigner', { name: userName(db, row.signer_id) });
        if (row.status !== 'approved') throw refusal('VALIDATION', row.status === 'draft' || row.status === 'in_review' ? 'outgoing.notApproved' : 'outgoing.wrongState', { status: OUTGOING_STATUS_LABELS[row.status] });
      } else {
        if (!isClerk(actor)) throw refusal('FORBIDDEN', 'outgoing.notClerk');
        if (row.status !== 'signer_signed') throw refusal('VALIDATION', row.status === 'agency_signed' ? 'outgoing.wrongState' : 'outgoing.signerFirst', { status: OUTGOING_STATUS_LABELS[row.status] });
      }
    };
    const pre = await this.guard(ctx, actor, action, id, () => {
      const { row, c } = locateOutgoing(ctx.db, ctx.arms, actor, id);
      check(ctx.db, row);
      this.checkKey(ctx, actor, key, role);
      const files = ctx.db.prepare(`SELECT id, role, sha256, signed_sha256, is_pdf FROM ${c}.outgoing_files WHERE outgoing_id = ? AND version = ? ORDER BY ordinal`)
        .all(id, row.version) as Array<{ id: number; role: 'main' | 'appendix'; sha256: string; signed_sha256: string | null; is_pdf: number }>;
      // The signer signs the document; the agency signs it and its appendices (NĐ 30/2020, Phụ lục I).
      const targets = role === 'signer' ? files.filter((f) => f.role === 'main') : files;
      if (targets.length === 0) throw refusal('VALIDATION', 'outgoing.noMainFile');
      return { row, c, targets };
    });
    const now = ctx.now();
    const store = ctx.storeFor(pre.row.secrecy);
    // Made on the token outside the transaction (the token takes its time), stored all at once. A PDF
    // is signed inside (PAdES, an incremental update of the PDF as signed so far, main/core/pdf): the
    // signer's signature visible on the last page, the agency's after it; another file gets a detached
    // CAdES signature. The signed PDF is a new blob of the level; a failed step leaves it unreferenced.
    const cert = parseCertificate(key.certificate);
    const made: Array<{ fileId: number; format: 'cades' | 'pades'; cms: Uint8Array | null; result: string | null }> = [];
    for (const f of pre.targets) {
      if (f.is_pdf === 1) {
        const bytes = await readAll(store.openBlob(f.signed_sha256 ?? f.sha256));
        const appearance: PdfAppearance = role === 'signer'
          ? { kind: 'signer', rect: { x: 330, y: 80, width: 220, height: 70 }, name: userName(ctx.db, pre.row.signer_id), ...(pre.row.signer_competence ? { position: pre.row.signer_competence } : {}) }
          : { kind: 'invisible' };
        const signed = await signPdf(bytes, { key, signingTime: now, now, appearance, reason: role === 'signer' ? 'Người có thẩm quyền ký' : 'Ký số của cơ quan, tổ chức' });
        made.push({ fileId: f.id, format: 'pades', cms: null, result: await store.putBytes(Buffer.from(signed)) });
      } else {
        made.push({ fileId: f.id, format: 'cades', cms: await signDetached(store.openBlob(f.sha256), { key, signingTime: now }), result: null });
      }
    }
    return this.transition(actor, action, id, (db, c, row) => {
      check(db, row);
      if (row.version !== pre.row.version) throw refusal('VALIDATION', 'outgoing.wrongState', { status: OUTGOING_STATUS_LABELS[row.status] });
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
      this.updateRow(db, c, id, { status: role === 'signer' ? 'signer_signed' : 'agency_signed', updated_at: now.toISOString() }, actor.id, now);
      this.addStep(db, c, id, role === 'signer' ? 'sign_signer' : 'sign_agency', null, row.version, actor.id, now, '');
    }, { serial: cert.serialNumber, files: made.length }, now);
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
   * Ban hành: the number and date from the numbering engine, the entry in the register, one dispatch
   * record per recipient: one transaction, so a failure leaves no number taken and nothing half-done.
   */
  async issue(actor: Actor, id: number): Promise<OutgoingIssued> {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    await ctx.writable();
    let issued!: OutgoingIssued;
    await this.transition(actor, 'outgoing.issue', id, (db, c, row, now) => {
      if (!isClerk(actor)) throw refusal('FORBIDDEN', 'outgoing.notClerk');
      if (row.status === 'issued' || row.status === 'recalled') throw refusal('VALIDATION', 'outgoing.alreadyIssued', { number: row.number_symbol ?? '', date: formatDateVn(row.issued_date) });
      const cfg = readConfig(db);
      const ready = cfg.requireAgencySignature ? row.status === 'agency_signed' : row.status === 'agency_signed' || row.status === 'signer_signed';
      if (!ready) throw refusal('VALIDATION', 'outgoing.notSigned');
      const today = todayIso(now);
      assertIssueYearOpen(db, row.secrecy, today);
      if (cfg.sameDayIssue) {
        const last = db.prepare(`SELECT max(signed_at) FROM ${c}.outgoing_signatures WHERE outgoing_id = ?`).pluck().get(id) as string | null;
        if (last && todayIso(new Date(last)) !== today) throw refusal('VALIDATION', 'outgoing.signedOtherDay', { date: formatDateVn(todayIso(new Date(last))) });
      }
      ensureOutgoingRegisters(db, actor.id, now);
      const register = outgoingRegisterFor(db, row.secrecy);
      if (!register) throw refusal('VALIDATION', 'outgoing.noRegister', { level: SECRECY_LABELS[row.secrecy] });
      const scope = scopeRow(db, register.scope_id);
      const { number, period } = takeNumber(db, register.scope_id, today, row.type_code);
      const numberSymbol = formatIssuedSymbol(presetOf(db), number, row.type_code, cfg.issuerNotation, row.drafting_unit);
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
      this.addStep(db, c, id, 'issue', null, row.version, actor.id, now, numberSymbol);
      if (row.replaces_id !== null) {
        const old = this.fresh(db, c, row.replaces_id);
        if (old.replaced_by_id !== null) throw refusal('VALIDATION', 'outgoing.alreadyReplaced');
        db.prepare(`UPDATE ${c}.outgoing SET replaced_by_id = ?, updated_at = ? WHERE id = ?`).run(id, now.toISOString(), old.id);
        recordChange(db, 'outgoing', old.id, 'update', actor.id, now, c);
        this.addStep(db, c, old.id, 'replace', null, old.version, actor.id, now, numberSymbol);
      }
      issued = { id, number, numberSymbol, issuedDate: today, registerName: register.name, dispatches: recipients.length };
    }, undefined, undefined, () => ({ number: issued.number, numberSymbol: issued.numberSymbol, register: issued.registerName, dispatches: issued.dispatches }));
    return issued;
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
      agencySign: r.status === 'signer_signed' && isClerk(a),
      issue: isClerk(a) && (r.status === 'agency_signed' || (!readConfig(ctx.db).requireAgencySignature && r.status === 'signer_signed')),
      recall: r.status === 'issued' && (isClerk(a) || a.role === 'lanh_dao'),
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
    if (u.role !== 'lanh_dao' && !holdsAuthority(db, signerId, 'sign', today)) throw refusal('VALIDATION', 'outgoing.signerNotLeader', { name: u.full_name }, 'signerId');
    if (!clearedFor(u.clearance, secrecy)) throw refusal('VALIDATION', 'outgoing.notCleared', { name: u.full_name, level: SECRECY_LABELS[secrecy] }, 'signerId');
  }

  private checkApprovers(db: Db, ids: readonly number[], secrecy: Secrecy): void {
    const seen = new Set<number>();
    for (const id of ids) {
      const u = db.prepare('SELECT full_name, clearance FROM main.users WHERE id = ? AND active = 1').get(id) as { full_name: string; clearance: Secrecy } | undefined;
      if (!u) throw refusal('VALIDATION', 'outgoing.approverUnknown', undefined, 'approvers');
      if (seen.has(id)) throw refusal('VALIDATION', 'outgoing.approverRepeated', { name: u.full_name }, 'approvers');
      if (!clearedFor(u.clearance, secrecy)) throw refusal('VALIDATION', 'outgoing.notCleared', { name: u.full_name, level: SECRECY_LABELS[secrecy] }, 'approvers');
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
        auditRefusal(ctx, actor, action, err.key ?? 'input.invalid', { code: (err.details?.code as string | undefined) ?? err.code },
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
