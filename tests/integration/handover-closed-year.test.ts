// Ordinary (Thường) incoming documents after the year's Sổ đăng ký văn bản đến is closed: a hand-over
// dated in the closed year of a document that arrived that year is refused like a secret one (the
// closed book's ký nhận column shows the first hand-over dated in the year), and so is a late ký nhận of
// a hand-over still pending; audited, nothing written. In the new year the văn thư hands it over again
// and the receiver acknowledges that one.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DeskError } from '../../common/errors';
import type { Desk } from '../../main/core/desk';
import type { Actor } from '../../main/core/org/rights';
import { addActor, newDesk, registration } from '../helpers/desk';

let clock = new Date('2026-12-20T03:00:00Z');
let env: Awaited<ReturnType<typeof newDesk>>;
let desk: Desk;
let clerk: Actor;
let officer: Actor;

const refusals = (action: string, reason: string): number =>
  desk.db.prepare("SELECT count(*) FROM audit_log WHERE action = ? AND outcome = 'refused' AND reason = ?").pluck().get(action, reason) as number;
const handovers = (id: number) => desk.db.prepare('SELECT id, handed_on, acknowledged_at FROM c_thuong.incoming_handovers WHERE incoming_id = ? ORDER BY id').all(id);

async function refused(p: Promise<unknown>, key: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof DeskError, String(e));
    assert.equal(e.code, 'VALIDATION', e.message);
    assert.equal(e.key, key, e.message);
    return true;
  });
}

before(async () => {
  env = await newDesk('state', undefined, { now: () => clock });
  desk = env.desk;
  clerk = env.admin;
  officer = addActor(desk, 'chuyen_vien', 'thuong', 'Lê Thu Trang');
});
after(() => env.cleanup());

describe('hand-overs of ordinary documents after the incoming register\'s year is closed', () => {
  it('refuses a hand-over dated in the closed year and a late ký nhận, audited; the new year\'s hand-over is acknowledged', async () => {
    const doc = await desk.incoming.register(clerk, await registration(desk, clerk, { documentDate: '2026-12-08', arrivalDate: '2026-12-10', subject: 'Về việc tổng kết năm' }));
    const pending = await desk.incoming.handOver(clerk, { id: doc.id, userId: officer.id, handedOn: '2026-12-15', note: '' });
    const register = desk.registers.overview(clerk).registers.find((r) => r.name === 'Sổ đăng ký văn bản đến')!;
    await desk.registers.closeYear(clerk, { registerId: register.id, year: 2026 });
    const before = JSON.stringify(handovers(doc.id));

    await refused(desk.incoming.handOver(clerk, { id: doc.id, userId: officer.id, handedOn: '2026-12-20', note: 'Chuyển lại' }), 'handover.incomingYearClosed');
    await refused(desk.incoming.acknowledge(officer, pending.id), 'handover.lateAcknowledgementClosed');
    assert.equal(JSON.stringify(handovers(doc.id)), before, 'nothing written');
    assert.equal(refusals('incoming.hand_over', 'handover.incomingYearClosed'), 1);
    assert.equal(refusals('incoming.acknowledge', 'handover.lateAcknowledgementClosed'), 1);
    const audit = JSON.parse(desk.db.prepare("SELECT details FROM audit_log WHERE action = 'incoming.hand_over' AND outcome = 'refused'").pluck().get() as string) as Record<string, unknown>;
    assert.deepEqual([audit.handedOn, audit.year, audit.register], ['2026-12-20', 2026, register.id]);
    // The message names the register and the year, in Vietnamese.
    await assert.rejects(desk.incoming.handOver(clerk, { id: doc.id, userId: officer.id, note: '' }), /“Sổ đăng ký văn bản đến” năm 2026 đã khóa sổ/);

    // In the new year: handed over again, dated this year, and acknowledged.
    clock = new Date('2027-01-05T02:00:00Z');
    const again = await desk.incoming.handOver(clerk, { id: doc.id, userId: officer.id, note: 'Chuyển lại sau khóa sổ' });
    assert.equal(again.handedOn, '2027-01-05');
    const ack = await desk.incoming.acknowledge(officer, again.id);
    assert.ok(ack.acknowledgedAt);
    // The pending one of the closed year stays as the closed book shows it.
    assert.equal((handovers(doc.id) as Array<{ acknowledged_at: string | null }>)[0]!.acknowledged_at, null);
  });

  it('leaves a document of a register that is still open alone', async () => {
    clock = new Date('2027-01-06T02:00:00Z');
    const doc = await desk.incoming.register(clerk, await registration(desk, clerk, { documentDate: '2027-01-04', arrivalDate: '2027-01-06', subject: 'Văn bản năm mới' }));
    const h = await desk.incoming.handOver(clerk, { id: doc.id, userId: officer.id, note: '' });
    assert.ok((await desk.incoming.acknowledge(officer, h.id)).acknowledgedAt);
  });
});
