// "Hồ sơ công việc": the yearly file list (danh mục hồ sơ), the files due to the archive within the
// warning period, and the hand-over to the archive; a file opens in place. Who may do what comes
// from the core with each file.
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ArchiveDueItem, ArchiveTransferView, WorkFileYearView } from '../../../../common/contract';
import { formatDateVn, todayIso, yearOf } from '../../../../common/dates';
import { Icon, Spinner } from '../../components/Icon';
import { SecrecyBadge } from '../../components/Secrecy';
import { errorText } from '../../i18n/errors';
import { asDeskError, call, isGloballyHandled } from '../../ipc/call';
import { useApp } from '../../stores/app';
import { toast } from '../../stores/toasts';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { deliverExport } from './deliver';
import { retentionLabel, statusLabel } from './labels';
import { FileEntryDialog, TransferDialog } from './WorkFileDialogs';
import { WorkFileView } from './WorkFileView';
import './workfiles.css';

export function WorkFilesPage() {
  const { t } = useTranslation();
  const thisYear = yearOf(todayIso());
  const [year, setYear] = useState(thisYear);
  const [list, setList] = useState<WorkFileYearView | null>(null);
  const [due, setDue] = useState<ArchiveDueItem[]>([]);
  const [transfers, setTransfers] = useState<ArchiveTransferView[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [fileId, setFileId] = useState<number | null>(null);
  const [dialog, setDialog] = useState<'create' | 'transfer' | 'closeYear' | null>(null);
  const keepsRegister = useApp((s) => !!s.session?.rights.includes('doc.register'));

  const load = useCallback(() => {
    let live = true;
    setError(null);
    call('workFiles.year', { year }).then((r) => live && setList(r), (err: unknown) => live && setError(errorText(asDeskError(err))));
    call('workFiles.archiveDue', {}).then((r) => live && setDue(r), () => live && setDue([]));
    call('workFiles.transfers', {}).then((r) => live && setTransfers(r), () => live && setTransfers([]));
    return () => {
      live = false;
    };
  }, [year]);
  useEffect(() => load(), [load, fileId]);

  const closeYear = async () => {
    setDialog(null);
    try {
      await call('workFiles.closeYear', { year });
      toast.success(t('workFiles.yearClosedDone', { year }));
      load();
    } catch (err) {
      const de = asDeskError(err);
      if (!isGloballyHandled(de)) toast.error(errorText(de));
    }
  };

  const printRecord = async (transferId: number) => {
    try {
      await deliverExport(await call('workFiles.transferRecord', { transferId }), 'application/pdf');
    } catch (err) {
      const de = asDeskError(err);
      if (!isGloballyHandled(de)) toast.error(errorText(de));
    }
  };

  const years = Array.from({ length: 6 }, (_, i) => thisYear + 1 - i);
  const closedFiles = (list?.files ?? []).filter((f) => f.status === 'closed');
  return (
    <section className="page admin-page workfiles-page" aria-labelledby="workfiles-title">
      <div className="page-header">
        <h1 id="workfiles-title">{t('workFiles.title')}</h1>
        <span className="page-count">{list && fileId === null ? t('workFiles.count', { count: list.files.length }) : ''}</span>
        {fileId === null && (
          <div className="register-year">
            <label htmlFor="workfiles-year">{t('workFiles.year')}</label>
            <select id="workfiles-year" className="input year-select" value={year} onChange={(e) => setYear(Number(e.target.value))}>
              {years.map((y) => <option key={y} value={y}>{y}</option>)}
            </select>
          </div>
        )}
      </div>
      <div className="admin-body">
        {due.length > 0 && (
          <div className="notice notice-warning archive-notice" role="status" aria-label={t('workFiles.dueTitle')}>
            <div className="notice-title"><Icon name="alert" /> {t('workFiles.dueTitle')}</div>
            <ul>
              {due.map((d) => (
                <li key={d.fileId}>
                  <button type="button" className="link-button" onClick={() => setFileId(d.fileId)}>{d.code}</button> — {d.title}:{' '}
                  {d.daysLeft >= 0 ? t('workFiles.dueIn', { count: d.daysLeft, date: formatDateVn(d.archiveDue) }) : t('workFiles.overdue', { count: -d.daysLeft, date: formatDateVn(d.archiveDue) })}
                </li>
              ))}
            </ul>
          </div>
        )}
        {fileId !== null ? <WorkFileView fileId={fileId} onBack={() => setFileId(null)} /> : (
          <>
            <p className="section-lead">{t('workFiles.lead', { unitCode: list?.unitCode ?? '' })}</p>
            <div className="workfiles-toolbar">
              {list?.mayEdit && <button type="button" className="button primary" onClick={() => setDialog('create')}><Icon name="plus" /> {t('workFiles.new')}</button>}
              {list?.mayEdit && <button type="button" className="button" onClick={() => setDialog('closeYear')}>{t('workFiles.closeYear', { year })}</button>}
              {keepsRegister && closedFiles.length > 0 && <button type="button" className="button" onClick={() => setDialog('transfer')}>{t('workFiles.transfer')}</button>}
              {list?.closedAt && <span className="muted">{t('workFiles.yearClosedOn', { year, date: formatDateVn(list.closedAt.slice(0, 10)), by: list.closedBy ?? '' })}</span>}
            </div>
            {error && <div className="form-error" role="alert">{error}</div>}
            {!list && !error && <p className="muted"><Spinner /> {t('app.loading')}</p>}
            {list && list.files.length === 0 && <p className="muted">{t('workFiles.none', { year })}</p>}
            {list && list.files.length > 0 && (
              <table className="data-table workfiles-table">
                <thead>
                  <tr>
                    <th>{t('workFiles.col.code')}</th>
                    <th>{t('workFiles.col.title')}</th>
                    <th>{t('workFiles.col.retention')}</th>
                    <th>{t('workFiles.col.responsible')}</th>
                    <th>{t('workFiles.col.level')}</th>
                    <th>{t('workFiles.col.documents')}</th>
                    <th>{t('workFiles.col.status')}</th>
                  </tr>
                </thead>
                <tbody>
                  {list.files.map((f) => (
                    <tr key={f.id}>
                      <td className="workfile-code"><button type="button" className="link-button" onClick={() => setFileId(f.id)}>{f.code}</button></td>
                      <td>{f.title}</td>
                      <td>{retentionLabel(t, f.retentionYears)}</td>
                      <td>{f.openedBy ?? f.responsibleUserName ?? f.responsibleUnitName ?? '—'}</td>
                      <td><SecrecyBadge level={f.secrecy} /></td>
                      <td>{f.documents}</td>
                      <td className={`workfile-status status-${f.status}`}>{statusLabel(t, f.status)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {transfers.length > 0 && (
              <>
                <h2 className="meta-heading">{t('workFiles.transfersTitle')}</h2>
                <table className="data-table workfile-transfers">
                  <thead>
                    <tr>
                      <th className="col-date">{t('workFiles.transferredOn')}</th>
                      <th>{t('workFiles.archiveName')}</th>
                      <th>{t('workFiles.receivedBy')}</th>
                      <th>{t('workFiles.handedBy')}</th>
                      <th>{t('workFiles.transferFiles')}</th>
                      <th><span className="visually-hidden">{t('workFiles.col.actions')}</span></th>
                    </tr>
                  </thead>
                  <tbody>
                    {transfers.map((r) => (
                      <tr key={r.id}>
                        <td className="col-date">{formatDateVn(r.transferredOn)}</td>
                        <td>{r.archiveName}</td>
                        <td>{r.receivedBy}</td>
                        <td>{r.handedBy}</td>
                        <td>{r.files.map((f) => f.code).join(', ')}</td>
                        <td className="col-actions">
                          <button type="button" className="button small" onClick={() => void printRecord(r.id)}>{t('workFiles.transferRecord')}</button>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </>
            )}
          </>
        )}
      </div>
      {dialog === 'create' && <FileEntryDialog year={year} onClose={() => setDialog(null)}
        onDone={(f) => { setDialog(null); toast.success(t('workFiles.created', { code: f.code })); load(); }} />}
      {dialog === 'transfer' && <TransferDialog files={closedFiles} onClose={() => setDialog(null)}
        onDone={(r) => { setDialog(null); toast.success(t('workFiles.transferred', { count: r.files.length, archive: r.archiveName })); load(); }} />}
      <ConfirmDialog open={dialog === 'closeYear'} title={t('workFiles.closeYearTitle', { year })} confirmLabel={t('workFiles.closeYearConfirm')} cancelLabel={t('common.cancel')}
        onConfirm={() => void closeYear()} onCancel={() => setDialog(null)}>
        <p>{t('workFiles.closeYearLead', { year })}</p>
      </ConfirmDialog>
    </section>
  );
}
