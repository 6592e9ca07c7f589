// Who is signing in: the lock screen lists the tokens present by the person each belongs to (the
// holder's name from the certificate's CN, which Vietnamese CAs fill with the person's name) and
// whether the token is bound to this workstation (told from the keyring, before sign-in:
// TokenView.bound). Only tokens that are plugged in are listed; nothing here lists the people of
// the workstation. Bound tokens that can unlock are the choices (the only one is chosen by itself).
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import type { TokenView } from '../../../../common/contract';
import { Icon, Spinner } from '../../components/Icon';
import { ModuleSummary } from '../tokens/TokenPicker';
import { holderOf, tokenKey, unlockProblem } from '../tokens/tokenText';
import type { TokenDirectoryState } from '../tokens/useTokenDirectory';

interface Props {
  dir: TokenDirectoryState;
  selected: string | null;
  onSelect(key: string | null): void;
  error?: string | null | undefined;
  disabled?: boolean;
}

/** Why a token cannot open this workstation (an i18n key), or null when it can. */
function problemOf(t: TokenView): string | null {
  return unlockProblem(t) ?? (t.bound === false ? 'lock.people.notBound' : null);
}

export function PersonPicker({ dir, selected, onSelect, error, disabled }: Props) {
  const { t } = useTranslation();
  const tokens = dir.directory?.tokens ?? [];
  const modules = dir.directory?.modules ?? [];
  const usable = tokens.filter((x) => problemOf(x) === null);
  const unusable = groupByProblem(tokens);

  // Keep the choice valid as tokens come and go; the one usable token is chosen for the person.
  useEffect(() => {
    if (!dir.directory) return;
    const keys = dir.directory.tokens.filter((x) => problemOf(x) === null).map(tokenKey);
    if (selected && keys.includes(selected)) return;
    onSelect(keys.length === 1 ? keys[0]! : null);
  }, [dir.directory, selected, onSelect]);

  return (
    <fieldset className={error ? 'token-picker people has-error' : 'token-picker people'} aria-describedby={error ? 'lock-people-error' : undefined}
      disabled={disabled}>
      <legend className="token-picker-legend">{t('lock.people.legend')}</legend>
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
        <div className="token-options" role="radiogroup" aria-label={t('lock.people.legend')}>
          {usable.map((tok) => (
            <PersonOption key={tokenKey(tok)} token={tok} checked={tokenKey(tok) === selected} onSelect={onSelect} />
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
                  <li key={tokenKey(tok)} className="person-unusable">
                    <Icon name="user" /> <span className="person-name">{(!tok.error && holderOf(tok)) || t('lock.people.unknownHolder')}</span>
                    <span className="muted"> · {t('lock.people.token', { label: tok.label || t('tokens.noLabel') })}</span>
                    <span className="token-serial"> · {t('tokens.serialShort', { serial: tok.serial || '—' })}</span>
                    {tok.error && <span className="token-error"> – {tok.error}</span>}
                  </li>
                ))}
              </ul>
              <p className="token-unusable-why"><Icon name="alert" /> {t(problem, { count: list.length })}</p>
            </div>
          ))}
        </div>
      )}
      {error && <div id="lock-people-error" className="field-error" role="alert">{error}</div>}
    </fieldset>
  );
}

function groupByProblem(tokens: TokenView[]): [string, TokenView[]][] {
  const groups = new Map<string, TokenView[]>();
  for (const tok of tokens) {
    const problem = problemOf(tok);
    if (problem) groups.set(problem, [...(groups.get(problem) ?? []), tok]);
  }
  return [...groups];
}

function PersonOption({ token, checked, onSelect }: { token: TokenView; checked: boolean; onSelect(key: string): void }) {
  const { t } = useTranslation();
  const holder = holderOf(token);
  const id = `lock-person-${token.moduleId}-${token.serial}`;
  return (
    <label className={checked ? 'token-option person-option is-checked' : 'token-option person-option'} htmlFor={id}>
      <input id={id} type="radio" name="lock-person" value={tokenKey(token)} checked={checked}
        onChange={() => onSelect(tokenKey(token))} aria-describedby={`${id}-state`} />
      <span className="token-icon" aria-hidden="true"><Icon name="user" /></span>
      <span className="token-body">
        <span className="person-name">{holder ?? t('lock.people.unknownHolder')}</span>
        <span className="token-meta">
          {t('lock.people.token', { label: token.label || t('tokens.noLabel') })}
          <span className="token-serial"> · {t('tokens.serialShort', { serial: token.serial || '—' })}</span>
          {token.pinPad && ` · ${t('tokens.pinPad')}`}
        </span>
        <span id={`${id}-state`} className="token-state is-ok">
          <Icon name="check" /> {token.bound ? t('lock.people.bound') : t('tokens.canUnlock')}
        </span>
        {token.pin.finalTry && <span className="token-warning">{t('tokens.pinFinalTry')}</span>}
        {!token.pin.finalTry && token.pin.countLow && <span className="token-warning">{t('tokens.pinCountLow')}</span>}
      </span>
    </label>
  );
}
