// Staging on the main side (main/app/stage.ts) with a real Desk in a temporary profile.
import assert from 'node:assert/strict';
import { linkSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Desk } from '../../main/core/desk';
import { softIdentity } from '../helpers/desk';
import type { Logger } from '../../main/core/log';
import { INTERNAL_MESSAGE, stageFromPath, toWireError } from '../../main/app/stage';
import { pickAndStage, type OpenDialog } from '../../main/app/filePicker';

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

test('a symbolic link (or a hard link) into the profile is refused: real paths are compared, not names', { skip: process.platform === 'win32' ? 'symlinks need privileges on Windows' : false }, async () => {
  await desk.unlock(softIdentity());
  const profile = join(dir, 'profile');
  const links = join(dir, 'links');
  rmSync(links, { recursive: true, force: true });
  const { mkdirSync } = await import('node:fs');
  mkdirSync(links);
  symlinkSync(join(profile, 'securedesk.db'), join(links, 'bao-cao.pdf'));
  symlinkSync(join(profile, 'keyring.cms'), join(links, 'khoa.pdf'));
  symlinkSync(profile, join(links, 'thu-muc'));
  linkSync(join(profile, 'keyring.cms'), join(links, 'lien-ket-cung.pdf'));
  const cases = [join(links, 'bao-cao.pdf'), join(links, 'khoa.pdf'), join(links, 'thu-muc', 'securedesk.db'), join(links, 'thu-muc', 'keyring.cms'), join(links, 'lien-ket-cung.pdf')];
  for (const path of cases) {
    const before = lines.length;
    const r = await stageFromPath(desk, path, 'bao-cao.pdf');
    assert.equal(r.ok, false, path);
    if (!r.ok) {
      assert.equal(r.error.code, 'FILE_UNREADABLE', path);
      assert.doesNotMatch(r.error.message, /securedesk\.db|keyring|profile/);
    }
    assert.ok(lines.slice(before).some((l) => l.msg === 'staging refused a path'), `${path}: logged as refused`);
  }
  // A symlink to an ordinary file elsewhere is fine.
  symlinkSync(join(dir, 'cong-van.pdf'), join(links, 'cong-van-lien-ket.pdf'));
  const ok = await stageFromPath(desk, join(links, 'cong-van-lien-ket.pdf'), 'cong-van.pdf');
  assert.equal(ok.ok, true);
});

test("main's own file picker stages what was chosen with the same checks, and returns no path", { skip: process.platform === 'win32' ? 'symlinks' : false }, async () => {
  await desk.unlock(softIdentity());
  const asked: Parameters<OpenDialog>[0][] = [];
  const chose = (paths: string[] | null): OpenDialog => async (o) => (asked.push(o), { canceled: paths === null, filePaths: paths ?? [] });
  const none = await pickAndStage(desk, chose(null));
  assert.deepEqual(none, { ok: true, value: { files: [], failed: [] } });
  assert.deepEqual(asked[0]!.properties, ['openFile', 'multiSelections', 'dontAddToRecent']);
  const r = await pickAndStage(desk, chose([join(dir, 'cong-van.pdf'), join(dir, 'links', 'bao-cao.pdf'), join(dir, 'empty.txt')]));
  assert.equal(r.ok, true);
  if (r.ok) {
    assert.deepEqual(r.value.files.map((f) => f.name), ['cong-van.pdf']);
    assert.deepEqual(r.value.failed.map((f) => f.name), ['bao-cao.pdf', 'empty.txt']);
    assert.doesNotMatch(JSON.stringify(r.value), new RegExp(dir.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')));
  }
  // Without a session no dialog opens at all.
  desk.lock('manual');
  const before = asked.length;
  const locked = await pickAndStage(desk, chose([join(dir, 'cong-van.pdf')]));
  assert.equal(locked.ok, false);
  assert.equal(asked.length, before);
});
