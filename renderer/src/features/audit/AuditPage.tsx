// "Nhật ký hệ thống": administrators read the audit trail (newest first, filtered by period, person,
// action and outcome; a virtualized list that loads older pages as it scrolls), check it and export
// the package a third party verifies with openssl alone (docs/audit.md). The core refuses everyone
// else; this page is only linked for holders of org.manage.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { AuditFacets, AuditRow } from '../../../../common/contract';
import { auditExportSchema, auditSearchSchema } from '../../../../common/schemas';
import { dateTextToIso, DateInput } from '../../components/DateInput';
import { Icon, Spinner } from '../../components/Icon';
import { errorText, formErrors } from '../../i18n/errors';
import { asDeskError, call, reportError } from '../../ipc/call';
import { VN_TIME_ZONE } from '../../../../common/dates';
import { toast } from '../../stores/toasts';
import './audit.css';

const PAGE = 200;
/** dd/mm/yyyy HH:mm:ss in Vietnam: an audit entry is read to the second. */
const TIME = new Intl.DateTimeFormat('en-GB', { timeZone: VN_TIME_ZONE, day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
const formatAt = (iso: string): string => TIME.format(new Date(iso)).replace(',', '');
const ROW_HEIGHT = 34;

interface Filters {
  from: string;
  to: string;
  userId: string;
  action: string;
  outcome: string;
}
const NO_FILTERS: Filters = { from: '', to: '', userId: '', action: '', outcome: '' };

/** The query the core takes, from what the form holds (dates typed dd/mm/yyyy). */
function toQuery(f: Filters) {
  return {
    ...(f.from ? { from: dateTextToIso(f.from) } : {}),
    ...(f.to ? { to: dateTextToIso(f.to) } : {}),
    ...(f.userId ? { userId: Number(f.userId) } : {}),
    ...(f.action ? { action: f.action } : {}),
    ...(f.outcome ? { outcome: f.outcome as 'ok' | 'refused' | 'failed' } : {}),
  };
}

export function AuditPage() {
  const { t } = useTranslation();
  const [form, setForm] = useState<Filters>(NO_FILTERS);
  const [applied, setApplied] = useState<Filters>(NO_FILTERS);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [facets, setFacets] = useState<AuditFacets | null>(null);
  const [rows, setRows] = useState<AuditRow[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<'export' | 'verify' | null>(null);
  const generation = useRef(0);
  const scroller = useRef<HTMLDivElement>(null);

  useEffect(() => {
    call('audit.facets', {}).then(setFacets, (err: unknown) => setError(errorText(asDeskError(err))));
  }, []);

  const load = useCallback((filters: Filters, beforeSeq: number | null) => {
    const gen = beforeSeq === null ? ++generation.current : generation.current;
    setLoading(true);
    call('audit.search', { ...toQuery(filters), limit: PAGE, ...(beforeSeq !== null ? { beforeSeq } : {}) }).then(
      (page) => {
        if (gen !== generation.current) return;
        setRows((old) => (beforeSeq === null ? page.items : [...old, ...page.items]));
        setNext(page.nextBeforeSeq);
        setError(null);
        setLoading(false);
      },
      (err: unknown) => {
        if (gen !== generation.current) return;
        setError(errorText(asDeskError(err)));
        setLoading(false);
      },
    );
  }, []);
  useEffect(() => load(applied, null), [applied, load]);

  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? -1;
  useEffect(() => {
    if (!loading && next !== null && lastIndex >= rows.length - 20) load(applied, next);
  }, [lastIndex, rows.length, next, loading, applied, load]);

  function apply(e: FormEvent) {
    e.preventDefault();
    const parsed = auditSearchSchema.safeParse({ ...toQuery(form), limit: PAGE });
    if (!parsed.success) {
      setFieldErrors(formErrors(parsed.error));
      return;
    }
    setFieldErrors({});
    setApplied(form);
  }

  function clear() {
    setForm(NO_FILTERS);
    setFieldErrors({});
    setApplied(NO_FILTERS);
  }

  async function exportPackage() {
    const range = auditExportSchema.safeParse({ ...(form.from ? { from: dateTextToIso(form.from) } : {}), ...(form.to ? { to: dateTextToIso(form.to) } : {}) });
    if (!range.success) {
      setFieldErrors(formErrors(range.error));
      return;
    }
    setBusy('export');
    try {
      const r = await call('audit.export', range.data);
      if (r) toast.success(t('audit.exported', { entries: r.entries, heads: r.heads, dir: r.dir }));
    } catch (err) {
      reportError(err);
    } finally {
      setBusy(null);
    }
  }

  async function verify() {
    setBusy('verify');
    try {
      const r = await call('audit.verify', {});
      if (r.ok) toast.success(t('audit.verified', { entries: r.entries, heads: r.heads }));
      else toast.error(t('audit.broken', { seq: r.firstBroken?.seq ?? 0, problem: t(`audit.problem.${r.firstBroken?.problem ?? 'edited'}`) }));
      load(applied, null);
    } catch (err) {
      reportError(err);
    } finally {
      setBusy(null);
    }
  }

  const set = (k: keyof Filters) => (v: string) => setForm((f) => ({ ...f, [k]: v }));
  const actionLabel = (a: string) => t(`audit.action.${a.replace(/\./g, '_')}`, { defaultValue: a });
  const filtered = Object.values(applied).some(Boolean);

  return (
    <section className="page audit-page" aria-labelledby="audit-title">
      <div className="page-header">
        <h1 id="audit-title">{t('audit.title')}</h1>
        <span className="page-count">{loading && <Spinner />}{t('audit.newestFirst')}</span>
        <div className="page-actions">
          <button type="button" className="button" onClick={() => void verify()} disabled={busy !== null}>
            {busy === 'verify' ? <Spinner /> : <Icon name="check" />} {t('audit.verify')}
          </button>
          <button type="button" className="button primary" onClick={() => void exportPackage()} disabled={busy !== null}>
            {busy === 'export' ? <Spinner /> : <Icon name="upload" />} {t('audit.export')}
          </button>
        </div>
      </div>
      <form className="filter-bar audit-filters" onSubmit={apply} noValidate>
        <div className="filter">
          <label htmlFor="audit-from">{t('audit.from')}</label>
          <DateInput id="audit-from" value={form.from} onValueChange={set('from')} aria-invalid={!!fieldErrors.from} />
        </div>
        <div className="filter">
          <label htmlFor="audit-to">{t('audit.to')}</label>
          <DateInput id="audit-to" value={form.to} onValueChange={set('to')} aria-invalid={!!fieldErrors.to} />
        </div>
        <div className={form.userId ? 'filter is-set' : 'filter'}>
          <label htmlFor="audit-user">{t('audit.person')}</label>
          <select id="audit-user" className="input" value={form.userId} onChange={(e) => set('userId')(e.target.value)}>
            <option value="">{t('audit.anyone')}</option>
            {facets?.people.map((p) => <option key={p.id} value={p.id}>{p.fullName}</option>)}
          </select>
        </div>
        <div className={form.action ? 'filter is-set' : 'filter'}>
          <label htmlFor="audit-action">{t('audit.actionLabel')}</label>
          <select id="audit-action" className="input" value={form.action} onChange={(e) => set('action')(e.target.value)}>
            <option value="">{t('audit.anyAction')}</option>
            {facets?.actions.map((a) => <option key={a} value={a}>{actionLabel(a)}</option>)}
          </select>
        </div>
        <div className={form.outcome ? 'filter is-set' : 'filter'}>
          <label htmlFor="audit-outcome">{t('audit.outcomeLabel')}</label>
          <select id="audit-outcome" className="input" value={form.outcome} onChange={(e) => set('outcome')(e.target.value)}>
            <option value="">{t('audit.anyOutcome')}</option>
            {(['ok', 'refused', 'failed'] as const).map((o) => <option key={o} value={o}>{t(`audit.outcome.${o}`)}</option>)}
          </select>
        </div>
        <button type="submit" className="button">{t('audit.apply')}</button>
        {filtered && <button type="button" className="link-button clear-filters" onClick={clear}>{t('audit.clear')}</button>}
      </form>
      {Object.values(fieldErrors)[0] && <div className="form-error audit-error" role="alert">{Object.values(fieldErrors)[0]}</div>}
      {error && <div className="form-error audit-error" role="alert">{error}</div>}
      <div className="audit-grid" role="table" aria-label={t('audit.title')} aria-rowcount={rows.length}>
        <div className="audit-row audit-head" role="row">
          <span role="columnheader">{t('audit.col.at')}</span>
          <span role="columnheader">{t('audit.col.person')}</span>
          <span role="columnheader">{t('audit.col.action')}</span>
          <span role="columnheader">{t('audit.col.record')}</span>
          <span role="columnheader">{t('audit.col.outcome')}</span>
          <span role="columnheader">{t('audit.col.details')}</span>
        </div>
        <div className="audit-scroll" ref={scroller}>
          {rows.length === 0 && !loading && !error && <p className="muted audit-empty">{t('audit.empty')}</p>}
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {items.map((v) => {
              const r = rows[v.index]!;
              return (
                <div key={r.seq} role="row" className="audit-row" style={{ position: 'absolute', top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${v.start}px)` }}>
                  <span role="cell" className="nowrap" title={`#${r.seq}`}>{formatAt(r.at)}</span>
                  <span role="cell" className="ellipsis">{r.userName ?? t('audit.system')}</span>
                  <span role="cell" className="ellipsis" title={r.action}>{actionLabel(r.action)}</span>
                  <span role="cell" className="ellipsis">{r.entity ? `${t(`audit.entity.${r.entity}`, { defaultValue: r.entity })}${r.entityId !== null ? ` #${r.entityId}` : ''}` : ''}</span>
                  <span role="cell">
                    <span className={r.outcome === 'ok' ? 'cap cap-ok' : 'cap cap-bad'}>{t(`audit.outcome.${r.outcome}`)}{r.reason ? ` · ${r.reason}` : ''}</span>
                  </span>
                  <span role="cell" className="ellipsis mono" title={JSON.stringify(r.details)}>{Object.keys(r.details).length > 0 ? JSON.stringify(r.details) : ''}</span>
                </div>
              );
            })}
          </div>
        </div>
      </div>
    </section>
  );
}
