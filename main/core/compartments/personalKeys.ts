// Personal keys: what belongs to one person before it is registered (files staged in the
// registration form, drafts kept across a lock) is sealed with that person's own key, not the base
// key every bound person's token opens. keyrings/people/<user global id>.cms is a CMS
// AuthEnvelopedData of {"format":"securedesk-personal-key","v":1,"person":…,"keyId":…,"key":…},
// addressed to the person's bound unlocking certificates and to the recovery certificate(s), written
// with the level keyrings' envelope code (keyrings.ts). The payload names its person, so a keyring
// copied over another person's name opens nothing.
import { randomBytes } from 'node:crypto';
import { existsSync, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { PrivateKeyOps } from '../crypto';
import type { Db } from '../db/connection';
import { isGlobalId } from '../events/globalId';
import { openKeyEnvelope, writeKeyEnvelope } from './keyrings';
import { KEYRING_DIR } from './levels';

export interface PersonalKey {
  /** The person's global id. */
  person: string;
  /** Changes whenever the key is replaced. */
  keyId: string;
  key: Buffer;
}

const FORMAT = 'securedesk-personal-key';
export const PEOPLE_KEYRING_DIR = join(KEYRING_DIR, 'people');

export function personalKeyringFile(profileDir: string, person: string): string {
  if (!isGlobalId(person)) throw new Error('invalid person id');
  return join(profileDir, PEOPLE_KEYRING_DIR, `${person}.cms`);
}

export function newPersonalKey(person: string): PersonalKey {
  return { person, keyId: randomBytes(16).toString('hex'), key: randomBytes(32) };
}

function encode(k: PersonalKey): Buffer {
  return Buffer.from(JSON.stringify({ format: FORMAT, v: 1, person: k.person, keyId: k.keyId, key: k.key.toString('hex') }));
}

function decode(buf: Buffer, expected: string): PersonalKey {
  const o = JSON.parse(buf.toString('utf8')) as { format?: unknown; v?: unknown; person?: unknown; keyId?: unknown; key?: unknown };
  if (o.format !== FORMAT || o.v !== 1 || typeof o.person !== 'string' || typeof o.keyId !== 'string' || typeof o.key !== 'string' || !/^[0-9a-f]{64}$/.test(o.key))
    throw new Error('not a personal keyring');
  if (o.person !== expected) throw new Error('the personal keyring holds the key of another person');
  return { person: o.person, keyId: o.keyId, key: Buffer.from(o.key, 'hex') };
}

/** Writes a person's keyring for `certs` (their unlocking certificates and recovery), proved to open with `prover`. */
export async function writePersonalKeyring(file: string, k: PersonalKey, certs: readonly Uint8Array[], prover?: PrivateKeyOps): Promise<void> {
  await writeKeyEnvelope(file, encode(k), certs, prover, async () => {
    const back = await openPersonalKeyring(file, k.person, prover!);
    const same = back.key.equals(k.key) && back.keyId === k.keyId;
    back.key.fill(0);
    return same;
  });
}

/** Unwraps a person's key with a key on the token; CryptoError NOT_A_RECIPIENT when it is not one. */
export async function openPersonalKeyring(file: string, person: string, key: PrivateKeyOps): Promise<PersonalKey> {
  const plain = await openKeyEnvelope(file, key);
  try {
    return decode(plain, person);
  } finally {
    plain.fill(0);
  }
}

/** The people (global ids) who have a personal keyring in this profile. */
export async function peopleWithKeyrings(profileDir: string): Promise<string[]> {
  const dir = join(profileDir, PEOPLE_KEYRING_DIR);
  if (!existsSync(dir)) return [];
  return (await fsp.readdir(dir)).filter((f) => f.endsWith('.cms')).map((f) => f.slice(0, -4)).filter(isGlobalId);
}

/** A person's unlocking certificates (what their personal keyring is addressed to, besides recovery). */
export function personCertificates(db: Db, userId: number): Uint8Array[] {
  return (db.prepare('SELECT der FROM user_certificates WHERE user_id = ? AND can_unlock = 1 ORDER BY bound_at').pluck().all(userId) as Buffer[])
    .map((b) => new Uint8Array(b));
}

export function globalIdOfUser(db: Db, userId: number): string {
  const gid = db.prepare('SELECT global_id FROM users WHERE id = ?').pluck().get(userId) as string | null | undefined;
  if (!gid) throw new Error('the person has no global id');
  return gid;
}

export function userOfGlobalId(db: Db, person: string): number | undefined {
  return db.prepare('SELECT id FROM users WHERE global_id = ?').pluck().get(person) as number | undefined;
}
