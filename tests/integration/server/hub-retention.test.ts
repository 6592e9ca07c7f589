// The hub's retention, on SQLite and on a real PostgreSQL: an agency acknowledges its deliveries by
// pulling after them (its link stores what it pulled with the cursor); the sweep drops acknowledged
// deliveries, marks a packet delivered once none of its recipients waits, and purges its bytes
// retention.deliveredDays later, keeping its row (a resent copy is still a duplicate, never delivered
// again). An agency cannot acknowledge another's deliveries, and a cursor never moves back; nor can a
// cursor from before a restore of the hub acknowledge what the restored hub delivered since (below).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { startHub, type RunningHub } from '../../../server/hub';
import type { RunningServer } from '../../../server/app';
import { HUB_CURSOR, HUB_INCARNATION, HUB_RECHECK } from '../../../server/hubLink';
import { Store } from '../../../server/storage/store';
import type { PacketPage } from '../../../main/core/sync/packets/protocol';
import { Transport } from '../../../main/core/sync/transport';
import { tempDir } from '../../helpers/desk';
import { agencyConfig, clearPacket, CODES, hubConfig, networkPki, startAgency, waitFor, type NetworkPki } from '../../helpers/network';
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

// The hub restored from a backup to an older point, over real HTTPS with agency A's and B's servers and
// their hub links running (issue 9 §4, §5).
//   - B had read deliveries past the backup; the restored hub gives the same delivery numbers to new
//     packets. Listing "after" its old cursor, B would acknowledge them unseen and the sweep would drop
//     them: the hub remembers the furthest delivery it listed to each agency and refuses a cursor past it
//     (409 cursor-ahead, acknowledging nothing); the link reads again from the start, and what it holds
//     is recognised by sender and packet id.
//   - A had passed a packet on after the backup: the restored hub lost it. The operator marks the hub
//     (`--mark-restored`, the same command); A's link, seeing the mark, asks the hub which of the packets
//     it passed on it holds and sends the others again.
for (const backend of ['sqlite', 'postgres'] as const) {
  test(`a hub restored to an older point: what was sent since reaches B, what the hub lost is sent again, nothing twice (hub on ${backend})`, async () => {
    const dir = join(tmp.dir, backend);
    const cfg = hubConfig(n, dir);
    const database = `hub_restore_${process.pid}`;
    if (backend === 'postgres') {
      pg.psql(`CREATE DATABASE ${database}`, 'postgres');
      cfg.storage = { kind: 'postgres', host: pg.host, port: pg.port, database, user: pg.user, poolSize: 4 };
    }
    const warnings: Array<{ msg: string; fields: Record<string, unknown> | undefined }> = [];
    const logger = { log: (level: string, msg: string, fields?: Record<string, unknown>) => { if (level === 'warn') warnings.push({ msg, fields }); } };
    let hub: RunningHub = await startHub(cfg, { logger });
    cfg.listen.port = hub.port; // restarts keep the address the links know
    const storage = cfg.storage;
    const backup = () => {
      if (storage.kind === 'sqlite') copyFileSync(storage.file, `${storage.file}.backup`);
      else pg.psql(`CREATE DATABASE ${database}_backup TEMPLATE ${database}`, 'postgres');
    };
    const restore = () => {
      if (storage.kind === 'sqlite') {
        for (const suffix of ['-wal', '-shm']) rmSync(`${storage.file}${suffix}`, { force: true });
        copyFileSync(`${storage.file}.backup`, storage.file);
      } else {
        pg.psql(`DROP DATABASE ${database}`, 'postgres');
        pg.psql(`CREATE DATABASE ${database} TEMPLATE ${database}_backup`, 'postgres');
      }
    };
    const bCfg = agencyConfig(n, 'B', join(dir, 'B'), { backend: 'sqlite', hubUrl: hub.url, pollMs: 50 });
    let b: RunningServer = await startAgency(bCfg);
    const a: RunningServer = await startAgency(agencyConfig(n, 'A', join(dir, 'A'), { backend: 'sqlite', hubUrl: hub.url, pollMs: 50 }));
    // Straight to the hub with A's client certificate, as A's link would.
    const direct = async (subject: string) => {
      const p = await clearPacket(n, 'A', [CODES.B], { subject });
      const t = new Transport({
        url: `https://localhost:${hub.port}`, caPem: n.ca.certPem, clientCertificate: { certPem: n.agencies.A.client.certPem, keyPem: n.agencies.A.client.keyPem },
      });
      try {
        const r = await t.request('PUT', `/v1/hub/packets/${p.packetId}`, { body: p.bytes, headers: { 'content-type': 'application/octet-stream' } });
        assert.equal(r.status, 201, r.body.toString('utf8'));
      } finally {
        t.close();
      }
      return p.packetId;
    };
    // Through A's server, as a workstation's submission is queued there, and passed on by its link.
    const viaA = async (subject: string) => {
      const p = await clearPacket(n, 'A', [CODES.B], { subject });
      const sha256 = createHash('sha256').update(p.bytes).digest('hex');
      await a.packets.submitOutbound({ packetId: p.packetId, sha256, kind: 'clear', from: n.agencies.A.code, to: [CODES.B], payload: p.bytes, now: new Date(), person: 'A-van-thu', workstation: 'ws-a' });
      a.hubLink!.kick();
      await waitFor(`packet ${p.packetId} passed on`, async () => (await a.packets.outboundState(p.packetId))?.state === 'forwarded', 20_000, 20);
      return p.packetId;
    };
    const atB = async () => (await b.store.db.selectFrom('packets_in').select('packet_id').execute()).map((r) => r.packet_id);
    const arrived = (ids: string[]) => waitFor(`B holds ${ids.length} packets`, async () => {
      const have = await atB();
      return ids.every((id) => have.includes(id));
    }, 20_000, 20);
    try {
      const sent = [await direct('Công văn trước sao lưu')];
      await arrived(sent);
      await hub.close();
      backup();
      hub = await startHub(cfg, { logger });
      sent.push(await direct('Công văn sau sao lưu 1'), await direct('Công văn sau sao lưu 2'));
      await arrived(sent);
      const cursorBefore = Number(await b.packets.getState(HUB_CURSOR));
      // B offline for a while; A passes a packet on, which the hub then loses.
      await b.close();
      const lostByHub = await viaA('Công văn A gửi trước khi máy chủ liên thông khôi phục');
      await assert.rejects(hub.store.markRestored(new Date()), /a service seems to be running on this store/, 'not while the hub runs (its heartbeat)');
      await hub.close();
      restore();
      const offline = await Store.open(storage);
      const mark = await offline.markRestored(new Date());
      await offline.close();

      // Restored and marked: the next two packets take the delivery numbers of two B had read.
      hub = await startHub(cfg, { logger });
      const later = [await direct('Công văn sau khôi phục 1'), await direct('Công văn sau khôi phục 2')];
      const newest = await hub.store.db.selectFrom('hub_deliveries').select((e) => e.fn.max('seq').as('head')).executeTakeFirstOrThrow();
      // (A's link may already have sent its lost packet again: one more delivery.)
      assert.ok(Number(newest.head) >= cursorBefore, 'the restored hub reached B\'s old cursor again: its head alone would not tell B');
      b = await startAgency(bCfg);
      await arrived([...sent, ...later, lostByHub]);
      const have = await atB();
      assert.equal(new Set(have).size, have.length, 'nothing stored twice at B');
      assert.deepEqual([...have].sort(), [...sent, ...later, lostByHub].sort());
      assert.ok(warnings.some((w) => w.msg === 'hub inbox cursor ahead' && w.fields?.after === cursorBefore), 'the hub said why it refused the cursor');
      // A adopted the mark, checked, and sent the lost packet again; the check is over.
      assert.equal(await a.packets.getState(HUB_INCARNATION), mark.id);
      assert.equal(await a.packets.getState(HUB_RECHECK), '');
      assert.equal((await a.packets.outboundState(lostByHub))?.state, 'forwarded');
      const atHub = await hub.store.db.selectFrom('hub_packets').select('packet_id').where('from_code', '=', n.agencies.A.code).execute();
      assert.equal(atHub.filter((r) => r.packet_id === lostByHub).length, 1);
      const cursors = await hub.store.db.selectFrom('hub_cursors').select(['acked', 'served']).where('recipient', '=', n.agencies.B.code).executeTakeFirstOrThrow();
      assert.ok(Number(cursors.acked) <= Number(cursors.served));
    } finally {
      await b.close();
      await a.close();
      if (hub.server.listening) await hub.close();
    }
  });
}
