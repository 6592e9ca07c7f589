// A recipient keys what it receives by (sender, packet id) (issue 9, docs/exchange.md "Packet ids are the
// sender's"), in process on real profiles and SoftHSM agency keys: R receives, A and C send. Packet ids
// leak (a status id derives from the document packet's id), so two agencies' packets under one id can
// reach R: both land, each as its sender's, each answered under its own status id, and a replay of
// either is still one packet. The sender is the one the transport proved (what accept() is handed), never
// what the packet's XML says. Attacks: a status, a take-back and an update from C under ids and
// DocumentIds of A's packets act on nothing of A's.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Role, Secrecy } from '../../common/domain';
import { outgoingCreateSchema } from '../../common/schemas';
import type { PrivateKeyOps } from '../../main/core/crypto';
import { Desk } from '../../main/core/desk';
import { buildDocumentPacket, parseEdxml, signPacket } from '../../main/core/exchange/edxml';
import { makeStatusPacket, owedStatusId } from '../../main/core/exchange/statusPackets';
import type { Actor } from '../../main/core/org/rights';
import { actorFor, getUser } from '../../main/core/org/users';
import { TokenService, type SignedInToken } from '../../main/core/session/tokens';
import { makeSamplePdf } from '../../main/devhost/samplePdf';
import { TokenBridge } from '../../native/bridge/client';
import { moduleId } from '../../native/modules/discovery';
import { createSoftHsm, type SoftHsm } from '../fixtures/softhsm/tokens';
import { stageBytes, tempDir } from '../helpers/desk';
import { addToken, type CustomToken } from '../helpers/hsmTokens';
import { documentInput } from '../helpers/network';
import { addPerson } from '../helpers/people';

const R = '000.00.12.H49';
const A = '000.00.01.H49';
const C = '000.00.33.H49';
const AGENCY_USAGE = 'critical,digitalSignature,nonRepudiation,keyEncipherment';

let hsm: SoftHsm;
let bridge: TokenBridge;
let tmp: { dir: string; cleanup(): void };
let desk: Desk;
let clerk: Actor;
let rKey: PrivateKeyOps;
let rKeys: readonly PrivateKeyOps[];
let keyA: PrivateKeyOps;
let keyC: PrivateKeyOps;
let people: { drafter: Actor; approver: Actor; signer: Actor; signerKey: PrivateKeyOps };

before(async () => {
  hsm = await createSoftHsm({ tokens: ['recovery'] });
  const key = (subject: string) => [{ id: '01', label: 'agency', algorithm: 'rsa:2048' as const, subject, keyUsage: AGENCY_USAGE, issuer: 'ca' as const }];
  const tokR: CustomToken = await addToken(hsm, 'AGENCY-R', '135791', key('/CN=Ban Tổ chức Tỉnh ủy/O=Ban Tổ chức/C=VN'));
  const tokA: CustomToken = await addToken(hsm, 'AGENCY-A', '246810', key('/CN=Văn phòng Tỉnh ủy Quảng Ninh/O=Văn phòng Tỉnh ủy/C=VN'));
  const tokC: CustomToken = await addToken(hsm, 'AGENCY-C', '112233', key('/CN=Ban Tuyên giáo Tỉnh ủy/O=Ban Tuyên giáo/C=VN'));
  bridge = new TokenBridge({ env: hsm.env });
  const tokens = new TokenService(bridge, async () => [hsm.modulePath]);
  const signIn = (t: CustomToken): Promise<SignedInToken> => tokens.signIn({ moduleId: moduleId(hsm.modulePath), serial: t.serial }, t.pin);
  const [signedR, signedA, signedC] = [await signIn(tokR), await signIn(tokA), await signIn(tokC)];
  keyA = signedA.signingKeys[0]!;
  keyC = signedC.signingKeys[0]!;
  tmp = tempDir('securedesk-sender-keys-');
  desk = await Desk.open({ profileDir: tmp.dir, trustAnchors: [hsm.ca.certDer] });
  const session = await desk.setup({
    unit: { name: 'Ban Tổ chức Tỉnh ủy', code: R, preset: 'party' },
    admin: { fullName: 'Phạm Thị Lan', position: 'Văn thư', role: 'van_thu', clearance: 'tuyet_mat' },
  }, signedR.identity);
  clerk = actorFor(session.user);
  rKey = desk.org.signingKey(clerk, signedR.signingKeys);
  rKeys = [...signedR.identity.unlockKeys, ...signedR.signingKeys];
  desk.exchange.setDirectory(clerk, [
    { code: R, name: 'Ban Tổ chức Tỉnh ủy', certificates: [tokR.certs['01']!] },
    { code: A, name: 'Văn phòng Tỉnh ủy Quảng Ninh', certificates: [tokA.certs['01']!] },
    { code: C, name: 'Ban Tuyên giáo Tỉnh ủy', certificates: [tokC.certs['01']!] },
  ]);
  const person = async (fullName: string, role: Role, position: string, clearance: Secrecy = 'tuyet_mat') => {
    const p = await addPerson(desk, { fullName, role, clearance, position });
    return { actor: actorFor(getUser(desk.db, p.id)!), key: p.identity.signingKeys[0]! };
  };
  const s = await person('Nguyễn Văn Ký', 'lanh_dao', 'Trưởng ban');
  people = {
    drafter: (await person('Trần Văn Soạn', 'chuyen_vien', 'Chuyên viên')).actor,
    approver: (await person('Lê Thị Duyệt', 'lanh_dao', 'Phó Trưởng ban')).actor,
    signer: s.actor, signerKey: s.key,
  };
});

after(async () => {
  desk?.close();
  tmp?.cleanup();
  await bridge?.close();
  await hsm?.cleanup();
});

/** A Thường document from `from` to R, signed with `key` (the sender's agency key unless a test forges). */
async function documentFrom(from: string, key: PrivateKeyOps, subject: string, business?: { docType: 0 | 1 | 2 | 3; documentId: string }): Promise<Buffer> {
  const input = documentInput(from, [R], subject);
  if (business) input.business = { documentId: business.documentId, docType: business.docType, reason: 'Cập nhật tệp', paper: 0, staff: [], documentInfo: null, replacements: [] };
  return signPacket(buildDocumentPacket(input).bytes, key);
}

/** What the transport hands R: `from` is the sender the agency server and the hub proved. */
const hand = (packetId: string, from: string, bytes: Buffer) =>
  desk.exchange.acceptMany(clerk, [{ packetId, from, bytes, receivedAt: new Date().toISOString() }], rKeys, () => {}, null);

const inbox = (packetId: string) =>
  desk.db.prepare('SELECT from_code, document_id, state FROM c_thuong.exchange_inbox WHERE packet_id = ? ORDER BY from_code').all(packetId) as Array<{ from_code: string; document_id: string; state: string }>;
const ledger = (packetId: string) =>
  desk.db.prepare('SELECT from_code, state, reason FROM main.exchange_inbound WHERE packet_id = ? ORDER BY from_code').all(packetId) as Array<{ from_code: string; state: string; reason: string | null }>;

const SHARED = 'shared-packet-id-0001';
const SUBJECT_A = 'Về việc tổng kết công tác năm';
const SUBJECT_C = 'Về việc tuyên truyền kỷ niệm ngày thành lập';

describe('two senders, one packet id', () => {
  test('A\'s and C\'s documents under one id both land, each as its sender\'s, each answered under its own status id', async () => {
    const fromA = await documentFrom(A, keyA, SUBJECT_A);
    const fromC = await documentFrom(C, keyC, SUBJECT_C);
    assert.equal((await hand(SHARED, A, fromA)).opened, 1);
    const second = await hand(SHARED, C, fromC);
    assert.equal(second.opened, 1, 'C\'s packet is not A\'s: it lands (before: taken for a replay of A\'s)');
    assert.deepEqual(inbox(SHARED).map((r) => [r.from_code, r.state]), [[A, 'waiting'], [C, 'waiting']]);
    assert.deepEqual(ledger(SHARED).map((r) => [r.from_code, r.state]), [[A, 'opened'], [C, 'opened']]);
    const listed = desk.exchange.inbox.list(clerk, {}).filter((r) => r.fromCode === A || r.fromCode === C);
    assert.deepEqual(listed.map((r) => [r.fromCode, r.subject]).sort(), [[A, SUBJECT_A], [C, SUBJECT_C]]);
    // The statuses 01 owed: one to each sender, under different ids (our own packet ids must not collide).
    const { packets } = await desk.exchange.outbox.ready(clerk, rKey);
    const owed = packets.map((p) => [p.to, p.packetId]).sort();
    assert.deepEqual(owed, [[A, owedStatusId(A, SHARED, '01')], [C, owedStatusId(C, SHARED, '01')]].sort());
    desk.exchange.outbox.handedOver(clerk, packets.map((p) => p.packetId));
  });

  test('the same sender again under that id is still one packet (both replays), nothing answered twice', async () => {
    const before = desk.db.prepare('SELECT count(*) FROM main.audit_log').pluck().get() as number;
    for (const [from, key, subject] of [[A, keyA, SUBJECT_A], [C, keyC, SUBJECT_C]] as const) {
      const r = await hand(SHARED, from, await documentFrom(from, key, subject));
      assert.deepEqual([r.opened, r.refused, r.duplicates], [0, 0, 0]);
    }
    assert.equal(inbox(SHARED).length, 2);
    assert.equal(desk.db.prepare('SELECT count(*) FROM main.audit_log').pluck().get(), before, 'nothing written for a replay');
    assert.equal((await desk.exchange.outbox.ready(clerk, rKey)).packets.length, 0);
  });

  test('the sender is the transport\'s: a packet whose XML names A, handed in as C\'s, is C\'s, and A\'s copy is untouched', async () => {
    // Bytes signed by A (a copy C obtained) relayed by C under the shared id: the key is (C, id), held by
    // C's own packet, so it is C's replay, not A's packet and not a new arrival.
    const r = await hand(SHARED, C, await documentFrom(A, keyA, SUBJECT_A));
    assert.deepEqual([r.opened, r.refused], [0, 0]);
    assert.deepEqual(inbox(SHARED).map((x) => [x.from_code, x.state]), [[A, 'waiting'], [C, 'waiting']]);
  });

  test('two unreadable packets under one id: each sender gets its own 02 with the reason; a replay answers nothing again', async () => {
    const id = 'shared-unreadable-0002';
    for (const from of [A, C]) {
      const r = await hand(id, from, Buffer.from(`<?xml version="1.0"?><edXML><broken from="${from}">`, 'utf8'));
      assert.equal(r.refused, 1, `${from}'s packet is refused as unreadable`);
    }
    assert.deepEqual(ledger(id).map((r) => [r.from_code, r.state]), [[A, 'refused'], [C, 'refused']]);
    assert.ok(ledger(id).every((r) => r.reason && !r.reason.startsWith('-')), 'refused before anything in it could be read');
    const { packets } = await desk.exchange.outbox.ready(clerk, rKey);
    const answers = packets.filter((p) => p.to === A || p.to === C).map((p) => [p.to, p.packetId]).sort();
    assert.deepEqual(answers, [[A, owedStatusId(A, id, '02')], [C, owedStatusId(C, id, '02')]].sort(), 'one answer each, under ids that do not collide (before: one "-02" between them)');
    for (const p of packets.filter((x) => x.to === A || x.to === C)) {
      const { packet } = await parseEdxml(p.bytes);
      assert.equal(packet.kind === 'status' && packet.statusCode, '02');
      assert.equal(packet.kind === 'status' && packet.responseFor?.documentId, id, 'it names the transport\'s packet id');
      assert.ok(packet.kind === 'status' && (packet.description ?? '').length > 0, 'with the reason');
    }
    desk.exchange.outbox.handedOver(clerk, packets.map((p) => p.packetId));
    for (const from of [A, C]) await hand(id, from, Buffer.from('<edXML>', 'utf8'));
    assert.equal((await desk.exchange.outbox.ready(clerk, rKey)).packets.length, 0, 'nothing answered twice');
  });

  test('an unreadable packet answered before the answer\'s id named the sender ("<id>-02") is not answered again', async () => {
    const id = 'legacy-unreadable-0003';
    assert.equal((await hand(id, A, Buffer.from('<edXML>', 'utf8'))).refused, 1);
    // As made by a workstation before this change: the answer under the old id, to A, already in the outbox.
    desk.db.prepare("INSERT INTO main.exchange_outbox (packet_id, kind, to_code, bytes, made_at) VALUES (?, 'status', ?, ?, ?)").run(`${id}-02`, A, Buffer.from('old answer'), new Date().toISOString());
    const { packets } = await desk.exchange.outbox.ready(clerk, rKey);
    assert.deepEqual(packets.filter((p) => p.packetId === owedStatusId(A, id, '02')), []);
    desk.exchange.outbox.handedOver(clerk, packets.map((p) => p.packetId));
  });
});

describe('attack: C acts on nothing of A\'s with A\'s ids', () => {
  test('a status from C under the id A owes on R\'s dispatch, naming that dispatch, is set aside; A\'s own status under that id is recorded', async () => {
    const { drafter, approver, signer, signerKey } = people;
    const main = await stageBytes(desk, drafter, await makeSamplePdf({ issuer: 'Tỉnh ủy Quảng Ninh', numberSymbol: '     -CV/BTCTU', title: 'CÔNG VĂN', subject: 'Về việc nhân sự' }), 'cong-van.pdf');
    const d = await desk.outgoing.create(drafter, outgoingCreateSchema.parse({
      typeCode: 'CV', subject: 'Về việc nhân sự', secrecy: 'thuong', urgency: 'thuong', signerId: signer.id, signerCompetence: 'T/M BAN THƯỜNG VỤ', approvers: [approver.id],
      recipients: [{ code: A, name: 'Văn phòng Tỉnh ủy Quảng Ninh' }], issuedAmount: 2, stagedIds: [main.stagedId], comment: '',
    }));
    await desk.outgoing.submit(drafter, { id: d.id, comment: '' });
    await desk.outgoing.approve(approver, { id: d.id, comment: 'Đồng ý' });
    await desk.outgoing.signAsSigner(signer, d.id, signerKey);
    await desk.outgoing.issue(clerk, d.id, rKey);
    const { packets } = await desk.exchange.outbox.ready(clerk, rKey);
    assert.equal(packets.length, 1);
    const doc = packets[0]!;
    desk.exchange.outbox.handedOver(clerk, packets.map((p) => p.packetId));
    const statusId = owedStatusId(R, doc.packetId, '01');
    const status = (self: { code: string; name: string }, key: PrivateKeyOps, code: '01' | '02' | '13', documentId: string) => makeStatusPacket({
      self, target: { senderCode: R, documentId, numberSymbol: null, promulgationDate: null }, code, description: code === '02' ? 'Không nhận' : null,
      at: new Date(), staff: null, key, sealFor: null, packetId: statusId,
    });
    const statuses = () => desk.exchange.dispatchStatuses(clerk, d.id).find((x) => x.code === A)!.statuses;
    // C (who learnt the document packet's id) reports "refused" on R's dispatch to A, by its global id.
    const fromC = await hand(statusId, C, await status({ code: C, name: 'Ban Tuyên giáo Tỉnh ủy' }, keyC, '02', doc.packetId));
    assert.equal(fromC.statuses, 1);
    assert.deepEqual(statuses(), [], 'nothing of C\'s reaches the dispatch to A (before: recorded as A\'s refusal)');
    assert.deepEqual(ledger(statusId), [{ from_code: C, state: 'refused', reason: '-UNKNOWN_DOCUMENT' }]);
    // A's genuine status under the same id is A's packet: recorded, once.
    assert.equal((await hand(statusId, A, await status({ code: A, name: 'Văn phòng Tỉnh ủy Quảng Ninh' }, keyA, '01', doc.packetId))).statuses, 1);
    assert.deepEqual(statuses().map((s) => s.code), ['01']);
    assert.deepEqual(ledger(statusId).map((x) => [x.from_code, x.state]), [[A, 'opened'], [C, 'refused']]);
    await hand(statusId, A, await status({ code: A, name: 'Văn phòng Tỉnh ủy Quảng Ninh' }, keyA, '01', doc.packetId));
    assert.equal(statuses().length, 1, 'A\'s replay is one status');
  });

  test('a take-back (13) and an update from C naming A\'s document leave R\'s copy from A as it was', async () => {
    const documentIdA = inbox(SHARED).find((r) => r.from_code === A)!.document_id;
    const takeBack = await makeStatusPacket({
      self: { code: C, name: 'Ban Tuyên giáo Tỉnh ủy' }, target: { senderCode: R, documentId: documentIdA, numberSymbol: null, promulgationDate: null }, code: '13',
      description: 'Lấy lại', at: new Date(), staff: null, key: keyC, sealFor: null, packetId: 'c-take-back-000000001',
    });
    const r13 = await hand('c-take-back-000000001', C, takeBack);
    assert.equal(r13.refused, 1, 'a 13 naming nothing of C\'s is set aside');
    const update = await documentFrom(C, keyC, SUBJECT_A, { docType: 2, documentId: documentIdA });
    const ru = await hand('c-update-00000000001', C, update);
    assert.equal(ru.refused, 1, 'an update naming nothing of C\'s is refused (16)');
    assert.deepEqual(inbox(SHARED).map((x) => [x.from_code, x.state]), [[A, 'waiting'], [C, 'waiting']], 'A\'s copy is neither recalled nor updated');
    const parsed = await parseEdxml(update);
    assert.equal(parsed.packet.kind, 'document');
  });
});
