// Re-keying a compartment when someone loses it (their clearance lowered, their token unbound): a new
// level key, wrapped only for the people still cleared, the compartment file rekeyed to it, and its
// blobs sealed again under it, so that a copy of the old keyring opens nothing written after.
//
// Crash-safe and resumable. keyrings/<level>.next.cms (the new key, for the remaining holders) is
// written first and renamed over the current keyring last: while it exists the rekey is under way, and
// the next open by a holder finishes it. The file is rekeyed by SQLite3 Multiple Ciphers in one
// rollback-journal transaction (a crash leaves a hot journal under the OLD key, so the old key opens
// it first and rolls it back; then the rekey runs again). Blobs go to a new folder, sealed under the
// new key, which replaces the old one only when complete.
import Database from 'better-sqlite3-multiple-ciphers';
import { existsSync, promises as fsp } from 'node:fs';
import type { AttachmentStore } from '../attachments/store';
import type { PrivateKeyOps } from '../crypto';
import { applyKey } from '../db/keying';
import { compartmentFile, levelKeyringFile, levelStoreDir, type Level } from './levels';
import { newLevelKey, openLevelKeyring, writeLevelKeyring, type LevelKey } from './keyrings';

export const nextKeyringFile = (profileDir: string, level: Level): string => `${levelKeyringFile(profileDir, level)}.next`;
const nextStoreDir = (profileDir: string, level: Level): string => `${levelStoreDir(profileDir, level)}.next`;

export interface RekeyProgress { level: Level; step: 'keyring' | 'database' | 'files' | 'done'; done: number; total: number }

/** Whether a level key opens a compartment file. */
export function keyOpensCompartment(file: string, k: LevelKey): boolean {
  return opens(file, k);
}

function opens(file: string, k: LevelKey): boolean {
  const db = new Database(file, { fileMustExist: true });
  try {
    applyKey(db, k.key.toString('hex'), 'raw');
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return true;
  } catch {
    return false;
  } finally {
    db.close();
  }
}

/** Rekeys the compartment file from `from` to `to` (nothing to do when `to` already opens it). */
function rekeyFile(file: string, from: LevelKey, to: LevelKey): void {
  // The old key first: it rolls back a hot journal left by an interrupted rekey.
  if (!opens(file, from)) {
    if (opens(file, to)) return;
    throw new Error(`the ${from.level} compartment opens with neither its old nor its new key`);
  }
  const db = new Database(file, { fileMustExist: true });
  try {
    applyKey(db, from.key.toString('hex'), 'raw');
    db.pragma('wal_checkpoint(TRUNCATE)');
    if (db.pragma('journal_mode = DELETE', { simple: true }) !== 'delete') throw new Error('the compartment is in use; rekey later');
    db.pragma(`rekey="x'${to.key.toString('hex')}'"`);
    db.pragma('journal_mode = WAL');
  } finally {
    db.close();
  }
}

export interface RekeyInput {
  profileDir: string;
  current: LevelKey;
  /** Certificates that keep the level (people still cleared, recovery). */
  holders: readonly Uint8Array[];
  prover: PrivateKeyOps;
  /** The level store for a folder and key (the staging area stays the base's). */
  storeFor(dir: string, key: Buffer): AttachmentStore;
  /** The sha256 of every file the compartment references (read before it is detached). */
  blobs: readonly string[];
  onProgress?(p: RekeyProgress): void;
}

/**
 * Starts or resumes the re-key of a detached compartment; returns the new key. The caller detaches
 * the compartment before and attaches it with the returned key after.
 */
export async function rekeyCompartment(input: RekeyInput, resumeWith?: LevelKey): Promise<LevelKey> {
  const { profileDir, current } = input;
  const level = current.level;
  const next = nextKeyringFile(profileDir, level);
  // The new key names the one it replaces: a workstation that receives it through the agency server and
  // still holds the old one re-keys its own copy of the compartment to it (main/core/sync/keyringShare.ts).
  const fresh = resumeWith ?? { ...newLevelKey(level), previous: current.keyId };
  const progress = (step: RekeyProgress['step'], done = 0, total = 0) => input.onProgress?.({ level, step, done, total });
  if (!resumeWith) {
    progress('keyring');
    await writeLevelKeyring(next, fresh, input.holders, input.prover);
  }
  progress('database');
  rekeyFile(compartmentFile(profileDir, level), current, fresh);
  const oldDir = levelStoreDir(profileDir, level);
  const newDir = nextStoreDir(profileDir, level);
  const retired = `${oldDir}.old`;
  // The folders are swapped in two renames; `retired` existing means the copy is complete.
  if (!existsSync(retired)) {
    const oldStore = input.storeFor(oldDir, current.key);
    const newStore = input.storeFor(newDir, fresh.key);
    await newStore.init();
    let done = 0;
    for (const sha of input.blobs) {
      if (await oldStore.hasBlob(sha)) await newStore.importBlob(oldStore, sha);
      progress('files', ++done, input.blobs.length);
    }
    if (existsSync(oldDir)) await fsp.rename(oldDir, retired);
  }
  if (existsSync(newDir)) await fsp.rename(newDir, oldDir);
  // The blobs under the old key go: a copy of the old keyring must open nothing here.
  await fsp.rm(retired, { recursive: true, force: true });
  await fsp.rename(next, levelKeyringFile(profileDir, level));
  progress('done');
  return fresh;
}

/** An interrupted rekey of this level that `key` can finish: the new key, or null. */
export async function interruptedRekey(profileDir: string, level: Level, key: PrivateKeyOps): Promise<LevelKey | null> {
  const next = nextKeyringFile(profileDir, level);
  if (!existsSync(next)) return null;
  try {
    return await openLevelKeyring(next, level, key);
  } catch {
    return null; // not for this person (no longer a holder): someone who is finishes it
  }
}

/** The files a compartment references, read with whichever of `keys` opens it. */
export function blobsOf(file: string, keys: readonly LevelKey[]): string[] {
  for (const k of keys) {
    if (!opens(file, k)) continue;
    const db = new Database(file, { fileMustExist: true });
    try {
      applyKey(db, k.key.toString('hex'), 'raw');
      // Registered files, and outgoing documents' files once the compartment has them (schema 5).
      const outgoing = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'outgoing_files'").get() !== undefined;
      return db.prepare(`SELECT sha256 FROM attachments${outgoing ? ' UNION SELECT sha256 FROM outgoing_files UNION SELECT signed_sha256 FROM outgoing_files WHERE signed_sha256 IS NOT NULL' : ''}`).pluck().all() as string[];
    } finally {
      db.close();
    }
  }
  throw new Error('the compartment opens with none of its keys');
}
