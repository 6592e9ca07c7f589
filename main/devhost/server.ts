// The development host: serves the built renderer to a browser and answers the same IPC contract
// from the same core over loopback. 127.0.0.1 only, a random port, a random bearer token per run,
// everything else refused. Never packaged.
//
//   POST /ipc/<channel>   the contract (router: validate -> authorize -> handle), JSON both ways
//   POST /stage           a user-chosen file, streamed into staging (X-File-Name, url-encoded)
//   GET  /events          pushed DeskEvents (session locked …) as server-sent events, read with
//                         fetch() because EventSource cannot send the Authorization header
//   GET  /blob/<ticket>   an attachment behind a viewer ticket, decrypted as it streams; bearer
//                         token required, same-origin only, one use (see serveBlob)
//   GET  /<file>          the renderer
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { STAGE_ACCESS, type Wire } from '../../common/contract';
import { DeskError } from '../../common/errors';
import type { Desk } from '../core/desk';
import { authorize } from '../core/org/rights';
import type { LockReason, SessionGuard } from '../core/session/guard';
import { createRouter } from '../ipc/router';
import type { AgencySyncHandle } from '../core/sync/agencySync';
import { lockEvent, pushIdleEvents } from '../app/events';

// Same policy as the app's protocol handler; connect-src 'self' lets the page reach /ipc and /events.
export const DEV_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data: blob:", "font-src 'self' data:",
  "connect-src 'self'", "worker-src 'self'", "frame-src 'none'", "object-src 'none'", "base-uri 'none'",
  "form-action 'none'", "frame-ancestors 'none'",
].join('; ');

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.woff2': 'font/woff2', '.woff': 'font/woff', '.ttf': 'font/ttf', '.bcmap': 'application/octet-stream',
  '.pfb': 'application/octet-stream', '.wasm': 'application/wasm', '.ico': 'image/x-icon',
};
const MAX_JSON_BYTES = 1024 * 1024;
/**
 * Types the page may show inline. Everything else (HTML, XML, SVG, office files, text) is sent as an
 * opaque download: a registered file must never run as active content in the host's origin.
 */
const INLINE_TYPES = new Set(['application/pdf', 'image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/bmp', 'image/tiff']);
/** Spent tickets are remembered this long (longer than a ticket lives, Desk's TICKET_TTL_MS). */
const SPENT_TICKET_MS = 60 * 60_000;
/** A comment line on every event stream this often, so nothing between the ends calls it idle. */
const EVENT_PING_MS = 20_000;

export interface DevHost {
  url: string;
  /** URL with the bearer token in the fragment (never sent to the server in a request line). */
  launchUrl: string;
  token: string;
  close(): Promise<void>;
}

export interface DevHostOptions {
  desk: Desk;
  /** Locks the session on token removal, idle time or a lost bridge; its 'locked' events are pushed. */
  guard: SessionGuard;
  rendererDir: string;
  port?: number;
  /** The agency server's sync of the session (machine.json agencyServer), when configured. */
  sync?: AgencySyncHandle;
}

const isLoopback = (addr: string | undefined) => addr === '127.0.0.1' || addr === '::ffff:127.0.0.1';

export async function startDevHost(opts: DevHostOptions): Promise<DevHost> {
  const { desk, guard } = opts;
  const token = randomBytes(32).toString('hex');
  const tokenBuf = Buffer.from(`Bearer ${token}`);
  const root = resolve(opts.rendererDir);
  let origin = '';
  const router = createRouter({ desk, guard, attachmentUrl: (ticket) => `${origin}/blob/${ticket}`, ...(opts.sync ? { sync: opts.sync } : {}) });
  const streams = new Set<ServerResponse>();
  const blobs = new Set<Readable>();
  const spentTickets = new Map<string, number>();

  const send = (res: ServerResponse, status: number, body: string | Buffer, type = 'text/plain; charset=utf-8') => {
    res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  };
  const sendWire = (res: ServerResponse, wire: Wire<unknown>) => send(res, 200, JSON.stringify(wire), 'application/json');
  const authorized = (req: IncomingMessage) => {
    const h = Buffer.from(req.headers.authorization ?? '');
    return h.length === tokenBuf.length && timingSafeEqual(h, tokenBuf);
  };
  const foreignOrigin = (req: IncomingMessage) => req.headers.origin !== undefined && req.headers.origin !== origin;
  // Fetch metadata: a browser says where a request comes from even when it sends no Origin (GET).
  const crossSite = (req: IncomingMessage) => {
    const site = req.headers['sec-fetch-site'];
    return site !== undefined && site !== 'same-origin' && site !== 'none';
  };

  // A lock reaches every open window at once; decrypted streams still flowing are cut.
  const onLocked = (reason: LockReason) => {
    for (const b of blobs) b.destroy();
    blobs.clear();
    const frame = `data: ${JSON.stringify(lockEvent(reason, guard))}\n\n`;
    for (const res of streams) res.write(frame);
  };
  guard.on('locked', onLocked);
  const stopIdleEvents = pushIdleEvents(guard, (event) => {
    const frame = `data: ${JSON.stringify(event)}\n\n`;
    for (const res of streams) res.write(frame);
  });
  // Long work of the core (a compartment's re-key) is shown while the person waits.
  const stopWork = desk.onWork((event) => {
    const frame = `data: ${JSON.stringify(event)}\n\n`;
    for (const res of streams) res.write(frame);
  });
  const ping = setInterval(() => {
    for (const res of streams) res.write(': ping\n\n');
  }, EVENT_PING_MS);
  ping.unref();

  const server = createServer((req, res) => {
    res.setHeader('Content-Security-Policy', DEV_CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    // Loopback peers only, and only our own Host (defeats DNS rebinding).
    if (!isLoopback(req.socket.remoteAddress) || req.headers.host !== origin.slice('http://'.length)) return send(res, 403, 'forbidden');
    const url = new URL(req.url ?? '/', origin);
    const path = url.pathname;
    handle(req, res, path).catch((err: unknown) => {
      desk.log.log('error', 'devhost request failed', { path, error: (err as Error).stack ?? String(err) });
      if (!res.headersSent) send(res, 500, 'internal error');
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (path.startsWith('/ipc/') || path === '/stage') {
      if (req.method !== 'POST') return send(res, 405, 'method not allowed');
      if (!authorized(req)) return send(res, 401, 'unauthorized');
      if (foreignOrigin(req)) return send(res, 403, 'forbidden');
      if (path === '/stage') return stage(req, res);
      const body = await readJson(req);
      if (body === undefined) return sendWire(res, { ok: false, error: DeskError.keyed('VALIDATION', 'input.badBody').toPayload() });
      return sendWire(res, await router(decodeURIComponent(path.slice('/ipc/'.length)), body));
    }
    if (path === '/events') {
      if (req.method !== 'GET') return send(res, 405, 'method not allowed');
      if (!authorized(req)) return send(res, 401, 'unauthorized');
      if (foreignOrigin(req)) return send(res, 403, 'forbidden');
      return events(req, res);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed');
    const blob = /^\/blob\/([0-9a-f]{32})$/.exec(path);
    if (blob) {
      if (!authorized(req)) return send(res, 401, 'unauthorized');
      if (foreignOrigin(req) || crossSite(req)) return send(res, 403, 'forbidden');
      return serveBlob(req, res, blob[1]!);
    }
    return serveStatic(res, path);
  }

  function events(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store' });
    res.write(': connected\n\n'); // the fetch() on the other side resolves now, not at the first event
    streams.add(res);
    const done = () => streams.delete(res);
    req.on('close', done);
    res.on('close', done);
  }

  async function stage(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const actor = desk.session;
      authorize(actor, STAGE_ACCESS);
      guard.touch();
      const name = decodeURIComponent(String(req.headers['x-file-name'] ?? ''));
      sendWire(res, { ok: true, value: await desk.attachments.stage(actor, req, name) });
    } catch (err) {
      req.resume();
      if (err instanceof DeskError) return sendWire(res, { ok: false, error: err.toPayload() });
      desk.log.log('error', 'staging failed', { error: (err as Error).stack ?? String(err) });
      sendWire(res, { ok: false, error: DeskError.keyed('INTERNAL', 'stage.failed').toPayload() });
    }
  }

  /**
   * One use per ticket. pdf.js fetches the whole file in one request here: it asks for byte ranges
   * only when the response says `Accept-Ranges: bytes`, which this host never does, so the viewer
   * needs one request per opening and a second one with the same ticket can only be a replay.
   * The ticket is spent when the request starts (a second request at the same time is refused)
   * and stays spent once a byte of the file was delivered.
   */
  async function serveBlob(req: IncomingMessage, res: ServerResponse, ticket: string): Promise<void> {
    const now = Date.now();
    for (const [t, at] of spentTickets) if (now - at > SPENT_TICKET_MS) spentTickets.delete(t);
    if (spentTickets.has(ticket)) return send(res, 404, 'not found');
    spentTickets.set(ticket, now); // before the first await: a concurrent request is refused
    const opened = await desk.openTicket(ticket);
    if (!opened) {
      spentTickets.delete(ticket);
      return send(res, 404, 'not found');
    }
    const base = opened.mime.split(';')[0]!.trim().toLowerCase();
    const inline = INLINE_TYPES.has(base);
    res.writeHead(200, {
      'Content-Type': inline ? base : 'application/octet-stream', 'Content-Length': opened.size, 'Cache-Control': 'no-store',
      'Content-Disposition': `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(opened.name)}`,
      'X-Content-Type-Options': 'nosniff',
    });
    if (req.method === 'HEAD') {
      opened.stream.destroy();
      res.end();
      return;
    }
    let delivered = false;
    opened.stream.once('data', () => (delivered = true));
    blobs.add(opened.stream);
    try {
      await pipeline(opened.stream, res);
    } catch (err) {
      // The viewer went away, the session was locked mid-stream, or the blob failed its check.
      if (!res.destroyed) desk.log.log('warn', 'attachment stream ended early', { error: (err as Error).message });
      // Nothing was delivered (a blob failing its check on the first chunk): the socket closes with
      // no response, which Chromium retries once on its own; that retry may use the ticket again.
      if (!delivered) spentTickets.delete(ticket);
      res.destroy();
    } finally {
      blobs.delete(opened.stream);
    }
  }

  async function serveStatic(res: ServerResponse, path: string): Promise<void> {
    let rel: string;
    try {
      rel = decodeURIComponent(path === '/' ? '/index.html' : path);
    } catch {
      return send(res, 400, 'bad request');
    }
    const file = resolve(join(root, rel));
    if (rel.includes('\0') || (file !== root && !file.startsWith(root + sep))) return send(res, 403, 'forbidden');
    const stat = await fsp.stat(file).catch(() => null);
    if (!stat?.isFile()) return send(res, 404, 'not found');
    res.writeHead(200, { 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream', 'Content-Length': stat.size, 'Cache-Control': 'no-cache' });
    createReadStream(file).pipe(res);
  }

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, '127.0.0.1', () => ok());
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  return {
    url: origin,
    launchUrl: `${origin}/#token=${token}`,
    token,
    close: () => new Promise<void>((ok) => {
      guard.off('locked', onLocked);
      stopWork();
      stopIdleEvents();
      clearInterval(ping);
      for (const res of streams) res.end();
      streams.clear();
      server.closeAllConnections();
      server.close(() => ok());
    }),
  };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_JSON_BYTES) return undefined;
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}
