// "Xử lý văn bản đến": the leader's documents waiting for a direction (Chờ cho ý kiến), the person's
// tasks (Cần xử lý), a unit's tasks waiting for a handler (Cần phân công, leaders), and what is due
// soon or overdue; reminders on top; the Sổ theo dõi giải quyết văn bản đến for the văn thư and
// leaders. Every list comes from the core, which shows only what the person may see.
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { InternalUnitView, ProcessingInboxItem, RegisterOutputFile } from '../../../../common/contract';
import { formatDateTimeVn, formatDateVn, todayIso } from '../../../../common/dates';
import type { Inbox } from '../../../../common/processing';
import { DateInput, dateTextToIso } from '../../components/DateInput';
import { Spinner } from '../../components/Icon';
import { SecrecyBadge } from '../../components/Secrecy';
import { errorText } from '../../i18n/errors';
import { useLabels } from '../../i18n/labels';
import { asDeskError, call, isGloballyHandled } from '../../ipc/call';
import { useApp, useIsAdmin } from '../../stores/app';
import { useNav } from '../../stores/nav';
import { toast } from '../../stores/toasts';
import { deliverRegisterFile } from '../secrets/registerFile';
import { CalendarSettings } from './CalendarSettings';
import { badgeText, useNoticesStore } from './useProcessingNotices';
import { DashboardView, type TrackedFilter } from './DashboardView';
import './processing.css';

type Tab = Inbox | 'dashboard' | 'tracked';

export function ProcessingPage() {
  const { t } = useTranslation();
  const labels = useLabels();
  const openIncoming = useNav((s) => s.openIncoming);
  const role = useApp((s) => s.session?.user.role);
  const keepsRegister = useApp((s) => !!s.session?.rights.includes('doc.register'));
  const leader = role === 'lanh_dao';
  const isAdmin = useIsAdmin();
  const dashboard = leader || keepsRegister;
  const boxes: Tab[] = [...(dashboard ? (['dashboard'] as const) : []), ...(leader ? (['opinion'] as const) : []), 'handle', ...(leader ? (['unit'] as const) : []), 'due'];
  const [box, setBox] = useState<Tab>(leader ? 'opinion' : 'handle');
  const [tracked, setTracked] = useState<TrackedFilter | null>(null);
  const [units, setUnits] = useState<InternalUnitView[]>([]);
  const [unitId, setUnitId] = useState<number | null>(null);
  const [items, setItems] = useState<ProcessingInboxItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const notices = useNoticesStore((s) => s.notices);

  useEffect(() => {
    if (!leader) return;
    call('internalUnits.list', {}).then((u) => {
      const active = u.filter((x) => x.active);
      setUnits(active);
      setUnitId((cur) => cur ?? active[0]?.id ?? null);
    }, () => setUnits([]));
  }, [leader]);

  const load = useCallback(() => {
    let live = true;
    setError(null);
    setItems(null);
    if ((box === 'unit' && unitId === null) || box === 'dashboard' || (box === 'tracked' && !tracked)) {
      setItems([]);
      return () => undefined;
    }
    const input = box === 'tracked' && tracked
      ? { box, tracked: tracked.tracked, ...(tracked.userId !== undefined ? { userId: tracked.userId } : {}), ...(tracked.unitId !== undefined ? { unitId: tracked.unitId } : {}) }
      : { box, ...(box === 'unit' && unitId !== null ? { unitId } : {}) };
    call('processing.inbox', input)
      .then((r) => live && setItems(r), (err: unknown) => live && setError(errorText(asDeskError(err))));
    useNoticesStore.getState().refresh();
    return () => {
      live = false;
    };
  }, [box, unitId, tracked]);
  useEffect(() => load(), [load]);

  const count = (b: Tab): number | null => {
    if (!notices || b === 'dashboard' || b === 'tracked') return null;
    if (b === 'due') return notices.overdue + notices.dueSoon;
    return notices[b];
  };

  return (
    <section className="page admin-page processing-page" aria-labelledby="processing-title">
      <div className="page-header">
        <h1 id="processing-title">{t('processing.title')}</h1>
        <span className="page-count">{items && box !== 'dashboard' ? t('processing.count', { count: items.length }) : ''}</span>
      </div>
      <div className="admin-body">
        {notices && (notices.overdue > 0 || notices.dueSoon > 0 || notices.extensions > 0 || notices.escalated > 0) && (
          <ul className="processing-reminders" aria-label={t('processing.reminders')}>
            {notices.overdue > 0 && <li className="reminder-overdue">{t('processing.remind.overdue', { count: notices.overdue })}</li>}
            {notices.dueSoon > 0 && <li className="reminder-soon">{t('processing.remind.dueSoon', { count: notices.dueSoon })}</li>}
            {notices.extensions > 0 && <li>{t('processing.remind.extensions', { count: notices.extensions })}</li>}
            {notices.escalated > 0 && <li className="reminder-overdue">{t('processing.remind.escalated', { count: notices.escalated })}</li>}
          </ul>
        )}
        <div className="processing-tabs" role="tablist" aria-label={t('processing.boxes')}>
          {boxes.map((b) => (
            <button key={b} type="button" role="tab" aria-selected={box === b || (b === 'dashboard' && box === 'tracked')}
              className={box === b || (b === 'dashboard' && box === 'tracked') ? 'tab is-active' : 'tab'} onClick={() => setBox(b)}>
              {t(`processing.box.${b}`)}
              {(count(b) ?? 0) > 0 && <span className="count-badge">{badgeText(count(b) ?? 0)}</span>}
            </button>
          ))}
          {box === 'unit' && (
            <select className="input unit-select" aria-label={t('processing.unit')} value={unitId ?? ''} onChange={(e) => setUnitId(Number(e.target.value))}>
              {units.map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
            </select>
          )}
        </div>
        {box === 'dashboard' && <DashboardView onPick={(f) => {
          setTracked(f);
          setBox('tracked');
        }} />}
        {box === 'tracked' && tracked && (
          <p className="tracked-head">
            <button type="button" className="link-button" onClick={() => setBox('dashboard')}>{t('processing.dashboard.back')}</button>
            {' · '}<span className="strong">{t(`processing.dashboard.list.${tracked.tracked}`, { name: tracked.label })}</span>
          </p>
        )}
        {error && <div className="form-error" role="alert">{error}</div>}
        {!items && !error && <p className="muted"><Spinner /> {t('app.loading')}</p>}
        {items && items.length === 0 && box !== 'dashboard' && <p className="muted">{t(`processing.empty.${box}`)}</p>}
        {items && items.length > 0 && (
          <table className="data-table processing-table">
            <thead>
              <tr>
                <th className="col-num">{t('processing.col.arrival')}</th>
                <th>{t('processing.col.document')}</th>
                <th>{t('processing.col.level')}</th>
                <th>{t('processing.col.role')}</th>
                <th>{t('processing.col.assignee')}</th>
                <th className="col-date">{t('processing.col.due')}</th>
                <th>{t('processing.col.status')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((r) => (
                <tr key={r.taskId} className={r.overdue ? 'row-overdue' : r.dueSoon ? 'row-due-soon' : undefined}>
                  <td className="col-num">{r.arrivalNumber}</td>
                  <td>
                    <button type="button" className="link-button" onClick={() => openIncoming(r.incomingId)}>
                      {r.numberSymbol} — {r.issuerName}
                    </button>
                    <span className="block muted subject-line">{r.secrecy === 'tuyet_mat' ? t('incoming.topSecretSubject') : r.subject}</span>
                  </td>
                  <td>
                    <SecrecyBadge level={r.secrecy} />
                    {r.urgency !== 'thuong' && <span className={`urgency-tag urgency-${r.urgency}`}>{labels.urgency(r.urgency)}</span>}
                  </td>
                  <td>{t(`processing.role.${r.role}`)}</td>
                  <td>{r.assigneeName}</td>
                  <td className="col-date">
                    {r.dueAt ? formatDateTimeVn(r.dueAt) : r.due ? formatDateVn(r.due) : <span className="muted">{t('processing.noDue')}</span>}
                    {r.overdue && <span className="block overdue">{t('processing.overdueBy', { count: -(r.workingDaysLeft ?? 0) })}</span>}
                    {r.dueSoon && <span className="block due-soon">{r.workingDaysLeft === 0 ? t('processing.dueToday') : t('processing.dueIn', { count: r.workingDaysLeft ?? 0 })}</span>}
                    {r.extensionUntil && <span className="block muted">{t('processing.extensionAsked', { date: formatDateVn(r.extensionUntil) })}</span>}
                  </td>
                  <td>{labels.status(r.status)}{r.progress > 0 && r.status === 'processing' ? ` (${r.progress}%)` : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {(keepsRegister || leader) && <TrackingRegister />}
        {isAdmin && <CalendarSettings />}
      </div>
    </section>
  );
}

/** Sổ theo dõi giải quyết văn bản đến for a period: PDF (the decree's layout) or XLSX. */
function TrackingRegister() {
  const { t } = useTranslation();
  const year = todayIso().slice(0, 4);
  const [from, setFrom] = useState(formatDateVn(`${year}-01-01`));
  const [to, setTo] = useState(formatDateVn(todayIso()));
  const [busy, setBusy] = useState<'pdf' | 'xlsx' | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function output(format: 'pdf' | 'xlsx') {
    setBusy(format);
    setError(null);
    try {
      const out = await call('processing.trackingRegister', { from: dateTextToIso(from), to: dateTextToIso(to), format });
      // Delivered like the other registers (only the ticket, url, name and format are read).
      const r = await deliverRegisterFile(out as unknown as RegisterOutputFile);
      if (r.how !== 'cancelled') toast.success(t('processing.tracking.done', { name: r.name, count: out.rows }));
    } catch (err) {
      const de = asDeskError(err);
      if (!isGloballyHandled(de)) setError(errorText(de));
    } finally {
      setBusy(null);
    }
  }

  return (
    <section className="tracking-register" aria-labelledby="tracking-title">
      <h2 id="tracking-title" className="section-heading">{t('processing.tracking.title')}</h2>
      <div className="tracking-controls">
        <label htmlFor="tracking-from">{t('processing.tracking.from')}</label>
        <DateInput id="tracking-from" value={from} onValueChange={setFrom} />
        <label htmlFor="tracking-to">{t('processing.tracking.to')}</label>
        <DateInput id="tracking-to" value={to} onValueChange={setTo} />
        <button type="button" className="button" disabled={busy !== null} onClick={() => void output('pdf')}>{busy === 'pdf' && <Spinner />} {t('processing.tracking.pdf')}</button>
        <button type="button" className="button" disabled={busy !== null} onClick={() => void output('xlsx')}>{busy === 'xlsx' && <Spinner />} {t('processing.tracking.xlsx')}</button>
      </div>
      {error && <div className="form-error" role="alert">{error}</div>}
    </section>
  );
}
