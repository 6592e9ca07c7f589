// The exchange over the network, one round at a time: the hub's directory (through the agency
// server) becomes the profile's directory of agencies; what the exchange has ready (documents issued
// with external recipients, statuses owed) goes into the packet transport's durable outbox and is
// marked handed over; what the transport received goes to accept(), opened with the keys on the văn
// thư's token. Every step is idempotent by packet id, so a crash anywhere repeats work and never
// doubles it: a packet queued twice is one packet, a packet accepted twice is registered once.
import { DeskError } from '../../../common/errors';
import type { PrivateKeyOps } from '../crypto';
import type { Actor } from '../org/rights';
import type { PacketClient } from '../sync/packets/PacketClient';
import { packetKeyString, type Directory } from '../sync/packets/protocol';
import { TransportError } from '../sync/transport';
import type { ExchangeService } from './ExchangeService';
import type { AgencyClaims, ClaimAnswer } from './records';

export interface ExchangeLinkRound {
  /** Agencies in the directory synced this round (null: the server has no directory yet). */
  agencies: number | null;
  /** Packets the exchange made and handed to the transport. */
  queued: number;
  /** Packets the agency server took this round. */
  sent: number;
  /** Our packets refused on the way (agency server or hub) noted on their dispatches this round. */
  refusedOnTheWay: number;
  /** Packets fetched from the agency server this round. */
  received: number;
  /** Received packets opened and checked (accepted into Văn bản điện tử đến or a status recorded). */
  opened: number;
  /** Received packets refused (a status 02 goes back to the sender). */
  refused: number;
  /** Received packets another workstation of the agency took first (their records come by sync). */
  elsewhere: number;
  /** Packets taken by a workstation since declared lost, opened again here (their takes were released). */
  reopened: number;
  /** Packets the exchange could not make (a recipient without an encryption certificate...). */
  problems: Array<{ packetId: string; reason: string }>;
}

/** The directory's certificates as the exchange keeps them: signing and encryption, each once. */
export function directoryEntries(d: Directory): Array<{ code: string; name: string; certificates: string[] }> {
  return d.agencies.map((a) => ({ code: a.code, name: a.name, certificates: [...new Set([a.encryptionCertificate, ...a.signingCertificates])] }));
}

/**
 * The agency server as the arbiter of "first" among the agency's workstations (docs/exchange.md): every
 * workstation pulls every packet, one takes it; every văn thư sees every arrival, one decides it. A
 * decision needs the server: unreachable, the văn thư is told so (never two registrations).
 */
export function packetClaims(packets: PacketClient): AgencyClaims {
  const unreachable = (e: unknown): never => {
    // `transient`: out of reach (network, timeout, 5xx), not a refusal; an arrival may then be registered awaiting its decision and number.
    if (e instanceof TransportError) throw DeskError.keyed('VALIDATION', 'exchange.agencyUnreachable', {}, { details: { error: e.message, transient: e.transient } });
    throw e;
  };
  return {
    async takenElsewhere(key) {
      const { take } = await packets.claims(key).catch(unreachable);
      return take && !take.mine ? take : null;
    },
    // Unreachable: the packet stays pending (in the transport's inbox too) and the next round tries again.
    take: (key) => packets.claim(key, 'take').catch(unreachable),
    async decide(key) {
      let c = await packets.claim(key, 'decide').catch(unreachable);
      // Refused until the server counts this workstation caught up to the watermark. Kept up to it already
      // (a sync round pulled to the head) but not yet asked from there: it asks, and the claim is asked
      // again at once, so the first round after catching up is enough (not the second).
      if (c.waiting && await packets.acknowledgeKept(c.waiting).catch(unreachable)) c = await packets.claim(key, 'decide').catch(unreachable);
      // A cursor the server never served (copied with the profile) would never get there; it goes back
      // so the next sync rounds do.
      if (c.waiting) packets.rewindUnserved(c.waiting);
      return c;
    },
    async release(key) {
      await packets.release(key);
    },
    async takeMany(take, read) {
      const batch = await packets.claimMany(take, read).catch(unreachable);
      const out = { take: new Map<string, ClaimAnswer>(), takenElsewhere: new Map<string, ClaimAnswer | null>() };
      // An agency server without the batch route: one request (or two) per packet, as before.
      for (const k of take) out.take.set(packetKeyString(k), batch ? batch.take[packetKeyString(k)]! : await packets.claim(k, 'take').catch(unreachable));
      for (const k of read) {
        const c = batch ? batch.read[packetKeyString(k)] ?? null : (await packets.claims(k).catch(unreachable)).take;
        out.takenElsewhere.set(packetKeyString(k), c && !c.mine ? c : null);
      }
      return out;
    },
  };
}

/** Packets handed to the exchange at once (their takes one request to the agency server). */
const PAGE = 100;

export class ExchangeLink {
  /** What this link answers for the agency's claims (set on the exchange while the link runs: agencySync.ts). */
  readonly claims: AgencyClaims;

  constructor(private readonly exchange: ExchangeService, private readonly packets: PacketClient) {
    this.claims = packetClaims(packets);
  }

  /** An administrator declares another workstation lost for good (ExchangeService.declareWorkstationLost). */
  declareWorkstationLost(actor: Actor, input: { workstation: string; reason: string }) {
    return this.exchange.declareWorkstationLost(actor, input, this.packets);
  }

  /**
   * One round for the văn thư signed in: `agencyKey` signs what leaves, `decryption` opens what
   * arrives (the keys on their token). Network failures throw after what was done is kept.
   */
  async round(actor: Actor, keys: { agencyKey: PrivateKeyOps; decryption: readonly PrivateKeyOps[] }): Promise<ExchangeLinkRound> {
    // The agency server unreachable: what is ready still goes into the durable outbox (made with the
    // directory kept from the last contact), then the round fails and the next one sends it.
    let offline: TransportError | null = null;
    const directory = await this.packets.directory().catch((e: unknown) => {
      if (!(e instanceof TransportError)) throw e;
      offline = e;
      return null;
    });
    if (directory) this.exchange.setDirectory(actor, directoryEntries(directory));
    const { packets, problems } = await this.exchange.outbox.ready(actor, keys.agencyKey);
    // Into the durable outbox first, then marked handed over: a crash between the two makes the
    // same packets again (same ids, same bytes), which the outbox takes as duplicates.
    for (const p of packets) this.packets.send({ packetId: p.packetId, bytes: p.bytes });
    this.exchange.outbox.handedOver(actor, packets.map((p) => p.packetId));
    if (offline) throw offline;
    let sent = await this.packets.flush();
    // What an agency server restored from a backup no longer holds goes again (checked now and then).
    if ((await this.packets.checkPassedOn()).requeued.length) sent += await this.packets.flush();
    // Refusals travel back: what the hub refused after the agency server took it, then every refusal
    // (the agency server's own at hand-over too) noted on its dispatch, so the văn thư sees it failed.
    await this.packets.pullRefusals();
    const refusedOnTheWay = this.exchange.noteRefusals(actor);
    const received = await this.packets.pull();
    let opened = 0;
    let refused = 0;
    let elsewhere = 0;
    // Takes released by an administrator (their workstation lost for good): what was closed here as
    // taken by it is opened again and, like any packet, taken by the first workstation that acts on it.
    let reopened = 0;
    for (const rel of await this.packets.releases()) {
      if (rel.kind === 'take' && this.exchange.inbox.wasTakenBy(rel.inbound.from, rel.packetId, rel.workstation)) {
        const bytes = await this.packets.fetchInbound(rel.inbound);
        if (this.exchange.inbox.reopenReleased(actor, rel.inbound.from, rel.packetId, rel.workstation, bytes)) {
          reopened++;
          const r = await this.exchange.inbox.openPending(actor, keys.decryption, { from: rel.inbound.from, packetId: rel.packetId }, this.claims);
          opened += r.opened + r.statuses;
          refused += r.refused;
          elsewhere += r.elsewhere;
        }
      }
      // A decision released: the window says the arrival can be decided here (granted once synced).
      if (rel.kind === 'decide') this.exchange.inbox.noteDecisionReleased(actor, rel.inbound.from, rel.packetId, rel);
      this.packets.releaseHandled(rel.seq);
    }
    for (;;) {
      const batch = this.packets.pending(PAGE);
      if (!batch.length) break;
      // Each packet kept, decided and taken from the transport's inbox in one transaction (the
      // transport's inbox is in the profile's database): a crash leaves it either whole here or
      // still in the transport's inbox, and the page's takes cost one request to the agency server.
      const r = await this.exchange.acceptMany(actor, batch, keys.decryption, (from, id) => this.packets.take(from, id), this.claims);
      opened += r.opened;
      refused += r.refused;
      elsewhere += r.elsewhere;
    }
    return { agencies: directory ? directory.agencies.length : null, queued: packets.length, sent, refusedOnTheWay, received, opened, refused, elsewhere, reopened, problems };
  }
}
