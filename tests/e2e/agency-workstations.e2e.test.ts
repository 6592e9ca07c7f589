// "Máy trạm của cơ quan" on the sync page (issue 9): an administrator signed in with a real SoftHSM token
// sees the agency's workstations as a real agency server (started by this spec, SQLite, HTTPS on
// loopback) knows them, and declares the other one lost: the confirmation dialog says what it does and
// requires a reason; the row then shows the declaration (dd/mm/yyyy HH:mm, Vietnam time), the server
// refuses that workstation, and the profile's audit log has the declaration. The development host syncs
// with the server as the app does (machine.json agencyServer): the token's key signs the server's nonce.
// Before that, the administrator makes the other workstation the home of the incoming register (a reason
// required), recorded on the server and in the audit log.
// Screenshots at 1366×768 and 1920×1080 go to test-results/e2e/.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { Db } from '../../main/core/db/connection';
import { writeTx } from '../../main/core/db/transaction';
import { Desk } from '../../main/core/desk';
import { workstationId } from '../../main/core/events/eventLog';
import { ensureOutgoingRegisters } from '../../main/core/outgoing/config';
import { SessionGuard } from '../../main/core/session/guard';
import { TokenService } from '../../main/core/session/tokens';
import { ServerClient } from '../../main/core/sync/ServerClient';
import type { RunningServer } from '../../server/app';
import { TokenBridge } from '../../native/bridge/client';
import { moduleId } from '../../native/modules/discovery';
import { createSoftHsm, keyOf, type SoftHsm } from '../fixtures/softhsm/tokens';
import { agencyPki, startAgencyServer, type AgencyPki } from '../helpers/agencyServer';
import { softKey } from '../helpers/softKey';
import { openWorkstation } from '../helpers/workstation';
import { ELECTRON_DIST, expectText, openApp, screenshot, type AppSession } from './harness';

const skip = ELECTRON_DIST ? 'the agency server is given to the development host (Chromium only)' : false;
const HOLDER = 'Nguyễn Văn An'; // the name on the SoftHSM token's certificates
const REASON = 'Máy trạm bị mất cắp tại phòng văn thư, đã trình báo công an phường';

let work = '';
let hsm: SoftHsm;
let pki: AgencyPki;
let server: RunningServer;
let otherDb: Db;
let other: ServerClient;
let app: AppSession | undefined;

before(async () => {
  if (skip) return;
  work = mkdtempSync(join(tmpdir(), 'securedesk-e2e-agency-ws-'));
  const profileDir = join(work, 'profile');
  [hsm, pki] = await Promise.all([createSoftHsm({ tokens: ['userRsa'] }), agencyPki(['vanthu'])]);
  // The administrator's token certificate is enrolled on the agency server as quan_tri.
  const adminCert = join(work, 'admin.pem');
  writeFileSync(adminCert, keyOf(hsm.tokens.userRsa, 'an-sign').certPem);
  server = await startAgencyServer({
    backend: 'sqlite', dir: join(work, 'server'), pki, extraAnchors: [hsm.ca.certPath], logger: { log: () => {} },
    people: [
      { person: 'quan-tri-an', role: 'quan_tri', clearance: 'tuyet_mat', certificates: [adminCert] },
      { person: 'van-thu-lan', role: 'van_thu', clearance: 'mat', certificates: [pki.person('vanthu').certPath] },
    ],
  });
  // Another workstation of the agency, where the văn thư signed in.
  mkdirSync(join(work, 'other'));
  otherDb = openWorkstation(join(work, 'other'), []);
  const key = softKey(pki.person('vanthu').certDer, pki.person('vanthu').keyPem);
  other = new ServerClient({
    db: otherDb, transport: { url: server.url, caPem: pki.ca.certPem, timeoutMs: 10_000 }, signer: () => key, channels: () => [],
    keys: { current: () => null, byId: () => null }, apply: () => {},
  });
  assert.equal((await other.request('GET', '/v1/directory')).status, 200);
  // The profile: its first person is the administrator, on the token.
  const desk = await Desk.open({ profileDir, trustAnchors: [hsm.ca.certDer] });
  const guard = new SessionGuard(desk, new TokenService(new TokenBridge({ env: hsm.env }), async () => [hsm.modulePath]));
  try {
    await guard.setup({
      unit: { name: 'Văn phòng Tỉnh ủy Bắc Ninh', code: '000.00.01.T27', preset: 'party' },
      admin: { fullName: HOLDER, position: 'Quản trị hệ thống', role: 'quan_tri', clearance: 'tuyet_mat' },
    }, { moduleId: moduleId(hsm.modulePath), serial: hsm.tokens.userRsa.serial }, hsm.tokens.userRsa.pin);
    await desk.verdict();
  } finally {
    await guard.close();
  }
  app = await openApp(profileDir, { hsm, agencyServer: { url: server.url, caPem: pki.ca.certPem } });
});

after(async () => {
  await app?.close();
  other?.close();
  otherDb?.close();
  await server?.close();
  await hsm?.cleanup();
  pki?.pki.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

const page = (): Page => app!.page;
const DATE_TIME = /\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}/;

async function noClipping(p: Page, width: number): Promise<void> {
  const clipped = await p.evaluate(() => Array.from(document.querySelectorAll('.sync-page *, dialog[open] *'))
    .filter((x) => (x as HTMLElement).offsetParent !== null && !x.classList.contains('visually-hidden') && x.scrollWidth > x.clientWidth + 1 && getComputedStyle(x).overflowX !== 'auto')
    .map((x) => `${x.tagName}.${x.className}: ${(x.textContent ?? '').slice(0, 60)}`));
  assert.deepEqual(clipped, [], `clipped at ${width}`);
}

test('an administrator sees the agency\'s workstations and declares the other one lost, with a reason', { skip }, async () => {
  const p = page();
  await p.setViewportSize({ width: 1366, height: 768 });
  await p.getByRole('heading', { name: 'Máy trạm đang khóa' }).waitFor();
  await p.getByRole('radio', { name: new RegExp(HOLDER) }).check();
  await p.getByLabel('Mã PIN').fill(hsm.tokens.userRsa.pin);
  await p.getByRole('button', { name: 'Mở khóa' }).click();
  await p.getByRole('navigation', { name: 'Chức năng' }).getByRole('button', { name: 'Đồng bộ' }).click();
  await p.getByRole('heading', { name: 'Đồng bộ với máy chủ cơ quan', level: 1 }).waitFor();

  const section = p.locator('.agency-workstations');
  await section.getByRole('heading', { name: 'Máy trạm của cơ quan' }).waitFor();
  const otherId = workstationId(otherDb);
  const selfId = workstationId(app!.desk!.db);
  const otherRow = section.locator('tbody tr', { hasText: otherId });
  const selfRow = section.locator('tbody tr', { hasText: selfId });
  await expectText(otherRow, 'van-thu-lan');
  await expectText(otherRow, 'Đang hoạt động');
  assert.match(await otherRow.locator('td').nth(1).textContent() ?? '', DATE_TIME);
  await expectText(selfRow, '(máy này)');
  await expectText(selfRow, 'quan-tri-an');
  assert.equal(await selfRow.getByRole('button', { name: /Khai báo/ }).count(), 0, 'this workstation cannot be declared from here');
  for (const size of [{ width: 1366, height: 768 }, { width: 1920, height: 1080 }]) {
    await p.setViewportSize(size);
    await section.scrollIntoViewIfNeeded();
    await screenshot(p, `agency-workstations-${size.width}`);
    await noClipping(p, size.width);
  }

  // Making the other workstation the home of the incoming register (docs/server.md, "Moving a register's
  // home"): once the profile's sync has pushed the register's creation, the server named this workstation.
  await p.setViewportSize({ width: 1366, height: 768 });
  const incoming = app!.desk!.db.prepare("SELECT id, global_id AS gid, name FROM registers WHERE kind = 'incoming' AND active = 1 ORDER BY id LIMIT 1").get() as { id: number; gid: string; name: string };
  const homeOf = async () => (await server.store.db.selectFrom('register_homes').select('workstation').where('register_gid', '=', incoming.gid).executeTakeFirst())?.workstation;
  for (let i = 0; i < 300 && (await homeOf()) !== selfId; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(await homeOf(), selfId, 'named by the register\'s creation');
  // The outgoing registers are made with the first outgoing document or configuration: made here behind the app's back.
  const desk = app!.desk!;
  writeTx(desk.db, () => ensureOutgoingRegisters(desk.db, desk.db.prepare('SELECT min(id) FROM users').pluck().get() as number, new Date()));
  await otherRow.getByRole('button', { name: `Giao cho máy trạm ${otherId} giữ sổ` }).click();
  const homeDialog = p.getByRole('dialog', { name: 'Giao máy trạm giữ sổ' });
  await homeDialog.waitFor();
  await expectText(homeDialog, 'chỉ máy trạm giữ sổ được tự cấp số');
  // Both kinds of register are offered, each under its heading (an outgoing register's numbers are given the same way).
  const outgoingNames = app!.desk!.db.prepare("SELECT name FROM registers WHERE kind = 'outgoing' ORDER BY id").pluck().all() as string[];
  assert.ok(outgoingNames.length > 0, 'the profile has outgoing registers');
  assert.deepEqual((await homeDialog.locator('optgroup[label="Sổ văn bản đi"] option').allTextContents()).map((s) => s.trim()), outgoingNames);
  assert.ok((await homeDialog.locator('optgroup[label="Sổ văn bản đến"] option').allTextContents()).map((s) => s.trim()).includes(incoming.name));
  await homeDialog.getByLabel('Sổ đăng ký').selectOption({ label: incoming.name });
  await homeDialog.getByRole('button', { name: 'Giao giữ sổ' }).click();
  await expectText(homeDialog, 'Hãy ghi lý do chuyển máy trạm giữ sổ (từ 5 đến 500 ký tự).');
  assert.equal(await homeOf(), selfId, 'nothing moved without a reason');
  await homeDialog.getByLabel('Lý do chuyển (bắt buộc)').fill('Văn thư chuyển sang làm việc tại máy trạm mới');
  for (const size of [{ width: 1366, height: 768 }, { width: 1920, height: 1080 }]) {
    await p.setViewportSize(size);
    await screenshot(p, `agency-workstations-move-home-${size.width}`);
    await noClipping(p, size.width);
  }
  await homeDialog.getByRole('button', { name: 'Giao giữ sổ' }).click();
  await expectText(p.locator('.toast-success').first(), `Đã giao máy trạm ${otherId} giữ sổ “${incoming.name}”.`);
  await homeDialog.waitFor({ state: 'detached' });
  assert.equal(await homeOf(), otherId);
  const moves = await server.store.db.selectFrom('register_home_moves').selectAll().execute();
  assert.deepEqual(moves.map((m) => [m.from_workstation, m.to_workstation, m.moved_by, m.moved_from, m.reason]),
    [[selfId, otherId, 'quan-tri-an', selfId, 'Văn thư chuyển sang làm việc tại máy trạm mới']]);
  const homeAudit = app!.desk!.db.prepare("SELECT outcome FROM audit_log WHERE action = 'register.home_move'").pluck().all();
  assert.deepEqual(homeAudit, ['ok']);

  // The confirmation: what it does, and a reason is required.
  await p.setViewportSize({ width: 1366, height: 768 });
  await otherRow.getByRole('button', { name: `Khai báo máy trạm ${otherId} bị mất` }).click();
  const dialog = p.getByRole('dialog', { name: 'Khai báo máy trạm bị mất hẳn?' });
  await dialog.waitFor();
  await expectText(dialog, 'từ chối mọi yêu cầu từ máy trạm này');
  await expectText(dialog, 'van-thu-lan');
  await dialog.getByRole('button', { name: 'Khai báo bị mất' }).click();
  await expectText(dialog, 'Hãy ghi lý do khai báo máy trạm bị mất (ít nhất 5 ký tự).');
  assert.equal((await server.store.db.selectFrom('lost_workstations').selectAll().execute()).length, 0, 'nothing declared without a reason');
  await dialog.getByLabel('Lý do khai báo (bắt buộc)').fill(REASON);
  for (const size of [{ width: 1366, height: 768 }, { width: 1920, height: 1080 }]) {
    await p.setViewportSize(size);
    await screenshot(p, `agency-workstations-confirm-${size.width}`);
    await noClipping(p, size.width);
  }
  await dialog.getByRole('button', { name: 'Khai báo bị mất' }).click();
  await expectText(p.locator('.toast-success').first(), 'Đã khai báo máy trạm bị mất');
  await dialog.waitFor({ state: 'detached' });

  // The row says when, by whom and why; it can no longer be declared.
  await expectText(otherRow, 'Đã khai báo mất lúc');
  const state = await otherRow.locator('td').nth(2).textContent() ?? '';
  assert.match(state, new RegExp(`Đã khai báo mất lúc ${DATE_TIME.source}, bởi quan-tri-an`));
  assert.ok(state.includes(`Lý do: ${REASON}`), state);
  assert.equal(await otherRow.getByRole('button').count(), 0, 'a lost workstation can neither be declared again nor made a home');
  for (const size of [{ width: 1366, height: 768 }, { width: 1920, height: 1080 }]) {
    await p.setViewportSize(size);
    await section.scrollIntoViewIfNeeded();
    await screenshot(p, `agency-workstations-declared-${size.width}`);
    await noClipping(p, size.width);
  }

  // The server recorded it as the administrator whose token signed in, and refuses the other workstation.
  const rows = await server.store.db.selectFrom('lost_workstations').selectAll().execute();
  assert.deepEqual(rows.map((r) => [r.workstation, r.declared_by, r.declared_from, r.reason]), [[otherId, 'quan-tri-an', selfId, REASON]]);
  const refused = await other.request('GET', '/v1/directory').then((r) => r.status, (e: unknown) => (e as { status?: number }).status);
  assert.equal(refused, 403);
  const audit = app!.desk!.db.prepare("SELECT outcome, details FROM audit_log WHERE action = 'exchange.workstationLost'").all() as Array<{ outcome: string; details: string }>;
  assert.deepEqual(audit.map((a) => [a.outcome, (JSON.parse(a.details) as { reason: string }).reason]), [['ok', REASON]]);
  assert.deepEqual(app!.problems.csp, []);
  assert.deepEqual(app!.problems.errors, []);
});
