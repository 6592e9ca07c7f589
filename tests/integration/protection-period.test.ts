// The protection period runs from the day the level was decided: a Thường record dated 15 years ago
// and raised to Mật today is protected for 10 years from today, and the automatic declassification
// at the next unlock leaves it alone (counted from the document's date it would be long past).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { addDaysIso, todayIso } from '../../common/dates';
import { actorFor, getUser } from '../../main/core/org/users';
import { dueSql } from '../../main/core/secrets/AutoDeclassification';
import { newDesk, registration } from '../helpers/desk';
import { addPerson } from '../helpers/people';

let env: Awaited<ReturnType<typeof newDesk>>;
before(async () => { env = await newDesk(); });
after(() => env.cleanup());

test('a record raised to Mật today is protected for 10 years from today, and not declassified at the next unlock', async () => {
  const { desk, admin: clerk } = env;
  const today = todayIso(desk.now());
  const old = addDaysIso(today, -15 * 365);
  const leader = await addPerson(desk, { fullName: 'Trần Văn Lãnh', role: 'lanh_dao', clearance: 'toi_mat' });
  const id = (await desk.incoming.register(clerk, await registration(desk, clerk, {
    subject: 'Hồ sơ quy hoạch cũ', documentDate: old, acknowledgeOutOfOrder: true,
  }))).id;
  const lead = actorFor(getUser(desk.db, leader.id)!);
  const proposal = await desk.levels.propose(lead, { incomingId: id, kind: 'raise', toLevel: 'mat', authority: 'QĐ 12/QĐ-VPTU', reason: 'Nội dung cần bảo vệ', decidedOn: today });
  await desk.levels.confirm(clerk, { changeId: proposal.id });
  const d = desk.incoming.get(clerk, id);
  assert.equal(d.secrecy, 'mat');
  const tenYears = `${Number(today.slice(0, 4)) + 10}${today.slice(4)}`;
  assert.equal(d.protectionUntil, tenYears, 'ten years from the decision, not from the document date');
  // The next unlock of someone with the authority runs the automatic declassification: not due.
  desk.lock('manual');
  await desk.unlock(env.identity);
  await desk.autoDeclassify.whenIdle();
  assert.equal(desk.incoming.get(clerk, id).secrecy, 'mat');
});

test('what is due is found by index ranges, never by reading every record of the level', () => {
  const plan = (env.desk.db.prepare(`EXPLAIN QUERY PLAN ${dueSql('c_mat', 'mat')}`).all({ today: todayIso(env.desk.now()) }) as Array<{ detail: string }>).map((r) => r.detail);
  assert.ok(plan.some((d) => /USING (COVERING )?INDEX idx_incoming_protection_until/.test(d)), plan.join(' | '));
  assert.ok(plan.some((d) => /USING (COVERING )?INDEX idx_incoming_page_document_date/.test(d)), plan.join(' | '));
  assert.ok(!plan.some((d) => /^SCAN i\b/.test(d)), plan.join(' | '));
});
