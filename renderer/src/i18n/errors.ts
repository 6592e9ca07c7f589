// Errors and field messages in the person's language. Errors cross the IPC with a catalog key and
// parameters (common/messages.ts); Vietnamese is the core's own message, English is worded here.
// An error without a key is worded by its code, a field without one generically: the English UI
// never shows a Vietnamese sentence it cannot read.
import type { z } from 'zod';
import type { DeskError } from '../../../common/errors';
import { fillTemplate, MESSAGES_VI, viMessage, type MessageKey, type Msg } from '../../../common/messages';
import { fieldErrors, issueMessage } from '../../../common/schemas';
import i18n from '.';
import { ERROR_CODES_EN, FIELD_INVALID_EN, LABELS_EN, MESSAGES_EN } from './errors.en';

const english = () => i18n.language === 'en';

/** A catalog message in the current language. */
export function wordMessage(msg: Msg): string {
  if (!english()) return viMessage(msg.key, msg.params);
  return fillTemplate(MESSAGES_EN[msg.key], msg.params, (k) => LABELS_EN[k as keyof typeof LABELS_EN] ?? k);
}

/** What an error says, in the current language. */
export function errorText(err: DeskError): string {
  if (!english()) return err.message;
  return err.key ? wordMessage({ key: err.key, ...(err.params ? { params: err.params } : {}) }) : ERROR_CODES_EN[err.code];
}

/** An error's messages at its fields, in the current language. */
export function errorFields(err: DeskError): Record<string, string> {
  const fields = err.fields ?? {};
  if (!english()) return { ...fields };
  return Object.fromEntries(Object.keys(fields).map((f) => {
    const msg = err.fieldKeys?.[f];
    return [f, msg ? wordMessage(msg) : FIELD_INVALID_EN];
  }));
}

/**
 * A message the core sends as text inside a result rather than as an error (a token or driver
 * that cannot be read, in the token directory): in another language, worded from the catalog entry
 * it is, or said generically.
 */
export function coreText(text: string | undefined, fallback: MessageKey = 'token.failed'): string {
  if (text === undefined) return '';
  if (!english()) return text;
  const key = (Object.keys(MESSAGES_VI) as MessageKey[]).find((k) => MESSAGES_VI[k] === text);
  return wordMessage({ key: key ?? fallback });
}

/** The renderer's own check of a form (the schema shared with main), worded at each field. */
export function formErrors(error: z.ZodError): Record<string, string> {
  if (!english()) return fieldErrors(error);
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join('.') || '_';
    if (key in out) continue;
    const msg = issueMessage(issue);
    out[key] = msg ? wordMessage(msg) : FIELD_INVALID_EN;
  }
  return out;
}
