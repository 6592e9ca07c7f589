// Numbers this workstation gave before the agency server's store was restored from a backup, which the
// restored server answered as clashes (documents/numberedRecords.keepClashes keeps each on a
// number_reports row naming the restore). Listed in the sync panel for the văn thư and the
// administrator: the register, the number, when it was given, the document (its subject only at or below
// the person's clearance and from a compartment this session holds: homeMovedNumbers.documentOf), why,
// and whether the software renumbers it (an arrival whose number was given to another record) or a
// person has to act (an issued document: the number is inside the agency's signature).
import type { SyncPanelView } from '../../../common/contract';
import type { Secrecy } from '../../../common/domain';
import { isLevel } from '../compartments/levels';
import type { Db } from '../db/connection';
import { restoreClashOf } from '../documents/sharedNumbering';
import type { Actor } from '../org/rights';
import { documentOf } from './homeMovedNumbers';

type Listed = SyncPanelView['restoreNumberClashes'][number];

export function restoreNumberClashes(db: Db, levels: readonly Secrecy[], actor: Actor): Listed[] {
  const rows = db.prepare(`SELECT p.number, p.compartment, p.record_global_id AS record, p.made_at AS madeAt, p.problem, r.name AS register, r.kind
    FROM main.number_reports p JOIN main.registers r ON r.id = p.register_id
    WHERE p.kind = 'report' AND p.reported_at IS NULL AND p.after_restore IS NOT NULL ORDER BY p.id`).all() as
    Array<{ number: number; compartment: string | null; record: string; madeAt: string; problem: string | null; register: string; kind: string }>;
  const out: Listed[] = [];
  for (const r of rows) {
    const reason = restoreClashOf(r.problem);
    if (!reason || (r.kind !== 'incoming' && r.kind !== 'outgoing')) continue;
    const name = r.compartment?.replace(/^c_/, '') ?? null;
    const level = isLevel(name) ? name : null;
    out.push({
      register: r.register, kind: r.kind, number: r.number, givenAt: r.madeAt, level,
      document: documentOf(db, levels, actor, level, r.kind, r.record),
      reason, renumbers: r.kind === 'incoming' && reason === 'number-taken',
    });
  }
  return out;
}
