// Registers and numbering scopes: the BMNN incoming register in both presets, the migration of
// existing party profiles, administration after setup (audited, events recorded, numbers never
// change), and closing a register year. Real SQLite files, the real core.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { pdfTextPages } from '../helpers/pdfOracle';
import { after, before, describe, test } from 'node:test';
import { DeskError } from '../../common/errors';
import { Desk } from '../../main/core/desk';
import { eventsSince } from '../../main/core/events/eventLog';
import { newGlobalId } from '../../main/core/events/globalId';
import { nextRecordId } from '../../main/core/compartments/ids';
import { addActor, newDesk, registration, softIdentity, tempDir } from '../helpers/desk';
import { oldProfile } from '../helpers/legacyProfile';

const NOW = new Date('2026-11-20T03:00:00Z');

async function refused(p: Promise<unknown> | (() => unknown), code: string, field?: string): Promise<DeskError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    assert.ok(err instanceof DeskError, `expected DeskError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (field) assert.ok(err.fields?.[field], `expected an error at ${field}: ${JSON.stringify(err.fields)} (${err.message})`);
    return err;
  }
  assert.fail(`expected ${code}`);
}

describe('a party profile made before the BMNN incoming register', () => {
  const t = tempDir();
  after(() => t.cleanup());

  test('gets the BMNN register: old numbers unchanged, new secret arrivals numbered in their own sequence', async () => {
    oldProfile(t.dir, 'party');
    const desk = await Desk.open({ profileDir: t.dir, now: () => NOW });
    try {
      // The first unlock of a plain profile encrypts it for the bound token; the migrations run on the way.
      const session = await desk.unlock(softIdentity());
      const actor = { ...session.user, rights: session.rights };
      assert.deepEqual(desk.incoming.registers(actor).map((r) => [r.id, r.name, r.secrecy]), [
        [1, 'Sổ đăng ký văn bản đến', ['thuong']],
        [2, 'Sổ đăng ký bí mật nhà nước đến', ['mat', 'toi_mat', 'tuyet_mat']],
      ]);
      const old = desk.db.prepare('SELECT register_id, arrival_number, secrecy FROM incoming ORDER BY id').raw().all();
      assert.deepEqual(old, [[1, 1, 'thuong'], [1, 2, 'mat']], 'existing entries keep their register and number');
      const secret = await desk.incoming.register(actor, await registration(desk, actor, { numberSymbol: '14-CV/BTCTW', secrecy: 'mat', subject: 'Công văn mật mới' }));
      const plain = await desk.incoming.register(actor, await registration(desk, actor, { numberSymbol: '15-CV/BTCTW' }));
      assert.deepEqual([secret.registerName, secret.arrivalNumber], ['Sổ đăng ký bí mật nhà nước đến', 1]);
      assert.deepEqual([plain.registerName, plain.arrivalNumber], ['Sổ đăng ký văn bản đến', 3], 'the ordinary sequence goes on');
      // Recorded: the change of the old register and the new register and scope are events, and audited.
      const events = eventsSince(desk.db, 0);
      const regGids = desk.db.prepare('SELECT global_id FROM registers ORDER BY id').pluck().all() as string[];
      assert.ok(events.some((e) => e.entity === 'registers' && e.entityId === regGids[0] && e.kind === 'update' && JSON.stringify(e.data.secrecy) === '"[\\"thuong\\"]"'));
      assert.ok(events.some((e) => e.entity === 'registers' && e.entityId === regGids[1] && e.kind === 'create'));
      assert.ok(events.some((e) => e.entity === 'numbering_scopes' && e.kind === 'create'));
      const audit = desk.db.prepare("SELECT details FROM audit_log WHERE action = 'register.migrate'").pluck().all() as string[];
      assert.equal(audit.length, 1);
      assert.match(audit[0]!, /Sổ đăng ký bí mật nhà nước đến/);
    } finally {
      desk.close();
    }
  });
});

describe('a state profile made before', () => {
  for (const signed of [false, true]) {
    test(signed ? 'keeps its secret register\'s name when an entry in it was signed' : 'gets the law\'s name for its secret register', async () => {
      const t = tempDir();
      oldProfile(t.dir, 'state', { signed });
      const desk = await Desk.open({ profileDir: t.dir, now: () => NOW });
      try {
        const session = await desk.unlock(softIdentity());
        const actor = { ...session.user, rights: session.rights };
        assert.deepEqual(desk.incoming.registers(actor).map((r) => r.name),
          ['Sổ đăng ký văn bản đến', signed ? 'Sổ đăng ký văn bản mật đến' : 'Sổ đăng ký bí mật nhà nước đến']);
        const secret = await desk.incoming.register(actor, await registration(desk, actor, { secrecy: 'toi_mat', subject: 'Tối mật mới' }));
        assert.equal(secret.arrivalNumber, 2, 'the secret sequence goes on');
      } finally {
        desk.close();
        t.cleanup();
      }
    });
  }
});

describe('register administration', () => {
  let env: Awaited<ReturnType<typeof newDesk>>;
  before(async () => { env = await newDesk('state', undefined, { now: () => NOW }); });
  after(() => env.cleanup());

  test('an administrator adds a register with its own scope; audited and recorded; secret and ordinary never mixed', async () => {
    const { desk, admin } = env;
    const it = addActor(desk, 'quan_tri', 'tuyet_mat', 'Phạm Quốc Tuấn');
    await refused(() => desk.registers.create(admin, { name: 'Sổ thử', secrecy: ['thuong'], scope: { name: 'Dãy thử', reset: 'year', perType: false } }), 'FORBIDDEN');
    await refused(() => desk.registers.create(it, { name: 'Sổ hỗn hợp', secrecy: ['thuong', 'mat'], scope: { name: 'Dãy hỗn hợp', reset: 'year', perType: false } }), 'VALIDATION', 'secrecy');
    await refused(() => desk.registers.create(it, { name: 'sổ đăng ký VĂN BẢN đến', secrecy: ['thuong'], scope: { name: 'Dãy x', reset: 'year', perType: false } }), 'VALIDATION', 'name');
    const r = await desk.registers.create(it, { name: 'Sổ đăng ký đơn thư đến', secrecy: ['thuong'], scope: { name: 'Số đơn thư', reset: 'year', perType: false } });
    assert.deepEqual([r.name, r.secrecy, r.active, r.entries], ['Sổ đăng ký đơn thư đến', ['thuong'], true, 0]);
    const overview = desk.registers.overview(it);
    assert.equal(overview.canConfigure, true);
    assert.ok(overview.scopes.some((s) => s.id === r.scopeId && s.name === 'Số đơn thư' && !s.used));
    assert.equal(desk.registers.overview(admin).canConfigure, false, 'a văn thư sees the registers but does not configure them');
    const gid = desk.db.prepare('SELECT global_id FROM registers WHERE id = ?').pluck().get(r.id) as string;
    assert.ok(eventsSince(desk.db, 0).some((e) => e.entityId === gid && e.kind === 'create'));
    assert.equal(desk.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'register.create' AND entity_id = ?").pluck().get(r.id), 1);
    // Chosen by hand, the new register takes Thường documents with its own numbers.
    const a = await desk.incoming.register(admin, await registration(desk, admin, { registerId: r.id }));
    assert.deepEqual([a.registerName, a.arrivalNumber], ['Sổ đăng ký đơn thư đến', 1]);
    // Without a choice, the first register for the level (the law's register) is used.
    const b = await desk.incoming.register(admin, await registration(desk, admin));
    assert.equal(b.registerName, 'Sổ đăng ký văn bản đến');
  });

  test('a scope rule changes only before the first number of a period; per-type only before any number; existing numbers never change', async () => {
    const { desk } = env;
    const it = addActor(desk, 'quan_tri', 'tuyet_mat', 'Quản trị 2');
    const ordinary = desk.registers.overview(it).registers.find((x) => x.name === 'Sổ đăng ký văn bản đến')!;
    const scope = desk.registers.overview(it).scopes.find((s) => s.id === ordinary.scopeId)!;
    assert.equal(scope.currentPeriod, '2026');
    assert.ok(scope.lastNumber >= 1);
    const numbersBefore = desk.db.prepare('SELECT id, arrival_number, period FROM incoming ORDER BY id').raw().all();
    await refused(() => desk.registers.updateScope(it, { id: scope.id, reset: 'never' }), 'VALIDATION', 'reset');
    await refused(() => desk.registers.updateScope(it, { id: scope.id, reset: 'term', termStart: '2025-10-15' }), 'VALIDATION', 'reset');
    await refused(() => desk.registers.updateScope(it, { id: scope.id, perType: true }), 'VALIDATION', 'perType');
    // The name may change at any time.
    assert.equal((await desk.registers.updateScope(it, { id: scope.id, name: 'Số đến văn bản thường' })).name, 'Số đến văn bản thường');
    // A scope that has not given a number this period can change its rule; audited.
    const fresh = await desk.registers.createScope(it, { name: 'Dãy nhiệm kỳ', reset: 'year', perType: false });
    const changed = await desk.registers.updateScope(it, { id: fresh.id, reset: 'term', termStart: '2025-10-15', perType: true });
    assert.deepEqual([changed.reset, changed.termStart, changed.perType, changed.currentPeriod], ['term', '2025-10-15', true, 'term:2025-10-15']);
    assert.equal(desk.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'scope.update'").pluck().get(), 2);
    assert.deepEqual(desk.db.prepare('SELECT id, arrival_number, period FROM incoming ORDER BY id').raw().all(), numbersBefore);
    // A register holding entries keeps its scope; one without can take another.
    await refused(() => desk.registers.update(it, { id: ordinary.id, scopeId: fresh.id }), 'VALIDATION', 'scopeId');
    await refused(() => desk.registers.update(it, { id: ordinary.id, secrecy: ['mat'] }), 'VALIDATION', 'secrecy');
    const empty = await desk.registers.create(it, { name: 'Sổ dự phòng', secrecy: ['mat'], scopeId: fresh.id });
    assert.equal((await desk.registers.update(it, { id: empty.id, scopeId: ordinary.scopeId })).scopeId, ordinary.scopeId);
    // A signed entry names its register: a register with signed entries keeps its name.
    const signedEntry = desk.db.prepare('SELECT id, secrecy FROM incoming WHERE register_id = ? LIMIT 1').get(ordinary.id) as { id: number; secrecy: string };
    // (Into the compartment of the entry's level, with an id from the base's record sequence.)
    desk.db.prepare(`INSERT INTO c_${signedEntry.secrecy}.signatures (id, global_id, incoming_id, signer_fingerprint, signer_name, signed_at, cms, signed_by) VALUES (?, ?, ?, 'ab', 'x', ?, x'3000', ?)`)
      .run(nextRecordId(desk.db), newGlobalId(), signedEntry.id, NOW.toISOString(), it.id);
    await refused(() => desk.registers.update(it, { id: ordinary.id, name: 'Sổ văn bản đến 2026' }), 'VALIDATION', 'name');
    // Every level keeps a register: the only active one for Thường cannot all go.
    const extra = desk.registers.overview(it).registers.find((x) => x.name === 'Sổ đăng ký đơn thư đến')!;
    await desk.registers.update(it, { id: extra.id, active: false });
    await refused(() => desk.registers.update(it, { id: ordinary.id, active: false }), 'VALIDATION');
    assert.equal(desk.registers.overview(it).registers.find((x) => x.id === ordinary.id)!.active, true);
  });

  test('closing a register year: by the văn thư, once, not in the future; then no registration or correction into it', async () => {
    const { desk, admin } = env;
    const officer = addActor(desk, 'chuyen_vien', 'tuyet_mat', 'Chuyên viên');
    const ordinary = desk.registers.overview(admin).registers.find((x) => x.name === 'Sổ đăng ký văn bản đến')!;
    const entry = await desk.incoming.register(admin, await registration(desk, admin, { subject: 'Trước khi khóa sổ' }));
    await refused(() => desk.registers.closeYear(officer, { registerId: ordinary.id, year: 2026 }), 'FORBIDDEN');
    await refused(() => desk.registers.closeYear(admin, { registerId: ordinary.id, year: 2027 }), 'VALIDATION', 'year');
    const closed = await desk.registers.closeYear(admin, { registerId: ordinary.id, year: 2026 });
    // The closing froze the year's Sổ đăng ký văn bản đến as PDF: its SHA-256 and row count are recorded.
    const entries = desk.db.prepare('SELECT count(*) FROM c_thuong.incoming WHERE register_id = ? AND year = 2026').pluck().get(ordinary.id) as number;
    assert.ok(entries >= 1);
    assert.equal(closed.rows, entries);
    assert.equal(closed.sha256, createHash('sha256').update(closed.bytes).digest('hex'));
    const frozen = pdfTextPages(closed.bytes).join(' ').replace(/\s+/g, ' ');
    assert.match(frozen, /SỔ ĐĂNG KÝ VĂN BẢN ĐẾN/);
    assert.match(frozen, /Trước khi khóa sổ/);
    const closing = desk.registers.overview(admin).registers.find((x) => x.id === ordinary.id)!.closings[0]!;
    assert.deepEqual([closing.year, closing.pdfSha256, closing.rows, closing.closedBy], [2026, closed.sha256, entries, 'Nguyễn Thị Hương']);
    await refused(() => desk.registers.closeYear(admin, { registerId: ordinary.id, year: 2026 }), 'VALIDATION', 'year');
    assert.deepEqual(desk.registers.overview(admin).registers.find((x) => x.id === ordinary.id)!.closedYears, [2026]);
    await refused(async () => desk.incoming.register(admin, await registration(desk, admin, { registerId: ordinary.id })), 'VALIDATION', 'arrivalDate');
    await refused(() => desk.incoming.correct(admin, { id: entry.id, reason: 'Sai trích yếu', changes: { subject: 'Sửa sau khi khóa' } }), 'VALIDATION');
    assert.equal(desk.incoming.get(admin, entry.id).yearClosed, true);
    // The secret register of the same year is still open.
    const secret = await desk.incoming.register(admin, await registration(desk, admin, { secrecy: 'mat', subject: 'Mật sau khi khóa sổ thường' }));
    assert.equal(secret.registerName, 'Sổ đăng ký bí mật nhà nước đến');
    const audit = JSON.parse(desk.db.prepare("SELECT details FROM audit_log WHERE action = 'register.close_year'").pluck().get() as string) as Record<string, unknown>;
    assert.deepEqual([audit.year, audit.register], [2026, 'Sổ đăng ký văn bản đến']);
    assert.ok(eventsSince(desk.db, 0).some((e) => e.entity === 'register_years' && e.kind === 'create'));
    assert.throws(() => desk.db.prepare('DELETE FROM register_years').run(), /stays closed/);
  });
});
