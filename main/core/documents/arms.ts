// Reads over the compartments a session holds. A query is written once with `{c}` standing for a
// compartment's schema and run as one compound SELECT, an arm per compartment. With an ORDER BY on
// output columns SQLite merges the arms (MERGE (UNION ALL)), each walking its own covering index, so a
// page still stops after its rows; tables of the base (registers, users) are named without a schema.
import type { Arm, Level } from '../compartments/levels';
import type { Db } from '../db/connection';
import { cached } from '../db/statements';

export type { Arm };

export const inArm = (sql: string, arm: Arm): string => sql.replaceAll('{c}', arm.schema);

/** The same SELECT over every arm, as one compound (no ORDER BY: the caller appends it). */
export function overArms(arms: readonly Arm[], sql: string, params: readonly unknown[]): { sql: string; params: unknown[] } {
  return { sql: arms.map((a) => inArm(sql, a)).join('\nUNION ALL\n'), params: arms.flatMap(() => params) };
}

/** The sum of a scalar count over every arm. */
export function sumOverArms(db: Db, arms: readonly Arm[], sql: string, params: readonly unknown[]): number {
  const total = `SELECT ${arms.map((a) => `(${inArm(sql, a)})`).join(' + ')}`;
  return cached(db, total).pluck(true).get(...arms.flatMap(() => params)) as number;
}

/** The compartment holding a record id of `table` among the arms, if the session holds it. */
export function locate(db: Db, arms: readonly Arm[], table: string, id: number): Arm | undefined {
  for (const a of arms) if (cached(db, `SELECT 1 FROM ${a.schema}.${table} WHERE id = ?`).get(id) !== undefined) return a;
  return undefined;
}

/**
 * The arms that can hold records of the given levels (every arm when none is asked for). A compartment
 * holds one level, so a secrecy filter names the compartments to read: asking for the secret levels
 * must not walk the whole Thường index to find that none of it matches. The base of a damaged profile
 * (level null) holds every level.
 */
export const armsFor = (arms: readonly Arm[], levels?: readonly Level[]): readonly Arm[] =>
  levels && levels.length > 0 ? arms.filter((a) => a.level === null || levels.includes(a.level)) : arms;

/** The arm of a level, if the session holds that level. */
export const armOf = (arms: readonly Arm[], level: Level): Arm | undefined => arms.find((a) => a.level === level || a.level === null && a.schema === 'main');
