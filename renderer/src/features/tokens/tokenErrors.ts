// What a refused token operation means for the person, in the UI language. The core's Vietnamese
// message is the fallback for anything not worded here.
import type { DeskError } from '../../../../common/errors';
import i18n from '../../i18n';

/** Wrong PIN: how many tries are left comes from details (countLow / finalTry). */
export function pinErrorText(err: DeskError): string {
  const d = err.details ?? {};
  if (d.finalTry === true) return i18n.t('pin.wrongFinal');
  if (d.countLow === true) return i18n.t('pin.wrongLow');
  // A PIN of the wrong length or characters has its own wording from the core.
  if (!('countLow' in d) && err.message && i18n.language === 'vi') return err.message;
  return i18n.t('pin.wrong');
}

/** Where an error belongs on a token + PIN form. */
export type TokenErrorPlace = { place: 'pin' | 'token' | 'form'; text: string };

export function placeTokenError(err: DeskError): TokenErrorPlace {
  switch (err.code) {
    case 'PIN_INCORRECT':
      return { place: 'pin', text: pinErrorText(err) };
    case 'PIN_LOCKED':
      return { place: 'form', text: i18n.t('pin.locked') };
    case 'NOT_BOUND':
      return { place: 'form', text: i18n.t('lock.notBound') };
    case 'TOKEN_ABSENT':
      return { place: 'token', text: i18n.language === 'vi' ? err.message : i18n.t('tokens.absent') };
    case 'TOKEN_UNSUITABLE':
      return { place: 'token', text: err.message };
    case 'VALIDATION':
      if (err.fields?.pin) return { place: 'pin', text: err.fields.pin };
      if (Object.keys(err.fields ?? {}).some((k) => k.startsWith('token'))) return { place: 'token', text: err.message };
      return { place: 'form', text: err.message };
    default:
      return { place: 'form', text: err.message };
  }
}
