// Number-symbol (số, ký hiệu) of a document as people really write it. The two official forms:
//   state (NĐ 30/2020):  15/QĐ-UBND, 1234/UBND-VX (công văn: the issuer first, no type code),
//                        01/2024/NĐ-CP and 117/2025/QH15 (legal documents carry the year), 12/SY-VP (copies)
//   party (HD 36-HD/VPTW): 27-QĐ/TW, 93-KH/TU, 5053-CV/VPTW/nb (a drafting-unit suffix)
// and what typing adds: "Số: " or "Luật số " before it, en dashes and non-breaking hyphens from word
// processors, Ð (U+00D0) from legacy-font conversion, fullwidth slashes, NBSP, zero-width characters,
// trailing punctuation. The register keeps what was typed (a register records what arrived) and
// compares on a key: the number without leading zeros and the notation folded.
import { documentTypeByName, documentTypeForSymbol, type NumberingPreset } from './domain';
import { foldedWords, foldVietnamese } from './vietnamese';
import { keyedText, type MessageKey, type MessageParams, type Msg } from './messages';

export type SymbolForm = NumberingPreset | 'other';

export interface NumberSymbol {
  /** 'other': a shape neither form has, registered as written with a warning. */
  form: SymbolForm;
  number: number;
  /** What follows the number (and the year), separators normalised: "QĐ-UBND", "QĐ/TW", "CV/VPTW/nb". */
  notation: string;
  /** The document type the symbol implies, as a type code of common/domain (QĐ, CV for a công văn, Luật …). */
  typeCode?: string;
  /** Year when the number carries one (01/2024/NĐ-CP). */
  year?: number;
  /** What was typed, without invisible characters and with single spaces: the text the register keeps. */
  text: string;
  /** Comparison and search key: "3/CĐ-TTg" and "03/CĐ-TTg" have the same one (see symbolKey). */
  key: string;
}

export type SymbolIssue =
  | 'empty' | 'too_long' | 'no_number' | 'no_notation' | 'date' | 'zero' | 'number_too_long' | 'bad_character'
  | 'party_slash' | 'repeated_separator' | 'unknown_shape';

/**
 * ok: one of the known shapes. warning: a number followed by a notation in no known shape; it may be
 * registered as written, and `suggestion` (when there is one) is what it probably should read.
 * refused: not a number-symbol at all (a date, a bare number, a fraction, number 0).
 */
export type NumberSymbolResult =
  | { ok: true; verdict: 'ok'; value: NumberSymbol }
  | { ok: true; verdict: 'warning'; value: NumberSymbol; code: SymbolIssue; reason: string; suggestion?: string }
  | { ok: false; verdict: 'refused'; code: SymbolIssue; reason: string; msg: Msg };

export const SYMBOL_MAX = 50;
const TYPED_MAX = 80;

/** Soft hyphen, zero-width spaces and joiners, direction marks, word joiner, BOM. */
const INVISIBLE = /[\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u206A-\u206F\uFEFF]/g;
const DASHES = /[\u2010-\u2015\u2212\u02D7\uFE58\uFE63\uFF0D]/g;
const SLASHES = /[\u2044\u2215\u29F8\uFF0F]/g;
/** "Số: ", "Số hiệu ", "Luật số ", "Nghị định số " before the number; the words before "số" may name the type. */
const LABEL = /^(?:(\p{L}[\p{L} ]{0,40}?) )?số(?: ký hiệu| hiệu)?\s*[:.]?\s*(?=\d)/iu;
const LEADING = /^["'“‘«([]+/u;
const TRAILING = /[\s.,;:!?…)\]}"'”’»]+$/u;
const ALLOWED = /^[\p{L}\p{N}/\-._()&]*$/u;

const SEG = '[\\p{L}\\p{N}]*\\p{L}[\\p{L}\\p{N}]*';
const PARTY = new RegExp(`^(\\d+)-(\\p{L}+)/(${SEG}(?:-${SEG})*(?:/${SEG})*)$`, 'u');
const STATE = new RegExp(`^(\\d+)/(?:(\\d{4})/)?(${SEG}(?:-${SEG})*)$`, 'u');
/** A party symbol typed with the state's slash: 27/QĐ/TW for 27-QĐ/TW. */
const PARTY_SLASHED = new RegExp(`^(\\d+)/(\\p{L}+)/(${SEG}(?:-${SEG})*(?:/${SEG})*)$`, 'u');

/** What was typed, minus what cannot be seen: invisible characters, runs of spaces (NBSP included). */
export const cleanTypedSymbol = (input: string): string =>
  input.normalize('NFC').replace(INVISIBLE, '').replace(/\s+/g, ' ').trim();

/** One spelling of every character a symbol may be typed with: - for dashes, / for slashes, Đ for Ð. */
const canonicalChars = (s: string): string =>
  s.normalize('NFKC').replace(DASHES, '-').replace(SLASHES, '/').replace(/[ÐƉ]/g, 'Đ').replace(/[ðɖ]/g, 'đ').normalize('NFC');

/**
 * The comparison key of a number and its notation: the number padded to 7 digits (so keys sort by
 * number) and the notation's words folded, joined by "-": 03/CĐ-TTg, 3/CĐ-TTg, 3/cđ–ttg all give
 * "0000003-cd-ttg"; 27-QĐ/TW and 27/QĐ/TW both give "0000027-qd-tw".
 */
export function symbolKey(number: number, notation: string): string {
  const words = foldedWords(foldVietnamese(notation));
  return [String(number).padStart(7, '0'), ...words].join('-');
}

/** Refused, worded from the message catalog (the key travels to the window with the reason). */
const refused = (code: SymbolIssue, key: MessageKey, params?: MessageParams): NumberSymbolResult =>
  ({ ok: false, verdict: 'refused', code, reason: keyedText(key, params), msg: params ? { key, params } : { key } });

function isDate(s: string): boolean {
  const m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(s);
  if (!m) return false;
  const d = Number(m[1]);
  const mo = Number(m[2]);
  return d >= 1 && d <= 31 && mo >= 1 && mo <= 12;
}

/** A known shape, or null. `text` is what the result keeps as typed. */
function shape(compact: string, text: string, labelType: string | undefined): NumberSymbol | null {
  const party = PARTY.exec(compact);
  if (party) {
    const number = Number(party[1]);
    const notation = `${party[2]}/${party[3]}`;
    const typeCode = labelType ?? documentTypeForSymbol(party[2]!, 'party');
    return { form: 'party', number, notation, ...(typeCode ? { typeCode } : {}), text, key: symbolKey(number, notation) };
  }
  const state = STATE.exec(compact);
  if (state) {
    const number = Number(state[1]);
    const notation = state[3]!;
    const parts = notation.split('-');
    // "QĐ-UBND": a type code first. "UBND-VX": the issuer first, which is a công văn, unless the
    // number carries a year (117/2025/QH15: a law or a resolution; the symbol does not say which).
    const known = documentTypeForSymbol(parts[0]!, 'state');
    const typeCode = labelType ?? (known ?? (state[2] ? undefined : 'CV'));
    const year = state[2] ? Number(state[2]) : undefined;
    return {
      form: 'state', number, notation, ...(typeCode ? { typeCode } : {}), ...(year ? { year } : {}), text,
      key: symbolKey(number, year ? `${year}/${notation}` : notation),
    };
  }
  return null;
}

export function parseNumberSymbol(input: string): NumberSymbolResult {
  const text = cleanTypedSymbol(input);
  if (text.length === 0) return refused('empty', 'field.required', { field: 'numberSymbol' });
  if (text.length > TYPED_MAX) return refused('too_long', 'symbol.tooLong', { max: SYMBOL_MAX });
  let body = canonicalChars(text);
  let labelType: string | undefined;
  const label = LABEL.exec(body);
  if (label) {
    labelType = label[1] ? documentTypeByName(label[1]) : undefined;
    body = body.slice(label[0].length);
  }
  const compact = body.replace(LEADING, '').replace(TRAILING, '').replace(/\s+/g, '');
  if (compact.length === 0) return refused('empty', 'field.required', { field: 'numberSymbol' });
  if (compact.length > SYMBOL_MAX) return refused('too_long', 'symbol.tooLong', { max: SYMBOL_MAX });
  const lead = /^(\d+)(.*)$/su.exec(compact);
  if (!lead) return refused('no_number', 'symbol.noNumber');
  const [, digits = '', rest = ''] = lead;
  if (!/\p{L}|\d/u.test(rest)) return refused('no_notation', 'symbol.noNotation');
  if (/^[\d/.-]*$/.test(rest)) {
    if (isDate(compact)) return refused('date', 'symbol.date', { text: compact });
    return refused('no_notation', 'symbol.digitsOnly', { text: compact });
  }
  const bad = [...compact].find((c) => !ALLOWED.test(c));
  if (bad !== undefined) return refused('bad_character', 'symbol.badCharacter', { char: bad });
  if (digits.length > 7) return refused('number_too_long', 'symbol.numberTooLong');
  const number = Number(digits);
  if (number === 0) return refused('zero', 'symbol.zero');

  const value = shape(compact, text, labelType);
  if (value) return { ok: true, verdict: 'ok', value };

  // Shapes that are one slip away from a known one get a suggestion the form can apply.
  const slashed = PARTY_SLASHED.exec(compact);
  if (slashed && documentTypeForSymbol(slashed[2]!, 'party')) {
    const suggestion = `${digits}-${slashed[2]}/${slashed[3]}`;
    const v = shape(suggestion, text, labelType)!;
    return {
      ok: true, verdict: 'warning', value: v, code: 'party_slash', suggestion,
      reason: `Số, ký hiệu văn bản của Đảng có gạch nối sau số: có phải ${suggestion}?`,
    };
  }
  const collapsed = compact.replace(/-{2,}/g, '-').replace(/\/{2,}/g, '/');
  const fixed = collapsed !== compact ? shape(collapsed, text, labelType) : null;
  if (fixed) {
    return {
      ok: true, verdict: 'warning', value: fixed, code: 'repeated_separator', suggestion: collapsed,
      reason: `Số, ký hiệu có dấu phân cách lặp lại: có phải ${collapsed}?`,
    };
  }
  const notation = rest.replace(/^[/.-]+/, '');
  return {
    ok: true, verdict: 'warning', code: 'unknown_shape',
    value: { form: 'other', number, notation, ...(labelType ? { typeCode: labelType } : {}), text, key: symbolKey(number, notation) },
    reason: `Số, ký hiệu không theo mẫu thường gặp (nhà nước: 15/QĐ-UBND, Đảng: 27-QĐ/TW). Vẫn vào sổ được đúng như ghi trên văn bản.`,
  };
}

/** The key of a typed number-symbol, or null when the text is not one. */
export function numberSymbolKey(input: string): string | null {
  const r = parseNumberSymbol(input);
  return r.ok ? r.value.key : null;
}

/** Canonical text of a number-symbol; numbers below 10 take a leading zero. */
export function formatNumberSymbol(ns: NumberSymbol): string {
  const n = String(ns.number).padStart(2, '0');
  if (ns.form === 'party') return `${n}-${ns.notation}`;
  if (ns.form === 'state') return ns.year ? `${n}/${ns.year}/${ns.notation}` : `${n}/${ns.notation}`;
  return ns.text;
}
