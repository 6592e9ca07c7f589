// Changing a record's secrecy level and declassifying it (whole or in part). A leader proposes the
// decision (its authority, reason and date); a second authorised person, never the same one, confirms
// it. Only then does the mark change and the record move to the compartment of its new level (a
// journaled move: compartments/move.ts). A level is never lowered to Thường: that is declassification.
// The holders to be told in writing within 15 days (recipients, hand-overs, grants, copies) are listed
// with a generated notice.
import type { LevelChangeView } from '../../../common/contract';
import { addDaysIso, todayIso } from '../../../common/dates';
import { SECRECY_LABELS, secrecyRank, type Secrecy } from '../../../common/domain';
import { DeskError } from '../../../common/errors';
import type { ConfirmLevelChangeInput, LevelChangeInput } from '../../../common/schemas';
import { appendAudit } from '../audit/auditLog';
import { nextRecordId } from '../compartments/ids';
import { journalMove, resumeMove } from '../compartments/move';
import type { ContextSource } from '../context';
import { writeTx } from '../db/transaction';
import { armOf, locate } from '../documents/arms';
import { recordChange } from '../events/eventLog';
import { newGlobalId } from '../events/globalId';
import { authorize, type Actor } from '../org/rights';
import { placeOf } from './place';
import { composeNotice, holdersOf, NOTICE_DAYS } from './notice';
import { mayConfirmLevelChange, mayProposeLevelChange, PROTECTION_YEARS } from './rules';

export { NOTICE_DAYS };

interface ChangeRow {
  id: number; incoming_id: number; from_level: Secrecy; to_level: Secrecy; kind: LevelChangeInput['kind']; authority: string; reason: string;
  part: string; decided_on: string; proposed_by: number; proposed_at: string; confirmed_by: number | null; confirmed_at: string | null;
  cancelled_at: string | null; notice: string | null; automatic?: number;
}

export class LevelChangeService {
  constructor(private readonly source: ContextSource) {}

  async propose(actor: Actor, input: LevelChangeInput): Promise<LevelChangeView> {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    await ctx.writable();
    const { db } = ctx;
    const doc = placeOf(db, ctx.arms, actor, input.incomingId);
    if (!mayProposeLevelChange(actor)) throw DeskError.keyed('FORBIDDEN', 'level.notAllowed');
    const from = doc.secrecy;
    let to: Secrecy = from;
    if (input.kind === 'declassify' || input.kind === 'declassify_part') {
      if (from === 'thuong') throw DeskError.keyed('VALIDATION', 'level.notClassified', undefined, { at: 'kind' });
      if (input.kind === 'declassify') to = 'thuong';
      else if (!input.part) throw DeskError.keyed('VALIDATION', 'level.partRequired', undefined, { at: 'part' });
    } else {
      if (!input.toLevel) throw DeskError.keyed('VALIDATION', 'level.toRequired', undefined, { at: 'toLevel' });
      to = input.toLevel;
      // Lowering to Thường is not a level change: it is a declassification, decided as one.
      if (input.kind === 'lower' && to === 'thuong') throw DeskError.keyed('VALIDATION', 'level.lowerToUnclassified', undefined, { at: 'toLevel' });
      if (input.kind === 'lower' && secrecyRank(to) >= secrecyRank(from)) throw DeskError.keyed('VALIDATION', 'level.notLower', undefined, { at: 'toLevel' });
      if (input.kind === 'raise' && secrecyRank(to) <= secrecyRank(from)) throw DeskError.keyed('VALIDATION', 'level.notHigher', undefined, { at: 'toLevel' });
      if (secrecyRank(to) > secrecyRank(actor.clearance)) throw DeskError.keyed('FORBIDDEN', 'level.aboveClearance', undefined, { at: 'toLevel' });
    }
    if (input.decidedOn > todayIso(ctx.now())) throw DeskError.keyed('VALIDATION', 'level.decidedInFuture', undefined, { at: 'decidedOn' });
    if (db.prepare(`SELECT 1 FROM ${doc.c}.level_changes WHERE incoming_id = ? AND confirmed_at IS NULL AND cancelled_at IS NULL`).get(doc.id))
      throw DeskError.keyed('VALIDATION', 'level.pending');
    const now = ctx.now();
    const id = writeTx(db, () => {
      const cid = nextRecordId(db);
      db.prepare(`INSERT INTO ${doc.c}.level_changes (id, global_id, incoming_id, from_level, to_level, kind, authority, reason, part, decided_on, proposed_by, proposed_at)
        VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`).run(cid, newGlobalId(), doc.id, from, to, input.kind, input.authority, input.reason, input.part ?? '', input.decidedOn, actor.id, now.toISOString());
      recordChange(db, 'level_changes', cid, 'create', actor.id, now, doc.c);
      appendAudit(db, { userId: actor.id, action: 'level.propose', entity: 'incoming', entityId: doc.id, details: { change: cid, kind: input.kind, from, to } }, now.toISOString());
      return cid;
    });
    return this.view(doc.c, id);
  }

  /** The second person confirms: the mark changes and the record moves compartment. */
  async confirm(actor: Actor, input: ConfirmLevelChangeInput): Promise<LevelChangeView> {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    await ctx.writable();
    const { db } = ctx;
    const arm = locate(db, ctx.arms, 'level_changes', input.changeId);
    if (!arm) throw DeskError.keyed('NOT_FOUND', 'level.changeNotFound');
    const ch = db.prepare(`SELECT * FROM ${arm.schema}.level_changes WHERE id = ?`).get(input.changeId) as ChangeRow;
    const doc = placeOf(db, ctx.arms, actor, ch.incoming_id);
    if (!mayConfirmLevelChange(actor)) throw DeskError.keyed('FORBIDDEN', 'level.notAllowed');
    if (ch.proposed_by === actor.id) throw DeskError.keyed('FORBIDDEN', 'level.samePerson');
    if (ch.confirmed_at !== null || ch.cancelled_at !== null) throw DeskError.keyed('VALIDATION', 'level.notPending');
    const toArm = armOf(ctx.arms, ch.to_level);
    if (!toArm || secrecyRank(ch.to_level) > secrecyRank(actor.clearance))
      throw DeskError.keyed('FORBIDDEN', 'compartment.notHeld', { level: SECRECY_LABELS[ch.to_level] });
    const now = ctx.now();
    const notice = this.notice(doc.c, ch, doc);
    writeTx(db, () => {
      db.prepare(`UPDATE ${doc.c}.level_changes SET confirmed_by = ?, confirmed_at = ?, notice = ? WHERE id = ?`).run(actor.id, now.toISOString(), notice, ch.id);
      recordChange(db, 'level_changes', ch.id, 'update', actor.id, now, doc.c);
      appendAudit(db, { userId: actor.id, action: 'level.confirm', entity: 'incoming', entityId: doc.id, details: { change: ch.id, kind: ch.kind, from: ch.from_level, to: ch.to_level } }, now.toISOString());
      if (ch.to_level !== ch.from_level) journalMove(db, { globalId: doc.globalId, id: doc.id, from: ch.from_level, to: ch.to_level }, ch.to_level, now);
    });
    if (ch.to_level !== ch.from_level) {
      await resumeMove(db, { globalId: doc.globalId, id: doc.id, from: ch.from_level, to: ch.to_level }, ch.to_level,
        { from: ctx.storeFor(ch.from_level), to: ctx.storeFor(ch.to_level) });
      writeTx(db, () => {
        // The protection period runs from the day the level was decided (not from the document's
        // date): a record raised today keeps its new level for the law's full period.
        if (ch.to_level !== 'thuong') {
          db.prepare(`UPDATE ${toArm.schema}.incoming SET protection_until = date(?, '+${PROTECTION_YEARS[ch.to_level]} years') WHERE id = ?`).run(ch.decided_on, doc.id);
        }
        recordChange(db, 'incoming', doc.id, 'update', actor.id, now, toArm.schema);
      });
    }
    return this.view(ch.to_level !== ch.from_level ? toArm.schema : doc.c, ch.id);
  }

  async cancel(actor: Actor, input: ConfirmLevelChangeInput): Promise<LevelChangeView> {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    await ctx.writable();
    const { db } = ctx;
    const arm = locate(db, ctx.arms, 'level_changes', input.changeId);
    if (!arm) throw DeskError.keyed('NOT_FOUND', 'level.changeNotFound');
    const ch = db.prepare(`SELECT * FROM ${arm.schema}.level_changes WHERE id = ?`).get(input.changeId) as ChangeRow;
    placeOf(db, ctx.arms, actor, ch.incoming_id);
    if (!mayConfirmLevelChange(actor)) throw DeskError.keyed('FORBIDDEN', 'level.notAllowed');
    if (ch.confirmed_at !== null || ch.cancelled_at !== null) throw DeskError.keyed('VALIDATION', 'level.notPending');
    const now = ctx.now();
    writeTx(db, () => {
      db.prepare(`UPDATE ${arm.schema}.level_changes SET cancelled_at = ? WHERE id = ?`).run(now.toISOString(), ch.id);
      recordChange(db, 'level_changes', ch.id, 'update', actor.id, now, arm.schema);
      appendAudit(db, { userId: actor.id, action: 'level.cancel', entity: 'incoming', entityId: ch.incoming_id, details: { change: ch.id } }, now.toISOString());
    });
    return this.view(arm.schema, ch.id);
  }

  list(actor: Actor, incomingId: number): LevelChangeView[] {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    const doc = placeOf(ctx.db, ctx.arms, actor, incomingId);
    const ids = ctx.db.prepare(`SELECT id FROM ${doc.c}.level_changes WHERE incoming_id = ? ORDER BY id`).pluck().all(doc.id) as number[];
    return ids.map((id) => this.view(doc.c, id));
  }

  private holders(c: string, incomingId: number): string[] {
    return holdersOf(this.source.context().db, c, incomingId);
  }

  private notice(c: string, ch: ChangeRow, doc: { arrivalNumber: number; numberSymbol: string; documentDate: string; registerName: string }): string {
    return composeNotice(this.source.context().db, c, ch, doc);
  }

  private view(c: string, id: number): LevelChangeView {
    const { db } = this.source.context();
    const r = db.prepare(`SELECT * FROM ${c}.level_changes WHERE id = ?`).get(id) as ChangeRow;
    const name = (uid: number | null) => (uid === null ? null : (db.prepare('SELECT full_name FROM users WHERE id = ?').pluck().get(uid) as string | undefined) ?? null);
    return {
      id: r.id, incomingId: r.incoming_id, kind: r.kind, fromLevel: r.from_level, toLevel: r.to_level, authority: r.authority, reason: r.reason,
      part: r.part, decidedOn: r.decided_on, proposedBy: name(r.proposed_by) ?? '', proposedAt: r.proposed_at,
      confirmedBy: name(r.confirmed_by), confirmedAt: r.confirmed_at, cancelledAt: r.cancelled_at, notice: r.notice,
      holders: this.holders(c, r.incoming_id), noticeDue: addDaysIso(r.decided_on, NOTICE_DAYS),
      ...(r.automatic === 1 ? { automatic: true } : {}),
    };
  }
}
