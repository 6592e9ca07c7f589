// "Chuyển và ký nhận" in the document view: to whom the văn thư handed the document inside the
// agency and on which day (ngày chuyển), and the recipient's electronic acknowledgement (ký nhận),
// which only the named person (or, for a unit, someone other than the one who handed it over) can give.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { HandoverView, IncomingDetail } from '../../../../common/contract';
import { formatDateVn, todayIso } from '../../../../common/dates';
import { DateInput, dateTextToIso } from '../../components/DateInput';
import { Dialog } from '../../components/Dialog';
import { controlProps, Field } from '../../components/Field';
import { Icon, Spinner } from '../../components/Icon';
import { asDeskError, call, isGloballyHandled } from '../../ipc/call';
import { formatDateTimeVn } from '../../lib/format';
import { useCanRegister } from '../../stores/app';
import type { DraftRecipient } from '../../stores/registerDraft';
import { toast } from '../../stores/toasts';
import { RecipientPicker } from './RecipientPicker';
import { errorFields, errorText } from '../../i18n/errors';

export function HandoverSection({ doc, onChanged }: { doc: IncomingDetail; onChanged(): void }) {
  const { t } = useTranslation();
  const canRegister = useCanRegister();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState<number | null>(null);

  async function acknowledge(h: HandoverView) {
    setBusy(h.id);
    try {
      await call('incoming.acknowledge', { handoverId: h.id });
      toast.success(t('handover.acknowledged', { number: doc.arrivalNumber }));
      onChanged();
    } catch (err) {
      const de = asDeskError(err);
      if (!isGloballyHandled(de)) toast.error(errorText(de));
    } finally {
      setBusy(null);
    }
  }

  return (
    <section className="meta-section handover-section" aria-labelledby="handover-title">
      <div className="meta-section-head">
        <h2 id="handover-title" className="meta-heading"><Icon name="users" /> {t('handover.title')}</h2>
        {canRegister && (
          <button type="button" className="button small" onClick={() => setOpen(true)}>{t('handover.add')}</button>
        )}
      </div>
      {doc.handovers.length === 0 ? (
        <p className="muted small">{t('handover.none')}</p>
      ) : (
        <ul className="handover-list">
          {doc.handovers.map((h) => (
            <li key={h.id} className="handover-item">
              <div className="handover-to">
                <span className="strong">{[h.userName, h.unitName].filter(Boolean).join(' – ')}</span>
                <span className="muted small">{t('handover.handedOn', { date: formatDateVn(h.handedOn), by: h.handedBy })}</span>
                {h.note && <span className="small block">{h.note}</span>}
              </div>
              <div className="handover-ack">
                {h.acknowledgedAt ? (
                  <span className="cap cap-ok"><Icon name="check" /> {t('handover.ackBy', { name: h.acknowledgedBy, time: formatDateTimeVn(h.acknowledgedAt) })}</span>
                ) : h.canAcknowledge ? (
                  <button type="button" className="button primary small" disabled={busy === h.id} onClick={() => void acknowledge(h)}>
                    {busy === h.id && <Spinner />} {t('handover.acknowledge')}
                  </button>
                ) : (
                  <span className="cap cap-no">{t('handover.pending')}</span>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
      {open && <HandOverDialog doc={doc} onClose={() => setOpen(false)} onDone={() => {
        setOpen(false);
        onChanged();
      }} />}
    </section>
  );
}

function HandOverDialog({ doc, onClose, onDone }: { doc: IncomingDetail; onClose(): void; onDone(): void }) {
  const { t } = useTranslation();
  const [unit, setUnit] = useState<DraftRecipient[]>([]);
  const [person, setPerson] = useState<DraftRecipient[]>([]);
  const [date, setDate] = useState(formatDateVn(todayIso()));
  const [note, setNote] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const unitId = unit[0]?.kind === 'unit' ? unit[0].id : undefined;
    const userId = person[0]?.kind === 'user' ? person[0].id : undefined;
    if (unitId === undefined && userId === undefined) {
      setErrors({ recipient: t('handover.chooseRecipient') });
      return;
    }
    setBusy(true);
    setErrors({});
    try {
      await call('incoming.handOver', {
        id: doc.id, note, handedOn: dateTextToIso(date),
        ...(unitId !== undefined ? { unitId } : {}), ...(userId !== undefined ? { userId } : {}),
      });
      toast.success(t('handover.done', { number: doc.arrivalNumber }));
      onDone();
    } catch (err) {
      const de = asDeskError(err);
      if (de.fields) setErrors(errorFields(de));
      else if (!isGloballyHandled(de)) setErrors({ _: errorText(de) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog open title={t('handover.dialogTitle', { number: doc.arrivalNumber })} onClose={onClose} className="small-dialog"
      footer={
        <>
          <span className="footer-status" />
          <button type="button" className="button" onClick={onClose}>{t('common.cancel')}</button>
          <button type="submit" form="handover-form" className="button primary" disabled={busy}>
            {busy && <Spinner />} {t('handover.submit')}
          </button>
        </>
      }>
      <form id="handover-form" className="form-stack" onSubmit={(e) => void submit(e)} noValidate>
        <p className="section-lead">{t('handover.lead')}</p>
        <Field id="handover-unit" label={t('handover.unit')} error={errors.recipient}>
          <RecipientPicker id="handover-unit" values={unit} onChange={setUnit} kinds={['unit']} allowText={false} max={1}
            placeholder={t('handover.unitPlaceholder')} invalid={!!errors.recipient} />
        </Field>
        <Field id="handover-person" label={t('handover.person')} hint={t('handover.personHint')}>
          <RecipientPicker id="handover-person" values={person} onChange={setPerson} kinds={['user']} allowText={false} max={1}
            placeholder={t('handover.personPlaceholder')} describedBy="handover-person-hint" />
        </Field>
        <Field id="handover-date" label={t('handover.date')} error={errors.handedOn} required>
          <DateInput {...controlProps('handover-date', errors.handedOn, false, true)} value={date} onValueChange={setDate} />
        </Field>
        <Field id="handover-note" label={t('handover.note')} error={errors.note}>
          <input className="input" {...controlProps('handover-note', errors.note)} value={note} maxLength={500} onChange={(e) => setNote(e.target.value)} />
        </Field>
        {errors._ && <div className="form-error" role="alert">{errors._}</div>}
      </form>
    </Dialog>
  );
}
