// "Chia sẻ hồ sơ": the file's handler, a leader or the văn thư lets a colleague know of the file (its
// title and details; need-to-know, docs/work-files.md). Only people cleared for the file's level are
// offered; the core checks it again.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { OutgoingPerson, WorkFileView } from '../../../../common/contract';
import { clearedFor } from '../../../../common/domain';
import { Dialog } from '../../components/Dialog';
import { Field } from '../../components/Field';
import { Spinner } from '../../components/Icon';
import { errorText } from '../../i18n/errors';
import { useLabels } from '../../i18n/labels';
import { asDeskError, call, isGloballyHandled } from '../../ipc/call';
import { useApp } from '../../stores/app';
import { toast } from '../../stores/toasts';

export function ShareFileDialog({ file, onClose }: { file: WorkFileView; onClose(): void }) {
  const { t } = useTranslation();
  const labels = useLabels();
  const me = useApp((s) => s.session?.user.id);
  const [people, setPeople] = useState<OutgoingPerson[] | null>(null);
  const [chosen, setChosen] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    call('outgoing.people', {}).then((all) => {
      const fit = all.filter((p) => p.id !== me && clearedFor(p.clearance, file.secrecy));
      setPeople(fit);
      setChosen(fit[0]?.id ?? null);
    }, (err: unknown) => setError(errorText(asDeskError(err))));
  }, [file.secrecy, me]);

  const share = async () => {
    if (chosen === null) return;
    setBusy(true);
    setError(null);
    try {
      await call('workFiles.share', { fileId: file.id, userId: chosen });
      toast.success(t('workFiles.shared', { code: file.code, name: people?.find((p) => p.id === chosen)?.fullName ?? '' }));
      onClose();
    } catch (err) {
      const de = asDeskError(err);
      if (!isGloballyHandled(de)) setError(errorText(de));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open title={t('workFiles.shareTitle', { code: file.code })} onClose={onClose} className="small-dialog"
      footer={(
        <>
          <span className="footer-status" />
          <button type="button" className="button" onClick={onClose}>{t('common.cancel')}</button>
          <button type="button" className="button primary" disabled={busy || chosen === null} onClick={() => void share()}>{busy && <Spinner />} {t('workFiles.shareSubmit')}</button>
        </>
      )}>
      <div className="form-stack">
        <p className="muted">{t('workFiles.shareLead', { level: labels.secrecy(file.secrecy) })}</p>
        {!people && !error && <p className="muted"><Spinner /> {t('app.loading')}</p>}
        {people && (
          <Field id="share-person" label={t('workFiles.sharePerson')}>
            <select id="share-person" className="input" value={chosen ?? ''} onChange={(e) => setChosen(Number(e.target.value))}>
              {people.map((p) => <option key={p.id} value={p.id}>{p.fullName}{p.position ? ` — ${p.position}` : ''}</option>)}
            </select>
          </Field>
        )}
        {error && <div className="form-error" role="alert">{error}</div>}
      </div>
    </Dialog>
  );
}
