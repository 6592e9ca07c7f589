// The numbering engine. A scope says when its sequence resets (every year, every party term, never)
// and whether each document type has its own sequence. The next number is taken with an UPSERT in
// the caller's transaction, so a failed insert rolls the counter back and no number is consumed.
import type { NumberingPreset, Secrecy } from '../../../common/domain';
import type { Db } from '../db/connection';
import { recordChange } from '../events/eventLog';
import { cached } from '../db/statements';

export type ResetPeriod = 'year' | 'term' | 'never';

export interface ScopeConfig {
  name: string;
  reset: ResetPeriod;
  perType: boolean;
  /** First day of a party committee term (yyyy-mm-dd), for reset = 'term'. */
  termStart?: string;
  termYears?: number;
}

export interface RegisterConfig {
  kind: 'incoming';
  name: string;
  secrecy: Secrecy[];
  scope: ScopeConfig;
}

/**
 * Incoming registers of each preset. State bodies keep secret documents in their own register with
 * its own sequence (NĐ 30/2020, Law on State Secrets); party bodies number secret and non-secret
 * documents in one sequence (HD 36-HD/VPTW). Both reset arrival numbers every 1 January.
 */
export const PRESET_REGISTERS: Record<NumberingPreset, RegisterConfig[]> = {
  state: [
    { kind: 'incoming', name: 'Sổ đăng ký văn bản đến', secrecy: ['thuong'], scope: { name: 'Số đến', reset: 'year', perType: false } },
    {
      kind: 'incoming', name: 'Sổ đăng ký văn bản mật đến', secrecy: ['mat', 'toi_mat', 'tuyet_mat'],
      scope: { name: 'Số đến mật', reset: 'year', perType: false },
    },
  ],
  party: [
    {
      kind: 'incoming', name: 'Sổ đăng ký văn bản đến', secrecy: ['thuong', 'mat', 'toi_mat', 'tuyet_mat'],
      scope: { name: 'Số đến', reset: 'year', perType: false },
    },
  ],
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

interface ScopeRow { id: number; reset: ResetPeriod; per_type: number; term_start: string | null; term_years: number }

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

export interface TakenNumber { number: number; period: string }

/** Takes the next number of a scope. Must run inside the transaction that stores the record. */
export function takeNumber(db: Db, scopeId: number, isoDate: string, typeCode: string): TakenNumber {
  if (!db.inTransaction) throw new Error('takeNumber must run inside the record transaction');
  const scope = cached(db, 'SELECT * FROM numbering_scopes WHERE id = ?').get(scopeId) as ScopeRow | undefined;
  if (!scope) throw new Error(`numbering scope ${scopeId} does not exist`);
  const period = periodOf(scope, isoDate);
  const bucket = scope.per_type ? typeCode : '*';
  const n = cached(
      db,
      `INSERT INTO number_counters (scope_id, period, bucket, last) VALUES (?,?,?,1)
       ON CONFLICT (scope_id, period, bucket) DO UPDATE SET last = last + 1 RETURNING last`,
    )
    .pluck()
    .get(scopeId, period, bucket) as number;
  return { number: n, period };
}

/** The number takeNumber would return now, without taking it (a preview for the form). */
export function peekNumber(db: Db, scopeId: number, isoDate: string, typeCode: string): number {
  const scope = db.prepare('SELECT * FROM numbering_scopes WHERE id = ?').get(scopeId) as ScopeRow | undefined;
  if (!scope) throw new Error(`numbering scope ${scopeId} does not exist`);
  const last = db
    .prepare('SELECT last FROM number_counters WHERE scope_id = ? AND period = ? AND bucket = ?')
    .pluck()
    .get(scopeId, periodOf(scope, isoDate), scope.per_type ? typeCode : '*') as number | undefined;
  return (last ?? 0) + 1;
}
