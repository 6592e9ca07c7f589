// Who may ask the agency server for a shared register's numbers (docs/server.md, "Numbering
// authority"), on SQLite and PostgreSQL, over real HTTPS: besides the role that registers (tested in
// numbers.test.ts), the person's clearance must reach the register's lowest level, which the server
// reads from the base channel's clear events (no ciphertext); a level only tightens, so a forged base
// event cannot lower it; a record numbered in one register cannot be re-asked under another to learn or
// take that one's number; and no new number is given in a register year that was closed (409
// `year-closed`), while the number a record already holds in it is answered again (kill -9 retries).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { NumberClient } from '../../../main/core/sync/numbers/NumberClient';
import type { ServerClient } from '../../../main/core/sync/ServerClient';
import { startServer, type RunningServer } from '../../../server/app';
import { agencyConfig, startAgency, workstation, type TestWorkstation } from '../../helpers/network';
import { networkSuite, transportRefusal } from '../../helpers/networkSuite';

const net = networkSuite('securedesk-numauth-');
const refusal = transportRefusal;
const quiet = { log: () => {} };

/** Pushes base-channel events in clear, as a workstation's sync does. */
async function pushBase(server: ServerClient, events: Array<{ entity: string; entityId: string; kind: 'create' | 'update'; data: Record<string, unknown> }>): Promise<void> {
  const wire = events.map((e) => ({ id: randomUUID(), at: new Date().toISOString(), origin: randomUUID(), actor: null, ...e }));
  const body = { batchId: randomUUID(), channel: 'base', keyId: null, encoding: 'clear', eventIds: wire.map((e) => e.id), payload: Buffer.from(JSON.stringify(wire)).toString('base64') };
  const res = await server.request('POST', '/v1/events', { body: Buffer.from(JSON.stringify(body)), headers: { 'content-type': 'application/json' } });
  assert.ok(res.status >= 200 && res.status < 300, `${res.status} ${res.body.toString()}`);
}

const registerEvent = (gid: string, secrecy: string[], kind: 'create' | 'update' = 'create') =>
  ({ entity: 'registers', entityId: gid, kind, data: { kind: 'incoming', name: `Sổ ${gid.slice(0, 4)}`, secrecy: JSON.stringify(secrecy), scope_id: null, active: 1 } });
const closedYear = (register: string, year: number) =>
  ({ entity: 'register_years', entityId: randomUUID(), kind: 'create' as const, data: { register_id: register, year, closed_at: new Date().toISOString(), closed_by: null } });

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`who may number into a shared register (${backend})`, () => {
    let server: RunningServer;
    let vt: TestWorkstation;
    let v: NumberClient;
    let homeId: string;
    const config = () => agencyConfig(net.n, 'A', net.path(backend), { backend, pg: net.pg, hubUrl: 'https://127.0.0.1:9' });
    let cfg: ReturnType<typeof config>;
    const thuong = randomUUID();
    const topSecret = randomUUID();
    const secret = randomUUID();
    const seq = (register: string, period = '2026') => ({ register, period, bucket: '*' });

    before(async () => {
      cfg = config();
      server = await startAgency(cfg);
      net.closers.push(() => server.close());
      // A's văn thư holds Tối mật (tests/helpers/network.ts).
      vt = workstation(net.n, net.path(`${backend}-vt`), server.port, net.n.agencies.A.vanThu);
      net.closers.push(() => vt.close());
      homeId = vt.db.prepare("SELECT value FROM settings WHERE key = 'workstation_id'").pluck().get() as string;
      v = new NumberClient(vt.server);
      await pushBase(vt.server, [registerEvent(thuong, ['thuong']), registerEvent(topSecret, ['tuyet_mat']), registerEvent(secret, ['mat', 'toi_mat'])]);
    });

    test('a register above the person\'s clearance: no number, no last, no report, nothing taken', async () => {
      assert.equal((await v.allocate({ ...seq(thuong), record: randomUUID(), home: homeId })).allocation.number, 1);
      assert.equal((await v.allocate({ ...seq(secret), record: randomUUID(), home: homeId })).allocation.number, 1, 'Tối mật reaches a Mật–Tối mật register');
      // One after the other: started together, a refusal that comes back before the one awaited would be
      // an unhandled rejection (a failure that depends on the order of the answers).
      for (const attempt of [
        () => v.allocate({ ...seq(topSecret), record: randomUUID(), home: homeId }),
        () => v.last(seq(topSecret)),
        () => v.report({ ...seq(topSecret), record: randomUUID(), number: 1 }),
        () => v.giveBack({ ...seq(topSecret), record: randomUUID() }),
      ]) {
        const e = await refusal(attempt());
        assert.deepEqual([e.status, e.code], [403, 'register-level']);
      }
      // A forged base event "lowering" the register does not lower what the server asks.
      await pushBase(vt.server, [registerEvent(topSecret, ['thuong'], 'update')]);
      const e = await refusal(v.allocate({ ...seq(topSecret), record: randomUUID(), home: homeId }));
      assert.deepEqual([e.status, e.code], [403, 'register-level']);
      // Raising one does tighten it (fail closed): the Mật–Tối mật register made Tuyệt mật only.
      const raised = randomUUID();
      await pushBase(vt.server, [registerEvent(raised, ['toi_mat'])]);
      await v.allocate({ ...seq(raised), record: randomUUID(), home: homeId });
      await pushBase(vt.server, [registerEvent(raised, ['tuyet_mat'], 'update')]);
      assert.equal((await refusal(v.last(seq(raised)))).code, 'register-level');
      // The facts are stored, not remembered: a restarted server refuses the same.
      await server.close();
      server = await startServer(cfg, { logger: quiet });
      // (A new connection: the old one's socket went with the server.)
      vt = workstation(net.n, net.path(`${backend}-vt2`), server.port, net.n.agencies.A.vanThu);
      net.closers.push(() => vt.close());
      homeId = vt.db.prepare("SELECT value FROM settings WHERE key = 'workstation_id'").pluck().get() as string;
      v = new NumberClient(vt.server);
      assert.equal((await refusal(v.allocate({ ...seq(topSecret), record: randomUUID(), home: homeId }))).code, 'register-level');
      assert.equal((await v.last(seq(thuong))).last, 1);
    });

    test('a replayed request for another register: the record keeps its number, nothing taken in the other, no holder above the asker\'s clearance', async () => {
      const record = randomUUID();
      const first = await v.allocate({ ...seq(thuong), record, home: homeId });
      const before = (await v.last(seq(secret))).last;
      const again = await refusal(v.allocate({ ...seq(secret), record, home: homeId }));
      assert.deepEqual([again.status, again.code], [409, 'record-numbered']);
      assert.equal((await v.last(seq(secret))).last, before, 'no number of the other register taken');
      assert.equal((await v.allocate({ ...seq(thuong), record, home: homeId })).allocation.number, first.allocation.number);
      // A record numbered in a register the server learns later is Tuyệt mật: re-asked under a register
      // the person may number, the answer names nothing of the other.
      const hidden = randomUUID();
      const early = randomUUID();
      await v.allocate({ ...seq(hidden), record: early, home: homeId });
      await pushBase(vt.server, [registerEvent(hidden, ['tuyet_mat'])]);
      const e = await refusal(v.allocate({ ...seq(thuong), record: early, home: homeId }));
      assert.deepEqual([e.status, e.code], [403, 'register-level']);
      assert.doesNotMatch(e.message, new RegExp(hidden));
    });

    test('a closed year: no new number in it (409 year-closed), the number a record holds answered again, the open year numbers on', async () => {
      const held = randomUUID();
      const n2025 = (await v.allocate({ ...seq(thuong, '2025'), record: held, home: homeId })).allocation.number;
      await pushBase(vt.server, [closedYear(thuong, 2025)]);
      const late = randomUUID();
      const e = await refusal(v.allocate({ ...seq(thuong, '2025'), record: late, home: homeId }));
      assert.deepEqual([e.status, e.code], [409, 'year-closed']);
      assert.equal(e.transient, false, 'a refusal, not an outage');
      assert.equal((await v.last(seq(thuong, '2025'))).last, n2025, 'nothing taken');
      // Asked again after a lost answer (kill -9 between answer and write): the same number.
      assert.equal((await v.allocate({ ...seq(thuong, '2025'), record: held, home: homeId })).allocation.number, n2025);
      // The same record in the open year: a number of 2026.
      const open = await v.allocate({ ...seq(thuong, '2026'), record: late, home: homeId });
      assert.equal(open.allocation.period, '2026');
      // The secret registers close together (the Sổ đăng ký BMNN đến): a secret register's year too.
      await pushBase(vt.server, [{ entity: 'secret_register_years', entityId: randomUUID(), kind: 'create', data: { kind: 'secret_incoming', year: 2024 } }]);
      assert.equal((await refusal(v.allocate({ ...seq(secret, '2024'), record: randomUUID(), home: homeId }))).code, 'year-closed');
      assert.equal((await v.allocate({ ...seq(thuong, '2024'), record: randomUUID(), home: homeId })).allocation.number, 1, 'not the Thường registers');
    });
  });
}
