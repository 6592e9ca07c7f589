// The profile vault: the life cycle of one workstation profile and its keys. A profile is `new`
// (nothing on disk), `locked` (on disk, encrypted: the data key is in keyring.cms, wrapped for the
// bound people's certificates and the recovery certificate), or `ready` (unlocked: the database is
// open with the data key, blobs decrypt as they are read). Locking closes the database and forgets
// the key. A plain profile from before token binding is `locked` too, with `needsBinding`: the first
// unlock encrypts it in place, for a token bound before or after the recovery key bound someone.
// Domain services get a CoreContext from the vault for the length of one call; they never see the key.
//
// Identity: the person is the holder of the one certificate whose private key unwrapped the keyring
// (or, on a plain profile, opened the keyring written for it); every other certificate on the token
// is ignored.
import { createHash } from 'node:crypto';
import { existsSync, openSync, readSync, closeSync, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { AppInfo, DeskEvent, Session, UserSummary } from '../../../common/contract';
import type { NumberingPreset } from '../../../common/domain';
import { DeskError } from '../../../common/errors';
import { viMessage } from '../../../common/messages';
import type { SetupInput } from '../../../common/schemas';
import { appendAudit, prepareAuditStatements } from '../audit/auditLog';
import { prepareListStatements } from '../documents/incoming';
import { AuditAnchor } from '../audit/AuditAnchor';
import { AttachmentStore } from '../attachments/store';
import { PacketBodies } from '../sync/packets/bodies';
import type { ContextSource, CoreContext } from '../context';
import { finishOpen, isPlainDatabase, needsMigration, openDatabase, openReadOnly, type Db, type MigrationStatus, type OpenOptions } from '../db/connection';
import type { DbHandoff } from '../db/sessionConnection';
import { checkIntegrityOffThread, encryptCopyOffThread, migrateCompartmentOffThread, migrateOffThread, rekeyOffThread } from '../db/offThread';
import { WriteGate, type Verdict } from '../db/writeGate';
import { checkMachine, machineIdentity } from '../sync/machineBinding';
import { writeTx } from '../db/transaction';
import { CryptoError, decryptToBuffer, parseCertificate, type PrivateKeyOps, type RecipientSpec } from '../crypto';
import { equalBytes } from '../crypto/der';
import { openKeyring, newDataKey, writeKeyring } from '../profile/keyring';
import { bindCertificates, canUnlock, fingerprintOf, holderOf, unlockCertificates } from '../org/certificates';
import { bindableCertificates, checkForBinding, problemError, type BindingPolicy } from '../org/certificatePolicy';
import { silentLogger, type Logger } from '../log';
import type { Actor } from '../org/rights';
import { isSetUp, runSetup } from '../org/setup';
import { registerRoles } from '../org/registerPolicy';
import { actorFor, getUser, listUsers } from '../org/users';
import { getSetting } from '../profile/settings';
import { makeProfilePrivate } from '../privateFiles';
import { proveKey, proveSigningKey } from './proof';
import { settleNumberClaims } from '../documents/numberClaims';
import { attachCompartment, attachCompartments, attachEmptyCompartment, compartmentFileBehind, createViews } from '../compartments/attach';
import { blobsOf, interruptedRekey, keyOpensCompartment, nextKeyringFile, rekeyCompartment } from '../compartments/rekey';
import { receivedKeyrings } from '../sync/receivedKeyrings';
import { holderCertificates } from '../compartments/holders';
import { keyringStanding, levelKeyringAddressedTo, openLevelKeyring, openLevelKeyringBytes, writeLevelKeyring, type LevelKey } from '../compartments/keyrings';
import { LEVELS, compartmentFile, levelKeyringFile, levelsUpTo, levelStoreDir, schemaOf, type Level } from '../compartments/levels';
import { finishVacuum, isSplit, needsSplit, splitIntoCompartments, type BaseFile, type SplitStatus } from '../compartments/split';
import { shred } from './shred';
import { forgetPackSets } from '../attachments/packs';
import { openPersonalSession, syncPersonalKeyrings, type PersonalSession } from '../compartments/personalSession';

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
  /**
   * Awaited before each integrity check starts on the worker. Tests hold the verdict with it to
   * act in the window between the unlock and the verdict, which on a small file is a race.
   */
  beforeIntegrityCheck?: () => Promise<void>;
  /** The computer's identity (sync/machineBinding.ts; tests give another computer's). Default: the operating system's. */
  machineIdentity?: () => string | null;
}

/**
 * A person's token as the core sees it: its keys, each paired with its own certificate
 * (PrivateKeyOps.certificate, the certificate with the key's CKA_ID). Certificates without a key
 * of the job are not part of it: they prove nothing.
 */
export interface TokenIdentity {
  /** Keys that can unwrap (RSA with keyEncipherment), tried in turn; the one that does names the person. */
  unlockKeys: readonly PrivateKeyOps[];
  /** Keys that can sign (valid certificates first). */
  signingKeys: readonly PrivateKeyOps[];
}

export type LockCause = 'manual' | 'removed' | 'idle' | 'bridge' | 'close';

interface Connection {
  db: Db;
  readOnly: boolean;
  damage?: string;
  /** Writes wait for the integrity verdict of this connection's file (db/writeGate.ts). */
  gate: WriteGate;
}

/** A read that met a damaged page: as good a verdict as the check's. */
const isDamage = (err: unknown): boolean => ['SQLITE_CORRUPT', 'SQLITE_NOTADB'].includes(String((err as { code?: string }).code));

const DB_FILE = 'securedesk.db';
const KEYRING_FILE = 'keyring.cms';
/** Names a level key on the wire without revealing it (sync batches and keyrings carry it). */
const syncKeyId = (key: Buffer): string => createHash('sha256').update('securedesk/level-key-id\n').update(key).digest('hex').slice(0, 32);

export class ProfileVault implements ContextSource {
  readonly log: Logger;
  readonly now: () => Date;
  private conn: Connection | null = null;
  private dataKey: Buffer | null = null;
  private storeOpen: AttachmentStore | null = null;
  private bodiesOpen: PacketBodies | null = null;
  /** The level keys of this session (only levels the person is cleared for and was given). */
  private levelKeys = new Map<Level, LevelKey>();
  /** Each attached compartment's attachment store. */
  private levelStores = new Map<Level, AttachmentStore>();
  /** The schemas reads go over: the attached compartments, or 'main' on a damaged profile not yet split. */
  private arms: readonly { schema: string; level: Level | null }[] = [];
  /** The integrity checks of the session being opened: the base's, and where the compartments' go. */
  private checks: { base: Promise<Verdict>; compartments: (checks: Array<Promise<Verdict>>) => void } | null = null;
  private actor: Actor | null = null;
  /** The key that opened this session (it proves every rewrapped keyring opens). */
  private sessionKey: PrivateKeyOps | null = null;
  /** The person's own key (their staged files and drafts), opened with the key that proved who they are. */
  private personal: PersonalSession | null = null;
  private readonly lockListeners: Array<() => void> = [];
  /** Connections handed to workers (dbHandoff), with their closing: told to stop when the session locks or a level is re-keyed. */
  private readonly handoffs = new Map<AbortController, Promise<unknown>>();
  private readonly workListeners: Array<(event: Extract<DeskEvent, { type: 'work.progress' }>) => void> = [];
  /** Connections of locked sessions kept until their integrity verdict (closing when it is in). */
  private readonly lingering = new Set<Promise<unknown>>();
  private readonly beforeIntegrityCheck: (() => Promise<void>) | null;
  private readonly machineIdentity: () => string | null;
  private machineUnknownLogged = false;
  private readonly recovery: readonly Uint8Array[];
  private readonly trustAnchors: readonly Uint8Array[];
  private readonly revocationLists: () => Promise<ReadonlyArray<{ path: string; bytes: Uint8Array }>>;
  /** Signs the audit chain's head with the person's token at unlock, hourly and at lock (audit/AuditAnchor.ts). */
  readonly auditAnchor: AuditAnchor;

  protected constructor(readonly profileDir: string, opts: VaultOptions) {
    makeProfilePrivate(profileDir); // 0700, and the files an older version left 0644 made 0600
    this.revocationLists = opts.revocationLists ?? (async () => []);
    this.log = opts.logger ?? silentLogger;
    this.now = opts.now ?? (() => new Date());
    this.recovery = opts.recoveryCertificates ?? [];
    this.trustAnchors = opts.trustAnchors ?? [];
    this.beforeIntegrityCheck = opts.beforeIntegrityCheck ?? null;
    this.machineIdentity = opts.machineIdentity ?? machineIdentity;
    this.auditAnchor = new AuditAnchor(profileDir, this.log, this.now);
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

  /** Bodies of packets waiting to leave (sync/packets/bodies.ts); null for a profile without a key. */
  get packetBodies(): PacketBodies | null {
    if (!this.conn) throw DeskError.keyed('NO_SESSION', 'session.locked');
    return this.bodiesOpen;
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
    const conn = this.conn;
    const actor = this.actor;
    if (conn && actor && !conn.readOnly) {
      // Written once the file is known sound (at once, unless its check is still running).
      conn.gate.whenWritable(() => {
        try {
          appendAudit(conn.db, { userId: actor.id, action: 'session.lock', details: { reason } });
        } catch (err) {
          this.log.log('warn', 'could not record the lock', { error: (err as Error).message });
        }
      });
    }
    this.auditAnchor.sessionEnding(reason);
    this.actor = null;
    this.sessionKey = null;
    this.personal?.close();
    this.personal = null;
    forgetPackSets(); // the level keys this thread's pack indexes were opened with
    for (const listener of this.lockListeners) listener();
    for (const h of this.handoffs.keys()) h.abort('lock');
    this.handoffs.clear();
    if (conn) {
      conn.gate.close();
      // A check still running: the connection stays (reads and writes refused) until its verdict
      // has let the records above be written, then closes.
      if (conn.gate.state === 'checking') {
        const closed = conn.gate.settled
          .then(() => conn.db.close())
          .catch((err: unknown) => this.log.log('warn', 'could not close the connection of a locked session', { error: (err as Error).message }));
        this.lingering.add(closed);
        void closed.finally(() => this.lingering.delete(closed));
      } else conn.db.close();
    }
    this.handInChecks([]); // a session locked before its compartments opened: the base's verdict alone
    this.conn = null;
    this.storeOpen = null;
    this.bodiesOpen?.close();
    this.bodiesOpen = null;
    for (const k of this.levelKeys.values()) k.key.fill(0);
    this.levelKeys.clear();
    this.levelStores.clear();
    this.arms = [];
    this.dataKey?.fill(0);
    this.dataKey = null;
    if (reason !== 'close') this.log.log('info', 'profile locked', { reason });
  }

  close(): void {
    this.lock('close');
  }

  /** Services that hold per-session state (viewer tickets) forget it when the profile locks. */
  /** Progress of long work the window shows (a compartment's re-key); returns the unsubscribe. */
  onWork(listener: (event: Extract<DeskEvent, { type: 'work.progress' }>) => void): () => void {
    this.workListeners.push(listener);
    return () => {
      const i = this.workListeners.indexOf(listener);
      if (i >= 0) this.workListeners.splice(i, 1);
    };
  }

  private work(event: Extract<DeskEvent, { type: 'work.progress' }>): void {
    for (const listener of this.workListeners) {
      try {
        listener(event);
      } catch (err) {
        this.log.log('warn', 'a progress listener failed', { error: (err as Error).message });
      }
    }
  }

  onLock(listener: () => void): void {
    this.lockListeners.push(listener);
  }

  /** The open profile for one service call; NO_SESSION when locked. */
  context(): CoreContext {
    const db = this.db;
    const store = this.store;
    const { gate } = this.conn!;
    // Staging is the person's own (sealed with their personal key); registration seals from it into a level's store.
    const personal = this.personal;
    const staging = personal?.store ?? store.withStagingClosed();
    const own = (): PersonalSession => {
      if (!personal) throw DeskError.keyed('CRYPTO', 'personal.keyMissing', undefined, { details: { code: 'PERSONAL_KEY' } });
      return personal;
    };
    return {
      db, store: staging, log: this.log, now: this.now, trustAnchors: this.trustAnchors, revocationLists: this.revocationLists,
      arms: this.arms,
      storeFor: (level) => this.storeForLevel(level).withStaging(staging),
      sealPersonal: (plain, binding) => own().seal(plain, binding),
      openPersonal: (sealed, binding) => own().open(sealed, binding),
      assertWritable: () => this.assertWritable(),
      writable: () => gate.writable(),
      whenWritable: (write) => gate.whenWritable(write),
      attachmentLimit: () => this.attachmentLimit(),
      packetBodies: this.bodiesOpen,
      dbHandoff: () => this.dbHandoff(),
      unseal: async (envelope, maxBytes) => {
        if (!this.sessionKey) throw DeskError.keyed('NO_SESSION', 'session.ended');
        return decryptToBuffer([envelope], { key: this.sessionKey, maxBytes });
      },
    };
  }

  /** How many handed-out connections are not yet known closed (the holder has not said so). */
  get openHandoffs(): number {
    return this.handoffs.size;
  }

  /** Every handed-out connection told to stop, and closed. */
  private async endHandoffs(reason: 'rekey'): Promise<void> {
    const closing = [...this.handoffs];
    this.handoffs.clear();
    for (const [h] of closing) h.abort(reason);
    await Promise.all(closing.map(([, done]) => done));
  }

  /**
   * The session's database for a worker thread's own connection (db/sessionConnection.ts): the base's
   * data key and the held compartments' level keys, copies the worker zeroes, and a signal aborted at
   * lock. Null when no worker may write: a plain or read-only profile, or no compartment held.
   */
  private dbHandoff(): DbHandoff | null {
    if (!this.dataKey || !this.conn || this.readOnly || this.conn.gate.state !== 'ok') return null;
    if (this.arms.some((a) => a.level === null)) return null;
    const controller = new AbortController();
    this.handoffs.set(controller, Promise.resolve());
    return {
      // Kept until its connection is closed (a re-key waits for that), then forgotten: a long session
      // running many jobs does not hold a controller for each until its lock.
      closed: (done) => {
        const settled = done.catch(() => undefined);
        if (!this.handoffs.has(controller)) return;
        this.handoffs.set(controller, settled);
        void settled.then(() => { if (this.handoffs.get(controller) === settled) this.handoffs.delete(controller); });
      },
      base: { file: this.path(DB_FILE), key: Uint8Array.from(this.dataKey) },
      compartments: this.arms.map((a) => ({ level: a.level!, file: compartmentFile(this.profileDir, a.level!), key: Uint8Array.from(this.levelKeys.get(a.level!)!.key) })),
      ended: controller.signal,
    };
  }

  /**
   * Opens the database for the session. It is readable at once; its integrity check (the whole file,
   * seconds at a million documents) runs on the database worker and writes wait for the verdict
   * (writeGate.ts). A database keyed the old way is rekeyed to the raw key first, once (rekey.ts).
   * `checked`: the file was made or verified just now (setup, encryption in place): no check.
   */
  private async attach(dataKey: Buffer | null, checked = false, compartments = false): Promise<void> {
    const file = this.path(DB_FILE);
    const opts: OpenOptions = { ...(dataKey ? { hexKey: dataKey.toString('hex') } : {}), check: 'deferred' };
    let opened = openDatabase(file, opts);
    if (opened.keyForm === 'derived' && !opened.readOnly) {
      opened.db.close();
      await this.connectionsClosed(); // the rekey needs the file to itself
      await this.rekeyOnce(file, opts.hexKey!);
      opened = openDatabase(file, opts);
    }
    const gate = new WriteGate({ open: checked, report: (err) => this.log.log('error', 'a record held for the integrity verdict failed', { error: (err as Error).message }) });
    const conn: Connection = { db: opened.db, readOnly: opened.readOnly, ...(opened.damage ? { damage: opened.damage } : {}), gate };
    // Before any write of the session (the first verdict listener runs before queued writes): a profile
    // that moved to another computer takes a new workstation id first (sync/machineBinding.ts).
    gate.onVerdict((v) => { if (v.ok && !conn.readOnly) this.checkMachine(conn.db); });
    gate.onVerdict((v) => this.verdictArrived(conn, v, opts));
    this.conn = conn;
    this.dataKey = dataKey;
    this.storeOpen = new AttachmentStore(this.path('store'), this.path('staging'), dataKey);
    this.bodiesOpen?.close();
    this.bodiesOpen = dataKey ? new PacketBodies(this.path('packets'), dataKey) : null;
    if (opened.readOnly) {
      gate.decide({ ok: false, damage: opened.damage ?? 'unreadable' });
      return;
    }
    this.handInChecks([]); // (an earlier open's pending verdict is never left waiting)
    this.checks = null;
    if (!checked) {
      const t0 = performance.now();
      const base = this.checkFile(file, opts.hexKey).then(
        ({ result }): Verdict => {
          if (result.ok) this.log.log('info', 'database integrity check passed', { ms: Math.round(performance.now() - t0) });
          return result;
        },
        (err: unknown): Verdict => ({ ok: false, damage: `integrity check failed to run: ${(err as Error).message}` }),
      );
      // For a session (`compartments`), the verdict covers the compartment files too: openCompartments
      // hands in their checks (or none; lock does if it never ran). Other opens: the base's alone.
      let handIn!: (checks: Array<Promise<Verdict>>) => void;
      const more = new Promise<Array<Promise<Verdict>>>((resolve) => (handIn = resolve));
      this.checks = { base, compartments: handIn };
      if (!compartments) this.handInChecks([]);
      void base.then(async (v) => {
        if (!v.ok) return gate.decide(v);
        const others = await Promise.all(await more);
        gate.decide(others.find((o) => !o.ok) ?? { ok: true });
      });
    }
    await this.storeOpen.init();
    // A bad verdict meanwhile switched the session to a read-only connection (this one is closed).
    if (this.conn !== conn) return;
    // An older schema (or a file not yet in WAL mode) is upgraded only once the file is known sound; the
    // migrations run on the database worker (minutes at a million documents) and the window shows them.
    if (needsMigration(opened.db) || opened.db.pragma('journal_mode', { simple: true }) !== 'wal') {
      const v = this.checks ? await this.checks.base : await gate.settled;
      if (!v.ok || this.conn !== conn) return;
      conn.db.pragma('journal_mode = WAL');
      if (needsMigration(conn.db)) await this.migrateOnWorker(file, opts.hexKey);
      if (this.conn === conn) finishOpen(conn.db);
    }
  }

  /** Pushes migration steps to the window as work.progress: every step's start and end, within a step at most every 100 ms. */
  private migrationReporter(): (s: MigrationStatus) => void {
    const report = this.steppedReporter();
    return (s) => report({ type: 'work.progress', task: 'migrate', ...s });
  }

  /** Passes on a stepped task's reports: each step's start and end, within a step at most every 100 ms. */
  private steppedReporter(): (e: Extract<DeskEvent, { type: 'work.progress'; task: 'migrate' | 'encrypt' | 'split' }>) => void {
    let last = 0;
    return (e) => {
      const now = performance.now();
      if (e.done !== 0 && e.done < e.total && now - last < 100) return;
      last = now;
      this.work(e);
    };
  }

  /** The base's migrations on the database worker. */
  private async migrateOnWorker(file: string, hexKey: string | undefined): Promise<void> {
    const { result, ms } = await migrateOffThread(file, hexKey, this.migrationReporter());
    this.log.log('info', 'database migrated', { from: result.from, to: result.to, ms: Math.round(ms) });
  }

  /**
   * The held compartments whose schema is older, migrated on the database worker one after the other.
   * A failure leaves the file as it was: attaching it then migrates or refuses it with the reason.
   */
  private async migrateCompartmentsOnWorker(keys: readonly LevelKey[]): Promise<void> {
    const profileId = getSetting(this.db, 'profile_id')!;
    for (const k of keys) {
      const file = compartmentFile(this.profileDir, k.level);
      if (!existsSync(file) || !compartmentFileBehind(file, k)) continue;
      try {
        const { result, ms } = await migrateCompartmentOffThread(file, k.key.toString('hex'), k.level, profileId, this.migrationReporter());
        this.log.log('info', 'compartment migrated', { level: k.level, from: result.from, to: result.to, ms: Math.round(ms), ...(result.foreign ? { foreign: true } : {}) });
      } catch (err) {
        this.log.log('warn', 'compartment migration on the worker failed', { level: k.level, error: (err as Error).message });
      }
    }
  }

  /** The base database and the session's data key, for a worker's own connection. */
  private baseFile(): BaseFile {
    if (!this.dataKey) throw DeskError.keyed('NO_SESSION', 'session.locked');
    return { file: this.path(DB_FILE), hexKey: this.dataKey.toString('hex') };
  }

  /** The split's steps as work.progress (task 'split'): rows copied, records indexed, files moved, then the base rewritten. */
  private splitReporter(): (s: SplitStatus) => void {
    const report = this.steppedReporter();
    const units = { 1: 'records', 2: 'records', 3: 'files' } as const;
    return (s) => report({ type: 'work.progress', task: 'split', ...s, ...(s.step !== 4 ? { unit: units[s.step] } : {}) });
  }

  /** Hands the compartments' integrity checks to the pending verdict (once; later calls do nothing). */
  private handInChecks(checks: Array<Promise<Verdict>>): void {
    const c = this.checks;
    this.checks = c ? { base: c.base, compartments: () => undefined } : null;
    c?.compartments(checks);
  }

  /** PRAGMA quick_check of a file on the database worker (after the test hold, if any). */
  private async checkFile(file: string, hexKey: string | undefined) {
    if (this.beforeIntegrityCheck) await this.beforeIntegrityCheck();
    return checkIntegrityOffThread(file, hexKey);
  }

  /** Resolves once no connection of an earlier session is left waiting for its verdict. */
  private async connectionsClosed(): Promise<void> {
    while (this.lingering.size > 0) await Promise.all([...this.lingering]);
  }

  /** The one-time rekey to the raw data key, on the database worker; on failure the old key serves on. */
  private async rekeyOnce(file: string, hexKey: string): Promise<void> {
    const t0 = performance.now();
    try {
      const { result } = await rekeyOffThread(file, hexKey);
      this.log.log(result === 'busy' ? 'warn' : 'info', 'database key', { rekey: result, ms: Math.round(performance.now() - t0) });
    } catch (err) {
      this.log.log('warn', 'database rekey to the raw key failed; the derived key is kept', { error: (err as Error).message });
    }
  }

  /** A bad verdict: the session goes on read-only (a fresh read-only connection; nothing was written). */
  private checkMachine(db: Db): void {
    try {
      const r = checkMachine(db, this.machineIdentity(), this.now());
      if (r.outcome === 'moved') this.log.log('warn', 'the profile runs on another computer: it took a new workstation id', { previous: r.previous, id: r.id });
      else if (r.outcome === 'unknown' && !this.machineUnknownLogged) {
        this.machineUnknownLogged = true;
        this.log.log('warn', 'this computer gives no machine identity: a copied profile is not recognised');
      }
    } catch (err) {
      this.log.log('error', 'the computer check failed', { error: (err as Error).message });
    }
  }

  private verdictArrived(conn: Connection, v: Verdict, opts: OpenOptions): void {
    if (v.ok || conn.readOnly) return;
    this.log.log('error', 'database failed its integrity check; switched to read-only', { reason: v.damage });
    if (this.conn !== conn) return; // locked meanwhile: it closes once the gate has settled
    // The read-only connection first, so that closing the other is not the last close (no checkpoint).
    const ro = openReadOnly(this.path(DB_FILE), opts, v.damage);
    // The compartments held stay readable (read-only, like the base): attached again to the new connection.
    if (this.arms.length > 0) this.reattach(ro.db);
    this.conn = { db: ro.db, readOnly: true, damage: v.damage, gate: conn.gate };
    conn.db.close();
  }

  /** Resolves when the open profile may be written; READ_ONLY on a damaged database, NO_SESSION when locked. */
  writable(): Promise<void> {
    if (!this.conn) return Promise.reject(new DeskError('NO_SESSION', 'Máy trạm đang khóa. Cắm thiết bị ký số và nhập mã PIN để mở.'));
    return this.conn.gate.writable();
  }

  /** Throws unless the open profile's integrity verdict is in and good. */
  assertWritable(): void {
    if (!this.conn) throw DeskError.keyed('NO_SESSION', 'session.locked');
    const { gate, db } = this.conn;
    // A write that cannot wait for the worker's verdict forces it now (a short check on a small
    // profile; the person acted within seconds of unlocking a large one). The first verdict counts.
    if (gate.state === 'checking' && !this.conn.readOnly) {
      let check: string;
      try {
        check = String(db.pragma('quick_check', { simple: true }));
      } catch (err) {
        check = (err as Error).message;
      }
      gate.decide(check === 'ok' ? { ok: true } : { ok: false, damage: `quick_check: ${check.slice(0, 200)}` });
    }
    this.conn.gate.assertWritable();
  }

  /** The integrity verdict of the open profile's database, once known. */
  verdict(): Promise<Verdict> {
    if (!this.conn) return Promise.reject(DeskError.keyed('NO_SESSION', 'session.locked'));
    return this.conn.gate.settled;
  }

  /** checking: the database is readable and its check runs; writes wait for it. */
  get integrity(): 'checking' | 'ok' | 'damaged' | null {
    return this.conn ? (this.conn.readOnly ? 'damaged' : this.conn.gate.state) : null;
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

  /** What a certificate must satisfy to be bound now (machine trust anchors, recovery certificates). */
  bindingPolicy(firstUse = false): BindingPolicy {
    return { trustAnchors: this.trustAnchors, recovery: this.recovery, now: this.now(), ...(firstUse ? { firstUse } : {}) };
  }

  /** The attachment store of a level the session holds; NOT_FOUND otherwise (as if the record did not exist). */
  /**
   * The level keys this session holds, for the sync client (main/core/sync/SyncService.ts): a batch is
   * sealed under a key derived from its level's key; the key id is a hash that names the key without
   * revealing it. Copies: the session's own keys are wiped at lock whatever the caller keeps.
   */
  syncLevelKeys(): Array<{ level: Level; keyId: string; key: Buffer }> {
    return [...this.levelKeys.values()].map((k) => ({ level: k.level, keyId: syncKeyId(k.key), key: Buffer.from(k.key) }));
  }

  // ---------- hooks for the agency sync (main/core/sync/keyringShare.ts, blobSync.ts) ----------

  /** The level's file store when the session holds the level (the sync carries its sealed blobs). */
  syncLevelStore(level: Level): AttachmentStore | null {
    return this.levelStores.get(level) ?? null;
  }

  /** The profile folder (the sync keeps received keyrings and partial downloads under it). */
  get syncProfileDir(): string {
    return this.profileDir;
  }

  /**
   * A level keyring received from the agency server, weighed against the session's key of the level:
   * `same` key; `adopted`: it replaced this key on another workstation (its payload names this key as
   * the one it replaced), and the compartment here was re-keyed to it; `other`: a key the session can
   * open but does not use (an older one, or one not derived from this one: kept only to open batches
   * sealed under it); `not-mine`: not addressed to this session's certificate.
   */
  async weighSyncedKeyring(level: Level, cms: Buffer): Promise<{ outcome: 'same' | 'adopted' | 'other' | 'not-mine'; keyId?: string; key?: Buffer }> {
    if (!this.sessionKey) throw DeskError.keyed('NO_SESSION', 'session.ended');
    let got: LevelKey;
    try {
      got = await openLevelKeyringBytes(cms, level, this.sessionKey);
    } catch (err) {
      if (err instanceof CryptoError && err.code === 'NOT_A_RECIPIENT') return { outcome: 'not-mine' };
      throw err;
    }
    const current = this.levelKeys.get(level);
    if (current && current.key.equals(got.key)) {
      got.key.fill(0);
      return { outcome: 'same' };
    }
    if (current && !this.readOnly && got.previous === current.keyId) {
      // The received file becomes the re-key's next keyring: the same steps as an interrupted re-key.
      await fsp.writeFile(nextKeyringFile(this.profileDir, level), cms, { mode: 0o600 });
      // Not rewrapped here: a holder the other workstation knows and this one not yet would count as
      // someone to remove, and a new re-key would bounce between the workstations.
      await this.rekeyLevel(level, current, holderCertificates(this.db, level, this.recovery), got);
      return { outcome: 'adopted', keyId: syncKeyId(got.key), key: Buffer.from(got.key) };
    }
    return { outcome: 'other', keyId: syncKeyId(got.key), key: got.key };
  }

  private storeForLevel(level: Level): AttachmentStore {
    const s = this.levelStores.get(level);
    if (s) return s;
    if (this.arms.some((a) => a.schema === 'main')) return this.store; // a damaged profile not yet split
    throw DeskError.keyed('NOT_FOUND', 'document.notFound');
  }

  /**
   * Opens the compartments the person holds. A profile from before compartments is split first (its
   * records move out of the base, every level gets its key, wrapped for the people cleared for it).
   * Then each level the person's clearance covers is unwrapped with the key that opened the session
   * and attached. A level keyring above the person's clearance that is addressed to them is an
   * anomaly (someone wrote it, or the clearance was lowered and the re-key is still owed): it is not
   * opened, and it is logged and audited.
   */
  private async openCompartments(userId: number, key: PrivateKeyOps): Promise<void> {
    // Only a split (or the vacuum after one) writes the base here: only then wait for its verdict,
    // so that an unlock stays readable at once while the check runs (writeGate.ts).
    const pending = (db: Db) => needsSplit(db) || getSetting(db, 'vacuum_pending') === '1';
    if (!this.readOnly && pending(this.db)) {
      // The base's own verdict (its migrations ran after it); the compartments are made from it.
      const v = this.checks ? await this.checks.base : { ok: true };
      if (!this.conn) throw DeskError.keyed('NO_SESSION', 'session.locked');
      if (v.ok && !this.readOnly) await finishVacuum(this.db, this.baseFile(), this.path('store'));
    }
    // After a bad verdict the base is a fresh read-only connection: always the current one.
    if (this.readOnly && !isSplit(this.db)) {
      this.arms = [{ schema: 'main', level: null }];
      this.handInChecks([]);
      return;
    }
    const clearance = getUser(this.db, userId)!.clearance;
    const held = levelsUpTo(clearance);
    let keys: LevelKey[] = [];
    if (!this.readOnly && needsSplit(this.db)) {
      const db = this.db;
      const t0 = performance.now();
      const all = await splitIntoCompartments(db, {
        profileDir: this.profileDir, prover: key, baseStore: this.store, baseStoreDir: this.path('store'),
        certsFor: (level) => holderCertificates(db, level, this.recovery),
        levelStore: (level, k) => this.store.forLevel(levelStoreDir(this.profileDir, level), k),
        base: this.baseFile(),
        onProgress: this.splitReporter(),
      });
      keys = all.filter((k) => held.includes(k.level));
      for (const k of all) if (!held.includes(k.level)) k.key.fill(0);
      this.log.log('info', 'profile split into compartments', { ms: Math.round(performance.now() - t0) });
    } else {
      for (const level of LEVELS) {
        const file = levelKeyringFile(this.profileDir, level);
        if (!existsSync(file)) continue;
        if (!held.includes(level)) {
          if (await levelKeyringAddressedTo(file, key.certificate)) {
            this.log.log('warn', 'a level keyring above the clearance is addressed to this person; not opened', { level });
            this.auditWhenWritable(userId, 'keyring.above_clearance', { level });
          }
          continue;
        }
        try {
          keys.push(await openLevelKeyring(file, level, key));
        } catch (err) {
          const received = err instanceof CryptoError && err.code === 'NOT_A_RECIPIENT' ? await this.receivedLevelKey(level, key) : null;
          if (received) keys.push(received);
          else if (err instanceof CryptoError && err.code === 'NOT_A_RECIPIENT') this.log.log('info', 'the key of a level is not yet given to this person', { level });
          else {
            this.log.log('error', 'a level keyring did not open; that level stays closed', { level, error: (err as Error).message });
            this.auditWhenWritable(userId, 'keyring.refused', { level, reason: (err as Error).message });
          }
        }
      }
    }
    const refused = (level: Level, reason: string) => {
      this.log.log('error', 'a compartment file was refused; that level stays closed', { level, reason });
      this.auditWhenWritable(userId, 'compartment.refused', { level, reason });
    };
    // A bad verdict may have come meanwhile: the read-only connection takes the temporary views too.
    const db = this.db;
    // A re-key interrupted (a crash, a pulled token) is finished first, by anyone who holds the level.
    if (!this.readOnly) {
      for (const [i, k] of keys.entries()) {
        const next = await interruptedRekey(this.profileDir, k.level, key);
        if (!next) continue;
        const blobs = blobsOf(compartmentFile(this.profileDir, k.level), [k, next]);
        this.log.log('info', 'finishing an interrupted compartment re-key', { level: k.level });
        keys[i] = await rekeyCompartment({
          profileDir: this.profileDir, current: k, holders: holderCertificates(db, k.level, this.recovery), prover: key, blobs,
          storeFor: (dir, kk) => this.store.forLevel(dir, kk),
        }, next);
      }
    }
    // An older compartment is brought to this build's schema on the database worker, shown to the window.
    if (!this.readOnly) await this.migrateCompartmentsOnWorker(keys);
    if (this.readOnly) db.pragma('query_only = OFF');
    let attached: Level[];
    try {
      attached = attachCompartments(db, this.profileDir, getSetting(db, 'profile_id')!, keys, refused);
    } finally {
      if (this.readOnly) db.pragma('query_only = ON');
    }
    for (const k of keys) {
      if (attached.includes(k.level)) this.levelKeys.set(k.level, k);
      else k.key.fill(0);
    }
    this.arms = attached.length > 0 ? attached.map((level) => ({ schema: schemaOf(level), level })) : [{ schema: 'c_none', level: null }];
    // Each compartment file is checked on the database worker like the base; a damaged one makes the
    // whole profile read-only (the verdict's damage names its level). The checks start once the base's
    // is done: the first page is read right after the unlock, and with the base's and every held
    // level's check at once on a 2-core machine it waited for the CPU (issue 7's first-page ratio).
    const baseChecked = this.checks?.base ?? Promise.resolve();
    this.handInChecks(attached.map((level) => baseChecked.then(() => this.checkFile(compartmentFile(this.profileDir, level), this.levelKeys.get(level)!.key.toString('hex'))).then(
      ({ result }): Verdict => (result.ok ? result : { ok: false, damage: `compartment ${level}: ${result.damage}` }),
      (err: unknown): Verdict => ({ ok: false, damage: `compartment ${level}: integrity check failed to run: ${(err as Error).message}` }),
    )));
    for (const level of attached) {
      const store = this.store.forLevel(levelStoreDir(this.profileDir, level), this.levelKeys.get(level)!.key);
      await store.init();
      this.levelStores.set(level, store);
    }
    this.settleClaimsWhenWritable(userId);
    this.personal = await openPersonalSession({
      profileDir: this.profileDir, db, userId, key, recovery: this.recovery, readOnly: this.readOnly, log: this.log, baseStore: this.store,
      levelStore: (level) => this.levelStores.get(level), whenWritable: (write) => this.conn?.gate.whenWritable(write),
    });
  }

  /**
   * A person given a level on another workstation: a keyring received from the agency server that is
   * addressed to them and whose key opens this profile's compartment (sync/receivedKeyrings.ts). The
   * local keyring is then written for them by rewrapLevelKeyringsAsHolder.
   */
  private async receivedLevelKey(level: Level, key: PrivateKeyOps): Promise<LevelKey | null> {
    for (const file of receivedKeyrings(this.profileDir, level)) {
      let k: LevelKey;
      try {
        k = await openLevelKeyring(file, level, key);
      } catch {
        continue;
      }
      if (keyOpensCompartment(compartmentFile(this.profileDir, level), k)) {
        this.log.log('info', 'a level opened with a keyring received from the agency server', { level });
        return k;
      }
      k.key.fill(0);
    }
    return null;
  }

  /**
   * The compartments this session holds, attached again to a fresh read-only base connection (after
   * a bad verdict): the files were checked at unlock; the connection's read-only flag carries to them.
   */
  private reattach(db: Db): void {
    try {
      db.pragma('query_only = OFF'); // the views are temporary; the connection itself is read-only
      const schemas: string[] = [];
      for (const level of LEVELS) {
        const k = this.levelKeys.get(level);
        if (!k) continue;
        attachCompartment(db, compartmentFile(this.profileDir, level), k);
        schemas.push(schemaOf(level));
      }
      if (this.arms.some((a) => a.schema === 'main')) return; // a profile not yet split reads its base
      createViews(db, schemas.length > 0 ? schemas : [attachEmptyCompartment(db)]);
    } catch (err) {
      this.log.log('warn', 'the compartments could not be attached to the read-only connection', { error: (err as Error).message });
    } finally {
      db.pragma('query_only = ON');
    }
  }

  /** An audit entry written once the base is known sound (never before its verdict; never on a damaged one). */
  /**
   * Numbers a crash left without their record (documents/numberClaims.ts), for the levels this session
   * holds: given back or audited, once the database is known sound.
   */
  private settleClaimsWhenWritable(userId: number): void {
    const conn = this.conn;
    if (!conn || conn.readOnly) return;
    conn.gate.whenWritable(() => {
      if (this.conn !== conn) return;
      try {
        const r = settleNumberClaims(conn.db, this.arms, userId, this.now());
        if (r.givenBack + r.gaps > 0) this.log.log('warn', 'numbers taken by an interrupted commit were settled', { ...r });
      } catch (err) {
        this.log.log('error', 'settling number claims failed; they are settled at the next unlock', { error: (err as Error).message });
      }
    });
  }

  private auditWhenWritable(userId: number, action: string, details: Record<string, unknown>): void {
    const conn = this.conn;
    if (!conn || conn.readOnly) return;
    conn.gate.whenWritable(() => writeTx(conn.db, () => appendAudit(conn.db, { userId, action, details })));
  }

  /**
   * After a binding or a clearance changed who must hold each level: every level keyring this session
   * holds is rewritten for exactly the people cleared for it (and recovery). Levels the session does
   * not hold are given later, by a session that holds them (at its unlock).
   */
  private async rewrapLevelKeyrings(): Promise<void> {
    if (!this.sessionKey) return;
    for (const [level, k] of [...this.levelKeys]) {
      const file = levelKeyringFile(this.profileDir, level);
      const want = holderCertificates(this.db, level, this.recovery);
      const standing = await keyringStanding(file, want);
      // Someone lost the level: a new key, so that their copy of the old keyring opens nothing after.
      if (standing.extra > 0) await this.rekeyLevel(level, k, want);
      else if (standing.missing.length > 0) await writeLevelKeyring(file, k, want, this.sessionKey);
    }
  }

  /** Re-keys one attached compartment (compartments/rekey.ts), detached meanwhile; progress in the log. */
  private async rekeyLevel(level: Level, current: LevelKey, holders: readonly Uint8Array[], resumeWith?: LevelKey): Promise<void> {
    // A worker's connection holds the level's file under the old key: stopped and closed first (the import ends resumable).
    await this.endHandoffs('rekey');
    // The re-key's checkpoint and journal switch need the file alone: an earlier session's connection
    // still waiting for its verdict and this unlock's integrity checks on the database worker are waited
    // for too (on a loaded machine they overlapped: SQLITE_BUSY after the 5 s busy timeout).
    await this.connectionsClosed();
    if (this.conn) {
      await this.conn.gate.settled;
      this.conn.gate.assertWritable();
    }
    const db = this.db;
    const schema = schemaOf(level);
    // Every file the level's records refer to: registered files and outgoing documents' files.
    const blobs = db.prepare(`SELECT sha256 FROM ${schema}.attachments UNION SELECT sha256 FROM ${schema}.outgoing_files UNION SELECT signed_sha256 FROM ${schema}.outgoing_files WHERE signed_sha256 IS NOT NULL`).pluck().all() as string[];
    const t0 = performance.now();
    db.exec(`DETACH DATABASE ${schema}`);
    let key = current;
    try {
      key = await rekeyCompartment({
        profileDir: this.profileDir, current, holders, prover: this.sessionKey!, blobs,
        storeFor: (dir, k) => this.store.forLevel(dir, k),
        onProgress: (p) => {
          if (p.step !== 'files' || p.done === p.total) this.log.log('info', 'compartment re-key', { ...p });
          // The window shows it: files re-sealed of all (the database's rekey is one step before them).
          if (p.step === 'files' || p.step === 'database') this.work({ type: 'work.progress', task: 'rekey', level, done: p.done, total: Math.max(p.total, blobs.length) });
        },
      }, resumeWith);
    } finally {
      attachCompartment(db, compartmentFile(this.profileDir, level), key);
      createViews(db, this.arms.filter((a) => a.level !== null).map((a) => a.schema));
      // Over, whichever way: the window stops showing it (a failure is the caller's error; the next unlock finishes it).
      this.work({ type: 'work.progress', task: 'rekey', level, done: blobs.length, total: blobs.length });
    }
    if (key !== current) {
      current.key.fill(0);
      this.levelKeys.set(level, key);
      const store = this.store.forLevel(levelStoreDir(this.profileDir, level), key.key);
      await store.init();
      this.levelStores.set(level, store);
      writeTx(db, () => appendAudit(db, { userId: this.actor?.id ?? null, action: 'compartment.rekey', details: { level, keyId: key.keyId, files: blobs.length } }));
      this.log.log('info', 'compartment re-keyed', { level, files: blobs.length, ms: Math.round(performance.now() - t0) });
    }
  }

  /** The levels this session holds the key of, lowest first. */
  get heldLevels(): Level[] {
    return LEVELS.filter((l) => this.levelKeys.has(l));
  }

  /** The certificate whose key opened the current session. */
  sessionCertificate(): Uint8Array | null {
    return this.sessionKey?.certificate ?? null;
  }

  /**
   * First-run setup: a fresh data key, the keyring for the administrator's token, an encrypted
   * database. The administrator is bound by the certificates whose private keys prove themselves on
   * the token: the unlocking key that opens the new keyring, any other unlocking key that unwraps a
   * fresh challenge, and each signing key that signs one (verified with its certificate). A
   * certificate on the token without its key proves nothing and is ignored.
   */
  async setup(input: SetupInput, token: TokenIdentity): Promise<Session> {
    if (this.state !== 'new') throw DeskError.keyed('SETUP_DONE', 'setup.done');
    const policy = this.bindingPolicy(true);
    const checked = token.unlockKeys.map((key) => ({ key, check: checkForBinding(key.certificate, policy) }));
    const key = checked.find((c) => c.check.problem === null)?.key;
    if (!key) {
      const first = checked[0]?.check;
      if (first) throw problemError(first);
      throw DeskError.keyed('TOKEN_UNSUITABLE', 'token.noEncryptionCert');
    }
    const others = await this.provenCertificates(token, key, policy);
    const unlocking = [key.certificate, ...others.filter((der) => canUnlock(parseCertificate(der)))];
    const dataKey = newDataKey();
    try {
      await this.writeKeyringFor(dataKey, unlocking, key);
      await this.attach(Buffer.from(dataKey), true);
    } catch (err) {
      await fsp.rm(this.path(KEYRING_FILE), { force: true });
      throw err;
    } finally {
      dataKey.fill(0);
    }
    const userId = writeTx(this.db, () => {
      const id = runSetup(this.db, input, this.now());
      bindCertificates(this.db, id, [key.certificate, ...others], id, this.now(), 'setup');
      return id;
    });
    this.log.log('info', 'workstation profile created', { preset: input.unit.preset });
    await this.openCompartments(userId, key);
    return this.startSession(userId, key, token.signingKeys);
  }

  /** The token's other certificates that may be bound and whose keys prove themselves now. */
  private async provenCertificates(token: TokenIdentity, proven: PrivateKeyOps, policy: BindingPolicy): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    const seen = (der: Uint8Array) => equalBytes(der, proven.certificate) || out.some((d) => equalBytes(d, der));
    for (const [keys, prove] of [[token.unlockKeys, proveKey], [token.signingKeys, proveSigningKey]] as const) {
      for (const k of keys) {
        if (seen(k.certificate) || checkForBinding(k.certificate, policy).problem !== null) continue;
        if (await prove(k)) out.push(k.certificate);
        else this.log.log('warn', 'a certificate on the token was not bound: its key did not prove itself', { subject: parseCertificate(k.certificate).subject });
      }
    }
    return out;
  }

  private startSession(userId: number, key: PrivateKeyOps, signingKeys: readonly PrivateKeyOps[] = []): Session {
    const user = getUser(this.db, userId);
    if (!user) throw DeskError.keyed('NOT_FOUND', 'user.notFound');
    this.actor = actorFor(user, registerRoles(this.db));
    this.sessionKey = key;
    const db = this.db;
    // The first page and a search are asked for next: their statements (and a search's audit append)
    // are prepared now, inside the unlock's time to spare, not in the first call's.
    try {
      prepareListStatements(db, this.arms, this.actor, this.now());
      if (!this.readOnly) prepareAuditStatements(db);
    } catch (err) {
      // Only a head start: a schema these statements do not fit (a damaged profile left read-only) meets the error at its first call.
      this.log.log('warn', 'statements not prepared at unlock', { error: (err as Error).message });
    }
    if (!this.readOnly) this.conn!.gate.whenWritable(() => writeTx(db, () => appendAudit(db, { userId, action: 'session.unlock' })));
    const gate = this.conn!.gate;
    if (!this.readOnly) this.auditAnchor.sessionStarted(db, userId, [...signingKeys, key], (w) => gate.whenWritable(w));
    return this.sessionOf(this.actor);
  }

  /**
   * Unlocks with a person's token: each unlocking key is asked to unwrap the data key in turn; the
   * database is opened and the person is the holder of the certificate of the key that unwrapped
   * it. No other certificate on the token counts. A key bound to nobody (the recovery key, a
   * binding removed since) does not open a session, and the profile stays locked.
   */
  async unlock(token: TokenIdentity): Promise<Session> {
    if (this.state === 'new') throw DeskError.keyed('SETUP_REQUIRED', 'setup.required');
    if (this.conn) this.lock('manual');
    if (this.needsBinding) return this.unlockPlain(token);
    let dataKey: Buffer | null = null;
    let unlockedBy: PrivateKeyOps | null = null;
    let lastError: unknown = null;
    for (const key of token.unlockKeys) {
      try {
        dataKey = await openKeyring(this.path(KEYRING_FILE), key);
        unlockedBy = key;
        break;
      } catch (err) {
        // A key that cannot open it (not a recipient; a certificate written beside a key that is
        // not its own) does not stop the next one from trying.
        if (!(err instanceof CryptoError && err.code === 'NOT_A_RECIPIENT')) lastError = err;
      }
    }
    if (!dataKey || !unlockedBy) {
      if (lastError) throw lastError;
      throw DeskError.keyed('NOT_BOUND', 'token.notBound');
    }
    try {
      // An encryption in place that was interrupted (keyring written, database or blobs still plain)
      // is finished now, with the key it was started with.
      if (this.encryptionInterrupted()) await this.encryptInPlace(dataKey);
      await this.attach(dataKey, false, true);
    } catch (err) {
      dataKey.fill(0);
      throw err;
    }
    let userId: number | undefined;
    try {
      userId = holderOf(this.db, unlockedBy.certificate);
    } catch (err) {
      // A damaged page met before the check's verdict is a verdict too.
      if (isDamage(err)) this.conn?.gate.decide({ ok: false, damage: (err as Error).message });
      // A damaged database stays open read-only (state 'damaged') so the banner can say so.
      if (this.readOnly) throw DeskError.keyed('READ_ONLY', 'profile.damagedOnUnlock');
      throw err;
    }
    if (userId === undefined || !getUser(this.db, userId)) {
      this.lock('manual');
      throw DeskError.keyed('NOT_BOUND', 'token.notBoundToActiveUser');
    }
    try {
      await this.openCompartments(userId, unlockedBy);
      if (!this.readOnly) await this.rewrapLevelKeyringsAsHolder(unlockedBy);
    } catch (err) {
      this.lock('manual');
      throw err;
    }
    return this.startSession(userId, unlockedBy, token.signingKeys);
  }

  /**
   * A plain profile from before token binding, unlocked with a token bound before (an earlier
   * binding whose encryption never happened or never finished): the profile is encrypted for the
   * bound certificates, the key proving itself by opening the new keyring, then unlocked as usual.
   * Any other token gets BIND_REQUIRED, which names nobody: the recovery key binds someone first.
   */
  private async unlockPlain(token: TokenIdentity): Promise<Session> {
    await this.attach(null);
    let key: PrivateKeyOps | undefined;
    let certs: Uint8Array[] = [];
    try {
      if (this.readOnly) throw DeskError.keyed('READ_ONLY', 'profile.damagedOnUnlock');
      key = token.unlockKeys.find((k) => {
        const holder = holderOf(this.db, k.certificate);
        return holder !== undefined && getUser(this.db, holder) !== undefined;
      });
      certs = unlockCertificates(this.db);
    } finally {
      this.lock('manual');
    }
    if (!key) {
      throw DeskError.keyed('BIND_REQUIRED', this.recovery.length > 0 ? 'profile.legacyRecovery' : 'profile.legacyNoRecovery', undefined,
        { details: { recoveryConfigured: this.recovery.length > 0 } });
    }
    await this.encryptFor(certs, key);
    return this.unlock(token);
  }

  /** The recovery key on this token, after it proved itself on a fresh challenge. */
  private async recoveryKey(token: TokenIdentity): Promise<PrivateKeyOps> {
    const prints = new Set(this.recovery.map((r) => fingerprintOf(parseCertificate(r))));
    const key = token.unlockKeys.find((k) => prints.has(fingerprintOf(parseCertificate(k.certificate))));
    if (!key || !(await proveKey(key)))
      throw DeskError.keyed('NOT_BOUND', 'token.notRecovery');
    return key;
  }

  /** A plain profile: the people in it, once the recovery key has proved itself. */
  async legacyUsers(recovery: TokenIdentity): Promise<UserSummary[]> {
    if (!this.needsBinding) throw DeskError.keyed('VALIDATION', 'profile.alreadyEncrypted');
    await this.recoveryKey(recovery);
    await this.attach(null);
    try {
      return listUsers(this.db);
    } finally {
      this.lock('manual');
    }
  }

  /**
   * A plain profile, on the recovery key's authority: binds a person's token (its certificates
   * checked as an administrator's binding would be) and encrypts the profile in place for every
   * bound certificate and the recovery certificate. The profile stays locked: the person opens it
   * with their own token and PIN. Crash-safe: see encryptInPlace.
   */
  async bindLegacy(recovery: TokenIdentity, userId: number, personCertificates: readonly Uint8Array[]): Promise<void> {
    if (!this.needsBinding) throw DeskError.keyed('VALIDATION', 'profile.alreadyEncrypted');
    const key = await this.recoveryKey(recovery);
    await this.attach(null);
    let certs: Uint8Array[];
    try {
      await this.writable();
      const user = getUser(this.db, userId);
      if (!user) throw DeskError.keyed('NOT_FOUND', 'user.notFound');
      const fit = bindableCertificates(personCertificates, this.bindingPolicy(), true);
      writeTx(this.db, () => {
        bindCertificates(this.db, userId, fit.map((c) => c.der), null, this.now(), 'recovery');
        appendAudit(this.db, { userId: null, action: 'profile.bind_legacy', entity: 'user', entityId: userId, details: { recovery: fingerprintOf(parseCertificate(key.certificate)) } });
      });
      certs = unlockCertificates(this.db);
    } finally {
      this.lock('manual');
    }
    await this.encryptFor(certs, key);
  }

  /**
   * Encrypts a plain profile in place: a fresh data key wrapped for `certs` and the recovery
   * certificate (proved to open with `key`), then the database and blobs (encryptInPlace).
   */
  private async encryptFor(certs: readonly Uint8Array[], key: PrivateKeyOps): Promise<void> {
    const dataKey = newDataKey();
    try {
      await this.writeKeyringFor(dataKey, certs, key);
      await this.encryptInPlace(dataKey);
    } finally {
      dataKey.fill(0);
    }
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
    // No connection of an earlier session may still hold the files about to be renamed and shredded.
    await this.connectionsClosed();
    // Interrupted between the two renames: the verified encrypted copy takes its place.
    if (!existsSync(plain) && existsSync(next)) await fsp.rename(next, plain);
    let verified = false;
    const report = this.steppedReporter();
    const steps = 4;
    // A copy of a run interrupted before its swap, with what SQLite left beside it: the journal of a
    // rekey killed half-way holds plain pages, and left in place it would be rolled back into the next copy.
    const staleCopy = async () => {
      for (const f of [next, `${next}-journal`, `${next}-wal`, `${next}-shm`]) await shred(f);
    };
    if (this.dbIsPlain()) {
      await staleCopy();
      // Copied, encrypted and checked on the database worker (seconds at tens of thousands of
      // documents); the window sees the bytes of each phase, then the files.
      const { ms } = await encryptCopyOffThread(plain, next, dataKey.toString('hex'), (s) => {
        report(s.phase === 3
          ? { type: 'work.progress', task: 'encrypt', step: 3, steps, done: 0, total: 1 }
          : { type: 'work.progress', task: 'encrypt', step: s.phase, steps, done: s.done, total: s.total, unit: 'bytes' });
      });
      report({ type: 'work.progress', task: 'encrypt', step: 3, steps, done: 1, total: 1 });
      this.log.log('info', 'database encrypted into a verified copy', { ms: Math.round(ms) });
      verified = true;
      const old = this.path(`${DB_FILE}.plain-old`);
      await fsp.rename(plain, old);
      await fsp.rename(next, plain);
      for (const f of [old, `${old}-wal`, `${old}-shm`]) await shred(f);
      await shred(this.path(`${DB_FILE}-wal`));
      await fsp.rm(this.path(`${DB_FILE}-shm`), { force: true });
    }
    await staleCopy();
    for (const f of ['plain-old', 'plain-old-wal', 'plain-old-shm']) await shred(this.path(`${DB_FILE}.${f}`));
    await this.attach(Buffer.from(dataKey), verified);
    try {
      const hashes = this.db.prepare('SELECT DISTINCT sha256 FROM attachments').pluck().all() as string[];
      report({ type: 'work.progress', task: 'encrypt', step: 4, steps, done: 0, total: hashes.length, unit: 'files' });
      for (const [i, sha] of hashes.entries()) {
        await this.store.encryptPlainBlob(sha);
        report({ type: 'work.progress', task: 'encrypt', step: 4, steps, done: i + 1, total: hashes.length, unit: 'files' });
      }
      await this.store.sweepPlainStaging();
      this.log.log('info', 'profile encrypted in place', { blobs: hashes.length });
    } finally {
      this.lock('manual');
    }
  }

  /**
   * After a binding changed who may unlock: the keyring rewrapped for every unlocking certificate,
   * proved to open with the key of the current session.
   */
  async rewrapKeyring(): Promise<void> {
    if (!this.dataKey || !this.sessionKey) throw DeskError.keyed('NO_SESSION', 'session.ended');
    await this.writeKeyringFor(this.dataKey, unlockCertificates(this.db), this.sessionKey);
    await this.rewrapLevelKeyrings();
    await syncPersonalKeyrings({
      profileDir: this.profileDir, db: this.db, recovery: this.recovery, session: this.personal, prover: this.sessionKey,
      actorId: this.actor?.id ?? null, baseStore: this.store, log: this.log,
    });
  }

  /** At unlock: levels this person holds are given to the people cleared for them who lack them. */
  private async rewrapLevelKeyringsAsHolder(key: PrivateKeyOps): Promise<void> {
    for (const [level, k] of this.levelKeys) {
      const file = levelKeyringFile(this.profileDir, level);
      const want = holderCertificates(this.db, level, this.recovery);
      const missing: Uint8Array[] = [];
      for (const der of want) if (!(await levelKeyringAddressedTo(file, der))) missing.push(der);
      if (missing.length === 0) continue;
      await writeLevelKeyring(file, k, want, key);
      this.log.log('info', 'level key given to the people cleared for it', { level, added: missing.length });
    }
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
