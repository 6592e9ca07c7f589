// One incoming document: every field of the register entry, its files, its digital signatures
// (verified as it opens), and the first PDF open in the viewer. Classified documents carry their
// red level mark.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { arrivalNumberText, isAwaitingNumber } from './arrivalNumber';
import { useTranslation } from 'react-i18next';
import type { AttachmentInfo, IncomingDetail } from '../../../../common/contract';
import { todayIso } from '../../../../common/dates';
import { Icon, Spinner } from '../../components/Icon';
import { SecrecyBadge, SecrecyMark } from '../../components/Secrecy';
import { useLabels } from '../../i18n/labels';
import { errorText } from '../../i18n/errors';
import { asDeskError, call, isGloballyHandled } from '../../ipc/call';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { toast } from '../../stores/toasts';
import { formatDateTimeVn, formatDateVn, formatSize } from '../../lib/format';
import { useApp, useCanRegister } from '../../stores/app';
import { useIncoming } from '../../stores/incoming';
import { useNav } from '../../stores/nav';
import { useRegisterDraft } from '../../stores/registerDraft';
import { PrintDialog } from '../secrets/PrintDialog';
import { SecretsSection, useSecretRights } from '../secrets/SecretsSection';
import { ExchangeNoticeBanner } from '../exchange/ExchangeNoticeBanner';
import { PdfViewer } from '../viewer/PdfViewer';
import { ProcessingSection } from '../processing/ProcessingSection';
import { CorrectionDialog } from './CorrectionDialog';
import { CorrectionHistory } from './CorrectionHistory';
import { HandoverSection } from './HandoverSection';
import { isOverdue } from './IncomingTable';
import { failureReasons, latestFileSignature, useSignatures } from './signatures';
import { SignatureSummary, SignaturesSection } from './SignaturesSection';
import { AddToWorkFile } from '../workfiles/AddToWorkFile';

export function IncomingDetailView({ id }: { id: number }) {
  const { t } = useTranslation();
  const labels = useLabels();
  const backToList = useNav((s) => s.backToList);
  const [doc, setDoc] = useState<IncomingDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [shown, setShown] = useState<AttachmentInfo | null>(null);
  // Bumped after a hand-over, an acknowledgement or a correction: the entry is read again.
  const [version, setVersion] = useState(0);
  const [correcting, setCorrecting] = useState(false);
  const [printing, setPrinting] = useState(false);
  /** Asking before "Hạn chế phạm vi" is set on the record or lifted from it. */
  const [restricting, setRestricting] = useState<'set' | 'lift' | null>(null);
  async function applyRestriction(restricted: boolean) {
    setRestricting(null);
    try {
      await call('restrictions.set', { incomingId: id, restricted, reason: '' });
      toast.success(restricted ? t('detail.restrictedDone') : t('detail.restrictLiftedDone'));
      setVersion((v) => v + 1);
      useIncoming.getState().refresh();
    } catch (err) {
      const de = asDeskError(err);
      if (!isGloballyHandled(de)) toast.error(errorText(de));
    }
  }
  // What the secrets rules let this person do with the record (asked again when the entry changes).
  const rights = useSecretRights(id, version);
  const canRegister = useCanRegister();
  // Who is looking, for the watermark: the signed-in person and the agency of the workstation.
  const viewer = { person: useApp((s) => s.session?.user.fullName ?? ''), unit: useApp((s) => s.info?.unit?.name ?? '') };
  // Verification starts with the document, not after it: the core re-reads every file.
  const signatures = useSignatures(id);
  const signaturesRef = useRef<HTMLElement>(null);
  const showSignatures = () => {
    signaturesRef.current?.scrollIntoView({ block: 'start' });
    signaturesRef.current?.focus({ preventScroll: true });
  };

  useEffect(() => {
    let live = true;
    call('incoming.get', { id }).then(
      (d) => {
        if (!live) return;
        setDoc(d);
        // The file on screen stays on screen when the entry is read again.
        setShown((prev) => (prev && d.attachments.find((a) => a.id === prev.id)) ?? d.attachments.find((a) => a.isPdf) ?? d.attachments[0] ?? null);
      },
      (err: unknown) => live && setError(errorText(asDeskError(err))),
    );
    return () => {
      live = false;
    };
  }, [id, version]);

  // Esc goes back to the register (unless a field, menu or dialog has it).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented || useRegisterDraft.getState().open) return;
      const el = e.target as HTMLElement;
      if (el.closest('input, textarea, select, [role="menu"], dialog')) return;
      backToList();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [backToList]);

  const title = doc ? (isAwaitingNumber(doc.arrivalNumber) ? t('detail.titleAwaiting') : t('detail.title', { number: doc.arrivalNumber })) : t('detail.loadingTitle');
  // A file whose latest signature fails is flagged over the viewer too: it may render, and mislead.
  const shownSignature = shown ? latestFileSignature(signatures.signatures, shown.name) : null;

  return (
    <section className="page detail-page" aria-labelledby="detail-title">
      <div className="detail-header">
        <button type="button" className="button subtle" onClick={backToList} title={t('detail.backTooltip')}>
          <Icon name="arrowLeft" /> {t('incoming.title')}
        </button>
        <h1 id="detail-title">{title}</h1>
        {doc && <span className="detail-register">{t('entry.registerYear', { register: doc.registerName, year: doc.year })}</span>}
        {doc && <SecrecyMark level={doc.secrecy} />}
        {doc && doc.urgency !== 'thuong' && <span className={`urgency-tag urgency-${doc.urgency}`}>{labels.urgency(doc.urgency)}</span>}
        {doc && <SignatureSummary state={signatures} onShow={showSignatures} />}
        {doc && (
          <button type="button" className="button subtle detail-print" onClick={() => setPrinting(true)} disabled={!doc.attachments.some((a) => a.isPdf)}
            title={doc.attachments.some((a) => a.isPdf) ? t('secrets.print.tooltip') : t('secrets.print.noPdf')}>
            <Icon name="file" /> {t('secrets.print.button')}
          </button>
        )}
        {doc && <AddToWorkFile kind="incoming" recordId={doc.id} />}
        {doc && canRegister && (
          <button type="button" className="button subtle detail-correct" onClick={() => setCorrecting(true)} disabled={doc.yearClosed}
            title={doc.yearClosed ? t('corrections.yearClosed', { year: doc.year }) : t('corrections.tooltip')}>
            {t('corrections.open')}
          </button>
        )}
      </div>
      {error && (
        <div className="empty-state" role="alert">
          <Icon name="alert" />
          <p>{error}</p>
        </div>
      )}
      {!doc && !error && (
        <div className="center-message">
          <Spinner /> {t('app.loading')}
        </div>
      )}
      {doc && (
        <div className="detail-body">
          <aside className="detail-meta" aria-label={t('detail.metadata')}>
            <ExchangeNoticeBanner incomingId={doc.id} />
            {canRegister && isAwaitingNumber(doc.arrivalNumber) && doc.yearClosed && (
              <AwaitingYearClosed doc={doc} onMoved={() => { setVersion((v) => v + 1); useIncoming.getState().refresh(); }} />
            )}
            {doc.duplicateOf !== undefined && (
              <DuplicateArrival doc={doc} canWithdraw={canRegister} onWithdrawn={() => { useIncoming.getState().refresh(); backToList(); }} />
            )}
            <dl className="meta-list">
              <Meta label={t('detail.arrivalNumber')}><span className={isAwaitingNumber(doc.arrivalNumber) ? 'strong awaiting-number' : 'strong'}>{arrivalNumberText(doc.arrivalNumber, t)}</span></Meta>
              <Meta label={t('detail.arrivalDate')}>{formatDateVn(doc.arrivalDate)}</Meta>
              <Meta label={t('detail.issuer')}>{doc.issuerName}</Meta>
              <Meta label={t('detail.numberSymbol')}>{doc.numberSymbol}</Meta>
              <Meta label={t('detail.documentDate')}>{formatDateVn(doc.documentDate)}</Meta>
              <Meta label={t('entry.signer')}>{doc.signer || <span className="muted">{t('detail.none')}</span>}</Meta>
              <Meta label={t('detail.typeAndSubject')}>
                <span className="strong">{labels.docType(doc.typeCode)}</span>
                {doc.secrecy === 'tuyet_mat' ? (
                  <em className="muted block">{t('incoming.topSecretSubject')}</em>
                ) : (
                  <span className="block">{doc.subject}</span>
                )}
              </Meta>
              {(doc.recalled || doc.namedRecipient) && (
                <Meta label={t('register.flags')}>
                  {doc.recalled && <span className="mark-flag block">{t('register.recalled')}</span>}
                  {doc.namedRecipient && <span className="mark-flag block">{t('detail.namedOnlyFor', { name: doc.namedRecipient.name })}</span>}
                </Meta>
              )}
              <Meta label={t('entry.pagesAndCopies')}>
                {doc.pageCount === null && doc.copyCount === null ? <span className="muted">{t('detail.none')}</span>
                  : t('entry.pagesCopiesValue', { pages: doc.pageCount ?? '—', copies: doc.copyCount ?? '—' })}
              </Meta>
              <Meta label={t('entry.arrivalChannel')}>
                {doc.arrivalChannel ? t(`entry.channels.${doc.arrivalChannel}`) : <span className="muted">{t('entry.channelUnknown')}</span>}
              </Meta>
              <Meta label={t('detail.secrecy')}>
                <SecrecyBadge level={doc.secrecy} />
                {doc.restricted && <span className="badge badge-restricted" title={t('detail.restrictedHint')}><Icon name="lock" className="icon-inline" /> {t('detail.restricted')}</span>}
                {rights?.restrict && (
                  <button type="button" className="button small subtle restrict-toggle" onClick={() => setRestricting(doc.restricted ? 'lift' : 'set')}>
                    {doc.restricted ? t('detail.restrictLift') : t('detail.restrictSet')}
                  </button>
                )}
              </Meta>
              <Meta label={t('detail.urgency')}>{labels.urgency(doc.urgency)}</Meta>
              <Meta label={t('detail.deadline')}>
                {doc.deadline ? (
                  isOverdue(doc, todayIso()) ? (
                    <span className="overdue">{formatDateVn(doc.deadline)} ({t('incoming.overdue')})</span>
                  ) : (
                    formatDateVn(doc.deadline)
                  )
                ) : (
                  <span className="muted">{t('detail.none')}</span>
                )}
              </Meta>
              <Meta label={t('detail.status')}>{labels.status(doc.status)}</Meta>
              <Meta label={t('detail.recipients')}>
                {doc.recipients.length > 0 ? doc.recipients.join('; ') : <span className="muted">{t('detail.none')}</span>}
              </Meta>
              <Meta label={t('detail.notes')}>{doc.notes || <span className="muted">{t('detail.none')}</span>}</Meta>
              <Meta label={t('detail.registeredBy')}>{doc.registeredBy}</Meta>
              <Meta label={t('detail.registeredAt')}>{formatDateTimeVn(doc.registeredAt)}</Meta>
            </dl>
            <ProcessingSection incomingId={doc.id} onChanged={() => setVersion((v) => v + 1)} />
            {(rights?.classified || doc.restricted) && rights && (
              <SecretsSection doc={doc} rights={rights} onChanged={() => setVersion((v) => v + 1)} onDestroyed={() => {
                useIncoming.getState().refresh();
                backToList();
              }} />
            )}
            <HandoverSection doc={doc} onChanged={() => setVersion((v) => v + 1)} />
            <CorrectionHistory corrections={doc.corrections} />
            <h2 className="meta-heading">
              <Icon name="paperclip" /> {t('detail.attachments', { count: doc.attachments.length })}
            </h2>
            <ul className="attachment-list">
              {doc.attachments.map((a) => (
                <li key={a.id}>
                  <button type="button" className={shown?.id === a.id ? 'attachment is-shown' : 'attachment'}
                    aria-current={shown?.id === a.id ? 'true' : undefined} onClick={() => setShown(a)}>
                    <Icon name="file" />
                    <span className="attachment-name" title={a.name}>{a.name}</span>
                    <span className="attachment-meta">
                      {formatSize(a.size)}
                      {' · '}
                      {a.isPdf ? 'PDF' : t('register.files.notPdf')}
                    </span>
                  </button>
                </li>
              ))}
            </ul>
            <SignaturesSection ref={signaturesRef} doc={doc} state={signatures} />
          </aside>
          <div className="detail-viewer">
            {shownSignature && !shownSignature.valid && (
              <div className="viewer-signature-alert" role="alert">
                <Icon name="xCircle" />
                <p>
                  <strong>{t('signatures.viewerInvalid')}</strong> {failureReasons(shownSignature).join(' ')}
                </p>
                <button type="button" className="link-button" onClick={showSignatures}>{t('signatures.viewerShow')}</button>
              </div>
            )}
            {shown ? (
              <PdfViewer key={shown.id} attachment={shown} secrecy={doc.secrecy} overlay={{
                marks: { secrecy: doc.secrecy, urgency: doc.urgency, recalled: doc.recalled, namedOnly: doc.namedRecipient !== null },
                watermark: { person: viewer.person, unit: viewer.unit, documentNumber: `Số đến ${arrivalNumberText(doc.arrivalNumber, t)} — ${doc.numberSymbol}` },
              }} />
            ) : (
              <div className="viewer-message">{t('detail.noAttachments')}</div>
            )}
          </div>
        </div>
      )}
      <ConfirmDialog open={restricting !== null} title={restricting === 'lift' ? t('detail.restrictLiftTitle') : t('detail.restrictSetTitle')}
        confirmLabel={restricting === 'lift' ? t('detail.restrictLift') : t('detail.restrictSet')} cancelLabel={t('common.cancel')}
        onConfirm={() => void applyRestriction(restricting === 'set')} onCancel={() => setRestricting(null)}>
        <p>{restricting === 'lift' ? t('detail.restrictLiftBody') : t('detail.restrictSetBody')}</p>
      </ConfirmDialog>
      {doc && printing && <PrintDialog doc={doc} rights={rights} onClose={() => setPrinting(false)} />}
      {doc && correcting && (
        <CorrectionDialog doc={doc} signed={(signatures.signatures?.length ?? 0) > 0} onClose={() => setCorrecting(false)} onCorrected={(d) => {
          setCorrecting(false);
          setDoc(d);
          useIncoming.getState().refresh();
          // The signed register entry has changed: verify again (its signature no longer matches).
          signatures.reload();
        }} />
      )}
    </section>
  );
}

function Meta({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="meta-row">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/**
 * A "Chờ cấp số" record registered here while another workstation of the agency registered the same
 * electronic arrival first: it never gets a number; the văn thư withdraws it (nothing else is lost).
 */
function DuplicateArrival({ doc, canWithdraw, onWithdrawn }: { doc: IncomingDetail; canWithdraw: boolean; onWithdrawn(): void }) {
  const { t } = useTranslation();
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const standing = doc.duplicateOf ?? null;
  const withdraw = async () => {
    setBusy(true);
    try {
      await call('incoming.withdrawDuplicate', { id: doc.id });
      toast.success(t('detail.duplicateWithdrawn'));
      setAsking(false);
      onWithdrawn();
    } catch (err) {
      const de = asDeskError(err);
      setAsking(false);
      if (!isGloballyHandled(de)) toast.error(errorText(de));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="notice notice-warning duplicate-arrival" role="status" data-testid="duplicate-arrival">
      <p>{standing ? t('detail.duplicateOf', { number: standing.arrivalNumber, register: standing.registerName }) : t('detail.duplicateOfPending')}</p>
      {canWithdraw && (
        <button type="button" className="button" onClick={() => setAsking(true)} disabled={busy}>
          {t('detail.withdrawDuplicate')}
        </button>
      )}
      <ConfirmDialog open={asking} title={t('detail.withdrawDuplicateTitle')} confirmLabel={t('detail.withdrawDuplicate')} cancelLabel={t('common.cancel')} danger
        onCancel={() => setAsking(false)} onConfirm={() => void withdraw()}>
        <p>{t('detail.withdrawDuplicateBody')}</p>
      </ConfirmDialog>
    </div>
  );
}

/** A "Chờ cấp số" arrival whose register year was closed meanwhile: it takes no number of that year; the văn thư registers it in the open year. */
function AwaitingYearClosed({ doc, onMoved }: { doc: IncomingDetail; onMoved(): void }) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const thisYear = Number(todayIso().slice(0, 4));
  // The closed year is this one (closed before 31/12): the open year has not begun.
  const openYear = Math.max(thisYear, doc.year + 1);
  const canMove = thisYear > doc.year;
  const move = async () => {
    setBusy(true);
    try {
      const r = await call('incoming.moveAwaitingToOpenYear', { id: doc.id });
      toast.success(t('detail.awaitingMoved', { year: r.toYear }));
      onMoved();
    } catch (err) {
      const de = asDeskError(err);
      if (!isGloballyHandled(de)) toast.error(errorText(de));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="notice notice-warning awaiting-year-closed" role="status">
      <p>{t(canMove ? 'detail.awaitingYearClosed' : 'detail.awaitingYearClosedEarly', { register: doc.registerName, year: doc.year, openYear })}</p>
      {canMove && (
        <button type="button" className="button" onClick={() => void move()} disabled={busy}>
          {busy ? <Spinner /> : null} {t('detail.moveToOpenYear', { year: openYear })}
        </button>
      )}
    </div>
  );
}
