// The securedesk command line, run as a real process on a real profile.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { makeSamplePdf } from '../../main/devhost/samplePdf';
import { tempDir } from '../helpers/desk';

const t = tempDir('securedesk-cli-');
const profile = join(t.dir, 'profile');
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['bin/securedesk.mjs', ...args, '--profile', profile], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
let pdf = '';
before(async () => {
  pdf = join(t.dir, 'cong-van.pdf');
  writeFileSync(pdf, await makeSamplePdf({ issuer: 'Sở Thông tin', numberSymbol: '15/QĐ-UBND', title: 'QUYẾT ĐỊNH', subject: 'Chính quyền điện tử' }));
});
after(() => t.cleanup());

test('usage and refusals', () => {
  const none = cli();
  assert.equal(none.code, 2);
  assert.match(none.out, /securedesk doc add/);
  assert.equal(cli('doc', 'list').code, 1, 'a profile that is not set up is refused');
  assert.equal(cli('frobnicate').code, 2);
  const badInit = cli('init', '--unit-name', 'Văn phòng', '--unit-code', 'H49', '--preset', 'state', '--admin-name', 'A', '--admin-position', 'B');
  assert.equal(badInit.code, 1);
  assert.match(badInit.err, /unit\.code: Mã định danh gồm các nhóm/);
});

test('init, add, search without diacritics, show', () => {
  const init = cli('init', '--unit-name', 'Văn phòng Tỉnh ủy', '--unit-code', '000.00.01.H49', '--preset', 'state',
    '--admin-name', 'Nguyễn Thị Hương', '--admin-position', 'Văn thư', '--role', 'van_thu', '--json');
  assert.equal(init.code, 0, init.err);
  assert.equal(JSON.parse(init.out).session.user.role, 'van_thu');
  const add = cli('doc', 'add', '--issuer', 'Sở Thông tin và Truyền thông', '--number', '15/QĐ-UBND', '--date', '01/11/2026',
    '--type', 'QĐ', '--subject', 'Về việc triển khai chính quyền điện tử năm 2026', '--file', pdf, '--json');
  assert.equal(add.code, 0, add.err);
  const added = JSON.parse(add.out);
  assert.equal(added.arrivalNumber, 1);
  const search = cli('doc', 'search', 'dien tu', '--json');
  assert.equal(search.code, 0, search.err);
  const found = JSON.parse(search.out);
  assert.equal(found.total, 1);
  assert.match(found.rows[0].subject, /điện tử/);
  const show = cli('doc', 'show', String(added.id));
  assert.equal(show.code, 0);
  assert.match(show.out, /Số, ký hiệu\s+15\/QĐ-UBND/);
  assert.match(show.out, /Ngày văn bản\s+01\/11\/2026/);
  const list = cli('doc', 'list');
  assert.match(list.out, /Chính quyền điện tử|chính quyền điện tử/);
});

test('duplicates are refused without --force; bad fields are named', () => {
  const dup = cli('doc', 'add', '--issuer', 'Sở Thông tin và Truyền thông', '--number', '15/QĐ-UBND', '--date', '2026-11-01',
    '--type', 'QĐ', '--subject', 'Bản trùng', '--file', pdf);
  assert.equal(dup.code, 1);
  assert.match(dup.err, /DUPLICATE[\s\S]*--force/);
  const bad = cli('doc', 'add', '--issuer', 'X', '--number', 'abc', '--date', '31/02/2026', '--type', 'QĐ', '--subject', 's');
  assert.equal(bad.code, 1);
  assert.match(bad.err, /numberSymbol: /);
  assert.match(bad.err, /documentDate: /);
  assert.match(bad.err, /stagedIds: Cần ít nhất một tệp/);
  const missing = cli('doc', 'add', '--issuer', 'X', '--number', '16/QĐ-UBND', '--date', '01/11/2026', '--type', 'QĐ', '--subject', 's', '--file', join(t.dir, 'khong-co.pdf'));
  assert.equal(missing.code, 1);
  assert.match(missing.err, /FILE_UNREADABLE/);
  const force = cli('doc', 'add', '--issuer', 'Sở Thông tin và Truyền thông', '--number', '15/QĐ-UBND', '--date', '2026-11-01',
    '--type', 'QĐ', '--subject', 'Bản trùng', '--file', pdf, '--force', '--json');
  assert.equal(force.code, 0, force.err);
  assert.equal(JSON.parse(force.out).arrivalNumber, 2);
});
