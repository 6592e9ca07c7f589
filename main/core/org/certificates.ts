// Binding people to certificates: a certificate's SHA-256 fingerprint names its holder. At unlock
// the person is the holder of the certificate whose private key unwrapped the keyring, and nobody
// else (see ProfileVault.unlock); a certificate that can take part in key transport (RSA with
// keyEncipherment) is a keyring recipient. What may be bound at all is certificatePolicy.ts's job.
import { DeskError } from '../../../common/errors';
import { appendAudit } from '../audit/auditLog';
import { parseCertificate, type CertificateInfo } from '../crypto';
import type { Db } from '../db/connection';
import { recordChange } from '../events/eventLog';

export const fingerprintOf = (cert: CertificateInfo): string => cert.fingerprintSha256.replace(/:/g, '').toLowerCase();

/** RSA with keyEncipherment (or no key usage restriction): can be a keyring recipient. */
export function canUnlock(cert: CertificateInfo): boolean {
  return cert.publicKey.algorithm === 'RSA' && (cert.keyUsage === null || cert.keyUsage.includes('keyEncipherment'));
}

/** digitalSignature or nonRepudiation (or no key usage restriction). */
export function canSign(cert: CertificateInfo): boolean {
  return cert.keyUsage === null || cert.keyUsage.includes('digitalSignature') || cert.keyUsage.includes('nonRepudiation');
}

/** Who bound a certificate, for the audit: setup, an administrator, or the recovery key (legacy profile). */
export type BindingAuthority = 'setup' | 'administrator' | 'recovery' | 'legacy';

interface BoundRow { user_id: number; fingerprint: string; full_name: string }

/**
 * Binds checked certificates to a person. A certificate bound to someone else, or one that shares
 * issuer and serial number with another person's certificate, is refused with the holder named:
 * unbinding is a separate, audited act. Run inside the caller's write transaction.
 */
export function bindCertificates(db: Db, userId: number, ders: readonly Uint8Array[], boundBy: number | null, now: Date, authority: BindingAuthority): void {
  const infos = ders.map((d) => parseCertificate(d));
  for (const c of infos) {
    const clash = db
      .prepare(`SELECT c.user_id, c.fingerprint, u.full_name FROM user_certificates c JOIN users u ON u.id = c.user_id
                WHERE c.user_id <> ? AND (c.fingerprint = ? OR (c.issuer = ? AND c.serial = ?)) LIMIT 1`)
      .get(userId, fingerprintOf(c), c.issuer, c.serialNumber) as BoundRow | undefined;
    if (clash) {
      throw DeskError.keyed('VALIDATION', 'cert.boundElsewhere', { name: c.commonName, serial: c.serialNumber, holder: clash.full_name }, {
        details: { code: 'BOUND_ELSEWHERE', fingerprint: fingerprintOf(c) },
      });
    }
  }
  const insert = db.prepare(
    `INSERT INTO user_certificates (fingerprint, user_id, subject, issuer, serial, not_after, can_unlock, der, bound_at, bound_by)
     VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT (fingerprint) DO NOTHING`,
  );
  for (const c of infos) {
    const res = insert.run(fingerprintOf(c), userId, c.subject, c.issuer, c.serialNumber, c.notAfter.toISOString(), canUnlock(c) ? 1 : 0, Buffer.from(c.der), now.toISOString(), boundBy);
    if (res.changes === 0) continue; // bound to this person already
    recordChange(db, 'user_certificates', Number(res.lastInsertRowid), 'create', boundBy, now);
    appendAudit(db, {
      userId: boundBy, action: 'user.bind_certificate', entity: 'user', entityId: userId,
      details: { subject: c.subject, issuer: c.issuer, serial: c.serialNumber, fingerprint: fingerprintOf(c), authority },
    }, now.toISOString());
  }
}

/** Removes one binding (audited); the keyring must be rewrapped afterwards. Run inside a write transaction. */
export function unbindCertificate(db: Db, userId: number, fingerprint: string, by: number, now: Date): void {
  const row = db.prepare('SELECT rowid AS id, subject, serial FROM user_certificates WHERE fingerprint = ? AND user_id = ?').get(fingerprint, userId) as
    | { id: number; subject: string; serial: string }
    | undefined;
  if (!row) throw DeskError.keyed('NOT_FOUND', 'cert.notBoundToUser');
  recordChange(db, 'user_certificates', row.id, 'delete', by, now);
  db.prepare('DELETE FROM user_certificates WHERE rowid = ?').run(row.id);
  appendAudit(db, { userId: by, action: 'user.unbind_certificate', entity: 'user', entityId: userId, details: { subject: row.subject, serial: row.serial, fingerprint } }, now.toISOString());
}

/** The person a certificate is bound to (exactly this certificate), if any. */
export function holderOf(db: Db, der: Uint8Array): number | undefined {
  return db.prepare('SELECT user_id FROM user_certificates WHERE fingerprint = ?').pluck().get(fingerprintOf(parseCertificate(der))) as number | undefined;
}

/** Every certificate that must be able to open the keyring (bound, able to unlock). */
export function unlockCertificates(db: Db): Uint8Array[] {
  return (db.prepare('SELECT der FROM user_certificates WHERE can_unlock = 1 ORDER BY bound_at').pluck().all() as Buffer[]).map((b) => new Uint8Array(b));
}
