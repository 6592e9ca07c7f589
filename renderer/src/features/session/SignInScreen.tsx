// Sign-in by choosing one's user record: a stopgap until token (PKCS#11) sign-in arrives.
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { UserSummary } from '../../../../common/contract';
import { Spinner } from '../../components/Icon';
import { SecrecyBadge } from '../../components/Secrecy';
import { useLabels } from '../../i18n/labels';
import { asDeskError, call, isGloballyHandled } from '../../ipc/call';
import { useApp } from '../../stores/app';

export function SignInScreen() {
  const { t } = useTranslation();
  const labels = useLabels();
  const info = useApp((s) => s.info);
  const notice = useApp((s) => s.signInNotice);
  const signedIn = useApp((s) => s.signedIn);
  const [users, setUsers] = useState<UserSummary[] | null>(null);
  const [chosen, setChosen] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    call('session.users', {}).then(
      (list) => {
        setUsers(list);
        if (list.length === 1) setChosen(list[0]!.id);
      },
      (err: unknown) => setError(asDeskError(err).message),
    );
  }, []);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (chosen === null) {
      setError(t('signin.chooseUser'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      signedIn(await call('session.login', { userId: chosen }));
    } catch (err) {
      const de = asDeskError(err);
      if (!isGloballyHandled(de) || de.code === 'NO_SESSION') setError(de.message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="signin">
      <form className="card signin-card" onSubmit={(e) => void submit(e)} aria-labelledby="signin-title">
        <div className="card-brand">
          <span className="brand-mark" aria-hidden="true">SD</span> SecureDesk
        </div>
        {info?.unit && <div className="signin-unit">{info.unit.name}</div>}
        <h1 id="signin-title">{t('signin.title')}</h1>
        {notice && <div className="notice" role="status">{notice}</div>}
        {users === null && !error && <p><Spinner /> {t('app.loading')}</p>}
        {users && users.length === 0 && <p>{t('signin.noUsers')}</p>}
        {users && users.length > 0 && (
          <fieldset className="user-list">
            <legend>{t('signin.chooseUser')}</legend>
            {users.map((u) => (
              <label key={u.id} className={chosen === u.id ? 'user-option is-checked' : 'user-option'}>
                <input type="radio" name="user" value={u.id} checked={chosen === u.id} onChange={() => setChosen(u.id)} />
                <span className="user-option-body">
                  <span className="user-name">{u.fullName}</span>
                  <span className="user-meta">
                    {u.position} · {labels.role(u.role)} · {t('signin.clearance')} <SecrecyBadge level={u.clearance} />
                  </span>
                </span>
              </label>
            ))}
          </fieldset>
        )}
        {error && <div className="form-error" role="alert">{error}</div>}
        <div className="form-actions">
          <button type="submit" className="button primary" disabled={busy || !users || users.length === 0}>
            {busy && <Spinner />} {t('signin.submit')}
          </button>
        </div>
        <p className="fine-print">{t('signin.temporary')}</p>
      </form>
    </main>
  );
}
