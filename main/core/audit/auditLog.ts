// Append-only, hash-chained audit log. Each entry's hash covers the previous hash and the entry's
// canonical bytes (canonical.ts), so an edited, removed or moved entry breaks the chain; the heads
// signed with people's tokens (heads.ts) catch a chain rewritten from scratch. Callers append
// inside the transaction of the change. Format v2 since migration 13; older rows stay v1 and keep
// verifying under the v1 rule, the first v2 entry chaining onto the last v1 hash (docs/audit.md).
import type { Db } from '../db/connection';
import { cached } from '../db/statements';
import { insertRows } from '../db/insertRows';
import { canonicalJson, canonicalV2, GENESIS, hashV1, hashV2, wellFormed, type AuditOutcome, type StoredEntry } from './canonical';

export type { AuditOutcome } from './canonical';

export interface AuditEntry {
  userId: number | null;
  action: string;
  entity?: string;
  entityId?: number;
  /** The record's global id; looked up from entity/entityId when left out. */
  entityGid?: string;
  /** Default 'ok'. */
  outcome?: AuditOutcome;
  /** A reason code for 'refused' and 'failed' (an error code such as FORBIDDEN). */
  reason?: string;
  details?: Record<string, unknown>;
}

/** Entities that are documents: their entries never carry what the document says. */
const DOCUMENT_ENTITIES = new Set(['incoming', 'outgoing', 'document', 'attachment']);
/**
 * Details keys refused on document entities. The audit log lives in the base database, readable to
 * every cleared person's key; a subject, content or text there would leak a Tối mật document to a
 * Mật reader. Entries name documents by id and global id only.
 */
const FORBIDDEN_DOCUMENT_KEYS = ['subject', 'content', 'text'];

/** Audit entity names → record tables, for the global id of the record named. */
const ENTITY_TABLES: Record<string, string> = {
  user: 'users', incoming: 'incoming', register: 'registers', numbering_scope: 'numbering_scopes', attachment: 'attachments', unit: 'units',
};

/** Whether migration 13 has run on this database (migrations before it append v1 rows). */
const v2Ready = new WeakSet<Db>();
function hasV2(db: Db): boolean {
  if (v2Ready.has(db)) return true;
  const cols = db.prepare('PRAGMA table_info(audit_log)').all() as Array<{ name: string }>;
  if (!cols.some((c) => c.name === 'outcome')) return false;
  v2Ready.add(db);
  return true;
}

function globalIdOf(db: Db, entity: string | undefined, id: number | undefined | null): string | null {
  if (entity === undefined || id === undefined || id === null) return null;
  const table = ENTITY_TABLES[entity];
  if (!table) return null;
  try {
    return (cached(db, `SELECT global_id FROM ${table} WHERE id = ?`).pluck().get(id) as string | undefined) ?? null;
  } catch {
    return null; // a table of a compartment not attached in this session
  }
}

/** Refuses details that would put a document's words into the base database (see FORBIDDEN_DOCUMENT_KEYS). */
export function checkAuditDetails(entity: string | undefined, details: Record<string, unknown> | undefined): void {
  if (!details || entity === undefined || !DOCUMENT_ENTITIES.has(entity)) return;
  for (const k of FORBIDDEN_DOCUMENT_KEYS) {
    if (Object.prototype.hasOwnProperty.call(details, k)) throw new Error(`audit entry of a ${entity} may not carry its ${k}`);
  }
}

// The statements of every append, prepared once per connection (a search appends one entry each time).
const WORKSTATION_SQL = "SELECT value FROM settings WHERE key = 'workstation_id'";
const LAST_SQL = 'SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1';
const INSERT_V2_SQL = `INSERT INTO audit_log (id, v, at, workstation, user_id, actor_gid, action, entity, entity_id, entity_gid, outcome, reason, details, prev_hash, hash)
     VALUES (?,2,?,?,?,?,?,?,?,?,?,?,?,?,?)`;

/**
 * WAL frames a connection lets accumulate before it checkpoints at a commit (SQLite's default: 1000).
 * Every search appends an entry: at the default, one search in about 200 paid a checkpoint of the
 * base (tens of milliseconds with its fsyncs). The entries land on the same last pages of the log
 * and its indexes, so a longer WAL holds mostly new versions of the same pages and a checkpoint
 * copies each once: ten times fewer checkpoints, each hardly larger (a WAL of at most 40 MB).
 */
const CHECKPOINT_EVERY_FRAMES = 10_000;

/**
 * Prepares a session's connection for appends (the unlock's warm-up: a session's first search appends
 * an entry): the statements of an append, and the checkpoint threshold above.
 */
export function prepareAuditStatements(db: Db): void {
  if (!hasV2(db)) return;
  for (const sql of [WORKSTATION_SQL, LAST_SQL, INSERT_V2_SQL]) cached(db, sql);
  db.pragma(`wal_autocheckpoint = ${CHECKPOINT_EVERY_FRAMES}`);
}

/** Connections whose appends wait, in order, for flushDeferredAudits (a set-wise write transaction). */
const deferred = new WeakMap<Db, Array<{ entry: AuditEntry; at: string }>>();

/**
 * Until flushDeferredAudits, this connection's appends are kept in order in memory and written at
 * once: the same entries, chained in the same order. Inside a write transaction only (the chain's
 * last entry is read at the flush, which no other connection can move meanwhile).
 */
export function deferAudits(db: Db): void {
  deferred.set(db, []);
}

/** Forgets the appends kept (the transaction is rolled back) and appends directly again. */
export function dropDeferredAudits(db: Db): void {
  deferred.delete(db);
}

/** Chains and writes the appends kept since deferAudits, in their order, and appends directly again. */
export function flushDeferredAudits(db: Db): void {
  const list = deferred.get(db);
  deferred.delete(db);
  if (!list || list.length === 0) return;
  if (!hasV2(db)) {
    for (const { entry, at } of list) appendAudit(db, entry, at);
    return;
  }
  let last = cached(db, LAST_SQL).get() as { id: number; hash: string } | undefined;
  const workstation = (cached(db, WORKSTATION_SQL).pluck().get() as string | undefined) ?? null;
  const actors = new Map<number | null, string | null>();
  const rows: unknown[][] = [];
  for (const { entry, at } of list) {
    let actorGid = actors.get(entry.userId);
    if (actorGid === undefined) actors.set(entry.userId, (actorGid = globalIdOf(db, 'user', entry.userId)));
    const e = storedEntry(db, entry, at, last, workstation, actorGid);
    last = { id: e.seq, hash: e.hash };
    rows.push([e.seq, 2, e.at, e.workstation, e.userId, e.actorGid, e.action, e.entity, e.entityId, e.entityGid, e.outcome, e.reason, e.details, e.prevHash, e.hash]);
  }
  insertRows(db, 'audit_log', ['id', 'v', 'at', 'workstation', 'user_id', 'actor_gid', 'action', 'entity', 'entity_id', 'entity_gid', 'outcome', 'reason', 'details', 'prev_hash', 'hash'], rows);
}

/** A v2 entry after `last`, hashed. */
function storedEntry(
  db: Db, entry: AuditEntry, at: string, last: { id: number; hash: string } | undefined, workstation: string | null, actorGid: string | null,
): StoredEntry {
  const prev = last?.hash ?? GENESIS;
  const e: StoredEntry = {
    seq: (last?.id ?? 0) + 1,
    v: 2,
    at: new Date(at).toISOString(), // always UTC with milliseconds
    workstation,
    userId: entry.userId,
    actorGid,
    action: wellFormed(entry.action),
    entity: entry.entity === undefined ? null : wellFormed(entry.entity),
    entityId: entry.entityId ?? null,
    entityGid: entry.entityGid === undefined ? globalIdOf(db, entry.entity, entry.entityId) : wellFormed(entry.entityGid),
    outcome: entry.outcome ?? 'ok',
    reason: entry.reason === undefined ? null : wellFormed(entry.reason),
    details: canonicalJson(entry.details ?? {}),
    prevHash: prev,
    hash: '',
  };
  e.hash = hashV2(prev, canonicalV2(e));
  return e;
}

export function appendAudit(db: Db, entry: AuditEntry, at = new Date().toISOString()): void {
  checkAuditDetails(entry.entity, entry.details);
  const kept = deferred.get(db);
  if (kept) {
    kept.push({ entry, at });
    return;
  }
  const last = cached(db, LAST_SQL).get() as { id: number; hash: string } | undefined;
  if (!hasV2(db)) {
    const details = canonicalJson(entry.details ?? {});
    const prev = last?.hash ?? GENESIS;
    const hash = hashV1({ prevHash: prev, at, userId: entry.userId, action: entry.action, entity: entry.entity ?? null, entityId: entry.entityId ?? null, details });
    db.prepare('INSERT INTO audit_log (at, user_id, action, entity, entity_id, details, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?)')
      .run(at, entry.userId, entry.action, entry.entity ?? null, entry.entityId ?? null, details, prev, hash);
    return;
  }
  const workstation = (cached(db, WORKSTATION_SQL).pluck().get() as string | undefined) ?? null;
  const e = storedEntry(db, entry, at, last, workstation, globalIdOf(db, 'user', entry.userId));
  cached(db, INSERT_V2_SQL).run(e.seq, e.at, e.workstation, e.userId, e.actorGid, e.action, e.entity, e.entityId, e.entityGid, e.outcome, e.reason, e.details, e.prevHash, e.hash);
}

/** The last entry's seq and hash (seq 0 and the genesis hash for an empty log). */
export function auditHead(db: Db): { seq: number; hash: string } {
  const last = db.prepare('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1').get() as { id: number; hash: string } | undefined;
  return last ? { seq: last.id, hash: last.hash } : { seq: 0, hash: GENESIS };
}

export { verifyAuditChain } from './verify';
