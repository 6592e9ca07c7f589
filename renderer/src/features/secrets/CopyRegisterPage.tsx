// "Sổ quản lý sao, chụp BMNN": every print run and copy of a classified record in a year, with its
// numbers in the yearly copy sequence, who allowed it, who made it and why. The core lists only the
// records the person may see (need-to-know).
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CopyRegisterRow } from '../../../../common/contract';
import { formatDateVn, todayIso, yearOf } from '../../../../common/dates';
import { Spinner } from '../../components/Icon';
import { SecrecyBadge } from '../../components/Secrecy';
import { errorText } from '../../i18n/errors';
import { asDeskError, call } from '../../ipc/call';
import { formatDateTimeVn } from '../../lib/format';
import { useNav } from '../../stores/nav';

const numbers = (r: CopyRegisterRow) => (r.copies === 1 ? `${r.firstNumber}` : `${r.firstNumber}–${r.firstNumber + r.copies - 1}`);

export function CopyRegisterPage() {
  const { t } = useTranslation();
  const openIncoming = useNav((s) => s.openIncoming);
  const thisYear = yearOf(todayIso());
  const [year, setYear] = useState(thisYear);
  const [rows, setRows] = useState<CopyRegisterRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    setRows(null);
    setError(null);
    call('copies.register', { year }).then((r) => live && setRows(r), (err: unknown) => live && setError(errorText(asDeskError(err))));
    return () => {
      live = false;
    };
  }, [year]);

  const years = Array.from({ length: 6 }, (_, i) => thisYear - i);

  return (
    <section className="page admin-page copy-register-page" aria-labelledby="copy-register-title">
      <div className="page-header">
        <h1 id="copy-register-title">{t('secrets.register.title')}</h1>
        <span className="page-count">{rows ? t('secrets.register.count', { count: rows.length }) : ''}</span>
        <div className="register-year">
          <label htmlFor="copy-register-year">{t('secrets.register.year')}</label>
          <select id="copy-register-year" className="input year-select" value={year} onChange={(e) => setYear(Number(e.target.value))}>
            {years.map((y) => <option key={y} value={y}>{y}</option>)}
          </select>
        </div>
      </div>
      <div className="admin-body">
        <p className="section-lead">{t('secrets.register.lead')}</p>
        {error && <div className="form-error" role="alert">{error}</div>}
        {!rows && !error && <p className="muted"><Spinner /> {t('app.loading')}</p>}
        {rows && rows.length === 0 && <p className="muted">{t('secrets.register.empty', { year })}</p>}
        {rows && rows.length > 0 && (
          <table className="data-table copy-register-table">
            <thead>
              <tr>
                <th className="col-num">{t('secrets.register.col.numbers')}</th>
                <th className="col-date">{t('secrets.register.col.date')}</th>
                <th>{t('secrets.register.col.document')}</th>
                <th>{t('secrets.register.col.kind')}</th>
                <th className="col-num">{t('secrets.register.col.count')}</th>
                <th>{t('secrets.register.col.allowedBy')}</th>
                <th>{t('secrets.register.col.madeBy')}</th>
                <th>{t('secrets.register.col.reason')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id}>
                  <td className="col-num strong">{numbers(r)}</td>
                  <td className="col-date" title={formatDateTimeVn(r.madeAt)}>{formatDateVn(r.madeAt)}</td>
                  <td>
                    <button type="button" className="link-button" onClick={() => openIncoming(r.incomingId)}>
                      {t('secrets.register.document', { number: r.arrivalNumber, symbol: r.numberSymbol, date: formatDateVn(r.documentDate) })}
                    </button>{' '}
                    <SecrecyBadge level={r.secrecy} />
                  </td>
                  <td>{t(`secrets.copyKind.${r.kind}`)}</td>
                  <td className="col-num">{r.copies}</td>
                  <td>{r.allowedBy}</td>
                  <td>{r.madeBy}</td>
                  <td className="col-reason">{r.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}
