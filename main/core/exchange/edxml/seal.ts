// Packets of Mật and above travel sealed: the whole signed packet encrypted for the recipient
// agencies' certificates (CMS AuthEnvelopedData, AES-256-GCM, crypto/envelope.ts), behind a routing
// header that names only identifier codes, the packet id and the size (routing.ts).
import { Readable, Writable } from 'node:stream';
import { isSecret, type Secrecy } from '../../../../common/domain';
import type { EdxmlPacket } from '../../../../common/edxml';
import { decryptToBuffer, encryptStream, type CertInput, type PrivateKeyOps, type RecipientSpec } from '../../crypto';
import { EdxmlError } from './errors';
import { withLimits, type EdxmlLimits } from './limits';
import { readRouting, writeRouting, type RoutingHeader } from './routing';

/** Whether a document of this level must travel sealed. */
export const mustSeal = (secrecy: Secrecy): boolean => isSecret(secrecy);

export interface SealOptions {
  from: string;
  to: readonly string[];
  packetId: string;
  /** The recipient agencies' encryption certificates (from the directory). */
  recipients: readonly (CertInput | RecipientSpec)[];
}

export async function sealPacket(signedPacket: Uint8Array, o: SealOptions): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const sink = new Writable({ write(chunk: Buffer, _e, cb) { chunks.push(chunk); cb(); } });
  await encryptStream(Readable.from([Buffer.from(signedPacket)]), sink, { recipients: o.recipients });
  const cms = Buffer.concat(chunks);
  return Buffer.concat([writeRouting({ from: o.from, to: [...o.to], packetId: o.packetId, size: cms.length }), cms]);
}

/** The ciphertext of a sealed packet (for openssl cms and for routing without decrypting). */
export function sealedCiphertext(sealed: Uint8Array): { header: RoutingHeader; cms: Buffer } {
  const { header, offset } = readRouting(sealed);
  return { header, cms: Buffer.from(sealed.buffer, sealed.byteOffset + offset, sealed.byteLength - offset) };
}

/** Decrypts a sealed packet with one of our agency's keys (GCM tag checked before anything is returned). */
export async function openSealedPacket(sealed: Uint8Array, key: PrivateKeyOps, limits?: Partial<EdxmlLimits>): Promise<{ header: RoutingHeader; packet: Buffer }> {
  const { header, cms } = sealedCiphertext(sealed);
  const packet = await decryptToBuffer(Readable.from([cms]), { key, maxBytes: withLimits(limits).maxPacketBytes });
  return { header, packet };
}

/** The routing header must say what the packet inside says: nobody re-addresses a sealed packet. */
export function checkRoutingMatches(header: RoutingHeader, packet: EdxmlPacket): void {
  const to = packet.kind === 'document' ? packet.to.map((t) => t.organId) : [packet.responseFor?.organId ?? ''];
  const same = header.from === packet.from.organId && header.to.length === to.length && header.to.every((t) => to.includes(t));
  if (!same) throw new EdxmlError('EDXML_ENVELOPE', `routing header (${header.from} → ${header.to.join(', ')}) differs from the packet (${packet.from.organId} → ${to.join(', ')})`);
}
