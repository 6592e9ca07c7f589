// Registers and numbering scopes after setup. An administrator adds and configures them; nothing
// here ever changes a number already given: a scope's rule changes only before the first number of
// a period, a scope that has given numbers keeps its per-type choice, and a register that holds
// entries keeps its scope. Secret arrivals stay in registers of their own (never with Thường). A
// register year is closed at year end (văn thư or quản trị): no registration or correction into it.
import { createHash } from 'node:crypto';
import type { RegisterAdminView, RegistersAdmin, ScopeView } from '../../../common/contract';
import { todayIso, yearOf } from '../../../common/dates';
import { SECRECY_LABELS, SECRECY_LEVELS, type Secrecy } from '../../../common/domain';
import { DeskError, type MessageKey, type MessageParams } from '../../../common/errors';
import type { RegisterCreate, RegisterUpdate, ScopeInput, ScopeUpdate } from '../../../common/schemas';
import { foldVietnamese } from '../../../common/vietnamese';
import { appendAudit } from '../audit/auditLog';
import type { CoreContext } from '../context';
import type { Db } from '../db/connection';
import { cached } from '../db/statements';
import { writeTx } from '../db/transaction';
import { recordChange } from '../events/eventLog';
import { authorize, type Actor } from '../org/rights';
import { isAwaitingNumber } from './numberWaits';
import { periodOf, scopeRow, type ScopeRow } from './numbering';
import { auditRefusal, secretIncomingYearClosed } from '../secrets/registerYears';
import { incomingRegisterRows } from '../reports/incomingRegister';
import { canSeeAll } from './needToKnow';

interface RegisterRow { id: number; kind: 'incoming'; name: string; secrecy: string; scope_id: number; active: number }

const invalid = (field: string, key: MessageKey, params?: MessageParams) => DeskError.keyed('VALIDATION', key, params, { at: field });

/** Administrators configure; a văn thư (or anyone who registers) may only see and close years. */
function mayConfigure(actor: Actor): boolean {
  return actor.rights.includes('org.manage');
}

export function authorizeRegisterKeeping(actor: Actor | null): asserts actor is Actor {
  authorize(actor, 'session');
  if (!actor.rights.includes('doc.register') && !actor.rights.includes('org.manage'))
    throw DeskError.keyed('FORBIDDEN', 'rights.forbidden', undefined, { details: { right: 'doc.register' } });
}

function scopeView(db: Db, s: ScopeRow, today: string): ScopeView {
  const period = periodOf(s, today);
  const last = db.prepare('SELECT max(last) FROM number_counters WHERE scope_id = ? AND period = ?').pluck().get(s.id, period) as number | null;
  const used = db.prepare('SELECT 1 FROM number_counters WHERE scope_id = ? LIMIT 1').pluck().get(s.id) !== undefined;
  return {
    id: s.id, name: s.name, reset: s.reset, perType: s.per_type === 1, termStart: s.term_start, termYears: s.term_years,
    used, currentPeriod: period, lastNumber: last ?? 0,
  };
}

function registerView(db: Db, r: RegisterRow): RegisterAdminView {
  const entries = db.prepare('SELECT count(*) FROM incoming WHERE register_id = ?').pluck().get(r.id) as number;
  const years = db.prepare('SELECT y.year, y.closed_at AS closedAt, u.full_name AS closedBy, y.pdf_sha256 AS pdfSha256, y.rows FROM register_years y LEFT JOIN users u ON u.id = y.closed_by WHERE y.register_id = ? ORDER BY y.year')
    .all(r.id) as Array<{ year: number; closedAt: string; closedBy: string | null; pdfSha256: string | null; rows: number | null }>;
  return {
    id: r.id, kind: r.kind, name: r.name, secrecy: JSON.parse(r.secrecy) as Secrecy[], scopeId: r.scope_id, active: r.active === 1, entries,
    closedYears: years.map((y) => y.year), closings: years.map((y) => ({ ...y, closedBy: y.closedBy ?? '' })),
  };
}

const getRegister = (db: Db, id: number): RegisterRow | undefined =>
  db.prepare('SELECT * FROM registers WHERE id = ?').get(id) as RegisterRow | undefined;

export function registersAdmin(ctx: CoreContext, actor: Actor): RegistersAdmin {
  authorizeRegisterKeeping(actor);
  const today = todayIso(ctx.now());
  const registers = (ctx.db.prepare("SELECT * FROM registers WHERE kind = 'incoming' ORDER BY active DESC, id").all() as RegisterRow[]).map((r) => registerView(ctx.db, r));
  const scopes = (ctx.db.prepare('SELECT * FROM numbering_scopes ORDER BY id').all() as ScopeRow[]).map((s) => scopeView(ctx.db, s, today));
  return { registers, scopes, canConfigure: mayConfigure(actor) };
}

/** Whether the register's year is closed (no registration or correction into it). */
export function isYearClosed(db: Db, registerId: number, year: number): boolean {
  return cached(db, 'SELECT 1 FROM register_years WHERE register_id = ? AND year = ?').pluck().get(registerId, year) !== undefined
    // A secret register made after the Sổ đăng ký BMNN đến of the year was closed is closed for it too.
    || secretIncomingYearClosed(db, registerId, year);
}

function assertScopeName(db: Db, name: string, exceptId?: number): void {
  const folded = foldVietnamese(name).replace(/\s+/g, ' ').trim();
  const rows = db.prepare('SELECT id, name FROM numbering_scopes').all() as Array<{ id: number; name: string }>;
  if (rows.some((r) => r.id !== exceptId && foldVietnamese(r.name).replace(/\s+/g, ' ').trim() === folded))
    throw invalid('name', 'scope.nameTaken', { name });
}

export async function createScope(ctx: CoreContext, actor: Actor, input: ScopeInput): Promise<ScopeView> {
  authorize(actor, 'org.manage');
  // Writes wait for the profile's integrity verdict.
  await ctx.writable();
  const now = ctx.now();
  const id = writeTx(ctx.db, () => {
    assertScopeName(ctx.db, input.name);
    const newId = Number(
      ctx.db.prepare('INSERT INTO numbering_scopes (name, reset, per_type, term_start, term_years) VALUES (?,?,?,?,?)')
        .run(input.name, input.reset, input.perType ? 1 : 0, input.reset === 'term' ? input.termStart ?? null : null, input.termYears ?? 5).lastInsertRowid,
    );
    recordChange(ctx.db, 'numbering_scopes', newId, 'create', actor.id, now);
    appendAudit(ctx.db, { userId: actor.id, action: 'scope.create', entity: 'numbering_scope', entityId: newId, details: { ...input } }, now.toISOString());
    return newId;
  });
  return scopeView(ctx.db, scopeRow(ctx.db, id), todayIso(now));
}

/**
 * Changes a scope. Its name may always change; its rule (when it starts again, per party term) only
 * while no number has been taken in the period today falls in, under the old rule or the new one, so
 * that no sequence is restarted or continued mid-period; its per-type choice only while it has never
 * given a number (buckets are the sequences already given).
 */
export async function updateScope(ctx: CoreContext, actor: Actor, input: ScopeUpdate): Promise<ScopeView> {
  authorize(actor, 'org.manage');
  // Writes wait for the profile's integrity verdict.
  await ctx.writable();
  const now = ctx.now();
  const today = todayIso(now);
  writeTx(ctx.db, () => {
    const old = ctx.db.prepare('SELECT * FROM numbering_scopes WHERE id = ?').get(input.id) as ScopeRow | undefined;
    if (!old) throw DeskError.keyed('NOT_FOUND', 'scope.notFound');
    const next: ScopeRow = {
      ...old,
      name: input.name ?? old.name,
      reset: input.reset ?? old.reset,
      per_type: input.perType === undefined ? old.per_type : input.perType ? 1 : 0,
      term_start: input.termStart === undefined ? old.term_start : input.termStart,
      term_years: input.termYears ?? old.term_years,
    };
    if (next.reset !== 'term') next.term_start = null;
    if (next.reset === 'term' && !next.term_start) throw invalid('termStart', 'scope.termStartRequired');
    if (next.name !== old.name) assertScopeName(ctx.db, next.name, old.id);
    const counters = ctx.db.prepare('SELECT period FROM number_counters WHERE scope_id = ?').pluck().all(old.id) as string[];
    if (next.per_type !== old.per_type && counters.length > 0)
      throw invalid('perType', 'scope.perTypeUsed');
    const ruleChanged = next.reset !== old.reset || next.term_start !== old.term_start || next.term_years !== old.term_years;
    if (ruleChanged) {
      const periods = new Set([periodOf(old, today), periodOf(next, today)]);
      const taken = counters.find((p) => periods.has(p));
      if (taken !== undefined)
        throw invalid('reset', 'scope.ruleMidPeriod');
    }
    ctx.db.prepare('UPDATE numbering_scopes SET name = ?, reset = ?, per_type = ?, term_start = ?, term_years = ? WHERE id = ?')
      .run(next.name, next.reset, next.per_type, next.term_start, next.term_years, old.id);
    recordChange(ctx.db, 'numbering_scopes', old.id, 'update', actor.id, now);
    appendAudit(ctx.db, {
      userId: actor.id, action: 'scope.update', entity: 'numbering_scope', entityId: old.id,
      details: { before: { name: old.name, reset: old.reset, perType: old.per_type === 1, termStart: old.term_start, termYears: old.term_years },
        after: { name: next.name, reset: next.reset, perType: next.per_type === 1, termStart: next.term_start, termYears: next.term_years } },
    }, now.toISOString());
  });
  return scopeView(ctx.db, scopeRow(ctx.db, input.id), today);
}

/** Secret arrivals are registered apart from ordinary ones (the BMNN register): never both in one. */
function assertLevels(levels: readonly Secrecy[]): Secrecy[] {
  const unique = SECRECY_LEVELS.filter((l) => levels.includes(l));
  if (unique.includes('thuong') && unique.length > 1)
    throw invalid('secrecy', 'register.levelsMixed');
  return unique;
}

function assertRegisterName(db: Db, name: string, exceptId?: number): void {
  const folded = foldVietnamese(name).replace(/\s+/g, ' ').trim();
  const rows = db.prepare("SELECT id, name FROM registers WHERE kind = 'incoming'").all() as Array<{ id: number; name: string }>;
  if (rows.some((r) => r.id !== exceptId && foldVietnamese(r.name).replace(/\s+/g, ' ').trim() === folded))
    throw invalid('name', 'register.nameTaken', { name });
}

/** Every level keeps at least one active register to go to. */
function assertLevelsCovered(db: Db): void {
  const active = (db.prepare("SELECT secrecy FROM registers WHERE kind = 'incoming' AND active = 1").pluck().all() as string[])
    .flatMap((s) => JSON.parse(s) as Secrecy[]);
  const missing = SECRECY_LEVELS.filter((l) => !active.includes(l));
  if (missing.length > 0) {
    throw invalid('secrecy', 'register.levelUncovered', { levels: missing.map((l) => SECRECY_LABELS[l]).join(', ') });
  }
}

export async function createRegister(ctx: CoreContext, actor: Actor, input: RegisterCreate): Promise<RegisterAdminView> {
  authorize(actor, 'org.manage');
  // Writes wait for the profile's integrity verdict.
  await ctx.writable();
  const now = ctx.now();
  const id = writeTx(ctx.db, () => {
    assertRegisterName(ctx.db, input.name);
    const levels = assertLevels(input.secrecy);
    let scopeId = input.scopeId;
    if (scopeId !== undefined) {
      if (!ctx.db.prepare('SELECT 1 FROM numbering_scopes WHERE id = ?').get(scopeId)) throw invalid('scopeId', 'register.scopeUnknown');
    } else {
      const s = input.scope!;
      assertScopeName(ctx.db, s.name);
      scopeId = Number(
        ctx.db.prepare('INSERT INTO numbering_scopes (name, reset, per_type, term_start, term_years) VALUES (?,?,?,?,?)')
          .run(s.name, s.reset, s.perType ? 1 : 0, s.reset === 'term' ? s.termStart ?? null : null, s.termYears ?? 5).lastInsertRowid,
      );
      recordChange(ctx.db, 'numbering_scopes', scopeId, 'create', actor.id, now);
    }
    const newId = Number(
      ctx.db.prepare("INSERT INTO registers (kind, name, secrecy, scope_id) VALUES ('incoming', ?, ?, ?)").run(input.name, JSON.stringify(levels), scopeId).lastInsertRowid,
    );
    recordChange(ctx.db, 'registers', newId, 'create', actor.id, now);
    appendAudit(ctx.db, { userId: actor.id, action: 'register.create', entity: 'register', entityId: newId, details: { name: input.name, secrecy: levels, scopeId } }, now.toISOString());
    return newId;
  });
  return registerView(ctx.db, getRegister(ctx.db, id)!);
}

export async function updateRegister(ctx: CoreContext, actor: Actor, input: RegisterUpdate): Promise<RegisterAdminView> {
  authorize(actor, 'org.manage');
  // Writes wait for the profile's integrity verdict.
  await ctx.writable();
  const now = ctx.now();
  writeTx(ctx.db, () => {
    const old = getRegister(ctx.db, input.id);
    if (!old || old.kind !== 'incoming') throw DeskError.keyed('NOT_FOUND', 'register.notFound');
    const name = input.name ?? old.name;
    if (name !== old.name) {
      assertRegisterName(ctx.db, name, old.id);
      // A signed register entry names its register (documents/signing.ts): renaming would make those signatures fail.
      if (ctx.db.prepare('SELECT 1 FROM signatures s JOIN incoming i ON i.id = s.incoming_id WHERE i.register_id = ? LIMIT 1').get(old.id))
        throw invalid('name', 'register.renameSigned');
    }
    const oldLevels = JSON.parse(old.secrecy) as Secrecy[];
    const levels = input.secrecy ? assertLevels(input.secrecy) : oldLevels;
    const hasEntries = ctx.db.prepare('SELECT 1 FROM incoming WHERE register_id = ? LIMIT 1').get(old.id) !== undefined;
    if (hasEntries && levels.includes('thuong') !== oldLevels.includes('thuong'))
      throw invalid('secrecy', 'register.kindLocked');
    const scopeId = input.scopeId ?? old.scope_id;
    if (scopeId !== old.scope_id) {
      if (!ctx.db.prepare('SELECT 1 FROM numbering_scopes WHERE id = ?').get(scopeId)) throw invalid('scopeId', 'register.scopeUnknown');
      if (hasEntries)
        throw invalid('scopeId', 'register.scopeLocked');
    }
    const active = input.active === undefined ? old.active : input.active ? 1 : 0;
    ctx.db.prepare('UPDATE registers SET name = ?, secrecy = ?, scope_id = ?, active = ? WHERE id = ?').run(name, JSON.stringify(levels), scopeId, active, old.id);
    assertLevelsCovered(ctx.db);
    recordChange(ctx.db, 'registers', old.id, 'update', actor.id, now);
    appendAudit(ctx.db, {
      userId: actor.id, action: 'register.update', entity: 'register', entityId: old.id,
      details: { before: { name: old.name, secrecy: JSON.parse(old.secrecy) as unknown, scopeId: old.scope_id, active: old.active === 1 },
        after: { name, secrecy: levels, scopeId, active: active === 1 } },
    }, now.toISOString());
  });
  return registerView(ctx.db, getRegister(ctx.db, input.id)!);
}

/**
 * Closes a register's year (sổ được khóa cuối năm): after this nothing is registered into or corrected
 * in it. The closing composes the year's Sổ đăng ký văn bản đến as PDF (the decree's layout) and records
 * its SHA-256 and row count with who closed it and when (the frozen book, handed back to print and sign),
 * as every register closing does (reports/closedYears.ts). The closer keeps the register and reads every
 * entry: the văn thư (a quản trị without the right to register is refused, registerYear.notCloser).
 */
export async function closeYear(ctx: CoreContext, actor: Actor, input: { registerId: number; year: number }): Promise<{ bytes: Uint8Array; sha256: string; rows: number; register: string }> {
  authorizeRegisterKeeping(actor);
  // Writes wait for the profile's integrity verdict.
  await ctx.writable();
  const now = ctx.now();
  const thisYear = yearOf(todayIso(now));
  if (input.year > thisYear) throw invalid('year', 'register.closeFuture', { year: input.year });
  // A secret register's year is closed with the Sổ đăng ký BMNN đến, after its whole-year PDF (secrets/registerYears.ts).
  const secret = getRegister(ctx.db, input.registerId);
  if (secret && secret.kind === 'incoming' && !(JSON.parse(secret.secrecy) as Secrecy[]).includes('thuong')) {
    auditRefusal(ctx, actor, 'register.close_year', 'secretRegister.closeInSecretArea', { register: secret.id, year: input.year });
    throw invalid('year', 'secretRegister.closeInSecretArea', { register: secret.name });
  }
  const r0 = getRegister(ctx.db, input.registerId);
  if (!r0 || r0.kind !== 'incoming') throw DeskError.keyed('NOT_FOUND', 'register.notFound');
  if (!canSeeAll(actor)) {
    auditRefusal(ctx, actor, 'register.close_year', 'registerYear.notCloser', { register: r0.id, year: input.year });
    throw DeskError.keyed('FORBIDDEN', 'registerYear.notCloser', { register: r0.name });
  }
  if (isYearClosed(ctx.db, r0.id, input.year)) throw invalid('year', 'register.alreadyClosed', { register: r0.name, year: input.year });
  const rows = incomingRegisterRows(ctx, r0.id, input.year);
  // A book with entries awaiting their number ("Chờ cấp số") would be signed with holes in it.
  const awaiting = rows.filter((r) => isAwaitingNumber(r.arrivalNumber)).length;
  if (awaiting > 0) {
    auditRefusal(ctx, actor, 'register.close_year', 'registerYear.awaitingNumbers', { register: r0.id, year: input.year, count: awaiting });
    throw invalid('year', 'registerYear.awaitingNumbers', { register: r0.name, year: input.year, count: awaiting });
  }
  const unitName = (ctx.db.prepare('SELECT name FROM main.units WHERE is_self = 1').pluck().get() as string | undefined) ?? '';
  // Loaded when a year is closed: the PDF machinery (pdf-lib, fontkit: a second of start-up and tens of
  // MB) stays out of every thread that registers (the import's database worker).
  const { registerPdf } = await import('../reports/registerPdf');
  const bytes = await registerPdf('incoming', rows, { unitName, year: input.year, period: { from: `${input.year}-01-01`, to: `${input.year}-12-31` } });
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  writeTx(ctx.db, () => {
    const r = getRegister(ctx.db, input.registerId)!;
    if (isYearClosed(ctx.db, r.id, input.year)) throw invalid('year', 'register.alreadyClosed', { register: r.name, year: input.year });
    // The PDF was composed outside the transaction: it must still show the year's entries.
    if (JSON.stringify(incomingRegisterRows(ctx, r.id, input.year)) !== JSON.stringify(rows))
      throw invalid('year', 'registerYear.changedWhileClosing', { register: r.name, year: input.year });
    const stats = ctx.db.prepare('SELECT count(*) AS entries, max(arrival_number) AS lastNumber FROM incoming WHERE register_id = ? AND year = ?')
      .get(r.id, input.year) as { entries: number; lastNumber: number | null };
    const id = Number(ctx.db.prepare('INSERT INTO register_years (register_id, year, closed_at, closed_by, pdf_sha256, rows) VALUES (?,?,?,?,?,?)')
      .run(r.id, input.year, now.toISOString(), actor.id, sha256, rows.length).lastInsertRowid);
    recordChange(ctx.db, 'register_years', id, 'create', actor.id, now);
    appendAudit(ctx.db, {
      userId: actor.id, action: 'register.close_year', entity: 'register', entityId: r.id,
      details: { register: r.name, year: input.year, entries: stats.entries, lastNumber: stats.lastNumber ?? 0, rows: rows.length, pdfSha256: sha256 },
    }, now.toISOString());
  });
  return { bytes, sha256, rows: rows.length, register: r0.name };
}
