// Work files across compartments: a filed document raised to Mật takes its membership with it into
// the Mật compartment, the closed file carries the new level and its export leaves at that level; a
// document with no PDF stops the export with a specific, audited refusal.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { todayIso } from '../../common/dates';
import { DeskError } from '../../common/errors';
import type { Desk } from '../../main/core/desk';
import type { Actor } from '../../main/core/org/rights';
import { handlers, type HandlerContext } from '../../main/ipc/handlers';
import { addActor, newDesk, registration, stageBytes } from '../helpers/desk';
import { pdfPageInfo } from '../helpers/pdfOracle';
import { markedPdf } from '../helpers/workfilePdfs';

let env: Awaited<ReturnType<typeof newDesk>>;
let desk: Desk;
let clerk: Actor;
let leader: Actor;

before(async () => {
  env = await newDesk();
  desk = env.desk;
  clerk = env.admin;
  leader = addActor(desk, 'lanh_dao', 'tuyet_mat', 'Trần Văn Lãnh');
});

after(() => env.cleanup());

const refused = (key: string) => (e: unknown) => e instanceof DeskError && e.key === key;
const year = Number(todayIso().slice(0, 4));

async function registerPdf(marker: string, pages: number): Promise<number> {
  const staged = await stageBytes(desk, clerk, await markedPdf(marker, pages), `${marker}.pdf`);
  return (await desk.incoming.register(clerk, await registration(desk, clerk, { stagedIds: [staged.stagedId], subject: `Văn bản ${marker}` }))).id;
}

test('a filed document raised to Mật: its membership moves with it; the closed file and its export are Mật', async () => {
  const a = await registerPdf('RAISED', 2);
  const b = await registerPdf('PLAIN', 1);
  const f = await desk.workFiles.create(clerk, { year, notation: '05.BM', title: 'Hồ sơ công tác bảo mật', retention: 20 });
  await desk.workFiles.open(leader, f.id);
  await desk.workFiles.addItem(leader, { fileId: f.id, kind: 'incoming', recordId: a });
  await desk.workFiles.addItem(leader, { fileId: f.id, kind: 'incoming', recordId: b });
  assert.equal(desk.db.prepare('SELECT count(*) FROM c_thuong.work_file_items WHERE work_file_id = ?').pluck().get(f.id), 2);

  const change = await desk.levels.propose(leader, { incomingId: a, kind: 'raise', toLevel: 'mat', authority: 'Chánh Văn phòng', reason: 'Nội dung thuộc bí mật nhà nước', decidedOn: todayIso(desk.now()) });
  await desk.levels.confirm(clerk, { changeId: change.id });
  assert.equal(desk.db.prepare('SELECT count(*) FROM c_thuong.work_file_items WHERE work_file_id = ?').pluck().get(f.id), 1);
  assert.equal(desk.db.prepare('SELECT count(*) FROM c_mat.work_file_items WHERE work_file_id = ? AND incoming_id = ?').pluck().get(f.id, a), 1, 'moved with the record');
  const detail = desk.workFiles.get(leader, f.id);
  assert.deepEqual(detail.items.map((i) => [i.recordId, i.secrecy]).sort(), [[a, 'mat'], [b, 'thuong']].sort());

  // An officer cleared for Thường only: not told of the file until it is shared with them; then they see
  // its one Thường document and may not close or export it.
  const officer = addActor(desk, 'chuyen_vien', 'thuong', 'Lê Văn Thường');
  assert.throws(() => desk.workFiles.get(officer, f.id), refused('workFile.notFound'));
  await desk.workFiles.share(leader, { fileId: f.id, userId: officer.id });
  assert.equal(desk.workFiles.get(officer, f.id).items.length, 1);

  const closed = await desk.workFiles.close(leader, { fileId: f.id });
  assert.equal(closed.secrecy, 'mat', 'the closed file carries the level of what it holds');
  // Marked Mật, the file is beyond the officer's clearance: shared or not, they no longer learn of it.
  assert.throws(() => desk.workFiles.get(officer, f.id), refused('workFile.notFound'));
  assert.ok(!desk.workFiles.year(officer, year).files.some((x) => x.id === f.id));
  const ctx = { desk, guard: undefined as never, attachmentUrl: (t: string) => `app://securedesk/blob/${t}` } satisfies HandlerContext;
  const out = await handlers['workFiles.export'](ctx, { fileId: f.id });
  const pdf = desk.outputs.take(out.pdf.ticket)!;
  assert.equal(pdf.level, 'mat');
  assert.equal(pdfPageInfo(pdf.bytes).length, out.tocPages + 3);
});

test('a document without a PDF: the export is refused with its reason and recorded', async () => {
  const staged = await stageBytes(desk, clerk, 'Ghi chú viết tay đã được đánh máy lại.', 'ghi-chu.txt');
  const note = (await desk.incoming.register(clerk, await registration(desk, clerk, { stagedIds: [staged.stagedId], subject: 'Ghi chú' }))).id;
  const f = await desk.workFiles.create(clerk, { year, notation: '06.GC', title: 'Hồ sơ ghi chú', retention: 5 });
  await desk.workFiles.open(clerk, f.id);
  await desk.workFiles.addItem(clerk, { fileId: f.id, kind: 'incoming', recordId: note });
  await desk.workFiles.close(clerk, { fileId: f.id });
  await assert.rejects(desk.exportWorkFile(clerk, f.id), refused('workFile.noPdf'));
  assert.equal(desk.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'workfile.export' AND outcome = 'refused' AND reason = 'workFile.noPdf'").pluck().get(), 1);
  // An open file is not exported.
  const g = await desk.workFiles.create(clerk, { year, notation: '07.GC', title: 'Hồ sơ đang lập', retention: 5 });
  await assert.rejects(desk.exportWorkFile(clerk, g.id), refused('workFile.notClosed'));
});
