// The fields of Phụ lục IV and VI: page and copy counts, signer, how it arrived; recipients chosen
// among the agency's units and people; hand-over (ngày chuyển) acknowledged electronically by the
// recipient (ký nhận); corrections with a reason, old values kept and audited.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DeskError } from '../../common/errors';
import type { Desk } from '../../main/core/desk';
import { eventsSince } from '../../main/core/events/eventLog';
import type { Actor } from '../../main/core/org/rights';
import { addActor, newDesk, registration as registrationToday } from '../helpers/desk';

/** These registrations arrived on 3 November 2026, dated the day before (the desk's clock is later in November). */
const registration = (...[desk, actor, over]: Parameters<typeof registrationToday>) =>
  registrationToday(desk, actor, { documentDate: '2026-11-02', arrivalDate: '2026-11-03', ...over });

let clock = new Date('2026-11-20T03:00:00Z');

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

describe('register entries with the fields of Phụ lục IV and VI', () => {
  let env: Awaited<ReturnType<typeof newDesk>>;
  let desk: Desk;
  let admin: Actor;
  let it: Actor;
  let leader: Actor;
  let officer: Actor;
  let units: { tongHop: number; hanhChinh: number; toTaiChinh: number };
  before(async () => {
    env = await newDesk('state', undefined, { now: () => clock });
    ({ desk, admin } = env);
    it = addActor(desk, 'quan_tri', 'tuyet_mat', 'Phạm Quốc Tuấn');
    leader = addActor(desk, 'lanh_dao', 'tuyet_mat', 'Trần Văn Minh');
    officer = addActor(desk, 'chuyen_vien', 'thuong', 'Lê Thu Trang');
    const tongHop = (await desk.internalUnits.add(it, { name: 'Phòng Tổng hợp' })).id;
    const hanhChinh = (await desk.internalUnits.add(it, { name: 'Phòng Hành chính - Tài chính' })).id;
    const toTaiChinh = (await desk.internalUnits.add(it, { name: 'Tổ Tài chính', parentId: hanhChinh })).id;
    units = { tongHop, hanhChinh, toTaiChinh };
  });
  after(() => env.cleanup());

  test('the agency\'s units: added by an administrator, audited, one parent, found as recipients with its people', async () => {
    await refused(() => desk.internalUnits.add(admin, { name: 'Phòng Thử' }), 'FORBIDDEN');
    await refused(() => desk.internalUnits.add(it, { name: 'phòng tổng  hợp' }), 'VALIDATION', 'name');
    await refused(() => desk.internalUnits.update(it, { id: units.hanhChinh, parentId: units.toTaiChinh }), 'VALIDATION', 'parentId');
    assert.deepEqual(desk.internalUnits.list(officer).map((u) => [u.name, u.parentId]), [
      ['Phòng Hành chính - Tài chính', null], ['Phòng Tổng hợp', null], ['Tổ Tài chính', units.hanhChinh],
    ]);
    assert.equal(desk.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'internal_unit.add'").pluck().get(), 3);
    assert.equal(eventsSince(desk.db, 0).filter((e) => e.entity === 'internal_units').length, 3);
    const found = desk.internalUnits.searchRecipients(officer, 'tai chinh', 10);
    assert.deepEqual(found.map((f) => [f.kind, f.name, f.detail]), [
      ['unit', 'Phòng Hành chính - Tài chính', ''], ['unit', 'Tổ Tài chính', 'Phòng Hành chính - Tài chính'],
    ]);
    assert.deepEqual(desk.internalUnits.searchRecipients(officer, 'minh', 10).map((f) => [f.kind, f.id]), [['user', leader.id]]);
  });

  test('registered with page and copy counts, signer, channel, and recipients chosen among units and people', async () => {
    const r = await desk.incoming.register(admin, await registration(desk, admin, {
      pageCount: 12, copyCount: 2, signer: 'Nguyễn Văn Hùng', arrivalChannel: 'cipher', secrecy: 'mat', subject: 'Báo cáo mật',
      recipients: [{ unitId: units.tongHop }, { userId: leader.id }, 'Đồng chí Bí thư', { unitId: units.tongHop }],
    }));
    const d = desk.incoming.get(admin, r.id);
    assert.deepEqual([d.pageCount, d.copyCount, d.signer, d.arrivalChannel], [12, 2, 'Nguyễn Văn Hùng', 'cipher']);
    assert.deepEqual(d.recipients, ['Phòng Tổng hợp', 'Trần Văn Minh', 'Đồng chí Bí thư'], 'named once each, in order');
    assert.deepEqual(d.recipientRefs, [
      { kind: 'unit', id: units.tongHop, name: 'Phòng Tổng hợp' }, { kind: 'user', id: leader.id, name: 'Trần Văn Minh' },
      { kind: 'text', id: null, name: 'Đồng chí Bí thư' },
    ]);
    // The list carries the decree's columns: recipients, notes, and the register's year.
    const row = desk.incoming.list(admin, { sort: { field: 'arrival', dir: 'desc' }, offset: 0, limit: 10 }).find((x) => x.id === r.id)!;
    assert.deepEqual([row.recipients, row.notes, row.year, row.registerName], [d.recipients, '', 2026, 'Sổ đăng ký bí mật nhà nước đến']);
    assert.equal(eventsSince(desk.db, 0, 1000, 'c_mat').filter((e) => e.entity === 'incoming_recipients').length, 3, 'in the Mật compartment\'s log');
    assert.equal(eventsSince(desk.db, 0).filter((e) => e.entity === 'incoming_recipients').length, 0, 'nothing of it in the base\'s log');
    // A person not cleared for the level is no recipient of it.
    await refused(async () => desk.incoming.register(admin, await registration(desk, admin, { secrecy: 'mat', subject: 'Mật', recipients: [{ userId: officer.id }] })), 'VALIDATION', 'recipients');
    await refused(async () => desk.incoming.register(admin, await registration(desk, admin, { recipients: [{ unitId: 9999 }] })), 'VALIDATION', 'recipients');
  });

  test('hand-over: the văn thư records to whom and when; only that person acknowledges, once, with the time', async () => {
    const r = await desk.incoming.register(admin, await registration(desk, admin, { subject: 'Về việc chuẩn bị hội nghị' }));
    await refused(() => desk.incoming.handOver(leader, { id: r.id, userId: officer.id, note: '' }), 'FORBIDDEN');
    await refused(() => desk.incoming.handOver(admin, { id: r.id, userId: officer.id, handedOn: '2026-11-21', note: '' }), 'VALIDATION', 'handedOn');
    await refused(() => desk.incoming.handOver(admin, { id: r.id, userId: officer.id, handedOn: '2026-11-01', note: '' }), 'VALIDATION', 'handedOn');
    const h = await desk.incoming.handOver(admin, { id: r.id, userId: officer.id, unitId: units.tongHop, note: 'Bản chính' });
    assert.deepEqual([h.userName, h.unitName, h.handedOn, h.handedBy, h.acknowledgedAt, h.canAcknowledge], ['Lê Thu Trang', 'Phòng Tổng hợp', '2026-11-20', 'Nguyễn Thị Hương', null, false]);
    // Only the named person acknowledges.
    await refused(() => desk.incoming.acknowledge(leader, h.id), 'FORBIDDEN');
    await refused(() => desk.incoming.acknowledge(admin, h.id), 'FORBIDDEN');
    assert.equal(desk.incoming.get(officer, r.id).handovers[0]!.canAcknowledge, true);
    clock = new Date('2026-11-20T07:45:00Z');
    const ack = await desk.incoming.acknowledge(officer, h.id);
    assert.deepEqual([ack.acknowledgedBy, ack.acknowledgedAt], ['Lê Thu Trang', '2026-11-20T07:45:00.000Z']);
    await refused(() => desk.incoming.acknowledge(officer, h.id), 'VALIDATION');
    // To a unit: anyone who may read it acknowledges for the unit, except the one who handed it over.
    const u = await desk.incoming.handOver(admin, { id: r.id, unitId: units.hanhChinh, note: '' });
    await refused(() => desk.incoming.acknowledge(admin, u.id), 'FORBIDDEN');
    assert.equal((await desk.incoming.acknowledge(leader, u.id)).acknowledgedBy, 'Trần Văn Minh');
    const events = eventsSince(desk.db, 0, 1000, 'c_thuong').filter((e) => e.entity === 'incoming_handovers');
    assert.deepEqual(events.map((e) => e.kind), ['create', 'update', 'create', 'update']);
    assert.equal(desk.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'incoming.acknowledge'").pluck().get(), 2);
    // Secret documents go only to people cleared for them; a person never sees a hand-over above their clearance.
    const secret = await desk.incoming.register(admin, await registration(desk, admin, { secrecy: 'toi_mat', subject: 'Tối mật' }));
    await refused(() => desk.incoming.handOver(admin, { id: secret.id, userId: officer.id, note: '' }), 'VALIDATION', 'recipient');
    const toUnit = await desk.incoming.handOver(admin, { id: secret.id, unitId: units.tongHop, note: '' });
    await refused(() => desk.incoming.acknowledge(officer, toUnit.id), 'NOT_FOUND');
  });

  test('a correction keeps the old values, with a reason; audited and recorded; arrival number untouched', async () => {
    clock = new Date('2026-11-20T08:00:00Z');
    const r = await desk.incoming.register(admin, await registration(desk, admin, { numberSymbol: '77/UBND-VX', subject: 'Về việc tổ chức tết trồng cây', notes: 'Bản fax' }));
    await refused(() => desk.incoming.correct(leader, { id: r.id, reason: 'x', changes: { subject: 'y' } }), 'FORBIDDEN');
    await refused(() => desk.incoming.correct(admin, { id: r.id, reason: 'Sai ngày', changes: { documentDate: '2026-11-19' } }), 'VALIDATION', 'documentDate');
    await refused(() => desk.incoming.correct(admin, { id: r.id, reason: 'Không đổi', changes: { subject: 'Về việc tổ chức tết trồng cây' } }), 'VALIDATION');
    const d = await desk.incoming.correct(admin, {
      id: r.id, reason: 'Ghi nhầm số, ký hiệu và trích yếu khi vào sổ',
      changes: { numberSymbol: '78/UBND-VX', subject: 'Về việc tổ chức Tết trồng cây đời đời nhớ ơn Bác Hồ', recipients: [{ unitId: units.tongHop }], pageCount: 3 },
    });
    assert.equal(d.arrivalNumber, desk.incoming.get(admin, r.id).arrivalNumber);
    assert.deepEqual([d.numberSymbol, d.pageCount, d.recipients], ['78/UBND-VX', 3, ['Phòng Tổng hợp']]);
    assert.equal(d.corrections.length, 1);
    const c = d.corrections[0]!;
    assert.equal(c.reason, 'Ghi nhầm số, ký hiệu và trích yếu khi vào sổ');
    assert.equal(c.correctedBy, 'Nguyễn Thị Hương');
    assert.deepEqual(Object.fromEntries(c.changes.map((x) => [x.field, [x.before, x.after]])), {
      numberSymbol: ['77/UBND-VX', '78/UBND-VX'],
      subject: ['Về việc tổ chức tết trồng cây', 'Về việc tổ chức Tết trồng cây đời đời nhớ ơn Bác Hồ'],
      recipients: [[], ['Phòng Tổng hợp']],
      pageCount: [null, 3],
    });
    // Search follows the corrected entry.
    const found = desk.incoming.list(admin, { query: 'doi doi nho on', sort: { field: 'arrival', dir: 'desc' }, offset: 0, limit: 10 });
    assert.deepEqual(found.map((x) => x.id), [r.id]);
    const gid = desk.db.prepare('SELECT global_id FROM incoming WHERE id = ?').pluck().get(r.id) as string;
    assert.ok(eventsSince(desk.db, 0, 1000, 'c_thuong').some((e) => e.entityId === gid && e.kind === 'update' && e.data.number_symbol === '78/UBND-VX'));
    assert.ok(eventsSince(desk.db, 0, 1000, 'c_thuong').some((e) => e.entity === 'incoming_corrections' && e.kind === 'create'));
    // The base's audit names the fields changed, never their values (those stay in the compartment's correction record).
    const auditText = desk.db.prepare("SELECT details FROM audit_log WHERE action = 'incoming.correct' AND entity_id = ?").pluck().get(r.id) as string;
    const audit = JSON.parse(auditText) as { fields: string[]; correction: number };
    assert.deepEqual([...audit.fields].sort(), ['numberSymbol', 'pageCount', 'recipients', 'subject']);
    for (const value of ['77/UBND-VX', '78/UBND-VX', 'trồng cây', 'Ghi nhầm']) assert.ok(!auditText.includes(value), `the audit does not carry "${value}"`);
    const kept = desk.db.prepare('SELECT old_values FROM c_thuong.incoming_corrections WHERE id = ?').pluck().get(audit.correction) as string;
    assert.equal((JSON.parse(kept) as Record<string, unknown>).numberSymbol, '77/UBND-VX');
    assert.throws(() => desk.db.prepare('DELETE FROM c_thuong.incoming_corrections').run(), /append-only/);
    assert.throws(() => desk.db.prepare("UPDATE c_thuong.incoming_corrections SET reason = 'x'").run(), /append-only/);
  });
});
