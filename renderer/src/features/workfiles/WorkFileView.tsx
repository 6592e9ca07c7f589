// One work file: its list entry, its documents in date order (those the person may see), and what the
// person may do with it (the core decides: open, edit, remove a document, close, export).
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { WorkFileDetail } from '../../../../common/contract';
import { formatDateVn } from '../../../../common/dates';
import { Icon, Spinner } from '../../components/Icon';
import { SecrecyBadge } from '../../components/Secrecy';
import { errorText } from '../../i18n/errors';
import { asDeskError, call, isGloballyHandled } from '../../ipc/call';
import { useNav } from '../../stores/nav';
import { toast } from '../../stores/toasts';
import { deliverExport } from './deliver';
import { ShareFileDialog } from './ShareFileDialog';
import { CloseFileDialog, FileEntryDialog } from './WorkFileDialogs';
import { retentionLabel, statusLabel } from './labels';

export function WorkFileView({ fileId, onBack }: { fileId: number; onBack(): void }) {
  const { t } = useTranslation();
  const openIncoming = useNav((s) => s.openIncoming);
  const show = useNav((s) => s.show);
  const [file, setFile] = useState<WorkFileDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [dialog, setDialog] = useState<'edit' | 'close' | 'share' | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(() => {
    call('workFiles.get', { fileId }).then(setFile, (err: unknown) => setError(errorText(asDeskError(err))));
  }, [fileId]);
  useEffect(() => load(), [load]);

  const act = async (run: () => Promise<unknown>, done?: string) => {
    setBusy(true);
    try {
      await run();
      if (done) toast.success(done);
      load();
    } catch (err) {
      const de = asDeskError(err);
      if (!isGloballyHandled(de)) toast.error(errorText(de));
    } finally {
      setBusy(false);
    }
  };

  const exportFile = () => act(async () => {
    const out = await call('workFiles.export', { fileId });
    const pdf = await deliverExport(out.pdf, 'application/pdf');
    if (pdf === 'cancelled') return;
    await deliverExport(out.xml, 'application/xml');
    toast.success(t('workFiles.exported', { documents: out.documents, pages: out.pages }));
  });

  if (error) return <div className="empty-state" role="alert"><Icon name="alert" /><p>{error}</p></div>;
  if (!file) return <p className="muted"><Spinner /> {t('app.loading')}</p>;
  return (
    <div className="workfile-view">
      <div className="workfiles-toolbar">
        <button type="button" className="button subtle" onClick={onBack}><Icon name="arrowLeft" /> {t('workFiles.backToList', { year: file.year })}</button>
        <h2 className="workfile-code" id="workfile-title">{file.code}</h2>
        <SecrecyBadge level={file.secrecy} />
        <span className={`workfile-status status-${file.status}`}>{statusLabel(t, file.status)}</span>
        <span className="spacer" />
        {file.may.open && <button type="button" className="button" disabled={busy} onClick={() => void act(() => call('workFiles.open', { fileId }), t('workFiles.opened', { code: file.code }))}>{t('workFiles.open')}</button>}
        {file.may.edit && <button type="button" className="button" onClick={() => setDialog('edit')}>{t('workFiles.edit')}</button>}
        {file.may.share && <button type="button" className="button" onClick={() => setDialog('share')}>{t('workFiles.share')}</button>}
        {file.may.close && <button type="button" className="button" onClick={() => setDialog('close')}>{t('workFiles.close')}</button>}
        {file.may.export && <button type="button" className="button primary" disabled={busy} onClick={() => void exportFile()}>{busy && <Spinner />} {t('workFiles.export')}</button>}
      </div>
      <h3>{file.title}</h3>
      <dl className="workfile-meta">
        <dt>{t('workFiles.retention')}</dt><dd>{retentionLabel(t, file.retentionYears)}</dd>
        <dt>{t('workFiles.accessRegime')}</dt><dd>{file.accessRegime}</dd>
        <dt>{t('workFiles.responsible')}</dt><dd>{file.responsibleUserName ?? file.responsibleUnitName ?? '—'}</dd>
        <dt>{t('workFiles.openedBy')}</dt><dd>{file.openedBy ? `${file.openedBy} (${formatDateVn(file.openedAt)})` : '—'}</dd>
        <dt>{t('workFiles.closedOn')}</dt><dd>{file.closedOn ? formatDateVn(file.closedOn) : '—'}</dd>
        <dt>{t('workFiles.archiveDue')}</dt><dd>{file.archiveDue ? formatDateVn(file.archiveDue) : '—'}</dd>
        {file.description && <><dt>{t('workFiles.description')}</dt><dd>{file.description}</dd></>}
      </dl>
      {file.status === 'archived' && <div className="notice" role="note">{t('workFiles.archivedNote')}</div>}
      <h3>{t('workFiles.documents', { count: file.items.length })}</h3>
      {file.items.length === 0 ? <p className="muted">{file.status === 'open' ? t('workFiles.emptyOpen') : t('workFiles.empty')}</p> : (
        <table className="data-table workfile-items">
          <thead>
            <tr>
              <th>{t('workFiles.col.no')}</th>
              <th className="col-date">{t('workFiles.col.date')}</th>
              <th>{t('workFiles.col.number')}</th>
              <th>{t('workFiles.col.subject')}</th>
              <th>{t('workFiles.col.level')}</th>
              {file.may.change && <th><span className="visually-hidden">{t('workFiles.col.actions')}</span></th>}
            </tr>
          </thead>
          <tbody>
            {file.items.map((it, i) => (
              <tr key={it.id}>
                <td>{i + 1}</td>
                <td className="col-date">{formatDateVn(it.documentDate)}</td>
                <td>
                  <button type="button" className="link-button"
                    onClick={() => (it.kind === 'incoming' ? openIncoming(it.recordId) : show({ name: 'outgoingDetail', id: it.recordId }))}>
                    {it.kind === 'draft' ? t('workFiles.draftNumber') : it.numberSymbol}
                  </button>
                </td>
                <td>{it.issuer}: {it.subject}</td>
                <td><SecrecyBadge level={it.secrecy} /></td>
                {file.may.change && (
                  <td className="col-actions">
                    <button type="button" className="button small" disabled={busy}
                      onClick={() => void act(() => call('workFiles.removeItem', { fileId, kind: it.kind, recordId: it.recordId }), t('workFiles.removed', { number: it.numberSymbol }))}>
                      {t('workFiles.remove')}
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {file.shares.length > 0 && (
        // The live shares, for those who may withdraw them (the core lists them only for those).
        <section className="workfile-shares" aria-labelledby="workfile-shares-title">
          <h3 id="workfile-shares-title">{t('workFiles.sharesTitle', { count: file.shares.length })}</h3>
          <ul className="workfile-share-list">
            {file.shares.map((sh) => (
              <li key={sh.userId}>
                <span className="strong">{sh.name}</span>
                <span className="muted"> · {t('workFiles.sharedBy', { name: sh.sharedBy, date: formatDateVn(sh.sharedAt.slice(0, 10)) })}</span>
                {sh.mayWithdraw && (
                  <button type="button" className="button small" disabled={busy} aria-label={t('workFiles.unshareLabel', { name: sh.name })}
                    onClick={() => void act(() => call('workFiles.unshare', { fileId, userId: sh.userId }), t('workFiles.unshared', { code: file.code, name: sh.name }))}>
                    {t('workFiles.unshare')}
                  </button>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}
      {dialog === 'share' && <ShareFileDialog file={file} onClose={() => { setDialog(null); load(); }} />}
      {dialog === 'edit' && <FileEntryDialog year={file.year} file={file} onClose={() => setDialog(null)} onDone={() => { setDialog(null); load(); }} />}
      {dialog === 'close' && <CloseFileDialog file={file} onClose={() => setDialog(null)}
        onDone={(f) => { setDialog(null); toast.success(t('workFiles.closed', { code: f.code, due: formatDateVn(f.archiveDue) })); load(); }} />}
    </div>
  );
}
