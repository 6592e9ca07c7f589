// Sealing a batch of a classified channel before it leaves the workstation: AES-256-GCM under a key
// derived (HKDF-SHA-256) from the compartment's level key, so the server stores and routes bytes it
// cannot read. The associated data binds the ciphertext to its routing header (channel, level key
// id, batch id, event ids): a server that moved a batch to another level or swapped its event ids
// would make it fail to open. Layout: "SDB1" | 12-byte IV | ciphertext | 16-byte tag.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { Channel } from './protocol';

const MAGIC = Buffer.from('SDB1');
const IV_LEN = 12;
const TAG_LEN = 16;

export class SealError extends Error {
  override readonly name = 'SealError';
}

export interface SealHeader {
  channel: Channel;
  keyId: string;
  batchId: string;
  eventIds: readonly string[];
}

/** The batch key: never the level key itself, so a batch key reveals nothing about the compartment's files. */
export function batchKey(levelKey: Buffer, channel: Channel, keyId: string): Buffer {
  if (levelKey.length !== 32) throw new SealError('a level key is 32 bytes');
  return Buffer.from(hkdfSync('sha256', levelKey, Buffer.alloc(0), `securedesk-sync-batch-v1\n${channel}\n${keyId}`, 32));
}

export function associatedData(h: SealHeader): Buffer {
  return Buffer.from(`${h.channel}\n${h.keyId}\n${h.batchId}\n${h.eventIds.join(',')}`, 'utf8');
}

export const isSealed = (b: Uint8Array): boolean => b.length >= MAGIC.length + IV_LEN + TAG_LEN && Buffer.from(b.subarray(0, 4)).equals(MAGIC);

export function sealBatch(levelKey: Buffer, h: SealHeader, plaintext: Uint8Array): Buffer {
  const iv = randomBytes(IV_LEN);
  const c = createCipheriv('aes-256-gcm', batchKey(levelKey, h.channel, h.keyId), iv);
  c.setAAD(associatedData(h));
  const body = Buffer.concat([c.update(plaintext), c.final()]);
  return Buffer.concat([MAGIC, iv, body, c.getAuthTag()]);
}

export function openBatch(levelKey: Buffer, h: SealHeader, sealed: Uint8Array): Buffer {
  if (!isSealed(sealed)) throw new SealError('not a sealed batch');
  const b = Buffer.from(sealed);
  const iv = b.subarray(4, 4 + IV_LEN);
  const tag = b.subarray(b.length - TAG_LEN);
  const d = createDecipheriv('aes-256-gcm', batchKey(levelKey, h.channel, h.keyId), iv);
  d.setAAD(associatedData(h));
  d.setAuthTag(tag);
  try {
    return Buffer.concat([d.update(b.subarray(4 + IV_LEN, b.length - TAG_LEN)), d.final()]);
  } catch {
    throw new SealError(`batch ${h.batchId} does not open under level key ${h.keyId} with its header (tampered, moved or another key)`);
  }
}
