// A workstation left by an earlier version (a plain schema-7 profile with tens of thousands of incoming
// documents, its clerk's SoftHSM token bound before) is unlocked with that token and PIN. The lock screen
// shows each long step of the first unlock in turn, none of them silent: "Đang nâng cấp dữ liệu máy trạm
// lên phiên bản mới" with "Bước x / y" and the long reindex record by record ("… bản ghi"); then "Đang mã
// hóa dữ liệu máy trạm" (the database copied and encrypted, in MB, then checked); then "Đang tách dữ liệu
// theo độ mật" (the records and their history copied into each level's compartment, indexed there, their
// files moved, then the shared database rewritten).
// Each progress bar only moves forward; then the panel is gone and the register opens with every
// document. Screenshots of the lock screen during the migration and during the split at 1366x768 and
// 1920x1080, and of the split's panel in English.
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
const ENCRYPT = 'Đang mã hóa dữ liệu máy trạm';
const SPLIT = 'Đang tách dữ liệu theo độ mật';
/** A named step of the encryption or the split, with its MB, records or files when it has them. */
const PHASE = /^Bước (\d+) \/ (\d+): ([^–]+?)(?: – ([\d.,]+) \/ ([\d.,]+) (MB|bản ghi|tệp))?$/;
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

  // The encryption, then the split, each in its own words; the split's records at both sizes.
  const splitPanel = p.getByRole('status').filter({ hasText: SPLIT });
  await splitPanel.waitFor({ timeout: 60_000 });
  const splitRecords = /^Bước [12] \/ 4: (chép văn bản và lịch sử xử lý|lập chỉ mục tìm kiếm) – [\d.]+ \/ [\d.]+ bản ghi$/;
  // The first once its records have moved; the second at whatever step the split is then.
  const splitMoved = /^Bước [12] \/ 4: [^–]+ – [1-9][\d.]* \/ [\d.]+ bản ghi$/;
  for (const [size, figures] of [[{ width: 1366, height: 768 }, splitMoved], [{ width: 1920, height: 1080 }, PHASE]] as const) {
    await p.setViewportSize(size);
    await expectText(splitPanel.locator('.work-figures'), figures, 20_000);
    await expectText(splitPanel, 'mã hóa bằng khóa riêng của độ mật đó');
    const box = (await splitPanel.boundingBox())!;
    assert.ok(box.x >= 0 && box.y >= 0 && box.x + box.width <= size.width && box.y + box.height <= size.height, `split panel inside the window: ${JSON.stringify(box)}`);
    const pin = (await p.getByLabel('Mã PIN').boundingBox())!;
    assert.ok(box.y + box.height <= pin.y || pin.y + pin.height <= box.y, `the split panel ${JSON.stringify(box)} covers the PIN field ${JSON.stringify(pin)}`);
    await screenshot(p, `split-progress-${size.width}x${size.height}`);
  }
  // The same panel in English, then back to Vietnamese (the language the rest of the test reads).
  await p.getByRole('button', { name: 'English' }).click();
  const splitEn = p.getByRole('status').filter({ hasText: 'Separating the data by secrecy level' });
  await expectText(splitEn.locator('.work-figures'), /^Step [1-4] \/ 4: (copying the documents and their history|indexing for search|moving the attached files|tidying the shared database)( – [\d.,]+ \/ [\d.,]+ (records|files))?$/, 20_000);
  await expectText(splitEn, 'cannot be stopped half-way');
  await screenshot(p, 'split-progress-en-1920x1080');
  await p.getByRole('button', { name: 'Tiếng Việt' }).click();
  await expectText(p.locator('.lock-card'), 'Máy trạm đang khóa');

  // Then the register, with every document of the old profile, and no panel left.
  await p.getByRole('heading', { name: 'Sổ văn bản đến' }).waitFor({ timeout: 60_000 });
  const [shownAt, goneAt, openAt] = await p.evaluate(() => {
    const w = window as unknown as { migrationShownAt: number; migrationGoneAt: number };
    return [w.migrationShownAt, w.migrationGoneAt, performance.now()];
  });
  console.log(`unlocked in ${Date.now() - t0} ms: the panels shown for ${Math.round(goneAt - shownAt)} ms, the register ${Math.round(openAt - goneAt)} ms after the last went`);
  assert.equal(await p.locator('.work-progress').count(), 0, 'the panel is gone once the upgrade is over');
  const count = await expectText(p.locator('.page-count'), /\d/);
  assert.ok(Number(count.replace(/\D/g, '')) >= DOCS + 1, `register count: ${count}`);
  await expectText(p.locator('main'), `Về việc quyết toán ngân sách đợt ${DOCS + 1}`);
  await screenshot(p, 'migration-done-register');

  // What the panel showed on the way, in order: the migration, the encryption, the split, each once.
  const seen = await p.evaluate(() => (window as unknown as { migrationSeen: Array<Seen | 'gone'> }).migrationSeen);
  // (The moment in English is left out: it was checked above.)
  const shownAll = seen.filter((s): s is Seen => s !== 'gone' && !s.title.startsWith('Separating'));
  assert.ok(shownAll.length > 0, 'the panel was shown');
  assert.equal(seen[seen.length - 1], 'gone', 'and it went away at the end');
  const titles = shownAll.map((s) => s.title).filter((x, i, all) => i === 0 || all[i - 1] !== x);
  assert.deepEqual(titles, [TITLE, ENCRYPT, SPLIT], 'each task shown once, in the order they run');
  for (const s of shownAll) assert.ok(s.value >= 0 && s.value <= s.max, JSON.stringify(s));
  const shown = shownAll.filter((s) => s.title === TITLE);
  for (const s of shown) assert.match(s.figures, STEP, s.figures);
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

  // The encryption and the split: named steps in order, their bars only forward within a step.
  for (const [title, names, unitOf] of [
    [ENCRYPT, ['sao chép cơ sở dữ liệu', 'mã hóa bản sao', 'kiểm tra bản đã mã hóa', 'mã hóa tệp đính kèm'], ['MB', 'MB', undefined, 'tệp']],
    [SPLIT, ['chép văn bản và lịch sử xử lý', 'lập chỉ mục tìm kiếm', 'chuyển tệp đính kèm', 'dọn cơ sở dữ liệu chung'], ['bản ghi', 'bản ghi', 'tệp', undefined]],
  ] as const) {
    const states = shownAll.filter((s) => s.title === title).map((s) => {
      const m = PHASE.exec(s.figures);
      assert.ok(m, `${title}: ${s.figures}`);
      const [, step, stepCount, name, done, total, unit] = m;
      return { step: Number(step), steps: Number(stepCount), name, done, total, unit, value: s.value, max: s.max };
    });
    assert.ok(states.length >= 2, `${title} was shown: ${JSON.stringify(states)}`);
    for (const [i, st] of states.entries()) {
      assert.equal(st.steps, names.length, `${title}: ${JSON.stringify(st)}`);
      assert.equal(st.name, names[st.step - 1], `${title}: step ${st.step} named`);
      assert.equal(st.unit, unitOf[st.step - 1], `${title}: step ${st.step}'s figures`);
      if (i === 0) continue;
      const before = states[i - 1]!;
      assert.ok(st.step > before.step || (st.step === before.step && st.value >= before.value), `${title}: went back from ${JSON.stringify(before)} to ${JSON.stringify(st)}`);
    }
    console.log(`${title}: ${states.map((st) => `${st.step}${st.done ? ` ${st.done}/${st.total} ${st.unit}` : ''}`).join(', ')}`);
  }
  // The split's records moved: more than one figure between none and all.
  const splitCounts = shownAll.filter((s) => s.title === SPLIT && splitRecords.test(s.figures));
  assert.ok(splitCounts.some((s) => s.value > 0 && s.value < s.max), `the split's records were shown moving: ${JSON.stringify(splitCounts)}`);
});

test('no console errors and no Content-Security-Policy violations', () => {
  assert.deepEqual(app!.problems.csp, [], 'CSP violations');
  assert.deepEqual(app!.problems.errors, [], 'console errors');
});
