// Display formatting. Dates are always dd/mm/yyyy in Vietnam time (common/dates); numbers follow the UI language.
import { formatDateTimeVn as formatDateTimeVnCommon, formatDateVn } from '../../../common/dates';
import i18n from '../i18n';

export { formatDateVn };

const numberFormats = new Map<string, Intl.NumberFormat>();
function numberFormat(lang: string, digits = 0): Intl.NumberFormat {
  const key = `${lang}:${digits}`;
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(lang === 'en' ? 'en-GB' : 'vi-VN', { maximumFractionDigits: digits });
    numberFormats.set(key, f);
  }
  return f;
}

/** 10000 -> "10.000" (vi) or "10,000" (en). */
export function formatNumber(n: number): string {
  return numberFormat(i18n.language).format(n);
}

/** Byte counts as people read them: "812 KB", "1,4 MB". */
export function formatSize(bytes: number): string {
  const f = (v: number, d: number) => numberFormat(i18n.language, d).format(v);
  if (bytes < 1024) return `${f(bytes, 0)} B`;
  if (bytes < 1024 * 1024) return `${f(bytes / 1024, 0)} KB`;
  if (bytes < 1024 * 1024 * 1024) return `${f(bytes / (1024 * 1024), 1)} MB`;
  return `${f(bytes / (1024 * 1024 * 1024), 1)} GB`;
}

/** An instant in Vietnam time, whatever the machine's time zone: "05/03/2026 08:30". */
export const formatDateTimeVn = (iso: string | null | undefined): string => formatDateTimeVnCommon(iso);

/** The calendar date in Vietnam of an ISO timestamp: "05/03/2026". */
export const formatInstantDateVn = (iso: string | null | undefined): string => formatDateVn(iso);
