// Identifier codes (mã định danh) of QCVN 102:2016 and QĐ 20/2020/QĐ-TTg: dot-separated groups,
// most significant level on the right. Validated by structure, never by a fixed length.
import { viMessage, type MessageKey, type MessageParams } from './messages';

export interface IdentifierCodeCheck {
  ok: boolean;
  /** Vietnamese reason when not ok. */
  reason?: string;
  /** The reason's catalog key and parameters (common/messages.ts), worded in the UI language. */
  key?: MessageKey;
  params?: MessageParams;
  /** Normalised (upper-case, trimmed) form when ok. */
  code?: string;
}

const MAX_LENGTH = 35;
const GROUP = /^[0-9A-Z]+$/;
const LEVEL1 = /^[A-Z][0-9A-Z]{1,4}$/; // e.g. G22, H49, K01; room for longer 2025 codes

const refuse = (key: MessageKey, params?: MessageParams): IdentifierCodeCheck =>
  params ? { ok: false, reason: viMessage(key, params), key, params } : { ok: false, reason: viMessage(key), key };

export function checkIdentifierCode(input: string): IdentifierCodeCheck {
  const code = input.trim().toUpperCase();
  if (code.length === 0) return refuse('field.required', { field: 'unitCode' });
  if (code.length > MAX_LENGTH) return refuse('unitCode.tooLong', { max: MAX_LENGTH });
  const groups = code.split('.');
  if (groups.length < 2) return refuse('unitCode.groups');
  if (groups.some((g) => g.length === 0)) return refuse('unitCode.emptyGroup');
  if (groups.some((g) => !GROUP.test(g))) return refuse('unitCode.chars');
  const level1 = groups[groups.length - 1]!;
  if (!LEVEL1.test(level1)) return refuse('unitCode.level1');
  const lower = groups.slice(0, -1);
  if (lower.some((g) => !/^[0-9]+$/.test(g))) return refuse('unitCode.lower');
  return { ok: true, code };
}
