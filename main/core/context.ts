// What every domain service is given: the open profile's database and store, the clock, the log and
// the profile's policies. The vault builds it while a session is open; services never hold it longer
// than one call, so locking really ends their access.
import type { AttachmentStore } from './attachments/store';
import type { Arm, Level } from './compartments/levels';
import type { Db } from './db/connection';
import type { DbHandoff } from './db/sessionConnection';
import type { Logger } from './log';
import type { PacketBodies } from './sync/packets/bodies';

export interface CoreContext {
  readonly db: Db;
  /** The signed-in person's staging area (sealed with their personal key); blobs of a level live in `storeFor(level)`. */
  readonly store: AttachmentStore;
  /**
   * The compartments this session holds, lowest level first: every read of records goes over these
   * schemas and no other (compartments/levels.ts). Never empty (an empty one stands in when none is held).
   */
  readonly arms: readonly Arm[];
  /** The attachment store of a level the session holds; NOT_FOUND otherwise. */
  storeFor(level: Level): AttachmentStore;
  readonly log: Logger;
  now(): Date;
  /**
   * Resolves when the profile may be written: at once, or when the integrity check of the database
   * (on the database worker after unlock) has passed. Rejects READ_ONLY on a damaged database and
   * NO_SESSION once locked. Every write awaits it first.
   */
  writable(): Promise<void>;
  /** Throws unless the integrity verdict is in and good: for a write that cannot wait (prefer `writable`). */
  assertWritable(): void;
  /** A record that must not hold up its caller (an audit row of a view): written after a good verdict, never on a damaged database. */
  whenWritable(write: () => void): void;
  /** Root certificates signatures must chain to (machine configuration). */
  readonly trustAnchors: readonly Uint8Array[];
  /** The CRL files installed on the workstation, read afresh (IT may add one at any time). */
  revocationLists(): Promise<ReadonlyArray<{ path: string; bytes: Uint8Array }>>;
  /**
   * Opens a file sealed (CMS) for the signed-in person ("Chỉ người có tên mới được bóc bì") with the key
   * that opened their session, on their token. CRYPTO when it is not addressed to them.
   */
  unseal(envelope: Uint8Array, maxBytes: number): Promise<Buffer>;
  /**
   * The session's database for a worker's own connection (the legacy import's writes): its keys as
   * copies and a signal aborted at lock; null when no worker may write. The handoff's holder stops when
   * the signal aborts. Absent: contexts that cannot hand it out (the import writes on this thread).
   */
  dbHandoff?(): DbHandoff | null;
  /** Bodies of packets waiting to leave, sealed under the profile's key (null: a profile without a key keeps them in its rows). */
  readonly packetBodies: PacketBodies | null;
  /** Largest attachment accepted, in bytes (profile setting). */
  attachmentLimit(): number;
  /**
   * Seals a small record (a draft) with the signed-in person's own key (compartments/personalKeys.ts),
   * bound to `binding`; CRYPTO (personal.keyMissing) when the session has no personal key.
   */
  sealPersonal(plain: Buffer, binding: string): Buffer;
  /** Opens what sealPersonal sealed; BlobIntegrityError when it is not this person's or not for `binding`. */
  openPersonal(sealed: Buffer, binding: string): Buffer;
}

/** Anything that can hand a service the context of the open profile (the vault). */
export interface ContextSource {
  context(): CoreContext;
}
