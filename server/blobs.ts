// Attachment files through the agency server (docs/server.md "Files"): a workstation uploads a file
// as its level store holds it (sealed under the level key, bound to its hash); another workstation of
// someone cleared for the level downloads it, by ranges when a transfer broke. The server checks the
// sealed bytes' own hash in transit, never sees the file, and answers 404 (not 403) for a level the
// person is not cleared for, so that not even a file's existence is told.
// Also the keyring filter: a keyring entry is listed only to a person it is addressed to.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { secrecyRank, SECRECY_LEVELS, type Secrecy } from '../common/domain';
import { isAddressedTo, readRecipientInfos } from '../main/core/crypto/envelope';
import { pemToDer } from '../main/core/crypto/certificates';
import { API, channelRank, type Channel, type KeyringListing } from '../main/core/sync/protocol';
import type { Session } from './auth';
import type { ServerConfig } from './config';
import { readBody } from './limits';
import { BlobStore } from './storage/blobStore';
import type { Store } from './storage/store';
import type { UploadStore } from './storage/uploadStore';
import { isResumable, resumableUpload } from './uploads';
import { UPLOAD_SHA_HEADER } from '../main/core/sync/resumableUpload';

/** The client went away (its socket destroyed): nothing more can be written to it. */
const gone = (res: ServerResponse): boolean => res.destroyed || !res.socket || res.socket.destroyed;

export class BlobRouteError extends Error {
  constructor(readonly status: number, readonly code: 'bad-request' | 'not-found' | 'range' | 'too-large', message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

const SHA = /^[0-9a-f]{64}$/;
const levelSchema = z.enum(SECRECY_LEVELS as unknown as [Secrecy, ...Secrecy[]]);
const querySchema = z.strictObject({ channel: levelSchema, sha256: z.array(z.string().regex(SHA)).max(1000) });
const mayRead = (s: Session, c: Channel) => channelRank(c) <= secrecyRank(s.clearance);

export interface BlobRoutes {
  /** Handles the request when it is a blob route; false when it is not one. */
  handle(req: IncomingMessage, res: ServerResponse, s: Session, ctx: { route: string }): Promise<boolean>;
  /** Keyring entries addressed to one of the person's enrolled certificates (the others are not theirs to see). */
  keyringsFor(person: string, rows: KeyringListing[]): Promise<KeyringListing[]>;
}

export function blobRoutes(cfg: ServerConfig, store: Store, clock: () => number, uploads: UploadStore): BlobRoutes {
  const blobs = new BlobStore(store);
  const certs = new Map<string, Uint8Array[]>(cfg.people.map((p) => [p.person, p.certificates.flatMap((f) => {
    const bytes = readFileSync(f);
    return bytes.includes('-----BEGIN') ? pemToDer(bytes.toString('utf8')) : [new Uint8Array(bytes)];
  })]));
  const sendJson = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const data = Buffer.from(JSON.stringify(body));
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(data.length), 'cache-control': 'no-store', ...headers });
    res.end(data);
  };

  async function download(req: IncomingMessage, res: ServerResponse, s: Session, channel: Secrecy, sha: string): Promise<void> {
    const head = mayRead(s, channel) ? await blobs.head(channel, sha) : null;
    if (!head) throw new BlobRouteError(404, 'not-found', 'no such file');
    const etag = `"${head.sealedSha256}"`;
    const range = req.headers.range;
    const ifRange = req.headers['if-range'];
    let start = 0;
    let end = head.size - 1;
    let partial = false;
    if (range && (ifRange === undefined || ifRange === etag)) {
      const m = /^bytes=(\d+)-(\d*)$/.exec(range);
      if (!m || Number(m[1]) >= head.size || (m[2] && Number(m[2]) < Number(m[1])))
        throw new BlobRouteError(416, 'range', 'unsatisfiable range', { 'content-range': `bytes */${head.size}` });
      start = Number(m[1]);
      end = m[2] ? Math.min(Number(m[2]), head.size - 1) : head.size - 1;
      partial = true;
    }
    const headers: Record<string, string> = {
      'content-type': 'application/octet-stream', 'content-length': String(end - start + 1), etag, 'accept-ranges': 'bytes', 'cache-control': 'no-store',
    };
    if (partial) headers['content-range'] = `bytes ${start}-${end}/${head.size}`;
    res.writeHead(partial ? 206 : 200, headers);
    // In slices, so a large file is neither held whole in memory nor sent after the client went away.
    const SLICE = 1 << 20;
    for (let at = start; at <= end && !gone(res); at += SLICE) {
      const part = await blobs.slice(channel, sha, at, Math.min(end, at + SLICE - 1));
      // A client gone before we listen has already emitted 'close': waiting for it would hang the
      // request (and never log it), so a closed socket ends the loop at once.
      if (!res.write(part) && !gone(res)) {
        await new Promise<void>((r) => {
          const done = () => { res.off('drain', done); res.off('close', done); r(); };
          res.once('drain', done);
          res.once('close', done);
          if (gone(res)) done();
        });
      }
    }
    res.end();
  }

  return {
    async handle(req, res, s, ctx) {
      const url = new URL(req.url ?? '/', 'https://server');
      const method = req.method ?? 'GET';
      if (method === 'POST' && url.pathname === `${API}/blobs/query`) {
        ctx.route = 'blobs.query';
        let body: unknown;
        try {
          body = JSON.parse((await readBody(req, 256 << 10)).toString('utf8'));
        } catch {
          throw new BlobRouteError(400, 'bad-request', 'body is not JSON');
        }
        const q = querySchema.safeParse(body);
        if (!q.success) throw new BlobRouteError(400, 'bad-request', `${q.error.issues[0]!.path.join('.') || 'body'}: ${q.error.issues[0]!.message}`);
        // A level above the clearance: as if the server held none of them.
        const present = mayRead(s, q.data.channel) ? await blobs.present(q.data.channel, q.data.sha256) : new Map<string, { sealedSha256: string; size: number }>();
        sendJson(res, 200, { present: q.data.sha256.filter((x) => present.has(x)), heads: Object.fromEntries(present) });
        return true;
      }
      const m = new RegExp(`^${API}/blobs/([a-z_]{3,12})/([0-9a-f]{64})$`).exec(url.pathname);
      if (!m) return false;
      const level = levelSchema.safeParse(m[1]);
      if (!level.success) throw new BlobRouteError(400, 'bad-request', 'files travel in a secrecy level channel');
      const sha = m[2]!;
      if (method === 'GET') {
        ctx.route = 'blobs.get';
        await download(req, res, s, level.data, sha);
        return true;
      }
      if (method === 'PUT') {
        ctx.route = 'blobs.put';
        if (!mayRead(s, level.data)) throw new BlobRouteError(404, 'not-found', 'no such channel');
        const declared = String(req.headers['x-sealed-sha256'] ?? '');
        if (!SHA.test(declared)) throw new BlobRouteError(400, 'bad-request', 'x-sealed-sha256 names the sealed bytes');
        if (isResumable(req)) {
          // A large file in chunks (server/uploads.ts): the whole announced is the sealed bytes named here.
          if (req.headers[UPLOAD_SHA_HEADER] !== declared) throw new BlobRouteError(400, 'bad-request', `${UPLOAD_SHA_HEADER} and x-sealed-sha256 name the same sealed bytes`);
          const channel = level.data;
          const a = await resumableUpload(req, uploads, {
            owner: `workstation:${s.workstation}`, key: `blob:${channel}:${sha}`, maxBytes: cfg.limits.maxBlobBytes,
            done: async () => ((await blobs.head(channel, sha)) ? { status: 200, body: { stored: false } } : null),
            complete: async (payload) => {
              const r = await blobs.put(channel, sha, declared, payload, s.workstation, s.person, new Date(clock()));
              return { status: r.stored ? 201 : 200, body: r };
            },
          }, cfg.limits, new Date(clock()));
          sendJson(res, a.status, a.body, a.headers);
          return true;
        }
        const payload = await readBody(req, cfg.limits.maxBlobBytes);
        if (!payload.length) throw new BlobRouteError(400, 'bad-request', 'empty file');
        if (createHash('sha256').update(payload).digest('hex') !== declared) throw new BlobRouteError(400, 'bad-request', 'the bytes do not match x-sealed-sha256');
        const r = await blobs.put(level.data, sha, declared, payload, s.workstation, s.person, new Date(clock()));
        sendJson(res, r.stored ? 201 : 200, r);
        return true;
      }
      return false;
    },

    async keyringsFor(person, rows) {
      const mine = certs.get(person) ?? [];
      const out: KeyringListing[] = [];
      for (const r of rows) {
        let infos: Uint8Array;
        try {
          infos = await readRecipientInfos([Buffer.from(r.payload, 'base64')]);
        } catch {
          continue; // not an envelope: nobody's
        }
        if (mine.some((c) => { try { return isAddressedTo(infos, c); } catch { return false; } })) out.push(r);
      }
      return out;
    },
  };
}
