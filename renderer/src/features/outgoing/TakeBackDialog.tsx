// Lấy lại (edXML status 13): the văn thư takes an issued document back from one recipient agency it
// was sent to by mistake. A reason is required, and a second question confirms (the agency is told
// to withdraw its copy; it cannot be undone from here).
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { OutgoingDetail, OutgoingDispatchView } from '../../../../common/contract';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Dialog } from '../../components/Dialog';
import { Spinner } from '../../components/Icon';
import { errorText } from '../../i18n/errors';
import { asDeskError, call } from '../../ipc/call';
import { toast } from '../../stores/toasts';

interface Props { doc: OutgoingDetail; dispatch: OutgoingDispatchView | null; onClose(): void; onDone(): void }

export function TakeBackDialog({ doc, dispatch, onClose, onDone }: Props) {
  const { t } = useTranslation();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  useEffect(() => { setReason(''); setError(null); setConfirming(false); }, [dispatch]);

  function ask() {
    if (!reason.trim()) return setError(t('outgoing.takeBack.reasonRequired'));
    setError(null);
    setConfirming(true);
  }

  async function takeBack() {
    if (!dispatch) return;
    setConfirming(false);
    setBusy(true);
    try {
      await call('outgoing.takeBack', { id: doc.id, dispatchId: dispatch.id, reason: reason.trim() });
      toast.success(t('outgoing.takeBack.done', { name: dispatch.recipient }));
      onDone();
    } catch (err) {
      setError(errorText(asDeskError(err)));
    } finally {
      setBusy(false);
    }
  }

  const name = dispatch?.recipient ?? '';
  return (
    <>
      <Dialog open={dispatch !== null} title={t('outgoing.takeBack.title')} onClose={onClose} className="small-dialog take-back-dialog"
        footer={
          <>
            <span className="footer-status" />
            <button type="button" className="button" onClick={onClose}>{t('outgoing.action.cancel')}</button>
            <button type="button" className="button danger" disabled={busy} onClick={ask}>{busy && <Spinner />} {t('outgoing.takeBack.action')}</button>
          </>
        }>
        <div className="form-stack">
          <p>{t('outgoing.takeBack.intro', { number: doc.numberSymbol ?? '', name })}</p>
          <div className="field">
            <label htmlFor="og-tb-reason">{t('outgoing.takeBack.reason')} <span className="required" aria-hidden="true">*</span></label>
            <textarea id="og-tb-reason" className="input" rows={3} maxLength={1000} required value={reason} onChange={(e) => { setReason(e.target.value); setError(null); }} />
          </div>
          {error && <div className="form-error" role="alert">{error}</div>}
        </div>
      </Dialog>
      <ConfirmDialog open={confirming} title={t('outgoing.takeBack.confirmTitle')} danger
        confirmLabel={t('outgoing.takeBack.confirm')} cancelLabel={t('outgoing.action.cancel')}
        onConfirm={() => void takeBack()} onCancel={() => setConfirming(false)}>
        <p>{t('outgoing.takeBack.confirmText', { number: doc.numberSymbol ?? '', name })}</p>
      </ConfirmDialog>
    </>
  );
}
