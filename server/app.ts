// The agency server: HTTPS routes over the store. Every route but /health and sign-in needs a
// session; every channel is gated by the person's clearance (a person without a level never receives
// its batches, not even their routing header); limits on body size and per-session rate.
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { secrecyRank } from '../common/domain';
import { pemToDer } from '../main/core/crypto/certificates';
import { isSealed } from '../main/core/sync/seal';
import { API, channelRank, CHANNELS, EVENTS_AT_MAX, isClassified, KNOWN_EVENTS_MAX, type BatchPage, type EventsAtResult, type BatchUpload, type Channel, type EventsWaitResult, type KnownEventsResult, type RestoreList } from '../main/core/sync/protocol';
import { Authenticator, AuthError, type Session } from './auth';
import { blobRoutes, BlobRouteError } from './blobs';
import { readRecipientInfos } from '../main/core/crypto/envelope';
import type { ServerConfig } from './config';
import { RateLimiter, readBody, TooLarge } from './limits';
import { jsonLogger, type Logger } from './log';
import { PushFromLost, Store, StoreConflict } from './storage/store';
import { HttpError, parseBody } from './http';
import { Arrivals, waitOf } from './arrivals';
import { HubLink } from './hubLink';
import { AgencyPackets, INBOX } from './packets';
import { PacketStore } from './storage/packetStore';
import { LostStore, type LostRecord } from './storage/lostStore';
import { NumberStore } from './storage/numberStore';
import { NumberRoutes } from './numbers';
import { HomeRoutes } from './homes';
import { UploadStore } from './storage/uploadStore';
import { PullCursors } from './storage/pullCursors';
import { ADMIN_WORKSTATIONS_API, type AgencyWorkstation, type AgencyWorkstationsPage, type LostWorkstation } from '../main/core/sync/packets/protocol';


const channel = z.enum(CHANNELS as [Channel, ...Channel[]]);
const id = z.string().regex(/^[0-9A-Za-z-]{8,64}$/);
const b64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/);

const batchSchema = z.strictObject({
  batchId: id,
  channel,
  keyId: z.string().regex(/^[0-9a-f]{8,64}$/).nullable(),
  encoding: z.enum(['clear', 'aes-256-gcm']),
  eventIds: z.array(id).min(1).max(5000),
  payload: b64,
});
const knownSchema = z.strictObject({ channel, eventIds: z.array(id).min(1).max(KNOWN_EVENTS_MAX) });
const atSchema = z.strictObject({ seqs: z.array(z.number().int().positive().max(Number.MAX_SAFE_INTEGER)).min(1).max(EVENTS_AT_MAX) });
const lostSchema = z.strictObject({ reason: z.string().trim().min(5).max(500) });
const keyringSchema = z.strictObject({ channel, keyId: z.string().regex(/^[0-9a-f]{8,64}$/), payload: b64 });
const sessionSchema = z.strictObject({
  nonce: z.string().min(16).max(128),
  workstation: id,
  certificate: b64.max(64 << 10),
  algorithm: z.enum(['RSASSA-PKCS1-v1_5-SHA256', 'ECDSA-SHA256']),
  signature: b64.max(4096),
});

/** The `after` of an events wait: 1 to 5 "channel:cursor" pairs, each channel once. */
const waitAfterSchema = z.string().max(200)
  .transform((v) => v.split(',').map((pair) => pair.split(':')))
  .pipe(z.array(z.tuple([channel, z.string().regex(/^\d{1,15}$/, 'cursor: digits').transform(Number)])).min(1).max(CHANNELS.length))
  .refine((pairs) => new Set(pairs.map(([c]) => c)).size === pairs.length, 'each channel once');
/** The arrivals' reader of a channel of the sync log (server/arrivals.ts). */
const eventsReader = (c: Channel) => `events:${c}`;

const mayRead = (s: Session, c: Channel) => channelRank(c) <= secrecyRank(s.clearance);

function checkBatchContents(b: BatchUpload, payload: Buffer): void {
  if (isClassified(b.channel)) {
    // The server cannot read these and must never be handed them readable.
    if (b.encoding !== 'aes-256-gcm' || !b.keyId || !isSealed(payload)) throw new HttpError(400, 'bad-request', `a ${b.channel} batch must be sealed (aes-256-gcm with its level key id)`);
    return;
  }
  if (b.encoding !== 'clear') throw new HttpError(400, 'bad-request', `${b.channel} batches travel in clear`);
  let events: unknown;
  try {
    events = JSON.parse(payload.toString('utf8'));
  } catch {
    throw new HttpError(400, 'bad-request', 'payload is not JSON');
  }
  if (!Array.isArray(events) || events.length !== b.eventIds.length || events.some((e, i) => (e as { id?: unknown })?.id !== b.eventIds[i]))
    throw new HttpError(400, 'bad-request', 'payload events do not match eventIds');
}

/** The workstations seen, each with its declaration if it was declared lost, and those declared lost unseen. */
function withLost(seen: Array<Omit<AgencyWorkstation, 'lost'>>, lost: LostRecord[]): AgencyWorkstation[] {
  const byId = new Map(lost.map((l) => [l.workstation, { declaredBy: l.declaredBy, reason: l.reason, declaredAt: l.declaredAt }]));
  const out: AgencyWorkstation[] = seen.map((w) => ({ ...w, lost: byId.get(w.id) ?? null }));
  const known = new Set(seen.map((w) => w.id));
  for (const [id, l] of byId) if (!known.has(id)) out.push({ id, firstSeen: null, lastSeen: null, lastPerson: null, pushed: 0, lost: l });
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export interface RunningServer {
  url: string;
  port: number;
  server: Server;
  store: Store;
  auth: Authenticator;
  /** edXML packets of the agency (server/packets.ts) and the link that carries them to the hub. */
  packets: PacketStore;
  hubLink: HubLink | null;
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  clock?: () => number;
}

export async function startServer(cfg: ServerConfig, opts: StartOptions = {}): Promise<RunningServer> {
  const logger = opts.logger ?? jsonLogger();
  const clock = opts.clock ?? Date.now;
  const certPem = readFileSync(cfg.tls.certificate, 'utf8');
  const certSha = createHash('sha256').update(pemToDer(certPem)[0]!).digest('hex');
  if (cfg.mode === 'hub') throw new Error('a hub-mode configuration starts with startHub (server/hub.ts)');
  const store = await Store.open(cfg.storage);
  // The last restore mark: marked only while no service runs on the store (its heartbeat), so read once here.
  const incarnation = await store.incarnation();
  const packets = new PacketStore(store.db, store.packetFiles);
  // Bodies whose row never committed (a crash between the file and the row): swept before serving.
  const swept = await packets.sweepOrphanFiles(new Date(clock()));
  if (swept.out + swept.in + swept.hub > 0) logger.log('info', 'orphan packet files removed', { ...swept, total: swept.out + swept.in + swept.hub });
  // Packets the hub link stores end the workstations' waits on the inbox (long polls).
  const arrivals = new Arrivals();
  const hubLink = cfg.hub ? new HubLink(cfg.hub, packets, logger, clock, () => arrivals.arrived(INBOX)) : null;
  const lostStore = new LostStore(store.db);
  const uploads = new UploadStore(store.db);
  const cursors = new PullCursors(store.db);
  const packetRoutes = new AgencyPackets(cfg, packets, hubLink, clock, lostStore, uploads, cursors, arrivals);
  const numberRoutes = new NumberRoutes(cfg, new NumberStore(store.db), clock, logger);
  const homeRoutes = new HomeRoutes(store.db, lostStore, clock, logger);
  const auth = new Authenticator(cfg, certSha, clock);
  // Workstations declared lost: refused at sign-in (read from storage, so every server of a pair agrees)
  // and on every request of a session opened before the declaration (this map, kept by this server).
  const lost = new Map((await lostStore.all()).map((l) => [l.workstation, l]));
  const refuseLost = (l: LostRecord, s: Session, route: string): never => {
    logger.log('warn', 'refused: workstation declared lost', { workstation: l.workstation, person: s.person, route, declaredAt: l.declaredAt, declaredBy: l.declaredBy });
    throw new HttpError(403, 'workstation-lost',
      `workstation ${l.workstation} was declared lost for good on ${l.declaredAt} by ${l.declaredBy} (${l.reason}); it may no longer act for the agency: enrol it again under a new workstation id`);
  };
  const perSession = new RateLimiter(cfg.limits.requestsPerSecond, cfg.limits.burst, clock);
  const perAddress = new RateLimiter(cfg.limits.signInPerSecond, cfg.limits.signInBurst, clock);
  const L = cfg.limits;
  const blobsApi = blobRoutes(cfg, store, clock, uploads);

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const data = Buffer.from(JSON.stringify(body));
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(data.length), 'cache-control': 'no-store', ...headers });
    res.end(data);
  };

  const authenticate = (req: IncomingMessage): Session => {
    const h = req.headers.authorization ?? '';
    const m = /^Bearer ([A-Za-z0-9_-]{20,100})$/.exec(h);
    const s = m ? auth.session(m[1]!) : null;
    if (!s) throw new HttpError(401, 'unauthenticated', 'sign in first (no or expired session)');
    return s;
  };

  async function route(req: IncomingMessage, res: ServerResponse, ctx: { session?: Session; route: string }): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://server');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (method === 'GET' && path === '/health') {
      ctx.route = 'health';
      const ok = await store.healthy().catch(() => false);
      return send(res, ok ? 200 : 503, { status: ok ? 'ok' : 'unavailable', storage: store.dialect, time: new Date(clock()).toISOString() });
    }
    if (path.startsWith(`${API}/auth/`)) {
      const wait = perAddress.take(req.socket.remoteAddress ?? '?');
      if (wait) throw new HttpError(429, 'rate-limited', 'too many sign-in requests', { 'retry-after': String(wait) });
      if (method === 'POST' && path === `${API}/auth/nonce`) {
        ctx.route = 'auth.nonce';
        await readBody(req, 1024);
        const n = auth.issueNonce();
        return send(res, 200, { nonce: n.nonce, expiresAt: new Date(n.expiresAt).toISOString() });
      }
      if (method === 'POST' && path === `${API}/auth/session`) {
        ctx.route = 'auth.session';
        const body = parseBody(sessionSchema, await readBody(req, 128 << 10));
        const s = auth.openSession(body);
        ctx.session = s;
        const gone = lost.get(s.workstation) ?? await lostStore.lost(s.workstation);
        if (gone) {
          auth.dropWorkstation(s.workstation);
          refuseLost(gone, s, ctx.route);
        }
        await store.touchWorkstation(s.workstation, s.person, new Date(clock()));
        return send(res, 200, { token: s.token, expiresAt: new Date(s.expiresAt).toISOString(), person: s.person, role: s.role, clearance: s.clearance });
      }
      throw new HttpError(404, 'not-found', 'no such route');
    }
    const s = authenticate(req);
    ctx.session = s;
    const gone = lost.get(s.workstation);
    if (gone) refuseLost(gone, s, path);
    const wait = perSession.take(s.token);
    if (wait) throw new HttpError(429, 'rate-limited', 'too many requests', { 'retry-after': String(wait) });
    if (await packetRoutes.handle(req, res, url, s, ctx)) return;
    if (await numberRoutes.handle(req, res, url, s, ctx)) return;
    if (await homeRoutes.handle(req, res, url, s, ctx)) return;

    if (method === 'POST' && path === `${API}/events`) {
      ctx.route = 'events.push';
      const b = parseBody(batchSchema, await readBody(req, L.maxBodyBytes));
      if (!mayRead(s, b.channel)) throw new HttpError(403, 'forbidden', `no clearance for ${b.channel}`);
      const payload = Buffer.from(b.payload, 'base64');
      checkBatchContents(b, payload);
      const r = await store.putBatch(b, payload, s.workstation, s.person, new Date(clock()));
      // Committed: the other workstations' waits on this channel end (a resend stored nothing new).
      if (r.stored) arrivals.arrived(eventsReader(b.channel));
      return send(res, r.stored ? 201 : 200, r);
    }
    if (method === 'GET' && path === `${API}/events/wait`) {
      ctx.route = 'events.wait';
      const parsed = waitAfterSchema.safeParse(url.searchParams.get('after') ?? '');
      if (!parsed.success) throw new HttpError(400, 'bad-request', 'after: channel:cursor pairs, e.g. base:12,mat:40, each channel once');
      const asked = parsed.data;
      // Every channel checked before anything is read: one not cleared is refused whether or not it has news.
      for (const [c] of asked) if (!mayRead(s, c)) throw new HttpError(403, 'forbidden', `no clearance for ${c}`);
      const waitMs = waitOf(url);
      const poll = async (): Promise<void> => {
        const deadline = Date.now() + waitMs;
        const readers = asked.map(([c]) => eventsReader(c));
        for (;;) {
          // Counts read before looking: a batch committed after the look ends the wait at once.
          const seen = readers.map((r) => arrivals.count(r));
          const news: Channel[] = [];
          for (const [c, after] of asked) {
            // The pull's view: batches of other workstations only (this one's own are not news to it).
            const { rows } = await store.listBatches(c, after, 1, s.workstation, 0);
            if (rows.length) news.push(c);
          }
          const left = deadline - Date.now();
          // A push by this same workstation wakes the wait too: looked at again, it is no news, so wait on.
          if (news.length || left <= 0 || !(await arrivals.waitAny(readers, seen, left, res))) {
            if (res.destroyed) return;
            if (!news.length && left > 0) {
              // Ended by the time or the server closing: one last look (another process's pushes show here).
              for (const [c, after] of asked) if ((await store.listBatches(c, after, 1, s.workstation, 0)).rows.length) news.push(c);
            }
            const result: EventsWaitResult = { channels: news };
            return send(res, 200, result);
          }
          if (res.destroyed) return;
        }
      };
      // Held (waitMs > 0): at most MAX_HELD_WAITS per session at once (server/arrivals.ts).
      return waitMs > 0 ? arrivals.holding(s.token, poll) : poll();
    }
    if (method === 'GET' && path === `${API}/events`) {
      ctx.route = 'events.pull';
      const c = channel.safeParse(url.searchParams.get('channel'));
      if (!c.success) throw new HttpError(400, 'bad-request', 'channel is required');
      if (!mayRead(s, c.data)) throw new HttpError(403, 'forbidden', `no clearance for ${c.data}`);
      const after = Number(url.searchParams.get('after') ?? 0);
      const limit = Math.min(Number(url.searchParams.get('limit') ?? L.pageSize), L.pageSize);
      if (!Number.isSafeInteger(after) || after < 0 || !Number.isSafeInteger(limit) || limit < 1) throw new HttpError(400, 'bad-request', 'after and limit are non-negative integers');
      // The head read first: every batch up to it has committed (Store's counter row), so a last page
      // covers the channel up to it, the asker's own batches (left out) included.
      const head = await store.headSeq();
      const { rows, more } = await store.listBatches(c.data, after, limit, s.workstation, L.inlineBytes);
      const last = rows.length ? rows[rows.length - 1]!.seq : after;
      const next = more ? last : Math.max(last, head, after);
      // What this workstation was actually served (a released decide claim waits for it: server/packets.ts).
      await cursors.noteServed(s.workstation, c.data, after, next, new Date(clock()));
      const [atAfter, atNext] = await store.batchesAt([after, next]);
      const page: BatchPage = { batches: rows, next, more, head, incarnation, at: { after: atAfter!, next: atNext! } };
      return send(res, 200, page);
    }
    if (method === 'POST' && path === `${API}/events/at`) {
      ctx.route = 'events.at';
      const q = parseBody(atSchema, await readBody(req, 16 << 10));
      const result: EventsAtResult = { head: await store.headSeq(), incarnation, at: await store.batchesAt(q.seqs) };
      return send(res, 200, result);
    }
    if (method === 'POST' && path === `${API}/events/known`) {
      ctx.route = 'events.known';
      const q = parseBody(knownSchema, await readBody(req, 128 << 10));
      if (!mayRead(s, q.channel)) throw new HttpError(403, 'forbidden', `no clearance for ${q.channel}`);
      const result: KnownEventsResult = { known: await store.knownEvents(q.channel, q.eventIds) };
      return send(res, 200, result);
    }
    if (method === 'GET' && path === `${API}/restores`) {
      ctx.route = 'restores';
      const result: RestoreList = { restores: await store.restores() };
      return send(res, 200, result);
    }
    const payloadRoute = new RegExp(`^${API}/batches/(\\d{1,15})/payload$`).exec(path);
    if (method === 'GET' && payloadRoute) {
      ctx.route = 'batches.payload';
      return sendPayload(req, res, s, Number(payloadRoute[1]));
    }
    if (method === 'POST' && path === `${API}/keyrings`) {
      ctx.route = 'keyrings.push';
      const k = parseBody(keyringSchema, await readBody(req, L.maxBodyBytes));
      if (k.channel === 'base' || !mayRead(s, k.channel)) throw new HttpError(403, 'forbidden', `no clearance for ${k.channel}`);
      const cms = Buffer.from(k.payload, 'base64');
      await readRecipientInfos([cms]).catch(() => { throw new HttpError(400, 'bad-request', 'a keyring is a CMS AuthEnvelopedData'); });
      const r = await store.putKeyring(k.channel, k.keyId, cms, s.workstation, s.person, new Date(clock()));
      return send(res, r.stored ? 201 : 200, r);
    }
    if (method === 'GET' && path === `${API}/keyrings`) {
      ctx.route = 'keyrings.pull';
      const c = channel.safeParse(url.searchParams.get('channel'));
      if (!c.success) throw new HttpError(400, 'bad-request', 'channel is required');
      if (!mayRead(s, c.data)) throw new HttpError(403, 'forbidden', `no clearance for ${c.data}`);
      const after = Number(url.searchParams.get('after') ?? 0);
      if (!Number.isSafeInteger(after) || after < 0) throw new HttpError(400, 'bad-request', 'after is a non-negative integer');
      // Only the entries addressed to this person: someone without the level never receives one.
      const rows = await store.listKeyrings(c.data, after, L.pageSize);
      return send(res, 200, { keyrings: await blobsApi.keyringsFor(s.person, rows), next: rows.length ? rows[rows.length - 1]!.seq : after, more: rows.length === L.pageSize });
    }
    const lostRoute = new RegExp(`^${ADMIN_WORKSTATIONS_API}/([^/]+)/lost$`).exec(path);
    if (method === 'POST' && lostRoute) {
      ctx.route = 'admin.workstationLost';
      if (s.role !== 'quan_tri') throw new HttpError(403, 'forbidden', 'administrators only');
      const target = lostRoute[1]!;
      if (!id.safeParse(target).success) throw new HttpError(400, 'bad-request', 'workstation id is malformed');
      if (target === s.workstation) throw new HttpError(409, 'own-workstation', 'a workstation cannot declare itself lost: do it from another one');
      const { reason } = parseBody(lostSchema, await readBody(req, 4096));
      const r = await lostStore.declare(target, { person: s.person, workstation: s.workstation }, reason, new Date(clock()));
      lost.set(target, { workstation: target, declaredBy: r.declaredBy, reason: r.reason, declaredAt: r.declaredAt });
      auth.dropWorkstation(target);
      if (r.first) logger.log('warn', 'workstation declared lost', { workstation: target, by: s.person, from: s.workstation, reason, released: r.released.join(','), releasedDecisions: (r.releasedDecisions ?? []).join(','), watermark: JSON.stringify(r.watermark ?? {}) });
      const out: LostWorkstation = {
        workstation: r.workstation, declaredBy: r.declaredBy, reason: r.reason, declaredAt: r.declaredAt, released: r.released,
        releasedDecisions: r.releasedDecisions ?? [], watermark: r.watermark ?? {},
      };
      return send(res, r.first ? 201 : 200, out);
    }
    if (method === 'GET' && path === ADMIN_WORKSTATIONS_API) {
      ctx.route = 'admin.workstations';
      if (s.role !== 'quan_tri') throw new HttpError(403, 'forbidden', 'administrators only');
      const page: AgencyWorkstationsPage = { workstations: withLost(await store.workstations(), await lostStore.all()), counts: await store.counts(), head: await store.headSeq() };
      return send(res, 200, page);
    }
    if (await blobsApi.handle(req, res, s, ctx)) return;
    throw new HttpError(404, 'not-found', 'no such route');
  }

  /** A batch's payload, whole or a byte range (a download that broke resumes where it stopped). */
  async function sendPayload(req: IncomingMessage, res: ServerResponse, s: Session, seq: number): Promise<void> {
    const head = await store.payloadHead(seq);
    if (!head || !mayRead(s, head.channel)) throw new HttpError(404, 'not-found', 'no such batch'); // not 403: existence is not told
    const etag = `"${head.sha256}"`;
    const range = req.headers.range;
    const ifRange = req.headers['if-range'];
    let start = 0;
    let end = head.size - 1;
    let partial = false;
    if (range && (ifRange === undefined || ifRange === etag)) {
      const m = /^bytes=(\d+)-(\d*)$/.exec(range);
      if (!m || Number(m[1]) >= head.size || (m[2] && Number(m[2]) < Number(m[1])))
        throw new HttpError(416, 'range', 'unsatisfiable range', { 'content-range': `bytes */${head.size}` });
      start = Number(m[1]);
      end = m[2] ? Math.min(Number(m[2]), head.size - 1) : head.size - 1;
      partial = true;
    }
    const slice = await store.payloadSlice(seq, start, end);
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream', 'content-length': String(slice!.bytes.length), etag, 'accept-ranges': 'bytes', 'cache-control': 'no-store' };
    if (partial) headers['content-range'] = `bytes ${start}-${end}/${head.size}`;
    res.writeHead(partial ? 206 : 200, headers);
    res.end(slice!.bytes);
  }

  const tlsChain = cfg.tls.chain.map((f) => readFileSync(f, 'utf8')).join('');
  const server = createServer({ cert: certPem + tlsChain, key: readFileSync(cfg.tls.key), minVersion: 'TLSv1.2' }, (req, res) => {
    const t0 = performance.now();
    const reqId = randomUUID();
    const ctx: { session?: Session; route: string } = { route: 'unknown' };
    route(req, res, ctx).catch((e: unknown) => {
      let err: HttpError;
      if (e instanceof HttpError) err = e;
      else if (e instanceof BlobRouteError) err = new HttpError(e.status, e.code, e.message, e.headers);
      else if (e instanceof AuthError) err = new HttpError(e.status, e.status === 403 ? 'forbidden' : e.status === 400 ? 'bad-request' : 'unauthenticated', e.message);
      else if (e instanceof TooLarge) err = new HttpError(413, 'too-large', e.message, { connection: 'close' });
      else if (e instanceof StoreConflict) err = new HttpError(409, 'conflict', e.message);
      else if (e instanceof PushFromLost) err = new HttpError(403, 'workstation-lost', e.message);
      else {
        logger.log('error', 'request failed', { reqId, route: ctx.route, error: e instanceof Error ? e.message : String(e) });
        err = new HttpError(500, 'internal', 'internal error');
      }
      if (res.headersSent) return void res.destroy();
      send(res, err.status, { error: err.code, message: err.message }, err.headers);
      if (err.status === 413) req.resume();
    }).finally(() => {
      const s = ctx.session;
      logger.log(res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info', 'request', {
        reqId, method: req.method, route: ctx.route, status: res.statusCode, ms: Math.round((performance.now() - t0) * 10) / 10,
        person: s?.person, workstation: s?.workstation, remote: req.socket.remoteAddress,
      });
    });
  });
  server.keepAliveTimeout = 30_000;
  server.headersTimeout = 35_000;
  server.requestTimeout = 120_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(cfg.listen.port, cfg.listen.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  logger.log('info', 'listening', { host: cfg.listen.host, port, storage: store.dialect });
  hubLink?.start();
  // The service's heartbeat in the store (Store.markRestored refuses to mark a store a service runs on).
  const stopHeartbeat = await store.keepHeartbeat(clock, (e) => logger.log('warn', 'heartbeat not written', { error: e instanceof Error ? e.message : String(e) }));
  return {
    url: `https://${cfg.listen.host === '0.0.0.0' ? '127.0.0.1' : cfg.listen.host}:${port}`,
    port, server, store, auth, packets, hubLink,
    async close() {
      arrivals.close();
      await hubLink?.stop();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await stopHeartbeat();
      await store.close();
    },
  };
}
