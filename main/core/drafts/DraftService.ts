// Drafts of unfinished forms, kept for the person who typed them so that a lock (idle, token pulled,
// "Khóa") loses nothing. A draft lives in the encrypted profile database, keyed by the person and the
// form; only that person ever reads it back. Drafts are local scratch: they are neither audited nor
// replicated (no event), and a saved draft refers to its staged files, which stay in staging
// (encrypted, owned by the same person) until registered or discarded.
import type { SavedDraft } from '../../../common/contract';
import { DRAFT_MAX_BYTES, type DraftKind, type DraftSaveInput } from '../../../common/drafts';
import type { Right } from '../../../common/domain';
import { DeskError } from '../../../common/errors';
import type { ContextSource } from '../context';
import { writeTx } from '../db/transaction';
import { authorize, type Actor } from '../org/rights';

/** The right a form needs: a draft is worth keeping only for someone who may submit it. */
const KIND_RIGHT: Record<DraftKind, Right> = { 'incoming.register': 'doc.register' };

export class DraftService {
  constructor(private readonly vault: ContextSource) {}

  async save(actor: Actor, input: DraftSaveInput): Promise<{ savedAt: string }> {
    authorize(actor, KIND_RIGHT[input.kind]);
    const c = this.vault.context();
    await c.writable();
    const json = JSON.stringify(input.data);
    // The schema checked it too; this is the core's own bound, whatever the caller.
    if (Buffer.byteLength(json) > DRAFT_MAX_BYTES)
      throw DeskError.keyed('VALIDATION', 'draft.tooLarge', { max: DRAFT_MAX_BYTES / 1024 }, { at: 'data' });
    const savedAt = c.now().toISOString();
    writeTx(c.db, () =>
      c.db
        .prepare('INSERT INTO drafts (user_id, kind, data, saved_at) VALUES (?,?,?,?) ON CONFLICT (user_id, kind) DO UPDATE SET data = excluded.data, saved_at = excluded.saved_at')
        .run(actor.id, input.kind, json, savedAt),
    );
    return { savedAt };
  }

  /** The person's own draft of this form, its files limited to those still staged for them. */
  async load(actor: Actor, kind: DraftKind): Promise<SavedDraft | null> {
    authorize(actor, KIND_RIGHT[kind]);
    const c = this.vault.context();
    const row = c.db.prepare('SELECT data, saved_at AS savedAt FROM drafts WHERE user_id = ? AND kind = ?').get(actor.id, kind) as
      | { data: string; savedAt: string }
      | undefined;
    if (!row) return null;
    const data = JSON.parse(row.data) as SavedDraft['data'];
    const files: SavedDraft['data']['files'] = [];
    for (const f of data.files) {
      try {
        await c.store.stagedMeta(f.stagedId, actor.id);
        files.push(f);
      } catch {
        // Gone (registered from elsewhere, or cleaned up): the draft simply no longer lists it.
      }
    }
    return { kind, data: { ...data, files }, savedAt: row.savedAt };
  }

  async discard(actor: Actor, kind: DraftKind): Promise<void> {
    authorize(actor, 'session');
    const c = this.vault.context();
    await c.writable();
    writeTx(c.db, () => c.db.prepare('DELETE FROM drafts WHERE user_id = ? AND kind = ?').run(actor.id, kind));
  }
}
