// Drafts of unfinished forms, kept for the person who typed them so that a lock (idle, token pulled,
// "Khóa") loses nothing. A draft's row lives in the base, keyed by the person and the form; its content
// is sealed with that person's own key (draftSeal.ts), so only that person ever reads it back. Drafts are local scratch: they are neither audited nor
// replicated (no event), and a saved draft refers to its staged files, which stay in staging
// (encrypted, owned by the same person) until registered or discarded.
import type { SavedDraft } from '../../../common/contract';
import { DRAFT_MAX_BYTES, type DraftKind, type DraftSaveInput } from '../../../common/drafts';
import type { Right } from '../../../common/domain';
import { DeskError } from '../../../common/errors';
import type { ContextSource } from '../context';
import { writeTx } from '../db/transaction';
import { authorize, type Actor } from '../org/rights';
import { draftBinding } from './draftSeal';

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
    const sealed = c.sealPersonal(Buffer.from(json, 'utf8'), draftBinding(actor.id, input.kind));
    writeTx(c.db, () =>
      c.db
        .prepare('INSERT INTO drafts (user_id, kind, data, saved_at) VALUES (?,?,?,?) ON CONFLICT (user_id, kind) DO UPDATE SET data = excluded.data, saved_at = excluded.saved_at')
        .run(actor.id, input.kind, sealed, savedAt),
    );
    return { savedAt };
  }

  /** The person's own draft of this form, its files limited to those still staged for them. */
  async load(actor: Actor, kind: DraftKind): Promise<SavedDraft | null> {
    authorize(actor, KIND_RIGHT[kind]);
    const c = this.vault.context();
    const row = c.db.prepare('SELECT data, saved_at AS savedAt FROM drafts WHERE user_id = ? AND kind = ?').get(actor.id, kind) as
      | { data: Buffer | string; savedAt: string }
      | undefined;
    if (!row) return null;
    let json: string;
    if (typeof row.data === 'string') json = row.data; // saved before personal keys; sealed at the next unlock
    else {
      try {
        json = c.openPersonal(row.data, draftBinding(actor.id, kind)).toString('utf8');
      } catch (err) {
        if (err instanceof DeskError) throw err; // no personal key this session
        // Sealed under a key this person no longer has, or not theirs: there is nothing to restore.
        c.log.log('warn', 'a draft did not open with the personal key; not offered', { kind });
        return null;
      }
    }
    const data = JSON.parse(json) as SavedDraft['data'];
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
