// What every domain service is given: the open profile's database and store, the clock, the log and
// the profile's policies. The vault builds it while a session is open; services never hold it longer
// than one call, so locking really ends their access.
import type { AttachmentStore } from './attachments/store';
import type { Db } from './db/connection';
import type { Logger } from './log';

export interface CoreContext {
  readonly db: Db;
  readonly store: AttachmentStore;
  readonly log: Logger;
  now(): Date;
  /** Throws READ_ONLY when the profile may not be written (damaged database). */
  assertWritable(): void;
  /** Root certificates signatures must chain to (machine configuration). */
  readonly trustAnchors: readonly Uint8Array[];
  /** The CRL files installed on the workstation, read afresh (IT may add one at any time). */
  revocationLists(): Promise<ReadonlyArray<{ path: string; bytes: Uint8Array }>>;
  /** Largest attachment accepted, in bytes (profile setting). */
  attachmentLimit(): number;
}

/** Anything that can hand a service the context of the open profile (the vault). */
export interface ContextSource {
  context(): CoreContext;
}
