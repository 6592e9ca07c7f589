// Signatures other systems make: xmlsec1 signs packets the way the national SDKs do (inclusive
// C14N, RSA-SHA1, the enveloped transform alone, as in the VNPT example the samples carry; and
// exclusive C14N with RSA-SHA256 and an intermediate CA), and we verify them against the trust store.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parseEdxml, verifySignatureElement } from '../../main/core/exchange/edxml';
import { TestPki, type Party } from '../helpers/pki';

const samplesDir = [join(import.meta.dirname, '..', '..', '..', 'shared', 'domain', 'edxml-samples'), '/work/shared/domain/edxml-samples']
  .find((d) => { try { return readdirSync(d).length > 0; } catch { return false; } })!;
let pki: TestPki;
let root: Party;
let inter: Party;
let signer: Party;
let other: Party;

before(async () => {
  pki = new TestPki();
  await pki.generateKeys({ root: 'rsa2048', inter: 'rsa2048', signer: 'rsa2048', other: 'rsa2048' });
  root = pki.issue('root', { key: 'rsa2048', subject: '/C=VN/O=Ban Cơ yếu Chính phủ/CN=CA gốc thử nghiệm', ca: true });
  inter = pki.issue('inter', { key: 'rsa2048', subject: '/C=VN/O=Ban Cơ yếu Chính phủ/CN=CA trung gian', issuer: root, ca: true, pathLen: 0 });
  other = pki.issue('other', { key: 'rsa2048', subject: '/C=VN/O=Tổ chức lạ/CN=CA không tin cậy', ca: true });
  signer = pki.issue('signer', { key: 'rsa2048', subject: '/C=VN/O=UBND Tỉnh Nghệ An/CN=Văn thư UBND Tỉnh Nghệ An', issuer: inter, keyUsage: 'digitalSignature, nonRepudiation' });
});
after(() => pki.cleanup());

function signWithXmlsec(packet: string, c14n: string, method: string, transforms: string[], digest: string, name: string): Buffer {
  const template = `<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo><CanonicalizationMethod Algorithm="${c14n}"/><SignatureMethod Algorithm="${method}"/>`
    + `<Reference URI=""><Transforms>${transforms.map((t) => `<Transform Algorithm="${t}"/>`).join('')}</Transforms><DigestMethod Algorithm="${digest}"/><DigestValue/></Reference></SignedInfo>`
    + '<SignatureValue/><KeyInfo><X509Data/></KeyInfo></Signature>';
  const tmpl = join(pki.dir, `${name}.tmpl.xml`);
  writeFileSync(tmpl, packet.replace('\n    </edXML:edXMLHeader>', `\n      ${template}\n    </edXML:edXMLHeader>`));
  const out = join(pki.dir, `${name}.xml`);
  execFileSync('xmlsec1', ['--sign', '--privkey-pem', `${signer.keyPath},${signer.certPath},${inter.certPath}`, '--output', out, tmpl], { stdio: 'pipe' });
  return readFileSync(out);
}

test('inclusive C14N, RSA-SHA1, enveloped transform only (the SDK samples\' form): valid, SHA-1 named', async () => {
  const packet = readFileSync(join(samplesDir, 'status_acceptance_03.edxml'), 'utf8');
  const signed = signWithXmlsec(packet, 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315', 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
    ['http://www.w3.org/2000/09/xmldsig#enveloped-signature'], 'http://www.w3.org/2000/09/xmldsig#sha1', 'sha1');
  const r = await parseEdxml(signed);
  const v = await verifySignatureElement(r.tree, { trustAnchors: [root.certDer] }, r.signature);
  assert.equal(v.status, 'valid', v.reason);
  assert.equal(v.signer?.commonName, 'Văn thư UBND Tỉnh Nghệ An');
  assert.match(v.reason, /SHA-1/);
  const changed = await parseEdxml(Buffer.from(signed.toString('utf8').replace('Tiếp nhận văn bản', 'Trả lại văn bản')));
  assert.equal((await verifySignatureElement(changed.tree, { trustAnchors: [root.certDer] }, changed.signature)).status, 'invalid');
});

test('exclusive C14N, RSA-SHA256 over a document packet with its attachment: valid through the intermediate it carries', async () => {
  const packet = readFileSync(join(samplesDir, 'edoc_update.edxml'), 'utf8').replace(/\n\s*<Signature>[\s\S]*?<\/Signature>/, '');
  const signed = signWithXmlsec(packet, 'http://www.w3.org/2001/10/xml-exc-c14n#', 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'], 'http://www.w3.org/2001/04/xmlenc#sha256', 'sha256');
  const r = await parseEdxml(signed);
  const v = await verifySignatureElement(r.tree, { trustAnchors: [root.certDer] }, r.signature);
  assert.equal(v.status, 'valid', v.reason);
  assert.equal(v.algorithm, 'rsa-sha256');
  // An attachment byte changed (in its base64) breaks the digest.
  const t = signed.toString('utf8').replace('UEsDBBQACAgI', 'UEsDBBQACAgJ');
  const changed = await parseEdxml(Buffer.from(t));
  assert.equal((await verifySignatureElement(changed.tree, { trustAnchors: [root.certDer] }, changed.signature)).status, 'invalid');
  // Another CA: untrusted.
  assert.equal((await verifySignatureElement(r.tree, { trustAnchors: [other.certDer] }, r.signature)).status, 'untrusted');
});

test('revocation: with current CRLs a good signer is checked, a revoked one is invalid', async () => {
  const packet = readFileSync(join(samplesDir, 'status_finish_06.edxml'), 'utf8');
  const signed = signWithXmlsec(packet, 'http://www.w3.org/2001/10/xml-exc-c14n#', 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    ['http://www.w3.org/2000/09/xmldsig#enveloped-signature'], 'http://www.w3.org/2001/04/xmlenc#sha256', 'crl');
  const r = await parseEdxml(signed);
  const crls = () => [readFileSync(pki.crl(inter)), readFileSync(pki.crl(root))];
  const before = await verifySignatureElement(r.tree, { trustAnchors: [root.certDer], crls: crls() }, r.signature);
  assert.equal(before.status, 'valid', before.reason);
  assert.doesNotMatch(before.reason, /revocation not checked/);
  assert.match((await verifySignatureElement(r.tree, { trustAnchors: [root.certDer] }, r.signature)).reason, /revocation not checked/);
  pki.revoke(signer, inter, 'keyCompromise');
  const after = await verifySignatureElement(r.tree, { trustAnchors: [root.certDer], crls: crls() }, r.signature);
  assert.equal(after.status, 'invalid');
});
