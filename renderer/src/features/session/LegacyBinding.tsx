// A plain profile from before token binding, when the token tried is bound to nobody: nobody may
// claim to be someone from the lock screen. The workstation's recovery token (held by IT) proves
// itself with its PIN; only then are the people of the profile shown, IT binds a person's token
// (usually the administrator's, who then binds the others) and the profile is encrypted. It stays
// locked: that person opens it with their own token and PIN.
import { useCallback, useMemo, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { UserSummary } from '../../../../common/contract';
import { Icon, Spinner } from '../../components/Icon';
import { SecrecyBadge } from '../../components/Secrecy';
import { useLabels } from '../../i18n/labels';
import { errorText } from '../../i18n/errors';
import { asDeskError, call } from '../../ipc/call';
import { PinField, type PinHandle } from '../tokens/PinField';
import { placeTokenError } from '../tokens/tokenErrors';
import { TokenPicker } from '../tokens/TokenPicker';
import { tokenKey, tokenRef } from '../tokens/tokenText';
import type { TokenDirectoryState } from '../tokens/useTokenDirectory';
import { useWork } from '../../stores/work';

interface Props {
  dir: TokenDirectoryState;
  /** Why binding is needed, in the core's words. */
  message: string;
  /** machine.json names a recovery certificate; without one nothing can be done here (the message says so). */
  recoveryConfigured: boolean;
  onBack(): void;
  /** The profile is encrypted now; `name` holds the token `label`. */
  onDone(name: string, label: string): void;
}

type Errors = { pin?: string; token?: string; person?: string; user?: string; form?: string };

export function LegacyBinding({ dir, message, recoveryConfigured, onBack, onDone }: Props) {
  const { t } = useTranslation();
  const labels = useLabels();
  const pin = useRef<PinHandle>(null);
  const [recoveryKey, setRecoveryKey] = useState<string | null>(null);
  const [personKey, setPersonKey] = useState<string | null>(null);
  const selectRecovery = useCallback((key: string | null) => setRecoveryKey(key), []);
  const selectPerson = useCallback((key: string | null) => setPersonKey(key), []);
  const [users, setUsers] = useState<UserSummary[] | null>(null);
  const [userId, setUserId] = useState<number | null>(null);
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState<null | 'checking' | 'encrypting'>(null);

  const tokens = dir.directory?.tokens ?? [];
  const recovery = tokens.find((x) => tokenKey(x) === recoveryKey) ?? null;
  const person = tokens.find((x) => tokenKey(x) === personKey) ?? null;
  // The person's token is any other token present (the recovery token is nobody's).
  const personDir = useMemo<TokenDirectoryState>(
    () => ({ ...dir, directory: dir.directory && { ...dir.directory, tokens: dir.directory.tokens.filter((x) => tokenKey(x) !== recoveryKey) } }),
    [dir, recoveryKey],
  );

  function takePin(): string | null {
    const typed = pin.current?.take() ?? '';
    if (!recovery) {
      setErrors({ token: t('tokens.choose') });
      return null;
    }
    if (!recovery.pinPad && typed.length === 0) {
      setErrors({ pin: t('pin.required') });
      pin.current?.focus();
      return null;
    }
    return typed;
  }

  function refused(err: unknown, tokenPlace: 'token' | 'person') {
    const de = asDeskError(err);
    const placed = placeTokenError(de);
    if (de.code === 'NOT_BOUND') setErrors({ token: errorText(de) });
    else if (de.code === 'TOKEN_UNSUITABLE' && tokenPlace === 'person') setErrors({ person: errorText(de) });
    else setErrors({ [placed.place === 'token' ? tokenPlace : placed.place]: placed.text });
    if (placed.place === 'pin') pin.current?.focus();
    if (de.code === 'TOKEN_ABSENT') dir.refresh();
  }

  async function prove(e: FormEvent) {
    e.preventDefault();
    const typed = takePin();
    if (typed === null || !recovery) return;
    setErrors({});
    setBusy('checking');
    try {
      const list = await call('session.legacyUsers', { token: tokenRef(recovery), ...(recovery.pinPad ? {} : { pin: typed }) });
      setUsers(list);
      setUserId(list.length === 1 ? list[0]!.id : null);
    } catch (err) {
      refused(err, 'token');
    } finally {
      setBusy(null);
    }
  }

  async function bind(e: FormEvent) {
    e.preventDefault();
    const typed = takePin();
    if (typed === null || !recovery) return;
    const found: Errors = {};
    if (userId === null) found.user = t('lock.legacy.chooseUser');
    if (!person) found.person = t('tokens.choose');
    if (!recovery.pinPad && typed.length === 0) found.pin = t('pin.required');
    if (Object.keys(found).length > 0 || !person || userId === null) {
      setErrors(found);
      return;
    }
    setErrors({});
    setBusy('encrypting');
    try {
      await call('session.bindLegacy', { token: tokenRef(recovery), ...(recovery.pinPad ? {} : { pin: typed }), userId, person: tokenRef(person) });
      onDone(users?.find((u) => u.id === userId)?.fullName ?? '', person.label || person.serial);
    } catch (err) {
      refused(err, 'person');
    } finally {
      setBusy(null);
      // A step the core left half-way (it failed) is not shown as still under way; the next unlock finishes it.
      useWork.getState().unlockEnded();
    }
  }

  const proven = users !== null;
  if (!recoveryConfigured) {
    return (
      <div className="card lock-card" role="group" aria-labelledby="legacy-title">
        <div className="lock-heading">
          <span className="lock-badge" aria-hidden="true"><Icon name="lock" /></span>
          <div>
            <h1 id="legacy-title">{t('lock.bind.title')}</h1>
            <p className="lock-lead">{message}</p>
          </div>
        </div>
        <div className="form-actions">
          <button type="button" className="button" onClick={onBack}>{t('common.back')}</button>
        </div>
      </div>
    );
  }
  return (
    <form className="card lock-card" onSubmit={(e) => void (proven ? bind(e) : prove(e))} aria-labelledby="legacy-title" noValidate>
      <div className="lock-heading">
        <span className="lock-badge" aria-hidden="true"><Icon name="lock" /></span>
        <div>
          <h1 id="legacy-title">{t('lock.bind.title')}</h1>
          <p className="lock-lead">{message}</p>
        </div>
      </div>

      {proven ? (
        <>
          <div className="chosen-token">
            <Icon name="usb" />
            <span>{t('lock.legacy.recoveryToken')}: <span className="token-label">{recovery?.label || recovery?.serial}</span></span>
          </div>
          <fieldset className="user-list" disabled={busy !== null} aria-describedby={errors.user ? 'legacy-user-error' : undefined}>
            <legend>{t('lock.legacy.whom')}</legend>
            {users.length === 0 && <p>{t('lock.bind.noUsers')}</p>}
            {users.map((u) => (
              <label key={u.id} className={userId === u.id ? 'user-option is-checked' : 'user-option'}>
                <input type="radio" name="legacy-user" value={u.id} checked={userId === u.id} onChange={() => setUserId(u.id)} />
                <span className="user-option-body">
                  <span className="user-name">{t('lock.legacy.bindFor', { name: u.fullName })}</span>
                  <span className="user-meta">
                    {u.position} · {labels.role(u.role)} · {t('lock.clearance')} <SecrecyBadge level={u.clearance} />
                  </span>
                </span>
              </label>
            ))}
            {errors.user && <div id="legacy-user-error" className="field-error" role="alert">{errors.user}</div>}
          </fieldset>
          <TokenPicker dir={personDir} selected={personKey} onSelect={selectPerson} name="legacy-person" legend={t('lock.legacy.personToken')}
            error={errors.person} showCertificates disabled={busy !== null} />
        </>
      ) : (
        <TokenPicker dir={dir} selected={recoveryKey} onSelect={selectRecovery} name="legacy-recovery" legend={t('lock.legacy.recoveryToken')}
          error={errors.token} disabled={busy !== null} />
      )}

      <PinField id="legacy-pin" handle={pin} error={errors.pin} pinPad={recovery?.pinPad ?? false} disabled={busy !== null} autoFocus
        label={t('lock.legacy.recoveryPin')} hint={proven ? t('lock.legacy.pinAgain') : t('lock.legacy.pinHint')} />

      {errors.token && proven && <div className="form-error" role="alert">{errors.token}</div>}
      {errors.form && <div className="form-error" role="alert">{errors.form}</div>}
      {busy === 'encrypting' && (
        <div className="notice progress-note" role="status">
          <Spinner /> {t('lock.bind.encrypting')}
        </div>
      )}
      <div className="form-actions">
        <button type="button" className="button" disabled={busy !== null} onClick={onBack}>{t('common.back')}</button>
        <button type="submit" className="button primary" disabled={busy !== null}>
          {busy ? <Spinner /> : <Icon name={proven ? 'link' : 'lock'} />} {proven ? t('lock.bind.submit') : t('lock.legacy.prove')}
        </button>
      </div>
    </form>
  );
}
