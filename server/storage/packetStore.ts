// Packets between agencies in the server's storage (same code on PostgreSQL and SQLite). Every write
// is idempotent by packet id: a retry stores nothing twice and the same id with other bytes is refused.
// Between agencies (the hub, an agency server's inbound packets) a packet is (sender, packet id): ids
// are each sender's own, so no agency can take another's id first (server migration 0012).
// Sequences come from counter rows updated inside the inserting transaction (the row lock makes rows
// commit in sequence order, so a reader at cursor N never later finds a smaller number appear).
import { sql, type Kysely, type Transaction } from 'kysely';
import { packetKeyString, type ClaimKind, type OutboundState, type PacketClaim, type PacketKey, type PacketListing, type PacketRefusal } from '../../main/core/sync/packets/protocol';
import { ORPHAN_GRACE_MS, type PacketArea, type PacketFiles } from './packetFiles';
import type { ServerDatabase } from './schema';

export class ChangedBody extends Error {
  override readonly name = 'ChangedBody';
}

const num = (v: number | string | bigint): number => Number(v);
const isUniqueViolation = (e: unknown): boolean => {
  const code = (e as { code?: unknown })?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
};

export interface NewPacket {
  packetId: string;
  sha256: string;
  kind: 'sealed' | 'clear';
  from: string;
  to: string[];
  payload: Buffer;
  now: Date;
}

export interface OutboundRow {
  seq: number;
  packetId: string;
  sha256: string;
  size: number;
  attempts: number;
  payload: Buffer;
}

export interface SliceHead {
  size: number;
  sha256: string;
}

export interface Slice extends SliceHead {
  bytes: Buffer;
}

/** The hub packet behind a delivery, only when the delivery is the recipient's. */
const hubDelivery = (recipient: string, seq: number) =>
  sql`exists (select 1 from hub_deliveries d where d.seq = ${seq} and d.recipient = ${recipient} and d.from_code = hub_packets.from_code and d.packet_id = hub_packets.packet_id)`;

type CounterName = 'packets_out' | 'packets_in' | 'hub_deliveries' | 'packet_refusals';
type PacketTable = 'packets_out' | 'packets_in' | 'hub_packets';

/** A row whose body is in a file (packetFiles.ts) holds this in its payload column. */
const IN_FILE = Buffer.alloc(0);
const AREA: Record<PacketTable, PacketArea> = { packets_out: 'out', packets_in: 'in', hub_packets: 'hub' };

export class PacketStore {
  /** `files`: where large bodies go (an SQLite store's packetFiles); null keeps every body in its row. */
  constructor(private readonly db: Kysely<ServerDatabase>, private readonly files: PacketFiles | null = null) {}

  /** Writes a large body to its file, durable before the row naming it commits; returns what the row's payload column holds. */
  private async bodyFirst(table: PacketTable, p: { packetId: string; sha256: string; payload: Buffer }): Promise<Buffer> {
    if (!this.files?.wants(p.payload.length)) return p.payload;
    await this.files.put(AREA[table], p.packetId, p.sha256, p.payload);
    return IN_FILE;
  }

  /** After an insert that did not happen: the file goes unless a row names it (a concurrent copy of the same packet won). */
  private async dropUnreferenced(table: PacketTable, packetId: string, sha256: string): Promise<void> {
    // Two senders' packets under one id have other bytes (the bytes name their sender): id and digest name one body.
    const r = await this.db.selectFrom(table).select('sha256').where('packet_id', '=', packetId).where('sha256', '=', sha256).executeTakeFirst();
    if (!r) await this.files!.drop(AREA[table], packetId, sha256);
  }

  /** A row's body: its payload column, or its file when the column holds IN_FILE. */
  private async body(table: PacketTable, r: { packet_id: string; sha256: string; size: number }, held: Buffer, start = 0, end = r.size - 1): Promise<Buffer> {
    if (held.length > 0 || r.size === 0) return held.subarray(start, end + 1);
    if (!this.files) throw new Error(`packet ${r.packet_id}: its body is in a file, and this store keeps none`);
    return this.files.read(AREA[table], r.packet_id, r.sha256, r.size, start, end);
  }

  /**
   * Removes body files no row names (a crash between a file's write and its row's commit, or a cut write's
   * temporary), once older than `graceMs`: a younger one may belong to a row about to commit. A file whose
   * row exists (same packet id and digest) is never touched. Run at start; returns how many went, per area.
   */
  async sweepOrphanFiles(now: Date, graceMs = ORPHAN_GRACE_MS): Promise<Record<PacketArea, number>> {
    const removed: Record<PacketArea, number> = { out: 0, in: 0, hub: 0 };
    if (!this.files) return removed;
    const oldest = now.getTime() - graceMs;
    for (const [table, area] of Object.entries(AREA) as Array<[PacketTable, PacketArea]>) {
      const old = (await this.files.list(area)).filter((f) => f.modifiedMs < oldest);
      for (let i = 0; i < old.length; i += 500) {
        const slice = old.slice(i, i + 500);
        const ids = [...new Set(slice.flatMap((f) => (f.packetId ? [f.packetId] : [])))];
        const rows = ids.length ? await this.db.selectFrom(table).select(['packet_id', 'sha256']).where('packet_id', 'in', ids).execute() : [];
        const named = new Set(rows.map((r) => `${r.packet_id}.${r.sha256}`));
        for (const f of slice) {
          if (f.packetId && named.has(`${f.packetId}.${f.sha256}`)) continue;
          await this.files.remove(area, f.name);
          removed[area]++;
        }
      }
    }
    return removed;
  }

  private async next(trx: Transaction<ServerDatabase>, name: CounterName): Promise<number> {
    const row = await trx.updateTable('counters').set({ value: sql`value + 1` }).where('name', '=', name).returning('value').executeTakeFirstOrThrow();
    return num(row.value);
  }

  /**
   * Stored before with the same bytes: 'duplicate'; with other bytes: ChangedBody; never: null. At the hub
   * only the sender's own packets count (`from`): another agency's packet under the same id is another packet.
   */
  private async prior(table: 'packets_out' | 'hub_packets', packetId: string, sha256: string, from: string | null): Promise<'duplicate' | null> {
    let q = this.db.selectFrom(table).select('sha256').where('packet_id', '=', packetId);
    if (from !== null) q = q.where('from_code', '=', from);
    const r = await q.executeTakeFirst();
    if (!r) return null;
    if (r.sha256 !== sha256) throw new ChangedBody(`packet ${packetId} was stored before with other bytes`);
    return 'duplicate';
  }

  private async once(table: 'packets_out' | 'hub_packets', p: NewPacket, insert: (payload: Buffer) => Promise<void>): Promise<'stored' | 'duplicate'> {
    const from = table === 'hub_packets' ? p.from : null;
    const known = await this.prior(table, p.packetId, p.sha256, from);
    if (known) return known;
    const payload = await this.bodyFirst(table, p);
    try {
      await insert(payload);
      return 'stored';
    } catch (e) {
      if (payload === IN_FILE) await this.dropUnreferenced(table, p.packetId, p.sha256).catch(() => {}); // an orphan file is harmless; the error is what counts
      if (!isUniqueViolation(e)) throw e;
      const again = await this.prior(table, p.packetId, p.sha256, from); // a concurrent retry won the race
      if (again) return again;
      throw e;
    }
  }

  // ---------- agency server: packets out (and the outbox to the hub) ----------

  /**
   * Another workstation of the agency submitted this packet id first with other bytes: the same logical
   * packet made twice before the two workstations' records synced (ids are deterministic), so the first
   * is the one that leaves. Same workstation, other bytes: ChangedBody as ever.
   */
  async submittedElsewhere(packetId: string, workstation: string): Promise<{ sha256: string } | null> {
    const r = await this.db.selectFrom('packets_out').select(['sha256', 'workstation']).where('packet_id', '=', packetId).executeTakeFirst();
    return r && r.workstation !== workstation ? { sha256: r.sha256 } : null;
  }

  /** The digest and submitting workstation of an outbound packet (a resumable upload already complete). */
  async outboundDigest(packetId: string): Promise<{ sha256: string; workstation: string } | null> {
    const r = await this.db.selectFrom('packets_out').select(['sha256', 'workstation']).where('packet_id', '=', packetId).executeTakeFirst();
    return r ?? null;
  }

  submitOutbound(p: NewPacket & { person: string; workstation: string }): Promise<'stored' | 'duplicate'> {
    return this.once('packets_out', p, (payload) => this.db.transaction().execute(async (trx) => {
      const seq = await this.next(trx, 'packets_out');
      await trx.insertInto('packets_out').values({
        seq, packet_id: p.packetId, sha256: p.sha256, size: p.payload.length, kind: p.kind, from_code: p.from, to_codes: JSON.stringify(p.to),
        person: p.person, workstation: p.workstation, received_at: p.now.toISOString(), state: 'queued',
      }).execute();
      await trx.insertInto('packets_out_payloads').values({ seq, payload }).execute();
    }));
  }

  async outboundState(packetId: string): Promise<OutboundState | null> {
    const r = await this.db.selectFrom('packets_out').select(['packet_id', 'state', 'attempts', 'error_code', 'last_error', 'forwarded_at']).where('packet_id', '=', packetId).executeTakeFirst();
    return r ? { packetId: r.packet_id, state: r.state as OutboundState['state'], attempts: r.attempts, errorCode: r.error_code, error: r.last_error, forwardedAt: r.forwarded_at } : null;
  }

  /** Where each of these outbound packets is (those this server holds; the others are left out). */
  async outboundStates(packetIds: readonly string[]): Promise<Array<{ packetId: string; state: OutboundState['state'] }>> {
    if (!packetIds.length) return [];
    const rows = await this.db.selectFrom('packets_out').select(['packet_id', 'state']).where('packet_id', 'in', [...packetIds]).execute();
    return rows.map((r) => ({ packetId: r.packet_id, state: r.state as OutboundState['state'] }));
  }

  /** The oldest packet waiting for the hub, if its next attempt is due (packets leave in order). */
  async headOfOutbound(now: Date): Promise<OutboundRow | 'waiting' | null> {
    const r = await this.db.selectFrom('packets_out').select(['seq', 'packet_id', 'sha256', 'size', 'attempts', 'next_attempt_at'])
      .where('state', '=', 'queued').orderBy('seq').limit(1).executeTakeFirst();
    if (!r) return null;
    if (r.next_attempt_at && Date.parse(r.next_attempt_at) > now.getTime()) return 'waiting';
    const body = await this.db.selectFrom('packets_out_payloads').select('payload').where('seq', '=', r.seq).executeTakeFirstOrThrow();
    const payload = await this.body('packets_out', r, Buffer.from(body.payload));
    return { seq: num(r.seq), packetId: r.packet_id, sha256: r.sha256, size: r.size, attempts: r.attempts, payload };
  }

  async markForwarded(packetId: string, now: Date): Promise<void> {
    await this.db.updateTable('packets_out').set({ state: 'forwarded', forwarded_at: now.toISOString(), error_code: null, last_error: null, next_attempt_at: null })
      .where('packet_id', '=', packetId).execute();
  }

  /**
   * A permanent refusal: the packet leaves the queue and the refusal is numbered (packet_refusals) in the
   * same transaction, so the agency's workstations read it after their cursor (refusals()). Once: a
   * packet no longer queued (refused or forwarded before) is left as it is.
   */
  async markRefused(packetId: string, code: string, message: string, now: Date): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.updateTable('packets_out').set({ state: 'refused', error_code: code, last_error: message.slice(0, 500), next_attempt_at: null })
        .where('packet_id', '=', packetId).where('state', '=', 'queued').returning('workstation').executeTakeFirst();
      if (!row) return false;
      const seq = await this.next(trx, 'packet_refusals');
      await trx.insertInto('packet_refusals').values({ seq, packet_id: packetId, code, message: message.slice(0, 500), workstation: row.workstation, refused_at: now.toISOString() }).execute();
      return true;
    });
  }

  /** Refusals of the agency's outbound packets after `after`, in the order they were made. */
  async refusals(after: number, limit: number): Promise<{ rows: PacketRefusal[]; more: boolean }> {
    const rows = await this.db.selectFrom('packet_refusals').selectAll().where('seq', '>', after).orderBy('seq').limit(limit + 1).execute();
    return {
      more: rows.length > limit,
      rows: rows.slice(0, limit).map((r) => ({ seq: num(r.seq), packetId: r.packet_id, code: r.code, message: r.message, workstation: r.workstation, refusedAt: r.refused_at })),
    };
  }

  async recordOutboundFailure(packetId: string, message: string, nextAttemptAt: Date): Promise<void> {
    await this.db.updateTable('packets_out').set({ attempts: sql`attempts + 1`, last_error: message.slice(0, 500), next_attempt_at: nextAttemptAt.toISOString() })
      .where('packet_id', '=', packetId).execute();
  }

  async outboundCounts(): Promise<Record<'queued' | 'forwarded' | 'refused', number>> {
    const rows = await this.db.selectFrom('packets_out').select(['state', sql<number>`count(*)`.as('n')]).groupBy('state').execute();
    const out = { queued: 0, forwarded: 0, refused: 0 };
    for (const r of rows) out[r.state as keyof typeof out] = num(r.n);
    return out;
  }

  // ---------- agency server: packets in ----------

  /**
   * Takes a packet pulled from the hub and moves the hub cursor in the same transaction, so a crash
   * either keeps both or neither; a packet already here (pulled before the cursor moved) is not kept twice.
   */
  async acceptInbound(l: PacketListing, payload: Buffer, now: Date, cursorKey: string): Promise<boolean> {
    // A large body goes to its file first (outside the transaction: the write does not hold the database).
    const inFile = this.files?.wants(payload.length) && !(await this.db.selectFrom('packets_in').select('seq').where('from_code', '=', l.from).where('packet_id', '=', l.packetId).executeTakeFirst());
    const held = inFile ? await this.bodyFirst('packets_in', { packetId: l.packetId, sha256: l.sha256, payload }) : payload;
    let stored = false;
    try {
      stored = await this.db.transaction().execute(async (trx) => {
        // The same sender's packet again (pulled before the cursor moved); another sender's under this id is another packet.
        const known = await trx.selectFrom('packets_in').select('sha256').where('from_code', '=', l.from).where('packet_id', '=', l.packetId).executeTakeFirst();
        let fresh = false;
        if (!known) {
          const seq = await this.next(trx, 'packets_in');
          await trx.insertInto('packets_in').values({
            seq, packet_id: l.packetId, sha256: l.sha256, size: payload.length, from_code: l.from, to_codes: JSON.stringify(l.to),
            received_at: l.receivedAt, stored_at: now.toISOString(), payload: held,
          }).execute();
          fresh = true;
        }
        await this.setStateIn(trx, cursorKey, String(l.seq));
        return fresh;
      });
    } finally {
      if (held === IN_FILE && !stored) await this.dropUnreferenced('packets_in', l.packetId, l.sha256).catch(() => {});
    }
    return stored;
  }

  async listInbound(after: number, limit: number, inlineBytes: number): Promise<{ rows: PacketListing[]; more: boolean }> {
    const rows = await this.db.selectFrom('packets_in')
      .select(['seq', 'packet_id', 'from_code', 'to_codes', 'size', 'sha256', 'received_at'])
      .select(sql<Buffer | null>`case when size <= ${inlineBytes} then payload else null end`.as('inline'))
      .where('seq', '>', after).orderBy('seq').limit(limit + 1).execute();
    return { more: rows.length > limit, rows: (await this.inlineFiles('packets_in', rows.slice(0, limit))).map(listing) };
  }

  inboundSlice(seq: number, start: number, end: number): Promise<Slice | null> {
    return this.slice('packets_in', sql`seq = ${seq}`, start, end);
  }

  /** An inbound packet's size and hash, without reading its bytes. */
  inboundHead(seq: number): Promise<SliceHead | null> {
    return this.head('packets_in', sql`seq = ${seq}`);
  }

  /** Whether the agency holds an inbound packet under this id (from any sender). */
  async hasInbound(packetId: string): Promise<boolean> {
    return (await this.inboundSender(packetId, null)) !== null;
  }

  /**
   * The sender of the inbound packet a claim names: `from` when the agency holds that sender's packet
   * under this id; without `from` (a workstation from before claims named the sender) the first packet
   * stored under the id, as such a workstation kept the first one it pulled. Null: no such packet.
   */
  async inboundSender(packetId: string, from: string | null): Promise<string | null> {
    let q = this.db.selectFrom('packets_in').select('from_code').where('packet_id', '=', packetId);
    // The code as stored is the key; a workstation may have kept it upper-cased.
    if (from !== null) q = q.where(sql<string>`upper(from_code)`, '=', from.toUpperCase());
    const r = await q.orderBy('seq').limit(1).executeTakeFirst();
    return r ? r.from_code : null;
  }

  /** The holder of a claim on an inbound packet (its sender and id), or null. */
  async claimOf(key: PacketKey, kind: ClaimKind, asker: string): Promise<PacketClaim | null> {
    const r = await this.db.selectFrom('packet_claims').selectAll().where('from_code', '=', key.from).where('packet_id', '=', key.packetId).where('kind', '=', kind).executeTakeFirst();
    return r ? { kind, packetId: key.packetId, from: key.from, workstation: r.workstation, person: r.person, claimedAt: r.claimed_at, mine: r.workstation === asker } : null;
  }

  /** Claims for `workstation`: the first insert wins (primary key); asking again for one's own claim is answered the same. */
  async claim(key: PacketKey, kind: ClaimKind, workstation: string, person: string, now: Date): Promise<PacketClaim> {
    try {
      await this.db.insertInto('packet_claims').values({ from_code: key.from, packet_id: key.packetId, kind, workstation, person, claimed_at: now.toISOString() }).execute();
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
    }
    return (await this.claimOf(key, kind, workstation))!;
  }

  /**
   * The inbound packets the agency holds under these ids, each as stored (its sender's code as the hub
   * gave it), by packetKeyString with the sender upper-cased (a workstation may have kept it so).
   */
  async inboundKeysAmong(packetIds: readonly string[]): Promise<Map<string, PacketKey>> {
    const out = new Map<string, PacketKey>();
    if (!packetIds.length) return out;
    const rows = await this.db.selectFrom('packets_in').select(['from_code', 'packet_id']).where('packet_id', 'in', [...new Set(packetIds)]).orderBy('seq').execute();
    for (const r of rows) out.set(packetKeyString({ from: r.from_code.toUpperCase(), packetId: r.packet_id }), { from: r.from_code, packetId: r.packet_id });
    return out;
  }

  /** The holders of one kind of claim on these packets (absent: none), by packetKeyString. */
  async claimsOf(keys: readonly PacketKey[], kind: ClaimKind, asker: string): Promise<Map<string, PacketClaim>> {
    const out = new Map<string, PacketClaim>();
    if (!keys.length) return out;
    const wanted = new Set(keys.map(packetKeyString));
    const rows = await this.db.selectFrom('packet_claims').selectAll().where('packet_id', 'in', [...new Set(keys.map((k) => k.packetId))]).where('kind', '=', kind).execute();
    for (const r of rows) {
      const key = packetKeyString({ from: r.from_code, packetId: r.packet_id });
      if (wanted.has(key)) out.set(key, { kind, packetId: r.packet_id, from: r.from_code, workstation: r.workstation, person: r.person, claimedAt: r.claimed_at, mine: r.workstation === asker });
    }
    return out;
  }

  /**
   * Claim() for many packets in one statement: each row inserted unless one exists (the first insert
   * wins, by the primary key, as with one at a time), then the holders read back.
   */
  async claimMany(keys: readonly PacketKey[], kind: ClaimKind, workstation: string, person: string, now: Date): Promise<Map<string, PacketClaim>> {
    const unique = [...new Map(keys.map((k) => [packetKeyString(k), k])).values()];
    if (!unique.length) return new Map();
    const claimedAt = now.toISOString();
    await this.db.insertInto('packet_claims').values(unique.map((k) => ({ from_code: k.from, packet_id: k.packetId, kind, workstation, person, claimed_at: claimedAt })))
      .onConflict((oc) => oc.columns(['from_code', 'packet_id', 'kind']).doNothing()).execute();
    return this.claimsOf(unique, kind, workstation);
  }

  /** Releases one's own claim; false when it is not held by `workstation`. */
  async release(key: PacketKey, kind: ClaimKind, workstation: string): Promise<boolean> {
    const r = await this.db.deleteFrom('packet_claims').where('from_code', '=', key.from).where('packet_id', '=', key.packetId).where('kind', '=', kind).where('workstation', '=', workstation).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async inboundCount(): Promise<number> {
    const r = await this.db.selectFrom('packets_in').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
    return num(r.n);
  }

  // ---------- hub ----------

  /** Stores a packet once and one delivery per recipient, numbered by the hub's sequence. */
  hubPut(p: NewPacket): Promise<'stored' | 'duplicate'> {
    return this.once('hub_packets', p, (payload) => this.db.transaction().execute(async (trx) => {
      await trx.insertInto('hub_packets').values({
        packet_id: p.packetId, sha256: p.sha256, size: p.payload.length, kind: p.kind, from_code: p.from, to_codes: JSON.stringify(p.to),
        received_at: p.now.toISOString(), payload,
      }).execute();
      for (const recipient of p.to) {
        const seq = await this.next(trx, 'hub_deliveries');
        await trx.insertInto('hub_deliveries').values({ seq, recipient, from_code: p.from, packet_id: p.packetId }).execute();
      }
    }));
  }

  /** The digest of a packet `from` sent, if the hub holds it (a resumable upload already complete). */
  async hubDigest(from: string, packetId: string): Promise<string | null> {
    const r = await this.db.selectFrom('hub_packets').select('sha256').where('from_code', '=', from).where('packet_id', '=', packetId).executeTakeFirst();
    return r?.sha256 ?? null;
  }

  /** Which of these packets of the sender the hub holds (its bytes purged after delivery or not). */
  async hubHeld(from: string, packetIds: readonly string[]): Promise<string[]> {
    if (!packetIds.length) return [];
    const rows = await this.db.selectFrom('hub_packets').select('packet_id').where('from_code', '=', from).where('packet_id', 'in', [...packetIds]).execute();
    return rows.map((r) => r.packet_id);
  }

  /** Packets passed on to the hub, after `seq`, oldest first (the check after a restore of the hub). */
  async forwardedAfter(seq: number, limit: number): Promise<Array<{ seq: number; packetId: string }>> {
    const rows = await this.db.selectFrom('packets_out').select(['seq', 'packet_id']).where('state', '=', 'forwarded').where('seq', '>', seq).orderBy('seq').limit(limit).execute();
    return rows.map((r) => ({ seq: num(r.seq), packetId: r.packet_id }));
  }

  /**
   * Queues again packets the hub no longer holds (restored), and notes how far the check went, in one
   * transaction: an interruption resumes after the last chunk checked, nothing queued twice.
   */
  async requeueLost(packetIds: readonly string[], checkedTo: number, stateKey: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      if (packetIds.length) {
        await trx.updateTable('packets_out').set({ state: 'queued', attempts: 0, next_attempt_at: null, error_code: null, last_error: null, forwarded_at: null })
          .where('state', '=', 'forwarded').where('packet_id', 'in', [...packetIds]).execute();
      }
      await this.setStateIn(trx, stateKey, String(checkedTo));
    });
  }

  async hubList(recipient: string, after: number, limit: number, inlineBytes: number): Promise<{ rows: PacketListing[]; more: boolean }> {
    const rows = await this.db.selectFrom('hub_deliveries as d').innerJoin('hub_packets as p', (j) => j.onRef('p.from_code', '=', 'd.from_code').onRef('p.packet_id', '=', 'd.packet_id'))
      .select(['d.seq', 'p.packet_id', 'p.from_code', 'p.to_codes', 'p.size', 'p.sha256', 'p.received_at'])
      .select(sql<Buffer | null>`case when p.size <= ${inlineBytes} then p.payload else null end`.as('inline'))
      .where('d.recipient', '=', recipient).where('d.seq', '>', after).orderBy('d.seq').limit(limit + 1).execute();
    return { more: rows.length > limit, rows: (await this.inlineFiles('hub_packets', rows.slice(0, limit))).map(listing) };
  }

  /** A delivery's payload bytes, only for its recipient (anyone else: null, as if it did not exist). */
  hubSlice(recipient: string, seq: number, start: number, end: number): Promise<Slice | null> {
    return this.slice('hub_packets', hubDelivery(recipient, seq), start, end);
  }

  /** A delivery's size and hash, without reading its bytes (only for its recipient). */
  hubHead(recipient: string, seq: number): Promise<SliceHead | null> {
    return this.head('hub_packets', hubDelivery(recipient, seq));
  }

  /**
   * The agency pulled after `after`: it holds every delivery of its up to there (its link moves the
   * cursor in the transaction that stores what it pulled), so they are acknowledged; and `served`, the
   * furthest delivery listed to it in that answer (a restored hub refuses cursors past it). Neither
   * moves back.
   */
  async hubAck(recipient: string, after: number, now: Date, served: number | null = null): Promise<void> {
    if (!(after > 0) && served === null) return;
    await this.db.insertInto('hub_cursors').values({ recipient, acked: after, acked_at: now.toISOString(), served })
      .onConflict((oc) => oc.column('recipient').doUpdateSet({
        acked: sql`case when excluded.acked > hub_cursors.acked then excluded.acked else hub_cursors.acked end`,
        acked_at: sql`case when excluded.acked > hub_cursors.acked then excluded.acked_at else hub_cursors.acked_at end`,
        served: sql`case when excluded.served is not null and (hub_cursors.served is null or excluded.served > hub_cursors.served) then excluded.served else hub_cursors.served end`,
      }))
      .execute();
  }

  /** What the agency acknowledged and the furthest delivery listed to it (served null: none since the hub kept the figure). */
  async hubCursor(recipient: string): Promise<{ acked: number; served: number | null } | null> {
    const r = await this.db.selectFrom('hub_cursors').select(['acked', 'served']).where('recipient', '=', recipient).executeTakeFirst();
    return r ? { acked: Number(r.acked), served: r.served == null ? null : Number(r.served) } : null;
  }

  /**
   * The hub's retention sweep, one transaction: acknowledged deliveries are dropped; a packet none of
   * whose recipients still waits for is marked delivered; the bytes of one delivered more than
   * `retentionMs` ago are purged (its row stays: what passed, and a resent copy is still a duplicate).
   */
  async hubSweep(now: Date, retentionMs: number): Promise<{ deliveries: number; delivered: number; purged: number }> {
    const at = now.toISOString();
    const before = new Date(now.getTime() - retentionMs).toISOString();
    const unlink: Array<{ packet_id: string; sha256: string }> = [];
    const r = await this.db.transaction().execute(async (trx) => {
      const d = await trx.deleteFrom('hub_deliveries')
        .where('seq', '<=', sql<number>`(select c.acked from hub_cursors c where c.recipient = hub_deliveries.recipient)`).executeTakeFirst();
      const delivered = await trx.updateTable('hub_packets').set({ delivered_at: at })
        .where('delivered_at', 'is', null)
        .where(sql<boolean>`not exists (select 1 from hub_deliveries d where d.from_code = hub_packets.from_code and d.packet_id = hub_packets.packet_id)`).executeTakeFirst();
      if (this.files) {
        // The files of the bodies purged here go once the purge has committed (a crash in between leaves only unreferenced files).
        unlink.push(...await trx.selectFrom('hub_packets').select(['packet_id', 'sha256'])
          .where('purged_at', 'is', null).where('delivered_at', 'is not', null).where('delivered_at', '<', before)
          .where('size', '>', 0).where(sql<boolean>`length(payload) = 0`).execute());
      }
      const purged = await trx.updateTable('hub_packets').set({ payload: Buffer.alloc(0), purged_at: at })
        .where('purged_at', 'is', null).where('delivered_at', 'is not', null).where('delivered_at', '<', before).executeTakeFirst();
      return { deliveries: Number(d.numDeletedRows), delivered: Number(delivered.numUpdatedRows), purged: Number(purged.numUpdatedRows) };
    });
    for (const u of unlink) await this.files!.drop('hub', u.packet_id, u.sha256);
    return r;
  }

  async hubCounts(): Promise<{ packets: number; deliveries: number }> {
    const p = await this.db.selectFrom('hub_packets').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
    const d = await this.db.selectFrom('hub_deliveries').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
    return { packets: num(p.n), deliveries: num(d.n) };
  }

  // ---------- shared ----------

  /**
   * One row's size and hash. A range request asks for these first: reading them through the payload
   * column would load the whole blob (SQLite's substr materialises the value) once more per download.
   */
  /** Listing rows whose inline copy is asked for and whose body is in a file: the copy is read from the file. */
  private async inlineFiles<R extends { packet_id: string; sha256: string; size: number; inline: Buffer | null }>(table: PacketTable, rows: R[]): Promise<R[]> {
    for (const r of rows) if (r.inline && r.inline.length === 0 && r.size > 0) r.inline = await this.body(table, r, IN_FILE);
    return rows;
  }

  private async head(table: 'packets_in' | 'hub_packets', where: ReturnType<typeof sql>): Promise<SliceHead | null> {
    const r = await this.db.selectFrom(table).select(['size', 'sha256']).where(where as never).executeTakeFirst();
    return r ? { size: r.size, sha256: r.sha256 } : null;
  }

  /** Bytes [start, end] (inclusive, clamped; end -1 = to the end) of one row's payload. */
  private async slice(table: 'packets_in' | 'hub_packets', where: ReturnType<typeof sql>, start: number, end: number): Promise<Slice | null> {
    const head = await this.head(table, where);
    if (!head) return null;
    const last = end < 0 ? head.size - 1 : Math.min(end, head.size - 1);
    const count = Math.max(0, last - start + 1);
    if (this.files && this.files.wants(head.size)) {
      // length() reads only the record's header: no blob is loaded to learn that the body is in its file.
      const f = await this.db.selectFrom(table).select(['packet_id', 'sha256', 'size']).select(sql<number>`length(payload)`.as('held')).where(where as never).executeTakeFirstOrThrow();
      if (num(f.held) === 0) return { size: head.size, sha256: head.sha256, bytes: count > 0 ? await this.body(table, f, IN_FILE, start, last) : Buffer.alloc(0) };
    }
    const r = await this.db.selectFrom(table).select(sql<Buffer>`substr(payload, ${start + 1}, ${count})`.as('part')).where(where as never).executeTakeFirstOrThrow();
    return { size: head.size, sha256: head.sha256, bytes: Buffer.from(r.part ?? Buffer.alloc(0)) };
  }

  async getState(key: string): Promise<string | null> {
    const r = await this.db.selectFrom('server_state').select('value').where('key', '=', key).executeTakeFirst();
    return r?.value ?? null;
  }

  setState(key: string, value: string): Promise<void> {
    return this.setStateIn(this.db, key, value);
  }

  /** Several states in one transaction. */
  async setStates(values: Record<string, string>): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      for (const [k, v] of Object.entries(values)) await this.setStateIn(trx, k, v);
    });
  }

  private async setStateIn(db: Kysely<ServerDatabase> | Transaction<ServerDatabase>, key: string, value: string): Promise<void> {
    await db.insertInto('server_state').values({ key, value }).onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
  }
}

export function listing(r: { seq: number | string; packet_id: string; from_code: string; to_codes: string; size: number; sha256: string; received_at: string; inline: Buffer | null }): PacketListing {
  return {
    seq: num(r.seq), packetId: r.packet_id, from: r.from_code, to: JSON.parse(r.to_codes) as string[], size: r.size, sha256: r.sha256, receivedAt: r.received_at,
    ...(r.inline ? { payload: Buffer.from(r.inline).toString('base64') } : {}),
  };
}
