// Verifies a detached CMS signature (CAdES-BES, or CAdES-T with an RFC 3161 timestamp) over streamed
// content and explains the outcome: named checks, each with an English reason and a Vietnamese one,
// and a Vietnamese summary. Malformed input throws CryptoError MALFORMED_SIGNATURE; a well-formed but
// bad signature is a result with valid=false, never an exception.
//
// At what time a signature is judged: the signer's own signingTime is a claim anyone can write, so
// the certificate (and its chain) must be valid at the time of verification, unless a trusted
// timestamp (timestamp.ts) proves the signature existed earlier; then at that time. Revocation is
// checked against the CRLs given (those IT installed), at the time of verification; a certificate
// revoked after a timestamped signature was made does not undo it. When no usable CRL covers a
// certificate of the path, the signature can still be valid, but the result says "revocation not
// checked" (revocation.status 'not-checked').
//
// Which certificates may sign documents: not a CA certificate (basicConstraints cA), a key usage
// with digitalSignature or nonRepudiation, and an extended key usage that is absent or includes one
// of ACCEPTED_EKU: anyExtendedKeyUsage, emailProtection (what Vietnamese CAs put on personal token
// certificates for signing), documentSigning (RFC 9336, and Microsoft's and Adobe's older OIDs).
// Refused: certificates only for TLS servers or clients, code signing, timestamping or OCSP.
import { checkSignature, readSignatureAlgorithm } from './algorithms';
import { isValidAt, parseCertificate, parseCertificates, publicKeyOf, verifyChain, type CertificateInfo, type CertInput } from './certificates';
import { checkPathRevocation, parseCrls, type CrlInfo, type CrlInput } from './crl';
import { digestContent, discardContent, type ContentSource } from './content';
import { equalBytes, raw, readOctets, readOid, readTime } from './der';
import { asMalformed, CryptoError, UnsupportedAlgorithm } from './errors';
import { checkSigningCertificate } from './ess';
import type { HashAlg } from './keyOps';
import { OID } from './oids';
import { parseSignedData, singleValue, type ParsedSignerInfo } from './signedData';
import { verifyTimestampToken, type TimestampCheck } from './timestamp';

export interface CheckResult {
  ok: boolean;
  /** English, for logs and the details view. */
  reason: string;
  reasonVi: string;
}

/** good: a current CRL of the issuer does not list it; not-checked: no usable CRL covers it. */
export type RevocationState = 'good' | 'revoked' | 'not-checked';

/** Extended key usages (as EKU_NAMES names them) that allow signing documents. */
export const ACCEPTED_EKU: ReadonlySet<string> = new Set([
  'anyExtendedKeyUsage', 'emailProtection', 'documentSigning(RFC9336)', 'documentSigning', 'adobeAuthenticDocumentsTrust',
]);

export interface SignerVerification {
  valid: boolean;
  /** null when the signer's certificate was neither in the signature nor provided. */
  signer: { subject: string; commonName: string; serial: string; fingerprint: string; issuer: string } | null;
  /** The signingTime attribute: claimed by the signer, never the time the certificate is judged at. */
  signingTime: Date | null;
  /** The time the certificate and its chain were judged at. */
  validatedAt: Date;
  /** 'timestamp' when a trusted timestamp proved that time, else 'verification' (now). */
  validatedAtSource: 'timestamp' | 'verification';
  /** A trusted RFC 3161 timestamp on the signature; null when there is none (or it failed: see checks.timestamp). */
  timestamp: { time: Date; authority: string } | null;
  revocation: { status: RevocationState; revokedAt: Date | null; reason: string; reasonVi: string };
  checks: {
    digest: CheckResult;
    signature: CheckResult;
    essCert: CheckResult;
    /** Ok when there is no timestamp; fails when one is attached but does not check out. */
    timestamp: CheckResult;
    /** The certificate is valid at validatedAt, and the claimed signingTime is plausible. */
    certValid: CheckResult;
    keyUsage: CheckResult;
    /** Not a CA certificate, and its extended key usage allows signing documents. */
    purpose: CheckResult;
    chain: CheckResult;
    /** Fails only when revoked; 'not-checked' is ok here and said in `revocation`. */
    revocation: CheckResult;
  };
  /** Leaf first, trust anchor last, subjects only. */
  chain: string[];
  messageVi: string;
}

export interface VerifyResult extends SignerVerification {
  /** Further SignerInfos, if the signature has more than one; `valid` requires all of them. */
  additionalSigners: SignerVerification[];
}

export interface VerifyOptions {
  /** Root certificates the organisation trusts (DER or PEM). */
  trustAnchors: readonly CertInput[];
  /** Certificates to use besides those in the signature: intermediates, or the signer's own. */
  extraCertificates?: readonly CertInput[];
  /** Certificate revocation lists IT installed (DER, PEM, or parsed). */
  crls?: readonly CrlInput[];
  /** The time of verification (tests; default: now). */
  now?: Date;
  /**
   * The signing time claimed outside the CMS, used when the signed attributes carry none (PAdES:
   * the signature dictionary's /M, since PAdES baseline signatures have no signingTime attribute).
   */
  claimedSigningTime?: Date;
  /** Tolerated clock difference for a signingTime in the future. Default 5 minutes. */
  maxClockSkewMs?: number;
}

const ok = (reason: string, reasonVi = ''): CheckResult => ({ ok: true, reason, reasonVi });
/** Extended key usages in words, for the reason a certificate may not sign documents. */
const EKU_VI: Record<string, string> = {
  serverAuth: 'xác thực máy chủ TLS', clientAuth: 'xác thực người dùng', codeSigning: 'ký mã chương trình', timeStamping: 'cấp dấu thời gian',
  OCSPSigning: 'ký phản hồi OCSP', smartcardLogon: 'đăng nhập bằng thẻ',
};
const bad = (reason: string, reasonVi: string): CheckResult => ({ ok: false, reason, reasonVi });

/** 14:05 ngày 03/02/2026 (giờ Việt Nam, UTC+7, no daylight saving). */
export function formatVnDateTime(d: Date): string {
  const v = new Date(d.getTime() + 7 * 3600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(v.getUTCHours())}:${p(v.getUTCMinutes())} ngày ${p(v.getUTCDate())}/${p(v.getUTCMonth() + 1)}/${v.getUTCFullYear()}`;
}

function findSignerCert(si: ParsedSignerInfo, certs: readonly CertificateInfo[]): CertificateInfo | null {
  const sid = si.sid;
  return certs.find((c) => 'subjectKeyId' in sid ? c.subjectKeyId === sid.subjectKeyId : equalBytes(c.raw.issuer, sid.issuer) && equalBytes(c.raw.serial, sid.serial)) ?? null;
}

/**
 * Verifies `signature` (DER/BER ContentInfo SignedData) over `content` (detached). If `content` is
 * null and the signature carries its content, the embedded content is verified instead.
 */
export async function verifyDetached(signature: Uint8Array, content: ContentSource | null, opts: VerifyOptions): Promise<VerifyResult> {
  let sd: ReturnType<typeof parseSignedData>;
  let embedded: CertificateInfo[];
  let extra: CertificateInfo[];
  let crls: CrlInfo[];
  try {
    sd = parseSignedData(signature);
    try {
      embedded = sd.certificates.map((c) => parseCertificate(c));
    } catch (e) {
      throw asMalformed('signature', e);
    }
    extra = parseCertificates(opts.extraCertificates ?? []);
    crls = parseCrls(opts.crls ?? []);
  } catch (e) {
    discardContent(content);
    throw e;
  }
  const source = content ?? sd.eContent;
  if (source === null) throw new CryptoError('MALFORMED_SIGNATURE', 'detached signature: the signed content must be provided', 'Cần có tệp nội dung đã ký để kiểm tra chữ ký tách rời.');

  const hashes = sd.signers.map((s) => s.digestAlgorithm).filter((h): h is HashAlg => h !== null);
  const digests = await digestContent(source, hashes);
  const results = sd.signers.map((si) => verifySigner(si, sd.eContentType, digests, [...embedded, ...extra], crls, opts));
  const [first, ...others] = results as [SignerVerification, ...SignerVerification[]];
  const allValid = results.every((r) => r.valid);
  return { ...first, valid: allValid, additionalSigners: others };
}

function verifySigner(si: ParsedSignerInfo, eContentType: string, digests: Map<HashAlg, Uint8Array>, certs: CertificateInfo[], crls: CrlInfo[], opts: VerifyOptions): SignerVerification {
  const now = opts.now ?? new Date();
  const buf = si.buf;
  const cert = findSignerCert(si, certs);

  // --- signingTime (read first: several checks depend on it)
  let signingTime: Date | null = null;
  let signingTimeProblem: CheckResult | null = null;
  try {
    const t = singleValue(si.signedAttrs, OID.signingTime);
    if (t) signingTime = readTime(buf, t, 'signingTime');
    else signingTime = opts.claimedSigningTime ?? null;
  } catch (e) {
    signingTimeProblem = bad(`signingTime attribute is malformed (${(e as Error).message})`, 'Thời điểm ký trong tệp chữ ký bị hỏng.');
  }

  // --- digest: messageDigest and contentType bind the signed attributes to this content
  let digest: CheckResult;
  if (!si.signedAttrsDer) digest = bad('no signed attributes (not a CAdES signature)', 'Chữ ký không có thuộc tính ký (không theo chuẩn CAdES).');
  else if (!si.digestAlgorithm) digest = bad(`digest algorithm ${si.digestAlgorithmOid} is not supported`, 'Thuật toán băm của chữ ký không được hỗ trợ.');
  else if (si.digestAlgorithm === 'SHA-1') digest = bad('SHA-1 digests are not accepted', 'Chữ ký dùng thuật toán băm SHA-1 không còn an toàn.');
  else {
    try {
      const md = singleValue(si.signedAttrs, OID.messageDigest);
      const ct = singleValue(si.signedAttrs, OID.contentType);
      if (!md) digest = bad('messageDigest attribute is missing', 'Thiếu giá trị băm của nội dung trong chữ ký.');
      else if (!ct || readOid(buf, ct) !== eContentType) digest = bad('contentType attribute is missing or differs from the signed content type', 'Thuộc tính loại nội dung của chữ ký không hợp lệ.');
      else if (!equalBytes(readOctets(buf, md, 'messageDigest'), digests.get(si.digestAlgorithm)!)) {
        digest = bad(`the ${si.digestAlgorithm} digest of the content does not match messageDigest: the content was changed after signing`, 'Nội dung tệp đã bị thay đổi sau khi ký (giá trị băm không khớp).');
      } else digest = ok(`${si.digestAlgorithm} digest of the content matches messageDigest`, 'Nội dung khớp với chữ ký.');
    } catch (e) {
      digest = bad(`digest attributes are malformed (${(e as Error).message})`, 'Thuộc tính băm trong chữ ký bị hỏng.');
    }
  }

  // --- signature over the signed attributes
  let signature: CheckResult;
  if (!cert) signature = bad('the signer certificate is neither in the signature nor provided', 'Không tìm thấy chứng thư số của người ký.');
  else if (!si.signedAttrsDer) signature = bad('no signed attributes to verify', 'Chữ ký không có thuộc tính ký.');
  else {
    try {
      const alg = readSignatureAlgorithm(buf, si.signatureAlgorithm, si.digestAlgorithm ?? undefined);
      const problem = checkSignature(publicKeyOf(cert), alg, si.signedAttrsDer, si.signature);
      signature = problem ? bad(problem, 'Giá trị chữ ký không đúng với chứng thư của người ký.') : ok(`signature verifies with the signer certificate`, 'Giá trị chữ ký hợp lệ.');
    } catch (e) {
      const why = e instanceof UnsupportedAlgorithm ? e.message : `signature algorithm is malformed (${(e as Error).message})`;
      signature = bad(why, 'Thuật toán chữ ký không được hỗ trợ hoặc bị hỏng.');
    }
  }

  // --- ESS signing-certificate(-v2): the signed attributes name this very certificate
  let essCert: CheckResult;
  if (!cert) essCert = bad('no signer certificate to compare', 'Không tìm thấy chứng thư số của người ký.');
  else {
    try {
      const v2 = singleValue(si.signedAttrs, OID.signingCertificateV2);
      const v1 = v2 ? null : singleValue(si.signedAttrs, OID.signingCertificate);
      if (!v2 && !v1) essCert = bad('no ESS signing-certificate(-v2) attribute (required by CAdES-BES)', 'Chữ ký không gắn với chứng thư của người ký (thiếu thuộc tính ESS).');
      else {
        const r = checkSigningCertificate(buf, (v2 ?? v1)!, v2 !== null, cert);
        essCert = r.ok ? ok(r.reason, 'Chứng thư người ký khớp với thuộc tính ESS.') : bad(r.reason, 'Chứng thư người ký không khớp với chứng thư được ghi trong chữ ký.');
      }
    } catch (e) {
      essCert = bad(`signing-certificate attribute is malformed (${(e as Error).message})`, 'Thuộc tính ESS trong chữ ký bị hỏng.');
    }
  }

  // --- timestamp: the one way to judge the certificate at an earlier time than now
  const skew = opts.maxClockSkewMs ?? 5 * 60_000;
  let timestamp: CheckResult = ok('no signature timestamp: the certificate is judged at the time of verification', 'Chữ ký không có dấu thời gian: chứng thư được kiểm tra tại thời điểm hiện tại.');
  let stamped: TimestampCheck | null = null;
  const tokens = si.unsignedAttrs.find((a) => a.oid === OID.timeStampToken)?.values ?? [];
  if (tokens.length > 0) {
    const tries = tokens.map((t) => verifyTimestampToken(raw(buf, t), si.signature, { trustAnchors: opts.trustAnchors, intermediates: certs, crls, now, maxClockSkewMs: skew }));
    const good = tries.filter((t) => t.ok).sort((a, b) => a.time!.getTime() - b.time!.getTime())[0];
    if (!good) timestamp = bad(tries[0]!.reason, tries[0]!.reasonVi);
    else if (signingTime && signingTime.getTime() > good.time!.getTime() + skew) {
      timestamp = bad(`signingTime ${signingTime.toISOString()} is later than the timestamp ${good.time!.toISOString()}`, 'Thời điểm ký ghi trong chữ ký muộn hơn dấu thời gian.');
    } else {
      stamped = good;
      timestamp = ok(good.reason, `Dấu thời gian đáng tin cậy: ${formatVnDateTime(good.time!)} (${good.authority}).`);
    }
  }
  const at = stamped?.time ?? now;
  const atSource = stamped ? 'timestamp' as const : 'verification' as const;

  // --- certificate validity at that time; the claimed signingTime must be plausible too
  let certValid: CheckResult;
  if (signingTimeProblem) certValid = signingTimeProblem;
  else if (!signingTime) certValid = bad('no signingTime attribute', 'Chữ ký không ghi thời điểm ký.');
  else if (signingTime.getTime() > now.getTime() + skew) certValid = bad(`signingTime ${signingTime.toISOString()} is in the future`, 'Thời điểm ký ghi trong chữ ký nằm ở tương lai.');
  else if (!cert) certValid = bad('no signer certificate', 'Không tìm thấy chứng thư số của người ký.');
  else if (!isValidAt(cert, at)) {
    certValid = stamped
      ? bad(`the signer certificate was not valid at the timestamp ${at.toISOString()} (valid ${cert.notBefore.toISOString()} to ${cert.notAfter.toISOString()})`,
        `Chứng thư của người ký không có hiệu lực tại thời điểm của dấu thời gian (${formatVnDateTime(at)}).`)
      : bad(`the signer certificate is not valid now, ${at.toISOString()} (valid ${cert.notBefore.toISOString()} to ${cert.notAfter.toISOString()}), and no trusted timestamp proves an earlier signing time`,
        at > cert.notAfter
          ? `Chứng thư của người ký đã hết hiệu lực từ ${formatVnDateTime(cert.notAfter)}; chữ ký không có dấu thời gian đáng tin cậy chứng minh đã ký trước thời điểm đó.`
          : `Chứng thư của người ký chưa có hiệu lực (từ ${formatVnDateTime(cert.notBefore)}).`);
  } else if (!isValidAt(cert, signingTime)) {
    certValid = bad(`the claimed signingTime ${signingTime.toISOString()} is outside the certificate's validity`, 'Thời điểm ký ghi trong chữ ký nằm ngoài thời hạn hiệu lực của chứng thư.');
  } else {
    certValid = ok(`the signer certificate is valid at ${at.toISOString()} (${atSource === 'timestamp' ? 'the timestamp' : 'the time of verification'})`,
      stamped ? 'Chứng thư có hiệu lực tại thời điểm của dấu thời gian.' : 'Chứng thư có hiệu lực tại thời điểm kiểm tra.');
  }

  // --- key usage: the key may make signatures
  let keyUsage: CheckResult;
  if (!cert) keyUsage = bad('no signer certificate', 'Không tìm thấy chứng thư số của người ký.');
  else if (cert.keyUsage === null) keyUsage = ok('no keyUsage extension (unrestricted)', 'Chứng thư không giới hạn mục đích sử dụng khóa.');
  else if (cert.keyUsage.includes('digitalSignature') || cert.keyUsage.includes('nonRepudiation')) keyUsage = ok(`keyUsage allows signing (${cert.keyUsage.join(', ')})`, 'Chứng thư được phép dùng để ký số.');
  else keyUsage = bad(`keyUsage (${cert.keyUsage.join(', ')}) has neither digitalSignature nor nonRepudiation`, 'Chứng thư của người ký không được phép dùng để ký số.');

  // --- purpose: a person's (or unit's) signing certificate, not a CA's, a server's or a program's
  let purpose: CheckResult;
  if (!cert) purpose = bad('no signer certificate', 'Không tìm thấy chứng thư số của người ký.');
  else if (cert.basicConstraints?.ca) purpose = bad(`"${cert.subject}" is a CA certificate (basicConstraints cA), not a signer's`, 'Chứng thư dùng để ký là chứng thư của tổ chức cấp chứng thư (CA), không dùng để ký văn bản.');
  else if (cert.extKeyUsage === null) purpose = ok('no extended key usage (unrestricted)', 'Chứng thư không giới hạn mục đích sử dụng mở rộng.');
  else if (cert.extKeyUsage.some((u) => ACCEPTED_EKU.has(u))) purpose = ok(`extended key usage allows signing documents (${cert.extKeyUsage.join(', ')})`, 'Chứng thư được phép dùng để ký văn bản.');
  else {
    purpose = bad(`extended key usage (${cert.extKeyUsage.join(', ')}) does not include document signing`,
      `Chứng thư của người ký chỉ dùng cho mục đích khác (${cert.extKeyUsage.map((u) => EKU_VI[u] ?? u).join(', ')}), không dùng để ký văn bản.`);
  }

  // --- chain to a trust anchor, at the same time
  let chain: CheckResult;
  let chainSubjects: string[] = [];
  let path: CertificateInfo[] = [];
  if (!cert) chain = bad('no signer certificate', 'Không tìm thấy chứng thư số của người ký.');
  else if (opts.trustAnchors.length === 0) chain = bad('no trust anchors are configured', 'Chưa cài đặt chứng thư gốc tin cậy.');
  else {
    const r = verifyChain(cert, { trustAnchors: opts.trustAnchors, intermediates: certs, at });
    chainSubjects = r.path.map((c) => c.subject);
    if (r.ok) path = r.path;
    chain = r.ok ? ok(r.reason, r.reasonVi) : bad(r.reason, r.reasonVi);
  }

  // --- revocation, by the CRLs installed, judged now
  let revocation: SignerVerification['revocation'];
  let revocationCheck: CheckResult;
  if (path.length === 0) {
    revocation = { status: 'not-checked', revokedAt: null, reason: 'no valid certificate path to check', reasonVi: 'Chưa kiểm tra tình trạng thu hồi (chuỗi chứng thư không hợp lệ).' };
    revocationCheck = ok(revocation.reason, revocation.reasonVi);
  } else {
    const r = checkPathRevocation(path, crls, now);
    if (r.status === 'revoked' && r.revokedAt && r.revokedAt.getTime() <= at.getTime()) {
      revocation = { status: 'revoked', revokedAt: r.revokedAt, reason: r.reason, reasonVi: r.reasonVi };
      revocationCheck = bad(r.reason, r.reasonVi);
    } else if (r.status === 'revoked') {
      // Revoked after the timestamped moment of signing: the signature stands.
      revocation = { status: 'good', revokedAt: r.revokedAt ?? null, reason: `${r.reason}; after the timestamp ${at.toISOString()}`, reasonVi: `${r.reasonVi} Chữ ký được đóng dấu thời gian trước thời điểm thu hồi nên vẫn có giá trị.` };
      revocationCheck = ok(revocation.reason, revocation.reasonVi);
    } else {
      revocation = { status: r.status === 'good' ? 'good' : 'not-checked', revokedAt: null, reason: r.status === 'good' ? r.reason : `revocation not checked: ${r.reason}`, reasonVi: r.reasonVi };
      revocationCheck = ok(revocation.reason, revocation.reasonVi);
    }
  }

  const checks = { digest, signature, essCert, timestamp, certValid, keyUsage, purpose, chain, revocation: revocationCheck };
  const valid = Object.values(checks).every((c) => c.ok);
  const who = cert ? cert.commonName : 'không xác định';
  const when = signingTime ? formatVnDateTime(signingTime) : 'không rõ';
  const failures = Object.values(checks).filter((c) => !c.ok).map((c) => c.reasonVi);
  const notes = [
    stamped ? `Dấu thời gian: ${formatVnDateTime(stamped.time!)} (${stamped.authority}).` : '',
    valid && revocation.status === 'not-checked' ? `Chưa kiểm tra được tình trạng thu hồi: ${revocation.reasonVi}` : '',
  ].filter(Boolean);
  const messageVi = valid
    ? [`Chữ ký số hợp lệ. Người ký: ${who}. Thời điểm ký: ${when}.`, ...notes].join(' ')
    : `Chữ ký số KHÔNG hợp lệ. ${[...new Set(failures)].join(' ')} Người ký: ${who}.`;
  return {
    valid,
    signer: cert ? { subject: cert.subject, commonName: cert.commonName, serial: cert.serialNumber, fingerprint: cert.fingerprintSha256, issuer: cert.issuer } : null,
    signingTime,
    validatedAt: at,
    validatedAtSource: atSource,
    timestamp: stamped ? { time: stamped.time!, authority: stamped.authority! } : null,
    revocation,
    checks,
    chain: chainSubjects,
    messageVi,
  };
}
