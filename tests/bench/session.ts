// Opening a generated profile the way the app does, and capturing the SQL the core prepares.
import type { Statement } from 'better-sqlite3-multiple-ciphers';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Desk } from '../../main/core/desk';
import type { Db } from '../../main/core/db/connection';
import type { Actor } from '../../main/core/org/rights';
import { actorFor, getUser } from '../../main/core/org/users';

export interface OpenedProfile { desk: Desk; actor: Actor; openMs: number }

/**
 * Desk.open on the profile (integrity check, migrations, pragmas) and the văn thư's actor. The
 * session is taken with actorFor rather than desk.login so that re-runs on a kept profile do not
 * append audit rows; listIncoming only needs the actor.
 */
export async function openProfile(dir: string, userId: number): Promise<OpenedProfile> {
  const t0 = performance.now();
  const desk = await Desk.open({ profileDir: dir });
  const openMs = performance.now() - t0;
  if (desk.readOnly) throw new Error(`profile in ${dir} opened read-only: ${desk.damage ?? ''}`);
  const user = getUser(desk.db, userId);
  if (!user) throw new Error(`user ${userId} missing from ${join(dir, 'securedesk.db')}`);
  return { desk, actor: actorFor(user), openMs };
}

export interface CapturedStatement { sql: string; params: unknown[] }

/**
 * Runs fn while recording every statement run on db with its parameters (for EXPLAIN QUERY PLAN).
 * The statement prototype is patched for the duration of fn, so statements the core prepared earlier
 * and keeps in a cache are seen too.
 */
export function captureSql(db: Db, fn: () => unknown): CapturedStatement[] {
  const seen: CapturedStatement[] = [];
  const proto = Object.getPrototypeOf(db.prepare('SELECT 1')) as Record<string, unknown>;
  const methods = ['all', 'get', 'run', 'iterate'] as const;
  const originals = methods.map((m) => proto[m] as (...args: unknown[]) => unknown);
  methods.forEach((m, k) => {
    const run = originals[k]!;
    proto[m] = function (this: Statement, ...args: unknown[]) {
      if (this.database === db) seen.push({ sql: this.source, params: args });
      return run.apply(this, args);
    };
  });
  try {
    fn();
  } finally {
    methods.forEach((m, k) => { proto[m] = originals[k]; });
  }
  return seen;
}

/** EXPLAIN QUERY PLAN of a statement as indented lines. */
export function queryPlan(db: Db, sql: string, params: readonly unknown[]): string[] {
  const rows = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ id: number; parent: number; detail: string }>;
  const depth = new Map<number, number>([[0, -1]]);
  return rows.map((r) => {
    const d = (depth.get(r.parent) ?? -1) + 1;
    depth.set(r.id, d);
    return `${'  '.repeat(d)}${r.detail}`;
  });
}
