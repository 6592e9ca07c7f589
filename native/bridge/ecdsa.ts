// CKM_ECDSA returns r||s (two big-endian integers of the curve size); CMS and X.509 carry
// ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } in DER.
export function ecdsaRawToDer(raw: Uint8Array): Uint8Array {
  if (raw.length === 0 || raw.length % 2 !== 0) throw new Error('ECDSA signature must be r||s of equal halves');
  const half = raw.length / 2;
  const r = derInteger(raw.subarray(0, half));
  const s = derInteger(raw.subarray(half));
  return Uint8Array.from([0x30, ...derLength(r.length + s.length), ...r, ...s]);
}

function derInteger(bytes: Uint8Array): number[] {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++; // minimal encoding
  const body = [...bytes.subarray(i)];
  if ((body[0] ?? 0) & 0x80) body.unshift(0); // keep it positive
  return [0x02, ...derLength(body.length), ...body];
}

function derLength(n: number): number[] {
  if (n < 0x80) return [n];
  if (n < 0x100) return [0x81, n];
  return [0x82, n >> 8, n & 0xff];
}
