// The agency's own units (phòng, ban, đơn vị trực thuộc): where incoming documents are handed over
// to. Distinct from `units`, the bodies the agency corresponds with (issuers). A unit is never
// deleted, only made inactive, so older hand-overs keep their recipient.
import type { InternalUnitView, RecipientOption } from '../../../common/contract';
import { DeskError, type MessageKey, type MessageParams } from '../../../common/errors';
import { foldVietnamese } from '../../../common/vietnamese';
import type { Db } from '../db/connection';
import { recordChange } from '../events/eventLog';

interface Row { id: number; name: string; code: string; parent_id: number | null; active: number; valid_from: string | null; valid_to: string | null }

const view = (r: Row): InternalUnitView => ({ id: r.id, name: r.name, code: r.code, parentId: r.parent_id, active: r.active === 1, validFrom: r.valid_from, validTo: r.valid_to });
const COLUMNS = 'id, name, code, parent_id, active, valid_from, valid_to';
const invalid = (field: string, key: MessageKey, params?: MessageParams) => DeskError.keyed('VALIDATION', key, params, { at: field });
const key = (name: string) => foldVietnamese(name).replace(/\s+/g, ' ').trim();

export function listInternalUnits(db: Db): InternalUnitView[] {
  return (db.prepare(`SELECT ${COLUMNS} FROM internal_units ORDER BY active DESC, name_folded`).all() as Row[]).map(view);
}

export function findInternalUnit(db: Db, id: number): InternalUnitView | undefined {
  const r = db.prepare(`SELECT ${COLUMNS} FROM internal_units WHERE id = ?`).get(id) as Row | undefined;
  return r ? view(r) : undefined;
}

function assertUniqueName(db: Db, name: string, parentId: number | null, exceptId?: number): void {
  const rows = db.prepare('SELECT id, name FROM internal_units WHERE parent_id IS ? AND active = 1').all(parentId) as Array<{ id: number; name: string }>;
  if (rows.some((r) => r.id !== exceptId && key(r.name) === key(name))) throw invalid('name', 'unit.nameTaken', { name });
}

function assertParent(db: Db, parentId: number | null, selfId?: number): void {
  if (parentId === null) return;
  // Walk up from the parent: the unit itself must not be among its ancestors.
  for (let id: number | null = parentId, depth = 0; id !== null; depth++) {
    if (id === selfId || depth > 20) throw invalid('parentId', 'unit.selfParent');
    const r = db.prepare('SELECT parent_id, active FROM internal_units WHERE id = ?').get(id) as { parent_id: number | null; active: number } | undefined;
    if (!r || (id === parentId && r.active !== 1)) throw invalid('parentId', 'unit.parentUnknown');
    id = r.parent_id;
  }
}

/** Adds a unit of the agency. Runs inside the caller's transaction. */
export function addInternalUnit(
  db: Db, u: { name: string; parentId?: number | undefined; code?: string; validFrom?: string | null }, by: number, now: Date,
): number {
  const parentId = u.parentId ?? null;
  assertParent(db, parentId);
  assertUniqueName(db, u.name, parentId);
  const id = Number(
    db.prepare('INSERT INTO internal_units (name, name_folded, parent_id, created_at, code, valid_from) VALUES (?,?,?,?,?,?)')
      .run(u.name, key(u.name), parentId, now.toISOString(), u.code ?? '', u.validFrom ?? null).lastInsertRowid,
  );
  recordChange(db, 'internal_units', id, 'create', by, now);
  return id;
}

/** Renames, moves or deactivates a unit. Runs inside the caller's transaction. */
export function updateInternalUnit(
  db: Db, u: { id: number; name?: string | undefined; parentId?: number | null | undefined; active?: boolean | undefined }, by: number, now: Date,
): { before: InternalUnitView; after: InternalUnitView } {
  const before = findInternalUnit(db, u.id);
  if (!before) throw DeskError.keyed('NOT_FOUND', 'unit.notFound');
  const name = u.name ?? before.name;
  const parentId = u.parentId === undefined ? before.parentId : u.parentId;
  const active = u.active ?? before.active;
  if (parentId !== before.parentId) assertParent(db, parentId, u.id);
  if (active && (name !== before.name || parentId !== before.parentId || !before.active)) assertUniqueName(db, name, parentId, u.id);
  db.prepare('UPDATE internal_units SET name = ?, name_folded = ?, parent_id = ?, active = ? WHERE id = ?')
    .run(name, key(name), parentId, active ? 1 : 0, u.id);
  recordChange(db, 'internal_units', u.id, 'update', by, now);
  // An edit corrects the current name (a typo); a rename by decision is dated (structure.ts renameUnit).
  if (name !== before.name) {
    for (const periodId of db.prepare('SELECT id FROM internal_unit_names WHERE unit_id = ? AND valid_to IS NULL').pluck().all(u.id) as number[]) {
      db.prepare('UPDATE internal_unit_names SET name = ? WHERE id = ?').run(name, periodId);
      recordChange(db, 'internal_unit_names', periodId, 'update', by, now);
    }
  }
  return { before, after: findInternalUnit(db, u.id)! };
}

/** Units and people of the agency whose folded name holds every folded word of the query. */
export function searchRecipients(db: Db, query: string, limit: number): RecipientOption[] {
  const words = foldVietnamese(query).split(/\s+/).filter(Boolean).slice(0, 8);
  const like = (col: string) => words.map(() => `${col} LIKE ? ESCAPE '\\'`).join(' AND ');
  const params = words.map((w) => `%${w.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  const units = db.prepare(
    `SELECT u.id, u.name, coalesce(p.name, '') AS detail FROM internal_units u LEFT JOIN internal_units p ON p.id = u.parent_id
     WHERE u.active = 1 ${words.length ? `AND ${like('u.name_folded')}` : ''} ORDER BY u.name_folded LIMIT ?`,
  ).all(...params, limit) as Array<{ id: number; name: string; detail: string }>;
  // People: folded in JS (the users table has no folded column; it holds tens of people, not thousands).
  const people = (db.prepare('SELECT id, full_name AS name, position AS detail FROM users WHERE active = 1 ORDER BY full_name').all() as Array<{ id: number; name: string; detail: string }>)
    .filter((p) => words.every((w) => foldVietnamese(`${p.name} ${p.detail}`).includes(w)))
    .slice(0, limit);
  // Both kinds get room: people take what units leave, and at least half when they match.
  const shownPeople = people.slice(0, Math.max(limit - units.length, Math.ceil(limit / 2)));
  return [
    ...units.slice(0, limit - shownPeople.length).map((u) => ({ kind: 'unit' as const, ...u })),
    ...shownPeople.map((p) => ({ kind: 'user' as const, ...p })),
  ];
}
