// The server's storage, one code path over PostgreSQL (production) and SQLite (the embedded default):
// batches of events numbered by the agency's own sequence, keyring entries, workstations seen.
// The sequence is a counter row updated inside the inserting transaction: its row lock makes
// batches commit in sequence order, so a reader that saw seq N never later finds a smaller one
// appear (a sequence/identity column would let a slower transaction commit a smaller number late).
import { createHash, randomUUID } from 'node:crypto';
import Database from 'better-sqlite3-multiple-ciphers';
import { Kysely, PostgresDialect, sql, SqliteDialect, type Transaction } from 'kysely';
import pg from 'pg';
import { noteRegisterFacts, parseEvents } from './registerFacts';
import type { BatchListing, BatchPushResult, BatchUpload, Channel, Encoding, KeyringListing, RestoreMark } from '../../main/core/sync/protocol';
import type { StorageConfig } from '../config';
import { migrateToLatest, type Dialect } from './migrations';
import { PacketFiles } from './packetFiles';
import type { ServerDatabase } from './schema';

export class StoreConflict extends Error {
  override readonly name = 'StoreConflict';
}

/** A push from a workstation declared lost (found inside the push's transaction, after the counter's lock). */
export class PushFromLost extends Error {
  override readonly name = 'PushFromLost';
}

class AlreadyStored extends Error {
  constructor(readonly seq: number) {
    super('already stored');
  }
}

export interface StoredPayloadSlice {
  channel: Channel;
  size: number;
  sha256: string;
  bytes: Buffer;
}

const num = (v: number | string | bigint): number => Number(v);
const ALIVE_KEY = 'service-alive';

/** What a workstation is told of the batch at a seq (Store.batchesAt). */
export const batchFingerprint = (seq: number, batchId: string) => createHash('sha256').update(`securedesk-batch-at\0${seq}\0${batchId}`).digest('hex').slice(0, 32);
/** How often a running service writes its heartbeat (markRestored refuses within three of them). */
export const HEARTBEAT_MS = 30_000;

/** PostgreSQL unique_violation (23505) or SQLite's UNIQUE / PRIMARY KEY constraint. */
const isUniqueViolation = (e: unknown): boolean => {
  const code = (e as { code?: unknown })?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
};

export class Store {
  /**
   * Large packet bodies as files beside an SQLite database (server/storage/packetFiles.ts); null on
   * PostgreSQL, whose bodies stay in the database (shared by every server process, off the event loop).
   */
  packetFiles: PacketFiles | null = null;

  private constructor(readonly db: Kysely<ServerDatabase>, readonly dialect: Dialect, private readonly closeExtra: () => Promise<void>) {}

  static async open(cfg: StorageConfig): Promise<Store> {
    if (cfg.kind === 'sqlite') {
      const file = new Database(cfg.file);
      if (cfg.keyHex) {
        file.pragma("cipher = 'sqlcipher'");
        file.pragma('legacy = 4');
        file.pragma(`key = "x'${cfg.keyHex.toLowerCase()}'"`);
      }
      file.pragma('journal_mode = WAL');
      // A batch or packet acknowledged (201) is synced: the client forgets it once told (NORMAL could lose it at a power cut).
      file.pragma('synchronous = FULL');
      file.pragma('busy_timeout = 5000');
      const db = new Kysely<ServerDatabase>({ dialect: new SqliteDialect({ database: cachedStatements(file) }) });
      const store = new Store(db, 'sqlite', async () => {});
      store.packetFiles = new PacketFiles(`${cfg.file}.packets`, cfg.keyHex);
      await migrateToLatest(db as Kysely<unknown>, 'sqlite');
      return store;
    }
    const pool = new pg.Pool({
      host: cfg.host, port: cfg.port, database: cfg.database, user: cfg.user, max: cfg.poolSize,
      ...(cfg.password !== undefined ? { password: cfg.password } : {}),
    });
    const db = new Kysely<ServerDatabase>({ dialect: new PostgresDialect({ pool }) });
    const store = new Store(db, 'postgres', async () => {});
    await migrateToLatest(db as Kysely<unknown>, 'postgres');
    return store;
  }

  async close(): Promise<void> {
    await this.db.destroy();
    await this.closeExtra();
  }

  async healthy(): Promise<boolean> {
    const r = await sql<{ one: number }>`select 1 as one`.execute(this.db);
    return num(r.rows[0]?.one ?? 0) === 1;
  }

  private async nextSeq(trx: Transaction<ServerDatabase>, name: 'batches' | 'keyrings'): Promise<number> {
    const row = await trx.updateTable('counters').set({ value: sql`value + 1` }).where('name', '=', name).returning('value').executeTakeFirstOrThrow();
    return num(row.value);
  }

  /** Stores a batch once: a retry of the same batch stores nothing and answers with its seq. */
  async putBatch(b: BatchUpload, payload: Buffer, origin: string, person: string, now: Date): Promise<BatchPushResult> {
    // A retry is usually seen here, before any lock is taken.
    const known = await this.priorBatch(b);
    if (known) return known;
    try {
      // The counter row is locked from its update to the commit: the event ids go in first (they
      // need no number), then one statement numbers and inserts the batch (PostgreSQL), then commit.
      const sha256 = createHash('sha256').update(payload).digest('hex');
      const seq = await this.db.transaction().execute(async (trx) => {
        await trx.insertInto('batch_events').values(b.eventIds.map((event_id) => ({ channel: b.channel, event_id, batch_id: b.batchId }))).execute();
        // The base travels in clear: the registers' facts the numbering routes check go in with it.
        if (b.channel === 'base') await noteRegisterFacts(trx, parseEvents(payload), { workstation: origin, person, at: now.toISOString() });
        const row = {
          batch_id: b.batchId, channel: b.channel, key_id: b.keyId, encoding: b.encoding, origin, person,
          event_ids: JSON.stringify(b.eventIds), event_count: b.eventIds.length, size: payload.length, sha256, received_at: now.toISOString(), payload,
        };
        if (this.dialect === 'postgres') {
          const r = await sql<{ seq: string }>`
            with c as (update counters set value = value + 1 where name = 'batches' returning value)
            insert into batches (seq, batch_id, channel, key_id, encoding, origin, person, event_ids, event_count, size, sha256, received_at, payload)
            select c.value, ${row.batch_id}::text, ${row.channel}::text, ${row.key_id}::text, ${row.encoding}::text, ${row.origin}::text, ${row.person}::text, ${row.event_ids}::text,
                   ${row.event_count}::integer, ${row.size}::integer, ${row.sha256}::text, ${row.received_at}::text, ${row.payload}::bytea from c returning seq`.execute(trx);
          await this.refuseLost(trx, origin);
          return num(r.rows[0]!.seq);
        }
        const next = await this.nextSeq(trx, 'batches');
        await this.refuseLost(trx, origin);
        await trx.insertInto('batches').values({ seq: next, ...row }).execute();
        return next;
      });
      await this.db.updateTable('workstations').set({ pushed: sql`pushed + ${b.eventIds.length}`, last_seen: now.toISOString() }).where('id', '=', origin).execute();
      return { seq, stored: true };
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      // A concurrent retry of the same batch won the race, or an event is already in another batch.
      const again = await this.priorBatch(b);
      if (again) return again;
      throw new StoreConflict(`an event of batch ${b.batchId} is already stored in another batch`);
    }
  }

  /**
   * Read after this transaction took the counter row's lock: a declaration that took it first has
   * committed, so a push it did not wait for (its watermark, LostStore.declare) never commits after it.
   */
  private async refuseLost(trx: Transaction<ServerDatabase>, origin: string): Promise<void> {
    const gone = await trx.selectFrom('lost_workstations').select('declared_at').where('workstation', '=', origin).executeTakeFirst();
    if (gone) throw new PushFromLost(`workstation ${origin} was declared lost for good on ${gone.declared_at}: its batch is refused`);
  }

  private async priorBatch(b: BatchUpload): Promise<BatchPushResult | null> {
    const prior = await this.db.selectFrom('batches').select(['seq', 'event_ids', 'channel']).where('batch_id', '=', b.batchId).executeTakeFirst();
    if (!prior) return null;
    if (prior.event_ids !== JSON.stringify(b.eventIds) || prior.channel !== b.channel) throw new StoreConflict(`batch ${b.batchId} was stored before with other contents`);
    return { seq: num(prior.seq), stored: false };
  }

  /** Batches of the channels after `after`, oldest first, leaving out the asking workstation's own. */
  async listBatches(channel: Channel, after: number, limit: number, excludeOrigin: string, inlineBytes: number): Promise<{ rows: BatchListing[]; more: boolean }> {
    const rows = await this.db.selectFrom('batches')
      .select(['seq', 'batch_id', 'channel', 'key_id', 'encoding', 'origin', 'event_ids', 'size', 'sha256', 'received_at'])
      // PostgreSQL hands bytea over as hex text that pg turns into a Buffer, then JSON wants base64: let
      // the database write the base64 once (encode() wraps lines every 76 characters; the wraps go).
      .select(this.dialect === 'postgres'
        ? sql<string | null>`case when size <= ${inlineBytes} then translate(encode(payload, 'base64'), chr(10), '') else null end`.as('inline')
        : sql<Buffer | null>`case when size <= ${inlineBytes} then payload else null end`.as('inline'))
      .where('channel', '=', channel).where('seq', '>', after).where('origin', '<>', excludeOrigin)
      .orderBy('seq').limit(limit + 1).execute();
    const more = rows.length > limit;
    return {
      more,
      rows: rows.slice(0, limit).map((r) => ({
        seq: num(r.seq), batchId: r.batch_id, channel: r.channel as Channel, keyId: r.key_id, encoding: r.encoding as Encoding, origin: r.origin,
        eventIds: JSON.parse(r.event_ids) as string[], size: r.size, sha256: r.sha256, receivedAt: r.received_at,
        ...(r.inline ? { payload: typeof r.inline === 'string' ? r.inline : Buffer.from(r.inline).toString('base64') } : {}),
      })),
    };
  }

  /** The last seq of the channel (the cursor a caught-up workstation holds). */
  async headSeq(): Promise<number> {
    const r = await this.db.selectFrom('counters').select('value').where('name', '=', 'batches').executeTakeFirstOrThrow();
    return num(r.value);
  }

  /**
   * A running service says so in the store every HEARTBEAT_MS and clears it when it stops cleanly, so
   * that `--mark-restored` can refuse to mark under a running service (PostgreSQL gives no lock to see).
   */
  async heartbeat(now: Date, pid: number): Promise<void> {
    const value = JSON.stringify({ at: now.toISOString(), pid });
    await this.db.insertInto('server_state').values({ key: ALIVE_KEY, value }).onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
  }

  async stoppedCleanly(): Promise<void> {
    await this.db.deleteFrom('server_state').where('key', '=', ALIVE_KEY).execute();
  }

  /** Writes the heartbeat now and every HEARTBEAT_MS (agency server and hub alike); the returned stop clears it. */
  async keepHeartbeat(clock: () => number, onError: (e: unknown) => void): Promise<() => Promise<void>> {
    await this.heartbeat(new Date(clock()), process.pid);
    const timer = setInterval(() => void this.heartbeat(new Date(clock()), process.pid).catch(onError), HEARTBEAT_MS);
    timer.unref();
    return async () => {
      clearInterval(timer);
      await this.stoppedCleanly().catch(() => {});
    };
  }

  /**
   * Marks the store as restored to an older point (the operator, before the service starts again on
   * it): its heads now are where every workstation that was past them reads again from. Refused while a
   * service seems to run on the store (its heartbeat is recent), unless `force`.
   */
  async markRestored(now: Date, o: { force?: boolean } = {}): Promise<RestoreMark> {
    const alive = await this.db.selectFrom('server_state').select('value').where('key', '=', ALIVE_KEY).executeTakeFirst();
    if (alive && !o.force) {
      const { at, pid } = JSON.parse(alive.value) as { at: string; pid: number };
      if (now.getTime() - Date.parse(at) < 3 * HEARTBEAT_MS) {
        throw new Error(`a service seems to be running on this store (process ${pid}, last heartbeat ${at}): stop it before marking the restore, or pass --force`);
      }
    }
    return this.db.transaction().execute(async (trx) => {
      const counters = await trx.selectFrom('counters').select(['name', 'value']).where('name', 'in', ['batches', 'keyrings']).execute();
      const head = (name: string) => num(counters.find((c) => c.name === name)?.value ?? 0);
      const last = await trx.selectFrom('restores').select(sql<number | string | null>`max(serial)`.as('serial')).executeTakeFirst();
      const row = { serial: num(last?.serial ?? 0) + 1, id: randomUUID(), marked_at: now.toISOString(), batches_head: head('batches'), keyrings_head: head('keyrings') };
      await trx.insertInto('restores').values(row).execute();
      // What the restored store's counters hold: numbers above them may have been given after the backup.
      await trx.insertInto('restore_counters')
        .columns(['restore_id', 'register_gid', 'period', 'bucket', 'last'])
        .expression((eb) => eb.selectFrom('number_counters').select([sql.lit(row.id).as('restore_id'), 'register_gid', 'period', 'bucket', 'last']))
        .execute();
      return { id: row.id, markedAt: row.marked_at, batchesHead: row.batches_head, keyringsHead: row.keyrings_head };
    });
  }

  /** Every restore marked, oldest first. */
  async restores(): Promise<RestoreMark[]> {
    const rows = await this.db.selectFrom('restores').selectAll().orderBy('serial').execute();
    return rows.map((r) => ({ id: r.id, markedAt: r.marked_at, batchesHead: num(r.batches_head), keyringsHead: num(r.keyrings_head) }));
  }

  /** The last restore marked (null: never restored). */
  async incarnation(): Promise<string | null> {
    const r = await this.db.selectFrom('restores').select('id').orderBy('serial', 'desc').limit(1).executeTakeFirst();
    return r?.id ?? null;
  }

  /**
   * Which batch the store holds at each seq (null: none), as a digest of seq and batch id: whichever
   * channel it is in, it tells a workstation only whether it is the batch it read there, not what it is.
   */
  async batchesAt(seqs: readonly number[]): Promise<Array<string | null>> {
    const wanted = [...new Set(seqs.filter((n) => n > 0))];
    const rows = wanted.length ? await this.db.selectFrom('batches').select(['seq', 'batch_id']).where('seq', 'in', wanted).execute() : [];
    const found = new Map(rows.map((r) => [num(r.seq), batchFingerprint(num(r.seq), r.batch_id)]));
    return seqs.map((n) => found.get(n) ?? null);
  }

  /** Which of these events the store holds in the channel. */
  async knownEvents(channel: Channel, eventIds: readonly string[]): Promise<string[]> {
    if (!eventIds.length) return [];
    const rows = await this.db.selectFrom('batch_events').select('event_id').where('channel', '=', channel).where('event_id', 'in', [...eventIds]).execute();
    return rows.map((r) => r.event_id);
  }

  /** A batch's channel, size and hash, without reading its payload. */
  async payloadHead(seq: number): Promise<Omit<StoredPayloadSlice, 'bytes'> | null> {
    const head = await this.db.selectFrom('batches').select(['channel', 'size', 'sha256']).where('seq', '=', seq).executeTakeFirst();
    return head ? { channel: head.channel as Channel, size: head.size, sha256: head.sha256 } : null;
  }

  /** Bytes [start, end] of a batch's payload (end inclusive, clamped), or null when there is no such batch. */
  async payloadSlice(seq: number, start: number, end: number | null): Promise<StoredPayloadSlice | null> {
    const head = await this.db.selectFrom('batches').select(['channel', 'size', 'sha256']).where('seq', '=', seq).executeTakeFirst();
    if (!head) return null;
    const last = Math.min(end ?? head.size - 1, head.size - 1);
    const count = Math.max(0, last - start + 1);
    const r = await this.db.selectFrom('batches').select(sql<Buffer>`substr(payload, ${start + 1}, ${count})`.as('part')).where('seq', '=', seq).executeTakeFirstOrThrow();
    return { channel: head.channel as Channel, size: head.size, sha256: head.sha256, bytes: Buffer.from(r.part ?? Buffer.alloc(0)) };
  }

  async putKeyring(channel: Channel, keyId: string, payload: Buffer, origin: string, person: string, now: Date): Promise<{ seq: number; stored: boolean }> {
    const sha256 = createHash('sha256').update(payload).digest('hex');
    try {
      return await this.db.transaction().execute(async (trx) => {
        const seq = await this.nextSeq(trx, 'keyrings');
        const prior = await trx.selectFrom('keyrings').select('seq').where('channel', '=', channel).where('key_id', '=', keyId).where('sha256', '=', sha256).executeTakeFirst();
        if (prior) throw new AlreadyStored(num(prior.seq));
        await trx.insertInto('keyrings').values({ seq, channel, key_id: keyId, sha256, origin, person, size: payload.length, received_at: now.toISOString(), payload }).execute();
        return { seq, stored: true };
      });
    } catch (e) {
      if (e instanceof AlreadyStored) return { seq: e.seq, stored: false };
      throw e;
    }
  }

  async listKeyrings(channel: Channel, after: number, limit: number): Promise<KeyringListing[]> {
    const rows = await this.db.selectFrom('keyrings').selectAll().where('channel', '=', channel).where('seq', '>', after).orderBy('seq').limit(limit).execute();
    return rows.map((r) => ({ seq: num(r.seq), channel: r.channel as Channel, keyId: r.key_id, size: r.size, sha256: r.sha256, receivedAt: r.received_at, payload: Buffer.from(r.payload).toString('base64') }));
  }

  async touchWorkstation(id: string, person: string, now: Date): Promise<void> {
    const at = now.toISOString();
    await this.db.insertInto('workstations').values({ id, first_seen: at, last_seen: at, last_person: person })
      .onConflict((oc) => oc.column('id').doUpdateSet({ last_seen: at, last_person: person })).execute();
  }

  /** For the administrator's view: each workstation's last contact and how much it pushed. */
  async workstations(): Promise<Array<{ id: string; firstSeen: string; lastSeen: string; lastPerson: string; pushed: number }>> {
    const rows = await this.db.selectFrom('workstations').selectAll().orderBy('id').execute();
    return rows.map((r) => ({ id: r.id, firstSeen: r.first_seen, lastSeen: r.last_seen, lastPerson: r.last_person, pushed: num(r.pushed) }));
  }

  /** Counts for tests and the administrator: batches and events per channel. */
  async counts(): Promise<Record<string, { batches: number; events: number }>> {
    const rows = await this.db.selectFrom('batches').select(['channel', sql<number>`count(*)`.as('n'), sql<number>`sum(event_count)`.as('e')]).groupBy('channel').execute();
    return Object.fromEntries(rows.map((r) => [r.channel, { batches: num(r.n), events: num(r.e) }]));
  }
}

/** Prepared statements kept, per SQLite connection (the most recently prepared; the server has a few dozen). */
const STATEMENT_CACHE = 256;

/**
 * The connection as Kysely's SQLite driver sees it, with its statements prepared once per SQL text:
 * the driver prepares every query anew, which on the packet path cost more CPU than running them. One
 * statement is never run twice at once: the driver serialises queries on its single connection.
 */
function cachedStatements(file: Database.Database): { close(): void; prepare(sql: string): Database.Statement } {
  const cache = new Map<string, Database.Statement>();
  return {
    close: () => {
      cache.clear();
      file.close();
    },
    prepare: (sql) => {
      let stmt = cache.get(sql);
      if (stmt) return stmt;
      stmt = file.prepare(sql);
      if (cache.size >= STATEMENT_CACHE) cache.delete(cache.keys().next().value!);
      cache.set(sql, stmt);
      return stmt;
    },
  };
}
