// The agency server's packet routes for its workstations (session-authenticated; only the roles that
// handle the exchange: văn thư and administrators). A workstation submits a packet's raw bytes under
// its packet id; the server reads only its addresses (server/packetAddress.ts), checks that it is
// from this agency and, when it holds the directory, that its recipients exist, stores it once and
// queues it for the hub. Inbound packets are listed after a cursor and downloaded with Range.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkIdentifierCode } from '../common/identifierCode';
import { z } from 'zod';
import { CLAIMS_BATCH_MAX, DIRECTORY_API, HELD_PACKETS_MAX, type OutboundHeldResult, PACKET_ID_RE, PACKETS_API, packetKeyString, type PacketKey, type ClaimKind, type ClaimReleasePage, type Directory, type ClaimWaiting, type PacketClaim, type PacketClaims, type PacketClaimsBatchAnswer, type PacketPage, type PacketRefusalPage, type PacketSubmitResult } from '../main/core/sync/packets/protocol';
import type { Session } from './auth';
import type { ServerConfig } from './config';
import { directoryNames } from './directory';
import { Arrivals, waitOf } from './arrivals';
import { HttpError, paging, parseBody, sendJson, sendRange } from './http';
import { DIRECTORY_KEY, type HubLink } from './hubLink';
import { readBody } from './limits';
import { NotAPacket, readPacketAddress } from './packetAddress';
import { ChangedBody, type PacketStore } from './storage/packetStore';
import type { LostStore } from './storage/lostStore';
import type { UploadStore } from './storage/uploadStore';
import type { PullCursors } from './storage/pullCursors';
import { channelRank, CHANNELS } from '../main/core/sync/protocol';
import { secrecyRank } from '../common/domain';
import { isResumable, resumableUpload, type Answer } from './uploads';

const EXCHANGE_ROLES = new Set(['van_thu', 'quan_tri']);
/** The agency's inbox as the arrivals' reader: every workstation of the agency lists the same inbox. */
export const INBOX = 'inbox';
const packetIdSchema = z.string().regex(PACKET_ID_RE, 'packet id: 8 to 64 letters, digits or dashes');
/** An agency's identifier code as a claim names a packet's sender (never holding the key's "/"). */
const AGENCY_CODE_RE = /^[0-9A-Za-z._-]{1,64}$/;
const packetIds = z.array(z.union([packetIdSchema, z.object({ from: z.string().regex(AGENCY_CODE_RE, 'agency code'), packetId: packetIdSchema }).strict()])).max(CLAIMS_BATCH_MAX);
const outboundHeldSchema = z.strictObject({ packetIds: z.array(packetIdSchema).min(1).max(HELD_PACKETS_MAX) });
const claimsBatchSchema = z.object({ take: packetIds, read: packetIds.default([]) }).strict()
  .refine((b) => b.take.length + b.read.length <= CLAIMS_BATCH_MAX, `at most ${CLAIMS_BATCH_MAX} packets a request`);

export class AgencyPackets {
  private readonly code: string | null;
  private directory: { json: string; names: Map<string, string> | null } = { json: 'null', names: null };

  constructor(
    private readonly cfg: ServerConfig, private readonly store: PacketStore, private readonly link: HubLink | null, private readonly clock: () => number,
    private readonly lost: LostStore, private readonly uploads: UploadStore, private readonly cursors: PullCursors, private readonly arrivals: Arrivals = new Arrivals(),
  ) {
    const c = cfg.agency ? checkIdentifierCode(cfg.agency.code) : null;
    if (c && !c.ok) throw new Error(`agency.code "${cfg.agency!.code}" is not an identifier code`);
    this.code = c?.code ?? null;
  }

  /** Handles a packet or directory route; false when the path is none of them. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL, s: Session, ctx: { route: string }): Promise<boolean> {
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (path === DIRECTORY_API && method === 'GET') {
      ctx.route = 'directory';
      const json = await this.store.getState(DIRECTORY_KEY);
      sendJson(res, 200, json ? (JSON.parse(json) as Directory) : { version: null, issuedAt: null, agencies: [] });
      return true;
    }
    if (path !== PACKETS_API && !path.startsWith(`${PACKETS_API}/`)) return false;
    if (!this.code) throw new HttpError(404, 'not-found', 'this server has no agency code configured (agency.code): no packets');
    if (!EXCHANGE_ROLES.has(s.role)) throw new HttpError(403, 'forbidden', 'only the văn thư and administrators exchange packets');
    const L = this.cfg.limits;

    const put = new RegExp(`^${PACKETS_API}/([^/]+)$`).exec(path);
    if (method === 'PUT' && put) {
      ctx.route = 'packets.submit';
      const packetId = put[1]!;
      if (!PACKET_ID_RE.test(packetId)) throw new HttpError(400, 'bad-request', 'packet id: 8 to 64 letters, digits or dashes');
      if (isResumable(req)) {
        const a = await resumableUpload(req, this.uploads, {
          owner: `workstation:${s.workstation}`, key: `packet:${packetId}`, maxBytes: L.maxPacketBytes,
          done: (sha) => this.alreadySubmitted(packetId, sha, s),
          complete: async (bytes) => this.answer(await this.submit(packetId, bytes, s)),
        }, L, new Date(this.clock()));
        sendJson(res, a.status, a.body, a.headers);
        return true;
      }
      const bytes = await readBody(req, L.maxPacketBytes);
      const r = await this.submit(packetId, bytes, s);
      sendJson(res, r.result === 'stored' ? 201 : 200, r);
      return true;
    }
    // A workstation checks that the packets it sent are still here (a restored server lost those it took after its backup).
    if (path === `${PACKETS_API}/held`) {
      if (method !== 'POST') throw new HttpError(405, 'bad-request', 'held packets: POST');
      ctx.route = 'packets.held';
      const q = parseBody(outboundHeldSchema, await readBody(req, 128 << 10));
      const result: OutboundHeldResult = { packets: await this.store.outboundStates(q.packetIds) };
      sendJson(res, 200, result);
      return true;
    }
    const state = new RegExp(`^${PACKETS_API}/([^/]+)/state$`).exec(path);
    if (method === 'GET' && state) {
      ctx.route = 'packets.state';
      const st = await this.store.outboundState(state[1]!);
      if (!st) throw new HttpError(404, 'not-found', 'no such packet');
      sendJson(res, 200, st);
      return true;
    }
    // Exactly once across the agency's workstations: who took a packet, who decides it (docs/exchange.md).
    if (path === `${PACKETS_API}/inbox/claims`) {
      if (method !== 'POST') throw new HttpError(405, 'bad-request', 'claims of many packets: POST');
      ctx.route = 'packets.claims.batch';
      sendJson(res, 200, await this.claimBatch(parseBody(claimsBatchSchema, await readBody(req, 64 << 10)), s));
      return true;
    }
    const claims = new RegExp(`^${PACKETS_API}/inbox/([^/]+)/claims(?:/(take|decide))?$`).exec(path);
    if (claims) {
      const packetId = claims[1]!;
      const kind = claims[2] as ClaimKind | undefined;
      if (!PACKET_ID_RE.test(packetId)) throw new HttpError(400, 'bad-request', 'packet id: 8 to 64 letters, digits or dashes');
      // The packet is (sender, id): `?from=` names the sender; without it (an older workstation) the
      // first packet stored under the id.
      const asked = url.searchParams.get('from');
      if (asked !== null && !AGENCY_CODE_RE.test(asked)) throw new HttpError(400, 'bad-request', 'from: an agency code');
      const from = await this.store.inboundSender(packetId, asked);
      if (from === null) throw new HttpError(404, 'not-found', 'no such inbound packet');
      const key = { from, packetId };
      if (method === 'GET' && !kind) {
        ctx.route = 'packets.claims';
        const out: PacketClaims = { take: await this.store.claimOf(key, 'take', s.workstation), decide: await this.store.claimOf(key, 'decide', s.workstation) };
        sendJson(res, 200, out);
        return true;
      }
      if (method === 'POST' && kind) {
        ctx.route = `packets.claim.${kind}`;
        const released = kind === 'decide' ? await this.releasedDecision(key, s) : null;
        if (released?.waiting) {
          sendJson(res, 409, { error: 'claimed-elsewhere', message: `packet ${packetId}: the decision released from lost workstation ${released.claim.workstation} waits until this workstation has pulled the sync log up to the declaration`, claim: released.claim, waiting: released.waiting });
          return true;
        }
        const c = await this.store.claim(key, kind, s.workstation, s.person, new Date(this.clock()));
        if (c.mine) sendJson(res, 200, released ? { ...c, releasedFrom: { workstation: released.claim.workstation, releasedAt: released.releasedAt } } : c);
        else sendJson(res, 409, { error: 'claimed-elsewhere', message: `packet ${packetId}: ${kind} is held by workstation ${c.workstation}`, claim: c });
        return true;
      }
      if (method === 'DELETE' && kind === 'decide') {
        ctx.route = 'packets.release';
        const held = await this.store.claimOf(key, kind, s.workstation);
        if (held && !held.mine) throw new HttpError(409, 'claimed-elsewhere', `packet ${packetId}: ${kind} is held by workstation ${held.workstation}`);
        sendJson(res, 200, { released: await this.store.release(key, kind, s.workstation) });
        return true;
      }
      throw new HttpError(405, 'bad-request', 'claims: GET, POST take|decide, DELETE decide');
    }
    if (method === 'GET' && path === `${PACKETS_API}/releases`) {
      ctx.route = 'packets.releases';
      const { after, limit } = paging(url, L.pageSize);
      const { rows, more } = await this.lost.releases(after, limit);
      const page: ClaimReleasePage = { releases: rows, next: rows.length ? rows[rows.length - 1]!.seq : after, more };
      sendJson(res, 200, page);
      return true;
    }
    // Refusals travel back: the hub's permanent refusals of this agency's packets, after a cursor.
    if (method === 'GET' && path === `${PACKETS_API}/refusals`) {
      ctx.route = 'packets.refusals';
      const { after, limit } = paging(url, L.pageSize);
      const { rows, more } = await this.store.refusals(after, limit);
      const page: PacketRefusalPage = { refusals: rows, next: rows.length ? rows[rows.length - 1]!.seq : after, more };
      sendJson(res, 200, page);
      return true;
    }
    if (method === 'GET' && path === `${PACKETS_API}/inbox`) {
      ctx.route = 'packets.inbox';
      const { after, limit } = paging(url, L.pageSize);
      const waitMs = waitOf(url);
      const seen = this.arrivals.count(INBOX);
      let { rows, more } = await this.store.listInbound(after, limit, L.packetInlineBytes);
      // Nothing yet: a long poll waits for the hub link to store a packet (server/arrivals.ts), then lists again.
      if (!rows.length && waitMs > 0) {
        await this.arrivals.holding(s.token, () => this.arrivals.wait(INBOX, seen, waitMs, res));
        if (res.destroyed) return true;
        ({ rows, more } = await this.store.listInbound(after, limit, L.packetInlineBytes));
      }
      const page: PacketPage = { packets: rows, next: rows.length ? rows[rows.length - 1]!.seq : after, more };
      sendJson(res, 200, page);
      return true;
    }
    const payload = new RegExp(`^${PACKETS_API}/inbox/(\\d{1,15})/payload$`).exec(path);
    if (method === 'GET' && payload) {
      ctx.route = 'packets.payload';
      const seq = Number(payload[1]);
      const head = await this.store.inboundHead(seq);
      if (!head) throw new HttpError(404, 'not-found', 'no such packet');
      await sendRange(req, res, head, async (a, b) => (await this.store.inboundSlice(seq, a, b))!.bytes);
      return true;
    }
    throw new HttpError(404, 'not-found', 'no such route');
  }

  /**
   * A page's takes at once (same rules as one POST or GET each): every packet named must be one the
   * agency holds, else nothing is claimed; then the takes are inserted (first insert wins) and read back.
   */
  private async claimBatch(b: { take: Array<PacketKey | string>; read: Array<PacketKey | string> }, s: Session): Promise<PacketClaimsBatchAnswer> {
    // Each packet named resolved to (sender, id): a bare id (an older workstation) is the first packet
    // stored under it; answered under the name it was asked by.
    const named = [...b.take, ...b.read];
    const held = await this.store.inboundKeysAmong(named.map((n) => (typeof n === 'string' ? n : n.packetId)));
    const first = new Map<string, PacketKey>();
    for (const k of held.values()) if (!first.has(k.packetId)) first.set(k.packetId, k);
    const keyOf = (n: PacketKey | string): PacketKey | null =>
      typeof n === 'string' ? first.get(n) ?? null : held.get(packetKeyString({ from: n.from.toUpperCase(), packetId: n.packetId })) ?? null;
    const nameOf = (n: PacketKey | string): string => (typeof n === 'string' ? n : packetKeyString(n));
    const unknown = named.filter((n) => keyOf(n) === null).map(nameOf);
    if (unknown.length) throw new HttpError(404, 'not-found', `no such inbound packet: ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ` (and ${unknown.length - 5} more)` : ''}`);
    const taken = await this.store.claimMany(b.take.map((n) => keyOf(n)!), 'take', s.workstation, s.person, new Date(this.clock()));
    const read = await this.store.claimsOf(b.read.map((n) => keyOf(n)!), 'take', s.workstation);
    const take: Record<string, PacketClaim> = {};
    for (const n of b.take) take[nameOf(n)] = taken.get(packetKeyString(keyOf(n)!))!;
    const seen: Record<string, PacketClaim | null> = {};
    for (const n of b.read) {
      const k = packetKeyString(keyOf(n)!);
      seen[nameOf(n)] = taken.get(k) ?? read.get(k) ?? null;
    }
    return { take, read: seen };
  }

  /**
   * A decide claim released from a workstation declared lost, while nobody holds it again, is granted
   * only to a workstation that kept every channel its person may read up to the declaration's watermark
   * (the positions the server served it, never what it says): a decision the lost workstation pushed
   * before the declaration is then in its hands, and shows there as already registered. Null: never released.
   */
  private async releasedDecision(key: PacketKey, s: Session): Promise<{ claim: PacketClaim; releasedAt: string; waiting: ClaimWaiting | null } | null> {
    const released = await this.lost.releasedDecision(key);
    if (!released) return null;
    const claim: PacketClaim = { kind: 'decide', packetId: key.packetId, from: key.from, workstation: released.workstation, person: '', claimedAt: released.claimedAt, mine: false };
    // Held again (by this workstation or another): answered as any claim.
    if (await this.store.claimOf(key, 'decide', s.workstation)) return { claim, releasedAt: released.releasedAt, waiting: null };
    const readable = CHANNELS.filter((c) => channelRank(c) <= secrecyRank(s.clearance));
    const behind = await this.cursors.behind(s.workstation, released.watermark, readable);
    return { claim, releasedAt: released.releasedAt, waiting: behind.length ? { reason: 'sync-behind', releasedAt: released.releasedAt, channels: behind } : null };
  }

  private answer(r: PacketSubmitResult): Answer {
    return { status: r.result === 'stored' ? 201 : 200, body: r };
  }

  /** The answer a one-request PUT of these bytes would get now that the packet id is taken, else null. */
  private async alreadySubmitted(packetId: string, sha256: string, s: Session): Promise<Answer | null> {
    const first = await this.store.outboundDigest(packetId);
    if (!first) return null;
    if (first.sha256 === sha256) return this.answer({ result: 'duplicate', packetId, sha256 });
    if (first.workstation !== s.workstation) return this.answer({ result: 'sent-elsewhere', packetId, sha256: first.sha256 });
    throw new HttpError(409, 'changed-body', `packet ${packetId} was stored before with other bytes`);
  }

  /** The directory copy's names (parsed again only when the copy changed). */
  private async names(): Promise<Map<string, string> | null> {
    const json = (await this.store.getState(DIRECTORY_KEY)) ?? 'null';
    if (json !== this.directory.json) this.directory = { json, names: directoryNames(JSON.parse(json) as Directory | null) };
    return this.directory.names;
  }

  private async submit(packetId: string, bytes: Buffer, s: Session): Promise<PacketSubmitResult> {
    let addr;
    try {
      addr = readPacketAddress(bytes, this.cfg.limits.maxPacketBytes);
    } catch (e) {
      if (e instanceof NotAPacket) throw new HttpError(400, 'not-a-packet', e.message);
      throw e;
    }
    if (addr.packetId !== null && addr.packetId !== packetId) throw new HttpError(400, 'packet-id-mismatch', `the routing header names packet ${addr.packetId}`);
    const names = await this.names();
    const from = names?.get(addr.from) ?? addr.from;
    if (from !== this.code) throw new HttpError(403, 'wrong-sender', `the packet is from ${addr.from}, this server sends for ${this.code}`);
    // With the directory at hand an unknown recipient is refused at once; without it, the hub refuses it.
    const unknown = names ? addr.to.filter((t) => !names.has(t)) : [];
    if (unknown.length) throw new HttpError(422, 'unknown-recipient', `no agency ${unknown.join(', ')} in the directory`);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const first = await this.store.submittedElsewhere(packetId, s.workstation);
    if (first && first.sha256 !== sha256) return { result: 'sent-elsewhere', packetId, sha256: first.sha256 };
    try {
      const result = await this.store.submitOutbound({
        packetId, sha256, kind: addr.kind, from: addr.from, to: addr.to, payload: bytes, now: new Date(this.clock()), person: s.person, workstation: s.workstation,
      });
      if (result === 'stored') this.link?.kick();
      return { result, packetId, sha256 };
    } catch (e) {
      if (e instanceof ChangedBody) throw new HttpError(409, 'changed-body', e.message);
      throw e;
    }
  }
}
