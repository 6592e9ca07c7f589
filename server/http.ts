// Small HTTP pieces shared by the agency server's and the hub's routes: the error that becomes a
// `{ error, message }` answer, JSON answers, byte ranges of a stored payload (a broken download
// resumes with Range and If-Range), and the paging parameters of a listing.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerErrorCode } from '../main/core/sync/protocol';
import type { z } from 'zod';

export class HttpError extends Error {
  constructor(readonly status: number, readonly code: ServerErrorCode, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const data = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(data.length), 'cache-control': 'no-store', ...headers });
  res.end(data);
}

export interface StoredBytes {
  size: number;
  sha256: string;
}

/** Sends a stored payload, whole or from `Range: bytes=N-[M]` (honoured only when If-Range matches its ETag). */
export async function sendRange(req: IncomingMessage, res: ServerResponse, head: StoredBytes, read: (start: number, end: number) => Promise<Buffer>): Promise<void> {
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
  const bytes = await read(start, end);
  const headers: Record<string, string> = { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length), etag, 'accept-ranges': 'bytes', 'cache-control': 'no-store' };
  if (partial) headers['content-range'] = `bytes ${start}-${end}/${head.size}`;
  res.writeHead(partial ? 206 : 200, headers);
  res.end(bytes);
}

/** `after` and `limit` of a listing (limit capped at the page size). */
export function paging(url: URL, pageSize: number): { after: number; limit: number } {
  const after = Number(url.searchParams.get('after') ?? 0);
  const limit = Math.min(Number(url.searchParams.get('limit') ?? pageSize), pageSize);
  if (!Number.isSafeInteger(after) || after < 0 || !Number.isSafeInteger(limit) || limit < 1) throw new HttpError(400, 'bad-request', 'after and limit are non-negative integers');
  return { after, limit };
}

/** A JSON request body checked against its schema: 400 naming the first bad field. */
export function parseBody<T>(schema: z.ZodType<T>, body: Buffer): T {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpError(400, 'bad-request', 'body is not JSON');
  }
  const r = schema.safeParse(json);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new HttpError(400, 'bad-request', `${i.path.join('.') || 'body'}: ${i.message}`);
  }
  return r.data;
}
