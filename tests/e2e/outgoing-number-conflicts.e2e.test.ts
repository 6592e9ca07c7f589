// The sync panel's outgoing numbering conflicts (docs/server.md "Outgoing numbers"), through the screens
// (Chromium, development host). The profile, the registers' home, issued a Mật and a Thường công văn
// while cut off from its agency server; the server, at the next contact, answered that it had given
// both numbers to another workstation's documents (number-taken): the number_reports rows carry that
// answer as sendPending writes it (the real exchange with a server is
// tests/integration/server/outgoing-numbers.test.ts). The văn thư opens "Đồng bộ": each conflict with
// its register, number, document, the other workstation and when, and what to do (not renumbered: the
// number is inside the signature), with the person who took each number (by name; the workstation as a
// detail); and the exchange with the agency's other workstations (packets they took or sent first).
// Screenshots at 1366×768 and 1920×1080 go to test-results/e2e/.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Secrecy } from '../../common/domain';
import { outgoingCreateSchema } from '../../common/schemas';
import { Desk } from '../../main/core/desk';
import { writeTx } from '../../main/core/db/transaction';
import { pushCursorKey, setState } from '../../main/core/sync/outbox';
import { adoptRestores } from '../../main/core/sync/restore';
import { actorFor, getUser } from '../../main/core/org/users';
import { SessionGuard } from '../../main/core/session/guard';
import { TokenService } from '../../main/core/session/tokens';
import { makeSamplePdf } from '../../main/devhost/samplePdf';
import { TokenBridge } from '../../native/bridge/client';
import { moduleId } from '../../native/modules/discovery';
import { createSoftHsm, type SoftHsm } from '../fixtures/softhsm/tokens';
import { stageBytes } from '../helpers/desk';
import { addPerson, anchoredIdentity } from '../helpers/people';
import { ELECTRON_DIST, expectText, openApp, SCREEN_SIZES, shootBothSizes, type AppSession } from './harness';

const skip = ELECTRON_DIST ? 'the profile is seeded through the core behind the page (Chromium only)' : false;

const UNIT = 'Văn phòng Tỉnh ủy Quảng Ninh';
const CLERK = 'Nguyễn Thị Lan';
const SIGNER = 'Nguyễn Văn Ký';
const OTHER_WS = '0190c2f4-7a1e-7b3d-9e55-3c2a1b0d9f11';
/** The văn thư of the other workstation, in this profile's directory of people (the server names her by her global id). */
const OTHER_CLERK = 'Trần Thị Mai';
const OTHER_AGENCY = { code: '000.00.12.H49', name: 'Ban Tổ chức Tỉnh ủy' };
const SUBJECTS: Record<'thuong' | 'mat', string> = {
  thuong: 'Về việc tổng kết công tác văn thư, lưu trữ năm 2026',
  mat: 'Về việc rà soát danh mục bí mật nhà nước của cơ quan',
};

let work = '';
let profileDir = '';
let hsm: SoftHsm;
let app: AppSession | undefined;
const numbers: Record<string, string> = {};
const HOME_MOVED_SUBJECT = 'Về việc cử cán bộ dự lớp bồi dưỡng nghiệp vụ văn thư';
let homeMovedNumber = 0;
const RESTORE_ID = '0190c2f8-0000-7000-8000-000000000001';
const RESTORE_CLASHES = [
  ['Về việc chuẩn bị hội nghị sơ kết công tác kiểm tra, giám sát', 'number-taken'],
  ['Về việc đề nghị cung cấp hồ sơ cán bộ diện Ban Thường vụ quản lý', 'record-numbered'],
] as const;
const restoreClashNumbers: number[] = [];

async function seed(): Promise<void> {
  const desk = await Desk.open({ profileDir, trustAnchors: [hsm.ca.certDer] });
  const guard = new SessionGuard(desk, new TokenService(new TokenBridge({ env: hsm.env }), async () => [hsm.modulePath]));
  try {
    const session = await guard.setup(
      { unit: { name: UNIT, code: '000.00.01.H49', preset: 'party' }, admin: { fullName: CLERK, position: 'Văn thư cơ quan', role: 'van_thu', clearance: 'tuyet_mat' } },
      { moduleId: moduleId(hsm.modulePath), serial: hsm.tokens.userRsa.serial },
      hsm.tokens.userRsa.pin,
    );
    const clerk = actorFor(session.user);
    const signer = await addPerson(desk, { fullName: SIGNER, role: 'lanh_dao', clearance: 'tuyet_mat', position: 'Phó Bí thư', identity: anchoredIdentity(hsm.ca, SIGNER, work) });
    const agencyKey = guard.signingKey(clerk);
    const otherClerk = await addPerson(desk, { fullName: OTHER_CLERK, role: 'van_thu', clearance: 'tuyet_mat', position: 'Văn thư', identity: anchoredIdentity(hsm.ca, OTHER_CLERK, work) });
    const otherPerson = desk.db.prepare('SELECT global_id FROM users WHERE id = ?').pluck().get(otherClerk.id) as string;
    for (const secrecy of ['mat', 'thuong'] as const satisfies readonly Secrecy[]) {
      const main = await stageBytes(desk, clerk, await makeSamplePdf({ issuer: 'TỈNH ỦY QUẢNG NINH', numberSymbol: '     -CV/TU', title: 'CÔNG VĂN', subject: SUBJECTS[secrecy] }), 'cong-van.pdf');
      const d = await desk.outgoing.create(clerk, outgoingCreateSchema.parse({
        typeCode: 'CV', subject: SUBJECTS[secrecy], secrecy, urgency: 'thuong', signerId: signer.id, signerCompetence: 'T/M BAN THƯỜNG VỤ', approvers: [],
        recipients: [{ code: '000.00.12.H49', name: 'Ban Tổ chức Tỉnh ủy' }], issuedAmount: 2, stagedIds: [main.stagedId], comment: '',
      }));
      await desk.outgoing.submit(clerk, { id: d.id, comment: '' });
      await desk.outgoing.signAsSigner(actorFor(getUser(desk.db, signer.id)!), d.id, signer.identity.signingKeys[0]!);
      await desk.outgoing.issue(clerk, d.id, agencyKey);
      // The home's offline number and the server's answer at the next contact, as sendPending keeps them.
      const c = `c_${secrecy}`;
      const row = desk.db.prepare(`SELECT register_id AS registerId, period, bucket, number, number_symbol AS numberSymbol, global_id AS gid FROM ${c}.outgoing WHERE id = ?`).get(d.id) as
        { registerId: number; period: string; bucket: string; number: number; numberSymbol: string; gid: string };
      numbers[secrecy] = row.numberSymbol;
      const register = desk.db.prepare('SELECT global_id FROM main.registers WHERE id = ?').pluck().get(row.registerId) as string;
      const holder = {
        register, period: row.period, bucket: row.bucket, record: `0190c2f5-0000-7000-8000-00000000000${row.number}`, number: row.number,
        workstation: OTHER_WS, person: otherPerson, allocatedAt: '2026-12-06T01:15:00.000Z', source: 'server',
      };
      writeTx(desk.db, () => desk.db.prepare(`INSERT INTO main.number_reports (register_id, period, bucket, number, kind, compartment, record_global_id, made_at, problem)
        VALUES (?,?,?,?,'report',?,?,?,?)`).run(row.registerId, row.period, row.bucket, row.number, c, row.gid, '2026-12-06T02:40:00.000Z',
        JSON.stringify({ error: 'number-taken', message: `number ${row.number} is taken`, holder })));
    }
    // A home moved away while this workstation was cut off: the arrival it numbered meanwhile, refused by the
    // server (home-moved) as sendPending keeps it (the real exchange: tests/integration/server/register-home.test.ts).
    const arrival = await desk.incoming.register(clerk, {
      issuer: { name: OTHER_AGENCY.name }, numberSymbol: '112-CV/BTCTU', documentDate: '2026-12-04', arrivalDate: '2026-12-06', typeCode: 'CV',
      subject: HOME_MOVED_SUBJECT, secrecy: 'thuong', urgency: 'thuong', recipients: [], notes: '', stagedIds: [], acknowledgeDuplicates: false,
    });
    const inc = desk.db.prepare('SELECT register_id AS registerId, period, arrival_number AS number, global_id AS gid FROM c_thuong.incoming WHERE id = ?').get(arrival.id) as
      { registerId: number; period: string; number: number; gid: string };
    const incRegister = desk.db.prepare('SELECT global_id FROM main.registers WHERE id = ?').pluck().get(inc.registerId) as string;
    const move = { register: incRegister, from: null, to: OTHER_WS, movedBy: otherPerson, movedFrom: OTHER_WS, reason: 'Máy trạm văn thư thay mới', movedAt: '2026-12-06T02:00:00.000Z' };
    writeTx(desk.db, () => desk.db.prepare(`INSERT INTO main.number_reports (register_id, period, bucket, number, kind, compartment, record_global_id, made_at, problem)
      VALUES (?,?,'',?,'report','c_thuong',?,?,?)`).run(inc.registerId, inc.period, inc.number, inc.gid, '2026-12-06T03:10:00.000Z',
      JSON.stringify({ error: 'home-moved', message: 'the register home moved', move })));
    homeMovedNumber = inc.number;
    // Two arrivals numbered here before the agency server was restored, answered as clashes after it (as
    // numberedRecords.keepClashes keeps them; the real exchange: tests/integration/server/server-restore.test.ts):
    // one number the restored server gave another record (renumbered by the software once a văn thư is
    // signed in and the server reached), one the server holds under another number (for a person).
    for (const [subject, reason] of RESTORE_CLASHES) {
      const a = await desk.incoming.register(clerk, {
        issuer: { name: OTHER_AGENCY.name }, numberSymbol: `${120 + restoreClashNumbers.length}-CV/BTCTU`, documentDate: '2026-12-04', arrivalDate: '2026-12-06', typeCode: 'CV',
        subject, secrecy: 'thuong', urgency: 'thuong', recipients: [], notes: '', stagedIds: [], acknowledgeDuplicates: false,
      });
      const r = desk.db.prepare('SELECT register_id AS registerId, period, arrival_number AS number, global_id AS gid FROM c_thuong.incoming WHERE id = ?').get(a.id) as
        { registerId: number; period: string; number: number; gid: string };
      writeTx(desk.db, () => desk.db.prepare(`INSERT INTO main.number_reports (register_id, period, bucket, number, kind, compartment, record_global_id, made_at, problem, after_restore)
        VALUES (?,?,'*',?,'report','c_thuong',?,?,?,?)`).run(r.registerId, r.period, r.number, r.gid, '2026-12-06T03:20:00.000Z',
        JSON.stringify({ error: reason, afterRestore: RESTORE_ID }), RESTORE_ID));
      restoreClashNumbers.push(r.number);
    }
    // The exchange with another workstation of the agency, as the ledgers keep it (the real exchange:
    // tests/integration/server/exchange-share.test.ts): a status packet to the Ban Tổ chức that the other
    // workstation had sent first (the agency server answered sent-elsewhere), and two packets from it that
    // the other workstation took first.
    writeTx(desk.db, () => {
      desk.db.prepare("INSERT INTO main.exchange_agencies (code, name, certificates, updated_at) VALUES (?,?,'[]',?) ON CONFLICT (code) DO NOTHING")
        .run(OTHER_AGENCY.code, OTHER_AGENCY.name, '2026-12-06T01:00:00.000Z');
      desk.db.prepare("INSERT INTO main.exchange_outbox (packet_id, kind, to_code, bytes, made_at, handed_at) VALUES (?, 'status', ?, x'00', ?, ?)")
        .run('0190c2f6-0000-7000-8000-000000000001', OTHER_AGENCY.code, '2026-12-06T02:50:00.000Z', '2026-12-06T02:50:01.000Z');
      desk.db.prepare("INSERT INTO main.packet_outbox (packet_id, sha256, size, created_at, state, attempts, error_code, done_at) VALUES (?, ?, 1, ?, 'sent', 1, 'sent-elsewhere', ?)")
        .run('0190c2f6-0000-7000-8000-000000000001', '00'.repeat(32), '2026-12-06T02:50:01.000Z', '2026-12-06T02:51:00.000Z');
      for (const n of [1, 2]) {
        desk.db.prepare("INSERT INTO main.exchange_inbound (packet_id, from_code, received_at, accepted_at, state, reason, opened_at) VALUES (?,?,?,?,'duplicate',?,?)")
          .run(`0190c2f7-0000-7000-8000-00000000000${n}`, OTHER_AGENCY.code, '2026-12-06T03:00:00.000Z', '2026-12-06T03:00:01.000Z', `-TAKEN_ELSEWHERE:${OTHER_WS}`, '2026-12-06T03:00:02.000Z');
      }
    });
    // The agency server was restored from a backup and marked; this workstation took the mark in (the
    // real restore: tests/integration/server/server-restore.test.ts) and has its own changes to check.
    const lastSeq = desk.db.prepare('SELECT max(seq) FROM main.events').pluck().get() as number;
    writeTx(desk.db, () => setState(desk.db, pushCursorKey('base'), String(lastSeq)));
    adoptRestores(desk.db, [{ id: RESTORE_ID, markedAt: '2026-12-06T04:30:00.000Z', batchesHead: 120, keyringsHead: 3 }], new Date('2026-12-06T04:35:00.000Z'));
  } finally {
    await guard.close();
  }
}

before(async () => {
  if (skip) return;
  work = mkdtempSync(join(tmpdir(), 'securedesk-e2e-numconflicts-'));
  profileDir = join(work, 'profile');
  hsm = await createSoftHsm({ tokens: ['userRsa'] });
  await seed();
});

after(async () => {
  if (app) await app.close();
  await hsm?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the văn thư sees the outgoing numbering conflicts on the sync panel, with what to do', { skip }, async () => {
  app = await openApp(profileDir, { hsm, trustAnchors: [hsm.ca.certDer] });
  const p = app.page;
  await p.getByRole('heading', { name: 'Máy trạm đang khóa' }).waitFor();
  await p.getByLabel('Mã PIN').fill(hsm.tokens.userRsa.pin);
  await p.getByRole('button', { name: 'Mở khóa' }).click();
  await expectText(p.locator('.app-header'), CLERK);
  await p.getByRole('navigation', { name: 'Chức năng' }).getByRole('button', { name: 'Đồng bộ' }).click();
  const box = p.getByTestId('sync-number-conflicts');
  await expectText(box.locator('h2'), 'Số văn bản đi trùng với văn bản của máy trạm khác');
  const rows = box.locator('tbody tr');
  assert.equal(await rows.count(), 2);
  for (const [i, secrecy] of (['mat', 'thuong'] as const).entries()) {
    await expectText(rows.nth(i), SUBJECTS[secrecy]);
    await expectText(rows.nth(i), numbers[secrecy]!);
    await expectText(rows.nth(i), `Người lấy số: ${OTHER_CLERK}`);
    await expectText(rows.nth(i).locator('.muted.small').last(), `Máy trạm ${OTHER_WS}`);
    await expectText(rows.nth(i), 'Máy trạm này chưa có văn bản đó');
    await expectText(rows.nth(i), 'Cấp lúc mất kết nối: 06/12/2026 09:40');
    await expectText(rows.nth(i), 'cấp lúc 06/12/2026 08:15');
  }
  await expectText(box.locator('.notice'), 'không tự cấp lại số');
  // The table and what to do, in view at the smaller size.
  await p.setViewportSize(SCREEN_SIZES[0]);
  await box.locator('.notice').scrollIntoViewIfNeeded();
  await shootBothSizes(p, 'sync-number-conflicts', '[data-testid="sync-number-conflicts"]');
  // The number this workstation gave after the register's home had moved away.
  const moved = p.getByTestId('sync-home-moved');
  await expectText(moved.locator('h2'), 'Số cấp sau khi đã chuyển máy trạm giữ sổ');
  const movedRow = moved.locator('tbody tr');
  assert.equal(await movedRow.count(), 1);
  await expectText(movedRow.locator('th'), 'Sổ đăng ký văn bản đến');
  await expectText(movedRow.locator('td').nth(0), String(homeMovedNumber));
  await expectText(movedRow, HOME_MOVED_SUBJECT);
  await expectText(movedRow, 'Cấp lúc mất kết nối: 06/12/2026 10:10');
  await expectText(movedRow, OTHER_WS);
  await expectText(movedRow, `chuyển lúc 06/12/2026 09:00 · người chuyển: ${OTHER_CLERK}`);
  await expectText(movedRow, 'Lý do: Máy trạm văn thư thay mới');
  await expectText(moved.locator('.notice'), 'Không ghi các số này lên văn bản giấy');
  await moved.locator('.notice').scrollIntoViewIfNeeded();
  await shootBothSizes(p, 'sync-home-moved', '[data-testid="sync-home-moved"]');
  // The exchange with the agency's other workstations: no round yet since sign-in (no server here), the
  // packets it took first, and ours it had sent first.
  const ex = p.getByTestId('sync-exchange');
  await expectText(ex.getByTestId('sync-last-round'), 'Chưa có lần trao đổi nào kể từ khi đăng nhập.');
  await expectText(ex.getByTestId('sync-taken-elsewhere'), '2 gói tin đến do máy trạm khác của cơ quan nhận trước');
  const sent = ex.getByTestId('sync-sent-elsewhere');
  await expectText(sent.locator('h3'), 'Gói tin do máy trạm khác của cơ quan gửi trước: 1');
  await expectText(sent.locator('li'), `Gói tin trạng thái trả lời cơ quan gửi · ${OTHER_AGENCY.name}`);
  await expectText(sent.locator('li'), 'máy trạm khác đã gửi, ghi nhận lúc 06/12/2026 09:51');
  await sent.scrollIntoViewIfNeeded();
  await shootBothSizes(p, 'sync-exchange-elsewhere', '[data-testid="sync-exchange"]');
  // The numbers that clashed after the restore: what the software does with each, what is left to a person.
  const clashes = p.getByTestId('sync-restore-clashes');
  await expectText(clashes.locator('h2'), 'Số trùng sau khi khôi phục máy chủ');
  const clashRows = clashes.locator('tbody tr');
  assert.equal(await clashRows.count(), 2);
  for (const [i, [subject]] of RESTORE_CLASHES.entries()) {
    await expectText(clashRows.nth(i).locator('td').nth(0), String(restoreClashNumbers[i]));
    await expectText(clashRows.nth(i), subject);
    await expectText(clashRows.nth(i), 'Văn bản đến, vào sổ lúc 06/12/2026 10:20');
  }
  await expectText(clashRows.nth(0).locator('.badge'), 'Số đã cấp cho văn bản khác');
  await expectText(clashRows.nth(0), 'Phần mềm tự cấp số đến mới từ máy chủ khi văn thư đăng nhập');
  await expectText(clashRows.nth(1).locator('.badge'), 'Máy chủ ghi văn bản với số khác');
  await expectText(clashRows.nth(1), 'Đối chiếu sổ với máy chủ');
  await clashes.scrollIntoViewIfNeeded();
  await shootBothSizes(p, 'sync-restore-clashes', '[data-testid="sync-restore-clashes"]');
  // The server's restore: when, that this workstation reads and sends again by itself, the numbers still to tell.
  const restore = p.getByTestId('sync-restore');
  await expectText(restore, 'Máy chủ của cơ quan đã được khôi phục từ bản sao lưu (đánh dấu lúc 06/12/2026 11:30)');
  await expectText(restore, 'máy trạm đã đọc lại từ thời điểm đó lúc 06/12/2026 11:35');
  await expectText(restore, 'Đang kiểm tra và gửi lại những thay đổi của máy trạm này mà máy chủ bị mất');
  await expectText(restore.locator('.badge'), 'Chưa báo cho máy chủ số cuối cùng của các sổ');
  await restore.scrollIntoViewIfNeeded();
  await shootBothSizes(p, 'sync-server-restore', '[data-testid="sync-restore"]');
  assert.deepEqual(app.problems.csp, []);
  assert.deepEqual(app.problems.errors.filter((e) => !/status of 4\d\d/.test(e)), []);
});
