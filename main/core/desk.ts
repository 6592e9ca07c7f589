// The core facade for one workstation profile: database, attachment store, the signed-in person.
// Electron-free: the app, the development host, the CLI and the tests all open a Desk.
import { randomBytes } from 'node:crypto';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type {
  AppInfo, CountResult, DuplicateRef, IncomingDetail, IncomingRow, KnownUnit, NumberPreview, RegisterResult, RegisterSummary,
  Session, StagedFile, UserSummary,
} from '../../common/contract';
import type { NumberingPreset } from '../../common/domain';
import { DeskError } from '../../common/errors';
import type { IncomingFilter, SetupInput } from '../../common/schemas';
import { appendAudit } from './audit/auditLog';
import { AttachmentStore } from './attachments/store';
import { openDatabase, type Db } from './db/connection';
import { findDuplicates } from './documents/duplicates';
import * as incoming from './documents/incoming';
import { silentLogger, type Logger } from './log';
import { authorize, type Actor } from './org/rights';
import { isSetUp, runSetup } from './org/setup';
import { searchUnits } from './org/units';
import { actorFor, getUser, listUsers } from './org/users';
import { getSetting } from './profile/settings';
import { secrecyRank } from '../../common/domain';

export const APP_VERSION = '0.1.0';
export const DEFAULT_ATTACHMENT_LIMIT = 200 * 1024 * 1024;
const TICKET_TTL_MS = 10 * 60 * 1000;

export interface DeskOptions {
  profileDir: string;
  logger?: Logger;
  now?: () => Date;
}

export interface AttachmentTicket {
  sha256: string;
  name: string;
  mime: string;
  size: number;
  userId: number;
  expires: number;
}

export class Desk {
  readonly db: Db;
  readonly readOnly: boolean;
  readonly damage: string | undefined;
  readonly store: AttachmentStore;
  readonly log: Logger;
  readonly now: () => Date;
  private actor: Actor | null = null;
  private readonly tickets = new Map<string, AttachmentTicket>();

  private constructor(readonly profileDir: string, opts: DeskOptions) {
    mkdirSync(profileDir, { recursive: true });
    this.log = opts.logger ?? silentLogger;
    this.now = opts.now ?? (() => new Date());
    const opened = openDatabase(join(profileDir, 'securedesk.db'));
    this.db = opened.db;
    this.readOnly = opened.readOnly;
    this.damage = opened.damage;
    if (opened.damage) this.log.log('error', 'database failed its integrity check; opened read-only', { reason: opened.damage });
    this.store = new AttachmentStore(join(profileDir, 'store'), join(profileDir, 'staging'));
  }

  static async open(opts: DeskOptions): Promise<Desk> {
    const desk = new Desk(opts.profileDir, opts);
    if (!desk.readOnly) await desk.store.init();
    return desk;
  }

  close(): void {
    this.actor = null;
    this.tickets.clear();
    this.db.close();
  }

  assertWritable(): void {
    if (this.readOnly)
      throw new DeskError('READ_ONLY', 'Cơ sở dữ liệu bị hỏng nên đang mở ở chế độ chỉ đọc. Không thể ghi dữ liệu; hãy liên hệ quản trị để khôi phục từ bản sao lưu.');
  }

  private get ctx(): incoming.IncomingContext {
    return { db: this.db, store: this.store, assertWritable: () => this.assertWritable(), now: this.now };
  }

  // ---- profile and session ----

  info(): AppInfo {
    const limit = this.attachmentLimit();
    if (this.readOnly) {
      return {
        version: APP_VERSION, profile: 'damaged', readOnly: true, attachmentLimitBytes: limit,
        banner: 'Cơ sở dữ liệu của máy trạm bị hỏng. Ứng dụng chỉ mở ở chế độ chỉ đọc và không ghi gì thêm. Hãy báo quản trị để khôi phục từ bản sao lưu.',
      };
    }
    if (!isSetUp(this.db)) return { version: APP_VERSION, profile: 'new', readOnly: false, attachmentLimitBytes: limit };
    const unit = this.db.prepare('SELECT name, code FROM units WHERE id = ?').get(Number(getSetting(this.db, 'self_unit_id'))) as { name: string; code: string };
    return {
      version: APP_VERSION, profile: 'ready', readOnly: false, attachmentLimitBytes: limit,
      unit: { name: unit.name, code: unit.code, preset: getSetting(this.db, 'numbering_preset') as NumberingPreset },
    };
  }

  attachmentLimit(): number {
    const v = this.readOnly ? undefined : getSetting(this.db, 'attachment_limit_bytes');
    return v ? Number(v) : DEFAULT_ATTACHMENT_LIMIT;
  }

  get session(): Actor | null {
    return this.actor;
  }

  private sessionOf(actor: Actor): Session {
    const user = getUser(this.db, actor.id)!;
    return { user, rights: [...actor.rights] };
  }

  setup(input: SetupInput): Session {
    this.assertWritable();
    const userId = runSetup(this.db, input);
    this.log.log('info', 'workstation profile created', { preset: input.unit.preset });
    return this.login(userId);
  }

  users(): UserSummary[] {
    try {
      return isSetUp(this.db) ? listUsers(this.db) : [];
    } catch (err) {
      // A damaged database may not even yield its user list; the banner already says why.
      if (this.readOnly) return [];
      throw err;
    }
  }

  /** Until token login arrives (PKCS#11 issue), a person signs in by choosing their user record. */
  login(userId: number): Session {
    const user = getUser(this.db, userId);
    if (!user) throw new DeskError('NOT_FOUND', 'Không tìm thấy người dùng.');
    this.actor = actorFor(user);
    if (!this.readOnly) this.db.transaction(() => appendAudit(this.db, { userId, action: 'session.login' }))();
    return this.sessionOf(this.actor);
  }

  currentSession(): Session | null {
    return this.actor ? this.sessionOf(this.actor) : null;
  }

  logout(): void {
    if (this.actor && !this.readOnly) appendAudit(this.db, { userId: this.actor.id, action: 'session.logout' });
    this.actor = null;
    this.tickets.clear();
  }

  // ---- documents ----

  searchUnits(actor: Actor, query: string, limit: number): KnownUnit[] {
    authorize(actor, 'session');
    return searchUnits(this.db, query, limit);
  }

  registers(actor: Actor): RegisterSummary[] {
    return incoming.listRegisters(this.db, actor);
  }

  async stageFile(actor: Actor, source: Readable, name: string): Promise<StagedFile> {
    authorize(actor, 'doc.register');
    this.assertWritable();
    const meta = await this.store.stage(source, name, this.attachmentLimit(), actor.id);
    const duplicates = findDuplicates(this.db, { numberSymbol: '', issuerName: '', documentDate: '', sha256s: [meta.sha256] }, secrecyRank(actor.clearance));
    return { stagedId: meta.stagedId, name: meta.name, size: meta.size, sha256: meta.sha256, isPdf: meta.isPdf, duplicates };
  }

  async discardStaged(actor: Actor, stagedId: string): Promise<void> {
    authorize(actor, 'doc.register');
    await this.store.stagedMeta(stagedId, actor.id);
    await this.store.discard(stagedId);
  }

  checkDuplicates(actor: Actor, q: { issuerName: string; numberSymbol: string; documentDate: string; stagedIds: string[] }): Promise<DuplicateRef[]> {
    return incoming.checkDuplicates(this.ctx, actor, q);
  }

  previewNumber(actor: Actor, q: Parameters<typeof incoming.previewNumber>[2]): NumberPreview {
    return incoming.previewNumber(this.ctx, actor, q);
  }

  registerIncoming(actor: Actor, input: incoming.RegisterInput): Promise<RegisterResult> {
    return incoming.registerIncoming(this.ctx, actor, input);
  }

  listIncoming(actor: Actor, q: incoming.ListInput): IncomingRow[] {
    return incoming.listIncoming(this.db, actor, q, this.now());
  }

  countIncoming(actor: Actor, f: IncomingFilter): CountResult {
    return incoming.countIncoming(this.db, actor, f, this.now());
  }

  getIncoming(actor: Actor, id: number): IncomingDetail {
    return incoming.getIncoming(this.db, actor, id);
  }

  /** Every view of a document's file is recorded; the viewer gets a short-lived, unguessable ticket. */
  openAttachment(actor: Actor, attachmentId: number): { ticket: string; name: string; mime: string; isPdf: boolean } {
    authorize(actor, 'doc.read');
    const a = this.db
      .prepare('SELECT a.*, i.secrecy_rank AS rank FROM attachments a JOIN incoming i ON i.id = a.incoming_id WHERE a.id = ?')
      .get(attachmentId) as { incoming_id: number; name: string; mime: string; is_pdf: number; sha256: string; size: number; rank: number } | undefined;
    if (!a || a.rank > secrecyRank(actor.clearance)) throw new DeskError('NOT_FOUND', 'Không tìm thấy tệp đính kèm.');
    if (!this.readOnly)
      this.db.transaction(() =>
        appendAudit(this.db, { userId: actor.id, action: 'attachment.view', entity: 'incoming', entityId: a.incoming_id, details: { attachmentId, sha256: a.sha256 } }),
      )();
    const ticket = randomBytes(16).toString('hex');
    const now = Date.now();
    for (const [k, t] of this.tickets) if (t.expires < now) this.tickets.delete(k);
    this.tickets.set(ticket, { sha256: a.sha256, name: a.name, mime: a.mime, size: a.size, userId: actor.id, expires: now + TICKET_TTL_MS });
    return { ticket, name: a.name, mime: a.mime, isPdf: a.is_pdf === 1 };
  }

  /** Resolves a viewer ticket for the signed-in person; undefined when unknown, expired or not theirs. */
  resolveTicket(ticket: string): (AttachmentTicket & { path: string }) | undefined {
    const t = this.tickets.get(ticket);
    if (!t || t.expires < Date.now() || !this.actor || this.actor.id !== t.userId) return undefined;
    const path = this.store.blobPath(t.sha256);
    try {
      statSync(path);
    } catch {
      this.log.log('error', 'attachment blob missing from the store', { sha256: t.sha256 });
      return undefined;
    }
    return { ...t, path };
  }
}
