// The wire protocol of shared registers' numbers (docs/server.md, "Numbering authority"): the agency
// server gives each document of a shared register its number, one atomic allocation per record, per
// register and period; the register's home workstation numbers alone while the server cannot be
// reached and reports those numbers when it returns. Only ids and numbers travel: no subject, no party.
export const NUMBERS_API = '/v1/numbers';

/** A register's sequence: the register's global id, the period ("2026", "term:2025-10-15", "all") and the bucket ("*" or a type code). */
export interface NumberSequence {
  register: string;
  period: string;
  bucket: string;
}

export const NUMBER_PERIOD_RE = /^(\d{4}|all|term:\d{4}-\d{2}-\d{2})$/;
export const NUMBER_BUCKET_RE = /^(\*|[\p{L}\p{N}.\-/ ]{1,40})$/u;
export const NUMBER_ID_RE = /^[0-9A-Za-z-]{8,64}$/;

/** POST /v1/numbers/allocate: the next number for `record` (asked again: the same number). */
export interface AllocateRequest extends NumberSequence {
  record: string;
  /** The register's home workstation as this workstation knows it (the server keeps the first it hears). */
  home: string;
}

export interface NumberAllocation extends NumberSequence {
  record: string;
  number: number;
  workstation: string;
  person: string;
  allocatedAt: string;
  /**
   * `server`: allocated here; `home`: given by the home workstation offline and reported; `void`: given
   * back after a later number was allocated (a gap); `rebuilt`: given before a restore of the store lost
   * it, and written again from a workstation's record (`workstation` and `person`: who reported it).
   */
  source: 'server' | 'home' | 'void' | 'rebuilt';
}

/** The answer to an allocation or a report: the allocation and the sequence's last number now. */
export interface AllocateResult { allocation: NumberAllocation; last: number }

/**
 * POST /v1/numbers/after-restore: after the agency server's store was restored to an older point, each
 * workstation tells it the last number it knows of every sequence (numbers given here, and those the
 * records it received carry), so that the server never gives one of them again; `restore` is the mark
 * the workstation adopted (sync/restore.ts). In chunks of at most AFTER_RESTORE_MAX sequences.
 */
export interface AfterRestoreRequest {
  restore: string;
  counters: Array<NumberSequence & { last: number }>;
}
export interface AfterRestoreResult {
  /** Sequences whose last number went up. */
  raised: number;
  /** Sequences left out: registers the server does not know, or above the person's clearance. */
  skipped: number;
  /**
   * Of those, the sequences of registers above the person's clearance: the workstation keeps its mark
   * for a round by someone cleared for them.
   */
  aboveClearance: number;
  /** This workstation had already reported for this restore (what it sends again only raises what is still below). */
  already: boolean;
  /**
   * The sequences (of those sent, within the person's clearance) whose reported last is above what the
   * restored store held when the restore was marked, with that last: the workstation's records numbered
   * above it go to POST /v1/numbers/after-restore/records.
   */
  floors: Array<NumberSequence & { last: number }>;
}
export const AFTER_RESTORE_MAX = 2000;
/** At most this many distinct registers in one POST /v1/numbers/after-restore/records (400 otherwise). */
export const AFTER_RESTORE_REGISTERS_MAX = 50;

/** A record this workstation knows numbered in a sequence (its global id, as the number was asked under). */
export interface NumberedRecord extends NumberSequence { record: string; number: number }

/**
 * POST /v1/numbers/after-restore/records: the records this workstation knows numbered above a floor the
 * server answered, so the restored store knows again which record holds each number (at most
 * AFTER_RESTORE_MAX a request). A row is written only where neither the number nor the record is held.
 */
export interface AfterRestoreRecordsRequest { restore: string; records: NumberedRecord[] }
/** A record not taken: its number is held by another record, or the record holds another number. */
export interface RecordClash extends NumberedRecord { reason: 'number-taken' | 'record-numbered' }
export interface AfterRestoreRecordsResult {
  /** Allocation rows written (source `rebuilt`). */
  rebuilt: number;
  /** Already held as sent (sent again, or allocated again since the restore). */
  held: number;
  /**
   * Left out: registers the server does not know or above the person's clearance, numbers at or below
   * the restored store's last or above its counter, numbers of a sequence this workstation did not
   * report for this restore or above the last it reported, records numbered in a register above the
   * person's clearance.
   */
  skipped: number;
  /** Of those, the records of registers above the person's clearance (the workstation keeps its mark). */
  aboveClearance: number;
  clashes: RecordClash[];
}

/** At most this many records in one POST /v1/numbers/allocate-many (and its body at most NUMBERS_MANY_BYTES). */
export const NUMBERS_MANY_MAX = 500;
export const NUMBERS_MANY_BYTES = 96 * 1024;

/**
 * POST /v1/numbers/allocate-many: numbers for many records of one register (the legacy import), in
 * order, each as /allocate answers it (asked again for the same records: the same numbers).
 */
export interface AllocateManyRequest {
  register: string;
  home: string;
  items: Array<{ period: string; bucket: string; record: string }>;
}
export interface AllocateManyResult { results: AllocateResult[] }

/** POST /v1/numbers/give-back: the registration of `record` failed; its number goes back if still the last. */
export interface GiveBackRequest extends NumberSequence { record: string }
export interface GiveBackResult { givenBack: boolean; last: number }

/**
 * POST /v1/numbers/report: a number the home workstation gave offline, and when it gave it (its clock):
 * a former home's number given before the register's home was moved away from it is still accepted.
 */
export interface ReportRequest extends NumberSequence { record: string; number: number; madeAt?: string | undefined }

/** 409 `number-taken` / `record-numbered`: who holds the number (or which number the record holds). */
export interface NumberConflict { error: 'number-taken' | 'record-numbered'; message: string; holder: NumberAllocation }

/** GET /v1/numbers/last?register=&period=&bucket=: the sequence's last number (0: none yet). */
export interface LastNumber { last: number; home: string | null }

/** Administrators move a register's home: POST /v1/admin/registers/<register>/home, GET the same for the moves. */
export const ADMIN_REGISTERS_API = '/v1/admin/registers';

/** POST body: the workstation of the agency that becomes the register's home, and why (5–500 characters). */
export interface MoveHomeRequest { workstation: string; reason: string }

/** One move of a register's home, as the server recorded it (who, from which workstation, when, from, to, why). */
export interface HomeMove {
  register: string;
  from: string | null;
  to: string;
  movedBy: string;
  movedFrom: string;
  reason: string;
  movedAt: string;
}

/** GET /v1/admin/registers/<register>/home: the home now and every move, oldest first. */
export interface RegisterHomeView { register: string; home: string | null; moves: HomeMove[] }

/**
 * 409 `home-moved` to a report: the reporting workstation was this register's home, and the number was
 * given after the home was moved away from it (or without saying when): not accepted, the văn thư sees it.
 */
export interface HomeMovedConflict { error: 'home-moved'; message: string; move: HomeMove }

/** What a report comes to at the workstation (NumberClient.report). */
export type ReportOutcome = { accepted: AllocateResult } | { conflict: NumberConflict } | { moved: HomeMovedConflict };
