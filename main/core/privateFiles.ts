// The profile is the signed-in person's alone: folders 0700, files 0600 (POSIX; on Windows the
// per-user application data folder's ACL does this job and modes mean nothing).
import { chmodSync, closeSync, lstatSync, mkdirSync, openSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;
const posix = process.platform !== 'win32';

function tighten(path: string, mode: number): void {
  if (!posix) return;
  try {
    if ((lstatSync(path).mode & 0o777) !== mode) chmodSync(path, mode);
  } catch {
    /* absent, or not ours to change: the folder above still keeps others out */
  }
}

/** Creates `dir` (and missing parents) as 0700, and makes an existing one 0700. */
export function makePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  tighten(dir, PRIVATE_DIR_MODE);
}

/** Makes an existing file 0600 (no-op when it does not exist). */
export function makePrivateFile(file: string): void {
  tighten(file, PRIVATE_FILE_MODE);
}

/** Creates `file` empty as 0600 unless it exists, then makes it 0600: for files others create (SQLite). */
export function createPrivateFile(file: string): void {
  closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
  tighten(file, PRIVATE_FILE_MODE);
}

/** Folders of the profile that hold a handful of files (compartment databases, level and personal keyrings): walked too. */
const SMALL_FOLDERS = new Set(['compartments', 'keyrings', join('keyrings', 'people')]);

/**
 * The profile folder: 0700, and the files directly in it (database, -wal, -shm, keyring) 0600, and
 * those of the compartment and keyring folders, so a profile an older version left 0644/0755 is
 * closed at the next start. Blobs deeper down are behind the 0700 folders and are written 0600 from
 * now on; they are not walked (a million files).
 */
export function makeProfilePrivate(dir: string): void {
  makePrivateDir(dir);
  if (!posix) return;
  const tightenEntries = (folder: string, rel: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const p = join(folder, entry.name);
      if (entry.isFile()) tighten(p, PRIVATE_FILE_MODE);
      else if (entry.isDirectory()) {
        tighten(p, PRIVATE_DIR_MODE);
        const sub = rel ? join(rel, entry.name) : entry.name;
        if (SMALL_FOLDERS.has(sub)) tightenEntries(p, sub);
      }
    }
  };
  tightenEntries(dir, '');
}
