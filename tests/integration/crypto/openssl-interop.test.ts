// Interoperability with the real OpenSSL 3.0 CLI, both ways, for signatures (CMS SignedData,
// CAdES-BES) and encryption (CMS AuthEnvelopedData AES-GCM ours; EnvelopedData AES-CBC and
// AuthEnvelopedData from openssl), plus the failures a user must see: tampering, truncation,
// not a recipient, changed content, expired signer, wrong key usage, unknown CA.
import assert from 'node:assert/strict';
import { randomFillSync } from 'node:crypto';
import { createReadStream, mkdirSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { join } from 'node:path';
import { CryptoError, type CryptoErrorCode } from '../../../main/core/crypto/errors';
import { decryptFile, encryptFile } from '../../../main/core/crypto/envelope';
import type { SignatureAlg } from '../../../main/core/crypto/keyOps';
import { signDetached } from '../../../main/core/crypto/sign';
import { verifyDetached, type VerifyResult } from '../../../main/core/crypto/verify';
import { openssl, opensslTry, standardPki, type Party, type TestPki } from '../../helpers/pki';
import { softKey } from '../../helpers/softKey';

let pki: TestPki & { root: Party; inter: Party };
let dir: string;
let doc: string; // ~8 MB document
let docBytes: Buffer;
const p = (name: string) => pki.get(name);
const keyOf = (name: string) => softKey(p(name).certDer, p(name).keyPem);
let n = 0;
const fresh = (ext: string) => join(dir, `f${++n}${ext}`);

before(async () => {
  pki = await standardPki();
  dir = pki.dir;
  doc = join(dir, 'cong-van.bin');
  const body = Buffer.alloc(8 * 1024 * 1024 + 123);
  randomFillSync(body);
  Buffer.from('Công văn số 123/BTC-VP về việc bảo mật tài liệu\n').copy(body);
  writeFileSync(doc, body);
  docBytes = body;
});
after(() => pki.cleanup());

async function rejectsWith(promise: Promise<unknown>, code: CryptoErrorCode): Promise<CryptoError> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof CryptoError, `expected CryptoError ${code}, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.ok(e.messageVi.length > 0);
    return e;
  }
  assert.fail(`expected CryptoError ${code}, but it resolved`);
}

/** Directory for one decryption, to prove nothing (no .part file) is left behind on failure. */
const outDir = () => {
  const d = fresh('.out');
  mkdirSync(d);
  return d;
};

const failedChecks = (r: VerifyResult) => Object.entries(r.checks).filter(([, c]) => !c.ok).map(([k]) => k);

describe('signatures: openssl cms -verify accepts ours', () => {
  const cases: Array<[string, SignatureAlg]> = [
    ['alice', 'RSASSA-PKCS1-v1_5-SHA256'],
    ['alice', 'RSA-PSS-SHA256'],
    ['ec256', 'ECDSA-SHA256'],
    ['ec384', 'ECDSA-SHA256'],
    ['ec384', 'ECDSA-SHA384'],
  ];
  for (const [who, alg] of cases) {
    test(`${alg} (${who})`, async () => {
      const sig = await signDetached(createReadStream(doc), { key: keyOf(who), algorithm: alg, chain: [pki.inter.certDer] });
      const sigPath = fresh('.p7s');
      writeFileSync(sigPath, sig);
      const r = opensslTry(['cms', '-verify', '-binary', '-inform', 'DER', '-in', sigPath, '-content', doc, '-CAfile', pki.root.certPath, '-out', '/dev/null']);
      assert.ok(r.ok, r.stderr);
      // openssl reads back what we wrote: the signature algorithm and the ESS attribute.
      const printed = openssl(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', sigPath]).toString();
      assert.match(printed, /id-smime-aa-signingCertificateV2/);
      if (alg === 'RSA-PSS-SHA256') assert.match(printed, /rsassaPss[\s\S]*:sha256[\s\S]*:mgf1[\s\S]*:sha256[\s\S]*cont \[ 2 \][\s\S]*INTEGER\s+:20/);
      if (alg.startsWith('ECDSA')) assert.match(printed, alg === 'ECDSA-SHA256' ? /ecdsa-with-SHA256/ : /ecdsa-with-SHA384/);

      const ours = await verifyDetached(sig, createReadStream(doc), { trustAnchors: [pki.root.certPem] });
      assert.equal(ours.valid, true, JSON.stringify(ours.checks));
      assert.equal(ours.signer?.subject, new Map([['alice', 'CN=Nguyễn Văn An'], ['ec256', 'CN=Phạm Minh Đăng'], ['ec384', 'CN=Hoàng Thu Hương']]).get(who) + ', OU=Văn phòng, O=Bộ Tài chính, L=Hà Nội, C=VN');
      assert.match(ours.messageVi, /^Chữ ký số hợp lệ/);
    });
  }

  test('a changed content file fails on the digest (ours and openssl)', async () => {
    const sig = await signDetached(createReadStream(doc), { key: keyOf('alice'), chain: [pki.inter.certDer] });
    const sigPath = fresh('.p7s');
    writeFileSync(sigPath, sig);
    const changed = fresh('.bin');
    const copy = Buffer.from(docBytes);
    copy[copy.length - 1]! ^= 1;
    writeFileSync(changed, copy);
    assert.equal(opensslTry(['cms', '-verify', '-binary', '-inform', 'DER', '-in', sigPath, '-content', changed, '-CAfile', pki.root.certPath, '-out', '/dev/null']).ok, false);
    const r = await verifyDetached(sig, createReadStream(changed), { trustAnchors: [pki.root.certPem] });
    assert.equal(r.valid, false);
    assert.deepEqual(failedChecks(r), ['digest']);
    assert.match(r.messageVi, /Nội dung tệp đã bị thay đổi sau khi ký/);
  });
});

describe('signatures: we verify what openssl cms -sign makes', () => {
  const sign = (who: string, extra: string[]) => {
    const out = fresh('.p7s');
    openssl(['cms', '-sign', '-binary', '-outform', 'DER', '-in', doc, '-out', out, '-signer', p(who).certPath, '-inkey', p(who).keyPath, '-certfile', pki.inter.certPath, ...extra]);
    return readFileSync(out);
  };
  const cases: Array<[string, string, string[]]> = [
    ['RSA PKCS#1 v1.5 SHA-256, -cades', 'alice', ['-md', 'sha256', '-cades']],
    ['RSA-PSS SHA-256, -cades', 'alice', ['-md', 'sha256', '-cades', '-keyopt', 'rsa_padding_mode:pss']],
    ['ECDSA P-256 SHA-256, -cades', 'ec256', ['-md', 'sha256', '-cades']],
    ['ECDSA P-384 SHA-384, -cades', 'ec384', ['-md', 'sha384', '-cades']],
    ['streamed (-stream: indefinite-length BER), -cades', 'alice', ['-md', 'sha256', '-cades', '-stream']],
  ];
  for (const [label, who, extra] of cases) {
    test(label, async () => {
      const r = await verifyDetached(sign(who, extra), createReadStream(doc), { trustAnchors: [pki.root.certDer] });
      assert.equal(r.valid, true, JSON.stringify(r.checks));
      assert.equal(r.signer?.serial, openssl(['x509', '-in', p(who).certPath, '-noout', '-serial']).toString().trim().replace('serial=', ''));
      assert.ok(r.signingTime && Math.abs(r.signingTime.getTime() - Date.now()) < 5 * 60_000);
    });
  }

  test('without -cades there is no ESS signing-certificate: only essCert fails', async () => {
    const r = await verifyDetached(sign('alice', ['-md', 'sha256']), createReadStream(doc), { trustAnchors: [pki.root.certDer] });
    assert.equal(r.valid, false);
    assert.deepEqual(failedChecks(r), ['essCert']);
  });

  test('-md sha1 -cades: the ESS v1 attribute is matched, but the SHA-1 digest is refused', async () => {
    const r = await verifyDetached(sign('alice', ['-md', 'sha1', '-cades']), createReadStream(doc), { trustAnchors: [pki.root.certDer] });
    assert.equal(r.checks.essCert.ok, true);
    assert.match(r.checks.essCert.reason, /signing-certificate \(SHA-1\)/);
    assert.deepEqual(failedChecks(r), ['digest', 'signature']);
  });

  test('-nodetach: the embedded content is verified when no content is given', async () => {
    const small = fresh('.txt');
    writeFileSync(small, 'Quyết định số 45/QĐ-BTC');
    const out = fresh('.p7s');
    openssl(['cms', '-sign', '-binary', '-nodetach', '-outform', 'DER', '-in', small, '-out', out, '-signer', p('ec256').certPath, '-inkey', p('ec256').keyPath, '-certfile', pki.inter.certPath, '-md', 'sha256', '-cades']);
    const r = await verifyDetached(readFileSync(out), null, { trustAnchors: [pki.root.certPem] });
    assert.equal(r.valid, true, JSON.stringify(r.checks));
  });
});

describe('signatures: what must fail', () => {
  test('an expired signer certificate fails certValid (and the chain)', async () => {
    const sig = await signDetached(createReadStream(doc), { key: keyOf('expired'), chain: [pki.inter.certDer] });
    const r = await verifyDetached(sig, createReadStream(doc), { trustAnchors: [pki.root.certPem] });
    assert.equal(r.valid, false);
    assert.equal(r.checks.certValid.ok, false);
    assert.match(r.checks.certValid.reason, /not valid now/);
    assert.equal(r.checks.chain.ok, false);
    assert.equal(r.checks.signature.ok, true);
  });

  test('a certificate that expired in 2021, used today with a claimed signingTime of 2020: invalid (no timestamp vouches for 2020)', async () => {
    const signingTime = new Date('2020-06-15T03:00:00Z');
    const sig = await signDetached(createReadStream(doc), { key: keyOf('expired'), chain: [pki.inter.certDer], signingTime });
    const r = await verifyDetached(sig, createReadStream(doc), { trustAnchors: [pki.root.certPem] });
    assert.equal(r.valid, false);
    assert.equal(r.signingTime?.toISOString(), signingTime.toISOString());
    assert.equal(r.validatedAtSource, 'verification');
    assert.deepEqual(failedChecks(r), ['certValid', 'chain']);
    assert.match(r.checks.certValid.reasonVi, /đã hết hiệu lực từ .*01\/01\/2021; chữ ký không có dấu thời gian/);
    // openssl checks the chain at the current time and refuses it too.
    const sigPath = fresh('.p7s');
    writeFileSync(sigPath, sig);
    assert.equal(opensslTry(['cms', '-verify', '-binary', '-inform', 'DER', '-in', sigPath, '-content', doc, '-CAfile', pki.root.certPath, '-out', '/dev/null']).ok, false);
  });

  test('a certificate without digitalSignature/nonRepudiation fails keyUsage', async () => {
    const sig = await signDetached(createReadStream(doc), { key: keyOf('encOnly'), chain: [pki.inter.certDer] });
    const r = await verifyDetached(sig, createReadStream(doc), { trustAnchors: [pki.root.certPem] });
    assert.deepEqual(failedChecks(r), ['keyUsage']);
    assert.match(r.checks.keyUsage.reason, /keyAgreement/);
  });

  test('a chain to an unknown CA fails chain', async () => {
    const sig = await signDetached(createReadStream(doc), { key: keyOf('stranger') });
    const r = await verifyDetached(sig, createReadStream(doc), { trustAnchors: [pki.root.certPem] });
    assert.deepEqual(failedChecks(r), ['chain']);
    assert.match(r.checks.chain.reason, /no trusted issuer found for "CN=CA không tin cậy/);
    // and passes once that CA is trusted
    const trusted = await verifyDetached(sig, createReadStream(doc), { trustAnchors: [pki.root.certPem, p('otherRoot').certPem] });
    assert.equal(trusted.valid, true);
  });

  test('without the intermediate in the signature, the chain fails unless it is provided', async () => {
    const sig = await signDetached(createReadStream(doc), { key: keyOf('bob') });
    const r = await verifyDetached(sig, createReadStream(doc), { trustAnchors: [pki.root.certPem] });
    assert.deepEqual(failedChecks(r), ['chain']);
    const ok = await verifyDetached(sig, createReadStream(doc), { trustAnchors: [pki.root.certPem], extraCertificates: [pki.inter.certPem] });
    assert.equal(ok.valid, true);
  });
});

describe('encryption: openssl cms -decrypt opens ours', () => {
  test('two recipients (OAEP SHA-256 and OAEP SHA-1) each decrypt, with openssl and with us', async () => {
    const enc = fresh('.p7m');
    await encryptFile(doc, enc, { recipients: [p('alice').certPem, { certificate: p('bob').certDer, oaepHash: 'SHA-1' }] });
    const printed = openssl(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', enc]).toString();
    assert.match(printed, /id-smime-ct-authEnvelopedData/);
    assert.match(printed, /aes-256-gcm/);
    for (const who of ['alice', 'bob']) {
      const o = fresh('.bin');
      const r = opensslTry(['cms', '-decrypt', '-binary', '-inform', 'DER', '-in', enc, '-recip', p(who).certPath, '-inkey', p(who).keyPath, '-out', o]);
      assert.ok(r.ok, r.stderr);
      assert.ok(readFileSync(o).equals(docBytes));
      const d = outDir();
      const res = await decryptFile(enc, join(d, 'plain.bin'), { key: keyOf(who) });
      assert.equal(res.keyTransport, who === 'alice' ? 'RSA-OAEP (SHA-256, MGF1-SHA-256)' : 'RSA-OAEP (SHA-1, MGF1-SHA-1)');
      assert.equal(res.authenticated, true);
      assert.ok(readFileSync(join(d, 'plain.bin')).equals(docBytes));
      assert.deepEqual(readdirSync(d), ['plain.bin']);
    }
  });

  test('a third party not in the recipient list gets NOT_A_RECIPIENT (openssl refuses too)', async () => {
    const enc = fresh('.p7m');
    await encryptFile(doc, enc, { recipients: [p('alice').certPem, p('bob').certPem] });
    const d = outDir();
    const e = await rejectsWith(decryptFile(enc, join(d, 'x.bin'), { key: keyOf('eve') }), 'NOT_A_RECIPIENT');
    assert.match(e.messageVi, /không được mã hóa cho chứng thư số của bạn/);
    assert.deepEqual(readdirSync(d), []);
    assert.equal(opensslTry(['cms', '-decrypt', '-binary', '-inform', 'DER', '-in', enc, '-recip', p('eve').certPath, '-inkey', p('eve').keyPath, '-out', fresh('.bin')]).ok, false);
  });
});

describe('encryption: we decrypt what openssl cms -encrypt makes', () => {
  const enc = (extra: string[]) => {
    const out = fresh('.p7m');
    openssl(['cms', '-encrypt', '-binary', '-outform', 'DER', '-in', doc, '-out', out, ...extra]);
    return out;
  };
  const oaep = (who: string, md?: string) => ['-recip', p(who).certPath, '-keyopt', 'rsa_padding_mode:oaep', ...(md ? ['-keyopt', `rsa_oaep_md:${md}`] : [])];
  // Built lazily: the PKI exists only once before() ran.
  const cases: Array<[string, () => string[], string, string]> = [
    ['AES-256-GCM, OAEP (SHA-1 default)', () => ['-aes-256-gcm', ...oaep('alice')], 'AES-256-GCM', 'RSA-OAEP (SHA-1, MGF1-SHA-1)'],
    ['AES-256-GCM, OAEP SHA-256, -stream', () => ['-aes-256-gcm', '-stream', ...oaep('alice', 'sha256')], 'AES-256-GCM', 'RSA-OAEP (SHA-256, MGF1-SHA-256)'],
    ['AES-256-CBC, OAEP', () => ['-aes-256-cbc', ...oaep('alice')], 'AES-256-CBC', 'RSA-OAEP (SHA-1, MGF1-SHA-1)'],
    ['AES-256-CBC, OAEP SHA-256, -stream', () => ['-aes-256-cbc', '-stream', ...oaep('alice', 'sha256')], 'AES-256-CBC', 'RSA-OAEP (SHA-256, MGF1-SHA-256)'],
    ['AES-128-CBC, OAEP, -stream', () => ['-aes-128-cbc', '-stream', ...oaep('alice')], 'AES-128-CBC', 'RSA-OAEP (SHA-1, MGF1-SHA-1)'],
    ['AES-192-CBC, OAEP', () => ['-aes-192-cbc', ...oaep('alice')], 'AES-192-CBC', 'RSA-OAEP (SHA-1, MGF1-SHA-1)'],
  ];
  for (const [label, extra, content, transport] of cases) {
    test(label, async () => {
      const d = outDir();
      const res = await decryptFile(enc(extra()), join(d, 'plain.bin'), { key: keyOf('alice') });
      assert.equal(res.contentEncryption, content);
      assert.equal(res.keyTransport, transport);
      assert.equal(res.authenticated, content.endsWith('GCM'));
      assert.ok(readFileSync(join(d, 'plain.bin')).equals(docBytes));
    });
  }

  test('recipient identified by subjectKeyIdentifier (-keyid, KeyTransRecipientInfo v2)', async () => {
    const d = outDir();
    await decryptFile(enc(['-aes-256-gcm', '-keyid', ...oaep('alice')]), join(d, 'plain.bin'), { key: keyOf('alice') });
    assert.ok(readFileSync(join(d, 'plain.bin')).equals(docBytes));
  });

  test('two recipients in one openssl file: each of us decrypts', async () => {
    const f = enc(['-aes-256-gcm', ...oaep('alice', 'sha256'), ...oaep('bob')]);
    for (const who of ['alice', 'bob']) {
      const d = outDir();
      await decryptFile(f, join(d, 'plain.bin'), { key: keyOf(who) });
      assert.ok(readFileSync(join(d, 'plain.bin')).equals(docBytes));
    }
  });

  test('PKCS#1 v1.5 key transport (openssl default) is refused unless policy allows it', async () => {
    for (const extra of [['-aes-256-cbc', '-recip', p('alice').certPath], ['-aes-256-gcm', '-stream', '-recip', p('alice').certPath]]) {
      const f = enc(extra);
      const d = outDir();
      await rejectsWith(decryptFile(f, join(d, 'plain.bin'), { key: keyOf('alice') }), 'POLICY_REFUSED');
      assert.deepEqual(readdirSync(d), []);
      const res = await decryptFile(f, join(d, 'plain.bin'), { key: keyOf('alice'), allowPkcs1v15KeyTransport: true });
      assert.equal(res.keyTransport, 'RSAES-PKCS1-v1_5');
      assert.ok(readFileSync(join(d, 'plain.bin')).equals(docBytes));
    }
  });
});

describe('encryption: tampering and truncation leave no output', () => {
  /** A byte well inside the ciphertext (past the header, away from chunk headers). */
  const ciphertextOffset = (file: string) => {
    const b = readFileSync(file);
    const chunk = b.indexOf(Buffer.from([0x04, 0x83, 0x01, 0x00, 0x00])); // our 64 KiB pieces
    return chunk > 0 ? chunk + 5 + 30_000 : Math.floor(b.length / 2);
  };
  const flip = (file: string, at: number) => {
    const b = readFileSync(file);
    b[at]! ^= 0x20;
    const out = fresh('.p7m');
    writeFileSync(out, b);
    return out;
  };
  const ours = async () => {
    const f = fresh('.p7m');
    await encryptFile(doc, f, { recipients: [p('alice').certPem] });
    return f;
  };
  const theirs = (stream: boolean) => {
    const out = fresh('.p7m');
    openssl(['cms', '-encrypt', '-binary', '-outform', 'DER', '-in', doc, '-out', out, '-aes-256-gcm', ...(stream ? ['-stream'] : []), '-recip', p('alice').certPath, '-keyopt', 'rsa_padding_mode:oaep']);
    return out;
  };

  for (const [label, make] of [['ours', ours], ['openssl', async () => theirs(false)], ['openssl -stream', async () => theirs(true)]] as const) {
    test(`a flipped ciphertext byte gives TAMPERED (${label})`, async () => {
      const f = await make();
      const d = outDir();
      await rejectsWith(decryptFile(flip(f, ciphertextOffset(f)), join(d, 'plain.bin'), { key: keyOf('alice') }), 'TAMPERED');
      assert.deepEqual(readdirSync(d), []);
    });

    test(`truncated ciphertext gives TRUNCATED (${label})`, async () => {
      const f = await make();
      const size = statSync(f).size;
      for (const keep of [Math.floor(size * 0.6), size - 20, size - 1, 300]) {
        const t = fresh('.p7m');
        writeFileSync(t, readFileSync(f).subarray(0, keep));
        const d = outDir();
        await rejectsWith(decryptFile(t, join(d, 'plain.bin'), { key: keyOf('alice') }), 'TRUNCATED');
        assert.deepEqual(readdirSync(d), [], `kept ${keep} of ${size}`);
      }
    });
  }

  test('a changed GCM tag gives TAMPERED; openssl agrees', async () => {
    const f = await ours();
    const t = flip(f, statSync(f).size - 10); // inside the 16-byte mac, before the 6 end-of-contents octets
    const d = outDir();
    await rejectsWith(decryptFile(t, join(d, 'plain.bin'), { key: keyOf('alice') }), 'TAMPERED');
    assert.deepEqual(readdirSync(d), []);
    assert.equal(opensslTry(['cms', '-decrypt', '-binary', '-inform', 'DER', '-in', t, '-recip', p('alice').certPath, '-inkey', p('alice').keyPath, '-out', join(d, 'o.bin')]).ok, false);
  });

  test('truncating the file on disk in place also gives TRUNCATED', async () => {
    const f = await ours();
    truncateSync(f, 4096);
    await rejectsWith(decryptFile(f, join(outDir(), 'plain.bin'), { key: keyOf('alice') }), 'TRUNCATED');
  });
});
