// SQLite's WAL commits a transaction over attached files one file at a time (docs/compartments.md): a
// job killed between the base's commit and the compartment's leaves, for that one transaction, journal
// rows, the register's counter and audit entries of records that were never written. Before a run goes
// on, such rows are taken back (the run redoes them) and the counter gives back the numbers at its top
// that only they had, so the register's numbers stay dense.
import type { Secrecy } from '../../../common/domain';
import { appendAudit } from '../audit/auditLog';
import type { Db } from '../db/connection';
import { writeTx } from '../db/transaction';
import { armOf, type Arm } from '../documents/arms';
import { periodOf, type ScopeRow } from '../documents/numbering';

interface Lost { rowKey: string; recordId: number; scopeId: number | null; period: string | null; number: number | null }

/** Rows of `jobId` journaled as imported whose record is in none of the held compartments; returns how many were taken back. */
export function recoverLostRows(db: Db, arms: readonly Arm[], jobId: number, actorId: number, now: Date): number {
  const imported = db.prepare("SELECT row_key, record_id FROM import_rows WHERE job_id = ? AND outcome = 'imported' AND record_id IS NOT NULL")
    .all(jobId) as Array<{ row_key: string; record_id: number }>;
  if (imported.length === 0) return 0;
  const present = arms.map((a) => db.prepare(`SELECT 1 FROM ${a.schema}.incoming WHERE id = ?`).pluck());
  const audit = db.prepare("SELECT details FROM audit_log WHERE action = 'incoming.register' AND entity = 'incoming' AND entity_id = ? ORDER BY id DESC LIMIT 1").pluck();
  const registerOf = db.prepare('SELECT scope_id FROM registers WHERE name = ? AND kind = ?').pluck();
  const lost: Lost[] = [];
  for (const r of imported) {
    if (present.some((s) => s.get(r.record_id) !== undefined)) continue;
    const raw = audit.get(r.record_id) as string | undefined;
    let d: { register?: string; arrivalNumber?: number; arrivalDate?: string; secrecy?: Secrecy } = {};
    try { d = raw ? JSON.parse(raw) as typeof d : {}; } catch { d = {}; }
    // A record of a level this person does not hold is not looked for: it may well be there.
    if (!d.secrecy || !armOf(arms as Arm[], d.secrecy)) continue;
    const scopeId = d.register ? (registerOf.get(d.register, 'incoming') as number | undefined) ?? null : null;
    const scope = scopeId === null ? undefined : db.prepare('SELECT * FROM numbering_scopes WHERE id = ?').get(scopeId) as ScopeRow | undefined;
    lost.push({
      rowKey: r.row_key, recordId: r.record_id, scopeId,
      period: scope && d.arrivalDate ? periodOf(scope, d.arrivalDate) : null,
      // A scope numbering each type apart: the type is not in the audit entry, its counter is left alone (a gap).
      number: scope && !scope.per_type && typeof d.arrivalNumber === 'number' ? d.arrivalNumber : null,
    });
  }
  if (lost.length === 0) return 0;
  writeTx(db, () => {
    const del = db.prepare('DELETE FROM import_rows WHERE job_id = ? AND row_key = ?');
    for (const l of lost) del.run(jobId, l.rowKey);
    db.prepare("UPDATE import_jobs SET imported = imported - ?, state = CASE WHEN state = 'done' THEN 'running' ELSE state END WHERE id = ?").run(lost.length, jobId);
    // Only numbers at the counter's top that a lost record held are given back: nobody has taken one since.
    const byCounter = new Map<string, { scopeId: number; period: string; numbers: Set<number> }>();
    for (const l of lost) {
      if (l.scopeId === null || l.period === null || l.number === null) continue;
      const k = `${l.scopeId}|${l.period}`;
      const c = byCounter.get(k) ?? { scopeId: l.scopeId, period: l.period, numbers: new Set<number>() };
      c.numbers.add(l.number);
      byCounter.set(k, c);
    }
    for (const c of byCounter.values()) {
      let last = db.prepare("SELECT last FROM number_counters WHERE scope_id = ? AND period = ? AND bucket = '*'").pluck().get(c.scopeId, c.period) as number | undefined;
      if (last === undefined) continue;
      while (c.numbers.has(last)) last--;
      db.prepare("UPDATE number_counters SET last = ? WHERE scope_id = ? AND period = ? AND bucket = '*'").run(last, c.scopeId, c.period);
    }
    appendAudit(db, {
      userId: actorId, action: 'import.recovered', entity: 'import_job', entityId: jobId,
      // The registrations audited for these ids never reached their compartment; the job redoes the rows.
      details: { lostRecordIds: lost.map((l) => l.recordId) },
    }, now.toISOString());
  });
  return lost.length;
}
