// The level keyrings: keyrings/<level>.cms is a CMS AuthEnvelopedData holding that level's key,
// addressed to the certificate of every bound person whose clearance covers the level, and to the
// recovery certificate(s). Each person's recipient entry is their keyring entry for the level: the
// keys belong to the agency (the exchange carries these files between its workstations as they are),
// and a person's token opens only the levels they are cleared for. The payload names its level and a
// key id, so a keyring copied over another level's name opens nothing.
import { randomBytes } from 'node:crypto';
import { existsSync, promises as fsp } from 'node:fs';
import { dirname } from 'node:path';
import { Writable } from 'node:stream';
import { decryptToBuffer, encryptStream, isAddressedTo, parseCertificate, readRecipientInfos, type PrivateKeyOps, type RecipientSpec } from '../crypto';
import { recipientCount } from '../crypto/recipients';
import { makePrivateDir } from '../privateFiles';
import { isLevel, type Level } from './levels';

export interface LevelKey {
  level: Level;
  /** Changes at each re-key: which key a compartment file and its blobs are under. */
  keyId: string;
  key: Buffer;
  /** The key id this key replaced at a re-key: another workstation that still holds that key adopts this one (sync). */
  previous?: string;
}

const FORMAT = 'securedesk-level-key';

function encodeLevelKey(k: LevelKey): Buffer {
  return Buffer.from(JSON.stringify({ format: FORMAT, v: 1, level: k.level, keyId: k.keyId, key: k.key.toString('hex'), ...(k.previous ? { previous: k.previous } : {}) }));
}

function decodeLevelKey(buf: Buffer, expected: Level): LevelKey {
  const o = JSON.parse(buf.toString('utf8')) as { format?: unknown; v?: unknown; level?: unknown; keyId?: unknown; key?: unknown; previous?: unknown };
  if (o.format !== FORMAT || o.v !== 1 || !isLevel(o.level) || typeof o.keyId !== 'string' || typeof o.key !== 'string' || !/^[0-9a-f]{64}$/.test(o.key))
    throw new Error('not a level keyring');
  if (o.level !== expected) throw new Error(`the ${expected} keyring holds the key of another level (${o.level})`);
  return { level: o.level, keyId: o.keyId, key: Buffer.from(o.key, 'hex'), ...(typeof o.previous === 'string' ? { previous: o.previous } : {}) };
}

export function newLevelKey(level: Level): LevelKey {
  return { level, keyId: randomBytes(16).toString('hex'), key: randomBytes(32) };
}

async function writeAtomically(file: string, bytes: Buffer): Promise<void> {
  makePrivateDir(dirname(file));
  const tmp = `${file}.${randomBytes(4).toString('hex')}.part`;
  const fh = await fsp.open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fsp.rename(tmp, file);
}

async function envelope(payload: Buffer, recipients: readonly RecipientSpec[]): Promise<Buffer> {
  const parts: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      parts.push(chunk);
      cb();
    },
  });
  await encryptStream([payload], sink, { recipients });
  return Buffer.concat(parts);
}

const dedupe = (certs: readonly Uint8Array[]): Uint8Array[] =>
  certs.filter((der, i, all) => all.findIndex((d) => Buffer.compare(Buffer.from(d), Buffer.from(der)) === 0) === i);

/**
 * Writes a key envelope (CMS AuthEnvelopedData of `payload`) for `certs`, atomically. `prover`: the
 * session's key, which must open what was written (`opensBack` checks it); its OAEP hash follows what
 * its token does: SHA-256 when it can, else SHA-1; other recipients get SHA-1, which every token here
 * unwraps (see ProfileVault.writeKeyringFor). Without a prover it is written once with SHA-1 for all.
 * Shared by the level keyrings and the personal keyrings (personalKeys.ts).
 */
export async function writeKeyEnvelope(
  file: string, payload: Buffer, certs: readonly Uint8Array[], prover: PrivateKeyOps | undefined, opensBack: () => Promise<boolean>,
): Promise<void> {
  const proverPrint = prover ? parseCertificate(prover.certificate).fingerprintSha256 : null;
  for (const oaepHash of proverPrint ? (['SHA-256', 'SHA-1'] as const) : (['SHA-1'] as const)) {
    const recipients: RecipientSpec[] = dedupe(certs).map((der) => ({
      certificate: der, oaepHash: parseCertificate(der).fingerprintSha256 === proverPrint ? oaepHash : 'SHA-1',
    }));
    await writeAtomically(file, await envelope(payload, recipients));
    if (!prover || !certs.some((c) => parseCertificate(c).fingerprintSha256 === proverPrint)) return;
    try {
      if (await opensBack()) return;
    } catch {
      /* next OAEP choice */
    }
  }
  throw new Error('the key envelope does not open with the session key');
}

/** The payload of a key envelope, unwrapped with a key on the token (CryptoError NOT_A_RECIPIENT when not one). */
export async function openKeyEnvelope(file: string, key: PrivateKeyOps): Promise<Buffer> {
  return decryptToBuffer([await fsp.readFile(file)], { key, maxBytes: 512 });
}

/** Writes a level keyring for `certs` (see writeKeyEnvelope for `prover`). */
export async function writeLevelKeyring(file: string, k: LevelKey, certs: readonly Uint8Array[], prover?: PrivateKeyOps): Promise<void> {
  await writeKeyEnvelope(file, encodeLevelKey(k), certs, prover, async () => {
    const back = await openLevelKeyring(file, k.level, prover!);
    const same = back.key.equals(k.key) && back.keyId === k.keyId;
    back.key.fill(0);
    return same;
  });
}

/** Unwraps a level's key with a key on the token. CryptoError NOT_A_RECIPIENT when it is not one. */
export async function openLevelKeyring(file: string, level: Level, key: PrivateKeyOps): Promise<LevelKey> {
  const plain = await openKeyEnvelope(file, key);
  try {
    return decodeLevelKey(plain, level);
  } finally {
    plain.fill(0);
  }
}

/** A level keyring received as bytes (from the agency server), unwrapped with a key on the token. */
export async function openLevelKeyringBytes(cms: Buffer, level: Level, key: PrivateKeyOps): Promise<LevelKey> {
  const plain = await decryptToBuffer([cms], { key, maxBytes: 512 });
  try {
    return decodeLevelKey(plain, level);
  } finally {
    plain.fill(0);
  }
}

/** Whether a level keyring is addressed to a certificate (read from its recipient entries; no key used). */
export async function levelKeyringAddressedTo(file: string, certificate: Uint8Array): Promise<boolean> {
  if (!existsSync(file)) return false;
  try {
    return isAddressedTo(await readRecipientInfos([await fsp.readFile(file)]), certificate);
  } catch {
    return false;
  }
}

/**
 * How a level keyring stands against who must hold it: `extra` entries for someone no longer among
 * `want` (a clearance lowered, a token unbound: the level must be re-keyed), `missing` certificates of
 * `want` it is not yet addressed to (they are given the key).
 */
export async function keyringStanding(file: string, want: readonly Uint8Array[]): Promise<{ extra: number; missing: Uint8Array[] }> {
  const set = await readRecipientInfos([await fsp.readFile(file)]);
  const present = dedupe(want).filter((der) => {
    try {
      return isAddressedTo(set, der);
    } catch {
      return false;
    }
  });
  return { extra: recipientCount(set) - present.length, missing: dedupe(want).filter((d) => !present.includes(d)) };
}
