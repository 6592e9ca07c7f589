// "Thiết bị ký số" (quản trị): the PKCS#11 drivers this workstation offers and whether each loads,
// the tokens present, and every certificate on them.
import { useTranslation } from 'react-i18next';
import { Icon, Spinner } from '../../components/Icon';
import { coreText } from '../../i18n/errors';
import { CertificateList } from './CertificateList';
import { fileName } from './TokenPicker';
import { holderOf, tokenKey, unlockProblem } from './tokenText';
import { useTokenDirectory } from './useTokenDirectory';

export function TokensPage() {
  const { t } = useTranslation();
  const dir = useTokenDirectory();
  const modules = dir.directory?.modules ?? [];
  const tokens = dir.directory?.tokens ?? [];
  return (
    <section className="page admin-page" aria-labelledby="tokens-title">
      <div className="page-header">
        <h1 id="tokens-title">{t('tokens.title')}</h1>
        <span className="page-count">{dir.directory ? t('tokens.count', { count: tokens.length }) : ''}</span>
        <div className="page-actions">
          <button type="button" className="button" onClick={dir.refresh} disabled={dir.loading} title={t('tokens.refreshHint')}>
            {dir.loading ? <Spinner /> : <Icon name="refresh" />} {t('tokens.refresh')}
          </button>
        </div>
      </div>
      <div className="admin-body">
        {dir.error && <div className="form-error" role="alert">{dir.error}</div>}
        <h2 className="admin-heading">{t('tokens.drivers')}</h2>
        {dir.directory && modules.length === 0 && <div className="notice notice-warning">{t('tokens.noDrivers')}</div>}
        {modules.length > 0 && (
          <table className="data-table">
            <thead>
              <tr>
                <th>{t('tokens.col.library')}</th>
                <th>{t('tokens.col.manufacturer')}</th>
                <th>{t('tokens.col.description')}</th>
                <th>{t('tokens.col.version')}</th>
                <th>{t('tokens.col.state')}</th>
              </tr>
            </thead>
            <tbody>
              {modules.map((m) => (
                <tr key={m.id}>
                  <td><span className="strong">{fileName(m.path)}</span><span className="mono small block muted">{m.path}</span></td>
                  <td>{m.manufacturer ?? '—'}</td>
                  <td>{m.description ?? '—'}</td>
                  <td>{m.version ?? '—'}</td>
                  <td>
                    {m.ok && !m.error ? (
                      <span className="cap cap-ok"><Icon name="check" /> {t('tokens.moduleOk')}</span>
                    ) : (
                      <span className="cap cap-bad"><Icon name="alert" /> {coreText(m.error)}</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}

        <h2 className="admin-heading">{t('tokens.present')}</h2>
        {!dir.directory && dir.loading && <p className="muted"><Spinner /> {t('tokens.looking')}</p>}
        {dir.directory && tokens.length === 0 && <div className="notice">{t('tokens.noneInserted')}</div>}
        {tokens.map((tok) => {
          const problem = unlockProblem(tok);
          const holder = holderOf(tok);
          return (
            <article key={tokenKey(tok)} className="token-card" aria-label={tok.label || tok.serial}>
              <header className="token-card-head">
                <Icon name="usb" />
                <h3>{tok.label || t('tokens.noLabel')}</h3>
                {problem ? (
                  <span className="cap cap-bad"><Icon name="alert" /> {t(problem)}</span>
                ) : (
                  <span className="cap cap-ok"><Icon name="check" /> {t('tokens.canUnlock')}</span>
                )}
              </header>
              <dl className="token-facts">
                <dt>{t('tokens.serial')}</dt>
                <dd className="mono">{tok.serial || '—'}</dd>
                <dt>{t('tokens.manufacturer')}</dt>
                <dd>{tok.manufacturer || '—'}</dd>
                <dt>{t('tokens.model')}</dt>
                <dd>{tok.model || '—'}</dd>
                <dt>{t('tokens.pinEntry')}</dt>
                <dd>{tok.pinPad ? t('tokens.pinPad') : t('tokens.pinKeyboard')}</dd>
                <dt>{t('tokens.pinState')}</dt>
                <dd>{tok.pin.locked ? t('tokens.pinLocked') : tok.pin.finalTry ? t('tokens.pinFinalTry') : tok.pin.countLow ? t('tokens.pinCountLow') : t('tokens.pinOk')}</dd>
                {holder && (
                  <>
                    <dt>{t('tokens.holderLabel')}</dt>
                    <dd>{holder}</dd>
                  </>
                )}
                <dt>{t('tokens.driver')}</dt>
                <dd className="mono small">{modules.find((m) => m.id === tok.moduleId)?.path ?? '—'}</dd>
              </dl>
              {tok.error ? <div className="form-error">{coreText(tok.error)}</div> : <CertificateList certificates={tok.certificates} />}
            </article>
          );
        })}
      </div>
    </section>
  );
}
