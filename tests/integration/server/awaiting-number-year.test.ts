// "Chờ cấp số" and a closed register year, end to end on a real agency server (SQLite and PostgreSQL).
// A (the register's home) and B share the incoming register. B registers, the server out of reach, an
// arrival received on 30/12 of last year, waiting for its number. A closes last year's book before it
// has heard of it: the server then refuses a number of the closed year (409 year-closed), B keeps the
// wait with the reason and, once synced, refuses it itself without asking. The văn thư registers it in
// the open year (date received kept): the move, its update event and audit entry are one transaction,
// and the next round gives it this year's next number. A book that holds a waiting entry cannot be closed;
// the register's filter "Chờ cấp số" finds the waiting entries, at the workstation that registered them and the others.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { todayIso, yearOf } from '../../../common/dates';
import { DeskError } from '../../../common/errors';
import { incomingListSchema } from '../../../common/schemas';
import { isAwaitingNumber, WAIT_YEAR_CLOSED, waitingCount } from '../../../main/core/documents/numberWaits';
import { closeYear } from '../../../main/core/documents/registers';
import { numberingRound } from '../../../main/core/documents/sharedNumbering';
import { agencyPki, type AgencyPki } from '../../helpers/agencyServer';
import { registration } from '../../helpers/desk';
import { sharedRegister, type SharedRegister, type Station } from '../../helpers/numberingStations';
import { startPostgres, type TestPostgres } from '../../helpers/postgres';

let pki: AgencyPki;
let pg: TestPostgres;
const cleanups: Array<() => unknown> = [];

before(async () => {
  [pki, pg] = await Promise.all([agencyPki(['vanthu1', 'vanthu2']), startPostgres()]);
});

after(async () => {
  for (const c of cleanups.reverse()) {
    try { await c(); } catch { /* closed */ }
  }
  pg?.stop();
  pki?.pki.cleanup();
});

const thisYear = () => yearOf(todayIso(new Date()));

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`"Chờ cấp số" and a closed register year (${backend})`, () => {
    let net: SharedRegister;
    let serial = 0;
    const A = () => net.A();
    const B = () => net.B();
    let registerId: number;
    let waitId: number;
    let waitGid: string;
    const lastYear = () => thisYear() - 1;
    const register = async (st: Station, over: { awaitNumber?: boolean; arrivalDate?: string } = {}) => {
      const input = await registration(st.desk, st.clerk, {
        subject: `Văn bản số ${++serial} vào sổ tại máy ${st.name}`, ...over, ...(over.arrivalDate ? { acknowledgeOutOfOrder: true } : {}),
        ...(over.arrivalDate ? { documentDate: `${over.arrivalDate.slice(0, 4)}-12-01` } : {}),
      });
      return st.desk.incoming.register(st.clerk, input);
    };
    const row = (st: Station, gid: string) =>
      st.desk.db.prepare('SELECT id, year, period, arrival_number AS n, arrival_date AS date FROM c_thuong.incoming WHERE global_id = ?').get(gid) as { id: number; year: number; period: string; n: number; date: string } | undefined;

    before(async () => {
      net = await sharedRegister({ backend, pg, pki, prefix: 'securedesk-await-year', cleanups });
      registerId = A().desk.db.prepare("SELECT id FROM registers WHERE kind = 'incoming' AND name = 'Sổ đăng ký văn bản đến'").pluck().get() as number;
    });

    test('the server out of reach, B registers last year\'s late arrival "chờ cấp số"; A closes last year without knowing it', async () => {
      assert.equal((await register(A())).arrivalNumber, 1, 'this year, online');
      await net.server().close();
      const w = await register(B(), { awaitNumber: true, arrivalDate: `${lastYear()}-12-30` });
      assert.equal(w.awaitingNumber, true);
      waitId = w.id;
      waitGid = B().desk.db.prepare('SELECT global_id FROM c_thuong.incoming WHERE id = ?').pluck().get(w.id) as string;
      assert.equal(row(B(), waitGid)!.year, lastYear());
      await net.restart();
      await closeYear(A().desk.context(), A().clerk, { registerId, year: lastYear() });
      await A().sync.syncOnce(); // the closing reaches the server (base channel, in clear)
    });

    test('the server refuses a number of the closed year: nothing numbered, the reason kept; synced, B refuses it itself', async () => {
      await numberingRound(B().desk.db, B().numbers, new Date(), B().clerk.id);
      assert.ok(isAwaitingNumber(row(B(), waitGid)!.n), 'still waiting: no number of a closed year');
      assert.equal(B().desk.db.prepare('SELECT problem FROM number_waits WHERE record_global_id = ?').pluck().get(waitGid), WAIT_YEAR_CLOSED);
      assert.equal((await B().numbers.last({ register: B().desk.db.prepare('SELECT global_id FROM registers WHERE id = ?').pluck().get(registerId) as string, period: String(lastYear()), bucket: '*' })).last, 0, 'nothing taken in the closed year');
      // B hears of the closing: its own check refuses the same, without asking the server.
      for (let i = 0; i < 2; i++) for (const st of net.stations) await st.sync.syncOnce();
      assert.equal(B().desk.db.prepare('SELECT count(*) FROM register_years WHERE register_id = ? AND year = ?').pluck().get(registerId, lastYear()), 1, 'B knows of the closing');
      await net.server().close();
      const r = await numberingRound(B().desk.db, B().numbers, new Date(), B().clerk.id).then(() => 'ran', () => 'unreachable');
      assert.ok(r === 'unreachable' || r === 'ran');
      assert.equal(B().desk.db.prepare('SELECT problem FROM number_waits WHERE record_global_id = ?').pluck().get(waitGid), WAIT_YEAR_CLOSED);
      await net.restart();
      await numberingRound(B().desk.db, B().numbers, new Date(), B().clerk.id);
      assert.ok(isAwaitingNumber(row(B(), waitGid)!.n));
      assert.equal(B().desk.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'incoming.numbered'").pluck().get(), 0);
    });

    test('refusals: a wait whose year is open is not moved; a record not waiting is not moved', async () => {
      const e = await B().desk.incoming.moveAwaitingToOpenYear(B().clerk, row(B(), B().desk.db.prepare('SELECT global_id FROM c_thuong.incoming WHERE arrival_number = 1').pluck().get() as string)!.id).then(() => null, (x: unknown) => x);
      assert.ok(e instanceof DeskError && e.key === 'numberWait.notWaiting', String(e));
    });

    test('the văn thư registers it in the open year: date received kept, one transaction with its event and audit; the next round numbers it in this year', async () => {
      const events = () => B().desk.db.prepare("SELECT count(*) FROM c_thuong.events WHERE entity = 'incoming' AND entity_id = ? AND kind = 'update'").pluck().get(waitGid) as number;
      const before = events();
      const moved = await B().desk.incoming.moveAwaitingToOpenYear(B().clerk, waitId);
      assert.deepEqual(moved, { id: waitId, fromYear: lastYear(), toYear: thisYear() });
      const r = row(B(), waitGid)!;
      assert.deepEqual([r.year, r.period, r.date], [thisYear(), String(thisYear()), `${lastYear()}-12-30`]);
      assert.ok(isAwaitingNumber(r.n));
      assert.equal(events(), before + 1);
      const audit = JSON.parse(B().desk.db.prepare("SELECT details FROM audit_log WHERE action = 'incoming.move_year' AND entity_id = ?").pluck().get(waitId) as string) as Record<string, unknown>;
      assert.deepEqual([audit.fromYear, audit.toYear, audit.reason], [lastYear(), thisYear(), 'year_closed_while_awaiting_number']);
      // Moved once: not again.
      const again = await B().desk.incoming.moveAwaitingToOpenYear(B().clerk, waitId).then(() => null, (x: unknown) => x);
      assert.ok(again instanceof DeskError && again.key === 'numberWait.yearOpen', String(again));
      await numberingRound(B().desk.db, B().numbers, new Date(), B().clerk.id);
      assert.equal(row(B(), waitGid)!.n, 2, 'this year\'s next number (after A\'s 1)');
      assert.equal(waitingCount(B().desk.db), 0);
    });

    test('a book holding a waiting entry cannot be closed (it would be signed with a hole)', async () => {
      await net.server().close();
      const w = await register(B(), { awaitNumber: true });
      assert.equal(w.awaitingNumber, true);
      // The register's filter "Chờ cấp số": this one only, here and (synced) at A.
      assert.deepEqual(B().desk.incoming.count(B().clerk, { awaitingNumber: true }), { total: 1, capped: false });
      assert.deepEqual(B().desk.incoming.list(B().clerk, incomingListSchema.parse({ awaitingNumber: true })).map((r) => r.id), [w.id]);
      assert.equal(B().desk.incoming.count(B().clerk, {}).total, 3);
      const e = await closeYear(B().desk.context(), B().clerk, { registerId, year: thisYear() }).then(() => null, (x: unknown) => x);
      assert.ok(e instanceof DeskError && e.key === 'registerYear.awaitingNumbers', String(e));
      assert.equal(B().desk.db.prepare('SELECT count(*) FROM register_years WHERE register_id = ? AND year = ?').pluck().get(registerId, thisYear()), 0);
      assert.equal(B().desk.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'register.close_year' AND outcome = 'refused' AND reason = 'registerYear.awaitingNumbers'").pluck().get(), 1);
      // Synced to A, which numbered nothing of it: the filter finds it there too.
      await net.restart();
      for (let i = 0; i < 2; i++) for (const st of [B(), A()]) await st.sync.syncOnce();
      assert.equal(A().desk.incoming.count(A().clerk, { awaitingNumber: true }).total, 1);
    });
  });
}
