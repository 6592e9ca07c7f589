// Secrecy and urgency however people wrote them: "MẬT", "mat", "Tối mật", "TM", "TUYỆT MẬT", the old
// A/B/C grades, "khẩn", "Thượng khẩn", "HT", "Hỏa tốc hẹn giờ", or both in one cell ("Mật, Khẩn").
import type { Secrecy, Urgency } from '../../../../common/domain';
import { foldVietnamese } from '../../../../common/vietnamese';
import { fail, ok, type Normalised } from './result';

const key = (s: string) => foldVietnamese(s).replace(/[^a-z0-9]+/g, ' ').trim();

const SECRECY: Record<string, Secrecy> = {
  '': 'thuong', thuong: 'thuong', 'binh thuong': 'thuong', khong: 'thuong', 'khong mat': 'thuong', 'van ban thuong': 'thuong', '0': 'thuong',
  mat: 'mat', m: 'mat', 'do mat': 'mat', c: 'mat', 'mat c': 'mat',
  'toi mat': 'toi_mat', toimat: 'toi_mat', tm: 'toi_mat', b: 'toi_mat', 'mat b': 'toi_mat',
  'tuyet mat': 'tuyet_mat', tuyetmat: 'tuyet_mat', tum: 'tuyet_mat', ttm: 'tuyet_mat', a: 'tuyet_mat', 'mat a': 'tuyet_mat',
};
/** The old grades A, B, C are read as Tuyệt mật, Tối mật, Mật, with a warning to check. */
const OLD_GRADES = new Set(['a', 'b', 'c', 'mat a', 'mat b', 'mat c']);

const URGENCY: Record<string, Urgency> = {
  '': 'thuong', thuong: 'thuong', 'binh thuong': 'thuong', khong: 'thuong', '0': 'thuong',
  khan: 'khan', k: 'khan', 'khan cap': 'khan',
  'thuong khan': 'thuong_khan', tk: 'thuong_khan', thuongkhan: 'thuong_khan',
  'hoa toc': 'hoa_toc', hoatoc: 'hoa_toc', ht: 'hoa_toc', 'hoa toc hen gio': 'hoa_toc',
};

/** The parts of a cell that may hold both ("Mật - Khẩn", "TM/HT"). */
const parts = (text: string): string[] => text.split(/[,;/+|–-]|\s{2,}/).map(key).filter((p, i, all) => p !== '' || all.length === 1);

function pick<T extends string>(text: string, table: Record<string, T>, other: Record<string, string>, rank: (v: T) => number, what: string): Normalised<T> {
  const found: T[] = [];
  for (const p of parts(text)) {
    if (p in table) found.push(table[p]!);
    else if (!(p in other)) return fail(what, text);
  }
  if (found.length === 0) return ok(table['']!);
  return ok(found.sort((x, y) => rank(y) - rank(x))[0]!);
}

const SECRECY_ORDER: Secrecy[] = ['thuong', 'mat', 'toi_mat', 'tuyet_mat'];
const URGENCY_ORDER: Urgency[] = ['thuong', 'khan', 'thuong_khan', 'hoa_toc'];
// In a cell holding both, the urgency words are not secrecy words ("thuong" alone stays secrecy), and
// the other way round. Built once: per row they cost more than the rest of the look-up.
const URGENCY_ONLY = Object.fromEntries(Object.entries(URGENCY).filter(([k]) => !(k in SECRECY)));
const SECRECY_ONLY = Object.fromEntries(Object.entries(SECRECY).filter(([k]) => !(k in URGENCY)));

export function normaliseSecrecy(text: string): Normalised<Secrecy> {
  const r = pick(text, SECRECY, URGENCY_ONLY, (v) => SECRECY_ORDER.indexOf(v), 'badSecrecy');
  if (r.ok && text !== '' && parts(text).some((p) => OLD_GRADES.has(p))) return ok(r.value, { code: 'oldSecrecyGrade', detail: text });
  return r;
}

export function normaliseUrgency(text: string): Normalised<Urgency> {
  return pick(text, URGENCY, SECRECY_ONLY, (v) => URGENCY_ORDER.indexOf(v), 'badUrgency');
}
