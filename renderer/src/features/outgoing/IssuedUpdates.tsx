// The Cập nhật history of an issued document: when, by whom, each field's old → new value and the
// reason, worded by the window from the core's structured changes (so English reads English too).
import { useTranslation } from 'react-i18next';
import type { OutgoingUpdateView } from '../../../../common/contract';
import { Icon } from '../../components/Icon';
import { formatDateTimeVn } from '../../lib/format';
import { shownValue } from './UpdateIssuedDialog';

export function UpdateChanges({ update }: { update: OutgoingUpdateView }) {
  const { t } = useTranslation();
  const none = t('outgoing.detail.none');
  return (
    <span className="update-changes-inline">
      {update.changes.map((c) => (
        <span key={c.field} className="trail-comment update-change">
          <span className="strong">{t(`outgoing.update.field.${c.field}`)}:</span>{' '}
          <span className="change-before">{shownValue(c.field, c.before, none)}</span> → <span className="change-after">{shownValue(c.field, c.after, none)}</span>
        </span>
      ))}
      <span className="trail-comment update-reason">{t('outgoing.update.reasonShown', { reason: update.reason })}</span>
    </span>
  );
}

export function IssuedUpdates({ updates }: { updates: OutgoingUpdateView[] }) {
  const { t } = useTranslation();
  if (updates.length === 0) return null;
  return (
    <>
      <h2 className="meta-heading"><Icon name="pen" /> {t('outgoing.update.history')}</h2>
      <ol className="trail-list update-history" aria-label={t('outgoing.update.history')}>
        {[...updates].reverse().map((u) => (
          <li key={u.id}>
            <span className="trail-time">{formatDateTimeVn(u.at)}</span> <span className="strong">{t('outgoing.step.update')}</span> · {u.actorName}
            <UpdateChanges update={u} />
          </li>
        ))}
      </ol>
    </>
  );
}
