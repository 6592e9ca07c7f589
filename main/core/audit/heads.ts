// Signed chain heads. A head statement (text below, docs/audit.md) names the workstation, the seq
// and hash of the last entry, the time and the signer's certificate; the person's token signs it as
// a detached CMS SignedData. Someone with SQL access can rewrite the whole chain consistently, but
// not sign a head over it with a bound person's token: verification compares every signed head with
// the hash recomputed at its seq.
import { parseCertificate, signDetached, type PrivateKeyOps } from '../crypto';
import type { Db } from '../db/connection';
import { writeTx } from '../db/transaction';
import { getSetting } from '../profile/settings';
import { auditHead } from './auditLog';

export type HeadCause = 'lock' | 'unlock' | 'hourly' | 'export';

export interface HeadStatement {
  workstation: string;
  seq: number;
  hash: string;
  at: string;
  signer: string;
}

export interface StoredHead extends HeadStatement {
  id: number;
  cause: string;
  certificate: Uint8Array;
  signature: Uint8Array;
}

/** The exact bytes signed: UTF-8, LF line ends, a final LF. */
export function headStatement(h: HeadStatement): string {
  return [
    'SecureDesk audit head v1',
    `workstation: ${h.workstation}`,
    `seq: ${h.seq}`,
    `hash: ${h.hash}`,
    `time: ${h.at}`,
    `signer: ${h.signer}`,
  ].join('\n') + '\n';
}

/** Reads a statement back (the export script does the same); null when it is not one. */
export function parseHeadStatement(text: string): HeadStatement | null {
  const m = /^SecureDesk audit head v1\nworkstation: (\S+)\nseq: (\d+)\nhash: ([0-9a-f]{64})\ntime: (\S+)\nsigner: ([0-9a-f]{64})\n$/.exec(text);
  return m ? { workstation: m[1]!, seq: Number(m[2]), hash: m[3]!, at: m[4]!, signer: m[5]! } : null;
}

export const fingerprintOfDer = (der: Uint8Array): string => parseCertificate(der).fingerprintSha256.replace(/:/g, '').toLowerCase();

/** Signs a statement over the given head with `key` (async: the token does the signing). */
export async function signHead(head: { seq: number; hash: string }, workstation: string, key: PrivateKeyOps, at: Date): Promise<{ statement: HeadStatement; signature: Uint8Array }> {
  const statement: HeadStatement = { workstation, seq: head.seq, hash: head.hash, at: at.toISOString(), signer: fingerprintOfDer(key.certificate) };
  const signature = await signDetached(Buffer.from(headStatement(statement), 'utf8'), { key, signingTime: at });
  return { statement, signature };
}

export function storeHead(db: Db, s: HeadStatement, certificate: Uint8Array, signature: Uint8Array, cause: HeadCause | string): void {
  db.prepare('INSERT INTO audit_heads (seq, hash, at, workstation, signer, certificate, signature, cause) VALUES (?,?,?,?,?,?,?,?)')
    .run(s.seq, s.hash, s.at, s.workstation, s.signer, Buffer.from(certificate), Buffer.from(signature), cause);
}

/** Signs the current head of `db` and stores it, unless it is already signed by the same certificate. */
export async function anchorHead(db: Db, key: PrivateKeyOps, cause: HeadCause, now: Date): Promise<StoredHead | null> {
  const head = auditHead(db);
  if (head.seq === 0) return null;
  const signer = fingerprintOfDer(key.certificate);
  const same = db.prepare('SELECT 1 FROM audit_heads WHERE seq = ? AND hash = ? AND signer = ?').get(head.seq, head.hash, signer);
  if (same && cause !== 'export') return null;
  const workstation = getSetting(db, 'workstation_id') ?? 'unknown';
  const { statement, signature } = await signHead(head, workstation, key, now);
  if (!db.open) return null; // locked while the token signed
  writeTx(db, () => storeHead(db, statement, key.certificate, signature, cause));
  return { ...statement, id: 0, cause, certificate: key.certificate, signature };
}

export function listHeads(db: Db): StoredHead[] {
  const rows = db.prepare('SELECT id, seq, hash, at, workstation, signer, certificate, signature, cause FROM audit_heads ORDER BY seq, id').all() as Array<
    Omit<StoredHead, 'certificate' | 'signature'> & { certificate: Buffer; signature: Buffer }
  >;
  return rows.map((r) => ({ ...r, certificate: new Uint8Array(r.certificate), signature: new Uint8Array(r.signature) }));
}
