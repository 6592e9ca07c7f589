// The hub's retention, on SQLite and on a real PostgreSQL: an agency acknowledges its deliveries by
// pulling after them (its link stores what it pulled with the cursor); the sweep drops acknowledged
// deliveries, marks a packet delivered once none of its recipients waits, and purges its bytes
// retention.deliveredDays later, keeping its row (a resent copy is still a duplicate, never delivered
// again). An agency cannot acknowledge another's deliveries, and a cursor never moves back.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { RunningHub } from '../../../server/hub';
import { startHub } from '../../../server/hub';
import type { PacketPage } from '../../../main/core/sync/packets/protocol';
import { Transport } from '../../../main/core/sync/transport';
import { tempDir } from '../../helpers/desk';
import { clearPacket, CODES, hubConfig, networkPki, type NetworkPki } from '../../helpers/network';
import { startPostgres, type TestPostgres } from '../../helpers/postgres';

const DAY = 86_400_000;
let n: NetworkPki;
let pg: TestPostgres;
let tmp: { dir: string; cleanup(): void };

before(async () => {
  tmp = tempDir('securedesk-hub-retention-');
  [n, pg] = await Promise.all([networkPki(), startPostgres()]);
});
after(() => {
  pg?.stop();
  n?.pki.cleanup();
  tmp?.cleanup();
});

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`hub retention on ${backend}`, () => {
    let hub: RunningHub;
    let now = Date.parse('2026-12-01T02:00:00Z');
    const client = (a: 'A' | 'B') => new Transport({
      url: `https://localhost:${hub.port}`, caPem: n.ca.certPem, clientCertificate: { certPem: n.agencies[a].client.certPem, keyPem: n.agencies[a].client.keyPem },
    });
    const put = async (t: Transport, p: { packetId: string; bytes: Buffer }) =>
      JSON.parse((await t.request('PUT', `/v1/hub/packets/${p.packetId}`, { body: p.bytes, headers: { 'content-type': 'application/octet-stream' } })).body.toString('utf8')) as { result: string };
    const inbox = async (t: Transport, after: number) => JSON.parse((await t.request('GET', `/v1/hub/inbox?after=${after}`)).body.toString('utf8')) as PacketPage;
    const payloadStatus = async (t: Transport, seq: number) => (await t.request('GET', `/v1/hub/inbox/${seq}/payload`)).status;
    const row = async (id: string) => {
      const r = await hub.store.db.selectFrom('hub_packets').select(['delivered_at', 'purged_at', 'size'])
        .select(sql<number>`length(payload)`.as('bytes')).where('packet_id', '=', id).executeTakeFirstOrThrow();
      return { delivered: r.delivered_at, purged: r.purged_at, size: Number(r.size), bytes: Number(r.bytes) };
    };

    before(async () => {
      const cfg = hubConfig(n, join(tmp.dir, backend));
      if (backend === 'postgres') {
        pg.psql('CREATE DATABASE hub_retention', 'postgres');
        cfg.storage = { kind: 'postgres', host: pg.host, port: pg.port, database: 'hub_retention', user: pg.user, poolSize: 4 };
      }
      hub = await startHub(cfg, { logger: { log: () => {} }, clock: () => now });
    });
    after(async () => hub?.close());

    test('acknowledged deliveries go, delivered bytes are purged after the retention, the row stays and a resent copy is a duplicate', async () => {
      const a = client('A');
      const b = client('B');
      const p1 = await clearPacket(n, 'A', [CODES.B], { subject: 'Về việc báo cáo tháng 11' });
      const p2 = await clearPacket(n, 'A', [CODES.B], { subject: 'Về việc báo cáo tháng 12' });
      assert.deepEqual([(await put(a, p1)).result, (await put(a, p2)).result], ['stored', 'stored']);
      const page = await inbox(b, 0);
      const [s1, s2] = page.packets.map((p) => p.seq);
      assert.ok(s1 !== undefined && s2 !== undefined && s1 < s2);
      assert.deepEqual(await hub.sweep(), { deliveries: 0, delivered: 0, purged: 0 }, 'nothing acknowledged yet');

      // A pulling "after" a high cursor acknowledges only A's own deliveries: B's stay.
      await inbox(a, 10_000);
      assert.deepEqual(await hub.sweep(), { deliveries: 0, delivered: 0, purged: 0 });

      // B pulls after s1: s1 is acknowledged; p1 is delivered, p2 still waits.
      assert.deepEqual((await inbox(b, s1)).packets.map((p) => p.seq), [s2]);
      assert.deepEqual(await hub.sweep(), { deliveries: 1, delivered: 1, purged: 0 });
      assert.equal(await payloadStatus(b, s1), 404);
      assert.equal(await payloadStatus(b, s2), 200);
      const r1 = await row(p1.packetId);
      assert.ok(r1.delivered !== null && r1.purged === null && r1.bytes === p1.bytes.length);

      // A cursor never moves back: pulling after 0 again does not bring s1 back.
      assert.deepEqual((await inbox(b, 0)).packets.map((p) => p.seq), [s2]);

      // Before the retention nothing is purged; after it, p1's bytes are, its row stays.
      now += 29 * DAY;
      assert.equal((await hub.sweep())!.purged, 0);
      now += 2 * DAY;
      assert.deepEqual(await hub.sweep(), { deliveries: 0, delivered: 0, purged: 1 });
      const gone = await row(p1.packetId);
      assert.deepEqual([gone.bytes, gone.size, gone.purged !== null], [0, p1.bytes.length, true]);
      assert.equal((await row(p2.packetId)).bytes, p2.bytes.length, 'the one still waiting is kept');

      // Sent again after the purge: acknowledged as a duplicate, never delivered twice.
      assert.equal((await put(a, p1)).result, 'duplicate');
      assert.deepEqual((await inbox(b, s1)).packets.map((p) => p.seq), [s2]);
    });
  });
}
