// What the core is busy with while the person waits (a compartment re-keyed after a clearance was
// lowered or a token unbound): shown on every screen, with how far it is. It cannot be cancelled
// (the key must change); an interrupted run is finished at the next unlock, which is what it says.
import { useTranslation } from 'react-i18next';
import { Spinner } from '../../components/Icon';
import { useLabels } from '../../i18n/labels';
import { useWork } from '../../stores/work';

export function WorkProgress() {
  const { t } = useTranslation();
  const labels = useLabels();
  const running = useWork((s) => s.running);
  if (running.length === 0) return null;
  return (
    <div className="work-progress" role="status" aria-live="polite">
      {running.map((w) => (
        <div key={`${w.task}-${w.level}`} className="work-item">
          <div className="work-title"><Spinner /> {t('work.rekey', { level: labels.secrecy(w.level) })}</div>
          <progress max={w.total || 1} value={w.done} aria-label={t('work.rekey', { level: labels.secrecy(w.level) })} />
          <div className="work-figures">{t('work.files', { done: w.done.toLocaleString('vi-VN'), total: w.total.toLocaleString('vi-VN') })}</div>
          <p className="field-hint">{t('work.rekeyHint')}</p>
        </div>
      ))}
    </div>
  );
}
