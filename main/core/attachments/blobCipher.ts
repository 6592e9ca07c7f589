// Attachments at rest: a chunked AES-256-GCM stream (the STREAM construction of Hoang, Reyhanitabar,
// Rogaway and Vizár). Each 64 KiB chunk has its own tag; the nonce carries the chunk counter and a
// final-chunk flag, so reordering, dropping or truncating chunks fails authentication, and a chunk can
// be decrypted on its own (range reads for the viewer) without decrypting the file before it.
//
// File layout:  magic (8) | salt (16) | chunk size u32 BE | chunks: ciphertext (<= chunk size) | tag (16)
// Key per blob: HKDF-SHA256(data key, salt, "securedesk/blob/v1"), so one data key never encrypts two
// blobs with the same (key, nonce), and nothing else has to be stored per blob.
//
// Format 2 ("SDBLOB02") binds a blob to its place: every chunk's additional authenticated data is the
// header followed by a binding, the SHA-256 of the plaintext for a stored blob ("blob" | hash) or the
// staging id for a staged file ("stage" | id). A file moved to another hash's place fails on its first
// chunk, before any byte is released. Format 1 ("SDBLOB01", no binding) is still read; the store
// checks such a blob against its hash in full before serving it and rewrites it in format 2.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

export const BLOB_MAGIC_V1 = Buffer.from('SDBLOB01');
export const BLOB_MAGIC = Buffer.from('SDBLOB02');
export type BlobFormat = 1 | 2;
export const CHUNK_SIZE = 64 * 1024;
const SALT_LEN = 16;
const TAG_LEN = 16;
export const HEADER_LEN = BLOB_MAGIC.length + SALT_LEN + 4;

export class BlobIntegrityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BlobIntegrityError';
  }
}

/** The binding of a stored blob: the SHA-256 (hex) of its plaintext. */
export function blobBinding(sha256Hex: string): Buffer {
  if (!/^[0-9a-f]{64}$/.test(sha256Hex)) throw new Error('invalid blob hash');
  return Buffer.concat([Buffer.from('blob'), Buffer.from(sha256Hex, 'hex')]);
}

/** The binding of a staged file: its staging id (32 hex). */
export function stagedBinding(stagedId: string): Buffer {
  if (!/^[0-9a-f]{32}$/.test(stagedId)) throw new Error('invalid staging id');
  return Buffer.concat([Buffer.from('stage'), Buffer.from(stagedId, 'hex')]);
}

function blobKey(dataKey: Buffer, salt: Buffer): Buffer {
  if (dataKey.length !== 32) throw new Error('data key must be 32 bytes');
  return Buffer.from(hkdfSync('sha256', dataKey, salt, 'securedesk/blob/v1', 32));
}

function nonce(index: number, last: boolean): Buffer {
  const n = Buffer.alloc(12);
  n.writeUInt32BE(Math.floor(index / 2 ** 32), 3);
  n.writeUInt32BE(index >>> 0, 7);
  n[11] = last ? 1 : 0;
  return n;
}

/** aad: null for format 1. */
function sealChunk(key: Buffer, aad: Buffer | null, index: number, last: boolean, plain: Buffer): Buffer[] {
  const c = createCipheriv('aes-256-gcm', key, nonce(index, last));
  if (aad) c.setAAD(aad);
  const body = c.update(plain);
  c.final();
  return [body, c.getAuthTag()];
}

function openChunk(key: Buffer, aad: Buffer | null, index: number, last: boolean, sealed: Buffer): Buffer {
  if (sealed.length < TAG_LEN) throw new BlobIntegrityError('truncated chunk');
  const d = createDecipheriv('aes-256-gcm', key, nonce(index, last));
  if (aad) d.setAAD(aad);
  d.setAuthTag(sealed.subarray(sealed.length - TAG_LEN));
  const out = d.update(sealed.subarray(0, sealed.length - TAG_LEN));
  try {
    d.final();
  } catch {
    // In format 2 the first chunk of a file moved from another place fails here.
    throw new BlobIntegrityError(
      index === 0 && aad ? 'chunk 0 failed authentication: the file was changed, or does not belong under this content hash' : `chunk ${index} failed authentication`,
    );
  }
  return out;
}

/** Encrypts a plaintext stream into format 2, bound to `binding`, in constant memory. */
export function encryptBlobStream(dataKey: Buffer, binding: Buffer): Transform {
  const salt = randomBytes(SALT_LEN);
  const key = blobKey(dataKey, salt);
  const h = Buffer.alloc(HEADER_LEN);
  BLOB_MAGIC.copy(h, 0);
  salt.copy(h, BLOB_MAGIC.length);
  h.writeUInt32BE(CHUNK_SIZE, BLOB_MAGIC.length + SALT_LEN);
  const aad = Buffer.concat([h, binding]);
  let pending: Buffer = Buffer.alloc(0);
  let index = 0;
  let headerSent = false;
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      if (!headerSent) { this.push(h); headerSent = true; }
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      // Keep at least one byte back: only the final chunk may be sealed as "last".
      while (pending.length > CHUNK_SIZE) {
        for (const part of sealChunk(key, aad, index++, false, pending.subarray(0, CHUNK_SIZE))) this.push(part);
        pending = pending.subarray(CHUNK_SIZE);
      }
      cb();
    },
    flush(cb: TransformCallback) {
      if (!headerSent) this.push(h);
      for (const part of sealChunk(key, aad, index, true, pending)) this.push(part);
      cb();
    },
  });
}

/** The same format as encryptBlobStream for a plaintext already in memory (small files placed in bulk). */
export function encryptBlobBuffer(dataKey: Buffer, binding: Buffer, plain: Buffer): Buffer {
  const salt = randomBytes(SALT_LEN);
  const key = blobKey(dataKey, salt);
  const h = Buffer.alloc(HEADER_LEN);
  BLOB_MAGIC.copy(h, 0);
  salt.copy(h, BLOB_MAGIC.length);
  h.writeUInt32BE(CHUNK_SIZE, BLOB_MAGIC.length + SALT_LEN);
  const aad = Buffer.concat([h, binding]);
  const parts: Buffer[] = [h];
  let index = 0;
  let at = 0;
  // As the stream does: full chunks while more than one chunk remains, the rest (possibly empty) as the last.
  while (plain.length - at > CHUNK_SIZE) {
    parts.push(...sealChunk(key, aad, index++, false, plain.subarray(at, at + CHUNK_SIZE)));
    at += CHUNK_SIZE;
  }
  parts.push(...sealChunk(key, aad, index, true, plain.subarray(at)));
  return Buffer.concat(parts);
}

/**
 * Decrypts either format; errors with BlobIntegrityError on any tampering, truncation or (format 2)
 * a binding that differs. `onFormat` learns the format from the header, before any output.
 */
export function decryptBlobStream(dataKey: Buffer, binding: Buffer, onFormat?: (format: BlobFormat) => void): Transform {
  let key: Buffer | undefined;
  let aad: Buffer | null = null;
  let chunkSize = 0;
  let buf: Buffer = Buffer.alloc(0);
  let index = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      try {
        if (!key) {
          if (buf.length < HEADER_LEN) return cb();
          const head = parseHeader(dataKey, buf);
          ({ key, chunkSize } = head);
          aad = head.format === 2 ? Buffer.concat([buf.subarray(0, HEADER_LEN), binding]) : null;
          onFormat?.(head.format);
          buf = buf.subarray(HEADER_LEN);
        }
        // A sealed chunk is chunkSize + tag; hold the last full one back until we know it is not final.
        const sealed = chunkSize + TAG_LEN;
        while (buf.length > sealed) {
          this.push(openChunk(key, aad, index++, false, buf.subarray(0, sealed)));
          buf = buf.subarray(sealed);
        }
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
    flush(cb: TransformCallback) {
      try {
        if (!key) throw new BlobIntegrityError('truncated header');
        this.push(openChunk(key, aad, index, true, buf));
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
  });
}

/** The format of a blob file from its first 8 bytes; null when it is not an encrypted blob. */
export function blobFormatOf(head: Buffer): BlobFormat | null {
  if (head.subarray(0, BLOB_MAGIC.length).equals(BLOB_MAGIC)) return 2;
  if (head.subarray(0, BLOB_MAGIC_V1.length).equals(BLOB_MAGIC_V1)) return 1;
  return null;
}

function parseHeader(dataKey: Buffer, head: Buffer): { key: Buffer; chunkSize: number; format: BlobFormat } {
  const format = blobFormatOf(head);
  if (!format) throw new BlobIntegrityError('not an encrypted blob');
  const salt = head.subarray(BLOB_MAGIC.length, BLOB_MAGIC.length + SALT_LEN);
  const chunkSize = head.readUInt32BE(BLOB_MAGIC.length + SALT_LEN);
  if (chunkSize < 1024 || chunkSize > 16 * 1024 * 1024) throw new BlobIntegrityError('bad chunk size');
  return { key: blobKey(dataKey, Buffer.from(salt)), chunkSize, format };
}

/** Plaintext size of a blob file of `fileSize` bytes (for Content-Length without decrypting). */
export function plaintextSize(fileSize: number, chunkSize = CHUNK_SIZE): number {
  const body = fileSize - HEADER_LEN;
  const sealed = chunkSize + TAG_LEN;
  const full = Math.floor(Math.max(0, body - 1) / sealed);
  return full * chunkSize + (body - full * sealed - TAG_LEN);
}

const SEAL_MAGIC = Buffer.from('SDSEAL01');

/**
 * One-shot AES-256-GCM for small records (staging metadata, drafts): magic | salt | nonce | ciphertext | tag.
 * `aad` binds the record to its place (a draft to its person and form): opened elsewhere, it fails.
 */
export function sealSmall(dataKey: Buffer, plain: Buffer, aad?: Buffer): Buffer {
  const salt = randomBytes(SALT_LEN);
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', blobKey(dataKey, salt), iv);
  if (aad) c.setAAD(aad);
  const body = Buffer.concat([c.update(plain), c.final()]);
  return Buffer.concat([SEAL_MAGIC, salt, iv, body, c.getAuthTag()]);
}

export function openSmall(dataKey: Buffer, sealed: Buffer, aad?: Buffer): Buffer {
  const min = SEAL_MAGIC.length + SALT_LEN + 12 + TAG_LEN;
  if (sealed.length < min || !sealed.subarray(0, SEAL_MAGIC.length).equals(SEAL_MAGIC)) throw new BlobIntegrityError('not a sealed record');
  const salt = sealed.subarray(SEAL_MAGIC.length, SEAL_MAGIC.length + SALT_LEN);
  const iv = sealed.subarray(SEAL_MAGIC.length + SALT_LEN, SEAL_MAGIC.length + SALT_LEN + 12);
  const d = createDecipheriv('aes-256-gcm', blobKey(dataKey, Buffer.from(salt)), iv);
  if (aad) d.setAAD(aad);
  d.setAuthTag(sealed.subarray(sealed.length - TAG_LEN));
  try {
    return Buffer.concat([d.update(sealed.subarray(SEAL_MAGIC.length + SALT_LEN + 12, sealed.length - TAG_LEN)), d.final()]);
  } catch {
    throw new BlobIntegrityError('sealed record failed authentication');
  }
}

/** True when a file starts like an encrypted blob (used to find plaintext left by older versions). */
export const isEncryptedBlobHead = (head: Buffer): boolean => blobFormatOf(head) !== null;
