// The app:// request handler as a plain function of a web Request to a web Response, so it runs
// (and is tested) under Node without Electron; protocol.ts only hands it to protocol.handle.
//
//   GET|HEAD app://securedesk/<file>          -> a file of the packaged renderer folder
//   GET|HEAD app://securedesk/blob/<ticket>   -> the attachment behind a viewer ticket, streamed
//
// Every response, errors included, carries the CSP and nosniff (securityHeaders).
import { promises as fsp } from 'node:fs';
import { Readable } from 'node:stream';
import type { Logger } from '../core/log';
import { BLOB_CSP, CSP, securityHeaders } from './csp';
import { APP_HOST, APP_SCHEME, blobTicket, mimeForPath, resolveAppPath, safeBlobMime } from './policy';

/** What the handler needs from the Desk: opening a viewer ticket (Desk satisfies it). */
export interface TicketResolver {
  /** The plaintext stream behind a ticket (decrypted as it is read), or undefined when refused. */
  openTicket(ticket: string): Promise<{ stream: Readable; size: number; mime: string; name: string } | undefined>;
}

export interface AppHandlerOptions {
  /** Absolute path of the packaged renderer folder (dist/renderer). */
  rendererRoot: string;
  /** The open Desk, once there is one; blobs are refused before it is open. */
  tickets: () => TicketResolver | null;
  log: Logger;
}

export type AppRequestHandler = (request: Request) => Promise<Response>;

const TEXT = 'text/plain; charset=utf-8';

/** A refusal: short, Vietnamese-free (nobody reads it but a developer), with every security header. */
export function refusal(status: number, extra: Record<string, string> = {}): Response {
  const reason: Record<number, string> = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 500: 'Internal Server Error' };
  return new Response(reason[status] ?? 'Error', {
    status,
    headers: { ...securityHeaders(CSP), 'Content-Type': TEXT, 'Cache-Control': 'no-store', ...extra },
  });
}

export function createAppRequestHandler(opts: AppHandlerOptions): AppRequestHandler {
  return async (request) => {
    try {
      if (request.method !== 'GET' && request.method !== 'HEAD') return refusal(405, { Allow: 'GET, HEAD' });
      let url: URL;
      try {
        url = new URL(request.url);
      } catch {
        return refusal(400);
      }
      if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST || url.username || url.password || url.port) {
        opts.log.log('warn', 'app protocol request for a foreign host refused', { host: url.host.slice(0, 80) });
        return refusal(403);
      }
      // The path as sent (still percent-encoded): URL.pathname keeps escapes, which resolveAppPath
      // checks itself; query and fragment play no part.
      const path = url.pathname;
      const head = request.method === 'HEAD';
      if (path.startsWith('/blob/')) return await serveBlob(path, head, opts);
      return await serveFile(path, head, opts);
    } catch (err) {
      opts.log.log('error', 'app protocol handler failed', { error: (err as Error).stack ?? String(err) });
      return refusal(500);
    }
  };
}

async function serveFile(urlPath: string, head: boolean, opts: AppHandlerOptions): Promise<Response> {
  const file = resolveAppPath(opts.rendererRoot, urlPath);
  if (!file) {
    opts.log.log('warn', 'app protocol path refused', { path: urlPath.slice(0, 200) });
    return refusal(404);
  }
  let body: Buffer;
  try {
    // readFile rather than a stream: the renderer lives inside app.asar, where Electron serves
    // readFile from the archive but would extract to a temporary file for fs.open. Assets are small.
    body = await fsp.readFile(file);
  } catch {
    return refusal(404);
  }
  return new Response(head ? null : new Uint8Array(body), {
    status: 200,
    headers: {
      ...securityHeaders(CSP),
      'Content-Type': mimeForPath(file),
      'Content-Length': String(body.length),
      'Cache-Control': 'no-cache',
    },
  });
}

async function serveBlob(urlPath: string, head: boolean, opts: AppHandlerOptions): Promise<Response> {
  const ticket = blobTicket(urlPath);
  const opened = ticket ? await opts.tickets()?.openTicket(ticket) : undefined;
  if (!opened) {
    // Unknown, expired, someone else's, the profile locked, or the blob is missing: all look the same from outside.
    opts.log.log('info', 'attachment ticket refused');
    return refusal(404);
  }
  const headers = {
    ...securityHeaders(BLOB_CSP),
    'Content-Type': safeBlobMime(opened.mime),
    'Content-Length': String(opened.size),
    'Content-Disposition': 'inline',
    'Cache-Control': 'no-store',
  };
  if (head) {
    opened.stream.destroy();
    return new Response(null, { status: 200, headers });
  }
  // Decrypted as it streams from the store to the viewer: no temporary copy of a document.
  opened.stream.on('error', (err) => opts.log.log('warn', 'attachment stream ended early', { error: err.message }));
  const body = Readable.toWeb(opened.stream) as unknown as ReadableStream<Uint8Array>;
  return new Response(body, { status: 200, headers });
}
