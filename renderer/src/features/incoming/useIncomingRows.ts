// Rows of the incoming register, fetched by pages of 100 as the table scrolls, with the total from
// incoming.count. A change of filters, search or sort loads the first page and the count in the
// background and swaps them in together, so the table never flashes empty.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { IncomingRow } from '../../../../common/contract';
import type { IncomingFilter } from '../../../../common/schemas';
import { errorText } from '../../i18n/errors';
import { asDeskError, call } from '../../ipc/call';
import type { Sort } from '../../stores/incoming';

export const PAGE_SIZE = 100;
const MAX_CACHED_PAGES = 60;

export interface RowsState {
  /** null until the first answer for the current query. */
  total: number | null;
  capped: boolean;
  /** The rows shown answer a search or a filter (not the whole register). */
  filtered: boolean;
  /** Filter and sort of the rows shown (a reload with the same query keeps it). */
  queryKey: string;
  /** A newer query is loading; the rows shown are from the previous one. */
  refreshing: boolean;
  error: string | null;
  /** Bumped whenever rows arrive, so the table re-renders. */
  revision: number;
}

/** `filter` and `sort` must keep their identity while unchanged (memoised / from the store). */
export function useIncomingRows(filter: IncomingFilter, sort: Sort, version: number) {
  const [state, setState] = useState<RowsState>({ total: null, capped: false, filtered: false, queryKey: '', refreshing: true, error: null, revision: 0 });
  const pages = useRef(new Map<number, IncomingRow[]>());
  const inflight = useRef(new Set<number>());
  const generation = useRef(0);
  const query = useRef({ filter, sort });
  const lastRange = useRef<[number, number]>([0, 0]);
  /** Between a new query and its first answer the old rows stay on screen and nothing else loads. */
  const swapPending = useRef(true);

  const fetchPage = useCallback((page: number, gen: number) => {
    const { filter: f, sort: s } = query.current;
    return call('incoming.list', { ...f, sort: s, offset: page * PAGE_SIZE, limit: PAGE_SIZE }).then((rows) => ({ rows, gen }));
  }, []);

  useEffect(() => {
    const gen = ++generation.current;
    query.current = { filter, sort };
    swapPending.current = true;
    setState((s) => ({ ...s, refreshing: true, error: null }));
    Promise.all([call('incoming.count', filter), fetchPage(0, gen)]).then(
      ([count, first]) => {
        if (gen !== generation.current) return;
        pages.current = new Map([[0, first.rows]]);
        inflight.current = new Set();
        swapPending.current = false;
        // A full count can lag a concurrent registration by a row or two; never promise rows that are not there.
        const total = first.rows.length < PAGE_SIZE ? first.rows.length : count.total;
        setState((s) => ({
          total, capped: count.capped, filtered: Object.keys(filter).length > 0, queryKey: JSON.stringify([filter, sort]),
          refreshing: false, error: null, revision: s.revision + 1,
        }));
      },
      (err: unknown) => {
        if (gen !== generation.current) return;
        setState((s) => ({ ...s, refreshing: false, error: errorText(asDeskError(err)) }));
      },
    );
    // `version` reloads the same query (after a registration); filter and sort are stable objects.
  }, [filter, sort, version, fetchPage]);

  const evict = () => {
    if (pages.current.size <= MAX_CACHED_PAGES) return;
    const [a, b] = lastRange.current;
    const centre = (a + b) / 2 / PAGE_SIZE;
    const far = [...pages.current.keys()].sort((x, y) => Math.abs(y - centre) - Math.abs(x - centre));
    for (const p of far.slice(0, pages.current.size - MAX_CACHED_PAGES)) pages.current.delete(p);
  };

  /** Makes sure the rows between two indexes are loaded or loading. */
  const ensure = useCallback(
    (start: number, end: number) => {
      lastRange.current = [start, end];
      if (swapPending.current) return;
      const gen = generation.current;
      for (let p = Math.floor(start / PAGE_SIZE); p <= Math.floor(end / PAGE_SIZE); p++) {
        if (pages.current.has(p) || inflight.current.has(p)) continue;
        inflight.current.add(p);
        fetchPage(p, gen).then(
          ({ rows }) => {
            if (gen !== generation.current) return;
            inflight.current.delete(p);
            pages.current.set(p, rows);
            evict();
            setState((s) => ({
              ...s,
              total: rows.length < PAGE_SIZE && s.total !== null ? Math.min(s.total, p * PAGE_SIZE + rows.length) : s.total,
              revision: s.revision + 1,
            }));
          },
          () => {
            if (gen === generation.current) inflight.current.delete(p);
          },
        );
      }
    },
    [fetchPage],
  );

  const rowAt = useCallback((index: number): IncomingRow | undefined => pages.current.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE], []);

  /** Index of a row among the loaded pages, or -1. */
  const indexOf = useCallback((id: number): number => {
    for (const [p, rows] of pages.current) {
      const i = rows.findIndex((r) => r.id === id);
      if (i >= 0) return p * PAGE_SIZE + i;
    }
    return -1;
  }, []);

  return { ...state, ensure, rowAt, indexOf };
}
