// Server migration 0011 on SQLite and on a real PostgreSQL: a server that stored base batches before it
// kept register facts reads them at the upgrade, so a register above a person's clearance and a year
// closed before the upgrade are known at once (no new event needed), and a classified batch is not read.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { registerFacts } from '../../../server/storage/registerFacts';
import { Store } from '../../../server/storage/store';
import { tempDir } from '../../helpers/desk';
import { oldServerStore } from '../../helpers/oldServerStore';
import { startPostgres, type TestPostgres } from '../../helpers/postgres';

let pgServer: TestPostgres;
let tmp: { dir: string; cleanup(): void };
before(async () => {
  tmp = tempDir('securedesk-migrate-0011-');
  pgServer = await startPostgres();
});
after(() => {
  pgServer?.stop();
  tmp?.cleanup();
});

const event = (entity: string, entityId: string, data: Record<string, unknown>) =>
  ({ id: randomUUID(), at: '2026-12-01T00:00:00.000Z', origin: randomUUID(), actor: null, entity, entityId, kind: 'create', data });

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`server migration 0011 on ${backend}`, () => {
    test('register levels and closed years of the base batches stored before the upgrade are known after it', async () => {
      const { cfg, old } = await oldServerStore({ backend, dir: tmp.dir, pg: pgServer, database: 'migrate_0011', migratedTo: '0009_register_numbers' });
      const top = randomUUID();
      const plain = randomUUID();
      const sealedOnly = randomUUID();
      const batches = [
        { channel: 'base', events: [event('registers', top, { secrecy: '["tuyet_mat"]' }), event('registers', plain, { secrecy: '["thuong"]' })] },
        { channel: 'base', events: [event('register_years', randomUUID(), { register_id: plain, year: 2025 })] },
        // A classified batch is ciphertext: never read, even were it to look like JSON.
        { channel: 'mat', events: [event('registers', sealedOnly, { secrecy: '["tuyet_mat"]' })] },
      ];
      for (const [i, b] of batches.entries()) {
        const payload = Buffer.from(JSON.stringify(b.events));
        await sql`insert into batches (seq, batch_id, channel, key_id, encoding, origin, person, event_ids, event_count, size, sha256, received_at, payload)
                  values (${i + 1}, ${randomUUID()}, ${b.channel}, ${null}, ${'clear'}, ${'w'}, ${'p'}, ${JSON.stringify(b.events.map((e) => e.id))}, ${b.events.length}, ${payload.length}, ${'x'.repeat(64)}, ${'2026-12-01T00:00:00Z'}, ${payload})`.execute(old);
      }
      await old.destroy();

      const store = await Store.open(cfg);
      try {
        assert.deepEqual(await registerFacts(store.db, top, 2026), { known: true, minRank: 3, yearClosed: false });
        assert.deepEqual(await registerFacts(store.db, plain, 2025), { known: true, minRank: 0, yearClosed: true });
        assert.deepEqual(await registerFacts(store.db, plain, 2026), { known: true, minRank: 0, yearClosed: false });
        assert.deepEqual(await registerFacts(store.db, sealedOnly, 2026), { known: false, minRank: 0, yearClosed: false });
      } finally {
        await store.close();
      }
    });
  });
}
