// The profile vault: the life cycle of one workstation profile and its keys. A profile is `new`
// (nothing on disk), `locked` (on disk, encrypted: the data key is in keyring.cms, wrapped for the
// bound people's certificates and the recovery certificate), or `ready` (unlocked: the database is
// open with the data key, blobs decrypt as they are read). Locking closes the database and forgets
// the key. A plain profile from before token binding is `locked` too, with `needsBinding`: the first
// unlock binds the person's token and encrypts it in place. Domain services get a CoreContext from
// the vault for the length of one call; they never see the key.
import { existsSync, openSync, readSync, closeSync, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { AppInfo, Session, UserSummary } from '../../../common/contract';
import type { NumberingPreset } from '../../../common/domain';
import { DeskError } from '../../../common/errors';
import { viMessage } from '../../../common/messages';
import type { SetupInput } from '../../../common/schemas';
import { appendAudit } from '../audit/auditLog';
import { AttachmentStore } from '../attachments/store';
import type { ContextSource, CoreContext } from '../context';
import { encryptDatabaseCopy, isPlainDatabase, openDatabase, type Db } from '../db/connection';
import { writeTx } from '../db/transaction';
import { CryptoError, parseCertificate, type PrivateKeyOps, type RecipientSpec } from '../crypto';
import { openKeyring, newDataKey, writeKeyring } from '../profile/keyring';
import { bindCertificates, canUnlock, unlockCertificates, userForCertificates } from '../org/certificates';
import { silentLogger, type Logger } from '../log';
import type { Actor } from '../org/rights';
import { isSetUp, runSetup } from '../org/setup';
import { registerRoles } from '../org/registerPolicy';
import { actorFor, getUser, listUsers } from '../org/users';
import { getSetting } from '../profile/settings';
import { makeProfilePrivate } from '../privateFiles';
import { shred } from './shred';

export const APP_VERSION = '0.1.0';
export const DEFAULT_ATTACHMENT_LIMIT = 200 * 1024 * 1024;

export interface VaultOptions {
  profileDir: string;
  logger?: Logger;
  now?: () => Date;
  /** DER certificates that can always open the keyring (IT's recovery key; machine configuration). */
  recoveryCertificates?: readonly Uint8Array[];
  /** Root certificates signatures must chain to (machine configuration). */
  trustAnchors?: readonly Uint8Array[];
  /** The CRL files IT installed (machine configuration), read at each verification. */
  revocationLists?: () => Promise<ReadonlyArray<{ path: string; bytes: Uint8Array }>>;
}

/** A person's token as the core sees it: the certificates on it, and the key that unlocks. */
export interface TokenIdentity {
  /** Every certificate on the token (identity: any of them may be the bound one). */
  certificates: readonly Uint8Array[];
  /** Keys on the token that can unwrap (RSA with keyEncipherment), tried in turn. */
  unlockKeys: readonly PrivateKeyOps[];
}

export type LockCause = 'manual' | 'removed' | 'idle' | 'bridge' | 'close';

interface Connection {
  db: Db;
  readOnly: boolean;
  damage?: string;
}

const DB_FILE = 'securedesk.db';
const KEYRING_FILE = 'keyring.cms';

export class ProfileVault implements ContextSource {
  readonly log: Logger;
  readonly now: () => Date;
  private conn: Connection | null = null;
  private dataKey: Buffer | null = null;
  private storeOpen: AttachmentStore | null = null;
  private actor: Actor | null = null;
  private readonly lockListeners: Array<() => void> = [];
  private readonly recovery: readonly Uint8Array[];
  private readonly trustAnchors: readonly Uint8Array[];
  private readonly revocationLists: () => Promise<ReadonlyArray<{ path: string; bytes: Uint8Array }>>;

  protected constructor(readonly profileDir: string, opts: VaultOptions) {
    makeProfilePrivate(profileDir); // 0700, and the files an older version left 0644 made 0600
    this.revocationLists = opts.revocationLists ?? (async () => []);
    this.log = opts.logger ?? silentLogger;
    this.now = opts.now ?? (() => new Date());
    this.recovery = opts.recoveryCertificates ?? [];
    this.trustAnchors = opts.trustAnchors ?? [];
    for (const r of this.recovery) if (!canUnlock(parseCertificate(r))) throw new Error('the recovery certificate cannot be used for key transport (RSA keyEncipherment needed)');
  }

  private path(file: string): string {
    return join(this.profileDir, file);
  }

  /** The keyring (read-only use outside: which certificates it is addressed to, before sign-in). */
  get keyringFile(): string {
    return this.path(KEYRING_FILE);
  }

  /** new: nothing yet; locked: waiting for a token; ready: unlocked; damaged: open read-only. */
  get state(): 'new' | 'locked' | 'ready' | 'damaged' {
    if (this.conn) return this.conn.readOnly ? 'damaged' : 'ready';
    return existsSync(this.path(KEYRING_FILE)) || existsSync(this.path(DB_FILE)) ? 'locked' : 'new';
  }

  /** A plain profile from before token binding: its first unlock binds a token and encrypts it. */
  get needsBinding(): boolean {
    return !existsSync(this.path(KEYRING_FILE)) && (existsSync(this.path(DB_FILE)) || existsSync(this.path(`${DB_FILE}.plain-old`)));
  }

  get db(): Db {
    if (!this.conn) throw DeskError.keyed('NO_SESSION', 'session.locked');
    return this.conn.db;
  }

  get store(): AttachmentStore {
    if (!this.storeOpen) throw DeskError.keyed('NO_SESSION', 'session.locked');
    return this.storeOpen;
  }

  get readOnly(): boolean {
    return this.conn?.readOnly ?? false;
  }

  get damage(): string | undefined {
    return this.conn?.damage;
  }

  get encrypted(): boolean {
    return this.dataKey !== null;
  }

  /** Locks the profile: closes the database, forgets the data key, ends the session. */
  lock(reason: LockCause = 'manual'): void {
    if (this.conn && this.actor && !this.conn.readOnly) {
      try {
        appendAudit(this.conn.db, { userId: this.actor.id, action: 'session.lock', details: { reason } });
      } catch (err) {
        this.log.log('warn', 'could not record the lock', { error: (err as Error).message });
      }
    }
    this.actor = null;
    for (const listener of this.lockListeners) listener();
    this.conn?.db.close();
    this.conn = null;
    this.storeOpen = null;
    this.dataKey?.fill(0);
    this.dataKey = null;
    if (reason !== 'close') this.log.log('info', 'profile locked', { reason });
  }

  close(): void {
    this.lock('close');
  }

  /** Services that hold per-session state (viewer tickets) forget it when the profile locks. */
  onLock(listener: () => void): void {
    this.lockListeners.push(listener);
  }

  /** The open profile for one service call; NO_SESSION when locked. */
  context(): CoreContext {
    const db = this.db;
    const store = this.store;
    return {
      db, store, log: this.log, now: this.now, trustAnchors: this.trustAnchors, revocationLists: this.revocationLists,
      assertWritable: () => this.assertWritable(),
      attachmentLimit: () => this.attachmentLimit(),
    };
  }

  private async attach(dataKey: Buffer | null): Promise<void> {
    const opened = openDatabase(this.path(DB_FILE), dataKey ? { hexKey: dataKey.toString('hex') } : {});
    this.conn = { db: opened.db, readOnly: opened.readOnly, ...(opened.damage ? { damage: opened.damage } : {}) };
    if (opened.damage) this.log.log('error', 'database failed its integrity check; opened read-only', { reason: opened.damage });
    this.dataKey = dataKey;
    this.storeOpen = new AttachmentStore(this.path('store'), this.path('staging'), dataKey);
    if (!opened.readOnly) await this.storeOpen.init();
  }

  assertWritable(): void {
    if (this.readOnly)
      throw DeskError.keyed('READ_ONLY', 'profile.readOnly');
  }

  // ---- profile and session ----

  info(): AppInfo {
    const base = { version: APP_VERSION, attachmentLimitBytes: DEFAULT_ATTACHMENT_LIMIT };
    const state = this.state;
    if (state === 'new') return { ...base, profile: 'new', readOnly: false };
    if (state === 'locked') return { ...base, profile: 'locked', readOnly: false, needsBinding: this.needsBinding };
    const limit = this.attachmentLimit();
    if (state === 'damaged') {
      return {
        ...base, profile: 'damaged', readOnly: true, attachmentLimitBytes: limit,
        banner: viMessage('profile.damaged'),
      };
    }
    const unit = this.db.prepare('SELECT name, code FROM units WHERE id = ?').get(Number(getSetting(this.db, 'self_unit_id'))) as { name: string; code: string };
    return {
      ...base, profile: 'ready', readOnly: false, attachmentLimitBytes: limit,
      unit: { name: unit.name, code: unit.code, preset: getSetting(this.db, 'numbering_preset') as NumberingPreset },
    };
  }

  attachmentLimit(): number {
    const v = this.conn && !this.readOnly ? getSetting(this.db, 'attachment_limit_bytes') : undefined;
    return v ? Number(v) : DEFAULT_ATTACHMENT_LIMIT;
  }

  get session(): Actor | null {
    return this.actor;
  }

  private sessionOf(actor: Actor): Session {
    const user = getUser(this.db, actor.id)!;
    return { user, rights: [...actor.rights] };
  }

  /**
   * Writes the keyring for every certificate that may unlock, then proves that `key` opens it.
   * The OAEP hash for the new person's certificate follows what their token does: SHA-256 when it
   * can, else SHA-1 (SoftHSM and some USB tokens); the recipient entry records the choice.
   */
  private async writeKeyringFor(dataKey: Buffer, certs: readonly Uint8Array[], key: PrivateKeyOps): Promise<void> {
    const file = this.path(KEYRING_FILE);
    const prior = existsSync(file) ? await fsp.readFile(file) : null;
    const keyPrint = parseCertificate(key.certificate).fingerprintSha256;
    for (const oaepHash of ['SHA-256', 'SHA-1'] as const) {
      const recipients: RecipientSpec[] = [...certs, ...this.recovery]
        .filter((der, i, all) => all.findIndex((d) => Buffer.compare(Buffer.from(d), Buffer.from(der)) === 0) === i)
        .map((der) => ({ certificate: der, oaepHash: parseCertificate(der).fingerprintSha256 === keyPrint ? oaepHash : 'SHA-1' }));
      await writeKeyring(file, dataKey, recipients);
      try {
        const back = await openKeyring(file, key);
        const same = back.equals(dataKey);
        back.fill(0);
        if (same) return;
      } catch (err) {
        this.log.log('info', 'keyring did not open with this token; trying the next OAEP choice', { oaepHash, error: (err as Error).message });
      }
    }
    if (prior) await fsp.writeFile(file, prior);
    else await fsp.rm(file, { force: true });
    throw DeskError.keyed('TOKEN_UNSUITABLE', 'token.oaepUnsupported');
  }

  /** First-run setup: a fresh data key, the keyring for the administrator's token, an encrypted database. */
  async setup(input: SetupInput, token: TokenIdentity): Promise<Session> {
    if (this.state !== 'new') throw DeskError.keyed('SETUP_DONE', 'setup.done');
    const key = token.unlockKeys[0];
    if (!key) throw DeskError.keyed('TOKEN_UNSUITABLE', 'token.noEncryptionCert');
    const dataKey = newDataKey();
    try {
      await this.writeKeyringFor(dataKey, [key.certificate], key);
      await this.attach(Buffer.from(dataKey));
    } catch (err) {
      await fsp.rm(this.path(KEYRING_FILE), { force: true });
      throw err;
    } finally {
      dataKey.fill(0);
    }
    const userId = writeTx(this.db, () => {
      const id = runSetup(this.db, input, this.now());
      bindCertificates(this.db, id, token.certificates, id, this.now());
      return id;
    });
    this.log.log('info', 'workstation profile created', { preset: input.unit.preset });
    return this.startSession(userId);
  }

  private startSession(userId: number): Session {
    const user = getUser(this.db, userId);
    if (!user) throw DeskError.keyed('NOT_FOUND', 'user.notFound');
    this.actor = actorFor(user, registerRoles(this.db));
    if (!this.readOnly) writeTx(this.db, () => appendAudit(this.db, { userId, action: 'session.unlock' }));
    return this.sessionOf(this.actor);
  }

  /**
   * Unlocks with a person's token: the data key is unwrapped on the token, the database opened,
   * and the person found by the certificates on their token. A token bound to nobody is refused and
   * the profile stays locked.
   */
  async unlock(token: TokenIdentity): Promise<Session> {
    if (this.state === 'new') throw DeskError.keyed('SETUP_REQUIRED', 'setup.required');
    if (this.conn) this.lock('manual');
    if (this.needsBinding) {
      await this.attach(null);
      const userId = this.conn!.readOnly ? undefined : userForCertificates(this.db, token.certificates);
      if (userId === undefined) {
        const users = this.users();
        this.lock('manual');
        throw DeskError.keyed('BIND_REQUIRED', 'profile.bindRequired', undefined, { details: { users } });
      }
      // Bound before, but the encryption never happened (or never finished): do it now.
      this.lock('manual');
      return this.bindAndEncrypt(userId, token);
    }
    let dataKey: Buffer | null = null;
    let lastError: unknown = null;
    for (const key of token.unlockKeys) {
      try {
        dataKey = await openKeyring(this.path(KEYRING_FILE), key);
        break;
      } catch (err) {
        lastError = err;
        if (!(err instanceof CryptoError && err.code === 'NOT_A_RECIPIENT')) break;
      }
    }
    if (!dataKey) {
      if (lastError && !(lastError instanceof CryptoError && lastError.code === 'NOT_A_RECIPIENT')) throw lastError;
      throw DeskError.keyed('NOT_BOUND', 'token.notBound');
    }
    try {
      // An encryption in place that was interrupted (keyring written, database or blobs still plain)
      // is finished now, with the key it was started with.
      if (this.encryptionInterrupted()) await this.encryptInPlace(dataKey);
      await this.attach(dataKey);
    } catch (err) {
      dataKey.fill(0);
      throw err;
    }
    let userId: number | undefined;
    try {
      userId = userForCertificates(this.db, token.certificates);
    } catch (err) {
      // A damaged database stays open read-only (state 'damaged') so the banner can say so.
      if (this.readOnly) throw DeskError.keyed('READ_ONLY', 'profile.damagedOnUnlock');
      throw err;
    }
    if (userId === undefined || !getUser(this.db, userId)) {
      this.lock('manual');
      throw DeskError.keyed('NOT_BOUND', 'token.notBoundToActiveUser');
    }
    return this.startSession(userId);
  }

  /**
   * A plain profile from before token binding: binds the person's token to their user record and
   * encrypts the profile in place. Crash-safe: the keyring is written first; the encrypted database
   * is built and verified beside the plain one and swapped in by rename; blobs are encrypted one by
   * one, each plain file removed only after its encrypted copy is in place. An interrupted run is
   * finished by the next unlock.
   */
  async bindAndEncrypt(userId: number, token: TokenIdentity): Promise<Session> {
    if (!this.needsBinding && !this.encryptionUnfinished()) throw DeskError.keyed('VALIDATION', 'profile.alreadyEncrypted');
    const key = token.unlockKeys[0];
    if (!key) throw DeskError.keyed('TOKEN_UNSUITABLE', 'token.noEncryptionCertShort');
    await this.attach(null);
    if (!getUser(this.db, userId)) {
      this.lock('manual');
      throw DeskError.keyed('NOT_FOUND', 'user.notFound');
    }
    writeTx(this.db, () => bindCertificates(this.db, userId, token.certificates, userId, this.now()));
    const certs = unlockCertificates(this.db);
    this.lock('manual');
    const dataKey = newDataKey();
    try {
      await this.writeKeyringFor(dataKey, certs, key);
      await this.encryptInPlace(dataKey);
    } finally {
      dataKey.fill(0);
    }
    return this.unlock(token);
  }

  private encryptionUnfinished(): boolean {
    return existsSync(this.path(KEYRING_FILE)) && this.dbIsPlain();
  }

  private dbIsPlain(): boolean {
    if (!existsSync(this.path(DB_FILE))) return false;
    const fd = openSync(this.path(DB_FILE), 'r');
    try {
      const head = Buffer.alloc(16);
      readSync(fd, head, 0, 16, 0);
      return isPlainDatabase(head);
    } finally {
      closeSync(fd);
    }
  }

  private encryptionInterrupted(): boolean {
    return this.dbIsPlain() || existsSync(this.path(`${DB_FILE}.plain-old`)) || existsSync(this.path(`${DB_FILE}.encrypting`));
  }

  private async encryptInPlace(dataKey: Buffer): Promise<void> {
    const plain = this.path(DB_FILE);
    const next = this.path(`${DB_FILE}.encrypting`);
    // Interrupted between the two renames: the verified encrypted copy takes its place.
    if (!existsSync(plain) && existsSync(next)) await fsp.rename(next, plain);
    if (this.dbIsPlain()) {
      await fsp.rm(next, { force: true });
      encryptDatabaseCopy(plain, next, dataKey.toString('hex'));
      const old = this.path(`${DB_FILE}.plain-old`);
      await fsp.rename(plain, old);
      await fsp.rename(next, plain);
      for (const f of [old, `${old}-wal`, `${old}-shm`]) await shred(f);
      await shred(this.path(`${DB_FILE}-wal`));
      await fsp.rm(this.path(`${DB_FILE}-shm`), { force: true });
    }
    await fsp.rm(next, { force: true }); // a copy from a run interrupted before its swap
    for (const f of ['plain-old', 'plain-old-wal', 'plain-old-shm']) await shred(this.path(`${DB_FILE}.${f}`));
    await this.attach(Buffer.from(dataKey));
    try {
      const hashes = this.db.prepare('SELECT DISTINCT sha256 FROM attachments').pluck().all() as string[];
      for (const sha of hashes) await this.store.encryptPlainBlob(sha);
      await this.store.sweepPlainStaging();
      this.log.log('info', 'profile encrypted in place', { blobs: hashes.length });
    } finally {
      this.lock('manual');
    }
  }

  /** After a binding changed who may unlock: the keyring rewrapped for every unlocking certificate. */
  async rewrapKeyring(ownKey: PrivateKeyOps): Promise<void> {
    if (!this.dataKey) return;
    await this.writeKeyringFor(this.dataKey, unlockCertificates(this.db), ownKey);
  }

  users(): UserSummary[] {
    try {
      return this.conn && isSetUp(this.db) ? listUsers(this.db) : [];
    } catch (err) {
      // A damaged database may not even yield its user list; the banner already says why.
      if (this.readOnly) return [];
      throw err;
    }
  }

  currentSession(): Session | null {
    return this.actor ? this.sessionOf(this.actor) : null;
  }

  /** After the profile's policy changed: the signed-in person's rights as it now grants them. */
  refreshSession(): Session | null {
    if (!this.actor) return null;
    const user = getUser(this.db, this.actor.id);
    if (!user) return null;
    this.actor = actorFor(user, registerRoles(this.db));
    return this.sessionOf(this.actor);
  }
}
