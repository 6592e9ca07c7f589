// The agency's structure over time: renamed, merged and split units keep their history (old
// documents keep the names they were handed over under), people sit in units with a capacity, and
// who may direct, approve and sign is dated and scoped. A workbook imports it all or nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import ExcelJS from 'exceljs';
import { DeskError } from '../../common/errors';
import { currentUnitsOf, holdsAuthority, signatureBlock, unitLeaders, unitNameAt } from '../../main/core/org/structure';
import type { Actor } from '../../main/core/org/rights';
import { addActor, newDesk, registration, stageBytes } from '../helpers/desk';

type Env = Awaited<ReturnType<typeof newDesk>>;
let env: Env;
let it: Actor;
before(async () => {
  env = await newDesk('state');
  it = addActor(env.desk, 'quan_tri', 'tuyet_mat', 'Phạm Quản Trị');
});
after(() => env.cleanup());

const refused = async (p: Promise<unknown> | (() => unknown), code: string, key?: string) => {
  await assert.rejects(async () => (typeof p === 'function' ? p() : p), (e: unknown) => {
    assert.ok(e instanceof DeskError, String(e));
    assert.equal(e.code, code, e.message);
    if (key) assert.equal(e.key, key, e.message);
    return true;
  });
};
const unitId = (name: string) => env.desk.structure.view(it).units.find((u) => u.name === name)!.id;
const eventsOf = (entity: string) => env.desk.db.prepare('SELECT count(*) FROM main.events WHERE entity = ?').pluck().get(entity) as number;

describe('units over time', () => {
  test('a rename is dated: a hand-over made before it keeps the old name, later questions get the new one', async () => {
    const created = await env.desk.structure.createUnit(it, { name: 'Phòng Tổng hợp', code: 'TH', validFrom: '2025-01-01', decision: 'QĐ 1/QĐ-VP' });
    const id = created.result;
    const r = await env.desk.incoming.register(env.admin, await registration(env.desk, env.admin, { subject: 'Báo cáo tổng hợp quý' }));
    const handed = await env.desk.incoming.handOver(env.admin, { id: r.id, unitId: id, note: '' });
    const handedOn = handed.handedOn;
    // Renamed from tomorrow: today's hand-over stays under the old name.
    const tomorrow = new Date(Date.parse(`${handedOn}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    await env.desk.structure.renameUnit(it, { id, name: 'Phòng Tổng hợp - Hành chính', code: 'THHC', onDate: tomorrow, decision: 'QĐ 7/QĐ-VP' });
    assert.equal(env.desk.incoming.get(env.admin, r.id).handovers[0]!.unitName, 'Phòng Tổng hợp');
    assert.deepEqual(unitNameAt(env.desk.db, id, handedOn), { name: 'Phòng Tổng hợp', code: 'TH' });
    assert.deepEqual(unitNameAt(env.desk.db, id, tomorrow), { name: 'Phòng Tổng hợp - Hành chính', code: 'THHC' });
    const history = env.desk.structure.view(it).history.find((h) => h.unitId === id)!;
    assert.deepEqual(history.names.map((n) => [n.name, n.validFrom, n.validTo, n.decision]), [
      ['Phòng Tổng hợp', '2025-01-01', handedOn, 'QĐ 1/QĐ-VP'],
      ['Phòng Tổng hợp - Hành chính', tomorrow, null, 'QĐ 7/QĐ-VP'],
    ]);
    // A second change must come after the first; the same name is no change.
    await refused(env.desk.structure.renameUnit(it, { id, name: 'Phòng Hành chính', onDate: handedOn, decision: 'QĐ 8' }), 'VALIDATION', 'structure.dateOrder');
    await refused(env.desk.structure.renameUnit(it, { id, name: 'Phòng Tổng hợp - Hành chính', code: 'THHC', onDate: '2027-01-01', decision: 'QĐ 8' }), 'VALIDATION', 'structure.sameName');
    // Codes go into number-symbols: one active unit per code.
    await refused(env.desk.structure.createUnit(it, { name: 'Phòng khác', code: 'thhc' }), 'VALIDATION', 'structure.codeTaken');
  });

  test('a merger ends the units the day before, moves their people and sub-units, and ends authorities over them', async () => {
    const a = (await env.desk.structure.createUnit(it, { name: 'Ban Tuyên giáo', code: 'BTG' })).result;
    const b = (await env.desk.structure.createUnit(it, { name: 'Ban Dân vận', code: 'BDV' })).result;
    const sub = (await env.desk.structure.createUnit(it, { name: 'Tổ thông tin', parentId: a })).result;
    const head = addActor(env.desk, 'lanh_dao', 'mat', 'Trần Văn Trưởng');
    const staff = addActor(env.desk, 'chuyen_vien', 'mat', 'Lê Thị Cán Bộ');
    await env.desk.structure.setMember(it, { userId: head.id, unitId: a, unitRole: 'head' });
    await env.desk.structure.setMember(it, { userId: staff.id, unitId: b, unitRole: 'member' });
    const auth = (await env.desk.structure.grantAuthority(it, { userId: head.id, kind: 'approve', prefix: '', onBehalf: '', unitId: a, validFrom: '2025-01-01', validTo: null })).result;
    assert.ok(auth > 0);
    assert.deepEqual(unitLeaders(env.desk.db, a).map((m) => m.fullName), ['Trần Văn Trưởng']);
    // One that would only start on the day of the merger never takes effect: it is withdrawn.
    const later = (await env.desk.structure.grantAuthority(it, { userId: staff.id, kind: 'approve', prefix: '', onBehalf: '', unitId: b, validFrom: '2025-07-01', validTo: null })).result;
    const linksBefore = eventsOf('internal_unit_links');

    const merged = await env.desk.structure.mergeUnits(it, { unitIds: [a, b], into: { name: 'Ban Tuyên giáo và Dân vận', code: 'BTGDV' }, onDate: '2025-07-01', decision: 'QĐ 99-QĐ/TU' });
    const c = merged.result;
    const units = new Map(merged.units.map((u) => [u.id, u]));
    assert.equal(units.get(a)!.active, false);
    assert.equal(units.get(a)!.validTo, '2025-06-30');
    assert.equal(units.get(b)!.validTo, '2025-06-30');
    assert.equal(units.get(c)!.validFrom, '2025-07-01');
    assert.equal(units.get(c)!.code, 'BTGDV');
    assert.equal(units.get(sub)!.parentId, c, 'the sub-unit now sits under the successor');
    assert.deepEqual(merged.members.filter((m) => m.unitId === c).map((m) => m.fullName).sort(), ['Lê Thị Cán Bộ', 'Trần Văn Trưởng']);
    assert.deepEqual(currentUnitsOf(env.desk.db, a), [c]);
    const history = merged.history.find((h) => h.unitId === c)!;
    assert.deepEqual(history.predecessors.map((p) => p.unitId).sort(), [a, b].sort());
    assert.equal(eventsOf('internal_unit_links') - linksBefore, 2, 'each link is a replicated record');
    // The authority over the merged unit ended with it; it still answers for the time before.
    assert.equal(merged.authorities.find((x) => x.id === auth)!.validTo, '2025-06-30');
    assert.equal(holdsAuthority(env.desk.db, head.id, 'approve', '2025-06-30', a), true);
    assert.equal(holdsAuthority(env.desk.db, head.id, 'approve', '2025-07-01', c), false);
    const withdrawn = merged.authorities.find((x) => x.id === later)!;
    assert.deepEqual([withdrawn.withdrawn, withdrawn.validTo], [true, null]);
    assert.equal(holdsAuthority(env.desk.db, staff.id, 'approve', '2025-07-01'), false);
    // The old names answer for old dates.
    assert.equal(unitNameAt(env.desk.db, a, '2025-03-01')!.name, 'Ban Tuyên giáo');
    // An ended unit takes no more changes or people.
    await refused(env.desk.structure.renameUnit(it, { id: a, name: 'Ban khác', onDate: '2026-01-01', decision: 'x' }), 'VALIDATION', 'structure.unitEnded');
    await refused(env.desk.structure.setMember(it, { userId: staff.id, unitId: a, unitRole: 'member' }), 'VALIDATION', 'structure.unitEnded');
    await refused(env.desk.structure.mergeUnits(it, { unitIds: [c], into: { name: 'Một mình' }, onDate: '2026-01-01', decision: 'x' }), 'VALIDATION', 'structure.mergeTooFew');
  });

  test('a split creates the successors, places the people named, and leaves the others to be placed', async () => {
    const u = (await env.desk.structure.createUnit(it, { name: 'Phòng Kinh tế - Xã hội', code: 'KTXH' })).result;
    const p1 = addActor(env.desk, 'chuyen_vien', 'thuong', 'Nguyễn Văn Kinh Tế');
    const p2 = addActor(env.desk, 'chuyen_vien', 'thuong', 'Đỗ Thị Xã Hội');
    const p3 = addActor(env.desk, 'chuyen_vien', 'thuong', 'Vũ Văn Chưa Xếp');
    for (const p of [p1, p2, p3]) await env.desk.structure.setMember(it, { userId: p.id, unitId: u, unitRole: 'member' });
    const split = await env.desk.structure.splitUnit(it, {
      unitId: u, into: [{ name: 'Phòng Kinh tế', code: 'KT' }, { name: 'Phòng Văn hóa - Xã hội', code: 'VHXH' }], onDate: '2026-01-01', decision: 'QĐ 5/QĐ-UBND',
      members: { [String(p1.id)]: 0, [String(p2.id)]: 1 },
    });
    const [kt, vhxh] = split.result;
    const at = (id: number) => split.members.find((m) => m.userId === id)!.unitId;
    assert.equal(at(p1.id), kt);
    assert.equal(at(p2.id), vhxh);
    assert.equal(at(p3.id), null, 'not named: to be placed');
    assert.deepEqual(currentUnitsOf(env.desk.db, u).sort(), [kt!, vhxh!].sort());
    assert.deepEqual(split.history.find((h) => h.unitId === u)!.successors.map((s) => s.kind), ['split', 'split']);
    await refused(env.desk.structure.splitUnit(it, { unitId: kt!, into: [{ name: 'A' }, { name: 'a' }], onDate: '2026-06-01', decision: 'x' }), 'VALIDATION', 'unit.nameTaken');
  });
});

describe('who may direct, approve and sign', () => {
  test('authorities are dated and scoped; a signing prefix needs whom it signs for; the signature block follows Phụ lục I', async () => {
    const office = (await env.desk.structure.createUnit(it, { name: 'Văn phòng', code: 'VP' })).result;
    const team = (await env.desk.structure.createUnit(it, { name: 'Phòng Hành chính - Quản trị', code: 'HCQT', parentId: office })).result;
    const deputy = addActor(env.desk, 'lanh_dao', 'toi_mat', 'Hoàng Văn Phó');
    await env.desk.structure.setMember(it, { userId: deputy.id, unitId: office, unitRole: 'deputy' });
    await refused(env.desk.structure.grantAuthority(it, { userId: deputy.id, kind: 'sign', prefix: 'KT.', onBehalf: ' ', unitId: null, validFrom: '2026-01-01', validTo: null }), 'VALIDATION', 'structure.prefixNeedsBehalf');
    await refused(env.desk.structure.grantAuthority(it, { userId: deputy.id, kind: 'direct', prefix: 'TL.', onBehalf: 'Chánh Văn phòng', unitId: null, validFrom: '2026-01-01', validTo: null }), 'VALIDATION', 'structure.prefixOnlySign');
    await refused(env.desk.structure.grantAuthority(it, { userId: deputy.id, kind: 'direct', prefix: '', onBehalf: '', unitId: null, validFrom: '2026-02-01', validTo: '2026-01-01' }), 'VALIDATION', 'structure.periodOrder');
    const sign = (await env.desk.structure.grantAuthority(it, { userId: deputy.id, kind: 'sign', prefix: 'KT.', onBehalf: 'Chánh Văn phòng', unitId: office, validFrom: '2026-01-01', validTo: null })).result;
    assert.equal(holdsAuthority(env.desk.db, deputy.id, 'sign', '2025-12-31', office), false, 'not before it starts');
    assert.equal(holdsAuthority(env.desk.db, deputy.id, 'sign', '2026-03-01', team), true, 'a sub-unit is covered by its parent');
    assert.equal(holdsAuthority(env.desk.db, deputy.id, 'sign', '2026-03-01', null), false, 'a unit authority is not the agency\'s');
    assert.equal(holdsAuthority(env.desk.db, deputy.id, 'approve', '2026-03-01'), false);
    const a = env.desk.structure.view(it).authorities.find((x) => x.id === sign)!;
    assert.deepEqual(signatureBlock(a, { fullName: 'Hoàng Văn Phó', position: 'Phó Chánh Văn phòng' }), ['KT. CHÁNH VĂN PHÒNG', 'PHÓ CHÁNH VĂN PHÒNG', 'Hoàng Văn Phó']);
    await env.desk.structure.endAuthority(it, { id: sign, onDate: '2026-06-01' });
    assert.equal(holdsAuthority(env.desk.db, deputy.id, 'sign', '2026-05-31', office), true);
    assert.equal(holdsAuthority(env.desk.db, deputy.id, 'sign', '2026-06-01', office), false);
    await refused(env.desk.structure.endAuthority(it, { id: sign, onDate: '2026-07-01' }), 'VALIDATION', 'structure.authorityEnded');
  });

  test('only an administrator changes the structure; everyone signed in reads it', async () => {
    const officer = addActor(env.desk, 'chuyen_vien', 'mat', 'Cán Bộ Thường');
    const leader = addActor(env.desk, 'lanh_dao', 'tuyet_mat', 'Lãnh Đạo Thử');
    assert.ok(env.desk.structure.view(officer).units.length > 0);
    for (const who of [officer, leader]) {
      await refused(env.desk.structure.grantAuthority(who, { userId: who.id, kind: 'sign', prefix: '', onBehalf: '', unitId: null, validFrom: '2026-01-01', validTo: null }), 'FORBIDDEN');
      await refused(env.desk.structure.createUnit(who, { name: 'Đơn vị tự lập' }), 'FORBIDDEN');
    }
    assert.equal(env.desk.db.prepare("SELECT count(*) FROM authorities WHERE user_id IN (?, ?)").pluck().get(officer.id, leader.id), 0);
  });
});

async function workbook(units: Array<Array<string>>, people: Array<Array<string>>, o: { dropPeopleSheet?: boolean } = {}): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const u = wb.addWorksheet('Đơn vị');
  u.addRow(['Mã đơn vị', 'Tên đơn vị', 'Mã đơn vị cấp trên']);
  for (const r of units) u.addRow(r);
  if (!o.dropPeopleSheet) {
    const p = wb.addWorksheet('Cán bộ');
    p.addRow(['Họ và tên', 'Chức vụ', 'Mã đơn vị', 'Vị trí trong đơn vị', 'Vai trò', 'Độ mật được tiếp cận', 'Quyền', 'Tiền tố ký', 'Ký thay cho', 'Phạm vi quyền', 'Hiệu lực từ']);
    for (const r of people) p.addRow(r);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe('import from a workbook', () => {
  test('a workbook with mistakes names each cell and imports nothing', async () => {
    const bytes = await workbook(
      [['P1', 'Phòng Một', ''], ['P1', 'Phòng Trùng', ''], ['P2', 'Phòng Hai', 'KHONGCO']],
      [['Người Mới', 'Chuyên viên', 'P9', 'Trưởng', '', 'Mật', 'ký, bay', 'KT.', '', '', '31/02/2026']],
    );
    const staged = await stageBytes(env.desk, it, bytes, 'co-cau.xlsx');
    const plan = await env.desk.structure.previewImport(it, { stagedId: staged.stagedId });
    const at = plan.problems.map((p) => `${p.sheet}!${p.row}:${p.column} ${p.message.key}`).sort();
    assert.deepEqual(at, [
      'Cán bộ!2:Hiệu lực từ structure.import.badDate',
      'Cán bộ!2:Ký thay cho structure.prefixNeedsBehalf',
      'Cán bộ!2:Mã đơn vị structure.import.unknownUnit',
      'Cán bộ!2:Quyền structure.import.badValue',
      'Cán bộ!2:Vai trò structure.import.required',
      'Đơn vị!3:Mã đơn vị structure.import.duplicateCode',
      'Đơn vị!4:Mã đơn vị cấp trên structure.import.unknownUnit',
    ].sort());
    const before = env.desk.db.prepare('SELECT (SELECT count(*) FROM internal_units) + (SELECT count(*) FROM users) + (SELECT count(*) FROM authorities)').pluck().get();
    await refused(env.desk.structure.applyImport(it, { stagedId: staged.stagedId, sha256: plan.sha256 }), 'VALIDATION', 'structure.import.hasErrors');
    assert.equal(env.desk.db.prepare('SELECT (SELECT count(*) FROM internal_units) + (SELECT count(*) FROM users) + (SELECT count(*) FROM authorities)').pluck().get(), before, 'nothing half-imported');
    const noSheet = await stageBytes(env.desk, it, await workbook([['X', 'Phòng X', '']], [], { dropPeopleSheet: true }), 'thieu.xlsx');
    assert.deepEqual((await env.desk.structure.previewImport(it, { stagedId: noSheet.stagedId })).problems.map((p) => p.message.key), ['structure.import.noSheet']);
    const notXlsx = await stageBytes(env.desk, it, 'Họ và tên;Chức vụ\n', 'co-cau.xlsx');
    await refused(env.desk.structure.previewImport(it, { stagedId: notXlsx.stagedId }), 'VALIDATION', 'structure.import.badFile');
  });

  test('a good workbook: preview, then apply exactly it; units parent-first, people placed, authorities granted once', async () => {
    const existing = addActor(env.desk, 'lanh_dao', 'tuyet_mat', 'Bùi Văn Chánh');
    const bytes = await workbook(
      [['VPTU-TH', 'Phòng Tổng hợp Văn phòng', 'VPTU'], ['VPTU', 'Văn phòng Tỉnh ủy', '']],
      [
        ['Bùi Văn Chánh', 'Chánh Văn phòng', 'VPTU', 'Trưởng', 'Chuyên viên', 'Mật', 'chỉ đạo, duyệt, ký', 'TM.', 'Ban Thường vụ', 'Cơ quan', '01/01/2026'],
        ['Đặng Thị Tổng Hợp', 'Trưởng phòng', 'VPTU-TH', 'Trưởng', 'Chuyên viên', 'Mật', 'duyệt', '', '', '', new Date(Date.UTC(2026, 0, 1, 20, 0)) as unknown as string],
      ],
    );
    const staged = await stageBytes(env.desk, it, bytes, 'co-cau.xlsx');
    const plan = await env.desk.structure.previewImport(it, { stagedId: staged.stagedId });
    assert.deepEqual(plan.problems, []);
    assert.deepEqual(plan.unitsAdded.map((u) => u.code), ['VPTU-TH', 'VPTU']);
    assert.deepEqual(plan.peopleAdded.map((p) => p.fullName), ['Đặng Thị Tổng Hợp']);
    assert.deepEqual(plan.peopleUpdated.map((p) => p.fullName), ['Bùi Văn Chánh']);
    assert.deepEqual(plan.notes.map((n) => n.key), ['structure.import.roleKept'], 'an existing person\'s role is not changed from a spreadsheet');
    assert.equal(plan.authorities.length, 4);
    // A date typed as text and a real Excel date-time cell (20:00 written in it) read the same: the day written,
    // whatever the machine's zone (a Vietnam conversion of exceljs's wall-time-as-UTC would give 02/01).
    assert.deepEqual([...new Set(plan.authorities.map((a) => a.validFrom))], ['2026-01-01']);
    await refused(env.desk.structure.applyImport(it, { stagedId: staged.stagedId, sha256: '0'.repeat(64) }), 'VALIDATION', 'structure.import.changed');
    const applied = await env.desk.structure.applyImport(it, { stagedId: staged.stagedId, sha256: plan.sha256 });
    assert.deepEqual(applied.result, { units: 2, people: 2, authorities: 4 });
    const vp = unitId('Văn phòng Tỉnh ủy');
    assert.equal(applied.units.find((u) => u.code === 'VPTU-TH')!.parentId, vp);
    const chanh = applied.members.find((m) => m.userId === existing.id)!;
    assert.deepEqual([chanh.unitId, chanh.unitRole, chanh.position], [vp, 'head', 'Chánh Văn phòng']);
    assert.equal(env.desk.db.prepare('SELECT role FROM users WHERE id = ?').pluck().get(existing.id), 'lanh_dao');
    assert.equal(holdsAuthority(env.desk.db, existing.id, 'direct', '2026-02-01', unitId('Phòng Tổng hợp Văn phòng')), true, 'agency-wide');
    const added = applied.members.find((m) => m.fullName === 'Đặng Thị Tổng Hợp')!;
    assert.equal(holdsAuthority(env.desk.db, added.userId, 'approve', '2026-02-01', vp), false, 'scoped to her unit');
    assert.equal(holdsAuthority(env.desk.db, added.userId, 'approve', '2026-02-01', unitId('Phòng Tổng hợp Văn phòng')), true);
    // The same workbook again grants nothing twice.
    const again = await stageBytes(env.desk, it, bytes, 'co-cau.xlsx');
    const plan2 = await env.desk.structure.previewImport(it, { stagedId: again.stagedId });
    assert.deepEqual(plan2.unitsAdded, []);
    assert.equal((await env.desk.structure.applyImport(it, { stagedId: again.stagedId, sha256: plan2.sha256 })).result.authorities, 0);
    assert.ok(env.desk.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'structure.import'").pluck().get() as number >= 2);
  });

  test('a file someone else staged cannot be imported by naming its id', async () => {
    const bytes = await workbook([['Z', 'Phòng Z', '']], []);
    const theirs = await stageBytes(env.desk, env.admin, bytes, 'cua-nguoi-khac.xlsx');
    await assert.rejects(env.desk.structure.previewImport(it, { stagedId: theirs.stagedId }));
    assert.equal(env.desk.db.prepare("SELECT count(*) FROM internal_units WHERE code = 'Z'").pluck().get(), 0);
  });
});
