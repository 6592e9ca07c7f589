// The state-secret registers as outputs, from the records the person may see: the incoming BMNN
// register, the copy register and the hand-over register, as PDF (read back with pdftotext) and XLSX
// (read back with exceljs); Tuyệt mật entries without their subject; outputs audited.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import ExcelJS from 'exceljs';
import { todayIso } from '../../common/dates';
import type { Actor } from '../../main/core/org/rights';
import { addActor, newDesk, registration } from '../helpers/desk';
import { pdfTextPages } from '../helpers/pdfOracle';

let env: Awaited<ReturnType<typeof newDesk>>;
let leader: Actor;
let officer: Actor;
let today: string;

before(async () => {
  env = await newDesk();
  const { desk, admin } = env;
  today = todayIso(desk.now());
  leader = addActor(desk, 'lanh_dao', 'tuyet_mat', 'Trần Văn Lãnh');
  officer = addActor(desk, 'chuyen_vien', 'toi_mat', 'Phạm Văn Viên');
  const mat = await desk.incoming.register(admin, await registration(desk, admin, { secrecy: 'mat', numberSymbol: '101-CV/TU', subject: 'Về công tác bảo vệ bí mật' }));
  await desk.incoming.register(admin, await registration(desk, admin, { secrecy: 'tuyet_mat', numberSymbol: '7-KH/TW', subject: '' }));
  await desk.incoming.register(admin, await registration(desk, admin, { numberSymbol: '55/UBND-VX', subject: 'Văn bản thường không vào sổ mật' }));
  await desk.incoming.handOver(admin, { id: mat.id, userId: officer.id, note: 'Giao tận tay' });
  await desk.copies.make(leader, { incomingId: mat.id, kind: 'sao_y', copies: 2, reason: 'Gửi Ban Tổ chức' });
});
after(() => env.cleanup());

test('the incoming BMNN register as PDF and XLSX: secret entries only, Tuyệt mật without subject', async () => {
  const out = await env.desk.secretRegisters.output(env.admin, { kind: 'secret_incoming', format: 'pdf', from: `${today.slice(0, 4)}-01-01`, to: today });
  assert.equal(out.rows, 2);
  const text = pdfTextPages(out.bytes).join('\n').replace(/\s+/g, ' ');
  assert.ok(text.includes('101-CV/TU') && text.includes('7-KH/TW'), text.slice(0, 400));
  assert.ok(text.includes('Về công tác bảo vệ bí mật'));
  assert.ok(!text.includes('55/UBND-VX'), 'an ordinary document is not in the secret register');
  const xlsx = await env.desk.secretRegisters.output(env.admin, { kind: 'secret_incoming', format: 'xlsx', from: `${today.slice(0, 4)}-01-01`, to: today });
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(xlsx.bytes) as unknown as ArrayBuffer);
  const cells: string[] = [];
  wb.worksheets[0]!.eachRow((row) => row.eachCell((c) => cells.push(String(c.value))));
  assert.ok(cells.some((c) => c.includes('101-CV/TU')) && cells.some((c) => c.includes('7-KH/TW')));
  const audit = env.desk.db.prepare("SELECT count(*) FROM main.audit_log WHERE action = 'register.export'").pluck().get();
  assert.equal(audit, 2);
});

test('the copy and hand-over registers; a person sees only the entries of records they may see', async () => {
  const year = `${today.slice(0, 4)}-01-01`;
  const copies = await env.desk.secretRegisters.output(env.admin, { kind: 'secret_copies', format: 'pdf', from: year, to: today });
  assert.equal(copies.rows, 1);
  const ct = pdfTextPages(copies.bytes).join('\n').replace(/\s+/g, ' ');
  assert.ok(ct.includes('Sao y') && ct.includes('Trần Văn Lãnh') && ct.includes('101-CV/TU'), ct.slice(0, 500));
  const handovers = await env.desk.secretRegisters.output(env.admin, { kind: 'secret_handover', format: 'pdf', from: year, to: today });
  assert.equal(handovers.rows, 1);
  assert.ok(pdfTextPages(handovers.bytes).join(' ').replace(/\s+/g, ' ').includes('Phạm Văn Viên'));
  // The registers are read by the văn thư and the lãnh đạo by default: an officer is refused, audited.
  assert.throws(() => env.desk.secretRegisters.rows(officer, 'secret_incoming', year, today), (e: Error & { key?: string }) => e.key === 'secretRegister.notReader');
  assert.equal(env.desk.db.prepare("SELECT count(*) FROM main.audit_log WHERE action = 'register.read' AND outcome = 'refused'").pluck().get(), 1);
  // With the profile's rule opened to officers, need-to-know still filters the rows: the officer received
  // the Mật record by hand-over (in his distribution); the Tuyệt mật one is not.
  env.desk.db.prepare("INSERT INTO settings (key, value) VALUES ('secret_register_roles', ?)").run(JSON.stringify({ read: ['van_thu', 'lanh_dao', 'chuyen_vien'], close: ['van_thu', 'lanh_dao'] }));
  try {
    assert.equal(env.desk.secretRegisters.rows(officer, 'secret_incoming', year, today).length, 1);
    const outsider = addActor(env.desk, 'chuyen_vien', 'tuyet_mat', 'Người ngoài');
    assert.equal(env.desk.secretRegisters.rows(outsider, 'secret_incoming', year, today).length, 0);
  } finally {
    env.desk.db.prepare("DELETE FROM settings WHERE key = 'secret_register_roles'").run();
  }
  await assert.rejects(env.desk.secretRegisters.output(env.admin, { kind: 'secret_copies', format: 'pdf', from: '2025-12-01', to: today }), /năm/);
});

test('protection periods: 10/20/30 years from the document date, due for review before the end, extended by a leader', async () => {
  const { desk, admin } = env;
  // Documents dated long ago: a Mật one 9 years 11 months back ends within the window; a Tối mật one of the same date does not.
  const old = (years: number, days: number) => {
    const d = new Date(`${today}T00:00:00Z`);
    d.setUTCFullYear(d.getUTCFullYear() - years);
    d.setUTCDate(d.getUTCDate() + days);
    return d.toISOString().slice(0, 10);
  };
  const mat = await desk.incoming.register(admin, await registration(desk, admin, { secrecy: 'mat', numberSymbol: '9-BC/TU', documentDate: old(10, 30), acknowledgeOutOfOrder: true }));
  const ended = await desk.incoming.register(admin, await registration(desk, admin, { secrecy: 'mat', numberSymbol: '8-BC/TU', documentDate: old(10, -5), acknowledgeOutOfOrder: true }));
  await desk.incoming.register(admin, await registration(desk, admin, { secrecy: 'toi_mat', numberSymbol: '10-BC/TU', documentDate: old(10, 30), acknowledgeOutOfOrder: true }));
  const due = desk.review.due(admin);
  assert.deepEqual(due.map((d) => [d.id, d.state]), [[ended.id, 'ended'], [mat.id, 'due']]);
  assert.equal(due[1]!.protectionUntil, old(0, 30));
  await assert.rejects(desk.review.extend(admin, { incomingId: mat.id, until: old(-5, 0), authority: 'QĐ 1', reason: 'Còn giá trị' }), (e: Error & { code?: string }) => e.code === 'FORBIDDEN');
  await assert.rejects(desk.review.extend(leader, { incomingId: mat.id, until: old(0, 10), authority: 'QĐ 1', reason: 'Còn giá trị' }), (e: Error & { key?: string }) => e.key === 'protection.notLater');
  const x = await desk.review.extend(leader, { incomingId: mat.id, until: old(-5, 0), authority: 'Quyết định số 3/QĐ-VPTU', reason: 'Còn giá trị bảo vệ' });
  assert.equal(x.protectionUntil, old(-5, 0));
  assert.deepEqual(desk.review.due(admin).map((d) => d.id), [ended.id], 'extended: no longer due');
  assert.ok(desk.levels.list(admin, mat.id).some((c) => c.kind === 'extend'), 'the extension is in the record\'s level history');
});
