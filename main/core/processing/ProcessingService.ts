// Processing a registered incoming document: the văn thư submits it to a leader (trình), the leader
// directs (bút phê: lead, co-operating and informed, a deadline each), the lead unit's leader assigns a
// handler, the handler records progress, attaches drafts, asks for more time and completes it with the
// reply; anyone holding it may return it with a reason. Each step is an immutable row of the
// document's timeline (processing_steps) in its compartment; processing_tasks keeps the current state
// per document and assignee, so that inboxes and the overdue view are index ranges. Every step is
// checked here (rights, clearance, need-to-know, turn), written in one transaction with its change
// events and audit entry, or refused with a specific reason, audited, and nothing written.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type {
  ProcessingActions, ProcessingInboxItem, ProcessingDashboard, ProcessingDashboardRow, ProcessingNotices, ProcessingPeople, ProcessingState,
  ProcessingStepView, ProcessingTaskView, StagedFile,
} from '../../../common/contract';
import { addDaysIso, formatDateVn, todayIso, yearOf } from '../../../common/dates';
import { clearedFor, secrecyRank, type IncomingStatus, type Secrecy, type Urgency } from '../../../common/domain';
import { DeskError, type MessageKey, type MessageParams } from '../../../common/errors';
import { EDXML_STATUS, type ProcessingRules, type StepKind, type TaskRole, type TaskState } from '../../../common/processing';
import type {
  ProcessingAssignInput, ProcessingCompleteInput, ProcessingDecisionInput, ProcessingDirectInput, ProcessingDraftInput,
  ProcessingExtensionInput, ProcessingInboxInput, ProcessingProgressInput, ProcessingReturnInput, ProcessingSubmitInput, TrackingRegisterInput,
} from '../../../common/schemas';
import { calendarProblem, type WorkCalendar, type WorkDays } from '../../../common/workdays';
import { appendAudit } from '../audit/auditLog';
import { nextRecordId } from '../compartments/ids';
import type { ContextSource, CoreContext } from '../context';
import type { Db } from '../db/connection';
import { cached } from '../db/statements';
import { writeTx } from '../db/transaction';
import { locate, overArms, sumOverArms, type Arm } from '../documents/arms';
import { visibleArm } from '../documents/incoming';
import { canSeeAll } from '../documents/needToKnow';
import { recordChange } from '../events/eventLog';
import { newGlobalId } from '../events/globalId';
import { listInternalUnits } from '../org/internalUnits';
import { authorize, type Actor } from '../org/rights';
import { listUsers } from '../org/users';
import { assertTrackingYearOpen } from '../reports/closedYears';
import { auditRefusal } from '../secrets/registerYears';
import { registerPdf } from '../reports/registerPdf';
import { registerXlsx } from '../reports/registerXlsx';
import { trackingRows } from './trackingRegister';
import { readCalendar, readRules, workDaysOf, writeCalendar, writeRules } from './rules';
import { mayAssignForUnit, mayDirect } from './unitLeaders';

/** A task without a deadline sorts last in every inbox. */
export const NO_DUE = '9999-12-31';
/** The largest count a notice reports (the window shows "999+"). */
export const NOTICE_CAP = 999;

interface DocRow {
  id: number; c: string; status: IncomingStatus; secrecy: Secrecy; urgency: Urgency; arrivalDate: string; registeredAt: string; deadline: string | null;
}
interface TaskRow {
  id: number; incoming_id: number; role: TaskRole; box: 'opinion' | 'handle' | 'info'; user_id: number | null; unit_id: number | null;
  parent_id: number | null; state: TaskState; due: string; due_at: string | null; progress: number; progress_note: string;
  extension_until: string | null; extension_reason: string | null; direction_id: number | null; created_by: number;
}
interface StepInput {
  incomingId: number; kind: StepKind; taskId?: number | null; revisesId?: number | null; toUserId?: number | null; toUnitId?: number | null;
  deadline?: string | null; text?: string; data?: Record<string, unknown>; status: IncomingStatus;
}
interface Person { id: number; full_name: string; role: string; clearance: Secrecy }
type InboxRow = Omit<ProcessingInboxItem, 'assigneeName' | 'overdue' | 'dueSoon' | 'workingDaysLeft' | 'due'> & { due: string; userId: number | null; unitId: number | null };

const refuse = (code: 'FORBIDDEN' | 'VALIDATION', key: MessageKey, params?: MessageParams, at?: string): never => {
  throw DeskError.keyed(code, key, params, at ? { at } : {});
};
const isUrgent = (u: Urgency): boolean => u !== 'thuong';
const HANDLING_ROLES: readonly TaskRole[] = ['lead', 'cooperate', 'handle'];

export class ProcessingService {
  constructor(private readonly source: ContextSource) {}

  // ---- reading --------------------------------------------------------------------------------

  /** The document's processing: status, tasks, timeline and what the person may do now. */
  state(actor: Actor, incomingId: number): ProcessingState {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    const doc = this.doc(ctx, actor, incomingId);
    return this.stateOf(ctx, actor, doc);
  }

  /** People and units a form may name for this document: leaders and people cleared for its level, the agency's units. */
  people(actor: Actor, incomingId: number): ProcessingPeople {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    const doc = this.doc(ctx, actor, incomingId);
    const people = listUsers(ctx.db).filter((u) => clearedFor(u.clearance, doc.secrecy));
    const now = ctx.now();
    return { leaders: people.filter((u) => mayDirect(ctx.db, u, now)), people, units: listInternalUnits(ctx.db).filter((u) => u.active) };
  }

  /**
   * An inbox: the leader's documents waiting for a direction (opinion), the person's tasks (handle), a
   * unit's tasks waiting for assignment (unit), or what is due within the reminder window or overdue
   * (due: everyone's for those who see the whole register, else the person's own). Ordered by deadline.
   */
  inbox(actor: Actor, input: ProcessingInboxInput): ProcessingInboxItem[] {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    const { db } = ctx;
    const limit = input.limit ?? 200;
    const now = ctx.now();
    const today = todayIso(now);
    const wd = workDaysOf(db);
    const rules = readRules(db);
    const soon = wd.add(today, rules.remindBeforeDays);
    let where: string;
    let params: unknown[];
    switch (input.box) {
      case 'opinion':
      case 'handle':
        where = "t.user_id = ? AND t.box = ? AND t.state = 'open'";
        params = [actor.id, input.box];
        break;
      case 'unit':
        if (input.unitId === undefined) throw DeskError.keyed('VALIDATION', 'processing.unitUnknown', undefined, { at: 'unitId' });
        if (!mayAssignForUnit(db, actor, input.unitId)) refuse('FORBIDDEN', 'processing.unitInboxDenied');
        where = "t.unit_id = ? AND t.user_id IS NULL AND t.state = 'open'";
        params = [input.unitId];
        break;
      case 'tracked': {
        // A figure of the leader's dashboard: open work (lead, co-operation, handling, or a unit's
        // waiting for a handler), optionally one person's or one unit's, or the directions awaited.
        // It lists documents of every held level without a distribution filter: only for those who see
        // the whole register (a person who only holds an authority to direct sees what was given to them).
        if (!canSeeAll(actor)) refuse('FORBIDDEN', 'processing.dashboardDenied');
        const what = input.tracked ?? 'open';
        const conds = ["t.state = 'open'", what === 'opinion' ? "t.box = 'opinion'" : "t.role IN ('lead','cooperate','handle')"];
        params = [];
        if (what === 'overdue') {
          conds.push('t.due < ?');
          params.push(today);
        }
        if (what === 'unassigned') conds.push('t.user_id IS NULL');
        if (input.userId !== undefined) {
          conds.push('t.user_id = ?');
          params.push(input.userId);
        }
        if (input.unitId !== undefined) {
          // A unit's work: its own tasks and those of the people in it.
          conds.push('(t.unit_id = ? OR t.user_id IN (SELECT id FROM main.users WHERE unit_id = ?))');
          params.push(input.unitId, input.unitId);
        }
        where = conds.join(' AND ');
        break;
      }
      case 'due':
        if (canSeeAll(actor)) {
          where = "t.state = 'open' AND t.due <= ?";
          params = [soon];
        } else {
          where = "t.user_id = ? AND t.state = 'open' AND t.due <= ?";
          params = [actor.id, soon];
        }
        break;
    }
    const sql = `SELECT t.id AS taskId, t.incoming_id AS incomingId, t.role, t.due, t.due_at AS dueAt, t.progress, t.extension_until AS extensionUntil,
        t.user_id AS userId, t.unit_id AS unitId, i.arrival_number AS arrivalNumber, i.arrival_date AS arrivalDate, i.number_symbol AS numberSymbol,
        i.issuer_name AS issuerName, i.subject, i.secrecy, i.urgency, i.status
      FROM {c}.processing_tasks t JOIN {c}.incoming i ON i.id = t.incoming_id WHERE ${where}`;
    const q = overArms(this.arms(ctx), sql, params);
    const rows = cached(db, `${q.sql} ORDER BY due, taskId LIMIT ?`).all(...q.params, limit) as InboxRow[];
    const names = nameCache(db);
    // Built field by field: object rest and spread cost more than the query on a page of 200.
    return rows.map((r): ProcessingInboxItem => {
      const due = r.due === NO_DUE ? null : r.due;
      return {
        taskId: r.taskId, incomingId: r.incomingId, role: r.role, arrivalNumber: r.arrivalNumber, arrivalDate: r.arrivalDate,
        numberSymbol: r.numberSymbol, issuerName: r.issuerName, subject: r.subject, secrecy: r.secrecy, urgency: r.urgency, status: r.status,
        assigneeName: r.userId !== null ? names.user(r.userId) : names.unit(r.unitId),
        due, dueAt: r.dueAt, overdue: due !== null && due < today, dueSoon: due !== null && due >= today && due <= soon,
        workingDaysLeft: due === null ? null : wd.between(today, due), progress: r.progress, extensionUntil: r.extensionUntil,
      };
    });
  }

  /** The counts the window shows as badges and reminders. */
  notices(actor: Actor): ProcessingNotices {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    const { db } = ctx;
    const arms = this.arms(ctx);
    const today = todayIso(ctx.now());
    const wd = workDaysOf(db);
    const rules = readRules(db);
    const soon = wd.add(today, rules.remindBeforeDays);
    // A badge counts to NOTICE_CAP at most: past it, reading on would cost more than it tells.
    const count = (sql: string, params: unknown[]) =>
      Math.min(NOTICE_CAP, sumOverArms(db, arms, `SELECT count(*) FROM (${sql.replace('SELECT count(*) FROM', 'SELECT 1 FROM')} LIMIT ${NOTICE_CAP})`, params));
    const all = canSeeAll(actor);
    const mine = all ? '' : 'user_id = ? AND ';
    const me = all ? [] : [actor.id];
    const leader = actor.role === 'lanh_dao';
    // Overdue past the grace of remindAfterDays: reported to the leaders as well as to the handler.
    const escalateBefore = escalationDate(wd, today, rules.remindAfterDays);
    return {
      opinion: count("SELECT count(*) FROM {c}.processing_tasks WHERE user_id = ? AND box = 'opinion' AND state = 'open'", [actor.id]),
      handle: count("SELECT count(*) FROM {c}.processing_tasks WHERE user_id = ? AND box = 'handle' AND state = 'open'", [actor.id]),
      unit: leader ? count("SELECT count(*) FROM {c}.processing_tasks WHERE unit_id IS NOT NULL AND user_id IS NULL AND state = 'open'", []) : 0,
      dueSoon: count(`SELECT count(*) FROM {c}.processing_tasks WHERE ${mine}state = 'open' AND due BETWEEN ? AND ?`, [...me, today, soon]),
      overdue: count(`SELECT count(*) FROM {c}.processing_tasks WHERE ${mine}state = 'open' AND due < ?`, [...me, today]),
      extensions: leader ? count("SELECT count(*) FROM {c}.processing_tasks WHERE state = 'open' AND extension_until IS NOT NULL", []) : 0,
      escalated: leader ? count("SELECT count(*) FROM {c}.processing_tasks WHERE state = 'open' AND due < ?", [escalateBefore]) : 0,
    };
  }

  /**
   * The leader's dashboard: directions awaited per leader, open and overdue work per unit and per
   * handler, over the compartments the person holds. For those who direct or keep the register.
   */
  dashboard(actor: Actor): ProcessingDashboard {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    const { db } = ctx;
    const now = ctx.now();
    // Counts over every held level: for those who see the whole register (the lists behind them are).
    if (!canSeeAll(actor)) refuse('FORBIDDEN', 'processing.dashboardDenied');
    const today = todayIso(now);
    const soon = workDaysOf(db).add(today, readRules(db).remindBeforeDays);
    const q = overArms(this.arms(ctx), `SELECT t.box AS box, t.user_id AS userId, t.unit_id AS unitId,
        (t.due < ?) AS overdue, (t.due >= ? AND t.due <= ?) AS soon, count(*) AS n
      FROM {c}.processing_tasks t WHERE t.state = 'open' AND t.role IN ('direct','lead','cooperate','handle')
      GROUP BY t.box, t.user_id, t.unit_id, overdue, soon`, [today, today, soon]);
    const groups = db.prepare(q.sql).all(...q.params) as Array<{ box: string; userId: number | null; unitId: number | null; overdue: number; soon: number; n: number }>;
    const people = new Map((db.prepare('SELECT u.id, u.full_name, u.position, u.unit_id, iu.name AS unit_name FROM main.users u LEFT JOIN main.internal_units iu ON iu.id = u.unit_id')
      .all() as Array<{ id: number; full_name: string; position: string; unit_id: number | null; unit_name: string | null }>).map((p) => [p.id, p]));
    const names = nameCache(db);
    const totals = { opinion: 0, open: 0, overdue: 0, dueSoon: 0, unassigned: 0 };
    const tally = (m: Map<number | null, ProcessingDashboardRow>, id: number | null, name: () => string, detail: () => string, g: { overdue: number; soon: number; n: number }) => {
      let row = m.get(id);
      if (!row) m.set(id, (row = { id, name: name(), detail: detail(), open: 0, overdue: 0, dueSoon: 0 }));
      row.open += g.n;
      if (g.overdue) row.overdue += g.n;
      if (g.soon) row.dueSoon += g.n;
    };
    const leaders = new Map<number | null, ProcessingDashboardRow>();
    const units = new Map<number | null, ProcessingDashboardRow>();
    const handlers = new Map<number | null, ProcessingDashboardRow>();
    for (const g of groups) {
      if (g.box === 'opinion') {
        totals.opinion += g.n;
        if (g.userId !== null) tally(leaders, g.userId, () => names.user(g.userId!), () => people.get(g.userId!)?.position ?? '', g);
        continue;
      }
      totals.open += g.n;
      if (g.overdue) totals.overdue += g.n;
      if (g.soon) totals.dueSoon += g.n;
      if (g.userId === null) {
        totals.unassigned += g.n;
        tally(units, g.unitId, () => names.unit(g.unitId), () => '', g);
        continue;
      }
      const p = people.get(g.userId);
      tally(handlers, g.userId, () => names.user(g.userId!), () => p?.unit_name ?? '', g);
      tally(units, p?.unit_id ?? null, () => p?.unit_name ?? '', () => '', g); // '' : not placed in a unit (the window words it)
    }
    const order = (m: Map<number | null, ProcessingDashboardRow>) => [...m.values()].sort((a, b) => b.overdue - a.overdue || b.open - a.open || a.name.localeCompare(b.name, 'vi'));
    return { today, totals, leaders: order(leaders), units: order(units), handlers: order(handlers) };
  }

  calendar(actor: Actor): WorkCalendar {
    authorize(actor, 'session');
    return readCalendar(this.source.context().db);
  }

  rules(actor: Actor): ProcessingRules {
    authorize(actor, 'session');
    return readRules(this.source.context().db);
  }

  async setCalendar(actor: Actor, cal: WorkCalendar): Promise<WorkCalendar> {
    authorize(actor, 'org.manage');
    const ctx = this.source.context();
    await ctx.writable();
    const problem = calendarProblem(cal);
    if (problem) throw DeskError.keyed('VALIDATION', 'processing.calendarInvalid', { reason: problem });
    const now = ctx.now().toISOString();
    return writeTx(ctx.db, () => {
      const saved = writeCalendar(ctx.db, cal);
      appendAudit(ctx.db, { userId: actor.id, action: 'processing.calendar', details: { weekend: saved.weekend, holidays: saved.holidays.length } }, now);
      return saved;
    });
  }

  async setRules(actor: Actor, rules: ProcessingRules): Promise<ProcessingRules> {
    authorize(actor, 'org.manage');
    const ctx = this.source.context();
    await ctx.writable();
    const now = ctx.now().toISOString();
    return writeTx(ctx.db, () => {
      const saved = writeRules(ctx.db, rules);
      appendAudit(ctx.db, { userId: actor.id, action: 'processing.rules', details: { ...saved } }, now);
      return saved;
    });
  }

  /** Sổ theo dõi giải quyết văn bản đến for a period (one year at most), as PDF or XLSX; for the văn thư and leaders; audited. */
  async trackingRegister(actor: Actor, input: TrackingRegisterInput): Promise<{ format: 'pdf' | 'xlsx'; rows: number; bytes: Uint8Array; sha256: string }> {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    if (!canSeeAll(actor)) {
      auditRefusal(ctx, actor, 'register.read', 'processing.notTrackingReader', { kind: 'incoming_tracking' });
      refuse('FORBIDDEN', 'processing.notTrackingReader');
    }
    if (input.from > input.to) throw DeskError.keyed('VALIDATION', 'report.badPeriod', undefined, { at: 'to' });
    if (yearOf(input.from) !== yearOf(input.to)) throw DeskError.keyed('VALIDATION', 'report.oneYear', undefined, { at: 'to' });
    const rows = trackingRows(ctx, input.from, input.to);
    const unitName = (ctx.db.prepare('SELECT name FROM main.units WHERE is_self = 1').pluck().get() as string | undefined) ?? '';
    const opts = { unitName, year: yearOf(input.from), period: { from: input.from, to: input.to } };
    const bytes = input.format === 'pdf' ? await registerPdf('incoming_tracking', rows, opts) : await registerXlsx('incoming_tracking', rows, opts);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await ctx.writable();
    const at = ctx.now().toISOString();
    writeTx(ctx.db, () => appendAudit(ctx.db, {
      userId: actor.id, action: 'register.export', details: { kind: 'incoming_tracking', format: input.format, from: input.from, to: input.to, rows: rows.length, sha256 },
    }, at));
    return { format: input.format, rows: rows.length, bytes, sha256 };
  }

  // ---- acting ---------------------------------------------------------------------------------

  /** Trình: the văn thư submits a registered document to a leader; due the same or next working day, urgent ones at once. */
  submit(actor: Actor, input: ProcessingSubmitInput): Promise<ProcessingState> {
    return this.act(actor, 'submit', { incomingId: input.incomingId }, (ctx, now) => {
      const { db } = ctx;
      const doc = this.doc(ctx, actor, input.incomingId);
      if (!actor.rights.includes('doc.register')) refuse('FORBIDDEN', 'processing.notClerk');
      assertOpen(doc);
      if (doc.status !== 'registered') refuse('VALIDATION', 'processing.alreadySubmitted');
      const leader = person(db, input.leaderId, doc.secrecy, 'leaderId');
      if (!mayDirect(db, leader, now)) refuse('VALIDATION', 'processing.notLeaderTarget', { name: leader.full_name }, 'leaderId');
      const due = submissionDue(workDaysOf(db), readRules(db), doc);
      const late = todayIso(now) > due.dueDate;
      const taskId = this.addTask(db, doc, {
        role: 'direct', box: 'opinion', userId: leader.id, due: due.dueDate, dueAt: due.atOnce ? doc.registeredAt : null, directionId: null, parentId: null, state: 'open',
      }, actor, now);
      const stepId = this.addStep(db, doc.c, {
        incomingId: doc.id, kind: 'submit', taskId, toUserId: leader.id, deadline: due.dueDate, text: input.note ?? '',
        data: { atOnce: due.atOnce, late }, status: 'submitted',
      }, actor, now);
      this.setStatus(db, doc, 'submitted', actor, now);
      appendAudit(db, { userId: actor.id, action: 'processing.submit', entity: 'incoming', entityId: doc.id, details: { step: stepId, to: leader.id, late } }, now.toISOString());
      return doc.id;
    });
  }

  /** Bút phê: a leader's direction; a second one only as an explicit revision of the current one. */
  direct(actor: Actor, input: ProcessingDirectInput): Promise<ProcessingState> {
    return this.act(actor, 'direct', { incomingId: input.incomingId }, (ctx, now) => {
      const { db } = ctx;
      const doc = this.doc(ctx, actor, input.incomingId);
      if (!mayDirect(db, actor, now)) refuse('FORBIDDEN', 'processing.notLeader');
      assertOpen(doc);
      if (doc.status === 'registered') refuse('VALIDATION', 'processing.notSubmitted');
      const current = currentDirection(db, doc);
      if (current !== null && input.revisesStepId !== current) refuse('VALIDATION', input.revisesStepId === undefined ? 'processing.alreadyDirected' : 'processing.staleRevision', undefined, 'revisesStepId');
      if (current === null && input.revisesStepId !== undefined) refuse('VALIDATION', 'processing.staleRevision', undefined, 'revisesStepId');
      const today = todayIso(now);
      const resolve = (a: { userId?: number | undefined; unitId?: number | undefined; deadline?: string | undefined }, at: string) => {
        if (a.deadline !== undefined && a.deadline < today) refuse('VALIDATION', 'processing.deadlinePast', undefined, `${at}.deadline`);
        if (a.userId !== undefined) return { userId: person(db, a.userId, doc.secrecy, at).id, unitId: null, deadline: a.deadline ?? null, name: userName(db, a.userId) };
        const unit = db.prepare('SELECT id, name FROM main.internal_units WHERE id = ? AND active = 1').get(a.unitId) as { id: number; name: string } | undefined;
        if (!unit) refuse('VALIDATION', 'processing.unitUnknown', undefined, at);
        return { userId: null, unitId: unit!.id, deadline: a.deadline ?? null, name: unit!.name };
      };
      const lead = resolve(input.lead, 'lead');
      lead.deadline ??= doc.deadline !== null && doc.deadline >= today ? doc.deadline : null;
      const cooperate = (input.cooperate ?? []).map((a, i) => resolve(a, `cooperate.${i}`));
      const inform = (input.inform ?? []).map((a, i) => resolve(a, `inform.${i}`));
      // A revision supersedes the tasks of the direction it revises; the leaders' requests for a direction are answered.
      for (const t of tasksOf(db, doc)) {
        if (t.role === 'direct' && t.state === 'open') this.updateTask(db, doc.c, t.id, { state: 'done' }, actor, now);
        else if (t.role !== 'direct' && (t.state === 'open' || t.state === 'delegated')) this.updateTask(db, doc.c, t.id, { state: 'closed' }, actor, now);
      }
      const stepId = this.addStep(db, doc.c, {
        incomingId: doc.id, kind: 'direct', revisesId: current, toUserId: lead.userId, toUnitId: lead.unitId, deadline: lead.deadline, text: input.text,
        data: { lead: lead.name, cooperate: cooperate.map((a) => ({ name: a.name, deadline: a.deadline })), inform: inform.map((a) => a.name) },
        status: 'assigned',
      }, actor, now);
      const add = (a: typeof lead, role: TaskRole) => this.addTask(db, doc, {
        role, box: role === 'inform' ? 'info' : 'handle', userId: a.userId, unitId: a.unitId, due: a.deadline ?? NO_DUE, dueAt: null,
        directionId: stepId, parentId: null, state: role === 'inform' ? 'info' : 'open',
      }, actor, now);
      add(lead, 'lead');
      cooperate.forEach((a) => add(a, 'cooperate'));
      inform.forEach((a) => add(a, 'inform'));
      this.setStatus(db, doc, 'assigned', actor, now);
      appendAudit(db, { userId: actor.id, action: current === null ? 'processing.direct' : 'processing.redirect', entity: 'incoming', entityId: doc.id, details: { step: stepId, revises: current } }, now.toISOString());
      return doc.id;
    });
  }

  /** Phân công: the leader of the lead unit (or a leader) names a handler; a person with a task may hand it on. */
  assign(actor: Actor, input: ProcessingAssignInput): Promise<ProcessingState> {
    return this.act(actor, 'assign', { task: input.taskId }, (ctx, now) => {
      const { db } = ctx;
      const { doc, task } = this.task(ctx, actor, input.taskId);
      assertOpen(doc);
      if (task.state !== 'open') refuse('VALIDATION', 'processing.taskClosed');
      if (!HANDLING_ROLES.includes(task.role)) refuse('VALIDATION', 'processing.cannotAssign');
      const may = task.user_id === null ? mayAssignForUnit(db, actor, task.unit_id!) : task.user_id === actor.id;
      if (!may) refuse('FORBIDDEN', 'processing.mayNotAssign');
      const handler = person(db, input.handlerId, doc.secrecy, 'handlerId');
      if (task.user_id === handler.id) refuse('VALIDATION', 'processing.selfAssign', undefined, 'handlerId');
      const today = todayIso(now);
      const deadline = input.deadline ?? (task.due === NO_DUE ? null : task.due);
      if (deadline !== null && deadline < today) refuse('VALIDATION', 'processing.deadlinePast', undefined, 'deadline');
      if (deadline !== null && task.due !== NO_DUE && deadline > task.due) refuse('VALIDATION', 'processing.deadlineAfterParent', { date: formatDateVn(task.due) }, 'deadline');
      this.updateTask(db, doc.c, task.id, { state: 'delegated' }, actor, now);
      const child = this.addTask(db, doc, {
        role: 'handle', box: 'handle', userId: handler.id, unitId: task.unit_id, due: deadline ?? NO_DUE, dueAt: null,
        directionId: task.direction_id, parentId: task.id, state: 'open',
      }, actor, now);
      const stepId = this.addStep(db, doc.c, {
        incomingId: doc.id, kind: 'assign', taskId: child, toUserId: handler.id, toUnitId: task.unit_id, deadline, text: input.note ?? '',
        data: { from: task.id }, status: doc.status === 'processing' ? 'processing' : 'assigned',
      }, actor, now);
      if (doc.status === 'submitted') this.setStatus(db, doc, 'assigned', actor, now);
      appendAudit(db, { userId: actor.id, action: 'processing.assign', entity: 'incoming', entityId: doc.id, details: { step: stepId, task: child, to: handler.id } }, now.toISOString());
      return doc.id;
    });
  }

  progress(actor: Actor, input: ProcessingProgressInput): Promise<ProcessingState> {
    return this.act(actor, 'progress', { task: input.taskId }, (ctx, now) => {
      const { db } = ctx;
      const { doc, task } = this.ownTask(ctx, actor, input.taskId);
      this.updateTask(db, doc.c, task.id, { progress: input.percent, progress_note: input.note }, actor, now);
      const stepId = this.addStep(db, doc.c, { incomingId: doc.id, kind: 'progress', taskId: task.id, text: input.note, data: { percent: input.percent }, status: 'processing' }, actor, now);
      this.setStatus(db, doc, 'processing', actor, now);
      appendAudit(db, { userId: actor.id, action: 'processing.progress', entity: 'incoming', entityId: doc.id, details: { step: stepId, percent: input.percent } }, now.toISOString());
      return doc.id;
    });
  }

  /** Stages a draft's file for a handler (staging is otherwise the văn thư's: registering needs the right, handling does not). */
  async stageDraft(actor: Actor, source: Readable, name: string): Promise<StagedFile> {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    await ctx.writable();
    const meta = await ctx.store.stage(source, name, ctx.attachmentLimit(), actor.id);
    return { stagedId: meta.stagedId, name: meta.name, size: meta.size, sha256: meta.sha256, isPdf: meta.isPdf, duplicates: [] };
  }

  /** A handler's draft (dự thảo): a staged file becomes a file of the document's level, linked to its step. */
  async attachDraft(actor: Actor, input: ProcessingDraftInput): Promise<ProcessingState> {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    await ctx.writable();
    // Checked before the blob moves, and again in the transaction.
    const first = this.guard(ctx, actor, 'draft', { task: input.taskId }, () => this.ownTask(ctx, actor, input.taskId));
    const meta = await ctx.store.stagedMeta(input.stagedId, actor.id);
    await ctx.storeFor(first.doc.secrecy).promote(meta.stagedId);
    const state = await this.act(actor, 'draft', { task: input.taskId }, (c, now) => {
      const { db } = c;
      const { doc, task } = this.ownTask(c, actor, input.taskId);
      const ordinal = (db.prepare(`SELECT coalesce(max(ordinal), 0) + 1 FROM ${doc.c}.attachments WHERE incoming_id = ?`).pluck().get(doc.id) as number);
      const stepId = nextRecordId(db);
      const attachmentId = nextRecordId(db);
      db.prepare(`INSERT INTO ${doc.c}.attachments (id, global_id, incoming_id, ordinal, name, size, mime, is_pdf, sha256, draft_step_id) VALUES (?,?,?,?,?,?,?,?,?,?)`)
        .run(attachmentId, newGlobalId(), doc.id, ordinal, meta.name, meta.size, meta.mime, meta.isPdf ? 1 : 0, meta.sha256, stepId);
      recordChange(db, 'attachments', attachmentId, 'create', actor.id, now, doc.c);
      this.addStep(db, doc.c, {
        incomingId: doc.id, kind: 'draft', taskId: task.id, text: input.note ?? '', data: { attachmentId, name: meta.name, size: meta.size }, status: 'processing',
      }, actor, now, stepId);
      this.setStatus(db, doc, 'processing', actor, now);
      appendAudit(db, { userId: actor.id, action: 'processing.draft', entity: 'incoming', entityId: doc.id, details: { step: stepId, attachmentId } }, now.toISOString());
      return doc.id;
    }, true);
    await ctx.store.discard(meta.stagedId).catch(() => undefined);
    return state;
  }

  requestExtension(actor: Actor, input: ProcessingExtensionInput): Promise<ProcessingState> {
    return this.act(actor, 'extension_request', { task: input.taskId }, (ctx, now) => {
      const { db } = ctx;
      const { doc, task } = this.ownTask(ctx, actor, input.taskId);
      if (task.due === NO_DUE) refuse('VALIDATION', 'processing.noDeadline');
      if (task.extension_until !== null) refuse('VALIDATION', 'processing.extensionPending');
      if (input.until <= task.due) refuse('VALIDATION', 'processing.extensionNotLater', { date: formatDateVn(task.due) }, 'until');
      this.updateTask(db, doc.c, task.id, { extension_until: input.until, extension_reason: input.reason }, actor, now);
      const stepId = this.addStep(db, doc.c, {
        incomingId: doc.id, kind: 'extension_request', taskId: task.id, deadline: input.until, text: input.reason, data: { from: task.due }, status: 'processing',
      }, actor, now);
      this.setStatus(db, doc, 'processing', actor, now);
      appendAudit(db, { userId: actor.id, action: 'processing.extension_request', entity: 'incoming', entityId: doc.id, details: { step: stepId, until: input.until } }, now.toISOString());
      return doc.id;
    });
  }

  /** A leader, or whoever gave the task, grants or refuses a pending extension. */
  decideExtension(actor: Actor, input: ProcessingDecisionInput): Promise<ProcessingState> {
    return this.act(actor, 'extension_decision', { task: input.taskId }, (ctx, now) => {
      const { db } = ctx;
      const { doc, task } = this.task(ctx, actor, input.taskId);
      assertOpen(doc);
      if (task.state !== 'open') refuse('VALIDATION', 'processing.taskClosed');
      if (actor.role !== 'lanh_dao' && task.created_by !== actor.id) refuse('FORBIDDEN', 'processing.mayNotDecide');
      if (task.extension_until === null) refuse('VALIDATION', 'processing.noExtensionPending');
      const until = task.extension_until!;
      this.updateTask(db, doc.c, task.id, { extension_until: null, extension_reason: null, ...(input.grant ? { due: until } : {}) }, actor, now);
      const stepId = this.addStep(db, doc.c, {
        incomingId: doc.id, kind: 'extension_decision', taskId: task.id, toUserId: task.user_id, deadline: input.grant ? until : task.due,
        text: input.note ?? '', data: { grant: input.grant, asked: until, previous: task.due }, status: doc.status,
      }, actor, now);
      appendAudit(db, { userId: actor.id, action: 'processing.extension_decision', entity: 'incoming', entityId: doc.id, details: { step: stepId, grant: input.grant } }, now.toISOString());
      return doc.id;
    });
  }

  /** The handler completes their task, with the reply; the lead line's completion completes the document. */
  complete(actor: Actor, input: ProcessingCompleteInput): Promise<ProcessingState> {
    return this.act(actor, 'complete', { task: input.taskId }, (ctx, now) => {
      const { db } = ctx;
      const { doc, task } = this.ownTask(ctx, actor, input.taskId);
      this.updateTask(db, doc.c, task.id, { state: 'done', progress: 100 }, actor, now);
      // Up the line: the tasks it was handed on from are done with it.
      let root = task;
      while (root.parent_id !== null) {
        const parent = taskRow(db, doc.c, root.parent_id)!;
        if (parent.state === 'delegated') this.updateTask(db, doc.c, parent.id, { state: 'done', progress: 100 }, actor, now);
        root = parent;
      }
      const finished = root.role === 'lead';
      if (finished) {
        for (const t of tasksOf(db, doc)) if (t.state === 'open' || t.state === 'delegated') this.updateTask(db, doc.c, t.id, { state: 'closed' }, actor, now);
      }
      const status: IncomingStatus = finished ? 'done' : 'processing';
      const reply = input.reply ? { numberSymbol: input.reply.numberSymbol, outgoingId: input.reply.outgoingId ?? null } : null;
      const stepId = this.addStep(db, doc.c, { incomingId: doc.id, kind: 'complete', taskId: task.id, text: input.note ?? '', data: { reply, finished }, status }, actor, now);
      this.setStatus(db, doc, status, actor, now);
      appendAudit(db, { userId: actor.id, action: 'processing.complete', entity: 'incoming', entityId: doc.id, details: { step: stepId, finished, reply: reply?.outgoingId ?? null } }, now.toISOString());
      return doc.id;
    });
  }

  /** Trả lại with a reason: by the văn thư before a direction, a leader, or whoever holds the document's lead. Ends its processing (edXML 02). */
  return(actor: Actor, input: ProcessingReturnInput): Promise<ProcessingState> {
    return this.act(actor, 'return', { incomingId: input.incomingId }, (ctx, now) => {
      const { db } = ctx;
      const doc = this.doc(ctx, actor, input.incomingId);
      assertOpen(doc);
      const tasks = tasksOf(db, doc);
      if (!mayReturn(actor, doc, tasks)) refuse('FORBIDDEN', 'processing.mayNotReturn');
      for (const t of tasks) if (t.state === 'open' || t.state === 'delegated') this.updateTask(db, doc.c, t.id, { state: 'returned' }, actor, now);
      const stepId = this.addStep(db, doc.c, { incomingId: doc.id, kind: 'return', text: input.reason, status: 'returned' }, actor, now);
      this.setStatus(db, doc, 'returned', actor, now);
      appendAudit(db, { userId: actor.id, action: 'processing.return', entity: 'incoming', entityId: doc.id, details: { step: stepId } }, now.toISOString());
      return doc.id;
    });
  }

  // ---- internals ------------------------------------------------------------------------------

  /** The compartments that hold processing tables (the base of a damaged single-file profile has none). */
  private arms(ctx: CoreContext): readonly Arm[] {
    const arms = ctx.arms.filter((a) => a.level !== null);
    return arms.length > 0 ? arms : ctx.arms;
  }

  /**
   * Runs a step in one write transaction; a refusal (VALIDATION or FORBIDDEN) is audited with its
   * reason and nothing of the step is written. NOT_FOUND is not audited against a record: to the person, it does not exist.
   */
  private async act(actor: Actor, action: string, details: Record<string, unknown>, fn: (ctx: CoreContext, now: Date) => number, ready = false): Promise<ProcessingState> {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    if (!ready) await ctx.writable();
    const incomingId = this.guard(ctx, actor, action, details, () => writeTx(ctx.db, () => {
      const now = ctx.now();
      const id = fn(ctx, now);
      // A step dated in a closed year of the Sổ theo dõi giải quyết is refused (the transaction undoes it).
      // A document still being handled when its year was closed carries over: its steps in the new year
      // go on, and the closed year's frozen book stays as it was closed.
      assertTrackingYearOpen(ctx.db, todayIso(now));
      return id;
    }));
    return this.state(actor, incomingId);
  }

  private guard<T>(ctx: CoreContext, actor: Actor, action: string, details: Record<string, unknown>, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof DeskError && (err.code === 'FORBIDDEN' || err.code === 'VALIDATION') && err.key) {
        auditRefusal(ctx, actor, `processing.${action}`, err.key, details);
      }
      throw err;
    }
  }

  /** The document as processing sees it; NOT_FOUND outside the person's clearance or need-to-know. */
  private doc(ctx: CoreContext, actor: Actor, id: number): DocRow {
    const arm = visibleArm(ctx.db, ctx.arms, actor, id);
    const r = ctx.db.prepare(`SELECT id, status, secrecy, urgency, arrival_date AS arrivalDate, registered_at AS registeredAt, deadline
      FROM ${arm.schema}.incoming WHERE id = ?`).get(id) as Omit<DocRow, 'c'>;
    return { ...r, c: arm.schema };
  }

  private task(ctx: CoreContext, actor: Actor, taskId: number): { doc: DocRow; task: TaskRow } {
    const arm = locate(ctx.db, this.arms(ctx), 'processing_tasks', taskId);
    if (!arm) throw DeskError.keyed('NOT_FOUND', 'processing.taskNotFound');
    const task = taskRow(ctx.db, arm.schema, taskId)!;
    let doc: DocRow;
    try {
      doc = this.doc(ctx, actor, task.incoming_id);
    } catch {
      throw DeskError.keyed('NOT_FOUND', 'processing.taskNotFound');
    }
    return { doc, task };
  }

  /** A handling task of the person's own, open, on a document still in processing. */
  private ownTask(ctx: CoreContext, actor: Actor, taskId: number): { doc: DocRow; task: TaskRow } {
    const r = this.task(ctx, actor, taskId);
    assertOpen(r.doc);
    if (r.task.user_id !== actor.id || !HANDLING_ROLES.includes(r.task.role)) refuse('FORBIDDEN', 'processing.notYourTask');
    if (r.task.state !== 'open') refuse('VALIDATION', 'processing.taskClosed');
    return r;
  }

  private addStep(db: Db, c: string, s: StepInput, actor: Actor, now: Date, presetId?: number): number {
    const id = presetId ?? nextRecordId(db);
    db.prepare(`INSERT INTO ${c}.processing_steps (id, global_id, incoming_id, kind, actor_id, at, task_id, revises_id, to_user_id, to_unit_id, deadline, text, data, status_code)
      VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`).run(
      id, newGlobalId(), s.incomingId, s.kind, actor.id, now.toISOString(), s.taskId ?? null, s.revisesId ?? null, s.toUserId ?? null, s.toUnitId ?? null,
      s.deadline ?? null, s.text ?? '', JSON.stringify(s.data ?? {}), EDXML_STATUS[s.status],
    );
    recordChange(db, 'processing_steps', id, 'create', actor.id, now, c);
    return id;
  }

  private addTask(db: Db, doc: DocRow, t: {
    role: TaskRole; box: TaskRow['box']; userId: number | null; unitId?: number | null; due: string; dueAt: string | null;
    directionId: number | null; parentId: number | null; state: TaskState;
  }, actor: Actor, now: Date): number {
    const id = nextRecordId(db);
    const at = now.toISOString();
    db.prepare(`INSERT INTO ${doc.c}.processing_tasks (id, global_id, incoming_id, role, box, user_id, unit_id, parent_id, state, due, due_at, direction_id, created_by, created_at, updated_at)
      VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`).run(
      id, newGlobalId(), doc.id, t.role, t.box, t.userId, t.unitId ?? null, t.parentId, t.state, t.due, t.dueAt, t.directionId, actor.id, at, at,
    );
    recordChange(db, 'processing_tasks', id, 'create', actor.id, now, doc.c);
    return id;
  }

  private updateTask(db: Db, c: string, id: number, set: Partial<Pick<TaskRow, 'state' | 'progress' | 'progress_note' | 'extension_until' | 'extension_reason' | 'due'>>, actor: Actor, now: Date): void {
    const cols = Object.keys(set);
    db.prepare(`UPDATE ${c}.processing_tasks SET ${cols.map((k) => `${k} = ?`).join(', ')}, updated_at = ? WHERE id = ?`)
      .run(...cols.map((k) => (set as Record<string, unknown>)[k]), now.toISOString(), id);
    recordChange(db, 'processing_tasks', id, 'update', actor.id, now, c);
  }

  private setStatus(db: Db, doc: DocRow, status: IncomingStatus, actor: Actor, now: Date): void {
    if (doc.status === status) return;
    db.prepare(`UPDATE ${doc.c}.incoming SET status = ?, edxml_status = ? WHERE id = ?`).run(status, EDXML_STATUS[status], doc.id);
    recordChange(db, 'incoming', doc.id, 'update', actor.id, now, doc.c);
    doc.status = status;
  }

  private stateOf(ctx: CoreContext, actor: Actor, doc: DocRow): ProcessingState {
    const { db } = ctx;
    const names = nameCache(db);
    const tasks = tasksOf(db, doc);
    const steps = db.prepare(`SELECT * FROM ${doc.c}.processing_steps WHERE incoming_id = ? ORDER BY id`).all(doc.id) as Array<{
      id: number; kind: StepKind; at: string; actor_id: number; task_id: number | null; revises_id: number | null; to_user_id: number | null; to_unit_id: number | null;
      deadline: string | null; text: string; data: string; status_code: string;
    }>;
    const edxml = db.prepare(`SELECT edxml_status FROM ${doc.c}.incoming WHERE id = ?`).pluck().get(doc.id) as string;
    const open = doc.status !== 'done' && doc.status !== 'returned';
    const current = currentDirection(db, doc);
    const submission = open && (doc.status === 'registered' || doc.status === 'submitted') ? submissionDue(workDaysOf(db), readRules(db), doc) : null;
    const actions: ProcessingActions = {
      submit: open && doc.status === 'registered' && actor.rights.includes('doc.register'),
      direct: open && doc.status !== 'registered' && current === null && mayDirect(db, actor, ctx.now()),
      redirect: open && current !== null && mayDirect(db, actor, ctx.now()),
      return: open && mayReturn(actor, doc, tasks),
      assign: open ? tasks.filter((t) => t.state === 'open' && HANDLING_ROLES.includes(t.role)
        && (t.user_id === null ? mayAssignForUnit(db, actor, t.unit_id!) : t.user_id === actor.id)).map((t) => t.id) : [],
      handle: open ? tasks.filter((t) => t.state === 'open' && t.user_id === actor.id && HANDLING_ROLES.includes(t.role)).map((t) => t.id) : [],
      decide: open ? tasks.filter((t) => t.state === 'open' && t.extension_until !== null && (actor.role === 'lanh_dao' || t.created_by === actor.id)).map((t) => t.id) : [],
    };
    return {
      incomingId: doc.id, status: doc.status, edxmlStatus: edxml,
      submission: submission ? { ...submission, late: todayIso(ctx.now()) > submission.dueDate } : null,
      currentDirectionId: current,
      tasks: tasks.map((t): ProcessingTaskView => ({
        id: t.id, incomingId: t.incoming_id, role: t.role, state: t.state, userId: t.user_id, userName: t.user_id === null ? null : names.user(t.user_id),
        unitId: t.unit_id, unitName: t.unit_id === null ? null : names.unit(t.unit_id), parentId: t.parent_id,
        due: t.due === NO_DUE ? null : t.due, dueAt: t.due_at, progress: t.progress, progressNote: t.progress_note,
        extensionUntil: t.extension_until, extensionReason: t.extension_reason, directionId: t.direction_id,
      })),
      steps: steps.map((s): ProcessingStepView => ({
        id: s.id, kind: s.kind, at: s.at, actorId: s.actor_id, actorName: names.user(s.actor_id), taskId: s.task_id,
        toUserName: s.to_user_id === null ? null : names.user(s.to_user_id), toUnitName: s.to_unit_id === null ? null : names.unit(s.to_unit_id),
        deadline: s.deadline, text: s.text, statusCode: s.status_code, revisesId: s.revises_id, data: JSON.parse(s.data) as Record<string, unknown>,
      })),
      actions,
    };
  }
}

// ---- rules as functions ---------------------------------------------------------------------

function assertOpen(doc: DocRow): void {
  if (doc.status === 'returned') refuse('VALIDATION', 'processing.returned');
  if (doc.status === 'done') refuse('VALIDATION', 'processing.finished');
}

/** The submission is due the same or next working day after arrival (rules.submitWorkingDays); urgent ones at once. */
export function submissionDue(wd: WorkDays, rules: ProcessingRules, doc: { urgency: Urgency; arrivalDate: string }): { dueDate: string; atOnce: boolean } {
  if (rules.urgentAtOnce && isUrgent(doc.urgency)) return { dueDate: doc.arrivalDate, atOnce: true };
  return { dueDate: wd.after(doc.arrivalDate, rules.submitWorkingDays), atOnce: false };
}

/** The date before which an overdue task is reported to the leaders: `days` working days before today. */
function escalationDate(wd: WorkDays, today: string, days: number): string {
  let d = today;
  for (let n = 0; n < days;) {
    d = addDaysIso(d, -1);
    if (wd.isWorkingDay(d)) n++;
  }
  return d;
}

function mayReturn(actor: Actor, doc: DocRow, tasks: TaskRow[]): boolean {
  if (actor.rights.includes('doc.register') && (doc.status === 'registered' || doc.status === 'submitted')) return true;
  if (actor.role === 'lanh_dao') return true;
  return tasks.some((t) => t.state === 'open' && t.user_id === actor.id && (t.role === 'lead' || (t.role === 'handle' && rootRole(tasks, t) === 'lead')));
}

function rootRole(tasks: TaskRow[], t: TaskRow): TaskRole {
  let cur = t;
  for (let i = 0; cur.parent_id !== null && i < 50; i++) {
    const parent = tasks.find((x) => x.id === cur.parent_id);
    if (!parent) break;
    cur = parent;
  }
  return cur.role;
}

function currentDirection(db: Db, doc: DocRow): number | null {
  return (db.prepare(`SELECT max(id) FROM ${doc.c}.processing_steps WHERE incoming_id = ? AND kind = 'direct'`).pluck().get(doc.id) as number | null) ?? null;
}

function tasksOf(db: Db, doc: DocRow): TaskRow[] {
  return db.prepare(`SELECT * FROM ${doc.c}.processing_tasks WHERE incoming_id = ? ORDER BY id`).all(doc.id) as TaskRow[];
}

function taskRow(db: Db, c: string, id: number): TaskRow | undefined {
  return db.prepare(`SELECT * FROM ${c}.processing_tasks WHERE id = ?`).get(id) as TaskRow | undefined;
}

/** An active person cleared for the document's level; refused at `at` otherwise. */
function person(db: Db, id: number, level: Secrecy, at: string): Person {
  const p = db.prepare('SELECT id, full_name, role, clearance FROM main.users WHERE id = ? AND active = 1').get(id) as Person | undefined;
  if (!p) return refuse('VALIDATION', 'processing.userUnknown', undefined, at);
  if (secrecyRank(p.clearance) < secrecyRank(level)) refuse('VALIDATION', 'processing.notCleared', { name: p.full_name }, at);
  return p;
}

const userName = (db: Db, id: number): string => (db.prepare('SELECT full_name FROM main.users WHERE id = ?').pluck().get(id) as string | undefined) ?? '';

function nameCache(db: Db): { user(id: number): string; unit(id: number | null): string } {
  const users = new Map<number, string>();
  const units = new Map<number, string>();
  return {
    user(id) {
      if (!users.has(id)) users.set(id, userName(db, id));
      return users.get(id)!;
    },
    unit(id) {
      if (id === null) return '';
      if (!units.has(id)) units.set(id, (db.prepare('SELECT name FROM main.internal_units WHERE id = ?').pluck().get(id) as string | undefined) ?? '');
      return units.get(id)!;
    },
  };
}


