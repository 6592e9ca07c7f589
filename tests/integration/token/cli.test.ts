// The securedesk command line as a real process, on a real encrypted profile and SoftHSM tokens.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { makeSamplePdf } from '../../../main/devhost/samplePdf';
import { createSoftHsm, keyOf, type SoftHsm } from '../../fixtures/softhsm/tokens';
import { tempDir } from '../../helpers/desk';
import { cliEntry } from '../../helpers/cli';

const t = tempDir('securedesk-cli-');
const profile = join(t.dir, 'profile');
let hsm: SoftHsm;
let pdf = '';

function cli(args: string[], opts: { token?: 'userRsa' | 'userEc' | 'recovery'; pin?: string } = {}) {
  const token = opts.token ?? 'userRsa';
  const r = spawnSync(process.execPath, [...cliEntry(), ...args, '--profile', profile, '--module', hsm.modulePath, '--token', hsm.tokens[token].serial], {
    encoding: 'utf8',
    env: { ...hsm.env, SECUREDESK_PIN: opts.pin ?? hsm.tokens[token].pin },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

before(async () => {
  hsm = await createSoftHsm({ tokens: ['userRsa', 'userEc', 'recovery'] });
  pdf = join(t.dir, 'cong-van.pdf');
  writeFileSync(pdf, await makeSamplePdf({ issuer: 'Sở Thông tin', numberSymbol: '15/QĐ-UBND', title: 'QUYẾT ĐỊNH', subject: 'Chính quyền điện tử' }));
});
after(async () => {
  await hsm.cleanup();
  t.cleanup();
});

test('usage and refusals', () => {
  const none = spawnSync(process.execPath, cliEntry(), { encoding: 'utf8' });
  assert.equal(none.status, 2);
  assert.match(none.stdout, /securedesk doc add/);
  assert.equal(cli(['frobnicate']).code, 2);
  assert.equal(cli(['doc', 'list']).code, 1, 'a profile that is not set up is refused');
  const badInit = cli(['init', '--unit-name', 'Văn phòng', '--unit-code', 'H49', '--preset', 'state', '--admin-name', 'A', '--admin-position', 'B']);
  assert.equal(badInit.code, 1);
  assert.match(badInit.err, /unit\.code: Mã định danh gồm các nhóm/);
});

test('token list shows the driver, tokens and certificates', () => {
  const r = cli(['token', 'list', '--json']);
  assert.equal(r.code, 0, r.err);
  const dir = JSON.parse(r.out);
  assert.ok(dir.modules[0].ok);
  assert.ok(dir.tokens.some((x: { label: string; certificates: unknown[] }) => x.label === 'SD-USER-RSA' && x.certificates.length === 2));
  const text = cli(['token', 'list']);
  assert.match(text.out, /Thiết bị "SD-USER-RSA"/);
  assert.match(text.out, /Nguyễn Văn An/);
});

test('init with the token, add, search without diacritics, show; wrong PIN and unbound token refused', () => {
  const init = cli(['init', '--unit-name', 'Văn phòng Tỉnh ủy', '--unit-code', '000.00.01.H49', '--preset', 'state',
    '--admin-name', 'Nguyễn Văn An', '--admin-position', 'Văn thư', '--role', 'van_thu', '--json']);
  assert.equal(init.code, 0, init.err);
  assert.equal(JSON.parse(init.out).session.user.role, 'van_thu');
  const add = cli(['doc', 'add', '--issuer', 'Sở Thông tin và Truyền thông', '--number', '15/QĐ-UBND', '--date', '01/11/2026',
    '--type', 'QĐ', '--subject', 'Về việc triển khai chính quyền điện tử năm 2026', '--file', pdf, '--json']);
  assert.equal(add.code, 0, add.err);
  const added = JSON.parse(add.out);
  assert.equal(added.arrivalNumber, 1);
  const search = cli(['doc', 'search', 'dien tu', '--json']);
  assert.equal(search.code, 0, search.err);
  const found = JSON.parse(search.out);
  assert.equal(found.total, 1);
  assert.match(found.rows[0].subject, /điện tử/);
  const show = cli(['doc', 'show', String(added.id)]);
  assert.match(show.out, /Số, ký hiệu\s+15\/QĐ-UBND/);
  assert.match(show.out, /Ngày văn bản\s+01\/11\/2026/);
  const wrong = cli(['doc', 'list'], { pin: '999999' });
  assert.equal(wrong.code, 1);
  assert.match(wrong.err, /PIN_INCORRECT/);
  assert.doesNotMatch(wrong.err + wrong.out, /999999/, 'the PIN is never echoed');
  const unbound = cli(['doc', 'list'], { token: 'userEc' });
  assert.equal(unbound.code, 1);
  assert.match(unbound.err, /NOT_BOUND/);
  const dup = cli(['doc', 'add', '--issuer', 'Sở Thông tin và Truyền thông', '--number', '15/QĐ-UBND', '--date', '2026-11-01', '--type', 'QĐ', '--subject', 'Bản trùng', '--file', pdf]);
  assert.equal(dup.code, 1);
  assert.match(dup.err, /DUPLICATE[\s\S]*--force/);
  const bad = cli(['doc', 'add', '--issuer', 'X', '--number', 'abc', '--date', '31/02/2026', '--type', 'QĐ', '--subject', 's']);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /numberSymbol: /);
  assert.match(bad.err, /stagedIds: Cần ít nhất một tệp/);
});

test('sign and verify; a changed file fails; openssl accepts our signature', () => {
  const sig = join(t.dir, 'cong-van.pdf.p7s');
  const s = cli(['sign', pdf, '--out', sig]);
  assert.equal(s.code, 0, s.err);
  const v = cli(['verify', pdf, sig, '--trust', hsm.ca.certPath]);
  assert.equal(v.code, 0, v.out + v.err);
  assert.match(v.out, /Nguyễn Văn An/);
  const ossl = spawnSync('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', sig, '-content', pdf, '-CAfile', hsm.ca.certPath, '-purpose', 'any', '-out', '/dev/null'], { encoding: 'utf8' });
  assert.equal(ossl.status, 0, ossl.stderr);
  const changed = join(t.dir, 'changed.pdf');
  const bytes = readFileSync(pdf);
  bytes.writeUInt8(bytes.readUInt8(bytes.length - 20) ^ 1, bytes.length - 20);
  writeFileSync(changed, bytes);
  const bad = cli(['verify', changed, sig, '--trust', hsm.ca.certPath]);
  assert.equal(bad.code, 1);
  assert.match(bad.out, /Nội dung \(băm\): KHÔNG ĐẠT/);
});

test('encrypt for two recipients: each can decrypt, a token without a decryption key cannot', () => {
  const an = join(t.dir, 'an.pem');
  const rec = join(t.dir, 'recovery.pem');
  writeFileSync(an, keyOf(hsm.tokens.userRsa, 'an-enc').certPem);
  writeFileSync(rec, keyOf(hsm.tokens.recovery, 'recovery').certPem);
  const sealed = join(t.dir, 'mat.pdf.p7m');
  // SoftHSM unwraps RSA-OAEP with SHA-1 only: the default SHA-256 envelope is refused with a clear reason.
  const strong = join(t.dir, 'mat256.pdf.p7m');
  assert.equal(cli(['encrypt', pdf, '--to', an, '--out', strong]).code, 0);
  const refused = cli(['decrypt', strong, '--out', join(t.dir, 'x.pdf')]);
  assert.equal(refused.code, 1);
  assert.match(refused.err, /TOKEN_UNSUITABLE[\s\S]*SHA-1/);
  const e = cli(['encrypt', pdf, '--to', an, '--to', rec, '--out', sealed, '--oaep', 'sha1']);
  assert.equal(e.code, 0, e.err);
  assert.equal(readFileSync(sealed).includes(readFileSync(pdf).subarray(100, 164)), false);
  for (const who of ['userRsa', 'recovery'] as const) {
    const out = join(t.dir, `open-${who}.pdf`);
    const d = cli(['decrypt', sealed, '--out', out], { token: who });
    assert.equal(d.code, 0, d.err);
    assert.deepEqual(readFileSync(out), readFileSync(pdf));
  }
  const no = cli(['decrypt', sealed, '--out', join(t.dir, 'no.pdf')], { token: 'userEc' });
  assert.equal(no.code, 1);
  assert.match(no.err, /TOKEN_UNSUITABLE/);
});

test('envelopes made by openssl open with the token: GCM and CBC with OAEP; PKCS#1 v1.5 only by policy', () => {
  const an = join(t.dir, 'an-enc.pem');
  writeFileSync(an, keyOf(hsm.tokens.userRsa, 'an-enc').certPem);
  const original = readFileSync(pdf);
  const cases: Array<{ name: string; args: string[]; allow?: boolean; refused?: RegExp }> = [
    { name: 'gcm-oaep', args: ['-aes-256-gcm', '-recip', an, '-keyopt', 'rsa_padding_mode:oaep'] },
    { name: 'gcm-oaep-stream', args: ['-aes-256-gcm', '-stream', '-recip', an, '-keyopt', 'rsa_padding_mode:oaep'] },
    { name: 'cbc-oaep', args: ['-aes-256-cbc', '-recip', an, '-keyopt', 'rsa_padding_mode:oaep'] },
    { name: 'cbc-v15', args: ['-aes-256-cbc', '-recip', an], refused: /CRYPTO[\s\S]*/ },
    { name: 'cbc-v15-allowed', args: ['-aes-256-cbc', '-recip', an], allow: true },
  ];
  for (const c of cases) {
    const sealed = join(t.dir, `${c.name}.p7m`);
    const made = spawnSync('openssl', ['cms', '-encrypt', '-binary', '-outform', 'DER', '-in', pdf, '-out', sealed, ...c.args], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    const out = join(t.dir, `${c.name}.pdf`);
    const d = cli(['decrypt', sealed, '--out', out, ...(c.allow ? ['--allow-pkcs1v15'] : [])]);
    if (c.refused) {
      assert.equal(d.code, 1, c.name);
      assert.match(d.err, c.refused, c.name);
      assert.throws(() => readFileSync(out), c.name);
    } else {
      assert.equal(d.code, 0, `${c.name}: ${d.err}`);
      assert.deepEqual(readFileSync(out), original, c.name);
    }
  }
});
