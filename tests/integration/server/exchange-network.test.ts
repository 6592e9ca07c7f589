// A Tối mật reply from agency A to agency B over the real network (issue 9 §3–§5), the domain and
// the transport joined by ExchangeLink: A's văn thư issues it on a real profile (agency key on a
// SoftHSM token); A's round queues the sealed packet into the profile's durable outbox and sends it
// to A's agency server (PostgreSQL), which forwards it to the hub (mutual TLS), which delivers it to
// B's agency server (SQLite); B's round pulls it and opens it with the key on B's token into Văn bản
// điện tử đến; B registers it; the statuses (01 received, 03 registered) travel back the same way
// and show on A's dispatch. The directory of agencies reaches each profile from the hub through its
// agency server. Another round moves nothing: every step is idempotent by packet id.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { outgoingCreateSchema } from '../../../common/schemas';
import type { PrivateKeyOps } from '../../../main/core/crypto';
import type { Actor } from '../../../main/core/org/rights';
import { makeSamplePdf } from '../../../main/devhost/samplePdf';
import { stageBytes } from '../../helpers/desk';
import { CODES } from '../../helpers/network';
import { round, roundsUntil, startExchangeNetwork, total, type Agency, type ExchangeNetwork } from './exchangeNetwork';

const A = CODES.A;
const B = CODES.B;
const SUBJECT = 'Về việc rà soát nhân sự diện Ban Thường vụ quản lý năm 2026';

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


let replyId: number;

describe('a Tối mật reply from A to B through both agency servers and the hub', () => {
  test('A issues it; one round syncs the directory and sends the sealed packet to A\'s server', async () => {
    const main = await stageBytes(a.desk, drafter, await makeSamplePdf({ issuer: 'Tỉnh ủy Quảng Ninh', numberSymbol: '     -CV/TU', title: 'CÔNG VĂN', subject: SUBJECT }), 'cong-van.pdf');
    const d = await a.desk.outgoing.create(drafter, outgoingCreateSchema.parse({
      typeCode: 'CV', subject: SUBJECT, secrecy: 'toi_mat', urgency: 'khan', signerId: signer.id, signerCompetence: 'T/M BAN THƯỜNG VỤ', approvers: [approver.id],
      recipients: [{ code: B, name: 'Ban Tổ chức Tỉnh ủy' }], issuedAmount: 2, stagedIds: [main.stagedId], comment: '',
    }));
    await a.desk.outgoing.submit(drafter, { id: d.id, comment: '' });
    await a.desk.outgoing.approve(approver, { id: d.id, comment: 'Đồng ý' });
    await a.desk.outgoing.signAsSigner(signer, d.id, signerKey);
    await a.desk.outgoing.issue(a.clerk, d.id, a.key);
    replyId = d.id;
    const r = await round(a);
    assert.deepEqual(r.problems, []);
    assert.equal(r.agencies, 2, 'the hub\'s directory reached the profile through A\'s server');
    assert.equal(r.queued, 1);
    assert.equal(r.sent, 1);
    assert.equal(a.desk.outgoing.get(a.clerk, replyId).dispatches[0]!.status, 'sent');
    // The packet A's server holds is sealed: neither the subject nor the number is in clear.
    const stored = await net.serverA.store.db.selectFrom('packets_out_payloads').select('payload').execute();
    assert.equal(stored.length, 1);
    const bytes = Buffer.from(stored[0]!.payload);
    assert.equal(bytes.subarray(0, 25).toString('latin1'), 'SECUREDESK-EDXML-SEALED/1');
    assert.equal(bytes.indexOf(Buffer.from('rà soát nhân sự', 'utf8')), -1);
  });

  test('B\'s rounds bring it through the hub into Văn bản điện tử đến, opened with the key on B\'s token', async () => {
    const rounds = await roundsUntil(b, 'the packet at B', (rs) => total(rs, 'opened') >= 1);
    assert.equal(total(rounds, 'refused'), 0);
    assert.equal(total(rounds, 'received'), 1, 'received once');
    const rows = b.desk.exchange.inbox.list(b.clerk, {});
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.secrecy, 'toi_mat');
    assert.equal(rows[0]!.fromCode, A);
    assert.equal(rows[0]!.signatureValid, true);
    const reg = await b.desk.exchange.inbox.register(b.clerk, { id: rows[0]!.id, notes: 'Nhận qua mạng' });
    assert.equal(reg.arrivalNumber, 1);
    const doc = b.desk.incoming.get(b.clerk, reg.incomingId);
    assert.equal(doc.subject, SUBJECT);
    assert.equal(doc.numberSymbol, a.desk.outgoing.get(a.clerk, replyId).numberSymbol);
  });

  test('the statuses go back the same way and show on A\'s dispatch; further rounds move nothing', async () => {
    const sentB = await round(b);
    assert.equal(sentB.queued, 2, 'received (01) and registered (03)');
    assert.equal(sentB.sent, 2);
    const codes = () => a.desk.exchange.dispatchStatuses(a.clerk, replyId).find((d) => d.code === B)?.statuses.map((s) => s.code) ?? [];
    await roundsUntil(a, 'the statuses at A', () => codes().length >= 2);
    assert.deepEqual(codes(), ['01', '03']);
    // Idempotent: nothing waits anywhere, nothing arrives twice.
    for (const x of [a, b]) {
      const r = await round(x);
      assert.deepEqual([r.queued, r.sent, r.received, r.opened, r.refused], [0, 0, 0, 0, 0]);
    }
    assert.deepEqual(codes(), ['01', '03']);
    assert.equal(b.desk.exchange.inbox.list(b.clerk, {}).length, 1);
  });
});
