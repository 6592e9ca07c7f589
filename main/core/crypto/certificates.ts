// X.509 certificates: parse what the UI shows and the checks need, and build/verify a chain to
// the trust anchors the organisation installed. No revocation here (air-gapped: CRLs would be
// imported separately); no policy processing (like OpenSSL without -policy).
import { createHash, type KeyObject } from 'node:crypto';
import { formatDateTimeVn } from '../../../common/dates';
import { checkSignature, publicKeyFromSpki, readSignatureAlgorithm, describeSignatureAlg, readAlgorithmId } from './algorithms';
import {
  children, content, equalBytes, expectTag, raw, readBitString, readBoolean, readOctets, readOid, readRoot, readSmallInt, readTime,
  readUnsignedIntBytes, toHex, type Tlv,
} from './der';
import { AsnError, asMalformed, CryptoError, UnsupportedAlgorithm } from './errors';
import { formatName, readName, sameName, type NameAttribute } from './names';
import { EKU_NAMES, OID } from './oids';

export const KEY_USAGE_BITS = [
  'digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly',
] as const;
export type KeyUsage = (typeof KEY_USAGE_BITS)[number];

export type PublicKeyInfo =
  | { algorithm: 'RSA'; bits: number }
  | { algorithm: 'RSA-PSS'; bits: number }
  | { algorithm: 'EC'; curve: string }
  | { algorithm: 'other'; oid: string };

export interface CertificateInfo {
  der: Uint8Array;
  version: number;
  subject: string;
  issuer: string;
  subjectAttributes: NameAttribute[];
  issuerAttributes: NameAttribute[];
  /** CN of the subject, or the whole subject string when it has none. */
  commonName: string;
  /** Upper-case hex, no leading zero octets (as `openssl x509 -serial` and Node print it). */
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  /** null when the extension is absent (no restriction). */
  keyUsage: KeyUsage[] | null;
  /** EKU names (or dotted OIDs); null when absent. */
  extKeyUsage: string[] | null;
  basicConstraints: { ca: boolean; pathLen?: number } | null;
  publicKey: PublicKeyInfo;
  signatureAlgorithm: string;
  /** SHA-256 of the DER, upper-case hex with colons (as Windows and Node show it). */
  fingerprintSha256: string;
  subjectKeyId?: string;
  authorityKeyId?: string;
  /** OIDs of critical extensions, checked against what chain validation understands. */
  criticalExtensions: string[];
  selfIssued: boolean;
  /** Exact encodings, for matching (issuerAndSerialNumber) and signature checks. */
  raw: { tbs: Uint8Array; issuer: Uint8Array; subject: Uint8Array; serial: Uint8Array; spki: Uint8Array; signatureAlgorithm: Uint8Array; tbsSignatureAlgorithm: Uint8Array; signature: Uint8Array };
}

/** A certificate given as DER bytes, PEM text (or bytes), or already parsed. */
export type CertInput = Uint8Array | string | CertificateInfo;

const PEM_RE = /-----BEGIN (?:X509 |TRUSTED )?CERTIFICATE-----([\s\S]*?)-----END (?:X509 |TRUSTED )?CERTIFICATE-----/g;

function isPem(b: Uint8Array): boolean {
  // A DER certificate starts with 0x30; PEM text with "-----" or whitespace/comments.
  return b.length > 0 && b[0] !== 0x30;
}

/** Splits PEM text (any number of CERTIFICATE blocks) into DER blobs. */
export function pemToDer(pem: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const m of pem.matchAll(PEM_RE)) out.push(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'));
  return out;
}

export function derToPem(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

const isInfo = (c: CertInput): c is CertificateInfo => typeof c === 'object' && !(c instanceof Uint8Array);

/** Parses every certificate in the inputs (a PEM input may hold several). */
export function parseCertificates(inputs: readonly CertInput[]): CertificateInfo[] {
  const out: CertificateInfo[] = [];
  for (const input of inputs) {
    if (isInfo(input)) out.push(input);
    else if (typeof input === 'string' || isPem(input)) {
      const text = typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
      const ders = pemToDer(text);
      if (ders.length === 0) throw new CryptoError('MALFORMED_CERTIFICATE', 'no PEM CERTIFICATE block found', 'Không tìm thấy chứng thư số trong tệp PEM.');
      for (const d of ders) out.push(parseCertificate(d));
    } else out.push(parseCertificate(input));
  }
  return out;
}

/** Parses one certificate (DER, or PEM holding exactly one). Throws MALFORMED_CERTIFICATE. */
export function parseCertificate(input: CertInput): CertificateInfo {
  if (isInfo(input)) return input;
  if (typeof input === 'string' || isPem(input)) {
    const all = parseCertificates([input]);
    if (all.length !== 1) throw new CryptoError('MALFORMED_CERTIFICATE', `expected one certificate, found ${all.length}`, 'Tệp phải chứa đúng một chứng thư số.');
    return all[0]!;
  }
  try {
    return parseDer(Uint8Array.from(input));
  } catch (e) {
    throw asMalformed('certificate', e);
  }
}

function parseDer(der: Uint8Array): CertificateInfo {
  const root = expectTag(readRoot(der), 0x30, 'Certificate');
  const [tbsT, sigAlgT, sigT, ...extra] = children(der, root);
  if (extra.length) throw new AsnError('Certificate: too many fields');
  const tbsParts = children(der, expectTag(tbsT, 0x30, 'TBSCertificate'));
  let i = 0;
  let version = 1;
  if (tbsParts[0]?.tag === 0xa0) version = readSmallInt(der, children(der, tbsParts[i++]!)[0], 'version') + 1;
  const serialT = tbsParts[i++];
  const serial = readUnsignedIntBytes(der, serialT, 'serialNumber');
  const tbsSigT = expectTag(tbsParts[i++], 0x30, 'signature');
  const issuerT = expectTag(tbsParts[i++], 0x30, 'issuer');
  const [nbT, naT] = children(der, expectTag(tbsParts[i++], 0x30, 'validity'));
  const subjectT = expectTag(tbsParts[i++], 0x30, 'subject');
  const spkiT = expectTag(tbsParts[i++], 0x30, 'subjectPublicKeyInfo');
  let extsT: Tlv | undefined;
  for (; i < tbsParts.length; i++) if (tbsParts[i]!.tag === 0xa3) extsT = tbsParts[i];

  const issuerAttributes = readName(der, issuerT, 'issuer');
  const subjectAttributes = readName(der, subjectT, 'subject');
  const subject = formatName(subjectAttributes);

  const info: CertificateInfo = {
    der,
    version,
    subject,
    issuer: formatName(issuerAttributes),
    subjectAttributes,
    issuerAttributes,
    commonName: subjectAttributes.filter((a) => a.type === 'CN').pop()?.value ?? subject,
    serialNumber: toHex(serial).toUpperCase(),
    notBefore: readTime(der, nbT, 'notBefore'),
    notAfter: readTime(der, naT, 'notAfter'),
    keyUsage: null,
    extKeyUsage: null,
    basicConstraints: null,
    publicKey: readPublicKeyInfo(der, spkiT),
    signatureAlgorithm: signatureAlgorithmName(der, sigAlgT),
    fingerprintSha256: createHash('sha256').update(der).digest('hex').toUpperCase().replace(/(..)(?!$)/g, '$1:'),
    criticalExtensions: [],
    selfIssued: equalBytes(raw(der, issuerT), raw(der, subjectT)),
    raw: {
      tbs: raw(der, tbsT!),
      issuer: raw(der, issuerT),
      subject: raw(der, subjectT),
      serial,
      spki: raw(der, spkiT),
      signatureAlgorithm: raw(der, expectTag(sigAlgT, 0x30, 'signatureAlgorithm')),
      tbsSignatureAlgorithm: raw(der, tbsSigT),
      signature: readBitString(der, sigT, 'signatureValue').bytes,
    },
  };
  if (extsT) readExtensions(der, extsT, info);
  return info;
}

function signatureAlgorithmName(der: Uint8Array, t: Tlv | undefined): string {
  try {
    return describeSignatureAlg(readSignatureAlgorithm(der, t));
  } catch (e) {
    if (e instanceof UnsupportedAlgorithm) return readAlgorithmId(der, t).oid;
    throw e;
  }
}

const CURVES: Record<string, string> = { [OID.secp256r1]: 'P-256', [OID.secp384r1]: 'P-384', [OID.secp521r1]: 'P-521' };

function readPublicKeyInfo(der: Uint8Array, spkiT: Tlv): PublicKeyInfo {
  const [algT] = children(der, spkiT);
  const alg = readAlgorithmId(der, algT, 'subjectPublicKeyInfo.algorithm');
  if (alg.oid === OID.ecPublicKey) {
    const curveOid = alg.params?.tag === 0x06 ? readOid(der, alg.params) : '';
    return { algorithm: 'EC', curve: CURVES[curveOid] ?? (curveOid || 'explicit parameters') };
  }
  if (alg.oid === OID.rsaEncryption || alg.oid === OID.rsassaPss) {
    let bits = 0;
    try {
      bits = publicKeyFromSpki(raw(der, spkiT)).asymmetricKeyDetails?.modulusLength ?? 0;
    } catch {
      throw new AsnError('RSA public key does not parse');
    }
    return { algorithm: alg.oid === OID.rsaEncryption ? 'RSA' : 'RSA-PSS', bits };
  }
  return { algorithm: 'other', oid: alg.oid };
}

function readExtensions(der: Uint8Array, extsT: Tlv, info: CertificateInfo): void {
  const seen = new Set<string>();
  for (const ext of children(der, expectTag(children(der, extsT)[0], 0x30, 'extensions'))) {
    const parts = children(der, expectTag(ext, 0x30, 'extension'));
    const id = readOid(der, parts[0], 'extnID');
    if (seen.has(id)) throw new AsnError(`duplicate extension ${id}`); // RFC 5280 4.2
    seen.add(id);
    const critical = parts.length === 3 ? readBoolean(der, parts[1], 'critical') : false;
    const value = readOctets(der, parts[parts.length - 1], 'extnValue');
    if (critical) info.criticalExtensions.push(id);
    const v = readRoot(value);
    switch (id) {
      case OID.keyUsage: {
        const { bytes } = readBitString(value, v, 'keyUsage');
        info.keyUsage = KEY_USAGE_BITS.filter((_, bit) => ((bytes[bit >> 3] ?? 0) & (0x80 >> (bit & 7))) !== 0);
        break;
      }
      case OID.extKeyUsage:
        info.extKeyUsage = children(value, expectTag(v, 0x30, 'extKeyUsage')).map((o) => {
          const s = readOid(value, o, 'keyPurposeId');
          return EKU_NAMES[s] ?? s;
        });
        break;
      case OID.basicConstraints: {
        const f = children(value, expectTag(v, 0x30, 'basicConstraints'));
        let k = 0;
        const ca = f[0]?.tag === 0x01 ? readBoolean(value, f[k++], 'cA') : false;
        info.basicConstraints = f[k] ? { ca, pathLen: readSmallInt(value, f[k], 'pathLenConstraint') } : { ca };
        break;
      }
      case OID.subjectKeyIdentifier:
        info.subjectKeyId = toHex(readOctets(value, v, 'subjectKeyIdentifier'));
        break;
      case OID.authorityKeyIdentifier: {
        const keyId = children(value, expectTag(v, 0x30, 'authorityKeyIdentifier')).find((c) => c.tag === 0x80);
        if (keyId) info.authorityKeyId = toHex(content(value, keyId));
        break;
      }
      default:
        break;
    }
  }
}

// ---------- validation ----------

const keyCache = new WeakMap<CertificateInfo, KeyObject>();

export function publicKeyOf(cert: CertificateInfo): KeyObject {
  let k = keyCache.get(cert);
  if (!k) {
    k = publicKeyFromSpki(cert.raw.spki);
    keyCache.set(cert, k);
  }
  return k;
}

export const isValidAt = (cert: CertificateInfo, at: Date): boolean =>
  at.getTime() >= cert.notBefore.getTime() && at.getTime() <= cert.notAfter.getTime();

/** Null when `issuer`'s key verifies `cert`'s signature; otherwise why not. */
export function checkIssuedBy(cert: CertificateInfo, issuer: CertificateInfo): string | null {
  if (!equalBytes(cert.raw.signatureAlgorithm, cert.raw.tbsSignatureAlgorithm)) return 'signatureAlgorithm differs from the signature field inside the certificate';
  try {
    const alg = readSignatureAlgorithm(cert.raw.signatureAlgorithm, readRoot(cert.raw.signatureAlgorithm));
    return checkSignature(publicKeyOf(issuer), alg, cert.raw.tbs, cert.raw.signature);
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** Critical extensions chain validation understands (policies: accepted as-is, as without -policy). */
const UNDERSTOOD_CRITICAL = new Set<string>([OID.basicConstraints, OID.keyUsage, OID.extKeyUsage, OID.subjectAltName, OID.certificatePolicies, OID.subjectKeyIdentifier, OID.authorityKeyIdentifier, OID.crlDistributionPoints]);

export interface ChainOptions {
  trustAnchors: readonly CertInput[];
  /** Candidate intermediate CA certificates (e.g. those carried in the CMS). */
  intermediates?: readonly CertInput[];
  /** Time at which every certificate in the path must be valid. */
  at: Date;
  maxDepth?: number;
}

export interface ChainResult {
  ok: boolean;
  /** English, for logs and the detailed view. */
  reason: string;
  reasonVi: string;
  /** Leaf first, trust anchor last (the path found, or the longest one tried). */
  path: CertificateInfo[];
}

type Attempt = { ok: true; path: CertificateInfo[] } | { ok: false; path: CertificateInfo[]; reason: string; reasonVi: string };


/** Checks on a single certificate that do not depend on its position in the path. */
function ownChecks(c: CertificateInfo, at: Date): { reason: string; reasonVi: string } | null {
  if (!isValidAt(c, at)) {
    return {
      reason: `certificate "${c.subject}" is not valid at ${at.toISOString()} (valid ${c.notBefore.toISOString()} to ${c.notAfter.toISOString()})`,
      reasonVi: `Chứng thư "${c.commonName}" không có hiệu lực tại thời điểm kiểm tra (hiệu lực từ ${formatDateTimeVn(c.notBefore)} đến ${formatDateTimeVn(c.notAfter)}).`,
    };
  }
  const unknown = c.criticalExtensions.filter((o) => !UNDERSTOOD_CRITICAL.has(o));
  if (unknown.length) {
    return {
      reason: `certificate "${c.subject}" has unsupported critical extension(s) ${unknown.join(', ')}`,
      reasonVi: `Chứng thư "${c.commonName}" có phần mở rộng bắt buộc không được hỗ trợ.`,
    };
  }
  return null;
}

/** What makes `c` fit to issue certificates, `below` non-self-issued intermediates under it. */
function issuerChecks(c: CertificateInfo, isAnchor: boolean, below: number): { reason: string; reasonVi: string } | null {
  const notCa = { reason: `"${c.subject}" is not a CA certificate (basicConstraints cA is not set)`, reasonVi: `Chứng thư "${c.commonName}" không phải chứng thư của tổ chức cấp chứng thư (CA).` };
  // A v1 trust anchor has no extensions at all; accept it, as OpenSSL does for installed roots.
  if (c.basicConstraints === null && !(isAnchor && c.version < 3)) return notCa;
  if (c.basicConstraints && !c.basicConstraints.ca) return notCa;
  if (c.keyUsage !== null && !c.keyUsage.includes('keyCertSign')) {
    return { reason: `"${c.subject}" lacks keyUsage keyCertSign`, reasonVi: `Chứng thư "${c.commonName}" không được phép ký chứng thư khác (thiếu keyCertSign).` };
  }
  const pathLen = c.basicConstraints?.pathLen;
  if (pathLen !== undefined && below > pathLen) {
    return { reason: `"${c.subject}" allows ${pathLen} intermediate CA(s) below it, the path has ${below}`, reasonVi: `Chuỗi chứng thư dài hơn mức CA "${c.commonName}" cho phép.` };
  }
  return null;
}

/**
 * Builds a path from `leaf` to one of the trust anchors and validates it at `opts.at`:
 * each signature, each validity period, CA flag and keyCertSign of every issuer, pathLen,
 * unknown critical extensions. Tries every candidate issuer (cross-certificates, renewed CAs).
 */
export function verifyChain(leafInput: CertInput, opts: ChainOptions): ChainResult {
  const leaf = parseCertificate(leafInput);
  const anchors = parseCertificates(opts.trustAnchors);
  const pool = parseCertificates(opts.intermediates ?? []);
  const maxDepth = opts.maxDepth ?? 8;
  const anchorPrints = new Set(anchors.map((a) => a.fingerprintSha256));
  const candidatesFor = (c: CertificateInfo) => {
    const seen = new Set<string>();
    return [...anchors, ...pool].filter((x) => {
      if (seen.has(x.fingerprintSha256)) return false;
      seen.add(x.fingerprintSha256);
      const nameOk = equalBytes(x.raw.subject, c.raw.issuer) || sameName(x.subjectAttributes, c.issuerAttributes);
      const keyIdOk = !c.authorityKeyId || !x.subjectKeyId || c.authorityKeyId === x.subjectKeyId;
      return nameOk && keyIdOk;
    });
  };

  const leafProblem = ownChecks(leaf, opts.at);
  if (leafProblem) return { ok: false, path: [leaf], ...leafProblem };
  if (anchorPrints.has(leaf.fingerprintSha256)) return { ok: true, path: [leaf], reason: 'the certificate is itself a trust anchor', reasonVi: 'Chứng thư là chứng thư gốc tin cậy.' };

  let best: Attempt | null = null;
  const fail = (a: Attempt & { ok: false }) => {
    if (!best || a.path.length >= best.path.length) best = a;
  };

  const extend = (path: CertificateInfo[], intermediates: number): Attempt | null => {
    const cur = path[path.length - 1]!;
    const cands = candidatesFor(cur).filter((c) => !path.some((p) => p.fingerprintSha256 === c.fingerprintSha256));
    if (cands.length === 0) {
      fail({
        ok: false,
        path,
        reason: cur.selfIssued ? `"${cur.subject}" is self-signed and not a trust anchor` : `no trusted issuer found for "${cur.issuer}"`,
        reasonVi: cur.selfIssued ? `Chứng thư "${cur.commonName}" tự ký và không phải chứng thư gốc tin cậy.` : `Không tìm thấy chứng thư gốc tin cậy của tổ chức cấp "${cur.issuer}".`,
      });
      return null;
    }
    for (const cand of cands) {
      const isAnchor = anchorPrints.has(cand.fingerprintSha256);
      const next = [...path, cand];
      const sig = checkIssuedBy(cur, cand);
      if (sig) {
        fail({ ok: false, path: next, reason: `signature on "${cur.subject}" by "${cand.subject}": ${sig}`, reasonVi: `Chữ ký của tổ chức cấp trên chứng thư "${cur.commonName}" không hợp lệ.` });
        continue;
      }
      const problem = issuerChecks(cand, isAnchor, intermediates) ?? ownChecks(cand, opts.at);
      if (problem) {
        fail({ ok: false, path: next, ...problem });
        continue;
      }
      if (isAnchor) return { ok: true, path: next };
      if (next.length > maxDepth) {
        fail({ ok: false, path: next, reason: 'certificate path too long', reasonVi: 'Chuỗi chứng thư quá dài.' });
        continue;
      }
      const r = extend(next, intermediates + (cand.selfIssued ? 0 : 1));
      if (r) return r;
    }
    return null;
  };

  const found = extend([leaf], 0);
  if (found && found.ok) return { ok: true, path: found.path, reason: `chain to trust anchor "${found.path[found.path.length - 1]!.subject}" verified`, reasonVi: 'Chuỗi chứng thư hợp lệ tới chứng thư gốc tin cậy.' };
  const b = best as Attempt | null;
  if (b && !b.ok) return { ok: false, path: b.path, reason: b.reason, reasonVi: b.reasonVi };
  return { ok: false, path: [leaf], reason: 'no path to a trust anchor', reasonVi: 'Không xây dựng được chuỗi chứng thư tới chứng thư gốc tin cậy.' };
}
