// Compartments (issue 7 §1): each secrecy level's records, index and files under that level's own key.
// (a) A person cleared only to Mật, with their own SoftHSM token and PIN, the keyrings and raw SQL or
//     file access, finds nothing of a Tối mật document anywhere under the profile.
// (b) Their lists, counts and search never show it; get and open by id say NOT_FOUND.
// (c) Need-to-know: a Mật document the văn thư registered is not seen by a chuyên viên cleared Mật
//     until they are named among its recipients or it is handed over to them.
// (d) A compartment file from another profile, or over another level's name, is refused at unlock
//     with a clear log; the other levels still open.
// (e) A profile in the single-file layout is split at its first unlock: counts per level kept, no
//     subject left in the base (decrypted, every page), blobs moved to their levels' stores.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3-multiple-ciphers';
import { DeskError } from '../../common/errors';
import { foldVietnamese } from '../../common/vietnamese';
import { AttachmentStore } from '../../main/core/attachments/store';
import { openLevelKeyring } from '../../main/core/compartments/keyrings';
import { LEVELS, compartmentFile, levelKeyringFile, type Level } from '../../main/core/compartments/levels';
import { CryptoError } from '../../main/core/crypto';
import { applyKey } from '../../main/core/db/keying';
import { Desk } from '../../main/core/desk';
import { newGlobalId } from '../../main/core/events/globalId';
import type { Logger } from '../../main/core/log';
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
import { newDesk, registration, softIdentity, tempDir } from '../helpers/desk';
import { addToken, type CustomToken } from '../helpers/hsmTokens';
import { oldProfile } from '../helpers/legacyProfile';

const O = '/O=Văn phòng Thử nghiệm SecureDesk/C=VN';
const PIN = '135790';
const ENC = 'critical,digitalSignature,nonRepudiation,keyEncipherment';

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

/** Every row of every table of a database as text (blobs both as UTF-8 and as latin1). */
function everyRow(db: Database.Database, schema = 'main'): string {
  const tables = db.prepare(`SELECT name FROM ${schema}.sqlite_master WHERE type = 'table'`).pluck().all() as string[];
  const parts: string[] = [];
  for (const t of tables) {
    let rows: unknown[];
    try {
      rows = db.prepare(`SELECT * FROM ${schema}."${t}"`).raw().all();
    } catch {
      continue; // a contentless FTS table reads as nothing; its shadow tables are listed on their own
    }
    for (const r of rows as unknown[][]) {
      for (const v of r) parts.push(Buffer.isBuffer(v) ? `${v.toString('utf8')}\n${v.toString('latin1')}` : String(v));
    }
  }
  return parts.join('\n');
}

/** Opens a SQLCipher file with a raw 32-byte key (the way the app keys its files), read-only. */
function openWith(file: string, key: Buffer): Database.Database {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  applyKey(db, key.toString('hex'), 'raw');
  return db;
}

const isNotFound = (e: unknown) => e instanceof DeskError && e.code === 'NOT_FOUND';

describe('a Tối mật document and a person cleared only to Mật, with real tokens', () => {
  let hsm: SoftHsm;
  let bridge: TokenBridge;
  let tokens: TokenService;
  let guard: SessionGuard;
  let desk: Desk;
  const profile = tempDir('securedesk-compart-');
  const t: Record<'qt' | 'vt' | 'manh', CustomToken> = {} as never;
  const ids = { vt: 0, manh: 0 };
  const docs = { secret: 0, secretAttachment: 0, matUnnamed: 0, matNamed: 0, thuong: 0 };
  // What must not be found of the Tối mật document: its subject, a word of it and its folded index
  // term, its number-symbol and that symbol's folded word, its issuer, and bytes of its file.
  const SUBJECT = 'Phương án phòng thủ khu vực Hoành Bồ trong diễn tập KVPT năm 2027';
  const SYMBOL = '47-KH/BCĐPTKV';
  const ISSUER = 'Ban Chỉ đạo diễn tập khu vực phòng thủ tỉnh';
  let pdf: Uint8Array;
  let needles: Array<[string, Buffer]>;
  const ref = (x: { serial: string }): TokenRef => ({ moduleId: moduleId(hsm.modulePath), serial: x.serial });

  before(async () => {
    hsm = await createSoftHsm({ tokens: ['recovery'] });
    t.qt = await addToken(hsm, 'SD-C-QT', PIN, [{ id: '01', label: 'qt', algorithm: 'rsa:2048', subject: `/CN=Hoàng Quản Trị${O}`, keyUsage: ENC, issuer: 'ca' }]);
    t.vt = await addToken(hsm, 'SD-C-VT', PIN, [{ id: '01', label: 'vt', algorithm: 'rsa:2048', subject: `/CN=Nguyễn Thị Tuyết${O}`, keyUsage: ENC, issuer: 'ca' }]);
    t.manh = await addToken(hsm, 'SD-C-MAT', PIN, [{ id: '01', label: 'manh', algorithm: 'rsa:2048', subject: `/CN=Lê Văn Mạnh${O}`, keyUsage: ENC, issuer: 'ca' }]);
    bridge = new TokenBridge({ env: hsm.env });
    tokens = new TokenService(bridge, async () => [hsm.modulePath]);
    pdf = await makeSamplePdf({ issuer: ISSUER, numberSymbol: SYMBOL, title: 'PHƯƠNG ÁN', subject: SUBJECT });
    needles = [
      ['subject', Buffer.from(SUBJECT)],
      ['a word of the subject', Buffer.from('Hoành Bồ')],
      ['its index term', Buffer.from(foldVietnamese('Hoành'))],
      ['the number-symbol', Buffer.from(SYMBOL)],
      ['the number-symbol word, folded', Buffer.from(foldVietnamese('BCĐPTKV'))],
      ['the issuer', Buffer.from(ISSUER)],
      ['file bytes', Buffer.from(pdf).subarray(300, 364)],
    ];
    desk = await Desk.open({ profileDir: profile.dir, trustAnchors: [hsm.ca.certDer], recoveryCertificates: [keyOf(hsm.tokens.recovery, 'recovery').certDer] });
    guard = new SessionGuard(desk, tokens);
    const session = await guard.setup({
      unit: { name: 'Văn phòng Tỉnh ủy', code: '000.00.01.H49', preset: 'state' },
      admin: { fullName: 'Hoàng Quản Trị', position: 'Quản trị hệ thống', role: 'quan_tri', clearance: 'tuyet_mat' },
    }, ref(t.qt), PIN);
    const admin = actorFor(session.user);
    ids.vt = (await desk.org.addUser(admin, { fullName: 'Nguyễn Thị Tuyết', position: 'Văn thư', role: 'van_thu', clearance: 'tuyet_mat' })).id;
    ids.manh = (await desk.org.addUser(admin, { fullName: 'Lê Văn Mạnh', position: 'Chuyên viên', role: 'chuyen_vien', clearance: 'mat' })).id;
    await guard.bindToken(admin, ids.vt, ref(t.vt));
    await guard.bindToken(admin, ids.manh, ref(t.manh));
    guard.lock('manual');

    // The Tuyệt mật văn thư registers, with her own token.
    const vtSession = await guard.unlock(ref(t.vt), PIN);
    const vt: Actor = { ...vtSession.user, rights: vtSession.rights };
    const staged = await desk.attachments.stage(vt, Readable.from([Buffer.from(pdf)]), 'phuong-an.pdf');
    docs.secret = (await desk.incoming.register(vt, await registration(desk, vt, {
      issuer: { name: ISSUER }, numberSymbol: SYMBOL, typeCode: 'KH', subject: SUBJECT, secrecy: 'toi_mat', urgency: 'khan', stagedIds: [staged.stagedId],
    }))).id;
    docs.secretAttachment = desk.incoming.get(vt, docs.secret).attachments[0]!.id;
    docs.matUnnamed = (await desk.incoming.register(vt, await registration(desk, vt, { secrecy: 'mat', subject: 'Báo cáo mật về công tác cán bộ quý IV' }))).id;
    docs.matNamed = (await desk.incoming.register(vt, await registration(desk, vt, {
      secrecy: 'mat', subject: 'Công văn mật về kiểm tra bảo mật hệ thống', recipients: [{ userId: ids.manh }],
    }))).id;
    docs.thuong = (await desk.incoming.register(vt, await registration(desk, vt, { subject: 'Thông báo lịch họp giao ban tháng 12' }))).id;
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

  test('(a) with his own token the Mật person unwraps the base key and the Thường and Mật keys only; nothing of the Tối mật document is readable', async () => {
    await bridge.login(hsm.modulePath, { serial: t.manh.serial }, PIN);
    try {
      const key = tokenKeyOps(bridge, { module: hsm.modulePath, slot: { serial: t.manh.serial }, keyId: '01', certificate: t.manh.certs['01']! });
      const dataKey = await openKeyring(join(profile.dir, 'keyring.cms'), key);
      const held: Partial<Record<Level, Buffer>> = {};
      for (const level of LEVELS) {
        const opened = await openLevelKeyring(levelKeyringFile(profile.dir, level), level, key).catch((e: unknown) => e);
        if (level === 'thuong' || level === 'mat') {
          assert.ok(!(opened instanceof Error), `${level}: ${String(opened)}`);
          held[level] = (opened as { key: Buffer }).key;
        } else {
          assert.ok(opened instanceof CryptoError && opened.code === 'NOT_A_RECIPIENT', `${level} is not his: ${String(opened)}`);
        }
      }
      const keys = [dataKey, held.thuong!, held.mat!];
      // The Tối mật (and Tuyệt mật) compartment files read as noise with every key he has, in every keying form.
      for (const level of ['toi_mat', 'tuyet_mat'] as const) {
        for (const k of keys) {
          for (const form of ['raw', 'derived'] as const) {
            const db = new Database(compartmentFile(profile.dir, level), { readonly: true });
            try {
              assert.throws(() => {
                applyKey(db, k.toString('hex'), form);
                db.prepare('SELECT count(*) FROM sqlite_master').get();
              }, /not a database|encrypted/i, `${level} with a key he holds (${form})`);
            } finally {
              db.close();
            }
          }
        }
        const bare = new Database(compartmentFile(profile.dir, level), { readonly: true });
        assert.throws(() => bare.prepare('SELECT count(*) FROM sqlite_master').get(), /not a database|encrypted/i);
        bare.close();
      }
      // What he can open (the base, his two compartments), read in full: nothing of it.
      const opened: Array<[string, Database.Database]> = [
        ['base', openWith(join(profile.dir, 'securedesk.db'), dataKey)],
        ['thuong', openWith(compartmentFile(profile.dir, 'thuong'), held.thuong!)],
        ['mat', openWith(compartmentFile(profile.dir, 'mat'), held.mat!)],
      ];
      try {
        for (const [name, db] of opened) {
          const text = everyRow(db);
          assert.ok(text.length > 0, `${name} was read`);
          for (const [what, n] of needles) assert.ok(!text.includes(n.toString('utf8')), `${name} holds the ${what}`);
          if (name !== 'base') {
            assert.equal(db.prepare("SELECT count(*) FROM incoming_fts WHERE incoming_fts MATCH 'hoanh OR bcdptkv'").pluck().get(), 0, `${name}'s index`);
            assert.equal(db.prepare('SELECT count(*) FROM incoming WHERE id = ?').pluck().get(docs.secret), 0);
          }
        }
        // The base's audit names the record by id; its level is all it says of it.
        const audit = opened[0]![1].prepare("SELECT details FROM audit_log WHERE entity_id = ? AND action = 'incoming.register'").pluck().get(docs.secret) as string;
        assert.ok(audit && !audit.includes(SUBJECT) && !audit.includes(SYMBOL));
      } finally {
        for (const [, db] of opened) db.close();
      }
      // And the bytes of every file under the profile, with or without a key: nothing.
      for (const f of filesUnder(profile.dir)) {
        for (const [what, n] of needles) assert.equal(f.bytes.includes(n), false, `${f.path} holds the ${what}`);
      }
      for (const k of keys) k.fill(0);
    } finally {
      await bridge.logout(hsm.modulePath, { serial: t.manh.serial });
    }
    // The same reads with the Tuyệt mật văn thư's token find it all: the checks above can see it.
    await bridge.login(hsm.modulePath, { serial: t.vt.serial }, PIN);
    try {
      const key = tokenKeyOps(bridge, { module: hsm.modulePath, slot: { serial: t.vt.serial }, keyId: '01', certificate: t.vt.certs['01']! });
      const k = await openLevelKeyring(levelKeyringFile(profile.dir, 'toi_mat'), 'toi_mat', key);
      const db = openWith(compartmentFile(profile.dir, 'toi_mat'), k.key);
      try {
        const text = everyRow(db);
        for (const [what, n] of needles.slice(0, 2).concat(needles.slice(3, 4), needles.slice(5, 6))) assert.ok(text.includes(n.toString('utf8')), `the văn thư reads the ${what}`);
        assert.ok(text.includes(foldVietnamese('Hoành')), 'and its index term');
        assert.equal(db.prepare("SELECT count(*) FROM incoming_fts WHERE incoming_fts MATCH 'hoanh'").pluck().get(), 1);
      } finally {
        db.close();
        k.key.fill(0);
      }
    } finally {
      await bridge.logout(hsm.modulePath, { serial: t.vt.serial });
    }
  });

  test('(b) his lists, counts and search never show the Tối mật document; get and open by id say NOT_FOUND', async () => {
    const session = await guard.unlock(ref(t.manh), PIN);
    try {
      const manh: Actor = { ...session.user, rights: session.rights };
      assert.deepEqual(desk.heldLevels, ['thuong', 'mat'], 'only his levels are attached');
      const listed = (q: Record<string, unknown>) => desk.incoming.list(manh, { sort: { field: 'arrival', dir: 'desc' }, offset: 0, limit: 100, ...q }).map((r) => r.id);
      for (const q of [{}, { query: 'Hoành Bồ' }, { query: 'hoanh bo' }, { query: SYMBOL }, { query: 'BCĐPTKV' }, { secrecy: ['toi_mat'] }, { query: 'phuong an' }]) {
        assert.ok(!listed(q).includes(docs.secret), `list ${JSON.stringify(q)}`);
      }
      assert.deepEqual(listed({}).sort(), [docs.matNamed, docs.thuong].sort(), 'what he may see: Thường, and the Mật document naming him');
      assert.equal(desk.incoming.count(manh, {}).total, 2);
      assert.equal(desk.incoming.count(manh, { query: 'hoanh' }).total, 0);
      assert.equal(desk.incoming.count(manh, { secrecy: ['toi_mat'] }).total, 0);
      assert.throws(() => desk.incoming.get(manh, docs.secret), isNotFound);
      assert.throws(() => desk.attachments.open(manh, docs.secretAttachment), isNotFound);
      assert.throws(() => desk.context().storeFor('toi_mat'), isNotFound, 'no store of a level he does not hold');
      // Not even through the views: his connection has no Tối mật schema attached.
      assert.equal(desk.db.prepare("SELECT count(*) FROM pragma_database_list WHERE name IN ('c_toi_mat', 'c_tuyet_mat')").pluck().get(), 0);
      assert.equal(desk.db.prepare('SELECT count(*) FROM incoming WHERE id = ?').pluck().get(docs.secret), 0);
    } finally {
      guard.lock('manual');
    }
    // The văn thư, cleared Tuyệt mật, sees it (the test above is about the key, not a missing record).
    const vtSession = await guard.unlock(ref(t.vt), PIN);
    try {
      const vt: Actor = { ...vtSession.user, rights: vtSession.rights };
      assert.equal(desk.incoming.get(vt, docs.secret).subject, SUBJECT);
      assert.ok(desk.incoming.list(vt, { query: 'hoanh bo', sort: { field: 'arrival', dir: 'desc' }, offset: 0, limit: 10 }).some((r) => r.id === docs.secret));
    } finally {
      guard.lock('manual');
    }
  });

  test('(c) need-to-know: a Mật document is not seen by a chuyên viên cleared Mật until named as recipient or handed over', async () => {
    let session = await guard.unlock(ref(t.manh), PIN);
    let manh: Actor = { ...session.user, rights: session.rights };
    const sees = (id: number) => desk.incoming.list(manh, { sort: { field: 'arrival', dir: 'desc' }, offset: 0, limit: 100 }).some((r) => r.id === id);
    try {
      assert.equal(sees(docs.matUnnamed), false);
      assert.equal(desk.incoming.list(manh, { query: 'can bo quy', sort: { field: 'arrival', dir: 'desc' }, offset: 0, limit: 10 }).length, 0, 'nor by search');
      assert.equal(desk.incoming.count(manh, { secrecy: ['mat'] }).total, 1, 'counted: only the one naming him');
      assert.throws(() => desk.incoming.get(manh, docs.matUnnamed), isNotFound);
      assert.equal(sees(docs.matNamed), true, 'named among the recipients');
      assert.equal(desk.incoming.get(manh, docs.matNamed).secrecy, 'mat');
      assert.equal(sees(docs.thuong), true, 'Thường is open to the agency');
    } finally {
      guard.lock('manual');
    }
    // The văn thư hands it over to him: from then on it is in his distribution.
    const vtSession = await guard.unlock(ref(t.vt), PIN);
    try {
      await desk.incoming.handOver({ ...vtSession.user, rights: vtSession.rights }, { id: docs.matUnnamed, userId: ids.manh, note: 'Bản số 1' });
    } finally {
      guard.lock('manual');
    }
    session = await guard.unlock(ref(t.manh), PIN);
    manh = { ...session.user, rights: session.rights };
    try {
      assert.equal(sees(docs.matUnnamed), true, 'handed over to him');
      assert.equal(desk.incoming.get(manh, docs.matUnnamed).subject, 'Báo cáo mật về công tác cán bộ quý IV');
    } finally {
      guard.lock('manual');
    }
  });
});

describe('(d) a compartment file from another profile, or over another level\'s name', () => {
  let a: Awaited<ReturnType<typeof newDesk>>;
  let b: Awaited<ReturnType<typeof newDesk>>;
  const docs: Partial<Record<Level, number>> = {};
  const backup = mkdtempSync(join(tmpdir(), 'securedesk-compart-backup-'));

  before(async () => {
    a = await newDesk('state');
    b = await newDesk('state');
    for (const level of ['thuong', 'mat', 'toi_mat'] as const) {
      docs[level] = (await a.desk.incoming.register(a.admin, await registration(a.desk, a.admin, { secrecy: level, subject: `Văn bản ${level} của hồ sơ A` }))).id;
    }
    await b.desk.incoming.register(b.admin, await registration(b.desk, b.admin, { secrecy: 'mat', subject: 'Văn bản mật của hồ sơ B' }));
    for (const env of [a, b]) {
      await env.desk.verdict();
      env.desk.close();
    }
    await new Promise((r) => setTimeout(r, 100));
    for (const f of ['compartments/mat.db', 'compartments/toi_mat.db', 'keyrings/mat.cms', 'keyrings/toi_mat.cms']) copyFileSync(join(a.dir, f), join(backup, f.replace('/', '_')));
  });
  after(() => {
    a?.cleanup();
    b?.cleanup();
    rmSync(backup, { recursive: true, force: true });
  });

  /** Puts `from` in place of A's `to` (with no -wal/-shm of the file replaced). */
  const plant = (from: string, to: string) => {
    for (const s of ['-wal', '-shm']) rmSync(join(a.dir, `${to}${s}`), { force: true });
    copyFileSync(from, join(a.dir, to));
  };
  const restore = () => {
    for (const f of ['compartments/mat.db', 'compartments/toi_mat.db', 'keyrings/mat.cms', 'keyrings/toi_mat.cms']) plant(join(backup, f.replace('/', '_')), f);
  };

  /** Unlocks A with a log to read; checks which levels opened, what is listed, and what was logged and audited. */
  async function unlockA(refusedLevel: Level, logged: RegExp, reason: RegExp) {
    const lines: Array<{ level: string; msg: string; fields: Record<string, unknown> }> = [];
    const logger: Logger = { log: (level, msg, fields = {}) => lines.push({ level, msg, fields }) };
    const desk = await Desk.open({ profileDir: a.dir, logger });
    try {
      const session = await desk.unlock(a.identity);
      const actor: Actor = { ...session.user, rights: session.rights };
      await desk.verdict();
      assert.deepEqual(desk.heldLevels, LEVELS.filter((l) => l !== refusedLevel), 'every other level opens');
      const listed = desk.incoming.list(actor, { sort: { field: 'arrival', dir: 'desc' }, offset: 0, limit: 100 }).map((r) => r.id);
      for (const [level, id] of Object.entries(docs)) assert.equal(listed.includes(id), level !== refusedLevel, `the ${level} document`);
      const line = lines.find((l) => l.level === 'error' && logged.test(l.msg) && l.fields.level === refusedLevel);
      assert.ok(line, `a clear log line: ${JSON.stringify(lines)}`);
      assert.match(String(line.fields.reason ?? line.fields.error), reason);
      // Recorded in the audit once the base is known sound.
      for (let waited = 0; waited < 5000; waited += 50) {
        if (desk.db.prepare("SELECT count(*) FROM audit_log WHERE action IN ('compartment.refused', 'keyring.refused')").pluck().get()) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const audited = desk.db.prepare("SELECT details FROM audit_log WHERE action IN ('compartment.refused', 'keyring.refused') ORDER BY id DESC LIMIT 1").pluck().get() as string;
      assert.equal((JSON.parse(audited) as { level: string }).level, refusedLevel);
      // Nothing is written into the refused level: registering there is refused.
      if (refusedLevel === 'mat') {
        await assert.rejects(desk.incoming.register(actor, await registration(desk, actor, { secrecy: 'mat' })), (e: unknown) => e instanceof DeskError && e.code === 'FORBIDDEN');
      }
    } finally {
      desk.close();
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  test('another profile\'s Mật compartment (under its own key) is refused; the others open', async () => {
    const foreign = readFileSync(join(b.dir, 'compartments/mat.db'));
    plant(join(b.dir, 'compartments/mat.db'), 'compartments/mat.db');
    await unlockA('mat', /compartment file was refused/, /not a database|encrypted/i);
    assert.deepEqual(readFileSync(join(a.dir, 'compartments/mat.db')), foreign, 'the refused file is left as it was');
    restore();
  });

  test('another profile\'s Mật compartment with its keyring (a key this person opens) is refused as another profile\'s', async () => {
    plant(join(b.dir, 'compartments/mat.db'), 'compartments/mat.db');
    plant(join(b.dir, 'keyrings/mat.cms'), 'keyrings/mat.cms');
    await unlockA('mat', /compartment file was refused/, /another profile/);
    restore();
  });

  test('the Mật compartment renamed to the Tối mật one is refused; so is the Mật keyring renamed with it', async () => {
    plant(join(backup, 'compartments_mat.db'), 'compartments/toi_mat.db');
    await unlockA('toi_mat', /compartment file was refused/, /not a database|encrypted/i);
    plant(join(backup, 'keyrings_mat.cms'), 'keyrings/toi_mat.cms');
    await unlockA('toi_mat', /level keyring did not open/, /another level/);
    restore();
    // Put back, every level opens again.
    const desk = await Desk.open({ profileDir: a.dir });
    try {
      await desk.unlock(a.identity);
      assert.deepEqual(desk.heldLevels, [...LEVELS]);
    } finally {
      desk.close();
    }
  });
});

describe('(e) a profile in the single-file layout', () => {
  test('is split at its first unlock: counts per level kept, no subject left in the base, blobs moved', async () => {
    const t = tempDir('securedesk-split-');
    const subjects: Record<string, string> = {
      thuong: 'Thông báo kết luận hội nghị Hạ Long mở rộng',
      toi_mat: 'Phương án bảo vệ mục tiêu trọng yếu Cẩm Phả',
      tuyet_mat: 'Kế hoạch tác chiến phòng thủ Vân Đồn',
    };
    const plainFiles: Record<string, Buffer> = {};
    try {
      // Plain blobs, as the previous version kept them.
      const store = new AttachmentStore(join(t.dir, 'store'), join(t.dir, 'staging'));
      await store.init();
      const metas: Record<string, { sha256: string; size: number; name: string }> = {};
      for (const level of Object.keys(subjects)) {
        plainFiles[level] = Buffer.from(await makeSamplePdf({ issuer: 'Bộ Chỉ huy quân sự tỉnh', numberSymbol: `9-KH/${level}`, title: 'KẾ HOẠCH', subject: subjects[level]! }));
        const m = await store.stage(Readable.from([plainFiles[level]!]), `${level}.pdf`, 1 << 30, 1);
        await store.promote(m.stagedId);
        metas[level] = { sha256: m.sha256, size: m.size, name: `${level}.pdf` };
      }
      let expected: Record<string, number> = {};
      oldProfile(t.dir, 'state', {
        extra: (db, userId) => {
          const ins = db.prepare(`INSERT INTO incoming (register_id, period, arrival_number, arrival_date, year, issuer_name, number_symbol,
            number_symbol_key, issuer_key, document_date, type_code, subject, secrecy, secrecy_rank, urgency, registered_by, registered_at, global_id, attachment_count)
            VALUES (?, '2026', ?, '2026-10-05', 2026, 'Bộ Chỉ huy quân sự tỉnh', ?, ?, 'bo chi huy quan su tinh', '2026-10-04', 'KH', ?, ?, ?, 'thuong', ?, '2026-10-05T02:00:00.000Z', ?, 1)`);
          const att = db.prepare('INSERT INTO attachments (incoming_id, ordinal, name, size, mime, is_pdf, sha256, global_id) VALUES (?, 1, ?, ?, \'application/pdf\', 1, ?, ?)');
          const rank = { thuong: 0, toi_mat: 2, tuyet_mat: 3 } as Record<string, number>;
          const number = { thuong: [1, 2], toi_mat: [2, 2], tuyet_mat: [2, 3] } as Record<string, [number, number]>;
          for (const level of Object.keys(subjects)) {
            const [register, n] = number[level]!;
            const id = Number(ins.run(register, n, `9-KH/${level}`, `9-kh/${level}`, subjects[level], level, rank[level], userId, newGlobalId()).lastInsertRowid);
            att.run(id, metas[level]!.name, metas[level]!.size, metas[level]!.sha256, newGlobalId());
          }
          expected = Object.fromEntries(db.prepare('SELECT secrecy, count(*) FROM incoming GROUP BY secrecy').raw().all() as Array<[string, number]>);
        },
      });
      assert.deepEqual(expected, { thuong: 2, mat: 1, toi_mat: 1, tuyet_mat: 1 });
      assert.ok(filesUnder(t.dir).some((f) => f.bytes.includes(Buffer.from(subjects.toi_mat!))), 'plain before');

      const identity = softIdentity();
      const desk = await Desk.open({ profileDir: t.dir });
      try {
        const session = await desk.unlock(identity);
        const actor: Actor = { ...session.user, rights: session.rights };
        const db = desk.db;
        assert.deepEqual(desk.heldLevels, [...LEVELS]);
        const counts = Object.fromEntries(LEVELS.map((l) => [l, db.prepare(`SELECT count(*) FROM c_${l}.incoming`).pluck().get() as number]));
        assert.deepEqual(counts, expected, 'counts per level kept');
        assert.equal(desk.incoming.count(actor, {}).total, 5);
        assert.equal(db.prepare("SELECT count(*) FROM main.sqlite_master WHERE name IN ('incoming', 'attachments', 'incoming_fts', 'search_terms')").pluck().get(), 0);
        assert.equal(db.prepare("SELECT value FROM settings WHERE key = 'vacuum_pending'").pluck().get(), undefined, 'vacuumed');
        // Found by search (the index rebuilt in each compartment), files served from their levels' stores.
        for (const [level, subject] of Object.entries(subjects)) {
          const [row] = desk.incoming.list(actor, { query: foldVietnamese(subject.split(' ').slice(-2).join(' ')), sort: { field: 'arrival', dir: 'desc' }, offset: 0, limit: 10 });
          assert.equal(row?.subject, subject, level);
          const a = desk.incoming.get(actor, row.id).attachments[0]!;
          assert.ok(existsSync(desk.context().storeFor(level as Level).blobPath(a.sha256)), `${level} blob in its level store`);
          const opened = await desk.attachments.openTicket(desk.attachments.open(actor, a.id).ticket);
          const chunks: Buffer[] = [];
          for await (const c of opened!.stream) chunks.push(c as Buffer);
          assert.deepEqual(Buffer.concat(chunks), plainFiles[level], `${level} file`);
        }
        const baseBlobs = existsSync(join(t.dir, 'store')) ? readdirSync(join(t.dir, 'store'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()) : [];
        assert.deepEqual(baseBlobs.map((e) => e.name), [], 'no blob left in the base store');
        // The base read through SQL: no subject anywhere.
        const text = everyRow(db, 'main');
        assert.ok(text.includes('Nguyễn Thị Hương'), 'the base was read');
        for (const s of Object.values(subjects)) assert.ok(!text.includes(s), `the base holds "${s}"`);
        await desk.verdict();
      } finally {
        desk.close();
      }
      await new Promise((r) => setTimeout(r, 100));
      // Every page of the base, decrypted (a copy, its encryption removed): not a subject, not a file byte.
      const dataKey = await openKeyring(join(t.dir, 'keyring.cms'), identity.unlockKeys[0]!);
      const copy = join(t.dir, 'base-plain-copy.db');
      copyFileSync(join(t.dir, 'securedesk.db'), copy);
      const plain = openWith(copy, dataKey);
      plain.close();
      const rw = new Database(copy);
      applyKey(rw, dataKey.toString('hex'), 'raw');
      rw.pragma('journal_mode = DELETE');
      rw.pragma("rekey = ''");
      rw.close();
      const bytes = readFileSync(copy);
      assert.equal(bytes.subarray(0, 15).toString('latin1'), 'SQLite format 3', 'the copy is plaintext now');
      assert.ok(bytes.includes(Buffer.from('Nguyễn Thị Hương')), 'the oracle reads plaintext (a person\'s name is in the base)');
      for (const s of Object.values(subjects)) assert.equal(bytes.includes(Buffer.from(s)), false, `the base's pages hold "${s}"`);
      for (const f of Object.values(plainFiles)) assert.equal(bytes.includes(f.subarray(300, 364)), false);
      rmSync(copy);
      // And no file under the profile holds them in the clear.
      for (const f of filesUnder(t.dir)) for (const s of Object.values(subjects)) assert.equal(f.bytes.includes(Buffer.from(s)), false, `${f.path}`);
    } finally {
      t.cleanup();
    }
  });
});
