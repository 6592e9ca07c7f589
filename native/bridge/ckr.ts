// CKR_* return values -> typed bridge errors. Pure: the worker passes the CKR name that
// pkcs11js puts in its error message, so this file loads without the native addon.
import { TokenError } from './errors';
import type { PinStatus, TokenErrorCode } from './protocol';

const BY_CKR: Record<string, { code: TokenErrorCode; message: string }> = {
  CKR_PIN_INCORRECT: { code: 'PIN_INCORRECT', message: 'The PIN is incorrect' },
  CKR_PIN_LOCKED: { code: 'PIN_LOCKED', message: 'The PIN is locked' },
  CKR_PIN_INVALID: { code: 'PIN_INVALID', message: 'The PIN has characters this token does not accept' },
  CKR_PIN_LEN_RANGE: { code: 'PIN_INVALID', message: 'The PIN length is out of range for this token' },
  CKR_PIN_EXPIRED: { code: 'PIN_EXPIRED', message: 'The PIN has expired and must be changed' },
  CKR_FUNCTION_CANCELED: { code: 'CANCELLED', message: 'The operation was cancelled on the device' },
  CKR_TOKEN_NOT_PRESENT: { code: 'TOKEN_NOT_PRESENT', message: 'No token in the slot' },
  CKR_TOKEN_NOT_RECOGNIZED: { code: 'TOKEN_NOT_RECOGNIZED', message: 'The module does not recognise the token' },
  CKR_DEVICE_REMOVED: { code: 'DEVICE_REMOVED', message: 'The token was removed' },
  CKR_SLOT_ID_INVALID: { code: 'SLOT_NOT_FOUND', message: 'No such slot' },
  CKR_SESSION_HANDLE_INVALID: { code: 'SESSION_CLOSED', message: 'The token session is no longer valid' },
  CKR_SESSION_CLOSED: { code: 'SESSION_CLOSED', message: 'The token session was closed' },
  CKR_USER_NOT_LOGGED_IN: { code: 'NOT_LOGGED_IN', message: 'Not logged in to the token' },
  CKR_USER_PIN_NOT_INITIALIZED: { code: 'PIN_INVALID', message: 'The user PIN of this token is not initialised' },
  CKR_OBJECT_HANDLE_INVALID: { code: 'KEY_NOT_FOUND', message: 'The key is no longer on the token' },
  CKR_KEY_HANDLE_INVALID: { code: 'KEY_NOT_FOUND', message: 'The key is no longer on the token' },
  CKR_KEY_TYPE_INCONSISTENT: { code: 'KEY_NOT_USABLE', message: 'The key type does not fit the mechanism' },
  CKR_KEY_FUNCTION_NOT_PERMITTED: { code: 'KEY_NOT_USABLE', message: 'The key is not allowed to do this' },
  CKR_KEY_SIZE_RANGE: { code: 'KEY_NOT_USABLE', message: 'The key size is not supported for this mechanism' },
  CKR_MECHANISM_INVALID: { code: 'MECHANISM_UNSUPPORTED', message: 'The token does not support this mechanism' },
  CKR_MECHANISM_PARAM_INVALID: { code: 'MECHANISM_PARAM_INVALID', message: 'The token refused the mechanism parameters' },
  CKR_DATA_INVALID: { code: 'DATA_INVALID', message: 'The input data is invalid for this operation' },
  CKR_DATA_LEN_RANGE: { code: 'DATA_INVALID', message: 'The input data has the wrong length' },
  CKR_ENCRYPTED_DATA_INVALID: { code: 'DATA_INVALID', message: 'The ciphertext is invalid for this key' },
  CKR_ENCRYPTED_DATA_LEN_RANGE: { code: 'DATA_INVALID', message: 'The ciphertext has the wrong length for this key' },
  CKR_DEVICE_ERROR: { code: 'DEVICE_ERROR', message: 'The token reported a device error' },
  CKR_DEVICE_MEMORY: { code: 'DEVICE_ERROR', message: 'The token ran out of memory' },
  CKR_GENERAL_ERROR: { code: 'DEVICE_ERROR', message: 'The module reported a general error' },
  CKR_HOST_MEMORY: { code: 'DEVICE_ERROR', message: 'The module ran out of host memory' },
  CKR_FUNCTION_FAILED: { code: 'DEVICE_ERROR', message: 'The module could not complete the operation' },
  CKR_FUNCTION_NOT_SUPPORTED: { code: 'NOT_SUPPORTED', message: 'The module does not implement this function' },
  CKR_CRYPTOKI_NOT_INITIALIZED: { code: 'MODULE_INIT_FAILED', message: 'The module is not initialised' },
};

/** Codes after which the bridge's login on that token is gone. */
export const LOGIN_DROPPING_CODES: ReadonlySet<TokenErrorCode> = new Set([
  'TOKEN_NOT_PRESENT',
  'DEVICE_REMOVED',
  'SESSION_CLOSED',
  'NOT_LOGGED_IN',
]);

/** Codes that say something about the token's state, not about the request: worth a presence check. */
export const PRESENCE_SUSPECT_CODES: ReadonlySet<TokenErrorCode> = new Set([
  'DEVICE_ERROR',
  'DATA_INVALID', // SoftHSM's CKR_GENERAL_ERROR on decrypt may also mean the token is gone
  'KEY_NOT_FOUND',
  'SESSION_CLOSED',
  'PKCS11_ERROR',
]);

export function fromCkr(ckr: string, context: string): TokenError {
  const known = BY_CKR[ckr];
  if (known) return new TokenError(known.code, `${context}: ${known.message} (${ckr})`, { ckr });
  return new TokenError('PKCS11_ERROR', `${context}: the module returned ${ckr}`, { ckr });
}

/**
 * A failed C_Login. Many tokens answer CKR_PIN_INCORRECT on the try that locks the PIN and only
 * the flags read afterwards say "locked", so the flags decide between PIN_INCORRECT and PIN_LOCKED.
 */
export function loginFailure(ckr: string, pinAfter: PinStatus | undefined): TokenError {
  if (ckr === 'CKR_PIN_LOCKED' || (ckr === 'CKR_PIN_INCORRECT' && pinAfter?.locked)) {
    return new TokenError('PIN_LOCKED', `login: The PIN is locked (${ckr})`, {
      ckr,
      ...(pinAfter ? { pin: pinAfter } : {}),
    });
  }
  const err = fromCkr(ckr, 'login');
  if (err.code !== 'PIN_INCORRECT' || !pinAfter) return err;
  return new TokenError('PIN_INCORRECT', err.message, { ckr, pin: pinAfter });
}

/** pkcs11js throws Pkcs11Error with message 'CKR_NAME' (and .code); anything else is not a CKR. */
export function ckrOf(e: unknown): string | undefined {
  if (!(e instanceof Error)) return undefined;
  const name = /^(CKR_[A-Z0-9_]+)/.exec(e.message)?.[1];
  if (name !== 'CKR_VENDOR_DEFINED') return name;
  // pkcs11js names every unknown value CKR_VENDOR_DEFINED; keep the number for the vendor's manual.
  const code = (e as { code?: unknown }).code;
  return typeof code === 'number' ? `CKR_VENDOR_DEFINED(0x${code.toString(16)})` : name;
}
