// "Hạn chế phạm vi" (issue 7 §2: Thường documents are open to the agency unless restricted): a
// restricted Thường record follows need-to-know like a classified one. An officer outside its
// distribution finds it by no list, count, search, address, file or print; granted by name, or named a
// recipient, finds it everywhere; the văn thư and leaders see it. Set at registration or later by the
// văn thư or a leader (audited, an event), never on a classified record.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DeskError } from '../../common/errors';
import type { Desk } from '../../main/core/desk';
import { secretRights } from '../../main/core/secrets/rights';
import type { Actor } from '../../main/core/org/rights';
import { addActor, newDesk, registration } from '../helpers/desk';

let env: Awaited<ReturnType<typeof newDesk>>;
let desk: Desk;
let clerk: Actor;
let leader: Actor;
let officer: Actor;
let colleague: Actor;
let restrictedId: number;
let openId: number;
const WORD = 'khuvucbienphong';

const code = async (run: () => unknown, expected: string, key?: string) => {
  try {
    await run();
  } catch (err) {
    assert.ok(err instanceof DeskError, String(err));
    assert.equal(err.code, expected, `${err.code} ${err.key ?? ''}`);
    if (key) assert.equal(err.key, key);
    return;
  }
  assert.fail(`expected ${expected}`);
};
const list = (who: Actor, query?: string) => desk.incoming.list(who, { sort: { field: 'arrival', dir: 'desc' }, offset: 0, limit: 50, ...(query ? { query } : {}) });
const ids = (who: Actor, query?: string) => list(who, query).map((r) => r.id);

/** Everything an officer could reach the record by: list, count, search (words and number), address, file, print. */
async function reaches(who: Actor, id: number): Promise<Record<string, boolean>> {
  const ok = async (run: () => unknown) => { try { await run(); return true; } catch (err) { if (err instanceof DeskError && err.code === 'NOT_FOUND') return false; throw err; } };
  const d = desk.incoming.get(clerk, id);
  return {
    list: ids(who).includes(id),
    count: desk.incoming.count(who, {}).total === list(who).length && ids(who).includes(id),
    search: ids(who, WORD).includes(id),
    number: ids(who, d.numberSymbol).includes(id),
    address: await ok(() => desk.incoming.get(who, id)),
    file: await ok(() => desk.attachments.open(who, d.attachments[0]!.id)),
    print: await ok(() => desk.copies.make(who, { incomingId: id, kind: 'print', copies: 1, reason: 'Kiểm tra' })),
    rights: await ok(() => secretRights(desk, who, id)),
  };
}
const none = { list: false, count: false, search: false, number: false, address: false, file: false, print: false, rights: false };
const all = { list: true, count: true, search: true, number: true, address: true, file: true, print: true, rights: true };

before(async () => {
  env = await newDesk();
  desk = env.desk;
  clerk = env.admin;
  leader = addActor(desk, 'lanh_dao', 'mat', 'Trần Văn Lãnh');
  officer = addActor(desk, 'chuyen_vien', 'tuyet_mat', 'Phạm Văn Viên');
  colleague = addActor(desk, 'chuyen_vien', 'thuong', 'Lê Thị Đồng');
  restrictedId = (await desk.incoming.register(clerk, await registration(desk, clerk, {
    subject: `Danh sách cán bộ dự kiến điều động ${WORD}`, restricted: true, recipients: [{ userId: colleague.id }],
  }))).id;
  openId = (await desk.incoming.register(clerk, await registration(desk, clerk, { subject: `Thông báo lịch họp ${WORD}` }))).id;
});
after(() => env.cleanup());

test('registered restricted: outside the distribution it is nowhere; the recipient, the văn thư and a leader see it', async () => {
  const d = desk.incoming.get(clerk, restrictedId);
  assert.equal(d.restricted, true);
  assert.equal(d.secrecy, 'thuong');
  assert.equal(desk.incoming.get(clerk, openId).restricted, false);
  assert.equal(list(clerk).find((r) => r.id === restrictedId)?.restricted, true, 'the list row carries the marker');
  assert.equal(list(clerk).find((r) => r.id === openId)?.restricted, undefined);
  // An officer cleared to Tuyệt mật but outside the distribution: nowhere.
  assert.deepEqual(await reaches(officer, restrictedId), none);
  assert.equal(desk.incoming.count(officer, {}).total, 1, 'the officer counts only the open record');
  assert.deepEqual(ids(officer, WORD), [openId]);
  assert.equal(desk.incoming.count(officer, { query: WORD }).total, 1);
  // The open Thường record stays open to him.
  assert.deepEqual(await reaches(officer, openId), all);
  // The recipient named at registration, the văn thư and a leader: everywhere.
  assert.deepEqual(await reaches(colleague, restrictedId), all);
  assert.deepEqual(await reaches(clerk, restrictedId), all);
  assert.deepEqual(await reaches(leader, restrictedId), all);
  // The base's audit says it was restricted, by id.
  const reg = desk.db.prepare("SELECT details FROM main.audit_log WHERE action = 'incoming.register' AND entity_id = ?").pluck().get(restrictedId) as string;
  assert.equal((JSON.parse(reg) as { restricted?: boolean }).restricted, true);
  assert.equal(desk.db.prepare("SELECT count(*) FROM c_thuong.events WHERE entity = 'restrictions' AND kind = 'create'").pluck().get(), 1);
});

test('granted by name it is found; revoked it is gone again', async () => {
  const g = await desk.grants.grant(clerk, { incomingId: restrictedId, userId: officer.id, reason: 'Tham mưu phương án' });
  assert.deepEqual(await reaches(officer, restrictedId), all);
  assert.equal(desk.incoming.count(officer, {}).total, 2);
  await desk.grants.revoke(leader, { grantId: g.id, reason: 'Đã xong' });
  assert.deepEqual(await reaches(officer, restrictedId), none);
  // An open Thường record needs no grant.
  await code(() => desk.grants.grant(clerk, { incomingId: openId, userId: officer.id, reason: 'x' }), 'VALIDATION', 'grant.notClassified');
});

test('set and lifted later by the văn thư or a leader, audited; never on a classified record; refused to an officer', async () => {
  await code(() => desk.restrictions.set(officer, { incomingId: openId, restricted: true, reason: '' }), 'FORBIDDEN', 'restriction.notAllowed');
  await code(() => desk.restrictions.set(colleague, { incomingId: restrictedId, restricted: false, reason: '' }), 'FORBIDDEN', 'restriction.notAllowed');
  // Outside his reach it does not exist, even to ask.
  await code(() => desk.restrictions.set(officer, { incomingId: restrictedId, restricted: false, reason: '' }), 'NOT_FOUND');
  const d = await desk.restrictions.set(leader, { incomingId: openId, restricted: true, reason: 'Nội dung nhân sự' });
  assert.equal(d.restricted, true);
  assert.deepEqual(await reaches(officer, openId), none);
  await code(() => desk.restrictions.set(clerk, { incomingId: openId, restricted: true, reason: '' }), 'VALIDATION', 'restriction.unchanged');
  await desk.restrictions.set(clerk, { incomingId: openId, restricted: false, reason: '' });
  assert.deepEqual(await reaches(officer, openId), all);
  const audit = desk.db.prepare("SELECT action FROM main.audit_log WHERE action LIKE 'restriction.%' AND entity_id = ? ORDER BY id").pluck().all(openId);
  assert.deepEqual(audit, ['restriction.set', 'restriction.lift']);
  // History kept: the lifted row stays.
  assert.equal(desk.db.prepare('SELECT count(*) FROM c_thuong.restrictions WHERE incoming_id = ? AND lifted_at IS NOT NULL').pluck().get(openId), 1);
  // Classified: refused at registration and later.
  await code(async () => desk.incoming.register(clerk, await registration(desk, clerk, { secrecy: 'mat', restricted: true })), 'VALIDATION', 'restriction.onlyThuong');
  const mat = await desk.incoming.register(clerk, await registration(desk, clerk, { secrecy: 'mat' }));
  await code(() => desk.restrictions.set(clerk, { incomingId: mat.id, restricted: true, reason: '' }), 'VALIDATION', 'restriction.onlyThuong');
  // What the UI offers follows the same rules.
  assert.equal(secretRights(desk, clerk, openId).restrict, true);
  assert.equal(secretRights(desk, officer, openId).restrict, undefined, 'not offered to an officer');
  assert.equal(secretRights(desk, clerk, restrictedId).grant, true, 'a restricted record is granted by name');
  assert.equal(secretRights(desk, clerk, openId).grant, false);
});
