// Dates and order in the register, on a machine set to UTC: every date is a date in Vietnam; an
// arrival after today or a document dated after its arrival is refused at the wrong field; a past
// year or an arrival before the register's latest asks for confirmation and is audited.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

// The workstation's clock is not the law's: run as a machine set to UTC would.
process.env.TZ = 'UTC';

import { DeskError } from '../../common/errors';
import { incomingRegisterSchema, makeIncomingRegisterSchema, fieldErrors } from '../../common/schemas';
import type { Desk } from '../../main/core/desk';
import { latestArrivalQuery } from '../../main/core/documents/incoming';
import { newDesk, registration } from '../helpers/desk';

/** 31/12/2026 23:30 UTC = 01/01/2027 06:30 in Hà Nội. */
let clock = new Date('2026-12-31T23:30:00Z');

async function refused(p: Promise<unknown>, code: string, field?: string): Promise<DeskError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof DeskError, `expected DeskError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (field) assert.ok(err.fields?.[field], `expected an error at ${field}: ${JSON.stringify(err.fields)} (${err.message})`);
    return err;
  }
  assert.fail(`expected ${code}`);
}

describe('dates in Vietnam on a UTC machine', () => {
  let env: Awaited<ReturnType<typeof newDesk>>;
  let desk: Desk;
  before(async () => {
    assert.equal(new Date('2026-12-31T23:30:00Z').getHours(), 23, 'the process runs in UTC');
    clock = new Date('2026-12-20T02:00:00Z');
    env = await newDesk('state', undefined, { now: () => clock });
    desk = env.desk;
  });
  after(() => env.cleanup());

  test('a document received at 06:30 on 1 January takes the first number of the new year', async () => {
    const { admin } = env;
    const a = await desk.incoming.register(admin, await registration(desk, admin, { documentDate: '2026-12-18', arrivalDate: '2026-12-19' }));
    const b = await desk.incoming.register(admin, await registration(desk, admin, { documentDate: '2026-12-19', arrivalDate: '2026-12-20' }));
    assert.deepEqual([a.arrivalNumber, b.arrivalNumber], [1, 2]);
    clock = new Date('2026-12-31T23:30:00Z');
    // No arrival date given: today, in Vietnam.
    const input = await registration(desk, admin, { documentDate: '2026-12-30', arrivalDate: '2026-12-31' });
    delete (input as { arrivalDate?: string }).arrivalDate;
    const c = await desk.incoming.register(admin, input);
    assert.equal(c.arrivalNumber, 1, 'number 1 of 2027, not number 3 of 2026');
    const detail = desk.incoming.get(admin, c.id);
    assert.equal(detail.arrivalDate, '2027-01-01');
    assert.equal(detail.year, 2027);
    assert.equal(detail.registeredAt, '2026-12-31T23:30:00.000Z', 'instants are stored in UTC');
    // An arrival dated 01/01/2027 is today, not the future.
    const d = await desk.incoming.register(admin, await registration(desk, admin, { documentDate: '2026-12-31', arrivalDate: '2027-01-01' }));
    assert.equal(d.arrivalNumber, 2);
  });

  test('an arrival after today, or a document dated after its arrival, is refused at the field that is wrong', async () => {
    const { admin } = env;
    const base = await registration(desk, admin);
    const e1 = await refused(desk.incoming.register(admin, { ...base, documentDate: '2026-12-30', arrivalDate: '2027-01-02' }), 'VALIDATION', 'arrivalDate');
    assert.equal(e1.fields?.documentDate, undefined);
    assert.match(e1.fields!.arrivalDate!, /không được sau hôm nay \(01\/01\/2027\)/);
    const e2 = await refused(desk.incoming.register(admin, { ...base, documentDate: '2026-12-31', arrivalDate: '2026-12-30' }), 'VALIDATION', 'documentDate');
    assert.equal(e2.fields?.arrivalDate, undefined, 'the arrival date is not the wrong one');
    assert.match(e2.fields!.documentDate!, /không được sau ngày đến \(30\/12\/2026\)/);
    // A future document without an arrival date: at the document date, as "after today".
    const { arrivalDate: _a, ...noArrival } = base;
    const e3 = await refused(desk.incoming.register(admin, { ...noArrival, documentDate: '2027-03-01' }), 'VALIDATION', 'documentDate');
    assert.match(e3.fields!.documentDate!, /không được sau hôm nay/);
    // Years are bounded, with a clear message.
    const e4 = await refused(desk.incoming.register(admin, { ...base, documentDate: '1900-01-01', arrivalDate: '2026-12-30' }), 'VALIDATION', 'documentDate');
    assert.match(e4.fields!.documentDate!, /Năm 1900 .* từ năm 1945 đến năm 2028/);
    const e5 = await refused(desk.incoming.register(admin, { ...base, deadline: '2099-01-01' }), 'VALIDATION', 'deadline');
    assert.match(e5.fields!.deadline!, /Năm 2099/);
    // Nothing was numbered by the refusals.
    assert.equal(desk.db.prepare("SELECT last FROM number_counters WHERE period = '2027'").pluck().get(), 2);
  });

  test('the schema says the same at the same fields (the form and the router)', () => {
    const schema = makeIncomingRegisterSchema(() => '2027-01-01');
    const base = {
      issuer: { name: 'Sở Nội vụ' }, numberSymbol: '15/QĐ-UBND', typeCode: 'QĐ', subject: 'Thử', secrecy: 'thuong', urgency: 'thuong',
      stagedIds: ['0'.repeat(32)],
    };
    const errs = (v: object) => {
      const r = schema.safeParse({ ...base, ...v });
      return r.success ? {} : fieldErrors(r.error);
    };
    assert.deepEqual(Object.keys(errs({ documentDate: '2026-12-31', arrivalDate: '2026-12-30' })), ['documentDate']);
    assert.deepEqual(Object.keys(errs({ documentDate: '2026-12-30', arrivalDate: '2027-01-02' })), ['arrivalDate']);
    assert.deepEqual(Object.keys(errs({ documentDate: '2027-02-01' })), ['documentDate']);
    assert.deepEqual(errs({ documentDate: '2026-12-31', arrivalDate: '2027-01-01' }), {});
    // The default schema uses the machine's clock, in Vietnam.
    assert.equal(incomingRegisterSchema.safeParse({ ...base, documentDate: '2026-12-31', arrivalDate: '2099-01-01' }).success, false);
  });

  test('out of order or into a past year: confirmation, then registered and audited', async () => {
    const { admin } = env;
    // 01/01/2027 is the latest arrival of 2027; an arrival of 31/12/2026 is a past year now.
    const past = await registration(desk, admin, { documentDate: '2026-12-29', arrivalDate: '2026-12-31' });
    const e1 = await refused(desk.incoming.register(admin, past), 'OUT_OF_ORDER');
    assert.deepEqual((e1.details?.reasons as Array<{ reason: string }>).map((r) => r.reason), ['past_year']);
    assert.match(e1.message, /năm 2026 đã qua/);
    const ok1 = await desk.incoming.register(admin, { ...past, acknowledgeOutOfOrder: true });
    assert.equal(ok1.arrivalNumber, 3, 'the next number of 2026');
    assert.equal(desk.incoming.get(admin, ok1.id).year, 2026);
    // Later in 2027: an arrival earlier than the latest one in the register.
    clock = new Date('2027-01-10T03:00:00Z');
    await desk.incoming.register(admin, await registration(desk, admin, { documentDate: '2027-01-08', arrivalDate: '2027-01-09' }));
    const early = await registration(desk, admin, { documentDate: '2027-01-02', arrivalDate: '2027-01-05' });
    const e2 = await refused(desk.incoming.register(admin, early), 'OUT_OF_ORDER');
    assert.deepEqual(e2.details?.reasons, [{ reason: 'before_latest', year: 2027, latestArrival: '2027-01-09' }]);
    assert.match(e2.message, /sớm hơn văn bản vào sổ gần nhất .*09\/01\/2027/);
    // Another register is a sequence of its own: a secret document of the same day is in order there.
    const secret = await desk.incoming.register(admin, await registration(desk, admin, {
      documentDate: '2027-01-02', arrivalDate: '2027-01-05', secrecy: 'mat', subject: 'Báo cáo mật',
    }));
    assert.equal(secret.registerName, 'Sổ đăng ký bí mật nhà nước đến');
    // The look-up of a register's latest arrival is a seek in each compartment, also in one that holds
    // none of the register's arrivals (it walked that compartment's whole year).
    const c = desk.context();
    const q = latestArrivalQuery(c.arms, desk.incoming.get(admin, secret.id).registerId, 2027);
    const plan = (desk.db.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.params) as Array<{ detail: string }>).map((r) => r.detail).filter((d) => /incoming/.test(d));
    assert.equal(plan.length, c.arms.length);
    for (const d of plan) assert.match(d, /USING COVERING INDEX idx_incoming_register_year \(register_id=\? AND year=\?\)/);
    const ok2 = await desk.incoming.register(admin, { ...early, acknowledgeOutOfOrder: true });
    const audit = JSON.parse(desk.db.prepare("SELECT details FROM audit_log WHERE action = 'incoming.register' AND entity_id = ?").pluck().get(ok2.id) as string) as Record<string, unknown>;
    assert.deepEqual(audit.acknowledgedOutOfOrder, [{ reason: 'before_latest', year: 2027, latestArrival: '2027-01-09' }]);
    const plain = JSON.parse(desk.db.prepare("SELECT details FROM audit_log WHERE action = 'incoming.register' AND entity_id = ?").pluck().get(secret.id) as string) as Record<string, unknown>;
    assert.equal(plain.acknowledgedOutOfOrder, undefined);
  });
});
