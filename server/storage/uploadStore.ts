// Staged resumable uploads (server/uploads.ts): per client and key, the announced size and SHA-256,
// how many bytes are held, and the chunks. A chunk is taken only at the offset held (no gap, no
// overlap) and committed with the new offset in one transaction: a restart keeps what was committed.
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { ServerDatabase } from './schema';

export interface StagedUpload {
  id: string;
  total: number;
  sha256: string;
  received: number;
}

/** A chunk that does not start at the offset held, or an upload announced otherwise than the one staged. */
export class UploadOffsetConflict extends Error {
  override readonly name = 'UploadOffsetConflict';
  constructor(readonly received: number, message: string) {
    super(message);
  }
}

/** The client already has as many staged uploads as it may. */
export class TooManyUploads extends Error {
  override readonly name = 'TooManyUploads';
}

const num = (v: number | string | bigint): number => Number(v);
const isUniqueViolation = (e: unknown): boolean => {
  const code = (e as { code?: unknown })?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
};

export interface AppendChunk {
  owner: string;
  key: string;
  total: number;
  sha256: string;
  start: number;
  bytes: Buffer;
  now: Date;
  /** Staged uploads untouched since before this instant are dropped first (when a new one starts). */
  expireBefore: Date;
  maxPerOwner: number;
}

export class UploadStore {
  constructor(private readonly db: Kysely<ServerDatabase>) {}

  async state(owner: string, key: string): Promise<StagedUpload | null> {
    const r = await this.db.selectFrom('uploads').select(['id', 'total', 'sha256', 'received']).where('owner', '=', owner).where('upload_key', '=', key).executeTakeFirst();
    return r ? { id: r.id, total: num(r.total), sha256: r.sha256, received: num(r.received) } : null;
  }

  /** Appends a chunk at the offset held; returns the new offset. */
  async append(c: AppendChunk): Promise<number> {
    let current = await this.state(c.owner, c.key);
    if (!current) {
      if (c.start !== 0) throw new UploadOffsetConflict(0, `no bytes of this upload are held: start at 0, not ${c.start}`);
      await this.expire(c.expireBefore);
      const r = await this.db.selectFrom('uploads').select(sql<number>`count(*)`.as('n')).where('owner', '=', c.owner).executeTakeFirstOrThrow();
      if (num(r.n) >= c.maxPerOwner) throw new TooManyUploads(`${c.maxPerOwner} uploads of this client are already under way`);
      const at = c.now.toISOString();
      current = { id: randomUUID(), total: c.total, sha256: c.sha256, received: 0 };
      try {
        await this.db.insertInto('uploads').values({ id: current.id, owner: c.owner, upload_key: c.key, total: c.total, sha256: c.sha256, received: 0, created_at: at, updated_at: at }).execute();
      } catch (e) {
        if (!isUniqueViolation(e)) throw e;
        current = await this.state(c.owner, c.key); // the same client started it at once on another connection
        if (!current) throw e;
      }
    }
    const staged = current;
    if (staged.total !== c.total || staged.sha256 !== c.sha256)
      throw new UploadOffsetConflict(staged.received, 'another upload is staged under this key: ask for the offset (bytes */total) to start this one afresh');
    if (c.start !== staged.received) throw new UploadOffsetConflict(staged.received, `${staged.received} bytes are held: the next chunk starts there, not at ${c.start}`);
    const next = c.start + c.bytes.length;
    try {
      await this.db.transaction().execute(async (trx) => {
        // Only from the offset read above: a concurrent chunk at the same offset loses here (or on the key).
        const u = await trx.updateTable('uploads').set({ received: next, updated_at: c.now.toISOString() })
          .where('id', '=', staged.id).where('received', '=', c.start).executeTakeFirst();
        if (Number(u.numUpdatedRows) !== 1) throw new UploadOffsetConflict(-1, 'a concurrent chunk moved the offset');
        await trx.insertInto('upload_chunks').values({ upload_id: staged.id, start_at: c.start, payload: c.bytes }).execute();
      });
    } catch (e) {
      if (e instanceof UploadOffsetConflict || isUniqueViolation(e)) {
        const now = await this.state(c.owner, c.key);
        throw new UploadOffsetConflict(now?.received ?? 0, 'a concurrent chunk moved the offset: ask for it again');
      }
      throw e;
    }
    return next;
  }

  /** The staged bytes in order (checked contiguous). */
  async assemble(id: string): Promise<Buffer> {
    const rows = await this.db.selectFrom('upload_chunks').select(['start_at', 'payload']).where('upload_id', '=', id).orderBy('start_at').execute();
    const parts: Buffer[] = [];
    let at = 0;
    for (const r of rows) {
      if (num(r.start_at) !== at) throw new Error(`staged upload ${id}: chunk at ${num(r.start_at)}, expected ${at}`);
      const b = Buffer.from(r.payload);
      parts.push(b);
      at += b.length;
    }
    return Buffer.concat(parts, at);
  }

  async drop(id: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('upload_chunks').where('upload_id', '=', id).execute();
      await trx.deleteFrom('uploads').where('id', '=', id).execute();
    });
  }

  /** Drops staged uploads untouched since `before`; returns how many. */
  async expire(before: Date): Promise<number> {
    const stale = await this.db.selectFrom('uploads').select('id').where('updated_at', '<', before.toISOString()).limit(100).execute();
    for (const s of stale) await this.drop(s.id);
    return stale.length;
  }

  async count(): Promise<{ uploads: number; chunks: number }> {
    const u = await this.db.selectFrom('uploads').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
    const c = await this.db.selectFrom('upload_chunks').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
    return { uploads: num(u.n), chunks: num(c.n) };
  }
}
