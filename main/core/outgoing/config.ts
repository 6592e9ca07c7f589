// The agency's rules for issuing documents: its issuer notation (the part after the type code:
// UBND, TU, VPTU), whether the number must be given on the day of signing, whether the agency's
// signature is required, which certificates are the agency's; and the outgoing registers with their
// numbering scopes, made from the profile's preset the first time they are needed and configured
// afterwards like every scope (documents/registers.ts).
import type { NumberingPreset, Secrecy } from '../../../common/domain';
import type { OutgoingConfigInput } from '../../../common/schemas';
import type { Db } from '../db/connection';
import { getSetting, setSetting } from '../profile/settings';
import { createRegister, type RegisterConfig } from '../documents/numbering';
import { recordChange } from '../events/eventLog';

export type OutgoingConfig = OutgoingConfigInput & { yearInNumber: string[] };

/**
 * The types whose number carries the year of issue by default: the legal normative documents a state
 * body issues (Luật 80/2015 and NĐ 34/2016: 01/2024/NĐ-CP, 12/2024/TT-BTC). Party number-symbols
 * never carry it (HD 36-HD/VPTW). An agency adds its own legal types (15/2024/QĐ-UBND for a
 * normative decision) in the configuration.
 */
export const YEAR_IN_NUMBER_DEFAULT: Record<NumberingPreset, string[]> = { state: ['L', 'NĐ', 'TT', 'TTLT', 'NQLT'], party: [] };

export const OUTGOING_REGISTER = 'Sổ đăng ký văn bản đi';
export const BMNN_OUTGOING_REGISTER = 'Sổ đăng ký bí mật nhà nước đi';
const SECRET: Secrecy[] = ['mat', 'toi_mat', 'tuyet_mat'];

/**
 * Defaults (each configurable by an administrator): the issuer notation is a placeholder the agency
 * replaces with its own (UBND for a People's Committee, TU for a provincial party committee); the
 * number is given on the day of signing (NĐ 30/2020 art. 15: "sau khi ký, cùng ngày"); the agency
 * signs every electronic document after the signer; any signing certificate bound to the văn thư
 * counts as the agency's until the agency names its certificates.
 */
export function defaultConfig(preset: NumberingPreset): OutgoingConfig {
  return { issuerNotation: preset === 'party' ? 'TU' : 'UBND', sameDayIssue: true, requireAgencySignature: true, agencyCertificates: [], yearInNumber: [...YEAR_IN_NUMBER_DEFAULT[preset]] };
}

export const presetOf = (db: Db): NumberingPreset => (getSetting(db, 'numbering_preset') === 'party' ? 'party' : 'state');

export function readConfig(db: Db): OutgoingConfig {
  const raw = getSetting(db, 'outgoing_config');
  const base = defaultConfig(presetOf(db));
  if (!raw) return base;
  try {
    return { ...base, ...(JSON.parse(raw) as Partial<OutgoingConfig>) };
  } catch {
    return base;
  }
}

/** Whether the number of a type carries the year (state form only). */
export const yearInNumber = (cfg: OutgoingConfig, preset: NumberingPreset, typeCode: string): boolean => preset === 'state' && cfg.yearInNumber.includes(typeCode);

export function writeConfig(db: Db, c: OutgoingConfig): void {
  setSetting(db, 'outgoing_config', JSON.stringify(c));
}

/**
 * The outgoing registers of each preset (Hướng dẫn 36-HD/VPTW and NĐ 30/2020, as the digest says):
 *   state: numbers reset every 1 January; one sequence for the agency's documents; secret documents
 *          their own sequence in the Sổ đăng ký bí mật nhà nước đi;
 *   party: numbers run per document type through the committee's term; secret documents share the
 *          sequence of their type (two registers, one scope). The term start is a default to set.
 */
export function presetOutgoingRegisters(preset: NumberingPreset): Array<Omit<RegisterConfig, 'kind'> & { sharedScope?: boolean }> {
  if (preset === 'state') {
    return [
      { name: OUTGOING_REGISTER, secrecy: ['thuong'], scope: { name: 'Số văn bản đi', reset: 'year', perType: false } },
      { name: BMNN_OUTGOING_REGISTER, secrecy: SECRET, scope: { name: 'Số văn bản đi BMNN', reset: 'year', perType: false } },
    ];
  }
  const scope = { name: 'Số văn bản đi theo loại (nhiệm kỳ)', reset: 'term' as const, perType: true, termStart: '2025-10-01', termYears: 5 };
  return [
    { name: OUTGOING_REGISTER, secrecy: ['thuong'], scope },
    { name: BMNN_OUTGOING_REGISTER, secrecy: SECRET, scope, sharedScope: true },
  ];
}

/** Makes the outgoing registers of the profile's preset when it has none (inside a write transaction). */
export function ensureOutgoingRegisters(db: Db, by: number, now: Date): void {
  if (db.prepare("SELECT 1 FROM main.registers WHERE kind = 'outgoing' LIMIT 1").get()) return;
  let lastScope: number | null = null;
  for (const r of presetOutgoingRegisters(presetOf(db))) {
    if (r.sharedScope && lastScope !== null) {
      const id = Number(db.prepare("INSERT INTO main.registers (kind, name, secrecy, scope_id) VALUES ('outgoing',?,?,?)").run(r.name, JSON.stringify(r.secrecy), lastScope).lastInsertRowid);
      recordChange(db, 'registers', id, 'create', by, now);
      continue;
    }
    const regId = createRegister(db, { kind: 'outgoing', name: r.name, secrecy: r.secrecy, scope: r.scope }, by, now);
    lastScope = db.prepare('SELECT scope_id FROM main.registers WHERE id = ?').pluck().get(regId) as number;
  }
}

export interface OutgoingRegisterRow { id: number; name: string; secrecy: string; scope_id: number }

/** The active outgoing register that takes a level (the first by id). */
export function outgoingRegisterFor(db: Db, secrecy: Secrecy): OutgoingRegisterRow | undefined {
  const rows = db.prepare("SELECT id, name, secrecy, scope_id FROM main.registers WHERE kind = 'outgoing' AND active = 1 ORDER BY id").all() as OutgoingRegisterRow[];
  return rows.find((r) => (JSON.parse(r.secrecy) as Secrecy[]).includes(secrecy));
}
