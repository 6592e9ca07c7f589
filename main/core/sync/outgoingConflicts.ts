// Outgoing numbering conflicts for the sync panel (docs/server.md "Outgoing numbers"): a number the
// register's home workstation gave offline that the agency server had already given another
// workstation's document. The number is inside the agency's signature, so it is never renumbered
// (sharedNumbering.sendPending keeps the conflict on its number_reports row): a person resolves it.
// Listed for the văn thư and the administrator: the register, the number, our document (its subject
// and number symbol only at or below the person's clearance and from a compartment this session
// holds), the other workstation's document when this profile has it, and when.
import type { SyncPanelView } from '../../../common/contract';
import { secrecyRank, type Secrecy } from '../../../common/domain';
import type { Db } from '../db/connection';
import { isLevel, schemaOf, type Level } from '../compartments/levels';
import type { NumberConflict } from './numbers/protocol';
import type { Actor } from '../org/rights';

type Listed = SyncPanelView['outgoingNumberConflicts'][number];

const levelOf = (compartment: string | null): Level | null => {
  const name = compartment?.replace(/^c_/, '') ?? null;
  return isLevel(name) ? name : null;
};

/** The outgoing record with this global id in a compartment this session holds and the person may read. */
function readable(db: Db, levels: readonly Secrecy[], actor: Actor, globalId: string, only?: Level | null) {
  for (const level of levels) {
    if (only && level !== only) continue;
    if (secrecyRank(level) > secrecyRank(actor.clearance)) continue;
    const row = db.prepare(`SELECT id, number_symbol AS numberSymbol, subject, issued_date AS issuedDate FROM ${schemaOf(level)}.outgoing WHERE global_id = ?`)
      .get(globalId) as { id: number; numberSymbol: string | null; subject: string; issuedDate: string | null } | undefined;
    if (row) return { ...row, level };
  }
  return null;
}

export function outgoingNumberConflicts(db: Db, levels: readonly Secrecy[], actor: Actor): Listed[] {
  const rows = db.prepare(`SELECT p.number, p.period, p.compartment, p.record_global_id AS record, p.made_at AS madeAt, p.problem, r.name AS register
    FROM main.number_reports p JOIN main.registers r ON r.id = p.register_id
    WHERE p.kind = 'report' AND p.reported_at IS NULL AND p.problem IS NOT NULL AND r.kind = 'outgoing' ORDER BY p.id`).all() as
    Array<{ number: number; period: string; compartment: string | null; record: string; madeAt: string; problem: string; register: string }>;
  const out: Listed[] = [];
  for (const r of rows) {
    let conflict: NumberConflict;
    try {
      conflict = JSON.parse(r.problem) as NumberConflict;
    } catch {
      continue;
    }
    if (conflict.error !== 'number-taken') continue;
    const level = levelOf(r.compartment);
    const own = readable(db, levels, actor, r.record, level);
    const theirs = conflict.holder?.record ? readable(db, levels, actor, conflict.holder.record) : null;
    out.push({
      register: r.register, number: r.number, givenAt: r.madeAt, level,
      document: own ? { outgoingId: own.id, numberSymbol: own.numberSymbol, subject: own.subject, issuedDate: own.issuedDate } : null,
      other: {
        workstation: conflict.holder?.workstation ?? null,
        at: conflict.holder?.allocatedAt ?? null,
        document: theirs ? { numberSymbol: theirs.numberSymbol, subject: theirs.subject } : null,
      },
    });
  }
  return out;
}
