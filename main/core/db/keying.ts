// How the profile database is keyed. The data key is 32 random bytes, so SQLCipher takes it as a raw
// key (`PRAGMA key = "x'…'"`): no key derivation. Profiles keyed before this build went through
// PBKDF2-HMAC-SHA512 (`hexkey`, 256 000 iterations, ~120 ms per open); rekey.ts converts them once.
// Which form a file is in is found by opening it: raw first, unless a rekey marker says a rekey may
// have been interrupted (then the old form first, so that its hot journal is rolled back with the
// key it was written with).
import Database from 'better-sqlite3-multiple-ciphers';
import { existsSync } from 'node:fs';

type Db = Database.Database;

export type KeyForm = 'raw' | 'derived';

const HEX_KEY = /^[0-9a-f]{64}$/i;

export function assertHexKey(hexKey: string): void {
  if (!HEX_KEY.test(hexKey)) throw new Error('database key must be 32 bytes of hex');
}

/** Keys a fresh connection (before its first read). */
export function applyKey(db: Db, hexKey: string, form: KeyForm): void {
  assertHexKey(hexKey);
  db.pragma(`cipher='sqlcipher'`);
  db.pragma('legacy=4');
  if (form === 'raw') db.pragma(`key="x'${hexKey}'"`);
  else db.pragma(`hexkey='${hexKey}'`);
}

/** Present while a rekey may be under way (written before it starts, removed once it has committed). */
export const rekeyMarker = (file: string): string => `${file}.rekey`;

export interface KeyedConnection {
  db: Db;
  form: KeyForm;
}

/**
 * Opens `file` with the data key in whichever form the file is in. Throws the last error (SQLITE_NOTADB
 * for a wrong key or a damaged first page) when neither form opens it.
 */
export function openKeyed(file: string, hexKey: string, opts: { readonly?: boolean; fileMustExist?: boolean } = {}): KeyedConnection {
  assertHexKey(hexKey);
  const order: KeyForm[] = existsSync(rekeyMarker(file)) ? ['derived', 'raw'] : ['raw', 'derived'];
  let lastError: unknown;
  for (const form of order) {
    const db = new Database(file, { readonly: opts.readonly ?? false, fileMustExist: opts.fileMustExist ?? true });
    try {
      applyKey(db, hexKey, form);
      db.prepare('SELECT count(*) FROM sqlite_master').get(); // a wrong key fails here
      return { db, form };
    } catch (err) {
      db.close();
      lastError = err;
      // Only a wrong key (not a database) is worth the other form; a busy or unreadable file is not.
      if ((err as { code?: string }).code !== 'SQLITE_NOTADB') break;
    }
  }
  throw lastError;
}
