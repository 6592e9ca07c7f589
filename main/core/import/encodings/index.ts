// Text encodings of legacy files: decoded by name, or detected. Whatever the source, the text that
// comes out is NFC.
import { decodeCp1258 } from './cp1258';
import { decodeTcvn3 } from './tcvn3';
import { decodeVni } from './vni';
import { isSyllable } from './syllable';

import { IMPORT_ENCODINGS, type ImportEncoding } from '../../../../common/importMapping';

export const ENCODINGS = IMPORT_ENCODINGS;
export type Encoding = ImportEncoding;
export const ENCODING_LABELS: Record<Encoding, string> = {
  utf8: 'UTF-8', utf16le: 'UTF-16 LE', utf16be: 'UTF-16 BE', cp1258: 'Windows-1258', tcvn3: 'TCVN3 (ABC)', vni: 'VNI-Windows',
};

export interface Decoded { text: string; encoding: Encoding; bom: boolean; detected: boolean }

const utf8Strict = new TextDecoder('utf-8', { fatal: true });
function isUtf8(bytes: Uint8Array): boolean {
  try {
    utf8Strict.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

export function decodeAs(bytes: Uint8Array, encoding: Encoding): string {
  switch (encoding) {
    case 'utf8': return new TextDecoder('utf-8').decode(stripBom(bytes, [0xef, 0xbb, 0xbf])).normalize('NFC');
    case 'utf16le': return new TextDecoder('utf-16le').decode(stripBom(bytes, [0xff, 0xfe])).normalize('NFC');
    case 'utf16be': return new TextDecoder('utf-16be').decode(stripBom(bytes, [0xfe, 0xff])).normalize('NFC');
    case 'cp1258': return decodeCp1258(bytes);
    case 'tcvn3': return decodeTcvn3(bytes);
    case 'vni': return decodeVni(bytes);
  }
}

function stripBom(bytes: Uint8Array, bom: number[]): Uint8Array {
  return bom.every((b, i) => bytes[i] === b) ? bytes.subarray(bom.length) : bytes;
}

/**
 * How Vietnamese a text reads: words with letters beyond ASCII that are syllables count for, those
 * that are not count twice against; C1 controls and replacement characters count against.
 */
export function vietnameseScore(text: string): number {
  let score = 0;
  for (const word of text.split(/[^\p{L}\p{M}]+/u)) {
    // eslint-disable-next-line no-control-regex
    if (word === '' || /^[\x00-\x7f]*$/.test(word)) continue;
    score += isSyllable(word) ? 1 : -2;
  }
  // eslint-disable-next-line no-control-regex
  const junk = text.match(/[\u0080-\u009f\ufffd\u0001-\u0008\u000e-\u001f]/gu);
  return score - 3 * (junk?.length ?? 0);
}

/** How much of a file detectEncoding() reads. */
export const DETECT_BYTES = 256 * 1024;

/**
 * The encoding of a file: a BOM says it; UTF-16 without a BOM shows as NUL bytes in every other
 * position; valid UTF-8 with non-ASCII bytes is UTF-8; otherwise the legacy code page whose decoding
 * reads most like Vietnamese (on the first 256 KiB). `totalLength`: the whole file's, when `bytes`
 * are only its beginning (a file read as a stream).
 */
export function detectEncoding(bytes: Uint8Array, totalLength = bytes.length): { encoding: Encoding; bom: boolean; scores?: Partial<Record<Encoding, number>> } {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { encoding: 'utf8', bom: true };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: 'utf16le', bom: true };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: 'utf16be', bom: true };
  const sample = bytes.subarray(0, DETECT_BYTES);
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < Math.min(sample.length, 4096); i++) {
    if (sample[i] !== 0) continue;
    if (i % 2 === 0) evenNul++;
    else oddNul++;
  }
  const pairs = Math.min(sample.length, 4096) / 2;
  if (pairs > 0 && oddNul / pairs > 0.3 && evenNul / pairs < 0.05) return { encoding: 'utf16le', bom: false };
  if (pairs > 0 && evenNul / pairs > 0.3 && oddNul / pairs < 0.05) return { encoding: 'utf16be', bom: false };
  // A sample cut in the middle of a character is still UTF-8: up to 3 trailing bytes may be dropped.
  const whole = sample.length === totalLength;
  if (whole ? isUtf8(sample) : [0, 1, 2, 3].some((cut) => isUtf8(sample.subarray(0, sample.length - cut)))) return { encoding: 'utf8', bom: false };
  const scores: Partial<Record<Encoding, number>> = {};
  let best: Encoding = 'cp1258';
  for (const enc of ['cp1258', 'tcvn3', 'vni'] as const) {
    scores[enc] = vietnameseScore(decodeAs(sample, enc));
    if (scores[enc]! > scores[best]!) best = enc;
  }
  return { encoding: best, bom: false, scores };
}

/** Decodes with the encoding chosen, else the one detected. */
export function decodeText(bytes: Uint8Array, chosen?: Encoding): Decoded {
  if (chosen) return { text: decodeAs(bytes, chosen), encoding: chosen, bom: false, detected: false };
  const d = detectEncoding(bytes);
  return { text: decodeAs(bytes, d.encoding), encoding: d.encoding, bom: d.bom, detected: true };
}
