// A person's own key for the length of a session: opened at unlock with the key that proved who they
// are (nothing else), held in memory, zeroed at lock. It seals their staged files and their drafts
// (personalKeys.ts). At unlock the key is also:
// - created when the person has none yet (the first unlock after binding, or after an upgrade: files
//   they staged and drafts they saved before are sealed again under it);
// - re-addressed when their bound certificates changed since it was written (and the certificate
//   used now is one it is addressed to);
// - replaced when it is not addressed to the certificate used now (a new token bound since, the old
//   one gone): what was sealed under the old key cannot be read any more and is removed.
// Files placed into a level's store by a registration that never committed are removed here too.
import { existsSync, promises as fsp } from 'node:fs';
import { appendAudit, type AuditEntry } from '../audit/auditLog';
import { openSmall, sealSmall } from '../attachments/blobCipher';
import type { AttachmentStore } from '../attachments/store';
import { CryptoError, type PrivateKeyOps } from '../crypto';
import type { Db } from '../db/connection';
import { writeTx } from '../db/transaction';
import { dropDrafts, sealLegacyDrafts } from '../drafts/draftSeal';
import { DeskError } from '../../../common/errors';
import type { Logger } from '../log';
import { keyringStanding } from './keyrings';
import { isLevel, schemaOf, type Level } from './levels';
import {
  globalIdOfUser, newPersonalKey, openPersonalKeyring, peopleWithKeyrings, personalKeyringFile, personCertificates, userOfGlobalId,
  writePersonalKeyring, type PersonalKey,
} from './personalKeys';

export class PersonalSession {
  private closed = false;

  constructor(readonly userId: number, private readonly k: PersonalKey, readonly store: AttachmentStore) {}

  get person(): string {
    return this.k.person;
  }

  get alive(): boolean {
    return !this.closed;
  }

  seal(plain: Buffer, binding: string): Buffer {
    return sealSmall(this.keyBytes(), plain, Buffer.from(binding, 'utf8'));
  }

  open(sealed: Buffer, binding: string): Buffer {
    return openSmall(this.keyBytes(), sealed, Buffer.from(binding, 'utf8'));
  }

  /** Re-addresses the keyring to `certs` (the person's certificates changed in this session). */
  async readdress(file: string, certs: readonly Uint8Array[], prover: PrivateKeyOps): Promise<void> {
    await writePersonalKeyring(file, { ...this.k, key: this.keyBytes() }, certs, prover);
  }

  private keyBytes(): Buffer {
    if (this.closed) throw DeskError.keyed('NO_SESSION', 'session.ended');
    return this.k.key;
  }

  /** At lock: the key is zeroed (the staging store holds the same buffer). */
  close(): void {
    this.closed = true;
    this.k.key.fill(0);
  }
}

export interface PersonalSessionOptions {
  profileDir: string;
  db: Db;
  userId: number;
  /** The key that proved the person's identity at this unlock: the only one tried. */
  key: PrivateKeyOps;
  recovery: readonly Uint8Array[];
  readOnly: boolean;
  log: Logger;
  /** The base's store: its staging folder holds one folder per person, and files staged before personal keys. */
  baseStore: AttachmentStore;
  /** The store of a level this session holds, by its folder name (`<level>-files`). */
  levelStore(level: Level): AttachmentStore | undefined;
  /** Runs a base write once the base is known sound (never on a damaged one). */
  whenWritable(write: () => void): void;
}

/** Personal keyrings that did not open for a reason other than the file itself (a token error): no session key. */
const REPLACEABLE = new Set(['NOT_A_RECIPIENT', 'MALFORMED_ENVELOPE', 'TAMPERED', 'TRUNCATED']);

/**
 * Opens (or creates, re-addresses, replaces) the person's key at unlock. null when it cannot be had
 * this session (a damaged profile without one, a token error): staging and drafts are then refused.
 */
export async function openPersonalSession(o: PersonalSessionOptions): Promise<PersonalSession | null> {
  try {
    return await open(o);
  } catch (err) {
    // Not a reason to refuse the unlock: records are still readable; staging and drafts are refused.
    o.log.log('error', 'the personal key could not be opened; staging and drafts are closed this session', { error: (err as Error).message });
    return null;
  }
}

async function open(o: PersonalSessionOptions): Promise<PersonalSession | null> {
  const person = globalIdOfUser(o.db, o.userId);
  const file = personalKeyringFile(o.profileDir, person);
  const certs = [...personCertificates(o.db, o.userId), ...o.recovery];
  const audit = (e: Omit<AuditEntry, 'userId'>) => o.whenWritable(() => writeTx(o.db, () => appendAudit(o.db, { userId: o.userId, ...e })));
  let k: PersonalKey | null = null;
  let replaced = false;
  if (existsSync(file)) {
    try {
      k = await openPersonalKeyring(file, person, o.key);
    } catch (err) {
      const replaceable = (err instanceof CryptoError && REPLACEABLE.has(err.code)) || /personal keyring/.test((err as Error).message);
      if (!replaceable || o.readOnly) {
        o.log.log('error', 'the personal keyring did not open; staging and drafts are closed this session', { error: (err as Error).message });
        return null;
      }
      replaced = true;
      o.log.log('warn', 'the personal keyring is not addressed to this certificate; a new key replaces it', { reason: (err as Error).message });
    }
  } else if (o.readOnly) return null;
  if (!k) {
    k = newPersonalKey(person);
    if (replaced) {
      // What was sealed under the old key cannot be read any more.
      await o.baseStore.removePersonalArea(person);
      const { userId } = o;
      o.whenWritable(() => dropDrafts(o.db, userId));
    }
    try {
      await writePersonalKeyring(file, k, certs, o.key);
    } catch (err) {
      k.key.fill(0);
      throw err;
    }
    audit({ action: replaced ? 'personal_key.replaced' : 'personal_key.created', entity: 'user', entityId: o.userId, details: { keyId: k.keyId } });
  } else if (!o.readOnly) {
    const standing = await keyringStanding(file, certs);
    if (standing.extra > 0 || standing.missing.length > 0) {
      await writePersonalKeyring(file, k, certs, o.key);
      o.log.log('info', 'personal keyring re-addressed to the person\'s certificates', { added: standing.missing.length, removed: standing.extra });
    }
  }
  const store = o.baseStore.forPerson(person, k.key, {
    onForeign: (stagedId) => audit({ action: 'staging.foreign', entity: 'user', entityId: o.userId, outcome: 'refused', reason: 'FORBIDDEN', details: { stagedId } }),
  });
  await store.init();
  const session = new PersonalSession(o.userId, k, store);
  if (o.readOnly) return session;
  const adopted = await store.adoptStaged(o.baseStore, o.userId);
  if (adopted > 0) o.log.log('info', 'staged files sealed again with the personal key', { files: adopted });
  await resolvePlacings(o, store);
  o.whenWritable(() => {
    if (!session.alive) return; // locked before the verdict: the next unlock does it
    const n = sealLegacyDrafts(o.db, o.userId, (plain, binding) => session.seal(plain, binding));
    if (n > 0) o.log.log('info', 'drafts sealed with the personal key', { drafts: n });
  });
  return session;
}

/** The tables of a compartment whose rows refer to blobs of its store (registered files, outgoing drafts' files). */
const BLOB_COLUMNS = [['attachments', 'sha256'], ['outgoing_files', 'sha256'], ['outgoing_files', 'signed_sha256']] as const;

/**
 * Blobs written for this person's registrations that never committed: each marker's blob is kept when
 * a record of its level refers to it, removed otherwise. A level not held this session keeps its markers.
 */
async function resolvePlacings(o: PersonalSessionOptions, staging: AttachmentStore): Promise<void> {
  // By level: a cut import's batch is many blobs of one pack, removed in one rewrite of it.
  const byLevel = new Map<Level, { store: AttachmentStore; orphans: string[]; markers: Set<string> }>();
  for (const p of await staging.placings()) {
    const level = /^(.+)-files$/.exec(p.store)?.[1];
    const store = isLevel(level) ? o.levelStore(level) : undefined;
    if (!isLevel(level) || !store) continue;
    const at = byLevel.get(level) ?? { store, orphans: [], markers: new Set<string>() };
    byLevel.set(level, at);
    const referenced = BLOB_COLUMNS.some(([t, col]) => o.db.prepare(`SELECT 1 FROM ${schemaOf(level)}.${t} WHERE ${col} = ? LIMIT 1`).get(p.sha256) !== undefined);
    if (!referenced) at.orphans.push(p.sha256);
    at.markers.add(p.file);
  }
  for (const [level, { store, orphans, markers }] of byLevel) {
    // The markers only once their blobs are gone: a crash meanwhile leaves them for the next unlock.
    if (orphans.length > 0) {
      await store.removeBlobs(orphans);
      o.log.log('info', 'files placed by a registration that did not complete were removed', { level, files: orphans.length });
    }
    for (const m of markers) await staging.removeBlobMarker(m);
  }
}

export interface PersonalSyncOptions {
  profileDir: string;
  db: Db;
  recovery: readonly Uint8Array[];
  /** The signed-in person's session and the key that opened it: their own keyring is re-addressed at once. */
  session: PersonalSession | null;
  prover: PrivateKeyOps | null;
  actorId: number | null;
  baseStore: AttachmentStore;
  log: Logger;
}

/**
 * After bindings changed (ProfileVault.rewrapKeyring): a person left with no unlocking certificate
 * loses their personal key, their staged files and their drafts (nobody can read them any more); the
 * signed-in person's keyring is re-addressed to their certificates now. Another person's keyring is
 * re-addressed at their next unlock (only they can open it).
 */
export async function syncPersonalKeyrings(o: PersonalSyncOptions): Promise<void> {
  const withUnlock = (userId: number | undefined) => userId !== undefined && personCertificates(o.db, userId).length > 0;
  for (const person of await peopleWithKeyrings(o.profileDir)) {
    const userId = userOfGlobalId(o.db, person);
    const file = personalKeyringFile(o.profileDir, person);
    if (!withUnlock(userId)) {
      await fsp.rm(file, { force: true });
      await o.baseStore.removePersonalArea(person);
      writeTx(o.db, () => {
        if (userId !== undefined) o.db.prepare('DELETE FROM drafts WHERE user_id = ?').run(userId);
        appendAudit(o.db, { userId: o.actorId, action: 'personal_key.removed', ...(userId !== undefined ? { entity: 'user', entityId: userId } : {}), details: { person } });
      });
      o.log.log('info', 'a person without a bound token lost their personal key, staged files and drafts');
      continue;
    }
    if (o.session?.alive && o.session.person === person && o.prover) {
      const certs = [...personCertificates(o.db, userId!), ...o.recovery];
      const standing = await keyringStanding(file, certs);
      if (standing.extra > 0 || standing.missing.length > 0) await o.session.readdress(file, certs, o.prover);
    }
  }
  // Drafts of people who can no longer unlock and never had a personal key (saved before it existed).
  writeTx(o.db, () => o.db.prepare('DELETE FROM drafts WHERE user_id NOT IN (SELECT user_id FROM user_certificates WHERE can_unlock = 1)').run());
}
