// Status packets this agency sends back to a sender (01–06, 02 with its reason, 15/16 for a recall,
// update or replacement): built, signed by the agency's key on the văn thư's token, and sealed for the
// sender's certificates when the document is secret (a status names the document's number: it travels
// like the document did). Each has a deterministic packet id, so making it again after a crash gives the
// same packet, which the transport and the sender keep once.
import { createHash } from 'node:crypto';
import type { EdxmlStatusCode } from '../../../common/edxml';
import { DeskError } from '../../../common/errors';
import type { PrivateKeyOps, RecipientSpec } from '../crypto';
import type { CertInput } from '../crypto/certificates';
import { buildStatusPacket, sealPacket, signPacket, timestampOf } from './edxml';

export interface StatusTarget {
  /** The sender's identifier code: the status goes back to it. */
  senderCode: string;
  /** The document's DocumentId, or the transport packet id when the packet could not be read. */
  documentId: string | null;
  numberSymbol: string | null;
  promulgationDate: string | null;
}

export const statusPacketId = (basis: string, code: EdxmlStatusCode, n = 0): string =>
  createHash('sha256').update(`status/${basis}/${code}/${n}`).digest('hex').slice(0, 32);

/**
 * The id of a status owed to `from` about its packet `packetId`: the basis names the sender, since two
 * agencies' packets may share an id (docs/server.md, "Packet ids are the sender's") and each is answered.
 */
export const owedStatusId = (from: string, packetId: string, code: EdxmlStatusCode): string => statusPacketId(`${from.toUpperCase()}/${packetId}`, code);

export async function makeStatusPacket(o: {
  self: { code: string; name: string };
  target: StatusTarget;
  code: EdxmlStatusCode;
  description: string | null;
  at: Date;
  staff: string | null;
  key: PrivateKeyOps;
  /** The sender's encryption certificates when the status must travel sealed; null for a clear one. */
  sealFor: readonly (CertInput | RecipientSpec)[] | null;
  packetId: string;
}): Promise<Buffer> {
  const built = buildStatusPacket({
    from: { organId: o.self.code, organizationInCharge: o.self.name, organName: o.self.name, organAdd: null, email: null, telephone: null, fax: null, website: null },
    responseFor: { organId: o.target.senderCode, code: o.target.numberSymbol, promulgationDate: o.target.promulgationDate, documentId: o.target.documentId },
    staff: o.staff ? { department: 'Văn thư', staff: o.staff, mobile: null, email: null } : null,
    statusCode: o.code,
    description: o.description,
    timestamp: timestampOf(o.at),
    trace: [{ organId: o.self.code, timestamp: timestampOf(o.at) }],
  });
  const signed = await signPacket(built.bytes, o.key);
  if (o.sealFor === null) return signed;
  if (o.sealFor.length === 0) throw DeskError.keyed('VALIDATION', 'exchange.noRecipientCertificate', { code: o.target.senderCode });
  return sealPacket(signed, { from: o.self.code, to: [o.target.senderCode], packetId: o.packetId, recipients: o.sealFor });
}
