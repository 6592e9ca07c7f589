// The one error type the crypto layer throws for bad input and refused operations: a stable code,
// an English message for logs and a Vietnamese one for the user. Errors raised by a PrivateKeyOps
// implementation (a token bridge error: PIN locked, token removed…) pass through unchanged, so the
// UI can still see the PIN state.

export const CRYPTO_ERROR_CODES = [
  'MALFORMED_SIGNATURE', // not a CMS SignedData, or truncated/garbled
  'MALFORMED_CERTIFICATE', // a certificate (or trust anchor) that does not parse
  'MALFORMED_ENVELOPE', // not a CMS (Auth)EnvelopedData, or garbled
  'TRUNCATED', // the encrypted file ends early
  'TAMPERED', // the GCM tag (or CBC padding) does not verify: changed, corrupted or wrong key
  'NOT_A_RECIPIENT', // the file was not encrypted for this certificate
  'UNSUPPORTED_ALGORITHM', // well-formed, but an algorithm or option we do not implement / accept
  'POLICY_REFUSED', // supported, but refused by policy (PKCS#1 v1.5 key transport unless allowed)
  'UNSUITABLE_CERTIFICATE', // e.g. encrypting to a certificate whose key cannot do key transport
  'SIGNING_FAILED', // the key produced a signature that does not verify with its certificate
] as const;
export type CryptoErrorCode = (typeof CRYPTO_ERROR_CODES)[number];

export class CryptoError extends Error {
  readonly code: CryptoErrorCode;
  /** For the user, in Vietnamese. */
  readonly messageVi: string;

  constructor(code: CryptoErrorCode, message: string, messageVi: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CryptoError';
    this.code = code;
    this.messageVi = messageVi;
  }
}

export const isCryptoError = (e: unknown, code?: CryptoErrorCode): e is CryptoError =>
  e instanceof CryptoError && (code === undefined || e.code === code);

/** Raised by the ASN.1 readers; callers turn it into the CryptoError of their context. */
export class AsnError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AsnError';
  }
}

/** Raised by the streaming reader when the input ends inside a structure. */
export class EndOfInput extends Error {
  constructor(message = 'input ended inside an ASN.1 structure') {
    super(message);
    this.name = 'EndOfInput';
  }
}

/** An algorithm we recognise as legal but do not implement (caught and reported by callers). */
export class UnsupportedAlgorithm extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedAlgorithm';
  }
}

const VI: Record<'signature' | 'certificate' | 'envelope', string> = {
  signature: 'Tệp chữ ký số bị hỏng hoặc không đúng định dạng CMS.',
  certificate: 'Chứng thư số bị hỏng hoặc không đúng định dạng X.509.',
  envelope: 'Tệp mã hóa bị hỏng hoặc không đúng định dạng CMS.',
};

/** Wraps any parsing failure as the MALFORMED_* error of the given context; CryptoErrors pass. */
export function asMalformed(kind: 'signature' | 'certificate' | 'envelope', e: unknown): CryptoError {
  if (e instanceof CryptoError) return e;
  const code = kind === 'signature' ? 'MALFORMED_SIGNATURE' : kind === 'certificate' ? 'MALFORMED_CERTIFICATE' : 'MALFORMED_ENVELOPE';
  const detail = e instanceof Error ? e.message : String(e);
  return new CryptoError(code, `malformed ${kind}: ${detail}`, VI[kind], { cause: e });
}
