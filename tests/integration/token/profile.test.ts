// The profile at rest and the session, with real SoftHSM tokens through the real bridge process:
// setup binds the token, nothing readable is left on disk, wrong PINs, unbound tokens, the recovery
// key, token removal and idle locking, and the encryption in place of a plain profile.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3-multiple-ciphers';
import { DeskError } from '../../../common/errors';
import { incomingRegisterSchema } from '../../../common/schemas';
import { AttachmentStore } from '../../../main/core/attachments/store';
import { openDatabase } from '../../../main/core/db/connection';
import { Desk } from '../../../main/core/desk';
import { registerIncoming } from '../../../main/core/documents/incoming';
import { openKeyring } from '../../../main/core/profile/keyring';
import { openLevelKeyring } from '../../../main/core/compartments/keyrings';
import { LEVELS, compartmentFile, levelKeyringFile } from '../../../main/core/compartments/levels';
import { applyKey } from '../../../main/core/db/keying';
import { actorFor, getUser } from '../../../main/core/org/users';
import { runSetup } from '../../../main/core/org/setup';
import { SessionGuard, type LockReason } from '../../../main/core/session/guard';
import { TokenService } from '../../../main/core/session/tokens';
import { tokenKeyOps } from '../../../main/core/token/tokenKeyOps';
import { makeSamplePdf } from '../../../main/devhost/samplePdf';
import { TokenBridge } from '../../../native/bridge/client';
import { moduleId } from '../../../native/modules/discovery';
import { createSoftHsm, keyOf, type SoftHsm } from '../../fixtures/softhsm/tokens';
import { tempDir } from '../../helpers/desk';

const SUBJECT = 'Kế hoạch bảo vệ bí mật nhà nước về hạ tầng điện tử năm 2026';
const SETUP = {
  unit: { name: 'Văn phòng Thành ủy', code: '000.00.01.T01', preset: 'party' as const },
  admin: { fullName: 'Nguyễn Văn An', position: 'Văn thư', role: 'van_thu' as const, clearance: 'tuyet_mat' as const },
};

/** Every file under a directory, as bytes. */
function filesUnder(dir: string): Array<{ path: string; bytes: Buffer }> {
  const out: Array<{ path: string; bytes: Buffer }> = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push({ path: p, bytes: readFileSync(p) });
  }
  return out;
}

function assertNothingReadable(dir: string, needles: Buffer[]): void {
  for (const f of filesUnder(dir)) for (const n of needles) assert.equal(f.bytes.includes(n), false, `${f.path} contains plaintext`);
}

async function register(desk: Desk, actorId: number, pdf: Uint8Array, subject = SUBJECT) {
  const actor = actorFor(getUser(desk.db, actorId)!);
  const staged = await desk.attachments.stage(actor, Readable.from([Buffer.from(pdf)]), 'ke-hoach.pdf');
  return desk.incoming.register(actor, incomingRegisterSchema.parse({
    issuer: { name: 'Ban Nội chính Thành ủy' }, numberSymbol: '93-KH/TU', documentDate: '2026-11-02', typeCode: 'KH',
    subject, secrecy: 'mat', urgency: 'khan', stagedIds: [staged.stagedId],
  }));
}

describe('encrypted profile with SoftHSM tokens', () => {
  let hsm: SoftHsm;
  let bridge: TokenBridge;
  let tokens: TokenService;
  const profile = tempDir('securedesk-enc-');
  let pdf: Uint8Array;

  before(async () => {
    hsm = await createSoftHsm({ tokens: ['userRsa', 'userEc', 'recovery'] });
    bridge = new TokenBridge({ env: hsm.env, slotPollMs: 250 });
    tokens = new TokenService(bridge, async () => [hsm.modulePath]);
    pdf = await makeSamplePdf({ issuer: 'Ban Nội chính Thành ủy', numberSymbol: '93-KH/TU', title: 'KẾ HOẠCH', subject: SUBJECT });
  });
  after(async () => {
    await bridge.close();
    await hsm.cleanup();
    profile.cleanup();
  });

  const ref = (name: 'userRsa' | 'userEc' | 'recovery') => ({ moduleId: moduleId(hsm.modulePath), serial: hsm.tokens[name].serial });
  const newDesk = () => Desk.open({ profileDir: profile.dir, recoveryCertificates: [keyOf(hsm.tokens.recovery, 'recovery').certDer] });

  test('setup binds the token; locked, the profile holds no readable subject or PDF byte', async () => {
    const desk = await newDesk();
    const guard = new SessionGuard(desk, tokens);
    const dir = await tokens.directory();
    assert.ok(dir.modules.some((m) => m.ok && m.path === hsm.modulePath && m.id === moduleId(hsm.modulePath)));
    const rsa = dir.tokens.find((t) => t.serial === hsm.tokens.userRsa.serial)!;
    assert.ok(rsa.certificates.some((c) => c.canUnlock) && rsa.certificates.some((c) => c.canSign));
    assert.ok(dir.tokens.find((t) => t.serial === hsm.tokens.userEc.serial)!.certificates.every((c) => !c.canUnlock));
    const session = await guard.setup(SETUP, ref('userRsa'), hsm.tokens.userRsa.pin);
    assert.equal(session.user.fullName, 'Nguyễn Văn An');
    await register(desk, session.user.id, pdf);
    guard.lock('manual');
    assert.equal(desk.state, 'locked');
    assertNothingReadable(profile.dir, [Buffer.from(SUBJECT), Buffer.from(pdf).subarray(200, 264), Buffer.from('Ban Nội chính'), Buffer.from('ke-hoach.pdf')]);
    // Without the key the database is not a database.
    const raw = new Database(join(profile.dir, 'securedesk.db'), { readonly: true });
    assert.throws(() => raw.prepare('SELECT count(*) FROM incoming').get(), /not a database|file is (encrypted|not a database)/i);
    raw.close();
    desk.close();
  });

  test('unlock: wrong PIN, an unbound token, then the right token', async () => {
    const desk = await newDesk();
    const guard = new SessionGuard(desk, tokens);
    assert.equal(desk.info().profile, 'locked');
    await assert.rejects(guard.unlock(ref('userRsa'), '000000'), (e: unknown) => e instanceof DeskError && e.code === 'PIN_INCORRECT' && e.details?.countLow === true);
    await assert.rejects(guard.unlock(ref('userEc'), hsm.tokens.userEc.pin), (e: unknown) => e instanceof DeskError && e.code === 'NOT_BOUND');
    assert.equal(desk.state, 'locked');
    const session = await guard.unlock(ref('userRsa'), hsm.tokens.userRsa.pin);
    const actor = actorFor(session.user);
    const found = desk.incoming.list(actor, { query: 'ha tang dien tu', sort: { field: 'arrival', dir: 'desc' }, offset: 0, limit: 10 });
    assert.equal(found.length, 1);
    const att = desk.incoming.get(actor, found[0]!.id).attachments[0]!;
    const t = await desk.attachments.openTicket(desk.attachments.open(actor, att.id).ticket);
    const chunks: Buffer[] = [];
    for await (const c of t!.stream) chunks.push(c as Buffer);
    assert.deepEqual(Buffer.concat(chunks), Buffer.from(pdf));
    guard.lock('manual');
    desk.close();
  });

  test('the recovery token opens the data key; a lost token is not lost data', async () => {
    await bridge.login(hsm.modulePath, { serial: hsm.tokens.recovery.serial }, hsm.tokens.recovery.pin);
    const rec = keyOf(hsm.tokens.recovery, 'recovery');
    const key = tokenKeyOps(bridge, { module: hsm.modulePath, slot: { serial: hsm.tokens.recovery.serial }, keyId: rec.id, certificate: rec.certDer });
    const dataKey = await openKeyring(join(profile.dir, 'keyring.cms'), key);
    assert.equal(dataKey.length, 32);
    const db = openDatabase(join(profile.dir, 'securedesk.db'), { hexKey: dataKey.toString('hex') });
    assert.equal(db.readOnly, false);
    assert.equal(db.db.prepare("SELECT count(*) FROM users WHERE full_name = 'Nguyễn Văn An'").pluck().get(), 1);
    db.db.close();
    // It holds every level's key too; the Mật compartment holds the document.
    for (const level of LEVELS) {
      const k = await openLevelKeyring(levelKeyringFile(profile.dir, level), level, key);
      const c = new Database(compartmentFile(profile.dir, level), { readonly: true });
      try {
        applyKey(c, k.key.toString('hex'), 'raw');
        assert.deepEqual(c.prepare('SELECT subject FROM incoming').pluck().all(), level === 'mat' ? [SUBJECT] : [], level);
      } finally {
        c.close();
        k.key.fill(0);
      }
    }
    await bridge.logout(hsm.modulePath, { serial: hsm.tokens.recovery.serial });
  });

  test('idling locks; removing the token locks at the next slot poll (within 2 seconds)', async () => {
    // The guard's timers and the slot poll do not hold the process open (the app's window does).
    const keepAlive = setInterval(() => undefined, 100);
    after(() => clearInterval(keepAlive));
    const desk = await newDesk();
    // Long enough that a loaded CI machine finishes the unlock itself within it (at 400 ms the idle
    // lock once ended the session before unlock() returned); the lock is awaited, not slept for.
    const idle = new SessionGuard(desk, tokens, { idleMs: 1500 });
    const idleLocks: LockReason[] = [];
    idle.on('locked', (reason) => idleLocks.push(reason));
    let giveUp: NodeJS.Timeout | undefined;
    const locked = new Promise<void>((resolve, reject) => {
      idle.once('locked', () => resolve());
      giveUp = setTimeout(() => reject(new Error('no idle lock within 20 s')), 20_000);
    });
    await idle.unlock(ref('userRsa'), hsm.tokens.userRsa.pin);
    await locked.finally(() => clearTimeout(giveUp));
    assert.deepEqual(idleLocks, ['idle']);
    assert.equal(desk.state, 'locked');
    idle.removeAllListeners();
    // The idle lock signs the token out once the lock's audit head is signed; a second guard on the
    // same token service must not sign in before that, or the late sign-out ends its session (seen on
    // a loaded CI machine as NOT_LOGGED_IN at the next unlock).
    await idle.signedOut();

    const guard = new SessionGuard(desk, tokens);
    await guard.unlock(ref('userRsa'), hsm.tokens.userRsa.pin);
    // The slot listings the watch starts (the real calls, counted): the removal must lock at the first
    // listing after it. With the poll every 250 ms that is the 2 s of the requirement by design; the
    // time itself is logged, not bounded (a loaded CI machine can starve this niced process for longer).
    let listingsSincePull = 0;
    let removed = false;
    const listSlots = bridge.listSlots.bind(bridge);
    bridge.listSlots = (module: string) => {
      if (removed) listingsSincePull++;
      return listSlots(module);
    };
    const pulled = Date.now();
    const lock = new Promise<{ reason: LockReason; at: number; listings: number }>((resolve) =>
      guard.once('locked', (reason) => resolve({ reason, at: Date.now(), listings: listingsSincePull })));
    await hsm.removeToken('userRsa');
    removed = true;
    const { reason, at, listings } = await lock;
    console.log(`token pulled -> locked: ${at - pulled} ms, ${listings} slot listing(s) started since`);
    assert.equal(reason, 'removed');
    assert.ok(listings <= 1, `locked by the first slot listing after the removal (${listings} started)`);
    assert.equal(desk.state, 'locked');
    assert.equal(desk.session, null);
    desk.close();
  });
});

describe('a plain profile from before token binding', () => {
  test('is encrypted in place once the recovery key bound someone, with nothing lost', async () => {
    const hsm = await createSoftHsm({ tokens: ['userRsa', 'recovery'] });
    const bridge = new TokenBridge({ env: hsm.env });
    const tokens = new TokenService(bridge, async () => [hsm.modulePath]);
    const profile = tempDir('securedesk-legacy-');
    try {
      // A profile as the previous version left it: plain SQLite, plain blobs.
      const { db } = openDatabase(join(profile.dir, 'securedesk.db'));
      const userId = runSetup(db, SETUP, new Date());
      const store = new AttachmentStore(join(profile.dir, 'store'), join(profile.dir, 'staging'));
      await store.init();
      const pdf = await makeSamplePdf({ issuer: 'Ban Nội chính Thành ủy', numberSymbol: '93-KH/TU', title: 'KẾ HOẠCH', subject: SUBJECT });
      const actor = actorFor(getUser(db, userId)!);
      const staged = await store.stage(Readable.from([Buffer.from(pdf)]), 'ke-hoach.pdf', 1 << 30, userId);
      await registerIncoming({ db, store, arms: [{ schema: 'main', level: null }], storeFor: () => store, writable: () => Promise.resolve(), now: () => new Date() }, actor, incomingRegisterSchema.parse({
        issuer: { name: 'Ban Nội chính Thành ủy' }, numberSymbol: '93-KH/TU', documentDate: '2026-11-02', typeCode: 'KH',
        subject: SUBJECT, secrecy: 'mat', urgency: 'khan', stagedIds: [staged.stagedId],
      }));
      db.close();
      assert.ok(filesUnder(profile.dir).some((f) => f.bytes.includes(Buffer.from(SUBJECT))), 'plain before');

      const desk = await Desk.open({ profileDir: profile.dir, trustAnchors: [hsm.ca.certDer], recoveryCertificates: [keyOf(hsm.tokens.recovery, 'recovery').certDer] });
      const guard = new SessionGuard(desk, tokens);
      assert.equal(desk.info().needsBinding, true);
      const person = { moduleId: moduleId(hsm.modulePath), serial: hsm.tokens.userRsa.serial };
      const recovery = { moduleId: moduleId(hsm.modulePath), serial: hsm.tokens.recovery.serial };
      const bind = await guard.unlock(person, hsm.tokens.userRsa.pin).catch((e: unknown) => e);
      assert.ok(bind instanceof DeskError && bind.code === 'BIND_REQUIRED');
      assert.equal(bind.details?.users, undefined, 'nobody is listed before sign-in');
      assert.deepEqual((await guard.legacyUsers(recovery, hsm.tokens.recovery.pin)).map((u) => u.id), [userId]);
      await guard.bindLegacy(recovery, hsm.tokens.recovery.pin, userId, person);
      const session = await guard.unlock(person, hsm.tokens.userRsa.pin);
      const rows = desk.incoming.list(actorFor(session.user), { query: 'bi mat nha nuoc', sort: { field: 'arrival', dir: 'desc' }, offset: 0, limit: 10 });
      assert.equal(rows.length, 1);
      const att = desk.incoming.get(actorFor(session.user), rows[0]!.id).attachments[0]!;
      const t = await desk.attachments.openTicket(desk.attachments.open(actorFor(session.user), att.id).ticket);
      const chunks: Buffer[] = [];
      for await (const c of t!.stream) chunks.push(c as Buffer);
      assert.deepEqual(Buffer.concat(chunks), Buffer.from(pdf));
      guard.lock('manual');
      assertNothingReadable(profile.dir, [Buffer.from(SUBJECT), Buffer.from(pdf).subarray(200, 264)]);
      desk.close();
    } finally {
      await bridge.close();
      await hsm.cleanup();
      profile.cleanup();
    }
  });
});
