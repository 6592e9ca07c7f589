// State of the incoming register list: filters, search, sort, selection, refresh.
import { create } from 'zustand';
import type { RegisterSummary } from '../../../common/contract';
import type { DeadlineFilter, IncomingStatus, Secrecy, Urgency } from '../../../common/domain';
import type { IncomingFilter, SortField } from '../../../common/schemas';
import { call } from '../ipc/call';
import { onWipe } from './wipe';

export interface Filters {
  year: number | null;
  registerId: number | null;
  secrecy: Secrecy | null;
  urgency: Urgency | null;
  status: IncomingStatus | null;
  deadline: DeadlineFilter | null;
  /** Only the arrivals "Chờ cấp số". */
  awaitingNumber: boolean | null;
}
export interface Sort {
  field: SortField;
  dir: 'asc' | 'desc';
}

export const NO_FILTERS: Filters = { year: null, registerId: null, secrecy: null, urgency: null, status: null, deadline: null, awaitingNumber: null };
export const DEFAULT_SORT: Sort = { field: 'arrival', dir: 'desc' };

interface IncomingState {
  filters: Filters;
  /** What is typed in the search box; the list follows it after a short pause. */
  query: string;
  sort: Sort;
  selectedId: number | null;
  /** A row to scroll to and select once the list has reloaded (a new registration). */
  revealId: number | null;
  /** Bumped to reload the list with unchanged filters. */
  version: number;
  registers: RegisterSummary[] | null;
  setFilter<K extends keyof Filters>(key: K, value: Filters[K]): void;
  clearFilters(): void;
  setQuery(q: string): void;
  toggleSort(field: SortField): void;
  select(id: number | null): void;
  refresh(revealId?: number): void;
  revealed(): void;
  loadRegisters(): Promise<void>;
  reset(): void;
}

export const useIncoming = create<IncomingState>()((set, get) => ({
  filters: NO_FILTERS,
  query: '',
  sort: DEFAULT_SORT,
  selectedId: null,
  revealId: null,
  version: 0,
  registers: null,
  setFilter: (key, value) => set((s) => ({ filters: { ...s.filters, [key]: value } })),
  clearFilters: () => set({ filters: NO_FILTERS, query: '' }),
  setQuery: (query) => set({ query }),
  toggleSort: (field) =>
    set((s) => ({
      // Deadlines start with the most urgent (earliest) one; names A→Z; dates newest first.
      sort: s.sort.field === field ? { field, dir: s.sort.dir === 'asc' ? 'desc' : 'asc' } : { field, dir: field === 'numberSymbol' || field === 'issuer' || field === 'deadline' ? 'asc' : 'desc' },
    })),
  select: (selectedId) => set({ selectedId }),
  refresh: (revealId) => set((s) => ({ version: s.version + 1, ...(revealId ? { revealId, selectedId: revealId } : {}) })),
  revealed: () => set({ revealId: null }),
  async loadRegisters() {
    if (get().registers) return;
    try {
      set({ registers: await call('registers.list', {}) });
    } catch {
      /* the filter simply offers no register choice */
    }
  },
  reset: () => set({ filters: NO_FILTERS, query: '', sort: DEFAULT_SORT, selectedId: null, revealId: null, registers: null }),
}));

// Search text and selection are about documents too: a lock forgets them.
onWipe(() => useIncoming.getState().reset());

export const hasFilters = (f: Filters, query: string): boolean =>
  query.trim() !== '' || Object.values(f).some((v) => v !== null);

/** The contract's filter object, leaving out what is not set. */
export function filterInput(f: Filters, query: string): IncomingFilter {
  const q = query.trim();
  return {
    ...(q ? { query: q } : {}),
    ...(f.year !== null ? { year: f.year } : {}),
    ...(f.registerId !== null ? { registerId: f.registerId } : {}),
    ...(f.secrecy ? { secrecy: [f.secrecy] } : {}),
    ...(f.urgency ? { urgency: [f.urgency] } : {}),
    ...(f.status ? { status: [f.status] } : {}),
    ...(f.deadline ? { deadline: f.deadline } : {}),
    ...(f.awaitingNumber ? { awaitingNumber: true as const } : {}),
  };
}
