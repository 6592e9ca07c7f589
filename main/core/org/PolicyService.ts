// The profile's policies an administrator sets after setup. Today: which roles register documents
// (separation of duties: by default the văn thư only, never the Quản trị unless chosen). Changes are
// audited; the administrator's own session follows the new policy at once, everyone else at sign-in.
import type { RegisterPolicy, Session } from '../../../common/contract';
import type { Role } from '../../../common/domain';
import { DeskError } from '../../../common/errors';
import type { ContextSource } from '../context';
import { writeTx } from '../db/transaction';
import { registerRoles, writeRegisterRoles } from './registerPolicy';
import { authorize, type Actor } from './rights';

export interface PolicySource extends ContextSource {
  /** Recomputes the signed-in person's rights from the policy now in force. */
  refreshSession(): Session | null;
}

export class PolicyService {
  constructor(private readonly vault: PolicySource) {}

  get(actor: Actor): RegisterPolicy {
    authorize(actor, 'org.manage');
    return { registerRoles: registerRoles(this.vault.context().db) };
  }

  async setRegisterRoles(actor: Actor, roles: readonly Role[]): Promise<RegisterPolicy & { session: Session }> {
    authorize(actor, 'org.manage');
    const c = this.vault.context();
    await c.writable();
    if (roles.length === 0) throw DeskError.keyed('VALIDATION', 'policy.registerRolesEmpty', undefined, { at: 'registerRoles' });
    const after = writeTx(c.db, () => writeRegisterRoles(c.db, roles, actor.id, c.now()));
    const session = this.vault.refreshSession();
    if (!session) throw DeskError.keyed('NO_SESSION', 'session.ended');
    return { registerRoles: after, session };
  }
}
