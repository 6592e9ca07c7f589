// Closing a year of the Sổ đăng ký văn bản đi, the Sổ đăng ký BMNN đi and the Sổ theo dõi giải quyết
// văn bản đến (closedYears.ts says what a closing forbids). The closing composes the year's PDF in the
// decree's layout at that moment, records its SHA-256 and row count with who closed it and when, and
// hands the PDF to the closer (to print, sign and keep): the frozen book. Who may close:
//   - Sổ đăng ký văn bản đi: the văn thư or a leader (the readers of that register);
//   - Sổ đăng ký BMNN đi: whoever may close the state-secret registers (secrets/registerRules.ts) and
//     sees the whole of it (every secret level held);
//   - Sổ theo dõi giải quyết văn bản đến: the văn thư or a leader holding every level (its rows are of every level).
// A year is closed from its last day onwards or later (the văn thư closes the book on the last working
// day of December); a year not yet begun is refused. Each refusal is specific and audited.
import { createHash } from 'node:crypto';
import type { RegisterClosingView, RegisterClosingsOverview } from '../../../common/contract';
import { formatDateTimeVn, todayIso, yearOf } from '../../../common/dates';
import { DeskError, type MessageKey, type MessageParams } from '../../../common/errors';
import type { RegisterCloseInput } from '../../../common/schemas';
import { appendAudit } from '../audit/auditLog';
import type { ContextSource, CoreContext } from '../context';
import type { Db } from '../db/connection';
import { writeTx } from '../db/transaction';
import { recordChange } from '../events/eventLog';
import { newGlobalId } from '../events/globalId';
import { canSeeAll } from '../documents/needToKnow';
import { outgoingRegisterRows } from '../outgoing/registerOutput';
import { trackingRows } from '../processing/trackingRegister';
import { authorize, type Actor } from '../org/rights';
import { mayCloseSecretRegisters, mayReadSecretRegisters, seesWholeRegister } from '../secrets/registerRules';
import { auditRefusal } from '../secrets/registerYears';
import { CLOSABLE_REGISTER_NAMES, CLOSABLE_REGISTERS, registerClosing, type ClosableRegister, type RegisterClosingRow } from './closedYears';
import { registerPdf } from './registerPdf';

const userName = (db: Db, id: number): string => (db.prepare('SELECT full_name FROM main.users WHERE id = ?').pluck().get(id) as string | undefined) ?? '';
const fingerprint = (rows: unknown[]): string => createHash('sha256').update(JSON.stringify(rows)).digest('hex');

export class RegisterClosingService {
  constructor(private readonly source: ContextSource) {}

  /** The registers the person may read, each with its closed years and whether they may close it. */
  overview(actor: Actor): RegisterClosingsOverview {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    const registers = CLOSABLE_REGISTERS.filter((k) => mayRead(ctx, actor, k)).map((kind) => ({
      kind, name: CLOSABLE_REGISTER_NAMES[kind], mayClose: closeProblem(ctx, actor, kind) === null,
      closings: (ctx.db.prepare('SELECT * FROM main.register_closings WHERE kind = ? ORDER BY year').all(kind) as RegisterClosingRow[]).map((c) => view(ctx.db, c)),
    }));
    return { registers, thisYear: yearOf(todayIso(ctx.now())) };
  }

  /** Khóa sổ năm: composes and freezes the year's PDF, records the closing; returns it with the PDF. */
  async close(actor: Actor, input: RegisterCloseInput): Promise<{ closing: RegisterClosingView; bytes: Uint8Array }> {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    await ctx.writable();
    const { db } = ctx;
    const { kind, year } = input;
    const register = CLOSABLE_REGISTER_NAMES[kind];
    const refuse = (code: 'FORBIDDEN' | 'VALIDATION', key: MessageKey, params: MessageParams): never => {
      auditRefusal(ctx, actor, 'register.close_year', key, { kind, year });
      throw DeskError.keyed(code, key, params, code === 'VALIDATION' ? { at: 'year' } : undefined);
    };
    const problem = closeProblem(ctx, actor, kind);
    if (problem) refuse('FORBIDDEN', problem, { register });
    const now = ctx.now();
    if (year > yearOf(todayIso(now))) refuse('VALIDATION', 'registerYear.future', { year });
    const closed = registerClosing(db, kind, year);
    if (closed) refuse('VALIDATION', 'registerYear.alreadyClosed', { register, year, time: formatDateTimeVn(closed.closed_at) });
    const from = `${year}-01-01`;
    const to = `${year}-12-31`;
    const rows = yearRows(ctx, actor, kind, from, to);
    const unitName = (db.prepare('SELECT name FROM main.units WHERE is_self = 1').pluck().get() as string | undefined) ?? '';
    const bytes = await registerPdf(kind, rows as never, { unitName, year, period: { from, to } });
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const id = writeTx(db, () => {
      // The PDF was composed outside the transaction: what it shows must still be the year's rows.
      if (registerClosing(db, kind, year) || fingerprint(yearRows(ctx, actor, kind, from, to)) !== fingerprint(rows))
        throw DeskError.keyed('VALIDATION', 'registerYear.changedWhileClosing', { register, year }, { at: 'year' });
      const newId = Number(db.prepare('INSERT INTO main.register_closings (global_id, kind, year, closed_at, closed_by, pdf_sha256, rows) VALUES (?,?,?,?,?,?,?)')
        .run(newGlobalId(), kind, year, now.toISOString(), actor.id, sha256, rows.length).lastInsertRowid);
      recordChange(db, 'register_closings', newId, 'create', actor.id, now);
      appendAudit(db, { userId: actor.id, action: 'register.close_year', details: { kind, year, rows: rows.length, pdfSha256: sha256 } }, now.toISOString());
      return newId;
    });
    return { closing: view(db, db.prepare('SELECT * FROM main.register_closings WHERE id = ?').get(id) as RegisterClosingRow), bytes };
  }
}

function view(db: Db, c: RegisterClosingRow): RegisterClosingView {
  return { kind: c.kind, year: c.year, closedAt: c.closed_at, closedBy: userName(db, c.closed_by), pdfSha256: c.pdf_sha256, rows: c.rows };
}

function mayRead(ctx: CoreContext, actor: Actor, kind: ClosableRegister): boolean {
  if (kind === 'secret_outgoing') return mayReadSecretRegisters(ctx.db, actor);
  return canSeeAll(actor);
}

/** Why the person may not close the register (null: they may). */
function closeProblem(ctx: CoreContext, actor: Actor, kind: ClosableRegister): MessageKey | null {
  const holds = (l: string) => ctx.arms.some((a) => a.level === l);
  if (kind === 'secret_outgoing') {
    if (!mayCloseSecretRegisters(ctx.db, actor)) return 'registerYear.notCloser';
    return seesWholeRegister(actor, ctx.arms) ? null : 'registerYear.needsWholeRegister';
  }
  if (!canSeeAll(actor)) return 'registerYear.notCloser';
  if (kind === 'outgoing') return holds('thuong') ? null : 'registerYear.needsWholeRegister';
  return holds('thuong') && seesWholeRegister(actor, ctx.arms) ? null : 'registerYear.needsWholeRegister';
}

function yearRows(ctx: CoreContext, actor: Actor, kind: ClosableRegister, from: string, to: string): unknown[] {
  return kind === 'incoming_tracking' ? trackingRows(ctx, from, to) : outgoingRegisterRows(ctx, actor, kind, from, to);
}
