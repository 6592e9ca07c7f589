// The import job's loops on the window's thread share one slice per turn of the event loop
// (main/core/import/turns.ts): two loops each giving the loop back on its own ran a slice of each in the
// same check phase (twice the slice before a timer could fire). A probe counts the turns; every unit of
// work records the turn it ran in, and no turn may hold more than one slice (loops may share it).
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import { Turns } from '../../main/core/import/turns';

const SLICE_MS = 4;
const UNIT_MS = 0.5;

/** Busy for `ms` (a row's check). */
const work = (ms: number) => { const end = performance.now() + ms; while (performance.now() < end) { /* busy */ } };

/** Runs loops of `units` units each, yielding as `pause` says; the busy ms per turn, and which loops ran in it. */
async function run(loops: number, units: number, pause: (shared: Turns, loop: number) => Promise<void>): Promise<Array<{ ms: number; loops: Set<number> }>> {
  const turns = new Turns(SLICE_MS);
  let turn = 0;
  let running = true;
  // One increment per loop iteration: an immediate set in the check phase runs in the next one.
  const probe = () => { turn++; if (running) setImmediate(probe); };
  setImmediate(probe);
  const perTurn = new Map<number, { ms: number; loops: Set<number> }>();
  await Promise.all(Array.from({ length: loops }, async (_, id) => {
    for (let u = 0; u < units; u++) {
      work(UNIT_MS);
      const t = perTurn.get(turn) ?? { ms: 0, loops: new Set<number>() };
      t.ms += UNIT_MS;
      t.loops.add(id);
      perTurn.set(turn, t);
      await pause(turns, id);
    }
  }));
  running = false;
  return [...perTurn.values()];
}

test('three loops pausing on the shared turns: at most one slice of work per turn of the event loop', async () => {
  const turns = await run(3, 60, (shared) => shared.pause());
  const busiest = Math.max(...turns.map((t) => t.ms));
  assert.ok(busiest <= SLICE_MS + UNIT_MS, `a turn held ${busiest} ms of work (slice ${SLICE_MS} ms)`);
  // Loops may share a turn's slice (they start in the same one), never add a slice each.
  assert.ok(turns.filter((t) => t.loops.size > 1).length <= 1, 'after the first turn, each turn runs the slice of one loop');
  // Every loop got its turns (FIFO): all 180 units done.
  assert.equal(turns.reduce((n, t) => n + t.ms, 0), 3 * 60 * UNIT_MS);
});

test('the same loops each giving the loop back on its own pile their slices into one turn (what the shared turns prevent)', async () => {
  // Each loop with its own slice clock and its own setImmediate: the old way.
  const clocks = new Map<number, number>();
  const turns = await run(3, 60, async (_shared, loop) => {
    if (!clocks.has(loop)) clocks.set(loop, performance.now());
    if (performance.now() - clocks.get(loop)! <= SLICE_MS) return;
    await new Promise((r) => setImmediate(r));
    clocks.set(loop, performance.now());
  });
  assert.ok(turns.some((t) => t.loops.size > 1), 'without the shared turns, loops run in the same turn');
  assert.ok(Math.max(...turns.map((t) => t.ms)) > SLICE_MS + UNIT_MS, 'and a turn holds more than one slice');
});

test('next() always gives the loop back, and a fresh slice starts when the waiter resumes', async () => {
  const turns = new Turns(50);
  let ranBetween = false;
  setImmediate(() => { ranBetween = true; });
  await turns.next();
  assert.equal(ranBetween, true, 'an immediate queued before next() ran before it resumed');
  assert.equal(turns.spent, false);
  work(60);
  assert.equal(turns.spent, true);
});
