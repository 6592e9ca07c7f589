// "Số đến trùng": registrations another workstation made while cut off from the agency server that
// took an arrival number already given here. The sync set them aside (nothing of them applied); the
// văn thư sees both documents side by side and gives the later one the next number of its register
// and year ("Cấp số mới"). The rule (order of receipt) and the writes are the core's
// (main/core/documents/renumber.ts); the page only shows what it would do and asks first.
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { SetAsideEntry, SetAsideRegistration } from '../../../../common/contract';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Icon, Spinner } from '../../components/Icon';
import { SecrecyBadge } from '../../components/Secrecy';
import { call, reportError } from '../../ipc/call';
import { formatDateTimeVn, formatDateVn } from '../../lib/format';
import { useNav } from '../../stores/nav';
import { toast } from '../../stores/toasts';
import { useSetAsideStore } from './useSetAsideCount';
import './renumber.css';

export function RenumberPage() {
  const { t } = useTranslation();
  const [rows, setRows] = useState<SetAsideRegistration[] | null>(null);
  const [asking, setAsking] = useState<SetAsideRegistration | null>(null);
  const [busy, setBusy] = useState(false);
  const openIncoming = useNav((s) => s.openIncoming);

  const load = useCallback(() => {
    call('incoming.setAside', {}).then((r) => {
      setRows(r);
      useSetAsideStore.setState({ count: r.length });
    }, reportError);
  }, []);
  useEffect(load, [load]);

  const renumber = (x: SetAsideRegistration) => {
    setAsking(null);
    setBusy(true);
    call('incoming.renumber', { entityId: x.entityId })
      .then((r) => {
        toast.success(t('renumber.done', { register: r.registerName, year: r.year, old: r.oldNumber, new: r.newNumber }), {
          label: t('renumber.open'), run: () => openIncoming(r.incomingId),
        });
        load();
      }, (err: unknown) => { reportError(err); load(); })
      .finally(() => setBusy(false));
  };

  return (
    <section className="page renumber-page" aria-labelledby="renumber-title">
      <div className="page-header">
        <h1 id="renumber-title">{t('renumber.title')}</h1>
        <div className="page-actions">
          <button type="button" className="button" onClick={load}><Icon name="refresh" /> {t('renumber.reload')}</button>
        </div>
      </div>
      <div className="renumber-body">
        <p className="muted renumber-help">{t('renumber.help')}</p>
        {!rows ? <Spinner /> : rows.length === 0 ? (
          <p className="renumber-empty">{t('renumber.empty')}</p>
        ) : rows.map((x) => (
          <article key={x.entityId} className="renumber-item" aria-labelledby={`renumber-${x.entityId}`}>
            <h2 id={`renumber-${x.entityId}`}>
              {t('renumber.heading', { register: x.registerName, year: x.year, number: x.arrivalNumber })}
            </h2>
            <p className="renumber-reason" role="note">
              <Icon name="alert" /> {x.local ? t('renumber.reason', { number: x.arrivalNumber, year: x.year, register: x.registerName }) : t('renumber.reasonGone')}
            </p>
            <table className="data-table renumber-table">
              <thead>
                <tr>
                  <th scope="col" className="renumber-label"><span className="visually-hidden">{t('renumber.field')}</span></th>
                  <th scope="col">{t('renumber.received')}{x.renumbers === 'received' && <span className="renumber-tag">{t('renumber.takesNew')}</span>}</th>
                  <th scope="col">{t('renumber.local')}{x.renumbers === 'local' && <span className="renumber-tag">{t('renumber.takesNew')}</span>}</th>
                </tr>
              </thead>
              <tbody>
                <Row label={t('renumber.registeredAt')} a={x.received} b={x.local} get={(e) => formatDateTimeVn(e.registeredAt)} />
                <Row label={t('renumber.registeredBy')} a={x.received} b={x.local} get={(e) => e.registeredBy} />
                <Row label={t('renumber.arrivalDate')} a={x.received} b={x.local} get={(e) => formatDateVn(e.arrivalDate)} />
                <Row label={t('renumber.numberSymbol')} a={x.received} b={x.local} get={(e) => e.numberSymbol} />
                <Row label={t('renumber.issuer')} a={x.received} b={x.local} get={(e) => e.issuerName} />
                <Row label={t('renumber.subject')} a={x.received} b={x.local} get={(e) => e.subject || t('renumber.noSubject')} />
                <Row label={t('renumber.secrecy')} a={x.received} b={x.local} get={(e) => <SecrecyBadge level={e.secrecy} />} />
              </tbody>
            </table>
            {x.yearClosed ? (
              <p className="renumber-closed" role="alert">{t('renumber.yearClosed', { register: x.registerName, year: x.year })}</p>
            ) : x.local && x.nextNumber !== null && (
              <div className="renumber-actions">
                <p>{t(x.renumbers === 'received' ? 'renumber.planReceived' : 'renumber.planLocal', { number: x.arrivalNumber, next: x.nextNumber })}</p>
                <button type="button" className="button primary" disabled={busy} onClick={() => setAsking(x)}>
                  {busy ? <Spinner /> : <Icon name="check" />} {t('renumber.action')}
                </button>
              </div>
            )}
          </article>
        ))}
      </div>
      {asking && (
        <ConfirmDialog open title={t('renumber.confirmTitle')} confirmLabel={t('renumber.action')} cancelLabel={t('common.cancel')}
          onConfirm={() => renumber(asking)} onCancel={() => setAsking(null)}>
          <p>{t('renumber.confirm', {
            numberSymbol: (asking.renumbers === 'received' ? asking.received : asking.local!).numberSymbol,
            old: asking.arrivalNumber, next: asking.nextNumber, register: asking.registerName, year: asking.year,
          })}</p>
          <p className="muted">{t('renumber.confirmHelp')}</p>
        </ConfirmDialog>
      )}
    </section>
  );
}

function Row({ label, a, b, get }: { label: string; a: SetAsideEntry; b: SetAsideEntry | null; get(e: SetAsideEntry): ReactNode }) {
  return (
    <tr>
      <th scope="row" className="renumber-label">{label}</th>
      <td>{get(a)}</td>
      <td>{b ? get(b) : '—'}</td>
    </tr>
  );
}
