// A damaged database seen from the window: the unlock opens the register at once (the integrity check
// runs on the database worker), and when the check's verdict is that the file is damaged the red
// read-only banner appears and registering is no longer offered. Chromium on the development host,
// or Electron when ELECTRON_OVERRIDE_DIST_PATH is set (harness.ts).
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { incomingRegisterSchema } from '../../common/schemas';
import { Desk } from '../../main/core/desk';
import { SessionGuard } from '../../main/core/session/guard';
import { TokenService } from '../../main/core/session/tokens';
import { makeSamplePdf } from '../../main/devhost/samplePdf';
import { TokenBridge } from '../../native/bridge/client';
import { createSoftHsm, type SoftHsm } from '../fixtures/softhsm/tokens';
import { moduleId } from '../../native/modules/discovery';
import { eventually, expectText, openApp, screenshot, type AppSession } from './harness';

let work = '';
let profileDir = '';
let hsm: SoftHsm;
let app: AppSession | undefined;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'securedesk-e2e-integrity-'));
  profileDir = join(work, 'profile');
  hsm = await createSoftHsm({ tokens: ['userRsa'] });
  // The profile as the app would have made it: set up with the token, 150 documents registered (one
  // file for all: the store keeps it once).
  const bridge = new TokenBridge({ env: hsm.env });
  const desk = await Desk.open({ profileDir });
  try {
    const guard = new SessionGuard(desk, new TokenService(bridge, async () => [hsm.modulePath]));
    const session = await guard.setup({
      unit: { name: 'Văn phòng Tỉnh ủy Bắc Ninh', code: '000.00.01.H04', preset: 'party' },
      admin: { fullName: 'Nguyễn Thị Lan', position: 'Văn thư', role: 'van_thu', clearance: 'tuyet_mat' },
    }, { moduleId: moduleId(hsm.modulePath), serial: hsm.tokens.userRsa.serial }, hsm.tokens.userRsa.pin);
    const actor = { ...session.user, rights: session.rights };
    const pdf = await makeSamplePdf({ issuer: 'Ban Tổ chức Tỉnh ủy', numberSymbol: '1-CV/BTCTU', title: 'CÔNG VĂN', subject: 'Về việc kiện toàn tổ chức bộ máy' });
    for (let i = 1; i <= 150; i++) {
      const staged = await desk.attachments.stage(actor, Readable.from([Buffer.from(pdf)]), `cong-van-${i}.pdf`);
      await desk.incoming.register(actor, incomingRegisterSchema.parse({
        issuer: { name: 'Ban Tổ chức Tỉnh ủy' }, numberSymbol: `${i}-CV/BTCTU`, documentDate: '2026-11-02', arrivalDate: '2026-11-03',
        typeCode: 'CV', subject: `Về việc kiện toàn tổ chức bộ máy, văn bản số ${i} `.repeat(6).trim(), secrecy: 'thuong', urgency: 'thuong', stagedIds: [staged.stagedId],
        acknowledgeDuplicates: true,
      }));
    }
    // A bad sector under the oldest audit entries of the base (the documents live in their
    // compartment's file): the register still opens at the unlock; only the integrity check can tell.
    const pages = desk.db.prepare("SELECT pageno FROM main.dbstat WHERE name = 'audit_log' AND pagetype = 'leaf' ORDER BY pageno").pluck().all() as number[];
    assert.ok(pages.length >= 3, `the audit_log table spans ${pages.length} leaf pages`);
    desk.db.pragma('wal_checkpoint(TRUNCATE)');
    guard.lock('manual');
    desk.close();
    const fd = openSync(join(profileDir, 'securedesk.db'), 'r+');
    writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, (pages[0]! - 1) * 4096);
    closeSync(fd);
  } finally {
    await bridge.close();
  }
});

after(async () => {
  await app?.close();
  await hsm?.cleanup();
  rmSync(work, { recursive: true, force: true });
});

test('a damaged database: the register opens at the unlock, then the verdict puts up the read-only banner', async () => {
  app = await openApp(profileDir, { hsm });
  const p = app.page;
  await p.getByRole('heading', { name: 'Máy trạm đang khóa' }).waitFor();
  await p.getByLabel('Mã PIN').fill(hsm.tokens.userRsa.pin);
  await p.getByRole('button', { name: 'Mở khóa' }).click();
  await p.getByRole('heading', { name: 'Sổ văn bản đến' }).waitFor();
  await expectText(p.locator('.page-count'), '150 văn bản');
  const banner = p.locator('.banner-danger');
  await banner.waitFor({ timeout: 60_000 });
  await expectText(banner, 'chỉ đọc');
  await eventually(async () => assert.equal(await p.getByRole('button', { name: /Vào sổ/ }).count(), 0, 'registering is no longer offered'));
  if (app.desk) assert.equal(app.desk.info().profile, 'damaged');
  await screenshot(p, 'integrity-damaged-banner');
  assert.deepEqual(app.problems.csp, [], 'CSP violations');
});
