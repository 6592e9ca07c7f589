// The agency signs a packet on its SoftHSM token (XML-DSig, verified by us and by xmlsec1 against
// the test CA); a Mật packet is sealed for the recipient agency's certificate and opened by
// `openssl cms -decrypt` with the recipient's key on its token (OpenSSL's pkcs11 engine) and by us.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { EdxmlDocument } from '../../common/edxml';
import {
  buildDocumentPacket, buildStatusPacket, checkRoutingMatches, mustSeal, openSealedPacket, parseEdxml, readRouting, sealPacket, sealedCiphertext, signPacket, verifySignatureElement,
  type EdxmlDocumentInput,
} from '../../main/core/exchange/edxml';
import type { PrivateKeyOps } from '../../main/core/crypto';
import { TokenService, type SignedInToken } from '../../main/core/session/tokens';
import { TokenBridge } from '../../native/bridge/client';
import { moduleId } from '../../native/modules/discovery';
import { createSoftHsm, type SoftHsm } from '../fixtures/softhsm/tokens';

let hsm: SoftHsm;
let bridge: TokenBridge;
let agencyA: SignedInToken;
let agencyB: SignedInToken;
let agencyEc: SignedInToken;
const dir = mkdtempSync(join(tmpdir(), 'edxml-seal-'));

before(async () => {
  hsm = await createSoftHsm({ tokens: ['userRsa', 'userEc', 'recovery'] });
  bridge = new TokenBridge({ env: hsm.env });
  const tokens = new TokenService(bridge, async () => [hsm.modulePath]);
  agencyA = await tokens.signIn({ moduleId: moduleId(hsm.modulePath), serial: hsm.tokens.userRsa.serial }, hsm.tokens.userRsa.pin);
  agencyB = await tokens.signIn({ moduleId: moduleId(hsm.modulePath), serial: hsm.tokens.recovery.serial }, hsm.tokens.recovery.pin);
  agencyEc = await tokens.signIn({ moduleId: moduleId(hsm.modulePath), serial: hsm.tokens.userEc.serial }, hsm.tokens.userEc.pin);
  writeFileSync(join(dir, 'ca.pem'), hsm.ca.certPem);
});
after(async () => {
  await bridge.close();
  await hsm.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const organ = (organId: string, organName: string) => ({ organId, organizationInCharge: null, organName, organAdd: null, email: null, telephone: null, fax: null, website: null });
const input = (): EdxmlDocumentInput => ({
  from: organ('000.00.01.H49', 'Văn phòng Tỉnh ủy Quảng Ninh'), to: [organ('000.00.02.H49', 'Ban Tổ chức Tỉnh ủy')],
  documentId: '000.00.01.H49,2026/11/02,27-CV/TU', code: { number: '27', notation: 'CV/TU' }, promulgation: { place: 'Hạ Long', date: '2026-11-02' },
  documentType: { type: null, typeDetail: null, typeName: 'Công văn' }, subject: 'Về việc chuẩn bị nhân sự đại hội', content: null,
  signer: { competence: 'T/M BAN THƯỜNG VỤ', position: 'Phó Bí thư', fullName: 'Trần Văn Bình' }, dueDate: '2026-11-20', toPlaces: ['Như trên', 'Lưu VT'],
  otherInfo: { priority: 1, sphereOfPromulgation: null, typerNotation: null, promulgationAmount: 3, pageAmount: null, direction: null, appendixes: [], secrecy: 'mat' },
  responseFor: [], steeringType: 0, trace: [{ organId: '000.00.01.H49', timestamp: '2026-11-02T09:00:00+07:00' }],
  business: { documentId: null, docType: 0, reason: null, paper: 0, staff: [], documentInfo: null, replacements: [] },
  attachments: [{ name: 'cong-van.bin', description: 'Văn bản', contentType: 'application/octet-stream', bytes: Buffer.from('nội dung văn bản mật '.repeat(200)) }],
});

const xmlsecVerify = (file: string) => spawnSync('xmlsec1', ['--verify', '--trusted-pem', join(dir, 'ca.pem'), file], { encoding: 'utf8' });

test('the agency signs on its token: we and xmlsec1 verify; a changed byte or an unknown CA fails', async () => {
  const signed = await signPacket(buildDocumentPacket(input()).bytes, agencyA.signingKeys[0] as PrivateKeyOps);
  const r = await parseEdxml(signed);
  assert.equal((r.packet as EdxmlDocument).subject, 'Về việc chuẩn bị nhân sự đại hội');
  const v = await verifySignatureElement(r.tree, { trustAnchors: [hsm.ca.certDer] }, r.signature);
  assert.equal(v.status, 'valid', v.reason);
  assert.equal(v.signer?.commonName, 'Nguyễn Văn An');
  assert.equal(v.algorithm, 'rsa-sha256');
  const file = join(dir, 'signed.edxml');
  writeFileSync(file, signed);
  const ok = xmlsecVerify(file);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stderr + ok.stdout, /OK/);

  const tampered = Buffer.from(signed.toString('utf8').replace('chuẩn bị nhân sự', 'chuẩn bị tài chính'));
  const t = await parseEdxml(tampered);
  assert.equal((await verifySignatureElement(t.tree, { trustAnchors: [hsm.ca.certDer] }, t.signature)).status, 'invalid');
  writeFileSync(join(dir, 'tampered.edxml'), tampered);
  assert.notEqual(xmlsecVerify(join(dir, 'tampered.edxml')).status, 0);
  assert.equal((await verifySignatureElement(r.tree, { trustAnchors: [] }, r.signature)).status, 'untrusted');
  await assert.rejects(signPacket(signed, agencyA.signingKeys[0] as PrivateKeyOps), { code: 'EDXML_SIGNATURE' });
});

test('a Mật packet is sealed for the recipient agency: openssl cms -decrypt with the token key opens it, the signature still verifies', async () => {
  assert.equal(mustSeal('mat'), true);
  assert.equal(mustSeal('thuong'), false);
  const signed = await signPacket(buildDocumentPacket(input()).bytes, agencyA.signingKeys[0] as PrivateKeyOps);
  const recipientCert = hsm.tokens.recovery.keys[0]!.certDer;
  const sealed = await sealPacket(signed, { from: '000.00.01.H49', to: ['000.00.02.H49'], packetId: '0193a8f0-7c1e-7b2a-9d3e-5f1a2b3c4d5e', recipients: [{ certificate: recipientCert, oaepHash: 'SHA-1' }] });

  // Intermediaries see the routing header only: no subject, no name, no attachment byte.
  const { header, offset } = readRouting(sealed);
  assert.deepEqual(header, { from: '000.00.01.H49', to: ['000.00.02.H49'], packetId: '0193a8f0-7c1e-7b2a-9d3e-5f1a2b3c4d5e', size: sealed.length - offset });
  const asText = sealed.toString('latin1');
  for (const secret of ['nhân sự', Buffer.from('nhân sự').toString('latin1'), 'Công văn', 'cong-van', 'CV/TU']) assert.equal(asText.includes(secret), false, secret);

  const cmsFile = join(dir, 'sealed.cms');
  writeFileSync(cmsFile, sealedCiphertext(sealed).cms);
  writeFileSync(join(dir, 'recip.pem'), hsm.tokens.recovery.keys[0]!.certPem);
  const out = join(dir, 'opened.edxml');
  const env = { ...hsm.env, OPENSSL_CONF: join(hsm.root, 'openssl-pkcs11.cnf') };
  execFileSync('openssl', ['cms', '-decrypt', '-binary', '-inform', 'DER', '-in', cmsFile, '-recip', join(dir, 'recip.pem'), '-engine', 'pkcs11', '-keyform', 'engine',
    '-inkey', `pkcs11:token=${hsm.tokens.recovery.label};object=${hsm.tokens.recovery.keys[0]!.label};type=private;pin-value=${hsm.tokens.recovery.pin}`, '-out', out], { env, stdio: 'pipe' });
  assert.deepEqual(readFileSync(out), signed);
  const x = xmlsecVerify(out);
  assert.equal(x.status, 0, x.stderr);
  const printed = execFileSync('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', cmsFile]).toString();
  assert.match(printed, /id-smime-ct-authEnvelopedData/);
  assert.match(printed, /aes-256-gcm/);

  // And with our own reader, the recipient agency's key on its token.
  const opened = await openSealedPacket(sealed, agencyB.identity.unlockKeys[0]!);
  assert.deepEqual(opened.packet, signed);
  const r = await parseEdxml(opened.packet);
  checkRoutingMatches(opened.header, r.packet);
  assert.throws(() => checkRoutingMatches({ ...opened.header, to: ['000.00.09.H49'] }, r.packet), { code: 'EDXML_ENVELOPE' });
  // Someone else's key cannot open it; a flipped ciphertext byte is caught by the GCM tag.
  await assert.rejects(openSealedPacket(sealed, agencyA.identity.unlockKeys[0]!));
  const flipped = Buffer.from(sealed);
  flipped[flipped.length - 40]! ^= 1;
  await assert.rejects(openSealedPacket(flipped, agencyB.identity.unlockKeys[0]!));
  assert.throws(() => readRouting(sealed.subarray(0, sealed.length - 1)), { code: 'EDXML_ENVELOPE' });
});

test('an agency whose token holds an EC key signs with ECDSA-SHA256; xmlsec1 verifies', async () => {
  const signed = await signPacket(buildDocumentPacket(input()).bytes, agencyEc.signingKeys[0] as PrivateKeyOps);
  const r = await parseEdxml(signed);
  const v = await verifySignatureElement(r.tree, { trustAnchors: [hsm.ca.certDer] }, r.signature);
  assert.equal(v.status, 'valid', v.reason);
  assert.equal(v.algorithm, 'ecdsa-sha256');
  assert.equal(v.signer?.commonName, 'Trần Thị Bình');
  writeFileSync(join(dir, 'signed-ec.edxml'), signed);
  const x = xmlsecVerify(join(dir, 'signed-ec.edxml'));
  assert.equal(x.status, 0, x.stderr);
});

test('status packets are signed the same way', async () => {
  const status = buildStatusPacket({
    from: organ('000.00.02.H49', 'Ban Tổ chức Tỉnh ủy'), responseFor: { organId: '000.00.01.H49', code: '27-CV/TU', promulgationDate: '2026-11-02', documentId: '000.00.01.H49,2026/11/02,27-CV/TU' },
    staff: { department: 'Văn thư', staff: 'Lê Thị Hoa', mobile: null, email: null }, statusCode: '02', description: 'Sai nơi nhận: văn bản gửi Ban Tuyên giáo', timestamp: '2026-11-02T10:00:00+07:00',
  });
  const signed = await signPacket(status.bytes, agencyB.signingKeys[0] ?? (agencyA.signingKeys[0] as PrivateKeyOps));
  const r = await parseEdxml(signed);
  assert.equal((await verifySignatureElement(r.tree, { trustAnchors: [hsm.ca.certDer] }, r.signature)).status, 'valid');
  writeFileSync(join(dir, 'status.edxml'), signed);
  assert.equal(xmlsecVerify(join(dir, 'status.edxml')).status, 0);
});
