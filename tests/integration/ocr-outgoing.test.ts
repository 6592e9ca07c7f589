// OCR of outgoing documents' files with the real Tesseract (Vietnamese data) and Poppler: a Mật
// outgoing draft with a scanned appendix (typeset with full diacritics, rasterised, wrapped as an
// image-only PDF) is queued in the transaction that adds its files, read by the job, and then found in
// the outgoing register by a query without diacritics; a new version carrying the same file over takes
// the pages already read, a version with another scan replaces the words; the page text and the search
// are refused to a person below the level and to one outside the document's need-to-know; nothing of
// the text is in clear in any file of the profile.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { outgoingCreateSchema, outgoingListSchema, outgoingReviseSchema } from '../../common/schemas';
import type { Desk } from '../../main/core/desk';
import type { Actor } from '../../main/core/org/rights';
import { addActor, newDesk, stageBytes } from '../helpers/desk';
import { scannedPdf, typesetPdf } from '../helpers/scannedPages';

const search = (desk: Desk, actor: Actor, query: string) => desk.outgoing.list(actor, outgoingListSchema.parse({ query })).map((r) => r.id);

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

const errCode = (code: string) => (e: Error & { code?: string }) => e.code === code;

test('an outgoing document\'s scanned appendix is read by the OCR job and found in the outgoing register without diacritics; refused below the level and outside need-to-know', { timeout: 400_000 }, async () => {
  const env = await newDesk('state');
  try {
    const { desk, admin } = env;
    const drafter = addActor(desk, 'chuyen_vien', 'tuyet_mat', 'Trần Văn Soạn');
    const approver = addActor(desk, 'lanh_dao', 'tuyet_mat', 'Lê Thị Duyệt');
    const signer = addActor(desk, 'lanh_dao', 'tuyet_mat', 'Nguyễn Văn Ký');
    const main = await stageBytes(desk, drafter, await typesetPdf([['ỦY BAN NHÂN DÂN TỈNH', 'Quyết định về việc diễn tập phòng thủ khu vực năm 2026']]), 'quyet-dinh.pdf');
    const appendix = await stageBytes(desk, drafter, await scannedPdf([['PHỤ LỤC', 'Danh sách lực lượng tham gia diễn tập', 'Đồn biên phòng cửa khẩu Móng Cái']]), 'phu-luc-scan.pdf');
    const d = await desk.outgoing.create(drafter, outgoingCreateSchema.parse({
      typeCode: 'QĐ', subject: 'Về việc tổ chức diễn tập khu vực phòng thủ', secrecy: 'mat', urgency: 'khan',
      signerId: signer.id, signerCompetence: 'TM. ỦY BAN NHÂN DÂN', approvers: [approver.id],
      stagedIds: [main.stagedId, appendix.stagedId], comment: 'Dự thảo lần 1',
    }));
    const [mainId, appendixId] = d.files.map((f) => f.id) as [number, number];

    // Queued with the files, nothing read yet: the words of the scan are not searchable.
    assert.deepEqual(desk.db.prepare('SELECT attachment_id AS a, incoming_id AS i, outgoing_id AS o, state FROM c_mat.ocr_queue ORDER BY attachment_id').all(),
      [{ a: mainId, i: null, o: d.id, state: 'pending' }, { a: appendixId, i: null, o: d.id, state: 'pending' }]);
    assert.deepEqual(search(desk, drafter, 'mong cai'), []);
    assert.deepEqual(search(desk, drafter, 'dien tap khu vuc'), [d.id], 'the metadata is searched without diacritics');
    assert.equal(desk.ocr.pageText(drafter, appendixId, 1).text, null);

    await desk.ocr.start(admin);
    const page = desk.ocr.pageText(drafter, appendixId, 1);
    assert.equal(page.state, 'done');
    assert.equal(page.source, 'ocr');
    assert.match(page.text ?? '', /MÓNG CÁI|Móng Cái/i);
    assert.equal(desk.ocr.pageText(drafter, mainId, 1).source, 'text', 'the main PDF\'s text layer is taken as it is');

    // Found by the words of the scan, without diacritics and with them, the last word as it is typed.
    assert.deepEqual(search(desk, drafter, 'mong cai'), [d.id]);
    assert.deepEqual(search(desk, drafter, 'Móng Cái biên phòng'), [d.id]);
    assert.deepEqual(search(desk, drafter, 'luc luong tham gia dien ta'), [d.id]);
    assert.deepEqual(search(desk, drafter, 'mong cai nonexistentword'), []);
    assert.deepEqual(search(desk, approver, 'cua khau mong cai'), [d.id], 'the approver, in its life, finds it');
    assert.equal(desk.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'attachment.ocrText' AND entity = 'outgoing' AND entity_id = ?").pluck().get(d.id), 3);

    // Attack: cleared to Thường only, the Mật file does not exist for them, by the text or by the search.
    const low = addActor(desk, 'lanh_dao', 'thuong', 'Phạm Văn Thấp');
    assert.throws(() => desk.ocr.pageText(low, appendixId, 1), errCode('NOT_FOUND'));
    assert.deepEqual(search(desk, low, 'mong cai'), []);
    // Attack: cleared to Tối mật but outside the draft's life (not văn thư, leader, drafter, approver, signer).
    const outsider = addActor(desk, 'chuyen_vien', 'toi_mat', 'Đỗ Thị Ngoài');
    assert.throws(() => desk.ocr.pageText(outsider, appendixId, 1), errCode('NOT_FOUND'));
    assert.throws(() => desk.ocr.pageText(outsider, mainId, 1), errCode('NOT_FOUND'));
    assert.deepEqual(search(desk, outsider, 'mong cai'), []);
    // An unknown file id is refused the same way as a hidden one.
    assert.throws(() => desk.ocr.pageText(drafter, appendixId + 10_000, 1), errCode('NOT_FOUND'));

    // A new version carrying the files over: queued again and takes the pages read, without reading them.
    const recognised = desk.ocr.status(admin).recognised;
    const v2 = await desk.outgoing.revise(drafter, outgoingReviseSchema.parse({ id: d.id, subject: 'Về việc tổ chức diễn tập phòng thủ', comment: 'Sửa trích yếu' }));
    const appendix2 = v2.files[1]!.id;
    assert.notEqual(appendix2, appendixId);
    await desk.ocr.start(admin);
    assert.equal(desk.ocr.status(admin).recognised, recognised, 'nothing recognised again');
    assert.match(desk.ocr.pageText(drafter, appendix2, 1).text ?? '', /MÓNG CÁI|Móng Cái/i);
    assert.deepEqual(search(desk, drafter, 'mong cai'), [d.id]);

    // A version with another scan: its words replace the old ones (the superseded version is not searched).
    const main3 = await stageBytes(desk, drafter, await typesetPdf([['ỦY BAN NHÂN DÂN TỈNH', 'Quyết định về việc diễn tập phòng thủ khu vực năm 2026']]), 'quyet-dinh.pdf');
    const appendix3 = await stageBytes(desk, drafter, await scannedPdf([['PHỤ LỤC', 'Kinh phí bảo đảm diễn tập', 'Ngân sách tỉnh cấp bổ sung']]), 'phu-luc-2.pdf');
    const v3 = await desk.outgoing.revise(drafter, outgoingReviseSchema.parse({ id: d.id, stagedIds: [main3.stagedId, appendix3.stagedId], comment: 'Thay phụ lục' }));
    assert.deepEqual(search(desk, drafter, 'mong cai'), [], 'the replaced scan\'s words left the entry with its version');
    await desk.ocr.start(admin);
    assert.deepEqual(search(desk, drafter, 'ngan sach tinh cap bo sung'), [d.id]);
    assert.deepEqual(search(desk, drafter, 'mong cai'), []);
    assert.match(desk.ocr.pageText(drafter, v3.files[1]!.id, 1).text ?? '', /Ngân sách|NGÂN SÁCH/i);

    // The text is in the Mật compartment only, encrypted: no file of the profile holds it in clear.
    desk.db.pragma('c_mat.wal_checkpoint(TRUNCATE)');
    for (const f of filesUnder(env.dir)) {
      const bytes = readFileSync(f);
      for (const needle of ['Móng Cái', 'MÓNG CÁI', 'mong cai', 'Ngân sách', 'ngan sach']) {
        assert.equal(bytes.includes(Buffer.from(needle)), false, `${needle} in clear in ${f}`);
      }
    }
  } finally {
    env.cleanup();
  }
});
