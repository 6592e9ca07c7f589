// The exchange between agencies, the sending side: an issued document's pending dispatch records
// become edXML packets, one per recipient agency, signed by the agency's certificate (XML-DSig, as
// the national axis reads them) and, for Mật and above, sealed for the recipient agency's encryption
// certificates so that the hub and the servers in between route it by the outer address alone.
// The transport (agency server, hub) carries the bytes this returns.
import { createHash } from 'node:crypto';
import type { Secrecy } from '../../../common/domain';
import { DeskError } from '../../../common/errors';
import { appendAudit } from '../audit/auditLog';
import type { ContextSource } from '../context';
import type { PrivateKeyOps, RecipientSpec } from '../crypto';
import type { CertInput } from '../crypto/certificates';
import { getSetting } from '../profile/settings';
import { authorize, type Actor } from '../org/rights';
import { locateOutgoing } from '../outgoing/records';
import { currentPacketId } from '../outgoing/resends';
import type { OutgoingService } from '../outgoing/OutgoingService';
import { buildDocumentPacket, mustSeal, sealPacket, signPacket, timestampOf } from './edxml';
import { documentIdOf, documentInputFor, type IssuedForPacket } from './outgoingPacket';
import type { DispatchStatusView, ExchangeNotice, ExchangeReceiveResult } from '../../../common/contract';
import { statusLabel } from '../../../common/edxml';
import { writeTx } from '../db/transaction';
import { visibleArm } from '../documents/incoming';
import { storeDirectory } from './directory';
import { ExchangeInbox, type InboundPacket } from './inbox';
import { ExchangeOutbox } from './outbox';
import { noteRefusals } from './refusals';
import { updatePacketId } from './takeBackWithdrawal';
import { currentValues, updatesOf, updateText } from '../outgoing/updates';
import type { AgencyClaims } from './records';
import { workstationId } from '../events/eventLog';
import type { LostWorkstation } from '../sync/packets/protocol';
import { TransportError } from '../sync/transport';

export interface OutgoingPacket {
  dispatchId: number;
  to: string;
  packetId: string;
  secrecy: Secrecy;
  sealed: boolean;
  bytes: Buffer;
}

/** The recipient agencies' encryption certificates by identifier code (the directory the hub keeps). */
export type AgencyDirectory = (code: string) => readonly (CertInput | RecipientSpec)[];

export class ExchangeService {
  /** The receiving side: Văn bản điện tử đến (inbox.ts). */
  readonly inbox: ExchangeInbox;
  /** What is ready to go to the transport (outbox.ts). */
  readonly outbox: ExchangeOutbox;

  constructor(private readonly source: ContextSource, private readonly outgoing: OutgoingService) {
    this.inbox = new ExchangeInbox(source);
    this.outbox = new ExchangeOutbox(source, outgoing, (a, id, key, dir, update) => this.packetsFor(a, id, key, dir, update));
  }

  /**
   * A packet from the transport: kept by its id, then opened with the agency's key on the văn thư's
   * token and checked (inbound.ts). The same packet id again is the same packet (nothing happens twice).
   */
  async accept(actor: Actor, packet: InboundPacket, keys: readonly PrivateKeyOps[], claims: AgencyClaims | null = this.inbox.claims): Promise<ExchangeReceiveResult & { fresh: boolean }> {
    authorize(actor, 'doc.register');
    const { fresh } = this.inbox.receive(actor, packet);
    const r = await this.inbox.openPending(actor, keys, { from: packet.from, packetId: packet.packetId }, claims);
    return { ...r, fresh };
  }

  /**
   * A page from the transport, each packet kept, opened and decided in one write transaction with
   * `taken` (the transport marking it handed over, in the profile's database), the page's takes asked
   * of the agency server at once (inbox.ts, acceptMany).
   */
  acceptMany(actor: Actor, packets: readonly InboundPacket[], keys: readonly PrivateKeyOps[], taken: (from: string, packetId: string) => void, claims: AgencyClaims | null = this.inbox.claims): Promise<ExchangeReceiveResult> {
    return this.inbox.acceptMany(actor, packets, keys, taken, claims);
  }

  /**
   * An administrator declares another workstation of the agency lost for good (its disk gone): the agency
   * server releases the takes it held, so the packets it never landed can be taken here or elsewhere, and
   * refuses anything it sends afterwards. Checked here (right, reason, not this workstation) before the
   * server is asked; audited with the reason and what was released, or with the server's refusal.
   */
  async declareWorkstationLost(actor: Actor, input: { workstation: string; reason: string }, server: { declareLost(workstation: string, reason: string): Promise<LostWorkstation> }): Promise<LostWorkstation> {
    authorize(actor, 'org.manage');
    const ctx = this.source.context();
    ctx.assertWritable();
    const reason = input.reason.trim();
    if (reason.length < 5 || reason.length > 500) throw DeskError.keyed('VALIDATION', 'exchange.lostReasonShort');
    if (input.workstation === workstationId(ctx.db)) throw DeskError.keyed('VALIDATION', 'exchange.lostSelf');
    const audit = (outcome: 'ok' | 'failed', details: Record<string, unknown>, code?: string) => writeTx(ctx.db, () => appendAudit(ctx.db, {
      userId: actor.id, action: 'exchange.workstationLost', outcome, ...(code ? { reason: code } : {}), details: { workstation: input.workstation, reason, ...details },
    }, ctx.now().toISOString()));
    try {
      const r = await server.declareLost(input.workstation, reason);
      audit('ok', { released: r.released, declaredAt: r.declaredAt });
      return r;
    } catch (e) {
      audit('failed', { error: e instanceof Error ? e.message : String(e) }, e instanceof TransportError ? e.code : 'INTERNAL');
      throw e;
    }
  }

  /**
   * Packets refused on the way (the agency server or the hub) noted on the dispatches they carried, once
   * (refusals.ts); the văn thư's round calls it after the transport sent and read the refusal feed.
   */
  noteRefusals(actor: Actor): number {
    authorize(actor, 'doc.register');
    const ctx = this.source.context();
    ctx.assertWritable();
    return noteRefusals(ctx, actor);
  }

  /** The hub's directory of agencies, as the transport synced it (administrators or the văn thư). */
  setDirectory(actor: Actor, entries: readonly { code: string; name: string; certificates: readonly CertInput[] }[]): number {
    authorize(actor, 'session');
    if (!actor.rights.includes('org.manage') && !actor.rights.includes('doc.register')) throw DeskError.keyed('FORBIDDEN', 'rights.forbidden');
    const ctx = this.source.context();
    ctx.assertWritable();
    const n = storeDirectory(ctx.db, entries, ctx.now());
    writeTx(ctx.db, () => appendAudit(ctx.db, { userId: actor.id, action: 'exchange.directory', details: { agencies: n } }, ctx.now().toISOString()));
    return n;
  }

  /** The exchange's notice on a registered document; outside one's need-to-know the document does not exist (NOT_FOUND). */
  notice(actor: Actor, incomingId: number): ExchangeNotice | null {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    visibleArm(ctx.db, ctx.arms, actor, incomingId);
    return this.inbox.noticeFor(ctx, incomingId);
  }

  /** What each recipient agency reported on an outgoing document's dispatches (đã nhận, từ chối, ...). */
  dispatchStatuses(actor: Actor, outgoingId: number): DispatchStatusView[] {
    const detail = this.outgoing.get(actor, outgoingId);
    const ctx = this.source.context();
    const { c } = locateOutgoing(ctx.db, ctx.arms, actor, outgoingId);
    const st = ctx.db.prepare(`SELECT code, description, staff, at, received_at FROM ${c}.exchange_status_in WHERE dispatch_id = ? ORDER BY coalesce(at, received_at), received_at`);
    return detail.dispatches.map((d) => {
      const statuses = (st.all(d.id) as Array<{ code: string; description: string | null; staff: string | null; at: string | null; received_at: string }>)
        .map((s) => ({ code: s.code, label: statusLabel(s.code), description: s.description, staff: s.staff, at: s.at, receivedAt: s.received_at }));
      return { dispatchId: d.id, recipient: d.recipient, code: d.code, dispatchStatus: d.status, statuses, latest: statuses.at(-1) ?? null };
    });
  }

  /**
   * The packets of an issued (or recalled: a revocation packet) document for its pending external
   * dispatches. Only the văn thư dispatches; a classified packet without the recipient's certificate
   * is refused, never sent in clear.
   */
  async packetsFor(actor: Actor, outgoingId: number, agencyKey: PrivateKeyOps, directory: AgencyDirectory, update?: { stepGid: string }): Promise<OutgoingPacket[]> {
    authorize(actor, 'doc.register');
    const detail = this.outgoing.get(actor, outgoingId);
    if (detail.status !== 'issued' && detail.status !== 'recalled') throw DeskError.keyed('VALIDATION', 'exchange.notIssued');
    if (update && detail.status !== 'issued') throw DeskError.keyed('VALIDATION', 'exchange.notIssued');
    const ctx = this.source.context();
    const { db } = ctx;
    const { c, row } = locateOutgoing(db, ctx.arms, actor, outgoingId);
    // Cập nhật (type 2): the document with its metadata as that update corrected it, to the agencies it was sent to.
    const theUpdate = update ? updatesOf(db, c, outgoingId).find((u) => u.stepGid === update.stepGid) : undefined;
    if (update && !theUpdate) throw DeskError.keyed('NOT_FOUND', 'document.notFound');
    const values = theUpdate ? currentValues(db, c, row, theUpdate.stepId) : null;
    const self = db.prepare('SELECT name, code FROM main.units WHERE id = ?').get(Number(getSetting(db, 'self_unit_id'))) as { name: string; code: string | null };
    if (!self.code) throw DeskError.keyed('VALIDATION', 'exchange.noAgencyCode');
    const store = ctx.storeFor(detail.secrecy);
    const files: IssuedForPacket['files'][number][] = [];
    // Each file as its last PAdES signature left it: the number an issue without the agency's signature
    // writes after the signer's is an unsigned update (outgoing/OutgoingService.ts), which a recipient
    // rightly refuses as a change after signing; the number travels in the packet's header.
    for (const f of db.prepare(`SELECT name, role, sha256, signed_sha256,
        (SELECT s.result_sha256 FROM ${c}.outgoing_signatures s WHERE s.file_id = f.id AND s.format = 'pades' AND s.result_sha256 IS NOT NULL ORDER BY s.id DESC LIMIT 1) AS lastSigned
      FROM ${c}.outgoing_files f WHERE outgoing_id = ? AND version = ? ORDER BY ordinal`)
      .all(outgoingId, detail.version) as Array<{ name: string; role: 'main' | 'appendix'; sha256: string; signed_sha256: string | null; lastSigned: string | null }>) {
      const chunks: Buffer[] = [];
      for await (const chunk of store.openBlob(f.lastSigned ?? f.signed_sha256 ?? f.sha256)) chunks.push(chunk as Buffer);
      files.push({ name: f.name, role: f.role, bytes: Buffer.concat(chunks) });
    }
    const signerPosition = (db.prepare('SELECT position FROM main.users WHERE id = ?').pluck().get(detail.signerId) as string | undefined) ?? '';
    const doc: IssuedForPacket = {
      numberSymbol: detail.numberSymbol!, issuedDate: detail.issuedDate!, typeCode: detail.typeCode, subject: values?.subject ?? detail.subject,
      secrecy: detail.secrecy, urgency: detail.urgency, signerCompetence: detail.signerCompetence, signerPosition, signerName: detail.signerName,
      issuedAmount: values ? values.issuedAmount : detail.issuedAmount, pageCount: values ? values.pageCount : detail.pageCount,
      replyDeadline: values ? values.replyDeadline : detail.replyDeadline,
      recipients: detail.recipients.map((r) => r.name), files,
      business: theUpdate ? { type: 2, reason: updateText(theUpdate.update) }
        : detail.status === 'recalled' ? { type: 1, reason: detail.recallReason ?? '' } : { type: 0 },
    };
    // A replacement names what it replaces (BussinessDocType 3), at each recipient agency.
    const replaced = !theUpdate && detail.status === 'issued' && detail.replaces ? this.outgoing.get(actor, detail.replaces.id) : null;
    // An update goes to the agencies the document went to (never before the document itself).
    const wanted = theUpdate ? 'sent' : detail.status === 'recalled' ? 'recalled' : 'pending';
    const out: OutgoingPacket[] = [];
    for (const d of detail.dispatches) {
      if (d.status !== wanted || !d.code) continue;
      const business: IssuedForPacket['business'] = replaced?.numberSymbol && replaced.issuedDate
        ? { type: 3, reason: `Thay thế văn bản số ${replaced.numberSymbol}`, replaces: { documentId: documentIdOf(self.code, replaced.issuedDate, replaced.numberSymbol), organIds: [d.code] } }
        : doc.business;
      const input = documentInputFor({ ...doc, business }, { from: { code: self.code, name: self.name, place: '' }, to: { code: d.code, name: d.recipient }, at: timestampOf(ctx.now()) });
      const built = buildDocumentPacket(input);
      const signed = await signPacket(built.bytes, agencyKey);
      // Stable per dispatch and business type: a packet made again after a crash is the same packet,
      // which the server and the hub keep once.
      const dispatchGid = db.prepare(`SELECT global_id FROM ${c}.outgoing_dispatches WHERE id = ?`).pluck().get(d.id) as string;
      const packetId = theUpdate ? updatePacketId(dispatchGid, theUpdate.stepGid)
        : doc.business.type !== 1 ? currentPacketId(db, c, dispatchGid) : createHash('sha256').update(`${dispatchGid}/${doc.business.type}`).digest('hex').slice(0, 32);
      let bytes = signed;
      if (mustSeal(detail.secrecy)) {
        const certs = directory(d.code);
        if (certs.length === 0) throw DeskError.keyed('VALIDATION', 'exchange.noRecipientCertificate', { code: d.code });
        bytes = await sealPacket(signed, { from: self.code, to: [d.code], packetId, recipients: certs });
      }
      out.push({ dispatchId: d.id, to: d.code, packetId, secrecy: detail.secrecy, sealed: mustSeal(detail.secrecy), bytes });
    }
    appendAudit(db, { userId: actor.id, action: 'exchange.pack', entity: 'outgoing', entityId: outgoingId, details: { packets: out.length, sealed: mustSeal(detail.secrecy), business: doc.business.type } }, ctx.now().toISOString());
    return out;
  }
}
