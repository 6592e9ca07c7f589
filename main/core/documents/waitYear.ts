// A "Chờ cấp số" arrival whose register year was closed before it got its number (the book of that year
// printed and signed, on this workstation or another): no number of the closed year is given to it,
// neither here nor by the server (409 `year-closed`). What the văn thư does with a paper that came too
// late for a closed book: registers it in the open year. The record keeps its date received; its year
// and period become the open year's, it keeps waiting, and the next numbering round asks the server the
// open year's next number. The move, its update event and the audit entry are one transaction.
import { todayIso, yearOf } from '../../../common/dates';
import { DeskError } from '../../../common/errors';
import { appendAudit } from '../audit/auditLog';
import type { CoreContext } from '../context';
import { writeTx } from '../db/transaction';
import { recordChange } from '../events/eventLog';
import { authorize, requireClearance, type Actor } from '../org/rights';
import { auditRefusal } from '../secrets/registerYears';
import { visibleArm } from './incoming';
import { periodOf, scopeRow } from './numbering';
import { isYearClosed } from './registers';
import type { Secrecy } from '../../../common/domain';

export interface MovedWait { id: number; fromYear: number; toYear: number }

interface Row { id: number; global_id: string; year: number; secrecy: Secrecy; register_id: number; name: string; scope_id: number; arrival_number: number }

export async function moveWaitToOpenYear(ctx: CoreContext, actor: Actor, id: number): Promise<MovedWait> {
  authorize(actor, 'doc.register');
  await ctx.writable();
  const { db } = ctx;
  const now = ctx.now();
  const cx = visibleArm(db, ctx.arms, actor, id).schema;
  return writeTx(db, () => {
    const row = db.prepare(`SELECT i.id, i.global_id, i.year, i.secrecy, i.register_id, i.arrival_number, r.name, r.scope_id FROM ${cx}.incoming i JOIN main.registers r ON r.id = i.register_id WHERE i.id = ?`)
      .get(id) as Row | undefined;
    if (!row) throw DeskError.keyed('NOT_FOUND', 'document.notFound');
    requireClearance(actor, row.secrecy);
    const wait = db.prepare('SELECT id, made_at FROM main.number_waits WHERE record_global_id = ? AND numbered_at IS NULL').get(row.global_id) as { id: number; made_at: string } | undefined;
    if (!wait || row.arrival_number >= 1) throw DeskError.keyed('VALIDATION', 'numberWait.notWaiting');
    if (!isYearClosed(db, row.register_id, row.year)) throw DeskError.keyed('VALIDATION', 'numberWait.yearOpen', { register: row.name, year: row.year });
    const today = todayIso(now);
    const toYear = yearOf(today);
    if (toYear <= row.year || isYearClosed(db, row.register_id, toYear)) {
      auditRefusal(ctx, actor, 'incoming.move_year', 'numberWait.noOpenYear', { register: row.register_id, year: toYear }, { entity: 'incoming', entityId: row.id });
      throw DeskError.keyed('VALIDATION', 'numberWait.noOpenYear', { register: row.name, year: toYear });
    }
    const period = periodOf(scopeRow(db, row.scope_id), today);
    db.prepare(`UPDATE ${cx}.incoming SET year = ?, period = ? WHERE id = ?`).run(toYear, period, row.id);
    db.prepare('UPDATE main.number_waits SET period = ?, problem = NULL WHERE id = ?').run(period, wait.id);
    recordChange(db, 'incoming', row.id, 'update', actor.id, now, cx);
    appendAudit(db, {
      userId: actor.id, action: 'incoming.move_year', entity: 'incoming', entityId: row.id,
      details: { register: row.name, fromYear: row.year, toYear, reason: 'year_closed_while_awaiting_number', awaitedSince: wait.made_at },
    }, now.toISOString());
    return { id: row.id, fromYear: row.year, toYear };
  });
}
