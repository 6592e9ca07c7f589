// Server migration 0012 on SQLite and on a real PostgreSQL: packet ids are scoped by sender at the hub
// and in an agency server's inbound table. Rows stored before keep their sender (a hub delivery gets its
// packet's); afterwards another agency's packet under a held id is another packet (stored, delivered with
// its sender), while the same sender's id with other bytes is still refused and its retry is a duplicate.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3-multiple-ciphers';
import { Kysely, PostgresDialect, sql, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { StorageConfig } from '../../../server/config';
import { migrateTo } from '../../../server/storage/migrations';
import { ChangedBody, PacketStore } from '../../../server/storage/packetStore';
import { Store } from '../../../server/storage/store';
import { tempDir } from '../../helpers/desk';
import { startPostgres, type TestPostgres } from '../../helpers/postgres';

const A = '000.00.01.A01';
const B = '000.00.02.B01';
const C = '000.00.03.C01';
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const AT = new Date('2026-12-01T00:00:00Z');

let pgServer: TestPostgres;
let tmp: { dir: string; cleanup(): void };
before(async () => {
  tmp = tempDir('securedesk-migrate-0012-');
  pgServer = await startPostgres();
});
after(() => {
  pgServer?.stop();
  tmp?.cleanup();
});

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`server migration 0012 on ${backend}`, () => {
    test('rows keep their sender; another agency\'s packet under a held id is its own packet, delivered once with its sender', async () => {
      let cfg: StorageConfig;
      let old: Kysely<unknown>;
      if (backend === 'sqlite') {
        const file = join(tmp.dir, 'hub.db');
        cfg = { kind: 'sqlite', file };
        old = new Kysely({ dialect: new SqliteDialect({ database: new Database(file) }) });
      } else {
        pgServer.psql('CREATE DATABASE migrate_0012', 'postgres');
        cfg = { kind: 'postgres', host: pgServer.host, port: pgServer.port, database: 'migrate_0012', user: pgServer.user, poolSize: 2 };
        old = new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ host: pgServer.host, port: pgServer.port, database: 'migrate_0012', user: pgServer.user, max: 2 }) }) });
      }
      // The previous server's schema: A's packet X at the hub (delivered to C, pending) and received by an agency.
      await migrateTo(old, backend, '0011_number_register_facts');
      const id = 'status-0123456789abcdef';
      const fromA = randomBytes(2000);
      await sql`insert into hub_packets (packet_id, sha256, size, kind, from_code, to_codes, received_at, payload)
                values (${id}, ${sha(fromA)}, ${fromA.length}, ${'clear'}, ${A}, ${JSON.stringify([C])}, ${AT.toISOString()}, ${fromA})`.execute(old);
      await sql`insert into hub_deliveries (seq, recipient, packet_id) values (${1}, ${C}, ${id})`.execute(old);
      await sql`update counters set value = 1 where name = 'hub_deliveries'`.execute(old);
      await sql`insert into packets_in (seq, packet_id, sha256, size, from_code, to_codes, received_at, stored_at, payload)
                values (${1}, ${id}, ${sha(fromA)}, ${fromA.length}, ${A}, ${JSON.stringify([C])}, ${AT.toISOString()}, ${AT.toISOString()}, ${fromA})`.execute(old);
      await sql`update counters set value = 1 where name = 'packets_in'`.execute(old);
      await old.destroy();

      const store = await Store.open(cfg);
      try {
        const packets = new PacketStore(store.db);
        // The row kept its sender; its delivery is there with it.
        assert.equal(await packets.hubDigest(A, id), sha(fromA));
        assert.equal(await packets.hubDigest(B, id), null, 'B holds no packet under that id');
        let page = await packets.hubList(C, 0, 10, 1 << 20);
        assert.deepEqual(page.rows.map((r) => [r.seq, r.packetId, r.from]), [[1, id, A]]);
        assert.ok(Buffer.from(page.rows[0]!.payload!, 'base64').equals(fromA));

        // B's packet under the same id: stored as B's, delivered to C with B as its sender, B's bytes.
        const fromB = randomBytes(3000);
        const put = (from: string, payload: Buffer) => packets.hubPut({ packetId: id, sha256: sha(payload), kind: 'clear', from, to: [C], payload, now: AT });
        assert.equal(await put(B, fromB), 'stored');
        assert.equal(await put(B, fromB), 'duplicate', 'B\'s retry is one packet');
        await assert.rejects(put(B, randomBytes(100)), ChangedBody, 'B\'s own id with other bytes is refused');
        assert.equal(await put(A, fromA), 'duplicate', 'A\'s retry is still A\'s one packet');
        page = await packets.hubList(C, 0, 10, 1 << 20);
        assert.deepEqual(page.rows.map((r) => [r.seq, r.packetId, r.from, r.sha256]), [[1, id, A, sha(fromA)], [2, id, B, sha(fromB)]]);
        assert.ok(Buffer.from(page.rows[1]!.payload!, 'base64').equals(fromB));
        const second = await packets.hubSlice(C, 2, 0, -1);
        assert.ok(second!.bytes.equals(fromB), 'the delivery\'s bytes are B\'s');
        assert.equal((await packets.hubHead(C, 2))!.sha256, sha(fromB));
        assert.equal(await packets.hubHead(A, 2), null, 'only the recipient reads a delivery');
        assert.deepEqual(await packets.hubCounts(), { packets: 2, deliveries: 2 });

        // C acknowledges both: each packet is marked delivered on its own.
        await packets.hubAck(C, 2, AT);
        const swept = await packets.hubSweep(new Date(AT.getTime() + 1000), 24 * 3600_000);
        assert.deepEqual([swept.deliveries, swept.delivered], [2, 2]);

        // An agency server holds A's packet X; B's packet X arrives after it: both kept, each with its sender; again: nothing.
        const listingB = { ...page.rows[1]!, seq: 7 };
        assert.equal(await packets.acceptInbound(listingB, fromB, AT, 'cursor'), true);
        assert.equal(await packets.acceptInbound(listingB, fromB, AT, 'cursor'), false, 'B\'s packet again is kept once');
        assert.equal(await packets.acceptInbound({ ...page.rows[0]!, seq: 8 }, fromA, AT, 'cursor'), false, 'A\'s packet again is kept once');
        const inbound = await packets.listInbound(0, 10, 1 << 20);
        assert.deepEqual(inbound.rows.map((r) => [r.packetId, r.from, r.sha256]), [[id, A, sha(fromA)], [id, B, sha(fromB)]]);
        assert.ok((await packets.inboundSlice(inbound.rows[1]!.seq, 0, -1))!.bytes.equals(fromB));
      } finally {
        await store.close();
      }
    });
  });
}
