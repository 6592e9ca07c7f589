// The canonical byte encoding of an audit entry (docs/audit.md, "Entry encoding"). The same bytes are
// hashed here, exported as one line of entries.jsonl and hashed again by the third party's script,
// so nothing is ever re-serialised on the way: the stored `details` text is already canonical.
import { hash as oneShot } from 'node:crypto';

export type AuditOutcome = 'ok' | 'refused' | 'failed';
export const AUDIT_OUTCOMES: readonly AuditOutcome[] = ['ok', 'refused', 'failed'];

/** The hash before the first entry (v1 and v2 alike). */
export const GENESIS = '0'.repeat(64);

/** An entry as stored (audit_log row); v1 rows have null in the v2 columns. */
export interface StoredEntry {
  seq: number;
  v: number;
  at: string;
  workstation: string | null;
  userId: number | null;
  actorGid: string | null;
  action: string;
  entity: string | null;
  entityId: number | null;
  entityGid: string | null;
  outcome: string | null;
  reason: string | null;
  details: string;
  prevHash: string;
  hash: string;
}

/** SQLite stores text as UTF-8, where a lone surrogate becomes U+FFFD: encode what will be read back. */
export const wellFormed = (s: string): string => s.replace(/\p{Cs}/gu, '\uFFFD');

/**
 * Canonical JSON of a details value: object keys sorted (UTF-16 code units, as Array#sort), no
 * whitespace, strings and numbers as JSON.stringify writes them; undefined members are dropped.
 * Numbers that JSON cannot hold exactly (NaN, Infinity) are refused.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(wellFormed(value));
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new Error('audit details: a number that JSON cannot hold');
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
      return `{${keys.map((k) => `${JSON.stringify(wellFormed(k))}:${canonicalJson(obj[k])}`).join(',')}}`;
    }
    default:
      throw new Error(`audit details: a ${typeof value} cannot be recorded`);
  }
}

const str = (s: string | null): string => (s === null ? 'null' : JSON.stringify(s));
const num = (n: number | null): string => (n === null ? 'null' : String(n));

/** The canonical line of a v2 entry: fixed member order, `details` verbatim (already canonical). */
export function canonicalV2(e: StoredEntry): string {
  return `{"v":2,"seq":${e.seq},"prev":${JSON.stringify(e.prevHash)},"at":${str(e.at)},"ws":${str(e.workstation)},"actor":${num(e.userId)},"actorGid":${str(e.actorGid)},"action":${str(e.action)},"entity":${str(e.entity)},"entityId":${num(e.entityId)},"entityGid":${str(e.entityGid)},"outcome":${str(e.outcome)},"reason":${str(e.reason)},"details":${e.details}}`;
}

/** A v1 row as an export line: its fields and its stored hash (v1 hashed a joined string, not this line). */
export function exportLineV1(e: StoredEntry): string {
  return `{"v":1,"seq":${e.seq},"prev":${JSON.stringify(e.prevHash)},"at":${str(e.at)},"actor":${num(e.userId)},"action":${str(e.action)},"entity":${str(e.entity)},"entityId":${num(e.entityId)},"details":${JSON.stringify(e.details)},"hash":${JSON.stringify(e.hash)}}`;
}

/**
 * v2: SHA-256 over the previous hash as its 64 lowercase hex characters (ASCII) followed by the
 * UTF-8 canonical line. One-shot hashing of one string: a Hash object or a Buffer per entry costs
 * more than the digest itself (a million entries verify in a few seconds).
 */
export function hashV2(prevHex: string, canonical: string): string {
  return oneShot('sha256', prevHex + canonical, 'hex');
}

/** v1 (migration 1 to 12): SHA-256 of the fields joined by U+001F, previous hash (hex) first. */
export function hashV1(e: Pick<StoredEntry, 'prevHash' | 'at' | 'userId' | 'action' | 'entity' | 'entityId' | 'details'>): string {
  return oneShot('sha256', [e.prevHash, e.at, e.userId ?? '', e.action, e.entity ?? '', e.entityId ?? '', e.details].join('\u001f'), 'hex');
}

/** The hash an entry should have, by its version. */
export function entryHash(e: StoredEntry): string {
  return e.v === 1 ? hashV1(e) : hashV2(e.prevHash, canonicalV2(e));
}

/** The export line of an entry, by its version. */
export function exportLine(e: StoredEntry): string {
  return e.v === 1 ? exportLineV1(e) : canonicalV2(e);
}

export const ENTRY_COLUMNS =
  'id AS seq, v, at, workstation, user_id AS userId, actor_gid AS actorGid, action, entity, entity_id AS entityId, entity_gid AS entityGid, outcome, reason, details, prev_hash AS prevHash, hash';

/** ENTRY_COLUMNS in order, for rows read raw (arrays: much cheaper than objects for a million rows). */
export const ENTRY_FIELDS = ['seq', 'v', 'at', 'workstation', 'userId', 'actorGid', 'action', 'entity', 'entityId', 'entityGid', 'outcome', 'reason', 'details', 'prevHash', 'hash'] as const;
export type RawEntry = [number, number, string, string | null, number | null, string | null, string, string | null, number | null, string | null, string | null, string | null, string, string, string];

export function fromRaw(r: RawEntry): StoredEntry {
  return {
    seq: r[0], v: r[1], at: r[2], workstation: r[3], userId: r[4], actorGid: r[5], action: r[6], entity: r[7], entityId: r[8],
    entityGid: r[9], outcome: r[10], reason: r[11], details: r[12], prevHash: r[13], hash: r[14],
  };
}

/** entryHash of a raw row, without building the object. */
export function rawEntryHash(r: RawEntry): string {
  if (r[1] === 1) return hashV1(fromRaw(r));
  const line = `{"v":2,"seq":${r[0]},"prev":${JSON.stringify(r[13])},"at":${str(r[2])},"ws":${str(r[3])},"actor":${num(r[4])},"actorGid":${str(r[5])},"action":${str(r[6])},"entity":${str(r[7])},"entityId":${num(r[8])},"entityGid":${str(r[9])},"outcome":${str(r[10])},"reason":${str(r[11])},"details":${r[12]}}`;
  return hashV2(r[13], line);
}

/**
 * The bytes each entry's hash is taken over, built by SQLite in the scan (verification of a
 * million entries in seconds): for v1 the U+001F-joined fields; for v2 the previous hash followed by
 * the canonical line, built by concatenation. That equals canonicalV2 only when no string field
 * holds a character JSON escapes (", \, U+0000–U+001F): such a row (never written by appendAudit's
 * callers, whose actions and codes are plain) yields NULL and is hashed by canonicalV2 instead, so a
 * field holding a backslash sequence can never pass as the escaped text it imitates.
 */
const sqlStr = (c: string) => `CASE WHEN ${c} IS NULL THEN 'null' ELSE '"' || ${c} || '"' END`;
const sqlNum = (c: string) => `coalesce(${c}, 'null')`;
const sqlPlain = `(coalesce(at,'') || coalesce(workstation,'') || coalesce(actor_gid,'') || action || coalesce(entity,'') || coalesce(entity_gid,'') || coalesce(outcome,'') || coalesce(reason,'')) NOT GLOB ?`;
/** GLOB pattern of the characters JSON escapes in a string (bound as the parameter of HASHED_INPUT_SQL). */
export const JSON_ESCAPED_GLOB = `*[${String.fromCharCode(1)}-${String.fromCharCode(31)}"\\]*`;
export const HASHED_INPUT_SQL =
  `CASE WHEN v = 1 THEN prev_hash || char(31) || at || char(31) || coalesce(user_id, '') || char(31) || action || char(31) || coalesce(entity, '') || char(31) || coalesce(entity_id, '') || char(31) || details
    WHEN v = 2 AND ${sqlPlain} THEN prev_hash || '{"v":2,"seq":' || id || ',"prev":"' || prev_hash || '","at":' || ${sqlStr('at')} || ',"ws":' || ${sqlStr('workstation')}
      || ',"actor":' || ${sqlNum('user_id')} || ',"actorGid":' || ${sqlStr('actor_gid')} || ',"action":' || ${sqlStr('action')} || ',"entity":' || ${sqlStr('entity')}
      || ',"entityId":' || ${sqlNum('entity_id')} || ',"entityGid":' || ${sqlStr('entity_gid')} || ',"outcome":' || ${sqlStr('outcome')} || ',"reason":' || ${sqlStr('reason')}
      || ',"details":' || details || '}'
  END`;

/** SHA-256 (hex) of a string: the one-shot digest the fast path uses. */
export const sha256Hex = (s: string): string => oneShot('sha256', s, 'hex');
