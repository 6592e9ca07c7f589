// The import journal (base database, migration 21): a job, and each source row it has handled,
// written in the same transaction as the row's registration. A row key (source hash, sheet, row)
// imported once is never imported again, by this job or any later one.
import type { Db } from '../db/connection';
import { cached } from '../db/statements';
import type { Mapping } from './mapping';

export type JobState = 'running' | 'cancelled' | 'done';
export interface JobRow {
  id: number; sourcePath: string; sourceName: string; sourceSha256: string; mapping: Mapping; folder: string; state: JobState;
  total: number; imported: number; duplicates: number; rejected: number; createdBy: number; createdAt: string; updatedAt: string;
}
export type RowOutcome = 'imported' | 'duplicate' | 'rejected';

export function createJob(db: Db, j: { sourcePath: string; sourceName: string; sourceSha256: string; mapping: Mapping; folder: string; total: number; by: number; now: Date }): number {
  const at = j.now.toISOString();
  return Number(db.prepare(`INSERT INTO import_jobs (source_path, source_name, source_sha256, mapping, folder, state, total, created_by, created_at, updated_at)
    VALUES (?,?,?,?,?,'running',?,?,?,?)`).run(j.sourcePath, j.sourceName, j.sourceSha256, JSON.stringify(j.mapping), j.folder, j.total, j.by, at, at).lastInsertRowid);
}

export function getJob(db: Db, id: number): JobRow | undefined {
  const r = db.prepare(`SELECT id, source_path AS sourcePath, source_name AS sourceName, source_sha256 AS sourceSha256, mapping, folder, state,
    total, imported, duplicates, rejected, created_by AS createdBy, created_at AS createdAt, updated_at AS updatedAt FROM import_jobs WHERE id = ?`).get(id) as
    (Omit<JobRow, 'mapping'> & { mapping: string }) | undefined;
  return r ? { ...r, mapping: JSON.parse(r.mapping) as Mapping } : undefined;
}

/** How a row stands: handled by this job (its outcome), imported by another job, or not yet. */
export function rowStanding(db: Db, jobId: number, key: string): RowOutcome | 'importedElsewhere' | null {
  const mine = cached(db, 'SELECT outcome FROM import_rows WHERE job_id = ? AND row_key = ?').pluck().get(jobId, key) as RowOutcome | undefined;
  if (mine) return mine;
  return cached(db, "SELECT 1 FROM import_rows WHERE row_key = ? AND outcome = 'imported'").get(key) ? 'importedElsewhere' : null;
}

export function journalRow(db: Db, jobId: number, r: { key: string; sheet: string; row: number; outcome: RowOutcome; recordId?: number; reason?: string }): void {
  cached(db, 'INSERT INTO import_rows (job_id, row_key, sheet, row_no, outcome, record_id, reason) VALUES (?,?,?,?,?,?,?)')
    .run(jobId, r.key, r.sheet, r.row, r.outcome, r.recordId ?? null, r.reason ?? '');
  const column = r.outcome === 'imported' ? 'imported' : r.outcome === 'duplicate' ? 'duplicates' : 'rejected';
  cached(db, `UPDATE import_jobs SET ${column} = ${column} + 1 WHERE id = ?`).run(jobId);
}

export function setJobState(db: Db, jobId: number, state: JobState, now: Date): void {
  db.prepare('UPDATE import_jobs SET state = ?, updated_at = ? WHERE id = ?').run(state, now.toISOString(), jobId);
}

/** Rows per INSERT of journalRows (7 parameters each, well below SQLite's limit). */
const JOURNAL_CHUNK = 100;

/**
 * Many rows' journal entries at once (a write slice's, in its transaction): multi-row INSERTs and one
 * update of the job's counts, the same rows and counts as journalRow for each.
 */
export function journalRows(db: Db, jobId: number, rows: ReadonlyArray<{ key: string; sheet: string; row: number; outcome: RowOutcome; recordId?: number; reason?: string }>): void {
  for (let i = 0; i < rows.length; i += JOURNAL_CHUNK) {
    const part = rows.slice(i, i + JOURNAL_CHUNK);
    cached(db, `INSERT INTO import_rows (job_id, row_key, sheet, row_no, outcome, record_id, reason) VALUES ${part.map(() => '(?,?,?,?,?,?,?)').join(',')}`)
      .run(...part.flatMap((r) => [jobId, r.key, r.sheet, r.row, r.outcome, r.recordId ?? null, r.reason ?? '']));
  }
  const n = (o: RowOutcome) => rows.reduce((k, r) => k + (r.outcome === o ? 1 : 0), 0);
  const [imported, duplicates, rejected] = [n('imported'), n('duplicate'), n('rejected')];
  if (imported + duplicates + rejected === 0) return;
  cached(db, 'UPDATE import_jobs SET imported = imported + ?, duplicates = duplicates + ?, rejected = rejected + ? WHERE id = ?').run(imported, duplicates, rejected, jobId);
}
