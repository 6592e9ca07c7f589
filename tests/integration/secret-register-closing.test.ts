// Closing a year of the state-secret registers (secrets/registerYears.ts): only a past year in
// Vietnam time, only by the văn thư or lãnh đạo who sees the whole register, only after the
// year's PDF was printed and the register has not changed since; then nothing dated in that year is
// added or changed: each attempt, made by direct core calls as an attacker would, is refused with
// its own reason and audited. The PDFs are read back with pdftotext, the XLSX with exceljs.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import ExcelJS from 'exceljs';
import type { Actor } from '../../main/core/org/rights';
import { eventsSince } from '../../main/core/events/eventLog';
import { XLSX_FIRST_DATA_ROW } from '../../main/core/reports/registerXlsx';
import { addActor, newDesk, registration } from '../helpers/desk';
import { pdfTextPages } from '../helpers/pdfOracle';

let clock = new Date('2025-06-10T03:00:00Z');
let env: Awaited<ReturnType<typeof newDesk>>;
let leader: Actor;
let officer: Actor;
let matClerk: Actor;
let docA: number;
let pendingHandover: number;

const keyed = (key: string) => (e: Error & { key?: string }) => {
  assert.equal(e.key, key, e.message);
  return true;
};
const refusals = (action: string, reason: string) =>
  env.desk.db.prepare("SELECT count(*) FROM main.audit_log WHERE action = ? AND outcome = 'refused' AND reason = ?").pluck().get(action, reason) as number;
const flat = (pdf: Uint8Array) => pdfTextPages(pdf).join('\n').replace(/\s+/g, ' ');
const YEAR = { from: '2025-01-01', to: '2025-12-31' };

before(async () => {
  env = await newDesk('state', undefined, { now: () => clock });
  const { desk, admin } = env;
  leader = addActor(desk, 'lanh_dao', 'tuyet_mat', 'Trần Văn Lãnh');
  officer = addActor(desk, 'chuyen_vien', 'mat', 'Phạm Văn Viên');
  matClerk = addActor(desk, 'van_thu', 'mat', 'Lê Thị Mật');
  const a = await desk.incoming.register(admin, await registration(desk, admin, { secrecy: 'mat', numberSymbol: '101-CV/TU', subject: 'Về công tác bảo vệ bí mật năm 2025' }));
  docA = a.id;
  await desk.incoming.register(admin, await registration(desk, admin, { secrecy: 'tuyet_mat', numberSymbol: '7-KH/TW', subject: '' }));
  const h1 = await desk.incoming.handOver(admin, { id: docA, userId: officer.id, note: 'Giao tận tay' });
  await desk.incoming.acknowledge(officer, h1.id);
  clock = new Date('2025-06-11T03:00:00Z');
  pendingHandover = (await desk.incoming.handOver(admin, { id: docA, userId: officer.id, note: 'Bản thứ hai' })).id;
  await desk.copies.make(leader, { incomingId: docA, kind: 'sao_y', copies: 2, reason: 'Gửi Ban Tổ chức' });
});
after(() => env.cleanup());

test('a year closes only when it has ended in Vietnam, by whom the rule allows, after its PDF', async () => {
  const { desk, admin } = env;
  // 23:30 on 31/12/2025 in Hà Nội (16:30 UTC): 2025 has not ended.
  clock = new Date('2025-12-31T16:30:00Z');
  await assert.rejects(desk.secretRegisters.close(admin, { kind: 'secret_copies', year: 2025 }), keyed('secretRegister.closeNotEnded'));
  // 00:30 on 01/01/2026 in Hà Nội, still 31/12 by UTC.
  clock = new Date('2025-12-31T17:30:00Z');
  await assert.rejects(desk.secretRegisters.close(officer, { kind: 'secret_copies', year: 2025 }), keyed('secretRegister.notCloser'));
  await assert.rejects(desk.secretRegisters.close(matClerk, { kind: 'secret_copies', year: 2025 }), keyed('secretRegister.needsWholeRegister'));
  await assert.rejects(desk.secretRegisters.close(admin, { kind: 'secret_copies', year: 2025 }), keyed('secretRegister.needsPrint'));
  // The secret incoming register is not closed from the registers' administration, which seals no PDF.
  const secretRegister = desk.db.prepare("SELECT id FROM main.registers WHERE kind = 'incoming' AND secrecy NOT LIKE '%thuong%'").pluck().get() as number;
  await assert.rejects(desk.registers.closeYear(admin, { registerId: secretRegister, year: 2025 }), keyed('secretRegister.closeInSecretArea'));
  assert.equal(refusals('register.close_year', 'secretRegister.closeInSecretArea'), 1);
  // A part of the year, or an XLSX, or a Mật-only clerk's PDF is not the year's print.
  await desk.secretRegisters.output(admin, { kind: 'secret_copies', format: 'pdf', from: '2025-01-01', to: '2025-06-30' });
  await desk.secretRegisters.output(admin, { kind: 'secret_copies', format: 'xlsx', ...YEAR });
  await desk.secretRegisters.output(matClerk, { kind: 'secret_copies', format: 'pdf', ...YEAR });
  await assert.rejects(desk.secretRegisters.close(leader, { kind: 'secret_copies', year: 2025 }), keyed('secretRegister.needsPrint'));
  assert.equal(refusals('register.close_year', 'secretRegister.needsPrint'), 2);
  assert.equal(refusals('register.close_year', 'secretRegister.notCloser'), 1);
  assert.equal(refusals('register.close_year', 'secretRegister.needsWholeRegister'), 1);
  assert.equal(refusals('register.close_year', 'secretRegister.closeNotEnded'), 1);
  assert.equal(desk.db.prepare('SELECT count(*) FROM main.secret_register_years').pluck().get(), 0);
});

test('printing, closing, and the closed year as the window shows it', async () => {
  const { desk, admin } = env;
  const copies = await desk.secretRegisters.output(admin, { kind: 'secret_copies', format: 'pdf', ...YEAR });
  const ct = flat(copies.bytes);
  for (const s of ['SỔ QUẢN LÝ SAO, CHỤP BÍ MẬT NHÀ NƯỚC', 'Năm 2025', 'Từ ngày 01/01/2025 đến ngày 31/12/2025', 'Sao y', 'Trần Văn Lãnh', '101-CV/TU', 'Gửi Ban Tổ chức'])
    assert.ok(ct.includes(s), `the copy register PDF lacks “${s}”: ${ct.slice(0, 600)}`);
  const handovers = await desk.secretRegisters.output(admin, { kind: 'secret_handover', format: 'pdf', ...YEAR });
  const ht = flat(handovers.bytes);
  assert.ok(ht.includes('SỔ CHUYỂN GIAO BÍ MẬT NHÀ NƯỚC') && ht.includes('10/06/2025') && ht.includes('11/06/2025') && ht.includes('Phạm Văn Viên'), ht.slice(0, 600));
  assert.equal(handovers.rows, 2);
  const incoming = await desk.secretRegisters.output(admin, { kind: 'secret_incoming', format: 'pdf', ...YEAR });
  const it = flat(incoming.bytes);
  assert.ok(it.includes('101-CV/TU') && it.includes('7-KH/TW'), it.slice(0, 600));

  // The XLSX of the same year, read back.
  const xlsx = await desk.secretRegisters.output(admin, { kind: 'secret_handover', format: 'xlsx', ...YEAR });
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(xlsx.bytes) as unknown as ArrayBuffer);
  const ws = wb.worksheets[0]!;
  assert.equal(ws.getRow(2).getCell(1).value, 'SỔ CHUYỂN GIAO BÍ MẬT NHÀ NƯỚC');
  const first = ws.getRow(XLSX_FIRST_DATA_ROW);
  assert.equal(first.getCell(1).value, 1);
  assert.equal((first.getCell(2).value as Date).toISOString().slice(0, 10), '2025-06-10');
  assert.ok(String(first.getCell(9).value).startsWith('Đã ký nhận'), String(first.getCell(9).value));
  assert.equal(ws.getRow(XLSX_FIRST_DATA_ROW + 1).getCell(9).value, null, 'the pending hand-over has no ký nhận');

  // The incoming register changes after its print (a late secret arrival dated 2025): print again.
  await desk.incoming.register(admin, await registration(desk, admin, { secrecy: 'toi_mat', numberSymbol: '12-BC/TU', arrivalDate: '2025-12-31', documentDate: '2025-12-30', acknowledgeOutOfOrder: true }));
  await assert.rejects(desk.secretRegisters.close(admin, { kind: 'secret_incoming', year: 2025 }), keyed('secretRegister.changedSincePrint'));
  const incoming2 = await desk.secretRegisters.output(admin, { kind: 'secret_incoming', format: 'pdf', ...YEAR });
  assert.ok(flat(incoming2.bytes).includes('12-BC/TU'));

  const closedCopies = await desk.secretRegisters.close(admin, { kind: 'secret_copies', year: 2025 });
  assert.equal(closedCopies.pdfSha256, createHash('sha256').update(copies.bytes).digest('hex'), 'the closing seals the PDF printed');
  assert.equal(closedCopies.closedBy, 'Nguyễn Thị Hương');
  assert.equal(closedCopies.closedAt, clock.toISOString());
  const closedHand = await desk.secretRegisters.close(leader, { kind: 'secret_handover', year: 2025 });
  assert.equal(closedHand.pdfSha256, createHash('sha256').update(handovers.bytes).digest('hex'));
  assert.equal(closedHand.printedBy, 'Nguyễn Thị Hương');
  const closedIn = await desk.secretRegisters.close(admin, { kind: 'secret_incoming', year: 2025 });
  assert.equal(closedIn.pdfSha256, createHash('sha256').update(incoming2.bytes).digest('hex'));
  assert.equal(closedIn.rows, 3);
  await assert.rejects(desk.secretRegisters.close(leader, { kind: 'secret_copies', year: 2025 }), keyed('secretRegister.alreadyClosed'));

  // Audited and an event (the base's log: the closing is a record of the agency).
  const audits = desk.db.prepare("SELECT details FROM main.audit_log WHERE action = 'secret_register.close_year' AND outcome = 'ok'").pluck().all() as string[];
  assert.equal(audits.length, 3);
  assert.equal((JSON.parse(audits[0]!) as { pdfSha256: string }).pdfSha256, closedCopies.pdfSha256);
  assert.equal(eventsSince(desk.db, 0, 100_000).filter((e) => e.entity === 'secret_register_years' && e.kind === 'create').length, 3);
  // The secret incoming registers' 2025 is closed with it; the ordinary register's is not.
  const closedRegisters = desk.db.prepare('SELECT r.secrecy FROM main.register_years y JOIN main.registers r ON r.id = y.register_id WHERE y.year = 2025').pluck().all() as string[];
  assert.ok(closedRegisters.length >= 1 && closedRegisters.every((s) => !(JSON.parse(s) as string[]).includes('thuong')), JSON.stringify(closedRegisters));

  // The window's view: the law's columns, the rows as printed, the closed years.
  const view = desk.secretRegisters.table(admin, { kind: 'secret_copies', ...YEAR });
  assert.equal(view.columns.length, 11);
  assert.equal(view.columns[0]!.title, 'Số thứ tự');
  assert.deepEqual(view.rows.map((r) => [r[0], r[1], r[5], r[6]]), [['1', '11/06/2025', 'Sao y', '2']]);
  assert.deepEqual(view.closings.map((c) => [c.year, c.pdfSha256]), [[2025, closedCopies.pdfSha256]]);
  assert.equal(view.wholeRegister, true);
  assert.deepEqual(desk.secretRegisters.access(admin), { read: true, close: true });
  assert.deepEqual(desk.secretRegisters.access(officer), { read: false, close: false });
  // The closing record cannot be changed or removed, even in SQL.
  assert.throws(() => desk.db.prepare('UPDATE main.secret_register_years SET pdf_sha256 = ? WHERE year = 2025').run('0'.repeat(64)), /stays closed/);
  assert.throws(() => desk.db.prepare('DELETE FROM main.secret_register_years').run(), /stays closed/);
});

test('after closing, nothing dated in the closed year goes in: direct core calls refused and audited', async () => {
  const { desk, admin } = env;
  // A hand-over backdated into 2025.
  await assert.rejects(desk.incoming.handOver(admin, { id: docA, userId: officer.id, handedOn: '2025-12-30', note: '' }), keyed('secretRegister.handoverYearClosed'));
  assert.equal(refusals('incoming.hand_over', 'secretRegister.handoverYearClosed'), 1);
  // The late ký nhận of the pending 2025 hand-over: refused; the row stays unacknowledged.
  await assert.rejects(desk.incoming.acknowledge(officer, pendingHandover), keyed('secretRegister.lateAcknowledgement'));
  assert.equal(refusals('incoming.acknowledge', 'secretRegister.lateAcknowledgement'), 1);
  assert.equal(desk.db.prepare('SELECT acknowledged_at FROM c_mat.incoming_handovers WHERE id = ?').pluck().get(pendingHandover), null);
  // Recorded again in 2026, it is acknowledged there.
  const again = await desk.incoming.handOver(admin, { id: docA, userId: officer.id, note: 'Giao lại năm 2026' });
  assert.equal(again.handedOn, '2026-01-01');
  assert.ok((await desk.incoming.acknowledge(officer, again.id)).acknowledgedAt);
  // A secret arrival dated 2025, and a correction of a 2025 secret entry.
  await assert.rejects(desk.incoming.register(admin, await registration(desk, admin, { secrecy: 'mat', numberSymbol: '13-BC/TU', arrivalDate: '2025-12-31', documentDate: '2025-12-30', acknowledgeOutOfOrder: true })),
    (e: Error & { fields?: Record<string, string> }) => /khóa sổ/.test(e.fields?.arrivalDate ?? ''));
  assert.equal(refusals('incoming.register', 'register.yearClosed'), 1);
  await assert.rejects(desk.incoming.correct(admin, { id: docA, reason: 'Sửa trích yếu', changes: { subject: 'Trích yếu sửa sau khi khóa sổ' } }), keyed('correction.yearClosed'));
  assert.equal(refusals('incoming.correct', 'correction.yearClosed'), 1);
  // A copy on a workstation whose clock went back into 2025: no number of the closed sequence is taken.
  const before2025 = desk.db.prepare("SELECT last FROM main.id_sequence WHERE name = 'copies:2025'").pluck().get();
  clock = new Date('2025-12-20T03:00:00Z');
  await assert.rejects(desk.copies.make(leader, { incomingId: docA, kind: 'print', copies: 1, reason: 'In thêm' }), keyed('secretRegister.copyYearClosed'));
  assert.equal(desk.db.prepare("SELECT last FROM main.id_sequence WHERE name = 'copies:2025'").pluck().get(), before2025);
  assert.equal(refusals('document.copy', 'secretRegister.copyYearClosed'), 1);
  clock = new Date('2026-01-02T03:00:00Z');
  // An ordinary document is in none of these registers: its 2025 hand-over is not refused.
  const plain = await desk.incoming.register(admin, await registration(desk, admin, { numberSymbol: '55/UBND-VX', arrivalDate: '2025-12-29', documentDate: '2025-12-28', acknowledgeOutOfOrder: true }));
  assert.equal((await desk.incoming.handOver(admin, { id: plain.id, userId: officer.id, handedOn: '2025-12-30', note: '' })).handedOn, '2025-12-30');
  // 2026 is open: a copy now takes 2026's first number.
  const made = await desk.copies.make(leader, { incomingId: docA, kind: 'print', copies: 1, reason: 'In năm 2026' });
  assert.deepEqual([made.year, made.firstNumber], [2026, 1]);
  // The closed year prints the same rows as when it was closed.
  const reprint = desk.secretRegisters.table(admin, { kind: 'secret_handover', ...YEAR });
  assert.equal(reprint.rows.length, 2);
  assert.equal(reprint.rows[1]![8], '', 'the pending 2025 hand-over stays unacknowledged in its year');
});
