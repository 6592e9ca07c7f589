// The hub: the same server in `mode: 'hub'`. It routes edXML packets between agency servers by
// identifier code, store-and-forward, and keeps the directory of agencies. Agency servers
// authenticate by mutual TLS: the client certificate must chain to the hub's trust anchors and be the
// one the directory lists for that agency's server. A packet is refused when it is too large, is no
// packet, claims another sender than the authenticated agency, names an unknown recipient, is clear
// without a valid XML-DSig signature by one of the sender's directory certificates, or reuses a
// packet id with other bytes; the same packet again is acknowledged and stored once.
import { createHash, randomUUID, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { parseCrls } from '../main/core/crypto/crl';
import { verifySignatureElement } from '../main/core/exchange/edxml/xmldsig';
import { child, childrenNamed, findDeep, rawText, type XElement } from '../main/core/exchange/edxml/xmlTree';
import { HUB_API, PACKET_ID_RE, type PacketPage, type PacketSubmitResult } from '../main/core/sync/packets/protocol';
import type { ServerConfig } from './config';
import { HubDirectory } from './directory';
import { HttpError, paging, sendJson, sendRange } from './http';
import { RateLimiter, readBody, TooLarge } from './limits';
import { jsonLogger, type Logger } from './log';
import { NotAPacket, readPacketAddress, type PacketAddress } from './packetAddress';
import { ChangedBody, PacketStore } from './storage/packetStore';
import { Store } from './storage/store';

export interface RunningHub {
  url: string;
  port: number;
  server: Server;
  store: Store;
  packets: PacketStore;
  directory: HubDirectory;
  /** Runs the retention sweep now (it also runs every retention.sweepMinutes); null when it failed (logged). */
  sweep(): Promise<{ deliveries: number; delivered: number; purged: number } | null>;
  close(): Promise<void>;
}

const sha256Hex = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** The signing certificate of a clear packet's Signature (SHA-256 of its DER), or null. */
function signerPrint(tree: XElement): string | null {
  const sig = findDeep(tree, 'Signature', 3);
  const first = childrenNamed(child(child(sig, 'KeyInfo'), 'X509Data'), 'X509Certificate')[0];
  const b64 = first ? rawText(first).replace(/\s+/g, '') : '';
  return b64 ? sha256Hex(Buffer.from(b64, 'base64')) : null;
}

export async function startHub(cfg: ServerConfig, opts: { logger?: Logger; clock?: () => number } = {}): Promise<RunningHub> {
  const logger = opts.logger ?? jsonLogger();
  const clock = opts.clock ?? Date.now;
  const anchorsPem = cfg.trustAnchors.map((f) => readFileSync(f, 'utf8'));
  const crlFiles = cfg.crls;
  const directory = new HubDirectory(cfg.directory, new Date(clock()));
  const store = await Store.open(cfg.storage);
  const packets = new PacketStore(store.db);
  const perAgency = new RateLimiter(cfg.limits.requestsPerSecond, cfg.limits.burst, clock);
  const L = cfg.limits;

  /** The agency whose server is on the other end of this TLS connection. */
  const agencyOf = (req: IncomingMessage): string => {
    const raw = (req.socket as TLSSocket).getPeerCertificate?.()?.raw;
    const code = raw ? directory.agencyOfServer(sha256Hex(raw)) : null;
    if (!code) throw new HttpError(403, 'forbidden', 'this client certificate is not an agency server of the directory');
    return code;
  };

  async function checkSignature(addr: PacketAddress, from: string): Promise<void> {
    const print = signerPrint(addr.tree!);
    if (!print) throw new HttpError(422, 'bad-signature', 'a clear packet must carry the sending agency\'s XML-DSig signature');
    if (!directory.isSigner(from, print)) throw new HttpError(422, 'bad-signature', `the packet is signed with a certificate the directory does not list for ${from}`);
    const crls = crlFiles.flatMap((f) => { try { return parseCrls([readFileSync(f)]); } catch { return []; } });
    const v = await verifySignatureElement(addr.tree!, { trustAnchors: anchorsPem, crls, now: new Date(clock()) });
    if (v.status !== 'valid') throw new HttpError(422, 'bad-signature', `signature ${v.status}: ${v.reason}`);
  }

  async function submit(req: IncomingMessage, from: string, packetId: string): Promise<PacketSubmitResult & { status: number }> {
    if (!PACKET_ID_RE.test(packetId)) throw new HttpError(400, 'bad-request', 'packet id: 8 to 64 letters, digits or dashes');
    const bytes = await readBody(req, L.maxPacketBytes);
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
      return { status: result === 'stored' ? 201 : 200, result, packetId, sha256 };
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
    const put = new RegExp(`^${HUB_API}/packets/([^/]+)$`).exec(path);
    if (method === 'PUT' && put) {
      ctx.route = 'hub.submit';
      const { status, ...r } = await submit(req, agency, put[1]!);
      return sendJson(res, status, r);
    }
    if (method === 'GET' && path === `${HUB_API}/inbox`) {
      ctx.route = 'hub.inbox';
      const { after, limit } = paging(url, L.pageSize);
      // Pulling after a cursor says everything up to it is stored on the agency's side.
      await packets.hubAck(agency, after, new Date(clock()));
      const { rows, more } = await packets.hubList(agency, after, limit, L.packetInlineBytes);
      const page: PacketPage = { packets: rows, next: rows.length ? rows[rows.length - 1]!.seq : after, more };
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
      if (r.deliveries + r.delivered + r.purged > 0) logger.log('info', 'hub retention sweep', r);
      return r;
    } catch (e) {
      logger.log('error', 'hub retention sweep failed', { error: e instanceof Error ? e.message : String(e) });
      return null;
    }
  };
  await sweep();
  const sweeper = setInterval(() => void sweep(), cfg.retention.sweepMinutes * 60_000);
  sweeper.unref();
  return {
    url: `https://${cfg.listen.host === '0.0.0.0' ? '127.0.0.1' : cfg.listen.host}:${port}`,
    port, server, store, packets, directory, sweep,
    async close() {
      clearInterval(sweeper);
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await store.close();
    },
  };
}

/** The SHA-256 of a PEM certificate's DER (for logs and tests). */
export const certificatePrint = (pem: string): string => sha256Hex(new X509Certificate(pem).raw);
