// Where plaintext is written before it is known to be authentic: a private folder beside the
// destination (same file system, so the final rename is atomic), files 0600 in a 0700 folder, each
// named by the writing process's id. A run killed with SIGKILL cannot clean up after itself; the
// next run in that folder removes the files of processes that no longer exist.
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { processAlive } from '../processAlive';

export const TEMP_DIR_NAME = '.securedesk-tmp';
const OURS = /^(\d+)-[0-9a-f]{16}\.part$/;

/** Overwrites a file that held plaintext before removing it (best effort: SSDs may keep old blocks). */
export async function shredFile(file: string): Promise<void> {
  try {
    const fh = await fsp.open(file, 'r+');
    try {
      const { size } = await fh.stat();
      const zeros = Buffer.alloc(Math.min(size, 1 << 20));
      for (let off = 0; off < size; off += zeros.length) await fh.write(zeros, 0, Math.min(zeros.length, size - off), off);
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    /* absent, or not writable: removed below all the same */
  }
  await fsp.rm(file, { force: true });
}

/**
 * Creates (or reuses) the private folder beside `destPath`, removing what dead runs left in it, and
 * returns a fresh temporary name inside it. Refuses a folder that is a symbolic link or not a folder
 * (someone else's trap for our plaintext).
 */
export async function privateTempFile(destPath: string): Promise<{ dir: string; file: string }> {
  const dir = join(dirname(destPath), TEMP_DIR_NAME);
  try {
    await fsp.mkdir(dir, { mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const st = await fsp.lstat(dir);
  if (!st.isDirectory() || st.isSymbolicLink()) throw new Error(`${dir} is not a private folder`);
  if (process.platform !== 'win32') {
    if (typeof process.getuid === 'function' && st.uid !== process.getuid()) throw new Error(`${dir} belongs to another user`);
    if ((st.mode & 0o777) !== 0o700) await fsp.chmod(dir, 0o700);
  }
  await sweepLeftovers(dir, destPath);
  return { dir, file: join(dir, `${process.pid}-${randomBytes(8).toString('hex')}.part`) };
}

/** Removes the partial files of processes that are gone, and those older versions left beside `destPath`. */
async function sweepLeftovers(dir: string, destPath: string): Promise<void> {
  for (const name of await fsp.readdir(dir)) {
    const m = OURS.exec(name);
    if (m && !processAlive(Number(m[1]))) await shredFile(join(dir, name));
  }
  // Versions before the private folder wrote `.NAME.<12 hex>.part` next to the destination.
  const legacy = new RegExp(`^\\.${basename(destPath).replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}\\.[0-9a-f]{12}\\.part$`);
  for (const name of await fsp.readdir(dirname(destPath))) if (legacy.test(name)) await shredFile(join(dirname(destPath), name));
}

/** Removes the private folder when nothing is left in it (another run may still be using it). */
export async function removeTempDirIfEmpty(dir: string): Promise<void> {
  try {
    await fsp.rmdir(dir);
  } catch {
    /* not empty, or already gone */
  }
}
