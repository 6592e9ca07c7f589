import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { test } from 'node:test';
import { BlobIntegrityError, CHUNK_SIZE, HEADER_LEN, blobBinding, decryptBlobStream, encryptBlobStream, openSmall, plaintextSize, sealSmall, stagedBinding } from '../../main/core/attachments/blobCipher';

const key = randomBytes(32);
const binding = blobBinding('ab'.repeat(32));
const enc = (plain: Buffer, k: Buffer = key, b: Buffer = binding) => buffer(Readable.from([plain]).pipe(encryptBlobStream(k, b)));
const dec = (sealed: Buffer, k: Buffer = key, b: Buffer = binding) => buffer(Readable.from([sealed]).pipe(decryptBlobStream(k, b)));
// Feed in awkward pieces to exercise the buffering.
const decPieces = (sealed: Buffer) => {
  const parts: Buffer[] = [];
  for (let i = 0; i < sealed.length; i += 7777) parts.push(sealed.subarray(i, i + 7777));
  return buffer(Readable.from(parts).pipe(decryptBlobStream(key, binding)));
};

test('round-trips sizes around chunk boundaries, with the exact plaintext size known', async () => {
  for (const size of [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE, 3 * CHUNK_SIZE + 123]) {
    const plain = randomBytes(size);
    const sealed = await enc(plain);
    assert.ok(!sealed.includes(plain.subarray(0, Math.min(64, size))) || size < 8, 'ciphertext does not contain the plaintext');
    assert.deepEqual(await dec(sealed), plain, `size ${size}`);
    assert.deepEqual(await decPieces(sealed), plain, `size ${size} in pieces`);
    assert.equal(plaintextSize(sealed.length), size, `plaintextSize for ${size}`);
  }
});

test('the same plaintext encrypts differently each time (fresh salt)', async () => {
  const plain = Buffer.from('Tài liệu mật: cùng nội dung');
  assert.notDeepEqual(await enc(plain), await enc(plain));
});

test('tampering, truncation, dropped or reordered chunks and a wrong key all fail', async () => {
  const plain = randomBytes(3 * CHUNK_SIZE + 10);
  const sealed = await enc(plain);
  const sealedChunk = CHUNK_SIZE + 16;
  const flip = Buffer.from(sealed);
  flip.writeUInt8(flip.readUInt8(HEADER_LEN + 100) ^ 1, HEADER_LEN + 100);
  const cases: Array<[string, Buffer, Buffer?]> = [
    ['flipped byte', flip],
    ['truncated at a chunk boundary', sealed.subarray(0, HEADER_LEN + 2 * sealedChunk)],
    ['truncated mid-chunk', sealed.subarray(0, sealed.length - 5)],
    ['dropped middle chunk', Buffer.concat([sealed.subarray(0, HEADER_LEN + sealedChunk), sealed.subarray(HEADER_LEN + 2 * sealedChunk)])],
    ['swapped chunks', Buffer.concat([sealed.subarray(0, HEADER_LEN), sealed.subarray(HEADER_LEN + sealedChunk, HEADER_LEN + 2 * sealedChunk), sealed.subarray(HEADER_LEN, HEADER_LEN + sealedChunk), sealed.subarray(HEADER_LEN + 2 * sealedChunk)])],
    ['header only', sealed.subarray(0, HEADER_LEN)],
    ['not a blob', Buffer.from('%PDF-1.7 plain file')],
    ['wrong key', sealed, randomBytes(32)],
  ];
  for (const [name, bytes, k] of cases) {
    await assert.rejects(dec(bytes, k), BlobIntegrityError, name);
  }
});

test('format 2 binds every chunk to its place: another hash or a staging id fails on the first chunk, with no output', async () => {
  const plain = randomBytes(3 * CHUNK_SIZE + 10);
  const sealed = await enc(plain);
  assert.equal(sealed.subarray(0, 8).toString('latin1'), 'SDBLOB02');
  for (const other of [blobBinding('cd'.repeat(32)), stagedBinding('ab'.repeat(16)), Buffer.alloc(0)]) {
    const out: Buffer[] = [];
    const stream = Readable.from([sealed]).pipe(decryptBlobStream(key, other));
    stream.on('data', (c: Buffer) => out.push(c));
    await assert.rejects(new Promise((ok, fail) => { stream.on('end', ok); stream.on('error', fail); }), /chunk 0 failed authentication: .*does not belong under this content hash/);
    assert.equal(out.length, 0);
  }
  // A header rewritten to claim format 1 (no binding) does not pass either.
  const downgraded = Buffer.from(sealed);
  downgraded.write('SDBLOB01', 0, 'latin1');
  await assert.rejects(dec(downgraded), BlobIntegrityError);
});

test('a small sealed record bound to its place (a draft to its person and form) opens only there', () => {
  const plain = Buffer.from('{"subject":"Kế hoạch di chuyển sở chỉ huy dự bị"}');
  const aad = Buffer.from('securedesk/draft/v1|3|incoming.register');
  const sealed = sealSmall(key, plain, aad);
  assert.ok(openSmall(key, sealed, aad).equals(plain));
  assert.throws(() => openSmall(key, sealed, Buffer.from('securedesk/draft/v1|4|incoming.register')), BlobIntegrityError, 'another person');
  assert.throws(() => openSmall(key, sealed), BlobIntegrityError, 'unbound');
  assert.throws(() => openSmall(randomBytes(32), sealed, aad), BlobIntegrityError, 'another key');
  // Unbound records (staging metadata) read as before.
  assert.ok(openSmall(key, sealSmall(key, plain)).equals(plain));
});
