// Destruction of a classified record (tiêu hủy), and the holds that stop it. A leader decides it with
// its decision (biên bản), authority and reason; the content becomes unrecoverable: the record, its
// parts, its history events and its index entry are deleted with secure_delete on, the index is
// rewritten without it and words only it held leave the vocabulary, the compartment's WAL is
// checkpointed so that no freed page keeps plaintext, and its files are shredded. What remains is the
// destruction record in the compartment (register, year, number, decision: no subject) and the audit
// entry in the base (ids only).
import type { DestructionView, HoldView } from '../../../common/contract';
import { todayIso } from '../../../common/dates';
import { DeskError } from '../../../common/errors';
import type { DestroyInput, HoldInput, ReleaseHoldInput } from '../../../common/schemas';
import { appendAudit } from '../audit/auditLog';
import { nextRecordId } from '../compartments/ids';
import { purgeRecord } from '../compartments/move';
import type { ContextSource } from '../context';
import { writeTx } from '../db/transaction';
import { locate } from '../documents/arms';
import { indexText, type IndexedFields } from '../documents/search';
import { recordChange } from '../events/eventLog';
import { newGlobalId } from '../events/globalId';
import { authorize, type Actor } from '../org/rights';
import { placeOf } from './place';
import { mayDestroy, mayHold } from './rules';

export class DestructionService {
  constructor(private readonly source: ContextSource) {}

  async hold(actor: Actor, input: HoldInput): Promise<HoldView> {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    await ctx.writable();
    const { db } = ctx;
    const doc = placeOf(db, ctx.arms, actor, input.incomingId);
    if (!mayHold(actor)) throw DeskError.keyed('FORBIDDEN', 'hold.notAllowed');
    const now = ctx.now();
    const id = writeTx(db, () => {
      const hid = nextRecordId(db);
      db.prepare(`INSERT INTO ${doc.c}.holds (id, global_id, incoming_id, reason, placed_by, placed_at) VALUES (?,?,?,?,?,?)`)
        .run(hid, newGlobalId(), doc.id, input.reason, actor.id, now.toISOString());
      recordChange(db, 'holds', hid, 'create', actor.id, now, doc.c);
      appendAudit(db, { userId: actor.id, action: 'hold.place', entity: 'incoming', entityId: doc.id, details: { hold: hid } }, now.toISOString());
      return hid;
    });
    return { id, incomingId: doc.id, reason: input.reason, placedAt: now.toISOString(), releasedAt: null };
  }

  async release(actor: Actor, input: ReleaseHoldInput): Promise<HoldView> {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    await ctx.writable();
    const { db } = ctx;
    const arm = locate(db, ctx.arms, 'holds', input.holdId);
    if (!arm) throw DeskError.keyed('NOT_FOUND', 'hold.notFound');
    const h = db.prepare(`SELECT * FROM ${arm.schema}.holds WHERE id = ?`).get(input.holdId) as { id: number; incoming_id: number; reason: string; placed_at: string; released_at: string | null };
    placeOf(db, ctx.arms, actor, h.incoming_id);
    if (!mayHold(actor)) throw DeskError.keyed('FORBIDDEN', 'hold.notAllowed');
    if (h.released_at !== null) throw DeskError.keyed('VALIDATION', 'hold.released');
    const now = ctx.now();
    writeTx(db, () => {
      db.prepare(`UPDATE ${arm.schema}.holds SET released_by = ?, released_at = ? WHERE id = ?`).run(actor.id, now.toISOString(), h.id);
      recordChange(db, 'holds', h.id, 'update', actor.id, now, arm.schema);
      appendAudit(db, { userId: actor.id, action: 'hold.release', entity: 'incoming', entityId: h.incoming_id, details: { hold: h.id } }, now.toISOString());
    });
    return { id: h.id, incomingId: h.incoming_id, reason: h.reason, placedAt: h.placed_at, releasedAt: now.toISOString() };
  }

  /** The holds on a record, open and released. */
  holds(actor: Actor, incomingId: number): HoldView[] {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    const doc = placeOf(ctx.db, ctx.arms, actor, incomingId);
    return (ctx.db.prepare(`SELECT id, incoming_id AS incomingId, reason, placed_at AS placedAt, released_at AS releasedAt FROM ${doc.c}.holds WHERE incoming_id = ? ORDER BY id`)
      .all(doc.id) as HoldView[]);
  }

  async destroy(actor: Actor, input: DestroyInput): Promise<DestructionView> {
    authorize(actor, 'doc.read');
    const ctx = this.source.context();
    await ctx.writable();
    const { db } = ctx;
    const doc = placeOf(db, ctx.arms, actor, input.incomingId);
    if (!mayDestroy(actor)) throw DeskError.keyed('FORBIDDEN', 'destroy.notAllowed');
    if (doc.secrecy === 'thuong') throw DeskError.keyed('VALIDATION', 'destroy.notClassified');
    if (input.decidedOn > todayIso(ctx.now())) throw DeskError.keyed('VALIDATION', 'level.decidedInFuture', undefined, { at: 'decidedOn' });
    if (db.prepare(`SELECT 1 FROM ${doc.c}.holds WHERE incoming_id = ? AND released_at IS NULL`).get(doc.id))
      throw DeskError.keyed('VALIDATION', 'destroy.onHold');
    const c = doc.c;
    const shas = db.prepare(`SELECT DISTINCT sha256 FROM ${c}.attachments WHERE incoming_id = ?`).pluck().all(doc.id) as string[];
    const words = indexText(db.prepare(`SELECT subject, number_symbol AS numberSymbol, issuer_name AS issuerName, notes FROM ${c}.incoming WHERE id = ?`)
      .get(doc.id) as IndexedFields).split(' ');
    const now = ctx.now();
    // Freed pages are overwritten with zeros, not left holding the deleted text.
    db.pragma(`${c}.secure_delete = ON`);
    const id = writeTx(db, () => {
      const did = nextRecordId(db);
      db.prepare(`INSERT INTO ${c}.destructions (id, global_id, incoming_id, incoming_global_id, register_id, year, arrival_number, decision, authority, reason, decided_on, destroyed_by, destroyed_at, files)
        VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`).run(did, newGlobalId(), doc.id, doc.globalId, doc.registerId, doc.year, doc.arrivalNumber,
        input.decision, input.authority, input.reason, input.decidedOn, actor.id, now.toISOString(), shas.length);
      purgeRecord(db, c, doc.id);
      // The deletion travels as an event that carries nothing but the id.
      db.prepare(`INSERT INTO ${c}.events (id, at, origin, actor, entity, entity_id, kind, data) VALUES (?,?,?,?, 'incoming', ?, 'delete', '{}')`)
        .run(newGlobalId(), now.toISOString(), db.prepare("SELECT value FROM main.settings WHERE key = 'workstation_id'").pluck().get(),
          db.prepare('SELECT global_id FROM main.users WHERE id = ?').pluck().get(actor.id), doc.globalId);
      recordChange(db, 'destructions', did, 'create', actor.id, now, c);
      appendAudit(db, { userId: actor.id, action: 'document.destroy', entity: 'incoming', entityId: doc.id, details: { destruction: did, files: shas.length } }, now.toISOString());
      return did;
    });
    // The index is rewritten without the record, and words only it held leave the vocabulary.
    writeTx(db, () => {
      db.prepare(`INSERT INTO ${c}.incoming_fts (incoming_fts) VALUES ('optimize')`).run();
      db.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS temp.destroy_vocab USING fts5vocab(${c}, incoming_fts, 'row')`);
      for (const term of new Set(words)) {
        if (db.prepare('SELECT 1 FROM temp.destroy_vocab WHERE term = ?').get(term) === undefined)
          db.prepare(`DELETE FROM ${c}.search_terms WHERE term = ?`).run(term);
      }
      db.exec('DROP TABLE temp.destroy_vocab');
    });
    db.pragma(`${c}.wal_checkpoint(TRUNCATE)`);
    const store = ctx.storeFor(doc.secrecy);
    for (const sha of shas) {
      if (db.prepare(`SELECT 1 FROM ${c}.attachments WHERE sha256 = ?`).get(sha) === undefined) await store.destroyBlob(sha);
    }
    return this.view(c, id);
  }

  list(actor: Actor): DestructionView[] {
    authorize(actor, 'doc.read');
    if (!mayDestroy(actor) && !mayHold(actor)) throw DeskError.keyed('FORBIDDEN', 'destroy.notAllowed');
    const ctx = this.source.context();
    return ctx.arms.flatMap((a) => (ctx.db.prepare(`SELECT id FROM ${a.schema}.destructions ORDER BY id`).pluck().all() as number[]).map((id) => this.view(a.schema, id)));
  }

  private view(c: string, id: number): DestructionView {
    const { db } = this.source.context();
    const r = db.prepare(`SELECT d.*, g.name AS register_name, u.full_name FROM ${c}.destructions d JOIN registers g ON g.id = d.register_id JOIN users u ON u.id = d.destroyed_by WHERE d.id = ?`).get(id) as {
      id: number; incoming_id: number; register_name: string; year: number; arrival_number: number; decision: string; authority: string; reason: string;
      decided_on: string; full_name: string; destroyed_at: string; files: number;
    };
    return {
      id: r.id, incomingId: r.incoming_id, registerName: r.register_name, year: r.year, arrivalNumber: r.arrival_number, decision: r.decision,
      authority: r.authority, reason: r.reason, decidedOn: r.decided_on, destroyedBy: r.full_name, destroyedAt: r.destroyed_at, files: r.files,
    };
  }
}
