// Lấy lại (status 13) with an update (BussinessDocType 2) still waiting in the workstation's packet
// outbox, over the real network (issue 9 §3, §5): A sends a Mật document to B through A's agency server
// (PostgreSQL), the hub and B's server (SQLite); A's văn thư corrects it while A's server is down, so the
// update packet waits in the profile's durable outbox; then takes the document back from B. What B must
// get, in order: the document, then the 13 — never the update, which was withdrawn at the take-back
// (docs/exchange.md, "Lấy lại"). A's server never sees the update; B withdraws its copy and answers 15.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { outgoingCreateSchema } from '../../../common/schemas';
import type { PrivateKeyOps } from '../../../main/core/crypto';
import type { Actor } from '../../../main/core/org/rights';
import { makeSamplePdf } from '../../../main/devhost/samplePdf';
import { stageBytes } from '../../helpers/desk';
import { CODES, startAgency } from '../../helpers/network';
import { round, roundsUntil, startExchangeNetwork, total, type Agency, type ExchangeNetwork } from './exchangeNetwork';

const B = CODES.B;
const SUBJECT = 'Về việc cử cán bộ dự lớp bồi dưỡng kiến thức quốc phòng';

let net: ExchangeNetwork;
let a: Agency;
let b: Agency;
let drafter: Actor;
let approver: Actor;
let signer: Actor;
let signerKey: PrivateKeyOps;

before(async () => {
  net = await startExchangeNetwork();
  ({ a, b, drafter, approver, signer, signerKey } = net);
});

after(() => net?.close());



let docId: number;
let updateId: string;

describe('an update waiting in the transport\'s outbox when its dispatch is taken back', () => {
  test('A sends a Mật document to B; B has it', async () => {
    const main = await stageBytes(a.desk, drafter, await makeSamplePdf({ issuer: 'Tỉnh ủy Quảng Ninh', numberSymbol: '     -CV/TU', title: 'CÔNG VĂN', subject: SUBJECT }), 'cong-van.pdf');
    const d = await a.desk.outgoing.create(drafter, outgoingCreateSchema.parse({
      typeCode: 'CV', subject: SUBJECT, secrecy: 'mat', urgency: 'khan', signerId: signer.id, signerCompetence: 'T/M BAN THƯỜNG VỤ', approvers: [approver.id],
      recipients: [{ code: B, name: 'Ban Tổ chức Tỉnh ủy' }], issuedAmount: 2, stagedIds: [main.stagedId], comment: '',
    }));
    await a.desk.outgoing.submit(drafter, { id: d.id, comment: '' });
    await a.desk.outgoing.approve(approver, { id: d.id, comment: 'Đồng ý' });
    await a.desk.outgoing.signAsSigner(signer, d.id, signerKey);
    await a.desk.outgoing.issue(a.clerk, d.id, a.key);
    docId = d.id;
    const r = await round(a);
    assert.deepEqual([r.queued, r.sent], [1, 1]);
    await roundsUntil(b, 'the document at B', (rs) => total(rs, 'opened') >= 1);
    assert.equal(b.desk.exchange.inbox.list(b.clerk, { state: 'waiting' }).length, 1);
  });

  test('A\'s server is down: the update is queued in the profile\'s outbox and handed over, not sent', async () => {
    await a.desk.outgoing.update(a.clerk, { id: docId, reason: 'Bổ sung thời gian tập trung', replyDeadline: '2026-12-20' });
    await net.serverA.close();
    await assert.rejects(round(a), 'the send fails with the server down');
    const queued = a.desk.db.prepare("SELECT packet_id FROM main.packet_outbox WHERE state = 'queued'").pluck().all() as string[];
    assert.equal(queued.length, 1);
    updateId = queued[0]!;
    assert.ok(a.desk.db.prepare('SELECT handed_at FROM main.exchange_outbox WHERE packet_id = ?').pluck().get(updateId), 'the exchange handed it to the transport');
  });

  test('taken back from B: the update leaves the outbox at once, withdrawn; with the server back only the 13 goes', async () => {
    const dispatchId = a.desk.outgoing.get(a.clerk, docId).dispatches[0]!.id;
    await a.desk.outgoing.takeBack(a.clerk, { id: docId, dispatchId, reason: 'Gửi nhầm nơi nhận' });
    const row = a.desk.db.prepare('SELECT state, error_code, bytes FROM main.packet_outbox WHERE packet_id = ?').get(updateId) as { state: string; error_code: string; bytes: Buffer | null };
    assert.deepEqual([row.state, row.error_code, row.bytes], ['refused', 'withdrawn', null]);
    net.serverA = await startAgency(net.cfgA);
    const r = await round(a);
    assert.deepEqual(r.problems, []);
    assert.deepEqual([r.queued, r.sent], [1, 1], 'the 13 alone');
    const atServer = await net.serverA.store.db.selectFrom('packets_out' as never).select('packet_id' as never).execute() as Array<{ packet_id: string }>;
    assert.ok(!atServer.some((p) => p.packet_id === updateId), 'A\'s server never had the update');
  });

  test('B gets the 13 after the document and nothing else: its copy is withdrawn, A hears 15', async () => {
    await roundsUntil(b, 'the 13 at B', () => b.desk.exchange.inbox.list(b.clerk, {})[0]?.state === 'recalled');
    const got = b.desk.db.prepare('SELECT packet_id FROM main.packet_inbox ORDER BY seq').pluck().all() as string[];
    assert.equal(got.length, 2, 'the document and the 13');
    assert.ok(!got.includes(updateId));
    assert.equal(got[0], a.desk.db.prepare('SELECT global_id FROM c_mat.outgoing_dispatches').pluck().get(), 'the document first');
    assert.equal(b.desk.db.prepare('SELECT count(*) FROM c_mat.exchange_inbox WHERE business_type = 2').pluck().get(), 0, 'no update reached B');
    const codes = () => a.desk.exchange.dispatchStatuses(a.clerk, docId).find((d) => d.code === B)?.statuses.map((s) => s.code) ?? [];
    const answer = await round(b);
    assert.equal(answer.sent, 1, 'B\'s 15 goes back');
    await roundsUntil(a, 'the 15 at A', () => codes().includes('15'));
    assert.deepEqual(codes(), ['01', '15']);
  });
});
