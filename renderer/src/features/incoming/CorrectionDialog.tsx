// "Sửa thông tin vào sổ": the văn thư corrects what was written wrong, with a reason. Only the
// changed fields are sent; the core keeps the old values and audits the change. The arrival number
// and date, the register and the secrecy level are not corrected here.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { IncomingDetail, InputOf } from '../../../../common/contract';
import { formatDateVn } from '../../../../common/dates';
import { ARRIVAL_CHANNELS, DOCUMENT_TYPES, URGENCY_LEVELS, type ArrivalChannel, type Urgency } from '../../../../common/domain';
import { DateInput, dateTextToIso } from '../../components/DateInput';
import { Dialog } from '../../components/Dialog';
import { controlProps, Field } from '../../components/Field';
import { Spinner } from '../../components/Icon';
import { useLabels } from '../../i18n/labels';
import { asDeskError, call, isGloballyHandled } from '../../ipc/call';
import type { DraftRecipient } from '../../stores/registerDraft';
import { toast } from '../../stores/toasts';
import { recipientInput, RecipientPicker } from './RecipientPicker';
import { errorFields, errorText } from '../../i18n/errors';

interface Form {
  issuerName: string; numberSymbol: string; documentDate: string; typeCode: string; subject: string; urgency: Urgency;
  deadline: string; signer: string; pageCount: string; copyCount: string; arrivalChannel: ArrivalChannel | '';
  recipients: DraftRecipient[]; notes: string; reason: string;
}

function formOf(d: IncomingDetail): Form {
  return {
    issuerName: d.issuerName, numberSymbol: d.numberSymbol, documentDate: formatDateVn(d.documentDate), typeCode: d.typeCode,
    subject: d.subject, urgency: d.urgency, deadline: formatDateVn(d.deadline), signer: d.signer,
    pageCount: d.pageCount === null ? '' : String(d.pageCount), copyCount: d.copyCount === null ? '' : String(d.copyCount),
    arrivalChannel: d.arrivalChannel ?? '', notes: d.notes, reason: '',
    recipients: d.recipientRefs.map((r) => (r.kind === 'text' || r.id === null ? { kind: 'text', name: r.name } : { kind: r.kind, id: r.id, name: r.name })),
  };
}

const count = (text: string): number | null | string => (text.trim() === '' ? null : /^\d+$/.test(text.trim()) ? Number(text.trim()) : text.trim());

type Changes = InputOf<'incoming.correct'>['changes'];

/**
 * The changes a form stands for, compared with the entry as registered. A count that is not a
 * number is sent as typed, for the schema to say why.
 */
function changesOf(d: IncomingDetail, f: Form): Changes {
  const was = formOf(d);
  const c: Record<string, unknown> = {};
  if (f.issuerName.trim() !== was.issuerName) c.issuer = { name: f.issuerName };
  if (f.numberSymbol.trim() !== was.numberSymbol) c.numberSymbol = f.numberSymbol;
  if (f.documentDate !== was.documentDate) c.documentDate = dateTextToIso(f.documentDate);
  if (f.typeCode !== was.typeCode) c.typeCode = f.typeCode;
  if (f.subject.trim() !== was.subject) c.subject = f.subject;
  if (f.urgency !== was.urgency) c.urgency = f.urgency;
  if (f.deadline.trim() !== was.deadline) c.deadline = f.deadline.trim() ? dateTextToIso(f.deadline) : null;
  if (f.signer.trim() !== was.signer) c.signer = f.signer;
  if (f.pageCount.trim() !== was.pageCount) c.pageCount = count(f.pageCount);
  if (f.copyCount.trim() !== was.copyCount) c.copyCount = count(f.copyCount);
  if (f.arrivalChannel !== was.arrivalChannel) c.arrivalChannel = f.arrivalChannel || null;
  if (f.notes.trim() !== was.notes) c.notes = f.notes;
  if (JSON.stringify(f.recipients) !== JSON.stringify(was.recipients)) c.recipients = f.recipients.map(recipientInput);
  return c as Changes;
}

export function CorrectionDialog({ doc, signed, onClose, onCorrected }: {
  doc: IncomingDetail; signed: boolean; onClose(): void; onCorrected(d: IncomingDetail): void;
}) {
  const { t } = useTranslation();
  const labels = useLabels();
  const [form, setForm] = useState<Form>(() => formOf(doc));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof Form>(k: K, v: Form[K]) => setForm((f) => ({ ...f, [k]: v }));
  const err = (k: string) => errors[k] ?? (k === 'issuer' ? errors['issuer.name'] : undefined);
  const topSecret = doc.secrecy === 'tuyet_mat';

  async function submit(e: FormEvent) {
    e.preventDefault();
    const changes = changesOf(doc, form);
    const found: Record<string, string> = {};
    if (!form.reason.trim()) found.reason = t('corrections.reasonRequired');
    if (Object.keys(changes).length === 0) found._ = t('corrections.nothingChanged');
    if (Object.keys(found).length > 0) {
      setErrors(found);
      return;
    }
    setBusy(true);
    setErrors({});
    try {
      const d = await call('incoming.correct', { id: doc.id, reason: form.reason, changes });
      toast.success(t('corrections.done', { number: doc.arrivalNumber }));
      onCorrected(d);
    } catch (e2) {
      const de = asDeskError(e2);
      if (de.fields && Object.keys(de.fields).length > 0) {
        // "changes.subject" -> "subject"
        setErrors(Object.fromEntries(Object.entries(errorFields(de)).map(([k, v]) => [k.replace(/^changes\./, '').replace(/^issuer\.name$/, 'issuer'), v])));
      } else if (!isGloballyHandled(de)) setErrors({ _: errorText(de) });
    } finally {
      setBusy(false);
    }
  }

  const text = (k: 'issuerName' | 'numberSymbol' | 'signer', id: string, label: string, errKey: string, max: number) => (
    <Field id={id} label={label} error={err(errKey)}>
      <input className="input" {...controlProps(id, err(errKey))} value={form[k]} maxLength={max} autoComplete="off" onChange={(e) => set(k, e.target.value)} />
    </Field>
  );

  return (
    <Dialog open title={t('corrections.dialogTitle', { number: doc.arrivalNumber })} onClose={onClose} className="correction-dialog"
      footer={
        <>
          <span className="footer-status" />
          <button type="button" className="button" onClick={onClose}>{t('common.cancel')}</button>
          <button type="submit" form="correction-form" className="button primary" disabled={busy}>
            {busy && <Spinner />} {t('corrections.submit')}
          </button>
        </>
      }>
      <form id="correction-form" className="form-grid two" onSubmit={(e) => void submit(e)} noValidate>
        <p className="section-lead span-2">{t('corrections.lead', { register: doc.registerName, year: doc.year })}</p>
        {signed && <div className="notice notice-warning span-2" role="note">{t('corrections.signedWarning')}</div>}
        {text('issuerName', 'cor-issuer', t('register.issuer'), 'issuer', 300)}
        {text('numberSymbol', 'cor-number-symbol', t('register.numberSymbol'), 'numberSymbol', 100)}
        <Field id="cor-document-date" label={t('register.documentDate')} error={err('documentDate')}>
          <DateInput {...controlProps('cor-document-date', err('documentDate'))} value={form.documentDate} onValueChange={(v) => set('documentDate', v)} />
        </Field>
        <Field id="cor-type" label={t('register.type')} error={err('typeCode')}>
          <select className="input" {...controlProps('cor-type', err('typeCode'))} value={form.typeCode} onChange={(e) => set('typeCode', e.target.value)}>
            {DOCUMENT_TYPES.map((x) => <option key={x.code} value={x.code}>{labels.docType(x.code)}</option>)}
          </select>
        </Field>
        <Field id="cor-subject" label={t('register.subject')} error={err('subject')} className="span-2"
          hint={topSecret ? t('register.subjectTopSecret') : undefined}>
          <textarea className="input" rows={3} {...controlProps('cor-subject', err('subject'), topSecret)} value={form.subject} disabled={topSecret}
            maxLength={500} onChange={(e) => set('subject', e.target.value)} />
        </Field>
        {text('signer', 'cor-signer', t('entry.signer'), 'signer', 120)}
        <Field id="cor-urgency" label={t('register.urgency')} error={err('urgency')}>
          <select className="input" {...controlProps('cor-urgency', err('urgency'))} value={form.urgency} onChange={(e) => set('urgency', e.target.value as Urgency)}>
            {URGENCY_LEVELS.map((u) => <option key={u} value={u}>{labels.urgency(u)}</option>)}
          </select>
        </Field>
        <Field id="cor-page-count" label={t('entry.pageCount')} error={err('pageCount')}>
          <input className="input" inputMode="numeric" {...controlProps('cor-page-count', err('pageCount'))} value={form.pageCount} maxLength={6}
            onChange={(e) => set('pageCount', e.target.value)} />
        </Field>
        <Field id="cor-copy-count" label={t('entry.copyCount')} error={err('copyCount')}>
          <input className="input" inputMode="numeric" {...controlProps('cor-copy-count', err('copyCount'))} value={form.copyCount} maxLength={5}
            onChange={(e) => set('copyCount', e.target.value)} />
        </Field>
        <Field id="cor-deadline" label={t('register.deadline')} error={err('deadline')}>
          <DateInput {...controlProps('cor-deadline', err('deadline'))} value={form.deadline} onValueChange={(v) => set('deadline', v)} />
        </Field>
        <Field id="cor-channel" label={t('entry.arrivalChannel')} error={err('arrivalChannel')}>
          <select className="input" {...controlProps('cor-channel', err('arrivalChannel'))} value={form.arrivalChannel}
            onChange={(e) => set('arrivalChannel', e.target.value as ArrivalChannel | '')}>
            <option value="">{t('entry.channelUnknown')}</option>
            {ARRIVAL_CHANNELS.map((c) => <option key={c} value={c}>{t(`entry.channels.${c}`)}</option>)}
          </select>
        </Field>
        <Field id="cor-recipients" label={t('register.recipients')} error={err('recipients')} className="span-2">
          <RecipientPicker id="cor-recipients" values={form.recipients} onChange={(v) => set('recipients', v)} invalid={!!err('recipients')} />
        </Field>
        <Field id="cor-notes" label={t('register.notes')} error={err('notes')} className="span-2">
          <textarea className="input" rows={2} {...controlProps('cor-notes', err('notes'))} value={form.notes} maxLength={2000}
            onChange={(e) => set('notes', e.target.value)} />
        </Field>
        <Field id="cor-reason" label={t('corrections.reason')} error={err('reason')} required className="span-2" hint={t('corrections.reasonHint')}>
          <input className="input" {...controlProps('cor-reason', err('reason'), true, true)} value={form.reason} maxLength={500}
            onChange={(e) => set('reason', e.target.value)} />
        </Field>
        {errors._ && <div className="form-error span-2" role="alert">{errors._}</div>}
      </form>
    </Dialog>
  );
}
