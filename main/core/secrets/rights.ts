// What the signed-in person may do with one record under the secrets rules, for the UI to offer
// only those actions. The same rules (rules.ts) decide again when the action is asked for.
import type { SecretRights } from '../../../common/contract';
import type { Role } from '../../../common/domain';
import type { ContextSource } from '../context';
import { authorize, type Actor } from '../org/rights';
import { isClassified, placeOf } from './place';
import { isRestricted } from '../documents/needToKnow';
import { copyAuthority, mayConfirmLevelChange, mayDestroy, mayGrant, mayHold, mayProposeLevelChange, mayRestrict } from './rules';

export function secretRights(source: ContextSource, actor: Actor, incomingId: number): SecretRights {
  authorize(actor, 'doc.read');
  const ctx = source.context();
  // NOT_FOUND for a record outside the person's reach, as everywhere.
  const doc = placeOf(ctx.db, ctx.arms, actor, incomingId);
  const classified = isClassified(doc.secrecy);
  // A restricted Thường record is granted by name like a classified one.
  const restricted = !classified && isRestricted(ctx.db, doc.c, doc.id);
  const allowCopy = isClassified(doc.secrecy) && copyAuthority(ctx.db, doc.secrecy).includes(actor.role as Role);
  return {
    classified,
    grant: (classified || restricted) && mayGrant(actor),
    hold: classified && mayHold(actor),
    proposeLevel: classified && mayProposeLevelChange(actor),
    confirmLevel: classified && mayConfirmLevelChange(actor),
    destroy: classified && mayDestroy(actor),
    allowCopy,
    copyWithoutPermission: !classified || allowCopy,
    // Only when offered (Thường records, a leader or the văn thư): absent means no.
    ...(!classified && mayRestrict(actor) ? { restrict: true } : {}),
  };
}
