// Server migration 0006 on SQLite and on a real PostgreSQL: the queued packets of a server that ran the
// previous schema (bytes inside the packets_out row) keep their exact bytes, leave in order, and the
// row no longer carries the bytes (a state change must not rewrite a megabyte).
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { PacketStore } from '../../../server/storage/packetStore';
import { Store } from '../../../server/storage/store';
import { tempDir } from '../../helpers/desk';
import { oldServerStore } from '../../helpers/oldServerStore';
import { startPostgres, type TestPostgres } from '../../helpers/postgres';

let pgServer: TestPostgres;
let tmp: { dir: string; cleanup(): void };
before(async () => {
  tmp = tempDir('securedesk-migrate-0006-');
  pgServer = await startPostgres();
});
after(() => {
  pgServer?.stop();
  tmp?.cleanup();
});

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`server migration 0006 on ${backend}`, () => {
    test('queued packets keep their bytes and order; the row holds no payload any more', async () => {
      const { cfg, old } = await oldServerStore({ backend, dir: tmp.dir, pg: pgServer, database: 'migrate_0006', migratedTo: '0005_hub_retention' });
      const packets = [1, 2].map((seq) => ({ seq, id: randomUUID(), bytes: randomBytes(300_000 + seq) }));
      for (const p of packets) {
        await sql`insert into packets_out (seq, packet_id, sha256, size, kind, from_code, to_codes, person, workstation, received_at, state, payload)
                  values (${p.seq}, ${p.id}, ${'x'.repeat(64)}, ${p.bytes.length}, ${'edxml'}, ${'000.00.01.A01'}, ${'["000.00.02.B01"]'}, ${'p'}, ${'w'}, ${'2026-12-01T00:00:00Z'}, ${'queued'}, ${p.bytes})`.execute(old);
      }
      await old.destroy();

      const store = await Store.open(cfg);
      try {
        const packetStore = new PacketStore(store.db);
        const head = await packetStore.headOfOutbound(new Date('2026-12-01T01:00:00Z'));
        assert.ok(head && head !== 'waiting');
        assert.equal(head.packetId, packets[0]!.id);
        assert.ok(head.payload.equals(packets[0]!.bytes), 'the first packet\'s bytes, unchanged');
        await packetStore.markForwarded(packets[0]!.id, new Date('2026-12-01T01:00:01Z'));
        const next = await packetStore.headOfOutbound(new Date('2026-12-01T01:00:02Z'));
        assert.ok(next && next !== 'waiting');
        assert.equal(next.packetId, packets[1]!.id);
        assert.ok(next.payload.equals(packets[1]!.bytes), 'the second packet\'s bytes, unchanged');
        const columns = backend === 'sqlite'
          ? (await sql<{ name: string }>`select name from pragma_table_info('packets_out')`.execute(store.db)).rows.map((r) => r.name)
          : (await sql<{ name: string }>`select column_name as name from information_schema.columns where table_name = 'packets_out'`.execute(store.db)).rows.map((r) => r.name);
        assert.ok(columns.includes('state') && !columns.includes('payload'), columns.join(','));
      } finally {
        await store.close();
      }
    });
  });
}
