// A draft's content at rest: sealed with its person's own key (compartments/personalKeys.ts), bound to
// the person and the form, so that neither another person's token nor every level key restores it,
// and a sealed draft moved to another row does not open. The row itself stays in the base.
import type { Db } from '../db/connection';
import { writeTx } from '../db/transaction';

export type SealFn = (plain: Buffer, binding: string) => Buffer;

export const draftBinding = (userId: number, kind: string): string => `securedesk/draft/v1|${userId}|${kind}`;

/** Seals a person's drafts still kept in clear (saved before personal keys); returns how many. */
export function sealLegacyDrafts(db: Db, userId: number, seal: SealFn): number {
  return writeTx(db, () => {
    const rows = db.prepare("SELECT kind, data FROM drafts WHERE user_id = ? AND typeof(data) = 'text'").all(userId) as Array<{ kind: string; data: string }>;
    const update = db.prepare('UPDATE drafts SET data = ? WHERE user_id = ? AND kind = ?');
    for (const r of rows) update.run(seal(Buffer.from(r.data, 'utf8'), draftBinding(userId, r.kind)), userId, r.kind);
    return rows.length;
  });
}

/** Removes a person's drafts (their personal key is gone: the drafts can no longer be read). */
export function dropDrafts(db: Db, userId: number): number {
  return writeTx(db, () => db.prepare('DELETE FROM drafts WHERE user_id = ?').run(userId).changes);
}
