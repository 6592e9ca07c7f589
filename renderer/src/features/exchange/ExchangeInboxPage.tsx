// "Văn bản điện tử đến": what other agencies sent over the network, for the văn thư. The list (each
// arrival in the compartment of its level; the core shows only what the person is cleared for), and
// beside it the arrival: the packet's header, the checks made on arrival said plainly (encryption,
// the sender's signature, files and pages), its files in the viewer, the statuses owed to the sender,
// and the two decisions: "Tiếp nhận và vào sổ" (prefilled from the header, the same rules as by hand)
// or "Từ chối" with a reason that goes back to the sender.
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ExchangeInboxDetail, ExchangeInboxRow, ExchangeInboxState } from '../../../../common/contract';
import { URGENCY_LABELS } from '../../../../common/domain';
import { Icon, Spinner } from '../../components/Icon';
import { FormDialog, useSubmit } from '../../components/FormDialog';
import { SecrecyBadge } from '../../components/Secrecy';
import { errorText } from '../../i18n/errors';
import { asDeskError, call, reportError } from '../../ipc/call';
import { formatDateTimeVn, formatDateVn, formatSize } from '../../lib/format';
import { useNav } from '../../stores/nav';
import { toast } from '../../stores/toasts';
import { PdfViewer } from '../viewer/PdfViewer';
import './exchange.css';

type Filter = ExchangeInboxState | 'all';
const FILTERS: Filter[] = ['waiting', 'registered', 'refused', 'all'];

export function ExchangeInboxPage() {
  const { t } = useTranslation();
  const [filter, setFilter] = useState<Filter>('waiting');
  const [rows, setRows] = useState<ExchangeInboxRow[] | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [receiving, setReceiving] = useState(false);

  const load = useCallback(() => {
    call('exchange.inbox', filter === 'all' ? {} : { state: filter }).then(setRows, reportError);
  }, [filter]);
  useEffect(load, [load]);

  const receive = () => {
    setReceiving(true);
    call('exchange.receive', {})
      .then((r) => {
        toast.info(t('exchange.received', { opened: r.opened, refused: r.refused + r.duplicates, waiting: r.waiting }));
        load();
      }, reportError)
      .finally(() => setReceiving(false));
  };

  return (
    <section className="page exchange-page" aria-labelledby="exchange-title">
      <div className="page-header">
        <h1 id="exchange-title">{t('exchange.title')}</h1>
        <div className="page-actions">
          <div className="register-tabs" role="tablist" aria-label={t('exchange.filter')}>
            {FILTERS.map((f) => (
              <button key={f} type="button" role="tab" aria-selected={f === filter} className={f === filter ? 'register-tab is-active' : 'register-tab'} onClick={() => setFilter(f)}>
                {t(`exchange.filters.${f}`)}
              </button>
            ))}
          </div>
          <button type="button" className="button" onClick={receive} disabled={receiving}>
            {receiving ? <Spinner /> : <Icon name="refresh" />} {t('exchange.receive')}
          </button>
        </div>
      </div>
      <div className="exchange-body">
        <div className="exchange-list">
          {!rows ? <Spinner /> : rows.length === 0 ? <p className="muted exchange-empty">{t('exchange.empty')}</p> : (
            <table className="data-table">
              <thead>
                <tr>
                  <th scope="col">{t('exchange.col.document')}</th>
                  <th scope="col">{t('exchange.col.subject')}</th>
                  <th scope="col">{t('exchange.col.state')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.id} className={r.id === selected ? 'is-selected' : undefined} tabIndex={0} aria-selected={r.id === selected}
                    onClick={() => setSelected(r.id)} onKeyDown={(e) => { if (e.key === 'Enter') setSelected(r.id); }}>
                    <td className="exchange-doc">
                      <strong>{r.numberSymbol}</strong> <span className="muted">{formatDateVn(r.documentDate)}</span>
                      <div>{r.fromName}</div>
                      <div className="muted">{t('exchange.receivedAt', { time: formatDateTimeVn(r.receivedAt) })}</div>
                    </td>
                    <td className="exchange-subject">{r.businessType !== 0 && <span className="tag">{t(`exchange.business.${r.businessType}`)}</span>} {r.subject ?? <span className="muted">{t('exchange.noSubject')}</span>}</td>
                    <td className="exchange-state"><SecrecyBadge level={r.secrecy} /><StateTag state={r.state} />{r.released && <span className="tag exchange-released">{t('exchange.released')}</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
        {selected !== null && <ArrivalDetail key={selected} id={selected} onChanged={load} />}
      </div>
    </section>
  );
}

function StateTag({ state }: { state: ExchangeInboxState }) {
  const { t } = useTranslation();
  return <span className={`state-tag state-${state}`}>{t(`exchange.state.${state}`)}</span>;
}

function ArrivalDetail({ id, onChanged }: { id: number; onChanged(): void }) {
  const { t } = useTranslation();
  const [d, setD] = useState<ExchangeInboxDetail | null>(null);
  const [file, setFile] = useState<number | null>(null);
  const [dialog, setDialog] = useState<'register' | 'refuse' | null>(null);
  const load = useCallback(() => {
    call('exchange.get', { id }).then((x) => {
      setD(x);
      setFile((f) => f ?? (x.files.find((y) => y.kind === 'pdf')?.index ?? null));
    }, reportError);
  }, [id]);
  useEffect(load, [load]);
  if (!d) return <div className="exchange-detail"><Spinner /></div>;
  const shown = file === null ? null : d.files[file] ?? null;
  const done = () => {
    setDialog(null);
    load();
    onChanged();
  };
  return (
    <div className="exchange-detail" aria-label={t('exchange.detail')}>
      <aside className="exchange-facts">
        <h2>{d.numberSymbol} <SecrecyBadge level={d.secrecy} /></h2>
        {(d.can.register || d.can.refuse) && (
          <div className="exchange-actions">
            {d.can.register && <button type="button" className="button primary" onClick={() => setDialog('register')}>{t('exchange.register')}</button>}
            {d.can.refuse && <button type="button" className="button danger" onClick={() => setDialog('refuse')}>{t('exchange.refuse')}</button>}
          </div>
        )}
        {d.released && <p className="exchange-notice exchange-released-notice" role="status"><Icon name="alert" /> {t('exchange.releasedHere', { time: formatDateTimeVn(d.released.at) })}</p>}
        {d.notice && <p className="exchange-notice" role="status"><Icon name="alert" /> {d.notice}</p>}
        {d.reason && <p className="exchange-reason" role="status">{t('exchange.refusedBecause', { reason: d.reason })}</p>}
        <dl className="facts">
          <dt>{t('exchange.col.from')}</dt><dd>{d.fromName} <span className="muted">({d.fromCode})</span></dd>
          <dt>{t('exchange.documentDate')}</dt><dd>{formatDateVn(d.documentDate)}</dd>
          <dt>{t('exchange.type')}</dt><dd>{d.typeName ?? '—'}</dd>
          <dt>{t('exchange.col.subject')}</dt><dd>{d.subject ?? <span className="muted">{t('exchange.noSubject')}</span>}</dd>
          <dt>{t('exchange.urgency')}</dt><dd>{URGENCY_LABELS[d.urgency]}</dd>
          <dt>{t('exchange.deadline')}</dt><dd>{d.dueDate ? formatDateVn(d.dueDate) : '—'}</dd>
          <dt>{t('exchange.signer')}</dt><dd>{[d.signer.competence, d.signer.position, d.signer.fullName].filter(Boolean).join(' — ') || '—'}</dd>
          <dt>{t('exchange.col.received')}</dt><dd>{formatDateTimeVn(d.receivedAt)}</dd>
          {d.original && <><dt>{t('exchange.original')}</dt><dd>{d.original.numberSymbol}</dd></>}
        </dl>
        <h3>{t('exchange.checks')}</h3>
        <ul className="exchange-checks">
          {d.checks.map((c, i) => (
            <li key={i} className={c.ok ? 'check-ok' : 'check-failed'}>
              <Icon name={c.ok ? 'check' : 'xCircle'} /> <strong>{c.label}:</strong> {c.ok ? t('exchange.passed') : t('exchange.failed')}. <span>{c.detail}</span>
            </li>
          ))}
        </ul>
        <h3>{t('exchange.files')}</h3>
        <ul className="exchange-files">
          {d.files.map((f) => (
            <li key={f.index}>
              <button type="button" className={f.index === file ? 'link-button is-active' : 'link-button'} onClick={() => setFile(f.index)}>
                <Icon name="file" /> {f.name}
              </button>{' '}
              <span className="muted">{formatSize(f.size)}{f.pageCount !== null ? ` · ${t('exchange.pages', { count: f.pageCount })}` : ''}</span>
            </li>
          ))}
        </ul>
        {d.statuses.length > 0 && (
          <>
            <h3>{t('exchange.statuses')}</h3>
            <ul className="exchange-statuses">
              {d.statuses.map((s, i) => (
                <li key={i}>{formatDateTimeVn(s.at)}: <strong>{s.code} {s.label}</strong>{s.description ? ` (${s.description})` : ''} {s.made ? '' : <span className="muted">{t('exchange.notMadeYet')}</span>}</li>
              ))}
            </ul>
          </>
        )}
      </aside>
      <div className="exchange-viewer">
        {shown ? (
          <PdfViewer key={shown.index} secrecy={d.secrecy}
            attachment={{ id: d.id * 1000 + shown.index, name: shown.name, size: shown.size, mime: shown.kind === 'pdf' ? 'application/pdf' : 'application/octet-stream', isPdf: shown.kind === 'pdf', sha256: '' }}
            open={() => call('exchange.openFile', { id: d.id, index: shown.index })}
            overlay={{ marks: { secrecy: d.secrecy, urgency: d.urgency, recalled: false, namedOnly: false }, watermark: { person: '', unit: '', documentNumber: d.numberSymbol } }} />
        ) : <div className="viewer-message">{t('exchange.noFile')}</div>}
      </div>
      {dialog === 'register' && <RegisterArrival d={d} onClose={() => setDialog(null)} onDone={done} />}
      {dialog === 'refuse' && <RefuseArrival d={d} onClose={() => setDialog(null)} onDone={done} />}
    </div>
  );
}

/** The agency server out of reach (not a refusal): the văn thư may register now, the decision and the number later. */
const canAwait = (err: unknown): string | null => {
  const de = asDeskError(err);
  if (de.code !== 'VALIDATION') return null;
  if (de.key === 'numbering.serverUnreachable' || de.key === 'numbering.homeNotReported' || (de.key === 'exchange.agencyUnreachable' && de.details?.transient === true)) return errorText(de);
  return null;
};

function RegisterArrival({ d, onClose, onDone }: { d: ExchangeInboxDetail; onClose(): void; onDone(): void }) {
  const { t } = useTranslation();
  const { errors, busy, run } = useSubmit();
  const [subject, setSubject] = useState(d.prefill.subject);
  const [notes, setNotes] = useState('');
  const [unreachable, setUnreachable] = useState<string | null>(null);
  const openIncoming = useNav((s) => s.openIncoming);
  const submit = (awaitNumber = false) => run({}, async () => {
    try {
      const r = await call('exchange.register', { id: d.id, ...(d.secrecy !== 'tuyet_mat' ? { subject } : {}), ...(notes.trim() ? { notes } : {}), ...(awaitNumber ? { awaitNumber: true } : {}) });
      const text = r.awaitingNumber ? t('exchange.registeredAwaiting', { register: r.registerName }) : t('exchange.registered', { number: r.arrivalNumber, register: r.registerName });
      toast.success(text, { label: t('exchange.openRegistered'), run: () => openIncoming(r.incomingId) });
      onDone();
    } catch (err) {
      const why = awaitNumber ? null : canAwait(err);
      if (why === null) throw err;
      setUnreachable(why);
    }
  });
  return (
    <FormDialog id="exchange-register" title={t('exchange.registerTitle')} submit={t('exchange.register')} busy={busy} onClose={onClose} onSubmit={() => void submit()}>
      {unreachable && (
        <div className="notice notice-warning await-number-panel" role="alert">
          <div className="notice-title"><Icon name="alert" /> {t('register.awaitTitle')}</div>
          <p>{unreachable}</p>
          <p>{t('exchange.awaitExplain')}</p>
          <div className="notice-actions">
            <button type="button" className="button" onClick={() => setUnreachable(null)}>{t('register.awaitLater')}</button>
            <button type="button" className="button primary" onClick={() => void submit(true)} disabled={busy}>{t('register.awaitConfirm')}</button>
          </div>
        </div>
      )}
      <dl className="facts">
        <dt>{t('exchange.issuer')}</dt><dd>{d.prefill.issuerName}</dd>
        <dt>{t('exchange.col.number')}</dt><dd>{d.prefill.numberSymbol}</dd>
        <dt>{t('exchange.documentDate')}</dt><dd>{formatDateVn(d.prefill.documentDate)}</dd>
        <dt>{t('exchange.col.secrecy')}</dt><dd><SecrecyBadge level={d.prefill.secrecy} /></dd>
        <dt>{t('exchange.urgency')}</dt><dd>{URGENCY_LABELS[d.prefill.urgency]}</dd>
        <dt>{t('exchange.deadline')}</dt><dd>{d.prefill.deadline ? formatDateVn(d.prefill.deadline) : '—'}</dd>
      </dl>
      {d.secrecy !== 'tuyet_mat' && (
        <label className="field">
          <span>{t('exchange.col.subject')}</span>
          <textarea className="input" value={subject} onChange={(e) => setSubject(e.target.value)} rows={3} maxLength={500} aria-invalid={!!errors.subject} />
        </label>
      )}
      <label className="field">
        <span>{t('exchange.notes')}</span>
        <input value={notes} onChange={(e) => setNotes(e.target.value)} maxLength={2000} />
      </label>
      {errors._ && <p className="form-error" role="alert">{errors._}</p>}
    </FormDialog>
  );
}

function RefuseArrival({ d, onClose, onDone }: { d: ExchangeInboxDetail; onClose(): void; onDone(): void }) {
  const { t } = useTranslation();
  const { errors, busy, run } = useSubmit();
  const [reason, setReason] = useState('');
  const [tried, setTried] = useState(false);
  const short = reason.trim().length < 5;
  const submit = () => run(short ? { reason: t('exchange.reasonRequired') } : {}, async () => {
    await call('exchange.refuse', { id: d.id, reason });
    toast.info(t('exchange.refused'));
    onDone();
  });
  return (
    <FormDialog id="exchange-refuse" title={t('exchange.refuseTitle', { number: d.numberSymbol })} submit={t('exchange.refuse')} danger busy={busy} onClose={onClose}
      onSubmit={() => { setTried(true); void submit(); }}>
      <label className="field">
        <span>{t('exchange.reason')}</span>
        <textarea className="input" value={reason} onChange={(e) => setReason(e.target.value)} rows={3} maxLength={500} aria-invalid={tried && short} autoFocus />
        {tried && short && <span className="field-error" role="alert">{errors.reason ?? t('exchange.reasonRequired')}</span>}
      </label>
      <p className="muted">{t('exchange.refuseHelp')}</p>
      {errors._ && <p className="form-error" role="alert">{errors._}</p>}
    </FormDialog>
  );
}
