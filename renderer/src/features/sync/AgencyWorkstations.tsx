// "Máy trạm của cơ quan", for administrators on the sync page: the agency's workstations as its server
// knows them (last person, last contact, declared lost or not), and declaring one lost for good (stolen,
// disk destroyed) with a required reason, after saying what it does. The core checks the right and the
// server the administrator's role; this screen only offers the action. Also from here: making a
// workstation the home of a register (the one that numbers it alone while the server is out of reach),
// with a required reason (docs/server.md, "Moving a register's home").
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AgencyWorkstationView } from '../../../../common/contract';
import { FormDialog, useSubmit } from '../../components/FormDialog';
import { Icon, Spinner } from '../../components/Icon';
import { errorText } from '../../i18n/errors';
import { asDeskError, call } from '../../ipc/call';
import { formatDateTimeVn } from '../../lib/format';
import { toast } from '../../stores/toasts';

export function AgencyWorkstations() {
  const { t } = useTranslation();
  const [rows, setRows] = useState<AgencyWorkstationView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [declaring, setDeclaring] = useState<AgencyWorkstationView | null>(null);
  const [homing, setHoming] = useState<AgencyWorkstationView | null>(null);

  const load = useCallback(() => {
    setLoading(true);
    call('sync.workstations', {})
      .then((r) => { setRows(r); setError(null); }, (e: unknown) => setError(errorText(asDeskError(e))))
      .finally(() => setLoading(false));
  }, []);
  useEffect(load, [load]);

  return (
    <section className="agency-workstations" aria-labelledby="agency-ws-title">
      <div className="agency-ws-header">
        <h2 id="agency-ws-title">{t('sync.ws.title')}</h2>
        <button type="button" className="button" onClick={load} disabled={loading}>
          {loading ? <Spinner /> : <Icon name="refresh" />} {t('sync.ws.refresh')}
        </button>
      </div>
      <p className="muted">{t('sync.ws.help')}</p>
      {error && <p className="sync-error" role="alert">{error}</p>}
      {rows && (
        <table className="data-table agency-ws-table">
          <thead>
            <tr>
              <th scope="col">{t('sync.ws.id')}</th>
              <th scope="col">{t('sync.ws.lastPerson')}</th>
              <th scope="col">{t('sync.ws.lastSeen')}</th>
              <th scope="col">{t('sync.ws.state')}</th>
              <th scope="col"><span className="visually-hidden">{t('sync.ws.actions')}</span></th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 && <tr><td colSpan={5} className="muted">{t('sync.ws.none')}</td></tr>}
            {rows.map((w) => (
              <tr key={w.id} className={w.lost ? 'agency-ws-lost' : undefined}>
                <th scope="row">
                  <code className="agency-ws-id">{w.id}</code>
                  {w.self && <span className="agency-ws-self"> {t('sync.ws.self')}</span>}
                </th>
                <td>{w.lastPerson ?? <span className="muted">{t('sync.ws.neverSeen')}</span>}</td>
                <td>{w.lastSeen ? formatDateTimeVn(w.lastSeen) : <span className="muted">—</span>}</td>
                <td>
                  {w.lost ? (
                    <span className="sync-error">
                      {t('sync.ws.lostOn', { at: formatDateTimeVn(w.lost.declaredAt), by: w.lost.declaredBy })}
                      <br /><span className="agency-ws-reason">{t('sync.ws.reasonWas', { reason: w.lost.reason })}</span>
                    </span>
                  ) : t('sync.ws.active')}
                </td>
                <td className="agency-ws-action">
                  {!w.lost && (
                    <button type="button" className="button" onClick={() => setHoming(w)} aria-label={t('sync.ws.moveHomeFor', { id: w.id })}>
                      {t('sync.ws.moveHome')}
                    </button>
                  )}
                  {!w.lost && !w.self && (
                    <button type="button" className="button danger" onClick={() => setDeclaring(w)} aria-label={t('sync.ws.declareFor', { id: w.id })}>
                      {t('sync.ws.declare')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {homing && <MoveHome ws={homing} onClose={() => setHoming(null)} />}
      {declaring && <DeclareLost ws={declaring} onClose={() => setDeclaring(null)} onDone={() => { setDeclaring(null); load(); }} />}
    </section>
  );
}

function DeclareLost({ ws, onClose, onDone }: { ws: AgencyWorkstationView; onClose(): void; onDone(): void }) {
  const { t } = useTranslation();
  const { errors, busy, run } = useSubmit();
  const [reason, setReason] = useState('');
  const [tried, setTried] = useState(false);
  const short = reason.trim().length < 5;
  const submit = () => run(short ? { reason: t('sync.ws.reasonRequired') } : {}, async () => {
    const r = await call('sync.declareLost', { workstation: ws.id, reason: reason.trim() });
    toast.success(t('sync.ws.declared', { count: r.released }));
    onDone();
  });
  return (
    <FormDialog id="declare-lost" title={t('sync.ws.confirmTitle')} submit={t('sync.ws.confirm')} danger busy={busy} onClose={onClose}
      onSubmit={() => { setTried(true); void submit(); }}>
      <p>{t('sync.ws.confirmWhich')} <code className="agency-ws-id">{ws.id}</code>{ws.lastPerson ? ` (${t('sync.ws.lastUsedBy', { person: ws.lastPerson })})` : ''}.</p>
      <ul className="agency-ws-consequences">
        <li>{t('sync.ws.consequenceRefused')}</li>
        <li>{t('sync.ws.consequenceReleased')}</li>
        <li>{t('sync.ws.consequenceFinal')}</li>
      </ul>
      <label className="field">
        <span>{t('sync.ws.reason')}</span>
        <textarea className="input" value={reason} onChange={(e) => setReason(e.target.value)} rows={3} maxLength={500} aria-invalid={tried && short} autoFocus />
        {tried && short && <span className="field-error" role="alert">{errors.reason ?? t('sync.ws.reasonRequired')}</span>}
      </label>
      {errors._ && <p className="form-error" role="alert">{errors._}</p>}
    </FormDialog>
  );
}

interface MovableRegister { id: number; name: string }

function MoveHome({ ws, onClose }: { ws: AgencyWorkstationView; onClose(): void }) {
  const { t } = useTranslation();
  const { errors, busy, run } = useSubmit();
  // Every register numbered on a workstation can move: the incoming ones and the outgoing ones.
  const [registers, setRegisters] = useState<{ incoming: MovableRegister[]; outgoing: MovableRegister[] }>({ incoming: [], outgoing: [] });
  const [registerId, setRegisterId] = useState<number | null>(null);
  const [reason, setReason] = useState('');
  const [tried, setTried] = useState(false);
  useEffect(() => {
    let live = true;
    void Promise.all([
      call('registers.admin', {}).then((r) => r.registers.filter((x) => x.active).map(({ id, name }) => ({ id, name })), () => [] as MovableRegister[]),
      call('outgoing.config', {}).then((c) => c.registers.map(({ id, name }) => ({ id, name })), () => [] as MovableRegister[]),
    ]).then(([incoming, outgoing]) => {
      if (!live) return;
      setRegisters({ incoming, outgoing });
      setRegisterId(incoming[0]?.id ?? outgoing[0]?.id ?? null);
    });
    return () => { live = false; };
  }, []);
  const all = [...registers.incoming, ...registers.outgoing];
  const short = reason.trim().length < 5;
  const submit = () => run(short ? { reason: t('sync.ws.moveReasonRequired') } : {}, async () => {
    if (registerId === null) return;
    await call('registers.moveHome', { registerId, workstation: ws.id, reason: reason.trim() });
    toast.success(t('sync.ws.moved', { to: ws.id, register: all.find((r) => r.id === registerId)?.name ?? '' }));
    onClose();
  });
  return (
    <FormDialog id="move-home" title={t('sync.ws.moveTitle')} submit={t('sync.ws.moveConfirm')} busy={busy} onClose={onClose}
      onSubmit={() => { setTried(true); void submit(); }}>
      <p>{t('sync.ws.moveWhich')}: <code className="agency-ws-id">{ws.id}</code>{ws.lastPerson ? ` (${t('sync.ws.lastUsedBy', { person: ws.lastPerson })})` : ''}.</p>
      <label className="field">
        <span>{t('sync.ws.moveRegister')}</span>
        <select className="input" value={registerId ?? ''} onChange={(e) => setRegisterId(Number(e.target.value))}>
          {registers.incoming.length > 0 && (
            <optgroup label={t('sync.ws.moveIncomingRegisters')}>
              {registers.incoming.map((r) => <option key={r.id} value={r.id}>{r.name}</option>)}
            </optgroup>
          )}
          {registers.outgoing.length > 0 && (
            <optgroup label={t('sync.ws.moveOutgoingRegisters')}>
              {registers.outgoing.map((r) => <option key={r.id} value={r.id}>{r.name}</option>)}
            </optgroup>
          )}
        </select>
      </label>
      <ul className="agency-ws-consequences">
        <li>{t('sync.ws.moveConsequenceOffline')}</li>
        <li>{t('sync.ws.moveConsequenceBefore')}</li>
        <li>{t('sync.ws.moveConsequenceAudit')}</li>
      </ul>
      <label className="field">
        <span>{t('sync.ws.moveReason')}</span>
        <textarea className="input" value={reason} onChange={(e) => setReason(e.target.value)} rows={3} maxLength={500} aria-invalid={tried && short} autoFocus />
        {tried && short && <span className="field-error" role="alert">{errors.reason ?? t('sync.ws.moveReasonRequired')}</span>}
      </label>
      {errors._ && <p className="form-error" role="alert">{errors._}</p>}
    </FormDialog>
  );
}
