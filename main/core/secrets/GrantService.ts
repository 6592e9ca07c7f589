// Need-to-know grants by name: a leader or the văn thư adds a person cleared for the level to a
// classified record's distribution, with a reason; the grant is revoked the same way. Both are kept
// as history (the grant row stays, with who revoked it and why), audited in the base by ids only.
import type { GrantView } from '../../../common/contract';
import { clearedFor, type Secrecy } from '../../../common/domain';
import { DeskError } from '../../../common/errors';
import type { GrantInput, RevokeGrantInput } from '../../../common/schemas';
import { appendAudit } from '../audit/auditLog';
import { nextRecordId } from '../compartments/ids';
import type { ContextSource } from '../context';
import { writeTx } from '../db/transaction';
import { locate } from '../documents/arms';
import { isRestricted } from '../documents/needToKnow';
import { recordChange } from '../events/eventLog';
import { newGlobalId } from '../events/globalId';
import { authorize, type Actor } from '../org/rights';
import { isClassified, placeOf } from './place';
import { mayGrant } from './rules';

interface GrantRow { id: number; incoming_id: number; user_id: number; reason: string; granted_by: number; granted_at: string; revoked_by: number | null; revoked_at: string | null; revoke_reason: string | null }

export class GrantService {
  constructor(private readonly source: ContextSource) {}

  async grant(actor: Actor, input: GrantInput): Promise<GrantView> {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    await ctx.writable();
    const { db } = ctx;
    const doc = placeOf(db, ctx.arms, actor, input.incomingId);
    if (!mayGrant(actor)) throw DeskError.keyed('FORBIDDEN', 'grant.notAllowed');
    // A restricted Thường record ("Hạn chế phạm vi") follows need-to-know: granted by name like a classified one.
    if (!isClassified(doc.secrecy) && !isRestricted(db, doc.c, doc.id)) throw DeskError.keyed('VALIDATION', 'grant.notClassified', undefined, { at: 'incomingId' });
    const user = db.prepare('SELECT id, full_name, clearance FROM users WHERE id = ? AND active = 1').get(input.userId) as { id: number; full_name: string; clearance: Secrecy } | undefined;
    if (!user) throw DeskError.keyed('VALIDATION', 'recipient.userUnknown', undefined, { at: 'userId' });
    if (!clearedFor(user.clearance, doc.secrecy)) throw DeskError.keyed('VALIDATION', 'grant.notCleared', { name: user.full_name }, { at: 'userId' });
    const open = db.prepare(`SELECT 1 FROM ${doc.c}.grants WHERE incoming_id = ? AND user_id = ? AND revoked_at IS NULL`).get(doc.id, user.id);
    if (open) throw DeskError.keyed('VALIDATION', 'grant.exists', { name: user.full_name }, { at: 'userId' });
    const now = ctx.now();
    const id = writeTx(db, () => {
      const gid = nextRecordId(db);
      db.prepare(`INSERT INTO ${doc.c}.grants (id, global_id, incoming_id, user_id, reason, granted_by, granted_at) VALUES (?,?,?,?,?,?,?)`)
        .run(gid, newGlobalId(), doc.id, user.id, input.reason, actor.id, now.toISOString());
      recordChange(db, 'grants', gid, 'create', actor.id, now, doc.c);
      appendAudit(db, { userId: actor.id, action: 'grant.add', entity: 'incoming', entityId: doc.id, details: { grant: gid, to: user.id } }, now.toISOString());
      return gid;
    });
    return this.view(doc.c, id);
  }

  async revoke(actor: Actor, input: RevokeGrantInput): Promise<GrantView> {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    await ctx.writable();
    const { db } = ctx;
    const arm = locate(db, ctx.arms, 'grants', input.grantId);
    if (!arm) throw DeskError.keyed('NOT_FOUND', 'grant.notFound');
    const g = db.prepare(`SELECT * FROM ${arm.schema}.grants WHERE id = ?`).get(input.grantId) as GrantRow;
    const doc = placeOf(db, ctx.arms, actor, g.incoming_id);
    if (!mayGrant(actor)) throw DeskError.keyed('FORBIDDEN', 'grant.notAllowed');
    if (g.revoked_at !== null) throw DeskError.keyed('VALIDATION', 'grant.alreadyRevoked');
    const now = ctx.now();
    writeTx(db, () => {
      db.prepare(`UPDATE ${doc.c}.grants SET revoked_by = ?, revoked_at = ?, revoke_reason = ? WHERE id = ?`).run(actor.id, now.toISOString(), input.reason, g.id);
      recordChange(db, 'grants', g.id, 'update', actor.id, now, doc.c);
      appendAudit(db, { userId: actor.id, action: 'grant.revoke', entity: 'incoming', entityId: doc.id, details: { grant: g.id, from: g.user_id } }, now.toISOString());
    });
    return this.view(doc.c, g.id);
  }

  list(actor: Actor, incomingId: number): GrantView[] {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    const doc = placeOf(ctx.db, ctx.arms, actor, incomingId);
    const ids = ctx.db.prepare(`SELECT id FROM ${doc.c}.grants WHERE incoming_id = ? ORDER BY id`).pluck().all(doc.id) as number[];
    return ids.map((id) => this.view(doc.c, id));
  }

  private view(c: string, id: number): GrantView {
    const { db } = this.source.context();
    const g = db.prepare(`SELECT * FROM ${c}.grants WHERE id = ?`).get(id) as GrantRow;
    const name = (uid: number | null) => (uid === null ? null : (db.prepare('SELECT full_name FROM users WHERE id = ?').pluck().get(uid) as string | undefined) ?? null);
    return {
      id: g.id, incomingId: g.incoming_id, userId: g.user_id, userName: name(g.user_id) ?? '', reason: g.reason,
      grantedBy: name(g.granted_by) ?? '', grantedAt: g.granted_at,
      revokedBy: name(g.revoked_by), revokedAt: g.revoked_at, revokeReason: g.revoke_reason,
    };
  }
}
