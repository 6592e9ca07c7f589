// The outbound queue the transport takes from (issue 9 §3/§5): issued documents' packets for their
// external dispatches (ExchangeService.packetsFor) and the status packets this agency owes senders
// (arrival, refusal, registration, then what processing did: assigned, in progress, done, returned).
// A packet is made once under its deterministic id and kept until the transport says it was handed
// over, so a crash between making and handing over yields the same packet again, never a second one.
// The queue holds only sealed ciphertext and Thường packets, so it lives in the base database.
import { createHash } from 'node:crypto';
import type { EdxmlStatusCode } from '../../../common/edxml';
import { isSecret, type Secrecy } from '../../../common/domain';
import { appendAudit } from '../audit/auditLog';
import type { ContextSource, CoreContext } from '../context';
import type { PrivateKeyOps, RecipientSpec } from '../crypto';
import { writeTx } from '../db/transaction';
import { authorize, type Actor } from '../org/rights';
import type { OutgoingService } from '../outgoing/OutgoingService';
import { encryptionCertificates, readDirectory } from './directory';
import { selfAgency } from './inbox';
import { documentIdOf } from './outgoingPacket';
import { currentPacketId, dispatchOfResentPacket } from '../outgoing/resends';
import { parseTakeBack } from '../outgoing/updates';
import { makeStatusPacket, owedStatusId, statusPacketId, type StatusTarget } from './statusPackets';
import { intendStatus, markStatusMade } from './records';
import { recordChange } from '../events/eventLog';
import { updatePacketId, withdrawTakenBack } from './takeBackWithdrawal';
import type { OutgoingPacket } from './ExchangeService';
import { sha256Hex } from '../sync/packets/queue';

function bodiesOf(ctx: CoreContext) {
  if (!ctx.packetBodies) throw new Error('a packet body is in a sealed file and this session has no profile key to open it');
  return ctx.packetBodies;
}

export interface OutboundPacket { packetId: string; to: string; bytes: Buffer }

type PacketsFor = (actor: Actor, outgoingId: number, key: PrivateKeyOps, directory: (code: string) => readonly RecipientSpec[], update?: { stepGid: string }) => Promise<OutgoingPacket[]>;

/** Processing's edXML codes worth telling the sender (03 was sent at registration). */
const FORWARDED: ReadonlySet<string> = new Set(['02', '04', '05', '06']);

export class ExchangeOutbox {
  constructor(private readonly source: ContextSource, private readonly outgoing: OutgoingService, private readonly packetsFor: PacketsFor) {}

  /** What is ready to go: made now if need be (signed by the agency's key on the văn thư's token), then every packet not yet handed over. */
  async ready(actor: Actor, agencyKey: PrivateKeyOps): Promise<{ packets: OutboundPacket[]; problems: Array<{ packetId: string; reason: string }> }> {
    authorize(actor, 'doc.register');
    const ctx = this.source.context();
    await ctx.writable();
    const problems: Array<{ packetId: string; reason: string }> = [];
    const book = readDirectory(ctx.db);
    const certs = encryptionCertificates(book);
    await this.makeDocuments(ctx, actor, agencyKey, certs, problems);
    await this.makeTakeBacks(ctx, agencyKey, certs, problems);
    this.deriveProcessingStatuses(ctx);
    await this.makeStatuses(ctx, actor, agencyKey, certs, problems);
    await this.answerUnreadable(ctx, agencyKey);
    // No await from here on: an update taken back while a packet was being signed above (or a take-back
    // that came by sync) is withdrawn before the queue is read, so it never goes out after its 13.
    const rows = writeTx(ctx.db, () => {
      withdrawTakenBack(ctx.db, ctx.arms.filter((a) => a.level !== null).map((a) => a.schema), ctx.now().toISOString(), actor.id);
      return ctx.db.prepare('SELECT packet_id, to_code, bytes, sha256 FROM main.exchange_outbox WHERE handed_at IS NULL AND withdrawn_at IS NULL ORDER BY made_at, packet_id').all() as
        Array<{ packet_id: string; to_code: string; bytes: Buffer; sha256: string | null }>;
    });
    const packets: OutboundPacket[] = [];
    for (const r of rows) {
      try {
        packets.push({ packetId: r.packet_id, to: r.to_code, bytes: r.bytes.length === 0 && r.sha256 ? bodiesOf(ctx).get(r.sha256) : r.bytes });
      } catch (e) {
        // A body file missing or altered: this packet is named as a problem each round; the others still go.
        problems.push({ packetId: r.packet_id, reason: e instanceof Error ? e.message : String(e) });
      }
    }
    return { packets, problems };
  }

  /** The transport handed these over: they leave the queue; a document packet's dispatch is then sent. */
  handedOver(actor: Actor, packetIds: readonly string[]): number {
    authorize(actor, 'session');
    const ctx = this.source.context();
    ctx.assertWritable();
    const now = ctx.now();
    const bodies: string[] = [];
    const handed = writeTx(ctx.db, () => {
      let n = 0;
      for (const id of packetIds) {
        const row = ctx.db.prepare('SELECT kind, sha256 FROM main.exchange_outbox WHERE packet_id = ? AND handed_at IS NULL AND withdrawn_at IS NULL').get(id) as { kind: string; sha256: string | null } | undefined;
        if (!row) continue;
        ctx.db.prepare('UPDATE main.exchange_outbox SET handed_at = ? WHERE packet_id = ?').run(now.toISOString(), id);
        if (row.sha256) bodies.push(row.sha256);
        n++;
        if (row.kind !== 'document') continue;
        for (const arm of ctx.arms) {
          if (arm.level === null) continue;
          // An event too: the agency's other workstations see it sent and do not make its packet again.
          const gid = dispatchOfResentPacket(ctx.db, arm.schema, id) ?? id; // a resend's packet: its dispatch
          const d = ctx.db.prepare(`SELECT id FROM ${arm.schema}.outgoing_dispatches WHERE global_id = ? AND status = 'pending'`).pluck().get(gid) as number | undefined;
          if (d === undefined) continue;
          ctx.db.prepare(`UPDATE ${arm.schema}.outgoing_dispatches SET status = 'sent', updated_at = ? WHERE id = ?`).run(now.toISOString(), d);
          recordChange(ctx.db, 'outgoing_dispatches', d, 'update', actor.id, now, arm.schema);
        }
      }
      if (n > 0) appendAudit(ctx.db, { userId: actor.id, action: 'exchange.handedOver', details: { packets: n } }, now.toISOString());
      return n;
    });
    // The transport's queue names the same body files (same digests) until it has sent them.
    for (const sha256 of bodies) ctx.packetBodies?.release(ctx.db, sha256);
    return handed;
  }

  private has(ctx: CoreContext, packetId: string): boolean {
    return ctx.db.prepare('SELECT 1 FROM main.exchange_outbox WHERE packet_id = ?').get(packetId) !== undefined;
  }

  /** Kept under its id; the body as a sealed file (synced first) when the profile is keyed, else in the row. */
  private put(ctx: CoreContext, kind: 'document' | 'status', packetId: string, to: string, bytes: Buffer, after?: () => void): void {
    const sha256 = ctx.packetBodies ? sha256Hex(bytes) : null;
    if (sha256) ctx.packetBodies!.put(sha256, bytes);
    writeTx(ctx.db, () => {
      ctx.db.prepare('INSERT OR IGNORE INTO main.exchange_outbox (packet_id, kind, to_code, bytes, sha256, size, made_at) VALUES (?,?,?,?,?,?,?)')
        .run(packetId, kind, to, sha256 ? Buffer.alloc(0) : bytes, sha256, bytes.length, ctx.now().toISOString());
      after?.();
    });
  }

  private async makeDocuments(ctx: CoreContext, actor: Actor, key: PrivateKeyOps, certs: (code: string) => RecipientSpec[], problems: Array<{ packetId: string; reason: string }>): Promise<void> {
    // Pending dispatches (new documents) and recalled ones (revocations), whose packets are not made yet.
    const wanted = new Map<number, string[]>();
    for (const arm of ctx.arms) {
      if (arm.level === null) continue;
      // A dispatch taken back from an issued document (status 13, below) wants no revocation.
      const rows = ctx.db.prepare(`SELECT d.outgoing_id AS oid, d.global_id AS gid, d.status FROM ${arm.schema}.outgoing_dispatches d JOIN ${arm.schema}.outgoing_recipients r ON r.id = d.recipient_id
        JOIN ${arm.schema}.outgoing o ON o.id = d.outgoing_id
        WHERE (d.status = 'pending' OR (d.status = 'recalled' AND o.status = 'recalled')) AND r.code IS NOT NULL`).all() as Array<{ oid: number; gid: string; status: string }>;
      for (const r of rows) wanted.set(r.oid, [...(wanted.get(r.oid) ?? []), r.status === 'pending' ? currentPacketId(ctx.db, arm.schema, r.gid) : revocationId(r.gid)]);
    }
    for (const [oid, ids] of wanted) {
      if (ids.every((id) => this.has(ctx, id))) continue;
      try {
        for (const p of await this.packetsFor(actor, oid, key, certs)) if (!this.has(ctx, p.packetId)) this.put(ctx, 'document', p.packetId, p.to, p.bytes);
      } catch (e) {
        problems.push({ packetId: ids[0]!, reason: e instanceof Error ? e.message : String(e) });
      }
    }
    // Cập nhật (type 2): each update of an issued document, to each agency the document was sent to.
    for (const arm of ctx.arms) {
      if (arm.level === null) continue;
      const rows = ctx.db.prepare(`SELECT s.outgoing_id AS oid, s.global_id AS step, d.global_id AS gid FROM ${arm.schema}.outgoing_steps s
        JOIN ${arm.schema}.outgoing o ON o.id = s.outgoing_id AND o.status = 'issued'
        JOIN ${arm.schema}.outgoing_dispatches d ON d.outgoing_id = s.outgoing_id AND d.status = 'sent'
        JOIN ${arm.schema}.outgoing_recipients r ON r.id = d.recipient_id AND r.code IS NOT NULL
        WHERE s.kind = 'update' ORDER BY s.id`).all() as Array<{ oid: number; step: string; gid: string }>;
      const due = new Map<string, { oid: number; ids: string[] }>();
      for (const r of rows) {
        const id = updatePacketId(r.gid, r.step);
        if (this.has(ctx, id)) continue;
        due.set(r.step, { oid: r.oid, ids: [...(due.get(r.step)?.ids ?? []), id] });
      }
      for (const [step, { oid, ids }] of due) {
        try {
          for (const p of await this.packetsFor(actor, oid, key, certs, { stepGid: step })) if (!this.has(ctx, p.packetId)) this.put(ctx, 'document', p.packetId, p.to, p.bytes);
        } catch (e) {
          problems.push({ packetId: ids[0]!, reason: e instanceof Error ? e.message : String(e) });
        }
      }
    }
  }

  /**
   * Lấy lại: a status 13 to the agency an issued document was taken back from (OutgoingService.takeBack),
   * naming the document by our DocumentId, with the reason; sealed for that agency when the document is
   * secret. Its ResponseFor names the agency, which is how status packets are routed.
   */
  private async makeTakeBacks(ctx: CoreContext, key: PrivateKeyOps, certs: (code: string) => RecipientSpec[], problems: Array<{ packetId: string; reason: string }>): Promise<void> {
    const self = selfAgency(ctx.db);
    for (const arm of ctx.arms) {
      if (arm.level === null) continue;
      const steps = ctx.db.prepare(`SELECT s.comment, s.at, o.number_symbol, o.issued_date, o.secrecy, u.full_name AS staff FROM ${arm.schema}.outgoing_steps s
        JOIN ${arm.schema}.outgoing o ON o.id = s.outgoing_id LEFT JOIN main.users u ON u.id = s.actor_id WHERE s.kind = 'take_back' ORDER BY s.id`)
        .all() as Array<{ comment: string; at: string; number_symbol: string; issued_date: string; secrecy: Secrecy; staff: string | null }>;
      for (const s of steps) {
        const t = parseTakeBack(s.comment);
        if (!t) continue;
        const packetId = statusPacketId(t.dispatch, '13');
        if (this.has(ctx, packetId)) continue;
        try {
          const bytes = await makeStatusPacket({
            self, target: { senderCode: t.code, documentId: documentIdOf(self.code, s.issued_date, s.number_symbol), numberSymbol: s.number_symbol, promulgationDate: s.issued_date },
            code: '13', description: t.reason, at: new Date(s.at), staff: s.staff, key, sealFor: isSecret(s.secrecy) ? certs(t.code) : null, packetId,
          });
          this.put(ctx, 'status', packetId, t.code, bytes);
        } catch (e) {
          problems.push({ packetId, reason: e instanceof Error ? e.message : String(e) });
        }
      }
    }
  }

  /** Processing steps of documents that came by the exchange become statuses, one each time the code changes. */
  private deriveProcessingStatuses(ctx: CoreContext): void {
    const now = ctx.now();
    writeTx(ctx.db, () => {
      for (const arm of ctx.arms) {
        if (arm.level === null) continue;
        const c = arm.schema;
        // An arrival awaiting its number has not told the sender 03 yet (awaitedArrivals.ts): its steps follow once it has.
        const docs = ctx.db.prepare(`SELECT x.id, x.incoming_id FROM ${c}.exchange_inbox x JOIN ${c}.incoming i ON i.id = x.incoming_id
          WHERE x.state = 'registered' AND i.arrival_number > 0`).all() as Array<{ id: number; incoming_id: number }>;
        for (const d of docs) {
          let last = '03';
          for (const s of ctx.db.prepare(`SELECT global_id, status_code, text, at FROM ${c}.processing_steps WHERE incoming_id = ? ORDER BY id`).all(d.incoming_id) as Array<{ global_id: string; status_code: string; text: string; at: string }>) {
            if (s.status_code === last || !FORWARDED.has(s.status_code)) continue;
            last = s.status_code;
            // Any văn thư's workstation may notice it first: one record agency-wide (its global id is derived).
            intendStatus(ctx.db, c, {
              packetId: statusPacketId(s.global_id, s.status_code as EdxmlStatusCode), inboxId: d.id, code: s.status_code as EdxmlStatusCode,
              description: s.status_code === '02' ? s.text || 'Trả lại' : null, at: s.at,
            }, null, now);
          }
        }
      }
    });
  }

  private async makeStatuses(ctx: CoreContext, actor: Actor, key: PrivateKeyOps, certs: (code: string) => RecipientSpec[], problems: Array<{ packetId: string; reason: string }>): Promise<void> {
    const self = selfAgency(ctx.db);
    for (const arm of ctx.arms) {
      if (arm.level === null) continue;
      const c = arm.schema;
      const level: Secrecy = arm.level;
      const due = ctx.db.prepare(`SELECT s.packet_id, s.code, s.description, s.at, i.from_code, i.document_id, i.header, u.full_name AS staff FROM ${c}.exchange_status_out s
        JOIN ${c}.exchange_inbox i ON i.id = s.inbox_id LEFT JOIN main.users u ON u.id = i.decided_by WHERE s.made = 0 ORDER BY s.at, s.packet_id`).all() as Array<{
        packet_id: string; code: EdxmlStatusCode; description: string | null; at: string; from_code: string; document_id: string; header: string; staff: string | null;
      }>;
      for (const s of due) {
        const head = JSON.parse(s.header) as { code: { number: string | null; notation: string | null }; promulgation: { date: string | null } };
        const target: StatusTarget = {
          senderCode: s.from_code, documentId: s.document_id,
          numberSymbol: [head.code.number, head.code.notation].filter(Boolean).join('/') || null, promulgationDate: head.promulgation.date,
        };
        try {
          const bytes = await makeStatusPacket({
            self, target, code: s.code, description: s.description, at: new Date(s.at), staff: s.staff, key,
            sealFor: isSecret(level) ? certs(s.from_code) : null, packetId: s.packet_id,
          });
          this.put(ctx, 'status', s.packet_id, s.from_code, bytes, () => markStatusMade(ctx.db, c, s.packet_id, actor.id, ctx.now()));
        } catch (e) {
          problems.push({ packetId: s.packet_id, reason: e instanceof Error ? e.message : String(e) });
        }
      }
    }
  }

  /**
   * Packets refused before anything in them could be read: a status 02 naming the transport's packet id,
   * under the id owed to that sender for that packet (two senders' packets under one id get an answer each).
   * Answers made before the id named the sender were `<packet id>-02`: one of those to the same sender
   * counts as made.
   */
  private async answerUnreadable(ctx: CoreContext, key: PrivateKeyOps): Promise<void> {
    const self = selfAgency(ctx.db);
    const rows = ctx.db.prepare(`SELECT packet_id, from_code, reason, opened_at FROM main.exchange_inbound i WHERE state = 'refused' AND reason IS NOT NULL AND reason NOT LIKE '-%'
      AND NOT EXISTS (SELECT 1 FROM main.exchange_outbox o WHERE o.packet_id = substr(i.packet_id, 1, 61) || '-02' AND o.to_code = i.from_code)`).all() as Array<{ packet_id: string; from_code: string; reason: string; opened_at: string }>;
    for (const r of rows) {
      const id = owedStatusId(r.from_code, r.packet_id, '02');
      if (this.has(ctx, id)) continue;
      const bytes = await makeStatusPacket({
        self, target: { senderCode: r.from_code, documentId: r.packet_id, numberSymbol: null, promulgationDate: null }, code: '02', description: r.reason,
        at: new Date(r.opened_at), staff: null, key, sealFor: null, packetId: id,
      });
      this.put(ctx, 'status', id, r.from_code, bytes);
    }
  }
}

/** The id of a dispatch's revocation packet (ExchangeService.packetsFor's rule for business type 1). */
export const revocationId = (dispatchGid: string): string => createHash('sha256').update(`${dispatchGid}/1`).digest('hex').slice(0, 32);

