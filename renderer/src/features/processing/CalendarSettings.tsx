// "Lịch làm việc và quy tắc xử lý" (administrators): the days off of the week, the public holidays
// (one a line: dd/mm/yyyy and the name; Vietnam's 2026–2027 holidays are the default), and the rules
// deadlines and reminders follow. Checked and kept by the core (base settings), audited.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ProcessingRules } from '../../../../common/processing';
import { formatDateVn, parseDateInput } from '../../../../common/dates';
import type { WorkCalendar } from '../../../../common/workdays';
import { Spinner } from '../../components/Icon';
import { errorText } from '../../i18n/errors';
import { asDeskError, call, isGloballyHandled } from '../../ipc/call';
import { toast } from '../../stores/toasts';

const DAYS = [1, 2, 3, 4, 5, 6, 0] as const;

const toText = (cal: WorkCalendar): string => cal.holidays.map((h) => `${formatDateVn(h.date)} ${h.name}`).join('\n');

export function CalendarSettings() {
  const { t } = useTranslation();
  const [weekend, setWeekend] = useState<number[]>([]);
  const [text, setText] = useState('');
  const [rules, setRules] = useState<ProcessingRules | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    call('processing.calendar', {}).then((c) => {
      setWeekend(c.weekend);
      setText(toText(c));
    }, () => undefined);
    call('processing.rules', {}).then(setRules, () => undefined);
  }, []);

  async function save() {
    if (!rules) return;
    setError(null);
    const holidays: WorkCalendar['holidays'] = [];
    for (const [i, raw] of text.split('\n').entries()) {
      const line = raw.trim();
      if (!line) continue;
      const m = /^(\S+)\s+(.+)$/.exec(line);
      const date = m ? parseDateInput(m[1]!) : null;
      if (!m || !date) {
        setError(t('processing.calendar.badLine', { line: i + 1 }));
        return;
      }
      holidays.push({ date, name: m[2]!.trim() });
    }
    setBusy(true);
    try {
      const saved = await call('processing.setCalendar', { weekend, holidays });
      await call('processing.setRules', rules);
      setText(toText(saved));
      toast.success(t('processing.calendar.saved'));
    } catch (err) {
      const de = asDeskError(err);
      if (!isGloballyHandled(de)) setError(errorText(de));
    } finally {
      setBusy(false);
    }
  }

  const num = (k: keyof Omit<ProcessingRules, 'urgentAtOnce'>, max: number) => (
    <label className="rule-field">
      <span>{t(`processing.calendar.${k}`)}</span>
      <input className="input" type="number" min={0} max={max} value={rules?.[k] ?? 0}
        onChange={(e) => rules && setRules({ ...rules, [k]: Math.max(0, Math.min(max, Number(e.target.value) || 0)) })} />
    </label>
  );

  return (
    <section className="calendar-settings" aria-labelledby="calendar-title">
      <h2 id="calendar-title" className="section-heading">{t('processing.calendar.title')}</h2>
      <fieldset className="weekend">
        <legend>{t('processing.calendar.weekend')}</legend>
        {DAYS.map((d) => (
          <label key={d} className="check">
            <input type="checkbox" checked={weekend.includes(d)} onChange={(e) => setWeekend((w) => (e.target.checked ? [...w, d] : w.filter((x) => x !== d)))} />
            {t(`processing.calendar.day${d}`)}
          </label>
        ))}
      </fieldset>
      <label htmlFor="holidays" className="block">{t('processing.calendar.holidays')}</label>
      <textarea id="holidays" className="input holidays" rows={8} value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} />
      {rules && (
        <div className="rules">
          {num('submitWorkingDays', 10)}
          {num('remindBeforeDays', 30)}
          {num('remindAfterDays', 30)}
          <label className="check">
            <input type="checkbox" checked={rules.urgentAtOnce} onChange={(e) => setRules({ ...rules, urgentAtOnce: e.target.checked })} />
            {t('processing.calendar.urgentAtOnce')}
          </label>
        </div>
      )}
      {error && <div className="form-error" role="alert">{error}</div>}
      <button type="button" className="button primary" disabled={busy || !rules} onClick={() => void save()}>{busy && <Spinner />} {t('processing.calendar.save')}</button>
    </section>
  );
}
