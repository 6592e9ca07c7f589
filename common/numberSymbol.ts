// Number-symbol (số, ký hiệu) of a document, in the two official forms:
//   state (NĐ 30/2020):  15/QĐ-UBND, 123/UBND-VP (công văn: no type code), 07/2026/NĐ-CP (legal docs carry the year)
//   party (HD 36-HD/VPTW): 27-QĐ/TW, 93-KH/TU, 234-CV/VPTU
import type { NumberingPreset } from './domain';

export interface NumberSymbol {
  form: NumberingPreset;
  number: number;
  /** Everything after the number, e.g. "QĐ-UBND" or "QĐ/TW". */
  notation: string;
  /** Type code when the notation carries one (QĐ, KH, CV …). */
  typeCode?: string;
  /** Year when the number carries one (state legal documents: 07/2026/NĐ-CP). */
  year?: number;
}

export type NumberSymbolResult = { ok: true; value: NumberSymbol } | { ok: false; reason: string };

// Letters used in symbols: A-Z plus Đ and the lower-case letters of mixed codes (QyĐ, CTr, TTr).
const SYM = "[A-Za-zĐđ0-9]+";
const STATE = new RegExp(`^(\\d{1,7})/(?:(\\d{4})/)?(${SYM}(?:-${SYM})*(?:/${SYM}(?:-${SYM})*)?)$`, 'u');
const PARTY = new RegExp(`^(\\d{1,7})-(${SYM})/(${SYM}(?:-${SYM})*)$`, 'u');

export function parseNumberSymbol(input: string): NumberSymbolResult {
  const text = input.trim().replace(/\s+/g, '').normalize('NFC');
  if (text.length === 0) return { ok: false, reason: 'Chưa nhập số, ký hiệu.' };
  if (text.length > 50) return { ok: false, reason: 'Số, ký hiệu dài tối đa 50 ký tự.' };
  const party = PARTY.exec(text);
  if (party) {
    return {
      ok: true,
      value: { form: 'party', number: Number(party[1]), notation: `${party[2]}/${party[3]}`, typeCode: party[2]! },
    };
  }
  const state = STATE.exec(text);
  if (state) {
    const notation = state[3]!;
    const parts = notation.split('-');
    // "QĐ-UBND": first part is the type when there is more than one part; "UBND-VP" (công văn) has none,
    // which we cannot tell apart by shape alone, so the type is reported only when it is a known code.
    const first = parts.length > 1 ? parts[0] : undefined;
    return {
      ok: true,
      value: {
        form: 'state',
        number: Number(state[1]),
        notation,
        ...(first ? { typeCode: first } : {}),
        ...(state[2] ? { year: Number(state[2]) } : {}),
      },
    };
  }
  if (/^\d+$/.test(text)) return { ok: false, reason: 'Thiếu ký hiệu sau số, ví dụ 15/QĐ-UBND hoặc 27-QĐ/TW.' };
  if (!/^\d/.test(text)) return { ok: false, reason: 'Số, ký hiệu phải bắt đầu bằng số, ví dụ 15/QĐ-UBND hoặc 27-QĐ/TW.' };
  return {
    ok: false,
    reason: 'Số, ký hiệu không đúng dạng. Nhà nước: 15/QĐ-UBND; Đảng: 27-QĐ/TW.',
  };
}

/** Canonical text of a number-symbol; numbers below 10 take a leading zero. */
export function formatNumberSymbol(ns: NumberSymbol): string {
  const n = String(ns.number).padStart(2, '0');
  if (ns.form === 'party') return `${n}-${ns.notation}`;
  return ns.year ? `${n}/${ns.year}/${ns.notation}` : `${n}/${ns.notation}`;
}
