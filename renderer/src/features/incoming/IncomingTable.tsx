// The register as a virtualized grid: only the rows in view (and a few around) exist in the DOM,
// each absolutely placed so a scroll step lays out a handful of rows, not a table; pages of 100
// are fetched as they come into view, so 100 000 rows scroll like 100. Keyboard: ↑ ↓ PgUp PgDn
// Home End move the selection among the rows of the current result, Enter opens it; double-click
// opens too. Columns can be resized and shown or hidden, per person (columnLayout.ts).
import { useVirtualizer } from '@tanstack/react-virtual';
import type { TFunction } from 'i18next';
import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type CSSProperties, type FocusEvent, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { isAwaitingNumber } from './arrivalNumber';
import type { IncomingRow } from '../../../../common/contract';
import { todayIso } from '../../../../common/dates';
import type { IncomingFilter } from '../../../../common/schemas';
import { parseSearchQuery, type SearchQuery } from '../../../../common/searchQuery';
import { Highlight } from '../../components/Highlight';
import { Icon, Spinner } from '../../components/Icon';
import { SecrecyBadge } from '../../components/Secrecy';
import { useLabels, type Labels } from '../../i18n/labels';
import { formatDateVn } from '../../lib/format';
import { useApp, useCanRegister } from '../../stores/app';
import { useIncoming } from '../../stores/incoming';
import { useNav } from '../../stores/nav';
import { useRegisterDraft } from '../../stores/registerDraft';
import { ColumnChooser, ColumnResizer } from './ColumnControls';
import { gridTemplate, useColumnLayout, type ColumnKey } from './columnLayout';
import type { useIncomingRows } from './useIncomingRows';

const ROW_HEIGHT = 32;

export const isOverdue = (row: Pick<IncomingRow, 'deadline' | 'status'>, today: string): boolean =>
  row.deadline !== null && row.deadline < today && row.status !== 'done';

/** Due today and not done: shown with a "Hôm nay" tag, not by colour alone. */
export const isDueToday = (row: Pick<IncomingRow, 'deadline' | 'status'>, today: string): boolean =>
  row.deadline === today && row.status !== 'done';

interface Props {
  rows: ReturnType<typeof useIncomingRows>;
  filtered: boolean;
  /** False while the detail view covers the list (the list stays mounted underneath). */
  active: boolean;
}

export function IncomingTable({ rows, filtered, active }: Props) {
  const { t } = useTranslation();
  const labels = useLabels();
  const scrollRef = useRef<HTMLDivElement>(null);
  const gridRef = useRef<HTMLDivElement>(null);
  const sort = useIncoming((s) => s.sort);
  const toggleSort = useIncoming((s) => s.toggleSort);
  const selectedId = useIncoming((s) => s.selectedId);
  const select = useIncoming((s) => s.select);
  const revealId = useIncoming((s) => s.revealId);
  const revealed = useIncoming((s) => s.revealed);
  const clearFilters = useIncoming((s) => s.clearFilters);
  const openIncoming = useNav((s) => s.openIncoming);
  const canRegister = useCanRegister();
  const openDialog = useRegisterDraft((s) => s.openDialog);
  const { ensure, indexOf, refreshing, revision, queryKey } = rows;
  const total = rows.total ?? 0;
  const today = todayIso();
  // The search the rows shown answer (not what is being typed), for marking its words.
  const hits = useMemo(() => {
    const query = queryKey ? (JSON.parse(queryKey) as [IncomingFilter])[0].query : undefined;
    return query ? parseSearchQuery(query) : null;
  }, [queryKey]);
  const userId = useApp((s) => s.session?.user.id ?? null);
  const [registerWidth, setRegisterWidth] = useState(0);
  const layout = useColumnLayout(userId, registerWidth);
  // Arrival numbers repeat across registers and years: a list that mixes registers says which.
  const mixesRegisters = useIncoming((s) => s.filters.registerId === null && (s.registers?.length ?? 0) > 1);
  const columns = mixesRegisters ? layout.columns : layout.columns.filter((c) => c.key !== 'register');
  const hiddenColumns = mixesRegisters ? layout.columns.filter((c) => !c.shown) : layout.columns.filter((c) => !c.shown || c.key === 'register');
  const { template, minWidth } = gridTemplate(columns);
  const shownCount = columns.filter((c) => c.shown).length;
  const hiddenClasses = hiddenColumns.map((c) => ` hide-${c.key}`).join('');

  // The register's own width decides which columns show by default.
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const measure = () => setRegisterWidth(el.clientWidth);
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items.at(-1)?.index ?? 0;

  useEffect(() => {
    if (total > 0) ensure(first, last);
  }, [first, last, total, revision, ensure]);

  // Another search, filter or sort starts at the top of its results. A selected row that is not
  // among them is let go: Enter must never open a document the list does not show.
  const shownQuery = useRef(queryKey);
  useEffect(() => {
    if (shownQuery.current === queryKey) return;
    shownQuery.current = queryKey;
    virtualizer.scrollToOffset(0);
    const selected = useIncoming.getState().selectedId;
    if (selected !== null && indexOf(selected) < 0) select(null);
  }, [queryKey, virtualizer, indexOf, select]);

  // A new registration: select and show its row once the reloaded list has it.
  useEffect(() => {
    if (revealId === null || refreshing) return;
    const index = indexOf(revealId);
    if (index >= 0) virtualizer.scrollToIndex(index, { align: 'auto' });
    revealed();
  }, [revealId, refreshing, revision, indexOf, virtualizer, revealed]);

  const selectedIndex = selectedId === null ? -1 : indexOf(selectedId);
  // Back from a document: its row is in view and the keyboard goes on from there.
  const wasActive = useRef(active);
  useEffect(() => {
    if (active && !wasActive.current) {
      if (selectedIndex >= 0) virtualizer.scrollToIndex(selectedIndex, { align: 'auto' });
      gridRef.current?.focus({ preventScroll: true });
    }
    wasActive.current = active;
  }, [active, selectedIndex, virtualizer]);

  const onSelect = useCallback(
    (id: number) => {
      select(id);
      gridRef.current?.focus({ preventScroll: true });
    },
    [select],
  );

  const move = (to: number) => {
    if (total === 0) return;
    const index = Math.max(0, Math.min(total - 1, to));
    virtualizer.scrollToIndex(index, { align: 'auto' });
    const row = rows.rowAt(index);
    if (row) select(row.id);
    else {
      // Not loaded yet: load it, then select it.
      rows.ensure(index, index);
      const wait = setInterval(() => {
        const r = rows.rowAt(index);
        if (r) {
          clearInterval(wait);
          select(r.id);
        }
      }, 50);
      setTimeout(() => clearInterval(wait), 5000);
    }
  };

  // Arriving by keyboard (↓ from the search box, Tab) with no row of these results selected: the
  // first row in view is selected, so Enter opens what is seen.
  const onFocus = (e: FocusEvent) => {
    if (e.target !== e.currentTarget || selectedIndex >= 0 || total === 0) return;
    const row = rows.rowAt(Math.min(first, total - 1));
    if (row) select(row.id);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    // Keys on the header's buttons and handles are theirs.
    if (e.target !== e.currentTarget) return;
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 320) / ROW_HEIGHT) - 2);
    const from = selectedIndex < 0 ? first - 1 : selectedIndex;
    switch (e.key) {
      case 'ArrowDown': move(from + 1); break;
      case 'ArrowUp': move(from - 1); break;
      case 'PageDown': move(from + page); break;
      case 'PageUp': move(from - page); break;
      case 'Home': move(0); break;
      case 'End': move(total - 1); break;
      case 'Enter':
        // Only a row of the results on screen (selectedIndex is found among them).
        if (selectedId !== null && selectedIndex >= 0) openIncoming(selectedId);
        break;
      default:
        return;
    }
    e.preventDefault();
  };

  const labelOf = (key: ColumnKey) => t(`incoming.columns.${key}`);
  const empty = rows.total === 0 && !rows.refreshing;

  return (
    <div className="grid-wrap">
      <div className="grid-scroll" ref={scrollRef}>
        <div
          id="incoming-grid"
          ref={gridRef}
          className={`grid${hiddenClasses}`}
          style={{ '--grid-columns': template, minWidth } as CSSProperties}
          role="grid"
          aria-label={t('incoming.title')}
          aria-rowcount={total + 1}
          aria-colcount={shownCount}
          aria-readonly="true"
          aria-busy={rows.refreshing || undefined}
          tabIndex={0}
          aria-activedescendant={selectedId !== null && selectedIndex >= 0 ? `incoming-row-${selectedId}` : undefined}
          onKeyDown={onKeyDown}
          onFocus={onFocus}
        >
          <div className="grid-head" role="rowgroup">
            <div className="grid-row" role="row" aria-rowindex={1}>
              {columns.map((c) => (
                <div key={c.key} role="columnheader" className={`grid-cell ${c.className}`}
                  aria-sort={c.sort && sort.field === c.sort ? (sort.dir === 'asc' ? 'ascending' : 'descending') : undefined}>
                  {c.sort ? (
                    <button type="button" className="sort-button" onClick={() => toggleSort(c.sort!)}
                      title={t('incoming.sortBy', { column: labelOf(c.key) })}>
                      <span className="sort-label">{labelOf(c.key)}</span>
                      {sort.field === c.sort && <Icon name={sort.dir === 'asc' ? 'arrowUp' : 'arrowDown'} />}
                    </button>
                  ) : (
                    <span className="header-label" title={labelOf(c.key)}>{labelOf(c.key)}</span>
                  )}
                  <ColumnResizer column={c} label={labelOf(c.key)} onResize={layout.setWidth} onReset={layout.resetWidth} />
                </div>
              ))}
              <div className="grid-cell col-chooser" role="columnheader" aria-label={t('incoming.columnsMenu')}>
                <ColumnChooser columns={columns} labelOf={labelOf} onShow={layout.setShown} onResetAll={layout.resetAll}
                  customised={layout.customised} />
              </div>
            </div>
          </div>
          <div className="grid-body" role="rowgroup" style={{ height: virtualizer.getTotalSize() }}>
            {items.map((item) => {
              const row = rows.rowAt(item.index);
              // Rows only re-render when their data, their selection or the language changes.
              return row ? (
                <RowView key={row.id} row={row} index={item.index} top={item.start} selected={row.id === selectedId}
                  today={today} labels={labels} t={t} hits={hits} onSelect={onSelect} onOpen={openIncoming} />
              ) : (
                <PendingRow key={`p${item.index}`} index={item.index} top={item.start} />
              );
            })}
          </div>
        </div>
        {rows.total === null && (
          <div className="grid-message">
            <Spinner /> {t('app.loading')}
          </div>
        )}
        {empty && !filtered && (
          <div className="grid-message empty-state">
            <Icon name="inbox" />
            <p className="empty-title">{t('incoming.emptyTitle')}</p>
            <p>{canRegister ? t('incoming.emptyHintRegister') : t('incoming.emptyHint')}</p>
            {canRegister && (
              <button type="button" className="button primary" onClick={openDialog}>
                <Icon name="plus" /> {t('incoming.register')}
              </button>
            )}
          </div>
        )}
        {empty && filtered && (
          <div className="grid-message empty-state">
            <Icon name="search" />
            <p className="empty-title">{t('incoming.noResultsTitle')}</p>
            <p>{t('incoming.noResultsHint')}</p>
            <button type="button" className="button" onClick={clearFilters}>{t('incoming.clearFilters')}</button>
          </div>
        )}
      </div>
    </div>
  );
}

const PendingRow = memo(function PendingRow({ index, top }: { index: number; top: number }) {
  return (
    <div className="grid-row row-pending" role="row" aria-rowindex={index + 2} style={{ transform: `translateY(${top}px)` }}>
      <div className="grid-cell" role="gridcell">
        <span className="skeleton" />
      </div>
    </div>
  );
});

interface RowProps {
  row: IncomingRow;
  index: number;
  top: number;
  selected: boolean;
  today: string;
  labels: Labels;
  t: TFunction;
  hits: SearchQuery | null;
  onSelect(id: number): void;
  onOpen(id: number): void;
}

const RowView = memo(function RowView({ row, index, top, selected, today, labels, t, hits, onSelect, onOpen }: RowProps) {
  const overdue = isOverdue(row, today);
  const dueToday = isDueToday(row, today);
  const topSecret = row.secrecy === 'tuyet_mat';
  return (
    <div
      id={`incoming-row-${row.id}`}
      role="row"
      aria-rowindex={index + 2}
      aria-selected={selected}
      className={selected ? 'grid-row is-selected' : 'grid-row'}
      style={{ transform: `translateY(${top}px)` }}
      onClick={() => onSelect(row.id)}
      onDoubleClick={() => onOpen(row.id)}
    >
      <div role="gridcell" className="grid-cell col-register" title={`${row.registerName} – ${row.year}`}>
        {t('incoming.registerShort', { register: row.registerName, year: row.year, context: registerContext(row.registerName) })}
      </div>
      {isAwaitingNumber(row.arrivalNumber)
        ? <div role="gridcell" className="grid-cell col-number awaiting-number" title={t('incoming.awaitingSince', { date: formatDateVn(row.arrivalDate) })}>{t('incoming.awaitingShort')}</div>
        : <div role="gridcell" className="grid-cell col-number num" title={row.registerName}>{row.arrivalNumber}</div>}
      <div role="gridcell" className="grid-cell col-date col-arrival-date num">{formatDateVn(row.arrivalDate)}</div>
      <div role="gridcell" className="grid-cell col-issuer" title={row.issuerName}><Highlight text={row.issuerName} query={hits} /></div>
      <div role="gridcell" className="grid-cell col-symbol"><Highlight text={row.numberSymbol} query={hits} /></div>
      <div role="gridcell" className="grid-cell col-date col-document-date num">{formatDateVn(row.documentDate)}</div>
      <div role="gridcell" className="grid-cell col-type" title={labels.docType(row.typeCode)}>{labels.docType(row.typeCode)}</div>
      <div role="gridcell" className="grid-cell col-subject" title={topSecret ? undefined : row.subject}>
        {topSecret ? <em className="muted">{t('incoming.topSecretSubject')}</em> : <Highlight text={row.subject} query={hits} />}
      </div>
      <div role="gridcell" className="grid-cell col-recipients" title={row.recipients.join('; ')}>{row.recipients.join('; ')}</div>
      <div role="gridcell" className="grid-cell col-notes" title={row.notes}>{row.notes}</div>
      <div role="gridcell" className="grid-cell col-secrecy">
        <SecrecyBadge level={row.secrecy} label={labels.secrecy(row.secrecy)} />
        {row.restricted && <span className="restricted-marker" title={t('detail.restricted')} role="img" aria-label={t('detail.restricted')}><Icon name="lock" /></span>}
      </div>
      <div role="gridcell" className={`grid-cell col-urgency urgency-${row.urgency}`}>{labels.urgency(row.urgency)}</div>
      <div role="gridcell" className={`grid-cell col-date col-deadline num${overdue ? ' overdue' : ''}${dueToday ? ' due-today' : ''}`}
        title={overdue ? t('incoming.overdue') : dueToday ? t('incoming.dueTodayTooltip') : undefined}>
        {formatDateVn(row.deadline)}
        {overdue && <span className="deadline-tag">{t('incoming.overdue')}</span>}
        {dueToday && <span className="deadline-tag">{t('incoming.dueToday')}</span>}
      </div>
      <div role="gridcell" className="grid-cell col-status">{labels.status(row.status)}</div>
    </div>
  );
});

/** The law's two incoming registers have short names in the list ("Đến · 2026", "BMNN · 2026"); others show their own. */
function registerContext(name: string): string {
  if (name === 'Sổ đăng ký văn bản đến') return 'incoming';
  if (name === 'Sổ đăng ký bí mật nhà nước đến') return 'bmnn';
  return '';
}
