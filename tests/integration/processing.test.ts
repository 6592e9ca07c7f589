// Processing incoming documents (issue 8 §2): submission due on working days, the leader's direction,
// assignment, handling, extension and completion, each step a timeline row with its event and audit
// entry; out-of-turn steps refused with their specific reason and nothing written; need-to-know: an
// officer nobody assigned sees and does nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import ExcelJS from 'exceljs';
import { Readable } from 'node:stream';
import { addDaysIso, todayIso } from '../../common/dates';
import { DeskError } from '../../common/errors';
import type { Desk } from '../../main/core/desk';
import type { Actor } from '../../main/core/org/rights';
import { eventsSince } from '../../main/core/events/eventLog';
import { addActor, newDesk, pdfBytes, registration } from '../helpers/desk';

// Wednesday 29/04/2026, 09:00 in Hà Nội: the next working day is Monday 04/05 (30/4 and 1/5 are
// holidays, then a weekend).
let clock = new Date('2026-04-29T02:00:00Z');
let env: Awaited<ReturnType<typeof newDesk>>;
let desk: Desk;
let clerk: Actor;
let leader: Actor;
let deputy: Actor;
let handler: Actor;
let helper: Actor;
let outsider: Actor;
let it: Actor;
let unitId: number;
let otherUnitId: number;

const refused = async (run: () => unknown, code: string, key?: string) => {
  try {
    await run();
  } catch (err) {
    assert.ok(err instanceof DeskError, String(err));
    assert.equal(err.code, code, `${err.code} ${err.key ?? ''}`);
    if (key) assert.equal(err.key, key);
    return;
  }
  assert.fail(`expected ${code} ${key ?? ''}`);
};

/** Rows that any step writes: if a refusal wrote nothing, these are unchanged. */
const footprint = (c = 'c_mat') => ({
  steps: desk.db.prepare(`SELECT count(*) FROM ${c}.processing_steps`).pluck().get(),
  tasks: desk.db.prepare(`SELECT group_concat(id || state || due || progress || ifnull(extension_until, '')) FROM ${c}.processing_tasks`).pluck().get(),
  docs: desk.db.prepare(`SELECT group_concat(id || status || edxml_status) FROM ${c}.incoming`).pluck().get(),
  events: desk.db.prepare(`SELECT count(*) FROM ${c}.events`).pluck().get(),
});
const refusedAudited = (reason: string) =>
  (desk.db.prepare("SELECT count(*) FROM audit_log WHERE outcome = 'refused' AND reason = ?").pluck().get(reason) as number) > 0;

async function register(over: Parameters<typeof registration>[2] = {}) {
  return desk.incoming.register(clerk, await registration(desk, clerk, { secrecy: 'mat', ...over }));
}

before(async () => {
  env = await newDesk('state', undefined, { now: () => clock });
  desk = env.desk;
  clerk = env.admin;
  leader = addActor(desk, 'lanh_dao', 'toi_mat', 'Trần Văn Lãnh');
  deputy = addActor(desk, 'lanh_dao', 'mat', 'Lê Thị Phó');
  handler = addActor(desk, 'chuyen_vien', 'mat', 'Phạm Văn Xử');
  helper = addActor(desk, 'chuyen_vien', 'mat', 'Đỗ Thị Phối');
  outsider = addActor(desk, 'chuyen_vien', 'mat', 'Vũ Văn Ngoài');
  it = addActor(desk, 'quan_tri', 'mat', 'Hoàng Quản Trị');
  unitId = (await desk.internalUnits.add(it, { name: 'Phòng Tổng hợp' })).id;
  otherUnitId = (await desk.internalUnits.add(it, { name: 'Phòng Hành chính' })).id;
});
after(() => env.cleanup());

describe('the flow of one document', () => {
  let docId: number;

  test('submission: due the next working day after the holidays, urgent ones at once; only the văn thư submits, only to a leader', async () => {
    docId = (await register({ subject: 'Về việc kiểm tra công tác bảo vệ bí mật nhà nước' })).id;
    const fresh = desk.processing.state(clerk, docId);
    assert.equal(fresh.status, 'registered');
    assert.equal(fresh.edxmlStatus, '03');
    assert.deepEqual(fresh.submission, { dueDate: '2026-05-04', atOnce: false, late: false });
    assert.equal(fresh.actions.submit, true);

    const urgent = (await register({ urgency: 'hoa_toc' })).id;
    assert.deepEqual(desk.processing.state(clerk, urgent).submission, { dueDate: '2026-04-29', atOnce: true, late: false });

    const before = footprint();
    await refused(() => desk.processing.direct(leader, { incomingId: docId, text: 'Giao Phòng Tổng hợp', lead: { unitId } }), 'VALIDATION', 'processing.notSubmitted');
    await refused(() => desk.processing.submit(leader, { incomingId: docId, leaderId: leader.id }), 'FORBIDDEN', 'processing.notClerk');
    await refused(() => desk.processing.submit(clerk, { incomingId: docId, leaderId: handler.id }), 'VALIDATION', 'processing.notLeaderTarget');
    assert.deepEqual(footprint(), before, 'refusals write nothing');
    assert.ok(refusedAudited('processing.notSubmitted') && refusedAudited('processing.notClerk'));

    const s = await desk.processing.submit(clerk, { incomingId: docId, leaderId: leader.id, note: 'Kính trình đồng chí' });
    assert.equal(s.status, 'submitted');
    assert.equal(s.steps.length, 1);
    assert.equal(s.steps[0]!.kind, 'submit');
    assert.equal(s.steps[0]!.deadline, '2026-05-04');
    await refused(() => desk.processing.submit(clerk, { incomingId: docId, leaderId: deputy.id }), 'VALIDATION', 'processing.alreadySubmitted');

    const waiting = desk.processing.inbox(leader, { box: 'opinion' });
    assert.deepEqual(waiting.map((w) => w.incomingId), [docId]);
    assert.equal(waiting[0]!.due, '2026-05-04');
    assert.equal(desk.processing.notices(leader).opinion, 1);
  });

  test('need-to-know: an officer nobody assigned neither sees the document nor acts on it', async () => {
    await refused(() => desk.incoming.get(outsider, docId), 'NOT_FOUND');
    await refused(() => desk.processing.state(outsider, docId), 'NOT_FOUND');
    await refused(() => desk.processing.return(outsider, { incomingId: docId, reason: 'Thử' }), 'NOT_FOUND');
    const leaderTask = desk.processing.state(leader, docId).tasks[0]!.id;
    await refused(() => desk.processing.progress(outsider, { taskId: leaderTask, percent: 10, note: 'Thử' }), 'NOT_FOUND', 'processing.taskNotFound');
    assert.deepEqual(desk.processing.inbox(outsider, { box: 'handle' }), []);
    assert.ok(!desk.incoming.list(outsider, { sort: { field: 'arrival', dir: 'desc' }, offset: 0, limit: 50 }).some((r) => r.id === docId));
  });

  test('direction: by a leader only, once; a change is an explicit revision of the current one', async () => {
    await refused(() => desk.processing.direct(clerk, { incomingId: docId, text: 'X', lead: { unitId } }), 'FORBIDDEN', 'processing.notLeader');
    await refused(() => desk.processing.direct(leader, { incomingId: docId, text: 'X', lead: { unitId, deadline: '2026-04-01' } }), 'VALIDATION', 'processing.deadlinePast');
    const first = await desk.processing.direct(leader, {
      incomingId: docId, text: 'Giao Phòng Hành chính chủ trì', lead: { unitId: otherUnitId, deadline: '2026-05-15' },
    });
    assert.equal(first.status, 'assigned');
    assert.equal(first.edxmlStatus, '04');
    assert.equal(desk.processing.notices(leader).opinion, 0, 'answered: out of the leader\'s inbox');
    const before = footprint();
    await refused(() => desk.processing.direct(deputy, { incomingId: docId, text: 'Lần hai', lead: { unitId } }), 'VALIDATION', 'processing.alreadyDirected');
    await refused(() => desk.processing.direct(leader, { incomingId: docId, text: 'Sửa', lead: { unitId }, revisesStepId: first.steps[0]!.id }), 'VALIDATION', 'processing.staleRevision');
    assert.deepEqual(footprint(), before);

    const revised = await desk.processing.direct(leader, {
      incomingId: docId, text: 'Giao Phòng Tổng hợp chủ trì, đồng chí Phối phối hợp, đồng chí Phó để biết', revisesStepId: first.currentDirectionId!,
      lead: { unitId, deadline: '2026-05-12' }, cooperate: [{ userId: helper.id, deadline: '2026-05-08' }], inform: [{ userId: deputy.id }],
    });
    assert.equal(revised.steps.at(-1)!.revisesId, first.currentDirectionId);
    const old = revised.tasks.find((t) => t.unitId === otherUnitId)!;
    assert.equal(old.state, 'closed', 'the revised direction\'s tasks are superseded');
    const lead = revised.tasks.find((t) => t.role === 'lead' && t.state === 'open')!;
    assert.equal(lead.unitId, unitId);
    assert.equal(lead.due, '2026-05-12');
    assert.equal(revised.tasks.find((t) => t.role === 'cooperate')!.due, '2026-05-08');
    assert.equal(revised.tasks.find((t) => t.role === 'inform')!.state, 'info');
    // Co-operating and informed people now see the document.
    assert.equal(desk.incoming.get(helper, docId).id, docId);
    assert.equal(desk.incoming.get(deputy, docId).id, docId);
    assert.deepEqual(desk.processing.inbox(leader, { box: 'unit', unitId }).map((i) => i.incomingId), [docId]);
    await refused(() => desk.processing.inbox(handler, { box: 'unit', unitId }), 'FORBIDDEN', 'processing.unitInboxDenied');
  });

  test('assignment: only who may assign for the unit; the handler gains need-to-know', async () => {
    const st = desk.processing.state(leader, docId);
    const lead = st.tasks.find((t) => t.role === 'lead' && t.state === 'open')!;
    await refused(() => desk.processing.assign(helper, { taskId: lead.id, handlerId: handler.id }), 'FORBIDDEN', 'processing.mayNotAssign');
    await refused(() => desk.processing.assign(leader, { taskId: lead.id, handlerId: handler.id, deadline: '2026-05-20' }), 'VALIDATION', 'processing.deadlineAfterParent');
    const tooLow = addActor(desk, 'chuyen_vien', 'thuong', 'Ngô Văn Thường');
    await refused(() => desk.processing.assign(leader, { taskId: lead.id, handlerId: tooLow.id }), 'VALIDATION', 'processing.notCleared');
    await refused(() => desk.incoming.get(handler, docId), 'NOT_FOUND');
    const s = await desk.processing.assign(leader, { taskId: lead.id, handlerId: handler.id, note: 'Đồng chí Xử dự thảo văn bản trả lời' });
    const handle = s.tasks.find((t) => t.role === 'handle')!;
    assert.equal(handle.userId, handler.id);
    assert.equal(handle.due, '2026-05-12');
    assert.equal(s.tasks.find((t) => t.id === lead.id)!.state, 'delegated');
    assert.equal(desk.incoming.get(handler, docId).id, docId);
    assert.deepEqual(desk.processing.inbox(handler, { box: 'handle' }).map((i) => i.taskId), [handle.id]);
    assert.deepEqual(desk.processing.state(handler, docId).actions.handle, [handle.id]);
    await refused(() => desk.processing.assign(leader, { taskId: lead.id, handlerId: helper.id }), 'VALIDATION', 'processing.taskClosed');
  });

  test('handling: progress, a draft, an extension asked and decided; completing a task that is not yours is refused', async () => {
    const handle = desk.processing.state(handler, docId).tasks.find((t) => t.role === 'handle')!;
    const coop = desk.processing.state(helper, docId).tasks.find((t) => t.role === 'cooperate')!;
    const p = await desk.processing.progress(handler, { taskId: handle.id, percent: 40, note: 'Đã làm việc với các đơn vị liên quan' });
    assert.equal(p.status, 'processing');
    assert.equal(p.edxmlStatus, '05');

    const before = footprint();
    await refused(() => desk.processing.complete(helper, { taskId: handle.id }), 'FORBIDDEN', 'processing.notYourTask');
    await refused(() => desk.processing.progress(leader, { taskId: handle.id, percent: 50, note: 'x' }), 'FORBIDDEN', 'processing.notYourTask');
    assert.deepEqual(footprint(), before);
    assert.ok(refusedAudited('processing.notYourTask'));

    const staged = await desk.processing.stageDraft(handler, Readable.from([Buffer.from(await pdfBytes('Dự thảo công văn trả lời'))]), 'du-thao.pdf');
    const d = await desk.processing.attachDraft(handler, { taskId: handle.id, stagedId: staged.stagedId, note: 'Dự thảo lần 1' });
    const draft = d.steps.at(-1)!;
    assert.equal(draft.kind, 'draft');
    const attachmentId = draft.data.attachmentId as number;
    assert.equal(desk.incoming.get(handler, docId).attachments.length, 1, 'a draft is not one of the document\'s own files');
    assert.equal(desk.attachments.open(handler, attachmentId).name, 'du-thao.pdf');

    await refused(() => desk.processing.requestExtension(handler, { taskId: handle.id, until: '2026-05-11', reason: 'x' }), 'VALIDATION', 'processing.extensionNotLater');
    const asked = await desk.processing.requestExtension(handler, { taskId: handle.id, until: '2026-05-19', reason: 'Chờ ý kiến của Sở Tài chính' });
    assert.equal(asked.tasks.find((t) => t.id === handle.id)!.extensionUntil, '2026-05-19');
    await refused(() => desk.processing.requestExtension(handler, { taskId: handle.id, until: '2026-05-20', reason: 'x' }), 'VALIDATION', 'processing.extensionPending');
    await refused(() => desk.processing.decideExtension(handler, { taskId: handle.id, grant: true }), 'FORBIDDEN', 'processing.mayNotDecide');
    assert.equal(desk.processing.notices(leader).extensions, 1);
    assert.deepEqual(desk.processing.state(leader, docId).actions.decide, [handle.id]);
    const granted = await desk.processing.decideExtension(leader, { taskId: handle.id, grant: true, note: 'Đồng ý' });
    assert.equal(granted.tasks.find((t) => t.id === handle.id)!.due, '2026-05-19');
    await refused(() => desk.processing.decideExtension(leader, { taskId: handle.id, grant: false }), 'VALIDATION', 'processing.noExtensionPending');

    // The co-operating officer finishes her own part; the document is still in processing.
    const c = await desk.processing.complete(helper, { taskId: coop.id, note: 'Đã góp ý' });
    assert.equal(c.status, 'processing');
  });

  test('reminders: due soon, then overdue (for the handler and, past the grace, the leaders)', async () => {
    clock = new Date('2026-05-18T02:00:00Z'); // Monday 18/05: the task is due Tuesday 19/05
    const due = desk.processing.inbox(handler, { box: 'due' });
    assert.equal(due.length, 1);
    assert.equal(due[0]!.dueSoon, true);
    assert.equal(due[0]!.workingDaysLeft, 1);
    assert.equal(desk.processing.notices(handler).dueSoon, 1);
    clock = new Date('2026-05-21T02:00:00Z'); // Thursday 21/05: two working days late
    const late = desk.processing.inbox(leader, { box: 'due' }).find((i) => i.incomingId === docId)!;
    assert.equal(late.overdue, true);
    assert.equal(late.workingDaysLeft, -2);
    const n = desk.processing.notices(handler);
    assert.equal(n.overdue, 1);
    assert.equal(n.dueSoon, 0);
    assert.ok(desk.processing.notices(leader).escalated >= 1);
  });

  test('completion with the reply finishes the document; nothing more can be done to it', async () => {
    const handle = desk.processing.state(handler, docId).tasks.find((t) => t.role === 'handle')!;
    const done = await desk.processing.complete(handler, { taskId: handle.id, note: 'Đã trình ký văn bản trả lời', reply: { numberSymbol: '125/UBND-VP' } });
    assert.equal(done.status, 'done');
    assert.equal(done.edxmlStatus, '06');
    assert.equal(done.steps.at(-1)!.data.reply && (done.steps.at(-1)!.data.reply as { numberSymbol: string }).numberSymbol, '125/UBND-VP');
    assert.ok(done.tasks.every((t) => t.state !== 'open' && t.state !== 'delegated'));
    assert.equal(desk.incoming.list(clerk, { sort: { field: 'arrival', dir: 'desc' }, offset: 0, limit: 50, status: ['done'] })[0]!.id, docId);
    await refused(() => desk.processing.progress(handler, { taskId: handle.id, percent: 100, note: 'x' }), 'VALIDATION', 'processing.finished');
    await refused(() => desk.processing.return(leader, { incomingId: docId, reason: 'x' }), 'VALIDATION', 'processing.finished');
    // The timeline: every step in order, each an immutable row with its change event in the level's log.
    const kinds = done.steps.map((s) => s.kind);
    assert.deepEqual(kinds, ['submit', 'direct', 'direct', 'assign', 'progress', 'draft', 'extension_request', 'extension_decision', 'complete', 'complete']);
    const gids = desk.db.prepare('SELECT global_id FROM c_mat.processing_steps WHERE incoming_id = ?').pluck().all(docId) as string[];
    const events = eventsSince(desk.db, 0, 10_000, 'c_mat').filter((e) => e.entity === 'processing_steps');
    for (const g of gids) assert.ok(events.some((e) => e.entityId === g && e.kind === 'create'));
    assert.throws(() => desk.db.prepare("UPDATE c_mat.processing_steps SET text = 'sửa' WHERE incoming_id = ?").run(docId), /immutable/);
    assert.ok(eventsSince(desk.db, 0, 10_000, 'main').every((e) => !e.entity.startsWith('processing')), 'no processing event in the base log');
  });
});

describe('returning, the register and the calendar', () => {
  test('a returned document (edXML 02) takes no further step', async () => {
    clock = new Date('2026-05-21T02:00:00Z');
    const id = (await register({ subject: 'Về việc đề nghị cung cấp thông tin' })).id;
    await desk.processing.submit(clerk, { incomingId: id, leaderId: deputy.id });
    await refused(() => desk.processing.return(handler, { incomingId: id, reason: 'x' }), 'NOT_FOUND');
    const r = await desk.processing.return(deputy, { incomingId: id, reason: 'Không thuộc thẩm quyền giải quyết của cơ quan' });
    assert.equal(r.status, 'returned');
    assert.equal(r.edxmlStatus, '02');
    await refused(() => desk.processing.direct(deputy, { incomingId: id, text: 'x', lead: { unitId } }), 'VALIDATION', 'processing.returned');
    assert.deepEqual(desk.processing.inbox(deputy, { box: 'opinion' }).filter((i) => i.incomingId === id), []);
  });

  test('Sổ theo dõi giải quyết văn bản đến: PDF and XLSX for the period, for the văn thư and leaders only', async () => {
    await refused(() => desk.processing.trackingRegister(handler, { from: '2026-01-01', to: '2026-12-31', format: 'pdf' }), 'FORBIDDEN', 'processing.notTrackingReader');
    const pdf = await desk.processing.trackingRegister(clerk, { from: '2026-04-01', to: '2026-05-31', format: 'pdf' });
    assert.equal(Buffer.from(pdf.bytes.subarray(0, 5)).toString(), '%PDF-');
    assert.equal(pdf.rows, 2, 'the documents that went into processing: the finished one and the returned one');
    const xlsx = await desk.processing.trackingRegister(leader, { from: '2026-04-01', to: '2026-05-31', format: 'xlsx' });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(xlsx.bytes) as unknown as ArrayBuffer);
    const cells: string[] = [];
    wb.worksheets[0]!.eachRow((row) => row.eachCell((c) => cells.push(String(c.value))));
    assert.ok(cells.includes('125/UBND-VP'), 'the reply\'s number-symbol is in the register');
    assert.ok(cells.some((c) => c.startsWith('Hoàn thành ngày 21/05/2026')));
    assert.ok(cells.some((c) => c.includes('Không thuộc thẩm quyền')), cells.join(' | '));
    await refused(() => desk.processing.trackingRegister(clerk, { from: '2026-04-01', to: '2027-01-31', format: 'pdf' }), 'VALIDATION', 'report.oneYear');
  });

  test('the working calendar is the administrator\'s: a holiday added moves the submission deadline', async () => {
    clock = new Date('2026-06-03T02:00:00Z'); // Wednesday
    const id = (await register({ subject: 'Về việc tổ chức hội nghị' })).id;
    assert.equal(desk.processing.state(clerk, id).submission!.dueDate, '2026-06-04');
    await refused(() => desk.processing.setCalendar(clerk, { weekend: [0, 6], holidays: [] }), 'FORBIDDEN');
    const cal = desk.processing.calendar(it);
    assert.ok(cal.holidays.some((h) => h.date === '2026-02-17' && h.name === 'Tết Nguyên đán'));
    await refused(() => desk.processing.setCalendar(it, { weekend: [0, 6], holidays: [{ date: '2026-06-04', name: 'A' }, { date: '2026-06-04', name: 'B' }] }), 'VALIDATION', 'processing.calendarInvalid');
    await desk.processing.setCalendar(it, { weekend: cal.weekend, holidays: [...cal.holidays, { date: '2026-06-04', name: 'Nghỉ theo quyết định của Tỉnh ủy' }] });
    assert.equal(desk.processing.state(clerk, id).submission!.dueDate, '2026-06-05');
    await desk.processing.setRules(it, { submitWorkingDays: 0, urgentAtOnce: true, remindBeforeDays: 3, remindAfterDays: 2 });
    assert.equal(desk.processing.state(clerk, id).submission!.dueDate, '2026-06-03', 'same working day by the agency\'s rule');
    assert.equal(desk.processing.rules(clerk).remindBeforeDays, 3);
  });
});

test('a level change moves the timeline and the tasks with the record; a handler not cleared for the new level loses it', async () => {
  clock = new Date('2026-06-03T02:00:00Z');
  const id = (await register({ subject: 'Về việc rà soát danh mục bí mật nhà nước' })).id;
  await desk.processing.submit(clerk, { incomingId: id, leaderId: leader.id });
  await desk.processing.direct(leader, { incomingId: id, text: 'Đồng chí Xử chủ trì', lead: { userId: handler.id } });
  const before = desk.processing.state(leader, id);
  const p = await desk.levels.propose(leader, { incomingId: id, kind: 'raise', toLevel: 'toi_mat', authority: 'Quyết định số 15/QĐ-VPTU', reason: 'Nâng độ mật theo danh mục mới', decidedOn: '2026-06-03' });
  await desk.levels.confirm(clerk, { changeId: p.id });
  assert.equal(desk.db.prepare('SELECT count(*) FROM c_mat.processing_steps WHERE incoming_id = ?').pluck().get(id), 0);
  assert.equal(desk.db.prepare('SELECT count(*) FROM c_toi_mat.processing_steps WHERE incoming_id = ?').pluck().get(id), before.steps.length);
  const after = desk.processing.state(leader, id);
  assert.deepEqual(after.steps.map((s) => [s.id, s.kind]), before.steps.map((s) => [s.id, s.kind]));
  assert.deepEqual(after.tasks.map((t) => [t.id, t.state]), before.tasks.map((t) => [t.id, t.state]));
  // The handler is cleared Mật only: raised above it, the document is out of his reach.
  await refused(() => desk.processing.state(handler, id), 'NOT_FOUND');
});

describe('who directs and assigns comes from the agency\'s structure', () => {
  test('a chuyên viên with a dated authority to direct receives and directs; a unit head assigns for the unit; without either, refused', async () => {
    const chief = addActor(desk, 'chuyen_vien', 'mat', 'Bùi Văn Chánh');
    const head = addActor(desk, 'chuyen_vien', 'mat', 'Ngô Thị Trưởng Phòng');
    const member = addActor(desk, 'chuyen_vien', 'mat', 'Tạ Văn Cán Bộ');
    const unit = (await desk.structure.createUnit(it, { name: 'Phòng Nghiên cứu', code: 'NC' })).result;
    await desk.structure.setMember(it, { userId: head.id, unitId: unit, unitRole: 'head' });
    await desk.structure.setMember(it, { userId: member.id, unitId: unit, unitRole: 'member' });
    const doc = (await register({ subject: 'Về việc nghiên cứu đề án' })).id;
    // Not yet a leader: neither a submission to him nor a direction by him.
    await refused(() => desk.processing.submit(clerk, { incomingId: doc, leaderId: chief.id }), 'VALIDATION', 'processing.notLeaderTarget');
    assert.equal(desk.processing.people(clerk, doc).leaders.some((p) => p.id === chief.id), false);
    await desk.structure.grantAuthority(it, { userId: chief.id, kind: 'direct', prefix: '', onBehalf: '', unitId: null, validFrom: '2026-01-01', validTo: null });
    assert.equal(desk.processing.people(clerk, doc).leaders.some((p) => p.id === chief.id), true);
    await desk.processing.submit(clerk, { incomingId: doc, leaderId: chief.id });
    const directed = await desk.processing.direct(chief, { incomingId: doc, text: 'Giao Phòng Nghiên cứu chủ trì', lead: { unitId: unit } });
    const unitTask = directed.tasks.find((t) => t.unitId === unit)!;
    // The unit's member is not told of it before it is assigned to him (need-to-know); its head assigns.
    await refused(() => desk.processing.assign(member, { taskId: unitTask.id, handlerId: member.id }), 'NOT_FOUND');
    assert.deepEqual(desk.processing.state(head, doc).actions.assign, [unitTask.id]);
    const assigned = await desk.processing.assign(head, { taskId: unitTask.id, handlerId: member.id, deadline: addDaysIso(todayIso(clock), 10) });
    assert.ok(assigned.tasks.some((t) => t.userId === member.id && t.role === 'handle'));

    // The dashboard lists documents of every held level without a distribution filter: not for a
    // person who only holds an authority to direct (he sees what was given to him), only for leaders.
    await refused(() => desk.processing.dashboard(chief), 'FORBIDDEN', 'processing.dashboardDenied');
    await refused(() => desk.processing.inbox(chief, { box: 'tracked', tracked: 'open' }), 'FORBIDDEN', 'processing.dashboardDenied');
    // The leader's dashboard counts it under the unit and the handler; each figure lists it.
    const board = desk.processing.dashboard(leader);
    const unitRow = board.units.find((u) => u.id === unit)!;
    const handlerRow = board.handlers.find((h) => h.id === member.id)!;
    assert.deepEqual([unitRow.name, unitRow.open, unitRow.overdue], ['Phòng Nghiên cứu', 1, 0]);
    assert.deepEqual([handlerRow.open, handlerRow.detail], [1, 'Phòng Nghiên cứu']);
    assert.ok(board.totals.open >= 1);
    const listed = desk.processing.inbox(leader, { box: 'tracked', tracked: 'open', unitId: unit });
    assert.deepEqual(listed.map((r) => r.incomingId), [doc]);
    assert.deepEqual(desk.processing.inbox(leader, { box: 'tracked', tracked: 'open', userId: member.id }).map((r) => r.incomingId), [doc]);
    assert.deepEqual(desk.processing.inbox(leader, { box: 'tracked', tracked: 'overdue', unitId: unit }), []);
    // Past its deadline it is overdue, in the figures and in the list.
    const saved = clock;
    clock = new Date(clock.getTime() + 20 * 86_400_000);
    try {
      const later = desk.processing.dashboard(leader);
      assert.equal(later.units.find((u) => u.id === unit)!.overdue, 1);
      assert.deepEqual(desk.processing.inbox(leader, { box: 'tracked', tracked: 'overdue', userId: member.id }).map((r) => r.incomingId), [doc]);
    } finally {
      clock = saved;
    }
    // An officer who neither directs nor keeps the register gets neither the dashboard nor its lists.
    await refused(() => desk.processing.dashboard(member), 'FORBIDDEN', 'processing.dashboardDenied');
    await refused(() => desk.processing.inbox(member, { box: 'tracked', tracked: 'open' }), 'FORBIDDEN', 'processing.dashboardDenied');
  });
});
