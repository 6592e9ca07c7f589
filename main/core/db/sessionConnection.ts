// A second connection to the open session's database, for a worker thread that writes (the legacy
// import's, import/writeWorker.ts): the base keyed as the vault keys it (keying.ts), the compartments
// the session holds attached with their raw level keys as the vault attaches them (compartments/attach.ts),
// and the same views. The vault hands the keys out (ProfileVault.dbHandoff) only while the session is
// open; `ended` tells the holder to stop when it locks. The keys are copies: the holder zeroes them.
import { attachCompartment, createViews } from '../compartments/attach';
import { schemaOf, type Arm, type Level } from '../compartments/levels';
import { DURABILITY, type Db } from './connection';
import { openKeyed } from './keying';

/** What a worker needs to open the session's database (cloned into its workerData). */
export interface DbHandoffData {
  base: { file: string; key: Uint8Array };
  compartments: Array<{ level: Level; file: string; key: Uint8Array }>;
}

/** The handoff and its end: aborted when the session locks (the worker stops at its next transaction and closes). */
export interface DbHandoff extends DbHandoffData {
  /** Aborted at lock (reason 'lock') or before a level's re-key (reason 'rekey'). */
  ended: AbortSignal;
  /** The holder tells when its connection is closed: a re-key waits for it (the file is rewritten under another key). */
  closed(done: Promise<unknown>): void;
}

/**
 * Opens the connection described by `h` and zeroes its keys. Every write on it waits for the other
 * connection's transaction (busy_timeout), as the main connection waits for this one's.
 */
export function openSessionConnection(h: DbHandoffData): { db: Db; arms: Arm[] } {
  const hexKey = Buffer.from(h.base.key).toString('hex');
  h.base.key.fill(0);
  const keys = h.compartments.map((c) => ({ level: c.level, file: c.file, key: Buffer.from(c.key) }));
  for (const c of h.compartments) c.key.fill(0);
  try {
    const { db } = openKeyed(h.base.file, hexKey);
    try {
      db.pragma('busy_timeout = 5000');
      db.pragma(`synchronous = ${DURABILITY}`);
      db.pragma('foreign_keys = ON');
      // A writer appends (the window's connection keeps the large caches for its searches): 16 MiB each.
      db.pragma('cache_size = -16384');
      for (const k of keys) {
        attachCompartment(db, k.file, { level: k.level, keyId: '', key: k.key });
        db.pragma(`${schemaOf(k.level)}.cache_size = -16384`);
      }
      createViews(db, keys.map((k) => schemaOf(k.level)));
    } catch (err) {
      db.close();
      throw err;
    }
    return { db, arms: keys.map((k) => ({ schema: schemaOf(k.level), level: k.level })) };
  } finally {
    for (const k of keys) k.key.fill(0);
  }
}
