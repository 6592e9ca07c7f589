// Moving a register's home (docs/server.md, "Numbering authority"), end to end on a real agency server
// over HTTPS, SQLite and PostgreSQL: A made the profile and is the incoming register's home, B is another
// workstation of the agency (a copy with its own id). The home is named by the register's creation as
// the server stores it, so a văn thư who names himself first changes nothing. An administrator moves the
// home to B from B's profile (the core checks org.manage and the reason, the server checks the role of the
// person whose token signed in, and both keep a record). The attacks: a văn thư, another agency's
// administrator, a workstation not of the agency, a replayed sign-in, a forged signature, a made-up session.
// The cut: A's offline number given before the move is accepted when A reports it; the one A gave after
// the move (it had not heard of it) is refused as `home-moved`: kept on its row and listed in the sync
// panel while nobody who registers is signed in, renumbered from the server (a correction, audited) once
// the văn thư is; after its next round A refuses to number offline (numbering.serverUnreachable) and B,
// the new home, numbers offline and its number is accepted.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { todayIso, yearOf } from '../../../common/dates';
import { DeskError } from '../../../common/errors';
import { parseCertificate } from '../../../main/core/crypto/certificates';
import { HOME_MOVED_RENUMBER_REASON } from '../../../main/core/documents/numberConflicts';
import { moveRegisterHome } from '../../../main/core/documents/registerHome';
import { numberingRound, pendingReports } from '../../../main/core/documents/sharedNumbering';
import { workstationId } from '../../../main/core/events/eventLog';
import { homeMovedNumbers } from '../../../main/core/sync/homeMovedNumbers';
import type { Actor } from '../../../main/core/org/rights';
import { NumberClient } from '../../../main/core/sync/numbers/NumberClient';
import type { HomeMovedConflict, RegisterHomeView } from '../../../main/core/sync/numbers/protocol';
import { API, authChallenge, type SessionResponse } from '../../../main/core/sync/protocol';
import { SyncService } from '../../../main/core/sync/SyncService';
import { Transport, TransportError } from '../../../main/core/sync/transport';
import { agencyPki, type AgencyPki } from '../../helpers/agencyServer';
import { addActor, registration } from '../../helpers/desk';
import { sharedRegister, type SharedRegister, type Station } from '../../helpers/numberingStations';
import { startPostgres, type TestPostgres } from '../../helpers/postgres';
import { softKey } from '../../helpers/softKey';

let pki: AgencyPki;
let pg: TestPostgres;
const cleanups: Array<() => unknown> = [];

before(async () => {
  [pki, pg] = await Promise.all([agencyPki(['vanthu1', 'vanthu2', 'quantri']), startPostgres()]);
  // An administrator of another agency: a certificate from that agency's CA, enrolled nowhere here.
  await pki.pki.generateKeys({ foreignAdmin: 'ec-p256' });
  pki.pki.issue('foreignAdmin', { subject: '/C=VN/O=Tổ chức khác/CN=Quản trị cơ quan khác', issuer: pki.otherCa, keyUsage: 'digitalSignature, nonRepudiation' });
});

after(async () => {
  for (const c of cleanups.reverse()) {
    try { await c(); } catch { /* closed */ }
  }
  pg?.stop();
  pki?.pki.cleanup();
});

const REASON = 'Máy trạm của văn thư được thay thế, chuyển sổ sang máy mới';

async function refusal(p: Promise<unknown>): Promise<TransportError> {
  const e = await p.then(() => null, (x: unknown) => x);
  assert.ok(e instanceof TransportError, `expected a refusal, got ${String(e)}`);
  return e;
}

async function deskRefusal(p: Promise<unknown>): Promise<DeskError> {
  const e = await p.then(() => null, (x: unknown) => x);
  assert.ok(e instanceof DeskError, `expected a refusal, got ${String(e)}`);
  return e;
}

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`moving a register's home (${backend})`, () => {
    let net: SharedRegister;
    let serial = 0;
    const A = () => net.A();
    const B = () => net.B();
    let admin: Actor;
    let adminSync: SyncService;
    let adminNumbers: NumberClient;
    let registerId: number;
    let registerGid: string;
    const register = async (st: Station) => {
      const input = await registration(st.desk, st.clerk, { subject: `Văn bản số ${++serial} vào sổ tại máy ${st.name}` });
      return st.desk.incoming.register(st.clerk, input);
    };
    const numberOf = (st: Station, id: number) => st.desk.db.prepare('SELECT arrival_number FROM c_thuong.incoming WHERE id = ?').pluck().get(id) as number;
    const gidOf = (st: Station, id: number) => st.desk.db.prepare('SELECT global_id FROM c_thuong.incoming WHERE id = ?').pluck().get(id) as string;
    const heldAtServer = async (record: string) => {
      const r = await net.server().store.db.selectFrom('number_allocations').select(['number', 'workstation', 'source']).where('record_gid', '=', record).executeTakeFirst();
      return r ? { ...r, number: Number(r.number) } : undefined;
    };
    const year = () => String(yearOf(todayIso(new Date())));
    const adminLogin = () => {
      adminSync?.close();
      const key = softKey(pki.person('quantri').certDer, pki.person('quantri').keyPem);
      adminSync = new SyncService(B().desk, { transport: net.transport(), signer: () => key, clearance: 'tuyet_mat' });
      adminNumbers = new NumberClient(adminSync.client);
    };
    const roundOf = (st: Station) => numberingRound(st.desk.db, st.numbers, new Date(), st.clerk.id);
    let beforeMove: { id: number; number: number };
    let afterMove: { id: number; number: number };

    before(async () => {
      net = await sharedRegister({
        backend, pg, pki, prefix: 'securedesk-home', cleanups,
        extraPeople: [{ person: 'p-quantri', role: 'quan_tri', clearance: 'tuyet_mat', certificates: [pki.person('quantri').certPath] }],
      });
      admin = addActor(B().desk, 'quan_tri', 'tuyet_mat', 'Trần Quản Trị');
      registerId = A().desk.db.prepare("SELECT id FROM registers WHERE kind = 'incoming' AND name = 'Sổ đăng ký văn bản đến'").pluck().get() as number;
      registerGid = A().desk.db.prepare('SELECT global_id FROM registers WHERE id = ?').pluck().get(registerId) as string;
      adminLogin();
      cleanups.push(() => adminSync.close());
    });

    test('the home is named by the register\'s creation: a văn thư who names himself first changes nothing', async () => {
      // A pushes its base events (the registers' creations among them): the server names A the home.
      await A().sync.syncOnce();
      // B asks first for a number of the register, naming itself its home.
      const claim = await B().numbers.allocate({ register: registerGid, period: year(), bucket: '*', record: randomUUID(), home: workstationId(B().desk.db) });
      assert.equal(claim.allocation.number, 1);
      assert.equal((await B().numbers.last({ register: registerGid, period: year(), bucket: '*' })).home, workstationId(A().desk.db));
      // And B's offline numbers are not accepted: it is not the home.
      const e = await refusal(B().numbers.report({ register: registerGid, period: '2025', bucket: '*', record: randomUUID(), number: 1, madeAt: new Date().toISOString() }));
      assert.deepEqual([e.status, e.code], [403, 'not-home']);
    });

    test('online A and B take the server\'s numbers; cut off, A (home) numbers on and B is refused', async () => {
      const a = await register(A());
      const b = await register(B());
      assert.deepEqual([numberOf(A(), a.id), numberOf(B(), b.id)], [2, 3]);
      await roundOf(A()); // the home hears of B's number
      await net.server().close();
      const offline = await register(A());
      beforeMove = { id: offline.id, number: numberOf(A(), offline.id) };
      assert.equal(beforeMove.number, 4, 'after everything the home heard of');
      const refused = await deskRefusal(register(B()));
      assert.equal(refused.key, 'numbering.serverUnreachable');
    });

    test('refused in the core before the server is asked: no right, a short reason, no server link', async () => {
      const to = workstationId(B().desk.db);
      assert.equal((await deskRefusal(moveRegisterHome(B().desk.db, B().clerk, { registerId, workstation: to, reason: REASON }, adminNumbers, new Date()))).code, 'FORBIDDEN');
      assert.equal((await deskRefusal(moveRegisterHome(B().desk.db, admin, { registerId, workstation: to, reason: 'hư' }, adminNumbers, new Date()))).key, 'registerHome.reasonShort');
      assert.equal((await deskRefusal(moveRegisterHome(B().desk.db, admin, { registerId, workstation: to, reason: REASON }, null, new Date()))).key, 'registerHome.notLinked');
      assert.equal(B().desk.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'register.home_move'").pluck().get(), 0, 'nothing was asked');
    });

    test('the attacks at the server: a văn thư, another agency\'s administrator, a workstation not of the agency, a replayed or forged sign-in', async () => {
      await net.restart();
      adminLogin();
      const to = workstationId(B().desk.db);
      // A văn thư (not an administrator), through the core with an administrator's right faked: the server refuses, the core audits it.
      const vt = await deskRefusal(moveRegisterHome(B().desk.db, admin, { registerId, workstation: to, reason: REASON }, B().numbers, new Date()));
      assert.equal(vt.key, 'sync.adminRefused');
      assert.deepEqual(B().desk.db.prepare("SELECT outcome, reason FROM audit_log WHERE action = 'register.home_move'").all(), [{ outcome: 'failed', reason: 'forbidden' }]);
      const direct = await refusal(B().numbers.moveHome(registerGid, { workstation: to, reason: REASON }));
      assert.deepEqual([direct.status, direct.code], [403, 'forbidden']);
      // Another agency's administrator cannot sign in here at all.
      const foreign = pki.person('foreignAdmin');
      const fsync = new SyncService(B().desk, { transport: net.transport(), signer: () => softKey(foreign.certDer, foreign.keyPem), clearance: 'tuyet_mat' });
      try {
        const e = await refusal(new NumberClient(fsync.client).moveHome(registerGid, { workstation: to, reason: REASON }));
        assert.ok(e.status === 401 || e.status === 403, `refused at sign-in: ${e.status} ${e.message}`);
      } finally {
        fsync.close();
      }
      // A workstation that never signed in to this agency's server, and a malformed one.
      const stranger = await refusal(adminNumbers.moveHome(registerGid, { workstation: randomUUID(), reason: REASON }));
      assert.deepEqual([stranger.status, stranger.code], [422, 'unknown-workstation']);
      assert.equal((await refusal(adminNumbers.moveHome(registerGid, { workstation: 'x/../y', reason: REASON }))).status, 400);
      assert.equal((await refusal(adminNumbers.moveHome(registerGid, { workstation: to, reason: 'hư' }))).status, 400);
      // A register the server never heard of.
      assert.equal((await refusal(adminNumbers.moveHome(randomUUID(), { workstation: to, reason: REASON }))).code, 'unknown-register');
      // Raw sign-ins: the administrator's signed nonce replayed, the administrator's certificate with a văn thư's signature, a made-up session.
      const t = new Transport({ url: net.transport().url, caPem: pki.ca.certPem });
      const key = softKey(pki.person('quantri').certDer, pki.person('quantri').keyPem);
      const { data: n } = await t.json<{ nonce: string }>('POST', `${API}/auth/nonce`, {});
      assert.equal(parseCertificate(key.certificate).publicKey.algorithm, 'EC');
      const sig = Buffer.from(await key.sign('ECDSA-SHA256', authChallenge(n.nonce, to, t.serverCertSha256!))).toString('base64');
      const body = { nonce: n.nonce, workstation: to, certificate: Buffer.from(key.certificate).toString('base64'), algorithm: 'ECDSA-SHA256', signature: sig };
      const ok = await t.json<SessionResponse>('POST', `${API}/auth/session`, body);
      assert.equal(ok.data.role, 'quan_tri');
      assert.equal((await refusal(t.json('POST', `${API}/auth/session`, body))).status, 401, 'a replayed nonce');
      const vtKey = softKey(pki.person('vanthu2').certDer, pki.person('vanthu2').keyPem);
      const { data: n2 } = await t.json<{ nonce: string }>('POST', `${API}/auth/nonce`, {});
      const forged = Buffer.from(await vtKey.sign('ECDSA-SHA256', authChallenge(n2.nonce, to, t.serverCertSha256!))).toString('base64');
      assert.equal((await refusal(t.json('POST', `${API}/auth/session`, { ...body, nonce: n2.nonce, signature: forged }))).status, 401, 'the administrator\'s certificate, another key\'s signature');
      const madeUp = await refusal(t.json('POST', `/v1/admin/registers/${registerGid}/home`, { workstation: to, reason: REASON }, { authorization: `Bearer ${'A'.repeat(43)}` }));
      assert.equal(madeUp.status, 401);
      t.close();
      // None of it moved anything.
      const view = await adminNumbers.registerHome(registerGid);
      assert.deepEqual([view.home, view.moves], [workstationId(A().desk.db), []]);
    });

    test('an administrator moves the home to B: recorded at the server and in the profile\'s audit log', async () => {
      const from = workstationId(A().desk.db);
      const to = workstationId(B().desk.db);
      const move = await moveRegisterHome(B().desk.db, admin, { registerId, workstation: to, reason: `  ${REASON}  ` }, adminNumbers, new Date());
      assert.deepEqual([move.from, move.to, move.movedBy, move.movedFrom, move.reason], [from, to, 'p-quantri', to, REASON]);
      const view: RegisterHomeView = await adminNumbers.registerHome(registerGid);
      assert.equal(view.home, to);
      assert.deepEqual(view.moves, [move]);
      const row = await net.server().store.db.selectFrom('register_home_moves').selectAll().executeTakeFirstOrThrow();
      assert.deepEqual([row.from_workstation, row.to_workstation, row.moved_by, row.moved_from, row.reason, row.moved_at], [from, to, 'p-quantri', to, REASON, move.movedAt]);
      const audit = B().desk.db.prepare("SELECT user_id AS userId, details FROM audit_log WHERE action = 'register.home_move' AND outcome = 'ok'").get() as { userId: number; details: string };
      assert.equal(audit.userId, admin.id);
      assert.deepEqual(JSON.parse(audit.details), { register: registerGid, to, reason: REASON, from, movedAt: move.movedAt });
      // Asked again: nothing moves (409), nothing recorded twice.
      assert.equal((await refusal(adminNumbers.moveHome(registerGid, { workstation: to, reason: REASON }))).code, 'already-home');
      assert.equal((await adminNumbers.registerHome(registerGid)).moves.length, 1);
    });

    test('A, cut off before it heard of the move, numbers on; at its next contact the number before the move is kept, the one after is a conflict, renumbered from the server', async () => {
      await net.server().close();
      const late = await register(A());
      afterMove = { id: late.id, number: numberOf(A(), late.id) };
      assert.equal(afterMove.number, 5);
      await net.restart();
      adminLogin();
      // A's round with nobody who registers signed in: reported, the late number refused and kept.
      const sent = await numberingRound(A().desk.db, A().numbers, new Date(), null);
      assert.deepEqual([sent.reported, sent.conflicts, sent.renumbered], [1, 1, 0]);
      assert.deepEqual(await heldAtServer(gidOf(A(), beforeMove.id)), { number: 4, workstation: workstationId(A().desk.db), source: 'home' }, 'given before the move: accepted');
      assert.equal(await heldAtServer(gidOf(A(), afterMove.id)), undefined, 'given after the move: not taken');
      const pending = pendingReports(A().desk.db);
      assert.equal(pending.length, 1);
      assert.equal(pending[0]!.number, 5);
      const problem = JSON.parse(pending[0]!.problem!) as HomeMovedConflict;
      assert.equal(problem.error, 'home-moved');
      assert.equal(problem.move.to, workstationId(B().desk.db));
      // The sync panel lists it for the văn thư: the document, the new home and when it moved.
      const listed = homeMovedNumbers(A().desk.db, A().desk.heldLevels, A().clerk);
      assert.equal(listed.length, 1);
      assert.deepEqual([listed[0]!.number, listed[0]!.level, listed[0]!.movedTo, listed[0]!.movedAt, listed[0]!.document?.kind, listed[0]!.document?.id],
        [5, 'thuong', workstationId(B().desk.db), problem.move.movedAt, 'incoming', afterMove.id]);
      assert.match(listed[0]!.document!.subject, /^Văn bản số \d+ vào sổ tại máy A$/);
      assert.equal(listed[0]!.reason, REASON, 'why it moved');
      assert.equal(listed[0]!.movedBy, A().desk.db.prepare('SELECT full_name FROM users WHERE global_id = ?').pluck().get(problem.move.movedBy) ?? null, 'who moved it, by name when known here');
      // A heard of the move in that round, with an audit entry.
      const heard = JSON.parse(A().desk.db.prepare("SELECT details FROM audit_log WHERE action = 'register.home_heard'").pluck().get() as string) as Record<string, unknown>;
      assert.deepEqual(heard, { register: registerGid, from: workstationId(A().desk.db), to: workstationId(B().desk.db) });
      // Meanwhile B, online, takes the server's next number: 5, the number A gave after the move.
      const bOnline = await register(B());
      assert.equal(numberOf(B(), bOnline.id), 5);
      // The văn thư signed in: the arrival is renumbered at once with the server's next number (as a taken
      // number is): a correction with the reason, the audit entry, the number now the server's.
      const again = await roundOf(A());
      assert.deepEqual([again.conflicts, again.renumbered], [0, 1]);
      assert.equal(numberOf(A(), afterMove.id), 6);
      assert.deepEqual(await heldAtServer(gidOf(A(), afterMove.id)), { number: 6, workstation: workstationId(A().desk.db), source: 'server' });
      const correction = A().desk.db.prepare('SELECT reason, old_values AS o, new_values AS n FROM c_thuong.incoming_corrections WHERE incoming_id = ?').get(afterMove.id) as { reason: string; o: string; n: string };
      assert.deepEqual([correction.reason, JSON.parse(correction.o), JSON.parse(correction.n)], [HOME_MOVED_RENUMBER_REASON, { arrivalNumber: 5 }, { arrivalNumber: 6 }]);
      const audit = JSON.parse(A().desk.db.prepare("SELECT details FROM audit_log WHERE action = 'incoming.renumber' AND entity_id = ?").pluck().get(afterMove.id) as string) as Record<string, unknown>;
      assert.deepEqual([audit.oldNumber, audit.newNumber, audit.reason, audit.homeNow], [5, 6, 'home_moved', workstationId(B().desk.db)]);
      assert.deepEqual([pendingReports(A().desk.db), homeMovedNumbers(A().desk.db, A().desk.heldLevels, A().clerk)], [[], []]);
    });

    test('after their rounds: A is refused offline (numbering message), B (the new home) numbers offline and its number is accepted', async () => {
      await roundOf(B());
      assert.equal(B().desk.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'register.home_heard'").pluck().get(), 0, 'B learnt it when its administrator moved it');
      await net.server().close();
      const refused = await deskRefusal(register(A()));
      assert.equal(refused.key, 'numbering.serverUnreachable');
      const offline = await register(B());
      assert.equal(numberOf(B(), offline.id), 7, 'after the numbers B heard of (A\'s 6)');
      await net.restart();
      adminLogin();
      const sent = await roundOf(B());
      assert.deepEqual([sent.reported, sent.conflicts], [1, 0]);
      assert.deepEqual(await heldAtServer(gidOf(B(), offline.id)), { number: 7, workstation: workstationId(B().desk.db), source: 'home' });
      const online = await register(A());
      assert.equal(numberOf(A(), online.id), 8, 'A numbers online again from the server');
    });

    test('moved back to A from A\'s profile: B\'s arrival given after that move, its number taken by nobody, keeps it, now the server\'s', async () => {
      await roundOf(B()); // B hears of A's 8
      const adminA = addActor(A().desk, 'quan_tri', 'tuyet_mat', 'Trần Quản Trị');
      const key = softKey(pki.person('quantri').certDer, pki.person('quantri').keyPem);
      const syncA = new SyncService(A().desk, { transport: net.transport(), signer: () => key, clearance: 'tuyet_mat' });
      try {
        const back = await moveRegisterHome(A().desk.db, adminA, { registerId, workstation: workstationId(A().desk.db), reason: 'Máy trạm mới hỏng, trả sổ về máy trạm cũ' }, new NumberClient(syncA.client), new Date());
        assert.deepEqual([back.from, back.to], [workstationId(B().desk.db), workstationId(A().desk.db)]);
      } finally {
        syncA.close();
      }
      await net.server().close();
      const late = await register(B()); // B has not heard of it: it numbers offline
      assert.equal(numberOf(B(), late.id), 9);
      await net.restart();
      adminLogin();
      const sent = await roundOf(B());
      assert.deepEqual([sent.reported, sent.conflicts, sent.renumbered], [0, 0, 1]);
      assert.equal(numberOf(B(), late.id), 9, 'nobody took it: the paper\'s number stands');
      assert.deepEqual(await heldAtServer(gidOf(B(), late.id)), { number: 9, workstation: workstationId(B().desk.db), source: 'server' });
      assert.equal(B().desk.db.prepare('SELECT count(*) FROM c_thuong.incoming_corrections WHERE incoming_id = ?').pluck().get(late.id), 0, 'no correction');
      const audit = JSON.parse(B().desk.db.prepare("SELECT details FROM audit_log WHERE action = 'incoming.number_confirmed' AND entity_id = ?").pluck().get(late.id) as string) as Record<string, unknown>;
      assert.deepEqual([audit.arrivalNumber, audit.reason, audit.homeNow], [9, 'home_moved', workstationId(A().desk.db)]);
      assert.deepEqual(pendingReports(B().desk.db), []);
      // B heard of it in that round; the register's moves, oldest first.
      const view = await adminNumbers.registerHome(registerGid);
      assert.deepEqual([view.home, view.moves.map((m) => m.to)], [workstationId(A().desk.db), [workstationId(B().desk.db), workstationId(A().desk.db)]]);
    });
  });
}
