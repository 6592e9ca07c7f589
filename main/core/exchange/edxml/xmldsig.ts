// The agency's signature on a packet: an enveloped XML-DSig <Signature> in edXMLHeader, as QCVN
// 102:2016 places it (docs/edxml.md says why not a detached CMS). We sign with exclusive C14N and
// RSA-SHA256 (or ECDSA-SHA256) through the token's PrivateKeyOps; we verify what the national SDKs
// write too (C14N 1.0, RSA-SHA1), against the trust store, with CRLs when IT installed them.
import { createHash, verify as cryptoVerify } from 'node:crypto';
import type { EdxmlSignatureVerdict } from '../../../../common/edxml';
import { parseCertificate, verifyChain, type CertificateInfo, type CertInput, type PrivateKeyOps, type SignatureAlg } from '../../crypto';
import { checkPathRevocation, parseCrls, type CrlInput } from '../../crypto/crl';
import { publicKeyOf } from '../../crypto/certificates';
import { C14N_ALGORITHMS, canonicalize } from './c14n';
import { EdxmlError } from './errors';
import { DEFAULT_EDXML_LIMITS } from './limits';
import { decodePacketText } from './xmlSafety';
import { child, childrenNamed, findDeep, parseXmlTree, rawText, type XElement } from './xmlTree';

export const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';

const SIGNATURE_METHODS: Record<string, { hash: string; key: 'RSA' | 'EC' }> = {
  'http://www.w3.org/2000/09/xmldsig#rsa-sha1': { hash: 'sha1', key: 'RSA' },
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256': { hash: 'sha256', key: 'RSA' },
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384': { hash: 'sha384', key: 'RSA' },
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512': { hash: 'sha512', key: 'RSA' },
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256': { hash: 'sha256', key: 'EC' },
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384': { hash: 'sha384', key: 'EC' },
};
const DIGEST_METHODS: Record<string, string> = {
  'http://www.w3.org/2000/09/xmldsig#sha1': 'sha1',
  'http://www.w3.org/2001/04/xmlenc#sha256': 'sha256',
  'http://www.w3.org/2001/04/xmldsig-more#sha384': 'sha384',
  'http://www.w3.org/2001/04/xmlenc#sha512': 'sha512',
};

/** ECDSA DER (SEQUENCE { r, s }) to XML-DSig's fixed-width r||s. */
function ecdsaDerToRaw(der: Uint8Array, size: number): Buffer {
  const b = Buffer.from(der);
  let p = 2 + (b[1]! & 0x80 ? b[1]! & 0x7f : 0);
  const int = () => {
    const len = b[p + 1]!;
    const v = b.subarray(p + 2, p + 2 + len);
    p += 2 + len;
    const trimmed = v[0] === 0 ? v.subarray(1) : v;
    return Buffer.concat([Buffer.alloc(size - trimmed.length), trimmed]);
  };
  return Buffer.concat([int(), int()]);
}

/**
 * Signs a packet (UTF-8 bytes, unsigned) with the agency's key: the Signature goes last in
 * edXMLHeader, inserted with no whitespace of its own, so the enveloped transform gives back
 * exactly the bytes that were digested.
 */
export async function signPacket(packet: Uint8Array, key: PrivateKeyOps, opts: { chain?: readonly CertInput[] } = {}): Promise<Buffer> {
  const text = decodePacketText(packet, DEFAULT_EDXML_LIMITS);
  const tree = parseXmlTree(text, { ...DEFAULT_EDXML_LIMITS, maxPacketBytes: Number.MAX_SAFE_INTEGER });
  const header = findDeep(tree, 'edXMLHeader', 2);
  if (!header) throw new EdxmlError('EDXML_MISSING', 'edXMLHeader');
  if (child(header, 'Signature')) throw new EdxmlError('EDXML_SIGNATURE', 'the packet is already signed');
  const cert = parseCertificate(key.certificate);
  const ec = cert.publicKey.algorithm === 'EC';
  const alg: SignatureAlg = ec ? 'ECDSA-SHA256' : 'RSASSA-PKCS1-v1_5-SHA256';
  const method = ec ? 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256' : 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
  const digest = createHash('sha256').update(canonicalize(tree, 'exc-c14n'), 'utf8').digest('base64');
  const signedInfo = `<SignedInfo xmlns="${DSIG_NS}"><CanonicalizationMethod Algorithm="${EXC_C14N}"></CanonicalizationMethod>`
    + `<SignatureMethod Algorithm="${method}"></SignatureMethod><Reference URI=""><Transforms><Transform Algorithm="${ENVELOPED}"></Transform>`
    + `<Transform Algorithm="${EXC_C14N}"></Transform></Transforms><DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"></DigestMethod>`
    + `<DigestValue>${digest}</DigestValue></Reference></SignedInfo>`;
  const raw = Buffer.from(await key.sign(alg, Buffer.from(signedInfo, 'utf8')));
  const pk = cert.publicKey;
  const value: Buffer = pk.algorithm === 'EC' ? ecdsaDerToRaw(raw, /384/.test(pk.curve) ? 48 : 32) : raw;
  const certs = [cert.der, ...(opts.chain ?? []).map((c) => parseCertificate(c).der)].map((d) => `<X509Certificate>${Buffer.from(d).toString('base64')}</X509Certificate>`).join('');
  const signature = `<Signature xmlns="${DSIG_NS}">${signedInfo}<SignatureValue>${value.toString('base64')}</SignatureValue><KeyInfo><X509Data>${certs}</X509Data></KeyInfo></Signature>`;
  const close = `</${header.qname}>`;
  const at = text.lastIndexOf(close);
  if (at < 0) throw new EdxmlError('EDXML_MISSING', 'the end of edXMLHeader');
  const signed = Buffer.from(`${text.slice(0, at)}${signature}${text.slice(at)}`, 'utf8');
  // Check before publishing: a token that signs with another key than its certificate's must not go out.
  const check = await verifySignatureElement(parseXmlTree(signed.toString('utf8'), { ...DEFAULT_EDXML_LIMITS, maxPacketBytes: Number.MAX_SAFE_INTEGER }), { trustAnchors: [], skipChain: true });
  if (check.status !== 'valid') throw new EdxmlError('EDXML_SIGNATURE', `our own signature does not verify: ${check.reason}`);
  return signed;
}

export interface SignatureCheckOptions {
  trustAnchors: readonly CertInput[];
  crls?: readonly CrlInput[];
  now?: Date;
  /** Only the cryptography (signing's self-check). */
  skipChain?: boolean;
}

const verdict = (status: EdxmlSignatureVerdict['status'], reason: string, reasonVi: string, extra: Partial<EdxmlSignatureVerdict> = {}): EdxmlSignatureVerdict =>
  ({ status, signer: null, algorithm: null, reason, reasonVi, ...extra });

/** Verifies the packet's signature (the one in its header, or the first one found). */
export async function verifySignatureElement(tree: XElement, opts: SignatureCheckOptions, sig: XElement | null = findDeep(tree, 'Signature', 3)): Promise<EdxmlSignatureVerdict> {
  if (!sig) return verdict('absent', 'the packet is not signed', 'Gói tin không có chữ ký số.');
  const signedInfo = child(sig, 'SignedInfo');
  const valueText = rawText(child(sig, 'SignatureValue')).replace(/\s+/g, '');
  const certTexts = childrenNamed(child(child(sig, 'KeyInfo'), 'X509Data'), 'X509Certificate').map((c) => rawText(c).replace(/\s+/g, ''));
  if (!signedInfo || !valueText || certTexts.length === 0) return verdict('malformed', 'the Signature lacks SignedInfo, SignatureValue or a certificate', 'Chữ ký số của gói tin thiếu thành phần.');
  let certs: CertificateInfo[];
  try {
    certs = certTexts.map((t) => parseCertificate(new Uint8Array(Buffer.from(t, 'base64'))));
  } catch {
    return verdict('malformed', 'the certificate in the Signature cannot be read (a placeholder?)', 'Chứng thư số trong chữ ký không đọc được.');
  }
  const leaf = certs[0]!;
  const signer = { subject: leaf.subject, commonName: leaf.commonName, issuer: leaf.issuer, serial: leaf.serialNumber };
  const algo = (el: XElement | null) => el?.attrs.find((a) => a.local === 'Algorithm')?.value.trim() ?? '';
  const c14nSi = C14N_ALGORITHMS[algo(child(signedInfo, 'CanonicalizationMethod'))];
  const method = SIGNATURE_METHODS[algo(child(signedInfo, 'SignatureMethod'))];
  const refs = childrenNamed(signedInfo, 'Reference');
  const ref = refs[0];
  if (!c14nSi || !method || refs.length !== 1 || !ref) {
    return verdict('unsupported', `unsupported SignedInfo (${algo(child(signedInfo, 'CanonicalizationMethod'))}, ${algo(child(signedInfo, 'SignatureMethod'))}, ${refs.length} references)`, 'Chữ ký số dùng thuật toán không được hỗ trợ.', { signer });
  }
  const algorithm = algo(child(signedInfo, 'SignatureMethod')).replace(/^.*#/, '');
  const uri = ref.attrs.find((a) => a.local === 'URI')?.value ?? null;
  const transforms = childrenNamed(child(ref, 'Transforms'), 'Transform').map(algo);
  const digestAlg = DIGEST_METHODS[algo(child(ref, 'DigestMethod'))];
  const c14nRef = transforms.map((t) => C14N_ALGORITHMS[t]).find(Boolean) ?? C14N_ALGORITHMS['http://www.w3.org/TR/2001/REC-xml-c14n-20010315']!;
  if (uri !== '' || !digestAlg || transforms.some((t) => t !== ENVELOPED && !C14N_ALGORITHMS[t])) {
    return verdict('unsupported', `unsupported Reference (URI "${uri}", transforms ${transforms.join(' ')})`, 'Chữ ký số dùng phép biến đổi không được hỗ trợ.', { signer, algorithm });
  }
  const digest = createHash(digestAlg).update(canonicalize(tree, c14nRef.mode, transforms.includes(ENVELOPED) ? sig : null), 'utf8').digest('base64');
  if (digest !== rawText(child(ref, 'DigestValue')).replace(/\s+/g, '')) {
    return verdict('invalid', 'the packet was changed after it was signed (digest mismatch)', 'Gói tin đã bị thay đổi sau khi ký.', { signer, algorithm });
  }
  const key = publicKeyOf(leaf);
  if ((leaf.publicKey.algorithm === 'EC') !== (method.key === 'EC')) return verdict('invalid', 'the signature method does not fit the key', 'Thuật toán ký không phù hợp với khóa của chứng thư.', { signer, algorithm });
  const ok = cryptoVerify(method.hash, Buffer.from(canonicalize(signedInfo, c14nSi.mode), 'utf8'), method.key === 'EC' ? { key, dsaEncoding: 'ieee-p1363' } : key, Buffer.from(valueText, 'base64'));
  if (!ok) return verdict('invalid', 'the signature value does not verify with the certificate', 'Chữ ký số không khớp với chứng thư.', { signer, algorithm });
  if (opts.skipChain) return verdict('valid', 'the signature is valid', 'Chữ ký số hợp lệ.', { signer, algorithm });
  const now = opts.now ?? new Date();
  const chain = verifyChain(leaf, { trustAnchors: opts.trustAnchors, intermediates: certs.slice(1), at: now });
  if (!chain.ok) return verdict('untrusted', chain.reason, chain.reasonVi, { signer, algorithm });
  const revocation = checkPathRevocation(chain.path, parseCrls(opts.crls ?? []), now);
  if (revocation.status === 'revoked') return verdict('invalid', revocation.reason, revocation.reasonVi, { signer, algorithm });
  const weak = method.hash === 'sha1' || digestAlg === 'sha1';
  return verdict('valid', `the signature is valid${weak ? ' (SHA-1, a weak algorithm)' : ''}${revocation.status === 'unknown' ? '; revocation not checked' : ''}`,
    `Chữ ký số hợp lệ${weak ? ' (thuật toán SHA-1 đã lạc hậu)' : ''}${revocation.status === 'unknown' ? '; chưa kiểm tra được tình trạng thu hồi' : ''}.`, { signer, algorithm });
}
