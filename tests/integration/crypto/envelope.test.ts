// Our own encryption and decryption beyond interop: sizes at piece boundaries, odd input
// chunking, keys that only do OAEP-SHA1 (like SoftHSM), recipient checks, errors from the key,
// garbage and fuzzed headers, and files left behind (none).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { decryptFile, decryptToFile, encryptFile, encryptStream } from '../../../main/core/crypto/envelope';
import { CryptoError, type CryptoErrorCode } from '../../../main/core/crypto/errors';
import type { PrivateKeyOps } from '../../../main/core/crypto/keyOps';
import { openssl, standardPki, type Party, type TestPki } from '../../helpers/pki';
import { softKey } from '../../helpers/softKey';

let pki: TestPki & { root: Party; inter: Party };
let dir: string;
let n = 0;
const fresh = (ext = '') => join(dir, `e${++n}${ext}`);
const p = (name: string) => pki.get(name);
const keyOf = (name: string) => softKey(p(name).certDer, p(name).keyPem);
const outDir = () => {
  const d = fresh('.out');
  mkdirSync(d);
  return d;
};

before(async () => {
  pki = await standardPki();
  dir = pki.dir;
  await pki.generateKeys({ signOnly: 'rsa2048' });
  pki.issue('signOnly', { subject: '/C=VN/CN=Chỉ ký số', issuer: pki.inter, keyUsage: 'digitalSignature, nonRepudiation' });
});
after(() => pki.cleanup());

async function rejectsWith(promise: Promise<unknown>, code: CryptoErrorCode): Promise<CryptoError> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof CryptoError, `expected CryptoError ${code}, got ${e instanceof Error ? e.stack : String(e)}`);
    assert.equal(e.code, code, e.message);
    return e;
  }
  assert.fail(`expected ${code}`);
}

/** Feeds a file in random-sized chunks (1 byte to 10 KB), to exercise every split point. */
async function* jittered(file: string): AsyncGenerator<Buffer> {
  const b = readFileSync(file);
  for (let off = 0; off < b.length; ) {
    const len = 1 + Math.floor(Math.random() * (Math.random() < 0.3 ? 16 : 10_000));
    yield b.subarray(off, off + len);
    off += len;
  }
}

describe('round trips', () => {
  for (const size of [0, 1, 65_535, 65_536, 65_537, 3 * 1024 * 1024 + 7]) {
    test(`${size} bytes, input in odd chunks, output read back in odd chunks`, async () => {
      const plain = randomBytes(size);
      const enc = fresh('.p7m');
      const chunks = (async function* () {
        for (let off = 0; off < plain.length; off += 1000 + (off % 7919)) yield plain.subarray(off, off + 1000 + (off % 7919));
      })();
      const r = await encryptStream(chunks, createWriteStream(enc), { recipients: [p('alice').certDer] });
      assert.equal(r.plaintextBytes, size);
      const d = outDir();
      const res = await decryptToFile(jittered(enc), join(d, 'p'), { key: keyOf('alice') });
      assert.equal(res.plaintextBytes, size);
      assert.ok(readFileSync(join(d, 'p')).equals(plain));
      // openssl reads it too
      const o = fresh();
      openssl(['cms', '-decrypt', '-binary', '-inform', 'DER', '-in', enc, '-out', o, '-recip', p('alice').certPath, '-inkey', p('alice').keyPath]);
      assert.ok(readFileSync(o).equals(plain));
    });
  }

  test('each encryption uses a fresh key and nonce', async () => {
    const src = fresh();
    writeFileSync(src, 'giống nhau');
    const a = fresh('.p7m');
    const b = fresh('.p7m');
    await encryptFile(src, a, { recipients: [p('alice').certDer] });
    await encryptFile(src, b, { recipients: [p('alice').certDer] });
    assert.notDeepEqual(readFileSync(a), readFileSync(b));
  });

  test('the destination is replaced atomically on success and untouched on failure', async () => {
    const src = fresh();
    writeFileSync(src, randomBytes(200_000));
    const enc = fresh('.p7m');
    await encryptFile(src, enc, { recipients: [p('alice').certDer] });
    const d = outDir();
    const dest = join(d, 'tai-lieu.pdf');
    writeFileSync(dest, 'bản cũ');
    const bad = Buffer.from(readFileSync(enc));
    bad[bad.length - 12]! ^= 1;
    const badPath = fresh('.p7m');
    writeFileSync(badPath, bad);
    await rejectsWith(decryptFile(badPath, dest, { key: keyOf('alice') }), 'TAMPERED');
    assert.equal(readFileSync(dest, 'utf8'), 'bản cũ');
    assert.deepEqual(readdirSync(d), ['tai-lieu.pdf']);
    await decryptFile(enc, dest, { key: keyOf('alice') });
    assert.ok(readFileSync(dest).equals(readFileSync(src)));
    assert.deepEqual(readdirSync(d), ['tai-lieu.pdf']);
  });
});

describe('key transport choices', () => {
  test('a key that only does OAEP-SHA1 (like SoftHSM): SHA-256 is UNSUPPORTED before the key is used; SHA-1 works', async () => {
    const src = fresh();
    writeFileSync(src, 'mật');
    const sha1Only = softKey(p('bob').certDer, p('bob').keyPem, { oaepHashes: ['SHA-1'] });
    const enc256 = fresh('.p7m');
    await encryptFile(src, enc256, { recipients: [p('bob').certDer] });
    const e = await rejectsWith(decryptFile(enc256, join(outDir(), 'p'), { key: sha1Only }), 'UNSUPPORTED_ALGORITHM');
    assert.match(e.message, /RSA-OAEP \(SHA-256, MGF1-SHA-256\)/);
    assert.equal(sha1Only.log.length, 0);
    const enc1 = fresh('.p7m');
    await encryptFile(src, enc1, { recipients: [p('alice').certDer, { certificate: p('bob').certDer, oaepHash: 'SHA-1' }] });
    const d = outDir();
    await decryptFile(enc1, join(d, 'p'), { key: sha1Only });
    assert.equal(readFileSync(join(d, 'p'), 'utf8'), 'mật');
    assert.deepEqual(sha1Only.log, [{ op: 'unwrap', alg: { kind: 'RSA-OAEP', hash: 'SHA-1', mgfHash: 'SHA-1' } }]);
  });

  test('OAEP SHA-384 and SHA-512 parameters are written and honoured', async () => {
    const src = fresh();
    writeFileSync(src, 'x');
    for (const h of ['SHA-384', 'SHA-512'] as const) {
      const enc = fresh('.p7m');
      await encryptFile(src, enc, { recipients: [{ certificate: p('alice').certDer, oaepHash: h }] });
      const key = keyOf('alice');
      const r = await decryptFile(enc, join(outDir(), 'p'), { key });
      assert.equal(r.keyTransport, `RSA-OAEP (${h}, MGF1-${h})`);
      const o = fresh();
      openssl(['cms', '-decrypt', '-binary', '-inform', 'DER', '-in', enc, '-out', o, '-recip', p('alice').certPath, '-inkey', p('alice').keyPath]);
    }
  });

  test('unsuitable recipients are refused: EC key, no keyEncipherment, none at all', async () => {
    const src = fresh();
    writeFileSync(src, 'x');
    await rejectsWith(encryptFile(src, fresh('.p7m'), { recipients: [p('ec256').certDer] }), 'UNSUITABLE_CERTIFICATE');
    await rejectsWith(encryptFile(src, fresh('.p7m'), { recipients: [p('alice').certDer, p('signOnly').certDer] }), 'UNSUITABLE_CERTIFICATE');
    await rejectsWith(encryptFile(src, fresh('.p7m'), { recipients: [] }), 'UNSUITABLE_CERTIFICATE');
    await rejectsWith(encryptFile(src, fresh('.p7m'), { recipients: [Buffer.from('rác')] }), 'MALFORMED_CERTIFICATE');
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.part')), []);
  });

  test('errors from the key (a token error) pass through unchanged, and nothing is written', async () => {
    class TokenError extends Error {
      code = 'PIN_LOCKED';
    }
    const src = fresh();
    writeFileSync(src, 'x');
    const enc = fresh('.p7m');
    await encryptFile(src, enc, { recipients: [p('alice').certDer] });
    const locked: PrivateKeyOps = { certificate: p('alice').certDer, sign: async () => new Uint8Array(), unwrapKey: async () => { throw new TokenError('token PIN is locked'); } };
    const d = outDir();
    await assert.rejects(decryptFile(enc, join(d, 'p'), { key: locked }), (e: unknown) => e instanceof TokenError && e.code === 'PIN_LOCKED');
    assert.deepEqual(readdirSync(d), []);
    // A key that returns something that is not a 32-byte AES key
    const short: PrivateKeyOps = { ...locked, unwrapKey: async () => new Uint8Array(16) };
    await rejectsWith(decryptFile(enc, join(d, 'p'), { key: short }), 'TAMPERED');
    assert.deepEqual(readdirSync(d), []);
  });
});

describe('bad input', () => {
  test('garbage, a signature, and trailing data are MALFORMED_ENVELOPE', async () => {
    const d = outDir();
    for (const bytes of [Buffer.from('không phải CMS'), randomBytes(5000), Buffer.from([0x30, 0x80, 0x06, 0x03, 0x2a, 0x03, 0x04, 0xa0, 0x80])]) {
      const f = fresh('.p7m');
      writeFileSync(f, bytes);
      const e = await decryptFile(f, join(d, 'p'), { key: keyOf('alice') }).then(() => null, (err: unknown) => err);
      assert.ok(e instanceof CryptoError && ['MALFORMED_ENVELOPE', 'TRUNCATED'].includes(e.code), String(e));
    }
    const sig = fresh('.p7s');
    openssl(['cms', '-sign', '-binary', '-outform', 'DER', '-in', p('alice').certPath, '-out', sig, '-signer', p('alice').certPath, '-inkey', p('alice').keyPath]);
    const e = await rejectsWith(decryptFile(sig, join(d, 'p'), { key: keyOf('alice') }), 'MALFORMED_ENVELOPE');
    assert.match(e.messageVi, /chữ ký số/);
    const src = fresh();
    writeFileSync(src, 'x');
    const enc = fresh('.p7m');
    await encryptFile(src, enc, { recipients: [p('alice').certDer] });
    const trailing = fresh('.p7m');
    writeFileSync(trailing, Buffer.concat([readFileSync(enc), Buffer.from('thêm')]));
    await rejectsWith(decryptFile(trailing, join(d, 'p'), { key: keyOf('alice') }), 'MALFORMED_ENVELOPE');
    assert.deepEqual(readdirSync(d), []);
  });

  test('bit flips anywhere in the header: a typed error, or the exact plaintext; never a partial file', async () => {
    const src = fresh();
    const plain = randomBytes(100_000);
    writeFileSync(src, plain);
    const enc = fresh('.p7m');
    await encryptFile(src, enc, { recipients: [p('bob').certDer, p('alice').certDer] });
    const orig = readFileSync(enc);
    const header = orig.indexOf(Buffer.from([0x04, 0x83, 0x01, 0x00, 0x00])) + 5;
    const codes = new Set<string>();
    const d = outDir();
    // Errors raised by the key itself (a garbled wrapped key) are the key's, marked here.
    class KeyFailure extends Error {}
    const alice = keyOf('alice');
    const key: PrivateKeyOps = { ...alice, unwrapKey: (alg, k) => alice.unwrapKey(alg, k).catch((e: unknown) => { throw new KeyFailure(String(e)); }) };
    for (let bit = 0; bit < header * 8; bit += 13) {
      const b = Buffer.from(orig);
      b[bit >> 3]! ^= 1 << (bit & 7);
      try {
        await decryptToFile([b], join(d, 'p'), { key });
        assert.ok(readFileSync(join(d, 'p')).equals(plain), `bit ${bit}: decrypted to something else`);
        codes.add('ok');
      } catch (e) {
        assert.ok(e instanceof CryptoError || e instanceof KeyFailure, `bit ${bit}: ${String(e)}`);
        codes.add(e instanceof CryptoError ? e.code : 'key error');
      }
      assert.ok(readdirSync(d).every((f) => f === 'p'), `bit ${bit}: left ${readdirSync(d).join(',')}`);
    }
    for (const expected of ['MALFORMED_ENVELOPE', 'NOT_A_RECIPIENT', 'TAMPERED']) assert.ok(codes.has(expected), `never saw ${expected}: ${[...codes].join(',')}`);
  });
});

describe('streams', () => {
  test('an output stream that fails makes encryptStream reject', async () => {
    let written = 0;
    const failing = new Writable({
      write(chunk: Buffer, _enc, cb) {
        written += chunk.length;
        cb(written > 300_000 ? new Error('đĩa đầy') : null);
      },
    });
    const src = fresh();
    writeFileSync(src, randomBytes(2_000_000));
    await assert.rejects(encryptStream(createReadStream(src), failing, { recipients: [p('alice').certDer] }), /đĩa đầy/);
  });

  test('an input stream that fails makes encryptFile reject and leave nothing', async () => {
    const d = outDir();
    await assert.rejects(encryptFile(join(dir, 'khong-co.bin'), join(d, 'x.p7m'), { recipients: [p('alice').certDer] }), /ENOENT/);
    assert.deepEqual(readdirSync(d), []);
  });
});
