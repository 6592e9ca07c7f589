// Outgoing numbering conflicts for the sync panel (docs/server.md "Outgoing numbers"): a number the
// register's home workstation gave offline that the agency server had already given another
// workstation's document. The number is inside the agency's signature, so it is never renumbered
// (sharedNumbering.sendPending keeps the conflict on its number_reports row): a person resolves it.
// Listed for the văn thư and the administrator: the register, the number, our document (its subject
// and number symbol only at or below the person's clearance and from a compartment this session
// holds), who took the number (the person, by name, and their workstation), the other workstation's
// document when this profile has it, and when.
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

/**
 * Who issued the other workstation's document, as a user global id: the actor of its issue event here,
 * applied (the document is in this profile) or set aside (it holds our number in the same register: the
 * sync keeps it aside while the conflict stands), in a compartment this session holds.
 */
function issuerOf(db: Db, levels: readonly Secrecy[], record: string): string | null {
  for (const level of levels) {
    const s = schemaOf(level);
    const applied = db.prepare(`SELECT actor FROM ${s}.events WHERE entity = 'outgoing' AND entity_id = ? AND json_extract(data, '$.status') = 'issued' ORDER BY seq DESC LIMIT 1`)
      .pluck().get(record) as string | null | undefined;
    if (applied) return applied;
    const aside = db.prepare(`SELECT json_extract(body, '$.actor') FROM ${s}.sync_inbox WHERE json_extract(body, '$.entity') = 'outgoing' AND json_extract(body, '$.entityId') = ?
      AND json_extract(body, '$.data.status') = 'issued' ORDER BY seq DESC LIMIT 1`).pluck().get(record) as string | null | undefined;
    if (aside) return aside;
  }
  return null;
}

/**
 * The person the server gave the number to, by name from this profile's directory of people (synced in
 * the base channel): the server names them by their global id (the enrolment's `person`, users.global_id
 * here); else the actor of the other document's issue event here. Null: not known here.
 */
function personName(db: Db, levels: readonly Secrecy[], holder: NumberConflict['holder'] | undefined): string | null {
  const named = (gid: string | null | undefined) => gid ? (db.prepare('SELECT full_name FROM main.users WHERE global_id = ?').pluck().get(gid) as string | undefined) ?? null : null;
  return named(holder?.person) ?? (holder?.record ? named(issuerOf(db, levels, holder.record)) : null);
}

export function outgoingNumberConflicts(db: Db, levels: readonly Secrecy[], actor: Actor): Listed[] {
  const rows = db.prepare(`SELECT p.number, p.period, p.compartment, p.record_global_id AS record, p.made_at AS madeAt, p.problem, r.name AS register
    FROM main.number_reports p JOIN main.registers r ON r.id = p.register_id
    WHERE p.kind = 'report' AND p.reported_at IS NULL AND p.problem IS NOT NULL AND p.after_restore IS NULL AND r.kind = 'outgoing' ORDER BY p.id`).all() as
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
        person: personName(db, levels, conflict.holder),
        workstation: conflict.holder?.workstation ?? null,
        at: conflict.holder?.allocatedAt ?? null,
        document: theirs ? { numberSymbol: theirs.numberSymbol, subject: theirs.subject } : null,
      },
    });
  }
  return out;
}
