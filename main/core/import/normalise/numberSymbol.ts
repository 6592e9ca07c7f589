// Number-symbols as registers hold them: "12/QĐ-UBND" (state), "27-QĐ/TW" (party), and what typing
// added: "Số: 12/QĐ-UBND", "Số 12 QĐ/UBND" (a space for the hyphen), spaces around the slash,
// en dashes, Ð from legacy fonts. The text kept is the cleaned one; the key compares both forms.
import { parseNumberSymbol } from '../../../../common/numberSymbol';
import { fail, ok, type Normalised } from './result';

export interface Symbol { text: string; key: string; typeCode?: string }

export function normaliseNumberSymbol(raw: string): Normalised<Symbol> {
  let s = raw.normalize('NFC').replace(/\u00a0/g, ' ').replace(/\s+/g, ' ').trim();
  if (!s) return fail('missingNumberSymbol');
  s = s.replace(/^số(?:\s*(?:ký hiệu|kí hiệu|hiệu))?\s*[:.]?\s*(?=\d)/iu, '');
  s = s.replace(/\s*([/\-–—])\s*/gu, '$1');
  // "12 QĐ/UBND": the number, a space, the notation: the party form's hyphen was typed as a space.
  s = s.replace(/^(\d+) (?=\p{L})/u, '$1-');
  const parsed = parseNumberSymbol(s);
  if (!parsed.ok) return fail('badNumberSymbol', raw);
  const value = { text: parsed.value.text, key: parsed.value.key, ...(parsed.value.typeCode ? { typeCode: parsed.value.typeCode } : {}) };
  const changed = s !== raw.trim();
  if (parsed.verdict === 'warning') return ok(value, { code: 'oddNumberSymbol', detail: raw });
  return changed ? ok(value, { code: 'numberSymbolCleaned', detail: `${raw.trim()} → ${value.text}` }) : ok(value);
}
