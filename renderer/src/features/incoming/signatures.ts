// A document's signatures as people think of them: signings (one person, one moment) that each
// cover the files and the register entry; and which certificate on the signed-in token signs.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { DocumentSignature, TokenCertificateView, TokenView } from '../../../../common/contract';
import { errorText } from '../../i18n/errors';
import i18n from '../../i18n';
import { asDeskError, call } from '../../ipc/call';

export interface Signing {
  key: string;
  signer: string;
  /** ISO: when the register entry (else the first part) says it was signed. */
  signingTime: string;
  /** Files first, in the document's order, then the register entry. */
  parts: DocumentSignature[];
  valid: boolean;
  /** A trusted timestamp on the signing (the register entry's, else the first part's that has one). */
  timestamp: { time: string; authority: string } | null;
  /** Valid, but no installed CRL could say whether a certificate of the chain was revoked: why (Vietnamese). */
  revocationUnchecked: string | null;
}

/**
 * Groups the signatures (as listed: in the order they were made) into signings. The core stores one
 * signing as its files followed by exactly one register-entry part, so a metadata part closes a
 * signing; a change of signer does too. The time is not compared: the signature's own signingTime
 * has whole seconds, the stored one (shown when a changed file cannot be read) milliseconds.
 */
export function groupSignings(list: readonly DocumentSignature[]): Signing[] {
  const out: Signing[] = [];
  let open: Signing | null = null;
  for (const s of list) {
    if (!open || open.signer !== s.signer) {
      open = { key: `s${s.id}`, signer: s.signer, signingTime: s.signingTime, parts: [], valid: true, timestamp: null, revocationUnchecked: null };
      out.push(open);
    }
    open.parts.push(s);
    open.valid &&= s.valid;
    if (s.trust?.timestamp && (!open.timestamp || s.target === 'metadata')) open.timestamp = s.trust.timestamp;
    if (s.valid && s.trust?.revocation === 'not_checked') open.revocationUnchecked ??= s.trust.revocationNote;
    if (s.target === 'metadata') {
      open.signingTime = s.signingTime;
      open = null;
    }
  }
  return out;
}

/**
 * The reasons a part is invalid, each once (several checks fail for one cause, e.g. no certificate).
 * The core words them in Vietnamese; another UI language words each failed check by its name.
 */
export function failureReasons(s: DocumentSignature): string[] {
  if (i18n.language !== 'vi') {
    const checks = [...new Set(s.failed.map((f) => f.check))];
    const worded = [...new Set(checks.map((c) => i18n.t(`signatures.check.${c}`, { defaultValue: i18n.t('signatures.check.other') })))];
    return worded.length > 0 ? worded : s.valid ? [] : [i18n.t('signatures.check.other')];
  }
  const reasons = [...new Set(s.failed.map((f) => f.reason).filter(Boolean))];
  return reasons.length > 0 ? reasons : s.valid ? [] : [s.message];
}

/** The whole verdict on one part, for its tooltip. */
export function signatureVerdict(s: DocumentSignature): string {
  if (i18n.language === 'vi') return s.message;
  return s.valid ? i18n.t('signatures.validTooltip') : failureReasons(s).join(' ');
}

/** The signatures are all valid but revocation could not be checked for at least one. */
export const revocationUnchecked = (list: readonly DocumentSignature[]): boolean => list.some((s) => s.valid && s.trust?.revocation === 'not_checked');

/**
 * The latest signature over a file of the document, by its name (the contract names the file, not
 * the attachment; names within one document are distinct in practice).
 */
export function latestFileSignature(list: readonly DocumentSignature[] | null, fileName: string): DocumentSignature | null {
  if (!list) return null;
  for (let i = list.length - 1; i >= 0; i--) {
    const s = list[i]!;
    if (s.target === 'file' && s.fileName === fileName) return s;
  }
  return null;
}

/**
 * The certificate the core signs with (main/core/session/tokens.ts signingKeys[0]): the first one
 * able to sign that is valid now, else the first one able to sign.
 */
export function signingCertificate(token: TokenView): TokenCertificateView | null {
  const signers = token.certificates.filter((c) => c.canSign);
  return signers.find((c) => c.validNow) ?? signers[0] ?? null;
}

export interface SignaturesState {
  signatures: DocumentSignature[] | null;
  verifying: boolean;
  error: string | null;
  /** Verifies again (after signing, or "Thử lại"). */
  reload(): void;
}

/**
 * Verifies the document's signatures now (the core re-reads every file) and on reload(); the list
 * verified last stays shown meanwhile. The detail view is keyed by the document, so `id` is fixed.
 */
export function useSignatures(id: number): SignaturesState {
  const [state, setState] = useState<Omit<SignaturesState, 'reload'>>({ signatures: null, verifying: true, error: null });
  const generation = useRef(0);
  const closed = useRef(false);
  const load = useCallback(() => {
    const gen = ++generation.current;
    // Only the latest answer counts, and none once the document is closed.
    const current = () => gen === generation.current && !closed.current;
    setState((s) => ({ ...s, verifying: true, error: null }));
    call('incoming.signatures', { id }).then(
      (signatures) => {
        if (current()) setState({ signatures, verifying: false, error: null });
      },
      (err: unknown) => {
        if (current()) setState((s) => ({ ...s, verifying: false, error: errorText(asDeskError(err)) }));
      },
    );
  }, [id]);
  useEffect(() => {
    closed.current = false;
    load();
    return () => {
      closed.current = true;
    };
  }, [load]);
  return { ...state, reload: load };
}
