// Strict base64 for attachments: Node's decoder skips anything it does not understand, so a
// damaged attachment would decode to wrong bytes without a word. Whitespace (line breaks every 76
// characters, indentation) is allowed; anything else is refused.
const ALPHABET = /^[A-Za-z0-9+/]*={0,2}$/;

/** Bytes a base64 text decodes to (whitespace ignored), without decoding it. */
export function decodedLength(b64: string): number {
  let n = 0;
  let pad = 0;
  for (let i = 0; i < b64.length; i++) {
    const c = b64.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
    n++;
    if (c === 0x3d) pad++;
  }
  return Math.floor((n * 3) / 4) - pad;
}

/** Decodes strictly; null when the text is not base64. */
export function decodeBase64Strict(b64: string): Buffer | null {
  const compact = /\s/.test(b64) ? b64.replace(/\s+/g, '') : b64;
  if (compact.length % 4 !== 0 || !ALPHABET.test(compact)) return null;
  return Buffer.from(compact, 'base64');
}
