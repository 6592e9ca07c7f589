// What a refused token operation means for the person, in the UI language: the core's error worded
// from its key (renderer/src/i18n/errors.ts), with the PIN tries left made explicit.
import type { DeskError } from '../../../../common/errors';
import i18n from '../../i18n';
import { errorFields, errorText } from '../../i18n/errors';

/** Wrong PIN: how many tries are left comes from details (countLow / finalTry). */
export function pinErrorText(err: DeskError): string {
  const d = err.details ?? {};
  if (d.finalTry === true) return i18n.t('pin.wrongFinal');
  if (d.countLow === true) return i18n.t('pin.wrongLow');
  // A PIN of the wrong length or characters has its own wording from the core.
  if (!('countLow' in d) && err.key) return errorText(err);
  return i18n.t('pin.wrong');
}

/** Where an error belongs on a token + PIN form. */
export type TokenErrorPlace = { place: 'pin' | 'token' | 'form'; text: string };

export function placeTokenError(err: DeskError): TokenErrorPlace {
  switch (err.code) {
    case 'PIN_INCORRECT':
      return { place: 'pin', text: pinErrorText(err) };
    case 'PIN_LOCKED':
      return { place: 'form', text: err.key === 'pin.expired' ? errorText(err) : i18n.t('pin.locked') };
    case 'NOT_BOUND':
      return { place: 'form', text: i18n.t('lock.notBound') };
    case 'TOKEN_ABSENT':
    case 'TOKEN_UNSUITABLE':
      return { place: 'token', text: errorText(err) };
    case 'VALIDATION': {
      const pin = errorFields(err).pin;
      if (pin) return { place: 'pin', text: pin };
      if (Object.keys(err.fields ?? {}).some((k) => k.startsWith('token'))) return { place: 'token', text: errorText(err) };
      return { place: 'form', text: errorText(err) };
    }
    default:
      return { place: 'form', text: errorText(err) };
  }
}
