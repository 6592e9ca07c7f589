// The sync indicator in the header, for everyone signed in: synced, N of one's own changes waiting,
// offline since HH:mm dd/mm/yyyy, or an error (details on the Đồng bộ page). Nothing when this
// workstation has no agency server. Only the person's own summary comes over the contract.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SyncIndicatorView } from '../../../../common/contract';
import { call } from '../../ipc/call';
import { formatDateTimeVn } from '../../lib/format';

const REFRESH_MS = 10_000;

/** "14:05 05/12/2026": the time first, as the indicator reads ("mất kết nối từ 14:05 05/12/2026"). */
export function timeThenDate(iso: string): string {
  const [date, time] = formatDateTimeVn(iso).split(' ');
  return time && date ? `${time} ${date}` : formatDateTimeVn(iso);
}

export function SyncIndicator() {
  const { t } = useTranslation();
  const [view, setView] = useState<SyncIndicatorView | null>(null);
  useEffect(() => {
    let live = true;
    const load = () => call('sync.indicator', {}).then((v) => { if (live) setView(v); }, () => undefined);
    load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, []);
  if (!view || view.state === 'off') return null;
  let text: string;
  if (view.state === 'synced') text = t('syncIndicator.synced');
  else if (view.state === 'waiting') text = view.waiting > 0 ? t('syncIndicator.waiting', { count: view.waiting }) : t('syncIndicator.notYet');
  else if (view.state === 'offline') text = view.since ? t('syncIndicator.offlineSince', { at: timeThenDate(view.since) }) : t('syncIndicator.offline');
  else text = t('syncIndicator.error');
  const title = view.state === 'error' ? t('syncIndicator.errorHelp') : view.since ? t('syncIndicator.lastContact', { at: timeThenDate(view.since) }) : undefined;
  return (
    <span className={`sync-indicator sync-indicator-${view.state}`} role="status" aria-live="polite" title={title} data-testid="sync-indicator">
      <span className="sync-indicator-dot" aria-hidden="true" />
      <span className="sync-indicator-text">{text}</span>
      {(view.awaitingNumbers ?? 0) > 0 && (
        <span className="sync-indicator-awaiting" data-testid="sync-awaiting-numbers">{t('syncIndicator.awaitingNumbers', { count: view.awaitingNumbers })}</span>
      )}
    </span>
  );
}
