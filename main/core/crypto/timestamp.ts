// RFC 3161 signature timestamps: a TimeStampToken in the signer's unsigned attribute
// id-aa-timeStampToken (RFC 3161 appendix A, CAdES-T) proves that the signature value existed at
// the token's genTime. Only a token that checks out in full moves the time a signature is judged at:
// its messageImprint is the hash of this signature value, the authority's signature verifies, its
// ESS signing-certificate names the authority's certificate, that certificate is for timestamping
// only (critical EKU id-kp-timeStamping) and chains to the workstation's trust anchors now (the
// authority's certificate must outlive the signatures it vouches for), and is not revoked.
import { createHash } from 'node:crypto';
import { checkSignature, NODE_HASH, readHashAlgorithm, readSignatureAlgorithm } from './algorithms';
import { isValidAt, parseCertificate, publicKeyOf, verifyChain, type CertificateInfo, type CertInput } from './certificates';
import { checkPathRevocation, type CrlInfo } from './crl';
import { children, concat, equalBytes, expectTag, oid, raw, readOctets, readOid, readRoot, readSmallInt, readTime, readUnsignedIntBytes, seq, set, tlv, toHex } from './der';
import { AsnError, CryptoError, asMalformed } from './errors';
import { checkSigningCertificate } from './ess';
import { OID } from './oids';
import { parseSignedData, singleValue, type ParsedSignerInfo } from './signedData';

export interface TimestampCheck {
  ok: boolean;
  /** genTime, when the token could be read (also when it fails a later check). */
  time: Date | null;
  /** The authority's certificate subject (CN), when found. */
  authority: string | null;
  reason: string;
  reasonVi: string;
}

export interface TimestampOptions {
  trustAnchors: readonly CertInput[];
  /** Certificates besides those in the token (the authority's, intermediates). */
  intermediates: readonly CertificateInfo[];
  crls: readonly CrlInfo[];
  now: Date;
  maxClockSkewMs: number;
}

interface TstInfo {
  hash: ReturnType<typeof readHashAlgorithm>;
  hashedMessage: Uint8Array;
  genTime: Date;
  serial: string;
}

function parseTstInfo(der: Uint8Array): TstInfo {
  const f = children(der, expectTag(readRoot(der), 0x30, 'TSTInfo'));
  const version = readSmallInt(der, f[0], 'TSTInfo.version');
  if (version !== 1) throw new AsnError(`TSTInfo version ${version}`);
  readOid(der, f[1], 'TSTInfo.policy');
  const [algT, hashedT] = children(der, expectTag(f[2], 0x30, 'messageImprint'));
  const serial = toHex(readUnsignedIntBytes(der, f[3], 'TSTInfo.serialNumber'));
  const genT = expectTag(f[4], 0x18, 'genTime'); // GeneralizedTime only (RFC 3161 2.4.2)
  return { hash: readHashAlgorithm(der, algT, 'messageImprint.hashAlgorithm'), hashedMessage: readOctets(der, hashedT, 'hashedMessage'), genTime: readTime(der, genT, 'genTime'), serial };
}

const fail = (reason: string, reasonVi: string, time: Date | null = null, authority: string | null = null): TimestampCheck => ({ ok: false, time, authority, reason, reasonVi });

function findCert(si: ParsedSignerInfo, certs: readonly CertificateInfo[]): CertificateInfo | null {
  const sid = si.sid;
  return certs.find((c) => ('subjectKeyId' in sid ? c.subjectKeyId === sid.subjectKeyId : equalBytes(c.raw.issuer, sid.issuer) && equalBytes(c.raw.serial, sid.serial))) ?? null;
}

/** Checks `token` (a TimeStampToken, DER) as proof that `signatureValue` existed at its genTime. */
export function verifyTimestampToken(token: Uint8Array, signatureValue: Uint8Array, opts: TimestampOptions): TimestampCheck {
  let tst: TstInfo;
  let si: ParsedSignerInfo;
  let certs: CertificateInfo[];
  let eContent: Uint8Array;
  try {
    const sd = parseSignedData(token);
    if (sd.eContentType !== OID.tstInfo || !sd.eContent) throw new AsnError(`content type ${sd.eContentType} is not TSTInfo`);
    if (sd.signers.length !== 1) throw new AsnError(`${sd.signers.length} signers in a timestamp token`);
    eContent = sd.eContent;
    tst = parseTstInfo(eContent);
    si = sd.signers[0]!;
    certs = [...sd.certificates.map((c) => parseCertificate(c)), ...opts.intermediates];
  } catch (e) {
    return fail(`the timestamp token is malformed (${(e as Error).message})`, 'Dấu thời gian gắn với chữ ký bị hỏng hoặc không đúng định dạng RFC 3161.');
  }
  const at = tst.genTime;
  // 1. It stamps this signature.
  if (tst.hash === 'SHA-1') return fail('the timestamp imprint uses SHA-1', 'Dấu thời gian dùng thuật toán băm SHA-1 không còn an toàn.', at);
  const imprint = createHash(NODE_HASH[tst.hash]).update(signatureValue).digest();
  if (!equalBytes(imprint, tst.hashedMessage)) return fail('the timestamp was made for another signature (messageImprint differs)', 'Dấu thời gian không phải của chữ ký này.', at);
  if (at.getTime() > opts.now.getTime() + opts.maxClockSkewMs) return fail(`the timestamp genTime ${at.toISOString()} is in the future`, 'Dấu thời gian nằm ở tương lai.', at);
  // 2. The authority signed it.
  const cert = findCert(si, certs);
  if (!cert) return fail('the timestamp authority certificate is neither in the token nor provided', 'Không tìm thấy chứng thư của tổ chức cấp dấu thời gian.', at);
  const who = cert.commonName;
  try {
    if (!si.signedAttrsDer || !si.digestAlgorithm || si.digestAlgorithm === 'SHA-1') throw new AsnError('the token has no signed attributes or uses an unsupported digest');
    const md = singleValue(si.signedAttrs, OID.messageDigest);
    const ct = singleValue(si.signedAttrs, OID.contentType);
    if (!md || !ct || readOid(si.buf, ct) !== OID.tstInfo) throw new AsnError('messageDigest or contentType attribute missing or wrong');
    if (!equalBytes(readOctets(si.buf, md, 'messageDigest'), createHash(NODE_HASH[si.digestAlgorithm]).update(eContent).digest())) {
      return fail('the timestamp token was changed after the authority signed it', 'Dấu thời gian đã bị sửa đổi.', at, who);
    }
    const problem = checkSignature(publicKeyOf(cert), readSignatureAlgorithm(si.buf, si.signatureAlgorithm, si.digestAlgorithm), si.signedAttrsDer, si.signature);
    if (problem) return fail(`the timestamp authority's signature does not verify: ${problem}`, 'Chữ ký của tổ chức cấp dấu thời gian không hợp lệ.', at, who);
    const v2 = singleValue(si.signedAttrs, OID.signingCertificateV2);
    const v1 = v2 ? null : singleValue(si.signedAttrs, OID.signingCertificate);
    const ess = v2 ?? v1;
    if (!ess) return fail('the timestamp token has no ESS signing-certificate attribute (RFC 3161 2.4.1)', 'Dấu thời gian không gắn với chứng thư của tổ chức cấp.', at, who);
    const r = checkSigningCertificate(si.buf, ess, v2 !== null, cert);
    if (!r.ok) return fail(`timestamp token: ${r.reason}`, 'Dấu thời gian không gắn với chứng thư của tổ chức cấp.', at, who);
  } catch (e) {
    return fail(`the timestamp token's signature cannot be checked (${(e as Error).message})`, 'Không kiểm tra được chữ ký của tổ chức cấp dấu thời gian.', at, who);
  }
  // 3. The authority is one: a timestamping-only certificate, valid then, trusted and not revoked now.
  const eku = cert.extKeyUsage ?? [];
  if (eku.length !== 1 || eku[0] !== 'timeStamping' || !cert.criticalExtensions.includes(OID.extKeyUsage)) {
    return fail(`"${cert.subject}" is not a timestamping certificate (extended key usage must be exactly timeStamping, critical)`, `Chứng thư "${who}" không phải chứng thư cấp dấu thời gian.`, at, who);
  }
  if (!isValidAt(cert, at)) return fail(`the timestamp authority certificate was not valid at ${at.toISOString()}`, `Chứng thư của tổ chức cấp dấu thời gian "${who}" không có hiệu lực tại thời điểm đóng dấu.`, at, who);
  if (opts.trustAnchors.length === 0) return fail('no trust anchors are configured', 'Chưa cài đặt chứng thư gốc tin cậy.', at, who);
  const chain = verifyChain(cert, { trustAnchors: opts.trustAnchors, intermediates: certs, at: opts.now });
  if (!chain.ok) return fail(`timestamp authority: ${chain.reason}`, `Tổ chức cấp dấu thời gian "${who}" không được tin cậy: ${chain.reasonVi}`, at, who);
  const revocation = checkPathRevocation(chain.path, opts.crls, opts.now);
  if (revocation.status === 'revoked') return fail(`timestamp authority: ${revocation.reason}`, revocation.reasonVi, at, who);
  return { ok: true, time: at, authority: who, reason: `timestamp by "${cert.subject}" at ${at.toISOString()} (serial ${tst.serial})`, reasonVi: `Có dấu thời gian đáng tin cậy của "${who}".` };
}

// ---------- adding a timestamp to a signature ----------

function signerInfosOf(cms: Uint8Array) {
  const root = expectTag(readRoot(cms), 0x30, 'ContentInfo');
  const [typeT, explicitT] = children(cms, root);
  if (readOid(cms, typeT) !== OID.signedData || root.indefinite) throw new AsnError('not a DER CMS SignedData');
  const sdT = expectTag(children(cms, expectTag(explicitT, 0xa0, 'content'))[0], 0x30, 'SignedData');
  const sdParts = children(cms, sdT);
  const sisT = expectTag(sdParts[sdParts.length - 1], 0x31, 'signerInfos');
  return { typeT, sdParts, signers: children(cms, sisT) };
}

/** What a timestamp authority must be asked to stamp for signer `index`: the hash input is its signature value. */
export function signatureValueOf(cms: Uint8Array, index = 0): Uint8Array {
  try {
    const si = parseSignedData(cms).signers[index];
    if (!si) throw new AsnError(`no signer ${index}`);
    return si.signature;
  } catch (e) {
    throw asMalformed('signature', e);
  }
}

/**
 * A copy of `cms` (DER) with `token` (a TimeStampToken) added to signer `index` as its
 * id-aa-timeStampToken unsigned attribute. The signed part is unchanged: adding a timestamp does not
 * need the signer's key.
 */
export function attachTimestamp(cms: Uint8Array, token: Uint8Array, index = 0): Uint8Array {
  try {
    const buf = Uint8Array.from(cms);
    const tokenRoot = readRoot(token); // one element
    if (tokenRoot.tag !== 0x30) throw new AsnError('the token is not a ContentInfo');
    const { typeT, sdParts, signers } = signerInfosOf(buf);
    const target = signers[index];
    if (!target) throw new AsnError(`no signer ${index}`);
    const parts = children(buf, target);
    const attr = seq(oid(OID.timeStampToken), set(token));
    let unsigned: Uint8Array[] = [attr];
    const last = parts[parts.length - 1]!;
    const kept = last.tag === 0xa1 ? parts.slice(0, -1) : parts;
    if (last.tag === 0xa1) {
      const existing = children(buf, last).map((a) => raw(buf, a));
      if (children(buf, last).some((a) => readOid(buf, children(buf, a)[0]) === OID.timeStampToken)) throw new CryptoError('MALFORMED_SIGNATURE', 'the signer already has a timestamp', 'Chữ ký đã có dấu thời gian.');
      unsigned = [...existing, attr];
    }
    unsigned.sort((a, b) => Buffer.compare(a, b)); // DER SET OF order
    const signerInfo = seq(...kept.map((p) => raw(buf, p)), tlv(0xa1, concat(unsigned)));
    const signerInfos = tlv(0x31, concat(signers.map((s, i) => (i === index ? signerInfo : raw(buf, s)))));
    const signedData = seq(...sdParts.slice(0, -1).map((p) => raw(buf, p)), signerInfos);
    return seq(raw(buf, typeT!), tlv(0xa0, signedData));
  } catch (e) {
    throw asMalformed('signature', e);
  }
}
