// Proof that a token holds the private key of a certificate. An unwrapping key gets a fresh random
// challenge encrypted to the certificate and must give it back; a signing key signs a fresh
// challenge, checked with the certificate's public key. Used where no keyring exists yet to unwrap
// (the recovery key on a plain profile) and for the other keys of the first administrator's token
// at setup; a certificate written onto a token without its key fails here.
import { constants, createPublicKey, randomBytes, verify } from 'node:crypto';
import { Writable } from 'node:stream';
import { decryptToBuffer, defaultSignatureAlg, encryptStream, parseCertificate, type PrivateKeyOps } from '../crypto';

const CHALLENGE_BYTES = 32;

export async function proveKey(key: PrivateKeyOps): Promise<boolean> {
  const challenge = randomBytes(CHALLENGE_BYTES);
  // SHA-256 OAEP first; SHA-1 for tokens that do only that (SoftHSM 2.6, some USB tokens).
  for (const oaepHash of ['SHA-256', 'SHA-1'] as const) {
    const parts: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        parts.push(chunk);
        cb();
      },
    });
    await encryptStream([challenge], sink, { recipients: [{ certificate: key.certificate, oaepHash }] });
    try {
      const back = await decryptToBuffer([Buffer.concat(parts)], { key, maxBytes: CHALLENGE_BYTES });
      if (back.equals(challenge)) return true;
    } catch {
      // this OAEP choice is not supported, or the key is not the certificate's: try the next one
    }
  }
  return false;
}

/** Domain separation: what the key signs can never be mistaken for a document or a certificate. */
const SIGNING_CHALLENGE_PREFIX = Buffer.from('SecureDesk key possession challenge\u0000', 'utf8');

export async function proveSigningKey(key: PrivateKeyOps): Promise<boolean> {
  try {
    const cert = parseCertificate(key.certificate);
    const alg = defaultSignatureAlg(cert);
    const challenge = Buffer.concat([SIGNING_CHALLENGE_PREFIX, randomBytes(CHALLENGE_BYTES)]);
    const signature = await key.sign(alg, challenge);
    const publicKey = createPublicKey({ key: Buffer.from(cert.raw.spki), format: 'der', type: 'spki' });
    if (alg === 'RSASSA-PKCS1-v1_5-SHA256') return verify('sha256', challenge, { key: publicKey, padding: constants.RSA_PKCS1_PADDING }, signature);
    if (alg === 'RSA-PSS-SHA256') return verify('sha256', challenge, { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature);
    return verify(alg === 'ECDSA-SHA384' ? 'sha384' : 'sha256', challenge, { key: publicKey, dsaEncoding: 'der' }, signature);
  } catch {
    return false;
  }
}
