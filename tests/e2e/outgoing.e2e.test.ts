// An outgoing Tối mật document through the screens (issue 8 §4, §7): the văn thư drafts it in "Văn
// bản đi" (a PDF and an appendix, two approvers in order, the signer, an outside recipient by its
// identifier code) and submits it; the first approver (the Phó Chánh Văn phòng, on her own token)
// approves; the second (the Chánh Văn phòng, on another set of tokens) approves and signs it on his
// token; the văn thư issues it on hers (the number, then the agency's signature with it): 01-QĐ/TU appears;
// the Sổ đăng ký BMNN đi lists it (printed as PDF, read with pdftotext); the issued PDF's signatures verify
// with pdfsig; a recall freezes it and marks its dispatch recalled.
// The signatures are PAdES, inside the PDFs (main/core/pdf), checked with pdfsig.
// Screenshots at 1366×768 and 1920×1080 go to test-results/e2e/.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { formatDateVn, todayIso } from '../../common/dates';
import { makeSamplePdf } from '../../main/devhost/samplePdf';
import { issueDateWords } from '../../main/core/outgoing/OutgoingService';
import { pdfSeenText, pdfTextPages } from '../helpers/pdfOracle';
import { ELECTRON_DIST, eventually, expectText, screenshot, type AppSession } from './harness';
import { openOffice, type Office, type Who as OfficeWho } from './office';

const skip = ELECTRON_DIST ? 'the profile is seeded and people are switched through the development host (Chromium only)' : false;

const UNIT = 'Văn phòng Tỉnh ủy Quảng Ninh';
const CLERK = 'Nguyễn Thị Lan';
const DEPUTY = 'Hoàng Thị Phó';
const CHIEF = 'Trần Văn Lãnh';
const SUBJECT = 'Về việc tăng cường bảo vệ bí mật nhà nước trong tình hình mới';
const SIZES = [{ width: 1366, height: 768 }, { width: 1920, height: 1080 }] as const;
const today = todayIso();

let office: Office;
/** The document drafted here. */
const ids = { doc: 0 };
const app = (): AppSession => office.app();

before(async () => {
  if (skip) return;
  // The Phó Chánh Văn phòng on set A's recovery token, the Chánh Văn phòng (the signer) on set B's.
  office = await openOffice({
    name: 'outgoing', unit: { name: UNIT, code: '000.00.01.H27', preset: 'party' }, clerk: CLERK,
    second: { fullName: DEPUTY, position: 'Phó Chánh Văn phòng', role: 'lanh_dao', clearance: 'tuyet_mat' },
    third: { fullName: CHIEF, position: 'Chánh Văn phòng', role: 'lanh_dao', clearance: 'tuyet_mat' },
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

async function openDocument(p: Page): Promise<void> {
  await p.locator('.outgoing-table tbody tr.clickable').filter({ hasText: SUBJECT }).first().click();
  await p.locator('.outgoing-detail').waitFor();
}

/** Confirms a step that asks for a comment (trình, duyệt, thu hồi). */
async function step(p: Page, button: string, comment: string): Promise<void> {
  await p.locator('.outgoing-actions').getByRole('button', { name: button, exact: true }).click();
  const dialog = p.getByRole('dialog', { name: button });
  await dialog.getByRole('textbox').last().fill(comment);
  await dialog.getByRole('button', { name: 'Xác nhận' }).click();
  await dialog.waitFor({ state: 'hidden' });
}

async function shoot(p: Page, name: string, root: string): Promise<void> {
  for (const size of SIZES) {
    await p.setViewportSize(size);
    await screenshot(p, `${name}-${size.width}`);
    const clipped = await p.locator(root).evaluate((el) => Array.from(el.querySelectorAll<HTMLElement>('th, button, label, h1'))
      .filter((x) => x.offsetParent !== null && x.scrollWidth > x.clientWidth + 1).map((x) => x.textContent ?? ''));
    assert.deepEqual(clipped, [], `clipped at ${size.width}`);
  }
  await p.setViewportSize({ width: 1366, height: 768 });
}

async function captureTicket(p: Page, act: () => Promise<void>): Promise<Buffer> {
  let bytes: Buffer | null = null;
  await p.route(/\/blob\/[0-9a-f]{32}$/, async (route) => {
    const response = await route.fetch();
    bytes = await response.body();
    await route.fulfill({ response, body: bytes });
  });
  await act();
  await eventually(async () => assert.ok(bytes, 'the file was fetched'));
  await p.unroute(/\/blob\/[0-9a-f]{32}$/);
  return bytes!;
}

test('an outgoing Tối mật document: drafted, approved twice, signed by the signer and the agency, numbered, registered, recalled', { skip }, async () => {
  // The văn thư drafts it.
  let p = await signIn('clerk');
  await p.getByRole('button', { name: 'Soạn văn bản đi' }).click();
  const form = p.getByRole('dialog', { name: 'Soạn văn bản đi' });
  await form.getByLabel('Loại văn bản').selectOption('QĐ');
  await form.getByLabel('Trích yếu').fill(SUBJECT);
  await form.getByLabel('Độ mật').selectOption('toi_mat');
  await form.getByLabel('Độ khẩn').selectOption('khan');
  await form.getByLabel('Người ký').selectOption(String(person('chief')));
  await form.getByLabel('Thẩm quyền ký (TM., KT., TL., TUQ., Q.)').fill('TL. BAN THƯỜNG VỤ');
  await form.getByLabel('Số lượng bản').fill('3');
  for (const who of [person('deputy'), person('chief')]) {
    await form.getByLabel('Người duyệt (theo thứ tự)').selectOption(String(who));
    await form.locator('.inline-add').first().getByRole('button', { name: 'Thêm' }).click();
  }
  await form.getByPlaceholder('Mã định danh').fill('000.00.00.H27');
  await form.getByPlaceholder('Tên cơ quan').fill('Ban Tổ chức Tỉnh ủy');
  await form.locator('.external-recipient').getByRole('button', { name: 'Thêm' }).click();
  const pdf = Buffer.from(await makeSamplePdf({ issuer: UNIT, numberSymbol: '…-QĐ/TU', title: 'QUYẾT ĐỊNH', subject: SUBJECT, pages: 2 }));
  const appendix = Buffer.from(await makeSamplePdf({ issuer: UNIT, numberSymbol: '…-QĐ/TU', title: 'PHỤ LỤC', subject: 'Danh mục bí mật nhà nước' }));
  await form.locator('#og-files').setInputFiles([{ name: 'quyet-dinh.pdf', mimeType: 'application/pdf', buffer: pdf }]);
  await expectText(form.locator('.recipient-list').last(), 'quyet-dinh.pdf');
  await form.locator('#og-files').setInputFiles([{ name: 'phu-luc.pdf', mimeType: 'application/pdf', buffer: appendix }]);
  await expectText(form.locator('.recipient-list').last(), 'phu-luc.pdf');
  assert.match((await form.locator('.chain-list').textContent())!, new RegExp(`${DEPUTY}.*${CHIEF}`));
  for (const size of SIZES) {
    await p.setViewportSize(size);
    await screenshot(p, `outgoing-draft-form-${size.width}`);
  }
  await p.setViewportSize({ width: 1366, height: 768 });
  await form.getByRole('button', { name: 'Lưu dự thảo' }).click();
  await p.locator('.outgoing-detail').waitFor();
  await expectText(p.locator('.outgoing-detail .status-pill'), 'Dự thảo');
  await step(p, 'Trình duyệt', 'Kính trình lãnh đạo Văn phòng');
  await expectText(p.locator('.outgoing-detail .status-pill'), 'Đang trình duyệt');
  await expectText(p.locator('.chain-list'), `Đang chờ ${DEPUTY} duyệt`);
  ids.doc = app().desk!.outgoing.list(app().desk!.session!, { mine: false, limit: 10 }).find((r) => r.subject === SUBJECT)!.id;
  assert.ok(ids.doc > 0);

  // The first approver, on her own token.
  p = await signIn('deputy');
  await openDocument(p);
  assert.equal(await p.getByRole('button', { name: 'Ký số', exact: true }).count(), 0, 'she is not the signer');
  await step(p, 'Duyệt', 'Đồng ý nội dung');
  await expectText(p.locator('.chain-list'), `Đang chờ ${CHIEF} duyệt`);
  assert.equal(await p.locator('.outgoing-actions').getByRole('button', { name: 'Duyệt', exact: true }).count(), 0, 'approving twice is not offered');
  // The core refuses it too, whoever asks (the session behind the window is hers): the reason is specific.
  await assert.rejects(app().desk!.outgoing.approve(app().desk!.session!, { id: ids.doc, comment: '' }), (e: unknown) => (e as { key?: string }).key === 'outgoing.alreadyApproved');

  // The second approver approves, then signs as the designated signer on his token.
  p = await signIn('chief');
  await openDocument(p);
  await step(p, 'Duyệt', 'Đồng ý');
  await expectText(p.locator('.outgoing-detail .status-pill'), 'Đã duyệt');
  await p.locator('.outgoing-actions').getByRole('button', { name: 'Ký số', exact: true }).click();
  await expectText(p.locator('.outgoing-detail .status-pill'), 'Người có thẩm quyền đã ký', 30_000);

  p = await signIn('clerk');
  // The văn thư issues it in one act: the number, then the agency's signature carrying it; the number appears.
  await openDocument(p);
  await p.locator('.outgoing-actions').getByRole('button', { name: 'Cấp số, ký số cơ quan và ban hành' }).click();
  await expectText(p.locator('.issued-banner'), `Số, ký hiệu: 01-QĐ/TU · ngày ${formatDateVn(today)} · Sổ đăng ký bí mật nhà nước đi`, 30_000);
  await expectText(p.locator('.toast').last(), `Đã ban hành văn bản số 01-QĐ/TU, ngày ${formatDateVn(today)}.`);
  await expectText(p.locator('.outgoing-detail h1'), '01-QĐ/TU');
  const trail = (await p.locator('.trail-list li').allTextContents()).map((s) => s.replace(/\s+/g, ' '));
  assert.deepEqual(trail.map((s) => s.match(/(Tạo dự thảo|Trình duyệt|Duyệt|Ký số \(người ký\)|Ký số \(cơ quan\)|Ban hành)/)?.[1]),
    ['Tạo dự thảo', 'Trình duyệt', 'Duyệt', 'Duyệt', 'Ký số (người ký)', 'Ký số (cơ quan)', 'Ban hành']);
  await expectText(p.locator('.outgoing-main table'), 'Chờ gửi');
  await shoot(p, 'outgoing-issued', '.outgoing-detail');

  // The signatures are inside the PDFs (PAdES): pdfsig finds the signer's and the agency's valid on the
  // issued document, the last covering the whole file, and the agency's on the appendix.
  const desk = app().desk!;
  const blobs = desk.outgoing.signatureBlobs(desk.session!, ids.doc);
  assert.deepEqual(blobs.map((b) => [b.role, b.format]), [['signer', 'pades'], ['agency', 'pades'], ['agency', 'pades']]);
  const dir = mkdtempSync(join(tmpdir(), 'outgoing-e2e-sig-'));
  try {
    const store = desk.context().storeFor('toi_mat');
    for (const [i, b] of blobs.entries()) {
      if (i === 0) continue; // the signer's intermediate version is inside the final one
      const chunks: Buffer[] = [];
      for await (const c of store.openBlob(b.signedSha256!)) chunks.push(c as Buffer);
      writeFileSync(join(dir, `f${i}.pdf`), Buffer.concat(chunks));
      const out = execFileSync('pdfsig', ['-nocert', join(dir, `f${i}.pdf`)], { encoding: 'utf8' });
      assert.equal((out.match(/Signature is Valid\./g) ?? []).length, i === 1 ? 2 : 1, out);
      if (i === 1) assert.match(out, /Signature #2:[\s\S]*Total document signed/, out);
      // The number and date on page 1 of the main file, the number on the appendix; the seal on the main file.
      const first = pdfTextPages(Buffer.concat(chunks))[0]!;
      if (i === 1) {
        // The draft's own blanks: "Số: …-QĐ/TU" gets the number over the "…" (the reader sees
        // "Số:01-QĐ/TU"; the signed text underneath keeps the "…"), and the date its day and month.
        assert.match(pdfSeenText(Buffer.concat(chunks)), /Số:\s*01-QĐ\/TU/);
        assert.match(first, /Số:\s*01\b/, first);
        assert.ok(first.includes(issueDateWords(today)), first);
        // The seal: the generated stand-in (the agency has not uploaded its own), 302 px square.
        assert.match(execFileSync('pdfimages', ['-list', join(dir, `f${i}.pdf`)], { encoding: 'utf8' }), /\s302\s+302\s+rgb/);
      } else assert.ok(first.includes('01-QĐ/TU'), first); // the appendix: the note in its top margin
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  // The Sổ đăng ký BMNN đi lists it; its PDF is printed through the one-use ticket.
  await p.locator('.outgoing-detail').getByRole('button', { name: 'Danh sách văn bản đi' }).click();
  await p.getByRole('tab', { name: 'Sổ đăng ký BMNN đi' }).click();
  const row = p.locator('.outgoing-register-table tbody tr').filter({ hasText: '01-QĐ/TU' });
  await eventually(async () => assert.equal(await row.count(), 1));
  const cells = (await row.locator('td').allTextContents()).map((c) => c.trim());
  assert.deepEqual(cells.slice(0, 5), ['01-QĐ/TU', formatDateVn(today), `Quyết định: ${SUBJECT}`, 'Tối mật', `TL. BAN THƯỜNG VỤ ${CHIEF}`]);
  assert.equal(cells[5], 'Ban Tổ chức Tỉnh ủy');
  await shoot(p, 'outgoing-bmnn-register', '.outgoing-page');
  const printed = await captureTicket(p, () => p.getByRole('button', { name: 'In sổ (PDF)' }).click());
  const text = pdfTextPages(printed).join('\n');
  assert.match(text, /SỔ ĐĂNG KÝ BÍ MẬT NHÀ NƯỚC ĐI/);
  assert.ok(text.includes('01-QĐ/TU'));
  assert.ok(desk.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'register.export' AND details LIKE '%secret_outgoing%'").pluck().get() as number >= 1);

  // A recall freezes it and marks its dispatch recalled.
  await p.getByRole('tab', { name: 'Danh sách' }).click();
  await shoot(p, 'outgoing-list', '.outgoing-page');
  await openDocument(p);
  await step(p, 'Thu hồi', 'Ban hành nhầm đối tượng nhận');
  await expectText(p.locator('.outgoing-detail .status-pill'), 'Đã thu hồi');
  await expectText(p.locator('.outgoing-main table'), 'Đã thu hồi');
  assert.equal(await p.locator('.outgoing-actions button:enabled').count(), 0, 'nothing can be done to a recalled document');
  // Cập nhật stays in sight for the văn thư, off, saying why.
  const update = p.locator('.outgoing-actions').getByRole('button', { name: 'Cập nhật thông tin' });
  assert.equal(await update.isDisabled(), true);
  await expectText(p.locator(`#${await update.getAttribute('aria-describedby')}`), 'Văn bản đã bị thu hồi: không cập nhật thông tin được nữa.');
  await assert.rejects(desk.outgoing.revise(desk.session!, { id: ids.doc, comment: 'sửa', subject: 'Khác' }), (e: unknown) => (e as { key?: string }).key === 'outgoing.issuedFrozen');
  await assert.rejects(desk.outgoing.issue(desk.session!, ids.doc), (e: unknown) => (e as { key?: string }).key === 'outgoing.alreadyIssued');
  await shoot(p, 'outgoing-recalled', '.outgoing-detail');

  await office.closeApp();
  assert.deepEqual(office.seen.csp, []);
  assert.deepEqual(office.seen.errors.filter((e) => !/status of 4\d\d/.test(e)), []);
});
