// Dates are stored as ISO 8601 (yyyy-mm-dd, or full UTC timestamps) and shown as dd/mm/yyyy. A
// calendar date is always a date in Vietnam (Asia/Ho_Chi_Minh), whatever the machine's time zone: a
// workstation set to UTC would otherwise turn 06:30 on 1 January in Hà Nội into 31 December.

export const VN_TIME_ZONE = 'Asia/Ho_Chi_Minh';
/** The first year a date of a document may carry (the Democratic Republic of Vietnam, 1945). */
export const MIN_YEAR = 1945;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const VN_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

export function isValidIsoDate(iso: string): boolean {
  const m = ISO_DATE.exec(iso);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d;
}

/** "2026-03-05" -> "05/03/2026". A full timestamp is shown as its date in Vietnam. */
export function formatDateVn(iso: string | null | undefined): string {
  if (!iso) return '';
  if (iso.length > 10 && iso.charAt(10) === 'T') {
    const d = new Date(iso);
    if (!Number.isNaN(d.getTime())) return formatDateVn(todayIso(d));
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : iso;
}

/** "5/3/2026" or "05/03/2026" -> "2026-03-05"; null if not a real calendar date. */
export function parseDateVn(text: string): string | null {
  const m = VN_DATE.exec(text.trim());
  if (!m) return null;
  const iso = `${m[3]}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}`;
  return isValidIsoDate(iso) ? iso : null;
}

/**
 * A date as people type it, in the form and on the command line alike: dd/mm/yyyy, d/m/yyyy (also
 * with dots, dashes or spaces between), ddmmyyyy, or ISO yyyy-mm-dd. Null when it is none of these
 * or not a real calendar date.
 */
export function parseDateInput(text: string): string | null {
  const s = text.trim();
  if (ISO_DATE.test(s)) return isValidIsoDate(s) ? s : null;
  let vn = s.replace(/[.\-\s]+/g, '/');
  if (/^\d{8}$/.test(vn)) vn = `${vn.slice(0, 2)}/${vn.slice(2, 4)}/${vn.slice(4)}`;
  return parseDateVn(vn);
}

interface VnParts { year: string; month: string; day: string; hour: string; minute: string }

let vnFormat: Intl.DateTimeFormat | undefined;
/** The last minute formatted: the parts are minutes, so every instant of that minute has them (a bulk import asks thousands of times a minute). */
let lastMinute = NaN;
let lastParts: VnParts | undefined;
function vnParts(d: Date): VnParts {
  const minute = Math.floor(d.getTime() / 60_000);
  if (minute === lastMinute && lastParts) return { ...lastParts };
  vnFormat ??= new Intl.DateTimeFormat('en-GB', {
    timeZone: VN_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  });
  const parts: Record<string, string> = {};
  for (const p of vnFormat.formatToParts(d)) parts[p.type] = p.value;
  const out = { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!, minute: parts.minute! };
  // An invalid date formats as a RangeError above; a valid one's minute is cached.
  lastMinute = minute;
  lastParts = out;
  return { ...out };
}

/**
 * The day written in a spreadsheet date cell, as yyyy-mm-dd. Excel keeps no time zone: exceljs hands the
 * cell's wall time over as if it were UTC, so its UTC date is the day written (a conversion to Vietnam's
 * time would move "01/01/2026 20:00" to 02/01).
 */
export const spreadsheetCellDay = (wallTimeAsUtc: Date): string => wallTimeAsUtc.toISOString().slice(0, 10);

/** Today's date in Vietnam as yyyy-mm-dd. */
export function todayIso(now: Date = new Date()): string {
  const p = vnParts(now);
  return `${p.year}-${p.month}-${p.day}`;
}

/** The year of a yyyy-mm-dd date (or of today in Vietnam). */
export const yearOf = (iso: string): number => Number(iso.slice(0, 4));

/** An instant (ISO timestamp or Date) in Vietnam time: "05/03/2026 08:30". */
export function formatDateTimeVn(at: string | Date | null | undefined): string {
  if (!at) return '';
  const d = typeof at === 'string' ? new Date(at) : at;
  if (Number.isNaN(d.getTime())) return typeof at === 'string' ? at : '';
  const p = vnParts(d);
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}`;
}

export function addDaysIso(iso: string, days: number): string {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  const dt = new Date(Date.UTC(y, m - 1, d + days));
  return dt.toISOString().slice(0, 10);
}
