// Certificate parsing (checked against Node's and OpenSSL's own view of the same certificates)
// and chain building/validation, with certificates made by the openssl CLI.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { parseCertificate, parseCertificates, verifyChain, derToPem } from '../../../main/core/crypto/certificates';
import { CryptoError } from '../../../main/core/crypto/errors';
import { openssl, standardPki, type Party, type TestPki } from '../../helpers/pki';

let pki: TestPki & { root: Party; inter: Party };
const p = (n: string) => pki.get(n);
const at = new Date('2026-06-01T00:00:00Z');

before(async () => {
  pki = await standardPki();
  await pki.generateKeys({ notCa: 'ec-p256', underNotCa: 'ec-p256', noKcs: 'ec-p256', underNoKcs: 'ec-p256', inter2: 'ec-p256', deep: 'ec-p256', pssLeaf: 'ec-p256', eku: 'ec-p256' });
  // A leaf (CA:FALSE) used as an issuer, a CA without keyCertSign, a pathLen violation, RSA-PSS-signed.
  pki.issue('notCa', { key: 'ec-p256', subject: '/C=VN/CN=Không phải CA', issuer: pki.inter });
  pki.issue('underNotCa', { key: 'ec-p256', subject: '/C=VN/CN=Cấp bởi không phải CA', issuer: p('notCa') });
  pki.issue('noKcs', { key: 'ec-p256', subject: '/C=VN/CN=CA thiếu keyCertSign', issuer: pki.root, ca: true, keyUsage: 'cRLSign' });
  pki.issue('underNoKcs', { key: 'ec-p256', subject: '/C=VN/CN=Cấp bởi CA thiếu keyCertSign', issuer: p('noKcs') });
  pki.issue('inter2', { key: 'ec-p256', subject: '/C=VN/CN=CA cấp 3', issuer: pki.inter, ca: true }); // inter has pathlen:0
  pki.issue('deep', { key: 'ec-p256', subject: '/C=VN/CN=Quá sâu', issuer: p('inter2') });
  pki.issue('pssLeaf', { key: 'ec-p256', subject: '/C=VN/CN=Ký bằng RSA-PSS', issuer: pki.root, pss: true });
  pki.issue('eku', { key: 'ec-p256', subject: '/C=VN/CN=Thư điện tử', issuer: pki.inter, keyUsage: 'digitalSignature', extKeyUsage: 'emailProtection, clientAuth, 1.3.6.1.4.1.99999.1' });
});
after(() => pki.cleanup());

describe('parsing', () => {
  test('fields agree with Node X509Certificate and openssl x509', () => {
    for (const name of ['root', 'inter', 'alice', 'ec256', 'ec384', 'expired', 'encOnly', 'pssLeaf']) {
      const c = parseCertificate(p(name).certDer);
      const x = new X509Certificate(p(name).certDer);
      assert.equal(c.serialNumber, x.serialNumber.toUpperCase(), name);
      assert.equal(c.fingerprintSha256, x.fingerprint256, name);
      assert.equal(c.notBefore.getTime(), new Date(x.validFrom).getTime(), name);
      assert.equal(c.notAfter.getTime(), new Date(x.validTo).getTime(), name);
      assert.equal(c.basicConstraints?.ca ?? false, x.ca, name);
      const text = openssl(['x509', '-in', p(name).certPath, '-noout', '-text']).toString();
      if (c.keyUsage) for (const ku of c.keyUsage) assert.match(text, new RegExp({ digitalSignature: 'Digital Signature', nonRepudiation: 'Non Repudiation', keyEncipherment: 'Key Encipherment', keyAgreement: 'Key Agreement', keyCertSign: 'Certificate Sign', cRLSign: 'CRL Sign' }[ku as string] ?? ku), name);
    }
  });

  test('Vietnamese subjects, key types and curves', () => {
    const alice = parseCertificate(p('alice').certPem);
    assert.equal(alice.subject, 'CN=Nguyễn Văn An, OU=Văn phòng, O=Bộ Tài chính, L=Hà Nội, C=VN');
    assert.equal(alice.issuer, 'CN=CA trung gian thử nghiệm, OU=Cục Chứng thực số, O=Ban Cơ yếu Chính phủ, C=VN');
    assert.equal(alice.commonName, 'Nguyễn Văn An');
    assert.deepEqual(alice.publicKey, { algorithm: 'RSA', bits: 2048 });
    assert.deepEqual(alice.keyUsage, ['digitalSignature', 'nonRepudiation', 'keyEncipherment']);
    assert.equal(alice.signatureAlgorithm, 'ECDSA SHA-384');
    assert.deepEqual(parseCertificate(p('ec384').certDer).publicKey, { algorithm: 'EC', curve: 'P-384' });
    assert.deepEqual(parseCertificate(p('root').certDer).publicKey, { algorithm: 'RSA', bits: 3072 });
    assert.equal(parseCertificate(p('inter').certDer).basicConstraints?.pathLen, 0);
    assert.equal(parseCertificate(p('pssLeaf').certDer).signatureAlgorithm, 'RSA-PSS SHA-256 salt 32');
    assert.equal(parseCertificate(p('root').certDer).selfIssued, true);
    assert.ok(alice.subjectKeyId && alice.authorityKeyId === parseCertificate(pki.inter.certDer).subjectKeyId);
    assert.equal(alice.extKeyUsage, null);
    assert.deepEqual(parseCertificate(p('eku').certDer).extKeyUsage, ['emailProtection', 'clientAuth', '1.3.6.1.4.1.99999.1']);
  });

  test('PEM bundles, DER/PEM round trip, garbage → MALFORMED_CERTIFICATE', () => {
    const bundle = p('root').certPem + p('inter').certPem + p('alice').certPem;
    assert.deepEqual(parseCertificates([bundle]).map((c) => c.commonName), ['Cơ quan chứng thực gốc thử nghiệm', 'CA trung gian thử nghiệm', 'Nguyễn Văn An']);
    assert.equal(parseCertificate(derToPem(p('alice').certDer)).fingerprintSha256, parseCertificate(p('alice').certDer).fingerprintSha256);
    for (const bad of [new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00]), p('alice').certDer.subarray(0, 300), Buffer.from('-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----'), 'không phải chứng thư']) {
      assert.throws(() => parseCertificate(bad), (e: unknown) => e instanceof CryptoError && e.code === 'MALFORMED_CERTIFICATE');
    }
    assert.throws(() => parseCertificate(bundle), (e: unknown) => e instanceof CryptoError && e.code === 'MALFORMED_CERTIFICATE');
  });
});

describe('chains', () => {
  const anchors = () => [pki.root.certPem];

  test('leaf → EC intermediate → RSA root verifies', () => {
    const r = verifyChain(p('alice').certDer, { trustAnchors: anchors(), intermediates: [pki.inter.certDer], at });
    assert.equal(r.ok, true, r.reason);
    assert.deepEqual(r.path.map((c) => c.commonName), ['Nguyễn Văn An', 'CA trung gian thử nghiệm', 'Cơ quan chứng thực gốc thử nghiệm']);
  });

  test('an RSA-PSS-signed certificate verifies', () => {
    assert.equal(verifyChain(p('pssLeaf').certDer, { trustAnchors: anchors(), at }).ok, true);
  });

  test('missing intermediate, unknown root, self-signed leaf', () => {
    const r1 = verifyChain(p('alice').certDer, { trustAnchors: anchors(), at });
    assert.equal(r1.ok, false);
    assert.match(r1.reason, /no trusted issuer found for "CN=CA trung gian/);
    const r2 = verifyChain(p('stranger').certDer, { trustAnchors: anchors(), intermediates: [p('otherRoot').certDer], at });
    assert.equal(r2.ok, false);
    assert.match(r2.reason, /self-signed and not a trust anchor/);
    assert.match(r2.reasonVi, /không phải chứng thư gốc tin cậy/);
  });

  test('validity is checked for every certificate at the given time', () => {
    assert.equal(verifyChain(p('expired').certDer, { trustAnchors: anchors(), intermediates: [pki.inter.certDer], at }).ok, false);
    assert.equal(verifyChain(p('expired').certDer, { trustAnchors: anchors(), intermediates: [pki.inter.certDer], at: new Date('2020-07-01T00:00:00Z') }).ok, true);
    const r = verifyChain(p('alice').certDer, { trustAnchors: anchors(), intermediates: [pki.inter.certDer], at: new Date('2018-06-01T00:00:00Z') });
    assert.equal(r.ok, false);
    assert.match(r.reason, /not valid at 2018/);
  });

  test('an issuer without basicConstraints CA is refused', () => {
    const r = verifyChain(p('underNotCa').certDer, { trustAnchors: anchors(), intermediates: [pki.inter.certDer, p('notCa').certDer], at });
    assert.equal(r.ok, false);
    assert.match(r.reason, /is not a CA certificate/);
  });

  test('an issuer without keyCertSign is refused', () => {
    const r = verifyChain(p('underNoKcs').certDer, { trustAnchors: anchors(), intermediates: [p('noKcs').certDer], at });
    assert.equal(r.ok, false);
    assert.match(r.reason, /lacks keyUsage keyCertSign/);
  });

  test('pathLenConstraint is enforced', () => {
    const r = verifyChain(p('deep').certDer, { trustAnchors: anchors(), intermediates: [pki.inter.certDer, p('inter2').certDer], at });
    assert.equal(r.ok, false);
    assert.match(r.reason, /allows 0 intermediate/);
    // openssl agrees
    const bundle = pki.bundle('deep-chain.pem', [pki.inter, p('inter2')]);
    assert.throws(() => openssl(['verify', '-CAfile', pki.root.certPath, '-untrusted', bundle, p('deep').certPath]));
  });

  test('a forged link (right names, wrong key) fails on the signature', () => {
    // otherRoot re-issued under the real root's name cannot sign for it
    const fake = pki.issue('fakeRoot', { key: 'ec-p256', subject: '/C=VN/O=Ban Cơ yếu Chính phủ/CN=Cơ quan chứng thực gốc thử nghiệm', ca: true });
    const r = verifyChain(pki.inter.certDer, { trustAnchors: [fake.certPem], at });
    assert.equal(r.ok, false);
    assert.match(r.reason, /signature|no trusted issuer/);
  });

  test('a trust anchor given as the leaf is accepted', () => {
    assert.equal(verifyChain(pki.root.certDer, { trustAnchors: anchors(), at }).ok, true);
  });
});
