// Resumable uploads, the server's side (the client's: main/core/sync/resumableUpload.ts), shared by
// the agency server's routes (packets, files) and the hub's (packets). A PUT that carries
// `Content-Range` is one chunk of a staged upload, or (`bytes */total`, no body) the question how many
// bytes are held. Chunks are staged per authenticated client (its workstation, or its agency on the
// hub): another client can neither see nor continue nor complete them. A chunk must start exactly at
// the offset held (no gap, no overlap) and end within the announced total; each is committed with the
// new offset. When the last byte arrives the whole is checked against the announced size and SHA-256
// and only then handed to the route as if it had come in one request; an upload the route already
// holds answers at once with the route's answer (the same upload again after completion is no
// duplicate).
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { UPLOAD_OFFSET_HEADER, UPLOAD_SHA_HEADER } from '../main/core/sync/resumableUpload';
import { HttpError } from './http';
import { readBody } from './limits';
import { TooManyUploads, UploadOffsetConflict, type UploadStore } from './storage/uploadStore';

export interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface UploadTarget {
  /** Who uploads: staged uploads are this client's alone. */
  owner: string;
  /** What is uploaded (a route and its name), unique for the owner. */
  key: string;
  /** The largest whole the route takes. */
  maxBytes: number;
  /** The route's answer when it already holds this upload (by its announced SHA-256), else null. */
  done(sha256: string): Promise<Answer | null>;
  /** Hands the verified whole to the route (as a one-request PUT would have). */
  complete(bytes: Buffer, sha256: string): Promise<Answer>;
}

export interface UploadLimits {
  uploadChunkBytes: number;
  uploadTtlHours: number;
  uploadsPerClient: number;
}

const SHA = /^[0-9a-f]{64}$/;

/** Whether the request is part of a resumable upload (else the route reads its body whole). */
export const isResumable = (req: IncomingMessage): boolean => req.headers['content-range'] !== undefined;

/** Handles one request of a resumable upload: a question for the offset, or a chunk. */
export async function resumableUpload(req: IncomingMessage, uploads: UploadStore, t: UploadTarget, L: UploadLimits, now: Date): Promise<Answer> {
  const range = String(req.headers['content-range'] ?? '');
  const ask = /^bytes \*\/(\d{1,15})$/.exec(range);
  const part = /^bytes (\d{1,15})-(\d{1,15})\/(\d{1,15})$/.exec(range);
  if (!ask && !part) throw new HttpError(416, 'range', 'Content-Range: bytes start-end/total, or bytes */total to ask for the offset');
  const total = Number((ask ?? part)![ask ? 1 : 3]);
  const sha256 = String(req.headers[UPLOAD_SHA_HEADER] ?? '');
  if (!SHA.test(sha256)) throw new HttpError(400, 'bad-request', `${UPLOAD_SHA_HEADER} names the whole upload's SHA-256 (hex)`);
  if (total < 1) throw new HttpError(400, 'bad-request', 'an empty upload');
  if (total > t.maxBytes) throw new HttpError(413, 'too-large', `an upload of ${total} bytes exceeds ${t.maxBytes}`, { connection: 'close' });
  const progress = (received: number): Answer => ({ status: 202, body: { received, total }, headers: { [UPLOAD_OFFSET_HEADER]: String(received) } });
  const conflict = (received: number, message: string): Answer => ({
    status: 409, body: { error: 'upload-offset', message, received, total }, headers: { [UPLOAD_OFFSET_HEADER]: String(received) },
  });

  if (ask) {
    await readBody(req, 0);
    const held = await t.done(sha256);
    if (held) return held;
    let staged = await uploads.state(t.owner, t.key);
    if (staged && (staged.total !== total || staged.sha256 !== sha256)) {
      // The owner's own staged upload of other bytes under this key: this one starts afresh.
      await uploads.drop(staged.id);
      staged = null;
    }
    if (staged && staged.received === staged.total) return finish(uploads, t, staged.id, total, sha256);
    return progress(staged?.received ?? 0);
  }

  const start = Number(part![1]);
  const end = Number(part![2]);
  if (end < start || end >= total)
    throw new HttpError(416, 'range', `bytes ${start}-${end} are not within an upload of ${total}`, { 'content-range': `bytes */${total}` });
  const length = end - start + 1;
  if (length > L.uploadChunkBytes) throw new HttpError(413, 'too-large', `a chunk of ${length} bytes exceeds ${L.uploadChunkBytes}`, { connection: 'close' });
  const held = await t.done(sha256);
  if (held) {
    req.resume();
    return held;
  }
  const bytes = await readBody(req, length);
  if (bytes.length !== length) throw new HttpError(400, 'bad-request', `the body has ${bytes.length} bytes, the range ${length}`);
  let received: number;
  try {
    received = await uploads.append({
      owner: t.owner, key: t.key, total, sha256, start, bytes, now, expireBefore: new Date(now.getTime() - L.uploadTtlHours * 3_600_000), maxPerOwner: L.uploadsPerClient,
    });
  } catch (e) {
    if (e instanceof UploadOffsetConflict) return conflict(e.received, e.message);
    if (e instanceof TooManyUploads) throw new HttpError(429, 'rate-limited', e.message);
    throw e;
  }
  if (received < total) return progress(received);
  const staged = await uploads.state(t.owner, t.key);
  if (!staged) throw new HttpError(409, 'conflict', 'the upload was completed or dropped meanwhile: ask for its state');
  return finish(uploads, t, staged.id, total, sha256);
}

/** Checks the whole against what was announced and hands it over; a refusal drops it (nothing is visible). */
async function finish(uploads: UploadStore, t: UploadTarget, id: string, total: number, sha256: string): Promise<Answer> {
  const bytes = await uploads.assemble(id);
  if (bytes.length !== total || createHash('sha256').update(bytes).digest('hex') !== sha256) {
    await uploads.drop(id);
    throw new HttpError(400, 'upload-digest', `the ${bytes.length} bytes received do not match the announced size (${total}) and SHA-256: the upload is dropped`);
  }
  let answer: Answer;
  try {
    answer = await t.complete(bytes, sha256);
  } catch (e) {
    // A refusal of the content is final: the staged bytes go. A failure of the server keeps them for the retry.
    if (e instanceof HttpError && e.status < 500 && e.status !== 429) await uploads.drop(id);
    throw e;
  }
  await uploads.drop(id);
  return answer;
}
