// The numbering engine. A scope says when its sequence resets (every year, every party term, never)
// and whether each document type has its own sequence. The next number is taken with an UPSERT in
// the caller's transaction, so a failed insert rolls the counter back and no number is consumed.
import type { NumberingPreset, ResetPeriod, Secrecy } from '../../../common/domain';
import type { Db } from '../db/connection';
import { recordChange } from '../events/eventLog';
import { cached } from '../db/statements';

export type { ResetPeriod };

export interface ScopeConfig {
  name: string;
  reset: ResetPeriod;
  perType: boolean;
  /** First day of a party committee term (yyyy-mm-dd), for reset = 'term'. */
  termStart?: string | undefined;
  termYears?: number | undefined;
}

export interface RegisterConfig {
  kind: 'incoming' | 'outgoing';
  name: string;
  secrecy: Secrecy[];
  scope: ScopeConfig;
}

export const INCOMING_REGISTER = 'Sổ đăng ký văn bản đến';
export const BMNN_INCOMING_REGISTER = 'Sổ đăng ký bí mật nhà nước đến';

/**
 * Incoming registers of each preset. Arrival numbers run per register and calendar year in order of
 * receipt, for state and party bodies alike (the state/party differences are about numbers an agency
 * issues: HD 36-HD/VPTW's shared sequence is for its own documents). Secret arrivals (Mật, Tối mật,
 * Tuyệt mật) always go to the Sổ đăng ký bí mật nhà nước đến with its own sequence (Luật Bảo vệ bí
 * mật nhà nước, Luật 117/2025/QH15 and Nghị định 63/2026/NĐ-CP); the ordinary register follows
 * Nghị định 30/2020/NĐ-CP, Phụ lục IV.
 */
const INCOMING_REGISTERS: RegisterConfig[] = [
  { kind: 'incoming', name: INCOMING_REGISTER, secrecy: ['thuong'], scope: { name: 'Số đến', reset: 'year', perType: false } },
  {
    kind: 'incoming', name: BMNN_INCOMING_REGISTER, secrecy: ['mat', 'toi_mat', 'tuyet_mat'],
    scope: { name: 'Số đến BMNN', reset: 'year', perType: false },
  },
];
export const PRESET_REGISTERS: Record<NumberingPreset, RegisterConfig[]> = {
  state: INCOMING_REGISTERS,
  party: INCOMING_REGISTERS,
};

export function createScope(db: Db, s: ScopeConfig, by: number | null = null, now = new Date()): number {
  const id = Number(
    db.prepare('INSERT INTO numbering_scopes (name, reset, per_type, term_start, term_years) VALUES (?,?,?,?,?)')
      .run(s.name, s.reset, s.perType ? 1 : 0, s.termStart ?? null, s.termYears ?? 5).lastInsertRowid,
  );
  recordChange(db, 'numbering_scopes', id, 'create', by, now);
  return id;
}

export function createRegister(db: Db, r: RegisterConfig, by: number | null = null, now = new Date()): number {
  const scopeId = createScope(db, r.scope, by, now);
  const id = Number(
    db.prepare('INSERT INTO registers (kind, name, secrecy, scope_id) VALUES (?,?,?,?)')
      .run(r.kind, r.name, JSON.stringify(r.secrecy), scopeId).lastInsertRowid,
  );
  recordChange(db, 'registers', id, 'create', by, now);
  return id;
}

export interface ScopeRow { id: number; name: string; reset: ResetPeriod; per_type: number; term_start: string | null; term_years: number }

/** The period key a date falls in: "2026" for yearly scopes, "term:2025-10-15" for party terms. */
export function periodOf(scope: Pick<ScopeRow, 'reset' | 'term_start' | 'term_years'>, isoDate: string): string {
  if (scope.reset === 'year') return isoDate.slice(0, 4);
  if (scope.reset === 'never') return 'all';
  if (!scope.term_start) throw new Error('term numbering scope has no term start date');
  // Terms follow each other every term_years years from the configured start.
  let start = scope.term_start;
  const step = (iso: string, years: number) => `${Number(iso.slice(0, 4)) + years}${iso.slice(4)}`;
  while (isoDate >= step(start, scope.term_years)) start = step(start, scope.term_years);
  while (isoDate < start) start = step(start, -scope.term_years);
  return `term:${start}`;
}

export interface TakenNumber { number: number; period: string; bucket: string }

/** Connections counting numbers in memory for a transaction (countNumbers): the scopes read and each counter's last number. */
const counting = new WeakMap<Db, { scopes: Map<number, ScopeRow>; counters: Map<string, { scopeId: number; period: string; bucket: string; last: number }> }>();

/** Takes the next number of a scope. Must run inside the transaction that stores the record. */
export function takeNumber(db: Db, scopeId: number, isoDate: string, typeCode: string): TakenNumber {
  if (!db.inTransaction) throw new Error('takeNumber must run inside the record transaction');
  const memory = counting.get(db);
  let scope = memory?.scopes.get(scopeId);
  if (!scope) {
    scope = cached(db, 'SELECT * FROM numbering_scopes WHERE id = ?').get(scopeId) as ScopeRow | undefined;
    if (!scope) throw new Error(`numbering scope ${scopeId} does not exist`);
    memory?.scopes.set(scopeId, scope);
  }
  const period = periodOf(scope, isoDate);
  const bucket = scope.per_type ? typeCode : '*';
  if (memory) {
    const key = `${scopeId}\u0000${period}\u0000${bucket}`;
    let counter = memory.counters.get(key);
    if (!counter) {
      const last = cached(db, 'SELECT last FROM number_counters WHERE scope_id = ? AND period = ? AND bucket = ?').pluck().get(scopeId, period, bucket) as number | undefined;
      memory.counters.set(key, (counter = { scopeId, period, bucket, last: last ?? 0 }));
    }
    return { number: ++counter.last, period, bucket };
  }
  const n = cached(
      db,
      `INSERT INTO number_counters (scope_id, period, bucket, last) VALUES (?,?,?,1)
       ON CONFLICT (scope_id, period, bucket) DO UPDATE SET last = last + 1 RETURNING last`,
    )
    .pluck()
    .get(scopeId, period, bucket) as number;
  return { number: n, period, bucket };
}

/**
 * From now on this connection's local numbers are counted in memory (each counter read once, written
 * at settleNumbers) instead of a statement per number: the same numbers, in the same order. Only for a
 * transaction in which nothing else reads or moves the counters (a set-wise import slice numbering
 * locally: never while linked, where the server's numbers move them).
 */
export function countNumbers(db: Db): void {
  counting.set(db, { scopes: new Map(), counters: new Map() });
}

/** Where the counters stand (to take back the numbers of a write rolled back to a savepoint). */
export function numbersMark(db: Db): Map<string, number> | undefined {
  const memory = counting.get(db);
  return memory && new Map([...memory.counters].map(([k, c]) => [k, c.last]));
}

export function resetNumbers(db: Db, mark: Map<string, number> | undefined): void {
  const memory = counting.get(db);
  if (!memory || !mark) return;
  for (const [k, c] of memory.counters) {
    const last = mark.get(k);
    if (last === undefined) memory.counters.delete(k);
    else c.last = last;
  }
}

/** Writes the counted numbers into their counters and stops counting in memory. */
export function settleNumbers(db: Db): void {
  const memory = counting.get(db);
  counting.delete(db);
  if (!memory) return;
  const write = cached(db, `INSERT INTO number_counters (scope_id, period, bucket, last) VALUES (?,?,?,?)
    ON CONFLICT (scope_id, period, bucket) DO UPDATE SET last = excluded.last`);
  for (const c of memory.counters.values()) if (c.last > 0) write.run(c.scopeId, c.period, c.bucket, c.last);
}

/** Stops counting in memory without writing (the transaction is rolled back). */
export function dropNumbers(db: Db): void {
  counting.delete(db);
}

/** The number takeNumber would return now, without taking it (a preview for the form). */
export function scopeRow(db: Db, scopeId: number): ScopeRow {
  const scope = cached(db, 'SELECT * FROM numbering_scopes WHERE id = ?').get(scopeId) as ScopeRow | undefined;
  if (!scope) throw new Error(`numbering scope ${scopeId} does not exist`);
  return scope;
}

export function peekNumber(db: Db, scopeId: number, isoDate: string, typeCode: string): number {
  const scope = db.prepare('SELECT * FROM numbering_scopes WHERE id = ?').get(scopeId) as ScopeRow | undefined;
  if (!scope) throw new Error(`numbering scope ${scopeId} does not exist`);
  const last = db
    .prepare('SELECT last FROM number_counters WHERE scope_id = ? AND period = ? AND bucket = ?')
    .pluck()
    .get(scopeId, periodOf(scope, isoDate), scope.per_type ? typeCode : '*') as number | undefined;
  return (last ?? 0) + 1;
}
