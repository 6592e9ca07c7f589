// The profile's data key at rest: 32 random bytes that key the SQLCipher database and the blob
// store, kept only as a CMS AuthEnvelopedData for every bound user's certificate and the recovery
// certificate(s) IT configures. Opening it needs a private key on a token; a lost token is not lost
// data as long as the recovery key exists.
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { Writable } from 'node:stream';
import { decryptToBuffer, encryptStream, isAddressedTo, readRecipientInfos, type PrivateKeyOps, type RecipientSpec } from '../crypto';

export const DATA_KEY_BYTES = 32;

export function newDataKey(): Buffer {
  return randomBytes(DATA_KEY_BYTES);
}

/** Writes the keyring atomically (temporary file, fsync, rename): a crash never leaves half of one. */
export async function writeKeyring(file: string, dataKey: Buffer, recipients: readonly RecipientSpec[]): Promise<void> {
  const parts: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      parts.push(chunk);
      cb();
    },
  });
  await encryptStream([dataKey], sink, { recipients });
  const tmp = `${file}.${randomBytes(4).toString('hex')}.part`;
  const fh = await fsp.open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(Buffer.concat(parts));
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fsp.rename(tmp, file);
}

/** Unwraps the data key with a key on the token; CryptoError NOT_A_RECIPIENT when it is not one. */
export async function openKeyring(file: string, key: PrivateKeyOps): Promise<Buffer> {
  const der = await fsp.readFile(file);
  const dataKey = await decryptToBuffer([der], { key, maxBytes: DATA_KEY_BYTES });
  if (dataKey.length !== DATA_KEY_BYTES) throw new Error('keyring holds a key of the wrong size');
  return dataKey;
}

/**
 * Whether a certificate can open the keyring, told from the keyring's recipient identifiers
 * (issuer and serial number) alone: read-only, no key, nothing decrypted, so the lock screen can
 * say which tokens present are bound to this workstation before anyone signs in. null when that
 * cannot be told: no keyring (a new profile, or a plain one from before token binding), or one
 * that does not parse (unlocking will say what is wrong with it).
 */
export async function keyringRecipients(file: string): Promise<((certificate: Uint8Array) => boolean) | null> {
  let recipientInfos: Uint8Array;
  try {
    recipientInfos = await readRecipientInfos([await fsp.readFile(file)]);
  } catch {
    return null;
  }
  return (certificate) => {
    try {
      return isAddressedTo(recipientInfos, certificate);
    } catch {
      return false; // a certificate that does not parse opens nothing
    }
  };
}
