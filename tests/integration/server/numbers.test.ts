// Shared registers' numbers at the agency server (docs/server.md, "Numbering authority"), over real HTTPS
// on loopback, on SQLite and on PostgreSQL: allocations are consecutive and once per record even when
// two workstations ask at the same time; a failed registration gives its number back when it is still
// the last; the home workstation's offline numbers are accepted and move the counter, a number held by
// another record is a conflict naming its holder; and the refusals: another agency's person, a role
// that does not register, a workstation that is not the register's home, another's number given back.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { NumberClient } from '../../../main/core/sync/numbers/NumberClient';
import { NUMBERS_MANY_MAX } from '../../../main/core/sync/numbers/protocol';
import type { RunningServer } from '../../../server/app';
import { agencyConfig, startAgency, workstation, type TestWorkstation } from '../../helpers/network';
import { networkSuite, transportRefusal } from '../../helpers/networkSuite';
import type { Party } from '../../helpers/pki';

const net = networkSuite('securedesk-numbers-');
const refusal = transportRefusal;

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`numbers of a shared register (${backend})`, () => {
    let server: RunningServer;
    let home: TestWorkstation;
    let other: TestWorkstation;
    let homeId: string;
    let h: NumberClient;
    let o: NumberClient;
    const register = randomUUID();
    const seq = { register, period: '2026', bucket: '*' };
    const ws = (name: string, port: number, person: Party): TestWorkstation => {
      const w = workstation(net.n, net.path(`${backend}-${name}`), port, person);
      net.closers.push(() => w.close());
      return w;
    };

    before(async () => {
      server = await startAgency(agencyConfig(net.n, 'A', net.path(backend), { backend, pg: net.pg, hubUrl: 'https://127.0.0.1:9' }));
      net.closers.push(() => server.close());
      home = ws('home', server.port, net.n.agencies.A.vanThu);
      other = ws('other', server.port, net.n.agencies.A.vanThu);
      homeId = home.db.prepare("SELECT value FROM settings WHERE key = 'workstation_id'").pluck().get() as string;
      h = new NumberClient(home.server);
      o = new NumberClient(other.server);
    });

    test('two workstations asking at once: 1..100, each number once, none missing', async () => {
      const records = Array.from({ length: 100 }, () => randomUUID());
      const results = await Promise.all(records.map((record, i) => (i % 2 ? o : h).allocate({ ...seq, record, home: homeId })));
      const numbers = results.map((r) => r.allocation.number).sort((a, b) => a - b);
      assert.deepEqual(numbers, Array.from({ length: 100 }, (_, i) => i + 1));
      // Asked again for the same record: the same number, nothing taken.
      const again = await o.allocate({ ...seq, record: records[7]!, home: homeId });
      assert.equal(again.allocation.number, results[7]!.allocation.number);
      assert.equal(again.last, 100);
      // The same record asked for twice at the same moment from both: one number.
      const twin = randomUUID();
      const [a, b] = await Promise.all([h.allocate({ ...seq, record: twin, home: homeId }), o.allocate({ ...seq, record: twin, home: homeId })]);
      assert.equal(a.allocation.number, 101);
      assert.equal(b.allocation.number, 101);
      assert.equal((await h.last(seq)).last, 101);
      // Another period and bucket are their own sequences.
      assert.equal((await h.allocate({ register, period: '2027', bucket: '*', record: randomUUID(), home: homeId })).allocation.number, 1);
      assert.equal((await h.last(seq)).home, homeId);
    });

    test('a failed registration gives its number back only while it is the last', async () => {
      const r1 = randomUUID();
      const r2 = randomUUID();
      const n1 = (await o.allocate({ ...seq, record: r1, home: homeId })).allocation.number;
      assert.deepEqual(await o.giveBack({ ...seq, record: r1 }), { givenBack: true, last: n1 - 1 });
      assert.equal((await h.allocate({ ...seq, record: r2, home: homeId })).allocation.number, n1);
      // Not the last any more: it stays allocated (a gap the server can name).
      const r3 = randomUUID();
      const n3 = (await o.allocate({ ...seq, record: r3, home: homeId })).allocation.number;
      await h.allocate({ ...seq, record: randomUUID(), home: homeId });
      assert.deepEqual(await o.giveBack({ ...seq, record: r3 }), { givenBack: false, last: n3 + 1 });
      // Another workstation's number is not given back by this one.
      const e = await refusal(h.giveBack({ ...seq, record: r3 }));
      assert.equal(e.status, 403);
    });

    test('the home reports its offline numbers: the counter moves up; a number held elsewhere is a conflict with its holder', async () => {
      const last = (await h.last(seq)).last;
      const offline = [randomUUID(), randomUUID(), randomUUID()];
      for (const [i, record] of offline.entries()) {
        const r = await h.report({ ...seq, record, number: last + 1 + i });
        assert.ok('accepted' in r);
        assert.equal(r.accepted.allocation.source, 'home');
      }
      assert.equal((await h.last(seq)).last, last + 3);
      // Reported again (a retry after a lost answer): the same answer, nothing moves.
      const again = await h.report({ ...seq, record: offline[0]!, number: last + 1 });
      assert.ok('accepted' in again && again.accepted.allocation.number === last + 1);
      // The next allocation continues after them.
      const taker = randomUUID();
      assert.equal((await o.allocate({ ...seq, record: taker, home: homeId })).allocation.number, last + 4);
      const clash = await h.report({ ...seq, record: randomUUID(), number: last + 4 });
      assert.ok('conflict' in clash);
      assert.equal(clash.conflict.error, 'number-taken');
      assert.equal(clash.conflict.holder.record, taker);
      assert.equal(clash.conflict.holder.workstation, workstationOf(other));
      // A record already numbered cannot be reported under another number.
      const moved = await h.report({ ...seq, record: offline[1]!, number: last + 50 });
      assert.ok('conflict' in moved && moved.conflict.error === 'record-numbered');
      assert.equal((await h.last(seq)).last, last + 4);
    });

    test('many records of one register at once: consecutive, in order, the same numbers when asked again; bounded', async () => {
      const records = Array.from({ length: 40 }, () => randomUUID());
      const start = (await h.last(seq)).last;
      // Both workstations at once: each request's numbers consecutive and in its order, none twice.
      const [x, y] = await Promise.all([
        h.allocateMany({ register, home: homeId, items: records.slice(0, 20).map((record) => ({ period: '2026', bucket: '*', record })) }),
        o.allocateMany({ register, home: homeId, items: records.slice(20).map((record) => ({ period: '2026', bucket: '*', record })) }),
      ]);
      for (const r of [x, y]) {
        const ns = r.results.map((a) => a.allocation.number);
        assert.deepEqual(ns, ns.map((_, i) => ns[0]! + i), 'one request: consecutive, in order');
      }
      const all = [...x.results, ...y.results].map((a) => a.allocation.number).sort((a, b) => a - b);
      assert.deepEqual(all, Array.from({ length: 40 }, (_, i) => start + 1 + i));
      // Asked again (a resume after a kill -9), with one new record at its end: the same numbers, then the next.
      const fresh = randomUUID();
      const again = await o.allocateMany({ register, home: homeId, items: [...records.slice(0, 20), fresh].map((record) => ({ period: '2026', bucket: '*', record })) });
      assert.deepEqual(again.results.slice(0, 20).map((a) => a.allocation.number), x.results.map((a) => a.allocation.number));
      assert.equal(again.results[20]!.allocation.number, start + 41);
      // Items of other periods are their own sequences; one allocate answers the same for a record of the batch.
      assert.equal((await h.allocate({ ...seq, record: records[3]!, home: homeId })).allocation.number, x.results[3]!.allocation.number);
      // Bounded: over NUMBERS_MANY_MAX records (400), a record twice (400), a body over the limit (413); nothing taken.
      const before = (await h.last(seq)).last;
      const many = (n: number) => Array.from({ length: n }, () => ({ period: '2026', bucket: '*', record: randomUUID() }));
      const over = await refusal(h.allocateMany({ register, home: homeId, items: many(NUMBERS_MANY_MAX + 1) }));
      assert.deepEqual([over.status, over.code], [400, 'bad-request']);
      const twice = many(2);
      twice[1]!.record = twice[0]!.record;
      assert.equal((await refusal(h.allocateMany({ register, home: homeId, items: twice }))).status, 400);
      const big = many(1);
      big[0]!.bucket = 'x'.repeat(200_000);
      assert.equal((await refusal(h.allocateMany({ register, home: homeId, items: big }))).status, 413);
      assert.equal((await refusal(h.allocateMany({ register, home: homeId, items: [] }))).status, 400);
      assert.equal((await h.last(seq)).last, before);
      // A chuyên viên (a role that does not register) gets none.
      const cv = workstation(net.n, net.path(`${backend}-cv-many`), server.port, net.n.agencies.A.chuyenVien);
      net.closers.push(() => cv.close());
      assert.equal((await refusal(new NumberClient(cv.server).allocateMany({ register, home: homeId, items: many(3) }))).status, 403);
      assert.equal((await h.last(seq)).last, before);
    });

    test('attacks: a workstation that is not the home, another agency\'s person, a role that does not register, no session', async () => {
      // A văn thư on another workstation cannot pass numbers off as the home's offline ones.
      const notHome = await refusal(o.report({ ...seq, record: randomUUID(), number: 9_999 }));
      assert.deepEqual([notHome.status, notHome.code], [403, 'not-home']);
      // Nor by signing in under another workstation id than the home's registered one.
      const forged = workstation(net.n, net.path(`${backend}-forged`), server.port, net.n.agencies.A.vanThu);
      net.closers.push(() => forged.close());
      const f = await refusal(new NumberClient(forged.server).report({ ...seq, record: randomUUID(), number: 9_998 }));
      assert.deepEqual([f.status, f.code], [403, 'not-home']);
      // B's văn thư is not enrolled at A's server: refused at sign-in, nothing allocated.
      const stranger = workstation(net.n, net.path(`${backend}-stranger`), server.port, net.n.agencies.B.vanThu);
      net.closers.push(() => stranger.close());
      const s = await refusal(new NumberClient(stranger.server).allocate({ ...seq, record: randomUUID(), home: homeId }));
      assert.equal(s.status, 403);
      // A chuyên viên of A does not register documents.
      const cv = workstation(net.n, net.path(`${backend}-cv`), server.port, net.n.agencies.A.chuyenVien);
      net.closers.push(() => cv.close());
      const c = new NumberClient(cv.server);
      assert.equal((await refusal(c.allocate({ ...seq, record: randomUUID(), home: homeId }))).status, 403);
      assert.equal((await refusal(c.last(seq))).status, 403);
      // Bad input: a specific 400, nothing taken.
      const before = (await h.last(seq)).last;
      assert.equal((await refusal(h.allocate({ ...seq, period: '26', record: randomUUID(), home: homeId }))).status, 400);
      assert.equal((await refusal(h.report({ ...seq, record: randomUUID(), number: 0 }))).status, 400);
      assert.equal((await h.last(seq)).last, before);
      // Without a session the route does not answer.
      const res = await fetchNoSession(server.port);
      assert.equal(res, 401);
    });
  });
}

function workstationOf(w: TestWorkstation): string {
  return w.db.prepare("SELECT value FROM settings WHERE key = 'workstation_id'").pluck().get() as string;
}

async function fetchNoSession(port: number): Promise<number> {
  const { Transport } = await import('../../../main/core/sync/transport');
  const t = new Transport({ url: `https://localhost:${port}`, caPem: net.n.ca.certPem, timeoutMs: 5_000 });
  const r = await t.request('POST', '/v1/numbers/allocate', { body: Buffer.from('{}') });
  return r.status;
}
