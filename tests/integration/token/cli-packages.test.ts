// `securedesk export` / `package verify` / `package import` as real processes on real encrypted
// profiles and a SoftHSM token: the package is signed with the token's signing key and sealed for its
// encryption certificate (RSA-OAEP-SHA1, what SoftHSM unwraps); imported twice, nothing is duplicated.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { makeSamplePdf } from '../../../main/devhost/samplePdf';
import { createSoftHsm, keyOf, type SoftHsm } from '../../fixtures/softhsm/tokens';
import { tempDir } from '../../helpers/desk';
import { cliEntry } from '../../helpers/cli';

const t = tempDir('securedesk-cli-pkg-');
let hsm: SoftHsm;
let pdf = '';
let encCert = '';
const pkg = join(t.dir, 'goi.p7m');

function cli(profile: string, args: string[]) {
  const r = spawnSync(process.execPath, [...cliEntry(), ...args, '--profile', join(t.dir, profile), '--module', hsm.modulePath, '--token', hsm.tokens.userRsa.serial], {
    encoding: 'utf8',
    env: { ...hsm.env, SECUREDESK_PIN: hsm.tokens.userRsa.pin },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

before(async () => {
  hsm = await createSoftHsm({ tokens: ['userRsa'] });
  pdf = join(t.dir, 'cong-van.pdf');
  writeFileSync(pdf, await makeSamplePdf({ issuer: 'Sở Thông tin', numberSymbol: '15/QĐ-UBND', title: 'QUYẾT ĐỊNH', subject: 'Chính quyền điện tử' }));
  encCert = join(t.dir, 'an-enc.pem');
  writeFileSync(encCert, keyOf(hsm.tokens.userRsa, 'an-enc').certPem);
});
after(async () => {
  await hsm.cleanup();
  t.cleanup();
});

test('export from one profile, verify and import twice into another', () => {
  for (const p of ['a', 'b']) {
    const init = cli(p, ['init', '--unit-name', p === 'a' ? 'Văn phòng Tỉnh ủy' : 'Sở Nội vụ', '--unit-code', p === 'a' ? '000.00.01.H49' : '000.00.02.H49', '--preset', 'state',
      '--admin-name', 'Nguyễn Văn An', '--admin-position', 'Văn thư', '--role', 'van_thu']);
    assert.equal(init.code, 0, init.err);
  }
  for (const [n, secrecy] of [['15/QĐ-UBND', 'thuong'], ['16/QĐ-UBND', 'mat']]) {
    const add = cli('a', ['doc', 'add', '--issuer', 'Sở Thông tin và Truyền thông', '--number', n!, '--date', '01/11/2026', '--type', 'QĐ',
      '--subject', `Về việc triển khai chính quyền điện tử ${n}`, '--file', pdf, '--secrecy', secrecy!, '--force']);
    assert.equal(add.code, 0, add.err);
  }
  const trust = ['--trust', hsm.ca.certPath];
  const plain = cli('a', ['export', '--out', join(t.dir, 'plain.sqlite'), ...trust]);
  assert.equal(plain.code, 1);
  assert.match(plain.err, /mật chỉ được xuất trong gói mã hóa/);
  assert.equal(existsSync(join(t.dir, 'plain.sqlite')), false);

  const exp = cli('a', ['export', '--to', encCert, '--oaep', 'sha1', '--out', pkg, ...trust, '--json']);
  assert.equal(exp.code, 0, exp.err);
  const counts = JSON.parse(exp.out).counts;
  assert.deepEqual(Object.fromEntries(Object.entries(counts.byLevel).map(([l, c]) => [l, (c as { documents: number }).documents])), { thuong: 1, mat: 1 });

  const verify = cli('b', ['package', 'verify', pkg, ...trust]);
  assert.equal(verify.code, 0, verify.err);
  assert.match(verify.out, /Chữ ký và toàn vẹn: hợp lệ/);
  assert.match(verify.out, /Mật: mới 1/);

  const dry = cli('b', ['package', 'import', pkg, '--dry-run', ...trust, '--json']);
  assert.equal(dry.code, 0, dry.err);
  assert.equal(JSON.parse(dry.out).applied, 0);
  const listed = () => JSON.parse(cli('b', ['doc', 'list', '--json']).out) as { rows: Array<{ numberSymbol: string }> } | Array<{ numberSymbol: string }>;
  const rows = (v: ReturnType<typeof listed>) => (Array.isArray(v) ? v : v.rows);
  assert.equal(rows(listed()).length, 0, 'a dry run imports nothing');

  const first = cli('b', ['package', 'import', pkg, ...trust, '--json']);
  assert.equal(first.code, 0, first.err);
  assert.equal(JSON.parse(first.out).waiting, 0);
  assert.deepEqual(rows(listed()).map((r) => r.numberSymbol).sort(), ['15/QĐ-UBND', '16/QĐ-UBND']);
  const again = cli('b', ['package', 'import', pkg, ...trust]);
  assert.equal(again.code, 0, again.err);
  assert.match(again.out, /Thường: mới 0, đã có 1/);
  assert.equal(rows(listed()).length, 2, 'no duplicate');

  const untrusted = cli('b', ['package', 'verify', pkg, '--trust', encCert]);
  assert.equal(untrusted.code, 1);
});

test('package import-edxml: a ZIP with an entry that climbs out is refused whole, with the reason, nothing read', () => {
  const zip = join(t.dir, 'goi-tin.zip');
  // Built by hand: our writer refuses such a name (a stored entry named "../x.edxml").
  const name = Buffer.from('../x.edxml');
  const body = Buffer.from('<edXMLEnvelope/>');
  const local = Buffer.alloc(30); local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt32LE(crc32(body), 14);
  local.writeUInt32LE(body.length, 18); local.writeUInt32LE(body.length, 22); local.writeUInt16LE(name.length, 26);
  const dir = Buffer.alloc(46); dir.writeUInt32LE(0x02014b50, 0); dir.writeUInt16LE(20, 4); dir.writeUInt16LE(20, 6); dir.writeUInt32LE(crc32(body), 16);
  dir.writeUInt32LE(body.length, 20); dir.writeUInt32LE(body.length, 24); dir.writeUInt16LE(name.length, 28);
  const cd = Buffer.concat([dir, name]);
  const end = Buffer.alloc(22); end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(1, 8); end.writeUInt16LE(1, 10); end.writeUInt32LE(cd.length, 12); end.writeUInt32LE(30 + name.length + body.length, 16);
  writeFileSync(zip, Buffer.concat([local, name, body, cd, end]));
  const r = cli('b', ['package', 'import-edxml', zip, '--trust', hsm.ca.certPath]);
  assert.equal(r.code, 1, r.out);
  assert.match(r.err, /không an toàn/);
  assert.equal(existsSync(join(t.dir, 'x.edxml')), false);
});
