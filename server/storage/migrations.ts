// Schema migrations through Kysely's Migrator, the same steps on PostgreSQL and SQLite: only the
// binary column type differs (bytea / blob). Never edit a shipped step: append one.
import { sql, type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import { noteRegisterFacts, parseEvents } from './registerFacts';
import type { ServerDatabase } from './schema';

export type Dialect = 'postgres' | 'sqlite';

function steps(dialect: Dialect): Record<string, Migration> {
  const bytes = dialect === 'postgres' ? sql`bytea` : sql`blob`;
  return {
    '0001_events_and_keyrings': {
      async up(db: Kysely<unknown>) {
        await db.schema.createTable('counters')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('value', 'bigint', (c) => c.notNull())
          .execute();
        await db.insertInto('counters' as never).values([{ name: 'batches', value: 0 }, { name: 'keyrings', value: 0 }] as never).execute();
        await db.schema.createTable('batches')
          .addColumn('seq', 'bigint', (c) => c.primaryKey())
          .addColumn('batch_id', 'text', (c) => c.notNull().unique())
          .addColumn('channel', 'text', (c) => c.notNull())
          .addColumn('key_id', 'text')
          .addColumn('encoding', 'text', (c) => c.notNull())
          .addColumn('origin', 'text', (c) => c.notNull())
          .addColumn('person', 'text', (c) => c.notNull())
          .addColumn('event_ids', 'text', (c) => c.notNull())
          .addColumn('event_count', 'integer', (c) => c.notNull())
          .addColumn('size', 'integer', (c) => c.notNull())
          .addColumn('sha256', 'text', (c) => c.notNull())
          .addColumn('received_at', 'text', (c) => c.notNull())
          .addColumn('payload', bytes, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('idx_batches_channel_seq').on('batches').columns(['channel', 'seq']).execute();
        // An event is stored once per channel: a record moved to another level sends its history again
        // in that level's channel (docs/sync.md), under the same event ids.
        await db.schema.createTable('batch_events')
          .addColumn('channel', 'text', (c) => c.notNull())
          .addColumn('event_id', 'text', (c) => c.notNull())
          .addColumn('batch_id', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('pk_batch_events', ['channel', 'event_id'])
          .execute();
        await db.schema.createTable('keyrings')
          .addColumn('seq', 'bigint', (c) => c.primaryKey())
          .addColumn('channel', 'text', (c) => c.notNull())
          .addColumn('key_id', 'text', (c) => c.notNull())
          .addColumn('sha256', 'text', (c) => c.notNull())
          .addColumn('origin', 'text', (c) => c.notNull())
          .addColumn('person', 'text', (c) => c.notNull())
          .addColumn('size', 'integer', (c) => c.notNull())
          .addColumn('received_at', 'text', (c) => c.notNull())
          .addColumn('payload', bytes, (c) => c.notNull())
          .addUniqueConstraint('uq_keyrings_content', ['channel', 'key_id', 'sha256'])
          .execute();
        await db.schema.createTable('workstations')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('first_seen', 'text', (c) => c.notNull())
          .addColumn('last_seen', 'text', (c) => c.notNull())
          .addColumn('last_person', 'text', (c) => c.notNull())
          .addColumn('pushed', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
      },
    },
    // edXML packets between agencies (server/packets.ts, server/hub.ts, server/hubLink.ts): an agency
    // server's packets out (also its durable outbox to the hub) and in; the hub's packets and their
    // deliveries per recipient; small named values (the hub cursor, the directory copy).
    '0002_packets': {
      async up(db: Kysely<unknown>) {
        await db.insertInto('counters' as never).values([{ name: 'packets_out', value: 0 }, { name: 'packets_in', value: 0 }, { name: 'hub_deliveries', value: 0 }] as never).execute();
        await db.schema.createTable('packets_out')
          .addColumn('seq', 'bigint', (c) => c.primaryKey())
          .addColumn('packet_id', 'text', (c) => c.notNull().unique())
          .addColumn('sha256', 'text', (c) => c.notNull())
          .addColumn('size', 'integer', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('from_code', 'text', (c) => c.notNull())
          .addColumn('to_codes', 'text', (c) => c.notNull())
          .addColumn('person', 'text', (c) => c.notNull())
          .addColumn('workstation', 'text', (c) => c.notNull())
          .addColumn('received_at', 'text', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('next_attempt_at', 'text')
          .addColumn('error_code', 'text')
          .addColumn('last_error', 'text')
          .addColumn('forwarded_at', 'text')
          .addColumn('payload', bytes, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('idx_packets_out_state').on('packets_out').columns(['state', 'seq']).execute();
        await db.schema.createTable('packets_in')
          .addColumn('seq', 'bigint', (c) => c.primaryKey())
          .addColumn('packet_id', 'text', (c) => c.notNull().unique())
          .addColumn('sha256', 'text', (c) => c.notNull())
          .addColumn('size', 'integer', (c) => c.notNull())
          .addColumn('from_code', 'text', (c) => c.notNull())
          .addColumn('to_codes', 'text', (c) => c.notNull())
          .addColumn('received_at', 'text', (c) => c.notNull())
          .addColumn('stored_at', 'text', (c) => c.notNull())
          .addColumn('payload', bytes, (c) => c.notNull())
          .execute();
        await db.schema.createTable('hub_packets')
          .addColumn('packet_id', 'text', (c) => c.primaryKey())
          .addColumn('sha256', 'text', (c) => c.notNull())
          .addColumn('size', 'integer', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('from_code', 'text', (c) => c.notNull())
          .addColumn('to_codes', 'text', (c) => c.notNull())
          .addColumn('received_at', 'text', (c) => c.notNull())
          .addColumn('payload', bytes, (c) => c.notNull())
          .execute();
        await db.schema.createTable('hub_deliveries')
          .addColumn('seq', 'bigint', (c) => c.primaryKey())
          .addColumn('recipient', 'text', (c) => c.notNull())
          .addColumn('packet_id', 'text', (c) => c.notNull())
          .addUniqueConstraint('uq_hub_deliveries', ['recipient', 'packet_id'])
          .execute();
        await db.schema.createIndex('idx_hub_deliveries_recipient').on('hub_deliveries').columns(['recipient', 'seq']).execute();
        await db.schema.createTable('server_state')
          .addColumn('key', 'text', (c) => c.primaryKey())
          .addColumn('value', 'text', (c) => c.notNull())
          .execute();
      },
    },
    // Attachment files (sealed under their level's key by the workstation; opaque here), by channel and hash.
    '0003_blobs': {
      async up(db: Kysely<unknown>) {
        await db.schema.createTable('blobs')
          .addColumn('channel', 'text', (c) => c.notNull())
          .addColumn('sha256', 'text', (c) => c.notNull())
          .addColumn('sealed_sha256', 'text', (c) => c.notNull())
          .addColumn('size', 'bigint', (c) => c.notNull())
          .addColumn('origin', 'text', (c) => c.notNull())
          .addColumn('person', 'text', (c) => c.notNull())
          .addColumn('received_at', 'text', (c) => c.notNull())
          .addColumn('payload', bytes, (c) => c.notNull())
          .addPrimaryKeyConstraint('pk_blobs', ['channel', 'sha256'])
          .execute();
      },
    },
    // Exactly once across an agency's workstations (docs/exchange.md): which workstation took an inbound
    // packet into the exchange (`take`, final) and which one decides it (`decide`: register or refuse;
    // released by its holder when its local decision failed). The first insert wins on both back ends.
    '0004_packet_claims': {
      async up(db: Kysely<unknown>) {
        await db.schema.createTable('packet_claims')
          .addColumn('packet_id', 'text', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('workstation', 'text', (c) => c.notNull())
          .addColumn('person', 'text', (c) => c.notNull())
          .addColumn('claimed_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('pk_packet_claims', ['packet_id', 'kind'])
          .execute();
      },
    },
    // The hub's retention (docs/server.md): what each agency acknowledged (the cursor it pulls after),
    // and when a packet's bytes were purged (its row stays: the record of what passed, and a resent
    // copy is still recognised as a duplicate).
    '0005_hub_retention': {
      async up(db: Kysely<unknown>) {
        await db.schema.createTable('hub_cursors')
          .addColumn('recipient', 'text', (c) => c.primaryKey())
          .addColumn('acked', 'bigint', (c) => c.notNull())
          .addColumn('acked_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema.alterTable('hub_packets').addColumn('delivered_at', 'text').execute();
        await db.schema.alterTable('hub_packets').addColumn('purged_at', 'text').execute();
      },
    },
    // An outbound packet's bytes move to their own table. In SQLite an UPDATE rewrites the whole
    // record, overflow pages included: every state change of a queued 1 MB packet (attempt, error,
    // forwarded) rewrote its megabyte, the largest single cost of the exchange bench.
    '0006_outbound_payloads': {
      async up(db: Kysely<unknown>) {
        await db.schema.createTable('packets_out_payloads')
          .addColumn('seq', 'bigint', (c) => c.primaryKey())
          .addColumn('payload', bytes, (c) => c.notNull())
          .execute();
        await sql`insert into packets_out_payloads (seq, payload) select seq, payload from packets_out`.execute(db);
        await db.schema.alterTable('packets_out').dropColumn('payload').execute();
      },
    },
    // A workstation lost for good (docs/server.md, "A workstation lost for good"): an administrator
    // declares it, with a reason; its take claims are released (each release numbered, so the agency's
    // other workstations pick them up after a cursor and may take the packet), and anything it sends
    // afterwards is refused.
    '0007_lost_workstations': {
      async up(db: Kysely<unknown>) {
        await db.insertInto('counters' as never).values([{ name: 'claim_releases', value: 0 }] as never).execute();
        await db.schema.createTable('lost_workstations')
          .addColumn('workstation', 'text', (c) => c.primaryKey())
          .addColumn('declared_by', 'text', (c) => c.notNull())
          .addColumn('declared_from', 'text', (c) => c.notNull())
          .addColumn('reason', 'text', (c) => c.notNull())
          .addColumn('declared_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createTable('claim_releases')
          .addColumn('seq', 'bigint', (c) => c.primaryKey())
          .addColumn('packet_id', 'text', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('workstation', 'text', (c) => c.notNull())
          .addColumn('claimed_at', 'text', (c) => c.notNull())
          .addColumn('released_by', 'text', (c) => c.notNull())
          .addColumn('released_at', 'text', (c) => c.notNull())
          .execute();
      },
    },
    // Resumable uploads (docs/server.md, "Uploads that resume"): a large body arrives in chunks, each
    // committed with the upload's progress in one transaction, so a broken connection or a restart of
    // either side resumes at the server's offset. Staged per client (workstation or agency), invisible
    // until the whole is there and matches its announced size and SHA-256; stale ones expire.
    '0008_resumable_uploads': {
      async up(db: Kysely<unknown>) {
        await db.schema.createTable('uploads')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('owner', 'text', (c) => c.notNull())
          .addColumn('upload_key', 'text', (c) => c.notNull())
          .addColumn('total', 'bigint', (c) => c.notNull())
          .addColumn('sha256', 'text', (c) => c.notNull())
          .addColumn('received', 'bigint', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addUniqueConstraint('uq_uploads_owner_key', ['owner', 'upload_key'])
          .execute();
        await db.schema.createIndex('idx_uploads_updated').on('uploads').columns(['updated_at']).execute();
        await db.schema.createTable('upload_chunks')
          .addColumn('upload_id', 'text', (c) => c.notNull())
          .addColumn('start_at', 'bigint', (c) => c.notNull())
          .addColumn('payload', bytes, (c) => c.notNull())
          .addPrimaryKeyConstraint('pk_upload_chunks', ['upload_id', 'start_at'])
          .execute();
      },
    },
    // Shared registers' numbers (docs/server.md, "Numbering authority"): a counter per register, period
    // and bucket (its row lock serialises allocations: no duplicate, no gap), each number's record (the
    // record's global id is the key: asking again answers the same number; a number is held once per
    // sequence), and each register's home workstation (the first one named; only it reports offline numbers).
    '0009_register_numbers': {
      async up(db: Kysely<unknown>) {
        await db.schema.createTable('number_counters')
          .addColumn('register_gid', 'text', (c) => c.notNull())
          .addColumn('period', 'text', (c) => c.notNull())
          .addColumn('bucket', 'text', (c) => c.notNull())
          .addColumn('last', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('pk_number_counters', ['register_gid', 'period', 'bucket'])
          .execute();
        await db.schema.createTable('number_allocations')
          .addColumn('record_gid', 'text', (c) => c.primaryKey())
          .addColumn('register_gid', 'text', (c) => c.notNull())
          .addColumn('period', 'text', (c) => c.notNull())
          .addColumn('bucket', 'text', (c) => c.notNull())
          .addColumn('number', 'bigint', (c) => c.notNull())
          .addColumn('workstation', 'text', (c) => c.notNull())
          .addColumn('person', 'text', (c) => c.notNull())
          .addColumn('allocated_at', 'text', (c) => c.notNull())
          .addColumn('source', 'text', (c) => c.notNull())
          .addUniqueConstraint('uq_number_allocations_number', ['register_gid', 'period', 'bucket', 'number'])
          .execute();
        await db.schema.createTable('register_homes')
          .addColumn('register_gid', 'text', (c) => c.primaryKey())
          .addColumn('workstation', 'text', (c) => c.notNull())
          .addColumn('named_by', 'text', (c) => c.notNull())
          .addColumn('named_at', 'text', (c) => c.notNull())
          .execute();
      },
    },
    // Refusals travel back (docs/server.md, "A refusal reaches the sender"): each permanent refusal of an
    // outbound packet (by the hub) is numbered from a counter row in the refusing transaction, so the
    // agency's workstations read them after a cursor and never miss one that commits later. Packets
    // refused before this step are numbered now, in their order.
    '0010_packet_refusals': {
      async up(db: Kysely<unknown>) {
        await db.schema.createTable('packet_refusals')
          .addColumn('seq', 'bigint', (c) => c.primaryKey())
          .addColumn('packet_id', 'text', (c) => c.notNull().unique())
          .addColumn('code', 'text', (c) => c.notNull())
          .addColumn('message', 'text', (c) => c.notNull())
          .addColumn('workstation', 'text', (c) => c.notNull())
          .addColumn('refused_at', 'text', (c) => c.notNull())
          .execute();
        const prior = await sql<{ packet_id: string; error_code: string | null; last_error: string | null; workstation: string; received_at: string }>`
          select packet_id, error_code, last_error, workstation, received_at from packets_out where state = 'refused' order by seq`.execute(db);
        let n = 0;
        for (const r of prior.rows) {
          n++;
          await sql`insert into packet_refusals (seq, packet_id, code, message, workstation, refused_at) values (${n}, ${r.packet_id}, ${r.error_code ?? 'refused'}, ${r.last_error ?? ''}, ${r.workstation}, ${r.received_at})`.execute(db);
        }
        await db.insertInto('counters' as never).values([{ name: 'packet_refusals', value: n }] as never).execute();
      },
    },
    // What the numbering routes check (docs/server.md, "Numbering authority"): each register's lowest
    // level (the clearance it takes to number into it) and its closed years, read from the base
    // channel's clear events as they are stored; the events stored before this step are read here.
    '0011_number_register_facts': {
      async up(db: Kysely<unknown>) {
        await db.schema.createTable('number_registers')
          .addColumn('register_gid', 'text', (c) => c.primaryKey())
          .addColumn('min_rank', 'integer', (c) => c.notNull())
          .execute();
        await db.schema.createTable('number_closed_years')
          .addColumn('register_gid', 'text', (c) => c.notNull())
          .addColumn('year', 'integer', (c) => c.notNull())
          .addPrimaryKeyConstraint('pk_number_closed_years', ['register_gid', 'year'])
          .execute();
        const trx = db as unknown as Kysely<ServerDatabase>;
        let after = -1;
        for (;;) {
          const rows = await trx.selectFrom('batches').select(['seq', 'payload']).where('channel', '=', 'base').where('seq', '>', after).orderBy('seq').limit(200).execute();
          if (rows.length === 0) break;
          for (const r of rows) await noteRegisterFacts(trx, parseEvents(r.payload));
          after = Number(rows[rows.length - 1]!.seq);
        }
      },
    },
    // Packet ids scoped by sender (docs/server.md, "Packet ids are the sender's"): the identity of a packet
    // at the hub and in an agency server's inbound table is (sender agency, packet id), so an agency that
    // learns or guesses another agency's future packet id cannot take it first. The tables are rebuilt
    // (SQLite cannot change a key in place), each row keeping its sender; a delivery gets its packet's sender.
    '0012_packet_ids_by_sender': {
      async up(db: Kysely<unknown>) {
        await db.schema.createTable('hub_packets_by_sender')
          .addColumn('from_code', 'text', (c) => c.notNull())
          .addColumn('packet_id', 'text', (c) => c.notNull())
          .addColumn('sha256', 'text', (c) => c.notNull())
          .addColumn('size', 'integer', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('to_codes', 'text', (c) => c.notNull())
          .addColumn('received_at', 'text', (c) => c.notNull())
          .addColumn('payload', bytes, (c) => c.notNull())
          .addColumn('delivered_at', 'text')
          .addColumn('purged_at', 'text')
          .addPrimaryKeyConstraint('pk_hub_packets_by_sender', ['from_code', 'packet_id'])
          .execute();
        await sql`insert into hub_packets_by_sender (from_code, packet_id, sha256, size, kind, to_codes, received_at, payload, delivered_at, purged_at)
                  select from_code, packet_id, sha256, size, kind, to_codes, received_at, payload, delivered_at, purged_at from hub_packets`.execute(db);
        await db.schema.createTable('hub_deliveries_by_sender')
          .addColumn('seq', 'bigint', (c) => c.primaryKey())
          .addColumn('recipient', 'text', (c) => c.notNull())
          .addColumn('from_code', 'text', (c) => c.notNull())
          .addColumn('packet_id', 'text', (c) => c.notNull())
          .addUniqueConstraint('uq_hub_deliveries_by_sender', ['recipient', 'from_code', 'packet_id'])
          .execute();
        await sql`insert into hub_deliveries_by_sender (seq, recipient, from_code, packet_id)
                  select d.seq, d.recipient, p.from_code, d.packet_id from hub_deliveries d join hub_packets p on p.packet_id = d.packet_id`.execute(db);
        await db.schema.createTable('packets_in_by_sender')
          .addColumn('seq', 'bigint', (c) => c.primaryKey())
          .addColumn('from_code', 'text', (c) => c.notNull())
          .addColumn('packet_id', 'text', (c) => c.notNull())
          .addColumn('sha256', 'text', (c) => c.notNull())
          .addColumn('size', 'integer', (c) => c.notNull())
          .addColumn('to_codes', 'text', (c) => c.notNull())
          .addColumn('received_at', 'text', (c) => c.notNull())
          .addColumn('stored_at', 'text', (c) => c.notNull())
          .addColumn('payload', bytes, (c) => c.notNull())
          .addUniqueConstraint('uq_packets_in_by_sender', ['from_code', 'packet_id'])
          .execute();
        await sql`insert into packets_in_by_sender (seq, from_code, packet_id, sha256, size, to_codes, received_at, stored_at, payload)
                  select seq, from_code, packet_id, sha256, size, to_codes, received_at, stored_at, payload from packets_in`.execute(db);
        for (const t of ['hub_packets', 'hub_deliveries', 'packets_in']) {
          await db.schema.dropTable(t).execute();
          await db.schema.alterTable(`${t}_by_sender`).renameTo(t).execute();
        }
        await db.schema.createIndex('idx_hub_deliveries_recipient_seq').on('hub_deliveries').columns(['recipient', 'seq']).execute();
        // Claims and the workstations' inbox still name an inbound packet by its id alone (see docs/server.md).
        await db.schema.createIndex('idx_packets_in_packet_id').on('packets_in').columns(['packet_id']).execute();
      },
    },
    // Claims name an inbound packet by (sender, packet id) too (docs/server.md, "Packet ids are the
    // sender's"), so two agencies' packets under one id are each taken and decided once. A claim made
    // before named the id alone: it concerned the first packet stored under that id (a workstation then
    // kept the first one it pulled), so it takes that packet's sender; a claim whose packet the agency no
    // longer holds gets the sender '' (it can name nothing any more: no packet is ever claimed by it).
    // Releases get their packet's sender the same way.
    '0013_claims_by_sender': {
      async up(db: Kysely<unknown>) {
        await db.schema.createTable('packet_claims_by_sender')
          .addColumn('from_code', 'text', (c) => c.notNull())
          .addColumn('packet_id', 'text', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('workstation', 'text', (c) => c.notNull())
          .addColumn('person', 'text', (c) => c.notNull())
          .addColumn('claimed_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('pk_packet_claims_by_sender', ['from_code', 'packet_id', 'kind'])
          .execute();
        const firstSender = (alias: string) =>
          sql`coalesce((select p.from_code from packets_in p where p.packet_id = ${sql.ref(`${alias}.packet_id`)} order by p.seq limit 1), '')`;
        await sql`insert into packet_claims_by_sender (from_code, packet_id, kind, workstation, person, claimed_at)
                  select ${firstSender('c')}, c.packet_id, c.kind, c.workstation, c.person, c.claimed_at from packet_claims c`.execute(db);
        await db.schema.dropTable('packet_claims').execute();
        await db.schema.alterTable('packet_claims_by_sender').renameTo('packet_claims').execute();
        await db.schema.alterTable('claim_releases').addColumn('from_code', 'text', (c) => c.notNull().defaultTo('')).execute();
        await sql`update claim_releases set from_code = ${firstSender('claim_releases')}`.execute(db);
      },
    },
    // Moving a register's home (docs/server.md, "Numbering authority"): each move an administrator made
    // (who, from which workstation, when, from, to, why), kept for good: a former home's offline numbers are
    // judged by when it stopped being the home. And the rule that names a home: the workstation that pushed
    // the register's creation; registers whose creation is stored and no home named yet get theirs now.
    '0014_register_home_moves': {
      async up(db: Kysely<unknown>) {
        await db.schema.createTable('register_home_moves')
          .addColumn('move_id', 'text', (c) => c.primaryKey())
          .addColumn('register_gid', 'text', (c) => c.notNull())
          .addColumn('from_workstation', 'text')
          .addColumn('to_workstation', 'text', (c) => c.notNull())
          .addColumn('moved_by', 'text', (c) => c.notNull())
          .addColumn('moved_from', 'text', (c) => c.notNull())
          .addColumn('reason', 'text', (c) => c.notNull())
          .addColumn('moved_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('idx_register_home_moves').on('register_home_moves').columns(['register_gid', 'moved_at']).execute();
        const trx = db as unknown as Kysely<ServerDatabase>;
        let after = -1;
        for (;;) {
          const rows = await trx.selectFrom('batches').select(['seq', 'payload', 'origin', 'person', 'received_at']).where('channel', '=', 'base').where('seq', '>', after).orderBy('seq').limit(200).execute();
          if (rows.length === 0) break;
          for (const r of rows) {
            const creations = parseEvents(r.payload).filter((e) => e.entity === 'registers' && e.kind === 'create');
            if (creations.length) await noteRegisterFacts(trx, creations, { workstation: r.origin, person: r.person, at: r.received_at });
          }
          after = Number(rows[rows.length - 1]!.seq);
        }
      },
    },
    // A lost workstation's decide claims released safely (docs/server.md, "Released decide claims"): each
    // workstation's pull position per channel as the server served it (served: the end of what it was
    // handed contiguously from the start; acked: a cursor it asked from within that, i.e. kept), and the
    // sync log's head per channel when a workstation was declared lost (the watermark a released decide
    // claim waits for).
    '0015_pull_cursors_and_watermarks': {
      async up(db: Kysely<unknown>) {
        await db.schema.createTable('pull_cursors')
          .addColumn('workstation', 'text', (c) => c.notNull())
          .addColumn('channel', 'text', (c) => c.notNull())
          .addColumn('served', 'bigint', (c) => c.notNull())
          .addColumn('acked', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('pk_pull_cursors', ['workstation', 'channel'])
          .execute();
        await db.schema.createTable('lost_watermarks')
          .addColumn('workstation', 'text', (c) => c.notNull())
          .addColumn('channel', 'text', (c) => c.notNull())
          .addColumn('seq', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('pk_lost_watermarks', ['workstation', 'channel'])
          .execute();
      },
    },
    // A restore to an older point, marked by the operator before the service starts again: workstations
    // whose cursors are past its heads read again from them and send what the store lost (docs/server.md).
    '0016_restores': {
      async up(db: Kysely<unknown>) {
        await db.schema.createTable('restores')
          .addColumn('serial', 'integer', (c) => c.primaryKey())
          .addColumn('id', 'text', (c) => c.notNull().unique())
          .addColumn('marked_at', 'text', (c) => c.notNull())
          .addColumn('batches_head', 'bigint', (c) => c.notNull())
          .addColumn('keyrings_head', 'bigint', (c) => c.notNull())
          .execute();
        // Each workstation's last numbers after a restore, taken once (server/numbers.ts after-restore).
        await db.schema.createTable('restore_number_reports')
          .addColumn('restore_id', 'text', (c) => c.notNull())
          .addColumn('workstation', 'text', (c) => c.notNull())
          .addColumn('person', 'text', (c) => c.notNull())
          .addColumn('reported_at', 'text', (c) => c.notNull())
          .addColumn('raised', 'integer', (c) => c.notNull())
          .addPrimaryKeyConstraint('pk_restore_number_reports', ['restore_id', 'workstation'])
          .execute();
      },
    },
    // The furthest delivery the hub listed to each agency: a cursor past it was not given by this store
    // (restored to an older point) and acknowledges nothing (server/hub.ts, the inbox).
    '0017_hub_served': {
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable('hub_cursors').addColumn('served', 'bigint').execute();
      },
    },
    // Each sequence's counter as the restored store held it when the restore was marked: the numbers
    // above it may have been given after the backup, and their allocation rows are rebuilt from what
    // the workstations report (server/numbers.ts after-restore/records).
    '0018_restore_counters': {
      async up(db: Kysely<unknown>) {
        await db.schema.createTable('restore_counters')
          .addColumn('restore_id', 'text', (c) => c.notNull())
          .addColumn('register_gid', 'text', (c) => c.notNull())
          .addColumn('period', 'text', (c) => c.notNull())
          .addColumn('bucket', 'text', (c) => c.notNull())
          .addColumn('last', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('pk_restore_counters', ['restore_id', 'register_gid', 'period', 'bucket'])
          .execute();
      },
    },
    // What each workstation reported as a sequence's last after a restore: it may rebuild the allocation
    // rows of its own records only up to that (server/numbers.ts after-restore/records), never a number
    // another workstation's report raised the counter to.
    '0019_restore_reported_lasts': {
      async up(db: Kysely<unknown>) {
        await db.schema.createTable('restore_reported_lasts')
          .addColumn('restore_id', 'text', (c) => c.notNull())
          .addColumn('workstation', 'text', (c) => c.notNull())
          .addColumn('register_gid', 'text', (c) => c.notNull())
          .addColumn('period', 'text', (c) => c.notNull())
          .addColumn('bucket', 'text', (c) => c.notNull())
          .addColumn('last', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('pk_restore_reported_lasts', ['restore_id', 'workstation', 'register_gid', 'period', 'bucket'])
          .execute();
      },
    },
    // Whether a workstation's report after a restore came in whole (its last chunk, shorter than a full
    // one, arrived) and the highest clearance (secrecy rank) of the people who made it: a register's numbers
    // are given again once its home's report is whole and was made by someone cleared for the register
    // (numberStore.requireHomeReported). Reports made before count as whole, by the highest clearance.
    '0020_restore_reports_complete': {
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable('restore_number_reports').addColumn('complete', 'integer', (c) => c.notNull().defaultTo(0)).execute();
        await db.schema.alterTable('restore_number_reports').addColumn('clearance', 'integer', (c) => c.notNull().defaultTo(0)).execute();
        await sql`UPDATE restore_number_reports SET complete = 1, clearance = 3`.execute(db);
      },
    },
  };
}

class InCodeProvider implements MigrationProvider {
  constructor(private readonly dialect: Dialect) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return steps(this.dialect);
  }
}

/** Up to and including `name` only: a store left by an older server (the migration tests). */
export async function migrateTo(db: Kysely<unknown>, dialect: Dialect, name: string): Promise<void> {
  const { error } = await new Migrator({ db, provider: new InCodeProvider(dialect) }).migrateTo(name);
  if (error) throw error instanceof Error ? error : new Error(String(error));
}

export async function migrateToLatest(db: Kysely<unknown>, dialect: Dialect): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new InCodeProvider(dialect) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
