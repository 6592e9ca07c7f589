// Dates as legacy registers hold them: real date cells, Excel serial numbers, dd/mm/yyyy and d/m/yy
// (two-digit years by a pivot), ISO, ddmmyyyy, and the written form "ngày 5 tháng 3 năm 2019".
// Day first, as in Vietnam; a date only readable month first (03/25/2019) is taken with a warning.
import { isValidIsoDate } from '../../../../common/dates';
import { foldVietnamese } from '../../../../common/vietnamese';
import type { Cell } from '../types';
import { fail, ok, type Normalised } from './result';

const pad = (n: number) => String(n).padStart(2, '0');

/** Excel's 1900 date system (it counts a 29 February 1900 that never was): serial -> ISO date. */
export function excelSerialToIso(serial: number): string | null {
  if (!Number.isFinite(serial) || serial < 1 || serial >= 2958466) return null;
  const days = Math.floor(serial) - (serial < 60 ? 1 : 2);
  const d = new Date(Date.UTC(1900, 0, 1) + days * 86_400_000);
  return d.toISOString().slice(0, 10);
}

/** Two-digit years below the pivot are 20xx, the others 19xx. */
export const expandYear = (yy: number, pivot: number): number => (yy < pivot ? 2000 + yy : 1900 + yy);

function dmy(d: number, m: number, y: number): string | null {
  const iso = `${y}-${pad(m)}-${pad(d)}`;
  return isValidIsoDate(iso) ? iso : null;
}

export interface DateOptions { pivot: number }

export function normaliseDate(cell: Cell, opts: DateOptions): Normalised<string | null> {
  if (cell.formula !== undefined) return fail('formulaNotTrusted', `=${cell.formula}`);
  if (cell.date) return ok(cell.date);
  if (cell.number !== undefined) {
    if (cell.number >= 100_000 && cell.number < 1_01_1900) return fail('badDate', cell.text);
    // A number in a date column: an Excel serial (a date cell whose format was lost), or ddmmyyyy.
    if (Number.isInteger(cell.number) && cell.number >= 1_01_1900 && cell.number <= 31_12_2100) {
      const s = String(cell.number).padStart(8, '0');
      const iso = dmy(Number(s.slice(0, 2)), Number(s.slice(2, 4)), Number(s.slice(4)));
      if (iso) return ok(iso);
    }
    const iso = excelSerialToIso(cell.number);
    return iso ? ok(iso, { code: 'excelSerialDate', detail: String(cell.number) }) : fail('badDate', cell.text);
  }
  const text = cell.text.trim();
  if (!text) return ok(null);
  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+Z?)?$/.exec(text);
  if (iso) return isValidIsoDate(`${iso[1]}-${iso[2]}-${iso[3]}`) ? ok(`${iso[1]}-${iso[2]}-${iso[3]}`) : fail('badDate', text);
  // "Hà Nội, ngày 05 tháng 3 năm 2019"
  const words = /ngay\s*(\d{1,2})\s*thang\s*(\d{1,2})\s*nam\s*(\d{2,4})/.exec(foldVietnamese(text));
  if (words) {
    const y = Number(words[3]);
    const r = dmy(Number(words[1]), Number(words[2]), words[3]!.length === 2 ? expandYear(y, opts.pivot) : y);
    return r ? ok(r) : fail('badDate', text);
  }
  if (/^\d{5}(\.\d+)?$/.test(text)) {
    const r = excelSerialToIso(Number(text));
    return r ? ok(r, { code: 'excelSerialDate', detail: text }) : fail('badDate', text);
  }
  if (/^\d{8}$/.test(text)) {
    const r = dmy(Number(text.slice(0, 2)), Number(text.slice(2, 4)), Number(text.slice(4)));
    return r ? ok(r) : fail('badDate', text);
  }
  const m = /^(\d{1,2})\s*[/.\-\s]\s*(\d{1,2})\s*[/.\-\s]\s*(\d{2}|\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$/.exec(text);
  if (!m) return fail('badDate', text);
  const a = Number(m[1]);
  const b = Number(m[2]);
  const twoDigits = m[3]!.length === 2;
  const y = twoDigits ? expandYear(Number(m[3]), opts.pivot) : Number(m[3]);
  const warning = twoDigits ? { code: 'twoDigitYear', detail: `${m[3]} → ${y}` } : undefined;
  const r = dmy(a, b, y);
  if (r) return ok(r, warning);
  const swapped = b > 12 ? dmy(b, a, y) : null;
  return swapped ? ok(swapped, { code: 'monthFirst', detail: text }) : fail('badDate', text);
}
