// The lock screen: the profile is encrypted and opens only with a bound token and its PIN. It says
// why the workstation locked, offers the people whose tokens are present and bound (the only usable
// one is chosen; PersonPicker), and turns every refusal into what to do next. A plain profile from
// before token binding opens for a token bound before (and is encrypted on the way); for any other
// token the recovery token binds someone first (LegacyBinding.tsx): nobody is listed, and nobody can
// claim to be someone, before that.
import { useCallback, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Icon, Spinner } from '../../components/Icon';
import i18n from '../../i18n';
import { errorText } from '../../i18n/errors';
import { asDeskError, call } from '../../ipc/call';
import { desk } from '../../ipc/desk';
import { useApp, type LockNotice } from '../../stores/app';
import { PinField, type PinHandle } from '../tokens/PinField';
import { placeTokenError } from '../tokens/tokenErrors';
import { tokenKey, tokenRef } from '../tokens/tokenText';
import { useTokenDirectory } from '../tokens/useTokenDirectory';
import { LegacyBinding } from './LegacyBinding';
import { LanguageSwitch } from './LanguageSwitch';
import { WorkProgress } from '../work/WorkProgress';
import { PersonPicker } from './PersonPicker';
import { useWork } from '../../stores/work';

export function LockScreen() {
  const { t } = useTranslation();
  const info = useApp((s) => s.info);
  const notice = useApp((s) => s.lockNotice);
  const unlocked = useApp((s) => s.unlocked);
  const dir = useTokenDirectory();
  const [selected, setSelected] = useState<string | null>(null);
  const select = useCallback((key: string | null) => setSelected(key), []);
  const pin = useRef<PinHandle>(null);
  const [errors, setErrors] = useState<{ pin?: string; token?: string; form?: string }>({});
  const [busy, setBusy] = useState<null | 'unlocking'>(null);
  /** A plain profile and a token bound to nobody: the recovery token binds someone first. */
  const [legacy, setLegacy] = useState<{ message: string; recoveryConfigured: boolean } | null>(null);
  const [bound, setBound] = useState<{ name: string; label: string } | null>(null);

  const token = dir.directory?.tokens.find((x) => tokenKey(x) === selected) ?? null;
  // Until the tokens present are known there is nobody to unlock as: a PIN typed and sent in that moment
  // would only earn "choose a token" (on a slow machine the first directory takes seconds), so the
  // button waits with the list.
  const finding = dir.loading && !dir.directory;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (finding || busy) return;
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
    setErrors({});
    const pinInput = token.pinPad ? {} : { pin: typed };
    setBusy('unlocking');
    try {
      const session = await call('session.unlock', { token: tokenRef(token), ...pinInput });
      await unlocked(session, tokenRef(token));
    } catch (err) {
      const de = asDeskError(err);
      if (de.code === 'BIND_REQUIRED') {
        setLegacy({ message: errorText(de), recoveryConfigured: de.details?.recoveryConfigured !== false });
        return;
      }
      const placed = placeTokenError(de);
      setErrors({ [placed.place]: placed.text });
      if (placed.place === 'pin') pin.current?.focus();
      if (de.code === 'TOKEN_ABSENT') dir.refresh();
    } finally {
      setBusy(null);
      // A step the core left half-way (it failed) is not shown as still under way; the next unlock finishes it.
      useWork.getState().unlockEnded();
    }
  }

  if (legacy) {
    return (
      <main className="lock">
        <WorkProgress placement="lock" />
        <LegacyBinding dir={dir} message={legacy.message} recoveryConfigured={legacy.recoveryConfigured} onBack={() => setLegacy(null)} onDone={(name, label) => {
          setLegacy(null);
          setBound({ name, label });
          setErrors({});
          // The profile is encrypted now: the lock screen stops saying it is not.
          void desk.invoke('app.info', {}).then((fresh) => useApp.setState({ info: fresh })).catch(() => undefined);
        }} />
      </main>
    );
  }

  return (
    <main className="lock">
      <WorkProgress placement="lock" />
      <form className="card lock-card" onSubmit={(e) => void submit(e)} aria-labelledby="lock-title" noValidate>
        <div className="card-brand">
          <span className="brand-mark" aria-hidden="true">SD</span> SecureDesk
          {info?.unit && <span className="lock-unit">{info.unit.name}</span>}
          <LanguageSwitch />
        </div>
        <div className="lock-heading">
          <span className="lock-badge" aria-hidden="true"><Icon name="lock" /></span>
          <div>
            <h1 id="lock-title">{t('lock.title')}</h1>
            <p className="lock-lead">{t('lock.lead')}</p>
          </div>
        </div>
        {notice && <LockReason notice={notice} />}
        {bound && <div className="notice legacy-bound" role="status"><Icon name="check" /> {t('lock.legacy.done', bound)}</div>}
        {!bound && info?.needsBinding && <div className="notice">{t('lock.needsBinding')}</div>}

        <PersonPicker dir={dir} selected={selected} onSelect={select} error={errors.token} disabled={busy !== null} />

        <PinField id="lock-pin" handle={pin} error={errors.pin} pinPad={token?.pinPad ?? false} disabled={busy !== null} autoFocus
          hint={t('pin.hint')} />

        {errors.form && <div className="form-error" role="alert">{errors.form}</div>}
        <div className="form-actions">
          <button type="submit" className="button primary" disabled={busy !== null || finding}>
            {busy || finding ? <Spinner /> : <Icon name="lock" />} {t('lock.submit')}
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
