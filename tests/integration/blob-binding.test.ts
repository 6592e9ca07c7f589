// A stored file is bound to the hash it is stored under: every chunk's GCM tag covers that SHA-256,
// so a blob moved to another document's place (swapped on disk) fails on its first chunk and not a
// byte of the other document is served. Blobs written by the previous format (SDBLOB01, unbound)
// stay readable: they are checked against their hash in full before a byte is served, and
// re-encrypted in the bound format on that first read.
import assert from 'node:assert/strict';
import { createCipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { BlobIntegrityError } from '../../main/core/attachments/blobCipher';
import { newDesk, registration } from '../helpers/desk';

let env: Awaited<ReturnType<typeof newDesk>>;
before(async () => {
  env = await newDesk('state');
});
after(() => env.cleanup());

/** The documents here are Thường: their blobs live in that compartment's store, under its level key. */
const store = () => env.desk.context().storeFor('thuong');

/** Reads a stream to its end or its error, keeping every byte that came out before the error. */
async function drain(stream: Readable): Promise<{ bytes: Buffer; error: unknown }> {
  const parts: Buffer[] = [];
  try {
    for await (const c of stream) parts.push(c as Buffer);
    return { bytes: Buffer.concat(parts), error: null };
  } catch (error) {
    return { bytes: Buffer.concat(parts), error };
  }
}

async function registerOne(subject: string): Promise<{ id: number; sha256: string; attachmentId: number; plain: Buffer }> {
  const input = await registration(env.desk, env.admin, { subject });
  const r = await env.desk.incoming.register(env.admin, input);
  const a = env.desk.incoming.get(env.admin, r.id).attachments[0]!;
  const plain = (await drain(store().openBlob(a.sha256))).bytes;
  assert.equal(createHash('sha256').update(plain).digest('hex'), a.sha256);
  return { id: r.id, sha256: a.sha256, attachmentId: a.id, plain };
}

test('swapping two encrypted attachment files on disk: opening either fails, nothing of the other is served', async () => {
  const one = await registerOne('Văn bản thứ nhất về việc kiểm tra');
  const two = await registerOne('Văn bản thứ hai về việc tổng kết');
  const p1 = store().blobPath(one.sha256);
  const p2 = store().blobPath(two.sha256);
  renameSync(p1, `${p1}.x`);
  renameSync(p2, p1);
  renameSync(`${p1}.x`, p2);

  for (const [doc, other] of [[one, two], [two, one]] as const) {
    const { bytes, error } = await drain(store().openBlob(doc.sha256));
    assert.ok(error instanceof BlobIntegrityError, `a BlobIntegrityError, got ${String(error)}`);
    assert.match((error as Error).message, /does not belong under this content hash|failed authentication/);
    assert.equal(bytes.length, 0, 'not a byte served');
    assert.ok(!bytes.includes(other.plain.subarray(0, 64)));
    // The viewer's stream breaks off before its first byte (the viewer then says the file may be damaged or changed).
    const t = env.desk.attachments.open(env.admin, doc.attachmentId);
    const opened = await env.desk.attachments.openTicket(t.ticket);
    assert.ok(opened);
    const viewed = await drain(opened.stream);
    assert.ok(viewed.error instanceof BlobIntegrityError);
    assert.equal(viewed.bytes.length, 0);
  }
  // Put back, both read again.
  renameSync(p1, `${p1}.x`);
  renameSync(p2, p1);
  renameSync(`${p1}.x`, p2);
  assert.deepEqual((await drain(store().openBlob(one.sha256))).bytes, one.plain);
});

/** The previous format, written independently of the code under test: SDBLOB01, chunks without AAD. */
function sealV1(dataKey: Buffer, plain: Buffer): Buffer {
  const salt = randomBytes(16);
  const key = Buffer.from(hkdfSync('sha256', dataKey, salt, 'securedesk/blob/v1', 32));
  const head = Buffer.alloc(28);
  head.write('SDBLOB01', 0, 'latin1');
  salt.copy(head, 8);
  head.writeUInt32BE(65536, 24);
  const out = [head];
  const count = Math.max(1, Math.ceil(plain.length / 65536));
  for (let i = 0; i < count; i++) {
    const nonce = Buffer.alloc(12);
    nonce.writeUInt32BE(i, 7);
    nonce[11] = i === count - 1 ? 1 : 0;
    const c = createCipheriv('aes-256-gcm', key, nonce);
    out.push(c.update(plain.subarray(i * 65536, (i + 1) * 65536)), c.final(), c.getAuthTag());
  }
  return Buffer.concat(out);
}

test('a blob in the previous format is read after a full hash check, then rewritten bound to its hash', async () => {
  const doc = await registerOne('Văn bản lưu theo định dạng cũ');
  const path = store().blobPath(doc.sha256);
  const dataKey = (store() as unknown as { dataKey: Buffer }).dataKey;
  writeFileSync(path, sealV1(dataKey, doc.plain));
  assert.equal(readFileSync(path).subarray(0, 8).toString('latin1'), 'SDBLOB01');
  assert.deepEqual((await drain(store().openBlob(doc.sha256))).bytes, doc.plain);
  assert.equal(readFileSync(path).subarray(0, 8).toString('latin1'), 'SDBLOB02', 'upgraded on first read');
  assert.deepEqual((await drain(store().openBlob(doc.sha256))).bytes, doc.plain);

  // An old-format blob of another document put in its place: refused before any byte, left as it was.
  const other = await registerOne('Một văn bản khác theo định dạng cũ');
  const planted = sealV1(dataKey, other.plain);
  writeFileSync(path, planted);
  const { bytes, error } = await drain(store().openBlob(doc.sha256));
  assert.ok(error instanceof BlobIntegrityError, String(error));
  assert.match((error as Error).message, /does not belong under this content hash/);
  assert.equal(bytes.length, 0);
  assert.deepEqual(readFileSync(path), planted, 'a blob that fails its check is not rewritten');
});
