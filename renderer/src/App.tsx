// Top level: which screen the workstation is on. A damaged profile keeps its red banner on every
// screen and the app stays read-only. A pushed "session locked" (token pulled, idle, bridge lost)
// wipes every document from the window and shows the lock screen in the same task.
import { useEffect } from 'react';
import { flushSync } from 'react-dom';
import { useTranslation } from 'react-i18next';
import { Icon, Spinner } from './components/Icon';
import { Toasts } from './components/Toasts';
import { LockScreen } from './features/session/LockScreen';
import { SetupScreen } from './features/setup/SetupScreen';
import { AppShell } from './features/shell/AppShell';
import { errorText } from './i18n/errors';
import { desk } from './ipc/desk';
import { useApp } from './stores/app';
import { saveDraftNow } from './stores/registerDraft';
import { useWork } from './stores/work';
import { WorkProgress } from './features/work/WorkProgress';

export function App() {
  const phase = useApp((s) => s.phase);
  const boot = useApp((s) => s.boot);

  useEffect(() => {
    void boot();
  }, [boot]);

  useEffect(
    () =>
      desk.onEvent((event) => {
        if (event.type === 'session.idleWarning') {
          // The lock is coming: keep the draft now (the window can no longer save once locked).
          void saveDraftNow();
          useApp.getState().idleWarning(event.seconds);
          return;
        }
        if (event.type === 'session.resumed') {
          useApp.getState().idleWarning(null);
          return;
        }
        if (event.type === 'work.progress') {
          useWork.getState().report(event);
          return;
        }
        flushSync(() =>
          useApp.getState().locked(event.idleSeconds ? { kind: event.reason, idleSeconds: event.idleSeconds } : { kind: event.reason }),
        );
      }),
    [],
  );

  return (
    <>
      {phase === 'ready' ? (
        <AppShell />
      ) : (
        <div className="standalone">
          <ReadOnlyBanner />
          {phase === 'loading' && <Loading />}
          {phase === 'unavailable' && <Unavailable />}
          {phase === 'setup' && <SetupScreen />}
          {phase === 'locked' && <LockScreen />}
        </div>
      )}
      {/* The lock screen shows it in its own place (LockScreen.tsx). */}
      {phase !== 'locked' && <WorkProgress />}
      <Toasts />
    </>
  );
}

export function ReadOnlyBanner() {
  const reason = useApp((s) => s.readOnlyReason);
  const { t } = useTranslation();
  if (!reason) return null;
  return (
    <div className="banner banner-danger" role="alert">
      <Icon name="lock" />
      <div>
        <strong>{t('app.readOnlyTitle')}</strong> {errorText(reason)}
      </div>
    </div>
  );
}

function Loading() {
  const { t } = useTranslation();
  return (
    <div className="center-message">
      <Spinner /> {t('app.loading')}
    </div>
  );
}

function Unavailable() {
  const { t } = useTranslation();
  const error = useApp((s) => s.bootError);
  const boot = useApp((s) => s.boot);
  return (
    <div className="card narrow" role="alert">
      <h1>{t('app.unavailableTitle')}</h1>
      <p>{error ? errorText(error) : null}</p>
      <button type="button" className="button primary" onClick={() => void boot()}>
        {t('common.retry')}
      </button>
    </div>
  );
}
