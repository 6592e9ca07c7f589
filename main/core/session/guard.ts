// Keeps a session honest: it ends when the token is pulled (noticed within the bridge's slot poll,
// ~0.5 s), after the idle timeout, or when the bridge process is lost; each time the profile is
// locked, the data key forgotten, and listeners told so the window can clear what it shows.
import { EventEmitter } from 'node:events';
import type { Session, UserSummary } from '../../../common/contract';
import { DeskError } from '../../../common/errors';
import type { SetupInput } from '../../../common/schemas';
import type { Desk } from '../desk';
import type { PrivateKeyOps } from '../crypto';
import type { Actor } from '../org/rights';
import { toDeskError } from './tokenErrors';
import type { SignedInToken, TokenRef, TokenService } from './tokens';

export type LockReason = 'manual' | 'removed' | 'idle' | 'bridge';

export interface GuardOptions {
  /** Lock after this long without activity (machine configuration; default 10 minutes). */
  idleMs?: number;
  /** Warn this long before the idle lock (default 60 s, at most half the idle time). */
  warnMs?: number;
}

export class SessionGuard extends EventEmitter<{ locked: [LockReason]; idleWarning: [number]; resumed: []; unlocked: [Session] }> {
  private current: SignedInToken | null = null;
  /** The previous session's sign-out, held until its lock head is signed (audit/AuditAnchor.ts). */
  private signingOut: Promise<unknown> = Promise.resolve();
  private stopWatch: (() => void) | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private warnTimer: NodeJS.Timeout | null = null;
  private warned = false;
  readonly idleMs: number;
  readonly warnMs: number;

  constructor(
    readonly desk: Desk,
    readonly tokens: TokenService,
    opts: GuardOptions = {},
  ) {
    super();
    this.idleMs = opts.idleMs ?? 10 * 60 * 1000;
    this.warnMs = Math.min(opts.warnMs ?? 60_000, Math.floor(this.idleMs / 2));
    tokens.bridge.on('tokenRemoved', (e) => {
      if (this.current && e.serial === this.current.ref.serial && e.module === this.current.module) this.lock('removed');
    });
    tokens.bridge.on('bridgeLost', () => {
      if (this.current) this.lock('bridge');
    });
  }

  get token(): SignedInToken | null {
    return this.current;
  }

  async setup(input: SetupInput, ref: TokenRef, pin: string | undefined): Promise<Session> {
    if (this.desk.state !== 'new') throw DeskError.keyed('SETUP_DONE', 'setup.done');
    return this.withToken(ref, pin, (identity) => this.desk.setup(input, identity));
  }

  async unlock(ref: TokenRef, pin: string | undefined): Promise<Session> {
    if (this.current) this.lock('manual');
    const session = await this.withToken(ref, pin, (identity) => this.desk.unlock(identity));
    // What runs only while someone is signed in (the agency server's sync) starts here.
    this.emit('unlocked', session);
    return session;
  }

  /** A plain profile from before token binding: the people in it, once the recovery token proved itself. */
  async legacyUsers(recovery: TokenRef, pin: string | undefined): Promise<UserSummary[]> {
    this.assertLegacy();
    return this.forOneCall(recovery, pin, (identity) => this.desk.legacyUsers(identity));
  }

  /**
   * A plain profile: on the recovery token's authority, binds a person's token (read without their
   * PIN) and encrypts the profile. It stays locked; the person unlocks with their own token and PIN.
   */
  async bindLegacy(recovery: TokenRef, pin: string | undefined, userId: number, person: TokenRef): Promise<void> {
    this.assertLegacy();
    const certs = (await this.tokens.readCertificates(person)).map((c) => c.der);
    await this.forOneCall(recovery, pin, (identity) => this.desk.bindLegacy(identity, userId, certs));
  }

  private assertLegacy(): void {
    if (!this.desk.needsBinding) throw DeskError.keyed('VALIDATION', 'profile.notLegacy');
  }

  /** Signs in on the token, opens the session with what it proves; on failure the token is signed out. */
  private async withToken(ref: TokenRef, pin: string | undefined, open: (identity: SignedInToken['identity']) => Promise<Session>): Promise<Session> {
    await this.signingOut;
    const signed = await this.tokens.signIn(ref, pin);
    try {
      const session = await open(signed.identity);
      this.track(signed);
      return session;
    } catch (err) {
      await this.tokens.signOut(signed);
      throw toDeskError(err);
    }
  }

  /** Signs in on the token for one operation (no session) and always signs out again. */
  private async forOneCall<T>(ref: TokenRef, pin: string | undefined, run: (identity: SignedInToken['identity']) => Promise<T>): Promise<T> {
    await this.signingOut;
    const signed = await this.tokens.signIn(ref, pin);
    try {
      return await run(signed.identity);
    } catch (err) {
      throw toDeskError(err);
    } finally {
      await this.tokens.signOut(signed);
    }
  }

  /** An administrator binds another person's token (read without their PIN: certificates are public). */
  async bindToken(actor: Actor, userId: number, ref: TokenRef): Promise<void> {
    if (!this.current) throw DeskError.keyed('NO_SESSION', 'session.ended');
    const certs = (await this.tokens.readCertificates(ref)).map((c) => c.der);
    await this.desk.org.bindToken(actor, userId, certs);
  }

  /** The key the signed-in person signs with: one on their token whose certificate is bound to them. */
  signingKey(actor: Actor): PrivateKeyOps {
    if (!this.current) throw DeskError.keyed('NO_SESSION', 'session.ended');
    return this.desk.org.signingKey(actor, this.current.signingKeys);
  }

  /** The signed-in person's keys that open what is sealed for them (an offline package addressed to their token). */
  decryptionKeys(): readonly PrivateKeyOps[] {
    if (!this.current) throw DeskError.keyed('NO_SESSION', 'session.ended');
    return [...this.current.identity.unlockKeys, ...this.current.signingKeys];
  }

  private track(signed: SignedInToken): void {
    this.current = signed;
    // The token signed in on is expected in the watch's next answer: pulled before it, it is still a removal.
    this.stopWatch = this.tokens.bridge.watchSlots(signed.module, { serial: signed.ref.serial });
    this.touch();
  }

  /** Any sign of the person at the keyboard (every contract call counts). */
  touch(): void {
    if (!this.current) return;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.lock('idle'), this.idleMs);
    this.idleTimer.unref();
    // The window warns the person (and saves their draft) before the idle lock comes.
    if (this.warnTimer) clearTimeout(this.warnTimer);
    if (this.warned) this.emit('resumed');
    this.warned = false;
    this.warnTimer = setTimeout(() => {
      this.warned = true;
      this.emit('idleWarning', Math.round(this.warnMs / 1000));
    }, this.idleMs - this.warnMs);
    this.warnTimer.unref();
  }

  lock(reason: LockReason): void {
    const had = this.current !== null || this.desk.state === 'ready';
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    if (this.warnTimer) clearTimeout(this.warnTimer);
    this.warnTimer = null;
    this.warned = false;
    this.stopWatch?.();
    this.stopWatch = null;
    const signed = this.current;
    this.current = null;
    this.desk.lock(reason);
    // Signed out once the audit head of the lock is signed (audit/AuditAnchor.ts) while the token is there.
    // The next sign-in waits for it: signing out later would end the next session on the same token.
    if (signed) {
      this.signingOut = this.desk.auditAnchor.settled()
        .finally(() => this.tokens.signOut(signed))
        .catch(() => undefined);
    }
    if (had) this.emit('locked', reason);
  }

  /**
   * Resolves once the last lock's token sign-out is done. This guard's own next sign-in waits for it;
   * another guard on the same token service must too, or the late sign-out ends its session.
   */
  async signedOut(): Promise<void> {
    await this.signingOut;
  }

  async close(): Promise<void> {
    if (this.current || this.desk.state === 'ready') this.lock('manual');
    this.desk.close();
    await this.tokens.bridge.close();
  }
}
