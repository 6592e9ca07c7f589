// The sync log's long poll at the agency server (GET /v1/events/wait; docs/server.md "Waiting for
// changes"), on SQLite and on a real PostgreSQL: it answers at once with the channels holding another
// workstation's batch after the cursors given, else holds the request until another workstation pushes to
// one of them (a push of the asker's own is no news); a person not cleared for a level named is refused
// (403) whether or not that level has news, and a person cleared for less never wakes on a higher level's
// push. Real servers over HTTPS loopback, workstations signing in with the agency PKI's keys.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunningServer } from '../../../server/app';
import { MAX_HELD_WAITS } from '../../../server/arrivals';
import { ServerClient } from '../../../main/core/sync/ServerClient';
import { API, type BatchPushResult, type Channel, type EventsWaitResult } from '../../../main/core/sync/protocol';
import { sealBatch } from '../../../main/core/sync/seal';
import { TransportError } from '../../../main/core/sync/transport';
import { agencyPki, startAgencyServer, type AgencyPki, type Backend } from '../../helpers/agencyServer';
import { startPostgres, type TestPostgres } from '../../helpers/postgres';
import { softKey } from '../../helpers/softKey';
import { tempDir } from '../../helpers/desk';
import { openWorkstation } from '../../helpers/workstation';

let pki: AgencyPki;
let pg: TestPostgres;
const cleanups: Array<() => unknown> = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  [pki, pg] = await Promise.all([agencyPki(['ws1', 'ws2', 'low']), startPostgres()]);
  cleanups.push(() => pki.pki.cleanup(), () => pg.stop());
});
after(async () => {
  for (const c of cleanups.reverse()) {
    try { await c(); } catch { /* closed already */ }
  }
});

/** A workstation's client of the server, signed in as `person` (raw requests: the route is what is tested). */
function client(server: RunningServer, dir: string, person: string, maxSockets?: number): ServerClient {
  mkdirSync(dir, { recursive: true });
  const db = openWorkstation(dir, []);
  const key = softKey(pki.person(person).certDer, pki.person(person).keyPem);
  const c = new ServerClient({
    db, transport: { url: `https://localhost:${server.port}`, caPem: pki.ca.certPem, timeoutMs: 30_000, ...(maxSockets ? { maxSockets } : {}) }, signer: () => key, channels: () => [],
    keys: { current: () => null, byId: () => null }, apply: () => {},
  });
  cleanups.push(() => { c.close(); db.close(); });
  return c;
}

/** One batch pushed to `channel` (Thường in clear, a classified level sealed under a key the server never sees). */
async function push(c: ServerClient, channel: Channel): Promise<number> {
  const batchId = randomUUID();
  const eventIds = [randomUUID()];
  const plain = Buffer.from(JSON.stringify(eventIds.map((id) => ({ id, entity: 'test', kind: 'create' }))));
  const sealed = channel !== 'thuong' && channel !== 'base';
  const keyId = 'a1b2c3d4';
  const payload = sealed ? sealBatch(randomBytes(32), { channel, keyId, batchId, eventIds }, plain) : plain;
  const { data } = await c.authedJson<BatchPushResult>('POST', `${API}/events`, {
    batchId, channel, keyId: sealed ? keyId : null, encoding: sealed ? 'aes-256-gcm' : 'clear', eventIds, payload: payload.toString('base64'),
  });
  return data.seq;
}

/** The wait as asked on the wire; the time it took. */
async function wait(c: ServerClient, after: string, waitMs: number): Promise<{ channels: Channel[]; ms: number }> {
  const t0 = Date.now();
  const { data } = await c.authedJson<EventsWaitResult>('GET', `${API}/events/wait?after=${encodeURIComponent(after)}&waitMs=${waitMs}`);
  return { channels: data.channels, ms: Date.now() - t0 };
}

async function refused(p: Promise<unknown>): Promise<TransportError> {
  const e = await p.then(() => null, (x: unknown) => x);
  assert.ok(e instanceof TransportError, `refused (${String(e)})`);
  return e;
}

for (const backend of ['sqlite', 'postgres'] as Backend[]) {
  describe(`the sync log's long poll (${backend})`, () => {
    let server: RunningServer;
    let ws1: ServerClient;
    let ws2: ServerClient;
    let low: ServerClient;
    const head = () => server.store.headSeq();

    before(async () => {
      const tmp = tempDir(`securedesk-events-wait-${backend}-`);
      cleanups.push(tmp.cleanup);
      server = await startAgencyServer({
        backend, pg, dir: join(tmp.dir, 'server'), pki, logger: { log: () => {} },
        people: [
          { person: 'p-ws1', role: 'van_thu', clearance: 'tuyet_mat', certificates: [pki.person('ws1').certPath] },
          { person: 'p-ws2', role: 'lanh_dao', clearance: 'tuyet_mat', certificates: [pki.person('ws2').certPath] },
          { person: 'p-low', role: 'chuyen_vien', clearance: 'thuong', certificates: [pki.person('low').certPath] },
        ],
      });
      cleanups.push(() => server.close());
      // More sockets than the app's client opens (4): a script's client, for the cap on held polls.
      ws1 = client(server, join(tmp.dir, 'ws1'), 'ws1', 8);
      ws2 = client(server, join(tmp.dir, 'ws2'), 'ws2');
      low = client(server, join(tmp.dir, 'low'), 'low');
    });

    test('answers at once with the channels holding another workstation\'s batch after the cursor; its own batches are no news', async () => {
      const seq = await push(ws1, 'thuong');
      const other = await wait(ws2, 'base:0,thuong:0,mat:0', 20_000);
      assert.deepEqual(other.channels, ['thuong']);
      assert.ok(other.ms < 2_000, `${other.ms} ms`);
      // The asker's own batch: the wait runs its whole time and answers nothing.
      const own = await wait(ws1, 'base:0,thuong:0', 1_000);
      assert.deepEqual(own.channels, []);
      assert.ok(own.ms >= 950, `${own.ms} ms`);
      // After the cursor that covers it: nothing either.
      assert.deepEqual((await wait(ws2, `thuong:${seq}`, 300)).channels, []);
    });

    test('a held wait ends as soon as another workstation pushes to one of its channels; a push of its own does not end it', async () => {
      const h = await head();
      const held = wait(ws1, `base:${h},thuong:${h},mat:${h}`, 20_000);
      await sleep(300);
      await push(ws1, 'thuong');
      await sleep(700);
      const t0 = Date.now();
      await push(ws2, 'mat');
      const r = await held;
      const after = Date.now() - t0;
      assert.deepEqual(r.channels, ['mat'], 'only the other workstation\'s push is news');
      assert.ok(r.ms >= 950, `not ended by its own push (${r.ms} ms)`);
      assert.ok(after < 1_000, `answered ${after} ms after the push`);
    });

    test('attack: a person not cleared for a level asks the wait with it: 403 at once, news or not, and nothing told', async () => {
      await push(ws2, 'mat');
      const withNews = await refused(wait(low, 'base:0,mat:0', 20_000));
      const without = await refused(wait(low, `base:0,mat:${10 ** 12}`, 20_000));
      for (const e of [withNews, without]) {
        assert.equal(e.status, 403);
        assert.equal(e.code, 'forbidden');
      }
      // The server's words (after the request line the client prefixes): the same whether or not the level has news.
      const told = (e: TransportError) => e.message.slice(e.message.indexOf(': 403 '));
      assert.equal(told(withNews), told(without), 'the same refusal whether or not the level has news');
      assert.equal(told(withNews), ': 403 no clearance for mat');
      const higher = await refused(wait(low, 'tuyet_mat:0', 0));
      assert.equal(higher.status, 403);
    });

    test('attack: a person cleared only for the base and Thường never wakes on a Mật push, and learns nothing of it', async () => {
      const h = await head();
      const held = wait(low, `base:${h},thuong:${h}`, 1_500);
      await sleep(200);
      await push(ws2, 'mat');
      await push(ws2, 'toi_mat');
      const r = await held;
      assert.deepEqual(r.channels, []);
      assert.ok(r.ms >= 1_450, `held its whole time (${r.ms} ms)`);
      // The same wait wakes for a level they read.
      const again = wait(low, `base:${h},thuong:${h}`, 20_000);
      await sleep(200);
      await push(ws2, 'thuong');
      assert.deepEqual((await again).channels, ['thuong']);
    });

    test('malformed waits are refused (400) before anything is read or held', async () => {
      for (const after of ['', 'base', 'base:1,base:2', 'secret:1', 'base:-1', 'base:1x', `${'base:1,'.repeat(6)}mat:1`]) {
        const t0 = Date.now();
        const e = await refused(wait(ws1, after, 20_000));
        assert.equal(e.status, 400, `after=${after}`);
        assert.ok(Date.now() - t0 < 2_000);
      }
      const e = await refused(ws1.authedJson('GET', `${API}/events/wait?after=base:0&waitMs=soon`));
      assert.equal(e.status, 400);
    });

    test('attack: one session holds at most four long polls at once; a fifth is refused (429) at once, other sessions unaffected', async () => {
      // (Run alone, ws1 has no session yet: its four first requests share one sign-in, so one session holds them.)
      const h = await head();
      const holds = Array.from({ length: MAX_HELD_WAITS }, () => wait(ws1, `base:${h}`, 2_500));
      await sleep(400);
      const t0 = Date.now();
      const e = await refused(wait(ws1, `base:${h}`, 20_000));
      assert.deepEqual([e.status, e.code], [429, 'rate-limited']);
      assert.ok(Date.now() - t0 < 1_500, 'refused at once, not held');
      // A look without waiting is not a held poll; another session holds its own.
      assert.deepEqual((await wait(ws1, `base:${h}`, 0)).channels, []);
      assert.deepEqual((await wait(ws2, `base:${h}`, 300)).channels, []);
      for (const r of await Promise.all(holds)) assert.deepEqual(r.channels, []);
      // Their places are free again.
      assert.deepEqual((await wait(ws1, `base:${h}`, 200)).channels, []);
    });

    test('the server closing ends a held wait with an answer', async () => {
      const h = await head();
      const held = wait(ws1, `base:${h}`, 20_000).then((x) => x, (x: unknown) => x);
      await sleep(300);
      const t0 = Date.now();
      await server.close();
      const r = await held;
      // Either answered (empty) or cut by the connection's close: never held to its end.
      if (!(r instanceof Error)) assert.deepEqual((r as { channels: Channel[] }).channels, []);
      assert.ok(Date.now() - t0 < 3_000, `${Date.now() - t0} ms`);
    });
  });
}
