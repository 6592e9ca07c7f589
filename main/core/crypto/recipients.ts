// KeyTransRecipientInfo (RFC 5652 6.2.1) for RSA: writing one per recipient certificate with its
// own RSAES-OAEP parameters, and finding ours among those of a received file.
import { constants, publicEncrypt } from 'node:crypto';
import { NODE_HASH, oaepAlgorithmId, readKeyTransportAlgorithm } from './algorithms';
import { parseCertificate, publicKeyOf, type CertificateInfo, type CertInput } from './certificates';
import { children, concat, content, equalBytes, expectTag, integer, octetString, raw, readOctets, readRoot, readSmallInt, readUnsignedIntBytes, seq, tlv, toHex } from './der';
import { AsnError, CryptoError } from './errors';
import type { HashAlg, KeyTransportAlg } from './keyOps';

export interface RecipientSpec {
  certificate: CertInput;
  /**
   * OAEP hash (MGF1 uses the same). Default SHA-256. SHA-1 for tokens that only do
   * OAEP-SHA1 (SoftHSM 2.6 and some USB tokens); OAEP stays secure with SHA-1.
   */
  oaepHash?: HashAlg;
}

const serialInteger = (b: Uint8Array): Uint8Array => tlv(0x02, b[0]! & 0x80 ? concat([Uint8Array.of(0), b]) : b);

/** Refuses certificates whose key cannot, or may not, transport a key. */
export function checkRecipientCertificate(cert: CertificateInfo): void {
  if (cert.publicKey.algorithm !== 'RSA') {
    throw new CryptoError('UNSUITABLE_CERTIFICATE', `recipient "${cert.subject}" has a ${cert.publicKey.algorithm} key; only RSA key transport is supported`, `Chứng thư của người nhận "${cert.commonName}" không dùng được để mã hóa (chỉ hỗ trợ khóa RSA).`);
  }
  if (cert.keyUsage !== null && !cert.keyUsage.includes('keyEncipherment')) {
    throw new CryptoError('UNSUITABLE_CERTIFICATE', `recipient "${cert.subject}" certificate does not allow keyEncipherment`, `Chứng thư của người nhận "${cert.commonName}" không được phép dùng để mã hóa.`);
  }
}

/** One KeyTransRecipientInfo: version 0, issuerAndSerialNumber, RSAES-OAEP, the wrapped key. */
export function keyTransRecipientInfo(spec: RecipientSpec, cek: Uint8Array): Uint8Array {
  const cert = parseCertificate(spec.certificate);
  checkRecipientCertificate(cert);
  const hash = spec.oaepHash ?? 'SHA-256';
  // Node/OpenSSL use MGF1 with the OAEP hash, which is what we declare.
  const wrapped = publicEncrypt({ key: publicKeyOf(cert), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: NODE_HASH[hash] }, cek);
  return seq(integer(0), seq(cert.raw.issuer, serialInteger(cert.raw.serial)), oaepAlgorithmId(hash), octetString(wrapped));
}

export interface FoundRecipient {
  alg: KeyTransportAlg;
  encryptedKey: Uint8Array;
}

export interface RecipientSummary {
  keyTrans: number;
  other: number;
}

/**
 * Finds the KeyTransRecipientInfo addressed to `cert` (by issuerAndSerialNumber or
 * subjectKeyIdentifier) in the DER of a RecipientInfos SET. Other recipient kinds are skipped.
 */
/** How many recipient entries a RecipientInfos SET holds. */
export function recipientCount(setDer: Uint8Array): number {
  return children(setDer, expectTag(readRoot(setDer), 0x31, 'recipientInfos')).length;
}

export function findRecipient(setDer: Uint8Array, cert: CertificateInfo): { found: FoundRecipient | null; summary: RecipientSummary } {
  const summary: RecipientSummary = { keyTrans: 0, other: 0 };
  const ris = children(setDer, expectTag(readRoot(setDer), 0x31, 'recipientInfos'));
  if (ris.length === 0) throw new AsnError('no recipientInfos');
  for (const ri of ris) {
    if (ri.tag !== 0x30) {
      summary.other++; // kari [1], kekri [2], pwri [3], ori [4]
      continue;
    }
    summary.keyTrans++;
    const [versionT, ridT, algT, keyT] = children(setDer, ri);
    const version = readSmallInt(setDer, versionT, 'KeyTransRecipientInfo.version');
    let matches: boolean;
    if (ridT?.tag === 0x30 && version === 0) {
      const [issuerT, serialT] = children(setDer, ridT);
      matches = equalBytes(raw(setDer, expectTag(issuerT, 0x30, 'issuer')), cert.raw.issuer) && equalBytes(readUnsignedIntBytes(setDer, serialT), cert.raw.serial);
    } else if (ridT?.tag === 0x80 && version === 2) {
      matches = cert.subjectKeyId !== undefined && toHex(content(setDer, ridT)) === cert.subjectKeyId;
    } else throw new AsnError('KeyTransRecipientInfo: bad rid/version');
    if (!matches) continue;
    return { found: { alg: readKeyTransportAlgorithm(setDer, algT), encryptedKey: readOctets(setDer, keyT, 'encryptedKey') }, summary };
  }
  return { found: null, summary };
}
