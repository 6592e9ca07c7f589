// What a server may read of a packet: its addresses. A sealed packet (Mật and above) has the routing
// header of routing.ts and nothing else in clear; a clear packet (Thường) is edXML, of which only the
// MessageHeader's From and To are read (a status packet goes to its ResponseFor's organ). The tree is
// kept for the hub's signature check.
import { checkIdentifierCode } from '../common/identifierCode';
import { EdxmlError } from '../main/core/exchange/edxml/errors';
import { withLimits } from '../main/core/exchange/edxml/limits';
import { readRouting, ROUTING_MAGIC } from '../main/core/exchange/edxml/routing';
import { decodePacketText } from '../main/core/exchange/edxml/xmlSafety';
import { child, childrenNamed, parseXmlTree, textOf, type XElement } from '../main/core/exchange/edxml/xmlTree';

export interface PacketAddress {
  kind: 'sealed' | 'clear';
  from: string;
  to: string[];
  /** The routing header's packet id (sealed packets only). */
  packetId: string | null;
  tree: XElement | null;
}

export class NotAPacket extends Error {
  override readonly name = 'NotAPacket';
}

const MAGIC = Buffer.from(`${ROUTING_MAGIC}\n`, 'latin1');

function code(v: string | null, what: string): string {
  const c = checkIdentifierCode(v ?? '');
  if (!c.ok) throw new NotAPacket(`${what}: "${v ?? ''}" is not an identifier code`);
  return c.code!;
}

export function readPacketAddress(bytes: Buffer, maxBytes: number): PacketAddress {
  try {
    if (bytes.subarray(0, MAGIC.length).equals(MAGIC)) {
      const { header } = readRouting(bytes);
      return { kind: 'sealed', from: header.from, to: [...new Set(header.to)], packetId: header.packetId, tree: null };
    }
    const limits = withLimits({ maxPacketBytes: maxBytes });
    const tree = parseXmlTree(decodePacketText(bytes, limits), limits);
    const envelope = tree.local === 'edXMLEnvelope' ? tree : child(tree, 'edXMLEnvelope');
    const mh = child(child(envelope, 'edXMLHeader'), 'MessageHeader');
    if (!envelope || !mh) throw new NotAPacket('no edXMLEnvelope/edXMLHeader/MessageHeader');
    const from = code(textOf(child(child(mh, 'From'), 'OrganId')), 'From/OrganId');
    const to = child(mh, 'StatusCode')
      ? [code(textOf(child(child(mh, 'ResponseFor'), 'OrganId')), 'ResponseFor/OrganId')]
      : childrenNamed(mh, 'To').map((t) => code(textOf(child(t, 'OrganId')), 'To/OrganId'));
    if (to.length === 0) throw new NotAPacket('MessageHeader has no To');
    return { kind: 'clear', from, to: [...new Set(to)], packetId: null, tree };
  } catch (e) {
    if (e instanceof NotAPacket) throw e;
    if (e instanceof EdxmlError) throw new NotAPacket(e.message);
    throw e;
  }
}
