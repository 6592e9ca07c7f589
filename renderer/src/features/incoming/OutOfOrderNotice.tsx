// Asks before registering into a past year or before the register's latest arrival: the number
// would not follow the order of arrival. Confirming registers it anyway (and the core audits it).
import { useTranslation } from 'react-i18next';
import { formatDateVn } from '../../../../common/dates';
import { Icon } from '../../components/Icon';

export interface OrderReason {
  reason: 'past_year' | 'before_latest';
  year: number;
  latestArrival?: string;
}

interface Props {
  message: string;
  reasons: OrderReason[];
  busy: boolean;
  onReview(): void;
  onConfirm(): void;
}

export function OutOfOrderNotice({ message, reasons, busy, onReview, onConfirm }: Props) {
  const { t } = useTranslation();
  return (
    <div className="notice notice-warning out-of-order-panel" role="alert">
      <div className="notice-title">
        <Icon name="alert" /> {t('entry.outOfOrder.title')}
      </div>
      {reasons.length > 0 ? (
        <ul className="plain-list">
          {reasons.map((r) => (
            <li key={r.reason}>
              {r.reason === 'past_year'
                ? t('entry.outOfOrder.pastYear', { year: r.year })
                : t('entry.outOfOrder.beforeLatest', { date: formatDateVn(r.latestArrival) })}
            </li>
          ))}
        </ul>
      ) : (
        <p>{message}</p>
      )}
      <p>{t('entry.outOfOrder.explain')}</p>
      <div className="notice-actions">
        <button type="button" className="button" onClick={onReview}>{t('entry.outOfOrder.review')}</button>
        <button type="button" className="button danger-outline" onClick={onConfirm} disabled={busy}>
          {t('entry.outOfOrder.confirm')}
        </button>
      </div>
    </div>
  );
}
