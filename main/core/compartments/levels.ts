// Compartments: each secrecy level's records live in their own SQLCipher database under their own
// key (compartments/<level>.db), attached to the base database (people, units, registers, counters,
// audit) at unlock for the levels the person holds the key of. Without a level's key its file is noise.
import { join } from 'node:path';
import { SECRECY_LEVELS, secrecyRank, type Secrecy } from '../../../common/domain';

export const LEVELS = SECRECY_LEVELS;
export type Level = Secrecy;

/** The schema name a compartment is attached under (a fixed word per level: never from input). */
export const schemaOf = (level: Level): string => `c_${level}`;

export const COMPARTMENT_DIR = 'compartments';
export const KEYRING_DIR = 'keyrings';

export const compartmentFile = (profileDir: string, level: Level): string => join(profileDir, COMPARTMENT_DIR, `${level}.db`);
export const levelKeyringFile = (profileDir: string, level: Level): string => join(profileDir, KEYRING_DIR, `${level}.cms`);

/** The levels a clearance covers, lowest first. */
export const levelsUpTo = (clearance: Level): Level[] => LEVELS.filter((l) => secrecyRank(l) <= secrecyRank(clearance));

export const isLevel = (s: unknown): s is Level => typeof s === 'string' && (LEVELS as readonly string[]).includes(s);

/** A compartment's attachment blobs, sealed with its level's key. */
export const levelStoreDir = (profileDir: string, level: Level): string => join(profileDir, COMPARTMENT_DIR, `${level}-files`);

/** One schema a read goes over: an attached compartment, or the base of a damaged profile not yet split. */
export interface Arm {
  schema: string;
  level: Level | null;
}
