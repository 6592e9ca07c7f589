// The dialogs of the work files: an entry of the yearly list (new or edited), closing a file with its
// date, and the hand-over of closed files to the archive with its record (biên bản giao nộp).
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ArchiveTransferView, WorkFileView } from '../../../../common/contract';
import { formatDateVn, todayIso } from '../../../../common/dates';
import { DateInput, dateTextToIso } from '../../components/DateInput';
import { Dialog } from '../../components/Dialog';
import { controlProps, Field } from '../../components/Field';
import { Spinner } from '../../components/Icon';
import { errorFields, errorText } from '../../i18n/errors';
import { asDeskError, call, isGloballyHandled } from '../../ipc/call';
import type { DraftRecipient } from '../../stores/registerDraft';
import { RecipientPicker } from '../incoming/RecipientPicker';

type Errors = Record<string, string>;

function useSubmit<T>(run: () => Promise<T>, onDone: (r: T) => void) {
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    try {
      onDone(await run());
    } catch (err) {
      const de = asDeskError(err);
      if (de.fields && Object.keys(de.fields).length > 0) setErrors(errorFields(de));
      else if (!isGloballyHandled(de)) setErrors({ _: errorText(de) });
    } finally {
      setBusy(false);
    }
  };
  return { errors, busy, submit };
}

function Footer({ form, busy, label, onClose }: { form: string; busy: boolean; label: string; onClose(): void }) {
  const { t } = useTranslation();
  return (
    <>
      <span className="footer-status" />
      <button type="button" className="button" onClick={onClose}>{t('common.cancel')}</button>
      <button type="submit" form={form} className="button primary" disabled={busy}>{busy && <Spinner />} {label}</button>
    </>
  );
}

export function FileEntryDialog({ year, file, onClose, onDone }: { year: number; file?: WorkFileView; onClose(): void; onDone(f: WorkFileView): void }) {
  const { t } = useTranslation();
  const [notation, setNotation] = useState(file?.notation ?? '');
  const [title, setTitle] = useState(file?.title ?? '');
  const [permanent, setPermanent] = useState(file ? file.retentionYears === null : false);
  const [years, setYears] = useState(file?.retentionYears ? String(file.retentionYears) : '10');
  const [description, setDescription] = useState(file?.description ?? '');
  const [responsible, setResponsible] = useState<DraftRecipient[]>(
    file?.responsibleUserId && file.responsibleUserName ? [{ kind: 'user', id: file.responsibleUserId, name: file.responsibleUserName }]
      : file?.responsibleUnitId && file.responsibleUnitName ? [{ kind: 'unit', id: file.responsibleUnitId, name: file.responsibleUnitName }] : [],
  );
  const retention = permanent ? ('vinh_vien' as const) : Number(years);
  const who = responsible[0];
  const responsibleUserId = who?.kind === 'user' ? who.id : null;
  const responsibleUnitId = who?.kind === 'unit' ? who.id : null;
  const { errors, busy, submit } = useSubmit(
    () => (file
      ? call('workFiles.update', { fileId: file.id, notation, title, retention, description, responsibleUserId, responsibleUnitId })
      : call('workFiles.create', { year, notation, title, retention, description, responsibleUserId, responsibleUnitId })),
    onDone,
  );
  return (
    <Dialog open title={file ? t('workFiles.editTitle', { code: file.code }) : t('workFiles.createTitle', { year })} onClose={onClose} className="small-dialog"
      footer={<Footer form="workfile-entry" busy={busy} label={file ? t('common.save') : t('workFiles.create')} onClose={onClose} />}>
      <form id="workfile-entry" className="form-stack" onSubmit={(e) => void submit(e)} noValidate>
        <Field id="wf-notation" label={t('workFiles.notation')} hint={t('workFiles.notationHint')} error={errors.notation} required>
          <input className="input" {...controlProps('wf-notation', errors.notation, true, true)} value={notation} maxLength={30} onChange={(e) => setNotation(e.target.value)} />
        </Field>
        <Field id="wf-title" label={t('workFiles.fileTitle')} error={errors.title} required>
          <input className="input" {...controlProps('wf-title', errors.title, false, true)} value={title} maxLength={500} onChange={(e) => setTitle(e.target.value)} />
        </Field>
        <Field id="wf-years" label={t('workFiles.retention')} error={errors.retention} required>
          <div className="workfiles-toolbar">
            <input className="input" type="number" min={1} max={100} style={{ width: 90 }} {...controlProps('wf-years', errors.retention, false, true)} value={years} disabled={permanent}
              onChange={(e) => setYears(e.target.value)} />
            <span>{t('workFiles.years')}</span>
            <label><input type="checkbox" checked={permanent} onChange={(e) => setPermanent(e.target.checked)} /> {t('workFiles.permanent')}</label>
          </div>
        </Field>
        <Field id="wf-responsible" label={t('workFiles.responsible')} hint={t('workFiles.responsibleHint')} error={errors.responsibleUserId ?? errors.responsibleUnitId}>
          <RecipientPicker id="wf-responsible" values={responsible} onChange={setResponsible} allowText={false} max={1}
            invalid={!!(errors.responsibleUserId ?? errors.responsibleUnitId)} />
        </Field>
        <Field id="wf-description" label={t('workFiles.description')} error={errors.description}>
          <textarea className="input" id="wf-description" rows={3} value={description} maxLength={2000} onChange={(e) => setDescription(e.target.value)} />
        </Field>
        {errors._ && <div className="form-error" role="alert">{errors._}</div>}
      </form>
    </Dialog>
  );
}

export function CloseFileDialog({ file, onClose, onDone }: { file: WorkFileView; onClose(): void; onDone(f: WorkFileView): void }) {
  const { t } = useTranslation();
  const [closedOn, setClosedOn] = useState(formatDateVn(todayIso()));
  const { errors, busy, submit } = useSubmit(() => call('workFiles.close', { fileId: file.id, closedOn: dateTextToIso(closedOn) }), onDone);
  return (
    <Dialog open title={t('workFiles.closeTitle', { code: file.code })} onClose={onClose} className="small-dialog"
      footer={<Footer form="workfile-close" busy={busy} label={t('workFiles.closeSubmit')} onClose={onClose} />}>
      <form id="workfile-close" className="form-stack" onSubmit={(e) => void submit(e)} noValidate>
        <p className="section-lead">{t('workFiles.closeLead')}</p>
        <Field id="wf-closed-on" label={t('workFiles.closedOn')} error={errors.closedOn} required>
          <DateInput {...controlProps('wf-closed-on', errors.closedOn, false, true)} value={closedOn} onValueChange={setClosedOn} />
        </Field>
        {errors._ && <div className="form-error" role="alert">{errors._}</div>}
      </form>
    </Dialog>
  );
}

export function TransferDialog({ files, onClose, onDone }: { files: WorkFileView[]; onClose(): void; onDone(t: ArchiveTransferView): void }) {
  const { t } = useTranslation();
  const [chosen, setChosen] = useState<number[]>(files.map((f) => f.id));
  const [transferredOn, setTransferredOn] = useState(formatDateVn(todayIso()));
  const [receivedBy, setReceivedBy] = useState('');
  const [archiveName, setArchiveName] = useState('');
  const [note, setNote] = useState('');
  const { errors, busy, submit } = useSubmit(
    () => call('workFiles.transfer', { fileIds: chosen, transferredOn: dateTextToIso(transferredOn), receivedBy, archiveName, note }),
    onDone,
  );
  return (
    <Dialog open title={t('workFiles.transferTitle')} onClose={onClose} className="small-dialog"
      footer={<Footer form="workfile-transfer" busy={busy} label={t('workFiles.transferSubmit')} onClose={onClose} />}>
      <form id="workfile-transfer" className="form-stack" onSubmit={(e) => void submit(e)} noValidate>
        <p className="section-lead">{t('workFiles.transferLead')}</p>
        <fieldset className="plain-fieldset">
          <legend>{t('workFiles.transferFiles')}</legend>
          <ul className="workfile-pick">
            {files.map((f) => (
              <li key={f.id}>
                <label>
                  <input type="checkbox" checked={chosen.includes(f.id)}
                    onChange={(e) => setChosen((c) => (e.target.checked ? [...c, f.id] : c.filter((x) => x !== f.id)))} />
                  <span className="workfile-code">{f.code}</span> {f.title}
                </label>
              </li>
            ))}
          </ul>
          {errors.fileIds && <div className="form-error" role="alert">{errors.fileIds}</div>}
        </fieldset>
        <Field id="wf-transferred-on" label={t('workFiles.transferredOn')} error={errors.transferredOn} required>
          <DateInput {...controlProps('wf-transferred-on', errors.transferredOn, false, true)} value={transferredOn} onValueChange={setTransferredOn} />
        </Field>
        <Field id="wf-archive" label={t('workFiles.archiveName')} error={errors.archiveName} required>
          <input className="input" {...controlProps('wf-archive', errors.archiveName, false, true)} value={archiveName} maxLength={200} onChange={(e) => setArchiveName(e.target.value)} />
        </Field>
        <Field id="wf-receiver" label={t('workFiles.receivedBy')} error={errors.receivedBy} required>
          <input className="input" {...controlProps('wf-receiver', errors.receivedBy, false, true)} value={receivedBy} maxLength={120} onChange={(e) => setReceivedBy(e.target.value)} />
        </Field>
        <Field id="wf-note" label={t('workFiles.note')} error={errors.note}>
          <input className="input" id="wf-note" value={note} maxLength={1000} onChange={(e) => setNote(e.target.value)} />
        </Field>
        {errors._ && <div className="form-error" role="alert">{errors._}</div>}
      </form>
    </Dialog>
  );
}
