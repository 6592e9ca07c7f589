// Cập nhật thông tin (BussinessDocType 2): the văn thư corrects an issued document's subject, reply
// deadline, page count and number of copies, with a reason. The form starts from the current values
// (as corrected by earlier updates), lists what will change before confirming, and refuses "no change"
// or a missing reason before asking the core (which refuses them too, by key).
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { OutgoingDetail, OutgoingUpdateField } from '../../../../common/contract';
import { formatDateVn, parseDateInput } from '../../../../common/dates';
import { DateInput } from '../../components/DateInput';
import { Dialog } from '../../components/Dialog';
import { Spinner } from '../../components/Icon';
import { errorText } from '../../i18n/errors';
import { asDeskError, call } from '../../ipc/call';
import { toast } from '../../stores/toasts';

type Values = OutgoingDetail['current'];
interface Props { doc: OutgoingDetail; open: boolean; onClose(): void; onSaved(): void }

const FIELDS: OutgoingUpdateField[] = ['subject', 'replyDeadline', 'pageCount', 'issuedAmount'];

/** A field's value as the window shows it (dates dd/mm/yyyy, nothing as "Không có"). */
export function shownValue(field: OutgoingUpdateField, v: string | number | null | undefined, none: string): string {
  if (v === null || v === undefined || v === '') return none;
  return field === 'replyDeadline' ? formatDateVn(String(v)) : String(v);
}

function parseCount(text: string, max: number): number | null | 'bad' {
  const s = text.trim();
  if (!s) return null;
  if (!/^\d+$/.test(s)) return 'bad';
  const n = Number(s);
  return n >= 1 && n <= max ? n : 'bad';
}

export function UpdateIssuedDialog({ doc, open, onClose, onSaved }: Props) {
  const { t } = useTranslation();
  const [subject, setSubject] = useState('');
  const [deadline, setDeadline] = useState('');
  const [pages, setPages] = useState('');
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!open) return;
    const c = doc.current;
    setSubject(c.subject);
    setDeadline(c.replyDeadline ? formatDateVn(c.replyDeadline) : '');
    setPages(c.pageCount === null ? '' : String(c.pageCount));
    setAmount(c.issuedAmount === null ? '' : String(c.issuedAmount));
    setReason('');
    setError(null);
  }, [open, doc]);
  // A message answers what was on the form: it goes as soon as the form changes.
  useEffect(() => setError(null), [subject, deadline, pages, amount, reason]);

  // What the form says, parsed; a field that does not parse is named so the văn thư can fix it.
  const deadlineIso = deadline.trim() ? parseDateInput(deadline) : null;
  const pageCount = parseCount(pages, 100000);
  const issuedAmount = parseCount(amount, 10000);
  const invalid = deadline.trim() && !deadlineIso ? t('outgoing.update.badDate')
    : pageCount === 'bad' ? t('outgoing.update.badNumber', { field: t('outgoing.update.field.pageCount') })
      : issuedAmount === 'bad' ? t('outgoing.update.badNumber', { field: t('outgoing.update.field.issuedAmount') })
        : !subject.trim() ? t('outgoing.update.subjectRequired') : null;
  const next: Values = { subject: subject.trim().normalize('NFC'), replyDeadline: deadlineIso, pageCount: pageCount === 'bad' ? null : pageCount, issuedAmount: issuedAmount === 'bad' ? null : issuedAmount };
  const changed = invalid ? [] : FIELDS.filter((f) => next[f] !== doc.current[f]);

  async function save() {
    if (invalid) return setError(invalid);
    if (changed.length === 0) return setError(t('outgoing.update.nothing'));
    if (!reason.trim()) return setError(t('outgoing.update.reasonRequired'));
    setBusy(true);
    setError(null);
    try {
      const input: Record<string, unknown> = { id: doc.id, reason: reason.trim() };
      for (const f of changed) input[f] = next[f];
      await call('outgoing.update', input as { id: number; reason: string });
      toast.success(t('outgoing.update.saved'));
      onSaved();
    } catch (err) {
      setError(errorText(asDeskError(err)));
    } finally {
      setBusy(false);
    }
  }

  const none = t('outgoing.detail.none');
  return (
    <Dialog open={open} title={t('outgoing.update.title', { number: doc.numberSymbol ?? '' })} onClose={onClose} className="update-issued-dialog"
      footer={
        <>
          <span className="footer-status muted small">{t('outgoing.update.footer')}</span>
          <button type="button" className="button" onClick={onClose}>{t('outgoing.action.cancel')}</button>
          <button type="button" className="button primary" disabled={busy} onClick={() => void save()}>{busy && <Spinner />} {t('outgoing.update.confirm')}</button>
        </>
      }>
      <div className="form-stack">
        <p className="muted small">{t('outgoing.update.intro')}</p>
        <div className="field">
          <label htmlFor="og-upd-subject">{t('outgoing.update.field.subject')}</label>
          <textarea id="og-upd-subject" className="input" rows={3} maxLength={500} value={subject} onChange={(e) => setSubject(e.target.value)} />
        </div>
        <div className="update-grid">
          <div className="field">
            <label htmlFor="og-upd-deadline">{t('outgoing.update.field.replyDeadline')}</label>
            <DateInput id="og-upd-deadline" value={deadline} onValueChange={setDeadline} />
          </div>
          <div className="field">
            <label htmlFor="og-upd-pages">{t('outgoing.update.field.pageCount')}</label>
            <input id="og-upd-pages" className="input" inputMode="numeric" maxLength={6} value={pages} onChange={(e) => setPages(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="og-upd-amount">{t('outgoing.update.field.issuedAmount')}</label>
            <input id="og-upd-amount" className="input" inputMode="numeric" maxLength={5} value={amount} onChange={(e) => setAmount(e.target.value)} />
          </div>
        </div>
        <div className="field">
          <label htmlFor="og-upd-reason">{t('outgoing.update.reason')} <span className="required" aria-hidden="true">*</span></label>
          <textarea id="og-upd-reason" className="input" rows={2} maxLength={1000} required value={reason} onChange={(e) => setReason(e.target.value)} />
        </div>
        <section className="update-changes" aria-label={t('outgoing.update.changesTitle')}>
          <h3 className="meta-heading">{t('outgoing.update.changesTitle')}</h3>
          {changed.length === 0 ? <p className="muted small">{invalid ?? t('outgoing.update.noChangesYet')}</p> : (
            <ul className="change-list">
              {changed.map((f) => (
                <li key={f}>
                  <span className="strong">{t(`outgoing.update.field.${f}`)}:</span>{' '}
                  <span className="change-before">{shownValue(f, doc.current[f], none)}</span> → <span className="change-after">{shownValue(f, next[f], none)}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
        {error && <div className="form-error" role="alert">{error}</div>}
      </div>
    </Dialog>
  );
}
