// Khóa sổ cuối năm of the Sổ đăng ký văn bản đi, the Sổ đăng ký BMNN đi and the Sổ theo dõi giải quyết
// văn bản đến on a real profile (real signatures, real PDFs): the closing records who and when and
// the SHA-256 and row count of the PDF it froze; afterwards issuing into the year and changing a
// processing step of a document of that year are refused with their specific reason, audited, and
// nothing half-changes (no number taken, no step written); a recall after the closing leaves the
// closed year's rows as they were; each register closes apart from the others.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { todayIso, yearOf } from '../../common/dates';
import type { Secrecy } from '../../common/domain';
import { DeskError } from '../../common/errors';
import { outgoingCreateSchema } from '../../common/schemas';
import type { Desk } from '../../main/core/desk';
import { eventsSince } from '../../main/core/events/eventLog';
import type { PrivateKeyOps } from '../../main/core/crypto';
import { actorFor, getUser } from '../../main/core/org/users';
import type { Actor } from '../../main/core/org/rights';
import { addActor, newDesk, pdfBytes, registration, stageBytes } from '../helpers/desk';
import { addPerson } from '../helpers/people';
import { pdfTextPages } from '../helpers/pdfOracle';

let env: Awaited<ReturnType<typeof newDesk>>;
let desk: Desk;
let clerk: Actor;
let clerkKey: PrivateKeyOps;
let drafter: Actor;
let signer: Actor;
let signerKey: PrivateKeyOps;
let officer: Actor;
let lowLeader: Actor;
const year = yearOf(todayIso(new Date()));

async function refused(run: () => unknown, code: string, key: string): Promise<void> {
  await assert.rejects(async () => run(), (e: unknown) => {
    assert.ok(e instanceof DeskError, String(e));
    assert.equal(e.code, code, e.message);
    assert.equal(e.key, key, e.message);
    return true;
  });
}
const refusedAudited = (action: string, reason: string): number =>
  desk.db.prepare("SELECT count(*) FROM audit_log WHERE action = ? AND outcome = 'refused' AND reason = ?").pluck().get(action, reason) as number;

/** An outgoing document approved and signed by both, ready to issue. */
async function ready(secrecy: Secrecy = 'thuong', subject = 'Về việc tổng kết công tác văn thư năm'): Promise<number> {
  const main = await stageBytes(desk, drafter, await pdfBytes(subject), 'du-thao.pdf');
  const d = await desk.outgoing.create(drafter, outgoingCreateSchema.parse({
    typeCode: 'BC', subject, secrecy, urgency: 'thuong', signerId: signer.id, signerCompetence: 'TM. BAN THƯỜNG VỤ', approvers: [signer.id],
    recipients: [{ code: '000.00.00.H49', name: 'UBND tỉnh Quảng Ninh' }], issuedAmount: 3, stagedIds: [main.stagedId], comment: '',
  }));
  await desk.outgoing.submit(drafter, { id: d.id, comment: '' });
  await desk.outgoing.approve(signer, { id: d.id, comment: 'Đồng ý' });
  await desk.outgoing.signAsSigner(signer, d.id, signerKey);
  return d.id;
}

const counters = () => JSON.stringify(desk.db.prepare('SELECT * FROM number_counters ORDER BY scope_id, period, bucket').all());
const outgoingRow = (id: number) => JSON.stringify(['c_thuong', 'c_mat'].map((c) => [
  desk.db.prepare(`SELECT * FROM ${c}.outgoing WHERE id = ?`).get(id), desk.db.prepare(`SELECT count(*) FROM ${c}.outgoing_dispatches WHERE outgoing_id = ?`).pluck().get(id),
  desk.db.prepare(`SELECT count(*) FROM ${c}.outgoing_steps WHERE outgoing_id = ?`).pluck().get(id),
]));

before(async () => {
  env = await newDesk('state');
  desk = env.desk;
  clerk = env.admin;
  clerkKey = env.identity.signingKeys[0]!;
  const person = async (fullName: string, role: 'lanh_dao' | 'chuyen_vien') => {
    const p = await addPerson(desk, { fullName, role, clearance: 'tuyet_mat' });
    return { actor: actorFor(getUser(desk.db, p.id)!), key: p.identity.signingKeys[0]! };
  };
  drafter = (await person('Trần Văn Soạn', 'chuyen_vien')).actor;
  const s = await person('Nguyễn Văn Ký', 'lanh_dao');
  signer = s.actor;
  signerKey = s.key;
  officer = addActor(desk, 'chuyen_vien', 'tuyet_mat', 'Đỗ Thị Ngoài');
  lowLeader = addActor(desk, 'lanh_dao', 'mat', 'Lê Văn Phó');
});
after(() => env.cleanup());

describe('Sổ đăng ký văn bản đi and Sổ đăng ký BMNN đi closed at year end', () => {
  let issuedId: number;

  it('records who closed it and when, and the SHA-256 and row count of the PDF it froze', async () => {
    issuedId = await ready();
    await desk.outgoing.issue(clerk, issuedId, clerkKey);
    const overview = desk.registerClosings.overview(clerk);
    assert.deepEqual(overview.registers.map((r) => [r.kind, r.mayClose, r.closings.length]),
      [['outgoing', true, 0], ['secret_outgoing', true, 0], ['incoming_tracking', true, 0]]);

    const { closing, bytes } = await desk.registerClosings.close(clerk, { kind: 'outgoing', year });
    assert.equal(closing.closedBy, 'Nguyễn Thị Hương');
    assert.equal(closing.rows, 1);
    assert.equal(closing.pdfSha256, createHash('sha256').update(bytes).digest('hex'));
    assert.ok(Math.abs(Date.parse(closing.closedAt) - Date.now()) < 60_000);
    const text = pdfTextPages(bytes).join(' ').replace(/\s+/g, ' ');
    assert.match(text, /SỔ ĐĂNG KÝ VĂN BẢN ĐI/);
    assert.match(text, /tổng kết công tác văn thư/);
    assert.deepEqual(desk.registerClosings.overview(clerk).registers.find((r) => r.kind === 'outgoing')!.closings, [closing]);

    const audit = JSON.parse(desk.db.prepare("SELECT details FROM audit_log WHERE action = 'register.close_year' AND outcome = 'ok' ORDER BY id DESC").pluck().get() as string) as Record<string, unknown>;
    assert.deepEqual([audit.kind, audit.year, audit.rows, audit.pdfSha256], ['outgoing', year, 1, closing.pdfSha256]);
    assert.ok(eventsSince(desk.db, 0).some((e) => e.entity === 'register_closings' && e.kind === 'create'));
    assert.throws(() => desk.db.prepare('DELETE FROM register_closings').run(), /stays closed/);
    assert.throws(() => desk.db.prepare("UPDATE register_closings SET pdf_sha256 = 'x'").run(), /stays closed/);
  });

  it('refuses, audited, a closer without the right, a year not begun and a year closed already', async () => {
    await refused(() => desk.registerClosings.close(officer, { kind: 'outgoing', year }), 'FORBIDDEN', 'registerYear.notCloser');
    await refused(() => desk.registerClosings.close(lowLeader, { kind: 'secret_outgoing', year }), 'FORBIDDEN', 'registerYear.needsWholeRegister');
    await refused(() => desk.registerClosings.close(clerk, { kind: 'outgoing', year: year + 1 }), 'VALIDATION', 'registerYear.future');
    await refused(() => desk.registerClosings.close(clerk, { kind: 'outgoing', year }), 'VALIDATION', 'registerYear.alreadyClosed');
    for (const key of ['registerYear.notCloser', 'registerYear.needsWholeRegister', 'registerYear.future', 'registerYear.alreadyClosed'])
      assert.equal(refusedAudited('register.close_year', key), 1, key);
    assert.equal(desk.registerClosings.overview(officer).registers.length, 0, 'an officer reads none of these registers');
    assert.equal(desk.registerClosings.overview(lowLeader).registers.find((r) => r.kind === 'outgoing')!.mayClose, true);
  });

  it('refuses issuing into the closed year, audited, with no number taken and nothing changed', async () => {
    const id = await ready('thuong', 'Về việc ban hành sau khi khóa sổ');
    const before = [counters(), outgoingRow(id)];
    await refused(() => desk.outgoing.issue(clerk, id, clerkKey), 'VALIDATION', 'registerYear.issueClosed');
    assert.deepEqual([counters(), outgoingRow(id)], before);
    assert.equal(refusedAudited('outgoing.issue', 'registerYear.issueClosed'), 1);
    assert.equal(desk.outgoing.get(clerk, id).status, 'signer_signed');
    // The document's page does not offer the issue, and says why and from when it can be issued.
    const view = desk.outgoing.get(clerk, id);
    assert.equal(view.can.issue, false);
    assert.deepEqual(view.issueClosed && [view.issueClosed.register, view.issueClosed.year, view.issueClosed.reopensOn], ['Sổ đăng ký văn bản đi', year, `${year + 1}-01-01`]);
    assert.equal(desk.outgoing.get(drafter, id).issueClosed, null, 'only the văn thư, who could issue it, is told');
    // The Sổ đăng ký BMNN đi of the same year is still open.
    const secret = await ready('mat', 'Về việc bảo vệ bí mật nhà nước');
    assert.deepEqual([desk.outgoing.get(clerk, secret).can.issue, desk.outgoing.get(clerk, secret).issueClosed], [true, null]);
    const issued = await desk.outgoing.issue(clerk, secret, clerkKey);
    assert.equal(issued.issuedDate.slice(0, 4), String(year));
  });

  it('keeps the closed year\'s rows as they were: a later recall is not written into them', async () => {
    const period = { from: `${year}-01-01`, to: `${year}-12-31` };
    const before = desk.outgoing.registerTable(clerk, { kind: 'outgoing', format: 'table', ...period }).rows;
    await desk.outgoing.recall(clerk, { id: issuedId, reason: 'Sai sót về số liệu' });
    assert.equal(desk.outgoing.get(clerk, issuedId).status, 'recalled');
    assert.deepEqual(desk.outgoing.registerTable(clerk, { kind: 'outgoing', format: 'table', ...period }).rows, before);
    // The secret register's year is open: its recall note appears there at once.
    const secret = desk.outgoing.registerTable(clerk, { kind: 'secret_outgoing', format: 'table', ...period });
    assert.equal(secret.rows.length, 1);
  });

  it('closes the Sổ đăng ký BMNN đi on its own, by someone who sees the whole of it', async () => {
    const { closing } = await desk.registerClosings.close(clerk, { kind: 'secret_outgoing', year });
    assert.equal(closing.rows, 1);
    const id = await ready('toi_mat', 'Về việc phương án bảo vệ');
    await refused(() => desk.outgoing.issue(clerk, id, clerkKey), 'VALIDATION', 'registerYear.issueClosed');
  });
});

describe('Sổ theo dõi giải quyết văn bản đến closed at year end', () => {
  it('refuses every processing step on a document of the closed year, audited, and writes nothing', async () => {
    const doc = await desk.incoming.register(clerk, await registration(desk, clerk, { secrecy: 'mat', subject: 'Về việc kiểm tra cuối năm' }));
    await desk.processing.submit(clerk, { incomingId: doc.id, leaderId: signer.id });
    const { closing } = await desk.registerClosings.close(clerk, { kind: 'incoming_tracking', year });
    assert.equal(closing.rows, 1, 'the submitted document is a row of the register');
    const footprint = () => JSON.stringify([
      desk.db.prepare('SELECT count(*) FROM c_mat.processing_steps').pluck().get(),
      desk.db.prepare('SELECT group_concat(id || state) FROM c_mat.processing_tasks').pluck().get(),
      desk.db.prepare('SELECT status FROM c_mat.incoming WHERE id = ?').pluck().get(doc.id),
    ]);
    const before = footprint();
    await refused(() => desk.processing.direct(signer, { incomingId: doc.id, text: 'Giao văn phòng xử lý', lead: { userId: drafter.id } }), 'VALIDATION', 'registerYear.processingClosed');
    await refused(() => desk.processing.return(clerk, { incomingId: doc.id, reason: 'Không thuộc thẩm quyền' }), 'VALIDATION', 'registerYear.processingClosed');
    assert.equal(footprint(), before);
    assert.equal(refusedAudited('processing.direct', 'registerYear.processingClosed'), 1);
    // The incoming register itself stays open: registering today still works.
    const next = await desk.incoming.register(clerk, await registration(desk, clerk, { secrecy: 'mat' }));
    assert.ok(next.id > doc.id);
  });
});

describe('a document still being handled when its year was closed carries over', () => {
  // 31/12/2026, 15:00 in Hà Nội; then 05/01/2027. The book of 2026 is closed on its last day.
  let clock = new Date('2026-12-31T08:00:00Z');
  let own: Awaited<ReturnType<typeof newDesk>>;
  after(() => own?.cleanup());

  it('refuses a step dated in the closed year, allows the next steps in the new year, and the frozen book stays as it was closed', async () => {
    own = await newDesk('state', undefined, { now: () => clock });
    const d = own.desk;
    const leader = addActor(d, 'lanh_dao', 'mat', 'Trần Văn Lãnh');
    const handler = addActor(d, 'chuyen_vien', 'mat', 'Phạm Văn Xử');
    const doc = await d.incoming.register(own.admin, await registration(d, own.admin, { secrecy: 'mat', subject: 'Về việc chuẩn bị tổng kết năm' }));
    await d.processing.submit(own.admin, { incomingId: doc.id, leaderId: leader.id });
    const { closing } = await d.registerClosings.close(own.admin, { kind: 'incoming_tracking', year: 2026 });
    await assert.rejects(d.processing.direct(leader, { incomingId: doc.id, text: 'Giao đồng chí Xử', lead: { userId: handler.id } }),
      (e: unknown) => e instanceof DeskError && e.key === 'registerYear.processingClosed');
    clock = new Date('2027-01-05T02:00:00Z');
    const directed = await d.processing.direct(leader, { incomingId: doc.id, text: 'Giao đồng chí Xử', lead: { userId: handler.id } });
    assert.equal(directed.status, 'assigned', 'carried over into 2027');
    const again = d.registerClosings.overview(own.admin).registers.find((r) => r.kind === 'incoming_tracking')!;
    assert.deepEqual(again.closings.find((c) => c.year === 2026)?.pdfSha256, closing.pdfSha256, 'the closed book of 2026 is as it was');

    // The Sổ theo dõi of 2027 lists it, marked as carried over from 2026; one finished before the closing is not carried.
    const book = await d.processing.trackingRegister(own.admin, { from: '2027-01-01', to: '2027-12-31', format: 'pdf' });
    const text = pdfTextPages(book.bytes).join(' ').replace(/\s+/g, ' ');
    assert.equal(book.rows, 1);
    assert.match(text, /chuẩn bị tổng kết năm/);
    assert.match(text, /Chuyển từ năm 2026 sang \(sổ năm 2026 đã khóa\)/);
    const xlsx = await d.processing.trackingRegister(own.admin, { from: '2027-01-01', to: '2027-12-31', format: 'xlsx' });
    assert.equal(xlsx.rows, 1);
    // The 2026 book itself does not list it twice nor as carried: it is that year's own row.
    const own2026 = await d.processing.trackingRegister(own.admin, { from: '2026-01-01', to: '2026-12-31', format: 'pdf' });
    assert.doesNotMatch(pdfTextPages(own2026.bytes).join(' ').replace(/\s+/g, ' '), /Chuyển từ năm/);
  });

  it('carries one year at a time: into 2028 only once the book of 2027 is closed, and not what was finished in 2027', async () => {
    let at = new Date('2026-12-30T03:00:00Z');
    const env2 = await newDesk('state', undefined, { now: () => at });
    try {
      const d = env2.desk;
      const leader = addActor(d, 'lanh_dao', 'mat', 'Trần Văn Lãnh');
      const still = await d.incoming.register(env2.admin, await registration(d, env2.admin, { secrecy: 'thuong', subject: 'Về việc rà soát quy chế chi tiêu nội bộ' }));
      const ended = await d.incoming.register(env2.admin, await registration(d, env2.admin, { secrecy: 'thuong', subject: 'Về việc mua sắm thiết bị phòng họp' }));
      for (const doc of [still, ended]) await d.processing.submit(env2.admin, { incomingId: doc.id, leaderId: leader.id });
      at = new Date('2026-12-31T08:00:00Z');
      await d.registerClosings.close(env2.admin, { kind: 'incoming_tracking', year: 2026 });
      at = new Date('2027-06-01T02:00:00Z');
      await d.processing.return(leader, { incomingId: ended.id, reason: 'Không thuộc thẩm quyền' });
      at = new Date('2028-01-03T02:00:00Z');
      const book = async (y: number) => {
        const b = await d.processing.trackingRegister(env2.admin, { from: `${y}-01-01`, to: `${y}-12-31`, format: 'pdf' });
        return { rows: b.rows, text: pdfTextPages(b.bytes).join(' ').replace(/\s+/g, ' ') };
      };
      // The book of 2027 is still open: both are in it (one returned there), and none is in 2028's yet.
      const y2027 = await book(2027);
      assert.equal(y2027.rows, 2);
      assert.equal(y2027.text.match(/Chuyển từ năm 2026 sang \(sổ năm 2026 đã khóa\)/g)?.length, 2);
      assert.equal((await book(2028)).rows, 0, 'not listed in two open books');
      // 2027 closed: the one still being handled goes on into 2028, from the book of 2027; the returned one does not.
      await d.registerClosings.close(env2.admin, { kind: 'incoming_tracking', year: 2027 });
      const y2028 = await book(2028);
      assert.equal(y2028.rows, 1);
      assert.match(y2028.text, /rà soát quy chế chi tiêu nội bộ/);
      assert.match(y2028.text, /30\/12\/2026/, 'its arrival date stays that of 2026');
      assert.match(y2028.text, /Chuyển từ năm 2027 sang \(sổ năm 2027 đã khóa\)/);
      assert.doesNotMatch(y2028.text, /mua sắm thiết bị phòng họp/);
    } finally {
      await env2.cleanup();
    }
  });
});
