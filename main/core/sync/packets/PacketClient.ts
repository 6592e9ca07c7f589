// The workstation's side of edXML packet transport, through the agency server session of its
// ServerClient. Send: packets are queued durably (queue.ts) and PUT under their id, oldest first,
// until the server answers (stored or duplicate: a resend after a crash stores nothing twice); a
// refusal the server will repeat (wrong sender, unknown recipient, changed body...) is kept with its
// code; anything else is retried with backoff. Receive: the inbox after the cursor, each packet
// stored with the cursor in one transaction, a large one downloaded part by part (Range resumes it),
// and handed over inside the transaction that marks it taken (with onPacket, the one that stores it;
// else drain, or the exchange's own pace through pending/take): exactly once.
import type { Db } from '../../db/connection';
import type { PacketBodies } from './bodies';
import { writeTx } from '../../db/transaction';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from '../backoff';
import { cursor, getState, pullCursorKey, setState } from '../outbox';
import { API, isChannel } from '../protocol';
import type { ServerClient } from '../ServerClient';
import { TransportError, type Response } from '../transport';
import { RESUMABLE_ABOVE_BYTES, uploadResumable, UPLOAD_CHUNK_BYTES } from '../resumableUpload';
import { ADMIN_WORKSTATIONS_API, CLAIMS_BATCH_MAX, HELD_PACKETS_MAX, type OutboundHeldResult, type AgencyWorkstationsPage, DIRECTORY_API, PACKETS_API, type ClaimKind, type ClaimRelease, type ClaimWaiting, type ClaimReleasePage, type LostWorkstation, type Directory, type PacketClaim, type PacketClaims, type PacketClaimsBatchAnswer, type PacketKey, type PacketListing, type PacketPage, type PacketRefusal, type PacketRefusalPage, type PacketSubmitResult } from './protocol';
import {
  dropPacketParts, headOfQueue, markPassed, markRefused, markRefusedLater, markSent, markTaken, pendingInbound, PULL_CURSOR, queuePacket, queueStats, recordSendFailure,
  requeueLost, savedPacketParts, unpassedSent, savePacketPart, sentState, sha256Hex, storeInbound, type InboundPacket, type PacketQueueStats, type SentState,
} from './queue';

/** Server refusals that a retry would only repeat: the packet is marked refused with the code. */
const FINAL = new Set(['not-a-packet', 'packet-id-mismatch', 'wrong-sender', 'unknown-recipient', 'bad-signature', 'changed-body', 'too-large', 'bad-request']);
/** A pull stores what it fetched once this much is held (else at the end of each page). */
const STORE_BATCH_BYTES = 8 << 20;
/** At most this much of queued packets' bytes is held in memory for flush (the rest is read back). */
const HELD_MAX_BYTES = 32 << 20;
/** Packets above one part are downloaded part by part (each part committed, so a broken download resumes). */
const PART_BYTES = 1 << 20;


/** How often the sent packets whose bodies are kept are checked with the agency server (checkPassedOn). */
const PASS_CHECK_MS = 30_000;

/** sync_state key: the last take release handled (a workstation declared lost). */
const RELEASES_CURSOR = 'packets:releases';

/** A claim names the packet's sender too (docs/server.md, "Packet ids are the sender's"). */
const fromQuery = (k: PacketKey): string => `?from=${encodeURIComponent(k.from)}`;
export const REFUSALS_CURSOR = 'packets:refusals';
export type PacketStep =
  | 'packet-sending' | 'packet-sent' | 'packet-acknowledged' | 'packet-cleared'
  | 'packet-part-saved' | 'packet-downloaded' | 'packet-stored' | 'packet-taken'
  // a large packet's resumable upload: the offset the server held when asked, each chunk it committed
  | 'packet-upload-resumed' | 'packet-chunk-sent'
  // a sent packet the agency server no longer holds (restored from a backup) queued again
  | 'packet-requeued';

export interface OutboundPacket {
  packetId: string;
  /** A clear edXML packet (Thường) or a sealed one with its routing header (Mật and above). */
  bytes: Buffer;
}

export interface PacketClientOptions {
  db: Db;
  server: ServerClient;
  /**
   * Called with each received packet inside the transaction that marks it taken: a fetched packet in the
   * transaction that stores it (pull), one stored before without a handler by drain. Must be synchronous.
   */
  onPacket?: (p: InboundPacket) => void;
  backoff?: BackoffPolicy;
  clock?: () => number;
  random?: () => number;
  onStep?: (step: PacketStep, detail: { packetId?: string; seq?: number; offset?: number }) => void;
  /**
   * Where queued bodies are kept: sealed files under the profile's key (the app, whose profiles are keyed).
   * Absent: in the queue's rows, as a profile without a key keeps them.
   */
  bodies?: PacketBodies | null;
  /** Bytes per saved part of a download (default 1 MiB); a packet up to this size is fetched whole. */
  partBytes?: number;
  /** Packets above this size go as a resumable upload in chunks of uploadChunkBytes (defaults: 4 MiB each). */
  resumableAboveBytes?: number;
  uploadChunkBytes?: number;
  /** At most one check of the sent packets' whereabouts in this long (checkPassedOn; default 30 s). */
  passCheckMs?: number;
}

export interface PacketStatus extends PacketQueueStats {
  cursor: number;
  lastContact: string | null;
  lastError: string | null;
}

export class PacketClient {
  private lastError: string | null = null;
  /**
   * Bytes of packets this process queued and has not yet sent (up to HELD_MAX_BYTES): the head of the
   * queue is sent from here instead of being read back out of the encrypted database (a copy of what
   * send committed, found by id and digest; anything else is read from the database as before).
   */
  private readonly held = new Map<string, { sha256: string; bytes: Buffer }>();
  private heldBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private failures = 0;
  private passCheckedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly o: PacketClientOptions) {}

  private get db(): Db {
    return this.o.db;
  }
  private now = () => (this.o.clock ?? Date.now)();
  private iso = () => new Date(this.now()).toISOString();
  private step(s: PacketStep, d: { packetId?: string; seq?: number; offset?: number }) {
    this.o.onStep?.(s, d);
  }

  /** Queues a packet to send (durable at once); the same packet again is a no-op. */
  send(p: OutboundPacket): 'queued' | 'duplicate' {
    const q = writeTx(this.db, () => queuePacket(this.db, p.packetId, p.bytes, this.iso(), this.o.bodies));
    // A copy of what was committed (the caller may reuse its buffer), for flush not to read it back.
    if (q.result === 'queued' && this.heldBytes + p.bytes.length <= HELD_MAX_BYTES) {
      this.held.set(p.packetId, { sha256: q.sha256, bytes: Buffer.from(p.bytes) });
      this.heldBytes += p.bytes.length;
    }
    return q.result;
  }

  private heldOf = (packetId: string, sha256: string): Buffer | undefined => {
    const h = this.held.get(packetId);
    return h?.sha256 === sha256 ? h.bytes : undefined;
  };

  /** The packet left the queue (sent or refused; committed): its held copy goes, and its body file unless still named. */
  private left(row: { packetId: string; sha256: string }): void {
    this.o.bodies?.release(this.db, row.sha256);
    const h = this.held.get(row.packetId);
    if (!h) return;
    this.held.delete(row.packetId);
    this.heldBytes -= h.bytes.length;
  }

  /** The hub's directory of agencies as the agency server keeps it (null while the server has none yet). */
  async directory(): Promise<Directory | null> {
    const res = await this.o.server.request('GET', DIRECTORY_API);
    if (res.status === 404 || res.status === 503) return null;
    const d = readJson<Directory & { error?: string; message?: string }>(res);
    if (res.status !== 200 || !d || !Array.isArray(d.agencies)) throw new TransportError(`GET directory: ${res.status} ${d?.message ?? ''}`.trim(), res.status, d?.error ?? 'http');
    return d.version ? d : null;
  }

  sentState(packetId: string): SentState | null {
    return sentState(this.db, packetId);
  }

  /** Sends what waits, oldest first; stops (and throws) at a failure worth retrying. Returns packets the server took. */
  async flush(): Promise<number> {
    let sent = 0;
    for (;;) {
      const row = headOfQueue(this.db, this.heldOf, this.o.bodies);
      if (!row) {
        // Nothing queued: any copy still held left the queue another way (withdrawn by the exchange).
        this.held.clear();
        this.heldBytes = 0;
        return sent;
      }
      if (row.unreadable) {
        writeTx(this.db, () => markRefused(this.db, row.packetId, 'body-unreadable', row.unreadable!, this.iso()));
        this.left(row);
        continue;
      }
      if (row.nextAttemptAt && Date.parse(row.nextAttemptAt) > this.now()) return sent;
      this.step('packet-sending', { packetId: row.packetId });
      let res: Response;
      try {
        res = await this.put(row.packetId, row.bytes);
      } catch (e) {
        this.fail(row.packetId, row.attempts, e as Error);
        throw e;
      }
      const answer = readJson<PacketSubmitResult & { error?: string; message?: string }>(res);
      if (res.status === 200 && answer?.result === 'sent-elsewhere') {
        // Another workstation of the agency sent this packet (same id: the same dispatch or status) first.
        this.step('packet-acknowledged', { packetId: row.packetId });
        writeTx(this.db, () => markSent(this.db, row.packetId, this.iso(), 'sent-elsewhere'));
        this.left(row);
        this.step('packet-cleared', { packetId: row.packetId });
        continue;
      }
      if (res.status === 200 || res.status === 201) {
        if (answer?.sha256 !== row.sha256) throw new TransportError(`packet ${row.packetId}: the server acknowledged other bytes`, res.status, 'http');
        this.step('packet-acknowledged', { packetId: row.packetId });
        writeTx(this.db, () => markSent(this.db, row.packetId, this.iso()));
        this.left(row);
        this.step('packet-cleared', { packetId: row.packetId });
        sent++;
        continue;
      }
      const code = answer?.error ?? 'http';
      const err = new TransportError(`PUT packet ${row.packetId}: ${res.status} ${answer?.message ?? ''}`.trim(), res.status, code, retryAfter(res));
      if (res.status >= 400 && res.status < 500 && FINAL.has(code)) {
        writeTx(this.db, () => markRefused(this.db, row.packetId, code, err.message, this.iso()));
        this.left(row);
        continue;
      }
      this.fail(row.packetId, row.attempts, err);
      throw err;
    }
  }

  /** One request, or for a large packet a resumable upload from the server's offset (nothing kept here). */
  private put(packetId: string, bytes: Buffer): Promise<Response> {
    const path = `${PACKETS_API}/${packetId}`;
    const headers = { 'content-type': 'application/octet-stream' };
    const sent = () => this.step('packet-sent', { packetId });
    if (bytes.length <= (this.o.resumableAboveBytes ?? RESUMABLE_ABOVE_BYTES)) return this.o.server.request('PUT', path, { body: bytes, headers, onSent: sent });
    return uploadResumable((o) => this.o.server.request('PUT', path, { ...(o.body ? { body: o.body } : {}), headers: { ...headers, ...o.headers }, ...(o.last ? { onSent: sent } : {}) }), bytes, {
      chunkBytes: this.o.uploadChunkBytes ?? UPLOAD_CHUNK_BYTES,
      onResume: (offset) => this.step('packet-upload-resumed', { packetId, offset }),
      onChunk: (offset) => this.step('packet-chunk-sent', { packetId, offset }),
    });
  }

  private fail(packetId: string, attempts: number, e: Error): void {
    const delay = e instanceof TransportError && e.retryAfterMs ? e.retryAfterMs : backoffDelay(attempts + 1, this.o.backoff ?? DEFAULT_BACKOFF, this.o.random);
    writeTx(this.db, () => recordSendFailure(this.db, packetId, e.message, new Date(this.now() + delay).toISOString()));
  }

  /**
   * Fetches the agency's inbound packets after the cursor into the inbox; returns how many were new.
   * `waitMs`: when nothing is there yet, the agency server may hold the first listing that long and answer
   * as soon as a packet arrives (a long poll, docs/server.md "Waiting for packets"; keep it below the
   * transport's timeout). An agency server from before answers at once.
   */
  async pull(o: { waitMs?: number } = {}): Promise<number> {
    let stored = 0;
    // Packets checked against their hashes are stored with the cursor a batch at a time (the page, or
    // up to STORE_BATCH_BYTES): one transaction, not one per packet; a crash refetches the batch.
    let held: Array<{ l: PacketListing; bytes: Buffer }> = [];
    let heldBytes = 0;
    const store = () => {
      if (!held.length) return;
      const batch = held;
      held = [];
      heldBytes = 0;
      // With a handler, each new packet is handed over inside the transaction that stores it (as drain
      // would, one transaction later): its row is written taken, so the body is never written into the
      // database, read back out and cleared. A crash before the commit refetches it; after, it is taken.
      const handler = this.o.onPacket;
      const fresh = writeTx(this.db, () => batch.map(({ l, bytes }) => {
        if (cursor(this.db, PULL_CURSOR) >= l.seq) return false; // another pull took it
        const p = { packetId: l.packetId, from: l.from, bytes, receivedAt: l.receivedAt };
        const n = storeInbound(this.db, l.seq, { ...p, sha256: l.sha256 }, this.iso(), !!handler);
        setState(this.db, PULL_CURSOR, String(l.seq));
        dropPacketParts(this.db, l.seq);
        if (n && handler) handler(p);
        return n;
      }));
      for (const [i, { l }] of batch.entries()) {
        this.step('packet-stored', { packetId: l.packetId, seq: l.seq });
        if (!fresh[i]) continue;
        stored++;
        if (handler) this.step('packet-taken', { packetId: l.packetId });
      }
    };
    for (let first = true; ; first = false) {
      const after = cursor(this.db, PULL_CURSOR);
      const wait = first && o.waitMs ? `&waitMs=${Math.floor(o.waitMs)}` : '';
      const res = await this.o.server.request('GET', `${PACKETS_API}/inbox?after=${after}${wait}`);
      const page = expectJson<PacketPage>(res, 'GET packet inbox');
      try {
        for (const l of page.packets) {
          if (l.seq <= after) throw new TransportError(`the server listed packet ${l.seq} after ${after}`, res.status, 'http');
          const bytes = l.payload !== undefined ? Buffer.from(l.payload, 'base64') : await this.download(l);
          if (bytes.length !== l.size || sha256Hex(bytes) !== l.sha256) {
            writeTx(this.db, () => dropPacketParts(this.db, l.seq));
            throw new TransportError(`packet ${l.packetId} does not match its hash`, res.status, 'corrupt');
          }
          this.step('packet-downloaded', { packetId: l.packetId, seq: l.seq });
          held.push({ l, bytes });
          heldBytes += bytes.length;
          if (heldBytes >= STORE_BATCH_BYTES || l.payload === undefined) store();
        }
      } finally {
        // What was checked before a failure is kept (the next pull starts after it).
        store();
      }
      if (page.next > cursor(this.db, PULL_CURSOR)) writeTx(this.db, () => setState(this.db, PULL_CURSOR, String(page.next)));
      if (!page.more) return stored;
    }
  }

  /**
   * Waits (a long poll, up to `waitMs`) until the agency server lists a packet after this workstation's
   * cursor; true as soon as one is there (at once when one already is), false at the end of the wait.
   * Stores nothing and moves no cursor: the exchange round that follows pulls it (agencySync.ts), so this
   * may run beside a round. At most one packet is listed (its payload inline when small). `signal`
   * cancels the request (the session ended).
   */
  async waitForInbound(o: { waitMs: number; signal?: AbortSignal }): Promise<boolean> {
    const after = cursor(this.db, PULL_CURSOR);
    const res = await this.o.server.request('GET', `${PACKETS_API}/inbox?after=${after}&limit=1&waitMs=${Math.floor(o.waitMs)}`, o.signal ? { signal: o.signal } : {});
    return expectJson<PacketPage>(res, 'GET packet inbox (waiting)').packets.length > 0;
  }

  /** The cursor the inbox is pulled after (the last packet stored here). */
  inboxCursor(): number {
    return cursor(this.db, PULL_CURSOR);
  }

  /**
   * A packet not inlined in the listing. Up to one part it is fetched whole (a kill costs one refetch);
   * a larger one is saved part by part and a broken download resumes from its last saved part.
   */
  private async download(l: PacketListing): Promise<Buffer> {
    const partBytes = this.o.partBytes ?? PART_BYTES;
    if (l.size <= partBytes) {
      const res = await this.o.server.request('GET', `${PACKETS_API}/inbox/${l.seq}/payload`);
      if (res.status !== 200) throw new TransportError(`payload of packet ${l.seq}: ${res.status}`, res.status, 'http');
      return res.body;
    }
    const parts = savedPacketParts(this.db, l.seq, l.sha256);
    let offset = parts.reduce((n, p) => n + p.length, 0);
    if (offset < l.size) {
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      const save = () => {
        if (!pendingBytes) return;
        const bytes = Buffer.concat(pending);
        savePacketPart(this.db, l.seq, l.sha256, offset, bytes);
        offset += bytes.length;
        pending = [];
        pendingBytes = 0;
        this.step('packet-part-saved', { packetId: l.packetId, seq: l.seq });
      };
      const res = await this.o.server.request('GET', `${PACKETS_API}/inbox/${l.seq}/payload`, {
        headers: offset > 0 ? { range: `bytes=${offset}-`, 'if-range': `"${l.sha256}"` } : {},
        onChunk: (c) => {
          pending.push(c);
          pendingBytes += c.length;
          if (pendingBytes >= partBytes) save();
        },
      }).finally(save);
      if (res.status !== 200 && res.status !== 206) throw new TransportError(`payload of packet ${l.seq}: ${res.status}`, res.status, 'http');
    }
    return Buffer.concat(savedPacketParts(this.db, l.seq, l.sha256));
  }

  /**
   * Hands received packets to `handler` (or the onPacket option), oldest first, each inside the
   * transaction that marks it taken: what the handler writes in this database commits with the mark,
   * so a crash never hands a packet over twice nor loses one. Returns how many were handed over.
   */
  drain(handler: ((p: InboundPacket) => void) | undefined = this.o.onPacket): number {
    if (!handler) return 0;
    let n = 0;
    for (;;) {
      const batch = pendingInbound(this.db, 50);
      if (!batch.length) return n;
      for (const p of batch) {
        const took = writeTx(this.db, () => {
          if (!markTaken(this.db, p.from, p.packetId, this.iso())) return false;
          handler(p);
          return true;
        });
        if (took) {
          n++;
          this.step('packet-taken', { packetId: p.packetId });
        }
      }
    }
  }

  /**
   * Claims an inbound packet for this workstation agency-wide (`take`: into its exchange; `decide`: to
   * register or refuse it): `mine` false when another workstation holds it (409 claimed-elsewhere).
   */
  async claim(key: PacketKey, kind: ClaimKind): Promise<PacketClaim> {
    const { packetId } = key;
    const res = await this.o.server.request('POST', `${PACKETS_API}/inbox/${packetId}/claims/${kind}${fromQuery(key)}`);
    const data = readJson<PacketClaim & { error?: string; message?: string; claim?: PacketClaim; waiting?: ClaimWaiting }>(res);
    if (res.status === 200 && data) return data;
    if (res.status === 409 && data?.error === 'claimed-elsewhere' && data.claim) return { ...data.claim, mine: false, ...(data.waiting ? { waiting: data.waiting } : {}) };
    throw new TransportError(`claim ${kind} of packet ${packetId}: ${res.status} ${data?.message ?? ''}`.trim(), res.status, data?.error ?? 'http', retryAfter(res));
  }

  /**
   * A page's takes in one request per CLAIMS_BATCH_MAX packets: `take` claimed, the takes on `read` only
   * read. Null when the agency server predates the batch route (the caller asks packet by packet).
   */
  async claimMany(take: readonly PacketKey[], read: readonly PacketKey[]): Promise<PacketClaimsBatchAnswer | null> {
    const out: PacketClaimsBatchAnswer = { take: {}, read: {} };
    for (let i = 0; i < Math.max(take.length, read.length); i += CLAIMS_BATCH_MAX / 2) {
      const named = (keys: readonly PacketKey[]) => keys.slice(i, i + CLAIMS_BATCH_MAX / 2).map((k) => ({ from: k.from, packetId: k.packetId }));
      const body = { take: named(take), read: named(read) };
      const res = await this.o.server.request('POST', `${PACKETS_API}/inbox/claims`, { body: Buffer.from(JSON.stringify(body)), headers: { 'content-type': 'application/json' } });
      if (res.status === 404 && readJson<{ message?: string }>(res)?.message === 'no such route') return null;
      const page = expectJson<PacketClaimsBatchAnswer>(res, `claims of ${body.take.length + body.read.length} packets`);
      Object.assign(out.take, page.take);
      Object.assign(out.read, page.read);
    }
    return out;
  }

  /** Who holds the claims on an inbound packet. */
  async claims(key: PacketKey): Promise<PacketClaims> {
    const { packetId } = key;
    return expectJson<PacketClaims>(await this.o.server.request('GET', `${PACKETS_API}/inbox/${packetId}/claims${fromQuery(key)}`), `claims of packet ${packetId}`);
  }

  /** Releases this workstation's decision claim (its local decision failed before it committed). */
  async release(key: PacketKey): Promise<boolean> {
    const { packetId } = key;
    return expectJson<{ released: boolean }>(await this.o.server.request('DELETE', `${PACKETS_API}/inbox/${packetId}/claims/decide${fromQuery(key)}`), `release of packet ${packetId}`).released;
  }

  /**
   * A released decision refused for sync (`waiting`): where this workstation's pull cursor of a channel is
   * beyond what the server ever served it (a profile copied with another workstation's cursors), the
   * cursor goes back to what was served, so the next pulls fetch the rest from the server itself (events
   * already here are skipped by id) and the server can count them. Returns the channels rewound.
   */
  rewindUnserved(waiting: ClaimWaiting): string[] {
    const out: string[] = [];
    writeTx(this.o.db, () => {
      for (const lag of waiting.channels) {
        if (lag.served === undefined || !isChannel(lag.channel)) continue;
        const key = pullCursorKey(lag.channel);
        if (cursor(this.o.db, key) > lag.served) {
          setState(this.o.db, key, String(lag.served));
          out.push(lag.channel);
        }
      }
    });
    return out;
  }

  /**
   * A released decision refused for sync (`waiting`) where this workstation already keeps every batch up
   * to the watermark but has not yet asked the server from there (the server counts a position as kept
   * only once the workstation asks from it: a round that pulled up to the head asked from below it). For
   * each such channel it asks the listing once from its cursor (what the listing holds is left for the next
   * pull: no cursor moves here). True when it asked: the claim is worth asking again at once.
   */
  async acknowledgeKept(waiting: ClaimWaiting): Promise<boolean> {
    let asked = false;
    for (const lag of waiting.channels) {
      if (!isChannel(lag.channel)) continue;
      const at = cursor(this.db, pullCursorKey(lag.channel));
      // Not there yet (the next pulls get there), or beyond what was served (rewindUnserved's case).
      if (at < lag.needed || at <= lag.reached || (lag.served !== undefined && at > lag.served)) continue;
      expectJson<unknown>(await this.o.server.request('GET', `${API}/events?channel=${lag.channel}&after=${at}&limit=1`), `GET ${lag.channel} events (acknowledging)`);
      asked = true;
    }
    return asked;
  }

  /** Takes released since the last one handled (a workstation declared lost): all pages after the cursor. */
  async releases(): Promise<ClaimRelease[]> {
    const out: ClaimRelease[] = [];
    let after = cursor(this.db, RELEASES_CURSOR);
    for (;;) {
      const page = expectJson<ClaimReleasePage>(await this.o.server.request('GET', `${PACKETS_API}/releases?after=${after}`), 'GET claim releases');
      out.push(...page.releases);
      after = page.next;
      if (!page.more) return out;
    }
  }

  /** A release was handled (or is none of this workstation's business): the cursor moves past it. */
  releaseHandled(seq: number): void {
    writeTx(this.db, () => {
      if (cursor(this.db, RELEASES_CURSOR) < seq) setState(this.db, RELEASES_CURSOR, String(seq));
    });
  }

  /**
   * Refusals the agency server learnt after it took our packets (the hub refused them), read after the
   * cursor: each refused packet this workstation queued is marked refused with the cursor in one
   * transaction (a crash reads the page again; marking twice changes nothing). Returns those marked here.
   */
  async pullRefusals(): Promise<PacketRefusal[]> {
    const marked: PacketRefusal[] = [];
    for (;;) {
      const after = cursor(this.db, REFUSALS_CURSOR);
      const res = await this.o.server.request('GET', `${PACKETS_API}/refusals?after=${after}`);
      // An agency server from before refusals travelled back: nothing to read.
      if (res.status === 404 && readJson<{ message?: string }>(res)?.message === 'no such route') return marked;
      const page = expectJson<PacketRefusalPage>(res, 'GET packet refusals');
      writeTx(this.db, () => {
        for (const r of page.refusals) {
          if (r.seq <= after) throw new TransportError(`the server listed refusal ${r.seq} after ${after}`, res.status, 'http');
          if (markRefusedLater(this.db, r.packetId, r.code, r.message, r.refusedAt)) marked.push(r);
        }
        if (page.next > after) setState(this.db, REFUSALS_CURSOR, String(page.next));
      });
      if (!page.more || page.next <= after) return marked;
    }
  }

  /**
   * A sent packet keeps its body until the agency server is seen to have passed it on. At most every
   * passCheckMs (or when `force`d), a thousand at a time, this asks the server where they are
   * (POST /v1/packets/held): passed on to the hub or refused, the body goes; not held at all, the server
   * was restored from a backup taken before it took them (it never drops a packet it took), and they are
   * queued again, same id and bytes (returned: the caller flushes). An agency server from before this
   * route cannot say: the bodies go, as they did then.
   */
  async checkPassedOn(o: { force?: boolean } = {}): Promise<{ passed: number; requeued: string[] }> {
    const out = { passed: 0, requeued: [] as string[] };
    if (!o.force && this.now() - this.passCheckedAt < (this.o.passCheckMs ?? PASS_CHECK_MS)) return out;
    let afterId = 0;
    for (;;) {
      const rows = unpassedSent(this.db, HELD_PACKETS_MAX, afterId);
      if (!rows.length) break;
      const res = await this.o.server.request('POST', `${PACKETS_API}/held`, {
        body: Buffer.from(JSON.stringify({ packetIds: rows.map((r) => r.packetId) })), headers: { 'content-type': 'application/json' },
      });
      const old = res.status === 404 && readJson<{ message?: string }>(res)?.message === 'no such route';
      const where = old ? null : new Map(expectJson<OutboundHeldResult>(res, 'POST held packets').packets.map((p) => [p.packetId, p.state]));
      const released: string[] = [];
      writeTx(this.db, () => {
        for (const r of rows) {
          const state = where ? where.get(r.packetId) : 'forwarded';
          if (state === 'forwarded' || state === 'refused') {
            if (markPassed(this.db, r.packetId, this.iso())) released.push(r.sha256);
          } else if (state === undefined && requeueLost(this.db, r.packetId)) out.requeued.push(r.packetId);
        }
      });
      for (const sha of released) this.o.bodies?.release(this.db, sha);
      out.passed += released.length;
      if (rows.length < HELD_PACKETS_MAX) break;
      afterId = rows[rows.length - 1]!.id;
    }
    for (const packetId of out.requeued) this.step('packet-requeued', { packetId });
    this.passCheckedAt = this.now();
    return out;
  }

  /** An inbound packet's bytes again (a released take), checked against its listing. */
  async fetchInbound(l: PacketListing): Promise<Buffer> {
    const bytes = await this.download(l);
    writeTx(this.db, () => dropPacketParts(this.db, l.seq));
    if (bytes.length !== l.size || sha256Hex(bytes) !== l.sha256) throw new TransportError(`packet ${l.packetId} does not match its hash`, 200, 'corrupt');
    return bytes;
  }

  /** An administrator declares another workstation of the agency lost for good (its takes are released). */
  async declareLost(workstation: string, reason: string): Promise<LostWorkstation> {
    const res = await this.o.server.request('POST', `${ADMIN_WORKSTATIONS_API}/${encodeURIComponent(workstation)}/lost`, {
      body: Buffer.from(JSON.stringify({ reason })), headers: { 'content-type': 'application/json' },
    });
    if (res.status === 200 || res.status === 201) return expectJson<LostWorkstation>(res, 'declare a workstation lost');
    const data = readJson<{ error?: string; message?: string }>(res);
    throw new TransportError(`declare workstation ${workstation} lost: ${res.status} ${data?.message ?? ''}`.trim(), res.status, data?.error ?? 'http');
  }

  /** The agency's workstations as the server knows them, each with its declaration if declared lost (administrators). */
  async agencyWorkstations(): Promise<AgencyWorkstationsPage> {
    return expectJson<AgencyWorkstationsPage>(await this.o.server.request('GET', ADMIN_WORKSTATIONS_API), 'list the agency\'s workstations');
  }

  /** Packets received and not yet handed over (for a domain that drains at its own pace). */
  pending(limit = 100): InboundPacket[] {
    return pendingInbound(this.db, limit);
  }

  /** Marks one packet handed over (a domain that took it by itself); false when it was before. */
  take(from: string, packetId: string): boolean {
    return writeTx(this.db, () => markTaken(this.db, from, packetId, this.iso()));
  }

  /** One round: send what waits, fetch what arrived (`waitMs`: waiting for it, see pull), hand it over. */
  async syncOnce(o: { waitMs?: number } = {}): Promise<{ sent: number; received: number; handed: number }> {
    try {
      let sent = await this.flush();
      if ((await this.checkPassedOn()).requeued.length) sent += await this.flush();
      const received = await this.pull(o);
      const handed = this.drain();
      writeTx(this.db, () => setState(this.db, 'packets:last_contact', this.iso()));
      this.lastError = null;
      return { sent, received, handed };
    } catch (e) {
      this.lastError = e instanceof Error ? e.message : String(e);
      throw e;
    }
  }

  /** Every `intervalMs`, and after a failure with jittered backoff until the server answers. */
  start(intervalMs = 5_000): void {
    if (this.running) return;
    this.running = true;
    const tick = async () => {
      let wait = intervalMs;
      try {
        await this.syncOnce();
        this.failures = 0;
      } catch (e) {
        this.failures++;
        wait = e instanceof TransportError && e.retryAfterMs ? e.retryAfterMs : backoffDelay(this.failures, this.o.backoff ?? DEFAULT_BACKOFF, this.o.random);
      }
      if (this.running) this.timer = setTimeout(() => void tick(), wait);
    };
    void tick();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** What the sync panel shows: queue lengths, refusals, the cursor, last contact and error. */
  status(): PacketStatus {
    return { ...queueStats(this.db), cursor: cursor(this.db, PULL_CURSOR), lastContact: getState(this.db, 'packets:last_contact'), lastError: this.lastError };
  }
}

function readJson<T>(res: Response): T | null {
  try {
    return res.body.length ? (JSON.parse(res.body.toString('utf8')) as T) : null;
  } catch {
    return null;
  }
}

function retryAfter(res: Response): number | null {
  const ra = Number(res.headers['retry-after']);
  return Number.isFinite(ra) && ra > 0 ? ra * 1000 : null;
}

function expectJson<T>(res: Response, what: string): T {
  const data = readJson<T & { error?: string; message?: string }>(res);
  if (res.status < 200 || res.status >= 300) throw new TransportError(`${what}: ${res.status} ${data?.message ?? ''}`.trim(), res.status, data?.error ?? 'http', retryAfter(res));
  return data as T;
}
