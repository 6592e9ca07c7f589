// Verification of the audit trail: every link of the chain, and every signed head (a valid
// signature by a bound certificate over a statement whose hash is the one recomputed at its seq).
// Entries are streamed (a million verify in a few seconds); the first broken record is named.
import { verifyDetached } from '../crypto';
import type { Db } from '../db/connection';
import { ENTRY_COLUMNS, entryHash, fromRaw, GENESIS, HASHED_INPUT_SQL, JSON_ESCAPED_GLOB, rawEntryHash, sha256Hex, type RawEntry, type StoredEntry } from './canonical';
import { fingerprintOfDer, headStatement, listHeads, type StoredHead } from './heads';

export type AuditProblem = 'edited' | 'deleted' | 'reordered' | 'head_mismatch' | 'bad_signature' | 'unbound_signer';

export interface AuditBreak {
  /** The seq of the first record that does not verify. */
  seq: number;
  problem: AuditProblem;
  /** English, for logs and the CLI. */
  message: string;
  /** The head concerned, for head problems (audit_heads.id). */
  headId?: number;
}

export interface AuditVerdict {
  ok: boolean;
  entries: number;
  heads: number;
  lastSeq: number;
  /** The highest seq covered by a valid signed head (0: none). */
  signedThrough: number;
  firstBroken: AuditBreak | null;
}

/** Checks one head's signature and signer; a problem, or null when it is sound. */
async function headProblem(h: StoredHead): Promise<AuditBreak | null> {
  let print: string;
  try {
    print = fingerprintOfDer(h.certificate);
  } catch {
    return { seq: h.seq, problem: 'bad_signature', headId: h.id, message: `head ${h.id} at seq ${h.seq}: its certificate cannot be read` };
  }
  if (print !== h.signer) return { seq: h.seq, problem: 'bad_signature', headId: h.id, message: `head ${h.id} at seq ${h.seq}: the certificate is not the signer the statement names` };
  try {
    const r = await verifyDetached(h.signature, Buffer.from(headStatement(h), 'utf8'), { trustAnchors: [], extraCertificates: [h.certificate] });
    const signerPrint = r.signer?.fingerprint.replace(/:/g, '').toLowerCase();
    if (!r.checks.digest.ok || !r.checks.signature.ok || !r.checks.essCert.ok || signerPrint !== print) {
      return { seq: h.seq, problem: 'bad_signature', headId: h.id, message: `head ${h.id} at seq ${h.seq}: the signature does not verify (${[r.checks.digest, r.checks.signature, r.checks.essCert].find((c) => !c.ok)?.reason ?? 'another signer'})` };
    }
  } catch (err) {
    return { seq: h.seq, problem: 'bad_signature', headId: h.id, message: `head ${h.id} at seq ${h.seq}: unreadable signature (${(err as Error).message})` };
  }
  return null;
}

/** What broke at a link whose stored previous hash is not the hash before it. */
function linkProblem(db: Db, e: StoredEntry): AuditBreak {
  // The entry's predecessor still exists somewhere else: moved. Nowhere: something between was removed.
  const elsewhere = db.prepare('SELECT id FROM audit_log WHERE hash = ? LIMIT 1').pluck().get(e.prevHash) as number | undefined;
  if (elsewhere !== undefined && elsewhere !== e.seq - 1) return { seq: e.seq, problem: 'reordered', message: `seq ${e.seq}: out of order (its predecessor is now at seq ${elsewhere})` };
  if (elsewhere === undefined) return { seq: e.seq, problem: 'deleted', message: `seq ${e.seq}: the entry before it is missing (its previous hash matches no entry)` };
  return { seq: e.seq - 1, problem: 'edited', message: `seq ${e.seq - 1}: changed after it was written (its hash is not the one the next entry chains to)` };
}

/**
 * Verifies the whole trail. A head counts only when signed by a certificate whose binding the
 * verified chain records at or before the head (a row slipped into user_certificates by SQL is not
 * enough), and that is bound now (`boundCertificates`, DER) or whose unbinding the chain records.
 * A head signed by any other certificate counts as forged. Stops at the first broken record.
 */
export async function verifyAudit(db: Db, boundCertificates: readonly Uint8Array[]): Promise<AuditVerdict> {
  const bound = new Set(boundCertificates.map(fingerprintOfDer));
  const heads = listHeads(db);
  // Head signatures first (few); the earliest bad one bounds the walk.
  let firstBroken: AuditBreak | null = null;
  const sound: StoredHead[] = [];
  for (const h of heads) {
    const p = await headProblem(h);
    if (p && (!firstBroken || p.seq < firstBroken.seq)) firstBroken = p;
    if (!p) sound.push(h);
  }

  let expected = 1;
  let prev = GENESIS;
  let entries = 0;
  let hi = 0;
  let signedThrough = 0;
  // The scan returns, per entry, what its hash is taken over (built by SQLite: canonical.ts,
  // HASHED_INPUT_SQL) or NULL for a row the JS encoder must build; details only where needed.
  const rows = db.prepare(
    `SELECT id, prev_hash, hash, action, CASE WHEN action IN ('user.bind_certificate', 'user.unbind_certificate') THEN details END, ${HASHED_INPUT_SQL}
     FROM audit_log ORDER BY id`,
  ).raw(true).iterate(JSON_ESCAPED_GLOB) as IterableIterator<[number, string, string, string, string | null, string | null]>;
  const fullRow = db.prepare(`SELECT ${ENTRY_COLUMNS} FROM audit_log WHERE id = ?`).raw(true);
  const full = (seq: number) => fromRaw(fullRow.get(seq) as RawEntry);
  let chainBreak: AuditBreak | null = null;
  const boundInLog = new Set<string>();
  const unboundInLog = new Set<string>();
  const stopAt = firstBroken?.seq ?? Infinity;
  let nextHeadSeq = sound[0]?.seq ?? Infinity;
  // Hot loop (a million entries in a few seconds): one string per row from SQLite, one digest.
  for (const r of rows) {
    const seq = r[0];
    if (seq >= stopAt) break;
    if (seq !== expected) {
      chainBreak = { seq: expected, problem: 'deleted', message: `seq ${expected}${seq - expected > 1 ? `–${seq - 1}` : ''}: missing (the log goes from ${expected - 1} to ${seq})` };
      break;
    }
    if (r[1] !== prev) {
      chainBreak = linkProblem(db, full(seq));
      break;
    }
    const stored = r[2];
    const input = r[5];
    if ((input === null ? rawEntryHash(fullRow.get(seq) as RawEntry) : sha256Hex(input)) !== stored) {
      chainBreak = { seq, problem: 'edited', message: `seq ${seq}: changed after it was written (content does not match its hash)` };
      break;
    }
    // A certificate bound at the time (and unbound since) still vouches for the heads it signed.
    const action = r[3];
    if (r[4] !== null) {
      const print = (JSON.parse(r[4]) as { fingerprint?: unknown }).fingerprint;
      if (typeof print === 'string') (action === 'user.bind_certificate' ? boundInLog : unboundInLog).add(print);
    }
    entries += 1;
    prev = stored;
    expected += 1;
    if (seq < nextHeadSeq) continue;
    while (hi < sound.length && sound[hi]!.seq < seq) hi += 1;
    while (hi < sound.length && sound[hi]!.seq === seq) {
      const h = sound[hi]!;
      if (!boundInLog.has(h.signer) || !(bound.has(h.signer) || unboundInLog.has(h.signer))) {
        chainBreak = { seq, problem: 'unbound_signer', headId: h.id, message: `seq ${seq}: the head signed on ${h.at} is signed by a certificate bound to nobody (${h.signer})` };
        break;
      }
      if (h.hash !== stored) {
        chainBreak = { seq, problem: 'head_mismatch', headId: h.id, message: `seq ${seq}: the head signed on ${h.at} (by ${h.signer.slice(0, 16)}…) names another hash: the log was rewritten up to here` };
        break;
      }
      signedThrough = seq;
      hi += 1;
    }
    if (chainBreak) break;
    nextHeadSeq = sound[hi]?.seq ?? Infinity;
  }
  if (chainBreak && (!firstBroken || chainBreak.seq <= firstBroken.seq)) firstBroken = chainBreak;
  const lastSeq = expected - 1;
  // A signed head beyond the end: entries were cut off the tail.
  if (!firstBroken) {
    const beyond = sound.find((h) => h.seq > lastSeq);
    if (beyond) firstBroken = { seq: lastSeq + 1, problem: 'deleted', headId: beyond.id, message: `seq ${lastSeq + 1}: missing (a head signed on ${beyond.at} covers entries up to ${beyond.seq})` };
  }
  return { ok: firstBroken === null, entries, heads: heads.length, lastSeq, signedThrough, firstBroken };
}

/** The chain alone, synchronously (no heads): the seq of the first entry that does not verify, or null. */
export function verifyAuditChain(db: Db): number | null {
  let expected = 1;
  let prev = GENESIS;
  for (const e of db.prepare(`SELECT ${ENTRY_COLUMNS} FROM audit_log ORDER BY id`).iterate() as IterableIterator<StoredEntry>) {
    if (e.seq !== expected) return expected;
    if (e.prevHash !== prev) return linkProblem(db, e).seq;
    if (entryHash(e) !== e.hash) return e.seq;
    prev = e.hash;
    expected += 1;
  }
  return null;
}

/** The bound certificates of a profile (DER), for verifyAudit. */
export function boundCertificates(db: Db): Uint8Array[] {
  return (db.prepare('SELECT der FROM user_certificates').pluck().all() as Buffer[]).map((b) => new Uint8Array(b));
}
