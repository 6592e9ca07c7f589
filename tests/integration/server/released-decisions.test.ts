// A lost workstation's decide claims released safely, behind a watermark (issue 9; docs/exchange.md "A
// workstation lost for good (its decisions released)", docs/server.md "Released decide claims"). Real
// parts over loopback HTTPS: agency A (SQLite) sends three Thường packets through the hub to agency B
// (PostgreSQL, then SQLite); B has three real profiles of one agency (B1, and B2, B3 copied from it with
// their own workstation ids), each syncing with B's server. B1 lands the packets, its records reach B2
// and B3; then B1 registers P1 and pushes it, registers P2 without pushing it, and takes P3's decision
// without committing; then B1 is lost and declared so. P1: B2, not caught up, is refused until it
// pulls, then sees P1 registered (one record, one number). P2: the first caught-up workstation (B2)
// registers it once, the next (B3) is told decided elsewhere. P3: B3 is killed (kill -9) between taking
// the released claim and committing; reopened, it registers it once. Attacks: a cursor lied about, a
// văn thư declaring, another agency's workstation, the lost workstation's late push.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DeskError } from '../../../common/errors';
import { Desk } from '../../../main/core/desk';
import { ExchangeLink, packetClaims } from '../../../main/core/exchange/link';
import type { Actor } from '../../../main/core/org/rights';
import { actorFor } from '../../../main/core/org/users';
import { workstationId } from '../../../main/core/events/eventLog';
import { PacketClient } from '../../../main/core/sync/packets/PacketClient';
import { ServerClient } from '../../../main/core/sync/ServerClient';
import { SyncService } from '../../../main/core/sync/SyncService';
import { TransportError } from '../../../main/core/sync/transport';
import { takeNewWorkstationId } from '../../../main/core/sync/workstation';
import type { RunningServer } from '../../../server/app';
import type { RunningHub } from '../../../server/hub';
import { addActor, identityFromPem, tempDir } from '../../helpers/desk';
import { agencyConfig, clearPacket, CODES, hubConfig, networkPki, startAgency, startTestHub, waitFor, workstation, type NetworkPki, type TestWorkstation } from '../../helpers/network';
import type { Party } from '../../helpers/pki';
import { startPostgres, type TestPostgres } from '../../helpers/postgres';
import { softKey } from '../../helpers/softKey';

const B = CODES.B;

interface Ws { name: string; dir: string; desk: Desk; clerk: Actor; sync: SyncService; link: ExchangeLink; close(): void }

for (const backend of ['postgres', 'sqlite'] as const) {
  describe(`released decide claims (agency B on ${backend})`, () => {
    let n: NetworkPki;
    let pg: TestPostgres | null = null;
    let tmp: { dir: string; cleanup(): void };
    let hub: RunningHub;
    let serverA: RunningServer;
    let serverB: RunningServer;
    let wsA: TestWorkstation;
    let deskParty: Party;
    let adminParty: Party;
    const ws: Record<'b1' | 'b2' | 'b3', Ws> = {} as never;
    const closers: Array<() => void> = [];
    const ids: string[] = [];
    let admin: Actor;
    let lostId: string;

    const transport = () => ({ url: `https://localhost:${serverB.port}`, caPem: n.ca.certPem, timeoutMs: 15_000 });
    const packetClient = (db: Desk['db'], p: Party) => {
      const key = softKey(p.certDer, p.keyPem);
      const server = new ServerClient({ db, transport: transport(), signer: () => key, channels: () => [], keys: { current: () => null, byId: () => null }, apply: () => {} });
      closers.push(() => server.close());
      return new PacketClient({ db, server, backoff: { baseMs: 20, capMs: 200 } });
    };
    /** Opens a profile of agency B, its sync and exchange link on B's server as B's văn thư (claims on, as agencySync.ts does). */
    const open = async (name: string, dir: string, newId: boolean): Promise<Ws> => {
      const desk = await Desk.open({ profileDir: dir, trustAnchors: [n.ca.certDer] });
      const session = await desk.unlock(identityFromPem(deskParty.certPem, deskParty.keyPem));
      if (newId) takeNewWorkstationId(desk.db, new Date());
      const key = softKey(n.agencies.B.vanThu.certDer, n.agencies.B.vanThu.keyPem);
      const sync = new SyncService(desk, { transport: transport(), signer: () => key, clearance: 'toi_mat' });
      const link = new ExchangeLink(desk.exchange, new PacketClient({ db: desk.db, server: sync.client, backoff: { baseMs: 20, capMs: 200 } }));
      desk.exchange.inbox.claims = link.claims;
      return { name, dir, desk, clerk: actorFor(session.user), sync, link, close: () => { sync.close(); desk.close(); } };
    };
    const arrivalId = (w: Ws, packetId: string) => w.desk.db.prepare('SELECT id FROM c_thuong.exchange_inbox WHERE packet_id = ?').pluck().get(packetId) as number;
    const incomingCount = (w: Ws) => w.desk.db.prepare('SELECT count(*) FROM c_thuong.incoming').pluck().get() as number;
    const register = (w: Ws, packetId: string) => w.desk.exchange.inbox.register(w.clerk, { id: arrivalId(w, packetId), acknowledgeDuplicates: true });
    const refusedWith = async (p: Promise<unknown>, key: string): Promise<DeskError> => {
      try {
        await p;
      } catch (e) {
        assert.ok(e instanceof DeskError, String(e));
        assert.equal(e.key, key, e.message);
        return e;
      }
      assert.fail(`not refused (${key} expected)`);
    };
    /**
     * One sync round to the head. The server counts a position as kept once asked from: the decision asks
     * from there itself when it is refused for sync (PacketClient.acknowledgeKept), so no second round.
     */
    const catchUp = async (w: Ws) => {
      await w.sync.syncOnce();
    };

    before(async () => {
      tmp = tempDir(`securedesk-released-${backend}-`);
      [n, pg] = await Promise.all([networkPki(), backend === 'postgres' ? startPostgres() : Promise.resolve(null)]);
      await n.pki.generateKeys({ Badmin: 'ec-p256', Bdesk: 'rsa2048' });
      deskParty = n.pki.issue('Bdesk', { subject: '/C=VN/O=Ban Tổ chức Tỉnh ủy/CN=Phạm Thị Lan', issuer: n.ca, keyUsage: 'digitalSignature, nonRepudiation, keyEncipherment' });
      adminParty = n.pki.issue('Badmin', { subject: '/C=VN/O=Ban Tổ chức Tỉnh ủy/CN=Quản trị B', issuer: n.ca, keyUsage: 'digitalSignature, nonRepudiation' });
      hub = await startTestHub(hubConfig(n, join(tmp.dir, 'hub')));
      const hubUrl = `https://localhost:${hub.port}`;
      const cfgB = agencyConfig(n, 'B', join(tmp.dir, 'B'), backend === 'postgres' ? { backend, pg: pg!, hubUrl } : { backend, hubUrl });
      cfgB.people.push({ person: 'B-quan-tri', role: 'quan_tri', clearance: 'mat', certificates: [adminParty.certPath] });
      [serverA, serverB] = await Promise.all([startAgency(agencyConfig(n, 'A', join(tmp.dir, 'A'), { backend: 'sqlite', hubUrl })), startAgency(cfgB)]);
      wsA = workstation(n, join(tmp.dir, 'wsA'), serverA.port, n.agencies.A.vanThu);
      // One agency's profile, then two copies of it (each taking its own workstation id).
      const dir = join(tmp.dir, 'b1');
      const first = await Desk.open({ profileDir: dir, trustAnchors: [n.ca.certDer] });
      await first.setup({
        unit: { name: n.agencies.B.name, code: B, preset: 'party' },
        admin: { fullName: 'Phạm Thị Lan', position: 'Văn thư', role: 'van_thu', clearance: 'tuyet_mat' },
      }, identityFromPem(deskParty.certPem, deskParty.keyPem));
      first.close();
      cpSync(dir, join(tmp.dir, 'b2'), { recursive: true });
      cpSync(dir, join(tmp.dir, 'b3'), { recursive: true });
      ws.b1 = await open('B1', dir, false);
      ws.b2 = await open('B2', join(tmp.dir, 'b2'), true);
      ws.b3 = await open('B3', join(tmp.dir, 'b3'), true);
      admin = addActor(ws.b2.desk, 'quan_tri', 'mat', 'Trần Quản Trị');
      lostId = workstationId(ws.b1.desk.db);
    });

    after(async () => {
      for (const w of Object.values(ws)) w?.close();
      for (const c of closers.reverse()) c();
      wsA?.close();
      await Promise.all([serverA?.close(), serverB?.close()]);
      await hub?.close();
      pg?.stop();
      n?.pki.cleanup();
      tmp?.cleanup();
    });

    test('B1 lands three packets from A; their arrivals reach B2 and B3 by sync', async () => {
      for (const subject of ['Về việc báo cáo công tác quý IV', 'Về việc kiểm tra bảo vệ bí mật nhà nước', 'Về việc tổng kết năm 2026']) {
        const p = await clearPacket(n, 'A', [B], { subject });
        ids.push(p.packetId);
        wsA.packets.send(p);
      }
      await wsA.packets.flush();
      const key = softKey(n.agencies.B.vanThu.certDer, n.agencies.B.vanThu.keyPem);
      let opened = 0;
      await waitFor('three arrivals at B1', async () => {
        opened += (await ws.b1.link.round(ws.b1.clerk, { agencyKey: key, decryption: [] })).opened;
        return opened >= 3;
      }, 60_000, 100);
      await ws.b1.sync.syncOnce();
      for (const w of [ws.b2, ws.b3]) {
        await catchUp(w);
        assert.equal(w.desk.exchange.inbox.list(w.clerk, { state: 'waiting' }).length, 3, `${w.name}: three arrivals waiting`);
      }
    });

    test('B1 registers P1 and pushes it, registers P2 without pushing, takes P3\'s decision and never commits it', async () => {
      assert.equal((await register(ws.b1, ids[0]!)).arrivalNumber, 1);
      await ws.b1.sync.syncOnce();
      assert.equal((await register(ws.b1, ids[1]!)).arrivalNumber, 2);
      assert.equal((await ws.b1.link.claims.decide({ from: CODES.A, packetId: ids[2]! })).mine, true);
      // B2 and B3 decide none of them while B1 holds the decisions.
      await refusedWith(register(ws.b3, ids[1]!), 'exchange.decidedElsewhere');
    });

    test('attacks on the declaration: a văn thư (not an administrator), another agency\'s workstation', async () => {
      const clerkClient = packetClient(ws.b2.desk.db, n.agencies.B.vanThu);
      await assert.rejects(clerkClient.declareLost(lostId, 'Máy trạm bị mất cắp'), (e: unknown) => e instanceof TransportError && e.status === 403 && e.code === 'forbidden');
      // A's administrator-less văn thư from A's workstation, against B's server: not one of B's people.
      const foreign = workstation(n, join(tmp.dir, 'wsA-at-B'), serverB.port, n.agencies.A.vanThu);
      closers.push(() => foreign.close());
      await assert.rejects(foreign.packets.declareLost(lostId, 'Máy trạm bị mất cắp'), (e: unknown) => e instanceof TransportError && (e.status === 401 || e.status === 403));
      await assert.rejects(foreign.packets.claim({ from: CODES.A, packetId: ids[1]! }, 'decide'), (e: unknown) => e instanceof TransportError && (e.status === 401 || e.status === 403));
      assert.equal(await serverB.store.db.selectFrom('lost_workstations').select('workstation').executeTakeFirst(), undefined, 'nothing declared');
    });

    test('an administrator declares B1 lost: its three decisions are released, the head of each stream recorded', async () => {
      const adminLink = new ExchangeLink(ws.b2.desk.exchange, packetClient(ws.b2.desk.db, adminParty));
      const r = await adminLink.declareWorkstationLost(admin, { workstation: lostId, reason: 'Máy trạm bị hỏng ổ cứng, không khôi phục được' });
      // Its takes too (it landed the three packets; their arrivals reached the others by sync, so none is reopened).
      assert.deepEqual([...r.released].sort(), [...ids].sort());
      assert.deepEqual([...(r.releasedDecisions ?? [])].sort(), [...ids].sort());
      const head = Number((await serverB.store.db.selectFrom('batches').select((eb) => eb.fn.max('seq').as('m')).where('channel', '=', 'thuong').executeTakeFirstOrThrow()).m);
      assert.equal(r.watermark?.thuong, head, 'the Thường stream\'s head, B1\'s pushed decision included');
      // Its late push (P2's registration) is refused: its session ended, signing in again says why.
      await assert.rejects(ws.b1.sync.syncOnce(), (e: unknown) => e instanceof TransportError && e.code === 'workstation-lost');
      const audit = ws.b2.desk.db.prepare("SELECT details FROM audit_log WHERE action = 'exchange.workstationLost' AND outcome = 'ok'").pluck().get() as string;
      assert.ok(audit.includes(lostId));
    });

    test('B2\'s exchange round learns of the released decisions: its window shows them decidable here, audited once each', async () => {
      const key = softKey(n.agencies.B.vanThu.certDer, n.agencies.B.vanThu.keyPem);
      const r = await ws.b2.link.round(ws.b2.clerk, { agencyKey: key, decryption: [] });
      assert.equal(r.reopened, 0, 'their landings reached B2 by sync: nothing reopened');
      const rows = ws.b2.desk.exchange.inbox.list(ws.b2.clerk, { state: 'waiting' });
      assert.equal(rows.length, 3, 'still three arrivals, none landed twice');
      for (const row of rows) assert.equal(row.released?.workstation, lostId);
      const detail = ws.b2.desk.exchange.inbox.get(ws.b2.clerk, arrivalId(ws.b2, ids[1]!));
      assert.equal(detail.released?.workstation, lostId);
      assert.equal(detail.can.register, true);
      await ws.b2.link.round(ws.b2.clerk, { agencyKey: key, decryption: [] });
      const noted = ws.b2.desk.db.prepare("SELECT details FROM audit_log WHERE action = 'exchange.decisionReleased'").pluck().all() as string[];
      assert.deepEqual(noted.map((d) => (JSON.parse(d) as { packetId: string }).packetId).sort(), [...ids].sort(), 'once each, though the round ran twice');
      assert.equal(ws.b3.desk.exchange.inbox.list(ws.b3.clerk, { state: 'waiting' })[0]!.released, null, 'B3 ran no round: nothing noted there');
    });

    test('a workstation that lies about its cursor is refused: the server counts what it served, not what it is told', async () => {
      const liar = workstation(n, join(tmp.dir, 'liar'), serverB.port, n.agencies.B.vanThu);
      closers.push(() => liar.close());
      for (const after of [1_000_000, 1_000_000]) assert.equal((await liar.server.request('GET', `/v1/events?channel=thuong&after=${after}`)).status, 200);
      for (const after of [1_000_000, 1_000_000]) assert.equal((await liar.server.request('GET', `/v1/events?channel=base&after=${after}`)).status, 200);
      const c = await liar.packets.claim({ from: CODES.A, packetId: ids[1]! }, 'decide');
      assert.equal(c.mine, false);
      assert.equal(c.waiting?.reason, 'sync-behind');
      assert.equal(c.workstation, lostId);
      assert.ok(c.waiting.channels.some((x) => x.channel === 'thuong' && x.reached === 0 && x.needed > 0), JSON.stringify(c.waiting));
    });

    test('a profile copied with another workstation\'s cursors: refused, its cursors go back to what the server served, and its next pulls get it there', async () => {
      const clone = workstation(n, join(tmp.dir, 'clone'), serverB.port, n.agencies.B.vanThu);
      closers.push(() => clone.close());
      // Cursors as a copied profile holds them: the head, which the server never served this workstation.
      const head = await serverB.store.headSeq();
      clone.db.prepare("INSERT INTO sync_state (key, value) VALUES ('pull:thuong', ?), ('pull:base', ?)").run(String(head), String(head));
      const c = await packetClaims(clone.packets).decide({ from: CODES.A, packetId: ids[1]! });
      assert.equal(c.mine, false);
      assert.equal(c.waiting?.reason, 'sync-behind');
      const cursorOf = (ch: string) => Number(clone.db.prepare('SELECT value FROM sync_state WHERE key = ?').pluck().get(`pull:${ch}`));
      assert.deepEqual([cursorOf('thuong'), cursorOf('base')], [0, 0], 'back to what was served (nothing)');
      for (let i = 0; i < 2; i++) for (const ch of ['base', 'thuong'] as const) await clone.server.pull(ch);
      const kept = await serverB.store.db.selectFrom('pull_cursors').select(['channel', 'acked']).where('channel', 'in', ['base', 'thuong'])
        .where('workstation', '=', workstationId(clone.db)).orderBy('channel').execute();
      const marks = await serverB.store.db.selectFrom('lost_watermarks').select(['channel', 'seq']).where('workstation', '=', lostId).execute();
      for (const k of kept) assert.ok(Number(k.acked) >= Number(marks.find((m) => m.channel === k.channel)?.seq ?? 0), `${k.channel}: kept up to the watermark`);
      assert.equal(kept.length, 2);
    });

    test('P1 (its registration reached the server): B2, not caught up, is refused until it pulls, then sees it registered: one record, one number', async () => {
      const e = await refusedWith(register(ws.b2, ids[0]!), 'exchange.decidedElsewhereSyncing');
      assert.match(e.message, /chờ đồng bộ/);
      assert.equal((e.details as { reason: string }).reason, 'sync-behind');
      assert.equal(incomingCount(ws.b2), 0);
      // B2 pulls to the head in one round, keeping what it pulled unapplied (the sync round's apply not
      // run). The server does not yet count it caught up (it asked from below the head); B1's registration
      // is applied before deciding, so it is seen registered. (P2 below: the claim itself after one round.)
      await ws.b2.sync.client.syncOnce();
      const asked = await serverB.store.db.selectFrom('pull_cursors').select(['channel', 'acked']).where('workstation', '=', workstationId(ws.b2.desk.db)).where('channel', '=', 'thuong').executeTakeFirst();
      const mark = await serverB.store.db.selectFrom('lost_watermarks').select('seq').where('workstation', '=', lostId).where('channel', '=', 'thuong').executeTakeFirstOrThrow();
      assert.ok(Number(asked?.acked ?? 0) < Number(mark.seq), 'after that round the server does not yet count B2 caught up');
      assert.equal(ws.b2.desk.exchange.inbox.list(ws.b2.clerk, { state: 'waiting' }).length, 3, 'pulled, not applied yet');
      await catchUp(ws.b3);
      const again = await refusedWith(register(ws.b2, ids[0]!), 'exchange.alreadyRegistered');
      assert.match(again.message, /số đến 1/);
      assert.equal(incomingCount(ws.b2), 1);
      assert.equal(ws.b2.desk.exchange.inbox.get(ws.b2.clerk, arrivalId(ws.b2, ids[0]!)).state, 'registered');
    });

    test('P2 (its registration never reached the server): the first caught-up workstation registers it once, the next is told decided elsewhere', async () => {
      // One sync round brought B2 to the head: a decision refused for sync asks the server from B2's cursor
      // (PacketClient.acknowledgeKept) and claims again, so it is granted now (it took a second round before).
      const reg = await register(ws.b2, ids[1]!);
      assert.equal(reg.arrivalNumber, 2, 'the next number after P1\'s');
      assert.equal(incomingCount(ws.b2), 2);
      const audited = ws.b2.desk.db.prepare("SELECT details FROM audit_log WHERE action = 'exchange.decideReleased'").pluck().all() as string[];
      assert.equal(audited.length, 1);
      assert.equal((JSON.parse(audited[0]!) as { lostWorkstation: string }).lostWorkstation, lostId);
      // B3 kept the log up to the watermark too, but B2 holds the decision now.
      await refusedWith(register(ws.b3, ids[1]!), 'exchange.decidedElsewhere');
      await ws.b2.sync.syncOnce();
      await catchUp(ws.b3);
      await refusedWith(register(ws.b3, ids[1]!), 'exchange.alreadyRegistered');
      for (const w of [ws.b2, ws.b3]) assert.equal(w.desk.db.prepare('SELECT count(*) FROM c_thuong.incoming WHERE arrival_number = 2').pluck().get(), 1, `${w.name}: one record numbered 2`);
      assert.equal(ws.b2.desk.exchange.inbox.get(ws.b2.clerk, arrivalId(ws.b2, ids[1]!)).released, null, 'decided: no longer shown as released');
    });

    test('P3: B3 killed (kill -9) between taking the released decision and committing; reopened, it registers it exactly once', async () => {
      const b3 = ws.b3;
      b3.close();
      const certFile = join(tmp.dir, 'ca.pem');
      writeFileSync(certFile, n.ca.certPem);
      const child = spawn(process.execPath, ['--import', 'tsx', 'tests/fixtures/processes/decideReleased.ts', b3.dir, `https://localhost:${serverB.port}`, certFile, ids[2]!], {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...process.env, SD_TEST_CERT: deskParty.certPem, SD_TEST_KEY: deskParty.keyPem, SD_SERVER_CERT: n.agencies.B.vanThu.certPem, SD_SERVER_KEY: n.agencies.B.vanThu.keyPem },
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const closed = new Promise((r) => child.on('close', r));
      await waitFor('the child took the released decision', () => /claimed|refused|registered/.test(out), 60_000, 20);
      assert.equal(out.trim(), 'claimed');
      child.kill('SIGKILL');
      await closed;
      ws.b3 = await open('B3', b3.dir, false);
      assert.equal(incomingCount(ws.b3), 2, 'nothing of P3 committed');
      // B2 is refused meanwhile: B3 holds the decision (kept by the server across B3's crash).
      await refusedWith(register(ws.b2, ids[2]!), 'exchange.decidedElsewhere');
      const reg = await register(ws.b3, ids[2]!);
      assert.equal(reg.arrivalNumber, 3);
      await refusedWith(register(ws.b3, ids[2]!), 'exchange.alreadyRegistered');
      await ws.b3.sync.syncOnce();
      await catchUp(ws.b2);
      await refusedWith(register(ws.b2, ids[2]!), 'exchange.alreadyRegistered');
      for (const w of [ws.b2, ws.b3]) {
        assert.deepEqual(w.desk.db.prepare('SELECT arrival_number FROM c_thuong.incoming ORDER BY arrival_number').pluck().all(), [1, 2, 3], `${w.name}: one record each, numbers 1 to 3`);
        assert.equal(w.desk.db.prepare("SELECT count(*) FROM c_thuong.exchange_inbox WHERE state = 'registered'").pluck().get(), 3);
      }
    });
  });
}
