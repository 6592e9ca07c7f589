// Working days: deadlines in processing are counted in working days (weekends and public holidays
// do not count). Dates are calendar dates in Vietnam (yyyy-mm-dd, common/dates.ts). The holidays are
// the profile's (the administrator edits them); the defaults below are Vietnam's public holidays for
// 2026–2027 as the Labour Code sets them (Tết Dương lịch, Tết Nguyên đán, Giỗ Tổ Hùng Vương, 30/4,
// 1/5, Quốc khánh), with the days off in lieu when a holiday falls on a weekend. Each year's exact
// Tết and Quốc khánh days are announced by the government: check and edit them.
import { addDaysIso, isValidIsoDate } from './dates';

export interface Holiday {
  date: string;
  name: string;
}

export interface WorkCalendar {
  /** Days of the week that are not worked (0 = Sunday … 6 = Saturday). */
  weekend: number[];
  holidays: Holiday[];
}

export const DEFAULT_HOLIDAYS: readonly Holiday[] = [
  { date: '2026-01-01', name: 'Tết Dương lịch' },
  { date: '2026-02-16', name: 'Tết Nguyên đán' },
  { date: '2026-02-17', name: 'Tết Nguyên đán' },
  { date: '2026-02-18', name: 'Tết Nguyên đán' },
  { date: '2026-02-19', name: 'Tết Nguyên đán' },
  { date: '2026-02-20', name: 'Tết Nguyên đán' },
  { date: '2026-04-27', name: 'Nghỉ bù Giỗ Tổ Hùng Vương' },
  { date: '2026-04-30', name: 'Ngày Chiến thắng' },
  { date: '2026-05-01', name: 'Ngày Quốc tế Lao động' },
  { date: '2026-09-01', name: 'Quốc khánh' },
  { date: '2026-09-02', name: 'Quốc khánh' },
  { date: '2027-01-01', name: 'Tết Dương lịch' },
  { date: '2027-02-04', name: 'Tết Nguyên đán' },
  { date: '2027-02-05', name: 'Tết Nguyên đán' },
  { date: '2027-02-08', name: 'Tết Nguyên đán' },
  { date: '2027-02-09', name: 'Tết Nguyên đán' },
  { date: '2027-02-10', name: 'Tết Nguyên đán' },
  { date: '2027-04-16', name: 'Giỗ Tổ Hùng Vương' },
  { date: '2027-04-30', name: 'Ngày Chiến thắng' },
  { date: '2027-05-03', name: 'Nghỉ bù Ngày Quốc tế Lao động' },
  { date: '2027-09-02', name: 'Quốc khánh' },
  { date: '2027-09-03', name: 'Quốc khánh' },
];

export const DEFAULT_CALENDAR: WorkCalendar = { weekend: [0, 6], holidays: [...DEFAULT_HOLIDAYS] };

/** A calendar whose lookups are cheap (built once per call site). */
export class WorkDays {
  private readonly off: Set<string>;
  private readonly weekend: Set<number>;

  constructor(cal: WorkCalendar) {
    this.off = new Set(cal.holidays.map((h) => h.date));
    this.weekend = new Set(cal.weekend);
  }

  isWorkingDay(iso: string): boolean {
    const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
    return !this.weekend.has(new Date(Date.UTC(y, m - 1, d)).getUTCDay()) && !this.off.has(iso);
  }

  /** The first working day on or after `iso`. */
  onOrAfter(iso: string): string {
    let d = iso;
    for (let i = 0; i < 400 && !this.isWorkingDay(d); i++) d = addDaysIso(d, 1);
    return d;
  }

  /**
   * `n` working days after `iso` (n = 0: `iso` itself when worked, else the next working day). A day
   * received on a holiday starts counting from the next working day.
   */
  add(iso: string, n: number): string {
    let d = this.onOrAfter(iso);
    for (let i = 0; i < n; i++) d = this.onOrAfter(addDaysIso(d, 1));
    return d;
  }

  /**
   * The `n`-th working day after `iso` (n = 0: `iso` when worked, else the next working day). Unlike
   * `add`, a start on a day off is not counted as day 0: received on a Saturday, "the next working
   * day" is Monday.
   */
  after(iso: string, n: number): string {
    let d = this.onOrAfter(iso);
    if (n > 0 && d !== iso) n -= 1;
    for (let i = 0; i < n; i++) d = this.onOrAfter(addDaysIso(d, 1));
    return d;
  }

  /**
   * Working days from `from` (exclusive) to `to` (inclusive); negative when `to` is earlier. Counted
   * arithmetically (whole weeks, then the rest, less the holidays on worked weekdays): an inbox asks
   * it for every row, for deadlines months away.
   */
  between(from: string, to: string): number {
    if (from === to) return 0;
    const sign = from < to ? 1 : -1;
    const [a, b] = sign > 0 ? [dayNumber(from), dayNumber(to)] : [dayNumber(to), dayNumber(from)];
    return sign * (this.workedThrough(b) - this.workedThrough(a));
  }

  /** Worked days from day 0 (1970-01-01) through day `n`, inclusive. */
  private workedThrough(n: number): number {
    const days = n + 1;
    const weeks = Math.floor(days / 7);
    let worked = weeks * (7 - this.weekend.size);
    // 1970-01-01 was a Thursday (4).
    for (let d = weeks * 7; d < days; d++) if (!this.weekend.has((d + 4) % 7)) worked++;
    return worked - upperBound(this.offDays, n);
  }

  /** Holidays on worked weekdays, as sorted day numbers (a holiday on a weekend takes no day twice). */
  private get offDays(): number[] {
    this.offCache ??= [...this.off].map(dayNumber).filter((d) => !this.weekend.has((d + 4) % 7)).sort((x, y) => x - y);
    return this.offCache;
  }
  private offCache: number[] | undefined;
}

const dayNumber = (iso: string): number => {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  return Math.round(Date.UTC(y, m - 1, d) / 86_400_000);
};

/** How many of the sorted values are ≤ n. */
function upperBound(sorted: readonly number[], n: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= n) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Checks an edited calendar; returns the reason it is refused, or null. */
export function calendarProblem(cal: WorkCalendar): string | null {
  if (!Array.isArray(cal.weekend) || cal.weekend.some((d) => !Number.isInteger(d) || d < 0 || d > 6) || cal.weekend.length > 3) return 'weekend';
  const seen = new Set<string>();
  for (const h of cal.holidays) {
    if (!isValidIsoDate(h.date)) return 'date';
    if (seen.has(h.date)) return 'duplicate';
    seen.add(h.date);
  }
  return null;
}
