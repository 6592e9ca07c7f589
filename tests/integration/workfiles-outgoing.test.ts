// Work files hold outgoing documents and drafts (issue 8 §5) with need-to-know: a person adds only
// what they may read, a closed file refuses additions, the closed file's PDF carries the outgoing
// document's signed PDF in date order. And need-to-know of the files themselves: a file's title and
// metadata are known to its handler, its unit's leaders, the văn thư and lãnh đạo and those it was
// shared with; a low person calling the core or the IPC handlers directly learns nothing, audited.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { todayIso, yearOf } from '../../common/dates';
import type { Secrecy } from '../../common/domain';
import { DeskError } from '../../common/errors';
import { outgoingCreateSchema } from '../../common/schemas';
import type { PrivateKeyOps } from '../../main/core/crypto';
import type { Desk } from '../../main/core/desk';
import { actorFor, getUser } from '../../main/core/org/users';
import type { Actor } from '../../main/core/org/rights';
import { handlers, type HandlerContext } from '../../main/ipc/handlers';
import { addActor, newDesk, registration, stageBytes } from '../helpers/desk';
import { pdfPageInfo, pdfTextPages } from '../helpers/pdfOracle';
import { addPerson } from '../helpers/people';
import { markedPdf } from '../helpers/workfilePdfs';

let env: Awaited<ReturnType<typeof newDesk>>;
let desk: Desk;
let clerk: Actor;
let clerkKey: PrivateKeyOps;
let drafter: Actor;
let signer: Actor;
let signerKey: PrivateKeyOps;
let outsider: Actor;
const year = yearOf(todayIso(new Date()));

const refused = (key: string) => (e: unknown) => e instanceof DeskError && e.key === key;
const refusals = (action: string, reason: string): number =>
  desk.db.prepare("SELECT count(*) FROM audit_log WHERE action = ? AND outcome = 'refused' AND reason = ?").pluck().get(action, reason) as number;

async function outgoing(marker: string, secrecy: Secrecy, issue: boolean): Promise<number> {
  const main = await stageBytes(desk, drafter, await markedPdf(marker, 2), `${marker}.pdf`);
  const d = await desk.outgoing.create(drafter, outgoingCreateSchema.parse({
    typeCode: 'KH', subject: `Kế hoạch ${marker}`, secrecy, urgency: 'thuong', signerId: signer.id, signerCompetence: 'TM. BAN THƯỜNG VỤ', approvers: [signer.id],
    recipients: [{ code: '000.00.00.H49', name: 'UBND tỉnh Quảng Ninh' }], issuedAmount: 2, stagedIds: [main.stagedId], comment: '',
  }));
  if (!issue) return d.id;
  await desk.outgoing.submit(drafter, { id: d.id, comment: '' });
  await desk.outgoing.approve(signer, { id: d.id, comment: 'Đồng ý' });
  await desk.outgoing.signAsSigner(signer, d.id, signerKey);
  await desk.outgoing.issue(clerk, d.id, clerkKey);
  return d.id;
}

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
  outsider = addActor(desk, 'chuyen_vien', 'tuyet_mat', 'Đỗ Thị Ngoài');
});
after(() => env.cleanup());

describe('outgoing documents and drafts in a work file', () => {
  let fileId: number;
  let issued: number;
  let draft: number;

  it('adds an issued document and a draft the handler may read; refuses what they may not read, and a draft as issued', async () => {
    issued = await outgoing('ISSUED-KH', 'thuong', true);
    draft = await outgoing('DRAFT-MAT', 'mat', false);
    const f = await desk.workFiles.create(clerk, { year, notation: '10.VP', title: 'Hồ sơ kế hoạch năm', retention: 10, responsibleUserId: drafter.id });
    fileId = f.id;
    await desk.workFiles.open(drafter, fileId);
    await desk.workFiles.addItem(drafter, { fileId, kind: 'outgoing', recordId: issued });
    const n = refusals('workfile.add', 'workFile.notIssued');
    await assert.rejects(desk.workFiles.addItem(drafter, { fileId, kind: 'outgoing', recordId: draft }), refused('workFile.notIssued'));
    assert.equal(refusals('workfile.add', 'workFile.notIssued'), n + 1);
    const withDraft = await desk.workFiles.addItem(drafter, { fileId, kind: 'draft', recordId: draft });
    assert.equal(withDraft.secrecy, 'mat', 'the file takes the level of the Mật draft');
    assert.deepEqual(withDraft.items.map((i) => [i.kind, i.recordId]).sort(), [['draft', draft], ['outgoing', issued]].sort());
    const iss = withDraft.items.find((i) => i.kind === 'outgoing')!;
    assert.match(iss.numberSymbol, /\/KH-/);
    assert.equal(iss.issuer, 'Văn phòng Tỉnh ủy Quảng Ninh');
    assert.equal(desk.db.prepare('SELECT count(*) FROM c_mat.work_file_items WHERE work_file_id = ? AND kind = ?').pluck().get(fileId, 'draft'), 1);

    // The outsider's own file: the Mật draft is outside their need-to-know (not in its life): refused, recorded, nothing added.
    const own = await desk.workFiles.create(clerk, { year, notation: '11.VP', title: 'Hồ sơ của chuyên viên khác', retention: 5, responsibleUserId: outsider.id });
    await desk.workFiles.open(outsider, own.id);
    const m = refusals('workfile.add', 'workFile.docNotVisible');
    await assert.rejects(desk.workFiles.addItem(outsider, { fileId: own.id, kind: 'draft', recordId: draft }), refused('workFile.docNotVisible'));
    assert.equal(refusals('workfile.add', 'workFile.docNotVisible'), m + 1);
    assert.equal(desk.workFiles.get(outsider, own.id).items.length, 0);
    // An issued Thường document is open to the agency: the outsider may file it.
    assert.equal((await desk.workFiles.addItem(outsider, { fileId: own.id, kind: 'outgoing', recordId: issued })).items.length, 1);
    assert.deepEqual(desk.workFiles.forRecord(drafter, 'outgoing', issued).map((x) => x.id), [fileId], 'the outsider\'s file is not known to the drafter');
  });

  it('a closed file refuses additions; its PDF holds the outgoing document\'s signed PDF and the draft in date order', async () => {
    const extra = await outgoing('LATE', 'thuong', true);
    await desk.workFiles.close(drafter, { fileId });
    await assert.rejects(desk.workFiles.addItem(drafter, { fileId, kind: 'outgoing', recordId: extra }), refused('workFile.closed'));
    assert.equal(desk.workFiles.get(drafter, fileId).items.length, 2);

    const ctx = { desk, guard: undefined as never, attachmentUrl: (t: string) => `app://securedesk/blob/${t}` } satisfies HandlerContext;
    const out = await handlers['workFiles.export'](ctx, { fileId });
    const pdf = desk.outputs.take(out.pdf.ticket)!;
    assert.equal(pdf.level, 'mat');
    assert.equal(pdfPageInfo(pdf.bytes).length, out.tocPages + 4, 'the contents, then two pages of each document');
    const pages = pdfTextPages(pdf.bytes);
    const toc = pages.slice(0, out.tocPages).join(' ');
    const numberSymbol = desk.outgoing.get(clerk, issued).numberSymbol!;
    assert.ok(toc.includes(numberSymbol), 'the contents name the issued document by its number');
    // Both are dated today: in the order they were filed (the issued document first).
    const body = pages.slice(out.tocPages).map((p) => (p.match(/(ISSUED-KH|DRAFT-MAT) page \d/) ?? [''])[0]);
    assert.deepEqual(body, ['ISSUED-KH page 1', 'ISSUED-KH page 2', 'DRAFT-MAT page 1', 'DRAFT-MAT page 2']);
    // What was merged is the signed PDF: the signatures' visible appearance (signer's name) is on its pages.
    const issuedText = pages.slice(out.tocPages, out.tocPages + 2).join(' ');
    assert.match(issuedText, /Nguyễn Văn Ký/);
    assert.doesNotMatch(pages.slice(out.tocPages + 2).join(' '), /Nguyễn Văn Ký/, 'the unsigned draft carries no signature');
  });
});

describe('need-to-know of work files', () => {
  let unitId: number;
  let head: Actor;
  let member: Actor;
  let low: Actor;
  let fileId: number;
  let unitFileId: number;

  before(async () => {
    const it = addActor(desk, 'quan_tri', 'tuyet_mat', 'Hoàng Quản Trị');
    unitId = (await desk.internalUnits.add(it, { name: 'Phòng Tổng hợp' })).id;
    head = addActor(desk, 'chuyen_vien', 'mat', 'Vũ Văn Trưởng');
    member = addActor(desk, 'chuyen_vien', 'mat', 'Lý Thị Thành Viên');
    low = addActor(desk, 'chuyen_vien', 'tuyet_mat', 'Kẻ Tò Mò');
    await desk.structure.setMember(it, { userId: head.id, unitId, unitRole: 'head' });
    await desk.structure.setMember(it, { userId: member.id, unitId, unitRole: 'member' });
    fileId = (await desk.workFiles.create(clerk, { year, notation: '20.TH', title: 'Hồ sơ thanh tra nội bộ', retention: 20, responsibleUnitId: unitId, responsibleUserId: drafter.id })).id;
    unitFileId = (await desk.workFiles.create(clerk, { year, notation: '21.TH', title: 'Hồ sơ chưa giao người', retention: 5, responsibleUnitId: unitId })).id;
  });

  it('knows a file: the văn thư, lãnh đạo, its handler, its unit\'s leaders; a member only while it is assigned to no one', () => {
    const codes = (a: Actor) => desk.workFiles.year(a, year).files.map((f) => f.notation).filter((n) => n.startsWith('2')).sort();
    assert.deepEqual(codes(clerk), ['20.TH', '21.TH']);
    assert.deepEqual(codes(signer), ['20.TH', '21.TH'], 'a lãnh đạo');
    assert.deepEqual(codes(drafter), ['20.TH'], 'the handler');
    assert.deepEqual(codes(head), ['20.TH', '21.TH'], 'the head of the responsible unit');
    assert.deepEqual(codes(member), ['21.TH'], 'a member, for the file no one is assigned yet');
    assert.deepEqual(codes(low), []);
  });

  it('attacker: a low person calling the core and the IPC handlers directly learns nothing, and each try is audited', async () => {
    const before = desk.db.prepare("SELECT count(*) FROM audit_log WHERE outcome = 'refused' AND reason = 'workFile.notFound' AND user_id = ?").pluck().get(low.id) as number;
    assert.throws(() => desk.workFiles.get(low, fileId), refused('workFile.notFound'));
    await assert.rejects(desk.workFiles.open(low, fileId), refused('workFile.notFound'));
    await assert.rejects(desk.workFiles.update(low, { fileId, title: 'Đổi' }), refused('workFile.notFound'));
    await assert.rejects(desk.workFiles.share(low, { fileId, userId: low.id }), refused('workFile.notFound'));
    await assert.rejects(desk.workFiles.addItem(low, { fileId, kind: 'outgoing', recordId: 1 }), refused('workFile.notFound'));
    // The same through IPC, with the low person's session.
    const lowDesk = Object.create(desk, { session: { value: low } }) as Desk;
    const ctx = { desk: lowDesk, guard: undefined as never, attachmentUrl: (t: string) => t } satisfies HandlerContext;
    assert.deepEqual((await handlers['workFiles.year'](ctx, { year })).files.filter((f) => f.id === fileId || f.id === unitFileId), []);
    await assert.rejects(async () => handlers['workFiles.get'](ctx, { fileId }), refused('workFile.notFound'));
    await assert.rejects(async () => handlers['workFiles.export'](ctx, { fileId }), refused('workFile.notFound'));
    await assert.rejects(async () => handlers['workFiles.share'](ctx, { fileId, userId: low.id }), refused('workFile.notFound'));
    assert.deepEqual(await handlers['workFiles.openFiles'](ctx, {}), []);
    assert.deepEqual(await handlers['workFiles.transfers'](ctx, {}), []);
    const after = desk.db.prepare("SELECT count(*) FROM audit_log WHERE outcome = 'refused' AND reason = 'workFile.notFound' AND user_id = ?").pluck().get(low.id) as number;
    assert.equal(after - before, 8);
    // The same answer as for a file that does not exist: nothing tells the two apart.
    assert.throws(() => desk.workFiles.get(low, 999_999), refused('workFile.notFound'));
  });

  it('sharing: by the handler, a leader or the văn thư, with someone cleared for the file; then they know it', async () => {
    await assert.rejects(desk.workFiles.share(member, { fileId: unitFileId, userId: low.id }), refused('workFile.shareNotAllowed'));
    await desk.workFiles.share(clerk, { fileId, userId: low.id });
    assert.equal(desk.workFiles.get(low, fileId).title, 'Hồ sơ thanh tra nội bộ');
    assert.equal(desk.db.prepare("SELECT count(*) FROM main.events WHERE entity = 'work_file_shares' AND kind = 'create'").pluck().get(), 1);
    assert.throws(() => desk.db.prepare('DELETE FROM work_file_shares').run(), /a share is a record/);
    // Still nobody else: the member of the unit does not learn of the assigned file.
    assert.throws(() => desk.workFiles.get(member, fileId), refused('workFile.notFound'));
    const junior = addActor(desk, 'chuyen_vien', 'thuong', 'Lê Văn Mới');
    const mat = await desk.incoming.register(clerk, await registration(desk, clerk, { secrecy: 'mat', subject: 'Văn bản mật của hồ sơ' }));
    await desk.workFiles.open(drafter, fileId);
    await desk.grants.grant(signer, { incomingId: mat.id, userId: drafter.id, reason: 'Lập hồ sơ' });
    await desk.workFiles.addItem(drafter, { fileId, kind: 'incoming', recordId: mat.id });
    await assert.rejects(desk.workFiles.share(drafter, { fileId, userId: junior.id }), refused('workFile.shareNotCleared'));
  });

  it('withdrawing a share: by who shared it, the handler, a leader or the văn thư; recorded; the person no longer learns of the file', async () => {
    const peer = addActor(desk, 'chuyen_vien', 'tuyet_mat', 'Phan Văn Cùng');
    await desk.workFiles.share(drafter, { fileId, userId: peer.id });
    assert.equal(desk.workFiles.get(peer, fileId).title, 'Hồ sơ thanh tra nội bộ');
    // Those who may withdraw see the live shares; the person shared with does not.
    assert.deepEqual(desk.workFiles.get(drafter, fileId).shares.map((x) => [x.name, x.sharedBy, x.mayWithdraw]), [['Kẻ Tò Mò', 'Nguyễn Thị Hương', true], ['Phan Văn Cùng', 'Trần Văn Soạn', true]]);
    assert.deepEqual(desk.workFiles.get(peer, fileId).shares, []);
    // Attackers: the person shared with (not its sharer), and the low person through the IPC, refused and audited.
    await assert.rejects(desk.workFiles.unshare(peer, { fileId, userId: low.id }), refused('workFile.unshareNotAllowed'));
    const peerDesk = Object.create(desk, { session: { value: peer } }) as Desk;
    const peerCtx = { desk: peerDesk, guard: undefined as never, attachmentUrl: (t: string) => t } satisfies HandlerContext;
    await assert.rejects(async () => handlers['workFiles.unshare'](peerCtx, { fileId, userId: low.id }), refused('workFile.unshareNotAllowed'));
    const memberDesk = Object.create(desk, { session: { value: member } }) as Desk;
    await assert.rejects(async () => handlers['workFiles.unshare']({ desk: memberDesk, guard: undefined as never, attachmentUrl: (t: string) => t }, { fileId, userId: peer.id }), refused('workFile.notFound'));
    assert.equal(desk.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'workfile.unshare' AND outcome = 'refused' AND reason = 'workFile.unshareNotAllowed'").pluck().get(), 2);
    assert.equal(desk.workFiles.get(low, fileId).title, 'Hồ sơ thanh tra nội bộ', 'nothing withdrawn by a refusal');
    await assert.rejects(desk.workFiles.unshare(clerk, { fileId, userId: member.id }), refused('workFile.shareNotFound'));
    // The handler withdraws the share the văn thư made; the văn thư withdraws the handler's, through the IPC.
    const ev = desk.db.prepare("SELECT count(*) FROM main.events WHERE entity = 'work_file_shares' AND kind = 'update'").pluck();
    const updates = ev.get() as number;
    const after = await desk.workFiles.unshare(drafter, { fileId, userId: low.id });
    assert.deepEqual(after.shares.map((x) => x.name), ['Phan Văn Cùng']);
    const clerkDesk = Object.create(desk, { session: { value: clerk } }) as Desk;
    await handlers['workFiles.unshare']({ desk: clerkDesk, guard: undefined as never, attachmentUrl: (t: string) => t }, { fileId, userId: peer.id });
    assert.equal(ev.get(), updates + 2);
    // Need-to-know follows: neither learns of the file any more (NOT_FOUND, as for a file that does not exist).
    assert.throws(() => desk.workFiles.get(low, fileId), refused('workFile.notFound'));
    assert.throws(() => desk.workFiles.get(peer, fileId), refused('workFile.notFound'));
    assert.equal(desk.workFiles.year(peer, year).files.some((f) => f.id === fileId), false);
    const row = desk.db.prepare('SELECT withdrawn_at, withdrawn_by FROM work_file_shares WHERE work_file_id = ? AND user_id = ?').get(fileId, low.id) as { withdrawn_at: string; withdrawn_by: number };
    assert.equal(row.withdrawn_by, drafter.id);
    const audit = JSON.parse(desk.db.prepare("SELECT details FROM audit_log WHERE action = 'workfile.unshare' AND outcome = 'ok' ORDER BY id LIMIT 1").pluck().get() as string) as Record<string, unknown>;
    assert.deepEqual([audit.user, audit.sharedBy], [low.id, clerk.id]);
    await assert.rejects(desk.workFiles.unshare(clerk, { fileId, userId: low.id }), refused('workFile.shareAlreadyWithdrawn'));
    // Shared again: they know it again.
    await desk.workFiles.share(clerk, { fileId, userId: low.id });
    assert.equal(desk.workFiles.get(low, fileId).title, 'Hồ sơ thanh tra nội bộ');
  });
});
