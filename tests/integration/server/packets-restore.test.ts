// An agency server restored from a backup, on SQLite and on a real PostgreSQL: the packets a workstation
// sent after the backup and the server had not yet passed on to the hub (the hub was away) are gone from
// the restored store. The workstation kept their bodies (a sent packet's body stays until the server is
// seen to pass it on: PacketClient.checkPassedOn); asking the restored server where they are, it finds
// them missing, queues them again and sends them; the hub holds each packet once. A packet passed on
// before lets its body go, and so do the re-sent ones once passed on.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunningServer } from '../../../server/app';
import { startHub, type RunningHub } from '../../../server/hub';
import { Store } from '../../../server/storage/store';
import { PacketBodies } from '../../../main/core/sync/packets/bodies';
import { sentState } from '../../../main/core/sync/packets/queue';
import { tempDir } from '../../helpers/desk';
import { backupStore, restoreStore } from '../../helpers/storeBackup';
import { agencyConfig, clearPacket, CODES, hubConfig, networkPki, startAgency, waitFor, workstation, type NetworkPki } from '../../helpers/network';
import { startPostgres, type TestPostgres } from '../../helpers/postgres';

const KEY_HEX = 'cd'.repeat(32);
const quiet = { log: () => {} };
let n: NetworkPki;
let pg: TestPostgres;
let tmp: { dir: string; cleanup(): void };

before(async () => {
  tmp = tempDir('securedesk-packets-restore-');
  [n, pg] = await Promise.all([networkPki(), startPostgres()]);
});
after(() => {
  pg?.stop();
  n?.pki.cleanup();
  tmp?.cleanup();
});


for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`packets after a restore of the agency server (${backend})`, () => {
    test('what the restored server lost before passing it on is sent again from the bodies kept, and reaches the hub once', async () => {
      const dir = join(tmp.dir, backend);
      const hubCfg = hubConfig(n, join(dir, 'hub'));
      let hub: RunningHub = await startHub(hubCfg, { logger: quiet });
      hubCfg.listen.port = hub.port; // restarts keep the address A's link knows
      const cfgA = agencyConfig(n, 'A', join(dir, 'A'), { backend, pg, hubUrl: hub.url, pollMs: 30 });
      let a: RunningServer = await startAgency(cfgA);
      const bodiesDir = join(dir, 'ws', 'packets');
      const ws = workstation(n, join(dir, 'ws'), a.port, n.agencies.A.vanThu, { keyHex: KEY_HEX, bodies: new PacketBodies(bodiesDir, Buffer.from(KEY_HEX, 'hex')) });
      const files = () => (existsSync(bodiesDir) ? readdirSync(bodiesDir) : []);
      const forwarded = (id: string) => waitFor(`A passed ${id} on`, async () => (await a.packets.outboundState(id))?.state === 'forwarded', 20_000, 20);
      try {
        // Before the backup: passed on, its body let go.
        const p0 = await clearPacket(n, 'A', [CODES.B], { subject: 'Về việc gửi trước khi sao lưu' });
        ws.packets.send(p0);
        assert.equal(await ws.packets.flush(), 1);
        await forwarded(p0.packetId);
        assert.deepEqual(await ws.packets.checkPassedOn({ force: true }), { passed: 1, requeued: [] });
        assert.deepEqual(files(), []);

        // The hub away; the operator's backup of A; then A takes two packets it cannot pass on yet.
        await hub.close();
        await a.close();
        backupStore(cfgA.storage, pg);
        a = await startAgency(cfgA);
        const lost = [
          await clearPacket(n, 'A', [CODES.B], { subject: 'Về việc gửi sau khi sao lưu 1' }),
          await clearPacket(n, 'A', [CODES.B], { subject: 'Về việc gửi sau khi sao lưu 2' }),
        ];
        for (const p of lost) ws.packets.send(p);
        assert.equal(await ws.packets.flush(), 2);
        for (const p of lost) assert.equal((await a.packets.outboundState(p.packetId))?.state, 'queued');
        assert.deepEqual(await ws.packets.checkPassedOn({ force: true }), { passed: 0, requeued: [] }, 'held and waiting for the hub: nothing to do');
        assert.equal(files().length, 2, 'their bodies kept');

        // A fails and is restored from the backup, marked; the hub is back.
        await a.close();
        restoreStore(cfgA.storage, pg);
        const offline = await Store.open(cfgA.storage);
        await offline.markRestored(new Date());
        await offline.close();
        a = await startAgency(cfgA);
        hub = await startHub(hubCfg, { logger: quiet });
        for (const p of lost) assert.equal(await a.packets.outboundState(p.packetId), null, 'the restored store never took it');

        const check = await ws.packets.checkPassedOn({ force: true });
        assert.deepEqual(check, { passed: 0, requeued: lost.map((p) => p.packetId) });
        for (const p of lost) assert.equal(sentState(ws.db, p.packetId)?.state, 'queued');
        assert.equal(await ws.packets.flush(), 2, 'sent again from the bodies kept');
        for (const p of lost) await forwarded(p.packetId);
        assert.deepEqual(await ws.packets.checkPassedOn({ force: true }), { passed: 2, requeued: [] });
        assert.deepEqual(files(), [], 'every body let go once passed on');
        const atHub = (await hub.store.db.selectFrom('hub_packets').select('packet_id').where('from_code', '=', n.agencies.A.code).execute()).map((r) => r.packet_id);
        assert.deepEqual(atHub.sort(), [p0, ...lost].map((p) => p.packetId).sort(), 'each packet at the hub once');
      } finally {
        ws.close();
        await a.close();
        if (hub.server.listening) await hub.close();
      }
    });
  });
}
