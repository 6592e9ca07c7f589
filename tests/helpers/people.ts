// More people on a test profile, each with a software identity of their own (an RSA key and a
// self-signed certificate made by the real openssl), bound the way an administrator binds a token:
// their certificate recorded for the user, and the keyring rewrapped so it unlocks the profile.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Role, Secrecy } from '../../common/domain';
import { pemToDer } from '../../main/core/crypto';
import type { Desk, TokenIdentity } from '../../main/core/desk';
import { writeTx } from '../../main/core/db/transaction';
import { bindCertificates } from '../../main/core/org/certificates';
import { addUser } from '../../main/core/org/users';
import { tempDir } from './desk';
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

/** Adds a person with their own identity to an unlocked profile (the keyring rewrapped for them). */
export async function addPerson(desk: Desk, person: { fullName: string; role: Role; clearance: Secrecy; position?: string }): Promise<{ id: number; identity: TokenIdentity }> {
  const identity = newIdentity(person.fullName);
  const id = writeTx(desk.db, () => {
    const userId = addUser(desk.db, { fullName: person.fullName, position: person.position ?? 'Cán bộ', role: person.role, clearance: person.clearance });
    bindCertificates(desk.db, userId, [identity.unlockKeys[0]!.certificate], desk.session?.id ?? userId, new Date(), 'administrator');
    return userId;
  });
  await desk.rewrapKeyring();
  return { id, identity };
}
