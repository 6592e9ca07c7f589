// One agency, two workstations, through the real agency server (issue 9 §2): the văn thư registers a
// Mật document and submits it on workstation A; after a sync round on each, workstation B lists it,
// finds it by search and shows its timeline; the leader's direction made on B comes back to A. The
// server holds the Mật batches as ciphertext it cannot read. Real profiles (SQLCipher, compartments
// under their keys), a real HTTPS server over loopback (SQLite storage), token-style sign-in with the
// agency PKI's keys.
import assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunningServer } from '../../../server/app';
import type { SyncPanelView } from '../../../common/contract';
import { Desk } from '../../../main/core/desk';
import type { Actor } from '../../../main/core/org/rights';
import { actorFor, getUser } from '../../../main/core/org/users';
import { SyncService } from '../../../main/core/sync/SyncService';
import { createRouter } from '../../../main/ipc/router';
import { SessionGuard } from '../../../main/core/session/guard';
import { TokenService } from '../../../main/core/session/tokens';
import { TokenBridge } from '../../../native/bridge/client';
import { takeNewWorkstationId } from '../../../main/core/sync/workstation';
import { agencyPki, startAgencyServer, type AgencyPki } from '../../helpers/agencyServer';
import { addActor, newDesk, registration, stageBytes, tempDir } from '../../helpers/desk';
import { scannedPdf, typesetPdf } from '../../helpers/scannedPages';
import { outgoingCreateSchema, outgoingListSchema, outgoingReviseSchema } from '../../../common/schemas';
import { softKey } from '../../helpers/softKey';

let pki: AgencyPki;
let server: RunningServer;
let a: Desk;
let b: Desk;
let syncA: SyncService;
let syncB: SyncService;
let clerkA: Actor;
let leaderId: number;
const cleanups: Array<() => void> = [];

before(async () => {
  const tmp = tempDir('securedesk-agency-sync-');
  cleanups.push(tmp.cleanup);
  pki = await agencyPki(['vanthu', 'lanhdao']);
  cleanups.push(() => pki.pki.cleanup());
  server = await startAgencyServer({
    backend: 'sqlite', dir: join(tmp.dir, 'server'), pki,
    people: [
      { person: 'p-vanthu', role: 'van_thu', clearance: 'tuyet_mat', certificates: [pki.person('vanthu').certPath] },
      { person: 'p-lanhdao', role: 'lanh_dao', clearance: 'tuyet_mat', certificates: [pki.person('lanhdao').certPath] },
    ],
    logger: { log: () => {} },
  });
  const env = await newDesk('state');
  cleanups.push(env.cleanup);
  a = env.desk;
  clerkA = env.admin;
  leaderId = addActor(a, 'lanh_dao', 'tuyet_mat', 'Trần Văn Lãnh').id;
  // Workstation B starts from the agency's snapshot of the profile and takes its own id.
  a.close();
  const copy = tempDir('securedesk-agency-sync-b-');
  cleanups.push(copy.cleanup);
  cpSync(env.dir, copy.dir, { recursive: true });
  a = await Desk.open({ profileDir: env.dir });
  await a.unlock(env.identity);
  b = await Desk.open({ profileDir: copy.dir });
  await b.unlock(env.identity);
  takeNewWorkstationId(b.db, new Date());
  const transport = { url: `https://localhost:${server.port}`, caPem: pki.ca.certPem, timeoutMs: 10_000 };
  const keyOf = (p: string) => softKey(pki.person(p).certDer, pki.person(p).keyPem);
  syncA = new SyncService(a, { transport, signer: () => keyOf('vanthu'), clearance: 'tuyet_mat' });
  syncB = new SyncService(b, { transport, signer: () => keyOf('lanhdao'), clearance: 'tuyet_mat' });
  cleanups.unshift(() => syncA.close(), () => syncB.close(), () => a.close(), () => b.close(), () => void server.close());
});
after(() => {
  for (const c of cleanups) {
    try { c(); } catch { /* closed */ }
  }
});

describe('two workstations of one agency through the agency server', () => {
  let gid: string;

  test("A registers and submits a Mật document; after a round on each, B lists it, finds it and shows its timeline; the server holds only ciphertext of it", async () => {
    const reg = await a.incoming.register(clerkA, await registration(a, clerkA, { secrecy: 'mat', subject: 'Về việc bảo đảm an toàn mạng máy tính mật' }));
    await a.processing.submit(clerkA, { incomingId: reg.id, leaderId });
    gid = a.db.prepare('SELECT global_id FROM c_mat.incoming WHERE id = ?').pluck().get(reg.id) as string;

    const first = await syncA.syncOnce();
    assert.ok(first.sent >= 2, `base and Mật batches sent (${first.sent})`);
    const second = await syncB.syncOnce();
    assert.ok(second.pulled >= 2);
    assert.equal(second.conflicts, 0);
    assert.equal(second.waiting, 0);

    const idB = b.db.prepare('SELECT id FROM c_mat.incoming WHERE global_id = ?').pluck().get(gid) as number;
    assert.ok(idB, 'the document is on B');
    const leaderB = actorFor(getUser(b.db, leaderId)!);
    const inbox = b.processing.inbox(leaderB, { box: 'opinion', limit: 10 });
    assert.deepEqual(inbox.map((i) => i.subject), ['Về việc bảo đảm an toàn mạng máy tính mật'], "in the leader's Chờ cho ý kiến on B");
    const found = b.incoming.list(leaderB, { query: 'an toan mang may tinh', sort: { field: 'arrival', dir: 'asc' }, offset: 0, limit: 5 });
    assert.equal(found.length, 1);

    const mat = await server.store.db.selectFrom('batches').selectAll().where('channel', '=', 'mat').execute();
    assert.ok(mat.length >= 1);
    for (const row of mat) {
      assert.equal(row.encoding, 'aes-256-gcm');
      assert.equal(Buffer.from(row.payload).includes(Buffer.from('an toàn mạng')), false);
    }
  });

  test("the leader's direction on B comes back to A; nothing is sent back and forth again", async () => {
    const leaderB = actorFor(getUser(b.db, leaderId)!);
    const idB = b.db.prepare('SELECT id FROM c_mat.incoming WHERE global_id = ?').pluck().get(gid) as number;
    await b.processing.direct(leaderB, { incomingId: idB, text: 'Văn phòng chủ trì, báo cáo trước ngày 20', lead: { userId: clerkA.id } });
    const fromB = await syncB.syncOnce();
    assert.ok(fromB.sent >= 1);
    const toA = await syncA.syncOnce();
    assert.equal(toA.conflicts, 0);
    const idA = a.db.prepare('SELECT id FROM c_mat.incoming WHERE global_id = ?').pluck().get(gid) as number;
    const steps = a.processing.state(clerkA, idA).steps.map((s) => [s.kind, s.text]);
    assert.ok(steps.some(([k, t]) => k === 'direct' && t === 'Văn phòng chủ trì, báo cáo trước ngày 20'), JSON.stringify(steps));
    // Received events are not pushed back; a quiet round moves nothing either way.
    const quietA = await syncA.syncOnce();
    const quietB = await syncB.syncOnce();
    assert.equal(quietA.sent + quietB.sent, 0);
    assert.equal(quietA.applied + quietB.applied, 0);
    const status = syncA.status();
    assert.equal(status.outbox.batches, 0);
    assert.ok(status.lastContact);
    assert.deepEqual(Object.values(status.inbox).filter((s) => s.waiting + s.conflicts > 0), []);
  });

  test('the sync panel through the IPC router: the server, the last contact and what waits; with no server a round is refused and nothing is chosen by the window', async () => {
    const guard = new SessionGuard(a, new TokenService(new TokenBridge(), async () => []));
    const configured = createRouter({ desk: a, guard, attachmentUrl: (t) => t, sync: () => ({ service: syncA, server: `https://localhost:${server.port}`, running: true }) });
    const alone = createRouter({ desk: a, guard, attachmentUrl: (t) => t });
    // A change made on A and not yet sent shows as waiting, in its stream.
    const reg = await a.incoming.register(clerkA, await registration(a, clerkA, { secrecy: 'mat', subject: 'Về việc kiểm tra định kỳ' }));
    const before = await configured('sync.status', {});
    assert.ok(before.ok);
    if (!before.ok) return;
    const panel = before.value as SyncPanelView;
    // The văn thư is told a server is configured, not its address (an administrator's to see).
    assert.equal(panel.configured, true);
    assert.equal(panel.server, null);
    assert.ok(panel.lastContact);
    const mat = panel.streams.find((x) => x.stream === 'mat')!;
    assert.ok(mat.unsent >= 1, JSON.stringify(panel.streams));
    const after = await configured('sync.now', {});
    assert.ok(after.ok);
    if (after.ok) {
      assert.equal((after.value as SyncPanelView).unsent, 0, 'sent by the round');
      assert.equal((after.value as SyncPanelView).lastError, null);
      assert.equal((after.value as SyncPanelView).lastErrorVi, null);
    }
    const none = await alone('sync.now', {});
    assert.equal(none.ok, false);
    if (!none.ok) assert.equal(none.error.key, 'sync.notConfigured');
    // The window cannot point the workstation at a server of its choosing: the input is empty and strict.
    const evil = await configured('sync.now', { url: 'https://evil.example' });
    assert.equal(evil.ok, false);
    assert.ok(reg.id > 0);
  });

  test('a scanned file that reaches B through the server is read by B\'s OCR job, and found there by its words', { timeout: 240_000 }, async () => {
    const scan = await stageBytes(a, clerkA, await scannedPdf([['ỦY BAN NHÂN DÂN TỈNH QUẢNG NINH', 'CÔNG VĂN KHẨN', 'Về việc phòng, chống lụt bão năm 2026']]), 'cong-van-scan.pdf');
    const reg = await a.incoming.register(clerkA, await registration(a, clerkA, { secrecy: 'mat', subject: 'Văn bản số hóa từ bản giấy', stagedIds: [scan.stagedId] }));
    const sha = a.incoming.get(clerkA, reg.id).attachments[0]!.sha256;
    const up = await syncA.syncOnce();
    assert.ok((up.files?.uploaded ?? 0) >= 1, JSON.stringify(up.files));
    const down = await syncB.syncOnce();
    assert.ok((down.files?.downloaded ?? 0) >= 1, JSON.stringify(down.files));
    const clerkB = actorFor(getUser(b.db, clerkA.id)!);
    const attB = b.db.prepare('SELECT id FROM c_mat.attachments WHERE sha256 = ?').pluck().get(sha) as number;
    // Queued when the file was placed; not searchable by its words until read.
    assert.deepEqual(b.db.prepare('SELECT state FROM c_mat.ocr_queue WHERE attachment_id = ?').pluck().all(attB), ['pending']);
    const search = (q: string) => b.incoming.list(clerkB, { query: q, sort: { field: 'arrival', dir: 'asc' }, offset: 0, limit: 5 }).map((r) => r.subject);
    assert.deepEqual(search('cong van khan'), []);
    await b.ocr.start(clerkB);
    assert.deepEqual(search('cong van khan'), ['Văn bản số hóa từ bản giấy']);
    assert.equal(b.ocr.pageText(clerkB, attB, 1).source, 'ocr');
    // Placing the same file again queues nothing twice.
    assert.equal(b.db.prepare('SELECT count(*) FROM c_mat.ocr_queue WHERE attachment_id = ?').pluck().get(attB), 1);
  });

  test('an outgoing draft\'s scanned appendix reaches B: read by B\'s job, found in B\'s outgoing register; a new version carrying it over is queued without a download and not read again', { timeout: 240_000 }, async () => {
    const main = await stageBytes(a, clerkA, await typesetPdf([['QUYẾT ĐỊNH', 'Về việc tổ chức diễn tập khu vực phòng thủ năm 2026']]), 'du-thao.pdf');
    const appendix = await stageBytes(a, clerkA, await scannedPdf([['PHỤ LỤC', 'Danh sách lực lượng tham gia diễn tập', 'Đồn biên phòng cửa khẩu Móng Cái']]), 'phu-luc-scan.pdf');
    const d = await a.outgoing.create(clerkA, outgoingCreateSchema.parse({
      typeCode: 'QĐ', subject: 'Về việc diễn tập phòng thủ', secrecy: 'mat', urgency: 'thuong', signerId: leaderId, approvers: [],
      stagedIds: [main.stagedId, appendix.stagedId], comment: 'Dự thảo lần 1',
    }));
    await syncA.syncOnce();
    const down = await syncB.syncOnce();
    assert.ok((down.files?.downloaded ?? 0) >= 2, JSON.stringify(down.files));
    const clerkB = actorFor(getUser(b.db, clerkA.id)!);
    const gid = a.db.prepare('SELECT global_id FROM c_mat.outgoing WHERE id = ?').pluck().get(d.id) as string;
    const idB = b.db.prepare('SELECT id FROM c_mat.outgoing WHERE global_id = ?').pluck().get(gid) as number;
    const queued = () => b.db.prepare(`SELECT q.state FROM c_mat.ocr_queue q JOIN c_mat.outgoing_files f ON f.id = q.attachment_id
      JOIN c_mat.outgoing o ON o.id = f.outgoing_id AND o.version = f.version WHERE q.outgoing_id = ? ORDER BY f.ordinal`).pluck().all(idB);
    assert.deepEqual(queued(), ['pending', 'pending'], 'queued when the files were placed');
    const search = (q: string) => b.outgoing.list(clerkB, outgoingListSchema.parse({ query: q })).map((r) => r.id);
    assert.deepEqual(search('mong cai'), []);
    await b.ocr.start(clerkB);
    assert.deepEqual(search('mong cai'), [idB]);
    const recognised = b.ocr.status(clerkB).recognised;
    assert.ok(recognised >= 1);

    // A new version on A, its files carried over: B holds their bytes (nothing to download), queues them
    // all the same, and the job takes the pages read instead of reading them again.
    await a.outgoing.revise(clerkA, outgoingReviseSchema.parse({ id: d.id, subject: 'Về việc diễn tập khu vực phòng thủ', comment: 'Sửa trích yếu' }));
    await syncA.syncOnce();
    const again = await syncB.syncOnce();
    assert.equal(again.files?.downloaded ?? 0, 0, JSON.stringify(again.files));
    assert.equal(b.db.prepare('SELECT version FROM c_mat.outgoing WHERE id = ?').pluck().get(idB), 2);
    assert.deepEqual(queued(), ['pending', 'pending']);
    await b.ocr.start(clerkB);
    assert.deepEqual(queued(), ['done', 'done']);
    assert.equal(b.ocr.status(clerkB).recognised, recognised, 'nothing recognised again');
    assert.deepEqual(search('mong cai khu vuc'), [idB]);
  });
});
