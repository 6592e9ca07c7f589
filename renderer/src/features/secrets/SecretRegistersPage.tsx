// "Sổ bí mật nhà nước": the three registers the state-secrets law asks for (Sổ đăng ký BMNN đến,
// Sổ quản lý sao, chụp BMNN, Sổ chuyển giao BMNN) as tabs, for a period (dd/mm/yyyy, by default the
// current year in Vietnam), in the law's columns exactly as printed. "In sổ (PDF)" and "Xuất Excel"
// are produced by the core; "Khóa sổ năm …" closes a past year after its PDF was printed. The core
// decides who may read and close, and what each person's rows are.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { SecretRegisterKind, SecretRegisterTable } from '../../../../common/contract';
import { formatDateVn, todayIso, yearOf } from '../../../../common/dates';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { DateInput, dateTextToIso } from '../../components/DateInput';
import { Icon, Spinner } from '../../components/Icon';
import { errorText } from '../../i18n/errors';
import { asDeskError, call } from '../../ipc/call';
import { formatDateTimeVn } from '../../lib/format';
import { toast } from '../../stores/toasts';
import { deliverRegisterFile } from './registerFile';
import { useSecretRegisterAccess } from './useSecretRegisterAccess';
import './secretRegisters.css';

const KINDS: readonly SecretRegisterKind[] = ['secret_incoming', 'secret_copies', 'secret_handover'];
const ISO = /^\d{4}-\d{2}-\d{2}$/;

export function SecretRegistersPage() {
  const { t } = useTranslation();
  const access = useSecretRegisterAccess();
  const thisYear = yearOf(todayIso());
  const [kind, setKind] = useState<SecretRegisterKind>('secret_incoming');
  const [form, setForm] = useState({ from: `01/01/${thisYear}`, to: `31/12/${thisYear}` });
  const [period, setPeriod] = useState({ from: `${thisYear}-01-01`, to: `${thisYear}-12-31` });
  const [table, setTable] = useState<SecretRegisterTable | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<null | 'pdf' | 'xlsx' | 'close'>(null);
  const [confirming, setConfirming] = useState(false);
  const [closeError, setCloseError] = useState<string | null>(null);

  const load = useCallback(() => {
    let live = true;
    setError(null);
    call('secretRegisters.view', { kind, ...period }).then(
      (r) => live && setTable(r),
      (err: unknown) => {
        if (!live) return;
        setTable(null);
        setError(errorText(asDeskError(err)));
      },
    );
    return () => {
      live = false;
    };
  }, [kind, period]);
  useEffect(() => load(), [load]);

  function apply(e: FormEvent) {
    e.preventDefault();
    const from = dateTextToIso(form.from);
    const to = dateTextToIso(form.to);
    if (!ISO.test(from) || !ISO.test(to)) {
      setError(t('secretRegisters.badDate'));
      return;
    }
    setPeriod({ from, to });
  }

  async function produce(format: 'pdf' | 'xlsx') {
    setBusy(format);
    try {
      const out = await call('registers.output', { kind, format, ...period });
      const { how, name } = await deliverRegisterFile(out);
      if (how !== 'cancelled') toast.success(how === 'saved' ? t('secretRegisters.saved', { file: name }) : t('secretRegisters.downloaded', { file: name, rows: out.rows }));
      load();
    } catch (err) {
      toast.error(errorText(asDeskError(err)));
    } finally {
      setBusy(null);
    }
  }

  const year = yearOf(period.from);
  const closing = table?.closings.find((c) => c.year === year) ?? null;
  const print = table?.prints.find((p) => p.year === year) ?? null;
  const register = t(`secretRegisters.kind.${kind}`);
  const closable = access.close && !closing && year < thisYear && table?.wholeRegister === true;

  async function closeYear() {
    setBusy('close');
    setCloseError(null);
    try {
      await call('secretRegisters.close', { kind, year });
      setConfirming(false);
      toast.success(t('secretRegisters.closedToast', { register, year }));
      load();
    } catch (err) {
      setCloseError(errorText(asDeskError(err)));
    } finally {
      setBusy(null);
    }
  }

  if (!access.read) return null;
  // Columns in proportion to the law's layout, dates and numbers never narrower than their content;
  // the fixed layout scales them up to the page width.
  const colWidth = (c: SecretRegisterTable['columns'][number]) => Math.max(c.width * 7, c.date ? 96 : c.numeric ? 64 : 0);

  return (
    <section className="page secret-registers-page" aria-labelledby="secret-registers-title">
      <div className="page-header">
        <h1 id="secret-registers-title">{t('secretRegisters.title')}</h1>
        <div className="register-tabs" role="tablist" aria-label={t('secretRegisters.tabs')}>
          {KINDS.map((k) => (
            <button key={k} type="button" role="tab" id={`tab-${k}`} aria-selected={k === kind} aria-controls="secret-register-panel"
              className={k === kind ? 'register-tab is-active' : 'register-tab'} onClick={() => setKind(k)}>
              {t(`secretRegisters.kind.${k}`)}
            </button>
          ))}
        </div>
      </div>
      <form className="filter-bar secret-register-filters" onSubmit={apply} noValidate>
        <div className="filter">
          <label htmlFor="sr-from">{t('secretRegisters.from')}</label>
          <DateInput id="sr-from" value={form.from} onValueChange={(v) => setForm((f) => ({ ...f, from: v }))} />
        </div>
        <div className="filter">
          <label htmlFor="sr-to">{t('secretRegisters.to')}</label>
          <DateInput id="sr-to" value={form.to} onValueChange={(v) => setForm((f) => ({ ...f, to: v }))} />
        </div>
        <button type="submit" className="button">{t('secretRegisters.show')}</button>
        <div className="page-actions">
          <button type="button" className="button" onClick={() => void produce('pdf')} disabled={busy !== null || !table}>
            {busy === 'pdf' ? <Spinner /> : <Icon name="file" />} {t('secretRegisters.pdf')}
          </button>
          <button type="button" className="button" onClick={() => void produce('xlsx')} disabled={busy !== null || !table}>
            {busy === 'xlsx' ? <Spinner /> : <Icon name="columns" />} {t('secretRegisters.xlsx')}
          </button>
          {closable && (
            <button type="button" className="button primary" onClick={() => { setCloseError(null); setConfirming(true); }} disabled={busy !== null}>
              <Icon name="lock" /> {t('secretRegisters.close', { year })}
            </button>
          )}
          {closing && <span className="badge badge-closed"><Icon name="lock" /> {t('secretRegisters.closedShort')} {year}</span>}
        </div>
      </form>
      <div className="secret-register-status" aria-live="polite">
        {table && <span>{t('secretRegisters.period', { year, from: formatDateVn(table.from), to: formatDateVn(table.to) })} · {t('secretRegisters.count', { count: table.rows.length })}</span>}
        {closing && (
          <span className="status-closed">
            <Icon name="lock" />
            {t('secretRegisters.closed', { year, time: formatDateTimeVn(closing.closedAt), person: closing.closedBy, rows: closing.rows, printedAt: formatDateTimeVn(closing.printedAt), hash: closing.pdfSha256.slice(0, 16) })}
          </span>
        )}
        {!closing && print && <span>{t('secretRegisters.printed', { year, time: formatDateTimeVn(print.printedAt), person: print.printedBy, rows: print.rows })}</span>}
        {!closing && !print && access.close && year < thisYear && <span className="muted">{t('secretRegisters.wholeYearHint', { year })}</span>}
        {table && !table.wholeRegister && <span className="muted">{t('secretRegisters.partial')}</span>}
        {table && (
          <span className="closed-years">
            {table.closings.length === 0 ? t('secretRegisters.noClosedYears') : (
              <>
                {t('secretRegisters.closedYears', { years: '' })}
                {table.closings.map((c) => (
                  <button key={c.year} type="button" className="link-button" onClick={() => {
                    setForm({ from: `01/01/${c.year}`, to: `31/12/${c.year}` });
                    setPeriod({ from: `${c.year}-01-01`, to: `${c.year}-12-31` });
                  }}>{c.year}</button>
                ))}
              </>
            )}
          </span>
        )}
      </div>
      {error && <div className="form-error secret-register-error" role="alert">{error}</div>}
      <div className="secret-register-scroll" id="secret-register-panel" role="tabpanel" aria-labelledby={`tab-${kind}`}>
        {!table && !error && <p className="muted"><Spinner /> {t('app.loading')}</p>}
        {table && (
          <table className="data-table secret-register-table" style={{ minWidth: `${table.columns.reduce((a, c) => a + colWidth(c), 0)}px` }}>
            <colgroup>
              {table.columns.map((c) => <col key={c.title} style={{ width: `${colWidth(c)}px` }} />)}
            </colgroup>
            <thead>
              <tr>{table.columns.map((c) => <th key={c.title} scope="col" className={c.numeric ? 'num' : undefined}>{c.title}</th>)}</tr>
              <tr className="column-numbers">{table.columns.map((c, i) => <th key={c.title}>({i + 1})</th>)}</tr>
            </thead>
            <tbody>
              {table.rows.length === 0 && (
                <tr><td colSpan={table.columns.length} className="muted">{t('secretRegisters.empty')}</td></tr>
              )}
              {table.rows.map((row, r) => (
                <tr key={r}>{row.map((cell, i) => <td key={i} className={table.columns[i]!.numeric ? 'num' : table.columns[i]!.date ? 'date' : undefined}>{cell}</td>)}</tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <ConfirmDialog open={confirming} title={t('secretRegisters.confirmTitle', { register, year })}
        confirmLabel={t('secretRegisters.confirm')} cancelLabel={t('secretRegisters.cancel')}
        onCancel={() => setConfirming(false)} onConfirm={() => void closeYear()}>
        <p>{print ? t('secretRegisters.confirmBody', { year, printedAt: formatDateTimeVn(print.printedAt), rows: print.rows }) : t('secretRegisters.confirmNoPrint', { year })}</p>
        {closeError && <div className="form-error" role="alert">{closeError}</div>}
      </ConfirmDialog>
    </section>
  );
}
