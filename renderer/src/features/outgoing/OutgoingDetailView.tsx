// One outgoing document: its metadata and number, the approval chain and whose turn it is, the trail
// of steps, the signatures, the recipients with their dispatch records, and the actions the core says
// this person may take now (trình, duyệt, duyệt có chỉnh sửa, trả lại, ký số, ký số cơ quan, cấp số
// và ban hành, thu hồi; on an issued document the văn thư's Cập nhật and, per dispatch, Lấy lại).
// A refused step shows the core's reason.
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { OutgoingDetail, OutgoingDispatchView } from '../../../../common/contract';
import { formatDateVn } from '../../../../common/dates';
import { Dialog } from '../../components/Dialog';
import { Icon, Spinner } from '../../components/Icon';
import { SecrecyBadge, SecrecyMark } from '../../components/Secrecy';
import { errorText } from '../../i18n/errors';
import { useLabels } from '../../i18n/labels';
import { asDeskError, call } from '../../ipc/call';
import { formatDateTimeVn } from '../../lib/format';
import { useCanRegister } from '../../stores/app';
import { useNav } from '../../stores/nav';
import { toast } from '../../stores/toasts';
import { AddToWorkFile } from '../workfiles/AddToWorkFile';
import { OcrPanel } from '../viewer/OcrPanel';
import { DispatchStatuses } from '../exchange/DispatchStatuses';
import { parsePages } from './DraftDialog';
import { IssuedFileSignatures } from './IssuedFileSignatures';
import { IssuedUpdates, UpdateChanges } from './IssuedUpdates';
import { TakeBackDialog } from './TakeBackDialog';
import { UpdateIssuedDialog } from './UpdateIssuedDialog';

type Ask = null | 'submit' | 'approve' | 'approveChanges' | 'return' | 'recall';

export function OutgoingDetailView({ id }: { id: number }) {
  const { t } = useTranslation();
  const labels = useLabels();
  const show = useNav((s) => s.show);
  const [doc, setDoc] = useState<OutgoingDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [ask, setAsk] = useState<Ask>(null);
  const [text, setText] = useState('');
  const [subject, setSubject] = useState('');
  const [askError, setAskError] = useState<string | null>(null);
  const [pagesText, setPagesText] = useState<string | null>(null);
  const [updating, setUpdating] = useState(false);
  // The file whose recognised text (OCR) is shown beside the list, if any.
  const [ocrFile, setOcrFile] = useState<number | null>(null);
  const [takingBack, setTakingBack] = useState<OutgoingDispatchView | null>(null);
  const canRegister = useCanRegister();

  const load = useCallback(() => {
    call('outgoing.get', { id }).then((d) => { setDoc(d); setError(null); }, (err: unknown) => setError(errorText(asDeskError(err))));
  }, [id]);
  useEffect(() => load(), [load]);

  async function run(step: string, fn: () => Promise<unknown>, done?: (r: unknown) => string) {
    setBusy(step);
    try {
      const r = await fn();
      toast.success(done ? done(r) : t('outgoing.toast.done', { step: t(`outgoing.action.${step}`) }));
      setAsk(null);
      load();
    } catch (err) {
      const msg = errorText(asDeskError(err));
      if (ask) setAskError(msg);
      else toast.error(msg);
    } finally {
      setBusy(null);
    }
  }

  function confirmAsk() {
    if (!doc || !ask) return;
    const comment = text.trim();
    if (ask === 'submit') void run('submit', () => call('outgoing.submit', { id, comment }));
    if (ask === 'approve') void run('approve', () => call('outgoing.approve', { id, comment }));
    if (ask === 'approveChanges') void run('approveChanges', () => call('outgoing.approveWithChanges', { id, comment, ...(subject.trim() && subject.trim() !== doc.subject ? { subject: subject.trim() } : {}) }));
    if (ask === 'return') void run('return', () => call('outgoing.return', { id, comment }));
    if (ask === 'recall') void run('recall', () => call('outgoing.recall', { id, reason: comment }), () => t('outgoing.toast.recalled'));
  }
  const open = (a: Ask) => { setText(''); setSubject(doc?.subject ?? ''); setAskError(null); setAsk(a); };

  return (
    <section className="page detail-page outgoing-detail" aria-labelledby="outgoing-detail-title">
      <div className="detail-header">
        <button type="button" className="button subtle" onClick={() => show({ name: 'outgoing' })}><Icon name="arrowLeft" /> {t('outgoing.detail.back')}</button>
        {doc && (
          <h1 id="outgoing-detail-title" className="detail-title">
            {doc.numberSymbol ?? t('outgoing.notIssued')} · {labels.docType(doc.typeCode)}
          </h1>
        )}
        {doc && <span className={`status-pill status-${doc.status}`}>{t(`outgoing.status.${doc.status}`)}</span>}
        {/* Filed as an issued document once issued (or recalled), else as a draft (workfiles, outgoing/fileable.ts). */}
        {doc && <AddToWorkFile kind={doc.status === 'issued' || doc.status === 'recalled' ? 'outgoing' : 'draft'} recordId={doc.id} />}
        {doc && (
          <div className="page-actions outgoing-actions">
            {doc.can.submit && <button type="button" className="button primary" onClick={() => open('submit')}>{t('outgoing.action.submit')}</button>}
            {doc.can.approve && <button type="button" className="button primary" onClick={() => open('approve')}>{t('outgoing.action.approve')}</button>}
            {doc.can.approve && <button type="button" className="button" onClick={() => open('approveChanges')}>{t('outgoing.action.approveChanges')}</button>}
            {(doc.can.approve || doc.can.sign) && <button type="button" className="button" onClick={() => open('return')}>{t('outgoing.action.return')}</button>}
            {doc.can.sign && (
              <button type="button" className="button primary" disabled={busy !== null} onClick={() => void run('sign', () => call('outgoing.sign', { id }))}>
                {busy === 'sign' ? <Spinner /> : <Icon name="pen" />} {t('outgoing.action.sign')}
              </button>
            )}
            {doc.can.issue && (
              <button type="button" className="button primary" disabled={busy !== null} title={doc.agencySignatureRequired ? undefined : t('outgoing.detail.issueUnsignedHint')}
                onClick={() => void run('issue', () => call('outgoing.issue', { id }), (r) => {
                  const x = r as { numberSymbol: string; issuedDate: string };
                  return t('outgoing.toast.issued', { number: x.numberSymbol, date: formatDateVn(x.issuedDate) });
                })}>
                {busy === 'issue' ? <Spinner /> : <Icon name="check" />} {doc.agencySignatureRequired ? t('outgoing.action.issue') : t('outgoing.action.issueUnsigned')}
              </button>
            )}
            {doc.issueClosed && (
              <button type="button" className="button primary" disabled aria-describedby="outgoing-issue-closed">
                <Icon name="lock" /> {t('outgoing.action.issue')}
              </button>
            )}
            {/* Cập nhật: the văn thư's, on an issued document; shown off (with why) once it is recalled. */}
            {canRegister && (doc.status === 'issued' || doc.status === 'recalled') && (
              <button type="button" className="button" disabled={!doc.can.update} onClick={() => setUpdating(true)}
                title={doc.can.update ? undefined : t('outgoing.update.offRecalled')} aria-describedby={doc.can.update ? undefined : 'outgoing-update-off'}>
                <Icon name="pen" /> {t('outgoing.update.button')}
              </button>
            )}
            {doc.can.recall && <button type="button" className="button danger" onClick={() => open('recall')}>{t('outgoing.action.recall')}</button>}
          </div>
        )}
      </div>
      {doc?.issueClosed && (
        // The register this document would go to is closed for the year: the core refuses the issue, the window says why.
        <p id="outgoing-issue-closed" className="notice notice-warning issue-closed" role="note">
          {t('outgoing.issueClosed', { register: doc.issueClosed.register, year: doc.issueClosed.year, time: formatDateTimeVn(doc.issueClosed.closedAt), reopens: formatDateVn(doc.issueClosed.reopensOn) })}
        </p>
      )}
      {doc && canRegister && doc.status === 'recalled' && <p id="outgoing-update-off" className="visually-hidden">{t('outgoing.update.offRecalled')}</p>}
      {error && <div className="empty-state" role="alert">{error}</div>}
      {!doc && !error && <div className="center-message"><Spinner /> {t('app.loading')}</div>}
      {doc && (
        <div className="detail-body">
          <aside className="detail-meta" aria-label={t('outgoing.detail.metadata')}>
            <SecrecyMark level={doc.secrecy} />
            {doc.numberSymbol && (
              <p className="issued-banner" role="status">{t('outgoing.issuedBanner', { number: doc.numberSymbol, date: formatDateVn(doc.issuedDate), register: doc.registerName ?? '' })}</p>
            )}
            {doc.recalledAt && <p className="mark-flag">{t('outgoing.detail.recalled', { time: formatDateTimeVn(doc.recalledAt), reason: doc.recallReason ?? '' })}</p>}
            {doc.replaces && <p className="muted">{t('outgoing.detail.replaces', { number: doc.replaces.numberSymbol ?? `#${doc.replaces.id}` })}</p>}
            {doc.replacedBy && <p className="mark-flag">{t('outgoing.detail.replacedBy', { number: doc.replacedBy.numberSymbol ?? `#${doc.replacedBy.id}` })}</p>}
            {doc.updates.length > 0 && <p className="notice updated-note">{t('outgoing.update.currentNote', { count: doc.updates.length, time: formatDateTimeVn(doc.updates.at(-1)!.at) })}</p>}
            <dl className="meta-list">
              <Meta label={t('outgoing.form.type')}>{labels.docType(doc.typeCode)}</Meta>
              <Meta label={t('outgoing.form.subject')}><span className="strong outgoing-subject">{doc.current.subject}</span></Meta>
              {/* Each on its own row: "Thường · Thường" for both read as one word said twice. */}
              <Meta label={t('outgoing.form.secrecy')}><SecrecyBadge level={doc.secrecy} /></Meta>
              <Meta label={t('outgoing.form.urgency')}>{labels.urgency(doc.urgency)}</Meta>
              {/* The competence (TM., KT. …) above the name, as in the signature block. */}
              <Meta label={t('outgoing.form.signer')}>
                {doc.signerCompetence && <span className="signer-competence">{doc.signerCompetence}</span>}
                <span className="strong">{doc.signerName}</span>
              </Meta>
              <Meta label={t('outgoing.detail.drafter')}>{doc.draftedByName}</Meta>
              <Meta label={t('outgoing.detail.version')}>{doc.version}</Meta>
              <Meta label={t('outgoing.detail.amount')}><span className="outgoing-amount">{doc.current.issuedAmount ?? t('outgoing.detail.none')}</span></Meta>
              <Meta label={t('outgoing.detail.pageCount')}><span className="outgoing-pages">{doc.current.pageCount ?? t('outgoing.detail.none')}</span></Meta>
              <Meta label={t('outgoing.detail.replyDeadline')}><span className="outgoing-deadline">{doc.current.replyDeadline ? formatDateVn(doc.current.replyDeadline) : t('outgoing.detail.none')}</span></Meta>
              <Meta label={t('outgoing.detail.appendixPages')}>
                <span className="appendix-pages">{doc.appendixPages.length ? t('outgoing.detail.appendixPagesValue', { pages: doc.appendixPages.join(', ') }) : t('outgoing.detail.none')}</span>
                {doc.can.edit && (
                  <button type="button" className="link-button" onClick={() => { setAskError(null); setPagesText(doc.appendixPages.join(', ')); }}>{t('outgoing.detail.editAppendixPages')}</button>
                )}
              </Meta>
            </dl>
            <h2 className="meta-heading"><Icon name="paperclip" /> {t('outgoing.detail.files')}</h2>
            <ul className="attachment-list">
              {doc.files.map((f) => (
                <li key={f.id} className="outgoing-file">
                  {f.name} <span className="muted">· {f.role === 'main' ? t('outgoing.form.main') : t('outgoing.form.appendix')}</span>{' '}
                  <button type="button" className={ocrFile === f.id ? 'button small is-on' : 'button small'} aria-pressed={ocrFile === f.id}
                    onClick={() => setOcrFile((v) => (v === f.id ? null : f.id))} aria-label={t('outgoing.detail.ocrOf', { name: f.name })} title={t('viewer.ocrToggle')}>
                    {t('viewer.ocrShort')}
                  </button>
                </li>
              ))}
            </ul>
            {/* The text the OCR job read from the file, page by page (checked in main like outgoing.get). */}
            {ocrFile !== null && doc.files.some((f) => f.id === ocrFile) && (
              <div className="outgoing-ocr"><OcrPanel key={ocrFile} attachmentId={ocrFile} onClose={() => setOcrFile(null)} /></div>
            )}
          </aside>
          <div className="outgoing-main">
            <h2 className="meta-heading"><Icon name="users" /> {t('outgoing.detail.chain')}</h2>
            {doc.approvers.length === 0 ? <p className="muted">{t('outgoing.detail.noChain')}</p> : (
              <ol className="chain-list">
                {doc.approvers.map((a, i) => (
                  <li key={a.id} className={a.done ? 'is-done' : doc.status === 'in_review' && i === doc.currentStep ? 'is-current' : ''}>
                    {a.done ? <Icon name="checkCircle" /> : <Icon name="user" />} {a.name}
                    {a.done && <span className="muted"> · {t('outgoing.detail.done')}</span>}
                    {doc.status === 'in_review' && i === doc.currentStep && <span className="muted"> · {t('outgoing.detail.waiting', { name: a.name })}</span>}
                  </li>
                ))}
              </ol>
            )}
            <h2 className="meta-heading"><Icon name="pen" /> {t('outgoing.detail.signatures')}</h2>
            {doc.signatures.length === 0 ? <p className="muted">{t('outgoing.detail.noSignatures')}</p> : (
              <ul className="attachment-list">
                {doc.signatures.map((s) => (
                  <li key={s.id}>{s.role === 'signer' ? t('outgoing.detail.signerRole') : t('outgoing.detail.agencyRole')}: <span className="strong">{s.signerName}</span> · {s.fileName} · {formatDateTimeVn(s.signedAt)}</li>
                ))}
              </ul>
            )}
            {(doc.status === 'issued' || doc.status === 'recalled') && <IssuedFileSignatures id={doc.id} unsigned={doc.issuedUnsigned} issuedAt={doc.issuedDate} />}
            <h2 className="meta-heading"><Icon name="building" /> {t('outgoing.detail.recipients')}</h2>
            <table className="data-table">
              <thead><tr><th scope="col">{t('outgoing.col.recipient')}</th><th scope="col">{t('outgoing.col.code')}</th><th scope="col">{t('outgoing.col.status')}</th>{doc.can.takeBack && <th scope="col"><span className="visually-hidden">{t('outgoing.col.actions')}</span></th>}</tr></thead>
              <tbody>
                {doc.recipients.length === 0 && <tr><td colSpan={doc.can.takeBack ? 4 : 3} className="muted">{t('outgoing.form.noRecipients')}</td></tr>}
                {doc.recipients.map((r) => {
                  const d = doc.dispatches.find((x) => x.recipient === r.name && x.code === r.code);
                  return (
                    <tr key={r.id} className="dispatch-row" data-code={r.code ?? ''}>
                      <td>{r.name}</td>
                      <td className="mono">{r.code ?? ''}</td>
                      <td className="dispatch-state">
                        {d?.takenBack
                          ? <><span className="mark-flag">{t('outgoing.takeBack.state', { date: formatDateVn(d.takenBack.at) })}</span><span className="trail-comment">{t('outgoing.takeBack.reasonShown', { reason: d.takenBack.reason })}</span></>
                          : d?.refused
                            ? <span className="check-failed dispatch-refused">{t('outgoing.dispatchStatus.refused', { reason: d.refused.reason })}</span>
                            : d ? <>{t(`outgoing.dispatchStatus.${d.status}`)}{d.resent > 0 && <span className="trail-comment dispatch-resent">{t('outgoing.resend.attempt', { n: d.resent })}</span>}</> : ''}
                      </td>
                      {doc.can.takeBack && (
                        <td className="row-actions">
                          {d && d.status === 'sent' && d.code && !d.takenBack && !d.refused && (
                            <button type="button" className="button small" onClick={() => setTakingBack(d)} aria-label={t('outgoing.takeBack.actionFor', { name: r.name })}>{t('outgoing.takeBack.action')}</button>
                          )}
                          {doc.can.resend && d && d.status === 'sent' && d.code && !d.takenBack && d.refused && (
                            <button type="button" className="button small" disabled={busy !== null} aria-label={t('outgoing.resend.actionFor', { name: r.name })}
                              onClick={() => void run('resend', () => call('outgoing.resend', { id, dispatchId: d.id }), () => t('outgoing.resend.done', { name: r.name, n: d.resent + 1 }))}>
                              {busy === 'resend' ? <Spinner /> : <Icon name="refresh" />} {t('outgoing.resend.action')}
                            </button>
                          )}
                        </td>
                      )}
                    </tr>
                  );
                })}
              </tbody>
            </table>
            <DispatchStatuses outgoingId={doc.id} issued={doc.status === 'issued' || doc.status === 'recalled'} />
            <IssuedUpdates updates={doc.updates} />
            <h2 className="meta-heading"><Icon name="list" /> {t('outgoing.detail.trail')}</h2>
            <ol className="trail-list">
              {doc.steps.map((s) => (
                <li key={s.id}>
                  <span className="trail-time">{formatDateTimeVn(s.at)}</span> <span className="strong">{t(`outgoing.step.${s.kind}`)}</span> · {s.actorName}
                  {s.kind === 'update' && doc.updates.some((u) => u.id === s.id)
                    ? <UpdateChanges update={doc.updates.find((u) => u.id === s.id)!} />
                    : s.comment && <span className="trail-comment">“{s.comment}”</span>}
                </li>
              ))}
            </ol>
          </div>
        </div>
      )}
      {doc && <UpdateIssuedDialog doc={doc} open={updating} onClose={() => setUpdating(false)} onSaved={() => { setUpdating(false); load(); }} />}
      {doc && <TakeBackDialog doc={doc} dispatch={takingBack} onClose={() => setTakingBack(null)} onDone={() => { setTakingBack(null); load(); }} />}
      <Dialog open={pagesText !== null} title={t('outgoing.detail.editAppendixPages')} onClose={() => setPagesText(null)} className="small-dialog"
        footer={
          <>
            <span className="footer-status" />
            <button type="button" className="button" onClick={() => setPagesText(null)}>{t('outgoing.action.cancel')}</button>
            <button type="button" className="button primary" disabled={busy !== null} onClick={() => {
              setBusy('pages');
              call('outgoing.revise', { id, appendixPages: parsePages(pagesText ?? ''), comment: t('outgoing.detail.appendixComment') }).then(
                () => { setPagesText(null); toast.success(t('outgoing.toast.appendixPages')); load(); },
                (err: unknown) => setAskError(errorText(asDeskError(err))),
              ).finally(() => setBusy(null));
            }}>{busy === 'pages' && <Spinner />} {t('outgoing.action.confirm')}</button>
          </>
        }>
        <div className="form-stack">
          <div className="field">
            <label htmlFor="og-pages-text">{t('outgoing.form.appendixPages')}</label>
            <input id="og-pages-text" className="input" inputMode="numeric" placeholder="3, 5" value={pagesText ?? ''} maxLength={200} onChange={(e) => setPagesText(e.target.value)} />
            <p className="field-hint muted small">{t('outgoing.form.appendixPagesHint')}</p>
          </div>
          {askError && pagesText !== null && <div className="form-error" role="alert">{askError}</div>}
        </div>
      </Dialog>
      <Dialog open={ask !== null} title={ask ? t(`outgoing.action.${ask}`) : ''} onClose={() => setAsk(null)} className="small-dialog"
        footer={
          <>
            <span className="footer-status" />
            <button type="button" className="button" onClick={() => setAsk(null)}>{t('outgoing.action.cancel')}</button>
            <button type="button" className="button primary" disabled={busy !== null} onClick={confirmAsk}>{busy && <Spinner />} {t('outgoing.action.confirm')}</button>
          </>
        }>
        <div className="form-stack">
          {ask === 'approveChanges' && (
            <div className="field">
              <label htmlFor="og-ask-subject">{t('outgoing.action.newSubject')}</label>
              <textarea id="og-ask-subject" className="input" rows={3} value={subject} maxLength={500} onChange={(e) => setSubject(e.target.value)} />
            </div>
          )}
          <div className="field">
            <label htmlFor="og-ask-text">{ask === 'recall' ? t('outgoing.action.reason') : t('outgoing.action.comment')}</label>
            <textarea id="og-ask-text" className="input" rows={3} value={text} maxLength={2000} onChange={(e) => setText(e.target.value)} />
          </div>
          {askError && <div className="form-error" role="alert">{askError}</div>}
        </div>
      </Dialog>
    </section>
  );
}

function Meta({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="meta-row">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}
