// Protection periods (Luật 117/2025/QH15): 30 years for Tuyệt mật, 20 for Tối mật, 10 for Mật from the
// document's date, unless a shorter period is written on it; at the end the record is declassified
// automatically unless the period is extended by decision. This service lists what is due for review
// (ends within the window, or has ended: the schedule of automatic declassification, with reminders
// before the end so an extension can be decided) and records extensions (a leader's decision, kept
// with the record's level history and audited).
import type { ReviewItem } from '../../../common/contract';
import { addDaysIso, todayIso } from '../../../common/dates';
import { DeskError } from '../../../common/errors';
import type { ExtendProtectionInput } from '../../../common/schemas';
import { appendAudit } from '../audit/auditLog';
import { nextRecordId } from '../compartments/ids';
import type { ContextSource } from '../context';
import { writeTx } from '../db/transaction';
import { canSeeAll, distributionSql } from '../documents/needToKnow';
import { recordChange } from '../events/eventLog';
import { newGlobalId } from '../events/globalId';
import { authorize, type Actor } from '../org/rights';
import { placeOf } from './place';
import { protectionEndSql } from './AutoDeclassification';
import { PROTECTION_YEARS } from './rules';

/** Days before the end of a protection period from which it is listed for review (reminder). */
export const REVIEW_WINDOW_DAYS = 180;

const endSql = protectionEndSql;

export class ReviewService {
  constructor(private readonly source: ContextSource) {}

  /**
   * Classified records whose protection ends within `withinDays` (reminders) or has ended (not yet
   * declassified: on hold, a decision pending, or the job has not run), soonest first; then the
   * records declassified automatically within the last `withinDays`, latest first.
   */
  due(actor: Actor, withinDays = REVIEW_WINDOW_DAYS): ReviewItem[] {
    authorize(actor, 'doc.read');
    const { db, arms, now } = this.source.context();
    const today = todayIso(now());
    const limit = addDaysIso(today, withinDays);
    const vis = canSeeAll(actor) ? { sql: '1', params: [] as unknown[] } : distributionSql(actor);
    const out: ReviewItem[] = [];
    for (const a of arms) {
      if (a.level === null || a.level === 'thuong') continue;
      const c = a.schema;
      const end = endSql(a.level);
      // Why an ended record is still here: the reason the job kept, else what would stop it now.
      const skipped = `coalesce((SELECT s.reason FROM ${c}.auto_declassify_skips s WHERE s.incoming_id = i.id), CASE
        WHEN EXISTS (SELECT 1 FROM ${c}.holds h WHERE h.incoming_id = i.id AND h.released_at IS NULL) THEN 'hold'
        WHEN EXISTS (SELECT 1 FROM ${c}.level_changes p WHERE p.incoming_id = i.id AND p.confirmed_at IS NULL AND p.cancelled_at IS NULL) THEN 'pending' END)`;
      const rows = db.prepare(`SELECT i.id, i.arrival_number AS arrivalNumber, i.number_symbol AS numberSymbol, i.document_date AS documentDate,
          i.secrecy, ${end} AS protectionUntil, i.protection_until IS NOT NULL AS custom, ${skipped} AS skipped
        FROM ${c}.incoming i WHERE ${end} <= ? AND ${vis.sql.replaceAll('{c}', c)} ORDER BY 6`).all(limit, ...vis.params) as
        Array<Omit<ReviewItem, 'state' | 'custom' | 'skipped'> & { custom: number; skipped: 'hold' | 'pending' | null }>;
      for (const { skipped: why, ...r } of rows) {
        const ended = r.protectionUntil < today;
        out.push({ ...r, custom: r.custom === 1, state: ended ? 'ended' : 'due', ...(ended && why ? { skipped: why } : {}) });
      }
    }
    out.sort((x, y) => x.protectionUntil.localeCompare(y.protectionUntil));
    return [...out, ...this.declassified(actor, addDaysIso(today, -withinDays))];
  }

  /** Records the law declassified at the end of their protection (the job), decided since `since`, latest first. */
  private declassified(actor: Actor, since: string): ReviewItem[] {
    const { db, arms } = this.source.context();
    const arm = arms.find((a) => a.level === 'thuong');
    if (!arm) return [];
    const c = arm.schema;
    const vis = canSeeAll(actor) ? { sql: '1', params: [] as unknown[] } : distributionSql(actor);
    const years = (Object.entries(PROTECTION_YEARS) as Array<[string, number]>).map(([l, y]) => `WHEN '${l}' THEN '+${y} years'`).join(' ');
    const rows = db.prepare(`SELECT i.id, i.arrival_number AS arrivalNumber, i.number_symbol AS numberSymbol, i.document_date AS documentDate, i.secrecy,
        coalesce(i.protection_until, date(i.document_date, CASE lc.from_level ${years} END)) AS protectionUntil, i.protection_until IS NOT NULL AS custom,
        lc.from_level AS fromLevel, lc.id AS changeId, lc.decided_on AS declassifiedOn
      FROM ${c}.level_changes lc JOIN ${c}.incoming i ON i.id = lc.incoming_id
      WHERE lc.automatic = 1 AND lc.kind = 'declassify' AND lc.decided_on >= ? AND ${vis.sql.replaceAll('{c}', c)}
      ORDER BY lc.decided_on DESC, lc.id DESC`).all(since, ...vis.params) as Array<Omit<ReviewItem, 'state' | 'custom'> & { custom: number }>;
    return rows.map((r) => ({ ...r, custom: r.custom === 1, state: 'declassified' as const }));
  }

  /** A leader extends the protection period of a record (before or after its end); audited. */
  async extend(actor: Actor, input: ExtendProtectionInput): Promise<ReviewItem> {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    await ctx.writable();
    const { db } = ctx;
    const doc = placeOf(db, ctx.arms, actor, input.incomingId);
    if (actor.role !== 'lanh_dao') throw DeskError.keyed('FORBIDDEN', 'level.notAllowed');
    if (doc.secrecy === 'thuong') throw DeskError.keyed('VALIDATION', 'level.notClassified');
    const end = db.prepare(`SELECT ${endSql(doc.secrecy)} FROM ${doc.c}.incoming i WHERE i.id = ?`).pluck().get(doc.id) as string;
    if (input.until <= end) throw DeskError.keyed('VALIDATION', 'protection.notLater', undefined, { at: 'until' });
    const now = ctx.now();
    writeTx(db, () => {
      db.prepare(`UPDATE ${doc.c}.incoming SET protection_until = ? WHERE id = ?`).run(input.until, doc.id);
      recordChange(db, 'incoming', doc.id, 'update', actor.id, now, doc.c);
      const cid = nextRecordId(db);
      db.prepare(`INSERT INTO ${doc.c}.level_changes (id, global_id, incoming_id, from_level, to_level, kind, authority, reason, part, decided_on, proposed_by, proposed_at, confirmed_at)
        VALUES (?,?,?,?,?, 'extend', ?,?,?,?,?,?,?)`).run(cid, newGlobalId(), doc.id, doc.secrecy, doc.secrecy, input.authority, input.reason, `${end} → ${input.until}`,
        todayIso(now), actor.id, now.toISOString(), now.toISOString());
      recordChange(db, 'level_changes', cid, 'create', actor.id, now, doc.c);
      appendAudit(db, { userId: actor.id, action: 'protection.extend', entity: 'incoming', entityId: doc.id, details: { from: end, to: input.until } }, now.toISOString());
    });
    return { id: doc.id, arrivalNumber: doc.arrivalNumber, numberSymbol: doc.numberSymbol, documentDate: doc.documentDate, secrecy: doc.secrecy, protectionUntil: input.until, custom: true, state: 'due' };
  }
}
