// A workstation lost for good while it held a packet's take (issue 9 §2, §5; docs/server.md "A workstation
// lost for good"), over real HTTPS on loopback: agency A (SQLite) sends a packet through the hub to agency
// B (PostgreSQL). B's workstation "lost" pulls it and takes it, then is gone (its disk) before landing it;
// B's other workstation (a real profile) leaves it, taken elsewhere. An administrator of B declares the
// lost workstation lost, from the profile: the right, the reason and not-this-workstation are checked in
// the core before the server is asked, and both sides keep a record. The server releases the take; the
// profile's next round opens the packet again and lands it in Văn bản điện tử đến. The lost workstation's
// late request is refused with a specific code and reason.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DeskError } from '../../../common/errors';
import { Desk } from '../../../main/core/desk';
import { ExchangeLink } from '../../../main/core/exchange/link';
import type { Actor } from '../../../main/core/org/rights';
import { actorFor } from '../../../main/core/org/users';
import { workstationId } from '../../../main/core/events/eventLog';
import { PacketClient } from '../../../main/core/sync/packets/PacketClient';
import { ServerClient } from '../../../main/core/sync/ServerClient';
import { TransportError } from '../../../main/core/sync/transport';
import type { RunningServer } from '../../../server/app';
import type { RunningHub } from '../../../server/hub';
import { addActor, identityFromPem, tempDir } from '../../helpers/desk';
import { agencyConfig, clearPacket, CODES, hubConfig, networkPki, startAgency, startTestHub, waitFor, workstation, type NetworkPki, type TestWorkstation } from '../../helpers/network';
import type { Party } from '../../helpers/pki';
import { startPostgres, type TestPostgres } from '../../helpers/postgres';
import { softKey } from '../../helpers/softKey';

let n: NetworkPki;
let pg: TestPostgres;
let tmp: { dir: string; cleanup(): void };
let hub: RunningHub;
let serverA: RunningServer;
let serverB: RunningServer;
let wsA: TestWorkstation;
let lost: TestWorkstation;
let desk: Desk;
let clerk: Actor;
let admin: Actor;
let link: ExchangeLink;
let adminLink: ExchangeLink;
let adminParty: Party;
const closers: Array<() => void> = [];
let packetId: string;

const clientFor = (db: Desk['db'], port: number, p: Party) => {
  const key = softKey(p.certDer, p.keyPem);
  const server = new ServerClient({
    db, transport: { url: `https://localhost:${port}`, caPem: n.ca.certPem, timeoutMs: 15_000 }, signer: () => key, channels: () => [],
    keys: { current: () => null, byId: () => null }, apply: () => {},
  });
  closers.push(() => server.close());
  return new PacketClient({ db, server, backoff: { baseMs: 20, capMs: 200 } });
};

before(async () => {
  tmp = tempDir('securedesk-lost-ws-');
  [n, pg] = await Promise.all([networkPki(), startPostgres()]);
  await n.pki.generateKeys({ Badmin: 'ec-p256', Bdesk: 'rsa2048' });
  const deskParty = n.pki.issue('Bdesk', { subject: '/C=VN/O=Ban Tổ chức Tỉnh ủy/CN=Phạm Thị Lan', issuer: n.ca, keyUsage: 'digitalSignature, nonRepudiation, keyEncipherment' });
  adminParty = n.pki.issue('Badmin', { subject: '/C=VN/O=Ban Tổ chức Tỉnh ủy/CN=Quản trị B', issuer: n.ca, keyUsage: 'digitalSignature, nonRepudiation' });
  hub = await startTestHub(hubConfig(n, join(tmp.dir, 'hub')));
  const hubUrl = `https://localhost:${hub.port}`;
  const cfgB = agencyConfig(n, 'B', join(tmp.dir, 'B'), { backend: 'postgres', pg, hubUrl });
  cfgB.people.push({ person: 'B-quan-tri', role: 'quan_tri', clearance: 'mat', certificates: [adminParty.certPath] });
  [serverA, serverB] = await Promise.all([startAgency(agencyConfig(n, 'A', join(tmp.dir, 'A'), { backend: 'sqlite', hubUrl })), startAgency(cfgB)]);
  wsA = workstation(n, join(tmp.dir, 'wsA'), serverA.port, n.agencies.A.vanThu);
  lost = workstation(n, join(tmp.dir, 'lost'), serverB.port, n.agencies.B.vanThu);
  // B's other workstation: a real profile; its văn thư signs in to B's server with B's văn thư certificate.
  const t = tempDir('securedesk-lost-ws-desk-');
  desk = await Desk.open({ profileDir: t.dir, trustAnchors: [n.ca.certDer] });
  const session = await desk.setup({
    unit: { name: n.agencies.B.name, code: CODES.B, preset: 'party' },
    admin: { fullName: 'Phạm Thị Lan', position: 'Văn thư', role: 'van_thu', clearance: 'tuyet_mat' },
  }, identityFromPem(deskParty.certPem, deskParty.keyPem));
  clerk = actorFor(session.user);
  admin = addActor(desk, 'quan_tri', 'mat', 'Trần Quản Trị');
  link = new ExchangeLink(desk.exchange, clientFor(desk.db, serverB.port, n.agencies.B.vanThu));
  adminLink = new ExchangeLink(desk.exchange, clientFor(desk.db, serverB.port, adminParty));
  closers.push(() => { desk.close(); t.cleanup(); });
});

after(async () => {
  for (const c of closers.reverse()) c();
  wsA?.close();
  lost?.close();
  await Promise.all([serverA?.close(), serverB?.close()]);
  await hub?.close();
  pg?.stop();
  n?.pki.cleanup();
  tmp?.cleanup();
});

const round = () => link.round(clerk, { agencyKey: softKey(n.agencies.B.vanThu.certDer, n.agencies.B.vanThu.keyPem), decryption: [] });

describe('a take held by a workstation lost for good', () => {
  test('the lost workstation takes A\'s packet and never lands it; the profile leaves it, taken elsewhere', async () => {
    const p = await clearPacket(n, 'A', [CODES.B], { subject: 'Về việc báo cáo sơ kết công tác tổ chức' });
    packetId = p.packetId;
    wsA.packets.send(p);
    await wsA.packets.flush();
    await waitFor('the packet and the directory at B', async () => (await lost.packets.pull()) > 0 && (await lost.packets.directory()) !== null, 30_000, 100);
    assert.equal((await lost.packets.claim({ from: CODES.A, packetId }, 'take')).mine, true);
    const r = await round();
    assert.deepEqual([r.received, r.elsewhere, r.opened, r.reopened], [1, 1, 0, 0]);
    assert.equal(desk.exchange.inbox.list(clerk, {}).length, 0);
  });

  test('refused in the core before the server is asked: no right, no reason, this workstation itself', async () => {
    const refusal = async (actor: Actor, input: { workstation: string; reason: string }) => {
      try {
        await adminLink.declareWorkstationLost(actor, input);
      } catch (e) {
        assert.ok(e instanceof DeskError, String(e));
        return e;
      }
      assert.fail('not refused');
    };
    const ws = workstationId(lost.db);
    assert.equal((await refusal(clerk, { workstation: ws, reason: 'Ổ cứng hỏng' })).code, 'FORBIDDEN');
    assert.equal((await refusal(admin, { workstation: ws, reason: 'hư' })).key, 'exchange.lostReasonShort');
    assert.equal((await refusal(admin, { workstation: workstationId(desk.db), reason: 'Ổ cứng hỏng hoàn toàn' })).key, 'exchange.lostSelf');
    assert.equal((await lost.server.request('GET', '/v1/packets/inbox')).status, 200, 'still allowed: nothing was declared');
  });

  test('the server refuses a văn thư\'s declaration (administrators only), and the core audits the refusal', async () => {
    const ws = workstationId(lost.db);
    await assert.rejects(new ExchangeLink(desk.exchange, clientFor(desk.db, serverB.port, n.agencies.B.vanThu)).declareWorkstationLost(admin, { workstation: ws, reason: 'Ổ cứng hỏng hoàn toàn' }),
      (e: unknown) => e instanceof TransportError && e.status === 403 && e.code === 'forbidden');
    const failed = desk.db.prepare("SELECT outcome, reason FROM audit_log WHERE action = 'exchange.workstationLost'").all() as Array<{ outcome: string; reason: string }>;
    assert.deepEqual(failed, [{ outcome: 'failed', reason: 'forbidden' }]);
  });

  test('an administrator declares it lost (twice at once, from two sessions): its take is released once, audited with the reason', async () => {
    const ws = workstationId(lost.db);
    const input = { workstation: ws, reason: 'Máy trạm bị hỏng ổ cứng, không khôi phục được' };
    // Two declarations racing on PostgreSQL: both succeed, one of them was first and released the take.
    const secondLink = new ExchangeLink(desk.exchange, clientFor(desk.db, serverB.port, adminParty));
    const both = await Promise.all([adminLink.declareWorkstationLost(admin, input), secondLink.declareWorkstationLost(admin, input)]);
    const r = both.find((x) => x.released.length > 0)!;
    assert.ok(r, 'one declaration released the take');
    const other = both.find((x) => x !== r)!;
    assert.deepEqual(r.released, [packetId]);
    assert.deepEqual([other.released, other.declaredAt, other.declaredBy], [[], r.declaredAt, 'B-quan-tri'], 'the later one answers the first declaration');
    assert.equal(r.declaredBy, 'B-quan-tri');
    const releases = await serverB.store.db.selectFrom('claim_releases').select(['packet_id', 'workstation']).execute();
    assert.deepEqual(releases, [{ packet_id: packetId, workstation: ws }], 'one release recorded');
    const entries = (desk.db.prepare("SELECT details FROM audit_log WHERE action = 'exchange.workstationLost' AND outcome = 'ok'").pluck().all() as string[]).map((d) => JSON.parse(d) as unknown);
    assert.deepEqual(entries.find((d) => (d as { released: string[] }).released.length > 0), { ...input, released: [packetId], declaredAt: r.declaredAt });
    assert.equal(entries.length, 2);
    const again = await adminLink.declareWorkstationLost(admin, { workstation: ws, reason: 'Khai báo lần nữa' });
    assert.deepEqual([again.released, again.declaredAt, again.reason], [[], r.declaredAt, r.reason], 'declared once');
  });

  test('the profile\'s next round opens the released packet and lands it; another round moves nothing', async () => {
    const r = await round();
    assert.deepEqual([r.reopened, r.opened, r.elsewhere], [1, 1, 0]);
    const rows = desk.exchange.inbox.list(clerk, {});
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.subject, 'Về việc báo cáo sơ kết công tác tổ chức');
    const claims = await link['packets'].claims({ from: CODES.A, packetId });
    assert.equal(claims.take?.mine, true, 'the take is this workstation\'s now');
    const again = await round();
    assert.deepEqual([again.reopened, again.opened, again.received], [0, 0, 0]);
  });

  test('a late request from the lost workstation is refused: its session ended, signing in again says why', async () => {
    await assert.rejects(lost.packets.claim({ from: CODES.A, packetId }, 'take'), (e: unknown) => {
      assert.ok(e instanceof TransportError, String(e));
      assert.equal(e.status, 403);
      assert.equal(e.code, 'workstation-lost');
      assert.match(e.message, /declared lost for good on .* by B-quan-tri \(Máy trạm bị hỏng ổ cứng/);
      return true;
    });
    await assert.rejects(lost.packets.pull(), (e: unknown) => e instanceof TransportError && e.code === 'workstation-lost');
  });
});
