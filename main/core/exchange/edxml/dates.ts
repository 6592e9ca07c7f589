// Dates as senders write them: the standard's yyyy/MM/dd (and yyyy/MM/dd HH:mm:ss), but also
// dd/MM/yyyy, ISO 8601 with or without a zone, and empty elements. Read leniently into ISO
// (Vietnam time), written back in the standard form only.

const pad = (n: number) => String(n).padStart(2, '0');

function validDay(y: number, m: number, d: number): boolean {
  if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

interface Parts { y: number; m: number; d: number; hh: number; mi: number; ss: number; offsetMin: number | null }

function parts(text: string): Parts | null {
  const t = text.trim();
  let m = /^(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(t);
  let y: number; let mo: number; let d: number;
  if (m) [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  else {
    m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(t);
    if (!m) return null;
    [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  }
  const [hh, mi, ss] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  if (!validDay(y, mo, d) || hh > 23 || mi > 59 || ss > 59) return null;
  const z = m[7];
  const offsetMin = !z ? null : z === 'Z' ? 0 : (z[0] === '-' ? -1 : 1) * (Number(z.slice(1, 3)) * 60 + Number(z.slice(-2)));
  return { y, m: mo, d, hh, mi, ss, offsetMin };
}

/** 'YYYY-MM-DD', or null when empty; undefined when the text is not a date. */
export function readDate(text: string | null): string | null | undefined {
  if (text === null || text.trim() === '') return null;
  const p = parts(text);
  return p ? `${p.y}-${pad(p.m)}-${pad(p.d)}` : undefined;
}

/** 'YYYY-MM-DDTHH:mm:ss+07:00' (a zone-less time is Vietnam time; a zoned one is converted). */
export function readTimestamp(text: string | null): string | null | undefined {
  if (text === null || text.trim() === '') return null;
  const p = parts(text);
  if (!p) return undefined;
  if (p.offsetMin === null || p.offsetMin === 420) return `${p.y}-${pad(p.m)}-${pad(p.d)}T${pad(p.hh)}:${pad(p.mi)}:${pad(p.ss)}+07:00`;
  const utc = Date.UTC(p.y, p.m - 1, p.d, p.hh, p.mi, p.ss) - p.offsetMin * 60_000;
  const v = new Date(utc + 7 * 3600_000);
  return `${v.getUTCFullYear()}-${pad(v.getUTCMonth() + 1)}-${pad(v.getUTCDate())}T${pad(v.getUTCHours())}:${pad(v.getUTCMinutes())}:${pad(v.getUTCSeconds())}+07:00`;
}

/** yyyy/MM/dd, the standard's form. */
export const writeDate = (iso: string): string => iso.replace(/-/g, '/');

/** yyyy/MM/dd HH:mm:ss in Vietnam time. */
export const writeTimestamp = (iso: string): string => `${iso.slice(0, 10).replace(/-/g, '/')} ${iso.slice(11, 19)}`;

/** A Date as the model's timestamp (Vietnam time). */
export function timestampOf(at: Date): string {
  const v = new Date(Math.floor(at.getTime() / 1000) * 1000 + 7 * 3600_000);
  return `${v.getUTCFullYear()}-${pad(v.getUTCMonth() + 1)}-${pad(v.getUTCDate())}T${pad(v.getUTCHours())}:${pad(v.getUTCMinutes())}:${pad(v.getUTCSeconds())}+07:00`;
}
