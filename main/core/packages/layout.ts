// The package file: one plain SQLite database (inside a CMS envelope when encrypted). SQLite rather than
// a tar or zip: there are no entry paths to climb out with, no links, no compression to expand, and a
// third party opens it with the sqlite3 shell. The schema is fixed; a file with anything else is refused.
// The database is built and read in memory (serialized / deserialized), so a classified package's
// plaintext never touches the disk.
import Database from 'better-sqlite3-multiple-ciphers';
import { PackageError } from './errors';

export const LAYOUT_SQL = `
  CREATE TABLE manifest (id INTEGER PRIMARY KEY CHECK (id = 1), json BLOB NOT NULL, signature BLOB NOT NULL);
  CREATE TABLE events (seq INTEGER PRIMARY KEY, schema TEXT NOT NULL, document TEXT, body TEXT NOT NULL);
  CREATE TABLE files (sha256 TEXT PRIMARY KEY, level TEXT NOT NULL, mime TEXT NOT NULL, bytes BLOB NOT NULL);
`;
const EXPECTED = new Map([
  ['manifest', 'CREATE TABLE manifest (id INTEGER PRIMARY KEY CHECK (id = 1), json BLOB NOT NULL, signature BLOB NOT NULL)'],
  ['events', 'CREATE TABLE events (seq INTEGER PRIMARY KEY, schema TEXT NOT NULL, document TEXT, body TEXT NOT NULL)'],
  ['files', 'CREATE TABLE files (sha256 TEXT PRIMARY KEY, level TEXT NOT NULL, mime TEXT NOT NULL, bytes BLOB NOT NULL)'],
]);

export interface PackageEventRow { seq: number; schema: string; document: string | null; body: string }

/** Creates an empty package database in memory (`serialize()` gives the file's bytes). */
export function createLayout(): Database.Database {
  const db = new Database(':memory:');
  db.pragma('page_size = 4096');
  db.exec(LAYOUT_SQL);
  return db;
}

/**
 * Opens a received package database read-only after checking it is exactly our layout: the file's
 * size matches its page count (no trailing bytes, not truncated), the integrity check passes, and the
 * schema holds our three tables and nothing else (no views, triggers or virtual tables to run code).
 */
export function openLayout(bytes: Buffer, maxBytes: number): Database.Database {
  const size = bytes.length;
  if (size > maxBytes) throw new PackageError('TOO_LARGE', `package database of ${size} bytes exceeds the limit of ${maxBytes}`, 'Gói dữ liệu vượt quá dung lượng cho phép.');
  if (bytes.subarray(0, 16).toString('latin1') !== 'SQLite format 3\0') throw new PackageError('NOT_A_PACKAGE', 'not an SQLite database', 'Tệp không phải gói dữ liệu SecureDesk.');
  let db: Database.Database;
  try {
    db = new Database(bytes, { readonly: true });
    db.pragma('trusted_schema = OFF');
    db.pragma('cell_size_check = ON');
  } catch (e) {
    throw new PackageError('NOT_A_PACKAGE', `cannot open the package database: ${(e as Error).message}`, 'Không mở được gói dữ liệu.');
  }
  try {
    const pages = db.pragma('page_count', { simple: true }) as number;
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    if (pages * pageSize !== size) throw new PackageError('TRUNCATED', `package database is ${size} bytes, its header says ${pages * pageSize}`, 'Gói dữ liệu bị cắt cụt hoặc thêm bớt.');
    const objects = db.prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_autoindex_%'").all() as Array<{ type: string; name: string; sql: string }>;
    const ok = objects.length === EXPECTED.size && objects.every((o) => o.type === 'table' && EXPECTED.get(o.name) === o.sql.replace(/\s+/g, ' ').trim());
    if (!ok) throw new PackageError('NOT_A_PACKAGE', `unexpected package schema: ${objects.map((o) => `${o.type} ${o.name}`).join(', ')}`, 'Cấu trúc gói dữ liệu không đúng quy định.');
    const check = db.pragma('integrity_check', { simple: true });
    if (check !== 'ok') throw new PackageError('TAMPERED', `package database fails its integrity check: ${String(check)}`, 'Gói dữ liệu bị hỏng.');
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}
