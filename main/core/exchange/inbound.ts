// Opening and checking one packet that arrived (issue 9 §3): the agency's key on the văn thư's token
// opens a sealed packet (the CMS recipient key is unwrapped on the token; the AES-GCM content and its
// tag are checked here before a byte is used), the routing header must agree with the packet inside,
// the packet must be addressed to us, readable, complete (files and pages as declared) and signed by
// the agency it comes from (XML-DSig chaining to the trust anchors, the signer listed for that agency
// in the directory). Each failure is a refusal with its reason, in Vietnamese for the status 02.
import { isSecret, type Secrecy } from '../../../common/domain';
import type { EdxmlPacket, EdxmlSignatureVerdict } from '../../../common/edxml';
import type { PrivateKeyOps } from '../crypto';
import type { CrlInput } from '../crypto/crl';
import { parseCertificate } from '../crypto';
import type { AgencyBook } from './directory';
import { checkRoutingMatches, isEdxmlError, openSealedPacket, readEdxml, readRouting, ROUTING_MAGIC, verifySignatureElement, type ReadPacket, type RoutingHeader } from './edxml';

export const REFUSAL_CODES = [
  'NOT_FOR_US', 'UNREADABLE', 'RELABELLED', 'MALFORMED', 'SECRET_IN_CLEAR', 'INCOMPLETE', 'BAD_SIGNATURE', 'UNKNOWN_SENDER', 'SIGNER_NOT_SENDER', 'DUPLICATE',
] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

export interface Refusal {
  code: RefusalCode;
  /** The reason the status 02 carries, Vietnamese. */
  reasonVi: string;
}

export interface Opened {
  packet: EdxmlPacket;
  read: ReadPacket;
  sealed: boolean;
  level: Secrecy;
  signature: EdxmlSignatureVerdict;
}

export interface OpenOptions {
  selfCode: string;
  /** The văn thư's keys that may hold the agency's decryption key (unwrapping happens on the token). */
  keys: readonly PrivateKeyOps[];
  book: AgencyBook;
  trustAnchors: readonly Uint8Array[];
  crls: readonly CrlInput[];
  now: Date;
}

export type OpenResult =
  | { ok: true; opened: Opened; routing: RoutingHeader | null }
  /** A refusal; `opened` when the packet could be read (its level and document are known). */
  | { ok: false; refusal: Refusal; routing: RoutingHeader | null; opened: Opened | null };

const refuse = (code: RefusalCode, reasonVi: string, routing: RoutingHeader | null, opened: Opened | null = null): OpenResult => ({ ok: false, refusal: { code, reasonVi }, routing, opened });

export const isSealed = (bytes: Uint8Array): boolean => Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, ROUTING_MAGIC.length)).toString('latin1') === ROUTING_MAGIC;

/** Who a packet is addressed to (a status goes to the issuer named in ResponseFor). */
export const addressees = (p: EdxmlPacket): string[] => (p.kind === 'document' ? p.to.map((t) => t.organId) : [p.responseFor?.organId ?? '']);

/** A directory certificate's serial and issuer, parsed once per certificate the book hands out (directory.ts). */
const identities = new WeakMap<Uint8Array, { serialNumber: string; issuer: string }>();
function certificateIdentity(der: Uint8Array): { serialNumber: string; issuer: string } {
  let id = identities.get(der);
  if (!id) {
    const info = parseCertificate(der);
    id = { serialNumber: info.serialNumber, issuer: info.issuer };
    identities.set(der, id);
  }
  return id;
}

export async function openPacket(bytes: Uint8Array, transportId: string, o: OpenOptions): Promise<OpenResult> {
  let routing: RoutingHeader | null = null;
  let plain: Uint8Array = bytes;
  const sealed = isSealed(bytes);
  if (sealed) {
    try {
      routing = readRouting(bytes).header;
    } catch (e) {
      return refuse('MALFORMED', `Phần địa chỉ của gói tin không đọc được (${isEdxmlError(e) ? e.message : 'lỗi'}).`, null);
    }
    if (routing.packetId !== transportId) return refuse('RELABELLED', 'Mã gói tin khi chuyển không khớp mã trong phần địa chỉ của gói tin.', routing);
    if (!routing.to.includes(o.selfCode)) return refuse('NOT_FOR_US', `Gói tin không gửi cho cơ quan này (gửi cho ${routing.to.join(', ')}).`, routing);
    let opened: Buffer | null = null;
    for (const key of o.keys) {
      try {
        opened = (await openSealedPacket(bytes, key)).packet;
        break;
      } catch {
        // Not this key, or the ciphertext was changed: the next key, then a refusal.
      }
    }
    if (!opened) return refuse('UNREADABLE', 'Không giải mã được gói tin: gói tin đã bị thay đổi trên đường truyền hoặc không được mã hóa cho cơ quan này.', routing);
    plain = opened;
  }
  let read: ReadPacket;
  try {
    read = await readEdxml(plain);
  } catch (e) {
    return refuse('MALFORMED', isEdxmlError(e) ? `Gói tin không đúng định dạng edXML: ${e.messageVi}` : 'Gói tin không đúng định dạng edXML.', routing);
  }
  const packet = read.packet;
  const level: Secrecy = packet.kind === 'document' ? (packet.otherInfo.secrecy ?? 'thuong') : 'thuong';
  const signature = await verifySignatureElement(read.tree, { trustAnchors: o.trustAnchors, crls: o.crls, now: o.now }, read.signature);
  const opened: Opened = { packet, read, sealed, level, signature };
  if (routing) {
    try {
      checkRoutingMatches(routing, packet);
    } catch {
      return refuse('RELABELLED', 'Phần địa chỉ bên ngoài gói tin không khớp nơi gửi, nơi nhận ghi bên trong.', routing, opened);
    }
  }
  if (!addressees(packet).includes(o.selfCode)) return refuse('NOT_FOR_US', `Gói tin không gửi cho cơ quan này (gửi cho ${addressees(packet).join(', ')}).`, routing, opened);
  if (packet.kind === 'document' && isSecret(level) && !sealed) return refuse('SECRET_IN_CLEAR', 'Văn bản mật được gửi không mã hóa.', routing, opened);
  const error = read.problems.find((p) => p.severity === 'error');
  if (error) return refuse('INCOMPLETE', `Gói tin không toàn vẹn: ${error.messageVi}`, routing, opened);
  if (signature.status !== 'valid') return refuse('BAD_SIGNATURE', `Chữ ký số của cơ quan gửi không hợp lệ: ${signature.reasonVi}`, routing, opened);
  const sender = o.book(packet.from.organId);
  if (!sender) return refuse('UNKNOWN_SENDER', `Cơ quan gửi (mã ${packet.from.organId}) không có trong danh bạ các cơ quan.`, routing, opened);
  const signerSerial = signature.signer?.serial;
  const listed = sender.certificates.some((c) => {
    const info = certificateIdentity(c);
    return info.serialNumber === signerSerial && info.issuer === signature.signer?.issuer;
  });
  if (!listed) return refuse('SIGNER_NOT_SENDER', `Chữ ký số không phải của ${sender.name} (chứng thư của ${signature.signer?.commonName ?? 'người khác'}).`, routing, opened);
  return { ok: true, opened, routing };
}
