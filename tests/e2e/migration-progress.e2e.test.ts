// A workstation left by an earlier version (a plain schema-7 profile with tens of thousands of incoming
// documents, its clerk's SoftHSM token bound before) is unlocked with that token and PIN: while the
// data is brought to this version the lock screen shows "Đang nâng cấp dữ liệu máy trạm lên phiên bản
// mới" with "Bước x / y", the long reindex record by record ("… bản ghi") and a progress bar that only
// moves forward; then the panel is gone and the register opens with every document. Screenshots of the
// lock screen during the migration at 1366x768 and 1920x1080.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { newGlobalId } from '../../main/core/events/globalId';
import { createSoftHsm, keyOf, type SoftHsm } from '../fixtures/softhsm/tokens';
import { oldProfile } from '../helpers/legacyProfile';
import { expectText, openApp, screenshot, type AppSession } from './harness';

/** Enough documents for migration 8's reindex to take a few seconds on the 2-core box. */
const DOCS = 40_000;
const TITLE = 'Đang nâng cấp dữ liệu máy trạm lên phiên bản mới';
const RECORDS = /^Bước (\d+) \/ (\d+): ([\d.]+) \/ ([\d.]+) bản ghi$/;
const STEP = /^Bước (\d+) \/ (\d+)(?::|$)/;

/** What the panel showed at one moment (or that it was gone). */
interface Seen { title: string; figures: string; value: number; max: number }

/**
 * Records into window.migrationSeen every state of the panel as the person sees it change (text, bar),
 * and 'gone' when it goes. A string: the test's TypeScript loader would wrap named functions in a
 * helper the page does not have.
 */
const RECORDER = `(() => {
  const seen = [];
  window.migrationSeen = seen;
  new MutationObserver(() => {
    const panel = document.querySelector('.work-progress');
    const last = seen[seen.length - 1];
    if (!panel) {
      if (last && last !== 'gone') {
        seen.push('gone');
        window.migrationGoneAt = performance.now();
      }
      return;
    }
    const bar = panel.querySelector('progress');
    const now = {
      title: panel.querySelector('.work-title')?.textContent?.trim() ?? '',
      figures: panel.querySelector('.work-figures')?.textContent?.trim() ?? '',
      value: bar ? bar.value : -1,
      max: bar ? bar.max : -1,
    };
    if (last && last !== 'gone' && JSON.stringify(last) === JSON.stringify(now)) return;
    if (seen.length === 0) window.migrationShownAt = performance.now();
    seen.push(now);
  }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
})()`;

let work = '';
let hsm: SoftHsm;
let app: AppSession | undefined;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'securedesk-e2e-migrate-'));
  const profileDir = join(work, 'profile');
  mkdirSync(profileDir);
  hsm = await createSoftHsm({ tokens: ['userRsa'] });
  const t0 = performance.now();
  // Bound to the certificate on her SoftHSM token (the earlier version's binding; the data not yet encrypted).
  oldProfile(profileDir, 'state', {
    certificate: keyOf(hsm.tokens.userRsa, 'an-sign').certDer,
    extra: (db, userId) => {
      const insert = db.prepare(`INSERT INTO incoming (register_id, period, arrival_number, arrival_date, year, issuer_name, number_symbol,
        number_symbol_key, issuer_key, document_date, type_code, subject, secrecy, secrecy_rank, urgency, registered_by, registered_at, global_id)
        VALUES (1, '2026', ?, '2026-10-04', 2026, 'Sở Tài chính', ?, ?, 'so tai chinh', '2026-10-03', 'CV', ?, 'thuong', 0, 'thuong', ?, '2026-10-04T02:00:00.000Z', ?)`);
      db.transaction(() => {
        for (let n = 2; n < DOCS + 2; n++) insert.run(n, `${n}/STC-NS`, `${n}/stc-ns`, `Về việc quyết toán ngân sách đợt ${n}`, userId, newGlobalId());
      })();
      db.prepare('UPDATE number_counters SET last = ? WHERE scope_id = 1').run(DOCS + 1);
    },
  });
  console.log(`legacy profile with ${DOCS + 2} documents written in ${Math.round(performance.now() - t0)} ms`);
  app = await openApp(profileDir, { hsm });
});

after(async () => {
  await app?.close();
  await hsm?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('unlocking an older workstation shows the upgrade step by step on the lock screen, then opens the register', async () => {
  const p = app!.page;
  await p.setViewportSize({ width: 1366, height: 768 });
  await p.getByRole('heading', { name: 'Máy trạm đang khóa' }).waitFor();
  await expectText(p.locator('.lock-card'), 'được tạo trước khi dùng thiết bị ký số');

  // Everything the panel shows from now on, as it changes (the reports come every 100 ms or so: a
  // poll from the test process would miss most of them).
  await p.evaluate(RECORDER);

  await p.getByRole('radio', { name: /SD-USER-RSA/ }).check();
  await p.getByLabel('Mã PIN').fill(hsm.tokens.userRsa.pin);
  const t0 = Date.now();
  await p.getByRole('button', { name: 'Mở khóa' }).click();

  // The panel, named by its title, with the long step's records.
  const panel = p.getByRole('status').filter({ hasText: TITLE });
  await panel.waitFor({ timeout: 30_000 });
  const bar = panel.getByRole('progressbar', { name: TITLE });
  await expectText(panel.locator('.work-figures'), RECORDS, 20_000);
  await expectText(panel, 'không thể dừng giữa chừng');
  // Readable on the lock screen: whole on the screen, not over the PIN field or the button.
  // (The first one once the bar has moved; the reindex reports every few thousand records.)
  const moved = /^Bước 1 \/ \d+: [1-9][\d.]* \/ [\d.]+ bản ghi$/;
  for (const [size, figures] of [[{ width: 1366, height: 768 }, moved], [{ width: 1920, height: 1080 }, RECORDS]] as const) {
    await p.setViewportSize(size);
    await expectText(panel.locator('.work-figures'), figures, 10_000);
    const box = (await panel.boundingBox())!;
    assert.ok(box.x >= 0 && box.y >= 0 && box.x + box.width <= size.width && box.y + box.height <= size.height, `panel inside the window: ${JSON.stringify(box)}`);
    for (const what of [p.getByLabel('Mã PIN'), p.getByRole('button', { name: 'Mở khóa' })]) {
      const other = (await what.boundingBox())!;
      const overlaps = box.x < other.x + other.width && other.x < box.x + box.width && box.y < other.y + other.height && other.y < box.y + box.height;
      assert.ok(!overlaps, `the panel ${JSON.stringify(box)} covers ${what.toString()} ${JSON.stringify(other)}`);
    }
    assert.ok(Number(await bar.getAttribute('value')) >= 0);
    await screenshot(p, `migration-progress-${size.width}x${size.height}`);
  }

  // Then the register, with every document of the old profile, and no panel left.
  await p.getByRole('heading', { name: 'Sổ văn bản đến' }).waitFor({ timeout: 60_000 });
  const [shownAt, goneAt, openAt] = await p.evaluate(() => {
    const w = window as unknown as { migrationShownAt: number; migrationGoneAt: number };
    return [w.migrationShownAt, w.migrationGoneAt, performance.now()];
  });
  console.log(`unlocked in ${Date.now() - t0} ms: the panel shown for ${Math.round(goneAt - shownAt)} ms, the register ${Math.round(openAt - goneAt)} ms after it went`);
  assert.equal(await p.locator('.work-progress').count(), 0, 'the panel is gone once the upgrade is over');
  const count = await expectText(p.locator('.page-count'), /\d/);
  assert.ok(Number(count.replace(/\D/g, '')) >= DOCS + 1, `register count: ${count}`);
  await expectText(p.locator('main'), `Về việc quyết toán ngân sách đợt ${DOCS + 1}`);
  await screenshot(p, 'migration-done-register');

  // What the panel showed on the way, in order.
  const seen = await p.evaluate(() => (window as unknown as { migrationSeen: Array<Seen | 'gone'> }).migrationSeen);
  const shown = seen.filter((s): s is Seen => s !== 'gone');
  assert.ok(shown.length > 0, 'the panel was shown');
  assert.equal(seen[seen.length - 1], 'gone', 'and it went away at the end');
  assert.equal(seen.filter((s) => s === 'gone').length, 1, `shown once, not flickering: ${JSON.stringify(seen.slice(0, 8))}`);
  for (const s of shown) {
    assert.equal(s.title, TITLE);
    assert.match(s.figures, STEP, s.figures);
    assert.ok(s.value >= 0 && s.value <= s.max, JSON.stringify(s));
  }
  const steps = new Set(shown.map((s) => STEP.exec(s.figures)![2]));
  assert.equal(steps.size, 1, `one count of steps: ${[...steps].join(', ')}`);
  const stepOf = (s: Seen) => Number(STEP.exec(s.figures)![1]);
  assert.equal(stepOf(shown[0]!), 1, `starts at step 1: ${shown[0]!.figures}`);
  shown.forEach((s, i) => i > 0 && assert.ok(stepOf(s) >= stepOf(shown[i - 1]!), `steps never go back: ${shown[i - 1]!.figures} then ${s.figures}`));
  // The reindex: record figures and the bar going forward, from the start to (nearly) the end.
  const reindex = shown.filter((s) => stepOf(s) === 1 && RECORDS.test(s.figures));
  const records = reindex.map((s) => {
    const [, , , done, total] = RECORDS.exec(s.figures)!;
    return { done: Number(done!.replace(/\./g, '')), total: Number(total!.replace(/\./g, '')), value: s.value, max: s.max };
  });
  assert.ok(records.length >= 3, `the reindex was shown moving: ${JSON.stringify(records)}`);
  assert.ok(records.every((r) => r.total >= DOCS + 2 && r.max === r.total && r.value === r.done), JSON.stringify(records.slice(0, 5)));
  records.forEach((r, i) => i > 0 && assert.ok(r.done > records[i - 1]!.done, `the bar only moves forward: ${JSON.stringify(records)}`));
  assert.ok(records[0]!.done < records[0]!.total / 2 && records[records.length - 1]!.done > records[0]!.total / 2,
    `from the first half to the second: ${JSON.stringify(records.map((r) => r.done))}`);
  console.log(`the panel showed ${shown.length} states; the reindex at ${records.map((r) => r.done).join(', ')} of ${records[0]!.total}`);
});

test('no console errors and no Content-Security-Policy violations', () => {
  assert.deepEqual(app!.problems.csp, [], 'CSP violations');
  assert.deepEqual(app!.problems.errors, [], 'console errors');
});
