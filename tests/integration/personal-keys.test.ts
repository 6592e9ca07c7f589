// Personal keys (what belongs to one person before it is registered), with real SoftHSM tokens:
// (a) a Thường-cleared officer with his own token, the keyrings and raw SQL and file reads finds
//     nothing of a file the Tuyệt mật văn thư staged for a Tối mật registration, nor of her draft;
// (b) another văn thư holding ALL level keys cannot restore her draft, read her staged file, nor
//     register it (FORBIDDEN STAGED_BY_OTHER, audited);
// (c) at registration the staged file is sealed again into the Tối mật store: it reads back
//     byte-identical with the level key alone, and the staged copy is gone;
// (d) a second token bound to her: her next unlock re-addresses her key, and the new token restores
//     her draft; unbinding her last token deletes her personal keyring, staged files and drafts.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3-multiple-ciphers';
import type { IncomingRegisterDraft } from '../../common/drafts';
import { DeskError } from '../../common/errors';
import { decryptBlobStream, openSmall, stagedBinding } from '../../main/core/attachments/blobCipher';
import { AttachmentStore } from '../../main/core/attachments/store';
import { openLevelKeyring } from '../../main/core/compartments/keyrings';
import { LEVELS, levelKeyringFile, levelStoreDir, type Level } from '../../main/core/compartments/levels';
import { openPersonalKeyring, personalKeyringFile } from '../../main/core/compartments/personalKeys';
import { CryptoError, type PrivateKeyOps } from '../../main/core/crypto';
import { fingerprintOf } from '../../main/core/org/certificates';
import { parseCertificate } from '../../main/core/crypto';
import { applyKey } from '../../main/core/db/keying';
import { Desk } from '../../main/core/desk';
import { draftBinding } from '../../main/core/drafts/draftSeal';
import type { Actor } from '../../main/core/org/rights';
import { actorFor } from '../../main/core/org/users';
import { openKeyring } from '../../main/core/profile/keyring';
import { SessionGuard } from '../../main/core/session/guard';
import { TokenService, type TokenRef } from '../../main/core/session/tokens';
import { tokenKeyOps } from '../../main/core/token/tokenKeyOps';
import { makeSamplePdf } from '../../main/devhost/samplePdf';
import { TokenBridge } from '../../native/bridge/client';
import { moduleId } from '../../native/modules/discovery';
import { createSoftHsm, keyOf, type SoftHsm } from '../fixtures/softhsm/tokens';
import { registration, tempDir } from '../helpers/desk';
import { addToken, type CustomToken } from '../helpers/hsmTokens';

const O = '/O=Văn phòng Thử nghiệm SecureDesk/C=VN';
const PIN = '135790';
const ENC = 'critical,digitalSignature,nonRepudiation,keyEncipherment';
const SUBJECT = 'Phương án bảo vệ mục tiêu trọng yếu Cẩm Phả trong diễn tập năm 2027';
const DRAFT_SUBJECT = 'Kế hoạch di chuyển sở chỉ huy dự bị Vân Đồn';

function filesUnder(dir: string): Array<{ path: string; bytes: Buffer }> {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [{ path: p, bytes: readFileSync(p) }];
  });
}

/** Every value of every table, blobs as UTF-8 and latin1. */
function everyRow(db: Database.Database): string {
  const parts: string[] = [];
  for (const t of db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]) {
    let rows: unknown[][];
    try {
      rows = db.prepare(`SELECT * FROM "${t}"`).raw().all() as unknown[][];
    } catch {
      continue;
    }
    for (const r of rows) for (const v of r) parts.push(Buffer.isBuffer(v) ? `${v.toString('utf8')}\n${v.toString('latin1')}` : String(v));
  }
  return parts.join('\n');
}

function openWith(file: string, key: Buffer): Database.Database {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  applyKey(db, key.toString('hex'), 'raw');
  return db;
}

/** Decrypts a staged file with a key, or the error it fails with. */
async function tryStaged(path: string, stagedId: string, key: Buffer): Promise<Buffer | Error> {
  const parts: Buffer[] = [];
  try {
    await pipeline(Readable.from([readFileSync(path)]), decryptBlobStream(key, stagedBinding(stagedId)), new Writable({ write(c: Buffer, _e, cb) { parts.push(c); cb(); } }));
    return Buffer.concat(parts);
  } catch (err) {
    return err as Error;
  }
}

function draft(files: IncomingRegisterDraft['files']): IncomingRegisterDraft {
  return {
    secrecy: 'toi_mat', urgency: 'khan', registerId: null, issuerName: 'Bộ Chỉ huy Quân sự tỉnh', issuerUnitId: null, issuerCode: null,
    numberSymbol: '12-KH/BCH', documentDate: '02/11/2026', arrivalDate: '03/11/2026', deadline: '', typeCode: 'KH', typeChosen: false,
    subject: DRAFT_SUBJECT, recipients: [], notes: '', signer: '', pageCount: '2', copyCount: '1', arrivalChannel: 'cipher', files,
  };
}

describe('personal keys: a file staged and a draft kept by the Tuyệt mật văn thư', () => {
  let hsm: SoftHsm;
  let bridge: TokenBridge;
  let guard: SessionGuard;
  let desk: Desk;
  let admin: Actor;
  const profile = tempDir('securedesk-personal-');
  const t: Record<'qt' | 'vt' | 'vt2' | 'cb' | 'vtNew', CustomToken> = {} as never;
  const ids = { vt: 0, vt2: 0, cb: 0 };
  let vtGid = '';
  let pdf: Buffer;
  let stagedId = '';
  let needles: Array<[string, Buffer]>;
  const ref = (x: { serial: string }): TokenRef => ({ moduleId: moduleId(hsm.modulePath), serial: x.serial });
  const keyOn = (x: CustomToken): PrivateKeyOps => tokenKeyOps(bridge, { module: hsm.modulePath, slot: { serial: x.serial }, keyId: '01', certificate: x.certs['01']! });
  const actorOf = (s: { user: Actor | Parameters<typeof actorFor>[0]; rights: Actor['rights'] }): Actor => ({ ...(s.user as Actor), rights: s.rights });

  before(async () => {
    hsm = await createSoftHsm({ tokens: ['recovery'] });
    t.qt = await addToken(hsm, 'SD-P-QT', PIN, [{ id: '01', label: 'qt', algorithm: 'rsa:2048', subject: `/CN=Hoàng Quản Trị${O}`, keyUsage: ENC, issuer: 'ca' }]);
    t.vt = await addToken(hsm, 'SD-P-VT', PIN, [{ id: '01', label: 'vt', algorithm: 'rsa:2048', subject: `/CN=Nguyễn Thị Tuyết${O}`, keyUsage: ENC, issuer: 'ca' }]);
    t.vt2 = await addToken(hsm, 'SD-P-VT2', PIN, [{ id: '01', label: 'vt2', algorithm: 'rsa:2048', subject: `/CN=Trần Thị Bích${O}`, keyUsage: ENC, issuer: 'ca' }]);
    t.cb = await addToken(hsm, 'SD-P-CB', PIN, [{ id: '01', label: 'cb', algorithm: 'rsa:2048', subject: `/CN=Lê Văn Bình${O}`, keyUsage: ENC, issuer: 'ca' }]);
    t.vtNew = await addToken(hsm, 'SD-P-VTN', PIN, [{ id: '01', label: 'vtnew', algorithm: 'rsa:2048', subject: `/CN=Nguyễn Thị Tuyết${O}`, keyUsage: ENC, issuer: 'ca' }]);
    bridge = new TokenBridge({ env: hsm.env });
    pdf = Buffer.from(await makeSamplePdf({ issuer: 'Bộ Chỉ huy Quân sự tỉnh', numberSymbol: '12-KH/BCH', title: 'PHƯƠNG ÁN', subject: SUBJECT }));
    needles = [
      ['the draft subject', Buffer.from(DRAFT_SUBJECT)],
      ['a word of it', Buffer.from('Vân Đồn')],
      ['the staged file name', Buffer.from('phuong-an-cam-pha.pdf')],
      ['bytes of the PDF', pdf.subarray(300, 364)],
      ['the PDF subject', Buffer.from(SUBJECT)],
    ];
    desk = await Desk.open({ profileDir: profile.dir, trustAnchors: [hsm.ca.certDer], recoveryCertificates: [keyOf(hsm.tokens.recovery, 'recovery').certDer] });
    guard = new SessionGuard(desk, new TokenService(bridge, async () => [hsm.modulePath]));
    const s = await guard.setup({
      unit: { name: 'Văn phòng Tỉnh ủy', code: '000.00.01.H49', preset: 'state' },
      admin: { fullName: 'Hoàng Quản Trị', position: 'Quản trị hệ thống', role: 'quan_tri', clearance: 'tuyet_mat' },
    }, ref(t.qt), PIN);
    admin = actorFor(s.user);
    ids.vt = (await desk.org.addUser(admin, { fullName: 'Nguyễn Thị Tuyết', position: 'Văn thư', role: 'van_thu', clearance: 'tuyet_mat' })).id;
    ids.vt2 = (await desk.org.addUser(admin, { fullName: 'Trần Thị Bích', position: 'Văn thư', role: 'van_thu', clearance: 'tuyet_mat' })).id;
    ids.cb = (await desk.org.addUser(admin, { fullName: 'Lê Văn Bình', position: 'Chuyên viên', role: 'chuyen_vien', clearance: 'thuong' })).id;
    for (const [id, tok] of [[ids.vt, t.vt], [ids.vt2, t.vt2], [ids.cb, t.cb]] as const) await guard.bindToken(admin, id, ref(tok));
    vtGid = desk.db.prepare('SELECT global_id FROM users WHERE id = ?').pluck().get(ids.vt) as string;
    guard.lock('manual');
    // Each of the others has unlocked once (their personal keys exist); she stages and keeps a draft.
    for (const tok of [t.vt2, t.cb]) {
      await guard.unlock(ref(tok), PIN);
      guard.lock('manual');
    }
    const vt = actorOf(await guard.unlock(ref(t.vt), PIN));
    const staged = await desk.attachments.stage(vt, Readable.from([pdf]), 'phuong-an-cam-pha.pdf');
    stagedId = staged.stagedId;
    await desk.drafts.save(vt, { kind: 'incoming.register', data: draft([{ stagedId, name: staged.name, size: staged.size, sha256: staged.sha256, isPdf: staged.isPdf }]) });
    await desk.verdict();
    guard.lock('manual');
  });

  after(async () => {
    try {
      guard?.lock('manual');
      desk?.close();
    } finally {
      await bridge?.close();
      await hsm?.cleanup();
      profile.cleanup();
    }
  });

  /** The guard signs out of the token once the lock's audit head is signed: raw reads log in after that. */
  const signedOut = async () => {
    await (guard as unknown as { signingOut?: Promise<unknown> }).signingOut;
  };
  const stagedPath = () => join(profile.dir, 'staging', vtGid, stagedId);
  const draftBlob = (db: Database.Database) => db.prepare("SELECT data FROM drafts WHERE user_id = ? AND kind = 'incoming.register'").pluck().get(ids.vt) as Buffer;

  /** Every key a token opens in this profile: the base key, the level keys, the personal keys it is addressed to. */
  async function keysOf(key: PrivateKeyOps): Promise<{ base: Buffer; levels: Partial<Record<Level, Buffer>>; personal: Buffer[]; refusedPersonal: string[] }> {
    const base = await openKeyring(join(profile.dir, 'keyring.cms'), key);
    const levels: Partial<Record<Level, Buffer>> = {};
    for (const level of LEVELS) {
      const k = await openLevelKeyring(levelKeyringFile(profile.dir, level), level, key).catch((e: unknown) => e);
      if (!(k instanceof Error)) levels[level] = (k as { key: Buffer }).key;
    }
    const personal: Buffer[] = [];
    const refusedPersonal: string[] = [];
    for (const f of readdirSync(join(profile.dir, 'keyrings', 'people'))) {
      const person = f.replace(/\.cms$/, '');
      const k = await openPersonalKeyring(personalKeyringFile(profile.dir, person), person, key).catch((e: unknown) => e);
      if (k instanceof Error) {
        assert.ok(k instanceof CryptoError && k.code === 'NOT_A_RECIPIENT', String(k));
        refusedPersonal.push(person);
      } else personal.push((k as { key: Buffer }).key);
    }
    return { base, levels, personal, refusedPersonal };
  }

  /** With every key given: her draft and her staged file (and its metadata) stay sealed; the base holds nothing of them. */
  async function nothingWith(keys: Buffer[], baseKey: Buffer, who: string): Promise<void> {
    const db = openWith(join(profile.dir, 'securedesk.db'), baseKey);
    try {
      const text = everyRow(db);
      assert.ok(text.includes('Nguyễn Thị Tuyết'), `${who}: the base was read`);
      for (const [what, n] of needles) assert.ok(!text.includes(n.toString('utf8')), `${who}: the base holds ${what}`);
      const blob = draftBlob(db);
      assert.ok(Buffer.isBuffer(blob) && blob.length > 0, 'her draft row is there, its content opaque');
      for (const k of keys) {
        assert.throws(() => openSmall(k, blob, Buffer.from(draftBinding(ids.vt, 'incoming.register'))), /authentication/, `${who}: a key opens her draft`);
        assert.throws(() => openSmall(k, blob), /authentication/, `${who}: a key opens her draft (unbound)`);
      }
    } finally {
      db.close();
    }
    for (const k of keys) {
      const r = await tryStaged(stagedPath(), stagedId, k);
      assert.ok(r instanceof Error, `${who}: a key opens her staged file`);
      assert.throws(() => openSmall(k, readFileSync(`${stagedPath()}.json`)), /authentication/, `${who}: a key opens her staged file's metadata`);
    }
    for (const f of filesUnder(profile.dir)) for (const [what, n] of needles) assert.equal(f.bytes.includes(n), false, `${f.path} holds ${what}`);
  }

  test('(a) a Thường-cleared officer with his own token, the keyrings and raw reads finds nothing of her staged file or her draft', async () => {
    await signedOut();
    await bridge.login(hsm.modulePath, { serial: t.cb.serial }, PIN);
    try {
      const k = await keysOf(keyOn(t.cb));
      assert.deepEqual(Object.keys(k.levels), ['thuong'], 'he holds Thường only');
      assert.equal(k.personal.length, 1, 'his own personal key, no other');
      assert.ok(k.refusedPersonal.includes(vtGid), 'her personal keyring is not addressed to him');
      await nothingWith([k.base, k.levels.thuong!, ...k.personal], k.base, 'the officer');
      for (const b of [k.base, k.levels.thuong!, ...k.personal]) b.fill(0);
    } finally {
      await bridge.logout(hsm.modulePath, { serial: t.cb.serial });
    }
    // Signed in, he is offered no draft of hers.
    const cb = actorOf(await guard.unlock(ref(t.cb), PIN));
    try {
      await assert.rejects(desk.drafts.load(cb, 'incoming.register'), (e: unknown) => e instanceof DeskError && e.code === 'FORBIDDEN', 'no right to the form');
    } finally {
      guard.lock('manual');
    }
    // The same reads with her token find it all: the checks above can see.
    await signedOut();
    await bridge.login(hsm.modulePath, { serial: t.vt.serial }, PIN);
    try {
      const k = await keysOf(keyOn(t.vt));
      assert.equal(k.personal.length, 1);
      const mine = k.personal[0]!;
      const db = openWith(join(profile.dir, 'securedesk.db'), k.base);
      try {
        const plain = openSmall(mine, draftBlob(db), Buffer.from(draftBinding(ids.vt, 'incoming.register'))).toString('utf8');
        assert.ok(plain.includes(DRAFT_SUBJECT), 'her key opens her draft');
      } finally {
        db.close();
      }
      const file = await tryStaged(stagedPath(), stagedId, mine);
      assert.ok(Buffer.isBuffer(file) && file.equals(pdf), 'her key opens her staged file');
    } finally {
      await bridge.logout(hsm.modulePath, { serial: t.vt.serial });
    }
  });

  test('(b) another văn thư holding every level key cannot restore her draft, read her staged file, nor register it', async () => {
    await signedOut();
    await bridge.login(hsm.modulePath, { serial: t.vt2.serial }, PIN);
    try {
      const k = await keysOf(keyOn(t.vt2));
      assert.deepEqual(Object.keys(k.levels).sort(), [...LEVELS].sort(), 'she holds all four levels');
      assert.ok(k.refusedPersonal.includes(vtGid));
      await nothingWith([k.base, ...Object.values(k.levels), ...k.personal], k.base, 'the other văn thư');
    } finally {
      await bridge.logout(hsm.modulePath, { serial: t.vt2.serial });
    }
    const vt2 = actorOf(await guard.unlock(ref(t.vt2), PIN));
    try {
      assert.equal(await desk.drafts.load(vt2, 'incoming.register'), null, 'no draft is offered to her');
      const input = await registration(desk, vt2, { secrecy: 'toi_mat', stagedIds: [stagedId], subject: 'Mượn tệp của người khác' });
      await assert.rejects(desk.incoming.register(vt2, input), (e: unknown) =>
        e instanceof DeskError && e.code === 'FORBIDDEN' && e.key === 'staged.otherPerson' && e.details?.code === 'STAGED_BY_OTHER');
      await assert.rejects(desk.attachments.discard(vt2, stagedId), (e: unknown) => e instanceof DeskError && e.details?.code === 'STAGED_BY_OTHER', 'nor discard it');
      await desk.verdict();
      await new Promise((r) => setTimeout(r, 50));
      const audited = desk.db.prepare("SELECT outcome, reason, details FROM audit_log WHERE action = 'staging.foreign' AND user_id = ?").all(vt2.id) as Array<{ outcome: string; reason: string; details: string }>;
      assert.ok(audited.length >= 2, 'each attempt is audited');
      assert.equal(audited[0]!.outcome, 'refused');
      assert.equal(audited[0]!.reason, 'FORBIDDEN');
      assert.ok(audited[0]!.details.includes(stagedId));
      assert.equal(desk.db.prepare('SELECT count(*) FROM c_toi_mat.incoming').pluck().get(), 0, 'nothing was registered');
    } finally {
      guard.lock('manual');
    }
    assert.ok(existsSync(stagedPath()), 'her staged file is untouched');
  });

  test('(c) she restores her draft and registers the file: sealed again into the Tối mật store, byte-identical under the level key alone', async () => {
    const vt = actorOf(await guard.unlock(ref(t.vt), PIN));
    let sha = '';
    try {
      const d = await desk.drafts.load(vt, 'incoming.register');
      assert.equal(d?.data.subject, DRAFT_SUBJECT);
      assert.deepEqual(d?.data.files.map((f) => f.stagedId), [stagedId]);
      const r = await desk.incoming.register(vt, await registration(desk, vt, { secrecy: 'toi_mat', stagedIds: [stagedId], subject: SUBJECT }));
      const att = desk.incoming.get(vt, r.id).attachments[0]!;
      sha = att.sha256;
      const { ticket } = desk.attachments.open(vt, att.id);
      const served = await desk.attachments.openTicket(ticket);
      const parts: Buffer[] = [];
      for await (const c of served!.stream) parts.push(c as Buffer);
      assert.ok(Buffer.concat(parts).equals(pdf), 'served byte-identical');
      assert.equal(existsSync(stagedPath()), false, 'the staged copy is gone once committed');
    } finally {
      guard.lock('manual');
    }
    await signedOut();
    await bridge.login(hsm.modulePath, { serial: t.vt.serial }, PIN);
    try {
      const level = await openLevelKeyring(levelKeyringFile(profile.dir, 'toi_mat'), 'toi_mat', keyOn(t.vt));
      const store = new AttachmentStore(levelStoreDir(profile.dir, 'toi_mat'), join(profile.dir, 'staging'), level.key);
      const parts: Buffer[] = [];
      for await (const c of store.openBlob(sha)) parts.push(c as Buffer);
      assert.ok(Buffer.concat(parts).equals(pdf), 'the level key alone opens the registered file');
      level.key.fill(0);
    } finally {
      await bridge.logout(hsm.modulePath, { serial: t.vt.serial });
    }
    assert.equal(filesUnder(join(profile.dir, 'staging', vtGid)).filter((f) => f.path.endsWith('.placing')).length, 1, 'the marker waits for her next unlock');
    await guard.unlock(ref(t.vt), PIN);
    try {
      assert.deepEqual(filesUnder(join(profile.dir, 'staging', vtGid)).map((f) => f.path), [], 'resolved at the next unlock');
      assert.equal(await desk.context().storeFor('toi_mat').hasBlob(sha), true, 'the blob a record refers to is kept');
    } finally {
      guard.lock('manual');
    }
  });

  test('(d) a second token: re-addressed at her next unlock; unbinding her last token deletes her key, staged files and drafts', async () => {
    let vt = actorOf(await guard.unlock(ref(t.vt), PIN));
    const staged = await desk.attachments.stage(vt, Readable.from([pdf]), 'phuong-an-cam-pha.pdf');
    await desk.drafts.save(vt, { kind: 'incoming.register', data: draft([{ stagedId: staged.stagedId, name: staged.name, size: staged.size, sha256: staged.sha256, isPdf: staged.isPdf }]) });
    guard.lock('manual');
    const qt = actorOf(await guard.unlock(ref(t.qt), PIN));
    await guard.bindToken(qt, ids.vt, ref(t.vtNew));
    guard.lock('manual');
    // Her old token re-addresses her key to both; the new one then restores her draft and file.
    await guard.unlock(ref(t.vt), PIN);
    guard.lock('manual');
    vt = actorOf(await guard.unlock(ref(t.vtNew), PIN));
    try {
      const d = await desk.drafts.load(vt, 'incoming.register');
      assert.equal(d?.data.subject, DRAFT_SUBJECT, 'the new token restores her draft');
      assert.deepEqual(d?.data.files.map((f) => f.stagedId), [staged.stagedId]);
    } finally {
      guard.lock('manual');
    }
    // The administrator unbinds both of her tokens: with the last one her personal key and all it sealed go.
    const admin2 = actorOf(await guard.unlock(ref(t.qt), PIN));
    try {
      const fp = (x: CustomToken) => fingerprintOf(parseCertificate(x.certs['01']!));
      await desk.org.unbindCertificate(admin2, ids.vt, fp(t.vt));
      assert.ok(existsSync(personalKeyringFile(profile.dir, vtGid)), 'one token left: kept');
      assert.ok(existsSync(join(profile.dir, 'staging', vtGid, staged.stagedId)));
      await desk.org.unbindCertificate(admin2, ids.vt, fp(t.vtNew));
      assert.equal(existsSync(personalKeyringFile(profile.dir, vtGid)), false, 'her personal keyring is deleted');
      assert.equal(existsSync(join(profile.dir, 'staging', vtGid)), false, 'her staged files are deleted');
      assert.equal(desk.db.prepare('SELECT count(*) FROM drafts WHERE user_id = ?').pluck().get(ids.vt), 0, 'her drafts are deleted');
      assert.equal(desk.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'personal_key.removed' AND entity_id = ?").pluck().get(ids.vt), 1);
    } finally {
      guard.lock('manual');
    }
  });
});
