// What the core is busy with while the person waits, shown on every screen (the lock screen too), with
// how far it is: a compartment re-keyed after a clearance was lowered or a token unbound, and at the first
// unlock of an older workstation its data brought to a new version, encrypted (a profile from before
// token binding) and split by secrecy level. None can be cancelled; an interrupted run is finished at
// the next unlock, which is what it says.
import { useTranslation } from 'react-i18next';
import { Spinner } from '../../components/Icon';
import { useLabels } from '../../i18n/labels';
import { useWork, workKey, type Progress } from '../../stores/work';

/** The title, figures and hint of one task, in the window's language. */
function useDescription(w: Progress): { title: string; figures: string; hint: string } {
  const { t, i18n } = useTranslation();
  const labels = useLabels();
  const locale = i18n.language === 'en' ? 'en-US' : 'vi-VN';
  const n = (x: number) => x.toLocaleString(locale);
  if (w.task === 'rekey') {
    return { title: t('work.rekey', { level: labels.secrecy(w.level) }), figures: t('work.files', { done: n(w.done), total: n(w.total) }), hint: t('work.rekeyHint') };
  }
  if (w.task === 'migrate') {
    // A migration step reports records only when it is a long one; a short step shows the steps alone.
    const figures = w.total > 1 ? t('work.migrateRecords', { step: w.step, steps: w.steps, done: n(w.done), total: n(w.total) }) : t('work.migrateStep', { step: w.step, steps: w.steps });
    return { title: t('work.migrate'), figures, hint: t('work.migrateHint') };
  }
  // Encryption and split: each step named, with its bytes (in MB), records or files when it has them.
  const phase = t(`work.${w.task}Phase${w.step}`);
  const at = { step: w.step, steps: w.steps, phase };
  const mb = (x: number) => (x / (1 << 20)).toLocaleString(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const figures = w.unit === 'bytes' ? t('work.phaseBytes', { ...at, done: mb(w.done), total: mb(w.total) })
    : w.unit === 'records' ? t('work.phaseRecords', { ...at, done: n(w.done), total: n(w.total) })
      : w.unit === 'files' ? t('work.phaseFiles', { ...at, done: n(w.done), total: n(w.total) })
        : t('work.phase', at);
  return { title: t(`work.${w.task}`), figures, hint: t(`work.${w.task}Hint`) };
}

function Item({ w }: { w: Progress }) {
  const { title, figures, hint } = useDescription(w);
  return (
    <div className="work-item">
      <div className="work-title"><Spinner /> {title}</div>
      <progress max={w.total || 1} value={w.done} aria-label={title} />
      {/* Changed ten times a second: read from the bar, not announced at every figure. */}
      <div className="work-figures" aria-live="off">{figures}</div>
      <p className="field-hint">{hint}</p>
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
