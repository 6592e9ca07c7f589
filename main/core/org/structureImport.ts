// The agency's structure from a spreadsheet (the way organisation departments keep it): a sheet
// "Đơn vị" (code, name, parent code) and a sheet "Cán bộ" (name, position, unit code, capacity in
// the unit, role, clearance, authorities). Read in two steps: `planImport` checks every row and says
// what would change, or exactly which cells are wrong; `applyImport` does all of it in the caller's
// transaction or nothing. People are matched by name; an existing person's role and clearance are
// never changed from a spreadsheet (those have their own audited decisions), only reported.
import { createHash } from 'node:crypto';
import ExcelJS from 'exceljs';
import type { StructureImportPlan, StructureImportProblem } from '../../../common/contract';
import { parseDateInput, spreadsheetCellDay, todayIso } from '../../../common/dates';
import {
  ROLE_LABELS, ROLES, SECRECY_LABELS, SECRECY_LEVELS, SIGNING_PREFIXES,
  type AuthorityKind, type Role, type Secrecy, type SigningPrefix, type UnitRole,
} from '../../../common/domain';
import { DeskError, type MessageKey, type MessageParams } from '../../../common/errors';
import { foldVietnamese } from '../../../common/vietnamese';
import type { Db } from '../db/connection';
import { addUser } from './users';
import { createUnit, grantAuthority, renameUnit, setMember } from './structure';

export const UNITS_SHEET = 'Đơn vị';
export const PEOPLE_SHEET = 'Cán bộ';
const MAX_ROWS = 5000;

const fold = (s: string) => foldVietnamese(s).replace(/\s+/g, ' ').trim();

/** Column headers, matched folded (case, diacritics and spacing do not matter). */
const UNIT_COLUMNS = { code: 'Mã đơn vị', name: 'Tên đơn vị', parent: 'Mã đơn vị cấp trên' } as const;
const PEOPLE_COLUMNS = {
  fullName: 'Họ và tên', position: 'Chức vụ', unit: 'Mã đơn vị', capacity: 'Vị trí trong đơn vị', role: 'Vai trò', clearance: 'Độ mật được tiếp cận',
  powers: 'Quyền', prefix: 'Tiền tố ký', onBehalf: 'Ký thay cho', scope: 'Phạm vi quyền', from: 'Hiệu lực từ',
} as const;
const REQUIRED_UNIT: ReadonlyArray<keyof typeof UNIT_COLUMNS> = ['code', 'name'];
const REQUIRED_PEOPLE: ReadonlyArray<keyof typeof PEOPLE_COLUMNS> = ['fullName', 'position'];

const CAPACITIES: Record<string, UnitRole> = { [fold('Trưởng')]: 'head', [fold('Trưởng đơn vị')]: 'head', [fold('Phó')]: 'deputy', [fold('Phó trưởng')]: 'deputy', [fold('Cán bộ')]: 'member', [fold('Thành viên')]: 'member' };
const POWERS: Record<string, AuthorityKind> = { [fold('chỉ đạo')]: 'direct', [fold('cho ý kiến')]: 'direct', [fold('duyệt')]: 'approve', [fold('ký')]: 'sign' };
const ROLE_BY_LABEL = new Map<string, Role>(ROLES.map((r) => [fold(ROLE_LABELS[r]), r]));
const CLEARANCE_BY_LABEL = new Map<string, Secrecy>(SECRECY_LEVELS.map((s) => [fold(SECRECY_LABELS[s]), s]));

interface UnitLine { row: number; code: string; name: string; parent: string }
interface PersonLine {
  row: number; fullName: string; position: string; unit: string; capacity: UnitRole; role: Role | null; clearance: Secrecy | null;
  powers: AuthorityKind[]; prefix: SigningPrefix; onBehalf: string; agencyWide: boolean; from: string;
}
interface Parsed { sha256: string; units: UnitLine[]; people: PersonLine[]; problems: StructureImportProblem[] }

function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return spreadsheetCellDay(v);
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((r) => r.text).join('').trim();
    if ('text' in v && typeof v.text === 'string') return v.text.trim();
    if ('result' in v) return cellText(v.result as ExcelJS.CellValue);
    return '';
  }
  return String(v).replace(/\u00a0/g, ' ').trim();
}

function sheetRows<K extends string>(wb: ExcelJS.Workbook, sheet: string, columns: Record<K, string>, required: readonly K[], problems: StructureImportProblem[]): Array<{ row: number; get(k: K): string }> | null {
  const ws = wb.worksheets.find((w) => fold(w.name) === fold(sheet));
  if (!ws) {
    problems.push({ sheet, row: null, column: null, message: { key: 'structure.import.noSheet', params: { sheet } } });
    return null;
  }
  const header = new Map<string, number>();
  ws.getRow(1).eachCell((cell, col) => header.set(fold(cellText(cell.value)), col));
  const index = {} as Record<K, number | undefined>;
  for (const k of Object.keys(columns) as K[]) index[k] = header.get(fold(columns[k]));
  const missing = required.filter((k) => index[k] === undefined);
  for (const k of missing) problems.push({ sheet, row: null, column: columns[k], message: { key: 'structure.import.noColumn', params: { sheet, column: columns[k] } } });
  if (missing.length) return null;
  if (ws.rowCount > MAX_ROWS + 1) throw DeskError.keyed('VALIDATION', 'structure.import.tooMany', { max: MAX_ROWS });
  const out: Array<{ row: number; get(k: K): string }> = [];
  for (let r = 2; r <= ws.rowCount; r++) {
    const row = ws.getRow(r);
    const get = (k: K) => (index[k] === undefined ? '' : cellText(row.getCell(index[k]!).value));
    if ((Object.keys(columns) as K[]).every((k) => get(k) === '')) continue;
    out.push({ row: r, get });
  }
  return out;
}

async function parse(bytes: Buffer, today: string): Promise<Parsed> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch {
    throw DeskError.keyed('VALIDATION', 'structure.import.badFile');
  }
  const problems: StructureImportProblem[] = [];
  const problem = (sheet: string, row: number, column: string, key: MessageKey, params?: MessageParams) =>
    problems.push({ sheet, row, column, message: params ? { key, params } : { key } });

  const units: UnitLine[] = [];
  for (const r of sheetRows(wb, UNITS_SHEET, UNIT_COLUMNS, REQUIRED_UNIT, problems) ?? []) {
    const line = { row: r.row, code: r.get('code'), name: r.get('name'), parent: r.get('parent') };
    if (!line.code) problem(UNITS_SHEET, r.row, UNIT_COLUMNS.code, 'structure.import.required', { column: UNIT_COLUMNS.code });
    if (!line.name) problem(UNITS_SHEET, r.row, UNIT_COLUMNS.name, 'structure.import.required', { column: UNIT_COLUMNS.name });
    else if (line.name.length > 200) problem(UNITS_SHEET, r.row, UNIT_COLUMNS.name, 'value.tooLong', { max: 200 });
    if (line.code && units.some((u) => fold(u.code) === fold(line.code))) problem(UNITS_SHEET, r.row, UNIT_COLUMNS.code, 'structure.import.duplicateCode', { code: line.code });
    units.push(line);
  }

  const people: PersonLine[] = [];
  for (const r of sheetRows(wb, PEOPLE_SHEET, PEOPLE_COLUMNS, REQUIRED_PEOPLE, problems) ?? []) {
    const col = PEOPLE_COLUMNS;
    const bad = (k: keyof typeof col, value: string) => problem(PEOPLE_SHEET, r.row, col[k], 'structure.import.badValue', { column: col[k], value });
    const fullName = r.get('fullName');
    if (!fullName) problem(PEOPLE_SHEET, r.row, col.fullName, 'structure.import.required', { column: col.fullName });
    const capacityText = r.get('capacity');
    const capacity = capacityText ? CAPACITIES[fold(capacityText)] : 'member';
    if (!capacity) bad('capacity', capacityText);
    const roleText = r.get('role');
    const role = roleText ? ROLE_BY_LABEL.get(fold(roleText)) ?? null : null;
    if (roleText && !role) bad('role', roleText);
    const clearanceText = r.get('clearance');
    const clearance = clearanceText ? CLEARANCE_BY_LABEL.get(fold(clearanceText)) ?? null : null;
    if (clearanceText && !clearance) bad('clearance', clearanceText);
    const powers: AuthorityKind[] = [];
    for (const p of r.get('powers').split(/[,;]/).map((x) => x.trim()).filter(Boolean)) {
      const kind = POWERS[fold(p)];
      if (!kind) bad('powers', p);
      else if (!powers.includes(kind)) powers.push(kind);
    }
    const prefixText = r.get('prefix').replace(/\s+/g, '').toUpperCase();
    const prefix = (prefixText && !prefixText.endsWith('.') ? `${prefixText}.` : prefixText) as SigningPrefix;
    if (!SIGNING_PREFIXES.includes(prefix)) bad('prefix', r.get('prefix'));
    const onBehalf = r.get('onBehalf');
    if (prefix && !onBehalf && powers.includes('sign')) problem(PEOPLE_SHEET, r.row, col.onBehalf, 'structure.prefixNeedsBehalf', { prefix });
    const scopeText = fold(r.get('scope'));
    if (scopeText && scopeText !== fold('Cơ quan') && scopeText !== fold('Đơn vị')) bad('scope', r.get('scope'));
    const unit = r.get('unit');
    const fromText = r.get('from');
    const from = fromText ? parseDateInput(fromText) : today;
    if (!from) problem(PEOPLE_SHEET, r.row, col.from, 'structure.import.badDate', { column: col.from, value: fromText });
    people.push({
      row: r.row, fullName, position: r.get('position'), unit, capacity: capacity ?? 'member', role, clearance, powers,
      prefix: SIGNING_PREFIXES.includes(prefix) ? prefix : '', onBehalf, agencyWide: scopeText ? scopeText === fold('Cơ quan') : !unit, from: from ?? today,
    });
  }
  return { sha256: createHash('sha256').update(bytes).digest('hex'), units, people, problems };
}

interface Resolution { parsed: Parsed; plan: StructureImportPlan; unitByCode: Map<string, number | UnitLine>; personId: Map<number, number | null> }

/** Everything the rows ask for, checked against the profile; nothing is written. */
function resolve(db: Db, parsed: Parsed): Resolution {
  const problems = [...parsed.problems];
  const problem = (sheet: string, row: number, column: string, key: MessageKey, params?: MessageParams) =>
    problems.push({ sheet, row, column, message: params ? { key, params } : { key } });
  const existing = db.prepare("SELECT id, name, code FROM internal_units WHERE active = 1 AND code <> ''").all() as Array<{ id: number; name: string; code: string }>;
  const unitByCode = new Map<string, number | UnitLine>(existing.map((u) => [fold(u.code), u.id]));
  const plan: StructureImportPlan = { sha256: parsed.sha256, unitsAdded: [], unitsRenamed: [], peopleAdded: [], peopleUpdated: [], authorities: [], notes: [], problems };
  for (const u of parsed.units) {
    const known = existing.find((e) => fold(e.code) === fold(u.code));
    if (!known) {
      unitByCode.set(fold(u.code), u);
      plan.unitsAdded.push({ code: u.code, name: u.name });
    } else if (fold(known.name) !== fold(u.name) && u.name) plan.unitsRenamed.push({ code: u.code, from: known.name, to: u.name });
  }
  for (const u of parsed.units) {
    if (u.parent && !unitByCode.has(fold(u.parent))) problem(UNITS_SHEET, u.row, UNIT_COLUMNS.parent, 'structure.import.unknownUnit', { code: u.parent });
  }
  const users = db.prepare('SELECT id, full_name, position, role, clearance FROM users WHERE active = 1').all() as Array<{ id: number; full_name: string; position: string; role: Role; clearance: Secrecy }>;
  const personId = new Map<number, number | null>();
  for (const p of parsed.people) {
    if (p.unit && !unitByCode.has(fold(p.unit))) problem(PEOPLE_SHEET, p.row, PEOPLE_COLUMNS.unit, 'structure.import.unknownUnit', { code: p.unit });
    const matches = users.filter((u) => fold(u.full_name) === fold(p.fullName));
    if (matches.length > 1) {
      problem(PEOPLE_SHEET, p.row, PEOPLE_COLUMNS.fullName, 'structure.import.ambiguousPerson', { name: p.fullName });
      continue;
    }
    const m = matches[0];
    if (!m) {
      if (!p.role) problem(PEOPLE_SHEET, p.row, PEOPLE_COLUMNS.role, 'structure.import.required', { column: PEOPLE_COLUMNS.role });
      if (!p.clearance) problem(PEOPLE_SHEET, p.row, PEOPLE_COLUMNS.clearance, 'structure.import.required', { column: PEOPLE_COLUMNS.clearance });
      personId.set(p.row, null);
      plan.peopleAdded.push({ fullName: p.fullName, position: p.position, unitCode: p.unit });
    } else {
      personId.set(p.row, m.id);
      plan.peopleUpdated.push({ fullName: p.fullName, position: p.position, unitCode: p.unit });
      if ((p.role && p.role !== m.role) || (p.clearance && p.clearance !== m.clearance)) plan.notes.push({ key: 'structure.import.roleKept', params: { name: m.full_name } });
    }
    for (const kind of p.powers) plan.authorities.push({ fullName: p.fullName, kind, prefix: kind === 'sign' ? p.prefix : '', onBehalf: kind === 'sign' ? p.onBehalf : '', unitCode: p.agencyWide ? '' : p.unit, validFrom: p.from });
  }
  return { parsed, plan, unitByCode, personId };
}

export async function planImport(db: Db, bytes: Buffer, now: Date): Promise<StructureImportPlan> {
  return resolve(db, await parse(bytes, todayIso(now))).plan;
}

/** Applies the workbook; all or nothing (the caller's transaction). `sha256` is the preview's. */
export async function readForApply(db: Db, bytes: Buffer, sha256: string, now: Date): Promise<Resolution> {
  const r = resolve(db, await parse(bytes, todayIso(now)));
  if (r.plan.sha256 !== sha256) throw DeskError.keyed('VALIDATION', 'structure.import.changed');
  if (r.plan.problems.length) throw DeskError.keyed('VALIDATION', 'structure.import.hasErrors', { count: r.plan.problems.length });
  return r;
}

export function applyImport(db: Db, r: Resolution, by: number, now: Date): { units: number; people: number; authorities: number } {
  const today = todayIso(now);
  const ids = new Map<string, number>();
  for (const [code, v] of r.unitByCode) if (typeof v === 'number') ids.set(code, v);
  // Units in an order that creates parents first (rows may list a sub-unit before its parent).
  const pending = r.parsed.units.filter((u) => !ids.has(fold(u.code)));
  for (let guard = 0; pending.length && guard < 1000; guard++) {
    const i = pending.findIndex((u) => !u.parent || ids.has(fold(u.parent)));
    if (i < 0) break;
    const u = pending.splice(i, 1)[0]!;
    const parentId = u.parent ? ids.get(fold(u.parent)) : undefined;
    ids.set(fold(u.code), createUnit(db, { name: u.name, code: u.code, ...(parentId !== undefined ? { parentId } : {}), validFrom: null, decision: 'Nhập từ bảng tính' }, by, now));
  }
  for (const rn of r.plan.unitsRenamed) renameUnit(db, { id: ids.get(fold(rn.code))!, name: rn.to, onDate: today, decision: 'Nhập từ bảng tính' }, by, now);
  let people = 0;
  let authorities = 0;
  for (const p of r.parsed.people) {
    let id = r.personId.get(p.row) ?? null;
    if (id === null) id = addUser(db, { fullName: p.fullName, position: p.position, role: p.role!, clearance: p.clearance! }, by, now);
    else {
      db.prepare('UPDATE users SET position = ? WHERE id = ?').run(p.position, id);
    }
    const unitId = p.unit ? ids.get(fold(p.unit))! : null;
    setMember(db, { userId: id, unitId, unitRole: p.capacity }, by, now);
    people++;
    for (const kind of p.powers) {
      const prefix = kind === 'sign' ? p.prefix : '';
      const onBehalf = kind === 'sign' ? p.onBehalf : '';
      const scope = p.agencyWide ? null : unitId;
      // The same authority already in force is not granted twice.
      const same = db.prepare(`SELECT 1 FROM authorities WHERE user_id = ? AND kind = ? AND prefix = ? AND on_behalf = ? AND unit_id IS ?
        AND (valid_to IS NULL AND ended_at IS NULL OR valid_to >= ?)`).get(id, kind, prefix, onBehalf, scope, p.from);
      if (same) continue;
      grantAuthority(db, { userId: id, kind, prefix, onBehalf, unitId: scope, validFrom: p.from, validTo: null }, by, now);
      authorities++;
    }
  }
  return { units: r.plan.unitsAdded.length + r.plan.unitsRenamed.length, people, authorities };
}
