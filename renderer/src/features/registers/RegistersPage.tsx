// "Sổ đăng ký": the registers and their numbering scopes. An administrator adds and configures them
// (the core refuses anything that would change a number already given); a văn thư sees them and
// closes a register's year at year end. Below, the year-end closing of the outgoing registers and the
// Sổ theo dõi giải quyết (for whom the core allows: văn thư and lãnh đạo), with the closed years.
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RegisterAdminView, RegisterClosingsOverview, RegistersAdmin, ScopeView } from '../../../../common/contract';
import { formatDateTimeVn, formatDateVn, todayIso, yearOf } from '../../../../common/dates';
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
  const [outputs, setOutputs] = useState<RegisterClosingsOverview | null>(null);
  const [closingOutput, setClosingOutput] = useState<RegisterClosingsOverview['registers'][number] | null>(null);
  const readOnly = useApp((s) => !!s.readOnlyReason);
  // The incoming registers are kept by the văn thư and configured by administrators; a leader sees only the closings below.
  const keepsRegisters = useApp((s) => !!s.session?.rights.includes('doc.register') || !!s.session?.rights.includes('org.manage'));
  // Closing a year freezes its entries as a PDF: for the văn thư, who reads every entry (the core decides again).
  const closesRegisters = useApp((s) => !!s.session?.rights.includes('doc.register'));

  const load = useCallback(() => {
    if (keepsRegisters) {
      call('registers.admin', {}).then(
        (d) => {
          setData(d);
          setError(null);
        },
        (err: unknown) => setError(errorText(asDeskError(err))),
      );
    }
    call('registerClosings.overview', {}).then(setOutputs, (err: unknown) => setError(errorText(asDeskError(err))));
  }, [keepsRegisters]);
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
        {!data && !outputs && !error && <p className="muted"><Spinner /> {t('app.loading')}</p>}
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
                      <td>
                        {r.closings.length > 0 ? (
                          <ul className="closed-years">
                            {r.closings.map((c) => (
                              <li key={c.year} title={c.pdfSha256 ? `SHA-256 ${c.pdfSha256}` : undefined}>
                                <span className="cap cap-closed">{c.year}</span>{' '}
                                <span className="muted small">{t('registers.closedShort', { time: formatDateTimeVn(c.closedAt), person: c.closedBy })}{c.rows !== null ? ` · ${t('registers.rows', { count: c.rows })}` : ''}</span>
                              </li>
                            ))}
                          </ul>
                        ) : <span className="muted">{t('registers.noneClosed')}</span>}
                      </td>
                      <td className="actions-cell">
                        {configure && (
                          <button type="button" className="button" onClick={() => setEditing(r)}>{t('registers.edit')}</button>
                        )}{' '}
                        {/* A secret register's year is closed under "Sổ bí mật nhà nước", after its PDF. */}
                        {closesRegisters && !readOnly && r.active && r.secrecy.includes('thuong') && (
                          <button type="button" className="button" onClick={() => setClosing(r)}>{t('registers.closeYear')}</button>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>

          </>
        )}
        {outputs && outputs.registers.length > 0 && (
          <>
            <h2 className="admin-heading" id="register-closings-title">{t('registers.outputsTitle')}</h2>
            <p className="section-lead">{t('registers.outputsLead')}</p>
            <table className="data-table register-closings-table" aria-labelledby="register-closings-title">
              <thead>
                <tr>
                  <th>{t('registers.outCol.name')}</th>
                  <th>{t('registers.outCol.closed')}</th>
                  <th aria-label={t('registers.col.actions')} />
                </tr>
              </thead>
              <tbody>
                {outputs.registers.map((r) => (
                  <tr key={r.kind} data-kind={r.kind}>
                    <td className="strong">{r.name}</td>
                    <td>
                      {r.closings.length > 0 ? (
                        <ul className="closed-years">
                          {r.closings.map((c) => (
                            <li key={c.year} title={`SHA-256 ${c.pdfSha256}`}>
                              <span className="cap cap-closed">{c.year}</span>{' '}
                              <span className="muted small">{t('registers.closedShort', { time: formatDateTimeVn(c.closedAt), person: c.closedBy })} · {t('registers.rows', { count: c.rows })} · SHA-256 <code>{c.pdfSha256.slice(0, 12)}…</code></span>
                            </li>
                          ))}
                        </ul>
                      ) : <span className="muted">{t('registers.noneClosed')}</span>}
                    </td>
                    <td className="actions-cell">
                      {r.mayClose && !readOnly
                        ? <button type="button" className="button" onClick={() => setClosingOutput(r)}>{t('registers.closeYear')}</button>
                        : <span className="muted small">{t('registers.mayNotClose')}</span>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
        {data && (
          <>
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
        <CloseYearDialog name={closing.name} closedYears={closing.closedYears} thisYear={yearOf(todayIso())} onClose={() => setClosing(null)}
          warning={(year) => t('registers.closeWarning', { name: closing.name, year })}
          close={(year) => call('registers.closeYear', { registerId: closing.id, year })}
          onClosed={() => {
            setClosing(null);
            changed();
          }} />
      )}
      {closingOutput && (
        <CloseYearDialog name={closingOutput.name} closedYears={closingOutput.closings.map((c) => c.year)} thisYear={outputs?.thisYear ?? yearOf(todayIso())}
          onClose={() => setClosingOutput(null)}
          warning={(year) => t(`registers.closeEffect.${closingOutput.kind}`, { name: closingOutput.name, year })}
          close={(year) => call('registerClosings.close', { kind: closingOutput.kind, year })}
          onClosed={() => {
            setClosingOutput(null);
            load();
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
