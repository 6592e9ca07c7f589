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
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
import type { IssueChildArgs, KillPoint } from './outgoingIssueChild';

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

    /**
     * Station `i` issues draft `id` in a child process killed with SIGKILL at `at` (outgoingIssueChild.ts),
     * then is opened again from its folder: what the child said the server answered.
     */
    async function killedIssue(i: 0 | 1, id: number, at: KillPoint): Promise<{ record: string; number?: number; asked?: boolean; signed?: boolean }> {
      const st = net.stations[i]!;
      net.close(st);
      const me = softIdentity();
      const args: IssueChildArgs = {
        dir: st.dir, url: net.url, caPem: pki.ca.certPem, unlockCertPem: me.certPem, unlockKeyPem: me.keyPem,
        certPem: readFileSync(pki.person(st.person).certPath, 'utf8'), keyPem: pki.person(st.person).keyPem,
        clerkId: st.clerk.id, outgoingId: id, at,
      };
      const child = await new Promise<{ signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
        const p = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'outgoingIssueChild.ts')], {
          env: { ...process.env, OUTGOING_ISSUE_CHILD: JSON.stringify(args) },
        });
        let stdout = '';
        let stderr = '';
        p.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
        p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        const timer = setTimeout(() => p.kill('SIGTERM'), 90_000);
        p.on('close', (_status, signal) => { clearTimeout(timer); resolve({ signal, stdout, stderr }); });
      });
      assert.equal(child.signal, 'SIGKILL', `${child.stdout}\n${child.stderr}`);
      await net.reopen(i);
      return JSON.parse(child.stdout) as { record: string; number?: number; asked?: boolean; signed?: boolean };
    }

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
      const routerOf = (desk: Desk) => createRouter({
        desk, guard: new SessionGuard(desk, new TokenService(new TokenBridge(), async () => [])), attachmentUrl: (t) => `app://securedesk/blob/${t}`,
        sync: () => ({ service: null, server: net.url, running: false }),
      });
      let call = routerOf(A().desk);
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
      // Who took the number: the server names the enrolment's person ('p-vanthu2', no one of A's
      // directory) and A does not have B's documents yet: not known here, the workstation stands alone.
      assert.deepEqual(seen.outgoingNumberConflicts.map((c) => c.other.person), [null, null]);
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
      // Once B's documents reach A by sync, the person who issued them there is named (their issue
      // event's actor): the issue of the one in the Thường register is set aside at A (it holds A's number 9
      // there: a sync conflict while the numbering conflict stands), the one of the Mật register's number is applied.
      // (The people added above travel too, with their certificates' bindings: keyed by fingerprint, no `id`.)
      // A opened again: its sync service held the connection the sign-ins above closed.
      net.close(A());
      call = routerOf((await net.reopen(0)).desk);
      for (let i = 0; i < 2; i++) for (const st of net.stations) await st.sync.syncOnce();
      for (const st of net.stations) {
        const aside = ['main', 'c_thuong', 'c_mat'].flatMap((s) => st.desk.db.prepare(`SELECT problem FROM ${s}.sync_inbox WHERE problem IS NOT NULL`).pluck().all() as string[]);
        assert.deepEqual(aside, ['UNIQUE constraint failed: outgoing.register_id, outgoing.period, outgoing.bucket, outgoing.number'], `${st.name}: only the other's number 9`);
      }
      const bound = (st: Station) => st.desk.db.prepare('SELECT c.fingerprint FROM user_certificates c JOIN users u ON u.id = c.user_id WHERE u.full_name IN (?, ?) ORDER BY 1')
        .pluck().all('Lê Thị Thường', 'Bùi Văn Ngoài') as string[];
      assert.equal(bound(A()).length, 2);
      assert.deepEqual(bound(B()), bound(A()));
      const synced = await panel();
      const issuer = getUser(A().desk.db, B().clerk.id)!.fullName;
      assert.deepEqual(synced.outgoingNumberConflicts.map((c) => [c.other.person, c.other.workstation]), [[issuer, bId], [issuer, bId]]);
      for (const c of synced.outgoingNumberConflicts) assert.match(c.other.document?.subject ?? '', new RegExp(`^Kế hoạch ${backend}-B-`));
      assert.equal(synced.outgoingNumberConflicts[0]!.other.document!.numberSymbol, null, 'its draft is here, its issue set aside');
    });

    test('kill -9 at B (not the home) before the request, after the answer, after signing: the issue again ends with one number, no gap', async () => {
      const start = await serverLast();
      const noneOwed = () => assert.equal(B().desk.db.prepare('SELECT count(*) FROM number_reports').pluck().get(), 0, 'nothing to report or give back at B');
      // Before the request: nothing was asked, the issue again takes the next number.
      const first = await signedDraft(B(), 'thuong');
      assert.deepEqual(await killedIssue(1, first, 'request'), { record: rowOf(B(), first, 'thuong').gid, asked: false });
      assert.equal(await serverLast(), start, 'nothing taken');
      assert.deepEqual([rowOf(B(), first, 'thuong').status, rowOf(B(), first, 'thuong').number], ['signer_signed', null]);
      assert.equal((await issue(B(), first)).number, start + 1);
      // After the server's answer, before anything is signed or written: the record holds its number at
      // the server, so A's issue meanwhile takes the one after it and B's issue again gets it back (the
      // same record id: the server answers the same allocation; nothing given back, no gap).
      const second = await signedDraft(B(), 'thuong');
      const answered = await killedIssue(1, second, 'answer');
      assert.deepEqual(answered, { record: rowOf(B(), second, 'thuong').gid, number: start + 2 });
      assert.deepEqual([rowOf(B(), second, 'thuong').status, rowOf(B(), second, 'thuong').number], ['signer_signed', null], 'nothing written before the kill');
      noneOwed();
      assert.equal((await issue(A(), await signedDraft(A(), 'thuong'))).number, start + 3);
      const again = await issue(B(), second);
      assert.equal(again.number, start + 2, 'the number the server gave before the kill');
      assert.deepEqual([rowOf(B(), second, 'thuong').status, rowOf(B(), second, 'thuong').numberSymbol], ['issued', again.numberSymbol]);
      assert.equal(await serverLast(), start + 3, 'no number taken twice for it');
      // After the agency's signature carrying the number, before the issue's transaction: signed again with the same number.
      const third = await signedDraft(B(), 'mat');
      const signed = await killedIssue(1, third, 'signed');
      assert.deepEqual(signed, { record: rowOf(B(), third, 'mat').gid, number: start + 4, signed: true });
      assert.equal(rowOf(B(), third, 'mat').status, 'signer_signed');
      assert.equal((await issue(B(), third)).number, start + 4);
      assert.equal(await serverLast(), start + 4);
      noneOwed();
      // Asked again under each record's id, the server answers the number it issued with: one number per document.
      const register = outgoingRegisterFor(B().desk.db, 'thuong')!;
      const { sequence, home } = sequenceOf(B().desk.db, register, todayIso(), TYPE);
      for (const [id, secrecy, n] of [[first, 'thuong', start + 1], [second, 'thuong', start + 2], [third, 'mat', start + 4]] as const) {
        assert.equal((await B().numbers.allocate({ ...sequence, record: rowOf(B(), id, secrecy).gid, home })).allocation.number, n);
        assert.equal(rowOf(B(), id, secrecy).number, n);
      }
      assert.equal(await serverLast(), start + 4, 'asking again took nothing');
    });

    test('kill -9 at the home after the answer, the server then out of reach: its offline number is the server\'s, reported and accepted', async () => {
      const id = await signedDraft(A(), 'thuong');
      await numberingRound(A().desk.db, A().numbers, new Date(), A().clerk.id); // the home hears of the last number
      const start = await serverLast();
      const answered = await killedIssue(0, id, 'answer');
      assert.deepEqual(answered, { record: rowOf(A(), id, 'thuong').gid, number: start + 1 });
      await net.server().close();
      const offline = await issue(A(), id);
      assert.equal(offline.number, start + 1, 'the home\'s counter gives the number its record holds at the server');
      await net.restart();
      const sent = await numberingRound(A().desk.db, A().numbers, new Date(), A().clerk.id);
      assert.equal(sent.reported, 1);
      assert.ok(!pendingReports(A().desk.db).some((p) => p.record === rowOf(A(), id, 'thuong').gid), 'accepted');
      assert.equal(await serverLast(), start + 1, 'no gap');
    });

    test('kill -9 at the home after the answer, B issuing meanwhile: the home\'s offline number stands and the server names the gap (void)', async () => {
      const id = await signedDraft(A(), 'thuong');
      const start = await serverLast();
      const answered = await killedIssue(0, id, 'answer');
      assert.equal(answered.number, start + 1);
      // B issues after it, and the home hears of that number before it is cut off.
      assert.equal((await issue(B(), await signedDraft(B(), 'thuong'))).number, start + 2);
      await numberingRound(A().desk.db, A().numbers, new Date(), A().clerk.id);
      await net.server().close();
      const offline = await issue(A(), id);
      assert.equal(offline.number, start + 3, 'the home cannot know its record held a number: it numbers after the last it heard of');
      await net.restart();
      assert.equal((await numberingRound(A().desk.db, A().numbers, new Date(), A().clerk.id)).reported, 1);
      assert.equal(await serverLast(), start + 3);
      // The server's earlier number for the record is void: a gap the server names by the record's global
      // id (which now holds the offline number); every number of the sequence up to the last is held or named.
      const gid = rowOf(A(), id, 'thuong').gid;
      const { sequence } = sequenceOf(A().desk.db, outgoingRegisterFor(A().desk.db, 'thuong')!, todayIso(), TYPE);
      const rows = await net.server().store.db.selectFrom('number_allocations').select(['record_gid', 'number', 'source', 'workstation'])
        .where('register_gid', '=', sequence.register).where('period', '=', sequence.period).where('bucket', '=', sequence.bucket).orderBy('number').execute();
      const held = rows.map((r) => Number(r.number));
      assert.deepEqual(held, Array.from({ length: start + 3 }, (_, i) => i + 1), 'no gap the server cannot name');
      const at = (n: number) => rows.find((r) => Number(r.number) === n)!;
      assert.deepEqual([at(start + 1).record_gid, at(start + 1).source, at(start + 1).workstation], [`${gid}.void.${start + 1}`, 'void', workstationId(A().desk.db)]);
      assert.deepEqual([at(start + 3).record_gid, at(start + 3).source], [gid, 'home']);
      // Asked again under its id, the record answers the number it was issued with.
      assert.equal((await A().numbers.allocate({ ...sequence, record: gid, home: workstationId(A().desk.db) })).allocation.number, start + 3);
    });
  });
}
