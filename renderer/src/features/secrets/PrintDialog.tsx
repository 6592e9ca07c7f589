// "In / Sao": a print run or an electronic copy (sao y, trích sao, sao lục) of a document the person
// can open. The core composes the PDF (marks, watermark naming the person, copy numbers) and, for a
// classified record, enters it in the Sổ quản lý sao, chụp BMNN; someone without the level's copy
// authority uses a permission given to them by name, once. Whoever has that authority may also give
// such a permission to a named person ("Cho phép sao/in").
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { CopyApprovalView, CopyKind, IncomingDetail, OutputOf, SecretRights } from '../../../../common/contract';
import { Dialog } from '../../components/Dialog';
import { controlProps, Field } from '../../components/Field';
import { Icon, Spinner } from '../../components/Icon';
import { SecrecyBadge } from '../../components/Secrecy';
import { useLabels } from '../../i18n/labels';
import { errorFields, errorText } from '../../i18n/errors';
import { asDeskError, call, isGloballyHandled } from '../../ipc/call';
import { formatDateTimeVn } from '../../lib/format';
import { useApp } from '../../stores/app';
import type { DraftRecipient } from '../../stores/registerDraft';
import { toast } from '../../stores/toasts';
import { RecipientPicker } from '../incoming/RecipientPicker';
import { fetchPrintout, savePrintout } from './printout';
import { mainDelivers, OutputDelivery } from './OutputDelivery';

export const COPY_KINDS: readonly CopyKind[] = ['print', 'sao_y', 'trich_sao', 'sao_luc'];

interface Done {
  result: OutputOf<'copies.make'>;
  /** A browser: the printout fetched into this window. Electron: none, main delivers it by its ticket. */
  objectUrl: string | null;
  fileName: string;
}

export function PrintDialog({ doc, rights, onClose }: { doc: IncomingDetail; rights: SecretRights | null; onClose(): void }) {
  const { t } = useTranslation();
  const labels = useLabels();
  const me = useApp((s) => s.session?.user.id);
  const needsPermission = !!rights && !rights.copyWithoutPermission;
  const [approvals, setApprovals] = useState<CopyApprovalView[] | null>(null);
  const [approvalId, setApprovalId] = useState<number | ''>('');
  const [kind, setKind] = useState<CopyKind>('print');
  const [copies, setCopies] = useState('1');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<Done | null>(null);
  const [allowing, setAllowing] = useState(false);

  // The permissions given to this person for this record and not used yet.
  useEffect(() => {
    if (!needsPermission) return;
    let live = true;
    call('copies.approvals', { incomingId: doc.id }).then(
      (list) => {
        if (!live) return;
        const mine = list.filter((a) => a.forUserId === me && a.usedAt === null);
        setApprovals(mine);
        const first = mine[0];
        if (first) {
          setApprovalId(first.id);
          setKind(first.kind);
          setCopies(String(first.copies));
        }
      },
      (err: unknown) => live && setErrors({ _: errorText(asDeskError(err)) }),
    );
    return () => {
      live = false;
    };
  }, [doc.id, me, needsPermission]);

  // The printout lives in this window only while the dialog is open.
  useEffect(() => () => {
    if (done?.objectUrl) URL.revokeObjectURL(done.objectUrl);
  }, [done]);

  const chooseApproval = (value: string) => {
    const a = approvals?.find((x) => x.id === Number(value));
    setApprovalId(a ? a.id : '');
    if (a) {
      setKind(a.kind);
      setCopies(String(a.copies));
    }
  };

  async function submit(e: FormEvent) {
    e.preventDefault();
    const found: Record<string, string> = {};
    if (!reason.trim()) found.reason = t('secrets.reasonRequired');
    const n = Number(copies);
    if (!/^\d+$/.test(copies.trim()) || n < 1 || n > 100) found.copies = t('secrets.print.copiesInvalid');
    if (Object.keys(found).length > 0) {
      setErrors(found);
      return;
    }
    setBusy(true);
    setErrors({});
    try {
      const result = await call('copies.make', { incomingId: doc.id, kind, copies: n, reason, ...(approvalId !== '' ? { approvalId } : {}) });
      // The ticket is for one use: in a browser the PDF is taken now; in Electron main takes it to the printer or the file.
      const objectUrl = mainDelivers() ? null : await fetchPrintout(result.url);
      const fileName = `van-ban-den-${doc.arrivalNumber}-${result.firstNumber === null ? 'ban-in' : `ban-sao-${result.firstNumber}-${result.year}`}.pdf`;
      setDone({ result, objectUrl, fileName });
      toast.success(t('secrets.print.done', { count: result.copies }));
    } catch (err) {
      const de = asDeskError(err);
      if (de.fields && Object.keys(de.fields).length > 0) setErrors(errorFields(de));
      else if (!isGloballyHandled(de)) setErrors({ _: errorText(de) });
    } finally {
      setBusy(false);
    }
  }

  const numbers = (r: Done['result']) =>
    r.firstNumber === null ? '' : r.copies === 1 ? `${r.firstNumber}/${r.year}` : `${r.firstNumber}–${r.firstNumber + r.copies - 1}/${r.year}`;

  return (
    <Dialog open title={t('secrets.print.title', { number: doc.arrivalNumber })} onClose={onClose} className="print-dialog"
      headerExtra={<SecrecyBadge level={doc.secrecy} />}
      footer={done ? (
        <>
          <span className="footer-status" />
          <button type="button" className="button" onClick={onClose}>{t('common.close')}</button>
        </>
      ) : (
        <>
          <span className="footer-status" />
          <button type="button" className="button" onClick={onClose}>{t('common.cancel')}</button>
          <button type="submit" form="print-form" className="button primary" disabled={busy}>
            {busy && <Spinner />} {t('secrets.print.submit')}
          </button>
        </>
      )}>
      {done ? (
        <div className="form-stack print-done" role="status">
          <p className="print-done-title"><Icon name="checkCircle" /> {t('secrets.print.doneTitle', { kind: t(`secrets.copyKind.${done.result.kind}`), count: done.result.copies })}</p>
          {done.result.firstNumber !== null ? (
            <p className="print-numbers">{t('secrets.print.registered', { numbers: numbers(done.result), count: done.result.copies })}</p>
          ) : (
            <p className="muted">{t('secrets.print.notRegistered')}</p>
          )}
          {done.objectUrl === null ? (
            <OutputDelivery ticket={done.result.ticket} toPrinter={done.result.kind === 'print'} />
          ) : (
            <div className="print-actions">
              <a className="button primary" href={done.objectUrl} target="_blank" rel="noopener noreferrer">
                <Icon name="file" /> {t('secrets.print.open')}
              </a>
              <button type="button" className="button" onClick={() => savePrintout(done.objectUrl!, done.fileName)}>
                <Icon name="arrowDown" /> {t('secrets.print.save')}
              </button>
            </div>
          )}
          <p className="field-hint">{t('secrets.print.keepHint')}</p>
        </div>
      ) : (
        <form id="print-form" className="form-stack" onSubmit={(e) => void submit(e)} noValidate>
          <p className="section-lead">{rights?.classified ? t('secrets.print.leadClassified') : t('secrets.print.lead')}</p>
          {needsPermission && approvals !== null && (
            approvals.length === 0 ? (
              <div className="notice notice-warning" role="note">{t('secrets.print.noPermission', { level: labels.secrecy(doc.secrecy) })}</div>
            ) : (
              <Field id="print-approval" label={t('secrets.print.permission')} required>
                <select className="input" {...controlProps('print-approval', undefined, false, true)} value={approvalId} onChange={(e) => chooseApproval(e.target.value)}>
                  {approvals.map((a) => (
                    <option key={a.id} value={a.id}>
                      {t('secrets.print.permissionOption', { kind: t(`secrets.copyKind.${a.kind}`), count: a.copies, time: formatDateTimeVn(a.allowedAt) })}
                    </option>
                  ))}
                </select>
              </Field>
            )
          )}
          {rights?.allowCopy && (
            <div className="notice print-authority">
              <p>{t('secrets.print.authority', { level: labels.secrecy(doc.secrecy) })}</p>
              <button type="button" className="button small" onClick={() => setAllowing(true)}>{t('secrets.allow.open')}</button>
            </div>
          )}
          <div className="form-grid two">
            <Field id="print-kind" label={t('secrets.print.kind')} error={errors.kind} required>
              <select className="input" {...controlProps('print-kind', errors.kind, false, true)} value={kind} disabled={approvalId !== ''}
                onChange={(e) => setKind(e.target.value as CopyKind)}>
                {COPY_KINDS.map((k) => <option key={k} value={k}>{t(`secrets.copyKind.${k}`)}</option>)}
              </select>
            </Field>
            <Field id="print-copies" label={t('secrets.print.copies')} error={errors.copies} required>
              <input className="input" inputMode="numeric" {...controlProps('print-copies', errors.copies, false, true)} value={copies} maxLength={3}
                onChange={(e) => setCopies(e.target.value)} />
            </Field>
          </div>
          <Field id="print-reason" label={t('secrets.reason')} error={errors.reason} required>
            <input className="input" {...controlProps('print-reason', errors.reason, false, true)} value={reason} maxLength={500}
              onChange={(e) => setReason(e.target.value)} />
          </Field>
          {errors._ && <div className="form-error" role="alert">{errors._}</div>}
        </form>
      )}
      {allowing && <AllowCopyDialog doc={doc} onClose={() => setAllowing(false)} />}
    </Dialog>
  );
}

/** "Cho phép sao/in": the copy authority gives a named person one print run or copy of this record. */
export function AllowCopyDialog({ doc, onClose }: { doc: IncomingDetail; onClose(): void }) {
  const { t } = useTranslation();
  const [person, setPerson] = useState<DraftRecipient[]>([]);
  const [kind, setKind] = useState<CopyKind>('print');
  const [copies, setCopies] = useState('1');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    e.stopPropagation();
    const who = person[0]?.kind === 'user' ? person[0] : null;
    const found: Record<string, string> = {};
    if (!who) found.forUserId = t('secrets.choosePerson');
    if (!reason.trim()) found.reason = t('secrets.reasonRequired');
    const n = Number(copies);
    if (!/^\d+$/.test(copies.trim()) || n < 1 || n > 100) found.copies = t('secrets.print.copiesInvalid');
    if (!who || Object.keys(found).length > 0) {
      setErrors(found);
      return;
    }
    setBusy(true);
    setErrors({});
    try {
      const a = await call('copies.allow', { incomingId: doc.id, forUserId: who.id, kind, copies: n, reason });
      toast.success(t('secrets.allow.done', { name: a.forUserName, kind: t(`secrets.copyKind.${a.kind}`), count: a.copies }));
      onClose();
    } catch (err) {
      const de = asDeskError(err);
      if (de.fields && Object.keys(de.fields).length > 0) setErrors(errorFields(de));
      else if (!isGloballyHandled(de)) setErrors({ _: errorText(de) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog open title={t('secrets.allow.title', { number: doc.arrivalNumber })} onClose={onClose} className="small-dialog"
      footer={
        <>
          <span className="footer-status" />
          <button type="button" className="button" onClick={onClose}>{t('common.cancel')}</button>
          <button type="submit" form="allow-form" className="button primary" disabled={busy}>
            {busy && <Spinner />} {t('secrets.allow.submit')}
          </button>
        </>
      }>
      <form id="allow-form" className="form-stack" onSubmit={(e) => void submit(e)} noValidate>
        <p className="section-lead">{t('secrets.allow.lead')}</p>
        <Field id="allow-person" label={t('secrets.person')} error={errors.forUserId} required>
          <RecipientPicker id="allow-person" values={person} onChange={setPerson} kinds={['user']} allowText={false} max={1}
            placeholder={t('secrets.personPlaceholder')} invalid={!!errors.forUserId} />
        </Field>
        <div className="form-grid two">
          <Field id="allow-kind" label={t('secrets.print.kind')} error={errors.kind} required>
            <select className="input" {...controlProps('allow-kind', errors.kind, false, true)} value={kind} onChange={(e) => setKind(e.target.value as CopyKind)}>
              {COPY_KINDS.map((k) => <option key={k} value={k}>{t(`secrets.copyKind.${k}`)}</option>)}
            </select>
          </Field>
          <Field id="allow-copies" label={t('secrets.print.copies')} error={errors.copies} required>
            <input className="input" inputMode="numeric" {...controlProps('allow-copies', errors.copies, false, true)} value={copies} maxLength={3}
              onChange={(e) => setCopies(e.target.value)} />
          </Field>
        </div>
        <Field id="allow-reason" label={t('secrets.reason')} error={errors.reason} required>
          <input className="input" {...controlProps('allow-reason', errors.reason, false, true)} value={reason} maxLength={500}
            onChange={(e) => setReason(e.target.value)} />
        </Field>
        {errors._ && <div className="form-error" role="alert">{errors._}</div>}
      </form>
    </Dialog>
  );
}
