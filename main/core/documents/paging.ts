// Any position of the register in a few index steps, at a million documents.
//
// OFFSET walks every row before the page (the page at 500 000 took a quarter to half a second). Here a
// (filter, order) keeps anchors: the key (sort value, id) of the row at every K-th position, sampled
// once by walking the order's covering index K rows at a time, and the key of the last row of every
// page served. A page at position P starts after the nearest anchor before it (keyset: a range seek
// on the index) and skips fewer than K rows, reading index entries only, then reads its own rows by
// id. Scrolling on, the page before's last row is the anchor, so the skip is zero. Anchors are
// dropped whenever the register changes (a counter kept by triggers, for every connection). Once an
// order has been shown, the rest of its keys are sampled in the background, a few milliseconds per
// turn of the event loop, so that the scrollbar finds them ready.
import type { Db } from '../db/connection';
import { cached } from '../db/statements';

/** Rows between two sampled anchors: the most a page seek skips (index entries only). */
export const ANCHOR_EVERY = 1024;
/** Orders kept per connection (each a few thousand keys at most). */
const MAX_ORDERS = 8;
/** Page-end anchors kept per order. */
const MAX_PAGE_ENDS = 256;
/** Background sampling works this long per turn of the event loop, then yields. */
const SLICE_MS = 4;

/** A query over the register in a fixed order: the ORDER BY is `key dir, i.id dir`. */
export interface OrderedQuery {
  /** The compartment schemas the query runs over (one arm each; arms.ts). */
  arms: readonly string[];
  /** `{c}` stands for each arm's schema. */
  from: string;
  /** Conditions joined with AND (may be empty). */
  where: string[];
  params: unknown[];
  /** The sort expression (a covering index has it, then id). */
  key: string;
  dir: 'ASC' | 'DESC';
}

type Anchor = readonly [unknown, number];

interface Anchors {
  /** The register's version the keys belong to; null: not read yet (an order's first page does not wait for it). */
  version: number | null;
  /** samples[j] is the key of the row at position (j + 1) * ANCHOR_EVERY - 1. */
  samples: Anchor[];
  /** The last sample reaches the end of the list: no more to take. */
  complete: boolean;
  /** Keys of the last rows of pages served, by position. */
  pageEnds: Map<number, Anchor>;
  /** Sampling goes on in the background. */
  sampling: boolean;
}

/** Background sampling under way (for tests and the benchmark: `anchorsSettled`). */
const sampling = new Set<Promise<void>>();

const anchorsByDb = new WeakMap<Db, Map<string, Anchors>>();

/**
 * How many times the register has changed (the triggers of migration 8), read in the caller's
 * transaction. NaN on a schema without them (a damaged profile left un-migrated, read-only): no
 * anchor is then ever reused.
 */
const registerVersionSql = (arms: readonly string[]) =>
  `SELECT ${arms.map((c) => `(SELECT n FROM ${c}.change_counters WHERE name = 'incoming')`).join(' + ')}`;

function registerVersion(db: Db, arms: readonly string[]): number {
  try {
    // Each compartment counts its own changes; their sum moves whenever any of them does.
    return cached(db, registerVersionSql(arms)).pluck().get() as number;
  } catch {
    return Number.NaN;
  }
}

function anchorsFor(db: Db, id: string, version: number | null): Anchors {
  let byOrder = anchorsByDb.get(db);
  if (!byOrder) anchorsByDb.set(db, (byOrder = new Map()));
  let a = byOrder.get(id);
  // Anchors made before the version was read hold no key yet: they take the version read now.
  if (a && a.version === null && version !== null && a.samples.length === 0 && a.pageEnds.size === 0) a.version = version;
  if (a && (a.version === version || version === null)) {
    // Most recently used last.
    byOrder.delete(id);
    byOrder.set(id, a);
    return a;
  }
  a = { version, samples: [], complete: false, pageEnds: new Map(), sampling: false };
  byOrder.delete(id);
  byOrder.set(id, a);
  while (byOrder.size > MAX_ORDERS) byOrder.delete(byOrder.keys().next().value!);
  return a;
}

const whereOf = (conds: string[]) => (conds.length > 0 ? `WHERE ${conds.join(' AND ')}` : '');

/**
 * The keys of the rows after `anchor` (or from the start), skipping `offset`, at most `limit`. After
 * an anchor (k, id) come the rest of k's own rows by id, then the keys beyond k: two range seeks on
 * the order's index (a row-value comparison would seek on k alone and walk its group row by row).
 */
function keysAfter(db: Db, q: OrderedQuery, anchor: Anchor | null, offset: number, limit: number): Anchor[] {
  const cmp = q.dir === 'DESC' ? '<' : '>';
  const byKey = `ORDER BY k ${q.dir}, id ${q.dir}`;
  // One arm per compartment, merged by SQLite in the order's terms (output columns k and id).
  const run = (extra: string[], params: unknown[], order: string, take: number, skip: number) => {
    const arm = `SELECT ${q.key} AS k, i.id AS id FROM ${q.from} ${whereOf([...q.where, ...extra])}`;
    const sql = q.arms.map((c) => arm.replaceAll('{c}', c)).join(' UNION ALL ');
    return cached(db, `${sql} ${order} LIMIT ? OFFSET ?`)
      .raw(true)
      .all(...q.arms.flatMap(() => [...q.params, ...params]), take, skip) as unknown as Anchor[];
  };
  if (!anchor) return run([], [], byKey, limit, offset);
  // Within one key the order is by id alone (SQLite sorts when told the key too, for an expression).
  const group = run([`${q.key} = ?`, `i.id ${cmp} ?`], [anchor[0], anchor[1]], `ORDER BY id ${q.dir}`, offset + limit, 0);
  const fromGroup = group.slice(offset);
  if (group.length === offset + limit) return fromGroup;
  const beyond = run([`${q.key} ${cmp} ?`], [anchor[0]], byKey, limit - fromGroup.length, Math.max(0, offset - group.length));
  return [...fromGroup, ...beyond];
}

/** Samples anchors until the one before `position` is known (or the list ends, or `deadline` passes). */
function sampleUpTo(db: Db, q: OrderedQuery, a: Anchors, position: number, deadline = Infinity): void {
  const wanted = Math.floor(position / ANCHOR_EVERY); // samples needed: 0 .. wanted-1
  while (!a.complete && a.samples.length < wanted && performance.now() < deadline) {
    const last = a.samples[a.samples.length - 1] ?? null;
    const next = keysAfter(db, q, last, ANCHOR_EVERY - 1, 1)[0];
    if (next) a.samples.push(next);
    else a.complete = true;
  }
}

const orderId = (q: OrderedQuery) => JSON.stringify([q.arms, q.from, q.where, q.params, q.key, q.dir]);

/**
 * Samples the rest of an order's keys in slices of SLICE_MS between turns of the event loop; stops
 * when done, when the register changes (those anchors are dropped) or when the connection closes.
 * The slices keep the process alive (an unreferenced immediate would wait for the next event): it
 * is a second or less, even at a million documents.
 */
function sampleInBackground(db: Db, q: OrderedQuery, a: Anchors): void {
  if (a.complete || a.sampling) return;
  a.sampling = true;
  const id = orderId(q);
  track(new Promise<void>((resolve) => {
    const slice = () => {
      try {
        const more = db.open && db.transaction(() => {
          if (anchorsByDb.get(db)?.get(id) !== a || registerVersion(db, q.arms) !== a.version) return false;
          sampleUpTo(db, q, a, Number.MAX_SAFE_INTEGER, performance.now() + SLICE_MS);
          return !a.complete;
        })();
        if (more) {
          setImmediate(slice);
          return;
        }
      } catch {
        // A connection closed or switched to read-only meanwhile: the next request samples on demand.
      }
      a.sampling = false;
      resolve();
    };
    setImmediate(slice);
  }));
}

function track(done: Promise<void>): void {
  sampling.add(done);
  void done.then(() => sampling.delete(done));
}

/**
 * The first page of an order was shown: its keys are sampled in the background from now on. The
 * register's version (a statement over every arm, in a transaction of its own, on pages a cold
 * session has not read yet) is read at the next turn of the event loop, not before the first page:
 * the order's anchors are kept if they are still the register's, made anew otherwise, then sampled.
 */
export function prepareOrder(db: Db, q: OrderedQuery): void {
  const id = orderId(q);
  if (!anchorsByDb.get(db)?.has(id)) anchorsFor(db, id, null);
  track(new Promise<void>((resolve) => {
    setImmediate(() => {
      try {
        if (db.open) sampleInBackground(db, q, db.transaction(() => anchorsFor(db, id, registerVersion(db, q.arms)))());
      } catch {
        // A connection closed or switched to read-only meanwhile: the next request samples on demand.
      }
      resolve();
    });
  }));
}

/** Prepares the statement of the register's change count over these arms (the unlock's warm-up). */
export function prepareOrderStatements(db: Db, arms: readonly string[]): void {
  try {
    cached(db, registerVersionSql(arms));
  } catch {
    // A schema without the counters: registerVersion says so when asked.
  }
}

/** What is known of an order's keys (tests and the benchmark). */
export function sampledKeys(db: Db, q: OrderedQuery): { samples: number; complete: boolean } | undefined {
  const a = anchorsByDb.get(db)?.get(orderId(q));
  return a && { samples: a.samples.length, complete: a.complete };
}

/** Resolves once no background sampling is under way. */
export async function anchorsSettled(): Promise<void> {
  while (sampling.size > 0) await Promise.all([...sampling]);
}

export interface PageKeys {
  ids: number[];
  /** How the page was found, for the benchmark: skipped index entries after the anchor. */
  skipped: number;
}

/**
 * The ids of rows [offset, offset + limit) of the query's order. Read in one transaction so the
 * version and the keys agree.
 */
export function pageIds(db: Db, q: OrderedQuery, offset: number, limit: number): PageKeys {
  return db.transaction((): PageKeys => {
    const a = anchorsFor(db, orderId(q), registerVersion(db, q.arms));
    sampleUpTo(db, q, a, offset);
    // The nearest anchor before the page: the last row of the page before, else a sample.
    let anchorAt = -1;
    let anchor: Anchor | null = null;
    const end = a.pageEnds.get(offset - 1);
    if (end) {
      anchorAt = offset - 1;
      anchor = end;
    } else {
      const j = Math.min(Math.floor(offset / ANCHOR_EVERY), a.samples.length) - 1;
      if (j >= 0) {
        anchorAt = (j + 1) * ANCHOR_EVERY - 1;
        anchor = a.samples[j]!;
      }
    }
    const skipped = offset - anchorAt - 1;
    const keys = keysAfter(db, q, anchor, skipped, limit);
    if (keys.length > 0) {
      a.pageEnds.set(offset + keys.length - 1, keys[keys.length - 1]!);
      if (a.pageEnds.size > MAX_PAGE_ENDS) a.pageEnds.delete(a.pageEnds.keys().next().value!);
    }
    sampleInBackground(db, q, a);
    return { ids: keys.map((k) => k[1]), skipped };
  })();
}

/** Drops every anchor of a connection (tests, and a connection about to close). */
export function forgetAnchors(db: Db): void {
  anchorsByDb.delete(db);
}
