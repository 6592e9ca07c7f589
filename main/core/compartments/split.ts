// Splitting a single-file profile (schema ≤ 12: every level's records in the base database) into
// compartments, once, at the first unlock with this build, and for a new profile at setup.
//
// Crash-safe by construction: the base stays the truth until one base transaction drops its document
// tables and records the layout. Before that, compartment files and level keyrings are built from
// scratch on every attempt (leftovers of an interrupted attempt are removed first); after it, the
// base is vacuumed (a flag says it is still to be done) so that no page of it holds the moved text.
// The database work itself runs on the database worker (splitCopy.ts): the main thread stays free and
// the window is told how far it is.
import { existsSync, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../db/connection';
import { splitCommitOffThread, splitCopyOffThread, vacuumOffThread } from '../db/offThread';
import { getSetting } from '../profile/settings';
import type { PrivateKeyOps } from '../crypto';
import { COMPARTMENT_DIR, KEYRING_DIR, LEVELS, compartmentFile, levelKeyringFile, type Level } from './levels';
import { newLevelKey, writeLevelKeyring, type LevelKey } from './keyrings';
import { shred } from '../vault/shred';
import type { AttachmentStore } from '../attachments/store';

export const isSplit = (db: Db): boolean => getSetting(db, 'layout') === 'compartments';

/** The base still holds the document tables (a profile from before compartments). */
export const needsSplit = (db: Db): boolean =>
  !isSplit(db) && db.prepare("SELECT 1 FROM main.sqlite_master WHERE type = 'table' AND name = 'incoming'").get() !== undefined;

/** Where a split is: 1 the records and their history copied, 2 the records indexed (rows), 3 their files moved (files), 4 the base rewritten (no figures). */
export interface SplitStatus { step: 1 | 2 | 3 | 4; steps: 4; done: number; total: number }

/** The base database file and its data key, for the worker's own connection (the caller's stays open). */
export interface BaseFile { file: string; hexKey: string }

/** The base was split but not yet vacuumed (interrupted): vacuum it now, on the database worker. */
export async function finishVacuum(db: Db, base: BaseFile, baseStoreDir: string): Promise<void> {
  if (getSetting(db, 'vacuum_pending') !== '1') return;
  // The blobs the base store held went to the compartments' stores, sealed with their levels' keys.
  if (existsSync(baseStoreDir)) {
    for (const e of await fsp.readdir(baseStoreDir, { withFileTypes: true })) {
      if (!e.isDirectory() || !/^[0-9a-f]{2}$/.test(e.name)) continue;
      const dir = join(baseStoreDir, e.name);
      for (const f of await fsp.readdir(dir)) await shred(join(dir, f));
      await fsp.rm(dir, { recursive: true, force: true });
    }
  }
  await vacuumOffThread(base.file, base.hexKey);
}

export interface SplitInput {
  profileDir: string;
  /** Certificates that must hold each level's key (bound people cleared for it, and recovery). */
  certsFor(level: Level): Uint8Array[];
  /** The session's key: it proves the keyrings it is a recipient of open. */
  prover: PrivateKeyOps;
  /** The base's attachment store (the blobs move out of it) and a level's store for a key. */
  baseStore: AttachmentStore;
  baseStoreDir: string;
  levelStore(level: Level, key: Buffer): AttachmentStore;
  /** The base on disk: the worker copies, commits and vacuums on a connection of its own. */
  base: BaseFile;
  onProgress?(status: SplitStatus): void;
}

async function removeLeftovers(profileDir: string): Promise<void> {
  for (const dir of [COMPARTMENT_DIR, KEYRING_DIR]) {
    const d = join(profileDir, dir);
    if (!existsSync(d)) continue;
    for (const e of await fsp.readdir(d, { withFileTypes: true })) {
      // Files of an interrupted attempt; level stores hold blobs sealed with keys now forgotten.
      if (e.isDirectory()) await fsp.rm(join(d, e.name), { recursive: true, force: true });
      else await shred(join(d, e.name));
    }
  }
}

/**
 * Splits the base into the four compartments; returns every level's key (the caller keeps only those it
 * may). The database work runs on the database worker (the records copied, the moved tables dropped,
 * the base vacuumed); the keyrings (the token proves them) and the blobs (streamed) stay here.
 */
export async function splitIntoCompartments(db: Db, input: SplitInput): Promise<LevelKey[]> {
  const tell = (status: SplitStatus) => input.onProgress?.(status);
  await removeLeftovers(input.profileDir);
  const profileId = getSetting(db, 'profile_id')!;
  const keys = LEVELS.map(newLevelKey);
  for (const k of keys) await writeLevelKeyring(levelKeyringFile(input.profileDir, k.level), k, input.certsFor(k.level), input.prover);
  const building = (level: Level) => `${compartmentFile(input.profileDir, level)}.split`;
  const copied = await splitCopyOffThread(input.base.file, input.base.hexKey, profileId,
    keys.map((k) => ({ level: k.level, file: building(k.level), key: k.key })), (c) => tell({ ...c, steps: 4 }));
  // The blobs, sealed with their levels' keys (several levels may share a file: counted per level).
  const total = keys.reduce((n, k) => n + (copied.result.hashes[k.level]?.length ?? 0), 0);
  let moved = 0;
  tell({ step: 3, steps: 4, done: 0, total });
  for (const k of keys) {
    const store = input.levelStore(k.level, k.key);
    await store.init();
    for (const sha of copied.result.hashes[k.level] ?? []) {
      if (await input.baseStore.hasBlob(sha)) await store.importBlob(input.baseStore, sha);
      tell({ step: 3, steps: 4, done: ++moved, total });
    }
  }
  for (const k of keys) {
    const f = compartmentFile(input.profileDir, k.level);
    for (const suffix of ['-wal', '-shm']) await fsp.rm(`${building(k.level)}${suffix}`, { force: true });
    await fsp.rename(building(k.level), f);
  }
  tell({ step: 4, steps: 4, done: 0, total: 1 });
  await splitCommitOffThread(input.base.file, input.base.hexKey);
  await finishVacuum(db, input.base, input.baseStoreDir);
  tell({ step: 4, steps: 4, done: 1, total: 1 });
  return keys;
}
