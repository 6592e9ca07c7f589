// Reads a CMS ContentInfo(SignedData) into the parts verification needs, keeping the exact
// encodings (signed attributes are verified over their original bytes, not a re-encoding).
// Any structural problem becomes MALFORMED_SIGNATURE.
import { hashFromOid, readAlgorithmId } from './algorithms';
import { children, content, expectTag, raw, readOctets, readOid, readRoot, readSmallInt, readUnsignedIntBytes, toHex, concat, type Tlv } from './der';
import { AsnError, asMalformed, CryptoError } from './errors';
import type { HashAlg } from './keyOps';
import { OID } from './oids';

export interface ParsedAttribute {
  oid: string;
  values: Tlv[];
}

export interface ParsedSignerInfo {
  /** The buffer all Tlv offsets refer to. */
  buf: Uint8Array;
  sid: { issuer: Uint8Array; serial: Uint8Array } | { subjectKeyId: string };
  /** null when the digest algorithm is one we do not support (reported as a failed check). */
  digestAlgorithm: HashAlg | null;
  digestAlgorithmOid: string;
  signatureAlgorithm: Tlv;
  signature: Uint8Array;
  /** DER of the signed attributes with the SET OF tag: what was signed. null if absent. */
  signedAttrsDer: Uint8Array | null;
  signedAttrs: ParsedAttribute[];
  /** Unsigned attributes (an RFC 3161 signature timestamp lives here); empty when absent. */
  unsignedAttrs: ParsedAttribute[];
  /** The SignerInfo's own encoding within `buf`, and its signature value's (to add attributes). */
  tlv: Tlv;
}

export interface ParsedSignedData {
  eContentType: string;
  /** Embedded content (attached signature), or null when detached. */
  eContent: Uint8Array | null;
  certificates: Uint8Array[];
  signers: ParsedSignerInfo[];
}

function readAttributes(buf: Uint8Array, t: Tlv): ParsedAttribute[] {
  const out: ParsedAttribute[] = [];
  for (const a of children(buf, t)) {
    const [typeT, valuesT, ...rest] = children(buf, expectTag(a, 0x30, 'Attribute'));
    if (rest.length) throw new AsnError('Attribute: too many fields');
    const o = readOid(buf, typeT, 'attrType');
    if (out.some((x) => x.oid === o)) throw new AsnError(`attribute ${o} appears twice`); // RFC 5652 5.3
    const values = children(buf, expectTag(valuesT, 0x31, 'attrValues'));
    if (values.length === 0) throw new AsnError(`attribute ${o} has no value`);
    out.push({ oid: o, values });
  }
  return out;
}

function readSignerInfo(buf: Uint8Array, t: Tlv): ParsedSignerInfo {
  const f = children(buf, expectTag(t, 0x30, 'SignerInfo'));
  let i = 0;
  const version = readSmallInt(buf, f[i++], 'SignerInfo.version');
  const sidT = f[i++];
  let sid: ParsedSignerInfo['sid'];
  if (sidT?.tag === 0x30) {
    const [issuerT, serialT] = children(buf, sidT);
    sid = { issuer: raw(buf, expectTag(issuerT, 0x30, 'issuer')), serial: readUnsignedIntBytes(buf, serialT, 'serialNumber') };
  } else if (sidT?.tag === 0x80) sid = { subjectKeyId: toHex(content(buf, sidT)) };
  else throw new AsnError('SignerInfo.sid: unexpected form');
  if (version !== 1 && version !== 3) throw new AsnError(`SignerInfo version ${version}`);
  const digestAlgorithmOid = readAlgorithmId(buf, f[i++], 'digestAlgorithm').oid;
  let signedAttrsDer: Uint8Array | null = null;
  let signedAttrs: ParsedAttribute[] = [];
  if (f[i]?.tag === 0xa0) {
    const sa = f[i++]!;
    signedAttrs = readAttributes(buf, sa);
    // RFC 5652 5.4: the signature covers the DER with an EXPLICIT SET OF tag, not the [0] tag.
    signedAttrsDer = concat([Uint8Array.of(0x31), raw(buf, sa).subarray(1)]);
  }
  const signatureAlgorithm = expectTag(f[i++], 0x30, 'signatureAlgorithm');
  const signature = readOctets(buf, f[i++], 'signature');
  const unsignedAttrs = f[i]?.tag === 0xa1 ? readAttributes(buf, f[i++]!) : [];
  if (i !== f.length) throw new AsnError('SignerInfo: unexpected trailing fields');
  return { buf, sid, digestAlgorithm: hashFromOid(digestAlgorithmOid), digestAlgorithmOid, signatureAlgorithm, signature, signedAttrsDer, signedAttrs, unsignedAttrs, tlv: t };
}

export function parseSignedData(input: Uint8Array): ParsedSignedData {
  try {
    const buf = Uint8Array.from(input);
    const [typeT, explicitT, ...rest] = children(buf, expectTag(readRoot(buf), 0x30, 'ContentInfo'));
    const type = readOid(buf, typeT, 'contentType');
    if (type !== OID.signedData || rest.length) {
      throw new CryptoError('MALFORMED_SIGNATURE', `not a CMS SignedData (content type ${type})`, 'Tệp không phải là chữ ký số CMS (SignedData).');
    }
    const sd = children(buf, expectTag(children(buf, expectTag(explicitT, 0xa0, 'content'))[0], 0x30, 'SignedData'));
    let i = 0;
    readSmallInt(buf, sd[i++], 'SignedData.version');
    expectTag(sd[i++], 0x31, 'digestAlgorithms');
    const eci = children(buf, expectTag(sd[i++], 0x30, 'encapContentInfo'));
    const eContentType = readOid(buf, eci[0], 'eContentType');
    const eContent = eci[1] ? readEContent(buf, children(buf, expectTag(eci[1], 0xa0, 'eContent'))[0]) : null;
    const certificates: Uint8Array[] = [];
    if (sd[i]?.tag === 0xa0) for (const c of children(buf, sd[i++]!)) if (c.tag === 0x30) certificates.push(raw(buf, c));
    if (sd[i]?.tag === 0xa1) i++; // CRLs: revocation is checked elsewhere
    const signers = children(buf, expectTag(sd[i++], 0x31, 'signerInfos')).map((s) => readSignerInfo(buf, s));
    if (i !== sd.length) throw new AsnError('SignedData: unexpected trailing fields');
    if (signers.length === 0) throw new AsnError('SignedData without SignerInfos');
    return { eContentType, eContent, certificates, signers };
  } catch (e) {
    throw asMalformed('signature', e);
  }
}

/** eContent OCTET STRING, primitive (DER) or constructed (BER, as some timestamp authorities write it). */
function readEContent(buf: Uint8Array, t: Tlv | undefined): Uint8Array {
  if (t?.tag === 0x24) return concat(children(buf, t).map((c) => readEContent(buf, c)));
  return readOctets(buf, t, 'eContent');
}

/** The single value of a single-valued attribute, or null when absent. */
export function singleValue(attrs: readonly ParsedAttribute[], oid: string): Tlv | null {
  const a = attrs.find((x) => x.oid === oid);
  if (!a) return null;
  if (a.values.length !== 1) throw new AsnError(`attribute ${oid} must have exactly one value`);
  return a.values[0]!;
}
