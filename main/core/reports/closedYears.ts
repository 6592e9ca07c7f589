// Khóa sổ cuối năm for the register outputs that are not state-secret registers of their own: the Sổ
// đăng ký văn bản đi, the Sổ đăng ký BMNN đi and the Sổ theo dõi giải quyết văn bản đến (the Sổ đăng
// ký văn bản đến closes per register in documents/registers.ts; the BMNN đến, sao chụp and chuyển giao
// registers in secrets/registerYears.ts). A closing records who and when, and the SHA-256 and row count
// of the PDF composed at that moment (the frozen book the văn thư prints and signs). Once a year is
// closed nothing that would change one of its rows is written:
//   - outgoing / secret_outgoing, year Y: no document is issued with a date in Y (OutgoingService.issue
//     calls assertIssueYearOpen); a recall or replacement after the closing is not written into the
//     closed year's rows (outgoing/registerOutput.ts reads them as they were at the closing);
//   - incoming_tracking, year Y: no processing step on a document that arrived in Y
//     (ProcessingService calls assertTrackingYearOpen in each step's transaction).
// Every refusal is a specific, keyed VALIDATION error; the callers audit it (their refusal guards).
import { formatDateTimeVn } from '../../../common/dates';
import type { Secrecy } from '../../../common/domain';
import { DeskError } from '../../../common/errors';
import type { Db } from '../db/connection';

export const CLOSABLE_REGISTERS = ['outgoing', 'secret_outgoing', 'incoming_tracking'] as const;
export type ClosableRegister = (typeof CLOSABLE_REGISTERS)[number];

export const CLOSABLE_REGISTER_NAMES: Readonly<Record<ClosableRegister, string>> = {
  outgoing: 'Sổ đăng ký văn bản đi',
  secret_outgoing: 'Sổ đăng ký bí mật nhà nước đi',
  incoming_tracking: 'Sổ theo dõi giải quyết văn bản đến',
};

export interface RegisterClosingRow {
  id: number; global_id: string | null; kind: ClosableRegister; year: number; closed_at: string; closed_by: number; pdf_sha256: string; rows: number;
}

export const registerClosing = (db: Db, kind: ClosableRegister, year: number): RegisterClosingRow | undefined =>
  db.prepare('SELECT * FROM main.register_closings WHERE kind = ? AND year = ?').get(kind, year) as RegisterClosingRow | undefined;

export const registerClosings = (db: Db): RegisterClosingRow[] =>
  db.prepare('SELECT * FROM main.register_closings ORDER BY kind, year').all() as RegisterClosingRow[];

/** The outgoing register a document of this level is entered in. */
export const outgoingRegisterOf = (secrecy: Secrecy): ClosableRegister => (secrecy === 'thuong' ? 'outgoing' : 'secret_outgoing');

/**
 * The one check OutgoingService.issue makes: refused (VALIDATION registerYear.issueClosed) when the
 * register the document goes to is closed for the year of its issue date.
 */
export function assertIssueYearOpen(db: Db, secrecy: Secrecy, issuedDate: string): void {
  const kind = outgoingRegisterOf(secrecy);
  const year = Number(issuedDate.slice(0, 4));
  const closed = registerClosing(db, kind, year);
  if (closed) {
    throw DeskError.keyed('VALIDATION', 'registerYear.issueClosed', { register: CLOSABLE_REGISTER_NAMES[kind], year, time: formatDateTimeVn(closed.closed_at) },
      { details: { register: kind, year } });
  }
}

/**
 * The one check each processing step makes: refused (VALIDATION registerYear.processingClosed) when
 * the Sổ theo dõi giải quyết văn bản đến of the step's own year (its date in Vietnam) is closed: every
 * step changes what a row of that year's book shows. Documents unfinished at the closing carry over
 * into the next year's handling.
 */
export function assertTrackingYearOpen(db: Db, stepDate: string): void {
  const year = Number(stepDate.slice(0, 4));
  const closed = registerClosing(db, 'incoming_tracking', year);
  if (closed) {
    throw DeskError.keyed('VALIDATION', 'registerYear.processingClosed', { year, time: formatDateTimeVn(closed.closed_at) },
      { details: { register: 'incoming_tracking', year } });
  }
}
