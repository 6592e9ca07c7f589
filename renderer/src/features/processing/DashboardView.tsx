// "Tổng hợp": the leader's dashboard. Directions awaited, work in hand and overdue, by unit and by
// handler, as figures, two bar charts (Chart.js on a canvas: no inline styles, so the strict CSP
// holds) and the same numbers in tables. Every figure, bar and number opens its list.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import type { ProcessingDashboard, ProcessingDashboardRow } from '../../../../common/contract';
import type { Tracked } from '../../../../common/processing';
import { Spinner } from '../../components/Icon';
import { errorText } from '../../i18n/errors';
import { asDeskError, call } from '../../ipc/call';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

/** What a click on the dashboard asks the list for. */
export interface TrackedFilter { tracked: Tracked; userId?: number; unitId?: number; label: string }

const OPEN_COLOR = '#3a6ea5';
const OVERDUE_COLOR = '#c0392b';

function BarChart({ rows, label, onPick, name }: { rows: ProcessingDashboardRow[]; label: string; name(r: ProcessingDashboardRow): string; onPick(r: ProcessingDashboardRow, overdue: boolean): void }) {
  const { t } = useTranslation();
  const canvas = useRef<HTMLCanvasElement>(null);
  const pick = useRef(onPick);
  pick.current = onPick;
  useEffect(() => {
    if (!canvas.current) return;
    const shown = rows.slice(0, 12);
    const chart = new Chart(canvas.current, {
      type: 'bar',
      data: {
        labels: shown.map(name),
        datasets: [
          { label: t('processing.dashboard.inHand'), data: shown.map((r) => r.open - r.overdue), backgroundColor: OPEN_COLOR, stack: 'work' },
          { label: t('processing.dashboard.overdue'), data: shown.map((r) => r.overdue), backgroundColor: OVERDUE_COLOR, stack: 'work' },
        ],
      },
      options: {
        indexAxis: 'y',
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: { x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } }, y: { stacked: true } },
        plugins: { legend: { position: 'bottom' } },
        onClick: (_e, elements) => {
          const el = elements[0];
          const row = el ? shown[el.index] : undefined;
          if (row) pick.current(row, el!.datasetIndex === 1);
        },
      },
    });
    return () => chart.destroy();
  }, [rows, name, t]);
  return (
    <div className="dashboard-chart">
      <canvas ref={canvas} role="img" aria-label={label} style={{ height: `${Math.max(3, Math.min(rows.length, 12)) * 34 + 60}px` }} />
    </div>
  );
}

function FigureTable({ caption, rows, name, onPick, overdueColumn = true }: {
  caption: string; rows: ProcessingDashboardRow[]; name(r: ProcessingDashboardRow): string; onPick(r: ProcessingDashboardRow, overdue: boolean): void; overdueColumn?: boolean;
}) {
  const { t } = useTranslation();
  return (
    <table className="data-table compact dashboard-table">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th>{t('processing.dashboard.name')}</th>
          <th className="num">{t('processing.dashboard.open')}</th>
          {overdueColumn && <th className="num">{t('processing.dashboard.overdue')}</th>}
          <th className="num">{t('processing.dashboard.dueSoon')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={String(r.id)}>
            <td>{name(r)}{r.detail && <span className="muted"> · {r.detail}</span>}</td>
            <td className="num"><button type="button" className="link-button" onClick={() => onPick(r, false)}>{r.open}</button></td>
            {overdueColumn && (
              <td className="num">{r.overdue > 0 ? <button type="button" className="link-button overdue" onClick={() => onPick(r, true)}>{r.overdue}</button> : 0}</td>
            )}
            <td className="num">{r.dueSoon}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function DashboardView({ onPick }: { onPick(filter: TrackedFilter): void }) {
  const { t } = useTranslation();
  const [data, setData] = useState<ProcessingDashboard | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    call('processing.dashboard', {}).then((d) => live && setData(d), (err: unknown) => live && setError(errorText(asDeskError(err))));
    return () => {
      live = false;
    };
  }, []);
  if (error) return <div className="form-error" role="alert">{error}</div>;
  if (!data) return <p className="muted"><Spinner /> {t('app.loading')}</p>;

  const unitName = (r: ProcessingDashboardRow) => r.name || t('processing.dashboard.noUnit');
  const personName = (r: ProcessingDashboardRow) => r.name;
  const pickUnit = (r: ProcessingDashboardRow, overdue: boolean) => onPick({ tracked: overdue ? 'overdue' : 'open', ...(r.id !== null ? { unitId: r.id } : {}), label: unitName(r) });
  const pickHandler = (r: ProcessingDashboardRow, overdue: boolean) => onPick({ tracked: overdue ? 'overdue' : 'open', ...(r.id !== null ? { userId: r.id } : {}), label: r.name });
  const pickLeader = (r: ProcessingDashboardRow) => onPick({ tracked: 'opinion', ...(r.id !== null ? { userId: r.id } : {}), label: r.name });
  const figures: Array<{ key: string; value: number; tone?: string; pick(): void }> = [
    { key: 'opinion', value: data.totals.opinion, pick: () => onPick({ tracked: 'opinion', label: t('processing.dashboard.figure.opinion') }) },
    { key: 'open', value: data.totals.open, pick: () => onPick({ tracked: 'open', label: t('processing.dashboard.figure.open') }) },
    { key: 'overdue', value: data.totals.overdue, tone: data.totals.overdue > 0 ? 'is-overdue' : '', pick: () => onPick({ tracked: 'overdue', label: t('processing.dashboard.figure.overdue') }) },
    { key: 'unassigned', value: data.totals.unassigned, pick: () => onPick({ tracked: 'unassigned', label: t('processing.dashboard.figure.unassigned') }) },
  ];
  return (
    <div className="dashboard">
      <div className="dashboard-figures">
        {figures.map((f) => (
          <button key={f.key} type="button" className={`dashboard-figure ${f.tone ?? ''}`} onClick={f.pick}>
            <span className="figure-value">{f.value}</span>
            <span className="figure-label">{t(`processing.dashboard.figure.${f.key}`)}</span>
          </button>
        ))}
      </div>
      {data.totals.open + data.totals.opinion === 0 && <p className="muted">{t('processing.dashboard.empty')}</p>}
      <div className="dashboard-grid">
        {data.units.length > 0 && (
          <section aria-labelledby="dash-units">
            <h2 id="dash-units">{t('processing.dashboard.byUnit')}</h2>
            <BarChart rows={data.units} name={unitName} label={t('processing.dashboard.byUnit')} onPick={pickUnit} />
            <FigureTable caption={t('processing.dashboard.byUnit')} rows={data.units} name={unitName} onPick={pickUnit} />
          </section>
        )}
        {data.handlers.length > 0 && (
          <section aria-labelledby="dash-handlers">
            <h2 id="dash-handlers">{t('processing.dashboard.byHandler')}</h2>
            <BarChart rows={data.handlers} name={personName} label={t('processing.dashboard.byHandler')} onPick={pickHandler} />
            <FigureTable caption={t('processing.dashboard.byHandler')} rows={data.handlers} name={personName} onPick={pickHandler} />
          </section>
        )}
        {data.leaders.length > 0 && (
          <section aria-labelledby="dash-leaders">
            <h2 id="dash-leaders">{t('processing.dashboard.byLeader')}</h2>
            <FigureTable caption={t('processing.dashboard.byLeader')} rows={data.leaders} name={personName} onPick={(r) => pickLeader(r)} overdueColumn={false} />
          </section>
        )}
      </div>
    </div>
  );
}
