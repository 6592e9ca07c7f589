// Errors that cross the IPC boundary: a stable code, a Vietnamese message for the user,
// optional per-field messages, and optional structured details. Never a stack trace.

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

export interface DeskErrorPayload {
  code: ErrorCode;
  message: string;
  fields?: Record<string, string>;
  details?: Record<string, unknown>;
}

export class DeskError extends Error {
  readonly code: ErrorCode;
  readonly fields?: Record<string, string>;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, extra: { fields?: Record<string, string>; details?: Record<string, unknown> } = {}) {
    super(message);
    this.name = 'DeskError';
    this.code = code;
    if (extra.fields) this.fields = extra.fields;
    if (extra.details) this.details = extra.details;
  }

  toPayload(): DeskErrorPayload {
    return {
      code: this.code,
      message: this.message,
      ...(this.fields ? { fields: this.fields } : {}),
      ...(this.details ? { details: this.details } : {}),
    };
  }

  static fromPayload(p: DeskErrorPayload): DeskError {
    return new DeskError(p.code, p.message, {
      ...(p.fields ? { fields: p.fields } : {}),
      ...(p.details ? { details: p.details } : {}),
    });
  }
}

export const isDeskErrorPayload = (v: unknown): v is DeskErrorPayload =>
  typeof v === 'object' && v !== null && typeof (v as DeskErrorPayload).code === 'string' &&
  (ERROR_CODES as readonly string[]).includes((v as DeskErrorPayload).code) &&
  typeof (v as DeskErrorPayload).message === 'string';
