// Numbers this workstation gave before the agency server's store was restored from a backup, which the
// restored server had given another record before this workstation told it (or holds under another
// number): listed for the văn thư and the administrator with what happens next. An arrival is
// renumbered from the server by the software while a văn thư is signed in (a correction keeps the old
// number); an issued document's number is inside the agency's signature, so a person resolves it.
// Above the person's clearance the core leaves the document out.
import { useTranslation } from 'react-i18next';
import type { SyncPanelView } from '../../../../common/contract';
import { SECRECY_LABELS } from '../../../../common/domain';
import { formatDateTimeVn } from '../../lib/format';
import { NumberTable } from './NumberTable';

export function RestoreNumberClashes({ rows }: { rows: SyncPanelView['restoreNumberClashes'] }) {
  const { t } = useTranslation();
  if (rows.length === 0) return null;
  return (
    <NumberTable
      testId="sync-restore-clashes" title={t('sync.restoreClashes.title')} help={t('sync.restoreClashes.help')}
      columns={[t('sync.restoreClashes.register'), t('sync.restoreClashes.number'), t('sync.restoreClashes.document'), t('sync.restoreClashes.next')]}
    >
      {rows.map((r) => (
        <tr key={`${r.register}-${r.number}-${r.givenAt}`}>
          <th scope="row">{r.register}</th>
          <td className="sync-nowrap">{r.number}</td>
          <td>
            {r.document ? r.document.subject : <span className="muted">{t('sync.restoreClashes.hidden', { level: r.level ? SECRECY_LABELS[r.level] : '' })}</span>}
            <div className="muted small">{t(r.kind === 'incoming' ? 'sync.restoreClashes.arrival' : 'sync.restoreClashes.issued', { at: formatDateTimeVn(r.givenAt) })}</div>
          </td>
          <td>
            <span className={r.renumbers ? 'badge' : 'badge warn'}>{t(`sync.restoreClashes.reason.${r.reason}`)}</span>
            <div className="muted small">{t(r.renumbers ? 'sync.restoreClashes.renumbers' : r.kind === 'outgoing' ? 'sync.restoreClashes.issuedTodo' : 'sync.restoreClashes.heldTodo')}</div>
          </td>
        </tr>
      ))}
    </NumberTable>
  );
}
