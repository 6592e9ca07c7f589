// The certificates on a token: who, issued by whom, serial, validity (dd/mm/yyyy), key usage, and
// plainly whether each one can unlock the profile and sign.
import { useTranslation } from 'react-i18next';
import type { TokenCertificateView } from '../../../../common/contract';
import { Icon } from '../../components/Icon';
import { validityText } from './tokenText';

export function CertificateList({ certificates, compact = false }: { certificates: TokenCertificateView[]; compact?: boolean }) {
  const { t } = useTranslation();
  if (certificates.length === 0) return <p className="muted">{t('tokens.noCertificates')}</p>;
  // Valid before expired, the person's signing certificate before the encryption one.
  const rank = (c: TokenCertificateView) => (c.validNow ? 0 : 4) + (c.canSign ? 0 : 2) + (c.canUnlock ? 0 : 1);
  const sorted = [...certificates].sort((a, b) => rank(a) - rank(b));
  return (
    <ul className={compact ? 'cert-list is-compact' : 'cert-list'} aria-label={t('tokens.certificates')}>
      {sorted.map((c) => (
        <li key={`${c.keyId}:${c.fingerprint}`} className={c.validNow ? 'cert' : 'cert is-invalid'}>
          <div className="cert-head">
            <span className="cert-name">{c.commonName || c.subject}</span>
            <Capability ok={c.canUnlock} yes={t('tokens.cap.unlock')} no={t('tokens.cap.noUnlock')} />
            <Capability ok={c.canSign} yes={t('tokens.cap.sign')} no={t('tokens.cap.noSign')} />
            {!c.validNow && <span className="cap cap-bad">{t('tokens.notValidNow')}</span>}
          </div>
          <dl className="cert-grid">
            <dt>{t('tokens.subject')}</dt>
            <dd>{c.subject}</dd>
            <dt>{t('tokens.issuer')}</dt>
            <dd>{c.issuer}</dd>
            <dt>{t('tokens.certSerial')}</dt>
            <dd className="mono">{c.serialNumber}</dd>
            <dt>{t('tokens.validity')}</dt>
            <dd>{validityText(c)}</dd>
            <dt>{t('tokens.keyUsage')}</dt>
            <dd>{c.keyUsage === null ? t('tokens.keyUsageAny') : c.keyUsage.map((u) => t(`tokens.usage.${u}`, { defaultValue: u })).join(', ')}</dd>
            <dt>{t('tokens.algorithm')}</dt>
            <dd>{c.algorithm}</dd>
          </dl>
        </li>
      ))}
    </ul>
  );
}

function Capability({ ok, yes, no }: { ok: boolean; yes: string; no: string }) {
  return (
    <span className={ok ? 'cap cap-ok' : 'cap cap-no'}>
      <Icon name={ok ? 'check' : 'close'} /> {ok ? yes : no}
    </span>
  );
}
