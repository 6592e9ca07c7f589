// Staging on the main side (main/app/stage.ts) with a real Desk in a temporary profile.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Desk } from '../../main/core/desk';
import { softIdentity } from '../helpers/desk';
import type { Logger } from '../../main/core/log';
import { INTERNAL_MESSAGE, stageFromPath, toWireError } from '../../main/app/stage';

let dir: string;
let desk: Desk;
const lines: Array<{ level: string; msg: string; fields: Record<string, unknown> }> = [];
const log: Logger = { log: (level, msg, fields = {}) => void lines.push({ level, msg, fields }) };

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'securedesk-stage-'));
  desk = await Desk.open({ profileDir: join(dir, 'profile'), logger: log });
  const s = await desk.setup({
    unit: { name: 'Văn phòng Tỉnh ủy Quảng Ninh', code: '000.00.01.H49', preset: 'state' },
    admin: { fullName: 'Nguyễn Thị Hương', position: 'Văn thư', role: 'van_thu', clearance: 'tuyet_mat' },
  }, softIdentity());
  assert.equal(s.user.role, 'van_thu');
  writeFileSync(join(dir, 'cong-van.pdf'), '%PDF-1.7\n1 0 obj\n<<>>\nendobj\n');
  writeFileSync(join(dir, 'empty.txt'), '');
});
after(() => {
  try {
    desk.close();
  } catch {
    /* closed */
  }
  rmSync(dir, { recursive: true, force: true });
});

test('without a session, staging is refused before the file is touched', async () => {
  desk.lock('manual');
  const r = await stageFromPath(desk, join(dir, 'cong-van.pdf'), 'cong-van.pdf');
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.error.code, 'NO_SESSION');
});

test('a chosen file is streamed into staging; the answer carries no path', async () => {
  await desk.unlock(softIdentity());
  const r = await stageFromPath(desk, join(dir, 'cong-van.pdf'), 'Công văn số 15.pdf');
  assert.equal(r.ok, true);
  if (r.ok) {
    assert.match(r.value.stagedId, /^[0-9a-f]{32}$/);
    assert.equal(r.value.name, 'Công văn số 15.pdf');
    assert.equal(r.value.isPdf, true);
    assert.doesNotMatch(JSON.stringify(r.value), new RegExp(dir.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')));
  }
});

test('paths inside the profile, relative paths, directories and missing files are refused', async () => {
  await desk.unlock(softIdentity());
  const cases: Array<[unknown, string]> = [
    [join(dir, 'profile', 'securedesk.db'), 'FILE_UNREADABLE'],
    [join(dir, 'profile'), 'FILE_UNREADABLE'],
    ['cong-van.pdf', 'FILE_UNREADABLE'],
    ['', 'FILE_UNREADABLE'],
    [42, 'FILE_UNREADABLE'],
    [dir, 'FILE_UNREADABLE'],
    [join(dir, 'missing.pdf'), 'FILE_UNREADABLE'],
    [join(dir, 'empty.txt'), 'FILE_EMPTY'],
  ];
  for (const [path, code] of cases) {
    const r = await stageFromPath(desk, path, 'x.pdf');
    assert.equal(r.ok, false, String(path));
    if (!r.ok) {
      assert.equal(r.error.code, code, String(path));
      assert.ok(r.error.message.length > 0);
      assert.doesNotMatch(r.error.message, /securedesk\.db|profile/, 'the message names the file the user chose, not ours');
    }
  }
});

test('a bad display name is refused', async () => {
  await desk.unlock(softIdentity());
  for (const name of [undefined, '', 7, 'x'.repeat(2000)]) {
    const r = await stageFromPath(desk, join(dir, 'cong-van.pdf'), name);
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error.code, 'VALIDATION');
  }
});

test('unexpected errors become INTERNAL in Vietnamese, the stack only in the log', () => {
  const before = lines.length;
  const w = toWireError(new TypeError('secret detail at /home/u'), log, { channel: 'stage' });
  assert.deepEqual(w, { ok: false, error: { code: 'INTERNAL', message: INTERNAL_MESSAGE } });
  const logged = lines.slice(before).find((l) => l.level === 'error');
  assert.match(String(logged?.fields.error), /secret detail/);
});
