// Keeps a session honest: it ends when the token is pulled (noticed within the bridge's slot poll,
// ~0.5 s), after the idle timeout, or when the bridge process is lost; each time the profile is
// locked, the data key forgotten, and listeners told so the window can clear what it shows.
import { EventEmitter } from 'node:events';
import type { Session } from '../../../common/contract';
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

export class SessionGuard extends EventEmitter<{ locked: [LockReason]; idleWarning: [number]; resumed: [] }> {
  private current: SignedInToken | null = null;
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
      if (this.current && e.serial === this.current.ref.serial && e.module === this.current.ref.module) this.lock('removed');
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
    return this.withToken(ref, pin, (identity) => this.desk.unlock(identity));
  }

  /** First unlock of a plain profile from before token binding: bind, encrypt, open. */
  async bindLegacy(userId: number, ref: TokenRef, pin: string | undefined): Promise<Session> {
    return this.withToken(ref, pin, (identity) => this.desk.bindAndEncrypt(userId, identity));
  }

  /** Signs in on the token, opens the session with what it proves; on failure the token is signed out. */
  private async withToken(ref: TokenRef, pin: string | undefined, open: (identity: SignedInToken['identity']) => Promise<Session>): Promise<Session> {
    const signed = await this.tokens.signIn(ref, pin);
    try {
      const session = await open(signed.identity);
      this.track(signed);
      return session;
    } catch (err) {
      await this.tokens.signOut(ref);
      throw toDeskError(err);
    }
  }

  /** An administrator binds another person's token (read without their PIN: certificates are public). */
  async bindToken(actor: Actor, userId: number, ref: TokenRef): Promise<void> {
    const own = this.unlockKey();
    let certs: Uint8Array[];
    try {
      certs = (await this.tokens.bridge.listCertificates(ref.module, { serial: ref.serial })).map((c) => c.der);
    } catch (err) {
      throw toDeskError(err);
    }
    if (certs.length === 0) throw DeskError.keyed('TOKEN_UNSUITABLE', 'token.noCertificates');
    await this.desk.org.bindToken(actor, userId, certs, own);
  }

  private unlockKey(): PrivateKeyOps {
    const key = this.current?.identity.unlockKeys[0];
    if (!key) throw DeskError.keyed('NO_SESSION', 'session.ended');
    return key;
  }

  private track(signed: SignedInToken): void {
    this.current = signed;
    this.stopWatch = this.tokens.bridge.watchSlots(signed.ref.module);
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
    const ref = this.current?.ref;
    this.current = null;
    this.desk.lock(reason);
    if (ref) void this.tokens.signOut(ref);
    if (had) this.emit('locked', reason);
  }

  async close(): Promise<void> {
    if (this.current || this.desk.state === 'ready') this.lock('manual');
    this.desk.close();
    await this.tokens.bridge.close();
  }
}
