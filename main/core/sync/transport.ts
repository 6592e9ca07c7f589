// HTTPS to the agency server with the server's certificate pinned to the agency CA(s) named in the
// machine configuration: Node's default CA store is replaced, not extended, so a server whose
// certificate another CA issued (even a public one) is refused before a byte of the request leaves.
import { createHash } from 'node:crypto';
import { Agent, request } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import type { TLSSocket } from 'node:tls';

export class TransportError extends Error {
  override readonly name = 'TransportError';
  constructor(message: string, readonly status: number | null, readonly code: string, readonly retryAfterMs: number | null = null) {
    super(message);
  }
  /** Whether trying again later may succeed (network, server busy or failing). */
  get transient(): boolean {
    return this.status === null || this.status === 429 || this.status >= 500;
  }
}

export interface Response {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One request's options: `onChunk` streams the body, `onSent` follows the write, `signal` cancels it. */
export interface RequestOptions {
  body?: Buffer;
  headers?: Record<string, string>;
  onChunk?: (b: Buffer) => void;
  onSent?: () => void;
  signal?: AbortSignal;
}

export interface TransportOptions {
  /** https://host:port of the agency server. */
  url: string;
  /** PEM of the agency CA(s) the server's certificate must chain to. */
  caPem: string;
  timeoutMs?: number;
  maxSockets?: number;
  /** A client certificate and key (PEM) for mutual TLS (an agency server to the hub). */
  clientCertificate?: { certPem: string; keyPem: string };
}

/**
 * The server certificate's SHA-256 per TLS 1.3 connection: getPeerCertificate builds a fresh object from
 * DER at each call, and a keep-alive connection carries many requests. TLS 1.3 has no renegotiation, so
 * the certificate a connection began with is the one it keeps; an older protocol is read at each request.
 */
const prints = new WeakMap<TLSSocket, string | null>();
function serverPrint(socket: TLSSocket): string | null {
  const cached = prints.get(socket);
  if (cached !== undefined) return cached;
  const raw = socket.getPeerCertificate?.()?.raw;
  const print = raw ? createHash('sha256').update(raw).digest('hex') : null;
  if (socket.getProtocol?.() === 'TLSv1.3') prints.set(socket, print);
  return print;
}

export class Transport {
  private readonly agent: Agent;
  private readonly base: URL;
  private readonly timeoutMs: number;
  /** SHA-256 (hex) of the server certificate seen on the last connection. */
  serverCertSha256: string | null = null;

  constructor(opts: TransportOptions) {
    this.base = new URL(opts.url);
    if (this.base.protocol !== 'https:') throw new Error('the agency server is reached over https only');
    this.agent = new Agent({
      ca: opts.caPem, keepAlive: true, maxSockets: opts.maxSockets ?? 4, minVersion: 'TLSv1.2',
      ...(opts.clientCertificate ? { cert: opts.clientCertificate.certPem, key: opts.clientCertificate.keyPem } : {}),
    });
    this.timeoutMs = opts.timeoutMs ?? 30_000;
  }

  close(): void {
    this.agent.destroy();
  }

  /**
   * One request. `onChunk` streams the body instead of buffering it (downloads that resume).
   * `onSent` is called once the request has been written (the crash-test hook of the client).
   */
  request(method: string, path: string, o: RequestOptions = {}): Promise<Response> {
    return new Promise((resolve, reject) => {
      // Cancelled (a long poll when the session ends): the request is destroyed, its socket with it.
      if (o.signal?.aborted) return reject(new TransportError('request cancelled', null, 'aborted'));
      const url = new URL(path, this.base);
      const req = request(url, {
        method, agent: this.agent, timeout: this.timeoutMs, ...(o.signal ? { signal: o.signal } : {}),
        headers: { accept: 'application/json', ...(o.body ? { 'content-type': 'application/json', 'content-length': String(o.body.length) } : {}), ...o.headers },
      }, (res) => {
        const print = serverPrint(res.socket as TLSSocket);
        if (print) this.serverCertSha256 = print;
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => (o.onChunk && res.statusCode && res.statusCode < 300 ? o.onChunk(c) : parts.push(c)));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
        res.on('error', (e) => reject(new TransportError(e.message, null, 'network')));
        res.on('aborted', () => reject(new TransportError(o.signal?.aborted ? 'request cancelled' : 'response aborted', null, o.signal?.aborted ? 'aborted' : 'network')));
      });
      req.on('timeout', () => req.destroy(new Error(`timeout after ${this.timeoutMs} ms`)));
      req.on('error', (e: NodeJS.ErrnoException) => {
        if (o.signal?.aborted) return reject(new TransportError('request cancelled', null, 'aborted'));
        const tls = /certificate|self.signed|unable to verify|UNABLE_TO|CERT_|ERR_TLS/i.test(`${e.code ?? ''} ${e.message}`);
        reject(new TransportError(tls ? `server certificate refused: ${e.message}` : e.message, null, tls ? 'untrusted-server' : 'network'));
      });
      req.end(o.body, () => o.onSent?.());
    });
  }

  /** A JSON request; a non-2xx answer becomes a TransportError with the server's code. */
  async json<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, onSent?: () => void, signal?: AbortSignal): Promise<{ status: number; data: T }> {
    const res = await this.request(method, path, { ...(body !== undefined ? { body: Buffer.from(JSON.stringify(body)) } : {}), headers, ...(onSent ? { onSent } : {}), ...(signal ? { signal } : {}) });
    let data: unknown = null;
    try {
      data = res.body.length ? JSON.parse(res.body.toString('utf8')) : null;
    } catch {
      data = null;
    }
    if (res.status < 200 || res.status >= 300) {
      const err = data as { error?: string; message?: string } | null;
      const ra = Number(res.headers['retry-after']);
      throw new TransportError(`${method} ${path}: ${res.status} ${err?.message ?? ''}`.trim(), res.status, err?.error ?? 'http', Number.isFinite(ra) && ra > 0 ? ra * 1000 : null);
    }
    return { status: res.status, data: data as T };
  }
}
