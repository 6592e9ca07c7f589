// Reads BER from a byte stream without holding it: headers and small elements are read whole
// (with a size cap), large string contents are handed out as slices of the chunks as they arrive.
// Running out of input inside a structure throws EndOfInput (the caller reports TRUNCATED).
import { AsnError, EndOfInput } from './errors';

export interface Header {
  tag: number;
  constructed: boolean;
  /** Content length, or null for the indefinite form. */
  length: number | null;
  /** The identifier and length octets as read. */
  bytes: Buffer;
}

/** An open constructed element: where it ends, or null if it ends with end-of-contents octets. */
export interface Container {
  end: number | null;
}

const MAX_DEPTH = 32;

/** A Readable, an async generator, or an array of byte chunks. */
export type ByteSource = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

export class StreamReader {
  private chunks: Buffer[] = [];
  private head = 0; // offset into chunks[0]
  private avail = 0;
  private done = false;
  /** Bytes consumed so far. */
  pos = 0;

  constructor(private readonly it: AsyncIterator<Uint8Array | string>) {}

  static from(src: ByteSource): StreamReader {
    if (Symbol.asyncIterator in src) return new StreamReader(src[Symbol.asyncIterator]());
    const it = src[Symbol.iterator]();
    return new StreamReader({ next: async () => it.next(), return: async () => it.return?.() ?? { done: true, value: undefined } });
  }

  private async pull(): Promise<boolean> {
    if (this.done) return false;
    const r = await this.it.next();
    if (r.done) {
      this.done = true;
      return false;
    }
    const b = typeof r.value === 'string' ? Buffer.from(r.value) : Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
    if (b.length) {
      this.chunks.push(b);
      this.avail += b.length;
    }
    return true;
  }

  private async ensure(n: number): Promise<boolean> {
    while (this.avail < n) if (!(await this.pull())) return false;
    return true;
  }

  private take(n: number): Buffer {
    const first = this.chunks[0]!;
    let out: Buffer;
    if (first.length - this.head >= n) {
      out = first.subarray(this.head, this.head + n);
      this.head += n;
    } else {
      const parts: Buffer[] = [];
      let left = n;
      while (left > 0) {
        const c = this.chunks[0]!;
        const k = Math.min(left, c.length - this.head);
        parts.push(c.subarray(this.head, this.head + k));
        this.head += k;
        left -= k;
        if (this.head === c.length) {
          this.chunks.shift();
          this.head = 0;
        }
      }
      out = Buffer.concat(parts);
    }
    if (this.chunks[0] && this.head === this.chunks[0].length) {
      this.chunks.shift();
      this.head = 0;
    }
    this.avail -= n;
    this.pos += n;
    return out;
  }

  async readBytes(n: number): Promise<Buffer> {
    if (n === 0) return Buffer.alloc(0);
    if (!(await this.ensure(n))) throw new EndOfInput();
    return this.take(n);
  }

  /** The next n bytes without consuming them; null if the input ends first. */
  async peek(n: number): Promise<Buffer | null> {
    if (!(await this.ensure(n))) return null;
    const saved = { chunks: [...this.chunks], head: this.head, avail: this.avail, pos: this.pos };
    const b = Buffer.from(this.take(n));
    Object.assign(this, saved);
    return b;
  }

  async atEof(): Promise<boolean> {
    return !(await this.ensure(1));
  }

  async readHeader(): Promise<Header> {
    const [tag, first] = await this.readBytes(2);
    if ((tag! & 0x1f) === 0x1f) throw new AsnError('high-tag-number form is not used in CMS');
    const constructed = (tag! & 0x20) !== 0;
    if (first === 0x80) {
      if (!constructed) throw new AsnError('indefinite length on a primitive element');
      return { tag: tag!, constructed, length: null, bytes: Buffer.of(tag!, first) };
    }
    if (first! < 0x80) return { tag: tag!, constructed, length: first!, bytes: Buffer.of(tag!, first!) };
    const n = first! & 0x7f;
    if (n > 6) throw new AsnError('length too large');
    const lb = await this.readBytes(n);
    let length = 0;
    for (const x of lb) length = length * 256 + x;
    return { tag: tag!, constructed, length, bytes: Buffer.concat([Buffer.of(tag!, first!), lb]) };
  }

  /** Opens a constructed element whose header was just read. */
  open(h: Header): Container {
    if (!h.constructed) throw new AsnError(`element 0x${h.tag.toString(16)} is not constructed`);
    return { end: h.length === null ? null : this.pos + h.length };
  }

  async expectOpen(tag: number, what: string): Promise<Container> {
    const h = await this.readHeader();
    if (h.tag !== tag) throw new AsnError(`${what}: expected tag 0x${tag.toString(16)}, found 0x${h.tag.toString(16)}`);
    return this.open(h);
  }

  /** Whether another element follows inside `c`. */
  async hasMore(c: Container): Promise<boolean> {
    if (c.end !== null) {
      if (this.pos > c.end) throw new AsnError('element runs past the end of its container');
      return this.pos < c.end;
    }
    const eoc = await this.peek(2);
    if (!eoc) throw new EndOfInput();
    return !(eoc[0] === 0 && eoc[1] === 0);
  }

  /** Consumes the end of `c`: checks the length adds up, or reads the end-of-contents octets. */
  async leave(c: Container, what: string): Promise<void> {
    if (c.end !== null) {
      if (this.pos !== c.end) throw new AsnError(`${what}: unexpected content before its end`);
      return;
    }
    const eoc = await this.readBytes(2);
    if (eoc[0] !== 0 || eoc[1] !== 0) throw new AsnError(`${what}: unexpected content before its end`);
  }

  /** Stops reading and releases the source (a Readable is destroyed). */
  async release(): Promise<void> {
    this.chunks = [];
    this.avail = 0;
    if (!this.done) {
      this.done = true;
      await this.it.return?.();
    }
  }

  /** Peeks the identifier octet of the next element (null at end of input). */
  async peekTag(): Promise<number | null> {
    const b = await this.peek(1);
    return b ? b[0]! : null;
  }

  /** Reads one whole element (header included), refusing more than `max` bytes. */
  async readElement(max: number, depth = 0): Promise<Buffer> {
    if (depth > MAX_DEPTH) throw new AsnError('ASN.1 nested too deeply');
    const h = await this.readHeader();
    if (h.length !== null) {
      if (h.bytes.length + h.length > max) throw new AsnError(`element larger than ${max} bytes`);
      return Buffer.concat([h.bytes, await this.readBytes(h.length)]);
    }
    const parts: Buffer[] = [h.bytes];
    let size = h.bytes.length;
    const c = this.open(h);
    while (await this.hasMore(c)) {
      const child = await this.readElement(max - size, depth + 1);
      parts.push(child);
      size += child.length;
    }
    await this.readBytes(2);
    parts.push(Buffer.of(0, 0));
    if (size + 2 > max) throw new AsnError(`element larger than ${max} bytes`);
    return Buffer.concat(parts);
  }

  // ---- synchronous fast paths over what is already buffered (no await per small element:
  // `openssl cms -stream` writes 4 KiB pieces, 50 000 of them in a 200 MB file) ----

  private peekSync(n: number): Buffer | null {
    if (this.avail < n) return null;
    const first = this.chunks[0]!;
    if (first.length - this.head >= n) return first.subarray(this.head, this.head + n);
    const saved = { chunks: [...this.chunks], head: this.head, avail: this.avail, pos: this.pos };
    const b = Buffer.from(this.take(n));
    Object.assign(this, saved);
    return b;
  }

  /** readHeader() if the whole header is buffered, else null (nothing consumed). */
  readHeaderSync(): Header | null {
    const two = this.peekSync(2);
    if (!two) return null;
    const first = two[1]!;
    const n = first > 0x80 ? first & 0x7f : 0;
    if (n > 6) return null; // let readHeader() report it
    const all = this.peekSync(2 + n);
    if (!all) return null;
    const tag = all[0]!;
    if ((tag & 0x1f) === 0x1f || (first === 0x80 && (tag & 0x20) === 0)) return null;
    let length: number | null = first === 0x80 ? null : first < 0x80 ? first : 0;
    for (let i = 0; i < n; i++) length = length! * 256 + all[2 + i]!;
    const bytes = Buffer.from(this.take(2 + n));
    return { tag, constructed: (tag & 0x20) !== 0, length, bytes };
  }

  /** hasMore() decided from buffered bytes, or null if more input is needed to tell. */
  hasMoreSync(c: Container): boolean | null {
    if (c.end !== null) {
      if (this.pos > c.end) throw new AsnError('element runs past the end of its container');
      return this.pos < c.end;
    }
    const eoc = this.peekSync(2);
    return eoc ? !(eoc[0] === 0 && eoc[1] === 0) : null;
  }

  /** Up to `max` bytes that are already buffered (one chunk's worth), or null if none. */
  takeBuffered(max: number): Buffer | null {
    if (this.avail === 0 || max === 0) return null;
    const c = this.chunks[0]!;
    return this.take(Math.min(max, c.length - this.head));
  }

  /** Waits for at least one more byte of input (EndOfInput if there is none). */
  async more(): Promise<void> {
    if (this.avail === 0 && !(await this.ensure(1))) throw new EndOfInput();
  }

  /** Hands out the next n bytes as slices, as they arrive. */
  async *slices(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.avail === 0 && !(await this.pull())) throw new EndOfInput();
      if (this.avail === 0) continue;
      const c = this.chunks[0]!;
      const k = Math.min(left, c.length - this.head);
      yield this.take(k);
      left -= k;
    }
  }
}
