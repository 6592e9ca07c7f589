// Token errors in the user's words. The bridge speaks TokenError (English, for the log); the UI
// gets a DeskError with a Vietnamese message that says what happened and what to do.
import { DeskError } from '../../../common/errors';
import { isTokenError } from '../../../native/bridge/errors';
import { isCryptoError } from '../crypto';

export function toDeskError(err: unknown): unknown {
  if (isCryptoError(err)) return new DeskError('CRYPTO', err.messageVi, { details: { code: err.code } });
  if (!isTokenError(err)) return err;
  const pin = err.pin ? { countLow: err.pin.countLow, finalTry: err.pin.finalTry, locked: err.pin.locked } : undefined;
  switch (err.code) {
    case 'PIN_INCORRECT':
      return new DeskError(
        'PIN_INCORRECT',
        pin?.finalTry
          ? 'Mã PIN không đúng. Đây là lần thử cuối cùng: nhập sai nữa thiết bị sẽ bị khóa.'
          : pin?.countLow
            ? 'Mã PIN không đúng. Thiết bị sắp bị khóa: còn ít lần thử.'
            : 'Mã PIN không đúng.',
        { fields: { pin: 'Mã PIN không đúng.' }, details: { ...(pin ?? {}) } },
      );
    case 'PIN_LOCKED':
      return new DeskError('PIN_LOCKED', 'Mã PIN của thiết bị ký số đã bị khóa do nhập sai quá số lần cho phép. Hãy liên hệ bộ phận quản trị (cơ yếu) để mở khóa bằng mã PIN quản trị (SO PIN).');
    case 'PIN_INVALID':
      return new DeskError('PIN_INCORRECT', 'Mã PIN không đúng độ dài hoặc ký tự mà thiết bị yêu cầu.', { fields: { pin: 'Mã PIN không hợp lệ.' } });
    case 'PIN_EXPIRED':
      return new DeskError('PIN_LOCKED', 'Mã PIN đã hết hạn. Hãy đổi mã PIN bằng phần mềm của thiết bị rồi thử lại.');
    case 'TOKEN_NOT_PRESENT':
    case 'DEVICE_REMOVED':
    case 'SLOT_NOT_FOUND':
    case 'TOKEN_NOT_RECOGNIZED':
      return new DeskError('TOKEN_ABSENT', 'Không thấy thiết bị ký số. Hãy cắm thiết bị vào máy rồi thử lại.', { details: { code: err.code } });
    case 'MODULE_NOT_FOUND':
      return new DeskError('TOKEN_ABSENT', 'Không tìm thấy trình điều khiển (driver) của thiết bị ký số. Hãy báo quản trị kiểm tra cấu hình máy trạm.', { details: { code: err.code } });
    case 'NOT_PKCS11':
    case 'MODULE_LOAD_FAILED':
    case 'MODULE_INIT_FAILED':
      return new DeskError('TOKEN_ERROR', 'Trình điều khiển thiết bị ký số không dùng được (không phải thư viện PKCS#11 hoặc không khởi động được). Hãy báo quản trị.', { details: { code: err.code } });
    case 'BRIDGE_TIMEOUT':
    case 'BRIDGE_CRASHED':
      return new DeskError('TOKEN_ERROR', 'Trình điều khiển thiết bị ký số không phản hồi hoặc đã dừng. Phiên làm việc đã được khóa; hãy rút và cắm lại thiết bị rồi đăng nhập lại.', { details: { code: err.code } });
    case 'MECHANISM_PARAM_INVALID':
      return new DeskError('TOKEN_UNSUITABLE', 'Thiết bị ký số không hỗ trợ tham số mã hóa của tệp này (ví dụ RSA-OAEP với SHA-256). Người gửi cần mã hóa lại với tham số thiết bị hỗ trợ (SHA-1).', { details: { code: err.code } });
    case 'KEY_NOT_FOUND':
    case 'KEY_NOT_USABLE':
    case 'MECHANISM_UNSUPPORTED':
      return new DeskError('TOKEN_UNSUITABLE', 'Khóa trên thiết bị ký số không thực hiện được thao tác này.', { details: { code: err.code } });
    case 'NOT_LOGGED_IN':
    case 'SESSION_CLOSED':
      return new DeskError('NO_SESSION', 'Phiên đăng nhập thiết bị ký số đã kết thúc. Hãy nhập lại mã PIN.', { details: { code: err.code } });
    default:
      return new DeskError('TOKEN_ERROR', 'Thiết bị ký số báo lỗi. Hãy thử lại; nếu vẫn lỗi, báo quản trị.', { details: { code: err.code } });
  }
}
