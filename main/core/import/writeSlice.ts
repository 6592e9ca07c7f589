// One write transaction of a legacy import job: checked rows registered through the window's own
// registration (documents/incoming.ts), each row's journal entry in the same transaction, so a kill
// leaves both or neither. Runs on the import's database worker (writeWorker.ts, a connection of its
// own) or, when the session cannot hand its database to a worker, on the main thread (ImportService).
import { DeskError } from '../../../common/errors';
import { secrecyRank } from '../../../common/domain';
import { deferAudits, dropDeferredAudits, flushDeferredAudits } from '../audit/auditLog';
import { countRecordIds, dropRecordIds, settleRecordIds } from '../compartments/ids';
import { BatchDuplicates } from '../documents/duplicates';
import { IncomingBatch } from '../documents/incomingBatch';
import { countNumbers, dropNumbers, settleNumbers } from '../documents/numbering';
import { registerIncomingPlaced, type IncomingContext, type RegisterInput } from '../documents/incoming';
import type { Actor } from '../org/rights';
import { journalRows, setJobState, type RowOutcome } from './journal';
import type { RowNumber } from './importNumbering';
import type { PreparedRecord, RowResult } from './validate';

/** A checked row to write (what the writer needs of it: no file handles, so it crosses to a worker). */
export interface RowToWrite {
  sheet: string;
  row: number;
  /** 'importedElsewhere': another job imported it (written as a duplicate); null: not yet handled. */
  standing: 'importedElsewhere' | null;
  checked: Pick<RowResult, 'key' | 'status'> & { reasons: Array<{ code: string }>; record?: PreparedRecord };
  /** Refused before registration (the attachment store's limits), as registerRefused:CODE. */
  refused?: string;
  /** While linked: its number from the agency server, or the home's offline plan (importNumbering.ts); null: none, refused. */
  numbered?: RowNumber | null;
}

/** A row's journal entry (journal.ts), written with its transaction's. */
export type JournalEntry = { key: string; sheet: string; row: number; outcome: RowOutcome; recordId?: number; reason?: string };

export interface SliceLimits {
  /** Milliseconds of work before the transaction commits. */
  ms: number;
  /** The duplicates of at most this many rows are looked up at once (the slice stops at their end). */
  lookAhead: number;
  /** Rows the previous transaction held: the look-ahead is twice that (at least 16, at most lookAhead). */
  previousRows: number;
  /**
   * Registrations written one by one, each with its own statements (the window's way): the reference
   * the set-wise writes are compared with (tests/integration/import-setwise.test.ts). Default: set-wise.
   */
  perRow?: boolean;
}

/**
 * One write transaction from row `from`, until `limits.ms` has passed; returns where the next begins
 * and the journal entries committed. `last`: the job's last rows (its state set to done with them).
 */
export function writeSlice(
  c: IncomingContext, actor: Actor, jobId: number, todo: readonly RowToWrite[], from: number, last: boolean, limits: SliceLimits,
): { next: number; journal: JournalEntry[] } {
  const { db } = c;
  const t = performance.now();
  let k = from;
  db.exec('BEGIN IMMEDIATE');
  // Set-wise: the registrations wait in `into` and are written at once before the commit; record ids
  // are counted in memory and the audit entries chained in memory, each written once at the end.
  const into = limits.perRow ? undefined : new IncomingBatch(db);
  // The duplicate look-ups of the rows this slice may register, two queries for all of them (in
  // this transaction: nothing else writes before they are used); the slice stops at their end.
  const end = Math.min(todo.length, from + Math.min(limits.lookAhead, Math.max(16, 2 * limits.previousRows)));
  // Numbers counted in memory only while this workstation numbers alone (linked, the server's move the counters).
  const localNumbers = into !== undefined && todo.slice(from, end).every((p) => p.numbered === undefined);
  if (into) {
    countRecordIds(db);
    deferAudits(db);
    if (localNumbers) countNumbers(db);
  }
  try {
    const registeredAt = c.now();
    const toRegister = todo.slice(from, end).filter(registers).map((p) => p.checked.record!);
    const batch = new BatchDuplicates(db, c.arms, toRegister.map((r) => ({
      numberSymbol: r.numberSymbol, documentDate: r.documentDate, sha256s: r.file ? [r.file.sha256] : [],
    })), secrecyRank(actor.clearance));
    const journal: JournalEntry[] = [];
    while (k < end) {
      journal.push(writeRow(c, actor, todo[k]!, registeredAt, batch, into));
      k++;
      if (performance.now() - t > limits.ms) break;
    }
    if (into) {
      into.flush();
      settleRecordIds(db);
      if (localNumbers) settleNumbers(db);
      flushDeferredAudits(db);
    }
    // The slice's journal rows in its own transaction, set-wise: a kill leaves both or neither.
    journalRows(db, jobId, journal);
    if (k >= todo.length && last) setJobState(db, jobId, 'done', c.now());
    db.exec('COMMIT');
    return { next: k, journal };
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw err;
  } finally {
    if (into) {
      dropRecordIds(db);
      dropDeferredAudits(db);
      dropNumbers(db);
    }
  }
}

/** Whether a row goes to registration (its other outcomes are decided already). */
function registers(p: RowToWrite): boolean {
  return p.standing === null && (p.checked.status === 'ok' || p.checked.status === 'warning') && !p.refused;
}

/** A row's registration (or its outcome without one), and its journal entry, written by the caller with the slice's. */
function writeRow(c: IncomingContext, actor: Actor, p: RowToWrite, registeredAt: Date, batch: BatchDuplicates, into: IncomingBatch | undefined): JournalEntry {
  const { checked } = p;
  const at = { key: checked.key, sheet: p.sheet, row: p.row };
  const journal = (outcome: RowOutcome, extra: { recordId?: number; reason?: string }): JournalEntry => ({ ...at, outcome, ...extra });
  if (p.standing === 'importedElsewhere') return journal('duplicate', { reason: 'alreadyImported' });
  if (checked.status === 'rejected') return journal('rejected', { reason: checked.reasons.map((r) => r.code).join(',') });
  if (checked.status === 'duplicate') return journal('duplicate', { reason: checked.reasons.map((r) => r.code).join(',') });
  if (p.refused) return journal('rejected', { reason: `registerRefused:${p.refused}` });
  try {
    const file = checked.record!.file;
    const recordId = registerIncomingPlaced(c, actor, registration(checked.record!), file ? [{ ...file, signature: file.signature ?? null }] : [], registeredAt, batch, p.numbered, into).id;
    return journal('imported', { recordId });
  } catch (err) {
    if (!(err instanceof DeskError)) throw err;
    return journal('rejected', { reason: `registerRefused:${err.code}` });
  }
}

/** What the register receives for a checked row: the importer decided duplicates itself, and legacy rows are in past years. */
function registration(r: PreparedRecord): RegisterInput {
  const { file: _file, issuer, ...rest } = r;
  return {
    ...rest,
    issuer: issuer.unitId !== undefined ? { name: issuer.name, unitId: issuer.unitId } : { name: issuer.name },
    stagedIds: [],
    // Both are recorded in the audit entry of each record.
    acknowledgeDuplicates: true,
    acknowledgeOutOfOrder: true,
  };
}

/** A checked row as the writer takes it: a file's reader (an archive's entry) stays on this thread. */
export function rowToWrite(p: { row: { sheet: string; row: number }; standing: RowToWrite['standing'] | 'imported' | 'duplicate' | 'rejected'; checked?: RowResult; refused?: string }): RowToWrite {
  const checked = p.checked!;
  const record = checked.record;
  const file = record?.file;
  const plainRecord = record && file?.open ? { ...record, file: withoutReader(file) } : record;
  return {
    sheet: p.row.sheet, row: p.row.row, standing: p.standing === 'importedElsewhere' ? 'importedElsewhere' : null,
    checked: { key: checked.key, status: checked.status, reasons: checked.reasons.map((r) => ({ code: r.code })), ...(plainRecord ? { record: plainRecord } : {}) },
    ...(p.refused ? { refused: p.refused } : {}),
  };
}

function withoutReader<T extends { open?: unknown }>(f: T): Omit<T, 'open'> {
  const { open: _open, ...rest } = f;
  return rest;
}
