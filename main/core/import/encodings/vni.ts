// VNI-Windows (the VNI fonts, VNI-Times …): a base letter followed by mark bytes, as shown in the
// Latin-1 rendering of the table in xvnkb's vni.h (github.com/lamdao/xvnkb, Dao Hai Lam, GPL; the
// table read as data, not copied as code): for each vowel the six tones (none, sắc, huyền, hỏi, ngã,
// nặng), then đ. Capitals take the capital mark bytes ("AÙ" = Á); ơ/ư/đ and the toned i and
// ỵ are single bytes.

type Row = readonly [string, readonly string[]];
// Lowercase rows; capitals are derived below (base upper-cased, mark bytes upper-cased).
const ROWS: readonly Row[] = [
  ['a', ['a', 'aù', 'aø', 'aû', 'aõ', 'aï']],
  ['â', ['aâ', 'aá', 'aà', 'aå', 'aã', 'aä']],
  ['ă', ['aê', 'aé', 'aè', 'aú', 'aü', 'aë']],
  ['e', ['e', 'eù', 'eø', 'eû', 'eõ', 'eï']],
  ['ê', ['eâ', 'eá', 'eà', 'eå', 'eã', 'eä']],
  ['o', ['o', 'où', 'oø', 'oû', 'oõ', 'oï']],
  ['ô', ['oâ', 'oá', 'oà', 'oå', 'oã', 'oä']],
  ['ơ', ['ô', 'ôù', 'ôø', 'ôû', 'ôõ', 'ôï']],
  ['u', ['u', 'uù', 'uø', 'uû', 'uõ', 'uï']],
  ['ư', ['ö', 'öù', 'öø', 'öû', 'öõ', 'öï']],
  ['i', ['i', 'í', 'ì', 'æ', 'ó', 'ò']],
  ['y', ['y', 'yù', 'yø', 'yû', 'yõ', 'î']],
];
/** Combining tone marks in the order of the rows: sắc, huyền, hỏi, ngã, nặng. */
export const TONE_MARKS = ['\u0301', '\u0300', '\u0309', '\u0303', '\u0323'] as const;

/** VNI spelling (as Latin-1 characters, one per byte) -> Unicode letter, capitals included. */
const TO_UNICODE = new Map<string, string>();
const FROM_UNICODE = new Map<string, string>();
function add(vni: string, uni: string): void {
  if (!TO_UNICODE.has(vni)) TO_UNICODE.set(vni, uni);
  if (!FROM_UNICODE.has(uni)) FROM_UNICODE.set(uni, vni);
}
for (const [letter, spellings] of ROWS) {
  spellings.forEach((s, tone) => {
    const uni = (tone === 0 ? letter : `${letter}${TONE_MARKS[tone - 1]}`).normalize('NFC');
    add(s, uni);
    add(s.toUpperCase(), uni.toUpperCase());
    // A capital base with lowercase marks (typed by hand, or mixed fonts) is still that capital.
    if (s.length === 2) add(s[0]!.toUpperCase() + s[1], uni.toUpperCase());
  });
}
add('ñ', 'đ');
add('Ñ', 'Đ');
// "î" (ỵ) has no single-byte capital; its capital is "Î" (xvnkb).

const MAX_LEN = 2;

/** VNI-Windows bytes -> NFC text. */
export function decodeVni(bytes: Uint8Array): string {
  const s = Buffer.from(bytes).toString('latin1');
  let out = '';
  for (let i = 0; i < s.length;) {
    let hit = false;
    for (let n = MAX_LEN; n >= 1; n--) {
      const uni = TO_UNICODE.get(s.slice(i, i + n));
      if (uni !== undefined) { out += uni; i += n; hit = true; break; }
    }
    if (!hit) { out += s[i]; i++; }
  }
  return out.normalize('NFC');
}

/** Text -> VNI-Windows bytes (fixtures and round-trip tests). */
export function encodeVni(text: string): Buffer {
  let out = '';
  for (const ch of text.normalize('NFC')) {
    const v = FROM_UNICODE.get(ch);
    if (v !== undefined) out += v;
    else if (ch.charCodeAt(0) < 0x80) out += ch;
    else throw new Error(`not encodable in VNI: U+${ch.codePointAt(0)!.toString(16)}`);
  }
  return Buffer.from(out, 'latin1');
}
