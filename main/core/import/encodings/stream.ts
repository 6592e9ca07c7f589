// A legacy text decoded a chunk at a time, to exactly the text decodeAs() makes of the whole file.
// A chunk may end inside a character (UTF-8, UTF-16: the platform's decoder keeps the bytes until
// the rest comes), inside a VNI letter (base byte, then its mark byte) or between a letter and its
// combining tone mark (Windows-1258, and any text before NFC). So each step holds back what follows
// its last ASCII character: an ASCII character is never the second half of a VNI letter nor the
// mark of a composition, so the text before it decodes and composes the same alone as in the whole.
import { decodeTcvn3 } from './tcvn3';
import { decodeVni } from './vni';
import type { Encoding } from './index';

const WHATWG: Partial<Record<Encoding, string>> = { utf8: 'utf-8', utf16le: 'utf-16le', utf16be: 'utf-16be', cp1258: 'windows-1258' };

/** Index of the last byte below 0x80 (-1: none). */
function lastAsciiByte(bytes: Uint8Array): number {
  for (let i = bytes.length - 1; i >= 0; i--) if (bytes[i]! < 0x80) return i;
  return -1;
}

/** Index of the last character below U+0080 (-1: none). */
function lastAsciiChar(text: string): number {
  for (let i = text.length - 1; i >= 0; i--) if (text.charCodeAt(i) < 0x80) return i;
  return -1;
}

export class StreamDecoder {
  private readonly text: TextDecoder | null;
  /** VNI bytes held back (after the last ASCII byte). */
  private bytesHeld: Uint8Array = new Uint8Array(0);
  /** Decoded text not yet composed (after the last ASCII character). */
  private textHeld = '';

  constructor(private readonly encoding: Encoding) {
    const label = WHATWG[encoding];
    this.text = label ? new TextDecoder(label) : null;
  }

  /** The NFC text of `chunk` that can be told already (maybe empty). */
  write(chunk: Uint8Array): string {
    return this.compose(this.decode(chunk, false), false);
  }

  /** The rest, at the end of the file. */
  end(): string {
    return this.compose(this.decode(new Uint8Array(0), true), true);
  }

  private decode(chunk: Uint8Array, last: boolean): string {
    if (this.text) return this.text.decode(chunk, { stream: !last });
    if (this.encoding === 'tcvn3') return decodeTcvn3(chunk); // one byte a letter
    // VNI: a letter may be two bytes; hold back from the last ASCII byte on.
    const all = this.bytesHeld.length > 0 ? Buffer.concat([this.bytesHeld, chunk]) : chunk;
    const cut = last ? all.length : lastAsciiByte(all);
    if (cut <= 0) { this.bytesHeld = all; return ''; }
    this.bytesHeld = new Uint8Array(all.subarray(cut)); // a copy: the chunk is not kept
    return decodeVni(all.subarray(0, cut));
  }

  private compose(text: string, last: boolean): string {
    const all = this.textHeld + text;
    const cut = last ? all.length : lastAsciiChar(all);
    if (cut <= 0) { this.textHeld = all; return ''; }
    this.textHeld = all.slice(cut);
    return all.slice(0, cut).normalize('NFC');
  }
}
