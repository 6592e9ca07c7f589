// The typed error every bridge call rejects with, on both sides of the channel.
import type { PinStatus, TokenErrorCode, TokenErrorPayload } from './protocol';

export class TokenError extends Error {
  readonly code: TokenErrorCode;
  readonly ckr?: string;
  readonly pin?: PinStatus;
  readonly loginLost?: { module: string; serial: string };

  constructor(code: TokenErrorCode, message: string, extra: Omit<TokenErrorPayload, 'code' | 'message'> = {}) {
    super(message);
    this.name = 'TokenError';
    this.code = code;
    if (extra.ckr !== undefined) this.ckr = extra.ckr;
    if (extra.pin !== undefined) this.pin = extra.pin;
    if (extra.loginLost !== undefined) this.loginLost = extra.loginLost;
  }

  toPayload(): TokenErrorPayload {
    return {
      code: this.code,
      message: this.message,
      ...(this.ckr !== undefined ? { ckr: this.ckr } : {}),
      ...(this.pin !== undefined ? { pin: this.pin } : {}),
      ...(this.loginLost !== undefined ? { loginLost: this.loginLost } : {}),
    };
  }

  static fromPayload(p: TokenErrorPayload): TokenError {
    const { code, message, ...extra } = p;
    return new TokenError(code, message, extra);
  }
}

export const isTokenError = (e: unknown, code?: TokenErrorCode): e is TokenError =>
  e instanceof TokenError && (code === undefined || e.code === code);
