// The lock screen: the profile is encrypted and opens only with a bound token and its PIN. It says
// why the workstation locked, offers the people whose tokens are present and bound (the only usable
// one is chosen; PersonPicker), and turns
// every refusal into what to do next. A plain profile from before token binding asks "Tôi là …"
// once, then binds the token and encrypts the profile.
import { useCallback, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { UserSummary } from '../../../../common/contract';
import type { DeskError } from '../../../../common/errors';
import { Icon, Spinner } from '../../components/Icon';
import { SecrecyBadge } from '../../components/Secrecy';
import i18n from '../../i18n';
import { useLabels } from '../../i18n/labels';
import { errorText } from '../../i18n/errors';
import { asDeskError, call } from '../../ipc/call';
import { useApp, type LockNotice } from '../../stores/app';
import { PinField, type PinHandle } from '../tokens/PinField';
import { placeTokenError } from '../tokens/tokenErrors';
import { holderOf, tokenRef } from '../tokens/tokenText';
import { LanguageSwitch } from './LanguageSwitch';
import { useTokenDirectory } from '../tokens/useTokenDirectory';
import { PersonPicker } from './PersonPicker';

interface Binding {
  users: UserSummary[];
  userId: number | null;
  /** BIND_REQUIRED as the core said it (worded when shown). */
  error: DeskError;
}

export function LockScreen() {
  const { t } = useTranslation();
  const labels = useLabels();
  const info = useApp((s) => s.info);
  const notice = useApp((s) => s.lockNotice);
  const unlocked = useApp((s) => s.unlocked);
  const dir = useTokenDirectory();
  const [selected, setSelected] = useState<string | null>(null);
  const select = useCallback((key: string | null) => setSelected(key), []);
  const pin = useRef<PinHandle>(null);
  const [errors, setErrors] = useState<{ pin?: string; token?: string; form?: string }>({});
  const [busy, setBusy] = useState<null | 'unlocking' | 'encrypting'>(null);
  const [binding, setBinding] = useState<Binding | null>(null);

  const token = dir.directory?.tokens.find((x) => `${x.module}\n${x.serial}` === selected) ?? null;

  async function submit(e: FormEvent) {
    e.preventDefault();
    const typed = pin.current?.take() ?? '';
    if (!token) {
      setErrors({ token: t('tokens.choose') });
      return;
    }
    if (!token.pinPad && typed.length === 0) {
      setErrors({ pin: t('pin.required') });
      pin.current?.focus();
      return;
    }
    if (binding && binding.userId === null) {
      setErrors({ form: t('lock.bind.chooseUser') });
      return;
    }
    setErrors({});
    const pinInput = token.pinPad ? {} : { pin: typed };
    setBusy(binding ? 'encrypting' : 'unlocking');
    try {
      const session = binding
        ? await call('session.bindLegacy', { userId: binding.userId!, token: tokenRef(token), ...pinInput })
        : await call('session.unlock', { token: tokenRef(token), ...pinInput });
      await unlocked(session, tokenRef(token));
    } catch (err) {
      const de = asDeskError(err);
      if (de.code === 'BIND_REQUIRED') {
        const users = Array.isArray(de.details?.users) ? (de.details.users as UserSummary[]) : [];
        setBinding({ users, userId: users.length === 1 ? users[0]!.id : null, error: de });
        return;
      }
      const placed = placeTokenError(de);
      setErrors({ [placed.place]: placed.text });
      if (placed.place === 'pin') pin.current?.focus();
      if (de.code === 'TOKEN_ABSENT') dir.refresh();
    } finally {
      setBusy(null);
    }
  }

  return (
    <main className="lock">
      <form className="card lock-card" onSubmit={(e) => void submit(e)} aria-labelledby="lock-title" noValidate>
        <div className="card-brand">
          <span className="brand-mark" aria-hidden="true">SD</span> SecureDesk
          {info?.unit && <span className="lock-unit">{info.unit.name}</span>}
          <LanguageSwitch />
        </div>
        <div className="lock-heading">
          <span className="lock-badge" aria-hidden="true"><Icon name="lock" /></span>
          <div>
            <h1 id="lock-title">{binding ? t('lock.bind.title') : t('lock.title')}</h1>
            <p className="lock-lead">{binding ? errorText(binding.error) : t('lock.lead')}</p>
          </div>
        </div>
        {!binding && notice && <LockReason notice={notice} />}
        {!binding && info?.needsBinding && <div className="notice">{t('lock.needsBinding')}</div>}

        {binding && (
          <fieldset className="user-list" disabled={busy !== null}>
            <legend>{t('lock.bind.whoAmI')}</legend>
            {binding.users.length === 0 && <p>{t('lock.bind.noUsers')}</p>}
            {binding.users.map((u) => (
              <label key={u.id} className={binding.userId === u.id ? 'user-option is-checked' : 'user-option'}>
                <input type="radio" name="bind-user" value={u.id} checked={binding.userId === u.id}
                  onChange={() => setBinding({ ...binding, userId: u.id })} />
                <span className="user-option-body">
                  <span className="user-name">{t('lock.bind.iAm', { name: u.fullName })}</span>
                  <span className="user-meta">
                    {u.position} · {labels.role(u.role)} · {t('lock.clearance')} <SecrecyBadge level={u.clearance} />
                  </span>
                </span>
              </label>
            ))}
          </fieldset>
        )}

        {binding && token ? (
          <div className="chosen-token">
            <Icon name="usb" />
            <span>
              {t('lock.token')}: <span className="token-label">{token.label || token.serial}</span>
              {holderOf(token) && <span className="muted"> · {t('tokens.holder', { name: holderOf(token) })}</span>}
            </span>
          </div>
        ) : (
          <PersonPicker dir={dir} selected={selected} onSelect={select} error={errors.token} disabled={busy !== null} />
        )}

        <PinField id="lock-pin" handle={pin} error={errors.pin} pinPad={token?.pinPad ?? false} disabled={busy !== null} autoFocus
          hint={binding ? t('lock.bind.pinAgain') : t('pin.hint')} />

        {errors.form && <div className="form-error" role="alert">{errors.form}</div>}
        {busy === 'encrypting' && (
          <div className="notice progress-note" role="status">
            <Spinner /> {t('lock.bind.encrypting')}
          </div>
        )}
        <div className="form-actions">
          {binding && (
            <button type="button" className="button" disabled={busy !== null} onClick={() => { setBinding(null); setErrors({}); }}>
              {t('common.back')}
            </button>
          )}
          <button type="submit" className="button primary" disabled={busy !== null}>
            {busy ? <Spinner /> : <Icon name="lock" />} {binding ? t('lock.bind.submit') : t('lock.submit')}
          </button>
        </div>
        <p className="fine-print">{t('lock.finePrint')}</p>
      </form>
    </main>
  );
}

function LockReason({ notice }: { notice: LockNotice }) {
  const { t } = useTranslation();
  let text: string;
  if (notice.kind === 'session') text = errorText(notice.error);
  else if (notice.kind === 'idle') text = t('lock.reason.idle', { duration: idleDuration(notice.idleSeconds) });
  else text = t(`lock.reason.${notice.kind}`);
  const urgent = notice.kind === 'removed' || notice.kind === 'bridge';
  return (
    <div className={urgent ? 'notice notice-warning lock-reason' : 'notice lock-reason'} role={urgent ? 'alert' : 'status'}>
      <Icon name={urgent ? 'alert' : 'info'} /> <span>{text}</span>
    </div>
  );
}

function idleDuration(seconds: number | undefined): string {
  if (!seconds) return i18n.t('lock.duration.unknown');
  if (seconds >= 60 && seconds % 60 === 0) return i18n.t('lock.duration.minutes', { count: seconds / 60 });
  return i18n.t('lock.duration.seconds', { count: seconds });
}
