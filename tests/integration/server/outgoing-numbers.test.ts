// Outgoing numbers from the agency server (docs/server.md, "Numbering authority"), end to end on a real
// agency server, SQLite and PostgreSQL. A party profile (its two outgoing registers, Thường and BMNN,
// share one numbering scope, per document type through the term) and its copy with a workstation id of
// its own: A is the registers' home, B another workstation. Issuing from the same register at the same
// time gives distinct consecutive numbers, the two registers one sequence; a failed signing gives its
// number back and the retry gets the same one; the server out of reach, the home issues from its
// counter and reports later while B refuses the issue; an offline number the server had given away is
// kept as a problem (never renumbered: it is inside the agency's signature). Attack: a văn thư cleared
// to Thường takes and learns nothing of the shared sequence, which the BMNN register's level guards.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { SyncPanelView } from '../../../common/contract';
import type { Secrecy } from '../../../common/domain';
import { DeskError } from '../../../common/errors';
import { outgoingCreateSchema } from '../../../common/schemas';
import type { PrivateKeyOps } from '../../../main/core/crypto';
import type { Desk } from '../../../main/core/desk';
import { writeTx } from '../../../main/core/db/transaction';
import { sequenceKeyOf } from '../../../main/core/documents/sequenceKey';
import { todayIso } from '../../../common/dates';
import { numberingRound, pendingReports, sendPending, sequenceOf } from '../../../main/core/documents/sharedNumbering';
import { ensureOutgoingRegisters, outgoingRegisterFor } from '../../../main/core/outgoing/config';
import type { Actor } from '../../../main/core/org/rights';
import { actorFor, getUser } from '../../../main/core/org/users';
import { workstationId } from '../../../main/core/events/eventLog';
import { SessionGuard } from '../../../main/core/session/guard';
import { TokenService } from '../../../main/core/session/tokens';
import { createRouter } from '../../../main/ipc/router';
import { TokenBridge } from '../../../native/bridge/client';
import { NumberClient } from '../../../main/core/sync/numbers/NumberClient';
import { SyncService } from '../../../main/core/sync/SyncService';
import { agencyPki, type AgencyPki } from '../../helpers/agencyServer';
import { softIdentity, stageBytes } from '../../helpers/desk';
import { transportRefusal } from '../../helpers/networkSuite';
import { sharedRegister, type SharedRegister, type Station } from '../../helpers/numberingStations';
import { addPerson } from '../../helpers/people';
import { startPostgres, type TestPostgres } from '../../helpers/postgres';
import { softKey } from '../../helpers/softKey';
import { markedPdf } from '../../helpers/workfilePdfs';

let pki: AgencyPki;
let pg: TestPostgres;
const cleanups: Array<() => unknown> = [];

before(async () => {
  [pki, pg] = await Promise.all([agencyPki(['vanthu1', 'vanthu2', 'vtthuong']), startPostgres()]);
});

after(async () => {
  for (const c of cleanups.reverse()) {
    try { await c(); } catch { /* closed */ }
  }
  pg?.stop();
  pki?.pki.cleanup();
});

const TYPE = 'KH';

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`outgoing numbers from the agency server (${backend})`, () => {
    let net: SharedRegister;
    let drafterId = 0;
    let leaderId = 0;
    let leaderKey: PrivateKeyOps;
    const A = () => net.A();
    const B = () => net.B();
    const clerkKey = () => softIdentity().signingKeys[0]!;
    const person = (st: Station, id: number): Actor => actorFor(getUser(st.desk.db, id)!);
    const schemaOf = (desk: Desk, secrecy: Secrecy) => desk.context().arms.find((a) => a.level === secrecy)!.schema;
    const rowOf = (st: Station, id: number, secrecy: Secrecy) =>
      st.desk.db.prepare(`SELECT status, number, number_symbol AS numberSymbol, global_id AS gid FROM ${schemaOf(st.desk, secrecy)}.outgoing WHERE id = ?`).get(id) as { status: string; number: number | null; numberSymbol: string | null; gid: string };
    /** The shared sequence of today as the server holds it (asked by A's văn thư). */
    const serverLast = async () => {
      const register = outgoingRegisterFor(A().desk.db, 'thuong')!;
      return (await A().numbers.last(sequenceOf(A().desk.db, register, todayIso(), TYPE).sequence)).last;
    };
    let serial = 0;

    /** A KH draft of `secrecy` at `st`, approved and signed by the leader: ready for the văn thư's issue. */
    async function signedDraft(st: Station, secrecy: Secrecy): Promise<number> {
      const drafter = person(st, drafterId);
      const leader = person(st, leaderId);
      const marker = `${backend}-${st.name}-${++serial}`;
      const main = await stageBytes(st.desk, drafter, await markedPdf(marker, 1), `${marker}.pdf`);
      const d = await st.desk.outgoing.create(drafter, outgoingCreateSchema.parse({
        typeCode: TYPE, subject: `Kế hoạch ${marker}`, secrecy, urgency: 'thuong', signerId: leader.id, signerCompetence: 'T/M BAN THƯỜNG VỤ',
        approvers: [leader.id], recipients: [{ code: '000.00.00.H49', name: 'UBND tỉnh Quảng Ninh' }], stagedIds: [main.stagedId], comment: '',
      }));
      await st.desk.outgoing.submit(drafter, { id: d.id, comment: '' });
      await st.desk.outgoing.approve(leader, { id: d.id, comment: 'Đồng ý' });
      await st.desk.outgoing.signAsSigner(leader, d.id, leaderKey);
      return d.id;
    }
    const issue = (st: Station, id: number, key = clerkKey()) => st.desk.outgoing.issue(st.clerk, id, key);

    before(async () => {
      net = await sharedRegister({
        backend, pg, pki, prefix: 'securedesk-outnum', cleanups, preset: 'party',
        extraPeople: [{ person: 'p-vtthuong', role: 'van_thu', clearance: 'thuong', certificates: [pki.person('vtthuong').certPath] }],
        async prepare(desk, admin) {
          drafterId = (await addPerson(desk, { fullName: 'Trần Văn Soạn', role: 'chuyen_vien', clearance: 'tuyet_mat' })).id;
          const leader = await addPerson(desk, { fullName: 'Nguyễn Văn Ký', role: 'lanh_dao', clearance: 'tuyet_mat' });
          leaderId = leader.id;
          leaderKey = leader.identity.signingKeys[0]!;
          // The registers exist before the copy: B holds the same ones (as synced), with their global ids.
          writeTx(desk.db, () => ensureOutgoingRegisters(desk.db, admin.id, new Date()));
        },
      });
      // The registers' levels reach the server (base channel, in clear): it checks clearance against them.
      await A().sync.syncOnce();
    });

    test('the two outgoing registers of one scope share one server sequence, guarded by the BMNN register', () => {
      const db = A().desk.db;
      const thuong = outgoingRegisterFor(db, 'thuong')!;
      const secret = outgoingRegisterFor(db, 'mat')!;
      assert.notEqual(thuong.id, secret.id);
      assert.equal(thuong.scope_id, secret.scope_id, 'the party preset: one scope');
      const bmnnGid = db.prepare('SELECT global_id FROM registers WHERE id = ?').pluck().get(secret.id) as string;
      assert.equal(sequenceKeyOf(db, thuong.id).register, bmnnGid);
      assert.equal(sequenceKeyOf(db, secret.id).register, bmnnGid);
      // The same key at B (the registers synced with their global ids).
      assert.equal(sequenceKeyOf(B().desk.db, outgoingRegisterFor(B().desk.db, 'thuong')!.id).register, bmnnGid);
    });

    test('A and B issue at the same time from both registers: distinct consecutive numbers of one sequence', async () => {
      const drafts = [
        { st: A(), secrecy: 'thuong' as const }, { st: B(), secrecy: 'thuong' as const },
        { st: A(), secrecy: 'mat' as const }, { st: B(), secrecy: 'mat' as const },
      ];
      const ids: number[] = [];
      for (const d of drafts) ids.push(await signedDraft(d.st, d.secrecy));
      const issued = await Promise.all(drafts.map((d, i) => issue(d.st, ids[i]!)));
      assert.deepEqual(issued.map((r) => r.number).sort((a, b) => a - b), [1, 2, 3, 4]);
      drafts.forEach((d, i) => {
        const row = rowOf(d.st, ids[i]!, d.secrecy);
        assert.equal(row.status, 'issued');
        assert.equal(row.number, issued[i]!.number);
        assert.equal(row.numberSymbol, issued[i]!.numberSymbol);
      });
      assert.equal(await serverLast(), 4);
      // Each workstation's counter follows the server: nothing to report, nothing owed.
      for (const st of [A(), B()]) assert.equal(st.desk.db.prepare('SELECT count(*) FROM number_reports').pluck().get(), 0);
    });

    test('a failed signing gives the number back; the retry gets the same number, also after later numbers were given', async () => {
      const id = await signedDraft(B(), 'thuong');
      const removed: PrivateKeyOps = { ...clerkKey(), sign: () => Promise.reject(new Error('CKR_TOKEN_NOT_PRESENT')) };
      await assert.rejects(issue(B(), id, removed), /CKR_TOKEN_NOT_PRESENT/);
      assert.equal(rowOf(B(), id, 'thuong').status, 'signer_signed');
      assert.equal(await serverLast(), 4, 'given back: the sequence is where it was');
      // Tried again and failed again: given back again.
      await assert.rejects(issue(B(), id, removed), /CKR_TOKEN_NOT_PRESENT/);
      assert.equal(await serverLast(), 4);
      const held = await (async () => {
        // A number given back after a later one was given stays void (a gap the server names): B's
        // record asks (as a failed issue did) and A issues meanwhile, then B gives it back.
        const register = outgoingRegisterFor(B().desk.db, 'thuong')!;
        const { sequence, home } = sequenceOf(B().desk.db, register, todayIso(), TYPE);
        const gid = rowOf(B(), id, 'thuong').gid;
        const n = (await B().numbers.allocate({ ...sequence, record: gid, home })).allocation.number;
        const other = await issue(A(), await signedDraft(A(), 'mat'));
        assert.equal(other.number, n + 1);
        assert.deepEqual(await B().numbers.giveBack({ ...sequence, record: gid }), { givenBack: false, last: n + 1 });
        // Attack: another workstation asking under that record's id does not get the void number.
        const stolen = await transportRefusal(A().numbers.allocate({ ...sequence, record: gid, home }));
        assert.deepEqual([stolen.status, stolen.code], [409, 'record-numbered']);
        return n;
      })();
      assert.equal(held, 5);
      // The retry of the same document (same global id) takes its own number again: the gap closes.
      const retried = await issue(B(), id);
      assert.equal(retried.number, 5);
      assert.equal(rowOf(B(), id, 'thuong').number, 5);
      assert.equal(await serverLast(), 6);
    });

    test('the server out of reach: the home issues from its counter and reports later; B refuses the issue', async () => {
      const atA = await signedDraft(A(), 'thuong');
      const atB = await signedDraft(B(), 'mat');
      await numberingRound(A().desk.db, A().numbers, new Date(), A().clerk.id); // the home hears of the last number
      await net.server().close();
      const refused = await issue(B(), atB).then(() => null, (e: unknown) => e);
      assert.ok(refused instanceof DeskError && refused.key === 'numbering.outgoingServerUnreachable', String(refused));
      assert.match(refused.message, /không thể chờ cấp số sau/);
      assert.equal(rowOf(B(), atB, 'mat').status, 'signer_signed', 'nothing issued');
      assert.equal(B().desk.db.prepare('SELECT count(*) FROM number_reports').pluck().get(), 0, 'nothing owed: the record asks again under its id');
      const offline = await issue(A(), atA);
      assert.equal(offline.number, 7);
      assert.deepEqual(pendingReports(A().desk.db).map((r) => [r.number, r.record, r.problem]), [[7, rowOf(A(), atA, 'thuong').gid, null]]);
      await net.restart();
      const sent = await numberingRound(A().desk.db, A().numbers, new Date(), A().clerk.id);
      assert.deepEqual([sent.reported, sent.conflicts], [1, 0]);
      assert.equal(pendingReports(A().desk.db).length, 0);
      assert.equal(await serverLast(), 7);
      // Back in reach, B issues with the next number.
      assert.equal((await issue(B(), atB)).number, 8);
    });

    test('an offline number the server had given away: kept as a problem for the sync panel, never renumbered', async () => {
      const atA = await signedDraft(A(), 'thuong');
      const atB = await signedDraft(B(), 'thuong');
      await numberingRound(A().desk.db, A().numbers, new Date(), A().clerk.id);
      // B takes 9 after A's last contact; then A is cut off and gives 9 too (the window docs/server.md names).
      assert.equal((await issue(B(), atB)).number, 9);
      await net.server().close();
      const offline = await issue(A(), atA);
      assert.equal(offline.number, 9);
      await net.restart();
      const sent = await sendPending(A().desk.db, A().numbers, new Date(), A().clerk.id);
      assert.deepEqual([sent.reported, sent.conflicts, sent.renumbered], [0, 1, 0]);
      const [pending] = pendingReports(A().desk.db);
      assert.equal(pending?.number, 9);
      assert.equal((JSON.parse(pending!.problem!) as { error: string }).error, 'number-taken');
      // The document keeps the number its signature carries; no renumbering was tried.
      assert.deepEqual([rowOf(A(), atA, 'thuong').number, rowOf(A(), atA, 'thuong').numberSymbol], [9, offline.numberSymbol]);
      assert.equal(A().desk.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'incoming.renumber'").pluck().get(), 0);
      // A later round tries again, and still keeps it.
      const again = await numberingRound(A().desk.db, A().numbers, new Date(), A().clerk.id);
      assert.deepEqual([again.conflicts, again.renumbered], [1, 0]);
      assert.equal(pendingReports(A().desk.db).length, 1);
    });

    test('attack: a văn thư cleared to Thường takes and learns nothing of the shared sequence', async () => {
      const key = softKey(pki.person('vtthuong').certDer, pki.person('vtthuong').keyPem);
      const sync = new SyncService(B().desk, { transport: net.transport(), signer: () => key, clearance: 'thuong' });
      const before = await serverLast();
      try {
        const low = new NumberClient(sync.client);
        const register = outgoingRegisterFor(B().desk.db, 'thuong')!;
        const { sequence, home } = sequenceOf(B().desk.db, register, todayIso(), TYPE);
        const issuedGid = B().desk.db.prepare(`SELECT global_id FROM ${schemaOf(B().desk, 'mat')}.outgoing WHERE number IS NOT NULL ORDER BY number LIMIT 1`).pluck().get() as string;
        for (const attempt of [
          () => low.allocate({ ...sequence, record: '0190aaaa-0000-7000-8000-000000000001', home }),
          () => low.last(sequence),
          () => low.allocate({ ...sequence, record: issuedGid, home }),
          () => low.giveBack({ ...sequence, record: issuedGid }),
          () => low.report({ ...sequence, record: '0190aaaa-0000-7000-8000-000000000002', number: 99 }),
        ]) {
          const e = await transportRefusal(attempt());
          assert.deepEqual([e.status, e.code], [403, 'register-level']);
        }
        // Through the window: B's issue of a Thường document with that văn thư's connection is refused, nothing taken.
        const id = await signedDraft(B(), 'thuong');
        const saved = B().desk.outgoing.numbering;
        B().desk.outgoing.numbering = low;
        try {
          const e = await issue(B(), id).then(() => null, (x: unknown) => x);
          assert.ok(e instanceof DeskError && e.key === 'numbering.outgoingServerRefused', String(e));
        } finally {
          B().desk.outgoing.numbering = saved;
        }
        assert.equal(rowOf(B(), id, 'thuong').status, 'signer_signed');
      } finally {
        sync.close();
      }
      assert.equal(await serverLast(), before, 'nothing taken');
    });

    test('the sync panel lists the conflicts for the văn thư (through the router); one cleared to Thường sees no Mật subject; an officer sees none', async () => {
      // A Mật conflict as above: B takes the next number after A's last contact, A cut off gives it too.
      const atA = await signedDraft(A(), 'mat');
      const atB = await signedDraft(B(), 'thuong');
      await numberingRound(A().desk.db, A().numbers, new Date(), A().clerk.id);
      const taken = (await issue(B(), atB)).number;
      await net.server().close();
      assert.equal((await issue(A(), atA)).number, taken);
      await net.restart();
      assert.equal((await sendPending(A().desk.db, A().numbers, new Date(), A().clerk.id)).conflicts, 2);
      const secret = rowOf(A(), atA, 'mat');
      const subject = A().desk.outgoing.get(A().clerk, atA).subject;
      const low = await addPerson(A().desk, { fullName: 'Lê Thị Thường', role: 'van_thu', clearance: 'thuong' });
      const officer = await addPerson(A().desk, { fullName: 'Bùi Văn Ngoài', role: 'chuyen_vien', clearance: 'tuyet_mat' });
      const guard = new SessionGuard(A().desk, new TokenService(new TokenBridge(), async () => []));
      const call = createRouter({ desk: A().desk, guard, attachmentUrl: (t) => `app://securedesk/blob/${t}`, sync: () => ({ service: null, server: net.url, running: false }) });
      const panel = async () => {
        const r = await call('sync.status', {});
        assert.ok(r.ok, JSON.stringify(r));
        return r.value as SyncPanelView;
      };
      const bId = workstationId(B().desk.db);
      const seen = await panel();
      assert.deepEqual(seen.outgoingNumberConflicts.map((c) => [c.number, c.level, c.other.workstation]), [[9, 'thuong', bId], [taken, 'mat', bId]]);
      assert.match(seen.outgoingNumberConflicts[0]!.document!.subject, new RegExp(`^Kế hoạch ${backend}-A-`));
      assert.equal(seen.outgoingNumberConflicts[1]!.document!.subject, subject);
      const mine = seen.outgoingNumberConflicts[1]!;
      assert.equal(mine.register, outgoingRegisterFor(A().desk.db, 'mat')!.name);
      assert.deepEqual([mine.document?.outgoingId, mine.document?.numberSymbol], [atA, secret.numberSymbol]);
      assert.ok(mine.other.at && mine.givenAt, 'when: both numbers\' times');
      try {
        // Attack: a văn thư cleared to Thường: the conflict is listed (register, number, level) without anything of the Mật document.
        A().desk.lock();
        await A().desk.unlock(low.identity);
        const lowView = await panel();
        assert.deepEqual(lowView.outgoingNumberConflicts.map((c) => [c.number, c.level, c.document === null]), [[9, 'thuong', false], [taken, 'mat', true]]);
        assert.ok(!JSON.stringify(lowView).includes(subject), 'no Mật subject anywhere in her panel');
        assert.ok(!JSON.stringify(lowView).includes(secret.numberSymbol!), 'nor its number symbol');
        A().desk.lock();
        await A().desk.unlock(officer.identity);
        assert.deepEqual((await panel()).outgoingNumberConflicts, [], 'not the officer\'s business');
      } finally {
        A().desk.lock();
        await A().desk.unlock(softIdentity());
      }
    });
  });
}
