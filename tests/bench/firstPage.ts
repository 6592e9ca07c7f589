// Figure 2: from the PIN to the first page of the register (newest arrivals first): Desk.open, the
// unlock, and the first page on the freshly opened profile, while its integrity check runs on the
// database worker (the time the lock screen waits); then warm, with and without filters, and the count
// shown next to it.
import type { Secrecy } from '../../common/domain';
import type { IncomingFilter } from '../../common/schemas';
import type { TokenIdentity } from '../../main/core/desk';
import type { ListInput } from '../../main/core/documents/incoming';
import { closeProfile, openProfile } from './session';
import { ms, median, medianOf, progress, timed } from './stats';

export interface PageVariant {
  name: string;
  filter: IncomingFilter;
}

export interface PageFigure {
  filter: IncomingFilter;
  /** First listIncoming call on a freshly unlocked Desk (new connection, empty page cache, statement not prepared). */
  coldMs: number;
  /** Desk.open + desk.unlock before that call (= deskOpenMs + unlockMs). */
  openMs: number;
  /** Desk.open alone: the profile directory, no database. */
  deskOpenMs: number;
  /** desk.unlock(identity): keyring unwrap, keyed open (raw key), migrations check, pragmas, session; the integrity check starts off-thread. */
  unlockMs: number;
  /** openMs + coldMs: from the PIN (token done) to the first page, what the lock screen waits. */
  pinToFirstPageMs: number;
  /** From the end of the unlock to the integrity verdict from the database worker (writes wait until then). */
  verdictMs: number;
  /** Median of the warm runs, taken after the verdict. */
  warmMedianMs: number;
  rows: number;
  newestArrival: string | null;
}

export interface CountFigure { filter: IncomingFilter; firstMs: number; medianMs: number; total: number; capped: boolean }

export interface FirstPageFigures {
  pages: Record<string, PageFigure>;
  counts: Record<string, CountFigure>;
  /** A page deep in the list (paged by key): the first request samples the order's keys up to it; then warm. */
  deepPage: { offset: number; firstMs: number; medianMs: number; rows: number };
  /** The same pages and counts for a lower clearance, where the core adds `i.secrecy_rank <= ?` (warm, same Desk). */
  lowerClearance: { clearance: Secrecy; pages: Record<string, { warmMedianMs: number; rows: number }>; counts: Record<string, { medianMs: number; total: number }> };
  warmRuns: number;
}

const WARM_RUNS = 20;
const COUNT_RUNS = 5;

export function pageVariants(years: { first: number; last: number }): PageVariant[] {
  const mid = Math.floor((years.first + years.last) / 2);
  return [
    { name: 'all', filter: {} },
    { name: `year${mid}`, filter: { year: mid } },
    { name: 'secret', filter: { secrecy: ['mat', 'toi_mat', 'tuyet_mat'] } },
    { name: 'tuyetMat', filter: { secrecy: ['tuyet_mat'] } },
  ];
}

const listInput = (filter: IncomingFilter, offset = 0): ListInput => ({
  ...filter, sort: { field: 'arrival', dir: 'desc' }, offset, limit: 100,
});

export async function measureFirstPage(
  dir: string,
  identity: TokenIdentity,
  userId: number,
  variants: PageVariant[],
  docs: number,
  lowerClearance: Secrecy,
): Promise<FirstPageFigures> {
  const pages: Record<string, PageFigure> = {};
  // Cold: one fresh Desk per variant, and the variant is the first thing it is asked.
  for (const v of variants) {
    const opened = await openProfile(dir, identity, userId);
    const { desk, actor, openMs, deskOpenMs, unlockMs } = opened;
    try {
      const cold = timed(() => desk.incoming.list(actor, listInput(v.filter)));
      const verdictMs = await opened.verdict;
      const warm = medianOf(WARM_RUNS, () => desk.incoming.list(actor, listInput(v.filter)));
      pages[v.name] = {
        filter: v.filter, coldMs: ms(cold.ms), openMs: ms(openMs), deskOpenMs: ms(deskOpenMs), unlockMs: ms(unlockMs),
        pinToFirstPageMs: ms(openMs + cold.ms), verdictMs: ms(verdictMs), warmMedianMs: ms(warm),
        rows: cold.value.length, newestArrival: cold.value[0]?.arrivalDate ?? null,
      };
      progress(`first page ${v.name}: Desk.open ${deskOpenMs.toFixed(1)} ms, unlock ${unlockMs.toFixed(0)} ms, cold ${cold.ms.toFixed(2)} ms (PIN to first page ${(openMs + cold.ms).toFixed(0)} ms), verdict after ${verdictMs.toFixed(0)} ms, warm ${warm.toFixed(2)} ms`);
    } finally {
      await closeProfile(opened);
    }
  }

  const opened = await openProfile(dir, identity, userId);
  const { desk, actor } = opened;
  try {
    await opened.verdict;
    desk.incoming.list(actor, listInput({}));
    const counts: Record<string, CountFigure> = {};
    for (const v of variants) {
      const first = timed(() => desk.incoming.count(actor, v.filter));
      const times: number[] = [];
      for (let i = 0; i < COUNT_RUNS; i++) times.push(timed(() => desk.incoming.count(actor, v.filter)).ms);
      counts[v.name] = { filter: v.filter, firstMs: ms(first.ms), medianMs: ms(median(times)), ...first.value };
      progress(`count ${v.name}: ${first.value.total} in ${first.ms.toFixed(1)} ms (median ${median(times).toFixed(1)} ms)`);
    }
    const offset = Math.floor(docs / 2);
    const deepFirst = timed(() => desk.incoming.list(actor, listInput({}, offset)));
    let rows = 0;
    const deep = medianOf(3, () => (rows = desk.incoming.list(actor, listInput({}, offset)).length));
    progress(`page at position ${offset}: first ${deepFirst.ms.toFixed(1)} ms (samples the keys), then ${deep.toFixed(2)} ms`);

    const low = { ...actor, clearance: lowerClearance };
    const lowPages: FirstPageFigures['lowerClearance']['pages'] = {};
    const lowCounts: FirstPageFigures['lowerClearance']['counts'] = {};
    for (const v of variants) {
      let n = 0;
      const warm = medianOf(WARM_RUNS / 2, () => (n = desk.incoming.list(low, listInput(v.filter)).length), 1);
      let total = 0;
      const count = medianOf(COUNT_RUNS - 2, () => (total = desk.incoming.count(low, v.filter).total), 1);
      lowPages[v.name] = { warmMedianMs: ms(warm), rows: n };
      lowCounts[v.name] = { medianMs: ms(count), total };
    }
    progress(`clearance ${lowerClearance}: first pages ${Object.values(lowPages).map((p) => p.warmMedianMs).join(' / ')} ms, counts ${Object.values(lowCounts).map((c) => c.medianMs).join(' / ')} ms`);
    return {
      pages, counts, deepPage: { offset, firstMs: ms(deepFirst.ms), medianMs: ms(deep), rows },
      lowerClearance: { clearance: lowerClearance, pages: lowPages, counts: lowCounts }, warmRuns: WARM_RUNS,
    };
  } finally {
    await closeProfile(opened);
  }
}
