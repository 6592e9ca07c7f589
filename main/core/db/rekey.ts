// The one-time rekey of a profile database from the PBKDF2-derived key to the raw data key.
//
// Crash safety. SQLite3 Multiple Ciphers rekeys in place in one write transaction (rollback journal
// mode; WAL is refused): every page goes to the journal under the OLD key, then to the file under the
// new one. A kill at any point leaves either the old file with a hot journal, or the finished file.
// The marker file (keying.ts) is written and synced before the transaction starts and removed right
// after it commits, so the next open knows which key must see the file first: with the marker, the
// derived key (it rolls the hot journal back, and the rekey is done again); without it, the raw key.
// The switch back to WAL comes after the marker is gone, so its own journal is under the raw key.
import { closeSync, fsyncSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { openKeyed, rekeyMarker } from './keying';

export type RekeyOutcome =
  /** The file was keyed through PBKDF2 and is now keyed with the raw key. */
  | 'rekeyed'
  /** Nothing to do (the file was already raw; an interrupted run is tidied up). */
  | 'already-raw'
  /** Another connection has the database open (WAL cannot be left): left as it was, for a later unlock. */
  | 'busy';

function syncDir(path: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dirname(path), 'r');
    fsyncSync(fd);
  } catch {
    /* some file systems cannot sync a directory: the rename/unlink is still ordered after the data */
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function writeMarker(file: string): void {
  const marker = rekeyMarker(file);
  writeFileSync(marker, `rekey to raw key started ${new Date().toISOString()}\n`, { mode: 0o600 });
  const fd = openSync(marker, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  syncDir(marker);
}

function removeMarker(file: string): void {
  rmSync(rekeyMarker(file), { force: true });
  syncDir(file);
}

/**
 * Rekeys `file` to the raw data key if it is still keyed through PBKDF2. Synchronous and long on a
 * large file (every page is read, journalled and rewritten): the core runs it on the database worker.
 * Throws when the file cannot be opened with the key, or the rekey fails (it is then rolled back).
 */
export function rekeyToRaw(file: string, hexKey: string): RekeyOutcome {
  const { db, form } = openKeyed(file, hexKey);
  try {
    if (form === 'raw') {
      // A run killed after its commit: the marker is stale; WAL may not be back yet.
      removeMarker(file);
      db.pragma('journal_mode = WAL');
      return 'already-raw';
    }
    // From here on a journal under the derived key may be left behind: the marker says so. Leaving
    // WAL needs the only connection to the file (it checkpoints first); else try at a later unlock.
    writeMarker(file);
    let mode: unknown;
    try {
      mode = db.pragma('journal_mode = DELETE', { simple: true });
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY') throw err;
    }
    if (mode !== 'delete') {
      removeMarker(file);
      return 'busy';
    }
    try {
      db.pragma(`rekey="x'${hexKey}'"`);
    } catch (err) {
      // Rolled back: still the derived key, which the marker makes the next open try first.
      db.pragma('journal_mode = WAL');
      removeMarker(file);
      throw err;
    }
    removeMarker(file);
    db.pragma('journal_mode = WAL');
    return 'rekeyed';
  } finally {
    db.close();
  }
}
