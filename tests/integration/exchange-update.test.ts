// Cập nhật and Lấy lại from the sending side, end to end between two agencies in process (issue 9 §3), in
// the style of exchange-receive.test.ts: two real profiles, each văn thư's SoftHSM token holding its
// agency's key, packets handed from one profile's outbound queue to the other's accept() as the
// transport would.
// - Update (BussinessDocType 2): A's văn thư corrects an issued Mật document's subject and reply deadline
//   with a reason; the record stays as issued (an 'update' step keeps old and new values); the outbox
//   makes one sealed type-2 packet per agency the document went to (the same bytes when made again),
//   carrying the corrected metadata under the same DocumentId; B applies it to its registered copy
//   (the files joined as "(Cập nhật)", a notice with what changed and why) and answers 15, which A
//   records on the dispatch.
// - Status 13 (Lấy lại: the sender takes the document back, as the domain digest defines it): A takes
//   an issued document back from B, to whom it was sent by mistake; the outbox makes a status 13 (no
//   revocation packet), B withdraws its unregistered arrival with a notice and answers 15.
// - Refusals: a drafter may neither update nor take back; an update changing nothing; taking back
//   twice; a draft.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Secrecy } from '../../common/domain';
import { outgoingCreateSchema } from '../../common/schemas';
import type { PrivateKeyOps } from '../../main/core/crypto';
import { parseEdxml, readRouting } from '../../main/core/exchange/edxml';
import type { Actor } from '../../main/core/org/rights';
import { makeSamplePdf } from '../../main/devhost/samplePdf';
import { A, agencyPair, B, carry, deskRefusal as refused, type Agency } from '../helpers/agencyPair';
import { stageBytes } from '../helpers/desk';

let a: Agency;
let b: Agency;
// A's people
let drafter: Actor;
let approver: Actor;
let signer: Actor;
let signerKey: PrivateKeyOps;

const pair = agencyPair('securedesk-exchange-', async () => {
  ({ a, b } = pair);
  drafter = (await pair.person(a.desk, 'Trần Văn Soạn', 'chuyen_vien', 'tuyet_mat', 'Chuyên viên')).actor;
  approver = (await pair.person(a.desk, 'Lê Thị Duyệt', 'lanh_dao', 'tuyet_mat', 'Chánh Văn phòng')).actor;
  const s = await pair.person(a.desk, 'Nguyễn Văn Ký', 'lanh_dao', 'tuyet_mat', 'Phó Bí thư');
  signer = s.actor;
  signerKey = s.key;
});

async function issue(secrecy: Secrecy, subject: string, to: string[] = [B], replacesId?: number): Promise<number> {
  const main = await stageBytes(a.desk, drafter, await makeSamplePdf({ issuer: 'Tỉnh ủy Quảng Ninh', numberSymbol: '     -CV/TU', title: 'CÔNG VĂN', subject }), 'cong-van.pdf');
  const d = await a.desk.outgoing.create(drafter, outgoingCreateSchema.parse({
    typeCode: 'CV', subject, secrecy, urgency: 'khan', signerId: signer.id, signerCompetence: 'T/M BAN THƯỜNG VỤ', approvers: [approver.id],
    recipients: to.map((code) => ({ code, name: code === B ? 'Ban Tổ chức Tỉnh ủy' : 'Ban Tuyên giáo Tỉnh ủy' })), issuedAmount: 2, stagedIds: [main.stagedId], comment: '',
  }));
  if (replacesId) await a.desk.outgoing.replace(drafter, { id: d.id, replacesId });
  await a.desk.outgoing.submit(drafter, { id: d.id, comment: '' });
  await a.desk.outgoing.approve(approver, { id: d.id, comment: 'Đồng ý' });
  await a.desk.outgoing.signAsSigner(signer, d.id, signerKey);
  await a.desk.outgoing.issue(a.clerk, d.id, a.key);
  return d.id;
}

const statusesAtA = (outgoingId: number, code = B) => a.desk.exchange.dispatchStatuses(a.clerk, outgoingId).find((d) => d.code === code)!.statuses;


describe('Cập nhật (BussinessDocType 2): an issued Mật document corrected and sent again', () => {
  let id: number;
  let incomingB: number;
  const SUBJECT = 'Về việc tổ chức hội nghị quán triệt nghị quyết';
  const CORRECTED = 'Về việc tổ chức hội nghị quán triệt, triển khai nghị quyết';

  test('A issues it to B; B registers it; A hears 01 and 03', async () => {
    id = await issue('mat', SUBJECT);
    await carry(a, b);
    const row = b.desk.exchange.inbox.list(b.clerk, { state: 'waiting' }).find((x) => x.subject === SUBJECT)!;
    incomingB = (await b.desk.exchange.inbox.register(b.clerk, { id: row.id })).incomingId;
    await carry(b, a);
    assert.deepEqual(statusesAtA(id).map((s) => s.code), ['01', '03']);
  });

  test('refused: a drafter, and an update that changes nothing; nothing queued', async () => {
    assert.equal((await refused(a.desk.outgoing.update(drafter, { id, reason: 'Sửa trích yếu', subject: CORRECTED }))).code, 'FORBIDDEN');
    assert.equal((await refused(a.desk.outgoing.update(a.clerk, { id, reason: 'Không đổi gì', subject: SUBJECT }))).key, 'outgoing.updateNothing');
    assert.equal((await a.desk.exchange.outbox.ready(a.clerk, a.key)).packets.length, 0);
  });

  test('the văn thư corrects the subject and the reply deadline: the record stays as issued, the update is a step with both values', async () => {
    const d = await a.desk.outgoing.update(a.clerk, { id, reason: 'Bổ sung nội dung triển khai', subject: CORRECTED, replyDeadline: '2026-12-31' });
    assert.equal(d.subject, SUBJECT, 'the issued record is kept');
    // The window reads the corrected values and each change (old → new) from the view.
    assert.deepEqual(d.current, { subject: CORRECTED, replyDeadline: '2026-12-31', pageCount: null, issuedAmount: 2 });
    assert.deepEqual(d.updates.map((u) => [u.reason, u.changes]), [['Bổ sung nội dung triển khai', [
      { field: 'subject', before: SUBJECT, after: CORRECTED }, { field: 'replyDeadline', before: null, after: '2026-12-31' }]]]);
    assert.equal(d.can.update, true);
    assert.equal(a.desk.outgoing.get(drafter, id).can.update, false, 'only the văn thư');
    const step = d.steps.at(-1)!;
    assert.equal(step.kind, 'update');
    assert.equal(step.comment, `Trích yếu: ${SUBJECT} → ${CORRECTED}; Hạn trả lời: (không có) → 31/12/2026. Lý do: Bổ sung nội dung triển khai`);
    const audit = a.desk.db.prepare("SELECT details FROM audit_log WHERE action = 'outgoing.update' AND outcome = 'ok'").pluck().all() as string[];
    assert.equal(audit.length, 1);
    assert.deepEqual((JSON.parse(audit[0]!) as { fields: string[] }).fields, ['subject', 'replyDeadline']);
  });

  test('the outbox makes one sealed type-2 packet for B (the same bytes when made again); B adds the files to its copy with a notice and answers 15', async () => {
    const first = await a.desk.exchange.outbox.ready(a.clerk, a.key);
    assert.equal(first.packets.length, 1);
    const again = await a.desk.exchange.outbox.ready(a.clerk, a.key);
    assert.deepEqual(again.packets.map((p) => p.bytes.toString('base64')), first.packets.map((p) => p.bytes.toString('base64')));
    const p = first.packets[0]!;
    assert.equal(p.to, B);
    assert.deepEqual(readRouting(p.bytes).header.to, [B], 'sealed: only the routing header in clear');
    assert.equal(p.bytes.indexOf(Buffer.from('triển khai', 'utf8')), -1);
    const r = await carry(a, b);
    assert.equal(r[0]!.r.opened, 1);
    // What B received: the corrected metadata, type 2, the original's DocumentId.
    const rows = b.desk.db.prepare('SELECT business_type, document_id, header, state, original_id FROM c_mat.exchange_inbox ORDER BY id').all() as Array<{ business_type: number; document_id: string; header: string; state: string; original_id: number | null }>;
    const [orig, upd] = [rows.at(-2)!, rows.at(-1)!];
    assert.equal(upd.business_type, 2);
    assert.equal(upd.document_id, orig.document_id);
    assert.equal(upd.state, 'applied');
    const header = JSON.parse(upd.header) as { subject: string; dueDate: string | null; business: { docType: number; reason: string } };
    assert.equal(header.subject, CORRECTED);
    assert.equal(header.dueDate, '2026-12-31');
    assert.equal(header.business.docType, 2);
    const files = b.desk.incoming.get(b.clerk, incomingB).attachments.map((x) => x.name);
    assert.deepEqual(files, ['cong-van.pdf', '(Cập nhật) cong-van.pdf']);
    assert.match(b.desk.exchange.notice(b.clerk, incomingB)!.notice!, /đã cập nhật văn bản ngày .*Trích yếu: .* → Về việc tổ chức hội nghị quán triệt, triển khai nghị quyết.*Lý do: Bổ sung nội dung triển khai/);
    await carry(b, a);
    assert.deepEqual(statusesAtA(id).map((s) => s.code), ['01', '03', '15']);
    assert.equal((await a.desk.exchange.outbox.ready(a.clerk, a.key)).packets.length, 0, 'nothing made twice');
  });
});

describe('Lấy lại (status 13): an issued document taken back from an agency it was sent to by mistake', () => {
  let id: number;
  const SUBJECT = 'Về việc cử cán bộ tham gia đoàn kiểm tra';

  test('A sends it to B, B has not registered it; a drafter may not take it back, nor may anyone take back a draft', async () => {
    id = await issue('thuong', SUBJECT);
    await carry(a, b);
    assert.ok(b.desk.exchange.inbox.list(b.clerk, { state: 'waiting' }).some((x) => x.subject === SUBJECT));
    const dispatchId = a.desk.outgoing.get(a.clerk, id).dispatches[0]!.id;
    assert.equal((await refused(a.desk.outgoing.takeBack(drafter, { id, dispatchId, reason: 'Gửi nhầm nơi nhận' }))).code, 'FORBIDDEN');
    const draft = await a.desk.outgoing.create(drafter, outgoingCreateSchema.parse({
      typeCode: 'CV', subject: 'Dự thảo', secrecy: 'thuong', urgency: 'thuong', signerId: signer.id, approvers: [approver.id],
      recipients: [{ code: B, name: 'Ban Tổ chức Tỉnh ủy' }], stagedIds: [(await stageBytes(a.desk, drafter, await makeSamplePdf({ issuer: 'Tỉnh ủy', numberSymbol: '-CV/TU', title: 'CÔNG VĂN', subject: 'Dự thảo' }), 'du-thao.pdf')).stagedId], comment: '',
    }));
    assert.equal((await refused(a.desk.outgoing.takeBack(a.clerk, { id: draft.id, dispatchId, reason: 'Gửi nhầm nơi nhận' }))).key, 'outgoing.notIssued');
  });

  test('the văn thư takes it back: the dispatch is recalled, the document stays issued; the outbox makes a status 13 for B and no revocation', async () => {
    const dispatchId = a.desk.outgoing.get(a.clerk, id).dispatches[0]!.id;
    const d = await a.desk.outgoing.takeBack(a.clerk, { id, dispatchId, reason: 'Gửi nhầm nơi nhận, văn bản thuộc Ban Tuyên giáo' });
    assert.equal(d.status, 'issued');
    assert.equal(d.dispatches[0]!.status, 'recalled');
    assert.equal(d.dispatches[0]!.takenBack?.reason, 'Gửi nhầm nơi nhận, văn bản thuộc Ban Tuyên giáo');
    assert.equal(d.steps.at(-1)!.kind, 'take_back');
    assert.equal(d.steps.at(-1)!.comment, 'Ban Tổ chức Tỉnh ủy: Gửi nhầm nơi nhận, văn bản thuộc Ban Tuyên giáo');
    assert.equal((await refused(a.desk.outgoing.takeBack(a.clerk, { id, dispatchId, reason: 'Lần nữa' }))).key, 'outgoing.notSentTo');
    const { packets, problems } = await a.desk.exchange.outbox.ready(a.clerk, a.key);
    assert.deepEqual(problems, []);
    assert.equal(packets.length, 1, 'one status, no revocation packet');
    const read = await parseEdxml(packets[0]!.bytes);
    assert.equal(read.packet.kind, 'status');
    if (read.packet.kind !== 'status') return;
    assert.equal(read.packet.statusCode, '13');
    assert.equal(read.packet.responseFor?.organId, B, 'routed to B');
    assert.equal(read.packet.from.organId, A);
    assert.equal(read.packet.description, 'Gửi nhầm nơi nhận, văn bản thuộc Ban Tuyên giáo');
    const issued = a.desk.outgoing.get(a.clerk, id);
    assert.equal(read.packet.responseFor?.documentId, `${A},${issued.issuedDate!.replace(/-/g, '/')},${issued.numberSymbol}`);
  });

  test('B withdraws its arrival with a notice and answers 15; A records it on the dispatch', async () => {
    const r = await carry(a, b);
    assert.equal(r[0]!.r.statuses, 1);
    const row = b.desk.exchange.inbox.list(b.clerk, {}).find((x) => x.subject === SUBJECT)!;
    assert.equal(row.state, 'recalled');
    const detail = b.desk.exchange.inbox.get(b.clerk, row.id);
    assert.match(detail.notice ?? '', /Cơ quan gửi đã lấy lại văn bản ngày \d{2}\/\d{2}\/\d{4}: Gửi nhầm nơi nhận, văn bản thuộc Ban Tuyên giáo/);
    assert.ok(!b.desk.exchange.inbox.list(b.clerk, { state: 'waiting' }).some((x) => x.subject === SUBJECT), 'no longer waiting to be registered');
    await carry(b, a);
    assert.deepEqual(statusesAtA(id).map((s) => s.code), ['01', '15']);
    assert.equal((await a.desk.exchange.outbox.ready(a.clerk, a.key)).packets.length, 0);
  });
});

describe('Lấy lại with an update still waiting: the update never follows the 13', () => {
  let id: number;
  let late: { packetId: string; bytes: Buffer };
  const SUBJECT = 'Về việc chuẩn bị tài liệu hội nghị sơ kết';

  test('A sends it to B; A corrects it and the update packet is made but not handed over (the transport was down)', async () => {
    id = await issue('mat', SUBJECT);
    await carry(a, b);
    assert.ok(b.desk.exchange.inbox.list(b.clerk, { state: 'waiting' }).some((x) => x.subject === SUBJECT));
    await a.desk.outgoing.update(a.clerk, { id, reason: 'Sửa số lượng bản', issuedAmount: 3 });
    const { packets } = await a.desk.exchange.outbox.ready(a.clerk, a.key);
    assert.equal(packets.length, 1, 'the update, made and kept in the queue');
    late = packets[0]!;
  });

  test('taken back: the waiting update is withdrawn at once (the row stays, with the dispatch); the queue holds only the 13', async () => {
    const dispatchId = a.desk.outgoing.get(a.clerk, id).dispatches[0]!.id;
    await a.desk.outgoing.takeBack(a.clerk, { id, dispatchId, reason: 'Gửi nhầm nơi nhận' });
    const row = a.desk.db.prepare('SELECT handed_at, withdrawn_at, withdrawn_for FROM main.exchange_outbox WHERE packet_id = ?').get(late.packetId) as { handed_at: string | null; withdrawn_at: string | null; withdrawn_for: string | null };
    assert.equal(row.handed_at, null);
    assert.ok(row.withdrawn_at, 'withdrawn in the take-back\'s transaction');
    const dispatchGid = a.desk.db.prepare('SELECT global_id FROM c_mat.outgoing_dispatches WHERE id = ?').pluck().get(dispatchId) as string;
    assert.equal(row.withdrawn_for, dispatchGid);
    const audit = a.desk.db.prepare("SELECT details FROM audit_log WHERE action = 'exchange.withdrawn'").pluck().all() as string[];
    assert.deepEqual(JSON.parse(audit.at(-1)!), { dispatch: dispatchGid, packets: [late.packetId] });
    assert.equal(audit.at(-1)!.indexOf('Gửi nhầm'), -1, 'the reason stays in the compartment');
    const { packets } = await a.desk.exchange.outbox.ready(a.clerk, a.key);
    assert.equal(packets.length, 1);
    assert.notEqual(packets[0]!.packetId, late.packetId);
    assert.equal(a.desk.exchange.outbox.handedOver(a.clerk, [late.packetId]), 0, 'a withdrawn packet is never handed over');
    const r = await carry(a, b);
    assert.deepEqual(r.map((x) => x.r.statuses), [1], 'B gets the 13 and nothing else');
    const arrival = b.desk.exchange.inbox.list(b.clerk, {}).find((x) => x.subject === SUBJECT)!;
    assert.equal(arrival.state, 'recalled');
  });

  test('the same update arriving late anyway (sent by another workstation of A) is refused with 16; the withdrawn copy stays as it was', async () => {
    const arrival = b.desk.exchange.inbox.list(b.clerk, {}).find((x) => x.subject === SUBJECT)!;
    const filesBefore = b.desk.db.prepare('SELECT files FROM c_mat.exchange_inbox WHERE id = ?').pluck().get(arrival.id) as string;
    await b.desk.exchange.accept(b.clerk, { packetId: late.packetId, from: A, bytes: late.bytes, receivedAt: new Date().toISOString() }, b.keys);
    const row = b.desk.db.prepare('SELECT state, reason, original_id FROM c_mat.exchange_inbox WHERE packet_id = ?').get(late.packetId) as { state: string; reason: string; original_id: number };
    assert.equal(row.state, 'refused');
    assert.equal(row.original_id, arrival.id);
    assert.match(row.reason, /đã được cơ quan gửi lấy lại hoặc thu hồi/);
    assert.equal(b.desk.db.prepare('SELECT files FROM c_mat.exchange_inbox WHERE id = ?').pluck().get(arrival.id), filesBefore);
    assert.equal(b.desk.exchange.inbox.get(b.clerk, arrival.id).state, 'recalled');
    await carry(b, a);
    assert.deepEqual(statusesAtA(id).map((s) => s.code), ['01', '15', '16']);
  });
});
