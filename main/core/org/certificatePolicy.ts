// What may be bound to a person: a certificate valid now, issued (through a chain) by one of the
// machine's trust anchors (machine.json trustAnchors), fit for what it will do (unlock: RSA with
// keyEncipherment; sign: digitalSignature or nonRepudiation), not a CA's and not the organisation's
// recovery certificate. A self-signed certificate made on a spare token chains to nothing and is
// refused, so binding cannot make anyone out of thin air.
//
// A machine without trust anchors: no binding by an administrator or the recovery key is possible
// (IT installs the roots first). Only the first administrator of a brand-new profile is then taken
// on trust (`firstUse`): nobody else exists yet to be impersonated and no data is exposed; with
// anchors configured, they must chain like everyone else.
import { DeskError } from '../../../common/errors';
import { viMessage, type MessageKey, type MessageParams, type Msg } from '../../../common/messages';
import { isValidAt, parseCertificate, verifyChain, type CertificateInfo } from '../crypto';
import { canSign, canUnlock, fingerprintOf } from './certificates';

export interface BindingPolicy {
  trustAnchors: readonly Uint8Array[];
  /** The organisation's recovery certificates: never a person's. */
  recovery: readonly Uint8Array[];
  now: Date;
  /** Setup of a new profile on a machine with no trust anchors: no chain is required. */
  firstUse?: boolean;
}

export interface CertificateCheck {
  der: Uint8Array;
  info: CertificateInfo;
  unlock: boolean;
  sign: boolean;
  /** Why it may not be bound (Vietnamese), or null. */
  problem: string | null;
  /** The same as a catalog key and parameters (worded in the person's language). */
  problemKey?: Msg;
  /** Stable code for the problem (details.code). */
  code: 'EXPIRED' | 'KEY_USAGE' | 'CA_CERTIFICATE' | 'RECOVERY' | 'NO_TRUST_ANCHORS' | 'UNTRUSTED' | null;
}

const vnDate = (d: Date) => new Intl.DateTimeFormat('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', day: '2-digit', month: '2-digit', year: 'numeric' }).format(d);

export function checkForBinding(der: Uint8Array, policy: BindingPolicy): CertificateCheck {
  const info = parseCertificate(der);
  const unlock = canUnlock(info);
  const sign = canSign(info);
  const base = { der: info.der, info, unlock, sign };
  const no = (code: NonNullable<CertificateCheck['code']>, key: MessageKey, params?: MessageParams): CertificateCheck =>
    ({ ...base, problem: viMessage(key, params), problemKey: params ? { key, params } : { key }, code });
  const name = info.commonName;
  if (policy.recovery.some((r) => fingerprintOf(parseCertificate(r)) === fingerprintOf(info))) return no('RECOVERY', 'cert.recovery', { name });
  if (info.basicConstraints?.ca) return no('CA_CERTIFICATE', 'cert.ca', { name });
  if (!isValidAt(info, policy.now)) return no('EXPIRED', 'cert.expired', { name, from: vnDate(info.notBefore), to: vnDate(info.notAfter) });
  if (!unlock && !sign) return no('KEY_USAGE', 'cert.keyUsage', { name });
  if (policy.trustAnchors.length === 0) {
    if (policy.firstUse) return { ...base, problem: null, code: null };
    return no('NO_TRUST_ANCHORS', 'cert.noTrustAnchors');
  }
  const chain = verifyChain(info, { trustAnchors: policy.trustAnchors, at: policy.now });
  if (!chain.ok) return no('UNTRUSTED', 'cert.untrusted', { name, why: chain.reasonVi });
  return { ...base, problem: null, code: null };
}

/**
 * The certificates of a token that may be bound (each checked; the others are left out). Refused
 * with the reason when none fits, or when `needUnlock` and none can unlock the profile.
 */
export function bindableCertificates(ders: readonly Uint8Array[], policy: BindingPolicy, needUnlock = false): CertificateCheck[] {
  const seen = new Set<string>();
  const checks = ders
    .map((d) => checkForBinding(d, policy))
    .filter((c) => !seen.has(fingerprintOf(c.info)) && seen.add(fingerprintOf(c.info)));
  const fit = checks.filter((c) => c.problem === null);
  const fitForJob = needUnlock ? fit.filter((c) => c.unlock) : fit;
  if (fitForJob.length > 0) return fit;
  const firstProblem = checks.find((c) => c.problem !== null && (!needUnlock || c.unlock)) ?? checks.find((c) => c.problem !== null);
  if (checks.length === 0) throw DeskError.keyed('TOKEN_UNSUITABLE', 'token.noCertificates');
  if (!firstProblem) throw DeskError.keyed('TOKEN_UNSUITABLE', 'token.noUnlockCert', undefined, { details: { code: 'KEY_USAGE' } });
  throw problemError(firstProblem);
}

/** A certificate's problem as the refusal of its binding. */
export function problemError(check: CertificateCheck): DeskError {
  const details = { details: { code: check.code } };
  return check.problemKey
    ? DeskError.keyed('TOKEN_UNSUITABLE', check.problemKey.key, check.problemKey.params, details)
    : new DeskError('TOKEN_UNSUITABLE', check.problem ?? '', details);
}
