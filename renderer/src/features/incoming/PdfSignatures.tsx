// The signatures inside a staged PDF (PAdES), checked by main when the file was staged: each with
// its signer, organisation, time and validity, the agency's marked, and the file's findings (no
// agency signature, changed or appended after signing), before the document is registered.
import { useTranslation } from 'react-i18next';
import type { PdfSignaturesView } from '../../../../common/contract';
import { Icon } from '../../components/Icon';
import { formatDateTimeVn } from '../../lib/format';

export function PdfSignatures({ view }: { view: PdfSignaturesView }) {
  const { t } = useTranslation();
  if (view.status === 'unreadable') return null;
  if (view.status === 'unsigned') return <div className="pdf-signatures muted small">{t('register.files.signatures.none')}</div>;
  return (
    <div className={view.ok ? 'pdf-signatures' : 'pdf-signatures has-problem'}>
      <ul aria-label={t('register.files.signatures.label')}>
        {view.signatures.map((s) => (
          <li key={s.index} className={s.valid ? 'sig-ok' : 'sig-bad'} title={s.message}>
            <Icon name={s.valid ? 'check' : 'alert'} />{' '}
            <span className="strong">{s.signer ?? t('register.files.signatures.unknownSigner')}</span>
            {s.organisation && s.organisation !== s.signer && <> · {s.organisation}</>}
            {s.agency && <span className="tag">{t('register.files.signatures.agency')}</span>}
            {s.signingTime && <> · {formatDateTimeVn(s.signingTime)}</>}
            {' · '}
            {s.valid ? t('register.files.signatures.valid') : t('register.files.signatures.invalid')}
          </li>
        ))}
      </ul>
      {view.findings.length > 0 && (
        <div className="notice notice-warning" role="status">
          <Icon name="alert" /> <span>{view.findings.map((f) => f.message).join(' ')}</span>
        </div>
      )}
    </div>
  );
}
