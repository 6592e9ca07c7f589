// An agency server's link to the hub: forwards its workstations' packets from the durable outbox
// (packets_out, state 'queued': retried with backoff, oldest first, survives restarts), pulls the
// agency's packets from the hub after its cursor (stored with the cursor in one transaction), and
// keeps a copy of the directory. Both sides are idempotent by packet id, so a restart or a kill -9 at
// any point resends or re-pulls at most what the other side then recognises.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { backoffDelay } from '../main/core/sync/backoff';
import { HELD_PACKETS_MAX, HUB_API, type Directory, type HeldPacketsResult, type PacketPage, type PacketSubmitResult } from '../main/core/sync/packets/protocol';
import { Transport, TransportError } from '../main/core/sync/transport';
import type { HubLinkConfig } from './config';
import type { Logger } from './log';
import type { PacketStore } from './storage/packetStore';
import { uploadResumable } from '../main/core/sync/resumableUpload';

/** Refusals that no retry will change: the packet is marked refused and the next one goes. */
const PERMANENT = new Set(['not-a-packet', 'packet-id-mismatch', 'wrong-sender', 'unknown-recipient', 'bad-signature', 'changed-body', 'too-large']);
export const HUB_CURSOR = 'hub:pull';
/** The hub's last restore mark this link adopted ('' or absent: none). */
export const HUB_INCARNATION = 'hub:incarnation';
/** While the packets passed on are checked against a restored hub: the last packets_out seq checked ('' : none). */
export const HUB_RECHECK = 'hub:recheck';
export const DIRECTORY_KEY = 'directory';

export interface HubLinkStatus {
  lastContact: string | null;
  lastError: string | null;
  directoryVersion: string | null;
}

export class HubLink {
  private readonly transport: Transport;
  private timer: NodeJS.Timeout | null = null;
  private current: Promise<void> | null = null;
  private again = false;
  private stopped = true;
  private failures = 0;
  private directoryAt = 0;
  private pulledAt = 0;
  private lastContact: string | null = null;
  private lastError: string | null = null;
  private directoryVersion: string | null = null;
  /** The long-poll pull loop while it runs, and its pause between polls (ended by stop). */
  private pulling: Promise<void> | null = null;
  /** The last push stopped at a packet waiting for its next attempt (the timer must come back for it). */
  private retryWaiting = false;
  private napping: { timer: NodeJS.Timeout; wake: () => void } | null = null;

  /** `onInbound`: a packet from the hub was stored (the agency inbox's long polls end). */
  constructor(private readonly cfg: HubLinkConfig, private readonly store: PacketStore, private readonly logger: Logger, private readonly clock: () => number = Date.now, private readonly onInbound: () => void = () => {}) {
    this.transport = new Transport({
      url: cfg.url, caPem: cfg.ca.map((f) => readFileSync(f, 'utf8')).join(''), timeoutMs: cfg.timeoutMs, maxSockets: 4,
      clientCertificate: { certPem: readFileSync(cfg.certificate, 'utf8'), keyPem: readFileSync(cfg.key, 'utf8') },
    });
  }

  start(): void {
    this.stopped = false;
    this.kick();
    if (this.longPoll() && !this.pulling) this.pulling = this.pullLoop().finally(() => (this.pulling = null));
  }

  /** How long the hub may hold an empty listing (0: plain polls; below the transport's timeout). */
  private longPoll(): number {
    return Math.min(this.cfg.waitMs ?? 0, Math.floor(this.cfg.timeoutMs / 2));
  }

  /**
   * The pull as a long poll, apart from the pushes (a submitted packet never waits for a listing): each
   * request waits at the hub until a packet arrives for this agency or the wait is over, then the next
   * one goes. A hub that answers at once (from before long polls) is asked again after pollMs; a failure
   * waits with backoff.
   */
  private async pullLoop(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      const t0 = this.clock();
      let wait = 0;
      try {
        const got = await this.pull(this.longPoll());
        failures = 0;
        this.lastContact = new Date(this.clock()).toISOString();
        if (!got && this.clock() - t0 < this.longPoll() / 2) wait = this.cfg.pollMs;
      } catch (e) {
        if (this.stopped) return;
        failures++;
        this.lastError = e instanceof Error ? e.message : String(e);
        this.logger.log('warn', 'hub link pull', { error: this.lastError, failures });
        wait = backoffDelay(failures, this.cfg.backoff);
      }
      if (wait && !this.stopped) await new Promise<void>((r) => { this.napping = { timer: setTimeout(r, wait), wake: r }; });
      this.napping = null;
    }
  }

  /** Runs a round now (a workstation just submitted a packet), or right after the one under way. */
  kick(): void {
    if (this.stopped) return;
    if (this.current) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.current = this.round().finally(() => {
      this.current = null;
      if (this.stopped) return;
      if (this.again) {
        this.again = false;
        this.kick();
        return;
      }
      // Long-polling, a round is needed again only for a packet waiting for its next attempt or the
      // directory's refresh: a submit kicks one at once.
      const idle = this.longPoll() && !this.retryWaiting ? this.cfg.directoryRefreshMs : this.cfg.pollMs;
      const wait = this.failures ? backoffDelay(this.failures, this.cfg.backoff) : idle;
      this.timer = setTimeout(() => this.kick(), Math.max(wait, 20));
    });
  }

  /** Stops the loop; a request under way is cut (what it did is redone idempotently at the next start). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.napping) {
      clearTimeout(this.napping.timer);
      this.napping.wake();
    }
    this.transport.close();
    await Promise.all([this.current?.catch(() => {}), this.pulling?.catch(() => {})]);
  }

  status(): HubLinkStatus {
    return { lastContact: this.lastContact, lastError: this.lastError, directoryVersion: this.directoryVersion };
  }

  private async round(): Promise<void> {
    try {
      if (this.clock() - this.directoryAt >= this.cfg.directoryRefreshMs || !this.directoryVersion) await this.syncDirectory();
      await this.push();
      // A kick (a workstation just submitted) pushes at once; the hub is polled on the timer (or long-polled apart).
      if (!this.longPoll() && this.clock() - this.pulledAt >= this.cfg.pollMs) {
        await this.pull();
        this.pulledAt = this.clock();
      }
      this.failures = 0;
      this.lastError = null;
      this.lastContact = new Date(this.clock()).toISOString();
    } catch (e) {
      this.failures++;
      this.lastError = e instanceof Error ? e.message : String(e);
      if (!this.stopped) this.logger.log('warn', 'hub link', { error: this.lastError, failures: this.failures });
    }
  }

  async syncDirectory(): Promise<Directory> {
    const { data } = await this.transport.json<Directory>('GET', `${HUB_API}/directory`);
    if (data.version !== this.directoryVersion) await this.store.setState(DIRECTORY_KEY, JSON.stringify(data));
    this.directoryVersion = data.version;
    this.directoryAt = this.clock();
    return data;
  }

  /** Forwards queued packets, oldest first; stops at a transient failure (kept with its next attempt). */
  async push(): Promise<number> {
    await this.recheckForwarded();
    let sent = 0;
    for (;;) {
      if (this.stopped) return sent;
      const row = await this.store.headOfOutbound(new Date(this.clock()));
      this.retryWaiting = row === 'waiting';
      if (!row || row === 'waiting') return sent;
      const res = await this.putRaw(row.packetId, row.payload).catch((e: unknown) => e as Error);
      if (res instanceof Error) {
        if (res instanceof TransportError && res.status !== null && PERMANENT.has(res.code)) {
          await this.store.markRefused(row.packetId, res.code, res.message, new Date(this.clock()));
          this.logger.log('warn', 'hub refused a packet', { packet: row.packetId, code: res.code });
          continue;
        }
        const delay = res instanceof TransportError && res.retryAfterMs ? res.retryAfterMs : backoffDelay(row.attempts + 1, this.cfg.backoff);
        await this.store.recordOutboundFailure(row.packetId, res.message, new Date(this.clock() + delay));
        throw res;
      }
      await this.store.markForwarded(row.packetId, new Date(this.clock()));
      sent++;
    }
  }

  private async putRaw(packetId: string, bytes: Buffer): Promise<PacketSubmitResult> {
    const path = `${HUB_API}/packets/${packetId}`;
    const headers = { 'content-type': 'application/octet-stream' };
    // A large packet in chunks from the hub's offset: a cut connection or a restart resumes it.
    const res = bytes.length > this.cfg.resumableAboveBytes
      ? await uploadResumable((o) => this.transport.request('PUT', path, { ...(o.body ? { body: o.body } : {}), headers: { ...headers, ...o.headers } }), bytes, {
        chunkBytes: this.cfg.uploadChunkBytes, onResume: (offset, total) => { if (offset > 0) this.logger.log('info', 'hub upload resumed', { packet: packetId, offset, total }); },
      })
      : await this.transport.request('PUT', path, { body: bytes, headers });
    return jsonAnswer<PacketSubmitResult>(res, `PUT packet ${packetId}`);
  }

  /**
   * Pulls the agency's packets after the cursor; each is stored with the cursor in one transaction.
   * `waitMs`: the first listing may wait at the hub that long for a packet (a long poll).
   */
  async pull(waitMs = 0): Promise<number> {
    let stored = 0;
    let rewound = false;
    for (let first = true; ; first = false) {
      if (this.stopped) return stored;
      const after = Number((await this.store.getState(HUB_CURSOR)) ?? 0);
      let page: PacketPage;
      try {
        const seen = encodeURIComponent((await this.store.getState(HUB_INCARNATION)) ?? '');
        ({ data: page } = await this.transport.json<PacketPage>('GET', `${HUB_API}/inbox?after=${after}&incarnation=${seen}${first && waitMs > 0 ? `&waitMs=${waitMs}` : ''}`));
      } catch (e) {
        // The hub's store went back past this cursor (restored): what it still holds for us is read
        // again from the start; packets already here are recognised by sender and id and not stored twice.
        if (!(e instanceof TransportError && e.code === 'cursor-ahead') || rewound || after === 0) throw e;
        this.logger.log('warn', 'hub store went back: reading its deliveries again from the start', { cursor: after, error: e.message });
        await this.store.setState(HUB_CURSOR, '0');
        rewound = true;
        continue;
      }
      // The hub was restored and its operator marked it: read again from the start and check which of the
      // packets passed on it still holds (recheckForwarded), in one transaction.
      if (page.incarnation !== undefined && (page.incarnation ?? '') !== ((await this.store.getState(HUB_INCARNATION)) ?? '')) {
        this.logger.log('warn', 'hub marked restored: reading its deliveries again and checking the packets passed on', { incarnation: page.incarnation, cursor: after });
        await this.store.setStates({ [HUB_INCARNATION]: page.incarnation ?? '', [HUB_CURSOR]: '0', [HUB_RECHECK]: '0' });
        this.kick();
        continue;
      }
      for (const l of page.packets) {
        if (l.seq <= after) throw new Error(`hub listed delivery ${l.seq} after ${after}`);
        const payload = l.payload !== undefined ? Buffer.from(l.payload, 'base64') : await this.download(l.seq, l.size, l.sha256);
        if (payload.length !== l.size || createHash('sha256').update(payload).digest('hex') !== l.sha256) throw new Error(`delivery ${l.seq} does not match its hash`);
        if (await this.store.acceptInbound(l, payload, new Date(this.clock()), HUB_CURSOR)) {
          stored++;
          this.onInbound();
        }
      }
      if (!page.more) return stored;
    }
  }

  /**
   * After a restore of the hub: asks it which of the packets this agency passed on it holds, a chunk at
   * a time in the order they went, and queues the others again (they go before anything newer).
   * Resumable: each chunk's requeue and progress commit together.
   */
  private async recheckForwarded(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const from = await this.store.getState(HUB_RECHECK);
      if (!from) return;
      const rows = await this.store.forwardedAfter(Number(from), HELD_PACKETS_MAX);
      if (!rows.length) return void (await this.store.setState(HUB_RECHECK, ''));
      const { data } = await this.transport.json<HeldPacketsResult>('POST', `${HUB_API}/packets/held`, { packetIds: rows.map((r) => r.packetId) });
      if (!Array.isArray(data.held)) throw new Error('the hub answered no list of held packets');
      const held = new Set(data.held);
      const lost = rows.filter((r) => !held.has(r.packetId)).map((r) => r.packetId);
      await this.store.requeueLost(lost, rows[rows.length - 1]!.seq, HUB_RECHECK);
      if (lost.length) this.logger.log('warn', 'packets the restored hub lost queued again', { count: lost.length });
    }
  }

  /** A large payload; a connection cut midway resumes with Range (up to 5 tries in this round). */
  private async download(seq: number, size: number, sha256: string): Promise<Buffer> {
    const parts: Buffer[] = [];
    let have = 0;
    for (let attempt = 0; have < size; attempt++) {
      try {
        const res = await this.transport.request('GET', `${HUB_API}/inbox/${seq}/payload`, {
          headers: have ? { range: `bytes=${have}-`, 'if-range': `"${sha256}"` } : {},
          onChunk: (c) => { parts.push(c); have += c.length; },
        });
        if (res.status !== 200 && res.status !== 206) throw new TransportError(`payload of delivery ${seq}: ${res.status}`, res.status, 'http');
        if (res.status === 200 && have > size) throw new Error(`delivery ${seq} changed during download`);
      } catch (e) {
        if (attempt >= 4 || this.stopped) throw e;
      }
    }
    return Buffer.concat(parts);
  }
}

export function jsonAnswer<T>(res: { status: number; headers: Record<string, unknown>; body: Buffer }, what: string): T {
  let data: unknown = null;
  try {
    data = res.body.length ? JSON.parse(res.body.toString('utf8')) : null;
  } catch {
    data = null;
  }
  if (res.status < 200 || res.status >= 300) {
    const err = data as { error?: string; message?: string } | null;
    const ra = Number(res.headers['retry-after']);
    throw new TransportError(`${what}: ${res.status} ${err?.message ?? ''}`.trim(), res.status, err?.error ?? 'http', Number.isFinite(ra) && ra > 0 ? ra * 1000 : null);
  }
  return data as T;
}
