// Figure 2b: any position of the register, as the scrollbar asks for it (incoming.list with an offset).
// An order's first page starts the sampling of its keys in the background (main/core/documents/
// paging.ts); then pages at random positions, then page after page (keyed on the page before), for
// the văn thư (the four compartments) and the person cleared to Mật on their own session (Thường and
// Mật), in every order.
// A jump before the background sampling is done samples on demand: firstPage.ts's deepPage.first.
import type { IncomingFilter } from '../../common/schemas';
import type { Desk } from '../../main/core/desk';
import type { ListInput } from '../../main/core/documents/incoming';
import { anchorsSettled } from '../../main/core/documents/paging';
import type { Actor } from '../../main/core/org/rights';
import { rng } from '../../main/devhost/sampleData';
import { performance } from 'node:perf_hooks';
import { ms, progress, summarize, timed, type Summary } from './stats';

export interface OrderFigure {
  sort: ListInput['sort'];
  filter: IncomingFilter;
  clearance: Actor['clearance'];
  total: number;
  /** From the order's first page to its keys all sampled in the background (the event loop free meanwhile). */
  backgroundSamplingMs: number;
  /** Pages of 100 at uniformly random positions, once the keys are sampled (wall time: includes waiting for the CPU). */
  random: Summary;
  /** CPU time of this process over the random pages, per page: what they cost whatever the load of the machine. */
  randomCpuMsPerPage: number;
  /** Pages one after the other from the middle (each keyed on the last row of the page before). */
  sequential: Summary;
  /** Pages that came back with fewer rows than asked although not at the end (must be 0). */
  shortPages: number;
}

export interface AnyPageFigures {
  /** The default view: the văn thư, newest arrivals first. */
  headline: OrderFigure;
  orders: Record<string, OrderFigure>;
  /** Worst random-position p95 and max over every order and both people. */
  worst: { order: string; p95: number; max: number };
  randomPages: number;
}

const RANDOM_PAGES = 200;
const SEQUENTIAL_PAGES = 50;
const LIMIT = 100;

async function measureOrder(desk: Desk, actor: Actor, sort: ListInput['sort'], filter: IncomingFilter, seed: number): Promise<OrderFigure> {
  const total = desk.incoming.count(actor, filter).total;
  const page = (offset: number) => desk.incoming.list(actor, { ...filter, sort, offset, limit: LIMIT });
  page(0);
  const t0 = performance.now();
  await anchorsSettled();
  const backgroundSamplingMs = performance.now() - t0;
  const r = rng(seed);
  let shortPages = 0;
  const random: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < RANDOM_PAGES; i++) {
    const offset = Math.floor(r() * total);
    const t = timed(() => page(offset));
    random.push(t.ms);
    if (t.value.length < Math.min(LIMIT, total - offset)) shortPages++;
  }
  const cpu = process.cpuUsage(cpu0);
  const sequential: number[] = [];
  const from = Math.floor(total / 3);
  for (let p = 0; p < SEQUENTIAL_PAGES; p++) sequential.push(timed(() => page(from + p * LIMIT)).ms);
  return { sort, filter, clearance: actor.clearance, total, backgroundSamplingMs: ms(backgroundSamplingMs), random: summarize(random), randomCpuMsPerPage: ms((cpu.user + cpu.system) / 1000 / RANDOM_PAGES), sequential: summarize(sequential), shortPages };
}

const SORTS: Array<[string, ListInput['sort']]> = [
  ['arrivalDesc', { field: 'arrival', dir: 'desc' }],
  ['arrivalAsc', { field: 'arrival', dir: 'asc' }],
  ['documentDateDesc', { field: 'documentDate', dir: 'desc' }],
  ['deadlineAsc', { field: 'deadline', dir: 'asc' }],
  ['numberSymbolAsc', { field: 'numberSymbol', dir: 'asc' }],
  ['issuerAsc', { field: 'issuer', dir: 'asc' }],
];

export interface Person { desk: Desk; actor: Actor }

/** Every order for the văn thư and the Mật-cleared person (each on their unlocked Desk), and two filtered views of the văn thư's. */
export async function measureAnyPage(vanThu: Person, mat: Person, years: { first: number; last: number }): Promise<AnyPageFigures> {
  const orders: Record<string, OrderFigure> = {};
  const { desk, actor } = vanThu;
  let seed = 11;
  for (const who of [vanThu, mat]) {
    for (const [name, sort] of SORTS) {
      const key = `${name}${who === vanThu ? '' : `_${who.actor.clearance}`}`;
      orders[key] = await measureOrder(who.desk, who.actor, sort, {}, seed++);
      const o = orders[key];
      progress(`any page ${key}: keys sampled in the background in ${o.backgroundSamplingMs} ms, random p50 ${o.random.p50} / p95 ${o.random.p95} / max ${o.random.max} ms (CPU ${o.randomCpuMsPerPage} ms a page), sequential p50 ${o.sequential.p50} ms`);
    }
  }
  const mid = Math.floor((years.first + years.last) / 2);
  for (const [name, filter] of [[`year${mid}`, { year: mid }], ['secret', { secrecy: ['mat', 'toi_mat', 'tuyet_mat'] }]] as const) {
    orders[name] = await measureOrder(desk, actor, { field: 'arrival', dir: 'desc' }, filter as IncomingFilter, seed++);
    const o = orders[name];
    progress(`any page ${name}: keys sampled in the background in ${o.backgroundSamplingMs} ms, random p50 ${o.random.p50} / p95 ${o.random.p95} / max ${o.random.max} ms`);
  }
  const [worstName, worst] = Object.entries(orders).sort((a, b) => b[1].random.p95 - a[1].random.p95)[0]!;
  return { headline: orders.arrivalDesc!, orders, worst: { order: worstName, p95: worst.random.p95, max: Math.max(...Object.values(orders).map((o) => o.random.max)) }, randomPages: RANDOM_PAGES };
}
