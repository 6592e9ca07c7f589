// The receiving side of the exchange (issue 9 §3): packets the transport hands in are kept by packet id
// (a packet handed in twice is one packet), opened and checked by the văn thư's session (inbound.ts),
// and land in "Văn bản điện tử đến" in the compartment of their level: the header, the verification and
// the files (in that level's store) never leave it. The văn thư registers an arrival through the same
// rules as a registration by hand, or refuses it with a reason; either answer goes back to the sender
// as a status (statusPackets.ts, made by the outbox). Recall, update and replacement packets act on the
// copy they name and keep the record. Status packets from recipients are recorded against our dispatch.
import { DOCUMENT_TYPES, URGENCY_LEVELS, isSecret, secrecyRank, type Secrecy, type Urgency } from '../../../common/domain';
import type { ExchangeInboxDetail, ExchangeInboxRow, ExchangeReceiveResult } from '../../../common/contract';
import { formatDateTimeVn, formatDateVn, todayIso } from '../../../common/dates';
import { EDXML_STATUS_LABELS, type EdxmlDocument, type EdxmlPacket, type EdxmlStatus, type EdxmlStatusCode } from '../../../common/edxml';
import { DeskError } from '../../../common/errors';
import { makeIncomingRegisterSchema, type ExchangeRefuseInput, type ExchangeRegisterInput } from '../../../common/schemas';
import { appendAudit } from '../audit/auditLog';
import { nextRecordId } from '../compartments/ids';
import type { ContextSource, CoreContext } from '../context';
import { parseCrlFiles, type PrivateKeyOps } from '../crypto';
import type { Db } from '../db/connection';
import { cached } from '../db/statements';
import { writeTx } from '../db/transaction';
import { armOf, locate, type Arm } from '../documents/arms';
import { registerIncoming } from '../documents/incoming';
import type { NumberAuthority } from '../documents/sharedNumbering';
import { isAwaitingNumber, linkWaitToArrival, setArrivalDecisions } from '../documents/numberWaits';
import { arrivalDecisions } from './awaitedArrivals';
import { recordChange } from '../events/eventLog';
import { newGlobalId } from '../events/globalId';
import { authorize, requireClearance, type Actor } from '../org/rights';
import { dispatchOfResentPacket } from '../outgoing/resends';
import { getSetting } from '../profile/settings';
import { readDirectory } from './directory';
import { openPacket, type Opened, type OpenResult, type Refusal } from './inbound';
import { owedStatusId } from './statusPackets';
import { arrivalGlobalId, intendStatus, recordStatusIn, type AgencyClaims, type ClaimAnswer } from './records';
import { packetKeyString, type PacketKey } from '../sync/packets/protocol';
import { applyReceived } from '../sync/apply';
import { getState, setState } from '../sync/outbox';

/** Where a released decision on an arrival is kept (sync_state of the base, this workstation's own). */
const releasedKey = (from: string, packetId: string): string => `exchange:decision-released:${from.toUpperCase()}/${packetId}`;

/** The sender's code as the ledger keys it. */
const sender = (p: PacketKey): string => p.from.toUpperCase();

/** What the transport hands in. */
export interface InboundPacket {
  packetId: string;
  /** The sending agency's identifier code, as the transport saw it. */
  from: string;
  bytes: Uint8Array;
  /** ISO 8601: when the transport received it. */
  receivedAt: string;
}

export interface StoredFile { name: string; size: number; mime: string; isPdf: boolean; sha256: string; sniffed: string; pageCount: number | null; declaredType: string | null }

interface InboxRow {
  id: number; global_id: string; packet_id: string; from_code: string; from_name: string; document_id: string; business_type: number; business_reason: string | null;
  header: string; verification: string; files: string; state: ExchangeInboxRow['state']; reason: string | null; notice: string | null;
  incoming_id: number | null; original_id: number | null; received_at: string; decided_by: number | null; decided_at: string | null;
}

const PACKET_ID = /^[0-9A-Za-z-]{8,64}$/;
const MIME_OF: Record<string, string> = { pdf: 'application/pdf', zip: 'application/zip', docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', png: 'image/png', jpeg: 'image/jpeg', tiff: 'image/tiff', xml: 'application/xml', text: 'text/plain' };

export function selfAgency(db: Db): { code: string; name: string } {
  const self = cached(db, 'SELECT name, code FROM main.units WHERE id = ?').get(Number(getSetting(db, 'self_unit_id'))) as { name: string; code: string | null } | undefined;
  if (!self?.code) throw DeskError.keyed('VALIDATION', 'exchange.noAgencyCode');
  return { code: self.code, name: self.name };
}

/** "27" + "QĐ/TW" -> "27-QĐ/TW" (party form); "15" + "QĐ-UBND" -> "15/QĐ-UBND". */
export function joinNumberSymbol(number: string | null, notation: string | null): string {
  if (!number) return notation ?? '';
  if (!notation) return number;
  return notation.includes('/') ? `${number}-${notation}` : `${number}/${notation}`;
}

const urgencyOf = (priority: number | null): Urgency => URGENCY_LEVELS[Math.min(priority ?? 0, URGENCY_LEVELS.length - 1)]!;
const typeCodeOf = (doc: EdxmlDocument): string => {
  const name = doc.documentType.typeName ?? '';
  return DOCUMENT_TYPES.find((t) => t.name.toLowerCase() === name.toLowerCase())?.code ?? (name || 'Công văn');
};

/** The registration form as the packet's header fills it (the văn thư may change what is not the document's own). */
export function prefillOf(doc: EdxmlDocument, level: Secrecy): ExchangeInboxDetail['prefill'] {
  return {
    issuerName: doc.from.organName ?? doc.from.organizationInCharge ?? doc.from.organId,
    numberSymbol: joinNumberSymbol(doc.code.number, doc.code.notation),
    documentDate: doc.promulgation.date,
    typeCode: typeCodeOf(doc),
    // Tuyệt mật items are registered without their subject line (Law on State Secrets).
    subject: level === 'tuyet_mat' ? '' : doc.subject ?? '',
    secrecy: level,
    urgency: urgencyOf(doc.otherInfo.priority),
    deadline: doc.dueDate,
    pageCount: doc.otherInfo.pageAmount,
    signer: [doc.signer.competence, doc.signer.fullName].filter(Boolean).join(' ') || null,
  };
}

export class ExchangeInbox {
  private held: AgencyClaims | null = null;
  /** The agency server's claims, while this workstation is linked to it (agencySync.ts); null: the agency's only workstation. */
  get claims(): AgencyClaims | null {
    return this.held;
  }
  /** Also given to the numbering rounds: an arrival registered awaiting its decision asks it there (awaitedArrivals.ts). */
  set claims(c: AgencyClaims | null) {
    this.held = c;
    let db: Db | null = null;
    try {
      db = this.source.context().db;
    } catch {
      // Locked: nothing to number now; the next sign-in's link sets them again.
    }
    if (db) setArrivalDecisions(db, c ? arrivalDecisions(c) : null);
  }
  /** The agency server numbering shared registers, while linked (agencySync.ts): a registration here takes its number there. */
  numbering: NumberAuthority | null = null;

  constructor(private readonly source: ContextSource) {}

  /** The transport hands a packet in: kept by its id (ciphertext, or a Thường packet), once. */
  receive(actor: Actor, p: InboundPacket): { fresh: boolean } {
    authorize(actor, 'session');
    if (!PACKET_ID.test(p.packetId)) throw DeskError.keyed('VALIDATION', 'exchange.badPacketId');
    const ctx = this.source.context();
    ctx.assertWritable();
    const now = ctx.now().toISOString();
    const changes = writeTx(ctx.db, () => cached(ctx.db, `INSERT OR IGNORE INTO main.exchange_inbound (packet_id, from_code, received_at, accepted_at, bytes, state) VALUES (?,?,?,?,?,'pending')`)
      .run(p.packetId, p.from.toUpperCase(), p.receivedAt, now, Buffer.from(p.bytes)).changes);
    return { fresh: changes === 1 };
  }

  /**
   * Opens the packets waiting, with the agency's key on the văn thư's token. A packet whose level the
   * person does not hold stays waiting for someone who does.
   */
  async openPending(actor: Actor, keys: readonly PrivateKeyOps[], only?: PacketKey, claims: AgencyClaims | null = this.claims): Promise<ExchangeReceiveResult> {
    authorize(actor, 'doc.register');
    const ctx = this.source.context();
    await ctx.writable();
    const self = selfAgency(ctx.db);
    const { crls } = parseCrlFiles(await ctx.revocationLists());
    const book = readDirectory(ctx.db);
    const rows = cached(ctx.db, `SELECT packet_id, from_code, bytes, received_at FROM main.exchange_inbound WHERE state = 'pending' ${only ? 'AND from_code = ? AND packet_id = ?' : ''} ORDER BY accepted_at, packet_id, from_code`)
      .all(...(only ? [only.from.toUpperCase(), only.packetId] : [])) as Array<{ packet_id: string; from_code: string; bytes: Buffer; received_at: string }>;
    const result: ExchangeReceiveResult = { opened: 0, refused: 0, statuses: 0, waiting: 0, duplicates: 0, elsewhere: 0 };
    // Every workstation of the agency pulls every packet; the one whose văn thư can act on it first takes
    // it at the agency server, and its records reach the others by sync. Taken elsewhere: only the
    // ledger row stays here, and nothing is answered from here.
    const elsewhere = (from: string, packetId: string, by: ClaimAnswer) => {
      // The ledger keeps who took it (`-TAKEN_ELSEWHERE:<workstation>`): a release of that take reopens it.
      this.closeInbound(ctx, from, packetId, 'duplicate', `TAKEN_ELSEWHERE:${by.workstation}`, actor, 'TAKEN_ELSEWHERE', false);
      result.elsewhere++;
    };
    const take = async (from: string, packetId: string): Promise<boolean> => {
      if (!claims) return true;
      const c = await claims.take({ from, packetId });
      if (!c.mine) elsewhere(from, packetId, c);
      return c.mine;
    };
    for (const row of rows) {
      const before = claims ? await claims.takenElsewhere({ from: row.from_code, packetId: row.packet_id }) : null;
      if (before) {
        elsewhere(row.from_code, row.packet_id, before);
        continue;
      }
      const r = await openPacket(row.bytes, row.packet_id, { selfCode: self.code, keys, book, trustAnchors: ctx.trustAnchors, crls, now: ctx.now() });
      // Nothing of a packet for someone else is kept here, even when it could be read.
      if (!r.ok && (!r.opened || r.refusal.code === 'NOT_FOR_US')) {
        if (!(await take(row.from_code, row.packet_id))) continue;
        // Nothing of the packet could be read: the refusal (reason and codes only) stays in the base.
        this.closeInbound(ctx, row.from_code, row.packet_id, 'refused', r.refusal.reasonVi, actor, r.refusal.code);
        result.refused++;
        continue;
      }
      const opened = r.opened!;
      if (opened.packet.kind === 'status') {
        if (!(await take(row.from_code, row.packet_id))) continue;
        if (!r.ok) {
          this.closeInbound(ctx, row.from_code, row.packet_id, 'refused', r.refusal.reasonVi, actor, r.refusal.code, false);
          result.refused++;
        } else if (opened.packet.statusCode === '13') {
          if (this.takenBack(ctx, actor, row.from_code, row.packet_id, opened.packet)) result.statuses++;
          else result.refused++;
        } else {
          this.recordStatus(ctx, actor, row.from_code, row.packet_id, opened.packet);
          result.statuses++;
        }
        continue;
      }
      const arm = armOf(ctx.arms, opened.level);
      if (!arm || arm.level === null || secrecyRank(actor.clearance) < secrecyRank(opened.level)) {
        // Not taken: a văn thư who holds the level takes it, here or at another workstation.
        result.waiting++;
        continue;
      }
      if (!(await take(row.from_code, row.packet_id))) continue;
      if (this.landedAnywhere(ctx, row.from_code, row.packet_id)) {
        this.closeInbound(ctx, row.from_code, row.packet_id, 'duplicate', 'LANDED_ELSEWHERE', actor, 'LANDED_ELSEWHERE', false);
        result.duplicates++;
        continue;
      }
      const outcome = await this.land(ctx, actor, arm, row.from_code, row.packet_id, row.received_at, opened, r.ok ? null : r.refusal);
      result[outcome]++;
    }
    return result;
  }

  /**
   * A page the transport hands in, as receive() then openPending() for each packet would do it, with the
   * agency server asked once for the whole page (AgencyClaims.takeMany) and each packet kept, decided
   * and marked handed over (`taken`, the transport's mark in this same database) in one write
   * transaction: a crash leaves each packet either untouched in the transport's inbox or fully here.
   * A packet already kept by an earlier accept() is opened if still pending, else only marked handed over.
   */
  async acceptMany(actor: Actor, packets: readonly InboundPacket[], keys: readonly PrivateKeyOps[], taken: (from: string, packetId: string) => void, claims: AgencyClaims | null = this.claims): Promise<ExchangeReceiveResult> {
    authorize(actor, 'doc.register');
    for (const p of packets) if (!PACKET_ID.test(p.packetId)) throw DeskError.keyed('VALIDATION', 'exchange.badPacketId');
    const ctx = this.source.context();
    await ctx.writable();
    const { db } = ctx;
    const self = selfAgency(db);
    const { crls } = parseCrlFiles(await ctx.revocationLists());
    const book = readDirectory(db);
    const result: ExchangeReceiveResult = { opened: 0, refused: 0, statuses: 0, waiting: 0, duplicates: 0, elsewhere: 0 };
    const keep = (p: InboundPacket, bytes: Uint8Array | null) => cached(db, `INSERT OR IGNORE INTO main.exchange_inbound (packet_id, from_code, received_at, accepted_at, bytes, state) VALUES (?,?,?,?,?,'pending')`)
      .run(p.packetId, p.from.toUpperCase(), p.receivedAt, ctx.now().toISOString(), bytes === null ? null : Buffer.from(bytes));
    // Opened first (no writes), so the page's takes go to the agency server in one request.
    const work: Array<{ p: InboundPacket; r: OpenResult | null; waiting: boolean }> = [];
    for (const p of packets) {
      const state = cached(db, 'SELECT state FROM main.exchange_inbound WHERE from_code = ? AND packet_id = ?').pluck().get(p.from.toUpperCase(), p.packetId) as string | undefined;
      if (state !== undefined && state !== 'pending') {
        work.push({ p, r: null, waiting: false });
        continue;
      }
      const r = await openPacket(p.bytes, p.packetId, { selfCode: self.code, keys, book, trustAnchors: ctx.trustAnchors, crls, now: ctx.now() });
      // A document whose level this văn thư does not hold waits (as in openPending).
      const opened = r.ok ? r.opened : r.refusal.code === 'NOT_FOR_US' ? null : r.opened;
      const arm = opened?.packet.kind === 'document' ? armOf(ctx.arms, opened.level) : undefined;
      const waiting = opened?.packet.kind === 'document' && (!arm || arm.level === null || secrecyRank(actor.clearance) < secrecyRank(opened.level));
      work.push({ p, r, waiting });
    }
    const keyOf = (p: InboundPacket): PacketKey => ({ from: p.from, packetId: p.packetId });
    const toTake = work.filter((w) => w.r && !w.waiting).map((w) => keyOf(w.p));
    const toRead = work.filter((w) => w.waiting).map((w) => keyOf(w.p));
    const answers = claims && (toTake.length || toRead.length) ? await claims.takeMany(toTake, toRead) : null;
    for (const { p, r, waiting } of work) {
      if (!r) {
        writeTx(db, () => taken(p.from, p.packetId));
        continue;
      }
      const elsewhere = answers ? (waiting ? answers.takenElsewhere.get(packetKeyString(keyOf(p))) : answers.take.get(packetKeyString(keyOf(p)))) : null;
      if (elsewhere && !elsewhere.mine) {
        writeTx(db, () => {
          keep(p, null);
          this.closeInbound(ctx, sender(p), p.packetId, 'duplicate', `TAKEN_ELSEWHERE:${elsewhere.workstation}`, actor, 'TAKEN_ELSEWHERE', false);
          taken(p.from, p.packetId);
        });
        result.elsewhere++;
        continue;
      }
      if (waiting) {
        // Kept with its bytes, not taken at the agency server: a văn thư who holds the level takes it.
        writeTx(db, () => {
          keep(p, p.bytes);
          taken(p.from, p.packetId);
        });
        result.waiting++;
        continue;
      }
      if (!r.ok && (!r.opened || r.refusal.code === 'NOT_FOR_US')) {
        writeTx(db, () => {
          keep(p, null);
          this.closeInbound(ctx, sender(p), p.packetId, 'refused', r.refusal.reasonVi, actor, r.refusal.code);
          taken(p.from, p.packetId);
        });
        result.refused++;
        continue;
      }
      const opened = r.opened!;
      if (opened.packet.kind === 'status') {
        const s = opened.packet;
        writeTx(db, () => {
          keep(p, null);
          if (!r.ok) {
            this.closeInbound(ctx, sender(p), p.packetId, 'refused', r.refusal.reasonVi, actor, r.refusal.code, false);
            result.refused++;
          } else if (s.statusCode === '13') {
            if (this.takenBack(ctx, actor, sender(p), p.packetId, s)) result.statuses++;
            else result.refused++;
          } else {
            this.recordStatus(ctx, actor, sender(p), p.packetId, s);
            result.statuses++;
          }
          taken(p.from, p.packetId);
        });
        continue;
      }
      // Its arrival reached this workstation by sync (landed by another one whose take was since
      // released, its workstation declared lost): the same packet, not landed twice.
      if (this.landedAnywhere(ctx, sender(p), p.packetId)) {
        writeTx(db, () => {
          keep(p, null);
          this.closeInbound(ctx, sender(p), p.packetId, 'duplicate', 'LANDED_ELSEWHERE', actor, 'LANDED_ELSEWHERE', false);
          taken(p.from, p.packetId);
        });
        result.duplicates++;
        continue;
      }
      const outcome = await this.land(ctx, actor, armOf(ctx.arms, opened.level)!, sender(p), p.packetId, p.receivedAt, opened, r.ok ? null : r.refusal, () => {
        keep(p, null);
        taken(p.from, p.packetId);
      });
      result[outcome]++;
    }
    return result;
  }

  /** Whether this workstation closed the packet as taken by `workstation` (a release may concern it). */
  wasTakenBy(from: string, packetId: string, workstation: string): boolean {
    const ctx = this.source.context();
    return ctx.db.prepare("SELECT 1 FROM main.exchange_inbound WHERE from_code = ? AND packet_id = ? AND state = 'duplicate' AND reason = ?").get(from.toUpperCase(), packetId, `-TAKEN_ELSEWHERE:${workstation}`) !== undefined;
  }

  /**
   * The agency server released the decision on an arrival because `workstation`, which held it, was
   * declared lost: kept here per workstation (sync_state, by sender and packet id) so the window says the
   * arrival can be decided here, audited once. The server grants it once this workstation has kept the
   * sync log up to the declaration (else the văn thư is told to wait for sync).
   */
  noteDecisionReleased(actor: Actor, from: string, packetId: string, release: { workstation: string; releasedAt: string; releasedBy: string }): void {
    authorize(actor, 'doc.register');
    const ctx = this.source.context();
    ctx.assertWritable();
    const key = releasedKey(from, packetId);
    writeTx(ctx.db, () => {
      if (getState(ctx.db, key) !== null) return;
      setState(ctx.db, key, JSON.stringify({ workstation: release.workstation, at: release.releasedAt }));
      appendAudit(ctx.db, { userId: actor.id, action: 'exchange.decisionReleased', entity: 'exchange_inbound', details: { from: from.toUpperCase(), packetId, lostWorkstation: release.workstation, releasedBy: release.releasedBy, releasedAt: release.releasedAt } });
    });
  }

  /**
   * A take the agency server released because `lostWorkstation` is lost for good: a packet closed here as
   * taken by it becomes pending again (its bytes fetched anew), unless the lost workstation's landing
   * reached this workstation by sync (then it did land, and nothing is done twice). True when reopened.
   */
  reopenReleased(actor: Actor, from: string, packetId: string, lostWorkstation: string, bytes: Buffer): boolean {
    authorize(actor, 'doc.register');
    const ctx = this.source.context();
    ctx.assertWritable();
    const now = ctx.now().toISOString();
    return writeTx(ctx.db, () => {
      const sender = from.toUpperCase();
      const row = ctx.db.prepare('SELECT state, reason FROM main.exchange_inbound WHERE from_code = ? AND packet_id = ?').get(sender, packetId) as { state: string; reason: string | null } | undefined;
      if (!row || row.state !== 'duplicate' || row.reason !== `-TAKEN_ELSEWHERE:${lostWorkstation}`) return false;
      if (this.landedAnywhere(ctx, sender, packetId)) return false;
      ctx.db.prepare("UPDATE main.exchange_inbound SET state = 'pending', reason = NULL, bytes = ?, opened_at = NULL WHERE from_code = ? AND packet_id = ?").run(bytes, sender, packetId);
      appendAudit(ctx.db, { userId: actor.id, action: 'exchange.reopened', details: { from: sender, packetId, lostWorkstation } }, now);
      return true;
    });
  }

  /** Whether some workstation's records of this packet (an arrival, a status) are here. */
  private landedAnywhere(ctx: CoreContext, from: string, packetId: string): boolean {
    for (const arm of ctx.arms) {
      if (arm.level === null) continue;
      if (ctx.db.prepare(`SELECT 1 FROM ${arm.schema}.exchange_inbox WHERE from_code = ? AND packet_id = ?`).get(from, packetId)) return true;
      if (ctx.db.prepare(`SELECT 1 FROM ${arm.schema}.exchange_status_in WHERE from_code = ? AND packet_id = ?`).get(from, packetId)) return true;
    }
    return false;
  }

  /** A refused or opened inbound packet: its bytes go (only the ledger row stays, for replays). */
  private closeInbound(ctx: CoreContext, from: string, packetId: string, state: 'refused' | 'opened' | 'duplicate', reason: string | null, actor: Actor, code?: string, answer = true): void {
    const now = ctx.now().toISOString();
    writeTx(ctx.db, () => {
      ctx.db.prepare('UPDATE main.exchange_inbound SET state = ?, reason = ?, bytes = NULL, opened_at = ? WHERE from_code = ? AND packet_id = ?')
        .run(state, answer ? reason : `-${reason ?? ''}`, now, from, packetId);
      appendAudit(ctx.db, { userId: actor.id, action: 'exchange.receive', details: { from, packetId, outcome: state, ...(code ? { reason: code } : {}) } }, now);
    });
  }

  /** A document packet that was read lands in its level's compartment: to review, refused, or applied to its original. */
  private async land(ctx: CoreContext, actor: Actor, arm: Arm, from: string, packetId: string, receivedAt: string, opened: Opened, refusal: Refusal | null, within: () => void = () => {}): Promise<'opened' | 'refused' | 'duplicates'> {
    const { db } = ctx;
    const c = arm.schema;
    const doc = opened.packet as EdxmlDocument;
    const business = doc.business?.docType ?? 0;
    const documentId = doc.documentId ?? `${doc.from.organId},${doc.promulgation.date ?? ''},${joinNumberSymbol(doc.code.number, doc.code.notation)}`;
    let reason = refusal;
    let original: { arm: Arm; row: InboxRow } | null = null;
    if (!reason && business === 0 && this.findByDocument(db, ctx.arms, from, documentId, [0, 3])) {
      reason = { code: 'DUPLICATE', reasonVi: `Văn bản ${joinNumberSymbol(doc.code.number, doc.code.notation)} đã được nhận trước đây; gói tin gửi lại không được tiếp nhận lần nữa.` };
    }
    if (!reason && business !== 0) {
      const target = business === 3 ? doc.business?.replacements[0]?.documentId ?? null : doc.business?.documentId ?? documentId;
      original = target ? this.findByDocument(db, ctx.arms, from, target, [0, 3]) : null;
    }
    // Files go into the level's store before the transaction (a crash leaves at worst an unreferenced blob).
    // An update naming a copy the sender already took back or recalled (a late packet, from another of its
    // workstations) changes nothing: refused with 16, the withdrawn copy stays as it was.
    const withdrawnOriginal = business === 2 && original?.row.state === 'recalled';
    const files: StoredFile[] = [];
    if (!reason && business !== 1 && !withdrawnOriginal) {
      const store = ctx.storeFor(opened.level);
      for (const f of opened.read.files) {
        const sha256 = await store.putBytes(Buffer.from(f.bytes));
        files.push({ name: f.meta.name ?? f.meta.contentId ?? 'tep', size: f.meta.size, mime: MIME_OF[f.meta.sniffed] ?? 'application/octet-stream', isPdf: f.meta.sniffed === 'pdf', sha256, sniffed: f.meta.sniffed, pageCount: f.meta.pageCount, declaredType: f.meta.declaredType });
      }
    }
    const now = ctx.now();
    const at = now.toISOString();
    const verification = JSON.stringify({ sealed: opened.sealed, signature: opened.signature, problems: opened.read.problems });
    const header = JSON.stringify(doc);
    let outcome: 'opened' | 'refused' | 'duplicates' = reason ? (reason.code === 'DUPLICATE' ? 'duplicates' : 'refused') : 'opened';
    writeTx(db, () => {
      within();
      const id = nextRecordId(db);
      const insert = (state: InboxRow['state'], why: string | null, notice: string | null, originalId: number | null) => {
        db.prepare(`INSERT INTO ${c}.exchange_inbox
        (id, global_id, packet_id, from_code, from_name, document_id, business_type, business_reason, header, verification, files, state, reason, notice, incoming_id, original_id, received_at)
        VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,NULL,?,?)`)
        .run(id, arrivalGlobalId(from, packetId, receivedAt), packetId, from, doc.from.organName ?? doc.from.organizationInCharge ?? doc.from.organId, documentId, business, doc.business?.reason ?? null,
          header, verification, JSON.stringify(files), state, why, notice, originalId, at);
        recordChange(db, 'exchange_inbox', id, 'create', actor.id, now, c);
      };
      const intend = (code: EdxmlStatusCode, description: string | null) =>
        intendStatus(db, c, { packetId: owedStatusId(from, packetId, code), inboxId: id, code, description, at }, actor.id, now);
      if (reason) {
        insert('refused', reason.reasonVi, null, null);
        intend('02', reason.reasonVi);
      } else if (business === 0) {
        insert('waiting', null, null, null);
        intend('01', null);
      } else if (!original) {
        const why = 'Không tìm thấy văn bản mà gói tin thu hồi, cập nhật hoặc thay thế.';
        insert('refused', why, null, null);
        intend('16', why);
        outcome = 'refused';
      } else if (withdrawnOriginal) {
        const why = 'Văn bản đã được cơ quan gửi lấy lại hoặc thu hồi trước đó; không nhận cập nhật.';
        insert('refused', why, null, original.row.id);
        intend('16', why);
        outcome = 'refused';
      } else {
        const o = original;
        const when = formatDateVn(todayIso(now));
        const why = doc.business?.reason ?? '';
        if (business === 1) {
          insert('applied', null, null, o.row.id);
          this.recall(ctx, actor, o.arm, o.row, `Cơ quan gửi đã thu hồi văn bản ngày ${when}: ${why}`);
        } else if (business === 2) {
          insert('applied', null, null, o.row.id);
          this.update(ctx, actor, o.arm, o.row, files, `Cơ quan gửi đã cập nhật văn bản ngày ${when} (${files.length} tệp mới): ${why}`);
        } else {
          insert('waiting', null, `Văn bản thay thế văn bản đã nhận trước đây: ${why}`, o.row.id);
          this.note(ctx, o.arm, o.row, `Đã được thay thế bằng văn bản số ${joinNumberSymbol(doc.code.number, doc.code.notation)} ngày ${when}: ${why}`, actor);
        }
        intend('15', null);
      }
      db.prepare('UPDATE main.exchange_inbound SET state = ?, reason = ?, bytes = NULL, opened_at = ? WHERE from_code = ? AND packet_id = ?')
        .run(reason ? (reason.code === 'DUPLICATE' ? 'duplicate' : 'refused') : 'opened', reason ? `-${reason.code}` : null, at, from, packetId);
      appendAudit(db, { userId: actor.id, action: 'exchange.receive', entity: 'exchange_inbox', entityId: id, details: { from, packetId, outcome, business, ...(reason ? { reason: reason.code } : {}) } }, at);
    });
    return outcome;
  }

  private findByDocument(db: Db, arms: readonly Arm[], from: string, documentId: string, types: number[]): { arm: Arm; row: InboxRow } | null {
    for (const arm of arms) {
      if (arm.level === null) continue;
      const row = db.prepare(`SELECT * FROM ${arm.schema}.exchange_inbox WHERE from_code = ? AND document_id = ? AND business_type IN (${types.join(',')}) AND state <> 'refused' ORDER BY id DESC LIMIT 1`)
        .get(from, documentId) as InboxRow | undefined;
      if (row) return { arm, row };
    }
    return null;
  }

  private note(ctx: CoreContext, arm: Arm, row: InboxRow, notice: string, actor: Actor): void {
    const all = row.notice ? `${row.notice}\n${notice}` : notice;
    ctx.db.prepare(`UPDATE ${arm.schema}.exchange_inbox SET notice = ? WHERE id = ?`).run(all, row.id);
    recordChange(ctx.db, 'exchange_inbox', row.id, 'update', actor.id, ctx.now(), arm.schema);
  }

  /** Thu hồi: the copy is marked recalled and its open tasks are closed (withdrawn from every inbox); the record stays. */
  private recall(ctx: CoreContext, actor: Actor, arm: Arm, row: InboxRow, notice: string): void {
    const { db } = ctx;
    const now = ctx.now();
    db.prepare(`UPDATE ${arm.schema}.exchange_inbox SET state = 'recalled' WHERE id = ?`).run(row.id);
    this.note(ctx, arm, row, notice, actor);
    if (row.incoming_id !== null) this.closeOpenTasks(ctx, actor, arm, row.incoming_id, now);
  }

  /** Ends a registered copy's open processing tasks (off every handler's and leader's list); returns how many. */
  private closeOpenTasks(ctx: CoreContext, actor: Actor, arm: Arm, incomingId: number, now: Date): number {
    const { db } = ctx;
    const open = db.prepare(`SELECT id FROM ${arm.schema}.processing_tasks WHERE incoming_id = ? AND state = 'open'`).pluck().all(incomingId) as number[];
    for (const t of open) {
      db.prepare(`UPDATE ${arm.schema}.processing_tasks SET state = 'closed', updated_at = ? WHERE id = ?`).run(now.toISOString(), t);
      recordChange(db, 'processing_tasks', t, 'update', actor.id, now, arm.schema);
    }
    return open.length;
  }

  /**
   * Thay thế, once the replacement is registered: the work moves to the new record, so the replaced copy's
   * open tasks end and its notice says why. Not when the replacement lands: until it is registered there
   * would be nothing on anyone's list. The replaced copy stays as it was otherwise (the record is kept).
   * Runs inside the registration's transaction, as the registering văn thư, whatever the old copy's level.
   */
  private retireReplaced(ctx: CoreContext, actor: Actor, replacement: { arm: Arm; row: InboxRow }, incomingId: number, when: Date): number {
    const { db } = ctx;
    if (replacement.row.business_type !== 3 || replacement.row.original_id === null) return 0;
    const arm = locate(db, ctx.arms, 'exchange_inbox', replacement.row.original_id);
    const old = arm && arm.level !== null ? db.prepare(`SELECT * FROM ${arm.schema}.exchange_inbox WHERE id = ?`).get(replacement.row.original_id) as InboxRow | undefined : undefined;
    if (!arm || !old || old.incoming_id === null) return 0;
    const n = db.prepare(`SELECT arrival_number FROM ${replacement.arm.schema}.incoming WHERE id = ?`).pluck().get(incomingId) as number | null | undefined;
    const closed = this.closeOpenTasks(ctx, actor, arm, old.incoming_id, when);
    const tasks = closed > 0 ? `; ${closed} việc đang xử lý văn bản này đã kết thúc, việc xử lý tiếp theo văn bản thay thế` : '';
    this.note(ctx, arm, old, `Văn bản thay thế đã được vào sổ ngày ${formatDateVn(todayIso(when))}${n ? ` (số đến ${n})` : ''}${tasks}.`, actor);
    return closed;
  }

  /** Cập nhật: the new files join the registered copy (the old ones stay), and the change is noted. */
  private update(ctx: CoreContext, actor: Actor, arm: Arm, row: InboxRow, files: readonly StoredFile[], notice: string): void {
    const { db } = ctx;
    if (row.incoming_id === null) {
      // Not registered yet: the văn thư registers it with the new files too.
      const merged = [...(JSON.parse(row.files) as StoredFile[]), ...files];
      db.prepare(`UPDATE ${arm.schema}.exchange_inbox SET files = ? WHERE id = ?`).run(JSON.stringify(merged), row.id);
    }
    this.note(ctx, arm, row, notice, actor);
    if (row.incoming_id === null) return;
    const now = ctx.now();
    const c = arm.schema;
    let ordinal = (db.prepare(`SELECT coalesce(max(ordinal), 0) FROM ${c}.attachments WHERE incoming_id = ?`).pluck().get(row.incoming_id) as number);
    for (const f of files) {
      const aid = nextRecordId(db);
      db.prepare(`INSERT INTO ${c}.attachments (id, global_id, incoming_id, ordinal, name, size, mime, is_pdf, sha256, sealed_for) VALUES (?,?,?,?,?,?,?,?,?,NULL)`)
        .run(aid, newGlobalId(), row.incoming_id, ++ordinal, `(Cập nhật) ${f.name}`, f.size, f.mime, f.isPdf ? 1 : 0, f.sha256);
      recordChange(db, 'attachments', aid, 'create', actor.id, now, c);
    }
    db.prepare(`UPDATE ${c}.incoming SET attachment_count = attachment_count + ? WHERE id = ?`).run(files.length, row.incoming_id);
    recordChange(db, 'incoming', row.incoming_id, 'update', actor.id, now, c);
  }

  /**
   * Lấy lại (status 13): the sender takes back a document it sent us. Our copy is withdrawn as a recall is
   * (marked, its open tasks closed, a notice; the record stays) and the sender is answered 15. A 13 naming
   * nothing we hold is set aside in the ledger (nothing to answer for).
   */
  private takenBack(ctx: CoreContext, actor: Actor, from: string, packetId: string, s: EdxmlStatus): boolean {
    const { db } = ctx;
    const documentId = s.responseFor?.documentId ?? null;
    // Only the sender the transport proved can take back what it sent (never whom the XML names).
    const original = documentId ? this.findByDocument(db, ctx.arms, from, documentId, [0, 3]) : null;
    const now = ctx.now();
    const at = now.toISOString();
    writeTx(db, () => {
      if (original) {
        this.recall(ctx, actor, original.arm, original.row, `Cơ quan gửi đã lấy lại văn bản ngày ${formatDateVn(todayIso(now))}: ${s.description ?? ''}`);
        intendStatus(db, original.arm.schema, { packetId: owedStatusId(from, packetId, '15'), inboxId: original.row.id, code: '15', description: null, at }, actor.id, now);
      }
      db.prepare('UPDATE main.exchange_inbound SET state = ?, reason = ?, bytes = NULL, opened_at = ? WHERE from_code = ? AND packet_id = ?')
        .run(original ? 'opened' : 'refused', original ? null : '-UNKNOWN_DOCUMENT', at, from, packetId);
      appendAudit(db, { userId: actor.id, action: 'exchange.receive', ...(original ? { entity: 'exchange_inbox', entityId: original.row.id } : {}), details: { packetId, outcome: original ? 'taken_back' : 'refused', status: '13' } }, at);
    });
    return original !== null;
  }

  /** A recipient's status on one of our dispatches, kept in the outgoing document's compartment. */
  private recordStatus(ctx: CoreContext, actor: Actor, from: string, packetId: string, s: EdxmlStatus): void {
    const { db } = ctx;
    const rf = s.responseFor;
    // The dispatch must be to the sender the transport proved: a status from another agency (under an
    // id it computed from our packet's) names no dispatch of its own and is set aside.
    const target = this.dispatchFor(db, ctx.arms, from, rf?.documentId ?? null);
    const now = ctx.now();
    const at = now.toISOString();
    writeTx(db, () => {
      if (target) {
        recordStatusIn(db, target.schema, {
          packetId, outgoingId: target.outgoingId, dispatchId: target.dispatchId, from, code: s.statusCode, description: s.description,
          staff: s.staff?.staff ?? null, at: s.timestamp, receivedAt: at,
        }, actor.id, now);
      }
      cached(db, 'UPDATE main.exchange_inbound SET state = ?, reason = ?, bytes = NULL, opened_at = ? WHERE from_code = ? AND packet_id = ?')
        .run(target ? 'opened' : 'refused', target ? null : '-UNKNOWN_DOCUMENT', at, from, packetId);
    });
  }

  /** The dispatch a status speaks of: by the DocumentId we wrote, or by our packet id when the recipient could not read it. */
  private dispatchFor(db: Db, arms: readonly Arm[], recipient: string, documentId: string | null): { schema: string; outgoingId: number; dispatchId: number } | null {
    if (!documentId) return null;
    const m = /^([^,]+),(\d{4})\/(\d{2})\/(\d{2}),(.+)$/.exec(documentId);
    for (const arm of arms) {
      if (arm.level === null) continue;
      const c = arm.schema;
      const row = (m
        ? cached(db, `SELECT o.id AS outgoingId, d.id AS dispatchId FROM ${c}.outgoing o JOIN ${c}.outgoing_dispatches d ON d.outgoing_id = o.id JOIN ${c}.outgoing_recipients r ON r.id = d.recipient_id
            WHERE o.number_symbol = ? AND o.issued_date = ? AND upper(r.code) = ?`).get(m[5], `${m[2]}-${m[3]}-${m[4]}`, recipient)
        : cached(db, `SELECT d.outgoing_id AS outgoingId, d.id AS dispatchId FROM ${c}.outgoing_dispatches d JOIN ${c}.outgoing_recipients r ON r.id = d.recipient_id
            WHERE d.global_id = ? AND upper(r.code) = ?`).get(dispatchOfResentPacket(db, c, documentId) ?? documentId, recipient)) as { outgoingId: number; dispatchId: number } | undefined;
      if (row) return { schema: c, ...row };
    }
    return null;
  }

  // ---- The văn thư's window: Văn bản điện tử đến ----

  private locateRow(ctx: CoreContext, actor: Actor, id: number): { arm: Arm; row: InboxRow } {
    authorize(actor, 'doc.register');
    const arm = locate(ctx.db, ctx.arms, 'exchange_inbox', id);
    const row = arm && arm.level !== null ? ctx.db.prepare(`SELECT * FROM ${arm.schema}.exchange_inbox WHERE id = ?`).get(id) as InboxRow | undefined : undefined;
    if (!arm || !row || secrecyRank(actor.clearance) < secrecyRank(arm.level!)) throw DeskError.keyed('NOT_FOUND', 'exchange.notFound');
    return { arm, row };
  }

  private toRow(arm: Arm, r: InboxRow): ExchangeInboxRow {
    const doc = JSON.parse(r.header) as EdxmlDocument;
    const v = JSON.parse(r.verification) as { signature: { status: string } };
    const level = arm.level!;
    return {
      id: r.id, receivedAt: r.received_at, fromCode: r.from_code, fromName: r.from_name,
      numberSymbol: joinNumberSymbol(doc.code.number, doc.code.notation), documentDate: doc.promulgation.date, typeName: doc.documentType.typeName,
      subject: level === 'tuyet_mat' ? null : doc.subject, secrecy: level, urgency: urgencyOf(doc.otherInfo.priority), businessType: r.business_type as 0 | 1 | 2 | 3,
      state: r.state, reason: r.reason, notice: r.notice, fileCount: (JSON.parse(r.files) as unknown[]).length, incomingId: r.incoming_id, signatureValid: v.signature.status === 'valid',
      released: r.state === 'waiting' ? this.releasedOf(r) : null,
    };
  }

  /** The decision released from a workstation declared lost (noteDecisionReleased), or null. */
  private releasedOf(r: InboxRow): { workstation: string; at: string } | null {
    const v = getState(this.source.context().db, releasedKey(r.from_code, r.packet_id));
    return v === null ? null : JSON.parse(v) as { workstation: string; at: string };
  }

  list(actor: Actor, q: { state?: ExchangeInboxRow['state'] | undefined }): ExchangeInboxRow[] {
    authorize(actor, 'doc.register');
    const ctx = this.source.context();
    const out: ExchangeInboxRow[] = [];
    for (const arm of ctx.arms) {
      if (arm.level === null || secrecyRank(actor.clearance) < secrecyRank(arm.level)) continue;
      const rows = ctx.db.prepare(`SELECT * FROM ${arm.schema}.exchange_inbox WHERE (? IS NULL OR state = ?) ORDER BY received_at DESC, id DESC LIMIT 500`)
        .all(q.state ?? null, q.state ?? null) as InboxRow[];
      out.push(...rows.map((r) => this.toRow(arm, r)));
    }
    return out.sort((a, b) => (a.receivedAt < b.receivedAt ? 1 : a.receivedAt > b.receivedAt ? -1 : b.id - a.id));
  }

  get(actor: Actor, id: number): ExchangeInboxDetail {
    const ctx = this.source.context();
    const { arm, row } = this.locateRow(ctx, actor, id);
    const doc = JSON.parse(row.header) as EdxmlDocument;
    const v = JSON.parse(row.verification) as { sealed: boolean; signature: ExchangeInboxDetail['signature']; problems: Array<{ severity: string; messageVi: string; code: string }> };
    const files = JSON.parse(row.files) as StoredFile[];
    const level = arm.level!;
    const checks: ExchangeInboxDetail['checks'] = [
      { label: 'Mã hóa', ok: v.sealed || !isSecret(level), detail: v.sealed ? 'Gói tin được mã hóa cho cơ quan này và giải mã được bằng khóa của cơ quan.' : 'Gói tin không mã hóa (văn bản thường).' },
      { label: 'Chữ ký số của cơ quan gửi', ok: v.signature.status === 'valid', detail: v.signature.reasonVi },
      {
        label: 'Số tệp đính kèm', ok: !v.problems.some((p) => p.code === 'EDXML_FILE_COUNT' && p.severity === 'error'),
        detail: `${doc.manifest.length} tệp khai báo, ${doc.attachments.length} tệp nhận được.`,
      },
      {
        label: 'Số trang', ok: !v.problems.some((p) => p.code === 'EDXML_PAGE_COUNT' && p.severity === 'error'),
        detail: doc.otherInfo.pageAmount === null ? 'Gói tin không khai báo số trang.' : `Khai báo ${doc.otherInfo.pageAmount} trang; văn bản có ${doc.attachments[0]?.pageCount ?? '?'} trang.`,
      },
      ...v.problems.filter((p) => p.severity === 'error' && p.code !== 'EDXML_FILE_COUNT' && p.code !== 'EDXML_PAGE_COUNT').map((p) => ({ label: 'Lỗi gói tin', ok: false, detail: p.messageVi })),
    ];
    const statuses = (ctx.db.prepare(`SELECT code, description, at, made FROM ${arm.schema}.exchange_status_out WHERE inbox_id = ? ORDER BY at, packet_id`).all(row.id) as Array<{ code: EdxmlStatusCode; description: string | null; at: string; made: number }>)
      .map((s) => ({ code: s.code, label: EDXML_STATUS_LABELS[s.code], description: s.description, at: s.at, made: s.made === 1 }));
    const original = row.original_id === null ? null : (() => {
      const o = this.locateRow(ctx, actor, row.original_id);
      const od = JSON.parse(o.row.header) as EdxmlDocument;
      return { id: o.row.id, numberSymbol: joinNumberSymbol(od.code.number, od.code.notation) };
    })();
    const ctxWrite = ctx;
    ctxWrite.whenWritable(() => writeTx(ctx.db, () => appendAudit(ctx.db, { userId: actor.id, action: 'exchange.view', entity: 'exchange_inbox', entityId: id })));
    return {
      ...this.toRow(arm, row),
      documentId: row.document_id, businessReason: row.business_reason, signer: doc.signer, dueDate: doc.dueDate, pageAmount: doc.otherInfo.pageAmount,
      toPlaces: doc.toPlaces, sealed: v.sealed, signature: v.signature, checks,
      files: files.map((f, index) => ({ index, name: f.name, size: f.size, kind: f.sniffed, pageCount: f.pageCount })),
      statuses, original, prefill: prefillOf(doc, level),
      can: { register: row.state === 'waiting', refuse: row.state === 'waiting' },
    };
  }

  /** The blob behind one of an arrival's files, for the viewer (AttachmentService issues the ticket). */
  fileOf(actor: Actor, id: number, index: number): { level: Secrecy; sha256: string; name: string; mime: string; size: number; isPdf: boolean } {
    const ctx = this.source.context();
    const { arm, row } = this.locateRow(ctx, actor, id);
    const f = (JSON.parse(row.files) as StoredFile[])[index];
    if (!f) throw DeskError.keyed('NOT_FOUND', 'attachment.notFound');
    ctx.whenWritable(() => writeTx(ctx.db, () => appendAudit(ctx.db, { userId: actor.id, action: 'exchange.viewFile', entity: 'exchange_inbox', entityId: id, details: { index } })));
    return { level: arm.level!, sha256: f.sha256, name: f.name, mime: f.mime, size: f.size, isPdf: f.isPdf };
  }

  /** "Tiếp nhận và vào sổ": registered by the same rules as by hand, numbered in the register of its level. */
  async register(actor: Actor, input: ExchangeRegisterInput): Promise<{ incomingId: number; arrivalNumber: number; registerName: string; awaitingNumber?: true }> {
    const ctx = this.source.context();
    const { arm, row } = this.locateRow(ctx, actor, input.id);
    const level = arm.level!;
    requireClearance(actor, level);
    if (row.state !== 'waiting') throw this.decidedError(ctx, arm, row);
    const doc = JSON.parse(row.header) as EdxmlDocument;
    const p = prefillOf(doc, level);
    const today = todayIso(ctx.now());
    const fields = {
      ...(input.registerId !== undefined ? { registerId: input.registerId } : {}),
      issuer: { name: p.issuerName },
      numberSymbol: p.numberSymbol,
      documentDate: p.documentDate ?? today,
      arrivalDate: today,
      typeCode: input.typeCode ?? p.typeCode,
      subject: level === 'tuyet_mat' ? '' : input.subject ?? p.subject,
      secrecy: level,
      urgency: p.urgency,
      ...((input.deadline ?? p.deadline) ? { deadline: input.deadline ?? p.deadline } : {}),
      recipients: input.recipients ?? [],
      notes: input.notes ?? '',
      ...(p.pageCount ? { pageCount: p.pageCount } : {}),
      ...(p.signer ? { signer: p.signer.slice(0, 120) } : {}),
      arrivalChannel: isSecret(level) ? 'cipher' : 'electronic',
      // The schema asks for staged files; the files of an arrival are already in its level's store.
      stagedIds: ['0'.repeat(32)],
      acknowledgeDuplicates: input.acknowledgeDuplicates ?? false,
      ...(input.acknowledgeOutOfOrder ? { acknowledgeOutOfOrder: true } : {}),
      ...(input.awaitNumber ? { awaitNumber: true } : {}),
    };
    const parsed = makeIncomingRegisterSchema(() => today).safeParse(fields);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw DeskError.keyed('VALIDATION', 'exchange.registerInvalid', { field: issue.path.join('.'), message: issue.message }, { at: issue.path.join('.') });
    }
    const files = JSON.parse(row.files) as StoredFile[];
    const at = ctx.now().toISOString();
    // Without the decision (the agency server out of reach, the văn thư chose "chờ cấp số"): no number
    // either, at any workstation, the home included; both are asked at the next contact (awaitedArrivals.ts).
    const result = await this.decided(ctx, actor, arm, row, (decisionHeld) => registerIncoming(ctx, actor, { ...parsed.data, stagedIds: [] }, {
      stored: files,
      numbering: this.numbering,
      ...(decisionHeld ? {} : { awaitOnly: true }),
      within: (incomingId, when) => {
        const changed = ctx.db.prepare(`UPDATE ${arm.schema}.exchange_inbox SET state = 'registered', incoming_id = ?, decided_by = ?, decided_at = ? WHERE id = ? AND state = 'waiting'`)
          .run(incomingId, actor.id, when.toISOString(), row.id).changes;
        if (changed !== 1) throw DeskError.keyed('VALIDATION', 'exchange.alreadyDecided');
        recordChange(ctx.db, 'exchange_inbox', row.id, 'update', actor.id, when, arm.schema);
        // The sender is told "Đã tiếp nhận" with the number in the register: an arrival awaiting its number
        // owes it from the round that numbers it (numberWaits.ts), dated when it was registered here.
        const awaiting = isAwaitingNumber(ctx.db.prepare(`SELECT arrival_number FROM ${arm.schema}.incoming WHERE id = ?`).pluck().get(incomingId) as number);
        if (!awaiting) intendStatus(ctx.db, arm.schema, { packetId: owedStatusId(row.from_code, row.packet_id, '03'), inboxId: row.id, code: '03', description: null, at }, actor.id, when);
        else linkWaitToArrival(ctx.db, ctx.db.prepare(`SELECT global_id FROM ${arm.schema}.incoming WHERE id = ?`).pluck().get(incomingId) as string, row.global_id);
        const tasksClosed = this.retireReplaced(ctx, actor, { arm, row }, incomingId, when);
        appendAudit(ctx.db, {
          userId: actor.id, action: 'exchange.register', entity: 'exchange_inbox', entityId: row.id,
          details: {
            incomingId, ...(row.business_type === 3 ? { replaces: row.original_id, tasksClosed } : {}),
            ...(awaiting ? { awaitingNumber: true, decisionHeld } : {}),
          },
        }, at);
      },
    }), input.awaitNumber === true);
    return { incomingId: result.id, arrivalNumber: result.arrivalNumber, registerName: result.registerName, ...(result.awaitingNumber ? { awaitingNumber: true as const } : {}) };
  }

  /**
   * Runs a decision on an arrival (register, refuse) once agency-wide: the agency server gives the
   * decision to the first workstation that asks; another workstation's văn thư is told it was taken
   * there (its records come with the next sync). A local failure before the commit gives it back.
   */
  private async decided<T>(ctx: CoreContext, actor: Actor, arm: Arm, row: InboxRow, run: (decisionHeld: boolean) => Promise<T> | T, awaitUndecided = false): Promise<T> {
    const claims = this.claims;
    if (!claims) return run(true);
    const key = { from: row.from_code, packetId: row.packet_id };
    // What was pulled is applied first: another workstation's decision already here shows as such.
    await ctx.writable();
    this.stillWaiting(ctx, arm, row);
    let c: ClaimAnswer;
    try {
      c = await claims.decide(key);
    } catch (e) {
      // Out of reach (not refused), and the văn thư chose to register now: registered without the
      // decision, so without a number; only while the server numbers this register (never a local number).
      const transient = e instanceof DeskError && e.key === 'exchange.agencyUnreachable' && e.details?.transient === true;
      if (transient && awaitUndecided && this.numbering) return run(false);
      throw e;
    }
    if (!c.mine && c.waiting) {
      // Released from a workstation declared lost: granted once this one has kept the log up to the declaration.
      throw DeskError.keyed('VALIDATION', 'exchange.decidedElsewhereSyncing', { time: formatDateTimeVn(c.waiting.releasedAt) },
        { details: { workstation: c.workstation, reason: c.waiting.reason, releasedAt: c.waiting.releasedAt, channels: c.waiting.channels } });
    }
    if (!c.mine) throw DeskError.keyed('VALIDATION', 'exchange.decidedElsewhere', { time: formatDateTimeVn(c.claimedAt) }, { details: { workstation: c.workstation, claimedAt: c.claimedAt } });
    try {
      // Granted: the server saw this workstation keep the log up to here (a released claim waits for the
      // lost workstation's watermark), so what it pulled is applied again before deciding: a decision the
      // lost workstation pushed shows as already registered, and the claim goes back.
      this.stillWaiting(ctx, arm, row);
      if (c.releasedFrom) {
        const { workstation, releasedAt } = c.releasedFrom;
        ctx.whenWritable(() => writeTx(ctx.db, () => appendAudit(ctx.db, { userId: actor.id, action: 'exchange.decideReleased', entity: 'exchange_inbox', entityId: row.id, details: { lostWorkstation: workstation, releasedAt } })));
      }
      return await run(true);
    } catch (e) {
      await claims.release(key).catch(() => undefined);
      throw e;
    }
  }

  /** Applies what the sync pulled for the arrival's level (and the base); throws what was decided if it is no longer waiting. */
  private stillWaiting(ctx: CoreContext, arm: Arm, row: InboxRow): void {
    applyReceived(ctx.db, 'main');
    applyReceived(ctx.db, arm.schema);
    const now = ctx.db.prepare(`SELECT * FROM ${arm.schema}.exchange_inbox WHERE id = ?`).get(row.id) as InboxRow | undefined;
    if (now && now.state !== 'waiting') throw this.decidedError(ctx, arm, now);
  }

  /** Why an arrival cannot be decided again: what was decided, by whom and when. */
  private decidedError(ctx: CoreContext, arm: Arm, row: InboxRow): DeskError {
    const who = row.decided_by === null ? '' : (ctx.db.prepare('SELECT full_name FROM main.users WHERE id = ?').pluck().get(row.decided_by) as string | undefined) ?? '';
    const time = row.decided_at ? formatDateTimeVn(row.decided_at) : '';
    if (row.state === 'registered' && row.incoming_id !== null) {
      const n = ctx.db.prepare(`SELECT arrival_number FROM ${arm.schema}.incoming WHERE id = ?`).pluck().get(row.incoming_id) as number | undefined;
      // Registered awaiting its number (awaitedArrivals.ts): its placeholder is no number.
      const number = n === undefined ? '?' : isAwaitingNumber(n) ? 'chờ cấp số' : n;
      return DeskError.keyed('VALIDATION', 'exchange.alreadyRegistered', { number, person: who, time }, { details: { incomingId: row.incoming_id } });
    }
    if (row.state === 'refused' && row.decided_at) return DeskError.keyed('VALIDATION', 'exchange.alreadyRefused', { person: who, time, reason: row.reason ?? '' });
    return DeskError.keyed('VALIDATION', 'exchange.alreadyDecided');
  }

  /** "Từ chối": the arrival is refused with a reason, which goes back to the sender as status 02. */
  async refuse(actor: Actor, input: ExchangeRefuseInput): Promise<void> {
    const ctx = this.source.context();
    await ctx.writable();
    const { arm, row } = this.locateRow(ctx, actor, input.id);
    requireClearance(actor, arm.level!);
    if (row.state !== 'waiting') throw this.decidedError(ctx, arm, row);
    await this.decided(ctx, actor, arm, row, () => {
      const now = ctx.now();
      const at = now.toISOString();
      writeTx(ctx.db, () => {
        const changed = ctx.db.prepare(`UPDATE ${arm.schema}.exchange_inbox SET state = 'refused', reason = ?, decided_by = ?, decided_at = ? WHERE id = ? AND state = 'waiting'`)
          .run(input.reason, actor.id, at, row.id).changes;
        if (changed !== 1) throw DeskError.keyed('VALIDATION', 'exchange.alreadyDecided');
        recordChange(ctx.db, 'exchange_inbox', row.id, 'update', actor.id, now, arm.schema);
        intendStatus(ctx.db, arm.schema, { packetId: owedStatusId(row.from_code, row.packet_id, '02'), inboxId: row.id, code: '02', description: input.reason, at }, actor.id, now);
        appendAudit(ctx.db, { userId: actor.id, action: 'exchange.refuse', entity: 'exchange_inbox', entityId: row.id }, at);
      });
    });
  }

  /** The exchange's notice on a registered document (recalled, updated, replaced), for whoever may read the document. */
  noticeFor(ctx: CoreContext, incomingId: number): { state: ExchangeInboxRow['state']; notice: string | null; fromName: string } | null {
    for (const arm of ctx.arms) {
      if (arm.level === null) continue;
      const r = ctx.db.prepare(`SELECT state, notice, from_name FROM ${arm.schema}.exchange_inbox WHERE incoming_id = ?`).get(incomingId) as { state: ExchangeInboxRow['state']; notice: string | null; from_name: string } | undefined;
      if (r) return { state: r.state, notice: r.notice, fromName: r.from_name };
    }
    return null;
  }
}

export type { EdxmlPacket };
