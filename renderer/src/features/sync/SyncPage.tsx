// "Đồng bộ": this workstation's sync with the agency server, as a person or IT would check it: which
// server (from the machine configuration), the last contact and error, what waits to be sent, what
// was received and waits for what it refers to, and what a rule set aside, with the reason. A round
// can be asked for at once; otherwise it runs on its own every few seconds while someone is signed in.
// The văn thư (who sends and receives packets between agencies) sees the exchange too: her outbox of
// packets with recipient and document (no subject above her clearance: the core leaves it out), what
// came in and waits, the last round's figures and what another workstation of the agency took or sent
// first (the records come by sync), the refusals, the progress of a long transfer, and the outgoing numbers the
// register's home gave offline that the server had given another workstation (OutgoingNumberConflicts),
// and the numbers that clashed after the agency server was restored from a backup (RestoreNumberClashes).
// The server's address, the raw error and the agency's workstations (declare one lost: AgencyWorkstations) are the administrator's.
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PacketDocument, SyncPanelView } from '../../../../common/contract';
import { SECRECY_LABELS } from '../../../../common/domain';
import { Icon, Spinner } from '../../components/Icon';
import { call, reportError } from '../../ipc/call';
import { formatDateTimeVn, formatSize } from '../../lib/format';
import { useIsAdmin } from '../../stores/app';
import { AgencyWorkstations } from './AgencyWorkstations';
import { HomeMovedNumbers } from './HomeMovedNumbers';
import { RestoreNumberClashes } from './RestoreNumberClashes';
import { OutgoingNumberConflicts } from './OutgoingNumberConflicts';
import './sync.css';

const REFRESH_MS = 5_000;

export function SyncPage() {
  const { t } = useTranslation();
  const [view, setView] = useState<SyncPanelView | null>(null);
  const [busy, setBusy] = useState(false);
  const isAdmin = useIsAdmin();

  const load = useCallback(() => {
    call('sync.status', {}).then(setView, reportError);
  }, []);
  useEffect(() => {
    load();
    const timer = setInterval(load, REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);

  const syncNow = () => {
    setBusy(true);
    call('sync.now', {}).then(setView, reportError).finally(() => setBusy(false));
  };
  const streamName = (s: SyncPanelView['streams'][number]['stream']) => (s === 'base' ? t('sync.base') : SECRECY_LABELS[s]);

  return (
    <section className="page admin-page sync-page" aria-labelledby="sync-title">
      <div className="page-header">
        <h1 id="sync-title">{t('sync.title')}</h1>
        <div className="page-actions">
          <button type="button" className="btn" onClick={syncNow} disabled={busy || !view?.configured}>
            {busy ? <Spinner /> : <Icon name="refresh" />} {t('sync.now')}
          </button>
        </div>
      </div>
      {!view ? <Spinner /> : (
        <div className="admin-body">
          <dl className="sync-summary">
            {isAdmin && (
              <>
                <dt>{t('sync.server')}</dt>
                <dd>{view.server ?? <span className="muted">{t('sync.noServer')}</span>}</dd>
              </>
            )}
            <dt>{t('sync.state')}</dt>
            <dd>{view.configured ? (view.running ? t('sync.running') : t('sync.stopped')) : t('sync.alone')}</dd>
            <dt>{t('sync.lastContact')}</dt>
            <dd>{view.lastContact ? formatDateTimeVn(view.lastContact) : t('sync.never')}</dd>
            <dt>{t('sync.unsent')}</dt>
            <dd>{t('sync.changes', { count: view.unsent })}{view.outbox.batches > 0 ? ` · ${t('sync.batches', { count: view.outbox.batches })}` : ''}</dd>
            {(view.numbers.awaiting > 0 || view.numbers.unreported > 0) && (
              <>
                <dt>{t('sync.numbers')}</dt>
                <dd className="sync-numbers" data-testid="sync-numbers">
                  {view.numbers.awaiting > 0 && <span className="badge warn">{t('sync.awaitingNumbers', { count: view.numbers.awaiting })}</span>}
                  {view.numbers.unreported > 0 && <span className="badge">{t('sync.unreportedNumbers', { count: view.numbers.unreported })}</span>}
                  <div className="muted">{t('sync.numbersHelp')}</div>
                </dd>
              </>
            )}
            {view.restore && (
              <>
                <dt>{t('sync.restore')}</dt>
                <dd className="sync-restore" data-testid="sync-restore">
                  <div>{t('sync.restoreMarked', { at: formatDateTimeVn(view.restore.markedAt), adoptedAt: formatDateTimeVn(view.restore.adoptedAt) })}</div>
                  <div>
                    {view.restore.resending
                      ? (view.restore.resent > 0 ? t('sync.restoreResendingSome', { count: view.restore.resent }) : t('sync.restoreResending'))
                      : (view.restore.resent > 0 ? t('sync.restoreResent', { count: view.restore.resent }) : t('sync.restoreNothingLost'))}
                  </div>
                  {view.restore.numbersPending && <span className="badge warn">{t('sync.restoreNumbersPending')}</span>}
                  <div className="muted">{t('sync.restoreHelp')}</div>
                </dd>
              </>
            )}
            {view.lastErrorVi && (
              <>
                <dt>{t('sync.lastError')}</dt>
                <dd role="alert">
                  <span className="sync-error">{view.lastErrorVi}</span>
                  {view.lastError && <div className="muted sync-error-detail">{t('sync.errorDetail', { error: view.lastError })}</div>}
                </dd>
              </>
            )}
          </dl>
          <table className="data-table sync-streams">
            <caption>{t('sync.streams')}</caption>
            <thead>
              <tr><th scope="col">{t('sync.stream')}</th><th scope="col">{t('sync.toSend')}</th><th scope="col">{t('sync.waiting')}</th><th scope="col">{t('sync.conflicts')}</th></tr>
            </thead>
            <tbody>
              {view.streams.map((s) => (
                <tr key={s.stream}>
                  <th scope="row">{streamName(s.stream)}</th>
                  <td>{s.unsent}</td>
                  <td>{s.waiting}</td>
                  <td className={s.conflicts > 0 ? 'sync-error' : undefined}>{s.conflicts}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {view.conflicts.length > 0 && (
            <div className="sync-conflicts">
              <h2>{t('sync.conflictsTitle')}</h2>
              <p className="muted">{t('sync.conflictsHelp')}</p>
              <ul>
                {view.conflicts.map((c, i) => <li key={i}><strong>{streamName(c.stream)}</strong>: {c.entity}: {c.problem}</li>)}
              </ul>
            </div>
          )}
          <OutgoingNumberConflicts conflicts={view.outgoingNumberConflicts} />
          <HomeMovedNumbers rows={view.homeMovedNumbers} />
          <RestoreNumberClashes rows={view.restoreNumberClashes} />
          {view.packetRefusals.length > 0 && (
            <div className="sync-conflicts sync-refusals" data-testid="sync-refusals">
              <h2>{t('sync.refusalsTitle')}</h2>
              <p className="muted">{t('sync.refusalsHelp')}</p>
              <ul>
                {view.packetRefusals.map((r) => (
                  <li key={r.packetId}>
                    <strong>{r.toName ?? r.to ?? r.packetId}</strong>: <span className="sync-error">{t('sync.refusedBecause', { reason: r.reason })}</span>
                    {r.at && <span className="muted"> · {formatDateTimeVn(r.at)}</span>}
                  </li>
                ))}
              </ul>
            </div>
          )}
          {view.exchange && <ExchangeQueue exchange={view.exchange} />}
          {isAdmin && view.server && <AgencyWorkstations />}
        </div>
      )}
    </section>
  );
}

/** The exchange with other agencies: a transfer under way, what came in and waits, the packets waiting to go out. */
function ExchangeQueue({ exchange }: { exchange: NonNullable<SyncPanelView['exchange']> }) {
  const { t } = useTranslation();
  const { transfer, inbound, outbox, lastRound, sentElsewhere } = exchange;
  const documentText = (o: { status: boolean; document: PacketDocument | null }) => {
    if (o.status) return t('sync.ex.statusPacket');
    if (!o.document) return <span className="muted">{t('sync.ex.docUnknown')}</span>;
    const d = o.document;
    const kind = d.kind === 'document' ? '' : `${t(`sync.ex.kinds.${d.kind}`)}: `;
    const number = d.numberSymbol ? `${d.numberSymbol} · ` : '';
    return d.subject === null
      ? <>{kind}{number}<span className="muted">{t('sync.ex.docHidden', { level: SECRECY_LABELS[d.level] })}</span></>
      : <>{kind}{number}{d.subject} <span className="muted">({SECRECY_LABELS[d.level]})</span></>;
  };
  return (
    <div className="sync-exchange" data-testid="sync-exchange">
      <h2>{t('sync.ex.title')}</h2>
      {transfer && (
        <div className="sync-transfer" aria-live="polite">
          <div>{t('sync.ex.transfer', { to: transfer.to ?? '', sent: formatSize(transfer.sent), total: formatSize(transfer.total) })}</div>
          <progress max={transfer.total} value={transfer.sent} aria-label={t('sync.ex.transferLabel')} />
        </div>
      )}
      <p className="sync-last-round" data-testid="sync-last-round">
        {lastRound
          ? <>
              {t('sync.ex.lastRound', { ...lastRound, at: formatDateTimeVn(lastRound.at) })}
              {lastRound.reopened > 0 && t('sync.ex.lastRoundReopened', { count: lastRound.reopened })}
            </>
          : <span className="muted">{t('sync.ex.noRound')}</span>}
      </p>
      <ul className="sync-inbound">
        <li>{t('sync.ex.toRegister', { count: inbound.toRegister })}</li>
        <li>{t('sync.ex.unopened', { count: inbound.unopened })}</li>
        {exchange.takenElsewhere > 0 && <li data-testid="sync-taken-elsewhere">{t('sync.ex.takenElsewhere', { count: exchange.takenElsewhere })}</li>}
      </ul>
      {sentElsewhere.length > 0 && (
        <div className="sync-sent-elsewhere" data-testid="sync-sent-elsewhere">
          <h3>{t('sync.ex.sentElsewhereTitle', { count: exchange.sentElsewhereTotal })}</h3>
          <p className="muted">{t('sync.ex.sentElsewhereHelp')}</p>
          <ul>
            {sentElsewhere.map((o) => (
              <li key={o.packetId}>
                {documentText(o)} · {o.toName ?? o.to ?? o.packetId}
                {o.at && <span className="muted"> · {t('sync.ex.sentElsewhereAt', { at: formatDateTimeVn(o.at) })}</span>}
              </li>
            ))}
          </ul>
          {exchange.sentElsewhereTotal > sentElsewhere.length && <p className="muted">{t('sync.ex.sentElsewhereMore', { shown: sentElsewhere.length, count: exchange.sentElsewhereTotal })}</p>}
        </div>
      )}
      <h3>{t('sync.ex.outboxTitle', { count: exchange.outboxTotal })}</h3>
      {outbox.length === 0 ? <p className="muted">{t('sync.ex.outboxEmpty')}</p> : (
        <div className="sync-outbox-wrap">
          <table className="data-table sync-outbox">
            <thead>
              <tr>
                <th scope="col">{t('sync.ex.document')}</th><th scope="col">{t('sync.ex.to')}</th>
                <th scope="col">{t('sync.ex.madeAt')}</th><th scope="col">{t('sync.ex.state')}</th>
              </tr>
            </thead>
            <tbody>
              {outbox.map((o) => (
                <tr key={o.packetId}>
                  <th scope="row">{documentText(o)}</th>
                  <td>{o.toName ?? o.to}</td>
                  <td className="sync-nowrap">{formatDateTimeVn(o.madeAt)}</td>
                  <td>
                    {t(`sync.ex.states.${o.state}`)}
                    {o.attempts > 0 && <span className="muted"> · {t('sync.ex.attempts', { count: o.attempts })}</span>}
                    {o.error && <div className="sync-error">{o.error}</div>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {exchange.outboxTotal > outbox.length && <p className="muted">{t('sync.ex.more', { shown: outbox.length, count: exchange.outboxTotal })}</p>}
        </div>
      )}
    </div>
  );
}
