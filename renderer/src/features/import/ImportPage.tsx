// "Nhập dữ liệu cũ": a clerk brings a register kept in old software (CSV/TSV, XLSX, DBF, or a ZIP of
// the register and its scans). The file goes through the staging area like any upload (the window
// never names a path); the core reads it, and the clerk checks the encoding, delimiter and sheets,
// maps columns to fields (the guess shown), sees the first rows exactly as they will be stored, maps
// issuers the directory does not know, dry-runs it (report as XLSX), then imports with progress and
// cancel, and can carry on a stopped import later.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type {
  ImportDryRunProgress, ImportDryRunView, ImportJobView, ImportPreview, ImportRunView, ImportSourceView, KnownUnit, SavedImportMapping,
} from '../../../../common/contract';
import { SECRECY_LABELS, URGENCY_LABELS } from '../../../../common/domain';
import { DeskError } from '../../../../common/errors';
import { IMPORT_ENCODINGS, TARGET_FIELDS, type Mapping, type TargetField } from '../../../../common/importMapping';
import { Icon, Spinner } from '../../components/Icon';
import { asDeskError, call, reportError, stageFile } from '../../ipc/call';
import i18n from '../../i18n';
import { errorText } from '../../i18n/errors';
import { formatDateTimeVn, formatDateVn, formatNumber, formatSize } from '../../lib/format';
import { useIncoming } from '../../stores/incoming';
import { useNav } from '../../stores/nav';
import { toast } from '../../stores/toasts';
import { deliverTicket } from '../secrets/registerFile';
import './import.css';

const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const DELIMITERS = [',', ';', '\t', '|'] as const;
const POLL_MS = 400;
const DRY_POLL_MS = 250;

type Source = { stagedId: string; entry?: string };

export function ImportPage() {
  const { t } = useTranslation();
  const show = useNav((s) => s.show);
  const fileInput = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState<null | 'upload' | 'open' | 'dry' | 'start'>(null);
  const [source, setSource] = useState<ImportSourceView | null>(null);
  const [mapping, setMapping] = useState<Mapping | null>(null);
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  const [dry, setDry] = useState<ImportDryRunView | null>(null);
  /** The dry run under way (its report replaces it in `dry` once done). */
  const [checking, setChecking] = useState<ImportDryRunProgress | null>(null);
  const [dryStopped, setDryStopped] = useState(false);
  const mappingTitle = useRef<HTMLHeadingElement>(null);
  const [run, setRun] = useState<ImportRunView | null>(null);
  const [jobs, setJobs] = useState<ImportJobView[]>([]);
  const [saved, setSaved] = useState<SavedImportMapping[]>([]);
  const [units, setUnits] = useState<KnownUnit[]>([]);
  const [saveName, setSaveName] = useState('');
  const [error, setError] = useState<string | null>(null);

  const ref = useMemo<Source | null>(() => (source ? { stagedId: source.stagedId, ...(source.entry ? { entry: source.entry } : {}) } : null), [source]);

  const loadJobs = useCallback(() => { call('import.jobs', {}).then(setJobs, reportError); }, []);
  useEffect(() => {
    loadJobs();
    call('import.mappings', {}).then(setSaved, reportError);
    call('units.search', { query: '', limit: 50 }).then(setUnits, reportError);
  }, [loadJobs]);

  // The preview follows every change of the mapping (after a short pause).
  useEffect(() => {
    if (!ref || !mapping) return undefined;
    let stale = false;
    const timer = setTimeout(() => {
      call('import.preview', { ...ref, mapping, limit: 10 }).then(
        (p) => { if (!stale) { setPreview(p); setPreviewError(null); } },
        (e: unknown) => { if (!stale) setPreviewError(errorText(asDeskError(e))); },
      );
    }, 250);
    return () => { stale = true; clearTimeout(timer); };
  }, [ref, mapping]);

  // A running import is followed until it stops.
  useEffect(() => {
    if (!run || run.state !== 'running') return undefined;
    const timer = setTimeout(() => {
      call('import.progress', { runId: run.runId }).then((r) => {
        setRun(r);
        if (r.state !== 'running') loadJobs();
        // Rows are registered as the run goes: the register list reloads on its next showing.
        if (r.imported > 0) useIncoming.getState().refresh();
      }, reportError);
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [run, loadJobs]);

  // A dry run under way is followed until it stops: done, its report is fetched; stopped, back to the mapping.
  useEffect(() => {
    if (!checking || checking.state !== 'running') return undefined;
    const timer = setTimeout(() => {
      call('import.dryRunProgress', { runId: checking.runId }).then(async (p) => {
        if (p.state === 'running') { setChecking(p); return; }
        if (p.state === 'done') {
          setChecking(p);
          try { setDry(await call('import.dryRunReport', { runId: p.runId })); } catch (e) { toast.error(errorText(asDeskError(e))); }
          setChecking(null);
          return;
        }
        setChecking(p.state === 'failed' ? p : null);
        if (p.state === 'cancelled') backToMapping();
      }, (e: unknown) => { setChecking(null); reportError(e); });
    }, DRY_POLL_MS);
    return () => clearTimeout(timer);
  }, [checking]);

  function backToMapping() {
    setDryStopped(true);
    // Only the page's own scroller moves (scrollIntoView would also shift the window's frame).
    const title = mappingTitle.current;
    const scroller = title?.closest<HTMLElement>('.import-page');
    if (title && scroller) scroller.scrollTop += title.getBoundingClientRect().top - scroller.getBoundingClientRect().top - 12;
    title?.focus({ preventScroll: true });
  }

  /** The mapping changed: the dry run's figures no longer hold (one under way is stopped). */
  function resetDry() {
    setDry(null);
    setDryStopped(false);
    setChecking((c) => {
      if (c?.state === 'running') void call('import.dryRunCancel', { runId: c.runId }).catch(() => undefined);
      return null;
    });
  }

  async function open(next: Source & { encoding?: Mapping['encoding']; delimiter?: string; headerRow?: number }, keepMapping = false) {
    setBusy('open');
    setError(null);
    try {
      const view = await call('import.open', next);
      setSource(view);
      resetDry();
      setMapping((m) => (keepMapping && m
        ? { ...m, encoding: view.suggested.encoding, delimiter: view.suggested.delimiter, headerRow: view.suggested.headerRow } as Mapping
        : view.suggested));
    } catch (e) {
      setError(errorText(asDeskError(e)));
    } finally {
      setBusy(null);
    }
  }

  async function upload(file: File) {
    setBusy('upload');
    setError(null);
    setSource(null);
    setPreview(null);
    resetDry();
    setRun(null);
    try {
      const staged = await stageFile(file);
      await open({ stagedId: staged.stagedId });
    } catch (e) {
      setError(errorText(asDeskError(e)));
      setBusy(null);
    }
  }

  const fieldOf = (column: string): TargetField | '' => mapping?.columns.find((c) => c.source === column)?.field ?? '';
  const suggestedOf = (column: string): TargetField | '' => source?.suggested.columns.find((c) => c.source === column)?.field ?? '';
  function setField(column: string, field: TargetField | '') {
    setMapping((m) => {
      if (!m) return m;
      const others = m.columns.filter((c) => c.source !== column && (field === '' || c.field !== field));
      const columns = field ? [...others, { source: column, field, transforms: [] }] : others;
      return columns.length > 0 ? { ...m, columns } : m;
    });
    resetDry();
  }
  const change = (patch: Partial<Mapping>) => { setMapping((m) => (m ? { ...m, ...patch } : m)); resetDry(); };

  async function dryRun() {
    if (!ref || !mapping) return;
    setBusy('dry');
    setDry(null);
    setDryStopped(false);
    try {
      setChecking(await call('import.dryRunStart', { ...ref, mapping }));
    } catch (e) {
      toast.error(errorText(asDeskError(e)));
    } finally {
      setBusy(null);
    }
  }

  async function downloadReport() {
    if (!dry) return;
    try {
      const r = await deliverTicket(dry, XLSX_MIME);
      if (r.how !== 'cancelled') toast.success(t('import.reportSaved', { file: r.name }));
      // A ticket is used once: the next download asks for a fresh dry run.
      setDry({ ...dry, ticket: '' });
    } catch (e) {
      toast.error(errorText(asDeskError(e)));
    }
  }

  async function start() {
    if (!ref || !mapping) return;
    setBusy('start');
    try {
      setRun(await call('import.start', { ...ref, mapping }));
      loadJobs();
    } catch (e) {
      toast.error(errorText(asDeskError(e)));
    } finally {
      setBusy(null);
    }
  }

  async function resume(jobId: number) {
    try {
      setRun(await call('import.resume', { id: jobId }));
      loadJobs();
    } catch (e) {
      toast.error(errorText(asDeskError(e)));
    }
  }

  async function saveMapping() {
    if (!mapping || !saveName.trim()) return;
    try {
      setSaved(await call('import.saveMapping', { name: saveName.trim(), mapping }));
      toast.success(t('import.mappingSaved', { name: saveName.trim() }));
      setSaveName('');
    } catch (e) {
      toast.error(errorText(asDeskError(e)));
    }
  }

  function applySaved(name: string) {
    const m = saved.find((s) => s.name === name);
    if (!m || !source) return;
    const headers = new Set(source.sheets.flatMap((s) => s.headers));
    const columns = m.mapping.columns.filter((c) => headers.has(c.source));
    if (columns.length === 0) { toast.error(t('import.mappingNoColumns')); return; }
    setMapping({ ...m.mapping, columns });
    resetDry();
    // The reading options of a saved mapping change how the file is read.
    if (m.mapping.encoding !== source.encoding || (m.mapping.delimiter && m.mapping.delimiter !== source.delimiter)) {
      void open({ ...ref!, ...(m.mapping.encoding ? { encoding: m.mapping.encoding } : {}), ...(m.mapping.delimiter ? { delimiter: m.mapping.delimiter } : {}) }, true);
    }
  }

  const headers = source?.sheets.find((s) => s.headers.length > 0)?.headers ?? [];
  const sampleOf = (column: string) => source?.sample.find((r) => r.cells[column])?.cells[column] ?? '';
  const running = run?.state === 'running' || checking?.state === 'running';
  const percent = run && run.total > 0 ? Math.round((run.handled / run.total) * 100) : 0;

  return (
    <section className="page import-page" aria-labelledby="import-title">
      <div className="page-header">
        <h1 id="import-title">{t('import.title')}</h1>
      </div>
      <div className="import-body">
        <section className="import-step" aria-labelledby="import-source">
          <h2 id="import-source"><span className="step-no">1</span>{t('import.sourceTitle')}</h2>
          <p className="muted">{t('import.sourceHelp')}</p>
          <div className="import-row">
            <input ref={fileInput} id="import-file" type="file" className="visually-hidden" accept=".csv,.tsv,.txt,.xlsx,.dbf,.zip"
              onChange={(e) => { const f = e.target.files?.[0]; if (f) void upload(f); e.target.value = ''; }} />
            <button type="button" className="button primary" onClick={() => fileInput.current?.click()} disabled={busy !== null || running}>
              {busy === 'upload' || busy === 'open' ? <Spinner /> : <Icon name="file" />} {t('import.choose')}
            </button>
            {source && <span className="import-file-name"><strong>{source.name}</strong>{source.archive && <> · {t('import.archive', { scans: source.archive.scans, files: source.archive.files })}</>}</span>}
          </div>
          {error && <p className="form-error" role="alert">{error}</p>}
          {source && (
            <div className="import-read">
              {source.archive && source.archive.registers.length > 1 && (
                <label className="field field-narrow">
                  <span className="field-label">{t('import.register')}</span>
                  <select className="input" value={source.entry ?? ''} onChange={(e) => void open({ stagedId: source.stagedId, entry: e.target.value })}>
                    {source.archive.registers.map((r) => <option key={r} value={r}>{r}</option>)}
                  </select>
                </label>
              )}
              <label className="field field-narrow">
                <span className="field-label">{t('import.format')}</span>
                <span className="field-static">{t(`import.formats.${source.format}`)}</span>
              </label>
              {source.format !== 'xlsx' && (
                <label className="field field-narrow">
                  <span className="field-label">{t('import.encoding')}{source.encodingDetected && <span className="badge-plain import-auto">{t('import.detected')}</span>}</span>
                  <select className="input" aria-label={t('import.encoding')} value={source.encoding ?? ''}
                    onChange={(e) => void open({ ...ref!, encoding: e.target.value as Mapping['encoding'], ...(source.delimiter ? { delimiter: source.delimiter } : {}) }, true)}>
                    {IMPORT_ENCODINGS.map((enc) => <option key={enc} value={enc}>{t(`import.encodings.${enc}`)}</option>)}
                  </select>
                </label>
              )}
              {source.format === 'csv' && (
                <label className="field field-narrow">
                  <span className="field-label">{t('import.delimiter')}{source.delimiterDetected && <span className="badge-plain import-auto">{t('import.detected')}</span>}</span>
                  <select className="input" aria-label={t('import.delimiter')} value={source.delimiter ?? ','}
                    onChange={(e) => void open({ ...ref!, delimiter: e.target.value, ...(source.encoding ? { encoding: source.encoding } : {}) }, true)}>
                    {DELIMITERS.map((d) => <option key={d} value={d}>{t(`import.delimiters.${d === '\t' ? 'tab' : d === ',' ? 'comma' : d === ';' ? 'semicolon' : 'pipe'}`)}</option>)}
                  </select>
                </label>
              )}
              {source.format === 'xlsx' && (
                <fieldset className="field import-sheets">
                  <legend className="field-label">{t('import.sheets')}</legend>
                  {source.sheets.map((s) => (
                    <label key={s.name} className="import-check">
                      <input type="checkbox" checked={!mapping?.sheets || mapping.sheets.includes(s.name)}
                        onChange={(e) => {
                          const all = source.sheets.map((x) => x.name);
                          const now = new Set(mapping?.sheets ?? all);
                          if (e.target.checked) now.add(s.name); else now.delete(s.name);
                          if (now.size > 0) change({ sheets: now.size === all.length ? undefined : all.filter((n) => now.has(n)) } as Partial<Mapping>);
                        }} />
                      {s.name} <span className="muted">({t('import.rows', { count: s.rows })})</span>
                    </label>
                  ))}
                </fieldset>
              )}
              {source.quirks.length > 0 && (
                <details className="import-quirks">
                  <summary>{t('import.quirks', { count: source.quirks.length })}</summary>
                  <ul>
                    {source.quirks.map((q, i) => (
                      <li key={i}>{q.text}{q.sheet && source.sheets.length > 1 ? ` · ${q.sheet}` : ''}{q.row ? ` · ${t('import.rowNo', { row: q.row })}` : ''}{q.column ? ` · ${q.column}` : ''}</li>
                    ))}
                  </ul>
                </details>
              )}
            </div>
          )}
        </section>

        {source && mapping && (
          <section className="import-step" aria-labelledby="import-mapping">
            <h2 id="import-mapping" ref={mappingTitle} tabIndex={-1}><span className="step-no">2</span>{t('import.mappingTitle')}</h2>
            {dryStopped && <p className="notice notice-warning import-dry-stopped" role="status">{t('import.dryStopped')}</p>}
            <div className="import-row import-saved">
              <label className="field field-narrow">
                <span className="field-label">{t('import.savedMappings')}</span>
                <select className="input" aria-label={t('import.savedMappings')} value="" onChange={(e) => applySaved(e.target.value)} disabled={saved.length === 0}>
                  <option value="">{saved.length === 0 ? t('import.noSaved') : t('import.chooseSaved')}</option>
                  {saved.map((s) => <option key={s.name} value={s.name}>{s.name}</option>)}
                </select>
              </label>
              <label className="field field-narrow">
                <span className="field-label">{t('import.saveAs')}</span>
                <input className="input" value={saveName} maxLength={100} onChange={(e) => setSaveName(e.target.value)} placeholder={t('import.saveAsHint')} />
              </label>
              <button type="button" className="button" onClick={() => void saveMapping()} disabled={!saveName.trim()}>{t('import.save')}</button>
            </div>
            <table className="data-table import-columns">
              <thead>
                <tr><th scope="col">{t('import.column')}</th><th scope="col">{t('import.example')}</th><th scope="col">{t('import.field')}</th></tr>
              </thead>
              <tbody>
                {headers.map((h) => {
                  const guess = suggestedOf(h);
                  const current = fieldOf(h);
                  return (
                    <tr key={h}>
                      <th scope="row">{h}</th>
                      <td className="import-sample" title={sampleOf(h)}>{sampleOf(h)}</td>
                      <td>
                        <div className="import-field">
                        <select className="input" aria-label={t('import.fieldFor', { column: h })} value={current} onChange={(e) => setField(h, e.target.value as TargetField | '')}>
                          <option value="">{t('import.unused')}</option>
                          {TARGET_FIELDS.map((f) => <option key={f} value={f}>{t(`import.fields.${f}`)}</option>)}
                        </select>
                        {guess && (guess === current
                          ? <span className="badge-plain import-auto">{t('import.guessed')}</span>
                          : <span className="muted import-guess">{t('import.guess', { field: t(`import.fields.${guess}`) })}</span>)}
                        </div>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            <div className="import-row import-defaults">
              <label className="field field-narrow">
                <span className="field-label">{t('import.defaultSecrecy')}</span>
                <select className="input" value={mapping.defaults.secrecy} onChange={(e) => change({ defaults: { ...mapping.defaults, secrecy: e.target.value as Mapping['defaults']['secrecy'] } })}>
                  {Object.entries(SECRECY_LABELS).map(([k, v]) => <option key={k} value={k}>{v}</option>)}
                </select>
              </label>
              <label className="field field-narrow">
                <span className="field-label">{t('import.defaultUrgency')}</span>
                <select className="input" value={mapping.defaults.urgency} onChange={(e) => change({ defaults: { ...mapping.defaults, urgency: e.target.value as Mapping['defaults']['urgency'] } })}>
                  {Object.entries(URGENCY_LABELS).map(([k, v]) => <option key={k} value={k}>{v}</option>)}
                </select>
              </label>
              <label className="field import-rule">
                <span className="field-label">{t('import.rule')}</span>
                <input className="input" value={mapping.files.pattern ?? ''} maxLength={200} placeholder="scans/{so}-{nam}.*"
                  onChange={(e) => change({ files: e.target.value ? { pattern: e.target.value } : {} })} />
                <span className="field-hint">{t('import.ruleHelp')}</span>
              </label>
            </div>
          </section>
        )}

        {source && mapping && (
          <section className="import-step" aria-labelledby="import-preview">
            <h2 id="import-preview"><span className="step-no">3</span>{t('import.previewTitle')}</h2>
            {previewError && <p className="form-error" role="alert">{previewError}</p>}
            {!preview ? <Spinner /> : (
              <>
                <p className="muted">{t('import.previewHelp', { shown: preview.rows.length, total: formatNumber(preview.total) })}</p>
                {preview.missingColumns.length > 0 && (
                  <p className="notice notice-warning">{t('import.missingColumns', { columns: preview.missingColumns.map((m) => `${m.column} (${m.sheet})`).join(', ') })}</p>
                )}
                <div className="import-table-wrap">
                  <table className="data-table import-preview">
                    <thead>
                      <tr>
                        <th scope="col">{t('import.rowCol')}</th><th scope="col">{t('import.status')}</th><th scope="col">{t('import.fields.numberSymbol')}</th>
                        <th scope="col">{t('import.fields.documentDate')}</th><th scope="col">{t('import.fields.arrivalDate')}</th><th scope="col">{t('import.fields.issuer')}</th>
                        <th scope="col">{t('import.fields.subject')}</th><th scope="col">{t('import.fields.secrecy')}</th><th scope="col">{t('import.fields.urgency')}</th>
                        <th scope="col">{t('import.fields.file')}</th><th scope="col">{t('import.reasons')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {preview.rows.map((r) => (
                        <tr key={`${r.sheet}:${r.row}`} className={`import-status-${r.status}`}>
                          <td className="num">{r.row}</td>
                          <td><span className={`import-badge import-badge-${r.status}`}>{t(`import.statuses.${r.status}`)}</span></td>
                          <td className="mono">{r.record?.numberSymbol ?? ''}</td>
                          <td>{r.record ? formatDateVn(r.record.documentDate) : ''}</td>
                          <td>{r.record ? formatDateVn(r.record.arrivalDate) : ''}</td>
                          <td className="import-issuer">{r.record && <>{r.record.issuer}{r.record.issuerUnitId === null && <span className="import-unknown"> ({t('import.unknownShort')})</span>}</>}</td>
                          <td className="import-subject">{r.record?.subject ?? ''}</td>
                          <td>{r.record ? SECRECY_LABELS[r.record.secrecy] : ''}</td>
                          <td>{r.record ? URGENCY_LABELS[r.record.urgency] : ''}</td>
                          <td>{r.record?.file ?? ''}</td>
                          <td className="import-reasons">{r.reasons.map((x) => x.text + (x.detail ? `: ${x.detail}` : '')).join('; ')}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
                {preview.unknownUnits.length > 0 && (
                  <div className="import-units" aria-labelledby="import-units-title">
                    <h3 id="import-units-title">{t('import.unknownUnits', { count: preview.unknownUnits.length })}</h3>
                    <p className="muted">{t('import.unknownUnitsHelp')}</p>
                    <ul>
                      {preview.unknownUnits.map((u) => (
                        <li key={u.name}>
                          <span className="import-unit-name">{u.name} <span className="muted">({t('import.rows', { count: u.rows })})</span></span>
                          <select className="input" aria-label={t('import.mapUnit', { name: u.name })} value={mapping.units[u.name] ?? ''}
                            onChange={(e) => change({ units: e.target.value ? { ...mapping.units, [u.name]: Number(e.target.value) } : Object.fromEntries(Object.entries(mapping.units).filter(([k]) => k !== u.name)) })}>
                            <option value="">{t('import.keepAsWritten')}</option>
                            {units.map((x) => <option key={x.id} value={x.id}>{x.name}{x.code ? ` (${x.code})` : ''}</option>)}
                          </select>
                        </li>
                      ))}
                    </ul>
                  </div>
                )}
              </>
            )}
          </section>
        )}

        {source && mapping && (
          <section className="import-step" aria-labelledby="import-run">
            <h2 id="import-run"><span className="step-no">4</span>{t('import.runTitle')}</h2>
            <div className="import-row">
              <button type="button" className="button" onClick={() => void dryRun()} disabled={busy !== null || running}>
                {busy === 'dry' ? <Spinner /> : <Icon name="list" />} {t('import.dryRun')}
              </button>
              <button type="button" className="button" onClick={() => void downloadReport()} disabled={!dry?.ticket}>
                <Icon name="file" /> {t('import.report')}
              </button>
              <button type="button" className="button primary" onClick={() => void start()} disabled={!dry || busy !== null || running || run?.state === 'done'}>
                {busy === 'start' ? <Spinner /> : <Icon name="inbox" />} {t('import.start')}
              </button>
              {!dry && !checking && <span className="muted">{t('import.dryFirst')}</span>}
            </div>
            {checking && <DryRunPanel run={checking} onCancel={() => void call('import.dryRunCancel', { runId: checking.runId }).then(setChecking, reportError)} />}
            {dry && (
              <div className="import-dry" role="status">
                <p>
                  <strong>{t('import.dryDone', { total: formatNumber(dry.total) })}</strong>{' '}
                  {(['ok', 'warning', 'duplicate', 'rejected'] as const).map((s) => (
                    <span key={s} className={`import-badge import-badge-${s}`}>{t(`import.statuses.${s}`)}: {formatNumber(dry.counts[s])}</span>
                  ))}
                </p>
                {dry.problems.length > 0 && (
                  <details className="import-problems">
                    <summary>{t('import.problems', { count: dry.problems.length })}</summary>
                    <ul>
                      {dry.problems.map((r) => (
                        <li key={`${r.sheet}:${r.row}`}>{t('import.rowNo', { row: r.row })} · {t(`import.statuses.${r.status}`)}: {r.reasons.map((x) => x.text + (x.detail ? ` (${x.detail})` : '')).join('; ')}</li>
                      ))}
                    </ul>
                  </details>
                )}
              </div>
            )}
            {run && <RunPanel run={run} percent={percent} onCancel={() => void call('import.cancel', { runId: run.runId }).then(setRun, reportError)}
              onShow={() => show({ name: 'incoming' })} />}
          </section>
        )}

        {jobs.length > 0 && (
          <section className="import-step" aria-labelledby="import-jobs">
            <h2 id="import-jobs">{t('import.jobsTitle')}</h2>
            <table className="data-table import-jobs">
              <thead>
                <tr>
                  <th scope="col">{t('import.jobSource')}</th><th scope="col">{t('import.jobState')}</th><th scope="col">{t('import.jobCounts')}</th>
                  <th scope="col">{t('import.jobUpdated')}</th><th scope="col"><span className="visually-hidden">{t('import.jobActions')}</span></th>
                </tr>
              </thead>
              <tbody>
                {jobs.map((j) => (
                  <tr key={j.id}>
                    <td>{j.sourceName}</td>
                    <td>{j.runId ? t('import.jobStates.active') : t(`import.jobStates.${j.state}`)}</td>
                    <td>{t('import.jobCountsText', { imported: formatNumber(j.imported), duplicates: formatNumber(j.duplicates), rejected: formatNumber(j.rejected), total: formatNumber(j.total) })}</td>
                    <td>{formatDateTimeVn(j.updatedAt)}</td>
                    <td>{j.resumable && <button type="button" className="button" onClick={() => void resume(j.id)} disabled={running}>{t('import.resume')}</button>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        )}
      </div>
    </section>
  );
}

function RunPanel({ run, percent, onCancel, onShow }: { run: ImportRunView; percent: number; onCancel(): void; onShow(): void }) {
  const { t } = useTranslation();
  const err = run.error ? DeskError.fromPayload(run.error) : null;
  return (
    <div className="import-progress" aria-live="polite">
      <div className="import-progress-head">
        <strong>{t(`import.runStates.${run.state}`)}</strong>
        <span>{t('import.progressCounts', { handled: formatNumber(run.handled), total: formatNumber(run.total), percent })}</span>
      </div>
      <progress max={Math.max(run.total, 1)} value={run.handled} aria-label={t('import.progressLabel')} />
      <p className="import-figures">
        {t('import.figures', { imported: formatNumber(run.imported), duplicates: formatNumber(run.duplicates), rejected: formatNumber(run.rejected) })}
        {run.state === 'running' && run.rate > 0 && <> · {t('import.rate', { rate: formatNumber(Math.round(run.rate)) })}</>}
        {run.state === 'running' && run.secondsLeft !== null && <> · {t('import.left', { time: timeLeft(run.secondsLeft) })}</>}
      </p>
      {err && <p className="form-error" role="alert">{errorText(err)}</p>}
      <div className="import-row">
        {run.state === 'running' && <button type="button" className="button" onClick={onCancel}><Icon name="close" /> {t('import.cancel')}</button>}
        {run.state === 'done' && <button type="button" className="button primary" onClick={onShow}>{t('import.showRegister')}</button>}
      </div>
    </div>
  );
}

function DryRunPanel({ run, onCancel }: { run: ImportDryRunProgress; onCancel(): void }) {
  const { t } = useTranslation();
  const err = run.error ? DeskError.fromPayload(run.error) : null;
  const percent = run.total > 0 ? Math.floor((run.checked / run.total) * 100) : 0;
  // The file is read (decrypted and parsed off the window's thread) before any row is checked.
  const reading = run.state === 'running' && run.phase === 'reading';
  const readPercent = run.bytesTotal > 0 ? Math.min(100, Math.floor((run.bytesRead / run.bytesTotal) * 100)) : 0;
  return (
    <div className="import-progress import-dry-progress" aria-live="polite">
      <div className="import-progress-head">
        <strong>{t(`import.dryStates.${run.state}`)}</strong>
        {reading
          ? <span>{t('import.dryReading', { read: formatSize(run.bytesRead), total: formatSize(run.bytesTotal), percent: readPercent })}</span>
          : <span>{t('import.dryChecked', { checked: formatNumber(run.checked), total: formatNumber(run.total), percent })}</span>}
      </div>
      {reading
        ? <progress max={Math.max(run.bytesTotal, 1)} value={run.bytesRead} aria-label={t('import.dryReadingLabel')} />
        : <progress max={Math.max(run.total, 1)} value={run.checked} aria-label={t('import.dryProgressLabel')} />}
      <p className="import-figures">
        {(['ok', 'warning', 'duplicate', 'rejected'] as const).map((s) => (
          <span key={s} className={`import-badge import-badge-${s}`}>{t(`import.statuses.${s}`)}: {formatNumber(run.counts[s])}</span>
        ))}
        {run.state === 'running' && run.rate > 0 && <span>{t('import.rate', { rate: formatNumber(Math.round(run.rate)) })}</span>}
        {run.state === 'running' && run.secondsLeft !== null && <span>{t('import.left', { time: timeLeft(run.secondsLeft) })}</span>}
      </p>
      {err && <p className="form-error" role="alert">{errorText(err)}</p>}
      {run.state === 'running' && (
        <div className="import-row">
          <button type="button" className="button" onClick={onCancel}><Icon name="close" /> {t('import.cancel')}</button>
        </div>
      )}
    </div>
  );
}

function timeLeft(seconds: number): string {
  if (seconds < 60) return i18n.t('import.seconds', { count: Math.max(1, Math.round(seconds)) });
  const m = Math.floor(seconds / 60);
  return m < 60 ? i18n.t('import.minutes', { count: m }) : i18n.t('import.hours', { h: Math.floor(m / 60), m: m % 60 });
}
