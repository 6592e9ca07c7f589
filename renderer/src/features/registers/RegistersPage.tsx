// "Sổ đăng ký": the registers and their numbering scopes. An administrator adds and configures them
// (the core refuses anything that would change a number already given); a văn thư sees them and
// closes a register's year at year end.
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RegisterAdminView, RegistersAdmin, ScopeView } from '../../../../common/contract';
import { formatDateVn, todayIso, yearOf } from '../../../../common/dates';
import { Icon, Spinner } from '../../components/Icon';
import { SecrecyBadge } from '../../components/Secrecy';
import { errorText } from '../../i18n/errors';
import { asDeskError, call } from '../../ipc/call';
import { formatNumber } from '../../lib/format';
import { useApp } from '../../stores/app';
import { useIncoming } from '../../stores/incoming';
import { CloseYearDialog, RegisterFormDialog, ScopeFormDialog } from './RegisterDialogs';

export function RegistersPage() {
  const { t } = useTranslation();
  const [data, setData] = useState<RegistersAdmin | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<RegisterAdminView | 'new' | null>(null);
  const [scopeEditing, setScopeEditing] = useState<ScopeView | 'new' | null>(null);
  const [closing, setClosing] = useState<RegisterAdminView | null>(null);
  const readOnly = useApp((s) => !!s.readOnlyReason);

  const load = useCallback(() => {
    call('registers.admin', {}).then(
      (d) => {
        setData(d);
        setError(null);
      },
      (err: unknown) => setError(errorText(asDeskError(err))),
    );
  }, []);
  useEffect(load, [load]);

  // The register list and the form read the registers again after a change.
  const changed = () => {
    load();
    useIncoming.setState({ registers: null });
    void useIncoming.getState().loadRegisters();
  };

  const scopeOf = (id: number) => data?.scopes.find((s) => s.id === id);
  const configure = !!data?.canConfigure && !readOnly;

  return (
    <section className="page admin-page" aria-labelledby="registers-title">
      <div className="page-header">
        <h1 id="registers-title">{t('registers.title')}</h1>
        <span className="page-count">{data ? t('registers.count', { count: data.registers.length }) : ''}</span>
        {configure && (
          <div className="page-actions">
            <button type="button" className="button" onClick={() => setScopeEditing('new')}>
              <Icon name="plus" /> {t('registers.addScope')}
            </button>
            <button type="button" className="button primary" onClick={() => setEditing('new')}>
              <Icon name="plus" /> {t('registers.add')}
            </button>
          </div>
        )}
      </div>
      <div className="admin-body">
        <p className="section-lead">{t('registers.lead')}</p>
        {error && <div className="form-error" role="alert">{error}</div>}
        {!data && !error && <p className="muted"><Spinner /> {t('app.loading')}</p>}
        {data && (
          <>
            <table className="data-table registers-table">
              <thead>
                <tr>
                  <th>{t('registers.col.name')}</th>
                  <th>{t('registers.col.secrecy')}</th>
                  <th>{t('registers.col.scope')}</th>
                  <th>{t('registers.col.entries')}</th>
                  <th>{t('registers.col.closed')}</th>
                  <th aria-label={t('registers.col.actions')} />
                </tr>
              </thead>
              <tbody>
                {data.registers.map((r) => {
                  const scope = scopeOf(r.scopeId);
                  return (
                    <tr key={r.id} className={r.active ? undefined : 'is-inactive'}>
                      <td>
                        <span className="strong">{r.name}</span>
                        {!r.active && <span className="cap cap-no">{t('registers.inactive')}</span>}
                      </td>
                      <td><span className="badge-row">{r.secrecy.map((s) => <SecrecyBadge key={s} level={s} />)}</span></td>
                      <td>
                        {scope ? (
                          <>
                            <span>{scope.name}</span>
                            <span className="block muted small">{ruleText(t, scope)}</span>
                          </>
                        ) : '—'}
                      </td>
                      <td className="num">{formatNumber(r.entries)}</td>
                      <td>{r.closedYears.length > 0 ? r.closedYears.join(', ') : <span className="muted">{t('registers.noneClosed')}</span>}</td>
                      <td className="actions-cell">
                        {configure && (
                          <button type="button" className="button" onClick={() => setEditing(r)}>{t('registers.edit')}</button>
                        )}{' '}
                        {/* A secret register's year is closed under "Sổ bí mật nhà nước", after its PDF. */}
                        {!readOnly && r.active && r.secrecy.includes('thuong') && (
                          <button type="button" className="button" onClick={() => setClosing(r)}>{t('registers.closeYear')}</button>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>

            <h2 className="admin-heading">{t('registers.scopesTitle')}</h2>
            <p className="section-lead">{t('registers.scopesLead')}</p>
            <table className="data-table scopes-table">
              <thead>
                <tr>
                  <th>{t('registers.scopeCol.name')}</th>
                  <th>{t('registers.scopeCol.rule')}</th>
                  <th>{t('registers.scopeCol.period')}</th>
                  <th>{t('registers.scopeCol.last')}</th>
                  <th aria-label={t('registers.col.actions')} />
                </tr>
              </thead>
              <tbody>
                {data.scopes.map((s) => (
                  <tr key={s.id}>
                    <td className="strong">{s.name}</td>
                    <td>{ruleText(t, s)}</td>
                    <td>{periodText(t, s.currentPeriod)}</td>
                    <td className="num">{s.lastNumber === 0 ? <span className="muted">{t('registers.noNumber')}</span> : formatNumber(s.lastNumber)}</td>
                    <td className="actions-cell">
                      {configure && <button type="button" className="button" onClick={() => setScopeEditing(s)}>{t('registers.edit')}</button>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </div>
      {data && editing && (
        <RegisterFormDialog register={editing === 'new' ? null : editing} scopes={data.scopes} onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            changed();
          }} />
      )}
      {data && scopeEditing && (
        <ScopeFormDialog scope={scopeEditing === 'new' ? null : scopeEditing} onClose={() => setScopeEditing(null)}
          onSaved={() => {
            setScopeEditing(null);
            changed();
          }} />
      )}
      {closing && (
        <CloseYearDialog register={closing} thisYear={yearOf(todayIso())} onClose={() => setClosing(null)}
          onClosed={() => {
            setClosing(null);
            changed();
          }} />
      )}
    </section>
  );
}

type T = ReturnType<typeof useTranslation>['t'];

/** "Hằng năm, một dãy cho mọi loại" / "Theo nhiệm kỳ 5 năm từ 15/10/2025, mỗi loại một dãy". */
export function ruleText(t: T, s: Pick<ScopeView, 'reset' | 'perType' | 'termStart' | 'termYears'>): string {
  const reset = s.reset === 'term'
    ? t('registers.rule.term', { years: s.termYears, start: formatDateVn(s.termStart) })
    : t(`registers.rule.${s.reset}`);
  return `${reset}, ${t(s.perType ? 'registers.rule.perType' : 'registers.rule.shared')}`;
}

function periodText(t: T, period: string): string {
  if (period === 'all') return t('registers.period.all');
  if (period.startsWith('term:')) return t('registers.period.term', { start: formatDateVn(period.slice(5)) });
  return t('registers.period.year', { year: period });
}
