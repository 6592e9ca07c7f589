// Algorithm identifiers: writing them, reading them, and checking a signature value with Node's
// OpenSSL. One place for hash names, RSA-PSS and RSAES-OAEP parameters, so signing, verifying,
// certificate chains and key transport agree on them.
import { createPublicKey, verify as nodeVerify, constants, type KeyObject } from 'node:crypto';
import {
  children, concat, content, contextConstructed, expectTag, integer, nullValue, oid, readOid, readSmallInt, readTlv, seq, tlv, type Tlv,
} from './der';
import { AsnError, UnsupportedAlgorithm } from './errors';
import type { HashAlg, KeyTransportAlg, SignatureAlg } from './keyOps';
import { OID } from './oids';

export const HASH_OID: Record<HashAlg, string> = { 'SHA-1': OID.sha1, 'SHA-256': OID.sha256, 'SHA-384': OID.sha384, 'SHA-512': OID.sha512 };
export const NODE_HASH: Record<HashAlg, string> = { 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };
export const HASH_LENGTH: Record<HashAlg, number> = { 'SHA-1': 20, 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 };

export function hashFromOid(o: string): HashAlg | null {
  for (const [k, v] of Object.entries(HASH_OID)) if (v === o) return k as HashAlg;
  return null;
}

export const SIGNATURE_HASH: Record<SignatureAlg, HashAlg> = {
  'RSASSA-PKCS1-v1_5-SHA256': 'SHA-256',
  'RSA-PSS-SHA256': 'SHA-256',
  'ECDSA-SHA256': 'SHA-256',
  'ECDSA-SHA384': 'SHA-384',
};

/**
 * Hash AlgorithmIdentifier. `nullParams` writes NULL parameters: RFC 5754 says digestAlgorithm
 * parameters are absent for SHA-2, while inside RSASSA-PSS/RSAES-OAEP params we write NULL as
 * OpenSSL and Windows do (RFC 4055 requires readers to accept both).
 */
export const hashAlgorithmId = (h: HashAlg, nullParams = false): Uint8Array =>
  nullParams ? seq(oid(HASH_OID[h]), nullValue()) : seq(oid(HASH_OID[h]));

const mgf1 = (h: HashAlg): Uint8Array => seq(oid(OID.mgf1), hashAlgorithmId(h, true));

/** RSASSA-PSS-params / RSAES-OAEP-params body for hash h with MGF1-h; SHA-1 fields are DEFAULT, so omitted. */
function hashAndMgf(h: HashAlg): Uint8Array[] {
  if (h === 'SHA-1') return [];
  return [contextConstructed(0, hashAlgorithmId(h, true)), contextConstructed(1, mgf1(h))];
}

export function signatureAlgorithmId(alg: SignatureAlg): Uint8Array {
  switch (alg) {
    case 'RSASSA-PKCS1-v1_5-SHA256':
      return seq(oid(OID.sha256WithRSAEncryption), nullValue());
    case 'RSA-PSS-SHA256':
      // saltLength 32 = hash length, what FIPS 186 and most tokens use; trailerField 1 is DEFAULT.
      return seq(oid(OID.rsassaPss), seq(...hashAndMgf('SHA-256'), contextConstructed(2, integer(32))));
    case 'ECDSA-SHA256':
      return seq(oid(OID.ecdsaWithSHA256)); // RFC 5758: parameters absent
    case 'ECDSA-SHA384':
      return seq(oid(OID.ecdsaWithSHA384));
  }
}

export function oaepAlgorithmId(h: HashAlg): Uint8Array {
  // Parameters are always written, even when all DEFAULT (SHA-1): an empty SEQUENCE, as OpenSSL does.
  return seq(oid(OID.rsaesOaep), seq(...hashAndMgf(h)));
}

export const pkcs1v15KeyTransportId = (): Uint8Array => seq(oid(OID.rsaEncryption), nullValue());

// ---------- reading ----------

export interface AlgorithmIdentifier {
  oid: string;
  /** The parameters element, if present (NULL counts as present). */
  params?: Tlv;
}

export function readAlgorithmId(buf: Uint8Array, t: Tlv | undefined, what = 'AlgorithmIdentifier'): AlgorithmIdentifier {
  const parts = children(buf, expectTag(t, 0x30, what));
  const o = readOid(buf, parts[0], `${what}.algorithm`);
  if (parts.length > 2) throw new AsnError(`${what}: too many fields`);
  return parts[1] ? { oid: o, params: parts[1] } : { oid: o };
}

/** A hash AlgorithmIdentifier; parameters must be absent or NULL. */
export function readHashAlgorithm(buf: Uint8Array, t: Tlv | undefined, what = 'digestAlgorithm'): HashAlg {
  const a = readAlgorithmId(buf, t, what);
  const h = hashFromOid(a.oid);
  if (!h) throw new UnsupportedAlgorithm(`digest algorithm ${a.oid} is not supported`);
  if (a.params && a.params.tag !== 0x05) throw new AsnError(`${what}: unexpected parameters`);
  return h;
}

/** Reads [0] hashAlgorithm and [1] maskGenAlgorithm of PSS/OAEP params, applying the SHA-1 defaults. */
function readHashAndMgf(buf: Uint8Array, fields: Tlv[]): { hash: HashAlg; mgfHash: HashAlg; rest: Tlv[] } {
  let hash: HashAlg = 'SHA-1';
  let mgfHash: HashAlg = 'SHA-1';
  const rest: Tlv[] = [];
  for (const f of fields) {
    if (f.tag === 0xa0) hash = readHashAlgorithm(buf, children(buf, f)[0], 'hashAlgorithm');
    else if (f.tag === 0xa1) {
      const m = readAlgorithmId(buf, children(buf, f)[0], 'maskGenAlgorithm');
      if (m.oid !== OID.mgf1) throw new UnsupportedAlgorithm(`mask generation function ${m.oid} is not supported`);
      mgfHash = readHashAlgorithm(buf, m.params, 'MGF1 hash');
    } else rest.push(f);
  }
  return { hash, mgfHash, rest };
}

/** Reads RSAES-OAEP-params from a key-transport AlgorithmIdentifier (absent params = all defaults). */
export function readKeyTransportAlgorithm(buf: Uint8Array, t: Tlv | undefined): KeyTransportAlg {
  const a = readAlgorithmId(buf, t, 'keyEncryptionAlgorithm');
  if (a.oid === OID.rsaEncryption) return { kind: 'RSAES-PKCS1-v1_5' };
  if (a.oid !== OID.rsaesOaep) throw new UnsupportedAlgorithm(`key transport algorithm ${a.oid} is not supported`);
  if (!a.params || a.params.tag === 0x05) return { kind: 'RSA-OAEP', hash: 'SHA-1', mgfHash: 'SHA-1' };
  const { hash, mgfHash, rest } = readHashAndMgf(buf, children(buf, expectTag(a.params, 0x30, 'RSAES-OAEP-params')));
  for (const f of rest) {
    if (f.tag !== 0xa2) throw new AsnError('RSAES-OAEP-params: unexpected field');
    // pSourceAlgorithm: only the empty label (pSpecifiedEmpty) is supported, like every token we know.
    const p = readAlgorithmId(buf, children(buf, f)[0], 'pSourceAlgorithm');
    const label = p.params ? content(buf, expectTag(p.params, 0x04, 'pSpecified label')) : new Uint8Array();
    if (p.oid !== OID.pSpecified || label.length > 0) throw new UnsupportedAlgorithm('RSA-OAEP with a non-empty label is not supported');
  }
  return { kind: 'RSA-OAEP', hash, mgfHash };
}

export type ParsedSignatureAlg =
  | { kind: 'rsa-pkcs1'; hash: HashAlg }
  | { kind: 'rsa-pss'; hash: HashAlg; saltLength: number }
  | { kind: 'ecdsa'; hash: HashAlg };

const RSA_PKCS1_BY_OID: Record<string, HashAlg> = {
  [OID.sha1WithRSAEncryption]: 'SHA-1',
  [OID.sha256WithRSAEncryption]: 'SHA-256',
  [OID.sha384WithRSAEncryption]: 'SHA-384',
  [OID.sha512WithRSAEncryption]: 'SHA-512',
};
const ECDSA_BY_OID: Record<string, HashAlg> = {
  [OID.ecdsaWithSHA1]: 'SHA-1',
  [OID.ecdsaWithSHA256]: 'SHA-256',
  [OID.ecdsaWithSHA384]: 'SHA-384',
  [OID.ecdsaWithSHA512]: 'SHA-512',
};

/**
 * Reads a signature AlgorithmIdentifier. `digest` is the CMS digestAlgorithm, used when the
 * identifier names only the key type (OpenSSL writes rsaEncryption in SignerInfos; RFC 5652 allows it).
 */
export function readSignatureAlgorithm(buf: Uint8Array, t: Tlv | undefined, digest?: HashAlg): ParsedSignatureAlg {
  const a = readAlgorithmId(buf, t, 'signatureAlgorithm');
  const pk = RSA_PKCS1_BY_OID[a.oid];
  if (pk) return { kind: 'rsa-pkcs1', hash: pk };
  const ec = ECDSA_BY_OID[a.oid];
  if (ec) return { kind: 'ecdsa', hash: ec };
  if (a.oid === OID.rsaEncryption && digest) return { kind: 'rsa-pkcs1', hash: digest };
  if (a.oid === OID.ecPublicKey && digest) return { kind: 'ecdsa', hash: digest };
  if (a.oid === OID.rsassaPss) {
    if (!a.params) throw new AsnError('RSASSA-PSS without parameters');
    const { hash, mgfHash, rest } = readHashAndMgf(buf, children(buf, expectTag(a.params, 0x30, 'RSASSA-PSS-params')));
    let saltLength = 20;
    for (const f of rest) {
      if (f.tag === 0xa2) saltLength = readSmallInt(buf, children(buf, f)[0], 'saltLength');
      else if (f.tag === 0xa3) {
        if (readSmallInt(buf, children(buf, f)[0], 'trailerField') !== 1) throw new UnsupportedAlgorithm('RSASSA-PSS trailerField other than 1');
      } else throw new AsnError('RSASSA-PSS-params: unexpected field');
    }
    // Node (OpenSSL) uses MGF1 with the signature hash; a different MGF hash is legal but rare.
    if (mgfHash !== hash) throw new UnsupportedAlgorithm(`RSASSA-PSS with MGF1-${mgfHash} and ${hash} is not supported`);
    return { kind: 'rsa-pss', hash, saltLength };
  }
  throw new UnsupportedAlgorithm(`signature algorithm ${a.oid} is not supported`);
}

export const describeSignatureAlg = (a: ParsedSignatureAlg): string =>
  a.kind === 'rsa-pkcs1' ? `RSA PKCS#1 v1.5 ${a.hash}` : a.kind === 'rsa-pss' ? `RSA-PSS ${a.hash} salt ${a.saltLength}` : `ECDSA ${a.hash}`;

/**
 * Public keys by their SPKI bytes: the same few certificates (the directory's, the trust anchors) are
 * parsed again for every packet and every signature checked, and OpenSSL's key import costs more than
 * the verification itself. A KeyObject is immutable; the map is bounded (cleared when full).
 */
const spkiKeys = new Map<string, KeyObject>();
const SPKI_KEYS_MAX = 512;

export function publicKeyFromSpki(spki: Uint8Array): KeyObject {
  const id = Buffer.from(spki.buffer, spki.byteOffset, spki.byteLength).toString('base64');
  let key = spkiKeys.get(id);
  if (!key) {
    key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
    if (spkiKeys.size >= SPKI_KEYS_MAX) spkiKeys.clear();
    spkiKeys.set(id, key);
  }
  return key;
}

/**
 * Checks a signature value. Returns a reason string when it fails, null when it verifies.
 * SHA-1 is refused: collisions are practical, and nothing we accept needs it.
 */
export function checkSignature(key: KeyObject, alg: ParsedSignatureAlg, data: Uint8Array, signature: Uint8Array): string | null {
  if (alg.hash === 'SHA-1') return 'SHA-1 signatures are not accepted';
  const type = key.asymmetricKeyType;
  const isRsa = type === 'rsa' || type === 'rsa-pss';
  if ((alg.kind === 'ecdsa') !== (type === 'ec') || (alg.kind !== 'ecdsa' && !isRsa)) {
    return `the ${describeSignatureAlg(alg)} signature does not match the certificate's ${type ?? 'unknown'} key`;
  }
  try {
    const ok = alg.kind === 'rsa-pkcs1'
      ? nodeVerify(NODE_HASH[alg.hash], data, { key, padding: constants.RSA_PKCS1_PADDING }, signature)
      : alg.kind === 'rsa-pss'
        ? nodeVerify(NODE_HASH[alg.hash], data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: alg.saltLength }, signature)
        : nodeVerify(NODE_HASH[alg.hash], data, { key, dsaEncoding: 'der' }, signature);
    return ok ? null : 'the signature value does not verify with the certificate\'s public key';
  } catch (e) {
    return `the signature value could not be checked (${e instanceof Error ? e.message : String(e)})`;
  }
}

// ---------- ECDSA value encodings ----------

function derUnsigned(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  const v = b.subarray(i);
  return tlv(0x02, v[0]! & 0x80 ? concat([Uint8Array.of(0), v]) : v);
}

/** PKCS#11 CKM_ECDSA returns r||s; CMS and X.509 carry SEQUENCE { INTEGER r, INTEGER s }. */
export function ecdsaRawToDer(rawSig: Uint8Array): Uint8Array {
  if (rawSig.length === 0 || rawSig.length % 2 !== 0) throw new AsnError('raw ECDSA signature has odd length');
  const half = rawSig.length / 2;
  return seq(derUnsigned(rawSig.subarray(0, half)), derUnsigned(rawSig.subarray(half)));
}

/** True when `sig` is exactly a DER SEQUENCE of two INTEGERs. */
export function isDerEcdsaSignature(sig: Uint8Array): boolean {
  try {
    const t = readTlv(sig, 0);
    if (t.tag !== 0x30 || t.end !== sig.length || t.indefinite) return false;
    const parts = children(sig, t);
    return parts.length === 2 && parts.every((p) => p.tag === 0x02 && !p.indefinite);
  } catch {
    return false;
  }
}
