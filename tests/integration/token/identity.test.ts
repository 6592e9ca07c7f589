// Identity and trust with real SoftHSM tokens (issue 6, section 2, items 1 and 3):
// - setup binds only the certificates whose keys prove themselves on the administrator's token;
// - the person is the holder of the certificate whose key unwrapped the keyring: a Tuyệt mật
//   văn thư's certificate written onto the Mật clerk's token does not make her session the văn thư's,
//   and the clerk cannot sign with a key whose certificate is bound to the văn thư;
// - binding cannot raise anyone: an administrator cleared Thường cannot bind a token to the Tuyệt mật
//   văn thư, a self-signed certificate chains to nothing, expired or unfit certificates are refused,
//   a certificate bound to one person is not silently rebound to another; unbinding is audited;
// - a plain profile from before token binding lists nobody before sign-in and binds only on the
//   recovery key's authority (or for a token bound before).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { DeskError } from '../../../common/errors';
import { incomingRegisterSchema } from '../../../common/schemas';
import { isPlainDatabase, openDatabase } from '../../../main/core/db/connection';
import { Desk } from '../../../main/core/desk';
import { fingerprintOf } from '../../../main/core/org/certificates';
import { runSetup } from '../../../main/core/org/setup';
import { actorFor, addUser, getUser } from '../../../main/core/org/users';
import { parseCertificate } from '../../../main/core/crypto';
import { SessionGuard } from '../../../main/core/session/guard';
import { TokenService, type TokenRef } from '../../../main/core/session/tokens';
import { makeSamplePdf } from '../../../main/devhost/samplePdf';
import { createRouter } from '../../../main/ipc/router';
import { TokenBridge } from '../../../native/bridge/client';
import { moduleId } from '../../../native/modules/discovery';
import { createSoftHsm, keyOf, type SoftHsm } from '../../fixtures/softhsm/tokens';
import { tempDir } from '../../helpers/desk';
import { addToken, deleteCertificate, writeCertificate, type CustomToken } from '../../helpers/hsmTokens';
import { TestPki } from '../../helpers/pki';

const O = '/O=Văn phòng Thử nghiệm SecureDesk/C=VN';
const PIN = '246810';
const SIGN_EC = 'critical,digitalSignature,nonRepudiation';

const isDeskError = (code: string, detail?: string) => (e: unknown) =>
  e instanceof DeskError && e.code === code && (detail === undefined || e.details?.code === detail);

let hsm: SoftHsm;
let bridge: TokenBridge;
let tokens: TokenService;
const t: Record<'admin' | 'tmvt' | 'mat' | 'qt' | 'spare', CustomToken> = {} as never;
let pki: TestPki;

before(async () => {
  hsm = await createSoftHsm({ tokens: ['recovery'] });
  // Sequential: the test CA keeps a database.
  t.admin = await addToken(hsm, 'SD-ADMIN', PIN, [
    { id: '01', label: 'admin', algorithm: 'rsa:2048', subject: `/CN=Hoàng Quản Trị${O}`, keyUsage: 'critical,digitalSignature,nonRepudiation,keyEncipherment', issuer: 'ca' },
  ]);
  t.tmvt = await addToken(hsm, 'SD-TMVT', PIN, [
    { id: '01', label: 'tuyet-enc', algorithm: 'rsa:2048', subject: `/CN=Nguyễn Thị Tuyết${O}`, keyUsage: 'critical,keyEncipherment', issuer: 'ca' },
    { id: '02', label: 'tuyet-sign', algorithm: 'EC:secp256r1', subject: `/CN=Nguyễn Thị Tuyết${O}`, keyUsage: SIGN_EC, issuer: 'ca' },
  ]);
  t.mat = await addToken(hsm, 'SD-MAT', PIN, [
    { id: '01', label: 'manh-enc', algorithm: 'rsa:2048', subject: `/CN=Lê Văn Mạnh${O}`, keyUsage: 'critical,keyEncipherment', issuer: 'ca' },
    { id: '02', label: 'manh-sign', algorithm: 'EC:secp256r1', subject: `/CN=Lê Văn Mạnh${O}`, keyUsage: SIGN_EC, issuer: 'ca' },
  ]);
  t.qt = await addToken(hsm, 'SD-QT', PIN, [
    { id: '01', label: 'thuong', algorithm: 'rsa:2048', subject: `/CN=Phạm Văn Thường${O}`, keyUsage: 'critical,digitalSignature,keyEncipherment', issuer: 'ca' },
  ]);
  // The spare token: its holder makes their own certificate, in the văn thư's name.
  t.spare = await addToken(hsm, 'SD-SPARE2', PIN, [
    { id: '01', label: 'self', algorithm: 'rsa:2048', subject: `/CN=Nguyễn Thị Tuyết${O}`, keyUsage: 'critical,digitalSignature,keyEncipherment', issuer: 'self' },
  ]);
  bridge = new TokenBridge({ env: hsm.env });
  tokens = new TokenService(bridge, async () => [hsm.modulePath]);
  pki = new TestPki();
});
after(async () => {
  await bridge?.close();
  await hsm?.cleanup();
  pki?.cleanup();
});

const ref = (x: { serial: string }): TokenRef => ({ moduleId: moduleId(hsm.modulePath), serial: x.serial });
const recoveryCert = () => keyOf(hsm.tokens.recovery, 'recovery').certDer;
const SETUP = {
  unit: { name: 'Văn phòng Tỉnh ủy', code: '000.00.01.H49', preset: 'party' as const },
  admin: { fullName: 'Hoàng Quản Trị', position: 'Quản trị hệ thống', role: 'quan_tri' as const, clearance: 'tuyet_mat' as const },
};

/** The token's directory state changed behind the bridge: SoftHSM shows it to a fresh process. */
async function tamper(fn: () => Promise<void>): Promise<void> {
  await fn();
  await bridge.close();
}

describe('an encrypted profile: identity and binding', () => {
  const profile = tempDir('securedesk-identity-');
  let desk: Desk;
  let guard: SessionGuard;
  const ids = { tmvt: 0, mat: 0, qt: 0 };
  after(() => {
    guard?.lock('manual');
    desk?.close();
    profile.cleanup();
  });

  test('setup binds the administrator by the certificate of the key that proved it; the people are bound by an administrator', async () => {
    desk = await Desk.open({ profileDir: profile.dir, trustAnchors: [hsm.ca.certDer], recoveryCertificates: [recoveryCert()] });
    guard = new SessionGuard(desk, tokens);
    // The văn thư's (public) signing certificate also sits on the administrator's token, without its key.
    await tamper(() => writeCertificate(hsm, t.admin, t.tmvt.certs['02']!, '09', 'tuyet-copy'));
    const session = await guard.setup(SETUP, ref(t.admin), PIN);
    assert.equal(session.user.fullName, 'Hoàng Quản Trị');
    const admin = actorFor(session.user);
    ids.tmvt = (await desk.org.addUser(admin, { fullName: 'Nguyễn Thị Tuyết', position: 'Văn thư', role: 'van_thu', clearance: 'tuyet_mat' })).id;
    ids.mat = (await desk.org.addUser(admin, { fullName: 'Lê Văn Mạnh', position: 'Văn thư', role: 'van_thu', clearance: 'mat' })).id;
    ids.qt = (await desk.org.addUser(admin, { fullName: 'Phạm Văn Thường', position: 'Quản trị mạng', role: 'quan_tri', clearance: 'thuong' })).id;
    await guard.bindToken(admin, ids.tmvt, ref(t.tmvt));
    await guard.bindToken(admin, ids.mat, ref(t.mat));
    await guard.bindToken(admin, ids.qt, ref(t.qt));
    const bound = desk.org.listUsers(admin);
    assert.deepEqual(bound.find((u) => u.id === ids.tmvt)!.certificates.map((c) => c.fingerprint).sort(),
      [t.tmvt.certs['01']!, t.tmvt.certs['02']!].map((d) => fingerprintOf(parseCertificate(d))).sort());
    assert.deepEqual(bound.find((u) => u.id === session.user.id)!.certificates.map((c) => c.fingerprint),
      [fingerprintOf(parseCertificate(t.admin.certs['01']!))], 'only the certificate whose key proved itself');
    guard.lock('manual');
    for (const [token, name] of [[t.tmvt, 'Nguyễn Thị Tuyết'], [t.mat, 'Lê Văn Mạnh'], [t.qt, 'Phạm Văn Thường']] as const) {
      assert.equal((await guard.unlock(ref(token), PIN)).user.fullName, name);
      guard.lock('manual');
    }
  });

  test("another person's certificate written onto the Mật clerk's token: every unlock opens as the clerk", async () => {
    // The clerk keeps only her unlocking certificate and writes the văn thư's (public) signing certificate.
    await tamper(async () => {
      await deleteCertificate(hsm, t.mat, '02');
      await writeCertificate(hsm, t.mat, t.tmvt.certs['02']!, '09', 'tuyet-copy');
    });
    // SoftHSM lists objects in a different order in each process: try it in ten fresh bridge processes.
    for (let i = 0; i < 10; i++) {
      const session = await guard.unlock(ref(t.mat), PIN);
      assert.equal(session.user.fullName, 'Lê Văn Mạnh', `attempt ${i + 1}`);
      assert.equal(session.user.clearance, 'mat');
      guard.lock('manual');
      await bridge.close();
    }
  });

  test("the clerk's key with the văn thư's certificate in its place proves nothing", async () => {
    // Her own unlocking certificate replaced by the văn thư's: the key cannot unwrap what was wrapped for the văn thư.
    await tamper(async () => {
      await deleteCertificate(hsm, t.mat, '01');
      await writeCertificate(hsm, t.mat, t.tmvt.certs['01']!, '01', 'tuyet-enc-copy');
    });
    await assert.rejects(guard.unlock(ref(t.mat), PIN), (e: unknown) => e instanceof DeskError && e.code !== 'PIN_INCORRECT');
    assert.equal(desk.session, null);
    assert.equal(desk.state, 'locked');
    await tamper(async () => {
      await deleteCertificate(hsm, t.mat, '01');
      await deleteCertificate(hsm, t.mat, '09');
      await writeCertificate(hsm, t.mat, readMatCert(), '01', 'manh-enc');
    });
    assert.equal((await guard.unlock(ref(t.mat), PIN)).user.fullName, 'Lê Văn Mạnh');
    guard.lock('manual');
  });

  test("signing with a key whose certificate is bound to someone else is refused; one's own signs", async () => {
    // The văn thư's signing certificate in the place of the clerk's own signing key (CKA_ID 02).
    await tamper(() => writeCertificate(hsm, t.mat, t.tmvt.certs['02']!, '02', 'tuyet-sign-copy'));
    const session = await guard.unlock(ref(t.mat), PIN);
    const clerk = actorFor(session.user);
    const pdf = await makeSamplePdf({ issuer: 'Ban Tổ chức', numberSymbol: '12-CV/BTC', title: 'CÔNG VĂN', subject: 'Về việc thử ký số' });
    const staged = await desk.attachments.stage(clerk, Readable.from([Buffer.from(pdf)]), 'cong-van.pdf');
    const doc = await desk.incoming.register(clerk, incomingRegisterSchema.parse({
      issuer: { name: 'Ban Tổ chức' }, numberSymbol: '12-CV/BTC', documentDate: '2026-11-02', typeCode: 'CV',
      subject: 'Về việc thử ký số', secrecy: 'thuong', urgency: 'thuong', stagedIds: [staged.stagedId],
    }));
    const route = createRouter({ desk, guard, attachmentUrl: (x) => x });
    const r = await route('incoming.sign', { id: doc.id });
    assert.ok(!r.ok && r.error.code === 'FORBIDDEN' && r.error.details?.code === 'SIGNER_NOT_YOU', JSON.stringify(r));
    assert.equal(desk.db.prepare('SELECT count(*) FROM signatures').pluck().get(), 0, 'nothing signed');
    guard.lock('manual');

    // Her own signing certificate back: she signs, as herself.
    await tamper(async () => {
      await deleteCertificate(hsm, t.mat, '02');
      await writeCertificate(hsm, t.mat, readMatSignCert(), '02', 'manh-sign');
    });
    await guard.unlock(ref(t.mat), PIN);
    const ok = await route('incoming.sign', { id: doc.id });
    assert.ok(ok.ok, JSON.stringify(ok));
    assert.deepEqual(desk.db.prepare('SELECT DISTINCT signer_name FROM signatures').pluck().all(), ['Lê Văn Mạnh']);
    guard.lock('manual');
  });

  test('an administrator cleared Thường cannot bind a token to the Tuyệt mật văn thư, nor unbind hers', async () => {
    const session = await guard.unlock(ref(t.qt), PIN);
    const qt = actorFor(session.user);
    await assert.rejects(guard.bindToken(qt, ids.tmvt, ref(t.spare)), isDeskError('FORBIDDEN'));
    await assert.rejects(desk.org.unbindCertificate(qt, ids.tmvt, fingerprintOf(parseCertificate(t.tmvt.certs['01']!))), isDeskError('FORBIDDEN'));
    guard.lock('manual');
    await assert.rejects(guard.unlock(ref(t.spare), PIN), isDeskError('NOT_BOUND'));
    assert.equal(desk.session, null);
  });

  test('a self-signed, an expired or an unfit certificate is not bound; nor one bound to someone else', async () => {
    const session = await guard.unlock(ref(t.admin), PIN);
    const admin = actorFor(session.user);
    // Self-signed on the spare token, in the văn thư's name: it chains to none of the machine's roots.
    await assert.rejects(guard.bindToken(admin, ids.tmvt, ref(t.spare)), isDeskError('TOKEN_UNSUITABLE', 'UNTRUSTED'));
    // The Thường administrator's token is his: not silently rebound to the văn thư.
    await assert.rejects(guard.bindToken(admin, ids.tmvt, ref(t.qt)), isDeskError('VALIDATION', 'BOUND_ELSEWHERE'));
    assert.equal(desk.org.listUsers(admin).find((u) => u.id === ids.qt)!.certificates.length, 1);
    guard.lock('manual');

    // Certificates of other shapes written onto the spare token (they need no key to be offered for binding).
    await pki.generateKeys({ expired: 'rsa2048', dataOnly: 'rsa2048' });
    const expired = pki.issue('expired', { subject: '/C=VN/CN=Chứng thư hết hạn', keyUsage: 'keyEncipherment, digitalSignature', start: '20200101000000Z', end: '20210101000000Z' });
    const dataOnly = pki.issue('dataOnly', { subject: '/C=VN/CN=Chỉ mã hóa dữ liệu', keyUsage: 'dataEncipherment' });
    await tamper(async () => {
      await deleteCertificate(hsm, t.spare, '01');
      await writeCertificate(hsm, t.spare, expired.certDer, '01', 'expired');
    });
    await guard.unlock(ref(t.admin), PIN);
    await assert.rejects(guard.bindToken(admin, ids.tmvt, ref(t.spare)), isDeskError('TOKEN_UNSUITABLE', 'EXPIRED'));
    guard.lock('manual');
    await tamper(async () => {
      await deleteCertificate(hsm, t.spare, '01');
      await writeCertificate(hsm, t.spare, dataOnly.certDer, '01', 'data-only');
    });
    await guard.unlock(ref(t.admin), PIN);
    await assert.rejects(guard.bindToken(admin, ids.tmvt, ref(t.spare)), isDeskError('TOKEN_UNSUITABLE', 'KEY_USAGE'));
    // The machine's recovery certificate is nobody's.
    await assert.rejects(guard.bindToken(admin, ids.tmvt, ref(hsm.tokens.recovery)), isDeskError('TOKEN_UNSUITABLE', 'RECOVERY'));
    assert.equal(desk.db.prepare("SELECT count(*) FROM user_certificates WHERE user_id = ?").pluck().get(ids.tmvt), 2, 'nothing new bound to her');
    guard.lock('manual');
  });

  test('unbinding is a separate, audited act: her token no longer opens; bound again it does', async () => {
    const session = await guard.unlock(ref(t.admin), PIN);
    const admin = actorFor(session.user);
    await assert.rejects(desk.org.unbindCertificate(admin, session.user.id, fingerprintOf(parseCertificate(t.admin.certs['01']!))), isDeskError('VALIDATION'));
    for (const id of ['01', '02']) await desk.org.unbindCertificate(admin, ids.tmvt, fingerprintOf(parseCertificate(t.tmvt.certs[id]!)));
    const audit = desk.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'user.unbind_certificate' AND entity_id = ?").pluck().get(ids.tmvt);
    assert.equal(audit, 2);
    guard.lock('manual');
    await assert.rejects(guard.unlock(ref(t.tmvt), PIN), isDeskError('NOT_BOUND'));
    await guard.unlock(ref(t.admin), PIN);
    await guard.bindToken(admin, ids.tmvt, ref(t.tmvt));
    guard.lock('manual');
    assert.equal((await guard.unlock(ref(t.tmvt), PIN)).user.fullName, 'Nguyễn Thị Tuyết');
    guard.lock('manual');
  });

  test('setup on a machine with trust anchors refuses a self-signed administrator', async () => {
    const other = tempDir('securedesk-identity-setup-');
    try {
      const fresh = await Desk.open({ profileDir: other.dir, trustAnchors: [hsm.ca.certDer] });
      const g = new SessionGuard(fresh, tokens);
      await tamper(async () => {
        await deleteCertificate(hsm, t.spare, '01');
        await writeCertificate(hsm, t.spare, spareSelfSigned(), '01', 'self');
      });
      await assert.rejects(g.setup(SETUP, ref(t.spare), PIN), isDeskError('TOKEN_UNSUITABLE', 'UNTRUSTED'));
      assert.equal(fresh.state, 'new');
      fresh.close();
    } finally {
      other.cleanup();
    }
  });

  // The certificates provisioned first, read back from the token fixtures' DER.
  function readMatCert(): Buffer {
    return t.mat.certs['01']!;
  }
  function readMatSignCert(): Buffer {
    return t.mat.certs['02']!;
  }
  function spareSelfSigned(): Buffer {
    return t.spare.certs['01']!;
  }
});

describe('a plain profile from before token binding', () => {
  /** A profile as the previous version left it: plain SQLite, a Tuyệt mật văn thư and a Mật clerk. */
  function legacyProfile(dir: string): { tmvt: number; mat: number } {
    const { db } = openDatabase(join(dir, 'securedesk.db'));
    const tmvt = runSetup(db, {
      unit: { name: 'Văn phòng Đảng ủy', code: '000.00.02.H27', preset: 'party' },
      admin: { fullName: 'Nguyễn Thị Tuyết', position: 'Văn thư', role: 'van_thu', clearance: 'tuyet_mat' },
    }, new Date());
    const mat = addUser(db, { fullName: 'Lê Văn Mạnh', position: 'Văn thư', role: 'van_thu', clearance: 'mat' });
    db.close();
    return { tmvt, mat };
  }

  test('lists nobody before sign-in; the recovery token proves itself, binds the person chosen, and that person opens it', async () => {
    const profile = tempDir('securedesk-identity-legacy-');
    try {
      const people = legacyProfile(profile.dir);
      const desk = await Desk.open({ profileDir: profile.dir, trustAnchors: [hsm.ca.certDer], recoveryCertificates: [recoveryCert()] });
      const guard = new SessionGuard(desk, tokens);
      const route = createRouter({ desk, guard, attachmentUrl: (x) => x });
      const tried = await route('session.unlock', { token: ref(t.mat), pin: PIN });
      assert.ok(!tried.ok && tried.error.code === 'BIND_REQUIRED', JSON.stringify(tried));
      assert.doesNotMatch(JSON.stringify(tried), /Nguyễn Thị Tuyết|Lê Văn Mạnh|users/, 'nobody is named before sign-in');
      assert.equal(desk.state, 'locked');
      // Only the recovery key lists them, and only after it proved itself with its PIN.
      await assert.rejects(guard.legacyUsers(ref(t.mat), PIN), isDeskError('NOT_BOUND'));
      await assert.rejects(guard.legacyUsers(ref(hsm.tokens.recovery), '000000'), isDeskError('PIN_INCORRECT'));
      const users = await guard.legacyUsers(ref(hsm.tokens.recovery), hsm.tokens.recovery.pin);
      assert.deepEqual(users.map((u) => u.fullName), ['Nguyễn Thị Tuyết', 'Lê Văn Mạnh']);
      // An untrusted certificate is not bound even on the recovery key's authority; the profile stays plain.
      await tamper(async () => {
        await deleteCertificate(hsm, t.spare, '01');
        await writeCertificate(hsm, t.spare, t.spare.certs['01']!, '01', 'self');
      });
      await assert.rejects(guard.bindLegacy(ref(hsm.tokens.recovery), hsm.tokens.recovery.pin, people.tmvt, ref(t.spare)), isDeskError('TOKEN_UNSUITABLE', 'UNTRUSTED'));
      assert.equal(desk.needsBinding, true);
      // The Mật clerk's token, bound to the Mật clerk: the profile is encrypted and stays locked.
      const bound = await route('session.bindLegacy', { token: ref(hsm.tokens.recovery), pin: hsm.tokens.recovery.pin, userId: people.mat, person: ref(t.mat) });
      assert.ok(bound.ok, JSON.stringify(bound));
      assert.equal(desk.needsBinding, false);
      assert.equal(desk.state, 'locked');
      assert.equal(isPlainDatabase(readFileSync(join(profile.dir, 'securedesk.db')).subarray(0, 16)), false);
      // The recovery key opens the data key but is nobody: no session.
      await assert.rejects(guard.unlock(ref(hsm.tokens.recovery), hsm.tokens.recovery.pin), isDeskError('NOT_BOUND'));
      const session = await guard.unlock(ref(t.mat), PIN);
      assert.equal(session.user.fullName, 'Lê Văn Mạnh');
      assert.equal(desk.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'profile.bind_legacy'").pluck().get(), 1);
      guard.lock('manual');
      desk.close();
    } finally {
      profile.cleanup();
    }
  });

  test('a token bound before opens it (and encrypts it) directly', async () => {
    const profile = tempDir('securedesk-identity-legacy2-');
    try {
      const people = legacyProfile(profile.dir);
      // Bound while the profile was plain (an earlier run whose encryption never happened).
      const { db } = openDatabase(join(profile.dir, 'securedesk.db'));
      const c = parseCertificate(t.tmvt.certs['01']!);
      db.prepare(`INSERT INTO user_certificates (fingerprint, user_id, subject, issuer, serial, not_after, can_unlock, der, bound_at, bound_by)
                  VALUES (?,?,?,?,?,?,1,?,?,NULL)`).run(fingerprintOf(c), people.tmvt, c.subject, c.issuer, c.serialNumber, c.notAfter.toISOString(), Buffer.from(c.der), new Date().toISOString());
      db.close();
      const desk = await Desk.open({ profileDir: profile.dir, trustAnchors: [hsm.ca.certDer] });
      const guard = new SessionGuard(desk, tokens);
      await assert.rejects(guard.unlock(ref(t.mat), PIN), isDeskError('BIND_REQUIRED'));
      const session = await guard.unlock(ref(t.tmvt), PIN);
      assert.equal(session.user.fullName, 'Nguyễn Thị Tuyết');
      assert.equal(desk.needsBinding, false);
      assert.equal(getUser(desk.db, people.mat)?.fullName, 'Lê Văn Mạnh');
      guard.lock('manual');
      desk.close();
    } finally {
      profile.cleanup();
    }
  });
});
