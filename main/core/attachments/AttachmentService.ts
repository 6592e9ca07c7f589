// Files: staging what a person chooses before registration, and opening a registered document's
// file for the viewer through a short-lived, unguessable ticket. Every view is recorded.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { STAGE_ACCESS, type StagedFile } from '../../../common/contract';
import { secrecyRank } from '../../../common/domain';
import { DeskError } from '../../../common/errors';
import { appendAudit } from '../audit/auditLog';
import type { ContextSource } from '../context';
import { writeTx } from '../db/transaction';
import { findDuplicates } from '../documents/duplicates';
import { locate } from '../documents/arms';
import { visibleArm } from '../documents/incoming';
import type { Secrecy } from '../../../common/domain';
import { authorize, type Actor } from '../org/rights';
import { PDF_CHECK_LIMIT, readAll, verifyPdfWithWorkstationTrust } from '../pdf/view';

const TICKET_TTL_MS = 10 * 60 * 1000;

export interface AttachmentTicket {
  /** The compartment whose store holds the blob. */
  level: Secrecy;
  /** Sealed for the person who opens it: unsealed with their session key when served. */
  sealed?: boolean;
  sha256: string;
  name: string;
  mime: string;
  size: number;
  userId: number;
  expires: number;
}

/** What the service needs of the vault besides the context: who is signed in, and lock events. */
export interface SessionSource extends ContextSource {
  readonly session: Actor | null;
  readonly readOnly: boolean;
  onLock(listener: () => void): void;
}

export class AttachmentService {
  private readonly tickets = new Map<string, AttachmentTicket>();

  constructor(private readonly vault: SessionSource) {
    vault.onLock(() => this.tickets.clear());
  }

  // Staged files are the person's own (sealed with their personal key) until a service takes them:
  // the văn thư's registration, and an officer's outgoing draft (outgoing/OutgoingService.ts).
  async stage(actor: Actor, source: Readable, name: string): Promise<StagedFile> {
    authorize(actor, STAGE_ACCESS);
    const c = this.vault.context();
    await c.writable();
    const meta = await c.store.stage(source, name, c.attachmentLimit(), actor.id);
    const duplicates = findDuplicates(c.db, c.arms, { numberSymbol: '', issuerName: '', documentDate: '', sha256s: [meta.sha256] }, secrecyRank(actor.clearance));
    const staged: StagedFile = { stagedId: meta.stagedId, name: meta.name, size: meta.size, sha256: meta.sha256, isPdf: meta.isPdf, duplicates };
    // An incoming PDF's signatures (PAdES) are shown before registration: who signed, when, valid or not.
    if (meta.isPdf && meta.size <= PDF_CHECK_LIMIT) {
      staged.pdfSignatures = await verifyPdfWithWorkstationTrust(c, await readAll(c.store.openStaged(meta.stagedId)));
    }
    return staged;
  }

  async discard(actor: Actor, stagedId: string): Promise<void> {
    authorize(actor, STAGE_ACCESS);
    const { store } = this.vault.context();
    await store.stagedMeta(stagedId, actor.id);
    await store.discard(stagedId);
  }

  /** Every view of a document's file is recorded; the viewer gets a short-lived, unguessable ticket. */
  open(actor: Actor, attachmentId: number): { ticket: string; name: string; mime: string; isPdf: boolean } {
    authorize(actor, 'doc.read');
    const { db, arms, whenWritable } = this.vault.context();
    const arm = locate(db, arms, 'attachments', attachmentId);
    const a = arm && db
      .prepare(`SELECT a.*, i.secrecy_rank AS rank, i.secrecy, a.sealed_for FROM ${arm.schema}.attachments a JOIN ${arm.schema}.incoming i ON i.id = a.incoming_id WHERE a.id = ?`)
      .get(attachmentId) as { incoming_id: number; name: string; mime: string; is_pdf: number; sha256: string; size: number; rank: number; secrecy: Secrecy; sealed_for: number | null } | undefined;
    if (!a || a.rank > secrecyRank(actor.clearance)) throw DeskError.keyed('NOT_FOUND', 'attachment.notFound');
    // Need-to-know as for the document itself: outside one's distribution the file does not exist.
    try {
      visibleArm(db, arms, actor, a.incoming_id);
    } catch {
      throw DeskError.keyed('NOT_FOUND', 'attachment.notFound');
    }
    // "Chỉ người có tên mới được bóc bì": the envelope is registered for all who keep the register, opened by the named person only.
    if (a.sealed_for !== null && a.sealed_for !== actor.id) throw DeskError.keyed('FORBIDDEN', 'envelope.namedOnly');
    // Recorded once the database is known sound (at once, unless its check is still running).
    whenWritable(() =>
      writeTx(db, () =>
        appendAudit(db, { userId: actor.id, action: 'attachment.view', entity: 'incoming', entityId: a.incoming_id, details: { attachmentId, sha256: a.sha256 } }),
      ),
    );
    const ticket = randomBytes(16).toString('hex');
    const now = Date.now();
    for (const [k, t] of this.tickets) if (t.expires < now) this.tickets.delete(k);
    this.tickets.set(ticket, { level: a.secrecy, ...(a.sealed_for !== null ? { sealed: true } : {}), sha256: a.sha256, name: a.name, mime: a.mime, size: a.size, userId: actor.id, expires: now + TICKET_TTL_MS });
    return { ticket, name: a.name, mime: a.mime, isPdf: a.is_pdf === 1 };
  }

  /**
   * A ticket for a blob another service has already authorised for this person (an electronic
   * arrival's file, exchange/inbox.ts: right, clearance and compartment checked there).
   */
  ticketFor(actor: Actor, t: { level: Secrecy; sha256: string; name: string; mime: string; size: number }): string {
    const ticket = randomBytes(16).toString('hex');
    const now = Date.now();
    for (const [k, old] of this.tickets) if (old.expires < now) this.tickets.delete(k);
    this.tickets.set(ticket, { ...t, userId: actor.id, expires: now + TICKET_TTL_MS });
    return ticket;
  }

  /** Opens a viewer ticket for the signed-in person: the plaintext stream, decrypted as it is read. */
  async openTicket(ticket: string): Promise<{ stream: Readable; size: number; mime: string; name: string } | undefined> {
    const t = this.tickets.get(ticket);
    const actor = this.vault.session;
    if (!t || t.expires < Date.now() || !actor || actor.id !== t.userId) return undefined;
    const c = this.vault.context();
    try {
      const store = c.storeFor(t.level);
      if (t.sealed) {
        // Unsealed in memory with the person's own key (on their token); never written in clear.
        const chunks: Buffer[] = [];
        for await (const chunk of store.openBlob(t.sha256)) chunks.push(chunk as Buffer);
        const plain = await c.unseal(Buffer.concat(chunks), c.attachmentLimit());
        return { stream: Readable.from([plain]), size: plain.length, mime: t.mime, name: t.name };
      }
      const size = await store.blobSize(t.sha256);
      return { stream: store.openBlob(t.sha256), size, mime: t.mime, name: t.name };
    } catch {
      c.log.log('error', 'attachment blob missing from the store', { sha256: t.sha256 });
      return undefined;
    }
  }
}
