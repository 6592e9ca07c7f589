// An electronic arrival registered twice: online at one workstation of the agency (it held the agency
// server's decision and gave the number), and "Vào sổ, chờ cấp số" at another cut off from the server
// (exchange/awaitedArrivals.ts). The second record never gets a number (numberWaits.ts marks its wait
// `decided-elsewhere`); it is the same packet registered again. The văn thư of the workstation that
// registered it withdraws it: the record, its parts and its index entry are removed here, a delete event
// removes it from every other workstation (sync/apply.ts purges it), its wait is closed as `withdrawn`, and
// the audit log keeps what was withdrawn and which record stands. Nothing is lost: it never had a number
// (the register has no gap) and its files are the arrival's, kept with the numbered record.
//
// Only a record nobody has worked on: once routed, directed, handed over, copied or filed, its steps are
// records of their own (append-only) and the withdrawal is refused, naming the record that stands, so the
// work is done again there.
import { DeskError } from '../../../common/errors';
import type { Secrecy } from '../../../common/domain';
import { appendAudit } from '../audit/auditLog';
import { purgeRecord } from '../compartments/move';
import type { CoreContext } from '../context';
import { writeTx } from '../db/transaction';
import { globalIdOf, workstationId } from '../events/eventLog';
import { newGlobalId } from '../events/globalId';
import { authorize, requireClearance, type Actor } from '../org/rights';
import { visibleArm } from './incoming';
import { isAwaitingNumber, standingFor, WAIT_DECIDED_ELSEWHERE, type StandingRecord } from './numberWaits';

/** The problem a withdrawn record's wait is closed with. */
export const WAIT_WITHDRAWN = 'withdrawn';

/** Parts that mean someone worked on the record (registration's own parts — files, signatures, recipients — do not). */
const WORK_PARTS = ['processing_steps', 'processing_tasks', 'incoming_handovers', 'copies', 'copy_approvals', 'work_file_items', 'holds', 'level_changes', 'incoming_corrections'] as const;

export interface WithdrawnDuplicate { id: number; standing: StandingRecord | null }

interface Row { id: number; global_id: string; secrecy: Secrecy; arrival_number: number; year: number; register_id: number }

export async function withdrawDuplicate(ctx: CoreContext, actor: Actor, id: number): Promise<WithdrawnDuplicate> {
  authorize(actor, 'doc.register');
  await ctx.writable();
  const { db } = ctx;
  const now = ctx.now();
  const cx = visibleArm(db, ctx.arms, actor, id).schema;
  const row = db.prepare(`SELECT id, global_id, secrecy, arrival_number, year, register_id FROM ${cx}.incoming WHERE id = ?`).get(id) as Row | undefined;
  if (!row) throw DeskError.keyed('NOT_FOUND', 'document.notFound');
  requireClearance(actor, row.secrecy);
  const wait = db.prepare('SELECT id, made_at, arrival_global_id AS arrival, problem FROM main.number_waits WHERE record_global_id = ? AND numbered_at IS NULL')
    .get(row.global_id) as { id: number; made_at: string; arrival: string | null; problem: string | null } | undefined;
  if (!wait || !isAwaitingNumber(row.arrival_number) || wait.problem !== WAIT_DECIDED_ELSEWHERE) throw DeskError.keyed('VALIDATION', 'numberWait.notDuplicate');
  const standing = standingFor(db, cx, wait.arrival, row.global_id);
  const worked = WORK_PARTS.filter((t) => db.prepare(`SELECT 1 FROM ${cx}.${t} WHERE incoming_id = ? LIMIT 1`).get(id) !== undefined);
  if (worked.length > 0) {
    throw DeskError.keyed('VALIDATION', standing ? 'numberWait.duplicateWorkedOn' : 'numberWait.duplicateWorkedOnUnknown',
      standing ? { number: standing.arrivalNumber, register: standing.registerName } : undefined, { details: { parts: worked } });
  }
  const files = db.prepare(`SELECT DISTINCT sha256 FROM ${cx}.attachments WHERE incoming_id = ?`).pluck().all(id) as string[];
  db.pragma(`${cx}.secure_delete = ON`); // no page of the withdrawn record stays in the file
  writeTx(db, () => {
    purgeRecord(db, cx, id);
    // The other workstations hold it too (it was pushed): the level's stream tells them it is gone.
    db.prepare(`INSERT INTO ${cx}.events (id, at, origin, actor, entity, entity_id, kind, data) VALUES (?,?,?,?,'incoming',?,'delete','{}')`)
      .run(newGlobalId(), now.toISOString(), workstationId(db), globalIdOf(db, 'users', actor.id), row.global_id);
    db.prepare('UPDATE main.number_waits SET numbered_at = ?, problem = ? WHERE id = ?').run(now.toISOString(), WAIT_WITHDRAWN, wait.id);
    appendAudit(db, {
      userId: actor.id, action: 'incoming.withdrawDuplicate', entity: 'incoming', entityId: id,
      details: { globalId: row.global_id, level: row.secrecy, year: row.year, register: row.register_id, awaitedSince: wait.made_at, arrival: wait.arrival, standing: standing?.globalId ?? null, standingNumber: standing?.arrivalNumber ?? null },
    }, now.toISOString());
  });
  // Its files: kept while another record of the level has them (the standing record registered the same packet).
  const store = ctx.storeFor(row.secrecy);
  for (const sha of files) {
    if (db.prepare(`SELECT 1 FROM ${cx}.attachments WHERE sha256 = ? UNION ALL SELECT 1 FROM ${cx}.outgoing_files WHERE sha256 = ? OR signed_sha256 = ?`).get(sha, sha, sha) === undefined
      && (await store.hasBlob(sha))) await store.destroyBlob(sha);
  }
  return { id, standing };
}
