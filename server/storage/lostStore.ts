// Workstations lost for good (migration 0007): the declaration, and the releases of the take claims the
// lost workstation held, numbered from a counter row inside the declaring transaction (as packets are),
// so a workstation reading releases after its cursor never misses one that commits later.
import { sql, type Kysely } from 'kysely';
import type { ClaimKind, ClaimRelease, LostWorkstation, PacketKey } from '../../main/core/sync/packets/protocol';
import type { Channel } from '../../main/core/sync/protocol';
import { listing } from './packetStore';
import type { ServerDatabase } from './schema';

export interface LostRecord { workstation: string; declaredBy: string; reason: string; declaredAt: string }

export class LostStore {
  constructor(private readonly db: Kysely<ServerDatabase>) {}

  async lost(workstation: string): Promise<LostRecord | null> {
    const r = await this.db.selectFrom('lost_workstations').selectAll().where('workstation', '=', workstation).executeTakeFirst();
    return r ? { workstation: r.workstation, declaredBy: r.declared_by, reason: r.reason, declaredAt: r.declared_at } : null;
  }

  async all(): Promise<LostRecord[]> {
    const rows = await this.db.selectFrom('lost_workstations').selectAll().execute();
    return rows.map((r) => ({ workstation: r.workstation, declaredBy: r.declared_by, reason: r.reason, declaredAt: r.declared_at }));
  }

  /**
   * Declares `workstation` lost and releases every take it holds, in one transaction. Declaring it again
   * changes nothing and answers the first declaration (nothing more to release: it can take nothing now).
   * The insert itself decides who was first: a concurrent declaration waits on the primary key (PostgreSQL)
   * or on the write lock (SQLite), inserts nothing, and then reads the row the first one committed.
   */
  async declare(workstation: string, by: { person: string; workstation: string }, reason: string, now: Date): Promise<LostWorkstation & { first: boolean }> {
    return this.db.transaction().execute(async (trx) => {
      const at = now.toISOString();
      const inserted = await trx.insertInto('lost_workstations').values({ workstation, declared_by: by.person, declared_from: by.workstation, reason, declared_at: at })
        .onConflict((oc) => oc.column('workstation').doNothing()).returning('workstation').executeTakeFirst();
      if (!inserted) {
        const prior = await trx.selectFrom('lost_workstations').selectAll().where('workstation', '=', workstation).executeTakeFirstOrThrow();
        return { workstation, declaredBy: prior.declared_by, reason: prior.reason, declaredAt: prior.declared_at, released: [], releasedDecisions: [], watermark: await this.watermarkOf(trx, workstation), first: false };
      }
      // The sync log's head per channel, with every push in flight committed: the counter row's lock
      // waits for a push holding it, and a push after this one finds the declaration (Store.putBatch).
      await trx.updateTable('counters').set({ value: sql`value` }).where('name', '=', 'batches').execute();
      const heads = await trx.selectFrom('batches').select(['channel', sql<number | string>`max(seq)`.as('head')]).groupBy('channel').execute();
      if (heads.length) await trx.insertInto('lost_watermarks').values(heads.map((h) => ({ workstation, channel: h.channel, seq: Number(h.head) }))).execute();
      // Its takes and its decide claims: a released decide claim is granted only to a workstation that
      // kept the log up to these heads (server/packets.ts), so a decision it pushed is seen first.
      const takes = await trx.selectFrom('packet_claims').selectAll().where('workstation', '=', workstation).where('kind', 'in', ['take', 'decide']).orderBy('claimed_at').orderBy('kind', 'desc').execute();
      for (const t of takes) {
        const row = await trx.updateTable('counters').set({ value: sql`value + 1` }).where('name', '=', 'claim_releases').returning('value').executeTakeFirstOrThrow();
        await trx.insertInto('claim_releases').values({ seq: Number(row.value), from_code: t.from_code, packet_id: t.packet_id, kind: t.kind, workstation, claimed_at: t.claimed_at, released_by: by.person, released_at: at }).execute();
        await trx.deleteFrom('packet_claims').where('from_code', '=', t.from_code).where('packet_id', '=', t.packet_id).where('kind', '=', t.kind).execute();
      }
      return {
        workstation, declaredBy: by.person, reason, declaredAt: at, first: true,
        released: takes.filter((t) => t.kind === 'take').map((t) => t.packet_id),
        releasedDecisions: takes.filter((t) => t.kind === 'decide').map((t) => t.packet_id),
        watermark: Object.fromEntries(heads.map((h) => [h.channel, Number(h.head)])),
      };
    });
  }

  private async watermarkOf(db: Kysely<ServerDatabase>, workstation: string): Promise<Record<string, number>> {
    const rows = await db.selectFrom('lost_watermarks').select(['channel', 'seq']).where('workstation', '=', workstation).execute();
    return Object.fromEntries(rows.map((r) => [r.channel, Number(r.seq)]));
  }

  /**
   * The latest release of a decide claim on this packet (its holder declared lost) with that
   * workstation's watermark, or null when its decision was never released.
   */
  async releasedDecision(key: PacketKey): Promise<{ workstation: string; claimedAt: string; releasedAt: string; watermark: Map<Channel, number> } | null> {
    const r = await this.db.selectFrom('claim_releases').select(['workstation', 'claimed_at', 'released_at'])
      .where('from_code', '=', key.from).where('packet_id', '=', key.packetId).where('kind', '=', 'decide').orderBy('seq', 'desc').limit(1).executeTakeFirst();
    if (!r) return null;
    const marks = await this.watermarkOf(this.db, r.workstation);
    return { workstation: r.workstation, claimedAt: r.claimed_at, releasedAt: r.released_at, watermark: new Map(Object.entries(marks) as Array<[Channel, number]>) };
  }

  /** Releases after `after`, each with its inbound packet's listing (the bytes by seq). */
  async releases(after: number, limit: number): Promise<{ rows: ClaimRelease[]; more: boolean }> {
    const rows = await this.db.selectFrom('claim_releases as r').innerJoin('packets_in as p', (j) => j.onRef('p.from_code', '=', 'r.from_code').onRef('p.packet_id', '=', 'r.packet_id'))
      .select(['r.seq as rseq', 'r.packet_id', 'r.kind', 'r.workstation', 'r.released_by', 'r.released_at', 'p.seq', 'p.from_code', 'p.to_codes', 'p.size', 'p.sha256', 'p.received_at'])
      .where('r.seq', '>', after).orderBy('r.seq').limit(limit + 1).execute();
    return {
      more: rows.length > limit,
      rows: rows.slice(0, limit).map((r) => ({
        seq: Number(r.rseq), packetId: r.packet_id, kind: r.kind as ClaimKind, workstation: r.workstation, releasedBy: r.released_by, releasedAt: r.released_at,
        inbound: listing({ seq: r.seq, packet_id: r.packet_id, from_code: r.from_code, to_codes: r.to_codes, size: r.size, sha256: r.sha256, received_at: r.received_at, inline: null }),
      })),
    };
  }
}
