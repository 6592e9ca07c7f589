// The workstation's client of the agency server. Push: the events this workstation made are cut into
// batches and put in the outbox (sealed under the level key for classified channels) in the same
// transaction that moves the push cursor; each batch is sent as is until the server has it (the
// server keeps a batch once by its id, so a resend after a crash stores nothing twice), then removed.
// Pull: batches after the channel's cursor, each handed to `apply` inside the transaction that moves
// the cursor, so a batch is applied once. Received events are not written into the local tables here
// (main/core/sync/apply.ts does that, through `apply`).
import { createHash } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { Secrecy } from '../../../common/domain';
import { parseCertificate } from '../crypto/certificates';
import type { PrivateKeyOps } from '../crypto/keyOps';
import type { Db } from '../db/connection';
import { writeTx } from '../db/transaction';
import { workstationId, type ChangeEvent } from '../events/eventLog';
import { outboundEvents, type WireEvent } from './wire';
import { newGlobalId } from '../events/globalId';
import { schemaOf } from '../compartments/levels';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff';
import {
  cursor, dropParts, enqueue, getState, headOfOutbox, outboxStats, pullCursorKey, pushCursorKey, recordFailure, removeFromOutbox, savedParts, savePart, setState,
} from './outbox';
import {
  API, authChallenge, CHANNELS, eventsWaitAfter, isClassified, type BatchListing, type EventsWaitResult, type BatchPage, type BatchPushResult, type BatchUpload, type Channel, type KeyringListing,
  type EventsAtResult, type KnownEventsResult, type NonceResponse, type RestoreList, type SessionRequest, type SessionResponse,
} from './protocol';
import { adoptedIncarnation, adoptRestores, checkpointAt, cursorsToVerify, noteCheckpoint, noteSeen, resendKey, resendLostEvents, restoreListSchema, SEEN_KEY, settleVerification, unadoptedRestores } from './restore';
import { openBatch, sealBatch } from './seal';
import { Transport, TransportError, type RequestOptions, type Response, type TransportOptions } from './transport';

export class SyncError extends Error {
  override readonly name = 'SyncError';
  constructor(readonly code: 'no-signer' | 'key-unavailable' | 'corrupt-batch' | 'refused' | 'server-behind', message: string) {
    super(message);
  }
}

/** The level keys of the session: the current one seals, any known one opens. */
export interface LevelKeys {
  current(level: Secrecy): { keyId: string; key: Buffer } | null;
  byId(level: Secrecy, keyId: string): Buffer | null;
}

export interface ReceivedBatch {
  channel: Channel;
  seq: number;
  batchId: string;
  origin: string;
  receivedAt: string;
  events: ChangeEvent[];
}

/** Points between two steps, where a test can kill the process (and the sync panel can report). */
export type SyncStep =
  | 'outbox-filled' | 'batch-sending' | 'batch-sent' | 'batch-acknowledged' | 'batch-cleared'
  | 'part-saved' | 'batch-downloaded' | 'batch-applied'
  /** The store was marked restored: cursors went back to its heads (seq: the batches' head). */
  | 'restore-adopted'
  /** A cursor went further back than the mark's head, to the last batch the store still holds as read (seq: there). */
  | 'restore-reread'
  /** Own events the restored store lacked were queued again (seq: how many). */
  | 'events-requeued';

export interface ServerClientOptions {
  /** The workstation's base database, with the compartments of the channels attached. */
  db: Db;
  transport: Transport | TransportOptions;
  /** The signed-in person's signing key (the token's), or null when nobody is signed in. */
  signer: () => PrivateKeyOps | null;
  /** Channels to carry now: base and the levels whose compartments are attached. */
  channels: () => readonly Channel[];
  keys: LevelKeys;
  /** Applies one received batch; runs inside the transaction that advances the cursor. */
  apply: (batch: ReceivedBatch) => void;
  workstation?: string;
  batchEvents?: number;
  batchBytes?: number;
  backoff?: BackoffPolicy;
  clock?: () => number;
  random?: () => number;
  onStep?: (step: SyncStep, detail: { channel: Channel; batchId?: string; seq?: number }) => void;
}

export interface SyncStatus {
  outbox: { batches: number; events: number; bytes: number; oldest: string | null; lastError: string | null };
  lastContact: string | null;
  lastError: string | null;
  pushCursors: Record<string, number>;
  pullCursors: Record<string, number>;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const PART_BYTES = 256 << 10;

export class ServerClient {
  readonly transport: Transport;
  private readonly db: Db;
  private readonly o: ServerClientOptions;
  private readonly workstation: string;
  private session: SessionResponse | null = null;
  private lastError: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private failures = 0;
  private running = false;
  /** Aborted by close(): every request of this client carries it. */
  private readonly closing = new AbortController();

  constructor(o: ServerClientOptions) {
    this.o = o;
    this.db = o.db;
    this.transport = o.transport instanceof Transport ? o.transport : new Transport(o.transport);
    this.workstation = o.workstation ?? workstationId(o.db);
    // Each request listens to it while it runs (a round's parallel downloads): no listener-count warning.
    setMaxListeners(0, this.closing.signal);
  }

  private now = () => (this.o.clock ?? Date.now)();
  private step(s: SyncStep, d: { channel: Channel; batchId?: string; seq?: number }) {
    this.o.onStep?.(s, d);
  }

  // ---------- session ----------

  /**
   * Opens a session: the token signs the server's fresh nonce. Requests that find no session at the
   * same moment (the rounds and both long polls after sign-in) share one sign-in: one signature on the
   * token and one session on the server, not one each.
   */
  signIn(): Promise<SessionResponse> {
    this.signingIn ??= this.openSession().finally(() => { this.signingIn = null; });
    return this.signingIn;
  }

  private signingIn: Promise<SessionResponse> | null = null;

  private async openSession(): Promise<SessionResponse> {
    const key = this.o.signer();
    if (!key) throw new SyncError('no-signer', 'nobody is signed in: the server session needs the token');
    const { data: n } = await this.transport.json<NonceResponse>('POST', `${API}/auth/nonce`, {}, {}, undefined, this.closing.signal);
    const serverSha = this.transport.serverCertSha256;
    if (!serverSha) throw new SyncError('refused', 'the server certificate was not seen');
    const cert = parseCertificate(key.certificate);
    const algorithm: SessionRequest['algorithm'] = cert.publicKey.algorithm === 'EC' ? 'ECDSA-SHA256' : 'RSASSA-PKCS1-v1_5-SHA256';
    const signature = await key.sign(algorithm, authChallenge(n.nonce, this.workstation, serverSha));
    const body: SessionRequest = {
      nonce: n.nonce, workstation: this.workstation, certificate: Buffer.from(key.certificate).toString('base64'), algorithm, signature: Buffer.from(signature).toString('base64'),
    };
    const { data } = await this.transport.json<SessionResponse>('POST', `${API}/auth/session`, body, {}, undefined, this.closing.signal);
    this.session = data;
    return data;
  }

  /** An authorised request; a session the server no longer knows (restart, expiry) is opened again once. */
  private async authed<T>(method: string, path: string, body?: unknown, onSent?: () => void, cancel?: AbortSignal): Promise<{ status: number; data: T }> {
    if (!this.session || Date.parse(this.session.expiresAt) - 30_000 < this.now()) await this.signIn();
    const signal = cancel ? AbortSignal.any([cancel, this.closing.signal]) : this.closing.signal;
    try {
      return await this.transport.json<T>(method, path, body, { authorization: `Bearer ${this.session!.token}` }, onSent, signal);
    } catch (e) {
      if (!(e instanceof TransportError) || e.status !== 401) throw e;
      await this.signIn();
      return this.transport.json<T>(method, path, body, { authorization: `Bearer ${this.session!.token}` }, onSent, signal);
    }
  }

  /**
   * A raw request in this client's session (edXML packets, main/core/sync/packets; files, sync/blobSync.ts): signs in when
   * needed and once more on a 401. The answer is returned whatever its status.
   */
  async request(method: string, path: string, o: RequestOptions = {}): Promise<Response> {
    if (!this.session || Date.parse(this.session.expiresAt) - 30_000 < this.now()) await this.signIn();
    const signal = o.signal ? AbortSignal.any([o.signal, this.closing.signal]) : this.closing.signal;
    const go = () => this.transport.request(method, path, { ...o, signal, headers: { ...o.headers, authorization: `Bearer ${this.session!.token}` } });
    const res = await go();
    if (res.status !== 401) return res;
    await this.signIn();
    return go();
  }

  /** An authorised JSON request (see authed). */
  async authedJson<T>(method: string, path: string, body?: unknown): Promise<{ status: number; data: T }> {
    return this.authed<T>(method, path, body);
  }

  // ---------- push ----------

  private schemaOf(c: Channel): string {
    return c === 'base' ? 'main' : schemaOf(c);
  }

  /**
   * Cuts this workstation's new events of each channel into outbox batches. Events applied here from
   * the server are not sent back (they travel from their origin); a record moved here from another
   * level sends its copied history with it (docs/sync.md).
   * A classified channel without its level key waits (its cursor does not move).
   */
  fillOutbox(): number {
    let made = 0;
    const max = this.o.batchEvents ?? 500;
    const maxBytes = this.o.batchBytes ?? 4 << 20;
    for (const channel of this.o.channels()) {
      const key = channel === 'base' || !isClassified(channel) ? null : this.o.keys.current(channel);
      if (isClassified(channel) && !key) continue;
      for (;;) {
        const batchId = writeTx(this.db, () => {
          const from = cursor(this.db, pushCursorKey(channel));
          // What was appended here and not received from the server, references as global ids (sync/wire.ts).
          const events = outboundEvents(this.db, this.schemaOf(channel), from, max);
          if (!events.length) return null;
          const mine: Array<WireEvent & { seq: number }> = [];
          let bytes = 0;
          let last = from;
          for (const { seq, event } of events) {
            const e = { ...event, seq };
            const size = JSON.stringify(e).length;
            if (mine.length && bytes + size > maxBytes) break;
            last = seq;
            mine.push(e);
            bytes += size;
          }
          setState(this.db, pushCursorKey(channel), String(last));
          return mine.length ? this.enqueueBatch(channel, key, mine) : '';
        });
        if (batchId === null) break;
        if (batchId) {
          made++;
          this.step('outbox-filled', { channel, batchId });
        }
      }
    }
    return made;
  }

  /** Puts one batch of the channel's events in the outbox, sealed under the level key for a classified channel. */
  private enqueueBatch(channel: Channel, key: { keyId: string; key: Buffer } | null, mine: Array<WireEvent & { seq: number }>): string {
    const id = newGlobalId();
    const eventIds = mine.map((e) => e.id);
    const plain = Buffer.from(JSON.stringify(mine));
    const payload = key ? sealBatch(key.key, { channel, keyId: key.keyId, batchId: id, eventIds }, plain) : plain;
    enqueue(this.db, {
      batchId: id, channel, keyId: key?.keyId ?? null, encoding: key ? 'aes-256-gcm' : 'clear', eventIds, payload,
      firstSeq: mine[0]!.seq, lastSeq: mine[mine.length - 1]!.seq, createdAt: new Date(this.now()).toISOString(),
    });
    return id;
  }

  /**
   * After a restore of the store was adopted: this workstation's own events it no longer holds are
   * queued again (sync/restore.ts), cut into batches as the outbox cuts them. A classified channel
   * without its level key waits, as its outbox does.
   */
  async resendLost(): Promise<number> {
    let queued = 0;
    const maxBytes = this.o.batchBytes ?? 4 << 20;
    for (const channel of this.o.channels()) {
      if (!getState(this.db, resendKey(channel))) continue;
      const key = channel === 'base' || !isClassified(channel) ? null : this.o.keys.current(channel);
      if (isClassified(channel) && !key) continue;
      const n = await resendLostEvents({
        db: this.db, channel, schema: this.schemaOf(channel), chunk: this.o.batchEvents ?? 500,
        known: async (eventIds) => (await this.authedJson<KnownEventsResult>('POST', `${API}/events/known`, { channel, eventIds })).data.known,
        enqueue: (events) => {
          let batch: typeof events = [];
          let bytes = 0;
          for (const e of events) {
            const size = JSON.stringify(e).length;
            if (batch.length && bytes + size > maxBytes) {
              this.enqueueBatch(channel, key, batch);
              batch = [];
              bytes = 0;
            }
            batch.push(e);
            bytes += size;
          }
          if (batch.length) this.enqueueBatch(channel, key, batch);
        },
      });
      if (n) this.step('events-requeued', { channel, seq: n });
      queued += n;
    }
    return queued;
  }

  /**
   * Sends the outbox, oldest first; stops at the first batch that fails (order is kept) and leaves
   * it with its next attempt time. Returns the number of batches the server acknowledged.
   */
  async flush(): Promise<number> {
    let sent = 0;
    for (;;) {
      const row = headOfOutbox(this.db);
      if (!row) return sent;
      if (row.nextAttemptAt && Date.parse(row.nextAttemptAt) > this.now()) return sent;
      const body: BatchUpload = {
        batchId: row.batchId, channel: row.channel, keyId: row.keyId, encoding: row.encoding, eventIds: row.eventIds, payload: row.payload.toString('base64'),
      };
      this.step('batch-sending', { channel: row.channel, batchId: row.batchId });
      let result: BatchPushResult;
      try {
        ({ data: result } = await this.authed<BatchPushResult>('POST', `${API}/events`, body, () => this.step('batch-sent', { channel: row.channel, batchId: row.batchId })));
      } catch (e) {
        const err = e as Error;
        const delay = e instanceof TransportError && e.retryAfterMs ? e.retryAfterMs : backoffDelay(row.attempts + 1, this.o.backoff ?? DEFAULT_BACKOFF, this.o.random);
        writeTx(this.db, () => recordFailure(this.db, row.batchId, err.message, new Date(this.now() + delay).toISOString()));
        throw e;
      }
      this.step('batch-acknowledged', { channel: row.channel, batchId: row.batchId, seq: result.seq });
      writeTx(this.db, () => {
        removeFromOutbox(this.db, row.batchId);
        noteSeen(this.db, result.seq);
      });
      this.step('batch-cleared', { channel: row.channel, batchId: row.batchId, seq: result.seq });
      sent++;
    }
  }

  // ---------- pull ----------

  /** A large payload, saved part by part in the base database; a broken download resumes from its last part. */
  private async download(b: BatchListing): Promise<Buffer> {
    const parts = savedParts(this.db, b.seq, b.sha256);
    let offset = parts.reduce((n, p) => n + p.length, 0);
    if (offset < b.size) {
      if (!this.session) await this.signIn();
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      const flushPart = () => {
        if (!pendingBytes) return;
        const bytes = Buffer.concat(pending);
        savePart(this.db, b.seq, b.sha256, offset, bytes);
        offset += bytes.length;
        pending = [];
        pendingBytes = 0;
        this.step('part-saved', { channel: b.channel, seq: b.seq });
      };
      const get = () => this.transport.request('GET', `${API}/batches/${b.seq}/payload`, {
        signal: this.closing.signal,
        headers: { authorization: `Bearer ${this.session!.token}`, ...(offset > 0 ? { range: `bytes=${offset}-`, 'if-range': `"${b.sha256}"` } : {}) },
        onChunk: (c) => {
          pending.push(c);
          pendingBytes += c.length;
          if (pendingBytes >= PART_BYTES) flushPart();
        },
      });
      let res = await get().finally(flushPart);
      if (res.status === 401) {
        await this.signIn();
        res = await get().finally(flushPart);
      }
      if (res.status !== 200 && res.status !== 206) throw new TransportError(`payload of batch ${b.seq}: ${res.status}`, res.status, 'http');
      if (res.status === 200 && offset > b.size) {
        // The server sent the whole payload (the If-Range did not match): start again from it.
        writeTx(this.db, () => dropParts(this.db, b.seq));
        throw new SyncError('corrupt-batch', `batch ${b.seq} changed during download`);
      }
    }
    const whole = Buffer.concat(savedParts(this.db, b.seq, b.sha256));
    if (whole.length !== b.size || sha256(whole) !== b.sha256) {
      writeTx(this.db, () => dropParts(this.db, b.seq));
      throw new SyncError('corrupt-batch', `batch ${b.seq} does not match its hash`);
    }
    return whole;
  }

  private decode(b: BatchListing, payload: Buffer): ChangeEvent[] {
    let plain: Buffer;
    if (b.encoding === 'clear') plain = payload;
    else {
      if (b.channel === 'base' || !b.keyId) throw new SyncError('corrupt-batch', `batch ${b.seq}: sealed without a level key id`);
      const key = this.o.keys.byId(b.channel, b.keyId);
      if (!key) throw new SyncError('key-unavailable', `batch ${b.seq} of ${b.channel} is sealed under key ${b.keyId}, which this session does not hold`);
      plain = openBatch(key, { channel: b.channel, keyId: b.keyId, batchId: b.batchId, eventIds: b.eventIds }, payload);
    }
    const events = JSON.parse(plain.toString('utf8')) as ChangeEvent[];
    if (!Array.isArray(events) || events.length !== b.eventIds.length || events.some((e, i) => e.id !== b.eventIds[i]))
      throw new SyncError('corrupt-batch', `batch ${b.seq}: events do not match their ids`);
    return events;
  }

  /** Pulls one channel to the server's head; returns the number of batches applied. */
  async pull(channel: Channel): Promise<number> {
    let applied = 0;
    for (;;) {
      await this.verifyCursors();
      const after = cursor(this.db, pullCursorKey(channel));
      const { data: page } = await this.authed<BatchPage>('GET', `${API}/events?channel=${channel}&after=${after}`);
      // A server older than restore marks says neither (undefined): nothing to adopt, nothing to compare.
      if ((page.incarnation ?? null) !== adoptedIncarnation(this.db) && (await this.adoptRestores())) continue;
      const seen = Math.max(after, cursor(this.db, SEEN_KEY));
      if (typeof page.head === 'number' && page.head < seen) {
        throw new SyncError('server-behind', `the agency server's store is behind this workstation (its head ${page.head}, this workstation read or sent up to ${seen}): restored from a backup and not marked; nothing is read or sent until its operator runs --mark-restored`);
      }
      const mine = checkpointAt(this.db, channel, after);
      if (page.at && mine && page.at.after !== mine[1]) {
        throw new SyncError('server-behind', `the agency server's store holds another batch at seq ${after} than the one this workstation read there: restored from a backup and run before it was marked; nothing is read until its operator runs --mark-restored`);
      }
      for (const b of page.batches) {
        if (b.channel !== channel || b.seq <= after) throw new SyncError('corrupt-batch', `server listed batch ${b.seq} of ${b.channel} for ${channel} after ${after}`);
        let payload: Buffer;
        if (b.payload !== undefined) {
          payload = Buffer.from(b.payload, 'base64');
          if (sha256(payload) !== b.sha256) throw new SyncError('corrupt-batch', `batch ${b.seq} does not match its hash`);
        } else payload = await this.download(b);
        const events = this.decode(b, payload);
        this.step('batch-downloaded', { channel, seq: b.seq, batchId: b.batchId });
        writeTx(this.db, () => {
          // Read again inside the transaction: another pull of this channel may have applied it.
          if (cursor(this.db, pullCursorKey(channel)) >= b.seq) return;
          this.o.apply({ channel, seq: b.seq, batchId: b.batchId, origin: b.origin, receivedAt: b.receivedAt, events });
          setState(this.db, pullCursorKey(channel), String(b.seq));
          dropParts(this.db, b.seq);
        });
        this.step('batch-applied', { channel, seq: b.seq, batchId: b.batchId });
        applied++;
      }
      // Written only when the cursor moves or the batch at it is not the one recorded (an idle round writes nothing).
      const moved = page.next > cursor(this.db, pullCursorKey(channel));
      const recorded = checkpointAt(this.db, channel, page.next);
      if (moved || (page.at && recorded?.[1] !== page.at.next)) {
        writeTx(this.db, () => {
          const at = cursor(this.db, pullCursorKey(channel));
          if (page.next > at) setState(this.db, pullCursorKey(channel), String(page.next));
          if (page.at && page.next >= at) noteCheckpoint(this.db, channel, page.next, page.at.next);
        });
      }
      if (!page.more) return applied;
    }
  }

  /**
   * The sync log's long poll: waits at the server (up to `waitMs`) until another workstation pushed a
   * batch to a channel this session carries after this workstation's pull cursor; the channels that
   * have one (empty when the wait ran out). `signal` cancels it, as close() does.
   */
  async waitForEvents(o: { waitMs: number; signal?: AbortSignal }): Promise<Channel[]> {
    const after = eventsWaitAfter(this.o.channels().map((c) => [c, cursor(this.db, pullCursorKey(c))] as const));
    const { data } = await this.authed<EventsWaitResult>('GET', `${API}/events/wait?after=${encodeURIComponent(after)}&waitMs=${Math.floor(o.waitMs)}`, undefined, undefined, o.signal);
    return data.channels;
  }

  /** This workstation's pull cursor of each channel it carries now. */
  pullCursors(): Map<Channel, number> {
    return new Map(this.o.channels().map((c) => [c, cursor(this.db, pullCursorKey(c))]));
  }

  // ---------- keyrings ----------

  async pushKeyring(level: Secrecy, keyId: string, cms: Uint8Array): Promise<{ seq: number; stored: boolean }> {
    const { data } = await this.authed<{ seq: number; stored: boolean }>('POST', `${API}/keyrings`, { channel: level, keyId, payload: Buffer.from(cms).toString('base64') });
    return data;
  }

  async pullKeyrings(level: Secrecy, after = 0): Promise<KeyringListing[]> {
    return (await this.pullKeyringPage(level, after)).keyrings;
  }

  /** One page of the level's keyring entries addressed to this person; `next` is the cursor to ask from. */
  async pullKeyringPage(level: Secrecy, after = 0): Promise<{ keyrings: KeyringListing[]; next: number; more: boolean }> {
    const { data } = await this.authed<{ keyrings: KeyringListing[]; next?: number; more?: boolean }>('GET', `${API}/keyrings?channel=${level}&after=${after}`);
    const last = data.keyrings.length ? data.keyrings[data.keyrings.length - 1]!.seq : after;
    return { keyrings: data.keyrings, next: Math.max(data.next ?? last, last), more: data.more ?? false };
  }

  /** True when a restore was adopted (the cursors went back: read again). */
  private async adoptRestores(): Promise<boolean> {
    const { data } = await this.authedJson<RestoreList>('GET', `${API}/restores`);
    const list = restoreListSchema.safeParse(data);
    if (!list.success) throw new SyncError('corrupt-batch', `the server's restore marks are malformed: ${list.error.issues[0]?.message ?? ''}`);
    const adopted = adoptRestores(this.db, unadoptedRestores(this.db, list.data.restores), new Date(this.now()));
    if (!adopted) return false;
    this.restoreAdopted = true;
    this.step('restore-adopted', { channel: 'base', seq: adopted.batchesHead });
    return true;
  }

  private restoreAdopted = false;

  /**
   * After an adoption, before anything is read by the cursors it set: each goes back to the highest
   * batch this workstation read that the store still holds where it was (restore.ts). Resumable: the
   * adoption's flag goes in the transaction that moves them.
   */
  private async verifyCursors(): Promise<void> {
    const plan = cursorsToVerify(this.db, CHANNELS);
    if (!plan) return;
    const seqs = plan.flatMap((p) => p.asked.map(([n]) => n));
    const at = seqs.length ? (await this.authedJson<EventsAtResult>('POST', `${API}/events/at`, { seqs })).data.at : [];
    if (!Array.isArray(at) || at.length !== seqs.length || at.some((x) => x !== null && typeof x !== 'string')) {
      throw new SyncError('corrupt-batch', `the server answered ${Array.isArray(at) ? at.length : 'no'} fingerprints for ${seqs.length} seqs`);
    }
    for (const m of settleVerification(this.db, plan, at)) this.step('restore-reread', { channel: m.channel, seq: m.to });
  }

  // ---------- the loop ----------

  /** One round: outbox filled and sent, every channel pulled. */
  async syncOnce(): Promise<{ sent: number; applied: number }> {
    try {
      this.restoreAdopted = false;
      await this.resendLost();
      this.fillOutbox();
      let sent = await this.flush();
      let applied = 0;
      for (const c of this.o.channels()) applied += await this.pull(c);
      // A restore adopted by this round's pulls: what the store lost goes now, not a round later.
      if (this.restoreAdopted) {
        await this.resendLost();
        sent += await this.flush();
      }
      writeTx(this.db, () => setState(this.db, 'last_contact', new Date(this.now()).toISOString()));
      this.lastError = null;
      return { sent, applied };
    } catch (e) {
      this.lastError = e instanceof Error ? e.message : String(e);
      throw e;
    }
  }

  /** Syncs every `intervalMs`, and after a failure with backoff (jittered) until the server answers. */
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

  close(): void {
    this.stop();
    // Whatever is under way for this session (a long poll, a round's download) ends now, and nothing starts.
    this.closing.abort();
    this.transport.close();
  }

  /** What the sync panel shows: what waits to be sent, the last contact and error, the cursors. */
  status(): SyncStatus {
    const rows = this.db.prepare("SELECT key, value FROM main.sync_state WHERE key LIKE 'push:%' OR key LIKE 'pull:%'").all() as Array<{ key: string; value: string }>;
    const pick = (prefix: string) => Object.fromEntries(rows.filter((r) => r.key.startsWith(prefix)).map((r) => [r.key.slice(prefix.length), Number(r.value)]));
    return { outbox: outboxStats(this.db), lastContact: getState(this.db, 'last_contact'), lastError: this.lastError, pushCursors: pick('push:'), pullCursors: pick('pull:') };
  }
}
