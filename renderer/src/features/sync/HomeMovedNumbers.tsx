// Numbers this workstation gave offline as a register's home after an administrator had moved the home
// to another workstation (docs/server.md "Moving a register's home"): the agency server refuses them,
// so the văn thư and the administrator see each with what to do. Above the person's clearance the core
// leaves the document out.
import { useTranslation } from 'react-i18next';
import type { SyncPanelView } from '../../../../common/contract';
import { SECRECY_LABELS } from '../../../../common/domain';
import { formatDateTimeVn } from '../../lib/format';
import { NumberTable } from './NumberTable';

export function HomeMovedNumbers({ rows }: { rows: SyncPanelView['homeMovedNumbers'] }) {
  const { t } = useTranslation();
  if (rows.length === 0) return null;
  return (
    <NumberTable
      testId="sync-home-moved" title={t('sync.homeMoved.title')} help={t('sync.homeMoved.help')}
      columns={[t('sync.homeMoved.register'), t('sync.homeMoved.number'), t('sync.homeMoved.document'), t('sync.homeMoved.home')]} notice={t('sync.homeMoved.todo')}
    >
      {rows.map((r) => (
        <tr key={`${r.register}-${r.number}-${r.givenAt}`}>
          <th scope="row">{r.register}</th>
          <td className="sync-nowrap">{r.number}</td>
          <td>
            {r.document ? r.document.subject : <span className="muted">{t('sync.homeMoved.hidden', { level: r.level ? SECRECY_LABELS[r.level] : '' })}</span>}
            <div className="muted small">{t('sync.homeMoved.givenAt', { at: formatDateTimeVn(r.givenAt) })}</div>
          </td>
          <td>
            <code className="agency-ws-id">{r.movedTo}</code>
            <div className="muted small">{t('sync.homeMoved.movedAt', { at: formatDateTimeVn(r.movedAt) })}{r.movedBy ? ` · ${t('sync.homeMoved.movedBy', { name: r.movedBy })}` : ''}</div>
            {r.reason && <div className="muted small">{t('sync.homeMoved.reason', { reason: r.reason })}</div>}
          </td>
        </tr>
      ))}
    </NumberTable>
  );
}
