// A classified record as the controls below see it: the compartment it is in (held by the session),
// its level and numbers. Everything here answers NOT_FOUND for a record the person may not see, so a
// refusal never tells that a record exists.
import { secrecyRank, type Secrecy } from '../../../common/domain';
import type { Db } from '../db/connection';
import { visibleArm } from '../documents/incoming';
import type { Arm } from '../documents/arms';
import type { Actor } from '../org/rights';

export interface PlacedRecord {
  id: number;
  globalId: string;
  c: string;
  secrecy: Secrecy;
  registerId: number;
  registerName: string;
  year: number;
  arrivalNumber: number;
  numberSymbol: string;
  documentDate: string;
  urgency: string;
}

export function placeOf(db: Db, arms: readonly Arm[], actor: Actor, id: number): PlacedRecord {
  const c = visibleArm(db, arms, actor, id).schema;
  const r = db.prepare(`SELECT i.id, i.global_id AS globalId, i.secrecy, i.register_id AS registerId, g.name AS registerName, i.year,
      i.arrival_number AS arrivalNumber, i.number_symbol AS numberSymbol, i.document_date AS documentDate, i.urgency
    FROM ${c}.incoming i JOIN registers g ON g.id = i.register_id WHERE i.id = ?`).get(id) as Omit<PlacedRecord, 'c'>;
  return { ...r, c };
}

export const isClassified = (s: Secrecy): s is Exclude<Secrecy, 'thuong'> => secrecyRank(s) > 0;
