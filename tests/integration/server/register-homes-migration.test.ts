// Server migration 0014 on SQLite and on a real PostgreSQL: a server that stored registers' creations
// before the home was named by them names each register's home at the upgrade (the workstation that
// pushed the creation), keeps a home named before (an allocation's, a report's), reads no classified
// batch, and starts with no move recorded.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { Store } from '../../../server/storage/store';
import { tempDir } from '../../helpers/desk';
import { oldServerStore } from '../../helpers/oldServerStore';
import { startPostgres, type TestPostgres } from '../../helpers/postgres';

let pgServer: TestPostgres;
let tmp: { dir: string; cleanup(): void };
before(async () => {
  tmp = tempDir('securedesk-migrate-0014-');
  pgServer = await startPostgres();
});
after(() => {
  pgServer?.stop();
  tmp?.cleanup();
});

const event = (entity: string, entityId: string, kind: string, data: Record<string, unknown>) =>
  ({ id: randomUUID(), at: '2026-12-01T00:00:00.000Z', origin: randomUUID(), actor: null, entity, entityId, kind, data });

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`server migration 0014 on ${backend}`, () => {
    test('each register whose creation was stored gets the pushing workstation as its home; a home named before stays', async () => {
      const { cfg, old } = await oldServerStore({ backend, dir: tmp.dir, pg: pgServer, database: 'migrate_0014', migratedTo: '0013_claims_by_sender' });
      const created = randomUUID();
      const claimed = randomUUID();
      const updatedOnly = randomUUID();
      const sealedOnly = randomUUID();
      const batches = [
        { channel: 'base', origin: 'ws-creator-1', events: [event('registers', created, 'create', { secrecy: '["thuong"]' }), event('registers', claimed, 'create', { secrecy: '["mat"]' })] },
        // An update names no home (only a creation does), even from another workstation.
        { channel: 'base', origin: 'ws-editor-22', events: [event('registers', updatedOnly, 'update', { secrecy: '["thuong"]' })] },
        { channel: 'mat', origin: 'ws-sealed-33', events: [event('registers', sealedOnly, 'create', { secrecy: '["mat"]' })] },
      ];
      for (const [i, b] of batches.entries()) {
        const payload = Buffer.from(JSON.stringify(b.events));
        await sql`insert into batches (seq, batch_id, channel, key_id, encoding, origin, person, event_ids, event_count, size, sha256, received_at, payload)
                  values (${i + 1}, ${randomUUID()}, ${b.channel}, ${null}, ${'clear'}, ${b.origin}, ${'p-vanthu'}, ${JSON.stringify(b.events.map((e) => e.id))}, ${b.events.length}, ${payload.length}, ${'x'.repeat(64)}, ${'2026-12-01T00:00:00Z'}, ${payload})`.execute(old);
      }
      // A home named before the upgrade by the first allocation (the old rule): kept.
      await sql`insert into register_homes (register_gid, workstation, named_by, named_at) values (${claimed}, ${'ws-first-named'}, ${'p-x'}, ${'2026-11-30T00:00:00Z'})`.execute(old);
      await old.destroy();

      const store = await Store.open(cfg);
      try {
        const homes = await store.db.selectFrom('register_homes').select(['register_gid', 'workstation', 'named_by', 'named_at']).orderBy('workstation').execute();
        assert.deepEqual(homes, [
          { register_gid: created, workstation: 'ws-creator-1', named_by: 'p-vanthu', named_at: '2026-12-01T00:00:00Z' },
          { register_gid: claimed, workstation: 'ws-first-named', named_by: 'p-x', named_at: '2026-11-30T00:00:00Z' },
        ]);
        assert.deepEqual(await store.db.selectFrom('register_home_moves').selectAll().execute(), []);
      } finally {
        await store.close();
      }
    });
  });
}
