// A document whose two appendices are inside the main PDF, signed with the signer's own signature
// image, through the screens in Chromium, each person on their own SoftHSM token: the văn thư drafts it
// ("Trang bắt đầu phụ lục trong tệp chính": 3, 4) and submits it; the Phó Chánh Văn phòng approves; the
// Chánh Văn phòng sets his signature image ("Ảnh chữ ký của tôi") and signs; the văn thư issues it (the
// number, then the agency's signature). The issued PDF is judged by outside tools: pdfsig (both
// signatures valid, the agency's covering the whole file), pdfimages (the signature image on the
// signer's page, the seal), pdftotext -bbox ("số, ký hiệu; thời gian ký" at the top right of pages 3
// and 4 only), and Tesseract on the rendered appendix page. The document view after the issue shows the
// file's verdict; screenshots at 1366×768 and 1920×1080 go to test-results/e2e/.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { formatDateVn, todayIso } from '../../common/dates';
import { outgoingCreateSchema } from '../../common/schemas';
import { writeTx } from '../../main/core/db/transaction';
import { readConfig, writeConfig } from '../../main/core/outgoing/config';
import { encodePng } from '../../main/core/outgoing/seal';
import { isoVietnam } from '../../main/core/pdf';
import { decreeDraftPdf } from '../helpers/decreeDraft';
import { pdfSeenText } from '../helpers/pdfOracle';
import { ELECTRON_DIST, expectText, screenshot, type AppSession } from './harness';
import { openOffice, type Office, type Who as OfficeWho } from './office';

const skip = ELECTRON_DIST ? 'the profile is seeded and people are switched through the development host (Chromium only)' : false;

const UNIT = 'Ủy ban nhân dân tỉnh Quảng Ninh';
const CLERK = 'Nguyễn Thị Lan';
const DEPUTY = 'Hoàng Thị Phó';
const CHIEF = 'Trần Văn Lãnh';
const SUBJECT = 'Về việc ban hành quy chế làm việc kèm hai phụ lục';
/** The second document: issued once the administrator no longer requires the agency's signature. */
const SUBJECT2 = 'Về việc ban hành danh mục hồ sơ kèm hai phụ lục';
const NUMBER = '01/QĐ-UBND';
const NUMBER2 = '02/QĐ-UBND';
const SIZES = [{ width: 1366, height: 768 }, { width: 1920, height: 1080 }] as const;
const today = todayIso();

let office: Office;
/** The two documents issued here. */
const ids = { doc: 0, doc2: 0 };
const app = (): AppSession => office.app();

before(async () => {
  if (skip) return;
  // The Phó Chánh Văn phòng on set A's recovery token, the Chủ tịch (the signer) on set B's.
  office = await openOffice({
    name: 'appendix', unit: { name: UNIT, code: '000.00.00.H40', preset: 'state' }, clerk: CLERK,
    second: { fullName: DEPUTY, position: 'Phó Chánh Văn phòng', role: 'lanh_dao', clearance: 'tuyet_mat' },
    third: { fullName: CHIEF, position: 'Chủ tịch', role: 'lanh_dao', clearance: 'tuyet_mat' },
  });
});

after(async () => office?.close());

type Who = 'clerk' | 'deputy' | 'chief';
const AS: Record<Who, OfficeWho> = { clerk: 'clerk', deputy: 'second', chief: 'third' };
const person = (who: Who): number => office.ids[AS[who]];

/** Signs `who` in with their own token and opens "Văn bản đi". */
async function signIn(who: Who): Promise<Page> {
  const p = await office.signIn(AS[who]);
  await p.getByRole('navigation', { name: 'Chức năng' }).getByRole('button', { name: 'Văn bản đi', exact: true }).click();
  await p.getByRole('heading', { name: 'Văn bản đi' }).waitFor();
  return p;
}

async function openDocument(p: Page, subject = SUBJECT): Promise<void> {
  const back = p.locator('.outgoing-detail').getByRole('button', { name: 'Danh sách văn bản đi' });
  if (await back.isVisible()) await back.click();
  await p.locator('.outgoing-table tbody tr.clickable').filter({ hasText: subject }).first().click();
  await expectText(p.locator('.outgoing-detail .meta-list'), subject);
}

async function fileOf(sha256: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of app().desk!.context().storeFor('thuong').openBlob(sha256)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function step(p: Page, button: string, comment: string): Promise<void> {
  await p.locator('.outgoing-actions').getByRole('button', { name: button, exact: true }).click();
  const dialog = p.getByRole('dialog', { name: button });
  await dialog.getByRole('textbox').last().fill(comment);
  await dialog.getByRole('button', { name: 'Xác nhận' }).click();
  await dialog.waitFor({ state: 'hidden' });
}

/** Both sizes; nothing in `root` clipped, and the page itself does not scroll sideways. */
async function shoot(p: Page, name: string, root: string): Promise<void> {
  for (const size of SIZES) {
    await p.setViewportSize(size);
    await screenshot(p, `${name}-${size.width}`);
    const clipped = await p.locator(root).evaluate((el) => Array.from(el.querySelectorAll<HTMLElement>('th, button, label, h1, h2, h3, .status-pill, .issued-banner'))
      .filter((x) => x.offsetParent !== null && x.scrollWidth > x.clientWidth + 1).map((x) => x.textContent ?? ''));
    assert.deepEqual(clipped, [], `clipped at ${size.width}`);
    assert.equal(await p.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth), false, `sideways scroll at ${size.width}`);
  }
  await p.setViewportSize({ width: 1366, height: 768 });
}

/** A handwritten-looking stroke, 240 × 90, blue on transparent. */
function signatureImage(): Buffer {
  const width = 240;
  const height = 90;
  const rgba = new Uint8Array(width * height * 4);
  for (let x = 10; x < width - 10; x++) {
    const yc = Math.round(height / 2 + Math.sin(x / 13) * 22);
    for (let y = yc - 2; y <= yc + 2; y++) rgba.set([20, 40, 170, 255], (y * width + x) * 4);
  }
  return encodePng(width, height, rgba);
}

/** The words pdftotext -bbox finds on a page: text, and the box in points from the top left. */
function words(path: string, page: number): Array<{ t: string; x2: number; y1: number; y2: number }> {
  const html = execFileSync('pdftotext', ['-bbox', '-enc', 'UTF-8', '-f', String(page), '-l', String(page), path, '-'], { encoding: 'utf8' });
  return [...html.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)]
    .map((m) => ({ t: m[5]!, x2: Number(m[3]), y1: Number(m[2]), y2: Number(m[4]) }));
}

test('appendices inside the main PDF and the signer\'s signature image: drafted, approved, signed, issued; the PDF judged by outside tools', { skip }, async () => {
  // The văn thư drafts it: the decree's layout, the appendices starting on pages 3 and 4.
  let p = await signIn('clerk');
  await p.getByRole('button', { name: 'Soạn văn bản đi' }).click();
  const form = p.getByRole('dialog', { name: 'Soạn văn bản đi' });
  await form.getByLabel('Loại văn bản').selectOption('QĐ');
  await form.getByLabel('Trích yếu').fill(SUBJECT);
  await form.getByLabel('Người ký').selectOption(String(person('chief')));
  await form.getByLabel('Thẩm quyền ký (TM., KT., TL., TUQ., Q.)').fill('TM. ỦY BAN NHÂN DÂN');
  await form.getByLabel('Người duyệt (theo thứ tự)').selectOption(String(person('deputy')));
  await form.locator('.inline-add').first().getByRole('button', { name: 'Thêm' }).click();
  const pdf = Buffer.from(await decreeDraftPdf({ form: 'state', pages: 4, appendixPages: { 3: 'PHỤ LỤC I', 4: 'PHỤ LỤC II' } }));
  await form.locator('#og-files').setInputFiles([{ name: 'quy-che.pdf', mimeType: 'application/pdf', buffer: pdf }]);
  await expectText(form.locator('.recipient-list').last(), 'quy-che.pdf');
  await form.getByLabel('Trang bắt đầu phụ lục trong tệp chính').fill('3, 4');
  await form.getByRole('button', { name: 'Lưu dự thảo' }).click();
  await p.locator('.outgoing-detail').waitFor();
  await expectText(p.locator('.appendix-pages'), 'bắt đầu ở trang 3, 4');
  await step(p, 'Trình duyệt', 'Kính trình lãnh đạo Văn phòng');
  ids.doc = app().desk!.outgoing.list(app().desk!.session!, { mine: true, limit: 10 }).find((r) => r.subject === SUBJECT)!.id;
  // The second one, the same way but through the core (the form was just driven above).
  {
    const desk = app().desk!;
    const staged = await desk.attachments.stage(desk.session!, Readable.from([pdf]), 'danh-muc.pdf');
    const d2 = await desk.outgoing.create(desk.session!, outgoingCreateSchema.parse({
      typeCode: 'QĐ', subject: SUBJECT2, secrecy: 'thuong', signerId: person('chief'), signerCompetence: 'TM. ỦY BAN NHÂN DÂN', approvers: [person('deputy')], stagedIds: [staged.stagedId], appendixPages: [3, 4],
    }));
    await desk.outgoing.submit(desk.session!, { id: d2.id, comment: '' });
    ids.doc2 = d2.id;
  }

  // The approver, on her own token.
  p = await signIn('deputy');
  for (const subject of [SUBJECT, SUBJECT2]) {
    await openDocument(p, subject);
    await step(p, 'Duyệt', 'Đồng ý');
    await expectText(p.locator('.outgoing-detail .status-pill'), 'Đã duyệt');
  }

  // The signer sets his own signature image from his menu, then signs on his token.
  p = await signIn('chief');
  await p.locator('.user-button').click();
  await p.getByRole('menuitem', { name: 'Ảnh chữ ký của tôi' }).click();
  const dialog = p.getByRole('dialog', { name: `Ảnh chữ ký: ${CHIEF}` });
  await expectText(dialog, 'Chưa có ảnh chữ ký.');
  await dialog.getByLabel('Chọn ảnh chữ ký').setInputFiles([{ name: 'chu-ky.png', mimeType: 'image/png', buffer: signatureImage() }]);
  await expectText(dialog, '240 × 90 điểm ảnh');
  await dialog.getByRole('img', { name: `Ảnh chữ ký của ${CHIEF}` }).waitFor();
  await dialog.getByRole('button', { name: 'Đóng', exact: true }).last().click();
  await dialog.waitFor({ state: 'hidden' });
  for (const subject of [SUBJECT, SUBJECT2]) {
    await openDocument(p, subject);
    await p.locator('.outgoing-actions').getByRole('button', { name: 'Ký số', exact: true }).click();
    await expectText(p.locator('.outgoing-detail .status-pill'), 'Người có thẩm quyền đã ký', 30_000);
  }

  // The văn thư issues it: the number, then the agency's signature carrying it and the appendix notes.
  p = await signIn('clerk');
  await openDocument(p);
  await p.locator('.outgoing-actions').getByRole('button', { name: 'Cấp số, ký số cơ quan và ban hành' }).click();
  await expectText(p.locator('.issued-banner'), `Số, ký hiệu: ${NUMBER} · ngày ${formatDateVn(today)}`, 30_000);
  // The view shows the issued file's verdict: both signatures valid, the agency's marked.
  const verdict = p.locator('.issued-file-signatures');
  await expectText(verdict, 'Nguyễn Văn An'); // both test tokens' certificates carry this name
  await expectText(verdict, 'Chữ ký cơ quan');
  assert.equal(await verdict.locator('.sig-ok').count(), 2, await verdict.textContent() ?? '');
  assert.equal(await verdict.locator('.notice').count(), 0, 'no finding on a file the agency signed whole');
  await expectText(p.locator('.appendix-pages'), 'bắt đầu ở trang 3, 4');
  await shoot(p, 'outgoing-appendix-issued', '.outgoing-detail');

  // The issued PDF, read by outside tools.
  const desk = app().desk!;
  const blobs = desk.outgoing.signatureBlobs(desk.session!, ids.doc);
  assert.deepEqual(blobs.map((b) => [b.role, b.format]), [['signer', 'pades'], ['agency', 'pades']]);
  const bytes = await fileOf(blobs[1]!.signedSha256!);
  const dir = mkdtempSync(join(tmpdir(), 'outgoing-appendix-e2e-'));
  try {
    const path = join(dir, 'issued.pdf');
    writeFileSync(path, bytes);
    const sig = execFileSync('pdfsig', ['-nocert', path], { encoding: 'utf8' });
    assert.equal((sig.match(/Signature Validation: Signature is Valid\./g) ?? []).length, 2, sig);
    assert.match(sig, /Signature #2:[\s\S]*Total document signed/, sig);
    // The signer's own image on page 2 (the document's last page, before the appendices), beside the seal.
    const images = execFileSync('pdfimages', ['-list', path], { encoding: 'utf8' });
    assert.match(images, /^\s*2\s+\d+\s+image\s+240\s+90\s/m, images);
    assert.match(images, /^\s*2\s+\d+\s+image\s+302\s+302\s/m, images);
    assert.ok(!/^\s*[134]\s+\d+\s+image\s+240\s+90\s/m.test(images), images);
    // "Số, ký hiệu; thời gian ký" at the top right of pages 3 and 4, and in no other page's top margin.
    const agencyAt = desk.outgoing.get(desk.session!, ids.doc).signatures.find((s) => s.role === 'agency')!.signedAt;
    const iso = isoVietnam(new Date(agencyAt));
    for (const page of [3, 4]) {
      const w = words(path, page);
      const num = w.find((x) => x.t === NUMBER);
      const time = w.find((x) => x.t === iso);
      assert.ok(num && time, `page ${page}: ${w.map((x) => x.t).join(' ')}`);
      for (const x of [num, time]) assert.ok(x.x2 > 560 && x.y2 < 60, `page ${page}: ${x.t} at ${x.x2}, ${x.y2}`);
    }
    for (const page of [1, 2]) assert.ok(!words(path, page).some((x) => (x.t === NUMBER || x.t === iso) && x.y2 < 60), `no note on page ${page}`);
    // What a reader sees on the rendered appendix page: the note and the appendix's own title.
    const seen3 = pdfSeenText(bytes, 3);
    assert.match(seen3, /01\/Q\S*-UBND/, seen3);
    assert.match(seen3, /PHỤ LỤC I/, seen3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  // The administrator no longer requires the agency's signature (set through the core here; the switch in
  // Cấu hình ban hành is driven by structure.e2e). The văn thư issues the second document without it.
  writeTx(desk.db, () => writeConfig(desk.db, { ...readConfig(desk.db), requireAgencySignature: false }));
  await openDocument(p, SUBJECT2);
  const issue = p.locator('.outgoing-actions').getByRole('button', { name: 'Cấp số và ban hành', exact: true });
  assert.equal(await issue.getAttribute('title'), 'Cấu hình không bắt buộc chữ ký số của cơ quan: số, ký hiệu và ngày ban hành sẽ được ghi vào tệp chính sau chữ ký của người ký, không ký số cơ quan.');
  await issue.click();
  await expectText(p.locator('.issued-banner'), `Số, ký hiệu: ${NUMBER2} · ngày ${formatDateVn(today)}`, 30_000);
  const verdict2 = p.locator('.issued-file-signatures');
  await expectText(verdict2.locator('.issued-unsigned'), 'Ban hành không có chữ ký số của cơ quan (cấu hình cho phép).');
  await expectText(verdict2.locator('.notice-warning'), /Tệp được ghi thêm sau chữ ký số cuối cùng: 1 lần cập nhật \(\d+ byte\) KHÔNG có chữ ký số/, 20_000);
  await expectText(verdict2.locator('.notice-warning'), `trang 3: «${NUMBER2} `);
  await expectText(verdict2.locator('.notice-warning'), 'không sửa nội dung các trang đã ký; các chú thích này hiện đè lên trang khi xem và in.');
  assert.equal(await verdict2.locator('.sig-ok').count(), 1, 'the signer\'s signature valid');
  const trail = (await p.locator('.trail-list li').allTextContents()).map((x) => x.replace(/\s+/g, ' '));
  assert.ok(trail.some((x) => x.includes(`${NUMBER2}. Ban hành không có chữ ký số của cơ quan (cấu hình cho phép)`)), trail.join('\n'));
  assert.ok(!trail.some((x) => x.includes('Ký số (cơ quan)')));
  await verdict2.scrollIntoViewIfNeeded();
  await shoot(p, 'outgoing-appendix-issued-unsigned', '.outgoing-detail');
  const main2 = desk.db.prepare(`SELECT signed_sha256 FROM ${desk.context().arms.find((a) => a.level === 'thuong')!.schema}.outgoing_files WHERE outgoing_id = ? AND role = 'main'`).pluck().get(ids.doc2) as string;
  const dir2 = mkdtempSync(join(tmpdir(), 'outgoing-appendix-e2e-'));
  try {
    const path = join(dir2, 'issued-unsigned.pdf');
    writeFileSync(path, await fileOf(main2));
    const sig = execFileSync('pdfsig', ['-nocert', path], { encoding: 'utf8' });
    assert.equal((sig.match(/Signature Validation: Signature is Valid\./g) ?? []).length, 1, sig);
    assert.match(sig, /Not total document signed/, sig);
    for (const page of [3, 4]) assert.ok(words(path, page).some((x) => x.t === NUMBER2 && x.x2 > 560 && x.y2 < 60), `page ${page}`);
    assert.ok(!words(path, 2).some((x) => x.t === NUMBER2), 'not on page 2');
  } finally {
    rmSync(dir2, { recursive: true, force: true });
  }

  await office.closeApp();
  assert.deepEqual(office.seen.csp, []);
  assert.deepEqual(office.seen.errors.filter((e) => !/status of 4\d\d/.test(e)), []);
});
