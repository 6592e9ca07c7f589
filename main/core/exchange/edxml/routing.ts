// The outer routing header of a sealed packet: what intermediaries (agency servers, the hub) may
// read, and nothing more: sender and recipients by identifier code, the packet id, the size of the
// ciphertext that follows. One line of JSON after a magic line, then the CMS AuthEnvelopedData (DER).
import { checkIdentifierCode } from '../../../../common/identifierCode';
import { EdxmlError } from './errors';

export const ROUTING_MAGIC = 'SECUREDESK-EDXML-SEALED/1';
const MAX_HEADER = 16 * 1024;

export interface RoutingHeader {
  from: string;
  to: string[];
  packetId: string;
  /** Bytes of the ciphertext after the header. */
  size: number;
}

function check(h: RoutingHeader): RoutingHeader {
  const codes = [h.from, ...h.to];
  if (h.to.length === 0 || codes.some((c) => typeof c !== 'string' || !checkIdentifierCode(c).ok)) throw new EdxmlError('EDXML_ENVELOPE', 'routing header: bad identifier codes');
  if (typeof h.packetId !== 'string' || !/^[0-9A-Za-z-]{8,64}$/.test(h.packetId)) throw new EdxmlError('EDXML_ENVELOPE', 'routing header: bad packet id');
  if (!Number.isSafeInteger(h.size) || h.size <= 0) throw new EdxmlError('EDXML_ENVELOPE', 'routing header: bad size');
  return h;
}

export function writeRouting(h: RoutingHeader): Buffer {
  const clean = check({ from: h.from, to: [...h.to], packetId: h.packetId, size: h.size });
  return Buffer.from(`${ROUTING_MAGIC}\n${JSON.stringify(clean)}\n`, 'utf8');
}

/** Reads the header (from at most the first 16 KiB) and where the ciphertext starts. */
export function readRouting(bytes: Uint8Array): { header: RoutingHeader; offset: number } {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, MAX_HEADER)).toString('latin1');
  const first = head.indexOf('\n');
  const second = head.indexOf('\n', first + 1);
  if (head.slice(0, first) !== ROUTING_MAGIC || second < 0) throw new EdxmlError('EDXML_ENVELOPE', 'not a sealed edXML packet');
  let parsed: RoutingHeader;
  try {
    parsed = JSON.parse(Buffer.from(head.slice(first + 1, second), 'latin1').toString('utf8')) as RoutingHeader;
  } catch {
    throw new EdxmlError('EDXML_ENVELOPE', 'routing header is not JSON');
  }
  const header = check({ from: parsed.from, to: parsed.to, packetId: parsed.packetId, size: parsed.size });
  const offset = second + 1;
  if (bytes.byteLength - offset !== header.size) throw new EdxmlError('EDXML_ENVELOPE', `ciphertext is ${bytes.byteLength - offset} bytes, the header says ${header.size}`);
  return { header, offset };
}
