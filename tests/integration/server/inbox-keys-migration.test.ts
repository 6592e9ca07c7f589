// Server migration 0013 on SQLite and on a real PostgreSQL: an agency server's claims name an inbound
// packet by (sender, packet id). A claim and a release made before keep their packet: the first one the
// agency stored under the id (what a workstation of then kept); afterwards another sender's packet under
// that id is claimed on its own, while the first packet's claim still holds, for its workstation only.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3-multiple-ciphers';
import { Kysely, PostgresDialect, sql, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { StorageConfig } from '../../../server/config';
import { migrateTo } from '../../../server/storage/migrations';
import { LostStore } from '../../../server/storage/lostStore';
import { PacketStore } from '../../../server/storage/packetStore';
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
  tmp = tempDir('securedesk-migrate-0013-');
  pgServer = await startPostgres();
});
after(() => {
  pgServer?.stop();
  tmp?.cleanup();
});

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`server migration 0013 on ${backend}`, () => {
    test('claims and releases keep their packet (the first stored under the id); another sender\'s packet under that id is claimed on its own', async () => {
      let cfg: StorageConfig;
      let old: Kysely<unknown>;
      if (backend === 'sqlite') {
        const file = join(tmp.dir, 'agency.db');
        cfg = { kind: 'sqlite', file };
        old = new Kysely({ dialect: new SqliteDialect({ database: new Database(file) }) });
      } else {
        pgServer.psql('CREATE DATABASE migrate_0013', 'postgres');
        cfg = { kind: 'postgres', host: pgServer.host, port: pgServer.port, database: 'migrate_0013', user: pgServer.user, poolSize: 2 };
        old = new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ host: pgServer.host, port: pgServer.port, database: 'migrate_0013', user: pgServer.user, max: 2 }) }) });
      }
      // The previous server's schema: C's agency server holds A's packet X (seq 1), then B's packet X
      // (seq 2, possible since 0012); w1 took and decided X (A's, the first), a lost workstation's take of
      // another packet Y (A's) was released.
      await migrateTo(old, backend, '0012_packet_ids_by_sender');
      const x = 'status-0123456789abcdef';
      const y = 'document-00000000000001';
      const [fromA, fromB, fromAy] = [randomBytes(500), randomBytes(600), randomBytes(700)];
      const inbound = async (seq: number, id: string, from: string, payload: Buffer) =>
        sql`insert into packets_in (seq, packet_id, sha256, size, from_code, to_codes, received_at, stored_at, payload)
            values (${seq}, ${id}, ${sha(payload)}, ${payload.length}, ${from}, ${JSON.stringify([C])}, ${AT.toISOString()}, ${AT.toISOString()}, ${payload})`.execute(old);
      await inbound(1, x, A, fromA);
      await inbound(2, x, B, fromB);
      await inbound(3, y, A, fromAy);
      await sql`update counters set value = 3 where name = 'packets_in'`.execute(old);
      for (const kind of ['take', 'decide']) {
        await sql`insert into packet_claims (packet_id, kind, workstation, person, claimed_at) values (${x}, ${kind}, ${'w1'}, ${'p1'}, ${AT.toISOString()})`.execute(old);
      }
      await sql`insert into claim_releases (seq, packet_id, kind, workstation, claimed_at, released_by, released_at)
                values (${1}, ${y}, ${'take'}, ${'lost'}, ${AT.toISOString()}, ${'admin'}, ${AT.toISOString()})`.execute(old);
      await sql`update counters set value = 1 where name = 'claim_releases'`.execute(old);
      await old.destroy();

      const store = await Store.open(cfg);
      try {
        const packets = new PacketStore(store.db);
        const lost = new LostStore(store.db);
        // The claims are A's packet's (the first stored under X); B's packet X has none.
        assert.deepEqual((await store.db.selectFrom('packet_claims').select(['from_code', 'packet_id', 'kind', 'workstation']).orderBy('kind').execute()),
          [{ from_code: A, packet_id: x, kind: 'decide', workstation: 'w1' }, { from_code: A, packet_id: x, kind: 'take', workstation: 'w1' }]);
        assert.equal((await packets.claimOf({ from: A, packetId: x }, 'take', 'w2'))?.workstation, 'w1');
        assert.equal(await packets.claimOf({ from: B, packetId: x }, 'take', 'w2'), null);
        // B's packet X is taken by w2 on its own; A's stays w1's, whoever asks.
        assert.equal((await packets.claim({ from: B, packetId: x }, 'take', 'w2', 'p2', AT)).mine, true);
        const a = await packets.claim({ from: A, packetId: x }, 'take', 'w2', 'p2', AT);
        assert.deepEqual([a.mine, a.workstation], [false, 'w1']);
        const many = await packets.claimMany([{ from: A, packetId: x }, { from: B, packetId: x }], 'take', 'w3', 'p3', AT);
        assert.deepEqual([...many.values()].map((c) => [c.from, c.workstation]).sort(), [[A, 'w1'], [B, 'w2']]);
        // A bare id (a workstation from before) is the first packet stored under it.
        assert.equal(await packets.inboundSender(x, null), A);
        assert.equal(await packets.inboundSender(x, B.toLowerCase()), B, 'the sender matched whatever its case');
        assert.equal(await packets.inboundSender(x, C), null);
        // The release kept its packet (A's Y) and lists it with its sender's listing, once.
        const releases = await lost.releases(0, 10);
        assert.deepEqual(releases.rows.map((r) => [r.packetId, r.inbound.from, r.inbound.seq]), [[y, A, 3]]);
        // Releasing one sender's decide leaves the other's.
        assert.equal((await packets.claim({ from: B, packetId: x }, 'decide', 'w2', 'p2', AT)).mine, true);
        assert.equal(await packets.release({ from: B, packetId: x }, 'decide', 'w2'), true);
        assert.equal((await packets.claimOf({ from: A, packetId: x }, 'decide', 'w1'))?.mine, true);
      } finally {
        await store.close();
      }
    });
  });
}
