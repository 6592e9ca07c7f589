// On an outgoing document: what each recipient agency reported over the exchange (đã đến, đã tiếp
// nhận, từ chối with the reason, phân công, đang xử lý, hoàn thành; 15/16 for a recall; bị từ chối when
// the packet was refused on the way), with times.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DispatchStatusView } from '../../../../common/contract';
import { isFailedStatus } from '../../../../common/edxml';
import { Icon } from '../../components/Icon';
import { call, reportError } from '../../ipc/call';
import { formatDateTimeVn } from '../../lib/format';
import './exchange.css';

export function DispatchStatuses({ outgoingId, issued }: { outgoingId: number; issued: boolean }) {
  const { t } = useTranslation();
  const [rows, setRows] = useState<DispatchStatusView[] | null>(null);
  useEffect(() => {
    if (issued) call('exchange.dispatchStatuses', { id: outgoingId }).then(setRows, reportError);
  }, [outgoingId, issued]);
  if (!issued || !rows || rows.every((r) => r.code === null)) return null;
  return (
    <>
      <h2 className="meta-heading"><Icon name="inbox" /> {t('exchange.dispatchStatuses')}</h2>
      <table className="data-table dispatch-statuses">
        <thead><tr><th scope="col">{t('outgoing.col.recipient')}</th><th scope="col">{t('outgoing.col.status')}</th></tr></thead>
        <tbody>
          {rows.filter((r) => r.code !== null).map((r) => (
            <tr key={r.dispatchId}>
              <td>{r.recipient}</td>
              <td>
                {r.statuses.length === 0 ? <span className="muted">{t('exchange.noStatus')}</span> : (
                  <ul className="exchange-statuses">
                    {r.statuses.map((s, i) => (
                      <li key={i} className={isFailedStatus(s.code) ? 'check-failed' : undefined}>
                        <strong>{s.label}</strong> {t('exchange.statusAt', { time: formatDateTimeVn(s.at ?? s.receivedAt) })}
                        {s.description ? `: ${s.description}` : ''}
                      </li>
                    ))}
                  </ul>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
