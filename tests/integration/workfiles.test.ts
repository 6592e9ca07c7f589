// Work files (hồ sơ công việc) on a real profile: the yearly list, opening, adding documents with
// need-to-know, the file's level, closing, the export (a real merged PDF read back with pdftotext and
// pdfinfo, the XML parsed back with fast-xml-parser), the archive warning and the hand-over; every
// refusal specific, audited, and nothing half-changed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import { DeskError } from '../../common/errors';
import type { Desk } from '../../main/core/desk';
import type { Actor } from '../../main/core/org/rights';
import { handlers, type HandlerContext } from '../../main/ipc/handlers';
import { addActor, newDesk, registration, stageBytes } from '../helpers/desk';
import { pdfPageInfo, pdfTextPages } from '../helpers/pdfOracle';
import { markedPdf } from '../helpers/workfilePdfs';

let now = new Date('2026-03-02T03:00:00Z');
let env: Awaited<ReturnType<typeof newDesk>>;
let desk: Desk;
let clerk: Actor;
let leader: Actor;
let officer: Actor;
let junior: Actor;
const ids: Record<string, number> = {};

const refused = (key: string) => (e: unknown) => e instanceof DeskError && e.key === key;
const refusals = (reason: string): number =>
  desk.db.prepare("SELECT count(*) FROM audit_log WHERE outcome = 'refused' AND reason = ?").pluck().get(reason) as number;

async function register(key: string, documentDate: string, pages: number, over: Record<string, unknown> = {}) {
  const staged = await stageBytes(desk, clerk, await markedPdf(`DOC-${key}`, pages), `${key}.pdf`);
  const input = await registration(desk, clerk, { documentDate, subject: `Văn bản ${key} về công tác chuyển đổi số`, stagedIds: [staged.stagedId], ...over });
  ids[key] = (await desk.incoming.register(clerk, input)).id;
}

before(async () => {
  env = await newDesk('state', undefined, { now: () => now });
  desk = env.desk;
  clerk = env.admin;
  leader = addActor(desk, 'lanh_dao', 'tuyet_mat', 'Trần Văn Lãnh');
  officer = addActor(desk, 'chuyen_vien', 'mat', 'Phạm Thị Xử Lý');
  junior = addActor(desk, 'chuyen_vien', 'thuong', 'Lê Văn Mới');
  // Registered out of date order: the file is ordered by the documents' dates.
  await register('C', '2026-02-20', 1);
  await register('A', '2026-02-03', 2);
  await register('B', '2026-02-11', 3, { secrecy: 'mat', numberSymbol: '12-KH/TU' });
});

after(() => env.cleanup());

test('the yearly list: codes by unit + year + notation, a duplicate code refused and audited, only văn thư or leader', async () => {
  const f = await desk.workFiles.create(clerk, { year: 2026, notation: '01.TH', title: 'Hồ sơ triển khai chính quyền điện tử năm 2026', retention: 10, responsibleUserId: officer.id });
  assert.equal(f.code, '000.00.01.H49.2026.01.TH');
  assert.equal(f.status, 'planned');
  assert.equal(f.retentionYears, 10);
  ids.file = f.id;
  const before = refusals('workFile.codeTaken');
  await assert.rejects(desk.workFiles.create(leader, { year: 2026, notation: '01.TH', title: 'Trùng mã', retention: 'vinh_vien' }), refused('workFile.codeTaken'));
  assert.equal(refusals('workFile.codeTaken'), before + 1);
  await assert.rejects(desk.workFiles.create(officer, { year: 2026, notation: '02.TH', title: 'Không có quyền', retention: 5 }), refused('workFile.listNotAllowed'));
  const p = await desk.workFiles.create(leader, { year: 2026, notation: '02.VP', title: 'Hồ sơ hội nghị tổng kết', retention: 'vinh_vien' });
  assert.equal(p.retentionYears, null);
  // Need-to-know of titles (docs/work-files.md): the keepers see the whole list, the handler their own
  // file, anyone else nothing, not even by asking for a file by its id.
  assert.deepEqual(desk.workFiles.year(clerk, 2026).files.map((x) => x.code), ['000.00.01.H49.2026.01.TH', '000.00.01.H49.2026.02.VP']);
  assert.deepEqual(desk.workFiles.year(officer, 2026).files.map((x) => x.code), ['000.00.01.H49.2026.01.TH']);
  const list = desk.workFiles.year(junior, 2026);
  assert.deepEqual(list.files, []);
  assert.equal(list.mayEdit, false);
  assert.throws(() => desk.workFiles.get(junior, f.id), refused('workFile.notFound'));
  assert.equal(desk.workFiles.year(clerk, 2026).mayEdit, true);
  // Renaming to a code already taken: refused, the row unchanged.
  await assert.rejects(desk.workFiles.update(clerk, { fileId: p.id, notation: '01.TH' }), refused('workFile.codeTaken'));
  assert.equal(desk.workFiles.get(clerk, p.id).code, '000.00.01.H49.2026.02.VP');
});

test('opening and adding documents: need-to-know refused and recorded, the file takes the highest level', async () => {
  await assert.rejects(desk.workFiles.addItem(officer, { fileId: ids.file!, kind: 'incoming', recordId: ids.A! }), refused('workFile.notOpen'));
  await assert.rejects(desk.workFiles.open(junior, ids.file!), refused('workFile.notFound'));
  // Shared with the junior, the file is known to them, but still not theirs to open.
  await desk.workFiles.share(clerk, { fileId: ids.file!, userId: junior.id });
  await assert.rejects(desk.workFiles.open(junior, ids.file!), refused('workFile.notResponsible'));
  const opened = await desk.workFiles.open(officer, ids.file!);
  assert.equal(opened.status, 'open');
  assert.equal(opened.openedBy, 'Phạm Thị Xử Lý');
  await desk.workFiles.addItem(officer, { fileId: ids.file!, kind: 'incoming', recordId: ids.C! });
  await desk.workFiles.addItem(officer, { fileId: ids.file!, kind: 'incoming', recordId: ids.A! });
  // The Mật document is not in the officer's distribution: refused with the reason, recorded, nothing added.
  const n = refusals('workFile.docNotVisible');
  await assert.rejects(desk.workFiles.addItem(officer, { fileId: ids.file!, kind: 'incoming', recordId: ids.B! }), refused('workFile.docNotVisible'));
  assert.equal(refusals('workFile.docNotVisible'), n + 1);
  assert.equal(desk.workFiles.get(officer, ids.file!).items.length, 2);
  assert.equal(desk.workFiles.get(officer, ids.file!).secrecy, 'thuong');
  await desk.grants.grant(leader, { incomingId: ids.B!, userId: officer.id, reason: 'Lập hồ sơ' });
  const withB = await desk.workFiles.addItem(officer, { fileId: ids.file!, kind: 'incoming', recordId: ids.B! });
  assert.equal(withB.secrecy, 'mat');
  assert.deepEqual(withB.items.map((i) => i.recordId), [ids.A, ids.B, ids.C], 'in date order');
  await assert.rejects(desk.workFiles.addItem(officer, { fileId: ids.file!, kind: 'incoming', recordId: ids.A! }), refused('workFile.docAlready'));
  // An outgoing document that does not exist (or that the officer may not read) is not added.
  await assert.rejects(desk.workFiles.addItem(officer, { fileId: ids.file!, kind: 'outgoing', recordId: 999_999 }), refused('workFile.docNotVisible'));
  // The file is Mật now: the junior, cleared for Thường only, no longer learns of it even though it was shared.
  await assert.rejects(desk.workFiles.addItem(junior, { fileId: ids.file!, kind: 'incoming', recordId: ids.A! }), refused('workFile.notFound'));
  assert.throws(() => desk.workFiles.get(junior, ids.file!), refused('workFile.notFound'));
  assert.deepEqual(desk.workFiles.year(junior, 2026).files, []);
  // A colleague cleared Mật it was shared with: may neither change it nor see its Mật document (not in their distribution).
  const peer = addActor(desk, 'chuyen_vien', 'mat', 'Vũ Thị Đồng Nghiệp');
  await desk.workFiles.share(officer, { fileId: ids.file!, userId: peer.id });
  await assert.rejects(desk.workFiles.addItem(peer, { fileId: ids.file!, kind: 'incoming', recordId: ids.A! }), refused('workFile.notHandler'));
  const seenByPeer = desk.workFiles.get(peer, ids.file!);
  assert.equal(seenByPeer.items.length, 2);
  assert.ok(!seenByPeer.items.some((i) => i.numberSymbol === '12-KH/TU'));
  assert.equal(seenByPeer.may.export, false);
  assert.equal(desk.workFiles.year(peer, 2026).files.find((x) => x.id === ids.file)!.documents, 2, 'the list counts only what the viewer may see');
  assert.equal(desk.workFiles.year(officer, 2026).files.find((x) => x.id === ids.file)!.documents, 3);

  // Where the rows live: the Mật membership in the Mật compartment with its change event, never in Thường or the base.
  const gidB = desk.db.prepare('SELECT global_id FROM c_mat.incoming WHERE id = ?').pluck().get(ids.B!) as string;
  assert.equal(desk.db.prepare('SELECT count(*) FROM c_mat.work_file_items WHERE record_global_id = ?').pluck().get(gidB), 1);
  assert.equal(desk.db.prepare('SELECT count(*) FROM c_thuong.work_file_items WHERE work_file_id = ?').pluck().get(ids.file!), 2);
  assert.ok((desk.db.prepare("SELECT count(*) FROM c_mat.events WHERE entity = 'work_file_items'").pluck().get() as number) >= 1);
  assert.ok((desk.db.prepare("SELECT count(*) FROM main.events WHERE entity = 'work_files'").pluck().get() as number) >= 3);

  // Removing while open, then adding back.
  await desk.workFiles.removeItem(officer, { fileId: ids.file!, kind: 'incoming', recordId: ids.B! });
  assert.equal(desk.workFiles.get(officer, ids.file!).secrecy, 'thuong', 'the level falls back with its last Mật document');
  await desk.workFiles.addItem(officer, { fileId: ids.file!, kind: 'incoming', recordId: ids.B! });
  assert.equal(desk.db.prepare("SELECT count(*) FROM c_mat.events WHERE entity = 'work_file_items' AND kind = 'delete'").pluck().get(), 1);
});

test('closing: a closed file cannot change; the closing date is checked', async () => {
  await assert.rejects(desk.workFiles.close(officer, { fileId: ids.file!, closedOn: '2026-02-15' }), refused('workFile.closedBeforeDocuments'));
  await assert.rejects(desk.workFiles.close(officer, { fileId: ids.file!, closedOn: '2026-12-01' }), refused('workFile.closedInFuture'));
  await assert.rejects(desk.workFiles.close(junior, { fileId: ids.file! }), refused('workFile.notFound'));
  const closed = await desk.workFiles.close(officer, { fileId: ids.file!, closedOn: '2026-03-01' });
  assert.equal(closed.status, 'closed');
  assert.equal(closed.archiveDue, '2027-03-01', 'due one year after closing by default');
  const n = refusals('workFile.closed');
  await assert.rejects(desk.workFiles.addItem(officer, { fileId: ids.file!, kind: 'incoming', recordId: ids.A! }), refused('workFile.closed'));
  await assert.rejects(desk.workFiles.removeItem(leader, { fileId: ids.file!, kind: 'incoming', recordId: ids.A! }), refused('workFile.closed'));
  await assert.rejects(desk.workFiles.update(clerk, { fileId: ids.file!, title: 'Đổi tên' }), refused('workFile.closed'));
  await assert.rejects(desk.workFiles.open(leader, ids.file!), refused('workFile.closed'));
  assert.equal(refusals('workFile.closed'), n + 4);
  const f = desk.workFiles.get(officer, ids.file!);
  assert.equal(f.items.length, 3);
  assert.equal(f.title, 'Hồ sơ triển khai chính quyền điện tử năm 2026');
  // An empty file does not close.
  const other = desk.workFiles.year(clerk, 2026).files.find((x) => x.notation === '02.VP')!;
  await desk.workFiles.open(leader, other.id);
  await assert.rejects(desk.workFiles.close(leader, { fileId: other.id }), refused('workFile.empty'));
});

test('the export: one PDF with the contents and the documents in date order, and the XML of Phụ lục VI', async () => {
  await assert.rejects(desk.exportWorkFile(junior, ids.file!), refused('workFile.notFound'));
  // A leader may export any file, but not one holding documents above their clearance.
  // (Not cleared for the file's level, the leader does not even learn of it.)
  await assert.rejects(desk.exportWorkFile(addActor(desk, 'lanh_dao', 'thuong', 'Vũ Văn Phó'), ids.file!), refused('workFile.notFound'));
  const out = await desk.exportWorkFile(officer, ids.file!);
  const info = pdfPageInfo(out.pdf);
  assert.equal(out.documents, 3);
  assert.equal(info.length, out.tocPages + 2 + 3 + 1, 'contents + A (2) + B (3) + C (1)');
  assert.equal(out.pages, info.length);
  const pages = pdfTextPages(out.pdf);
  const toc = pages.slice(0, out.tocPages).join('\n');
  for (const s of ['MỤC LỤC VĂN BẢN', 'Hồ sơ số: 000.00.01.H49.2026.01.TH', 'Hồ sơ triển khai chính quyền điện tử năm 2026', 'Thời hạn bảo quản: 10 năm', 'Số văn bản: 3', 'MẬT'])
    assert.ok(toc.includes(s), `contents lack “${s}”:\n${toc}`);
  // The entries in date order with the page each starts on.
  const flat = toc.replace(/\s+/g, ' ');
  const at = (s: string) => flat.indexOf(s);
  assert.ok(at('03/02/2026') < at('11/02/2026') && at('11/02/2026') < at('20/02/2026'), flat);
  assert.ok(flat.includes('12-KH/TU'));
  const start = out.tocPages + 1;
  assert.match(flat, new RegExp(`03/02/2026 .*?Văn bản A.*? ${start} `));
  assert.match(flat, new RegExp(`11/02/2026 .*?Văn bản B.*? ${start + 2} `));
  assert.match(flat, new RegExp(`20/02/2026 .*?Văn bản C.*? ${start + 5}`));
  const body = pages.slice(out.tocPages).map((t) => t.trim());
  assert.deepEqual(body, ['DOC-A page 1/2', 'DOC-A page 2/2', 'DOC-B page 1/3', 'DOC-B page 2/3', 'DOC-B page 3/3', 'DOC-C page 1/1']);

  const xml = new XMLParser({ ignoreAttributes: false, parseTagValue: false }).parse(out.xml) as { HoSo: Record<string, unknown> & { VanBan: Array<Record<string, string>> } };
  const h = xml.HoSo;
  assert.equal(h.MaHoSo, '000.00.01.H49.2026.01.TH');
  assert.equal(h.TieuDeHoSo, 'Hồ sơ triển khai chính quyền điện tử năm 2026');
  assert.equal(h.ThoiHanBaoQuan, '10');
  assert.equal(h.NguoiLap, 'Phạm Thị Xử Lý');
  assert.equal(h.NgonNgu, 'Tiếng Việt');
  assert.equal(h.ThoiGianBatDau, '2026-02-03');
  assert.equal(h.ThoiGianKetThuc, '2026-02-20');
  assert.equal(h.TongSoVanBan, '3');
  assert.equal(h.TongSoTrang, '6');
  assert.equal(h.DoMat, 'Mật');
  assert.ok(String(h.CheDoSuDung).length > 0);
  assert.deepEqual(h.VanBan.map((v) => v.SoKyHieu), [desk.incoming.get(clerk, ids.A!).numberSymbol, '12-KH/TU', desk.incoming.get(clerk, ids.C!).numberSymbol]);
  assert.deepEqual(h.VanBan.map((v) => v.TrangTrongHoSo), [String(start), String(start + 2), String(start + 5)]);
  assert.deepEqual(h.VanBan.map((v) => v.SoTrang), ['2', '3', '1']);
  assert.equal(h.VanBan[1]!.SoVanBan, '12');
  assert.equal(h.VanBan[1]!.KyHieuVanBan, 'KH/TU');
  assert.equal(h.VanBan[1]!.DoMat, 'Mật');
  assert.ok(h.VanBan.every((v) => v.MaHoSo === h.MaHoSo && v.TrichYeu?.startsWith('Văn bản ')));
  assert.equal(desk.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'workfile.export' AND outcome = 'ok'").pluck().get(), 1);
});

test('the export through IPC: two one-use output tickets at the file level', async () => {
  const ctx = { desk, guard: undefined as never, attachmentUrl: (t: string) => `app://securedesk/blob/${t}` } satisfies HandlerContext;
  const r = await handlers['workFiles.export'](ctx, { fileId: ids.file! });
  assert.equal(r.documents, 3);
  const pdf = desk.outputs.peek(r.pdf.ticket)!;
  assert.equal(pdf.level, 'mat');
  assert.equal(pdf.purpose, 'file');
  assert.equal(pdf.mime, 'application/pdf');
  const xml = desk.outputs.take(r.xml.ticket)!;
  assert.ok(Buffer.from(xml.bytes).toString('utf8').includes('<MaHoSo>000.00.01.H49.2026.01.TH</MaHoSo>'));
  assert.equal(desk.outputs.take(r.xml.ticket), undefined, 'one use');
});

test('a closed year list refuses new and edited entries', async () => {
  await desk.workFiles.create(clerk, { year: 2025, notation: '07.TH', title: 'Hồ sơ năm trước', retention: 5 });
  await desk.workFiles.closeYear(clerk, 2025);
  await assert.rejects(desk.workFiles.closeYear(clerk, 2025), refused('workFile.yearAlreadyClosed'));
  await assert.rejects(desk.workFiles.create(clerk, { year: 2025, notation: '08.TH', title: 'Thêm muộn', retention: 5 }), refused('workFile.yearClosed'));
  const f = desk.workFiles.year(clerk, 2025).files[0]!;
  await assert.rejects(desk.workFiles.update(leader, { fileId: f.id, title: 'Sửa muộn' }), refused('workFile.yearClosed'));
  assert.equal(desk.workFiles.year(clerk, 2025).files.length, 1);
  assert.equal(desk.workFiles.year(clerk, 2025).files[0]!.title, 'Hồ sơ năm trước');
  assert.equal(desk.workFiles.year(clerk, 2025).mayEdit, false);
});

test('archive: warned 30 days before the due date, handed over by the văn thư with its record, then read-only', async () => {
  now = new Date('2027-01-20T03:00:00Z');
  assert.deepEqual(desk.workFiles.archiveDue(clerk).map((x) => x.code), [], '40 days before: not yet');
  now = new Date('2027-02-10T03:00:00Z');
  const due = desk.workFiles.archiveDue(clerk);
  assert.deepEqual(due.map((x) => [x.code, x.archiveDue, x.daysLeft]), [['000.00.01.H49.2026.01.TH', '2027-03-01', 19]]);
  // The warning period is a profile setting.
  desk.db.prepare("INSERT INTO settings (key, value) VALUES ('archive_warning_days', '10') ON CONFLICT (key) DO UPDATE SET value = excluded.value").run();
  assert.equal(desk.workFiles.archiveDue(clerk).length, 0);
  desk.db.prepare("DELETE FROM settings WHERE key = 'archive_warning_days'").run();

  await assert.rejects(desk.workFiles.transfer(officer, { fileIds: [ids.file!], transferredOn: '2027-02-10', receivedBy: 'Nguyễn Văn Lưu', archiveName: 'Lưu trữ cơ quan', note: '' }), refused('archive.notAllowed'));
  const open = desk.workFiles.year(clerk, 2026).files.find((x) => x.notation === '02.VP')!;
  // One file not closed: the whole hand-over is refused, nothing archived.
  await assert.rejects(desk.workFiles.transfer(clerk, { fileIds: [ids.file!, open.id], transferredOn: '2027-02-10', receivedBy: 'Nguyễn Văn Lưu', archiveName: 'Lưu trữ cơ quan', note: '' }), refused('workFile.notClosed'));
  assert.equal(desk.workFiles.get(clerk, ids.file!).status, 'closed');
  const t = await desk.workFiles.transfer(clerk, { fileIds: [ids.file!], transferredOn: '2027-02-10', receivedBy: 'Nguyễn Văn Lưu', archiveName: 'Lưu trữ cơ quan Văn phòng Tỉnh ủy', note: 'Bản giấy kèm theo' });
  assert.equal(t.handedBy, 'Nguyễn Thị Hương');
  assert.deepEqual(t.files.map((x) => x.code), ['000.00.01.H49.2026.01.TH']);
  const f = desk.workFiles.get(clerk, ids.file!);
  assert.equal(f.status, 'archived');
  assert.equal(f.transferId, t.id);
  assert.equal(desk.workFiles.archiveDue(clerk).length, 0, 'no longer due');
  await assert.rejects(desk.workFiles.addItem(leader, { fileId: ids.file!, kind: 'incoming', recordId: ids.A! }), refused('workFile.archived'));
  await assert.rejects(desk.workFiles.transfer(clerk, { fileIds: [ids.file!], transferredOn: '2027-02-10', receivedBy: 'X', archiveName: 'Y', note: '' }), refused('workFile.archived'));
  assert.throws(() => desk.db.prepare('DELETE FROM archive_transfers').run(), /final/);
  assert.deepEqual(desk.workFiles.transfers(leader).map((x) => x.id), [t.id]);
  // The record as a PDF to print and sign, through the outputs.
  const ctx = { desk, guard: undefined as never, attachmentUrl: (x: string) => `app://securedesk/blob/${x}` } satisfies HandlerContext;
  const rec = await handlers['workFiles.transferRecord'](ctx, { transferId: t.id });
  const held = desk.outputs.take(rec.ticket)!;
  assert.equal(held.level, 'mat', 'the record lists a Mật file');
  const text = pdfTextPages(held.bytes).join('\n').replace(/\s+/g, ' ');
  for (const s of ['BIÊN BẢN', 'Về việc giao nộp hồ sơ, tài liệu vào Lưu trữ cơ quan', 'Ngày 10/02/2027', 'Bên giao: Nguyễn Thị Hương', 'Lưu trữ cơ quan Văn phòng Tỉnh ủy, người nhận: Nguyễn Văn Lưu',
    '000.00.01.H49.2026.01.TH', 'Hồ sơ triển khai chính quyền điện tử năm 2026', '10 năm', 'Ghi chú: Bản giấy kèm theo', 'ĐẠI DIỆN BÊN GIAO', 'ĐẠI DIỆN BÊN NHẬN'])
    assert.ok(text.includes(s), `the record lacks “${s}”: ${text}`);
  // Still exported (read-only) by its handler.
  assert.equal((await desk.exportWorkFile(officer, ids.file!)).documents, 3);
});

test('the due date follows the archive_due_months setting', async () => {
  desk.db.prepare("INSERT INTO settings (key, value) VALUES ('archive_due_months', '36') ON CONFLICT (key) DO UPDATE SET value = excluded.value").run();
  const f = await desk.workFiles.create(clerk, { year: 2027, notation: '03.XD', title: 'Hồ sơ công trình', retention: 20 });
  await desk.workFiles.open(clerk, f.id);
  await desk.workFiles.addItem(clerk, { fileId: f.id, kind: 'incoming', recordId: ids.A! });
  const closed = await desk.workFiles.close(clerk, { fileId: f.id, closedOn: '2027-02-10' });
  assert.equal(closed.archiveDue, '2030-02-10');
  assert.equal(desk.workFiles.forRecord(clerk, 'incoming', ids.A!).length, 2, 'a document may be in several files');
});
