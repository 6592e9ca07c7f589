// Before the idle lock: a countdown the person can stop with "Tiếp tục làm việc". Main announces
// the lock ahead (session.idleWarning); the draft was saved when the announcement came, so letting
// the lock happen loses nothing. Activity withdraws the warning (session.resumed).
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Dialog } from '../../components/Dialog';
import { Icon } from '../../components/Icon';
import { call } from '../../ipc/call';
import { useApp } from '../../stores/app';

export function IdleWarning() {
  const { t } = useTranslation();
  const lockAt = useApp((s) => s.idleLockAt);
  const [now, setNow] = useState(() => Date.now());
  const button = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (lockAt === null) return;
    setNow(Date.now());
    button.current?.focus();
    const tick = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(tick);
  }, [lockAt]);

  const keepWorking = () => {
    useApp.getState().idleWarning(null);
    void call('session.activity', {}).catch(() => undefined);
  };

  const seconds = lockAt === null ? 0 : Math.max(0, Math.ceil((lockAt - now) / 1000));
  return (
    <Dialog open={lockAt !== null} title={t('idle.title')} onClose={keepWorking} className="idle-dialog"
      footer={
        <button ref={button} type="button" className="button primary" onClick={keepWorking}>
          {t('idle.continue')}
        </button>
      }>
      <p className="idle-countdown" role="timer">
        <Icon name="lock" /> <strong>{t('idle.countdown', { count: seconds })}</strong>
      </p>
      <p>{t('idle.lead')}</p>
    </Dialog>
  );
}
