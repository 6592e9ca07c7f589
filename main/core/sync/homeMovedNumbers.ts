// Numbers this workstation gave offline as a register's home after an administrator had moved the home
// away from it (it was cut off and had not heard of it): the agency server refuses them (409
// `home-moved`, docs/server.md "Moving a register's home") and sharedNumbering.sendPending keeps each on
// its number_reports row. Listed in the sync panel for the văn thư and the administrator: the register,
// the number, when it was given, the document (its subject only at or below the person's clearance and
// from a compartment this session holds), and the new home with the move's time.
import type { SyncPanelView } from '../../../common/contract';
import { secrecyRank, type Secrecy } from '../../../common/domain';
import { isLevel, schemaOf, type Level } from '../compartments/levels';
import type { Db } from '../db/connection';
import type { Actor } from '../org/rights';
import type { HomeMovedConflict } from './numbers/protocol';

type Listed = SyncPanelView['homeMovedNumbers'][number];

export function documentOf(db: Db, levels: readonly Secrecy[], actor: Actor, level: Level | null, kind: string, record: string): Listed['document'] {
  if (!level || !levels.includes(level) || secrecyRank(level) > secrecyRank(actor.clearance)) return null;
  const table = kind === 'incoming' ? 'incoming' : 'outgoing';
  const s = schemaOf(level);
  // An arrival renumbered before may be named by its correction's global id (numberedRecords.ts).
  const row = (db.prepare(`SELECT id, subject FROM ${s}.${table} WHERE global_id = ?`).get(record)
    ?? (table === 'incoming' ? db.prepare(`SELECT i.id, i.subject FROM ${s}.incoming_corrections k JOIN ${s}.incoming i ON i.id = k.incoming_id WHERE k.global_id = ?`).get(record) : undefined)) as
    { id: number; subject: string } | undefined;
  return row ? { kind: table, id: row.id, subject: row.subject } : null;
}

export function homeMovedNumbers(db: Db, levels: readonly Secrecy[], actor: Actor): Listed[] {
  const rows = db.prepare(`SELECT p.number, p.compartment, p.record_global_id AS record, p.made_at AS madeAt, p.problem, r.name AS register, r.kind
    FROM main.number_reports p JOIN main.registers r ON r.id = p.register_id
    WHERE p.kind = 'report' AND p.reported_at IS NULL AND p.problem LIKE '%"home-moved"%' ORDER BY p.id`).all() as
    Array<{ number: number; compartment: string | null; record: string; madeAt: string; problem: string; register: string; kind: string }>;
  const out: Listed[] = [];
  for (const r of rows) {
    let moved: HomeMovedConflict;
    try {
      moved = JSON.parse(r.problem) as HomeMovedConflict;
    } catch {
      continue;
    }
    if (moved.error !== 'home-moved' || !moved.move) continue;
    const name = r.compartment?.replace(/^c_/, '') ?? null;
    const level = isLevel(name) ? name : null;
    out.push({
      register: r.register, number: r.number, givenAt: r.madeAt, level,
      document: documentOf(db, levels, actor, level, r.kind, r.record),
      movedTo: moved.move.to, movedAt: moved.move.movedAt,
      movedBy: typeof moved.move.movedBy === 'string' ? ((db.prepare('SELECT full_name FROM main.users WHERE global_id = ?').pluck().get(moved.move.movedBy) as string | undefined) ?? null) : null,
      reason: typeof moved.move.reason === 'string' && moved.move.reason.trim() ? moved.move.reason.trim() : null,
    });
  }
  return out;
}
