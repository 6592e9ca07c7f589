// Small helpers for showing tokens and certificates.
import type { TokenCertificateView, TokenRefValue, TokenView } from '../../../../common/contract';
import { formatInstantDateVn } from '../../lib/format';

/** A token's identity in the UI (module id + serial; the same serial may exist under two drivers). */
export const tokenKey = (t: TokenRefValue): string => `${t.moduleId}\n${t.serial}`;
/** What the core is told: the module's opaque id (never a path) and the serial. */
export const tokenRef = (t: TokenView): TokenRefValue => ({ moduleId: t.moduleId, serial: t.serial });

/** The CN of a distinguished name as the core prints it ("C=VN, O=…, CN=Nguyễn Văn An"). */
export function commonNameOf(dn: string): string {
  const m = /(?:^|,\s*)CN=((?:\\,|[^,])+)/.exec(dn);
  return m ? m[1]!.replace(/\\,/g, ',').trim() : dn;
}

/** "dd/mm/yyyy – dd/mm/yyyy" */
export const validityText = (c: Pick<TokenCertificateView, 'notBefore' | 'notAfter'>): string =>
  `${formatInstantDateVn(c.notBefore)} – ${formatInstantDateVn(c.notAfter)}`;

/** Why a token cannot be chosen to unlock (an i18n key), or null when it can. */
export function unlockProblem(t: TokenView): string | null {
  if (t.error) return 'tokens.problem.unreadable';
  if (t.pin.locked) return 'tokens.problem.pinLocked';
  if (t.certificates.length === 0) return 'tokens.problem.noCertificates';
  if (!t.certificates.some((c) => c.canUnlock)) return 'tokens.problem.cannotUnlock';
  return null;
}

/** The person the token belongs to, as a valid signing certificate (else any) names them. */
export function holderOf(t: TokenView): string | null {
  const order = [(x: TokenCertificateView) => x.canSign && x.validNow, (x: TokenCertificateView) => x.validNow, () => true];
  for (const fits of order) {
    const c = t.certificates.find(fits);
    if (c) return c.commonName || commonNameOf(c.subject);
  }
  return null;
}
