// What the core is busy with while the person waits, shown on every screen (the lock screen too), with
// how far it is: a compartment re-keyed after a clearance was lowered or a token unbound, or the
// workstation's data brought to a new version at unlock. Neither can be cancelled; an interrupted run is
// finished at the next unlock, which is what it says.
import { useTranslation } from 'react-i18next';
import { Spinner } from '../../components/Icon';
import { useLabels } from '../../i18n/labels';
import { useWork, workKey, type Progress } from '../../stores/work';

function Item({ w }: { w: Progress }) {
  const { t } = useTranslation();
  const labels = useLabels();
  const n = (x: number) => x.toLocaleString('vi-VN');
  const title = w.task === 'rekey' ? t('work.rekey', { level: labels.secrecy(w.level) }) : t('work.migrate');
  // A migration step reports records only when it is a long one; a short step shows the steps alone.
  const figures = w.task === 'rekey'
    ? t('work.files', { done: n(w.done), total: n(w.total) })
    : w.total > 1 ? t('work.migrateRecords', { step: w.step, steps: w.steps, done: n(w.done), total: n(w.total) }) : t('work.migrateStep', { step: w.step, steps: w.steps });
  return (
    <div className="work-item">
      <div className="work-title"><Spinner /> {title}</div>
      <progress max={w.total || 1} value={w.done} aria-label={title} />
      {/* Changed ten times a second: read from the bar, not announced at every figure. */}
      <div className="work-figures" aria-live="off">{figures}</div>
      <p className="field-hint">{t(w.task === 'rekey' ? 'work.rekeyHint' : 'work.migrateHint')}</p>
    </div>
  );
}

/**
 * `corner`: in a session, a small panel over the content. `lock`: on the lock screen, above its card and
 * as wide, where the person looks after "Mở khóa" (the card's form waits meanwhile).
 */
export function WorkProgress({ placement = 'corner' }: { placement?: 'corner' | 'lock' }) {
  const running = useWork((s) => s.running);
  if (running.length === 0) return null;
  return (
    <div className={`work-progress work-progress-${placement}`} role="status" aria-live="polite">
      {running.map((w) => <Item key={workKey(w)} w={w} />)}
    </div>
  );
}
