// The command line on a machine set to UTC: it takes the dates the form takes (one parser), shows
// registration times and signing times in Vietnam time (dd/mm/yyyy HH:mm), and asks before
// registering out of order. Real CLI processes, a real encrypted profile, SoftHSM tokens.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { addDaysIso, formatDateVn, todayIso } from '../../../common/dates';
import { makeIncomingRegisterSchema } from '../../../common/schemas';
import { Desk } from '../../../main/core/desk';
import { actorFor } from '../../../main/core/org/users';
import { SessionGuard } from '../../../main/core/session/guard';
import { TokenService } from '../../../main/core/session/tokens';
import { makeSamplePdf } from '../../../main/devhost/samplePdf';
import { TokenBridge } from '../../../native/bridge/client';
import { moduleId } from '../../../native/modules/discovery';
import { createSoftHsm, type SoftHsm } from '../../fixtures/softhsm/tokens';
import { tempDir } from '../../helpers/desk';
import { cliEntry } from '../../helpers/cli';

const t = tempDir('securedesk-cli-dates-');
const profile = join(t.dir, 'profile');
let hsm: SoftHsm;
let pdf = '';

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [...cliEntry(), ...args, '--profile', profile, '--module', hsm.modulePath, '--token', hsm.tokens.userRsa.serial], {
    encoding: 'utf8',
    // A workstation whose clock is set to UTC.
    env: { ...hsm.env, SECUREDESK_PIN: hsm.tokens.userRsa.pin, TZ: 'UTC' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Vietnam's wall clock for an instant, computed independently of the code under test (UTC+7, no DST). */
function vnWallClock(d: Date): string {
  const v = new Date(d.getTime() + 7 * 3600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(v.getUTCDate())}/${p(v.getUTCMonth() + 1)}/${v.getUTCFullYear()} ${p(v.getUTCHours())}:${p(v.getUTCMinutes())}`;
}

before(async () => {
  hsm = await createSoftHsm({ tokens: ['userRsa'] });
  pdf = join(t.dir, 'cong-van.pdf');
  writeFileSync(pdf, await makeSamplePdf({ issuer: 'Sở Nội vụ', numberSymbol: '15/SNV-VP', title: 'CÔNG VĂN', subject: 'Lịch giao ban' }));
});
after(async () => {
  await hsm.cleanup();
  t.cleanup();
});

test('dates typed as in the form; refusals at the field; out of order needs --out-of-order', () => {
  const init = cli(['init', '--unit-name', 'Văn phòng Tỉnh ủy', '--unit-code', '000.00.01.H49', '--preset', 'party',
    '--admin-name', 'Nguyễn Văn An', '--admin-position', 'Văn thư', '--role', 'van_thu', '--internal-unit', 'Phòng Tổng hợp']);
  assert.equal(init.code, 0, init.err);
  assert.match(init.out, /Đã tạo dữ liệu máy trạm/);
  const today = todayIso();
  const [y, m, d] = addDaysIso(today, -3).split('-').map(Number) as [number, number, number];
  // d/m/yyyy for the document date, ISO for the arrival: the same parser as the form.
  const add = cli(['doc', 'add', '--issuer', 'Sở Nội vụ', '--number', '15/SNV-VP', '--date', `${d}/${m}/${y}`, '--arrival', today,
    '--type', 'CV', '--subject', 'Lịch giao ban tháng', '--file', pdf, '--pages', '2', '--copies', '1', '--signer', 'Trần Văn Bình',
    '--channel', 'paper', '--json']);
  assert.equal(add.code, 0, add.err);
  const id = (JSON.parse(add.out) as { id: number }).id;
  const show = cli(['doc', 'show', String(id)]);
  assert.match(show.out, new RegExp(`Ngày văn bản\\s+${formatDateVn(addDaysIso(today, -3))}`));
  assert.match(show.out, /Người ký\s+Trần Văn Bình/);
  assert.match(show.out, /Hình thức nhận\s+Bản giấy/);
  // A future arrival is refused at the arrival date, in the form's words.
  const future = cli(['doc', 'add', '--issuer', 'Sở Nội vụ', '--number', '16/SNV-VP', '--date', formatDateVn(today), '--arrival', formatDateVn(addDaysIso(today, 2)),
    '--type', 'CV', '--subject', 'Văn bản đến từ tương lai', '--file', pdf]);
  assert.equal(future.code, 1);
  assert.match(future.err, /arrivalDate: Ngày đến không được sau hôm nay/);
  assert.doesNotMatch(future.err, /documentDate:/);
  // An arrival earlier than the latest one asks for confirmation.
  const other = join(t.dir, 'cong-van-17.pdf');
  writeFileSync(other, '%PDF-1.4 công văn 17\n');
  const earlier = ['doc', 'add', '--issuer', 'Sở Nội vụ', '--number', '17/SNV-VP', '--date', formatDateVn(addDaysIso(today, -5)),
    '--arrival', formatDateVn(addDaysIso(today, -2)), '--type', 'CV', '--subject', 'Đến muộn trong sổ', '--file', other];
  const asked = cli(earlier);
  assert.equal(asked.code, 1);
  assert.match(asked.err, /OUT_OF_ORDER[\s\S]*--out-of-order/);
  const confirmed = cli([...earlier, '--out-of-order', '--json']);
  assert.equal(confirmed.code, 0, confirmed.err);
  assert.equal((JSON.parse(confirmed.out) as { arrivalNumber: number }).arrivalNumber, 2);
});

test('a registration at 06:30 on 1 January in Hà Nội is shown as such on a UTC machine', async () => {
  // Registered through the core with the profile's clock at 31/12/2026 23:30 UTC.
  const at = new Date('2026-12-31T23:30:00Z');
  const desk = await Desk.open({ profileDir: profile, now: () => at });
  const bridge = new TokenBridge({ env: hsm.env });
  const guard = new SessionGuard(desk, new TokenService(bridge, async () => [hsm.modulePath]));
  let id = 0;
  try {
    const session = await guard.unlock({ moduleId: moduleId(hsm.modulePath), serial: hsm.tokens.userRsa.serial }, hsm.tokens.userRsa.pin);
    const actor = actorFor(session.user);
    const staged = await desk.attachments.stage(actor, Readable.from([Buffer.from('%PDF-1.4 thử')]), 'nam-moi.pdf');
    const r = await desk.incoming.register(actor, makeIncomingRegisterSchema(() => todayIso(at)).parse({
      issuer: { name: 'Ban Tổ chức Tỉnh ủy' }, numberSymbol: '01-CV/BTCTU', documentDate: '2026-12-31', typeCode: 'CV',
      subject: 'Chúc mừng năm mới', secrecy: 'thuong', urgency: 'thuong', stagedIds: [staged.stagedId],
    }));
    id = r.id;
    assert.equal(r.arrivalNumber, 1, 'the first number of 2027');
  } finally {
    guard.lock('manual');
    desk.close();
    await bridge.close();
  }
  const show = cli(['doc', 'show', String(id)]);
  assert.equal(show.code, 0, show.err);
  assert.match(show.out, /Ngày đến\s+01\/01\/2027/);
  assert.match(show.out, /Sổ đăng ký\s+Sổ đăng ký văn bản đến, năm 2027/);
  assert.match(show.out, /Người vào sổ\s+Nguyễn Văn An, 01\/01\/2027 06:30/);
});

test('verify prints the signing time as dd/mm/yyyy HH:mm in Vietnam time', () => {
  const sig = join(t.dir, 'cong-van.pdf.p7s');
  const s = cli(['sign', pdf, '--out', sig]);
  assert.equal(s.code, 0, s.err);
  const json = cli(['verify', pdf, sig, '--trust', hsm.ca.certPath, '--json']);
  assert.equal(json.code, 0, json.err);
  const signingTime = new Date((JSON.parse(json.out) as { signingTime: string }).signingTime);
  const text = cli(['verify', pdf, sig, '--trust', hsm.ca.certPath]);
  assert.match(text.out, new RegExp(`lúc ${vnWallClock(signingTime).replace(/\//g, '\\/')} \\(giờ Việt Nam\\)`));
});
