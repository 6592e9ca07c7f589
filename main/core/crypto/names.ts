// X.500 names as people read them: "CN=Nguyễn Văn An, O=Bộ Tài chính, C=VN" (RFC 4514 order,
// most specific first). Vietnamese text is kept as Unicode (UTF8String, BMPString…), not escaped
// as \xx the way `openssl x509 -subject` prints it by default.
import { children, content, expectTag, readOid, type Tlv } from './der';
import { AsnError } from './errors';

const SHORT: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'SERIALNUMBER',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'STREET',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'T',
  '2.5.4.42': 'GN',
  '2.5.4.43': 'initials',
  '2.5.4.46': 'dnQualifier',
  '2.5.4.65': 'pseudonym',
  '2.5.4.97': 'organizationIdentifier',
  '0.9.2342.19200300.100.1.1': 'UID', // Vietnamese CAs put CMND/CCCD/MST numbers here
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.840.113549.1.9.1': 'E',
};

export interface NameAttribute {
  oid: string;
  /** Short name (CN, O…) or the dotted OID when unknown. */
  type: string;
  value: string;
}

function decodeString(buf: Uint8Array, t: Tlv): string {
  const b = Buffer.from(content(buf, t));
  switch (t.tag) {
    case 0x0c: // UTF8String
      return b.toString('utf8');
    case 0x13: // PrintableString
    case 0x16: // IA5String
    case 0x12: // NumericString
    case 0x1a: // VisibleString
      return b.toString('latin1');
    case 0x14: // TeletexString: in practice Latin-1 (T.61 proper is almost never used)
      return b.toString('latin1');
    case 0x1e: {
      // BMPString: UTF-16BE
      if (b.length % 2) throw new AsnError('BMPString of odd length');
      const le = Buffer.alloc(b.length);
      for (let i = 0; i < b.length; i += 2) {
        le[i] = b[i + 1]!;
        le[i + 1] = b[i]!;
      }
      return le.toString('utf16le');
    }
    case 0x1c: {
      // UniversalString: UTF-32BE
      if (b.length % 4) throw new AsnError('UniversalString of bad length');
      let s = '';
      for (let i = 0; i < b.length; i += 4) s += String.fromCodePoint(b.readUInt32BE(i));
      return s;
    }
    default:
      return `#${b.toString('hex')}`; // RFC 4514: non-string values as hex
  }
}

/** Attributes in encoded order (least specific first), values NFC-normalised for display. */
export function readName(buf: Uint8Array, t: Tlv | undefined, what = 'Name'): NameAttribute[] {
  const out: NameAttribute[] = [];
  for (const rdn of children(buf, expectTag(t, 0x30, what))) {
    for (const atv of children(buf, expectTag(rdn, 0x31, `${what} RDN`))) {
      const [type, value] = children(buf, expectTag(atv, 0x30, `${what} attribute`));
      const o = readOid(buf, type, `${what} attribute type`);
      if (!value) throw new AsnError(`${what}: attribute without value`);
      out.push({ oid: o, type: SHORT[o] ?? o, value: decodeString(buf, value).normalize('NFC') });
    }
  }
  return out;
}

const escape = (v: string): string => v.replace(/([,+"\\<>;=])/g, '\\$1').replace(/^([ #])/, '\\$1').replace(/ $/, '\\ ');

/** RFC 4514-style string, most specific attribute first. */
export function formatName(attrs: readonly NameAttribute[]): string {
  return [...attrs].reverse().map((a) => `${a.type}=${escape(a.value)}`).join(', ');
}

/** Loose equality for name chaining when encodings differ (RFC 5280 7.1, simplified: case and spaces). */
export function sameName(a: readonly NameAttribute[], b: readonly NameAttribute[]): boolean {
  const norm = (v: string) => v.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
  return a.length === b.length && a.every((x, i) => x.oid === b[i]!.oid && norm(x.value) === norm(b[i]!.value));
}
