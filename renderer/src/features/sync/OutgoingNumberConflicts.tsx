// Outgoing numbers the register's home gave while cut off that the agency server had given another
// workstation's document (docs/server.md "Outgoing numbers"): listed for the văn thư and the
// administrator with what to do, and who took the number at the server (the person by name, their
// workstation as a detail: the văn thư calls a person, not a machine). The number is inside the agency's
// signature, so nothing renumbers it: a person resolves it. Above the person's clearance the core leaves the document out.
import { useTranslation } from 'react-i18next';
import type { SyncPanelView } from '../../../../common/contract';
import { SECRECY_LABELS } from '../../../../common/domain';
import { formatDateTimeVn } from '../../lib/format';
import { NumberTable } from './NumberTable';

export function OutgoingNumberConflicts({ conflicts }: { conflicts: SyncPanelView['outgoingNumberConflicts'] }) {
  const { t } = useTranslation();
  if (conflicts.length === 0) return null;
  return (
    <NumberTable
      testId="sync-number-conflicts" title={t('sync.numberConflicts.title')} help={t('sync.numberConflicts.help')}
      columns={[t('sync.numberConflicts.register'), t('sync.numberConflicts.number'), t('sync.numberConflicts.ours'), t('sync.numberConflicts.theirs')]} notice={t('sync.numberConflicts.todo')}
    >
      {conflicts.map((c) => (
        <tr key={`${c.register}-${c.number}-${c.givenAt}`}>
          <th scope="row">{c.register}</th>
          <td className="sync-nowrap">{c.number}</td>
          <td>
            {c.document
              ? <><strong>{c.document.numberSymbol ?? c.number}</strong> · {c.document.subject}</>
              : <span className="muted">{t('sync.numberConflicts.hidden', { level: c.level ? SECRECY_LABELS[c.level] : '' })}</span>}
            <div className="muted small">{t('sync.numberConflicts.givenAt', { at: formatDateTimeVn(c.givenAt) })}</div>
          </td>
          <td>
            {c.other.document
              ? <><strong>{c.other.document.numberSymbol ?? c.number}</strong> · {c.other.document.subject}</>
              : <span className="muted">{t('sync.numberConflicts.otherUnknown')}</span>}
            <div className="sync-number-holder">
              {c.other.person ? t('sync.numberConflicts.takenBy', { name: c.other.person }) : <span className="muted">{t('sync.numberConflicts.personUnknown')}</span>}
            </div>
            <div className="muted small">
              {c.other.workstation && t('sync.numberConflicts.workstation', { id: c.other.workstation })}
              {c.other.at && <>{c.other.workstation ? ' · ' : ''}{t('sync.numberConflicts.takenAt', { at: formatDateTimeVn(c.other.at) })}</>}
            </div>
          </td>
        </tr>
      ))}
    </NumberTable>
  );
}
