// Gửi lại (issue 9): a recipient's copy refused on its way is sent again from the same dispatch, between
// two real profiles in process (tests/helpers/agencyPair.ts: SoftHSM tokens holding each agency's key,
// packets handed from A's queue to B's accept() as the transport would). A's Mật document
// to B was taken by the transport, then refused by the hub (a recipient its directory did not know): the
// dispatch shows the refusal. Refused: a drafter, a văn thư without the level's clearance, a dispatch not
// refused, and (with a clear Vietnamese message) a recipient the directory still does not know. Once the
// directory knows it, the văn thư sends again: a 'resend' step, audited; the dispatch is pending with a
// new packet (a new id, the same send path, sealed for B), the refusal stays in the history; B receives,
// registers and answers, and A notes the statuses on that dispatch. A second resend finds nothing to do.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { outgoingCreateSchema } from '../../common/schemas';
import type { PrivateKeyOps } from '../../main/core/crypto';
import { writeTx } from '../../main/core/db/transaction';
import { readRouting } from '../../main/core/exchange/edxml';
import type { Actor } from '../../main/core/org/rights';
import { attemptPacketId } from '../../main/core/outgoing/resends';
import { markRefusedLater, markSent, queuePacket } from '../../main/core/sync/packets/queue';
import { makeSamplePdf } from '../../main/devhost/samplePdf';
import { A, agencyPair, B, B_NAME, deskRefusal as refused, type Agency } from '../helpers/agencyPair';
import { stageBytes } from '../helpers/desk';

const SUBJECT = 'Về việc chuẩn bị đại hội chi bộ nhiệm kỳ 2027-2030';

let a: Agency;
let b: Agency;
let drafter: Actor;
let lowClerk: Actor;
let signer: Actor;
let signerKey: PrivateKeyOps;

const pair = agencyPair('securedesk-resend-', async () => {
  ({ a, b } = pair);
  drafter = (await pair.person(a.desk, 'Trần Văn Soạn', 'chuyen_vien', 'tuyet_mat', 'Chuyên viên')).actor;
  lowClerk = (await pair.person(a.desk, 'Đỗ Thị Thường', 'van_thu', 'thuong', 'Văn thư')).actor;
  const s = await pair.person(a.desk, 'Nguyễn Văn Ký', 'lanh_dao', 'tuyet_mat', 'Phó Bí thư');
  signer = s.actor;
  signerKey = s.key;
});

describe('Gửi lại: a dispatch refused on its way is sent again', () => {
  let id: number;
  let dispatchId: number;
  let firstPacket: string;
  const row = () => a.desk.outgoing.get(a.clerk, id).dispatches[0]!;
  const steps = () => a.desk.outgoing.get(a.clerk, id).steps.filter((s) => s.kind === 'resend');
  const audits = (outcome: string) => a.desk.db.prepare("SELECT count(*) FROM main.audit_log WHERE action = 'outgoing.resend' AND outcome = ?").pluck().get(outcome) as number;

  test('A\'s Mật document to B is taken by the transport, then refused by the hub: the row says so', async () => {
    const main = await stageBytes(a.desk, drafter, await makeSamplePdf({ issuer: 'Tỉnh ủy Quảng Ninh', numberSymbol: '     -CV/TU', title: 'CÔNG VĂN', subject: SUBJECT }), 'cong-van.pdf');
    const d = await a.desk.outgoing.create(drafter, outgoingCreateSchema.parse({
      typeCode: 'CV', subject: SUBJECT, secrecy: 'mat', urgency: 'thuong', signerId: signer.id, signerCompetence: 'T/M BAN THƯỜNG VỤ', approvers: [],
      recipients: [{ code: B, name: B_NAME }], issuedAmount: 2, stagedIds: [main.stagedId], comment: '',
    }));
    await a.desk.outgoing.submit(drafter, { id: d.id, comment: '' });
    await a.desk.outgoing.signAsSigner(signer, d.id, signerKey);
    await a.desk.outgoing.issue(a.clerk, d.id, a.key);
    id = d.id;
    const { packets, problems } = await a.desk.exchange.outbox.ready(a.clerk, a.key);
    assert.deepEqual(problems, []);
    assert.equal(packets.length, 1);
    firstPacket = packets[0]!.packetId;
    const now = new Date().toISOString();
    writeTx(a.desk.db, () => {
      queuePacket(a.desk.db, firstPacket, packets[0]!.bytes, now);
      markSent(a.desk.db, firstPacket, now);
    });
    a.desk.exchange.outbox.handedOver(a.clerk, [firstPacket]);
    assert.ok(markRefusedLater(a.desk.db, firstPacket, 'unknown-recipient', `no agency ${B} in the directory`, now));
    assert.equal(a.desk.exchange.noteRefusals(a.clerk), 1);
    dispatchId = row().id;
    assert.equal(row().status, 'sent');
    assert.match(row().refused!.reason, /không có trong danh bạ/);
    assert.equal(row().resent, 0);
    assert.equal(a.desk.outgoing.get(a.clerk, id).can.resend, true);
  });

  test('refused: a drafter, a văn thư without the level\'s clearance, and while the directory does not know B (in Vietnamese); nothing changes', async () => {
    assert.equal((await refused(a.desk.outgoing.resend(drafter, { id, dispatchId }))).key, 'outgoing.mayNotResend');
    assert.equal(a.desk.outgoing.get(drafter, id).can.resend, false);
    const low = await refused(a.desk.outgoing.resend(lowClerk, { id, dispatchId }));
    assert.notEqual(low.code, 'VALIDATION', `a văn thư without Mật clearance: ${low.code} ${low.key ?? ''}`);
    a.desk.exchange.setDirectory(a.clerk, pair.directory.filter((x) => x.code !== B));
    const unknown = await refused(a.desk.outgoing.resend(a.clerk, { id, dispatchId }));
    assert.equal(unknown.key, 'outgoing.resendUnknownRecipient');
    assert.match(unknown.message, /Ban Tổ chức Tỉnh ủy \(mã định danh 000\.00\.12\.H49\) vẫn chưa có trong danh bạ/);
    assert.equal(row().status, 'sent');
    assert.ok(row().refused);
    assert.equal(steps().length, 0);
    assert.equal(audits('ok'), 0);
    assert.deepEqual((await a.desk.exchange.outbox.ready(a.clerk, a.key)).packets, []);
  });

  test('the directory fixed, the văn thư sends again: a new packet by the usual path, the refusal kept in the history; twice is refused', async () => {
    a.desk.exchange.setDirectory(a.clerk, pair.directory);
    const d = await a.desk.outgoing.resend(a.clerk, { id, dispatchId });
    const r = d.dispatches[0]!;
    assert.deepEqual([r.status, r.refused, r.resent], ['pending', null, 1]);
    assert.equal(steps().length, 1);
    assert.equal(steps()[0]!.comment, B_NAME);
    assert.equal(audits('ok'), 1);
    assert.deepEqual(a.desk.exchange.dispatchStatuses(a.clerk, id)[0]!.statuses.map((s) => s.code), ['refused'], 'the refusal stays in the history');
    assert.equal((await refused(a.desk.outgoing.resend(a.clerk, { id, dispatchId }))).key, 'outgoing.notRefused', 'nothing refused to answer any more');
    const { packets, problems } = await a.desk.exchange.outbox.ready(a.clerk, a.key);
    assert.deepEqual(problems, []);
    assert.equal(packets.length, 1);
    const p = packets[0]!;
    const gid = a.desk.db.prepare('SELECT global_id FROM c_mat.outgoing_dispatches WHERE id = ?').pluck().get(dispatchId) as string;
    assert.equal(firstPacket, gid, 'the first packet\'s id is the dispatch\'s global id');
    assert.equal(p.packetId, attemptPacketId(gid, 1));
    assert.notEqual(p.packetId, firstPacket, 'a new packet id: the hub would take the old one for the refused packet');
    assert.equal(p.to, B);
    assert.equal(readRouting(p.bytes).header.packetId, p.packetId, 'sealed for B under the new id');
    // The same packet when made again (a crash before the hand-over).
    assert.deepEqual((await a.desk.exchange.outbox.ready(a.clerk, a.key)).packets.map((x) => x.packetId), [p.packetId]);

    // The transport carries it to B; A's dispatch is sent, B holds it once.
    const got = await b.desk.exchange.accept(b.clerk, { packetId: p.packetId, from: A, bytes: p.bytes, receivedAt: new Date().toISOString() }, b.keys);
    assert.equal(got.opened, 1);
    a.desk.exchange.outbox.handedOver(a.clerk, [p.packetId]);
    assert.deepEqual([row().status, row().refused, row().resent], ['sent', null, 1]);
    assert.deepEqual((await a.desk.exchange.outbox.ready(a.clerk, a.key)).packets, []);

    // B registers it; its statuses reach A's dispatch (after the refusal, in its history).
    const arrival = b.desk.exchange.inbox.list(b.clerk, { state: 'waiting' }).find((x) => x.subject === SUBJECT)!;
    await b.desk.exchange.inbox.register(b.clerk, { id: arrival.id });
    const back = await b.desk.exchange.outbox.ready(b.clerk, b.key);
    for (const s of back.packets) await a.desk.exchange.accept(a.clerk, { packetId: s.packetId, from: B, bytes: s.bytes, receivedAt: new Date().toISOString() }, a.keys);
    b.desk.exchange.outbox.handedOver(b.clerk, back.packets.map((s) => s.packetId));
    assert.deepEqual(a.desk.exchange.dispatchStatuses(a.clerk, id)[0]!.statuses.map((s) => s.code).sort(), ['01', '03', 'refused']);
    assert.equal(row().refused, null);
  });
});
