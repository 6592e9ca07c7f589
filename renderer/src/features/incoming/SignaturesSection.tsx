// "Chữ ký số" in the document detail: every signing (who, when, and each file and the register
// entry it covers), each part plainly valid or not with the reasons why, verified when the
// document opens and again after signing; and "Ký số" for those who register documents.
import { forwardRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DocumentSignature, IncomingDetail } from '../../../../common/contract';
import { Icon, Spinner } from '../../components/Icon';
import { formatDateTimeVn } from '../../lib/format';
import { useCanRegister } from '../../stores/app';
import { toast } from '../../stores/toasts';
import { failureReasons, groupSignings, revocationUnchecked, signatureVerdict, type SignaturesState, type Signing } from './signatures';
import { SignDialog } from './SignDialog';

interface Props {
  doc: IncomingDetail;
  state: SignaturesState;
}

export const SignaturesSection = forwardRef<HTMLElement, Props>(function SignaturesSection({ doc, state }, ref) {
  const { t } = useTranslation();
  const canSign = useCanRegister();
  const [signing, setSigning] = useState(false);
  const { signatures, verifying, error } = state;
  const signings = signatures ? groupSignings(signatures) : [];

  return (
    <section ref={ref} className="signatures" aria-labelledby="signatures-title" tabIndex={-1}>
      <div className="signatures-head">
        <h2 id="signatures-title" className="meta-heading">
          <Icon name="pen" /> {t('signatures.title')}
        </h2>
        {verifying && signatures && <Spinner label={t('signatures.verifying')} />}
        {canSign && (
          <button type="button" className="button" onClick={() => setSigning(true)} title={t('signatures.signTooltip')}>
            <Icon name="pen" /> {t('signatures.sign')}
          </button>
        )}
      </div>
      {error && (
        <div className="form-error" role="alert">
          {t('signatures.verifyFailed', { message: error })}{' '}
          <button type="button" className="link-button" onClick={state.reload}>{t('common.retry')}</button>
        </div>
      )}
      {!signatures && verifying && (
        <p className="signatures-note" role="status">
          <Spinner /> {t('signatures.verifying')}
        </p>
      )}
      {signatures && signings.length === 0 && (
        <p className="signatures-note">
          {t('signatures.empty')}
          {canSign && <span className="block">{t('signatures.emptyHint')}</span>}
        </p>
      )}
      {signings.length > 0 && (
        <ol className="signing-list" aria-busy={verifying || undefined}>
          {signings.map((s) => <SigningCard key={s.key} signing={s} />)}
        </ol>
      )}
      {signing && (
        <SignDialog
          doc={doc}
          signatures={signatures}
          onClose={() => setSigning(false)}
          onSigned={(parts) => {
            setSigning(false);
            const files = Math.max(0, parts - 1);
            toast.success(files > 0
              ? t('signatures.signed', { number: doc.arrivalNumber, count: files })
              : t('signatures.signedEntryOnly', { number: doc.arrivalNumber }));
            state.reload();
          }}
        />
      )}
    </section>
  );
});

function SigningCard({ signing }: { signing: Signing }) {
  const { t, i18n } = useTranslation();
  const time = formatDateTimeVn(signing.signingTime);
  return (
    <li className={signing.valid ? 'signing is-valid' : 'signing is-invalid'} aria-label={t('signatures.signing', { signer: signing.signer, time })}>
      <div className="signing-head">
        <span className="signing-signer">{signing.signer}</span>
        <span className="signing-time">{t('signatures.signedAt', { time })}</span>
      </div>
      {/* The time the certificate was judged at: a trusted timestamp's, else now (the claimed time proves nothing). */}
      <p className="signing-trust">
        {signing.timestamp
          ? t('signatures.timestamped', { time: formatDateTimeVn(signing.timestamp.time), authority: signing.timestamp.authority })
          : t('signatures.noTimestamp')}
      </p>
      {signing.revocationUnchecked !== null && (
        <p className="signature-note" data-revocation="not_checked">
          <Icon name="alert" /> <span>{t('signatures.revocationNotChecked')}: {i18n.language === 'vi' ? signing.revocationUnchecked : t('signatures.revocationNoteGeneric')}</span>
        </p>
      )}
      <ul className="signed-parts">
        {signing.parts.map((p) => <SignedPart key={p.id} part={p} />)}
      </ul>
    </li>
  );
}

function SignedPart({ part }: { part: DocumentSignature }) {
  const { t } = useTranslation();
  const name = part.target === 'metadata' ? t('signatures.metadata') : (part.fileName ?? t('signatures.missingFile'));
  const reasons = part.valid ? [] : failureReasons(part);
  return (
    <li className={part.valid ? 'signed-part is-valid' : 'signed-part is-invalid'} data-target={part.target}>
      <Icon name={part.target === 'metadata' ? 'list' : 'file'} className="signed-part-kind" />
      <span className="signed-part-name" title={name}>{name}</span>
      <span className="signature-state" title={signatureVerdict(part)}>
        <Icon name={part.valid ? 'checkCircle' : 'xCircle'} />
        {part.valid ? t('signatures.valid') : t('signatures.invalid')}
      </span>
      {reasons.length > 0 && (
        <ul className="signature-reasons">
          {reasons.map((r) => <li key={r}>{r}</li>)}
        </ul>
      )}
    </li>
  );
}

/** In the detail header: whether the document is signed, and whether every signature holds. */
export function SignatureSummary({ state, onShow }: { state: SignaturesState; onShow(): void }) {
  const { t } = useTranslation();
  if (!state.signatures || state.signatures.length === 0) return null;
  const valid = state.signatures.every((s) => s.valid);
  const unchecked = valid && revocationUnchecked(state.signatures);
  return (
    <button type="button" className={valid ? 'signature-summary is-valid' : 'signature-summary is-invalid'} onClick={onShow}
      title={t('signatures.summaryTooltip')}>
      <Icon name={valid ? 'checkCircle' : 'xCircle'} />
      {valid ? (unchecked ? t('signatures.summaryUnchecked') : t('signatures.summaryValid')) : t('signatures.summaryInvalid')}
    </button>
  );
}
