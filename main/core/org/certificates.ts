// Binding people to the certificates on their tokens: a certificate's SHA-256 fingerprint names the
// person at unlock; a certificate that can take part in key transport (RSA with keyEncipherment)
// can also unlock the profile's data key.
import { appendAudit } from '../audit/auditLog';
import { parseCertificate, type CertificateInfo } from '../crypto';
import type { Db } from '../db/connection';
import { recordChange } from '../events/eventLog';

export const fingerprintOf = (cert: CertificateInfo): string => cert.fingerprintSha256.replace(/:/g, '').toLowerCase();

/** RSA with keyEncipherment (or no key usage restriction): can be a keyring recipient. */
export function canUnlock(cert: CertificateInfo): boolean {
  return cert.publicKey.algorithm === 'RSA' && (cert.keyUsage === null || cert.keyUsage.includes('keyEncipherment'));
}

export function bindCertificates(db: Db, userId: number, ders: readonly Uint8Array[], boundBy: number | null, now: Date): void {
  const insert = db.prepare(
    `INSERT INTO user_certificates (fingerprint, user_id, subject, issuer, serial, not_after, can_unlock, der, bound_at, bound_by)
     VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT (fingerprint) DO NOTHING`,
  );
  for (const der of ders) {
    const c = parseCertificate(der);
    const owner = db.prepare('SELECT user_id FROM user_certificates WHERE fingerprint = ?').pluck().get(fingerprintOf(c)) as number | undefined;
    if (owner !== undefined && owner !== userId) throw new Error(`certificate ${c.commonName} is already bound to user ${owner}`);
    const res = insert.run(fingerprintOf(c), userId, c.subject, c.issuer, c.serialNumber, c.notAfter.toISOString(), canUnlock(c) ? 1 : 0, Buffer.from(der), now.toISOString(), boundBy);
    if (res.changes === 0) continue; // bound to this person already
    recordChange(db, 'user_certificates', Number(res.lastInsertRowid), 'create', boundBy, now);
    appendAudit(db, { userId: boundBy, action: 'user.bind_certificate', entity: 'user', entityId: userId, details: { subject: c.subject, serial: c.serialNumber } });
  }
}

/** The user a token's certificates belong to, if any. */
export function userForCertificates(db: Db, ders: readonly Uint8Array[]): number | undefined {
  for (const der of ders) {
    const id = db.prepare('SELECT user_id FROM user_certificates WHERE fingerprint = ?').pluck().get(fingerprintOf(parseCertificate(der))) as number | undefined;
    if (id !== undefined) return id;
  }
  return undefined;
}

/** Every certificate that must be able to open the keyring (bound, able to unlock). */
export function unlockCertificates(db: Db): Uint8Array[] {
  return (db.prepare('SELECT der FROM user_certificates WHERE can_unlock = 1 ORDER BY bound_at').pluck().all() as Buffer[]).map((b) => new Uint8Array(b));
}
