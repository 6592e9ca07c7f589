// When and by whom a signature is vouched for: the certificate is judged at the time of
// verification unless a trusted RFC 3161 timestamp (real tokens from `openssl ts`) proves an earlier
// time; revocation by CRLs made with `openssl ca -gencrl` ("not checked" when none covers the
// issuer); CA certificates and certificates for other purposes (TLS server, code signing …) refused.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { attachTimestamp, signatureValueOf } from '../../../main/core/crypto/timestamp';
import { parseCrlFiles, parseCrls } from '../../../main/core/crypto/crl';
import { signDetached } from '../../../main/core/crypto/sign';
import { verifyDetached, type VerifyResult } from '../../../main/core/crypto/verify';
import { readMachineConfig, readRevocationLists, revocationListSources } from '../../../native/modules/machineConfig';
import { Desk } from '../../../main/core/desk';
import { actorFor } from '../../../main/core/org/users';
import { registration, tempDir } from '../../helpers/desk';
import { opensslTry, standardPki, type Party, type TestPki } from '../../helpers/pki';
import { softKey } from '../../helpers/softKey';
import { cliEntry } from '../../helpers/cli';

let pki: TestPki & { root: Party; inter: Party };
let doc: string;
const p = (n: string) => pki.get(n);
const keyOf = (n: string) => softKey(p(n).certDer, p(n).keyPem);
const anchors = () => [pki.root.certPem];
const failed = (r: VerifyResult) => Object.entries(r.checks).filter(([, c]) => !c.ok).map(([k]) => k);
const DAY = 86_400_000;
/** YYYYMMDDHHMMSSZ for openssl. */
const stamp = (d: Date) => d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';

before(async () => {
  pki = await standardPki();
  doc = join(pki.dir, 'to-trinh.pdf');
  writeFileSync(doc, '%PDF-1.7\nTờ trình về việc phê duyệt kế hoạch\n%%EOF\n');
  await pki.generateKeys({
    tsa: 'ec-p256', untrustedTsa: 'ec-p256', shortLived: 'ec-p256', lateRevoked: 'ec-p256', revokedNow: 'ec-p256', fakeInter: 'ec-p384',
    ekuServer: 'ec-p256', ekuCode: 'ec-p256', ekuClient: 'ec-p256', ekuEmail: 'ec-p256', ekuDoc: 'ec-p256', ekuMsDoc: 'ec-p256', ekuAny: 'ec-p256', ekuStamp: 'ec-p256', caLeaf: 'ec-p256',
  });
  const leaf = (name: string, cn: string, o: Record<string, unknown> = {}) =>
    pki.issue(name, { subject: `/C=VN/O=Bộ Tài chính/CN=${cn}`, issuer: pki.inter, key: 'ec-p256', keyUsage: 'digitalSignature, nonRepudiation', ...o });
  leaf('tsa', 'Dịch vụ cấp dấu thời gian', { extKeyUsage: 'critical, timeStamping' });
  pki.issue('untrustedTsa', { subject: '/C=VN/CN=TSA lạ', issuer: p('otherRoot'), key: 'ec-p256', keyUsage: 'digitalSignature', extKeyUsage: 'critical, timeStamping' });
  // Valid until two days from now: after that only a timestamp can vouch for its signatures.
  leaf('shortLived', 'Nguyễn Thị Ngắn Hạn', { end: stamp(new Date(Date.now() + 2 * DAY)) });
  leaf('lateRevoked', 'Trần Văn Thu Hồi Sau');
  leaf('revokedNow', 'Lê Thị Bị Thu Hồi');
  leaf('ekuServer', 'www.mof.gov.vn', { extKeyUsage: 'serverAuth' });
  leaf('ekuCode', 'Phần mềm Văn phòng', { extKeyUsage: 'codeSigning' });
  leaf('ekuClient', 'Chỉ đăng nhập', { extKeyUsage: 'clientAuth' });
  leaf('ekuStamp', 'Chỉ dấu thời gian', { extKeyUsage: 'timeStamping' });
  leaf('ekuEmail', 'Thư và ký số', { extKeyUsage: 'clientAuth, emailProtection' });
  leaf('ekuDoc', 'Ký văn bản RFC 9336', { extKeyUsage: '1.3.6.1.5.5.7.3.36' });
  leaf('ekuMsDoc', 'Ký văn bản Microsoft', { extKeyUsage: '1.3.6.1.4.1.311.10.3.12' });
  leaf('ekuAny', 'Mọi mục đích', { extKeyUsage: 'anyExtendedKeyUsage' });
  leaf('caLeaf', 'CA cấp dưới ký văn bản', { ca: true, keyUsage: 'digitalSignature, keyCertSign, cRLSign' });
  // Same name as the real intermediate, another key: its CRLs must not count.
  pki.issue('fakeInter', { key: 'ec-p384', subject: '/C=VN/O=Ban Cơ yếu Chính phủ/OU=Cục Chứng thực số/CN=CA trung gian thử nghiệm', ca: true });
});
after(() => pki.cleanup());

const sign = (who: string, signingTime?: Date) => signDetached(createReadStream(doc), { key: keyOf(who), chain: [pki.inter.certDer], ...(signingTime ? { signingTime } : {}) });
const verify = (sig: Uint8Array, o: { now?: Date; crls?: string[] } = {}) =>
  verifyDetached(sig, createReadStream(doc), { trustAnchors: anchors(), ...(o.now ? { now: o.now } : {}), crls: (o.crls ?? []).map((f) => readFileSync(f)) });
const stamped = async (sig: Uint8Array, tsa = 'tsa') => attachTimestamp(sig, pki.timestampToken(p(tsa), signatureValueOf(sig), [pki.inter]));

describe('the time a signature is judged at', () => {
  test('a certificate that expired in 2021, signed today with signingTime 2020: invalid', async () => {
    const r = await verify(await sign('expired', new Date('2020-06-15T03:00:00Z')));
    assert.equal(r.valid, false);
    assert.equal(r.validatedAtSource, 'verification');
    assert.ok(failed(r).includes('certValid'), JSON.stringify(failed(r)));
    assert.match(r.checks.certValid.reasonVi, /đã hết hiệu lực/);
    assert.match(r.messageVi, /^Chữ ký số KHÔNG hợp lệ/);
  });

  test('a real openssl timestamp proves the signature existed while the certificate was valid', async () => {
    const sig = await sign('shortLived');
    const withTs = await stamped(sig);
    // openssl itself accepts the token for this signature value.
    const sv = join(pki.dir, 'sv.bin');
    writeFileSync(sv, signatureValueOf(withTs));
    const tokenFile = join(pki.dir, 'token.tst');
    writeFileSync(tokenFile, pki.timestampToken(p('tsa'), signatureValueOf(sig), [pki.inter]));
    const ossl = opensslTry(['ts', '-verify', '-data', sv, '-in', tokenFile, '-token_in', '-CAfile', pki.root.certPath, '-untrusted', pki.inter.certPath]);
    assert.ok(ossl.ok, ossl.stderr);

    const now = await verify(withTs);
    assert.equal(now.valid, true, JSON.stringify(now.checks));
    assert.equal(now.validatedAtSource, 'timestamp');
    assert.equal(now.timestamp?.authority, 'Dịch vụ cấp dấu thời gian');
    assert.ok(Math.abs(now.timestamp!.time.getTime() - Date.now()) < 60_000);
    assert.match(now.messageVi, /Dấu thời gian: .* \(Dịch vụ cấp dấu thời gian\)/);

    // A month later the certificate has expired: the timestamp still vouches, the bare signature does not.
    const later = new Date(Date.now() + 30 * DAY);
    const a = await verify(withTs, { now: later });
    assert.equal(a.valid, true, JSON.stringify(a.checks));
    assert.equal(a.validatedAt.getTime(), a.timestamp!.time.getTime());
    const b = await verify(sig, { now: later });
    assert.equal(b.valid, false);
    assert.deepEqual(failed(b), ['certValid', 'chain']);
  });

  test('timestamps that do not check out make the signature invalid', async () => {
    const sig = await sign('shortLived');
    const other = await sign('alice');
    const cases: Array<[string, Uint8Array, RegExp]> = [
      ['an authority the workstation does not trust', await stamped(sig, 'untrustedTsa'), /không được tin cậy/],
      ['a token made for another signature', attachTimestamp(sig, pki.timestampToken(p('tsa'), signatureValueOf(other), [pki.inter])), /không phải của chữ ký này/],
    ];
    // A token whose TSTInfo was edited after the authority signed it (one byte of genTime).
    const token = Buffer.from(pki.timestampToken(p('tsa'), signatureValueOf(sig), [pki.inter]));
    const g = token.indexOf(Buffer.from([0x18, 0x0f])); // GeneralizedTime YYYYMMDDHHMMSSZ
    assert.ok(g > 0);
    token[g + 2] = token[g + 2] === 0x31 ? 0x32 : 0x31; // change the year's first digit
    cases.push(['a token changed after signing', attachTimestamp(sig, token), /sửa đổi|chữ ký này/]);
    for (const [what, bytes, why] of cases) {
      const r = await verify(bytes, { now: new Date(Date.now() + 30 * DAY) });
      assert.equal(r.valid, false, what);
      assert.equal(r.checks.timestamp.ok, false, what);
      assert.match(r.checks.timestamp.reasonVi, why, what);
      assert.equal(r.validatedAtSource, 'verification', `${what}: judged now`);
    }
  });
});

describe('revocation by the CRLs IT installed', () => {
  test('no CRL: valid, but "revocation not checked" is said', async () => {
    const r = await verify(await sign('alice'));
    assert.equal(r.valid, true);
    assert.equal(r.revocation.status, 'not-checked');
    assert.match(r.revocation.reasonVi, /^Máy trạm chưa có danh sách thu hồi \(CRL\) của "CA trung gian thử nghiệm"/);
    assert.match(r.messageVi, /Chưa kiểm tra được tình trạng thu hồi: Máy trạm chưa có danh sách thu hồi/);
  });

  test('a revoked signer is invalid; CRLs for the whole path make others "good"', async () => {
    const sig = await sign('revokedNow');
    const good = await sign('bob');
    pki.revoke(p('revokedNow'), pki.inter, 'keyCompromise');
    const crls = [pki.crl(pki.inter), pki.crl(pki.root)];
    const r = await verify(sig, { crls });
    assert.equal(r.valid, false);
    assert.deepEqual(failed(r), ['revocation']);
    assert.equal(r.revocation.status, 'revoked');
    assert.match(r.revocation.reasonVi, /đã bị thu hồi từ ngày \d{2}\/\d{2}\/\d{4} \(lộ khóa bí mật\)/);
    const ok = await verify(good, { crls });
    assert.equal(ok.valid, true);
    assert.equal(ok.revocation.status, 'good');
    // Only the intermediate's CRL: the intermediate itself is not covered.
    const half = await verify(good, { crls: [crls[0]!] });
    assert.equal(half.revocation.status, 'not-checked');
    assert.match(half.revocation.reasonVi, /Cơ quan chứng thực gốc thử nghiệm/);
  });

  test('a serial whose first byte is below 0x10 is found on the CRL (its leading zero digit is kept on both sides)', async () => {
    pki.nextSerial(pki.inter, '0A1B2C3D4E5F60718293A4B5C6D7E8F9');
    pki.issue('lowSerial', { subject: '/C=VN/O=Bộ Tài chính/CN=Phạm Văn Số Nhỏ', issuer: pki.inter, key: 'ec-p256', keyUsage: 'digitalSignature, nonRepudiation' });
    const sig = await sign('lowSerial');
    pki.revoke(p('lowSerial'), pki.inter, 'keyCompromise');
    const r = await verify(sig, { crls: [pki.crl(pki.inter), pki.crl(pki.root)] });
    assert.equal(r.signer?.serial, '0A1B2C3D4E5F60718293A4B5C6D7E8F9');
    assert.equal(r.revocation.status, 'revoked');
    assert.equal(r.valid, false);
  });

  test('a CRL signed by another key under the same name, or out of date, does not count; a revocation on a stale CRL still does', async () => {
    const sig = await sign('bob');
    const forged = pki.crl(p('fakeInter'));
    const rootCrl = pki.crl(pki.root);
    const f = await verify(sig, { crls: [forged, rootCrl] });
    assert.equal(f.valid, true);
    assert.equal(f.revocation.status, 'not-checked');
    assert.match(f.revocation.reasonVi, /không dùng được/);
    const stale = pki.crl(pki.inter, { lastUpdate: stamp(new Date(Date.now() - 60 * DAY)), nextUpdate: stamp(new Date(Date.now() - 30 * DAY)) });
    const s = await verify(sig, { crls: [stale, rootCrl] });
    assert.equal(s.revocation.status, 'not-checked');
    assert.match(s.revocation.reasonVi, /đã hết hạn/);
    const revoked = await verify(await sign('revokedNow'), { crls: [stale, rootCrl] });
    assert.equal(revoked.revocation.status, 'revoked');
  });

  test('revoked after a timestamped signature: the signature stands; without the timestamp it does not', async () => {
    const sig = await sign('lateRevoked');
    const withTs = await stamped(sig);
    await new Promise((r) => setTimeout(r, 1100)); // revocation dates have whole seconds
    pki.revoke(p('lateRevoked'), pki.inter, 'superseded');
    const crls = [pki.crl(pki.inter), pki.crl(pki.root)];
    const a = await verify(withTs, { crls });
    assert.equal(a.valid, true, JSON.stringify(a.checks));
    assert.match(a.revocation.reasonVi, /vẫn có giá trị/);
    const b = await verify(sig, { crls });
    assert.equal(b.valid, false);
    assert.deepEqual(failed(b), ['revocation']);
  });

  test('CRLs are read from the crl folder beside machine.json and from its crls list; a bad file spoils nothing else', async () => {
    const etc = join(pki.dir, 'etc-securedesk');
    mkdirSync(join(etc, 'crl'), { recursive: true });
    const extra = join(pki.dir, 'crls-extra');
    mkdirSync(extra);
    writeFileSync(join(etc, 'crl', 'ca-trung-gian.crl'), readFileSync(pki.crl(pki.inter)));
    writeFileSync(join(etc, 'crl', 'hong.crl'), 'không phải CRL');
    writeFileSync(join(etc, 'crl', 'ghi-chu.txt'), 'ignored');
    writeFileSync(join(extra, 'goc.pem'), readFileSync(pki.crl(pki.root)));
    const config = join(etc, 'machine.json');
    writeFileSync(config, JSON.stringify({ pkcs11Modules: [], crls: [extra] }), { mode: 0o644 });
    const cfg = await readMachineConfig(config);
    const read = await readRevocationLists(revocationListSources(config, cfg));
    assert.deepEqual(read.files.map((f) => f.path.slice(pki.dir.length)), ['/etc-securedesk/crl/ca-trung-gian.crl', '/etc-securedesk/crl/hong.crl', '/crls-extra/goc.pem']);
    const parsed = parseCrlFiles(read.files);
    assert.equal(parsed.crls.length, 2);
    assert.equal(parsed.problems.length, 1);
    assert.match(parsed.problems[0]!, /hong\.crl/);
    const r = await verifyDetached(await sign('bob'), createReadStream(doc), { trustAnchors: anchors(), crls: parsed.crls });
    assert.equal(r.revocation.status, 'good');
    assert.equal(parseCrls([readFileSync(pki.crl(pki.inter))])[0]!.issuer.includes('CA trung gian thử nghiệm'), true);
  });
});

describe('which certificates may sign documents', () => {
  test('a TLS-server-only certificate is not a valid signer', async () => {
    const r = await verify(await sign('ekuServer'));
    assert.equal(r.valid, false);
    assert.deepEqual(failed(r), ['purpose']);
    assert.match(r.checks.purpose.reasonVi, /xác thực máy chủ TLS/);
  });

  test('a CA certificate is not a valid signer', async () => {
    const r = await verify(await sign('caLeaf'));
    assert.equal(r.valid, false);
    assert.deepEqual(failed(r), ['purpose']);
    assert.match(r.checks.purpose.reasonVi, /chứng thư của tổ chức cấp chứng thư \(CA\)/);
  });

  test('extended key usage: document signing, e-mail protection and any purpose are accepted; the rest refused', async () => {
    for (const who of ['alice', 'ekuEmail', 'ekuDoc', 'ekuMsDoc', 'ekuAny']) {
      const r = await verify(await sign(who));
      assert.equal(r.valid, true, `${who}: ${JSON.stringify(failed(r))}`);
    }
    for (const who of ['ekuCode', 'ekuClient', 'ekuStamp']) {
      const r = await verify(await sign(who));
      assert.deepEqual(failed(r), ['purpose'], who);
    }
  });
});

test('securedesk verify prints the timestamp, the time judged at, and the revocation state in Vietnamese', async () => {
  const sig = await sign('shortLived');
  const sigPath = join(pki.dir, 'cli.p7s');
  writeFileSync(sigPath, await stamped(sig));
  const bare = join(pki.dir, 'cli-bare.p7s');
  writeFileSync(bare, await sign('revokedNow'));
  const config = join(pki.dir, 'cli-machine.json');
  writeFileSync(config, JSON.stringify({ pkcs11Modules: [] }), { mode: 0o644 });
  const run = (args: string[]) => spawnSync(process.execPath, [...cliEntry(), 'verify', doc, ...args, '--machine-config', config, '--trust', pki.root.certPath], { encoding: 'utf8' });
  const a = run([sigPath]);
  assert.equal(a.status, 0, a.stdout + a.stderr);
  assert.match(a.stdout, /Dấu thời gian: \d{2}:\d{2} ngày \d{2}\/\d{2}\/\d{4} \(Dịch vụ cấp dấu thời gian\)/);
  assert.match(a.stdout, /Hiệu lực chứng thư tại thời điểm của dấu thời gian/);
  assert.match(a.stdout, /Tình trạng thu hồi: CHƯA KIỂM TRA: Máy trạm chưa có danh sách thu hồi \(CRL\)/);
  const b = run([bare, '--crl', pki.crl(pki.inter), '--crl', pki.crl(pki.root)]);
  assert.equal(b.status, 1);
  assert.match(b.stdout, /Tình trạng thu hồi: ĐÃ BỊ THU HỒI/);
});

test('the signature panel gets how each signature was judged: time, timestamp, revocation from the CRL folder read at each verification', async () => {
  const t = tempDir('securedesk-trust-desk-');
  const crlDir = join(t.dir, 'crl');
  mkdirSync(crlDir);
  const desk = await Desk.open({
    profileDir: join(t.dir, 'profile'),
    // The app signs without the CA chain in the signature: the workstation trusts the issuing CA here.
    trustAnchors: [pki.root.certDer, pki.inter.certDer],
    revocationLists: () => readRevocationLists([crlDir]).then((r) => r.files),
  });
  try {
    const eve = { unlockKeys: [keyOf('eve')], signingKeys: [keyOf('eve')] };
    const session = await desk.setup({
      unit: { name: 'Văn phòng Tỉnh ủy Quảng Ninh', code: '000.00.01.H49', preset: 'state' },
      admin: { fullName: 'Lê Văn Đức', position: 'Văn thư', role: 'van_thu', clearance: 'tuyet_mat' },
    }, eve);
    const actor = actorFor(session.user);
    const doc = await desk.incoming.register(actor, await registration(desk, actor));
    await desk.incoming.sign(actor, doc.id, keyOf('eve'));
    const before = await desk.incoming.verify(actor, doc.id);
    assert.deepEqual(before.map((s) => s.valid), [true, true], JSON.stringify(before.map((s) => s.failed)));
    for (const s of before) {
      assert.equal(s.trust?.revocation, 'not_checked');
      assert.match(s.trust!.revocationNote, /chưa có danh sách thu hồi/);
      assert.equal(s.trust?.timestamp, null);
      assert.ok(Math.abs(Date.parse(s.trust!.validatedAt) - Date.now()) < 60_000);
    }
    // IT revokes the certificate and drops the CRLs into the folder: the next verification sees it.
    pki.revoke(p('eve'), pki.inter, 'keyCompromise');
    writeFileSync(join(crlDir, 'inter.crl'), readFileSync(pki.crl(pki.inter)));
    writeFileSync(join(crlDir, 'root.pem'), readFileSync(pki.crl(pki.root)));
    const after = await desk.incoming.verify(actor, doc.id);
    assert.deepEqual(after.map((s) => [s.valid, s.trust?.revocation]), [[false, 'revoked'], [false, 'revoked']]);
    assert.ok(after[0]!.failed.some((f) => f.check === 'revocation' && /đã bị thu hồi/.test(f.reason)));
  } finally {
    desk.close();
    t.cleanup();
  }
});
