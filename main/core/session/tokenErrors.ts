// Token errors in the user's words. The bridge speaks TokenError (English, for the log); the UI
// gets a DeskError with a catalog key (worded in the person's language) and a Vietnamese message
// that says what happened and what to do.
import { DeskError } from '../../../common/errors';
import { isMessageKey } from '../../../common/messages';
import { isTokenError } from '../../../native/bridge/errors';
import { isCryptoError } from '../crypto';

export function toDeskError(err: unknown): unknown {
  if (isCryptoError(err)) {
    // The crypto layer's Vietnamese names the context (signature, certificate, envelope); the key words it elsewhere.
    const key = `crypto.${err.code}`;
    return new DeskError('CRYPTO', err.messageVi, { key: isMessageKey(key) ? key : 'crypto.failed', details: { code: err.code } });
  }
  if (!isTokenError(err)) return err;
  const pin = err.pin ? { countLow: err.pin.countLow, finalTry: err.pin.finalTry, locked: err.pin.locked } : undefined;
  const withCode = { details: { code: err.code } };
  switch (err.code) {
    case 'PIN_INCORRECT':
      return DeskError.keyed('PIN_INCORRECT', pin?.finalTry ? 'pin.incorrectFinal' : pin?.countLow ? 'pin.incorrectLow' : 'pin.incorrect', undefined, {
        fields: { pin: { key: 'pin.incorrect' } }, details: { ...(pin ?? {}) },
      });
    case 'PIN_LOCKED':
      return DeskError.keyed('PIN_LOCKED', 'pin.locked');
    case 'PIN_INVALID':
      return DeskError.keyed('PIN_INCORRECT', 'pin.badFormat', undefined, { fields: { pin: { key: 'pin.invalid' } } });
    case 'PIN_EXPIRED':
      return DeskError.keyed('PIN_LOCKED', 'pin.expired');
    case 'TOKEN_NOT_PRESENT':
    case 'DEVICE_REMOVED':
    case 'SLOT_NOT_FOUND':
    case 'TOKEN_NOT_RECOGNIZED':
      return DeskError.keyed('TOKEN_ABSENT', 'token.absent', undefined, withCode);
    case 'MODULE_NOT_FOUND':
      return DeskError.keyed('TOKEN_ABSENT', 'token.driverMissing', undefined, withCode);
    case 'NOT_PKCS11':
    case 'MODULE_LOAD_FAILED':
    case 'MODULE_INIT_FAILED':
      return DeskError.keyed('TOKEN_ERROR', 'token.driverUnusable', undefined, withCode);
    case 'BRIDGE_TIMEOUT':
    case 'BRIDGE_CRASHED':
      return DeskError.keyed('TOKEN_ERROR', 'token.driverHung', undefined, withCode);
    case 'MECHANISM_PARAM_INVALID':
      return DeskError.keyed('TOKEN_UNSUITABLE', 'token.mechanismParam', undefined, withCode);
    case 'KEY_NOT_FOUND':
    case 'KEY_NOT_USABLE':
    case 'MECHANISM_UNSUPPORTED':
      return DeskError.keyed('TOKEN_UNSUITABLE', 'token.keyUnusable', undefined, withCode);
    case 'NOT_LOGGED_IN':
    case 'SESSION_CLOSED':
      return DeskError.keyed('NO_SESSION', 'token.sessionEnded', undefined, withCode);
    default:
      return DeskError.keyed('TOKEN_ERROR', 'token.failed', undefined, withCode);
  }
}
