// People, their tokens and the units the agency corresponds with. Administrators manage people; no
// one grants a clearance above their own, binds a token to someone cleared above them, or binds a
// certificate the machine does not trust (certificatePolicy.ts).
import type { BoundCertificate, KnownUnit, UserSummary, UserWithCertificates } from '../../../common/contract';
import { clearedFor, type Secrecy } from '../../../common/domain';
import { DeskError } from '../../../common/errors';
import { appendAudit } from '../audit/auditLog';
import type { ContextSource } from '../context';
import { parseCertificate, type PrivateKeyOps } from '../crypto';
import { writeTx } from '../db/transaction';
import { recordChange } from '../events/eventLog';
import { bindCertificates, fingerprintOf, holderOf, unbindCertificate } from './certificates';
import { bindableCertificates, type BindingPolicy } from './certificatePolicy';
import { authorize, requireClearance, type Actor } from './rights';
import { searchUnits } from './units';
import { addUser, getUser, listUsers } from './users';

/** What binding needs of the vault: its policy, the session's own certificate, and the keyring rewrapped. */
export interface KeyringSource extends ContextSource {
  bindingPolicy(): BindingPolicy;
  /** The certificate whose key opened the current session. */
  sessionCertificate(): Uint8Array | null;
  /** The keyring rewrapped for every bound unlocking certificate (proved with the session's key). */
  rewrapKeyring(): Promise<void>;
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

  async addUser(actor: Actor, u: Omit<UserSummary, 'id'>): Promise<UserSummary> {
    authorize(actor, 'org.manage');
    const c = this.vault.context();
    await c.writable();
    // Nobody grants a clearance above their own.
    requireClearance(actor, u.clearance);
    const id = writeTx(c.db, () => {
      const newId = addUser(c.db, u, actor.id, c.now());
      appendAudit(c.db, { userId: actor.id, action: 'user.add', entity: 'user', entityId: newId, details: { role: u.role, clearance: u.clearance } });
      return newId;
    });
    return getUser(c.db, id)!;
  }

  /**
   * Changes a person's clearance (administrators cleared at least as high as both the old and the new
   * level; audited). Lowered: the levels they lose are re-keyed (the vault's keyring rewrap), so their
   * copy of the old keyrings opens nothing written after; raised: they are given the keys of the new
   * levels the administrator's session holds (others at the next unlock of someone who holds them).
   */
  async setClearance(actor: Actor, userId: number, clearance: Secrecy): Promise<UserSummary> {
    authorize(actor, 'org.manage');
    const c = this.vault.context();
    await c.writable();
    const user = this.manageable(actor, userId);
    requireClearance(actor, clearance);
    if (user.clearance === clearance) return user;
    writeTx(c.db, () => {
      c.db.prepare('UPDATE users SET clearance = ? WHERE id = ?').run(clearance, userId);
      recordChange(c.db, 'users', userId, 'update', actor.id, c.now());
      appendAudit(c.db, { userId: actor.id, action: 'user.clearance', entity: 'user', entityId: userId, details: { from: user.clearance, to: clearance } }, c.now().toISOString());
    });
    await this.vault.rewrapKeyring();
    return getUser(c.db, userId)!;
  }

  /** The person an administrator may bind or unbind for: exists, and cleared no higher than the administrator. */
  private manageable(actor: Actor, userId: number): UserSummary {
    const user = getUser(this.vault.context().db, userId);
    if (!user) throw DeskError.keyed('NOT_FOUND', 'user.notFound');
    // A token bound to someone opens the profile with their clearance: binding one is granting it.
    if (!clearedFor(actor.clearance, user.clearance))
      throw DeskError.keyed('FORBIDDEN', 'user.clearanceAbove', { name: user.fullName }, { details: { clearance: user.clearance } });
    return user;
  }

  /**
   * Binds another person's token (administrators): the certificates on it that the machine trusts,
   * valid now and fit to unlock or sign; then the keyring is rewrapped.
   */
  async bindToken(actor: Actor, userId: number, certificates: readonly Uint8Array[]): Promise<void> {
    authorize(actor, 'org.manage');
    const c = this.vault.context();
    await c.writable();
    this.manageable(actor, userId);
    const fit = bindableCertificates(certificates, this.vault.bindingPolicy());
    writeTx(c.db, () => bindCertificates(c.db, userId, fit.map((x) => x.der), actor.id, c.now(), 'administrator'));
    await this.vault.rewrapKeyring();
  }

  /** Removes one certificate from a person (administrators; audited): it opens the profile no longer. */
  async unbindCertificate(actor: Actor, userId: number, fingerprint: string): Promise<void> {
    authorize(actor, 'org.manage');
    const c = this.vault.context();
    await c.writable();
    this.manageable(actor, userId);
    const own = this.vault.sessionCertificate();
    if (own && fingerprintOf(parseCertificate(own)) === fingerprint)
      throw DeskError.keyed('VALIDATION', 'cert.unbindOwn');
    writeTx(c.db, () => unbindCertificate(c.db, userId, fingerprint, actor.id, c.now()));
    await this.vault.rewrapKeyring();
  }

  /**
   * The signing key the actor may use among the keys of their signed-in token: one whose
   * certificate is bound to them. A key whose certificate is bound to someone else is never used
   * (nobody signs in another's name), nor one bound to nobody.
   */
  signingKey(actor: Actor, keys: readonly PrivateKeyOps[]): PrivateKeyOps {
    authorize(actor, 'session');
    const { db } = this.vault.context();
    if (keys.length === 0) throw DeskError.keyed('TOKEN_UNSUITABLE', 'token.noSigningCert');
    const holders = keys.map((k) => holderOf(db, k.certificate));
    const own = keys.find((_, i) => holders[i] === actor.id);
    if (own) return own;
    if (holders.some((h) => h !== undefined))
      throw DeskError.keyed('FORBIDDEN', 'token.signerNotYou', undefined, { details: { code: 'SIGNER_NOT_YOU' } });
    throw DeskError.keyed('TOKEN_UNSUITABLE', 'token.signerNotBound', undefined, { details: { code: 'SIGNER_NOT_BOUND' } });
  }
}
