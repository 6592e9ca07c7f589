// Level keyrings received from the agency server (another workstation wrapped the level key for
// someone this profile's keyring does not yet address: a person newly cleared there). Kept as they
// came, one file per level and key id, under keyrings/received/<level>/; at unlock a person whose
// own keyring entry is missing here opens the level with one of them (ProfileVault.openCompartments).
import { randomBytes } from 'node:crypto';
import { existsSync, promises as fsp, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Level } from '../compartments/levels';
import { makePrivateDir } from '../privateFiles';

export const receivedKeyringDir = (profileDir: string, level: Level): string => join(profileDir, 'keyrings', 'received', level);

/** Keeps a received keyring (the newest for its key id replaces the older). */
export async function keepReceivedKeyring(profileDir: string, level: Level, keyId: string, cms: Buffer): Promise<void> {
  if (!/^[0-9a-f]{8,64}$/.test(keyId)) throw new Error('bad key id');
  const dir = receivedKeyringDir(profileDir, level);
  makePrivateDir(dir);
  const file = join(dir, `${keyId}.cms`);
  const tmp = `${file}.${randomBytes(4).toString('hex')}.part`;
  await fsp.writeFile(tmp, cms, { mode: 0o600, flag: 'wx' });
  await fsp.rename(tmp, file);
}

/** The received keyrings of a level, newest first. */
export function receivedKeyrings(profileDir: string, level: Level): string[] {
  const dir = receivedKeyringDir(profileDir, level);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.cms')).map((f) => join(dir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
}
