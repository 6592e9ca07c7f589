// Certificate revocation lists (RFC 5280 section 5) that IT copies onto the air-gapped workstation:
// parsed, their signature checked against the certificate of the CA that issued the certificate in
// question, their freshness judged, and a certificate's serial looked up. Only complete, direct
// CRLs are used: a delta CRL, a partitioned one (issuingDistributionPoint) or one with an unknown
// critical extension does not count as covering its issuer.
import { checkSignature, readSignatureAlgorithm } from './algorithms';
import { publicKeyOf, type CertificateInfo } from './certificates';
import {
  children, content, equalBytes, expectTag, raw, readBitString, readBoolean, readOctets, readOid, readRoot, readSmallInt, readTime,
  readUnsignedIntBytes, toHex, type Tlv,
} from './der';
import { AsnError, CryptoError, asMalformed } from './errors';
import { formatName, readName, sameName, type NameAttribute } from './names';

const OID_CRL_NUMBER = '2.5.29.20';
const OID_REASON_CODE = '2.5.29.21';
const OID_INVALIDITY_DATE = '2.5.29.24';
const OID_DELTA_CRL_INDICATOR = '2.5.29.27';
const OID_ISSUING_DISTRIBUTION_POINT = '2.5.29.28';
const OID_CERTIFICATE_ISSUER = '2.5.29.29';
const OID_AUTHORITY_KEY_ID = '2.5.29.35';

export const REVOCATION_REASONS = [
  'unspecified', 'keyCompromise', 'cACompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation', 'certificateHold', '(7)',
  'removeFromCRL', 'privilegeWithdrawn', 'aACompromise',
] as const;

export interface RevokedEntry {
  revokedAt: Date;
  reason: string | null;
}

export interface CrlInfo {
  der: Uint8Array;
  issuer: string;
  issuerAttributes: NameAttribute[];
  thisUpdate: Date;
  nextUpdate: Date | null;
  crlNumber: string | null;
  authorityKeyId?: string;
  /** Serial (upper-case hex, no leading zeros, as CertificateInfo.serialNumber) -> entry. */
  revoked: Map<string, RevokedEntry>;
  /** Why this CRL cannot be used as a complete list for its issuer; null when it can. */
  unusable: string | null;
  raw: { tbs: Uint8Array; issuer: Uint8Array; signatureAlgorithm: Uint8Array; tbsSignatureAlgorithm: Uint8Array; signature: Uint8Array };
}

export type CrlInput = Uint8Array | string | CrlInfo;

const PEM_CRL = /-----BEGIN X509 CRL-----([\s\S]*?)-----END X509 CRL-----/g;
const isInfo = (c: CrlInput): c is CrlInfo => typeof c === 'object' && !(c instanceof Uint8Array);
/** The serial as CertificateInfo.serialNumber spells it (whole leading zero bytes dropped, a leading zero nibble kept). */
const hexSerial = (b: Uint8Array) => toHex(b).toUpperCase();

/** Parses every CRL in the inputs (DER, or PEM with one or more X509 CRL blocks). Throws MALFORMED_CERTIFICATE. */
export function parseCrls(inputs: readonly CrlInput[]): CrlInfo[] {
  const out: CrlInfo[] = [];
  for (const input of inputs) {
    if (isInfo(input)) {
      out.push(input);
      continue;
    }
    const text = typeof input === 'string' ? input : input[0] === 0x2d ? Buffer.from(input).toString('latin1') : null;
    if (text !== null) {
      const blocks = [...text.matchAll(PEM_CRL)];
      if (blocks.length === 0) throw new CryptoError('MALFORMED_CERTIFICATE', 'no PEM X509 CRL block found', 'Không tìm thấy danh sách thu hồi chứng thư (CRL) trong tệp PEM.');
      for (const m of blocks) out.push(parseCrl(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64')));
    } else out.push(parseCrl(input as Uint8Array));
  }
  return out;
}

export function parseCrl(input: Uint8Array): CrlInfo {
  try {
    return parseDer(Uint8Array.from(input));
  } catch (e) {
    const err = asMalformed('certificate', e);
    throw new CryptoError('MALFORMED_CERTIFICATE', `malformed CRL: ${err.message}`, 'Danh sách thu hồi chứng thư (CRL) bị hỏng hoặc không đúng định dạng.', { cause: e });
  }
}

function parseDer(der: Uint8Array): CrlInfo {
  const [tbsT, sigAlgT, sigT, ...extra] = children(der, expectTag(readRoot(der), 0x30, 'CertificateList'));
  if (extra.length) throw new AsnError('CertificateList: too many fields');
  const f = children(der, expectTag(tbsT, 0x30, 'TBSCertList'));
  let i = 0;
  if (f[i]?.tag === 0x02) {
    const v = readSmallInt(der, f[i++], 'version');
    if (v !== 1) throw new AsnError(`CRL version ${v + 1}`);
  }
  const tbsSigT = expectTag(f[i++], 0x30, 'signature');
  const issuerT = expectTag(f[i++], 0x30, 'issuer');
  const thisUpdate = readTime(der, f[i++], 'thisUpdate');
  let nextUpdate: Date | null = null;
  if (f[i]?.tag === 0x17 || f[i]?.tag === 0x18) nextUpdate = readTime(der, f[i++], 'nextUpdate');
  const issuerAttributes = readName(der, issuerT, 'issuer');
  const info: CrlInfo = {
    der,
    issuer: formatName(issuerAttributes),
    issuerAttributes,
    thisUpdate,
    nextUpdate,
    crlNumber: null,
    revoked: new Map(),
    unusable: null,
    raw: {
      tbs: raw(der, tbsT!),
      issuer: raw(der, issuerT),
      signatureAlgorithm: raw(der, expectTag(sigAlgT, 0x30, 'signatureAlgorithm')),
      tbsSignatureAlgorithm: raw(der, tbsSigT),
      signature: readBitString(der, sigT, 'signatureValue').bytes,
    },
  };
  if (f[i]?.tag === 0x30) {
    for (const entryT of children(der, f[i++]!)) {
      const [serialT, dateT, extsT] = children(der, expectTag(entryT, 0x30, 'revokedCertificate'));
      const entry: RevokedEntry = { revokedAt: readTime(der, dateT, 'revocationDate'), reason: null };
      if (extsT) {
        for (const ext of extensions(der, expectTag(extsT, 0x30, 'crlEntryExtensions'))) {
          if (ext.id === OID_REASON_CODE) entry.reason = ext.valueT.tag === 0x0a ? (REVOCATION_REASONS[content(ext.value, ext.valueT)[0] ?? 0] ?? null) : null;
          else if (ext.id === OID_INVALIDITY_DATE) { /* informative; the revocation date is what counts */ }
          else if (ext.critical || ext.id === OID_CERTIFICATE_ISSUER) info.unusable ??= `entry extension ${ext.id} (indirect CRL) is not supported`;
        }
      }
      info.revoked.set(hexSerial(readUnsignedIntBytes(der, serialT, 'userCertificate')), entry);
    }
  }
  if (f[i]?.tag === 0xa0) {
    for (const ext of extensions(der, expectTag(children(der, f[i++]!)[0], 0x30, 'crlExtensions'))) {
      if (ext.id === OID_CRL_NUMBER) info.crlNumber = toHex(readUnsignedIntBytes(ext.value, readRoot(ext.value), 'cRLNumber'));
      else if (ext.id === OID_AUTHORITY_KEY_ID) {
        const keyId = children(ext.value, expectTag(readRoot(ext.value), 0x30, 'authorityKeyIdentifier')).find((c) => c.tag === 0x80);
        if (keyId) info.authorityKeyId = toHex(content(ext.value, keyId));
      } else if (ext.id === OID_DELTA_CRL_INDICATOR) info.unusable ??= 'a delta CRL is not a complete list';
      else if (ext.id === OID_ISSUING_DISTRIBUTION_POINT) info.unusable ??= 'a partitioned CRL (issuingDistributionPoint) is not supported';
      else if (ext.critical) info.unusable ??= `unsupported critical CRL extension ${ext.id}`;
    }
  }
  if (i !== f.length) throw new AsnError('TBSCertList: unexpected trailing fields');
  return info;
}

function extensions(buf: Uint8Array, t: Tlv): Array<{ id: string; critical: boolean; value: Uint8Array; valueT: Tlv }> {
  return children(buf, t).map((ext) => {
    const parts = children(buf, expectTag(ext, 0x30, 'extension'));
    const id = readOid(buf, parts[0], 'extnID');
    const critical = parts.length === 3 ? readBoolean(buf, parts[1], 'critical') : false;
    const value = readOctets(buf, parts[parts.length - 1], 'extnValue');
    return { id, critical, value, valueT: readRoot(value) };
  });
}

export type RevocationStatus = 'good' | 'revoked' | 'unknown';

export interface RevocationResult {
  status: RevocationStatus;
  /** When revoked: the CRL's revocation date. */
  revokedAt?: Date;
  reason: string;
  reasonVi: string;
}

/** dd/mm/yyyy in Vietnam (UTC+7, no daylight saving). */
const vnDay = (d: Date) => {
  const v = new Date(d.getTime() + 7 * 3600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(v.getUTCDate())}/${p(v.getUTCMonth() + 1)}/${v.getUTCFullYear()}`;
};

/** Null when `issuer` signed `crl` (and may sign CRLs); otherwise why not. */
function crlSignatureProblem(crl: CrlInfo, issuer: CertificateInfo): string | null {
  if (issuer.keyUsage !== null && !issuer.keyUsage.includes('cRLSign')) return `the issuer "${issuer.subject}" may not sign CRLs (no cRLSign)`;
  if (!equalBytes(crl.raw.signatureAlgorithm, crl.raw.tbsSignatureAlgorithm)) return 'signatureAlgorithm differs from the signature field inside the CRL';
  try {
    const alg = readSignatureAlgorithm(crl.raw.signatureAlgorithm, readRoot(crl.raw.signatureAlgorithm));
    const problem = checkSignature(publicKeyOf(issuer), alg, crl.raw.tbs, crl.raw.signature);
    return problem ? `the CRL signature does not verify with "${issuer.subject}": ${problem}` : null;
  } catch (e) {
    return `the CRL signature cannot be checked (${(e as Error).message})`;
  }
}

/**
 * Whether `cert` (issued by `issuer`) is on a CRL of that issuer. `now` judges freshness: a CRL
 * whose nextUpdate has passed, or not yet issued, no longer says a certificate is good (a
 * revocation on it still counts: revocations are not withdrawn).
 */
export function checkRevocation(cert: CertificateInfo, issuer: CertificateInfo, crls: readonly CrlInfo[], now: Date): RevocationResult {
  const candidates = crls.filter(
    (c) => (equalBytes(c.raw.issuer, cert.raw.issuer) || sameName(c.issuerAttributes, cert.issuerAttributes))
      && (!c.authorityKeyId || !issuer.subjectKeyId || c.authorityKeyId === issuer.subjectKeyId),
  );
  const problems: string[] = [];
  let stale: CrlInfo | null = null;
  let fresh: CrlInfo | null = null;
  for (const crl of candidates) {
    const bad = crlSignatureProblem(crl, issuer) ?? crl.unusable;
    if (bad) {
      problems.push(bad);
      continue;
    }
    const entry = crl.revoked.get(cert.serialNumber);
    if (entry) {
      return {
        status: 'revoked',
        revokedAt: entry.revokedAt,
        reason: `certificate "${cert.subject}" (serial ${cert.serialNumber}) was revoked on ${entry.revokedAt.toISOString()}${entry.reason ? ` (${entry.reason})` : ''} according to the CRL of "${crl.issuer}" of ${crl.thisUpdate.toISOString()}`,
        reasonVi: `Chứng thư "${cert.commonName}" đã bị thu hồi từ ngày ${vnDay(entry.revokedAt)}${entry.reason === 'keyCompromise' ? ' (lộ khóa bí mật)' : ''}.`,
      };
    }
    const current = crl.thisUpdate.getTime() <= now.getTime() + 5 * 60_000 && (crl.nextUpdate === null || crl.nextUpdate.getTime() >= now.getTime());
    if (current) {
      if (!fresh || crl.thisUpdate > fresh.thisUpdate) fresh = crl;
    } else if (!stale || crl.thisUpdate > stale.thisUpdate) stale = crl;
  }
  if (fresh) {
    return {
      status: 'good',
      reason: `not on the CRL of "${fresh.issuer}" of ${fresh.thisUpdate.toISOString()} (next update ${fresh.nextUpdate?.toISOString() ?? 'not given'})`,
      reasonVi: `Chứng thư "${cert.commonName}" không có trong danh sách thu hồi ngày ${vnDay(fresh.thisUpdate)}.`,
    };
  }
  if (stale) {
    return {
      status: 'unknown',
      reason: `the only CRL of "${stale.issuer}" is out of date (next update was ${stale.nextUpdate?.toISOString() ?? '?'})`,
      reasonVi: `Danh sách thu hồi của "${issuer.commonName}" đã hết hạn (cần cập nhật từ ngày ${stale.nextUpdate ? vnDay(stale.nextUpdate) : '?'}).`,
    };
  }
  return {
    status: 'unknown',
    reason: problems.length ? `no usable CRL of "${issuer.subject}": ${problems.join('; ')}` : `no CRL of "${issuer.subject}" is installed`,
    reasonVi: problems.length
      ? `Danh sách thu hồi của "${issuer.commonName}" không dùng được (chữ ký hoặc định dạng không hợp lệ).`
      : `Máy trạm chưa có danh sách thu hồi (CRL) của "${issuer.commonName}".`,
  };
}

/**
 * Revocation along a validated path (leaf first, trust anchor last; the anchor itself is not
 * checked): revoked if any certificate is, unknown if any is not covered, else good.
 */
export function checkPathRevocation(path: readonly CertificateInfo[], crls: readonly CrlInfo[], now: Date): RevocationResult {
  let unknown: RevocationResult | null = null;
  let good: RevocationResult | null = null;
  for (let i = 0; i + 1 < path.length; i++) {
    const r = checkRevocation(path[i]!, path[i + 1]!, crls, now);
    if (r.status === 'revoked') return r;
    if (r.status === 'unknown') unknown ??= r;
    else good ??= r;
  }
  return unknown ?? good ?? { status: 'good', reason: 'the certificate is itself a trust anchor', reasonVi: 'Chứng thư là chứng thư gốc tin cậy.' };
}

/** Parses CRL files, leaving out (and naming) those that do not parse, so one bad file spoils nothing else. */
export function parseCrlFiles(files: ReadonlyArray<{ path: string; bytes: Uint8Array }>): { crls: CrlInfo[]; problems: string[] } {
  const crls: CrlInfo[] = [];
  const problems: string[] = [];
  for (const f of files) {
    try {
      crls.push(...parseCrls([f.bytes]));
    } catch (e) {
      problems.push(`${f.path}: ${(e as Error).message}`);
    }
  }
  return { crls, problems };
}
