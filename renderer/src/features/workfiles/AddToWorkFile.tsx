// "Thêm vào hồ sơ" on a document's view (incoming, outgoing, or a draft): the open files the person
// may add to, and the files the document is already in (of those the person may know).
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { WorkFileItemKind, WorkFileView } from '../../../../common/contract';
import { Dialog } from '../../components/Dialog';
import { Icon, Spinner } from '../../components/Icon';
import { errorText } from '../../i18n/errors';
import { asDeskError, call, isGloballyHandled } from '../../ipc/call';
import { toast } from '../../stores/toasts';

export function AddToWorkFile({ kind, recordId }: { kind: WorkFileItemKind; recordId: number }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="button subtle detail-addfile" onClick={() => setOpen(true)}><Icon name="book" /> {t('workFiles.addToFile')}</button>
      {open && <AddDialog kind={kind} recordId={recordId} onClose={() => setOpen(false)} />}
    </>
  );
}

function AddDialog({ kind, recordId, onClose }: { kind: WorkFileItemKind; recordId: number; onClose(): void }) {
  const { t } = useTranslation();
  const [files, setFiles] = useState<WorkFileView[] | null>(null);
  const [inFiles, setInFiles] = useState<WorkFileView[]>([]);
  const [chosen, setChosen] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    call('workFiles.openFiles', {}).then((r) => {
      setFiles(r);
      setChosen(r[0]?.id ?? null);
    }, (err: unknown) => setError(errorText(asDeskError(err))));
    call('workFiles.forRecord', { kind, recordId }).then(setInFiles, () => setInFiles([]));
  }, [kind, recordId]);

  const add = async () => {
    if (chosen === null) return;
    setBusy(true);
    setError(null);
    try {
      const f = await call('workFiles.addItem', { fileId: chosen, kind, recordId });
      toast.success(t('workFiles.added', { code: f.code }));
      onClose();
    } catch (err) {
      const de = asDeskError(err);
      if (!isGloballyHandled(de)) setError(errorText(de));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open title={t('workFiles.addTitle')} onClose={onClose} className="small-dialog"
      footer={(
        <>
          <span className="footer-status" />
          <button type="button" className="button" onClick={onClose}>{t('common.cancel')}</button>
          <button type="button" className="button primary" disabled={busy || chosen === null} onClick={() => void add()}>{busy && <Spinner />} {t('workFiles.addSubmit')}</button>
        </>
      )}>
      <div className="form-stack">
        {inFiles.length > 0 && <p className="muted">{t('workFiles.alreadyIn', { codes: inFiles.map((f) => f.code).join(', ') })}</p>}
        {!files && !error && <p className="muted"><Spinner /> {t('app.loading')}</p>}
        {files && files.length === 0 && <p className="muted">{t('workFiles.noOpenFiles')}</p>}
        {files && files.length > 0 && (
          <ul className="workfile-pick" aria-label={t('workFiles.openFilesLabel')}>
            {files.map((f) => (
              <li key={f.id}>
                <label>
                  <input type="radio" name="workfile" checked={chosen === f.id} onChange={() => setChosen(f.id)} />
                  <span className="workfile-code">{f.code}</span> {f.title}
                </label>
              </li>
            ))}
          </ul>
        )}
        {error && <div className="form-error" role="alert">{error}</div>}
      </div>
    </Dialog>
  );
}
