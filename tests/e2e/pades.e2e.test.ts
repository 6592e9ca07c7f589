// Checking what arrives: a PDF signed by its signer and its agency (PAdES), chosen in the
// registration form, shows each signature (signer, organisation, time, validity, the agency's
// marked) under the file before the document is registered; a copy with bytes appended after
// signing shows the finding. The certificates chain to the token CA the workstation trusts.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { signPdf } from '../../main/core/pdf';
import { makeSamplePdf } from '../../main/devhost/samplePdf';
import { createSoftHsm, type SoftHsm } from '../fixtures/softhsm/tokens';
import { TestPki, type Party } from '../helpers/pki';
import { softKey } from '../helpers/softKey';
import { ELECTRON_DIST, eventually, expectText, openApp, screenshot, type AppSession } from './harness';

if (ELECTRON_DIST) {
  test('PDF signatures in Chromium on the development host', { skip: 'ELECTRON_OVERRIDE_DIST_PATH is set: these specs run in Electron instead' }, () => {});
}

let work = '';
let app: AppSession;
let hsm: SoftHsm;
let pki: TestPki;
let signedPath = '';
let appendedPath = '';

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'securedesk-e2e-pades-'));
  hsm = await createSoftHsm({ tokens: ['userRsa'] });
  // The signer and the agency, issued by the same CA as the tokens (the workstation's trust anchor).
  mkdirSync(join(work, 'pki'));
  pki = new TestPki(join(work, 'pki'));
  const ca: Party = { name: 'tokenca', keyPath: hsm.ca.keyPath, certPath: hsm.ca.certPath, keyPem: '', certPem: hsm.ca.certPem, certDer: new Uint8Array(hsm.ca.certDer) };
  const signer = pki.issue('signer', { key: 'ec-p256', subject: '/C=VN/O=Sở Nội vụ tỉnh Bắc Ninh/CN=Trần Văn Bình', issuer: ca, keyUsage: 'digitalSignature, nonRepudiation' });
  const agency = pki.issue('agency', { key: 'rsa2048', subject: '/C=VN/O=Sở Nội vụ tỉnh Bắc Ninh/CN=Sở Nội vụ tỉnh Bắc Ninh', issuer: ca, keyUsage: 'digitalSignature, nonRepudiation' });
  const pdf = await makeSamplePdf({ issuer: 'Sở Nội vụ tỉnh Bắc Ninh', numberSymbol: '45/SNV-VP', title: 'CÔNG VĂN', subject: 'Thông báo lịch giao ban tháng' });
  const bySigner = await signPdf(pdf, { key: softKey(signer.certDer, signer.keyPem), appearance: { kind: 'signer', page: 0, rect: { x: 330, y: 120, width: 200, height: 90 }, name: 'Trần Văn Bình', position: 'GIÁM ĐỐC' } });
  const signed = await signPdf(bySigner, { key: softKey(agency.certDer, agency.keyPem), appearance: { kind: 'attachment-note', numberSymbol: '45/SNV-VP' } });
  signedPath = join(work, 'cong-van-45.pdf');
  writeFileSync(signedPath, signed);
  appendedPath = join(work, 'cong-van-45-sua.pdf');
  writeFileSync(appendedPath, Buffer.concat([Buffer.from(signed), Buffer.from('\n% appended after signing\n')]));
  app = await openApp(join(work, 'profile'), { hsm });
});

after(async () => {
  await app?.close();
  await hsm?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the registration form shows the signatures of a signed PDF, and a finding on a changed one', { skip: Boolean(ELECTRON_DIST) }, async () => {
  const p = app.page;
  await p.getByRole('heading', { name: 'Thiết lập máy trạm' }).waitFor();
  await p.getByLabel('Tên cơ quan, đơn vị').fill('Văn phòng Tỉnh ủy Bắc Ninh');
  await p.getByLabel('Mã định danh').fill('000.00.01.T27');
  await p.getByRole('radio', { name: /Cơ quan Đảng/ }).check();
  await p.getByLabel('Họ và tên').fill('Nguyễn Thị Lan');
  await p.getByLabel('Chức vụ').fill('Văn thư cơ quan');
  await p.getByLabel('Vai trò').selectOption({ label: 'Văn thư' });
  await p.getByLabel('Mức được tiếp cận').selectOption({ label: 'Tuyệt mật' });
  const token = p.getByRole('radio', { name: /SD-USER-RSA/ });
  await eventually(async () => assert.equal(await token.isChecked(), true));
  await p.getByLabel('Mã PIN').fill(hsm.tokens.userRsa.pin);
  await p.getByRole('button', { name: 'Tạo dữ liệu máy trạm' }).click();
  await p.getByRole('heading', { name: 'Sổ văn bản đến' }).waitFor();

  await p.keyboard.press('Control+n');
  const d = p.getByRole('dialog', { name: 'Vào sổ văn bản đến' });
  await d.waitFor();
  await d.locator('input[type="file"]').setInputFiles([signedPath, appendedPath]);
  const good = d.locator('.file-item', { hasText: 'cong-van-45.pdf' });
  await expectText(good, 'Sẵn sàng');
  const sigs = good.locator('.pdf-signatures li');
  await eventually(async () => assert.equal(await sigs.count(), 2));
  await expectText(sigs.nth(0), 'Trần Văn Bình');
  await expectText(sigs.nth(0), 'Sở Nội vụ tỉnh Bắc Ninh');
  await expectText(sigs.nth(0), 'hợp lệ');
  await expectText(sigs.nth(1), 'Chữ ký cơ quan');
  await expectText(sigs.nth(1), /\d{2}\/\d{2}\/\d{4}/);
  assert.equal(await good.locator('.pdf-signatures .notice').count(), 0, 'nothing to report on the intact file');

  const changed = d.locator('.file-item', { hasText: 'cong-van-45-sua.pdf' });
  await expectText(changed.locator('.pdf-signatures .notice'), 'chỉ bảo đảm một phần của tệp');
  await good.scrollIntoViewIfNeeded();
  await screenshot(p, 'pdf-signatures');
  assert.deepEqual(app.problems.errors, []);
  assert.deepEqual(app.problems.csp, []);
});
