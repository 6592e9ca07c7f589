// A permanent refusal reaches the sender (issue 9, docs/exchange.md "When a packet is refused"), over the
// real network: hub, A's agency server (PostgreSQL), B's (SQLite), a profile per agency. A's server took
// the packets (the workstation marked them sent); the hub then refused them: a recipient its directory
// does not know (A's server's copy of the directory still lists it), and a packet above the hub's size
// limit. The refusals come back on A's server's refusal feed and A's dispatch shows "Bị từ chối: …" on the
// document, in the outgoing register and in the sync panel; once, however many rounds or replays. The
// attacks: A submits bytes under the id of one of B's packets, before B (the id of a status is
// predictable) or after it; B's packet reaches A once, as B's, and nothing of B's is refused.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { PDFDocument } from 'pdf-lib';
import { outgoingCreateSchema } from '../../../common/schemas';
import { REFUSALS_CURSOR, PacketClient } from '../../../main/core/sync/packets/PacketClient';
import type { Directory } from '../../../main/core/sync/packets/protocol';
import { syncPanel } from '../../../main/core/sync/panel';
import { owedStatusId } from '../../../main/core/exchange/statusPackets';
import { attemptPacketId } from '../../../main/core/outgoing/resends';
import { todayIso } from '../../../common/dates';
import { makeSamplePdf } from '../../../main/devhost/samplePdf';
import { DIRECTORY_KEY } from '../../../server/hubLink';
import { stageBytes } from '../../helpers/desk';
import { CODES, documentInput, waitFor } from '../../helpers/network';
import { buildDocumentPacket, signPacket } from '../../../main/core/exchange/edxml';
import { round, roundsUntil, startExchangeNetwork, type Agency, type ExchangeNetwork } from './exchangeNetwork';

const HUB_MAX = 256 << 10;
const GONE = { code: CODES.unknown, name: 'Sở Văn hóa và Thể thao (đã sáp nhập)' };

let net: ExchangeNetwork;
let a: Agency;
let b: Agency;

before(async () => {
  net = await startExchangeNetwork({ hubLimits: { maxPacketBytes: HUB_MAX } });
  ({ a, b } = net);
});

after(() => net?.close());

/** A Thường document issued by A's văn thư to `recipients`; `appendix` adds a PDF of about that many bytes. */
async function issue(subject: string, recipients: Array<{ code: string; name: string }>, appendix = 0): Promise<number> {
  const { drafter, approver, signer, signerKey } = net;
  const staged = [await stageBytes(a.desk, drafter, await makeSamplePdf({ issuer: 'Tỉnh ủy Quảng Ninh', numberSymbol: '     -CV/TU', title: 'CÔNG VĂN', subject }), 'cong-van.pdf')];
  if (appendix) {
    const pdf = await PDFDocument.create();
    pdf.addPage([595, 842]);
    await pdf.attach(randomBytes(appendix), 'so-lieu.bin', { mimeType: 'application/octet-stream' });
    staged.push(await stageBytes(a.desk, drafter, await pdf.save({ useObjectStreams: false }), 'phu-luc.pdf'));
  }
  const d = await a.desk.outgoing.create(drafter, outgoingCreateSchema.parse({
    typeCode: 'CV', subject, secrecy: 'thuong', urgency: 'thuong', signerId: signer.id, signerCompetence: 'T/M BAN THƯỜNG VỤ', approvers: [approver.id],
    recipients, issuedAmount: 2, stagedIds: staged.map((s) => s.stagedId), comment: '',
  }));
  await a.desk.outgoing.submit(drafter, { id: d.id, comment: '' });
  await a.desk.outgoing.approve(approver, { id: d.id, comment: 'Đồng ý' });
  await a.desk.outgoing.signAsSigner(signer, d.id, signerKey);
  await a.desk.outgoing.issue(a.clerk, d.id, a.key);
  return d.id;
}

const refusalsOn = (outgoingId: number) =>
  a.desk.db.prepare("SELECT count(*) FROM c_thuong.exchange_status_in WHERE outgoing_id = ? AND code = 'refused'").pluck().get(outgoingId) as number;
const audits = () => a.desk.db.prepare("SELECT count(*) FROM main.audit_log WHERE action = 'exchange.refusedOnTheWay'").pluck().get() as number;
const panel = (x: Agency) => syncPanel(x.desk.db, ['thuong'], { service: null, server: null, running: false }, x.clerk);
/** Today in Vietnam: the register's dates are Vietnam dates (after 17:00 UTC it is already tomorrow there). */
const today = () => todayIso();

let first: number;

describe('a packet refused by the hub after the agency server took it', () => {
  test('a recipient the hub does not know: the dispatch shows "Bị từ chối" with the reason, the other recipient\'s is sent', async () => {
    // A's server still lists an agency the hub has since dropped (its copy of the directory is older).
    await waitFor('A\'s server has the directory', async () => (await net.serverA.packets.getState(DIRECTORY_KEY)) !== null, 30_000, 50);
    const dir = JSON.parse((await net.serverA.packets.getState(DIRECTORY_KEY))!) as Directory;
    dir.agencies.push({ ...dir.agencies.find((x) => x.code === CODES.B)!, code: GONE.code, name: GONE.name, aliases: [] });
    await net.serverA.packets.setState(DIRECTORY_KEY, JSON.stringify(dir));
    first = await issue('Về việc tổng kết công tác năm 2026', [{ code: CODES.B, name: 'Ban Tổ chức Tỉnh ủy' }, GONE]);
    const r = await round(a);
    assert.deepEqual([r.queued, r.sent, r.problems.length], [2, 2, 0], 'A\'s server took both packets (the workstation marked them sent)');
    // The hub answers on A's server's own time: this round or a later one brings the refusal back.
    const rounds = [r, ...(r.refusedOnTheWay ? [] : await roundsUntil(a, 'the refusal noted on A', (rs) => rs.some((x) => x.refusedOnTheWay > 0)))];
    assert.equal(rounds.reduce((n, x) => n + x.refusedOnTheWay, 0), 1);
    const [toB, toGone] = a.desk.outgoing.get(a.clerk, first).dispatches;
    assert.equal(toB!.refused, null, 'B\'s dispatch is not touched');
    assert.equal(toGone!.code, GONE.code);
    assert.match(toGone!.refused!.reason, /^mã định danh của cơ quan nhận không có trong danh bạ của trục liên thông$/);
    const statuses = a.desk.exchange.dispatchStatuses(a.clerk, first);
    assert.equal(statuses[1]!.latest!.label, 'Bị từ chối');
    assert.deepEqual(statuses[0]!.statuses.filter((s) => s.code === 'refused'), []);
    // The outgoing register's Ghi chú and the sync panel say it too.
    const table = a.desk.outgoing.registerTable(a.clerk, { kind: 'outgoing', format: 'table', from: `${today().slice(0, 4)}-01-01`, to: today() });
    assert.ok(table.rows.some((row) => row.some((cell) => String(cell).includes(`${GONE.name}: bị từ chối (mã định danh của cơ quan nhận`))), 'the register notes it');
    const p = panel(a).packetRefusals;
    assert.equal(p.length, 1);
    assert.equal(p[0]!.to, GONE.code);
    assert.match(p[0]!.reason, /mã định danh/);
    // B got its copy.
    await roundsUntil(b, 'the document at B', (rs) => rs.some((x) => x.opened > 0));
  });

  test('exactly once: more rounds, a replayed feed and a refusal noted again after a crash add nothing', async () => {
    await round(a);
    await round(a);
    assert.equal(refusalsOn(first), 1);
    assert.equal(audits(), 1);
    // As after a kill -9 between reading the feed and noting it, and before the cursor moved.
    a.desk.db.prepare("UPDATE main.sync_state SET value = '0' WHERE key = ?").run(REFUSALS_CURSOR);
    a.desk.db.prepare("UPDATE main.packet_outbox SET refusal_noted_at = NULL WHERE state = 'refused'").run();
    const r = await round(a);
    assert.equal(refusalsOn(first), 1, 'still one record on the dispatch');
    assert.equal(r.refusedOnTheWay, 1, 'the transport row was noted again');
    assert.equal(audits(), 2);
    const atServer = await net.serverA.packets.refusals(0, 10);
    assert.equal(atServer.rows.length, 1, 'A\'s server numbered the refusal once');
    assert.equal(atServer.rows[0]!.code, 'unknown-recipient');
  });

  test('a packet above the hub\'s size limit: refused as too large, shown on the dispatch', async () => {
    const id = await issue('Về việc gửi số liệu thống kê năm 2026', [{ code: CODES.B, name: 'Ban Tổ chức Tỉnh ủy' }], HUB_MAX + (64 << 10));
    const r = await round(a);
    assert.deepEqual([r.queued, r.sent], [1, 1]);
    if (!r.refusedOnTheWay) await roundsUntil(a, 'the size refusal noted', (rs) => rs.some((x) => x.refusedOnTheWay > 0));
    const d = a.desk.outgoing.get(a.clerk, id).dispatches[0]!;
    assert.match(d.refused!.reason, /vượt quá dung lượng/);
    assert.equal(refusalsOn(id), 1);
    assert.equal(panel(a).packetRefusals.length, 2);
  });
});

describe('attack: A cannot take B\'s packet ids (ids are each sender\'s, server migration 0012)', () => {
  const hubCopies = async (packetId: string) => (await net.hub.store.db.selectFrom('hub_packets').select(['from_code', 'sha256']).where('packet_id', '=', packetId).orderBy('from_code').execute())
    .map((r) => r.from_code);
  const forgerOf = () => new PacketClient({ db: a.desk.db, server: a.server, backoff: { baseMs: 20, capMs: 200 } });
  /** A document packet of A's to B (clear: a Thường document, signed with A's agency key), sent under another id. */
  const aDocumentToB = () => signPacket(buildDocumentPacket(documentInput(CODES.A, [CODES.B], 'Về việc chuẩn bị hội nghị sơ kết quý IV')).bytes, a.key);

  test('A submits bytes under the id of B\'s status packet before B does: B\'s status reaches A once, as B\'s; A\'s copy is A\'s own; nothing of B\'s is refused', async () => {
    const id = await issue('Về việc chuẩn bị hội nghị sơ kết quý IV', [{ code: CODES.B, name: 'Ban Tổ chức Tỉnh ủy' }]);
    const r = await round(a);
    assert.equal(r.sent, 1);
    // The status 01 B will owe has a predictable id: derived from the document packet's id (the dispatch's global id) and its sender.
    const docPacketId = a.desk.db.prepare("SELECT packet_id FROM main.exchange_outbox WHERE kind = 'document' AND to_code = ? ORDER BY made_at DESC LIMIT 1").pluck().get(CODES.B) as string;
    const statusId = owedStatusId(CODES.A, docPacketId, '01');
    const forger = forgerOf();
    forger.send({ packetId: statusId, bytes: await aDocumentToB() });
    assert.equal(await forger.flush(), 1);
    await waitFor('A\'s copy at the hub', async () => (await net.serverA.packets.outboundState(statusId))?.state === 'forwarded', 30_000, 50);
    assert.deepEqual(await hubCopies(statusId), [CODES.A], 'the hub holds A\'s copy first, as A\'s packet');
    // B receives the document and sends its status 01 under that id: stored as B's own packet, not refused.
    await roundsUntil(b, 'B\'s status 01 sent', () => b.desk.db.prepare('SELECT state FROM main.packet_outbox WHERE packet_id = ?').pluck().get(statusId) === 'sent');
    await waitFor('B\'s status at the hub', async () => (await net.serverB.packets.outboundState(statusId))?.state !== 'queued', 30_000, 50);
    assert.equal((await net.serverB.packets.outboundState(statusId))!.state, 'forwarded', 'the hub took B\'s packet');
    assert.deepEqual(await hubCopies(statusId), [CODES.A, CODES.B].sort());
    assert.deepEqual((await net.serverB.packets.refusals(0, 10)).rows, [], 'B\'s server holds no refusal');
    // A gets B's status once, from B, and shows it on the dispatch.
    const noted = () => a.desk.db.prepare("SELECT count(*) FROM c_thuong.exchange_status_in WHERE outgoing_id = ? AND code = '01'").pluck().get(id) as number;
    await roundsUntil(a, 'B\'s status 01 noted at A', () => noted() > 0);
    await round(a);
    assert.equal(noted(), 1);
    assert.deepEqual(a.desk.db.prepare('SELECT from_code FROM main.packet_inbox WHERE packet_id = ?').pluck().all(statusId), [CODES.B], 'A received B\'s packet, once');
    const atA = await net.serverA.packets.listInbound(0, 10_000, 0);
    assert.deepEqual(atA.rows.filter((x) => x.packetId === statusId).map((x) => x.from), [CODES.B]);
    // A's copy reached B as A's packet, never as B's.
    await round(b);
    const atB = await net.serverB.packets.listInbound(0, 10_000, 0);
    assert.deepEqual(atB.rows.filter((x) => x.packetId === statusId).map((x) => x.from), [CODES.A]);
    assert.deepEqual(panel(b).packetRefusals, []);
    assert.equal(a.desk.outgoing.get(a.clerk, id).dispatches[0]!.refused, null);
  });

  test('A submits its own bytes under the id of B\'s status packet after it: A\'s copy is A\'s own packet; B\'s packet, server and dispatches are untouched', async () => {
    const statusId: string = await waitFor('B\'s status 01 at A', async () => {
      await round(b);
      await round(a);
      return (a.desk.db.prepare('SELECT packet_id FROM main.packet_inbox WHERE from_code = ? ORDER BY seq LIMIT 1').pluck().get(CODES.B) as string | undefined) ?? null;
    }, 60_000, 100);
    const forger = forgerOf();
    forger.send({ packetId: statusId, bytes: await aDocumentToB() });
    assert.equal(await forger.flush(), 1, 'A\'s server takes it (it is from A)');
    await waitFor('the hub answered A\'s copy', async () => (await net.serverA.packets.outboundState(statusId))?.state !== 'queued', 30_000, 50);
    assert.equal((await net.serverA.packets.outboundState(statusId))!.state, 'forwarded', 'another sender\'s id is not A\'s: no changed-body');
    assert.deepEqual(await hubCopies(statusId), [CODES.A, CODES.B].sort());
    // B: its packet was delivered and stays so; its server holds no refusal; its panel shows none.
    await round(b);
    assert.equal(b.desk.db.prepare('SELECT state FROM main.packet_outbox WHERE packet_id = ?').pluck().get(statusId), 'sent');
    assert.deepEqual((await net.serverB.packets.refusals(0, 10)).rows, []);
    assert.deepEqual(panel(b).packetRefusals, []);
    // A: received B's packet once, and nothing names A's dispatches refused.
    const before = refusalsOn(first);
    await round(a);
    assert.equal(refusalsOn(first), before);
    assert.deepEqual(a.desk.db.prepare('SELECT from_code FROM main.packet_inbox WHERE packet_id = ?').pluck().all(statusId), [CODES.B]);
    assert.equal(a.desk.outgoing.get(a.clerk, first).dispatches[0]!.refused, null);
  });

  test('a packet of A\'s own under the id of a packet B sent A reaches A beside it: both arrive, each as its sender\'s, at A\'s server and workstation (base migration 34)', async () => {
    // An id of B's that A's server never sent under (A's own packets above used some).
    let shared: string | null = null;
    for (const id of a.desk.db.prepare('SELECT packet_id FROM main.packet_inbox WHERE from_code = ? ORDER BY seq').pluck().all(CODES.B) as string[]) {
      if (!(await net.serverA.packets.outboundState(id))) {
        shared = id;
        break;
      }
    }
    assert.ok(shared, 'A holds a packet of B\'s');
    const subject = 'Về việc kiểm tra hộp thư điện tử của cơ quan';
    const own = await signPacket(buildDocumentPacket(documentInput(CODES.A, [CODES.A], subject)).bytes, a.key);
    const forger = forgerOf();
    forger.send({ packetId: shared, bytes: own });
    assert.equal(await forger.flush(), 1);
    const atA = () => a.desk.db.prepare('SELECT from_code FROM main.packet_inbox WHERE packet_id = ? ORDER BY from_code').pluck().all(shared) as string[];
    await roundsUntil(a, 'A\'s own packet beside B\'s at A', () => atA().length === 2);
    const expected = [CODES.A, CODES.B].sort();
    assert.deepEqual(atA(), expected, 'both pulled (before: A\'s skipped as already held)');
    assert.deepEqual((await net.serverA.packets.listInbound(0, 10_000, 0)).rows.filter((x) => x.packetId === shared).map((x) => x.from).sort(), expected);
    assert.deepEqual(a.desk.db.prepare('SELECT from_code, state FROM main.exchange_inbound WHERE packet_id = ? ORDER BY from_code').all(shared).map((r) => (r as { from_code: string }).from_code), expected);
    assert.deepEqual(a.desk.exchange.inbox.list(a.clerk, {}).filter((r) => r.fromCode === CODES.A).map((r) => r.subject), [subject], 'A\'s packet landed as A\'s');
    await round(a);
    assert.deepEqual(atA(), expected, 'each once');
  });
});

describe('Gửi lại over the network (docs/exchange.md, "When a packet is refused")', () => {
  test('the văn thư sends the refused copy again: a new packet id, which the hub judges on its own (refused again: its directory still lacks the agency); the first refusal stays in the history', async () => {
    const gone = () => a.desk.outgoing.get(a.clerk, first).dispatches.find((d) => d.code === GONE.code)!;
    assert.ok(gone().refused);
    const gid = a.desk.db.prepare('SELECT global_id FROM c_thuong.outgoing_dispatches WHERE id = ?').pluck().get(gone().id) as string;
    const d = (await a.desk.outgoing.resend(a.clerk, { id: first, dispatchId: gone().id })).dispatches.find((x) => x.code === GONE.code)!;
    assert.deepEqual([d.status, d.refused, d.resent], ['pending', null, 1]);
    await roundsUntil(a, 'the new attempt refused and noted', () => refusalsOn(first) === 2);
    const again = attemptPacketId(gid, 1);
    const state = (await net.serverA.packets.outboundState(again))!;
    assert.deepEqual([state.state, state.errorCode], ['refused', 'unknown-recipient'], 'not changed-body: a new packet, not the refused one again');
    assert.deepEqual([gone().status, gone().resent], ['sent', 1]);
    assert.match(gone().refused!.reason, /^mã định danh của cơ quan nhận không có trong danh bạ/);
    const history = a.desk.exchange.dispatchStatuses(a.clerk, first).find((x) => x.code === GONE.code)!.statuses.filter((s) => s.code === 'refused');
    assert.equal(history.length, 2, 'both refusals in the history');
    assert.equal(a.desk.db.prepare("SELECT count(*) FROM main.audit_log WHERE action = 'outgoing.resend' AND outcome = 'ok'").pluck().get(), 1);
    // B's dispatch of the same document is untouched.
    assert.deepEqual([a.desk.outgoing.get(a.clerk, first).dispatches.find((x) => x.code === CODES.B)!.refused, a.desk.outgoing.get(a.clerk, first).dispatches.find((x) => x.code === CODES.B)!.resent], [null, 0]);
  });
});
