// The incoming register end to end through the core, on real SQLite files and real PDFs.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { buffer } from 'node:stream/consumers';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DeskError } from '../../common/errors';
import { verifyAuditChain } from '../../main/core/audit/auditLog';
import type { Desk } from '../../main/core/desk';
import type { Actor } from '../../main/core/org/rights';
import { setSetting } from '../../main/core/profile/settings';
import { addActor, newDesk, pdfBytes, registration as registrationToday, stageBytes } from '../helpers/desk';

/** These registrations arrived on 3 November 2026, dated the day before (the desk's clock is later in November). */
const registration = (...[desk, actor, over]: Parameters<typeof registrationToday>) =>
  registrationToday(desk, actor, { documentDate: '2026-11-02', arrivalDate: '2026-11-03', ...over });

const rejects = async (p: Promise<unknown> | (() => unknown), code: string, field?: string) => {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    assert.ok(err instanceof DeskError, `expected DeskError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (field) assert.ok(err.fields?.[field], `expected an error at ${field}: ${JSON.stringify(err.fields)}`);
    return err;
  }
  assert.fail(`expected ${code}`);
};

const list = (desk: Desk, actor: Actor, query?: string) =>
  desk.incoming.list(actor, { ...(query ? { query } : {}), sort: { field: 'arrival', dir: 'desc' }, offset: 0, limit: 100 });

/** The profile's clock in these tests: 20 November 2026, 10:00 in Hà Nội. */
const NOW = new Date('2026-11-20T03:00:00Z');

describe('incoming register (state preset)', () => {
  let env: Awaited<ReturnType<typeof newDesk>>;
  before(async () => { env = await newDesk('state', undefined, { now: () => NOW }); });
  after(() => env.cleanup());

  test('registers with the next arrival number in the right register, per year', async () => {
    const { desk, admin } = env;
    const a = await desk.incoming.register(admin, await registration(desk, admin, { subject: 'Về việc triển khai chính quyền điện tử' }));
    const b = await desk.incoming.register(admin, await registration(desk, admin, { subject: 'Kế hoạch công tác Đảng ủy khối' }));
    assert.equal(a.arrivalNumber, 1);
    assert.equal(b.arrivalNumber, 2);
    assert.equal(a.registerName, 'Sổ đăng ký văn bản đến');
    // Secret documents go to their own register with their own sequence (state preset).
    const s = await desk.incoming.register(admin, await registration(desk, admin, { secrecy: 'mat', subject: 'Báo cáo tình hình an ninh' }));
    assert.equal(s.registerName, 'Sổ đăng ký bí mật nhà nước đến');
    assert.equal(s.arrivalNumber, 1);
    const detail = desk.incoming.get(admin, a.id);
    assert.equal(detail.numberSymbol.includes('/QĐ-UBND'), true);
    assert.equal(detail.attachments.length, 1);
    assert.equal(detail.attachments[0]!.isPdf, true);
    assert.equal(detail.registeredBy, 'Nguyễn Thị Hương');
  });

  test('finds documents by words typed without diacritics, including đ', async () => {
    const { desk, admin } = env;
    const found = list(desk, admin, 'dien tu');
    assert.ok(found.some((r) => r.subject.includes('điện tử')), 'dien tu finds điện tử');
    assert.ok(list(desk, admin, 'dang uy').some((r) => r.subject.includes('Đảng ủy')), 'dang uy finds Đảng ủy');
    assert.ok(list(desk, admin, 'ĐẢNG ỦY').some((r) => r.subject.includes('Đảng ủy')), 'accented upper case too');
    assert.ok(list(desk, admin, 'qd-ubnd').length >= 2, 'the number-symbol is searchable');
    assert.equal(list(desk, admin, 'dien tu khong ton tai').length, 0);
    // The last word is what is still being typed: it stands for every known word it begins.
    assert.ok(list(desk, admin, 'dien t').some((r) => r.subject.includes('điện tử')), 'dien t');
    assert.ok(list(desk, admin, 'chinh quyen di').some((r) => r.subject.includes('chính quyền điện tử')), 'chinh quyen di');
    assert.equal(list(desk, admin, 'dien txyz').length, 0, 'a prefix nothing begins with finds nothing');
    // FTS syntax in the input is inert.
    assert.deepEqual(list(desk, admin, '"dien" OR *'), []);
    assert.doesNotThrow(() => list(desk, admin, 'NEAR(a b) body: ^x'));
    assert.equal(desk.incoming.count(admin, { query: 'dien tu' }).total, found.length);
  });

  test('filters by year, register, secrecy, urgency, status and deadline; sorts', async () => {
    const { desk, admin } = env;
    await desk.incoming.register(admin, await registration(desk, admin, { urgency: 'hoa_toc', deadline: '2026-11-05' }));
    const q = (f: object) => desk.incoming.list(admin, { sort: { field: 'arrival', dir: 'desc' }, offset: 0, limit: 100, ...f });
    assert.equal(q({ year: 2026 }).length, q({}).length);
    assert.equal(q({ year: 2025 }).length, 0);
    assert.ok(q({ secrecy: ['mat'] }).every((r) => r.secrecy === 'mat'));
    assert.equal(q({ urgency: ['hoa_toc'] }).length, 1);
    assert.equal(q({ deadline: 'overdue' }).length, 1, 'deadline 05/11/2026 is past');
    assert.ok(q({ deadline: 'no_deadline' }).length >= 3);
    assert.equal(q({ status: ['done'] }).length, 0);
    const registers = desk.incoming.registers(admin);
    assert.equal(q({ registerId: registers[1]!.id }).length, 1);
    const byIssuerAsc = desk.incoming.list(admin, { sort: { field: 'documentDate', dir: 'asc' }, offset: 0, limit: 100 });
    const dates = byIssuerAsc.map((r) => r.documentDate);
    assert.deepEqual(dates, [...dates].sort());
    assert.equal(desk.incoming.list(admin, { sort: { field: 'arrival', dir: 'desc' }, offset: 1, limit: 2 }).length, 2);
  });

  test('warns of duplicates: same number-symbol + issuer + date, or the same file', async () => {
    const { desk, admin } = env;
    const first = await registration(desk, admin, { numberSymbol: '88/BC-STTTT', issuer: { name: 'Sở Thông tin và Truyền thông' } });
    const r1 = await desk.incoming.register(admin, first);
    // Matching ignores case, accents and spacing of the issuer.
    const again = await registration(desk, admin, { numberSymbol: '88/BC-STTTT', issuer: { name: 'sở thông tin  và truyền thông' } });
    const err = await rejects(desk.incoming.register(admin, again), 'DUPLICATE');
    const dups = err.details?.duplicates as Array<{ id: number; reason: string }>;
    assert.deepEqual(dups.map((d) => [d.id, d.reason]), [[r1.id, 'same_number_symbol']]);
    // Same file, different metadata: found by hash when the file is staged.
    const pdf = await pdfBytes('Tệp trùng nội dung');
    const s1 = await stageBytes(desk, admin, pdf, 'a.pdf');
    const r2 = await desk.incoming.register(admin, await registration(desk, admin, { stagedIds: [s1.stagedId] }));
    const s2 = await stageBytes(desk, admin, pdf, 'b.pdf');
    assert.deepEqual(s2.duplicates.map((d) => [d.id, d.reason]), [[r2.id, 'same_file']]);
    await rejects(desk.incoming.register(admin, await registration(desk, admin, { stagedIds: [s2.stagedId] })), 'DUPLICATE');
    // Acknowledged: registered, and the blob is stored once.
    const r3 = await desk.incoming.register(admin, await registration(desk, admin, { stagedIds: [s2.stagedId], acknowledgeDuplicates: true }));
    assert.ok(r3.id > r2.id);
    const blob = desk.context().storeFor('thuong').blobPath(s1.sha256);
    const blobs = readdirSync(join(blob, '..')).filter((f) => blob.endsWith(f));
    assert.equal(blobs.length, 1);
  });

  test('a failed insert consumes no number and leaves nothing half-written', async () => {
    const { desk, admin } = env;
    const before = list(desk, admin).filter((r) => r.registerName === 'Sổ đăng ký văn bản đến' && r.arrivalDate.startsWith('2026'));
    const maxBefore = Math.max(...before.map((r) => r.arrivalNumber));
    const ftsBefore = desk.db.prepare('SELECT count(*) FROM c_thuong.incoming_fts').pluck().get();
    desk.db.exec("CREATE TEMP TRIGGER boom BEFORE INSERT ON c_thuong.attachments WHEN NEW.name = 'boom.pdf' BEGIN SELECT RAISE(ABORT, 'simulated failure'); END");
    const staged = await stageBytes(desk, admin, await pdfBytes('Lỗi giữa chừng'), 'boom.pdf');
    await assert.rejects(desk.incoming.register(admin, await registration(desk, admin, { stagedIds: [staged.stagedId] })), /simulated failure/);
    desk.db.exec('DROP TRIGGER temp.boom');
    assert.equal(desk.db.prepare('SELECT count(*) FROM c_thuong.incoming_fts').pluck().get(), ftsBefore);
    const next = await desk.incoming.register(admin, await registration(desk, admin, { stagedIds: [staged.stagedId] }));
    assert.equal(next.arrivalNumber, maxBefore + 1, 'the number was not consumed by the failed insert');
  });

  test('bad input: each gets a specific error at its field', async () => {
    const { desk, admin } = env;
    // The core re-checks what the schema checked: a caller that skips the schema gains nothing.
    await rejects(desk.incoming.register(admin, { ...(await registration(desk, admin)), numberSymbol: 'abc' }), 'VALIDATION', 'numberSymbol');
    await assert.rejects(registration(desk, admin, { numberSymbol: 'abc' }), /bắt đầu bằng số/);
    await rejects(desk.incoming.register(admin, { ...(await registration(desk, admin)), documentDate: '2026-11-10', arrivalDate: '2026-11-03' }), 'VALIDATION', 'documentDate');
    await rejects(stageBytes(desk, admin, new Uint8Array(0), 'rong.pdf'), 'FILE_EMPTY');
    setSetting(desk.db, 'attachment_limit_bytes', String(1024));
    const big = await rejects(stageBytes(desk, admin, new Uint8Array(4096).fill(65), 'lon.pdf'), 'FILE_TOO_LARGE');
    assert.match(big.message, /vượt quá giới hạn/);
    setSetting(desk.db, 'attachment_limit_bytes', String(200 * 1024 * 1024));
    assert.equal(readdirSync(join(env.dir, 'staging'), { recursive: true }).filter((f) => String(f).endsWith('.part')).length, 0, 'no partial file left');
    await rejects(desk.incoming.register(admin, { ...(await registration(desk, admin)), stagedIds: ['0'.repeat(32)] }), 'NOT_FOUND', 'stagedIds');
    // A non-PDF named .pdf is stored but not served as a PDF.
    const fake = await stageBytes(desk, admin, 'not a pdf at all', 'gia.pdf');
    assert.equal(fake.isPdf, false);
  });

  test('rights and clearance are enforced in the core', async () => {
    const { desk, admin } = env;
    const leader = addActor(desk, 'lanh_dao', 'tuyet_mat', 'Trần Văn Minh');
    const officer = addActor(desk, 'chuyen_vien', 'thuong', 'Lê Thu Trang');
    await rejects(async () => desk.incoming.register(leader, await registration(desk, admin)), 'FORBIDDEN');
    // Anyone may stage a file of their own (an outgoing draft's); registering it stays the văn thư's.
    const staged = await stageBytes(desk, leader, 'x', 'x.pdf');
    await rejects(async () => desk.incoming.register(leader, await registration(desk, admin, { stagedIds: [staged.stagedId] })), 'FORBIDDEN');
    const secret = list(desk, admin).find((r) => r.secrecy === 'mat')!;
    assert.ok(secret);
    // Above one's clearance a document does not appear at all.
    assert.ok(list(desk, officer).every((r) => r.secrecy === 'thuong'));
    const onlySecret = { secrecy: ['mat' as const], sort: { field: 'arrival' as const, dir: 'desc' as const }, offset: 0, limit: 100 };
    assert.deepEqual(desk.incoming.list(officer, onlySecret), [], 'asking for levels above one\'s clearance finds nothing');
    assert.equal(desk.incoming.count(officer, { secrecy: ['mat'] }).total, 0);
    assert.equal(desk.incoming.registers(officer).length, 1);
    await rejects(() => desk.incoming.get(officer, secret.id), 'NOT_FOUND');
    await rejects(() => desk.attachments.open(officer, desk.incoming.get(admin, secret.id).attachments[0]!.id), 'NOT_FOUND');
    // Nobody registers above their own clearance.
    const clerk = addActor(desk, 'van_thu', 'mat', 'Văn thư 2');
    await rejects(async () => desk.incoming.register(clerk, await registration(desk, clerk, { secrecy: 'toi_mat' })), 'FORBIDDEN', 'secrecy');
    // Staged files belong to whoever staged them.
    const mine = await stageBytes(desk, admin, await pdfBytes('Của văn thư 1'), 'c.pdf');
    await rejects(desk.incoming.register(clerk, { ...(await registration(desk, clerk)), stagedIds: [mine.stagedId] }), 'NOT_FOUND');
  });

  test('Tuyệt mật documents are registered without a subject and never indexed by it', async () => {
    const { desk, admin } = env;
    await assert.rejects(registration(desk, admin, { secrecy: 'tuyet_mat', subject: 'Nội dung tuyệt mật' }), /không ghi trích yếu/);
    const r = await desk.incoming.register(admin, await registration(desk, admin, { secrecy: 'tuyet_mat', subject: '' }));
    assert.equal(desk.incoming.get(admin, r.id).subject, '');
    assert.equal(r.registerName, 'Sổ đăng ký bí mật nhà nước đến');
  });

  test('views are audited and the audit chain verifies; the log is append-only', async () => {
    const { desk, admin } = env;
    const row = list(desk, admin)[0]!;
    const att = desk.incoming.get(admin, row.id).attachments[0]!;
    await desk.unlock(env.identity);
    const opened = desk.attachments.open(admin, att.id);
    const t = await desk.attachments.openTicket(opened.ticket);
    assert.ok(t && t.size === att.size);
    const bytes = await buffer(t.stream);
    assert.equal(bytes.length, att.size);
    assert.ok(bytes.subarray(0, 5).toString() === '%PDF-', 'decrypted as it streams');
    assert.equal(await desk.attachments.openTicket('f'.repeat(32)), undefined);
    await desk.verdict(); // after an unlock the view is recorded once the integrity check has passed
    const views = desk.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'attachment.view' AND entity_id = ?").pluck().get(row.id);
    assert.equal(views, 1);
    assert.equal(verifyAuditChain(desk.db), null);
    assert.throws(() => desk.db.prepare("UPDATE audit_log SET action = 'x' WHERE id = 1").run(), /append-only/);
    assert.throws(() => desk.db.prepare('DELETE FROM audit_log').run(), /append-only/);
    desk.db.exec('DROP TRIGGER audit_log_no_update');
    desk.db.prepare('UPDATE audit_log SET details = \'{"unit":"x"}\' WHERE id = 1').run();
    assert.equal(verifyAuditChain(desk.db), 1, 'tampering breaks the chain at the edited row');
  });
});

describe('incoming register (party preset)', () => {
  test('secret arrivals go to the Sổ đăng ký bí mật nhà nước đến with its own sequence, as in the state preset', async () => {
    const env = await newDesk('party', undefined, { now: () => NOW });
    try {
      const { desk, admin } = env;
      assert.deepEqual(desk.incoming.registers(admin).map((r) => [r.name, r.secrecy]), [
        ['Sổ đăng ký văn bản đến', ['thuong']],
        ['Sổ đăng ký bí mật nhà nước đến', ['mat', 'toi_mat', 'tuyet_mat']],
      ]);
      const a = await desk.incoming.register(admin, await registration(desk, admin, { numberSymbol: '27-QĐ/TW' }));
      const b = await desk.incoming.register(admin, await registration(desk, admin, { numberSymbol: '93-KH/TU', secrecy: 'toi_mat', subject: 'Kế hoạch mật' }));
      const c = await desk.incoming.register(admin, await registration(desk, admin, { numberSymbol: '94-CV/VPTU', secrecy: 'mat', subject: 'Công văn mật' }));
      const d = await desk.incoming.register(admin, await registration(desk, admin, { numberSymbol: '95-TB/TU' }));
      assert.deepEqual([a, b, c, d].map((r) => [r.registerName, r.arrivalNumber]), [
        ['Sổ đăng ký văn bản đến', 1],
        ['Sổ đăng ký bí mật nhà nước đến', 1],
        ['Sổ đăng ký bí mật nhà nước đến', 2],
        ['Sổ đăng ký văn bản đến', 2],
      ]);
      assert.equal(desk.incoming.get(admin, a.id).numberSymbol, '27-QĐ/TW');
      // Someone cleared Thường does not even see that the secret register exists.
      const officer = addActor(desk, 'chuyen_vien', 'thuong', 'Lê Thu Trang');
      assert.deepEqual(desk.incoming.registers(officer).map((r) => r.name), ['Sổ đăng ký văn bản đến']);
    } finally {
      env.cleanup();
    }
  });
});
