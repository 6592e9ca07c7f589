// The directory of agencies this workstation exchanges with (issue 9 §3/§4): identifier code, name and
// the agency's certificates, as the hub keeps it and the transport syncs it into the profile. It
// answers two questions: whom to seal a packet for (the certificates fit for key encipherment) and
// whether a packet's XML signature was made by the agency it claims to come from (the signer's
// certificate must be one the directory lists for that code, besides chaining to the trust anchors).
import { DeskError } from '../../../common/errors';
import { checkIdentifierCode } from '../../../common/identifierCode';
import { parseCertificate, type CertInput, type RecipientSpec } from '../crypto';
import type { Db } from '../db/connection';
import { writeTx } from '../db/transaction';

export interface AgencyEntry {
  code: string;
  name: string;
  /** DER certificates of the agency (its signing and encryption certificates). */
  certificates: Uint8Array[];
}

/** A lookup by identifier code; null when the agency is unknown. */
export type AgencyBook = (code: string) => AgencyEntry | null;

/** The directory as it is now; each agency read once for the book's life (one round's page, one openPending). */
export function readDirectory(db: Db): AgencyBook {
  const st = db.prepare('SELECT code, name, certificates FROM main.exchange_agencies WHERE code = ?');
  const seen = new Map<string, AgencyEntry | null>();
  return (code) => {
    const key = code.toUpperCase();
    if (seen.has(key)) return seen.get(key)!;
    const row = st.get(key) as { code: string; name: string; certificates: string } | undefined;
    const entry = row ? { code: row.code, name: row.name, certificates: (JSON.parse(row.certificates) as string[]).map((b) => new Uint8Array(Buffer.from(b, 'base64'))) } : null;
    seen.set(key, entry);
    return entry;
  };
}

/**
 * Whether the directory as last synced lists this agency. Entries are never deleted (an old packet's
 * sender stays known), so one the hub dropped is the one the last sync did not refresh.
 */
export function listedNow(db: Db, code: string): boolean {
  return db.prepare('SELECT 1 FROM main.exchange_agencies WHERE code = ? AND updated_at = (SELECT max(updated_at) FROM main.exchange_agencies)').get(code.toUpperCase()) !== undefined;
}

/** Replaces the entries given (the transport's sync of the hub's directory); certificates are checked to parse. */
export function storeDirectory(db: Db, entries: readonly { code: string; name: string; certificates: readonly CertInput[] }[], now: Date): number {
  const rows = entries.map((e) => {
    const code = checkIdentifierCode(e.code);
    if (!code.ok) throw DeskError.keyed('VALIDATION', 'exchange.badAgencyCode', { code: e.code });
    const ders = e.certificates.map((c) => Buffer.from(parseCertificate(c).der).toString('base64'));
    return [code.code, e.name.normalize('NFC').trim(), JSON.stringify(ders)] as const;
  });
  return writeTx(db, () => {
    const up = db.prepare(`INSERT INTO main.exchange_agencies (code, name, certificates, updated_at) VALUES (?,?,?,?)
      ON CONFLICT(code) DO UPDATE SET name = excluded.name, certificates = excluded.certificates, updated_at = excluded.updated_at`);
    for (const r of rows) up.run(r[0], r[1], r[2], now.toISOString());
    return rows.length;
  });
}

/**
 * The encryption certificates of an agency, in the shape packetsFor takes: RSA-OAEP with SHA-1, the
 * one OAEP every cipher token here unwraps on the token (SoftHSM and the CAs' tokens refuse SHA-256).
 */
export const encryptionCertificates = (book: AgencyBook) => (code: string): RecipientSpec[] =>
  (book(code)?.certificates ?? []).filter((c) => {
    const info = parseCertificate(c);
    return info.publicKey.algorithm === 'RSA' && (info.keyUsage === null || info.keyUsage.includes('keyEncipherment'));
  }).map((certificate) => ({ certificate, oaepHash: 'SHA-1' as const }));
