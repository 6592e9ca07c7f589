// The hub: the same server in `mode: 'hub'`. It routes edXML packets between agency servers by
// identifier code, store-and-forward, and keeps the directory of agencies. Agency servers
// authenticate by mutual TLS: the client certificate must chain to the hub's trust anchors and be the
// one the directory lists for that agency's server. A packet is refused when it is too large, is no
// packet, claims another sender than the authenticated agency, names an unknown recipient, is clear
// without a valid XML-DSig signature by one of the sender's directory certificates, or reuses one of
// its own packet ids with other bytes; the same packet again is acknowledged and stored once. Packet
// ids are the sender's: another agency's packet under the same id is another packet (migration 0012).
import { createHash, randomUUID, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { checkPathRevocation, type RevocationResult } from '../main/core/crypto/crl';
import { parseCertificate, parseCertificates, verifyChain, type CertificateInfo } from '../main/core/crypto/certificates';
import { verifySignatureElement } from '../main/core/exchange/edxml/xmldsig';
import { child, childrenNamed, findDeep, rawText, type XElement } from '../main/core/exchange/edxml/xmlTree';
import { z } from 'zod';
import { HELD_PACKETS_MAX, HUB_API, PACKET_ID_RE, type HeldPacketsResult, type PacketPage, type PacketSubmitResult } from '../main/core/sync/packets/protocol';
import { loadServerConfig, type ServerConfig } from './config';
import { CrlSource } from './crlSource';
import { HubDirectory } from './directory';
import { Arrivals, waitOf } from './arrivals';
import { HttpError, paging, parseBody, sendJson, sendRange } from './http';
import { RateLimiter, readBody, TooLarge } from './limits';
import { jsonLogger, type Logger } from './log';
import { NotAPacket, readPacketAddress, type PacketAddress } from './packetAddress';
import { ChangedBody, PacketStore } from './storage/packetStore';
import { Store } from './storage/store';
import { UploadStore } from './storage/uploadStore';
import { isResumable, resumableUpload, type Answer } from './uploads';

export interface RunningHub {
  url: string;
  port: number;
  server: Server;
  store: Store;
  packets: PacketStore;
  /** The directory in force (replaced as a whole by a reload). */
  readonly directory: HubDirectory;
  /**
   * Reads the configuration file again and puts its directory and CRL list in force, or keeps the ones in
   * force when anything in it is wrong (logged with the reason). Also run on `reloadSignal` (SIGHUP).
   */
  reload(why?: string): HubReload;
  /** Runs the retention sweep now (it also runs every retention.sweepMinutes); null when it failed (logged). */
  sweep(): Promise<{ deliveries: number; delivered: number; purged: number } | null>;
  close(): Promise<void>;
}

const heldSchema = z.strictObject({ packetIds: z.array(z.string().regex(PACKET_ID_RE)).min(1).max(HELD_PACKETS_MAX) });
const sha256Hex = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

export type HubReload = { ok: true; agencies: number; version: string } | { ok: false; error: string };

export interface HubOptions {
  logger?: Logger;
  clock?: () => number;
  /** The configuration file the directory is read again from on reload (without it: the same entries, their files read again). */
  configFile?: string;
  /** A signal that reloads the directory (`npm run server` sets SIGHUP: `systemctl reload`). */
  reloadSignal?: NodeJS.Signals;
}

/** The signing certificate of a clear packet's Signature (SHA-256 of its DER), or null. */
function signerPrint(tree: XElement): string | null {
  const sig = findDeep(tree, 'Signature', 3);
  const first = childrenNamed(child(child(sig, 'KeyInfo'), 'X509Data'), 'X509Certificate')[0];
  const b64 = first ? rawText(first).replace(/\s+/g, '') : '';
  return b64 ? sha256Hex(Buffer.from(b64, 'base64')) : null;
}

export async function startHub(cfg: ServerConfig, opts: HubOptions = {}): Promise<RunningHub> {
  const logger = opts.logger ?? jsonLogger();
  const clock = opts.clock ?? Date.now;
  const anchorsPem = cfg.trustAnchors.map((f) => readFileSync(f, 'utf8'));
  const anchors = parseCertificates(anchorsPem);
  const intermediates = parseCertificates(cfg.intermediates.map((f) => readFileSync(f, 'utf8')));
  // Both replaced as a whole by a reload; a request uses the pair in force when it starts.
  let directory = new HubDirectory(cfg.directory, new Date(clock()));
  let crls = new CrlSource(cfg.crls);
  /** Client certificates checked against the CRLs in force: print → refusal (null: good), per CRL version. */
  let revocations = { key: '', byPrint: new Map<string, RevocationResult | null>() };
  const store = await Store.open(cfg.storage);
  const packets = new PacketStore(store.db, store.packetFiles);
  // The last restore mark: marked only while no hub runs on the store (its heartbeat), so read once here.
  const incarnation = await store.incarnation();
  // Bodies whose row never committed (a crash between the file and the row): swept before serving.
  const swept = await packets.sweepOrphanFiles(new Date(clock()));
  if (swept.out + swept.in + swept.hub > 0) logger.log('info', 'orphan packet files removed', { ...swept, total: swept.out + swept.in + swept.hub });
  const uploads = new UploadStore(store.db);
  const perAgency = new RateLimiter(cfg.limits.requestsPerSecond, cfg.limits.burst, clock);
  /** Deliveries stored per recipient agency, for the inbox's long polls. */
  const arrivals = new Arrivals();
  let closing = false;
  const L = cfg.limits;

  /**
   * The client certificate of each TLS connection and its print, read once per connection (the peer
   * certificate is a fresh object built from DER at each call): renegotiation is refused on the hub's
   * connections (below), so the certificate a connection began with is the one it keeps.
   */
  const peers = new WeakMap<TLSSocket, { raw: Buffer; print: string } | null>();
  const peerOf = (socket: TLSSocket): { raw: Buffer; print: string } | null => {
    let p = peers.get(socket);
    if (p === undefined) {
      const raw = socket.getPeerCertificate?.()?.raw;
      p = raw ? { raw, print: sha256Hex(raw) } : null;
      peers.set(socket, p);
    }
    return p;
  };

  /** The agency whose server is on the other end of this TLS connection. */
  const agencyOf = (req: IncomingMessage): string => {
    const peer = peerOf(req.socket as TLSSocket);
    const raw = peer?.raw;
    const print = peer?.print ?? null;
    const code = print ? directory.agencyOfServer(print) : null;
    if (!code) throw new HttpError(403, 'forbidden', 'this client certificate is not an agency server of the directory');
    const revoked = revocationOf(raw!, print!);
    if (revoked) {
      logger.log('warn', 'refused: agency server certificate revoked', {
        agency: code, serial: revoked.cert.serialNumber, subject: revoked.cert.subject, revokedAt: revoked.r.revokedAt?.toISOString() ?? null, reason: revoked.r.reason, remote: req.socket.remoteAddress,
      });
      throw new HttpError(403, 'certificate-revoked', `the client certificate of ${code}'s server (serial ${revoked.cert.serialNumber}) is revoked: ${revoked.r.reason}`, { connection: 'close' });
    }
    return code;
  };

  /** Whether an agency server's TLS client certificate is revoked by the CRLs in force (checked once per CRL version). */
  function revocationOf(raw: Buffer, print: string): { cert: CertificateInfo; r: RevocationResult } | null {
    const key = crls.version();
    if (revocations.key !== key) revocations = { key, byPrint: new Map() };
    if (!revocations.byPrint.has(print)) {
      const at = new Date(clock());
      const cert = parseCertificate(raw);
      const chain = verifyChain(cert, { trustAnchors: anchors, intermediates, at });
      const r = chain.ok ? checkPathRevocation(chain.path, crls.get(), at) : null;
      revocations.byPrint.set(print, r?.status === 'revoked' ? r : null);
    }
    const r = revocations.byPrint.get(print);
    return r ? { cert: parseCertificate(raw), r } : null;
  }

  function reload(why = 'call'): HubReload {
    try {
      const next = opts.configFile ? loadServerConfig(opts.configFile) : cfg;
      if (next.mode !== 'hub') throw new Error('the configuration is no longer a hub configuration');
      const d = new HubDirectory(next.directory, new Date(clock()));
      const c = new CrlSource(next.crls);
      c.get();
      if (c.problems.length) throw new Error(`CRL: ${c.problems.join('; ')}`);
      directory = d;
      crls = c;
      revocations = { key: '', byPrint: new Map() };
      logger.log('info', 'directory reloaded', { why, agencies: d.directory.agencies.length, version: d.directory.version, crls: next.crls.length });
      return { ok: true, agencies: d.directory.agencies.length, version: d.directory.version };
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      logger.log('error', 'directory reload failed; the directory in force stays', { why, error });
      return { ok: false, error };
    }
  }

  async function checkSignature(addr: PacketAddress, from: string): Promise<void> {
    const print = signerPrint(addr.tree!);
    if (!print) throw new HttpError(422, 'bad-signature', 'a clear packet must carry the sending agency\'s XML-DSig signature');
    if (!directory.isSigner(from, print)) throw new HttpError(422, 'bad-signature', `the packet is signed with a certificate the directory does not list for ${from}`);
    const v = await verifySignatureElement(addr.tree!, { trustAnchors: anchorsPem, crls: crls.get(), now: new Date(clock()) });
    if (v.status !== 'valid') throw new HttpError(422, 'bad-signature', `signature ${v.status}: ${v.reason}`);
  }

  async function submit(req: IncomingMessage, from: string, packetId: string): Promise<Answer> {
    if (!PACKET_ID_RE.test(packetId)) throw new HttpError(400, 'bad-request', 'packet id: 8 to 64 letters, digits or dashes');
    if (!isResumable(req)) return accept(from, packetId, await readBody(req, L.maxPacketBytes));
    // A large packet in chunks (server/uploads.ts), staged for this agency alone.
    return resumableUpload(req, uploads, {
      owner: `agency:${from}`, key: `packet:${packetId}`, maxBytes: L.maxPacketBytes,
      done: async (sha256) => {
        const held = await packets.hubDigest(from, packetId); // this sender's own packet: another's under the id is another packet
        if (!held) return null;
        if (held !== sha256) throw new HttpError(409, 'changed-body', `packet ${packetId} was stored before with other bytes`);
        return { status: 200, body: { result: 'duplicate', packetId, sha256 } satisfies PacketSubmitResult };
      },
      complete: (bytes) => accept(from, packetId, bytes),
    }, L, new Date(clock()));
  }

  /** Checks a whole packet and stores it once. */
  async function accept(from: string, packetId: string, bytes: Buffer): Promise<Answer> {
    let addr: PacketAddress;
    try {
      addr = readPacketAddress(bytes, L.maxPacketBytes);
    } catch (e) {
      if (e instanceof NotAPacket) throw new HttpError(400, 'not-a-packet', e.message);
      throw e;
    }
    if (addr.packetId !== null && addr.packetId !== packetId) throw new HttpError(400, 'packet-id-mismatch', `the routing header names packet ${addr.packetId}`);
    if (directory.resolve(addr.from) !== from) throw new HttpError(403, 'wrong-sender', `the packet claims to be from ${addr.from}; the connection is ${from}'s`);
    const to: string[] = [];
    for (const t of addr.to) {
      const r = directory.resolve(t);
      if (!r) throw new HttpError(422, 'unknown-recipient', `no agency ${t} in the directory`);
      if (!to.includes(r)) to.push(r);
    }
    if (addr.kind === 'clear') await checkSignature(addr, from);
    const sha256 = sha256Hex(bytes);
    try {
      const result = await packets.hubPut({ packetId, sha256, kind: addr.kind, from, to, payload: bytes, now: new Date(clock()) });
      if (result === 'stored') for (const r of to) arrivals.arrived(r);
      return { status: result === 'stored' ? 201 : 200, body: { result, packetId, sha256 } satisfies PacketSubmitResult };
    } catch (e) {
      if (e instanceof ChangedBody) throw new HttpError(409, 'changed-body', e.message);
      throw e;
    }
  }

  async function route(req: IncomingMessage, res: ServerResponse, ctx: { route: string; agency?: string }): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://hub');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (method === 'GET' && path === '/health') {
      ctx.route = 'health';
      const ok = await store.healthy().catch(() => false);
      return sendJson(res, ok ? 200 : 503, { status: ok ? 'ok' : 'unavailable', mode: 'hub', storage: store.dialect, time: new Date(clock()).toISOString() });
    }
    const agency = agencyOf(req);
    ctx.agency = agency;
    const wait = perAgency.take(agency);
    if (wait) throw new HttpError(429, 'rate-limited', 'too many requests', { 'retry-after': String(wait) });
    if (method === 'GET' && path === `${HUB_API}/directory`) {
      ctx.route = 'hub.directory';
      return sendJson(res, 200, directory.directory);
    }
    if (method === 'POST' && path === `${HUB_API}/packets/held`) {
      ctx.route = 'hub.held';
      const q = parseBody(heldSchema, await readBody(req, 128 << 10));
      const result: HeldPacketsResult = { held: await packets.hubHeld(agency, q.packetIds) };
      return sendJson(res, 200, result);
    }
    const put = new RegExp(`^${HUB_API}/packets/([^/]+)$`).exec(path);
    if (method === 'PUT' && put) {
      ctx.route = 'hub.submit';
      const a = await submit(req, agency, put[1]!);
      return sendJson(res, a.status, a.body, a.headers);
    }
    if (method === 'GET' && path === `${HUB_API}/inbox`) {
      ctx.route = 'hub.inbox';
      const { after, limit } = paging(url, L.pageSize);
      const waitMs = waitOf(url);
      // A cursor past every delivery this store listed to the agency was given by a store this one is an
      // older copy of (restored from a backup): acknowledging up to it would let the sweep drop deliveries
      // made since, which the agency never saw. It reads again from the start (idempotent by packet id).
      const cursor = await packets.hubCursor(agency);
      if (cursor?.served != null && after > cursor.served) {
        logger.log('warn', 'hub inbox cursor ahead', { agency, after, served: cursor.served });
        throw new HttpError(409, 'cursor-ahead', `delivery cursor ${after} is past what this hub listed to ${agency} (${cursor.served}): its store went back (restored from a backup); read again from the start`);
      }
      const seen = arrivals.count(agency);
      let { rows, more } = await packets.hubList(agency, after, limit, L.packetInlineBytes);
      // A link that has not seen the hub's last restore mark is answered at once: it has packets to check.
      const unseenMark = url.searchParams.has('incarnation') && url.searchParams.get('incarnation') !== (incarnation ?? '');
      // Nothing yet: a long poll waits for a delivery to this agency (server/arrivals.ts), then lists again.
      if (!rows.length && waitMs > 0 && !unseenMark) {
        await arrivals.holding(agency, () => arrivals.wait(agency, seen, waitMs, res));
        if (res.destroyed || closing) return;
        ({ rows, more } = await packets.hubList(agency, after, limit, L.packetInlineBytes));
      }
      const page: PacketPage = { packets: rows, next: rows.length ? rows[rows.length - 1]!.seq : after, more, incarnation };
      // Pulling after a cursor says everything up to it is stored on the agency's side; written with how
      // far this answer lists, once, and only when either moves.
      const listedTo = rows.length ? page.next : null;
      if (after > (cursor?.acked ?? 0) || (listedTo !== null && listedTo > (cursor?.served ?? 0))) await packets.hubAck(agency, after, new Date(clock()), listedTo);
      return sendJson(res, 200, page);
    }
    const payload = new RegExp(`^${HUB_API}/inbox/(\\d{1,15})/payload$`).exec(path);
    if (method === 'GET' && payload) {
      ctx.route = 'hub.payload';
      const seq = Number(payload[1]);
      const head = await packets.hubHead(agency, seq);
      if (!head) throw new HttpError(404, 'not-found', 'no such delivery');
      return sendRange(req, res, head, async (a, b) => (await packets.hubSlice(agency, seq, a, b))!.bytes);
    }
    throw new HttpError(404, 'not-found', 'no such route');
  }

  const tlsChain = cfg.tls.chain.map((f) => readFileSync(f, 'utf8')).join('');
  const server = createServer({
    cert: readFileSync(cfg.tls.certificate, 'utf8') + tlsChain, key: readFileSync(cfg.tls.key), minVersion: 'TLSv1.2',
    // Mutual TLS: only clients with a certificate from the hub's anchors get a connection at all.
    ca: anchorsPem, requestCert: true, rejectUnauthorized: true,
  }, (req, res) => {
    const t0 = performance.now();
    const reqId = randomUUID();
    const ctx: { route: string; agency?: string } = { route: 'unknown' };
    route(req, res, ctx).catch((e: unknown) => {
      let err: HttpError;
      if (e instanceof HttpError) err = e;
      else if (e instanceof TooLarge) err = new HttpError(413, 'too-large', e.message, { connection: 'close' });
      else {
        logger.log('error', 'request failed', { reqId, route: ctx.route, error: e instanceof Error ? e.message : String(e) });
        err = new HttpError(500, 'internal', 'internal error');
      }
      if (res.headersSent) return void res.destroy();
      sendJson(res, err.status, { error: err.code, message: err.message }, err.headers);
      if (err.status === 413) req.resume();
    }).finally(() => {
      logger.log(res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info', 'request', {
        reqId, method: req.method, route: ctx.route, status: res.statusCode, ms: Math.round((performance.now() - t0) * 10) / 10, agency: ctx.agency, remote: req.socket.remoteAddress,
      });
    });
  });
  // A connection keeps the client certificate it was authenticated with (peerOf caches it): a TLS 1.2
  // renegotiation, which could present another certificate, ends the connection instead.
  server.on('secureConnection', (socket: TLSSocket) => {
    socket.disableRenegotiation();
  });
  server.keepAliveTimeout = 30_000;
  server.headersTimeout = 35_000;
  server.requestTimeout = 300_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(cfg.listen.port, cfg.listen.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  logger.log('info', 'listening', { mode: 'hub', host: cfg.listen.host, port, storage: store.dialect, agencies: directory.directory.agencies.length });
  // Retention: acknowledged deliveries dropped, delivered packets' bytes purged after deliveredDays.
  const sweep = async () => {
    try {
      const r = await packets.hubSweep(new Date(clock()), cfg.retention.deliveredDays * 86_400_000);
      await uploads.expire(new Date(clock() - L.uploadTtlHours * 3_600_000));
      if (r.deliveries + r.delivered + r.purged > 0) logger.log('info', 'hub retention sweep', r);
      return r;
    } catch (e) {
      logger.log('error', 'hub retention sweep failed', { error: e instanceof Error ? e.message : String(e) });
      return null;
    }
  };
  await sweep();
  // As an agency server's: `--mark-restored` refuses to mark a store a hub runs on.
  const stopHeartbeat = await store.keepHeartbeat(clock, (e) => logger.log('warn', 'heartbeat not written', { error: e instanceof Error ? e.message : String(e) }));
  const sweeper = setInterval(() => void sweep(), cfg.retention.sweepMinutes * 60_000);
  sweeper.unref();
  const onSignal = () => void reload(opts.reloadSignal);
  if (opts.reloadSignal) process.on(opts.reloadSignal, onSignal);
  return {
    url: `https://${cfg.listen.host === '0.0.0.0' ? '127.0.0.1' : cfg.listen.host}:${port}`,
    port, server, store, packets, sweep, reload,
    get directory() {
      return directory;
    },
    async close() {
      if (opts.reloadSignal) process.off(opts.reloadSignal, onSignal);
      clearInterval(sweeper);
      closing = true;
      arrivals.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await stopHeartbeat();
      await store.close();
    },
  };
}

/** The SHA-256 of a PEM certificate's DER (for logs and tests). */
export const certificatePrint = (pem: string): string => sha256Hex(new X509Certificate(pem).raw);
