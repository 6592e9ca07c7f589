// Verifies a detached CMS signature (CAdES-BES) over streamed content and explains the outcome:
// six named checks, each with an English reason and a Vietnamese one, and a Vietnamese summary.
// Malformed input throws CryptoError MALFORMED_SIGNATURE; a well-formed but bad signature is a
// result with valid=false, never an exception.
import { checkSignature, readSignatureAlgorithm } from './algorithms';
import { isValidAt, parseCertificate, parseCertificates, publicKeyOf, verifyChain, type CertificateInfo, type CertInput } from './certificates';
import { digestContent, discardContent, type ContentSource } from './content';
import { equalBytes, readOctets, readOid, readTime } from './der';
import { asMalformed, CryptoError, UnsupportedAlgorithm } from './errors';
import { checkSigningCertificate } from './ess';
import type { HashAlg } from './keyOps';
import { OID } from './oids';
import { parseSignedData, singleValue, type ParsedSignerInfo } from './signedData';

export interface CheckResult {
  ok: boolean;
  /** English, for logs and the details view. */
  reason: string;
  reasonVi: string;
}

export interface SignerVerification {
  valid: boolean;
  /** null when the signer's certificate was neither in the signature nor provided. */
  signer: { subject: string; commonName: string; serial: string; fingerprint: string; issuer: string } | null;
  /** The signingTime attribute (claimed by the signer; no timestamp authority is involved). */
  signingTime: Date | null;
  checks: {
    digest: CheckResult;
    signature: CheckResult;
    essCert: CheckResult;
    certValidAtSigningTime: CheckResult;
    keyUsage: CheckResult;
    chain: CheckResult;
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
  /** "now" for the future-signingTime check (tests). */
  now?: Date;
  /**
   * When the chain must be valid: at the claimed signing time (default: a document signed while
   * the certificate was valid stays valid) or now.
   */
  chainTime?: 'signingTime' | 'now';
  /** Tolerated clock difference for a signingTime in the future. Default 5 minutes. */
  maxClockSkewMs?: number;
}

const ok = (reason: string, reasonVi = ''): CheckResult => ({ ok: true, reason, reasonVi });
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
  try {
    sd = parseSignedData(signature);
    try {
      embedded = sd.certificates.map((c) => parseCertificate(c));
    } catch (e) {
      throw asMalformed('signature', e);
    }
    extra = parseCertificates(opts.extraCertificates ?? []);
  } catch (e) {
    discardContent(content);
    throw e;
  }
  const source = content ?? sd.eContent;
  if (source === null) throw new CryptoError('MALFORMED_SIGNATURE', 'detached signature: the signed content must be provided', 'Cần có tệp nội dung đã ký để kiểm tra chữ ký tách rời.');

  const hashes = sd.signers.map((s) => s.digestAlgorithm).filter((h): h is HashAlg => h !== null);
  const digests = await digestContent(source, hashes);
  const results = sd.signers.map((si) => verifySigner(si, sd.eContentType, digests, [...embedded, ...extra], opts));
  const [first, ...others] = results as [SignerVerification, ...SignerVerification[]];
  const allValid = results.every((r) => r.valid);
  return { ...first, valid: allValid, additionalSigners: others };
}

function verifySigner(si: ParsedSignerInfo, eContentType: string, digests: Map<HashAlg, Uint8Array>, certs: CertificateInfo[], opts: VerifyOptions): SignerVerification {
  const now = opts.now ?? new Date();
  const buf = si.buf;
  const cert = findSignerCert(si, certs);

  // --- signingTime (read first: several checks depend on it)
  let signingTime: Date | null = null;
  let signingTimeProblem: CheckResult | null = null;
  try {
    const t = singleValue(si.signedAttrs, OID.signingTime);
    if (t) signingTime = readTime(buf, t, 'signingTime');
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

  // --- certificate validity at the claimed signing time
  let certValidAtSigningTime: CheckResult;
  const skew = opts.maxClockSkewMs ?? 5 * 60_000;
  if (signingTimeProblem) certValidAtSigningTime = signingTimeProblem;
  else if (!signingTime) certValidAtSigningTime = bad('no signingTime attribute', 'Chữ ký không ghi thời điểm ký.');
  else if (signingTime.getTime() > now.getTime() + skew) certValidAtSigningTime = bad(`signingTime ${signingTime.toISOString()} is in the future`, 'Thời điểm ký ghi trong chữ ký nằm ở tương lai.');
  else if (!cert) certValidAtSigningTime = bad('no signer certificate', 'Không tìm thấy chứng thư số của người ký.');
  else if (!isValidAt(cert, signingTime)) {
    certValidAtSigningTime = bad(
      `the signer certificate was not valid at signingTime ${signingTime.toISOString()} (valid ${cert.notBefore.toISOString()} to ${cert.notAfter.toISOString()})`,
      `Chứng thư của người ký không có hiệu lực tại thời điểm ký (${formatVnDateTime(signingTime)}).`,
    );
  } else certValidAtSigningTime = ok(`the signer certificate was valid at ${signingTime.toISOString()}`, 'Chứng thư có hiệu lực tại thời điểm ký.');

  // --- key usage: the key may make signatures
  let keyUsage: CheckResult;
  if (!cert) keyUsage = bad('no signer certificate', 'Không tìm thấy chứng thư số của người ký.');
  else if (cert.keyUsage === null) keyUsage = ok('no keyUsage extension (unrestricted)', 'Chứng thư không giới hạn mục đích sử dụng khóa.');
  else if (cert.keyUsage.includes('digitalSignature') || cert.keyUsage.includes('nonRepudiation')) keyUsage = ok(`keyUsage allows signing (${cert.keyUsage.join(', ')})`, 'Chứng thư được phép dùng để ký số.');
  else keyUsage = bad(`keyUsage (${cert.keyUsage.join(', ')}) has neither digitalSignature nor nonRepudiation`, 'Chứng thư của người ký không được phép dùng để ký số.');

  // --- chain to a trust anchor
  let chain: CheckResult;
  let chainSubjects: string[] = [];
  if (!cert) chain = bad('no signer certificate', 'Không tìm thấy chứng thư số của người ký.');
  else if (opts.trustAnchors.length === 0) chain = bad('no trust anchors are configured', 'Chưa cài đặt chứng thư gốc tin cậy.');
  else {
    const at = (opts.chainTime ?? 'signingTime') === 'signingTime' && signingTime && !signingTimeProblem ? signingTime : now;
    const r = verifyChain(cert, { trustAnchors: opts.trustAnchors, intermediates: certs, at });
    chainSubjects = r.path.map((c) => c.subject);
    chain = r.ok ? ok(r.reason, r.reasonVi) : bad(r.reason, r.reasonVi);
  }

  const checks = { digest, signature, essCert, certValidAtSigningTime, keyUsage, chain };
  const valid = Object.values(checks).every((c) => c.ok);
  const who = cert ? cert.commonName : 'không xác định';
  const when = signingTime ? formatVnDateTime(signingTime) : 'không rõ';
  const failures = Object.values(checks).filter((c) => !c.ok).map((c) => c.reasonVi);
  const messageVi = valid
    ? `Chữ ký số hợp lệ. Người ký: ${who}. Thời điểm ký: ${when}.`
    : `Chữ ký số KHÔNG hợp lệ. ${[...new Set(failures)].join(' ')} Người ký: ${who}.`;
  return {
    valid,
    signer: cert ? { subject: cert.subject, commonName: cert.commonName, serial: cert.serialNumber, fingerprint: cert.fingerprintSha256, issuer: cert.issuer } : null,
    signingTime,
    checks,
    chain: chainSubjects,
    messageVi,
  };
}
