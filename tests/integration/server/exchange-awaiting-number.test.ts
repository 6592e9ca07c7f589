// "Vào sổ, chờ cấp số" for an electronic arrival (docs/exchange.md "Registering while cut off", docs/server.md
// "Chờ cấp số"), over real parts on loopback HTTPS: agency A (SQLite) sends Thường packets through the hub
// to agency B (SQLite, then PostgreSQL); B1 made B's profile (the register's home), B2 is a copy with its own workstation id.
// B's server is stopped: a plain registration is refused with nothing written; with the choice it is
// registered without its decision and without a number (at B2 and at the home alike), no status owed
// yet. A chuyên viên asking it is refused. The server back: another workstation decides one of them
// first (that wait is never numbered, said once), the others are decided and numbered by the next
// round, each with its status 03 written in the numbering's transaction; a kill -9 between the server's
// answer and the write gives the same number and one 03 at the next round; A receives each 03 exactly once.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DeskError } from '../../../common/errors';
import { Desk } from '../../../main/core/desk';
import { isAwaitingNumber, WAIT_DECIDED_ELSEWHERE, waitingCount } from '../../../main/core/documents/numberWaits';
import { numberingRound } from '../../../main/core/documents/sharedNumbering';
import { ExchangeLink } from '../../../main/core/exchange/link';
import { owedStatusId } from '../../../main/core/exchange/statusPackets';
import type { Actor } from '../../../main/core/org/rights';
import { actorFor } from '../../../main/core/org/users';
import { NumberClient } from '../../../main/core/sync/numbers/NumberClient';
import { PacketClient } from '../../../main/core/sync/packets/PacketClient';
import { SyncService } from '../../../main/core/sync/SyncService';
import { takeNewWorkstationId } from '../../../main/core/sync/workstation';
import type { RunningServer } from '../../../server/app';
import type { ServerConfig } from '../../../server/config';
import type { RunningHub } from '../../../server/hub';
import { addActor, identityFromPem, tempDir } from '../../helpers/desk';
import { agencyConfig, clearPacket, CODES, hubConfig, networkPki, startAgency, startTestHub, waitFor, workstation, type NetworkPki, type TestWorkstation } from '../../helpers/network';
import type { Party } from '../../helpers/pki';
import { startPostgres, type TestPostgres } from '../../helpers/postgres';
import { softKey } from '../../helpers/softKey';

interface Ws { name: string; desk: Desk; clerk: Actor; sync: SyncService; link: ExchangeLink; numbers: NumberClient; close(): void }

let pg: TestPostgres | null = null;
before(async () => { pg = await startPostgres(); });
after(() => pg?.stop());

for (const backend of ['sqlite', 'postgres'] as const) describe(`"chờ cấp số" for an arrival received by the exchange, agency server out of reach (B on ${backend})`, () => {
  let n: NetworkPki;
  let tmp: { dir: string; cleanup(): void };
  let hub: RunningHub;
  let serverA: RunningServer;
  let serverB: RunningServer;
  let cfgB: ServerConfig;
  let wsA: TestWorkstation;
  let deskParty: Party;
  const ws: Record<'b1' | 'b2', Ws> = {} as never;
  const dirs = { b1: '', b2: '' };
  const ids: string[] = [];

  const transport = () => ({ url: `https://localhost:${cfgB.listen.port}`, caPem: n.ca.certPem, timeoutMs: 5_000 });
  const open = async (name: string, dir: string, newId: boolean): Promise<Ws> => {
    const desk = await Desk.open({ profileDir: dir, trustAnchors: [n.ca.certDer] });
    const session = await desk.unlock(identityFromPem(deskParty.certPem, deskParty.keyPem));
    if (newId) takeNewWorkstationId(desk.db, new Date());
    const key = softKey(n.agencies.B.vanThu.certDer, n.agencies.B.vanThu.keyPem);
    const sync = new SyncService(desk, { transport: transport(), signer: () => key, clearance: 'toi_mat' });
    const link = new ExchangeLink(desk.exchange, new PacketClient({ db: desk.db, server: sync.client, backoff: { baseMs: 20, capMs: 200 } }));
    const numbers = new NumberClient(sync.client);
    // As agencySync.ts links them.
    desk.exchange.inbox.claims = link.claims;
    desk.exchange.inbox.numbering = numbers;
    desk.incoming.numbering = numbers;
    return { name, desk, clerk: actorFor(session.user), sync, link, numbers, close: () => { sync.close(); desk.close(); } };
  };
  const arrivalId = (w: Ws, packetId: string) => w.desk.db.prepare('SELECT id FROM c_thuong.exchange_inbox WHERE packet_id = ?').pluck().get(packetId) as number;
  const one = <T>(w: Ws, sql: string, ...p: unknown[]) => w.desk.db.prepare(sql).pluck().get(...p) as T;
  const register = (w: Ws, packetId: string, awaitNumber = false, actor: Actor = w.clerk) =>
    w.desk.exchange.inbox.register(actor, { id: arrivalId(w, packetId), acknowledgeDuplicates: true, ...(awaitNumber ? { awaitNumber: true } : {}) });
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
  const status03 = (w: Ws, packetId: string) => one<number>(w, 'SELECT count(*) FROM c_thuong.exchange_status_out WHERE packet_id = ?', owedStatusId(CODES.A, packetId, '03'));
  // The agency's own signing key signs what B sends (the statuses); A checks it against the directory.
  const agencyKey = () => softKey(n.agencies.B.signing.certDer, n.agencies.B.signing.keyPem);
  const waitRow = (w: Ws, packetId: string) => w.desk.db.prepare(`SELECT w.number, w.numbered_at, w.problem FROM number_waits w
    JOIN c_thuong.incoming i ON i.global_id = w.record_global_id JOIN c_thuong.exchange_inbox x ON x.incoming_id = i.id WHERE x.packet_id = ?`).get(packetId) as { number: number | null; numbered_at: string | null; problem: string | null } | undefined;
  const numberOfArrival = (w: Ws, packetId: string) => one<number | undefined>(w, 'SELECT i.arrival_number FROM c_thuong.incoming i JOIN c_thuong.exchange_inbox x ON x.incoming_id = i.id WHERE x.packet_id = ?', packetId);

  before(async () => {
    tmp = tempDir('securedesk-exwait-');
    n = await networkPki();
    await n.pki.generateKeys({ Bdesk: 'rsa2048' });
    deskParty = n.pki.issue('Bdesk', { subject: '/C=VN/O=Ban Tổ chức Tỉnh ủy/CN=Phạm Thị Lan', issuer: n.ca, keyUsage: 'digitalSignature, nonRepudiation, keyEncipherment' });
    hub = await startTestHub(hubConfig(n, join(tmp.dir, 'hub')));
    const hubUrl = `https://localhost:${hub.port}`;
    cfgB = agencyConfig(n, 'B', join(tmp.dir, 'B'), backend === 'postgres' ? { backend, pg: pg!, hubUrl } : { backend, hubUrl });
    [serverA, serverB] = await Promise.all([startAgency(agencyConfig(n, 'A', join(tmp.dir, 'A'), { backend: 'sqlite', hubUrl })), startAgency(cfgB)]);
    wsA = workstation(n, join(tmp.dir, 'wsA'), serverA.port, n.agencies.A.vanThu);
    const dir = join(tmp.dir, 'b1');
    const first = await Desk.open({ profileDir: dir, trustAnchors: [n.ca.certDer] });
    await first.setup({
      unit: { name: n.agencies.B.name, code: CODES.B, preset: 'party' },
      admin: { fullName: 'Phạm Thị Lan', position: 'Văn thư', role: 'van_thu', clearance: 'tuyet_mat' },
    }, identityFromPem(deskParty.certPem, deskParty.keyPem));
    first.close();
    dirs.b1 = dir;
    dirs.b2 = join(tmp.dir, 'b2');
    cpSync(dir, dirs.b2, { recursive: true });
    ws.b1 = await open('B1', dir, false);
    ws.b2 = await open('B2', dirs.b2, true);
  });

  after(async () => {
    for (const w of Object.values(ws)) w?.close();
    wsA?.close();
    await Promise.all([serverA?.close(), serverB?.close()]);
    await hub?.close();
    n?.pki.cleanup();
    tmp?.cleanup();
  });

  test('B1 lands five packets from A; their arrivals reach B2; one registered online at B2 takes number 1 and owes its 03', async () => {
    for (let i = 0; i < 5; i++) {
      // The DocumentId follows the subject's length (tests/helpers/network.ts): five lengths, five documents.
      const p = await clearPacket(n, 'A', [CODES.B], { subject: `Về việc báo cáo chuyên đề${' quý'.repeat(i)} số ${i + 1}` });
      ids.push(p.packetId);
      wsA.packets.send(p);
    }
    await wsA.packets.flush();
    let opened = 0;
    await waitFor('five arrivals at B1', async () => {
      opened += (await ws.b1.link.round(ws.b1.clerk, { agencyKey: agencyKey(), decryption: [] })).opened;
      return opened >= 5;
    }, 60_000, 100);
    await ws.b1.sync.syncOnce();
    await ws.b2.sync.syncOnce();
    await ws.b2.sync.syncOnce();
    assert.equal(ws.b2.desk.exchange.inbox.list(ws.b2.clerk, { state: 'waiting' }).length, 5);
    // The choice is ignored while the server answers: decided and numbered at once.
    const r = await register(ws.b2, ids[0]!, true);
    assert.equal(r.arrivalNumber, 1);
    assert.equal(waitingCount(ws.b2.desk.db), 0);
    assert.equal(r.awaitingNumber, undefined);
    assert.equal(status03(ws.b2, ids[0]!), 1);
  });

  test('the server stopped: refused without the choice (nothing written); a chuyên viên refused; with it, registered awaiting its decision and number, at B2 and at the home', async () => {
    await serverB.close();
    const b2 = ws.b2;
    const counts = (w: Ws) => [
      one<number>(w, 'SELECT count(*) FROM c_thuong.incoming'), one<number>(w, 'SELECT count(*) FROM number_waits'),
      one<number>(w, 'SELECT count(*) FROM c_thuong.exchange_status_out'), one<number>(w, "SELECT count(*) FROM audit_log WHERE action = 'exchange.register'"),
      one<number>(w, 'SELECT count(*) FROM number_reports'), one<number>(w, "SELECT count(*) FROM c_thuong.exchange_inbox WHERE state = 'waiting'"),
    ];
    const before2 = counts(b2);
    const plain = await refusedWith(register(b2, ids[1]!), 'exchange.agencyUnreachable');
    assert.equal(plain.details?.transient, true);
    assert.deepEqual(counts(b2), before2, 'nothing partial');
    // A chuyên viên has no right to register: refused before anything, with or without the choice.
    const cv = addActor(b2.desk, 'chuyen_vien', 'tuyet_mat', 'Lê Văn Chuyên');
    assert.equal((await refusedWith(register(b2, ids[1]!, true, cv), 'rights.forbidden')).code, 'FORBIDDEN');
    assert.deepEqual(counts(b2), before2, 'nothing written for the chuyên viên');

    // The văn thư's choice: B2 registers two arrivals now, numbers later.
    for (const p of [ids[1]!, ids[3]!]) {
      const r = await register(b2, p, true);
      assert.equal(r.awaitingNumber, true);
      assert.ok(isAwaitingNumber(r.arrivalNumber), `a placeholder: ${r.arrivalNumber}`);
      assert.equal(status03(b2, p), 0, 'the sender is not told 03 before the number');
      const audit = JSON.parse(one<string>(b2, "SELECT details FROM audit_log WHERE action = 'exchange.register' AND entity_id = ?", arrivalId(b2, p))) as Record<string, unknown>;
      assert.equal(audit.awaitingNumber, true);
      assert.equal(audit.decisionHeld, false);
      const inc = JSON.parse(one<string>(b2, "SELECT details FROM audit_log WHERE action = 'incoming.register' AND entity_id = ?", r.incomingId)) as Record<string, unknown>;
      assert.equal(inc.awaitingNumber, true);
      assert.equal(one<string>(b2, 'SELECT state FROM c_thuong.exchange_inbox WHERE packet_id = ?', p), 'registered');
      // Its files came with it, in the same transaction.
      assert.ok(one<number>(b2, 'SELECT count(*) FROM c_thuong.attachments WHERE incoming_id = ?', r.incomingId) >= 1);
    }
    assert.equal(waitingCount(b2.desk.db), 2);
    // Routed at once, offline: the leader's direction makes no status 04 before the 03 (outbox.ts waits for the number).
    const leader = addActor(b2.desk, 'lanh_dao', 'tuyet_mat', 'Đỗ Minh Đức');
    const incomingId = one<number>(b2, 'SELECT incoming_id FROM c_thuong.exchange_inbox WHERE packet_id = ?', ids[1]!);
    await b2.desk.processing.submit(b2.clerk, { incomingId, leaderId: leader.id });
    await b2.desk.processing.direct(leader, { incomingId, text: 'Giao đồng chí Chuyên nghiên cứu, tham mưu', lead: { userId: cv.id } });
    await b2.desk.exchange.outbox.ready(b2.clerk, agencyKey());
    assert.equal(one<number>(b2, "SELECT count(*) FROM c_thuong.exchange_status_out WHERE inbox_id = ? AND code IN ('03', '04')", arrivalId(b2, ids[1]!)), 0);
    // Registered once here: a second try is told so.
    assert.match((await refusedWith(register(b2, ids[1]!, true), 'exchange.alreadyRegistered')).message, /số đến chờ cấp số/);

    // The home: no offline number for an electronic arrival (its decision is not held either): it waits too.
    const h = await register(ws.b1, ids[2]!, true);
    assert.equal(h.awaitingNumber, true);
    assert.equal(one<number>(ws.b1, 'SELECT count(*) FROM number_reports'), 0, 'nothing to report: no number was given');
    await refusedWith(register(ws.b1, ids[4]!), 'exchange.agencyUnreachable');
    // A round while the server is away changes nothing.
    await assert.rejects(numberingRound(b2.desk.db, b2.numbers, new Date(), b2.clerk.id));
    assert.equal(waitingCount(b2.desk.db), 2);
  });

  test('the server back: B1 numbers its own wait and decides one of B2\'s first online; B2\'s round numbers the other with its 03, never the one decided elsewhere', async () => {
    serverB = await startAgency(cfgB);
    // B1 has not heard of B2's registration of ids[3] (B2 never pushed it): it registers it online, first.
    const first = await register(ws.b1, ids[3]!);
    assert.equal(first.awaitingNumber, undefined);
    // Before it, the home's own waiting arrival was decided and numbered (numbers follow receipt), with its 03.
    const home = waitRow(ws.b1, ids[2]!)!;
    assert.ok(home.numbered_at && home.number === 2 && first.arrivalNumber === 3, JSON.stringify({ home, first }));
    assert.equal(numberOfArrival(ws.b1, ids[2]!), 2);
    assert.equal(status03(ws.b1, ids[2]!), 1);
    await numberingRound(ws.b2.desk.db, ws.b2.numbers, new Date(), ws.b2.clerk.id);
    const done = waitRow(ws.b2, ids[1]!)!;
    assert.ok(done.numbered_at && done.number! > first.arrivalNumber, JSON.stringify(done));
    assert.equal(numberOfArrival(ws.b2, ids[1]!), done.number);
    assert.equal(status03(ws.b2, ids[1]!), 1, 'the 03 owed with the number');
    const s = ws.b2.desk.db.prepare('SELECT s.at, x.decided_at FROM c_thuong.exchange_status_out s JOIN c_thuong.exchange_inbox x ON x.id = s.inbox_id WHERE s.packet_id = ?')
      .get(owedStatusId(CODES.A, ids[1]!, '03')) as { at: string; decided_at: string };
    assert.equal(s.at, s.decided_at, 'dated when it was registered');
    // Now the direction's 04 follows, after the 03 (the queue is in the statuses' order).
    await ws.b2.desk.exchange.outbox.ready(ws.b2.clerk, agencyKey());
    const owed = ws.b2.desk.db.prepare("SELECT code FROM c_thuong.exchange_status_out WHERE inbox_id = ? AND code <> '01' ORDER BY at, packet_id").pluck().all(arrivalId(ws.b2, ids[1]!));
    assert.deepEqual(owed, ['03', '04']);
    // Decided elsewhere first: kept waiting with the reason, audited once, no 03 from here.
    const lost = waitRow(ws.b2, ids[3]!)!;
    assert.equal(lost.problem, WAIT_DECIDED_ELSEWHERE);
    assert.equal(lost.numbered_at, null);
    assert.ok(isAwaitingNumber(numberOfArrival(ws.b2, ids[3]!)!));
    assert.equal(status03(ws.b2, ids[3]!), 0);
    await numberingRound(ws.b2.desk.db, ws.b2.numbers, new Date(), ws.b2.clerk.id);
    assert.equal(one<number>(ws.b2, "SELECT count(*) FROM audit_log WHERE action = 'exchange.decidedElsewhereWhileAwaiting'"), 1, 'said once');
    assert.equal(status03(ws.b2, ids[1]!), 1, 'still one');
    assert.equal(one<number>(ws.b2, "SELECT count(*) FROM audit_log WHERE action = 'incoming.numbered'"), 1);
    assert.equal(done.number, 4);
    // The home's round: nothing more to number, its 03 still one.
    await numberingRound(ws.b1.desk.db, ws.b1.numbers, new Date(), ws.b1.clerk.id);
    assert.equal(status03(ws.b1, ids[2]!), 1);
  });

  test('kill -9 between the server\'s answer and the write: the next round writes the same number and one 03', async () => {
    await serverB.close();
    const w = await register(ws.b2, ids[4]!, true);
    assert.equal(w.awaitingNumber, true);
    serverB = await startAgency(cfgB);
    const gid = one<string>(ws.b2, 'SELECT global_id FROM c_thuong.incoming WHERE id = ?', w.incomingId);
    ws.b2.close();
    const child = await new Promise<{ signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
      const p = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'exchangeWaitChild.ts')], {
        env: {
          ...process.env,
          EXCHANGE_WAIT_CHILD: JSON.stringify({
            dir: dirs.b2, url: transport().url, caPem: n.ca.certPem, caDer: Buffer.from(n.ca.certDer).toString('base64'),
            unlockCertPem: deskParty.certPem, unlockKeyPem: deskParty.keyPem,
            certPem: n.agencies.B.vanThu.certPem, keyPem: n.agencies.B.vanThu.keyPem,
          }),
        },
      });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const timer = setTimeout(() => p.kill('SIGTERM'), 90_000);
      p.on('close', (_status, signal) => { clearTimeout(timer); resolve({ signal, stdout, stderr }); });
    });
    assert.equal(child.signal, 'SIGKILL', child.stderr + child.stdout);
    const asked = JSON.parse(child.stdout) as { record: string; number: number };
    assert.equal(asked.record, gid, 'the decision was granted, then the number asked');
    ws.b2 = await open('B2', dirs.b2, false);
    assert.ok(isAwaitingNumber(numberOfArrival(ws.b2, ids[4]!)!), 'nothing written before the kill');
    assert.equal(status03(ws.b2, ids[4]!), 0);
    await numberingRound(ws.b2.desk.db, ws.b2.numbers, new Date(), ws.b2.clerk.id);
    assert.equal(numberOfArrival(ws.b2, ids[4]!), asked.number, 'the number the server gave before the kill');
    assert.equal(status03(ws.b2, ids[4]!), 1);
    assert.equal(waitRow(ws.b2, ids[4]!)!.number, asked.number);
  });

  test('A receives each 03 exactly once, after the numbers; after syncing, one record and one 03 per arrival on both', async () => {
    for (let i = 0; i < 2; i++) {
      for (const w of [ws.b1, ws.b2]) {
        await w.link.round(w.clerk, { agencyKey: agencyKey(), decryption: [] });
        await w.sync.syncOnce();
      }
    }
    const want = ids.map((p) => owedStatusId(CODES.A, p, '03'));
    await waitFor('the 03s at A', async () => {
      await wsA.packets.pull();
      const got = wsA.db.prepare(`SELECT count(*) FROM packet_inbox WHERE packet_id IN (${want.map(() => '?').join(',')})`).pluck().get(...want) as number;
      return got === want.length;
    }, 60_000, 200);
    for (const p of want) assert.equal(wsA.db.prepare('SELECT count(*) FROM packet_inbox WHERE packet_id = ?').pluck().get(p), 1, 'once');
    // Nothing else: a 01 per arrival (at landing), a 03 each (ids[3]'s from B1, which decided it) and the direction's 04.
    const owed01 = ids.map((p) => owedStatusId(CODES.A, p, '01'));
    const fromB = wsA.db.prepare('SELECT packet_id FROM packet_inbox WHERE from_code = ?').pluck().all(CODES.B) as string[];
    const the04 = one<string>(ws.b2, "SELECT packet_id FROM c_thuong.exchange_status_out WHERE code = '04'");
    await waitFor('the 04 at A', async () => {
      await wsA.packets.pull();
      return wsA.db.prepare('SELECT count(*) FROM packet_inbox WHERE packet_id = ?').pluck().get(the04) === 1;
    }, 60_000, 200);
    assert.deepEqual((wsA.db.prepare('SELECT packet_id FROM packet_inbox WHERE from_code = ?').pluck().all(CODES.B) as string[]).sort(), [...owed01, ...want, the04].sort());
    assert.ok(fromB.length >= want.length + owed01.length);
    // B2's 03 for the arrival B1 decided is never owed by B2 (B1's is the one A got).
    assert.equal(one<number>(ws.b2, "SELECT count(*) FROM packet_outbox WHERE packet_id = ? AND error_code IS NULL", owedStatusId(CODES.A, ids[3]!, '03')) <= 1, true);
    for (const w of [ws.b1, ws.b2]) {
      await w.sync.syncOnce();
      for (const p of [ids[1]!, ids[2]!, ids[4]!]) {
        assert.equal(status03(w, p), 1, `${w.name}: one 03 for ${p}`);
        assert.ok(!isAwaitingNumber(numberOfArrival(w, p)!), `${w.name}: numbered`);
      }
    }
  });

  test('decided online at B1 first, then registered cut off at B2 (which had not synced it): after syncing, the arrival names B1\'s numbered record on both; B2\'s record is never numbered', async () => {
    const p = await clearPacket(n, 'A', [CODES.B], { subject: 'Về việc tổng kết công tác năm và phương hướng năm tới của Ban' });
    wsA.packets.send(p);
    await wsA.packets.flush();
    await waitFor('the arrival at B1', async () => (await ws.b1.link.round(ws.b1.clerk, { agencyKey: agencyKey(), decryption: [] })).opened >= 1, 60_000, 100);
    await ws.b1.sync.syncOnce();
    await ws.b2.sync.syncOnce();
    await ws.b2.sync.syncOnce();
    assert.equal(one<string>(ws.b2, 'SELECT state FROM c_thuong.exchange_inbox WHERE packet_id = ?', p.packetId), 'waiting');
    // B1, online, decides and numbers it; B2 is cut off before it hears of that, and registers it awaiting.
    const firm = await register(ws.b1, p.packetId);
    assert.ok(!isAwaitingNumber(firm.arrivalNumber));
    const firmGid = one<string>(ws.b1, 'SELECT global_id FROM c_thuong.incoming WHERE id = ?', firm.incomingId);
    await ws.b1.sync.syncOnce();
    await serverB.close();
    const late = await register(ws.b2, p.packetId, true);
    assert.equal(late.awaitingNumber, true);
    const lateGid = one<string>(ws.b2, 'SELECT global_id FROM c_thuong.incoming WHERE id = ?', late.incomingId);
    serverB = await startAgency(cfgB);
    // Each pushes and pulls: B2's decision is the later event, B1's the one that held the claim.
    for (let i = 0; i < 2; i++) for (const w of [ws.b2, ws.b1]) await w.sync.syncOnce();
    const named = (w: Ws) => one<string>(w, 'SELECT i.global_id FROM c_thuong.exchange_inbox x JOIN c_thuong.incoming i ON i.id = x.incoming_id WHERE x.packet_id = ?', p.packetId);
    for (const w of [ws.b1, ws.b2]) {
      assert.equal(named(w), firmGid, `${w.name}: the arrival names the record that held the decision`);
      assert.equal(numberOfArrival(w, p.packetId), firm.arrivalNumber, `${w.name}: its number`);
    }
    // B2's own record waits, is told it was decided elsewhere, and is never numbered (not as a paper arrival either).
    for (let i = 0; i < 2; i++) await numberingRound(ws.b2.desk.db, ws.b2.numbers, new Date(), ws.b2.clerk.id);
    const wait = ws.b2.desk.db.prepare('SELECT numbered_at, problem FROM number_waits WHERE record_global_id = ?').get(lateGid) as { numbered_at: string | null; problem: string | null };
    assert.deepEqual(wait, { numbered_at: null, problem: WAIT_DECIDED_ELSEWHERE });
    assert.ok(isAwaitingNumber(one<number>(ws.b2, 'SELECT arrival_number FROM c_thuong.incoming WHERE global_id = ?', lateGid)));
    // One 03, B1's (its id is the packet's: B2 could not have owed another).
    for (const w of [ws.b1, ws.b2]) assert.equal(status03(w, p.packetId), 1, w.name);

    // The văn thư of B2 is shown the record that stands, and withdraws the duplicate.
    const lateId = one<number>(ws.b2, 'SELECT id FROM c_thuong.incoming WHERE global_id = ?', lateGid);
    const registerName = one<string>(ws.b1, 'SELECT r.name FROM c_thuong.incoming i JOIN registers r ON r.id = i.register_id WHERE i.global_id = ?', firmGid);
    assert.deepEqual(ws.b2.desk.incoming.get(ws.b2.clerk, lateId).duplicateOf, { arrivalNumber: firm.arrivalNumber, registerName });
    assert.equal(ws.b2.desk.incoming.get(ws.b2.clerk, one<number>(ws.b2, 'SELECT id FROM c_thuong.incoming WHERE global_id = ?', firmGid)).duplicateOf, undefined, 'the standing record is no duplicate');
    await ws.b1.sync.syncOnce();
    const atB1 = one<number | undefined>(ws.b1, 'SELECT id FROM c_thuong.incoming WHERE global_id = ?', lateGid);
    assert.ok(atB1 !== undefined, 'B1 holds B2\'s duplicate too (pushed)');
    const before = [one<number>(ws.b2, 'SELECT count(*) FROM c_thuong.incoming'), one<number>(ws.b2, "SELECT count(*) FROM audit_log WHERE action = 'incoming.withdrawDuplicate'")];
    // Refused: a chuyên viên; B1's văn thư (the wait is B2's: B1 cannot tell it is a duplicate); a record worked on.
    const cv = addActor(ws.b2.desk, 'chuyen_vien', 'tuyet_mat', 'Lê Thị Phụ');
    await refusedWith(ws.b2.desk.incoming.withdrawDuplicate(cv, lateId), 'rights.forbidden');
    await refusedWith(ws.b1.desk.incoming.withdrawDuplicate(ws.b1.clerk, atB1!), 'numberWait.notDuplicate');
    const worked = one<string>(ws.b2, 'SELECT record_global_id FROM number_waits WHERE problem = ? AND record_global_id <> ? AND numbered_at IS NULL', WAIT_DECIDED_ELSEWHERE, lateGid);
    const workedId = one<number>(ws.b2, 'SELECT id FROM c_thuong.incoming WHERE global_id = ?', worked);
    const lead = addActor(ws.b2.desk, 'lanh_dao', 'tuyet_mat', 'Nguyễn Văn Chỉ');
    await ws.b2.desk.processing.submit(ws.b2.clerk, { incomingId: workedId, leaderId: lead.id });
    const e = await refusedWith(ws.b2.desk.incoming.withdrawDuplicate(ws.b2.clerk, workedId), 'numberWait.duplicateWorkedOn');
    assert.match(e.message, /số đến 3/, e.message);
    assert.deepEqual([one<number>(ws.b2, 'SELECT count(*) FROM c_thuong.incoming'), one<number>(ws.b2, "SELECT count(*) FROM audit_log WHERE action = 'incoming.withdrawDuplicate'")], before, 'nothing written by a refusal');

    const r = await ws.b2.desk.incoming.withdrawDuplicate(ws.b2.clerk, lateId);
    assert.equal(r.standing?.arrivalNumber, firm.arrivalNumber);
    assert.equal(one<number>(ws.b2, 'SELECT count(*) FROM c_thuong.incoming WHERE global_id = ?', lateGid), 0);
    assert.equal(one<number>(ws.b2, 'SELECT count(*) FROM c_thuong.incoming'), before[0]! - 1);
    assert.deepEqual(ws.b2.desk.db.prepare('SELECT problem, numbered_at IS NOT NULL AS closed FROM number_waits WHERE record_global_id = ?').get(lateGid), { problem: 'withdrawn', closed: 1 });
    const audit = JSON.parse(one<string>(ws.b2, "SELECT details FROM audit_log WHERE action = 'incoming.withdrawDuplicate'")) as Record<string, unknown>;
    assert.equal(audit.standing, firmGid);
    await refusedWith(ws.b2.desk.incoming.withdrawDuplicate(ws.b2.clerk, lateId), 'document.notFound');
    // Gone from B1 too at the next sync; the arrival and its number stand on both, the files still open.
    for (let i = 0; i < 2; i++) for (const w of [ws.b2, ws.b1]) await w.sync.syncOnce();
    for (const w of [ws.b1, ws.b2]) {
      assert.equal(one<number>(w, 'SELECT count(*) FROM c_thuong.incoming WHERE global_id = ?', lateGid), 0, `${w.name}: withdrawn`);
      assert.equal(named(w), firmGid, w.name);
      assert.equal(numberOfArrival(w, p.packetId), firm.arrivalNumber, w.name);
      for (const sha of w.desk.db.prepare('SELECT a.sha256 FROM c_thuong.attachments a JOIN c_thuong.incoming i ON i.id = a.incoming_id WHERE i.global_id = ?').pluck().all(firmGid) as string[]) {
        const chunks: Buffer[] = [];
        for await (const c of w.desk.context().storeFor('thuong').openBlob(sha)) chunks.push(c as Buffer);
        assert.equal(createHash('sha256').update(Buffer.concat(chunks)).digest('hex'), sha, `${w.name}: the standing record's file`);
      }
    }
    assert.equal(waitingCount(ws.b2.desk.db), 1, 'only the worked-on duplicate still waits');
  });
});
