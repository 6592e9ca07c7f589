// "Thời hạn bảo vệ": the secret records whose protection period ends soon (a reminder, so that an
// extension can be decided in time), those ended and left (on hold, or a level decision pending),
// and those the automatic declassification has declassified. A leader extends a period here ("Gia
// hạn…", with the new end, the authority and the reason). The core lists only what the person may see.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { AutoDeclassifyStatus, ReviewItem } from '../../../../common/contract';
import { formatDateVn, todayIso } from '../../../../common/dates';
import { DateInput, dateTextToIso } from '../../components/DateInput';
import { Dialog } from '../../components/Dialog';
import { controlProps, Field } from '../../components/Field';
import { Spinner } from '../../components/Icon';
import { SecrecyBadge } from '../../components/Secrecy';
import { errorFields, errorText } from '../../i18n/errors';
import { useLabels } from '../../i18n/labels';
import { asDeskError, call, isGloballyHandled } from '../../ipc/call';
import { useApp } from '../../stores/app';
import { useNav } from '../../stores/nav';
import { toast } from '../../stores/toasts';

const WINDOWS = [30, 90, 180, 365] as const;

export function ReviewPage() {
  const { t } = useTranslation();
  const labels = useLabels();
  const openIncoming = useNav((s) => s.openIncoming);
  const leader = useApp((s) => s.session?.user.role === 'lanh_dao');
  const [within, setWithin] = useState<number>(180);
  const [items, setItems] = useState<ReviewItem[] | null>(null);
  const [status, setStatus] = useState<AutoDeclassifyStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [extending, setExtending] = useState<ReviewItem | null>(null);

  const load = useCallback(() => {
    let live = true;
    setError(null);
    call('review.due', { withinDays: within }).then((r) => live && setItems(r), (err: unknown) => live && setError(errorText(asDeskError(err))));
    call('review.autoStatus', {}).then((s) => live && setStatus(s), () => live && setStatus(null));
    return () => {
      live = false;
    };
  }, [within]);
  useEffect(() => load(), [load]);

  const stateText = (r: ReviewItem): string => {
    if (r.state === 'declassified') {
      return t('review.state.declassified', { date: r.declassifiedOn ? formatDateVn(r.declassifiedOn) : '', level: r.fromLevel ? labels.secrecy(r.fromLevel) : '' });
    }
    if (r.state === 'ended') return r.skipped ? t(`review.state.left_${r.skipped}`) : t('review.state.ended');
    return t('review.state.due');
  };

  return (
    <section className="page admin-page review-page" aria-labelledby="review-title">
      <div className="page-header">
        <h1 id="review-title">{t('review.title')}</h1>
        <span className="page-count">{items ? t('review.count', { count: items.length }) : ''}</span>
        <div className="register-year">
          <label htmlFor="review-within">{t('review.within')}</label>
          <select id="review-within" className="input year-select" value={within} onChange={(e) => setWithin(Number(e.target.value))}>
            {WINDOWS.map((d) => <option key={d} value={d}>{t('review.days', { count: d })}</option>)}
          </select>
        </div>
      </div>
      <div className="admin-body">
        <p className="section-lead">{t('review.lead')}</p>
        {status && status.state !== 'idle' && (status.total > 0 || status.state === 'failed') && (
          <p className="muted" role="status">{t(`review.auto.${status.state}`, { done: status.done, total: status.total, skipped: status.skipped })}</p>
        )}
        {error && <div className="form-error" role="alert">{error}</div>}
        {!items && !error && <p className="muted"><Spinner /> {t('app.loading')}</p>}
        {items && items.length === 0 && <p className="muted">{t('review.empty', { count: within })}</p>}
        {items && items.length > 0 && (
          <table className="data-table review-table">
            <thead>
              <tr>
                <th>{t('review.col.document')}</th>
                <th>{t('review.col.level')}</th>
                <th className="col-date">{t('review.col.until')}</th>
                <th>{t('review.col.state')}</th>
                {leader && <th><span className="visually-hidden">{t('review.col.actions')}</span></th>}
              </tr>
            </thead>
            <tbody>
              {items.map((r) => (
                <tr key={`${r.id}-${r.state}`} className={`review-${r.state}`}>
                  <td>
                    <button type="button" className="link-button" onClick={() => openIncoming(r.id)}>
                      {t('review.document', { number: r.arrivalNumber, symbol: r.numberSymbol, date: formatDateVn(r.documentDate) })}
                    </button>
                  </td>
                  <td><SecrecyBadge level={r.state === 'declassified' && r.fromLevel ? r.fromLevel : r.secrecy} /></td>
                  <td className="col-date">
                    {formatDateVn(r.protectionUntil)}
                    {r.custom && <span className="muted block">{t('review.custom')}</span>}
                  </td>
                  <td>{stateText(r)}</td>
                  {leader && (
                    <td className="col-actions">
                      {r.state !== 'declassified' && (
                        <button type="button" className="button small" onClick={() => setExtending(r)}>{t('review.extend')}</button>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      {extending && <ExtendDialog item={extending} onClose={() => setExtending(null)} onDone={() => { setExtending(null); load(); }} />}
    </section>
  );
}

function ExtendDialog({ item, onClose, onDone }: { item: ReviewItem; onClose(): void; onDone(): void }) {
  const { t } = useTranslation();
  const [until, setUntil] = useState('');
  const [authority, setAuthority] = useState('');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    try {
      const r = await call('review.extend', { incomingId: item.id, until: dateTextToIso(until), authority, reason });
      toast.success(t('review.extended', { number: item.arrivalNumber, date: formatDateVn(r.protectionUntil) }));
      onDone();
    } catch (err) {
      const de = asDeskError(err);
      if (de.fields && Object.keys(de.fields).length > 0) setErrors(errorFields(de));
      else if (!isGloballyHandled(de)) setErrors({ _: errorText(de) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog open title={t('review.extendTitle', { number: item.arrivalNumber })} onClose={onClose} className="small-dialog"
      footer={(
        <>
          <span className="footer-status" />
          <button type="button" className="button" onClick={onClose}>{t('common.cancel')}</button>
          <button type="submit" form="extend-form" className="button primary" disabled={busy}>{busy && <Spinner />} {t('review.extendSubmit')}</button>
        </>
      )}>
      <form id="extend-form" className="form-stack" onSubmit={(e) => void submit(e)} noValidate>
        <p className="section-lead">{t('review.extendLead', { date: formatDateVn(item.protectionUntil), today: formatDateVn(todayIso()) })}</p>
        <Field id="extend-until" label={t('review.newUntil')} error={errors.until} required>
          <DateInput {...controlProps('extend-until', errors.until, false, true)} value={until} onValueChange={setUntil} />
        </Field>
        <Field id="extend-authority" label={t('secrets.level.authority')} error={errors.authority} required>
          <input className="input" {...controlProps('extend-authority', errors.authority, false, true)} value={authority} maxLength={500} onChange={(e) => setAuthority(e.target.value)} />
        </Field>
        <Field id="extend-reason" label={t('secrets.reason')} error={errors.reason} required>
          <input className="input" {...controlProps('extend-reason', errors.reason, false, true)} value={reason} maxLength={1000} onChange={(e) => setReason(e.target.value)} />
        </Field>
        {errors._ && <div className="form-error" role="alert">{errors._}</div>}
      </form>
    </Dialog>
  );
}
