// "Hạn chế phạm vi": a Thường record that is not open to the whole agency. Restricted, it follows
// need-to-know like a classified one (documents/needToKnow.ts): seen by the văn thư and leaders, and by
// others only when it is in their distribution. Set at registration by the person registering, or set
// and lifted later by a leader or the văn thư; each change is a row of `restrictions` (kept as history),
// an event in the compartment's log and an audit entry in the base (by id only).
import type { IncomingDetail } from '../../../common/contract';
import { DeskError } from '../../../common/errors';
import type { RestrictInput } from '../../../common/schemas';
import { appendAudit } from '../audit/auditLog';
import { nextRecordId } from '../compartments/ids';
import type { ContextSource } from '../context';
import { writeTx } from '../db/transaction';
import { getIncoming } from '../documents/incoming';
import { recordChange } from '../events/eventLog';
import { newGlobalId } from '../events/globalId';
import { authorize, type Actor } from '../org/rights';
import { placeOf } from './place';
import { mayRestrict } from './rules';

export class RestrictionService {
  constructor(private readonly source: ContextSource) {}

  async set(actor: Actor, input: RestrictInput): Promise<IncomingDetail> {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    await ctx.writable();
    const { db } = ctx;
    const doc = placeOf(db, ctx.arms, actor, input.incomingId); // NOT_FOUND outside one's reach
    if (!mayRestrict(actor)) throw DeskError.keyed('FORBIDDEN', 'restriction.notAllowed');
    if (doc.secrecy !== 'thuong') throw DeskError.keyed('VALIDATION', 'restriction.onlyThuong', undefined, { at: 'restricted' });
    const active = db.prepare(`SELECT id FROM ${doc.c}.restrictions WHERE incoming_id = ? AND lifted_at IS NULL`).pluck().get(doc.id) as number | undefined;
    if ((active !== undefined) === input.restricted) throw DeskError.keyed('VALIDATION', 'restriction.unchanged', undefined, { at: 'restricted' });
    const now = ctx.now();
    writeTx(db, () => {
      if (input.restricted) {
        const rid = nextRecordId(db);
        db.prepare(`INSERT INTO ${doc.c}.restrictions (id, global_id, incoming_id, reason, placed_by, placed_at) VALUES (?,?,?,?,?,?)`)
          .run(rid, newGlobalId(), doc.id, input.reason, actor.id, now.toISOString());
        recordChange(db, 'restrictions', rid, 'create', actor.id, now, doc.c);
      } else {
        db.prepare(`UPDATE ${doc.c}.restrictions SET lifted_by = ?, lifted_at = ? WHERE id = ?`).run(actor.id, now.toISOString(), active);
        recordChange(db, 'restrictions', active!, 'update', actor.id, now, doc.c);
      }
      appendAudit(db, { userId: actor.id, action: input.restricted ? 'restriction.set' : 'restriction.lift', entity: 'incoming', entityId: doc.id }, now.toISOString());
    });
    return getIncoming(db, ctx.arms, actor, doc.id);
  }
}
