// Detached CMS SignedData, CAdES-BES profile (ETSI EN 319 122-1): the content is hashed as a
// stream, and the key signs only the DER of the signed attributes (contentType, signingTime,
// messageDigest, signing-certificate-v2). Output is DER.
import {
  checkSignature, ecdsaRawToDer, hashAlgorithmId, isDerEcdsaSignature, readSignatureAlgorithm, SIGNATURE_HASH, signatureAlgorithmId,
} from './algorithms';
import { parseCertificate, parseCertificates, publicKeyOf, type CertificateInfo, type CertInput } from './certificates';
import { digestContent, discardContent, type ContentSource } from './content';
import { concat, contextConstructed, integer, octetString, oid, readRoot, seq, set, setOf, time, tlv } from './der';
import { CryptoError } from './errors';
import { signingCertificateV2 } from './ess';
import type { PrivateKeyOps, SignatureAlg } from './keyOps';
import { OID } from './oids';

export interface SignOptions {
  key: PrivateKeyOps;
  /** Default: RSASSA-PKCS1-v1_5-SHA256 for RSA keys, ECDSA-SHA256 for EC keys (P-256 and P-384). */
  algorithm?: SignatureAlg;
  /** Intermediate CA certificates to include, so verifiers can build the chain. */
  chain?: readonly CertInput[];
  /** The claimed signing time (default: now). */
  signingTime?: Date;
  /**
   * Whether the signed attributes carry signingTime (default true). PAdES baseline signatures must
   * not: the claimed time is the signature dictionary's /M there (ETSI EN 319 142-1, 5.4).
   */
  signingTimeAttribute?: boolean;
}

const attribute = (type: string, value: Uint8Array): Uint8Array => seq(oid(type), set(value));

export function defaultSignatureAlg(cert: CertificateInfo): SignatureAlg {
  const pk = cert.publicKey;
  if (pk.algorithm === 'RSA') return 'RSASSA-PKCS1-v1_5-SHA256';
  if (pk.algorithm === 'RSA-PSS') return 'RSA-PSS-SHA256';
  if (pk.algorithm === 'EC') return 'ECDSA-SHA256';
  throw new CryptoError('UNSUPPORTED_ALGORITHM', `cannot sign with a ${pk.oid} key`, 'Loại khóa của chứng thư không được hỗ trợ để ký số.');
}

function checkAlgFitsKey(alg: SignatureAlg, cert: CertificateInfo): void {
  const pk = cert.publicKey.algorithm;
  const ok = alg.startsWith('ECDSA') ? pk === 'EC' : alg === 'RSA-PSS-SHA256' ? pk === 'RSA' || pk === 'RSA-PSS' : pk === 'RSA';
  if (!ok) throw new CryptoError('UNSUPPORTED_ALGORITHM', `${alg} cannot be used with the certificate's ${pk} key`, 'Thuật toán ký không phù hợp với khóa của chứng thư.');
}

/** Encodes the signed attributes as a DER SET OF (sorted), the exact bytes the key signs. */
export function buildSignedAttributes(cert: CertificateInfo, digest: Uint8Array, signingTime: Date | null): Uint8Array {
  return setOf([
    attribute(OID.contentType, oid(OID.data)),
    ...(signingTime ? [attribute(OID.signingTime, time(signingTime))] : []),
    attribute(OID.messageDigest, octetString(digest)),
    attribute(OID.signingCertificateV2, signingCertificateV2(cert)),
  ]);
}

/** Signs `content` and returns the DER of a detached ContentInfo(SignedData). */
export async function signDetached(content: ContentSource, opts: SignOptions): Promise<Uint8Array> {
  let cert: CertificateInfo;
  let alg: SignatureAlg;
  let extra: CertificateInfo[];
  try {
    cert = parseCertificate(opts.key.certificate);
    alg = opts.algorithm ?? defaultSignatureAlg(cert);
    checkAlgFitsKey(alg, cert);
    extra = parseCertificates(opts.chain ?? []);
  } catch (e) {
    discardContent(content);
    throw e;
  }
  const hash = SIGNATURE_HASH[alg];

  const digest = (await digestContent(content, [hash])).get(hash)!;
  const signedAttrs = buildSignedAttributes(cert, digest, opts.signingTimeAttribute === false ? null : (opts.signingTime ?? new Date()));

  let signature = await opts.key.sign(alg, signedAttrs);
  // Tolerate a key that hands back CKM_ECDSA's raw r||s despite the interface saying DER.
  if (alg.startsWith('ECDSA') && !isDerEcdsaSignature(signature)) signature = ecdsaRawToDer(signature);
  // Check before publishing: a wrong key/certificate pairing on the token, or a faulty RSA-CRT
  // computation, must not produce a signature file that nobody can verify (or that leaks the key).
  const algId = signatureAlgorithmId(alg);
  const problem = checkSignature(publicKeyOf(cert), readSignatureAlgorithm(algId, readRoot(algId)), signedAttrs, signature);
  if (problem) throw new CryptoError('SIGNING_FAILED', `the key's signature does not verify with its certificate: ${problem}`, 'Chữ ký do thiết bị tạo ra không khớp với chứng thư số. Hãy kiểm tra thiết bị ký số.');

  const signerInfo = seq(
    integer(1), // version 1: sid is issuerAndSerialNumber
    seq(cert.raw.issuer, tlv(0x02, cert.raw.serial[0]! & 0x80 ? concat([Uint8Array.of(0), cert.raw.serial]) : cert.raw.serial)),
    hashAlgorithmId(hash),
    // [0] IMPLICIT SignedAttributes: same content octets as the signed SET, different tag.
    concat([Uint8Array.of(0xa0), signedAttrs.subarray(1)]),
    algId,
    octetString(signature),
  );
  const seen = new Set<string>();
  const certs = [cert, ...extra].filter((c) => !seen.has(c.fingerprintSha256) && seen.add(c.fingerprintSha256)).map((c) => c.der);
  const signedData = seq(
    integer(1), // version 1: only id-data content and v1 SignerInfos, no attribute certificates
    set(hashAlgorithmId(hash)),
    seq(oid(OID.data)), // detached: no eContent
    contextConstructed(0, concat(certs)),
    set(signerInfo),
  );
  return seq(oid(OID.signedData), contextConstructed(0, signedData));
}
