// Windows-1258: a few precomposed letters (â ê ô ơ ư ă đ, à á …) plus five combining tone marks
// (0xCC grave, 0xEC acute, 0xD2 hook, 0xDE tilde, 0xF2 dot below). Decoded by the platform's
// WHATWG decoder, then composed (NFC): "e" + "̂" + "́" must be stored as "ế".

const decoder = new TextDecoder('windows-1258');

export function decodeCp1258(bytes: Uint8Array): string {
  return decoder.decode(bytes).normalize('NFC');
}

const FROM_UNICODE = new Map<string, number>();
{
  const all = decoder.decode(Uint8Array.from({ length: 256 }, (_, i) => i));
  [...all].forEach((ch, b) => { if (ch !== '\ufffd' && !FROM_UNICODE.has(ch)) FROM_UNICODE.set(ch, b); });
}

const TONES = /[\u0300\u0301\u0303\u0309\u0323]/gu;

/**
 * Text -> Windows-1258 bytes the way Vietnamese keyboards and Word wrote them: the letter without
 * its tone (â ơ ă … are in the code page), then the tone as a combining mark byte.
 */
export function encodeCp1258(text: string): Buffer {
  const out: number[] = [];
  for (const ch of text.normalize('NFC')) {
    const d = ch.normalize('NFD');
    const tones = d.match(TONES) ?? [];
    const base = d.replace(TONES, '').normalize('NFC');
    const bytes = [FROM_UNICODE.get(base), ...tones.map((t) => FROM_UNICODE.get(t))];
    if (bytes.some((b) => b === undefined)) throw new Error(`not encodable in Windows-1258: U+${ch.codePointAt(0)!.toString(16)}`);
    out.push(...(bytes as number[]));
  }
  return Buffer.from(out);
}
