// Choosing a token: the drivers found (or why one failed), the tokens present with who they belong
// to, and "Làm mới" to look again. Tokens that can unlock this workstation are the choices (the
// only one is picked by itself); the others are listed under them, grouped by why they cannot.
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import type { ModuleView, TokenView } from '../../../../common/contract';
import { Icon, Spinner } from '../../components/Icon';
import { coreText } from '../../i18n/errors';
import { CertificateList } from './CertificateList';
import { holderOf, tokenKey, unlockProblem } from './tokenText';
import type { TokenDirectoryState } from './useTokenDirectory';

interface Props {
  dir: TokenDirectoryState;
  selected: string | null;
  onSelect(key: string | null): void;
  /** Radio group name and id prefix. */
  name: string;
  legend: string;
  error?: string | null | undefined;
  /** Show the certificates of the chosen token under the list (setup, binding). */
  showCertificates?: boolean;
  disabled?: boolean;
}

export function TokenPicker({ dir, selected, onSelect, name, legend, error, showCertificates, disabled }: Props) {
  const { t } = useTranslation();
  const tokens = dir.directory?.tokens ?? [];
  const modules = dir.directory?.modules ?? [];
  const usable = tokens.filter((x) => unlockProblem(x) === null);
  const unusable = groupByProblem(tokens);

  // Keep the choice valid as tokens come and go; the one usable token is chosen for the person.
  useEffect(() => {
    if (!dir.directory) return;
    const usable = dir.directory.tokens.filter((x) => unlockProblem(x) === null).map(tokenKey);
    if (selected && usable.includes(selected)) return;
    onSelect(usable.length === 1 ? usable[0]! : null);
  }, [dir.directory, selected, onSelect]);

  const chosen = tokens.find((x) => tokenKey(x) === selected) ?? null;
  const errorId = `${name}-error`;

  return (
    <fieldset className={error ? 'token-picker has-error' : 'token-picker'} aria-describedby={error ? errorId : undefined} disabled={disabled}>
      <legend className="token-picker-legend">{legend}</legend>
      <div className="token-picker-bar">
        <ModuleSummary modules={modules} loading={dir.loading && !dir.directory} />
        <button type="button" className="button subtle" onClick={dir.refresh} disabled={dir.loading} title={t('tokens.refreshHint')}>
          {dir.loading ? <Spinner /> : <Icon name="refresh" />} {t('tokens.refresh')}
        </button>
      </div>
      {dir.error && <div className="form-error" role="alert">{dir.error}</div>}
      {dir.directory && modules.length > 0 && tokens.length === 0 && (
        <div className="notice" role="status">
          <Icon name="usb" /> {t('tokens.noneInserted')}
        </div>
      )}
      {usable.length > 0 && (
        <div className="token-options" role="radiogroup" aria-label={legend}>
          {usable.map((tok) => (
            <TokenOption key={tokenKey(tok)} token={tok} name={name} checked={tokenKey(tok) === selected} onSelect={onSelect} />
          ))}
        </div>
      )}
      {unusable.length > 0 && (
        <div className="token-unusable">
          {usable.length === 0 && <div className="token-unusable-title">{t('tokens.noneUsable')}</div>}
          {unusable.map(([problem, list]) => (
            <div key={problem} className="token-unusable-group">
              <ul>
                {list.map((tok) => (
                  <li key={tokenKey(tok)}>
                    <Icon name="usb" /> <span className="token-label">{tok.label || t('tokens.noLabel')}</span>
                    {holderOf(tok) && !tok.error && <span className="muted"> · {holderOf(tok)}</span>}
                    <span className="token-serial"> · {t('tokens.serialShort', { serial: tok.serial || '—' })}</span>
                    {tok.error && <span className="token-error"> – {coreText(tok.error)}</span>}
                  </li>
                ))}
              </ul>
              <p className="token-unusable-why"><Icon name="alert" /> {t(problem, { count: list.length })}</p>
            </div>
          ))}
        </div>
      )}
      {error && <div id={errorId} className="field-error" role="alert">{error}</div>}
      {showCertificates && chosen && (
        <div className="token-certs">
          <div className="field-label">{t('tokens.certificatesOf', { label: chosen.label || chosen.serial })}</div>
          <CertificateList certificates={chosen.certificates} compact />
        </div>
      )}
    </fieldset>
  );
}

/** Tokens that cannot unlock, grouped by why (an i18n key), in a stable order. */
function groupByProblem(tokens: TokenView[]): [string, TokenView[]][] {
  const groups = new Map<string, TokenView[]>();
  for (const tok of tokens) {
    const problem = unlockProblem(tok);
    if (problem) groups.set(problem, [...(groups.get(problem) ?? []), tok]);
  }
  return [...groups];
}

function TokenOption({ token, name, checked, onSelect }: { token: TokenView; name: string; checked: boolean; onSelect(key: string): void }) {
  const { t } = useTranslation();
  const holder = holderOf(token);
  const id = `${name}-${token.moduleId}-${token.serial}`;
  return (
    <label className={checked ? 'token-option is-checked' : 'token-option'} htmlFor={id}>
      <input id={id} type="radio" name={name} value={tokenKey(token)} checked={checked}
        onChange={() => onSelect(tokenKey(token))} aria-describedby={`${id}-state`} />
      <span className="token-icon" aria-hidden="true"><Icon name="usb" /></span>
      <span className="token-body">
        <span className="token-title">
          <span className="token-label">{token.label || t('tokens.noLabel')}</span>
          <span className="token-serial">{t('tokens.serialShort', { serial: token.serial || '—' })}</span>
        </span>
        <span className="token-meta">
          {[token.manufacturer, token.model].filter(Boolean).join(' · ')}
          {token.pinPad && ` · ${t('tokens.pinPad')}`}
        </span>
        {holder && <span className="token-holder">{t('tokens.holder', { name: holder })}</span>}
        <span id={`${id}-state`} className="token-state is-ok">
          <Icon name="check" /> {t('tokens.canUnlock')}
        </span>
        {token.pin.finalTry && <span className="token-warning">{t('tokens.pinFinalTry')}</span>}
        {!token.pin.finalTry && token.pin.countLow && <span className="token-warning">{t('tokens.pinCountLow')}</span>}
      </span>
    </label>
  );
}

export function ModuleSummary({ modules, loading }: { modules: ModuleView[]; loading: boolean }) {
  const { t } = useTranslation();
  if (loading) return <span className="muted"><Spinner /> {t('tokens.looking')}</span>;
  if (modules.length === 0) return <span className="module-line is-problem"><Icon name="alert" /> {t('tokens.noDrivers')}</span>;
  return (
    <ul className="module-lines" aria-label={t('tokens.drivers')}>
      {modules.map((m) => (
        <li key={m.id} className={m.ok && !m.error ? 'module-line' : 'module-line is-problem'} title={m.path}>
          <Icon name={m.ok && !m.error ? 'chip' : 'alert'} />{' '}
          {m.ok ? (
            <>
              {t('tokens.driver')}: <strong>{m.manufacturer || fileName(m.path)}</strong>
              {m.description ? ` – ${m.description}` : ''}
              {m.version ? ` ${m.version}` : ''}
              {m.error ? ` – ${coreText(m.error)}` : ''}
            </>
          ) : (
            <>
              {fileName(m.path)}: {coreText(m.error)}
            </>
          )}
        </li>
      ))}
    </ul>
  );
}

export const fileName = (path: string): string => path.split(/[\\/]/).pop() ?? path;
