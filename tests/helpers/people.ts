// More people on a test profile, each with a software identity of their own (an RSA key and a
// self-signed certificate made by the real openssl), bound the way an administrator binds a token:
// their certificate recorded for the user, and the keyring rewrapped so it unlocks the profile.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Role, Secrecy } from '../../common/domain';
import { pemToDer } from '../../main/core/crypto';
import type { Desk, TokenIdentity } from '../../main/core/desk';
import { writeTx } from '../../main/core/db/transaction';
import { bindCertificates } from '../../main/core/org/certificates';
import { addUser } from '../../main/core/org/users';
import { identityFromPem, tempDir } from './desk';
import { TestPki, type Party } from './pki';
import { softKey } from './softKey';

export function newIdentity(commonName: string): TokenIdentity {
  const t = tempDir('securedesk-person-');
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${t.dir}/k.pem`, '-out', `${t.dir}/c.pem`, '-days', '3650',
      '-subj', `/CN=${commonName}/O=Văn phòng Tỉnh ủy Quảng Ninh/C=VN`, '-utf8', '-addext', 'basicConstraints=critical,CA:FALSE',
      '-addext', 'keyUsage=critical,digitalSignature,nonRepudiation,keyEncipherment'], { stdio: 'pipe' });
    const cert = pemToDer(readFileSync(`${t.dir}/c.pem`, 'utf8'))[0]!;
    const key = softKey(cert, readFileSync(`${t.dir}/k.pem`, 'utf8'));
    return { unlockKeys: [key], signingKeys: [key] };
  } finally {
    t.cleanup();
  }
}

/**
 * An identity whose certificate is issued by `ca` (a SoftHSM set's CA, the workstation's trust anchor),
 * so the signatures it makes show valid; `dir` keeps the CA's files for openssl.
 */
export function anchoredIdentity(ca: { certPem: string; certDer: Uint8Array; certPath: string; keyPath: string }, commonName: string, dir: string): TokenIdentity {
  const pki = new TestPki(mkdtempSync(join(dir, 'person-')));
  const issuer: Party = { name: 'anchor', keyPath: ca.keyPath, certPath: ca.certPath, keyPem: '', certPem: ca.certPem, certDer: new Uint8Array(ca.certDer) };
  const person = pki.issue('person', { key: 'rsa2048', subject: `/C=VN/O=Văn phòng Tỉnh ủy Quảng Ninh/CN=${commonName}`, issuer });
  return identityFromPem(person.certPem, person.keyPem);
}

/** Adds a person with their own identity (a self-signed one unless given) to an unlocked profile (the keyring rewrapped for them). */
export async function addPerson(desk: Desk, person: { fullName: string; role: Role; clearance: Secrecy; position?: string; identity?: TokenIdentity }): Promise<{ id: number; identity: TokenIdentity }> {
  const identity = person.identity ?? newIdentity(person.fullName);
  const id = writeTx(desk.db, () => {
    const userId = addUser(desk.db, { fullName: person.fullName, position: person.position ?? 'Cán bộ', role: person.role, clearance: person.clearance });
    bindCertificates(desk.db, userId, [identity.unlockKeys[0]!.certificate], desk.session?.id ?? userId, new Date(), 'administrator');
    return userId;
  });
  await desk.rewrapKeyring();
  return { id, identity };
}
