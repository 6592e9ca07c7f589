// Work files (hồ sơ công việc, Nghị định 30/2020 chương IV): the yearly file list (danh mục hồ sơ)
// with codes, titles, retention and who is responsible; handlers open a file, add and remove
// documents while it is open, and close it; a closed file is exported (PDF in date order with its
// table of contents, XML of its Phụ lục VI metadata), warned about 30 days before it is due to the
// archive, and handed over with a record (biên bản giao nộp), after which it is read-only.
// Where things live (docs/work-files.md): the list entry in the base (code, title, retention, the
// highest level of its documents as a mark); each document's membership in that document's own
// compartment, so only those who hold the level learn which documents a file holds.
import type {
  ArchiveDueItem, ArchiveTransferView, WorkFileDetail, WorkFileItemKind, WorkFileItemView, WorkFileShareView, WorkFileView, WorkFileYearView,
} from '../../../common/contract';
import { addDaysIso, formatDateTimeVn, todayIso, yearOf } from '../../../common/dates';
import { secrecyRank, SECRECY_LABELS, type Secrecy } from '../../../common/domain';
import { DeskError } from '../../../common/errors';
import type { MessageKey, MessageParams } from '../../../common/messages';
import type {
  ArchiveTransferInput, WorkFileCloseInput, WorkFileCreateInput, WorkFileItemInput, WorkFileShareInput, WorkFileUpdateInput,
} from '../../../common/schemas';
import { appendAudit } from '../audit/auditLog';
import { nextRecordId } from '../compartments/ids';
import type { ContextSource, CoreContext } from '../context';
import type { Db } from '../db/connection';
import { writeTx } from '../db/transaction';
import { recordChange } from '../events/eventLog';
import { newGlobalId } from '../events/globalId';
import { authorize, type Actor } from '../org/rights';
import { incomingKind, type FiledRecord, type RecordKind } from './kinds';
import { addMonthsIso, archiveDueMonths, archiveWarningDays, mayChange, mayEditList, mayExport, mayKnowFile, mayOpen, mayShare, mayTransfer, mayWithdrawShare } from './rules';

interface FileRow {
  id: number; global_id: string; year: number; notation: string; code: string; title: string; retention_years: number | null;
  access_regime: string; language: string; description: string; responsible_unit_id: number | null; responsible_user_id: number | null;
  secrecy: Secrecy; status: WorkFileView['status']; created_by: number; created_at: string; opened_by: number | null; opened_at: string | null;
  closed_by: number | null; closed_at: string | null; closed_on: string | null; archive_due: string | null; transfer_id: number | null;
}
interface ItemRow { id: number; global_id: string; work_file_id: number; kind: WorkFileItemKind; record_id: number; record_global_id: string; added_by: number; added_at: string }

/** What the export composes from: the file, and its documents in date order with their PDFs. */
export interface FileContents { file: FileRow; records: Array<FiledRecord & { item: ItemRow }> }

const userName = (db: Db, id: number | null): string | null =>
  id === null ? null : ((db.prepare('SELECT full_name FROM main.users WHERE id = ?').pluck().get(id) as string | undefined) ?? null);

export const retentionText = (years: number | null): string => (years === null ? 'Vĩnh viễn' : `${years} năm`);

export class WorkFileService {
  private readonly kinds = new Map<WorkFileItemKind, RecordKind>([['incoming', incomingKind]]);

  constructor(private readonly source: ContextSource) {}

  /** Another domain (outgoing documents, drafts) makes its records fileable. */
  registerKind(kind: RecordKind): void {
    this.kinds.set(kind.kind, kind);
  }

  // ---- The yearly list ----

  year(actor: Actor, year: number): WorkFileYearView {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    const { db } = ctx;
    const closed = db.prepare('SELECT closed_at, closed_by FROM main.work_file_years WHERE year = ?').get(year) as { closed_at: string; closed_by: number } | undefined;
    const rows = db.prepare('SELECT * FROM main.work_files WHERE year = ? ORDER BY notation, id').all(year) as FileRow[];
    return {
      year, unitCode: this.unitCode(db), closedAt: closed?.closed_at ?? null, closedBy: userName(db, closed?.closed_by ?? null),
      mayEdit: mayEditList(actor) && !closed, files: rows.filter((r) => mayKnowFile(db, actor, r)).map((r) => this.view(ctx, actor, r)),
    };
  }

  async create(actor: Actor, input: WorkFileCreateInput): Promise<WorkFileView> {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    await ctx.writable();
    const { db } = ctx;
    if (!mayEditList(actor)) this.refuse(ctx, actor, 'workfile.create', 'FORBIDDEN', 'workFile.listNotAllowed', {});
    this.assertYearOpen(ctx, actor, input.year, 'workfile.create');
    const code = this.codeOf(db, input.year, input.notation);
    if (db.prepare('SELECT 1 FROM main.work_files WHERE year = ? AND code = ?').get(input.year, code))
      this.refuse(ctx, actor, 'workfile.create', 'VALIDATION', 'workFile.codeTaken', { code, year: input.year }, { at: 'notation' });
    this.checkResponsible(ctx, actor, input.responsibleUnitId ?? null, input.responsibleUserId ?? null, 'workfile.create');
    const now = ctx.now();
    const id = writeTx(db, () => {
      const fid = nextRecordId(db);
      db.prepare(`INSERT INTO main.work_files (id, global_id, year, notation, code, title, retention_years, access_regime, language, description,
          responsible_unit_id, responsible_user_id, created_by, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`)
        .run(fid, newGlobalId(), input.year, input.notation, code, input.title, input.retention === 'vinh_vien' ? null : input.retention,
          input.accessRegime ?? '', input.language || 'Tiếng Việt', input.description ?? '', input.responsibleUnitId ?? null, input.responsibleUserId ?? null,
          actor.id, now.toISOString());
      recordChange(db, 'work_files', fid, 'create', actor.id, now);
      this.audit(db, actor, 'workfile.create', fid, { year: input.year }, now);
      return fid;
    });
    return this.view(ctx, actor, this.row(db, id));
  }

  async update(actor: Actor, input: WorkFileUpdateInput): Promise<WorkFileView> {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    await ctx.writable();
    const { db } = ctx;
    const f = this.known(ctx, actor, input.fileId, 'workfile.update');
    if (!mayEditList(actor)) this.refuse(ctx, actor, 'workfile.update', 'FORBIDDEN', 'workFile.listNotAllowed', {}, { fileId: f.id });
    this.assertYearOpen(ctx, actor, f.year, 'workfile.update', f.id);
    this.assertNotClosed(ctx, actor, f, 'workfile.update');
    const notation = input.notation ?? f.notation;
    const code = this.codeOf(db, f.year, notation);
    if (code !== f.code && db.prepare('SELECT 1 FROM main.work_files WHERE year = ? AND code = ? AND id <> ?').get(f.year, code, f.id))
      this.refuse(ctx, actor, 'workfile.update', 'VALIDATION', 'workFile.codeTaken', { code, year: f.year }, { at: 'notation', fileId: f.id });
    const unitId = input.responsibleUnitId === undefined ? f.responsible_unit_id : input.responsibleUnitId;
    const userId = input.responsibleUserId === undefined ? f.responsible_user_id : input.responsibleUserId;
    this.checkResponsible(ctx, actor, unitId, userId, 'workfile.update');
    const now = ctx.now();
    writeTx(db, () => {
      db.prepare(`UPDATE main.work_files SET notation = ?, code = ?, title = ?, retention_years = ?, access_regime = ?, language = ?, description = ?,
          responsible_unit_id = ?, responsible_user_id = ? WHERE id = ?`)
        .run(notation, code, input.title ?? f.title,
          input.retention === undefined ? f.retention_years : input.retention === 'vinh_vien' ? null : input.retention,
          input.accessRegime ?? f.access_regime, input.language ?? f.language, input.description ?? f.description, unitId, userId, f.id);
      recordChange(db, 'work_files', f.id, 'update', actor.id, now);
      this.audit(db, actor, 'workfile.update', f.id, {}, now);
    });
    return this.view(ctx, actor, this.row(db, f.id));
  }

  /** Closes a year's list: its entries can no longer be added or edited (files in it are still handled). */
  async closeYear(actor: Actor, year: number): Promise<WorkFileYearView> {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    await ctx.writable();
    const { db } = ctx;
    if (!mayEditList(actor)) this.refuse(ctx, actor, 'workfile.closeYear', 'FORBIDDEN', 'workFile.listNotAllowed', {});
    if (db.prepare('SELECT 1 FROM main.work_file_years WHERE year = ?').get(year))
      this.refuse(ctx, actor, 'workfile.closeYear', 'VALIDATION', 'workFile.yearAlreadyClosed', { year });
    const now = ctx.now();
    writeTx(db, () => {
      const id = nextRecordId(db);
      db.prepare('INSERT INTO main.work_file_years (id, global_id, year, closed_by, closed_at) VALUES (?,?,?,?,?)').run(id, newGlobalId(), year, actor.id, now.toISOString());
      recordChange(db, 'work_file_years', id, 'create', actor.id, now);
      appendAudit(db, { userId: actor.id, action: 'workfile.closeYear', details: { year } }, now.toISOString());
    });
    return this.year(actor, year);
  }

  // ---- A file's life ----

  get(actor: Actor, fileId: number): WorkFileDetail {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    const f = this.known(ctx, actor, fileId, 'workfile.view');
    const items = this.visibleRecords(ctx, actor, f).map(({ item, ...r }): WorkFileItemView => ({
      id: item.id, kind: item.kind, recordId: item.record_id, recordGlobalId: item.record_global_id, secrecy: r.level,
      numberSymbol: r.numberSymbol, documentDate: r.documentDate, issuer: r.issuer, typeCode: r.typeCode, subject: r.subject, pages: r.pages,
      addedBy: userName(ctx.db, item.added_by) ?? '', addedAt: item.added_at,
    }));
    return { ...this.view(ctx, actor, f, items.length), items, shares: this.shares(ctx.db, actor, f) };
  }

  async open(actor: Actor, fileId: number): Promise<WorkFileView> {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    await ctx.writable();
    const { db } = ctx;
    const f = this.known(ctx, actor, fileId, 'workfile.open');
    this.assertNotClosed(ctx, actor, f, 'workfile.open');
    if (f.status === 'open') this.refuse(ctx, actor, 'workfile.open', 'VALIDATION', 'workFile.alreadyOpen', { code: f.code }, { fileId: f.id });
    if (!mayOpen(actor, f.responsible_user_id)) this.refuse(ctx, actor, 'workfile.open', 'FORBIDDEN', 'workFile.notResponsible', { code: f.code }, { fileId: f.id });
    const now = ctx.now();
    writeTx(db, () => {
      db.prepare("UPDATE main.work_files SET status = 'open', opened_by = ?, opened_at = ? WHERE id = ?").run(actor.id, now.toISOString(), f.id);
      recordChange(db, 'work_files', f.id, 'update', actor.id, now);
      this.audit(db, actor, 'workfile.open', f.id, {}, now);
    });
    return this.view(ctx, actor, this.row(db, f.id));
  }

  async addItem(actor: Actor, input: WorkFileItemInput): Promise<WorkFileDetail> {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    await ctx.writable();
    const { db } = ctx;
    const f = this.known(ctx, actor, input.fileId, 'workfile.add');
    this.assertChangeable(ctx, actor, f, 'workfile.add');
    const rec = this.place(ctx, actor, input.kind, input.recordId, f, 'workfile.add');
    if (db.prepare(`SELECT 1 FROM ${rec.schema}.work_file_items WHERE work_file_id = ? AND kind = ? AND record_id = ?`).get(f.id, rec.kind, rec.id))
      this.refuse(ctx, actor, 'workfile.add', 'VALIDATION', 'workFile.docAlready', { code: f.code }, { fileId: f.id });
    const now = ctx.now();
    writeTx(db, () => {
      const iid = nextRecordId(db);
      db.prepare(`INSERT INTO ${rec.schema}.work_file_items (id, global_id, work_file_id, work_file_global_id, kind, record_id, record_global_id, incoming_id, added_by, added_at)
        VALUES (?,?,?,?,?,?,?,?,?,?)`).run(iid, newGlobalId(), f.id, f.global_id, rec.kind, rec.id, rec.globalId, rec.kind === 'incoming' ? rec.id : null, actor.id, now.toISOString());
      recordChange(db, 'work_file_items', iid, 'create', actor.id, now, rec.schema);
      // The file carries the highest level of its documents.
      if (secrecyRank(rec.level) > secrecyRank(f.secrecy)) {
        db.prepare('UPDATE main.work_files SET secrecy = ? WHERE id = ?').run(rec.level, f.id);
        recordChange(db, 'work_files', f.id, 'update', actor.id, now);
      }
      this.audit(db, actor, 'workfile.add', f.id, { kind: rec.kind, record: rec.id }, now);
    });
    return this.get(actor, f.id);
  }

  async removeItem(actor: Actor, input: WorkFileItemInput): Promise<WorkFileDetail> {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    await ctx.writable();
    const { db } = ctx;
    const f = this.known(ctx, actor, input.fileId, 'workfile.remove');
    this.assertChangeable(ctx, actor, f, 'workfile.remove');
    const found = this.memberArms(ctx).map((schema) => ({ schema, item: db.prepare(`SELECT * FROM ${schema}.work_file_items WHERE work_file_id = ? AND kind = ? AND record_id = ?`)
      .get(f.id, input.kind, input.recordId) as ItemRow | undefined })).find((x) => x.item);
    if (!found) this.refuse(ctx, actor, 'workfile.remove', 'VALIDATION', 'workFile.docNotInFile', { code: f.code }, { fileId: f.id });
    const { schema, item } = found as { schema: string; item: ItemRow };
    const now = ctx.now();
    writeTx(db, () => {
      recordChange(db, 'work_file_items', item.id, 'delete', actor.id, now, schema);
      db.prepare(`DELETE FROM ${schema}.work_file_items WHERE id = ?`).run(item.id);
      // The holder cleared for the file's level sees every compartment it spans: the highest left is exact.
      const highest = highestOf(this.memberLevels(ctx, f.id));
      if (highest !== f.secrecy) {
        db.prepare('UPDATE main.work_files SET secrecy = ? WHERE id = ?').run(highest, f.id);
        recordChange(db, 'work_files', f.id, 'update', actor.id, now);
      }
      this.audit(db, actor, 'workfile.remove', f.id, { kind: item.kind, record: item.record_id }, now);
    });
    return this.get(actor, f.id);
  }

  /** Closes a file: it never changes again (a closed file is not reopened: docs/work-files.md). */
  async close(actor: Actor, input: WorkFileCloseInput): Promise<WorkFileView> {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    await ctx.writable();
    const { db } = ctx;
    const f = this.known(ctx, actor, input.fileId, 'workfile.close');
    this.assertChangeable(ctx, actor, f, 'workfile.close');
    const records = this.allRecords(ctx, actor, f, 'workfile.close');
    if (records.length === 0) this.refuse(ctx, actor, 'workfile.close', 'VALIDATION', 'workFile.empty', { code: f.code }, { fileId: f.id });
    const today = todayIso(ctx.now());
    const closedOn = input.closedOn ?? today;
    if (closedOn > today) this.refuse(ctx, actor, 'workfile.close', 'VALIDATION', 'workFile.closedInFuture', {}, { at: 'closedOn', fileId: f.id });
    const last = records.at(-1)!.documentDate;
    if (closedOn < last) this.refuse(ctx, actor, 'workfile.close', 'VALIDATION', 'workFile.closedBeforeDocuments', { date: last.split('-').reverse().join('/') }, { at: 'closedOn', fileId: f.id });
    const due = addMonthsIso(closedOn, archiveDueMonths(db));
    // A document's level may have changed since it was filed (a level change moves its membership with
    // it): the closed file carries the highest level of what it holds now.
    const level = highestOf(records.map((r) => r.level));
    const now = ctx.now();
    writeTx(db, () => {
      db.prepare("UPDATE main.work_files SET status = 'closed', closed_by = ?, closed_at = ?, closed_on = ?, archive_due = ?, secrecy = ? WHERE id = ?")
        .run(actor.id, now.toISOString(), closedOn, due, level, f.id);
      recordChange(db, 'work_files', f.id, 'update', actor.id, now);
      this.audit(db, actor, 'workfile.close', f.id, { documents: records.length, closedOn, archiveDue: due }, now);
    });
    return this.view(ctx, actor, this.row(db, f.id));
  }

  /** The files the person may add a document to now (open, and theirs to change). */
  openFiles(actor: Actor): WorkFileView[] {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    const rows = ctx.db.prepare("SELECT * FROM main.work_files WHERE status = 'open' ORDER BY year DESC, notation").all() as FileRow[];
    return rows.filter((r) => mayChange(actor, r.opened_by) && mayKnowFile(ctx.db, actor, r)).map((r) => this.view(ctx, actor, r));
  }

  /** The files a record is in (those the person holds the level of: memberships live with the record). */
  forRecord(actor: Actor, kind: WorkFileItemKind, recordId: number): WorkFileView[] {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    const rec = this.resolver(ctx, actor, kind).place(ctx, actor, recordId);
    const ids = ctx.db.prepare(`SELECT work_file_id FROM ${rec.schema}.work_file_items WHERE kind = ? AND record_id = ? ORDER BY work_file_id`).pluck().all(kind, rec.id) as number[];
    return ids.map((id) => this.row(ctx.db, id)).filter((r) => mayKnowFile(ctx.db, actor, r)).map((r) => this.view(ctx, actor, r));
  }

  /** Shares a file with a person cleared for its level: they learn its title and metadata (need-to-know, docs/work-files.md). */
  async share(actor: Actor, input: WorkFileShareInput): Promise<WorkFileView> {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    await ctx.writable();
    const { db } = ctx;
    const f = this.known(ctx, actor, input.fileId, 'workfile.share');
    if (!mayShare(actor, f.opened_by)) this.refuse(ctx, actor, 'workfile.share', 'FORBIDDEN', 'workFile.shareNotAllowed', { code: f.code }, { fileId: f.id });
    const user = db.prepare('SELECT full_name, clearance FROM main.users WHERE id = ? AND active = 1').get(input.userId) as { full_name: string; clearance: Secrecy } | undefined;
    if (!user) this.refuse(ctx, actor, 'workfile.share', 'VALIDATION', 'workFile.shareUnknown', {}, { at: 'userId', fileId: f.id });
    if (secrecyRank(user!.clearance) < secrecyRank(f.secrecy))
      this.refuse(ctx, actor, 'workfile.share', 'VALIDATION', 'workFile.shareNotCleared', { name: user!.full_name, level: SECRECY_LABELS[f.secrecy] }, { at: 'userId', fileId: f.id });
    const now = ctx.now();
    writeTx(db, () => {
      const old = db.prepare('SELECT id, withdrawn_at FROM main.work_file_shares WHERE work_file_id = ? AND user_id = ?').get(f.id, input.userId) as { id: number; withdrawn_at: string | null } | undefined;
      if (old && old.withdrawn_at === null) return;
      if (old) {
        // Shared again after a withdrawal: the one row (UNIQUE per file and person) is live again.
        db.prepare('UPDATE main.work_file_shares SET shared_by = ?, shared_at = ?, withdrawn_at = NULL, withdrawn_by = NULL WHERE id = ?').run(actor.id, now.toISOString(), old.id);
        recordChange(db, 'work_file_shares', old.id, 'update', actor.id, now);
        this.audit(db, actor, 'workfile.share', f.id, { user: input.userId, again: true }, now);
        return;
      }
      const sid = nextRecordId(db);
      db.prepare('INSERT INTO main.work_file_shares (id, global_id, work_file_id, user_id, shared_by, shared_at) VALUES (?,?,?,?,?,?)')
        .run(sid, newGlobalId(), f.id, input.userId, actor.id, now.toISOString());
      recordChange(db, 'work_file_shares', sid, 'create', actor.id, now);
      this.audit(db, actor, 'workfile.share', f.id, { user: input.userId }, now);
    });
    return this.view(ctx, actor, this.row(db, f.id));
  }

  /**
   * Withdraws a share (thu hồi chia sẻ): by whoever made it, the file's handler, a lãnh đạo or the văn thư.
   * The person no longer learns of the file (unless they know it otherwise, rules.ts#mayKnowFile); the
   * row stays with who withdrew it and when; an event and an audit entry are written.
   */
  async unshare(actor: Actor, input: WorkFileShareInput): Promise<WorkFileDetail> {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    await ctx.writable();
    const { db } = ctx;
    const f = this.known(ctx, actor, input.fileId, 'workfile.unshare');
    const share = db.prepare('SELECT id, shared_by, withdrawn_at, withdrawn_by FROM main.work_file_shares WHERE work_file_id = ? AND user_id = ?').get(f.id, input.userId) as
      { id: number; shared_by: number; withdrawn_at: string | null; withdrawn_by: number | null } | undefined;
    if (!share) this.refuse(ctx, actor, 'workfile.unshare', 'VALIDATION', 'workFile.shareNotFound', {}, { at: 'userId', fileId: f.id, details: { user: input.userId } });
    if (!mayWithdrawShare(actor, f.opened_by, share!.shared_by))
      this.refuse(ctx, actor, 'workfile.unshare', 'FORBIDDEN', 'workFile.unshareNotAllowed', { code: f.code }, { fileId: f.id, details: { user: input.userId } });
    if (share!.withdrawn_at !== null) {
      this.refuse(ctx, actor, 'workfile.unshare', 'VALIDATION', 'workFile.shareAlreadyWithdrawn', { name: userName(db, input.userId) ?? '', time: formatDateTimeVn(share!.withdrawn_at) },
        { fileId: f.id, details: { user: input.userId } });
    }
    const now = ctx.now();
    writeTx(db, () => {
      db.prepare('UPDATE main.work_file_shares SET withdrawn_at = ?, withdrawn_by = ? WHERE id = ? AND withdrawn_at IS NULL').run(now.toISOString(), actor.id, share!.id);
      recordChange(db, 'work_file_shares', share!.id, 'update', actor.id, now);
      this.audit(db, actor, 'workfile.unshare', f.id, { user: input.userId, sharedBy: share!.shared_by }, now);
    });
    return this.get(actor, f.id);
  }

  /** The people a file is shared with, for those who may withdraw a share (its handler, leaders, the văn thư, the sharer). */
  private shares(db: Db, actor: Actor, f: FileRow): WorkFileShareView[] {
    const rows = db.prepare(`SELECT s.user_id, u.full_name, s.shared_by, s.shared_at FROM main.work_file_shares s JOIN main.users u ON u.id = s.user_id
      WHERE s.work_file_id = ? AND s.withdrawn_at IS NULL ORDER BY s.shared_at, s.id`).all(f.id) as Array<{ user_id: number; full_name: string; shared_by: number; shared_at: string }>;
    return rows.filter((r) => mayWithdrawShare(actor, f.opened_by, r.shared_by)).map((r) => ({
      userId: r.user_id, name: r.full_name, sharedBy: userName(db, r.shared_by) ?? '', sharedAt: r.shared_at, mayWithdraw: f.status !== 'archived',
    }));
  }

  // ---- The archive ----

  /** Closed files due to the archive within `withinDays` (default: the warning period), overdue ones included. */
  archiveDue(actor: Actor, withinDays?: number): ArchiveDueItem[] {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    const { db } = ctx;
    const today = todayIso(ctx.now());
    const limit = addDaysIso(today, withinDays ?? archiveWarningDays(db));
    const rows = (db.prepare("SELECT * FROM main.work_files WHERE status = 'closed' AND archive_due <= ? ORDER BY archive_due, code").all(limit) as FileRow[])
      .filter((r) => mayKnowFile(db, actor, r));
    const day = (iso: string) => Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / 86_400_000;
    return rows.map((r) => ({
      fileId: r.id, code: r.code, title: r.title, closedOn: r.closed_on!, archiveDue: r.archive_due!, daysLeft: day(r.archive_due!) - day(today), secrecy: r.secrecy,
    }));
  }

  /** Hands closed files over to the agency's archive, with the record (biên bản giao nộp); they become read-only. */
  async transfer(actor: Actor, input: ArchiveTransferInput): Promise<ArchiveTransferView> {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    await ctx.writable();
    const { db } = ctx;
    if (!mayTransfer(actor)) this.refuse(ctx, actor, 'workfile.transfer', 'FORBIDDEN', 'archive.notAllowed', {});
    if (new Set(input.fileIds).size !== input.fileIds.length) this.refuse(ctx, actor, 'workfile.transfer', 'VALIDATION', 'archive.duplicateFile', {}, { at: 'fileIds' });
    if (input.transferredOn > todayIso(ctx.now())) this.refuse(ctx, actor, 'workfile.transfer', 'VALIDATION', 'archive.inFuture', {}, { at: 'transferredOn' });
    const files = input.fileIds.map((id) => this.row(db, id));
    for (const f of files) {
      if (f.status === 'archived') this.refuse(ctx, actor, 'workfile.transfer', 'VALIDATION', 'workFile.archived', { code: f.code }, { fileId: f.id });
      if (f.status !== 'closed') this.refuse(ctx, actor, 'workfile.transfer', 'VALIDATION', 'workFile.notClosed', { code: f.code }, { fileId: f.id });
    }
    const now = ctx.now();
    const id = writeTx(db, () => {
      const tid = nextRecordId(db);
      const list = files.map((f) => ({ id: f.id, globalId: f.global_id, code: f.code, title: f.title, retentionYears: f.retention_years }));
      db.prepare(`INSERT INTO main.archive_transfers (id, global_id, transferred_on, handed_by, received_by, archive_name, note, files, recorded_at)
        VALUES (?,?,?,?,?,?,?,?,?)`).run(tid, newGlobalId(), input.transferredOn, actor.id, input.receivedBy, input.archiveName, input.note, JSON.stringify(list), now.toISOString());
      recordChange(db, 'archive_transfers', tid, 'create', actor.id, now);
      for (const f of files) {
        db.prepare("UPDATE main.work_files SET status = 'archived', transfer_id = ? WHERE id = ? AND status = 'closed'").run(tid, f.id);
        recordChange(db, 'work_files', f.id, 'update', actor.id, now);
      }
      appendAudit(db, { userId: actor.id, action: 'workfile.transfer', details: { transfer: tid, files: files.map((f) => f.id) } }, now.toISOString());
      return tid;
    });
    return this.transferView(db, id);
  }

  /** One hand-over record, for its PDF. */
  transferRecord(actor: Actor, transferId: number): ArchiveTransferView & { level: Secrecy } {
    authorize(actor, 'doc.read');
    const { db } = this.source.context();
    // A hand-over record lists files' codes and titles: for the list's keepers only.
    if (!mayEditList(actor) || !db.prepare('SELECT 1 FROM main.archive_transfers WHERE id = ?').get(transferId)) throw DeskError.keyed('NOT_FOUND', 'archive.notFound');
    const view = this.transferView(db, transferId);
    // The record lists files (codes and titles, as the list does): handled at the highest level among them.
    const level = highestOf(view.files.map((f) => (db.prepare('SELECT secrecy FROM main.work_files WHERE id = ?').pluck().get(f.id) as Secrecy | undefined) ?? 'thuong'));
    return { ...view, level };
  }

  transfers(actor: Actor): ArchiveTransferView[] {
    authorize(actor, 'doc.read');
    const { db } = this.source.context();
    if (!mayEditList(actor)) return [];
    const ids = db.prepare('SELECT id FROM main.archive_transfers ORDER BY transferred_on DESC, id DESC').pluck().all() as number[];
    return ids.map((id) => this.transferView(db, id));
  }

  // ---- What the export reads ----

  /** A closed (or archived) file with every document in date order, for one who may export it and sees all of it. */
  contents(actor: Actor, fileId: number): FileContents {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    const f = this.known(ctx, actor, fileId, 'workfile.export');
    if (f.status !== 'closed' && f.status !== 'archived') this.refuse(ctx, actor, 'workfile.export', 'VALIDATION', 'workFile.notClosed', { code: f.code }, { fileId: f.id });
    if (!mayExport(actor, f.opened_by)) this.refuse(ctx, actor, 'workfile.export', 'FORBIDDEN', 'workFile.notHandler', { code: f.code }, { fileId: f.id });
    return { file: f, records: this.allRecords(ctx, actor, f, 'workfile.export') };
  }

  pdfsOf(actor: Actor, rec: FiledRecord): Promise<Uint8Array[]> {
    const ctx = this.source.context();
    return this.resolver(ctx, actor, rec.kind).pdfs(ctx, actor, rec);
  }

  unitCode(db: Db): string {
    return (db.prepare('SELECT code FROM main.units WHERE is_self = 1').pluck().get() as string | null | undefined) ?? '';
  }

  unitName(db: Db): string {
    return (db.prepare('SELECT name FROM main.units WHERE is_self = 1').pluck().get() as string | undefined) ?? '';
  }

  /** Records an export refused while composing (a sealed envelope, a document without a readable PDF). */
  auditExportRefusal(actor: Actor, fileId: number, key: string): void {
    const ctx = this.source.context();
    try {
      writeTx(ctx.db, () => appendAudit(ctx.db, {
        userId: actor.id, action: 'workfile.export', outcome: 'refused', reason: key, entity: 'work_file', entityId: fileId, entityGid: this.gidOf(ctx.db, fileId), details: {},
      }, ctx.now().toISOString()));
    } catch (err) {
      ctx.log.log('error', 'refusal not audited', { action: 'workfile.export', reason: key, error: (err as Error).message });
    }
  }

  auditExport(actor: Actor, fileId: number, details: Record<string, unknown>): void {
    const ctx = this.source.context();
    writeTx(ctx.db, () => this.audit(ctx.db, actor, 'workfile.export', fileId, details, ctx.now()));
  }

  // ---- Internals ----

  private row(db: Db, id: number): FileRow {
    const r = db.prepare('SELECT * FROM main.work_files WHERE id = ?').get(id) as FileRow | undefined;
    if (!r) throw DeskError.keyed('NOT_FOUND', 'workFile.notFound');
    return r;
  }

  /**
   * The file, for someone who may know of it (rules.ts mayKnowFile); to anyone else it does not exist
   * (NOT_FOUND, the same answer as for a file that is not there), and the attempt is audited.
   */
  private known(ctx: CoreContext, actor: Actor, id: number, action: string): FileRow {
    const f = this.row(ctx.db, id);
    if (mayKnowFile(ctx.db, actor, f)) return f;
    try {
      writeTx(ctx.db, () => appendAudit(ctx.db, {
        userId: actor.id, action, outcome: 'refused', reason: 'workFile.notFound', entity: 'work_file', entityId: f.id, entityGid: f.global_id, details: { needToKnow: false },
      }, ctx.now().toISOString()));
    } catch (err) {
      ctx.log.log('error', 'refusal not audited', { action, reason: 'workFile.notFound', error: (err as Error).message });
    }
    throw DeskError.keyed('NOT_FOUND', 'workFile.notFound');
  }

  /** Mã hồ sơ (Phụ lục VI): the agency's identifier code, the year and the file's notation. */
  private codeOf(db: Db, year: number, notation: string): string {
    const unit = this.unitCode(db);
    return `${unit ? `${unit}.` : ''}${year}.${notation}`;
  }

  private memberArms(ctx: CoreContext): string[] {
    return ctx.arms.filter((a) => a.level !== null).map((a) => a.schema);
  }

  private memberLevels(ctx: CoreContext, fileId: number): Secrecy[] {
    return ctx.arms.filter((a) => a.level !== null && ctx.db.prepare(`SELECT 1 FROM ${a.schema}.work_file_items WHERE work_file_id = ? LIMIT 1`).get(fileId))
      .map((a) => a.level as Secrecy);
  }

  private items(ctx: CoreContext, fileId: number): ItemRow[] {
    return this.memberArms(ctx).flatMap((s) => ctx.db.prepare(`SELECT * FROM ${s}.work_file_items WHERE work_file_id = ?`).all(fileId) as ItemRow[]);
  }

  private resolver(ctx: CoreContext, actor: Actor, kind: WorkFileItemKind): RecordKind {
    const k = this.kinds.get(kind);
    if (!k) this.refuse(ctx, actor, 'workfile.add', 'VALIDATION', 'workFile.kindUnsupported', {});
    return k as RecordKind;
  }

  /** The record to add, as the person may see it: refused (and recorded) when need-to-know says no. */
  private place(ctx: CoreContext, actor: Actor, kind: WorkFileItemKind, id: number, f: FileRow, action: string): FiledRecord {
    const k = this.resolver(ctx, actor, kind);
    try {
      return k.place(ctx, actor, id);
    } catch (err) {
      if (err instanceof DeskError && err.code === 'NOT_FOUND')
        this.refuse(ctx, actor, action, 'FORBIDDEN', 'workFile.docNotVisible', {}, { fileId: f.id, details: { kind, record: id } });
      if (err instanceof DeskError && err.code === 'VALIDATION' && err.key)
        this.refuse(ctx, actor, action, 'VALIDATION', err.key, err.params ?? {}, { fileId: f.id, details: { kind, record: id } });
      throw err;
    }
  }

  /** Documents of the file the person may see, in date order (those of levels not held are simply absent). */
  private visibleRecords(ctx: CoreContext, actor: Actor, f: FileRow): Array<FiledRecord & { item: ItemRow }> {
    const out: Array<FiledRecord & { item: ItemRow }> = [];
    for (const item of this.items(ctx, f.id)) {
      const k = this.kinds.get(item.kind);
      if (!k) continue;
      try {
        out.push({ ...k.place(ctx, actor, item.record_id), item });
      } catch (err) {
        if (!(err instanceof DeskError && err.code === 'NOT_FOUND')) throw err;
      }
    }
    return out.sort(byDate);
  }

  /** Every document of the file, or a refusal: a file is closed or exported whole, by someone who sees all of it. */
  private allRecords(ctx: CoreContext, actor: Actor, f: FileRow, action: string): Array<FiledRecord & { item: ItemRow }> {
    if (secrecyRank(f.secrecy) > secrecyRank(actor.clearance)) this.refuse(ctx, actor, action, 'FORBIDDEN', 'workFile.aboveClearance', { code: f.code }, { fileId: f.id });
    const items = this.items(ctx, f.id);
    const seen = this.visibleRecords(ctx, actor, f);
    if (seen.length !== items.length) this.refuse(ctx, actor, action, 'FORBIDDEN', 'workFile.aboveClearance', { code: f.code }, { fileId: f.id });
    return seen;
  }

  private assertYearOpen(ctx: CoreContext, actor: Actor, year: number, action: string, fileId?: number): void {
    if (ctx.db.prepare('SELECT 1 FROM main.work_file_years WHERE year = ?').get(year))
      this.refuse(ctx, actor, action, 'VALIDATION', 'workFile.yearClosed', { year }, fileId ? { fileId } : {});
  }

  private assertNotClosed(ctx: CoreContext, actor: Actor, f: FileRow, action: string): void {
    if (f.status === 'archived') this.refuse(ctx, actor, action, 'VALIDATION', 'workFile.archived', { code: f.code }, { fileId: f.id });
    if (f.status === 'closed') this.refuse(ctx, actor, action, 'VALIDATION', 'workFile.closed', { code: f.code }, { fileId: f.id });
  }

  private assertChangeable(ctx: CoreContext, actor: Actor, f: FileRow, action: string): void {
    this.assertNotClosed(ctx, actor, f, action);
    if (f.status !== 'open') this.refuse(ctx, actor, action, 'VALIDATION', 'workFile.notOpen', { code: f.code }, { fileId: f.id });
    if (!mayChange(actor, f.opened_by)) this.refuse(ctx, actor, action, 'FORBIDDEN', 'workFile.notHandler', { code: f.code }, { fileId: f.id });
    if (secrecyRank(f.secrecy) > secrecyRank(actor.clearance)) this.refuse(ctx, actor, action, 'FORBIDDEN', 'workFile.aboveClearance', { code: f.code }, { fileId: f.id });
  }

  private checkResponsible(ctx: CoreContext, actor: Actor, unitId: number | null, userId: number | null, action: string): void {
    const { db } = ctx;
    if (unitId !== null && !db.prepare('SELECT 1 FROM main.internal_units WHERE id = ?').get(unitId))
      this.refuse(ctx, actor, action, 'VALIDATION', 'workFile.responsibleUnknown', {}, { at: 'responsibleUnitId' });
    if (userId !== null && !db.prepare('SELECT 1 FROM main.users WHERE id = ? AND active = 1').get(userId))
      this.refuse(ctx, actor, action, 'VALIDATION', 'workFile.responsibleUnknown', {}, { at: 'responsibleUserId' });
  }

  /** Records the refusal in the audit log (ids only), then throws it. Nothing else was written. */
  private refuse(ctx: CoreContext, actor: Actor, action: string, code: 'VALIDATION' | 'FORBIDDEN', key: MessageKey, params: MessageParams,
    opts: { at?: string; fileId?: number; details?: Record<string, unknown> } = {}): never {
    try {
      writeTx(ctx.db, () => appendAudit(ctx.db, {
        userId: actor.id, action, outcome: 'refused', reason: key,
        ...(opts.fileId !== undefined ? { entity: 'work_file', entityId: opts.fileId, entityGid: this.gidOf(ctx.db, opts.fileId) } : {}),
        details: opts.details ?? {},
      }, ctx.now().toISOString()));
    } catch (err) {
      ctx.log.log('error', 'refusal not audited', { action, reason: key, error: (err as Error).message });
    }
    throw DeskError.keyed(code, key, params, opts.at ? { at: opts.at } : undefined);
  }

  private gidOf(db: Db, id: number): string {
    return (db.prepare('SELECT global_id FROM main.work_files WHERE id = ?').pluck().get(id) as string | undefined) ?? '';
  }

  private audit(db: Db, actor: Actor, action: string, fileId: number, details: Record<string, unknown>, now: Date): void {
    appendAudit(db, { userId: actor.id, action, entity: 'work_file', entityId: fileId, entityGid: this.gidOf(db, fileId), details }, now.toISOString());
  }

  private transferView(db: Db, id: number): ArchiveTransferView {
    const t = db.prepare('SELECT * FROM main.archive_transfers WHERE id = ?').get(id) as {
      id: number; global_id: string; transferred_on: string; handed_by: number; received_by: string; archive_name: string; note: string; files: string; recorded_at: string;
    };
    const files = (JSON.parse(t.files) as Array<{ id: number; code: string; title: string; retentionYears: number | null }>).map(({ id: fid, code, title, retentionYears }) => ({ id: fid, code, title, retentionYears }));
    return {
      id: t.id, globalId: t.global_id, transferredOn: t.transferred_on, handedBy: userName(db, t.handed_by) ?? '', receivedBy: t.received_by,
      archiveName: t.archive_name, note: t.note, files, recordedAt: t.recorded_at,
    };
  }

  private view(ctx: CoreContext, actor: Actor, r: FileRow, documents?: number): WorkFileView {
    const { db } = ctx;
    const unitName = r.responsible_unit_id === null ? null : ((db.prepare('SELECT name FROM main.internal_units WHERE id = ?').pluck().get(r.responsible_unit_id) as string | undefined) ?? null);
    const yearClosed = db.prepare('SELECT 1 FROM main.work_file_years WHERE year = ?').get(r.year) !== undefined;
    const cleared = secrecyRank(r.secrecy) <= secrecyRank(actor.clearance);
    const live = r.status === 'planned' || r.status === 'open';
    // Only what the viewer may see is counted (need-to-know): a count is a fact about documents too.
    const count = documents ?? this.visibleRecords(ctx, actor, r).length;
    return {
      id: r.id, globalId: r.global_id, year: r.year, notation: r.notation, code: r.code, title: r.title, retentionYears: r.retention_years,
      accessRegime: r.access_regime || (r.secrecy === 'thuong' ? 'Thông thường' : `Hạn chế (${SECRECY_LABELS[r.secrecy]})`),
      language: r.language, description: r.description,
      responsibleUnitId: r.responsible_unit_id, responsibleUnitName: unitName, responsibleUserId: r.responsible_user_id, responsibleUserName: userName(db, r.responsible_user_id),
      secrecy: r.secrecy, status: r.status, createdBy: userName(db, r.created_by) ?? '', createdAt: r.created_at,
      openedBy: userName(db, r.opened_by), openedAt: r.opened_at, closedBy: userName(db, r.closed_by), closedAt: r.closed_at, closedOn: r.closed_on,
      archiveDue: r.archive_due, transferId: r.transfer_id, documents: count,
      may: {
        edit: mayEditList(actor) && !yearClosed && live,
        open: r.status === 'planned' && mayOpen(actor, r.responsible_user_id),
        change: r.status === 'open' && mayChange(actor, r.opened_by) && cleared,
        close: r.status === 'open' && mayChange(actor, r.opened_by) && cleared,
        export: (r.status === 'closed' || r.status === 'archived') && mayExport(actor, r.opened_by) && cleared,
        share: r.status !== 'archived' && mayShare(actor, r.opened_by) && cleared,
      },
    };
  }
}

export const highestOf = (levels: readonly Secrecy[]): Secrecy => levels.reduce<Secrecy>((a, l) => (secrecyRank(l) > secrecyRank(a) ? l : a), 'thuong');

function byDate(a: FiledRecord & { item: ItemRow }, b: FiledRecord & { item: ItemRow }): number {
  return a.documentDate.localeCompare(b.documentDate) || (a.arrivalDate ?? '').localeCompare(b.arrivalDate ?? '') || a.item.id - b.item.id;
}

export const yearOfToday = (ctx: CoreContext): number => yearOf(todayIso(ctx.now()));
