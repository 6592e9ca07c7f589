// A normalised value, or why not. A warning keeps the value and says what was assumed.

export type Normalised<T> =
  | { ok: true; value: T; warning?: { code: string; detail?: string } }
  | { ok: false; code: string; detail?: string };

export const ok = <T>(value: T, warning?: { code: string; detail?: string }): Normalised<T> =>
  (warning ? { ok: true, value, warning } : { ok: true, value });
export const fail = <T>(code: string, detail?: string): Normalised<T> => (detail === undefined ? { ok: false, code } : { ok: false, code, detail });
