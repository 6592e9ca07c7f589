// The agency's own structure over time: which unit each person belongs to and in what capacity,
// who may direct, approve and sign (with the signing prefixes TM., KT., TL., TUQ., Q.), and how units
// were renamed, merged and split. Nothing here is overwritten: a rename closes the old name's period,
// a merge or split ends the old units on a date and links them to their successors, an authority
// ends on a date. So a document keeps the names it was handled under, and a question like "who
// could sign for this unit on 12/03/2026" has one answer. All functions run inside the caller's
// transaction; the service (StructureService.ts) authorizes and audits.
import type { AuthorityView, InternalUnitHistory, UnitLinkView, UnitMemberView } from '../../../common/contract';
import { addDaysIso, formatDateVn } from '../../../common/dates';
import type { AuthorityKind, SigningPrefix, UnitRole } from '../../../common/domain';
import { DeskError, type MessageKey, type MessageParams } from '../../../common/errors';
import { foldVietnamese } from '../../../common/vietnamese';
import type { Db } from '../db/connection';
import { recordChange } from '../events/eventLog';
import { addInternalUnit, findInternalUnit } from './internalUnits';

const invalid = (field: string, key: MessageKey, params?: MessageParams) => DeskError.keyed('VALIDATION', key, params, { at: field });
const fold = (s: string) => foldVietnamese(s).replace(/\s+/g, ' ').trim();

interface UnitRow { id: number; name: string; code: string; parent_id: number | null; active: number; valid_from: string | null; valid_to: string | null }

function unitRow(db: Db, id: number): UnitRow {
  const r = db.prepare('SELECT id, name, code, parent_id, active, valid_from, valid_to FROM internal_units WHERE id = ?').get(id) as UnitRow | undefined;
  if (!r) throw DeskError.keyed('NOT_FOUND', 'unit.notFound');
  return r;
}

function assertActive(u: UnitRow, field: string): void {
  if (u.active !== 1) throw invalid(field, 'structure.unitEnded', { name: u.name, date: formatDateVn(u.valid_to) });
}

/** A unit's short code (VP, TCCB) is unique among the active units: it goes into number-symbols. */
function assertCodeFree(db: Db, code: string, exceptIds: readonly number[] = []): void {
  if (!code) return;
  const rows = db.prepare("SELECT id, name, code FROM internal_units WHERE active = 1 AND code <> ''").all() as Array<{ id: number; name: string; code: string }>;
  const taken = rows.find((r) => !exceptIds.includes(r.id) && fold(r.code) === fold(code));
  if (taken) throw invalid('code', 'structure.codeTaken', { code, name: taken.name });
}

/** The date of the unit's latest change: a new change must come after it. */
function lastChangeOf(db: Db, unitId: number): string | null {
  return db.prepare('SELECT max(valid_from) FROM internal_unit_names WHERE unit_id = ?').pluck().get(unitId) as string | null;
}

function assertAfter(db: Db, unitId: number, onDate: string): void {
  const last = lastChangeOf(db, unitId);
  if (last && onDate <= last) throw invalid('onDate', 'structure.dateOrder', { date: formatDateVn(last) });
}

/** Opens a name period (the unit's name and code from `from`); closes the one before it. */
function openNamePeriod(db: Db, unitId: number, name: string, code: string, from: string | null, decision: string, by: number, now: Date): void {
  if (from) {
    const open = db.prepare('SELECT id FROM internal_unit_names WHERE unit_id = ? AND valid_to IS NULL').pluck().all(unitId) as number[];
    for (const id of open) {
      db.prepare('UPDATE internal_unit_names SET valid_to = ? WHERE id = ?').run(addDaysIso(from, -1), id);
      recordChange(db, 'internal_unit_names', id, 'update', by, now);
    }
  }
  const id = Number(db.prepare('INSERT INTO internal_unit_names (unit_id, name, code, valid_from, decision, recorded_by, recorded_at) VALUES (?,?,?,?,?,?,?)')
    .run(unitId, name, code, from, decision, by, now.toISOString()).lastInsertRowid);
  recordChange(db, 'internal_unit_names', id, 'create', by, now);
}

/** A new unit with its first name period (from `validFrom`, or from always when not given). */
export function createUnit(db: Db, u: { name: string; code?: string; parentId?: number | undefined; validFrom?: string | null; decision?: string }, by: number, now: Date): number {
  const code = (u.code ?? '').trim();
  assertCodeFree(db, code);
  const id = addInternalUnit(db, { name: u.name, ...(u.parentId !== undefined ? { parentId: u.parentId } : {}), code, validFrom: u.validFrom ?? null }, by, now);
  openNamePeriod(db, id, u.name, code, u.validFrom ?? null, u.decision ?? '', by, now);
  return id;
}

/**
 * Renames a unit from `onDate` (a decision's effective date): the old name stays the unit's name for
 * everything dated before it.
 */
export function renameUnit(db: Db, r: { id: number; name: string; code?: string | undefined; onDate: string; decision: string }, by: number, now: Date): void {
  const u = unitRow(db, r.id);
  assertActive(u, 'id');
  const code = r.code === undefined ? u.code : r.code.trim();
  if (fold(r.name) === fold(u.name) && code === u.code) throw invalid('name', 'structure.sameName');
  assertAfter(db, r.id, r.onDate);
  assertCodeFree(db, code, [r.id]);
  const siblings = db.prepare('SELECT id, name FROM internal_units WHERE parent_id IS ? AND active = 1 AND id <> ?').all(u.parent_id, r.id) as Array<{ id: number; name: string }>;
  if (siblings.some((s) => fold(s.name) === fold(r.name))) throw invalid('name', 'unit.nameTaken', { name: r.name });
  db.prepare('UPDATE internal_units SET name = ?, name_folded = ?, code = ? WHERE id = ?').run(r.name, fold(r.name), code, r.id);
  recordChange(db, 'internal_units', r.id, 'update', by, now);
  openNamePeriod(db, r.id, r.name, code, r.onDate, r.decision, by, now);
}

/** Ends a unit on the day before `onDate`; its open authorities end with it. */
function endUnit(db: Db, u: UnitRow, onDate: string, by: number, now: Date): void {
  const last = addDaysIso(onDate, -1);
  db.prepare('UPDATE internal_units SET active = 0, valid_to = ? WHERE id = ?').run(last, u.id);
  recordChange(db, 'internal_units', u.id, 'update', by, now);
  const open = db.prepare('SELECT id FROM internal_unit_names WHERE unit_id = ? AND valid_to IS NULL').pluck().all(u.id) as number[];
  for (const id of open) {
    db.prepare('UPDATE internal_unit_names SET valid_to = ? WHERE id = ?').run(last, id);
    recordChange(db, 'internal_unit_names', id, 'update', by, now);
  }
  const auth = db.prepare('SELECT id FROM authorities WHERE unit_id = ? AND ended_at IS NULL AND (valid_to IS NULL OR valid_to > ?)').pluck().all(u.id, last) as number[];
  for (const id of auth) closeAuthority(db, id, onDate, by, now);
}

function link(db: Db, from: number, to: number, kind: 'merge' | 'split', onDate: string, decision: string, by: number, now: Date): void {
  const id = Number(db.prepare('INSERT INTO internal_unit_links (predecessor_id, successor_id, kind, on_date, decision, recorded_by, recorded_at) VALUES (?,?,?,?,?,?,?)')
    .run(from, to, kind, onDate, decision, by, now.toISOString()).lastInsertRowid);
  recordChange(db, 'internal_unit_links', id, 'create', by, now);
}

function moveMembers(db: Db, from: number, to: number | null, by: number, now: Date, only?: readonly number[]): number[] {
  const ids = (db.prepare('SELECT id FROM users WHERE unit_id = ? AND active = 1').pluck().all(from) as number[]).filter((id) => !only || only.includes(id));
  for (const id of ids) {
    db.prepare("UPDATE users SET unit_id = ?, unit_role = CASE WHEN ? IS NULL THEN 'member' ELSE unit_role END WHERE id = ?").run(to, to, id);
    recordChange(db, 'users', id, 'update', by, now);
  }
  return ids;
}

/**
 * Merges units into one from `onDate`: a new unit (`into` a name) or one of them that absorbs the
 * others (`into` an id). The merged units end the day before; their people move to the successor.
 */
export function mergeUnits(
  db: Db, m: { unitIds: readonly number[]; into: { id: number } | { name: string; code?: string | undefined; parentId?: number | undefined }; onDate: string; decision: string },
  by: number, now: Date,
): number {
  const ids = [...new Set(m.unitIds)];
  const absorbing = 'id' in m.into ? m.into.id : null;
  const ending = ids.filter((id) => id !== absorbing);
  if (ending.length + (absorbing === null ? 0 : 1) < 2 || ending.length === 0) throw invalid('unitIds', 'structure.mergeTooFew');
  const rows = ending.map((id) => unitRow(db, id));
  for (const u of rows) {
    assertActive(u, 'unitIds');
    assertAfter(db, u.id, m.onDate);
  }
  let successor: number;
  if (absorbing !== null) {
    const a = unitRow(db, absorbing);
    assertActive(a, 'into');
    successor = a.id;
  } else {
    const into = m.into as { name: string; code?: string | undefined; parentId?: number | undefined };
    // The new unit may take a merged unit's code: those end first.
    for (const u of rows) endUnit(db, u, m.onDate, by, now);
    successor = createUnit(db, { name: into.name, code: into.code ?? '', ...(into.parentId !== undefined ? { parentId: into.parentId } : {}), validFrom: m.onDate, decision: m.decision }, by, now);
  }
  for (const u of rows) {
    if (absorbing !== null) endUnit(db, u, m.onDate, by, now);
    link(db, u.id, successor, 'merge', m.onDate, m.decision, by, now);
    moveMembers(db, u.id, successor, by, now);
    // Sub-units of a merged unit now sit under its successor.
    for (const child of db.prepare('SELECT id FROM internal_units WHERE parent_id = ? AND active = 1').pluck().all(u.id) as number[]) {
      db.prepare('UPDATE internal_units SET parent_id = ? WHERE id = ?').run(successor, child);
      recordChange(db, 'internal_units', child, 'update', by, now);
    }
  }
  return successor;
}

/**
 * Splits a unit into new ones from `onDate`. Each person goes to the successor `members` names
 * (by index into `into`); the others are left without a unit, to be placed by the administrator.
 */
export function splitUnit(
  db: Db, s: { unitId: number; into: ReadonlyArray<{ name: string; code?: string | undefined }>; onDate: string; decision: string; members?: Readonly<Record<string, number>> | undefined },
  by: number, now: Date,
): number[] {
  if (s.into.length < 2) throw invalid('into', 'structure.splitTooFew');
  const u = unitRow(db, s.unitId);
  assertActive(u, 'unitId');
  assertAfter(db, u.id, s.onDate);
  const names = s.into.map((i) => fold(i.name));
  if (new Set(names).size !== names.length) throw invalid('into', 'unit.nameTaken', { name: s.into.find((i, k) => names.indexOf(fold(i.name)) !== k)!.name });
  endUnit(db, u, s.onDate, by, now);
  const successors = s.into.map((i) => createUnit(db, { name: i.name, code: i.code ?? '', ...(u.parent_id !== null ? { parentId: u.parent_id } : {}), validFrom: s.onDate, decision: s.decision }, by, now));
  for (const id of successors) link(db, u.id, id, 'split', s.onDate, s.decision, by, now);
  const members = s.members ?? {};
  for (const [userId, index] of Object.entries(members)) {
    const to = successors[index];
    if (to === undefined) throw invalid('members', 'structure.splitBadTarget');
    moveMembers(db, u.id, to, by, now, [Number(userId)]);
  }
  moveMembers(db, u.id, null, by, now);
  return successors;
}

/** Places a person in a unit (or none) with a capacity there. */
export function setMember(db: Db, m: { userId: number; unitId: number | null; unitRole: UnitRole }, by: number, now: Date): void {
  const exists = db.prepare('SELECT 1 FROM users WHERE id = ? AND active = 1').get(m.userId);
  if (!exists) throw DeskError.keyed('NOT_FOUND', 'structure.personUnknown');
  if (m.unitId !== null) assertActive(unitRow(db, m.unitId), 'unitId');
  db.prepare('UPDATE users SET unit_id = ?, unit_role = ? WHERE id = ?').run(m.unitId, m.unitId === null ? 'member' : m.unitRole, m.userId);
  recordChange(db, 'users', m.userId, 'update', by, now);
}

const PREFIX_KINDS: ReadonlySet<SigningPrefix> = new Set(['TM.', 'KT.', 'TL.', 'TUQ.', 'Q.']);

/** Grants a person the power to direct, approve or sign, for the whole agency or one unit, from a date. */
export function grantAuthority(
  db: Db, a: { userId: number; kind: AuthorityKind; prefix: SigningPrefix; onBehalf: string; unitId: number | null; validFrom: string; validTo: string | null },
  by: number, now: Date,
): number {
  if (!db.prepare('SELECT 1 FROM users WHERE id = ? AND active = 1').get(a.userId)) throw DeskError.keyed('NOT_FOUND', 'structure.personUnknown');
  if (a.unitId !== null) assertActive(unitRow(db, a.unitId), 'unitId');
  if (a.validTo !== null && a.validTo < a.validFrom) throw invalid('validTo', 'structure.periodOrder');
  if (a.kind !== 'sign' && a.prefix !== '') throw invalid('prefix', 'structure.prefixOnlySign');
  if (PREFIX_KINDS.has(a.prefix) && !a.onBehalf.trim()) throw invalid('onBehalf', 'structure.prefixNeedsBehalf', { prefix: a.prefix });
  const id = Number(db.prepare(`INSERT INTO authorities (user_id, kind, prefix, on_behalf, unit_id, valid_from, valid_to, granted_by, granted_at)
    VALUES (?,?,?,?,?,?,?,?,?)`).run(a.userId, a.kind, a.prefix, a.onBehalf.trim(), a.unitId, a.validFrom, a.validTo, by, now.toISOString()).lastInsertRowid);
  recordChange(db, 'authorities', id, 'create', by, now);
  return id;
}

/** Ends an authority the day before `onDate` (it still answers for what was done under it). */
export function endAuthority(db: Db, e: { id: number; onDate: string }, by: number, now: Date): void {
  const r = db.prepare('SELECT valid_from, valid_to, ended_at FROM authorities WHERE id = ?').get(e.id) as { valid_from: string; valid_to: string | null; ended_at: string | null } | undefined;
  if (!r) throw DeskError.keyed('NOT_FOUND', 'structure.authorityUnknown');
  const last = addDaysIso(e.onDate, -1);
  if (r.ended_at || (r.valid_to !== null && r.valid_to <= last)) throw invalid('id', 'structure.authorityEnded');
  closeAuthority(db, e.id, e.onDate, by, now);
}

/**
 * Ends an authority from `onDate`: in force until the day before, or, when it had not started by
 * then, withdrawn (no period at all: valid_to stays empty and ended_at says it never took effect).
 */
function closeAuthority(db: Db, id: number, onDate: string, by: number, now: Date): void {
  const from = db.prepare('SELECT valid_from FROM authorities WHERE id = ?').pluck().get(id) as string;
  const last = addDaysIso(onDate, -1);
  db.prepare('UPDATE authorities SET valid_to = ?, ended_by = ?, ended_at = ? WHERE id = ?').run(last < from ? null : last, by, now.toISOString(), id);
  recordChange(db, 'authorities', id, 'update', by, now);
}

/** SQL: an authority that was withdrawn before it started counts for no day. */
const IN_FORCE = '(ended_at IS NULL OR valid_to IS NOT NULL)';

// --- Questions other services ask -------------------------------------------------------------

/** The unit's name (and code) on a date: the name its documents of that day carry. */
export function unitNameAt(db: Db, unitId: number, dateIso: string): { name: string; code: string } | undefined {
  const r = db.prepare(`SELECT name, code FROM internal_unit_names WHERE unit_id = ? AND (valid_from IS NULL OR valid_from <= ?)
    AND (valid_to IS NULL OR valid_to >= ?) ORDER BY valid_from DESC LIMIT 1`).get(unitId, dateIso, dateIso) as { name: string; code: string } | undefined;
  if (r) return r;
  const u = findInternalUnit(db, unitId);
  return u ? { name: u.name, code: u.code } : undefined;
}

/** The units that carry on a unit's work today (itself while active, else its successors, transitively). */
export function currentUnitsOf(db: Db, unitId: number): number[] {
  const out = new Set<number>();
  const seen = new Set<number>();
  const walk = (id: number, depth: number) => {
    if (seen.has(id) || depth > 20) return;
    seen.add(id);
    const r = db.prepare('SELECT active FROM internal_units WHERE id = ?').get(id) as { active: number } | undefined;
    if (!r) return;
    if (r.active === 1) {
      out.add(id);
      return;
    }
    for (const next of db.prepare('SELECT successor_id FROM internal_unit_links WHERE predecessor_id = ?').pluck().all(id) as number[]) walk(next, depth + 1);
  };
  walk(unitId, 0);
  return [...out];
}

/** The unit and its ancestors (an authority over a parent unit covers its sub-units). */
function unitAndAncestors(db: Db, unitId: number): number[] {
  const out: number[] = [];
  for (let id: number | null = unitId, depth = 0; id !== null && depth < 20; depth++) {
    out.push(id);
    id = (db.prepare('SELECT parent_id FROM internal_units WHERE id = ?').pluck().get(id) as number | null | undefined) ?? null;
  }
  return out;
}

/**
 * Whether the person holds an authority of `kind` on `dateIso`, over the whole agency or over
 * `unitId` (or a unit above it). Without `unitId`: any authority of that kind.
 */
export function holdsAuthority(db: Db, userId: number, kind: AuthorityKind, dateIso: string, unitId?: number | null): boolean {
  const rows = db.prepare(`SELECT unit_id FROM authorities WHERE user_id = ? AND kind = ? AND valid_from <= ? AND (valid_to IS NULL OR valid_to >= ?) AND ${IN_FORCE}`)
    .all(userId, kind, dateIso, dateIso) as Array<{ unit_id: number | null }>;
  if (rows.length === 0) return false;
  if (unitId === undefined) return true;
  if (rows.some((r) => r.unit_id === null)) return true;
  if (unitId === null) return false;
  const chain = new Set(unitAndAncestors(db, unitId));
  return rows.some((r) => r.unit_id !== null && chain.has(r.unit_id));
}

/**
 * The authority of `kind` a person holds on `dateIso` that names a signing prefix (TM., KT., TL.,
 * TUQ., Q.), the most recent first; undefined when they hold none with a prefix.
 */
export function prefixedAuthority(db: Db, userId: number, kind: AuthorityKind, dateIso: string): { prefix: SigningPrefix; onBehalf: string } | undefined {
  const r = db.prepare(`SELECT prefix, on_behalf FROM authorities WHERE user_id = ? AND kind = ? AND prefix <> '' AND valid_from <= ? AND (valid_to IS NULL OR valid_to >= ?)
    AND ${IN_FORCE} ORDER BY valid_from DESC, id DESC LIMIT 1`).get(userId, kind, dateIso, dateIso) as { prefix: SigningPrefix; on_behalf: string } | undefined;
  return r ? { prefix: r.prefix, onBehalf: r.on_behalf } : undefined;
}

/** The head and deputies of a unit (who assign its work), head first. */
export function unitLeaders(db: Db, unitId: number): UnitMemberView[] {
  return (db.prepare(`SELECT id, full_name, position, unit_id, unit_role FROM users WHERE unit_id = ? AND active = 1 AND unit_role IN ('head','deputy')
    ORDER BY unit_role = 'deputy', full_name`).all(unitId) as MemberRow[]).map(memberView);
}

/**
 * The signature block a person signs with under an authority (Nghị định 30/2020, Phụ lục I): the
 * prefix line ("KT. CHÁNH VĂN PHÒNG"), the position line, then the name. Without a prefix: the
 * position and the name.
 */
export function signatureBlock(a: { prefix: SigningPrefix; onBehalf: string }, person: { fullName: string; position: string }): string[] {
  const upper = (s: string) => s.trim().toLocaleUpperCase('vi');
  const lines = a.prefix ? [`${a.prefix} ${upper(a.onBehalf)}`] : [];
  if (person.position.trim()) lines.push(upper(person.position));
  lines.push(person.fullName);
  return lines;
}

// --- Views --------------------------------------------------------------------------------------

interface MemberRow { id: number; full_name: string; position: string; unit_id: number | null; unit_role: UnitRole }
const memberView = (r: MemberRow): UnitMemberView => ({ userId: r.id, fullName: r.full_name, position: r.position, unitId: r.unit_id, unitRole: r.unit_role });

export function listMembers(db: Db): UnitMemberView[] {
  return (db.prepare('SELECT id, full_name, position, unit_id, unit_role FROM users WHERE active = 1 ORDER BY full_name').all() as MemberRow[]).map(memberView);
}

interface AuthorityRow {
  id: number; user_id: number; full_name: string; kind: AuthorityKind; prefix: SigningPrefix; on_behalf: string; unit_id: number | null;
  valid_from: string; valid_to: string | null; ended_at: string | null;
}

export function listAuthorities(db: Db): AuthorityView[] {
  return (db.prepare(`SELECT a.id, a.user_id, u.full_name, a.kind, a.prefix, a.on_behalf, a.unit_id, a.valid_from, a.valid_to, a.ended_at
    FROM authorities a JOIN users u ON u.id = a.user_id ORDER BY a.valid_to IS NOT NULL OR a.ended_at IS NOT NULL, u.full_name, a.kind, a.valid_from`).all() as AuthorityRow[])
    .map((r) => ({
      id: r.id, userId: r.user_id, fullName: r.full_name, kind: r.kind, prefix: r.prefix, onBehalf: r.on_behalf, unitId: r.unit_id, validFrom: r.valid_from, validTo: r.valid_to,
      withdrawn: r.ended_at !== null && r.valid_to === null,
    }));
}

export function unitHistory(db: Db): InternalUnitHistory[] {
  const names = db.prepare('SELECT unit_id, name, code, valid_from, valid_to, decision FROM internal_unit_names ORDER BY unit_id, valid_from IS NOT NULL, valid_from')
    .all() as Array<{ unit_id: number; name: string; code: string; valid_from: string | null; valid_to: string | null; decision: string }>;
  const links = db.prepare('SELECT predecessor_id, successor_id, kind, on_date, decision FROM internal_unit_links ORDER BY on_date, id')
    .all() as Array<{ predecessor_id: number; successor_id: number; kind: 'merge' | 'split'; on_date: string; decision: string }>;
  const byUnit = new Map<number, InternalUnitHistory>();
  const get = (id: number) => {
    let h = byUnit.get(id);
    if (!h) byUnit.set(id, (h = { unitId: id, names: [], predecessors: [], successors: [] }));
    return h;
  };
  for (const n of names) get(n.unit_id).names.push({ name: n.name, code: n.code, validFrom: n.valid_from, validTo: n.valid_to, decision: n.decision });
  for (const l of links) {
    const v: UnitLinkView = { kind: l.kind, onDate: l.on_date, decision: l.decision, unitId: l.successor_id };
    get(l.predecessor_id).successors.push(v);
    get(l.successor_id).predecessors.push({ ...v, unitId: l.predecessor_id });
  }
  return [...byUnit.values()];
}
