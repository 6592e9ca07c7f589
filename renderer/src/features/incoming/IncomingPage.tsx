// "Sổ văn bản đến": search, filters, the virtualized register, and the way to register a new one.
import { useEffect, useMemo, useRef, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import {
  DEADLINE_FILTERS, INCOMING_STATUSES, SECRECY_LEVELS, URGENCY_LEVELS,
  type DeadlineFilter, type IncomingStatus, type Secrecy, type Urgency,
} from '../../../../common/domain';
import { todayIso, yearOf } from '../../../../common/dates';
import { Icon, Spinner } from '../../components/Icon';
import { useLabels } from '../../i18n/labels';
import { formatNumber } from '../../lib/format';
import { useDebounced } from '../../lib/useDebounced';
import { useCanRegister } from '../../stores/app';
import { filterInput, hasFilters, useIncoming } from '../../stores/incoming';
import { setFindHandler } from '../../stores/nav';
import { useRegisterDraft } from '../../stores/registerDraft';
import { IncomingTable } from './IncomingTable';
import { useIncomingRows } from './useIncomingRows';

const SEARCH_DEBOUNCE_MS = 200;

export function IncomingPage({ hidden }: { hidden: boolean }) {
  const { t } = useTranslation();
  const filters = useIncoming((s) => s.filters);
  const query = useIncoming((s) => s.query);
  const sort = useIncoming((s) => s.sort);
  const version = useIncoming((s) => s.version);
  const clearFilters = useIncoming((s) => s.clearFilters);
  const settledQuery = useDebounced(query, SEARCH_DEBOUNCE_MS);
  const filter = useMemo(() => filterInput(filters, settledQuery), [filters, settledQuery]);
  const rows = useIncomingRows(filter, sort, version);
  const searchRef = useRef<HTMLInputElement>(null);
  const canRegister = useCanRegister();
  const openDialog = useRegisterDraft((s) => s.openDialog);
  const hasDraft = useRegisterDraft((s) => s.draft.files.length > 0 || s.draft.numberSymbol !== '' || s.draft.issuerName !== '');

  useEffect(() => {
    if (hidden) return;
    return setFindHandler(() => {
      searchRef.current?.focus();
      searchRef.current?.select();
    });
  }, [hidden]);

  // Worded after the rows on screen, not after what is being typed.
  const filtered = rows.filtered;
  const countText =
    rows.total === null
      ? ''
      : rows.capped
        ? t('incoming.countCapped', { count: formatNumber(rows.total) })
        : filtered && rows.total === 0
          ? t('incoming.countNone')
          : filtered
          ? t('incoming.countFound', { count: rows.total, formatted: formatNumber(rows.total) })
          : t('incoming.countAll', { count: rows.total, formatted: formatNumber(rows.total) });

  return (
    <section className="page incoming-page" hidden={hidden} aria-labelledby="incoming-title">
      <div className="page-header">
        <h1 id="incoming-title">{t('incoming.title')}</h1>
        <span className="page-count" aria-live="polite">
          {countText} {rows.refreshing && rows.total !== null && <Spinner />}
        </span>
        {hasFilters(filters, query) && (
          <button type="button" className="link-button clear-filters" onClick={clearFilters}>
            {t('incoming.clearFilters')}
          </button>
        )}
        <div className="page-actions">
          {canRegister && (
            <button type="button" className="button primary" onClick={openDialog} title={t('incoming.registerTooltip')}>
              <Icon name="plus" /> {hasDraft ? t('incoming.continueDraft') : t('incoming.register')}
              <kbd className="button-kbd">Ctrl+N</kbd>
            </button>
          )}
        </div>
      </div>
      <Filters searchRef={searchRef} />
      {rows.error ? (
        <div className="empty-state" role="alert">
          <Icon name="alert" />
          <p>{rows.error}</p>
        </div>
      ) : (
        <IncomingTable rows={rows} filtered={filtered} active={!hidden} />
      )}
    </section>
  );
}

function Filters({ searchRef }: { searchRef: RefObject<HTMLInputElement | null> }) {
  const { t } = useTranslation();
  const labels = useLabels();
  const { filters, query, registers, setFilter, setQuery } = useIncoming();
  const thisYear = yearOf(todayIso());
  const years = Array.from({ length: 10 }, (_, i) => thisYear - i);

  return (
    <div className="filter-bar" role="search" aria-label={t('incoming.filtersLabel')}>
      <div className="search-box">
        <Icon name="search" />
        <input
          ref={searchRef}
          type="search"
          className="input"
          aria-label={t('incoming.searchLabel')}
          title={t('incoming.searchTooltip')}
          placeholder={t('incoming.searchPlaceholder')}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape' && query) {
              e.preventDefault();
              setQuery('');
            } else if (e.key === 'ArrowDown') {
              e.preventDefault();
              document.getElementById('incoming-grid')?.focus();
            }
          }}
        />
      </div>
      <FilterSelect id="f-year" label={t('incoming.filters.year')} value={filters.year === null ? '' : String(filters.year)}
        onChange={(v) => setFilter('year', v ? Number(v) : null)}
        options={years.map((y) => [String(y), String(y)])} />
      {registers && registers.length > 1 && (
        <FilterSelect id="f-register" label={t('incoming.filters.register')} value={filters.registerId === null ? '' : String(filters.registerId)}
          onChange={(v) => setFilter('registerId', v ? Number(v) : null)}
          options={registers.map((r) => [String(r.id), r.name])} />
      )}
      <FilterSelect id="f-secrecy" label={t('incoming.filters.secrecy')} value={filters.secrecy ?? ''}
        onChange={(v) => setFilter('secrecy', (v || null) as Secrecy | null)}
        options={SECRECY_LEVELS.map((s) => [s, labels.secrecy(s)])} />
      <FilterSelect id="f-urgency" label={t('incoming.filters.urgency')} value={filters.urgency ?? ''}
        onChange={(v) => setFilter('urgency', (v || null) as Urgency | null)}
        options={URGENCY_LEVELS.map((u) => [u, labels.urgency(u)])} />
      <FilterSelect id="f-status" label={t('incoming.filters.status')} value={filters.status ?? ''}
        onChange={(v) => setFilter('status', (v || null) as IncomingStatus | null)}
        options={INCOMING_STATUSES.map((s) => [s, labels.status(s)])} />
      <FilterSelect id="f-deadline" label={t('incoming.filters.deadline')} value={filters.deadline ?? ''}
        onChange={(v) => setFilter('deadline', (v || null) as DeadlineFilter | null)}
        options={DEADLINE_FILTERS.map((d) => [d, labels.deadline(d)])} />
      <FilterSelect id="f-number" label={t('incoming.filters.number')} value={filters.awaitingNumber ? 'awaiting' : ''}
        onChange={(v) => setFilter('awaitingNumber', v === 'awaiting' ? true : null)}
        options={[['awaiting', t('incoming.awaitingNumber')]]} />
    </div>
  );
}

function FilterSelect({ id, label, value, onChange, options }: {
  id: string;
  label: string;
  value: string;
  onChange(v: string): void;
  options: Array<[string, string]>;
}) {
  const { t } = useTranslation();
  return (
    <div className={value ? 'filter is-set' : 'filter'}>
      <label htmlFor={id}>{label}</label>
      <select id={id} className="input" value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">{t('incoming.filters.all')}</option>
        {options.map(([v, l]) => (
          <option key={v} value={v}>{l}</option>
        ))}
      </select>
    </div>
  );
}
