// Cập nhật and Lấy lại of an issued document through the screens (Chromium, development host): the
// profile holds a Thường công văn issued to two agencies over the network (both dispatches handed to
// the transport). The văn thư opens it in "Văn bản đi":
// - "Cập nhật thông tin": the four fields start from the current values; saving with no change is
//   refused with its own message, and without a reason too (nothing recorded); the subject and reply
//   deadline corrected with a reason: the history shows old → new and the reason, the view the new values;
// - "Lấy lại" on one agency's row: a reason (refused without), a confirmation; the row then says
//   "Đã lấy lại ngày dd/mm/yyyy" and the action is gone; the other row keeps it.
// The queue behind the window then holds an update packet (BussinessDocType 2) for both agencies and a
// status 13 for the one taken back. Screenshots at 1366×768 and 1920×1080 go to test-results/e2e/.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { addDaysIso, formatDateVn, todayIso } from '../../common/dates';
import { outgoingCreateSchema } from '../../common/schemas';
import { Desk } from '../../main/core/desk';
import { parseEdxml } from '../../main/core/exchange/edxml/parse';
import { actorFor, getUser } from '../../main/core/org/users';
import { SessionGuard } from '../../main/core/session/guard';
import { TokenService } from '../../main/core/session/tokens';
import { makeSamplePdf } from '../../main/devhost/samplePdf';
import { TokenBridge } from '../../native/bridge/client';
import { moduleId } from '../../native/modules/discovery';
import { createSoftHsm, keyOf, type SoftHsm } from '../fixtures/softhsm/tokens';
import { stageBytes } from '../helpers/desk';
import { addPerson, newIdentity } from '../helpers/people';
import { ELECTRON_DIST, expectText, openApp, screenshot, type AppSession, type Problems } from './harness';

const skip = ELECTRON_DIST ? 'the profile is seeded and the queue read through the core behind the page (Chromium only)' : false;

const A = '000.00.01.H49';
const B = '000.00.12.H49';
const C = '000.00.15.H49';
const UNIT = 'Văn phòng Tỉnh ủy Quảng Ninh';
const B_NAME = 'Ban Tổ chức Tỉnh ủy';
const C_NAME = 'Ban Tuyên giáo Tỉnh ủy';
const CLERK = 'Nguyễn Thị Lan';
const SUBJECT = 'Về việc tổ chức hội nghị quán triệt nghị quyết';
const CORRECTED = 'Về việc tổ chức hội nghị quán triệt, triển khai nghị quyết Đại hội';
const REASON = 'Bổ sung nội dung triển khai theo ý kiến của Thường trực';
const TAKE_BACK_REASON = 'Gửi nhầm nơi nhận, văn bản không thuộc phạm vi của Ban Tuyên giáo';
const SIZES = [{ width: 1366, height: 768 }, { width: 1920, height: 1080 }] as const;
const deadline = addDaysIso(todayIso(), 20);

let work = '';
let profileDir = '';
let hsm: SoftHsm;
let app: AppSession | undefined;
let docId = 0;
const seen: Problems = { errors: [], csp: [] };

async function seed(): Promise<void> {
  const desk = await Desk.open({ profileDir, trustAnchors: [hsm.ca.certDer] });
  const guard = new SessionGuard(desk, new TokenService(new TokenBridge({ env: hsm.env }), async () => [hsm.modulePath]));
  try {
    const session = await guard.setup(
      { unit: { name: UNIT, code: A, preset: 'party' }, admin: { fullName: CLERK, position: 'Văn thư cơ quan', role: 'van_thu', clearance: 'tuyet_mat' } },
      { moduleId: moduleId(hsm.modulePath), serial: hsm.tokens.userRsa.serial },
      hsm.tokens.userRsa.pin,
    );
    const clerk = actorFor(session.user);
    desk.exchange.setDirectory(clerk, [
      { code: A, name: UNIT, certificates: [keyOf(hsm.tokens.userRsa, 'an-sign').certDer] },
      { code: B, name: B_NAME, certificates: [newIdentity(B_NAME).signingKeys[0]!.certificate] },
      { code: C, name: C_NAME, certificates: [newIdentity(C_NAME).signingKeys[0]!.certificate] },
    ]);
    const signer = await addPerson(desk, { fullName: 'Nguyễn Văn Ký', role: 'lanh_dao', clearance: 'tuyet_mat', position: 'Phó Bí thư' });
    const main = await stageBytes(desk, clerk, await makeSamplePdf({ issuer: 'TỈNH ỦY QUẢNG NINH', numberSymbol: '     -CV/TU', title: 'CÔNG VĂN', subject: SUBJECT }), 'cong-van.pdf');
    const d = await desk.outgoing.create(clerk, outgoingCreateSchema.parse({
      typeCode: 'CV', subject: SUBJECT, secrecy: 'thuong', urgency: 'thuong', signerId: signer.id, signerCompetence: 'T/M BAN THƯỜNG VỤ', approvers: [],
      recipients: [{ code: B, name: B_NAME }, { code: C, name: C_NAME }], issuedAmount: 2, stagedIds: [main.stagedId], comment: '',
    }));
    await desk.outgoing.submit(clerk, { id: d.id, comment: '' });
    await desk.outgoing.signAsSigner(actorFor(getUser(desk.db, signer.id)!), d.id, signer.identity.signingKeys[0]!);
    const agencyKey = guard.signingKey(clerk);
    await desk.outgoing.issue(clerk, d.id, agencyKey);
    // The transport takes both packets: the dispatches are sent.
    const { packets, problems } = await desk.exchange.outbox.ready(clerk, agencyKey);
    assert.deepEqual(problems, []);
    assert.equal(packets.length, 2);
    desk.exchange.outbox.handedOver(clerk, packets.map((p) => p.packetId));
    assert.deepEqual(desk.outgoing.get(clerk, d.id).dispatches.map((x) => x.status), ['sent', 'sent']);
    docId = d.id;
  } finally {
    await guard.close();
  }
}

before(async () => {
  if (skip) return;
  work = mkdtempSync(join(tmpdir(), 'securedesk-e2e-update-'));
  profileDir = join(work, 'profile');
  hsm = await createSoftHsm({ tokens: ['userRsa'] });
  await seed();
});

after(async () => {
  if (app) await app.close();
  await hsm?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function dismissToasts(p: Page): Promise<void> {
  for (const b of await p.locator('.toast').getByRole('button', { name: 'Ẩn thông báo' }).all()) await b.click();
}

/** Both sizes; nothing in `root` clipped. */
async function shoot(p: Page, name: string, root: string): Promise<void> {
  for (const size of SIZES) {
    await p.setViewportSize(size);
    await screenshot(p, `${name}-${size.width}`);
    const clipped = await p.locator(root).evaluate((el) => Array.from(el.querySelectorAll<HTMLElement>('th, button, label, h1, h2, h3'))
      .filter((x) => x.offsetParent !== null && x.scrollWidth > x.clientWidth + 1).map((x) => x.textContent ?? ''));
    assert.deepEqual(clipped, [], `clipped at ${size.width}`);
  }
  await p.setViewportSize({ width: 1366, height: 768 });
}

test('the văn thư updates an issued document and takes it back from one agency', { skip }, async () => {
  app = await openApp(profileDir, { hsm, trustAnchors: [hsm.ca.certDer] });
  const p = app.page;
  await p.getByRole('heading', { name: 'Máy trạm đang khóa' }).waitFor();
  await p.getByLabel('Mã PIN').fill(hsm.tokens.userRsa.pin);
  await p.getByRole('button', { name: 'Mở khóa' }).click();
  await expectText(p.locator('.app-header'), CLERK);
  await p.getByRole('navigation', { name: 'Chức năng' }).getByRole('button', { name: 'Văn bản đi', exact: true }).click();
  await p.locator('tr.clickable').filter({ hasText: '01-CV/TU' }).click();
  await p.locator('.outgoing-detail').waitFor();
  const desk = app.desk!;
  const steps = () => desk.outgoing.get(desk.session!, docId).steps.length;
  const before = steps();

  // The dialog starts from the current values.
  await p.getByRole('button', { name: 'Cập nhật thông tin' }).click();
  const dialog = p.getByRole('dialog', { name: 'Cập nhật thông tin văn bản 01-CV/TU' });
  assert.equal(await dialog.getByLabel('Trích yếu').inputValue(), SUBJECT);
  assert.equal(await dialog.getByLabel('Hạn trả lời').inputValue(), '');
  assert.equal(await dialog.getByLabel('Số lượng bản').inputValue(), '2');
  // Refused: nothing changed (even with a reason), then a change without a reason. Nothing recorded.
  await dialog.getByLabel('Lý do cập nhật').fill(REASON);
  await dialog.getByRole('button', { name: 'Xác nhận cập nhật' }).click();
  await expectText(dialog.getByRole('alert'), 'Không có thông tin nào thay đổi so với thông tin hiện tại của văn bản: hãy sửa ít nhất một trường trước khi cập nhật.');
  await dialog.getByLabel('Lý do cập nhật').fill('');
  await dialog.getByLabel('Trích yếu').fill(CORRECTED);
  await dialog.getByLabel('Hạn trả lời').fill(formatDateVn(deadline));
  await dialog.getByRole('button', { name: 'Xác nhận cập nhật' }).click();
  await expectText(dialog.getByRole('alert'), 'Chưa nhập lý do cập nhật.');
  assert.equal(steps(), before, 'nothing recorded');
  // What will change, before confirming.
  const changes = dialog.locator('.update-changes');
  await expectText(changes, `Trích yếu: ${SUBJECT} → ${CORRECTED}`);
  await expectText(changes, `Hạn trả lời: Không có → ${formatDateVn(deadline)}`);
  assert.equal(await changes.locator('li').count(), 2);
  await dialog.getByLabel('Lý do cập nhật').fill(REASON);
  assert.equal(await dialog.getByRole('alert').count(), 0, 'the message goes once the form changes');
  await shoot(p, 'outgoing-update-dialog', '.update-issued-dialog');
  await dialog.getByRole('button', { name: 'Xác nhận cập nhật' }).click();
  await dialog.waitFor({ state: 'hidden' });

  // The view: the new values, the history with old → new and the reason.
  await expectText(p.locator('.outgoing-subject'), CORRECTED);
  await expectText(p.locator('.outgoing-deadline'), formatDateVn(deadline));
  const history = p.locator('.update-history');
  await expectText(history, `Trích yếu: ${SUBJECT} → ${CORRECTED}`);
  await expectText(history, `Hạn trả lời: Không có → ${formatDateVn(deadline)}`);
  await expectText(history, `Lý do: ${REASON}`);
  assert.equal(desk.outgoing.get(desk.session!, docId).subject, SUBJECT, 'the record as issued is kept');
  // Behind the window: the queue now holds the update for both agencies (BussinessDocType 2, the corrected subject).
  const queued = async () => {
    const { packets, problems } = await desk.exchange.outbox.ready(desk.session!, app!.guard!.signingKey(desk.session!));
    assert.deepEqual(problems, []);
    return Promise.all(packets.map(async (x) => ({ to: x.to, r: (await parseEdxml(x.bytes)).packet })));
  };
  const updates = (await queued()).filter((x) => x.r.kind === 'document')
    .map((x) => ({ to: x.to, r: x.r as unknown as { subject: string | null; dueDate: string | null; business: { docType: number } | null } }));
  assert.deepEqual(updates.map((x) => [x.to, x.r.business?.docType, x.r.subject, x.r.dueDate]).sort(), [[B, 2, CORRECTED, deadline], [C, 2, CORRECTED, deadline]]);

  // Lấy lại from C: a reason is required, then a confirmation.
  const rowC = p.locator('tr.dispatch-row').filter({ hasText: C_NAME });
  const rowB = p.locator('tr.dispatch-row').filter({ hasText: B_NAME });
  await dismissToasts(p);
  await rowC.getByRole('button', { name: `Lấy lại văn bản đã gửi đến ${C_NAME}` }).click();
  const tb = p.getByRole('dialog', { name: 'Lấy lại văn bản đã gửi' });
  await tb.getByRole('button', { name: 'Lấy lại', exact: true }).click();
  await expectText(tb.getByRole('alert'), 'Chưa nhập lý do lấy lại.');
  await tb.getByLabel('Lý do lấy lại').fill(TAKE_BACK_REASON);
  assert.equal(await tb.getByRole('alert').count(), 0);
  await shoot(p, 'outgoing-take-back-dialog', '.take-back-dialog');
  await tb.getByRole('button', { name: 'Lấy lại', exact: true }).click();
  const confirm = p.getByRole('dialog', { name: 'Xác nhận lấy lại' });
  await expectText(confirm, `Lấy lại văn bản 01-CV/TU đã gửi đến ${C_NAME}? Việc này không hoàn tác được.`);
  await confirm.getByRole('button', { name: 'Lấy lại văn bản' }).click();
  await tb.waitFor({ state: 'hidden' });
  await expectText(rowC.locator('.dispatch-state'), `Đã lấy lại ngày ${formatDateVn(todayIso())}`);
  await expectText(rowC.locator('.dispatch-state'), `Lý do: ${TAKE_BACK_REASON}`);
  assert.equal(await rowC.getByRole('button').count(), 0, 'the action is gone');
  assert.equal(await rowB.getByRole('button', { name: `Lấy lại văn bản đã gửi đến ${B_NAME}` }).count(), 1, 'B keeps it');
  await expectText(rowB.locator('.dispatch-state'), 'Đã gửi');
  await dismissToasts(p);
  await p.locator('.update-history').scrollIntoViewIfNeeded();
  await shoot(p, 'outgoing-updated-view', '.outgoing-detail');

  // And a status 13 for C, with the reason.
  const statuses = (await queued()).filter((x) => x.r.kind === 'status').map((x) => x.r as unknown as { statusCode: string; description: string; responseFor?: { organId: string } });
  assert.deepEqual(statuses.map((s) => [s.statusCode, s.responseFor?.organId, s.description]), [['13', C, TAKE_BACK_REASON]]);

  seen.errors.push(...app.problems.errors);
  seen.csp.push(...app.problems.csp);
  assert.deepEqual(seen.csp, []);
  assert.deepEqual(seen.errors.filter((e) => !/status of 4\d\d/.test(e)), []);
});
