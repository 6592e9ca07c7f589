// OCR of scanned files with the real Tesseract (Vietnamese data) and Poppler: a scanned Vietnamese
// page (typeset with full diacritics, rasterised, wrapped as an image-only PDF) attached to a Mật
// document becomes findable by a query without diacritics; a multi-page TIFF is read page by page; a
// page with a text layer is taken as it is; the page text is refused to people without clearance or
// need-to-know; nothing of the page's text is in clear in any file of the profile.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { todayIso } from '../../common/dates';
import { incomingListSchema } from '../../common/schemas';
import { foldVietnamese } from '../../common/vietnamese';
import type { Desk } from '../../main/core/desk';
import { findOcrTools } from '../../main/core/ocr/tools';
import type { Actor } from '../../main/core/org/rights';
import { suggestMapping } from '../../main/core/import/mapping';
import { addActor, newDesk, registration, stageBytes, tempDir } from '../helpers/desk';
import { scannedPdf, scannedTiff, typesetPdf } from '../helpers/scannedPages';

const SCANNED = [
  ['ỦY BAN NHÂN DÂN TỈNH QUẢNG NINH', 'CÔNG VĂN KHẨN', 'Về việc phòng, chống lụt bão năm 2026', 'Đề nghị các sở, ban, ngành báo cáo trước ngày 15.'],
];

const search = (desk: Desk, actor: Actor, query: string) => desk.incoming.list(actor, incomingListSchema.parse({ query })).map((r) => r.id);

/** Every file under dir, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

test('the machine has the OCR tools (preflight installs tesseract-ocr and tesseract-ocr-vie)', () => {
  const tools = findOcrTools();
  assert.ok(!('missing' in tools), `missing: ${'missing' in tools ? tools.missing.join(', ') : ''}`);
  const langs = execFileSync('tesseract', ['--list-langs'], { encoding: 'utf8' }).split('\n').map((l) => l.trim());
  assert.ok(langs.includes('vie'), `Vietnamese data: ${langs.join(' ')}`);
});

test('a scanned Vietnamese page is found by a query without diacritics once the OCR job has read it', { timeout: 240_000 }, async () => {
  const env = await newDesk('state');
  try {
    const { desk, admin } = env;
    const staged = await stageBytes(desk, admin, await scannedPdf(SCANNED), 'cong-van-scan.pdf');
    const input = await registration(desk, admin, { subject: 'Văn bản số hóa từ bản giấy', secrecy: 'mat', stagedIds: [staged.stagedId] });
    const { id } = await desk.incoming.register(admin, input);
    const attachmentId = desk.incoming.get(admin, id).attachments[0]!.id;

    // Queued at registration, nothing read yet: the words of the scan are not searchable.
    assert.deepEqual(desk.db.prepare('SELECT state, pages, pages_done AS done FROM c_mat.ocr_queue WHERE attachment_id = ?').get(attachmentId), { state: 'pending', pages: null, done: 0 });
    assert.deepEqual(search(desk, admin, 'cong van khan'), []);
    assert.equal(desk.ocr.pageText(admin, attachmentId, 1).text, null);

    const progress: number[] = [];
    desk.ocr.onProgress((s) => progress.push(s.pages.done));
    await desk.ocr.start(admin);

    const page = desk.ocr.pageText(admin, attachmentId, 1);
    assert.equal(page.state, 'done');
    assert.equal(page.source, 'ocr');
    assert.equal(page.pages, 1);
    // Recognised with its diacritics (the folded form is compared: Tesseract may split lines differently).
    const folded = foldVietnamese(page.text ?? '').toLowerCase();
    for (const words of ['cong van khan', 'quang ninh', 'lut bao', 'bao cao']) assert.ok(folded.includes(words), `"${words}" in ${JSON.stringify(page.text)}`);
    assert.match(page.text ?? '', /CÔNG VĂN KHẨN/);

    // Found without diacritics, and with them, by the register's own search.
    assert.deepEqual(search(desk, admin, 'cong van khan'), [id]);
    assert.deepEqual(search(desk, admin, 'lụt bão'), [id]);
    assert.deepEqual(search(desk, admin, 'Quang Ninh phong chong'), [id]);
    assert.deepEqual(search(desk, admin, 'cong van khan nonexistentword'), []);
    const status = desk.ocr.status(admin);
    assert.equal(status.state, 'idle');
    assert.deepEqual(status.files, { done: 1, total: 1 });
    assert.deepEqual(status.pages, { done: 1, total: 1 });
    assert.equal(status.recognised, 1);
    assert.ok(progress.includes(1), 'progress was reported per page');

    // A correction of the record indexes it again: the words of the scan stay searchable, the new subject too.
    await desk.incoming.correct(admin, { id, reason: 'Sửa trích yếu', changes: { subject: 'Về việc ứng phó thiên tai' } });
    assert.deepEqual(search(desk, admin, 'cong van khan thien tai'), [id]);
    assert.deepEqual(search(desk, admin, 'so hoa'), []);

    // The view of the page text is recorded like a view of the file.
    assert.ok((desk.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'attachment.ocrText' AND entity_id = ?").pluck().get(id) as number) >= 1);

    // The page's text is in the Mật compartment only, encrypted: no file of the profile holds it in clear.
    desk.db.pragma('c_mat.wal_checkpoint(TRUNCATE)');
    for (const f of filesUnder(env.dir)) {
      const bytes = readFileSync(f);
      for (const needle of ['CÔNG VĂN KHẨN', 'lụt bão', 'cong van khan', 'QUẢNG NINH']) {
        assert.equal(bytes.includes(Buffer.from(needle)), false, `${needle} in clear in ${f}`);
      }
    }
  } finally {
    env.cleanup();
  }
});

test('OCR page text: refused without clearance or need-to-know, given to the distribution', { timeout: 240_000 }, async () => {
  const env = await newDesk('state');
  try {
    const { desk, admin } = env;
    const staged = await stageBytes(desk, admin, await scannedPdf([['BÁO CÁO MẬT', 'Tình hình an ninh biên giới quý IV']]), 'bao-cao.pdf');
    const { id } = await desk.incoming.register(admin, await registration(desk, admin, { subject: 'Báo cáo quý IV', secrecy: 'mat', stagedIds: [staged.stagedId] }));
    const attachmentId = desk.incoming.get(admin, id).attachments[0]!.id;
    await desk.ocr.start(admin);
    assert.match(desk.ocr.pageText(admin, attachmentId, 1).text ?? '', /BIÊN GIỚI|biên giới/i);

    // Cleared to Thường only: the Mật file does not exist for them.
    const low = addActor(desk, 'chuyen_vien', 'thuong', 'Trần Văn Thấp');
    assert.throws(() => desk.ocr.pageText(low, attachmentId, 1), (e: Error & { code?: string; key?: string }) => e.code === 'NOT_FOUND');
    // Cleared to Tối mật but outside the document's distribution: refused the same way.
    const outsider = addActor(desk, 'chuyen_vien', 'toi_mat', 'Lê Thị Ngoài');
    assert.throws(() => desk.ocr.pageText(outsider, attachmentId, 1), (e: Error & { code?: string }) => e.code === 'NOT_FOUND');
    // Nor do they find it by the words of the scan.
    assert.deepEqual(search(desk, outsider, 'bien gioi'), []);
    // A grant by name gives need-to-know: then the text is theirs to read, as the file is.
    await desk.grants.grant(admin, { incomingId: id, userId: outsider.id, reason: 'Phối hợp xử lý' });
    assert.match(desk.ocr.pageText(outsider, attachmentId, 1).text ?? '', /BIÊN GIỚI|biên giới/i);
    assert.deepEqual(search(desk, outsider, 'bien gioi'), [id]);
    // An unknown attachment id is refused the same way as a hidden one.
    assert.throws(() => desk.ocr.pageText(admin, attachmentId + 10_000, 1), (e: Error & { code?: string }) => e.code === 'NOT_FOUND');
  } finally {
    env.cleanup();
  }
});

test('a multi-page TIFF is read page by page; a PDF page with a text layer is taken as it is', { timeout: 240_000 }, async () => {
  const env = await newDesk('state');
  try {
    const { desk, admin } = env;
    const tiff = await stageBytes(desk, admin, await scannedTiff([['TỜ TRÌNH', 'Về việc mua sắm thiết bị'], ['Trang hai', 'Kinh phí dự kiến: hai trăm triệu đồng']]), 'to-trinh.tif');
    const born = await stageBytes(desk, admin, await typesetPdf([['THÔNG BÁO', 'Lịch trực cơ quan dịp Tết Nguyên đán Bính Ngọ, đề nghị thực hiện nghiêm.']]), 'thong-bao.pdf');
    const { id } = await desk.incoming.register(admin, await registration(desk, admin, { subject: 'Hồ sơ tổng hợp', stagedIds: [tiff.stagedId, born.stagedId] }));
    const [a1, a2] = desk.incoming.get(admin, id).attachments.map((a) => a.id) as [number, number];
    await desk.ocr.start(admin);
    const p1 = desk.ocr.pageText(admin, a1, 1);
    const p2 = desk.ocr.pageText(admin, a1, 2);
    assert.equal(p1.pages, 2);
    assert.match(foldVietnamese(p1.text ?? '').toLowerCase(), /to trinh/);
    assert.match(foldVietnamese(p2.text ?? '').toLowerCase(), /kinh phi du kien/);
    const layer = desk.ocr.pageText(admin, a2, 1);
    assert.equal(layer.source, 'text');
    assert.match(layer.text ?? '', /Tết Nguyên đán Bính Ngọ/);
    assert.deepEqual(search(desk, admin, 'kinh phi du kien'), [id]);
    assert.deepEqual(search(desk, admin, 'tet nguyen dan'), [id]);
    assert.deepEqual(desk.db.prepare('SELECT attachment_id AS a, pages_done AS done, pages_recognised AS ocr, state FROM c_thuong.ocr_queue ORDER BY attachment_id').all(),
      [{ a: a1, done: 2, ocr: 2, state: 'done' }, { a: a2, done: 1, ocr: 0, state: 'done' }]);
  } finally {
    env.cleanup();
  }
});

test('cancel stops the job at once; start carries on where it stopped', { timeout: 240_000 }, async () => {
  const env = await newDesk('state');
  try {
    const { desk, admin } = env;
    const pages = [['Trang một', 'Kế hoạch công tác năm'], ['Trang hai', 'Nhiệm vụ trọng tâm'], ['Trang ba', 'Tổ chức thực hiện']];
    const staged = await stageBytes(desk, admin, await scannedPdf(pages), 'ke-hoach.pdf');
    const { id } = await desk.incoming.register(admin, await registration(desk, admin, { subject: 'Kế hoạch', stagedIds: [staged.stagedId] }));
    const attachmentId = desk.incoming.get(admin, id).attachments[0]!.id;
    let cancelled = false;
    desk.ocr.onProgress((s) => {
      if (!cancelled && s.pages.done >= 1) {
        cancelled = true;
        void desk.ocr.cancel(admin);
      }
    });
    const t0 = Date.now();
    await desk.ocr.start(admin);
    const after = desk.ocr.status(admin);
    assert.equal(after.state, 'cancelled');
    assert.ok(after.pages.done >= 1 && after.pages.done < 3, `stopped part way: ${after.pages.done}`);
    assert.ok(Date.now() - t0 < 60_000);
    await desk.ocr.start(admin);
    assert.deepEqual(desk.db.prepare('SELECT page FROM c_thuong.ocr_pages WHERE attachment_id = ? ORDER BY page').pluck().all(attachmentId), [1, 2, 3]);
    assert.equal(desk.ocr.status(admin).state, 'idle');
  } finally {
    env.cleanup();
  }
});

test('on its own (the app): the job wakes up when a file is registered, stops at the lock, goes on after the unlock', { timeout: 240_000 }, async () => {
  const env = await newDesk('state');
  try {
    const { desk, admin } = env;
    desk.ocr.autoStart = true;
    const pages = [['Trang một', 'Chương trình hành động'], ['Trang hai', 'Phân công nhiệm vụ'], ['Trang ba', 'Điều khoản thi hành']];
    const staged = await stageBytes(desk, admin, await scannedPdf(pages), 'chuong-trinh.pdf');
    const firstDone = new Promise<void>((resolve) => desk.ocr.onProgress((s) => { if (s.pages.done >= 1) resolve(); }));
    const { id } = await desk.incoming.register(admin, await registration(desk, admin, { subject: 'Chương trình', stagedIds: [staged.stagedId] }));
    const attachmentId = desk.incoming.get(admin, id).attachments[0]!.id;
    await firstDone; // nobody called start(): the registration woke the job
    desk.lock('manual');
    await desk.ocr.whenIdle();
    // Nothing is written after the lock: the page being read when it came is read again later.
    await desk.unlock(env.identity);
    const afterLock = desk.db.prepare('SELECT count(*) FROM c_thuong.ocr_pages WHERE attachment_id = ?').pluck().get(attachmentId) as number;
    assert.ok(afterLock >= 1 && afterLock < 3, `${afterLock} pages at the lock`);
    // The unlock started it again; it ends with every page once.
    await new Promise((r) => setTimeout(r, 50));
    await desk.ocr.whenIdle();
    assert.deepEqual(desk.db.prepare('SELECT page FROM c_thuong.ocr_pages WHERE attachment_id = ? ORDER BY page').pluck().all(attachmentId), [1, 2, 3]);
    assert.deepEqual(search(desk, desk.session!, 'dieu khoan thi hanh'), [id]);
  } finally {
    env.cleanup();
  }
});

test('the legacy import queues its scanned files and does not wait for OCR; the job then makes them searchable', { timeout: 240_000 }, async () => {
  const env = await newDesk('state');
  const work = tempDir('securedesk-ocr-import-');
  try {
    const { desk, admin } = env;
    mkdirSync(join(work.dir, 'scans'));
    writeFileSync(join(work.dir, 'scans', 'cv-12.pdf'), await scannedPdf([['CÔNG VĂN', 'Về việc kiểm kê tài sản cố định năm 2019']]));
    const csv = join(work.dir, 'so-den-2019.csv');
    writeFileSync(csv, 'Số ký hiệu,Ngày văn bản,Cơ quan ban hành,Trích yếu,Tệp\n12/CV-STC,15/03/2019,Sở Tài chính,Công văn của Sở Tài chính,scans/cv-12.pdf\n');
    const mapping = suggestMapping(['Số ký hiệu', 'Ngày văn bản', 'Cơ quan ban hành', 'Trích yếu', 'Tệp']);
    const outcome = await desk.imports.start(admin, csv, mapping);
    assert.equal(outcome.job.imported, 1);
    // Imported and queued; nothing read yet (the import did not wait).
    assert.deepEqual(desk.db.prepare("SELECT state, pages_done AS done FROM c_thuong.ocr_queue").all(), [{ state: 'pending', done: 0 }]);
    assert.deepEqual(search(desk, admin, 'kiem ke tai san'), []);
    await desk.ocr.start(admin);
    const found = search(desk, admin, 'kiem ke tai san co dinh');
    assert.equal(found.length, 1);
    assert.equal(desk.incoming.get(admin, found[0]!).numberSymbol, '12/CV-STC');
  } finally {
    env.cleanup();
    work.cleanup();
  }
});

test('a level change takes the page text with the record: the old compartment keeps none of it', { timeout: 240_000 }, async () => {
  const env = await newDesk('state');
  try {
    const { desk, admin } = env;
    const staged = await stageBytes(desk, admin, await scannedPdf([['TỜ TRÌNH', 'Phương án bảo vệ mục tiêu trọng yếu']]), 'to-trinh.pdf');
    const { id } = await desk.incoming.register(admin, await registration(desk, admin, { subject: 'Tờ trình', secrecy: 'mat', stagedIds: [staged.stagedId] }));
    const attachmentId = desk.incoming.get(admin, id).attachments[0]!.id;
    await desk.ocr.start(admin);
    assert.deepEqual(search(desk, admin, 'muc tieu trong yeu'), [id]);
    const leader = addActor(desk, 'lanh_dao', 'tuyet_mat', 'Trần Văn Lãnh');
    const p = await desk.levels.propose(leader, { incomingId: id, kind: 'raise', toLevel: 'toi_mat', authority: 'Quyết định số 5/QĐ-VPTU', reason: 'Nâng độ mật theo nội dung', decidedOn: todayIso(desk.now()) });
    await desk.levels.confirm(admin, { changeId: p.id });
    assert.equal(desk.db.prepare('SELECT count(*) FROM c_mat.ocr_pages').pluck().get(), 0);
    assert.equal(desk.db.prepare('SELECT count(*) FROM c_mat.ocr_queue').pluck().get(), 0);
    assert.equal(desk.db.prepare('SELECT count(*) FROM c_toi_mat.ocr_pages WHERE incoming_id = ?').pluck().get(id), 1);
    assert.match(desk.ocr.pageText(admin, attachmentId, 1).text ?? '', /trọng yếu/i);
    assert.deepEqual(search(desk, admin, 'muc tieu trong yeu'), [id]);
    // A person cleared to Mật no longer reaches it, by the text or by the search.
    const matOfficer = addActor(desk, 'lanh_dao', 'mat', 'Phạm Văn Mật');
    assert.throws(() => desk.ocr.pageText(matOfficer, attachmentId, 1), (e: Error & { code?: string }) => e.code === 'NOT_FOUND');
  } finally {
    env.cleanup();
  }
});
