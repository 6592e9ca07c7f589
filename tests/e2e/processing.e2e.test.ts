// Processing an incoming document through the screens (issue 8 §2, §7): a Mật document registered by
// the văn thư is submitted (trình) to the leader, who finds it in "Chờ cho ý kiến", gives the
// direction (bút phê: Phòng Tổng hợp leads, with a deadline) and assigns the officer as handler; the
// officer, who could not see it before, finds it in "Cần xử lý", records progress and asks for more
// time; the leader grants the extension; the officer completes it with the reply's number-symbol.
// Each person signs in with their own SoftHSM token: the văn thư and the leader on one set of
// tokens, the officer on another (the app is reopened on the other set, as if that token were
// plugged in). The timeline on the document shows every step; the tracking register lists it with
// the reply. Screenshots at 1366×768 and 1920×1080 go to test-results/e2e/.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { addDaysIso, formatDateVn, todayIso } from '../../common/dates';
import { WorkDays, DEFAULT_CALENDAR } from '../../common/workdays';
import { writeTx } from '../../main/core/db/transaction';
import { addInternalUnit } from '../../main/core/org/internalUnits';
import { actorFor, getUser } from '../../main/core/org/users';
import { makeSamplePdf } from '../../main/devhost/samplePdf';
import { ELECTRON_DIST, expectText, pageText, screenshot } from './harness';
import { openOffice, type Office, type Who as OfficeWho } from './office';

const skip = ELECTRON_DIST ? 'the profile is seeded and people are switched through the development host (Chromium only)' : false;

const UNIT = 'Văn phòng Tỉnh ủy Quảng Ninh';
const CLERK = 'Nguyễn Thị Lan';
const LEADER = 'Trần Văn Lãnh';
const OFFICER = 'Phạm Văn Viên';
const LEAD_UNIT = 'Phòng Tổng hợp';
const DOC = { subject: 'Đề nghị báo cáo kết quả kiểm tra công tác bảo vệ bí mật nhà nước năm 2026', symbol: '152-CV/BNCTU' };
const REPLY = '245-BC/VPTU';
const SIZES = [{ width: 1366, height: 768 }, { width: 1920, height: 1080 }] as const;
const today = todayIso();
const wd = new WorkDays(DEFAULT_CALENDAR);
const leadDeadline = wd.add(today, 10);
const extended = wd.add(today, 15);

let office: Office;
/** The Mật document the văn thư registered, and its arrival number. */
const ids = { doc: 0, number: 0 };

before(async () => {
  if (skip) return;
  // The leader on set A's recovery token, the officer (cleared Mật) on set B's.
  office = await openOffice({
    name: 'processing', unit: { name: UNIT, code: '000.00.01.H27', preset: 'party' }, clerk: CLERK,
    second: { fullName: LEADER, position: 'Chánh Văn phòng', role: 'lanh_dao', clearance: 'tuyet_mat' },
    third: { fullName: OFFICER, position: 'Chuyên viên', role: 'chuyen_vien', clearance: 'mat' },
    seed: async (desk, people) => {
      writeTx(desk.db, () => {
        addInternalUnit(desk.db, { name: LEAD_UNIT }, people.clerk, new Date());
        addInternalUnit(desk.db, { name: 'Phòng Hành chính - Tài chính' }, people.clerk, new Date());
      });
      // Registered by the văn thư (the register dialog has its own E2E tests): arrived today, Mật.
      const clerk = actorFor(getUser(desk.db, people.clerk)!);
      const pdf = await makeSamplePdf({ issuer: 'Ban Nội chính Tỉnh ủy', numberSymbol: DOC.symbol, title: 'CÔNG VĂN', subject: DOC.subject, pages: 1 });
      const staged = await desk.attachments.stage(clerk, Readable.from(Buffer.from(pdf)), 'cong-van-152.pdf');
      const res = await desk.incoming.register(clerk, {
        issuer: { name: 'Ban Nội chính Tỉnh ủy' }, numberSymbol: DOC.symbol, documentDate: addDaysIso(today, -2), arrivalDate: today,
        typeCode: 'CV', subject: DOC.subject, secrecy: 'mat', urgency: 'thuong', recipients: [], notes: '', stagedIds: [staged.stagedId], acknowledgeDuplicates: false,
      });
      ids.doc = res.id;
      ids.number = res.arrivalNumber;
    },
  });
});

after(async () => {
  await office?.close();
  if (!skip) {
    assert.deepEqual(office.seen.csp, [], 'no CSP violation');
    assert.deepEqual(office.seen.errors, [], 'no page error');
  }
});

const page = (): Page => office.app().page;
const section = () => page().locator('.processing-section');
const nav = () => page().getByRole('navigation', { name: 'Chức năng' });

type Who = 'clerk' | 'leader' | 'officer';
const AS: Record<Who, OfficeWho> = { clerk: 'clerk', leader: 'second', officer: 'third' };

async function signIn(who: Who): Promise<Page> {
  const p = await office.signIn(AS[who]);
  await p.getByRole('heading', { name: 'Sổ văn bản đến' }).waitFor();
  return p;
}

async function openInbox(p: Page, tab: string): Promise<void> {
  await nav().getByRole('button', { name: /^Xử lý văn bản/ }).click();
  await p.getByRole('heading', { name: 'Xử lý văn bản đến' }).waitFor();
  await p.getByRole('tab', { name: new RegExp(`^${tab}`) }).click();
}

async function openDocFromInbox(p: Page): Promise<void> {
  await p.locator('.processing-table').getByRole('button', { name: new RegExp(DOC.symbol) }).click();
  await p.getByRole('heading', { name: `Văn bản đến số ${ids.number}` }).waitFor();
  await section().waitFor();
}

async function shoot(p: Page, name: string): Promise<void> {
  for (const size of SIZES) {
    await p.setViewportSize(size);
    await screenshot(p, `${name}-${size.width}`);
  }
}

async function act(p: Page, button: string, dialogName: string, fill: (d: ReturnType<Page['getByRole']>) => Promise<void>): Promise<void> {
  await section().getByRole('button', { name: button, exact: true }).click();
  const d = p.getByRole('dialog', { name: dialogName });
  await d.waitFor();
  await fill(d);
  await d.getByRole('button', { name: 'Xác nhận' }).click();
  await d.waitFor({ state: 'hidden' });
}

test('the văn thư submits the document to the leader: the due date is shown, the step is on the timeline', { skip }, async () => {
  const p = await signIn('clerk');
  await p.locator('#incoming-grid .grid-body [role="row"]').filter({ hasText: DOC.symbol }).dblclick();
  await section().waitFor();
  await expectText(section(), `Hạn trình lãnh đạo: ${formatDateVn(wd.after(today, 1))}`);
  await expectText(section(), 'mã trạng thái 03 — Đã tiếp nhận');
  await act(p, 'Trình', 'Trình', async (d) => {
    // Without a leader chosen: the field says so, nothing is submitted.
    await d.getByRole('button', { name: 'Xác nhận' }).click();
    await expectText(d.locator('.form-error, .field-error'), /.+/);
    await d.getByLabel('Lãnh đạo').selectOption({ label: `${LEADER} — Chánh Văn phòng` });
    await d.getByLabel('Ghi chú').fill('Kính trình đồng chí Chánh Văn phòng cho ý kiến');
  });
  await expectText(section().locator('.processing-timeline'), 'Trình lãnh đạo');
  await expectText(section(), 'Đã trình');
  await shoot(p, 'processing-submitted');
});

test('the officer, not yet assigned, does not find the Mật document anywhere', { skip }, async () => {
  const p = await signIn('officer');
  await openInbox(p, 'Cần xử lý');
  await expectText(p.locator('.admin-body'), 'Không có văn bản nào cần xử lý.');
  assert.ok(!(await pageText(p)).includes(DOC.symbol));
  await p.evaluate((id) => {
    window.location.hash = `#/incoming/${id}`;
  }, ids.doc);
  await expectText(p.locator('.detail-page [role="alert"]'), 'Không tìm thấy văn bản.');
});

test('the leader directs from "Chờ cho ý kiến" and assigns the handler for the lead unit', { skip }, async () => {
  const p = await signIn('leader');
  // The badge in the navigation counts what waits for him.
  await expectText(nav().getByRole('button', { name: /^Xử lý văn bản/ }).locator('.count-badge'), '1');
  await openInbox(p, 'Chờ cho ý kiến');
  await expectText(p.locator('.processing-table'), DOC.symbol);
  await shoot(p, 'processing-inbox-leader');
  await openDocFromInbox(p);
  await act(p, 'Cho ý kiến', 'Cho ý kiến', async (d) => {
    await d.getByLabel('Ý kiến chỉ đạo').fill('Giao Phòng Tổng hợp chủ trì, tham mưu báo cáo; trình trước hạn.');
    await d.getByLabel('Đơn vị hoặc người chủ trì').selectOption({ label: LEAD_UNIT });
    await d.getByLabel('Hạn xử lý của đơn vị chủ trì').fill(formatDateVn(leadDeadline));
  });
  await expectText(section().locator('.processing-timeline'), 'Ý kiến chỉ đạo');
  await expectText(section().locator('.processing-timeline'), `Chủ trì: ${LEAD_UNIT}`);
  await expectText(section(), 'mã trạng thái 04 — Phân công');
  // Directing twice is not offered; revising is.
  assert.equal(await section().getByRole('button', { name: 'Cho ý kiến', exact: true }).count(), 0);
  await section().getByRole('button', { name: 'Sửa ý kiến chỉ đạo' }).waitFor();
  await act(p, 'Phân công', 'Phân công', async (d) => {
    await d.getByLabel('Người xử lý').selectOption({ label: `${OFFICER} — Chuyên viên` });
    await d.getByLabel('Ghi chú').fill('Đồng chí Viên dự thảo báo cáo');
  });
  await expectText(section().locator('.processing-timeline'), 'Phân công xử lý');
  await expectText(section().locator('.processing-tasks'), `Xử lý: ${OFFICER}`);
  await shoot(p, 'processing-directed');
});

test('the handler records progress and asks for an extension', { skip }, async () => {
  const p = await signIn('officer');
  await openInbox(p, 'Cần xử lý');
  await expectText(p.locator('.processing-table'), DOC.symbol);
  await expectText(p.locator('.processing-table'), formatDateVn(leadDeadline));
  await openDocFromInbox(p);
  await act(p, 'Cập nhật tiến độ', 'Cập nhật tiến độ', async (d) => {
    await d.getByLabel('Tiến độ (%)').fill('60');
    await d.getByLabel('Nội dung đã thực hiện').fill('Đã tổng hợp số liệu của 12 đơn vị');
  });
  await expectText(section(), 'mã trạng thái 05 — Đang xử lý');
  await act(p, 'Xin gia hạn', 'Xin gia hạn', async (d) => {
    // A new deadline not later than the current one is refused with its reason.
    await d.getByLabel('Gia hạn đến ngày').fill(formatDateVn(leadDeadline));
    await d.getByLabel('Lý do').fill('Chờ số liệu của Ban Tổ chức');
    await d.getByRole('button', { name: 'Xác nhận' }).click();
    await expectText(d.locator('[role="alert"], .field-error'), `Hạn mới phải sau hạn hiện tại (${formatDateVn(leadDeadline)}).`);
    await d.getByLabel('Gia hạn đến ngày').fill(formatDateVn(extended));
  });
  await expectText(section().locator('.processing-tasks'), `Xin gia hạn đến ${formatDateVn(extended)}`);
  await shoot(p, 'processing-extension-asked');
});

test('the leader grants the extension', { skip }, async () => {
  const p = await signIn('leader');
  await openInbox(p, 'Sắp đến hạn');
  await expectText(p.locator('.processing-reminders'), '1 đề nghị gia hạn đang chờ quyết định.');
  await p.getByRole('tab', { name: /^Cần phân công/ }).click();
  await expectText(p.locator('.admin-body'), 'Đơn vị không có văn bản nào chờ phân công.');
  await nav().getByRole('button', { name: 'Văn bản đến', exact: true }).click();
  await p.locator('#incoming-grid .grid-body [role="row"]').filter({ hasText: DOC.symbol }).dblclick();
  await section().waitFor();
  await act(p, `Duyệt gia hạn (${OFFICER})`, `Duyệt gia hạn (${OFFICER})`, async (d) => {
    await d.getByLabel('Quyết định').selectOption({ label: 'Đồng ý gia hạn' });
  });
  await expectText(section().locator('.processing-timeline'), `Đồng ý gia hạn đến ${formatDateVn(extended)}`);
});

test('the leader\'s dashboard: the work in hand by unit and by handler, drawn as charts; a number opens its list', { skip }, async () => {
  const p = await signIn('leader');
  await openInbox(p, 'Tổng hợp');
  const figures = p.locator('.dashboard-figures');
  await expectText(figures.locator('.dashboard-figure', { hasText: 'Đang xử lý' }), '1');
  const handlers = p.locator('.dashboard-table', { has: p.locator('caption', { hasText: 'Theo người xử lý' }) });
  await expectText(handlers.locator('tr', { hasText: OFFICER }), OFFICER);
  // The charts are drawn on their canvases (pixels, not an empty box).
  const drawn = await p.locator('.dashboard-chart canvas').first().evaluate((c) => {
    const canvas = c as HTMLCanvasElement;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let ink = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) ink++;
    return { ink, width: canvas.width, height: canvas.height };
  });
  assert.ok(drawn.width > 100 && drawn.height > 50 && drawn.ink > 500, JSON.stringify(drawn));
  await shoot(p, 'processing-dashboard');
  await handlers.locator('tr', { hasText: OFFICER }).getByRole('button').first().click();
  await expectText(p.locator('.tracked-head'), `Đang xử lý: ${OFFICER}`);
  await expectText(p.locator('.processing-table'), DOC.symbol);
  await p.getByRole('button', { name: '← Tổng hợp' }).click();
  await figures.waitFor();
});

test('the handler completes it with the reply; the document is finished (06) and the register tracks it', { skip }, async () => {
  const p = await signIn('officer');
  await openInbox(p, 'Cần xử lý');
  await expectText(p.locator('.processing-table'), formatDateVn(extended));
  await openDocFromInbox(p);
  await act(p, 'Hoàn thành', 'Hoàn thành', async (d) => {
    await d.getByLabel('Số, ký hiệu văn bản trả lời').fill(REPLY);
    await d.getByLabel('Ghi chú').fill('Đã trình ký báo cáo');
  });
  await expectText(section(), 'mã trạng thái 06 — Hoàn thành');
  await expectText(section().locator('.processing-timeline'), `Văn bản trả lời: ${REPLY}`);
  const steps = (await section().locator('.processing-timeline .step-head .strong').allTextContents()).map((s) => s.trim());
  assert.deepEqual(steps, ['Trình lãnh đạo', 'Ý kiến chỉ đạo', 'Phân công xử lý', 'Cập nhật tiến độ', 'Xin gia hạn', 'Quyết định gia hạn', 'Hoàn thành']);
  assert.equal(await section().locator('.processing-actions button').count(), 0, 'nothing more to do on a finished document');
  await shoot(p, 'processing-done');

  // The văn thư sees the same finished state, and outputs the tracking register.
  const c = await signIn('clerk');
  await c.locator('#incoming-grid .grid-body [role="row"]').filter({ hasText: DOC.symbol }).dblclick();
  await expectText(section(), 'mã trạng thái 06 — Hoàn thành');
  await openInbox(c, 'Sắp đến hạn');
  await c.getByRole('heading', { name: 'Sổ theo dõi giải quyết văn bản đến' }).waitFor();
  await shoot(c, 'processing-tracking');
});
