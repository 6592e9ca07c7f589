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
}

export class SessionGuard extends EventEmitter<{ locked: [LockReason] }> {
  private current: SignedInToken | null = null;
  private stopWatch: (() => void) | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  readonly idleMs: number;

  constructor(
    readonly desk: Desk,
    readonly tokens: TokenService,
    opts: GuardOptions = {},
  ) {
    super();
    this.idleMs = opts.idleMs ?? 10 * 60 * 1000;
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
    if (this.desk.state !== 'new') throw new DeskError('SETUP_DONE', 'Máy trạm này đã được thiết lập.');
    return this.withToken(ref, pin, (identity) => this.desk.setup(input, identity));
  }

  async unlock(ref: TokenRef, pin: string | undefined): Promise<Session> {
    if (this.current) this.lock('manual');
    return this.withToken(ref, pin, (identity) => this.desk.unlock(identity));
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
    if (!this.desk.needsBinding) throw new DeskError('VALIDATION', 'Đây không phải dữ liệu máy trạm cũ chưa mã hóa; hãy mở khóa bằng thiết bị ký số đã được gắn.');
  }

  /** Signs in on the token, opens the session with what it proves; on failure the token is signed out. */
  private async withToken(ref: TokenRef, pin: string | undefined, open: (identity: SignedInToken['identity']) => Promise<Session>): Promise<Session> {
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
    if (!this.current) throw new DeskError('NO_SESSION', 'Phiên làm việc đã kết thúc. Vui lòng đăng nhập lại.');
    const certs = (await this.tokens.readCertificates(ref)).map((c) => c.der);
    await this.desk.org.bindToken(actor, userId, certs);
  }

  /** The key the signed-in person signs with: one on their token whose certificate is bound to them. */
  signingKey(actor: Actor): PrivateKeyOps {
    if (!this.current) throw new DeskError('NO_SESSION', 'Phiên làm việc đã kết thúc. Vui lòng đăng nhập lại.');
    return this.desk.org.signingKey(actor, this.current.signingKeys);
  }

  private track(signed: SignedInToken): void {
    this.current = signed;
    this.stopWatch = this.tokens.bridge.watchSlots(signed.module);
    this.touch();
  }

  /** Any sign of the person at the keyboard (every contract call counts). */
  touch(): void {
    if (!this.current) return;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.lock('idle'), this.idleMs);
    this.idleTimer.unref();
  }

  lock(reason: LockReason): void {
    const had = this.current !== null || this.desk.state === 'ready';
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    this.stopWatch?.();
    this.stopWatch = null;
    const signed = this.current;
    this.current = null;
    this.desk.lock(reason);
    if (signed) void this.tokens.signOut(signed);
    if (had) this.emit('locked', reason);
  }

  async close(): Promise<void> {
    if (this.current || this.desk.state === 'ready') this.lock('manual');
    this.desk.close();
    await this.tokens.bridge.close();
  }
}
