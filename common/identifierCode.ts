// Identifier codes (mã định danh) of QCVN 102:2016 and QĐ 20/2020/QĐ-TTg: dot-separated groups,
// most significant level on the right. Validated by structure, never by a fixed length.

export interface IdentifierCodeCheck {
  ok: boolean;
  /** Vietnamese reason when not ok. */
  reason?: string;
  /** Normalised (upper-case, trimmed) form when ok. */
  code?: string;
}

const MAX_LENGTH = 35;
const GROUP = /^[0-9A-Z]+$/;
const LEVEL1 = /^[A-Z][0-9A-Z]{1,4}$/; // e.g. G22, H49, K01; room for longer 2025 codes

export function checkIdentifierCode(input: string): IdentifierCodeCheck {
  const code = input.trim().toUpperCase();
  if (code.length === 0) return { ok: false, reason: 'Chưa nhập mã định danh.' };
  if (code.length > MAX_LENGTH)
    return { ok: false, reason: `Mã định danh dài tối đa ${MAX_LENGTH} ký tự.` };
  const groups = code.split('.');
  if (groups.length < 2)
    return {
      ok: false,
      reason: 'Mã định danh gồm các nhóm ngăn cách bằng dấu chấm, ví dụ 000.00.00.H49.',
    };
  if (groups.some((g) => g.length === 0))
    return { ok: false, reason: 'Mã định danh có nhóm rỗng (hai dấu chấm liền nhau hoặc dấu chấm ở đầu/cuối).' };
  if (groups.some((g) => !GROUP.test(g)))
    return { ok: false, reason: 'Mã định danh chỉ gồm chữ số 0-9, chữ cái A-Z và dấu chấm.' };
  const level1 = groups[groups.length - 1]!;
  if (!LEVEL1.test(level1))
    return {
      ok: false,
      reason: 'Nhóm cuối (cơ quan cấp 1) phải bắt đầu bằng một chữ cái rồi đến chữ số, ví dụ H49, G22.',
    };
  const lower = groups.slice(0, -1);
  if (lower.some((g) => !/^[0-9]+$/.test(g)))
    return { ok: false, reason: 'Các nhóm cấp dưới của mã định danh chỉ gồm chữ số.' };
  return { ok: true, code };
}
