// "Văn bản đi": the outgoing documents the person may see (drafts they are part of, and for the văn
// thư and leaders everything of the levels they hold), the dispatch records waiting to be sent, and
// the Sổ đăng ký văn bản đi / Sổ đăng ký BMNN đi for a period with their PDF and XLSX. What each person
// sees and may do is decided by the core.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { OutgoingPendingDispatch, OutgoingRegisterTable, OutgoingRow } from '../../../../common/contract';
import { formatDateVn, todayIso, yearOf } from '../../../../common/dates';
import { OUTGOING_STATUSES, type OutgoingStatus } from '../../../../common/outgoing';
import { DateInput, dateTextToIso } from '../../components/DateInput';
import { Icon, Spinner } from '../../components/Icon';
import { SecrecyBadge } from '../../components/Secrecy';
import { useLabels } from '../../i18n/labels';
import { errorText } from '../../i18n/errors';
import { asDeskError, call } from '../../ipc/call';
import { useApp } from '../../stores/app';
import { useNav } from '../../stores/nav';
import { toast } from '../../stores/toasts';
import { deliverRegisterFile } from '../secrets/registerFile';
import { useSecretRegisterAccess } from '../secrets/useSecretRegisterAccess';
import { DraftDialog } from './DraftDialog';
import { OutgoingSettings } from './OutgoingSettings';
import './outgoing.css';

type Tab = 'list' | 'dispatches' | 'register' | 'secretRegister' | 'settings';

export function OutgoingPage() {
  const { t } = useTranslation();
  const isClerk = useApp((s) => !!s.session?.rights.includes('doc.register'));
  const isLeader = useApp((s) => s.session?.user.role === 'lanh_dao');
  const secretReader = useSecretRegisterAccess().read;
  const isAdmin = useApp((s) => !!s.session?.rights.includes('org.manage'));
  const [tab, setTab] = useState<Tab>('list');
  const tabs: Tab[] = ['list', ...(isClerk ? (['dispatches'] as const) : []), ...(isClerk || isLeader ? (['register'] as const) : []), ...(secretReader ? (['secretRegister'] as const) : []), ...(isAdmin ? (['settings'] as const) : [])];
  return (
    <section className="page outgoing-page" aria-labelledby="outgoing-title">
      <div className="page-header">
        <h1 id="outgoing-title">{t('outgoing.title')}</h1>
        <div className="register-tabs" role="tablist" aria-label={t('outgoing.title')}>
          {tabs.map((k) => (
            <button key={k} type="button" role="tab" aria-selected={k === tab} className={k === tab ? 'register-tab is-active' : 'register-tab'} onClick={() => setTab(k)}>
              {t(`outgoing.tabs.${k}`)}
            </button>
          ))}
        </div>
      </div>
      {tab === 'list' && <OutgoingList />}
      {tab === 'dispatches' && <PendingDispatches />}
      {tab === 'register' && <OutgoingRegister kind="outgoing" />}
      {tab === 'secretRegister' && <OutgoingRegister kind="secret_outgoing" />}
      {tab === 'settings' && <OutgoingSettings />}
    </section>
  );
}

function OutgoingList() {
  const { t } = useTranslation();
  const labels = useLabels();
  const show = useNav((s) => s.show);
  const [status, setStatus] = useState<OutgoingStatus | ''>('');
  const [mine, setMine] = useState(false);
  // Words of the metadata or of the text read from the files (OCR); diacritics optional.
  const [query, setQuery] = useState('');
  const [rows, setRows] = useState<OutgoingRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [drafting, setDrafting] = useState(false);
  const load = useCallback(() => {
    let live = true;
    call('outgoing.list', { ...(status ? { status } : {}), ...(query.trim() ? { query } : {}), mine, limit: 200 }).then(
      (r) => live && (setRows(r), setError(null)),
      (err: unknown) => live && setError(errorText(asDeskError(err))),
    );
    return () => { live = false; };
  }, [status, mine, query]);
  useEffect(() => load(), [load]);
  return (
    <>
      <div className="filter-bar outgoing-filters" role="search" aria-label={t('outgoing.searchLabel')}>
        <div className="search-box">
          <Icon name="search" />
          <input type="search" className="input" id="og-search" aria-label={t('outgoing.searchLabel')} title={t('outgoing.searchTooltip')}
            placeholder={t('outgoing.searchPlaceholder')} value={query} maxLength={200}
            onChange={(e) => setQuery(e.target.value)}
            onKeyDown={(e) => { if (e.key === 'Escape' && query) { e.preventDefault(); setQuery(''); } }} />
        </div>
        <div className="filter">
          <label htmlFor="og-status">{t('outgoing.filterStatus')}</label>
          <select id="og-status" className="input" value={status} onChange={(e) => setStatus(e.target.value as OutgoingStatus | '')}>
            <option value="">{t('outgoing.allStatuses')}</option>
            {OUTGOING_STATUSES.map((s) => <option key={s} value={s}>{t(`outgoing.status.${s}`)}</option>)}
          </select>
        </div>
        <label className="checkbox-inline"><input type="checkbox" checked={mine} onChange={(e) => setMine(e.target.checked)} /> {t('outgoing.mine')}</label>
        <div className="page-actions">
          <button type="button" className="button primary" onClick={() => setDrafting(true)}><Icon name="plus" /> {t('outgoing.new')}</button>
        </div>
      </div>
      {error && <div className="form-error" role="alert">{error}</div>}
      <div className="outgoing-scroll">
        {!rows && !error && <p className="muted"><Spinner /> {t('app.loading')}</p>}
        {rows && (
          <table className="data-table outgoing-table">
            <thead>
              <tr>
                <th scope="col">{t('outgoing.col.numberSymbol')}</th>
                <th scope="col">{t('outgoing.col.date')}</th>
                <th scope="col">{t('outgoing.col.type')}</th>
                <th scope="col" className="wide">{t('outgoing.col.subject')}</th>
                <th scope="col">{t('outgoing.col.secrecy')}</th>
                <th scope="col">{t('outgoing.col.status')}</th>
                <th scope="col">{t('outgoing.col.signer')}</th>
                <th scope="col">{t('outgoing.col.waiting')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.length === 0 && <tr><td colSpan={8} className="muted">{query.trim() ? t('outgoing.noMatch') : t('outgoing.empty')}</td></tr>}
              {rows.map((r) => (
                <tr key={r.id} className="clickable" tabIndex={0} onClick={() => show({ name: 'outgoingDetail', id: r.id })}
                  onKeyDown={(e) => { if (e.key === 'Enter') show({ name: 'outgoingDetail', id: r.id }); }}>
                  <td className="strong nowrap">{r.numberSymbol ?? <span className="muted">{t('outgoing.notIssued')}</span>}</td>
                  <td className="date">{r.issuedDate ? formatDateVn(r.issuedDate) : ''}</td>
                  <td>{labels.docType(r.typeCode)}</td>
                  <td>{r.secrecy === 'tuyet_mat' ? <em className="muted">{t('outgoing.topSecretSubject')}</em> : r.subject}</td>
                  <td><SecrecyBadge level={r.secrecy} /></td>
                  <td><span className={`status-pill status-${r.status}`}>{t(`outgoing.status.${r.status}`)}</span></td>
                  <td>{r.signerName}</td>
                  <td>{r.waitingFor ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      {drafting && <DraftDialog onClose={() => setDrafting(false)} onSaved={(id) => { setDrafting(false); show({ name: 'outgoingDetail', id }); }} />}
    </>
  );
}

function PendingDispatches() {
  const { t } = useTranslation();
  const labels = useLabels();
  const [rows, setRows] = useState<OutgoingPendingDispatch[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    call('outgoing.dispatches', {}).then((r) => live && setRows(r), (err: unknown) => live && setError(errorText(asDeskError(err))));
    return () => { live = false; };
  }, []);
  return (
    <div className="outgoing-scroll">
      {error && <div className="form-error" role="alert">{error}</div>}
      {rows && (
        <table className="data-table outgoing-table">
          <thead>
            <tr>
              <th scope="col">{t('outgoing.col.numberSymbol')}</th>
              <th scope="col">{t('outgoing.col.secrecy')}</th>
              <th scope="col" className="wide">{t('outgoing.col.recipient')}</th>
              <th scope="col">{t('outgoing.col.code')}</th>
              <th scope="col">{t('outgoing.col.status')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 && <tr><td colSpan={5} className="muted">{t('outgoing.pendingEmpty')}</td></tr>}
            {rows.map((r) => (
              <tr key={r.dispatchId}>
                <td className="strong nowrap">{r.numberSymbol}</td>
                <td><SecrecyBadge level={r.secrecy} label={labels.secrecy(r.secrecy)} /></td>
                <td>{r.recipient}</td>
                <td className="mono">{r.code ?? ''}</td>
                <td>{t('outgoing.dispatchStatus.pending')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

const ISO = /^\d{4}-\d{2}-\d{2}$/;

function OutgoingRegister({ kind }: { kind: 'outgoing' | 'secret_outgoing' }) {
  const { t } = useTranslation();
  const year = yearOf(todayIso());
  const [form, setForm] = useState({ from: `01/01/${year}`, to: `31/12/${year}` });
  const [period, setPeriod] = useState({ from: `${year}-01-01`, to: `${year}-12-31` });
  const [table, setTable] = useState<OutgoingRegisterTable | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<null | 'pdf' | 'xlsx'>(null);
  useEffect(() => {
    let live = true;
    call('outgoing.registerView', { kind, format: 'table', ...period }).then(
      (r) => live && (setTable(r), setError(null)),
      (err: unknown) => live && (setTable(null), setError(errorText(asDeskError(err)))),
    );
    return () => { live = false; };
  }, [kind, period]);
  function apply(e: FormEvent) {
    e.preventDefault();
    const from = dateTextToIso(form.from);
    const to = dateTextToIso(form.to);
    if (!ISO.test(from) || !ISO.test(to)) return setError(t('secretRegisters.badDate'));
    setPeriod({ from, to });
  }
  async function produce(format: 'pdf' | 'xlsx') {
    setBusy(format);
    try {
      const out = await call('outgoing.registerOutput', { kind, format, ...period });
      const { how, name } = await deliverRegisterFile(out);
      if (how !== 'cancelled') toast.success(how === 'saved' ? t('secretRegisters.saved', { file: name }) : t('secretRegisters.downloaded', { file: name, rows: out.rows }));
    } catch (err) {
      toast.error(errorText(asDeskError(err)));
    } finally {
      setBusy(null);
    }
  }
  return (
    <>
      <form className="filter-bar outgoing-filters" onSubmit={apply} noValidate>
        <div className="filter">
          <label htmlFor={`${kind}-from`}>{t('secretRegisters.from')}</label>
          <DateInput id={`${kind}-from`} value={form.from} onValueChange={(v) => setForm((f) => ({ ...f, from: v }))} />
        </div>
        <div className="filter">
          <label htmlFor={`${kind}-to`}>{t('secretRegisters.to')}</label>
          <DateInput id={`${kind}-to`} value={form.to} onValueChange={(v) => setForm((f) => ({ ...f, to: v }))} />
        </div>
        <button type="submit" className="button">{t('secretRegisters.show')}</button>
        <div className="page-actions">
          <button type="button" className="button" onClick={() => void produce('pdf')} disabled={busy !== null || !table}>
            {busy === 'pdf' ? <Spinner /> : <Icon name="file" />} {t('secretRegisters.pdf')}
          </button>
          <button type="button" className="button" onClick={() => void produce('xlsx')} disabled={busy !== null || !table}>
            {busy === 'xlsx' ? <Spinner /> : <Icon name="columns" />} {t('secretRegisters.xlsx')}
          </button>
        </div>
      </form>
      {kind === 'secret_outgoing' && <p className="muted outgoing-hint">{t('outgoing.registerHint')}</p>}
      {error && <div className="form-error" role="alert">{error}</div>}
      <div className="outgoing-scroll">
        {table && (
          <table className="data-table outgoing-register-table" aria-label={table.title}>
            <thead>
              <tr>{table.columns.map((c) => <th key={c} scope="col">{c}</th>)}</tr>
              <tr className="column-numbers">{table.columns.map((c, i) => <th key={c}>({i + 1})</th>)}</tr>
            </thead>
            <tbody>
              {table.rows.length === 0 && <tr><td colSpan={table.columns.length} className="muted">{t('secretRegisters.empty')}</td></tr>}
              {table.rows.map((row, r) => <tr key={r}>{row.map((cell, i) => <td key={i}>{cell}</td>)}</tr>)}
            </tbody>
          </table>
        )}
      </div>
    </>
  );
}
