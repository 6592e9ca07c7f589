// Keyrings and files through the agency server (issue 9 §2 leftovers), with real SoftHSM tokens,
// two real profiles (workstation B starts from A's snapshot) and the real HTTPS server on SQLite and
// on PostgreSQL. A person given Mật on A opens Mật on B after a sync; a re-key on A reaches B; a file
// registered on A opens on B; a broken download resumes; a tampered file is refused and nothing placed;
// the server holds only ciphertext, and lists a keyring entry only to someone it is addressed to.
import assert from 'node:assert/strict';
import { randomBytes, X509Certificate } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { after, before, describe, test } from 'node:test';
import type { RunningServer } from '../../../server/app';
import type { PersonEntry } from '../../../server/config';
import type { SyncIndicatorView } from '../../../common/contract';
import { createRouter } from '../../../main/ipc/router';
import { Desk } from '../../../main/core/desk';
import type { Actor } from '../../../main/core/org/rights';
import { actorFor, getUser } from '../../../main/core/org/users';
import { SessionGuard } from '../../../main/core/session/guard';
import { TokenService, type TokenRef } from '../../../main/core/session/tokens';
import { tokenKeyOps } from '../../../main/core/token/tokenKeyOps';
import { ServerClient } from '../../../main/core/sync/ServerClient';
import { SyncService } from '../../../main/core/sync/SyncService';
import { takeNewWorkstationId } from '../../../main/core/sync/workstation';
import { makeSamplePdf } from '../../../main/devhost/samplePdf';
import { TokenBridge } from '../../../native/bridge/client';
import { moduleId } from '../../../native/modules/discovery';
import { createSoftHsm, keyOf, type SoftHsm } from '../../fixtures/softhsm/tokens';
import { startAgencyServer, type AgencyPki, type Backend } from '../../helpers/agencyServer';
import { registration, tempDir } from '../../helpers/desk';
import { addToken, type CustomToken } from '../../helpers/hsmTokens';
import { startPostgres, type TestPostgres } from '../../helpers/postgres';

const O = '/O=Văn phòng Thử nghiệm SecureDesk/C=VN';
const PIN = '135790';
const USAGE = 'critical,digitalSignature,nonRepudiation,keyEncipherment';
const BACKENDS: Backend[] = (process.env.SHARE_BACKENDS?.split(',') as Backend[] | undefined) ?? ['sqlite', 'postgres'];
/** The token is signed out after the lock's audit head is signed: wait for it before the next sign-in. */
const signedOut = (g: SessionGuard) => g.signedOut();

for (const backend of BACKENDS) {
  describe(`keyrings and files between two workstations through the agency server (${backend})`, () => {
    let hsm: SoftHsm;
    let bridge: TokenBridge;
    let pg: TestPostgres | undefined;
    let server: RunningServer;
    let a: Desk;
    let b: Desk;
    let guardA: SessionGuard;
    let guardB: SessionGuard;
    let syncA: SyncService;
    let syncB: SyncService;
    let qt: Actor; // the administrator, at workstation A
    let vtB: Actor; // the văn thư, at workstation B
    const t: Record<'qt' | 'vt' | 'ld' | 'manh', CustomToken> = {} as never;
    let onA: 'qt' | 'vt' = 'qt';
    let vtA: Actor;
    const ids = { vt: 0, ld: 0, manh: 0 };
    const served: Array<{ route: string; status: number }> = [];
    const cleanups: Array<() => unknown> = [];
    let transport: { url: string; caPem: string; timeoutMs: number };
    const ref = (x: { serial: string }): TokenRef => ({ moduleId: moduleId(hsm.modulePath), serial: x.serial });
    const key = (x: CustomToken) => tokenKeyOps(bridge, { module: hsm.modulePath, slot: { serial: x.serial }, keyId: '01', certificate: x.certs['01']! });
    const syncFor = (desk: Desk, who: CustomToken, clearance: 'tuyet_mat' | 'mat', extra: ConstructorParameters<typeof SyncService>[1] extends infer O ? Partial<O> : never = {}) =>
      new SyncService(desk, { transport, signer: () => key(who), clearance, ...extra });

    /** The administrator does on A what only an administrator may, then the văn thư signs in again. */
    // A sync lives as long as a session (the app starts one at each unlock: agencySync.ts).
    const newSyncA = () => {
      syncA?.close();
      syncA = new SyncService(a, { transport, signer: () => key(t[onA]), clearance: 'tuyet_mat' });
    };
    const asAdminOnA = async (fn: (admin: Actor) => Promise<unknown>) => {
      guardA.lock('manual');
      await signedOut(guardA);
      qt = actorFor((await guardA.unlock(ref(t.qt), PIN)).user);
      onA = 'qt';
      newSyncA();
      await fn(qt);
      await syncA.syncOnce();
      guardA.lock('manual');
      await signedOut(guardA);
      vtA = actorFor((await guardA.unlock(ref(t.vt), PIN)).user);
      onA = 'vt';
      newSyncA();
    };

    before(async () => {
      const tmp = tempDir('securedesk-share-');
      cleanups.push(tmp.cleanup);
      hsm = await createSoftHsm({ tokens: ['recovery'] });
      cleanups.push(() => hsm.cleanup());
      t.qt = await addToken(hsm, 'SD-S-QT', PIN, [{ id: '01', label: 'qt', algorithm: 'rsa:2048', subject: `/CN=Hoàng Quản Trị${O}`, keyUsage: USAGE, issuer: 'ca' }]);
      t.vt = await addToken(hsm, 'SD-S-VT', PIN, [{ id: '01', label: 'vt', algorithm: 'rsa:2048', subject: `/CN=Nguyễn Thị Tuyết${O}`, keyUsage: USAGE, issuer: 'ca' }]);
      t.ld = await addToken(hsm, 'SD-S-LD', PIN, [{ id: '01', label: 'ld', algorithm: 'rsa:2048', subject: `/CN=Trần Văn Lãnh${O}`, keyUsage: USAGE, issuer: 'ca' }]);
      t.manh = await addToken(hsm, 'SD-S-MANH', PIN, [{ id: '01', label: 'manh', algorithm: 'rsa:2048', subject: `/CN=Lê Văn Mạnh${O}`, keyUsage: USAGE, issuer: 'ca' }]);
      bridge = new TokenBridge({ env: hsm.env });
      cleanups.unshift(() => bridge.close());
      const tokens = new TokenService(bridge, async () => [hsm.modulePath]);

      // The server trusts the CA that issued the tokens' certificates; people are enrolled by them.
      const sdir = join(tmp.dir, 'server');
      mkdirSync(sdir, { recursive: true });
      const certFile = (name: string, der: Buffer) => {
        const f = join(sdir, `${name}.pem`);
        writeFileSync(f, new X509Certificate(der).toString());
        return f;
      };
      const people: PersonEntry[] = [
        { person: 'p-qt', name: 'Hoàng Quản Trị', role: 'quan_tri', clearance: 'tuyet_mat', certificates: [certFile('qt', t.qt.certs['01']!)] },
        { person: 'p-vt', name: 'Nguyễn Thị Tuyết', role: 'van_thu', clearance: 'tuyet_mat', certificates: [certFile('vt', t.vt.certs['01']!)] },
        { person: 'p-ld', name: 'Trần Văn Lãnh', role: 'lanh_dao', clearance: 'tuyet_mat', certificates: [certFile('ld', t.ld.certs['01']!)] },
        // Enrolled up to Mật on the server; on the workstations he starts at Thường.
        { person: 'p-manh', name: 'Lê Văn Mạnh', role: 'chuyen_vien', clearance: 'mat', certificates: [certFile('manh', t.manh.certs['01']!)] },
      ] as PersonEntry[];
      if (backend === 'postgres') {
        pg = await startPostgres();
        cleanups.unshift(() => pg!.stop());
      }
      const pki = { ca: { certPath: certFile('ca', hsm.ca.certDer) } } as unknown as AgencyPki;
      // startAgencyServer needs the server's TLS party from a PKI of its own: make one and swap the anchors.
      const { agencyPki } = await import('../../helpers/agencyServer');
      const tlsPki = await agencyPki([]);
      cleanups.push(() => tlsPki.pki.cleanup());
      server = await startAgencyServer({
        backend, ...(pg ? { pg } : {}), dir: sdir, pki: tlsPki, people, extraAnchors: [pki.ca.certPath],
        logger: { log: (_l, msg, f) => { if (msg === 'request') served.push({ route: String(f?.route), status: Number(f?.status) }); } },
      });
      cleanups.unshift(() => server.close());
      transport = { url: `https://localhost:${server.port}`, caPem: tlsPki.ca.certPem, timeoutMs: 20_000 };

      // Workstation A: the administrator sets up and adds the văn thư and Mạnh (Thường for now).
      const profile = join(tmp.dir, 'a');
      const recovery = [keyOf(hsm.tokens.recovery, 'recovery').certDer];
      a = await Desk.open({ profileDir: profile, trustAnchors: [hsm.ca.certDer], recoveryCertificates: recovery });
      guardA = new SessionGuard(a, tokens);
      const s = await guardA.setup({
        unit: { name: 'Văn phòng Tỉnh ủy', code: '000.00.01.H49', preset: 'state' },
        admin: { fullName: 'Hoàng Quản Trị', position: 'Quản trị hệ thống', role: 'quan_tri', clearance: 'tuyet_mat' },
      }, ref(t.qt), PIN);
      qt = actorFor(s.user);
      ids.vt = (await a.org.addUser(qt, { fullName: 'Nguyễn Thị Tuyết', position: 'Văn thư', role: 'van_thu', clearance: 'tuyet_mat' })).id;
      ids.ld = (await a.org.addUser(qt, { fullName: 'Trần Văn Lãnh', position: 'Chánh Văn phòng', role: 'lanh_dao', clearance: 'tuyet_mat' })).id;
      ids.manh = (await a.org.addUser(qt, { fullName: 'Lê Văn Mạnh', position: 'Chuyên viên', role: 'chuyen_vien', clearance: 'thuong' })).id;
      await guardA.bindToken(qt, ids.vt, ref(t.vt));
      await guardA.bindToken(qt, ids.manh, ref(t.manh));
      await guardA.bindToken(qt, ids.ld, ref(t.ld));
      guardA.lock('manual');
      await signedOut(guardA);
      a.close();
      // Workstation B starts from the agency's snapshot of that profile and takes its own id.
      const profileB = join(tmp.dir, 'b');
      cpSync(profile, profileB, { recursive: true });
      a = await Desk.open({ profileDir: profile, trustAnchors: [hsm.ca.certDer], recoveryCertificates: recovery });
      b = await Desk.open({ profileDir: profileB, trustAnchors: [hsm.ca.certDer], recoveryCertificates: recovery });
      guardA = new SessionGuard(a, tokens);
      guardB = new SessionGuard(b, tokens);
      vtA = actorFor((await guardA.unlock(ref(t.vt), PIN)).user);
      onA = 'vt';
      // The leader works at B.
      const sb = await guardB.unlock(ref(t.ld), PIN);
      vtB = actorFor(sb.user);
      takeNewWorkstationId(b.db, new Date());
      newSyncA();
      syncB = syncFor(b, t.ld, 'tuyet_mat');
      cleanups.unshift(() => syncA?.close(), () => syncB.close(), () => { guardA.lock('manual'); a.close(); }, () => { guardB.lock('manual'); b.close(); });
    });

    after(async () => {
      for (const c of cleanups) {
        try { await c(); } catch { /* closed */ }
      }
    });

    test('a Mật document registered with its PDF on A opens on B, file and all; the server holds the file only sealed', async () => {
      const pdf = Buffer.from(await makeSamplePdf({ issuer: 'Bộ Công an', numberSymbol: '12/CV-BCA', title: 'CÔNG VĂN', subject: 'Về việc bảo vệ bí mật nhà nước' }));
      const staged = await a.attachments.stage(vtA, Readable.from([pdf]), 'cong-van-mat.pdf');
      const reg = await a.incoming.register(vtA, await registration(a, vtA, { secrecy: 'mat', subject: 'Về việc bảo vệ bí mật nhà nước', stagedIds: [staged.stagedId] }));
      const gid = a.db.prepare('SELECT global_id FROM c_mat.incoming WHERE id = ?').pluck().get(reg.id) as string;
      const upA = await syncA.syncOnce();
      assert.ok((upA.files?.uploaded ?? 0) >= 1, JSON.stringify(upA.files));
      const downB = await syncB.syncOnce();
      assert.equal(downB.files?.downloaded, 1, JSON.stringify(downB.files));
      assert.deepEqual(downB.files?.refused, []);
      const idB = b.db.prepare('SELECT id FROM c_mat.incoming WHERE global_id = ?').pluck().get(gid) as number;
      const att = b.incoming.get(vtB, idB).attachments[0]!;
      const opened = b.attachments.open(vtB, att.id);
      const file = await b.attachments.openTicket(opened.ticket);
      assert.ok(file);
      assert.ok((await buffer(file.stream)).equals(pdf), 'the same bytes on B');
      // On the server: the sealed bytes only.
      const rows = await server.store.db.selectFrom('blobs').selectAll().execute();
      assert.ok(rows.length >= 1);
      for (const r of rows) {
        assert.equal(Buffer.from(r.payload).includes(pdf.subarray(0, 200)), false);
        assert.equal(Buffer.from(r.payload).includes(Buffer.from('bí mật nhà nước')), false);
      }
      // A second round moves no file either way.
      const quiet = await syncA.syncOnce();
      assert.equal(quiet.files?.uploaded, 0);
    });

    test('a person given Mật on A opens Mật on B after a sync; before that the server lists him no Mật keyring entry', async () => {
      // Mạnh's own token asks the server directly (signed in on it for that, then signed out).
      await bridge.login(hsm.modulePath, { serial: t.manh.serial }, PIN);
      const manhClient = new ServerClient({ db: b.db, transport, signer: () => key(t.manh), channels: () => ['base'], keys: { current: () => null, byId: () => null }, apply: () => {} });
      cleanups.unshift(() => manhClient.close());
      // The server has Mật keyring entries (A's, B's), none addressed to him yet.
      const stored = await server.store.db.selectFrom('keyrings').select('seq').where('channel', '=', 'mat').execute();
      assert.ok(stored.length >= 1);
      assert.deepEqual(await manhClient.pullKeyrings('mat'), []);
      await assert.rejects(manhClient.pullKeyrings('toi_mat'), /403/); // above his clearance: not even listed

      await asAdminOnA((admin) => a.org.setClearance(admin, ids.manh, 'mat')); // the session holds Mật: the keyring is rewrapped for him
      const sentKeyrings = await server.store.db.selectFrom('keyrings').select('seq').where('channel', '=', 'mat').execute();
      assert.ok(sentKeyrings.length > stored.length, 'the rewrapped keyring was sent');
      const forHim = await manhClient.pullKeyrings('mat');
      assert.equal(forHim.length, 1, 'the new entry is his');
      manhClient.close();
      await bridge.logout(hsm.modulePath, { serial: t.manh.serial });
      const r2 = await syncB.syncOnce();
      assert.ok((r2.keyrings?.received ?? 0) >= 1);
      assert.equal(getUser(b.db, ids.manh)!.clearance, 'mat', 'his clearance arrived with the base');

      // He signs in on B: Mật opens (from the keyring received), and the document of the first test is his to list.
      guardB.lock('manual');
      await signedOut(guardB);
      syncB.close();
      const sm = await guardB.unlock(ref(t.manh), PIN);
      assert.ok(sm.user.id === ids.manh);
      assert.ok(b.heldLevels.includes('mat'), `levels on B: ${b.heldLevels.join(',')}`);
      assert.ok(!b.heldLevels.includes('toi_mat'));
      guardB.lock('manual');
      await signedOut(guardB);
      // B's own keyring now names him: the next holder's unlock wrote it.
      const sb = await guardB.unlock(ref(t.ld), PIN);
      vtB = actorFor(sb.user);
      syncB = syncFor(b, t.ld, 'tuyet_mat');
      cleanups.unshift(() => syncB.close());
    });

    test("a re-key of Mật on A (Mạnh's clearance lowered) reaches B: B re-keys to the same key and reads what A sealed under it; Mạnh receives no entry of the new key", async () => {
      const oldB = b.syncLevelKeys().find((k) => k.level === 'mat')!.keyId;
      await asAdminOnA((admin) => a.org.setClearance(admin, ids.manh, 'thuong')); // someone lost Mật: A re-keys it
      const newA = a.syncLevelKeys().find((k) => k.level === 'mat')!.keyId;
      assert.notEqual(newA, oldB, 're-keyed on A');
      const reg = await a.incoming.register(vtA, await registration(a, vtA, { secrecy: 'mat', subject: 'Về việc kiểm tra sau khi đổi khóa' }));
      const gid = a.db.prepare('SELECT global_id FROM c_mat.incoming WHERE id = ?').pluck().get(reg.id) as string;
      await syncA.syncOnce();
      const r = await syncB.syncOnce();
      assert.deepEqual(r.keyrings?.adopted, ['mat']);
      assert.equal(b.syncLevelKeys().find((k) => k.level === 'mat')!.keyId, newA, 'B holds the new key');
      assert.ok(b.db.prepare('SELECT id FROM c_mat.incoming WHERE global_id = ?').pluck().get(gid), 'the batch sealed under the new key was opened and applied');
      // B's compartment file now opens with the new key only (checked through a fresh unlock).
      guardB.lock('manual');
      await signedOut(guardB);
      syncB.close();
      vtB = actorFor((await guardB.unlock(ref(t.ld), PIN)).user);
      assert.ok(b.heldLevels.includes('mat'));
      assert.ok(b.db.prepare('SELECT count(*) FROM c_mat.incoming').pluck().get() as number >= 2);
      syncB = syncFor(b, t.ld, 'tuyet_mat');
      cleanups.unshift(() => syncB.close());
      // Mạnh (still enrolled up to Mật on the server) gets no entry of the new key.
      await bridge.login(hsm.modulePath, { serial: t.manh.serial }, PIN);
      const manhClient = new ServerClient({ db: b.db, transport, signer: () => key(t.manh), channels: () => ['base'], keys: { current: () => null, byId: () => null }, apply: () => {} });
      try {
        const his = await manhClient.pullKeyrings('mat');
        assert.ok(his.length >= 1, 'his entries of the old key are still listed to him');
        assert.ok(his.every((k) => k.keyId !== newA), JSON.stringify(his.map((k) => k.keyId)));
      } finally {
        manhClient.close();
        await bridge.logout(hsm.modulePath, { serial: t.manh.serial });
      }
    });

    test('a large file whose download breaks resumes where it stopped; a tampered file is refused and nothing is placed', async () => {
      const pdf = Buffer.from(await makeSamplePdf({ issuer: 'Bộ Quốc phòng', numberSymbol: '7/KH-BQP', title: 'KẾ HOẠCH', subject: 'Kế hoạch lớn' }));
      // A PDF with a large incremental tail: 6 MB of noise after its end (a scanned document's size).
      const big = Buffer.concat([pdf, Buffer.from('\n%'), randomBytes(6 << 20), Buffer.from('\n%%EOF\n')]);
      const staged = await a.attachments.stage(vtA, Readable.from([big]), 'ke-hoach.pdf');
      const reg = await a.incoming.register(vtA, await registration(a, vtA, { secrecy: 'mat', subject: 'Kế hoạch lớn', stagedIds: [staged.stagedId] }));
      const gid = a.db.prepare('SELECT global_id FROM c_mat.incoming WHERE id = ?').pluck().get(reg.id) as string;
      served.length = 0;
      await syncA.syncOnce();
      // Above 4 MiB the file goes up as a resumable upload (docs/server.md): the offset asked, a 4 MiB chunk, the rest.
      assert.deepEqual(served.filter((x) => x.route === 'blobs.put').map((x) => x.status), [202, 202, 201]);
      // B's transfer is cut once about 1 MB has arrived.
      syncB.close();
      let cut = false;
      syncB = syncFor(b, t.ld, 'tuyet_mat', {
        onBlobStep: (step, d) => {
          if (step === 'blob-part-saved' && !cut && d.bytes > (1 << 20)) {
            cut = true;
            server.server.closeAllConnections();
          }
        },
      });
      cleanups.unshift(() => syncB.close());
      served.length = 0;
      await assert.rejects(syncB.syncOnce(), /aborted|socket|ECONNRESET|network|closed/i);
      assert.ok(cut);
      const r = await syncB.syncOnce();
      assert.equal(r.files?.downloaded, 1, JSON.stringify(r.files));
      const gets = served.filter((x) => x.route === 'blobs.get');
      assert.deepEqual(gets.map((g) => g.status), [200, 206], 'the second request asked for the rest only');
      const idB = b.db.prepare('SELECT id FROM c_mat.incoming WHERE global_id = ?').pluck().get(gid) as number;
      const att = b.incoming.get(vtB, idB).attachments[0]!;
      const f = await b.attachments.openTicket(b.attachments.open(vtB, att.id).ticket);
      assert.ok((await buffer(f!.stream)).equals(big), 'the resumed file is whole and the same');

      // A tampered file: the server's copy altered (and its ETag with it, as an attacker holding the server could).
      const small = Buffer.from(await makeSamplePdf({ issuer: 'Bộ Nội vụ', numberSymbol: '3/TB-BNV', title: 'THÔNG BÁO', subject: 'Thông báo bị sửa' }));
      const st = await a.attachments.stage(vtA, Readable.from([small]), 'thong-bao.pdf');
      const reg2 = await a.incoming.register(vtA, await registration(a, vtA, { secrecy: 'mat', subject: 'Thông báo bị sửa', stagedIds: [st.stagedId] }));
      await syncA.syncOnce();
      const sha = a.incoming.get(vtA, reg2.id).attachments[0]!.sha256;
      const row = await server.store.db.selectFrom('blobs').selectAll().where('sha256', '=', sha).executeTakeFirstOrThrow();
      const bad = Buffer.from(row.payload);
      bad[Math.floor(bad.length / 2)]! ^= 0x01;
      const { createHash } = await import('node:crypto');
      await server.store.db.updateTable('blobs').set({ payload: bad, sealed_sha256: createHash('sha256').update(bad).digest('hex') }).where('sha256', '=', sha).execute();
      const rt = await syncB.syncOnce();
      assert.equal(rt.files?.refused.length, 1, JSON.stringify(rt.files));
      assert.equal(rt.files?.refused[0]!.sha256, sha);
      const store = b.syncLevelStore('mat')!;
      assert.equal(await store.hasBlob(sha), false, 'nothing placed');
      assert.equal(existsSync(join(b.syncProfileDir, 'sync', 'blobs', `mat-${sha}.part`)), false, 'the part is dropped');
    });

    test("the header's sync indicator through the IPC router: the person's own changes waiting, synced, then offline since the last contact", async () => {
      const router = createRouter({ desk: a, guard: guardA, attachmentUrl: (x) => x, sync: () => ({ service: syncA, server: transport.url, running: true }) });
      const ind = async () => {
        const r = await router('sync.indicator', {});
        assert.ok(r.ok, JSON.stringify(r));
        return (r as { ok: true; value: SyncIndicatorView }).value;
      };
      await syncA.syncOnce();
      assert.deepEqual({ ...(await ind()), since: null }, { state: 'synced', waiting: 0, since: null });
      await a.incoming.register(vtA, await registration(a, vtA, { secrecy: 'mat', subject: 'Về việc chờ đồng bộ' }));
      const w = await ind();
      assert.equal(w.state, 'waiting');
      assert.ok(w.waiting >= 1);
      // B's leader's own changes are not counted on A, and A's are B's to count only for their author.
      await syncA.syncOnce();
      const done = await ind();
      assert.equal(done.state, 'synced');
      assert.equal(done.waiting, 0);
      // The server goes away: offline since the last contact.
      await server.close();
      await a.incoming.register(vtA, await registration(a, vtA, { secrecy: 'mat', subject: 'Về việc khi mất kết nối' }));
      await assert.rejects(syncA.syncOnce());
      const off = await ind();
      assert.equal(off.state, 'offline');
      assert.equal(off.since, done.since);
      assert.ok(off.waiting >= 1);
      const unconfigured = createRouter({ desk: a, guard: guardA, attachmentUrl: (x) => x });
      const none = await unconfigured('sync.indicator', {});
      assert.ok(none.ok && (none.value as SyncIndicatorView).state === 'off');
    });
  });
}
