// Each workstation's pull position per channel as the server itself served it (migration 0015), never as
// the workstation claims it: `served` is the end of what it was handed contiguously from seq 0 (a page
// asked from a cursor beyond `served` moves nothing: the workstation skipped batches it was never given),
// `acked` the highest cursor it asked from within `served` (a workstation asks from a cursor only once it
// kept everything before it, in the transaction that moved its cursor). A released decide claim waits for
// `acked` (server/packets.ts, docs/server.md "Released decide claims").
import type { Kysely } from 'kysely';
import type { Channel } from '../../main/core/sync/protocol';
import type { ServerDatabase } from './schema';

const num = (v: number | string | bigint): number => Number(v);

/** `served`: how far the server handed it the channel; a workstation holding a cursor beyond it pulls again from there. */
export interface ChannelLag { channel: Channel; needed: number; reached: number; served: number }

export class PullCursors {
  constructor(private readonly db: Kysely<ServerDatabase>) {}

  /**
   * A page of `channel` asked from `after` was served up to `end` (everything of the channel up to `end`
   * that is not the workstation's own). Concurrent pulls of one workstation may each write: both values
   * are true lower bounds, so the last write leaves a correct (maybe lower) position.
   */
  async noteServed(workstation: string, channel: Channel, after: number, end: number, now: Date): Promise<void> {
    const prior = await this.db.selectFrom('pull_cursors').select(['served', 'acked']).where('workstation', '=', workstation).where('channel', '=', channel).executeTakeFirst();
    const served = prior ? num(prior.served) : 0;
    const acked = prior ? num(prior.acked) : 0;
    // Asked from beyond what it was served: a cursor copied from elsewhere, or a lie. Nothing moves.
    if (after > served) return;
    const next = { served: Math.max(served, end), acked: Math.max(acked, after) };
    if (prior && next.served === served && next.acked === acked) return;
    const at = now.toISOString();
    await this.db.insertInto('pull_cursors').values({ workstation, channel, served: next.served, acked: next.acked, updated_at: at })
      .onConflict((oc) => oc.columns(['workstation', 'channel']).doUpdateSet({ served: next.served, acked: next.acked, updated_at: at })).execute();
  }

  /** A workstation's positions, by channel (absent: 0, 0). */
  async positions(workstation: string): Promise<Map<Channel, { served: number; acked: number }>> {
    const rows = await this.db.selectFrom('pull_cursors').select(['channel', 'served', 'acked']).where('workstation', '=', workstation).execute();
    return new Map(rows.map((r) => [r.channel as Channel, { served: num(r.served), acked: num(r.acked) }]));
  }

  /** The channels among `channels` where `workstation` has not yet kept everything up to `watermarks`. */
  async behind(workstation: string, watermarks: ReadonlyMap<Channel, number>, channels: readonly Channel[]): Promise<ChannelLag[]> {
    const at = await this.positions(workstation);
    const out: ChannelLag[] = [];
    for (const channel of channels) {
      const needed = watermarks.get(channel) ?? 0;
      const p = at.get(channel) ?? { served: 0, acked: 0 };
      if (needed > p.acked) out.push({ channel, needed, reached: p.acked, served: p.served });
    }
    return out;
  }
}
