// "Đơn vị trong cơ quan": the agency's units over time and the people in them. The table lists the
// units (ended ones on request); the panel beside it shows the selected unit: its names through time
// with the decisions, what it came from and became, its people and who may direct, approve and sign
// for it. Administrators rename (dated), merge, split, place people, grant and end authorities and
// import the whole structure from a workbook; every change is made and checked by the core.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AuthorityView, InternalUnitView, OrgStructureView } from '../../../../common/contract';
import { addDaysIso, formatDateVn, todayIso } from '../../../../common/dates';
import { Icon, Spinner } from '../../components/Icon';
import { errorText } from '../../i18n/errors';
import { asDeskError, call, reportError } from '../../ipc/call';
import { useApp, useIsAdmin } from '../../stores/app';
import { toast } from '../../stores/toasts';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { GrantDialog, ImportDialog, MemberDialog, MergeDialog, RenameDialog, SplitDialog, UnitDialog } from './StructureDialogs';
import './structure.css';

type Dialogs =
  | { kind: 'add' } | { kind: 'edit'; unit: InternalUnitView } | { kind: 'rename'; unit: InternalUnitView } | { kind: 'merge'; unit: InternalUnitView }
  | { kind: 'split'; unit: InternalUnitView } | { kind: 'member'; unit: InternalUnitView | null } | { kind: 'grant'; unit: InternalUnitView | null }
  | { kind: 'end'; authority: AuthorityView } | { kind: 'import' } | null;

/** The units in tree order (each under its parent), with their depth. */
function treeOrder(units: InternalUnitView[]): Array<{ unit: InternalUnitView; depth: number }> {
  const ids = new Set(units.map((u) => u.id));
  const children = new Map<number | null, InternalUnitView[]>();
  for (const u of units) {
    const parent = u.parentId !== null && ids.has(u.parentId) ? u.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), u]);
  }
  const out: Array<{ unit: InternalUnitView; depth: number }> = [];
  const walk = (parent: number | null, depth: number) => {
    for (const u of children.get(parent) ?? []) {
      out.push({ unit: u, depth });
      if (depth < 10) walk(u.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

export function StructurePage() {
  const { t } = useTranslation();
  const [data, setData] = useState<OrgStructureView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<number | 'agency'>('agency');
  const [showEnded, setShowEnded] = useState(false);
  const [dialog, setDialog] = useState<Dialogs>(null);
  const readOnly = useApp((s) => !!s.readOnlyReason);
  const configure = useIsAdmin() && !readOnly;

  const load = useCallback(() => {
    call('structure.view', {}).then(
      (v) => {
        setData(v);
        setError(null);
      },
      (err: unknown) => setError(errorText(asDeskError(err))),
    );
  }, []);
  useEffect(load, [load]);

  const rows = useMemo(() => (data ? treeOrder(data.units.filter((u) => u.active || showEnded)) : []), [data, showEnded]);
  const unit = data && selected !== 'agency' ? data.units.find((u) => u.id === selected) ?? null : null;
  const nameOf = (id: number | null) => (id === null ? '' : data?.units.find((u) => u.id === id)?.name ?? '');
  const done = (v: OrgStructureView, message: string) => {
    setData(v);
    setDialog(null);
    toast.success(message);
  };

  async function setActive(u: InternalUnitView, active: boolean) {
    try {
      await call('internalUnits.update', { id: u.id, active });
      toast.success(t(active ? 'internalUnits.restarted' : 'internalUnits.stopped', { name: u.name }));
      load();
    } catch (err) {
      reportError(err);
    }
  }

  return (
    <section className="page admin-page structure-page" aria-labelledby="internal-units-title">
      <div className="page-header">
        <h1 id="internal-units-title">{t('internalUnits.title')}</h1>
        <span className="page-count">{data ? t('internalUnits.count', { count: data.units.filter((u) => u.active).length }) : ''}</span>
        <div className="page-actions">
          <label className="checkbox">
            <input type="checkbox" checked={showEnded} onChange={(e) => setShowEnded(e.target.checked)} /> {t('structure.showEnded')}
          </label>
          {configure && (
            <>
              <button type="button" className="button" onClick={() => setDialog({ kind: 'import' })}><Icon name="upload" /> {t('structure.import.button')}</button>
              <button type="button" className="button primary" onClick={() => setDialog({ kind: 'add' })}><Icon name="plus" /> {t('internalUnits.add')}</button>
            </>
          )}
        </div>
      </div>
      <div className="admin-body structure-body">
        {error && <div className="form-error" role="alert">{error}</div>}
        {!data && !error && <p className="muted"><Spinner /> {t('app.loading')}</p>}
        {data && (
          <div className="structure-split">
            <div className="structure-list">
              <table className="data-table">
                <thead>
                  <tr>
                    <th>{t('internalUnits.col.name')}</th>
                    <th>{t('structure.col.code')}</th>
                    <th>{t('internalUnits.col.parent')}</th>
                    <th>{t('structure.col.people')}</th>
                  </tr>
                </thead>
                <tbody>
                  <tr className={selected === 'agency' ? 'is-selected' : undefined} onClick={() => setSelected('agency')}>
                    <td colSpan={4}>
                      <button type="button" className="link-button strong" onClick={() => setSelected('agency')} aria-pressed={selected === 'agency'}>{t('structure.agency')}</button>
                    </td>
                  </tr>
                  {rows.map(({ unit: u, depth }) => (
                    <tr key={u.id} className={[u.active ? '' : 'is-inactive', selected === u.id ? 'is-selected' : ''].join(' ').trim() || undefined} onClick={() => setSelected(u.id)}>
                      <td style={{ paddingLeft: `${0.75 + depth * 1.25}rem` }}>
                        <button type="button" className="link-button strong" aria-pressed={selected === u.id} onClick={() => setSelected(u.id)}>{u.name}</button>
                        {!u.active && <span className="cap cap-no">{u.validTo ? t('structure.endedOn', { date: formatDateVn(u.validTo) }) : t('internalUnits.inactive')}</span>}
                      </td>
                      <td>{u.code || <span className="muted">—</span>}</td>
                      <td>{nameOf(u.parentId) || <span className="muted">—</span>}</td>
                      <td className="num">{data.members.filter((m) => m.unitId === u.id).length || ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {rows.length === 0 && <p className="muted">{t('internalUnits.empty')}</p>}
            </div>
            <UnitPanel data={data} unit={unit} configure={configure} onDialog={setDialog} onActive={(u, a) => void setActive(u, a)} />
          </div>
        )}
      </div>
      {data && dialog?.kind === 'add' && <UnitDialog unit={null} units={data.units} onClose={() => setDialog(null)} onSaved={(name) => { setDialog(null); toast.success(t('internalUnits.saved', { name })); load(); }} />}
      {data && dialog?.kind === 'edit' && <UnitDialog unit={dialog.unit} units={data.units} onClose={() => setDialog(null)} onSaved={(name) => { setDialog(null); toast.success(t('internalUnits.saved', { name })); load(); }} />}
      {dialog?.kind === 'rename' && <RenameDialog unit={dialog.unit} onClose={() => setDialog(null)} onDone={(v, name) => done(v, t('structure.renamed', { name }))} />}
      {data && dialog?.kind === 'merge' && <MergeDialog unit={dialog.unit} units={data.units} onClose={() => setDialog(null)} onDone={(v, id) => { setSelected(id); done(v, t('structure.merged')); }} />}
      {data && dialog?.kind === 'split' && <SplitDialog unit={dialog.unit} members={data.members.filter((m) => m.unitId === dialog.unit.id)} onClose={() => setDialog(null)} onDone={(v) => { setSelected('agency'); done(v, t('structure.splitDone')); }} />}
      {data && dialog?.kind === 'member' && <MemberDialog unit={dialog.unit} data={data} onClose={() => setDialog(null)} onDone={(v) => done(v, t('structure.memberSaved'))} />}
      {data && dialog?.kind === 'grant' && <GrantDialog unit={dialog.unit} data={data} onClose={() => setDialog(null)} onDone={(v) => done(v, t('structure.granted'))} />}
      {dialog?.kind === 'import' && <ImportDialog onClose={() => setDialog(null)} onDone={(v, n) => { setSelected('agency'); done(v, t('structure.import.done', n)); }} />}
      {dialog?.kind === 'end' && (
        <EndAuthority authority={dialog.authority} onClose={() => setDialog(null)} onDone={(v) => done(v, t('structure.authorityEndedToast'))} />
      )}
    </section>
  );
}

function EndAuthority({ authority, onClose, onDone }: { authority: AuthorityView; onClose(): void; onDone(v: OrgStructureView): void }) {
  const { t } = useTranslation();
  const today = todayIso();
  return (
    <ConfirmDialog open title={t('structure.endTitle')} confirmLabel={t('structure.end')} cancelLabel={t('common.cancel')} danger onCancel={onClose}
      onConfirm={() => void call('structure.endAuthority', { id: authority.id, onDate: addDaysIso(today, 1) }).then(onDone, reportError)}>
      <p>{t('structure.endMessage', { name: authority.fullName, kind: t(`structure.kind.${authority.kind}`), date: formatDateVn(today) })}</p>
    </ConfirmDialog>
  );
}

function UnitPanel({ data, unit, configure, onDialog, onActive }: {
  data: OrgStructureView; unit: InternalUnitView | null; configure: boolean; onDialog(d: Dialogs): void; onActive(u: InternalUnitView, active: boolean): void;
}) {
  const { t } = useTranslation();
  const nameOf = (id: number) => data.units.find((u) => u.id === id)?.name ?? '';
  const history = unit ? data.history.find((h) => h.unitId === unit.id) : undefined;
  const members = data.members.filter((m) => m.unitId === (unit?.id ?? null));
  const authorities = data.authorities.filter((a) => a.unitId === (unit?.id ?? null));
  const title = unit ? unit.name : t('structure.agency');
  const period = unit && (unit.validFrom || unit.validTo)
    ? t(unit.validTo ? 'structure.periodBoth' : 'structure.periodFrom', { from: unit.validFrom ? formatDateVn(unit.validFrom) : '…', to: formatDateVn(unit.validTo) })
    : '';
  return (
    <aside className="structure-panel" aria-labelledby="structure-panel-title">
      <div className="structure-panel-head">
        <h2 id="structure-panel-title">{title}</h2>
        {unit?.code && <span className="cap">{unit.code}</span>}
        {period && <span className="muted">{period}</span>}
      </div>
      {unit && configure && unit.active && (
        <div className="structure-actions">
          <button type="button" className="button" onClick={() => onDialog({ kind: 'edit', unit })}>{t('registers.edit')}</button>
          <button type="button" className="button" onClick={() => onDialog({ kind: 'rename', unit })}>{t('structure.rename')}</button>
          <button type="button" className="button" onClick={() => onDialog({ kind: 'merge', unit })}>{t('structure.merge')}</button>
          <button type="button" className="button" onClick={() => onDialog({ kind: 'split', unit })}>{t('structure.split')}</button>
          <button type="button" className="button" onClick={() => onActive(unit, false)}>{t('internalUnits.stop')}</button>
        </div>
      )}
      {unit && configure && !unit.active && !unit.validTo && (
        <div className="structure-actions"><button type="button" className="button" onClick={() => onActive(unit, true)}>{t('internalUnits.restart')}</button></div>
      )}
      {!unit && <p className="section-lead">{t('structure.agencyLead')}</p>}

      {history && (history.names.length > 1 || history.predecessors.length > 0 || history.successors.length > 0) && (
        <section aria-label={t('structure.history')}>
          <h3>{t('structure.history')}</h3>
          <ol className="structure-history">
            {history.names.map((n, i) => (
              <li key={i}>
                <span className="strong">{n.name}</span>{n.code && <span className="cap">{n.code}</span>}{' '}
                <span className="muted">{t(n.validTo ? 'structure.periodBoth' : 'structure.periodFrom', { from: n.validFrom ? formatDateVn(n.validFrom) : '…', to: formatDateVn(n.validTo) })}</span>
                {n.decision && <span className="muted"> · {n.decision}</span>}
              </li>
            ))}
            {history.predecessors.map((l, i) => (
              <li key={`p${i}`}>{t(`structure.from.${l.kind}`, { name: nameOf(l.unitId), date: formatDateVn(l.onDate) })}{l.decision && <span className="muted"> · {l.decision}</span>}</li>
            ))}
            {history.successors.map((l, i) => (
              <li key={`s${i}`}>{t(`structure.to.${l.kind}`, { name: nameOf(l.unitId), date: formatDateVn(l.onDate) })}{l.decision && <span className="muted"> · {l.decision}</span>}</li>
            ))}
          </ol>
        </section>
      )}

      <section aria-labelledby="structure-people">
        <div className="structure-section-head">
          <h3 id="structure-people">{unit ? t('structure.people') : t('structure.unplaced')}</h3>
          {configure && (unit === null || unit.active) && <button type="button" className="button small" onClick={() => onDialog({ kind: 'member', unit })}>{t('structure.place')}</button>}
        </div>
        {members.length === 0 ? <p className="muted">{t('structure.noPeople')}</p> : (
          <table className="data-table compact">
            <thead><tr><th>{t('structure.col.fullName')}</th><th>{t('structure.col.position')}</th><th>{t('structure.col.capacity')}</th></tr></thead>
            <tbody>
              {members.map((m) => (
                <tr key={m.userId}><td>{m.fullName}</td><td>{m.position}</td><td>{t(`structure.capacity.${m.unitRole}`)}</td></tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section aria-labelledby="structure-authorities">
        <div className="structure-section-head">
          <h3 id="structure-authorities">{unit ? t('structure.authorities') : t('structure.agencyAuthorities')}</h3>
          {configure && (unit === null || unit.active) && <button type="button" className="button small" onClick={() => onDialog({ kind: 'grant', unit })}>{t('structure.grant')}</button>}
        </div>
        {authorities.length === 0 ? <p className="muted">{t('structure.noAuthorities')}</p> : (
          <table className="data-table compact">
            <thead><tr><th>{t('structure.col.fullName')}</th><th>{t('structure.col.kind')}</th><th>{t('structure.col.period')}</th><th aria-label={t('registers.col.actions')} /></tr></thead>
            <tbody>
              {authorities.map((a) => {
                const ended = a.withdrawn || (a.validTo !== null && a.validTo < todayIso());
                return (
                  <tr key={a.id} className={ended ? 'is-inactive' : undefined}>
                    <td>{a.fullName}</td>
                    <td>{t(`structure.kind.${a.kind}`)}{a.prefix && <span className="muted"> · {a.prefix} {a.onBehalf}</span>}</td>
                    <td>{a.withdrawn ? t('structure.withdrawn') : t(a.validTo ? 'structure.periodBoth' : 'structure.periodFrom', { from: formatDateVn(a.validFrom), to: formatDateVn(a.validTo) })}</td>
                    <td className="actions-cell">{configure && !ended && a.validTo === null && !a.withdrawn && <button type="button" className="button small" onClick={() => onDialog({ kind: 'end', authority: a })}>{t('structure.end')}</button>}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>
    </aside>
  );
}
