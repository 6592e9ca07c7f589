// ESS signing-certificate attributes (RFC 2634, RFC 5035): bind the signer's certificate into the
// signed attributes, so a different certificate with the same key (or the same issuer/serial from
// another CA) cannot be substituted after signing.
import { createHash } from 'node:crypto';
import { NODE_HASH, readHashAlgorithm } from './algorithms';
import type { CertificateInfo } from './certificates';
import { children, concat, equalBytes, expectTag, octetString, raw, readOctets, readUnsignedIntBytes, seq, tlv, type Tlv } from './der';
import { AsnError } from './errors';
import type { HashAlg } from './keyOps';

const issuerSerial = (cert: CertificateInfo): Uint8Array =>
  // GeneralNames { directoryName [4] EXPLICIT Name }, serialNumber
  seq(seq(tlv(0xa4, cert.raw.issuer)), integerFromUnsigned(cert.raw.serial));

function integerFromUnsigned(b: Uint8Array): Uint8Array {
  return tlv(0x02, b[0]! & 0x80 ? concat([Uint8Array.of(0), b]) : b);
}

/** SigningCertificateV2 with one ESSCertIDv2; SHA-256 is the DEFAULT hash, so not written (DER). */
export function signingCertificateV2(cert: CertificateInfo): Uint8Array {
  const hash = createHash('sha256').update(cert.der).digest();
  return seq(seq(seq(octetString(hash), issuerSerial(cert))));
}

export interface EssCheck {
  ok: boolean;
  reason: string;
}

/**
 * Checks the first ESSCertID(v2) of a SigningCertificate(V2) value against `cert`
 * (RFC 5035 5.4: the first entry identifies the signer's certificate).
 */
export function checkSigningCertificate(buf: Uint8Array, value: Tlv, v2: boolean, cert: CertificateInfo): EssCheck {
  const certs = children(buf, expectTag(children(buf, expectTag(value, 0x30, 'SigningCertificate'))[0], 0x30, 'certs'));
  const first = certs[0];
  if (!first) throw new AsnError('SigningCertificate without certificates');
  const f = children(buf, expectTag(first, 0x30, 'ESSCertID'));
  let i = 0;
  let hash: HashAlg = v2 ? 'SHA-256' : 'SHA-1';
  if (v2 && f[0]?.tag === 0x30) hash = readHashAlgorithm(buf, f[i++], 'ESSCertIDv2.hashAlgorithm');
  const certHash = readOctets(buf, f[i++], 'certHash');
  const expected = createHash(NODE_HASH[hash]).update(cert.der).digest();
  if (!equalBytes(certHash, expected)) return { ok: false, reason: `the ${hash} hash in signing-certificate${v2 ? '-v2' : ''} does not match the signer certificate` };
  const is = f[i];
  if (is) {
    const [names, serialT] = children(buf, expectTag(is, 0x30, 'IssuerSerial'));
    const serial = readUnsignedIntBytes(buf, serialT, 'IssuerSerial.serialNumber');
    const dirNames = children(buf, expectTag(names, 0x30, 'GeneralNames')).filter((g) => g.tag === 0xa4);
    const issuerMatches = dirNames.some((g) => {
      const inner = children(buf, g)[0];
      return inner !== undefined && equalBytes(raw(buf, inner), cert.raw.issuer);
    });
    if (!equalBytes(serial, cert.raw.serial) || !issuerMatches) return { ok: false, reason: `issuerSerial in signing-certificate${v2 ? '-v2' : ''} does not match the signer certificate` };
  }
  return { ok: true, reason: `signing-certificate${v2 ? '-v2' : ''} (${hash}) matches the signer certificate` };
}
