// The profile's processing rules and working calendar, kept in the base settings (JSON), with the
// defaults of common/processing.ts and common/workdays.ts until an administrator edits them.
import { DEFAULT_PROCESSING_RULES, type ProcessingRules } from '../../../common/processing';
import { DEFAULT_CALENDAR, WorkDays, type WorkCalendar } from '../../../common/workdays';
import type { Db } from '../db/connection';
import { getSetting, setSetting } from '../profile/settings';

function parsed<T>(raw: string | undefined, fallback: T): T {
  if (!raw) return fallback;
  try {
    return { ...fallback, ...(JSON.parse(raw) as Partial<T>) };
  } catch {
    return fallback;
  }
}

export const readCalendar = (db: Db): WorkCalendar => parsed(getSetting(db, 'work_calendar'), DEFAULT_CALENDAR);
export const readRules = (db: Db): ProcessingRules => parsed(getSetting(db, 'processing_rules'), DEFAULT_PROCESSING_RULES);
export const workDaysOf = (db: Db): WorkDays => new WorkDays(readCalendar(db));

/** Inside the caller's transaction. Holidays are kept sorted by date. */
export function writeCalendar(db: Db, cal: WorkCalendar): WorkCalendar {
  const clean: WorkCalendar = { weekend: [...new Set(cal.weekend)].sort(), holidays: [...cal.holidays].sort((a, b) => a.date.localeCompare(b.date)) };
  setSetting(db, 'work_calendar', JSON.stringify(clean));
  return clean;
}

export function writeRules(db: Db, rules: ProcessingRules): ProcessingRules {
  setSetting(db, 'processing_rules', JSON.stringify(rules));
  return rules;
}
