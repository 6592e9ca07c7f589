// "Gói dữ liệu": offline packages between isolated workstations (docs/packages.md). Import: the văn thư
// uploads a package (staged like any upload: the window never names a path), the core verifies it
// (signer, integrity) and shows what it would do here (per level and register: new, already here,
// conflicts, refused, with reasons), then imports it in the background with progress and cancel.
// Export: a selection, recipients chosen from the certificates the core knows or an uploaded
// certificate file, and the package handed out as a one-use output (saved by main in Electron).
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RegisterSummary, WorkFileView } from '../../../../common/contract';
import { SECRECY_LEVELS, type Secrecy } from '../../../../common/domain';
import { todayIso, yearOf } from '../../../../common/dates';
import type {
  PackageCheckView, PackageEdxmlExportFile, PackageEdxmlPreview, PackageEdxmlResult, PackageExportFile, PackageImportRunView, PackageOutcome, PackageOutcomeCounts, PackageRecipientOption,
} from '../../../../common/packages';
import { Icon, Spinner } from '../../components/Icon';
import { asDeskError, call, reportError, stageFile } from '../../ipc/call';
import { errorText } from '../../i18n/errors';
import { useLabels } from '../../i18n/labels';
import { formatDateTimeVn, formatDateVn, formatNumber, formatSize } from '../../lib/format';
import { useApp } from '../../stores/app';
import { toast } from '../../stores/toasts';
import { deliverTicket } from '../secrets/registerFile';
import '../import/import.css';
import './packages.css';

const POLL_MS = 300;
const OUTCOMES: PackageOutcome[] = ['new', 'already', 'update', 'duplicate', 'conflict', 'refused'];

export function PackagesPage() {
  const { t } = useTranslation();
  const mayImport = useApp((s) => !!s.session?.rights.includes('doc.register'));
  const [tab, setTab] = useState<'import' | 'export'>(mayImport ? 'import' : 'export');
  return (
    <section className="page import-page packages-page" aria-labelledby="packages-title">
      <div className="page-header">
        <h1 id="packages-title">{t('packages.title')}</h1>
      </div>
      <div className="import-body">
        <div className="packages-tabs" role="tablist" aria-label={t('packages.title')}>
          {mayImport && (
            <button type="button" role="tab" aria-selected={tab === 'import'} className={tab === 'import' ? 'button primary' : 'button'} onClick={() => setTab('import')}>
              <Icon name="upload" /> {t('packages.importTab')}
            </button>
          )}
          <button type="button" role="tab" aria-selected={tab === 'export'} className={tab === 'export' ? 'button primary' : 'button'} onClick={() => setTab('export')}>
            <Icon name="file" /> {t('packages.exportTab')}
          </button>
        </div>
        {tab === 'import' && mayImport ? <><ImportPackage /><ImportEdxml /></> : <ExportPackage />}
      </div>
    </section>
  );
}

function Counts({ counts }: { counts: PackageOutcomeCounts }) {
  return (
    <>
      {OUTCOMES.map((o) => (
        <td key={o} className={`num${counts[o] > 0 && (o === 'conflict' || o === 'refused') ? ' packages-warn' : ''}`}>{formatNumber(counts[o])}</td>
      ))}
    </>
  );
}

function ImportPackage() {
  const { t } = useTranslation();
  const labels = useLabels();
  const fileInput = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState<null | 'upload' | 'start'>(null);
  const [check, setCheck] = useState<PackageCheckView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [run, setRun] = useState<PackageImportRunView | null>(null);

  useEffect(() => {
    if (run?.state !== 'running') return;
    const timer = setTimeout(() => { call('packages.importProgress', { runId: run.runId }).then(setRun, reportError); }, POLL_MS);
    return () => clearTimeout(timer);
  }, [run]);

  async function upload(file: File) {
    setBusy('upload');
    setError(null);
    setCheck(null);
    setRun(null);
    try {
      const staged = await stageFile(file);
      setCheck(await call('packages.verify', { stagedId: staged.stagedId }));
    } catch (e) {
      setError(errorText(asDeskError(e)));
    } finally {
      setBusy(null);
    }
  }

  async function start() {
    if (!check) return;
    setBusy('start');
    try {
      setRun(await call('packages.importStart', { stagedId: check.stagedId }));
    } catch (e) {
      toast.error(errorText(asDeskError(e)));
    } finally {
      setBusy(null);
    }
  }

  const running = run?.state === 'running';
  const percent = run && run.filesTotal > 0 ? Math.round((run.filesDone / run.filesTotal) * 100) : run?.phase === 'finished' ? 100 : 0;
  return (
    <>
      <section className="import-step" aria-labelledby="pkg-in-file">
        <h2 id="pkg-in-file"><span className="step-no">1</span>{t('packages.in.fileTitle')}</h2>
        <p className="muted">{t('packages.in.fileHelp')}</p>
        <div className="import-row">
          <input ref={fileInput} id="package-file" type="file" className="visually-hidden" accept=".p7m,.sqlite,.sdpkg"
            onChange={(e) => { const f = e.target.files?.[0]; if (f) void upload(f); e.target.value = ''; }} />
          <button type="button" className="button primary" onClick={() => fileInput.current?.click()} disabled={busy !== null || running}>
            {busy === 'upload' ? <Spinner /> : <Icon name="file" />} {t('packages.in.choose')}
          </button>
          {check && <span className="import-file-name"><strong>{check.fileName}</strong></span>}
        </div>
        {error && <p className="form-error packages-refused" role="alert">{error}</p>}
      </section>
      {check && (
        <section className="import-step" aria-labelledby="pkg-in-check">
          <h2 id="pkg-in-check"><span className="step-no">2</span>{t('packages.in.checkTitle')}</h2>
          <p className="notice packages-verified" role="status"><Icon name="check" /> {t('packages.in.verified')}</p>
          <dl className="packages-facts">
            <dt>{t('packages.in.agency')}</dt><dd>{check.agency.name} ({check.agency.code})</dd>
            <dt>{t('packages.in.exportedAt')}</dt><dd>{formatDateTimeVn(check.exportedAt)}</dd>
            <dt>{t('packages.in.exportedBy')}</dt><dd>{check.exportedBy}</dd>
            <dt>{t('packages.in.signer')}</dt><dd className="packages-subject">{check.signer ?? t('packages.in.signerUnknown')}</dd>
            <dt>{t('packages.in.sealed')}</dt><dd>{check.encrypted ? t('packages.in.encrypted') : t('packages.in.plain')}</dd>
          </dl>
          <h3>{t('packages.in.byLevel')}</h3>
          <div className="import-table-wrap">
            <table className="data-table packages-counts">
              <thead>
                <tr><th scope="col">{t('packages.level')}</th>{OUTCOMES.map((o) => <th key={o} scope="col" className="num">{t(`packages.outcomes.${o}`)}</th>)}</tr>
              </thead>
              <tbody>
                {check.byLevel.map((l) => (
                  <tr key={l.level}><th scope="row">{labels.secrecy(l.level)}</th><Counts counts={l.counts} /></tr>
                ))}
              </tbody>
            </table>
          </div>
          {check.byRegister.length > 0 && (
            <>
              <h3>{t('packages.in.byRegister')}</h3>
              <div className="import-table-wrap">
                <table className="data-table packages-counts">
                  <thead>
                    <tr><th scope="col">{t('packages.register')}</th>{OUTCOMES.map((o) => <th key={o} scope="col" className="num">{t(`packages.outcomes.${o}`)}</th>)}</tr>
                  </thead>
                  <tbody>
                    {check.byRegister.map((r) => (
                      <tr key={r.name}><th scope="row">{r.name}</th><Counts counts={r.counts} /></tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
          {check.reasons.length > 0 && (
            <>
              <h3>{t('packages.in.reasonsTitle')}</h3>
              <ul className="packages-reasons">
                {check.reasons.map((r) => (
                  <li key={`${r.level}-${r.outcome}-${r.reason}`}>
                    <span className={`import-badge ${r.outcome === 'duplicate' ? 'import-badge-duplicate' : 'import-badge-rejected'}`}>{t(`packages.outcomes.${r.outcome}`)}</span>
                    {t(`packages.reasons.${r.reason}`, { count: r.count, level: labels.secrecy(r.level) })}
                  </li>
                ))}
              </ul>
            </>
          )}
          {check.workFiles.length > 0 && (
            <>
              <h3>{t('packages.in.workFiles')}</h3>
              <ul className="packages-reasons">
                {check.workFiles.map((w) => (
                  <li key={`${w.code}-${w.level}`}>{w.code}{w.title ? ` “${w.title}”` : ''} ({labels.secrecy(w.level)}): {t(`packages.outcomes.${w.outcome}`)}</li>
                ))}
              </ul>
            </>
          )}
        </section>
      )}
      {check && (
        <section className="import-step" aria-labelledby="pkg-in-run">
          <h2 id="pkg-in-run"><span className="step-no">3</span>{t('packages.in.runTitle')}</h2>
          {check.importable === 0 && !run && <p className="notice" role="status">{t('packages.in.nothingNew')}</p>}
          <div className="import-row">
            <button type="button" className="button primary" onClick={() => void start()} disabled={busy !== null || running || run?.state === 'done'}>
              {busy === 'start' ? <Spinner /> : <Icon name="upload" />} {t('packages.in.start', { count: check.importable })}
            </button>
            {running && (
              <button type="button" className="button" onClick={() => void call('packages.importCancel', { runId: run.runId }).then(setRun, reportError)}>
                {t('packages.in.cancel')}
              </button>
            )}
          </div>
          {run && (
            <div className="import-progress" aria-live="polite">
              <div className="import-progress-head">
                <strong>{t(`packages.in.states.${run.state}`)}</strong>
                <span>{t(`packages.in.phases.${run.phase}`)}</span>
              </div>
              <progress max={100} value={percent} aria-label={t('packages.in.progress')} />
              <p className="import-figures">{t('packages.in.files', { done: formatNumber(run.filesDone), total: formatNumber(run.filesTotal) })}</p>
              {run.result && (
                <p className="packages-result" role="status">
                  {t('packages.in.result', {
                    added: formatNumber(run.result.counts.new + run.result.counts.update), already: formatNumber(run.result.counts.already),
                    refused: formatNumber(run.result.counts.refused + run.result.counts.conflict), files: formatNumber(run.result.filesPlaced),
                  })}
                </p>
              )}
              {run.error && <p className="form-error packages-refused" role="alert">{errorText(asDeskError(run.error))}</p>}
            </div>
          )}
        </section>
      )}
    </>
  );
}

/**
 * A ZIP of edXML packets (or one packet) carried on removable media: first what importing it would do,
 * packet by packet (nothing written), then "Nhập" through the exchange's inbound path, or cancel.
 */
function ImportEdxml() {
  const { t } = useTranslation();
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState<null | 'preview' | 'import'>(null);
  const [error, setError] = useState<string | null>(null);
  const [preview, setPreview] = useState<{ stagedId: string; fileName: string; view: PackageEdxmlPreview } | null>(null);
  const [result, setResult] = useState<PackageEdxmlResult | null>(null);

  async function upload(file: File) {
    setBusy('preview');
    setError(null);
    setResult(null);
    setPreview(null);
    try {
      const staged = await stageFile(file);
      setPreview({ stagedId: staged.stagedId, fileName: file.name, view: await call('packages.previewEdxml', { stagedId: staged.stagedId }) });
    } catch (e) {
      setError(errorText(asDeskError(e)));
    } finally {
      setBusy(null);
    }
  }

  async function confirm() {
    if (!preview) return;
    setBusy('import');
    setError(null);
    try {
      setResult(await call('packages.importEdxml', { stagedId: preview.stagedId }));
      setPreview(null);
    } catch (e) {
      setError(errorText(asDeskError(e)));
    } finally {
      setBusy(null);
    }
  }

  function cancel() {
    if (!preview) return;
    // The upload goes too: nothing of it stays staged.
    void call('staging.discard', { stagedId: preview.stagedId }).catch(reportError);
    setPreview(null);
  }

  const counts = (c: PackageEdxmlPreview['counts']) => ({ opened: c.opened, waiting: c.waiting, refused: c.refused, duplicate: c.duplicate });
  return (
    <section className="import-step" aria-labelledby="pkg-edxml">
      <h2 id="pkg-edxml">{t('packages.edxml.title')}</h2>
      <p className="muted">{t('packages.edxml.help')}</p>
      <div className="import-row">
        <input ref={input} id="edxml-file" type="file" className="visually-hidden" accept=".zip,.edxml,.sealed,.xml"
          onChange={(e) => { const f = e.target.files?.[0]; if (f) void upload(f); e.target.value = ''; }} />
        <button type="button" className="button" onClick={() => input.current?.click()} disabled={busy !== null}>
          {busy === 'preview' ? <Spinner /> : <Icon name="file" />} {t('packages.edxml.choose')}
        </button>
        {preview && <span className="import-file-name"><strong>{preview.fileName}</strong></span>}
      </div>
      {error && <p className="form-error packages-refused" role="alert">{error}</p>}
      {preview && (
        <div className="packages-edxml-preview" aria-labelledby="pkg-edxml-preview">
          <h3 id="pkg-edxml-preview">{t('packages.edxml.previewTitle')}</h3>
          <p className="notice" role="status">{t('packages.edxml.previewCounts', counts(preview.view.counts))}</p>
          <div className="import-table-wrap">
            <table className="data-table packages-edxml-packets">
              <thead>
                <tr><th scope="col">{t('packages.edxml.packet')}</th><th scope="col">{t('packages.edxml.outcome')}</th><th scope="col">{t('packages.edxml.reason')}</th></tr>
              </thead>
              <tbody>
                {preview.view.packets.map((x, i) => (
                  <tr key={`${x.name}-${i}`}>
                    <th scope="row" className="packages-subject">{x.name}</th>
                    <td className={x.outcome === 'refused' ? 'packages-warn' : undefined}>{t(`packages.edxml.will.${x.outcome}`)}</td>
                    <td className="packages-subject">{x.reason ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="import-row">
            <button type="button" className="button primary" onClick={() => void confirm()} disabled={busy !== null}>
              {busy === 'import' ? <Spinner /> : <Icon name="upload" />} {t('packages.edxml.import')}
            </button>
            <button type="button" className="button" onClick={cancel} disabled={busy !== null}>{t('packages.edxml.cancel')}</button>
          </div>
        </div>
      )}
      {result && (
        <div className="packages-result packages-edxml" role="status">
          <p>{t('packages.edxml.counts', counts(result.counts))}</p>
          {result.changed && result.changed.length === 0 && <p className="muted">{t('packages.edxml.asPreviewed')}</p>}
          {result.changed && result.changed.length > 0 && (
            <div className="packages-edxml-changed" role="alert">
              <p className="packages-warn">{t('packages.edxml.changed', { count: result.changed.length })}</p>
              <ul>
                {result.changed.map((c, i) => (
                  <li key={`${c.name}-${i}`}><span className="packages-subject">{c.name}</span>: {t('packages.edxml.changedFrom', { expected: t(`packages.edxml.will.${c.expected}`), outcome: t(`packages.edxml.outcomes.${c.outcome}`) })}</li>
                ))}
              </ul>
            </div>
          )}
          <ul>
            {result.packets.map((x, i) => (
              <li key={`${x.name}-${i}`}><span className="packages-subject">{x.name}</span>: {t(`packages.edxml.outcomes.${x.outcome}`)}{x.reason ? ` (${x.reason})` : ''}</li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

function ExportPackage() {
  const { t } = useTranslation();
  const labels = useLabels();
  const clearance = useApp((s) => s.session?.user.clearance ?? 'thuong');
  const certInput = useRef<HTMLInputElement>(null);
  const [registers, setRegisters] = useState<RegisterSummary[]>([]);
  const [options, setOptions] = useState<PackageRecipientOption[]>([]);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [year, setYear] = useState<string>(String(yearOf(todayIso())));
  const [registerId, setRegisterId] = useState<string>('');
  const [levels, setLevels] = useState<Set<Secrecy>>(new Set());
  const [workFiles, setWorkFiles] = useState<WorkFileView[]>([]);
  const [workFileId, setWorkFileId] = useState<string>('');
  const [query, setQuery] = useState('');
  const [busy, setBusy] = useState<null | 'cert' | 'export' | 'edxml'>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<(PackageExportFile & { savedAs: string | null }) | null>(null);
  const [edxmlDone, setEdxmlDone] = useState<(PackageEdxmlExportFile & { savedAs: string | null }) | null>(null);
  const [edxmlError, setEdxmlError] = useState<string | null>(null);
  const mayExportEdxml = useApp((s) => !!s.session?.rights.includes('doc.register'));

  useEffect(() => {
    call('registers.list', {}).then(setRegisters, reportError);
    call('packages.recipients', {}).then(setOptions, reportError);
  }, []);
  // The work files of the year chosen (those the person may know of: the core filters them).
  useEffect(() => {
    setWorkFileId('');
    const y = Number(year);
    if (year.length !== 4 || !Number.isInteger(y)) { setWorkFiles([]); return; }
    call('workFiles.year', { year: y }).then((v) => setWorkFiles(v.files), () => setWorkFiles([]));
  }, [year]);
  const rank = SECRECY_LEVELS.indexOf(clearance);
  const keyOf = (o: PackageRecipientOption) => `${o.kind}:${o.id}`;
  const toggle = <T,>(set: Set<T>, v: T) => { const n = new Set(set); if (n.has(v)) n.delete(v); else n.add(v); return n; };

  async function addCertificate(file: File) {
    setBusy('cert');
    setError(null);
    try {
      const staged = await stageFile(file);
      const o = await call('packages.checkCertificate', { stagedId: staged.stagedId });
      setOptions((all) => [...all, o]);
      setChosen((c) => new Set([...c, keyOf(o)]));
    } catch (e) {
      setError(errorText(asDeskError(e)));
    } finally {
      setBusy(null);
    }
  }

  const selection = () => {
    const y = Number(year);
    return {
      ...(year.trim() && Number.isInteger(y) ? { year: y } : {}), ...(registerId ? { registerId: Number(registerId) } : {}),
      ...(levels.size > 0 ? { secrecy: [...levels] } : {}), ...(workFileId ? { workFileId: Number(workFileId) } : {}),
      ...(query.trim() ? { query: query.trim() } : {}),
    };
  };

  /** The edXML packets of the issued outgoing documents selected, as the transport would carry them (one ZIP). */
  async function exportEdxml() {
    setBusy('edxml');
    setEdxmlError(null);
    setEdxmlDone(null);
    try {
      const out = await call('packages.exportEdxml', { selection: selection() });
      const r = await deliverTicket(out, 'application/zip');
      setEdxmlDone({ ...out, savedAs: r.how === 'cancelled' ? null : r.name });
    } catch (e) {
      setEdxmlError(errorText(asDeskError(e)));
    } finally {
      setBusy(null);
    }
  }

  async function exportNow() {
    setBusy('export');
    setError(null);
    setDone(null);
    const picked = options.filter((o) => chosen.has(keyOf(o)));
    try {
      const out = await call('packages.export', {
        selection: selection(),
        recipients: {
          people: picked.filter((o) => o.kind === 'person').map((o) => o.id),
          agencies: picked.filter((o) => o.kind === 'agency').map((o) => o.id),
          files: picked.filter((o) => o.kind === 'file').map((o) => o.id),
        },
      });
      const r = await deliverTicket(out, 'application/octet-stream');
      setDone({ ...out, savedAs: r.how === 'cancelled' ? null : r.name });
    } catch (e) {
      setError(errorText(asDeskError(e)));
    } finally {
      setBusy(null);
    }
  }

  return (
    <>
      <section className="import-step" aria-labelledby="pkg-out-selection">
        <h2 id="pkg-out-selection"><span className="step-no">1</span>{t('packages.out.selectionTitle')}</h2>
        <p className="muted">{t('packages.out.selectionHelp')}</p>
        <div className="import-row">
          <label className="field field-narrow">
            <span className="field-label">{t('packages.out.year')}</span>
            <input className="input" inputMode="numeric" value={year} onChange={(e) => setYear(e.target.value.replace(/\D/g, '').slice(0, 4))} />
          </label>
          <label className="field packages-register">
            <span className="field-label">{t('packages.register')}</span>
            <select className="input" value={registerId} onChange={(e) => setRegisterId(e.target.value)}>
              <option value="">{t('packages.out.allRegisters')}</option>
              {registers.map((r) => <option key={r.id} value={r.id}>{r.name}</option>)}
            </select>
          </label>
          <label className="field packages-register">
            <span className="field-label">{t('packages.out.workFile')}</span>
            <select className="input" value={workFileId} onChange={(e) => setWorkFileId(e.target.value)} disabled={workFiles.length === 0}>
              <option value="">{t('packages.out.anyWorkFile')}</option>
              {workFiles.map((w) => <option key={w.id} value={w.id}>{w.code} – {w.title}</option>)}
            </select>
          </label>
          <label className="field packages-register">
            <span className="field-label">{t('packages.out.query')}</span>
            <input className="input" value={query} maxLength={200} onChange={(e) => setQuery(e.target.value)} />
          </label>
          <fieldset className="field packages-levels">
            <legend className="field-label">{t('packages.out.levels')}</legend>
            {SECRECY_LEVELS.filter((_, i) => i <= rank).map((l) => (
              <label key={l} className="import-check">
                <input type="checkbox" checked={levels.has(l)} onChange={() => setLevels((s) => toggle(s, l))} /> {labels.secrecy(l)}
              </label>
            ))}
          </fieldset>
        </div>
      </section>
      <section className="import-step" aria-labelledby="pkg-out-recipients">
        <h2 id="pkg-out-recipients"><span className="step-no">2</span>{t('packages.out.recipientsTitle')}</h2>
        <p className="muted">{t('packages.out.recipientsHelp')}</p>
        {options.length === 0 ? <p className="muted">{t('packages.out.noRecipients')}</p> : (
          <ul className="packages-recipients">
            {options.map((o) => (
              <li key={keyOf(o)}>
                <label className="import-check">
                  <input type="checkbox" checked={chosen.has(keyOf(o))} onChange={() => setChosen((c) => toggle(c, keyOf(o)))} />
                  <span><strong>{o.name}</strong> <span className="badge-plain">{t(`packages.out.kinds.${o.kind}`)}</span>
                    <span className="muted packages-subject"> {o.detail}{o.notAfter ? ` · ${t('packages.out.validTo', { date: formatDateVn(o.notAfter) })}` : ''}</span></span>
                </label>
              </li>
            ))}
          </ul>
        )}
        <div className="import-row">
          <input ref={certInput} id="package-certificate" type="file" className="visually-hidden" accept=".cer,.crt,.pem,.der"
            onChange={(e) => { const f = e.target.files?.[0]; if (f) void addCertificate(f); e.target.value = ''; }} />
          <button type="button" className="button" onClick={() => certInput.current?.click()} disabled={busy !== null}>
            {busy === 'cert' ? <Spinner /> : <Icon name="file" />} {t('packages.out.addCertificate')}
          </button>
        </div>
      </section>
      <section className="import-step" aria-labelledby="pkg-out-run">
        <h2 id="pkg-out-run"><span className="step-no">3</span>{t('packages.out.runTitle')}</h2>
        {chosen.size === 0 && <p className="muted">{t('packages.out.plainNote')}</p>}
        <div className="import-row">
          <button type="button" className="button primary" onClick={() => void exportNow()} disabled={busy !== null}>
            {busy === 'export' ? <Spinner /> : <Icon name="file" />} {t('packages.out.export')}
          </button>
        </div>
        {error && <p className="form-error packages-refused" role="alert">{error}</p>}
        {done && (
          <div className="packages-result" role="status">
            <p>{t(done.encrypted ? 'packages.out.doneEncrypted' : 'packages.out.donePlain', { file: done.savedAs ?? done.fileName, size: formatSize(done.size), count: done.recipients })}</p>
            <ul>
              {done.byLevel.map((l) => (
                <li key={l.level}>{labels.secrecy(l.level)}: {t('packages.out.levelCounts', { incoming: formatNumber(l.incoming), outgoing: formatNumber(l.outgoing), files: formatNumber(l.files) })}</li>
              ))}
              {done.workFiles > 0 && <li>{t('packages.out.workFiles', { count: done.workFiles })}</li>}
            </ul>
          </div>
        )}
      </section>
      {mayExportEdxml && (
        <section className="import-step" aria-labelledby="pkg-out-edxml">
          <h2 id="pkg-out-edxml"><span className="step-no">4</span>{t('packages.out.edxmlTitle')}</h2>
          <p className="muted">{t('packages.out.edxmlHelp')}</p>
          <div className="import-row">
            <button type="button" className="button" onClick={() => void exportEdxml()} disabled={busy !== null}>
              {busy === 'edxml' ? <Spinner /> : <Icon name="file" />} {t('packages.out.edxmlExport')}
            </button>
          </div>
          {edxmlError && <p className="form-error packages-refused" role="alert">{edxmlError}</p>}
          {edxmlDone && (
            <p className="packages-result" role="status">
              {t('packages.out.edxmlDone', { file: edxmlDone.savedAs ?? edxmlDone.fileName, size: formatSize(edxmlDone.size), packets: formatNumber(edxmlDone.packets), documents: formatNumber(edxmlDone.documents) })}
            </p>
          )}
        </section>
      )}
    </>
  );
}
