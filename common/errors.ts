// Errors that cross the IPC boundary: a stable code, a Vietnamese message (the fallback, and what
// the CLI prints), optional per-field messages, and optional structured details. Never a stack
// trace. Errors worded from the message catalog (common/messages.ts) also carry its key and
// parameters, for the whole error and for each field, so the window words them in the person's
// language.
import { isMessageKey, messageOfText, viMessage, type MessageKey, type MessageParams, type Msg } from './messages';

export const ERROR_CODES = [
  'VALIDATION', // input of the wrong shape or value; `fields` says where
  'NO_SESSION', // nobody is signed in
  'FORBIDDEN', // the user lacks the right or the clearance
  'NOT_FOUND',
  'DUPLICATE', // a probable duplicate exists; `details.duplicates` links to it
  'READ_ONLY', // the profile is damaged or read-only; nothing may be written
  'SETUP_REQUIRED', // the workstation profile has not been created yet
  'SETUP_DONE', // first-run setup was already completed
  'FILE_TOO_LARGE',
  'FILE_EMPTY',
  'FILE_UNREADABLE',
  'UNKNOWN_CHANNEL',
  'TOKEN_UNSUITABLE', // the token has no certificate/key fit for the job (e.g. no RSA keyEncipherment)
  'TOKEN_ABSENT', // no token, no driver, or the token was removed
  'TOKEN_ERROR', // the driver failed, hung or crashed (details.code says which)
  'PIN_INCORRECT', // details: { countLow, finalTry }
  'PIN_LOCKED',
  'NOT_BOUND', // the token is bound to nobody on this workstation
  'BIND_REQUIRED', // a plain profile from before token binding: the recovery token must bind someone first
  'CRYPTO', // a signature or envelope failed: details.code is the CryptoError code
  'OUT_OF_ORDER', // registering into a past year or before the register's latest arrival: confirm (details.reasons)
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export type { MessageKey, MessageParams, Msg } from './messages';

export interface DeskErrorPayload {
  code: ErrorCode;
  message: string;
  /** The catalog key the message was worded from, and its parameters. */
  key?: string;
  params?: Record<string, string | number>;
  fields?: Record<string, string>;
  /** Per field: the catalog key and parameters of `fields[name]`, when it was worded from one. */
  fieldKeys?: Record<string, Msg>;
  details?: Record<string, unknown>;
}

export interface DeskErrorExtra {
  fields?: Record<string, string>;
  fieldKeys?: Record<string, Msg>;
  details?: Record<string, unknown>;
  key?: MessageKey;
  params?: MessageParams;
}

export class DeskError extends Error {
  readonly code: ErrorCode;
  readonly key?: MessageKey;
  readonly params?: MessageParams;
  readonly fields?: Record<string, string>;
  readonly fieldKeys?: Record<string, Msg>;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, extra: DeskErrorExtra = {}) {
    super(message);
    this.name = 'DeskError';
    this.code = code;
    // Written out in full but a catalog text: it is that message.
    const known = extra.key ? undefined : messageOfText(message);
    const key = extra.key ?? known?.key;
    if (key) this.key = key;
    const params = extra.params ?? known?.params;
    if (params) this.params = params;
    if (extra.fields) this.fields = extra.fields;
    const fieldKeys: Record<string, Msg> = { ...extra.fieldKeys };
    for (const [f, text] of Object.entries(extra.fields ?? {})) {
      const known = fieldKeys[f] ? undefined : messageOfText(text);
      if (known) fieldKeys[f] = known;
    }
    if (Object.keys(fieldKeys).length > 0) this.fieldKeys = fieldKeys;
    if (extra.details) this.details = extra.details;
  }

  /**
   * An error worded from the catalog: `message` is its Vietnamese text; `at` names the fields it
   * belongs to (each gets the same message), `fields` gives fields a message of their own.
   */
  static keyed(
    code: ErrorCode,
    key: MessageKey,
    params?: MessageParams,
    extra: { at?: string | readonly string[]; fields?: Record<string, Msg>; details?: Record<string, unknown> } = {},
  ): DeskError {
    const msg: Msg = params ? { key, params } : { key };
    const at = extra.at === undefined ? [] : typeof extra.at === 'string' ? [extra.at] : extra.at;
    const fieldKeys: Record<string, Msg> = { ...Object.fromEntries(at.map((f) => [f, msg])), ...extra.fields };
    const hasFields = Object.keys(fieldKeys).length > 0;
    return new DeskError(code, viMessage(key, params), {
      key,
      ...(params ? { params } : {}),
      ...(hasFields
        ? { fields: Object.fromEntries(Object.entries(fieldKeys).map(([f, m]) => [f, viMessage(m.key, m.params)])), fieldKeys }
        : {}),
      ...(extra.details ? { details: extra.details } : {}),
    });
  }

  toPayload(): DeskErrorPayload {
    return {
      code: this.code,
      message: this.message,
      ...(this.key ? { key: this.key } : {}),
      ...(this.params ? { params: { ...this.params } } : {}),
      ...(this.fields ? { fields: this.fields } : {}),
      ...(this.fieldKeys ? { fieldKeys: this.fieldKeys } : {}),
      ...(this.details ? { details: this.details } : {}),
    };
  }

  static fromPayload(p: DeskErrorPayload): DeskError {
    const params = cleanParams(p.params);
    const fieldKeys = cleanFieldKeys(p.fieldKeys);
    return new DeskError(p.code, p.message, {
      ...(isMessageKey(p.key) ? { key: p.key } : {}),
      ...(params ? { params } : {}),
      ...(p.fields ? { fields: p.fields } : {}),
      ...(fieldKeys ? { fieldKeys } : {}),
      ...(p.details ? { details: p.details } : {}),
    });
  }
}

/** Parameters as they arrived over the wire: strings and finite numbers only. */
function cleanParams(v: unknown): MessageParams | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const out: Record<string, string | number> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x))) out[k] = x;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function cleanFieldKeys(v: unknown): Record<string, Msg> | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const out: Record<string, Msg> = {};
  for (const [field, m] of Object.entries(v as Record<string, unknown>)) {
    const key = (m as { key?: unknown } | null)?.key;
    if (!isMessageKey(key)) continue;
    const params = cleanParams((m as { params?: unknown }).params);
    out[field] = params ? { key, params } : { key };
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

export const isDeskErrorPayload = (v: unknown): v is DeskErrorPayload =>
  typeof v === 'object' && v !== null && typeof (v as DeskErrorPayload).code === 'string' &&
  (ERROR_CODES as readonly string[]).includes((v as DeskErrorPayload).code) &&
  typeof (v as DeskErrorPayload).message === 'string';
