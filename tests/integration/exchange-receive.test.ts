// Between two agencies, in process (issue 9 §3): two real profiles, each with its văn thư's SoftHSM
// token holding the agency's key (signing and decryption) issued by the test CA, and the packet bytes
// handed from one profile's outbound queue to the other's accept() as the transport would. A issues a
// Tối mật reply to B; B opens it with the key on its token, verifies, registers (secret register),
// directs, handles and finishes; A sees each status on the dispatch. Then the faults (a tampered
// packet, a packet for another agency, a replay, a bad signature: each refused with status 02 and its
// reason), recall, update and replacement on B's copy, and callers without the right or clearance.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Secrecy } from '../../common/domain';
import { DeskError } from '../../common/errors';
import { outgoingCreateSchema } from '../../common/schemas';
import type { PrivateKeyOps } from '../../main/core/crypto';
import { buildDocumentPacket, parseEdxml, readRouting, sealPacket, signPacket, openSealedPacket } from '../../main/core/exchange/edxml';
import type { EdxmlDocument } from '../../common/edxml';
import { documentInputFor } from '../../main/core/exchange/outgoingPacket';
import type { Actor } from '../../main/core/org/rights';
import { actorFor, getUser } from '../../main/core/org/users';
import { makeSamplePdf } from '../../main/devhost/samplePdf';
import { A, agencyPair, B, C, carry, type Agency } from '../helpers/agencyPair';
import { stageBytes } from '../helpers/desk';

let a: Agency;
let b: Agency;
// A's people
let drafter: Actor;
let approver: Actor;
let signer: Actor;
let signerKey: PrivateKeyOps;
// B's people
let leaderB: Actor;
let handlerB: Actor;
let lowClerkB: Actor;
let officerB: Actor;

const pair = agencyPair('securedesk-exchange-', async () => {
  ({ a, b } = pair);
  drafter = (await pair.person(a.desk, 'Trần Văn Soạn', 'chuyen_vien', 'tuyet_mat', 'Chuyên viên')).actor;
  approver = (await pair.person(a.desk, 'Lê Thị Duyệt', 'lanh_dao', 'tuyet_mat', 'Chánh Văn phòng')).actor;
  const s = await pair.person(a.desk, 'Nguyễn Văn Ký', 'lanh_dao', 'tuyet_mat', 'Phó Bí thư');
  signer = s.actor;
  signerKey = s.key;
  leaderB = (await pair.person(b.desk, 'Đỗ Minh Đức', 'lanh_dao', 'tuyet_mat', 'Trưởng ban')).actor;
  handlerB = (await pair.person(b.desk, 'Vũ Thị Mai', 'chuyen_vien', 'toi_mat', 'Chuyên viên')).actor;
  lowClerkB = (await pair.person(b.desk, 'Hoàng Văn Thấp', 'van_thu', 'mat', 'Văn thư')).actor;
  officerB = (await pair.person(b.desk, 'Bùi Văn Ngoài', 'chuyen_vien', 'tuyet_mat', 'Chuyên viên')).actor;
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

/** B's encryption certificate as the directory gives it: RSA-OAEP with SHA-1, which the token unwraps. */
const forB = () => [{ certificate: b.certificate, oaepHash: 'SHA-1' as const }];

const statusesAtA = (outgoingId: number, code = B) => a.desk.exchange.dispatchStatuses(a.clerk, outgoingId).find((d) => d.code === code)!.statuses;

let replyId: number;
let firstPacket: Buffer;
let inboxId: number;
let incomingId: number;

describe('a Tối mật reply from A to B', () => {
  test('A queues one sealed packet; making the queue again after a crash gives the same packet; B opens it with the key on its token', async () => {
    replyId = await issue('toi_mat', 'Về việc rà soát nhân sự diện Ban Thường vụ quản lý');
    const first = await a.desk.exchange.outbox.ready(a.clerk, a.key);
    assert.equal(first.packets.length, 1);
    const again = await a.desk.exchange.outbox.ready(a.clerk, a.key);
    assert.deepEqual(again.packets.map((p) => [p.packetId, p.bytes.toString('base64')]), first.packets.map((p) => [p.packetId, p.bytes.toString('base64')]), 'the same packet, byte for byte');
    const p = first.packets[0]!;
    firstPacket = p.bytes;
    assert.equal(p.to, B);
    assert.deepEqual(readRouting(p.bytes).header.to, [B]);
    assert.equal(p.bytes.indexOf(Buffer.from('nhân sự diện', 'utf8')), -1, 'nothing in clear');
    const r = await b.desk.exchange.accept(b.clerk, { packetId: p.packetId, from: A, bytes: p.bytes, receivedAt: new Date().toISOString() }, b.keys);
    assert.deepEqual({ opened: r.opened, refused: r.refused, fresh: r.fresh }, { opened: 1, refused: 0, fresh: true },
      JSON.stringify(b.desk.db.prepare('SELECT state, reason FROM main.exchange_inbound').all()) + JSON.stringify(b.desk.db.prepare('SELECT reason FROM c_toi_mat.exchange_inbox').all()));
    assert.equal(a.desk.exchange.outbox.handedOver(a.clerk, [p.packetId]), 1);
    assert.equal(a.desk.outgoing.get(a.clerk, replyId).dispatches[0]!.status, 'sent');
    // The dispatch leaving is a change event like any other, so the agency's other workstations learn it (the dispatch's global id is the packet id).
    const ev = a.desk.db.prepare("SELECT kind, data FROM c_toi_mat.events WHERE entity = 'outgoing_dispatches' AND entity_id = ? ORDER BY seq DESC LIMIT 1").get(p.packetId) as { kind: string; data: string };
    assert.deepEqual([ev.kind, (JSON.parse(ev.data) as { status: string }).status], ['update', 'sent']);
    assert.equal((await a.desk.exchange.outbox.ready(a.clerk, a.key)).packets.length, 0, 'handed over: the queue is empty');
    // The replayed packet (same id) is the same packet: nothing registered twice, no second status.
    const replay = await b.desk.exchange.accept(b.clerk, { packetId: p.packetId, from: A, bytes: p.bytes, receivedAt: new Date().toISOString() }, b.keys);
    assert.deepEqual({ opened: replay.opened, refused: replay.refused, duplicates: replay.duplicates, fresh: replay.fresh }, { opened: 0, refused: 0, duplicates: 0, fresh: false });
  });

  test('B sees it in Văn bản điện tử đến, in the Tối mật compartment only, every check passed, prefilled from the header', () => {
    const rows = b.desk.exchange.inbox.list(b.clerk, {});
    assert.equal(rows.length, 1);
    const row = rows[0]!;
    inboxId = row.id;
    assert.equal(row.secrecy, 'toi_mat');
    assert.equal(row.state, 'waiting');
    assert.equal(row.fromCode, A);
    assert.equal(row.signatureValid, true);
    assert.equal(b.desk.db.prepare('SELECT count(*) FROM c_toi_mat.exchange_inbox').pluck().get(), 1);
    for (const level of ['thuong', 'mat', 'tuyet_mat']) assert.equal(b.desk.db.prepare(`SELECT count(*) FROM c_${level}.exchange_inbox`).pluck().get(), 0);
    // The sealed bytes left the base once opened: only the ledger row (id, sender, state) stays.
    assert.equal(b.desk.db.prepare('SELECT bytes FROM main.exchange_inbound').pluck().get(), null);
    const d = b.desk.exchange.inbox.get(b.clerk, inboxId);
    assert.ok(d.checks.every((c) => c.ok), JSON.stringify(d.checks));
    assert.equal(d.sealed, true);
    assert.equal(d.signature.status, 'valid');
    assert.match(d.signature.signer!.commonName, /Văn phòng Tỉnh ủy/);
    const issued = a.desk.outgoing.get(a.clerk, replyId);
    assert.equal(d.prefill.numberSymbol, issued.numberSymbol);
    assert.equal(d.prefill.documentDate, issued.issuedDate);
    assert.equal(d.prefill.subject, 'Về việc rà soát nhân sự diện Ban Thường vụ quản lý');
    assert.equal(d.prefill.secrecy, 'toi_mat');
    assert.equal(d.prefill.urgency, 'khan');
    assert.equal(d.prefill.issuerName, 'Văn phòng Tỉnh ủy Quảng Ninh');
    assert.equal(d.files.length, 1);
    assert.equal(d.files[0]!.kind, 'pdf');
    const f = b.desk.exchange.inbox.fileOf(b.clerk, inboxId, 0);
    assert.equal(f.level, 'toi_mat');
    assert.equal(d.statuses.map((s) => s.code).join(','), '01');
  });

  test('B registers it in the secret register, directs, assigns, handles and finishes; A sees each status with its time', async () => {
    const before = b.desk.incoming.registers(b.clerk);
    const reg = await b.desk.exchange.inbox.register(b.clerk, { id: inboxId, notes: 'Nhận qua mạng' });
    incomingId = reg.incomingId;
    assert.equal(reg.arrivalNumber, 1);
    assert.match(reg.registerName, /mật/i, `a secret register: ${reg.registerName} of ${before.map((r) => r.name).join(', ')}`);
    const doc = b.desk.incoming.get(b.clerk, incomingId);
    const issued = a.desk.outgoing.get(a.clerk, replyId);
    assert.equal(doc.numberSymbol, issued.numberSymbol);
    assert.equal(doc.secrecy, 'toi_mat');
    assert.equal(doc.issuerName, 'Văn phòng Tỉnh ủy Quảng Ninh');
    assert.equal(doc.attachments.length, 1);
    // Again: told what was decided (the arrival number, who, when).
    await assert.rejects(b.desk.exchange.inbox.register(b.clerk, { id: inboxId }), (e: unknown) => e instanceof DeskError && e.key === 'exchange.alreadyRegistered' && /số đến 1,/.test(e.message));
    // The statuses so far (01, 03) reach A, sealed for A like the Tối mật document they speak of.
    const sent = await carry(b, a, (p) => {
      assert.equal(p.bytes.subarray(0, 25).toString('latin1'), 'SECUREDESK-EDXML-SEALED/1');
      assert.equal(p.bytes.indexOf(Buffer.from(issued.numberSymbol!, 'utf8')), -1, 'the number is not in clear');
      return true;
    });
    assert.equal(sent.length, 2);
    assert.deepEqual(statusesAtA(replyId).map((s) => s.code), ['01', '03']);
    await b.desk.processing.submit(b.clerk, { incomingId, leaderId: leaderB.id });
    const directed = await b.desk.processing.direct(leaderB, { incomingId, text: 'Giao đồng chí Mai nghiên cứu, tham mưu trả lời', lead: { userId: handlerB.id } });
    const task = directed.tasks.find((t) => t.role === 'lead')!;
    await carry(b, a);
    await b.desk.processing.progress(handlerB, { taskId: task.id, percent: 50, note: 'Đang tổng hợp danh sách' });
    await carry(b, a);
    await b.desk.processing.complete(handlerB, { taskId: task.id, note: 'Đã tham mưu văn bản trả lời' });
    await carry(b, a);
    const seen = statusesAtA(replyId);
    assert.deepEqual(seen.map((s) => s.code), ['01', '03', '04', '05', '06']);
    assert.deepEqual(seen.map((s) => s.label), ['Đã đến', 'Đã tiếp nhận', 'Phân công xử lý', 'Đang xử lý', 'Hoàn thành']);
    assert.ok(seen.every((s) => s.at && /\+07:00$/.test(s.at)), 'each with its time');
    assert.equal(a.desk.exchange.dispatchStatuses(a.clerk, replyId)[0]!.latest!.code, '06');
    // The Sổ đăng ký BMNN đi says it too, in the row's notes.
    const book = a.desk.outgoing.registerTable(a.clerk, { kind: 'secret_outgoing', format: 'table', from: issued.issuedDate!, to: issued.issuedDate! });
    const row = book.rows.find((r) => r.includes(issued.numberSymbol!))!;
    assert.match(row.at(-1)!, /Ban Tổ chức Tỉnh ủy: hoàn thành ngày \d{2}\/\d{2}\/\d{4}/);
    // Everything was handed over: B's queue is empty.
    assert.equal((await b.desk.exchange.outbox.ready(b.clerk, b.key)).packets.length, 0);
  });
});

describe('faults: each refused with status 02 and its reason', () => {
  test('a tampered packet cannot be opened: refused, and A hears why', async () => {
    const id = await issue('mat', 'Về việc bảo đảm an toàn thông tin dịp cuối năm');
    await carry(a, b, (p) => {
      // The transport flips one byte of the ciphertext on the way.
      const i = p.bytes.length - 40;
      p.bytes[i] = p.bytes[i]! ^ 0x01;
      return true;
    });
    await carry(b, a);
    const s = statusesAtA(id);
    assert.equal(s.length, 1);
    assert.equal(s[0]!.code, '02');
    assert.match(s[0]!.description!, /Không giải mã được gói tin/);
    assert.equal(b.desk.exchange.inbox.list(b.clerk, {}).filter((r) => r.state === 'waiting').length, 0, 'nothing reached the văn thư');
  });

  test('a packet for another agency is refused (status 02, which agency it was for)', async () => {
    const id = await issue('thuong', 'Về việc chuẩn bị hội nghị sơ kết', [C]);
    const { packets } = await a.desk.exchange.outbox.ready(a.clerk, a.key);
    const forC = packets.find((p) => p.to === C)!;
    const r = await b.desk.exchange.accept(b.clerk, { packetId: forC.packetId, from: A, bytes: forC.bytes, receivedAt: new Date().toISOString() }, b.keys);
    assert.equal(r.refused, 1);
    a.desk.exchange.outbox.handedOver(a.clerk, [forC.packetId]);
    const answer = (await b.desk.exchange.outbox.ready(b.clerk, b.key)).packets;
    assert.equal(answer.length, 1);
    const status = (await parseEdxml(answer[0]!.bytes)).packet;
    assert.equal(status.kind, 'status');
    assert.equal(status.kind === 'status' && status.statusCode, '02');
    assert.match(status.kind === 'status' ? status.description ?? '' : '', /không gửi cho cơ quan này/);
    const back = await carry(b, a);
    // B's refusal names A's packet for C, but B is not that dispatch's recipient: a status acts only on a
    // dispatch to the agency that sent it (attack: B would otherwise mark A's copy to C refused).
    assert.equal(back.length, 1);
    assert.deepEqual(a.desk.db.prepare('SELECT from_code, state, reason FROM main.exchange_inbound WHERE packet_id = ?').all(back[0]!.packetId), [{ from_code: B, state: 'refused', reason: '-UNKNOWN_DOCUMENT' }]);
    assert.equal(statusesAtA(id, C).length, 0, "nothing of B's reaches A's dispatch to C");
  });

  test('a replayed document under a new packet id is recognised as already received, not registered twice', async () => {
    // An attacker who got A's signed packet out of B re-seals it (B's certificate is public) under a fresh id.
    const inner = (await openSealedPacket(firstPacket, b.token.identity.unlockKeys[0]!)).packet;
    const resealed = await sealPacket(inner, { from: A, to: [B], packetId: 'replay-0000000000000001', recipients: forB() });
    const r = await b.desk.exchange.accept(b.clerk, { packetId: 'replay-0000000000000001', from: A, bytes: resealed, receivedAt: new Date().toISOString() }, b.keys);
    assert.equal(r.duplicates, 1);
    assert.equal(b.desk.exchange.inbox.list(b.clerk, {}).filter((x) => x.incomingId !== null).length, 1, 'registered once');
    const refused = b.desk.exchange.inbox.list(b.clerk, { state: 'refused' }).find((x) => x.reason?.includes('đã được nhận trước đây'));
    assert.ok(refused, 'the refusal is recorded with its reason');
    const before = statusesAtA(replyId).length;
    await carry(b, a);
    const after = statusesAtA(replyId);
    assert.equal(after.length, before + 1);
    assert.equal(after.at(-1)!.code, '02');
    assert.match(after.at(-1)!.description!, /đã được nhận trước đây/);
  });

  test('a bad signature: a packet signed by another agency\'s key in A\'s name is refused', async () => {
    const doc = {
      numberSymbol: '99-CV/TU', issuedDate: new Date().toISOString().slice(0, 10), typeCode: 'CV', subject: 'Văn bản giả danh', secrecy: 'mat' as const, urgency: 'thuong' as const,
      signerCompetence: '', signerPosition: '', signerName: 'Người giả', issuedAmount: 1, pageCount: null, replyDeadline: null, recipients: ['Ban Tổ chức'],
      files: [{ name: 'gia.pdf', role: 'main' as const, bytes: await makeSamplePdf({ issuer: 'X', numberSymbol: '99-CV/TU', title: 'CÔNG VĂN', subject: 'Giả' }) }], business: { type: 0 as const },
    };
    const built = buildDocumentPacket(documentInputFor(doc, { from: { code: A, name: 'Văn phòng Tỉnh ủy Quảng Ninh', place: '' }, to: { code: B, name: 'Ban Tổ chức' }, at: '2026-11-02T09:00:00+07:00' }));
    // C's key: trusted by the CA, but not A's.
    const forged = await signPacket(built.bytes, pair.c.signingKeys[0]!);
    const sealed = await sealPacket(forged, { from: A, to: [B], packetId: 'forged-000000000000001', recipients: forB() });
    const r = await b.desk.exchange.accept(b.clerk, { packetId: 'forged-000000000000001', from: A, bytes: sealed, receivedAt: new Date().toISOString() }, b.keys);
    assert.equal(r.refused, 1);
    const row = b.desk.exchange.inbox.list(b.clerk, { state: 'refused' }).find((x) => x.numberSymbol === '99-CV/TU')!;
    assert.match(row.reason!, /Chữ ký số không phải của Văn phòng Tỉnh ủy Quảng Ninh/);
    const answer = (await b.desk.exchange.outbox.ready(b.clerk, b.key)).packets.filter((p) => p.to === A);
    const opened = await Promise.all(answer.map(async (p) => (await parseEdxml((await openSealedPacket(p.bytes, a.token.identity.unlockKeys[0]!)).packet)).packet));
    assert.ok(opened.some((s) => s.kind === 'status' && s.statusCode === '02' && /Chữ ký số không phải/.test(s.description ?? '')));
    b.desk.exchange.outbox.handedOver(b.clerk, answer.map((p) => p.packetId));
    // Changed after signing (a byte of the subject in a Thường packet): the signature no longer verifies.
    const honest = await signPacket(buildDocumentPacket(documentInputFor({ ...doc, secrecy: 'thuong', numberSymbol: '98-CV/TU' }, { from: { code: A, name: 'Văn phòng Tỉnh ủy Quảng Ninh', place: '' }, to: { code: B, name: 'Ban Tổ chức' }, at: '2026-11-02T09:00:00+07:00' })).bytes, a.key);
    const changed = Buffer.from(honest.toString('utf8').replace('Văn bản giả danh', 'Văn bản giả mạo'), 'utf8');
    const r2 = await b.desk.exchange.accept(b.clerk, { packetId: 'changed-00000000000001', from: A, bytes: changed, receivedAt: new Date().toISOString() }, b.keys);
    assert.equal(r2.refused, 1);
    assert.match(b.desk.exchange.inbox.list(b.clerk, { state: 'refused' }).find((x) => x.numberSymbol === '98-CV/TU')!.reason!, /đã bị thay đổi sau khi ký/);
  });
});

describe('recall, update and replacement act on B\'s copy and keep the record', () => {
  test('recall: the copy is marked recalled, its open tasks withdrawn, a notice shown; answered 15', async () => {
    const id = await issue('mat', 'Về việc điều động cán bộ');
    await carry(a, b);
    const row = b.desk.exchange.inbox.list(b.clerk, { state: 'waiting' }).find((x) => x.subject === 'Về việc điều động cán bộ')!;
    const reg = await b.desk.exchange.inbox.register(b.clerk, { id: row.id });
    await b.desk.processing.submit(b.clerk, { incomingId: reg.incomingId, leaderId: leaderB.id });
    assert.ok(b.desk.processing.inbox(leaderB, { box: 'opinion' }).some((t) => t.incomingId === reg.incomingId), 'in the leader\'s list before the recall');
    await a.desk.outgoing.recall(a.clerk, { id, reason: 'Ban hành nhầm đối tượng' });
    await carry(a, b);
    assert.ok(!b.desk.processing.inbox(leaderB, { box: 'opinion' }).some((t) => t.incomingId === reg.incomingId), 'withdrawn from the leader\'s list');
    const notice = b.desk.exchange.notice(b.clerk, reg.incomingId)!;
    assert.equal(notice.state, 'recalled');
    assert.match(notice.notice!, /đã thu hồi văn bản ngày \d{2}\/\d{2}\/\d{4}: Ban hành nhầm đối tượng/);
    assert.equal(b.desk.incoming.get(b.clerk, reg.incomingId).id, reg.incomingId, 'the record is kept');
    // Someone outside the document's distribution learns nothing of it, not even the notice.
    assert.throws(() => b.desk.exchange.notice(officerB, reg.incomingId), (e: unknown) => e instanceof DeskError && e.code === 'NOT_FOUND');
    await carry(b, a);
    assert.equal(statusesAtA(id).at(-1)!.code, '15');
  });

  test('update: the new file joins the registered copy with a note; answered 15', async () => {
    const id = await issue('thuong', 'Về việc tổ chức lớp bồi dưỡng');
    await carry(a, b);
    const row = b.desk.exchange.inbox.list(b.clerk, { state: 'waiting' }).find((x) => x.subject === 'Về việc tổ chức lớp bồi dưỡng')!;
    const reg = await b.desk.exchange.inbox.register(b.clerk, { id: row.id });
    const issued = a.desk.outgoing.get(a.clerk, id);
    const upd = {
      numberSymbol: issued.numberSymbol!, issuedDate: issued.issuedDate!, typeCode: 'CV', subject: issued.subject, secrecy: 'thuong' as const, urgency: 'khan' as const,
      signerCompetence: '', signerPosition: '', signerName: issued.signerName, issuedAmount: 2, pageCount: null, replyDeadline: null, recipients: [],
      files: [{ name: 'phu-luc-sua.pdf', role: 'appendix' as const, bytes: await makeSamplePdf({ issuer: 'Tỉnh ủy', numberSymbol: issued.numberSymbol!, title: 'PHỤ LỤC', subject: 'Danh sách học viên (sửa)' }) }],
      business: { type: 2 as const, reason: 'Bổ sung danh sách học viên' },
    };
    const packet = await signPacket(buildDocumentPacket(documentInputFor(upd, { from: { code: A, name: 'Văn phòng Tỉnh ủy Quảng Ninh', place: '' }, to: { code: B, name: 'Ban Tổ chức' }, at: '2026-11-03T08:00:00+07:00' })).bytes, a.key);
    const r = await b.desk.exchange.accept(b.clerk, { packetId: 'update-00000000000000001', from: A, bytes: packet, receivedAt: new Date().toISOString() }, b.keys);
    assert.equal(r.opened, 1);
    const files = b.desk.incoming.get(b.clerk, reg.incomingId).attachments.map((x) => x.name);
    assert.deepEqual(files, ['cong-van.pdf', '(Cập nhật) phu-luc-sua.pdf']);
    assert.match(b.desk.exchange.notice(b.clerk, reg.incomingId)!.notice!, /đã cập nhật văn bản ngày .*Bổ sung danh sách học viên/);
    await carry(b, a);
    assert.equal(statusesAtA(id).at(-1)!.code, '15');
  });

  test('replacement: the new document waits to be registered, the old copy notes it; answered 15; registering it ends the old copy\'s open tasks', async () => {
    const oldId = await issue('thuong', 'Về việc phân công nhiệm vụ (bản cũ)');
    await carry(a, b);
    const oldRow = b.desk.exchange.inbox.list(b.clerk, { state: 'waiting' }).find((x) => x.subject === 'Về việc phân công nhiệm vụ (bản cũ)')!;
    const oldReg = await b.desk.exchange.inbox.register(b.clerk, { id: oldRow.id });
    await b.desk.processing.submit(b.clerk, { incomingId: oldReg.incomingId, leaderId: leaderB.id });
    const inLeadersList = () => b.desk.processing.inbox(leaderB, { box: 'opinion' }).some((t) => t.incomingId === oldReg.incomingId);
    assert.ok(inLeadersList(), 'the old copy is with the leader');
    const newId = await issue('thuong', 'Về việc phân công nhiệm vụ (bản thay thế)', [B], oldId);
    await carry(a, b);
    const newRow = b.desk.exchange.inbox.list(b.clerk, { state: 'waiting' }).find((x) => x.subject === 'Về việc phân công nhiệm vụ (bản thay thế)')!;
    assert.equal(newRow.businessType, 3);
    const detail = b.desk.exchange.inbox.get(b.clerk, newRow.id);
    assert.equal(detail.original?.id, oldRow.id);
    assert.match(b.desk.exchange.inbox.get(b.clerk, oldRow.id).notice!, /Đã được thay thế bằng văn bản số/);
    assert.ok(inLeadersList(), 'landing alone ends nothing: the replacement is not registered yet');
    await carry(b, a);
    assert.equal(statusesAtA(newId).at(-1)!.code, '15');
    // Registered: the work moves to the new record; the old copy's task ends and its notice says so.
    const newReg = await b.desk.exchange.inbox.register(b.clerk, { id: newRow.id });
    assert.ok(!inLeadersList(), 'the old copy is off the leader\'s list');
    assert.equal(b.desk.db.prepare("SELECT count(*) FROM c_thuong.processing_tasks WHERE incoming_id = ? AND state = 'open'").pluck().get(oldReg.incomingId), 0);
    assert.match(b.desk.exchange.notice(b.clerk, oldReg.incomingId)!.notice!,
      new RegExp(`Văn bản thay thế đã được vào sổ ngày \\d{2}/\\d{2}/\\d{4} \\(số đến ${newReg.arrivalNumber}\\); 1 việc đang xử lý văn bản này đã kết thúc`));
    assert.equal(b.desk.incoming.get(b.clerk, oldReg.incomingId).id, oldReg.incomingId, 'the old record is kept');
    const audit = JSON.parse(b.desk.db.prepare("SELECT details FROM main.audit_log WHERE action = 'exchange.register' AND entity_id = ?").pluck().get(newRow.id) as string) as { replaces: number; tasksClosed: number };
    assert.deepEqual([audit.replaces, audit.tasksClosed], [oldRow.id, 1]);
  });
});

describe('the new calls check right, clearance and compartment in the core', () => {
  test('no right, low clearance, refusing without a reason', async () => {
    const id = await issue('toi_mat', 'Về việc kiểm tra công tác bảo mật');
    await carry(a, b);
    const row = b.desk.exchange.inbox.list(b.clerk, { state: 'waiting' }).find((x) => x.subject === 'Về việc kiểm tra công tác bảo mật')!;
    const forbidden = (e: unknown) => e instanceof DeskError && e.code === 'FORBIDDEN';
    const notFound = (e: unknown) => e instanceof DeskError && e.code === 'NOT_FOUND';
    assert.throws(() => b.desk.exchange.inbox.list(officerB, {}), forbidden);
    assert.throws(() => b.desk.exchange.inbox.get(officerB, row.id), forbidden);
    await assert.rejects(b.desk.exchange.inbox.register(officerB, { id: row.id }), forbidden);
    await assert.rejects(b.desk.exchange.inbox.openPending(officerB, b.keys), forbidden);
    await assert.rejects(b.desk.exchange.outbox.ready(officerB, b.key), forbidden);
    // A văn thư cleared for Mật only does not see a Tối mật arrival, nor its file.
    assert.ok(!b.desk.exchange.inbox.list(lowClerkB, {}).some((x) => x.id === row.id));
    assert.throws(() => b.desk.exchange.inbox.get(lowClerkB, row.id), notFound);
    assert.throws(() => b.desk.exchange.inbox.fileOf(lowClerkB, row.id, 0), notFound);
    await assert.rejects(b.desk.exchange.inbox.register(lowClerkB, { id: row.id }), notFound);
    await assert.rejects(b.desk.exchange.inbox.refuse(lowClerkB, { id: row.id, reason: 'Không thuộc thẩm quyền' }), notFound);
    // A dispatch's statuses need the outgoing document's need-to-know and level.
    assert.throws(() => a.desk.exchange.dispatchStatuses(actorFor(getUser(a.desk.db, drafter.id)!), 999999), notFound);
    // The refusal by the văn thư: status 02 with the reason.
    await b.desk.exchange.inbox.refuse(b.clerk, { id: row.id, reason: 'Văn bản không thuộc thẩm quyền giải quyết của Ban' });
    await carry(b, a);
    const s = statusesAtA(id);
    assert.deepEqual(s.map((x) => x.code), ['01', '02']);
    assert.equal(s[1]!.description, 'Văn bản không thuộc thẩm quyền giải quyết của Ban');
    await assert.rejects(b.desk.exchange.inbox.register(b.clerk, { id: row.id }), (e: unknown) => e instanceof DeskError && e.key === 'exchange.alreadyRefused' && /không thuộc thẩm quyền/.test(e.message));
  });
});

void (null as unknown as EdxmlDocument);
