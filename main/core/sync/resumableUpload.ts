// Resumable uploads, the client's side (the server's: server/uploads.ts; docs/server.md "Uploads that
// resume"). A large body goes to its ordinary PUT route in chunks, each carrying
// `Content-Range: bytes start-end/total` and the whole's SHA-256 in `x-upload-sha256`. The client
// first asks how much the server holds (`Content-Range: bytes */total`, no body) and sends only the
// rest, so a connection cut midway, or a restart of either side, costs at most the chunk under way;
// the client keeps nothing of its own about it. The server answers each chunk but the last with 202
// `{ received, total }`, and the last (or the question, once the upload is complete) with the route's
// ordinary answer.
import { createHash } from 'node:crypto';
import type { Response } from './transport';

export const UPLOAD_SHA_HEADER = 'x-upload-sha256';
export const UPLOAD_OFFSET_HEADER = 'upload-offset';
/** Bodies above this go as a resumable upload by default; smaller ones stay one request. */
export const RESUMABLE_ABOVE_BYTES = 4 << 20;
export const UPLOAD_CHUNK_BYTES = 4 << 20;

export interface UploadProgress {
  received: number;
  total: number;
}

export type UploadSend = (o: { body?: Buffer; headers: Record<string, string>; last: boolean }) => Promise<Response>;

export interface ResumableOptions {
  chunkBytes?: number;
  /** The offset the server said it held when asked (0 for a fresh upload): how much a resume skipped. */
  onResume?: (offset: number, total: number) => void;
  /** After each chunk the server committed. */
  onChunk?: (received: number, total: number) => void;
}

const progressOf = (res: Response): UploadProgress | null => {
  try {
    const p = JSON.parse(res.body.toString('utf8')) as Partial<UploadProgress> & { error?: string };
    return Number.isSafeInteger(p.received) && Number.isSafeInteger(p.total) ? { received: p.received!, total: p.total! } : null;
  } catch {
    return null;
  }
};

/**
 * Sends `bytes` in chunks through `send` (one PUT to the same route each time) from the offset the server
 * holds. Returns the server's final answer, or the first answer that is neither progress nor an offset
 * to move to (an error the caller handles as it would the one-request PUT's). Network errors are thrown:
 * the caller's retry asks the offset again and goes on from there.
 */
export async function uploadResumable(send: UploadSend, bytes: Buffer, o: ResumableOptions = {}): Promise<Response> {
  const total = bytes.length;
  const chunk = Math.max(1024, o.chunkBytes ?? UPLOAD_CHUNK_BYTES);
  const sha = createHash('sha256').update(bytes).digest('hex');
  const common = { 'content-type': 'application/octet-stream', [UPLOAD_SHA_HEADER]: sha };
  const ask = await send({ headers: { ...common, 'content-range': `bytes */${total}`, 'content-length': '0' }, last: false });
  if (ask.status !== 202) return ask;
  let offset = progressOf(ask)?.received ?? 0;
  o.onResume?.(offset, total);
  // Each round either commits a chunk or learns the server's offset; a server that keeps answering
  // offsets without progress is not followed forever.
  for (let stalls = 0; ;) {
    if (offset >= total) {
      // Everything is held but the whole was not handed over (the server failed at that point): ask again.
      const again = await send({ headers: { ...common, 'content-range': `bytes */${total}`, 'content-length': '0' }, last: true });
      if (again.status !== 202 || ++stalls > 3) return again;
      offset = progressOf(again)?.received ?? 0;
      continue;
    }
    const end = Math.min(total, offset + chunk) - 1;
    const res = await send({ body: bytes.subarray(offset, end + 1), headers: { ...common, 'content-range': `bytes ${offset}-${end}/${total}` }, last: end === total - 1 });
    const p = progressOf(res);
    if (res.status === 202 && p) {
      offset = p.received;
      o.onChunk?.(offset, total);
      continue;
    }
    if (res.status === 409 && p && /upload-offset/.test(res.body.toString('utf8')) && ++stalls <= 3) {
      offset = p.received;
      continue;
    }
    return res;
  }
}
