// Signing and verification beyond plain interop: how the key is used, what is refused before
// signing, signatures without certificates, several signers, ESS mismatches, future times.
import assert from 'node:assert/strict';
import { randomFillSync, sign as nodeSign, createPrivateKey } from 'node:crypto';
import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseCertificate } from '../../../main/core/crypto/certificates';
import { readRoot } from '../../../main/core/crypto/der';
import { CryptoError } from '../../../main/core/crypto/errors';
import { checkSigningCertificate } from '../../../main/core/crypto/ess';
import type { PrivateKeyOps } from '../../../main/core/crypto/keyOps';
import { OID } from '../../../main/core/crypto/oids';
import { signDetached } from '../../../main/core/crypto/sign';
import { parseSignedData, singleValue } from '../../../main/core/crypto/signedData';
import { verifyDetached } from '../../../main/core/crypto/verify';
import { openssl, opensslTry, standardPki, type Party, type TestPki } from '../../helpers/pki';
import { softKey } from '../../helpers/softKey';

let pki: TestPki & { root: Party; inter: Party };
let doc: string;
const p = (n: string) => pki.get(n);
const keyOf = (n: string) => softKey(p(n).certDer, p(n).keyPem);
const anchors = () => [pki.root.certPem];
const chain = () => [pki.inter.certDer];

before(async () => {
  pki = await standardPki();
  doc = join(pki.dir, 'bao-cao.bin');
  const b = Buffer.alloc(20 * 1024 * 1024);
  randomFillSync(b);
  writeFileSync(doc, b);
});
after(() => pki.cleanup());

describe('signing', () => {
  test('the key signs only the DER signed attributes, once; content is hashed as a stream', async () => {
    const key = keyOf('alice');
    const seen: Uint8Array[] = [];
    const spy: PrivateKeyOps = { certificate: key.certificate, unwrapKey: key.unwrapKey, sign: async (alg, data) => (seen.push(data), key.sign(alg, data)) };
    // 300 MB of content that never exists in memory: the same 1 MiB buffer, 300 times. Holding
    // the content would need 300 MB more; hashing it as it streams needs nothing.
    const block = readFileSync(doc).subarray(0, 1 << 20);
    const rss0 = process.memoryUsage().rss;
    let peak = 0;
    const source = (async function* () {
      for (let i = 0; i < 300; i++) {
        peak = Math.max(peak, process.memoryUsage().rss - rss0);
        yield block;
      }
    })();
    const sig = await signDetached(source, { key: spy, chain: chain() });
    assert.equal(seen.length, 1);
    assert.equal(seen[0]![0], 0x31); // SET OF, not the [0] tag
    assert.ok(seen[0]!.length < 1024);
    assert.ok(peak < 64 * 1024 * 1024, `RSS grew by ${peak} bytes while hashing`);
    const again = (async function* () {
      for (let i = 0; i < 300; i++) yield block;
    })();
    assert.equal((await verifyDetached(sig, again, { trustAnchors: anchors() })).valid, true);
  });

  test('a 20 MB file read as a stream signs and verifies', async () => {
    const sig = await signDetached(createReadStream(doc), { key: keyOf('ec256'), chain: chain() });
    assert.equal((await verifyDetached(sig, createReadStream(doc), { trustAnchors: anchors() })).valid, true);
  });

  test('a key that returns raw r||s (CKM_ECDSA) still yields a valid DER signature', async () => {
    const k = createPrivateKey(p('ec384').keyPem);
    const raw: PrivateKeyOps = {
      certificate: p('ec384').certDer,
      sign: async (alg, data) => nodeSign(alg === 'ECDSA-SHA384' ? 'sha384' : 'sha256', data, { key: k, dsaEncoding: 'ieee-p1363' }),
      unwrapKey: async () => { throw new Error('unused'); },
    };
    const sig = await signDetached(readFileSync(doc), { key: raw, algorithm: 'ECDSA-SHA384', chain: chain() });
    const f = join(pki.dir, 'raw-ecdsa.p7s');
    writeFileSync(f, sig);
    assert.ok(opensslTry(['cms', '-verify', '-binary', '-inform', 'DER', '-in', f, '-content', doc, '-CAfile', pki.root.certPath, '-out', '/dev/null']).ok);
  });

  test('a key that does not match its certificate gives SIGNING_FAILED', async () => {
    const wrong = softKey(p('alice').certDer, p('bob').keyPem);
    await assert.rejects(signDetached(Buffer.from('x'), { key: wrong }), (e: unknown) => e instanceof CryptoError && e.code === 'SIGNING_FAILED' && /thiết bị ký số/.test(e.messageVi));
  });

  test('an algorithm that does not fit the key is refused before the key is asked', async () => {
    const key = keyOf('alice');
    await assert.rejects(signDetached(Buffer.from('x'), { key, algorithm: 'ECDSA-SHA256' }), (e: unknown) => e instanceof CryptoError && e.code === 'UNSUPPORTED_ALGORITHM');
    await assert.rejects(signDetached(Buffer.from('x'), { key: keyOf('ec256'), algorithm: 'RSA-PSS-SHA256' }), (e: unknown) => e instanceof CryptoError && e.code === 'UNSUPPORTED_ALGORITHM');
    assert.equal(key.log.length, 0);
  });

  test('defaults: RSA → PKCS#1 v1.5 SHA-256, EC → ECDSA SHA-256; signer and chain certificates included once', async () => {
    for (const [who, alg] of [['alice', 'sha256WithRSAEncryption'], ['ec384', 'ecdsa-with-SHA256']] as const) {
      const sig = await signDetached(Buffer.from('Tờ trình'), { key: keyOf(who), chain: [pki.inter.certDer, pki.inter.certPem] });
      const f = join(pki.dir, `default-${who}.p7s`);
      writeFileSync(f, sig);
      const printed = openssl(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', f]).toString();
      assert.match(printed, new RegExp(`signatureAlgorithm: \\n\\s+algorithm: ${alg}`));
      assert.equal(parseSignedData(sig).certificates.length, 2);
    }
  });
});

describe('verification details', () => {
  test('a signature without certificates verifies when the signer certificate is provided', async () => {
    const out = join(pki.dir, 'nocerts.p7s');
    openssl(['cms', '-sign', '-binary', '-outform', 'DER', '-nocerts', '-cades', '-md', 'sha256', '-in', doc, '-out', out, '-signer', p('alice').certPath, '-inkey', p('alice').keyPath]);
    const sig = readFileSync(out);
    const r = await verifyDetached(sig, createReadStream(doc), { trustAnchors: anchors() });
    assert.equal(r.valid, false);
    assert.equal(r.signer, null);
    assert.match(r.checks.signature.reason, /neither in the signature nor provided/);
    const ok = await verifyDetached(sig, createReadStream(doc), { trustAnchors: anchors(), extraCertificates: [p('alice').certPem, pki.inter.certPem] });
    assert.equal(ok.valid, true, JSON.stringify(ok.checks));
  });

  test('two signers: both are verified, each reported', async () => {
    const out = join(pki.dir, 'two.p7s');
    openssl(['cms', '-sign', '-binary', '-outform', 'DER', '-cades', '-md', 'sha256', '-in', doc, '-out', out, '-certfile', pki.inter.certPath,
      '-signer', p('alice').certPath, '-inkey', p('alice').keyPath, '-signer', p('ec256').certPath, '-inkey', p('ec256').keyPath]);
    const r = await verifyDetached(readFileSync(out), createReadStream(doc), { trustAnchors: anchors() });
    assert.equal(r.valid, true);
    assert.equal(r.additionalSigners.length, 1);
    assert.deepEqual([r.signer?.commonName, r.additionalSigners[0]!.signer?.commonName].sort(), ['Nguyễn Văn An', 'Phạm Minh Đăng']);
    // one bad signer makes the whole signature invalid
    const bad = await verifyDetached(readFileSync(out), createReadStream(doc), { trustAnchors: anchors(), now: new Date('2019-06-01T00:00:00Z') });
    assert.equal(bad.valid, false);
  });

  test('the ESS signing-certificate names the signer: another certificate does not match', async () => {
    const sig = await signDetached(Buffer.from('x'), { key: keyOf('alice'), chain: chain() });
    const sd = parseSignedData(sig);
    const si = sd.signers[0]!;
    const v2 = singleValue(si.signedAttrs, OID.signingCertificateV2)!;
    assert.equal(checkSigningCertificate(si.buf, v2, true, parseCertificate(p('alice').certDer)).ok, true);
    const other = checkSigningCertificate(si.buf, v2, true, parseCertificate(p('bob').certDer));
    assert.equal(other.ok, false);
    assert.match(other.reason, /does not match/);
    assert.ok(readRoot(sig));
  });

  test('a signingTime in the future is refused', async () => {
    const sig = await signDetached(Buffer.from('x'), { key: keyOf('alice'), chain: chain(), signingTime: new Date(Date.now() + 86_400_000) });
    const r = await verifyDetached(sig, Buffer.from('x'), { trustAnchors: anchors() });
    assert.equal(r.checks.certValid.ok, false);
    assert.match(r.checks.certValid.reason, /in the future/);
  });

  test('no trust anchors: chain fails with a reason, the rest is still checked', async () => {
    const sig = await signDetached(Buffer.from('x'), { key: keyOf('ec256'), chain: chain() });
    const r = await verifyDetached(sig, Buffer.from('x'), { trustAnchors: [] });
    assert.deepEqual(Object.entries(r.checks).filter(([, c]) => !c.ok).map(([k]) => k), ['chain']);
    assert.match(r.messageVi, /^Chữ ký số KHÔNG hợp lệ\. Chưa cài đặt chứng thư gốc tin cậy\. Người ký: Phạm Minh Đăng\.$/);
  });

  test('a detached signature without content is a typed error', async () => {
    const sig = await signDetached(Buffer.from('x'), { key: keyOf('ec256') });
    await assert.rejects(verifyDetached(sig, null, { trustAnchors: anchors() }), (e: unknown) => e instanceof CryptoError && e.code === 'MALFORMED_SIGNATURE');
  });

  test('an encrypted file given as a signature is MALFORMED_SIGNATURE', async () => {
    const f = join(pki.dir, 'enc.p7m');
    openssl(['cms', '-encrypt', '-binary', '-outform', 'DER', '-aes-256-gcm', '-in', doc, '-out', f, '-recip', p('alice').certPath]);
    await assert.rejects(verifyDetached(readFileSync(f), Buffer.from('x'), { trustAnchors: anchors() }), (e: unknown) => e instanceof CryptoError && e.code === 'MALFORMED_SIGNATURE');
  });
});
