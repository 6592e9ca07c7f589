// People, their tokens and the units the agency corresponds with. Administrators manage people; no
// one grants a clearance above their own, binds a token to someone cleared above them, or binds a
// certificate the machine does not trust (certificatePolicy.ts).
import type { BoundCertificate, KnownUnit, SignatureImageView, UserSummary, UserWithCertificates } from '../../../common/contract';
import { clearedFor, type Secrecy } from '../../../common/domain';
import { DeskError } from '../../../common/errors';
import { appendAudit } from '../audit/auditLog';
import type { ContextSource } from '../context';
import { parseCertificate, type PrivateKeyOps } from '../crypto';
import { writeTx } from '../db/transaction';
import { recordChange } from '../events/eventLog';
import { bindCertificates, fingerprintOf, holderOf, unbindCertificate } from './certificates';
import { bindableCertificates, type BindingPolicy } from './certificatePolicy';
import { auditRefusal } from '../secrets/registerYears';
import { authorize, requireClearance, type Actor } from './rights';
import { checkSignatureImage, readSignatureImage, writeSignatureImage } from './signatureImage';
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

  /**
   * A person's signature image (NĐ 30/2020 Phụ lục I: what their signature shows). Read and set only by
   * the person or an administrator cleared at least as high as them; anyone else is refused and audited.
   */
  signatureImage(actor: Actor, userId: number): SignatureImageView | null {
    authorize(actor, 'session');
    const c = this.vault.context();
    this.ownOrManaged(actor, userId, 'person.signatureImage.view');
    const img = readSignatureImage(c.db, userId);
    if (!img) return null;
    const setByName = (c.db.prepare('SELECT full_name FROM main.users WHERE id = ?').pluck().get(img.setBy) as string | undefined) ?? '';
    return { userId, mime: img.mime, width: img.width, height: img.height, sha256: img.sha256, data: img.bytes.toString('base64'), setAt: img.setAt, setByName };
  }

  /** Sets (or, with null, removes) a person's signature image: checked (PNG/JPEG sniffed, limits); audited by hash. */
  async setSignatureImage(actor: Actor, userId: number, bytes: Uint8Array | null): Promise<SignatureImageView | null> {
    authorize(actor, 'session');
    const c = this.vault.context();
    await c.writable();
    this.ownOrManaged(actor, userId, 'person.signatureImage.set');
    let info;
    try {
      info = bytes === null ? null : await checkSignatureImage(bytes);
    } catch (err) {
      if (err instanceof DeskError) auditRefusal(c, actor, 'person.signatureImage.set', err.key ?? 'input.invalid', { why: String(err.details?.log ?? '') }, { entity: 'user', entityId: userId });
      throw err;
    }
    const now = c.now();
    writeTx(c.db, () => {
      writeSignatureImage(c.db, userId, bytes && info ? { bytes, info } : null, actor.id, now);
      const stored = readSignatureImage(c.db, userId);
      appendAudit(c.db, { userId: actor.id, action: 'person.signatureImage.set', entity: 'user', entityId: userId,
        details: stored ? { sha256: stored.sha256, mime: stored.mime, width: stored.width, height: stored.height, own: actor.id === userId } : { removed: true, own: actor.id === userId } }, now.toISOString());
    });
    return this.signatureImage(actor, userId);
  }

  /** The person themselves, or an administrator who may manage them; otherwise FORBIDDEN, audited. */
  private ownOrManaged(actor: Actor, userId: number, action: string): void {
    if (actor.id === userId) return;
    const c = this.vault.context();
    try {
      if (!actor.rights.includes('org.manage')) {
        const name = getUser(c.db, userId)?.fullName;
        if (!name) throw DeskError.keyed('NOT_FOUND', 'user.notFound');
        throw DeskError.keyed('FORBIDDEN', 'person.signatureImageNotYours', { name }, { details: { code: 'person.signatureImageNotYours' } });
      }
      this.manageable(actor, userId);
    } catch (err) {
      if (err instanceof DeskError) auditRefusal(c, actor, action, err.key ?? 'input.invalid', { code: err.code }, { entity: 'user', entityId: userId });
      throw err;
    }
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
