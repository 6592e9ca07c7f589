// People, their tokens and the units the agency corresponds with. Administrators manage people; no
// one grants a clearance above their own.
import type { BoundCertificate, KnownUnit, UserSummary, UserWithCertificates } from '../../../common/contract';
import { DeskError } from '../../../common/errors';
import { appendAudit } from '../audit/auditLog';
import type { ContextSource } from '../context';
import type { PrivateKeyOps } from '../crypto';
import { writeTx } from '../db/transaction';
import { bindCertificates } from './certificates';
import { authorize, requireClearance, type Actor } from './rights';
import { searchUnits } from './units';
import { addUser, getUser, listUsers } from './users';

/** What binding needs of the vault: the keyring rewrapped once the binding is written. */
export interface KeyringSource extends ContextSource {
  rewrapKeyring(ownKey: PrivateKeyOps): Promise<void>;
}

export class OrgService {
  constructor(private readonly vault: KeyringSource) {}

  searchUnits(actor: Actor, query: string, limit: number): KnownUnit[] {
    authorize(actor, 'session');
    return searchUnits(this.vault.context().db, query, limit);
  }

  listUsers(actor: Actor): UserWithCertificates[] {
    authorize(actor, 'org.manage');
    const { db } = this.vault.context();
    const certs = db.prepare('SELECT user_id AS userId, fingerprint, subject, issuer, serial, not_after AS notAfter, can_unlock AS canUnlock FROM user_certificates ORDER BY bound_at').all() as Array<Omit<BoundCertificate, 'canUnlock'> & { userId: number; canUnlock: number }>;
    return listUsers(db).map((u) => ({
      ...u,
      certificates: certs.filter((c) => c.userId === u.id).map(({ userId: _u, canUnlock, ...c }) => ({ ...c, canUnlock: canUnlock === 1 })),
    }));
  }

  addUser(actor: Actor, u: Omit<UserSummary, 'id'>): UserSummary {
    authorize(actor, 'org.manage');
    const c = this.vault.context();
    c.assertWritable();
    // Nobody grants a clearance above their own.
    requireClearance(actor, u.clearance);
    const id = writeTx(c.db, () => {
      const newId = addUser(c.db, u, actor.id, c.now());
      appendAudit(c.db, { userId: actor.id, action: 'user.add', entity: 'user', entityId: newId, details: { role: u.role, clearance: u.clearance } });
      return newId;
    });
    return getUser(c.db, id)!;
  }

  /** Binds another person's token (administrators): their certificates, and the keyring rewrapped. */
  async bindToken(actor: Actor, userId: number, certificates: readonly Uint8Array[], ownKey: PrivateKeyOps): Promise<void> {
    authorize(actor, 'org.manage');
    const c = this.vault.context();
    c.assertWritable();
    if (!getUser(c.db, userId)) throw DeskError.keyed('NOT_FOUND', 'user.notFound');
    try {
      writeTx(c.db, () => bindCertificates(c.db, userId, certificates, actor.id, c.now()));
    } catch (err) {
      throw DeskError.keyed('VALIDATION', 'token.certBoundToOther', undefined, { details: { cause: (err as Error).message } });
    }
    await this.vault.rewrapKeyring(ownKey);
  }
}
