// Proof that a token holds the private key of a certificate: a fresh random challenge is encrypted
// to the certificate and the token must give it back. Used where no keyring exists yet to unwrap (a
// plain profile from before token binding, opened with the recovery key); a certificate copied
// onto a token without its key fails here.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { decryptToBuffer, encryptStream, type PrivateKeyOps } from '../crypto';

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
