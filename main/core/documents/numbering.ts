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
  return { number: n, period, bucket };
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
