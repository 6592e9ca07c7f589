// "Lịch sử sửa thông tin": every correction of the entry, who made it, when, why, and the values
// before and after (the core keeps them; nothing here is editable).
import { useTranslation } from 'react-i18next';
import type { CorrectionView } from '../../../../common/contract';
import { formatDateVn } from '../../../../common/dates';
import { ARRIVAL_CHANNELS, type ArrivalChannel } from '../../../../common/domain';
import { Icon } from '../../components/Icon';
import { useLabels } from '../../i18n/labels';
import { formatDateTimeVn } from '../../lib/format';

export function CorrectionHistory({ corrections }: { corrections: CorrectionView[] }) {
  const { t } = useTranslation();
  const labels = useLabels();
  if (corrections.length === 0) return null;
  const show = (field: string, v: unknown): string => {
    if (v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) return t('detail.none');
    if (Array.isArray(v)) return v.join('; ');
    if (field === 'documentDate' || field === 'deadline') return formatDateVn(String(v));
    if (field === 'typeCode') return labels.docType(String(v));
    if (field === 'urgency') return labels.urgency(v as never);
    if (field === 'arrivalChannel' && (ARRIVAL_CHANNELS as readonly string[]).includes(String(v))) return t(`entry.channels.${v as ArrivalChannel}`);
    return String(v);
  };
  return (
    <section className="meta-section corrections-section" aria-labelledby="corrections-title">
      <h2 id="corrections-title" className="meta-heading"><Icon name="file" /> {t('corrections.history', { count: corrections.length })}</h2>
      <ol className="correction-list">
        {corrections.map((c) => (
          <li key={c.id}>
            <div className="small"><span className="strong">{formatDateTimeVn(c.correctedAt)}</span> · {c.correctedBy}</div>
            <div className="small">{t('corrections.reasonShown', { reason: c.reason })}</div>
            <ul className="correction-changes">
              {c.changes.map((x) => (
                <li key={x.field} className="small">
                  <span className="muted">{t(`corrections.fields.${x.field}`, { defaultValue: x.field })}:</span>{' '}
                  <del>{show(x.field, x.before)}</del> → <ins>{show(x.field, x.after)}</ins>
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ol>
    </section>
  );
}
