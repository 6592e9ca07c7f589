// Who may do what with work files, and the profile's configurable rules with their defaults
// (docs/work-files.md):
//   - the yearly file list (danh mục hồ sơ) is drawn up and edited by the văn thư (whoever keeps the
//     register) or a leader; closing a year's list freezes its entries;
//   - a file is opened (lập hồ sơ) by the person it is assigned to, or by anyone when it is assigned
//     to nobody; the list's keepers may open it too;
//   - documents are added, removed and the file closed by the person who opened it, or a leader;
//   - a closed file is exported by its handler, a leader or the văn thư; handed over to the archive
//     by the văn thư. A closed file is never reopened (see docs/work-files.md);
//   - nộp lưu: due `archive_due_months` months after the file is closed (default 12: Luật Lưu trữ
//     gives one year from the end of the work for ordinary files; other kinds differ: configurable),
//     warned `archive_warning_days` days before (default 30, Nghị định 30/2020).
import { clearedFor, type Secrecy } from '../../../common/domain';
import type { Db } from '../db/connection';
import type { Actor } from '../org/rights';

export const DEFAULT_ARCHIVE_DUE_MONTHS = 12;
export const DEFAULT_ARCHIVE_WARNING_DAYS = 30;

const isLeader = (a: Actor) => a.role === 'lanh_dao';
const keepsRegister = (a: Actor) => a.rights.includes('doc.register');

export const mayEditList = (a: Actor): boolean => isLeader(a) || keepsRegister(a);
export const mayOpen = (a: Actor, responsibleUserId: number | null): boolean => responsibleUserId === null || responsibleUserId === a.id || mayEditList(a);
export const mayChange = (a: Actor, openedBy: number | null): boolean => openedBy === a.id || isLeader(a);
export const mayExport = (a: Actor, openedBy: number | null): boolean => mayChange(a, openedBy) || keepsRegister(a);
export const mayTransfer = (a: Actor): boolean => keepsRegister(a);

/** What need-to-know of a file looks at. */
export interface FileFacts {
  id: number; secrecy: Secrecy; responsible_unit_id: number | null; responsible_user_id: number | null; created_by: number; opened_by: number | null;
}

/**
 * Need-to-know of a work file: who may learn that it exists, its title and its metadata
 * (docs/work-files.md). Only someone cleared for the file's level, and then: the văn thư and the
 * lãnh đạo (who keep the list); the person it is assigned to, who drew it up or who opened it (its
 * handler); the head and deputies of its responsible unit; the members of that unit while it is
 * assigned to no one (one of them opens it); and the people it was shared with.
 */
export function mayKnowFile(db: Db, a: Actor, f: FileFacts): boolean {
  if (!clearedFor(a.clearance, f.secrecy)) return false;
  if (isLeader(a) || keepsRegister(a)) return true;
  if (f.responsible_user_id === a.id || f.created_by === a.id || f.opened_by === a.id) return true;
  if (f.responsible_unit_id !== null) {
    const me = db.prepare('SELECT unit_id, unit_role FROM main.users WHERE id = ?').get(a.id) as { unit_id: number | null; unit_role: string | null } | undefined;
    if (me && me.unit_id === f.responsible_unit_id && (me.unit_role === 'head' || me.unit_role === 'deputy' || f.responsible_user_id === null)) return true;
  }
  return db.prepare('SELECT 1 FROM main.work_file_shares WHERE work_file_id = ? AND user_id = ? AND withdrawn_at IS NULL').get(f.id, a.id) !== undefined;
}

/** Who may withdraw a share: whoever made it, or whoever may share the file. */
export const mayWithdrawShare = (a: Actor, openedBy: number | null, sharedBy: number): boolean => sharedBy === a.id || mayShare(a, openedBy);

/** Who may share a file with another person: its handler, a leader or the văn thư. */
export const mayShare = (a: Actor, openedBy: number | null): boolean => mayChange(a, openedBy) || keepsRegister(a);

function intSetting(db: Db, key: string, fallback: number, min: number, max: number): number {
  const raw = db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get(key) as string | undefined;
  const n = raw === undefined ? NaN : Number(raw);
  // A damaged or absent setting falls back to the default.
  return Number.isInteger(n) && n >= min && n <= max ? n : fallback;
}

export const archiveDueMonths = (db: Db): number => intSetting(db, 'archive_due_months', DEFAULT_ARCHIVE_DUE_MONTHS, 0, 600);
export const archiveWarningDays = (db: Db): number => intSetting(db, 'archive_warning_days', DEFAULT_ARCHIVE_WARNING_DAYS, 0, 3650);

/** A calendar date `months` months after `iso` (the last day of a shorter month when the day is missing). */
export function addMonthsIso(iso: string, months: number): string {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) + months;
  const ny = Math.floor(total / 12);
  const nm = total % 12;
  const last = new Date(Date.UTC(ny, nm + 1, 0)).getUTCDate();
  return `${String(ny).padStart(4, '0')}-${String(nm + 1).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}
