// Attachment files on the server: the sealed bytes a workstation uploaded, by channel and plain hash.
// Stored once (the first upload wins; a second upload of the same file, sealed afresh elsewhere, is
// acknowledged and dropped); read back whole or by range for resumable downloads.
import { sql } from 'kysely';
import type { Channel } from '../../main/core/sync/protocol';
import type { Store } from './store';

export interface BlobHead { channel: Channel; sha256: string; sealedSha256: string; size: number }

const num = (v: number | string | bigint): number => Number(v);
const isUniqueViolation = (e: unknown): boolean => {
  const code = (e as { code?: unknown })?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
};

export class BlobStore {
  constructor(private readonly store: Store) {}

  private get db() {
    return this.store.db;
  }

  async head(channel: Channel, sha256: string): Promise<BlobHead | null> {
    const r = await this.db.selectFrom('blobs').select(['channel', 'sha256', 'sealed_sha256', 'size']).where('channel', '=', channel).where('sha256', '=', sha256).executeTakeFirst();
    return r ? { channel: r.channel as Channel, sha256: r.sha256, sealedSha256: r.sealed_sha256, size: num(r.size) } : null;
  }

  /** Which of `shas` the server holds for the channel. */
  async present(channel: Channel, shas: readonly string[]): Promise<Map<string, { sealedSha256: string; size: number }>> {
    if (!shas.length) return new Map();
    const rows = await this.db.selectFrom('blobs').select(['sha256', 'sealed_sha256', 'size']).where('channel', '=', channel).where('sha256', 'in', [...shas]).execute();
    return new Map(rows.map((r) => [r.sha256, { sealedSha256: r.sealed_sha256, size: num(r.size) }]));
  }

  async put(channel: Channel, sha256: string, sealedSha256: string, payload: Buffer, origin: string, person: string, now: Date): Promise<{ stored: boolean }> {
    if (await this.head(channel, sha256)) return { stored: false };
    try {
      await this.db.insertInto('blobs').values({
        channel, sha256, sealed_sha256: sealedSha256, size: payload.length, origin, person, received_at: now.toISOString(), payload,
      }).execute();
      return { stored: true };
    } catch (e) {
      if (isUniqueViolation(e)) return { stored: false }; // the same file arrived at once from two workstations
      throw e;
    }
  }

  /** Bytes [start, end] (inclusive, clamped) of a stored blob. */
  async slice(channel: Channel, sha256: string, start: number, end: number): Promise<Buffer> {
    const count = Math.max(0, end - start + 1);
    const r = await this.db.selectFrom('blobs').select(sql<Buffer>`substr(payload, ${start + 1}, ${count})`.as('part'))
      .where('channel', '=', channel).where('sha256', '=', sha256).executeTakeFirst();
    return Buffer.from(r?.part ?? Buffer.alloc(0));
  }
}
