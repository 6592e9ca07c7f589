// Minimal ASN.1: a DER encoder for what we write, and a bounds-checked BER reader over a buffer
// for what we read. BER (not only DER) on input because `openssl cms -stream` writes
// indefinite lengths and constructed strings. Readers throw AsnError, never read past `end`,
// and limit nesting, so garbage input fails cleanly instead of crashing.
import { AsnError } from './errors';

// ---------- encoding ----------

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  return Buffer.concat(parts as Uint8Array[]);
}

export function encodeLength(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

/** One TLV with a single-octet identifier (all we need: universal and low context tags). */
export function tlv(tag: number, content: Uint8Array): Uint8Array {
  return concat([Uint8Array.of(tag), encodeLength(content.length), content]);
}

export const seq = (...items: Uint8Array[]): Uint8Array => tlv(0x30, concat(items));
/** SET with members in the given order (for one-member sets or where order is free). */
export const set = (...items: Uint8Array[]): Uint8Array => tlv(0x31, concat(items));
/** DER SET OF: members sorted by their encodings (X.690 11.6). Signed attributes need this. */
export const setOf = (items: readonly Uint8Array[]): Uint8Array => tlv(0x31, concat([...items].sort((a, b) => Buffer.compare(a, b))));
export const octetString = (b: Uint8Array): Uint8Array => tlv(0x04, b);
export const nullValue = (): Uint8Array => Uint8Array.of(0x05, 0x00);
/** [n] EXPLICIT, or IMPLICIT over a constructed type: both are a constructed context tag. */
export const contextConstructed = (n: number, content: Uint8Array): Uint8Array => tlv(0xa0 | n, content);

export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map((s) => BigInt(s));
  if (arcs.length < 2) throw new AsnError(`bad OID ${dotted}`);
  const out: number[] = [];
  const push = (v: bigint) => {
    const tmp: number[] = [Number(v & 0x7fn)];
    for (v >>= 7n; v > 0n; v >>= 7n) tmp.unshift(Number(v & 0x7fn) | 0x80);
    out.push(...tmp);
  };
  push(arcs[0]! * 40n + arcs[1]!);
  for (const a of arcs.slice(2)) push(a);
  return tlv(0x06, Uint8Array.from(out));
}

export function integer(v: number | bigint): Uint8Array {
  let n = BigInt(v);
  if (n < 0n) throw new AsnError('negative integers are not written here');
  const bytes: number[] = [];
  do {
    bytes.unshift(Number(n & 0xffn));
    n >>= 8n;
  } while (n > 0n);
  if (bytes[0]! & 0x80) bytes.unshift(0);
  return tlv(0x02, Uint8Array.from(bytes));
}

/** UTCTime for 1950–2049 and GeneralizedTime otherwise (RFC 5652 11.3, RFC 5280 4.1.2.5). */
export function time(d: Date): Uint8Array {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const y = d.getUTCFullYear();
  const rest = `${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  if (y >= 1950 && y < 2050) return tlv(0x17, Buffer.from(`${p(y % 100)}${rest}`, 'latin1'));
  return tlv(0x18, Buffer.from(`${p(y, 4)}${rest}`, 'latin1'));
}

// ---------- decoding ----------

export interface Tlv {
  /** The identifier octet (class, constructed bit, tag number < 31). */
  tag: number;
  constructed: boolean;
  /** Offset of the identifier octet. */
  start: number;
  /** Offset of the first content octet. */
  contentStart: number;
  /** Offset just past the content (before the end-of-contents octets when indefinite). */
  contentEnd: number;
  /** Offset just past the whole element (after the end-of-contents octets when indefinite). */
  end: number;
  indefinite: boolean;
}

const MAX_DEPTH = 48;

/** Reads one element at `pos`; never looks at bytes at or beyond `limit`. */
export function readTlv(buf: Uint8Array, pos: number, limit: number = buf.length, depth = 0): Tlv {
  if (depth > MAX_DEPTH) throw new AsnError('ASN.1 nested too deeply');
  if (pos >= limit) throw new AsnError('expected an ASN.1 element, found end of data');
  const start = pos;
  const tag = buf[pos++]!;
  if ((tag & 0x1f) === 0x1f) throw new AsnError('high-tag-number form is not used in CMS/X.509');
  const constructed = (tag & 0x20) !== 0;
  if (pos >= limit) throw new AsnError('truncated length');
  const first = buf[pos++]!;
  if (first === 0x80) {
    if (!constructed) throw new AsnError('indefinite length on a primitive element');
    // Walk the children to find the end-of-contents octets.
    let p = pos;
    for (;;) {
      if (p + 2 > limit) throw new AsnError('missing end-of-contents');
      if (buf[p] === 0 && buf[p + 1] === 0) return { tag, constructed, start, contentStart: pos, contentEnd: p, end: p + 2, indefinite: true };
      p = readTlv(buf, p, limit, depth + 1).end;
    }
  }
  let len: number;
  if (first < 0x80) len = first;
  else {
    const n = first & 0x7f;
    if (n > 6) throw new AsnError('length too large');
    if (pos + n > limit) throw new AsnError('truncated length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[pos++]!;
  }
  if (pos + len > limit) throw new AsnError('element runs past the end of its container');
  return { tag, constructed, start, contentStart: pos, contentEnd: pos + len, end: pos + len, indefinite: false };
}

/** Reads a whole buffer that must hold exactly one element. */
export function readRoot(buf: Uint8Array): Tlv {
  const t = readTlv(buf, 0, buf.length);
  if (t.end !== buf.length) throw new AsnError('trailing data after the ASN.1 element');
  return t;
}

export function children(buf: Uint8Array, t: Tlv, depth = 1): Tlv[] {
  if (!t.constructed) throw new AsnError(`element 0x${t.tag.toString(16)} is not constructed`);
  const out: Tlv[] = [];
  for (let p = t.contentStart; p < t.contentEnd; ) {
    const c = readTlv(buf, p, t.contentEnd, depth);
    out.push(c);
    p = c.end;
  }
  return out;
}

export function expectTag(t: Tlv | undefined, tag: number, what: string): Tlv {
  if (!t) throw new AsnError(`${what}: missing`);
  if (t.tag !== tag) throw new AsnError(`${what}: expected tag 0x${tag.toString(16)}, found 0x${t.tag.toString(16)}`);
  return t;
}

export const raw = (buf: Uint8Array, t: Tlv): Uint8Array => buf.subarray(t.start, t.end);
export const content = (buf: Uint8Array, t: Tlv): Uint8Array => buf.subarray(t.contentStart, t.contentEnd);

export function readOid(buf: Uint8Array, t: Tlv | undefined, what = 'OBJECT IDENTIFIER'): string {
  const b = content(buf, expectTag(t, 0x06, what));
  if (b.length === 0 || (b[b.length - 1]! & 0x80) !== 0) throw new AsnError(`${what}: bad encoding`);
  const arcs: bigint[] = [];
  let v = 0n;
  for (const byte of b) {
    v = (v << 7n) | BigInt(byte & 0x7f);
    if ((byte & 0x80) === 0) {
      arcs.push(v);
      v = 0n;
    }
  }
  const first = arcs.shift()!;
  const a0 = first < 40n ? 0n : first < 80n ? 1n : 2n;
  return [a0, first - a0 * 40n, ...arcs].join('.');
}

/** INTEGER content octets with redundant leading zero octets removed (for comparing and hex). */
export function readUnsignedIntBytes(buf: Uint8Array, t: Tlv | undefined, what = 'INTEGER'): Uint8Array {
  let b = content(buf, expectTag(t, 0x02, what));
  if (b.length === 0) throw new AsnError(`${what}: empty`);
  while (b.length > 1 && b[0] === 0) b = b.subarray(1);
  return b;
}

export function readSmallInt(buf: Uint8Array, t: Tlv | undefined, what = 'INTEGER'): number {
  const b = content(buf, expectTag(t, 0x02, what));
  if (b.length === 0 || b.length > 6) throw new AsnError(`${what}: out of range`);
  if (b[0]! & 0x80) throw new AsnError(`${what}: negative`);
  let n = 0;
  for (const x of b) n = n * 256 + x;
  return n;
}

/** OCTET STRING content, primitive or (BER) constructed from primitive pieces. */
export function readOctets(buf: Uint8Array, t: Tlv | undefined, what = 'OCTET STRING', tag = 0x04): Uint8Array {
  if (!t) throw new AsnError(`${what}: missing`);
  if (t.tag === tag) return content(buf, t);
  if (t.tag === (tag | 0x20)) return concat(children(buf, t).map((c) => readOctets(buf, c, what, 0x04)));
  throw new AsnError(`${what}: expected tag 0x${tag.toString(16)}, found 0x${t.tag.toString(16)}`);
}

/** BIT STRING content without the unused-bits octet, plus the unused-bits count. */
export function readBitString(buf: Uint8Array, t: Tlv | undefined, what = 'BIT STRING'): { bytes: Uint8Array; unused: number } {
  const b = content(buf, expectTag(t, 0x03, what));
  if (b.length === 0 || b[0]! > 7) throw new AsnError(`${what}: bad encoding`);
  return { bytes: b.subarray(1), unused: b[0]! };
}

export function readBoolean(buf: Uint8Array, t: Tlv | undefined, what = 'BOOLEAN'): boolean {
  const b = content(buf, expectTag(t, 0x01, what));
  if (b.length !== 1) throw new AsnError(`${what}: bad encoding`);
  return b[0] !== 0;
}

/** UTCTime or GeneralizedTime (Z form, optional fractional seconds). */
export function readTime(buf: Uint8Array, t: Tlv | undefined, what = 'Time'): Date {
  if (!t || (t.tag !== 0x17 && t.tag !== 0x18)) throw new AsnError(`${what}: expected UTCTime or GeneralizedTime`);
  const s = Buffer.from(content(buf, t)).toString('latin1');
  const m = t.tag === 0x17
    ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/.exec(s)
    : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d{1,9})?Z$/.exec(s);
  if (!m) throw new AsnError(`${what}: unsupported time format "${s}"`);
  let year = Number(m[1]);
  if (t.tag === 0x17) year += year < 50 ? 2000 : 1900;
  const ms = Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0));
  const d = new Date(ms);
  if (Number.isNaN(ms) || d.getUTCMonth() !== Number(m[2]) - 1 || d.getUTCDate() !== Number(m[3])) throw new AsnError(`${what}: invalid date "${s}"`);
  return d;
}

export const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const equalBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && Buffer.compare(a, b) === 0;
