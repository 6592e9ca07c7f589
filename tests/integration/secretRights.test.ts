// What the UI asks before offering the secrets actions (secrets.rights), the holds of a record
// (holds.list), and the printout's URL from copies.make: through the core and the IPC handlers.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { SecretRights } from '../../common/contract';
import { DeskError } from '../../common/errors';
import type { Desk } from '../../main/core/desk';
import type { Actor } from '../../main/core/org/rights';
import { secretRights } from '../../main/core/secrets/rights';
import { handlers, type HandlerContext } from '../../main/ipc/handlers';
import { addActor, newDesk, registration } from '../helpers/desk';

let env: Awaited<ReturnType<typeof newDesk>>;
let desk: Desk;
let clerk: Actor;
let leader: Actor;
let officer: Actor;
let secretId: number;
let ordinaryId: number;

before(async () => {
  env = await newDesk();
  desk = env.desk;
  clerk = env.admin;
  leader = addActor(desk, 'lanh_dao', 'tuyet_mat', 'Trần Văn Lãnh');
  officer = addActor(desk, 'chuyen_vien', 'toi_mat', 'Phạm Văn Viên');
  secretId = (await desk.incoming.register(clerk, await registration(desk, clerk, { secrecy: 'toi_mat', numberSymbol: '27-KH/TU' }))).id;
  ordinaryId = (await desk.incoming.register(clerk, await registration(desk, clerk, { secrecy: 'thuong', numberSymbol: '88-TB/VPTU' }))).id;
});

after(() => env.cleanup());

const none: SecretRights = { classified: true, grant: false, hold: false, proposeLevel: false, confirmLevel: false, destroy: false, allowCopy: false, copyWithoutPermission: false };

test('secrets.rights follows the rules: leader, văn thư, an officer granted by name; NOT_FOUND outside the distribution', async () => {
  assert.deepEqual(secretRights(desk, leader, secretId),
    { classified: true, grant: true, hold: true, proposeLevel: true, confirmLevel: true, destroy: true, allowCopy: true, copyWithoutPermission: true });
  assert.deepEqual(secretRights(desk, clerk, secretId), { ...none, grant: true, hold: true, confirmLevel: true });
  assert.throws(() => secretRights(desk, officer, secretId), (e: unknown) => e instanceof DeskError && e.code === 'NOT_FOUND');
  await desk.grants.grant(leader, { incomingId: secretId, userId: officer.id, reason: 'Chủ trì tham mưu' });
  assert.deepEqual(secretRights(desk, officer, secretId), none);
  // An ordinary record: printed by whoever may read it, none of the secrets controls.
  assert.deepEqual(secretRights(desk, officer, ordinaryId),
    { classified: false, grant: false, hold: false, proposeLevel: false, confirmLevel: false, destroy: false, allowCopy: false, copyWithoutPermission: true });
});

test('holds.list shows the holds placed and released, to whoever may see the record', async () => {
  const h = await desk.destruction.hold(clerk, { incomingId: secretId, reason: 'Đang thanh tra' });
  assert.deepEqual(desk.destruction.holds(officer, secretId).map((x) => [x.id, x.reason, x.releasedAt]), [[h.id, 'Đang thanh tra', null]]);
  await desk.destruction.release(leader, { holdId: h.id });
  const [released] = desk.destruction.holds(clerk, secretId);
  assert.ok(released?.releasedAt, 'released');
  assert.throws(() => desk.destruction.holds(addActor(desk, 'chuyen_vien', 'toi_mat', 'Đỗ Văn Khác'), secretId), (e: unknown) => e instanceof DeskError && e.code === 'NOT_FOUND');
});

test('copies.make answers with the printout\'s URL on the viewer\'s scheme, one use', async () => {
  // The desk's session is the văn thư (setup): an ordinary record needs no permission.
  const ctx = { desk, guard: undefined as never, attachmentUrl: (t: string) => `app://securedesk/blob/${t}` } satisfies HandlerContext;
  const r = await handlers['copies.make'](ctx, { incomingId: ordinaryId, kind: 'print', copies: 1, reason: 'Lưu hồ sơ' });
  assert.equal(r.url, `app://securedesk/blob/${r.ticket}`);
  assert.equal(r.copyId, null, 'an ordinary record is not entered in the copy register');
  const opened = await desk.openTicket(r.ticket);
  assert.ok(opened);
  const chunks: Buffer[] = [];
  for await (const c of opened.stream) chunks.push(c as Buffer);
  assert.equal(Buffer.concat(chunks).subarray(0, 5).toString(), '%PDF-');
  assert.equal(await desk.openTicket(r.ticket), undefined, 'spent');
});
